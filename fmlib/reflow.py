"""Reflow: teach a student the straight lines between source points and where a teacher flow takes them.

The seed tutorial integrates the teacher afresh for every training batch. Here
the teacher runs once, over a pool of source points, and the student trains on
random batches of that fixed pool of pairs: the same kind of targets at a
fraction of the cost.
"""
import copy

import torch

from .couplings import fixed
from .integrate import integrate
from .shapes import as_sampler
from .train import train


def teacher_pairs(teacher, source, pool=50_000, steps=8, method="rk4", warp=0.5, seed=None):
    """A pool of pairs (x0, teacher's endpoint for x0): x0 drawn from `source`, integrated once."""
    if seed is not None:
        torch.manual_seed(seed)
    x0 = as_sampler(source)(pool)
    return x0, integrate(teacher, x0, steps=steps, method=method, warp=warp).x.cpu()


def reflow(teacher, source, pool=50_000, teacher_steps=8, steps=2000, lr=3e-3, seed=0, **train_settings):
    """A student that starts as a copy of `teacher` and learns the straight lines of its pairs.

    Returns (student, losses). `teacher_steps` RK4 steps (warped, s = 0.5) give the
    pool's endpoints; `steps`, `lr` and `train_settings` go to `fmlib.train`. The
    defaults are measured in benchmarks/chapter6_reflow.py (about 3 s on a laptop
    CPU for chapter 3's spiral teacher).
    """
    x0, x1 = teacher_pairs(teacher, source, pool, teacher_steps, seed=seed)
    student = copy.deepcopy(teacher)
    losses = train(student, pairs=fixed(x0, x1), steps=steps, lr=lr, seed=seed, **train_settings)
    return student, losses
