"""Discrete flow matching: data made of tokens, carried from a source by random jumps.

A token takes one of V values, 0 to V - 1; a masked source adds one more state,
V, the mask. Instead of a velocity, a continuous-time Markov chain has jump
rates: Q_t(y, x) is the probability per unit time of jumping from state x to
y != x, and Q_t(x, x) = -sum_{y != x} Q_t(y, x), so that probabilities are kept.
The probabilities p_t of the states then change by the Kolmogorov forward
equation, the discrete continuity equation:

    d p_t(y) / dt = sum_x Q_t(y, x) p_t(x).

The mixture path: each token of x_t is its target value x1 with probability
omega_t and its source value x0 otherwise (`Schedule`, omega_0 = 0, omega_1 = 1).
Its conditional rate jumps to x1 at rate omega'_t / (1 - omega_t); averaged with
the posterior p(x1 | x_t), as flow matching averages velocities, the marginal
rate of each token is

    Q_t(y, x) = omega'_t / (1 - omega_t) * (p(x1 = y | x_t) - [y = x]),

so a network that predicts the posterior (a classifier of x1, trained by
cross-entropy: `PosteriorNet`, `loss`) gives the rates. `jump_step` is the
Euler step of the chain: each token jumps with probability h * omega' / (1 - omega),
to a value drawn from its posterior.

The package holds three parts: `chain` (the path, posteriors, rates and the
jump sampler), `classifier` (`PosteriorNet`, its loss and training, the cache)
and `data` (the chapter's token data sets); their names are all here.
"""

from .chain import (
    LINEAR,
    Jumps,
    Posterior,
    Schedule,
    jump_step,
    marginal_rates,
    pair_posterior,
    path_probabilities,
    posterior,
    sample,
)
from .classifier import PosteriorNet, loss, noised, train, trained_model
from .data import (
    BIMODAL_VALUES,
    DIGIT_VALUES,
    GRID_BINS,
    GRID_LIM,
    SOURCES,
    TARGETS,
    bimodal,
    bin_centres,
    digit_tokens,
    from_grid,
    source_sampler,
    to_grid,
    token_positions,
)

__all__ = [
    "BIMODAL_VALUES",
    "DIGIT_VALUES",
    "GRID_BINS",
    "GRID_LIM",
    "LINEAR",
    "SOURCES",
    "TARGETS",
    "Jumps",
    "Posterior",
    "PosteriorNet",
    "Schedule",
    "bimodal",
    "bin_centres",
    "digit_tokens",
    "from_grid",
    "jump_step",
    "loss",
    "marginal_rates",
    "noised",
    "pair_posterior",
    "path_probabilities",
    "posterior",
    "sample",
    "source_sampler",
    "to_grid",
    "token_positions",
    "train",
    "trained_model",
]
