"""scalinglaws: fast, exact solvable models of neural scaling laws.

Public API (pure Python over the private C++ core ``scalinglaws._core``):

* :class:`Problem` -- the Gaussian linear random-feature problem of both papers
  (``Problem.bordelon(a, b, M, N)``, ``Problem.paquette(alpha, beta, v, d)``,
  ``Problem.from_spectrum(lam, wstar, N)``).
* :func:`simulate_gd`, :func:`simulate_sgd` -- exact finite-width simulations.
* :mod:`scalinglaws.dmft` -- DMFT theory of Bordelon, Atanasov & Pehlevan (2024).
* :mod:`scalinglaws.plrf` -- power-law random features with one-pass SGD, Paquette et al. (2024).
* :mod:`scalinglaws.spectra` -- kernels, measured spectra, fitted exponents, predictions.
* :mod:`scalinglaws.sweep`, :mod:`scalinglaws.fit`, :mod:`scalinglaws.plotting`,
  :mod:`scalinglaws.figures` -- sweeps, fits, plots and the papers' figures.

Conventions: every loss is reported **without the 1/2**; test losses are population losses
computed from the covariance and exclude the label-noise floor sigma^2.
"""
from __future__ import annotations

from . import dmft, plrf, spectra
from ._backend import linalg_backend
from .problem import Problem
from .simulate import (SimulationResult, log_spaced_steps, sgd_stability_bound, simulate_gd,
                       simulate_sgd)

__version__ = "0.1.0"

__all__ = [
    "Problem",
    "SimulationResult",
    "simulate_gd",
    "simulate_sgd",
    "sgd_stability_bound",
    "log_spaced_steps",
    "linalg_backend",
    "dmft",
    "plrf",
    "spectra",
    "__version__",
]
