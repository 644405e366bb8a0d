"""Closed forms and limits of the DMFT: N = P = inf, final losses (t = inf), the early-time
expansion and the bottleneck / compute-optimal exponents (theory page "DMFT", section
"Limits and exponents")."""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, Optional, Sequence, Union

import numpy as np

from .._docstrings import fill_doc
from .._validate import check_modes, check_real
from ..errors import ConvergenceError, ParameterError
from ..problem import Problem
from ._common import (
    INF,
    Size,
    check_problem,
    check_stable,
    gd_steps,
    inv,
    problem_sizes,
    size,
    times_array,
)
from ._docs import DMFT
from ._spectrum import (
    head_arrays,
    mode_bound,
    mode_lambdas,
    recipe_modes,
    resolvent_sums,
    trace,
)

__all__ = ["infinite_width_loss", "final_losses", "early_time_transfer", "exponents"]


@fill_doc(DMFT)
def infinite_width_loss(
    problem: Problem, times: Iterable[float], *, lr: Optional[float] = None, flow: bool = False
) -> np.ndarray:
    """Test loss at N = P = infinity, the time bottleneck (eq. 125; :ref:`dmft-limits`).

    Gradient flow: ``L(t) = sum_k lambda_k w*_k^2 exp(-2 lambda_k t)``; discrete GD:
    ``L = sum_k lambda_k w*_k^2 (1 - lr lambda_k)^(2 n)`` with ``n = round(t/lr)`` steps, so
    ``t = lr x steps`` (:ref:`conv-time`). Loss without 1/2 and without the sigma^2 floor.

    At M = inf the modes beyond the explicit head are summed by a quadrature of the power-law
    tail (relative error < 1e-10 of the tail; :ref:`dmft-infinite-m`).

    Parameters
    ----------
    problem : Problem
        The task (M finite or infinite); its N is ignored.
    times : array_like of float
        Times ``t >= 0`` (flow time, or ``lr x steps`` for GD).
    lr : float, optional
        Learning rate of discrete GD, > 0 and stable (``lr lambda_max < 2``); required unless
        ``flow=True``.
    {flow}

    Returns
    -------
    ndarray
        The test loss at each time, shape ``(len(times),)``.

    Raises
    ------
    ParameterError
        Negative or non-finite times, ``lr`` missing (discrete GD) or unstable.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=1000, N=100)
    >>> L = infinite_width_loss(p, [0.0, 10.0, 100.0], flow=True)
    >>> bool(np.isclose(L[0], np.sum(p.lam * p.wstar**2)))   # t = 0: the initial loss
    True
    >>> bool(np.all(np.diff(L) < 0))
    True
    """
    problem = check_problem(problem)
    t = times_array(times)
    if flow and not problem.infinite:
        return problem.infinite_limit_loss(t)
    if flow:  # M = inf: head + tail pseudo-modes
        lam, w2, mult = recipe_modes(problem, float(t.max()))
        return np.exp(-2.0 * np.multiply.outer(t, lam)) @ (lam * w2 * mult)
    rate, n_int = gd_steps(t, lr)
    check_stable(head_arrays(problem)[0], rate, 0.0)
    n = n_int.astype(np.float64)
    if not problem.infinite:
        base = np.abs(1.0 - rate * problem.lam)
        return np.power(base[None, :], 2.0 * n[:, None]) @ problem.target_power
    lam, w2, mult = recipe_modes(problem, rate * float(n.max()))
    return np.power(np.abs(1.0 - rate * lam)[None, :], 2.0 * n[:, None]) @ (lam * w2 * mult)


