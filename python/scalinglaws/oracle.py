"""Plain numpy reference implementations: test oracles and benchmark baselines.

These step the dynamics one update at a time, in the most direct way, with the same conventions
as :mod:`scalinglaws.simulate` (losses without 1/2; GD ``w <- w + (lr/P) Phi^T (y - Phi w)``).
They are slow on purpose: their job is to be obviously right.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np

from .problem import Problem

__all__ = ["gd_stepping", "draw_explicit", "gd_explicit", "sgd_stepping", "sgd_eigenbasis"]


def gd_stepping(phi: np.ndarray, y: np.ndarray, sigma_mat: np.ndarray, q: np.ndarray, c0: float,
                lr: float, steps: Sequence[int]) -> Dict[str, np.ndarray]:
    """Step full-batch GD on a given draw and record the losses at the given step counts."""
    P = phi.shape[0]
    w = np.zeros(phi.shape[1])
    steps = np.asarray(steps, dtype=np.int64)
    test = np.empty(len(steps))
    train = np.empty(len(steps))
    order = np.argsort(steps)
    n = 0
    for idx in order:
        while n < steps[idx]:
            w = w + (lr / P) * (phi.T @ (y - phi @ w))
            n += 1
        test[idx] = c0 - 2.0 * w @ q + w @ sigma_mat @ w
        train[idx] = np.mean((y - phi @ w) ** 2)
    return {"test": test, "train": train}


def draw_explicit(problem: Problem, P: int, rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """Draw F (N x M, N(0, 1/N)), Psi (P x M, N(0, lam)) and noisy labels with numpy."""
    N, M = problem.require_N(), problem.M
    F = rng.standard_normal((N, M)) / np.sqrt(N)
    psi = rng.standard_normal((P, M)) * np.sqrt(problem.lam)
    y = psi @ problem.wstar + problem.sigma * rng.standard_normal(P)
    return {"F": F, "psi": psi, "y": y}


def gd_explicit(problem: Problem, P: int, lr: float, steps: Sequence[int],
                rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """The straightforward numpy pipeline: draw explicitly, project, step, evaluate the
    population loss ``sum_k lam_k (w*_k - (F^T w)_k)^2`` from the covariance."""
    d = draw_explicit(problem, P, rng)
    F = d["F"]
    phi = d["psi"] @ F.T
    FL = F * problem.lam
    sigma_mat = FL @ F.T
    q = FL @ problem.wstar
    return gd_stepping(phi, d["y"], sigma_mat, q, problem.initial_loss, lr, steps)


def sgd_stepping(problem: Problem, lr: float, checkpoints: Sequence[int], batch: int,
                 rng: np.random.Generator, *, batch_mean: bool = False,
                 F: Optional[np.ndarray] = None) -> np.ndarray:
    """Plain one-pass SGD: draw B fresh M-dimensional samples per step, project, update.

    ``theta <- theta - g sum_i phi_i (phi_i . theta - y_i)`` with g = lr (or lr / B if
    ``batch_mean``). Population loss ``sum_k lam_k (w*_k - (F^T theta)_k)^2`` at the checkpoints.
    """
    N, M = problem.require_N(), problem.M
    if F is None:
        F = rng.standard_normal((N, M)) / np.sqrt(N)
    g = lr / batch if batch_mean else lr
    sq = np.sqrt(problem.lam)
    theta = np.zeros(N)
    cps = np.asarray(checkpoints, dtype=np.int64)
    out = np.empty(len(cps))

    def loss() -> float:
        v0 = problem.wstar - F.T @ theta
        return float(np.sum(problem.lam * v0**2))

    r = 0
    for idx in np.argsort(cps):
        while r < cps[idx]:
            x = rng.standard_normal((batch, M)) * sq
            y = x @ problem.wstar + problem.sigma * rng.standard_normal(batch)
            phi = x @ F.T
            theta = theta - g * (phi.T @ (phi @ theta - y))
            r += 1
        out[idx] = loss()
    return out


def sgd_eigenbasis(s: np.ndarray, e0: np.ndarray, p_inf: float, lr: float,
                   checkpoints: Sequence[int], batch: int, rng: np.random.Generator,
                   noise_var: float = 0.0) -> np.ndarray:
    """The eigenbasis SGD recursion of :func:`scalinglaws.simulate.simulate_sgd` in plain numpy
    (batch-sum convention): the benchmark baseline for the C++ loop."""
    sd = np.sqrt(s)
    e = np.array(e0, dtype=np.float64)
    nsd = np.sqrt(p_inf + noise_var)
    cps = np.asarray(checkpoints, dtype=np.int64)
    out = np.empty(len(cps))
    r = 0
    for idx in np.argsort(cps):
        while r < cps[idx]:
            z = rng.standard_normal((batch, len(s))) * sd
            rho = z @ e - nsd * rng.standard_normal(batch)
            e -= lr * (rho @ z)
            r += 1
        out[idx] = p_inf + s @ (e * e)
    return out
