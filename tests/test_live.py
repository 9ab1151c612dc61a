"""fmlib.live: what the website's live figures are given (what they compute is tested in a browser: test_website.py)."""

import html
import json
import pathlib
import re

import ipywidgets as widgets
import pytest
import torch

import fmlib
from fmlib import live

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = (ROOT / "book" / "_static" / "live.js").read_text()


def test_the_page_knows_every_drawing_fmlib_names():
    drawings = re.search(r"const FIGURES = \{([^}]*)\}", SCRIPT).group(1)
    assert sorted(re.findall(r"(\w+):", drawings)) == sorted(live.DRAWINGS)
    with pytest.raises(ValueError, match="mixture, warp, morph"):
        live.LiveFigure("spiral", "A figure the page cannot draw at all.")
    with pytest.raises(ValueError, match="screen readers"):
        live.LiveFigure("warp", "a warp")


def test_controls_are_copied_with_their_ranges_and_values():
    slider = widgets.FloatSlider(value=0.5, min=0.0, max=1.5, step=0.05, description="s")
    steps = widgets.IntSlider(value=20, min=4, max=60, description="steps")
    choice = widgets.Dropdown(options=[1, 2, 3], value=2, description="class")
    assert live.control_spec("s", slider) == dict(
        name="s", kind="range", label="s", min=0.0, max=1.5, step=0.05, value=0.5, whole=False
    )
    assert live.control_spec("steps", steps)["whole"] is True
    expected = dict(name="label", kind="choice", label="class", options=[1, 2, 3], value=2)
    assert live.control_spec("label", choice) == expected
    with pytest.raises(TypeError, match="slider, a dropdown or toggle buttons"):
        live.control_spec("go", widgets.Button(description="go"))


def test_the_element_carries_its_settings_controls_and_fallback():
    figure = live.LiveFigure("warp", 'A "quoted" description of the ride.', {"length": 2.5})
    steps = widgets.IntSlider(value=20, min=4, max=60, description="steps")
    text = live.figure_html(figure, {"steps": steps}, "<img alt='x'>")
    config = re.search(r"data-config='([^']*)'", text).group(1)
    config = json.loads(html.unescape(config))
    assert config["length"] == 2.5 and config["palette"]["model"] == fmlib.viz.MODEL
    assert config["controls"] == [live.control_spec("steps", steps)]
    assert text.endswith("<img alt='x'></div>") and "&quot;quoted&quot;" in text


def test_a_panel_given_a_live_figure_shows_it_to_html_with_its_picture_inside():
    mixture = fmlib.mixtures.GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])
    bundle, _ = fmlib.widgets.mixture_explorer(mixture)._repr_mimebundle_()
    assert bundle["text/html"].startswith('<div class="fm-live" data-figure="mixture"')
    assert bundle["image/png"] in bundle["text/html"]  # the fallback is the panel's own picture
    with pytest.raises(TypeError, match="LiveFigure"):
        fmlib.widgets.Panel({"s": widgets.FloatSlider()}, lambda s: None, live="warp")


def test_colour_tables_are_matplotlibs():
    table = bytes.fromhex(live.colour_table("viridis"))
    assert len(table) == 3 * 256
    assert list(table[:3]) == [68, 1, 84] and list(table[-3:]) == [253, 231, 37]  # viridis' two ends


def test_exported_weights_are_the_networks_rounded_to_float16():
    torch.manual_seed(0)
    model = fmlib.VelocityNet()
    weights, layers = live.export_weights(model)
    assert layers == [[3, 64], [64, 64], [64, 64], [64, 2]]
    rounded = fmlib.VelocityNet().double()
    rounded.load_state_dict({k: v.half().double() for k, v in model.state_dict().items()})
    x = torch.randn(50, 2, dtype=torch.float64)
    velocity = live.exported_velocity(weights, layers)
    with torch.no_grad():
        assert torch.allclose(velocity(x, 0.3), rounded(x, 0.3), atol=1e-12)
        change = (velocity(x, 0.3) - model(x.float(), 0.3).double()).abs().max().item()
    assert 0 < change < 1e-2  # rounding changes the output, a little


def test_decode_half_reads_what_was_written():
    values = torch.tensor([0.0, -2.5, 1 / 3, 65504.0, 6e-8])
    decoded = live.decode_half(live._half_base64(values))
    assert torch.equal(decoded, values.half().double())


def test_sliced_wasserstein_projects_onto_its_directions():
    directions = fmlib.metrics.projection_directions(2)
    assert directions.shape == (2, 256)
    assert torch.allclose(directions.norm(dim=0), torch.ones(256, dtype=torch.float64))
    a, b = torch.randn(300, 2, dtype=torch.float64), torch.randn(300, 2, dtype=torch.float64) + 1
    gaps = (a @ directions).sort(dim=0).values - (b @ directions).sort(dim=0).values
    assert fmlib.metrics.sliced_wasserstein(a, b) == pytest.approx(gaps.pow(2).mean().sqrt().item(), rel=1e-12)


def test_the_morph_pairs_cover_every_ordered_pair_once_with_the_backward_runs():
    pairs = live.morph_pairs()
    assert len(pairs) == 15 and len(set(pairs)) == 15
    ordered = set(pairs) | {(b, a) for a, b in pairs}
    assert ordered == {(a, b) for a in live.MORPH_SHAPES for b in live.MORPH_SHAPES if a != b}


def test_rounding_the_morph_networks_to_float16_leaves_their_samples_as_good():
    # The playground's networks are the book's trained ones with float16 weights (half
    # the bytes): the distance of their samples to the target moves by well under 1e-3.
    for source, target in live.morph_pairs():
        model = fmlib.trained_model(source, target, progress=False)
        rounded = live.exported_velocity(*live.export_weights(model))
        x0, goal = fmlib.sample(source, 2000, seed=0).double(), fmlib.sample(target, 2000, seed=1)
        exact = fmlib.integrate(lambda x, t, model=model: model(x.float(), t).double(), x0, steps=8).x
        served = fmlib.integrate(rounded, x0, steps=8).x
        change = fmlib.metrics.sliced_wasserstein(served, goal) - fmlib.metrics.sliced_wasserstein(exact, goal)
        assert abs(change) < 1e-3, (source, target, change)
        assert (served - exact).abs().max() > 0  # the rounding is there
