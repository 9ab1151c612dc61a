"""Discrete flow matching: data made of tokens, carried from a source by random jumps.

A token takes one of V values, 0 to V - 1; a masked source adds one more state,
V, the mask. Instead of a velocity, a continuous-time Markov chain has jump
rates: Q_t(y, x) is the probability per unit time of jumping from state x to
y != x, and Q_t(x, x) = -sum_{y != x} Q_t(y, x), so that probabilities are kept.
The probabilities p_t of the states then change by the Kolmogorov forward
equation, the discrete continuity equation:

    d p_t(y) / dt = sum_x Q_t(y, x) p_t(x).

The mixture path: each token of x_t is its target value x1 with probability
omega_t and its source value x0 otherwise (`Schedule`, omega_0 = 0, omega_1 = 1).
Its conditional rate jumps to x1 at rate omega'_t / (1 - omega_t); averaged with
the posterior p(x1 | x_t), as flow matching averages velocities, the marginal
rate of each token is

    Q_t(y, x) = omega'_t / (1 - omega_t) * (p(x1 = y | x_t) - [y = x]),

so a network that predicts the posterior (a classifier of x1, trained by
cross-entropy: `PosteriorNet`, `loss`) gives the rates. `jump_step` is the
Euler step of the chain: each token jumps with probability h * omega' / (1 - omega),
to a value drawn from its posterior.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable, Optional, Union

import torch
import torch.nn.functional as F
from torch import nn

from . import cache, checks, models, recipes
from .devices import device_of
from .training import optimise, seeded

Posterior = Callable[[torch.Tensor, float], torch.Tensor]
"""`posterior(x, t) -> (n, D, V)`: for tokens x (n, D) at time t, each token's probabilities of its value x1."""


@dataclass(frozen=True)
class Schedule:
    """omega_t = t ** power: the share of tokens that already hold their target value at time t."""

    power: float = 1.0

    def __post_init__(self):
        power = checks.positive_number(self.power, "power")
        if power < 1:
            raise ValueError(f"power must be at least 1, so that omega rises from 0 at a finite rate; got {power}")
        object.__setattr__(self, "power", power)

    def omega(self, t: Union[float, torch.Tensor]) -> Union[float, torch.Tensor]:
        return t**self.power

    def rate(self, t: float) -> float:
        """omega'_t / (1 - omega_t): how fast a token that still holds its source value jumps, at time t < 1."""
        if not 0 <= t < 1:
            raise ValueError(f"the rate is defined for times 0 <= t < 1, got t = {t}")
        return self.power * t ** (self.power - 1) / (1 - self.omega(t))


LINEAR = Schedule()
"""omega_t = t: the mixture path's straight line, the schedule the book uses."""


def path_probabilities(p0: torch.Tensor, p1: torch.Tensor, t: float, schedule: Schedule = LINEAR) -> torch.Tensor:
    """p_t = (1 - omega_t) p0 + omega_t p1: the mixture path's probabilities of a token's S states, (S,).

    With a mask (V + 1 states) p1 gives the mask no probability.
    """
    p0, p1 = _probabilities(p0, p1)
    omega = schedule.omega(_time(t))
    return (1 - omega) * p0 + omega * F.pad(p1, (0, len(p0) - len(p1)))


def posterior(
    p0: torch.Tensor, p1: torch.Tensor, x: torch.Tensor, t: float, schedule: Schedule = LINEAR
) -> torch.Tensor:
    """The exact p(x1 = k | x_t = x) of one token with independent x0 ~ p0 and x1 ~ p1: shape (n, V).

    p0 has V states (a uniform or other source over the values) or V + 1
    (the last one the mask); p1 has V. By Bayes, p(x1 | x_t = x) is
    p1(x1) ((1 - omega) p0(x) + omega [x1 = x]) / p_t(x). x: states, shape (n,).
    """
    p0, p1 = _probabilities(p0, p1)
    x = _states(x, len(p0))
    omega = schedule.omega(_time(t))
    values = torch.arange(len(p1), device=x.device)
    joint = p1[None, :] * ((1 - omega) * p0[x][:, None] + omega * (x[:, None] == values[None, :]).to(p1))
    return joint / joint.sum(dim=1, keepdim=True)


