"""Grids to evaluate things on: a 1D flow's numbers over the (t, x) plane, and the points of a 2D square.

The (t, x) grids give arrays of shape (n_t, n_x) with time down the rows, ready
for `viz.tx_heatmap` (or for arithmetic, such as the gap between two fields).
`square_points` gives the points where a 2D quantity is evaluated for
`viz.square_heatmap`.
"""

from __future__ import annotations

from typing import Union

import numpy as np
import torch

from . import checks
from .devices import device_of
from .solvers import Velocity


def square_points(lim: float, n: int = 100) -> torch.Tensor:
    """The n x n points of an evenly spaced grid over [-lim, lim]^2: shape (n * n, 2), row by row from y = -lim.

    A quantity computed at these points, (n * n,), is drawn by `viz.square_heatmap`.
    """
    lim, n = checks.positive_number(lim, "lim"), checks.whole_number(n, "n", minimum=2)
    axis = torch.linspace(-lim, lim, n)
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)


@torch.no_grad()
def field_on_grid(velocity: Velocity, x_range: tuple[float, float], n_t: int = 101, n_x: int = 200) -> torch.Tensor:
    """A 1D velocity field evaluated on a (t, x) grid: values of shape (n_t, n_x), on the CPU."""
    x_range = checks.interval(x_range, "x_range")
    n_t, n_x = checks.whole_number(n_t, "n_t"), checks.whole_number(n_x, "n_x")
    ts = torch.linspace(0, 1, n_t)
    xs = torch.linspace(*x_range, n_x)
    device = device_of(velocity)
    rows = [velocity(xs[:, None].to(device), torch.full((n_x, 1), float(t), device=device))[:, 0] for t in ts]
    return torch.stack(rows).cpu()


def histogram_over_time(
    paths: Union[torch.Tensor, np.ndarray], x_range: tuple[float, float], bins: int = 200
) -> torch.Tensor:
    """The density of 1D `paths` (n_t, n) at each time, as a histogram of shape (n_t, bins).

    `paths` is a tensor or an array; each row is the n positions at one time.
    """
    paths = torch.as_tensor(
        paths.detach().cpu().numpy() if torch.is_tensor(paths) else np.asarray(paths), dtype=torch.float64
    )
    if paths.ndim != 2 or paths.shape[1] == 0:
        raise ValueError(
            f"paths must hold n positions at each time, shape (n_t, n) with n > 0, got shape {tuple(paths.shape)}"
        )
    checks.finite(paths, "paths")
    x_range, bins = checks.interval(x_range, "x_range"), checks.whole_number(bins, "bins")
    width = (x_range[1] - x_range[0]) / bins
    counts = torch.stack([torch.histc(row, bins=bins, min=x_range[0], max=x_range[1]) for row in paths])
    return counts / (paths.shape[1] * width)
