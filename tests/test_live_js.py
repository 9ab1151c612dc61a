"""The website's own maths (book/_static/live.js) against fmlib's numbers, under Node's test runner, in seconds.

fmlib computes what the page's live figures must reproduce (the mixture's exact
density and velocity, the time warp and the parabola rides, a small network and
its integration both ways, the sliced distance) and writes it to a JSON file;
`node --test` then runs tests/js, which loads live.js in Node and compares. The
browser tests (test_website.py) check the same computations in the built page.
"""

import json
import math
import os
import pathlib
import shutil
import subprocess

import torch

import fmlib
from conftest import without
from fmlib import live, parabola
from fmlib.metrics import projection_directions, sliced_wasserstein
from fmlib.mixtures import GaussianMixture

ROOT = pathlib.Path(__file__).resolve().parents[1]
SUITE = sorted((ROOT / "tests" / "js").glob("*.test.mjs"))
NODE = os.environ.get("NODE", "node")


def mixture_numbers():
    """Each mixture as the page holds it, with fmlib's density and velocity at points (x, t) of the (t, x) plane."""
    mixtures = [
        GaussianMixture([0.3, 0.7], [-1.2, 0.8], [0.4, 0.9]),
        GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25]),  # the chapter's
        GaussianMixture([0.99, 0.01], [-4.0, 4.0], [2.0, 0.05]),  # at the sliders' ends
        GaussianMixture([0.5, 0.5], [-1.0, 1.0], [0.05, 0.1]),  # narrow: far out, every term's exp underflows
    ]
    xs, ts = [-6.0, -2.5, -1.0, 0.0, 0.4, 2.2, 4.0], [0.0, 0.25, 0.5, 0.9, 0.999, 1.0]
    numbers = []
    for mixture in mixtures:
        at = []
        for t in ts:
            x = torch.tensor(xs, dtype=torch.float64)[:, None]
            density, velocity = mixture.path_density(x, t).flatten(), mixture.velocity(x, t).flatten()
            at += [dict(x=xi, t=t, density=p, velocity=v) for xi, p, v in zip(xs, density.tolist(), velocity.tolist())]
        page = dict(weights=mixture.weights.tolist(), means=mixture.means[:, 0].tolist(), stds=mixture.stds.tolist())
        numbers.append(dict(mixture=page, at=at))
    return numbers


def warp_numbers():
    """fmlib.warp_time on a grid of (t, s), the step times fmlib.integrate takes, and the parabola's rides."""
    ts = torch.linspace(0, 1, 11, dtype=torch.float64)
    curves = [dict(s=s, t=ts.tolist(), warped=fmlib.warp_time(ts, s).tolist()) for s in (0.0, 0.25, 0.5, 1.0, 1.5)]
    rides = []
    for steps, method, warp in [(20, "euler", 0.5), (12, "euler", 1.0), (5, "midpoint", 0.3), (4, "rk4", None)]:
        ride = parabola.ride(steps, method, warp)
        rides.append(
            dict(
                steps=steps,
                method=method,
                warp=warp,
                times=ride.times.tolist(),
                trajectory=ride.trajectory[:, 0].tolist(),
                miss=parabola.miss(ride),
                nfe=ride.nfe,
            )
        )
    return dict(curves=curves, length=parabola.LENGTH, start=list(parabola.START), rides=rides)


def network_numbers():
    """A briefly trained VelocityNet as the page gets it (float16 weights), its velocity, and its flow both ways."""
    torch.manual_seed(0)
    model = fmlib.VelocityNet()
    fmlib.train(model, "gaussian", "moons", steps=100, batch_size=256, seed=0, progress=False)
    weights, layers = live.export_weights(model)
    field = live.exported_velocity(weights, layers)
    x0 = fmlib.sample("gaussian", 16, seed=0).double()
    times = [0.0, 0.3, 1.0]
    with torch.no_grad():
        velocities = [field(x0, t).flatten().tolist() for t in times]
        runs = {
            direction: {
                method: fmlib.integrate(velocity, x0, steps=7, method=method, warp=0.5).x.flatten().tolist()
                for method in ("euler", "midpoint", "rk4")
            }
            for direction, velocity in (("forwards", field), ("backwards", fmlib.solvers.backwards(field)))
        }
    return (
        dict(
            weights=weights,
            layers=layers,
            x0=x0.flatten().tolist(),
            times=times,
            velocities=velocities,
            steps=7,
            warp=0.5,
        )
        | runs
    )


def fmlib_numbers():
    """Everything tests/js compares live.js with, as plain JSON data."""
    halves = torch.tensor([0.0, -2.5, 1 / 3, 65504.0, 6e-8, -1e-5, 0.1])
    inputs = [-3.0, -1.0, -0.2, 0.0, 0.3, 1.7, 4.0]
    a, b = fmlib.sample("moons", 60, seed=0).double(), fmlib.sample("spiral", 60, seed=1).double()
    return dict(
        mixtures=mixture_numbers(),
        warp=warp_numbers(),
        network=network_numbers(),
        halves=dict(text=live._half_base64(halves), values=live.decode_half(live._half_base64(halves)).tolist()),
        erf=dict(x=inputs, erf=[math.erf(x) for x in inputs]),
        gelu=dict(x=inputs, gelu=torch.nn.functional.gelu(torch.tensor(inputs, dtype=torch.float64)).tolist()),
        sliced=dict(
            a=a.flatten().tolist(),
            b=b.flatten().tolist(),
            directions=projection_directions(2).T.tolist(),
            distance=sliced_wasserstein(a, b),
        ),
    )


def test_live_js_computes_fmlibs_numbers(tmp_path):
    node = shutil.which(NODE)
    if node is None:
        without(f"no Node.js ({NODE}) to run the page's maths: install nodejs or set NODE to one")
    assert SUITE, "no tests/js/*.test.mjs"
    numbers = tmp_path / "fmlib.json"
    numbers.write_text(json.dumps(fmlib_numbers()))
    run = subprocess.run(
        [node, "--test", *map(str, SUITE)],
        env={**os.environ, "FMLIB_NUMBERS": str(numbers)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
