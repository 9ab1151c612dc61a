"""The chapters' exercises: their solutions, the cells students fill in, the checks that grade them.

The chapters in notebooks/ are the instructor edition. In a chapter's Markdown an
exercise opens with **Exercise N (kind: title).** and its solution follows it in
cells tagged `solution`, which run where they stand when the chapter runs:

- code cells, folded in every front end: the tag `hide-cell` on the website,
  `jupyter.source_hidden` and `outputs_hidden` in JupyterLab and Notebook 7,
  `cellView: form` (titled by its first line, COLAB_TITLE) in Colab;
- Markdown cells that explain it, inside `<details><summary>Solution</summary>`.

A coding exercise also has a code cell to fill in, marked "# your code here", that
ends by calling its check, check_something(answer): the check prints "correct" or
"not yet" and returns whether the answer is right, and the solution asserts it.

    python scripts/exercises.py student [FOLDER]      # the student edition, in student/
    python scripts/exercises.py answer-key            # rewrite book/answer_key.md
    python scripts/exercises.py answer-key --check    # only report (the tests do this)

The student edition is every chapter without the cells tagged `solution`, nothing
else changed: the fill-in cells keep their blanks and checks, the setup cell still
installs fmlib in Colab. The answer key lists, per exercise, what its check
accepts and what its solution says, taken from the chapters. Only the standard
library is used, so the student edition can be made from a fresh clone before
anything is installed.
"""

import ast
import copy
import json
import pathlib
import re
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Optional

ROOT = pathlib.Path(__file__).resolve().parents[1]
STUDENT = ROOT / "student"
ANSWER_KEY = ROOT / "book" / "answer_key.md"

EXERCISE = re.compile(r"\*\*Exercise (\d+) \((conceptual|coding|exploratory|derivation): (.*?)\)\.?\*\*", re.S)
SOLUTION_TAG = "solution"
COLAB_TITLE = "# @title The solution's code\n"  # the first line of a solution's code: Colab shows it on the folded cell
FILL_IN = "# your code here"
CHECK_CALL = re.compile(r"^(check_\w+)\(", re.M)
# torch.allclose's and isclose's own tolerances, for a check that keeps them (tests/test_exercises.py
# reads them in torch's documentation).
ALLCLOSE_DEFAULTS = "rtol=1e-05, atol=1e-08"


def chapters():
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def read(path):
    return json.loads(pathlib.Path(path).read_text())


def source(cell):
    return "".join(cell["source"])


def is_solution(cell):
    return SOLUTION_TAG in cell["metadata"].get("tags", [])


def solution_cells(notebook):
    return [cell for cell in notebook["cells"] if is_solution(cell)]


def solution_code(cell):
    """A solution's code cell as a reader would copy it: without the title line Colab shows."""
    text = source(cell)
    return text[len(COLAB_TITLE) :] if text.startswith(COLAB_TITLE) else text


def unfolded(cell):
    """A solution's Markdown cell without the <details> around it: the lines between its summary and its end."""
    lines = source(cell).strip("\n").splitlines()
    if len(lines) >= 3 and lines[0] == "<details>" and lines[1].startswith("<summary>") and lines[-1] == "</details>":
        lines = lines[2:-1]
    return "\n".join(lines).strip("\n")


def fill_in_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code" and FILL_IN in source(cell)]


def check_called(cell):
    """The name of the check a fill-in cell ends by calling, or None."""
    match = CHECK_CALL.search(source(cell))
    return match and match.group(1)


def student_notebook(notebook):
    """`notebook` without the cells tagged `solution`; nothing else changes."""
    student = copy.deepcopy(notebook)
    student["cells"] = [cell for cell in student["cells"] if not is_solution(cell)]
    return student


def write_notebook(notebook, path):
    # As the chapters are written (scripts/sync_setup_cell.py): one-space indents, a final newline.
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def write_student_edition(folder=STUDENT):
    """Write the student edition of every chapter into `folder`; returns the paths written."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("[0-9][0-9]_*.ipynb"):  # a renamed or removed chapter
        stale.unlink()
    written = []
    for path in chapters():
        write_notebook(student_notebook(read(path)), folder / path.name)
        written.append(folder / path.name)
    return written


# The answer key.


@dataclass
class Exercise:
    chapter: int
    number: int
    kind: str
    title: str
    check: Optional[str] = None  # the check's name, for a coding exercise with a cell to fill in
    solution_cells: list = field(default_factory=list)

    @property
    def solution(self) -> str:
        """The solution as Markdown: its explanations and its code, in the order the chapter gives them."""
        parts = [
            f"```python\n{solution_code(cell).rstrip()}\n```" if cell["cell_type"] == "code" else unfolded(cell)
            for cell in self.solution_cells
        ]
        return "\n\n".join(parts)

    @property
    def code(self) -> list:
        return [solution_code(cell) for cell in self.solution_cells if cell["cell_type"] == "code"]


def exercises(path):
    """The exercises of the chapter at `path`, in order, each with its solution's cells and its check."""
    chapter, found = int(path.name[:2]), []
    for cell in read(path)["cells"]:
        if is_solution(cell):
            found[-1].solution_cells.append(cell)
        elif cell["cell_type"] == "code":
            if FILL_IN in source(cell) and found:
                found[-1].check = check_called(cell)
        else:
            for number, kind, title in EXERCISE.findall(source(cell)):
                found.append(Exercise(chapter, int(number), kind, " ".join(title.split())))
    return found


