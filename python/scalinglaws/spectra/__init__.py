"""From a real kernel to predicted scaling laws: kernel spectra, fitted exponents, predictions.

Pipeline (Bordelon, Atanasov & Pehlevan 2024, Fig. 7; theory: :ref:`conv-dictionary`, :ref:`dmft-limits`)::

    X, y = load_dataset("digits")                    # or your own data
    K = kernel_matrix(X, kernel="ntk", depth=2)      # C++, O(n^2 d), GIL released
    s = analyze_spectrum(K, y)                       # eigenvalues, task power, fits of a and b
    s.b, s.b_interval, s.a, s.a_interval
    s.exponents()                                    # time, model/data, compute-optimal exponents
    s.problem()                                      # Problem.from_spectrum(lam, wstar) of the arrays
    s.predicted_time_curve(t), s.predicted_data_curve(P)

Conventions
-----------
* **Eigenvalues** ``lambda_k`` are those of ``K / n`` (n = number of points), sorted in decreasing
  order: the empirical estimate of the kernel operator's eigenvalues under the data distribution.
  With a feature matrix ``Phi`` (n x p) the kernel is ``K = Phi Phi^T`` and ``lambda_k`` are the
  eigenvalues of ``Phi^T Phi / n``.
* **Target power** per mode: ``power_k = (u_k . y)^2 / n`` with ``u_k`` the unit eigenvectors of K
  (summed over output columns when y is n x c). Then ``sum_k power_k = mean(|y|^2)`` (the mean over
  points of the squared target, summed over outputs) when the modes span R^n (Gram input). In the
  theory's notation ``power_k = lambda_k (w*_k)^2``. With a feature matrix of rank r < n the power
  outside the r modes is ``residual_power``.
* ``C(k) = sum_{k' <= k} power_k' / mean(|y|^2)`` and the tail ``1 - C(k)``.
* Exponents: ``lambda_k ~ k^-b`` and ``1 - C(k) ~ k^-(a-1)`` (so ``power_k ~ k^-a``).
* Losses are mean squared errors without the 1/2, in the units of ``mean(|y|^2)``.
"""

from __future__ import annotations

from .analysis import SpectrumAnalysis, analyze_spectrum
from .datasets import DATASETS, load_dataset
from .fits import PowerLawFit, fit_power_law, scaling_exponents
from .kernels import KERNELS, kernel_matrix, median_bandwidth
from .spectrum import kernel_spectrum
from .theory import kernel_regression_loss

__all__ = [
    "KERNELS",
    "kernel_matrix",
    "median_bandwidth",
    "kernel_spectrum",
    "fit_power_law",
    "PowerLawFit",
    "SpectrumAnalysis",
    "analyze_spectrum",
    "scaling_exponents",
    "kernel_regression_loss",
    "load_dataset",
    "DATASETS",
]
