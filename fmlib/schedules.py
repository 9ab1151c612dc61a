"""Affine probability paths: x_t = alpha_t x1 + sigma_t x0, and what a model may predict on them.

The straight path of the other chapters is alpha_t = t, sigma_t = 1 - t. Any
pair of schedules with alpha_0 = 0, sigma_0 = 1 (noise) and alpha_1 = 1,
sigma_1 = 0 (data) is a path of the same kind; a pair (x0, x1) moves along it
at the conditional velocity

    d x_t / dt = alpha'_t x1 + sigma'_t x0.

With x0 ~ N(0, I), a model can be asked for one of three averages at a point
x = x_t: the velocity v = E[alpha' x1 + sigma' x0 | x_t = x], the data
x1_hat = E[x1 | x_t = x] or the noise eps_hat = E[x0 | x_t = x]. Since
x = alpha x1_hat + sigma eps_hat and v = alpha' x1_hat + sigma' eps_hat, any one
gives the others, and the score is grad log p_t(x) = -eps_hat / sigma
(Tweedie's formula: alpha x1_hat = x + sigma^2 grad log p_t(x)). `AffinePath` holds these conversions, the target
each prediction is trained on and the weights that turn one prediction's loss into another's; `change_schedule`
turns a straight-path velocity into the velocity of another path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Union

import torch

from . import checks
from .devices import on_device_of
from .solvers import Velocity
from .warp import warp_time, warp_time_derivative

Time = Union[float, torch.Tensor]
"""A time, or one time per point: a number or a tensor of shape (n, 1)."""


@dataclass(frozen=True)
class AffinePath:
    """The schedules alpha_t (data) and sigma_t (noise) of x_t = alpha_t x1 + sigma_t x0, with their derivatives.

    Each of `alpha`, `sigma`, `d_alpha`, `d_sigma` maps a time (a number or a
    tensor) to a number or a tensor of the same shape. In the conversions x, v
    and the predictions have shape (n, d), and t is a number or (n, 1).
    """

    name: str
    alpha: Callable[[Time], Time]
    sigma: Callable[[Time], Time]
    d_alpha: Callable[[Time], Time]
    d_sigma: Callable[[Time], Time]

    def interpolate(self, x0: torch.Tensor, x1: torch.Tensor, t: Time) -> torch.Tensor:
        """x_t = alpha_t x1 + sigma_t x0."""
        return self.alpha(t) * x1 + self.sigma(t) * x0

    def conditional_velocity(self, x0: torch.Tensor, x1: torch.Tensor, t: Time) -> torch.Tensor:
        """d x_t / dt = alpha'_t x1 + sigma'_t x0 for the pair (x0, x1)."""
        return self.d_alpha(t) * x1 + self.d_sigma(t) * x0

    def _determinant(self, t):
        # of the map (x1_hat, eps_hat) -> (x, v): [[alpha, sigma], [alpha', sigma']]
        return self.alpha(t) * self.d_sigma(t) - self.sigma(t) * self.d_alpha(t)

    def data_from_velocity(self, v: torch.Tensor, x: torch.Tensor, t: Time) -> torch.Tensor:
        """x1_hat = (sigma' x - sigma v) / (alpha sigma' - sigma alpha')."""
        return (self.d_sigma(t) * x - self.sigma(t) * v) / self._determinant(t)

    def noise_from_velocity(self, v: torch.Tensor, x: torch.Tensor, t: Time) -> torch.Tensor:
        """eps_hat = (alpha v - alpha' x) / (alpha sigma' - sigma alpha')."""
        return (self.alpha(t) * v - self.d_alpha(t) * x) / self._determinant(t)

    def velocity_from_data(self, x1_hat: torch.Tensor, x: torch.Tensor, t: Time) -> torch.Tensor:
        """v = alpha' x1_hat + sigma' eps_hat, with eps_hat = (x - alpha x1_hat) / sigma."""
        return self.d_alpha(t) * x1_hat + self.d_sigma(t) * (x - self.alpha(t) * x1_hat) / self.sigma(t)

    def velocity_from_noise(self, eps_hat: torch.Tensor, x: torch.Tensor, t: Time) -> torch.Tensor:
        """v = alpha' x1_hat + sigma' eps_hat, with x1_hat = (x - sigma eps_hat) / alpha."""
        return self.d_alpha(t) * (x - self.sigma(t) * eps_hat) / self.alpha(t) + self.d_sigma(t) * eps_hat

    def score_from_velocity(self, v: torch.Tensor, x: torch.Tensor, t: Time) -> torch.Tensor:
        """grad log p_t(x) = -eps_hat / sigma (for a source N(0, I)); undefined where sigma_t = 0."""
        return -self.noise_from_velocity(v, x, t) / self.sigma(t)

    def velocity_from_score(self, score: torch.Tensor, x: torch.Tensor, t: Time) -> torch.Tensor:
        """v from grad log p_t(x), through eps_hat = -sigma score; undefined where alpha_t = 0."""
        return self.velocity_from_noise(-self.sigma(t) * score, x, t)

    def velocity_from(self, prediction: str, value: torch.Tensor, x: torch.Tensor, t: Time) -> torch.Tensor:
        """The velocity from a network's `value` at x and t, when the network predicts `prediction` (PREDICTIONS)."""
        if prediction == "velocity":
            return value
        return getattr(self, f"velocity_from_{_checked(prediction, PREDICTIONS, 'prediction')}")(value, x, t)

    def regression_target(self, prediction: str, x0: torch.Tensor, x1: torch.Tensor, t: Time) -> torch.Tensor:
        """What a network asked for `prediction` is trained to output for the pair (x0, x1) at time t.

        The velocity alpha' x1 + sigma' x0, the noise x0, the data x1, or the
        score of N(alpha x1, sigma^2 I) at x_t, which is -x0 / sigma (chapter 13's
        denoising score matching). Averaged over the pairs through x_t = x, each
        gives the prediction of the same name.
        """
        prediction = _checked(prediction, PREDICTIONS, "prediction")
        if prediction == "velocity":
            return self.conditional_velocity(x0, x1, t)
        return {"noise": x0, "data": x1, "score": -x0 / self.sigma(t)}[prediction]

    def loss_weight(self, loss: str, t: Time) -> Time:
        """w(t): at time t, `loss`'s squared error is w(t) times the velocity's, for one network's answers.

        At fixed x and t each prediction is an affine function of the velocity
        (the conversions above), so its error is the velocity's times a slope:
        alpha / D for the noise, sigma / D for the data, alpha / (sigma D) for the
        score, with D = alpha sigma' - sigma alpha'; w(t) is the slope squared.
        "elbo" is the weighting whose loss is the diffusion model's evidence
        lower bound up to terms without the network (Kingma et al. 2021):
        d/dt log(alpha / sigma) on the noise's error, which is -alpha / (sigma D)
        on the velocity's. On the straight path the four are t^2, (1 - t)^2,
        t^2 / (1 - t)^2 and t / (1 - t).
        """
        loss = _checked(loss, LOSSES, "loss")
        alpha, sigma, determinant = self.alpha(t), self.sigma(t), self._determinant(t)
        slope = {"velocity": 1 + 0 * determinant, "noise": alpha / determinant, "data": sigma / determinant}
        if loss in slope:
            return slope[loss] ** 2
        if loss == "score":
            return (alpha / (sigma * determinant)) ** 2
        return -alpha / (sigma * determinant)


PREDICTIONS = ("velocity", "noise", "data", "score")
"""What a network on an affine path may be asked for at x_t: any one gives the others."""

LOSSES = (*PREDICTIONS, "elbo")
"""The weightings `AffinePath.loss_weight` knows: each prediction's own loss, and the evidence lower bound."""


def _checked(name, names, what):
    if name not in names:
        raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(names)}")
    return name


