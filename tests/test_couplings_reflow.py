import math

import pytest
import torch

import fmlib
from fmlib import couplings
from fmlib.metrics import straightness
from fmlib.reflow import teacher_pairs


def test_fixed_pool_keeps_each_pair_together():
    x0 = torch.arange(100.0).reshape(50, 2)
    draw = couplings.fixed(x0, x0 * 10)
    a, b = draw(500)
    assert torch.equal(b, a * 10)
    with pytest.raises(ValueError, match="same shape"):
        couplings.fixed(x0, x0[:10])


def test_minibatch_ot_is_a_permutation_within_chunks_that_lowers_the_cost():
    x0, x1 = fmlib.sample("gaussian", 512, seed=0), fmlib.sample("spiral", 512, seed=1)
    paired = couplings.minibatch_ot(x0, x1, chunk=128)
    for start in range(0, 512, 128):
        chunk = slice(start, start + 128)
        assert torch.equal(paired[chunk].sort(dim=0).values, x1[chunk].sort(dim=0).values)
    cost = lambda b: (x0 - b).pow(2).sum(dim=1).mean().item()
    assert cost(paired) < 0.3 * cost(x1)


def test_minibatch_ot_in_1d_matches_sorted_order():
    # In 1D the optimal pairing for squared distance matches the i-th smallest with the i-th smallest.
    x0, x1 = torch.randn(200, 1), torch.randn(200, 1) * 3 + 1
    paired = couplings.minibatch_ot(x0, x1, chunk=200)
    assert torch.equal(paired[x0[:, 0].argsort(), 0], x1[:, 0].sort().values)


def test_train_on_a_fixed_pool_of_pairs():
    # Every pair moves by (1, -2): the learned field must be that constant everywhere.
    torch.manual_seed(0)
    x0 = torch.randn(4096, 2)
    model = fmlib.VelocityNet(dim=2, width=32, depth=2)
    fmlib.train(model, pairs=couplings.fixed(x0, x0 + torch.tensor([1.0, -2.0])), steps=400,
                batch_size=256, seed=0, progress=False)
    v = model(torch.randn(200, 2), torch.rand(200, 1))
    assert (v - torch.tensor([1.0, -2.0])).abs().mean() < 0.03


def test_train_wants_either_source_and_target_or_pairs():
    model = fmlib.VelocityNet(dim=2)
    with pytest.raises(ValueError, match="either"):
        fmlib.train(model, "gaussian", "moons", pairs=couplings.independent("gaussian", "moons"), steps=1)
    with pytest.raises(ValueError, match="either"):
        fmlib.train(model, "gaussian", steps=1)


def test_straightness_closed_forms():
    x0 = torch.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    # Constant velocity: straight paths, zero.
    assert straightness(lambda x, t: torch.ones_like(x), x0) < 1e-20
    # Rotation by one radian: |v|^2 - |chord|^2 = r^2 (1 - 4 sin^2(1/2)), averaged over the points.
    rotation = lambda x, t: torch.stack([-x[:, 1], x[:, 0]], dim=1)
    exact = (1 + 4) / 2 * (1 - 4 * math.sin(0.5) ** 2)
    assert abs(straightness(rotation, x0) - exact) < 1e-3 * exact


def test_reflow_pool_holds_teacher_endpoints_and_student_is_straighter():
    torch.manual_seed(0)
    teacher = fmlib.VelocityNet(dim=2, width=32, depth=2)
    fmlib.train(teacher, "gaussian", "two_gaussians", steps=300, batch_size=256, seed=0, progress=False)
    x0, x1 = teacher_pairs(teacher, "gaussian", pool=64, seed=1)
    assert torch.allclose(x1, fmlib.integrate(teacher, x0, steps=8, method="rk4", warp=0.5).x)
    student, losses = fmlib.reflow(teacher, "gaussian", pool=4096, steps=300, batch_size=256, progress=False)
    assert len(losses) == 300 and student is not teacher
    probe = fmlib.sample("gaussian", 500, seed=2)
    assert straightness(student, probe) < 0.3 * straightness(teacher, probe)
