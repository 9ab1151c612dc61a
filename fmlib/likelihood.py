"""The density a flow assigns: log p_1(x), by carrying x and its log-density back to the source.

Along a path of the flow dx/dt = v(x, t) the log-density of the moving point
changes at the rate minus the divergence of the field (the continuity equation,
followed along the path):

    d/dt log p_t(x_t) = -div v(x_t, t),   so   log p_1(x_1) = log p_0(x_0) - int_0^1 div v(x_t, t) dt.

`log_likelihood` integrates the point and the integral of the divergence
together, backwards from t = 1 (the given points) to t = 0, where the source's
log-density is known: `fmlib.integrate` carries them, through the reversed field
(`fmlib.solvers.backwards`). The divergence
is computed exactly by autograd (one backward pass per dimension) or estimated
by Hutchinson's trick, E[e^T J e] = trace J for random probes e with
E[e e^T] = I (one backward pass per probe, whatever the dimension).

    >>> result = log_likelihood(model, x, steps=20)          # x: (n, d) points at t = 1
    >>> result.log_prob                                      # (n,): log p_1(x) in nats

The results are detached from autograd's graph: they are for evaluating a model
(held-out likelihoods, density maps, outliers). With `keep_graph=True` they are
not, and -log_prob.mean() is a training loss whose gradient runs back through
every step of the solve (`fmlib.max_likelihood`, the way continuous normalizing
flows were trained before flow matching).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import torch

from . import checks
from .devices import device_of
from .solvers import STEPPERS, Velocity, backwards, integrate

DIVERGENCES = ("exact", "hutchinson")
"""How `log_likelihood` finds the divergence: by autograd, exactly, or by Hutchinson's estimator."""
PROBES = ("rademacher", "gaussian")
"""The random probes of Hutchinson's estimator: random signs (+1 or -1), or standard normal numbers."""

LogProb = Callable[[torch.Tensor], torch.Tensor]
"""`log_prob(x) -> (n,)`: a log-density at points x of shape (n, d)."""


def standard_normal_log_prob(x: torch.Tensor) -> torch.Tensor:
    """log N(x; 0, I) for points x of shape (n, d): shape (n,). The book's source."""
    return -0.5 * (x**2).sum(dim=1) - 0.5 * x.shape[1] * math.log(2 * math.pi)


def draw_probes(shape: tuple, kind: str = "rademacher", seed: Optional[int] = None) -> torch.Tensor:
    """Random probes e of `shape` with E[e e^T] = I, in float64 on the CPU.

    `kind` "rademacher": random signs, +1 or -1 with equal odds; "gaussian":
    standard normal numbers. The same `seed` gives the same probes.
    """
    if not isinstance(kind, str) or kind not in PROBES:
        raise ValueError(f"unknown probe {kind!r}; choose one of {', '.join(PROBES)}")
    seed = checks.seed(seed)
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    if kind == "gaussian":
        return torch.randn(shape, generator=generator, dtype=torch.float64)
    return (2 * torch.randint(0, 2, shape, generator=generator) - 1).double()


