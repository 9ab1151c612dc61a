"""The chain of discrete flow matching: the mixture path, its posterior and rates, and the jump sampler.

See `fmlib.discrete` for the idea; here are its exact pieces, for one token
(`posterior`, `marginal_rates`) or two (`pair_posterior`), and the Euler jump
step that samples with any posterior, exact or learned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Union

import torch
import torch.nn.functional as F

from .. import checks

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
