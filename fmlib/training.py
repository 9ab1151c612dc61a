"""Training: the flow-matching loss, one optimisation loop for every model in the book, and reflow.

Here `steps` counts optimiser iterations (in `fmlib.integrate` it counts ODE steps).

Reflow teaches a student the straight lines between source points and where a
teacher flow takes them. Hawley's *Flow With What You Know* integrates the
teacher afresh for every training batch; `reflow` runs the teacher once, over a
pool of source points (`couplings.teacher_pairs`), and trains the student on
random batches of that fixed pool of pairs: the same kind of targets at a
fraction of the cost.
"""

from __future__ import annotations

import copy
from typing import Callable, Optional

import torch
from torch import nn

from .couplings import Coupling, fixed, independent, teacher_pairs
from .devices import device_of
from .paths import conditional_velocity, interpolate
from .progress import TrainingProgress
from .recipes import BOOK_2D, BOOK_REFLOW
from .shapes import Data


def flow_matching_loss(
    model: nn.Module, x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor, label: Optional[torch.Tensor] = None
) -> torch.Tensor:
    """The mean squared gap between the model's velocity at x_t and the straight path's velocity x1 - x0.

    x0, x1: pairs of shape (n, d); t: their times, (n, 1); label: None, or the class
    of each pair, (n,), for a conditional model. The whole idea of flow matching
    is in these few lines.
    """
    xt = interpolate(x0, x1, t)
    v = conditional_velocity(x0, x1)
    prediction = model(xt, t) if label is None else model(xt, t, label)
    return ((prediction - v) ** 2).mean()


def drop_labels(labels: torch.Tensor, dropout: float, no_label: int) -> torch.Tensor:
    """`labels` (n,), each replaced by `no_label` with probability `dropout` (classifier-free guidance)."""
    return torch.where(torch.rand(len(labels), device=labels.device) < dropout, no_label, labels)


def uniform_times(n: int) -> torch.Tensor:
    """Times drawn uniformly from [0, 1): shape (n, 1)."""
    return torch.rand(n, 1)


def optimise(
    model: nn.Module,
    batch_loss: Callable[[], torch.Tensor],
    steps: int,
    lr: float,
    lr_decay: bool = True,
    progress: bool = False,
    callback: Optional[Callable] = None,
    callback_every: int = 100,
) -> list[float]:
    """Adam on `model`'s parameters for `steps` iterations, each minimising `batch_loss()` on a fresh batch.

    With `lr_decay` the learning rate falls from `lr` to 0 along a cosine: the
    regression targets are noisy (many velocities cross each point), and small late
    steps average the noise out. `callback(iteration, model)`, if given, is called
    every `callback_every` iterations and after the last one, with the model in
    evaluation mode. Returns the loss of every iteration; stops with a remedy if it
    stops being a number.
    """
    if not isinstance(steps, int) or steps <= 0:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps) if lr_decay else None
    losses = []
    model.train()
    with TrainingProgress(steps, progress) as shown:
        for iteration in range(steps):
            loss = batch_loss()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if schedule:
                schedule.step()
            losses.append(loss.item())
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"the loss became {losses[-1]} at step {iteration}: lower the learning rate "
                    f"(lr={lr}), or rescale the data so that its values are of order 1"
                )
            shown.advance(iteration, losses[-1])
            if callback is not None and ((iteration + 1) % callback_every == 0 or iteration == steps - 1):
                model.eval()
                callback(iteration + 1, model)
                model.train()
    model.eval()
    return losses


def train(
    model: nn.Module,
    source: Optional[Data] = None,
    target: Optional[Data] = None,
    steps: int = BOOK_2D.steps,
    batch_size: int = BOOK_2D.batch_size,
    lr: float = BOOK_2D.lr,
    seed: Optional[int] = None,
    time_sampler: Callable[[int], torch.Tensor] = uniform_times,
    lr_decay: bool = BOOK_2D.lr_decay,
    progress: bool = True,
    callback: Optional[Callable] = None,
    callback_every: int = 100,
    pairs: Optional[Coupling] = None,
    label_dropout: float = 0.2,
) -> list[float]:
    """Fit `model` so that model(x_t, t) matches x1 - x0 on straight paths between random pairs.

    `source` and `target` are each a shape name, a tensor of samples (n, dim) or a
    callable `n -> tensor`; every iteration draws a fresh batch from each and pairs
    them at random. Or give `pairs`, a coupling `n -> (x0, x1)` from
    `fmlib.couplings` (reflow, optimal transport), instead of source and target.
    A coupling that also returns labels, `n -> (x0, x1, y)` (`couplings.labelled`),
    trains a conditional model (`VelocityNet(classes=K)`): each label is replaced
    by "no label" with probability `label_dropout`, so the one network learns
    both v(x, t | y) and v(x, t) (classifier-free guidance needs both).
    `time_sampler` maps a batch size to times of shape (n, 1). `steps` optimiser
    iterations of `batch_size` pairs, Adam from `lr`, with `lr_decay` and `callback`
    as in `optimise`; the defaults are `fmlib.recipes.BOOK_2D`. The model trains on
    the device it is on. Returns the loss of every iteration, as a list of floats.
    """
    if seed is not None:
        torch.manual_seed(seed)
    if (pairs is None) == (source is None or target is None):
        raise ValueError("give either source and target, or pairs")
    draw_pairs = pairs or independent(source, target)
    device = device_of(model)
    _check_dimensions(model, *draw_pairs(2)[:2])

    def batch_loss():
        x0, x1, *labels = (x.to(device) for x in draw_pairs(batch_size))
        t = time_sampler(batch_size).to(device)
        label = drop_labels(labels[0], label_dropout, model.classes) if labels else None
        return flow_matching_loss(model, x0, x1, t, label)

    return optimise(model, batch_loss, steps, lr, lr_decay, progress, callback, callback_every)


def reflow(
    teacher: nn.Module,
    source: Data,
    pool: int = BOOK_REFLOW.pool,
    teacher_steps: int = BOOK_REFLOW.teacher_steps,
    steps: int = BOOK_REFLOW.training.steps,
    lr: float = BOOK_REFLOW.training.lr,
    seed: Optional[int] = 0,
    **train_settings,
) -> tuple[nn.Module, list[float]]:
    """A student that starts as a copy of `teacher` and learns the straight lines of its pairs.

    Returns (student, losses). `teacher_steps` RK4 ODE steps (warped, s = 0.5) give
    the pool's endpoints; `steps` optimiser iterations at `lr`, and `train_settings`,
    go to `fmlib.train`. The defaults are `fmlib.recipes.BOOK_REFLOW`.
    """
    x0, x1 = teacher_pairs(teacher, source, pool, teacher_steps, seed=seed)
    student = copy.deepcopy(teacher)
    losses = train(student, pairs=fixed(x0, x1), steps=steps, lr=lr, seed=seed, **train_settings)
    return student, losses


def _check_dimensions(model, x0, x1):
    if x0.shape[1:] != x1.shape[1:]:
        raise ValueError(f"source points have shape {tuple(x0.shape[1:])} but target points {tuple(x1.shape[1:])}")
    expected = getattr(model, "dim", None)
    if expected is not None and x0.shape[1] != expected:
        raise ValueError(
            f"the model was built for dim={expected} but the data have dim={x0.shape[1]}; "
            f"build it with VelocityNet(dim={x0.shape[1]})"
        )
