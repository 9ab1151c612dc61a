"""The figures and animations the chapters share.

Colours are from Wong's colour-blind-safe palette: the source is blue, the
target vermillion, the model's samples green, straight training lines orange.
Every function draws on the axes it is given (or makes a figure) and returns it.
`use_book_style()` sets matplotlib's defaults to the book's look; a chapter
calls it once, after its imports. A figure is shown as `page_png` draws it: no
wider than the text column, no text smaller than 9 points, sharp on a
high-density screen. When the website's build runs the chapters
(PHONE_FIGURES_VARIABLE), a row of panels also carries `stacked_png`'s column of
the same panels, which the website shows on a phone instead.
"""

from __future__ import annotations

import base64
import io
import os
import pickle
import struct
from typing import Callable, Optional, Sequence, Union

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import HTML
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.image import AxesImage
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text

from . import checks
from .devices import device_of
from .grids import field_on_grid
from .solvers import Solution, Velocity, warp_time
from .video import animate, ffmpeg_executable

SOURCE = "#0072B2"  # blue
TARGET = "#D55E00"  # vermillion
MODEL = "#009E73"  # bluish green
LINES = "#E69F00"  # orange
NEUTRAL = "#555555"
# One colour per class (Wong's eight, black last) for labelled shapes.
CLASS_COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
Colour = Union[str, tuple[float, ...]]  # anything matplotlib takes as a colour
SPEED_CMAP = "viridis"
# How closely streamlines are packed (matplotlib's streamplot density): a still
# figure's, and an animation frame's. Each frame draws its streamlines anew, the
# slowest part of a field animation; the sparser packing draws about a sixth less
# and still shows the field's shape.
STREAMLINE_DENSITY = 1.1
FRAME_STREAMLINE_DENSITY = 0.9
FRAME_GRID = 30  # points per side where an animation frame evaluates its field
DENSITY_CMAP = "viridis"
VELOCITY_CMAP = "RdBu_r"  # diverging: red moves up (v > 0), blue moves down

# The website's text column is about 690 pixels wide on a 1280-pixel screen: at
# 100 dpi a figure of PAGE_WIDTH inches fits it unscaled, so that a 9-point label
# is shown at 9 points. A wider figure would be shrunk, and its labels with it.
PAGE_WIDTH = 6.8
MIN_FONT_POINTS = 9
# A 390-pixel phone's text column is about 342 pixels wide: a figure of
# PHONE_WIDTH inches, with the margin page_png's picture adds, fits it unscaled,
# so a row of panels is stacked to that width.
PHONE_COLUMN_PIXELS = 342
PHONE_WIDTH = 3.3
# `make book` sets this environment variable for the chapters it runs: their rows
# of panels then also carry a column for phones. Jupyter and Colab, which never
# show the column, are spared the work and the weight.
PHONE_FIGURES_VARIABLE = "FMLIB_PHONE_FIGURES"
BOOK_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.frameon": False,
}


def use_book_style() -> None:
    """Set matplotlib's defaults to the book's look, point its animation writers at the bundled ffmpeg,
    and, in Jupyter, show every figure as `page_png` draws it (`page_figure` when the
    environment variable PHONE_FIGURES_VARIABLE is set)."""
    mpl.rcParams.update(BOOK_STYLE)
    mpl.rcParams["animation.ffmpeg_path"] = ffmpeg_executable()
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        # Load the notebook's plotting backend now: matplotlib loads it at the first
        # figure, and it then sets its own figure formatter over this one.
        plt.switch_backend(mpl.get_backend())
        formatter = page_figure if os.environ.get(PHONE_FIGURES_VARIABLE) else page_png
        shell.display_formatter.formatters["image/png"].for_type(Figure, formatter)


