"""House rules of the book that a reader in Jupyter, Colab or on the website would trip over."""

import ast
import json
import pathlib
import re

import exercises
import pytest
import sync_setup_cell as sync
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]

CHAPTERS = sync.chapters()


def cells(path):
    return json.loads(path.read_text())["cells"]


def text(path, kind):
    """All of a chapter's `kind` ("markdown" or "code") cells, as one string."""
    return "".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == kind)


def test_there_are_chapters():
    assert CHAPTERS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_first_code_cell_is_the_setup_cell_from_config(path):
    first = sync.first_code_cell({"cells": cells(path)})
    assert "".join(first["source"]) == sync.setup_cell_source(), "run: python scripts/sync_setup_cell.py"
    assert json.loads(path.read_text())["cells"][0]["cell_type"] == "markdown", "a chapter opens with its title"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    executed = [c for c in cells(path) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
    assert not executed, "clear the outputs before committing"
    assert all("id" in c for c in cells(path)), "nbformat 4.5 cells need an id (nbformat.validator.normalize)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_code_lines_fit_the_page(path):
    # 79 characters fit a code box on a 1280-pixel screen (book/_static/book.css);
    # longer lines scroll sideways on the website.
    code = ["".join(c["source"]) for c in cells(path) if c["cell_type"] == "code"]
    long = [line for block in code for line in block.splitlines() if len(line) > 79]
    assert not long, long


@pytest.mark.parametrize("path", CHAPTERS + sorted((ROOT / "fmlib").rglob("*.py")), ids=lambda p: p.name)
def test_figures_fit_the_page(path):
    # fmlib.viz.page_png narrows a figure to the text column (viz.PAGE_WIDTH)
    # and keeps its labels at 9 points or more: a figure planned much wider
    # than that crowds its panels. Many panels go in a grid
    # (fmlib.viz.panel_grid), not in one long row.
    source = text(path, "code") if path.suffix == ".ipynb" else path.read_text()
    widths = [float(w) for w in re.findall(r"figsize=\(([0-9.]+)\s*,", source)]
    assert all(width <= 10 for width in widths), widths


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_markdown_cells_use_no_myst_directive_fences_and_hold_no_python(path):
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            assert not re.search(r"^(```|:::)\{", "".join(cell["source"]), re.M), "shows as raw text in Jupyter"
            # Code goes in code cells, where it runs and the numbers it prints are checked.
            assert not re.search(r"^```python", "".join(cell["source"]), re.M), "put this code in a code cell"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_objectives_summary_and_exercises_of_each_kind(path):
    markdown = text(path, "markdown")
    code = text(path, "code")
    assert "**You will learn to**" in "".join(cells(path)[0]["source"]), "objectives open the chapter"
    assert len(exercises.exercises(path)) >= 3
    assert "## Summary" in markdown and "## Self-check" in markdown
    assert code.count("assert ") >= 1
    kinds = set(re.findall(r"\*\*Exercise \d+ \((conceptual|coding|exploratory|derivation):", markdown))
    # every chapter has the first three kinds; the theory chapters also a derivation with pen and paper
    assert kinds - {"derivation"} == {"conceptual", "coding", "exploratory"}, kinds
    assert ("derivation" in kinds) == (path.name in THEORY_CHAPTERS), kinds
    # A coding exercise gives a cell to fill in and a check that tells the student
    # whether they have it; its folded solution asserts that the check passes.
    fill_in = exercises.fill_in_cells(json.loads(path.read_text()))
    assert fill_in, "no cell to fill in"
    for cell in fill_in:
        check = exercises.check_called(cell)
        assert check, "a cell to fill in ends by calling its check"
        assert f"assert {check}(" in code, "the solution asserts the check"


THEORY_CHAPTERS = {
    "03_why_it_works.ipynb",
    "09_paths_and_diffusion.ipynb",
    "10_likelihood.ipynb",
    "12_general_theorem.ipynb",
    "13_diffusion.ipynb",
    "14_mean_flows.ipynb",
}
WORDS_A_MINUTE = 80  # prose with maths and code beside it: what the chapters' stated times come to


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_states_its_reading_time(path):
    opening = "".join(cells(path)[0]["source"])
    stated = re.search(r"\*Reading time about (\d+) minutes\.\*", opening)
    assert stated, "say how long the chapter takes to read"
    prose = [c for c in cells(path) if c["cell_type"] == "markdown" and not exercises.is_solution(c)]
    words = sum(len("".join(c["source"]).split()) for c in prose)
    assert abs(int(stated.group(1)) - 5 * round(words / WORDS_A_MINUTE / 5)) <= 5, words


def glossary_entries():
    """{the anchor Sphinx gives a glossary term: the term's entry, links included}."""
    text = (ROOT / "book" / "glossary.md").read_text()
    block = text.split("```{glossary}\n")[1].split("\n```\n")[0]
    entries = re.split(r"\n\n(?=\S)", block)
    return {re.sub(r"[^a-zA-Z0-9._]+", "-", entry.splitlines()[0]).strip("-"): entry for entry in entries}


def test_the_glossary_is_alphabetical_and_each_entry_links_a_chapter():
    entries = glossary_entries()
    terms = [entry.splitlines()[0] for entry in entries.values()]
    assert len(terms) > 30
    assert terms == sorted(terms, key=str.lower)
    for anchor, entry in entries.items():
        assert re.search(r"\]\(\.\./notebooks/\d\d_\w+\.ipynb\)", entry), f"{anchor} links no chapter"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_links_its_terms_to_the_glossary_and_its_sources_to_the_references(path):
    opening = "".join(cells(path)[0]["source"])
    assert "../book/glossary.md#term-" in opening, "link the terms the chapter introduces"
    entries = glossary_entries()
    for anchor in re.findall(r"glossary\.md#term-([\w-]+)", opening):
        assert anchor in entries, f"no glossary entry {anchor}"
        assert path.stem in entries[anchor], f"the glossary's {anchor} does not link this chapter, which introduces it"
    markdown = text(path, "markdown")
    keys = re.findall(r"references\.md#cite-(\w+)", markdown)
    assert keys, "cite the sources where they are used"
    bib = (ROOT / "book" / "references.bib").read_text()
    for key in keys:
        assert re.search(rf"@\w+{{{key},", bib), f"no bibliography entry {key}"


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return entries


def test_every_toc_entry_exists_and_every_chapter_is_in_the_toc():
    for entry in toc_files():
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), entry
    listed = {entry for entry in toc_files() if entry.startswith("notebooks/")}
    assert listed == {f"notebooks/{p.stem}" for p in CHAPTERS}


