"""One-pass SGD with fresh samples every step, exact in distribution at O(B N) per step
(:ref:`sim-sgd`; C++ engine ``cpp/src/simulate/sgd.cpp``), and its stability bound."""

from __future__ import annotations

from typing import Iterable, Optional, Union

import numpy as np

from .._backend import _core
from .._validate import check_int, check_memory, check_real, check_time, check_type, threads_arg
from ..errors import ParameterError
from ..problem import Problem
from ..results import LossCurve, log_spaced_steps
from ..schedules import Schedule, resolve
from ._common import _MAX_SEED, _check_times, _run_params, _seed_lists

__all__ = ["simulate_sgd", "sgd_stability_bound"]


def setup_seconds(M: float, N: float) -> float:
    """Estimated seconds of one projection's eigendecomposition (``_core.sgd_setup``): ~1.6e-9 s
    per N^2 M + N^3 multiply-add (measured: M = 2000, N = 1000 in 3.2 s on one core)."""
    return 1.6e-9 * (N * N * M + N**3)


def _sgd_convention(problem: Problem, lr_convention: Optional[str]) -> bool:
    """True for the batch-mean convention (default: the problem's)."""
    if lr_convention is None:
        return problem.lr_convention == "mean"
    if lr_convention not in ("sum", "mean"):
        raise ParameterError(f"lr_convention must be 'sum' or 'mean', got {lr_convention!r}")
    return lr_convention == "mean"


def sgd_stability_bound(
    problem: Problem, batch: int = 1, *, seed: int = 0, lr_convention: Optional[str] = None
) -> float:
    """Largest stable learning rate of one-pass SGD for the projection drawn with ``seed``.

    Mean-square stability of the exact (Gaussian) dynamics: with per-sample step g (g = lr in the
    batch-sum convention, lr/B in the batch-mean one) and s_k the eigenvalues of the projected
    feature covariance, ``g (B+1) s_max < 2`` and ``sum_k g s_k / (2 - g (B+1) s_k) < 1``
    (the kernel norm of the Volterra equation, :ref:`plrf-stability`).

    Parameters
    ----------
    problem : Problem
        With N set; finite M.
    batch : int, optional
        Batch size B.
    seed : int, optional
        Projection seed (the W of ``simulate_sgd(..., projection_seed=seed)``).
    lr_convention : {"sum", "mean"}, optional
        Convention of the returned learning rate (default: the problem's).

    Returns
    -------
    float
        The supremum of stable learning rates.

    Raises
    ------
    ParameterError
        N unset, an infinite problem, or invalid arguments.

    See Also
    --------
    simulate_sgd : refuses a learning rate above this bound.
    scalinglaws.plrf.loss_curve : the expected loss, with the same stability condition.

    Examples
    --------
    >>> q = Problem.paquette(alpha=1.0, beta=0.7, v=500, d=100)
    >>> round(sgd_stability_bound(q, batch=1, seed=0), 3)
    0.496
    """
    N = (
        check_type("problem", problem, Problem, "scalinglaws.Problem")
        .require_finite("sgd_stability_bound")
        .require_N()
    )
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    seed = check_int("seed", seed, minimum=0, maximum=_MAX_SEED)
    check_time(
        setup_seconds(problem.M, N),
        f"sgd_stability_bound (M={problem.M}, N={N})",
        hint="reduce M or N",
    )
    check_memory(8.0 * (problem.M * N + 3.0 * N * N), f"sgd_stability_bound (M={problem.M}, N={N})")
    s, _, _ = _core.simulate.sgd_setup(
        _core.simulate.ProblemSpec(lam=problem.lam, wstar=problem.wstar, N=N), seed, 0
    )
    g = float(_core.simulate.sgd_max_stable_gamma(s, batch))
    return g * batch if _sgd_convention(problem, lr_convention) else g


