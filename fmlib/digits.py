"""8 x 8 handwritten digits as 64-dimensional points, and the numbers that judge generated ones.

The 1797 digits ship inside scikit-learn (`sklearn.datasets.load_digits`: no
download). Each pixel is a grey level from 0 to 16; `scale` maps it to [-1, 1],
plus or minus one standard deviation of the Gaussian source, and `unscale` maps back.

    >>> (x_train, y_train), (x_held_out, y_held_out) = split(*load())
    >>> model = trained_model(fmlib.recipes.DIGITS)      # cached, like fmlib.trained_model
    >>> referee = fit_classifier(x_train, y_train)
    >>> class_accuracy(referee, generated, asked_for)     # (10,): one share per class

Judging generated digits takes three numbers, each against real digits the
model never saw (the held-out split): how often a classifier of real digits
reads the class that was asked for (`class_accuracy`), how different the digits
of one class are from each other (`diversity`, the mean distance between two
of them), and how close each is to its nearest training digit
(`nearest_distances`): a model that copies its training set scores well on the
first two and near zero on the third.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np
import torch

from . import cache, checks, models, recipes

CLASSES = 10
DIM = 64  # 8 x 8 pixels
SIDE = 8
PIXEL_MAX = 16.0
"""The darkest grey level of scikit-learn's digits (0 is white paper)."""
Classifier = Any
"""A fitted scikit-learn classifier (it has `predict`), such as `fit_classifier` returns."""


def scale(pixels: torch.Tensor) -> torch.Tensor:
    """Grey levels 0..16 to [-1, 1]: x = pixels / 8 - 1."""
    return torch.as_tensor(pixels, dtype=torch.float32) / (PIXEL_MAX / 2) - 1


def unscale(x: torch.Tensor) -> torch.Tensor:
    """Points in [-1, 1] back to grey levels 0..16; values outside are clipped, as a screen would."""
    return ((torch.as_tensor(x) + 1) * (PIXEL_MAX / 2)).clamp(0, PIXEL_MAX)


def load() -> tuple[torch.Tensor, torch.Tensor]:
    """All 1797 digits, scaled to [-1, 1]: (points (1797, 64) float32, labels (1797,) int64)."""
    from sklearn.datasets import load_digits  # imported here: `import fmlib` stays quick

    digits = load_digits()
    return scale(digits.data), torch.as_tensor(digits.target, dtype=torch.long)


