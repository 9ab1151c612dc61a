"""Reflow: teach a student the straight lines between source points and where a teacher flow takes them.

Hawley's *Flow With What You Know* integrates the teacher afresh for every
training batch. Here the teacher runs once, over a pool of source points
(`couplings.teacher_pairs`), and the student trains on random batches of that
fixed pool of pairs: the same kind of targets at a fraction of the cost.
"""

from __future__ import annotations

import copy
from typing import Optional

from torch import nn

from .couplings import fixed, teacher_pairs
from .recipes import BOOK_REFLOW
from .shapes import Data
from .training import train


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
