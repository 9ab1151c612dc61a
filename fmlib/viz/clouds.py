"""2D point clouds: a cloud, labelled clouds, a flow's snapshots and paths, pairs joined by lines."""

from __future__ import annotations

from typing import Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import checks
from ._shared import _limit, _numpy, _points, _same_length, _square_axes, _trajectory
from .page import _figure_size, panel_grid
from .style import CLASS_COLOURS, LINES, MODEL, NEUTRAL, SOURCE, TARGET, Colour, time_colour


def cloud(
    ax: Axes,
    points: torch.Tensor,
    colour: Colour,
    title: Optional[str] = None,
    lim: Optional[float] = None,
    size: float = 4,
    alpha: float = 0.5,
    label: Optional[str] = None,
) -> Axes:
    """A scatter plot of a 2D point cloud (n, 2) on square axes."""
    p = _points(points, "points")
    ax.scatter(p[:, 0], p[:, 1], s=size, alpha=alpha, color=colour, label=label, linewidths=0)
    _square_axes(ax, lim or _limit(p), title)
    return ax


def labelled_cloud(
    ax: Axes,
    points: torch.Tensor,
    labels: torch.Tensor,
    title: Optional[str] = None,
    lim: Optional[float] = None,
    size: float = 4,
    alpha: float = 0.6,
) -> Axes:
    """Points coloured by their class label (CLASS_COLOURS), drawn in a shuffled order so no class hides another."""
    points, labels = _points(points, "points"), _numpy(labels)
    if labels.shape != (len(points),) or labels.dtype.kind not in "iu":
        raise ValueError(
            f"labels must be one class (a whole number) per point: {len(points)} of them, "
            f"got shape {labels.shape} of {labels.dtype}"
        )
    order = np.random.default_rng(0).permutation(len(points))
    colours = np.array(CLASS_COLOURS)[labels[order] % len(CLASS_COLOURS)]
    p = points[order]
    ax.scatter(p[:, 0], p[:, 1], s=size, c=colours, alpha=alpha, linewidths=0)
    _square_axes(ax, lim or _limit(p), title)
    return ax


def labelled_clouds(
    clouds: dict[str, tuple[torch.Tensor, torch.Tensor]], title: str, lim: Optional[float] = None
) -> Figure:
    """`clouds` maps a panel title to (points, labels); one labelled cloud per panel, in a grid."""
    if not clouds:
        raise ValueError("clouds is empty: give at least one panel title with its (points, labels)")
    fig, axes = panel_grid(len(clouds))
    for ax, (name, (points, labels)) in zip(axes, clouds.items()):
        labelled_cloud(ax, points, labels, name, lim)
    fig.suptitle(title)
    return fig


def source_and_target(
    source: torch.Tensor,
    target: torch.Tensor,
    titles: Sequence[str] = ("source", "target"),
    colours: Sequence[Colour] = (SOURCE, TARGET),
) -> Figure:
    """Two clouds side by side on the same scale (pass colours=(SOURCE, MODEL) for generated points)."""
    _points(source, "source"), _points(target, "target")
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), constrained_layout=True)
    lim = _limit(source, target)
    cloud(axes[0], source, colours[0], titles[0], lim)
    cloud(axes[1], target, colours[1], titles[1], lim)
    return fig


def flow_sequence(
    trajectory: torch.Tensor, times: torch.Tensor, panels: int = 5, lim: Optional[float] = None
) -> Figure:
    """Snapshots of a moving cloud: `trajectory` (steps + 1, n, 2) at `panels` evenly spaced steps."""
    trajectory, panels = _trajectory(trajectory), checks.whole_number(panels, "panels")
    times = _same_length(times, "times", len(trajectory), "step of the trajectory")
    picks = np.linspace(0, len(trajectory) - 1, panels).round().astype(int)
    fig, axes = plt.subplots(1, panels, figsize=_figure_size(2 * panels, 2.4), constrained_layout=True, squeeze=False)
    lim = lim or _limit(trajectory)
    for ax, i in zip(axes[0], picks):
        cloud(ax, trajectory[i], time_colour(times[i]), f"t = {times[i]:.2f}", lim)
    return fig


def _legend_below(ax, markerscale):
    """The panel's legend in one row under its x label, where it hides no point."""
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.3),
        ncol=3,
        fontsize=8,
        markerscale=markerscale,
        frameon=False,
        handletextpad=0.2,
        columnspacing=1.0,
    )


def trajectories(
    ax: Axes,
    trajectory: torch.Tensor,
    count: int = 30,
    lim: Optional[float] = None,
    title: str = "paths",
    backdrop: Optional[torch.Tensor] = None,
) -> Axes:
    """The paths of the first `count` points of `trajectory` (steps + 1, n, 2), with their ends marked.

    `backdrop`, if given, is a cloud (say, the target) drawn faintly underneath.
    """
    paths = _trajectory(trajectory)[:, : checks.whole_number(count, "count")]
    if backdrop is not None:
        cloud(ax, backdrop, TARGET, alpha=0.15, label="target")
    ax.plot(paths[:, :, 0], paths[:, :, 1], color=NEUTRAL, lw=0.6, alpha=0.7)
    ax.scatter(paths[0, :, 0], paths[0, :, 1], s=8, color=SOURCE, label="start", zorder=3)
    ax.scatter(paths[-1, :, 0], paths[-1, :, 1], s=8, color=MODEL, label="end", zorder=3)
    _legend_below(ax, markerscale=1.5)
    _square_axes(ax, lim or _limit(paths), title)
    return ax


