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
