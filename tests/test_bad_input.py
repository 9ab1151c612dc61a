"""fmlib's answers to bad input, as a careful student would probe them.

Every case is one call: a wrong name, count, shape, dtype or range, NaN or inf,
an empty input, a label out of range; or a valid input of an unusual kind (an
integer of numpy's, a 0-d tensor, float64 or integer points) that must work.
Each case says what it expects:

- `refused(error, *words)`: raises `error` whose message names the argument
  (every word in `words` appears in it, as a whole word, in any case);
- `accepted(check)`: returns, and `check(result)` holds.

`outcome` sorts what actually happened into the classes below; the test passes
only for "clear error" and "accepted". Run this file as a script for the count
of each class:  python tests/test_bad_input.py
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import fmlib  # noqa: E402
from fmlib import couplings, grids, guidance, metrics, parabola, recipes, shapes, training, viz, widgets  # noqa: E402
from fmlib.mixtures import GaussianMixture, exact_velocity  # noqa: E402

CLEAR, ACCEPTED = "clear error", "accepted"
OBSCURE, SILENT, NAN_THROUGH, REJECTED = "obscure error", "silent wrong result", "NaN passed through", "valid refused"


@dataclass
class Expect:
    error: type | tuple | None  # None: the call must succeed
    words: tuple = ()
    check: object = None


def refused(error, *words):
    return Expect(error, words)


def accepted(check=None):
    return Expect(None, check=check)


def _names_every_word(message, words):
    def found(word):
        left = r"\b" if word[0].isalnum() or word[0] == "_" else ""
        right = r"\b" if word[-1].isalnum() or word[-1] == "_" else ""
        return re.search(left + re.escape(word) + right, message, re.I)

    return all(found(word) for word in words)


def _has_non_finite(value):
    if isinstance(value, torch.Tensor):
        return value.is_floating_point() and not torch.isfinite(value).all()
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f" and not np.isfinite(value).all()
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return any(_has_non_finite(v) for v in value)
    if isinstance(value, fmlib.Solution):
        return _has_non_finite(value.x)
    if isinstance(value, torch.nn.Module):
        return any(_has_non_finite(p) for p in value.parameters())
    return False


def outcome(call, expect):
    """(class, detail): what `call()` did, against what `expect` asks."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
    except Exception as error:  # noqa: BLE001 (any error is sorted, not hidden)
        message = f"{type(error).__name__}: {error}"
        if expect.error is None:
            return REJECTED, message
        if isinstance(error, expect.error) and _names_every_word(str(error), expect.words):
            return CLEAR, message
        return OBSCURE, message
    finally:
        plt.close("all")
    if expect.error is not None:
        return (NAN_THROUGH if _has_non_finite(result) else SILENT), f"returned {type(result).__name__}"
    try:
        checked = expect.check is None or expect.check(result)
    except Exception as error:  # noqa: BLE001
        checked = False
        result = f"{result!r:.60}; checking it raised {type(error).__name__}: {error}"
    finally:
        plt.close("all")
    if not checked:
        return SILENT, f"returned {result if isinstance(result, str) else type(result).__name__}, but the check failed"
    return ACCEPTED, ""


# --- what the calls use ----------------------------------------------------------

Number = (TypeError, ValueError)  # a value of the wrong kind may be either


def net(dim=2, classes=None, seed=0):
    torch.manual_seed(seed)
    return fmlib.VelocityNet(dim, width=8, depth=1, classes=classes)


def swirl(x, t):
    return torch.stack([-x[:, 1], x[:, 0]], dim=1)


def nan_points(n=16, dim=2):
    x = torch.randn(n, dim)
    x[3, 0] = float("nan")
    return x


def inf_points(n=16, dim=2):
    x = torch.randn(n, dim)
    x[5, 1] = float("inf")
    return x


def same(a, b):
    return torch.equal(torch.as_tensor(a), torch.as_tensor(b))


def close(a, b, tol=1e-5):
    a, b = torch.as_tensor(a).double(), torch.as_tensor(b).double()
    return a.shape == b.shape and torch.allclose(a, b, atol=tol, rtol=tol)


X = fmlib.sample("gaussian", 16, seed=0)
Y = fmlib.sample("moons", 16, seed=1)
MIXTURE = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])
FEW = dict(steps=3, batch_size=16, progress=False)
FEW_CLASSIFIER = dict(steps=3, batch_size=16)


def quick_train(**changes):
    settings = {**FEW, **changes}
    model = settings.pop("model", None) or net()
    source, target = settings.pop("source", "gaussian"), settings.pop("target", "moons")
    if "pairs" in settings:
        return fmlib.train(model, **settings)
    return fmlib.train(model, source, target, **settings)


def losses_of(seed):
    return quick_train(seed=seed)


def labelled(target="eight_gaussians"):
    return couplings.labelled("gaussian", target)


def classifier(classes=8, dim=2):
    torch.manual_seed(0)
    return guidance.TimeClassifier(classes, dim=dim, width=8, depth=1)


