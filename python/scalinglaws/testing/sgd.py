"""Plain numpy references of one-pass SGD: stepping, the eigenbasis loop, exact moments.

Conventions of :func:`scalinglaws.simulate_sgd` (losses without 1/2; batch-sum learning rate unless
``batch_mean``, :ref:`conv-lr`; :ref:`sim-sgd`).
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from .._docstrings import fill_doc
from ..problem import Problem
from ._common import DOCS, at_steps

__all__ = [
    "sgd_stepping",
    "sgd_eigenbasis",
    "sgd_expected_loss_explicit",
    "sgd_one_step_projection_average",
]


@fill_doc(DOCS)
def sgd_stepping(
    problem: Problem,
    lr: float,
    checkpoints: Sequence[int],
    batch: int,
    rng: np.random.Generator,
    *,
    batch_mean: bool = False,
    F: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Plain one-pass SGD: draw B fresh M-dimensional samples per step, project, update.

    ``theta <- theta - g sum_i phi_i (phi_i . theta - y_i)`` with g = lr (or lr / B if
    ``batch_mean``). Population loss ``sum_k lam_k (w*_k - (F^T theta)_k)^2`` at the checkpoints
    (:ref:`sim-sgd`, conventions :ref:`conv-lr`).

    Parameters
    ----------
    {problem}
    {lr}
    checkpoints : sequence of int
        Step counts.
    {sgd_batch}
    rng : numpy.random.Generator
        Source of randomness (projection, if drawn, then data).
    {batch_mean}
    F : ndarray, shape (N, M), optional
        Projection (default: drawn from ``rng``).

    Returns
    -------
    ndarray
        The loss at ``checkpoints`` (one run).

    Examples
    --------
    >>> p = Problem.paquette(1.0, 0.7, v=30, d=8)
    >>> L = sgd_stepping(p, 0.2, [0, 100], 1, np.random.default_rng(0))
    >>> bool(np.isclose(L[0], p.initial_loss)), bool(L[1] < L[0])
    (True, True)
    """
    N, M = problem.require_N(), problem.M
    if F is None:
        F = rng.standard_normal((N, M)) / np.sqrt(N)
    g = lr / batch if batch_mean else lr
    sq = np.sqrt(problem.lam)
    theta = np.zeros(N)

    def step() -> None:
        nonlocal theta
        x = rng.standard_normal((batch, M)) * sq
        y = x @ problem.wstar + problem.sigma * rng.standard_normal(batch)
        phi = x @ F.T
        theta = theta - g * (phi.T @ (phi @ theta - y))

    def loss() -> float:
        v0 = problem.wstar - F.T @ theta
        return float(np.sum(problem.lam * v0**2))

    return np.array(at_steps(checkpoints, step, loss), dtype=np.float64)


@fill_doc(DOCS)
def sgd_eigenbasis(
    s: np.ndarray,
    e0: np.ndarray,
    p_inf: float,
    lr: float,
    checkpoints: Sequence[int],
    batch: int,
    rng: np.random.Generator,
    noise_var: float = 0.0,
) -> np.ndarray:
    """The eigenbasis SGD recursion of :func:`scalinglaws.simulate_sgd` in plain numpy.

    Batch-sum convention: ``e <- e - lr sum_i rho_i z_i`` with ``z_i ~ N(0, diag s)`` and
    residual ``rho_i = z_i . e - sqrt(p_inf + noise_var) n_i``; loss ``p_inf + s . e^2``. The
    benchmark baseline for the C++ loop.

    Parameters
    ----------
    s : ndarray
        Eigenvalues of the projected covariance.
    e0 : ndarray
        Initial error in the eigenbasis.
    p_inf : float
        Irreducible loss of the projection.
    lr : float
        Per-sample step (batch-sum).
    checkpoints : sequence of int
        Step counts.
    {sgd_batch}
    {rng}
    noise_var : float, optional
        Label-noise variance sigma^2 (feeds the SGD noise, not the reported loss).

    Returns
    -------
    ndarray
        The loss at ``checkpoints``.

    Examples
    --------
    >>> L = sgd_eigenbasis(np.array([1.0, 0.5]), np.ones(2), 0.0, 0.1, [0, 50], 1,
    ...                    np.random.default_rng(0))
    >>> float(L[0]), bool(L[1] < 0.1)
    (1.5, True)
    """
    sd = np.sqrt(s)
    e = np.array(e0, dtype=np.float64)
    nsd = np.sqrt(p_inf + noise_var)

    def step() -> None:
        z = rng.standard_normal((batch, len(s))) * sd
        rho = z @ e - nsd * rng.standard_normal(batch)
        e[:] -= lr * (rho @ z)

    return np.array(at_steps(checkpoints, step, lambda: p_inf + s @ (e * e)), dtype=np.float64)


