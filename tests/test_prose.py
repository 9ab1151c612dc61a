"""What a reader sees says nothing of how the book was planned, and every number in it is computed.

Two rules (DESIGN.md, "Words a reader sees"):

- no planning words ("seed" for a source tutorial, "bar", "issue", "info", paths
  under benchmarks/) and no machine paths in chapters, book pages, fmlib's
  docstrings and messages, or the built website;
- every number a chapter's text quotes (decimals, percentages, "N times") is
  printed by the chapter or by an exercise's solution, or written in its code, so
  that a change which moves a result fails the tests instead of leaving a false
  sentence. The check reads each chapter as this test run's nbval executed it,
  solutions included (conftest.py keeps it), so nothing runs twice.

The planning-word list itself lives in tests/conftest.py (the website's test uses it too).
"""

import ast
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def reader_text(path):
    """What a reader of `path` sees: a chapter's cells (code comments show in Colab too), a page's
    Markdown, or a module's docstrings and strings (help(), messages, printed output)."""
    if path.suffix == ".ipynb":
        return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"])
    if path.suffix == ".py":
        tree = ast.parse(path.read_text())
        return "\n".join(
            node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
        )
    return path.read_text()


READER_FILES = CHAPTERS + sorted((ROOT / "book").glob("*.md")) + sorted((ROOT / "fmlib").rglob("*.py"))


@pytest.mark.parametrize("path", READER_FILES, ids=lambda p: p.name)
def test_no_planning_words_in_what_readers_see(path, planning_words):
    # Where the model cache lives (~/.cache/fmlib) is documentation, not a machine's path.
    text = reader_text(path).replace("~/.cache/fmlib", "")
    assert not planning_words(text), planning_words(text)


def test_the_planning_word_check_can_fail(planning_words):
    assert planning_words("the seed tutorial's bar, see issue 4 and benchmarks/all.py")
    assert planning_words("loaded from the cache: /root/.cache/fmlib/x.pt")
    assert not planning_words("a progress bar, a colour bar, two seeds, seed=0 and the seed-to-seed spread")


# Numbers: a decimal, a percentage, or a count of times ("5.5 times", "3x").
PROSE_NUMBER = re.compile(
    r"(?<![\w.\\^_/{-])(?P<value>\d+(?:\.\d+)?)(?P<kind>\s?%|\s?(?:times\b|×|x\b|-fold\b))?(?![\w.])"
)
ANY_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _outputs_text(cell):
    text = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            text.append("".join(output["text"]))
        elif "data" in output and "text/html" not in output["data"]:
            text.append("".join(output["data"].get("text/plain", "")))
        elif output["output_type"] == "error":
            text.append(output["evalue"])
    return "\n".join(text)


def backing_values(notebook):
    """The numbers the executed `notebook` writes in its code (solutions included) and prints: two lists."""
    code, printed = [], []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            code.append("".join(cell["source"]))
            printed.append(_outputs_text(cell))

    def numbers(texts):
        return [float(v) for v in ANY_NUMBER.findall("\n".join(texts).replace("_", ""))]

    return numbers(code), numbers(printed)


def quoted_numbers(notebook):
    """(text, value, kind) for every decimal, percentage or 'N times' in the prose."""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        prose = re.sub(r"\]\([^)]*\)", "]", "".join(cell["source"]))  # link targets
        for match in PROSE_NUMBER.finditer(prose):
            value, kind = match.group("value"), (match.group("kind") or "").strip()
            if "." not in value and not kind:
                continue  # plain whole numbers: counts and settings, set in the code
            yield match.group(0), value, "percent" if kind == "%" else "ratio" if kind else "decimal"


def unbacked_numbers(notebook):
    """The numbers quoted in `notebook`'s prose that its outputs (or, for settings, its code) do not give.

    A decimal is backed by a printed or written value that agrees with it to one
    unit of its last digit (0.05 by 0.0498 and by 0.06). A ratio ("5.5 times",
    "3x") must be printed, rounding to it (4.6 backs "5 times", 4.4 does not); a
    percentage p % by a printed p or a printed fraction within 0.01 of p / 100.
    """
    code, printed = backing_values(notebook)
    missing = []
    for text, value, kind in quoted_numbers(notebook):
        x = float(value)
        unit = 10.0 ** -(len(value.split(".")[1]) if "." in value else 0)
        if kind == "decimal":
            backed = any(abs(v - x) <= unit + 1e-9 for v in code + printed)
        elif kind == "ratio":
            backed = any(abs(v - x) <= unit / 2 + 1e-9 for v in printed)
        else:
            backed = any(abs(v - x) <= unit / 2 + 1e-9 or abs(v - x / 100) <= 0.01 for v in printed)
        if not backed:
            missing.append(text)
    return missing


@pytest.mark.notebooks
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_quoted_number_is_printed(path, executed_chapter):
    missing = unbacked_numbers(executed_chapter(path))
    assert not missing, f"quoted but not printed: {missing}"


def test_the_number_check_can_fail():
    def notebook(prose, printed):
        return {
            "cells": [
                {"cell_type": "markdown", "source": [prose]},
                {
                    "cell_type": "code",
                    "source": ["print(x)"],
                    "outputs": [{"output_type": "stream", "text": [printed]}],
                },
            ]
        }

    assert unbacked_numbers(notebook("about 5.5 times closer, at 0.048", "0.048 and 5.47")) == []
    assert unbacked_numbers(notebook("about three times closer: 0.263 and 0.048", "0.263 0.048")) == []
    assert unbacked_numbers(notebook("it is 3 times closer, 12 % better", "ratio 5.5, gain 0.12")) == ["3 times"]
    assert unbacked_numbers(notebook("a loss of 1.84", "floor 1.9012")) == ["1.84"]
