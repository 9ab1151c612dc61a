"""The student edition (`make student`) and the graders' answer key, made from the chapters by scripts/exercises.py.

The solutions run where they stand, in nbval's one run of each chapter: each
cell to fill in runs first, as a student would find it, and its check must say
"not yet"; the solution after it must make the check pass (it asserts so). The
student edition is the chapter without its solution cells, so that run covers
it too: the tests here prove that nothing else differs and nothing of a solution
is left.
"""

import ast
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import exercises
import pytest
import sync_setup_cell as sync

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
    # Cell for cell, every cell that is not a solution, unchanged: nbval's run of the
    # chapter is a run of the student notebook too, up to each solution.
    assert student["cells"] == [cell for cell in instructor["cells"] if not exercises.is_solution(cell)]
    assert len(student["cells"]) < len(instructor["cells"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_solution_text_or_code_survives(edition, path):
    student = exercises.read(edition / path.name)
    assert not exercises.solution_cells(student)
    text = (edition / path.name).read_text()
    assert not re.search(r"<summary>\s*solution", text, re.I) and "@title" not in text
    # Every line of a solution's code that the chapter does not also write elsewhere
    # (a fill-in cell repeats a function's first line, for instance) is gone.
    instructor = exercises.read(path)
    kept = {line.strip() for cell in student["cells"] for line in exercises.source(cell).splitlines()}
    solution_lines = {
        line.strip() for exercise in exercises.exercises(path) for code in exercise.code for line in code.splitlines()
    }
    elsewhere = {
        line.strip()
        for cell in instructor["cells"]
        if not exercises.is_solution(cell)
        for line in exercises.source(cell).splitlines()
    }
    assert solution_lines - elsewhere - {""}, "the check below would check nothing"
    assert not (solution_lines - elsewhere) & kept


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


def names(code):
    """(the names `code` binds anywhere, the names it reads anywhere); IPython's %magic lines left out."""
    tree = ast.parse("\n".join(line for line in code.splitlines() if not line.startswith(("%", "!"))))
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound, read


def solution_only_names_read_after(notebook):
    """Names bound only by solution cells that a later cell of the student edition reads (it would fail there)."""
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    by_chapter = set().union(*(names(exercises.source(c))[0] for c in code if not exercises.is_solution(c)))
    only_solutions, problems = set(), []
    for cell in code:
        bound, read = names(exercises.source(cell))
        if exercises.is_solution(cell):
            only_solutions |= bound - by_chapter
        else:
            problems += sorted(read & only_solutions)
    return problems


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_the_student_edition_reads_no_name_that_only_a_solution_binds(path):
    assert solution_only_names_read_after(exercises.read(path)) == []


def test_the_solution_name_check_can_fail():
    def cell(source, tags=()):
        return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": [source]}

    notebook = {"cells": [cell("a = 1"), cell("def helper(x):\n    return x", ["solution"]), cell("helper(a)")]}
    assert solution_only_names_read_after(notebook) == ["helper"]
    notebook["cells"][0] = cell("a = 1\nhelper = print")
    assert solution_only_names_read_after(notebook) == []


def test_the_removal_keeps_what_is_not_a_solution():
    def cell(kind, text, tags=()):
        return {"cell_type": kind, "id": text[:8], "metadata": {"tags": list(tags)}, "source": [text]}

    notebook = {
        "cells": [
            cell("markdown", "**Exercise 1 (conceptual: sums).** What is 2 + 2?"),
            cell("markdown", "<details>\n<summary>Solution</summary>\n\nIt is 4.\n</details>", ["solution"]),
            cell("code", exercises.COLAB_TITLE + "print(2 + 2)", ["solution", "hide-cell"]),
            cell("code", "plot(x)", ["hide-input"]),
            cell("markdown", "<details>\n<summary>Hint</summary>\n\nAdd.\n</details>"),
        ]
    }
    kept = exercises.student_notebook(notebook)["cells"]
    assert [exercises.source(c)[:9] for c in kept] == ["**Exercis", "plot(x)", "<details>"]
    assert len(notebook["cells"]) == 5, "the instructor's notebook is left as it was"
    assert [exercises.unfolded(c) for c in exercises.solution_cells(notebook)[:1]] == ["It is 4."]
    assert exercises.solution_code(notebook["cells"][2]) == "print(2 + 2)"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_each_check_says_not_yet_before_its_solution(path, executed_chapter):
    # A blank cell to fill in must not pass its check (the solution after it asserts that it then does).
    fill_in = exercises.fill_in_cells(executed_chapter(path))
    assert fill_in
    for cell in fill_in:
        printed = "".join(output.get("text", "") for output in cell.outputs)
        assert "not yet" in printed, printed


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
    assert all(e.solution_cells for e in found), "every exercise has a solution"
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
    solution = "assert check_sum(lambda a, b: a + b)\nassert 2 + 2 == 4  # and more"
    path = tmp_path / "01_sums.ipynb"
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "markdown", "metadata": {}, "source": ["**Exercise 1 (coding: sums).** Add.\n"]},
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "source": ["def my_sum(a, b):\n    # your code here\n    return 0\n\n\n", check],
                    },
                    {
                        "cell_type": "code",
                        "metadata": {"tags": ["solution"]},
                        "source": [exercises.COLAB_TITLE + solution],
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
    assert exercise.code == [solution]
    assert exercises.asserts(solution) == ["2 + 2 == 4"]
    assert exercise.solution == f"```python\n{solution}\n```"


def test_the_answer_key_has_an_entry_for_every_exercise():
    entries = re.findall(r"^\*\*Exercise (\d+)\.(\d+) ", exercises.ANSWER_KEY.read_text(), re.M)
    expected = [(str(e.chapter), str(e.number)) for path in CHAPTERS for e in exercises.exercises(path)]
    assert entries == expected
