import numpy as np
import pytest
import torch

from conftest import MIXTURE, Cases, Number, accepted, nan_points, net, refused
from fmlib.grids import field_on_grid, histogram_over_time


def test_field_on_grid_matches_the_field_pointwise():
    grid = field_on_grid(MIXTURE.velocity, (-2, 2), n_t=5, n_x=7)
    assert grid.shape == (5, 7)
    expected = MIXTURE.velocity(torch.tensor([[2.0]]), 0.25)
    assert torch.allclose(grid[1, -1], expected[0, 0].float())


def test_histogram_over_time_is_a_density_at_every_time():
    paths = torch.randn(4, 10_000) * 0.5
    density = histogram_over_time(paths, (-3, 3), bins=60)
    assert torch.allclose(density.sum(dim=1) * 0.1, torch.ones(4, dtype=density.dtype), atol=1e-3)


# --- bad input: grids (the probe is in conftest.py) -----------------------------------

case = Cases()
for bad in [(3, -3), (1, 1), 3]:
    case(
        f"field_on_grid: x_range={bad!r}",
        lambda bad=bad: field_on_grid(MIXTURE.velocity, bad),
        refused(Number, "x_range"),
    )
for argument in ["n_t", "n_x"]:
    case(
        f"field_on_grid: {argument}=0",
        lambda argument=argument: field_on_grid(MIXTURE.velocity, (-3, 3), **{argument: 0}),
        refused(ValueError, argument),
    )
case(
    "field_on_grid: numpy sizes",
    lambda: field_on_grid(MIXTURE.velocity, (-3, 3), n_t=np.int64(5), n_x=np.int64(7)),
    accepted(lambda g: g.shape == (5, 7)),
)
case("field_on_grid: a 2D model", lambda: field_on_grid(net(), (-3, 3), 5, 7), refused(ValueError, "dim"))
case(
    "histogram_over_time: 1D paths",
    lambda: histogram_over_time(torch.randn(100), (-3, 3)),
    refused(ValueError, "paths"),
)
case(
    "histogram_over_time: bins=0",
    lambda: histogram_over_time(torch.randn(3, 100), (-3, 3), bins=0),
    refused(ValueError, "bins"),
)
case(
    "histogram_over_time: x_range reversed",
    lambda: histogram_over_time(torch.randn(3, 100), (3, -3)),
    refused(ValueError, "x_range"),
)
case(
    "histogram_over_time: NaN paths",
    lambda: histogram_over_time(nan_points(16, 3).T, (-3, 3)),
    refused(ValueError, "paths", "NaN"),
)
case(
    "histogram_over_time: numpy paths",
    lambda: histogram_over_time(np.zeros((3, 10)), (-3, 3), bins=6),
    accepted(lambda h: h.shape == (3, 6)),
)


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
