"""The velocity network: a small MLP that maps a position x and a time t to a velocity."""
import torch
from torch import nn


class VelocityNet(nn.Module):
    """v_theta(x, t): `dim` numbers and a time in, `dim` numbers out.

    `width` units in each of `depth` hidden layers with GELU activations (the
    defaults are the network of Hawley's tutorial: 3 hidden layers of 64).
    """

    def __init__(self, dim=2, width=64, depth=3):
        super().__init__()
        if dim < 1 or width < 1 or depth < 1:
            raise ValueError(f"dim, width and depth must be positive, got {dim}, {width}, {depth}")
        self.dim = dim
        layers, size = [], dim + 1  # the time is one more input
        for _ in range(depth):
            layers += [nn.Linear(size, width), nn.GELU()]
            size = width
        layers.append(nn.Linear(size, dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x, t):
        """x: (n, dim); t: a number, or a tensor of shape (), (n,) or (n, 1). Returns (n, dim)."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(
                f"this VelocityNet was built for dim={self.dim} and expects x of shape (n, {self.dim}), "
                f"got {tuple(x.shape)}; build it with VelocityNet(dim={x.shape[-1]})"
            )
        t = torch.as_tensor(t, dtype=x.dtype, device=x.device).reshape(-1, 1).expand(len(x), 1)
        return self.net(torch.cat([x, t], dim=1))
