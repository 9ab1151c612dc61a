"""How well a flow did and at what cost: the training loss, rides along a curve, the time warp, evaluation budgets."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import checks
from ..solvers import Solution
from ..warp import warp_time
from ._shared import _numpy
from .page import panel_grid
from .style import LINES, MODEL, NEUTRAL, TARGET


def loss_curve(ax: Axes, losses: Sequence[float], floor: Optional[float] = None, window: int = 100) -> Axes:
    """Training loss per step (faint) and its running mean, with the loss minimum (`floor`) as a line."""
    losses, window = np.asarray(losses), checks.whole_number(window, "window")
    ax.plot(losses, color=NEUTRAL, alpha=0.25, lw=0.5, label="loss per step")
    if len(losses) >= window:
        running = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.plot(np.arange(window - 1, len(losses)), running, color=MODEL, lw=2, label=f"mean of {window} steps")
    if floor is not None:
        ax.axhline(floor, color=TARGET, ls="--", lw=2, label=f"loss minimum = {floor:.3f}")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss (mean squared error)")
    ax.legend(fontsize=8)
    return ax


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
    """The warp f(τ; a), with slope a = `s` at the middle, and where it puts the times of `steps` even steps."""
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
        ylabel="warped time  t = f(τ; a)",
        title=f"a = {s:.2f}: step times (green ticks)",
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
