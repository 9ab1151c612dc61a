"""DDPM and DDIM: samplers that jump from one noise level to the next through the predicted data and noise.

A velocity field on an affine path gives, at x and t, its predictions of the
data x1_hat and of the noise eps_hat (`AffinePath.data_from_velocity`,
`noise_from_velocity`). DDIM (Song, Meng and Ermon 2021) puts the point where
the path would be at the next time t' with those predictions,

    x' = alpha' x1_hat + sigma' eps_hat.

With eta > 0 part of the predicted noise is swapped for fresh noise z:

    x' = alpha' x1_hat + sqrt(sigma'^2 - c^2) eps_hat + c z,
    c^2 = eta^2 sigma'^2 (sigma^2 - (alpha / alpha')^2 sigma'^2) / sigma^2,

and eta = 1 is DDPM's ancestral step (Ho et al. 2020): a draw from the
noising process's Gaussian posterior of x_t' given x_t and x1 = x1_hat. DDIM
discretises the probability flow ODE, DDPM the reverse-time SDE. Time runs from
noise (t = 0) to data (t = 1), as everywhere in this book.

    >>> x = denoising.sample(schedules.as_velocity(net, schedules.VP, "noise"), x0, schedules.VP, steps=50).x
"""

from __future__ import annotations

import math
from typing import Optional

import torch

from . import checks
from .devices import device_of
from .schedules import AffinePath
from .solvers import Solution, Velocity, _CountedVelocity


def step(
    velocity: Velocity,
    x: torch.Tensor,
    t: float,
    t_next: float,
    path: AffinePath,
    eta: float = 0.0,
    generator: Optional[torch.Generator] = None,
) -> torch.Tensor:
    """One DDIM (eta = 0) or DDPM (eta = 1) step of the points x (n, d) from time t to the later time t_next."""
    v = velocity(x, t)
    data, noise = path.data_from_velocity(v, x, t), path.noise_from_velocity(v, x, t)
    alpha, sigma = float(path.alpha(t)), float(path.sigma(t))
    alpha_next, sigma_next = float(path.alpha(t_next)), float(path.sigma(t_next))
    kept = max(sigma**2 - (alpha / alpha_next) ** 2 * sigma_next**2, 0.0)  # the noising's variance from t_next to t
    fresh = eta * sigma_next * math.sqrt(kept) / sigma if eta else 0.0
    x_next = alpha_next * data + math.sqrt(max(sigma_next**2 - fresh**2, 0.0)) * noise
    if fresh:
        x_next = x_next + fresh * torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)
    return x_next


@torch.no_grad()
def sample(
    velocity: Velocity,
    x0: torch.Tensor,
    path: AffinePath,
    steps: int = 100,
    eta: float = 0.0,
    seed: Optional[int] = None,
    trajectory: bool = False,
) -> Solution:
    """Carry `x0` (n, d) from t = 0 to t = 1 in `steps` even steps of DDIM (eta = 0) or DDPM (eta = 1).

    `velocity` is a field on `path` (a network of another prediction through
    `schedules.as_velocity`); the fresh noise is drawn from `seed`. Returns a
    `Solution`; its nfe counts the calls of the velocity, one per step.
    """
    if not callable(velocity):
        raise TypeError(f"velocity must be a model or a function velocity(x, t), got {velocity!r}")
    if not isinstance(path, AffinePath):
        raise TypeError(f"path must be an AffinePath such as schedules.VP, got {path!r:.60}")
    steps, seed = checks.whole_number(steps, "steps"), checks.seed(seed)
    eta = checks.fraction(eta, "eta")
    x = checks.points(x0, "x0", allow_empty=True)
    x = x.to(device_of(velocity, default=x.device))
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    counted = _CountedVelocity(velocity)
    times = torch.linspace(0, 1, steps + 1, dtype=torch.float64)
    kept = [x] if trajectory else None
    for t, t_next in zip(times[:-1].tolist(), times[1:].tolist()):
        x = step(counted, x, t, t_next, path, eta, generator)
        if trajectory:
            kept.append(x)
    if not torch.isfinite(x).all():
        raise FloatingPointError("the points became NaN or infinite on their way to t = 1 (try more steps)")
    return Solution(x=x, trajectory=torch.stack(kept) if trajectory else None, times=times.float(), nfe=counted.calls)
