"""The book's colours and matplotlib style.

Colours are from Wong's colour-blind-safe palette: the source is blue, the
target vermillion, the model's samples green, straight training lines orange.
`use_book_style()` sets matplotlib's defaults to the book's look; a chapter
calls it once, after its imports.
"""

from __future__ import annotations

import os
from typing import Union

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from ..video import ffmpeg_executable
from .page import PHONE_FIGURES_VARIABLE, page_figure, page_png

SOURCE = "#0072B2"  # blue
TARGET = "#D55E00"  # vermillion
MODEL = "#009E73"  # bluish green
LINES = "#E69F00"  # orange
NEUTRAL = "#555555"
# One colour per class (Wong's eight, black last) for labelled shapes.
CLASS_COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
Colour = Union[str, tuple[float, ...]]  # anything matplotlib takes as a colour
SPEED_CMAP = "viridis"
DENSITY_CMAP = "viridis"
VELOCITY_CMAP = "RdBu_r"  # diverging: red moves up (v > 0), blue moves down
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


def time_colour(t: float) -> tuple[float, float, float]:
    """The colour of a cloud at time t: blue at 0, vermillion at 1."""
    if not -1e-6 <= t <= 1 + 1e-6:
        raise ValueError(f"t must be a time between 0 and 1, got {t}")
    t = min(max(t, 0.0), 1.0)
    return tuple((1 - t) * np.array(to_rgb(SOURCE)) + t * np.array(to_rgb(TARGET)))
