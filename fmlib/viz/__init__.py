"""The figures and animations the chapters share.

Every function draws on the axes it is given (or makes a figure) and returns it.
A chapter calls them as `fmlib.viz.name`; each lives in the module named for
what it draws:

- `style`: the book's colours and matplotlib style (`use_book_style`);
- `page`: how a figure is shown on the page and on a phone (`page_png`), and
  `panel_grid` for a figure of many panels;
- `clouds`: 2D point clouds, a flow's snapshots and paths, pairs joined by lines;
- `fields`: velocity fields as streamlines;
- `heatmaps`: a quantity over the (t, x) plane or over the square;
- `one_dimensional`: 1D paths, histograms and the densities beside a flow;
- `images`: square images such as the digits, as a mosaic;
- `curved`: points and paths on the sphere and the torus;
- `animations`: the `animate_*` functions;
- `diagnostics`: the loss, rides along a curve, the time warp, evaluation budgets.
"""

from ..video import animate
from .animations import animate_1d_path, animate_clouds, animate_digits, animate_fields, animate_streamlines_and_paths
from .clouds import (
    cloud,
    flow_sequence,
    four_panels,
    gallery,
    jumps,
    labelled_cloud,
    labelled_clouds,
    pairing_lines,
    source_and_target,
    trajectories,
    walk,
)
from .curved import animate_sphere, doughnut, sphere_axes, sphere_paths, sphere_points, torus_paths, torus_square
from .diagnostics import BUDGET_LABEL_RATIO, budget_axis, curve_ride, curve_rides, loss_curve, warp_grid
from .fields import FRAME_GRID, FRAME_STREAMLINE_DENSITY, STREAMLINE_DENSITY, lines_field_paths, vector_field
from .heatmaps import square_heatmap, tx_heatmap, velocity_heatmap
from .images import DIGIT_CMAP, GAP, MASKED, digit_grid, digit_grids, digit_mosaic
from .one_dimensional import histogram, paths_1d, with_side_densities
from .page import (
    MIN_FONT_POINTS,
    PAGE_WIDTH,
    PHONE_COLUMN_PIXELS,
    PHONE_FIGURES_VARIABLE,
    PHONE_WIDTH,
    column_of_panels,
    page_figure,
    page_png,
    panel_grid,
    stacked_png,
)
from .style import (
    BOOK_STYLE,
    CLASS_COLOURS,
    DENSITY_CMAP,
    LINES,
    MODEL,
    NEUTRAL,
    SOURCE,
    SPEED_CMAP,
    TARGET,
    VELOCITY_CMAP,
    Colour,
    time_colour,
    use_book_style,
)

__all__ = [
    "BOOK_STYLE",
    "BUDGET_LABEL_RATIO",
    "CLASS_COLOURS",
    "Colour",
    "DENSITY_CMAP",
    "DIGIT_CMAP",
    "FRAME_GRID",
    "FRAME_STREAMLINE_DENSITY",
    "GAP",
    "LINES",
    "MASKED",
    "MIN_FONT_POINTS",
    "MODEL",
    "NEUTRAL",
    "PAGE_WIDTH",
    "PHONE_COLUMN_PIXELS",
    "PHONE_FIGURES_VARIABLE",
    "PHONE_WIDTH",
    "SOURCE",
    "SPEED_CMAP",
    "STREAMLINE_DENSITY",
    "TARGET",
    "VELOCITY_CMAP",
    "animate",
    "animate_1d_path",
    "animate_clouds",
    "animate_digits",
    "animate_fields",
    "animate_sphere",
    "animate_streamlines_and_paths",
    "budget_axis",
    "cloud",
    "column_of_panels",
    "curve_ride",
    "curve_rides",
    "digit_grid",
    "digit_grids",
    "digit_mosaic",
    "doughnut",
    "flow_sequence",
    "four_panels",
    "gallery",
    "histogram",
    "jumps",
    "labelled_cloud",
    "labelled_clouds",
    "lines_field_paths",
    "loss_curve",
    "page_figure",
    "page_png",
    "pairing_lines",
    "panel_grid",
    "paths_1d",
    "source_and_target",
    "sphere_axes",
    "sphere_paths",
    "sphere_points",
    "square_heatmap",
    "stacked_png",
    "time_colour",
    "torus_paths",
    "torus_square",
    "trajectories",
    "tx_heatmap",
    "use_book_style",
    "vector_field",
    "velocity_heatmap",
    "walk",
    "warp_grid",
    "with_side_densities",
]
