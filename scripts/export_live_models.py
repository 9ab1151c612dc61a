"""Write the networks of the website's morph playground (fmlib.live.morph_models) where the site serves them.

`make book` runs this before building: _vendor/live/morph-models.js is served as
_static/live/morph-models.js, next to the chapter pages that load it. The
networks come from fmlib's model cache (trained on first use, a few seconds each).

    python scripts/export_live_models.py
"""

import pathlib

from fmlib import live

TARGET = pathlib.Path(__file__).resolve().parents[1] / "_vendor" / "live" / "morph-models.js"

if __name__ == "__main__":
    size = live.write_morph_models(TARGET)
    print(f"wrote {TARGET.relative_to(TARGET.parents[2])}: {size / 1e3:.0f} kB, {len(live.morph_pairs())} networks")