def axes():
    return plt.subplots()[1]


def trajectory(steps=4, n=10):
    return fmlib.integrate(swirl, fmlib.sample("gaussian", n, seed=0), steps=steps, trajectory=True)


def figure_made(result):
    return isinstance(result, (matplotlib.figure.Figure, matplotlib.axes.Axes, matplotlib.image.AxesImage))


def draw_nothing(**values):
    return None


CASES = []


def case(name, call, expect):
    CASES.append(pytest.param(call, expect, id=name))


# --- shapes ---------------------------------------------------------------------

case("sample: unknown name", lambda: fmlib.sample("spirl", 10), refused(ValueError, "spirl", "spiral"))
case("sample: name not a string", lambda: fmlib.sample(None, 10), refused(Number, "shape"))
for bad in [0, -3, 2.5, "10", None, torch.tensor([10])]:
    case(f"sample: n={bad!r}", lambda bad=bad: fmlib.sample("spiral", bad), refused(Number, "n"))
for good in [np.int64(10), torch.tensor(10), 10.0, np.float64(10)]:
    case(
        f"sample: n={good!r}",
        lambda good=good: fmlib.sample("spiral", good, seed=0),
        accepted(lambda x: same(x, fmlib.sample("spiral", 10, seed=0))),
    )
for bad in ["a", 1.5, [1]]:
    case(f"sample: seed={bad!r}", lambda bad=bad: fmlib.sample("spiral", 5, seed=bad), refused(Number, "seed"))
case(
    "sample: seed=np.int64(3)",
    lambda: fmlib.sample("moons", 5, seed=np.int64(3)),
    accepted(lambda x: same(x, fmlib.sample("moons", 5, seed=3))),
)
case(
    "sample_labelled: shape without classes",
    lambda: fmlib.sample_labelled("spiral", 5),
    refused(ValueError, "spiral", "moons"),
)
case("sample_labelled: n=0", lambda: fmlib.sample_labelled("moons", 0), refused(ValueError, "n"))
case(
    "sample_labelled: n=np.int64(5)",
    lambda: fmlib.sample_labelled("moons", np.int64(5), seed=0)[1],
    accepted(lambda y: same(y, fmlib.sample_labelled("moons", 5, seed=0)[1])),
)
case("as_sampler: a 1D tensor", lambda: shapes.as_sampler(torch.randn(10)), refused(ValueError, "data", "(n, dim)"))
case("as_sampler: an empty tensor", lambda: shapes.as_sampler(torch.empty(0, 2)), refused(ValueError, "empty"))
case("as_sampler: a number", lambda: shapes.as_sampler(42), refused(TypeError, "data", "shape name"))
case("as_sampler: NaN in the samples", lambda: shapes.as_sampler(nan_points()), refused(ValueError, "data", "NaN"))
case("as_sampler: inf in the samples", lambda: shapes.as_sampler(inf_points()), refused(ValueError, "data", "NaN"))
case(
    "as_sampler: a numpy array",
    lambda: shapes.as_sampler(np.random.default_rng(0).normal(size=(20, 2)))(5),
    accepted(lambda x: isinstance(x, torch.Tensor) and x.shape == (5, 2)),
)

# --- models ---------------------------------------------------------------------

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

# --- training -------------------------------------------------------------------

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

# --- reflow ---------------------------------------------------------------------

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

# --- integrate and time warping ---------------------------------------------------

case("integrate: unknown method", lambda: fmlib.integrate(swirl, X, method="rk5"), refused(ValueError, "rk5", "rk4"))
for bad in [0, -1, 2.5, "10", None]:
    case(f"integrate: steps={bad!r}", lambda bad=bad: fmlib.integrate(swirl, X, steps=bad), refused(Number, "steps"))
for good in [np.int64(4), torch.tensor(4), 4.0]:
    case(
        f"integrate: steps={good!r}",
        lambda good=good: fmlib.integrate(swirl, X, steps=good).x,
        accepted(lambda x: same(x, fmlib.integrate(swirl, X, steps=4).x)),
    )
case("integrate: a 1D x0", lambda: fmlib.integrate(swirl, torch.randn(10)), refused(ValueError, "x0"))
case("integrate: x0 with NaN", lambda: fmlib.integrate(swirl, nan_points()), refused(ValueError, "x0", "NaN"))
case("integrate: x0 with inf", lambda: fmlib.integrate(swirl, inf_points()), refused(ValueError, "x0", "NaN"))
case(
    "integrate: numpy x0",
    lambda: fmlib.integrate(swirl, X.numpy(), steps=4).x,
    accepted(lambda x: same(x, fmlib.integrate(swirl, X, steps=4).x)),
)
case(
    "integrate: a list x0",
    lambda: fmlib.integrate(swirl, [[1.0, 0.0]], steps=4).x,
    accepted(lambda x: close(x, fmlib.integrate(swirl, torch.tensor([[1.0, 0.0]]), steps=4).x)),
)
case(
    "integrate: an empty x0", lambda: fmlib.integrate(swirl, torch.empty(0, 2)).x, accepted(lambda x: x.shape == (0, 2))
)
case(
    "integrate: integer x0 through a model",
    lambda: fmlib.integrate(net(), torch.tensor([[1, 2]]), steps=4).x,
    accepted(lambda x: close(x, fmlib.integrate(net(), torch.tensor([[1.0, 2.0]]), steps=4).x)),
)
case(
    "integrate: float64 x0 through a model",
    lambda: fmlib.integrate(net(), X.double(), steps=4).x,
    accepted(lambda x: close(x, fmlib.integrate(net(), X, steps=4).x)),
)
for bad in [2, -0.5, "0.5", float("nan")]:
    case(f"integrate: warp={bad!r}", lambda bad=bad: fmlib.integrate(swirl, X, warp=bad), refused(Number, "warp"))
