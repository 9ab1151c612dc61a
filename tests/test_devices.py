"""Where fields compute: the device of a model, of a field built around one, or where the points are.

No GPU is needed: torch's "meta" device stands in for a second device.
"""

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


def test_choose_threads_leaves_a_users_omp_num_threads_alone(monkeypatch, two_threads):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setattr(devices.time, "perf_counter", lambda: pytest.fail("no timing when the user chose"))
    assert devices.choose_threads() == 2 == torch.get_num_threads()
