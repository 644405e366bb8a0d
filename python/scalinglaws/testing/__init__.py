"""Plain numpy reference implementations: test oracles and benchmark baselines.

These step the dynamics one update at a time, in the most direct way, with the same conventions
as :mod:`scalinglaws.simulate` (losses without 1/2; GD ``w <- w + (lr/P) Phi^T (y - Phi w)``).
They are slow on purpose: their job is to be obviously right.

Submodules, one area each (every name is also importable from here):

* :mod:`~scalinglaws.testing.gd` -- full-batch GD, heavy-ball GD, ridge regression;
* :mod:`~scalinglaws.testing.sgd` -- one-pass SGD (stepping, eigenbasis loop, exact moments);
* :mod:`~scalinglaws.testing.plrf` -- m(z), the deterministic spectrum, the Volterra recursion;
* :mod:`~scalinglaws.testing.kernels` -- ReLU NTK and RBF kernel matrices;
* :mod:`~scalinglaws.testing.data` -- synthetic training runs of a known Chinchilla law.
"""

from __future__ import annotations

from . import data, gd, kernels, plrf, sgd
from .data import *  # noqa: F403  (each submodule's __all__, re-exported)
from .gd import *  # noqa: F403
from .kernels import *  # noqa: F403
from .plrf import *  # noqa: F403
from .sgd import *  # noqa: F403

__all__ = [*gd.__all__, *sgd.__all__, *plrf.__all__, *kernels.__all__, *data.__all__]
