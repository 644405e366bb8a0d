"""Measured compute-optimal exponents of power-law random features (Paquette et al.; theory
page "Power-law random features", section "Compute-optimal frontier").

Compute is ``f = B d r`` flops (batch x model size x steps). For each model size d the expected
loss P(r) comes from the Volterra equation with the deterministic-equivalent spectrum; the
frontier ``P*(f) = min_d P(f/(B d), d)`` and the IsoFLOP minima give the exponents
``d* ~ f^xi``, ``P* ~ f^-eta``. These functions take the exponents ``(alpha, beta)`` and a list
of model sizes: they sweep a family of problems.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from .._docstrings import fill_doc
from .._validate import check_int, check_real, check_time, check_values
from ..errors import ParameterError
from ..problem import PowerLaw, Problem
from ._docs import DOCS
from .phases import check_alpha_beta, components, compute_optimal_exponents
from .spectrum import deterministic_spectrum, edges
from .volterra import volterra_loss

__all__ = ["measure_compute_optimal", "fit_compute_optimal", "estimate_compute_optimal", "v_for"]


@fill_doc(DOCS)
def measure_compute_optimal(
    alpha: float,
    beta: float,
    ds: Sequence[int],
    *,
    v_ratio: Optional[float] = None,
    lr_scale: float = 0.5,
    batch: int = 1,
    flops: Optional[Union[Sequence[float], np.ndarray]] = None,
    n_flops: int = 40,
    block_rel: float = 0.02,
    fit_flops: Optional[Tuple[float, float]] = None,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """Measure xi (d* ~ f^xi) and eta (P* ~ f^-eta) from deterministic-equivalent Volterra curves.

    For each d: the deterministic spectrum with v = inf (2 alpha > 1 and v_ratio None) or
    v = v_ratio d, gamma = lr_scale / tr D (batch-sum; so gamma ~ d^(2alpha-1) below the line),
    and P(r) on a log grid of r up to max(flops)/(B d). For each flop budget f = B d r:
    *frontier*: P*(f) = min_d P(f/(Bd), d) over the d grid; *IsoFLOP*: a parabola in log d through
    the discrete minimum and its neighbours gives d*(f) and P*(f). The exponents are least-squares
    slopes in log-log over the budgets whose minimum is interior to the d grid (and inside
    ``fit_flops = (f_lo, f_hi)`` if given). Losses without 1/2. Theory:
    :ref:`plrf-compute-optimal`.

    Parameters
    ----------
    {alpha_beta}
    ds : sequence of int
        Model sizes d >= 2, at least 3 distinct.
    v_ratio : float, optional
        ``v = v_ratio d`` (> 1); default ``v = inf`` for 2 alpha > 1, ``4 d`` otherwise
        (:func:`v_for`).
    lr_scale : float, optional
        ``gamma = lr_scale / tr D`` (batch-sum convention).
    batch : int, optional
        Batch size B.
    flops : array_like of float, optional
        Flop budgets ``f = B d r`` (default: ``n_flops`` log-spaced budgets suited to ``ds``).
    n_flops : int, optional
        Number of default budgets.
    block_rel : float, optional
        Accuracy of the Volterra recursion (:func:`~scalinglaws.plrf.volterra_loss`).
    fit_flops : (float, float), optional
        Flops window of the fits (:func:`fit_compute_optimal`).
    threads : int, optional
        Threads (results do not depend on it).

    Returns
    -------
    dict
        ``phase``, ``xi_theory``, ``eta_theory`` (:func:`compute_optimal_exponents`),
        ``flops``, ``P_frontier``, ``d_frontier``, ``P_isoflop``, ``d_isoflop``, ``interior``
        (bool per budget), ``ds``, ``curves`` (one :class:`~scalinglaws.LossCurve` per d), and
        the fitted ``eta_frontier``, ``xi_frontier``, ``eta_isoflop``, ``xi_isoflop``,
        ``n_fit``.

    Raises
    ------
    ParameterError
        Invalid exponents, fewer than 3 sizes, or a ``fit_flops`` window with fewer than 3
        usable budgets.

    Examples
    --------
    >>> m = measure_compute_optimal(1.0, 0.7, [4, 8, 16, 32, 64, 128],
    ...                             flops=np.logspace(3, 6, 12))
    >>> m["phase"], round(m["eta_theory"], 3), round(m["eta_isoflop"], 2), m["n_fit"]
    ('II', 0.706, 0.68, 5)
    """
    alpha, beta = check_alpha_beta(alpha, beta)
    ds = sorted(set(check_int("d", x, minimum=2) for x in ds))
    if len(ds) < 3:
        raise ParameterError("need at least 3 model sizes d")
    if flops is None:
        f_lo = 10 * ds[-1] * batch * 10
        f_hi = 1e4 * ds[0] ** (2 * max(alpha, 0.5) + 1) * batch
        flops = np.logspace(math.log10(f_lo), math.log10(max(f_hi, 100 * f_lo)), n_flops)
    flops = np.asarray(flops, dtype=np.float64)
    logP = np.empty((len(ds), flops.size))
    curves = []
    for i, d in enumerate(ds):
        v = v_for(alpha, d, v_ratio)
        spec = deterministic_spectrum(Problem.paquette(alpha, beta, v, d), threads=threads)
        gamma = lr_scale / spec.params["trace_D"]
        steps = int(math.ceil(flops[-1] / (batch * d))) + 1
        curve = volterra_loss(
            spec, gamma, steps, batch=batch, n_checkpoints=400, block_rel=block_rel
        )
        assert curve.steps is not None  # volterra_loss always sets the steps
        curves.append(curve)
        r = flops / (batch * d)
        m = curve.steps > 0
        logP[i] = np.interp(
            np.log(r), np.log(curve.steps[m]), np.log(curve.test_loss[m]), left=np.nan
        )
    logd = np.log(np.asarray(ds, dtype=np.float64))
    idx = np.nanargmin(np.where(np.isnan(logP), np.inf, logP), axis=0)
    interior = (idx > 0) & (idx < len(ds) - 1) & np.all(np.isfinite(logP), axis=0)
    P_front = np.exp(logP[idx, np.arange(flops.size)])
    d_front = np.asarray(ds, dtype=np.float64)[idx]
    d_iso = np.full(flops.size, np.nan)
    P_iso = np.full(flops.size, np.nan)
    for k in np.nonzero(interior)[0]:
        i = idx[k]
        xs, ys = logd[i - 1 : i + 2], logP[i - 1 : i + 2, k]
        c2, c1, c0 = np.polyfit(xs, ys, 2)
        if c2 > 0:
            x0 = -c1 / (2 * c2)
            d_iso[k] = math.exp(x0)
            P_iso[k] = math.exp(c0 + c1 * x0 + c2 * x0 * x0)
    ph, xi_th, eta_th = compute_optimal_exponents(alpha, beta)
    out = {
        "phase": ph,
        "xi_theory": xi_th,
        "eta_theory": eta_th,
        "flops": flops,
        "P_frontier": P_front,
        "d_frontier": d_front,
        "P_isoflop": P_iso,
        "d_isoflop": d_iso,
        "interior": interior,
        "ds": np.asarray(ds),
        "curves": curves,
    }
    out.update(fit_compute_optimal(out, fit_flops))
    return out


def fit_compute_optimal(
    measurement: Dict[str, Any], fit_flops: Optional[Tuple[float, float]] = None
) -> Dict[str, float]:
    """Exponents of a :func:`measure_compute_optimal` result, refitted over a flops window.

    Least-squares slopes in log-log of the frontier (P*, d* on the d grid) and of the IsoFLOP
    parabola minima, over the budgets f whose minimum is interior to the d grid and, if given,
    ``f_lo <= f <= f_hi`` with ``fit_flops = (f_lo, f_hi)``. Returns ``eta_frontier``,
    ``xi_frontier``, ``eta_isoflop``, ``xi_isoflop`` and ``n_fit``. A window with fewer than 3
    such budgets raises ValueError; without a window the exponents are NaN when fewer than 3
    budgets qualify (e.g. the optimum leaves the d grid), so that sweeps over (alpha, beta) can
    mark the point as unmeasured.

    Parameters
    ----------
    measurement : dict
        A result of :func:`measure_compute_optimal` (``flops``, ``interior``, ``P_frontier``,
        ``d_frontier``, ``P_isoflop``, ``d_isoflop``).
    fit_flops : (float, float), optional
        Window ``(f_lo, f_hi)`` with ``0 < f_lo < f_hi``.

    Returns
    -------
    dict
        ``eta_frontier``, ``xi_frontier``, ``eta_isoflop``, ``xi_isoflop`` (float, NaN when
        unmeasured) and ``n_fit`` (int).

    Raises
    ------
    ParameterError
        An invalid window, or one holding fewer than 3 budgets with an interior optimum
        (``ParameterError`` is a ``ValueError``).

    Examples
    --------
    >>> m = measure_compute_optimal(1.0, 0.7, [4, 8, 16, 32, 64, 128],
    ...                             flops=np.logspace(3, 6, 12))
    >>> f = fit_compute_optimal(m, (m["flops"][1], m["flops"][-2]))
    >>> f["n_fit"], round(f["eta_frontier"], 2)
    (4, 0.69)
    """
    flops = np.asarray(measurement["flops"], dtype=np.float64)
    mask = np.asarray(measurement["interior"], dtype=bool).copy()
    if fit_flops is not None:
        if len(fit_flops) != 2:
            raise ParameterError(f"fit_flops must be a pair (f_lo, f_hi), got {fit_flops!r}")
        lo = check_real("fit_flops[0]", fit_flops[0], minimum=0.0, min_open=True)
        hi = check_real("fit_flops[1]", fit_flops[1], minimum=0.0, min_open=True)
        if not hi > lo:
            raise ParameterError(
                f"fit_flops must be (f_lo, f_hi) with f_hi > f_lo, got {fit_flops}"
            )
        mask &= (flops >= lo) & (flops <= hi)
        if mask.sum() < 3:
            raise ParameterError(
                f"fit_flops = ({lo:g}, {hi:g}) holds {int(mask.sum())} budget(s) with "
                "an interior optimum; at least 3 are needed (widen the window, the "
                "flops grid or the d grid)"
            )
    lf = np.log(flops)

    def slope(y: np.ndarray, m: np.ndarray) -> float:
        if m.sum() < 3:
            return float("nan")
        return float(np.polyfit(lf[m], np.log(y[m]), 1)[0])

    ok_iso = mask & np.isfinite(measurement["d_isoflop"])
    return {
        "eta_frontier": -slope(measurement["P_frontier"], mask),
        "xi_frontier": slope(measurement["d_frontier"], mask),
        "eta_isoflop": -slope(measurement["P_isoflop"], ok_iso),
        "xi_isoflop": slope(measurement["d_isoflop"], ok_iso),
        "n_fit": int(mask.sum()),
    }


def v_for(alpha: float, d: int, v_ratio: Optional[float]) -> Any:
    """Number of features v used for model size d in the compute-optimal sweeps.

    v = inf above the high-dimensional line (2 alpha > 1) unless ``v_ratio`` is given;
    v = v_ratio d (default 4 d) below it, where the sums over j diverge as v grows.

    Parameters
    ----------
    alpha : float
        Spectrum exponent.
    d : int
        Model size.
    v_ratio : float or None
        ``v / d`` (> 1), or None for the default.

    Returns
    -------
    int or float
        v (``math.inf`` above the line by default).

    Raises
    ------
    ParameterError
        ``v_ratio <= 1``.

    Examples
    --------
    >>> v_for(1.0, 100, None), v_for(0.4, 100, None), v_for(1.0, 100, 2.0)
    (inf, 400, 200)
    """
    if v_ratio is None:
        return math.inf if 2 * alpha > 1 else int(round(4.0 * d))
    return int(round(check_real("v_ratio", v_ratio, minimum=1.0, min_open=True) * d))


@fill_doc(DOCS)
def estimate_compute_optimal(
    alpha: float,
    beta: float,
    flops: Sequence[float],
    *,
    d_range: Tuple[float, float] = (10.0, 1e8),
    n_d: int = 400,
    v_ratio: Optional[float] = None,
    lr_scale: float = 0.5,
) -> Dict[str, Any]:
    """Compute-optimal d*(f) and P*(f) of the large-d estimate of the loss components.

    The estimate F_0 + F_pp + F_ac + K_pp/(gamma B)
    (:func:`~scalinglaws.plrf.loss_components`) is minimised over a fine log grid of d in
    ``d_range``, with the same conventions as :func:`measure_compute_optimal` (B = 1,
    gamma = lr_scale / tr D, v as there, r = f/d). Unlike the closed-form exponents of
    :func:`compute_optimal_exponents` this keeps every term at finite f, so it shows the
    crossovers (e.g. in Phase IVa F_pp still matters at f ~ 1e8 and xi > 1/2 until f ~ 1e13).
    Theory: :ref:`plrf-components`, :ref:`plrf-compute-optimal`.

    Parameters
    ----------
    {alpha_beta}
    flops : sequence of float
        At least 3 positive flop budgets ``f = d r``.
    d_range : (float, float), optional
        Range of model sizes searched.
    n_d : int, optional
        Number of log-spaced model sizes (20..100000).
    v_ratio : float, optional
        See :func:`v_for`.
    lr_scale : float, optional
        ``gamma = lr_scale / tr D``.

    Returns
    -------
    dict
        ``flops``, ``d_star``, ``P_star`` (arrays) and the fitted ``xi``, ``eta`` (log-log slopes
        over the given flops).

    Raises
    ------
    ParameterError
        Invalid exponents or budgets, or an optimum at the edge of ``d_range`` (a
        ``ValueError``).
    ResourceError
        The estimated time exceeds the budget.

    Examples
    --------
    >>> e = estimate_compute_optimal(1.0, 0.7, [1e5, 1e6, 1e7], d_range=(10, 1e5), n_d=60)
    >>> round(e["xi"], 2), round(e["eta"], 2), compute_optimal_exponents(1.0, 0.7)[0]
    (0.41, 0.71, 'II')
    """
    alpha, beta = check_alpha_beta(alpha, beta)
    f = check_values("flops", flops, allow_scalar=False)
    if f.size < 3 or np.any(f <= 0):
        raise ParameterError("flops needs at least 3 positive budgets")
    n_d = check_int("n_d", n_d, minimum=20, maximum=100000)
    lo = check_real("d_range[0]", d_range[0], minimum=1.0)
    hi = check_real("d_range[1]", d_range[1], minimum=lo, min_open=True)
    ds = np.unique(np.round(np.logspace(math.log10(lo), math.log10(hi), n_d)).astype(np.int64))
    check_time(
        1.2e-2 * ds.size, f"estimate_compute_optimal ({ds.size} model sizes)", hint="lower n_d"
    )
    P = np.empty((ds.size, f.size))
    for i, d in enumerate(ds):
        v = v_for(alpha, int(d), v_ratio)
        gamma = lr_scale / edges(PowerLaw(alpha, beta, float(v), 1.0), int(d))[4]
        c = components(alpha, beta, int(d), float(v), f / d, gamma)
        P[i] = c["F_0"] + c["F_pp"] + c["F_ac"] + (c["noise"] if c["noise"] is not None else 0.0)
    best = np.argmin(P, axis=0)
    if np.any(best == 0) or np.any(best == ds.size - 1):
        raise ParameterError(
            f"the optimal d of some budgets is at the edge of d_range={d_range}: "
            "widen d_range or narrow flops"
        )
    d_star, P_star = ds[best].astype(np.float64), P[best, np.arange(f.size)]
    lf = np.log(f)
    return {
        "flops": f,
        "d_star": d_star,
        "P_star": P_star,
        "xi": float(np.polyfit(lf, np.log(d_star), 1)[0]),
        "eta": float(-np.polyfit(lf, np.log(P_star), 1)[0]),
    }