def page_png(fig: Figure) -> tuple[bytes, dict]:
    """`fig` as a PNG for the page, and the size in pixels to show it at.

    A figure wider than PAGE_WIDTH inches is narrowed to it (its height in
    proportion; the layout adapts), text under MIN_FONT_POINTS is raised to it,
    and the picture is drawn at twice the pixels it is shown at, for high-density
    screens. Returns (png, {"width": w, "height": h}), as IPython's formatters do.
    """
    width, height = fig.get_size_inches()
    if width > PAGE_WIDTH:
        fig.set_size_inches(PAGE_WIDTH, height * PAGE_WIDTH / width)
    fig.canvas.draw()  # creates the tick labels, so that their size is checked too
    for text in fig.findobj(Text):
        if text.get_fontsize() < MIN_FONT_POINTS:
            text.set_fontsize(MIN_FONT_POINTS)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * fig.dpi, bbox_inches="tight")
    png = buffer.getvalue()
    pixels_wide, pixels_high = struct.unpack(">II", png[16:24])  # the PNG header's size
    return png, {"width": pixels_wide // 2, "height": pixels_high // 2}


def _panel_row(fig: Figure) -> Optional[list[Axes]]:
    """The panels of `fig`, left to right, when they stand in one row of equal
    columns (colour bars, insets and hidden axes aside), laid out by matplotlib's
    constrained layout, which keeps the column's titles and labels apart; None
    for any other figure."""
    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        return None
    panels = [ax for ax in fig.axes if ax.get_subplotspec() is not None and ax.get_visible()]
    if len(panels) < 2:
        return None
    grid = panels[0].get_subplotspec().get_gridspec()
    columns = [ax.get_subplotspec().colspan for ax in panels]
    one_row = (
        isinstance(grid, GridSpec)
        and grid.nrows == 1
        and all(ax.get_subplotspec().get_gridspec() is grid for ax in panels)
        and len(set(grid.get_width_ratios() or [1])) == 1
        and all(len(span) == 1 for span in columns)
        and len({span.start for span in columns}) == len(panels)
    )
    return sorted(panels, key=lambda ax: ax.get_subplotspec().colspan.start) if one_row else None


def column_of_panels(fig: Figure) -> Optional[Figure]:
    """A copy of `fig`, whose panels stand in one row (`_panel_row`), with the
    panels in one column PHONE_WIDTH inches wide, each keeping its shape; None
    for any other figure. `fig` stays as it was; close the copy when done."""
    if _panel_row(fig) is None:
        return None
    fig = pickle.loads(pickle.dumps(fig))
    panels = _panel_row(fig)
    width, height = fig.get_size_inches()
    row_columns = panels[0].get_subplotspec().get_gridspec().ncols  # hidden panels took room in the row too
    column = GridSpec(len(panels), 1, figure=fig)
    for row, ax in enumerate(panels):
        ax.set_subplotspec(column[row, 0])
        if len(ax.get_shared_y_axes().get_siblings(ax)) > 1:
            ax.yaxis.set_tick_params(labelleft=True)  # a shared axis labels only the first panel of a row
    panel_height = height * PHONE_WIDTH / (width / row_columns)
    fig.set_size_inches(PHONE_WIDTH, panel_height * len(panels))
    for ax in panels:
        ax.title.set_wrap(True)  # a title as wide as a wide panel wraps in the column
    return fig


def stacked_png(fig: Figure) -> Optional[tuple[bytes, dict]]:
    """`column_of_panels(fig)` as `page_png` draws it, or None."""
    column = column_of_panels(fig)
    if column is None:
        return None
    try:
        return page_png(column)
    finally:
        plt.close(column)  # the copy joined pyplot's figures, which Jupyter shows at the cell's end


def page_figure(fig: Figure) -> tuple[bytes, dict]:
    """How the website's build shows every figure (see PHONE_FIGURES_VARIABLE):
    `page_png`, and for a row of panels also `stacked_png`, base64-encoded with
    its size, under the metadata key "stacked" (Jupyter and Colab ignore it; the
    website shows it on narrow screens)."""
    png, size = page_png(fig)
    try:
        stacked = stacked_png(fig)
    except Exception:  # a formatter that fails loses the whole figure: the row alone is better
        stacked = None
    if stacked is not None:
        column, column_size = stacked
        size["stacked"] = {"png": base64.b64encode(column).decode("ascii"), **column_size}
    return png, size


def _figure_size(width, height):
    """(width, height) in inches, both scaled down so that the width is at most PAGE_WIDTH."""
    scale = min(1.0, PAGE_WIDTH / width)
    return width * scale, height * scale


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


def time_colour(t: float) -> tuple[float, float, float]:
    """The colour of a cloud at time t: blue at 0, vermillion at 1."""
    if not -1e-6 <= t <= 1 + 1e-6:
        raise ValueError(f"t must be a time between 0 and 1, got {t}")
    t = min(max(t, 0.0), 1.0)
    return tuple((1 - t) * np.array(to_rgb(SOURCE)) + t * np.array(to_rgb(TARGET)))


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


def panel_grid(count: int, columns: int = 3, size: float = 3.0) -> tuple[Figure, list[Axes]]:
    """A figure of `count` square panels, `columns` to a row: (figure, list of the axes).

    Wide rows of many panels shrink on a page until their text cannot be read;
    a grid keeps every figure within PAGE_WIDTH, the width a page shows at full size.
    """
    count, columns = checks.whole_number(count, "count"), checks.whole_number(columns, "columns")
    rows = -(-count // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=_figure_size(size * columns, size * rows + 0.4), constrained_layout=True, squeeze=False
    )
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:count])


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


