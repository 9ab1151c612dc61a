import inspect
import sys
import types

import pytest
import torch

import fmlib
from fmlib import cache


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path))
    return tmp_path


def test_second_call_loads_the_same_weights_without_training(tmp_cache, monkeypatch):
    first = fmlib.trained_model("gaussian", "moons", steps=5, batch_size=64, progress=False)
    assert len(list(tmp_cache.glob("gaussian-to-moons-*.pt"))) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("trained again instead of loading from the cache")

    monkeypatch.setattr(cache.training, "train", refuse)
    second = fmlib.trained_model("gaussian", "moons", steps=5, batch_size=64, progress=False)
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)
    assert not second.training


def test_training_matches_a_direct_call_with_the_same_seed(tmp_cache):
    cached = fmlib.trained_model("gaussian", "moons", seed=3, steps=5, batch_size=64, progress=False)
    torch.manual_seed(3)
    direct = fmlib.VelocityNet(dim=2)
    fmlib.train(direct, "gaussian", "moons", seed=3, steps=5, batch_size=64, progress=False)
    x = torch.randn(10, 2)
    assert torch.allclose(cached(x, 0.3), direct(x, 0.3))


def test_different_settings_are_different_entries(tmp_cache):
    fmlib.trained_model("gaussian", "moons", steps=3, batch_size=32, progress=False)
    fmlib.trained_model("gaussian", "moons", steps=4, batch_size=32, progress=False)
    fmlib.trained_model("gaussian", "moons", steps=3, batch_size=32, width=16, progress=False)
    assert len(list(tmp_cache.glob("*.pt"))) == 3
    assert not list(tmp_cache.glob("*.part"))


def test_unkeyable_arguments_are_refused(tmp_cache):
    with pytest.raises(TypeError, match="shape names"):
        fmlib.trained_model(torch.randn(10, 2), "moons", steps=3)
    with pytest.raises(TypeError, match="time_sampler"):
        fmlib.trained_model("gaussian", "moons", steps=3, time_sampler=lambda n: torch.rand(n, 1))


def test_a_recipe_and_the_same_settings_spelled_out_are_one_entry(tmp_cache):
    tiny = fmlib.recipes.Recipe(steps=3, batch_size=32, width=16)
    fmlib.trained_model("gaussian", "moons", tiny, progress=False)
    fmlib.trained_model("gaussian", "moons", steps=3, batch_size=32, width=16, progress=False)
    fmlib.trained_model("gaussian", "moons", tiny, lr=1e-3, progress=False)  # a change to the recipe
    assert len(list(tmp_cache.glob("*.pt"))) == 2


def fmlib_modules_used_by(module, seen=None):
    """`module` and every fmlib module it imports, directly or through others."""
    seen = set() if seen is None else seen
    seen.add(module)
    for value in vars(module).values():
        name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        used = sys.modules.get(name) if isinstance(name, str) and name.startswith("fmlib.") else None
        if used is not None and used not in seen:
            fmlib_modules_used_by(used, seen)
    return seen


def test_the_key_covers_every_module_that_shapes_a_trained_model():
    # The network, the loss and the training loop, and all they use: couplings draws the pairs.
    shaping = fmlib_modules_used_by(fmlib.models) | fmlib_modules_used_by(fmlib.training)
    assert shaping <= set(cache.SHAPING)
    assert {fmlib.couplings, fmlib.paths, fmlib.shapes, fmlib.training, fmlib.models} <= set(cache.SHAPING)


@pytest.mark.parametrize("module", cache.SHAPING + (cache,), ids=lambda m: m.__name__)
def test_editing_any_shaping_module_changes_the_key(module, monkeypatch):
    def key():
        return cache._key("gaussian", "spiral", 64, 3, 0, {"steps": 10}, torch.device("cpu"))

    before = key()
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda m: real(m) + ("\n# edited" if m is module else ""))
    assert key() != before