def pair_posterior(
    p1: torch.Tensor, x: torch.Tensor, t: float, masked: bool, schedule: Schedule = LINEAR
) -> torch.Tensor:
    """The exact posterior of each of two tokens, p(x1^i | x_t = x), for data with joint probabilities p1 (V, V).

    The source is uniform over the V values, or the mask (state V) when
    `masked`; x: tokens (n, 2). Each token of x_t is its x1 with probability
    omega_t, else its x0, independently, so p(x_t | x1) is a product over the
    two tokens; Bayes' rule and a sum over the other token give (n, 2, V).
    From the mask, an unmasked token's posterior is certain (see below).
    """
    p1 = checks.tensor(p1, "p1").double()
    if p1.ndim != 2 or p1.shape[0] != p1.shape[1] or (p1 < 0).any() or abs(p1.sum().item() - 1) > 1e-6:
        raise ValueError("p1 must be the joint probabilities of two tokens' values: shape (V, V), summing to 1")
    values = len(p1)
    x = _states(_tokens(x), values + masked)
    omega = schedule.omega(_time(t))
    source = torch.zeros(values + 1, dtype=torch.float64)
    source[values] = 1.0 if masked else 0.0
    if not masked:
        source[:values] = 1 / values
    # seen[n, i, k]: p(x_t^i = x^i | x1^i = k) = (1 - omega) p0(x^i) + omega [x^i = k]
    seen = (1 - omega) * source[x][..., None] + omega * (x[..., None] == torch.arange(values)).double()
    joint = p1[None] * seen[:, 0, :, None] * seen[:, 1, None, :]  # (n, V, V)
    joint = joint / joint.sum(dim=(1, 2), keepdim=True).clamp(min=1e-300)
    both = torch.stack([joint.sum(dim=2), joint.sum(dim=1)], dim=1)
    if not masked:
        return both
    # An unmasked token keeps its value: certain, as Bayes' rule says on the data's support, and so too where a
    # sampler's step has left it (two tokens unmasked together off the support), where the rule divides 0 by 0.
    known = x < values
    certain = F.one_hot(x.clamp(max=values - 1), values).double()
    return torch.where(known[..., None], certain, both)


def marginal_rates(p0: torch.Tensor, p1: torch.Tensor, t: float, schedule: Schedule = LINEAR) -> torch.Tensor:
    """The marginal rates Q_t(y, x) of one token as an (S, S) matrix, row y, column x; each column sums to 0."""
    p0, p1 = _probabilities(p0, p1)
    states = len(p0)
    gone = posterior(p0, p1, torch.arange(states), t, schedule)  # (S, V): row x is p(x1 | x_t = x)
    into = torch.zeros(states, states, dtype=p1.dtype)
    into[: len(p1), :] = gone.T
    return schedule.rate(_time(t)) * (into - torch.eye(states, dtype=p1.dtype))


def jump_step(
    x: torch.Tensor,
    probabilities: torch.Tensor,
    t: float,
    h: float,
    schedule: Schedule = LINEAR,
    generator: Optional[torch.Generator] = None,
) -> torch.Tensor:
    """One Euler step of the chain from t to t + h: each token jumps with probability h omega'/(1 - omega).

    x: tokens (n, D); probabilities: each token's posterior (n, D, V). A token
    that jumps takes a value drawn from its posterior (it may draw its own value
    and stay). The step must keep the jump probability at most 1.
    """
    chance = h * schedule.rate(_time(t))
    if chance > 1 + 1e-9:
        raise ValueError(
            f"a step of h = {h:g} at t = {t:g} gives a jump probability of {chance:.3g}, more than 1: "
            "take more (smaller) steps"
        )
    n, tokens = x.shape
    drawn = torch.multinomial(probabilities.reshape(n * tokens, -1), 1, generator=generator).reshape(n, tokens)
    jumps = torch.rand(n, tokens, generator=generator, device=x.device) < chance
    return torch.where(jumps, drawn.to(x.device), x)


@dataclass
class Jumps:
    """What `sample` returns: the tokens at t = 1 (n, D), every step's tokens if asked (steps + 1, n, D), and the
    number of posterior evaluations."""

    x: torch.Tensor
    trajectory: Optional[torch.Tensor]
    nfe: int


@torch.no_grad()
def sample(
    posterior_of: Posterior,
    x0: torch.Tensor,
    steps: int,
    schedule: Schedule = LINEAR,
    seed: Optional[int] = None,
    trajectory: bool = False,
) -> Jumps:
    """Carry the tokens x0 (n, D) from t = 0 to 1 in `steps` even Euler jump steps of `posterior_of`'s rates.

    `posterior_of(x, t)` gives each token's posterior, (n, D, V): a trained
    `PosteriorNet`'s `probabilities`, or an exact one. With omega_t = t the last
    step jumps with probability 1: every token ends on a value, none masked.
    """
    steps = checks.whole_number(steps, "steps")
    x = _tokens(x0)
    generator = None if seed is None else torch.Generator(device=x.device).manual_seed(checks.seed(seed))
    path = [x] if trajectory else None
    for i in range(steps):
        t = i / steps
        x = jump_step(x, posterior_of(x, t), t, 1 / steps, schedule, generator)
        if trajectory:
            path.append(x)
    return Jumps(x=x, trajectory=torch.stack(path) if trajectory else None, nfe=steps)


