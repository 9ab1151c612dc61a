"""Couplings: how training pairs (x0, x1) are drawn.

A coupling here is a callable `n -> (x0, x1)` giving n pairs, each of shape
(n, d). `fmlib.train` uses `independent` unless it is given another through `pairs=`:

- `independent(source, target)`: x0 and x1 drawn separately, paired at random;
- `fixed(x0, x1)`: random rows of a fixed pool of pairs, keeping each pair together;
- `labelled(source, target)`: independent pairs, with the class of each x1
  (`n -> (x0, x1, y)`), for conditional models;
- `minibatch_ot(source, target)`: each fresh batch drawn independently, then
  re-paired so that the total squared distance between partners is as small as
  possible (minibatch optimal transport, as Tong et al. and Pooladian et al. train).

Two functions build pools of pairs for `fixed`:

- `ot_partners(x0, x1, chunk)`: x1 re-ordered so that, within each chunk, the
  total squared distance between partners is as small as possible (the same
  pairing, done once for a pool);
- `teacher_pairs(teacher, source)`: source points and where a teacher flow
  carries them (reflow).

`crossing_fraction(x0, x1)` measures how often the straight lines between
partners cross each other.
"""

from __future__ import annotations

from typing import Callable, Optional

import torch

from . import checks
from .shapes import CLASSES, Data, as_sampler, sample_labelled
from .solvers import Velocity, integrate

Coupling = Callable[[int], tuple]
"""`n -> (x0, x1)` or, with labels, `n -> (x0, x1, y)`: n pairs of shape (n, d), labels (n,)."""


def independent(source: Data, target: Data) -> Coupling:
    """Pairs (x0 (n, d), x1 (n, d)) with x0 drawn from `source` and x1 from `target`, independently.

    Each is a shape name, a tensor of samples or a callable `n -> tensor` (see `shapes.as_sampler`).
    """
    draw_source, draw_target = as_sampler(source, "source"), as_sampler(target, "target")
    return lambda n: (draw_source(n), draw_target(n))


def labelled(source: Data, target: str) -> Coupling:
    """Like `independent`, with the labels of `target`, a shape name from `fmlib.shapes.CLASSES`: (x0, x1, y (n,))."""
    if not isinstance(target, str):
        raise TypeError(f"target must be the name of a shape with classes ({', '.join(CLASSES)}), got {target!r:.60}")
    draw_source = as_sampler(source, "source")
    sample_labelled(target, 1)  # fail now for a shape without classes

    def draw(n):
        return (draw_source(n), *sample_labelled(target, n))

    draw.classes = CLASSES[target]  # so that training can check the model has as many
    return draw


def fixed(x0: torch.Tensor, x1: torch.Tensor) -> Coupling:
    """n random rows of a fixed pool of pairs x0 (m, d), x1 (m, d), drawn with replacement, each pair kept together."""
    x0, x1 = _pool(x0, x1)

    def draw(n):
        rows = torch.randint(len(x0), (n,))
        return x0[rows], x1[rows]

    return draw


def _pool(x0, x1):
    """x0 and x1 checked to be a pool of pairs: points (m, d) of the same shape, on the CPU."""
    x0, x1 = checks.tensor(x0, "x0"), checks.tensor(x1, "x1")
    for name, x in [("x0", x0), ("x1", x1)]:
        if x.ndim != 2:
            raise ValueError(f"{name} must be a pool of points of shape (m, d), got shape {tuple(x.shape)}")
        checks.points(x, name)
    if x0.shape != x1.shape:
        raise ValueError(
            f"a pool of pairs needs x0 and x1 of the same shape, got {tuple(x0.shape)} and {tuple(x1.shape)}"
        )
    return x0.detach().cpu(), x1.detach().cpu()


