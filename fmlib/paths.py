"""The straight path of rectified flow: where a pair (x0, x1) is at time t, and how fast it moves there.

Each pair moves along a straight line at constant speed:

    x_t = (1 - t) x0 + t x1,        d x_t / dt = x1 - x0.

This is `schedules.STRAIGHT` (alpha_t = t, sigma_t = 1 - t), one of the affine
paths of chapter 9; here are its two functions by the names the chapters use.
"""

from __future__ import annotations

import torch

from .schedules import STRAIGHT, Time


def interpolate(x0: torch.Tensor, x1: torch.Tensor, t: Time) -> torch.Tensor:
    """The point a fraction `t` of the way from `x0` to `x1`. Shapes: x0, x1 (n, d); t (n, 1) or scalar."""
    return STRAIGHT.interpolate(x0, x1, t)


def conditional_velocity(x0: torch.Tensor, x1: torch.Tensor) -> torch.Tensor:
    """The constant velocity of the straight path from `x0` to `x1`: shape (n, d)."""
    return STRAIGHT.conditional_velocity(x0, x1, 0.0)  # the same at every t