class PosteriorNet(nn.Module):
    """A classifier of each token's target value from all the tokens at time t: (n, D) tokens -> (n, D, V) logits.

    `tokens` D, `values` V; `masked`: the inputs may hold the mask state V. The
    tokens go in one-hot, with t beside them, through `depth` hidden layers of
    `width` GELU units (`models.mlp`). From a masked source an unmasked token
    already holds its target value, so for it the answer is certain by
    construction (its logits put all the probability on its value); the
    network answers only for masked tokens.
    """

    def __init__(self, tokens: int, values: int, masked: bool, width: int = 128, depth: int = 3):
        super().__init__()
        self.tokens, self.values = checks.whole_number(tokens, "tokens"), checks.whole_number(values, "values")
        self.masked = bool(masked)
        self.states = self.values + self.masked
        self.net = models.mlp(self.tokens * self.states + 1, width, depth, self.tokens * self.values)

    def forward(self, x: torch.Tensor, t: Union[float, torch.Tensor]) -> torch.Tensor:
        x = _states(x, self.states).reshape(len(x), self.tokens)
        weights = self.net[0].weight
        hot = F.one_hot(x, self.states).reshape(len(x), -1).to(weights)
        inputs = torch.cat([hot, models.time_column(t, hot)], dim=1)
        logits = self.net(inputs).reshape(len(x), self.tokens, self.values)
        if not self.masked:
            return logits
        known = x < self.values
        value = x.clamp(max=self.values - 1)[..., None]
        certain = torch.full_like(logits, -1e4).scatter(-1, value, 0.0)
        return torch.where(known[..., None], certain, logits)

    def probabilities(self, x: torch.Tensor, t: Union[float, torch.Tensor]) -> torch.Tensor:
        """The predicted posterior of each token's target value, (n, D, V)."""
        return self.forward(x, t).softmax(dim=-1)


def noised(x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor, schedule: Schedule = LINEAR) -> torch.Tensor:
    """Draw x_t on the mixture path: each token is x1 with probability omega_t (one t per row, (n, 1)), else x0."""
    omega = schedule.omega(t)
    return torch.where(torch.rand(x1.shape, device=x1.device) < omega, x1, x0)


def loss(
    model: PosteriorNet, x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor, schedule: Schedule = LINEAR
) -> torch.Tensor:
    """The cross-entropy of the model's posterior at x_t against the true x1, averaged over tokens and pairs."""
    logits = model(noised(x0, x1, t, schedule), t)
    return F.cross_entropy(logits.reshape(-1, model.values), x1.reshape(-1))


def train(
    model: PosteriorNet,
    source: Callable[[int], torch.Tensor],
    target: Callable[[int], torch.Tensor],
    steps: int = recipes.BOOK_2D.steps,
    batch_size: int = recipes.BOOK_2D.batch_size,
    lr: float = recipes.BOOK_2D.lr,
    seed: Optional[int] = None,
    schedule: Schedule = LINEAR,
    lr_decay: bool = recipes.BOOK_2D.lr_decay,
    progress: bool = True,
) -> list[float]:
    """Fit `model` by `loss` on pairs of fresh batches: `source(n)` and `target(n)` give tokens (n, D)."""
    if not isinstance(model, PosteriorNet):
        raise TypeError(f"model must be a PosteriorNet, got {model!r:.60}")
    seeded(seed)
    batch_size, device = checks.whole_number(batch_size, "batch_size"), device_of(model)

    def batch_loss():
        x0, x1 = _tokens(source(batch_size)).to(device), _tokens(target(batch_size)).to(device)
        return loss(model, x0, x1, torch.rand(batch_size, 1, device=device), schedule)

    return optimise(model, batch_loss, steps, lr, lr_decay, progress)


# The data sets of chapter 16, by name (a cached model is known by plain settings).
BIMODAL_VALUES = 16
GRID_BINS = 24
GRID_LIM = 3.0


def bimodal() -> torch.Tensor:
    """Chapter 2's two-bump mixture read on 16 evenly spaced values over [-3, 3]: probabilities (16,), float64."""
    from .mixtures import GaussianMixture

    mixture = GaussianMixture(weights=[0.55, 0.45], means=[-0.85, 1.5], stds=[0.65, 0.25])
    density = mixture.pdf(bin_centres(BIMODAL_VALUES)[:, None])
    return density / density.sum()


def bin_centres(bins: int, lim: float = GRID_LIM) -> torch.Tensor:
    """The centres of `bins` equal bins over [-lim, lim], float64."""
    width = 2 * lim / bins
    return -lim + width * (torch.arange(bins, dtype=torch.float64) + 0.5)


