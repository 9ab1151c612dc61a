"""Trained models kept on disk, so that a later chapter reuses what an earlier one trained.

    >>> model = trained_model("gaussian", "spiral", fmlib.recipes.LONG_SPIRAL)

The first call trains (with a progress bar) and saves the weights; every later
call with the same settings, in any notebook, loads them in a fraction of a
second. The key is every setting, the device type, and the source code of the
modules that shape a trained model (`SHAPING`), so a change to any of them
trains afresh instead of loading a stale model. The folder is $FMLIB_CACHE, or
~/.cache/fmlib.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import sys
from pathlib import Path

import torch

from . import couplings, devices, models, paths, recipes, shapes, solvers, training
from . import progress as progress_display
from .devices import default_device
from .recipes import BOOK_2D, Recipe
from .shapes import as_sampler

SHAPING = (models, training, paths, couplings, shapes, solvers, recipes, devices, progress_display)
"""The network, the loss and the training loop, and every fmlib module they use (this one builds the network)."""


def cache_dir() -> Path:
    """$FMLIB_CACHE, or ~/.cache/fmlib."""
    return Path(os.environ.get("FMLIB_CACHE", Path.home() / ".cache" / "fmlib"))


def trained_model(
    source: str, target: str, recipe: Recipe = BOOK_2D, seed: int = 0, progress: bool = True, **changes
) -> models.VelocityNet:
    """A `VelocityNet(dim, recipe.width, recipe.depth)` trained by `fmlib.train` with `recipe`'s settings.

    `source` and `target` are shape names; `recipe` is one of `fmlib.recipes`
    (the default is `fmlib.train`'s own settings). `changes` override the
    recipe's fields (steps=10_000, width=32, ...) or add other keyword arguments
    of `fmlib.train` with plain values (numbers, strings, booleans). The same
    `seed` gives the same model as a direct call after `torch.manual_seed(seed)`.
    Returns the model in evaluation mode on `fmlib.default_device()`.
    """
    fields = {field.name for field in dataclasses.fields(Recipe)}
    recipe = dataclasses.replace(recipe, **{name: value for name, value in changes.items() if name in fields})
    settings = {**recipe.train_settings(), **{name: value for name, value in changes.items() if name not in fields}}
    device = default_device()
    key = _key(source, target, recipe.width, recipe.depth, seed, settings, device)
    path = cache_dir() / f"{source}-to-{target}-{key}.pt"
    dim = as_sampler(source)(1).shape[1]
    torch.manual_seed(seed)  # the same initial weights as a direct call after torch.manual_seed(seed)
    model = models.VelocityNet(dim, recipe.width, recipe.depth).to(device)
    if path.exists():
        model.load_state_dict(torch.load(path, map_location=device, weights_only=True))
        if progress:
            print("loaded from the cache: trained earlier with these settings")
    else:
        training.train(model, source, target, seed=seed, progress=progress, **settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        torch.save(model.state_dict(), partial)
        os.replace(partial, path)  # never leave a half-written file under the final name
    return model.eval()


def _key(source, target, width, depth, seed, settings, device):
    if not (isinstance(source, str) and isinstance(target, str)):
        raise TypeError("trained_model caches models by their settings: give source and target as shape names")
    for name, value in settings.items():
        if not isinstance(value, (int, float, str, bool, type(None))):
            raise TypeError(
                f"trained_model can only cache plain settings; {name}={value!r} is not one (call fmlib.train directly)"
            )
    described = dict(
        source=source,
        target=target,
        width=width,
        depth=depth,
        seed=seed,
        settings=settings,
        device=device.type,
        torch=torch.__version__,
        code=[inspect.getsource(module) for module in (*SHAPING, sys.modules[__name__])],
    )
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]
