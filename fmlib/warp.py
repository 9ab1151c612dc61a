"""The time warp of chapter 5: a cubic clock f(t; s) that runs from 0 to 1 at slope s halfway.

The solvers step between warped times (`fmlib.integrate(warp=s)`), and
`schedules.warped` runs the straight path on this clock.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import torch

from . import checks

Times = TypeVar("Times", float, np.ndarray, torch.Tensor)
"""A time or times: a number, a numpy array or a tensor (a function of times returns the same kind)."""


def warp_time(t: Times, s: float = 0.5) -> Times:
    """The cubic time warp f(t; s) with f(0) = 0, f(1) = 1 and slope s at t = 1/2.

    Applied to evenly spaced times, s = 1 leaves them as they are; s < 1 slows
    time down in the middle, so the steps there are short (where a flow's paths
    usually bend); s > 1 makes the steps short near t = 0 and t = 1 instead.
    `t` is a number, a numpy array or a tensor; the result has its type.
    """
    s = checks.warp_slope(s)
    return 4 * (1 - s) * t**3 + 6 * (s - 1) * t**2 + (3 - 2 * s) * t


def warp_time_derivative(t: Times, s: float = 0.5) -> Times:
    """df/dt of `warp_time`."""
    s = checks.warp_slope(s)
    return 12 * (1 - s) * t**2 + 12 * (s - 1) * t + (3 - 2 * s)
