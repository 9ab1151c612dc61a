"""fmlib: the helpers of the hands-on flow matching book.

    import fmlib
    x1 = fmlib.sample("spiral", 1000, seed=0)
    model = fmlib.VelocityNet(dim=2)
    losses = fmlib.train(model, "gaussian", "spiral", steps=2000)
    samples = fmlib.integrate(model, fmlib.sample("gaussian", 1000), steps=50).x
"""
from . import couplings, metrics, mixtures, parabola, paths, viz, widgets
from .cache import trained_model
from .devices import default_device
from .integrate import STEPPERS, euler_step, integrate, midpoint_step, rk4_step, warp_time, warp_time_derivative
from .models import VelocityNet
from .reflow import reflow
from .shapes import SHAPES, sample
from .train import train

__all__ = [
    "SHAPES", "STEPPERS", "VelocityNet", "couplings", "default_device", "euler_step", "integrate", "metrics",
    "midpoint_step", "mixtures", "parabola", "paths", "reflow", "rk4_step", "sample", "train", "trained_model", "viz", "warp_time",
    "warp_time_derivative", "widgets",
]
