"""What the chapters take from fmlib: named settings, the named loss, and the book's look."""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def code(path):
    """A chapter's code cells, its exercises' solutions included, as one string."""
    notebook = json.loads(path.read_text())
    return "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")


# fmlib.recipes.LONG_SPIRAL and HAWLEY_2D spelled out, as they were copied before they had a name.
SPELLED_OUT = [r"steps=10_?000,\s*lr=5e-3", r"batch_size=2048,\s*lr=3e-3"]


@pytest.mark.parametrize("path", CHAPTERS + sorted((ROOT / "benchmarks").glob("*.py")), ids=lambda p: p.name)
def test_settings_come_from_fmlib_recipes(path):
    source = code(path) if path.suffix == ".ipynb" else path.read_text()
    assert not [pattern for pattern in SPELLED_OUT if re.search(pattern, source)], "use fmlib.recipes"
    # A cached model is named by its recipe.
    for call in re.findall(r"trained_model\((.*?)\)", source, re.S):
        call = re.sub(r",\s*coupling=\"\w+\"", "", call)  # how pairs are drawn, not a setting
        assert "recipes." in call or "LONG_SPIRAL" in call or call.count(",") == 1, call


@pytest.mark.parametrize("number", ["01", "04"])
def test_hand_written_loss_is_checked_against_fmlib(number):
    (path,) = [p for p in CHAPTERS if p.name.startswith(number)]
    assert re.search(r"assert .*flow_matching_loss\(", code(path), re.S), "assert the loss equals fmlib's"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_sets_the_book_style(path):
    assert "viz.use_book_style()" in code(path)