def _solve_r(problem: Union[Problem, np.ndarray], target: float, name: str) -> float:
    """r > 0 with sum_k lambda_k r/(1 + lambda_k r) = target (< M; any target at M = inf).
    ``problem``: a Problem, or the spectrum ``lam`` itself (finite)."""
    from scipy.optimize import brentq

    if isinstance(problem, Problem) and problem.infinite:
        f = lambda lr_: resolvent_sums(problem, math.exp(-lr_))[0] - target  # noqa: E731
    else:
        lam = problem.lam if isinstance(problem, Problem) else np.asarray(problem, dtype=float)
        M = lam.size
        if target >= M:
            raise ParameterError(
                f"{name} = {target:g} must be < M = {M} (number of features) for "
                "the final-loss formulas; the model interpolates exactly otherwise"
            )
        f = lambda lr_: float(np.sum(lam * math.exp(lr_) / (1.0 + lam * math.exp(lr_)))) - target  # noqa: E731
    lo, hi = -50.0, 50.0
    while f(hi) < 0:
        hi += 50.0
        if hi > 2000:
            raise ConvergenceError(f"could not bracket r for {name} = {target:g}")
    return math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=1e-14))


def final_losses(
    problem: Problem, P: Size, *, N: Size = None, ensemble: Size = 1, bags: Size = 1
) -> Dict[str, Any]:
    """t -> infinity losses of gradient flow / converged GD (App. C, eqs. 66-76; :ref:`dmft-final`).

    Over-parameterised (N > P, eq. 73): final train loss 0. Under-parameterised (N < P, eq. 76).
    ``N = inf`` gives ridgeless kernel regression (eqs. 77-80); ``P = inf`` the pure model
    bottleneck. No 1/2; the test loss excludes the sigma^2 floor.

    Zero-frequency system (unified form): with ``H = 1/(1 + lambda r)``, ``s1 = sum lam H^2``,
    ``s2 = sum lam^2 H^2``, ``b0 = sum lam w*^2 H^2``, ``b2 = sum lam^2 w*^2 H^2`` and
    ``(rho1, rho3) = (r^2/g^2, g^2)`` over-parameterised, ``(g^2, r^2/g^2)`` under-parameterised
    (``g = 1 - min(N,P)/max(N,P)``):
    ``C0 = b0 + s1 C3/N + s2 rho3 C1/P``, ``C1 = rho1 (C0 + sigma^2)``,
    ``C2 = s1 C1/P + rho1 (b2 + s2 C3/N)``, ``C3 = rho3 C2`` (eqs. 73, 76; the label noise enters
    through C1 exactly as in the time-domain theory).

    ``ensemble=E``, ``bags=B`` (integers or math.inf): the final loss of the predictor averaged
    over E projections x B data sets (App. H, eqs. 108-113 at zero frequency), with the
    cross-system correlations ``C0x = b0 + s2 rho3 C1x/P``, ``C1x = rho1 (C0x + sigma^2)``,
    ``C2x = rho1 (b2 + s2 C3x/N)``, ``C3x = rho3 C2x``:
    ``Lbar = b0 + (s1/(N E)) ((1/B) C3 + (1-1/B) C3x) + (s2 rho3/(P B)) ((1/E) C1 + (1-1/E) C1x)``.
    E = B = inf gives the irreducible bias ``b0`` (eq. 114 at t = inf).

    Parameters
    ----------
    problem : Problem
        Finite M; its N is the model size unless ``N`` is given.
    P : int or math.inf
        Number of training samples (``math.inf``: the model bottleneck).
    N : int or math.inf, optional
        Model size, overriding the problem's (``math.inf``: kernel regression).
    ensemble, bags : int or math.inf, optional
        Number of averaged models with independent projections (E) and of independent data
        sets (B), :ref:`dmft-ensembles`.

    Returns
    -------
    dict
        ``{"test": L_inf, "train": Lhat_inf, "regime": str, "r": r, "ensemble": E, "bags": B}``:
        losses without 1/2; ``train`` is the final training loss of the E-member average on the
        shared data set (0 over-parameterised) and None for B > 1; ``r`` is the zero-frequency
        scalar of the self-consistency (None at N = P = inf, where it is infinite).

    Raises
    ------
    ParameterError
        N unset and not given, an infinite problem, N = P (the interpolation peak diverges) or
        invalid sizes.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=1000, N=100)
    >>> f = final_losses(p, 400)
    >>> f["regime"], round(f["test"], 4), round(f["train"], 4)
    ('under-parameterised (N < P)', 0.4599, 0.2587)
    >>> round(final_losses(p, math.inf)["test"], 4)         # model bottleneck
    0.3449
    """
    problem, Nv, Pv = problem_sizes(problem, P, N)
    Ev = size("ensemble", ensemble)
    Bv = size("bags", bags)
    lam, w2 = head_arrays(problem)
    sigma2 = problem.sigma**2
    extra = {"ensemble": Ev, "bags": Bv}
    if Nv == Pv:
        if Nv == INF:
            return {
                "test": 0.0,
                "train": sigma2 if Bv == 1 else None,
                "regime": "infinite",
                "r": None,
                **extra,
            }
        raise ParameterError(f"final losses diverge at N = P (= {int(Nv)}): double-descent peak")
    over = Nv > Pv
    r = _solve_r(problem, Pv if over else Nv, "P" if over else "N")
    iN, iP = inv(Nv), inv(Pv)
    iE, iB = inv(Ev), inv(Bv)
    g = 1.0 - (Pv * iN if over else Nv * iP)
    if problem.infinite:
        # H = 1/(1 + lambda r) = q/(q + lambda) with q = 1/r: sums c H^2 = q^2 sum c/(q + lambda)^2
        _, t_lam, t_lam2, t_tgt, t_tgt2 = resolvent_sums(problem, 1.0 / r)
        q2 = 1.0 / (r * r)
        s1, s2, b0, b2 = q2 * t_lam, q2 * t_lam2, q2 * t_tgt, q2 * t_tgt2
    else:
        H = 1.0 / (1.0 + lam * r)
        s1 = float(np.sum(lam * H**2))
        s2 = float(np.sum(lam**2 * H**2))
        b0 = float(np.sum(lam * H**2 * w2))
        b2 = float(np.sum(lam**2 * H**2 * w2))
    rho1, rho3 = (r * r / (g * g), g * g) if over else (g * g, r * r / (g * g))
    # unknowns C0, C1, C2, C3 (zero-frequency values)
    A = np.eye(4)
    rhs = np.zeros(4)
    A[0, 3] -= s1 * iN
    A[0, 1] -= s2 * rho3 * iP
    rhs[0] = b0
    A[1, 0] -= rho1
    rhs[1] = rho1 * sigma2
    A[2, 1] -= iP * s1
    A[2, 3] -= rho1 * s2 * iN
    rhs[2] = rho1 * b2
    A[3, 2] -= rho3
    C = np.linalg.solve(A, rhs)
    if not np.all(np.isfinite(C)) or C[0] < 0:
        raise ConvergenceError("final-loss system is singular or ill-conditioned (N close to P?)")
    test, train = float(C[0]), (0.0 if over else float(C[1]))
    if iE != 1.0 or iB != 1.0:
        d0 = 1.0 - s2 * rho3 * rho1 * iP
        d2 = 1.0 - rho1 * rho3 * s2 * iN
        if not (d0 > 0 and d2 > 0):
            raise ConvergenceError(
                f"final-loss cross-system system is singular (1 - gamma0 = "
                f"{d0:.3g}, 1 - gamma2 = {d2:.3g})"
            )
        C0x = (b0 + s2 * rho3 * rho1 * sigma2 * iP) / d0
        C1x = rho1 * (C0x + sigma2)
        C3x = rho3 * rho1 * b2 / d2
        c1bar = iE * C[1] + (1.0 - iE) * C1x
        c3bar = iB * C[3] + (1.0 - iB) * C3x
        test = b0 + s1 * iN * iE * c3bar + s2 * rho3 * iP * iB * c1bar
        train = 0.0 if over else float(c1bar)
        if not (math.isfinite(test) and test >= -1e-12 * max(b0, 1e-300)):
            raise ConvergenceError(f"ensemble final loss is not finite / negative ({test:.3g})")
        test = max(float(test), 0.0)
    regime = (
        ("kernel regression (N = inf)" if Nv == INF else "over-parameterised (N > P)")
        if over
        else ("model bottleneck (P = inf)" if Pv == INF else "under-parameterised (N < P)")
    )
    return {"test": test, "train": train if Bv == 1 else None, "regime": regime, "r": r, **extra}


