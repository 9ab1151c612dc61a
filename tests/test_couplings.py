import numpy as np
import pytest
import torch

import fmlib
from conftest import Cases, Number, X, Y, accepted, labelled, nan_points, refused, same, swirl
from fmlib import couplings


def test_fixed_pool_keeps_each_pair_together():
    x0 = torch.arange(100.0).reshape(50, 2)
    draw = couplings.fixed(x0, x0 * 10)
    a, b = draw(500)
    assert torch.equal(b, a * 10)
    with pytest.raises(ValueError, match="same shape"):
        couplings.fixed(x0, x0[:10])


def test_ot_partners_are_a_permutation_within_chunks_that_lower_the_cost():
    x0, x1 = fmlib.sample("gaussian", 512, seed=0), fmlib.sample("spiral", 512, seed=1)
    paired = couplings.ot_partners(x0, x1, chunk=128)
    for start in range(0, 512, 128):
        chunk = slice(start, start + 128)
        assert torch.equal(paired[chunk].sort(dim=0).values, x1[chunk].sort(dim=0).values)

    def cost(b):
        return (x0 - b).pow(2).sum(dim=1).mean().item()

    assert cost(paired) < 0.3 * cost(x1)


def test_ot_partners_in_1d_match_sorted_order():
    # In 1D the optimal pairing for squared distance matches the i-th smallest with the i-th smallest.
    x0, x1 = torch.randn(200, 1), torch.randn(200, 1) * 3 + 1
    paired = couplings.ot_partners(x0, x1, chunk=200)
    assert torch.equal(paired[x0[:, 0].argsort(), 0], x1[:, 0].sort().values)


def test_minibatch_ot_pairs_each_fresh_batch_optimally():
    torch.manual_seed(0)
    x0, x1 = couplings.minibatch_ot("gaussian", "spiral")(64)
    torch.manual_seed(0)
    y0, y1 = couplings.independent("gaussian", "spiral")(64)
    # The same draws, the targets re-ordered: a permutation ...
    assert torch.equal(x0, y0) and torch.equal(x1.sort(dim=0).values, y1.sort(dim=0).values)

    def cost(b):
        return (x0 - b).pow(2).sum(dim=1).sum().item()

    # ... and no swap of two partners lowers the cost (an optimal assignment has no improving 2-swap).
    for i in range(64):
        for j in range(i + 1, 64):
            swapped = x1.clone()
            swapped[[i, j]] = x1[[j, i]]
            assert cost(swapped) >= cost(x1) - 1e-9
    # In chunks: each chunk of a batch is paired within itself.
    torch.manual_seed(1)
    z0, z1 = couplings.minibatch_ot("gaussian", "spiral", chunk=16)(64)
    torch.manual_seed(1)
    assert torch.equal(z1, couplings.ot_partners(*couplings.independent("gaussian", "spiral")(64), chunk=16))
    # A second call pairs a new batch.
    assert not torch.equal(couplings.minibatch_ot("gaussian", "spiral")(64)[0], x0)


