import pytest
import torch

import fmlib
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


def test_velocity_net_accepts_every_form_of_time():
    torch.manual_seed(0)
    net = fmlib.VelocityNet(dim=3, width=16, depth=2)
    x = torch.randn(4, 3)
    reference = net(x, torch.full((4, 1), 0.25))
    assert reference.shape == (4, 3)
    for t in [0.25, torch.tensor(0.25), torch.full((4,), 0.25)]:
        assert torch.allclose(net(x, t), reference)


def test_velocity_net_names_the_dimension_it_was_built_for():
    with pytest.raises(ValueError, match=r"dim=2.*VelocityNet\(dim=3\)"):
        fmlib.VelocityNet(dim=2)(torch.randn(4, 3), 0.5)
    with pytest.raises(ValueError, match="positive"):
        fmlib.VelocityNet(dim=0)


def test_train_refuses_data_of_the_wrong_dimension():
    with pytest.raises(ValueError, match=r"dim=1.*dim=2.*VelocityNet\(dim=2\)"):
        fmlib.train(fmlib.VelocityNet(dim=1), "gaussian", "spiral", steps=5, progress=False)


def test_nan_loss_stops_training_with_a_remedy():
    nan_target = lambda n: torch.full((n, 2), float("nan"))  # noqa: E731
    with pytest.raises(FloatingPointError, match="step 0.*lower the learning rate"):
        fmlib.train(fmlib.VelocityNet(), "gaussian", nan_target, steps=10, progress=False)


def test_same_seed_same_training():
    def run():
        torch.manual_seed(1)
        return fmlib.train(fmlib.VelocityNet(width=16), "gaussian", "moons", steps=20, seed=4, progress=False)

    assert run() == run()


def test_training_learns_the_exact_marginal_velocity_in_1d():
    # Independent pairs x0 ~ N(0, 1), x1 ~ N(c, 1): x_t and x1 - x0 are jointly Gaussian, so
    # E[x1 - x0 | x_t = x] = c + (2t - 1) / ((1 - t)^2 + t^2) * (x - t c).
    c = 2.0
    samples = torch.randn(20_000, 1) + c  # the target as a tensor of samples
    torch.manual_seed(0)
    model = fmlib.VelocityNet(dim=1, width=32, depth=2)
    losses = fmlib.train(model, lambda n: torch.randn(n, 1), samples, steps=1500, seed=0, progress=False)
    assert sum(losses[-100:]) / 100 < 0.5 * sum(losses[:10]) / 10
    for t in [0.1, 0.5, 0.9]:
        spread = ((1 - t) ** 2 + t**2) ** 0.5
        x = t * c + spread * torch.linspace(-1.5, 1.5, 7)[:, None]  # the bulk of x_t
        exact = c + (2 * t - 1) / spread**2 * (x - t * c)
        with torch.no_grad():
            assert (model(x, t) - exact).abs().max() < 0.2, f"t={t}"


def test_time_sampler_decides_which_times_are_trained():
    seen = []

    def late_times(n):
        t = 0.9 + 0.1 * torch.rand(n, 1)
        seen.append(t)
        return t

    fmlib.train(fmlib.VelocityNet(width=8), "gaussian", "square", steps=3, time_sampler=late_times, progress=False)
    assert len(seen) == 3 and all((t >= 0.9).all() for t in seen)
