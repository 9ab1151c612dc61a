"""Reflow and minibatch optimal transport against Hawley's reflow, in one run on one machine.

    .venv/bin/python benchmarks/chapter7_reflow.py          # everything (Hawley's reflow takes minutes)
    .venv/bin/python benchmarks/chapter7_reflow.py --quick  # without Hawley's reflow

Protocol: sliced W2 (500 projections) between 10 000 generated points
(N(0, I) noise, Euler with the given number of steps = NFE) and 10 000 fresh
spiral points; straightness on 2000 points. The teacher is chapter 4's longer
model (fmlib.trained_model, 10 000 steps at lr 5e-3).
"""

import copy
import sys
import time

import torch

import fmlib
from fmlib import couplings
from fmlib.metrics import sliced_wasserstein, straightness
from fmlib.recipes import HAWLEY_REFLOW, LONG_SPIRAL

NFES = [1, 2, 4, 8, 100]


def hawley_reflow(teacher, recipe=HAWLEY_REFLOW):
    """Hawley's reflow: a fresh warped RK4 integration of the teacher for every batch, warped training times."""

    def fresh_pairs(n):
        x0 = fmlib.sample("gaussian", n)
        return x0, fmlib.integrate(teacher, x0, steps=recipe.teacher_steps, method="rk4", warp=0.5).x

    student = copy.deepcopy(teacher)
    fmlib.train(
        student,
        pairs=fresh_pairs,
        seed=0,
        progress=False,
        **recipe.training.train_settings(),
        time_sampler=lambda n: fmlib.warp_time(torch.rand(n, 1), recipe.time_warp),
    )
    return student


def minibatch_ot_model():
    x0, x1 = fmlib.sample("gaussian", 100_000, seed=5), fmlib.sample("spiral", 100_000, seed=6)
    torch.manual_seed(0)
    model = fmlib.VelocityNet(dim=2)
    fmlib.train(model, pairs=couplings.fixed(x0, couplings.ot_partners(x0, x1)), seed=0, progress=False)
    return model


def main(quick):
    teacher = fmlib.trained_model("gaussian", "spiral", LONG_SPIRAL, progress=False)
    x0 = fmlib.sample("gaussian", 10_000, seed=1)
    target = fmlib.sample("spiral", 10_000, seed=2)
    floor = sliced_wasserstein(fmlib.sample("spiral", 10_000, seed=3), target, projections=500)
    print(f"floor (target vs target): {floor:.4f}")
    print(f"{'model':26s} {'train s':>8s} {'straight':>9s} " + " ".join(f"{'NFE ' + str(n):>8s}" for n in NFES))
    builders = [
        ("teacher (chapter 4)", lambda: teacher),
        ("reflow, fmlib defaults", lambda: fmlib.reflow(teacher, "gaussian", progress=False)[0]),
        ("minibatch OT, defaults", minibatch_ot_model),
    ]
    if not quick:
        builders.append(("reflow, Hawley's recipe", lambda: hawley_reflow(teacher)))
    for name, build in builders:
        start = time.perf_counter()
        model = build()
        seconds = time.perf_counter() - start if model is not teacher else float("nan")
        quality = [
            sliced_wasserstein(fmlib.integrate(model, x0, steps=n, method="euler").x, target, projections=500)
            for n in NFES
        ]
        print(
            f"{name:26s} {seconds:8.1f} {straightness(model, x0[:2000]):9.4f} "
            + " ".join(f"{q:8.4f}" for q in quality),
            flush=True,
        )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