def _cos(t):
    return torch.cos(t) if torch.is_tensor(t) else math.cos(t)


def _sin(t):
    return torch.sin(t) if torch.is_tensor(t) else math.sin(t)


def _exp(t):
    return torch.exp(t) if torch.is_tensor(t) else math.exp(t)


def _sqrt(t):
    return torch.sqrt(t) if torch.is_tensor(t) else math.sqrt(t)


STRAIGHT = AffinePath("straight", lambda t: t, lambda t: 1 - t, lambda t: 1 + 0 * t, lambda t: -1 + 0 * t)
"""alpha_t = t, sigma_t = 1 - t: the path of rectified flow and of every other chapter."""

COSINE = AffinePath(
    "cosine",
    lambda t: _sin(math.pi / 2 * t),
    lambda t: _cos(math.pi / 2 * t),
    lambda t: math.pi / 2 * _cos(math.pi / 2 * t),
    lambda t: -math.pi / 2 * _sin(math.pi / 2 * t),
)
"""alpha_t = sin(pi t / 2), sigma_t = cos(pi t / 2): alpha^2 + sigma^2 = 1, a variance-preserving path."""


def variance_preserving(beta_min: float = 0.1, beta_max: float = 20.0, eps: float = 1e-5) -> AffinePath:
    """The variance-preserving path of diffusion models (DDPM, the VP SDE), in this book's direction of time.

    Diffusion time r = 1 - t runs from data (r = 0) to noise (r = 1) with noise
    rate beta(r) = beta_min + r (beta_max - beta_min); the data is scaled by
    alpha = exp(-B(r) / 2), B(r) = int_0^r beta, and sigma = sqrt(1 - alpha^2).
    Here r runs from 1 to `eps` (diffusion models stop short of r = 0, where
    sigma' is infinite), so alpha_0 = exp(-B(1) / 2) is small but not 0, and
    sigma_1 = sqrt(1 - exp(-B(eps))) is small but not 0.
    """
    beta_min = checks.positive_number(beta_min, "beta_min")
    beta_max = checks.positive_number(beta_max, "beta_max")
    eps = checks.positive_number(eps, "eps")
    if beta_max < beta_min or eps >= 1:
        raise ValueError(f"need beta_max >= beta_min and eps < 1, got {beta_min}, {beta_max}, {eps}")

    def r(t):  # diffusion time, from 1 at t = 0 to eps at t = 1
        return eps + (1 - eps) * (1 - t)

    def alpha(t):
        return _exp(-0.5 * (beta_min * r(t) + 0.5 * (beta_max - beta_min) * r(t) ** 2))

    def d_alpha(t):  # d alpha / dt = -(1 - eps) d alpha / dr = (1 - eps) beta(r) alpha / 2
        return 0.5 * (1 - eps) * (beta_min + (beta_max - beta_min) * r(t)) * alpha(t)

    def sigma(t):
        return _sqrt(1 - alpha(t) ** 2)

    def d_sigma(t):
        return -alpha(t) * d_alpha(t) / sigma(t)

    return AffinePath("VP", alpha, sigma, d_alpha, d_sigma)


