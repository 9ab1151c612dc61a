import base64

import ipywidgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import fmlib  # noqa: E402
from conftest import MIXTURE, Cases, accepted, net, refused  # noqa: E402
from fmlib.mixtures import GaussianMixture  # noqa: E402
from fmlib.widgets import MorphPanel, Panel, mixture_explorer  # noqa: E402


def test_panel_bundle_has_the_live_widget_and_a_static_picture():
    panel = mixture_explorer(MIXTURE)
    bundle, metadata = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG")
    # drawn at twice the pixels it is shown at (for high-density screens)
    assert metadata["image/png"]["width"] == int.from_bytes(png[16:20], "big") // 2
    assert set(panel.controls) == {"t", "weight", "mean1", "mean2", "std1", "std2"}


def test_panel_redraws_with_the_values_of_its_controls():
    seen = []

    def draw(size):
        seen.append(size)
        fig, ax = plt.subplots()
        ax.set(xlabel="x", ylabel="y")
        return fig

    panel = Panel({"size": ipywidgets.FloatSlider(value=1.0)}, draw)
    panel.controls["size"].value = 2.5
    assert seen[0] == 1.0 and seen[-1] == 2.5


def test_explorer_draws_the_chosen_mixture_and_the_learned_slice():
    model = fmlib.VelocityNet(dim=1, width=8, depth=1)
    panel = mixture_explorer(MIXTURE, learned=model)
    fig = panel.draw(**panel.values())
    heatmap, slice_axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert heatmap.get_xlabel() == "time t" and slice_axes.get_xlabel() == "position x"
    assert [line.get_label() for line in slice_axes.get_lines() if not line.get_label().startswith("_")] == [
        "exact",
        "learned (book's mixture)",
    ]
    plt.close("all")


def test_morph_panel_trains_the_chosen_pair_when_train_is_clicked():
    from fmlib.widgets import MorphPanel

    panel = MorphPanel(steps=2000)
    panel.controls["source"].value = "heart"
    panel.controls["target"].value = "smiley"
    panel.controls["steps"].value = 600
    panel.controls["points"].value = 1000
    panel.button.click()
    assert panel.progress.value == panel.progress.max == 600
    assert panel.model is not None and "done" in panel.status.value
    # The trained model moves hearts much closer to the smiley than they started.
    x0 = fmlib.sample("heart", 1000, seed=5)
    smiley = fmlib.sample("smiley", 1000, seed=6)
    moved = fmlib.integrate(panel.model, x0, steps=50).x
    assert fmlib.metrics.sliced_wasserstein(moved, smiley) < 0.5 * fmlib.metrics.sliced_wasserstein(x0, smiley)
    assert "text/html" in panel._repr_mimebundle_()  # the website's note
    plt.close("all")


def small_panel():
    from fmlib.widgets import MorphPanel

    return MorphPanel(source="heart", target="smiley", points=500, steps=200)


def test_morph_panel_disables_train_while_training(monkeypatch):
    panel = small_panel()
    seen = []
    show = panel.show_preview

    def watched(step, model):
        seen.append(panel.button.disabled)
        show(step, model)
        panel.button.click()  # a second click while training is ignored

    monkeypatch.setattr(panel, "show_preview", watched)
    panel.button.click()
    assert seen and all(seen), seen
    assert not panel.button.disabled and "done" in panel.status.value
    assert panel.progress.value == 200 and len(seen) == 10  # one training, not two
    plt.close("all")


def test_morph_panel_preview_has_source_generated_and_target(monkeypatch):
    panel = small_panel()
    titles = []
    draw = fmlib.viz.cloud

    def record(ax, points, colour, title=None, lim=None, **kwargs):
        titles.append(title)
        return draw(ax, points, colour, title, lim=lim, **kwargs)

    monkeypatch.setattr(fmlib.viz, "cloud", record)
    panel.show_preview(10, fmlib.VelocityNet())
    assert titles == ["source", "generated after 10 steps", "target"]
    plt.close("all")


