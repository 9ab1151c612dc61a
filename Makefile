# The book's two commands (see README.md):
#   make book   build the website into _build/html, executing every chapter
#   make test   run fmlib's unit tests and execute every notebook with nbval
# Both create the virtual environment .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book test clean

$(BIN)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

book: $(BIN)/.installed
	$(BIN)/jupyter-book build . -W --keep-going

test: $(BIN)/.installed
	$(BIN)/pytest

clean:
	rm -rf _build $(VENV)