def paths_1d(
    ax: Axes,
    times: torch.Tensor,
    paths: torch.Tensor,
    colour: Colour = LINES,
    title: Optional[str] = None,
    alpha: float = 0.6,
) -> Axes:
    """1D paths as lines in the (t, x) plane: `paths` has shape (len(times), n)."""
    times, paths = _numpy(times), _numpy(paths)
    if times.ndim != 1 or paths.ndim not in (1, 2) or len(paths) != len(times):
        raise ValueError(
            f"paths must hold one row of positions per time, shape ({len(times)}, n) for times of shape "
            f"{times.shape}; got shape {paths.shape}"
        )
    ax.plot(times, paths, color=colour, lw=1.0, alpha=alpha)
    ax.set_xlabel("time t")
    ax.set_ylabel("position x")
    ax.set_xlim(0, 1)
    if title:
        ax.set_title(title)
    return ax


def histogram(
    ax: Axes, samples: torch.Tensor, grid: torch.Tensor, density: torch.Tensor, title: Optional[str] = None
) -> Axes:
    """A histogram of 1D `samples` against the exact `density` evaluated on `grid`."""
    samples = _finite(_numpy(samples).ravel(), "samples")
    if len(samples) == 0:
        raise ValueError("samples is empty: there is nothing to count")
    ax.hist(samples, bins=80, density=True, color=MODEL, alpha=0.6, label="generated samples")
    ax.plot(_numpy(grid), _numpy(density), color=TARGET, lw=2, label="target density")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return ax


# --- 1D flows drawn over the (t, x) plane --------------------------------------


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


def with_side_densities(
    x_range: tuple[float, float],
    source_pdf: Callable,
    target_pdf: Callable,
    names: Sequence[str] = ("source", "target"),
    figsize: tuple[float, float] = (10, 4),
) -> tuple[Figure, Axes]:
    """A (t, x) figure flanked by the source density (left, at t = 0) and the target's (right, at t = 1).

    `source_pdf` and `target_pdf` map a tensor of x values to densities. Returns the
    figure and its middle axes, on which the caller draws.
    """
    checks.interval(x_range, "x_range")
    fig, (left, middle, right) = plt.subplots(
        1,
        3,
        figsize=_figure_size(*figsize),
        sharey=True,
        constrained_layout=True,
        gridspec_kw={"width_ratios": [1, 5, 1]},
    )
    xs = torch.linspace(*x_range, 400)
    for ax, pdf, colour, name in [(left, source_pdf, SOURCE, names[0]), (right, target_pdf, TARGET, names[1])]:
        density = _numpy(pdf(xs))
        ax.fill_betweenx(_numpy(xs), density, color=colour, alpha=0.4)
        ax.plot(density, _numpy(xs), color=colour)
        ax.set_title(name)
        ax.set_xlabel("density")
    left.invert_xaxis()
    left.set_ylabel("position x")
    middle.set_ylim(*x_range)
    return fig, middle


def loss_curve(ax: Axes, losses: Sequence[float], floor: Optional[float] = None, window: int = 100) -> Axes:
    """Training loss per step (faint) and its running mean, with the irreducible `floor` as a line."""
    losses, window = np.asarray(losses), checks.whole_number(window, "window")
    ax.plot(losses, color=NEUTRAL, alpha=0.25, lw=0.5, label="loss per step")
    if len(losses) >= window:
        running = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.plot(np.arange(window - 1, len(losses)), running, color=MODEL, lw=2, label=f"mean of {window} steps")
    if floor is not None:
        ax.axhline(floor, color=TARGET, ls="--", lw=2, label=f"irreducible floor = {floor:.3f}")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss (mean squared error)")
    ax.legend(fontsize=8)
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


# --- images ------------------------------------------------------------------

DIGIT_CMAP = "gray_r"  # white paper (-1), black ink (+1), as the digits were written
GAP = "#c9c9c9"  # the light grey between the tiles of a mosaic


