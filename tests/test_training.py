import inspect

import numpy as np
import pytest
import torch

import fmlib
from conftest import Cases, Number, X, Y, accepted, labelled, nan_points, net, refused, swirl
from fmlib import couplings, guidance, training
from fmlib.couplings import teacher_pairs
from fmlib.metrics import straightness


def test_train_refuses_data_of_the_wrong_dimension():
    with pytest.raises(ValueError, match=r"dim=1.*dim=2.*VelocityNet\(dim=2\)"):
        fmlib.train(fmlib.VelocityNet(dim=1), "gaussian", "spiral", steps=5, progress=False)


def test_nan_in_the_data_is_reported_as_such_not_blamed_on_the_learning_rate():
    nan_target = lambda n: torch.full((n, 2), float("nan"))  # noqa: E731
    with pytest.raises(ValueError, match="target gave NaN") as caught:
        fmlib.train(fmlib.VelocityNet(), "gaussian", nan_target, steps=10, progress=False)
    assert "learning rate" not in str(caught.value)
    inf_pairs = lambda n: (torch.full((n, 2), float("inf")), torch.zeros(n, 2))  # noqa: E731
    with pytest.raises(ValueError, match="pairs gave NaN or infinite"):
        fmlib.train(fmlib.VelocityNet(), pairs=inf_pairs, steps=10, progress=False)


def test_a_loss_that_stops_being_a_number_stops_training_with_a_remedy():
    with pytest.raises(FloatingPointError, match=r"loss became nan at step \d+: lower the learning rate \(lr=1e\+30\)"):
        fmlib.train(fmlib.VelocityNet(width=8), "gaussian", "moons", steps=50, batch_size=64, lr=1e30, progress=False)


@pytest.mark.parametrize("lr", [1e3, 1.0])
def test_runaway_training_is_stopped_with_a_remedy_that_names_the_learning_rate(lr):
    # lr=1e3 ends with a loss near 1e29 and NaN samples; lr=1 a million times above the start, then settles.
    with pytest.raises(FloatingPointError, match=rf"ran away at step \d+.*lower it \(lr={lr:g}; try lr={lr / 10:g}\)"):
        fmlib.train(fmlib.VelocityNet(), "gaussian", "spiral", steps=200, batch_size=64, lr=lr, seed=0, progress=False)


def test_the_runaway_check_stops_as_soon_as_the_mean_loss_passes_its_threshold(monkeypatch):
    # A loss that climbs steadily: the running mean over training.WINDOW steps passes RUNAWAY times the start.
    model = torch.nn.Linear(1, 1)
    values = iter(1.5**k for k in range(1000))
    batch_loss = lambda: model.weight.sum() * 0 + next(values)  # noqa: E731
    with pytest.raises(FloatingPointError, match="ran away") as caught:
        training.optimise(model, batch_loss, steps=1000, lr=1e-3)
    seen = [1.5**k for k in range(1000)]
    expected = next(i for i in range(1000) if sum(seen[max(0, i - 19) : i + 1]) / min(i + 1, 20) > training.RUNAWAY)
    assert f"at step {expected}:" in str(caught.value)


def test_fine_tuning_from_a_tiny_loss_is_judged_against_an_untrained_model():
    # A model that already fits its pairs starts near zero loss; a jolt of Adam's first steps is not a runaway.
    torch.manual_seed(0)
    x0 = torch.randn(4096, 2)
    model = fmlib.VelocityNet(dim=2, width=32, depth=2)
    pairs = couplings.fixed(x0, x0 + torch.tensor([1.0, -2.0]))
    fmlib.train(model, pairs=pairs, steps=400, batch_size=256, seed=0, progress=False)
    losses = fmlib.train(model, pairs=pairs, steps=200, batch_size=256, lr=1e-2, lr_decay=False, seed=1, progress=False)
    # Measured against its own first loss alone, this training would have been stopped as a runaway.
    means = [sum(losses[max(0, i - 19) : i + 1]) / min(i + 1, 20) for i in range(len(losses))]
    assert max(means) > training.RUNAWAY * losses[0]
    assert max(losses) < 0.1  # yet it stays far below the loss of a model that has learnt nothing (about 5)


