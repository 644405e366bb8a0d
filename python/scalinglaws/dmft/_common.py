"""Shared argument handling of the DMFT theory (sizes, times, momentum, stability)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from .._backend import _core
from .._validate import check_int, check_real, threads_arg
from ..errors import ConvergenceError, ParameterError
from ..problem import Problem

__all__ = ["Size", "INF", "size", "inv", "check_problem", "finite", "times_array",
           "check_momentum", "check_stable", "AUTO_MOMENTUM_RECIPE_STEPS"]

Size = Union[int, float, str, None]
INF = math.inf


def size(name: str, value: Any, default: Any = None) -> float:
    """A size >= 1 (integer) or inf (``math.inf`` or ``"inf"``); returns a float."""
    from .._validate import check_size

    return check_size(name, value, default)


def inv(v: float) -> float:
    return 0.0 if math.isinf(v) else 1.0 / v



def check_problem(problem: Any) -> Problem:
    """The problem, which must be a finite :class:`~scalinglaws.Problem` (the DMFT sums run over
    its M modes)."""
    if not isinstance(problem, Problem):
        raise ParameterError(f"problem must be a scalinglaws.Problem, got {type(problem).__name__}")
    return problem.require_finite("the DMFT theory")


def finite(name: str, arr: np.ndarray) -> np.ndarray:
    """Reject NaN/inf; losses are >= 0, so round-off negatives (|x| ~ 1e-16) are clipped to 0."""
    arr = np.asarray(arr)
    if not np.all(np.isfinite(arr)):
        raise ConvergenceError(f"{name}: the theory produced non-finite values (solver failure)")
    if "loss" in name:
        arr = np.maximum(arr, 0.0)
    return arr




def times_array(times: Any) -> np.ndarray:
    t = np.asarray(list(times) if not isinstance(times, np.ndarray) else times, dtype=np.float64)
    t = np.atleast_1d(t)
    if t.ndim != 1 or t.size == 0:
        raise ParameterError("times must be a non-empty 1-D list of numbers")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ParameterError("times must be finite and >= 0")
    return t


def check_momentum(momentum: Any, flow: bool) -> float:
    """Heavy-ball mu in [0, 1) (discrete GD) or continuous beta >= 0 (flow)."""
    if momentum is None:
        return 0.0
    if flow:
        return check_real("momentum", momentum, minimum=0.0)
    return check_real("momentum", momentum, minimum=0.0, maximum=1.0, max_open=True)


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
            raise ParameterError(f"lr must be < 2/max(lambda) = {2.0 / lam.max():g} for stable GD, "
                             f"got {lr}")
        raise ParameterError(f"lr must be < 2 (1 + momentum)/max(lambda) = {lim / lam.max():g} for "
                         f"stable heavy-ball GD (momentum = {mu:g}), got lr = {lr}")

