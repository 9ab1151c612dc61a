"""Point the book at your own copy of its repository: one address, written everywhere it is used.

    make publish-settings URL=https://github.com/you/your-copy
    python scripts/publish_settings.py https://github.com/you/your-copy   # the same

It writes the address into _config.yml's `repository.url`, which the website's
Colab buttons and repository button read, and then rewrites the setup cell of
every chapter (the line that installs fmlib from the repository in Colab) with
scripts/sync_setup_cell.py. Commit the changed files and push: the workflow in
.github/workflows/book.yml publishes the website of your copy.
"""

import pathlib
import re
import sys

import sync_setup_cell

ROOT = pathlib.Path(__file__).resolve().parents[1]
ADDRESS = re.compile(r"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
URL_LINE = re.compile(r"^(repository:\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*)(\S+)", re.M)


def set_address(url):
    """Write `url` into _config.yml and every chapter's setup cell; return the address it replaced."""
    url = url.strip().removesuffix("/").removesuffix(".git")
    if not ADDRESS.fullmatch(url):
        raise SystemExit(f"URL must be a GitHub repository's address, https://github.com/OWNER/NAME; got {url!r}")
    config = ROOT / "_config.yml"
    text = config.read_text()
    match = URL_LINE.search(text)
    if not match:
        raise SystemExit("found no `url:` under `repository:` in _config.yml")
    config.write_text(text[: match.start(2)] + url + text[match.end(2) :])
    sync_setup_cell.main(check=False)
    return match.group(2)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    old = set_address(sys.argv[1])
    print(f"the book's repository address is now {sys.argv[1].strip()} (it was {old})")