def velocity_and_divergence(
    velocity: Velocity, x: torch.Tensor, t: float, probes: Optional[torch.Tensor] = None, keep_graph: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """The velocity at x and its divergence div v = trace of the Jacobian dv/dx: (v (n, d), div (n,)).

    Without `probes`, exactly: row i of the Jacobian is the gradient of v_i, one
    backward pass per dimension. With `probes` of shape (k, n, d), Hutchinson's
    estimate: the mean over the k probes e of e^T J e, one backward pass (a
    vector-Jacobian product e^T J) per probe. The probes move to x's device.
    Each point's velocity must depend on that point alone, as a network's or a
    mixture's does. Both results are detached (no gradient flows through them)
    unless `keep_graph`: then they stay on autograd's graph, and so does x when
    it is on it (a point computed from a network's weights), so a loss built on
    them has a gradient with respect to the weights.
    """
    with torch.enable_grad():
        if not (keep_graph and x.requires_grad):
            x = x.detach().requires_grad_(True)
        v = velocity(x, t)
        if not isinstance(v, torch.Tensor) or v.shape != x.shape:
            raise ValueError(
                f"the velocity must return a tensor of the points' shape {tuple(x.shape)}, got "
                + (f"shape {tuple(v.shape)}" if isinstance(v, torch.Tensor) else type(v).__name__)
            )
        if probes is None:
            rows = range(x.shape[1])
            div = sum(
                torch.autograd.grad(v[:, i].sum(), x, retain_graph=True, create_graph=keep_graph)[0][:, i] for i in rows
            )
        else:
            div = 0
            for e in probes.to(device=v.device, dtype=v.dtype):
                (e_jacobian,) = torch.autograd.grad(v, x, grad_outputs=e, retain_graph=True, create_graph=keep_graph)
                div = div + (e_jacobian * e).sum(dim=1)
            div = div / len(probes)
    if keep_graph:
        return v, div.to(x.dtype)
    return v.detach(), div.detach().to(x.dtype)


@dataclass
class Likelihood:
    """What `log_likelihood` returns.

    log_prob: log p_1(x) in nats, (n,). x0: where the flow's paths through x
    start, (n, d). source_log_prob: log p_0(x0), (n,). divergence_integral: the
    integral of div v along each path from t = 0 to 1, (n,), so that
    log_prob = source_log_prob - divergence_integral. nfe: velocity evaluations.
    """

    log_prob: torch.Tensor
    x0: torch.Tensor
    source_log_prob: torch.Tensor
    divergence_integral: torch.Tensor
    nfe: int


def log_likelihood(
    velocity: Velocity,
    x: torch.Tensor,
    source_log_prob: Optional[LogProb] = None,
    steps: int = 20,
    method: str = "rk4",
    divergence: str = "exact",
    probes: Optional[int] = None,
    probe: str = "rademacher",
    seed: Optional[int] = None,
    keep_graph: bool = False,
) -> Likelihood:
    """log p_1(x) of the flow of `velocity` from the source (N(0, I) unless `source_log_prob` is given).

    x: points (n, d) at t = 1. They and their log-density are carried back to
    t = 0 in `steps` ODE steps of `method` (one of fmlib.solvers.STEPPERS).
    `divergence` is "exact" (autograd, d backward passes per evaluation) or
    "hutchinson" (`probes` backward passes, 1 unless told, with probes of the
    kind `probe`, drawn once per point for the whole path from `seed`). The
    points move to the model's device, and the results are on it, detached from
    autograd's graph: for evaluation. With `keep_graph=True` every step stays on
    the graph, so that `log_prob` can be maximised by gradient descent on the
    model's weights (at the memory cost of every step's intermediate values).
    """
    if not callable(velocity):
        raise TypeError(f"velocity must be a model or a function velocity(x, t), got {velocity!r}")
    if not isinstance(method, str) or method not in STEPPERS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(STEPPERS)}")
    if not isinstance(divergence, str) or divergence not in DIVERGENCES:
        raise ValueError(f"unknown divergence {divergence!r}; choose one of {', '.join(DIVERGENCES)}")
    if not isinstance(probe, str) or probe not in PROBES:
        raise ValueError(f"unknown probe {probe!r}; choose one of {', '.join(PROBES)}")
    if keep_graph not in (True, False):
        raise TypeError(f"keep_graph must be True or False, got {keep_graph!r}")
    if divergence == "exact" and probes is not None:
        raise ValueError('probes counts the random probes of divergence="hutchinson"; the exact divergence has none')
    if source_log_prob is None:
        source_log_prob = standard_normal_log_prob
    elif not callable(source_log_prob):
        raise TypeError(f"source_log_prob must be a function log_prob(x) -> (n,), got {source_log_prob!r:.60}")
    steps = checks.whole_number(steps, "steps")
    x = checks.points(x, "x")
    if not x.is_floating_point():
        x = x.float()
    x = x.to(device_of(velocity, default=x.device))
    n, d = x.shape
    vectors = None
    if divergence == "hutchinson":
        count = checks.whole_number(1 if probes is None else probes, "probes")
        vectors = draw_probes((count, n, d), probe, seed).to(x)

    def augmented(state, t):
        # The point moves with v; the last column gathers the divergence.
        v, div = velocity_and_divergence(velocity, state[:, :d], t, vectors, keep_graph)
        return torch.cat([v.to(state.dtype), div.to(state.dtype)[:, None]], dim=1)

    # From t = 1 back to t = 0: forwards through the reversed field, whose last
    # column then gathers -int_0^1 div v dt.
    start = torch.cat([x, x.new_zeros(n, 1)], dim=1)
    solution = integrate(backwards(augmented), start, steps, method, keep_graph=keep_graph)
    x0, integral = solution.x[:, :d], -solution.x[:, d]
    with torch.set_grad_enabled(keep_graph):
        start = source_log_prob(x0)
    if not isinstance(start, torch.Tensor) or start.shape != (n,):
        raise ValueError(
            f"source_log_prob must return one log-density per point, shape ({n},), got "
            + (f"shape {tuple(start.shape)}" if isinstance(start, torch.Tensor) else type(start).__name__)
        )
    start = start.to(solution.x.dtype)
    return Likelihood(start - integral, x0, start, integral, solution.nfe)
