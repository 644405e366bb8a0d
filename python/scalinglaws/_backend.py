"""Load the private C++ core and hand it scipy's BLAS/LAPACK.

The core calls BLAS/LAPACK through function pointers. scipy ships an optimised, runtime-dispatched
OpenBLAS and exposes its Fortran routines as capsules in ``scipy.linalg.cython_blas`` and
``scipy.linalg.cython_lapack``; using them costs no new link dependency. Without scipy the core
falls back to Eigen's own (slower) routines.
"""

from __future__ import annotations

import functools
import re
import types
from typing import Any, Optional

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
    """Name of the dense linear-algebra backend of the C++ core.

    ``"lapack"`` when the core calls the optimised BLAS/LAPACK that scipy ships (the normal case),
    ``"eigen"`` when it falls back to Eigen's own routines. Results agree to round-off; only the
    speed differs (see the benchmarks page).

    Returns
    -------
    str
        ``"lapack"`` or ``"eigen"``.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> sl.linalg_backend() in ("lapack", "eigen")
    True
    """
    return str(_core.linalg.backend())


class _GuardedCore:
    """The C++ core with its exceptions mapped to the library's errors, on one line.

    ``ValueError`` (a C++ precondition) and ``TypeError`` (pybind11's multi-line "incompatible
    function arguments") become :class:`~scalinglaws.ParameterError`; ``RuntimeError`` (a solver
    that did not converge) becomes :class:`~scalinglaws.ConvergenceError`; ``MemoryError``
    (``std::bad_alloc``) becomes :class:`~scalinglaws.ResourceError`. The public functions
    validate their arguments first; this is the last line of defence.
    """

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._module, name)
        if isinstance(attr, types.ModuleType):  # the submodules _core.dmft, _core.plrf, ...
            return _GuardedCore(attr)
        if not callable(attr) or name.startswith("_") or isinstance(attr, type):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            from .errors import ConvergenceError, ParameterError, ResourceError

            try:
                return attr(*args, **kwargs)
            except (ParameterError, ConvergenceError, ResourceError):
                raise
            except TypeError as exc:
                first = str(exc).splitlines()[0] if str(exc) else ""
                raise ParameterError(
                    f"invalid argument types for the C++ core ({name}): {first}"
                ) from None
            except ValueError as exc:
                raise ParameterError(" ".join(str(exc).split()) or name) from None
            except MemoryError as exc:
                raise ResourceError(
                    f"{name}: out of memory ({' '.join(str(exc).split())}); reduce the problem size"
                ) from None
            except RuntimeError as exc:
                if isinstance(exc, (NotImplementedError, RecursionError)):
                    raise
                text = " ".join(str(exc).split())
                raise ConvergenceError(text or f"{name} failed", residual=_residual(text)) from None

        return call


def _residual(text: str) -> Optional[float]:
    """The residual a solver message reports (``residual ... = 1.2e-3``), or None."""
    m = re.search(r"residual[^=]*=\s*([-+0-9.eE]+)", text)
    try:
        return float(m.group(1)) if m else None
    except ValueError:
        return None


_core = _GuardedCore(_core)  # type: ignore[assignment]
