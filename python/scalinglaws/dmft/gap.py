"""The train-test gap ``L(t) - Lhat(t)`` of discrete GD from the T x T recipe (Bordelon et al.
eq. 18, App. E; theory page "DMFT", section "Train-test gap", :ref:`dmft-gap`)."""

from __future__ import annotations

from typing import Iterable, Optional

import numpy as np

from .._docstrings import fill_doc
from .._validate import check_real
from ..errors import ConvergenceError, ParameterError
from ..problem import Problem
from ._common import (
    INF,
    Size,
    check_momentum,
    check_problem,
    check_recipe_steps,
    check_stable,
    inv,
    size,
    steps_of,
    times_array,
)
from ._docs import DMFT
from ._spectrum import recipe_modes
from .recipe import recipe, toeplitz_lower

__all__ = ["train_test_gap"]


@fill_doc(DMFT)
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
    excludes and the train loss includes the label noise). No 1/2. Cost: the recipe, O(M T^2)
    with T the largest step; at M = inf the mode sums run over the explicit head plus a
    weighted-mode quadrature of the power-law tail (``dmft/_spectrum.py``,
    :func:`~scalinglaws.dmft.loss_curve` does the same), so the cost does not grow with M.

    Parameters
    ----------
    problem : Problem
        Finite M or M = inf (power-law tail); ``problem.N`` is the default model size.
    P : int
        Number of training samples (finite: the gap vanishes at P = inf).
    times : sequence of float
        GD times ``t = lr * steps`` (>= 0), rounded to whole steps as in :func:`loss_curve`.
    lr : float
        Learning rate (> 0), below the GD stability bound (ParameterError otherwise).
    {N}
    momentum : float, optional
        Heavy-ball coefficient mu in [0, 1), as in :func:`loss_curve` (:ref:`dmft-momentum`).
    max_recipe_steps : int, optional
        Largest step the T x T recipe may run to (>= 1).

    Returns
    -------
    ndarray, shape (len(times),)
        ``L(t) - Lhat(t)`` (no 1/2; the test loss without, the train loss with the noise).

    Raises
    ------
    ParameterError
        ``P = inf``, an unstable ``lr``, a step beyond
        ``max_recipe_steps``, or another invalid argument (named in the message).
    ConvergenceError
        The recipe produced non-finite values.

    See Also
    --------
    loss_curve : the test and train losses themselves (the same recipe).

    Examples
    --------
    >>> import scalinglaws as sl
    >>> p = sl.Problem.bordelon(a=1.5, b=1.25, M=200, N=50)
    >>> gap = sl.dmft.train_test_gap(p, 100, [1, 10], lr=0.5)
    >>> c = sl.dmft.loss_curve(p, 100, [1, 10], lr=0.5, method="recipe")
    >>> bool(np.allclose(gap, c.test_loss - c.train_loss))
    True
    """
    problem = check_problem(problem)
    Pv = size("P", P)
    if Pv == INF:  # refused before N is looked at (a gap at P = inf is zero whatever N is)
        raise ParameterError("P must be finite for the train-test gap (it vanishes at P = inf)")
    Nv = size("N", N, problem.N)
    t = times_array(times)
    mu = check_momentum(momentum, False)
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    steps = steps_of(t, lr)
    T = int(steps.max()) + 1
    check_recipe_steps(T, max_recipe_steps, "train_test_gap uses the T x T recipe,")
    # all modes, or at M = inf the explicit head + the tail quadrature resolved to lr * T
    lam, w2, mult = recipe_modes(problem, lr * T)
    check_stable(lam, lr, mu)
    _, _, ex = recipe(
        lam,
        w2,
        inv(Nv),
        1.0 / Pv,
        problem.sigma**2,
        lr,
        T,
        momentum=mu,
        full=True,
        mult=mult,
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
