"""fmlib.discrete against exact answers: the forward equation, Bayes' posterior, the jump sampler's marginals."""

import pytest
import torch

from fmlib import discrete, recipes

P1 = discrete.bimodal()
K = len(P1)
UNIFORM = torch.full((K,), 1 / K, dtype=torch.float64)
MASK = torch.cat([torch.zeros(K, dtype=torch.float64), torch.ones(1, dtype=torch.float64)])


@pytest.mark.parametrize("p0", [UNIFORM, MASK], ids=["uniform", "mask"])
@pytest.mark.parametrize("power", [1.0, 2.0])
def test_the_marginal_rates_move_the_path_by_the_forward_equation(p0, power):
    schedule, h = discrete.Schedule(power), 1e-6
    for t in [0.05, 0.3, 0.6, 0.9]:
        change = (
            discrete.path_probabilities(p0, P1, t + h, schedule) - discrete.path_probabilities(p0, P1, t - h, schedule)
        ) / (2 * h)
        rates = discrete.marginal_rates(p0, P1, t, schedule)
        assert torch.allclose(rates.sum(dim=0), torch.zeros(len(p0), dtype=torch.float64), atol=1e-12)
        assert (rates - torch.diag(rates.diagonal()) >= 0).all()
        assert (change - rates @ discrete.path_probabilities(p0, P1, t, schedule)).abs().max() < 1e-6


def test_the_posterior_is_bayes_rule():
    states = torch.arange(K + 1)
    masked = discrete.posterior(MASK, P1, states, 0.4)
    assert torch.allclose(masked[K], P1)  # a mask says nothing: the posterior is the data's probabilities
    assert torch.allclose(masked[:K], torch.eye(K, dtype=torch.float64))  # an unmasked token is already its x1
    assert torch.allclose(discrete.posterior(UNIFORM, P1, states[:K], 0.0), P1.expand(K, K))
    late = discrete.posterior(UNIFORM, P1, states[:K], 1.0)
    assert torch.allclose(late, torch.eye(K, dtype=torch.float64))
    # by hand at t = 0.5 for x = 3: p1(k) (0.5 / K + 0.5 [k = 3]) normalised
    by_hand = P1 * (0.5 / K + 0.5 * (torch.arange(K) == 3))
    assert torch.allclose(discrete.posterior(UNIFORM, P1, torch.tensor([3]), 0.5)[0], by_hand / by_hand.sum())


@pytest.mark.parametrize("p0", [UNIFORM, MASK], ids=["uniform", "mask"])
def test_jumping_with_the_exact_posterior_reproduces_the_target(p0):
    n = 40_000
    x0 = torch.multinomial(p0.float(), n, replacement=True, generator=torch.Generator().manual_seed(0))[:, None]
    landed = discrete.sample(lambda x, t: discrete.posterior(p0, P1, x[:, 0], t)[:, None], x0, 20, seed=1).x[:, 0]
    found = torch.bincount(landed, minlength=K).double() / n
    again = torch.bincount(torch.multinomial(P1.float(), n, replacement=True), minlength=K).double() / n
    floor = 0.5 * (again - P1).abs().sum()
    assert 0.5 * (found - P1).abs().sum() < 3 * floor + 0.002


def test_one_step_from_the_mask_draws_each_token_on_its_own():
    # All masked at t = 0: one step jumps every token, each from its own posterior, independently.
    probabilities = torch.tensor([[0.5, 0.5], [0.5, 0.5]], dtype=torch.float64)
    x0 = torch.full((20_000, 2), 2)
    landed = discrete.sample(lambda x, t: probabilities.expand(len(x), 2, 2), x0, 1, seed=0).x
    assert (landed < 2).all()
    agree = (landed[:, 0] == landed[:, 1]).double().mean().item()
    assert abs(agree - 0.5) < 0.02


def test_bad_input_says_what_is_wrong():
    with pytest.raises(ValueError, match="jump probability"):
        discrete.jump_step(torch.zeros(3, 1, dtype=torch.long), torch.full((3, 1, 2), 0.5), 0.9, 0.2)
    with pytest.raises(ValueError, match="whole numbers from 0 to"):
        discrete.posterior(MASK, P1, torch.tensor([K + 1]), 0.5)
    with pytest.raises(ValueError, match="power must be at least 1"):
        discrete.Schedule(0.5)
    with pytest.raises(ValueError, match="p0 must have"):
        discrete.posterior(torch.ones(3, dtype=torch.float64) / 3, P1, torch.tensor([0]), 0.5)
    with pytest.raises(ValueError, match="non-negative, summing to 1"):
        discrete.path_probabilities(UNIFORM * 2, P1, 0.5)
    with pytest.raises(ValueError, match="lie in"):
        discrete.to_grid(torch.tensor([[3.5, 0.0]]))


def test_the_grid_round_trip_keeps_each_point_in_its_bin():
    points = torch.tensor([[-2.99, 0.01], [2.99, -0.2]])
    back = discrete.from_grid(discrete.to_grid(points))
    assert (back - points).abs().max() <= discrete.GRID_LIM / discrete.GRID_BINS + 1e-6


