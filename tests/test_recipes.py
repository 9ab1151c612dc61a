"""Named training settings refuse bad values with a clear error (the probe is in conftest.py)."""

import numpy as np
import pytest

from conftest import Cases, Number, accepted, refused
from fmlib import recipes

case = Cases()
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


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
