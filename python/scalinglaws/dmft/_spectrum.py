"""The spectrum as the DMFT sums see it: an explicit head of modes plus, for an infinite
power-law problem (``M = inf`` / ``v = inf``), an infinite power-law tail.

At ``M = inf`` the modes k = 1..K (K = :data:`HEAD` or more, to cover requested mode indices)
are explicit arrays and the modes k > K are summed analytically in the C++ core
(``_core.dmft.Spectrum(tail_start=K + 1, ...)``: an exact window at the pole plus the midpoint
Euler-Maclaurin formula, the machinery of the PLRF theory's power-law sums). The cost of every
DMFT evaluation is then independent of M. Finite problems use their full arrays unchanged.

Quantities evaluated in Python on the time axis (the T x T recipe at a few steps, the
N = P = inf closed form) use a quadrature of the tail instead (:func:`tail_quadrature`):
pseudo-modes ``x_i`` with signed multiplicities such that
``sum_{k > K} g(k) ~ sum_i mult_i g(x_i)`` for smooth g (Gauss-Legendre panels in log k plus the
first Euler-Maclaurin correction; relative error < 1e-10 of the tail for K >= 512).
"""

from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np

from .._backend import _core
from ..problem import Problem

__all__ = [
    "HEAD",
    "head_size",
    "head_arrays",
    "core_spectrum",
    "trace",
    "lam_max",
    "effective_size",
    "tail_quadrature",
    "resolvent_sums",
    "recipe_modes",
    "mode_lambdas",
    "mode_bound",
]

#: explicit modes of an infinite problem (the tail starts at HEAD + 1; must be > 256)
HEAD = 512


def _law(problem: Problem) -> Tuple[float, float, float]:
    """(b, a, scale): lambda_k = k^-b, lambda_k w*_k^2 = scale k^-a."""
    pl = problem.power_law
    assert pl is not None
    return 2.0 * pl.alpha, 2.0 * (pl.alpha + pl.beta), pl.scale


def head_size(problem: Problem, modes_max: int = 0) -> int:
    """Number of explicit modes: M for a finite problem, max(HEAD, modes_max) at M = inf."""
    if not problem.infinite:
        return int(problem.lam.size)
    return max(HEAD, int(modes_max))