def _images(images, name="images"):
    """`images` as an array (n, side * side) of square images with values in [-1, 1] (clipped), all finite."""
    array = _finite(_numpy(images).astype(np.float64), name)
    side = int(round(np.sqrt(array.shape[-1]))) if array.ndim == 2 else 0
    if array.ndim != 2 or side * side != array.shape[1] or len(array) == 0:
        raise ValueError(
            f"{name} must be square images as rows, shape (n, side * side) such as (n, 64) for 8 x 8; "
            f"got shape {array.shape}"
        )
    return np.clip(array, -1, 1), side


def digit_mosaic(images: torch.Tensor, columns: int) -> np.ndarray:
    """Images (n, side * side) tiled `columns` to a row, one pixel of NaN between tiles (shown as GAP)."""
    array, side = _images(images)
    columns = checks.whole_number(columns, "columns")
    rows = -(-len(array) // columns)
    mosaic = np.full((rows * (side + 1) - 1, columns * (side + 1) - 1), np.nan)
    for i, image in enumerate(array):
        r, c = divmod(i, columns)
        mosaic[r * (side + 1) : r * (side + 1) + side, c * (side + 1) : c * (side + 1) + side] = image.reshape(
            side, side
        )
    return mosaic


def digit_grid(
    ax: Axes,
    images: torch.Tensor,
    columns: int = 10,
    title: Optional[str] = None,
    row_labels: Optional[Sequence[str]] = None,
    column_labels: Optional[Sequence[str]] = None,
) -> AxesImage:
    """Draw `images` (n, 64), values in [-1, 1], as a mosaic of `columns` per row, ink dark on white paper.

    `row_labels` and `column_labels` name the rows and columns at their centres
    (such as the class of each row). Returns the image, whose data an animation updates.
    """
    mosaic = digit_mosaic(images, columns)
    side = _images(images)[1]
    cmap = mpl.colormaps[DIGIT_CMAP].with_extremes(bad=GAP)
    shown = ax.imshow(mosaic, cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")

    def centres(labels):  # the middle of each tile's row or column
        return [] if labels is None else [i * (side + 1) + (side - 1) / 2 for i in range(len(labels))]

    ax.set_yticks(centres(row_labels))
    ax.set_xticks(centres(column_labels))
    if row_labels is not None:
        ax.set_yticklabels(row_labels)
    if column_labels is not None:
        ax.set_xticklabels(column_labels)
        ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    return shown


def digit_grids(
    panels: dict[str, tuple[torch.Tensor, int]], title: Optional[str] = None, height: float = 4.4
) -> Figure:
    """One `digit_grid` per panel, side by side: `panels` maps a title to (images, columns).

    The rows of every panel are labelled 0 to 9 when it holds ten rows (a row per class).
    """
    if not panels:
        raise ValueError("panels is empty: give at least one panel title with its (images, columns)")
    fig, axes = plt.subplots(
        1, len(panels), figsize=_figure_size(2.3 * len(panels), height), constrained_layout=True, squeeze=False
    )
    for ax, (name, (images, columns)) in zip(axes[0], panels.items()):
        rows = -(-len(_images(images)[0]) // columns)
        digit_grid(ax, images, columns, name, row_labels=[str(r) for r in range(rows)] if rows == 10 else None)
    if title:
        fig.suptitle(title)
    return fig


# --- animation ---------------------------------------------------------------


def animate_clouds(
    trajectories: Union[torch.Tensor, Sequence[torch.Tensor]],
    times: torch.Tensor,
    titles: Optional[Sequence[str]] = None,
    lim: Optional[float] = None,
    fps: int = 20,
) -> HTML:
    """Animate one or more moving clouds side by side; each trajectory is (steps + 1, n, 2).

    The colour runs from blue (t = 0) to vermillion (t = 1); the last frame is held
    (`fmlib.video.animate`) so the eye can rest on the result.
    """
    if isinstance(trajectories, (torch.Tensor, np.ndarray)):
        trajectories = [trajectories]
    if not len(trajectories):
        raise ValueError("trajectories is empty: give at least one trajectory (steps + 1, n, 2)")
    trajectories = [_trajectory(tr) for tr in trajectories]
    times = _same_length(times, "times", len(trajectories[0]), "step of the trajectories")
    if any(len(tr) != len(times) for tr in trajectories):
        raise ValueError(
            f"every trajectory must have {len(times)} steps, as many as times; got {[len(tr) for tr in trajectories]}"
        )
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
    clock = fig.suptitle("")
    steps = len(times)

    def update(i):
        for dot, tr in zip(dots, trajectories):
            dot.set_offsets(tr[i])
            dot.set_color(time_colour(times[i]))
        clock.set_text(f"t = {times[i]:.2f}")

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


def curve_ride(ax: Axes, solution: Solution, curve: Callable, title: Optional[str] = None) -> Axes:
    """A ride along the curve y = curve(x) from x = 0 to x = 1 (such as `fmlib.parabola.height`).

    Draws the curve, the points the integrator visited (`solution`, one point with
    its trajectory), the curve's end (1, curve(1)) as a star, and how far from it
    the ride lands.
    """
    if not isinstance(solution, Solution) or solution.trajectory is None:
        raise ValueError(
            "the solution has no trajectory to draw: integrate with trajectory=True (fmlib.parabola.ride keeps it)"
        )
    x = np.linspace(0, 1, 200)
    heights = np.asarray(curve(x), dtype=float)
    end = np.array([1.0, float(curve(1.0))])
    ax.plot(x, heights, color=NEUTRAL, lw=1.5)
    points = _numpy(solution.trajectory[:, 0])
    ax.plot(points[:, 0], points[:, 1], "o-", color=MODEL, ms=3.5, lw=0.8)
    ax.plot(*end, marker="*", color=TARGET, ms=13, ls="none")
    miss = np.linalg.norm(points[-1] - end)
    ax.text(
        0.5, heights.max() + 0.22, f"miss {miss:.3f}\n{solution.nfe} evaluations", ha="center", va="top", fontsize=9
    )
    # The view holds the curve and every visited point, however far a coarse ride strays.
    low, high = min(heights.min(), points[:, 1].min()), max(heights.max(), points[:, 1].max())
    left, right = min(0.0, points[:, 0].min()), max(1.0, points[:, 0].max())
    ax.set(xlim=(left - 0.15, right + 0.3), ylim=(low - 0.2, high + 0.3), xlabel="x", ylabel="y")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def curve_rides(rides: dict[str, Solution], curve: Callable, title: str, columns: int = 3) -> Figure:
    """`rides` maps a panel title to a ride along `curve`; one `curve_ride` per panel, in a grid."""
    if not rides:
        raise ValueError("rides is empty: give at least one panel title with its ride")
    fig, axes = panel_grid(len(rides), columns)
    for ax, (name, solution) in zip(axes, rides.items()):
        curve_ride(ax, solution, curve, title=name)
    fig.suptitle(title)
    return fig


def warp_grid(ax: Axes, s: float, steps: int) -> Axes:
    """The warp f(τ; s) and where it puts the times of `steps` even steps (ticks on the right)."""
    steps = checks.whole_number(steps, "steps")
    t = np.linspace(0, 1, 200)
    even = np.linspace(0, 1, steps + 1)
    warped = warp_time(even, s)
    ax.plot(t, warp_time(t, s), color=NEUTRAL, lw=1.5)
    ax.hlines(warped, even, 1.0, color=LINES, lw=0.6)
    ax.plot(even, warped, "o", color=LINES, ms=3)
    ax.plot(np.ones_like(warped), warped, "_", color=MODEL, ms=14, mew=2)
    ax.set(
        xlim=(0, 1.02),
        ylim=(0, 1.02),
        xlabel="even steps  τ",
        ylabel="warped time  t = f(τ; s)",
        title=f"s = {s:.2f}: step times (green ticks)",
    )
    ax.set_aspect("equal")
    return ax


# Budgets closer than this factor to the last labelled one get a tick but no
# label: in a panel as narrow as a phone's column their labels would run together.
BUDGET_LABEL_RATIO = 2


def budget_axis(ax: Axes, budgets: Sequence[int]) -> Axes:
    """A log-scaled x axis of velocity-evaluation budgets: a tick at each budget,
    labelled with the budget itself unless it lies within BUDGET_LABEL_RATIO of
    the last labelled one (4, 8, 12, 16: 12 goes unlabelled)."""
    for budget in budgets:
        checks.positive_number(budget, "budgets (each a number of evaluations on a log scale)")
    ax.set_xscale("log")
    ticks = sorted(budgets)
    ax.set_xticks(ticks)
    labels, last = [], None
    for budget in ticks:
        spaced = last is None or budget >= BUDGET_LABEL_RATIO * last
        labels.append(str(budget) if spaced else "")
        last = budget if spaced else last
    ax.set_xticklabels(labels)
    ax.minorticks_off()
    ax.set_xlabel("velocity evaluations (NFE)")
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
