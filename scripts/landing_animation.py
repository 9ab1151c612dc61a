"""Write the landing page's animation, book/_static/landing.mp4: a cloud of noise flowing into a spiral.

    .venv/bin/python scripts/landing_animation.py

It uses chapter 4's longer model (trained on first use, then kept in fmlib's
cache) and fmlib's own animation, so the picture is the book's.
"""

import base64
import pathlib
import re

import fmlib
from fmlib import viz

OUT = pathlib.Path(__file__).resolve().parents[1] / "book" / "_static" / "landing.mp4"


def main():
    viz.use_book_style()
    model = fmlib.trained_model("gaussian", "spiral", fmlib.recipes.LONG_SPIRAL)
    x0 = fmlib.sample("gaussian", 3000, seed=0)
    flow = fmlib.integrate(model, x0, steps=80, trajectory=True)
    html = viz.animate_clouds(flow.trajectory.cpu(), flow.times, titles=["noise to spiral"]).data
    encoded = re.search(r"base64,([^\"]+)", html).group(1)
    OUT.write_bytes(base64.b64decode(encoded))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1000:.0f} kB)")


if __name__ == "__main__":
    main()
