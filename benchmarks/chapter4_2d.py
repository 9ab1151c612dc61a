"""2D training: fmlib's defaults against Hawley's *Flow With What You Know* settings, in one run on one machine.

    .venv/bin/python benchmarks/chapter4_2d.py          # Gaussian -> spiral, then all 30 pairs
    .venv/bin/python benchmarks/chapter4_2d.py --quick  # Gaussian -> spiral only

Protocol: sliced W2 (500 projections) between 10 000 generated points
(N(0, I) noise for a Gaussian source, else source samples; Euler, 100 steps)
and 10 000 fresh target points; the floor is the same distance between two
independent target samples.
"""

import sys
import time

import torch

import fmlib
from fmlib.metrics import sliced_wasserstein
from fmlib.recipes import BOOK_2D, HAWLEY_2D, LONG_SPIRAL

HAWLEY_SHAPES = ["gaussian", "square", "heart", "spiral", "two_gaussians", "smiley"]


def distance(a, b):
    return sliced_wasserstein(a, b, projections=500)


def run(source, target, recipe, method="euler"):
    """(training seconds, sliced W2 of 10 000 points sampled with 100 steps of `method`)."""
    torch.manual_seed(0)
    model = fmlib.VelocityNet(width=recipe.width, depth=recipe.depth)
    start = time.perf_counter()
    fmlib.train(model, source, target, seed=0, progress=False, **recipe.train_settings())
    seconds = time.perf_counter() - start
    x0 = fmlib.sample(source, 10_000, seed=100)
    generated = fmlib.integrate(model, x0, steps=100, method=method).x
    return seconds, distance(generated, fmlib.sample(target, 10_000, seed=200))


def floor(target):
    return distance(fmlib.sample(target, 10_000, seed=1), fmlib.sample(target, 10_000, seed=2))


def main(quick):
    print(f"{'pair':28s} {'setting':10s} {'train s':>8s} {'SW2':>7s} {'floor':>7s}")
    for name, recipe in [("Hawley", HAWLEY_2D), ("defaults", BOOK_2D), ("longer", LONG_SPIRAL)]:
        seconds, sw2 = run("gaussian", "spiral", recipe)
        print(f"{'gaussian -> spiral':28s} {name:10s} {seconds:8.1f} {sw2:7.4f} {floor('spiral'):7.4f}", flush=True)
    if quick:
        return
    for source in HAWLEY_SHAPES:
        for target in HAWLEY_SHAPES:
            if source != target:
                seconds, sw2 = run(source, target, BOOK_2D)
                print(
                    f"{source + ' -> ' + target:28s} {'defaults':10s} {seconds:8.1f} {sw2:7.4f} {floor(target):7.4f}",
                    flush=True,
                )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
