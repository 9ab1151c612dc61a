"""The diffusion side of chapter 13: loss weights, the noising SDE, DDPM and DDIM, and the weighted training loss."""

import math

import pytest
import torch

import fmlib
from fmlib import denoising, mixtures, recipes, schedules, sde
from fmlib.schedules import COSINE, LOSSES, STRAIGHT, VP, variance_exploding

MIXTURE = mixtures.GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])
VE = variance_exploding()
T = torch.tensor([[0.05], [0.3], [0.5], [0.8], [0.95]], dtype=torch.float64)


def test_loss_weights_on_the_straight_path_are_the_closed_forms():
    t = T
    expected = {
        "velocity": 1 + 0 * t,
        "noise": t**2,
        "data": (1 - t) ** 2,
        "score": t**2 / (1 - t) ** 2,
        "elbo": t / (1 - t),
    }
    for loss in LOSSES:
        assert torch.allclose(STRAIGHT.loss_weight(loss, t), expected[loss], rtol=1e-12), loss


@pytest.mark.parametrize("path", [COSINE, VP, VE], ids=lambda p: p.name)
def test_loss_weights_are_the_squared_slopes_of_the_conversions(path):
    g = torch.Generator().manual_seed(0)
    x, v, w = (torch.randn(5, 1, generator=g, dtype=torch.float64) for _ in range(3))
    conversions = {
        "noise": path.noise_from_velocity,
        "data": path.data_from_velocity,
        "score": path.score_from_velocity,
    }
    for name, convert in conversions.items():
        ratio = (convert(v, x, T) - convert(w, x, T)) ** 2 / (v - w) ** 2
        assert torch.allclose(ratio, path.loss_weight(name, T), rtol=1e-9), name


@pytest.mark.parametrize("path", [STRAIGHT, COSINE, VP, VE], ids=lambda p: p.name)
def test_the_elbo_weights_the_noise_loss_by_half_the_slope_of_the_log_signal_to_noise_ratio(path):
    h = 1e-6

    def log_ratio(t):
        return torch.log(path.alpha(t) / path.sigma(t))

    slope = (log_ratio(T + h) - log_ratio(T - h)) / (2 * h)  # d/dt log(alpha / sigma) = (1/2) d/dt log SNR
    assert torch.allclose(path.loss_weight("elbo", T) / path.loss_weight("noise", T), slope, rtol=1e-6)


@pytest.mark.parametrize("path", [STRAIGHT, COSINE, VP, VE], ids=lambda p: p.name)
def test_regression_targets_and_their_conversions(path):
    g = torch.Generator().manual_seed(1)
    x0, x1 = torch.randn(5, 1, generator=g, dtype=torch.float64), torch.randn(5, 1, generator=g, dtype=torch.float64)
    t, h = T, 1e-6
    slope = (path.interpolate(x0, x1, t + h) - path.interpolate(x0, x1, t - h)) / (2 * h)
    assert torch.allclose(path.regression_target("velocity", x0, x1, t), slope, atol=1e-6)
    assert torch.equal(path.regression_target("noise", x0, x1, t), x0)
    assert torch.equal(path.regression_target("data", x0, x1, t), x1)
    xt = path.interpolate(x0, x1, t).requires_grad_()
    log_density = -0.5 * ((xt - path.alpha(t) * x1) / path.sigma(t)) ** 2  # log N(alpha x1, sigma^2) + constant
    (conditional_score,) = torch.autograd.grad(log_density.sum(), xt)
    assert torch.allclose(path.regression_target("score", x0, x1, t), conditional_score)
    v = torch.randn(5, 1, generator=g, dtype=torch.float64)
    x = xt.detach()
    predicted = {
        "velocity": v,
        "noise": path.noise_from_velocity(v, x, t),
        "data": path.data_from_velocity(v, x, t),
        "score": path.score_from_velocity(v, x, t),
    }
    for name, value in predicted.items():
        assert torch.allclose(path.velocity_from(name, value, x, t), v, rtol=1e-9), name


def test_variance_exploding_keeps_the_data_and_adds_geometric_noise():
    path = variance_exploding(0.02, 8.0)
    assert path.alpha(0.3) == 1 and path.d_alpha(0.3) == 0
    assert path.sigma(0.0) == pytest.approx(8.0) and path.sigma(1.0) == pytest.approx(0.02)
    assert path.sigma(0.5) == pytest.approx(math.sqrt(8.0 * 0.02))
    h = 1e-6
    assert path.d_sigma(0.4) == pytest.approx((path.sigma(0.4 + h) - path.sigma(0.4 - h)) / (2 * h), rel=1e-6)
    with pytest.raises(ValueError, match="sigma_max > sigma_min"):
        variance_exploding(1.0, 0.5)


