"""Mean flows: a network for the average velocity over a time interval, trained from scratch for one-step sampling.

The flow of a velocity field v carries a point from x = X_t at time t to
X_t' at a later time t'. Its average velocity over the interval,

    vbar(x, t, t') = (X_t' - X_t) / (t' - t),

makes one step exact, X_t' = x + (t' - t) vbar(x, t, t'), and tends to v(x, t)
as t' -> t. Differentiating (t' - t) vbar(X_t, t, t') = X_t' - X_t in the
interval's start t, along the path, gives

    vbar = v + (t' - t) d vbar / dt,     d vbar / dt = (v . grad_x) vbar + d vbar / d t (partial),

the identity that Geng et al. (2025) turn into a training target: with the
pair's own velocity v = x1 - x0 in place of the field, regress
vbar_theta(x_t, t, t') on v + (t' - t) d vbar_theta / dt, the derivative taken
by one Jacobian-vector product and the whole target held fixed (no gradient
flows through it). With t' = t the target is v itself: flow matching. Time
runs from the source (t = 0) to the target (t = 1), so vbar is evaluated at the
interval's earlier end, where a sampler's step starts (the paper, whose time
runs the other way, writes u and evaluates it at the end its steps start from).

    >>> model = meanflow.MeanFlowNet(dim=2)
    >>> meanflow.train(model, "gaussian", "spiral", steps=10_000)
    >>> x1 = meanflow.jump(model, x0, steps=1).x
"""

from __future__ import annotations

import sys
from typing import Optional, Union

import torch
from torch import nn

from . import cache, checks, recipes
from .couplings import independent
from .devices import device_of
from .models import as_input, mlp, time_column
from .shapes import Data, as_sampler
from .solvers import Solution, Velocity, _CountedVelocity, rk4_step
from .training import optimise, seeded

Time = Union[float, torch.Tensor]


class MeanFlowNet(nn.Module):
    """vbar_theta(x, t, t'): `dim` numbers and two times in, `dim` numbers out (the book's MLP, one input wider).

    The interval enters as its start t and its length t' - t. With t' = t the
    network is an ordinary velocity field, `model.velocity(x, t) = model(x, t, t)`.
    """

    def __init__(self, dim: int = 2, width: int = 64, depth: int = 3):
        super().__init__()
        self.dim = checks.whole_number(dim, "dim")
        self.net = mlp(self.dim + 2, width, depth, self.dim)

    def forward(self, x: torch.Tensor, t: Time, t_next: Time) -> torch.Tensor:
        """x: (n, dim); t and t_next: numbers or tensors of shape (), (n,) or (n, 1), with t <= t_next."""
        x = as_input(x, self, self.net[0].weight)
        t, t_next = time_column(t, x), time_column(t_next, x)
        return self.net(torch.cat([x, t, t_next - t], dim=1))

    def velocity(self, x: torch.Tensor, t: Time) -> torch.Tensor:
        """The instantaneous velocity vbar_theta(x, t, t): the network as a flow, for `fmlib.integrate`."""
        return self(x, t, t)


@torch.no_grad()
def average_velocity(velocity: Velocity, x: torch.Tensor, t: float, t_next: float, steps: int = 200) -> torch.Tensor:
    """(X_t' - X_t) / (t' - t) along `velocity` from X_t = x, by `steps` RK4 steps (the exact vbar of a known field)."""
    t, t_next = checks.real_number(t, "t"), checks.real_number(t_next, "t_next")
    if not t_next > t:
        raise ValueError(f"the interval must run forward, t < t_next; got t = {t}, t_next = {t_next}")
    steps = checks.whole_number(steps, "steps")
    x = checks.points(x, "x")
    end, dt = x, (t_next - t) / steps
    for i in range(steps):
        end = rk4_step(velocity, end, t + i * dt, dt)
    return (end - x) / (t_next - t)


def loss(model: MeanFlowNet, x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor, t_next: torch.Tensor) -> torch.Tensor:
    """The mean squared gap between vbar_theta(x_t, t, t') and its fixed target v + (t' - t) d vbar_theta / dt.

    x0, x1: pairs (n, d), v = x1 - x0; t, t_next: the intervals' ends, (n, 1)
    with t <= t_next. The derivative along the pair's straight path,
    (v . grad_x) vbar + d vbar / d t, is one forward-mode Jacobian-vector
    product with the tangent (v, 1, 0).
    """
    if x0.shape != x1.shape or t.shape != (len(x0), 1) or t_next.shape != t.shape:
        raise ValueError(
            f"need pairs x0, x1 of one shape (n, d) and times t, t_next of shape (n, 1); got "
            f"{tuple(x0.shape)}, {tuple(x1.shape)}, {tuple(t.shape)}, {tuple(t_next.shape)}"
        )
    v = x1 - x0
    xt = (1 - t) * x0 + t * x1
    average, change = torch.func.jvp(lambda x, start: model(x, start, t_next), (xt, t), (v, torch.ones_like(t)))
    target = (v + (t_next - t) * change).detach()
    return ((average - target) ** 2).mean()