case(
    "integrate: warp=np.float64(0.5)",
    lambda: fmlib.integrate(swirl, X, steps=4, warp=np.float64(0.5)).x,
    accepted(lambda x: same(x, fmlib.integrate(swirl, X, steps=4, warp=0.5).x)),
)
case("integrate: velocity None", lambda: fmlib.integrate(None, X), refused(TypeError, "velocity"))
case(
    "integrate: velocity of the wrong shape",
    lambda: fmlib.integrate(lambda x, t: x[:, :1], X),
    refused(ValueError, "velocity", "shape"),
)
case(
    "integrate: velocity gives numpy",
    lambda: fmlib.integrate(lambda x, t: x.numpy(), X),
    refused(TypeError, "velocity"),
)
case(
    "integrate: velocity gives NaN",
    lambda: fmlib.integrate(lambda x, t: x * float("nan"), X),
    refused(FloatingPointError, "velocity", "NaN"),
)
case(
    "integrate: velocity blows up",
    lambda: fmlib.integrate(lambda x, t: x * 1e30, X, steps=10),
    refused(FloatingPointError, "velocity", "NaN"),
)
for bad in [2, -0.1, "a", float("nan")]:
    case(f"warp_time: s={bad!r}", lambda bad=bad: fmlib.warp_time(0.5, bad), refused(Number, "s"))
case("warp_time_derivative: s=2", lambda: fmlib.warp_time_derivative(0.5, 2), refused(ValueError, "s"))
case(
    "warp_time: numpy slope",
    lambda: fmlib.warp_time(np.linspace(0, 1, 5), np.float64(0.5)),
    accepted(lambda t: np.allclose(t, fmlib.warp_time(np.linspace(0, 1, 5), 0.5))),
)
case("parabola.ride: steps=0", lambda: parabola.ride(0), refused(ValueError, "steps"))
case("parabola.ride: unknown method", lambda: parabola.ride(5, "rk5"), refused(ValueError, "rk5"))
case(
    "parabola.ride: numpy steps",
    lambda: parabola.miss(parabola.ride(np.int64(5))),
    accepted(lambda m: m == parabola.miss(parabola.ride(5))),
)
case("parabola.miss: not a solution", lambda: parabola.miss(123), refused(TypeError, "solution"))

# --- couplings ------------------------------------------------------------------

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

# --- guidance -------------------------------------------------------------------

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

# --- metrics --------------------------------------------------------------------

for name, distance in [
    ("sliced_wasserstein", metrics.sliced_wasserstein),
    ("energy_distance", metrics.energy_distance),
]:
    case(f"{name}: dims differ", lambda d=distance: d(X, torch.randn(16, 3)), refused(ValueError, "a", "b"))
    case(f"{name}: a 1D cloud", lambda d=distance: d(torch.randn(16), Y), refused(ValueError, "a"))
    case(f"{name}: an empty cloud", lambda d=distance: d(X, torch.empty(0, 2)), refused(ValueError, "b", "empty"))
    case(f"{name}: NaN", lambda d=distance: d(X, nan_points()), refused(ValueError, "b", "NaN"))
    case(f"{name}: inf", lambda d=distance: d(inf_points(), Y), refused(ValueError, "a", "NaN"))
    case(
        f"{name}: numpy clouds",
        lambda d=distance: d(X.numpy(), Y.numpy()),
        accepted(lambda r, d=distance: r == d(X, Y)),
    )
    case(
        f"{name}: float64 and float32",
        lambda d=distance: d(X.double(), Y),
        accepted(lambda r, d=distance: r == d(X, Y)),
    )
for bad in [0, 2.5]:
    case(
        f"sliced_wasserstein: projections={bad}",
        lambda bad=bad: metrics.sliced_wasserstein(X, Y, projections=bad),
        refused(Number, "projections"),
    )
