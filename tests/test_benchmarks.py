"""The book's pages quote the last benchmark run (benchmarks/results.json), and nothing else.

benchmarks/all.py measures and writes results.json and the Performance page's
table and summary; the run times in the instructor guide and at the top of each
chapter are typed by hand. These tests fail when any of them drifts from
results.json, or when a chapter has no timing.
"""

import ast
import importlib.util
import json
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = json.loads((ROOT / "benchmarks" / "results.json").read_text())
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def benchmarks_all():
    sys.path.insert(0, str(ROOT / "benchmarks"))  # all.py imports its sibling scripts
    spec = importlib.util.spec_from_file_location("benchmarks_all", ROOT / "benchmarks" / "all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def chapter_times(rows):
    """{chapter number: (seconds of the first run, seconds again)} from the rows of a run."""
    measured = {row["claim"]: row["measured"] for row in rows}
    run = benchmarks_all()
    times = {}
    for path in CHAPTERS:
        name = run.chapter_claim(path)
        times[int(path.name[:2])] = (measured.get(name + run.FIRST), measured.get(name + run.AGAIN))
    return times


def guide_times(guide):
    """{chapter number: (first run, again)} as the instructor guide's table gives them, in seconds."""
    times = {}
    for line in guide.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"(\d+) .*", cells[0])
        if match and len(cells) == 4:
            first, again = (int(n) for n in re.fullmatch(r"(\d+)\s+s, (\d+)\s+s", cells[2]).groups())
            times[int(match.group(1))] = (first, again)
    return times


CACHED = ("trained_model", "trained_checkpoints")
"""fmlib's functions that train a model once and keep it on disk (`fmlib.cache`)."""


def trained_model_calls(path):
    """The calls to fmlib's cache of trained models in the chapter at `path`, as source text."""
    calls = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                function = getattr(node, "func", None)
                if getattr(function, "attr", getattr(function, "id", None)) in CACHED:
                    calls.append(ast.unparse(node))
    return calls


def keeps_models(path):
    """Whether the chapter at `path` asks fmlib's cache for a trained model (so its second run is shorter)."""
    return bool(trained_model_calls(path))


def stated_run_time(opening):
    """The run time a chapter's opening states: (seconds the first time, seconds once cached), or (seconds,)."""
    text = " ".join(opening.split())
    two = re.search(
        r"Run time: about (\d+) seconds on two CPU cores the first time, [^;]*; about (\d+) seconds once", text
    )
    one = re.search(r"Run time: about (\d+) seconds on two CPU cores\.", text)
    return tuple(int(n) for n in (two or one).groups())


def to_five(seconds):
    return 5 * round(seconds / 5)


def test_every_chapter_is_timed_twice():
    times = chapter_times(RESULTS["rows"])
    assert all(first and again for first, again in times.values()), times


def test_the_performance_page_shows_the_last_run():
    pages = benchmarks_all().pages(RESULTS["machine"], RESULTS["repeats"], RESULTS["rows"])
    for path, text in pages.items():
        assert path.read_text(encoding="utf-8") == text, "run: .venv/bin/python benchmarks/all.py --write-only"


def test_the_instructor_guide_quotes_the_measured_run_times():
    guide = guide_times((ROOT / "book" / "instructors.md").read_text())
    measured = chapter_times(RESULTS["rows"])
    assert sorted(guide) == sorted(measured), "one row per chapter"
    for chapter, (first, again) in measured.items():
        assert guide[chapter] == (to_five(first), to_five(again)), f"chapter {chapter}: to the nearest 5 s"


def test_the_run_time_check_can_fail():
    table = "\n".join(
        [
            "| chapter | idea | run: first, again | discuss |",
            "|---|---|---|---|",
            "| 7 Reflow | x | 65 s, 45 s | 45 min |",
        ]
    )
    assert guide_times(table) == {7: (65, 45)}
    assert to_five(67.2) == 65 != to_five(43.6) == 45
    with pytest.raises(AttributeError):
        guide_times(table.replace("45 s |", "about 45 s |"))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_each_chapter_states_its_measured_run_time(path):
    first, again = chapter_times(RESULTS["rows"])[int(path.name[:2])]
    opening = "".join(json.loads(path.read_text())["cells"][0]["source"])
    if keeps_models(path):  # the first run trains what the second loads
        assert stated_run_time(opening) == (to_five(first), to_five(again)), "to the nearest 5 s, both runs"
    else:  # both runs do the same work: one number, between them
        assert stated_run_time(opening) == (to_five((first + again) / 2),), "to the nearest 5 s, the two runs' mean"