def test_same_seed_same_training():
    def run():
        torch.manual_seed(1)
        return fmlib.train(fmlib.VelocityNet(width=16), "gaussian", "moons", steps=20, seed=4, progress=False)

    assert run() == run()


def test_training_learns_the_exact_marginal_velocity_in_1d():
    # Independent pairs x0 ~ N(0, 1), x1 ~ N(c, 1): x_t and x1 - x0 are jointly Gaussian, so
    # E[x1 - x0 | x_t = x] = c + (2t - 1) / ((1 - t)^2 + t^2) * (x - t c).
    c = 2.0
    samples = torch.randn(20_000, 1) + c  # the target as a tensor of samples
    torch.manual_seed(0)
    model = fmlib.VelocityNet(dim=1, width=32, depth=2)
    losses = fmlib.train(model, lambda n: torch.randn(n, 1), samples, steps=1500, seed=0, progress=False)
    assert sum(losses[-100:]) / 100 < 0.5 * sum(losses[:10]) / 10
    for t in [0.1, 0.5, 0.9]:
        spread = ((1 - t) ** 2 + t**2) ** 0.5
        x = t * c + spread * torch.linspace(-1.5, 1.5, 7)[:, None]  # the bulk of x_t
        exact = c + (2 * t - 1) / spread**2 * (x - t * c)
        with torch.no_grad():
            assert (model(x, t) - exact).abs().max() < 0.2, f"t={t}"


def test_time_sampler_decides_which_times_are_trained():
    seen = []

    def late_times(n):
        t = 0.9 + 0.1 * torch.rand(n, 1)
        seen.append(t)
        return t

    fmlib.train(fmlib.VelocityNet(width=8), "gaussian", "square", steps=3, time_sampler=late_times, progress=False)
    assert len(seen) == 3 and all((t >= 0.9).all() for t in seen)


def test_label_dropout_trains_both_answers():
    # Two classes at +-2 on the x axis. At t = 1/2 from x = 0 the conditional velocity must point
    # towards its class, and the unconditional one (the average) nowhere in particular.
    torch.manual_seed(0)
    net = fmlib.VelocityNet(dim=2, classes=2, width=32, depth=2)
    fmlib.train(
        net,
        pairs=couplings.labelled("gaussian", "two_gaussians"),
        steps=600,
        batch_size=512,
        label_dropout=0.3,
        seed=0,
        progress=False,
    )
    origin = torch.zeros(1, 2)
    left, right, neither = net(origin, 0.5, 0)[0, 0], net(origin, 0.5, 1)[0, 0], net(origin, 0.5)[0, 0]
    assert left < -1 and right > 1 and abs(neither) < 0.5, (left, right, neither)


def test_train_on_a_fixed_pool_of_pairs():
    # Every pair moves by (1, -2): the learned field must be that constant everywhere.
    torch.manual_seed(0)
    x0 = torch.randn(4096, 2)
    model = fmlib.VelocityNet(dim=2, width=32, depth=2)
    fmlib.train(
        model,
        pairs=couplings.fixed(x0, x0 + torch.tensor([1.0, -2.0])),
        steps=400,
        batch_size=256,
        seed=0,
        progress=False,
    )
    v = model(torch.randn(200, 2), torch.rand(200, 1))
    assert (v - torch.tensor([1.0, -2.0])).abs().mean() < 0.03


def test_train_wants_either_source_and_target_or_pairs():
    model = fmlib.VelocityNet(dim=2)
    with pytest.raises(ValueError, match="either"):
        fmlib.train(model, "gaussian", "moons", pairs=couplings.independent("gaussian", "moons"), steps=1)
    with pytest.raises(ValueError, match="either"):
        fmlib.train(model, "gaussian", steps=1)


