"""Seeds, report times and run metadata shared by the GD and SGD simulators."""

from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

from .._validate import check_int
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


def _check_times(t: np.ndarray, name: str = "times") -> None:
    if t.ndim != 1 or t.size == 0:
        raise ParameterError(f"{name} must be a non-empty list of numbers")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        bad = t[~(np.isfinite(t) & (t >= 0))][0]
        raise ParameterError(f"{name} must be finite and >= 0, got {bad:g}")


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
