# The book's commands (see README.md):
#   make book   build the website into _build/html, executing every chapter not already
#               executed (and kept in the execution cache) by the tests
#   make test   every test: each chapter executed once by nbval, solutions included; the
#               checks of what it printed; fmlib's unit tests; the website in a browser
#   make test-fast  fmlib's unit tests and the book's house rules: no chapter, no browser
#   make lint   check the Python code and the chapters' code cells with ruff (pyproject.toml)
#   make student  write the student edition, every chapter without its solutions, into student/
#   make test-no-browser  every test that needs no browser (what the publishing workflow runs)
#   make publish-settings URL=https://github.com/you/your-copy   point the book at your copy
# The first three create the virtual environment .venv on first use; `make student`
# needs only Python.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book test test-fast test-no-browser lint student publish-settings clean

$(BIN)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Jupyter Book's execution cache and Sphinx's environment both key on the
# notebooks alone, not on fmlib or the book's Sphinx extensions: build afresh
# whenever they change, or conftest.py, which stores the tests' executions there,
# so no page shows stale figures.
_build/.fmlib-stamp: $(shell find fmlib book/_ext -name '*.py') conftest.py
	rm -rf _build
	mkdir -p _build
	touch $@

# Sphinx writes no page, and so copies no static file, when no page changed:
# after an edit to the book's style sheet or scripts, write every page again
# (the chapters' executed outputs stay in the execution cache).
_build/.static-stamp: _build/.fmlib-stamp $(wildcard book/_static/*)
	rm -rf _build/html
	touch $@

book: $(BIN)/.installed _build/.static-stamp
	$(BIN)/python scripts/vendor_mathjax.py
	$(BIN)/python scripts/export_live_models.py
	FMLIB_PHONE_FIGURES=1 $(BIN)/jupyter-book build . -W --keep-going

# The build stamps first: a stale build is removed before nbval fills the execution
# cache, not after (the website test builds from what nbval executed).
test: $(BIN)/.installed _build/.static-stamp
	$(BIN)/pytest

test-no-browser: $(BIN)/.installed _build/.static-stamp
	$(BIN)/pytest -m "not browser"

publish-settings: $(BIN)/.installed
	@test -n "$(URL)" || { echo "give the address of your copy: make publish-settings URL=https://github.com/you/your-copy"; exit 2; }
	$(BIN)/python scripts/publish_settings.py "$(URL)"

test-fast: $(BIN)/.installed
	$(BIN)/pytest -m "not notebooks and not browser and not colab"

LINTED := fmlib tests benchmarks scripts book/_ext conftest.py

# The chapters' code cells are linted, not reformatted (see pyproject.toml), at the
# 79 characters a code box on the website shows.
lint: $(BIN)/.installed
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check --line-length 79 notebooks

# Only the standard library: it works from a fresh clone, before anything is installed.
student:
	$(PYTHON) scripts/exercises.py student

clean:
	rm -rf _build $(VENV) student
