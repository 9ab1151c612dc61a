import math

import numpy as np
import pytest
import torch

import fmlib
from conftest import INF, NAN, Cases, Number, X, accepted, close, refused, same
from fmlib.metrics import wasserstein_1d
from fmlib.mixtures import GaussianMixture, exact_velocity

BOOK_MIXTURE = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])


def test_pdf_integrates_to_one_and_matches_a_single_gaussian():
    grid = torch.linspace(-8, 8, 20001, dtype=torch.float64)
    assert torch.trapezoid(BOOK_MIXTURE.pdf(grid), grid).item() == pytest.approx(1.0, abs=1e-6)
    one = GaussianMixture([1.0], [0.5], [2.0])
    expected = torch.exp(-0.5 * ((grid - 0.5) / 2) ** 2) / (2 * math.sqrt(2 * math.pi))
    assert torch.allclose(one.pdf(grid), expected)


def test_samples_have_the_mixture_moments_and_are_seeded():
    x = BOOK_MIXTURE.sample(200_000, seed=0).double()
    mean = 0.55 * -0.85 + 0.45 * 1.5
    second = 0.55 * (0.65**2 + 0.85**2) + 0.45 * (0.25**2 + 1.5**2)
    assert x.mean().item() == pytest.approx(mean, abs=0.01)
    assert (x**2).mean().item() == pytest.approx(second, abs=0.01)
    assert torch.equal(BOOK_MIXTURE.sample(10, seed=3), BOOK_MIXTURE.sample(10, seed=3))


def test_bad_mixtures_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="sum to 1"):
        GaussianMixture([0.5, 0.6], [0, 1], [1, 1])
    with pytest.raises(ValueError, match="positive"):
        GaussianMixture([0.5, 0.5], [0, 1], [1, 0])
    with pytest.raises(ValueError, match="2 means and 2 stds"):
        GaussianMixture([0.5, 0.5], [0, 1, 2], [1, 1])


def test_single_gaussian_target_has_its_closed_form():
    # x1 ~ N(m, s^2): E[x1 - x0 | x_t = x] = m + (t s^2 - (1 - t)) / ((1 - t)^2 + t^2 s^2) (x - t m).
    m, s = 1.3, 0.4
    one = GaussianMixture([1.0], [m], [s])
    x = torch.linspace(-3, 3, 13, dtype=torch.float64)[:, None]
    for t in [0.0, 0.3, 0.7, 1.0]:
        expected = m + (t * s**2 - (1 - t)) / ((1 - t) ** 2 + t**2 * s**2) * (x - t * m)
        assert torch.allclose(exact_velocity(one, x, t), expected)


def test_limits_at_the_ends_of_time():
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)[:, None]
    mean = (BOOK_MIXTURE.weights[:, None] * BOOK_MIXTURE.means).sum()
    # At t = 0 nothing is known about x1: v = E[x1] - x. At t = 1, x0 = 0 on average: v = x.
    assert torch.allclose(exact_velocity(BOOK_MIXTURE, x, 0.0), mean - x)
    assert torch.allclose(exact_velocity(BOOK_MIXTURE, x, 1.0), x, atol=1e-9)


def test_exact_field_equals_monte_carlo_conditional_averages():
    n, t, half_width = 2_000_000, 0.6, 0.01
    gen = torch.Generator().manual_seed(0)
    x0 = torch.randn(n, 1, generator=gen, dtype=torch.float64)
    x1 = BOOK_MIXTURE.sample(n, seed=1).double()
    xt, u = (1 - t) * x0 + t * x1, x1 - x0
    for x in [-1.2, -0.3, 0.5, 1.0]:
        near = (xt[:, 0] - x).abs() < half_width
        monte_carlo = u[near].mean().item()
        standard_error = u[near].std().item() / math.sqrt(near.sum().item())
        exact = exact_velocity(BOOK_MIXTURE, torch.tensor([[x]]), t).item()
        assert abs(monte_carlo - exact) < 5 * standard_error + 0.01, (x, monte_carlo, exact)


