"""How far apart two point clouds are: one number that is 0 when they match.

>>> sliced_wasserstein(generated, target)   # same units as the data
"""

from __future__ import annotations

from typing import Callable, Optional, Union

import torch

from . import checks
from .solvers import Velocity, integrate


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, projections: int = 256, seed: int = 0) -> float:
    """Sliced Wasserstein-2 distance between clouds a (n, d) and b (m, d).

    Project both clouds onto `projections` random directions, compare the sorted
    1D projections (quantiles, when n != m), and average the squared gaps:
    SW2^2 = E_direction[ W2^2 of the 1D projections ]. The directions are drawn
    with `seed`, so the same clouds always give the same number.
    """
    a, b = _clouds(a, b)
    directions = projection_directions(a.shape[1], projections, seed)
    return _w2_per_column(a @ directions, b @ directions)


def projection_directions(dim: int, projections: int = 256, seed: int = 0) -> torch.Tensor:
    """The unit directions `sliced_wasserstein` projects onto: (dim, projections), float64, drawn with `seed`."""
    dim, projections = checks.whole_number(dim, "dim"), checks.whole_number(projections, "projections")
    generator = torch.Generator().manual_seed(checks.seed(seed))
    directions = torch.randn(dim, projections, generator=generator, dtype=torch.float64)
    return directions / directions.norm(dim=0, keepdim=True)


def _clouds(a, b):
    """a (n, d) and b (m, d): two non-empty clouds of finite points with the same d, as float64 on the CPU."""
    a, b = checks.points(a, "a"), checks.points(b, "b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"a and b must be clouds of points of the same dimension, got shapes {tuple(a.shape)} and {tuple(b.shape)}"
        )
    return a.detach().double().cpu(), b.detach().double().cpu()


def _w2_per_column(pa, pb):
    """Root-mean-square gap between the sorted columns of pa (n, k) and pb (m, k), over all columns.

    When n != m, both are compared at the same min(n, m) evenly spaced quantile levels.
    """
    if len(pa) == len(pb):
        # Sorting rows of the transposed, contiguous copy is about twice as fast as sorting columns.
        gaps = pa.T.contiguous().sort(dim=1).values - pb.T.contiguous().sort(dim=1).values
    else:
        m = min(len(pa), len(pb))
        levels = (torch.arange(m, dtype=pa.dtype) + 0.5) / m
        gaps = torch.quantile(pa, levels, dim=0) - torch.quantile(pb, levels, dim=0)
    return gaps.pow(2).mean().sqrt().item()


def wasserstein_1d(a: torch.Tensor, b: torch.Tensor) -> float:
    """Wasserstein-2 distance between two 1D samples, of shape (n,) or (n, 1).

    In 1D the optimal pairing matches sorted values, so W2 is the root-mean-square
    gap between the sorted samples.
    """
    a, b = _samples_1d(a, "a"), _samples_1d(b, "b")
    return _w2_per_column(a.detach().double().cpu().reshape(-1, 1), b.detach().double().cpu().reshape(-1, 1))


def _samples_1d(x, name):
    x = checks.tensor(x, name)
    if x.ndim not in (1, 2) or (x.ndim == 2 and x.shape[1] != 1):
        raise ValueError(
            f"{name} must be 1D samples of shape (n,) or (n, 1), got shape {tuple(x.shape)}; "
            "compare clouds of points in more dimensions with sliced_wasserstein"
        )
    return checks.points(x.reshape(-1, 1), name)


@torch.no_grad()
def field_rmse(velocity: Velocity, reference: Velocity, x: torch.Tensor, t: Union[float, torch.Tensor]) -> float:
    """Root-mean-square difference of two velocity fields over points x (n, d) at times t (n, 1) (or one time).

    To weigh the (t, x) plane as training does, draw t uniformly and x = x_t on the path.
    """
    x = checks.points(x, "x")
    if isinstance(t, torch.Tensor):
        if t.shape not in ((), (len(x),), (len(x), 1)):
            raise ValueError(f"t must be one time per point, shape ({len(x)}, 1), or one time; got {tuple(t.shape)}")
        t_cpu = t.cpu()
    else:
        t = t_cpu = checks.real_number(t, "t")
    v = _field(velocity(x, t), "velocity", x).detach().double().cpu()
    r = _field(reference(x.cpu(), t_cpu), "reference", x).detach().double()
    return (v - r).pow(2).sum(dim=1).mean().sqrt().item()


def _field(v, name, x):
    """A field's values at x, checked: a tensor of x's shape, all finite."""
    if not isinstance(v, torch.Tensor) or v.shape != x.shape:
        shape = tuple(v.shape) if isinstance(v, torch.Tensor) else type(v).__name__
        raise ValueError(
            f"{name} must give one velocity per point, of x's shape {tuple(x.shape)}: velocity and reference must "
            f"be fields of the same dimension; {name} gave {shape}"
        )
    return checks.finite(v, f"the {name} field")


def energy_distance(
    a: torch.Tensor, b: torch.Tensor, distance: Optional[Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = None
) -> float:
    """Energy distance 2 E d(X, Y) - E d(X, X') - E d(Y, Y') between clouds a (n, d) and b (m, d).

    d is the straight-line distance, or `distance(a, b)`, which gives the (n, m)
    matrix of distances of another space (such as a sphere's great-circle
    distance). With the straight-line distance it is zero exactly when the two
    distributions are equal. Cost: O(n m) memory.
    """
    a, b = _clouds(a, b)
    d = torch.cdist if distance is None else distance
    between = d(a, b).mean()
    within_a, within_b = d(a, a).mean(), d(b, b).mean()
    return (2 * between - within_a - within_b).item()


@torch.no_grad()
def straightness(velocity: Velocity, x0: torch.Tensor, steps: int = 100) -> float:
    """E over x0 of the integral over t of |(X1 - X0) - v(X_t, t)|^2 along the flow's own paths.

    The rectified-flow paper's measure: 0 exactly when every path is a straight
    line at constant speed (then one Euler step is exact). The paths are
    integrated with RK4 in `steps` ODE steps; the integral is the trapezoidal rule
    over the velocities at the steps' times.
    """
    solution = integrate(velocity, x0, steps=steps, method="rk4", trajectory=True)
    chord = solution.x - solution.trajectory[0]
    gaps = torch.stack(
        [
            (chord - velocity(x, t)).pow(2).sum(dim=1).mean()
            for x, t in zip(solution.trajectory, solution.times.tolist())
        ]
    )
    return torch.trapezoid(gaps.double().cpu(), solution.times.double()).item()