def check_function(path, name):
    """The source of the function `name`, as defined in a code cell of the chapter at `path`."""
    for cell in read(path)["cells"]:
        if cell["cell_type"] != "code" or f"def {name}(" not in source(cell):
            continue
        text = source(cell)
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return text, node
    raise LookupError(f"{path.name}: no function {name}")


def what_the_check_computes(path, name):
    """The lines of a check that decide: its body without the printed message and the return."""
    text, function = check_function(path, name)
    lines = text.splitlines()
    body = function.body[1:] if ast.get_docstring(function) else function.body
    dropped = set()
    for node in body:
        printed = isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        printed = printed and getattr(node.value.func, "id", "") == "print"
        if printed or isinstance(node, ast.Return):
            dropped.update(range(node.lineno, node.end_lineno + 1))
    kept = [lines[i - 1] for i in range(body[0].lineno, function.end_lineno + 1) if i not in dropped]
    return textwrap.dedent("\n".join(kept)).strip("\n"), acceptance(text, function)


def own_nodes(function):
    """The statements of `function`, at any depth, outside the functions it defines."""
    pending = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node
            pending.extend(ast.iter_child_nodes(node))


def acceptance(text, function):
    """The conditions a check's verdict rests on, with their tolerances, as short pieces of code.

    The verdict is what the check returns; a name in it stands for what the check
    assigned to that name, read in its place.
    """
    own = sorted(own_nodes(function), key=lambda node: (node.lineno, node.col_offset))
    assigned = {
        target.id: node.value
        for node in own
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    conditions = []

    def read(node):
        if isinstance(node, ast.Name) and node.id in assigned:
            read(assigned.pop(node.id))
        elif isinstance(node, ast.Compare):
            conditions.append(" ".join(ast.get_source_segment(text, node).split()))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("allclose", "isclose"):
            tolerances = [f"{k.arg}={ast.get_source_segment(text, k.value)}" for k in node.keywords]
            conditions.append(f"{node.func.attr}(…, {', '.join(tolerances) or ALLCLOSE_DEFAULTS})")
        else:
            for child in ast.iter_child_nodes(node):
                read(child)

    read([node.value for node in own if isinstance(node, ast.Return)][-1])
    return conditions


def asserts(code):
    """The conditions `code` asserts, other than a check's verdict (its check is shown already)."""
    conditions = []
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assert) and not getattr(getattr(node.test, "func", None), "id", "").startswith(
            "check_"
        ):
            conditions.append(" ".join(ast.get_source_segment(code, node.test).split()))
    return conditions


def from_book(markdown):
    """Markdown from a chapter, with its relative links made to work from book/."""
    return re.sub(r"\]\((?!https?:|#)([^)]+)\)", lambda m: f"](../notebooks/{m.group(1)})", markdown)


def answer_key():
    """book/answer_key.md's text: per chapter and exercise, what its check accepts and what its solution says."""
    out = [
        "<!-- Written by scripts/exercises.py from the chapters; do not edit by hand:",
        "     run `python scripts/exercises.py answer-key` after changing an exercise. -->",
    ]
    for path in chapters():
        title = source(read(path)["cells"][0]).splitlines()[0].lstrip("# ").strip()
        out += ["", f"### Chapter {int(path.name[:2])}: {title}"]
        for exercise in exercises(path):
            number = f"{exercise.chapter}.{exercise.number}"
            out += ["", f"**Exercise {number} ({exercise.kind}: {exercise.title}).**"]
            if exercise.check:
                code, conditions = what_the_check_computes(path, exercise.check)
                accepted = " and ".join(f"`{condition}`" for condition in conditions)
                out += [
                    "",
                    f"Graded by its check, `{exercise.check}`, which prints `correct` when {accepted}:",
                    "",
                    "```python",
                    code,
                    "```",
                ]
            asserted = [condition for block in exercise.code for condition in asserts(block)]
            if asserted:
                out += ["", "Its solution asserts " + " and ".join(f"`{a}`" for a in asserted) + "."]
            out += ["", "*The book's solution:*", "", from_book(exercise.solution)]
    return "\n".join(out) + "\n"


def main(argv):
    command = argv[0] if argv else ""
    if command == "student":
        written = write_student_edition(argv[1] if len(argv) > 1 else STUDENT)
        where = written[0].parent if written else STUDENT
        print(f"{len(written)} student notebooks written to {where}")
        return 0
    if command == "answer-key":
        expected, current = answer_key(), ANSWER_KEY.read_text() if ANSWER_KEY.exists() else ""
        if "--check" in argv:
            print("the answer key is " + ("up to date" if current == expected else "out of date"))
            return 0 if current == expected else 1
        ANSWER_KEY.write_text(expected)
        print(f"answer key written to {ANSWER_KEY.relative_to(ROOT)}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
