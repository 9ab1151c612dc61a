"""Probability paths: where a pair (x0, x1) is at time t, and how fast it moves there.

The linear (rectified-flow) path moves each pair along a straight line at
constant speed:

    x_t = (1 - t) x0 + t x1,        d x_t / dt = x1 - x0.
"""

from __future__ import annotations

from typing import Union

import torch


def interpolate(x0: torch.Tensor, x1: torch.Tensor, t: Union[float, torch.Tensor]) -> torch.Tensor:
    """The point a fraction `t` of the way from `x0` to `x1`. Shapes: x0, x1 (n, d); t (n, 1) or scalar."""
    return (1 - t) * x0 + t * x1


def conditional_velocity(x0: torch.Tensor, x1: torch.Tensor) -> torch.Tensor:
    """The constant velocity of the straight path from `x0` to `x1`: shape (n, d)."""
    return x1 - x0
