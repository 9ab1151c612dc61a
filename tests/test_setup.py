"""The setup page's commands work in the environment the README's commands create."""

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_the_setup_pages_jupyter_command_starts():
    # The page tells a reader to open the chapters with `.venv/bin/jupyter lab notebooks/`:
    # JupyterLab must be in the pinned environment, with the widget extension the panels need.
    page = (ROOT / "book" / "setup.md").read_text()
    (command,) = re.findall(r"^(\.venv/bin/jupyter lab) notebooks/$", page, re.M)
    program = pathlib.Path(sys.executable).parent / pathlib.Path(command.split()[0]).name
    result = subprocess.run([str(program), "lab", "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and re.match(r"\d+\.\d+", result.stdout), result.stderr[-500:]
    extensions = subprocess.run([str(program), "labextension", "list"], capture_output=True, text=True, timeout=120)
    assert "@jupyter-widgets/jupyterlab-manager" in extensions.stdout + extensions.stderr


def test_the_setup_cell_says_what_to_do_when_the_repository_cannot_be_reached(monkeypatch):
    import importlib.util

    import pytest
    import yaml

    spec = importlib.util.spec_from_file_location("sync_setup_cell", ROOT / "scripts" / "sync_setup_cell.py")
    sync = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sync)

    def unreachable(command, check):
        raise subprocess.CalledProcessError(1, command)

    monkeypatch.setattr(subprocess, "run", unreachable)
    monkeypatch.setitem(sys.modules, "fmlib", None)  # a fresh Colab runtime: fmlib is missing
    with pytest.raises(RuntimeError) as failure:
        exec(sync.setup_cell_source(), {})
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    message = str(failure.value)
    assert url in message and "pip install" in message
