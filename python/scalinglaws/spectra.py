"""From a real kernel to predicted scaling laws: kernel spectra, fitted exponents, predictions.

Pipeline (Bordelon, Atanasov & Pehlevan 2024, Fig. 7; dmft.md sections 1, 2.3 and 4)::

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

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np

from ._backend import _core
from ._validate import check_array, check_int, check_memory, check_real
from .problem import Problem

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

KERNELS = ("ntk", "nngp", "rbf", "laplace")
DATASETS = ("digits",)


# ----------------------------------------------------------------------------------- kernels
def _check_points(name: str, X: Any) -> np.ndarray:
    X = check_array(name, X, ndim=2)
    return X


def median_bandwidth(X: Any, max_points: int = 1000) -> float:
    """Median heuristic: the median distance between distinct points among the first
    ``max_points`` rows of X (deterministic). Used as the default RBF / Laplace bandwidth."""
    X = _check_points("X", X)[: check_int("max_points", max_points, minimum=2)]
    sq = np.sum(X**2, axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (X @ X.T), 0.0)
    iu = np.triu_indices(X.shape[0], 1)
    d = np.sqrt(d2[iu])
    d = d[d > 0]
    if d.size == 0:
        raise ValueError("X: all points coincide, cannot choose a bandwidth")
    return float(np.median(d))


def kernel_matrix(X: Any, Z: Any = None, *, kernel: str = "ntk", depth: int = 1,
                  bandwidth: Optional[float] = None, bias_variance: float = 0.0,
                  weight_variance: float = 2.0, threads: Optional[int] = None,
                  max_memory: Optional[float] = None) -> np.ndarray:
    """Kernel matrix ``K[i, j] = k(x_i, z_j)`` in double precision (C++, parallel, GIL released).

    Parameters
    ----------
    X : array (n, d)
        Points as rows. ``Z`` (m, d): second set (default: X, giving the symmetric n x n Gram
        matrix, exactly symmetric).
    kernel : {"ntk", "nngp", "rbf", "laplace"}
        * ``"rbf"``: ``exp(-|x - z|^2 / (2 h^2))``; ``"laplace"``: ``exp(-|x - z| / h)``, with
          ``h = bandwidth`` (default: :func:`median_bandwidth` of X).
        * ``"nngp"`` / ``"ntk"``: infinite-width NNGP / neural tangent kernel of a fully-connected
          ReLU network with ``depth`` hidden layers, NTK parameterisation, weight variance
          ``weight_variance`` (default 2) and bias variance ``bias_variance`` (default 0) in every
          layer including the readout. Closed form by the arc-cosine recursion (Cho & Saul 2009;
          Jacot et al. 2018): ``Sigma_1 = sw2 x.z/d + sb2``, ``Theta_1 = Sigma_1``,
          ``Sigma_{l+1} = sw2 sqrt(Sxx Szz)(sin t + (pi - t) cos t)/(2 pi) + sb2``,
          ``Sigma'_{l+1} = sw2 (pi - t)/(2 pi)``, ``Theta_{l+1} = Theta_l Sigma'_{l+1} + Sigma_{l+1}``
          with ``cos t = Sigma_l(x,z)/sqrt(Sigma_l(x,x) Sigma_l(z,z))``; NNGP = Sigma_{depth+1},
          NTK = Theta_{depth+1}. Inputs enter as ``x.z / d``: standardise the features.
    threads : int, optional
        Threads for the elementwise part (default: all cores); the result does not depend on it.

    Cost: O(n m d) for the inner products (BLAS) plus O(n m depth) elementwise. Memory: the
    n x m result (8 n m bytes).
    """
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, got {kernel!r}")
    X = _check_points("X", X)
    if Z is not None:
        Z = _check_points("Z", Z)
        if Z.shape[1] != X.shape[1]:
            raise ValueError(f"Z must have the same number of columns as X ({X.shape[1]}), "
                             f"got {Z.shape[1]}")
    m = X.shape[0] if Z is None else Z.shape[0]
    check_memory(8.0 * X.shape[0] * m * 1.05 + 16.0 * X.size, "the kernel matrix",
                 limit=max_memory)
    depth = check_int("depth", depth, minimum=1, maximum=1000)
    weight_variance = check_real("weight_variance", weight_variance, minimum=0.0, min_open=True)
    bias_variance = check_real("bias_variance", bias_variance, minimum=0.0)
    if kernel in ("rbf", "laplace"):
        if bandwidth is None:
            bandwidth = median_bandwidth(X)
        bandwidth = check_real("bandwidth", bandwidth, minimum=0.0, min_open=True)
    else:
        bandwidth = 1.0 if bandwidth is None else check_real("bandwidth", bandwidth)
    nthreads = 0 if threads is None else check_int("threads", threads, minimum=1, maximum=1024)
    return np.asarray(_core.kernel_matrix(X, Z, kind=kernel, bandwidth=bandwidth, depth=depth,
                                          weight_variance=weight_variance,
                                          bias_variance=bias_variance, threads=nthreads))


# ----------------------------------------------------------------------------------- spectrum
def _check_targets(y: Any, n: int) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    y = check_array("y", y, ndim=2)
    if y.shape[0] != n:
        raise ValueError(f"y must have one row per point ({n}), got {y.shape[0]}")
    return y


def kernel_spectrum(K: Any = None, y: Any = None, *, features: Any = None
                    ) -> Tuple[np.ndarray, np.ndarray, float]:
    """Eigenvalues of ``K / n`` (decreasing) and the target power per eigenmode.

    Give either the Gram matrix ``K`` (n x n, symmetric) or a feature matrix ``features``
    (n x p, kernel ``Phi Phi^T``). Returns ``(eigenvalues, power, mean_square)`` where
    ``power_k = |u_k^T y|^2 / n`` and ``mean_square = mean over points of |y|^2``. Tiny negative
    round-off eigenvalues of a PSD kernel are kept as they are (see ``analyze_spectrum``).
    """
    if (K is None) == (features is None):
        raise ValueError("give exactly one of K (Gram matrix) or features (feature matrix)")
    if y is None:
        raise ValueError("y (targets, n or n x c) is required")
    if K is not None:
        K = check_array("K", K, ndim=2)
        n = K.shape[0]
        if K.shape != (n, n):
            raise ValueError(f"K must be square, got shape {K.shape}")
        scale = float(np.max(np.abs(K)))
        asym = float(np.max(np.abs(K - K.T)))
        if asym > 1e-8 * max(scale, 1e-300):
            raise ValueError(f"K must be symmetric (max |K - K^T| = {asym:.3g})")
        Y = _check_targets(y, n)
        w, U = _core.symmetric_eigh(np.asfortranarray(K))
        w = np.asarray(w)[::-1] / n
        U = np.asarray(U)[:, ::-1]
    else:
        Phi = check_array("features", features, ndim=2)
        n = Phi.shape[0]
        Y = _check_targets(y, n)
        U, s, _ = np.linalg.svd(Phi / math.sqrt(n), full_matrices=False)
        w = s**2
    proj = U.T @ Y
    power = np.sum(proj**2, axis=1) / n
    mean_square = float(np.sum(Y**2) / n)
    return np.ascontiguousarray(w), np.ascontiguousarray(power), mean_square


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
    method : str
        ``"theil-sen"`` (median of pairwise slopes, robust to outlying modes).
    """

    exponent: float
    interval: Tuple[float, float]
    k_range: Tuple[int, int]
    k: np.ndarray
    log_prefactor: float
    halves: Tuple[float, float]
    method: str = "theil-sen"

    def predict(self, k: Any) -> np.ndarray:
        return np.exp(self.log_prefactor) * np.asarray(k, dtype=np.float64) ** (-self.exponent)

    def to_dict(self) -> Dict[str, Any]:
        return {"exponent": self.exponent, "interval": list(self.interval),
                "k_range": list(self.k_range), "halves": list(self.halves),
                "points": int(self.k.size), "method": self.method}