def test_crossing_fraction_closed_forms():
    # Two diagonals of a square cross; two parallel sides do not; the third segment is far away.
    x0 = torch.tensor([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    x1 = torch.tensor([[1.0, 1.0], [1.0, 0.0], [6.0, 5.0]])
    assert couplings.crossing_fraction(x0, x1) == pytest.approx(1 / 3)
    assert couplings.crossing_fraction(x0[:2], x0[:2] + torch.tensor([1.0, 0.0])) == 0.0
    # n segments through one common inner point all cross each other.
    angles = torch.linspace(0, 3.0, 7)
    ends = torch.stack([angles.cos(), angles.sin()], dim=1)
    assert couplings.crossing_fraction(ends, -ends) == 1.0


def test_optimal_pairs_cross_far_less_than_random_ones():
    # For distance itself an optimal pairing never crosses (uncrossing two partners shortens both, by the
    # triangle inequality); for squared distance, as here, crossings are rare, not impossible.
    x0, x1 = fmlib.sample("gaussian", 200, seed=0), fmlib.sample("spiral", 200, seed=1)
    random = couplings.crossing_fraction(x0, x1)
    assert random > 0.1
    assert couplings.crossing_fraction(x0, couplings.ot_partners(x0, x1, chunk=200)) < random / 20


# --- bad input: couplings (the probe is in conftest.py) -------------------------------

case = Cases()
case("independent: unknown shape", lambda: couplings.independent("spirl", "moons"), refused(ValueError, "spirl"))
case("labelled: shape without classes", lambda: labelled("spiral"), refused(ValueError, "spiral", "moons"))
case("labelled: a tensor target", lambda: labelled(torch.randn(10, 2)), refused(TypeError, "target"))
case("fixed: shapes differ", lambda: couplings.fixed(X, Y[:5]), refused(ValueError, "x0", "x1"))
case("fixed: 1D tensors", lambda: couplings.fixed(torch.randn(10), torch.randn(10)), refused(ValueError, "(m, d)"))
case("fixed: empty pool", lambda: couplings.fixed(torch.empty(0, 2), torch.empty(0, 2)), refused(ValueError, "empty"))
case("fixed: NaN in the pool", lambda: couplings.fixed(X, nan_points()), refused(ValueError, "x1", "NaN"))
case(
    "fixed: numpy pool",
    lambda: couplings.fixed(X.numpy(), Y.numpy())(4),
    accepted(lambda pair: pair[0].shape == (4, 2) and isinstance(pair[1], torch.Tensor)),
)
for bad in [-1, 0, 2.5]:
    case(
        f"ot_partners: chunk={bad!r}",
        lambda bad=bad: couplings.ot_partners(X, Y, chunk=bad),
        refused(Number, "chunk"),
    )
case(
    "ot_partners: chunk=np.int64(8)",
    lambda: couplings.ot_partners(X, Y, chunk=np.int64(8)),
    accepted(lambda p: same(p, couplings.ot_partners(X, Y, chunk=8))),
)
case("ot_partners: lengths differ", lambda: couplings.ot_partners(X, Y[:10]), refused(ValueError, "x0", "x1"))
case(
    "ot_partners: 1D tensors",
    lambda: couplings.ot_partners(torch.randn(10), torch.randn(10)),
    refused(ValueError, "x0", "(m, d)"),
)
case("ot_partners: NaN", lambda: couplings.ot_partners(X, nan_points()), refused(ValueError, "x1", "NaN"))
case(
    "teacher_pairs: teacher None",
    lambda: couplings.teacher_pairs(None, "gaussian", pool=8),
    refused(TypeError, "teacher"),
)
case("teacher_pairs: pool=0", lambda: couplings.teacher_pairs(swirl, "gaussian", pool=0), refused(ValueError, "pool"))
case(
    "teacher_pairs: steps=0",
    lambda: couplings.teacher_pairs(swirl, "gaussian", pool=8, steps=0),
    refused(ValueError, "steps"),
)
case(
    "teacher_pairs: unknown method",
    lambda: couplings.teacher_pairs(swirl, "gaussian", pool=8, method="rk5"),
    refused(ValueError, "rk5"),
)
case(
    "teacher_pairs: warp=3",
    lambda: couplings.teacher_pairs(swirl, "gaussian", pool=8, warp=3),
    refused(ValueError, "warp"),
)


case("minibatch_ot: chunk=0", lambda: couplings.minibatch_ot("gaussian", "spiral", chunk=0), refused(Number, "chunk"))
case("minibatch_ot: unknown shape", lambda: couplings.minibatch_ot("gaussian", "spirl"), refused(ValueError, "spirl"))
case(
    "crossing_fraction: 3D points",
    lambda: couplings.crossing_fraction(torch.randn(5, 3), torch.randn(5, 3)),
    refused(ValueError, "(m, 2)"),
)
case(
    "crossing_fraction: one segment",
    lambda: couplings.crossing_fraction(torch.randn(1, 2), torch.randn(1, 2)),
    refused(ValueError, "two segments"),
)
case("crossing_fraction: NaN", lambda: couplings.crossing_fraction(X, nan_points()), refused(ValueError, "x1", "NaN"))


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
