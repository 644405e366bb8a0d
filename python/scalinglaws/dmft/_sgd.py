"""One-pass SGD curves of :func:`scalinglaws.dmft.loss_curve` (``batch=``): the exact
expected-loss recursion (Volterra equation, the default) or the DMFT recipe of Bordelon et al.
eqs. 142-144 (``method="recipe"``); theory page "DMFT", section "One-pass SGD" (:ref:`dmft-sgd`)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .._validate import check_int, check_real
from ..errors import ParameterError
from ..problem import Problem
from ..results import LossCurve
from ._common import MAX_STEPS, check_problem, check_recipe_steps, finite, inv, theory_curve
from ._spectrum import recipe_modes
from .recipe import recipe


def _sgd_curve(
    problem: Problem,
    t: np.ndarray,
    *,
    lr: Optional[float],
    batch: int,
    N: float,
    method: str,
    lr_convention: Optional[str],
    max_recipe_steps: int,
    threads: Optional[int],
    schedule: Any = None,
) -> LossCurve:
    """One-pass SGD: the Volterra route (default) or the DMFT recipe (``method="recipe"``)."""
    from ..plrf.volterra import loss_curve as volterra_curve

    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    if lr is None:
        raise ParameterError("lr is required for one-pass SGD")
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    conv = problem.lr_convention if lr_convention is None else lr_convention
    if conv not in ("sum", "mean"):
        raise ParameterError(f"lr_convention must be 'sum' or 'mean', got {conv!r}")
    if np.any(t != np.round(t)):
        raise ParameterError("SGD times are step counts (whole numbers)")
    if np.any(t > MAX_STEPS):
        raise ParameterError(f"SGD times must be <= 1e15 steps, got {t.max():g}")
    steps = t.astype(np.int64)
    if method == "contour":
        raise ParameterError(
            "one-pass SGD has no contour route: use method='auto' (Volterra) or 'recipe'"
        )
    if method == "recipe":
        from ..schedules import as_schedule

        if as_schedule(schedule) is not None:
            raise ParameterError("the SGD recipe takes no schedule: use method='auto' (Volterra)")
        check_problem(problem)
        T = int(steps.max()) + 1
        check_recipe_steps(
            T,
            max_recipe_steps,
            "the SGD recipe is",
            "; the default method='auto' (Volterra) has no limit",
        )
        lr_mean = lr if conv == "mean" else lr * batch
        # all modes, or at M = inf the head + the tail quadrature resolved to lr_mean * T
        rl, rw, rm = recipe_modes(problem, lr_mean * T)
        test, _ = recipe(rl, rw, inv(N), 0.0, problem.sigma**2, lr_mean, T, batch=batch, mult=rm)
        params = {"N": N, "batch": batch, "lr": lr, "lr_convention": conv}
        return theory_curve(
            problem, t, test[steps], None, "recipe (SGD)", params, time_unit="steps", steps=steps
        )
    top = int(steps.max())
    c = volterra_curve(
        problem,
        lr=lr,
        steps=max(top, 1),
        batch=batch,
        lr_convention=conv,
        checkpoints=np.unique(steps),
        N=N,
        threads=threads,
        schedule=schedule,
    )
    sem = None if c.test_loss_sem is None else np.interp(t, c.times, c.test_loss_sem)
    return LossCurve(
        times=t,
        test_loss=finite("test_loss", np.interp(t, c.times, c.test_loss)),
        test_loss_sem=sem,
        steps=steps,
        time_unit="steps",
        model="dmft",
        method=c.method,
        params={**c.params, "N": N},
    )
