"""fmlib.max_likelihood, and the graph-keeping solve beneath it, against closed forms.

A linear field v(x, t) = a x carries x0 to x1 = e^a x0, so N(0, I) becomes
N(0, e^(2a) I): log p_1(x) = -|x|^2 e^(-2a) / 2 - d a - (d / 2) log(2 pi), and
the derivative of the negative log-likelihood in a is d - |x|^2 e^(-2a).
"""

import math

import pytest
import torch
from torch import nn

import fmlib
from fmlib import max_likelihood, recipes


class Linear(nn.Module):
    """v(x, t) = a x, with a single weight a."""

    def __init__(self, a=0.3):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(a, dtype=torch.float64))

    def forward(self, x, t):
        return self.a * x


def points(n=400, dim=3, scale=1.0, seed=0):
    return scale * torch.randn(n, dim, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def test_the_loss_and_its_gradient_are_the_closed_forms():
    model, x = Linear(0.3), points()
    loss = max_likelihood.loss(model, x, ode_steps=16)
    (gradient,) = torch.autograd.grad(loss, model.a)
    a, d, squares = 0.3, x.shape[1], x.pow(2).sum(dim=1)
    exact = (squares * math.exp(-2 * a) / 2 + d * a + d / 2 * math.log(2 * math.pi)).mean()
    assert abs(loss.item() - exact.item()) < 1e-8
    assert abs(gradient.item() - (d - squares * math.exp(-2 * a)).mean().item()) < 1e-8
    # random signs e give e^T (a I) e = a d exactly: Hutchinson's loss is the exact one for this field
    assert abs(max_likelihood.loss(model, x, 16, divergence="hutchinson").item() - exact.item()) < 1e-8


def test_training_finds_the_maximum_likelihood_scale():
    # For data N(0, s^2 I) the likeliest linear flow has e^(2a) = mean |x|^2 / d, whatever s.
    data = points(scale=2.0)
    best = 0.5 * math.log(data.pow(2).sum(dim=1).mean().item() / data.shape[1])
    model = Linear(0.0)
    losses = max_likelihood.train(
        model, lambda n: data, steps=200, batch_size=len(data), lr=0.05, lr_decay=False, ode_steps=4, progress=False
    )
    assert abs(model.a.item() - best) < 1e-3, (model.a.item(), best)
    assert losses[-1] < losses[0]


def test_the_graph_is_kept_only_when_asked_and_the_values_agree():
    model, x = Linear(-0.2), points(50)
    plain = fmlib.log_likelihood(model, x, steps=8)
    kept = fmlib.log_likelihood(model, x, steps=8, keep_graph=True)
    assert not plain.log_prob.requires_grad and kept.log_prob.requires_grad
    assert torch.allclose(plain.log_prob, kept.log_prob, atol=1e-12)
    assert kept.nfe == 4 * 8
    moved = fmlib.integrate(model, x, steps=10, keep_graph=True).x
    (slope,) = torch.autograd.grad(moved.sum(), model.a)  # d/da of e^a x0, summed
    assert abs(slope.item() - math.exp(-0.2) * x.sum().item()) < 1e-6
    assert not fmlib.integrate(model, x, steps=10).x.requires_grad
    with pytest.raises(TypeError, match="keep_graph must be True or False"):
        fmlib.integrate(model, x, keep_graph="yes")


@pytest.mark.parametrize("objective", max_likelihood.OBJECTIVES)
def test_checkpoints_are_the_run_at_even_moments_and_are_kept(objective, tmp_path, monkeypatch):
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path))
    recipe = recipes.Recipe(steps=8, batch_size=32, width=16, depth=2)
    first = max_likelihood.trained_checkpoints(objective, "moons", recipe, count=4, ode_steps=2, progress=False)
    assert len(first) == 4 and len(list(tmp_path.glob("*.pt"))) == 1
    # the last checkpoint is the network a direct training gives, and the earlier ones differ from it
    torch.manual_seed(0)
    direct = fmlib.VelocityNet(2, 16, 2)
    settings = dict(seed=0, progress=False, **recipe.train_settings())
    if objective == "flow matching":
        fmlib.train(direct, "gaussian", "moons", **settings)
    else:
        max_likelihood.train(direct, "moons", ode_steps=2, **settings)
    probe = points(20, 2).float()
    assert torch.allclose(first[-1](probe, 0.5), direct(probe, 0.5))
    assert not torch.allclose(first[0](probe, 0.5), direct(probe, 0.5))
    again = max_likelihood.trained_checkpoints(objective, "moons", recipe, count=4, ode_steps=2, progress=False)
    assert all(torch.equal(a(probe, 0.5), b(probe, 0.5)) for a, b in zip(first, again))


def test_bad_settings_say_what_is_wrong():
    with pytest.raises(ValueError, match="objective must be one of"):
        max_likelihood.trained_checkpoints("likelihood", "moons", recipes.BOOK_2D)
    with pytest.raises(ValueError, match="count must divide"):
        max_likelihood.trained_checkpoints("flow matching", "moons", recipes.BOOK_2D, count=7)
    with pytest.raises(TypeError, match="model must be a network"):
        max_likelihood.train("model", "moons")
