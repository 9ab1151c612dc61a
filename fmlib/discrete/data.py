"""The token data of chapter 16: a 16-value twin of chapter 2's mixture, 2D shapes read on a grid of bins, and
chapter 11's digits, whose grey levels are tokens already."""

from __future__ import annotations

from typing import Callable

import torch

from .. import checks
from .chain import _states

BIMODAL_VALUES = 16
GRID_BINS = 24
GRID_LIM = 3.0
DIGIT_VALUES = 17
"""The grey levels 0 to 16 of chapter 11's 8 x 8 digits."""


def bimodal() -> torch.Tensor:
    """Chapter 2's two-bump mixture read on 16 evenly spaced values over [-3, 3]: probabilities (16,), float64."""
    from ..mixtures import GaussianMixture

    mixture = GaussianMixture(weights=[0.55, 0.45], means=[-0.85, 1.5], stds=[0.65, 0.25])
    density = mixture.pdf(bin_centres(BIMODAL_VALUES)[:, None])
    return density / density.sum()


def bin_centres(bins: int, lim: float = GRID_LIM) -> torch.Tensor:
    """The centres of `bins` equal bins over [-lim, lim], float64."""
    width = 2 * lim / bins
    return -lim + width * (torch.arange(bins, dtype=torch.float64) + 0.5)


def to_grid(points: torch.Tensor, bins: int = GRID_BINS, lim: float = GRID_LIM) -> torch.Tensor:
    """Points (n, d) in [-lim, lim]^d as tokens: each coordinate's bin, 0 to bins - 1 (n, d)."""
    points = checks.points(points, "points")
    if (points.abs() > lim).any():
        raise ValueError(f"every coordinate must lie in [-{lim}, {lim}] to have a bin")
    return ((points.double() + lim) / (2 * lim) * bins).long().clamp(0, bins - 1)


def from_grid(tokens: torch.Tensor, bins: int = GRID_BINS, lim: float = GRID_LIM) -> torch.Tensor:
    """Tokens (n, d) back to points: each bin's centre, float32."""
    return bin_centres(bins, lim)[_states(tokens, bins)].float()


def token_positions(
    tokens: torch.Tensor, offsets: torch.Tensor, bins: int = GRID_BINS, lim: float = GRID_LIM
) -> torch.Tensor:
    """Where to draw grid tokens (n, 2): each point at its cell's centre plus `offsets` (n, 2), a fixed jitter within
    the cell; a masked coordinate (the state `bins`) sits in a margin one cell beyond -lim."""
    tokens = _states(tokens, bins + 1)
    width = 2 * lim / bins
    centres = torch.cat([bin_centres(bins, lim), torch.tensor([-lim - width], dtype=torch.float64)])
    return (centres[tokens] + offsets.double()).float()


def _draw_values(probabilities):
    return lambda n: torch.multinomial(probabilities.float(), n, replacement=True)[:, None]


def digit_tokens(points: torch.Tensor) -> torch.Tensor:
    """Chapter 11's digits (n, 64), scaled to [-1, 1], as tokens: their grey levels 0 to 16, (n, 64) int64."""
    from ..digits import unscale

    return unscale(checks.points(points, "points")).round().long()


def _labelled_digits():
    from ..digits import training_set

    points, labels = training_set()  # chapter 11's split: its held-out digits are never trained on
    tokens = digit_tokens(points)

    def draw(n):
        rows = torch.randint(len(tokens), (n,))
        return tokens[rows], labels[rows]

    return draw


TARGETS = {
    "bimodal": (1, BIMODAL_VALUES, None, lambda: _draw_values(bimodal())),
    "checkerboard": (2, GRID_BINS, None, lambda: lambda n: to_grid(_checkerboard(n))),
    "digits": (64, DIGIT_VALUES, 10, _labelled_digits),
}
"""Each data set's tokens D, values V, classes (None: unlabelled), and a maker of its sampler: n -> tokens (n, D),
or (tokens, labels (n,)) for a labelled set."""
SOURCES = ("uniform", "mask")


def _checkerboard(n):
    from ..shapes import sample as shape_sample

    return shape_sample("checkerboard", n)


def source_sampler(source: str, tokens: int, values: int) -> Callable[[int], torch.Tensor]:
    """n -> (n, D) source tokens: uniform over the V values, or all masked (the state V)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(map(repr, SOURCES))}; got {source!r}")
    if source == "uniform":
        return lambda n: torch.randint(0, values, (n, tokens))
    return lambda n: torch.full((n, tokens), values)