@fill_doc(DOCS)
def sgd_expected_loss_explicit(
    problem: Problem,
    F: np.ndarray,
    lr: float,
    steps: Union[Sequence[int], np.ndarray],
    batch: int = 1,
    *,
    batch_mean: bool = False,
) -> np.ndarray:
    """Exact expected population loss of one-pass SGD on a given projection F (N x M).

    Computed from the first and second moments of theta in parameter space: no eigendecomposition, no modes.

    One sample: ``phi = F x``, ``y = x . w* + sigma n`` with ``x ~ N(0, diag lam)``, jointly
    Gaussian with ``E[phi phi^T] = Sigma = F diag(lam) F^T``, ``E[phi y] = q = F diag(lam) w*``,
    ``E[y^2] = c0 + sigma^2``. The per-sample gradient ``g = phi (phi . theta - y)`` has (Isserlis)
    ``E[g | theta] = Sigma theta - q`` and
    ``E[g g^T | theta] = Sigma E[r^2 | theta] + 2 (Sigma theta - q)(Sigma theta - q)^T`` with
    ``r = phi . theta - y``. For ``theta' = theta - gam sum_{i<=B} g_i`` (gam = lr, or lr / B if
    ``batch_mean``), with ``mu = E theta``, ``S = E theta theta^T``::

        mu' = mu - gam B (Sigma mu - q)
        S'  = S - gam B (Sigma S - q mu^T + S Sigma - mu q^T)
              + gam^2 B [(tr(Sigma S) - 2 q . mu + c0 + sigma^2) Sigma + (B + 1) A],
        A   = Sigma S Sigma - Sigma mu q^T - q mu^T Sigma + q q^T
        loss = c0 - 2 q . mu + tr(Sigma S)   (no 1/2, without sigma^2)

    Exact for Gaussian data; O(N^3) per step, for small N only.

    Parameters
    ----------
    problem : Problem
        Finite problem (its lam, w*, sigma).
    F : ndarray, shape (N, M)
        The projection.
    {lr}
    {steps}
    batch : int, optional
        Batch size B.
    {batch_mean}

    Returns
    -------
    ndarray
        Expected loss at ``steps``.

    Examples
    --------
    >>> p = Problem.paquette(1.0, 0.7, v=30, d=8)
    >>> F = np.random.default_rng(1).standard_normal((8, 30)) / np.sqrt(8)
    >>> L = sgd_expected_loss_explicit(p, F, 0.2, [0, 1])
    >>> bool(np.isclose(L[0], p.initial_loss)), bool(L[1] < L[0])
    (True, True)
    """
    lam, ws = problem.lam, problem.wstar
    FL = F * lam
    Sig = FL @ F.T
    q = FL @ ws
    c0 = float(np.sum(lam * ws * ws))
    noise = c0 + problem.sigma**2
    gam = lr / batch if batch_mean else lr
    n = F.shape[0]
    mu = np.zeros(n)
    S = np.zeros((n, n))

    def step() -> None:
        nonlocal mu, S
        Sm = Sig @ mu - q
        SS = Sig @ S
        A = SS @ Sig - np.outer(Sig @ mu, q) - np.outer(q, Sig @ mu) + np.outer(q, q)
        e_r2 = float(np.trace(SS)) - 2.0 * float(q @ mu) + noise
        G = SS - np.outer(q, mu)
        S = S - gam * batch * (G + G.T) + gam**2 * batch * (e_r2 * Sig + (batch + 1) * A)
        S = 0.5 * (S + S.T)  # round-off asymmetry would grow (the map is unstable on it)
        mu = mu - gam * batch * Sm

    def loss() -> float:
        return c0 - 2.0 * float(q @ mu) + float(np.sum(Sig * S))

    return np.array(at_steps(steps, step, loss), dtype=np.float64)


@fill_doc(DOCS)
def sgd_one_step_projection_average(
    problem: Problem, lr: float, batch: int = 1, *, batch_mean: bool = False
) -> float:
    """Expected loss after ONE step of one-pass SGD from theta = 0, averaged over projections.

    Averaged exactly over the data and over projections F with iid N(0, 1/N) entries (closed
    form).

    From :func:`sgd_expected_loss_explicit` at r = 1: ``L1 = c0 - 2 gam B q.q + gam^2 B [(c0 +
    sigma^2) tr(Sigma^2) + (B + 1) q^T Sigma q]``, and over F (Wick, G = F^T F):
    ``E[q.q] = sum lam^2 w^2``, ``E tr(Sigma^2) = (tr Lam)^2 / N + (1 + 1/N) sum lam^2``,
    ``E[q^T Sigma q] = sum_i lam_i^2 w_i^2 (lam_i (1 + 1/N) + tr Lam / N)``.

    Parameters
    ----------
    {problem}
    {lr}
    batch : int, optional
        Batch size B.
    {batch_mean}

    Returns
    -------
    float
        The expected loss after one step (no 1/2, without sigma^2).

    Examples
    --------
    >>> p = Problem.paquette(1.0, 0.7, v=30, d=8)
    >>> bool(sgd_one_step_projection_average(p, 0.2) < p.initial_loss)
    True
    """
    lam, ws = problem.lam, problem.wstar
    N = problem.require_N()
    gam = lr / batch if batch_mean else lr
    c0 = float(np.sum(lam * ws * ws))
    tr = float(np.sum(lam))
    l2w2 = lam**2 * ws**2
    qq = float(np.sum(l2w2))
    trS2 = tr**2 / N + (1.0 + 1.0 / N) * float(np.sum(lam**2))
    qSq = float(np.sum(l2w2 * (lam * (1.0 + 1.0 / N) + tr / N)))
    return (
        c0
        - 2.0 * gam * batch * qq
        + gam**2 * batch * ((c0 + problem.sigma**2) * trS2 + (batch + 1) * qSq)
    )
