"""A measurement repeated over random seeds: its mean, its spread, and whether two differ.

>>> quality = repeat(lambda seed: distance(train_and_sample(seed), target), seeds=range(5))
>>> print(f"{quality:.3f}")          # 0.051 ± 0.004 (5 seeds)
>>> quality.gap(other)               # the difference of the means in standard errors

One draw of a noisy measurement says little when two numbers differ by less than
their noise: repeat, and compare the means with their standard errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

from . import checks


@dataclass(frozen=True)
class Repeats:
    """The values of one measurement, one per seed, in the order of `seeds`."""

    values: tuple[float, ...]
    seeds: tuple[int, ...]

    @property
    def mean(self) -> float:
        return sum(self.values) / len(self.values)

    @property
    def sd(self) -> float:
        """The sample standard deviation (n - 1 in the denominator): the spread of one draw."""
        if len(self.values) < 2:
            return math.nan
        return math.sqrt(sum((v - self.mean) ** 2 for v in self.values) / (len(self.values) - 1))

    @property
    def standard_error(self) -> float:
        """How far the mean itself may be from the mean of endless repeats: sd / sqrt(n)."""
        return self.sd / math.sqrt(len(self.values))

    def gap(self, other: Repeats) -> float:
        """(other's mean - this mean) in standard errors of that difference.

        When both ran on the same seeds, the difference is taken seed by seed
        (a paired comparison, which cancels what the seed does to both); otherwise
        the two standard errors add in quadrature. Above about 3, the difference
        is more than noise; below about 2, these repeats cannot tell the two apart.
        """
        if not isinstance(other, Repeats):
            raise TypeError(f"other must be Repeats, got {type(other).__name__}")
        if self.seeds == other.seeds:
            differences = Repeats(tuple(b - a for a, b in zip(self.values, other.values)), self.seeds)
            difference, error = differences.mean, differences.standard_error
        else:
            difference, error = other.mean - self.mean, math.hypot(self.standard_error, other.standard_error)
        if error == 0:  # no noise at all: any difference is certain
            return math.copysign(math.inf, difference) if difference else 0.0
        return difference / error

    def __format__(self, spec: str) -> str:
        spec = spec or ".3f"
        return f"{self.mean:{spec}} ± {self.sd:{spec}} ({len(self.values)} seeds)"

    def __str__(self) -> str:
        return format(self)


def repeat(measure: Callable[[int], float], seeds: Iterable[int] = range(5)) -> Repeats:
    """`measure(seed)` for each seed: at least two seeds, each a whole number, each value a finite number."""
    seeds = tuple(checks.whole_number(s, "seed", minimum=0) for s in seeds)
    if len(seeds) < 2:
        raise ValueError(f"seeds must hold at least two seeds to measure a spread, got {list(seeds)}")
    if len(set(seeds)) < len(seeds):
        raise ValueError(f"seeds must differ from each other, got {list(seeds)}")
    values = []
    for seed in seeds:
        value = measure(seed)
        value = float(value.item() if hasattr(value, "item") else value)
        if not math.isfinite(value):
            raise ValueError(f"measure({seed}) gave {value}: a measurement must be a finite number")
        values.append(value)
    return Repeats(tuple(values), seeds)
