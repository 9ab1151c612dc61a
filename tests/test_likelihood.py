"""fmlib.likelihood against closed forms: linear flows of a Gaussian, the exact mixture field, Hutchinson's mean."""

import math

import pytest
import torch

import fmlib
from fmlib.likelihood import (
    DIVERGENCES,
    PROBES,
    draw_probes,
    log_likelihood,
    standard_normal_log_prob,
    velocity_and_divergence,
)
from fmlib.mixtures import GaussianMixture

ONE_D = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])
TWO_D = GaussianMixture([0.5, 0.3, 0.2], [[-1.5, 0.0], [1.5, 1.0], [0.5, -1.5]], [0.4, 0.6, 0.3])

# A linear field v(x, t) = A x: the flow is x_1 = expm(A) x_0, so N(0, I) becomes
# N(0, M M^T) with M = expm(A), and log p_1(x) = log N(M^-1 x; 0, I) - trace A.
A = torch.tensor([[-0.4, 0.9, 0.1], [-0.7, 0.3, 0.0], [0.2, -0.5, 0.6]], dtype=torch.float64)


def linear(x, t):
    return x @ A.T


def linear_log_density(x):
    start = torch.linalg.solve(torch.linalg.matrix_exp(A), x.T).T
    return standard_normal_log_prob(start) - torch.trace(A)


def test_standard_normal_log_prob_is_the_closed_form():
    x = torch.randn(50, 3, dtype=torch.float64)
    expected = torch.distributions.MultivariateNormal(torch.zeros(3), torch.eye(3)).log_prob(x.float())
    assert torch.allclose(standard_normal_log_prob(x).float(), expected, atol=1e-5)


