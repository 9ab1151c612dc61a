"""Write the setup cell into every chapter, from the repository address in _config.yml.

The first code cell of each notebook installs fmlib when it is missing (in Colab)
and does nothing where it is installed. Its address lives in one place,
_config.yml's `repository.url`; after changing it, run

    python scripts/sync_setup_cell.py           # rewrite the cells
    python scripts/sync_setup_cell.py --check   # only report (the tests do this)
"""

import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]

TEMPLATE = """\
# Setup. In Colab this installs fmlib, the book's helper package,
# from the book's repository (about a minute). Where fmlib is
# installed already, it does nothing.
try:
    import fmlib
except ModuleNotFoundError:
    import subprocess
    import sys

    repository = "{url}"
    command = [sys.executable, "-m", "pip", "install", "-q"]
    try:
        subprocess.run(command + [f"fmlib @ git+{{repository}}"], check=True)
    except subprocess.CalledProcessError:
        raise RuntimeError(
            f"fmlib could not be installed from {{repository}} (see pip's "
            "message above). Check the internet connection, or install it "
            "by hand: pip install -e <a copy of the book's repository>."
        ) from None
    import fmlib"""


def setup_cell_source():
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    return TEMPLATE.format(url=url)


def chapters():
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def first_code_cell(notebook):
    return next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")


def main(check):
    expected, stale = setup_cell_source(), []
    for path in chapters():
        notebook = json.loads(path.read_text())
        cell = first_code_cell(notebook)
        if "".join(cell["source"]) != expected:
            stale.append(path.name)
            if not check:
                cell["source"] = expected.splitlines(keepends=True)
                path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    verb = "out of date" if check else "rewritten"
    print(f"{len(stale)} setup cells {verb}" + (f": {', '.join(stale)}" if stale else ""))
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
