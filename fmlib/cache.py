"""Trained models kept on disk, so that a later chapter reuses what an earlier one trained.

    >>> model = trained_model("gaussian", "spiral", fmlib.recipes.LONG_SPIRAL)

The first call trains (with a progress bar) and saves the weights; every later
call with the same settings, in any notebook, loads them in a fraction of a
second. The key is every setting, the device type, and the source code of the
modules that shape a trained model (`SHAPING`), so a change to any of them
trains afresh instead of loading a stale model. The folder is $FMLIB_CACHE, or
~/.cache/fmlib.

Nothing is lost to a damaged cache: each entry has its checksum beside it, and
an entry that fails it (changed bytes, a cut-short or empty file) is trained
again and saved over, with a warning that names the file. A folder that cannot
be written is found before training; the model is trained and returned all the
same, with a warning, only not kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import io
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Callable, Optional

import torch
from torch import nn

from . import checks, couplings, devices, models, paths, recipes, schedules, shapes, solvers, training, warp
from .devices import default_device, device_of
from .recipes import BOOK_2D, Recipe
from .shapes import as_sampler

SHAPING = (models, training, paths, schedules, couplings, shapes, solvers, warp, recipes, devices, checks)
"""The network, the loss and the training loop, and every fmlib module they use (this one builds the network).

