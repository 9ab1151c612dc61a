"""The networks: a small MLP that maps a position x and a time t (and, optionally, a class) to a velocity."""

from __future__ import annotations

from typing import Optional, Union

import torch
from torch import nn


def mlp(inputs: int, width: int, depth: int, outputs: int) -> nn.Sequential:
    """`depth` hidden layers of `width` GELU units between `inputs` and `outputs` numbers."""
    if min(inputs, width, depth, outputs) < 1:
        raise ValueError(f"sizes and depth must be positive, got {inputs}, {width}, {depth}, {outputs}")
    layers, size = [], inputs
    for _ in range(depth):
        layers += [nn.Linear(size, width), nn.GELU()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, outputs))


def time_column(t: Union[float, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """t (a number, or a tensor of shape (), (n,) or (n, 1)) as a column (n, 1) matching x."""
    return torch.as_tensor(t, dtype=x.dtype, device=x.device).reshape(-1, 1).expand(len(x), 1)


class VelocityNet(nn.Module):
    """v_theta(x, t) or, with `classes`, v_theta(x, t, label): `dim` numbers and a time in, `dim` numbers out.

    `width` units in each of `depth` hidden layers with GELU activations (the
    defaults are the network of Hawley's tutorial: 3 hidden layers of 64). With
    `classes` = K the label enters as K + 1 one-hot inputs; label K (or None) is
    "no label", so one network gives both v(x, t | y) and v(x, t | no label).
    """

    def __init__(self, dim: int = 2, width: int = 64, depth: int = 3, classes: Optional[int] = None):
        super().__init__()
        if dim < 1 or (classes is not None and classes < 1):
            raise ValueError(f"dim and classes must be positive, got {dim} and {classes}")
        self.dim, self.classes = dim, classes
        self.net = mlp(dim + 1 + (classes + 1 if classes else 0), width, depth, dim)

    def forward(
        self, x: torch.Tensor, t: Union[float, torch.Tensor], label: Union[None, int, torch.Tensor] = None
    ) -> torch.Tensor:
        """x: (n, dim); t: a number or a tensor of shape (), (n,) or (n, 1); label: None, an int or (n,)."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(
                f"this VelocityNet was built for dim={self.dim} and expects x of shape (n, {self.dim}), "
                f"got {tuple(x.shape)}; build it with VelocityNet(dim={x.shape[-1]})"
            )
        inputs = [x, time_column(t, x)]
        if self.classes:
            label = self.classes if label is None else label
            label = torch.as_tensor(label, device=x.device).reshape(-1).expand(len(x))
            inputs.append(nn.functional.one_hot(label, self.classes + 1).to(x.dtype))
        elif label is not None:
            raise ValueError("this VelocityNet has no classes; build it with VelocityNet(classes=K) to use labels")
        return self.net(torch.cat(inputs, dim=1))
