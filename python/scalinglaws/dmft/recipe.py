"""The paper's T x T recipe (Bordelon et al. App. M.1; theory page "DMFT", section "T x T
recipe"), evaluated exactly with the lower-triangular Toeplitz structure of every response:
O(M T^2) instead of O(M T^3)."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from .._docstrings import fill_doc
from .._validate import check_memory, check_time
from ..errors import ConvergenceError, ParameterError
from ._docs import DMFT

__all__ = ["recipe", "recipe_seconds", "theta_series", "toeplitz_lower", "series_mul", "series_inv"]


def series_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Product of two causal series truncated to the length of ``a`` (a Toeplitz product).

    Parameters
    ----------
    a, b : ndarray
        First columns of two lower-triangular Toeplitz matrices (series in the step n).

    Returns
    -------
    ndarray
        ``c[n] = sum_{m<=n} a[n-m] b[m]`` for ``n < len(a)``.

    Examples
    --------
    >>> series_mul(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0]))
    array([1., 3., 6.])
    """
    return np.convolve(a, b)[: a.shape[0]]


def series_inv(a: np.ndarray) -> np.ndarray:
    """Inverse of a causal series (of its lower-triangular Toeplitz matrix), by substitution.

    Parameters
    ----------
    a : ndarray
        First column, ``a[0] != 0``.

    Returns
    -------
    ndarray
        ``g`` with ``series_mul(a, g) = (1, 0, 0, ...)``.

    Examples
    --------
    >>> series_inv(np.array([1.0, -0.5, 0.0, 0.0]))           # 1/(1 - x/2)
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    T = a.shape[0]
    g = np.zeros(T)
    g[0] = 1.0 / a[0]
    for n in range(1, T):
        g[n] = -np.dot(a[1 : n + 1], g[n - 1 :: -1]) / a[0]
    return g


def toeplitz_lower(c: np.ndarray) -> np.ndarray:
    """The lower-triangular Toeplitz matrix with first column ``c``.

    Parameters
    ----------
    c : ndarray
        First column (length T).

    Returns
    -------
    ndarray
        ``T x T`` matrix with ``out[i, j] = c[i - j]`` for ``i >= j``, else 0.

    Examples
    --------
    >>> toeplitz_lower(np.array([1.0, 2.0, 3.0]))
    array([[1., 0., 0.],
           [2., 1., 0.],
           [3., 2., 1.]])
    """
    T = c.shape[0]
    idx = np.arange(T)
    d = idx[:, None] - idx[None, :]
    out = np.where(d >= 0, c[np.clip(d, 0, T - 1)], 0.0)
    return out


def conv2(W: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """``out[t,s] = sum_{a<=t, b<=s} W[t-a, s-b] Z[a, b]`` (T x T), by FFT."""
    T = W.shape[0]
    n = 2 * T
    F = np.fft.rfft2(W, s=(n, n)) * np.fft.rfft2(Z, s=(n, n))
    return np.fft.irfft2(F, s=(n, n))[:T, :T]


def theta_series(lr: float, T: int, momentum: float = 0.0) -> np.ndarray:
    """First column of the (strictly lower-triangular Toeplitz) Theta of ``v0 = w* - Theta v4``.

    GD ``v0(n+1) = v0(n) - lr v4(n)``: ``Theta(n) = lr`` for n >= 1. Heavy ball
    ``b(n) = v4(n) + mu b(n-1)``, ``v0(n+1) = v0(n) - lr b(n)``, ``b(-1) = 0`` (eq. 139):
    ``v0(n) = w* - lr sum_{m<n} sum_{s<=m} mu^(m-s) v4(s)``, i.e.
    ``Theta(n) = lr (1 - mu^n)/(1 - mu)`` (z-transform ``lr z/((z-1)(z-mu))``, eq. 141).
    Theory: :ref:`dmft-discrete`, :ref:`dmft-momentum`.

    Parameters
    ----------
    lr : float
        Learning rate.
    T : int
        Number of steps (length of the series).
    momentum : float, optional
        Heavy-ball momentum mu in [0, 1) (0: plain GD).

    Returns
    -------
    ndarray
        ``Theta(0..T-1)``, with ``Theta(0) = 0``.

    Examples
    --------
    >>> theta_series(0.5, 4)
    array([0. , 0.5, 0.5, 0.5])
    >>> theta_series(0.5, 4, momentum=0.5)
    array([0.   , 0.5  , 0.75 , 0.875])
    """
    theta = np.full(T, lr)
    if momentum != 0.0:
        n = np.arange(T, dtype=np.float64)
        theta = lr * (-np.expm1(n * math.log(momentum))) / (1.0 - momentum)
    theta[0] = 0.0  # strictly lower
    return theta


def recipe_seconds(M: int, T: int) -> float:
    """Estimated seconds of :func:`recipe` with M modes and T steps.

    About ``3e-7 M T^2 + 2e-7 T^3`` (one core; measured M = 1500: T = 150 in 10 s, T = 300 in 28 s; M = 4096, T = 100 in 6 s). Its
    sweeps stop early once the responses settle; near the stability limit they take longer.

    Used to refuse too long runs up front (:class:`~scalinglaws.ResourceError`).

    Parameters
    ----------
    M : int
        Number of modes.
    T : int
        Number of steps.

    Returns
    -------
    float
        Estimated wall time in seconds.

    Examples
    --------
    >>> round(recipe_seconds(1500, 300), 1)
    45.9
    """
    return 3e-7 * M * float(T) ** 2 + 2e-7 * float(T) ** 3


@fill_doc(DMFT)
def recipe(
    lam: np.ndarray,
    w2: np.ndarray,
    invN: float,
    invP: float,
    sigma2: float,
    lr: float,
    T: int,
    batch: Optional[int] = None,
    momentum: float = 0.0,
    invE: float = 1.0,
    invB: float = 1.0,
    full: bool = False,
    responses_only: bool = False,
    mult: Optional[np.ndarray] = None,
) -> Any:
    """The paper's T x T recipe for discrete GD or one-pass SGD, in O(M T^2).

    App. M.1 (:ref:`dmft-recipe`), evaluated with the lower-triangular Toeplitz structure of all
    responses. ``momentum`` = mu gives heavy-ball GD (eqs. 139-141) through its Theta (see
    :func:`theta_series`); ``batch`` gives one-pass SGD (:ref:`dmft-sgd`).

    With ``invE, invB`` (1/E, 1/B; 0 = infinity) != 1: the test loss of the predictor averaged
    over E projections x B data sets, from the cross-system correlations (App. H, eq. 110 in the
    time domain): ``C0x = bias0 + (1/P) W2 * (Theta R3 C1x R3^T Theta^T)``,
    ``C1x = R1 (C0x + sigma^2) R1^T``, ``C2x = bias2 + (1/N) W2 * (R1 Theta C3x Theta^T R1^T)``,
    ``C3x = R3 C2x R3^T``; the train output is then ``(1/E) C1 + (1 - 1/E) C1x``.

    Returns (test[0..T-1], train[0..T-1]) at steps 0..T-1; with ``full`` (E = B = 1 only) also a
    dict with the series ``R02`` (first column of R0,2), ``r1``, ``r3`` and the matrices ``C0``,
    ``C1``. With ``responses_only`` it stops after the responses and returns the mode transfer
    functions ``H_k(n) = (G_k 1)(n)``, shape (T, M).

    ``mult``: multiplicity of each mode in the mode sums (default 1; the pseudo-modes of an
    infinite power-law tail carry quadrature weights, :ref:`dmft-infinite-m`).

    Losses without 1/2; the test loss excludes the sigma^2 floor, the train loss includes the
    label noise. Step n corresponds to time ``t = lr n`` (:ref:`conv-time`).

    Parameters
    ----------
    {recipe_inputs}
    lr : float
        Learning rate.
    T : int
        Number of steps (outputs at steps 0..T-1).
    batch : int, optional
        SGD batch size (one-pass SGD); None for full-batch GD.
    momentum : float, optional
        Heavy-ball momentum mu in [0, 1).
    invE, invB : float, optional
        1/E and 1/B of an ensemble of E projections x B data sets (0 for infinity).
    full : bool, optional
        Also return the response series and correlation matrices (E = B = 1 only).
    responses_only : bool, optional
        Return the mode transfer functions only.
    mult : ndarray, optional
        Multiplicity of each mode.

    Returns
    -------
    tuple or ndarray
        ``(test, train)`` arrays of length T; with ``full`` a third item, a dict of
        ``R02, r1, r3, C0, C1``; with ``responses_only`` the ``(T, M)`` array of H_k(n).

    Raises
    ------
    ParameterError
        ``lr`` above the stability limit (the loss diverges).
    ResourceError
        The estimated time (:func:`recipe_seconds`) or memory exceeds the budget.
    ConvergenceError
        The response or correlation iteration did not converge.

    Examples
    --------
    >>> lam = 1.0 / np.arange(1, 51) ** 1.5
    >>> test, train = recipe(lam, np.ones(50), 1 / 20, 1 / 40, 0.0, 0.5, 10)
    >>> test.shape, bool(np.isclose(test[0], lam.sum()))      # step 0: the initial loss
    ((10,), True)
    """
    M = lam.shape[0]
    check_time(
        recipe_seconds(M, T),
        f"the DMFT T x T recipe (M = {M}, T = {T} steps)",
        hint="ask for fewer steps, or the contour route (method='auto' or 'contour')",
    )
    check_memory(8.0 * T * (2.0 * M + 20.0 * T), f"the DMFT T x T recipe (M = {M}, T = {T})")
    lw = lam if mult is None else lam * mult  # lambda_k x multiplicity in every mode sum
    delta = np.zeros(T)
    delta[0] = 1.0
    theta = theta_series(lr, T, momentum)
    sgd = batch is not None
    r1 = delta.copy()
    r3 = delta.copy()

    def kernels(r1: np.ndarray, r3: np.ndarray) -> np.ndarray:
        # g_k = (I + lambda_k Theta R3 R1)^{-1} as series, all k at once: shape (T, M)
        B = series_mul(series_mul(theta, r3), r1)
        G = np.zeros((T, M))
        G[0] = 1.0
        for n in range(1, T):
            G[n] = -lam * (B[n:0:-1] @ G[:n])
        return G

    for _ in range(T + 5):
        G = kernels(r1, r3)
        gs = G @ lw
        if sgd:
            r1n = delta
        else:
            R02 = -series_mul(series_mul(gs, theta), r3)
            r1n = series_inv(delta - R02 * invP)
        R24 = -series_mul(series_mul(gs, r1), theta)
        r3n = series_inv(delta - R24 * invN)
        change = max(np.max(np.abs(r1n - r1)), np.max(np.abs(r3n - r3)))
        r1, r3 = r1n, r3n
        scale_r = max(1.0, np.max(np.abs(r1)), np.max(np.abs(r3)))
        if change <= 1e-15 * scale_r:
            break
    # causality (strictly lower Theta) makes T sweeps exact; what remains is round-off
    if not change <= 1e-9 * scale_r:
        raise ConvergenceError(
            f"T x T recipe: response iteration did not converge (last change {change:.3g})"
        )
    G = kernels(r1, r3)
    if responses_only:
        return np.cumsum(G, axis=0)
    Th = toeplitz_lower(theta)
    R1m = toeplitz_lower(r1)
    R3m = toeplitz_lower(r3)
    V = np.cumsum(G, axis=0)  # g_k * 1
    U = R1m @ V  # R1 g_k 1
    W1 = (G * lw) @ G.T  # sum_k lam_k g_k g_k^T (Toeplitz kernels)
    W2 = (G * (lw * lam)) @ G.T
    bias0 = (V * (lw * w2)) @ V.T
    bias2 = (U * (lw * lam * w2)) @ U.T
    ones = np.ones((T, T))
    C0 = np.zeros((T, T))
    C1 = np.zeros((T, T))
    C2 = np.zeros((T, T))
    C3 = np.zeros((T, T))
    # divergence (an unstable lr) is detected below, without floating-point warnings
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(T + 5):
            TC3T = Th @ C3 @ Th.T
            if sgd:
                D = np.diag(np.diag(C0) + sigma2)
                C0n = (
                    bias0 + invN * conv2(W1, TC3T) + conv2(W2, Th @ R3m @ D @ R3m.T @ Th.T) / batch
                )
                C2n = bias2 + conv2(W1, D) / batch + invN * conv2(W2, TC3T)
                C1n = C0n
            else:
                C0n = (
                    bias0 + invN * conv2(W1, TC3T) + invP * conv2(W2, Th @ R3m @ C1 @ R3m.T @ Th.T)
                )
                C1n = R1m @ (C0n + sigma2 * ones) @ R1m.T
                C2n = bias2 + invP * conv2(W1, C1n) + invN * conv2(W2, R1m @ TC3T @ R1m.T)
            C3n = R3m @ C2n @ R3m.T
            change = np.max(np.abs(C0n - C0)) + np.max(np.abs(C1n - C1))
            C0, C1, C2, C3 = C0n, C1n, C2n, C3n  # noqa: F841
            if change <= 1e-14 * np.max(np.abs(C0)):
                break
    # T sweeps are exact by causality; FFT round-off may keep the change at ~1e-14
    if not change <= 1e-9 * np.max(np.abs(C0)):
        d0 = np.abs(np.diag(C0))
        if not np.all(np.isfinite(d0)) or np.max(d0) > 1e3 * float(np.sum(lw * w2)):
            lim = "2" if momentum == 0.0 else f"2 (1 + momentum) = {2 * (1 + momentum):g}"
            raise ParameterError(
                f"lr = {lr} is above the stability limit for these N, P, batch: the "
                f"theory loss diverges (lr * max eigenvalue of K > {lim})"
            )
        raise ConvergenceError(
            f"T x T recipe: correlation iteration did not converge (last change {change:.3g})"
        )
    if full:
        gs = G @ lw
        R02 = -series_mul(series_mul(gs, theta), r3)
        return (
            np.diag(C0).copy(),
            np.diag(C1).copy(),
            {"R02": R02, "r1": r1, "r3": r3, "C0": C0, "C1": C1},
        )
    if invE == 1.0 and invB == 1.0:
        return np.diag(C0).copy(), np.diag(C1).copy()
    # cross-system correlations: members e != e' on one data set (C0x, C1x), one member on data
    # sets b != b' (C2x, C3x); both are causal linear systems, exact after T sweeps
    C0x = np.zeros((T, T))
    C1x = np.zeros((T, T))
    C3x = np.zeros((T, T))
    for _ in range(T + 5):
        C0xn = bias0 + invP * conv2(W2, Th @ R3m @ C1x @ R3m.T @ Th.T)
        C1xn = R1m @ (C0xn + sigma2 * ones) @ R1m.T
        C2xn = bias2 + invN * conv2(W2, R1m @ Th @ C3x @ Th.T @ R1m.T)
        C3xn = R3m @ C2xn @ R3m.T
        change = np.max(np.abs(C0xn - C0x)) + np.max(np.abs(C3xn - C3x))
        C0x, C1x, C3x = C0xn, C1xn, C3xn
        if change <= 1e-14 * max(np.max(np.abs(C0x)), np.max(np.abs(C3x))):
            break
    if not change <= 1e-9 * max(np.max(np.abs(C0x)), np.max(np.abs(C3x))):
        raise ConvergenceError(
            f"T x T recipe: cross-system correlation iteration did not converge "
            f"(last change {change:.3g})"
        )
    c1bar = invE * C1 + (1.0 - invE) * C1x
    c3bar = invB * C3 + (1.0 - invB) * C3x
    Cbar = (
        bias0
        + invN * invE * conv2(W1, Th @ c3bar @ Th.T)
        + invP * invB * conv2(W2, Th @ R3m @ c1bar @ R3m.T @ Th.T)
    )
    return np.diag(Cbar).copy(), np.diag(c1bar).copy()