def interval_times(
    n: int, share: float = 0.25, mean: float = 0.4, sd: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """n intervals (t, t'), each (n, 1): two logit-normal times, sorted, and t' set to t in all but `share` of them.

    The defaults are Geng et al.'s, mirrored into this book's direction of time:
    their logit-normal(-0.4, 1) over a time that runs from data to noise is
    logit-normal(0.4, 1) here, and where they set the interval's ends equal they
    keep the noisier end, where a step starts, which here is the earlier one, t.
    """
    n, share = checks.whole_number(n, "n"), checks.fraction(share, "share")
    times = torch.sigmoid(mean + sd * torch.randn(n, 2)).sort(dim=1).values
    t, t_next = times[:, :1], times[:, 1:]
    same = torch.rand(n, 1) >= share
    return t, torch.where(same, t, t_next)


def train(
    model: MeanFlowNet,
    source: Data,
    target: Data,
    steps: int = recipes.BOOK_2D.steps,
    batch_size: int = recipes.BOOK_2D.batch_size,
    lr: float = recipes.BOOK_2D.lr,
    seed: Optional[int] = None,
    share: float = 0.25,
    lr_decay: bool = recipes.BOOK_2D.lr_decay,
    progress: bool = True,
) -> list[float]:
    """Fit `model` by `loss` on random pairs of `source` and `target`, intervals from `interval_times(share=share)`.

    The same loop (`fmlib.training.optimise`, Adam with a cosine-decaying
    learning rate) and the same kinds of data as `fmlib.train`.
    """
    if not isinstance(model, MeanFlowNet):
        raise TypeError(f"model must be a MeanFlowNet, got {model!r:.60}")
    seeded(seed)
    draw = independent(source, target)
    batch_size = checks.whole_number(batch_size, "batch_size")
    device = device_of(model)

    def batch_loss():
        x0, x1 = (x.to(device) for x in draw(batch_size))
        t, t_next = (time.to(device) for time in interval_times(batch_size, share))
        return loss(model, x0, x1, t, t_next)

    return optimise(model, batch_loss, steps, lr, lr_decay, progress)


@torch.no_grad()
def jump(model: MeanFlowNet, x0: torch.Tensor, steps: int = 1, trajectory: bool = False) -> Solution:
    """Carry `x0` (n, d) from t = 0 to t = 1 in `steps` even jumps x <- x + (t' - t) vbar_theta(x, t, t')."""
    if not isinstance(model, MeanFlowNet):
        raise TypeError(f"model must be a MeanFlowNet, got {model!r:.60}")
    steps = checks.whole_number(steps, "steps")
    x = checks.points(x0, "x0").to(device_of(model))
    counted = _CountedVelocity(lambda y, t: model(y, t[0], t[1]))
    times = torch.linspace(0, 1, steps + 1, dtype=torch.float64)
    path = [x] if trajectory else None
    for start, end in zip(times[:-1].tolist(), times[1:].tolist()):
        x = x + (end - start) * counted(x, (start, end))
        if trajectory:
            path.append(x)
    return Solution(x=x, trajectory=torch.stack(path) if trajectory else None, times=times.float(), nfe=counted.calls)


def trained_model(
    source: str,
    target: str,
    recipe: recipes.Recipe = recipes.LONG_SPIRAL,
    seed: int = 0,
    share: float = 0.25,
    progress: bool = True,
) -> MeanFlowNet:
    """A `MeanFlowNet(dim, recipe.width, recipe.depth)` trained by `train` with `recipe`'s settings, kept on disk.

    Like `fmlib.trained_model`: `source` and `target` are shape names, the first
    call trains and later calls load; `share` (the share of intervals with t < t') is part
    of the key. Returns the model in evaluation mode on `fmlib.default_device()`.
    """
    if not isinstance(recipe, recipes.Recipe):
        raise TypeError(f"recipe must be a Recipe, such as fmlib.recipes.LONG_SPIRAL; got {recipe!r}")
    seed, share = checks.seed(seed), checks.fraction(share, "share")
    if seed is None:
        raise TypeError("seed must be a whole number such as 0: the cache keeps one model per seed")
    as_sampler(target, "target")
    dim = as_sampler(source, "source")(1).shape[1]
    settings = {**recipe.train_settings(), "share": share}
    path = cache.model_path(source, f"{target}-mean-flow", recipe, seed, settings, modules=(sys.modules[__name__],))

    def fit(model):
        train(model, source, target, seed=seed, progress=progress, **settings)

    return cache.kept(path, lambda: MeanFlowNet(dim, recipe.width, recipe.depth), fit, seed, progress)
