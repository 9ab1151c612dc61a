"""Mean flows: the average velocity, its identity, the loss's target by a Jacobian-vector product, one-step jumps."""

import math

import pytest
import torch

import fmlib
from fmlib import meanflow, recipes
from fmlib.mixtures import GaussianMixture

MIXTURE = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])


def growth(x, t):
    return 0.8 * x  # X_t = X_r e^{0.8 (t - r)}


def exact_growth_average(x, r, t):
    gap = t - r
    return x * (math.exp(0.8 * gap) - 1) / gap


def test_average_velocity_of_a_linear_field_is_the_closed_form():
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)[:, None]
    for r, t in [(0.0, 1.0), (0.3, 0.5), (0.2, 0.9)]:
        u = meanflow.average_velocity(growth, x, r, t, steps=100)
        assert torch.allclose(u, exact_growth_average(x, r, t), rtol=1e-9)
    with pytest.raises(ValueError, match="t < t_next"):
        meanflow.average_velocity(growth, x, 0.5, 0.5)


def test_the_identity_vbar_equals_v_plus_interval_times_its_change_along_the_path():
    # On the mixture's exact field: du/dr along the path by a central difference of the path's own points.
    x = torch.linspace(-2.5, 2.5, 11, dtype=torch.float64)[:, None]
    r, t, h = 0.3, 0.9, 1e-4
    forward = x + h * meanflow.average_velocity(MIXTURE.velocity, x, r, r + h, steps=4)
    backward = x + h * meanflow.average_velocity(lambda y, s: -MIXTURE.velocity(y, 2 * r - s), x, r, r + h, steps=4)
    du = (
        meanflow.average_velocity(MIXTURE.velocity, forward, r + h, t, steps=200)
        - meanflow.average_velocity(MIXTURE.velocity, backward, r - h, t, steps=200)
    ) / (2 * h)
    u = meanflow.average_velocity(MIXTURE.velocity, x, r, t, steps=200)
    residual = (u - MIXTURE.velocity(x, r) - (t - r) * du).abs().max().item()
    assert residual < 1e-5, residual


def test_the_loss_target_holds_the_derivative_along_the_pairs_path_and_no_gradient():
    class Toy(meanflow.MeanFlowNet):  # vbar(x, t, t') = c x t: its change along the path in t is c (v t + x_t)
        def forward(self, x, t, t_next):
            return self.c * x * t

    toy = Toy(dim=1)
    toy.c = torch.nn.Parameter(torch.tensor(0.7, dtype=torch.float64))
    g = torch.Generator().manual_seed(0)
    x0, x1 = torch.randn(50, 1, generator=g, dtype=torch.float64), torch.randn(50, 1, generator=g, dtype=torch.float64)
    r = torch.rand(50, 1, generator=g, dtype=torch.float64) * 0.5
    t = r + 0.3
    v, xr = x1 - x0, (1 - r) * x0 + r * x1
    target = v + (t - r) * 0.7 * (v * r + xr)
    by_hand = ((0.7 * xr * r - target) ** 2).mean()
    value = meanflow.loss(toy, x0, x1, r, t)
    assert torch.allclose(value, by_hand)
    value.backward()  # the target is held fixed: the gradient is that of the prediction alone
    expected = (2 * (0.7 * xr * r - target) * xr * r).mean()
    assert torch.allclose(toy.c.grad, expected)


def test_interval_times_are_ordered_and_share_the_flow_matching_ones():
    torch.manual_seed(0)
    r, t = meanflow.interval_times(20_000, share=0.25)
    assert r.shape == t.shape == (20_000, 1) and (r <= t).all() and ((0 < r) & (t < 1)).all()
    assert (r < t).float().mean().item() == pytest.approx(0.25, abs=0.02)


def test_one_jump_with_the_exact_average_velocity_is_exact():
    class Exact(meanflow.MeanFlowNet):
        def forward(self, x, t, t_next):
            return exact_growth_average(x, float(t), float(t_next))

    x0 = torch.linspace(-1, 1, 5, dtype=torch.float64)[:, None]
    for steps in (1, 3):
        landed = meanflow.jump(Exact(dim=1), x0, steps=steps)
        assert torch.allclose(landed.x, x0 * math.exp(0.8)) and landed.nfe == steps


def test_training_lowers_the_loss_and_the_model_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path))
    tiny = recipes.Recipe(steps=150, batch_size=128, lr=3e-3, width=16, depth=2)
    first = meanflow.trained_model("gaussian", "two_gaussians", tiny, progress=False)
    again = meanflow.trained_model("gaussian", "two_gaussians", tiny, progress=False)
    assert len(list(tmp_path.glob("*.pt"))) == 1
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), again.state_dict().values()))
    torch.manual_seed(0)
    model = meanflow.MeanFlowNet(dim=2, width=16, depth=2)
    losses = meanflow.train(model, "gaussian", "two_gaussians", steps=150, batch_size=128, lr=3e-3, progress=False)
    assert sum(losses[-20:]) / 20 < 0.8 * sum(losses[:20]) / 20
    assert torch.equal(model.velocity(torch.zeros(3, 2), 0.4), model(torch.zeros(3, 2), 0.4, 0.4))
    with pytest.raises(TypeError, match="MeanFlowNet"):
        meanflow.train(fmlib.VelocityNet(), "gaussian", "spiral", steps=1)