def test_training_learns_the_posterior_and_the_model_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path))
    tiny = recipes.Recipe(steps=300, batch_size=256, lr=1e-2, width=32, depth=2)
    model = discrete.trained_model("bimodal", "mask", tiny, progress=False)
    assert len(list(tmp_path.glob("*.pt"))) == 1
    learned = model.probabilities(torch.tensor([[K]]), 0.5)[0, 0].double()
    assert 0.5 * (learned - P1).abs().sum() < 0.05  # masked: the posterior is the target's probabilities
    # an unmasked token's posterior is certain, whatever the network's weights
    assert torch.equal(model.probabilities(torch.tensor([[3]]), 0.2)[0, 0], torch.eye(K)[3])
    again = discrete.trained_model("bimodal", "mask", tiny, progress=False)
    assert torch.equal(again.probabilities(torch.tensor([[K]]), 0.5), model.probabilities(torch.tensor([[K]]), 0.5))


@pytest.mark.parametrize("masked", [False, True])
def test_the_pair_posterior_is_bayes_rule_on_the_joint(masked):
    # A small joint of two tokens with 3 values, against a brute-force sum over all (x0, x1) pairs.
    generator = torch.Generator().manual_seed(0)
    joint = torch.rand(3, 3, generator=generator, dtype=torch.float64)
    joint /= joint.sum()
    t, values = 0.35, 3
    source = [values] if masked else list(range(values))
    x = torch.tensor([[0, 2], [1, 1]] + ([[values, 1], [values, values]] if masked else [[2, 0]]))
    found = discrete.pair_posterior(joint, x, t, masked)
    for row, point in enumerate(x.tolist()):
        weights = torch.zeros(2, values, dtype=torch.float64)
        for a in range(values):
            for b in range(values):
                seen = 1.0
                for value, target in zip(point, (a, b)):
                    seen *= sum((1 - t) / len(source) for s in source if s == value) + t * (value == target)
                weights[0, a] += joint[a, b] * seen
                weights[1, b] += joint[a, b] * seen
        assert torch.allclose(found[row], weights / weights.sum(dim=1, keepdim=True))
    if masked:  # off the support (a pair the joint never holds), an unmasked token still keeps its value
        joint[0, 2] = 0
        joint /= joint.sum()
        off = discrete.pair_posterior(joint, torch.tensor([[0, 2]]), t, masked)
        assert torch.equal(off[0], torch.eye(values, dtype=torch.float64)[[0, 2]])


def test_digit_tokens_are_the_grey_levels():
    from fmlib import digits

    levels = torch.arange(discrete.DIGIT_VALUES).repeat(4)[:64][None].float()
    assert torch.equal(discrete.digit_tokens(digits.scale(levels)), levels.long())
    tokens, labels = discrete.TARGETS["digits"][3]()(500)
    assert tokens.shape == (500, 64) and labels.shape == (500,)
    assert 0 <= tokens.min() and tokens.max() == discrete.DIGIT_VALUES - 1 and set(labels.tolist()) == set(range(10))


def test_a_posterior_net_with_classes_reads_the_label_and_no_label_is_its_own_class():
    torch.manual_seed(0)
    model = discrete.PosteriorNet(tokens=3, values=4, masked=True, width=16, classes=2)
    x = torch.full((5, 3), 4)
    none, two = model(x, 0.3), model(x, 0.3, 2)
    assert torch.equal(none, two)  # None and K both mean "no label"
    assert not torch.allclose(model(x, 0.3, 0), model(x, 0.3, 1))
    with pytest.raises(ValueError, match="from 0 to 1"):
        model(x, 0.3, 3)
    with pytest.raises(ValueError, match="no classes"):
        discrete.PosteriorNet(tokens=3, values=4, masked=True)(x, 0.3, 0)


def test_training_with_labels_learns_each_class_posterior():
    # Two classes, one token: class 0 is always value 0, class 1 always value 2. From the mask, the learned
    # posterior given the class is certain of its value; with no label it is the mixture, half and half.
    def target(n):
        labels = torch.randint(2, (n,))
        return (2 * labels)[:, None], labels

    model = discrete.PosteriorNet(tokens=1, values=3, masked=True, width=32, depth=2, classes=2)
    discrete.train(
        model,
        lambda n: torch.full((n, 1), 3),
        target,
        steps=400,
        batch_size=256,
        lr=1e-2,
        seed=0,
        progress=False,
        label_dropout=0.3,
    )
    masked = torch.tensor([[3]])
    with torch.no_grad():
        assert model.probabilities(masked, 0.5, 0)[0, 0, 0] > 0.98
        assert model.probabilities(masked, 0.5, 1)[0, 0, 2] > 0.98
        free = model.probabilities(masked, 0.5)[0, 0]
    assert abs(free[0] - 0.5) < 0.05 and abs(free[2] - 0.5) < 0.05
    with pytest.raises(ValueError, match="gives \\(tokens, labels\\)"):
        discrete.train(
            discrete.PosteriorNet(1, 3, True), lambda n: torch.full((n, 1), 3), target, steps=1, progress=False
        )
