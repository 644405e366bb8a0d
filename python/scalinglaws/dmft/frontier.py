"""The numerical compute-optimal frontier of the DMFT theory (Bordelon et al. Fig. 4, App. N)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence

import numpy as np

from .._validate import check_int, check_real, check_values
from ..errors import ParameterError
from ..problem import Problem
from ._common import (
    INF,
    Size,
    check_problem,
)
from .curves import loss_curve

__all__ = ["Frontier", "compute_optimal_frontier"]


@dataclass
class Frontier:
    """Numerical compute-optimal frontier: ``L*(C) = min_N L(t = C/N, N)``.

    Returned by :func:`compute_optimal_frontier`.

    Attributes
    ----------
    compute : ndarray
        Compute grid ``C = N t`` (log-spaced).
    loss : ndarray
        The frontier ``L*(C)`` (no 1/2).
    best_N : ndarray
        The optimal N of the grid at each C.
    exponent : float
        Fitted positive exponent of ``L* ~ C^-exponent`` (least squares in log-log over
        ``fit_range``).
    ci : (float, float)
        Its 95% confidence interval.
    n_exponent : float
        Fitted exponent of the optimal ``N ~ C^n_exponent`` over the same range.
    fit_range : (float, float)
        Compute range of the fits.
    curves : dict
        N -> test loss on the time grid of :func:`compute_optimal_frontier`.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=256)
    >>> f = compute_optimal_frontier(p, [8, 16, 32], t_max=1e3, n_times=30)
    >>> isinstance(f, Frontier), f.compute.shape == f.loss.shape == f.best_N.shape
    (True, True)
    """

    compute: np.ndarray
    loss: np.ndarray
    best_N: np.ndarray
    exponent: float
    ci: tuple
    n_exponent: float
    fit_range: tuple
    curves: Dict[float, np.ndarray] = field(default_factory=dict)


def _fit_slope(x: np.ndarray, y: np.ndarray) -> tuple:
    from scipy import stats

    res = stats.linregress(x, y)
    n = x.size
    tq = stats.t.ppf(0.975, n - 2) if n > 2 else float("nan")
    return res.slope, (res.slope - tq * res.stderr, res.slope + tq * res.stderr)


def _problem_for_width(problem: Problem, N: int, features_per_width: Optional[float]) -> Problem:
    """``problem`` itself, or (``features_per_width = c``) the same power-law family rebuilt with
    ``M = ceil(c N)`` features."""
    if features_per_width is None:
        return problem
    if problem.family != "bordelon":
        raise ParameterError(
            "features_per_width needs a Problem.bordelon power-law problem "
            f"(got family {problem.family!r})"
        )
    pr = problem.params
    return Problem.bordelon(
        pr["a"],
        pr["b"],
        int(math.ceil(features_per_width * N)),
        N,
        sigma=pr["sigma"],
        normalize=pr["normalize"],
    )


def compute_optimal_frontier(
    problem: Problem,
    Ns: Sequence[int],
    *,
    P: Size = INF,
    t_max: float = 1e5,
    t_min: float = 1.0,
    n_times: int = 120,
    flow: bool = True,
    lr: Optional[float] = None,
    fit_range: Optional[tuple] = None,
    features_per_width: Optional[float] = None,
    threads: Optional[int] = None,
) -> Frontier:
    """Pareto frontier of the theory test loss over compute ``C = N t`` (Fig. 4, App. N).

    Theory curves L(t; N) (default P = inf, gradient flow) on ``n_times`` log-spaced times in
    [``t_min``, ``t_max``] for each N in ``Ns``; the frontier ``min_N L`` on a common log grid of C;
    the exponent fitted over ``fit_range`` = (C_lo, C_hi) (default: the C range where the optimal N
    is strictly inside the N grid). Loss without 1/2.

    ``features_per_width = c`` rebuilds the power-law problem with ``M = ceil(c N)`` features for
    each N (instead of one fixed M). This is the only well-defined choice when the spectrum is not
    trace class (b <= 1): with ``sum_k lambda_k = inf`` a finite model learns nothing as M -> inf
    (``N = sum_k lambda_k r/(1 + lambda_k r)`` forces r -> 0), and at fixed M the model bottleneck
    carries a factor ``ln(M/N)``. Theory: :ref:`dmft-compute-optimal`.

    Parameters
    ----------
    problem : Problem
        The task (finite M); its N is ignored.
    Ns : sequence of int
        Model sizes, at least 3, increasing.
    P : int or math.inf, optional
        Training samples (default infinite data).
    t_min, t_max : float, optional
        Time range of each curve (in the unit of the curves: ``t`` for flow, ``lr*steps`` for
        GD).
    n_times : int, optional
        Log-spaced times per curve.
    flow : bool, optional
        Gradient flow (default); ``flow=False`` with ``lr`` for discrete GD.
    lr : float, optional
        Learning rate of discrete GD.
    fit_range : (float, float), optional
        Compute range of the fits (default: where the optimal N is interior to ``Ns``).
    features_per_width : float, optional
        ``M = ceil(c N)`` features per width (see above).
    threads : int, optional
        Threads (results do not depend on it).

    Returns
    -------
    Frontier
        ``compute``, ``loss`` (the frontier), ``best_N``, the fitted ``exponent`` with its 95%
        interval ``ci``, ``n_exponent`` (N_opt ~ C^n_exponent), ``fit_range`` and the per-N
        ``curves``.

    Raises
    ------
    ParameterError
        Invalid sizes or times, or a fit range with fewer than 3 frontier points.

    Examples
    --------
    >>> from scalinglaws.dmft import exponents
    >>> p = Problem.bordelon(1.5, 1.25, M=256)
    >>> f = compute_optimal_frontier(p, [8, 16, 32], t_max=1e3, n_times=30)
    >>> round(float(f.exponent), 2), round(exponents(1.5, 1.25)["compute"]["loss"], 2)
    (0.22, 0.22)
    """
    problem = check_problem(problem)
    Ns_arr = np.sort(check_values("Ns", Ns, minimum=1, integer=True, allow_scalar=False))
    if Ns_arr.size < 3:
        raise ParameterError("Ns needs at least 3 model sizes")
    t_max = check_real("t_max", t_max, minimum=0.0, min_open=True)
    t_min = check_real("t_min", t_min, minimum=0.0, maximum=t_max, min_open=True, max_open=True)
    if features_per_width is not None:
        features_per_width = check_real("features_per_width", features_per_width, minimum=1.0)
    t = np.logspace(
        math.log10(t_min),
        math.log10(t_max),
        check_int("n_times", n_times, minimum=10, maximum=10000),
    )
    curves = {}
    for n in Ns_arr:
        pr = _problem_for_width(problem, int(n), features_per_width)
        c = loss_curve(pr, P, t, N=int(n), flow=flow, lr=lr, threads=threads)
        curves[float(n)] = c.test_loss
    logC = np.linspace(math.log10(Ns_arr[0] * t[0]), math.log10(Ns_arr[-1] * t[-1]), 200)
    Ls = np.full((Ns_arr.size, logC.size), np.inf)
    for i, n in enumerate(Ns_arr):
        lt = logC - math.log10(n)
        ok = (lt >= math.log10(t[0])) & (lt <= math.log10(t[-1]))
        # a loss that underflowed to 0 (a fully learnable task) is the smallest positive double
        logL = np.log10(np.maximum(curves[float(n)], np.finfo(np.float64).tiny))
        Ls[i, ok] = 10 ** np.interp(lt[ok], np.log10(t), logL)
    best = np.argmin(Ls, axis=0)
    Lstar = Ls[best, np.arange(logC.size)]
    Nbest = Ns_arr[best]
    if fit_range is None:
        inside = (best > 0) & (best < Ns_arr.size - 1) & np.isfinite(Lstar)
        if inside.sum() < 5:
            raise ParameterError(
                "too few compute values with an interior optimal N: widen Ns or t_max"
            )
        lo, hi = logC[inside].min(), logC[inside].max()
    else:
        fr = check_values("fit_range", fit_range, minimum=0.0, min_open=True, allow_scalar=False)
        if fr.size != 2 or not fr[0] < fr[1]:
            raise ParameterError(
                f"fit_range must be (C_min, C_max) with 0 < C_min < C_max, got {fit_range!r}"
            )
        lo, hi = math.log10(fr[0]), math.log10(fr[1])
    sel = (logC >= lo) & (logC <= hi) & np.isfinite(Lstar) & (Lstar > 0)
    if sel.sum() < 2:
        raise ParameterError(
            f"fit_range holds {int(sel.sum())} compute values on the frontier "
            "(need >= 2): widen fit_range, Ns or t_max"
        )
    slope, ci = _fit_slope(logC[sel], np.log10(Lstar[sel]))
    nslope, _ = _fit_slope(logC[sel], np.log10(Nbest[sel]))
    if not all(math.isfinite(x) for x in (slope, nslope, *ci)):
        raise ParameterError(
            "the frontier's slope is not defined for these Ns / times: widen Ns or t_max"
        )
    keep = np.isfinite(Lstar)  # compute values reached by at least one model size
    return Frontier(
        10 ** logC[keep],
        Lstar[keep],
        Nbest[keep],
        -slope,
        (-ci[1], -ci[0]),
        nslope,
        (10**lo, 10**hi),
        curves,
    )
