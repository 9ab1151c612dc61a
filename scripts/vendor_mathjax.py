"""Copy MathJax 3 into _vendor/mathjax (the site serves it as _static/mathjax), so math needs no internet.

The MathJax files come from the `django-static-mathjax` wheel on PyPI (a plain
copy of MathJax's es5 build; pinned in requirements.txt). Only what the pages
use is copied: the tex-chtml component, its fonts, the TeX extensions it may
load on demand, and the accessibility and menu pieces it loads at start-up.
`make book` runs this before building; _config.yml adds _vendor to the static
path and points `mathjax_path` at it. (Not _static itself: Jupyter Book adds
every script in _static to every page.)

    python scripts/vendor_mathjax.py
"""

import pathlib
import shutil

import mathjax

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = pathlib.Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
TARGET = ROOT / "_vendor" / "mathjax"  # served as _static/mathjax
PARTS = ["tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "ui"]


def main():
    if TARGET.exists():
        shutil.rmtree(TARGET)
    for part in PARTS:
        source, target = SOURCE / part, TARGET / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    size = sum(f.stat().st_size for f in TARGET.rglob("*") if f.is_file())
    print(f"MathJax copied into {TARGET.relative_to(ROOT)} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