def _theil_sen(x: np.ndarray, y: np.ndarray) -> Tuple[float, float]:
    i, j = np.triu_indices(x.size, 1)
    dx = x[j] - x[i]
    ok = dx != 0
    if not np.any(ok):
        return float("nan"), float("nan")
    slope = float(np.median((y[j] - y[i])[ok] / dx[ok]))
    return slope, float(np.median(y - slope * x))


def fit_power_law(values: Any, k_range: Tuple[int, int], *, points: int = 50, n_boot: int = 500,
                  seed: int = 0, name: str = "values") -> PowerLawFit:
    """Fit ``values[k-1] ~ k^-exponent`` on up to ``points`` log-spaced k in ``k_range``.

    ``values`` must be positive on the range (k is 1-based). Robust Theil-Sen slope of
    ``log values`` against ``log k``; interval as described in :class:`PowerLawFit`.
    """
    v = check_array(name, values)
    points = check_int("points", points, minimum=4, maximum=100_000)
    n_boot = check_int("n_boot", n_boot, minimum=0, maximum=1_000_000)
    lo, hi = _check_range(k_range, v.size, name)
    k = np.unique(np.round(np.logspace(math.log10(lo), math.log10(hi), points)).astype(np.int64))
    vals = v[k - 1]
    if np.any(vals <= 0):
        bad = int(k[np.argmax(vals <= 0)])
        raise ValueError(f"{name} must be > 0 on the fit range {lo}..{hi} (k = {bad} is not); "
                         f"choose a smaller k range")
    if k.size < 4:
        raise ValueError(f"k range {lo}..{hi} for {name} has fewer than 4 distinct modes; widen it")
    x, yv = np.log(k.astype(np.float64)), np.log(vals)
    slope, icpt = _theil_sen(x, yv)
    mid = 0.5 * (x[0] + x[-1])
    lower, upper = x <= mid, x >= mid
    halves = tuple(-_theil_sen(x[m], yv[m])[0] if m.sum() >= 2 else -slope
                   for m in (lower, upper))
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
    return PowerLawFit(float(-slope), interval, (lo, hi), k, float(icpt),
                       (float(halves[0]), float(halves[1])))


