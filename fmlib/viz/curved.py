"""Points and paths on curved spaces: the sphere in 3D, the torus as its unrolled square and as a doughnut."""

from __future__ import annotations

import math
from typing import Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import HTML
from matplotlib.axes import Axes

from ..video import animate
from ._shared import _numpy
from .page import _figure_size
from .style import NEUTRAL, Colour, time_colour

DOUGHNUT_RADII = (2.0, 0.8)  # the doughnut's radius to the middle of its tube, and the tube's radius
VIEW = dict(elev=20, azim=35)  # where the 3D panels are seen from


def _on_sphere(points, name):
    array = _numpy(points).astype(float)
    if array.ndim != 2 or array.shape[1] != 3:
        raise ValueError(f"{name} must be points on the sphere, shape (n, 3); got {array.shape}")
    return array


def sphere_axes(ax: Axes, title: Optional[str] = None) -> Axes:
    """Prepare 3D axes (`projection="3d"`) for the unit sphere: a faint wireframe, equal scales, no box."""
    u, v = np.meshgrid(np.linspace(0, 2 * np.pi, 25), np.linspace(0, np.pi, 13))
    ax.plot_wireframe(np.cos(u) * np.sin(v), np.sin(u) * np.sin(v), np.cos(v), color=NEUTRAL, lw=0.3, alpha=0.3)
    ax.set_box_aspect((1, 1, 1), zoom=1.35)  # the sphere fills its panel
    ax.set(xlim=(-1, 1), ylim=(-1, 1), zlim=(-1, 1))
    ax.view_init(**VIEW)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def sphere_points(ax: Axes, points: torch.Tensor, colour: Colour, size: float = 3, label: Optional[str] = None) -> Axes:
    """Scatter points (n, 3) on 3D axes; those on the far side of the sphere are drawn fainter."""
    p = _on_sphere(points, "points")
    seen = _facing(ax, p) >= 0
    for side, alpha in [(~seen, 0.15), (seen, 0.7)]:
        ax.scatter(*p[side].T, s=size, color=colour, alpha=alpha, linewidths=0, depthshade=False)
    if label:
        ax.scatter([], [], [], s=12, color=colour, label=label)
    return ax


def sphere_paths(
    ax: Axes, trajectory: torch.Tensor, count: int = 12, colour: Colour = NEUTRAL, lw: float = 1.1
) -> Axes:
    """Draw the paths of the first `count` points of a trajectory (steps + 1, n, 3), a dot at each end."""
    paths = _numpy(trajectory).astype(float)
    if paths.ndim != 3 or paths.shape[2] != 3:
        raise ValueError(f"trajectory must be (steps + 1, n, 3), got shape {paths.shape}")
    for i in range(min(count, paths.shape[1])):
        ax.plot(*paths[:, i].T, color=colour, lw=lw)
        ax.scatter(*paths[-1, i], s=10, color=colour)
    return ax


def torus_square(
    ax: Axes, points: Optional[torch.Tensor] = None, colour: Colour = NEUTRAL, title: Optional[str] = None
) -> Axes:
    """The torus unrolled: the square of two angles in [-pi, pi), its opposite edges glued (drawn dashed)."""
    if points is not None:
        p = _numpy(points).astype(float)
        ax.scatter(p[:, 0], p[:, 1], s=3, alpha=0.5, color=colour, linewidths=0)
    ticks = [-math.pi, 0, math.pi]
    ax.set(xlim=(-math.pi, math.pi), ylim=(-math.pi, math.pi), xticks=ticks, yticks=ticks, aspect="equal")
    ax.set_xticklabels(["$-\\pi$", "0", "$\\pi$"])
    ax.set_yticklabels(["$-\\pi$", "0", "$\\pi$"])
    ax.set(xlabel="first angle", ylabel="second angle")
    for spine in ax.spines.values():
        spine.set_linestyle((0, (4, 3)))
    if title:
        ax.set_title(title)
    return ax


