import math

import numpy as np
import pytest
import torch

import fmlib
from conftest import Cases, Number, X, Y, accepted, inf_points, nan_points, refused, swirl
from fmlib.metrics import energy_distance, field_rmse, sliced_wasserstein, straightness, wasserstein_1d
from fmlib.mixtures import GaussianMixture

BOOK_MIXTURE = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])


@pytest.mark.parametrize("distance", [sliced_wasserstein, energy_distance])
def test_zero_for_identical_clouds(distance):
    a = fmlib.sample("spiral", 500, seed=0)
    assert distance(a, a.clone()) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("distance", [sliced_wasserstein, energy_distance])
def test_positive_and_growing_with_a_shift(distance):
    a = fmlib.sample("gaussian", 500, seed=0)
    values = [distance(a, a + torch.tensor([shift, 0.0])) for shift in [0.25, 0.5, 1.0, 2.0]]
    assert values[0] > 0
    assert all(x < y for x, y in zip(values, values[1:]))


def test_sliced_wasserstein_of_a_shift_has_its_closed_form():
    # Shifting a cloud by c moves every projection onto direction u by u.c, so
    # SW2^2 = E_u[(u.c)^2] = |c|^2 / d for directions uniform on the sphere.
    a = fmlib.sample("heart", 400, seed=1)
    c = torch.tensor([1.2, -0.5])
    measured = sliced_wasserstein(a, a + c, projections=4000)
    assert measured == pytest.approx(c.norm().item() / math.sqrt(2), rel=0.02)


def test_sliced_wasserstein_compares_clouds_of_different_sizes():
    a, b = fmlib.sample("moons", 300, seed=0), fmlib.sample("moons", 700, seed=1)
    assert 0 < sliced_wasserstein(a, b) < 0.3
    assert sliced_wasserstein(a, b + 3) > 1.5


def test_energy_distance_of_two_points_is_twice_their_gap():
    # Point masses at 0 and c: 2|c| - 0 - 0.
    assert energy_distance(torch.zeros(1, 2), torch.tensor([[3.0, 4.0]])) == pytest.approx(10.0)


def test_same_seed_same_value():
    a, b = fmlib.sample("square", 200, seed=0), fmlib.sample("heart", 200, seed=0)
    assert sliced_wasserstein(a, b, seed=5) == sliced_wasserstein(a, b, seed=5)


def test_straightness_closed_forms():
    x0 = torch.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    # Constant velocity: straight paths, zero.
    assert straightness(lambda x, t: torch.ones_like(x), x0) < 1e-20

    # Rotation by one radian: |v|^2 - |chord|^2 = r^2 (1 - 4 sin^2(1/2)), averaged over the points.
    def rotation(x, t):
        return torch.stack([-x[:, 1], x[:, 0]], dim=1)

    exact = (1 + 4) / 2 * (1 - 4 * math.sin(0.5) ** 2)
    assert abs(straightness(rotation, x0) - exact) < 1e-3 * exact


def test_wasserstein_1d_of_a_shift_is_the_shift():
    a = torch.randn(1000)
    assert wasserstein_1d(a, a + 0.7) == pytest.approx(0.7)
    assert wasserstein_1d(a, a.flip(0)) == pytest.approx(0.0, abs=1e-12)  # order does not matter


def test_field_rmse_is_zero_for_the_same_field_and_the_offset_otherwise():
    x, t = torch.randn(500, 1), torch.rand(500, 1)
    assert field_rmse(BOOK_MIXTURE.velocity, BOOK_MIXTURE.velocity, x, t) == 0.0
    shifted = lambda x, t: BOOK_MIXTURE.velocity(x, t) + 0.25  # noqa: E731
    assert field_rmse(shifted, BOOK_MIXTURE.velocity, x, t) == pytest.approx(0.25)


# --- bad input: distances (the probe is in conftest.py) -------------------------------

