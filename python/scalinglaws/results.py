"""The one result type of every loss-curve computation: :class:`LossCurve`.

Simulators (:func:`scalinglaws.simulate_gd`, :func:`scalinglaws.simulate_sgd`) and theories
(:func:`scalinglaws.dmft.loss_curve`, :func:`scalinglaws.plrf.loss_curve`) all return a
:class:`LossCurve`, so a theory and a simulation of the same problem compare with one call:
``theory.compare(simulation)`` (the result, :class:`~scalinglaws.comparison.Comparison`, lives in
:mod:`scalinglaws.comparison` and is re-exported here).

Conventions (see the theory page on conventions): losses carry **no 1/2**; the test loss is the
population loss computed from the covariance and **excludes the label-noise floor sigma^2**; the
train loss (full-batch GD only) includes the label noise. The time axis has a unit,
:attr:`LossCurve.time_unit`:

* ``"lr*steps"`` -- discrete gradient descent reported at ``t = lr x steps`` (Bordelon et al.),
* ``"time"`` -- gradient-flow time t,
* ``"steps"`` -- the step count r (one-pass SGD).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ._optional import require
from ._validate import check_int
from .comparison import Comparison, compare_test_losses
from .errors import ParameterError, ScalingLawsDeprecationWarning

__all__ = ["LossCurve", "Comparison", "TIME_UNITS", "log_spaced_steps"]

#: the allowed values of :attr:`LossCurve.time_unit`
TIME_UNITS = ("lr*steps", "time", "steps")


def _array(x: Any) -> Optional[np.ndarray]:
    if x is None:
        return None
    arr = np.asarray(x, dtype=np.float64)
    arr.setflags(write=False)
    return arr


def _json_list(x: Optional[np.ndarray]) -> Optional[List[Optional[float]]]:
    """Floats for JSON: NaN/inf become None (JSON has no NaN)."""
    if x is None:
        return None
    return [float(v) if math.isfinite(v) else None for v in np.asarray(x, dtype=np.float64)]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v if math.isfinite(v) else None
    if value is None or isinstance(value, str):
        return value
    return str(value)


@dataclass(frozen=True, eq=False)
class LossCurve:
    """Test (and train) loss against time, from a theory or a simulation.

    Attributes
    ----------
    times : ndarray (T,)
        The time axis, in :attr:`time_unit`.
    test_loss : ndarray (T,)
        Population loss without 1/2 and without the sigma^2 floor. For simulations: the mean
        over runs.
    train_loss : ndarray (T,) or None
        Training loss (full-batch GD and flow, B = 1); None where it is not defined (one-pass SGD,
        bagging).
    test_loss_sem, train_loss_sem : ndarray (T,) or None
        Standard errors of the means over runs (simulations with >= 2 runs), else None.
    steps : ndarray (T,) of int or None
        Whole steps (discrete GD and SGD); None for gradient flow.
    time_unit : str
        ``"lr*steps"``, ``"time"`` or ``"steps"`` (module docstring).
    model : str
        ``"simulation"``, ``"dmft"`` or ``"plrf"``.
    method : str
        How it was computed (e.g. ``"contour"``, ``"recipe"``, ``"volterra"``,
        ``"gradient descent"``, ``"one-pass SGD"``).
    params : dict
        The problem's and the call's parameters.
    seeds : ndarray or None
        Data seeds of the runs (simulations).
    test_loss_runs, train_loss_runs : ndarray (runs, T) or None
        Per-run curves (simulations).

    Raises
    ------
    ParameterError
        An unknown ``time_unit`` or arrays whose shape differs from that of ``times``.

    Examples
    --------
    >>> from scalinglaws import Problem, dmft, simulate_gd
    >>> p = Problem.bordelon(a=1.5, b=1.25, M=1000, N=100)
    >>> theory = dmft.loss_curve(p, 200, [10, 100], lr=0.5)
    >>> sim = simulate_gd(p, P=200, lr=0.5, times=[10, 100], seeds=8)
    >>> cmp = theory.compare(sim)          # relative error and z-score per common time
    >>> cmp.times, bool(cmp.max_rel_error < 0.1)
    (array([ 10., 100.]), True)
    >>> sorted(theory.to_dict())[:4]
    ['method', 'model', 'params', 'seeds']
    """

    times: np.ndarray
    test_loss: np.ndarray
    train_loss: Optional[np.ndarray] = None
    test_loss_sem: Optional[np.ndarray] = None
    train_loss_sem: Optional[np.ndarray] = None
    steps: Optional[np.ndarray] = None
    time_unit: str = "time"
    model: str = ""
    method: str = ""
    params: Dict[str, Any] = field(default_factory=dict)
    seeds: Optional[np.ndarray] = None
    test_loss_runs: Optional[np.ndarray] = None
    train_loss_runs: Optional[np.ndarray] = None

    def __post_init__(self) -> None:
        for name in (
            "times",
            "test_loss",
            "train_loss",
            "test_loss_sem",
            "train_loss_sem",
            "test_loss_runs",
            "train_loss_runs",
        ):
            object.__setattr__(self, name, _array(getattr(self, name)))
        if self.steps is not None:
            steps = np.asarray(self.steps, dtype=np.int64)
            steps.setflags(write=False)
            object.__setattr__(self, "steps", steps)
        if self.time_unit not in TIME_UNITS:
            raise ParameterError(f"time_unit must be one of {TIME_UNITS}, got {self.time_unit!r}")
        T = self.times.shape
        for name in ("test_loss", "train_loss", "test_loss_sem", "train_loss_sem", "steps"):
            arr = getattr(self, name)
            if arr is not None and arr.shape != T:
                raise ParameterError(f"{name} must have the shape of times {T}, got {arr.shape}")

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_runs(
        cls, times: Any, test_runs: Any, train_runs: Any = None, **kwargs: Any
    ) -> "LossCurve":
        """A simulation's curve from per-run arrays of shape (runs, T): means and standard errors.

        Parameters
        ----------
        times : array_like, shape (T,)
            The time axis.
        test_runs, train_runs : array_like, shape (runs, T)
            Per-run test (and optionally train) losses.
        **kwargs
            Other fields of :class:`LossCurve` (``time_unit``, ``model``, ``params``, ...).

        Returns
        -------
        LossCurve
            Means, standard errors of the means (None for one run) and the runs.
        """
        test = np.asarray(test_runs, dtype=np.float64)
        train = None if train_runs is None else np.asarray(train_runs, dtype=np.float64)
        return cls(
            times=times,
            test_loss=test.mean(axis=0),
            test_loss_sem=_sem(test),
            train_loss=None if train is None else train.mean(axis=0),
            train_loss_sem=None if train is None else _sem(train),
            test_loss_runs=test,
            train_loss_runs=train,
            **kwargs,
        )

    # ------------------------------------------------------------------ derived
    @property
    def n_runs(self) -> int:
        """Number of simulation runs behind the means (0 for a theory)."""
        return 0 if self.test_loss_runs is None else int(self.test_loss_runs.shape[0])

    @property
    def test_loss_std(self) -> Optional[np.ndarray]:
        """Standard deviation over runs (simulations with >= 2 runs)."""
        if self.test_loss_runs is None or self.n_runs < 2:
            return None
        return np.asarray(self.test_loss_runs.std(axis=0, ddof=1))

    @property
    def metadata(self) -> Dict[str, Any]:
        """Model, method, time unit, parameters and seeds, as one dict."""
        return {
            "model": self.model,
            "method": self.method,
            "time_unit": self.time_unit,
            "params": dict(self.params),
            "seeds": None if self.seeds is None else [int(s) for s in self.seeds],
        }

    @property
    def flops(self) -> np.ndarray:
        """Compute ``f = B d r`` of one-pass SGD (batch x model size x steps; Paquette et al.)."""
        if self.time_unit != "steps":
            raise ParameterError(
                f"flops are defined for step-count curves (one-pass SGD), this "
                f"curve's time unit is {self.time_unit!r}"
            )
        return self.times * float(self.params.get("batch", 1)) * float(self.params.get("N", 1))

    # ------------------------------------------------------------------ conversion
    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready dict (NaN as null, inf as the string "inf" in params).

        Returns
        -------
        dict
            The arrays as lists plus :attr:`metadata` (and ``n_runs`` for simulations).
        """
        out: Dict[str, Any] = {
            "times": _json_list(self.times),
            "time_unit": self.time_unit,
            "test_loss": _json_list(self.test_loss),
            "train_loss": _json_list(self.train_loss),
        }
        nulls = [None] * self.times.size
        if self.test_loss_sem is not None or self.model == "simulation":
            out["test_loss_sem"] = _json_list(self.test_loss_sem) or nulls
        if self.train_loss_sem is not None or (
            self.model == "simulation" and self.train_loss is not None
        ):
            out["train_loss_sem"] = _json_list(self.train_loss_sem) or nulls
        if self.steps is not None:
            out["steps"] = [int(s) for s in self.steps]
        out.update(_jsonable(self.metadata))
        if self.n_runs:
            out["n_runs"] = self.n_runs
        return out

    def to_xarray(self) -> Any:
        """``xarray.Dataset`` over the ``time`` dimension (metadata in ``attrs``).

        Returns
        -------
        xarray.Dataset
            Variables ``test_loss`` and, when present, ``train_loss``, the standard errors and
            ``test_loss_runs`` (dims ``run, time``); coordinate ``steps`` when defined.

        Raises
        ------
        ImportError
            xarray is not installed (extra ``sweep``).
        """
        xr = require("xarray", "LossCurve.to_xarray")
        data: Dict[str, Tuple[Any, np.ndarray]] = {
            "test_loss": ("time", np.asarray(self.test_loss))
        }
        for name in ("train_loss", "test_loss_sem", "train_loss_sem"):
            arr = getattr(self, name)
            if arr is not None:
                data[name] = ("time", np.asarray(arr))
        if self.test_loss_runs is not None:
            data["test_loss_runs"] = (("run", "time"), np.asarray(self.test_loss_runs))
        coords: Dict[str, Any] = {"time": np.asarray(self.times)}
        if self.steps is not None:
            coords["steps"] = ("time", np.asarray(self.steps))
        attrs = {
            k: str(v) if not isinstance(v, (int, float, str)) else v
            for k, v in _jsonable(
                {
                    **self.params,
                    "model": self.model,
                    "method": self.method,
                    "time_unit": self.time_unit,
                }
            ).items()
        }
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def plot(
        self, ax: Any = None, *, label: Optional[str] = None, train: bool = False, **kwargs: Any
    ) -> Any:
        """Plot the test loss (and ``train=True`` the train loss) on log-log axes.

        Theories are drawn as lines, simulations as markers with standard-error bars.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (default: a new figure).
        label : str, optional
            Legend label.
        train : bool, optional
            Also draw the train loss (dotted).
        **kwargs
            Passed to ``ax.plot`` / ``ax.errorbar``.

        Returns
        -------
        matplotlib.axes.Axes
            The axes.
        """
        from .plotting import pyplot

        if ax is None:
            ax = pyplot().figure().add_subplot()
        pos = self.times > 0
        if self.test_loss_sem is not None:
            ax.errorbar(
                self.times[pos],
                self.test_loss[pos],
                yerr=self.test_loss_sem[pos],
                fmt=kwargs.pop("fmt", "o"),
                ms=kwargs.pop("ms", 3),
                label=label,
                **kwargs,
            )
        else:
            ax.plot(self.times[pos], self.test_loss[pos], label=label, **kwargs)
        if train and self.train_loss is not None:
            ax.plot(
                self.times[pos],
                self.train_loss[pos],
                ls=":",
                label=None if label is None else f"{label} (train)",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(
            {"lr*steps": "t = lr x steps", "time": "t", "steps": "steps r"}[self.time_unit]
        )
        ax.set_ylabel("loss")
        return ax

    # ------------------------------------------------------------------ comparison
    def compare(self, other: "LossCurve", *, rtol: float = 1e-9) -> Comparison:
        """Compare this curve's test loss with ``other`` on their common times.

        Returns a :class:`Comparison` with the relative error ``(self - other)/other`` and, where
        either curve has standard errors, the z-score ``(self - other)/sqrt(sem^2 + sem'^2)``.
        Times match when equal to relative tolerance ``rtol``; the time units must agree.

        Parameters
        ----------
        other : LossCurve
            The reference (the denominator of the relative error).
        rtol : float, optional
            Relative tolerance of the time matching.

        Returns
        -------
        Comparison
            On the common times.

        Raises
        ------
        ParameterError
            ``other`` not a LossCurve, different time units or no common times.
        """
        if not isinstance(other, LossCurve):
            raise ParameterError(f"other must be a LossCurve, got {type(other).__name__}")
        return compare_test_losses(self, other, rtol=rtol)

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        runs = f", runs={self.n_runs}" if self.n_runs else ""
        rows = [
            f"LossCurve({self.model}: {self.method}{runs}, T={self.times.size}, "
            f"time unit {self.time_unit!r})"
        ]
        T = self.times.size
        for i in np.unique(np.linspace(0, T - 1, min(6, T)).astype(int)):
            line = f"  t={self.times[i]:<12.6g} test={self.test_loss[i]:.6g}"
            if self.test_loss_sem is not None:
                line += f" +- {self.test_loss_sem[i]:.2g}"
            if self.train_loss is not None:
                line += f"  train={self.train_loss[i]:.6g}"
            rows.append(line)
        return "\n".join(rows)

    # ------------------------------------------------------------------ deprecated names
    def _deprecated(self, old: str, new: str) -> None:
        warnings.warn(
            f"LossCurve.{old} is deprecated; use LossCurve.{new}",
            ScalingLawsDeprecationWarning,
            stacklevel=3,
        )

    @property
    def test_loss_mean(self) -> np.ndarray:
        """Deprecated: the old ``SimulationResult.test_loss_mean``; use :attr:`test_loss`."""
        self._deprecated("test_loss_mean", "test_loss")
        return self.test_loss

    @property
    def train_loss_mean(self) -> Optional[np.ndarray]:
        """Deprecated: the old ``SimulationResult.train_loss_mean``; use :attr:`train_loss`."""
        self._deprecated("train_loss_mean", "train_loss")
        return self.train_loss

    @property
    def loss(self) -> np.ndarray:
        """Deprecated: the old ``plrf.LossCurve.loss``; use :attr:`test_loss`."""
        self._deprecated("loss", "test_loss")
        return self.test_loss


def log_spaced_steps(steps: int, n: int = 100, include_zero: bool = True) -> np.ndarray:
    """About ``n`` distinct integer steps log-spaced in [1, steps] (plus 0).

    Parameters
    ----------
    steps : int
        Last step (>= 1).
    n : int, optional
        Number of log-spaced points before rounding (duplicates are removed).
    include_zero : bool, optional
        Prepend step 0.

    Returns
    -------
    ndarray of int64
        Increasing steps.

    Raises
    ------
    ParameterError
        steps or n out of range.

    Examples
    --------
    >>> log_spaced_steps(1000, n=5)
    array([   0,    1,    6,   32,  178, 1000])
    """
    steps = check_int("steps", steps, minimum=1, maximum=10**15)
    n = check_int("n", n, minimum=1, maximum=10**6)
    grid = np.unique(np.round(np.logspace(0.0, math.log10(steps), n)).astype(np.int64))
    if include_zero:
        grid = np.concatenate([[0], grid])
    return grid


def _sem(x: np.ndarray) -> Optional[np.ndarray]:
    if x.shape[0] < 2:
        return None
    return np.asarray(x.std(axis=0, ddof=1) / math.sqrt(x.shape[0]))
