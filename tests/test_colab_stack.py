"""fmlib on Colab's own widget stack: ipywidgets 7.7.1, widgetsnbextension 3.6.10, ipykernel 6.17.1, IPython 7.34.

Colab preinstalls these (its published package list, 2026). The test builds a
virtual environment with them once (.venv-colab, a few minutes the first time),
installs fmlib into it as the chapters' setup cell does (pip, with fmlib's own
loose requirements), checks that this leaves Colab's widgets alone, and then
displays and drives each panel and a progress bar there (tests/colab_driver.py).
"""

import hashlib
import json
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.colab
COLAB = {"ipywidgets": "7.7.1", "widgetsnbextension": "3.6.10", "ipykernel": "6.17.1", "ipython": "7.34.0"}


def _book_torch():
    """The book's pinned torch (a CPU wheel here; an unpinned torch would pull a CUDA one)."""
    (pin,) = re.findall(r"^torch==\S+$", (ROOT / "requirements.txt").read_text(), re.M)
    return pin


@pytest.fixture(scope="module")
def colab_python():
    venv = ROOT / ".venv-colab"
    python = venv / "bin" / "python"
    recipe = json.dumps([COLAB, _book_torch(), (ROOT / "pyproject.toml").read_text()])
    marker = venv / f".installed-{hashlib.sha256(recipe.encode()).hexdigest()[:12]}"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run(pip + [_book_torch()] + [f"{name}=={version}" for name, version in COLAB.items()], check=True)
        subprocess.run(pip + ["-e", str(ROOT)], check=True)  # what the setup cell does, from this checkout
        marker.touch()
    return python


def test_installing_fmlib_keeps_colabs_widget_stack(colab_python):
    listed = subprocess.run(
        [str(colab_python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True
    )
    versions = {entry["name"].lower(): entry["version"] for entry in json.loads(listed.stdout)}
    assert {name: versions.get(name) for name in COLAB} == COLAB


def test_panels_and_progress_bars_work_on_colabs_widget_stack(colab_python):
    result = subprocess.run(
        [str(colab_python), str(ROOT / "tests" / "colab_driver.py")], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ipywidgets"] == "7.7.1" and report["IPython"].startswith("7.34")
    view = "application/vnd.jupyter.widget-view+json"
    assert view in report["explorer"] and "image/png" in report["explorer"] and report["explorer_model"]
    assert view in report["morph"] and "text/html" in report["morph"] and report["morph_model"]
    assert report["explorer_redrawn"]
    assert report["morph_status"].startswith("done"), report["morph_status"]
    # shown at the start, then shown again finished: both times as a live view
    assert len(report["progress_displays"]) == 2 and all(view in d for d in report["progress_displays"])
