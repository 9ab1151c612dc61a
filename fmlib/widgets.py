"""Interactive panels for the chapters.

A `Panel` is a row of ipywidgets controls over a figure that is redrawn when a
control moves. In Jupyter and Colab it is live. It also carries a picture of its
default state, which is what a page without a kernel (the book's website) shows.
"""

from __future__ import annotations

import base64
from typing import Callable, Optional

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from IPython.display import Image, display
from matplotlib.figure import Figure
from torch import nn

from . import checks, viz
from .devices import default_device, device_of
from .live import LiveFigure, colour_table, figure_html, picture_html
from .metrics import sliced_wasserstein
from .mixtures import GaussianMixture
from .models import VelocityNet
from .notebook import enable_colab_widgets, widget_bundle
from .shapes import SHAPES, sample
from .solvers import integrate
from .training import train


def _png(fig):
    """`fig` as the page shows it (`viz.page_png`), base64-encoded, with its size; the figure is closed."""
    png, size = viz.page_png(fig)
    plt.close(fig)
    return base64.b64encode(png).decode("ascii"), size


class Panel:
    """Controls (a dict of name -> widget) and `draw(**values) -> Figure`, redrawn on every change."""

    def __init__(
        self, controls: dict[str, widgets.ValueWidget], draw: Callable[..., Figure], live: Optional[LiveFigure] = None
    ):
        """`live`, when given, is the drawing the website shows in the panel's place, redrawn in the page."""
        if live is not None and not isinstance(live, LiveFigure):
            raise TypeError(f"live must be a fmlib.live.LiveFigure or None, got {live!r:.60}")
        if not isinstance(controls, dict) or not all(isinstance(c, widgets.Widget) for c in controls.values()):
            raise TypeError("controls must be a dict of name -> ipywidgets control, such as {'t': FloatSlider()}")
        if not callable(draw):
            raise TypeError(f"draw must be a function draw(**values) -> Figure, got {draw!r}")
        self.controls, self.draw, self.live = controls, draw, live
        self.output = widgets.Output()
        self.box = widgets.VBox([widgets.HBox(list(controls.values()), layout={"flex_flow": "row wrap"}), self.output])
        self.default_png, self.default_size = self.redraw()  # the first drawing doubles as the static fallback
        for control in controls.values():
            control.observe(self.redraw, names="value")

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self, change: Optional[dict] = None) -> tuple[str, dict]:
        """Draw the current state into the panel; returns it as a base64 PNG, with the size to show it at."""
        fig = self.draw(**self.values())
        if not isinstance(fig, Figure):
            raise TypeError(f"draw must return a matplotlib Figure (plt.subplots gives one), got {type(fig).__name__}")
        png, size = _png(fig)
        with self.output:
            self.output.clear_output(wait=True)
            display(Image(data=base64.b64decode(png), **size))
        return png, size

    def _repr_mimebundle_(self, **kwargs):
        enable_colab_widgets()
        bundle = widget_bundle(self.box, **kwargs)
        bundle["image/png"] = self.default_png  # the static fallback
        if self.live is not None:  # the website shows text/html: the live figure, with the picture as its fallback
            picture = picture_html(self.default_png, self.default_size, self.live.description)
            bundle["text/html"] = figure_html(self.live, self.controls, picture)
        return bundle, {"image/png": self.default_size}


def _slider(description, value, low, high, step):
    return widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=False,
        readout_format=".2f",
        style={"description_width": "initial"},
        layout={"width": "240px"},
    )


