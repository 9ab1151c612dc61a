"""Stochastic samplers with the marginals of a flow: dx = [v + (g^2 / 2) grad log p_t] dt + g dB.

The noise g dB alone would blur p_t (it adds (g^2 / 2) times the Laplacian of
p_t to the continuity equation); the score term pushes back exactly as much,
since p_t grad log p_t = grad p_t. So for every noise level g(t) the points
have the density p_t at every time, and g = 0 is the flow itself (the
probability flow ODE). B is a Brownian motion: its increments dB over
disjoint steps are independent Gaussians with variance dt. Time runs from the
source (t = 0) to the target (t = 1), as everywhere in this book; diffusion
papers run it the other way.

    >>> g = sde.langevin_noise(1.0)                  # g(t)^2 = 2 sigma_t
    >>> x1 = sde.integrate(model, x0, g, steps=200, seed=0).x

Diffusion models start from the other end: an SDE that noises the data
(`noising`), whose noise `diffusion_noise(path)` is the g at which the
sampler above is the reverse-time SDE of that noising (Anderson 1982).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable, Optional

import torch

from . import checks
from .devices import device_of, on_device_of
from .schedules import STRAIGHT, AffinePath
from .solvers import Solution, Velocity, _CountedVelocity

Noise = Callable[[float], float]
"""g(t): the noise level at time t, a number >= 0."""


def langevin_noise(level: float, path: AffinePath = STRAIGHT) -> Noise:
    """g(t) = sqrt(2 level sigma_t): Langevin dynamics of strength level * sigma_t on top of the flow.

    `path` must be the path the sampler runs on (the `path` given to `integrate`
    or `drift`): its sigma_t sets the noise. The score term (g^2 / 2) grad log p_t = -level * eps_hat is then bounded
    (eps_hat is the predicted noise), and the noise fades out at t = 1, where
    sigma_t = 0 and a score derived from a velocity is undefined.
    """
    level = checks.real_number(level, "level")
    if level < 0:
        raise ValueError(f"level must be >= 0 (0: the flow itself), got {level}")
    return lambda t: math.sqrt(2 * level * max(float(path.sigma(t)), 0.0))


def diffusion_noise(path: AffinePath) -> Noise:
    """g(t) = sqrt(2 sigma_t^2 d/dt log(alpha_t / sigma_t)): the noise of the SDE that noises data along `path`.

    The SDE dx = -(alpha'/alpha) x dr + g dB_r, run in diffusion time r = 1 - t
    from data at r = 0, carries a point x1 to N(alpha_t x1, sigma_t^2 I) at
    r = 1 - t: the drift shrinks the mean as alpha does, and g^2 is what the
    variance must gain per unit of r beyond that shrinking. It is infinite where
    alpha_t = 0 (the straight path at t = 0) and is 0 where sigma_t = 0.
    """
    if not isinstance(path, AffinePath):
        raise TypeError(f"path must be an AffinePath such as schedules.VP, got {path!r:.60}")

    def g(t):
        alpha, sigma = float(path.alpha(t)), float(path.sigma(t))
        if alpha == 0:
            return math.inf
        squared = 2 * sigma * (sigma * float(path.d_alpha(t)) / alpha - float(path.d_sigma(t)))
        return math.sqrt(max(squared, 0.0))

    return g


@torch.no_grad()
def noising(
    x1: torch.Tensor, path: AffinePath, steps: int = 1000, seed: Optional[int] = None, trajectory: bool = False
) -> Solution:
    """Noise the data `x1` (n, d) along `path`: Euler-Maruyama from t = 1 down to t = 0 on the noising SDE.

    In diffusion time r = 1 - t the SDE is dx = -(alpha'/alpha) x dr + g dB_r
    with g = `diffusion_noise(path)`, in `steps` even steps of r. Returns a
    `Solution` whose x holds the points at t = 0 and whose times run from 1
    down to 0 (the trajectory's first row is the data).
    """
    if not isinstance(path, AffinePath):
        raise TypeError(f"path must be an AffinePath such as schedules.VP, got {path!r:.60}")
    g = diffusion_noise(path)
    if not math.isfinite(g(0.0)):
        raise ValueError(f"the {path.name} path has alpha = 0 at t = 0, so its noising SDE needs infinite noise there")

    def shrink(x, r):
        return -(path.d_alpha(1 - r) / path.alpha(1 - r)) * x

    solution = euler_maruyama(shrink, lambda r: g(1 - r), x1, steps=steps, seed=seed, trajectory=trajectory)
    return dataclasses.replace(solution, times=1 - solution.times)


def drift(velocity: Velocity, g: Noise, score: Optional[Velocity] = None, path: AffinePath = STRAIGHT) -> Velocity:
    """Drift b(x, t) = v(x, t) + (g(t)^2 / 2) score(x, t); without `score`, from `path.score_from_velocity`."""
    if not callable(g):
        raise TypeError(f"g must be a function of time t -> g(t), such as sde.langevin_noise(1.0); got {g!r}")

    def f(x, t):
        v = velocity(x, t)
        g2 = g(t) ** 2
        if g2 == 0:  # the flow itself: no score needed (and none defined where sigma_t = 0)
            return v
        s = score(x, t) if score is not None else path.score_from_velocity(v, x, t)
        return v + (g2 / 2) * s

    return on_device_of(f, velocity)


@torch.no_grad()
def euler_maruyama(
    f: Velocity, g: Noise, x0: torch.Tensor, steps: int = 100, seed: Optional[int] = None, trajectory: bool = False
) -> Solution:
    """Carry `x0` (n, d) from t = 0 to t = 1 along dx = f(x, t) dt + g(t) dB in `steps` even steps.

    Each step is x <- x + f(x, t) dt + g(t) sqrt(dt) z with z ~ N(0, I), drawn
    from `seed` (the same seed gives the same paths). Returns a `Solution`; its
    nfe counts the calls of f.
    """
    if not callable(f) or not callable(g):
        raise TypeError("f and g must be functions: a drift f(x, t) -> (n, d) and a noise level g(t) -> number")
    steps, seed = checks.whole_number(steps, "steps"), checks.seed(seed)
    x = checks.points(x0, "x0", allow_empty=True)
    x = x.to(device_of(f, default=x.device))
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    counted = _CountedVelocity(f)
    times = torch.linspace(0, 1, steps + 1, dtype=torch.float64)
    path = [x] if trajectory else None
    for t0, t1 in zip(times[:-1].tolist(), times[1:].tolist()):
        dt = t1 - t0
        z = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)
        x = x + counted(x, t0) * dt + g(t0) * math.sqrt(dt) * z
        if trajectory:
            path.append(x)
    if not torch.isfinite(x).all():
        raise FloatingPointError(
            "the points became NaN or infinite on their way to t = 1: too much noise or too steep a drift for "
            "these steps (try more steps)"
        )
    return Solution(x=x, trajectory=torch.stack(path) if trajectory else None, times=times.float(), nfe=counted.calls)


def integrate(
    velocity: Velocity,
    x0: torch.Tensor,
    g: Noise,
    score: Optional[Velocity] = None,
    path: AffinePath = STRAIGHT,
    steps: int = 100,
    seed: Optional[int] = None,
    trajectory: bool = False,
) -> Solution:
    """The stochastic counterpart of `fmlib.integrate`: Euler-Maruyama on dx = [v + (g^2 / 2) score] dt + g dB.

    `velocity` is the flow's field on `path`; `score` is grad log p_t, derived
    from the velocity when not given. With g = 0 this is Euler's method on the
    flow. Every choice of g has the flow's marginals p_t.
    """
    return euler_maruyama(drift(velocity, g, score, path), g, x0, steps=steps, seed=seed, trajectory=trajectory)
