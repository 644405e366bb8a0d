"""Seeds, report times and run metadata shared by the GD and SGD simulators."""

from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

from .._validate import check_int, check_values
from ..errors import ParameterError
from ..problem import Problem

_MAX_SEED = 2**63 - 1


def _seed_lists(seeds: int, seed: int, projection_seed: Optional[int]) -> tuple:
    seeds = check_int("seeds", seeds, minimum=1, maximum=1_000_000)
    seed = check_int("seed", seed, minimum=0, maximum=_MAX_SEED - seeds)
    data = [seed + i for i in range(seeds)]
    if projection_seed is None:
        proj = list(data)
    else:
        proj = [check_int("projection_seed", projection_seed, minimum=0, maximum=_MAX_SEED)] * seeds
    return data, proj


def _check_times(values: Any, name: str = "times") -> np.ndarray:
    """Times or step counts: a non-empty 1-D array of finite numbers (:func:`check_values`)
    that are >= 0."""
    t = check_values(name, values)
    if np.any(t < 0):
        raise ParameterError(f"{name} must be finite and >= 0, got {t[t < 0][0]:g}")
    return t


def _cpu_count() -> int:
    import os

    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


def _run_params(
    problem: Problem,
    N: int,
    route: Dict[str, Any],
    sched: Any,
    projection_seed: Optional[int],
    **measured: Any,
) -> Dict[str, Any]:
    """``LossCurve.params`` of a simulation: the problem's parameters, N, the route's parameters,
    the bound schedule (if any), sigma and M, values measured by the runs, the projection seed."""
    return {
        **problem.params,
        "N": N,
        **route,
        **({} if sched is None else {"schedule": str(sched)}),
        "sigma": problem.sigma,
        "M": problem.M,
        **measured,
        "projection_seed": projection_seed,
    }