def test_setup_cell_installs_fmlib_from_the_configured_repository_only_when_missing(monkeypatch):
    import subprocess
    import sys

    source = sync.setup_cell_source()
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, check: calls.append(command))
    exec(source, {})  # fmlib is installed here: the cell must do nothing
    assert calls == []
    # A fresh Colab runtime: `import fmlib` fails, so the cell must pip-install it from the
    # address in _config.yml (faked here: the second import still fails, and no network is used).
    monkeypatch.setitem(sys.modules, "fmlib", None)
    with pytest.raises(ModuleNotFoundError):
        exec(source, {})
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert calls == [[sys.executable, "-m", "pip", "install", "-q", f"fmlib @ git+{url}"]]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_solutions_are_folded_in_every_front_end(path):
    # Code: hidden with its output on the website (hide-cell), in JupyterLab and Notebook 7
    # (jupyter.source_hidden, outputs_hidden) and in Colab (a form, titled by its first line).
    # Markdown: inside <details>, which every front end folds.
    solutions = exercises.solution_cells(json.loads(path.read_text()))
    assert {cell["cell_type"] for cell in solutions} == {"code", "markdown"}
    for cell in solutions:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            assert "hide-cell" in cell["metadata"]["tags"], source[:60]
            assert cell["metadata"]["mystnb"]["code_prompt_show"] == "Show the solution's code and output"
            assert cell["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}, source[:60]
            assert cell["metadata"]["cellView"] == "form" and source.startswith(exercises.COLAB_TITLE), source[:60]
        else:
            assert re.fullmatch(r"<details>\n<summary>Solution(, continued)?</summary>\n\n.+\n</details>", source, re.S)
            assert exercises.unfolded(cell) and "<details>" not in exercises.unfolded(cell), source[:60]


DRAWS = re.compile(r"plt\.subplots|\bax\.|\baxes\[|viz\.(?!use_book_style)\w+\(|widgets\.Panel\(")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_plotting_cells_are_folded_alike_in_every_chapter(path):
    # One rule for every chapter: a cell that draws a figure, an animation or a panel
    # is folded on the website (hide-input), so the idea's code reads between the
    # paragraphs; and a folded cell computes nothing the text relies on (it trains
    # and prints nothing), so folding never hides the idea. An exercise's solution
    # is folded whole, output and all (test_solutions_are_folded_in_every_front_end).
    for cell in cells(path):
        if cell["cell_type"] != "code" or exercises.is_solution(cell):
            continue
        source = "".join(cell["source"])
        folded = "hide-input" in cell["metadata"].get("tags", [])
        if DRAWS.search(source):
            assert folded, f"fold this drawing cell (tag hide-input): {source[:80]!r}"
        if folded and not source.startswith("# Setup."):
            assert not re.search(r"fmlib\.train\(|^print\(", source, re.M), f"a folded cell computes: {source[:80]!r}"


# What a code cell shows on the website. An animation is a <video>; a drawing cell
# (DRAWS) is a picture, and so is a widget panel whose fallback, without a kernel,
# is a picture of its default state. MorphPanel's fallback is a note, not a picture.
ANIMATION = re.compile(r"viz\.animate_\w+\(")
PICTURE_PANEL = re.compile(r"widgets\.(?:Panel|mixture_explorer)\(")
WIDGET = re.compile(r"widgets\.(\w+)\(")
KNOWN_WIDGETS = {"Panel", "mixture_explorer", "MorphPanel"}


def shown_as(source):
    """ "video", "picture" or None (text, a note or nothing) for a code cell's `source`."""
    if ANIMATION.search(source):
        return "video"
    if DRAWS.search(source) or PICTURE_PANEL.search(source):
        return "picture"
    return None


def caption_problems(cells):
    """What keeps the figures and videos among `cells` from a numbered caption and a text for screen readers.

    The website wraps a cell's output in a numbered figure from its metadata
    {"mystnb": {"figure": {"caption", "name"}, "image": {"alt"}}} (MyST-NB); a
    picture needs the alt text too (a video is named by fmlib.video). A picture
    cell whose last line is an expression must end it with ";", or Jupyter shows
    the figure twice, and two figures with one name fail the build.
    """
    problems = []
    for cell in cells:
        source = "".join(cell["source"])
        kind = shown_as(source) if cell["cell_type"] == "code" else None
        if kind is None:
            continue
        options = cell["metadata"].get("mystnb", {})
        figure, alt = options.get("figure", {}), options.get("image", {}).get("alt", "")
        if not (figure.get("caption", "").strip() and figure.get("name")):
            problems.append(f"no caption and name for this {kind}: {source[:60]!r}")
        if re.search(r"fmlib\.train\(", source):
            problems.append(f"train in a cell of its own (its progress bar would share the caption): {source[:60]!r}")
        if kind == "picture" and len(alt.split()) < 5:
            problems.append(f"no alt text (5 words or more) for this picture: {source[:60]!r}")
        if alt and alt == figure.get("caption"):
            problems.append(f"the alt text repeats the caption instead of describing the picture: {source[:60]!r}")
        last = ast.parse(source).body[-1]
        rest = source.splitlines()[last.end_lineno - 1][last.end_col_offset :]
        if kind == "picture" and not PICTURE_PANEL.search(source) and isinstance(last, ast.Expr):
            if not rest.lstrip().startswith(";"):
                problems.append(f"end the last line with ';' or the figure shows twice: {source[-60:]!r}")
    return problems


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_figure_and_video_has_a_caption_and_a_text_for_screen_readers(path):
    code = text(path, "code")
    assert set(WIDGET.findall(code)) <= KNOWN_WIDGETS, "say in shown_as() whether a new widget shows a picture"
    problems = caption_problems(cells(path))
    assert not problems, problems


@pytest.mark.notebooks
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_each_figure_shows_once_in_the_executed_chapter(path, executed_chapter):
    # Two pictures in one figure's cell would be two figures of one name on the website.
    for cell in executed_chapter(path).cells:
        if cell.cell_type == "code" and cell.metadata.get("mystnb", {}).get("figure"):
            pictures = [output for output in cell.outputs if "image/png" in output.get("data", {})]
            assert len(pictures) <= 1, cell.source[:80]


def test_figure_names_are_unique_and_say_their_chapter():
    # fig-<a word of the chapter's file name>-<what it shows>: a name that stays
    # when chapters are renumbered, as links to it from other pages would.
    names = []
    for path in CHAPTERS:
        for cell in cells(path):
            name = cell["metadata"].get("mystnb", {}).get("figure", {}).get("name")
            if name:
                words = path.stem.split("_")[1:]
                assert re.fullmatch(r"fig-[a-z0-9]+-[a-z0-9-]+", name) and name.split("-")[1] in words, (
                    path.name,
                    name,
                )
                names.append(name)
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    # Every link to a figure ([the figure below](#fig-...)) names one that exists.
    for path in CHAPTERS:
        for target in re.findall(r"\]\(#(fig-[\w-]+)\)", text(path, "markdown")):
            assert target in names, (path.name, target)


def test_the_caption_check_can_fail():
    def cell(source, **mystnb):
        return {"cell_type": "code", "source": [source], "metadata": {"mystnb": mystnb}}

    caption = {"caption": "Two clouds.", "name": "fig-morphing-clouds"}
    alt = {"alt": "A blue cloud and an orange cloud side by side."}
    assert caption_problems([cell("fig, ax = plt.subplots()\nax.plot(x);", figure=caption, image=alt)]) == []
    assert caption_problems([cell("viz.animate_clouds(tr, times)", figure=caption)]) == []
    assert caption_problems([cell("print(x)")]) == []
    assert len(caption_problems([cell("viz.gallery(pairs);", image=alt)])) == 1  # no caption
    assert len(caption_problems([cell("viz.gallery(pairs);", figure=caption)])) == 1  # no alt text
    assert len(caption_problems([cell("viz.animate_fields(fields, titles)")])) == 1
    assert len(caption_problems([cell("viz.gallery(pairs)", figure=caption, image=alt)])) == 1  # shown twice
    assert len(caption_problems([cell("fmlib.train(m, 'a', 'b')\nviz.gallery(p);", figure=caption, image=alt)])) == 1


def bibliography():
    """{key: {field: value}} of book/references.bib (one field per line, as the file is written)."""
    entries = {}
    for key, body in re.findall(r"@\w+\{(\w+),\n(.*?)\n\}", (ROOT / "book" / "references.bib").read_text(), re.S):
        entries[key] = dict(re.findall(r"^\s*(\w+) = \{(.*)\},?$", body, re.M))
    return entries


def test_every_reference_gives_its_authors_year_and_address():
    entries = bibliography()
    assert len(entries) > 5
    for key, fields in entries.items():
        assert {"author", "year"} <= set(fields), f"{key}: give its authors and year"
        assert "url" in fields or "doi" in fields, f"{key}: give a URL or DOI"