def test_exact_field_in_2d_is_the_per_coordinate_formula_for_one_component():
    one = GaussianMixture([1.0], [[1.0, -2.0]], [0.5])
    x = fmlib.sample("gaussian", 50, seed=0).double()
    t = 0.4
    gain = (t * 0.25 - (1 - t)) / ((1 - t) ** 2 + t**2 * 0.25)
    expected = one.means + gain * (x - t * one.means)
    assert torch.allclose(exact_velocity(one, x, t), expected)
    assert one.sample(7).shape == (7, 2)


def test_rk4_along_the_exact_field_carries_the_gaussian_onto_the_mixture():
    x0 = torch.randn(100_000, 1, generator=torch.Generator().manual_seed(2))
    x1 = fmlib.integrate(BOOK_MIXTURE.velocity, x0, steps=50, method="rk4").x
    assert wasserstein_1d(x1, BOOK_MIXTURE.sample(100_000, seed=3)) <= 0.03


def test_path_density_is_the_source_at_zero_the_target_at_one_and_the_convolution_between():
    target = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])
    x = torch.linspace(-4, 4, 81, dtype=torch.float64)[:, None]
    standard = torch.exp(-(x[:, 0] ** 2) / 2) / math.sqrt(2 * math.pi)
    assert torch.allclose(target.path_density(x, 0.0), standard)
    assert torch.allclose(target.path_density(x, 1.0), target.pdf(x))
    # Between, p_t(x) = integral of N(x; t x1, (1 - t)^2) q(x1) dx1, by quadrature over x1.
    ends = torch.linspace(-8, 8, 20001, dtype=torch.float64)
    for t in [0.2, 0.5, 0.8]:
        kernel = torch.exp(-((x - t * ends) ** 2) / (2 * (1 - t) ** 2)) / ((1 - t) * math.sqrt(2 * math.pi))
        by_quadrature = torch.trapezoid(kernel * target.pdf(ends), ends, dim=1)
        assert torch.allclose(target.path_density(x, t), by_quadrature, atol=1e-9)


@pytest.mark.parametrize("dim", [1, 2])
def test_path_density_and_exact_velocity_satisfy_the_continuity_equation(dim):
    # d p_t / dt + div(p_t v*) = 0, by central differences: the two closed forms checked against each other.
    means = [-0.85, 1.5] if dim == 1 else [[-1.5, 0.0], [1.5, 1.0]]
    mixture = GaussianMixture([0.55, 0.45], means, [0.65, 0.25])
    generator = torch.Generator().manual_seed(0)
    x = 1.5 * torch.randn(500, dim, dtype=torch.float64, generator=generator)
    t = 0.05 + 0.9 * torch.rand(500, 1, dtype=torch.float64, generator=generator)
    h = 1e-5

    def residual(velocity):
        dp_dt = (mixture.path_density(x, t + h) - mixture.path_density(x, t - h)) / (2 * h)
        divergence = 0
        for axis in range(dim):
            step = torch.zeros(dim, dtype=torch.float64)
            step[axis] = h
            flux = [mixture.path_density(y, t) * velocity(y, t)[:, axis] for y in (x + step, x - step)]
            divergence = divergence + (flux[0] - flux[1]) / (2 * h)
        return (dp_dt + divergence).abs().max() / dp_dt.abs().max()

    assert residual(mixture.velocity) < 1e-7
    # A field that moves the mass a tenth too slowly fails the same check.
    assert residual(lambda y, s: 0.9 * mixture.velocity(y, s)) > 1e-2


# --- bad input: GaussianMixture, exact_velocity (the probe is in conftest.py) ---------

case = Cases()
for argument, weights, means, stds in [
    ("weights", [0.5, NAN], [0, 1], [1, 1]),
    ("weights", [INF, 0.5], [0, 1], [1, 1]),
    ("means", [0.5, 0.5], [NAN, 1], [1, 1]),
    ("means", [0.5, 0.5], [0, INF], [1, 1]),
    ("stds", [0.5, 0.5], [0, 1], [1, INF]),
    ("stds", [0.5, 0.5], [0, 1], [NAN, 1]),
    ("weights", [0.5, 0.6], [0, 1], [1, 1]),
    ("stds", [0.5, 0.5], [0, 1], [1, 0]),
    ("means", [0.5, 0.5], [0, 1, 2], [1, 1]),
    ("weights", [[0.5], [0.5]], [0, 1], [1, 1]),
    ("means", [0.5, 0.5], torch.zeros(2, 1, 1), [1, 1]),
    ("stds", [0.5, 0.5], [0, 1], [[1], [1]]),
    ("weights", [], [], []),
]:
    case(
        f"GaussianMixture: {argument} {weights!r} {means!r} {stds!r}",
        lambda w=weights, m=means, s=stds: GaussianMixture(w, m, s),
        refused(ValueError, argument),
    )
