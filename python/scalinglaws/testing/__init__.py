"""Plain numpy reference implementations: test oracles and benchmark baselines.

These step the dynamics one update at a time, in the most direct way, with the same conventions
as :mod:`scalinglaws.simulate` (losses without 1/2; GD ``w <- w + (lr/P) Phi^T (y - Phi w)``).
They are slow on purpose: their job is to be obviously right.

Submodules, one area each (every name is also importable from here):

* :mod:`~scalinglaws.testing.gd` -- full-batch GD, heavy-ball GD, ridge regression;
* :mod:`~scalinglaws.testing.sgd` -- one-pass SGD (stepping, eigenbasis loop, exact moments);
* :mod:`~scalinglaws.testing.plrf` -- m(z), the deterministic spectrum, the Volterra recursion;
* :mod:`~scalinglaws.testing.kernels` -- ReLU NTK and RBF kernel matrices.
"""

from __future__ import annotations

from .gd import (
    draw_explicit,
    gd_explicit,
    gd_stepping,
    heavy_ball_explicit,
    heavy_ball_stepping,
    ridge_regression_explicit,
)
from .kernels import rbf_kernel, relu_ntk
from .plrf import plrf_m_continuation, plrf_spectrum, plrf_volterra_stepping
from .sgd import (
    sgd_eigenbasis,
    sgd_expected_loss_explicit,
    sgd_one_step_projection_average,
    sgd_stepping,
)

__all__ = [
    "gd_stepping",
    "heavy_ball_stepping",
    "draw_explicit",
    "gd_explicit",
    "heavy_ball_explicit",
    "sgd_stepping",
    "sgd_eigenbasis",
    "sgd_expected_loss_explicit",
    "sgd_one_step_projection_average",
    "ridge_regression_explicit",
    "plrf_m_continuation",
    "plrf_spectrum",
    "plrf_volterra_stepping",
    "relu_ntk",
    "rbf_kernel",
]
