"""What the figure modules share: their arguments as checked arrays, and square axes for 2D pictures."""

from __future__ import annotations

import numpy as np
import torch


def _numpy(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _finite(array, name):
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values, which cannot be drawn: remove or replace them first")
    return array


def _points(points, name):
    """`points` as an array of shape (n, 2): at least one point, all finite."""
    p = _numpy(points)
    if p.ndim != 2 or p.shape[1] != 2:
        raise ValueError(f"{name} must be 2D points of shape (n, 2), got shape {p.shape}")
    if len(p) == 0:
        raise ValueError(f"{name} is empty: there is no point to draw")
    return _finite(p, name)


def _trajectory(trajectory, name="trajectory"):
    """`trajectory` as an array of shape (steps + 1, n, 2): where a cloud is at each step, all finite."""
    path = _numpy(trajectory)
    if path.ndim != 3 or path.shape[2] != 2 or 0 in path.shape:
        raise ValueError(
            f"{name} must be a 2D cloud at every step, shape (steps + 1, n, 2) as integrate(..., trajectory=True) "
            f"gives; got shape {path.shape}"
        )
    return _finite(path, name)


def _same_length(times, name, steps, what):
    times = _numpy(times)
    if times.shape != (steps,):
        raise ValueError(f"{name} must hold one time per {what}: {steps} of them, got shape {times.shape}")
    return times


def _square_axes(ax, lim, title=None):
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    # Three short tick labels, -a, 0 and a (-3, 0, 3 rather than -4, -2, 0, 2, 4
    # or -2.5, 0.0, 2.5), so that they do not run into each other on the small
    # panels of a row.
    ticks = _symmetric_ticks(lim)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title:
        ax.set_title(title)


def _symmetric_ticks(lim):
    """[-a, 0, a], a the largest of 1, 2, 3, 4 or 5 times a power of ten that lies within 0.9 lim."""
    scale = 10 ** np.floor(np.log10(0.9 * lim))
    a = max(m * scale for m in (1, 2, 3, 4, 5) if m * scale <= 0.9 * lim)
    return [-a, 0, a]


def _limit(*clouds, margin=1.08):
    return margin * max(float(np.abs(_numpy(c)).max()) for c in clouds)
