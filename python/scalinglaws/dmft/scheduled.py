"""DMFT T x T recipe for discrete GD with a learning-rate schedule (theory page "DMFT", section
"T x T recipe").

With a step-dependent rate, ``v0(n+1) = v0(n) - lr_n v4(n)`` gives ``v0 = w* - Theta v4`` with
``Theta[t, s] = lr_s`` for ``s < t`` (strictly lower triangular, no longer Toeplitz), so the
responses are general lower-triangular T x T matrices and the time-translation shortcuts of
:mod:`scalinglaws.dmft.recipe` do not apply. Here every operator is dense, in the order the DMFT
loop applies them (v0 -R1-> v1 -> v2 -R3-> v3 -> v4 -Theta-> v0)::

    G_k  = (I + lam_k Theta R3 R1)^-1,      G'_k = (I + lam_k R1 Theta R3)^-1
    R1   = (I + (1/P) Gs Theta R3)^-1,      R3   = (I + (1/N) R1 Gs Theta)^-1,   Gs = sum lam_k G_k
    C0   = sum lam w2 (G 1)(G 1)^T + (1/N) sum lam G Theta C3 Theta^T G^T
           + (1/P) sum lam^2 G Theta R3 C1 R3^T Theta^T G^T
    C1   = R1 (C0 + sigma^2 11^T) R1^T
    C2   = sum lam^2 w2 (R1 G 1)(R1 G 1)^T + (1/P) sum lam G' C1 G'^T
           + (1/N) sum lam^2 G' R1 Theta C3 Theta^T R1^T G'^T
    C3   = R3 C2 R3^T

(all sums over modes k). For a constant rate it reduces to the Toeplitz recipe (checked to
round-off in the tests). Cost O(M T^3) per sweep (a few tens of sweeps): refused beyond a budget.
At M = inf every mode sum runs over the explicit head plus the weighted pseudo-modes of the
power-law tail quadrature (``mult``; ``dmft/_spectrum.py``), so the cost does not grow with M.

Ensembles and bagging (``invE = 1/E``, ``invB = 1/B``, App. H, as in
:func:`scalinglaws.dmft.recipe.recipe`): the cross-system correlations (members on one data set,
one member on two data sets) solve the same loop without the couplings that the two systems do
not share::

    C0x = sum lam w2 (G 1)(G 1)^T + (1/P) sum lam^2 G Theta R3 C1x R3^T Theta^T G^T
    C1x = R1 (C0x + sigma^2 11^T) R1^T
    C2x = sum lam^2 w2 (R1 G 1)(R1 G 1)^T + (1/N) sum lam^2 G' R1 Theta C3x Theta^T R1^T G'^T
    C3x = R3 C2x R3^T

and the averaged predictor's test loss is
``bias0 + (1/(N E)) sum lam G Theta c3 Theta^T G^T + (1/(P B)) sum lam^2 G Theta R3 c1 R3^T
Theta^T G^T`` with ``c1 = (1/E) C1 + (1 - 1/E) C1x``, ``c3 = (1/B) C3 + (1 - 1/B) C3x``; the train
output is ``diag(c1)``.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from .._docstrings import fill_doc
from .._validate import check_memory
from ..errors import ConvergenceError, ParameterError
from ..problem import Problem
from ..results import LossCurve
from ..schedules import Schedule, as_schedule
from ._common import Size, check_problem, check_recipe_steps, gd_steps, inv, size, theory_curve
from ._docs import DMFT
from ._spectrum import lam_max, recipe_modes
from .scheduled_contour import scheduled_contour_losses

__all__ = ["recipe_scheduled", "scheduled_curve", "MAX_COST"]

MAX_COST = 4e10  # M T^3 x sweeps budget (about a minute of BLAS)


def _sandwich(G: np.ndarray, w: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """``sum_k w_k G_k Z G_k^T`` for G of shape (M, T, T)."""
    X = G @ Z
    return np.einsum("k,kts,kus->tu", w, X, G, optimize=True)


@fill_doc(DMFT)
def recipe_scheduled(
    lam: np.ndarray,
    w2: np.ndarray,
    invN: float,
    invP: float,
    sigma2: float,
    rates: np.ndarray,
    tol: float = 1e-13,
    invE: float = 1.0,
    invB: float = 1.0,
    mult: Optional[np.ndarray] = None,
) -> Tuple[np.ndarray, np.ndarray]:
    """Dense T x T recipe for GD with per-step rates (module docstring; :ref:`dmft-recipe`).

    Losses as in :func:`~scalinglaws.dmft.recipe.recipe`. Cost O(M T^3) per sweep.

    Parameters
    ----------
    {recipe_inputs}
    rates : ndarray
        Learning rates of steps ``0..T-2`` (``T = len(rates) + 1``).
    tol : float, optional
        Relative change at which the correlation sweeps stop.
    invE, invB : float, optional
        1/E and 1/B (0 = infinity): the loss of the predictor averaged over E projections x B
        data sets, from the cross-system correlations (module docstring; App. H). The train
        output is then ``diag((1/E) C1 + (1 - 1/E) C1x)``.
    mult : ndarray, optional
        Multiplicity of each mode in every mode sum (default 1): the signed weights of the
        pseudo-modes of a power-law tail quadrature at M = inf
        (:func:`scalinglaws.dmft._spectrum.recipe_modes`).

    Returns
    -------
    (ndarray, ndarray)
        ``(test, train)`` at steps ``0..T-1``.

    Raises
    ------
    ConvergenceError
        The responses or correlations did not converge (e.g. an unstable rate).

    Examples
    --------
    >>> lam = 1.0 / np.arange(1, 21) ** 1.5
    >>> test, train = recipe_scheduled(lam, np.ones(20), 1 / 10, 1 / 20, 0.0, np.full(5, 0.5))
    >>> test.shape, bool(np.isclose(test[0], lam.sum()))      # step 0: the initial loss
    ((6,), True)
    """
    lam = np.asarray(lam, dtype=np.float64)
    w2 = np.asarray(w2, dtype=np.float64)
    if mult is not None:  # every mode sum carries the weight lambda_k; fold the multiplicity in
        lam_w = lam * np.asarray(mult, dtype=np.float64)
    else:
        lam_w = lam
    T = len(rates) + 1
    Th = np.tril(np.broadcast_to(np.concatenate([rates, [0.0]])[None, :], (T, T)), -1).copy()
    eye = np.eye(T)
    R1 = eye.copy()
    R3 = eye.copy()
    change = np.inf
    for _ in range(T + 5):
        A = Th @ R3 @ R1
        G = np.linalg.inv(eye[None] + lam[:, None, None] * A[None])
        Gs = np.einsum("k,kts->ts", lam_w, G)
        R1n = np.linalg.inv(eye + invP * (Gs @ Th @ R3))
        R3n = np.linalg.inv(eye + invN * (R1 @ Gs @ Th))
        change = max(np.max(np.abs(R1n - R1)), np.max(np.abs(R3n - R3)))
        R1, R3 = R1n, R3n
        if change <= 1e-15 * max(1.0, np.max(np.abs(R1)), np.max(np.abs(R3))):
            break
    if not change <= 1e-9 * max(1.0, np.max(np.abs(R1)), np.max(np.abs(R3))):
        raise ConvergenceError(f"scheduled recipe: responses did not converge ({change:.3g})")
    G = np.linalg.inv(eye[None] + lam[:, None, None] * (Th @ R3 @ R1)[None])
    Gp = np.linalg.inv(eye[None] + lam[:, None, None] * (R1 @ Th @ R3)[None])
    V = G.sum(axis=2)  # G_k 1, shape (M, T)
    U = V @ R1.T  # R1 G_k 1
    bias0 = (V * (lam_w * w2)[:, None]).T @ V
    bias2 = (U * (lam_w * lam * w2)[:, None]).T @ U
    ones = np.ones((T, T))
    C0 = np.zeros((T, T))
    C1 = np.zeros((T, T))
    C3 = np.zeros((T, T))
    lam1 = lam_w
    lam2 = lam_w * lam
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(T + 5):
            TC3T = Th @ C3 @ Th.T
            C0n = (
                bias0
                + invN * _sandwich(G, lam1, TC3T)
                + invP * _sandwich(G, lam2, Th @ R3 @ C1 @ R3.T @ Th.T)
            )
            C1n = R1 @ (C0n + sigma2 * ones) @ R1.T
            C2n = (
                bias2
                + invP * _sandwich(Gp, lam1, C1n)
                + invN * _sandwich(Gp, lam2, R1 @ TC3T @ R1.T)
            )
            C3n = R3 @ C2n @ R3.T
            change = np.max(np.abs(C0n - C0)) + np.max(np.abs(C1n - C1))
            C0, C1, C3 = C0n, C1n, C3n
            if change <= tol * np.max(np.abs(C0)):
                break
    if not change <= 1e-9 * np.max(np.abs(C0)):
        raise ConvergenceError(f"scheduled recipe: correlations did not converge ({change:.3g})")
    if invE == 1.0 and invB == 1.0:
        return np.diag(C0).copy(), np.diag(C1).copy()
    C0x = np.zeros((T, T))
    C1x = np.zeros((T, T))
    C3x = np.zeros((T, T))
    TR3 = Th @ R3
    R1T = R1 @ Th
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(T + 5):
            C0xn = bias0 + invP * _sandwich(G, lam2, TR3 @ C1x @ TR3.T)
            C1xn = R1 @ (C0xn + sigma2 * ones) @ R1.T
            C2xn = bias2 + invN * _sandwich(Gp, lam2, R1T @ C3x @ R1T.T)
            C3xn = R3 @ C2xn @ R3.T
            change = np.max(np.abs(C0xn - C0x)) + np.max(np.abs(C3xn - C3x))
            C0x, C1x, C3x = C0xn, C1xn, C3xn
            scale = max(np.max(np.abs(C0x)), np.max(np.abs(C3x)))
            if change <= tol * scale:
                break
    if not change <= 1e-9 * scale:
        raise ConvergenceError(
            f"scheduled recipe: cross-system correlations did not converge ({change:.3g})"
        )
    c1bar = invE * C1 + (1.0 - invE) * C1x
    c3bar = invB * C3 + (1.0 - invB) * C3x
    Cbar = (
        bias0
        + invN * invE * _sandwich(G, lam1, Th @ c3bar @ Th.T)
        + invP * invB * _sandwich(G, lam2, TR3 @ c1bar @ TR3.T)
    )
    return np.diag(Cbar).copy(), np.diag(c1bar).copy()


@fill_doc(DMFT)
def scheduled_curve(
    problem: Problem,
    P: Size,
    t: np.ndarray,
    *,
    lr: Optional[float],
    N: float,
    schedule: Any,
    max_recipe_steps: int = 2000,
    ensemble: Any = 1,
    bags: Any = 1,
    method: str = "auto",
    nodes: int = 14,
    threads: Any = None,
) -> LossCurve:
    """DMFT loss curve of discrete GD with a schedule (see :func:`~scalinglaws.dmft.loss_curve`).

    Times are ``t = lr * steps`` with the peak ``lr`` (as :func:`scalinglaws.simulate_gd` with a
    schedule); the schedule is bound to the last step. ``method="auto"``: the contour route with
    the schedule's polynomial transfer (:mod:`scalinglaws.dmft.scheduled_contour`, any number of
    steps) where the effective step count ``sum(lr_r) / lr`` is >= ``nodes``, the dense recipe
    before; ``"contour"`` / ``"recipe"``: one route. Refuses ``lr * peak * lambda_max >= 2`` and a
    recipe cost ``M T^3`` beyond the budget (:data:`MAX_COST`). Loss without 1/2; theory:
    :ref:`dmft-recipe` and :ref:`dmft-contour-schedules`.

    Parameters
    ----------
    problem : Problem
        The task (finite M, or M = inf: head + tail quadrature in the dense recipe, the
        analytic tail in the contour route).
    {P}
    t : ndarray
        Times ``t = lr x steps`` (rounded to whole steps).
    lr : float
        Peak learning rate (> 0).
    N : float
        Model size (``math.inf`` allowed).
    schedule : Schedule or str
        The learning-rate schedule, bound to the last step.
    max_recipe_steps : int, optional
        Largest step count accepted by the dense recipe.
    ensemble, bags : int or math.inf, optional
        E projections and B data sets (App. H): the loss of the averaged predictor from the
        dense recipe with the cross-system correlations (the contour route is for E = B = 1);
        ``train_loss`` is None for B > 1.
    method : {"auto", "contour", "recipe"}, optional
        Route (see above).
    nodes : int, optional
        Talbot nodes per petal of the contour route.
    {threads}

    Returns
    -------
    LossCurve
        ``time_unit="lr*steps"``; ``method`` names the route(s) used, e.g.
        ``"contour (scheduled)"`` or ``"recipe (scheduled, dense)"``.

    Raises
    ------
    ParameterError
        ``lr`` missing or unstable at the peak, ensembles with ``method="contour"``, too many
        steps or a cost beyond the budget.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=50, N=20)
    >>> c = scheduled_curve(p, 40, np.array([0.0, 2.0, 5.0]), lr=0.5, N=20.0, schedule="cosine")
    >>> c.steps.tolist(), bool(c.test_loss[-1] < c.test_loss[0])
    ([0, 4, 10], True)
    """
    check_problem(problem)
    if lr is None:
        raise ParameterError("lr (the peak learning rate) is required with a schedule")
    lr, steps = gd_steps(t, lr)
    Ev = size("ensemble", ensemble)
    Bv = size("bags", bags)
    Pv = size("P", P)
    T = int(steps.max()) + 1
    if method == "recipe":  # before the O(T) rates are built
        check_recipe_steps(T, max_recipe_steps, "the scheduled recipe is")
    sched = as_schedule(schedule)
    assert isinstance(sched, Schedule)
    sched = sched.bind(max(T - 1, 1))
    peak = lr * sched.peak
    lmax = lam_max(problem)
    if peak * lmax >= 2.0:
        raise ParameterError(
            f"peak lr = {peak:g} is unstable: GD needs peak lr * lambda_max < 2, "
            f"i.e. peak lr < {2.0 / lmax:.6g}"
        )
    check_memory(32.0 * T, f"the per-step rates of the schedule (T = {T} steps)")
    rates = sched.rate(np.arange(T - 1), lr) if T > 1 else np.zeros(0)
    route = method
    if Ev != 1 or Bv != 1:  # ensembles / bagging: the dense recipe (no contour route)
        if method == "contour":
            raise ParameterError(
                f"method='contour' with a schedule needs ensemble = bags = 1, got ensemble = "
                f"{Ev:g}, bags = {Bv:g} (valid: method='recipe' or 'auto' for ensembles)"
            )
        route = "recipe"
    test, train, done = scheduled_contour_losses(
        problem, Pv, N, steps, rates, method=route, nodes=nodes, threads=threads
    )
    if not np.all(done):
        T = int(steps[~done].max()) + 1
        check_recipe_steps(T, max_recipe_steps, "the scheduled recipe is")
        # all modes, or at M = inf the head + the tail quadrature resolved to the largest time
        rl, rw, rm = recipe_modes(problem, float(np.sum(rates[: T - 1])) + lr)
        M = rl.shape[0]
        cost = 30.0 * M * float(T) ** 3
        if cost > MAX_COST:
            raise ParameterError(
                f"the scheduled T x T recipe costs ~{cost:.2g} flops for {M} modes, "
                f"T = {T} (budget {MAX_COST:.0g}): use fewer steps"
                + (
                    " (at M = inf the modes are the head + tail pseudo-modes)"
                    if problem.infinite
                    else " or features"
                )
            )
        a, b = recipe_scheduled(
            rl,
            rw,
            inv(N),
            inv(Pv),
            problem.sigma**2,
            rates[: T - 1],
            invE=inv(Ev),
            invB=inv(Bv),
            mult=rm,
        )
        test[~done] = a[steps[~done]]
        train[~done] = b[steps[~done]]
    used = "contour (scheduled)" if np.all(done) else "recipe (scheduled, dense)"
    if np.any(done) and not np.all(done):
        used = "recipe (scheduled, dense) + contour (scheduled)"
    params = {"N": N, "P": Pv, "lr": lr, "schedule": str(sched), "ensemble": Ev, "bags": Bv}
    return theory_curve(problem, steps * lr, test, train, used, params, bags=Bv, steps=steps)
