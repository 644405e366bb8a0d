"""Power-law fits of spectra (Theil-Sen with bootstrap intervals) and the exponents they imply."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, Tuple

import numpy as np

from .._docstrings import fill_doc
from .._validate import check_array, check_int, check_time
from ..dmft._docs import DMFT
from ..errors import ParameterError

__all__ = ["PowerLawFit", "fit_power_law", "auto_k_range", "scaling_exponents", "check_range"]


# ----------------------------------------------------------------------------------- fits
@dataclass
class PowerLawFit:
    """Fit of ``values_k ~ C k^-exponent`` (slope of log values against log k).

    Attributes
    ----------
    exponent : float
        The fitted decay exponent (minus the slope). For the tail fit the reported task exponent
        is ``a = 1 + exponent`` (see :class:`SpectrumAnalysis`).
    interval : (float, float)
        Confidence interval of ``exponent``: the union of the 95 % percentile interval of a
        pairs bootstrap over the fit points (``n_boot`` resamples, Theil-Sen re-fit) and the
        exponents fitted separately on the lower and upper halves (in log k) of the range. The
        bootstrap part measures the scatter about a straight line; the half-range part measures
        curvature (range dependence), usually the larger error for real data.
    k_range : (int, int)
        Inclusive range of mode indices k (1-based) used.
    k : ndarray
        The log-spaced mode indices actually fitted (up to ``points`` of them).
    log_prefactor : float
        Intercept: ``values ~ exp(log_prefactor) k^-exponent``.
    halves : (float, float)
        Exponents fitted on the lower and upper halves of the range (in log k).
    method : str
        ``"theil-sen"`` (median of pairwise slopes, robust to outlying modes).

    Examples
    --------
    >>> k = np.arange(1, 201)
    >>> fit = fit_power_law(3.0 * k**-1.5, (4, 100), n_boot=50)
    >>> round(fit.exponent, 6), fit.k_range, fit.predict([1, 10]).round(4).tolist()
    (1.5, (4, 100), [3.0, 0.0949])
    """

    exponent: float
    interval: Tuple[float, float]
    k_range: Tuple[int, int]
    k: np.ndarray
    log_prefactor: float
    halves: Tuple[float, float]
    method: str = "theil-sen"

    def predict(self, k: Any) -> np.ndarray:
        """The fitted law ``exp(log_prefactor) k^-exponent``.

        Parameters
        ----------
        k : float or array_like
            Mode indices (1-based; any positive value).

        Returns
        -------
        ndarray
            Predicted values, the shape of ``k``.
        """
        return np.exp(self.log_prefactor) * np.asarray(k, dtype=np.float64) ** (-self.exponent)

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready summary of the fit.

        Returns
        -------
        dict
            ``exponent``, ``interval``, ``k_range``, ``halves``, ``points`` (number of fitted
            modes) and ``method``.
        """
        return {
            "exponent": self.exponent,
            "interval": list(self.interval),
            "k_range": list(self.k_range),
            "halves": list(self.halves),
            "points": int(self.k.size),
            "method": self.method,
        }


def _theil_sen(x: np.ndarray, y: np.ndarray) -> Tuple[float, float]:
    i, j = np.triu_indices(x.size, 1)
    dx = x[j] - x[i]
    ok = dx != 0
    if not np.any(ok):
        return float("nan"), float("nan")
    slope = float(np.median((y[j] - y[i])[ok] / dx[ok]))
    return slope, float(np.median(y - slope * x))


