"""Load the private C++ core and hand it scipy's BLAS/LAPACK.

The core calls BLAS/LAPACK through function pointers. scipy ships an optimised, runtime-dispatched
OpenBLAS and exposes its Fortran routines as capsules in ``scipy.linalg.cython_blas`` and
``scipy.linalg.cython_lapack``; using them costs no new link dependency. Without scipy the core
falls back to Eigen's own (slower) routines.
"""
from __future__ import annotations

from . import _core

__all__ = ["_core", "linalg_backend"]


def _install_lapack() -> None:
    try:
        from scipy.linalg import cython_blas, cython_lapack
    except ImportError:  # pragma: no cover - scipy is a runtime dependency
        return
    _core.linalg._set_lapack(
        cython_blas.__pyx_capi__["dgemm"],
        cython_blas.__pyx_capi__["dsyrk"],
        cython_lapack.__pyx_capi__["dsyevd"],
        cython_lapack.__pyx_capi__["dpotrf"],
        cython_blas.__pyx_capi__["dtrmm"],
    )


    _install_thread_control(cython_blas.__file__)


def _install_thread_control(scipy_linalg_file: str) -> None:
    """Find openblas_set_num_threads_local in the OpenBLAS that scipy loaded (if any), so that
    parallel runs can pin their BLAS to one thread each."""
    import ctypes
    import glob
    import os

    scipy_dir = os.path.dirname(os.path.dirname(os.path.abspath(scipy_linalg_file)))
    site = os.path.dirname(scipy_dir)
    candidates = glob.glob(os.path.join(site, "scipy.libs", "*openblas*.so*"))
    candidates += glob.glob(os.path.join(site, "scipy_openblas32", "lib", "*openblas*.so*"))
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
            fn = lib.openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        _core.linalg._set_blas_threads_local(ctypes.cast(fn, ctypes.c_void_p).value or 0)
        return


_install_lapack()


def linalg_backend() -> str:
    """Name of the dense linear-algebra backend of the core: ``"lapack"`` or ``"eigen"``."""
    return str(_core.linalg.backend())