def pairing_lines(
    ax: Axes,
    x0: torch.Tensor,
    x1: torch.Tensor,
    count: int = 15,
    shift: float = 0.0,
    lim: Optional[float] = None,
    title: str = "random pairs, straight lines",
) -> Axes:
    """Straight lines joining the first `count` pairs (x0[i], x1[i]) over the two whole clouds.

    With `shift` > 0 the source is drawn shifted left and the target right, so the
    lines are easy to tell from the clouds.
    """
    offset = np.array([shift, 0.0])
    a, b = _points(x0, "x0") - offset, _points(x1, "x1") + offset
    ax.scatter(a[:, 0], a[:, 1], s=4, alpha=0.35, color=SOURCE, linewidths=0, label="source")
    ax.scatter(b[:, 0], b[:, 1], s=4, alpha=0.35, color=TARGET, linewidths=0, label="target")
    for start, end in zip(a[:count], b[:count]):
        ax.plot([start[0], end[0]], [start[1], end[1]], color=LINES, lw=1.5, alpha=0.9)
    ax.scatter(a[:count, 0], a[:count, 1], s=16, color=SOURCE, edgecolor="black", lw=0.6, zorder=3)
    ax.scatter(b[:count, 0], b[:count, 1], s=16, color=TARGET, edgecolor="black", lw=0.6, zorder=3)
    _legend_below(ax, markerscale=3)
    _square_axes(ax, lim or _limit(a, b), title)
    if shift:  # a wide picture: fit the height to the clouds, not to the shift
        ax.set_ylim(-_limit(a[:, 1], b[:, 1]), _limit(a[:, 1], b[:, 1]))
    return ax


def jumps(
    ax: Axes,
    starts: torch.Tensor,
    landings: torch.Tensor,
    target: torch.Tensor,
    count: int = 60,
    lim: Optional[float] = None,
    title: Optional[str] = None,
) -> Axes:
    """One-step jumps: lines from the first `count` `starts` to their `landings`, over a pale `target` cloud."""
    a, b, c = _points(starts, "starts"), _points(landings, "landings"), _points(target, "target")
    if len(a) != len(b):
        raise ValueError(f"starts and landings must pair up: {len(a)} starts, {len(b)} landings")
    ax.scatter(c[:, 0], c[:, 1], s=4, alpha=0.15, color=TARGET, linewidths=0, label="target")
    for start, end in zip(a[:count], b[:count]):
        ax.plot([start[0], end[0]], [start[1], end[1]], color="black", lw=0.8, alpha=0.4)
    ax.scatter(a[:count, 0], a[:count, 1], s=9, color=SOURCE, linewidths=0, zorder=3, label="start")
    ax.scatter(b[:, 0], b[:, 1], s=5, color=MODEL, linewidths=0, zorder=3, label="landing")
    _legend_below(ax, markerscale=2)
    _square_axes(ax, lim or _limit(a, b, c), title)
    return ax


def walk(ax: Axes, positions: torch.Tensor, times: torch.Tensor, title: Optional[str] = None) -> Axes:
    """A path walked in a few steps: `positions` (k + 1, 2) at `times` (k + 1,), with the step arrows."""
    p = _points(positions, "positions")
    times = _same_length(times, "times", len(p), "position")
    for start, end in zip(p[:-1], p[1:]):
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="->", color=LINES, lw=2))
    for point, t in zip(p, times):
        ax.scatter(*point, s=50, color=time_colour(t), zorder=3)
        ax.annotate(f"t = {t:.1f}", point, xytext=(8, -4), textcoords="offset points", fontsize=9)
    ax.set_aspect("equal")
    ax.margins(0.15)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title:
        ax.set_title(title)
    return ax


def four_panels(
    x0: torch.Tensor,
    generated: torch.Tensor,
    target: torch.Tensor,
    trajectory: torch.Tensor,
    title: Optional[str] = None,
) -> Figure:
    """A flow in four panels, as Hawley's *Flow With What You Know* shows one.

    Initial points | generated samples | target | trajectories.
    """
    for name, points in [("x0", x0), ("generated", generated), ("target", target)]:
        _points(points, name)
    fig, axes = plt.subplots(1, 4, figsize=(10, 2.9), constrained_layout=True)
    lim = _limit(x0, target)
    cloud(axes[0], x0, SOURCE, "initial points", lim)
    cloud(axes[1], generated, MODEL, "generated samples", lim)
    cloud(axes[2], target, TARGET, "target data", lim)
    trajectories(axes[3], trajectory, count=40, lim=lim, title="trajectories")
    if title:
        fig.suptitle(title)
    return fig


def gallery(pairs: Sequence[tuple[str, torch.Tensor, torch.Tensor]]) -> Figure:
    """Several morphs at a glance: `pairs` is a list of (title, source points, generated points)."""
    if not pairs:
        raise ValueError("pairs is empty: give at least one (title, source points, generated points)")
    fig, axes = plt.subplots(
        2, len(pairs), figsize=_figure_size(2.5 * len(pairs), 5.2), constrained_layout=True, squeeze=False
    )
    for column, (title, x0, generated) in enumerate(pairs):
        lim = _limit(x0, generated)
        cloud(axes[0, column], x0, SOURCE, title, lim)
        cloud(axes[1, column], generated, MODEL, "generated", lim)
    return fig
