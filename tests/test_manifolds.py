"""fmlib.manifolds against exact answers: exp and log invert each other, geodesics' velocities, the samplers."""

import math

import pytest
import torch

from fmlib import manifolds, metrics, recipes
from fmlib.manifolds import SPHERE, TORUS

G = torch.Generator().manual_seed(0)


def pairs(space, n=50):
    return space.project(space.uniform(n, G).double()), space.project(space.uniform(n, G).double())


@pytest.mark.parametrize("space", [SPHERE, TORUS], ids=["sphere", "torus"])
def test_exp_undoes_log_and_the_log_is_as_long_as_the_distance(space):
    x, y = pairs(space)
    assert torch.allclose(space.exp(x, space.log(x, y)), y, atol=1e-9)
    assert torch.allclose(space.log(x, y).norm(dim=1), space.distance(x, y).diagonal(), atol=1e-9)


@pytest.mark.parametrize("space", [SPHERE, TORUS], ids=["sphere", "torus"])
def test_the_conditional_velocity_is_the_geodesics_derivative(space):
    x0, x1 = pairs(space)
    t, h = torch.rand(len(x0), 1, generator=G, dtype=torch.float64) * 0.9, 1e-6
    before, after = manifolds.geodesic(space, x0, x1, t - h), manifolds.geodesic(space, x0, x1, t + h)
    x = manifolds.geodesic(space, x0, x1, t)
    derivative = (space.log(x, after) - space.log(x, before)) / (2 * h)  # a central difference seen from x
    assert torch.allclose(derivative, manifolds.conditional_velocity(space, x, x1, t), atol=1e-6)
    if space is SPHERE:
        assert torch.allclose(x.norm(dim=1), torch.ones(len(x), dtype=torch.float64), atol=1e-12)


def test_the_torus_goes_across_the_seam_when_that_is_shorter():
    x, y = torch.tensor([[3.0, 0.0]]), torch.tensor([[-3.0, 0.0]])
    assert torch.allclose(TORUS.log(x, y), torch.tensor([[2 * math.pi - 6, 0.0]]))
    assert torch.allclose(TORUS.distance(x, y), torch.tensor([[2 * math.pi - 6]]))


def test_a_field_is_tangent_to_the_sphere_and_periodic_on_the_torus():
    torch.manual_seed(0)
    x = SPHERE.uniform(100, G)
    v = manifolds.Field(SPHERE)(x, 0.3)
    assert (v * x).sum(dim=1).abs().max() < 1e-6
    angles = TORUS.uniform(100, G)
    field = manifolds.Field(TORUS)
    assert torch.allclose(field(angles, 0.3), field(angles + 2 * math.pi, 0.3), atol=1e-5)


@pytest.mark.parametrize("step", manifolds.STEPS)
def test_a_rotation_is_followed_exactly_by_geodesic_steps_and_closely_by_projected_ones(step):
    # v(x) = z x x turns the equator at unit speed: at t = 1 each point has turned by 1 radian.
    angle = torch.linspace(0, 6, 7, dtype=torch.float64)
    x0 = torch.stack([angle.cos(), angle.sin(), torch.zeros_like(angle)], dim=1)
    turned = torch.stack([(angle + 1).cos(), (angle + 1).sin(), torch.zeros_like(angle)], dim=1)
    axis = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)

    def rotation(x, t):
        return torch.linalg.cross(axis.expand_as(x), x)

    for n in (10, 20):
        error = (manifolds.integrate(rotation, x0, n, SPHERE, step).x - turned).norm(dim=1).max().item()
        if step == "exp":
            assert error < 1e-12
        else:  # each projected step turns by atan(h), not h: behind by h - atan(h) ~ h^3 / 3, n h^3 / 3 in all
            assert abs(error / (1 / (3 * n**2)) - 1) < 0.05, (n, error)


def test_von_mises_fisher_has_its_closed_form_mean_cosine():
    # E[mean . x] = coth(kappa) - 1 / kappa on the sphere in three dimensions.
    mean, kappa = torch.tensor([0.0, 0.6, 0.8]), 5.0
    x = manifolds.von_mises_fisher(200_000, mean, kappa, torch.Generator().manual_seed(1))
    cosine = x @ mean
    expected = 1 / math.tanh(kappa) - 1 / kappa
    assert abs(cosine.mean().item() - expected) < 4 * cosine.std().item() / len(x) ** 0.5
    assert torch.allclose(x.norm(dim=1), torch.ones(len(x)), atol=1e-6)


def test_energy_distance_takes_the_space_s_distance():
    a, b = SPHERE.uniform(30, G).double(), SPHERE.uniform(40, G).double()
    d = SPHERE.distance
    by_hand = 2 * d(a, b).mean() - d(a, a).mean() - d(b, b).mean()
    assert abs(metrics.energy_distance(a, b, d) - by_hand.item()) < 1e-12


def test_training_learns_a_field_and_the_model_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path))
    tiny = recipes.Recipe(steps=300, batch_size=256, lr=3e-3, width=32, depth=2)
    field = manifolds.trained_model("sphere", tiny, progress=False)
    ends = manifolds.integrate(field, SPHERE.uniform(500, G), 20).x
    uniform = SPHERE.uniform(500, G)
    target = manifolds.sphere_clusters(500, G)
    # Nearer the clusters than the uniform start was, and on the sphere.
    assert metrics.energy_distance(ends, target, SPHERE.distance) < 0.5 * metrics.energy_distance(
        uniform, target, SPHERE.distance
    )
    assert (ends.norm(dim=1) - 1).abs().max() < 1e-6
    again = manifolds.trained_model("sphere", tiny, progress=False)
    assert len(list(tmp_path.glob("*.pt"))) == 1
    assert torch.equal(again(uniform, 0.5), field(uniform, 0.5))


def test_bad_input_says_what_is_wrong():
    with pytest.raises(ValueError, match="space must be one of"):
        manifolds.trained_model("cylinder")
    with pytest.raises(ValueError, match="step must be one of"):
        manifolds.integrate(lambda x, t: x, SPHERE.uniform(3), 2, SPHERE, "walk")
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        manifolds.integrate(lambda x, t: x, torch.zeros(3, 2), 2, SPHERE)
    with pytest.raises(TypeError, match="needs a manifolds.Field"):
        manifolds.train(torch.nn.Linear(3, 3), SPHERE.uniform, SPHERE.uniform, steps=1)


def test_the_torus_chord_distance_is_the_straight_line_between_two_circles_points():
    x = torch.tensor([[0.0, 0.0]])
    y = torch.tensor([[math.pi, 0.0], [0.0, math.pi / 2], [2 * math.pi, 0.0]])
    assert torch.allclose(TORUS.chord_distance(x, y), torch.tensor([[2.0, math.sqrt(2), 0.0]]), atol=1e-6)
    # Of negative type: for weights summing to zero, sum_ij w_i w_j d_ij <= 0 (the geodesic distance can break it).
    points = TORUS.uniform(40, G).double()
    w = torch.randn(40, generator=G, dtype=torch.float64)
    w -= w.mean()
    assert w @ TORUS.chord_distance(points, points) @ w <= 1e-9


def test_a_small_draw_of_the_targets_leaves_clusters_empty_without_failing():
    for n in (1, 2, 3):
        assert manifolds.sphere_clusters(n, G).shape == (n, 3) and manifolds.torus_clusters(n, G).shape == (n, 2)
