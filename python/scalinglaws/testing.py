"""Plain numpy reference implementations: test oracles and benchmark baselines.

These step the dynamics one update at a time, in the most direct way, with the same conventions
as :mod:`scalinglaws.simulate` (losses without 1/2; GD ``w <- w + (lr/P) Phi^T (y - Phi w)``).
They are slow on purpose: their job is to be obviously right.
"""

from __future__ import annotations

import math
from typing import Dict, Optional, Sequence, Union

import numpy as np

from .problem import Problem

__all__ = [
    "gd_stepping",
    "heavy_ball_stepping",
    "draw_explicit",
    "gd_explicit",
    "heavy_ball_explicit",
    "sgd_stepping",
    "sgd_eigenbasis",
    "sgd_expected_loss_explicit",
    "sgd_one_step_projection_average",
    "ridge_regression_explicit",
    "plrf_m_continuation",
    "plrf_spectrum",
    "plrf_volterra_stepping",
    "relu_ntk",
    "rbf_kernel",
]


def gd_stepping(
    phi: np.ndarray,
    y: np.ndarray,
    sigma_mat: np.ndarray,
    q: np.ndarray,
    c0: float,
    lr: float,
    steps: Union[Sequence[int], np.ndarray],
) -> Dict[str, np.ndarray]:
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


def heavy_ball_stepping(
    phi: np.ndarray,
    y: np.ndarray,
    sigma_mat: np.ndarray,
    q: np.ndarray,
    c0: float,
    lr: float,
    momentum: float,
    steps: Union[Sequence[int], np.ndarray],
) -> Dict[str, np.ndarray]:
    """Step full-batch heavy-ball GD on a given draw: ``b <- (1/P) Phi^T (y - Phi w) + mu b``,
    ``w <- w + lr b`` from ``w = b = 0``; losses at the given step counts."""
    P = phi.shape[0]
    w = np.zeros(phi.shape[1])
    b = np.zeros(phi.shape[1])
    steps = np.asarray(steps, dtype=np.int64)
    test = np.empty(len(steps))
    train = np.empty(len(steps))
    n = 0
    for idx in np.argsort(steps):
        while n < steps[idx]:
            b = (phi.T @ (y - phi @ w)) / P + momentum * b
            w = w + lr * b
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


def gd_explicit(
    problem: Problem,
    P: int,
    lr: float,
    steps: Union[Sequence[int], np.ndarray],
    rng: np.random.Generator,
) -> Dict[str, np.ndarray]:
    """The straightforward numpy pipeline: draw explicitly, project, step, evaluate the
    population loss ``sum_k lam_k (w*_k - (F^T w)_k)^2`` from the covariance."""
    d = draw_explicit(problem, P, rng)
    F = d["F"]
    phi = d["psi"] @ F.T
    FL = F * problem.lam
    sigma_mat = FL @ F.T
    q = FL @ problem.wstar
    return gd_stepping(phi, d["y"], sigma_mat, q, problem.initial_loss, lr, steps)


def heavy_ball_explicit(
    problem: Problem,
    P: int,
    lr: float,
    momentum: float,
    steps: Union[Sequence[int], np.ndarray],
    rng: np.random.Generator,
) -> Dict[str, np.ndarray]:
    """:func:`gd_explicit` with heavy-ball momentum (:func:`heavy_ball_stepping`)."""
    d = draw_explicit(problem, P, rng)
    F = d["F"]
    phi = d["psi"] @ F.T
    FL = F * problem.lam
    return heavy_ball_stepping(
        phi, d["y"], FL @ F.T, FL @ problem.wstar, problem.initial_loss, lr, momentum, steps
    )


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


def plrf_m_continuation(alpha, v, d, z, chunk=256):
    """m(z) of the deterministic equivalent (:ref:`plrf-deterministic`) as the reference code computes it:
    Newton continuation in Im z, one step per level, full sums over j = 1..v."""
    lam = np.arange(1, v + 1, dtype=np.float64) ** (-2 * alpha)
    n_eta = int(40 + 20 * alpha * math.log(d))
    out = np.empty(z.size, dtype=np.complex128)
    for s in range(0, z.size, chunk):
        zz = z[s : s + chunk]
        m = np.ones(zz.size, dtype=np.complex128)
        for eta in np.logspace(6, np.log10(zz.imag.min()), n_eta):
            zl = zz.real + 1j * np.maximum(eta, zz.imag)
            h = lam[None, :] * m[:, None] - zl[:, None]
            s1 = (lam / h).sum(1)
            s2 = (lam / h**2).sum(1)
            m = m - (m * (1 + s1 / d) - 1) / (1 - zl * s2 / d)
        out[s : s + chunk] = m
    return out


def plrf_spectrum(alpha, beta, v, d, x, eta_rel=1e-10):
    """Deterministic eigenvalues and rho-weights on the grid x (descending) from full sums."""
    z = x + 1j * eta_rel * x
    m = plrf_m_continuation(alpha, v, d, z)
    j = np.arange(1, v + 1, dtype=np.float64)
    lam, w = j ** (-2 * alpha), j ** (-2 * alpha - 2 * beta)
    dens = d * ((1 - m) / z).imag / np.pi
    sf = np.array([(w / (lam * mi - zi)).sum() for mi, zi in zip(m, z)])
    rho_d = (sf / z).imag / np.pi
    dx = -np.diff(x)
    N = np.concatenate([[0], np.cumsum(0.5 * dx * (dens[1:] + dens[:-1]))])
    R = np.concatenate([[0], np.cumsum(0.5 * dx * (rho_d[1:] + rho_d[:-1]))])
    k = np.arange(1, d + 1) - 0.5
    eig = np.exp(np.interp(k, N, np.log(x)))
    rho = np.diff(np.interp(np.arange(d + 1), N, R))
    return eig, rho


