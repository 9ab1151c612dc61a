"""Where tensors live: the GPU when there is one, the CPU otherwise; and how many CPU threads torch uses."""

from __future__ import annotations

import math
import os
import time
from typing import Optional

import torch

from .models import mlp

CPU = torch.device("cpu")
THREADS_AT_IMPORT = torch.get_num_threads()
"""torch's thread count when fmlib was imported: another count later is the user's own choice."""
_threads_chosen = False


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


def choose_threads(repeats: int = 5) -> int:
    """Give torch the faster of one thread and its default number, timed on the book's model; returns the choice.

    Small networks gain little from a second thread and lose much when other work
    shares the CPU: on a 2-core machine running another process, one thread trained
    the book's 2D model 2.8 times faster than two, while on a quiet one two threads
    were 1.4 times faster (the book's Setup page). So fmlib times a forward and
    backward pass of a batch of 1024 through a 3 x 64 network with each, before its
    first training (`choose_threads_once`; about 0.01 s). An `OMP_NUM_THREADS` set
    by the user is left alone. It draws its network and batch from a forked random
    generator: a training seeded by the reader gets the same numbers whether or not
    it is the first.
    """
    default = torch.get_num_threads()
    if default == 1 or "OMP_NUM_THREADS" in os.environ:
        return default
    with torch.random.fork_rng(devices=[]):
        network, x = mlp(3, 64, 3, 2), torch.randn(1024, 3)

    def seconds(threads):
        torch.set_num_threads(threads)
        best = math.inf
        for _ in range(repeats):
            start = time.perf_counter()
            network(x).square().mean().backward()
            best = min(best, time.perf_counter() - start)
        return best

    chosen = min((default, 1), key=seconds)
    torch.set_num_threads(chosen)
    return chosen


def choose_threads_once() -> None:
    """`choose_threads()` the first time it is called, unless the user has set torch's thread count since the import.

    Training calls it, so that `import fmlib` times nothing and a count set by
    `torch.set_num_threads(n)` after the import is left alone.
    """
    global _threads_chosen
    if not _threads_chosen:
        _threads_chosen = True
        if torch.get_num_threads() == THREADS_AT_IMPORT:
            choose_threads()
