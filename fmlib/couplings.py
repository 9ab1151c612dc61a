"""Couplings: how training pairs (x0, x1) are drawn.

A coupling here is a callable `n -> (x0, x1)` giving n pairs. `fmlib.train` uses
`independent` unless it is given another through `pairs=`:

- `independent(source, target)`: x0 and x1 drawn separately, paired at random;
- `fixed(x0, x1)`: random rows of a fixed pool of pairs, keeping each pair together
  (reflow: x1 is where a teacher flow carries x0);
- `minibatch_ot(x0, x1, chunk)`: re-pair a pool so that, within each chunk, the
  total squared distance between partners is as small as possible;
- `labelled(source, target)`: independent pairs, with the class of each x1
  (`n -> (x0, x1, y)`), for conditional models.
"""
import torch
from scipy.optimize import linear_sum_assignment

from .shapes import as_sampler, sample_labelled


def independent(source, target):
    draw_source, draw_target = as_sampler(source), as_sampler(target)
    return lambda n: (draw_source(n), draw_target(n))


def labelled(source, target):
    """Like `independent`, with the labels of `target`, a shape name from `fmlib.shapes.CLASSES`."""
    draw_source = as_sampler(source)
    sample_labelled(target, 1)  # fail now for a shape without classes
    return lambda n: (draw_source(n), *sample_labelled(target, n))


def fixed(x0, x1):
    if x0.shape != x1.shape:
        raise ValueError(f"a pool of pairs needs x0 and x1 of the same shape, got {tuple(x0.shape)} and {tuple(x1.shape)}")
    x0, x1 = x0.detach().cpu(), x1.detach().cpu()

    def draw(n):
        rows = torch.randint(len(x0), (n,))
        return x0[rows], x1[rows]

    return draw


def minibatch_ot(x0, x1, chunk=256):
    """x1 re-ordered so that x0[i] and the returned [i] are optimal-transport partners within each chunk.

    Each chunk of `chunk` consecutive pairs is re-paired by solving the assignment
    problem on squared distances (scipy's linear_sum_assignment, O(chunk^3)).
    """
    x0, x1 = x0.detach().cpu(), x1.detach().cpu()
    paired = x1.clone()
    for start in range(0, len(x0), chunk):
        a, b = x0[start:start + chunk], x1[start:start + chunk]
        rows, cols = linear_sum_assignment(torch.cdist(a.double(), b.double()).pow(2).numpy())
        paired[start + rows] = b[cols]
    return paired
