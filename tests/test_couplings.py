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


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