def test_morph_panel_reports_an_interrupt_and_an_error_and_can_train_again(monkeypatch):
    panel = small_panel()

    def interrupt(step, model):
        panel.progress.value = step
        raise KeyboardInterrupt

    monkeypatch.setattr(panel, "show_preview", interrupt)
    panel.button.click()
    assert panel.status.value.startswith("interrupted after 20 of 200 steps"), panel.status.value
    assert not panel.button.disabled and panel.model is None

    def fail(step, model):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(panel, "show_preview", fail)
    panel.button.click()
    assert panel.status.value == "stopped by an error: RuntimeError: out of memory"
    assert not panel.button.disabled
    plt.close("all")


def test_in_colab_with_ipywidgets_8_the_custom_widget_manager_is_switched_on(monkeypatch):
    import sys
    import types

    from fmlib import notebook

    calls = []
    colab = types.ModuleType("google.colab")
    colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: calls.append("on"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    fmlib.widgets.mixture_explorer(MIXTURE)._repr_mimebundle_()
    assert calls == ["on"]
    monkeypatch.setattr(notebook, "IPYWIDGETS_MAJOR", 7)  # Colab's own ipywidgets 7 needs nothing
    assert notebook.enable_colab_widgets() is False and calls == ["on"]
    monkeypatch.delitem(sys.modules, "google.colab")
    assert notebook.enable_colab_widgets() is False  # not in Colab
    plt.close("all")


# --- bad input: panels (the probe is in conftest.py) ----------------------------------


def draw_nothing(**values):
    return None


case = Cases()
case("MorphPanel: unknown source", lambda: MorphPanel(source="spirl"), refused(ValueError, "source", "spiral"))
case("MorphPanel: unknown target", lambda: MorphPanel(target="hart"), refused(ValueError, "target", "heart"))
case(
    "MorphPanel: values below the sliders",
    lambda: MorphPanel(points=100, steps=50),
    accepted(lambda p: (p.values()["points"], p.values()["steps"], p.progress.max) == (100, 50, 50)),
)
case(
    "MorphPanel: values above the sliders",
    lambda: MorphPanel(points=20_000, steps=30_000),
    accepted(lambda p: (p.values()["points"], p.values()["steps"]) == (20_000, 30_000)),
)
for argument in ["points", "steps"]:
    case(
        f"MorphPanel: {argument}=0",
        lambda argument=argument: MorphPanel(**{argument: 0}),
        refused(ValueError, argument),
    )
WIDE = GaussianMixture([0.99, 0.01], [-4.0, 4.0], [2.0, 0.05])
case(
    "mixture_explorer: a mixture outside the sliders",
    lambda: mixture_explorer(WIDE).values(),
    accepted(lambda v: [v["weight"], v["mean1"], v["mean2"], v["std1"], v["std2"]] == [0.99, -4.0, 4.0, 2.0, 0.05]),
)
for label, mixture in [
    ("three components", GaussianMixture([0.2, 0.3, 0.5], [-1, 0, 1], [0.5, 0.5, 0.5])),
    ("one component", GaussianMixture([1.0], [0.0], [1.0])),
    ("a 2D mixture", GaussianMixture([0.5, 0.5], [[0, 0], [1, 1]], [1, 1])),
]:
    case(f"mixture_explorer: {label}", lambda m=mixture: mixture_explorer(m), refused(ValueError, "mixture"))
case(
    "mixture_explorer: a 2D learned model",
    lambda: mixture_explorer(MIXTURE, learned=net(dim=2)),
    refused(ValueError, "learned", "dim"),
)
case(
    "mixture_explorer: x_range reversed",
    lambda: mixture_explorer(MIXTURE, x_range=(3, -3)),
    refused(ValueError, "x_range"),
)
case("mixture_explorer: paths=0", lambda: mixture_explorer(MIXTURE, paths=0), refused(ValueError, "paths"))
case("Panel: draw gives no figure", lambda: Panel({}, draw_nothing), refused(TypeError, "draw", "Figure"))
case("Panel: a control that is no widget", lambda: Panel({"a": 5}, draw_nothing), refused(TypeError, "controls"))


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
