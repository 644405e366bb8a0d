"""Plain numpy references of the kernel matrices of :func:`scalinglaws.spectra.kernel_matrix`."""

from __future__ import annotations

import numpy as np

__all__ = ["relu_ntk", "rbf_kernel"]


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
