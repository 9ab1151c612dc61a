"""Where tensors live: the GPU when there is one, the CPU otherwise."""

from __future__ import annotations

from typing import Optional

import torch

CPU = torch.device("cpu")


def default_device() -> torch.device:
    """`cuda` when a GPU is visible to torch, else `cpu`."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_of(velocity, default: Optional[torch.device] = CPU) -> Optional[torch.device]:
    """Where `velocity` computes: its parameters' device, else its `device` attribute, else `default`.

    A plain function has neither; one built around a model (a guided field, say)
    can name the model's device in a `device` attribute.
    """
    parameters = getattr(velocity, "parameters", None)
    first = next(iter(parameters()), None) if callable(parameters) else None
    if first is not None:
        return first.device
    device = getattr(velocity, "device", None)
    return device if isinstance(device, torch.device) else default


def on_device_of(velocity, model):
    """`velocity`, a function that calls `model`, marked with the model's device (where `integrate` puts points)."""
    device = device_of(model, default=None)
    if device is not None:
        velocity.device = device
    return velocity