def plrf_volterra_stepping(lam, rho, p_inf, gamma, steps):
    """Expected SGD loss after ``steps`` steps (B = 1, batch-sum gamma) by the per-step mode
    recursion m_k(r+1) = q_k m_k(r) + gamma^2 lam_k P(r) (:ref:`plrf-volterra`)."""
    q = 1 - 2 * gamma * lam + 2 * gamma**2 * lam**2
    m = rho.copy()
    P = p_inf + lam @ m
    for _ in range(steps):
        m = q * m + gamma**2 * lam * P
        P = p_inf + lam @ m
    return P


def sgd_expected_loss_explicit(
    problem: Problem,
    F: np.ndarray,
    lr: float,
    steps: Union[Sequence[int], np.ndarray],
    batch: int = 1,
    *,
    batch_mean: bool = False,
) -> np.ndarray:
    """Exact expected population loss of one-pass SGD on the given projection F (N x M), by the
    first and second moments of theta in parameter space: no eigendecomposition, no modes.

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
    cps = np.asarray(steps, dtype=np.int64)
    out = np.empty(len(cps))
    r = 0
    for idx in np.argsort(cps):
        while r < cps[idx]:
            Sm = Sig @ mu - q
            SS = Sig @ S
            A = SS @ Sig - np.outer(Sig @ mu, q) - np.outer(q, Sig @ mu) + np.outer(q, q)
            e_r2 = float(np.trace(SS)) - 2.0 * float(q @ mu) + noise
            G = SS - np.outer(q, mu)
            S = S - gam * batch * (G + G.T) + gam**2 * batch * (e_r2 * Sig + (batch + 1) * A)
            S = 0.5 * (S + S.T)  # round-off asymmetry would grow (the map is unstable on it)
            mu = mu - gam * batch * Sm
            r += 1
        out[idx] = c0 - 2.0 * float(q @ mu) + float(np.sum(Sig * S))
    return out


def sgd_one_step_projection_average(
    problem: Problem, lr: float, batch: int = 1, *, batch_mean: bool = False
) -> float:
    """Expected population loss after ONE step of one-pass SGD from theta = 0, averaged exactly
    over the data and over projections F with iid N(0, 1/N) entries (closed form).

    From :func:`sgd_expected_loss_explicit` at r = 1: ``L1 = c0 - 2 gam B q.q + gam^2 B [(c0 +
    sigma^2) tr(Sigma^2) + (B + 1) q^T Sigma q]``, and over F (Wick, G = F^T F):
    ``E[q.q] = sum lam^2 w^2``, ``E tr(Sigma^2) = (tr Lam)^2 / N + (1 + 1/N) sum lam^2``,
    ``E[q^T Sigma q] = sum_i lam_i^2 w_i^2 (lam_i (1 + 1/N) + tr Lam / N)``.
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


def ridge_regression_explicit(
    lam: np.ndarray, wstar: np.ndarray, P: int, ridge: float, noise: float, rng: np.random.Generator
) -> float:
    """Kernel ridge regression on P Gaussian samples in feature space, in plain numpy: features
    ``x ~ N(0, diag lam)``, labels ``y = <x, w*> + sqrt(noise) n``, predictor
    ``w = X^T (X X^T + ridge I)^-1 y``; returns the population loss
    ``sum_k lam_k (w*_k - w_k)^2`` (no 1/2, without the noise floor)."""
    X = rng.standard_normal((P, lam.size)) * np.sqrt(lam)
    y = X @ wstar + math.sqrt(noise) * rng.standard_normal(P)
    K = X @ X.T
    K[np.diag_indices(P)] += ridge
    w = X.T @ np.linalg.solve(K, y)
    return float(np.sum(lam * (wstar - w) ** 2))


def relu_ntk(X: np.ndarray, depth: int, sw2: float = 2.0, sb2: float = 0.0) -> np.ndarray:
    """The arc-cosine NTK recursion in vectorised numpy (in-place where possible)."""
    d = X.shape[1]
    s = X @ X.T
    s *= sw2 / d
    s += sb2
    diag = np.diag(s).copy()
    theta = s.copy()
    for _ in range(depth):
        r = np.sqrt(np.outer(diag, diag))
        rho = np.divide(s, r)
        np.clip(rho, -1.0, 1.0, out=rho)
        np.fill_diagonal(rho, 1.0)
        t = np.arccos(rho)
        # s <- sw2 r (sin t + (pi - t) cos t) / (2 pi) + sb2, with sin t = sqrt(1 - rho^2)
        sin_t = np.sqrt(np.maximum(1.0 - rho * rho, 0.0))
        np.subtract(np.pi, t, out=t)  # t <- pi - t
        s = (sin_t + t * rho) * r
        del sin_t, r, rho
        s *= sw2 / (2 * np.pi)
        s += sb2
        theta *= t
        theta *= sw2 / (2 * np.pi)
        theta += s
        del t
        diag = sw2 * diag / 2 + sb2
    return theta


def rbf_kernel(X: np.ndarray, h: float) -> np.ndarray:
    """exp(-|x - z|^2 / (2 h^2)) for all pairs of rows of X."""
    sq = np.sum(X**2, axis=1)
    K = X @ X.T
    K *= -2.0
    K += sq[:, None]
    K += sq[None, :]
    np.maximum(K, 0.0, out=K)
    K *= -1.0 / (2 * h * h)
    return np.exp(K, out=K)
