import torch

from fmlib.paths import conditional_velocity, interpolate


def test_interpolation_hits_both_ends_and_moves_at_the_conditional_velocity():
    x0, x1 = torch.randn(5, 2), torch.randn(5, 2)
    assert torch.equal(interpolate(x0, x1, 0.0), x0)
    assert torch.allclose(interpolate(x0, x1, 1.0), x1)
    t = torch.full((5, 1), 0.3, requires_grad=True)
    # d x_t / dt, one coordinate at a time, equals x1 - x0 exactly.
    for k in range(2):
        (grad,) = torch.autograd.grad(interpolate(x0, x1, t)[:, k].sum(), t)
        assert torch.allclose(grad[:, 0], conditional_velocity(x0, x1)[:, k])


def test_the_chapters_formulas_give_the_same_bits_as_schedules_straight_path():
    x0, x1, t = torch.randn(100, 2), torch.randn(100, 2), torch.rand(100, 1)
    assert torch.equal(interpolate(x0, x1, t), (1 - t) * x0 + t * x1)
    assert torch.equal(interpolate(x0, x1, 0.3), (1 - 0.3) * x0 + 0.3 * x1)
    assert torch.equal(conditional_velocity(x0, x1), x1 - x0)
