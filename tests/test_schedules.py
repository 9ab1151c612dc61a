import math

import pytest
import torch

import fmlib
from fmlib import schedules
from fmlib.devices import device_of
from fmlib.mixtures import GaussianMixture, exact_score, exact_velocity
from fmlib.schedules import COSINE, STRAIGHT, VP, AffinePath, change_schedule, variance_preserving, warped

MIXTURE = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])
PATHS = [STRAIGHT, COSINE, VP, warped(0.5)]
X = torch.linspace(-3, 3, 25, dtype=torch.float64)[:, None]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_schedules_start_at_noise_end_at_data_and_have_their_derivatives(path):
    slack = 0.01 if path is VP else 1e-12  # VP stops just short of both ends
    assert path.alpha(0.0) == pytest.approx(0.0, abs=slack) and path.sigma(0.0) == pytest.approx(1.0, abs=slack)
    assert path.alpha(1.0) == pytest.approx(1.0, abs=slack) and path.sigma(1.0) == pytest.approx(0.0, abs=slack)
    h = 1e-6
    for t in [0.1, 0.5, 0.9]:
        assert path.d_alpha(t) == pytest.approx((path.alpha(t + h) - path.alpha(t - h)) / (2 * h), rel=1e-6)
        assert path.d_sigma(t) == pytest.approx((path.sigma(t + h) - path.sigma(t - h)) / (2 * h), rel=1e-6)


def test_the_straight_path_is_the_interpolation_of_the_other_chapters():
    x0, x1 = torch.randn(5, 2), torch.randn(5, 2)
    assert torch.allclose(STRAIGHT.interpolate(x0, x1, 0.3), 0.7 * x0 + 0.3 * x1)
    assert torch.allclose(STRAIGHT.conditional_velocity(x0, x1, 0.3), x1 - x0)


def test_cosine_and_vp_paths_preserve_variance():
    t = torch.linspace(0, 1, 11, dtype=torch.float64)
    assert torch.allclose(COSINE.alpha(t) ** 2 + COSINE.sigma(t) ** 2, torch.ones_like(t))
    assert torch.allclose(VP.alpha(t) ** 2 + VP.sigma(t) ** 2, torch.ones_like(t))
    # The score-SDE paper's schedule leaves a trace of the data at t = 0: alpha_0 = exp(-(0.1 + 9.95) / 2).
    assert VP.alpha(0.0) == pytest.approx(math.exp(-0.5 * (0.1 + 0.5 * 19.9)), rel=1e-4)


@pytest.mark.parametrize("path", [COSINE, VP], ids=lambda p: p.name)
def test_exact_velocity_is_the_monte_carlo_average_of_the_conditional_velocity(path):
    n, t, half_width = 2_000_000, 0.6, 0.01
    generator = torch.Generator().manual_seed(0)
    x0 = torch.randn(n, 1, generator=generator, dtype=torch.float64)
    x1 = MIXTURE.sample(n, seed=1).double()
    xt, u = path.interpolate(x0, x1, t), path.conditional_velocity(x0, x1, t)
    for x in [-1.0, -0.3, 0.5, 1.0]:
        near = (xt[:, 0] - x).abs() < half_width
        monte_carlo = u[near].mean().item()
        standard_error = u[near].std().item() / math.sqrt(near.sum().item())
        exact = exact_velocity(MIXTURE, torch.tensor([[x]]), t, path).item()
        assert abs(monte_carlo - exact) < 5 * standard_error + 0.01, (x, monte_carlo, exact)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_exact_score_is_the_gradient_of_the_log_density(path):
    for t in [0.0, 0.3, 0.8, 1.0]:
        x = X.clone().requires_grad_()
        (gradient,) = torch.autograd.grad(MIXTURE.path_density(x, t, path).log().sum(), x)
        assert torch.allclose(exact_score(MIXTURE, X, t, path), gradient, atol=1e-10)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_conversions_between_predictions_agree_with_the_closed_forms(path):
    weights, means, stds = MIXTURE.weights, MIXTURE.means[:, 0], MIXTURE.stds
    for t in [0.2, 0.5, 0.9]:
        a, s = path.alpha(t), path.sigma(t)
        # The posterior means of the data and the noise, per component, then weighted by the posterior.
        variance = a**2 * stds**2 + s**2
        log_terms = weights.log() - 0.5 * (X - a * means) ** 2 / variance - 0.5 * torch.log(variance)
        posterior = torch.softmax(log_terms, dim=1)
        data = (posterior * (means + a * stds**2 / variance * (X - a * means))).sum(1, keepdim=True)
        noise = (posterior * (s / variance * (X - a * means))).sum(1, keepdim=True)
        v = exact_velocity(MIXTURE, X, t, path)
        assert torch.allclose(path.data_from_velocity(v, X, t), data, atol=1e-10)
        assert torch.allclose(path.noise_from_velocity(v, X, t), noise, atol=1e-10)
        assert torch.allclose(path.velocity_from_data(data, X, t), v, atol=1e-10)
        assert torch.allclose(path.velocity_from_noise(noise, X, t), v, atol=1e-10)
        score = exact_score(MIXTURE, X, t, path)
        assert torch.allclose(path.score_from_velocity(v, X, t), score, atol=1e-10)
        assert torch.allclose(path.velocity_from_score(score, X, t), v, atol=1e-10)


def test_the_straight_path_conversion_is_the_guidance_chapters_formula():
    # v = (x + (1 - t) grad log p_t) / t, the formula behind classifier guidance.
    t = 0.35
    score = exact_score(MIXTURE, X, t)
    assert torch.allclose(STRAIGHT.velocity_from_score(score, X, t), (X + (1 - t) * score) / t)


@pytest.mark.parametrize("path", [COSINE, VP, warped(0.5), warped(1.5)], ids=lambda p: p.name)
def test_changing_the_schedule_of_the_straight_field_gives_the_other_paths_exact_field(path):
    rescheduled = change_schedule(MIXTURE.velocity, path)
    for t in [0.05, 0.5, 0.95]:
        assert torch.allclose(rescheduled(X, t), exact_velocity(MIXTURE, X, t, path), atol=1e-10)
    times = torch.rand(len(X), 1, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(rescheduled(X, times), exact_velocity(MIXTURE, X, times, path), atol=1e-10)


def test_a_rescheduled_model_names_the_models_device_and_runs_on_it():
    model = fmlib.VelocityNet(dim=1)
    rescheduled = change_schedule(model, COSINE)
    assert device_of(rescheduled, default=None) == device_of(model)
    x1 = fmlib.integrate(rescheduled, torch.randn(10, 1), steps=4, method="euler").x
    assert x1.shape == (10, 1) and torch.isfinite(x1).all()


def test_bad_paths_and_schedules_are_refused():
    with pytest.raises(TypeError, match="AffinePath"):
        exact_velocity(MIXTURE, X, 0.5, "cosine")
    with pytest.raises(TypeError, match="AffinePath"):
        change_schedule(MIXTURE.velocity, "cosine")
    with pytest.raises(ValueError, match="beta_max"):
        variance_preserving(beta_min=5.0, beta_max=1.0)
    with pytest.raises(ValueError):
        warped(3.0)
    assert set(schedules.PATHS) == {"straight", "cosine", "VP"}
    assert all(isinstance(p, AffinePath) for p in schedules.PATHS.values())
