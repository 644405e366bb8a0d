"""The figures' verification helper: simulation against theory, pooled per curve."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_pooled"]


def check_pooled(sim: Any, theory: Any, tol: Any, what: Any = None) -> np.ndarray:
    """Assert ``|mean_t(sim / theory) - 1| < tol`` for each curve (row); returns the pooled
    errors. ``tol`` is a number or one per row; ``what`` labels the assertion message."""
    pooled = np.mean(np.asarray(sim) / np.asarray(theory), axis=1) - 1
    assert np.all(np.abs(pooled) < tol), (what, pooled)
    return pooled