case(
    "sliced_wasserstein: projections=np.int64(64)",
    lambda: metrics.sliced_wasserstein(X, Y, projections=np.int64(64)),
    accepted(lambda r: r == metrics.sliced_wasserstein(X, Y, projections=64)),
)
case(
    "wasserstein_1d: 2D clouds",
    lambda: metrics.wasserstein_1d(X, X.flip(1)),
    refused(ValueError, "a", "sliced_wasserstein"),
)
case("wasserstein_1d: NaN", lambda: metrics.wasserstein_1d(X[:, 0], nan_points()[:, 0]), refused(ValueError, "NaN"))
case(
    "wasserstein_1d: empty",
    lambda: metrics.wasserstein_1d(torch.empty(0), X[:, 0]),
    refused(ValueError, "a", "empty"),
)
case(
    "wasserstein_1d: numpy",
    lambda: metrics.wasserstein_1d(X[:, 0].numpy(), Y[:, 0].numpy()),
    accepted(lambda r: r == metrics.wasserstein_1d(X[:, 0], Y[:, 0])),
)
case(
    "wasserstein_1d: (n,) against (m, 1)",
    lambda: metrics.wasserstein_1d(X[:, 0], Y[:10, :1]),
    accepted(lambda r: r > 0),
)
T = torch.rand(16, 1)
case(
    "field_rmse: fields of different dims",
    lambda: metrics.field_rmse(lambda x, t: x[:, :1], swirl, X, T),
    refused(ValueError, "velocity", "reference"),
)
case(
    "field_rmse: t of shape (n, 2)",
    lambda: metrics.field_rmse(swirl, swirl, X, torch.rand(16, 2)),
    refused(ValueError, "t"),
)
case(
    "field_rmse: t of 5 values", lambda: metrics.field_rmse(swirl, swirl, X, torch.rand(5, 1)), refused(ValueError, "t")
)
case("field_rmse: t a number", lambda: metrics.field_rmse(swirl, swirl, X, 0.5), accepted(lambda r: r == 0.0))
case(
    "field_rmse: velocity gives NaN",
    lambda: metrics.field_rmse(lambda x, t: x * float("nan"), swirl, X, T),
    refused(ValueError, "velocity", "NaN"),
)
case("field_rmse: a 1D x", lambda: metrics.field_rmse(swirl, swirl, torch.randn(16), T), refused(ValueError, "x"))
case("straightness: steps=0", lambda: metrics.straightness(swirl, X, steps=0), refused(ValueError, "steps"))
case("straightness: a 1D x0", lambda: metrics.straightness(swirl, torch.randn(16)), refused(ValueError, "x0"))
case("straightness: NaN x0", lambda: metrics.straightness(swirl, nan_points()), refused(ValueError, "x0", "NaN"))

# --- mixtures -------------------------------------------------------------------

NAN, INF = float("nan"), float("inf")
for argument, weights, means, stds in [
    ("weights", [0.5, NAN], [0, 1], [1, 1]),
    ("weights", [INF, 0.5], [0, 1], [1, 1]),
    ("means", [0.5, 0.5], [NAN, 1], [1, 1]),
    ("means", [0.5, 0.5], [0, INF], [1, 1]),
    ("stds", [0.5, 0.5], [0, 1], [1, INF]),
    ("stds", [0.5, 0.5], [0, 1], [NAN, 1]),
    ("weights", [0.5, 0.6], [0, 1], [1, 1]),
    ("stds", [0.5, 0.5], [0, 1], [1, 0]),
    ("means", [0.5, 0.5], [0, 1, 2], [1, 1]),
    ("weights", [[0.5], [0.5]], [0, 1], [1, 1]),
    ("means", [0.5, 0.5], torch.zeros(2, 1, 1), [1, 1]),
    ("stds", [0.5, 0.5], [0, 1], [[1], [1]]),
    ("weights", [], [], []),
]:
    case(
        f"GaussianMixture: {argument} {weights!r} {means!r} {stds!r}",
        lambda w=weights, m=means, s=stds: GaussianMixture(w, m, s),
        refused(ValueError, argument),
    )
case(
    "GaussianMixture: weights as words", lambda: GaussianMixture(["a", "b"], [0, 1], [1, 1]), refused(Number, "weights")
)
for bad in [0, 2.5, "5"]:
    case(f"mixture.sample: n={bad!r}", lambda bad=bad: MIXTURE.sample(bad), refused(Number, "n"))
