"""Guidance: steer a flow towards a class y.

Both guided fields below are plain velocities `(x, t) -> v`, so `fmlib.integrate`
runs them with any step method.

- Classifier-free guidance mixes a conditional model's two answers,
  (1 - w) v(x, t) + w v(x, t | y): w = 0 ignores the label, w = 1 is the
  conditional flow, w > 1 pushes further away from "any class" towards y.
- Classifier guidance adds the gradient of a time-aware classifier's
  log p(y | x_t = x, t) to an unconditional velocity. For the straight path from
  x0 ~ N(0, I), v(x, t) = (x + (1 - t) grad log p_t(x)) / t, and Bayes' rule turns
  the conditional field into v(x, t | y) = v(x, t) + ((1 - t) / t) grad log p(y | x, t).
  So the scale (1 - t) / t, times a strength w, makes w = 1 the conditional flow
  and puts both methods on the same scale of w.
"""

from __future__ import annotations

from typing import Optional, Union

import torch
from torch import nn

from . import checks
from .devices import device_of, on_device_of
from .models import as_input, mlp, time_column
from .paths import interpolate
from .shapes import CLASSES, Data, as_sampler, sample_labelled
from .solvers import Velocity
from .training import optimise


def classifier_free(model: nn.Module, label: int, w: float) -> Velocity:
    """(1 - w) v(x, t) + w v(x, t | label) from one conditional `VelocityNet(classes=K)`."""
    classes = getattr(model, "classes", None)  # a stand-in function without it is taken on trust
    if hasattr(model, "classes") and not classes:
        raise ValueError(
            "classifier-free guidance needs a conditional model, trained with labels: "
            "build it with VelocityNet(classes=K) and train it on labelled pairs"
        )
    label, w = _class(label, classes), checks.real_number(w, "w (the guidance scale)")

    def velocity(x, t):
        return (1 - w) * model(x, t) + w * model(x, t, label) if w != 1 else model(x, t, label)

    return on_device_of(velocity, model)


class TimeClassifier(nn.Module):
    """logits of p(y | x_t = x, t): a small MLP with `classes` outputs."""

    def __init__(self, classes: int, dim: int = 2, width: int = 64, depth: int = 3):
        super().__init__()
        self.classes, self.dim = checks.whole_number(classes, "classes"), checks.whole_number(dim, "dim")
        self.net = mlp(self.dim + 1, width, depth, self.classes)

    def forward(self, x: torch.Tensor, t: Union[float, torch.Tensor]) -> torch.Tensor:
        """x: (n, dim); t: a number or a tensor of shape (), (n,) or (n, 1). Returns logits (n, classes)."""
        x = as_input(x, self, self.net[0].weight)
        return self.net(torch.cat([x, time_column(t, x)], dim=1))


def train_classifier(
    classifier: nn.Module,
    target: str,
    source: Data = "gaussian",
    steps: int = 1000,
    batch_size: int = 1024,
    lr: float = 1e-2,
    seed: Optional[int] = None,
    noisy: bool = True,
) -> list[float]:
    """Fit `classifier` to the labels of shape `target`, on points x_t of straight paths from `source`.

    With `noisy` the time of each point is uniform in [0, 1] (what classifier
    guidance needs); without, t = 1: a plain classifier of clean target points.
    `steps` optimiser iterations of `batch_size` points, Adam from `lr` with cosine
    decay (`fmlib.training.optimise`, the loop `fmlib.train` uses). Returns the loss
    of every iteration.
    """
    classes = getattr(classifier, "classes", None)
    if not isinstance(classifier, nn.Module) or not isinstance(classes, int):
        raise TypeError(f"classifier must be a classifier such as guidance.TimeClassifier(K), got {classifier!r:.80}")
    if not isinstance(target, str) or target not in CLASSES:
        raise ValueError(
            f"target must be a shape with classes; {target!r} has none: choose one of {', '.join(CLASSES)}"
        )
    if classes < CLASSES[target]:
        raise ValueError(
            f"{target} has {CLASSES[target]} classes but the classifier was built with classes={classes}; "
            f"build it with TimeClassifier({CLASSES[target]})"
        )
    if getattr(classifier, "dim", 2) != 2:
        raise ValueError(
            f"the shapes are 2D but the classifier was built for dim={classifier.dim}; build it with dim=2"
        )
    steps, lr = checks.whole_number(steps, "steps"), checks.positive_number(lr, "lr")
    batch_size, seed = checks.whole_number(batch_size, "batch_size"), checks.seed(seed)
    if seed is not None:
        torch.manual_seed(seed)
    draw_source = as_sampler(source, "source")
    device = device_of(classifier)
    last = {}

    def batch_loss():
        x1, y = (v.to(device) for v in sample_labelled(target, batch_size))
        t = torch.rand(batch_size, 1, device=device) if noisy else torch.ones(batch_size, 1, device=device)
        last["x0"] = draw_source(batch_size).to(device)
        xt = interpolate(last["x0"], x1, t)
        return nn.functional.cross_entropy(classifier(xt, t), y)

    try:
        return optimise(classifier, batch_loss, steps, lr)
    except FloatingPointError:
        if "x0" in last and not torch.isfinite(last["x0"]).all():
            raise ValueError(
                "the source gave NaN or infinite values during training, which made the loss NaN: "
                "check the data (or the function that draws it) before training"
            ) from None
        raise


