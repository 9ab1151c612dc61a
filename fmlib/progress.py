"""A progress bar for training loops, in a terminal or a notebook."""

from __future__ import annotations

import sys

from tqdm.auto import tqdm


class TrainingProgress:
    """tqdm.auto's progress bar over `total` iterations, showing the latest loss; use it in a `with` block.

    In a notebook the progress bar is a widget whose plain-text form is recorded
    when it is first shown; showing it through a display handle lets us record it
    again when it is done, so a page without widgets (the website) shows the
    finished progress bar, not 0%.
    """

    def __init__(self, total: int, enabled: bool = True, description: str = "training"):
        self.total = total
        if enabled and _notebook_bar():
            from IPython.display import display  # imported here, as ipywidgets is: `import fmlib` stays quick

            from .notebook import enable_colab_widgets, widget_bundle

            enable_colab_widgets()
            self.bar = tqdm(total=total, desc=description, display=False)
            self.handle = display(widget_bundle(self.bar.container), raw=True, display_id=True)
        else:
            self.bar, self.handle = tqdm(total=total, desc=description, disable=not enabled), None

    def advance(self, iteration: int, loss: float) -> None:
        """Count one iteration (numbered from 0); the loss is shown every 50 and at the last."""
        self.bar.update(1)
        if iteration % 50 == 0 or iteration == self.total - 1:
            self.bar.set_postfix(loss=f"{loss:.3f}")

    def __enter__(self) -> TrainingProgress:
        return self

    def __exit__(self, *exception) -> None:
        self.bar.close()
        if self.handle is not None:
            from .notebook import widget_bundle

            # the saved output now holds the finished progress bar
            self.handle.update(widget_bundle(self.bar.container), raw=True)


def _notebook_bar() -> bool:
    """Whether tqdm.auto's progress bar is tqdm's notebook widget (imported by tqdm.auto when it chooses it)."""
    notebook = sys.modules.get("tqdm.notebook")
    return notebook is not None and issubclass(tqdm, notebook.tqdm)
