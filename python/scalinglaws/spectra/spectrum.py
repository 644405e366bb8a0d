"""The spectrum of a kernel: eigenvalues of K/n and the target power per eigenmode."""

from __future__ import annotations

import math
from typing import Any, NoReturn, Tuple

import numpy as np

from .._backend import _core
from .._validate import check_array
from ..errors import ParameterError

__all__ = ["kernel_spectrum"]


# ----------------------------------------------------------------------------------- spectrum
def _check_targets(y: Any, n: int) -> np.ndarray:
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError("y must be an array of real numbers") from None
    if y.ndim == 1:
        y = y[:, None]
    y = check_array("y", y, ndim=2)
    if y.shape[0] != n:
        raise ParameterError(f"y must have one row per point ({n}), got {y.shape[0]}")
    with np.errstate(over="ignore"):
        if not math.isfinite(float(np.sum(y**2))):  # refused before the O(n^3) decomposition
            _refuse_y(y)
    return y


def _refuse_y(Y: np.ndarray) -> NoReturn:
    raise ParameterError(
        f"y (max |y| = {float(np.max(np.abs(Y))):.3g}) is out of range: its squared "
        "projections overflow double precision (valid: |y| below ~1e150); rescale y"
    )


def kernel_spectrum(
    K: Any = None, y: Any = None, *, features: Any = None
) -> Tuple[np.ndarray, np.ndarray, float]:
    """Eigenvalues of ``K / n`` (decreasing) and the target power per eigenmode.

    Give either the Gram matrix ``K`` (n x n, symmetric) or a feature matrix ``features``
    (n x p, kernel ``Phi Phi^T``). Returns ``(eigenvalues, power, mean_square)`` where
    ``power_k = |u_k^T y|^2 / n`` and ``mean_square = mean over points of |y|^2``. Tiny negative
    round-off eigenvalues of a PSD kernel are kept as they are (see ``analyze_spectrum``).
    Guide: :ref:`tutorial-kernel-spectrum`; ``power_k`` plays the role of
    ``lambda_k w*_k^2`` of the theory (:ref:`conv-problem`).

    Parameters
    ----------
    K : array_like, shape (n, n), optional
        Symmetric Gram matrix (not divided by n).
    y : array_like, shape (n,) or (n, c)
        Targets (c outputs are summed over in ``power``).
    features : array_like, shape (n, p), optional
        Feature matrix Phi instead of ``K``.

    Returns
    -------
    (ndarray, ndarray, float)
        ``(eigenvalues, power, mean_square)``; n eigenvalues from ``K``, ``min(n, p)`` from
        ``features``.

    Raises
    ------
    ParameterError
        Neither or both of ``K`` and ``features``, ``y`` missing, a non-square or asymmetric
        ``K``, or a row count of ``y`` different from n.

    Examples
    --------
    >>> Phi = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [0.0, 0.0]])
    >>> lam, power, ms = kernel_spectrum(features=Phi, y=np.array([1.0, 2.0, 0.0, 0.0]))
    >>> lam.tolist(), power.round(6).tolist(), ms
    ([1.0, 0.25], [1.0, 0.25], 1.25)
    """
    if (K is None) == (features is None):
        raise ParameterError("give exactly one of K (Gram matrix) or features (feature matrix)")
    if y is None:
        raise ParameterError("y (targets, n or n x c) is required")
    if K is not None:
        K = check_array("K", K, ndim=2)
        n = K.shape[0]
        if K.shape != (n, n):
            raise ParameterError(f"K must be square, got shape {K.shape}")
        scale = float(np.max(np.abs(K)))
        asym = float(np.max(np.abs(K - K.T)))
        if asym > 1e-8 * max(scale, 1e-300):
            raise ParameterError(f"K must be symmetric (max |K - K^T| = {asym:.3g})")
        Y = _check_targets(y, n)
        w, U = _core.linalg.symmetric_eigh(np.asfortranarray(K))
        w = np.asarray(w)[::-1] / n
        U = np.asarray(U)[:, ::-1]
    else:
        Phi = check_array("features", features, ndim=2)
        n = Phi.shape[0]
        Y = _check_targets(y, n)
        U, s, _ = np.linalg.svd(Phi / math.sqrt(n), full_matrices=False)
        w = s**2
    proj = U.T @ Y
    with np.errstate(over="ignore", invalid="ignore"):
        power = np.sum(proj**2, axis=1) / n
        mean_square = float(np.sum(Y**2) / n)
    if not (np.all(np.isfinite(power)) and math.isfinite(mean_square)):
        _refuse_y(Y)  # (a projection at the edge of double range; sum y^2 was checked above)
    return np.ascontiguousarray(w), np.ascontiguousarray(power), mean_square
