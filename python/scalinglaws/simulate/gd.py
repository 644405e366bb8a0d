"""Full-batch gradient descent and gradient flow on P samples, solved exactly in the Gram
eigenbasis (:ref:`sim-gd`; C++ engine ``cpp/src/simulate/gd.cpp``)."""

from __future__ import annotations

from typing import Iterable, List, Optional, Union, cast

import numpy as np

from .._backend import _core
from .._validate import (
    MAX_STEPS,
    check_int,
    check_memory,
    check_momentum,
    check_real,
    check_time,
    check_type,
    steps_of,
    threads_arg,
)
from ..errors import ParameterError
from ..problem import Problem
from ..results import LossCurve
from ..schedules import Schedule, as_schedule
from ._common import _check_times, _cpu_count, _run_params, _seed_lists

__all__ = ["simulate_gd"]


def simulate_gd(
    problem: Problem,
    P: int,
    *,
    lr: Optional[float] = None,
    times: Optional[Iterable[float]] = None,
    steps: Optional[Iterable[int]] = None,
    flow: bool = False,
    seeds: int = 1,
    seed: int = 0,
    ensemble: int = 1,
    projection_seed: Optional[int] = None,
    threads: Optional[int] = None,
    max_memory: Optional[float] = None,
    bags: int = 1,
    momentum: Optional[float] = None,
    schedule: Union[Schedule, str, None] = None,
) -> LossCurve:
    """Full-batch gradient descent / gradient flow on P samples, solved exactly.

    Draws the projection F and the P training samples exactly (no P x M matrix is formed), then
    solves GD from ``w = 0`` in closed form per eigenvalue of ``Phi^T Phi / P``: the cost does
    not grow with the time. The test loss is the population loss from the covariance (no 1/2,
    no sigma^2 floor). Method and checks: :ref:`sim-gd`; conventions: :ref:`conv-time`.

    Parameters
    ----------
    problem : Problem
        With its model size N set; finite M.
    P : int
        Number of training samples.
    lr : float
        Learning rate eta (discrete GD; ``w <- w + (lr/P) Phi^T (y - Phi w)``). Must be below the
        stability bound ``2 / lambda_max(Phi^T Phi / P)`` of each draw, else ParameterError.
    times : sequence of float
        Gradient-flow times ``t = lr * steps`` at which to report; for discrete GD they are rounded
        to whole steps and the reported times are ``lr * round(t / lr)``. For ``flow=True`` they
        are used as they are.
    steps : sequence of int
        Alternatively (discrete GD only), the step counts themselves.
    flow : bool
        Gradient flow ``dw/dt = (1/P) Phi^T (y - Phi w)`` instead of discrete steps.
    seeds, seed, projection_seed : int
        ``seeds`` runs with data seeds ``seed, seed+1, ...``; projection seeds are the same
        unless ``projection_seed`` fixes one projection for all runs (data variance only).
    ensemble : int
        E > 1 trains E students with independent projections on the same data and reports the
        losses of their averaged predictor (Bordelon et al. Sec. 3.10 / Fig. 6a).
    bags : int
        B > 1 (bagging, Bordelon et al. App. H): B independent data sets of P samples each, every
        one shared by all E members (E * B models in all, the E projections shared by the bags);
        reports the population loss of the predictor averaged over all E * B models (the weights
        of member e are averaged over the bags, then the exact loss from the stacked covariance).
        Data set 0 is the one of ``bags=1``, so ``bags=1`` reproduces the single-data-set
        results bitwise. The train loss is not defined (no single training set): ``train_loss``
        is None when B > 1.
    threads : int
        Threads (default: all cores). Results do not depend on it.
    momentum : float
        Discrete GD: heavy-ball coefficient mu in [0, 1) (Bordelon et al. eq. 139):
        ``b(n) = (1/P) Phi^T (y - Phi w(n)) + mu b(n-1)``, ``b(-1) = 0``,
        ``w(n+1) = w(n) + lr b(n)``, reported at ``t = lr * n`` as plain GD. Solved exactly in the
        Gram eigenbasis (3x3 affine recurrence per eigenvalue, n-th power by repeated squaring;
        cost independent of n). Stable iff ``lr < 2 (1 + mu)/lambda_max(Phi^T Phi / P)`` for
        each draw, else ValueError. Flow: continuous momentum beta >= 0 (eq. 137),
        ``beta w'' + w' = (1/P) Phi^T (y - Phi w)``, ``w(0) = w'(0) = 0`` (3x3 matrix exponential
        per eigenvalue). ``momentum=0`` (or None) is plain GD / flow, bitwise.
    schedule : Schedule or str
        Learning-rate schedule (discrete GD without momentum): step r uses ``lr * f(r)``
        (:mod:`scalinglaws.schedules`, ``lr`` is the peak), bound to the run's last step. Exact:
        constant pieces are powers ``(1 - lr_r g)^n`` per Gram eigenvalue g, varying pieces exact
        per-step products (cost O(varying steps x N x E) per run, refused above ~1e10).
        Reported times stay ``lr * steps`` (peak lr). The peak must satisfy
        ``lr * peak < 2 / lambda_max``. None or ``"constant"``: the constant-lr code, bitwise.
    max_memory : float, optional
        Refuse (ResourceError) a run whose working memory would exceed this many bytes.

    Returns
    -------
    LossCurve
        ``times`` (unit ``"lr*steps"``, or ``"time"`` for flow), ``test_loss`` and
        ``train_loss`` (means over the runs) with standard errors when ``seeds >= 2``, the
        per-run curves, ``steps`` (discrete GD) and the seeds.

    Raises
    ------
    ParameterError
        Invalid arguments, N unset, an infinite problem, or an unstable learning rate.
    ResourceError
        The run would need more memory than ``max_memory``.

    See Also
    --------
    scalinglaws.dmft.loss_curve : the DMFT theory of the same curve.

    Examples
    --------
    >>> p = Problem.bordelon(a=1.5, b=1.25, M=1000, N=100)
    >>> c = simulate_gd(p, P=200, lr=0.5, times=[0, 10, 100], seeds=4)
    >>> c.time_unit, c.steps, c.n_runs
    ('lr*steps', array([  0,  20, 200]), 4)
    >>> bool(c.test_loss[-1] < c.test_loss[0])
    True
    """
    N = (
        check_type("problem", problem, Problem, "scalinglaws.Problem")
        .require_finite("simulate_gd")
        .require_N()
    )
    mu = check_momentum(momentum, flow)
    P = check_int("P", P, minimum=1, maximum=10**15)  # beyond: the memory estimate overflows
    ensemble = check_int("ensemble", ensemble, minimum=1, maximum=4096)
    bags = check_int("bags", bags, minimum=1, maximum=4096)
    if flow:
        if steps is not None:
            raise ParameterError("steps is for discrete GD; use times with flow=True")
        if times is None:
            raise ParameterError("times is required (gradient-flow times t >= 0)")
        t = _check_times(times)
        step_arr = None
        lr_val = 0.0 if lr is None else check_real("lr", lr, minimum=0.0, min_open=True)
        sim_times = t
    else:
        if lr is None:
            raise ParameterError("lr is required for discrete gradient descent (or pass flow=True)")
        lr_val = check_real("lr", lr, minimum=0.0, min_open=True)
        if (times is None) == (steps is None):
            raise ParameterError("pass exactly one of times (t = lr * steps) or steps")
        if steps is not None:
            step_arr = _check_times(steps, name="steps")
            if np.any(step_arr != np.round(step_arr)):
                bad = step_arr[step_arr != np.round(step_arr)][0]
                raise ParameterError(f"steps must be whole numbers, got {bad:g}")
            if np.any(step_arr > MAX_STEPS):
                raise ParameterError(
                    f"steps = {np.max(step_arr):.3g} is out of range (valid: <= 1e15)"
                )
            step_arr = step_arr.astype(np.int64)
        else:
            t = _check_times(times)
            step_arr = steps_of(t, lr_val)
        sim_times = step_arr.astype(np.float64)
    sched = as_schedule(schedule)
    if sched is not None:
        if flow or mu:
            raise ParameterError(
                "schedule is for discrete GD without momentum (flow=False, momentum=None)"
            )
        last = int(np.max(cast(np.ndarray, step_arr)))  # set: discrete GD
        sched = sched.bind(last if last > 0 else 1)
    data, proj = _seed_lists(seeds, seed, projection_seed)
    nthreads = threads_arg(threads)
    if sched is not None:
        varying = sum(e - s for s, e, _ in _varying_ranges(sched))
        cost = float(varying) * N * ensemble * bags * len(data)
        if cost > 1e10:
            raise ParameterError(
                f"schedule {sched}: the exact per-step products cost {cost:.3g} "
                "mode-steps (> 1e10); use fewer steps or a piecewise schedule"
            )
    EN, T = ensemble * N, len(sim_times)
    concurrent = 1 if len(data) == 1 else min(len(data), nthreads or _cpu_count())
    per_run = 8.0 * (
        P * EN + 3.0 * EN * EN + 2.0 * N * N + 3.0 * T * EN + T * P + 2.0 * (EN + P) * 256 + T * N
    )
    if bags > 1:  # a second data set (P x EN), its draw (2 P (EN + 1)) and covariance factor
        per_run += 8.0 * (3.0 * P * (EN + 1) + 2.0 * (EN + 1) ** 2)
    check_memory(
        concurrent * per_run,
        f"simulate_gd (N={N}, P={P}, E={ensemble}, B={bags}, T={T})",
        limit=max_memory,
    )
    runs = len(data)
    check_time(
        runs * 1e-9 * (P * EN * problem.M + EN**3 + P * P * EN + T * EN * EN),
        f"simulate_gd (M={problem.M}, N={N}, P={P}, E={ensemble}, {runs} seeds)",
        hint="reduce M, N, P, ensemble or seeds",
    )
    test, train, gmax = _core.simulate.gd(
        _core.simulate.ProblemSpec(lam=problem.lam, wstar=problem.wstar, N=N, sigma=problem.sigma),
        _core.simulate.GdOptions(
            P=P,
            ensemble=ensemble,
            bags=bags,
            lr=lr_val,
            flow=bool(flow),
            momentum=mu,
            times=list(sim_times),
            data_seeds=data,
            projection_seeds=proj,
            threads=nthreads,
            **({} if sched is None else {"schedule": sched.to_core()}),
        ),
    )
    out_times = sim_times if flow else cast(np.ndarray, step_arr) * lr_val  # set when not flow
    return LossCurve.from_runs(
        np.asarray(out_times, dtype=np.float64),
        np.asarray(test),
        np.asarray(train) if bags == 1 else None,
        steps=None if flow else step_arr,
        time_unit="time" if flow else "lr*steps",
        model="simulation",
        seeds=np.asarray(data),
        method=("gradient flow" + (" with momentum" if mu else ""))
        if flow
        else ("heavy-ball GD" if mu else "gradient descent"),
        params=_run_params(
            problem,
            N,
            {
                "P": P,
                "lr": lr,
                "flow": flow,
                "ensemble": ensemble,
                "bags": bags,
                **({"momentum": mu} if mu else {}),
            },
            sched,
            projection_seed,
            max_gram_eigenvalue=np.asarray(gmax),
        ),
    )


def _varying_ranges(sched: Schedule) -> List[tuple]:
    """(start, end) of the schedule's non-constant pieces within its run."""
    pcs, T = sched.pieces(), sched.steps or 0
    out = []
    for j, pc in enumerate(pcs):
        end = min(pcs[j + 1][0] if j + 1 < len(pcs) else T, T)
        if pc[1] != 0 and end > pc[0]:
            out.append((pc[0], end, None))
    return out
