import numpy as np
import pytest
import torch

from conftest import Cases, Number, X, accepted, close, nan_points, net, refused, swirl
from fmlib import guidance
from fmlib.shapes import sample_labelled


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
    # The term on its own, per unit of guidance, and with the scale's floor t_min early in the flow.
    term = guidance.classifier_term(Logits(), 0, x, t)
    assert torch.allclose(term, v / w, atol=1e-6)
    early = guidance.classifier_term(Logits(), 0, x, 0.01, t_min=0.05)
    assert torch.allclose(early[:, 0], (1 - 0.01) / 0.05 * (1 - torch.tanh(x[:, 0])), atol=1e-5)


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


# --- bad input: guidance (the probe is in conftest.py) --------------------------------

FEW_CLASSIFIER = dict(steps=3, batch_size=16)


def classifier(classes=8, dim=2):
    torch.manual_seed(0)
    return guidance.TimeClassifier(classes, dim=dim, width=8, depth=1)


case = Cases()
case(
    "classifier_free: an unconditional model",
    lambda: guidance.classifier_free(net(), 1, 2.0),
    refused(ValueError, "classes"),
)
for bad in [5, 4, -1, 1.5]:
    case(
        f"classifier_free: label={bad!r}",
        lambda bad=bad: guidance.classifier_free(net(classes=4), bad, 2.0),
        refused(Number, "label"),
    )
for bad in ["2", float("nan")]:
    case(
        f"classifier_free: w={bad!r}",
        lambda bad=bad: guidance.classifier_free(net(classes=4), 1, bad),
        refused(Number, "w"),
    )
case(
    "classifier_free: numpy label and scale",
    lambda: guidance.classifier_free(net(classes=4), np.int64(1), np.float64(2.0))(X, 0.5),
    accepted(lambda v: close(v, guidance.classifier_free(net(classes=4), 1, 2.0)(X, 0.5))),
)
for bad in [0, 2.5]:
    case(f"TimeClassifier: classes={bad}", lambda bad=bad: guidance.TimeClassifier(bad), refused(Number, "classes"))
case("TimeClassifier: points of another dim", lambda: classifier()(torch.randn(4, 3), 0.5), refused(ValueError, "dim"))
case(
    "TimeClassifier: float64 points",
    lambda: classifier()(X.double(), 0.5),
    accepted(lambda v: close(v, classifier()(X, 0.5))),
)
case(
    "train_classifier: shape without classes",
    lambda: guidance.train_classifier(classifier(), "spiral", **FEW_CLASSIFIER),
    refused(ValueError, "spiral", "moons"),
)
case(
    "train_classifier: too few classes",
    lambda: guidance.train_classifier(classifier(2), "eight_gaussians", **FEW_CLASSIFIER),
    refused(ValueError, "classes", "8"),
)
for argument in ["steps", "batch_size", "lr"]:
    case(
        f"train_classifier: {argument}=0",
        lambda argument=argument: guidance.train_classifier(
            classifier(), "eight_gaussians", **{**FEW_CLASSIFIER, argument: 0}
        ),
        refused(ValueError, argument),
    )
case(
    "train_classifier: lr=1e30 runs away",
    lambda: guidance.train_classifier(classifier(), "eight_gaussians", steps=50, batch_size=64, lr=1e30, seed=0),
    refused(FloatingPointError, "lr"),
)
case(
    "train_classifier: a velocity model",
    lambda: guidance.train_classifier(net(), "eight_gaussians", **FEW_CLASSIFIER),
    refused(TypeError, "classifier"),
)
case(
    "train_classifier: classifier of another dim",
    lambda: guidance.train_classifier(classifier(dim=3), "eight_gaussians", **FEW_CLASSIFIER),
    refused(ValueError, "dim"),
)
case(
    "train_classifier: source gives NaN",
    lambda: guidance.train_classifier(
        classifier(), "eight_gaussians", source=lambda n: torch.full((n, 2), float("nan")), **FEW_CLASSIFIER
    ),
    refused(ValueError, "source", "NaN"),
)
case(
    "train_classifier: numpy steps",
    lambda: guidance.train_classifier(classifier(), "eight_gaussians", **{**FEW_CLASSIFIER, "steps": np.int64(3)}),
    accepted(lambda r: len(r) == 3),
)
for bad in [0, -1, 1.5]:
    case(
        f"classifier_guided: t_min={bad}",
        lambda bad=bad: guidance.classifier_guided(swirl, classifier(), 1, 2.0, t_min=bad),
        refused(ValueError, "t_min"),
    )
case(
    "classifier_guided: label out of range",
    lambda: guidance.classifier_guided(swirl, classifier(), 9, 2.0),
    refused(ValueError, "label"),
)
case(
    "classifier_guided: w a string",
    lambda: guidance.classifier_guided(swirl, classifier(), 1, "2"),
    refused(Number, "w"),
)
case(
    "classifier_guided: finite at t = 0",
    lambda: guidance.classifier_guided(swirl, classifier(), 1, 2.0)(X, 0.0),
    accepted(lambda v: bool(torch.isfinite(v).all())),
)
case(
    "accuracy_and_spread: label out of range",
    lambda: guidance.accuracy_and_spread(X, 9, classifier()),
    refused(ValueError, "label"),
)
case(
    "accuracy_and_spread: no points",
    lambda: guidance.accuracy_and_spread(torch.empty(0, 2), 1, classifier()),
    refused(ValueError, "points", "empty"),
)
case(
    "accuracy_and_spread: 1D points",
    lambda: guidance.accuracy_and_spread(torch.randn(10), 1, classifier()),
    refused(ValueError, "points"),
)
case(
    "accuracy_and_spread: NaN points",
    lambda: guidance.accuracy_and_spread(nan_points(), 1, classifier()),
    refused(ValueError, "points", "NaN"),
)
case(
    "accuracy_and_spread: numpy label",
    lambda: guidance.accuracy_and_spread(X, np.int64(2), classifier()),
    accepted(lambda r: r == guidance.accuracy_and_spread(X, 2, classifier())),
)


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