case(
    "GaussianMixture: weights as words", lambda: GaussianMixture(["a", "b"], [0, 1], [1, 1]), refused(Number, "weights")
)
for bad in [0, 2.5, "5"]:
    case(f"mixture.sample: n={bad!r}", lambda bad=bad: BOOK_MIXTURE.sample(bad), refused(Number, "n"))
case(
    "mixture.sample: n=np.int64(5)",
    lambda: BOOK_MIXTURE.sample(np.int64(5), seed=0),
    accepted(lambda x: same(x, BOOK_MIXTURE.sample(5, seed=0))),
)
case("mixture.sample: seed a word", lambda: BOOK_MIXTURE.sample(5, seed="a"), refused(Number, "seed"))
case("mixture.pdf: 2D points for a 1D mixture", lambda: BOOK_MIXTURE.pdf(torch.randn(5, 2)), refused(ValueError, "x"))
case("mixture.pdf: NaN", lambda: BOOK_MIXTURE.pdf(torch.tensor([0.0, NAN])), refused(ValueError, "x", "NaN"))
case(
    "mixture.pdf: a list",
    lambda: BOOK_MIXTURE.pdf([0.0, 1.0]),
    accepted(lambda p: close(p, BOOK_MIXTURE.pdf(torch.tensor([0.0, 1.0])))),
)
case(
    "mixture.pdf: integer points",
    lambda: BOOK_MIXTURE.pdf(torch.tensor([-1, 0, 2])),
    accepted(lambda p: close(p, BOOK_MIXTURE.pdf(torch.tensor([-1.0, 0.0, 2.0])))),
)
POINTS = torch.tensor([[-2.0], [0.0], [2.0]])
case(
    "exact_velocity: integer points",
    lambda: exact_velocity(BOOK_MIXTURE, torch.tensor([[-2], [0], [2]]), 0.5),
    accepted(lambda v: close(v, exact_velocity(BOOK_MIXTURE, POINTS, 0.5))),
)
case(
    "exact_velocity: 2D points for a 1D mixture", lambda: exact_velocity(BOOK_MIXTURE, X, 0.5), refused(ValueError, "x")
)
case(
    "exact_velocity: t of shape (8, 2) for 16 points",
    lambda: exact_velocity(BOOK_MIXTURE, torch.randn(16, 1), torch.rand(8, 2)),
    refused(ValueError, "t"),
)
case(
    "exact_velocity: t of 5 values for 3 points",
    lambda: exact_velocity(BOOK_MIXTURE, POINTS, torch.rand(5, 1)),
    refused(ValueError, "t"),
)
case(
    "exact_velocity: NaN x",
    lambda: exact_velocity(BOOK_MIXTURE, torch.tensor([[NAN]]), 0.5),
    refused(ValueError, "x", "NaN"),
)
case("exact_velocity: t a word", lambda: exact_velocity(BOOK_MIXTURE, POINTS, "a"), refused(Number, "t"))
case("exact_velocity: mixture a word", lambda: exact_velocity("mixture", POINTS, 0.5), refused(TypeError, "mixture"))
case(
    "exact_velocity: t a numpy number",
    lambda: exact_velocity(BOOK_MIXTURE, POINTS, np.float64(0.5)),
    accepted(lambda v: same(v, exact_velocity(BOOK_MIXTURE, POINTS, 0.5))),
)
case(
    "exact_velocity: float64 points stay float64",
    lambda: exact_velocity(BOOK_MIXTURE, POINTS.double(), 0.5),
    accepted(lambda v: v.dtype == torch.float64),
)
case(
    "exact_velocity: 2D mixture, 3D points",
    lambda: exact_velocity(GaussianMixture([1.0], [[0.0, 0.0]], [1.0]), torch.randn(4, 3), 0.5),
    refused(ValueError, "x"),
)


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
