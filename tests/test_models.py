import numpy as np
import pytest
import torch

import fmlib
from conftest import Cases, Number, X, accepted, close, net, refused


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


# --- bad input: VelocityNet (the probe is in conftest.py) -----------------------------

case = Cases()
for bad in [0, -1, 2.5, "2"]:
    case(f"VelocityNet: dim={bad!r}", lambda bad=bad: fmlib.VelocityNet(dim=bad), refused(Number, "dim"))
for argument in ["width", "depth"]:
    for bad in [0, -2, 1.5]:
        case(
            f"VelocityNet: {argument}={bad!r}",
            lambda argument=argument, bad=bad: fmlib.VelocityNet(**{argument: bad}),
            refused(Number, argument),
        )
for bad in [0, -1, 2.5]:
    case(f"VelocityNet: classes={bad!r}", lambda bad=bad: fmlib.VelocityNet(classes=bad), refused(Number, "classes"))
case(
    "VelocityNet: numpy sizes",
    lambda: fmlib.VelocityNet(dim=np.int64(2), width=np.int64(8), depth=np.int64(1))(X, 0.5),
    accepted(lambda v: v.shape == (16, 2)),
)
case(
    "VelocityNet: a 0-d tensor for dim",
    lambda: fmlib.VelocityNet(dim=torch.tensor(2), width=8, depth=1)(X, 0.5),
    accepted(lambda v: v.shape == (16, 2)),
)
case("model: points of another dim", lambda: net()(torch.randn(4, 3), 0.5), refused(ValueError, "dim"))
case("model: a 1D x", lambda: net()(torch.randn(4), 0.5), refused(ValueError, "x", "(n, 2)"))
case("model: t of shape (8, 2) for 16 points", lambda: net()(X, torch.rand(8, 2)), refused(ValueError, "t"))
case("model: t of 5 values for 16 points", lambda: net()(X, torch.rand(5)), refused(ValueError, "t"))
case("model: t a string", lambda: net()(X, "0.5"), refused(Number, "t"))
case("model: t None", lambda: net()(X, None), refused(Number, "t"))
case("model: float64 points", lambda: net()(X.double(), 0.5), accepted(lambda v: close(v, net()(X, 0.5))))
case(
    "model: integer points",
    lambda: net()(torch.tensor([[1, 2], [0, -1]]), 0.5),
    accepted(lambda v: close(v, net()(torch.tensor([[1.0, 2.0], [0.0, -1.0]]), 0.5))),
)
case("model: a float64 model", lambda: net().double()(X, 0.5), accepted(lambda v: close(v, net()(X, 0.5))))
case("model: numpy points", lambda: net()(X.numpy(), 0.5), accepted(lambda v: close(v, net()(X, 0.5))))
case("model: t a numpy number", lambda: net()(X, np.float64(0.5)), accepted(lambda v: close(v, net()(X, 0.5))))
case(
    "model: t a float64 tensor",
    lambda: net()(X, torch.tensor(0.5, dtype=torch.float64)),
    accepted(lambda v: close(v, net()(X, 0.5))),
)
case("model: t of shape (n,)", lambda: net()(X, torch.full((16,), 0.5)), accepted(lambda v: close(v, net()(X, 0.5))))
for bad in [5, 4, -1, 1.5, "1", torch.tensor([0, 1])]:
    case(
        f"conditional model: label={bad!r}",
        lambda bad=bad: net(classes=3)(X, 0.5, bad),
        refused(Number, "label"),
    )
for good in [np.int64(1), torch.tensor(1), torch.ones(16, dtype=torch.long)]:
    case(
        f"conditional model: label={good!r}",
        lambda good=good: net(classes=3)(X, 0.5, good),
        accepted(lambda v: close(v, net(classes=3)(X, 0.5, 1))),
    )
case("conditional model: label 3 is no label", lambda: net(classes=3)(X, 0.5, 3), accepted())
case("unconditional model: a label", lambda: net()(X, 0.5, 1), refused(ValueError, "classes"))


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
