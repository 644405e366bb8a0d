"""Kernel matrices of data sets (C++, O(n^2 d), GIL released): ReLU NTK/NNGP of any depth,
RBF and Laplace."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .._backend import _core
from .._validate import check_array, check_int, check_memory, check_real
from ..errors import ParameterError

__all__ = ["KERNELS", "kernel_matrix", "median_bandwidth"]


KERNELS = ("ntk", "nngp", "rbf", "laplace")


# ----------------------------------------------------------------------------------- kernels
def _check_points(name: str, X: Any) -> np.ndarray:
    X = check_array(name, X, ndim=2)
    return X


def median_bandwidth(X: Any, max_points: int = 1000) -> float:
    """Median heuristic: the median distance between distinct points of X.

    Uses the first ``max_points`` rows of X (deterministic). It is the default RBF / Laplace
    bandwidth of :func:`kernel_matrix`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Points as rows.
    max_points : int, optional
        Rows used (>= 2).

    Returns
    -------
    float
        The median Euclidean distance between distinct points, > 0.

    Raises
    ------
    ParameterError
        Not a finite 2-D array, all points coinciding, or overflowing distances.

    Examples
    --------
    >>> median_bandwidth(np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
    4.242640687119285
    """
    X = _check_points("X", X)[: check_int("max_points", max_points, minimum=2)]
    with np.errstate(over="ignore", invalid="ignore"):
        sq = np.sum(X**2, axis=1)
        d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (X @ X.T), 0.0)
    if not np.all(np.isfinite(d2)):
        raise ParameterError("X: squared distances overflow (|X| too large); rescale the points")
    iu = np.triu_indices(X.shape[0], 1)
    d = np.sqrt(d2[iu])
    d = d[d > 0]
    if d.size == 0:
        raise ParameterError("X: all points coincide, cannot choose a bandwidth")
    return float(np.median(d))


def kernel_matrix(
    X: Any,
    Z: Any = None,
    *,
    kernel: str = "ntk",
    depth: int = 1,
    bandwidth: Optional[float] = None,
    bias_variance: float = 0.0,
    weight_variance: float = 2.0,
    threads: Optional[int] = None,
    max_memory: Optional[float] = None,
) -> np.ndarray:
    """Kernel matrix ``K[i, j] = k(x_i, z_j)`` in double precision (C++, parallel, GIL released).

    Parameters
    ----------
    X : array (n, d)
        Points as rows.
    Z : array (m, d), optional
        Second set (default: X, giving the symmetric n x n Gram matrix, exactly symmetric).
    kernel : {"ntk", "nngp", "rbf", "laplace"}
        * ``"rbf"``: ``exp(-|x - z|^2 / (2 h^2))``; ``"laplace"``: ``exp(-|x - z| / h)``, with
          ``h = bandwidth`` (default: :func:`median_bandwidth` of X).
        * ``"nngp"`` / ``"ntk"``: infinite-width NNGP / neural tangent kernel of a fully-connected
          ReLU network with ``depth`` hidden layers, NTK parameterisation, weight variance
          ``weight_variance`` (default 2) and bias variance ``bias_variance`` (default 0) in every
          layer including the readout. Closed form by the arc-cosine recursion (Cho & Saul 2009;
          Jacot et al. 2018): ``Sigma_1 = sw2 x.z/d + sb2``, ``Theta_1 = Sigma_1``,
          ``Sigma_{l+1} = sw2 sqrt(Sxx Szz)(sin t + (pi - t) cos t)/(2 pi) + sb2``,
          ``Sigma'_{l+1} = sw2 (pi - t)/(2 pi)``, ``Theta_{l+1} = Theta_l Sigma'_{l+1} + Sigma_{l+1}``
          with ``cos t = Sigma_l(x,z)/sqrt(Sigma_l(x,x) Sigma_l(z,z))``; NNGP = Sigma_{depth+1},
          NTK = Theta_{depth+1}. Inputs enter as ``x.z / d``: standardise the features.
    depth : int, optional
        Hidden layers of the ReLU network (1..1000; NTK / NNGP only).
    bandwidth : float, optional
        ``h`` of the RBF / Laplace kernels (> 0; default the median heuristic).
    bias_variance, weight_variance : float, optional
        ``sb2 >= 0`` and ``sw2 > 0`` of the NTK / NNGP.
    threads : int, optional
        Threads for the elementwise part (default: all cores); the result does not depend on it.
    max_memory : float, optional
        Memory limit in bytes (default: the available memory).

    Returns
    -------
    ndarray, shape (n, m)
        The kernel matrix (float64).

    Raises
    ------
    ParameterError
        An unknown kernel, mismatched columns, invalid options, or a non-finite result.
    ResourceError
        The n x m result would not fit in memory.

    Notes
    -----
    Cost: O(n m d) for the inner products (BLAS) plus O(n m depth) elementwise. Memory: the
    n x m result (8 n m bytes). Guide: :ref:`tutorial-kernel-spectrum`.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> kernel_matrix(X, kernel="rbf", bandwidth=1.0).round(4)
    array([[1.    , 0.3679],
           [0.3679, 1.    ]])
    >>> K = kernel_matrix(X, kernel="ntk", depth=2)
    >>> K.shape, bool(np.allclose(K, K.T))
    ((2, 2), True)
    """
    if kernel not in KERNELS:
        raise ParameterError(f"kernel must be one of {', '.join(KERNELS)}, got {kernel!r}")
    X = _check_points("X", X)
    if Z is not None:
        Z = _check_points("Z", Z)
        if Z.shape[1] != X.shape[1]:
            raise ParameterError(
                f"Z must have the same number of columns as X ({X.shape[1]}), got {Z.shape[1]}"
            )
    m = X.shape[0] if Z is None else Z.shape[0]
    check_memory(8.0 * X.shape[0] * m * 1.05 + 16.0 * X.size, "the kernel matrix", limit=max_memory)
    depth = check_int("depth", depth, minimum=1, maximum=1000)
    weight_variance = check_real("weight_variance", weight_variance, minimum=0.0, min_open=True)
    bias_variance = check_real("bias_variance", bias_variance, minimum=0.0)
    if kernel in ("rbf", "laplace"):
        if bandwidth is None:
            bandwidth = median_bandwidth(X)
        bandwidth = check_real("bandwidth", bandwidth, minimum=0.0, min_open=True)
    else:
        bandwidth = 1.0 if bandwidth is None else check_real("bandwidth", bandwidth)
    nthreads = 0 if threads is None else check_int("threads", threads, minimum=1, maximum=1024)
    params = _core.kernels.Params(
        kind=kernel,
        bandwidth=bandwidth,
        depth=depth,
        weight_variance=weight_variance,
        bias_variance=bias_variance,
        threads=nthreads,
    )
    # the core refuses a non-finite result (overflow of huge features), checked column by column
    return np.asarray(_core.kernels.matrix(X, Z, params))
