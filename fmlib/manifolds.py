"""Flow matching on curved spaces: the unit sphere and the flat torus of two angles.

On a curved space a straight line is the wrong path: a chord between two points
of the sphere cuts through the ball, and the line from angle 3 to angle -3 goes
the long way round instead of across the seam at +-pi. Flow matching carries
over with geodesics, the shortest paths on the space, in place of straight lines
(Chen and Lipman, 2024):

    x_t = exp_{x0}(t log_{x0}(x1)),        u_t(x_t | x1) = log_{x_t}(x1) / (1 - t),

where log_x(y) is the tangent vector at x that points along the geodesic to y,
as long as the geodesic, and exp_x(v) walks the geodesic from x along v for the
length |v|. Each space here (`Sphere`, `FlatTorus`) holds points as coordinates
(three on the sphere, two angles on the torus) and gives exp, log, the geodesic
distance and its uniform distribution. A network's output is made tangent
(`Field`), and a sampler steps along geodesics (`integrate`, step="exp") or
steps straight and puts the point back on the space (step="project").

    >>> field = manifolds.trained_model("sphere", "clusters", recipes.MANIFOLD)
    >>> x1 = manifolds.integrate(field, manifolds.SPHERE.uniform(1000), steps=50).x
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Callable, Optional, Union

import torch
from torch import nn

from . import cache, checks, models, recipes, training
from .devices import device_of
from .training import optimise, seeded

Time = Union[float, torch.Tensor]


class Sphere:
    """The unit sphere in three dimensions: points are unit vectors (n, 3), tangent vectors at x are orthogonal to x."""

    name, dim = "sphere", 3

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """The nearest point of the sphere: x / |x|."""
        return x / x.norm(dim=-1, keepdim=True)

    def tangent(self, x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """v with its component along x removed: a velocity that does not leave the sphere."""
        return v - (v * x).sum(-1, keepdim=True) * x

    def exp(self, x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Walk the great circle from x along the tangent vector v for the length |v|: cos|v| x + sin|v| v/|v|."""
        length = v.norm(dim=-1, keepdim=True)
        direction = v / length.clamp_min(1e-12)
        return self.project(torch.cos(length) * x + torch.sin(length) * direction)

    def log(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The tangent vector at x towards y along the great circle, as long as the arc.

        theta (y - cos theta x) / sin theta, with theta the angle between x and y.
        """
        cos = (x * y).sum(-1, keepdim=True)
        along = y - cos * x
        sin = along.norm(dim=-1, keepdim=True)
        return torch.atan2(sin, cos) * along / sin.clamp_min(1e-12)  # atan2: accurate for short arcs too

    def distance(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """The great-circle distance between every point of a (n, 3) and of b (m, 3): (n, m).

        It is of negative type (as the straight-line distance is), so the energy
        distance it gives is zero only for equal distributions.
        """
        return torch.arccos((a @ b.T).clamp(-1, 1))

    def uniform(self, n: int, generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """n points drawn uniformly on the sphere (normalised Gaussian vectors)."""
        return self.project(torch.randn(checks.whole_number(n, "n"), 3, generator=generator))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """What a network reads of a point: its three coordinates."""
        return x


class FlatTorus:
    """Two angles, each in [-pi, pi) and glued at the ends: points (n, 2); -pi and pi are the same angle."""

    name, dim = "torus", 2

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """Each angle wrapped into [-pi, pi)."""
        return torch.remainder(x + math.pi, 2 * math.pi) - math.pi

    def tangent(self, x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Every velocity of the angles is tangent: v itself."""
        return v

    def exp(self, x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """x + v, wrapped."""
        return self.project(x + v)

    def log(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The shortest way from x to y: y - x wrapped into [-pi, pi) (across the seam when that is shorter)."""
        return self.project(y - x)

    def distance(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """The geodesic distance between every point of a (n, 2) and of b (m, 2): (n, m)."""
        return self.project(a[:, None, :] - b[None, :, :]).norm(dim=-1)

    def chord_distance(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """The straight-line distance between the points' `features`, (n, m): the torus drawn as two unit circles.

        Unlike the geodesic distance of the flat torus, it is of negative type, so
        the energy distance it gives is never negative and is zero only for equal
        distributions.
        """
        return torch.cdist(self.features(a), self.features(b))

    def uniform(self, n: int, generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """n points drawn uniformly on the torus."""
        return (2 * torch.rand(checks.whole_number(n, "n"), 2, generator=generator) - 1) * math.pi

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """What a network reads of a point: the cosine and sine of each angle, the same at -pi and pi."""
        return torch.cat([torch.cos(x), torch.sin(x)], dim=-1)


Space = Union[Sphere, FlatTorus]
SPHERE, TORUS = Sphere(), FlatTorus()
SPACES = {"sphere": SPHERE, "torus": TORUS}


def geodesic(space: Space, x0: torch.Tensor, x1: torch.Tensor, t: Time) -> torch.Tensor:
    """The point a share t of the way from x0 to x1 along the geodesic: exp_{x0}(t log_{x0}(x1))."""
    return space.exp(x0, t * space.log(x0, x1))


def conditional_velocity(space: Space, x: torch.Tensor, x1: torch.Tensor, t: Time) -> torch.Tensor:
    """u_t(x | x1) = log_x(x1) / (1 - t): the velocity that reaches x1 at t = 1 along the geodesic at constant speed."""
    return space.log(x, x1) / (1 - t)


class Field(nn.Module):
    """A velocity field on `space`: the book's MLP reads the point's features and t, and its output is made tangent."""

    def __init__(self, space: Space, width: int = 64, depth: int = 3):
        super().__init__()
        self.space = _space(space)
        inputs = self.space.features(torch.zeros(1, self.space.dim)).shape[1]
        self.net = models.mlp(inputs + 1, width, depth, self.space.dim)

    def forward(self, x: torch.Tensor, t: Time) -> torch.Tensor:
        x = _points(x, self.space).to(self.net[0].weight)
        features = self.space.features(x)
        return self.space.tangent(x, self.net(torch.cat([features, models.time_column(t, x)], dim=1)))


def loss(field: Field, x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Geodesic flow matching: the mean squared error of field(x_t, t) against u_t(x_t | x1) on the geodesic."""
    space = field.space
    x = geodesic(space, x0, x1, t)
    return ((field(x, t) - conditional_velocity(space, x, x1, t)) ** 2).mean()


@dataclass
class Path:
    """What `integrate` returns: the points at t = 1 (n, d), and every step's points if asked (steps + 1, n, d)."""

    x: torch.Tensor
    trajectory: Optional[torch.Tensor]


STEPS = ("exp", "project")


@torch.no_grad()
def integrate(
    velocity: Callable[[torch.Tensor, float], torch.Tensor],
    x0: torch.Tensor,
    steps: int,
    space: Space = SPHERE,
    step: str = "exp",
    trajectory: bool = False,
) -> Path:
    """Euler steps of `velocity` from t = 0 to 1 that stay on `space`.

    step="exp" walks each step along the geodesic, x <- exp_x(h v); step="project"
    steps straight, x <- x + h v, and then puts the point back on the space.
    """
    space, steps = _space(space), checks.whole_number(steps, "steps")
    if step not in STEPS:
        raise ValueError(f"step must be one of {', '.join(map(repr, STEPS))}; got {step!r}")
    x = _points(x0, space)
    path = [x] if trajectory else None
    for i in range(steps):
        move = velocity(x, i / steps) / steps
        x = space.exp(x, move) if step == "exp" else space.project(x + move)
        if trajectory:
            path.append(x)
    return Path(x=x, trajectory=torch.stack(path) if trajectory else None)


def von_mises_fisher(
    n: int, mean: torch.Tensor, concentration: float, generator: Optional[torch.Generator] = None
) -> torch.Tensor:
    """n points of the von Mises-Fisher distribution on the sphere, density proportional to exp(kappa mean . x).

    The cosine w = mean . x is drawn by inverting its distribution (Wood, 1994),
    the direction around `mean` uniformly.
    """
    kappa = checks.positive_number(concentration, "concentration")
    mean = SPHERE.project(torch.as_tensor(mean, dtype=torch.float32).reshape(1, 3))
    u = torch.rand(checks.whole_number(n, "n"), 1, generator=generator)
    w = 1 + torch.log(u + (1 - u) * math.exp(-2 * kappa)) / kappa
    around = SPHERE.tangent(mean, torch.randn(len(u), 3, generator=generator))
    around = around / around.norm(dim=-1, keepdim=True)
    return SPHERE.project(w * mean + (1 - w**2).clamp_min(0).sqrt() * around)


SPHERE_CLUSTERS = (  # (direction, concentration): four clusters spread over the globe
    ((1.0, 0.0, 0.3), 30.0),
    ((-0.5, 0.8, 0.2), 30.0),
    ((-0.4, -0.7, 0.5), 20.0),
    ((0.1, 0.2, -1.0), 40.0),
)
TORUS_CLUSTERS = (  # (mean angles, standard deviation, weight): like a Ramachandran plot's three regions
    ((-1.1, -0.75), 0.3, 0.45),
    ((-2.1, 2.8), 0.4, 0.4),
    ((1.0, 0.8), 0.3, 0.15),
)


def sphere_clusters(n: int, generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """n points of an even mixture of the four von Mises-Fisher clusters of SPHERE_CLUSTERS."""
    which = torch.randint(len(SPHERE_CLUSTERS), (checks.whole_number(n, "n"),), generator=generator)
    out = torch.empty(n, 3)
    for k, (mean, kappa) in enumerate(SPHERE_CLUSTERS):
        chosen = which == k
        if chosen.any():  # a small draw may leave a cluster empty
            out[chosen] = von_mises_fisher(int(chosen.sum()), torch.tensor(mean), kappa, generator)
    return out


def torus_clusters(n: int, generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """n pairs of angles from the wrapped Gaussian mixture of TORUS_CLUSTERS (the second cluster crosses the seam)."""
    weights = torch.tensor([w for _, _, w in TORUS_CLUSTERS])
    which = torch.multinomial(weights, checks.whole_number(n, "n"), replacement=True, generator=generator)
    means = torch.tensor([m for m, _, _ in TORUS_CLUSTERS])[which]
    stds = torch.tensor([s for _, s, _ in TORUS_CLUSTERS])[which, None]
    return TORUS.project(means + stds * torch.randn(n, 2, generator=generator))


TARGETS = {"sphere": sphere_clusters, "torus": torus_clusters}
"""Each space's target: n -> points (n, d) on it."""
GEOMETRIES = ("geodesic", "straight")


def train(
    field: Field,
    source: Callable[[int], torch.Tensor],
    target: Callable[[int], torch.Tensor],
    steps: int = recipes.BOOK_2D.steps,
    batch_size: int = recipes.BOOK_2D.batch_size,
    lr: float = recipes.BOOK_2D.lr,
    seed: Optional[int] = None,
    lr_decay: bool = recipes.BOOK_2D.lr_decay,
    progress: bool = True,
) -> list[float]:
    """Fit `field` by `loss` along geodesics on fresh pairs (source(n), target(n)), with the book's `optimise`.

    (The ordinary flow on the coordinates, trained on straight lines, is `fmlib.train` with the same samplers.)
    """
    if not isinstance(field, Field):
        raise TypeError(f"geodesic training needs a manifolds.Field, got {field!r:.60}")
    seeded(seed)
    batch_size, device = checks.whole_number(batch_size, "batch_size"), device_of(field)

    def batch_loss():
        x0, x1 = source(batch_size).to(device), target(batch_size).to(device)
        return loss(field, x0, x1, torch.rand(batch_size, 1, device=device))

    return optimise(field, batch_loss, steps, lr, lr_decay, progress)


def trained_model(
    space: str,
    recipe: recipes.Recipe = recipes.MANIFOLD,
    geometry: str = "geodesic",
    seed: int = 0,
    progress: bool = True,
) -> nn.Module:
    """A model for `space`'s target from its uniform distribution, trained by `train` and kept on disk.

    geometry="geodesic": a `Field` trained along geodesics; "straight": the book's
    `VelocityNet` on the coordinates, trained on straight lines as if the space were flat.
    """
    if space not in SPACES:
        raise ValueError(f"space must be one of {', '.join(map(repr, SPACES))}; got {space!r}")
    if geometry not in GEOMETRIES:
        raise ValueError(f"geometry must be one of {', '.join(map(repr, GEOMETRIES))}; got {geometry!r}")
    if seed is None:
        raise TypeError("seed must be a whole number such as 0: the cache keeps one model per seed")
    seed, where = checks.seed(seed), SPACES[space]
    settings = recipe.train_settings()
    path = cache.model_path(
        f"uniform-{space}", f"{space}-clusters-{geometry}", recipe, seed, settings, modules=(sys.modules[__name__],)
    )

    def build():
        if geometry == "geodesic":
            return Field(where, recipe.width, recipe.depth)
        return models.VelocityNet(where.dim, recipe.width, recipe.depth)

    def fit(model):
        fit_by = train if geometry == "geodesic" else training.train  # straight lines: the book's own loop
        fit_by(model, where.uniform, TARGETS[space], seed=seed, progress=progress, **settings)

    return cache.kept(path, build, fit, seed, progress)


def _space(space):
    if isinstance(space, str) and space in SPACES:
        return SPACES[space]
    if not isinstance(space, (Sphere, FlatTorus)):
        raise TypeError(f"space must be manifolds.SPHERE, manifolds.TORUS or one of their names; got {space!r:.60}")
    return space


def _points(x, space):
    x = checks.tensor(x, "x")
    if x.ndim != 2 or x.shape[1] != space.dim:
        raise ValueError(f"points on the {space.name} must be of shape (n, {space.dim}), got {tuple(x.shape)}")
    return x
