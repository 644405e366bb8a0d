"""How a :class:`~scalinglaws.Problem` keeps its spectrum: the arrays ``lam`` and ``wstar``
given to :meth:`~scalinglaws.Problem.from_spectrum` (checked and made read-only), or, for the
power laws of ``Problem.bordelon``/``Problem.paquette``, built on first use (they may be large,
or infinite). ``lam`` and ``wstar`` are dataclass fields whose storage is ``_lam``/``_wstar``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

import numpy as np

from ._power_law import power_law_arrays
from ._validate import check_array, check_memory
from .errors import ParameterError

if TYPE_CHECKING:
    from .problem import Problem

#: placeholder for the arrays of a power-law problem, built on first use (:func:`arrays`)
LAZY: Any = None


def store_arrays(self: Problem) -> None:
    """Check the arrays given to the constructor (none for a power law) and store them."""
    given_lam = self.__dict__.get("_lam")
    given_wstar = self.__dict__.get("_wstar")
    if self.infinite and self.family == "custom":
        raise ParameterError(
            "an infinite problem needs a power law (Problem.bordelon with "
            "M=inf or Problem.paquette with v=inf)"
        )
    if given_lam is None or given_wstar is None:
        # a power law: its arrays are built on first use (they may be large or infinite)
        if self.family == "custom":
            raise ParameterError("lam and wstar are required")
        lam = wstar = None
    else:
        lam = check_array("lam", given_lam, positive=True)
        wstar = check_array("wstar", given_wstar)
        if lam.shape != wstar.shape:
            raise ParameterError(
                f"lam and wstar must have the same length, got {lam.size} and {wstar.size}"
            )
        # read-only copies: the caller's own arrays stay writeable (no copy for arrays that are
        # already read-only, e.g. those of another problem, or that check_array made afresh)
        lam = _own(lam, given_lam)
        wstar = _own(wstar, given_wstar)
        lam.setflags(write=False)
        wstar.setflags(write=False)
    self.__dict__["_lam"] = lam
    self.__dict__["_wstar"] = wstar


def _own(arr: np.ndarray, given: Any) -> np.ndarray:
    """``arr`` (checked from ``given``), copied only when it is writeable and shares memory
    with the caller's ``given``."""
    if arr.flags.writeable and isinstance(given, np.ndarray) and np.may_share_memory(arr, given):
        return arr.copy()
    return arr


def arrays(self: Problem) -> Tuple[np.ndarray, np.ndarray]:
    """Build (and keep) the arrays of a power-law problem, refusing what would not fit."""
    lam, wstar = self.__dict__.get("_lam"), self.__dict__.get("_wstar")
    if lam is not None and wstar is not None:
        return lam, wstar
    self.require_finite("the arrays lam and wstar")
    M = int(self.M)
    check_memory(32.0 * M, f"the spectrum arrays of {self!r} (M = {M})")
    lam, wstar = power_law_arrays(self.family, self.params, M)
    self.__dict__["_lam"] = lam
    self.__dict__["_wstar"] = wstar
    return lam, wstar


def array_property(index: int, doc: str) -> Any:
    """The property ``lam`` (index 0) or ``wstar`` (1) over the storage ``_lam``/``_wstar``."""
    key = ("_lam", "_wstar")[index]

    def get(self: Problem) -> np.ndarray:
        return arrays(self)[index]

    def put(self: Problem, value: Any) -> None:
        self.__dict__[key] = value

    return property(get, put, doc=doc)
