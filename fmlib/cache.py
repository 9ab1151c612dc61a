"""Trained models kept on disk, so that a later chapter reuses what an earlier one trained.

    >>> model = trained_model("gaussian", "spiral", steps=10_000, lr=5e-3)

The first call trains (with a progress bar) and saves the weights; every later
call with the same settings, in any notebook, loads them in a fraction of a
second. The key is every setting, the device type, and the source code of the
modules that shape training (models, paths, shapes, train), so a change to any
of them trains afresh instead of loading a stale model. The folder is
$FMLIB_CACHE, or ~/.cache/fmlib.
"""
import hashlib
import inspect
import json
import os
from pathlib import Path

import torch

from . import models, paths, shapes
from . import train as training
from .devices import default_device
from .shapes import as_sampler


def cache_dir():
    return Path(os.environ.get("FMLIB_CACHE", Path.home() / ".cache" / "fmlib"))


def trained_model(source, target, width=64, depth=3, seed=0, progress=True, **settings):
    """A `VelocityNet(dim, width, depth)` trained by `fmlib.train(model, source, target, seed=seed, **settings)`.

    `source` and `target` are shape names; `settings` are `fmlib.train`'s keyword
    arguments with plain values (numbers, strings, booleans). Returns the model in
    evaluation mode on `fmlib.default_device()`.
    """
    device = default_device()
    key = _key(source, target, width, depth, seed, settings, device)
    path = cache_dir() / f"{source}-to-{target}-{key}.pt"
    dim = as_sampler(source)(1).shape[1]
    torch.manual_seed(seed)  # the same initial weights as a direct call after torch.manual_seed(seed)
    model = models.VelocityNet(dim, width, depth).to(device)
    if path.exists():
        model.load_state_dict(torch.load(path, map_location=device, weights_only=True))
        if progress:
            print(f"loaded from the cache: {path}")
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
            raise TypeError(f"trained_model can only cache plain settings; {name}={value!r} is not one "
                            f"(call fmlib.train directly)")
    described = dict(source=source, target=target, width=width, depth=depth, seed=seed,
                     settings=settings, device=device.type, torch=torch.__version__,
                     code=[inspect.getsource(module) for module in (models, paths, shapes, training)])
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]
