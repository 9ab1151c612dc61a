import math

import numpy as np
import pytest
import torch

import fmlib
from conftest import Cases, Number, accepted, inf_points, nan_points, refused, same
from fmlib import couplings
from fmlib.shapes import CLASSES, as_sampler, sample_labelled


@pytest.mark.parametrize("name", fmlib.SHAPES)
def test_every_shape_gives_n_finite_2d_points(name):
    x = fmlib.sample(name, 500, seed=0)
    assert x.shape == (500, 2) and x.dtype == torch.float32
    assert torch.isfinite(x).all()
    assert x.abs().max() < 8  # every shape lives at Hawley's scale, roughly [-3, 3]^2


@pytest.mark.parametrize("name", fmlib.SHAPES)
def test_same_seed_same_points_other_seed_other_points(name):
    assert torch.equal(fmlib.sample(name, 300, seed=7), fmlib.sample(name, 300, seed=7))
    assert not torch.equal(fmlib.sample(name, 300, seed=7), fmlib.sample(name, 300, seed=8))


def test_seeded_global_generator_makes_unseeded_draws_repeatable():
    torch.manual_seed(3)
    a = fmlib.sample("moons", 100)
    torch.manual_seed(3)
    assert torch.equal(a, fmlib.sample("moons", 100))


def test_hawleys_six_shapes_have_their_documented_geometry():
    n = 20_000
    square = fmlib.sample("square", n, seed=0)
    assert square.abs().max() <= 3.0 and square.abs().max() > 2.95
    gauss = fmlib.sample("gaussian", n, seed=0)
    assert torch.allclose(gauss.std(dim=0), torch.ones(2), atol=0.03)
    two = fmlib.sample("two_gaussians", n, seed=0)
    assert torch.allclose(two[:, 0].abs().mean(), torch.tensor(2.5), atol=0.1)
    spiral_radius = fmlib.sample("spiral", n, seed=0).norm(dim=1)
    assert 2.9 < spiral_radius.max() < 3.5  # three turns, one unit of radius per turn
    heart = fmlib.sample("heart", n, seed=0)
    assert fmlib.shapes._inside_heart(heart / 3).all()
    smiley = fmlib.sample("smiley", n, seed=0)
    in_smile = smiley[:, 1] < 0
    assert abs(in_smile.float().mean() - 1 / 3) < 0.02  # two eyes and a smile, equal shares


def test_checkerboard_fills_only_the_cells_of_one_colour():
    x = fmlib.sample("checkerboard", 5000, seed=0)
    cells = torch.floor((x + 3) / 1.5).long()
    assert ((cells[:, 0] + cells[:, 1]) % 2 == 0).all()
    assert len(torch.unique(cells, dim=0)) == 8


def test_unknown_shape_names_the_valid_choices():
    with pytest.raises(ValueError, match="unknown shape 'hexagon'.*gaussian.*checkerboard"):
        fmlib.sample("hexagon", 10)


@pytest.mark.parametrize("n", [0, -5, 2.5])
def test_non_positive_or_fractional_count_is_refused(n):
    with pytest.raises(ValueError, match="positive integer"):
        fmlib.sample("gaussian", n)


def test_as_sampler_accepts_names_tensors_and_callables():
    data = torch.arange(10.0).reshape(5, 2)
    batch = as_sampler(data)(100)
    assert batch.shape == (100, 2)
    assert all(any(torch.equal(row, d) for d in data) for row in batch)  # rows are resampled, not invented
    assert as_sampler("heart")(7).shape == (7, 2)
    assert as_sampler(lambda n: torch.zeros(n, 3))(4).shape == (4, 3)
    with pytest.raises(ValueError, match="choose one of"):
        as_sampler("circle")
    with pytest.raises(TypeError, match="shape name"):
        as_sampler(42)


@pytest.mark.parametrize("name", list(CLASSES))
def test_labels_match_the_points_and_cover_every_class(name):
    points, labels = sample_labelled(name, 4000, seed=0)
    assert torch.equal(points, fmlib.sample(name, 4000, seed=0))
    assert set(labels.tolist()) == set(range(CLASSES[name]))


def test_eight_gaussians_labels_are_the_angles_of_their_centres():
    points, labels = sample_labelled("eight_gaussians", 4000, seed=1)
    for c in range(8):
        centre = points[labels == c].mean(dim=0)
        expected = 2.5 * torch.tensor([math.cos(c * math.pi / 4), math.sin(c * math.pi / 4)])
        assert (centre - expected).norm() < 0.05


def test_shapes_without_classes_are_refused():
    with pytest.raises(ValueError, match="no classes"):
        sample_labelled("spiral", 10)
    with pytest.raises(ValueError, match="no classes"):
        couplings.labelled("gaussian", "spiral")


# --- bad input: sample, as_sampler (the probe is in conftest.py) ----------------------

case = Cases()
case("sample: unknown name", lambda: fmlib.sample("spirl", 10), refused(ValueError, "spirl", "spiral"))
case("sample: name not a string", lambda: fmlib.sample(None, 10), refused(Number, "shape"))
for bad in [0, -3, 2.5, "10", None, torch.tensor([10])]:
    case(f"sample: n={bad!r}", lambda bad=bad: fmlib.sample("spiral", bad), refused(Number, "n"))
for good in [np.int64(10), torch.tensor(10), 10.0, np.float64(10)]:
    case(
        f"sample: n={good!r}",
        lambda good=good: fmlib.sample("spiral", good, seed=0),
        accepted(lambda x: same(x, fmlib.sample("spiral", 10, seed=0))),
    )
for bad in ["a", 1.5, [1]]:
    case(f"sample: seed={bad!r}", lambda bad=bad: fmlib.sample("spiral", 5, seed=bad), refused(Number, "seed"))
case(
    "sample: seed=np.int64(3)",
    lambda: fmlib.sample("moons", 5, seed=np.int64(3)),
    accepted(lambda x: same(x, fmlib.sample("moons", 5, seed=3))),
)
case(
    "sample_labelled: shape without classes",
    lambda: fmlib.sample_labelled("spiral", 5),
    refused(ValueError, "spiral", "moons"),
)
case("sample_labelled: n=0", lambda: fmlib.sample_labelled("moons", 0), refused(ValueError, "n"))
case(
    "sample_labelled: n=np.int64(5)",
    lambda: fmlib.sample_labelled("moons", np.int64(5), seed=0)[1],
    accepted(lambda y: same(y, fmlib.sample_labelled("moons", 5, seed=0)[1])),
)
case("as_sampler: a 1D tensor", lambda: as_sampler(torch.randn(10)), refused(ValueError, "data", "(n, dim)"))
case("as_sampler: an empty tensor", lambda: as_sampler(torch.empty(0, 2)), refused(ValueError, "empty"))
case("as_sampler: a number", lambda: as_sampler(42), refused(TypeError, "data", "shape name"))
case("as_sampler: NaN in the samples", lambda: as_sampler(nan_points()), refused(ValueError, "data", "NaN"))
case("as_sampler: inf in the samples", lambda: as_sampler(inf_points()), refused(ValueError, "data", "NaN"))
case(
    "as_sampler: a numpy array",
    lambda: as_sampler(np.random.default_rng(0).normal(size=(20, 2)))(5),
    accepted(lambda x: isinstance(x, torch.Tensor) and x.shape == (5, 2)),
)


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
