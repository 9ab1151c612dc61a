import inspect
import os
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import fmlib
from conftest import Cases, Number, accepted, refused
from fmlib import cache, notebook, progress


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


def test_a_minibatch_ot_model_matches_a_direct_call_and_is_its_own_entry(tmp_cache):
    cached = fmlib.trained_model(
        "gaussian", "moons", seed=3, steps=5, batch_size=64, progress=False, coupling="minibatch_ot"
    )
    torch.manual_seed(3)
    direct = fmlib.VelocityNet(dim=2)
    pairs = fmlib.couplings.minibatch_ot("gaussian", "moons")
    fmlib.train(direct, pairs=pairs, seed=3, steps=5, batch_size=64, progress=False)
    x = torch.randn(10, 2)
    assert torch.allclose(cached(x, 0.3), direct(x, 0.3))
    independent = fmlib.trained_model("gaussian", "moons", seed=3, steps=5, batch_size=64, progress=False)
    assert not torch.allclose(cached(x, 0.3), independent(x, 0.3))
    assert len(list(tmp_cache.glob("*.pt"))) == 2
    with pytest.raises(ValueError, match="minibatch_ot"):
        fmlib.trained_model("gaussian", "moons", coupling="ot")


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


DISPLAY = (notebook, progress)
"""The modules that only show training: they shape no model, so the key leaves them out."""


def test_the_key_covers_every_module_that_shapes_a_trained_model():
    # The network, the loss and the training loop, and all they use but what only shows it: couplings draws the pairs.
    shaping = fmlib_modules_used_by(fmlib.models) | fmlib_modules_used_by(fmlib.training)
    assert shaping - set(DISPLAY) <= set(cache.SHAPING)
    assert {fmlib.couplings, fmlib.paths, fmlib.schedules, fmlib.shapes, fmlib.training, fmlib.models} <= set(
        cache.SHAPING
    )
    assert not set(DISPLAY) & set(cache.SHAPING)


GETSOURCE = inspect.getsource


def key_with_an_edit_to(monkeypatch, *modules):
    """The cache key of one model, after a line is added to the source code of `modules` (as the key reads it)."""
    monkeypatch.setattr(inspect, "getsource", lambda m: GETSOURCE(m) + ("\n# edited" if m in modules else ""))
    return cache._key("gaussian", "spiral", 64, 3, 0, {"steps": 10}, torch.device("cpu"))


@pytest.mark.parametrize("module", cache.SHAPING + (cache,), ids=lambda m: m.__name__)
def test_editing_any_shaping_module_changes_the_key(module, monkeypatch):
    assert key_with_an_edit_to(monkeypatch, module) != key_with_an_edit_to(monkeypatch)


@pytest.mark.parametrize("module", DISPLAY, ids=lambda m: m.__name__)
def test_editing_a_module_that_only_shows_training_keeps_the_key(module, monkeypatch):
    unchanged = key_with_an_edit_to(monkeypatch)
    assert key_with_an_edit_to(monkeypatch, module) == unchanged
    assert key_with_an_edit_to(monkeypatch, module, fmlib.training) != unchanged


# --- a damaged cache loses nothing -------------------------------------------------

SMALL = dict(steps=5, batch_size=64, width=16, depth=2, progress=False)


def direct_training(seed=0):
    torch.manual_seed(seed)
    model = fmlib.VelocityNet(dim=2, width=16, depth=2)
    fmlib.train(model, "gaussian", "moons", seed=seed, steps=5, batch_size=64, progress=False)
    return model


