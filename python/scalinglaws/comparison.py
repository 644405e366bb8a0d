"""Agreement of two loss curves: :class:`Comparison` and the matching of their times.

:meth:`scalinglaws.LossCurve.compare` returns a :class:`Comparison` (relative error of the test
losses and, where a curve carries standard errors, the z-score) on the times the two curves
share. Both are re-exported by :mod:`scalinglaws.results` and :mod:`scalinglaws`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np

from .errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from .results import LossCurve

__all__ = ["Comparison"]


@dataclass(frozen=True)
class Comparison:
    """Agreement of two loss curves on their common times (see :meth:`LossCurve.compare`).

    Attributes
    ----------
    times : ndarray
        The common times (in the curves' time unit).
    rel_error : ndarray
        ``(a - b) / b`` of the test losses.
    z : ndarray or None
        ``(a - b) / sqrt(sem_a^2 + sem_b^2)`` where at least one curve has standard errors.

    Examples
    --------
    >>> from scalinglaws import LossCurve
    >>> a = LossCurve(times=[1.0, 2.0], test_loss=[1.0, 0.5])
    >>> b = LossCurve(times=[1.0, 2.0, 3.0], test_loss=[1.0, 0.4, 0.2])
    >>> c = a.compare(b)
    >>> c.times.tolist(), round(c.max_rel_error, 3), c.within(0.1).tolist()
    ([1.0, 2.0], 0.25, [True, False])
    """

    times: np.ndarray
    rel_error: np.ndarray
    z: Optional[np.ndarray]

    @property
    def max_rel_error(self) -> float:
        """Largest ``|a - b| / b`` over the common times."""
        return float(np.max(np.abs(self.rel_error)))

    @property
    def max_abs_z(self) -> Optional[float]:
        """Largest ``|z|`` (None without standard errors)."""
        return None if self.z is None else float(np.max(np.abs(self.z)))

    def within(self, rel: float, z: Optional[float] = None) -> np.ndarray:
        """Boolean per time: ``|rel_error| <= rel`` or (with ``z``) ``|z| <= z``.

        Parameters
        ----------
        rel : float
            Accepted relative error.
        z : float, optional
            Accepted z-score (ignored when there are no standard errors).

        Returns
        -------
        ndarray of bool
            One flag per common time.
        """
        ok = np.abs(self.rel_error) <= rel
        if z is not None and self.z is not None:
            ok |= np.abs(self.z) <= z
        return ok

    def __repr__(self) -> str:
        zs = "" if self.z is None else f", max|z|={self.max_abs_z:.3g}"
        return f"Comparison({self.times.size} common times, max|rel|={self.max_rel_error:.3g}{zs})"


def compare_test_losses(curve: "LossCurve", other: "LossCurve", *, rtol: float) -> Comparison:
    """The :class:`Comparison` of ``curve`` against the reference ``other`` (see
    :meth:`scalinglaws.LossCurve.compare`, which checks the types); ParameterError for
    different time units or no common times."""
    if other.time_unit != curve.time_unit:
        raise ParameterError(f"time units differ: {curve.time_unit!r} vs {other.time_unit!r}")
    ia, ib = [], []
    for i, t in enumerate(curve.times):
        j = np.flatnonzero(np.isclose(other.times, t, rtol=rtol, atol=0.0))
        if j.size:
            ia.append(i)
            ib.append(int(j[0]))
    if not ia:
        raise ParameterError("the two curves have no common times")
    a, b = curve.test_loss[ia], other.test_loss[ib]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(b != 0, (a - b) / np.where(b != 0, b, 1.0), np.where(a == b, 0.0, np.inf))
    var = np.zeros(len(ia))
    have = False
    for c, idx in ((curve, ia), (other, ib)):
        if c.test_loss_sem is not None:
            var = var + np.nan_to_num(c.test_loss_sem[idx]) ** 2
            have = True
    z = None
    if have:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(
                var > 0,
                (a - b) / np.sqrt(np.where(var > 0, var, 1.0)),
                np.where(a == b, 0.0, np.inf),
            )
    return Comparison(curve.times[ia].copy(), rel, z)
