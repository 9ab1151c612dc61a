import pytest
import torch

import fmlib


def test_velocity_net_accepts_every_form_of_time():
    torch.manual_seed(0)
    net = fmlib.VelocityNet(dim=3, width=16, depth=2)
    x = torch.randn(4, 3)
    reference = net(x, torch.full((4, 1), 0.25))
    assert reference.shape == (4, 3)
    for t in [0.25, torch.tensor(0.25), torch.full((4,), 0.25)]:
        assert torch.allclose(net(x, t), reference)


def test_velocity_net_names_the_dimension_it_was_built_for():
    with pytest.raises(ValueError, match=r"dim=2.*VelocityNet\(dim=3\)"):
        fmlib.VelocityNet(dim=2)(torch.randn(4, 3), 0.5)
    with pytest.raises(ValueError, match="positive"):
        fmlib.VelocityNet(dim=0)


def test_conditional_net_uses_the_label_and_none_means_the_null_slot():
    torch.manual_seed(0)
    net = fmlib.VelocityNet(dim=2, classes=3)
    x = torch.randn(5, 2)
    assert torch.equal(net(x, 0.5), net(x, 0.5, 3))  # None is label K
    assert not torch.allclose(net(x, 0.5, 0), net(x, 0.5, 1))
    per_point = net(x, 0.5, torch.tensor([0, 1, 2, 0, 1]))
    assert torch.allclose(per_point[1], net(x[1:2], 0.5, 1)[0])
    with pytest.raises(ValueError, match="no classes"):
        fmlib.VelocityNet(dim=2)(x, 0.5, 1)
