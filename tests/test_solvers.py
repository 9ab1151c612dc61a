import math

import numpy as np
import pytest
import torch

import fmlib
from conftest import Cases, Number, X, accepted, close, inf_points, nan_points, net, refused, same, swirl
from fmlib.solvers import STEPPERS


def decay(x, t):
    """dx/dt = -x (1 + t): x(t) = x(0) exp(-(t + t^2 / 2)), time-dependent on purpose."""
    return -x * (1 + t)


def final_error(method, steps):
    x0 = torch.ones(1, 1, dtype=torch.float64)
    exact = math.exp(-1.5)
    return abs(fmlib.integrate(decay, x0, steps=steps, method=method).x.item() - exact)


@pytest.mark.parametrize("method, order", [("euler", 1), ("midpoint", 2), ("rk4", 4)])
def test_measured_order_of_accuracy(method, order):
    # Halving the step divides the error by 2^order: the slope of log(error) vs log(steps).
    e1, e2 = final_error(method, 16), final_error(method, 32)
    measured = math.log2(e1 / e2)
    assert abs(measured - order) < 0.15, f"{method}: measured order {measured:.2f}, expected {order}"


@pytest.mark.parametrize("method, per_step", [("euler", 1), ("midpoint", 2), ("rk4", 4)])
def test_nfe_counts_every_velocity_evaluation(method, per_step):
    calls = []

    def velocity(x, t):
        calls.append(t)
        return torch.zeros_like(x)

    solution = fmlib.integrate(velocity, torch.zeros(3, 2), steps=7, method=method)
    assert solution.nfe == len(calls) == 7 * per_step


def test_rotation_is_integrated_to_the_exact_rotation():
    def rotation(x, t):
        return torch.stack([-x[:, 1], x[:, 0]], dim=1)

    x0 = fmlib.sample("heart", 200, seed=0).double()
    x1 = fmlib.integrate(rotation, x0, steps=40, method="rk4").x
    c, s = math.cos(1.0), math.sin(1.0)
    exact = x0 @ torch.tensor([[c, s], [-s, c]], dtype=torch.float64)
    assert (x1 - exact).abs().max() < 1e-6


def test_trajectory_holds_every_step_and_times_run_from_0_to_1():
    sol = fmlib.integrate(lambda x, t: torch.ones_like(x), torch.zeros(4, 2), steps=5, method="euler", trajectory=True)
    assert sol.trajectory.shape == (6, 4, 2)
    assert torch.allclose(sol.trajectory[:, 0, 0], sol.times)  # unit speed: position equals time
    assert torch.allclose(sol.x, torch.ones(4, 2))
    assert fmlib.integrate(lambda x, t: x, torch.zeros(4, 2), steps=3).trajectory is None


def test_warped_times_are_used_and_still_end_at_1():
    sol = fmlib.integrate(lambda x, t: torch.ones_like(x), torch.zeros(1, 1), steps=10, warp=0.5)
    assert torch.allclose(sol.times, fmlib.warp_time(torch.linspace(0, 1, 11), 0.5), atol=1e-6)
    assert abs(sol.x.item() - 1.0) < 1e-6


def test_warp_time_endpoints_monotone_and_slope():
    t = torch.linspace(0, 1, 1001, dtype=torch.float64)
    for s in [0.0, 0.3, 0.5, 1.0, 1.2, 1.5]:
        f = fmlib.warp_time(t, s)
        assert f[0] == 0 and abs(f[-1] - 1) < 1e-12
        assert (f.diff() >= 0).all()
        assert abs(fmlib.warp_time_derivative(torch.tensor(0.5, dtype=torch.float64), s) - s) < 1e-12
    assert torch.allclose(fmlib.warp_time(t, 1.0), t)  # s = 1 is no warp


def test_warp_time_derivative_matches_finite_differences():
    t = torch.linspace(0.01, 0.99, 50, dtype=torch.float64)
    h = 1e-6
    for s in [0.2, 0.8, 1.4]:
        numeric = (fmlib.warp_time(t + h, s) - fmlib.warp_time(t - h, s)) / (2 * h)
        assert torch.allclose(numeric, fmlib.warp_time_derivative(t, s), atol=1e-7)


@pytest.mark.parametrize("s", [-0.1, 1.6])
def test_warp_slope_out_of_range_is_refused(s):
    with pytest.raises(ValueError, match=r"\[0, 1.5\]"):
        fmlib.warp_time(torch.tensor(0.5), s)


def test_bad_method_and_steps_are_refused():
    with pytest.raises(ValueError, match="euler, midpoint, rk4"):
        fmlib.integrate(decay, torch.ones(1, 1), method="heun")
    with pytest.raises(ValueError, match="positive integer"):
        fmlib.integrate(decay, torch.ones(1, 1), steps=0)
    assert set(STEPPERS) == {"euler", "midpoint", "rk4"}


def test_warp_below_1_takes_short_steps_in_the_middle():
    # s < 1: the middle step is the shortest; s > 1: the end steps are.
    for s, shortest in [(0.5, "middle"), (1.5, "ends")]:
        steps = fmlib.warp_time(torch.linspace(0, 1, 11, dtype=torch.float64), s).diff()
        middle, end = steps[4:6].mean(), steps[[0, -1]].mean()
        assert (middle < end) == (shortest == "middle"), (s, steps)


def spring(t, y):
    """A damped, driven oscillator: scipy's (t, y) convention, y = (position, speed)."""
    return [y[1], -4 * y[0] - 0.3 * y[1] + math.sin(3 * t)]


