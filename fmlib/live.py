"""Live figures for the website: what fmlib hands the script that redraws a panel in the page.

The book's website has no Python behind it, so its key panels are redrawn by a
small script served with the site (`book/_static/live.js`), with no kernel and
no network. fmlib gives that script what it cannot compute alone:

- `LiveFigure`: which drawing of the script stands in for a panel, and the
  settings it needs besides the panel's own controls (which it copies, so the
  page and Jupyter offer the same sliders);
- `figure_html`: the page's element for it, holding the panel's picture, which
  stays on the page when JavaScript is off;
- `morph_models`: for the 2D morph, one small trained network per pair of
  `MORPH_SHAPES`, with weights rounded to float16 (half the bytes; the tests
  measure what that changes), the clouds it starts from and compares with, and
  reference answers computed here by `fmlib.integrate`, which the page must
  reproduce to 1e-4 (the browser tests check it).

    python scripts/export_live_models.py     # writes the morph's data for the site
"""

from __future__ import annotations

import base64
import html
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib import colormaps
from torch import nn

from . import parabola, viz
from .cache import trained_model
from .metrics import projection_directions
from .models import VelocityNet
from .recipes import BOOK_2D, Recipe
from .shapes import SHAPES, sample
from .solvers import STEPPERS, backwards, integrate

MORPH_SHAPES = SHAPES[:6]
"""The shapes of Hawley's tutorial: the morph playground offers every ordered pair of them."""
DRAWINGS = ("mixture", "warp", "morph")
"""The drawings live.js knows."""
REFERENCE_POINTS = 16  # how many points the page's agreement check integrates
PALETTE = {
    "source": viz.SOURCE,
    "target": viz.TARGET,
    "model": viz.MODEL,
    "lines": viz.LINES,
    "neutral": viz.NEUTRAL,
}


@dataclass(frozen=True)
class LiveFigure:
    """A panel's stand-in on the website: `name`, a drawing in live.js, with the `settings` it needs.

    `description` is read to screen readers in place of the drawing.
    """

    name: str
    description: str
    settings: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.name not in DRAWINGS:
            raise ValueError(f"unknown live figure {self.name!r}; the page can draw {', '.join(DRAWINGS)}")
        if len(str(self.description).split()) < 5:
            raise ValueError("description must say in a sentence what the figure shows, for screen readers")


def control_spec(name: str, control: widgets.Widget) -> dict:
    """An ipywidgets control as the page rebuilds it: a range slider or a choice, with its label and value."""
    label = control.description or name
    if isinstance(control, (widgets.FloatSlider, widgets.IntSlider)):
        return dict(
            name=name,
            kind="range",
            label=label,
            min=control.min,
            max=control.max,
            step=control.step,
            value=control.value,
            whole=isinstance(control, widgets.IntSlider),
        )
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons)):
        return dict(name=name, kind="choice", label=label, options=list(control.options), value=control.value)
    raise TypeError(f"the page cannot rebuild a {type(control).__name__}: use a slider, a dropdown or toggle buttons")


def colour_table(name: str, size: int = 256) -> str:
    """Matplotlib's colour map `name` as `size` RGB colours in hex, so the page colours as the book's figures do."""
    rgb = (colormaps[name](np.linspace(0, 1, size))[:, :3] * 255).round().astype(np.uint8)
    return rgb.tobytes().hex()


def parabola_ride(method: str = "euler") -> LiveFigure:
    """The time-warp chapter's panel on the page: the warp's step times, and the ride along the parabola they give.

    The panel's controls are `s` (the warp's slope) and `steps`; the rides use `method`.
    """
    if method not in STEPPERS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(STEPPERS)}")
    return LiveFigure(
        "warp",
        f"The time warp's step times, and the ride along the parabola they give ({method} steps), "
        "with how far it lands from the curve's end, redrawn as the sliders move.",
        dict(length=parabola.LENGTH, method=method),
    )


def picture_html(picture: str, size: Optional[dict], description: str) -> str:
    """An <img> of a base64 PNG, shown at `size` ({"width": ..., "height": ...}), named by `description`."""
    attributes = "".join(f' {key}="{value}"' for key, value in (size or {}).items())
    return f'<img src="data:image/png;base64,{picture}" alt="{html.escape(description)}"{attributes}>'


