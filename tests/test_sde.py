import math

import pytest
import torch

import fmlib
from fmlib import sde
from fmlib.metrics import sliced_wasserstein, wasserstein_1d
from fmlib.mixtures import GaussianMixture

MIXTURE = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])


def test_euler_maruyama_matches_the_ornstein_uhlenbeck_solution():
    # dX = -theta X dt + g dW from X_0 = x0: mean x0 e^{-theta}, variance g^2 (1 - e^{-2 theta}) / (2 theta) at t = 1.
    theta, g, x0, n = 2.0, 0.8, 1.5, 200_000
    start = torch.full((n, 1), x0, dtype=torch.float64)
    end = sde.euler_maruyama(lambda x, t: -theta * x, lambda t: g, start, steps=400, seed=0).x
    mean, variance = x0 * math.exp(-theta), g**2 * (1 - math.exp(-2 * theta)) / (2 * theta)
    assert end.mean().item() == pytest.approx(mean, abs=4 * math.sqrt(variance / n) + 0.005)
    assert end.var().item() == pytest.approx(variance, rel=0.02)


def test_euler_maruyama_is_seeded_counts_evaluations_and_keeps_its_trajectory():
    x0 = torch.randn(50, 2)
    first = sde.euler_maruyama(lambda x, t: -x, lambda t: 1.0, x0, steps=10, seed=3, trajectory=True)
    again = sde.euler_maruyama(lambda x, t: -x, lambda t: 1.0, x0, steps=10, seed=3)
    other = sde.euler_maruyama(lambda x, t: -x, lambda t: 1.0, x0, steps=10, seed=4)
    assert torch.equal(first.x, again.x) and not torch.equal(first.x, other.x)
    assert first.nfe == 10 and first.trajectory.shape == (11, 50, 2) and torch.equal(first.trajectory[0], x0)


def test_without_noise_the_sampler_is_eulers_method_on_the_flow():
    x0 = torch.randn(200, 1, dtype=torch.float64)
    ode = fmlib.integrate(MIXTURE.velocity, x0, steps=20, method="euler").x
    assert torch.allclose(sde.integrate(MIXTURE.velocity, x0, sde.langevin_noise(0.0), steps=20, seed=0).x, ode)


def test_the_derived_score_term_is_minus_level_times_the_predicted_noise():
    # g^2 = 2 level sigma_t, so (g^2 / 2) score = -level eps_hat, and on the straight path eps_hat = x - t v.
    x, t, level = torch.linspace(-2, 2, 9, dtype=torch.float64)[:, None], 0.4, 1.5
    drift = sde.drift(MIXTURE.velocity, sde.langevin_noise(level))
    v = MIXTURE.velocity(x, t)
    assert torch.allclose(drift(x, t), v - level * (x - t * v))
    with_score = sde.drift(MIXTURE.velocity, sde.langevin_noise(level), score=MIXTURE.score)
    assert torch.allclose(with_score(x, t), drift(x, t))


@pytest.mark.parametrize("level", [0.5, 2.0])
def test_every_noise_level_reaches_the_mixture(level):
    n = 20_000
    x0 = torch.randn(n, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    x1 = sde.integrate(MIXTURE.velocity, x0, sde.langevin_noise(level), steps=200, seed=2).x
    assert wasserstein_1d(x1, MIXTURE.sample(n, seed=3)) < 0.05


def test_the_2d_sampler_with_the_exact_score_reaches_the_mixture():
    plane = GaussianMixture([0.5, 0.5], [[-1.5, 0.0], [1.5, 1.0]], [0.4, 0.6])
    x0 = torch.randn(4000, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    x1 = sde.integrate(plane.velocity, x0, lambda t: 0.8, score=plane.score, steps=200, seed=0).x
    floor = sliced_wasserstein(plane.sample(4000, seed=5), plane.sample(4000, seed=6))
    assert sliced_wasserstein(x1, plane.sample(4000, seed=7)) < 2 * floor + 0.02


def test_bad_noise_is_refused():
    with pytest.raises(ValueError, match="level"):
        sde.langevin_noise(-1.0)
    with pytest.raises(TypeError, match="g must be a function"):
        sde.drift(MIXTURE.velocity, 0.5)
    with pytest.raises(FloatingPointError, match="more steps"):
        sde.euler_maruyama(lambda x, t: 1e30 * x, lambda t: 1.0, torch.ones(3, 1), steps=2, seed=0)