def split(
    points: torch.Tensor, labels: torch.Tensor, held_out: float = 0.25, seed: int = 0
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """((training points, labels), (held-out points, labels)), the held-out share of every class alike.

    Of the n_c digits of class c, round(held_out * n_c), drawn at random with
    `seed`, are held out; the rest train. Both parts keep the original order.
    """
    points, labels = _labelled(points, labels)
    held_out = checks.fraction(held_out, "held_out")
    generator = torch.Generator().manual_seed(checks.seed(seed))
    out = torch.zeros(len(labels), dtype=torch.bool)
    for c in labels.unique().tolist():
        members = (labels == c).nonzero().flatten()
        chosen = members[torch.randperm(len(members), generator=generator)[: round(held_out * len(members))]]
        out[chosen] = True
    return (points[~out], labels[~out]), (points[out], labels[out])


def training_set(seed: int = 0, held_out: float = 0.25) -> tuple[torch.Tensor, torch.Tensor]:
    """The training part of `split(*load(), held_out, seed)`: what `trained_model` learns from."""
    return split(*load(), held_out=held_out, seed=seed)[0]


def labelled_pairs(points: torch.Tensor, labels: torch.Tensor) -> Callable[[int], tuple]:
    """A coupling for `fmlib.train(pairs=...)`: n -> (x0 ~ N(0, I), n random rows of `points`, their labels)."""
    points, labels = _labelled(points, labels)
    points = checks.points(points, "points")

    def draw(n):
        rows = torch.randint(len(points), (n,))
        return torch.randn(n, points.shape[1]), points[rows], labels[rows]

    draw.classes = int(labels.max()) + 1  # so that training can check the model has as many
    return draw


def trained_model(
    recipe: recipes.Recipe = recipes.DIGITS,
    seed: int = 0,
    progress: bool = True,
    held_out: float = 0.25,
    split_seed: int = 0,
    **changes,
) -> models.VelocityNet:
    """A conditional `VelocityNet(64, recipe.width, recipe.depth, classes=10)` trained on the training digits.

    Trained by `fmlib.train` on `labelled_pairs(*training_set(split_seed, held_out))`
    with label dropout, and kept in the cache like `fmlib.trained_model`'s models
    (the first call trains, later ones load). `held_out` and `split_seed` are
    those of `split`: give the ones the held-out digits were split off with, so
    that none of them is trained on; they are part of the cache key. `changes`
    override the recipe's fields or add keywords of `fmlib.train`, such as
    label_dropout=0.3. Returns the model in evaluation mode on
    `fmlib.default_device()`.
    """
    recipe, settings, seed = cache.recipe_and_settings(recipe, seed, changes)
    held_out, split_seed = checks.fraction(held_out, "held_out"), checks.seed(split_seed, "split_seed")
    if split_seed is None:
        raise TypeError("split_seed must be a whole number such as 0: it fixes which digits are held out")
    key = {**settings, "held_out": held_out, "split_seed": split_seed}  # the split is part of the key
    path = cache.model_path("noise", "digits", recipe, seed, key, modules=(sys.modules[__name__],))
    pairs = labelled_pairs(*training_set(split_seed, held_out))
    return cache.kept_model(path, recipe, seed, settings, dict(pairs=pairs), DIM, CLASSES, progress)


def fit_classifier(points: torch.Tensor, labels: torch.Tensor, seed: int = 0) -> Classifier:
    """A logistic-regression classifier of the digits `points` (n, 64) (scikit-learn's), fitted to `labels`."""
    from sklearn.linear_model import LogisticRegression

    points, labels = _labelled(points, labels)
    return LogisticRegression(max_iter=2000, random_state=checks.seed(seed)).fit(_numpy(points), _numpy(labels))


def predict(classifier: Classifier, points: torch.Tensor) -> torch.Tensor:
    """The class `classifier` reads in each of `points` (n, 64): labels (n,)."""
    return torch.as_tensor(classifier.predict(_numpy(checks.points(points, "points"))), dtype=torch.long)


def class_accuracy(
    classifier: Classifier, points: torch.Tensor, labels: torch.Tensor, classes: int = CLASSES
) -> torch.Tensor:
    """For each class c, the share of the points asked for (or labelled) c that `classifier` reads as c: (classes,).

    A class with no points gets NaN.
    """
    points, labels = _labelled(points, labels)
    hits = (predict(classifier, points) == labels).double()
    return _per_class(lambda c: hits[labels == c].mean(), labels, classes)


def diversity(points: torch.Tensor) -> float:
    """The mean distance between two different points of `points` (n, d), n >= 2: how unlike each other they are."""
    points = checks.points(points, "points")
    if len(points) < 2:
        raise ValueError(f"diversity needs at least two points to compare, got {len(points)}")
    return torch.pdist(points.double()).mean().item()


def class_diversity(points: torch.Tensor, labels: torch.Tensor, classes: int = CLASSES) -> torch.Tensor:
    """`diversity` within each class: (classes,), NaN for a class with fewer than two points."""
    points, labels = _labelled(points, labels)
    return _per_class(
        lambda c: diversity(points[labels == c]) if (labels == c).sum() >= 2 else float("nan"), labels, classes
    )


def nearest_distances(points: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """For each of `points` (n, d), the distance to its nearest point of `reference` (m, d): (n,)."""
    points, reference = checks.points(points, "points"), checks.points(reference, "reference")
    if points.shape[1] != reference.shape[1]:
        raise ValueError(
            f"points and reference must have the same dimension, got shapes {tuple(points.shape)} and "
            f"{tuple(reference.shape)}"
        )
    return torch.cdist(points.double(), reference.double()).min(dim=1).values


def _per_class(value, labels, classes):
    classes = checks.whole_number(classes, "classes")
    if len(labels) and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must be classes from 0 to {classes - 1}, got {labels.min()} to {labels.max()}")
    return torch.tensor(
        [float(value(c)) if (labels == c).any() else float("nan") for c in range(classes)], dtype=torch.float64
    )


def _labelled(points, labels):
    """`points` (n, d) and whole-number `labels` (n,) as tensors on the CPU, checked to match."""
    points, labels = torch.as_tensor(points).detach().cpu(), torch.as_tensor(labels).detach().cpu()
    if points.ndim != 2:
        raise ValueError(f"points must be of shape (n, d), one row per point; got shape {tuple(points.shape)}")
    if labels.shape != (len(points),) or labels.is_floating_point() or labels.dtype == torch.bool:
        raise ValueError(
            f"labels must be one whole-number class per point: shape ({len(points)},), "
            f"got shape {tuple(labels.shape)} of {labels.dtype}"
        )
    return points, labels.long()


def _numpy(x: torch.Tensor) -> np.ndarray:
    return x.detach().cpu().numpy()
