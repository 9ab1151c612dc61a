"""The probe behind every module's bad-input cases must be able to fail.

Each fmlib module's test file lists its own bad-input cases (a wrong name,
count, shape, dtype or range, NaN or inf, an empty input; or a valid input of an
unusual kind that must work) and runs them through the `probe` fixture of
conftest.py, which passes only a clear error or an accepted call. This checks
that the probe tells the other outcomes apart.
"""

import torch

from conftest import (
    ACCEPTED,
    CLEAR,
    NAN,
    NAN_THROUGH,
    OBSCURE,
    REJECTED,
    SILENT,
    accepted,
    names_every_word,
    outcome,
    refused,
)


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
    assert not names_every_word("the steps must be positive", ["step"])  # a whole word only