def test_flow_matching_loss_is_the_regression_onto_the_straight_line_velocity():
    torch.manual_seed(0)
    model = fmlib.VelocityNet(dim=2, width=16, depth=2)
    x0, x1, t = torch.randn(64, 2), torch.randn(64, 2), torch.rand(64, 1)
    by_hand = ((model((1 - t) * x0 + t * x1, t) - (x1 - x0)) ** 2).mean()
    assert torch.equal(fmlib.flow_matching_loss(model, x0, x1, t), by_hand)
    conditional = fmlib.VelocityNet(dim=2, classes=3, width=16, depth=2)
    y = torch.randint(0, 3, (64,))
    by_hand = ((conditional((1 - t) * x0 + t * x1, t, y) - (x1 - x0)) ** 2).mean()
    assert torch.equal(fmlib.flow_matching_loss(conditional, x0, x1, t, y), by_hand)


def test_label_dropout_replaces_about_that_share_of_labels_with_no_label():
    torch.manual_seed(0)
    labels = torch.randint(0, 3, (10_000,))
    dropped = training.drop_labels(labels, 0.2, no_label=3)
    replaced = dropped != labels
    assert abs(replaced.float().mean() - 0.2) < 0.02 and (dropped[replaced] == 3).all()


def test_the_classifier_trains_in_the_same_loop(monkeypatch):
    calls = []
    real = training.optimise
    monkeypatch.setattr(guidance, "optimise", lambda *args, **kwargs: calls.append(args[2:]) or real(*args, **kwargs))
    losses = guidance.train_classifier(guidance.TimeClassifier(8), "eight_gaussians", steps=3, batch_size=16, lr=0.1)
    assert len(losses) == 3 and calls == [(3, 0.1)]


def test_the_training_loop_leaves_the_display_to_the_progress_module():
    source = inspect.getsource(training)
    assert "tqdm" not in source and "IPython" not in source


def test_reflow_pool_holds_teacher_endpoints_and_student_is_straighter():
    torch.manual_seed(0)
    teacher = fmlib.VelocityNet(dim=2, width=32, depth=2)
    fmlib.train(teacher, "gaussian", "two_gaussians", steps=300, batch_size=256, seed=0, progress=False)
    x0, x1 = teacher_pairs(teacher, "gaussian", pool=64, seed=1)
    assert torch.allclose(x1, fmlib.integrate(teacher, x0, steps=8, method="rk4", warp=0.5).x)
    student, losses = fmlib.reflow(teacher, "gaussian", pool=4096, steps=300, batch_size=256, progress=False)
    assert len(losses) == 300 and student is not teacher
    probe = fmlib.sample("gaussian", 500, seed=2)
    assert straightness(student, probe) < 0.3 * straightness(teacher, probe)


# --- bad input: train, reflow (the probe is in conftest.py) ---------------------------

FEW = dict(steps=3, batch_size=16, progress=False)


def quick_train(**changes):
    settings = {**FEW, **changes}
    model = settings.pop("model", None) or net()
    source, target = settings.pop("source", "gaussian"), settings.pop("target", "moons")
    if "pairs" in settings:
        return fmlib.train(model, **settings)
    return fmlib.train(model, source, target, **settings)


def losses_of(seed):
    return quick_train(seed=seed)


case = Cases()
for bad in [0, -5, 2.5, "100", None]:
    case(f"train: steps={bad!r}", lambda bad=bad: quick_train(steps=bad), refused(Number, "steps"))
for good in [np.int64(3), torch.tensor(3), 3.0]:
    case(f"train: steps={good!r}", lambda good=good: quick_train(steps=good, seed=0), accepted(lambda r: len(r) == 3))
for bad in [0, -16, 2.5]:
    case(f"train: batch_size={bad!r}", lambda bad=bad: quick_train(batch_size=bad), refused(Number, "batch_size"))
