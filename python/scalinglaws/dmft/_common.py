"""Shared argument handling of the DMFT theory (sizes, times, momentum, stability)."""

from __future__ import annotations

import math
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np

from .._validate import MAX_STEPS, check_momentum, gd_steps, steps_of
from ..errors import ConvergenceError, ParameterError
from ..problem import Problem
from ..results import LossCurve

__all__ = [
    "Size",
    "INF",
    "size",
    "inv",
    "check_problem",
    "problem_sizes",
    "finite",
    "theory_curve",
    "times_array",
    "check_momentum",
    "check_stable",
    "steps_of",
    "gd_steps",
    "MAX_STEPS",
    "check_recipe_steps",
    "AUTO_MOMENTUM_RECIPE_STEPS",
]

Size = Union[int, float, str, None]
INF = math.inf


def size(name: str, value: Any, default: Any = None) -> float:
    """A size >= 1 (integer) or inf (``math.inf`` or ``"inf"``); returns a float."""
    from .._validate import check_size

    return check_size(name, value, default)


def inv(v: float) -> float:
    return 0.0 if math.isinf(v) else 1.0 / v


def check_problem(problem: Any, *, finite_only: bool = False) -> Problem:
    """The problem, a :class:`~scalinglaws.Problem`. Infinite power-law problems (M = inf) are
    accepted (their tail is summed analytically, see ``dmft/_spectrum.py``) unless
    ``finite_only``."""
    if not isinstance(problem, Problem):
        raise ParameterError(f"problem must be a scalinglaws.Problem, got {type(problem).__name__}")
    return problem.require_finite("this DMFT function") if finite_only else problem


def problem_sizes(problem: Any, P: Any, N: Any) -> Tuple[Problem, float, float]:
    """The checked problem (:func:`check_problem`) and the sizes ``(N, P)`` as floats
    (:func:`size`; N defaults to ``problem.N``)."""
    problem = check_problem(problem)
    Pv = size("P", P)
    return problem, size("N", N, problem.N), Pv


def finite(name: str, arr: np.ndarray) -> np.ndarray:
    """Reject NaN/inf; losses are >= 0, so round-off negatives (|x| ~ 1e-16) are clipped to 0."""
    arr = np.asarray(arr)
    if not np.all(np.isfinite(arr)):
        raise ConvergenceError(f"{name}: the theory produced non-finite values (solver failure)")
    if "loss" in name:
        arr = np.maximum(arr, 0.0)
    return arr


def theory_curve(
    problem: Problem,
    times: np.ndarray,
    test: np.ndarray,
    train: Optional[np.ndarray],
    method: str,
    params: Dict[str, Any],
    *,
    time_unit: str = "lr*steps",
    steps: Optional[np.ndarray] = None,
    bags: float = 1.0,
) -> LossCurve:
    """The :class:`~scalinglaws.LossCurve` of a DMFT route: losses checked by :func:`finite`,
    the problem's parameters followed by the route's ``params``. No training loss where ``train``
    is None or for bagging (``bags`` > 1: no single training set)."""
    return LossCurve(
        times=times,
        test_loss=finite("test_loss", test),
        train_loss=None if train is None or bags != 1 else finite("train_loss", train),
        steps=steps,
        time_unit=time_unit,
        model="dmft",
        method=method,
        params={**problem.params, **params},
    )


def times_array(times: Any, name: str = "times") -> np.ndarray:
    """Times as a non-empty 1-D float array of finite values >= 0."""
    from .._validate import check_values

    return check_values(name, times, minimum=0.0)


def check_recipe_steps(T: int, max_recipe_steps: Any, what: str, hint: str = "") -> None:
    """Refuse a T x T recipe over more than ``max_recipe_steps`` steps (T - 1 steps asked):
    "``what`` limited to max_recipe_steps=... steps (asked ...)``hint``"."""
    from .._validate import check_int

    limit = check_int("max_recipe_steps", max_recipe_steps, minimum=1)
    if T - 1 > limit:
        raise ParameterError(
            f"{what} limited to max_recipe_steps={limit} steps (asked {T - 1}){hint}"
        )


#: in method="auto", heavy-ball steps that must fall back to the exact recipe are refused above
#: this many steps (its correlation iteration needs ~T sweeps at high momentum: measured 14 s at
#: T = 200, mu = 0.9, and 160 s at T = 400, mu = 0.95, on 2 cores)
AUTO_MOMENTUM_RECIPE_STEPS = 256


def check_stable(lam: np.ndarray, lr: float, mu: float) -> None:
    """GD (mu = 0) on eigenvalue u is stable iff 0 < lr u < 2; heavy ball iff 0 <= mu < 1 and
    0 < lr u < 2 (1 + mu) (the roots of z^2 - (1 + mu - lr u) z + mu lie inside |z| < 1)."""
    lim = 2.0 * (1.0 + mu)
    if lr * float(lam.max()) >= lim:
        if mu == 0.0:
            raise ParameterError(
                f"lr must be < 2/max(lambda) = {2.0 / lam.max():g} for stable GD, got {lr}"
            )
        raise ParameterError(
            f"lr must be < 2 (1 + momentum)/max(lambda) = {lim / lam.max():g} for "
            f"stable heavy-ball GD (momentum = {mu:g}), got lr = {lr}"
        )
