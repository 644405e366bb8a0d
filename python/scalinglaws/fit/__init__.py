"""Fitting scaling laws to measured or simulated losses, with honest uncertainty.

* :func:`fit_chinchilla` -- the parametric law ``L = E + A/N^alpha + B/D^beta`` (Hoffmann et al.
  2022 approach 3, as replicated by Besiroglu et al. 2024): Huber loss on log L, L-BFGS-B from a
  grid, bootstrap percentile intervals, compute-optimal allocation (:class:`ChinchillaFit`).
* :func:`fit_isoflop` -- IsoFLOP profiles (approach 2): a parabola in log N per compute budget,
  then ``N_opt ~ C^a`` and ``D_opt ~ C^b`` (:class:`IsoFlopFit`).
* :func:`leave_out` and :func:`plot_fit` -- extrapolation checks and a data/fit/residual figure.
* :func:`fit_power_law` -- ``y = A x^-p`` in log-log space; :func:`fit_scaling_law` --
  ``L = L_inf + A t^-x + B N^-y`` (the (t, N) form used for this project's sweeps); both with
  regression/asymptotic or bootstrap intervals.
* :class:`FlopModel` -- ``C = k N D`` (default ``k = 6``), subclass for other compute models.

Every random result is a pure function of ``seed`` and independent of ``n_jobs``.
"""

from __future__ import annotations

from .allocation import Allocation, FlopModel
from .chinchilla import ChinchillaFit, IdentifiabilityWarning, fit_chinchilla
from .isoflop import IsoFlopFit, fit_isoflop
from .powerlaw import PowerLawFit, ScalingLawFit, fit_power_law, fit_scaling_law
from .validation import HoldoutResult, leave_out, plot_fit

__all__ = [
    "fit_chinchilla",
    "ChinchillaFit",
    "IdentifiabilityWarning",
    "fit_isoflop",
    "IsoFlopFit",
    "FlopModel",
    "Allocation",
    "leave_out",
    "HoldoutResult",
    "plot_fit",
    "fit_power_law",
    "PowerLawFit",
    "fit_scaling_law",
    "ScalingLawFit",
]