case = Cases()
for name, distance in [
    ("sliced_wasserstein", sliced_wasserstein),
    ("energy_distance", energy_distance),
]:
    case(f"{name}: dims differ", lambda d=distance: d(X, torch.randn(16, 3)), refused(ValueError, "a", "b"))
    case(f"{name}: a 1D cloud", lambda d=distance: d(torch.randn(16), Y), refused(ValueError, "a"))
    case(f"{name}: an empty cloud", lambda d=distance: d(X, torch.empty(0, 2)), refused(ValueError, "b", "empty"))
    case(f"{name}: NaN", lambda d=distance: d(X, nan_points()), refused(ValueError, "b", "NaN"))
    case(f"{name}: inf", lambda d=distance: d(inf_points(), Y), refused(ValueError, "a", "NaN"))
    case(
        f"{name}: numpy clouds",
        lambda d=distance: d(X.numpy(), Y.numpy()),
        accepted(lambda r, d=distance: r == d(X, Y)),
    )
    case(
        f"{name}: float64 and float32",
        lambda d=distance: d(X.double(), Y),
        accepted(lambda r, d=distance: r == d(X, Y)),
    )
for bad in [0, 2.5]:
    case(
        f"sliced_wasserstein: projections={bad}",
        lambda bad=bad: sliced_wasserstein(X, Y, projections=bad),
        refused(Number, "projections"),
    )
case(
    "sliced_wasserstein: projections=np.int64(64)",
    lambda: sliced_wasserstein(X, Y, projections=np.int64(64)),
    accepted(lambda r: r == sliced_wasserstein(X, Y, projections=64)),
)
case(
    "wasserstein_1d: 2D clouds",
    lambda: wasserstein_1d(X, X.flip(1)),
    refused(ValueError, "a", "sliced_wasserstein"),
)
case("wasserstein_1d: NaN", lambda: wasserstein_1d(X[:, 0], nan_points()[:, 0]), refused(ValueError, "NaN"))
case(
    "wasserstein_1d: empty",
    lambda: wasserstein_1d(torch.empty(0), X[:, 0]),
    refused(ValueError, "a", "empty"),
)
case(
    "wasserstein_1d: numpy",
    lambda: wasserstein_1d(X[:, 0].numpy(), Y[:, 0].numpy()),
    accepted(lambda r: r == wasserstein_1d(X[:, 0], Y[:, 0])),
)
case(
    "wasserstein_1d: (n,) against (m, 1)",
    lambda: wasserstein_1d(X[:, 0], Y[:10, :1]),
    accepted(lambda r: r > 0),
)
T = torch.rand(16, 1)
case(
    "field_rmse: fields of different dims",
    lambda: field_rmse(lambda x, t: x[:, :1], swirl, X, T),
    refused(ValueError, "velocity", "reference"),
)
case(
    "field_rmse: t of shape (n, 2)",
    lambda: field_rmse(swirl, swirl, X, torch.rand(16, 2)),
    refused(ValueError, "t"),
)
case("field_rmse: t of 5 values", lambda: field_rmse(swirl, swirl, X, torch.rand(5, 1)), refused(ValueError, "t"))
case("field_rmse: t a number", lambda: field_rmse(swirl, swirl, X, 0.5), accepted(lambda r: r == 0.0))
case(
    "field_rmse: velocity gives NaN",
    lambda: field_rmse(lambda x, t: x * float("nan"), swirl, X, T),
    refused(ValueError, "velocity", "NaN"),
)
case("field_rmse: a 1D x", lambda: field_rmse(swirl, swirl, torch.randn(16), T), refused(ValueError, "x"))
case("straightness: steps=0", lambda: straightness(swirl, X, steps=0), refused(ValueError, "steps"))
case("straightness: a 1D x0", lambda: straightness(swirl, torch.randn(16)), refused(ValueError, "x0"))
case("straightness: NaN x0", lambda: straightness(swirl, nan_points()), refused(ValueError, "x0", "NaN"))


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
