"""Images of a quantity on a grid: over the (t, x) plane of a 1D flow, or over the square of a 2D one."""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.image import AxesImage

from .. import checks
from ..grids import field_on_grid
from ..solvers import Velocity
from ._shared import _finite, _numpy, _square_axes
from .style import DENSITY_CMAP, VELOCITY_CMAP


def _image(ax, grid, extent, cmap, vmin, vmax, colourbar, aspect=None) -> AxesImage:
    """`grid` drawn pixel by pixel over `extent`, row 0 at the bottom.

    `colourbar`: the colour bar's settings, or None for no colour bar.
    """
    image = ax.imshow(
        grid, origin="lower", aspect=aspect, cmap=cmap, vmin=vmin, vmax=vmax, extent=extent, interpolation="nearest"
    )
    if colourbar is not None:
        ax.figure.colorbar(image, ax=ax, **colourbar)
    return image


def tx_heatmap(
    ax: Axes,
    values: torch.Tensor,
    x_range: tuple[float, float],
    cmap: str = DENSITY_CMAP,
    label: str = "density",
    vmin: Optional[float] = None,
    vmax: Optional[float] = None,
    colorbar: bool = True,
) -> AxesImage:
    """An image of `values` (n_t, n_x) over t in [0, 1] (across) and x in `x_range` (up)."""
    values = _numpy(values)
    if values.ndim != 2:
        raise ValueError(f"values must be a grid over (t, x) of shape (n_t, n_x), got shape {values.shape}")
    checks.interval(x_range, "x_range")
    colourbar = {"label": label, "pad": 0.02} if colorbar else None
    image = _image(ax, values.T, [0, 1, *x_range], cmap, vmin, vmax, colourbar, aspect="auto")
    ax.set_xlabel("time t")
    ax.set_ylabel("position x")
    return image


def square_heatmap(
    ax: Axes,
    values: torch.Tensor,
    lim: float,
    title: Optional[str] = None,
    label: str = "log-density",
    cmap: str = DENSITY_CMAP,
    vmin: Optional[float] = None,
    vmax: Optional[float] = None,
    colorbar: bool = True,
) -> AxesImage:
    """An image over the square [-lim, lim]^2 of `values` computed at `grids.square_points(lim, n)`: (n * n,)."""
    values = _finite(_numpy(values).ravel(), "values")
    n = int(round(np.sqrt(len(values))))
    if n < 2 or n * n != len(values):
        raise ValueError(
            f"values must hold one number per point of grids.square_points(lim, n), n * n of them; got {len(values)}"
        )
    colourbar = {"label": label, "shrink": 0.8} if colorbar else None
    image = _image(ax, values.reshape(n, n), [-lim, lim, -lim, lim], cmap, vmin, vmax, colourbar)
    _square_axes(ax, lim, title)
    return image


def velocity_heatmap(
    ax: Axes,
    velocity: Velocity,
    x_range: tuple[float, float] = (-3, 3),
    vmax: float = 4.0,
    title: Optional[str] = None,
    colorbar: bool = True,
) -> Axes:
    """A 1D velocity field over (t, x): red where points move up, blue where they move down."""
    tx_heatmap(
        ax,
        field_on_grid(velocity, x_range),
        x_range,
        cmap=VELOCITY_CMAP,
        label="velocity",
        vmin=-vmax,
        vmax=vmax,
        colorbar=colorbar,
    )
    if title:
        ax.set_title(title)
    return ax
