"""The student edition (`make student`) and the graders' answer key, made from the chapters by scripts/exercises.py.

The student edition is executed by tests/test_book.py (each chapter's student
notebook, top to bottom in a fresh kernel, its checks saying "not yet", then the
instructor's solutions filled in, passing every check), and by nbval, since its
code cells are the chapters' own: the tests here prove that they are, and that
nothing of a solution is left.
"""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
from test_book import exercises, sync

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = exercises.chapters()


def fresh_clone(folder):
    """Copy what a clone of the working tree would hold into `folder`: the files git knows, nothing it ignores."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # not a file deleted from the working tree
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """The student edition, made by `make student` in a fresh clone, with the system's Python alone."""
    if shutil.which("git") is None or shutil.which("make") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git, make and the repository's history")
    clone = fresh_clone(tmp_path_factory.mktemp("clone"))
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    run = subprocess.run(
        ["make", "student", f"PYTHON={sys.executable}"], cwd=clone, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (clone / ".venv").exists(), "the student edition needs nothing installed"
    return clone / "student"


def test_the_edition_has_every_chapter_and_nothing_else(edition):
    assert sorted(path.name for path in edition.iterdir()) == [path.name for path in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_notebook_is_the_chapter_without_its_solutions(edition, path):
    nbformat = pytest.importorskip("nbformat")
    instructor, student = exercises.read(path), exercises.read(edition / path.name)
    nbformat.validate(nbformat.from_dict(student))
    assert {key: value for key, value in student.items() if key != "cells"} == {
        key: value for key, value in instructor.items() if key != "cells"
    }
    # Cell by cell (their ids are kept): code cells identical, so nbval's run of the
    # chapter is a run of the student notebook too; Markdown cells the same once the
    # solutions are cut out; a cell that held only solutions gone.
    kept = {cell["id"]: cell for cell in student["cells"]}
    assert list(kept) == [cell["id"] for cell in instructor["cells"] if cell["id"] in kept]
    for cell in instructor["cells"]:
        text = exercises.source(cell)
        if cell["cell_type"] == "code":
            assert kept[cell["id"]] == cell
        elif cell["id"] not in kept:
            assert not exercises.SOLUTION.sub("", text).strip(), "a cell was dropped that held more than solutions"
        else:
            left = kept[cell["id"]]
            assert {**left, "source": None} == {**cell, "source": None}
            assert exercises.source(left) == re.sub(r"\n{3,}", "\n\n", exercises.SOLUTION.sub("", text)).strip("\n")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_solution_text_or_code_survives(edition, path):
    instructor = exercises.read(path)
    solutions = exercises.solutions(instructor)
    assert solutions, "no folded solution found"
    student = (edition / path.name).read_text()
    left = "\n".join(exercises.source(cell) for cell in exercises.read(edition / path.name)["cells"])
    assert not re.search(r"<summary>\s*solution", student, re.I)
    # Every line of a solution that the chapter does not also say outside its
    # solutions (a fill-in cell repeats a function's first line, for instance).
    elsewhere = set(exercises.SOLUTION.sub("", exercises.source(c)) for c in instructor["cells"])
    outside = {line.strip() for text in elsewhere for line in text.splitlines()}
    lines = {line.strip() for solution in solutions for line in solution.splitlines()} - outside - {""}
    assert lines, "the check below would check nothing"
    survivors = [line for line in lines if line in {kept.strip() for kept in left.splitlines()}]
    assert not survivors, survivors
    assert not [block for block in exercises.solution_code(instructor) if block.strip() in left]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_notebook_keeps_the_setup_cell_and_the_cells_to_fill_in(edition, path):
    student = exercises.read(edition / path.name)
    assert exercises.source(sync.first_code_cell(student)) == sync.setup_cell_source(), "Colab needs it"
    fill_in = exercises.fill_in_cells(student)
    assert fill_in and fill_in == exercises.fill_in_cells(exercises.read(path))
    assert all(exercises.check_called(cell) for cell in fill_in)
    # Each exercise is still there, with its number and kind.
    headers = [e[:2] for e in exercises.EXERCISE.findall("".join(map(exercises.source, student["cells"])))]
    assert headers == [(str(e.number), e.kind) for e in exercises.exercises(path)]


def test_the_removal_can_fail_and_keeps_what_is_not_a_solution():
    def markdown(text):
        return {"cell_type": "markdown", "id": text[:8], "metadata": {}, "source": text.splitlines(keepends=True)}

    solution = "<details>\n<summary>Solution</summary>\n\nIt is 4.\n\n```python\nprint(4)\n```\n</details>"
    hint = "<details>\n<summary>Hint</summary>\n\nAdd.\n</details>"
    notebook = {
        "cells": [
            markdown(f"**Exercise 1 (conceptual: sums).** What is 2 + 2?\n\n{solution}\n\n**Exercise 2 (x: y).** Why?"),
            markdown(solution),
            markdown(f"Something else.\n\n{hint}"),
        ]
    }
    cells = exercises.student_notebook(notebook)["cells"]
    assert [exercises.source(cell) for cell in cells] == [
        "**Exercise 1 (conceptual: sums).** What is 2 + 2?\n\n**Exercise 2 (x: y).** Why?",
        f"Something else.\n\n{hint}",
    ]
    assert exercises.solution_code(notebook) == ["print(4)\n", "print(4)\n"]
    assert notebook["cells"][1]["source"][0] == "<details>\n", "the instructor's notebook is left as it was"


def test_the_edition_is_left_out_of_git_and_of_the_book():
    assert "student/" in (ROOT / ".gitignore").read_text().splitlines()
    config = (ROOT / "_config.yml").read_text()
    excluded = re.search(r"^exclude_patterns: \[(.*)\]", config, re.M).group(1)
    assert "student" in [pattern.strip() for pattern in excluded.split(",")]


def test_the_answer_key_is_up_to_date_and_in_the_instructor_guide():
    key = exercises.ANSWER_KEY
    assert key.read_text() == exercises.answer_key(), "run: python scripts/exercises.py answer-key"
    guide = (ROOT / "book" / "instructors.md").read_text()
    assert f"```{{include}} {key.name}\n```" in guide


def assignments(guide):
    """{(chapter, exercise): whether the guide says it has a check cell} for every "n.k (what it is)" in `guide`."""
    found = re.findall(r"\b(\d+)\.(\d+)\s+\(([^()]*)\)", guide)
    return {(int(n), int(k)): "with its check cell" in " ".join(words.split()) for n, k, words in found}


def test_the_instructor_guide_says_which_assigned_exercises_have_a_check_cell():
    checked = {
        (int(path.name[:2]), number): exercise.check is not None
        for path in CHAPTERS
        for number, exercise in enumerate(exercises.exercises(path), start=1)
    }
    assigned = assignments((ROOT / "book" / "instructors.md").read_text())
    assert len(assigned) >= 10
    for exercise, says in assigned.items():
        assert says == checked[exercise], f"exercise {exercise}: say whether it has a check cell"
    assert assignments("assign 4.5 (the sliced\n   distance, with its check\n cell)") == {(4, 5): True}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_exercise_has_a_solution_and_every_check_a_tolerance(path):
    found = exercises.exercises(path)
    assert [e.number for e in found] == list(range(1, len(found) + 1)), "exercises numbered 1, 2, 3, ..."
    assert len([e for e in found if e.solution]) == len(found) == len(exercises.solutions(exercises.read(path)))
    checked = [e for e in found if e.check]
    assert len(checked) == len(exercises.fill_in_cells(exercises.read(path)))
    for exercise in checked:
        code, conditions = exercises.what_the_check_computes(path, exercise.check)
        assert conditions and all(re.search(r"\d", condition) for condition in conditions), conditions
        assert "print(" not in code and "return correct" not in code


def test_the_answer_key_states_torchs_own_tolerances():
    torch = pytest.importorskip("torch")
    rtol, atol = re.search(r"rtol: float = (\S+), atol: float = (\S+),", torch.allclose.__doc__).groups()
    assert exercises.ALLCLOSE_DEFAULTS == f"rtol={rtol}, atol={atol}"


def test_the_answer_key_shows_what_each_check_accepts(tmp_path):
    check = """def check_sum(candidate):
    def helper():
        return 0  # a nested return is not the verdict

    total = candidate(2, 2)
    close = torch.allclose(torch.tensor(total), torch.tensor(4.0), atol=1e-3)
    correct = close and abs(total - 4) < 0.01
    print("correct" if correct else "not yet")
    return correct


check_sum(my_sum);
"""
    solution = "```python\nassert check_sum(lambda a, b: a + b)\nassert 2 + 2 == 4  # and more\n```"
    path = tmp_path / "01_sums.ipynb"
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "markdown", "source": ["**Exercise 1 (coding: sums).** Add.\n"]},
                    {
                        "cell_type": "code",
                        "source": ["def my_sum(a, b):\n    # your code here\n    return 0\n\n\n", check],
                    },
                    {
                        "cell_type": "markdown",
                        "source": [f"<details>\n<summary>Solution</summary>\n\n{solution}\n</details>"],
                    },
                ]
            }
        )
    )
    (exercise,) = exercises.exercises(path)
    assert (exercise.number, exercise.kind, exercise.title, exercise.check) == (1, "coding", "sums", "check_sum")
    code, conditions = exercises.what_the_check_computes(path, "check_sum")
    assert conditions == ["allclose(…, atol=1e-3)", "abs(total - 4) < 0.01"]
    assert code.splitlines()[:2] == ["def helper():", "    return 0  # a nested return is not the verdict"]
    assert "print(" not in code and code.endswith("correct = close and abs(total - 4) < 0.01")
    assert exercises.asserts(solution.split("\n", 1)[1][:-4]) == ["2 + 2 == 4"]


def test_the_answer_key_has_an_entry_for_every_exercise():
    entries = re.findall(r"^\*\*Exercise (\d+)\.(\d+) ", exercises.ANSWER_KEY.read_text(), re.M)
    expected = [(str(e.chapter), str(e.number)) for path in CHAPTERS for e in exercises.exercises(path)]
    assert entries == expected
