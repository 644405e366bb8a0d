"""Finite-width simulations that check the theory of both papers (C++ core, GIL released).

Two engines, both exact:

* :func:`simulate_gd` -- full-batch gradient descent (or gradient flow) on P samples from w = 0.
  The linear dynamics are solved spectrally: one eigendecomposition of the Gram matrix
  ``Phi^T Phi / P`` per draw, after which the weights at any time are closed-form, so the cost does
  not grow with t. Test loss is the population loss computed from the covariance (no test set).
  ``momentum=`` adds heavy-ball momentum (discrete GD) or continuous momentum (flow), also exact
  in the Gram eigenbasis (a 3x3 recurrence power / matrix exponential per eigenvalue).
* :func:`simulate_sgd` -- one-pass SGD with batch B and fresh samples every step. Given the
  projection, the projected features are Gaussian with covariance ``Sigma = F diag(lam) F^T`` and
  the label residual of the best in-model predictor is independent Gaussian noise, so samples are
  drawn in the eigenbasis of Sigma at O(B N) per step. Exact in distribution.

Conventions (see :mod:`scalinglaws.problem`): losses carry **no 1/2**; the test loss excludes the
label-noise floor sigma^2; GD time is ``t = lr * steps`` as in Bordelon et al. (GD with step lr/2 on
the MSE, i.e. ``w <- w + (lr/P) Phi^T (y - Phi w)``); SGD time is the step count r.

Randomness: run i of a call with ``seed=s`` uses data seed ``s + i`` and projection seed ``s + i``
(or the fixed ``projection_seed``), so it equals the single run ``seed=s + i`` whatever the number
of threads or of other runs in the call.

Modules: :mod:`~scalinglaws.simulate.gd` (:func:`simulate_gd`) and :mod:`~scalinglaws.simulate.sgd`
(:func:`simulate_sgd`, :func:`sgd_stability_bound`), the C++ engines of ``cpp/src/simulate/``.
"""

from __future__ import annotations

from typing import Any

from ..results import log_spaced_steps
from .gd import simulate_gd
from .sgd import setup_seconds, sgd_stability_bound, simulate_sgd  # noqa: F401 (setup_seconds: plrf)

__all__ = ["simulate_gd", "simulate_sgd", "sgd_stability_bound", "log_spaced_steps"]


def __getattr__(name: str) -> Any:
    if name == "SimulationResult":
        from .._deprecation import moved

        return moved(__name__, "LossCurve", {"LossCurve": "scalinglaws.results"})
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
