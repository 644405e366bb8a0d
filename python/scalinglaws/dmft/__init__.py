"""DMFT theory of Bordelon, Atanasov & Pehlevan, "A Dynamical Model of Neural Scaling Laws"
(ICML 2024); theory page "DMFT random-feature model".

Everything uses the paper's non-proportional normalisation (its App. G):
``v0 = w* - (1/sqrt N) A^T w``, test loss ``L = sum_k lambda_k v0_k^2`` (**no 1/2, no sigma^2
floor**), train loss ``Lhat = (1/P) ||y - Phi w||^2`` (no 1/2; includes label noise), the same
conventions as :func:`scalinglaws.simulate_gd`. Time: gradient flow ``dv0/dt = -K v0`` with
``K = (A^T A/N)(Psi^T Psi/P)``; discrete GD ``v0(n+1) = v0(n) - lr K v0(n)`` reported at
``t = lr * n``; one-pass SGD at the step count.

Submodules, one concept each:

* :mod:`~scalinglaws.dmft.response_functions` -- R1, R3, S = N(1-R3) = P(1-R1) at complex frequencies
  (eqs. 10-11, 32-33), timescale densities;
* :mod:`~scalinglaws.dmft.transfer` -- mode transfer functions H_k(t) (one- or two-petal
  contour) and the irreducible bias of infinite ensembles (re-exported by ``response_functions``);
* :mod:`~scalinglaws.dmft.curves` -- :func:`loss_curve` (contour route: 2-D fixed-Talbot
  inversion of the two-frequency correlation system, eq. 35; recipe route: the T x T recipe of
  App. M.1 in O(M T^2); one-pass SGD: the exact Volterra recursion by default);
* :mod:`~scalinglaws.dmft.gap` -- :func:`train_test_gap` (eq. 18);
* :mod:`~scalinglaws.dmft.recipe`, :mod:`~scalinglaws.dmft.contour` -- the two time routes'
  machinery and validity checks;
* :mod:`~scalinglaws.dmft.limits` -- :func:`infinite_width_loss` (eq. 125), :func:`final_losses`
  (App. C), :func:`early_time_transfer` (App. D), :func:`exponents` (eq. 14, App. N);
* :mod:`~scalinglaws.dmft.frontier` -- :func:`compute_optimal_frontier` (Fig. 4).

Ensembles and bagging (App. H), momentum (App. K) and label noise are keyword options of the
loss curves. The papers' figures are in :mod:`scalinglaws.figures.bordelon2024`.
"""

from __future__ import annotations

from typing import Any

from .._deprecation import moved
from ..errors import ConvergenceError
from .curves import loss_curve
from .frontier import Frontier, compute_optimal_frontier
from .gap import train_test_gap
from .limits import early_time_transfer, exponents, final_losses, infinite_width_loss
from .response_functions import (
    Responses,
    irreducible_bias,
    responses,
    timescale_density,
    transfer_functions,
)

__all__ = [
    "Responses",
    "Frontier",
    "responses",
    "loss_curve",
    "train_test_gap",
    "transfer_functions",
    "infinite_width_loss",
    "final_losses",
    "early_time_transfer",
    "exponents",
    "compute_optimal_frontier",
    "timescale_density",
    "irreducible_bias",
]

_MOVED = {"DmftSolveError": "scalinglaws.errors", "TheoryCurve": "scalinglaws.results"}


def __getattr__(name: str) -> Any:
    if name == "DmftSolveError":
        moved(__name__, "ConvergenceError", {"ConvergenceError": "scalinglaws.errors"})
        return ConvergenceError
    if name == "TheoryCurve":
        return moved(__name__, "LossCurve", {"LossCurve": "scalinglaws.results"})
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
