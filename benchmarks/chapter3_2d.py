"""2D training: fmlib's defaults against the seed's hyperparameters, in one run on one machine.

    .venv/bin/python benchmarks/chapter3_2d.py          # Gaussian -> spiral, then all 30 pairs
    .venv/bin/python benchmarks/chapter3_2d.py --quick  # Gaussian -> spiral only

Protocol (issue 4): sliced W2 (500 projections) between 10 000 generated points
(N(0, I) noise for a Gaussian source, else source samples; Euler, 100 steps)
and 10 000 fresh target points; the floor is the same distance between two
independent target samples.
"""
import sys
import time

import torch

import fmlib
from fmlib.metrics import sliced_wasserstein

SEED_SHAPES = ["gaussian", "square", "heart", "spiral", "two_gaussians", "smiley"]
# Hawley's tutorial: 100 epochs x 100 steps, batch 2048, Adam 3e-3, constant, 3 x 64 GELU.
SEED = dict(steps=10_000, batch_size=2048, lr=3e-3, lr_decay=False)
DEFAULTS = dict()  # fmlib.train's own defaults
LONGER = dict(steps=10_000, lr=5e-3)


def distance(a, b):
    return sliced_wasserstein(a, b, projections=500)


def run(source, target, config):
    torch.manual_seed(0)
    model = fmlib.VelocityNet()
    start = time.perf_counter()
    fmlib.train(model, source, target, seed=0, progress=False, **config)
    seconds = time.perf_counter() - start
    x0 = fmlib.sample(source, 10_000, seed=100)
    generated = fmlib.integrate(model, x0, steps=100, method="euler").x
    return seconds, distance(generated, fmlib.sample(target, 10_000, seed=200))


def floor(target):
    return distance(fmlib.sample(target, 10_000, seed=1), fmlib.sample(target, 10_000, seed=2))


def main(quick):
    print(f"{'pair':28s} {'setting':10s} {'train s':>8s} {'SW2':>7s} {'floor':>7s}")
    for name, config in [("seed", SEED), ("defaults", DEFAULTS), ("longer", LONGER)]:
        seconds, sw2 = run("gaussian", "spiral", config)
        print(f"{'gaussian -> spiral':28s} {name:10s} {seconds:8.1f} {sw2:7.4f} {floor('spiral'):7.4f}", flush=True)
    if quick:
        return
    for source in SEED_SHAPES:
        for target in SEED_SHAPES:
            if source != target:
                seconds, sw2 = run(source, target, DEFAULTS)
                print(f"{source + ' -> ' + target:28s} {'defaults':10s} {seconds:8.1f} {sw2:7.4f} "
                      f"{floor(target):7.4f}", flush=True)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