def figure_html(figure: LiveFigure, controls: dict, fallback: str) -> str:
    """The page's element for `figure`: its settings and the panel's `controls` as data, around `fallback`.

    live.js replaces the `fallback` HTML (the panel's picture, or a note) with the
    live drawing; without JavaScript the fallback stays.
    """
    config = {**figure.settings, "palette": PALETTE}
    config["controls"] = [control_spec(name, control) for name, control in controls.items()]
    return (
        f'<div class="fm-live" data-figure="{figure.name}" data-description="{html.escape(figure.description)}" '
        f"data-config='{html.escape(json.dumps(config), quote=True)}'>{fallback}</div>"
    )


# --- the 2D morph: small trained networks, exported -----------------------------


def morph_pairs() -> list[tuple[str, str]]:
    """The pairs with a network of their own: each unordered pair of MORPH_SHAPES once, trained from first to second.

    The other direction needs no network: the page runs the same flow backwards
    (`fmlib.solvers.backwards`), from t = 1 to t = 0.
    """
    return list(itertools.combinations(MORPH_SHAPES, 2))


def _half_base64(values: torch.Tensor) -> str:
    return base64.b64encode(values.detach().cpu().numpy().astype("<f2").tobytes()).decode("ascii")


def decode_half(text: str) -> torch.Tensor:
    """The float16 numbers `_half_base64` wrote, as a flat float64 tensor."""
    return torch.from_numpy(np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float64))


def export_weights(model: nn.Module) -> tuple[str, list]:
    """A VelocityNet's weights as the page reads them, and its layers' sizes [[inputs, outputs], ...].

    The weights are float16 in base64, layer after layer: the weight matrix row by row, then the bias.
    """
    linears = [layer for layer in model.net if isinstance(layer, nn.Linear)]
    flat = torch.cat([torch.cat([layer.weight.detach().flatten(), layer.bias.detach()]) for layer in linears])
    return _half_base64(flat), [[layer.in_features, layer.out_features] for layer in linears]


def exported_velocity(weights: str, layers: list) -> Callable:
    """v(x, t) of the float64 `VelocityNet` a page builds from one exported model (`morph_models`'s "models" entry).

    The weights are the trained network's, rounded to float16; the page computes with them in float64, as this does.
    """
    model = VelocityNet(dim=layers[-1][1], width=layers[0][1], depth=len(layers) - 1).double()
    flat, start = decode_half(weights), 0
    for parameter in model.parameters():  # layer after layer, weight then bias, as export_weights wrote them
        parameter.data = flat[start : start + parameter.numel()].reshape(parameter.shape).clone()
        start += parameter.numel()
    return lambda x, t: model(x.double(), t)


def morph_models(points: int = 2000, recipe: Recipe = BOOK_2D) -> dict:
    """Everything the morph playground needs, as plain JSON data.

    One network per `morph_pairs()` (trained with `recipe` by
    `fmlib.trained_model`, so cached), its weights as float16 in base64, layer
    after layer (weight rows, then bias); `points` source points (seed 0) and
    target points (seed 1) of every shape, as float16; the directions of
    `metrics.sliced_wasserstein`, so the page's distance is fmlib's; and
    reference answers: the first REFERENCE_POINTS source points of the first
    pair integrated here, forwards and backwards, by each method.
    """
    models = {}
    for source, target in morph_pairs():
        models[f"{source}>{target}"], layers = export_weights(trained_model(source, target, recipe, progress=False))
    clouds = {
        role: {name: _half_base64(sample(name, points, seed=seed)) for name in MORPH_SHAPES}
        for role, seed in (("sources", 0), ("targets", 1))
    }
    first = next(iter(models))
    field = exported_velocity(models[first], layers)
    start = decode_half(clouds["sources"][first.split(">")[0]]).reshape(-1, 2)[:REFERENCE_POINTS]
    settings = dict(steps=7, warp=0.5)
    reference = dict(model=first, x0=start.flatten().tolist(), **settings)
    for direction, velocity in (("forwards", field), ("backwards", backwards(field))):
        reference[direction] = {
            method: integrate(velocity, start, method=method, **settings).x.flatten().tolist()
            for method in ("euler", "midpoint", "rk4")
        }
    return dict(
        shapes=list(MORPH_SHAPES),
        points=points,
        layers=layers,
        models=models,
        **clouds,
        directions=projection_directions(2).T.tolist(),
        reference=reference,
    )


def write_morph_models(path: Path, **settings) -> int:
    """Write `morph_models(**settings)` as a script the page loads (works from a file:// page too); returns bytes."""
    text = "window.FMLiveData = window.FMLiveData || {};\nFMLiveData.morph = " + json.dumps(morph_models(**settings))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + ";\n")
    return len(text)
