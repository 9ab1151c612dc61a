"""1D flows: paths in the (t, x) plane, a histogram against the exact density, the two densities beside a flow."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import checks
from ._shared import _finite, _numpy
from .page import _figure_size
from .style import LINES, MODEL, SOURCE, TARGET, Colour


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
