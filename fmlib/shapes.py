"""2D point clouds to flow between, by name.

The first six follow the scales of Hawley's "Flow With What You Know"
(everything fits in roughly [-3, 3]^2, so any two can be paired); the last
three are the usual toy densities of the flow-matching literature.

    >>> x = sample("spiral", 1000, seed=0)   # tensor of shape (1000, 2)
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Union

import numpy as np
import torch

from . import checks


def _gaussian(n, g):
    return torch.randn(n, 2, generator=g)


def _square(n, g):
    return (2 * torch.rand(n, 2, generator=g) - 1) * 3.0


def _spiral(n, g):
    # Three turns; the radius grows by one unit per turn.
    theta = 6 * math.pi * torch.rand(n, generator=g)
    radius = theta / (2 * math.pi)
    curve = torch.stack([radius * torch.cos(theta), radius * torch.sin(theta)], dim=1)
    return curve + 0.1 * torch.randn(n, 2, generator=g)


def _inside_heart(p):
    x, y = p[:, 0], p[:, 1]
    return x**2 + (1.25 * (y + 0.25) - x.abs().sqrt()) ** 2 <= 1


def _heart(n, g):
    # Rejection sampling from the unit square, then scaled by 3.
    accepted = torch.empty(0, 2)
    while len(accepted) < n:
        candidates = 2 * torch.rand(2 * n, 2, generator=g) - 1
        accepted = torch.cat([accepted, candidates[_inside_heart(candidates)]])
    return 3.0 * accepted[:n]


def _two_gaussians(n, g):
    label = torch.randint(0, 2, (n,), generator=g)
    offset = torch.stack([2.5 * (2 * label - 1), torch.zeros(n)], dim=1)
    return torch.randn(n, 2, generator=g) + offset, label


def _smiley(n, g):
    # Each point is an eye (left or right) or part of the smile, with equal odds.
    part = torch.randint(0, 3, (n,), generator=g)
    eye_centres = torch.tensor([[-1.0, 0.9], [1.0, 0.9]])
    eyes = eye_centres[part.clamp(max=1)] + 0.2 * torch.randn(n, 2, generator=g)
    angle = -math.pi / 6 - (2 * math.pi / 3) * torch.rand(n, generator=g)
    radius = 1.5 + 0.625 * torch.rand(n, generator=g)
    smile = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    return torch.where((part == 2)[:, None], smile, eyes), part


def _moons(n, g):
    upper = torch.rand(n, generator=g) < 0.5
    angle = math.pi * torch.rand(n, generator=g)
    arc = torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    # The lower moon is the upper one turned over and shifted right and down.
    lower = torch.stack([1 - arc[:, 0], 0.5 - arc[:, 1]], dim=1)
    points = torch.where(upper[:, None], arc, lower) - torch.tensor([0.5, 0.25])
    return 2.0 * points + 0.1 * torch.randn(n, 2, generator=g), (~upper).long()


def _eight_gaussians(n, g):
    label = torch.randint(0, 8, (n,), generator=g)
    angle = (math.pi / 4) * label
    centres = 2.5 * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    return centres + 0.25 * torch.randn(n, 2, generator=g), label


def _checkerboard(n, g):
    # A 4 x 4 board of 1.5-wide cells over [-3, 3]^2; points fill the 8 cells
    # whose row and column indices have an even sum.
    column = torch.randint(0, 4, (n,), generator=g)
    row = 2 * torch.randint(0, 2, (n,), generator=g) + column % 2
    corner = torch.stack([column, row], dim=1) * 1.5 - 3.0
    return corner + 1.5 * torch.rand(n, 2, generator=g)


_SAMPLERS = {
    "gaussian": _gaussian,
    "square": _square,
    "heart": _heart,
    "spiral": _spiral,
    "two_gaussians": _two_gaussians,
    "smiley": _smiley,
    "moons": _moons,
    "eight_gaussians": _eight_gaussians,
    "checkerboard": _checkerboard,
}

SHAPES = tuple(_SAMPLERS)
"""The names `sample` accepts."""

CLASSES = {"two_gaussians": 2, "smiley": 3, "moons": 2, "eight_gaussians": 8}
"""The shapes made of distinct parts, with their number of classes (for `sample_labelled`)."""


Data = Union[str, torch.Tensor, Callable[[int], torch.Tensor]]
"""Where points come from: a shape name, a tensor of samples (n, dim) or a callable `n -> tensor`."""


def sample(name: str, n: int, seed: Optional[int] = None) -> torch.Tensor:
    """Draw `n` points of the 2D shape `name`: a float tensor of shape (n, 2) on the CPU.

    The same `seed` gives the same points; `seed=None` draws from torch's global
    generator (so `torch.manual_seed` makes a whole notebook reproducible).
    """
    return _draw(name, n, seed)[0]


def sample_labelled(name: str, n: int, seed: Optional[int] = None) -> tuple[torch.Tensor, torch.Tensor]:
    """`sample`'s points together with the part each belongs to: (points (n, 2), labels (n,)).

    Labels run from 0 to CLASSES[name] - 1: the Gaussian of eight_gaussians
    (counter-clockwise from the positive x axis), the side of two_gaussians
    (0 left, 1 right), the moon (0 upper, 1 lower), the smiley's part (left eye,
    right eye, smile). The same seed gives the same points as `sample`.
    """
    if not isinstance(name, str) or name not in CLASSES:
        raise ValueError(f"{name!r} has no classes; choose one of {', '.join(CLASSES)}")
    return _draw(name, n, seed)


def _draw(name, n, seed):
    """(points, labels or None) of shape `name`, after checking the arguments."""
    if not isinstance(name, str) or name not in _SAMPLERS:
        raise ValueError(f"unknown shape {name!r}; choose one of {', '.join(SHAPES)}")
    n = checks.whole_number(n, "n (the number of points)")
    seed = checks.seed(seed)
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    drawn = _SAMPLERS[name](n, generator)
    return drawn if isinstance(drawn, tuple) else (drawn, None)


def as_sampler(data: Data, name: str = "data") -> Callable[[int], torch.Tensor]:
    """Turn a shape name, a tensor of samples or a callable `n -> tensor` into a callable `n -> tensor`.

    A tensor (or numpy array) of samples is resampled with replacement, so every
    call gives a fresh batch. A callable's batches are checked: a tensor of n rows.
    `name` is what error messages call `data` (such as "source").
    """
    if isinstance(data, str):
        if data not in _SAMPLERS:  # fail now, not at the first training step
            raise ValueError(f"unknown shape {data!r} for {name}; choose one of {', '.join(SHAPES)}")
        return lambda n: sample(data, n)
    if isinstance(data, np.ndarray):
        data = torch.as_tensor(data)
    if isinstance(data, torch.Tensor):
        if data.ndim != 2:
            raise ValueError(
                f"{name} must be samples of shape (n, dim), one row per point; got shape {tuple(data.shape)}"
            )
        checks.points(data, name)
        return lambda n: data[torch.randint(len(data), (n,), device=data.device)]
    if callable(data):
        return lambda n: _checked_batch(data(n), n, name)
    raise TypeError(
        f"{name} must be a shape name ({', '.join(SHAPES)}), a tensor of samples or a function n -> tensor; "
        f"got {type(data).__name__}"
    )


def _checked_batch(batch, n, name):
    if not isinstance(batch, torch.Tensor):
        raise TypeError(f"{name}(n) must return a tensor of shape (n, dim), got {type(batch).__name__}")
    if batch.ndim != 2 or len(batch) != n:
        raise ValueError(
            f"{name}(n) must return n rows of points, shape (n, dim); asked for {n} rows, it gave shape "
            f"{tuple(batch.shape)}"
        )
    return batch
