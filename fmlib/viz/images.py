"""Square images, such as the 8 x 8 digits, tiled into a mosaic with a light grey gap between them."""

from __future__ import annotations

from typing import Optional, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from .. import checks
from ._shared import _finite, _numpy
from .page import _figure_size

DIGIT_CMAP = "gray_r"  # white paper (-1), black ink (+1), as the digits were written
GAP = "#c9c9c9"  # the light grey between the tiles of a mosaic
MASKED = "#56B4E9"  # sky blue: a pixel still masked (a token of discrete flow matching)


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
    masked: Optional[torch.Tensor] = None,
) -> AxesImage:
    """Draw `images` (n, 64), values in [-1, 1], as a mosaic of `columns` per row, ink dark on white paper.

    `row_labels` and `column_labels` name the rows and columns at their centres
    (such as the class of each row). `masked`, booleans shaped like `images`,
    marks pixels not yet known, drawn in MASKED. Returns the image, whose data an animation updates.
    """
    mosaic = digit_mosaic(images, columns)
    side = _images(images)[1]
    cmap = mpl.colormaps[DIGIT_CMAP].with_extremes(bad=GAP)
    shown = ax.imshow(mosaic, cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
    if masked is not None:
        hidden = _numpy(masked)
        if hidden.shape != _numpy(images).shape or hidden.dtype != bool:
            raise ValueError(f"masked must be booleans shaped like images, {tuple(_numpy(images).shape)}")
        over = digit_mosaic(torch.as_tensor(hidden, dtype=torch.float64) * 2 - 1, columns) > 0
        ax.imshow(np.ma.masked_where(~over, over), cmap=mpl.colors.ListedColormap([MASKED]), interpolation="nearest")

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
