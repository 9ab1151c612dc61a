"""Animations: moving clouds, a 1D path, velocity fields as time runs, particles along streamlines, images clearing.

Each hands its figure and its frame-drawing function to `fmlib.video.animate`, which encodes the video.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import HTML

from .. import checks
from ..solvers import Velocity
from ..video import animate
from ._shared import _finite, _limit, _numpy, _same_length, _square_axes, _trajectory
from .fields import FRAME_GRID, _field_frame, _field_on_square
from .heatmaps import velocity_heatmap
from .images import digit_grid, digit_mosaic
from .page import _figure_size
from .style import MODEL, SPEED_CMAP, time_colour


def animate_clouds(
    trajectories: Union[torch.Tensor, Sequence[torch.Tensor]],
    times: Union[torch.Tensor, Sequence[torch.Tensor]],
    titles: Optional[Sequence[str]] = None,
    lim: Optional[float] = None,
    fps: int = 20,
) -> HTML:
    """Animate one or more moving clouds side by side; each trajectory is (steps + 1, n, 2).

    The colour runs from blue (t = 0) to vermillion (t = 1); the last frame is held
    (`fmlib.video.animate`) so the eye can rest on the result. `times` is one
    tensor of times for all the clouds (shown once, above them), or one per
    cloud (each shown in its panel's title): a noising run, whose time falls
    from 1 to 0, beside a sampler, whose time rises.
    """
    if isinstance(trajectories, (torch.Tensor, np.ndarray)):
        trajectories = [trajectories]
    if not len(trajectories):
        raise ValueError("trajectories is empty: give at least one trajectory (steps + 1, n, 2)")
    trajectories = [_trajectory(tr) for tr in trajectories]
    own_clocks = not isinstance(times, (torch.Tensor, np.ndarray))
    if own_clocks and len(times) != len(trajectories):
        raise ValueError(f"times must be one tensor, or one per trajectory ({len(trajectories)}); got {len(times)}")
    lengths = [len(tr) for tr in trajectories]
    if len(set(lengths)) > 1:
        raise ValueError(f"every trajectory must have as many steps as the first; got {lengths}")
    clocks = [
        _same_length(t, "times", len(tr), "step of its trajectory")
        for t, tr in zip(times if own_clocks else [times] * len(trajectories), trajectories)
    ]
    if titles is not None and len(titles) != len(trajectories):
        raise ValueError(f"titles must hold one title per trajectory: {len(trajectories)}, got {len(titles)}")
    titles = titles or [""] * len(trajectories)
    lim = lim or _limit(*trajectories)
    fig, axes = plt.subplots(
        1, len(trajectories), figsize=_figure_size(4 * len(trajectories), 4.2), constrained_layout=True, squeeze=False
    )
    dots = []
    for ax, tr, title in zip(axes[0], trajectories, titles):
        dots.append(ax.scatter(tr[0, :, 0], tr[0, :, 1], s=5, alpha=0.6, linewidths=0))
        _square_axes(ax, lim, title)
    clock = None if own_clocks else fig.suptitle("")
    steps = len(clocks[0])

    def update(i):
        for ax, dot, tr, times_here, title in zip(axes[0], dots, trajectories, clocks, titles):
            dot.set_offsets(tr[i])
            dot.set_color(time_colour(times_here[i]))
            if own_clocks:
                ax.set_title(f"{title}, t = {times_here[i]:.2f}" if title else f"t = {times_here[i]:.2f}")
        if not own_clocks:
            clock.set_text(f"t = {clocks[0][i]:.2f}")

    return animate(fig, update, steps, fps)


def animate_1d_path(
    velocity: Velocity,
    times: torch.Tensor,
    path: torch.Tensor,
    x_range: tuple[float, float] = (-3, 3),
    title: str = "one sample, step by step",
    fps: int = 10,
) -> HTML:
    """A point stepping along a 1D `path` (len(times),) over the (t, x) heatmap of `velocity`."""
    times, path = _numpy(times), _numpy(path).ravel()
    if times.ndim != 1 or path.shape != times.shape:
        raise ValueError(f"path must hold one position per time: {len(times)} of them, got {len(path)}")
    fig, ax = plt.subplots(figsize=(6.5, 4), constrained_layout=True)
    velocity_heatmap(ax, velocity, x_range, title=title)
    ax.set_ylim(*x_range)
    (trail,) = ax.plot([], [], color="black", lw=1.5)
    (dot,) = ax.plot([], [], "o", color="black", markersize=8)
    label = ax.text(
        0.02,
        0.95,
        "",
        transform=ax.transAxes,
        va="top",
        fontsize=10,
        bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"),
    )

    def update(i):
        trail.set_data(times[: i + 1], path[: i + 1])
        dot.set_data([times[i]], [path[i]])
        label.set_text(f"step {i}: t = {times[i]:.2f}, x = {path[i]:+.2f}")

    return animate(fig, update, len(times), fps)


def animate_fields(
    velocities: Sequence[Velocity],
    titles: Sequence[str],
    lim: float = 3.5,
    frames: int = 21,
    fps: int = 6,
) -> HTML:
    """Streamlines of several velocity fields side by side, as t runs from 0 to 1, on one colour scale of speed."""
    if not velocities or len(titles) != len(velocities):
        raise ValueError(
            f"velocities and titles must be non-empty and one title per field: got {len(velocities)} velocities "
            f"and {len(titles)} titles"
        )
    frames = checks.whole_number(frames, "frames")
    fig, axes = plt.subplots(
        1, len(velocities), figsize=_figure_size(4.2 * len(velocities), 4.4), constrained_layout=True, squeeze=False
    )
    times = np.linspace(0, 1, frames)
    fastest = max(_field_on_square(v, float(t), lim, FRAME_GRID)[2].max() for v in velocities for t in times)
    norm = mpl.colors.Normalize(0, fastest)
    fig.colorbar(mpl.cm.ScalarMappable(norm, SPEED_CMAP), ax=axes[0].tolist(), label="speed", shrink=0.8)

    def update(i):
        t = float(times[i])
        for ax, velocity, title in zip(axes[0], velocities, titles):
            _field_frame(ax, velocity, t, lim, f"{title}, t = {t:.2f}", norm)

    return animate(fig, update, frames, fps)


def animate_streamlines_and_paths(
    velocity: Velocity,
    trajectory: torch.Tensor,
    times: torch.Tensor,
    lim: float = 3.5,
    every: int = 3,
    fps: int = 6,
) -> HTML:
    """The streamlines of `velocity` at each time, under particles that move along it with their trails.

    `trajectory` (steps + 1, n, 2) holds the particles' positions at `times`; every
    `every`-th step (and the last) is a frame. For a field that changes with time
    the trails leave the streamlines they started on: paths are not streamlines.
    """
    trajectory = _trajectory(trajectory)
    times = _same_length(times, "times", len(trajectory), "step of the trajectory")
    every = checks.whole_number(every, "every")
    frames = list(range(0, len(times), every))
    if frames[-1] != len(times) - 1:
        frames.append(len(times) - 1)
    fig, ax = plt.subplots(figsize=_figure_size(5.4, 5.2), constrained_layout=True)

    def update(frame):
        i = frames[frame]
        t = float(times[i])
        _field_frame(ax, velocity, t, lim, f"streamlines at t = {t:.2f}, paths so far")
        for j in range(trajectory.shape[1]):
            ax.plot(trajectory[: i + 1, j, 0], trajectory[: i + 1, j, 1], color="black", lw=1.3)
        ax.scatter(trajectory[i, :, 0], trajectory[i, :, 1], s=36, color=MODEL, edgecolors="white", zorder=3)

    return animate(fig, update, len(frames), fps)


def animate_digits(
    trajectory: torch.Tensor,
    times: torch.Tensor,
    columns: int = 10,
    title: str = "",
    column_labels: Optional[Sequence[str]] = None,
    fps: int = 12,
) -> HTML:
    """Images becoming clear: `trajectory` (steps + 1, n, 64) as a mosaic of `columns` per row at each time."""
    path = _finite(_numpy(trajectory), "trajectory")
    if path.ndim != 3 or 0 in path.shape:
        raise ValueError(
            f"trajectory must be images at every step, shape (steps + 1, n, 64) as integrate(..., trajectory=True) "
            f"gives; got shape {path.shape}"
        )
    times = _same_length(times, "times", len(path), "step of the trajectory")
    tall, wide = digit_mosaic(path[0], columns).shape
    fig, ax = plt.subplots(figsize=(6.4, 6.0 * tall / wide + 0.7), constrained_layout=True)  # room for the labels
    shown = digit_grid(ax, path[0], columns, column_labels=column_labels)
    clock = ax.set_title("")

    def update(i):
        shown.set_data(digit_mosaic(path[i], columns))
        clock.set_text(f"{title}t = {times[i]:.2f}")

    return animate(fig, update, len(times), fps)