def minibatch_ot(source: Data, target: Data, chunk: int = 256) -> Coupling:
    """Pairs (x0 (n, d), x1 (n, d)): a fresh batch from each, x1 re-ordered to x0's optimal-transport partners.

    Every call solves the assignment problem afresh for its own batch, in chunks
    of `chunk` pairs (O(chunk^3) each; a few milliseconds for 256), so no pairing
    is ever reused: a batch of 1024 is four minibatches of 256, each paired
    optimally.
    """
    draw, chunk = independent(source, target), checks.whole_number(chunk, "chunk")

    def paired(n):
        x0, x1 = draw(n)
        return x0, ot_partners(x0, x1, chunk)

    return paired


def ot_partners(x0: torch.Tensor, x1: torch.Tensor, chunk: int = 256) -> torch.Tensor:
    """x1 (m, d) re-ordered so that its row i is x0[i]'s optimal-transport partner within their chunk.

    Each chunk of `chunk` consecutive rows is re-paired by solving the assignment
    problem on squared distances (scipy's linear_sum_assignment, O(chunk^3)).
    `fixed(x0, ot_partners(x0, x1))` then draws batches from a pool paired once.
    """
    x0, x1 = _pool(x0, x1)
    chunk = checks.whole_number(chunk, "chunk")
    paired = x1.clone()
    for start in range(0, len(x0), chunk):
        a, b = x0[start : start + chunk], x1[start : start + chunk]
        paired[start : start + len(a)] = b[_assignment(a, b)]
    return paired


def _assignment(a, b):
    """The order of b's rows that pairs a[i] with b[order[i]] at the least total squared distance."""
    from scipy.optimize import linear_sum_assignment  # imported here: `import fmlib` stays quick

    _, columns = linear_sum_assignment(torch.cdist(a.double(), b.double()).pow(2).cpu().numpy())
    return torch.as_tensor(columns, device=b.device)


def crossing_fraction(x0: torch.Tensor, x1: torch.Tensor) -> float:
    """The fraction of pairs of 2D segments x0[i]-x1[i], x0[j]-x1[j] (i < j) that cross each other.

    Two segments cross when each one's ends lie on opposite sides of the other's
    line. Cost: O(m^2) for m segments; a few thousand at most.
    """
    x0, x1 = _pool(x0, x1)
    if x0.shape[1] != 2:
        raise ValueError(
            f"crossing_fraction compares segments in the plane: points of shape (m, 2), got {tuple(x0.shape)}"
        )
    if len(x0) < 2:
        raise ValueError(f"crossing_fraction needs at least two segments, got {len(x0)}")
    a, b = x0.double(), x1.double()

    def side(p, q, r):
        """The sign of the turn p -> q -> r, for every segment p-q (rows) and point r (columns)."""
        d = q - p
        return torch.sign(
            d[:, None, 0] * (r[None, :, 1] - p[:, None, 1]) - d[:, None, 1] * (r[None, :, 0] - p[:, None, 0])
        )

    split = side(a, b, a) * side(a, b, b) < 0  # [i, j]: segment j's ends on both sides of line i
    crosses = split & split.T
    pairs = len(a) * (len(a) - 1) / 2
    return crosses.triu(diagonal=1).sum().item() / pairs


def teacher_pairs(
    teacher: Velocity,
    source: Data,
    pool: int = 50_000,
    steps: int = 8,
    method: str = "rk4",
    warp: Optional[float] = 0.5,
    seed: Optional[int] = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A pool of pairs (x0, the teacher's endpoint for x0), each (pool, d), on the CPU.

    x0 is drawn from `source` and carried once along `teacher` in `steps` ODE steps
    of `method` (warped with slope `warp`).
    """
    if not callable(teacher):
        raise TypeError(f"teacher must be a trained model (a velocity field v(x, t)), got {teacher!r}")
    pool, seed = checks.whole_number(pool, "pool"), checks.seed(seed)
    if seed is not None:
        torch.manual_seed(seed)
    x0 = as_sampler(source, "source")(pool)
    return x0, integrate(teacher, x0, steps=steps, method=method, warp=warp).x.cpu()