def mixture_explorer(
    mixture: GaussianMixture,
    learned: Optional[nn.Module] = None,
    x_range: tuple[float, float] = (-3, 3),
    paths: int = 24,
) -> Panel:
    """Explore the exact velocity field of a two-component 1D mixture target.

    Sliders: the time t of a slice, and the mixture's weight, means and stds. Left:
    the exact field over (t, x) with pathlines from N(0, 1) quantiles. Right: the
    field at time t, with the `learned` model's (trained on `mixture`) for comparison.
    A slider's range widens to hold the mixture's own value when it lies outside.
    """
    if not isinstance(mixture, GaussianMixture) or mixture.dim != 1 or len(mixture.weights) != 2:
        raise ValueError(
            "mixture must be a 1D mixture of two Gaussians (the sliders hold two weights, means and stds), "
            f"such as GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25]); got {mixture!r:.60}"
        )
    if learned is not None and getattr(learned, "dim", 1) != 1:
        raise ValueError(f"learned must be a 1D model, VelocityNet(dim=1); this one has dim={learned.dim}")
    checks.interval(x_range, "x_range")
    paths = checks.whole_number(paths, "paths")
    (w1, _), (m1, m2), (s1, s2) = mixture.weights.tolist(), mixture.means[:, 0].tolist(), mixture.stds.tolist()
    controls = {
        "t": _slider("slice at t", 0.5, 0.0, 1.0, 0.05),
        "weight": _slider("weight 1", w1, min(0.05, w1), max(0.95, w1), 0.05),
        "mean1": _slider("mean 1", m1, min(-2.5, m1, m2), max(2.5, m1, m2), 0.05),
        "mean2": _slider("mean 2", m2, min(-2.5, m1, m2), max(2.5, m1, m2), 0.05),
        "std1": _slider("std 1", s1, min(0.1, s1, s2), max(1.5, s1, s2), 0.05),
        "std2": _slider("std 2", s2, min(0.1, s1, s2), max(1.5, s1, s2), 0.05),
    }
    starts = torch.special.ndtri((torch.arange(paths) + 0.5) / paths)[:, None]

    def draw(t, weight, mean1, mean2, std1, std2):
        chosen = GaussianMixture([weight, 1 - weight], [mean1, mean2], [std1, std2])
        fig, (left, right) = plt.subplots(
            1, 2, figsize=(10, 3.8), constrained_layout=True, gridspec_kw={"width_ratios": [3, 2]}
        )
        viz.velocity_heatmap(left, chosen.velocity, x_range, title="exact velocity field and pathlines")
        flow = integrate(chosen.velocity, starts, steps=60, trajectory=True)
        viz.paths_1d(left, flow.times, flow.trajectory[:, :, 0], colour="black", alpha=0.7)
        left.axvline(t, color="black", ls=":", lw=1.5)
        left.set_ylim(*x_range)
        xs = torch.linspace(*x_range, 300)[:, None]
        with torch.no_grad():
            right.plot(xs[:, 0], chosen.velocity(xs, t)[:, 0], color=viz.TARGET, lw=2, label="exact")
            if learned is not None:
                v = learned(xs.to(device_of(learned)), t).cpu()[:, 0]
                right.plot(xs[:, 0], v, color=viz.MODEL, lw=2, ls="--", label="learned (book's mixture)")
        right.axhline(0, color=viz.NEUTRAL, lw=0.5)
        right.set_xlabel("position x")
        right.set_ylabel(f"velocity at t = {t:.2f}")
        right.set_title(f"a slice of the field at t = {t:.2f}")
        right.legend(fontsize=8)
        return fig

    live = LiveFigure(
        "mixture",
        "The exact density and velocity of the flow onto a two-component mixture over time and position, "
        "and the velocity at the chosen time, redrawn as the sliders move.",
        dict(
            x_range=list(x_range),
            vmax=4.0,
            starts=starts[:, 0].tolist(),
            steps=60,
            velocity_colours=colour_table(viz.VELOCITY_CMAP),
            density_colours=colour_table(viz.DENSITY_CMAP),
        ),
    )
    return Panel(controls, draw, live)


MORPH_DATA = "../_static/live/morph-models.js"
"""Where a chapter page finds the morph playground's networks (`scripts/export_live_models.py` writes them)."""


