"""Where fields compute: the device of a model, of a field built around one, or where the points are.

No GPU is needed: torch's "meta" device stands in for a second device.
"""

import os
import subprocess
import sys

import pytest
import torch

import fmlib
from fmlib import devices, guidance
from fmlib.devices import device_of

META = torch.device("meta")


def test_a_model_computes_where_its_parameters_are():
    assert device_of(fmlib.VelocityNet(dim=2)) == torch.device("cpu")
    assert device_of(fmlib.VelocityNet(dim=2).to(META)) == META
    assert device_of(fmlib.VelocityNet(dim=2).to(META), default=None) == META


def test_a_plain_function_has_no_device_of_its_own():
    def field(x, t):
        return -x

    assert device_of(field) == torch.device("cpu")
    assert device_of(field, default=META) == META
    assert device_of(field, default=None) is None
    field.device = META
    assert device_of(field) == META


def test_guided_fields_compute_where_their_networks_are():
    model = fmlib.VelocityNet(dim=2, classes=3).to(META)
    classifier = guidance.TimeClassifier(3).to(META)
    assert device_of(guidance.classifier_free(model, 1, 2.0)) == META
    assert device_of(guidance.classifier_guided(model, classifier, 1, 2.0)) == META
    # a stand-in function without parameters names no device: the points stay where they are
    assert device_of(guidance.classifier_free(lambda x, t, label=None: x, 1, 2.0), default=None) is None


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("slow_on_one, expected", [(True, 2), (False, 1)])
def test_choose_threads_keeps_the_faster_count(monkeypatch, two_threads, slow_on_one, expected):
    """A clock on which each timed pass takes 5 s with the slow count and 1 s with the other."""
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    ticks = iter(range(10**6))

    def fake_clock():
        slow = (torch.get_num_threads() == 1) == slow_on_one
        return next(ticks) * (5 if slow else 1)

    monkeypatch.setattr(devices.time, "perf_counter", fake_clock)
    assert devices.choose_threads() == expected == torch.get_num_threads()


def test_choosing_the_threads_draws_nothing_from_the_readers_random_numbers(monkeypatch, two_threads):
    # The first training chooses them, after the reader's torch.manual_seed: the seeded draws must stay the same.
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    devices.choose_threads(repeats=1)
    assert torch.equal(torch.rand(3), expected)


def test_choose_threads_leaves_a_users_omp_num_threads_alone(monkeypatch, two_threads):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setattr(devices.time, "perf_counter", lambda: pytest.fail("no timing when the user chose"))
    assert devices.choose_threads() == 2 == torch.get_num_threads()


@pytest.fixture
def not_chosen_yet(monkeypatch):
    """A session whose first training is still to come; records the calls of `choose_threads`."""
    calls = []
    monkeypatch.setattr(devices, "_threads_chosen", False)
    monkeypatch.setattr(devices, "THREADS_AT_IMPORT", torch.get_num_threads())
    monkeypatch.setattr(devices, "choose_threads", lambda: calls.append(torch.get_num_threads()))
    return calls


def test_the_threads_are_chosen_once_at_the_first_training(not_chosen_yet):
    fmlib.train(fmlib.VelocityNet(dim=2, width=8, depth=1), "gaussian", "moons", steps=2, batch_size=8, progress=False)
    assert len(not_chosen_yet) == 1
    fmlib.train(fmlib.VelocityNet(dim=2, width=8, depth=1), "gaussian", "moons", steps=2, batch_size=8, progress=False)
    devices.choose_threads_once()
    assert len(not_chosen_yet) == 1


def test_a_thread_count_set_after_the_import_is_left_alone(not_chosen_yet, two_threads, monkeypatch):
    monkeypatch.setattr(devices, "THREADS_AT_IMPORT", 3)  # the import saw another count than the user's 2
    devices.choose_threads_once()
    assert not_chosen_yet == [] and torch.get_num_threads() == 2


def test_import_times_nothing_and_the_first_training_chooses_the_threads():
    """A fresh process whose clock makes one thread look faster than two: the import keeps two, training picks one."""
    script = (
        "import time, torch\n"
        "torch.set_num_threads(2)\n"
        "ticks = iter(range(10**9))\n"
        "time.perf_counter = lambda: next(ticks) * (5 if torch.get_num_threads() == 2 else 1)\n"
        "import fmlib\n"
        "print(torch.get_num_threads())\n"
        "fmlib.train(fmlib.VelocityNet(dim=2), 'gaussian', 'moons', steps=2, batch_size=8, progress=False)\n"
        "print(torch.get_num_threads())\n"
    )
    environment = {name: value for name, value in os.environ.items() if name != "OMP_NUM_THREADS"}
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True)
    assert ran.stdout.split() == ["2", "1"]
