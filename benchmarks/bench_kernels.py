"""Benchmarks of the kernel matrices (issue 6): C++ against numpy implementations of the same
computation in the same run. n = 8000 points, d = 64 features (about 0.5 GB per n x n matrix;
the numpy references need several of them)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import best_time, cpp_time, quick, record
from scalinglaws import spectra
from scalinglaws.testing import rbf_kernel, relu_ntk

N_POINTS, DIM = (800, 16) if quick() else (8000, 64)


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).standard_normal((N_POINTS, DIM))


def test_ntk_depth2_n8000(benchmark, X):
    """NTK of a depth-2 ReLU network on n = 8000, d = 64 (symmetric, 6.4e7 entries)."""
    fast = cpp_time(benchmark, lambda: spectra.kernel_matrix(X, kernel="ntk", depth=2), rounds=2)
    ref = best_time(lambda: relu_ntk(X, 2), 1)
    K = spectra.kernel_matrix(X, kernel="ntk", depth=2)
    R = relu_ntk(X, 2)
    err = float(np.max(np.abs(K - R)) / np.max(np.abs(R)))
    del R
    ratio = record(
        f"NTK depth 2, n={N_POINTS} d={DIM} (vs numpy recursion; rel diff {err:.1e})",
        fast,
        ref,
        target="> 1",
    )
    assert err < 1e-12
    if not quick():
        assert ratio > 1.0


def test_rbf_n8000(benchmark, X):
    """RBF kernel on n = 8000, d = 64: both sides use one BLAS product for the inner products;
    the C++ side also recomputes close pairs directly and exploits symmetry."""
    h = float(np.sqrt(2 * DIM))
    fast = cpp_time(
        benchmark, lambda: spectra.kernel_matrix(X, kernel="rbf", bandwidth=h), rounds=2
    )
    ref = best_time(lambda: rbf_kernel(X, h), 1)
    K = spectra.kernel_matrix(X, kernel="rbf", bandwidth=h)
    R = rbf_kernel(X, h)
    err = float(np.max(np.abs(K - R)))
    del R
    record(f"RBF, n={N_POINTS} d={DIM} (vs numpy gemm + exp; max diff {err:.1e})", fast, ref)
    assert err < 1e-10
