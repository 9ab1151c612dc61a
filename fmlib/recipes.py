"""Named training settings, in one place: the book's, and those of the tutorials it is measured against.

A `Recipe` is what `fmlib.train` needs besides the data (how many optimiser
iterations, the batch size, the learning rate and whether it decays) and the
size of the network. Chapters and benchmarks import these by name:

    >>> model = fmlib.trained_model("gaussian", "spiral", fmlib.recipes.LONG_SPIRAL)
    >>> fmlib.train(model, "gaussian", "spiral", **fmlib.recipes.LONG_SPIRAL.train_settings())
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from . import checks


@dataclass(frozen=True)
class Recipe:
    """Settings of one training run. `steps` counts optimiser iterations (not ODE steps)."""

    steps: int = 2000
    batch_size: int = 1024
    lr: float = 1e-2
    lr_decay: bool = True  # cosine decay of the learning rate from `lr` to 0
    width: int = 64  # the network: `depth` hidden layers of `width` units
    depth: int = 3

    def __post_init__(self):
        # Settings of any numeric kind become plain ints, floats and bools (so lr=1 and lr=1.0 are one recipe).
        for name in ("steps", "batch_size", "width", "depth"):
            object.__setattr__(self, name, checks.whole_number(getattr(self, name), name))
        object.__setattr__(self, "lr", checks.positive_number(self.lr, "lr"))
        if self.lr_decay not in (True, False):
            raise TypeError(f"lr_decay must be True or False, got {self.lr_decay!r}")
        object.__setattr__(self, "lr_decay", bool(self.lr_decay))

    def train_settings(self) -> dict:
        """The keyword arguments of `fmlib.train`: everything here but the network's size."""
        return dict(steps=self.steps, batch_size=self.batch_size, lr=self.lr, lr_decay=self.lr_decay)


@dataclass(frozen=True)
class ReflowRecipe:
    """Settings of a reflow: the student's training, and where its pairs come from.

    `pool` teacher pairs are drawn once (None: a fresh batch of pairs, integrated
    by the teacher, for every iteration), each by `teacher_steps` warped RK4 steps
    of the teacher. With `time_warp` = s the training times are `warp_time(U, s)`
    for uniform U instead of U itself. The student is a copy of its teacher, so
    `training`'s width and depth are the teacher's.
    """

    training: Recipe
    pool: Optional[int] = 50_000
    teacher_steps: int = 8
    time_warp: Optional[float] = None

    def __post_init__(self):
        if not isinstance(self.training, Recipe):
            raise TypeError(f"training must be a Recipe, got {self.training!r}")
        if self.pool is not None:
            object.__setattr__(self, "pool", checks.whole_number(self.pool, "pool"))
        object.__setattr__(self, "teacher_steps", checks.whole_number(self.teacher_steps, "teacher_steps"))
        if self.time_warp is not None:
            object.__setattr__(self, "time_warp", checks.warp_slope(self.time_warp, "time_warp"))


# The book's settings.
BOOK_2D = Recipe()
"""`fmlib.train`'s defaults: a 2D morph in a few seconds on a laptop CPU (chapter 4's first model)."""
LONG_SPIRAL = Recipe(steps=10_000, lr=5e-3)
"""Chapter 4's longer setting for the Gaussian-to-spiral model that chapters 5, 6, 7 and 10 reuse."""
BOOK_1D = Recipe(steps=6000, lr=3e-3)
"""Chapter 2's 1D mixture model."""
BOOK_REFLOW = ReflowRecipe(Recipe(steps=2000, lr=3e-3))
"""`fmlib.reflow`'s defaults: the teacher integrated once over a pool of pairs."""
MAX_LIKELIHOOD = Recipe(steps=240, batch_size=256)
"""Chapter 15's training by maximum likelihood (`fmlib.max_likelihood`): each iteration solves the ODE, so fewer
and smaller batches than flow matching's (about as many training seconds as 8000 of `BOOK_2D`'s iterations)."""
DISCRETE = Recipe(steps=3000, lr=3e-3, width=128)
"""Chapter 16's classifiers of tokens (`fmlib.discrete`): 3000 iterations of 1024 pairs, 3 hidden layers of 128."""
MANIFOLD = Recipe(steps=3000, batch_size=512, lr=3e-3, width=128)
"""Chapter 17's fields on the sphere and the torus (`fmlib.manifolds`): 3000 iterations of 512 pairs, 3 hidden layers
of 128."""
DIGITS = Recipe(steps=4000, batch_size=256, lr=2e-3, width=256)
"""Chapter 11's 8 x 8 digits (`fmlib.digits.trained_model`): 3 hidden layers of 256, under a minute on a laptop CPU."""

# The settings of the tutorials the book measures itself against.
ROELANTS_1D = Recipe(steps=10_000, batch_size=256, lr=1e-3, lr_decay=False, depth=2)
"""Roelants' *Flow Matching: A Visual Introduction*: 2 hidden layers of 64, Adam at 1e-3, batch 256."""
HAWLEY_2D = Recipe(steps=10_000, batch_size=2048, lr=3e-3, lr_decay=False)
"""Hawley's *Flow With What You Know*: 100 epochs of 100 steps, batch 2048, Adam at 3e-3, 3 hidden layers of 64."""
HAWLEY_REFLOW = ReflowRecipe(
    Recipe(steps=4000, batch_size=2048, lr=1e-3, lr_decay=False), pool=None, teacher_steps=20, time_warp=0.5
)
"""Hawley's reflow: 40 epochs of 100 steps, the teacher integrated afresh for every batch, warped times."""

CHAPTER_SECONDS = 60
"""How long one chapter may take to run, top to bottom, on a 2-core laptop CPU."""
