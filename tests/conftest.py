"""What the test modules share: fixtures and helpers (no test module imports another).

Bad input: each fmlib module's test file probes that module's answers to bad
input, as a careful student would. Every case is one call: a wrong name, count,
shape, dtype or range, NaN or inf, an empty input, a label out of range; or a
valid input of an unusual kind (an integer of numpy's, a 0-d tensor, float64 or
integer points) that must work. Each case says what it expects:

- `refused(error, *words)`: raises `error` whose message names the argument
  (every word in `words` appears in it, as a whole word, in any case);
- `accepted(check)`: returns, and `check(result)` holds.

`outcome` sorts what actually happened into the classes below; the `probe`
fixture passes only "clear error" and "accepted". A module gathers its cases
with `case = Cases()`, `case(name, call, expect)`, and runs them with

    @pytest.mark.parametrize("call, expect", case.params)
    def test_bad_input_gets_a_clear_answer(call, expect, probe):
        probe(call, expect)
"""

from __future__ import annotations

import math
import os
import pathlib
import re
import sys
import warnings
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import fmlib  # noqa: E402
from fmlib import couplings  # noqa: E402
from fmlib.mixtures import GaussianMixture  # noqa: E402


def without(reason):
    """Skip a test whose tool is missing, saying why; under CI (CI=true) fail instead, so a missing tool cannot pass."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true, but {reason}", pytrace=False)
    pytest.skip(reason)


# --- bad input: the probe ---------------------------------------------------------

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


def names_every_word(message, words):
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
        if isinstance(error, expect.error) and names_every_word(str(error), expect.words):
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


class Cases:
    """One test module's bad-input cases: `case(name, call, expect)` adds one; `case.params` to parametrize."""

    def __init__(self):
        self.params = []

    def __call__(self, name, call, expect):
        self.params.append(pytest.param(call, expect, id=name))


@pytest.fixture
def probe(tmp_path, monkeypatch):
    """Checks one case's outcome, with a model cache of its own (a case may train and keep a model)."""
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path))

    def check(call, expect):
        found, detail = outcome(call, expect)
        assert found == (ACCEPTED if expect.error is None else CLEAR), f"{found}: {detail}"

    return check


# --- bad input: what the calls use --------------------------------------------------

Number = (TypeError, ValueError)  # a value of the wrong kind may be either
NAN, INF = float("nan"), float("inf")
X = fmlib.sample("gaussian", 16, seed=0)
Y = fmlib.sample("moons", 16, seed=1)
MIXTURE = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])


def net(dim=2, classes=None, seed=0):
    torch.manual_seed(seed)
    return fmlib.VelocityNet(dim, width=8, depth=1, classes=classes)


def swirl(x, t):
    return torch.stack([-x[:, 1], x[:, 0]], dim=1)


def nan_points(n=16, dim=2):
    x = torch.randn(n, dim)
    x[3, 0] = NAN
    return x


def inf_points(n=16, dim=2):
    x = torch.randn(n, dim)
    x[5, 1] = INF
    return x


def same(a, b):
    return torch.equal(torch.as_tensor(a), torch.as_tensor(b))


def close(a, b, tol=1e-5):
    a, b = torch.as_tensor(a).double(), torch.as_tensor(b).double()
    return a.shape == b.shape and torch.allclose(a, b, atol=tol, rtol=tol)


def labelled(target="eight_gaussians"):
    return couplings.labelled("gaussian", target)


# --- the book: its scripts, and the words a reader never sees ----------------------

# The book's scripts (scripts/: the student edition and answer key, the setup cell) are
# imported by name: `import exercises`, `import sync_setup_cell`.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "scripts"))

# Planning words (DESIGN.md, "Words a reader sees"): "seed" for a source tutorial, "bar",
# "issue", "info", paths under benchmarks/, and machine paths.
PLANNING_WORDS = [
    r"\bseed(?:'s|s')?\s+(?:tutorials?|notebooks?|recipes?|hyperparameters|quality|reflow|view)\b",
    r"\bseed(?:'s|s')(?!\s*(?:=|\d))",
    r"\bseed \d{3}\b",
    r"\bissues?\b",
    r"\binfo\b",
    r"\bcommissioned\b",
    r"benchmarks/",
]
# "bar" in the sense of a target to meet; a progress or colour bar is fine.
BAR = re.compile(r"(\w+)?[\s-]*\bbars?\b", re.I)
ALLOWED_BARS = {"progress", "colour", "color", "error", "side", "tool", "scroll", "navigation", "nav"}
MACHINE_PATHS = [r"/root/", r"/home/\w", r"\.cache/fmlib", r"/tmp/", r"site-packages"]


def find_planning_words(text):
    """The planning words and machine paths found in `text`."""
    found = [m.group(0) for pattern in PLANNING_WORDS + MACHINE_PATHS for m in re.finditer(pattern, text, re.I)]
    found += [m.group(0) for m in BAR.finditer(text) if (m.group(1) or "").lower() not in ALLOWED_BARS]
    return found


@pytest.fixture
def planning_words():
    """`planning_words(text)`: the planning words and machine paths found in `text`."""
    return find_planning_words
