"""Plain numpy references of the power-law random-feature theory: m(z), the spectrum, the Volterra
recursion (full sums over the v features; :ref:`plrf`).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["plrf_m_continuation", "plrf_spectrum", "plrf_volterra_stepping"]


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
    >>> from scalinglaws import Problem
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
    >>> from scalinglaws import Problem
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
    >>> from scalinglaws import Problem
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