case(
    "mixture.sample: n=np.int64(5)",
    lambda: MIXTURE.sample(np.int64(5), seed=0),
    accepted(lambda x: same(x, MIXTURE.sample(5, seed=0))),
)
case("mixture.sample: seed a word", lambda: MIXTURE.sample(5, seed="a"), refused(Number, "seed"))
case("mixture.pdf: 2D points for a 1D mixture", lambda: MIXTURE.pdf(torch.randn(5, 2)), refused(ValueError, "x"))
case("mixture.pdf: NaN", lambda: MIXTURE.pdf(torch.tensor([0.0, NAN])), refused(ValueError, "x", "NaN"))
case(
    "mixture.pdf: a list",
    lambda: MIXTURE.pdf([0.0, 1.0]),
    accepted(lambda p: close(p, MIXTURE.pdf(torch.tensor([0.0, 1.0])))),
)
case(
    "mixture.pdf: integer points",
    lambda: MIXTURE.pdf(torch.tensor([-1, 0, 2])),
    accepted(lambda p: close(p, MIXTURE.pdf(torch.tensor([-1.0, 0.0, 2.0])))),
)
POINTS = torch.tensor([[-2.0], [0.0], [2.0]])
case(
    "exact_velocity: integer points",
    lambda: exact_velocity(MIXTURE, torch.tensor([[-2], [0], [2]]), 0.5),
    accepted(lambda v: close(v, exact_velocity(MIXTURE, POINTS, 0.5))),
)
case("exact_velocity: 2D points for a 1D mixture", lambda: exact_velocity(MIXTURE, X, 0.5), refused(ValueError, "x"))
case(
    "exact_velocity: t of shape (8, 2) for 16 points",
    lambda: exact_velocity(MIXTURE, torch.randn(16, 1), torch.rand(8, 2)),
    refused(ValueError, "t"),
)
case(
    "exact_velocity: t of 5 values for 3 points",
    lambda: exact_velocity(MIXTURE, POINTS, torch.rand(5, 1)),
    refused(ValueError, "t"),
)
case(
    "exact_velocity: NaN x",
    lambda: exact_velocity(MIXTURE, torch.tensor([[NAN]]), 0.5),
    refused(ValueError, "x", "NaN"),
)
case("exact_velocity: t a word", lambda: exact_velocity(MIXTURE, POINTS, "a"), refused(Number, "t"))
case("exact_velocity: mixture a word", lambda: exact_velocity("mixture", POINTS, 0.5), refused(TypeError, "mixture"))
case(
    "exact_velocity: t a numpy number",
    lambda: exact_velocity(MIXTURE, POINTS, np.float64(0.5)),
    accepted(lambda v: same(v, exact_velocity(MIXTURE, POINTS, 0.5))),
)
case(
    "exact_velocity: float64 points stay float64",
    lambda: exact_velocity(MIXTURE, POINTS.double(), 0.5),
    accepted(lambda v: v.dtype == torch.float64),
)
case(
    "exact_velocity: 2D mixture, 3D points",
    lambda: exact_velocity(GaussianMixture([1.0], [[0.0, 0.0]], [1.0]), torch.randn(4, 3), 0.5),
    refused(ValueError, "x"),
)

# --- grids ----------------------------------------------------------------------

for bad in [(3, -3), (1, 1), 3]:
    case(
        f"field_on_grid: x_range={bad!r}",
        lambda bad=bad: grids.field_on_grid(MIXTURE.velocity, bad),
        refused(Number, "x_range"),
    )
for argument in ["n_t", "n_x"]:
    case(
        f"field_on_grid: {argument}=0",
        lambda argument=argument: grids.field_on_grid(MIXTURE.velocity, (-3, 3), **{argument: 0}),
        refused(ValueError, argument),
    )
case(
    "field_on_grid: numpy sizes",
    lambda: grids.field_on_grid(MIXTURE.velocity, (-3, 3), n_t=np.int64(5), n_x=np.int64(7)),
    accepted(lambda g: g.shape == (5, 7)),
)
case("field_on_grid: a 2D model", lambda: grids.field_on_grid(net(), (-3, 3), 5, 7), refused(ValueError, "dim"))
case(
    "histogram_over_time: 1D paths",
    lambda: grids.histogram_over_time(torch.randn(100), (-3, 3)),
    refused(ValueError, "paths"),
)
case(
    "histogram_over_time: bins=0",
    lambda: grids.histogram_over_time(torch.randn(3, 100), (-3, 3), bins=0),
    refused(ValueError, "bins"),
)
case(
    "histogram_over_time: x_range reversed",
    lambda: grids.histogram_over_time(torch.randn(3, 100), (3, -3)),
    refused(ValueError, "x_range"),
)
case(
    "histogram_over_time: NaN paths",
    lambda: grids.histogram_over_time(nan_points(16, 3).T, (-3, 3)),
    refused(ValueError, "paths", "NaN"),
)
case(
    "histogram_over_time: numpy paths",
    lambda: grids.histogram_over_time(np.zeros((3, 10)), (-3, 3), bins=6),
    accepted(lambda h: h.shape == (3, 6)),
)

# --- recipes --------------------------------------------------------------------

for argument, bad in [("steps", 0), ("batch_size", 2.5), ("lr", -1.0), ("lr", "fast"), ("width", 0), ("depth", -1)]:
    case(
        f"Recipe: {argument}={bad!r}",
        lambda argument=argument, bad=bad: recipes.Recipe(**{argument: bad}),
        refused(Number, argument),
    )
case(
    "Recipe: numpy steps",
    lambda: recipes.Recipe(steps=np.int64(5)).train_settings(),
    accepted(lambda s: s["steps"] == 5 and type(s["steps"]) is int),
)
for argument, bad in [("pool", 0), ("teacher_steps", 0), ("time_warp", 3.0)]:
    case(
        f"ReflowRecipe: {argument}={bad!r}",
        lambda argument=argument, bad=bad: recipes.ReflowRecipe(recipes.BOOK_2D, **{argument: bad}),
        refused(ValueError, argument),
    )

