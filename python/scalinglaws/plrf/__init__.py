"""Power-law random features with one-pass SGD (Paquette, Paquette, Xiao & Pennington, NeurIPS
2024); theory page "Power-law random features".

Model (any :class:`~scalinglaws.Problem`; ``Problem.paquette(alpha, beta, v, d)`` is the paper's
parameterisation): data ``x ~ N(0, D)``, ``D = diag(j^-2alpha)``, target ``y = <x, b>``,
``b_j = j^-beta``, j = 1..v; random features ``W`` (v x d) with N(0, 1/d) entries; loss

    P(theta) = ||D^1/2 (W theta - b)||^2        (NO 1/2 in front)

Learning-rate conventions: the paper's SGD sums the batch (``lr_convention="sum"``,
``theta <- theta - lr * sum_{i<=B} grad_i``); ``"mean"`` divides by B (Bordelon et al., and
the paper's reference code). The default is the problem's :attr:`~scalinglaws.Problem.lr_convention`.
Compute is ``f = B * d * r`` flops.

Submodules, one concept each:

* :mod:`~scalinglaws.plrf.spectrum` -- deterministic equivalent (:func:`resolvent_m`,
  :func:`deterministic_spectrum`, :func:`lambda_min`, :func:`limit_loss`) and the exact
  spectrum of one projection (:func:`empirical_spectrum`);
* :mod:`~scalinglaws.plrf.volterra` -- the expected SGD loss: :func:`loss_curve`,
  :func:`volterra_loss`, :func:`forcing_kernel`, :func:`kernel_norm`, :func:`max_stable_lr`;
* :mod:`~scalinglaws.plrf.phases` -- :func:`phase`, :func:`compute_optimal_exponents`,
  :func:`loss_components`;
* :mod:`~scalinglaws.plrf.compute_optimal` -- :func:`measure_compute_optimal`,
  :func:`fit_compute_optimal`, :func:`estimate_compute_optimal`.

The papers' figures are in :mod:`scalinglaws.figures.paquette2024`.
"""

from __future__ import annotations

from typing import Any

from .._deprecation import moved
from . import compute_optimal, phases, spectrum, volterra  # noqa: F401
from ._legacy import accepts_scalars
from .compute_optimal import estimate_compute_optimal, fit_compute_optimal, measure_compute_optimal
from .kernel import forcing_kernel, kernel_norm, max_stable_lr
from .phases import PHASE_EXAMPLES, PHASES, compute_optimal_exponents, phase
from .spectrum import Spectrum, resolvent_m  # noqa: F401  (in __all__ through spectrum.__all__)
from .volterra import loss_curve, volterra_loss

deterministic_spectrum = accepts_scalars(spectrum.deterministic_spectrum)
empirical_spectrum = accepts_scalars(spectrum.empirical_spectrum)
limit_loss = accepts_scalars(spectrum.limit_loss)
lambda_min = accepts_scalars(spectrum.lambda_min)
loss_components = accepts_scalars(phases.loss_components)

__all__ = [
    *spectrum.__all__,  # Spectrum, resolvent_m, limit_loss, lambda_min, the two spectra
    "max_stable_lr",
    "forcing_kernel",
    "volterra_loss",
    "loss_curve",
    "kernel_norm",
    "phase",
    "compute_optimal_exponents",
    "loss_components",
    "PHASES",
    "PHASE_EXAMPLES",
    "measure_compute_optimal",
    "fit_compute_optimal",
    "estimate_compute_optimal",
]

_MOVED = {"LossCurve": "scalinglaws.results"}


def __getattr__(name: str) -> Any:
    if name.startswith("figure_"):  # the figures moved out; their list lives with them
        from ..figures import paquette2024_data as figures  # lazy: figures imports plrf

        return moved(__name__, name, dict.fromkeys(figures.__all__, figures.__name__))
    return moved(__name__, name, _MOVED)
