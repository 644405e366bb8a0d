"""Validation of (N, D, loss) tables: one-line ParameterErrors naming the column and the row."""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from ..errors import ParameterError

__all__ = ["check_column", "check_table", "canonical_order"]


def check_column(name: str, value: Any, *, n: Optional[int] = None) -> np.ndarray:
    """``value`` as a 1-D float64 array of finite, strictly positive numbers (else ParameterError)."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{name} must be an array of real numbers, got {value!r:.60}"
        ) from None
    if arr.ndim != 1:
        arr = arr.ravel() if arr.ndim == 0 or arr.size == max(arr.shape) else arr
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be 1-dimensional, got shape {np.shape(value)}")
    if n is not None and arr.size != n:
        raise ParameterError(f"{name} must have one value per row ({n}), got {arr.size}")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ParameterError(
            f"{name} must be finite, got {arr[bad[0]]} at row {bad[0]} "
            f"({bad.size} non-finite value(s); valid range (0, inf))"
        )
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        raise ParameterError(
            f"{name} must be > 0, got {arr[bad[0]]:g} at row {bad[0]} "
            f"({bad.size} non-positive value(s); valid range (0, inf))"
        )
    return np.ascontiguousarray(arr)


def check_table(
    N: Any, D: Any, loss: Any, *, min_rows: int, names: Tuple[str, str, str] = ("N", "D", "loss")
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate three columns of equal length with at least ``min_rows`` rows."""
    n_arr = check_column(names[0], N)
    d_arr = check_column(names[1], D, n=n_arr.size)
    l_arr = check_column(names[2], loss, n=n_arr.size)
    if n_arr.size < min_rows:
        raise ParameterError(
            f"{names[2]} has {n_arr.size} rows, need at least {min_rows} "
            f"(more rows than free parameters)"
        )
    return n_arr, d_arr, l_arr


def canonical_order(*cols: np.ndarray) -> np.ndarray:
    """A row permutation sorting by the columns (first column first): results then do not depend
    on the order in which the rows were given (bootstrap resamples included)."""
    return np.lexsort(tuple(reversed(cols)))
