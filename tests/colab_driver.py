"""Run inside an environment with Colab's widget stack (see test_colab_stack.py): display and drive fmlib's panels."""

import json

import IPython
import ipywidgets
import matplotlib

matplotlib.use("Agg")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from tqdm.notebook import tqdm as notebook_tqdm  # noqa: E402

import fmlib  # noqa: E402
from fmlib import progress  # noqa: E402
from fmlib.mixtures import GaussianMixture  # noqa: E402

shell = InteractiveShell.instance()
VIEW = "application/vnd.jupyter.widget-view+json"
report = {"ipywidgets": ipywidgets.__version__, "IPython": IPython.__version__}

# Each panel displays as a live widget view, with its static fallback beside it.
explorer = fmlib.widgets.mixture_explorer(GaussianMixture([0.55, 0.45], [-0.85, 1.5], [0.65, 0.25]))
morph = fmlib.widgets.MorphPanel(source="heart", target="smiley", points=500, steps=200)
for name, panel in [("explorer", explorer), ("morph", morph)]:
    data, _ = shell.display_formatter.format(panel)
    report[name] = sorted(data)
    report[name + "_model"] = data[VIEW]["model_id"] == panel.box.model_id

# Driven through the widget API: a slider redraws, Train trains.
explorer.controls["t"].value = 0.3
report["explorer_redrawn"] = explorer.default_png != explorer.redraw()[0]
morph.button.click()
report["morph_status"] = morph.status.value

# A notebook progress bar is shown, and shown again when finished.
progress.tqdm = notebook_tqdm  # what tqdm.auto picks inside a notebook
shown = []
shell.display_pub.publish = lambda data, *args, **kwargs: shown.append(sorted(data))
with progress.TrainingProgress(5) as bar:
    for step in range(5):
        bar.advance(step, 1.0)
report["progress_displays"] = shown
print(json.dumps(report))
