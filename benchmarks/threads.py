"""Torch threads on a shared machine: the book's 2D model trained with 1 and with 2 threads, quiet and loaded.

    .venv/bin/python benchmarks/threads.py

"Loaded" runs a second process beside the measurement, as another student's
kernel on a shared hub would: it multiplies 512 x 512 matrices on 2 threads
without pause. Each figure is training iterations per second (the book's 2D
model, batches of 1024, fmlib.recipes.BOOK_2D) and the seconds to carry 10 000
points through 100 RK4 steps, the best of three runs; then what
`fmlib.choose_threads` (which runs before fmlib's first training) picks in that state.
"""

import subprocess
import sys
import time

import torch

import fmlib

LOAD = "import torch\ntorch.set_num_threads(2)\na = torch.randn(512, 512)\nwhile True:\n    a = torch.tanh(a @ a)"


def best_of_three(run):
    return min(_seconds(run) for _ in range(3))


def _seconds(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure(threads: int, steps: int = 300) -> tuple[float, float]:
    torch.set_num_threads(threads)
    model = fmlib.VelocityNet(dim=2)
    train_seconds = best_of_three(lambda: fmlib.train(model, "gaussian", "spiral", steps=steps, progress=False))
    x0 = fmlib.sample("gaussian", 10_000, seed=0)
    with torch.no_grad():
        sample_seconds = best_of_three(lambda: fmlib.integrate(model, x0, steps=100))
    return steps / train_seconds, sample_seconds


def main():
    for machine in ("quiet", "loaded"):
        load = subprocess.Popen([sys.executable, "-c", LOAD]) if machine == "loaded" else None
        try:
            time.sleep(2 if load else 0)
            for threads in (1, 2):
                rate, seconds = measure(threads)
                print(
                    f"{machine:6s} machine, {threads} thread(s): {rate:5.0f} training steps/s, "
                    f"sampling {seconds:.2f} s",
                    flush=True,
                )
            picks = []
            for _ in range(5):
                torch.set_num_threads(2)  # torch's default on this 2-core machine
                picks.append(fmlib.choose_threads())
            print(f"{machine:6s} machine: fmlib.choose_threads picks {picks} in 5 tries", flush=True)
        finally:
            if load:
                load.kill()


if __name__ == "__main__":
    main()
