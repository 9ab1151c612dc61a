"""Training a flow by maximum likelihood: the road flow matching leaves.

Before flow matching, a continuous normalizing flow was fitted by making the
data likely under it: maximise log p_1(x) over data points x, computed as
`fmlib.log_likelihood` computes it, by carrying x and its log-density back to
the source. Here that whole solve runs inside every training iteration, and the
gradient runs back through every one of its steps:

    >>> loss(model, x, ode_steps=8)      # -mean log p_1(x), with RK4's 8 steps on autograd's graph

One iteration costs 4 * ode_steps network evaluations (RK4), each with one
backward pass per dimension for the divergence, and then the backward pass
through all of them. Flow matching's iteration is one evaluation and one
backward pass (`fmlib.flow_matching_loss`).

`trained_checkpoints` trains a network either way and keeps it at evenly spaced
moments of its training, so that quality can be measured against training time.
"""

from __future__ import annotations

import copy
import sys
from typing import Callable, Optional

import torch
from torch import nn

from . import cache, checks, recipes, training
from .devices import device_of
from .likelihood import log_likelihood
from .models import VelocityNet
from .shapes import Data, as_sampler

ODE_STEPS = 8
"""RK4 steps of the solve inside each maximum-likelihood iteration."""
OBJECTIVES = ("flow matching", "maximum likelihood")
"""What `trained_checkpoints` can train a network by."""


def loss(
    model: nn.Module, x: torch.Tensor, ode_steps: int = ODE_STEPS, method: str = "rk4", divergence: str = "exact"
) -> torch.Tensor:
    """The negative log-likelihood of the data points x (n, d) under the flow of `model`, averaged, in nats.

    log p_1(x) comes from `ode_steps` steps of `method` from t = 1 back to the
    source N(0, I), all kept on autograd's graph: its gradient reaches the
    weights through every step. `divergence` is "exact" (one backward pass per
    dimension) or "hutchinson" (one random-sign probe per point, fresh each call:
    one backward pass, and an unbiased but noisy loss).
    """
    found = log_likelihood(model, x, steps=ode_steps, method=method, divergence=divergence, keep_graph=True)
    return -found.log_prob.mean()


def train(
    model: nn.Module,
    target: Data,
    steps: int = recipes.MAX_LIKELIHOOD.steps,
    batch_size: int = recipes.MAX_LIKELIHOOD.batch_size,
    lr: float = recipes.MAX_LIKELIHOOD.lr,
    ode_steps: int = ODE_STEPS,
    seed: Optional[int] = None,
    lr_decay: bool = recipes.MAX_LIKELIHOOD.lr_decay,
    progress: bool = True,
    callback: Optional[Callable] = None,
    callback_every: int = 100,
) -> list[float]:
    """Fit `model` by maximum likelihood on fresh batches of `target` (a shape name, tensor or function).

    The same loop as `fmlib.train` (`training.optimise`: Adam, cosine decay,
    `callback`), with `loss` in place of the flow-matching loss. The source is
    the book's N(0, I), which the likelihood needs in closed form. Returns the
    loss of every iteration: the negative log-likelihood of its batch.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a network to train, such as fmlib.VelocityNet(dim=2), got {model!r:.60}")
    ode_steps = checks.whole_number(ode_steps, "ode_steps")
    batch_size = checks.whole_number(batch_size, "batch_size")
    training.seeded(seed)
    draw = as_sampler(target, "target")
    device = device_of(model)

    def batch_loss():
        return loss(model, draw(batch_size).to(device), ode_steps)

    return training.optimise(model, batch_loss, steps, lr, lr_decay, progress, callback, callback_every)


def trained_checkpoints(
    objective: str,
    target: str,
    recipe: recipes.Recipe,
    count: int = 12,
    ode_steps: int = ODE_STEPS,
    seed: int = 0,
    progress: bool = True,
) -> list[VelocityNet]:
    """A `VelocityNet` trained from the Gaussian to `target` by `objective`, as it was at `count` moments.

    `objective` is "flow matching" (`fmlib.train`) or "maximum likelihood"
    (`train`, with `ode_steps` RK4 steps per solve); `recipe` gives the
    iterations, batch size, learning rate and network. The i-th model is the
    network after i / count of the iterations (the last one is the trained
    model). Kept on disk like `fmlib.trained_model`: the first call trains,
    later calls load.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(map(repr, OBJECTIVES))}; got {objective!r}")
    if not isinstance(recipe, recipes.Recipe):
        raise TypeError(f"recipe must be a Recipe, such as fmlib.recipes.BOOK_2D; got {recipe!r}")
    count, ode_steps = checks.whole_number(count, "count"), checks.whole_number(ode_steps, "ode_steps")
    if recipe.steps % count:
        raise ValueError(f"count must divide the recipe's {recipe.steps} iterations evenly, got {count}")
    if seed is None:
        raise TypeError("seed must be a whole number such as 0: the cache keeps one run per seed")
    seed = checks.seed(seed)
    dim = as_sampler(target, "target")(1).shape[1]
    settings = {**recipe.train_settings(), "objective": objective, "count": count}
    if objective == "maximum likelihood":
        settings["ode_steps"] = ode_steps
    modules = (sys.modules[__name__],)
    path = cache.model_path("gaussian", f"{target}-checkpoints", recipe, seed, settings, modules)

    def build():
        return nn.ModuleList(VelocityNet(dim, recipe.width, recipe.depth) for _ in range(count))

    def fit(kept):
        def keep(iteration, model):
            kept[iteration * count // recipe.steps - 1].load_state_dict(model.state_dict())

        model = copy.deepcopy(kept[0])  # the first slot's weights are a direct call's after torch.manual_seed(seed)
        options = dict(seed=seed, progress=progress, callback=keep, callback_every=recipe.steps // count)
        if objective == "flow matching":
            training.train(model, "gaussian", target, **recipe.train_settings(), **options)
        else:
            train(model, target, **recipe.train_settings(), ode_steps=ode_steps, **options)

    return list(cache.kept(path, build, fit, seed, progress))
