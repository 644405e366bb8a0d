"""Kernel regression theory of a measured spectrum (the N = inf limit of the DMFT)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validate import check_array, check_real, check_values
from ..errors import ParameterError

__all__ = ["kernel_regression_loss"]


# ----------------------------------------------------------------------------------- theory
def kernel_regression_loss(
    eigenvalues: Any, power: Any, P: Any, *, ridge: float = 0.0, noise: float = 0.0
) -> np.ndarray:
    """Predicted test loss of kernel (ridge/ridgeless) regression on P points, at N, t = inf.

    The kernel-regression limit of the DMFT (:ref:`dmft-final`, eqs 77-80, non-proportional form;
    equal to the replica / eigenlearning result): ``kappa`` solves
    ``1 = sum_k lambda_k / (lambda_k P + kappa) + ridge / kappa`` (ridge = 0: ridgeless) and
    ``L = [sum_k power_k kappa^2 / (kappa + lambda_k P)^2 + gamma noise] / (1 - gamma)`` with
    ``gamma = P sum_k lambda_k^2 / (lambda_k P + kappa)^2``; ``noise`` is the variance of
    label noise (excluded from L itself). Ridgeless needs P < number of modes with
    ``lambda_k > 0``. ``power_k = lambda_k (w*_k)^2``. Loss without 1/2.

    Parameters
    ----------
    eigenvalues : array_like
        lambda_k > 0.
    power : array_like
        ``power_k >= 0``, the same length.
    P : float or array_like
        Number(s) of training points, > 0 (ridgeless: < the number of modes).
    ridge : float, optional
        Explicit ridge >= 0 (0: ridgeless).
    noise : float, optional
        Label-noise variance sigma^2 >= 0.

    Returns
    -------
    float or ndarray
        The test loss at each P (a float for scalar ``P``).

    Raises
    ------
    ParameterError
        Mismatched or invalid arrays, P out of range, or overflow.

    Examples
    --------
    >>> lam = np.arange(1, 1001) ** -1.5
    >>> L = kernel_regression_loss(lam, lam * np.arange(1, 1001) ** -0.5, [10, 100])
    >>> bool(L[1] < L[0]), kernel_regression_loss(lam, lam, 10, ridge=1e-3).shape
    (True, ())
    """
    lam = check_array("eigenvalues", eigenvalues, positive=True)
    pw = check_array("power", power)
    if pw.shape != lam.shape:
        raise ParameterError("eigenvalues and power must have the same length")
    if np.any(pw < 0):
        raise ParameterError("power must be >= 0")
    ridge = check_real("ridge", ridge, minimum=0.0)
    noise = check_real("noise", noise, minimum=0.0)
    Ps = check_values("P", P, minimum=0.0, min_open=True)
    out = np.empty(Ps.shape)
    for i, p in enumerate(Ps):
        p = check_real("P", p, minimum=0.0, min_open=True)
        if ridge == 0.0 and p >= lam.size:
            raise ParameterError(
                f"P must be < {lam.size} (the number of modes) for ridgeless regression, got {p:g}"
            )
        f = lambda lk: float(np.sum(lam / (lam * p + math.exp(lk))) + ridge / math.exp(lk) - 1.0)  # noqa: E731
        with np.errstate(over="ignore"):
            top = float(np.sum(lam)) + ridge
        if not top < 1e300:  # exp(hi) below would overflow
            raise ParameterError(
                f"eigenvalues (sum = {top:.3g}) are out of range for kernel_regression_loss "
                "(valid: sum(eigenvalues) + ridge < 1e300); rescale them"
            )
        lo, hi = math.log(1e-300), math.log(top + 1e-300) + 1.0
        while f(lo) < 0:  # cannot happen for ridgeless P < M; guards round-off
            lo += 10.0
            if lo >= hi:
                break
        for _ in range(200):  # bisection in log kappa (f decreasing)
            mid = 0.5 * (lo + hi)
            if f(mid) > 0:
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-13:
                break
        kappa = np.float64(math.exp(0.5 * (lo + hi)))  # float64: kappa**2 may overflow to inf
        with np.errstate(all="ignore"):
            den = lam * p + kappa
            gamma = float(p * np.sum(lam**2 / den**2))
            bias = float(np.sum(pw * kappa**2 / den**2))
            out[i] = (bias + gamma * noise) / max(1.0 - gamma, 1e-300)
        if not math.isfinite(out[i]):
            raise ParameterError(
                f"kernel_regression_loss overflows at P = {p:g} (eigenvalues "
                "or power out of double-precision range); rescale them"
            )
    return out.reshape(np.shape(P)) if np.ndim(P) else out[0]