def test_as_velocity_converts_a_network_of_any_prediction():
    def noise_net(x, t):
        return torch.sin(x) + t

    field = schedules.as_velocity(noise_net, VP, "noise")
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)[:, None]
    assert torch.allclose(field(x, 0.4), VP.velocity_from_noise(noise_net(x, 0.4), x, 0.4))
    assert schedules.as_velocity(noise_net, VP, "velocity")(x, 0.4) is not None
    with pytest.raises(ValueError, match="unknown prediction 'epsilon'"):
        schedules.as_velocity(noise_net, VP, "epsilon")
    with pytest.raises(ValueError, match="unknown loss 'likelihood'"):
        VP.loss_weight("likelihood", 0.5)


def test_diffusion_noise_is_the_closed_form_of_each_path():
    vp = schedules.variance_preserving(0.1, 20.0, 1e-5)
    g = sde.diffusion_noise(vp)
    for t in [0.0, 0.25, 0.7, 0.99]:
        r = 1e-5 + (1 - 1e-5) * (1 - t)
        assert g(t) ** 2 == pytest.approx((1 - 1e-5) * (0.1 + 19.9 * r), rel=1e-9)  # beta(r) per unit of t
        assert sde.diffusion_noise(STRAIGHT)(t) ** 2 == pytest.approx(2 * (1 - t) / t if t else math.inf)
    assert sde.diffusion_noise(STRAIGHT)(1.0) == 0.0


def test_the_reverse_sdes_drift_is_the_flow_plus_the_score_times_the_noise_squared_over_two():
    # Anderson: drift (alpha'/alpha) x + g^2 score, which is sde.drift's v* + (g^2 / 2) score.
    g = sde.diffusion_noise(VP)
    x = torch.linspace(-3, 3, 13, dtype=torch.float64)[:, None]
    for t in [0.1, 0.5, 0.9]:
        anderson = VP.d_alpha(t) / VP.alpha(t) * x + g(t) ** 2 * MIXTURE.score(x, t, VP)
        drift = sde.drift(lambda y, s: MIXTURE.velocity(y, s, VP), g, lambda y, s: MIXTURE.score(y, s, VP), VP)
        assert torch.allclose(drift(x, t), anderson, rtol=1e-10)


@pytest.mark.parametrize("path", [VP, VE], ids=lambda p: p.name)
def test_noising_a_point_gives_the_paths_gaussian_kernel(path):
    n, c = 100_000, 1.3
    noised = sde.noising(torch.full((n, 1), c, dtype=torch.float64), path, steps=1000, seed=0, trajectory=True)
    mean, sd = path.alpha(0.0) * c, path.sigma(0.0)
    assert noised.x.mean().item() == pytest.approx(mean, abs=4 * sd / math.sqrt(n) + 0.01 * sd)
    assert noised.x.std().item() == pytest.approx(sd, rel=0.02)
    assert noised.times[0] == 1 and noised.times[-1] == 0 and torch.all(noised.trajectory[0] == c)
    with pytest.raises(ValueError, match="infinite noise"):
        sde.noising(torch.zeros(3, 1), STRAIGHT)


def _field(x, t):
    return MIXTURE.velocity(x, t)