class MorphPanel:
    """Pick two shapes, train, watch the morph: the 2D-morphing chapter's playground.

    Dropdowns for the source and target shapes, sliders for the number of points
    and of training steps, and a Train button. While training, a progress bar and
    a preview of the generated cloud update; afterwards the morph is animated.
    The trained `model` and its sliced W2 `distance` to the target stay on the panel.
    A page without a kernel shows a note instead of dead controls.
    """

    def __init__(self, source: str = "gaussian", target: str = "spiral", points: int = 2000, steps: int = 2000):
        """The controls' starting values; `steps` counts training iterations. A slider widens to hold its value."""
        for name, shape in [("source", source), ("target", target)]:
            if shape not in SHAPES:
                raise ValueError(f"unknown shape {shape!r} for {name}; choose one of {', '.join(SHAPES)}")
        points, steps = checks.whole_number(points, "points"), checks.whole_number(steps, "steps")
        style = {"description_width": "initial"}
        self.controls = {
            "source": widgets.Dropdown(options=SHAPES, value=source, description="source", style=style),
            "target": widgets.Dropdown(options=SHAPES, value=target, description="target", style=style),
            "points": widgets.IntSlider(
                value=points, min=min(500, points), max=max(5000, points), step=500, description="points", style=style
            ),
            "steps": widgets.IntSlider(
                value=steps,
                min=min(200, steps),
                max=max(10000, steps),
                step=200,
                description="training steps",
                style=style,
            ),
        }
        self.button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.progress = widgets.IntProgress(value=0, min=0, max=steps, description="progress")
        self.status = widgets.Label("press Train")
        self.preview, self.animation = widgets.Output(), widgets.Output()
        self.model = self.distance = None
        self.button.on_click(self.train)
        self.box = widgets.VBox(
            [
                widgets.HBox(list(self.controls.values()), layout={"flex_flow": "row wrap"}),
                widgets.HBox([self.button, self.progress, self.status]),
                self.preview,
                self.animation,
            ]
        )

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def show_preview(self, step: int, model: nn.Module) -> None:
        """The training callback: the progress after `step` iterations, and the cloud the model makes now.

        The target is drawn beside the generated cloud, on the same scale, to compare.
        """
        self.progress.value = step
        chosen = self.values()
        x0 = sample(chosen["source"], chosen["points"], seed=0)
        generated = integrate(model, x0, steps=50, method="euler").x
        target = sample(chosen["target"], chosen["points"], seed=1)
        with self.preview:
            self.preview.clear_output(wait=True)
            fig, axes = viz.panel_grid(3, columns=3, size=2.8)
            lim = max(float(c.abs().max()) for c in (x0, generated.cpu(), target)) * 1.05
            for ax, points, colour, title in zip(
                axes,
                (x0, generated, target),
                (viz.SOURCE, viz.MODEL, viz.TARGET),
                ("source", f"generated after {step} steps", "target"),
            ):
                viz.cloud(ax, points, colour, title, lim=lim)
            display(fig)
            plt.close(fig)

    def train(self, _button: Optional[widgets.Button] = None) -> None:
        """Train a model on the chosen shapes, then show the morph and its distance to the target.

        The Train button is disabled while it runs, so a second click cannot queue a
        second training; an interrupt (Kernel > Interrupt) or an error is reported in
        the status line, and the panel is ready to train again.
        """
        if self.button.disabled:
            return
        self.button.disabled = True
        chosen = self.values()
        self.progress.max, self.progress.value = chosen["steps"], 0
        self.status.value = f"training {chosen['source']} -> {chosen['target']} ..."
        try:
            self._train_and_show(chosen)
        except KeyboardInterrupt:
            self.status.value = (
                f"interrupted after {self.progress.value} of {chosen['steps']} steps: press Train to start again"
            )
        except Exception as error:  # a button's callback has no cell to show a traceback in
            self.status.value = f"stopped by an error: {type(error).__name__}: {error}"
        finally:
            self.button.disabled = False

    def _train_and_show(self, chosen: dict) -> None:
        model = VelocityNet().to(default_device())
        train(
            model,
            chosen["source"],
            chosen["target"],
            steps=chosen["steps"],
            progress=False,
            callback=self.show_preview,
            callback_every=max(chosen["steps"] // 10, 1),
        )
        flow = integrate(model, sample(chosen["source"], chosen["points"], seed=0), steps=60, trajectory=True)
        self.model = model
        self.distance = sliced_wasserstein(flow.x, sample(chosen["target"], chosen["points"], seed=1))
        self.status.value = "rendering the morph ..."
        with self.animation:
            self.animation.clear_output(wait=True)
            display(
                viz.animate_clouds(flow.trajectory, flow.times, titles=[f"{chosen['source']} to {chosen['target']}"])
            )
        self.status.value = f"done: sliced W2 to the target = {self.distance:.3f}"

    def _repr_mimebundle_(self, **kwargs):
        enable_colab_widgets()
        bundle = widget_bundle(self.box, **kwargs)
        note = (
            "<p><em>An interactive panel stands here: run this cell in Jupyter or Colab "
            "to pick two shapes, train and watch them morph. Without a running "
            "kernel it cannot work; the figures around it show what it does.</em></p>"
        )
        chosen = self.values()
        live = LiveFigure(
            "morph",
            f"Points flowing from a {chosen['source']} cloud to a {chosen['target']} cloud along a trained "
            "velocity field, with controls for the shapes, the integrator, its steps, the time warp and the time.",
            dict(data=MORPH_DATA, source=chosen["source"], target=chosen["target"]),
        )
        # The website shows text/html: a playground that runs networks trained when the book was built.
        bundle["text/html"] = figure_html(live, {}, note)
        return bundle