@fill_doc(DMFT)
def early_time_transfer(
    problem: Problem, P: Size, times: Iterable[float], modes: Sequence[int], *, N: Size = None
) -> np.ndarray:
    """Early-time expansion of the mode transfer functions H_k(t) of gradient flow.

    High-frequency expansion (App. D, eqs. 81-83; :ref:`dmft-early`):
    ``H_k(t) = e^{-lambda t} + (c (1/P + 1/N)/lambda)[1 - e^{-lambda t} - lambda t e^{-lambda t}]``
    with ``lambda = lambda_k`` and ``c = sum_k lambda_k``. Valid while the correction is small
    (``t << min(N, P)/c``).

    Parameters
    ----------
    problem : Problem
        The task (M = inf allowed).
    {P}
    times : array_like of float
        Flow times ``t >= 0``.
    modes : sequence of int
        Mode indices k (1-based, ``1..M``; eigenvalues in decreasing order).
    N : int or math.inf, optional
        Model size (default: the problem's N).

    Returns
    -------
    ndarray
        ``H[i, j] = H_{modes[j]}(times[i])``, shape ``(len(times), len(modes))``.

    Raises
    ------
    ParameterError
        Invalid sizes, times or mode indices (outside ``1..M``).

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=1000, N=100)
    >>> H = early_time_transfer(p, 400, [0.0, 0.1], [1, 5])
    >>> H.shape, H[0].tolist()                          # H_k(0) = 1
    ((2, 2), [1.0, 1.0])
    """
    problem, Nv, Pv = problem_sizes(problem, P, N)
    t = times_array(times)[:, None]
    lam = mode_lambdas(problem, check_modes(modes, mode_bound(problem)))[None, :]
    c = trace(problem) * (inv(Pv) + inv(Nv))
    e = np.exp(-lam * t)
    return e + (c / lam) * (1.0 - e - lam * t * e)


