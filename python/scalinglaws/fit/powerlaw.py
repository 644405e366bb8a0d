"""Fitting power laws and Chinchilla-style scaling laws to measured or simulated loss curves.

* :func:`fit_power_law` -- ``y = A x^(-p)`` by least squares in log-log space; returns p (positive
  for a decaying curve), A, and confidence intervals from the regression standard errors
  (Student t).
* :func:`fit_scaling_law` -- ``L = L_inf + A t^(-x) + B N^(-y)`` over a set of (t, N, L) points by
  nonlinear least squares on log L (relative residuals), several starts; confidence intervals from
  the Gauss-Newton covariance ``s^2 (J^T J)^-1`` (normal approximation).

Both take ``bootstrap=K`` (resamples of the points, seeded by ``seed``) for percentile intervals
instead; ``ci_method`` says which kind a result carries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

import numpy as np
from scipy import optimize, stats

from .._docstrings import fill_doc
from .._validate import check_int, check_real
from ..errors import ParameterError
from .bootstrap import map_chunks, percentile_interval, resample_indices, resample_seeds

__all__ = ["PowerLawFit", "ScalingLawFit", "fit_power_law", "fit_scaling_law"]


def _positive_pairs(name_x: str, x: Any, name_y: str, y: Any) -> Tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ParameterError(
            f"{name_x} and {name_y} must have the same length, got {x.size} and {y.size}"
        )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ParameterError(f"{name_x} and {name_y} must be finite")
    return x, y


@fill_doc()
@dataclass
class PowerLawFit:
    """``y = prefactor * x^(-exponent)`` fitted on ``x_range``.

    Returned by :func:`fit_power_law`; calling it evaluates the law.

    Attributes
    ----------
    exponent : float
        p (positive for a decaying curve).
    prefactor : float
        A.
    exponent_ci, prefactor_ci : (float, float)
        Intervals at level ``confidence``.
    {confidence}
    n : int
        Points fitted.
    x_range : (float, float)
        Range of the fitted x.
    r2 : float
        Coefficient of determination in log-log space.
    ci_method : str
        ``"t"`` or ``"bootstrap-percentile"``.

    Examples
    --------
    >>> f = fit_power_law([1, 10, 100], [2.0, 0.2, 0.02])
    >>> round(f.exponent, 6), round(f.prefactor, 6), round(float(f(1000)), 6)
    (1.0, 2.0, 0.002)
    """

    exponent: float
    prefactor: float
    exponent_ci: Tuple[float, float]
    prefactor_ci: Tuple[float, float]
    confidence: float
    n: int
    x_range: Tuple[float, float]
    r2: float
    ci_method: str = "t"

    def __call__(self, x: Any) -> np.ndarray:
        return self.prefactor * np.asarray(x, dtype=np.float64) ** (-self.exponent)

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready dict of the attributes.

        Returns
        -------
        dict
            ``exponent``, ``exponent_ci``, ``prefactor``, ``prefactor_ci``, ``confidence``,
            ``n``, ``x_range``, ``r2``, ``ci_method``.
        """
        return {
            "exponent": self.exponent,
            "exponent_ci": list(self.exponent_ci),
            "prefactor": self.prefactor,
            "prefactor_ci": list(self.prefactor_ci),
            "confidence": self.confidence,
            "n": self.n,
            "x_range": list(self.x_range),
            "r2": self.r2,
            "ci_method": self.ci_method,
        }

    def __repr__(self) -> str:
        lo, hi = self.exponent_ci
        return (
            f"PowerLawFit(y = {self.prefactor:.4g} x^-{self.exponent:.4f}, "
            f"{100 * self.confidence:.0f}% CI of exponent [{lo:.4f}, {hi:.4f}], n={self.n})"
        )


