"""Gaussian mixtures, and the exact flow-matching velocity that carries N(0, I) onto one.

For an affine path x_t = alpha_t x1 + sigma_t x0 (`fmlib.schedules`; the
straight path alpha_t = t, sigma_t = 1 - t unless told otherwise) with
x0 ~ N(0, I) and x1 drawn from component k, N(mu_k, sigma_k^2 I), the pair
(x_t, u = alpha'_t x1 + sigma'_t x0) is jointly Gaussian:

    x_t ~ N(alpha mu_k, nu_k^2 I),   nu_k^2 = alpha^2 sigma_k^2 + sigma^2,
    Cov(u, x_t) = (alpha' alpha sigma_k^2 + sigma' sigma) I,

so E[u | x_t = x, k] = alpha' mu_k + Cov / nu_k^2 (x - alpha mu_k). The
marginal velocity averages these over the components, each weighted by its
posterior probability given x_t = x:

    v*(x, t) = sum_k P(k | x_t = x) E[u | x_t = x, k],

and the score of p_t averages the components' scores -(x - alpha mu_k) / nu_k^2
with the same weights. On the straight path nu_k^2 = (1 - t)^2 + t^2 sigma_k^2
and Cov = t sigma_k^2 - (1 - t).

`trained_model` trains the book's network from N(0, I) to a mixture and keeps
it in the cache, like `fmlib.trained_model` does for the named shapes.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Optional, Sequence, Union

import torch

from . import cache, checks, models, recipes
from .schedules import STRAIGHT, AffinePath

Numbers = Union[Sequence[float], torch.Tensor]


class GaussianMixture:
    """A mixture of isotropic Gaussians in `dim` dimensions.

    weights: (K,) summing to 1; means: (K,) for 1D or (K, dim); stds: (K,).

        >>> target = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])   # 1D
    """

    def __init__(self, weights: Numbers, means: Numbers, stds: Numbers):
        self.weights = _numbers(weights, "weights")
        means = _numbers(means, "means")
        self.means = means[:, None] if means.ndim == 1 else means
        self.stds = _numbers(stds, "stds")
        k = len(self.weights)
        if self.weights.ndim != 1 or k == 0:
            raise ValueError(f"weights must be a list of K > 0 numbers, one per component, got {weights!r}")
        if means.ndim > 2:
            raise ValueError(f"means must be K numbers (1D) or K points (K, dim), got shape {tuple(means.shape)}")
        if self.means.shape[0] != k or self.stds.shape != (k,):
            raise ValueError(
                f"expected {k} means and {k} stds to go with {k} weights, "
                f"got means of shape {tuple(means.shape)} and stds of shape {tuple(self.stds.shape)}"
            )
        if (self.weights < 0).any() or abs(self.weights.sum().item() - 1) > 1e-6:
            raise ValueError(f"weights must be non-negative and sum to 1, got {self.weights.tolist()}")
        if (self.stds <= 0).any():
            raise ValueError(f"stds must be positive, got {self.stds.tolist()}")
        self.dim = self.means.shape[1]

    def sample(self, n: int, seed: Optional[int] = None) -> torch.Tensor:
        """n points from the mixture: a float32 tensor of shape (n, dim)."""
        n, seed = checks.whole_number(n, "n (the number of points)"), checks.seed(seed)
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        component = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        noise = torch.randn(n, self.dim, generator=generator, dtype=torch.float64)
        return (self.means[component] + self.stds[component, None] * noise).float()

    def pdf(self, x: torch.Tensor) -> torch.Tensor:
        """The density at points x of shape (n, dim) (or (n,) in 1D): shape (n,)."""
        x = _as_points(x, self.dim)
        return torch.logsumexp(self.weights.log() + _log_normal(x, self.means, self.stds), dim=1).exp()

    def velocity(self, x: torch.Tensor, t: Union[float, torch.Tensor], path: AffinePath = STRAIGHT) -> torch.Tensor:
        """`exact_velocity` of this mixture, as a field `(x, t) -> v` for `fmlib.integrate`."""
        return exact_velocity(self, x, t, path)

    def path_density(self, x: torch.Tensor, t: Union[float, torch.Tensor], path: AffinePath = STRAIGHT) -> torch.Tensor:
        """`path_density` of this mixture: the density p_t(x) of the path from N(0, I) (straight unless told)."""
        return path_density(self, x, t, path)

    def score(self, x: torch.Tensor, t: Union[float, torch.Tensor], path: AffinePath = STRAIGHT) -> torch.Tensor:
        """`exact_score` of this mixture: grad log p_t(x)."""
        return exact_score(self, x, t, path)


def _numbers(values, name):
    """`values` as a float64 tensor of finite numbers."""
    try:
        values = torch.as_tensor(values, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"{name} must be numbers, got {values!r}") from None
    return checks.finite(values, name)


def _as_points(x, dim):
    """Points x (n, dim), or (n,) in 1D, as float64 (n, dim)."""
    x = checks.tensor(x, "x").double()
    x = x[:, None] if x.ndim == 1 and dim == 1 else x
    checks.points(x, "x", dim, allow_empty=True)
    return x


def _log_normal(x, means, stds):
    """log N(x; means_k, stds_k^2 I) for points x (n, d), per component: (n, K)."""
    d = x.shape[1]
    squared = ((x[:, None, :] - means[None]) ** 2).sum(dim=2)
    return -0.5 * squared / stds**2 - d * stds.log() - 0.5 * d * math.log(2 * math.pi)


def _path_components(mixture, x, t, path):
    """The components of the probability path at x and t: (points, t, variances nu_k^2, offsets x - alpha mu_k)."""
    if not isinstance(mixture, GaussianMixture):
        raise TypeError(f"mixture must be a GaussianMixture, got {mixture!r:.60}")
    if not isinstance(path, AffinePath):
        raise TypeError(f"path must be an AffinePath such as fmlib.schedules.COSINE, got {path!r:.60}")
    points = _as_points(x, mixture.dim)
    t = _times(t, len(points))  # (1, 1) or (n, 1)
    alpha = path.alpha(t)
    variance = alpha**2 * mixture.stds**2 + path.sigma(t) ** 2  # nu_k^2: (n or 1, K)
    centres = alpha[:, :, None] * mixture.means[None]  # alpha mu_k: (n or 1, K, dim)
    return points, t, variance, points[:, None, :] - centres  # offsets: (n, K, dim)


def _log_path_terms(mixture, variance, offsets):
    """log(w_k N(x; t mu_k, nu_k^2 I)) per point and component: (n, K)."""
    squared = (offsets**2).sum(dim=2)
    return mixture.weights.log() - 0.5 * squared / variance - 0.5 * mixture.dim * (2 * math.pi * variance).log()


def path_density(
    mixture: GaussianMixture, x: torch.Tensor, t: Union[float, torch.Tensor], path: AffinePath = STRAIGHT
) -> torch.Tensor:
    """p_t(x), the density of x_t = alpha_t x1 + sigma_t x0 for x0 ~ N(0, I), x1 ~ `mixture`.

    Each component k gives x_t ~ N(alpha mu_k, nu_k^2 I), so p_t is again a
    mixture, with the same weights. x: (n, dim); t: a number or a tensor of shape
    (n, 1); `path` straight unless told. Returns (n,) in float64.
    """
    _, _, variance, offsets = _path_components(mixture, x, t, path)
    return torch.logsumexp(_log_path_terms(mixture, variance, offsets), dim=1).exp()


def exact_velocity(
    mixture: GaussianMixture, x: torch.Tensor, t: Union[float, torch.Tensor], path: AffinePath = STRAIGHT
) -> torch.Tensor:
    """E[alpha'_t x1 + sigma'_t x0 | x_t = x] for x0 ~ N(0, I), x1 ~ `mixture`, on `path` (straight unless told).

    On the straight path this is E[x1 - x0 | x_t = x]. x: (n, dim); t: a number
    or a tensor of shape (n, 1). Returns (n, dim) in x's dtype.
    """
    points, t, variance, offsets = _path_components(mixture, x, t, path)
    posterior = _posterior(mixture, variance, offsets)
    alpha, d_alpha = path.alpha(t), path.d_alpha(t)
    gain = (d_alpha * alpha * mixture.stds**2 + path.d_sigma(t) * path.sigma(t)) / variance  # (n or 1, K)
    per_component = d_alpha[:, :, None] * mixture.means[None] + gain[:, :, None] * offsets  # (n, K, dim)
    return _like(x, (posterior[:, :, None] * per_component).sum(dim=1))


def exact_score(
    mixture: GaussianMixture, x: torch.Tensor, t: Union[float, torch.Tensor], path: AffinePath = STRAIGHT
) -> torch.Tensor:
    """grad_x log p_t(x), the score of the probability path of `path` (straight unless told) onto `mixture`.

    Each component's Gaussian N(alpha mu_k, nu_k^2 I) has the score
    -(x - alpha mu_k) / nu_k^2; p_t's score averages them with the posterior
    weights. x: (n, dim); t: a number or (n, 1). Returns (n, dim) in x's dtype.
    """
    _, _, variance, offsets = _path_components(mixture, x, t, path)
    posterior = _posterior(mixture, variance, offsets)
    return _like(x, -(posterior[:, :, None] * offsets / variance[:, :, None]).sum(dim=1))


def _posterior(mixture, variance, offsets):
    """P(k | x_t = x) for each point and component, from the component densities of x_t: (n, K)."""
    return torch.softmax(_log_path_terms(mixture, variance, offsets), dim=1)


def _like(x, values):
    """values (float64) in x's floating dtype, or float32 when x is not a floating tensor."""
    floating = torch.is_tensor(x) and x.is_floating_point()
    return values.to(x.dtype) if floating else values.float()