def test_ddim_on_the_straight_path_is_eulers_method():
    x0 = torch.randn(200, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    ddim = denoising.sample(_field, x0, STRAIGHT, steps=7)
    euler = fmlib.integrate(_field, x0, steps=7, method="euler")
    assert torch.allclose(ddim.x, euler.x, atol=1e-12) and ddim.nfe == 7


def test_ddim_converges_to_the_probability_flow_at_first_order():
    def field(x, t):
        return MIXTURE.velocity(x, t, VP)

    x0 = torch.randn(200, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    exact = fmlib.integrate(field, x0, steps=2000).x
    errors = [(denoising.sample(field, x0, VP, steps=k).x - exact).abs().max().item() for k in (50, 200)]
    assert 2.5 < errors[0] / errors[1] < 6, errors  # four times the steps, about four times smaller


def test_the_ddpm_step_draws_from_the_noisings_posterior():
    # Given x1, x_t' ~ N(alpha' x1, sigma'^2) and x_t = (alpha / alpha') x_t' + N(0, b^2): condition on x_t.
    path, t, t_next, x1, xt, n = VP, 0.4, 0.55, 0.7, 0.2, 200_000
    a, s, a2, s2 = float(path.alpha(t)), float(path.sigma(t)), float(path.alpha(t_next)), float(path.sigma(t_next))
    ratio = a / a2
    b2 = s**2 - ratio**2 * s2**2
    covariance = ratio * s2**2  # Cov(x_t', x_t)
    mean = a2 * x1 + covariance / s**2 * (xt - a * x1)
    variance = s2**2 - covariance**2 / s**2

    def knows_the_data(x, u):  # the velocity whose predicted data is x1 everywhere
        return path.velocity_from_data(torch.full_like(x, x1), x, u)

    points = torch.full((n, 1), xt, dtype=torch.float64)
    drawn = denoising.step(knows_the_data, points, t, t_next, path, eta=1.0, generator=torch.Generator().manual_seed(0))
    assert b2 > 0
    assert drawn.mean().item() == pytest.approx(mean, abs=5 * math.sqrt(variance / n))
    assert drawn.var().item() == pytest.approx(variance, rel=0.02)
    ddim = denoising.step(knows_the_data, points[:3], t, t_next, path)
    noise = (xt - a * x1) / s
    assert torch.allclose(ddim, torch.full_like(ddim, a2 * x1 + s2 * noise))


def test_denoising_sample_is_seeded_and_refuses_bad_input():
    x0 = torch.randn(50, 1)
    first = denoising.sample(_field, x0, STRAIGHT, steps=5, eta=1.0, seed=4, trajectory=True)
    again = denoising.sample(_field, x0, STRAIGHT, steps=5, eta=1.0, seed=4)
    other = denoising.sample(_field, x0, STRAIGHT, steps=5, eta=1.0, seed=5)
    assert torch.equal(first.x, again.x) and not torch.equal(first.x, other.x)
    assert first.trajectory.shape == (6, 50, 1)
    with pytest.raises(ValueError, match="eta must lie between 0 and 1"):
        denoising.sample(_field, x0, STRAIGHT, eta=2.0)
    with pytest.raises(TypeError, match="path must be an AffinePath"):
        denoising.sample(_field, x0, "VP")


def test_the_weighted_loss_is_the_other_predictions_loss():
    torch.manual_seed(0)
    net = fmlib.VelocityNet(dim=1, width=16, depth=2).double()
    g = torch.Generator().manual_seed(5)
    x0, x1 = torch.randn(64, 1, generator=g, dtype=torch.float64), MIXTURE.sample(64, seed=6).double()
    t = torch.rand(64, 1, generator=g, dtype=torch.float64) * 0.9 + 0.05
    xt = VP.interpolate(x0, x1, t)
    with torch.no_grad():
        as_noise = net(xt, t)
        as_velocity = VP.velocity_from_noise(as_noise, xt, t)
        noise_loss = fmlib.flow_matching_loss(net, x0, x1, t, path=VP, prediction="noise")
        velocity_weighted = fmlib.flow_matching_loss(net, x0, x1, t, path=VP, prediction="noise", weighting="velocity")
    assert torch.allclose(noise_loss, (as_noise - x0).pow(2).mean())
    assert torch.allclose(velocity_weighted, (as_velocity - VP.conditional_velocity(x0, x1, t)).pow(2).mean())
    # on the straight path the noise loss is t^2 times the velocity loss, pair by pair
    straight = fmlib.flow_matching_loss(net, x0, x1, t, path=STRAIGHT, prediction="velocity", weighting="noise")
    xt = STRAIGHT.interpolate(x0, x1, t)
    with torch.no_grad():
        by_hand = (t**2 * (net(xt, t) - (x1 - x0)) ** 2).mean()
    assert torch.allclose(straight.detach(), by_hand)


def test_train_on_another_path_and_prediction_and_refuse_unknown_names():
    torch.manual_seed(0)
    net = fmlib.VelocityNet(dim=1, width=16, depth=2)
    losses = fmlib.train(
        net,
        lambda n: torch.randn(n, 1),
        MIXTURE.sample,
        steps=300,
        batch_size=256,
        lr=3e-3,
        path="VP",
        prediction="noise",
        seed=0,
        progress=False,
    )
    assert sum(losses[-30:]) / 30 < 0.7 * sum(losses[:30]) / 30
    with pytest.raises(ValueError, match="unknown path 'curved'"):
        fmlib.train(net, lambda n: torch.randn(n, 1), MIXTURE.sample, steps=2, path="curved", progress=False)
    with pytest.raises(ValueError, match="unknown prediction 'eps'"):
        fmlib.train(net, lambda n: torch.randn(n, 1), MIXTURE.sample, steps=2, prediction="eps", progress=False)


def test_mixture_models_are_kept_in_the_cache_by_their_mixture(tmp_path, monkeypatch):
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path))
    tiny = recipes.Recipe(steps=20, batch_size=64, width=8, depth=1)
    first = mixtures.trained_model(MIXTURE, tiny, progress=False, path="VP", prediction="noise")
    again = mixtures.trained_model(MIXTURE, tiny, progress=False, path="VP", prediction="noise")
    assert len(list(tmp_path.glob("*.pt"))) == 1
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), again.state_dict().values()))
    other = mixtures.GaussianMixture([0.5, 0.5], [-1.0, 1.0], [0.3, 0.3])
    mixtures.trained_model(other, tiny, progress=False, path="VP", prediction="noise")
    mixtures.trained_model(MIXTURE, tiny, progress=False, path="VP", prediction="score")
    assert len(list(tmp_path.glob("*.pt"))) == 3
    with pytest.raises(TypeError, match="GaussianMixture"):
        mixtures.trained_model("two_gaussians", tiny)