def to_grid(points: torch.Tensor, bins: int = GRID_BINS, lim: float = GRID_LIM) -> torch.Tensor:
    """Points (n, d) in [-lim, lim]^d as tokens: each coordinate's bin, 0 to bins - 1 (n, d)."""
    points = checks.points(points, "points")
    if (points.abs() > lim).any():
        raise ValueError(f"every coordinate must lie in [-{lim}, {lim}] to have a bin")
    return ((points.double() + lim) / (2 * lim) * bins).long().clamp(0, bins - 1)


def from_grid(tokens: torch.Tensor, bins: int = GRID_BINS, lim: float = GRID_LIM) -> torch.Tensor:
    """Tokens (n, d) back to points: each bin's centre, float32."""
    return bin_centres(bins, lim)[_states(tokens, bins)].float()


def token_positions(
    tokens: torch.Tensor, offsets: torch.Tensor, bins: int = GRID_BINS, lim: float = GRID_LIM
) -> torch.Tensor:
    """Where to draw grid tokens (n, 2): each point at its cell's centre plus `offsets` (n, 2), a fixed jitter within
    the cell; a masked coordinate (the state `bins`) sits in a margin one cell beyond -lim."""
    tokens = _states(tokens, bins + 1)
    width = 2 * lim / bins
    centres = torch.cat([bin_centres(bins, lim), torch.tensor([-lim - width], dtype=torch.float64)])
    return (centres[tokens] + offsets.double()).float()


def _draw_values(probabilities):
    return lambda n: torch.multinomial(probabilities.float(), n, replacement=True)[:, None]


TARGETS = {
    "bimodal": (1, BIMODAL_VALUES, lambda: _draw_values(bimodal())),
    "checkerboard": (2, GRID_BINS, lambda: lambda n: to_grid(_checkerboard(n))),
}
"""Each data set's tokens D, values V, and a maker of its sampler n -> (n, D)."""
SOURCES = ("uniform", "mask")


def _checkerboard(n):
    from .shapes import sample as shape_sample

    return shape_sample("checkerboard", n)


def source_sampler(source: str, tokens: int, values: int) -> Callable[[int], torch.Tensor]:
    """n -> (n, D) source tokens: uniform over the V values, or all masked (the state V)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(map(repr, SOURCES))}; got {source!r}")
    if source == "uniform":
        return lambda n: torch.randint(0, values, (n, tokens))
    return lambda n: torch.full((n, tokens), values)


def trained_model(
    target: str, source: str, recipe: recipes.Recipe = recipes.DISCRETE, seed: int = 0, progress: bool = True
) -> PosteriorNet:
    """A `PosteriorNet` for the data set `target` (a name of TARGETS) from `source`, trained by `train`, kept on disk.

    Like `fmlib.trained_model`: the first call trains, later calls load.
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(map(repr, TARGETS))}; got {target!r}")
    if not isinstance(recipe, recipes.Recipe):
        raise TypeError(f"recipe must be a Recipe, such as fmlib.recipes.DISCRETE; got {recipe!r}")
    if seed is None:
        raise TypeError("seed must be a whole number such as 0: the cache keeps one model per seed")
    seed = checks.seed(seed)
    tokens, values, make = TARGETS[target]
    draw_source = source_sampler(source, tokens, values)
    settings = recipe.train_settings()
    path = cache.model_path(source, f"{target}-tokens", recipe, seed, settings, modules=(sys.modules[__name__],))

    def build():
        return PosteriorNet(tokens, values, source == "mask", recipe.width, recipe.depth)

    def fit(model):
        train(model, draw_source, make(), seed=seed, progress=progress, **settings)

    return cache.kept(path, build, fit, seed, progress)


def _probabilities(p0, p1):
    p0, p1 = checks.tensor(p0, "p0").double(), checks.tensor(p1, "p1").double()
    for name, p in [("p0", p0), ("p1", p1)]:
        if p.ndim != 1 or (p < 0).any() or abs(p.sum().item() - 1) > 1e-6:
            raise ValueError(f"{name} must be probabilities of the states: non-negative, summing to 1, shape (S,)")
    if len(p0) not in (len(p1), len(p1) + 1):
        raise ValueError(
            f"p0 must have the V = {len(p1)} values of p1, or V + 1 with the mask last; got {len(p0)} states"
        )
    return p0, p1


def _time(t):
    t = checks.real_number(t, "t")
    if not 0 <= t <= 1:
        raise ValueError(f"t must be a time between 0 and 1, got {t}")
    return t


def _tokens(x):
    x = checks.tensor(x, "x")
    if x.ndim != 2 or x.is_floating_point():
        raise ValueError(f"tokens must be whole numbers of shape (n, D), got dtype {x.dtype}, shape {tuple(x.shape)}")
    return x.long()


def _states(x, states):
    x = checks.tensor(x, "x")
    if x.is_floating_point() or (x < 0).any() or (x >= states).any():
        raise ValueError(f"tokens must be whole numbers from 0 to {states - 1}, the states of this alphabet")
    return x.long()