@pytest.mark.parametrize("page", ["instructors.md", "performance.md"])
def test_the_pages_name_the_chapters_that_keep_no_models(page):
    text = " ".join((ROOT / "book" / page).read_text().split())
    named = re.search(r"Chapters ([\d, and]+) keep no models", text).group(1)
    assert [int(n) for n in re.findall(r"\d+", named)] == [int(p.name[:2]) for p in CHAPTERS if not keeps_models(p)]


def models_first_trained_by():
    """The chapters that are first, in reading order, to ask the cache for some trained model."""
    first = {}
    for path in CHAPTERS:
        for call in trained_model_calls(path):
            first.setdefault(call, int(path.name[:2]))
    return sorted(set(first.values()))


@pytest.mark.parametrize("page", ["instructors.md", "setup.md"])
def test_the_pages_name_the_chapters_that_fill_a_shared_cache(page):
    text = " ".join((ROOT / "book" / page).read_text().split())
    named = re.search(r"run chapters ([\d, and]+) once", text).group(1)
    assert [int(n) for n in re.findall(r"\d+", named)] == models_first_trained_by()


def test_the_instructor_guide_quotes_what_a_missing_model_costs():
    times = chapter_times(RESULTS["rows"])
    costs = [times[int(path.name[:2])][0] - times[int(path.name[:2])][1] for path in CHAPTERS if keeps_models(path)]
    text = " ".join((ROOT / "book" / "instructors.md").read_text().split())
    low, high = (int(n) for n in re.search(r"adds (\d+) to (\d+) seconds to each of these chapters", text).groups())
    assert low <= min(costs) and max(costs) <= high, f"first run minus the run again: {costs}"


def test_the_performance_page_quotes_this_runs_total():
    text = " ".join((ROOT / "book" / "performance.md").read_text().split())
    count, quoted = re.search(r"([\d.]+) minutes \((\w+) chapters, this run\)", text).group(2, 1)
    words = (
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
        "eighteen nineteen twenty"
    ).split()
    assert count == words[len(CHAPTERS) - 1], "this run timed every chapter"
    quoted = float(quoted)
    total = {row["claim"]: row["measured"] for row in RESULTS["rows"]}[benchmarks_all().BOOK_FIRST]
    assert quoted == round(total / 60, 1), "the later of the two runs is the one results.json holds"


def test_the_stated_run_time_check_can_fail():
    assert stated_run_time("Run time: about 40 seconds on two CPU cores.\n") == (40,)
    cached = (
        "Run time: about 45 seconds on two CPU cores the first time, when it trains\na model; about 20 seconds once"
    )
    assert stated_run_time(cached) == (45, 20)
    with pytest.raises(AttributeError):
        stated_run_time("Run time: under a minute on a laptop CPU.")


def test_the_longer_spiral_models_training_time_is_quoted_as_measured():
    measured = {row["claim"]: row["measured"] for row in RESULTS["rows"]}["2D: training time, longer setting"]
    cells = json.loads((ROOT / "notebooks" / "04_morphing_2d.ipynb").read_text())["cells"]
    chapter = " ".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    chapter = " ".join(chapter.split())
    stated = re.search(r"starting learning rate: (\d+) to (\d+) seconds on two CPU cores", chapter)
    landing = re.search(
        r"learned in (\d+) to (\d+) seconds", " ".join((ROOT / "book" / "intro.md").read_text().split())
    )
    assert stated.groups() == landing.groups(), "the chapter and the landing page give one range"
    low, high = (int(n) for n in stated.groups())
    assert low <= measured <= high, (low, measured, high)
