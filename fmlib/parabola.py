"""A test track for integrators: ride the parabola y = 4(x - 1/2)^2 from (0, 1) to (1, 1).

The velocity points along the curve and has constant speed LENGTH (the curve's
arc length), so the exact ride takes from t = 0 to t = 1 and ends at END. It
depends on x alone, so a step that drifts off the curve is never pulled back:
every integrator error shows.
"""

from __future__ import annotations

import math
from typing import Optional

import torch

from .solvers import Solution, integrate
from .warp import Times

START = (0.0, 1.0)
END = (1.0, 1.0)
# Arc length of the curve: with u = 8(x - 1/2), it is (1/8) * integral of sqrt(1 + u^2) over [-4, 4].
LENGTH = (4 * math.sqrt(17) + math.asinh(4)) / 8


def height(x: Times) -> Times:
    """The curve's height 4(x - 1/2)^2 above x (a number, an array or a tensor)."""
    return 4 * (x - 0.5) ** 2


def velocity(points: torch.Tensor, t: float) -> torch.Tensor:
    """Unit tangent of the curve above each point's x, times LENGTH.

    points: shape (n, 2).
    """
    slope = 8 * (points[:, :1] - 0.5)
    tangent = torch.cat([torch.ones_like(slope), slope], dim=1)
    return LENGTH * tangent / tangent.norm(dim=1, keepdim=True)


def ride(steps: int, method: str = "euler", warp: Optional[float] = None) -> Solution:
    """Ride from START in `steps` ODE steps, in float64: fmlib.integrate's Solution, with the trajectory."""
    return integrate(velocity, torch.tensor([START], dtype=torch.float64), steps, method, warp, trajectory=True)


def miss(solution: Solution) -> float:
    """How far the ride's end lands from END."""
    if not isinstance(solution, Solution):
        raise TypeError(f"solution must be what ride (or fmlib.integrate) returns, got {solution!r:.60}")
    return (solution.x[0] - torch.tensor(END, dtype=solution.x.dtype)).norm().item()
