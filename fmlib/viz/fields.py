"""2D velocity fields as streamlines, still and as an animation's frame, and the three views of one flow."""

from __future__ import annotations

from typing import Optional

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import checks
from ..devices import device_of
from ..solvers import Velocity
from ._shared import _limit, _numpy, _points, _square_axes
from .clouds import pairing_lines, trajectories
from .style import SPEED_CMAP

# How closely streamlines are packed (matplotlib's streamplot density): a still
# figure's, and an animation frame's. Each frame draws its streamlines anew, the
# slowest part of a field animation; the sparser packing draws about a sixth less
# and still shows the field's shape.
STREAMLINE_DENSITY = 1.1
FRAME_STREAMLINE_DENSITY = 0.9
FRAME_GRID = 30  # points per side where an animation frame evaluates its field


@torch.no_grad()
def _field_on_square(velocity: Velocity, t: float, lim: float, grid: int):
    """(axis, v, speed): `velocity` at time t on a grid x grid square of half-width `lim`."""
    axis = torch.linspace(-lim, lim, grid)
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1).to(device_of(velocity))
    v = velocity(points, t)
    if not isinstance(v, torch.Tensor) or v.shape != points.shape:
        raise ValueError(
            f"velocity must give a 2D velocity per point, shape {tuple(points.shape)} here, got "
            + (f"shape {tuple(v.shape)}" if isinstance(v, torch.Tensor) else type(v).__name__)
        )
    v = _numpy(v).reshape(grid, grid, 2)
    return _numpy(axis), v, np.hypot(v[..., 0], v[..., 1])


def vector_field(
    ax: Axes,
    velocity: Velocity,
    t: float = 0.0,
    lim: float = 3.5,
    grid: int = 40,
    title: Optional[str] = None,
    colorbar: bool = True,
    norm: Optional[mpl.colors.Normalize] = None,
    density: float = STREAMLINE_DENSITY,
) -> Axes:
    """Streamlines of `velocity(x, t)` at one time t, coloured by speed (on the scale `norm`, if given).

    `density` sets how closely the streamlines are packed (matplotlib's streamplot density).
    """
    checks.positive_number(lim, "lim"), checks.whole_number(grid, "grid", minimum=2)
    checks.positive_number(density, "density")
    axis, v, speed = _field_on_square(velocity, t, lim, grid)
    stream = ax.streamplot(
        axis,
        axis,
        v[..., 0],
        v[..., 1],
        color=speed,
        cmap=SPEED_CMAP,
        norm=norm,
        density=density,
        linewidth=1.0,
        arrowsize=0.9,
    )
    if colorbar:
        ax.figure.colorbar(stream.lines, ax=ax, label="speed", shrink=0.8)
    _square_axes(ax, lim, title or f"velocity field at t = {t:.2f}")
    return ax


def _field_frame(ax, velocity, t, lim, title, norm=None):
    """Redraw `ax` as one animation frame of `velocity`'s streamlines at time t (sparser than a still figure)."""
    ax.clear()
    vector_field(
        ax,
        velocity,
        t,
        lim=lim,
        grid=FRAME_GRID,
        title=title,
        colorbar=False,
        norm=norm,
        density=FRAME_STREAMLINE_DENSITY,
    )


def lines_field_paths(
    x0: torch.Tensor,
    x1: torch.Tensor,
    velocity: Velocity,
    trajectory: torch.Tensor,
    t: float = 0.5,
    lim: Optional[float] = None,
    shown: int = 1000,
) -> Figure:
    """The three views of one flow: training lines (they cross), the learned field, the flow's paths.

    At most `shown` points of each cloud are drawn behind the lines, to keep the panels legible.
    """
    _points(x0, "x0"), _points(x1, "x1")
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.5), constrained_layout=True)
    lim = lim or _limit(x0, x1)
    pairing_lines(axes[0], x0[:shown], x1[:shown], count=30, lim=lim, title="training: random pairs")
    vector_field(axes[1], velocity, t=t, lim=lim, title=f"learned field, t = {t:.1f}")
    trajectories(axes[2], trajectory, count=60, lim=lim, title="paths along the field", backdrop=x1[:shown])
    return fig