def fit_power_law(
    x: Any,
    y: Any,
    *,
    xmin: Optional[float] = None,
    xmax: Optional[float] = None,
    confidence: float = 0.95,
    bootstrap: int = 0,
    seed: int = 0,
) -> PowerLawFit:
    """Fit ``y = A x^(-p)`` to the points with ``xmin <= x <= xmax`` (x, y > 0).

    Intervals: Student-t from the regression standard errors (``ci_method="t"``), or with
    ``bootstrap=K`` the percentile intervals of K resamples of the points (resample ``i`` seeded
    by ``SeedSequence(seed).spawn(K)[i]``; ``ci_method="bootstrap-percentile"``).

    Parameters
    ----------
    x, y : array_like
        Points (same length, finite); points with x or y <= 0 are ignored.
    xmin, xmax : float, optional
        Fit range of x.
    confidence : float, optional
        Level of the intervals, in (0, 1).
    bootstrap : int, optional
        Resamples of the points (0: t-intervals).
    seed : int, optional
        Seed of the resamples.

    Returns
    -------
    PowerLawFit
        Exponent, prefactor, intervals and fit statistics.

    Raises
    ------
    ParameterError
        Mismatched or non-finite arrays, fewer than 3 usable points, invalid options.

    Examples
    --------
    >>> f = fit_power_law([1, 10, 100], [2.0, 0.5, 0.125])
    >>> round(f.exponent, 6)
    0.60206
    """
    x, y = _positive_pairs("x", x, "y", y)
    confidence = check_real(
        "confidence", confidence, minimum=0.0, maximum=1.0, min_open=True, max_open=True
    )
    keep = (x > 0) & (y > 0)
    if xmin is not None:
        keep &= x >= xmin
    if xmax is not None:
        keep &= x <= xmax
    n = int(keep.sum())
    if n < 3:
        raise ParameterError(f"need at least 3 points with x, y > 0 in the fit range, got {n}")
    bootstrap = check_int("bootstrap", bootstrap, minimum=0)
    seed = check_int("seed", seed, minimum=0)
    lx, ly = np.log(x[keep]), np.log(y[keep])
    order = np.lexsort((ly, lx))
    lx, ly = lx[order], ly[order]
    res = stats.linregress(lx, ly)
    q = stats.t.ppf(0.5 + confidence / 2, n - 2)
    slope_ci = (res.slope - q * res.stderr, res.slope + q * res.stderr)
    icpt_ci = (res.intercept - q * res.intercept_stderr, res.intercept + q * res.intercept_stderr)
    method = "t"
    if bootstrap:
        reps = []
        for ss in resample_seeds(seed, 0, bootstrap):
            w = resample_indices(ss, n)
            xm, ym = np.sum(w * lx) / n, np.sum(w * ly) / n
            sxx = np.sum(w * (lx - xm) ** 2)
            b = np.sum(w * (lx - xm) * (ly - ym)) / sxx if sxx > 0 else np.nan
            reps.append((b, ym - b * xm))
        ci = percentile_interval(np.array(reps), confidence)
        slope_ci, icpt_ci = (ci[0, 0], ci[1, 0]), (ci[0, 1], ci[1, 1])
        method = "bootstrap-percentile"
    return PowerLawFit(
        exponent=float(-res.slope),
        prefactor=float(math.exp(res.intercept)),
        exponent_ci=(float(-slope_ci[1]), float(-slope_ci[0])),
        prefactor_ci=(float(math.exp(icpt_ci[0])), float(math.exp(icpt_ci[1]))),
        confidence=confidence,
        n=n,
        x_range=(float(x[keep].min()), float(x[keep].max())),
        r2=float(res.rvalue**2),
        ci_method=method,
    )