@fill_doc(DMFT)
def exponents(a: float, b: float) -> Dict[str, Any]:
    """Closed-form scaling exponents (positive numbers; losses decay as X^-exponent).

    time ``(a-1)/b``; model = data ``min(a-1, 2b)`` (eq. 14, App. J); compute-optimal
    (App. N, eq. 17, with the eq. 155 typo fixed), ``m = min(a-1, 2b)``:
    ``t ~ C^(b m/(a-1+b m))``, ``N ~ C^((a-1)/(a-1+b m))``, ``L* ~ C^-((a-1) m/(a-1+b m))``
    (:ref:`dmft-limits`, :ref:`dmft-compute-optimal`).

    Parameters
    ----------
    a : float
        Target-power exponent, > 1 (finite loss with infinitely many features).
    b : float
        Spectrum exponent, > 0.

    Returns
    -------
    {exponents_returns}

    Examples
    --------
    >>> e = exponents(2.0, 1.5)
    >>> round(e["time"], 4), e["model"], e["compute"]
    (0.6667, 1.0, {'t': 0.6, 'N': 0.4, 'loss': 0.4})
    """
    a = check_real("a", a, minimum=1.0, min_open=True)
    b = check_real("b", b, minimum=0.0, min_open=True)
    with np.errstate(all="ignore"):
        rt = (a - 1.0) / b
        m = min(a - 1.0, 2.0 * b)
        den = a - 1.0 + b * m
        out: Dict[str, Any] = {
            "time": rt,
            "model": m,
            "data": m,
            "compute": {"t": b * m / den, "N": (a - 1.0) / den, "loss": (a - 1.0) * m / den},
        }
    values = [rt, m, den, *out["compute"].values()]
    if not all(math.isfinite(x) for x in values) or den <= 0.0:
        raise ParameterError(
            f"the exponents overflow for a = {a:g}, b = {b:g} (a - 1 = {a - 1:g}, "
            f"(a - 1)/b = {rt:g}); use a - 1 and b within 1e-150..1e150 of each "
            "other"
        )
    return out