case(
    "train: batch_size=np.int64(16)",
    lambda: quick_train(batch_size=np.int64(16), seed=0),
    accepted(lambda r: r == quick_train(seed=0)),
)
for bad in [0, -0.01, "0.01", float("nan"), float("inf")]:
    case(f"train: lr={bad!r}", lambda bad=bad: quick_train(lr=bad), refused(Number, "lr"))
case("train: lr=np.float64", lambda: quick_train(lr=np.float64(0.01), seed=0), accepted(lambda r: len(r) == 3))
case("train: lr=1 (an int)", lambda: quick_train(lr=1, seed=0), accepted(lambda r: len(r) == 3))
case(
    "train: lr=1e3 runs away",
    lambda: quick_train(lr=1e3, steps=200, batch_size=64, seed=0),
    refused(FloatingPointError, "lr"),
)
case(
    "train: lr=1e30 runs away",
    lambda: quick_train(lr=1e30, steps=50, batch_size=64, seed=0),
    refused(FloatingPointError, "lr"),
)
case("train: model a function", lambda: quick_train(model=swirl), refused(TypeError, "model"))
case("train: model the class", lambda: quick_train(model=fmlib.VelocityNet), refused(TypeError, "model"))
case("train: source unknown", lambda: quick_train(source="spirl"), refused(ValueError, "spirl", "spiral"))
case("train: source a 1D tensor", lambda: quick_train(source=torch.randn(10)), refused(ValueError, "source"))
case("train: target empty", lambda: quick_train(target=torch.empty(0, 2)), refused(ValueError, "target", "empty"))
case("train: target with NaN", lambda: quick_train(target=nan_points()), refused(ValueError, "target", "NaN"))
case(
    "train: target sampler gives NaN",
    lambda: quick_train(target=lambda n: torch.full((n, 2), float("nan"))),
    refused(ValueError, "target", "NaN"),
)
case(
    "train: source sampler gives inf",
    lambda: quick_train(source=lambda n: torch.full((n, 2), float("inf"))),
    refused(ValueError, "source", "NaN"),
)
case(
    "train: source sampler gives numpy",
    lambda: quick_train(source=lambda n: np.zeros((n, 2))),
    refused(TypeError, "source"),
)
case(
    "train: target sampler ignores n",
    lambda: quick_train(target=lambda n: torch.randn(1, 2)),
    refused(ValueError, "target", "rows"),
)
case(
    "train: target sampler gives (n,)",
    lambda: quick_train(target=lambda n: torch.randn(n)),
    refused(ValueError, "target"),
)
case(
    "train: source 1D, target 2D",
    lambda: quick_train(source=torch.randn(10, 1)),
    refused(ValueError, "source", "target"),
)
case("train: model of another dim", lambda: quick_train(model=net(dim=3)), refused(ValueError, "dim"))
case("train: float64 data", lambda: quick_train(target=Y.double(), seed=0), accepted(lambda r: len(r) == 3))
case("train: integer data", lambda: quick_train(target=Y.round().long(), seed=0), accepted(lambda r: len(r) == 3))
case("train: a float64 model", lambda: quick_train(model=net().double(), seed=0), accepted(lambda r: len(r) == 3))
case(
    "train: time_sampler gives (n,)",
    lambda: quick_train(time_sampler=lambda n: torch.rand(n)),
    refused(ValueError, "time_sampler"),
)
case(
    "train: time_sampler gives 5 times",
    lambda: quick_train(time_sampler=lambda n: torch.rand(5, 1)),
    refused(ValueError, "time_sampler"),
)
case("train: time_sampler a number", lambda: quick_train(time_sampler=0.5), refused(TypeError, "time_sampler"))
case("train: pairs a number", lambda: fmlib.train(net(), pairs=42, **FEW), refused(TypeError, "pairs"))
case(
    "train: pairs and source",
    lambda: fmlib.train(net(), "gaussian", pairs=couplings.independent("gaussian", "moons"), **FEW),
    refused(ValueError, "pairs"),
)
case("train: neither pairs nor data", lambda: fmlib.train(net(), **FEW), refused(ValueError, "pairs"))
case("train: callback a number", lambda: quick_train(callback=5), refused(TypeError, "callback"))
case(
    "train: callback_every=0",
    lambda: quick_train(callback=lambda i, m: None, callback_every=0),
    refused(ValueError, "callback_every"),
)
for bad in [1.5, -0.1]:
    case(
        f"train: label_dropout={bad}",
        lambda bad=bad: quick_train(model=net(classes=8), pairs=labelled(), label_dropout=bad),
        refused(ValueError, "label_dropout"),
    )
