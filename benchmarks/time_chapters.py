"""Time every chapter, top to bottom in a fresh kernel (as nbval and the book build run them).

    .venv/bin/python benchmarks/time_chapters.py            # all chapters
    .venv/bin/python benchmarks/time_chapters.py 01         # chapters whose name starts with 01

Each chapter should run in fmlib.recipes.CHAPTER_SECONDS (a minute) or less on a 2-core CPU.
"""

import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

from fmlib.recipes import CHAPTER_SECONDS

ROOT = pathlib.Path(__file__).resolve().parents[1]


def time_chapter(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(prefix=""):
    chapters = sorted((ROOT / "notebooks").glob(f"{prefix}*.ipynb"))
    total = 0.0
    for path in chapters:
        seconds = time_chapter(path)
        total += seconds
        verdict = "ok" if seconds <= CHAPTER_SECONDS else f"over the {CHAPTER_SECONDS} s budget"
        print(f"{path.name:40s} {seconds:6.1f} s  {verdict}")
    print(f"{'all chapters':40s} {total:6.1f} s")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
