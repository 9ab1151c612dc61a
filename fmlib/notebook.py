"""Showing widgets in any notebook: Jupyter with ipywidgets 8, and Colab with its own ipywidgets 7.

Colab ships ipywidgets 7, whose widgets have no `_repr_mimebundle_` (they display
themselves through `_ipython_display_`), and shows ipywidgets 8 only after its
custom widget manager is switched on. `widget_bundle` gives a widget's display
data on either version, so a panel can add its static picture to it and a
progress bar can be shown again, finished, through a display handle.
"""

from __future__ import annotations

import sys

import ipywidgets

IPYWIDGETS_MAJOR = int(ipywidgets.__version__.split(".")[0])


def widget_bundle(widget: ipywidgets.Widget, **kwargs) -> dict:
    """The display data of `widget`: its plain-text form and its live view."""
    if IPYWIDGETS_MAJOR >= 8:
        return widget._repr_mimebundle_(**kwargs)
    # ipywidgets 7 builds the same data inside `_ipython_display_`.
    view = {"version_major": 2, "version_minor": 0, "model_id": widget._model_id}
    return {"text/plain": repr(widget), "application/vnd.jupyter.widget-view+json": view}


def enable_colab_widgets() -> bool:
    """In Colab with ipywidgets 8, switch on Colab's custom widget manager (8 needs it there); True if it did."""
    colab = sys.modules.get("google.colab")
    if colab is None or IPYWIDGETS_MAJOR < 8:
        return False
    colab.output.enable_custom_widget_manager()
    return True
