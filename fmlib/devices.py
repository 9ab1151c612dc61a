"""Where tensors live: the GPU when there is one, the CPU otherwise."""

from __future__ import annotations

import torch


def default_device() -> torch.device:
    """`cuda` when a GPU is visible to torch, else `cpu`."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_of(velocity) -> torch.device:
    """The device of a model's parameters, or the CPU for a plain function or a model with none."""
    parameters = getattr(velocity, "parameters", None)
    if parameters is None:
        return torch.device("cpu")
    first = next(iter(parameters()), None)
    return torch.device("cpu") if first is None else first.device