Not the modules that only show training (`progress`, and `notebook` beneath it):
a change to how a progress bar is drawn trains no model again."""

COUPLINGS = {"independent": couplings.independent, "minibatch_ot": couplings.minibatch_ot}
"""The couplings `trained_model` can train with, by name (a cached model is known by plain settings)."""

_TRAIN_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(training.train).parameters.items()
    if name not in ("model", "source", "target", "seed", "progress")
}


def cache_dir() -> Path:
    """$FMLIB_CACHE (a leading ~ is your home folder) when it is set and not empty, else ~/.cache/fmlib."""
    folder = os.environ.get("FMLIB_CACHE", "").strip()
    return Path(folder).expanduser() if folder else Path.home() / ".cache" / "fmlib"


def trained_model(
    source: str,
    target: str,
    recipe: Recipe = BOOK_2D,
    seed: int = 0,
    progress: bool = True,
    coupling: str = "independent",
    **changes,
) -> models.VelocityNet:
    """A `VelocityNet(dim, recipe.width, recipe.depth)` trained by `fmlib.train` with `recipe`'s settings.

    `source` and `target` are shape names; `recipe` is one of `fmlib.recipes`
    (the default is `fmlib.train`'s own settings). `changes` override the
    recipe's fields (steps=10_000, width=32, ...) or add other keyword arguments
    of `fmlib.train` with plain values (numbers, strings, booleans). `coupling`
    names how pairs are drawn: "independent" (flow matching's random pairs) or
    "minibatch_ot" (`couplings.minibatch_ot`, each fresh batch paired optimally).
    The same `seed` gives the same model as a direct call after
    `torch.manual_seed(seed)`. Returns the model in evaluation mode on
    `fmlib.default_device()`.
    """
    if coupling not in COUPLINGS:
        raise ValueError(f"coupling must be one of {', '.join(map(repr, COUPLINGS))}; got {coupling!r}")
    recipe, settings, seed = recipe_and_settings(recipe, seed, changes)
    as_sampler(target, "target")  # an unknown shape fails now, before any training
    dim = as_sampler(source, "source")(1).shape[1]
    if coupling == "independent":
        path, data = model_path(source, target, recipe, seed, settings), dict(source=source, target=target)
    else:
        path = model_path(source, target, recipe, seed, {**settings, "coupling": coupling})
        data = dict(pairs=COUPLINGS[coupling](source, target))
    return kept_model(path, recipe, seed, settings, data, dim, progress=progress)


def recipe_and_settings(recipe: Recipe, seed: int, changes: dict) -> tuple[Recipe, dict, int]:
    """`recipe` with the `changes` to its fields, the keyword arguments of `fmlib.train` it gives, and `seed`.

    All three checked: `changes` may name a field of the recipe or a keyword of
    `fmlib.train` with a plain value (a cached model is known by its settings).
    """
    if not isinstance(recipe, Recipe):
        raise TypeError(f"recipe must be a Recipe, such as fmlib.recipes.LONG_SPIRAL; got {recipe!r}")
    if seed is None:
        raise TypeError("seed must be a whole number such as 0: the cache keeps one model per seed")
    seed = checks.seed(seed)
    fields = {field.name for field in dataclasses.fields(Recipe)}
    for name in changes:
        if name not in fields and name not in _TRAIN_DEFAULTS:
            raise TypeError(
                f"trained_model has no setting {name!r}; change a field of the recipe ({', '.join(sorted(fields))}) "
                f"or give a keyword of fmlib.train ({', '.join(sorted(_TRAIN_DEFAULTS))})"
            )
    recipe = dataclasses.replace(recipe, **{name: value for name, value in changes.items() if name in fields})
    settings = {
        **recipe.train_settings(),
        **{name: _plain(name, value) for name, value in changes.items() if name not in fields},
    }
    return recipe, settings, seed


def model_path(source: str, target: str, recipe: Recipe, seed: int, settings: dict, modules: tuple = ()) -> Path:
    """Where the cache keeps the model trained from `source` to `target` with these settings on this device.

    The key also covers the source code of `modules`, besides SHAPING's (such as
    the module that prepares a data set that is not one of `fmlib.shapes`).
    """
    key = _key(source, target, recipe.width, recipe.depth, seed, settings, default_device(), modules)
    return cache_dir() / f"{source}-to-{target}-{key}.pt"


def kept_model(
    path: Path,
    recipe: Recipe,
    seed: int,
    settings: dict,
    data: dict,
    dim: int,
    classes: Optional[int] = None,
    progress: bool = True,
) -> models.VelocityNet:
    """A `VelocityNet(dim, recipe.width, recipe.depth, classes)` with the weights kept at `path`.

    If there are none, it is trained by `fmlib.train(model, **data, seed=seed,
    **settings)`, `data` being its source and target or its pairs, and kept
    there (`kept`).
    """

    def build():
        return models.VelocityNet(dim, recipe.width, recipe.depth, classes)

    def fit(model):
        training.train(model, **data, seed=seed, progress=progress, **settings)

    return kept(path, build, fit, seed, progress)


def kept(
    path: Path, build: Callable[[], nn.Module], fit: Callable[[nn.Module], object], seed: int, progress: bool = True
):
    """The network `build()` makes, with the weights kept at `path`; if there are none, `fit(model)` trains it.

    The network is built after `torch.manual_seed(seed)` (the same initial
    weights as a direct call after it) and moved to `fmlib.default_device()`;
    after training its weights are kept at `path`. Returns it in evaluation mode.
    A damaged entry is trained again, and a folder that cannot be written trains
    all the same, each with a warning.
    """
    torch.manual_seed(seed)  # the same initial weights as a direct call after torch.manual_seed(seed)
    model = build().to(default_device())
    state = _read(path, device_of(model))
    if state is not None:
        model.load_state_dict(state)
        if progress:
            print("loaded from the cache: trained earlier with these settings")
        return model.eval()
    unwritable = _unwritable(path.parent)
    if unwritable:
        warnings.warn(
            f"the model cache folder {path.parent} cannot be written ({unwritable}): training anyway, but the "
            "model will not be kept for next time; set the FMLIB_CACHE environment variable to a folder you can "
            "write to",
            stacklevel=4,
        )
    fit(model)
    if not unwritable:
        try:
            _save(model.state_dict(), path)
        except OSError as error:
            warnings.warn(
                f"the trained model could not be saved to {path} ({error}); it is returned all the same", stacklevel=4
            )
    return model.eval()


def _plain(name, value):
    """A keyword of fmlib.train as a plain value of the type of its default, so equal settings give one key."""
    default = _TRAIN_DEFAULTS[name]
    if isinstance(default, bool):
        if value not in (True, False):
            raise TypeError(f"{name} must be True or False, got {value!r}")
        return bool(value)
    if isinstance(default, int):
        return checks.whole_number(value, name, minimum=None)
    if isinstance(default, float):
        return checks.real_number(value, name)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(
        f"trained_model can only cache plain settings; {name}={value!r} is not one (call fmlib.train directly)"
    )


def _key(source, target, width, depth, seed, settings, device, modules=()):
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
        code=[inspect.getsource(module) for module in (*SHAPING, sys.modules[__name__], *modules)],
    )
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]


def _checksum_path(path):
    return path.with_suffix(".sha256")


def _read(path, device) -> Optional[dict]:
    """The weights kept at `path`, or None: when there are none, or they fail their checksum (with a warning)."""
    if not path.exists():
        return None
    try:
        data = path.read_bytes()
        checksum = _checksum_path(path)
        if not checksum.exists():
            raise ValueError("its checksum file is missing")
        if hashlib.sha256(data).hexdigest() != checksum.read_text().strip():
            raise ValueError("its bytes do not match their checksum: the file is cut short or changed")
        return torch.load(io.BytesIO(data), map_location=device, weights_only=True)
    except Exception as error:  # whatever is wrong with the file, the remedy is the same: train again
        warnings.warn(
            f"the cached model {path} is damaged ({error}); training it again and saving over it", stacklevel=4
        )
        return None


def _unwritable(folder) -> Optional[str]:
    """None if files can be written in `folder` (made if missing), else what stops it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, suffix=".part")
        os.close(handle)
        os.unlink(name)
    except OSError as error:
        return error.strerror or str(error)
    return None


def _save(state, path):
    """Write the weights and their checksum, each through a temporary file: never a half-written file by its name."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    data = buffer.getvalue()
    for final, content in [(path, data), (_checksum_path(path), hashlib.sha256(data).hexdigest().encode())]:
        handle, partial = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.chmod(partial, 0o644)
            os.replace(partial, final)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