def _check_range(k_range: Any, size: int, name: str) -> Tuple[int, int]:
    try:
        lo, hi = k_range
    except (TypeError, ValueError):
        raise ValueError(f"k range for {name} must be a pair (kmin, kmax), got {k_range!r}") \
            from None
    lo = check_int(f"kmin ({name})", lo, minimum=1, maximum=size)
    hi = check_int(f"kmax ({name})", hi, minimum=1, maximum=size)
    if hi < lo + 3:
        raise ValueError(f"k range for {name} must satisfy kmax >= kmin + 3, got {lo}..{hi}")
    return lo, hi


def auto_k_range(n_modes: int, n: int) -> Tuple[int, int]:
    """Default fit range: skip the top 3 modes (kmin = 4) and stop at kmax = n / 20, before the
    finite-n distortion of the empirical spectrum and task power (on synthetic power laws with
    n = 4000 this keeps both exponents within 0.05; see tests/test_spectra.py)."""
    kmax = min(n_modes, max(n // 20, 16))
    kmin = min(4, max(1, kmax - 12))
    return kmin, kmax


# ----------------------------------------------------------------------------------- exponents
def scaling_exponents(a: float, b: float) -> Dict[str, Any]:
    """Closed-form exponents of Bordelon, Atanasov & Pehlevan for fitted (a, b): the same as
    :func:`scalinglaws.dmft.exponents` (positive numbers: losses decay as X^-exponent; the
    compute-optimal ``t`` and ``N`` entries are growth exponents in C). Requires a > 1, b > 0."""
    from .dmft import exponents

    return exponents(a, b)


# ----------------------------------------------------------------------------------- theory
def kernel_regression_loss(eigenvalues: Any, power: Any, P: Any, *, ridge: float = 0.0,
                           noise: float = 0.0) -> np.ndarray:
    """Predicted test loss of kernel (ridge/ridgeless) regression on P points, at N, t = inf.

    The kernel-regression limit of the DMFT (dmft.md 3.7, eqs 77-80, non-proportional form;
    equal to the replica / eigenlearning result): ``kappa`` solves
    ``1 = sum_k lambda_k / (lambda_k P + kappa) + ridge / kappa`` (ridge = 0: ridgeless) and
    ``L = [sum_k power_k kappa^2 / (kappa + lambda_k P)^2 + gamma noise] / (1 - gamma)`` with
    ``gamma = P sum_k lambda_k^2 / (lambda_k P + kappa)^2``; ``noise`` is the variance of
    label noise (excluded from L itself). Ridgeless needs P < number of modes with
    ``lambda_k > 0``. ``power_k = lambda_k (w*_k)^2``.
    """
    lam = check_array("eigenvalues", eigenvalues, positive=True)
    pw = check_array("power", power)
    if pw.shape != lam.shape:
        raise ValueError("eigenvalues and power must have the same length")
    if np.any(pw < 0):
        raise ValueError("power must be >= 0")
    ridge = check_real("ridge", ridge, minimum=0.0)
    noise = check_real("noise", noise, minimum=0.0)
    Ps = np.atleast_1d(np.asarray(P, dtype=np.float64))
    out = np.empty(Ps.shape)
    for i, p in enumerate(Ps):
        p = check_real("P", p, minimum=0.0, min_open=True)
        if ridge == 0.0 and p >= lam.size:
            raise ValueError(f"P must be < {lam.size} (the number of modes) for ridgeless "
                             f"regression, got {p:g}")
        f = lambda lk: float(np.sum(lam / (lam * p + math.exp(lk))) + ridge / math.exp(lk) - 1.0)
        lo, hi = math.log(1e-300), math.log(float(np.sum(lam)) + ridge + 1e-300) + 1.0
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
        kappa = math.exp(0.5 * (lo + hi))
        den = lam * p + kappa
        gamma = float(p * np.sum(lam**2 / den**2))
        bias = float(np.sum(pw * kappa**2 / den**2))
        out[i] = (bias + gamma * noise) / max(1.0 - gamma, 1e-300)
    return out.reshape(np.shape(P)) if np.ndim(P) else out[0]


# ----------------------------------------------------------------------------------- analysis
@dataclass
class SpectrumAnalysis:
    """Measured kernel spectrum and task power, with the fitted exponents.

    Attributes
    ----------
    eigenvalues : ndarray
        Eigenvalues of K / n, decreasing (may end with round-off values <= 0).
    power : ndarray
        Target power per eigenmode, ``|u_k^T y|^2 / n`` (sums to ``mean_square`` with a full
        Gram matrix).
    mean_square : float
        ``mean(|y|^2)`` over points (summed over outputs): the normalisation of C(k).
    n : int
        Number of points.
    fit_b, fit_a : PowerLawFit
        ``eigenvalues ~ k^-b`` and ``tail ~ k^-(a-1)``.
    """

    eigenvalues: np.ndarray
    power: np.ndarray
    mean_square: float
    n: int
    fit_b: PowerLawFit
    fit_a: PowerLawFit
    info: Dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ measured quantities
    @property
    def cumulative_power(self) -> np.ndarray:
        """C(k) = sum_{k' <= k} power_k' / mean(|y|^2), k = 1..len."""
        return np.cumsum(self.power) / self.mean_square

    @property
    def tail(self) -> np.ndarray:
        """1 - C(k), computed as a reverse cumulative sum (no cancellation), plus the residual
        power outside the modes (feature-matrix input)."""
        rev = np.cumsum(self.power[::-1])[::-1]
        after = np.concatenate([rev[1:], [0.0]]) + self.residual_power
        return np.maximum(after, 0.0) / self.mean_square

    @property
    def residual_power(self) -> float:
        """Target power outside the eigenmodes (zero up to round-off for a full Gram matrix)."""
        return max(self.mean_square - float(np.sum(self.power)), 0.0)

    @property
    def b(self) -> float:
        return self.fit_b.exponent

    @property
    def b_interval(self) -> Tuple[float, float]:
        return self.fit_b.interval

    @property
    def a(self) -> float:
        return 1.0 + self.fit_a.exponent

    @property
    def a_interval(self) -> Tuple[float, float]:
        lo, hi = self.fit_a.interval
        return (1.0 + lo, 1.0 + hi)

    # ------------------------------------------------------------------ predictions
    def exponents(self) -> Dict[str, Any]:
        """:func:`scaling_exponents` of the fitted (a, b) (a must be > 1)."""
        return scaling_exponents(self.a, self.b)

    def positive_modes(self, rtol: float = 1e-12) -> np.ndarray:
        """Indices of the modes with ``lambda_k > rtol * lambda_1`` (numerically non-zero)."""
        lam = self.eigenvalues
        return np.nonzero(lam > rtol * lam[0])[0]

    def problem(self, N: Optional[int] = None, *, rtol: float = 1e-12) -> Problem:
        """``Problem.from_spectrum(lam, wstar, N)`` of the measured arrays: ``lam_k`` = the
        eigenvalues above ``rtol * lambda_1`` and ``wstar_k = sqrt(power_k / lam_k)``, so the
        problem's target power per mode is the measured one. Losses are in the units of
        ``mean(|y|^2)`` times ``initial_loss / mean_square``; the power of the dropped
        (numerically zero) modes is left out (``info['dropped_power']``)."""
        idx = self.positive_modes(rtol)
        lam = self.eigenvalues[idx]
        wstar = np.sqrt(self.power[idx] / lam)
        return Problem.from_spectrum(lam, wstar, N)

    def predicted_time_curve(self, t: Any, *, extend_to: Optional[int] = None) -> np.ndarray:
        """Predicted test loss of gradient flow at N, P = inf from the measured arrays,
        ``sum_k power_k exp(-2 lambda_k t)`` (Problem.infinite_limit_loss), divided by
        ``mean(|y|^2)`` (so it starts at 1). Time convention of :mod:`scalinglaws.simulate`:
        ``dw/dt = (1/P) Phi^T (y - Phi w)``, i.e. kernel flow ``df/dt = -(1/P) K (f - y)``.
        ``extend_to=M`` uses :meth:`extended_arrays` (without it the curve falls to 0 once the
        n measured modes are learned)."""
        if extend_to is None:
            return self.problem().infinite_limit_loss(t) / self.mean_square
        lam, pw = self.extended_arrays(extend_to)
        return Problem.from_spectrum(lam, np.sqrt(pw / lam)).infinite_limit_loss(t) / self.mean_square

    def extended_arrays(self, M: int) -> Tuple[np.ndarray, np.ndarray]:
        """Eigenvalues and powers with the finite-n end replaced by the fitted power laws.

        Modes ``k <= kc`` (kc = the larger upper end of the two fit ranges) keep their measured
        values; modes ``kc < k <= M`` get ``lambda_k = lambda_kc (k/kc)^-b`` and
        ``power_k = mean(|y|^2) [T(k-1) - T(k)]`` with ``T(k) = (1 - C(kc)) (k/kc)^-(a-1)``.
        The measured modes beyond kc are distorted by the finite sample (they must sum to the
        total, and there are only n of them); the extension is what the fitted exponents say
        the population spectrum does. The power beyond M (``T(M)``) is dropped."""
        kc = max(self.fit_b.k_range[1], self.fit_a.k_range[1])
        M = check_int("M", M, minimum=kc + 1)
        k = np.arange(kc + 1, M + 1, dtype=np.float64)
        lam = np.concatenate([self.eigenvalues[:kc], self.eigenvalues[kc - 1] * (k / kc) ** -self.b])
        T0 = float(self.tail[kc - 1])
        kk = np.concatenate([[float(kc)], k])
        T = T0 * (kk / kc) ** -(self.a - 1.0)
        power = np.concatenate([self.power[:kc], self.mean_square * (T[:-1] - T[1:])])
        return lam, power

    def predicted_data_curve(self, P: Any, *, method: str = "theory", N: Optional[int] = None,
                             seeds: int = 4, t: float = 1e12, seed: int = 0,
                             extend_to: Optional[int] = None) -> np.ndarray:
        """Predicted test loss (divided by ``mean(|y|^2)``) after training to convergence on P
        points, from the measured arrays.

        ``method="theory"``: the N, t = inf kernel-regression (ridgeless) limit,
        :func:`kernel_regression_loss`; the modes' power is the measured one (noise 0).
        ``method="simulate"``: :func:`scalinglaws.simulate_gd` with gradient flow to time ``t``
        on Gaussian features with the measured spectrum, width ``N`` (default: the number of
        modes), mean over ``seeds`` draws.

        ``extend_to=M`` (theory only): use :meth:`extended_arrays` (measured modes up to the
        fit range, fitted power laws from there to M modes). Without it the prediction uses the
        n measured modes only and is reliable for P well below n (at P -> n it wrongly goes to
        0 because the measured spectrum has only n modes).
        """
        if extend_to is not None:
            if method != "theory":
                raise ValueError("extend_to is only for method='theory'")
            lam, pw = self.extended_arrays(extend_to)
            Ps = np.atleast_1d(np.asarray(P, dtype=np.float64))
            return kernel_regression_loss(lam, pw, Ps) / self.mean_square
        idx = self.positive_modes()
        lam, pw = self.eigenvalues[idx], self.power[idx]
        Ps = np.atleast_1d(np.asarray(P, dtype=np.float64))
        if method == "theory":
            return kernel_regression_loss(lam, pw, Ps) / self.mean_square
        if method != "simulate":
            raise ValueError(f"method must be 'theory' or 'simulate', got {method!r}")
        from .simulate import simulate_gd

        prob = self.problem(N if N is not None else int(lam.size))
        out = []
        for p in Ps:
            p = check_int("P", p, minimum=1)
            res = simulate_gd(prob, p, flow=True, times=[t], seeds=seeds, seed=seed)
            out.append(float(res.test_loss[-1]))
        return np.asarray(out) / self.mean_square

    # ------------------------------------------------------------------ output
    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready summary (the CLI's ``--json`` output plus fit details)."""
        out: Dict[str, Any] = {
            "a": self.a, "a_interval": list(self.a_interval),
            "b": self.b, "b_interval": list(self.b_interval),
            "n": self.n,
            "fit_a": self.fit_a.to_dict(), "fit_b": self.fit_b.to_dict(),
        }
        try:
            out["exponents"] = self.exponents()
        except ValueError as exc:  # e.g. a <= 1
            out["exponents"] = None
            out["exponents_error"] = str(exc)
        out.update(self.info)
        return out

    def plot(self, path: Optional[str] = None, *, axes: Any = None) -> Any:
        """Two log-log panels: eigenvalues with the b fit, and the tail 1 - C(k) with the a fit
        (fit ranges marked). Needs matplotlib (``pip install matplotlib``). Saves to ``path`` if
        given; returns the figure."""
        try:
            import matplotlib

            if path is not None and axes is None:
                matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plotting needs matplotlib: pip install matplotlib") from exc
        if axes is None:
            fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        else:
            fig = axes[0].figure
        k = np.arange(1, self.eigenvalues.size + 1)
        pos = self.eigenvalues > 0
        axes[0].loglog(k[pos], self.eigenvalues[pos], ".", ms=3, label="eigenvalues of K/n")
        kb = np.arange(self.fit_b.k_range[0], self.fit_b.k_range[1] + 1)
        axes[0].loglog(kb, self.fit_b.predict(kb), "k--",
                       label=f"k^-b, b = {self.b:.3f} [{self.b_interval[0]:.3f}, "
                             f"{self.b_interval[1]:.3f}]")
        axes[0].set_xlabel("k")
        axes[0].set_ylabel("lambda_k")
        axes[0].legend()
        tail = self.tail
        tp = tail > 1e-12  # below that the reverse cumulative sum is round-off
        axes[1].loglog(k[tp], tail[tp], ".", ms=3, label="1 - C(k)")
        ka = np.arange(self.fit_a.k_range[0], self.fit_a.k_range[1] + 1)
        axes[1].loglog(ka, self.fit_a.predict(ka), "k--",
                       label=f"k^-(a-1), a = {self.a:.3f} [{self.a_interval[0]:.3f}, "
                             f"{self.a_interval[1]:.3f}]")
        axes[1].set_xlabel("k")
        axes[1].set_ylabel("1 - C(k)")
        axes[1].legend()
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


def analyze_spectrum(K: Any = None, y: Any = None, *, features: Any = None,
                     b_range: Optional[Sequence[int]] = None,
                     a_range: Optional[Sequence[int]] = None, points: int = 50,
                     n_boot: int = 500, seed: int = 0) -> SpectrumAnalysis:
    """Measure the kernel spectrum and task power and fit b and a.

    Parameters
    ----------
    K : array (n, n)
        Symmetric Gram matrix on n points (e.g. :func:`kernel_matrix`). Or ``features`` (n, p).
    y : array (n,) or (n, c)
        Targets (c outputs: powers are summed over outputs).
    b_range, a_range : (kmin, kmax), optional
        Inclusive 1-based mode ranges of the fits of ``lambda_k ~ k^-b`` and
        ``1 - C(k) ~ k^-(a-1)``. Default (:func:`auto_k_range`): k = 4 .. n/20 (skip the top
        modes and the finite-n end).
    points : int
        Number of log-spaced k in each fit (duplicates after rounding are dropped).
    n_boot, seed :
        Bootstrap resamples for the intervals (see :class:`PowerLawFit`) and their seed.
    """
    lam, power, ms = kernel_spectrum(K, y, features=features)
    n = int(K.shape[0]) if K is not None else int(np.shape(features)[0])
    if not ms > 0:
        raise ValueError("y is identically zero: no task power to analyse")
    if not lam[0] > 0:
        raise ValueError("the kernel has no positive eigenvalue")
    n_pos = int(np.count_nonzero(lam > 1e-12 * lam[0]))
    default = auto_k_range(n_pos, n)
    b_rng = _check_range(b_range if b_range is not None else default, n_pos, "eigenvalues")
    fit_b = fit_power_law(lam, b_rng, points=points, n_boot=n_boot, seed=seed, name="eigenvalues")
    rev = np.cumsum(power[::-1])[::-1]
    tail = (np.concatenate([rev[1:], [0.0]]) + max(ms - float(np.sum(power)), 0.0)) / ms
    a_default = default
    a_rng = _check_range(a_range if a_range is not None else a_default, tail.size, "tail 1 - C(k)")
    fit_a = fit_power_law(tail, a_rng, points=points, n_boot=n_boot, seed=seed,
                          name="tail 1 - C(k)")
    return SpectrumAnalysis(lam, power, ms, n, fit_b, fit_a)


# ----------------------------------------------------------------------------------- datasets
def load_dataset(name: str) -> Tuple[np.ndarray, np.ndarray]:
    """A dataset that ships inside a PyPI package (no download at run time).

    ``"digits"``: scikit-learn's ``load_digits`` (1797 handwritten digits, 8 x 8 pixels, needs
    the optional dependency scikit-learn). Returns ``X`` (1797 x 64) standardised per pixel
    (zero mean, unit variance; constant pixels stay 0) and ``y`` (1797 x 10) one-hot labels
    minus their mean (0.9 on the true class, -0.1 elsewhere), so ``mean(|y|^2) = 0.9``.
    """
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError("the 'digits' dataset needs scikit-learn (an optional dependency): "
                          "pip install scikit-learn") from exc
    d = load_digits()
    X = np.asarray(d.data, dtype=np.float64)
    X = X - X.mean(axis=0)
    sd = X.std(axis=0)
    X = X / np.where(sd > 0, sd, 1.0)
    labels = np.asarray(d.target, dtype=np.int64)
    y = np.full((labels.size, 10), -0.1)
    y[np.arange(labels.size), labels] = 0.9
    return X, y
