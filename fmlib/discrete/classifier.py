"""The learner of discrete flow matching: a classifier of each token's target value, trained by cross-entropy."""

from __future__ import annotations

import sys
from typing import Callable, Optional, Union

import torch
import torch.nn.functional as F
from torch import nn

from .. import cache, checks, models, recipes
from ..devices import device_of
from ..training import drop_labels, optimise, seeded
from . import chain, data
from .chain import LINEAR, Schedule, _states, _tokens
from .data import TARGETS, source_sampler


class PosteriorNet(nn.Module):
    """A classifier of each token's target value from all the tokens at time t: (n, D) tokens -> (n, D, V) logits.

    `tokens` D, `values` V; `masked`: the inputs may hold the mask state V. The
    tokens go in one-hot, with t beside them, through `depth` hidden layers of
    `width` GELU units (`models.mlp`). With `classes` = K a label goes in too, as
    `VelocityNet`'s does (K + 1 one-hot inputs, K or None for "no label"), so
    one network gives p(x1 | x_t, y) and p(x1 | x_t). From a masked source an unmasked token
    already holds its target value, so for it the answer is certain by
    construction (its logits put all the probability on its value); the
    network answers only for masked tokens.
    """

    def __init__(
        self, tokens: int, values: int, masked: bool, width: int = 128, depth: int = 3, classes: Optional[int] = None
    ):
        super().__init__()
        self.tokens, self.values = checks.whole_number(tokens, "tokens"), checks.whole_number(values, "values")
        self.masked = bool(masked)
        self.states = self.values + self.masked
        self.classes = None if classes is None else checks.whole_number(classes, "classes")
        labels = self.classes + 1 if self.classes else 0
        self.net = models.mlp(self.tokens * self.states + 1 + labels, width, depth, self.tokens * self.values)

    def forward(
        self, x: torch.Tensor, t: Union[float, torch.Tensor], label: Union[None, int, torch.Tensor] = None
    ) -> torch.Tensor:
        x = _states(x, self.states).reshape(len(x), self.tokens)
        weights = self.net[0].weight
        hot = F.one_hot(x, self.states).reshape(len(x), -1).to(weights)
        inputs = [hot, models.time_column(t, hot)]
        if self.classes:
            inputs.append(models.label_columns(label, self.classes, hot))
        elif label is not None:
            raise ValueError("this PosteriorNet has no classes; build it with PosteriorNet(classes=K) to use labels")
        logits = self.net(torch.cat(inputs, dim=1)).reshape(len(x), self.tokens, self.values)
        if not self.masked:
            return logits
        known = x < self.values
        value = x.clamp(max=self.values - 1)[..., None]
        certain = torch.full_like(logits, -1e4).scatter(-1, value, 0.0)
        return torch.where(known[..., None], certain, logits)

    def probabilities(
        self, x: torch.Tensor, t: Union[float, torch.Tensor], label: Union[None, int, torch.Tensor] = None
    ) -> torch.Tensor:
        """The predicted posterior of each token's target value, (n, D, V) (given `label`, with classes)."""
        return self.forward(x, t, label).softmax(dim=-1)


def noised(x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor, schedule: Schedule = LINEAR) -> torch.Tensor:
    """Draw x_t on the mixture path: each token is x1 with probability omega_t (one t per row, (n, 1)), else x0."""
    omega = schedule.omega(t)
    return torch.where(torch.rand(x1.shape, device=x1.device) < omega, x1, x0)


def loss(
    model: PosteriorNet,
    x0: torch.Tensor,
    x1: torch.Tensor,
    t: torch.Tensor,
    schedule: Schedule = LINEAR,
    label: Optional[torch.Tensor] = None,
) -> torch.Tensor:
    """The cross-entropy of the model's posterior at x_t (given `label`, if any) against the true x1, averaged over
    tokens and pairs."""
    logits = model(noised(x0, x1, t, schedule), t, label)
    return F.cross_entropy(logits.reshape(-1, model.values), x1.reshape(-1))


def train(
    model: PosteriorNet,
    source: Callable[[int], torch.Tensor],
    target: Callable[[int], torch.Tensor],
    steps: int = recipes.BOOK_2D.steps,
    batch_size: int = recipes.BOOK_2D.batch_size,
    lr: float = recipes.BOOK_2D.lr,
    seed: Optional[int] = None,
    schedule: Schedule = LINEAR,
    lr_decay: bool = recipes.BOOK_2D.lr_decay,
    progress: bool = True,
    label_dropout: float = 0.2,
) -> list[float]:
    """Fit `model` by `loss` on pairs of fresh batches: `source(n)` and `target(n)` give tokens (n, D).

    A `target` that gives (tokens, labels (n,)) trains a model with classes; each
    label is replaced by "no label" with probability `label_dropout`, as `fmlib.train` does.
    """
    if not isinstance(model, PosteriorNet):
        raise TypeError(f"model must be a PosteriorNet, got {model!r:.60}")
    if isinstance(target(1), tuple) != bool(model.classes):  # drawn before seeding: the seed fixes training alone
        raise ValueError(
            "a PosteriorNet with classes needs a target that gives (tokens, labels), and one without needs a "
            "target that gives tokens only"
        )
    seeded(seed)
    batch_size, device = checks.whole_number(batch_size, "batch_size"), device_of(model)
    label_dropout = checks.fraction(label_dropout, "label_dropout")

    def batch_loss():
        x1, label = target(batch_size), None
        if model.classes:
            x1, label = x1
            label = drop_labels(label.to(device), label_dropout, model.classes)
        x0, x1 = _tokens(source(batch_size)).to(device), _tokens(x1).to(device)
        return loss(model, x0, x1, torch.rand(batch_size, 1, device=device), schedule, label)

    return optimise(model, batch_loss, steps, lr, lr_decay, progress)


def trained_model(
    target: str, source: str, recipe: recipes.Recipe = recipes.DISCRETE, seed: int = 0, progress: bool = True
) -> PosteriorNet:
    """A `PosteriorNet` for the data set `target` (a name of TARGETS) from `source`, trained by `train`, kept on disk.

    Like `fmlib.trained_model`: the first call trains, later calls load.
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(map(repr, TARGETS))}; got {target!r}")
    if not isinstance(recipe, recipes.Recipe):
        raise TypeError(f"recipe must be a Recipe, such as fmlib.recipes.DISCRETE; got {recipe!r}")
    if seed is None:
        raise TypeError("seed must be a whole number such as 0: the cache keeps one model per seed")
    seed = checks.seed(seed)
    tokens, values, classes, make = TARGETS[target]
    draw_source = source_sampler(source, tokens, values)
    settings = recipe.train_settings()
    path = cache.model_path(
        source, f"{target}-tokens", recipe, seed, settings, modules=(sys.modules[__name__], chain, data)
    )

    def build():
        return PosteriorNet(tokens, values, source == "mask", recipe.width, recipe.depth, classes)

    def fit(model):
        train(model, draw_source, make(), seed=seed, progress=progress, **settings)

    return cache.kept(path, build, fit, seed, progress)
