"""Publishing a copy of the book: the workflow that builds and deploys it, and the one address to set.

The workflow cannot run here; what can be checked is that it parses, pins its
actions, runs the README's own commands and deploys the folder `make book`
writes, and that `make publish-settings` leaves no page or notebook naming the
old address.
"""

import json
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def workflow():
    loaded = yaml.safe_load(WORKFLOW.read_text())
    loaded["on"] = loaded.pop(True, loaded.get("on"))  # YAML 1.1 reads a bare `on` as true
    return loaded


def steps(job):
    return workflow()["jobs"][job]["steps"]


def test_the_workflow_builds_on_pushes_to_main_and_by_hand():
    triggers = workflow()["on"]
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    permissions = workflow()["permissions"]
    assert permissions["pages"] == "write" and permissions["id-token"] == "write"


def test_every_action_is_pinned_to_a_commit():
    for job in workflow()["jobs"]:
        for step in steps(job):
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_the_workflow_runs_the_readmes_commands():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    commands = [step["run"] for step in steps("build") if "run" in step]
    assert commands == ["make test-no-browser", "make book"]
    for command in commands:
        assert f"\n{command}" in readme, f"the README documents `{command}`"
        assert re.search(rf"^{command.split()[1]}:", makefile, re.M), f"the Makefile has `{command}`"
    # The tests it runs are every test but the browser's (which need Chromium).
    assert 'pytest -m "not browser"' in makefile


def test_it_deploys_the_folder_make_book_writes():
    upload = [step for step in steps("build") if "upload-pages-artifact" in step.get("uses", "")]
    assert [step["with"]["path"] for step in upload] == ["_build/html"]
    assert "jupyter-book build ." in (ROOT / "Makefile").read_text()  # which writes _build/html
    assert "builds the website into `_build/html`" in (ROOT / "README.md").read_text()
    deploy = workflow()["jobs"]["deploy"]
    assert deploy["needs"] == "build" and "deploy-pages" in deploy["steps"][-1]["uses"]


def test_the_cache_keeps_the_environment_and_the_trained_models():
    (cache,) = [step for step in steps("build") if "actions/cache" in step.get("uses", "")]
    assert {".venv", "~/.cache/fmlib"} <= set(cache["with"]["path"].split())
    assert "hashFiles('requirements.txt', 'pyproject.toml')" in cache["with"]["key"]


@pytest.fixture
def copy_of_the_book(tmp_path):
    for name in ["_config.yml", "README.md", "Makefile"]:
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ["notebooks", "scripts", "book"]:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("_static", "__pycache__"))
    return tmp_path


def set_address(root, url):
    return subprocess.run(
        [sys.executable, "scripts/publish_settings.py", url], cwd=root, capture_output=True, text=True
    )


def test_publish_settings_writes_the_new_address_everywhere(copy_of_the_book):
    old = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    new = "https://github.com/a-teacher/flow-matching-fall-2027"
    done = set_address(copy_of_the_book, new + "/")
    assert done.returncode == 0, done.stderr
    config = (copy_of_the_book / "_config.yml").read_text()
    assert yaml.safe_load(config)["repository"]["url"] == new
    assert config.replace(new, old) == (ROOT / "_config.yml").read_text(), "nothing else in _config.yml changed"
    still_old = [
        str(path.relative_to(copy_of_the_book))
        for path in copy_of_the_book.rglob("*")
        if path.is_file() and path.suffix in {".yml", ".md", ".ipynb", ".py"} and old in path.read_text()
    ]
    assert still_old == []
    for chapter in sorted((copy_of_the_book / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        setup = "".join(next(c for c in json.loads(chapter.read_text())["cells"] if c["cell_type"] == "code")["source"])
        assert f'repository = "{new}"' in setup, chapter.name
    check = subprocess.run([sys.executable, "scripts/sync_setup_cell.py", "--check"], cwd=copy_of_the_book)
    assert check.returncode == 0


@pytest.mark.parametrize("bad", ["github.com/a/b", "https://gitlab.com/a/b", "https://github.com/only-owner", ""])
def test_publish_settings_refuses_what_is_not_a_github_repository(copy_of_the_book, bad):
    before = (copy_of_the_book / "_config.yml").read_text()
    done = set_address(copy_of_the_book, bad)
    assert done.returncode != 0 and "https://github.com/OWNER/NAME" in done.stderr
    assert (copy_of_the_book / "_config.yml").read_text() == before
