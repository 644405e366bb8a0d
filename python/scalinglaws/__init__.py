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

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from . import dmft, errors, plrf, spectra
from ._backend import linalg_backend
from ._deprecation import moved
from .errors import ConvergenceError, ParameterError, ResourceError
from .problem import Problem
from .results import Comparison, LossCurve, log_spaced_steps
from .simulate import sgd_stability_bound, simulate_gd, simulate_sgd

try:
    __version__ = version("scalinglaws")  # the one place: pyproject.toml
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "Problem",
    "LossCurve",
    "Comparison",
    "ParameterError",
    "ConvergenceError",
    "ResourceError",
    "errors",
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

_MOVED = {"SimulationResult": "scalinglaws.results"}


def __getattr__(name: str) -> Any:
    if name == "SimulationResult":
        return moved(__name__, "LossCurve", {"LossCurve": "scalinglaws.results"})
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
