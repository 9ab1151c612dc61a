import pytest
import torch

import fmlib
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