def test_a_linear_flow_of_a_gaussian_gets_its_exact_log_density():
    x = torch.randn(200, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 2
    result = log_likelihood(linear, x, steps=40)
    error = (result.log_prob - linear_log_density(x)).abs().max().item()
    assert error < 1e-6, error  # RK4 truncation only: the divergence is exact
    # The divergence is trace A everywhere, so its integral over [0, 1] is trace A.
    assert torch.allclose(result.divergence_integral, torch.trace(A).expand(200), atol=1e-12)
    assert torch.allclose(result.log_prob, result.source_log_prob - result.divergence_integral)


def test_an_affine_time_dependent_flow_of_a_gaussian():
    # v(x, t) = a(t) x + b: in 1D, x_1 = e^{c} x_0 + (something), with c = int_0^1 a = 0.5 + 0.5 = 1
    # for a(t) = 0.5 + t; the log-density is log N(x_0) - c, and x_0 follows from going back.
    def field(x, t):
        return (0.5 + t) * x + 0.3

    x = torch.linspace(-3, 3, 31, dtype=torch.float64)[:, None]
    result = log_likelihood(field, x, steps=64)
    # Solve backwards in closed form: x(t) = e^{C(t)} (x_0 + 0.3 int_0^t e^{-C(s)} ds), C(t) = 0.5 t + t^2 / 2.
    s = torch.linspace(0, 1, 20001, dtype=torch.float64)
    integral = torch.trapezoid(torch.exp(-(0.5 * s + s**2 / 2)), s)
    x0 = x * math.exp(-1.0) - 0.3 * integral
    assert torch.allclose(result.x0, x0, atol=1e-8)
    assert torch.allclose(result.log_prob, standard_normal_log_prob(x0) - 1.0, atol=1e-8)


@pytest.mark.parametrize("mixture, steps", [(ONE_D, 32), (TWO_D, 32)], ids=["1D", "2D"])
def test_the_exact_mixture_field_gives_the_mixtures_own_density(mixture, steps):
    x = mixture.sample(300, seed=1).double()
    result = log_likelihood(mixture.velocity, x, steps=steps)
    error = (result.log_prob - mixture.pdf(x).log()).abs().max().item()
    assert error < 1e-3, error
    # Too few steps are visibly wrong: the comparison can fail.
    coarse = log_likelihood(mixture.velocity, x, steps=2)
    assert (coarse.log_prob - mixture.pdf(x).log()).abs().max() > 0.1


@pytest.mark.parametrize("mixture", [ONE_D, TWO_D], ids=["1D", "2D"])
def test_the_error_falls_at_fourth_order_with_rk4_and_first_with_euler(mixture):
    x = mixture.sample(300, seed=2).double()
    truth = mixture.pdf(x).log()

    def error(steps, method):
        return (log_likelihood(mixture.velocity, x, steps=steps, method=method).log_prob - truth).abs().max().item()

    rk4 = math.log2(error(32, "rk4") / error(64, "rk4"))
    euler = math.log2(error(256, "euler") / error(512, "euler"))
    assert 3.5 < rk4 < 5, rk4
    assert 0.7 < euler < 1.3, euler


def test_the_points_are_carried_back_to_where_the_flow_starts():
    x = TWO_D.sample(100, seed=3).double()
    result = log_likelihood(TWO_D.velocity, x, steps=64)
    forward = fmlib.integrate(TWO_D.velocity, result.x0, steps=64).x
    assert (forward - x).abs().max() < 1e-5
    assert result.nfe == 4 * 64


def test_exact_divergence_is_the_trace_of_the_jacobian_of_a_network():
    torch.manual_seed(0)
    model = fmlib.VelocityNet(dim=3).double()
    x = torch.randn(5, 3, dtype=torch.float64)
    v, div = velocity_and_divergence(model, x, 0.3)
    for i in range(5):
        jacobian = torch.autograd.functional.jacobian(lambda p: model(p[None], 0.3)[0], x[i])
        assert torch.allclose(div[i], torch.trace(jacobian), atol=1e-12)
    assert torch.allclose(v, model(x, 0.3)) and not v.requires_grad and not div.requires_grad


@pytest.mark.parametrize("kind", PROBES)
def test_hutchinson_is_unbiased_its_mean_over_many_probes_is_the_divergence(kind):
    torch.manual_seed(1)
    model = fmlib.VelocityNet(dim=4).double()
    x = torch.randn(3, 4, dtype=torch.float64)
    _, exact = velocity_and_divergence(model, x, 0.5)
    k = 4000
    probes = draw_probes((k, 3, 4), kind, seed=7)
    single = torch.stack([velocity_and_divergence(model, x, 0.5, probes[i : i + 1])[1] for i in range(200)])
    _, mean = velocity_and_divergence(model, x, 0.5, probes)
    spread = single.std(dim=0)
    assert (spread > 1e-3).all(), "one probe must be noisy, or this test checks nothing"
    standard_error = spread / math.sqrt(k)
    assert ((mean - exact).abs() < 5 * standard_error).all(), (mean, exact, standard_error)


def test_rademacher_probes_are_exact_on_a_diagonal_jacobian():
    scales = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)

    def stretch(x, t):
        return x * scales

    probes = draw_probes((1, 10, 3), "rademacher", seed=0)
    _, estimate = velocity_and_divergence(stretch, torch.randn(10, 3, dtype=torch.float64), 0.0, probes)
    assert torch.allclose(estimate, scales.sum().expand(10))
    gaussian = draw_probes((1, 10, 3), "gaussian", seed=0)
    _, noisy = velocity_and_divergence(stretch, torch.randn(10, 3, dtype=torch.float64), 0.0, gaussian)
    assert not torch.allclose(noisy, scales.sum().expand(10))


def test_hutchinson_log_likelihood_is_noisy_per_point_and_right_on_average():
    x = TWO_D.sample(2000, seed=4).double()
    exact = log_likelihood(TWO_D.velocity, x, steps=16).log_prob
    estimate = log_likelihood(TWO_D.velocity, x, steps=16, divergence="hutchinson", probes=1, seed=0).log_prob
    gap = estimate - exact
    assert gap.abs().max() > 0.05, "one probe per point should be visibly noisy"
    assert gap.mean().abs() < 4 * gap.std() / math.sqrt(len(gap)), (gap.mean(), gap.std())
    many = log_likelihood(TWO_D.velocity, x[:50], steps=16, divergence="hutchinson", probes=400, seed=0)
    assert (many.log_prob - exact[:50]).abs().max() < gap.abs().max() / 5


def test_the_same_seed_gives_the_same_estimate():
    x = TWO_D.sample(20, seed=5).double()

    def run(seed):
        return log_likelihood(TWO_D.velocity, x, steps=4, divergence="hutchinson", seed=seed).log_prob

    assert torch.equal(run(3), run(3))
    assert not torch.equal(run(3), run(4))