# --- the model cache --------------------------------------------------------------


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path))


TINY = dict(steps=2, batch_size=16, width=8, depth=1, progress=False)
case(
    "trained_model: seed=None",
    lambda: fmlib.trained_model("gaussian", "moons", seed=None, **TINY),
    refused(Number, "seed"),
)
case(
    "trained_model: seed a word",
    lambda: fmlib.trained_model("gaussian", "moons", seed="a", **TINY),
    refused(Number, "seed"),
)
case(
    "trained_model: recipe by name",
    lambda: fmlib.trained_model("gaussian", "moons", "LONG_SPIRAL", **TINY),
    refused(TypeError, "recipe"),
)
case(
    "trained_model: an unknown setting",
    lambda: fmlib.trained_model("gaussian", "moons", speed=3, **TINY),
    refused(TypeError, "speed"),
)
case(
    "trained_model: unknown target",
    lambda: fmlib.trained_model("gaussian", "spirl", **TINY),
    refused(ValueError, "spirl", "spiral"),
)
case(
    "trained_model: numpy steps",
    lambda: fmlib.trained_model("gaussian", "moons", **{**TINY, "steps": np.int64(2)}),
    accepted(lambda m: isinstance(m, fmlib.VelocityNet)),
)
case(
    "trained_model: steps=0",
    lambda: fmlib.trained_model("gaussian", "moons", **{**TINY, "steps": 0}),
    refused(ValueError, "steps"),
)

# --- figures --------------------------------------------------------------------

case("gallery: one pair", lambda: viz.gallery([("a", X, Y)]), accepted(figure_made))
case("gallery: no pairs", lambda: viz.gallery([]), refused(ValueError, "pairs"))
case(
    "flow_sequence: one panel",
    lambda: viz.flow_sequence(trajectory().trajectory, trajectory().times, panels=1),
    accepted(figure_made),
)
case(
    "flow_sequence: no panels",
    lambda: viz.flow_sequence(trajectory().trajectory, trajectory().times, panels=0),
    refused(ValueError, "panels"),
)
case("flow_sequence: a 2D trajectory", lambda: viz.flow_sequence(X, torch.rand(16)), refused(ValueError, "trajectory"))
case(
    "flow_sequence: times of another length",
    lambda: viz.flow_sequence(trajectory().trajectory, torch.rand(3)),
    refused(ValueError, "times"),
)
for label, points in [("empty", torch.empty(0, 2)), ("1D", torch.randn(10)), ("(n, 3)", torch.randn(10, 3))]:
    case(f"cloud: {label} points", lambda p=points: viz.cloud(axes(), p, viz.SOURCE), refused(ValueError, "points"))
case("cloud: NaN points", lambda: viz.cloud(axes(), nan_points(), viz.SOURCE), refused(ValueError, "points", "NaN"))
case(
    "cloud: all NaN",
    lambda: viz.cloud(axes(), torch.full((4, 2), NAN), viz.SOURCE),
    refused(ValueError, "points", "NaN"),
)
case("cloud: numpy points", lambda: viz.cloud(axes(), X.numpy(), viz.SOURCE), accepted(figure_made))
case("cloud: float64 points", lambda: viz.cloud(axes(), X.double(), viz.SOURCE), accepted(figure_made))
case("cloud: a list", lambda: viz.cloud(axes(), [[0.0, 1.0], [1.0, 0.5]], viz.SOURCE), accepted(figure_made))
case(
    "labelled_cloud: labels of another length",
    lambda: viz.labelled_cloud(axes(), X, torch.zeros(5, dtype=torch.long)),
    refused(ValueError, "labels"),
)
case(
    "labelled_cloud: fractional labels",
    lambda: viz.labelled_cloud(axes(), X, torch.rand(16)),
    refused(ValueError, "labels"),
)
case("labelled_clouds: none", lambda: viz.labelled_clouds({}, "nothing"), refused(ValueError, "clouds"))
case(
    "source_and_target: empty source",
    lambda: viz.source_and_target(torch.empty(0, 2), Y),
    refused(ValueError, "source"),
)
case(
    "source_and_target: NaN target",
    lambda: viz.source_and_target(X, nan_points()),
    refused(ValueError, "target", "NaN"),
)
case("trajectories: a 2D trajectory", lambda: viz.trajectories(axes(), X), refused(ValueError, "trajectory"))
case(
    "trajectories: NaN",
    lambda: viz.trajectories(axes(), torch.full((3, 4, 2), NAN)),
    refused(ValueError, "trajectory", "NaN"),
)
case("pairing_lines: dims differ", lambda: viz.pairing_lines(axes(), X, torch.randn(16, 3)), refused(ValueError, "x1"))
case("pairing_lines: 1D x0", lambda: viz.pairing_lines(axes(), torch.randn(16), Y), refused(ValueError, "x0"))
case(
    "vector_field: velocity of the wrong shape",
    lambda: viz.vector_field(axes(), lambda x, t: x[:, :1]),
    refused(ValueError, "velocity"),
)
for bad in [0, -1]:
    case(
        f"vector_field: lim={bad}", lambda bad=bad: viz.vector_field(axes(), swirl, lim=bad), refused(ValueError, "lim")
    )
