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
import math
import time
from typing import Callable, Optional

import torch
from torch import nn

from . import checks
from .couplings import Coupling, fixed, independent, teacher_pairs
from .devices import choose_threads_once, device_of
from .progress import TrainingProgress
from .recipes import BOOK_2D, BOOK_REFLOW
from .schedules import PATHS, STRAIGHT, AffinePath
from .shapes import Data

RUNAWAY = 100
"""Training has run away when its loss, averaged over the last WINDOW iterations, is this many times where it started
(the first loss, or the loss of a model that has learnt nothing, whichever is larger)."""
WINDOW = 20


def flow_matching_loss(
    model: nn.Module,
    x0: torch.Tensor,
    x1: torch.Tensor,
    t: torch.Tensor,
    label: Optional[torch.Tensor] = None,
    path: AffinePath = STRAIGHT,
    prediction: str = "velocity",
    weighting: Optional[str] = None,
) -> torch.Tensor:
    """The mean squared gap between the model's velocity at x_t and the straight path's velocity x1 - x0.

    x0, x1: pairs of shape (n, d); t: their times, (n, 1); label: None, or the class
    of each pair, (n,), for a conditional model. The whole idea of flow matching
    is in these few lines. Chapter 13 widens it: on another affine `path`, the
    model may predict the noise, the data or the score (`prediction`, with
    `AffinePath.regression_target`), and `weighting` names another loss of
    `schedules.LOSSES` whose value this one is to take: each squared gap is then
    multiplied by lambda(t) = w_weighting(t) / w_prediction(t) (`AffinePath.loss_weight`).
    """
    _check_pairs(x0, x1, t)
    xt = path.interpolate(x0, x1, t)
    target = path.regression_target(prediction, x0, x1, t)
    output = model(xt, t) if label is None else model(xt, t, label)
    squared = (output - target) ** 2
    if weighting is not None and weighting != prediction:
        squared = squared * (path.loss_weight(weighting, t) / path.loss_weight(prediction, t))
    return squared.mean()


def _still(x, t, *label):
    """A model that has learnt nothing: it answers 0 everywhere."""
    return torch.zeros_like(x)


def _check_pairs(x0, x1, t):
    if x0.shape != x1.shape:
        raise ValueError(
            f"x0 and x1 must be pairs of the same shape (n, d), got {tuple(x0.shape)} and {tuple(x1.shape)}"
        )
    if isinstance(t, torch.Tensor) and t.shape not in ((), (len(x0), 1)):
        raise ValueError(f"t must hold one time per pair, shape ({len(x0)}, 1), or be one number; got {tuple(t.shape)}")


def drop_labels(labels: torch.Tensor, dropout: float, no_label: int) -> torch.Tensor:
    """`labels` (n,), each replaced by `no_label` with probability `dropout` (classifier-free guidance)."""
    return torch.where(torch.rand(len(labels), device=labels.device) < dropout, no_label, labels)


def uniform_times(n: int) -> torch.Tensor:
    """Times drawn uniformly from [0, 1): shape (n, 1)."""
    return torch.rand(n, 1)


def seeded(seed: Optional[int]) -> None:
    """Check `seed`, and seed torch's generator with it when it is given: how each training loop begins."""
    seed = checks.seed(seed)
    if seed is not None:
        torch.manual_seed(seed)


