"""
BLAS/LAPACK backend of the core
"""

from __future__ import annotations

import numpy
import numpy.typing

def _clear_lapack() -> None:
    """
    Fall back to Eigen's own routines (for tests and benchmarks).
    """

def _set_blas_threads_local(address: int) -> None:
    """
    Address of openblas_set_num_threads_local(int) of the BLAS in use (0 to unset).
    """

def _set_lapack(
    dgemm: object, dsyrk: object, dsyevd: object, dpotrf: object, dtrmm: object
) -> None:
    """
    Install BLAS/LAPACK routines from scipy.linalg.cython_blas / cython_lapack capsules.
    """

def backend() -> str:
    """
    'lapack' (scipy's LAPACK) or 'eigen'.
    """

def symmetric_eigh(
    a: numpy.typing.NDArray[numpy.float64],
) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64]]:
    """
    Eigenvalues (ascending) and eigenvectors of a symmetric matrix (lower triangle read).
    """