def same_weights(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def flip_bytes(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(255 - b for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))


def cut_short(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def empty(path):
    path.write_bytes(b"")


def lose_the_checksum(path):
    path.with_suffix(".sha256").unlink()


@pytest.mark.parametrize("damage", [flip_bytes, cut_short, empty, lose_the_checksum])
def test_a_damaged_entry_is_trained_again_with_a_warning_that_names_it(tmp_cache, monkeypatch, damage):
    first = fmlib.trained_model("gaussian", "moons", **SMALL)
    (path,) = tmp_cache.glob("*.pt")
    damage(path)
    with pytest.warns(UserWarning, match="damaged") as caught:
        second = fmlib.trained_model("gaussian", "moons", **SMALL)
    assert str(path) in str(caught[0].message)
    assert same_weights(second, first) and same_weights(second, direct_training())
    # Saved over: the next call loads it, without training and without a warning.
    monkeypatch.setattr(cache.training, "train", lambda *args, **kwargs: pytest.fail("trained again"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert same_weights(fmlib.trained_model("gaussian", "moons", **SMALL), first)


def test_flipped_bytes_would_load_silently_as_another_model_without_the_checksum(tmp_cache):
    # What the checksum is for: torch reads the damaged file without complaint, and gets other weights.
    model = fmlib.trained_model("gaussian", "moons", **SMALL)
    (path,) = tmp_cache.glob("*.pt")
    flip_bytes(path)
    state = torch.load(path, weights_only=True)
    assert any(not torch.equal(state[name], value) for name, value in model.state_dict().items())


@pytest.fixture
def read_only(monkeypatch):
    """Make a folder read-only; as root, whom permissions do not stop, refuse to create files in it instead."""
    folders = []

    def make(folder):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o555)
        folders.append(folder)
        if os.geteuid() == 0:
            real_open = os.open

            def refuse(path, *args, **kwargs):
                if Path(path).parent == folder:
                    raise PermissionError(13, "Permission denied", str(path))
                return real_open(path, *args, **kwargs)

            monkeypatch.setattr(os, "open", refuse)
        return folder

    yield make
    for folder in folders:
        folder.chmod(0o755)


def train_counting_warnings(monkeypatch, warned):
    """Patch the training the cache calls so that it notes how many warnings came before it."""
    counts, real = [], cache.training.train

    def train(*args, **kwargs):
        counts.append(len(warned))
        return real(*args, **kwargs)

    monkeypatch.setattr(cache.training, "train", train)
    return counts


@pytest.mark.parametrize("where", ["read-only folder", "a file", "inside a file"])
def test_an_unwritable_cache_is_found_before_training_and_the_model_still_returned(
    tmp_path, monkeypatch, read_only, where
):
    if where == "read-only folder":
        folder = read_only(tmp_path / "models")
    else:
        (tmp_path / "notes.txt").write_text("not a folder")
        folder = tmp_path / "notes.txt" if where == "a file" else tmp_path / "notes.txt" / "models"
    monkeypatch.setenv("FMLIB_CACHE", str(folder))
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        counts = train_counting_warnings(monkeypatch, warned)
        model = fmlib.trained_model("gaussian", "moons", **SMALL)
    assert counts == [1], "the warning comes before the training, not after it"
    (warning,) = warned
    assert str(folder) in str(warning.message) and "cannot be written" in str(warning.message)
    assert "FMLIB_CACHE" in str(warning.message)
    assert same_weights(model, direct_training()) and not model.training
    if where == "read-only folder":
        assert list(folder.iterdir()) == []
    else:
        assert (tmp_path / "notes.txt").read_text() == "not a folder"


def test_a_shared_folder_that_its_reader_cannot_write_still_serves_its_models(tmp_path, monkeypatch, read_only):
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path / "class"))
    trained = fmlib.trained_model("gaussian", "moons", **SMALL)  # the instructor, who can write there
    read_only(tmp_path / "class")  # a student, who cannot
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        counts = train_counting_warnings(monkeypatch, warned)
        loaded = fmlib.trained_model("gaussian", "moons", **SMALL)
    assert counts == [] and warned == [], "loaded, neither trained nor warned about"
    assert same_weights(loaded, trained)


def test_an_empty_setting_means_the_usual_folder_and_a_tilde_means_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    for empty_setting in ["", "  "]:
        monkeypatch.setenv("FMLIB_CACHE", empty_setting)
        assert cache.cache_dir() == tmp_path / ".cache" / "fmlib"
    monkeypatch.setenv("FMLIB_CACHE", "~/models")
    assert cache.cache_dir() == tmp_path / "models"
    monkeypatch.delenv("FMLIB_CACHE")
    assert cache.cache_dir() == tmp_path / ".cache" / "fmlib"


def test_equal_settings_written_differently_are_one_entry(tmp_cache, monkeypatch):
    # 0 and 0.0, numpy's numbers, a setting given that equals the default: the same training, the same entry.
    first = fmlib.trained_model("gaussian", "moons", **{**SMALL, "label_dropout": 0})
    monkeypatch.setattr(cache.training, "train", lambda *args, **kwargs: pytest.fail("trained again"))
    for written in [
        dict(label_dropout=0.0),
        dict(label_dropout=np.float64(0)),
        dict(label_dropout=0, steps=np.int64(5), lr=np.float64(0.01)),
        dict(label_dropout=0, lr=1e-2, lr_decay=True),
    ]:
        again = fmlib.trained_model("gaussian", "moons", **{**SMALL, **written})
        assert same_weights(again, first), written
    assert len(list(tmp_cache.glob("*.pt"))) == 1


# --- bad input: trained_model (the probe is in conftest.py) ---------------------------

case = Cases()
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


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)
