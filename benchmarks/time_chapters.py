"""Time every chapter, top to bottom in a fresh kernel (as nbval and the book build run them).

    .venv/bin/python benchmarks/time_chapters.py            # all chapters
    .venv/bin/python benchmarks/time_chapters.py 01         # chapters whose name starts with 01

Each chapter runs twice. The first run starts from an empty cache of trained
models, as on a fresh machine (a new Colab session): the chapter trains every
model it uses, including those it shares with earlier chapters. The second run
finds them in that cache, as when the chapter (or the one that trained them)
has run before. On a 2-core CPU the second run should take
fmlib.recipes.CHAPTER_SECONDS (a minute) or less, and the first
FIRST_RUN_SECONDS (a minute and a half) or less.
"""

import os
import pathlib
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

from fmlib.recipes import CHAPTER_SECONDS

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIRST_RUN_SECONDS = 90
"""How long a chapter's first run may take on a fresh machine, where it trains every model it uses."""


def time_chapter(path, cache):
    """Seconds to execute the notebook at `path` in a fresh kernel whose fmlib keeps its models in `cache`."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    before = os.environ.get("FMLIB_CACHE")
    os.environ["FMLIB_CACHE"] = str(cache)  # the kernel inherits this process's environment
    try:
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
    finally:
        if before is None:
            del os.environ["FMLIB_CACHE"]
        else:
            os.environ["FMLIB_CACHE"] = before


def first_run_and_again(path):
    """(seconds from an empty cache of trained models, seconds once more with the models that run cached)."""
    with tempfile.TemporaryDirectory() as cache:
        return time_chapter(path, cache), time_chapter(path, cache)


def chapters(prefix=""):
    """The chapters' notebooks, in order; only those whose name starts with `prefix`."""
    return [path for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) if path.name.startswith(prefix)]


def main(prefix=""):
    print(f"{'':32s} {'first run':>10s} {'again':>8s}")
    totals = [0.0, 0.0]
    for path in chapters(prefix):
        first, again = first_run_and_again(path)
        totals = [totals[0] + first, totals[1] + again]
        late = [
            name
            for name, seconds, budget in [("first run", first, FIRST_RUN_SECONDS), ("again", again, CHAPTER_SECONDS)]
            if seconds > budget
        ]
        verdict = f"over the budget: {', '.join(late)}" if late else "ok"
        print(f"{path.stem:32s} {first:8.1f} s {again:6.1f} s  {verdict}", flush=True)
    print(f"{'all chapters':32s} {totals[0]:8.1f} s {totals[1]:6.1f} s")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
