"""The power-law spectra of both families as a value: :class:`PowerLaw` (exponents, size,
target scale), the parsing of a size that may be infinite, and partial power sums."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .errors import ParameterError

__all__ = ["PowerLaw"]

#: the largest finite number of features a problem may have (its arrays take 16 bytes a mode)
_MAX_FEATURES = 10**9


def _is_inf(value: Any, name: str) -> bool:
    if isinstance(value, str):
        if value.strip().lower() in ("inf", "infinity"):
            return True
        raise ParameterError(f"{name} must be an integer or 'inf', got {value!r}")
    return bool(isinstance(value, (float, np.floating)) and math.isinf(value) and value > 0)


class PowerLaw(NamedTuple):
    """A problem's spectrum written as Paquette et al.'s power law.

    ``lambda_j = j^(-2 alpha)`` and target power ``lambda_j w*_j^2 = scale * j^(-2 alpha - 2 beta)``
    for j = 1..v. A Bordelon et al. task (a, b, M) is ``alpha = b/2``, ``beta = (a - b)/2``,
    ``v = M`` (``scale`` != 1 only with ``normalize=True``).
    """

    alpha: float
    beta: float
    v: float
    scale: float


def _power_sum(p: float, n: int) -> float:
    """sum_{k=1}^{n} k^-p (Hurwitz zeta difference for large n)."""
    if n <= 10**6:
        return float(np.sum(np.arange(1, n + 1, dtype=np.float64) ** (-p)))
    from scipy.special import zeta

    return (
        float(zeta(p, 1.0) - zeta(p, n + 1.0))
        if p > 1
        else float(np.sum(np.arange(1, 10**6 + 1, dtype=np.float64) ** (-p)))
        + ((n + 0.5) ** (1 - p) - (10**6 + 0.5) ** (1 - p)) / (1 - p)
    )
