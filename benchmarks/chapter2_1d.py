"""Chapter 2's quality and speed, measured against the settings of Roelants' *Flow Matching: A Visual Introduction*.

    .venv/bin/python benchmarks/chapter2_1d.py

Problem: N(0, 1) -> the 1D mixture 0.55 N(-0.85, 0.65^2) + 0.45 N(1.5, 0.25^2).
Quality: W2 between 100 000 generated samples (Euler, 50 steps, as Roelants
samples; also RK4, 50 steps) and 100 000 fresh target samples; and the RMSE
between the model's field and the exact one over (t, x) drawn as in training.
The targets: W2 <= 0.025 and field RMSE <= 0.04 with <= 14 s of training.
"""

import time

import torch

import fmlib
from fmlib.metrics import field_rmse, wasserstein_1d
from fmlib.mixtures import GaussianMixture
from fmlib.recipes import BOOK_1D, ROELANTS_1D

TARGET = GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25])
N = 100_000


def gaussian(n):
    return torch.randn(n, 1)


def evaluation_set():
    generator = torch.Generator().manual_seed(123)
    x0, t = torch.randn(N, 1, generator=generator), torch.rand(N, 1, generator=generator)
    xt = fmlib.paths.interpolate(x0, TARGET.sample(N, seed=5), t)
    start = torch.randn(N, 1, generator=generator)
    return xt, t, start, TARGET.sample(N, seed=6)


def quality(velocity, data):
    xt, t, start, fresh = data
    euler = fmlib.integrate(velocity, start, steps=50, method="euler").x
    rk4 = fmlib.integrate(velocity, start, steps=50, method="rk4").x
    return wasserstein_1d(euler, fresh), wasserstein_1d(rk4, fresh), field_rmse(velocity, TARGET.velocity, xt, t)


def train(recipe):
    torch.manual_seed(0)
    model = fmlib.VelocityNet(dim=1, width=recipe.width, depth=recipe.depth)
    start = time.perf_counter()
    fmlib.train(model, gaussian, TARGET.sample, seed=0, progress=False, **recipe.train_settings())
    return model, time.perf_counter() - start


def main():
    data = evaluation_set()
    print(f"{'':24s} {'train s':>8s} {'W2 euler50':>11s} {'W2 rk4-50':>10s} {'field RMSE':>11s}")
    print(f"{'exact field':24s} {'-':>8s} " + "{:11.4f} {:10.4f} {:11.4f}".format(*quality(TARGET.velocity, data)))
    noise = wasserstein_1d(TARGET.sample(N, seed=8), data[3])
    print(f"{'sampling noise':24s} {'-':>8s} {noise:11.4f}")
    for name, recipe in [("Roelants' settings", ROELANTS_1D), ("chapter 2's settings", BOOK_1D)]:
        model, seconds = train(recipe)
        print(f"{name:24s} {seconds:8.1f} " + "{:11.4f} {:10.4f} {:11.4f}".format(*quality(model, data)), flush=True)


if __name__ == "__main__":
    main()
