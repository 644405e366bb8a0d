"""Benchmarks of the kernel matrices (issue 6): C++ against numpy implementations of the same
computation in the same run. n = 8000 points, d = 64 features (about 0.5 GB per n x n matrix;
the numpy references need several of them)."""
from __future__ import annotations

import numpy as np
import pytest

from scalinglaws import spectra

from conftest import best_time, cpp_time, record

N_POINTS, DIM = 8000, 64


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).standard_normal((N_POINTS, DIM))


def numpy_relu_ntk(X: np.ndarray, depth: int, sw2: float = 2.0, sb2: float = 0.0) -> np.ndarray:
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


def numpy_rbf(X: np.ndarray, h: float) -> np.ndarray:
    sq = np.sum(X**2, axis=1)
    K = X @ X.T
    K *= -2.0
    K += sq[:, None]
    K += sq[None, :]
    np.maximum(K, 0.0, out=K)
    K *= -1.0 / (2 * h * h)
    return np.exp(K, out=K)


def test_ntk_depth2_n8000(benchmark, X):
    """NTK of a depth-2 ReLU network on n = 8000, d = 64 (symmetric, 6.4e7 entries)."""
    fast = cpp_time(benchmark, lambda: spectra.kernel_matrix(X, kernel="ntk", depth=2), rounds=2)
    ref = best_time(lambda: numpy_relu_ntk(X, 2), 1)
    K = spectra.kernel_matrix(X, kernel="ntk", depth=2)
    R = numpy_relu_ntk(X, 2)
    err = float(np.max(np.abs(K - R)) / np.max(np.abs(R)))
    del R
    ratio = record(f"NTK depth 2, n=8000 d=64 (vs numpy recursion; rel diff {err:.1e})", fast,
                   ref, target="> 1")
    assert err < 1e-12
    assert ratio > 1.0


def test_rbf_n8000(benchmark, X):
    """RBF kernel on n = 8000, d = 64: both sides use one BLAS product for the inner products;
    the C++ side also recomputes close pairs directly and exploits symmetry."""
    h = float(np.sqrt(2 * DIM))
    fast = cpp_time(benchmark, lambda: spectra.kernel_matrix(X, kernel="rbf", bandwidth=h),
                    rounds=2)
    ref = best_time(lambda: numpy_rbf(X, h), 1)
    record("RBF, n=8000 d=64 (vs numpy gemm + exp)", fast, ref)
