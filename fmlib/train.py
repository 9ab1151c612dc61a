"""One flow-matching training loop for every chapter."""
import torch
from IPython.display import display
from tqdm.auto import tqdm
from tqdm.notebook import tqdm as notebook_tqdm

from .devices import device_of
from .couplings import independent
from .paths import conditional_velocity, interpolate


def uniform_times(n):
    """Times drawn uniformly from [0, 1): shape (n, 1)."""
    return torch.rand(n, 1)


def train(model, source=None, target=None, steps=2000, batch_size=1024, lr=1e-2, seed=None,
          time_sampler=uniform_times, lr_decay=True, progress=True, callback=None, callback_every=100,
          pairs=None, label_dropout=0.2):
    """Fit `model` so that model(x_t, t) matches x1 - x0 on straight paths between random pairs.

    `source` and `target` are each a shape name, a tensor of samples (n, dim) or a
    callable `n -> tensor`; every step draws a fresh batch from each and pairs
    them at random. Or give `pairs`, a coupling `n -> (x0, x1)` from
    `fmlib.couplings` (reflow, optimal transport), instead of source and target.
    A coupling that also returns labels, `n -> (x0, x1, y)` (`couplings.labelled`),
    trains a conditional model (`VelocityNet(classes=K)`): each label is replaced
    by "no label" with probability `label_dropout`, so the one network learns
    both v(x, t | y) and v(x, t) (classifier-free guidance needs both).
    `time_sampler` maps a batch size to times of shape (n, 1). With `lr_decay` the
    learning rate falls from `lr` to 0 along a cosine: the regression targets are
    noisy (many velocities cross each point), and small late steps average the
    noise out. The defaults (2000 steps of 1024 pairs, Adam from 1e-2 with the
    decay) are measured in benchmarks/chapter3_2d.py. `callback(step, model)`, if
    given, is called every `callback_every` steps and after the last one, with the
    model in evaluation mode (to draw a preview, or measure quality on the way). The model trains on the device it is on. Returns the loss of
    every step, as a list of floats.
    """
    if not isinstance(steps, int) or steps <= 0:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if seed is not None:
        torch.manual_seed(seed)
    if (pairs is None) == (source is None or target is None):
        raise ValueError("give either source and target, or pairs")
    draw_pairs = pairs or independent(source, target)
    device = device_of(model)
    _check_dimensions(model, *draw_pairs(2)[:2])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps) if lr_decay else None
    losses = []
    model.train()
    bar, shown = _progress_bar(steps, progress)
    for step in range(steps):
        x0, x1, *label = (x.to(device) for x in draw_pairs(batch_size))
        t = time_sampler(batch_size).to(device)
        # The whole idea of flow matching in three lines:
        xt = interpolate(x0, x1, t)
        v = conditional_velocity(x0, x1)
        loss = ((model(xt, t, *_dropped(label, label_dropout, model)) - v) ** 2).mean()

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if schedule:
            schedule.step()
        losses.append(loss.item())
        if not torch.isfinite(loss):
            raise FloatingPointError(
                f"the loss became {losses[-1]} at step {step}: lower the learning rate "
                f"(lr={lr}), or rescale the data so that its values are of order 1"
            )
        bar.update(1)
        if step % 50 == 0 or step == steps - 1:
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
        if callback is not None and ((step + 1) % callback_every == 0 or step == steps - 1):
            model.eval()
            callback(step + 1, model)
            model.train()
    bar.close()
    if shown is not None:
        shown.update(bar.container)  # the saved output now holds the finished bar
    model.eval()
    return losses


def _dropped(label, dropout, model):
    """[] for unlabelled pairs; else [labels], each replaced by the model's "no label" with probability `dropout`."""
    if not label:
        return []
    (y,) = label
    return [torch.where(torch.rand(len(y), device=y.device) < dropout, model.classes, y)]


def _progress_bar(steps, enabled):
    """tqdm.auto's progress bar, and in a notebook the handle of its display.

    A notebook bar is a widget whose plain-text form is recorded when it is first
    shown; showing it through a display handle lets us record it again when it is
    done, so a page without widgets (the website) shows the finished bar, not 0%.
    """
    if enabled and issubclass(tqdm, notebook_tqdm):
        bar = tqdm(total=steps, desc="training", display=False)
        return bar, display(bar.container, display_id=True)
    return tqdm(total=steps, desc="training", disable=not enabled), None


def _check_dimensions(model, x0, x1):
    if x0.shape[1:] != x1.shape[1:]:
        raise ValueError(f"source points have shape {tuple(x0.shape[1:])} but target points {tuple(x1.shape[1:])}")
    expected = getattr(model, "dim", None)
    if expected is not None and x0.shape[1] != expected:
        raise ValueError(
            f"the model was built for dim={expected} but the data have dim={x0.shape[1]}; "
            f"build it with VelocityNet(dim={x0.shape[1]})"
        )