def test_a_given_source_log_density_is_used():
    x = ONE_D.sample(10, seed=6).double()
    shifted = log_likelihood(ONE_D.velocity, x, lambda z: standard_normal_log_prob(z) + 1.0, steps=4)
    plain = log_likelihood(ONE_D.velocity, x, steps=4)
    assert torch.allclose(shifted.log_prob, plain.log_prob + 1.0)


def test_a_trained_model_in_float32_works():
    torch.manual_seed(0)
    model = fmlib.VelocityNet(dim=2)
    x = fmlib.sample("moons", 30, seed=0)
    result = fmlib.log_likelihood(model, x, steps=5)
    assert result.log_prob.shape == (30,) and torch.isfinite(result.log_prob).all()


@pytest.mark.parametrize("divergence", DIVERGENCES)
def test_the_results_are_detached_for_evaluation_not_for_a_training_loss(divergence):
    torch.manual_seed(0)
    model = fmlib.VelocityNet(dim=2)
    x = fmlib.sample("moons", 10, seed=0)
    result = fmlib.log_likelihood(model, x, steps=2, divergence=divergence, seed=0)
    assert not result.log_prob.requires_grad and not result.x0.requires_grad
    probes = None if divergence == "exact" else draw_probes((1, 10, 2), seed=0)
    v, div = velocity_and_divergence(model, x, 0.5, probes)
    assert not v.requires_grad and not div.requires_grad


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_probes_made_on_the_cpu_move_to_the_points_device():
    x = torch.randn(6, 3, dtype=torch.float64, device="cuda")
    probes = draw_probes((2, 6, 3), seed=0)
    _, div = velocity_and_divergence(linear_on_any_device, x, 0.0, probes)
    assert div.device == x.device
    _, cpu_div = velocity_and_divergence(linear_on_any_device, x.cpu(), 0.0, probes)
    assert torch.allclose(div.cpu(), cpu_div)


def linear_on_any_device(x, t):
    return x @ A.T.to(x.device)


@pytest.mark.parametrize(
    "changes, error, words",
    [
        (dict(method="heun"), ValueError, ["euler", "midpoint", "rk4"]),
        (dict(divergence="trace"), ValueError, list(DIVERGENCES)),
        (dict(divergence="hutchinson", probe="uniform"), ValueError, list(PROBES)),
        (dict(probes=4), ValueError, ["hutchinson"]),
        (dict(divergence="hutchinson", probes=0), ValueError, ["probes"]),
        (dict(steps=0), ValueError, ["steps"]),
        (dict(steps=2.5), ValueError, ["steps"]),
        (dict(x=torch.zeros(5)), ValueError, ["(n, d)"]),
        (dict(x=torch.tensor([[float("nan"), 0.0]])), ValueError, ["NaN"]),
        (dict(velocity="model"), TypeError, ["velocity"]),
        (dict(velocity=lambda x, t: x[:, :1]), ValueError, ["shape"]),
        (dict(source_log_prob=lambda z: z), ValueError, ["one log-density per point"]),
        (dict(source_log_prob=3.0), TypeError, ["source_log_prob"]),
    ],
)
def test_bad_input_gets_a_clear_error_naming_the_choices(changes, error, words):
    arguments = dict(velocity=TWO_D.velocity, x=TWO_D.sample(5, seed=0), steps=2)
    arguments.update(changes)
    with pytest.raises(error) as raised:
        log_likelihood(**arguments)
    assert all(word in str(raised.value) for word in words), str(raised.value)


def test_a_field_that_blows_up_is_reported():
    def steep(x, t):
        return 1e200 * x**3

    with pytest.raises(FloatingPointError, match="more steps"):
        log_likelihood(steep, torch.ones(3, 2, dtype=torch.float64), steps=2)


def test_the_square_grid_and_its_heatmap():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = fmlib.grids.square_points(2.0, 5)
    assert points.shape == (25, 2)
    assert points[0].tolist() == [-2.0, -2.0] and points[1].tolist() == [-1.0, -2.0]
    fig, ax = plt.subplots()
    image = fmlib.viz.square_heatmap(ax, points[:, 0], 2.0, title="x")
    # Row by row from the bottom: the image's left column holds x = -2, its right x = 2.
    assert image.get_array()[0, 0] == -2.0 and image.get_array()[0, -1] == 2.0
    with pytest.raises(ValueError, match="n \\* n"):
        fmlib.viz.square_heatmap(ax, torch.zeros(24), 2.0)
    plt.close(fig)