def seconds_per_step(batch_loss: Callable[[nn.Module], torch.Tensor], model: nn.Module, steps: int = 50) -> float:
    """The wall-clock seconds of one Adam step on `batch_loss(model)`, averaged over `steps` after one to warm up.

    It trains `model` (learning rate 1e-3) while it times it: give it a fresh
    network of the size to measure, not one you want to keep. Steps times a
    recipe's steps estimates a training's length without running it.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch network (an nn.Module) to time, got {model!r:.60}")
    steps = checks.whole_number(steps, "steps")
    choose_threads_once()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = None
    for i in range(steps + 1):
        if i == 1:
            start = time.perf_counter()
        loss = batch_loss(model)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return (time.perf_counter() - start) / steps


def optimise(
    model: nn.Module,
    batch_loss: Callable[[], torch.Tensor],
    steps: int,
    lr: float,
    lr_decay: bool = True,
    progress: bool = False,
    callback: Optional[Callable] = None,
    callback_every: int = 100,
    untrained_loss: Optional[Callable[[], float]] = None,
) -> list[float]:
    """Adam on `model`'s parameters for `steps` iterations, each minimising `batch_loss()` on a fresh batch.

    With `lr_decay` the learning rate falls from `lr` to 0 along a cosine: the
    regression targets are noisy (many velocities cross each point), and small late
    steps average the noise out. `callback(iteration, model)`, if given, is called
    every `callback_every` iterations and after the last one, with the model in
    evaluation mode. Returns the loss of every iteration. Stops with a remedy if the
    loss stops being a number, or runs away: RUNAWAY times above where it started,
    which is the first loss or, if larger, `untrained_loss()` (called after the first
    iteration: the loss of a model that has learnt nothing, so that fine-tuning a
    model whose first loss is tiny is not judged against that tiny number). The
    first training of a session chooses torch's CPU threads (`devices.choose_threads_once`).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch network (an nn.Module) with weights to train, got {model!r}")
    steps, lr = checks.whole_number(steps, "steps"), checks.positive_number(lr, "lr")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(iteration, model), got {callback!r}")
    callback_every = checks.whole_number(callback_every, "callback_every")
    choose_threads_once()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps) if lr_decay else None
    losses, start = [], None
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
            if start is None:
                start = max(losses[0], untrained_loss() if untrained_loss else 0.0)
            _check_progress(losses, start, iteration, lr)
            shown.advance(iteration, losses[-1])
            if callback is not None and ((iteration + 1) % callback_every == 0 or iteration == steps - 1):
                model.eval()
                callback(iteration + 1, model)
                model.train()
    model.eval()
    if not all(torch.isfinite(p).all() for p in model.parameters()):
        raise FloatingPointError(
            f"training ran away: the model's weights became NaN or infinite; lower the learning rate (lr={lr:g})"
        )
    return losses


