import numpy as np
import pytest
import torch

from conftest import Cases, accepted, refused
from fmlib import parabola


def test_parabola_velocity_has_constant_speed_along_the_curve_and_reaches_the_end():
    x = torch.linspace(0, 1, 101, dtype=torch.float64)
    points = torch.stack([x, parabola.height(x)], dim=1)
    v = parabola.velocity(points, 0.0)
    assert torch.allclose(v.norm(dim=1), torch.full((101,), parabola.LENGTH, dtype=torch.float64))
    assert torch.allclose(v[:, 1] / v[:, 0], 8 * (x - 0.5))  # tangent to y = 4(x - 1/2)^2
    # LENGTH is the arc length: a fine polyline along the curve has the same length.
    fine = torch.linspace(0, 1, 200_001, dtype=torch.float64)
    polyline = torch.stack([fine, parabola.height(fine)], dim=1).diff(dim=0).norm(dim=1).sum()
    assert abs(polyline.item() - parabola.LENGTH) < 1e-8
    assert parabola.miss(parabola.ride(400, "rk4")) < 1e-8
    assert parabola.miss(parabola.ride(10, "euler")) > 0.1


# --- bad input: ride, miss (the probe is in conftest.py) ------------------------------

case = Cases()
case("parabola.ride: steps=0", lambda: parabola.ride(0), refused(ValueError, "steps"))
case("parabola.ride: unknown method", lambda: parabola.ride(5, "rk5"), refused(ValueError, "rk5"))
case(
    "parabola.ride: numpy steps",
    lambda: parabola.miss(parabola.ride(np.int64(5))),
    accepted(lambda m: m == parabola.miss(parabola.ride(5))),
)
case("parabola.miss: not a solution", lambda: parabola.miss(123), refused(TypeError, "solution"))


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
