"""Checks of the arguments readers pass: each gives the value back in a usable form, or a clear error.

A message names the argument, says what was wrong with it, and how to put it
right. Counts accept any whole number (a Python int, numpy's int64, a 0-d
tensor, 100.0); points accept a tensor, a numpy array or a list.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Optional

import numpy as np
import torch


def _number(value):
    """A plain Python number from a number of any kind (0-d tensors and arrays included), or None."""
    if isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return value


def whole_number(value, name: str, minimum: Optional[int] = 1) -> int:
    """`value` as an int, if it is a whole number of at least `minimum` (None: any)."""
    wanted = (
        "a positive integer"
        if minimum == 1
        else "an integer"
        if minimum is None
        else f"an integer of at least {minimum}"
    )
    number = _number(value)
    if number is None:
        raise TypeError(f"{name} must be {wanted}, got {value!r}")
    if not isinstance(number, numbers.Integral):
        if not float(number).is_integer():
            raise ValueError(f"{name} must be {wanted} (a whole number), got {value!r}")
        number = int(number)
    number = operator.index(number)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be {wanted}, got {number}")
    return number


def seed(value, name: str = "seed") -> Optional[int]:
    """A seed for torch's generators (None: leave the generator as it is)."""
    if value is None:
        return None
    number = _number(value)
    if number is None or not float(number).is_integer():
        raise TypeError(f"{name} must be a whole number such as 0 (or None), got {value!r}")
    return int(number)


def real_number(value, name: str) -> float:
    """`value` as a float, if it is a finite real number."""
    number = _number(value)
    if number is None:
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(number)


def positive_number(value, name: str) -> float:
    """`value` as a float, if it is a finite number above 0."""
    number = real_number(value, name)
    if number <= 0:
        raise ValueError(f"{name} must be above 0, got {value!r}")
    return number


def fraction(value, name: str) -> float:
    """`value` as a float, if it lies in [0, 1]."""
    number = real_number(value, name)
    if not 0 <= number <= 1:
        raise ValueError(f"{name} must lie between 0 and 1, got {value!r}")
    return number


def warp_slope(value, name: str = "s") -> float:
    """The slope of the cubic time warp as a float, if it lies in [0, 1.5] (outside, the warp is not monotone)."""
    slope = real_number(value, f"{name} (the slope of the time warp)")
    if not 0 <= slope <= 1.5:
        raise ValueError(
            f"{name} (the slope of the time warp) must lie in [0, 1.5]: outside it the warp is not monotone; "
            f"got {value!r}"
        )
    return slope


def interval(value, name: str) -> tuple[float, float]:
    """A range (low, high) of two finite numbers with low < high."""
    try:
        low, high = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), such as (-3, 3); got {value!r}") from None
    low, high = real_number(low, f"the start of {name}"), real_number(high, f"the end of {name}")
    if not low < high:
        raise ValueError(f"{name} must run from a lower to a higher number, such as (-3, 3); got {value!r}")
    return low, high


def tensor(value, name: str) -> torch.Tensor:
    """`value` as a tensor: a tensor is returned as it is; a numpy array or a list of numbers is converted."""
    if isinstance(value, torch.Tensor):
        return value
    try:
        return torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"{name} must be a tensor (or an array of numbers), got {type(value).__name__}") from None


def points(value, name: str, dim: Optional[int] = None, allow_empty: bool = False) -> torch.Tensor:
    """`value` as a tensor of points of shape (n, d), with d = `dim` when given, all of them finite."""
    x = tensor(value, name)
    wanted = f"(n, {dim})" if dim is not None else "(n, d)"
    if x.ndim != 2 or (dim is not None and x.shape[1] != dim):
        raise ValueError(f"{name} must be points of shape {wanted} (one row per point), got shape {tuple(x.shape)}")
    if len(x) == 0 and not allow_empty:
        raise ValueError(f"{name} is empty: it needs at least one point")
    finite(x, name)
    return x


def finite(x: torch.Tensor, name: str) -> torch.Tensor:
    """`x`, if none of its values is NaN or infinite."""
    if x.is_floating_point() and not torch.isfinite(x).all():
        raise ValueError(
            f"{name} contains NaN or infinite values ({int((~torch.isfinite(x)).sum())} of {x.numel()}): "
            "remove or replace them first"
        )
    return x