def _check_progress(losses, start, iteration, lr):
    """Stop a training that has run away: a loss that is no longer a number, or one far above where it started."""
    if not math.isfinite(losses[-1]):
        raise FloatingPointError(
            f"the loss became {losses[-1]} at step {iteration}: lower the learning rate "
            f"(lr={lr:g}), or rescale the data so that its values are of order 1"
        )
    recent = losses[-WINDOW:]
    mean = sum(recent) / len(recent)
    if mean > RUNAWAY * start:
        raise FloatingPointError(
            f"training ran away at step {iteration}: the loss rose from {start:.3g} at the start to "
            f"{mean:.3g} (the mean of the last {len(recent)} steps), so the model is worse than untrained. "
            f"The learning rate is too high for this model and data: lower it (lr={lr:g}; try lr={lr / 10:g})"
        )


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
    path: str = "straight",
    prediction: str = "velocity",
    weighting: Optional[str] = None,
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
    the device it is on. `path` (a name of `schedules.PATHS` or an `AffinePath`),
    `prediction` and `weighting` go to `flow_matching_loss`: the defaults are the
    book's straight path and velocity. Returns the loss of every iteration, as a
    list of floats.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"model must be a network to train, such as fmlib.VelocityNet(dim=2), got {model!r}"
            + (": call the class to build one" if isinstance(model, type) else "")
        )
    steps, lr = checks.whole_number(steps, "steps"), checks.positive_number(lr, "lr")
    batch_size = checks.whole_number(batch_size, "batch_size")
    label_dropout = checks.fraction(label_dropout, "label_dropout")
    for name, function in [("time_sampler", time_sampler), ("pairs", pairs)]:
        if function is not None and not callable(function):
            raise TypeError(f"{name} must be a function of the batch size n, got {function!r}")
    seeded(seed)
    path = _path(path)
    loss_settings = dict(path=path, prediction=prediction, weighting=weighting)
    if pairs is not None and (source is not None or target is not None):
        raise ValueError("give either source and target, or pairs, not both")
    if pairs is None and (source is None or target is None):
        missing = " and ".join(name for name, data in [("source", source), ("target", target)] if data is None)
        raise ValueError(f"give either source and target (shape names, tensors or functions), or pairs: no {missing}")
    draw_pairs = pairs or independent(source, target)
    names = ("pairs", "pairs") if pairs is not None else ("source", "target")
    device = device_of(model)
    _check_data(model, draw_pairs(2), getattr(draw_pairs, "classes", None))
    last = {}

    def batch_loss():
        x0, x1, *labels = (x.to(device) for x in draw_pairs(batch_size))
        t = time_sampler(batch_size)
        if not isinstance(t, torch.Tensor) or t.shape != (batch_size, 1):
            raise ValueError(
                f"time_sampler(n) must return n times of shape (n, 1); for n = {batch_size} it gave "
                f"{tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__}"
            )
        t = t.to(device)
        last.update(x0=x0, x1=x1, t=t)
        if "untrained" not in last:  # the loss of a model that answers 0 (no motion), on the first batch
            last["untrained"] = flow_matching_loss(_still, x0, x1, t, **loss_settings).item()
        label = drop_labels(labels[0], label_dropout, model.classes) if labels else None
        return flow_matching_loss(model, x0, x1, t, label, **loss_settings)

    try:
        return optimise(
            model, batch_loss, steps, lr, lr_decay, progress, callback, callback_every, lambda: last["untrained"]
        )
    except FloatingPointError:
        for name, key in [(names[0], "x0"), (names[1], "x1"), ("time_sampler", "t")]:
            if key in last and not torch.isfinite(last[key]).all():
                raise ValueError(
                    f"the {name} gave NaN or infinite values during training, which made the loss NaN: "
                    f"check the data (or the function that draws it) before training"
                ) from None
        raise


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
    if not isinstance(teacher, nn.Module):
        raise TypeError(f"teacher must be a trained network (such as a VelocityNet) to copy, got {teacher!r}")
    teacher_steps = checks.whole_number(teacher_steps, "teacher_steps")
    x0, x1 = teacher_pairs(teacher, source, pool, teacher_steps, seed=seed)
    student = copy.deepcopy(teacher)
    losses = train(student, pairs=fixed(x0, x1), steps=steps, lr=lr, seed=seed, **train_settings)
    return student, losses


def _path(path):
    """`path` as an AffinePath: one already, or its name in `schedules.PATHS`."""
    if isinstance(path, AffinePath):
        return path
    if path not in PATHS:
        raise ValueError(f"unknown path {path!r}; choose one of {', '.join(PATHS)}, or give an AffinePath")
    return PATHS[path]


def _check_data(model, drawn, classes):
    """Check a first draw of pairs against the model: the same dim, and labels only for a model with enough classes."""
    if not isinstance(drawn, tuple) or len(drawn) not in (2, 3) or not all(isinstance(x, torch.Tensor) for x in drawn):
        raise TypeError(f"pairs(n) must return a tuple (x0, x1) or (x0, x1, labels) of tensors, got {drawn!r:.80}")
    x0, x1 = drawn[:2]
    if x0.shape[1:] != x1.shape[1:]:
        raise ValueError(f"source points have shape {tuple(x0.shape[1:])} but target points {tuple(x1.shape[1:])}")
    expected = getattr(model, "dim", None)
    if expected is not None and x0.shape[1] != expected:
        raise ValueError(
            f"the model was built for dim={expected} but the data have dim={x0.shape[1]}; "
            f"build it with VelocityNet(dim={x0.shape[1]})"
        )
    labelled, model_classes = len(drawn) == 3, getattr(model, "classes", None)
    if labelled and not model_classes:
        raise ValueError(
            "the pairs come with labels, but this model has no classes: build it with VelocityNet(classes=K), "
            "K the number of classes in the data"
        )
    if labelled and classes is not None and classes > model_classes:
        raise ValueError(
            f"the data have {classes} classes but the model was built with classes={model_classes}; "
            f"build it with VelocityNet(classes={classes})"
        )