def head_arrays(problem: Problem, modes_max: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """(lam, wstar^2) of the explicit head."""
    if not problem.infinite:
        return problem.lam, problem.wstar**2
    b, a, scale = _law(problem)
    k = np.arange(1, head_size(problem, modes_max) + 1, dtype=np.float64)
    lam = k ** (-b)
    return lam, scale * k ** (b - a)


def core_spectrum(
    problem: Problem,
    inv_N: float = 0.0,
    inv_P: float = 0.0,
    *,
    sigma2: Optional[float] = None,
    modes_max: int = 0,
) -> Any:
    """``_core.dmft.Spectrum`` of the problem (head + tail at M = inf)."""
    lam, w2 = head_arrays(problem, modes_max)
    s2 = problem.sigma**2 if sigma2 is None else sigma2
    if not problem.infinite:
        return _core.dmft.Spectrum(lam=lam, wstar2=w2, inv_N=inv_N, inv_P=inv_P, sigma2=s2)
    b, a, scale = _law(problem)
    return _core.dmft.Spectrum(
        lam=lam,
        wstar2=w2,
        inv_N=inv_N,
        inv_P=inv_P,
        sigma2=s2,
        tail_start=float(lam.size + 1),
        tail_b=b,
        tail_a=a,
        tail_scale=scale,
    )


def trace(problem: Problem) -> float:
    """sum_k lambda_k (Hurwitz zeta at M = inf)."""
    if not problem.infinite:
        return float(np.sum(problem.lam))
    from scipy.special import zeta

    return float(zeta(_law(problem)[0], 1.0))


def lam_max(problem: Problem) -> float:
    return 1.0 if problem.infinite else float(problem.lam.max())


def effective_size(problem: Problem) -> float:
    """M, or at M = inf a size for norm bounds: max(HEAD, (sum lambda)^2 / sum lambda^2)."""
    if not problem.infinite:
        return float(problem.lam.size)
    from scipy.special import zeta

    b = _law(problem)[0]
    return max(float(HEAD), float(zeta(b, 1.0)) ** 2 / float(zeta(2 * b, 1.0)))


def tail_quadrature(
    problem: Problem, K: int, t_max: float = 1.0
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pseudo-modes of the tail k > K: ``(lam_i, w2_i, mult_i)`` with
    ``sum_{k > K} f(lambda_k, w*_k^2) ~ sum_i mult_i f(lam_i, w2_i)`` for f smooth in k.

    Gauss-Legendre (16 points) panels in u = log x over [log(K + 1/2), ...): width 1/2 up to
    where ``lambda t_max`` falls below ~e^-6 (resolves ``exp(-lambda t)`` and
    ``(1 - lr lambda)^n`` for t <= t_max), then growing geometrically until the slowest power
    ``x^-min(a, b)`` has decayed by e^-40; plus the midpoint Euler-Maclaurin correction
    ``g'(K + 1/2)/24`` as two pseudo-modes of opposite sign (finite difference, step 1/2).
    """
    b, a, scale = _law(problem)
    u0 = math.log(K + 0.5)
    p_min = min(a, b)
    u_fine = max(u0, (math.log(max(t_max, 1.0)) + 6.0) / b)
    u_end = max(u_fine, u0 + 40.0 / (p_min - 1.0))
    gx, gw = np.polynomial.legendre.leggauss(16)
    us, ws = [], []
    lo, width = u0, 0.5
    while lo < u_end:
        hi = lo + width
        c, r = 0.5 * (lo + hi), 0.5 * (hi - lo)
        us.append(c + r * gx)
        ws.append(r * gw)
        lo = hi
        if lo >= u_fine:
            width = min(width * 1.25, 4.0)
    u = np.concatenate(us)
    x = np.exp(u)
    mult = np.concatenate(ws) * x
    A, h = K + 0.5, 0.5
    x = np.concatenate([x, [A + h / 2, A - h / 2]])
    mult = np.concatenate([mult, [1.0 / (24.0 * h), -1.0 / (24.0 * h)]])
    lam = x ** (-b)
    return lam, scale * x ** (b - a), mult


def resolvent_sums(problem: Problem, q: float) -> Tuple[float, float, float, float, float]:
    """At real q > 0, over all modes: ``S0 = sum lambda/(q + lambda)`` and
    ``sum c/(q + lambda)^2`` for c = lambda, lambda^2, lambda w*^2, lambda^2 w*^2."""
    lam, w2 = head_arrays(problem)
    d = 1.0 / (q + lam)
    out = [
        float(np.sum(lam * d)),
        float(np.sum(lam * d * d)),
        float(np.sum(lam**2 * d * d)),
        float(np.sum(lam * w2 * d * d)),
        float(np.sum(lam**2 * w2 * d * d)),
    ]
    if problem.infinite:
        sp = core_spectrum(problem)
        for p in range(4):
            t1, t2 = _core.dmft.tail_sums(sp, p, [complex(q)], [1.0 + 0j])
            if p == 0:
                out[0] += t1[0].real
            out[1 + p] += t2[0].real
    return out[0], out[1], out[2], out[3], out[4]


def recipe_modes(
    problem: Problem, t_max: float = 1.0, modes_max: int = 0
) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """(lam, w2, mult) for the time-domain sums in Python (the T x T recipe, closed forms):
    the full arrays (mult None) of a finite problem; head + :func:`tail_quadrature` at M = inf
    (t_max: the largest time in lr x steps, which sets the resolution of the tail)."""
    lam, w2 = head_arrays(problem, modes_max)
    if not problem.infinite:
        return lam, w2, None
    ql, qw, qm = tail_quadrature(problem, lam.size, t_max)
    return (
        np.concatenate([lam, ql]),
        np.concatenate([w2, qw]),
        np.concatenate([np.ones(lam.size), qm]),
    )


def mode_bound(problem: Problem) -> int:
    """Largest 1-based mode number: M, or 10**9 at M = inf (lambda_k from the power law)."""
    return 10**9 if problem.infinite else int(problem.M)


def mode_lambdas(problem: Problem, ks: Any) -> np.ndarray:
    """lambda_k of the 0-based modes ks (any k at M = inf: ``(k + 1)^-b``)."""
    idx = np.asarray(ks, dtype=np.int64)
    if not problem.infinite:
        return problem.lam[idx]
    return (idx + 1.0) ** (-_law(problem)[0])
