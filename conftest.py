"""Each chapter executes once per test run, and what it printed is kept for the website and the checks.

nbval runs every notebook in notebooks/ top to bottom in a fresh kernel, one
pytest item per code cell, exercise solutions included. This plugin listens to
the kernel's messages during that run, builds the executed notebook from them
exactly as Jupyter Book's executor would (nbclient's own message handling:
progress bars that redraw, display updates), and, when every cell of a chapter
passed, stores it in Jupyter Book's execution cache (`execute.cache` in
_config.yml). `make book` then finds every chapter there and executes none, and
the tests that read a chapter's printed numbers take them from the same place
(the `executed_chapter` and `stored_execution` fixtures).

The kernels run with FMLIB_PHONE_FIGURES=1, as `make book` runs them, so the
stored figures carry the column a phone shows. Widget state is not stored (the
website shows each panel's picture instead, _config.yml says why). A chapter
that fails stores nothing, and its earlier execution is removed.
"""

from __future__ import annotations

import contextlib
import copy
import os
import pathlib
import time

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent
PHONE_FIGURES = "FMLIB_PHONE_FIGURES"  # fmlib.viz's switch; not imported here, to keep collection cheap


def execution_cache():
    """Jupyter Book's execution cache, as _config.yml names it."""
    from jupyter_cache import get_cache

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return get_cache(str(ROOT / config["execute"]["cache"]))


def cached_execution(path, when=False):
    """The executed notebook stored for the chapter at `path` as it now reads, or None; `when`: when it was stored."""
    import datetime

    import nbformat

    notebook, cache = nbformat.read(str(path), as_version=4), execution_cache()
    try:
        record = cache.match_cache_notebook(notebook)
    except KeyError:
        return None
    if when:
        return record.created.replace(tzinfo=datetime.timezone.utc)  # the cache keeps UTC, without its zone
    return cache.merge_match_into_notebook(notebook)[1]


def is_notebook_cell(item):
    from nbval.plugin import IPyNbCell

    return isinstance(item, IPyNbCell)


def pytest_collection_modifyitems(items):
    for item in items:
        if is_notebook_cell(item):
            item.add_marker(pytest.mark.notebooks)


class Recording:
    """One chapter's run: a copy of the notebook that nbclient fills from the kernel's messages."""

    def __init__(self, notebook_file):
        from nbclient import NotebookClient

        self.notebook = copy.deepcopy(notebook_file.nb)
        # A run that fails leaves nothing stored, not an earlier run's outputs of the same cells.
        cache = execution_cache()
        with contextlib.suppress(KeyError):
            cache.remove_cache(cache.match_cache_notebook(self.notebook).pk)
        self.client = NotebookClient(self.notebook, record_timing=False)
        self.client.kc = notebook_file.kernel.kc  # an Output widget answers the kernel, as in a front end
        self.code_cells = [cell for cell in self.notebook.cells if cell.cell_type == "code"]
        self.messages, self.msg_id, self.passed, self.started = [], None, 0, time.perf_counter()
        kernel = notebook_file.kernel
        get_message = kernel.get_message

        def recorded_message(stream, timeout=None):
            message = get_message(stream, timeout=timeout)
            if stream == "iopub":
                self.messages.append(message)
            return message

        def executed_as_in_a_notebook(source, allow_stdin=None):
            # nbval asks the kernel not to store history, where IPython looks for a cell's closing ";"
            # (a figure would show twice) and counts executions: run each cell as a notebook does.
            self.msg_id = kernel.kc.execute(source, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)
            return self.msg_id

        kernel.get_message, kernel.execute_cell_input = recorded_message, executed_as_in_a_notebook

    def fill(self, number):
        """Give code cell `number` the outputs and execution count its messages carry, as nbclient would."""
        from nbclient.exceptions import CellExecutionComplete

        cell = self.code_cells[number]
        cell.outputs = []
        index = self.notebook.cells.index(cell)
        self.client.clear_before_next_output = False  # as nbclient starts every cell
        for message in self.messages:
            if message["parent_header"].get("msg_id") == self.msg_id:
                try:
                    self.client.process_message(message, cell, index)
                except CellExecutionComplete:
                    break
        self.messages = []

    def store(self, path):
        from jupyter_cache.base import CacheBundleIn

        seconds = time.perf_counter() - self.started
        bundle = CacheBundleIn(self.notebook, str(path), data={"execution_seconds": seconds})
        execution_cache().cache_notebook_bundle(bundle, check_validity=False, overwrite=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    # nbval starts the chapter's kernel in the setup of its first cell: it inherits this environment.
    if not is_notebook_cell(item):
        yield
        return
    before = os.environ.get(PHONE_FIGURES)
    os.environ[PHONE_FIGURES] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[PHONE_FIGURES]
        else:
            os.environ[PHONE_FIGURES] = before


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if not is_notebook_cell(item):
        yield
        return
    notebook_file = item.parent
    # A new recording at the first cell (or the first selected one, under -k).
    if item.cell_num == 0 or not hasattr(notebook_file, "recording"):
        notebook_file.recording = Recording(notebook_file)
    recording = notebook_file.recording
    outcome = yield
    recording.fill(item.cell_num)
    recording.passed += outcome.excinfo is None
    if item.cell_num == len(recording.code_cells) - 1 and recording.passed == len(recording.code_cells):
        recording.store(item.path)


@pytest.fixture(scope="session")
def stored_execution():
    """`stored_execution(path, when=False)`: the chapter as last executed and stored, or None (cached_execution)."""
    return cached_execution


@pytest.fixture
def executed_chapter():
    """`executed_chapter(path)`: the chapter as this test run executed it (from the execution cache)."""

    def executed(path):
        notebook = cached_execution(path)
        if notebook is None:
            pytest.fail(f"{path.name} has not been executed as it now reads: run pytest {path.relative_to(ROOT)}")
        return notebook

    return executed