def classifier_guided(model: Velocity, classifier: nn.Module, label: int, w: float, t_min: float = 0.05) -> Velocity:
    """v(x, t) + w ((1 - t) / t) grad_x log p(label | x, t); t is held at `t_min` or above in the scale.

    At t = 0 every point is pure noise and the classifier knows nothing
    (its gradient vanishes), while (1 - t) / t blows up: the floor keeps the
    product finite.
    """
    if not (callable(model) and callable(classifier)):
        raise TypeError("model and classifier must be a velocity field v(x, t) and a classifier such as TimeClassifier")
    label, w = _class(label, getattr(classifier, "classes", None)), checks.real_number(w, "w (the guidance scale)")
    t_min = checks.real_number(t_min, "t_min")
    if not 0 < t_min <= 1:
        raise ValueError(f"t_min must lie in (0, 1]: the scale (1 - t) / t is infinite at t = 0; got {t_min}")

    def velocity(x, t):
        return model(x, t) + w * classifier_term(classifier, label, x, t, t_min)

    return on_device_of(velocity, classifier)


def classifier_term(classifier: nn.Module, label: int, x: torch.Tensor, t: float, t_min: float = 0.05) -> torch.Tensor:
    """((1 - t) / t) grad_x log p(label | x, t), t held at `t_min` or above in the scale: one point's change of velocity
    per unit of classifier guidance, the classifier's estimate of v(x, t | label) - v(x, t)."""
    with torch.enable_grad():
        x_in = x.detach().requires_grad_(True)
        log_p = torch.log_softmax(classifier(x_in, t), dim=1)[:, label].sum()
        (gradient,) = torch.autograd.grad(log_p, x_in)
    return (1 - t) / max(t, t_min) * gradient


@torch.no_grad()
def accuracy_and_spread(points: torch.Tensor, label: int, judge: nn.Module) -> tuple[float, float]:
    """Share of `points` that the classifier `judge` (at t = 1) assigns to `label`, and their spread.

    The spread is the root-mean-square distance of the points from their mean.
    """
    points, label = checks.points(points, "points"), _class(label, getattr(judge, "classes", None))
    predicted = judge(points, 1.0).argmax(dim=1)
    spread = (points - points.mean(dim=0)).pow(2).sum(dim=1).mean().sqrt()
    return (predicted == label).float().mean().item(), spread.item()


def _class(label, classes):
    """`label` as an int, if it is a class of a model with `classes` classes (None: not known)."""
    try:
        label = checks.whole_number(label, "label", minimum=0)
    except TypeError:
        raise TypeError(f"label must be a class: a whole number from 0, got {label!r}") from None
    if classes is not None and label >= classes:
        raise ValueError(f"label must be a class from 0 to {classes - 1}, as the model has {classes}; got {label}")
    return label