def fit_power_law(
    values: Any,
    k_range: Tuple[int, int],
    *,
    points: int = 50,
    n_boot: int = 500,
    seed: int = 0,
    name: str = "values",
) -> PowerLawFit:
    """Fit ``values[k-1] ~ k^-exponent`` on up to ``points`` log-spaced k in ``k_range``.

    ``values`` must be positive on the range (k is 1-based). Robust Theil-Sen slope of
    ``log values`` against ``log k``; interval as described in :class:`PowerLawFit`.
    Guide: :ref:`tutorial-kernel-spectrum`.

    Parameters
    ----------
    values : array_like
        ``values[k-1]`` for k = 1..n (e.g. eigenvalues in decreasing order).
    k_range : (int, int)
        Inclusive fit range ``(kmin, kmax)``, ``1 <= kmin``, ``kmax >= kmin + 3``.
    points : int, optional
        Maximum number of log-spaced modes fitted (>= 4).
    n_boot : int, optional
        Bootstrap resamples of the interval (0: none).
    seed : int, optional
        Seed of the bootstrap.
    name : str, optional
        Name of ``values`` in error messages.

    Returns
    -------
    PowerLawFit
        Exponent, interval and fit details.

    Raises
    ------
    ParameterError
        An invalid range, non-positive values on it, or fewer than 4 distinct modes.
    ResourceError
        The estimated bootstrap time exceeds the budget.

    Examples
    --------
    >>> k = np.arange(1, 1001)
    >>> fit = fit_power_law(k**-2.0 * (1 + 0.01 * np.sin(k)), (4, 500), seed=1)
    >>> round(fit.exponent, 2), bool(fit.interval[0] <= fit.exponent <= fit.interval[1])
    (2.0, True)
    """
    v = check_array(name, values)
    points = check_int("points", points, minimum=4, maximum=100_000)
    n_boot = check_int("n_boot", n_boot, minimum=0, maximum=1_000_000)
    lo, hi = check_range(k_range, v.size, name)
    n_pts = min(points, hi - lo + 1)
    check_time(
        2e-8 * (n_boot + 3) * n_pts**2,
        f"fit_power_law ({n_boot} bootstrap fits of {n_pts} points)",
        hint="lower n_boot or points",
    )
    k = np.unique(np.round(np.logspace(math.log10(lo), math.log10(hi), points)).astype(np.int64))
    vals = v[k - 1]
    if np.any(vals <= 0):
        bad = int(k[np.argmax(vals <= 0)])
        raise ParameterError(
            f"{name} must be > 0 on the fit range {lo}..{hi} (k = {bad} is not); "
            f"choose a smaller k range"
        )
    if k.size < 4:
        raise ParameterError(
            f"k range {lo}..{hi} for {name} has fewer than 4 distinct modes; widen it"
        )
    x, yv = np.log(k.astype(np.float64)), np.log(vals)
    slope, icpt = _theil_sen(x, yv)
    mid = 0.5 * (x[0] + x[-1])
    lower, upper = x <= mid, x >= mid
    halves = tuple(-_theil_sen(x[m], yv[m])[0] if m.sum() >= 2 else -slope for m in (lower, upper))
    lo_b, hi_b = -slope, -slope
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        boots = []
        for _ in range(n_boot):
            idx = rng.integers(0, x.size, x.size)
            s, _ = _theil_sen(x[idx], yv[idx])
            if math.isfinite(s):
                boots.append(-s)
        if boots:
            lo_b, hi_b = (float(q) for q in np.percentile(boots, [2.5, 97.5]))
    interval = (float(min(lo_b, *halves, -slope)), float(max(hi_b, *halves, -slope)))
    return PowerLawFit(
        float(-slope), interval, (lo, hi), k, float(icpt), (float(halves[0]), float(halves[1]))
    )


def check_range(k_range: Any, size: int, name: str) -> Tuple[int, int]:
    """Validate a fit range ``(kmin, kmax)`` of 1-based mode indices.

    Parameters
    ----------
    k_range : (int, int)
        The range; ``1 <= kmin``, ``kmin + 3 <= kmax <= size``.
    size : int
        Number of available modes.
    name : str
        What is fitted (for the error message).

    Returns
    -------
    (int, int)
        ``(kmin, kmax)``.

    Raises
    ------
    ParameterError
        Not a pair, out of ``1..size``, or fewer than 4 modes.

    Examples
    --------
    >>> check_range((4, 100), 200, "eigenvalues")
    (4, 100)
    """
    try:
        lo, hi = k_range
    except (TypeError, ValueError):
        raise ParameterError(
            f"k range for {name} must be a pair (kmin, kmax), got {k_range!r}"
        ) from None
    lo = check_int(f"kmin ({name})", lo, minimum=1, maximum=size)
    hi = check_int(f"kmax ({name})", hi, minimum=1, maximum=size)
    if hi < lo + 3:
        raise ParameterError(f"k range for {name} must satisfy kmax >= kmin + 3, got {lo}..{hi}")
    return lo, hi


def auto_k_range(n_modes: int, n: int) -> Tuple[int, int]:
    """Default fit range of the spectrum exponents.

    Skip the top 3 modes (kmin = 4) and stop at kmax = n / 20, before the finite-n distortion of the empirical spectrum and task power (on synthetic power laws with
    n = 4000 this keeps both exponents within 0.05; see tests/test_spectra.py).

    Parameters
    ----------
    n_modes : int
        Number of modes available.
    n : int
        Number of data points the spectrum was measured on.

    Returns
    -------
    (int, int)
        ``(kmin, kmax)`` with ``kmax = min(n_modes, max(n // 20, 16))``.

    Examples
    --------
    >>> auto_k_range(1000, 4000)
    (4, 200)
    """
    kmax = min(n_modes, max(n // 20, 16))
    kmin = min(4, max(1, kmax - 12))
    return kmin, kmax


# ----------------------------------------------------------------------------------- exponents
#: Returns and Raises of the closed-form exponents (:func:`scalinglaws.dmft.exponents` and this
#: module's :func:`scaling_exponents`), expanded by ``fill_doc``
@fill_doc(DMFT)
def scaling_exponents(a: float, b: float) -> Dict[str, Any]:
    """Closed-form exponents of Bordelon, Atanasov & Pehlevan for fitted (a, b).

    The same as :func:`scalinglaws.dmft.exponents` (positive numbers: losses decay as X^-exponent; the
    compute-optimal ``t`` and ``N`` entries are growth exponents in C). Requires a > 1, b > 0.
    Theory: :ref:`dmft-limits`, :ref:`dmft-compute-optimal`.

    Parameters
    ----------
    a : float
        Task exponent (``lambda_k w*_k^2 ~ k^-a``), > 1.
    b : float
        Spectrum exponent (``lambda_k ~ k^-b``), > 0.

    Returns
    -------
    {exponents_returns}

    Examples
    --------
    >>> scaling_exponents(2.0, 1.5)["compute"]
    {'t': 0.6, 'N': 0.4, 'loss': 0.4}
    """
    from ..dmft import exponents

    return exponents(a, b)