def torus_paths(ax: Axes, trajectory: torch.Tensor, count: int = 12, colour: Colour = NEUTRAL, lw: float = 1.1) -> Axes:
    """Paths of angles (steps + 1, n, 2) on the unrolled square, broken where a path leaves one edge for the other."""
    paths = _numpy(trajectory).astype(float)
    if paths.ndim != 3 or paths.shape[2] != 2:
        raise ValueError(f"trajectory must be (steps + 1, n, 2), got shape {paths.shape}")
    for i in range(min(count, paths.shape[1])):
        path = paths[:, i].copy()
        seams = np.abs(np.diff(path, axis=0)).max(axis=1) > math.pi  # a step that crossed the seam
        for piece in np.split(path, np.flatnonzero(seams) + 1):
            ax.plot(piece[:, 0], piece[:, 1], color=colour, lw=lw)
        ax.scatter(*path[-1], s=10, color=colour, zorder=3)
    return ax


def doughnut(ax: Axes, angles: torch.Tensor, colour: Colour, title: Optional[str] = None) -> Axes:
    """Points given as two angles (n, 2) on a doughnut in 3D axes: the first angle around the hole, the second
    around the tube; the far side is drawn fainter."""
    a = _numpy(angles).astype(float)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"angles must be pairs of angles, shape (n, 2); got {a.shape}")
    big, small = DOUGHNUT_RADII
    u, v = np.meshgrid(np.linspace(-np.pi, np.pi, 37), np.linspace(-np.pi, np.pi, 19))
    surface = ((big + small * np.cos(v)) * np.cos(u), (big + small * np.cos(v)) * np.sin(u), small * np.sin(v))
    ax.plot_wireframe(*surface, color=NEUTRAL, lw=0.3, alpha=0.3)
    ring = big + small * np.cos(a[:, 1])
    p = np.stack([ring * np.cos(a[:, 0]), ring * np.sin(a[:, 0]), small * np.sin(a[:, 1])], axis=1)
    normal = np.stack([np.cos(a[:, 1]) * np.cos(a[:, 0]), np.cos(a[:, 1]) * np.sin(a[:, 0]), np.sin(a[:, 1])], 1)
    seen = _facing(ax, normal) >= 0
    for side, alpha in [(~seen, 0.12), (seen, 0.7)]:
        ax.scatter(*p[side].T, s=3, color=colour, alpha=alpha, linewidths=0, depthshade=False)
    reach = big + small
    ax.set_box_aspect((1, 1, small / reach), zoom=1.3)
    ax.set(xlim=(-reach, reach), ylim=(-reach, reach), zlim=(-small, small))
    ax.view_init(elev=40, azim=VIEW["azim"])
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def animate_sphere(
    trajectories: Sequence[torch.Tensor], times: torch.Tensor, titles: Sequence[str], fps: int = 20
) -> HTML:
    """Animate clouds moving on the sphere, one 3D panel each; every trajectory is (steps + 1, n, 3)."""
    paths = [_numpy(tr).astype(float) for tr in trajectories]
    if not paths or any(p.ndim != 3 or p.shape[2] != 3 for p in paths) or len(titles) != len(paths):
        raise ValueError("trajectories must be one or more (steps + 1, n, 3) tensors, with one title each")
    times = _numpy(times).astype(float)
    fig = plt.figure(figsize=_figure_size(3.6 * len(paths), 3.8), constrained_layout=True)
    axes = [fig.add_subplot(1, len(paths), k + 1, projection="3d") for k in range(len(paths))]
    dots = []
    for ax, path, title in zip(axes, paths, titles):
        sphere_axes(ax, title)
        dots.append(ax.scatter(*path[0].T, s=3, alpha=0.7, linewidths=0, depthshade=False))
    clock = fig.suptitle("")

    def update(i):
        for dot, path in zip(dots, paths):
            dot._offsets3d = tuple(path[i].T)
            dot.set_color(time_colour(times[i]))
        clock.set_text(f"t = {times[i]:.2f}")

    return animate(fig, update, len(times), fps)


def _facing(ax, normals):
    """How much each outward normal (n, 3) faces the viewer of 3D axes `ax`: positive on the near side."""
    elev, azim = np.radians(ax.elev), np.radians(ax.azim)
    eye = np.array([np.cos(elev) * np.cos(azim), np.cos(elev) * np.sin(azim), np.sin(elev)])
    return normals @ eye
