"""How far apart two point clouds are: one number that is 0 when they match.

>>> sliced_wasserstein(generated, target)   # same units as the data
"""

from __future__ import annotations

import torch

from .solvers import Velocity, integrate


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, projections: int = 256, seed: int = 0) -> float:
    """Sliced Wasserstein-2 distance between clouds a (n, d) and b (m, d).

    Project both clouds onto `projections` random directions, compare the sorted
    1D projections (quantiles, when n != m), and average the squared gaps:
    SW2^2 = E_direction[ W2^2 of the 1D projections ]. The directions are drawn
    with `seed`, so the same clouds always give the same number.
    """
    a, b = a.detach().double().cpu(), b.detach().double().cpu()
    if a.ndim != 2 or a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"expected two clouds of shape (n, d) with the same d, got {tuple(a.shape)} and {tuple(b.shape)}"
        )
    generator = torch.Generator().manual_seed(seed)
    directions = torch.randn(a.shape[1], projections, generator=generator, dtype=torch.float64)
    directions /= directions.norm(dim=0, keepdim=True)
    return _w2_per_column(a @ directions, b @ directions)


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
    a, b = a.detach().double().cpu().reshape(-1, 1), b.detach().double().cpu().reshape(-1, 1)
    return _w2_per_column(a, b)


@torch.no_grad()
def field_rmse(velocity: Velocity, reference: Velocity, x: torch.Tensor, t: torch.Tensor) -> float:
    """Root-mean-square difference of two velocity fields over points x (n, d) at times t (n, 1).

    To weigh the (t, x) plane as training does, draw t uniformly and x = x_t on the path.
    """
    v = velocity(x, t).detach().double().cpu()
    r = reference(x.cpu(), t.cpu()).detach().double()
    return (v - r).pow(2).sum(dim=1).mean().sqrt().item()


def energy_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """Energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| between clouds a (n, d) and b (m, d).

    It is zero exactly when the two distributions are equal. Cost: O(n m) memory.
    """
    a, b = a.detach().double().cpu(), b.detach().double().cpu()
    between = torch.cdist(a, b).mean()
    within_a, within_b = torch.cdist(a, a).mean(), torch.cdist(b, b).mean()
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