case("vector_field: grid=1", lambda: viz.vector_field(axes(), swirl, grid=1), refused(ValueError, "grid"))
case("vector_field: density=0", lambda: viz.vector_field(axes(), swirl, density=0), refused(ValueError, "density"))
case("vector_field: a 1D model", lambda: viz.vector_field(axes(), net(dim=1)), refused(ValueError, "dim"))
case("walk: 1D positions", lambda: viz.walk(axes(), torch.randn(4), torch.rand(4)), refused(ValueError, "positions"))
case(
    "walk: times of another length",
    lambda: viz.walk(axes(), torch.randn(4, 2), torch.rand(3)),
    refused(ValueError, "times"),
)
case(
    "paths_1d: lengths differ",
    lambda: viz.paths_1d(axes(), torch.rand(5), torch.randn(4, 3)),
    refused(ValueError, "paths"),
)
case(
    "histogram: no samples",
    lambda: viz.histogram(axes(), torch.empty(0), torch.rand(3), torch.rand(3)),
    refused(ValueError, "samples"),
)
case(
    "histogram: NaN samples",
    lambda: viz.histogram(axes(), torch.tensor([NAN, 1.0]), torch.rand(3), torch.rand(3)),
    refused(ValueError, "samples", "NaN"),
)
case("tx_heatmap: 1D values", lambda: viz.tx_heatmap(axes(), torch.rand(10), (-3, 3)), refused(ValueError, "values"))
case(
    "tx_heatmap: x_range reversed",
    lambda: viz.tx_heatmap(axes(), torch.rand(4, 10), (3, -3)),
    refused(ValueError, "x_range"),
)
case(
    "velocity_heatmap: x_range reversed",
    lambda: viz.velocity_heatmap(axes(), MIXTURE.velocity, (3, -3)),
    refused(ValueError, "x_range"),
)
case(
    "with_side_densities: x_range reversed",
    lambda: viz.with_side_densities((3, -3), MIXTURE.pdf, MIXTURE.pdf),
    refused(ValueError, "x_range"),
)
case("loss_curve: window=0", lambda: viz.loss_curve(axes(), [1.0, 0.5], window=0), refused(ValueError, "window"))
case("loss_curve: a short run", lambda: viz.loss_curve(axes(), [1.0, 0.5]), accepted(figure_made))
case(
    "four_panels: empty generated",
    lambda: viz.four_panels(X, torch.empty(0, 2), Y, trajectory(n=16).trajectory),
    refused(ValueError, "generated"),
)
case("panel_grid: count=0", lambda: viz.panel_grid(0), refused(ValueError, "count"))
case("panel_grid: columns=0", lambda: viz.panel_grid(3, columns=0), refused(ValueError, "columns"))
case("panel_grid: numpy count", lambda: viz.panel_grid(np.int64(3))[1], accepted(lambda a: len(a) == 3))
case("animate_clouds: none", lambda: viz.animate_clouds([], torch.rand(3)), refused(ValueError, "trajectories"))
case(
    "animate_clouds: times of another length",
    lambda: viz.animate_clouds(trajectory().trajectory, torch.rand(3)),
    refused(ValueError, "times"),
)
case(
    "animate_clouds: a 2D trajectory", lambda: viz.animate_clouds(X, torch.rand(16)), refused(ValueError, "trajectory")
)
case(
    "animate_clouds: titles of another count",
    lambda: viz.animate_clouds(trajectory().trajectory, trajectory().times, titles=["a", "b"]),
    refused(ValueError, "titles"),
)
case(
    "animate_1d_path: path and times differ",
    lambda: viz.animate_1d_path(MIXTURE.velocity, torch.rand(5), torch.rand(4)),
    refused(ValueError, "path"),
)
case(
    "curve_ride: a solution without its trajectory",
    lambda: viz.curve_ride(
        axes(), fmlib.integrate(parabola.velocity, torch.tensor([parabola.START]), 4), parabola.height
    ),
    refused(ValueError, "trajectory"),
)
case("curve_rides: none", lambda: viz.curve_rides({}, parabola.height, "nothing"), refused(ValueError, "rides"))
case("warp_grid: s=2", lambda: viz.warp_grid(axes(), 2, 10), refused(ValueError, "s"))
case("warp_grid: steps=0", lambda: viz.warp_grid(axes(), 0.5, 0), refused(ValueError, "steps"))
case("budget_axis: a zero budget", lambda: viz.budget_axis(axes(), [0, 10]), refused(ValueError, "budgets"))
case(
    "animate_fields: titles of another count",
    lambda: viz.animate_fields([swirl, swirl], ["a"]),
    refused(ValueError, "titles"),
)
case("animate_fields: no fields", lambda: viz.animate_fields([], []), refused(ValueError, "velocities"))
case("animate_fields: frames=0", lambda: viz.animate_fields([swirl], ["a"], frames=0), refused(ValueError, "frames"))
case("time_colour: t=2", lambda: viz.time_colour(2.0), refused(ValueError, "t"))

