"""Moving points along a velocity field: step functions and the integrator.

A velocity is anything called as `velocity(x, t) -> v` with x of shape (n, d)
and t a number: a trained `VelocityNet` or a plain function. Here `steps`
always counts ODE steps from t = 0 to t = 1 (not training iterations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import torch

from . import checks
from .devices import device_of
from .warp import warp_time

Velocity = Callable[[torch.Tensor, float], torch.Tensor]
"""`velocity(x, t) -> v`: x and v of shape (n, d), t a number."""


def euler_step(velocity: Velocity, x: torch.Tensor, t: float, dt: float) -> torch.Tensor:
    """Move with the velocity at the start of the step. Error per unit time: O(dt)."""
    return x + dt * velocity(x, t)


def midpoint_step(velocity: Velocity, x: torch.Tensor, t: float, dt: float) -> torch.Tensor:
    """Take half a step, then use the velocity found there for the whole step. O(dt^2)."""
    x_half = x + (dt / 2) * velocity(x, t)
    return x + dt * velocity(x_half, t + dt / 2)


def rk4_step(velocity: Velocity, x: torch.Tensor, t: float, dt: float) -> torch.Tensor:
    """The classical Runge-Kutta step: a weighted average of four velocities. O(dt^4)."""
    k1 = velocity(x, t)
    k2 = velocity(x + (dt / 2) * k1, t + dt / 2)
    k3 = velocity(x + (dt / 2) * k2, t + dt / 2)
    k4 = velocity(x + dt * k3, t + dt)
    return x + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4)


STEPPERS = {"euler": euler_step, "midpoint": midpoint_step, "rk4": rk4_step}


def backwards(velocity: Velocity) -> Velocity:
    """The field whose flow is `velocity`'s run backwards in time, -v(x, 1 - t): integrated from t = 0 to 1, it
    carries points from where `velocity`'s flow ends to where it starts."""
    return lambda x, t: -velocity(x, 1 - t)


@dataclass
class Solution:
    """What `integrate` returns.

    x: the points at t = 1, (n, d). trajectory: every step's points, (steps + 1, n, d),
    or None when not asked for. times: the times of those steps, (steps + 1,).
    nfe: how many times the velocity was evaluated (the cost of sampling).
    """

    x: torch.Tensor
    trajectory: Optional[torch.Tensor]
    times: torch.Tensor
    nfe: int


class _CountedVelocity:
    """Wraps a velocity and counts its evaluations."""

    def __init__(self, velocity):
        self.velocity, self.calls = velocity, 0

    def __call__(self, x, t):
        self.calls += 1
        v = self.velocity(x, t)
        if not isinstance(v, torch.Tensor) or v.shape != x.shape:
            raise (ValueError if isinstance(v, torch.Tensor) else TypeError)(
                f"the velocity must return a tensor of the points' shape {tuple(x.shape)}, got "
                + (f"shape {tuple(v.shape)}" if isinstance(v, torch.Tensor) else type(v).__name__)
            )
        return v


def integrate(
    velocity: Velocity,
    x0: torch.Tensor,
    steps: int = 100,
    method: str = "rk4",
    warp: Optional[float] = None,
    trajectory: bool = False,
    keep_graph: bool = False,
) -> Solution:
    """Carry the points `x0` (n, d) from t = 0 to t = 1 along `velocity` in `steps` ODE steps.

    `method` is one of STEPPERS; `warp` is a slope s for `warp_time` (None: evenly
    spaced times). The points move to the model's device (a plain function gets
    them where they are); the results are on it. Autograd records nothing unless
    `keep_graph` is True: then the points at t = 1 carry the gradient of every
    step with respect to the model's weights (for a loss that needs the solve).
    """
    if keep_graph not in (True, False):
        raise TypeError(f"keep_graph must be True or False, got {keep_graph!r}")
    with torch.set_grad_enabled(keep_graph):
        return _integrate(velocity, x0, steps, method, warp, trajectory)


def _integrate(velocity, x0, steps, method, warp, trajectory):
    if not callable(velocity):
        raise TypeError(f"velocity must be a model or a function velocity(x, t), got {velocity!r}")
    if not isinstance(method, str) or method not in STEPPERS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(STEPPERS)}")
    steps = checks.whole_number(steps, "steps")
    times = torch.linspace(0, 1, steps + 1, dtype=torch.float64)
    if warp is not None:
        times = warp_time(times, checks.warp_slope(warp, "warp"))
    x0 = checks.points(x0, "x0", allow_empty=True)
    counted = _CountedVelocity(velocity)
    step = STEPPERS[method]
    x = x0.to(device_of(velocity, default=x0.device))
    path = [x] if trajectory else None
    for t0, t1 in zip(times[:-1].tolist(), times[1:].tolist()):
        x = step(counted, x, t0, t1 - t0)
        if trajectory:
            path.append(x)
    if x.is_floating_point() and not torch.isfinite(x).all():
        raise FloatingPointError(
            "the points became NaN or infinite on their way to t = 1: the velocity gave NaN or infinite values "
            "(a model whose training ran away, or a field too steep for these steps: try more steps)"
        )
    return Solution(x=x, trajectory=torch.stack(path) if trajectory else None, times=times.float(), nfe=counted.calls)
