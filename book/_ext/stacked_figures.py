"""A Sphinx extension: a row of panels becomes a column on a phone.

When `make book` runs the chapters, fmlib.viz.page_figure gives a figure whose
panels stand in one row a second picture, the same panels stacked in one column,
in the output's metadata (key "stacked"). Shrunk to a phone's text column, a row
of three panels is shown at half its size, each panel a sixth of the column, and
its labels become unreadable; the column is shown at its own size.

This renders such an output as two images with the cell's alt text: the row
(class `row-of-panels`) and the column (class `column-of-panels`). book.css
shows one of the two, by the width of the screen; both load lazily, so that a
browser fetches only the one it shows.
"""

import dataclasses

from myst_nb.core.render import load_mime_renders


class StackedFigures:
    """A MyST-NB mime renderer for PNG outputs that carry a stacked picture."""

    @staticmethod
    def handle_mime(renderer, data, inline):
        stacked = data.output_metadata.get("image/png", {}).get("stacked")
        if inline or data.mime_type != "image/png" or not stacked:
            return None  # MyST-NB renders it as usual
        row = renderer.render_image(data)
        column = renderer.render_image(
            dataclasses.replace(
                data,
                content=stacked["png"],
                output_metadata={"image/png": {"width": stacked["width"], "height": stacked["height"]}},
            )
        )
        for image, layout in [(row[0], "row-of-panels"), (column[0], "column-of-panels")]:
            image["classes"] = [*image.get("classes", []), layout]
            image["loading"] = "lazy"  # a hidden lazy image is never fetched
        return row + column


def setup(app):
    # MyST-NB finds its mime renderers through package entry points; this one
    # belongs to the book, not to an installed package, so it joins the list
    # MyST-NB has loaded (the function caches it).
    renderers = load_mime_renders()
    if StackedFigures not in renderers:
        renderers.append(StackedFigures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