VP = variance_preserving()
"""The VP path with the score-SDE paper's beta_min = 0.1, beta_max = 20, stopped at eps = 1e-5."""


def variance_exploding(sigma_min: float = 0.01, sigma_max: float = 5.0) -> AffinePath:
    """The variance-exploding path of score-based models (the VE SDE): the data kept whole, noise added on top.

    alpha_t = 1 and sigma_t = sigma_min (sigma_max / sigma_min)^(1 - t): the
    noise falls geometrically from sigma_max at t = 0 to sigma_min at t = 1. Its
    start is not N(0, I) but the data blurred by N(0, sigma_max^2): close to
    N(0, sigma_max^2) when sigma_max is large against the data.
    """
    sigma_min = checks.positive_number(sigma_min, "sigma_min")
    sigma_max = checks.positive_number(sigma_max, "sigma_max")
    if sigma_max <= sigma_min:
        raise ValueError(f"need sigma_max > sigma_min, got {sigma_min} and {sigma_max}")
    rate = math.log(sigma_max / sigma_min)

    def sigma(t):
        return sigma_min * _exp(rate * (1 - t))

    return AffinePath("VE", lambda t: 1 + 0 * t, sigma, lambda t: 0 * t, lambda t: -rate * sigma(t))


def warped(s: float) -> AffinePath:
    """The straight path on chapter 5's clock: alpha_t = f(t; a), sigma_t = 1 - f(t; a), with slope a = `s`."""
    s = checks.warp_slope(s)
    return AffinePath(
        f"warped (s = {s:g})",
        lambda t: warp_time(t, s),
        lambda t: 1 - warp_time(t, s),
        lambda t: warp_time_derivative(t, s),
        lambda t: -warp_time_derivative(t, s),
    )


PATHS = {path.name: path for path in (STRAIGHT, COSINE, VP)}


def as_velocity(model: Velocity, path: AffinePath, prediction: str) -> Velocity:
    """The velocity field `(x, t) -> v` of a network on `path` that predicts `prediction` (a noise network, say)."""
    _checked(prediction, PREDICTIONS, "prediction")
    if not isinstance(path, AffinePath):
        raise TypeError(f"path must be an AffinePath such as schedules.VP, got {path!r:.60}")
    return on_device_of(lambda x, t: path.velocity_from(prediction, model(x, t), x, t), model)


def change_schedule(velocity: Velocity, path: AffinePath) -> Velocity:
    """The velocity of `path` from the velocity of the straight path (a model trained as in the other chapters).

    With x0 ~ N(0, I), the point of `path` at time t is a rescaled point of the
    straight path at another time: x_t = c_t x'_eta with the clock eta_t =
    alpha / (alpha + sigma) (the same ratio of data to noise) and the ruler
    c_t = alpha + sigma. So

        v(x, t) = (c' / c) x + c eta' v_straight(x / c, eta).

    When alpha + sigma = 1 (a `warped` path) only the clock changes: c = 1 and
    v(x, t) = eta' v_straight(x, eta).
    """
    if not isinstance(path, AffinePath):
        raise TypeError(f"path must be an AffinePath such as schedules.COSINE, got {path!r:.60}")

    def rescheduled(x, t):
        a, b, da, db = path.alpha(t), path.sigma(t), path.d_alpha(t), path.d_sigma(t)
        scale, d_scale = a + b, da + db
        eta, d_eta = a / scale, (da * b - a * db) / scale**2  # the clock and its speed
        return (d_scale / scale) * x + scale * d_eta * velocity(x / scale, eta)

    return on_device_of(rescheduled, velocity)  # integrate puts the points where a model computes
