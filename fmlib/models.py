"""The networks: a small MLP that maps a position x and a time t (and, optionally, a class) to a velocity."""

from __future__ import annotations

import math
import numbers
from typing import Optional, Union

import numpy as np
import torch
from torch import nn

from . import checks


def mlp(inputs: int, width: int, depth: int, outputs: int) -> nn.Sequential:
    """`depth` hidden layers of `width` GELU units between `inputs` and `outputs` numbers."""
    inputs, width = checks.whole_number(inputs, "inputs"), checks.whole_number(width, "width")
    depth, outputs = checks.whole_number(depth, "depth"), checks.whole_number(outputs, "outputs")
    layers, size = [], inputs
    for _ in range(depth):
        layers += [nn.Linear(size, width), nn.GELU()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, outputs))


def time_column(t: Union[float, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """t (a number, or a tensor of shape (), (n,) or (n, 1)) as a column (n, 1) matching x."""
    n = len(x)
    if isinstance(t, numbers.Real) and not isinstance(t, bool):
        if not math.isfinite(t):
            raise ValueError(f"t must be a time between 0 and 1, got {t}")
    elif not isinstance(t, (torch.Tensor, np.ndarray)):
        raise TypeError(f"t must be a time (a number) or a tensor of times, got {type(t).__name__}")
    elif t.shape not in ((), (1,), (1, 1), (n,), (n, 1)):
        raise ValueError(
            f"t must be one time, or one time per point: shape (), ({n},) or ({n}, 1) for these {n} points; "
            f"got shape {tuple(t.shape)}"
        )
    return torch.as_tensor(t, dtype=x.dtype, device=x.device).reshape(-1, 1).expand(n, 1)


def as_input(x, network: nn.Module, weights: torch.Tensor) -> torch.Tensor:
    """Points x checked to be (n, network.dim), in the dtype of `weights` (so float64 or integer points work)."""
    if not isinstance(x, torch.Tensor):
        x = checks.tensor(x, "x")
    dim = network.dim
    if x.ndim != 2 or x.shape[1] != dim:
        name = type(network).__name__
        hint = f"; build it with {name}(dim={x.shape[1]})" if x.ndim == 2 else ""
        raise ValueError(
            f"this {name} was built for dim={dim} and expects x of shape (n, {dim}), got {tuple(x.shape)}{hint}"
        )
    return x if x.dtype == weights.dtype else x.to(weights.dtype)


class VelocityNet(nn.Module):
    """v_theta(x, t) or, with `classes`, v_theta(x, t, label): `dim` numbers and a time in, `dim` numbers out.

    `width` units in each of `depth` hidden layers with GELU activations (the
    defaults are the network of Hawley's tutorial: 3 hidden layers of 64). With
    `classes` = K the label enters as K + 1 one-hot inputs; label K (or None) is
    "no label", so one network gives both v(x, t | y) and v(x, t | no label).
    """

    def __init__(self, dim: int = 2, width: int = 64, depth: int = 3, classes: Optional[int] = None):
        super().__init__()
        dim = checks.whole_number(dim, "dim")
        classes = None if classes is None else checks.whole_number(classes, "classes")
        self.dim, self.classes = dim, classes
        self.net = mlp(dim + 1 + (classes + 1 if classes else 0), width, depth, dim)

    def forward(
        self, x: torch.Tensor, t: Union[float, torch.Tensor], label: Union[None, int, torch.Tensor] = None
    ) -> torch.Tensor:
        """x: (n, dim); t: a number or a tensor of shape (), (n,) or (n, 1); label: None, an int or (n,)."""
        x = as_input(x, self, self.net[0].weight)
        inputs = [x, time_column(t, x)]
        if self.classes:
            inputs.append(label_columns(label, self.classes, x))
        elif label is not None:
            raise ValueError("this VelocityNet has no classes; build it with VelocityNet(classes=K) to use labels")
        return self.net(torch.cat(inputs, dim=1))


def label_columns(label: Union[None, int, torch.Tensor], classes: int, x: torch.Tensor) -> torch.Tensor:
    """A conditional network's label as `classes` + 1 one-hot columns (n, K + 1) matching x (n, ...).

    label: None or K for "no label", a class 0 to K - 1, or one per point (n,).
    """
    label = classes if label is None else _checked_label(label, classes, len(x))
    label = torch.as_tensor(label, device=x.device).reshape(-1).expand(len(x))
    return nn.functional.one_hot(label, classes + 1).to(x.dtype)


def _checked_label(label, k, n):
    wanted = f"label must be a class from 0 to {k - 1} (or {k} or None for no label), as this model has classes={k}"
    if isinstance(label, torch.Tensor) and label.ndim > 0:
        if label.shape not in ((n,), (1,)) or label.is_floating_point() or label.dtype == torch.bool:
            raise ValueError(f"{wanted}; a tensor of labels needs whole numbers, one per point: shape ({n},)")
        if ((label < 0) | (label > k)).any():
            raise ValueError(f"{wanted}; got labels from {int(label.min())} to {int(label.max())}")
        return label
    try:
        number = checks.whole_number(label, "label", minimum=0)
    except (TypeError, ValueError):
        number = None
    if number is None or number > k:
        raise ValueError(f"{wanted}; got {label!r}")
    return number