def simulate_sgd(
    problem: Problem,
    lr: float,
    steps: int,
    *,
    batch: int = 1,
    times: Optional[Iterable[int]] = None,
    n_checkpoints: int = 100,
    seeds: int = 1,
    seed: int = 0,
    projection_seed: Optional[int] = None,
    lr_convention: Optional[str] = None,
    threads: Optional[int] = None,
    schedule: Union[Schedule, str, None] = None,
) -> LossCurve:
    """One-pass SGD with batch ``batch`` and fresh Gaussian samples every step, from w = 0.

    Exact in distribution at O(B N) per step: the projected covariance is diagonalised once per
    projection and each step samples in its eigenbasis (:ref:`sim-sgd`). The test loss is the
    population loss (no 1/2, no sigma^2 floor); time is the step count r.

    Parameters
    ----------
    problem : Problem
        With its model size N (Paquette's d) set; finite M (v).
    lr : float
        Learning rate. Convention ``"sum"`` (Paquette et al.):
        ``theta <- theta - lr * sum_{i<=B} phi_i (phi_i . theta - y_i)``; ``"mean"`` (Bordelon et al.
        eq. 142, and the Paquette reference code): the same with lr / B. Default: the problem's
        :attr:`~scalinglaws.Problem.lr_convention` (mean for ``Problem.bordelon``, sum
        otherwise); identical for B = 1.
    steps : int
        Number of SGD steps r.
    times : sequence of int
        Extra steps at which to report, added to ``n_checkpoints`` log-spaced steps in
        [1, steps] and step 0.
    batch : int, optional
        Batch size B (fresh samples per step).
    n_checkpoints : int, optional
        Number of log-spaced report steps (plus step 0).
    seeds, seed, projection_seed : int
        As in :func:`simulate_gd`; a fixed ``projection_seed`` runs many SGD trajectories on one W.
    schedule : Schedule or str
        Learning-rate schedule bound to ``steps``: step r = 0, 1, ... uses ``lr * f(r)``
        (:mod:`scalinglaws.schedules`; ``lr`` is the peak), evaluated in C++ from the schedule's
        pieces (O(1) per step, no per-step array). The peak rate must be mean-square stable
        (:func:`sgd_stability_bound`), else ValueError with the bound. None or ``"constant"``: the
        constant-lr code, bitwise.
    lr_convention : {"sum", "mean"}, optional
        Overrides the problem's convention (see ``lr``; :ref:`conv-lr`).
    threads : int, optional
        Threads (default: all cores). Results do not depend on it.

    Returns
    -------
    LossCurve
        ``times`` = ``steps`` (unit ``"steps"``), ``test_loss`` (mean over runs) with standard
        errors when ``seeds >= 2``; no train loss. ``flops`` gives ``B N r``.

    Raises
    ------
    ParameterError
        Invalid arguments, N unset, an infinite problem, or ``lr`` above the mean-square
        stability bound of a drawn projection (the message gives the bound; see
        :func:`sgd_stability_bound`).

    See Also
    --------
    scalinglaws.plrf.loss_curve : the expected loss (Volterra equation).

    Examples
    --------
    >>> q = Problem.paquette(alpha=1.0, beta=0.7, v=500, d=100)
    >>> c = simulate_sgd(q, lr=0.3, steps=1000, seeds=2, n_checkpoints=5)
    >>> c.time_unit, c.steps
    ('steps', array([   0,    1,    6,   32,  178, 1000]))
    """
    N = (
        check_type("problem", problem, Problem, "scalinglaws.Problem")
        .require_finite("simulate_sgd")
        .require_N()
    )
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    steps = check_int("steps", steps, minimum=1, maximum=10**13)
    batch = check_int("batch", batch, minimum=1, maximum=10**6)
    n_checkpoints = check_int("n_checkpoints", n_checkpoints, minimum=1, maximum=10**6)
    batch_mean = _sgd_convention(problem, lr_convention)
    sched = resolve(schedule, steps)
    cps = log_spaced_steps(steps, n_checkpoints)
    if times is not None:
        extra = _check_times(times)
        if np.any(extra != np.round(extra)) or np.any(extra > steps):
            bad = extra[(extra != np.round(extra)) | (extra > steps)][0]
            raise ParameterError(
                f"times = {bad:g} is invalid: SGD times are step counts, whole numbers in "
                f"[0, steps={steps}]"
            )
        cps = np.unique(np.concatenate([cps, extra.astype(np.int64)]))
    data, proj = _seed_lists(seeds, seed, projection_seed)
    check_memory(
        8.0 * (3 * N * N + problem.M * 256 + len(data) * (2 * N + len(cps))),
        f"simulate_sgd (N={N})",
    )
    n_proj = len(set(proj))
    check_time(
        n_proj * setup_seconds(problem.M, N) + len(data) * 3e-8 * steps * batch * N,
        f"simulate_sgd (M={problem.M}, N={N}, {steps} steps of batch {batch}, {len(data)} seeds)",
        hint="reduce steps, batch, N or seeds",
    )
    test = _core.simulate.sgd(
        _core.simulate.ProblemSpec(lam=problem.lam, wstar=problem.wstar, N=N, sigma=problem.sigma),
        _core.simulate.SgdOptions(
            batch=batch,
            lr=lr,
            batch_mean=batch_mean,
            steps=steps,
            checkpoints=[int(c) for c in cps],
            data_seeds=data,
            projection_seeds=proj,
            threads=threads_arg(threads),
            **({} if sched is None else {"schedule": sched.to_core()}),
        ),
    )
    return LossCurve.from_runs(
        cps.astype(np.float64),
        np.asarray(test),
        steps=cps,
        time_unit="steps",
        model="simulation",
        seeds=np.asarray(data),
        method="one-pass SGD",
        params=_run_params(
            problem,
            N,
            {
                "batch": batch,
                "lr": lr,
                "lr_convention": "mean" if batch_mean else "sum",
                "steps": steps,
            },
            sched,
            projection_seed,
        ),
    )