def _times(t, n):
    """t, one time or one per point, as float64 of shape (1, 1) or (n, 1)."""
    try:
        t = torch.as_tensor(t, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"t must be a time or a tensor of times, got {t!r}") from None
    if t.shape not in ((), (1,), (1, 1), (n,), (n, 1)):
        raise ValueError(f"t must be one time, or one per point: shape (), ({n},) or ({n}, 1); got {tuple(t.shape)}")
    return checks.finite(t, "t").reshape(-1, 1)


def trained_model(
    mixture: GaussianMixture,
    recipe: recipes.Recipe = recipes.BOOK_1D,
    seed: int = 0,
    progress: bool = True,
    **changes,
) -> models.VelocityNet:
    """A `VelocityNet(mixture.dim, recipe.width, recipe.depth)` trained by `fmlib.train` from N(0, I) to `mixture`.

    Kept in the cache like `fmlib.trained_model`'s models (the first call trains,
    later ones load); the mixture's weights, means and stds are part of the key.
    `changes` override the recipe's fields or add plain keywords of `fmlib.train`,
    such as path="VP", prediction="noise". Returns the model in evaluation mode
    on `fmlib.default_device()`.
    """
    if not isinstance(mixture, GaussianMixture):
        raise TypeError(f"mixture must be a GaussianMixture, got {mixture!r:.60}")
    recipe, settings, seed = cache.recipe_and_settings(recipe, seed, changes)
    described = json.dumps([mixture.weights.tolist(), mixture.means.tolist(), mixture.stds.tolist()])
    path = cache.model_path(
        "normal", "mixture", recipe, seed, {**settings, "mixture": described}, modules=(sys.modules[__name__],)
    )
    dim = mixture.dim

    def normal(n):
        return torch.randn(n, dim)

    data = dict(source=normal, target=mixture.sample)
    return cache.kept_model(path, recipe, seed, settings, data, dim, progress=progress)
