import math

import pytest
import torch

import fmlib
from fmlib import couplings, guidance
from fmlib.shapes import CLASSES, sample_labelled


@pytest.mark.parametrize("name", list(CLASSES))
def test_labels_match_the_points_and_cover_every_class(name):
    points, labels = sample_labelled(name, 4000, seed=0)
    assert torch.equal(points, fmlib.sample(name, 4000, seed=0))
    assert set(labels.tolist()) == set(range(CLASSES[name]))


def test_eight_gaussians_labels_are_the_angles_of_their_centres():
    points, labels = sample_labelled("eight_gaussians", 4000, seed=1)
    for c in range(8):
        centre = points[labels == c].mean(dim=0)
        expected = 2.5 * torch.tensor([math.cos(c * math.pi / 4), math.sin(c * math.pi / 4)])
        assert (centre - expected).norm() < 0.05


def test_shapes_without_classes_are_refused():
    with pytest.raises(ValueError, match="no classes"):
        sample_labelled("spiral", 10)
    with pytest.raises(ValueError, match="no classes"):
        couplings.labelled("gaussian", "spiral")


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


def test_label_dropout_trains_both_answers():
    # Two classes at +-2 on the x axis. At t = 1/2 from x = 0 the conditional velocity must point
    # towards its class, and the unconditional one (the average) nowhere in particular.
    torch.manual_seed(0)
    net = fmlib.VelocityNet(dim=2, classes=2, width=32, depth=2)
    fmlib.train(net, pairs=couplings.labelled("gaussian", "two_gaussians"), steps=600, batch_size=512,
                label_dropout=0.3, seed=0, progress=False)
    origin = torch.zeros(1, 2)
    left, right, neither = net(origin, 0.5, 0)[0, 0], net(origin, 0.5, 1)[0, 0], net(origin, 0.5)[0, 0]
    assert left < -1 and right > 1 and abs(neither) < 0.5, (left, right, neither)


class Linear:
    """A stand-in conditional model: v(x, t) = 1, v(x, t | y) = 1 + y."""

    def __call__(self, x, t, label=None):
        return torch.ones_like(x) * (1 if label is None else 1 + label)


def test_classifier_free_blend():
    x = torch.zeros(4, 2)
    for w in [0.0, 1.0, 2.5]:
        assert torch.allclose(guidance.classifier_free(Linear(), 2, w)(x, 0.3), torch.full((4, 2), 1 + 2 * w))


def test_classifier_guidance_adds_the_scaled_gradient_of_log_p():
    # Logits (x1, -x1): log p(0 | x) = x1 - log(e^x1 + e^-x1), whose x1-derivative is 1 - tanh(x1).
    class Logits(torch.nn.Module):
        def forward(self, x, t):
            return torch.stack([x[:, 0], -x[:, 0]], dim=1)

    x = torch.tensor([[0.3, 0.0], [-1.0, 2.0]])
    t, w = 0.25, 2.0
    with torch.no_grad():  # as inside fmlib.integrate
        v = guidance.classifier_guided(lambda x, t: torch.zeros_like(x), Logits(), 0, w)(x, t)
    assert torch.allclose(v[:, 0], w * (1 - t) / t * (1 - torch.tanh(x[:, 0])), atol=1e-5)
    assert torch.all(v[:, 1] == 0)


def test_time_classifier_learns_clean_and_noisy_points():
    torch.manual_seed(0)
    classifier = guidance.TimeClassifier(8)
    guidance.train_classifier(classifier, "eight_gaussians", steps=300, seed=0)
    points, labels = sample_labelled("eight_gaussians", 2000, seed=5)
    accuracy, spread = guidance.accuracy_and_spread(points, 3, classifier)
    with torch.no_grad():
        clean = (classifier(points, 1.0).argmax(dim=1) == labels).float().mean()
        noise = (classifier(torch.randn(2000, 2), 0.0).softmax(dim=1)).mean(dim=0)
    assert clean > 0.97
    assert (noise - 1 / 8).abs().max() < 0.05  # at t = 0 it cannot tell: about uniform
    assert abs(accuracy - (labels == 3).float().mean()) < 0.03 and spread > 2
