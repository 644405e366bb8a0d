"""The train-test gap ``L(t) - Lhat(t)`` of discrete GD from the T x T recipe (Bordelon et al.
eq. 18, App. E; theory page "DMFT", section "Train-test gap", :ref:`dmft-gap`)."""

from __future__ import annotations

from typing import Iterable, Optional

import numpy as np

from .._validate import check_int, check_real
from ..errors import ConvergenceError, ParameterError
from ..problem import Problem
from ._common import (
    INF,
    Size,
    check_momentum,
    check_problem,
    check_stable,
    inv,
    size,
    steps_of,
    times_array,
)
from .recipe import recipe, toeplitz_lower

__all__ = ["train_test_gap"]


def train_test_gap(
    problem: Problem,
    P: Size,
    times: Iterable[float],
    *,
    lr: float,
    N: Size = None,
    momentum: Optional[float] = None,
    max_recipe_steps: int = 2000,
) -> np.ndarray:
    """Test minus train loss ``L(t) - Lhat(t)`` from eq. 18 (App. E, eqs. 84-85), discrete GD.

    Evaluated from the data response R0,2 and the train correlation C1 of the T x T recipe (not
    from C0; since C1 = R1 (C0 + sigma^2) R1^T with R1 = (I - R0,2/P)^-1 this is an identity of
    the recipe, so it equals test - train of :func:`loss_curve` to round-off). In discrete time the field on the training points obeys
    ``v1 = u1 + (1/P) R0,2 v1`` (eq. 84, R0,2 strictly lower triangular), with
    ``<u1 u1^T> = C0 + sigma^2 1 1^T`` and ``<v1 v1^T> = C1``, so
    ``C0 + sigma^2 = (I - R0,2/P) C1 (I - R0,2/P)^T``, i.e. at time step n

        L(n) - Lhat(n) = -(2/P) sum_{n'<n} R0,2(n,n') C1(n,n')
                         + (1/P^2) sum_{n',m'<n} R0,2(n,n') R0,2(n,m') C1(n',m') - sigma^2

    (eq. 18 with the integrals as sums over steps; noise-free it is eq. 18 exactly; the test loss
    excludes and the train loss includes the label noise). Times are ``t = lr * steps`` (rounded);
    ``momentum`` = heavy-ball mu as in :func:`loss_curve`. P finite; no 1/2. Cost: the recipe,
    so ``steps <= max_recipe_steps``.
    """
    problem = check_problem(problem, finite_only=True)
    Pv = size("P", P)
    if Pv == INF:
        raise ParameterError("P must be finite for the train-test gap (it vanishes at P = inf)")
    Nv = size("N", N, problem.N)
    t = times_array(times)
    mu = check_momentum(momentum, False)
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    check_stable(problem.lam, lr, mu)
    steps = steps_of(t, lr)
    T = int(steps.max()) + 1
    if T - 1 > check_int("max_recipe_steps", max_recipe_steps, minimum=1):
        raise ParameterError(
            f"train_test_gap uses the T x T recipe, limited to max_recipe_steps="
            f"{max_recipe_steps} steps (asked {T - 1})"
        )
    _, _, ex = recipe(
        problem.lam,
        problem.wstar**2,
        inv(Nv),
        1.0 / Pv,
        problem.sigma**2,
        lr,
        T,
        momentum=mu,
        full=True,
    )
    R = toeplitz_lower(ex["R02"])  # R0,2(n, n') = R02[n - n'], zero for n' >= n
    C1 = ex["C1"]
    RC = R @ C1
    first = np.einsum("ij,ij->i", R, C1)  # sum_n' R0,2(n,n') C1(n,n')
    second = np.einsum("ij,ij->i", RC, R)  # sum_n',m' R0,2(n,n') C1(n',m') R0,2(n,m')
    gap = -2.0 / Pv * first + second / Pv**2 - problem.sigma**2
    out = gap[steps]
    if not np.all(np.isfinite(out)):
        raise ConvergenceError("train_test_gap: non-finite values (solver failure)")
    return out