@pytest.mark.parametrize(
    "method, steps, tolerance", [("euler", 2000, 2e-3), ("midpoint", 200, 2e-4), ("rk4", 50, 1e-6)]
)
def test_integrators_agree_with_scipy_solve_ivp(method, steps, tolerance):
    from scipy.integrate import solve_ivp

    y0 = [[1.0, 0.0], [-0.5, 2.0], [0.3, -1.0]]
    reference = [solve_ivp(spring, (0, 1), y, method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1].tolist() for y in y0]

    def velocity(x, t):
        return torch.stack([torch.tensor(spring(t, row.tolist()), dtype=x.dtype) for row in x])

    ours = fmlib.integrate(velocity, torch.tensor(y0, dtype=torch.float64), steps=steps, method=method).x
    assert torch.allclose(ours, torch.tensor(reference, dtype=torch.float64), atol=tolerance), (ours, reference)


def test_a_flow_run_backwards_returns_its_points():
    def velocity(x, t):  # a smooth field that turns and stretches
        return torch.stack([-x[:, 1] * (1 + t), x[:, 0] + 0.3 * x[:, 1] ** 2], dim=1)

    x0 = torch.randn(100, 2, dtype=torch.float64)
    there = fmlib.integrate(velocity, x0, steps=200).x
    back = fmlib.integrate(fmlib.solvers.backwards(velocity), there, steps=200).x
    assert (back - x0).abs().max().item() < 1e-8
    assert (there - x0).abs().max().item() > 0.1


# --- bad input: integrate, warp_time (the probe is in conftest.py) --------------------

case = Cases()
case("integrate: unknown method", lambda: fmlib.integrate(swirl, X, method="rk5"), refused(ValueError, "rk5", "rk4"))
for bad in [0, -1, 2.5, "10", None]:
    case(f"integrate: steps={bad!r}", lambda bad=bad: fmlib.integrate(swirl, X, steps=bad), refused(Number, "steps"))
for good in [np.int64(4), torch.tensor(4), 4.0]:
    case(
        f"integrate: steps={good!r}",
        lambda good=good: fmlib.integrate(swirl, X, steps=good).x,
        accepted(lambda x: same(x, fmlib.integrate(swirl, X, steps=4).x)),
    )
case("integrate: a 1D x0", lambda: fmlib.integrate(swirl, torch.randn(10)), refused(ValueError, "x0"))
case("integrate: x0 with NaN", lambda: fmlib.integrate(swirl, nan_points()), refused(ValueError, "x0", "NaN"))
case("integrate: x0 with inf", lambda: fmlib.integrate(swirl, inf_points()), refused(ValueError, "x0", "NaN"))
case(
    "integrate: numpy x0",
    lambda: fmlib.integrate(swirl, X.numpy(), steps=4).x,
    accepted(lambda x: same(x, fmlib.integrate(swirl, X, steps=4).x)),
)
case(
    "integrate: a list x0",
    lambda: fmlib.integrate(swirl, [[1.0, 0.0]], steps=4).x,
    accepted(lambda x: close(x, fmlib.integrate(swirl, torch.tensor([[1.0, 0.0]]), steps=4).x)),
)
case(
    "integrate: an empty x0", lambda: fmlib.integrate(swirl, torch.empty(0, 2)).x, accepted(lambda x: x.shape == (0, 2))
)
case(
    "integrate: integer x0 through a model",
    lambda: fmlib.integrate(net(), torch.tensor([[1, 2]]), steps=4).x,
    accepted(lambda x: close(x, fmlib.integrate(net(), torch.tensor([[1.0, 2.0]]), steps=4).x)),
)
case(
    "integrate: float64 x0 through a model",
    lambda: fmlib.integrate(net(), X.double(), steps=4).x,
    accepted(lambda x: close(x, fmlib.integrate(net(), X, steps=4).x)),
)
for bad in [2, -0.5, "0.5", float("nan")]:
    case(f"integrate: warp={bad!r}", lambda bad=bad: fmlib.integrate(swirl, X, warp=bad), refused(Number, "warp"))
case(
    "integrate: warp=np.float64(0.5)",
    lambda: fmlib.integrate(swirl, X, steps=4, warp=np.float64(0.5)).x,
    accepted(lambda x: same(x, fmlib.integrate(swirl, X, steps=4, warp=0.5).x)),
)
case("integrate: velocity None", lambda: fmlib.integrate(None, X), refused(TypeError, "velocity"))
case(
    "integrate: velocity of the wrong shape",
    lambda: fmlib.integrate(lambda x, t: x[:, :1], X),
    refused(ValueError, "velocity", "shape"),
)
case(
    "integrate: velocity gives numpy",
    lambda: fmlib.integrate(lambda x, t: x.numpy(), X),
    refused(TypeError, "velocity"),
)
case(
    "integrate: velocity gives NaN",
    lambda: fmlib.integrate(lambda x, t: x * float("nan"), X),
    refused(FloatingPointError, "velocity", "NaN"),
)
case(
    "integrate: velocity blows up",
    lambda: fmlib.integrate(lambda x, t: x * 1e30, X, steps=10),
    refused(FloatingPointError, "velocity", "NaN"),
)
for bad in [2, -0.1, "a", float("nan")]:
    case(f"warp_time: s={bad!r}", lambda bad=bad: fmlib.warp_time(0.5, bad), refused(Number, "s"))
case("warp_time_derivative: s=2", lambda: fmlib.warp_time_derivative(0.5, 2), refused(ValueError, "s"))
case(
    "warp_time: numpy slope",
    lambda: fmlib.warp_time(np.linspace(0, 1, 5), np.float64(0.5)),
    accepted(lambda t: np.allclose(t, fmlib.warp_time(np.linspace(0, 1, 5), 0.5))),
)


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