case(
    "train: too few classes for the data",
    lambda: quick_train(model=net(classes=2), pairs=labelled("smiley")),
    refused(ValueError, "classes", "3"),
)
case(
    "train: labels for an unconditional model",
    lambda: quick_train(model=net(), pairs=labelled()),
    refused(ValueError, "classes"),
)
case(
    "train: labels out of range from a coupling",
    lambda: quick_train(
        model=net(classes=2), pairs=lambda n: (torch.randn(n, 2), torch.randn(n, 2), torch.full((n,), 7))
    ),
    refused(ValueError, "classes"),
)
case(
    "train: a conditional model with enough classes",
    lambda: quick_train(model=net(classes=3), pairs=labelled("smiley"), seed=0),
    accepted(lambda r: len(r) == 3),
)
for bad in ["a", 1.5]:
    case(f"train: seed={bad!r}", lambda bad=bad: quick_train(seed=bad), refused(Number, "seed"))
case("train: seed=np.int64(1)", lambda: losses_of(np.int64(1)), accepted(lambda r: r == losses_of(1)))
case(
    "flow_matching_loss: x0 and x1 of different lengths",
    lambda: fmlib.flow_matching_loss(net(), X, Y[:1], torch.rand(16, 1)),
    refused(ValueError, "x1"),
)
case(
    "flow_matching_loss: t of shape (n, 2)",
    lambda: fmlib.flow_matching_loss(net(), X, Y, torch.rand(16, 2)),
    refused(ValueError, "t"),
)
case(
    "optimise: steps=0",
    lambda: training.optimise(net(), lambda: torch.zeros(()), 0, 0.01),
    refused(ValueError, "steps"),
)
case(
    "optimise: lr=0",
    lambda: training.optimise(net(), lambda: torch.zeros((), requires_grad=True), 3, 0),
    refused(ValueError, "lr"),
)

REFLOW = dict(pool=64, teacher_steps=2, steps=2, batch_size=16, progress=False)
case("reflow: teacher a function", lambda: fmlib.reflow(swirl, "gaussian", **REFLOW), refused(TypeError, "teacher"))
for argument in ["pool", "teacher_steps", "steps"]:
    case(
        f"reflow: {argument}=0",
        lambda argument=argument: fmlib.reflow(net(), "gaussian", **{**REFLOW, argument: 0}),
        refused(ValueError, argument),
    )
case("reflow: source unknown", lambda: fmlib.reflow(net(), "spirl", **REFLOW), refused(ValueError, "spirl"))
case(
    "reflow: teacher of another dim", lambda: fmlib.reflow(net(dim=1), "gaussian", **REFLOW), refused(ValueError, "dim")
)
case(
    "reflow: numpy pool",
    lambda: fmlib.reflow(net(), "gaussian", **{**REFLOW, "pool": np.int64(64)})[1],
    accepted(lambda r: len(r) == 2),
)


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)


def test_seconds_per_step_times_the_asked_steps_after_one_to_warm_up():
    calls = []
    model = torch.nn.Linear(2, 1)
    before = model.weight.detach().clone()

    def batch_loss(m):
        calls.append(1)
        return m(torch.ones(4, 2)).pow(2).mean()

    seconds = training.seconds_per_step(batch_loss, model, steps=7)
    assert len(calls) == 8 and seconds > 0
    assert not torch.equal(model.weight, before)  # it trains the model it times
    with pytest.raises(TypeError, match="nn.Module"):
        training.seconds_per_step(batch_loss, lambda x: x)
