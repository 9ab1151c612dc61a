import torch

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
