import torch

from fmlib.grids import field_on_grid, histogram_over_time
from fmlib.mixtures import GaussianMixture

MIXTURE = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])


def test_field_on_grid_matches_the_field_pointwise():
    grid = field_on_grid(MIXTURE.velocity, (-2, 2), n_t=5, n_x=7)
    assert grid.shape == (5, 7)
    expected = MIXTURE.velocity(torch.tensor([[2.0]]), 0.25)
    assert torch.allclose(grid[1, -1], expected[0, 0].float())


def test_histogram_over_time_is_a_density_at_every_time():
    paths = torch.randn(4, 10_000) * 0.5
    density = histogram_over_time(paths, (-3, 3), bins=60)
    assert torch.allclose(density.sum(dim=1) * 0.1, torch.ones(4, dtype=density.dtype), atol=1e-3)