@fill_doc()
@dataclass
class ScalingLawFit:
    """``L = L_inf + A t^(-x) + B N^(-y)``, fitted by :func:`fit_scaling_law`.

    Calling it, ``fit(t, N)``, evaluates the law.

    Attributes
    ----------
    params : dict
        ``L_inf``, ``A``, ``x``, ``B``, ``y``.
    ci : dict
        Interval of each parameter at level ``confidence``.
    {confidence}
    n : int
        Points fitted.
    rms_log_residual : float
        Root-mean-square of ``log L_fit - log L``.
    names : (str, str)
        Names of the two variables (for printing).
    ci_method : str
        ``"asymptotic"`` or ``"bootstrap-percentile"``.

    Examples
    --------
    >>> t, N = np.meshgrid(np.logspace(1, 4, 8), [64, 128, 256, 512])
    >>> fit = fit_scaling_law(t.ravel(), N.ravel(), (0.05 + 2.0 * t**-0.6 + 3.0 * N**-0.8).ravel())
    >>> {k: round(v, 3) for k, v in fit.params.items()}
    {'A': 2.0, 'x': 0.6, 'B': 3.0, 'y': 0.8, 'L_inf': 0.05}
    """

    params: Dict[str, float]
    ci: Dict[str, Tuple[float, float]]
    confidence: float
    n: int
    rms_log_residual: float
    names: Tuple[str, str] = ("t", "N")
    ci_method: str = "asymptotic"

    def __call__(self, t: Any, N: Any) -> np.ndarray:
        p = self.params
        return (
            p["L_inf"]
            + p["A"] * np.asarray(t, float) ** (-p["x"])
            + p["B"] * np.asarray(N, float) ** (-p["y"])
        )

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready dict.

        Returns
        -------
        dict
            ``params``, ``ci``, ``confidence``, ``n``, ``rms_log_residual``, ``ci_method``.
        """
        return {
            "params": self.params,
            "ci": {k: list(v) for k, v in self.ci.items()},
            "confidence": self.confidence,
            "n": self.n,
            "rms_log_residual": self.rms_log_residual,
            "ci_method": self.ci_method,
        }

    def __repr__(self) -> str:
        p, (a, b) = self.params, self.names
        return (
            f"ScalingLawFit(L = {p['L_inf']:.4g} + {p['A']:.4g} {a}^-{p['x']:.4f} + "
            f"{p['B']:.4g} {b}^-{p['y']:.4f}, n={self.n}, rms log residual "
            f"{self.rms_log_residual:.3g})"
        )


def _sl_resid(
    theta: np.ndarray,
    lt: np.ndarray,
    lN: np.ndarray,
    lL: np.ndarray,
    with_offset: bool,
    sw: np.ndarray,
) -> np.ndarray:
    la, x, lb, y = theta[:4]
    linf = theta[4] if with_offset else -np.inf
    terms = np.stack([np.full_like(lt, linf), la - x * lt, lb - y * lN])
    return sw * (np.logaddexp.reduce(terms, axis=0) - lL)


def _sl_boot_chunk(payload: Tuple[Any, ...], a: int, b: int) -> np.ndarray:
    lt, lN, lL, with_offset, theta, lo, hi, seed = payload
    rows = []
    for ss in resample_seeds(seed, a, b):
        sw = np.sqrt(resample_indices(ss, lL.size))
        sol = optimize.least_squares(
            _sl_resid,
            theta,
            bounds=(lo, hi),
            method="trf",
            x_scale="jac",
            args=(lt, lN, lL, with_offset, sw),
        )
        rows.append(sol.x)
    return np.array(rows)


def fit_scaling_law(
    t: Any,
    N: Any,
    L: Any,
    *,
    with_offset: bool = True,
    confidence: float = 0.95,
    starts: int = 12,
    seed: int = 0,
    bootstrap: int = 0,
    n_jobs: Optional[int] = 1,
) -> ScalingLawFit:
    """Fit ``L = L_inf + A t^-x + B N^-y`` (t: time, steps or data; N: model size).

    Least squares on ``log L`` (so every point counts relatively), with ``L_inf >= 0``
    (``L_inf = 0`` if not ``with_offset``), ``A, B > 0`` and ``0 < x, y < 10``; the best of
    ``starts`` random starts (drawn from ``seed``). Confidence intervals: normal approximation
    with the Gauss-Newton covariance of the log-parameters, reported on the natural scale
    (``ci_method="asymptotic"``); or, with ``bootstrap=K``, percentile intervals of K resamples
    of the points, each refitted from the optimum (``ci_method="bootstrap-percentile"``; resample
    ``i`` seeded by ``SeedSequence(seed).spawn(K)[i]``, independent of ``n_jobs``).
    In the Chinchilla names of :func:`fit_chinchilla` with t = D: ``E = L_inf``,
    ``(A, alpha) = (B, y)`` and ``(B, beta) = (A, x)``. Guide: :ref:`tutorial-fitting`.

    Parameters
    ----------
    t, N, L : array_like
        Time (or steps, or data), model size and loss of each point (all > 0, same length).
    with_offset : bool, optional
        Fit ``L_inf`` (else ``L_inf = 0``).
    confidence : float, optional
        Level of the intervals, in (0, 1).
    starts : int, optional
        Random starts of the optimiser.
    seed : int, optional
        Seed of the starts and resamples.
    bootstrap : int, optional
        Resamples of the points (0: asymptotic intervals).
    n_jobs : int, optional
        Worker processes of the bootstrap (results do not depend on it).

    Returns
    -------
    ScalingLawFit
        Parameters, intervals and residual.

    Raises
    ------
    ParameterError
        Mismatched, non-finite or non-positive data, too few points, invalid options.

    Examples
    --------
    >>> t, N = np.meshgrid(np.logspace(1, 4, 8), [64, 128, 256, 512])
    >>> fit = fit_scaling_law(t.ravel(), N.ravel(), (0.05 + 2.0 * t**-0.6 + 3.0 * N**-0.8).ravel())
    >>> fit.ci_method, fit.n, round(float(fit(100, 128)), 4)
    ('asymptotic', 32, 0.238)
    """
    t, L1 = _positive_pairs("t", t, "L", L)
    N, _ = _positive_pairs("N", N, "L", L)
    if np.any(t <= 0) or np.any(N <= 0) or np.any(L1 <= 0):
        raise ParameterError("t, N and L must be > 0")
    npar = 5 if with_offset else 4
    if t.size <= npar:
        raise ParameterError(f"need more than {npar} points, got {t.size}")
    bootstrap = check_int("bootstrap", bootstrap, minimum=0)
    order = np.lexsort((L1, N, t))
    t, N, L1 = t[order], N[order], L1[order]
    lt, lN, lL = np.log(t), np.log(N), np.log(L1)
    ones = np.ones_like(lL)

    def resid(theta: np.ndarray) -> np.ndarray:
        return _sl_resid(theta, lt, lN, lL, with_offset, ones)

    rng = np.random.default_rng(seed)
    lo = [-50, 1e-6, -50, 1e-6] + ([np.log(L1.min()) - 30] if with_offset else [])
    hi = [50, 10, 50, 10] + ([np.log(L1.min()) + 1e-9] if with_offset else [])
    best = None
    for i in range(max(1, starts)):
        x0 = np.array(
            [
                lL.max() + rng.normal(),
                rng.uniform(0.05, 2),
                lL.max() + rng.normal(),
                rng.uniform(0.05, 2),
            ]
            + ([np.log(L1.min()) - rng.uniform(0.1, 5)] if with_offset else [])
        )
        x0 = np.clip(x0, np.array(lo) + 1e-9, np.array(hi) - 1e-9)
        sol = optimize.least_squares(resid, x0, bounds=(lo, hi), method="trf", x_scale="jac")
        if best is None or sol.cost < best.cost:
            best = sol
    assert best is not None
    theta = best.x
    r = best.fun
    dof = max(1, t.size - npar)
    s2 = float(r @ r) / dof
    try:
        cov = s2 * np.linalg.pinv(best.jac.T @ best.jac)
    except np.linalg.LinAlgError:  # pragma: no cover
        cov = np.full((npar, npar), np.nan)
    z = stats.norm.ppf(0.5 + confidence / 2)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    names = ["A", "x", "B", "y"] + (["L_inf"] if with_offset else [])
    params: Dict[str, float] = {}
    ci: Dict[str, Tuple[float, float]] = {}
    for i, name in enumerate(names):
        if name in ("A", "B", "L_inf"):
            params[name] = float(np.exp(theta[i]))
            ci[name] = (float(np.exp(theta[i] - z * se[i])), float(np.exp(theta[i] + z * se[i])))
        else:
            params[name] = float(theta[i])
            ci[name] = (float(theta[i] - z * se[i]), float(theta[i] + z * se[i]))
    method = "asymptotic"
    if bootstrap:
        th0 = np.clip(theta, np.array(lo) + 1e-9, np.array(hi) - 1e-9)
        payload = (lt, lN, lL, with_offset, th0, lo, hi, seed)
        reps = map_chunks(_sl_boot_chunk, payload, bootstrap, chunk=25, n_jobs=n_jobs)
        reps[:, [0, 2] + ([4] if with_offset else [])] = np.exp(
            reps[:, [0, 2] + ([4] if with_offset else [])]
        )
        q = percentile_interval(reps, confidence)
        ci = {name: (float(q[0, i]), float(q[1, i])) for i, name in enumerate(names)}
        method = "bootstrap-percentile"
    if not with_offset:
        params["L_inf"] = 0.0
        ci["L_inf"] = (0.0, 0.0)
    return ScalingLawFit(
        params, ci, confidence, int(t.size), float(np.sqrt(np.mean(r**2))), ci_method=method
    )
