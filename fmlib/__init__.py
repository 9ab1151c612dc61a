"""fmlib: the helpers of the hands-on flow matching book.

import fmlib
x1 = fmlib.sample("spiral", 1000, seed=0)
model = fmlib.VelocityNet(dim=2)
losses = fmlib.train(model, "gaussian", "spiral", steps=2000)       # optimiser iterations
samples = fmlib.integrate(model, fmlib.sample("gaussian", 1000), steps=50).x  # ODE steps
"""

from . import (
    couplings,
    digits,
    grids,
    guidance,
    likelihood,
    live,
    metrics,
    mixtures,
    parabola,
    paths,
    recipes,
    schedules,
    sde,
    shapes,
    viz,
    widgets,
)
from .cache import trained_model
from .devices import choose_threads, default_device
from .likelihood import log_likelihood
from .models import VelocityNet
from .shapes import SHAPES, sample, sample_labelled
from .solvers import STEPPERS, Solution, euler_step, integrate, midpoint_step, rk4_step, warp_time, warp_time_derivative
from .training import flow_matching_loss, reflow, train

choose_threads()

__all__ = [
    "SHAPES",
    "STEPPERS",
    "Solution",
    "VelocityNet",
    "choose_threads",
    "couplings",
    "default_device",
    "digits",
    "euler_step",
    "flow_matching_loss",
    "grids",
    "guidance",
    "integrate",
    "likelihood",
    "live",
    "log_likelihood",
    "metrics",
    "midpoint_step",
    "mixtures",
    "parabola",
    "paths",
    "recipes",
    "reflow",
    "rk4_step",
    "sample",
    "sample_labelled",
    "schedules",
    "sde",
    "shapes",
    "train",
    "trained_model",
    "viz",
    "warp_time",
    "warp_time_derivative",
    "widgets",
]
