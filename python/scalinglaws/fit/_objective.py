"""The Huber / log-sum-exp objective of the parametric (Chinchilla) law and its minimiser.

Internal parameter vector ``theta = [e, a, alpha, b, beta]`` with ``E = exp(e)``, ``A = exp(a)``,
``B = exp(b)``, so that

    log L_hat = LSE(e, a - alpha log N, b - beta log D)
              = log(E + A N^-alpha + B D^-beta).

The objective is ``sum_i w_i Huber_delta(log L_hat_i - log L_i) / (delta sum_i w_i)``: the
Huber loss of the log residuals (as in Hoffmann et al. 2022 and Besiroglu et al. 2024), divided
by ``delta`` and the total weight. The division changes neither the minimiser nor the Huber
transition, it only keeps the objective O(|residual|) so that fixed L-BFGS-B tolerances mean the
same thing for any ``delta`` and any number of rows. Integer weights are bootstrap multiplicities.

Everything here is elementwise numpy (no BLAS), so that a start's result does not depend on the
process or the number of threads it ran on.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np
from scipy import optimize

__all__ = ["NAMES", "Problem", "hoffmann_grid", "minimise", "objective", "log_predict"]

#: Field names, in the order of the internal vector.
NAMES = ("E", "A", "alpha", "B", "beta")
#: Upper bound on the exponents (alpha, beta); lower bound 0.
EXPONENT_MAX = 5.0
#: Bounds on log A, log B.
LOG_COEF_BOUNDS = (-20.0, 100.0)
#: log E may go this far below log(min loss) (E -> 0: no detectable floor).
LOG_E_DEPTH = 20.0


class Problem:
    """Data and fixed parameters of one fit (picklable: sent to worker processes)."""

    def __init__(
        self,
        lN: np.ndarray,
        lD: np.ndarray,
        lL: np.ndarray,
        delta: float,
        fixed: Sequence[Optional[float]],
    ) -> None:
        self.lN, self.lD, self.lL = lN, lD, lL
        self.delta = float(delta)
        #: internal values of fixed parameters (None for free ones); e may be -inf (E = 0)
        self.fixed = list(fixed)
        self.free = np.array([v is None for v in self.fixed])
        lmin, lmax = float(lL.min()), float(lL.max())
        self.lower = np.array(
            [lmin - LOG_E_DEPTH, LOG_COEF_BOUNDS[0], 0.0, LOG_COEF_BOUNDS[0], 0.0]
        )
        self.upper = np.array(
            [lmax + 1.0, LOG_COEF_BOUNDS[1], EXPONENT_MAX, LOG_COEF_BOUNDS[1], EXPONENT_MAX]
        )

    def full(self, x: np.ndarray) -> np.ndarray:
        theta = np.array([np.nan if v is None else v for v in self.fixed], dtype=np.float64)
        theta[self.free] = x
        return theta

    def bounds(self) -> List[Tuple[float, float]]:
        return [(float(lo), float(hi)) for lo, hi, f in zip(self.lower, self.upper, self.free) if f]

    def clip_free(self, theta: np.ndarray) -> np.ndarray:
        x = np.asarray(theta, dtype=np.float64)[self.free]
        return np.clip(x, self.lower[self.free], self.upper[self.free])


def _terms(theta: np.ndarray, lN: np.ndarray, lD: np.ndarray) -> Tuple[np.ndarray, ...]:
    e, a, alpha, b, beta = theta
    t0 = np.full(lN.shape, e)
    t1 = a - alpha * lN
    t2 = b - beta * lD
    m = np.maximum(np.maximum(t0, t1), t2)
    x0, x1, x2 = np.exp(t0 - m), np.exp(t1 - m), np.exp(t2 - m)
    s = x0 + x1 + x2
    return m + np.log(s), x0 / s, x1 / s, x2 / s


def log_predict(theta: np.ndarray, lN: np.ndarray, lD: np.ndarray) -> np.ndarray:
    """``log(E + A N^-alpha + B D^-beta)`` for internal parameters ``theta``."""
    return _terms(np.asarray(theta, dtype=np.float64), lN, lD)[0]


def objective(x: np.ndarray, prob: Problem, w: np.ndarray) -> Tuple[float, np.ndarray]:
    """Objective and its analytic gradient with respect to the free parameters ``x``."""
    theta = prob.full(x)
    pred, s0, s1, s2 = _terms(theta, prob.lN, prob.lD)
    r = pred - prob.lL
    d = prob.delta
    ar = np.abs(r)
    h = np.where(ar <= d, 0.5 * r * r, d * (ar - 0.5 * d))
    scale = 1.0 / (d * float(w.sum()))
    f = float((w * h).sum()) * scale
    g = w * np.clip(r, -d, d) * scale
    gs1, gs2 = g * s1, g * s2
    grad = np.array(
        [(g * s0).sum(), gs1.sum(), -(gs1 * prob.lN).sum(), gs2.sum(), -(gs2 * prob.lD).sum()]
    )
    return f, grad[prob.free]


def minimise(
    prob: Problem, starts: np.ndarray, w: np.ndarray, *, tight: bool = True
) -> Tuple[np.ndarray, float, np.ndarray]:
    """L-BFGS-B from each row of ``starts`` (full internal vectors).

    Returns ``(best_theta, best_value, values)``; the best is the lowest objective, ties broken
    by the lower start index (so the answer does not depend on how starts were chunked).
    """
    opts = (
        {"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-10}
        if tight
        else {"maxiter": 200, "ftol": 1e-9, "gtol": 1e-6}
    )
    best_x: Optional[np.ndarray] = None
    best_f = np.inf
    values = np.empty(len(starts))
    for i, st in enumerate(starts):
        x0 = prob.clip_free(st)
        if x0.size == 0:
            values[i] = objective(x0, prob, w)[0]
        else:
            sol = optimize.minimize(
                objective,
                x0,
                args=(prob, w),
                jac=True,
                method="L-BFGS-B",
                bounds=prob.bounds(),
                options=opts,
            )
            x0, values[i] = sol.x, float(sol.fun)
        if values[i] < best_f:
            best_x, best_f = x0, float(values[i])
    if best_x is None:  # every start gave a non-finite objective
        return prob.full(prob.clip_free(starts[0])), float("inf"), values
    return prob.full(best_x), best_f, values


def hoffmann_grid() -> np.ndarray:
    """The initialisation grid of Hoffmann et al. (2022), as internal vectors (4500 rows).

    ``alpha, beta in {0, 0.5, ..., 2}``, ``e in {-1, -0.5, ..., 1}``, ``a, b in {0, 5, ..., 25}``.
    """
    ex = np.arange(0.0, 2.01, 0.5)
    e = np.arange(-1.0, 1.01, 0.5)
    ab = np.arange(0.0, 25.1, 5.0)
    g = np.stack(np.meshgrid(e, ab, ex, ab, ex, indexing="ij"), axis=-1).reshape(-1, 5)
    return np.ascontiguousarray(g)


def grid_values(prob: Problem, starts: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The objective at each start (after clipping into the bounds), without optimising."""
    return np.array([objective(prob.clip_free(s), prob, w)[0] for s in starts])
