"""fmlib: the helpers of the hands-on flow matching book.

import fmlib
x1 = fmlib.sample("spiral", 1000, seed=0)
model = fmlib.VelocityNet(dim=2)
losses = fmlib.train(model, "gaussian", "spiral", steps=2000)       # optimiser iterations
samples = fmlib.integrate(model, fmlib.sample("gaussian", 1000), steps=50).x  # ODE steps
"""

import importlib

from . import (
    couplings,
    denoising,
    digits,
    discrete,
    grids,
    guidance,
    likelihood,
    max_likelihood,
    meanflow,
    metrics,
    mixtures,
    parabola,
    paths,
    recipes,
    repeats,
    schedules,
    sde,
    shapes,
    warp,
)
from .cache import trained_model
from .devices import choose_threads, default_device
from .likelihood import log_likelihood
from .models import VelocityNet
from .shapes import SHAPES, sample, sample_labelled
from .solvers import STEPPERS, Solution, euler_step, integrate, midpoint_step, rk4_step
from .training import flow_matching_loss, reflow, train
from .warp import warp_time, warp_time_derivative

_LAZY = ("live", "viz", "widgets")  # they draw (matplotlib, ipywidgets): imported when first used


def __getattr__(name: str):
    """The module `name` of `_LAZY`, imported now: `fmlib.viz` and `from fmlib import viz` both work."""
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """Every name of fmlib, the modules not yet imported among them."""
    return sorted({*globals(), *_LAZY})


__all__ = [
    "SHAPES",
    "STEPPERS",
    "Solution",
    "VelocityNet",
    "choose_threads",
    "couplings",
    "default_device",
    "denoising",
    "digits",
    "discrete",
    "euler_step",
    "flow_matching_loss",
    "grids",
    "guidance",
    "integrate",
    "likelihood",
    "live",
    "log_likelihood",
    "max_likelihood",
    "meanflow",
    "metrics",
    "midpoint_step",
    "mixtures",
    "parabola",
    "paths",
    "recipes",
    "reflow",
    "repeats",
    "rk4_step",
    "sample",
    "sample_labelled",
    "schedules",
    "sde",
    "shapes",
    "train",
    "trained_model",
    "viz",
    "warp",
    "warp_time",
    "warp_time_derivative",
    "widgets",
]
