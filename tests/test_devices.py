"""Where fields compute: the device of a model, of a field built around one, or where the points are.

No GPU is needed: torch's "meta" device stands in for a second device.
"""

import torch

import fmlib
from fmlib import guidance
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
