"""How a figure is shown on the page, and on a phone.

A figure is shown as `page_png` draws it: no wider than the text column, no
text smaller than 9 points, sharp on a high-density screen. When the website's
build runs the chapters (PHONE_FIGURES_VARIABLE), a row of panels also carries
`stacked_png`'s column of the same panels, which the website shows on a phone
instead. A figure of many panels is laid out by `panel_grid`, within the page's
width.
"""

from __future__ import annotations

import base64
import io
import pickle
import struct
from typing import Optional

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text

from .. import checks

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
