"""Learning-rate schedules shared by every simulator and theory.

A :class:`Schedule` is a *shape*: a multiplier ``f(r)`` of the run's peak learning rate ``lr``, so
step ``r = 0, 1, ...`` uses ``lr_r = lr * f(r)``. Conventions (``T`` = the run's total steps):

* warm-up over ``W`` steps ramps linearly, ``f(r) = (r + 1) / W`` for ``r < W`` (reaches 1 at
  ``r = W - 1``);
* ``cosine``: after the warm-up ``f`` goes from 1 to ``final`` over the remaining ``D = T - W``
  steps, ``f = final + (1 - final) (1 + cos(pi x / D)) / 2`` with ``x = r - W`` (``f = final``
  would be reached at ``r = T``, one step after the last);
* ``wsd`` (warm-up, stable, decay): ``f = 1`` until the last ``D = round(decay * T)`` steps, then
  ``final + (1 - final) h(x / D)`` with ``h(u) = 1 - u`` (linear, default), ``(1 + cos(pi u))/2``
  (cosine) or ``1 - sqrt(u)`` (sqrt), ``x`` counted from the start of the decay;
* ``power``: ``f = (1 + x / r0)^(-p)`` with ``x = r - W`` after the warm-up;
* ``piecewise``: constant multipliers ``values`` changing at the steps ``at``;
* ``array``: one multiplier per step (must cover the run).

Compact string form (CLI, sweep files): ``kind[:key=value,...]``, e.g. ``cosine:warmup=1000,
final=0.1``, ``wsd:warmup=1000,decay=0.2,shape=cosine``, ``power:r0=100,p=0.5``,
``piecewise:values=1/0.3/0.1,at=5000/8000``, ``array:values=1/0.5/0.25``. ``str(schedule)``
gives the spec back. A sweep varies one parameter with an axis ``schedule.<key>`` next to a base
``schedule`` (e.g. ``schedule = "wsd:warmup=100"`` and ``schedule.decay = [0.1, 0.2, 0.4]``,
:func:`scalinglaws.sweep.points.fold_schedule`). ``constant`` (or ``None``) means no schedule: the old constant-lr code runs
unchanged. A schedule's total steps are tied to the run (:meth:`Schedule.bind`): a spec that needs
more steps than the run, or a schedule bound to another step count, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from ._schedule_spec import _NEEDS_T, KINDS, _fmt, split_spec, validate_params
from .errors import ParameterError

__all__ = ["Schedule", "parse", "as_schedule", "resolve", "KINDS"]


@dataclass(frozen=True)
class Schedule:
    """A learning-rate shape ``f(r)`` multiplying the run's peak ``lr`` (module docstring).

    Step ``r = 0, 1, ...`` uses ``lr_r = lr * f(r)``; ``lr`` is the peak. Build with :func:`parse`
    (``Schedule.parse("cosine:final=0.1")``) or :meth:`make`, not with the constructor;
    :meth:`bind` ties it to a run of ``steps`` steps. Immutable. Guide:
    :doc:`/tutorials/schedules`.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`: ``constant``, ``cosine``, ``wsd``, ``power``, ``piecewise``,
        ``array``.
    params : tuple of (str, object)
        Validated parameters with defaults filled in (as a dict: :attr:`param`).
    steps : int or None
        Total steps of the run it is bound to (None: unbound).

    Examples
    --------
    >>> s = Schedule.parse("cosine:warmup=2,final=0.1").bind(10)
    >>> str(s), s.steps
    ('cosine:warmup=2,final=0.1', 10)
    >>> s.multiplier([0, 1, 2, 9]).round(3).tolist()
    [0.5, 1.0, 1.0, 0.134]
    """

    kind: str
    params: Tuple[Tuple[str, Any], ...] = ()
    steps: Optional[int] = None

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def make(cls, kind: str, **params: Any) -> "Schedule":
        """Build a schedule from its kind and parameters, validated, defaults filled in.

        Parameters
        ----------
        kind : str
            A key of :data:`KINDS`.
        **params
            The kind's parameters (numbers, or strings as in the spec form; lists as sequences
            or ``"a/b/c"``).

        Returns
        -------
        Schedule
            Unbound (``steps=None``).

        Raises
        ------
        ParameterError
            Unknown kind or key, a missing required key, a value out of range.

        Examples
        --------
        >>> str(Schedule.make("wsd", warmup=100, decay=0.2))
        'wsd:warmup=100,decay=0.2'
        """
        return cls(kind, validate_params(kind, params))

    @classmethod
    def parse(cls, spec: str, **overrides: Any) -> "Schedule":
        """Parse the compact form ``kind[:key=value,...]`` (module docstring).

        Parameters
        ----------
        spec : str
            E.g. ``"cosine:warmup=1000,final=0.1"`` or ``"piecewise:values=1/0.3,at=500"``.
        **overrides
            Parameters set (or replaced) before validation, e.g.
            ``Schedule.parse("wsd:warmup=100", decay=0.2)`` (a sweep axis ``schedule.decay``).

        Returns
        -------
        Schedule
            Unbound; ``str()`` gives the spec back (defaults omitted).

        Raises
        ------
        ParameterError
            A malformed spec, with the offending item and the valid values on one line.
        """
        kind, params = split_spec(spec)
        return cls.make(kind, **{**params, **overrides})

    @classmethod
    def from_array(cls, multipliers: Any) -> "Schedule":
        """A schedule with one multiplier per step (``lr_r = lr * multipliers[r]``).

        Parameters
        ----------
        multipliers : array_like of float
            Values >= 0; the run must have exactly ``len(multipliers)`` steps.

        Returns
        -------
        Schedule
            Of kind ``array``.
        """
        return cls.make("array", values=np.asarray(multipliers, dtype=np.float64).ravel())

    def __str__(self) -> str:
        p = self.param
        keys = [k for k, (_, d) in KINDS[self.kind].items() if d is None or p[k] != d]
        return self.kind + (":" + ",".join(f"{k}={_fmt(p[k])}" for k in keys) if keys else "")

    @property
    def param(self) -> Dict[str, Any]:
        """The parameters as a dict (``{key: value}``, defaults included)."""
        return dict(self.params)

    @property
    def is_constant(self) -> bool:
        """True for a constant multiplier 1 at every step (no schedule)."""
        p = self.param
        if self.kind == "constant":
            return p["warmup"] == 0
        return self.kind in ("piecewise", "array") and all(v == 1.0 for v in p["values"])

    @property
    def peak(self) -> float:
        """Largest multiplier (1 for the shapes; the largest value for piecewise / array)."""
        if self.kind in ("piecewise", "array"):
            return float(max(self.param["values"]))
        return 1.0

    # -- binding to a run ---------------------------------------------------------------------
    def min_steps(self) -> int:
        """Fewest run steps the spec fits in.

        Returns
        -------
        int
            E.g. the warm-up plus one step for ``cosine``; the number of values for ``array``.
        """
        p = self.param
        if self.kind == "array":
            return len(p["values"])
        if self.kind == "piecewise":
            return p["at"][-1] + 1 if p["at"] else 1
        return p["warmup"] + (1 if self.kind in _NEEDS_T else 0)

    def bind(self, steps: Any) -> "Schedule":
        """This schedule tied to a run of ``steps`` steps.

        Parameters
        ----------
        steps : int
            The run's total number of steps, >= 1 and >= :meth:`min_steps`.

        Returns
        -------
        Schedule
            A copy with ``steps`` set.

        Raises
        ------
        ParameterError
            ``steps`` missing, not a whole number, too few for the spec, different from the
            steps the schedule is already bound to, or (``array``) not one per multiplier.
        """
        if steps is None:
            raise ParameterError(f"schedule {self}: the run's number of steps is required")
        try:
            T = int(steps)
        except (TypeError, ValueError):
            raise ParameterError(
                f"schedule {self}: steps = {steps!r} is not a whole number"
            ) from None
        if T != steps or T < 1:
            raise ParameterError(f"schedule {self}: steps = {steps!r} must be a whole number >= 1")
        if self.steps is not None and self.steps != T:
            raise ParameterError(
                f"schedule {self} is bound to {self.steps} steps but the run has {T}"
            )
        need = self.min_steps()
        if self.kind == "wsd":
            d = self._decay_steps(T)
            need = max(need, self.param["warmup"] + d)
        if self.kind == "array" and T != need:
            raise ParameterError(
                f"schedule array has {need} multipliers but the run has {T} "
                "steps (one multiplier per step)"
            )
        if T < need:
            raise ParameterError(f"schedule {self} needs at least {need} steps but the run has {T}")
        return replace(self, steps=T)

    def _decay_steps(self, T: int) -> int:
        return max(1, int(round(self.param["decay"] * T)))

    def _total(self) -> int:
        if self.steps is None:
            if self.kind in _NEEDS_T:
                raise ParameterError(
                    f"schedule {self} depends on the run's steps: bind(steps) first"
                )
            return self.min_steps()
        return self.steps

    # -- pieces and evaluation ----------------------------------------------------------------
    def pieces(self) -> List[Tuple[int, int, float, float, float, float]]:
        """The pieces ``(start, shape, a, b, c, d)`` of the schedule, as the C++ core takes them.

        C++ representation (``scalinglaws::Schedule``): shapes 0 constant ``a``, 1 linear ``a + b x``, 2 cosine
        ``a + b (1 + cos(pi x / c)) / 2``, 3 sqrt ``a + b (1 - sqrt(x / c))``, 4 power
        ``a + b (1 + x / c)^-d``, with ``x`` the step offset inside the piece.

        Returns
        -------
        list of tuple
            ``(start, shape, a, b, c, d)`` with ``start`` the first step of the piece.

        Raises
        ------
        ParameterError
            A ``cosine``/``wsd`` schedule that is not bound (its shape depends on the steps).
        """
        p, T = self.param, self._total()
        out: List[Tuple[int, int, float, float, float, float]] = []
        W = p.get("warmup", 0)
        if W > 0:
            out.append((0, 1, 1.0 / W, 1.0 / W, 0.0, 0.0))
        if self.kind == "constant":
            out.append((W, 0, 1.0, 0.0, 0.0, 0.0))
        elif self.kind == "cosine":
            fin = p["final"]
            out.append((W, 2, fin, 1.0 - fin, float(T - W), 0.0))
        elif self.kind == "wsd":
            D, fin = self._decay_steps(T), p["final"]
            if T - D > W:
                out.append((W, 0, 1.0, 0.0, 0.0, 0.0))
            shape = p["shape"]
            if shape == "linear":
                out.append((T - D, 1, 1.0, -(1.0 - fin) / D, 0.0, 0.0))
            else:
                out.append((T - D, 2 if shape == "cosine" else 3, fin, 1.0 - fin, float(D), 0.0))
        elif self.kind == "power":
            out.append((W, 4, 0.0, 1.0, p["r0"], p["p"]))
        else:
            vals = np.asarray(p["values"], dtype=np.float64)
            starts = (0,) + tuple(p.get("at", ())) if self.kind == "piecewise" else None
            if starts is None:  # array: run-length encoding
                change = np.flatnonzero(np.diff(vals) != 0) + 1
                starts = (0,) + tuple(int(c) for c in change)
                vals = vals[list(starts)]
            out.extend((int(s), 0, float(v), 0.0, 0.0, 0.0) for s, v in zip(starts, vals))
        return out

    def to_core(self) -> Any:
        """The ``_core.schedule.Schedule`` the C++ simulators and theories take.

        Returns
        -------
        scalinglaws._core.schedule.Schedule
            The pieces of :meth:`pieces` as a C++ object.
        """
        from ._backend import _core

        pc = self.pieces()
        cols = list(zip(*pc))
        return _core.schedule.Schedule(
            starts=[int(s) for s in cols[0]],
            shapes=[int(s) for s in cols[1]],
            a=list(cols[2]),
            b=list(cols[3]),
            c=list(cols[4]),
            d=list(cols[5]),
        )

    def multiplier(self, r: Any) -> np.ndarray:
        """The multiplier ``f(r)`` at whole steps ``r >= 0`` (same formulas as the C++ core).

        Parameters
        ----------
        r : int or array_like of int
            Steps (0-based).

        Returns
        -------
        ndarray
            ``f(r)``, the shape of ``r``.

        Raises
        ------
        ParameterError
            Negative or fractional steps.
        """
        r = np.asarray(r)
        if r.size and (np.any(r < 0) or np.any(r != np.round(r))):
            bad = float(r[(r < 0) | (r != np.round(r))].ravel()[0])
            raise ParameterError(f"schedule steps must be whole numbers >= 0, got {bad:g}")
        pc = np.asarray(self.pieces(), dtype=np.float64)
        i = np.clip(np.searchsorted(pc[:, 0], r, side="right") - 1, 0, len(pc) - 1)
        x = r - pc[i, 0]
        shape, a, b, c, d = (pc[i, k] for k in range(1, 6))
        safe_c = np.where(c > 0, c, 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            h = np.select(
                [shape == 0, shape == 1, shape == 2, shape == 3],
                [0.0 * x, x, 0.5 * (1.0 + np.cos(np.pi * x / safe_c)), 1.0 - np.sqrt(x / safe_c)],
                (1.0 + x / safe_c) ** (-d),
            )
        return a + b * h

    def rate(self, r: Any, lr: float = 1.0) -> np.ndarray:
        """Per-step learning rates ``lr * f(r)``.

        Parameters
        ----------
        r : int or array_like of int
            Steps (0-based).
        lr : float, optional
            Peak learning rate.

        Returns
        -------
        ndarray
            ``lr * f(r)``, the shape of ``r``.
        """
        return lr * self.multiplier(r)

    def segments(
        self, steps: Optional[int] = None, max_segments: int = 10**6
    ) -> List[Tuple[int, int, float]]:
        """Piecewise-constant runs ``(start, end, multiplier)`` covering ``[0, steps)``.

        One per constant piece, one per step inside varying pieces (exact).

        Parameters
        ----------
        steps : int, optional
            Length of the run (default: the bound steps).
        max_segments : int, optional
            Refuse schedules needing more runs than this.

        Returns
        -------
        list of (int, int, float)
            ``(start, end, multiplier)`` with ``end`` exclusive.

        Raises
        ------
        ParameterError
            More than ``max_segments`` runs.
        """
        T = self._total() if steps is None else int(steps)
        out: List[Tuple[int, int, float]] = []
        pcs = self.pieces()
        for j, (s, shape, a, *_rest) in enumerate(pcs):
            e = min(pcs[j + 1][0] if j + 1 < len(pcs) else T, T)
            if s >= T:
                break
            if shape == 0:
                out.append((s, e, a))
            else:
                if len(out) + (e - s) > max_segments:
                    raise ParameterError(
                        f"schedule {self}: {e - s} varying steps exceed "
                        f"max_segments = {max_segments}"
                    )
                m = self.multiplier(np.arange(s, e))
                out.extend((r, r + 1, float(v)) for r, v in zip(range(s, e), m))
        return out


def parse(spec: str) -> Schedule:
    """Parse a schedule spec ``kind[:key=value,...]`` (:meth:`Schedule.parse`).

    Parameters
    ----------
    spec : str
        The compact string form, see the module docstring.

    Returns
    -------
    Schedule
        Unbound.

    Raises
    ------
    ParameterError
        A malformed spec or an invalid value.

    Examples
    --------
    >>> s = parse("wsd:warmup=10,decay=0.2,shape=cosine")
    >>> s.kind, s.param["decay"], s.param["final"]
    ('wsd', 0.2, 0.0)
    """
    return Schedule.parse(spec)


def as_schedule(schedule: Union[Schedule, str, None]) -> Optional[Schedule]:
    """A Schedule from a Schedule, a spec string or None.

    Parameters
    ----------
    schedule : Schedule, str or None
        The schedule or its spec.

    Returns
    -------
    Schedule or None
        None for None and for constant schedules (multiplier 1 at every step): the
        constant-learning-rate code paths then run unchanged.

    Raises
    ------
    ParameterError
        Another type, or an invalid spec.

    Examples
    --------
    >>> as_schedule("constant") is None, as_schedule("power:r0=10,p=0.5").kind
    (True, 'power')
    """
    if schedule is None:
        return None
    if isinstance(schedule, str):
        schedule = Schedule.parse(schedule)
    elif not isinstance(schedule, Schedule):
        raise ParameterError(
            f"schedule must be a Schedule, a spec string or None, got {type(schedule).__name__}"
        )
    return None if schedule.is_constant else schedule


def resolve(schedule: Union[Schedule, str, None], steps: Any) -> Optional[Schedule]:
    """The schedule bound to a run of ``steps`` steps, or None for no schedule (constant lr).

    Parameters
    ----------
    schedule : Schedule, str or None
        The schedule or its spec.
    steps : int
        The run's total number of steps.

    Returns
    -------
    Schedule or None
        ``as_schedule(schedule).bind(steps)``, or None.

    Raises
    ------
    ParameterError
        An invalid spec, or a schedule that does not fit ``steps``.

    Examples
    --------
    >>> resolve("cosine", 100).steps
    100
    >>> resolve(None, 100) is None
    True
    """
    s = as_schedule(schedule)
    return None if s is None else s.bind(steps)