# --- widgets --------------------------------------------------------------------

case("MorphPanel: unknown source", lambda: widgets.MorphPanel(source="spirl"), refused(ValueError, "source", "spiral"))
case("MorphPanel: unknown target", lambda: widgets.MorphPanel(target="hart"), refused(ValueError, "target", "heart"))
case(
    "MorphPanel: values below the sliders",
    lambda: widgets.MorphPanel(points=100, steps=50),
    accepted(lambda p: (p.values()["points"], p.values()["steps"], p.progress.max) == (100, 50, 50)),
)
case(
    "MorphPanel: values above the sliders",
    lambda: widgets.MorphPanel(points=20_000, steps=30_000),
    accepted(lambda p: (p.values()["points"], p.values()["steps"]) == (20_000, 30_000)),
)
for argument in ["points", "steps"]:
    case(
        f"MorphPanel: {argument}=0",
        lambda argument=argument: widgets.MorphPanel(**{argument: 0}),
        refused(ValueError, argument),
    )
WIDE = GaussianMixture([0.99, 0.01], [-4.0, 4.0], [2.0, 0.05])
case(
    "mixture_explorer: a mixture outside the sliders",
    lambda: widgets.mixture_explorer(WIDE).values(),
    accepted(lambda v: [v["weight"], v["mean1"], v["mean2"], v["std1"], v["std2"]] == [0.99, -4.0, 4.0, 2.0, 0.05]),
)
for label, mixture in [
    ("three components", GaussianMixture([0.2, 0.3, 0.5], [-1, 0, 1], [0.5, 0.5, 0.5])),
    ("one component", GaussianMixture([1.0], [0.0], [1.0])),
    ("a 2D mixture", GaussianMixture([0.5, 0.5], [[0, 0], [1, 1]], [1, 1])),
]:
    case(f"mixture_explorer: {label}", lambda m=mixture: widgets.mixture_explorer(m), refused(ValueError, "mixture"))
case(
    "mixture_explorer: a 2D learned model",
    lambda: widgets.mixture_explorer(MIXTURE, learned=net(dim=2)),
    refused(ValueError, "learned", "dim"),
)
case(
    "mixture_explorer: x_range reversed",
    lambda: widgets.mixture_explorer(MIXTURE, x_range=(3, -3)),
    refused(ValueError, "x_range"),
)
case("mixture_explorer: paths=0", lambda: widgets.mixture_explorer(MIXTURE, paths=0), refused(ValueError, "paths"))
case("Panel: draw gives no figure", lambda: widgets.Panel({}, draw_nothing), refused(TypeError, "draw", "Figure"))
case(
    "Panel: a control that is no widget", lambda: widgets.Panel({"a": 5}, draw_nothing), refused(TypeError, "controls")
)


@pytest.mark.parametrize("call, expect", CASES)
def test_bad_input_gets_a_clear_answer(call, expect):
    found, detail = outcome(call, expect)
    wanted = ACCEPTED if expect.error is None else CLEAR
    assert found == wanted, f"{found}: {detail}"


def test_the_probe_can_tell_the_classes_apart():
    def boom():
        raise ValueError("steps must be positive")

    assert outcome(boom, refused(ValueError, "steps"))[0] == CLEAR
    assert outcome(boom, refused(ValueError, "lr"))[0] == OBSCURE
    assert outcome(boom, refused(TypeError, "steps"))[0] == OBSCURE
    assert outcome(boom, accepted())[0] == REJECTED
    assert outcome(lambda: 1.0, refused(ValueError, "steps"))[0] == SILENT
    assert outcome(lambda: torch.tensor([NAN]), refused(ValueError, "x"))[0] == NAN_THROUGH
    assert outcome(lambda: 1.0, accepted(lambda r: r == 2.0))[0] == SILENT
    assert outcome(lambda: 1.0, accepted(lambda r: r == 1.0))[0] == ACCEPTED
    assert not _names_every_word("the steps must be positive", ["step"])  # a whole word only


if __name__ == "__main__":
    import os
    import sys
    import tempfile

    os.environ["FMLIB_CACHE"] = tempfile.mkdtemp()
    tally, details = Counter(), []
    for param in CASES:
        found, detail = outcome(*param.values)
        tally[found] += 1
        if found not in (CLEAR, ACCEPTED) or "-v" in sys.argv:
            details.append(f"{found:20s} {param.id}: {detail[:150]}")
    print("\n".join(details))
    print(f"{len(CASES)} calls:", ", ".join(f"{name} {count}" for name, count in tally.most_common()))
