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
    """Step full-batch GD on a given draw and record the losses at the given step counts.

    ``w <- w + (lr/P) Phi^T (y - Phi w)`` from ``w = 0`` (:ref:`sim-gd`); losses without 1/2.

    Parameters
    ----------
    phi : ndarray, shape (P, N)
        Features of the training set.
    y : ndarray, shape (P,)
        Labels.
    sigma_mat, q, c0 : ndarray (N, N), ndarray (N,), float
        Population moments ``E[phi phi^T]``, ``E[phi y]`` and the initial loss ``E[(x.w*)^2]``;
        the test loss is ``c0 - 2 w.q + w^T sigma_mat w``.
    lr : float
        Learning rate.
    steps : sequence of int
        Step counts (any order).

    Returns
    -------
    dict
        ``"test"`` (population loss, without sigma^2) and ``"train"`` (``mean (y - Phi w)^2``)
        at ``steps``.

    Examples
    --------
    >>> phi, y = np.eye(2), np.array([1.0, 2.0])
    >>> gd_stepping(phi, y, np.eye(2) / 2, y / 2, 2.5, 1.0, [0, 1])["train"]
    array([2.5 , 0.625])
    """
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
    """Step full-batch heavy-ball GD on a given draw; losses at the given step counts.

    ``b <- (1/P) Phi^T (y - Phi w) + mu b``, ``w <- w + lr b`` from ``w = b = 0``
    (:ref:`dmft-momentum`).

    Parameters
    ----------
    phi : ndarray, shape (P, N)
        Features of the training set.
    y : ndarray, shape (P,)
        Labels.
    sigma_mat, q, c0 : ndarray (N, N), ndarray (N,), float
        Population moments ``E[phi phi^T]``, ``E[phi y]`` and the initial loss ``E[(x.w*)^2]``;
        the test loss is ``c0 - 2 w.q + w^T sigma_mat w``.
    lr : float
        Learning rate.
    momentum : float
        mu in [0, 1).
    steps : sequence of int
        Step counts.

    Returns
    -------
    dict
        ``"test"`` and ``"train"`` losses at ``steps`` (as :func:`gd_stepping`).

    Examples
    --------
    >>> phi, y = np.eye(2), np.array([1.0, 2.0])
    >>> heavy_ball_stepping(phi, y, np.eye(2) / 2, y / 2, 2.5, 1.0, 0.0, [0, 1])["train"]
    array([2.5 , 0.625])
    """
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
    """Draw F (N x M, N(0, 1/N)), Psi (P x M, N(0, lam)) and noisy labels with numpy.

    Parameters
    ----------
    problem : Problem
        Finite problem with N set (:ref:`conv-problem`).
    P : int
        Number of samples.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    dict
        ``"F"`` (N, M), ``"psi"`` (P, M) and ``"y" = psi w* + sigma n`` (P,).

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=50, N=10)
    >>> d = draw_explicit(p, 20, np.random.default_rng(0))
    >>> {k: v.shape for k, v in d.items()}
    {'F': (10, 50), 'psi': (20, 50), 'y': (20,)}
    """
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
    """The straightforward numpy pipeline of GD: draw, project, step, evaluate.

    Draws with :func:`draw_explicit`, projects ``Phi = Psi F^T`` and steps with
    :func:`gd_stepping`; the population loss ``sum_k lam_k (w*_k - (F^T w)_k)^2`` comes from the
    covariance.

    Parameters
    ----------
    problem : Problem
        Finite problem with N set.
    P : int
        Number of samples.
    lr : float
        Learning rate.
    steps : sequence of int
        Step counts.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    dict
        ``"test"`` and ``"train"`` losses at ``steps``.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=50, N=10)
    >>> r = gd_explicit(p, 20, 0.5, [0, 10], np.random.default_rng(0))
    >>> bool(np.isclose(r["test"][0], p.initial_loss)), bool(r["test"][1] < r["test"][0])
    (True, True)
    """
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
    """:func:`gd_explicit` with heavy-ball momentum (:func:`heavy_ball_stepping`).

    Parameters
    ----------
    problem : Problem
        Finite problem with N set.
    P : int
        Number of samples.
    lr : float
        Learning rate.
    momentum : float
        mu in [0, 1).
    steps : sequence of int
        Step counts.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    dict
        ``"test"`` and ``"train"`` losses at ``steps``.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=50, N=10)
    >>> a = heavy_ball_explicit(p, 20, 0.5, 0.0, [10], np.random.default_rng(0))["test"]
    >>> b = gd_explicit(p, 20, 0.5, [10], np.random.default_rng(0))["test"]
    >>> bool(np.allclose(a, b))                        # mu = 0 is plain GD
    True
    """
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
    ``batch_mean``). Population loss ``sum_k lam_k (w*_k - (F^T theta)_k)^2`` at the checkpoints
    (:ref:`sim-sgd`, conventions :ref:`conv-lr`).

    Parameters
    ----------
    problem : Problem
        Finite problem with N set.
    lr : float
        Learning rate.
    checkpoints : sequence of int
        Step counts.
    batch : int
        Batch size B.
    rng : numpy.random.Generator
        Source of randomness (projection, if drawn, then data).
    batch_mean : bool, optional
        ``lr`` in the batch-mean convention.
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
    batch : int
        Batch size B.
    rng : numpy.random.Generator
        Source of randomness.
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
    """m(z) of the deterministic equivalent (:ref:`plrf-deterministic`), the reference way.

    Newton continuation in Im z, one step per level, full sums over j = 1..v (O(v) per point).

    Parameters
    ----------
    alpha : float
        Spectrum exponent (``lambda_j = j^-2alpha``).
    v, d : int
        Number of features and model size.
    z : ndarray of complex
        Points with Im z > 0.
    chunk : int, optional
        Points per vectorised block.

    Returns
    -------
    ndarray of complex
        m(z).

    Examples
    --------
    >>> from scalinglaws.plrf import resolvent_m
    >>> z = np.array([1.0 + 1.0j, 0.01 + 0.01j])
    >>> m = plrf_m_continuation(1.0, 400, 100, z)
    >>> ref = resolvent_m(Problem.paquette(1.0, 0.7, v=400, d=100), z)
    >>> bool(np.allclose(m, ref, atol=1e-5))
    True
    """
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
    """Deterministic eigenvalues and rho-weights on the grid x (descending) from full sums.

    Densities from :func:`plrf_m_continuation` at ``x + i eta_rel x``, integrated by the
    trapezoidal rule; eigenvalue k sits at the (k - 1/2) quantile (:ref:`plrf-spectrum`).

    Parameters
    ----------
    alpha, beta : float
        Exponents of the power law.
    v, d : int
        Number of features and model size.
    x : ndarray
        Descending grid covering the spectrum.
    eta_rel : float, optional
        Relative distance of the evaluation points from the real axis.

    Returns
    -------
    (ndarray, ndarray)
        d eigenvalues (descending) and their rho-weights.

    Examples
    --------
    >>> from scalinglaws.plrf import deterministic_spectrum
    >>> eig, rho = plrf_spectrum(1.0, 0.7, 400, 100, np.geomspace(2.0, 1e-6, 300))
    >>> det = deterministic_spectrum(Problem.paquette(1.0, 0.7, v=400, d=100))
    >>> eig.shape, bool(abs(eig[0] / det.eigenvalues[0] - 1) < 0.01)
    ((100,), True)
    """
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
    """Expected SGD loss after ``steps`` steps by the per-step mode recursion (B = 1).

    ``m_k(r+1) = q_k m_k(r) + gamma^2 lam_k P(r)``, ``q_k = 1 - 2 gamma lam_k + 2 gamma^2
    lam_k^2``, ``P = p_inf + sum_k lam_k m_k`` (batch-sum gamma; :ref:`plrf-volterra`).

    Parameters
    ----------
    lam, rho : ndarray
        Eigenvalues and weights of the spectrum.
    p_inf : float
        Limit loss.
    gamma : float
        Per-sample step.
    steps : int
        Number of steps.

    Returns
    -------
    float
        P(steps) (no 1/2).

    Examples
    --------
    >>> from scalinglaws.plrf.volterra import exact_spectrum, volterra_loss
    >>> s = exact_spectrum(Problem.paquette(1.0, 0.7, v=30, d=8))
    >>> ref = volterra_loss(s, 0.2, 10, checkpoints=[10], log_spaced=False).test_loss[0]
    >>> bool(np.isclose(plrf_volterra_stepping(s.eigenvalues, s.rho, 0.0, 0.2, 10), ref))
    True
    """
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
    lr : float
        Learning rate.
    steps : sequence of int
        Step counts.
    batch : int, optional
        Batch size B.
    batch_mean : bool, optional
        ``lr`` in the batch-mean convention (:ref:`conv-lr`).

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
    """Expected loss after ONE step of one-pass SGD from theta = 0, averaged over projections.

    Averaged exactly over the data and over projections F with iid N(0, 1/N) entries (closed
    form).

    From :func:`sgd_expected_loss_explicit` at r = 1: ``L1 = c0 - 2 gam B q.q + gam^2 B [(c0 +
    sigma^2) tr(Sigma^2) + (B + 1) q^T Sigma q]``, and over F (Wick, G = F^T F):
    ``E[q.q] = sum lam^2 w^2``, ``E tr(Sigma^2) = (tr Lam)^2 / N + (1 + 1/N) sum lam^2``,
    ``E[q^T Sigma q] = sum_i lam_i^2 w_i^2 (lam_i (1 + 1/N) + tr Lam / N)``.

    Parameters
    ----------
    problem : Problem
        Finite problem with N set.
    lr : float
        Learning rate.
    batch : int, optional
        Batch size B.
    batch_mean : bool, optional
        ``lr`` in the batch-mean convention.

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


def ridge_regression_explicit(
    lam: np.ndarray, wstar: np.ndarray, P: int, ridge: float, noise: float, rng: np.random.Generator
) -> float:
    """Kernel ridge regression on P Gaussian samples in feature space, in plain numpy.

    Features ``x ~ N(0, diag lam)``, labels ``y = <x, w*> + sqrt(noise) n``, predictor
    ``w = X^T (X X^T + ridge I)^-1 y``. The reference of
    :func:`scalinglaws.spectra.kernel_regression_loss` (its average over draws).

    Parameters
    ----------
    lam, wstar : ndarray
        Eigenvalues and target weights.
    P : int
        Number of samples.
    ridge : float
        Ridge >= 0.
    noise : float
        Label-noise variance.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    float
        The population loss ``sum_k lam_k (w*_k - w_k)^2`` (no 1/2, without the noise floor).

    Examples
    --------
    >>> lam = np.arange(1, 41.0) ** -1.5
    >>> L = ridge_regression_explicit(lam, np.ones(40), 10, 1e-3, 0.0, np.random.default_rng(0))
    >>> bool(0 < L < lam.sum())
    True
    """
    X = rng.standard_normal((P, lam.size)) * np.sqrt(lam)
    y = X @ wstar + math.sqrt(noise) * rng.standard_normal(P)
    K = X @ X.T
    K[np.diag_indices(P)] += ridge
    w = X.T @ np.linalg.solve(K, y)
    return float(np.sum(lam * (wstar - w) ** 2))


def relu_ntk(X: np.ndarray, depth: int, sw2: float = 2.0, sb2: float = 0.0) -> np.ndarray:
    """The arc-cosine ReLU NTK recursion in vectorised numpy (in-place where possible).

    The reference of :func:`scalinglaws.spectra.kernel_matrix` with ``kernel="ntk"``.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Points as rows.
    depth : int
        Hidden layers.
    sw2, sb2 : float, optional
        Weight and bias variances.

    Returns
    -------
    ndarray, shape (n, n)
        The NTK Gram matrix.

    Examples
    --------
    >>> from scalinglaws.spectra import kernel_matrix
    >>> X = np.random.default_rng(0).standard_normal((5, 3))
    >>> bool(np.allclose(relu_ntk(X, 2), kernel_matrix(X, kernel="ntk", depth=2)))
    True
    """
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
    """The RBF kernel ``exp(-|x - z|^2 / (2 h^2))`` for all pairs of rows of X.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Points as rows.
    h : float
        Bandwidth.

    Returns
    -------
    ndarray, shape (n, n)
        The Gram matrix.

    Examples
    --------
    >>> rbf_kernel(np.array([[0.0], [1.0]]), 1.0).round(4)
    array([[1.    , 0.6065],
           [0.6065, 1.    ]])
    """
    sq = np.sum(X**2, axis=1)
    K = X @ X.T
    K *= -2.0
    K += sq[:, None]
    K += sq[None, :]
    np.maximum(K, 0.0, out=K)
    K *= -1.0 / (2 * h * h)
    return np.exp(K, out=K)
