import math

import pytest

from conftest import Cases, Number, accepted, refused
from fmlib.repeats import Repeats, repeat


def test_mean_sd_and_standard_error_have_their_closed_forms():
    r = repeat(lambda seed: [1.0, 2.0, 3.0, 6.0][seed], seeds=range(4))
    assert r.values == (1.0, 2.0, 3.0, 6.0) and r.seeds == (0, 1, 2, 3)
    assert r.mean == 3.0
    assert r.sd == pytest.approx(math.sqrt((4 + 1 + 0 + 9) / 3))  # n - 1 in the denominator
    assert r.standard_error == pytest.approx(r.sd / 2)


def test_format_shows_mean_sd_and_count():
    r = Repeats((0.5, 0.7), (0, 1))
    assert f"{r:.2f}" == "0.60 ± 0.14 (2 seeds)"
    assert str(r) == "0.600 ± 0.141 (2 seeds)"


def test_gap_unpaired_adds_standard_errors_in_quadrature():
    a, b = Repeats((1.0, 3.0), (0, 1)), Repeats((4.0, 6.0), (2, 3))
    # difference 3, each standard error sqrt(2) / sqrt(2) = 1
    assert a.gap(b) == pytest.approx(3 / math.sqrt(2))
    assert b.gap(a) == pytest.approx(-3 / math.sqrt(2))


def test_gap_paired_cancels_what_the_seed_does_to_both():
    # Each seed moves both measurements alike: unpaired, the difference hides in the spread; paired, it is clear.
    a = Repeats((1.0, 5.0, 9.0), (0, 1, 2))
    b = Repeats((1.5, 5.4, 9.6), (0, 1, 2))
    assert abs(Repeats(a.values, (3, 4, 5)).gap(b)) < 1
    differences = [0.5, 0.4, 0.6]
    assert a.gap(b) == pytest.approx(0.5 / (0.1 / math.sqrt(3)))
    assert Repeats(differences, (0, 1, 2)).sd == pytest.approx(0.1)
    # no noise at all: a difference is certain, no difference is none
    assert a.gap(Repeats(tuple(v + 1 for v in a.values), a.seeds)) == math.inf
    assert a.gap(a) == 0.0


case = Cases()
case("repeat: one seed", lambda: repeat(float, seeds=[0]), refused(ValueError, "two seeds"))
case("repeat: the same seed twice", lambda: repeat(float, seeds=[1, 1]), refused(ValueError, "differ"))
case("repeat: seed 0.5", lambda: repeat(float, seeds=[0, 0.5]), refused(ValueError, "seed"))
case("repeat: seed 'a'", lambda: repeat(float, seeds=[0, "a"]), refused(Number, "seed"))
case("repeat: a NaN value", lambda: repeat(lambda s: math.nan, seeds=[0, 1]), refused(ValueError, "finite"))
case("repeat: numpy-like values", lambda: repeat(lambda s: _Item(s), seeds=[0, 1]), accepted(lambda r: r.mean == 0.5))
case("gap: not Repeats", lambda: Repeats((1.0, 2.0), (0, 1)).gap(3.0), refused(TypeError, "Repeats"))


class _Item:
    """A 0-d tensor's stand-in: a value behind .item()."""

    def __init__(self, value):
        self.value = value

    def item(self):
        return float(self.value)


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
