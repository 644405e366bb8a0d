"""Expected loss of one-pass SGD: the discrete Volterra equation (theory page "Power-law random
features", section "Volterra equation").

For a fixed projection with eigenpairs (lambda_k, u_k) of K and weights
``rho_k = (u_k . theta*)^2``, Gaussian data make the expected loss an exact recursion over modes
(batch-sum per-sample step gamma, batch B, ``m_k(0) = rho_k``)::

    m_k(r+1) = q_k m_k(r) + gamma^2 B lambda_k P(r),   q_k = 1 - 2 gamma B lambda_k
                                                           + gamma^2 B (B+1) lambda_k^2
    P(r) = P_inf + sum_k lambda_k m_k(r)

equivalently ``P(r) = F(r) + sum_{s<r} K(r-1-s) P(s)`` with forcing
``F(r) = P_inf + sum_k lambda_k rho_k q_k^r`` and kernel ``K(s) = gamma^2 B sum_k lambda_k^2 q_k^s``.
Loss without 1/2. With the deterministic-equivalent spectrum this is the expected loss averaged
over projections (to O(1/d)); with an empirical spectrum it is exact for that projection.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from .._backend import _core
from .._validate import check_array, check_int, check_real, check_size, check_time
from ..errors import ConvergenceError, ParameterError, ScalingLawsDeprecationWarning
from ..problem import Problem
from ..results import LossCurve, log_spaced_steps
from ..schedules import Schedule, resolve
from .kernel import (  # noqa: F401 (re-exported: the old import paths)
    _check_lr,
    check_spectrum,
    forcing_kernel,
    kernel_norm,
    max_stable_lr,
    sgd_gamma,
)
from .spectrum import Spectrum, deterministic_spectrum, empirical_spectrum

# the forcing, kernel and stability moved to .kernel; still importable from here
__all__ = ["volterra_loss", "loss_curve", "exact_spectrum"]


def volterra_loss(
    spectrum: Spectrum,
    lr: float,
    steps: int,
    *,
    batch: int = 1,
    lr_convention: str = "sum",
    checkpoints: Optional[Union[Sequence[int], np.ndarray]] = None,
    n_checkpoints: int = 100,
    exact_steps: int = 2000,
    block_rel: float = 0.01,
    noise_variance: float = 0.0,
    log_spaced: bool = True,
    schedule: Union[Schedule, str, None] = None,
    cluster_width: Optional[float] = None,
) -> LossCurve:
    """Solve the Volterra equation for r <= ``steps`` on a spectrum.

    Mode recursion (module docstring): exact for r <= ``exact_steps``; afterwards blocks of
    ``n = floor(block_rel * r)`` steps in which P is taken linear (closed-form geometric sums,
    implicit in the block's end value), relative error O(block_rel^2). Cost
    O(d (exact_steps + log(steps)/block_rel)). Refuses an unstable lr.

    Reported at ``n_checkpoints`` log-spaced steps (with step 0) plus ``checkpoints``
    (``log_spaced=False``: at ``checkpoints`` only). ``noise_variance`` = sigma^2 of label noise:
    it feeds the SGD noise like P_inf does and is excluded from the reported test loss.
    Returns a :class:`~scalinglaws.LossCurve` with ``time_unit="steps"``.

    ``schedule`` (:mod:`scalinglaws.schedules`, bound to ``steps``): step r uses the per-sample
    step ``gamma * f(r)``. The mode recursion with ``q_k(r)`` and ``gamma_r^2`` is exact per step
    (exact in expectation for r <= ``exact_steps``); a block takes the schedule at its midpoint,
    never straddles a piece of the schedule and, inside a varying piece, is at most ``block_rel``
    of the piece, so the error class is the constant-lr one. The peak rate must be stable. None or
    ``"constant"``: the constant-lr code, bitwise. Theory: :ref:`plrf-volterra`.

    ``cluster_width`` (>= 0; None: 0.05 when d > 20000, else 0): modes whose eigenvalues lie
    within a factor ``exp(cluster_width)`` are grouped, and a group of more than 8 modes is
    replaced by the 4-point Gauss quadratures (in log lambda) of its forcing measure
    ``lambda rho`` and of its kernel measure ``lambda^2`` (:ref:`plrf-volterra`). The forcing,
    the kernel and every block sum are smooth functions of lambda, so the curve changes by about
    ``(cluster_width * 4 / (2e))^8`` relative (~1e-11 at 0.05; measured 1e-13 against every
    mode at d = 1e5 and 2e4, 1e-9 at width 0.5), while the cost drops from O(d) to
    O(log(lambda_max / lambda_min) / cluster_width) per step. 0: every mode.

    Parameters
    ----------
    spectrum : Spectrum
        Eigenvalues, weights ``rho`` and limit loss ``P_inf`` (:func:`deterministic_spectrum`,
        :func:`empirical_spectrum` or :func:`exact_spectrum`).
    lr : float
        Learning rate in ``lr_convention`` (the peak with a schedule); must be stable.
    steps : int
        Number of SGD steps, 1..1e15.
    batch : int, optional
        Batch size B.
    lr_convention : {"sum", "mean"}, optional
        ``"sum"``: gamma = lr; ``"mean"``: gamma = lr / B (:ref:`conv-lr`).
    checkpoints : sequence of int, optional
        Extra steps in ``[0, steps]`` to report.
    n_checkpoints : int, optional
        Number of log-spaced report steps.
    exact_steps : int, optional
        Steps solved exactly before the blocked recursion.
    block_rel : float, optional
        Relative block length in (0, 0.5].
    noise_variance : float, optional
        Label-noise variance sigma^2 >= 0.
    log_spaced : bool, optional
        Report the log-spaced steps (False: ``checkpoints`` only).
    schedule : Schedule or str, optional
        Learning-rate schedule.
    cluster_width : float, optional
        Width (in log lambda) of the mode groups replaced by Gauss quadratures; None: 0.05 when
        d > 20000, else 0 (every mode).

    Returns
    -------
    LossCurve
        ``time_unit="steps"``, test loss without 1/2 and without sigma^2.

    Raises
    ------
    ParameterError
        An unstable rate, invalid sizes or checkpoints.
    ResourceError
        The estimated time exceeds the budget.
    ConvergenceError
        A non-finite solution.

    Examples
    --------
    >>> s = exact_spectrum(Problem.paquette(alpha=1.0, beta=0.7, v=200))
    >>> c = volterra_loss(s, 0.2, 1000, n_checkpoints=5)
    >>> c.steps.tolist()[0], c.steps.tolist()[-1], c.time_unit
    (0, 1000, 'steps')
    """
    spectrum = check_spectrum(spectrum)
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    steps = check_int("steps", steps, minimum=1, maximum=10**15)
    exact_steps = check_int("exact_steps", exact_steps, minimum=0, maximum=10**15)
    block_rel = check_real("block_rel", block_rel, minimum=0.0, maximum=0.5, min_open=True)
    noise = check_real("noise_variance", noise_variance, minimum=0.0)
    sched = resolve(schedule, steps)
    gamma = _check_lr(spectrum, lr, batch, lr_convention, None if sched is None else sched.peak)
    parts = []
    if log_spaced:
        parts.append(log_spaced_steps(steps, n_checkpoints))
    if checkpoints is not None:
        extra = check_array("checkpoints", list(checkpoints))
        if np.any(extra < 0) or np.any(extra > steps) or np.any(extra != np.round(extra)):
            raise ParameterError(f"checkpoints must be whole numbers in [0, steps={steps}]")
        parts.append(extra.astype(np.int64))
    if not parts:
        raise ParameterError("give checkpoints when log_spaced=False")
    cps = np.unique(np.concatenate(parts))
    d = spectrum.eigenvalues.size
    if cluster_width is None:
        cluster_width = 0.05 if d > 20000 else 0.0
    cluster_width = check_real("cluster_width", cluster_width, minimum=0.0, maximum=1.0)
    modes = d
    if cluster_width > 0:  # at most 8 modes per group of width cluster_width in log lambda
        lam = spectrum.eigenvalues
        span = math.log(float(lam.max()) / float(lam.min()))
        modes = min(d, int(8 * (span / cluster_width + 1)))
    n_steps = min(exact_steps, steps) + 5.0 * math.log(steps + 1.0) / block_rel + cps.size
    check_time(
        1e-8 * d + 3e-9 * modes * n_steps,
        f"the Volterra recursion (d = {d} modes, {min(exact_steps, steps)} exact steps)",
        hint="lower exact_steps or raise block_rel",
    )
    P = (
        np.asarray(
            _core.plrf.volterra(
                spectrum.eigenvalues,
                spectrum.rho,
                float(spectrum.limit_loss) + noise,
                _core.plrf.VolterraOptions(
                    gamma=gamma,
                    batch=batch,
                    checkpoints=[int(c) for c in cps],
                    exact_steps=exact_steps,
                    block_rel=block_rel,
                    cluster_width=cluster_width,
                    **({} if sched is None else {"schedule": sched.to_core()}),
                ),
            )
        )
        - noise
    )
    if not np.all(np.isfinite(P)):
        raise ConvergenceError("Volterra solution is not finite")
    return LossCurve(
        times=cps.astype(np.float64),
        test_loss=np.maximum(P, 0.0),
        steps=cps,
        time_unit="steps",
        model="plrf",
        method=f"volterra ({spectrum.kind} spectrum)",
        params={
            **spectrum.params,
            "lr": lr,
            "gamma": gamma,
            "batch": batch,
            "lr_convention": lr_convention,
            "N": spectrum.d,
            "spectrum": spectrum.kind,
            "sigma": math.sqrt(noise),
            **({} if sched is None else {"schedule": str(sched)}),
        },
    )


def exact_spectrum(problem: Problem) -> Spectrum:
    """The spectrum at N = inf (no projection): K = diag(lambda), rho = w*^2, P_inf = 0.

    Parameters
    ----------
    problem : Problem
        Any finite problem (its N is ignored).

    Returns
    -------
    Spectrum
        ``kind="exact (N = inf)"``, eigenvalues in decreasing order.

    Examples
    --------
    >>> s = exact_spectrum(Problem.paquette(alpha=1.0, beta=0.7, v=100))
    >>> s.eigenvalues.size, s.limit_loss
    (100, 0.0)
    """
    order = np.argsort(-problem.lam, kind="stable")
    lam = np.asarray(problem.lam[order], dtype=np.float64)
    return Spectrum(
        eigenvalues=lam,
        rho=np.asarray(problem.wstar[order] ** 2, dtype=np.float64),
        limit_loss=0.0,
        lambda_min=float(lam[-1]),
        kind="exact (N = inf)",
        params={**problem.params, "d": math.inf},
    )


def loss_curve(
    problem: Any,
    *legacy: Any,
    lr: Optional[float] = None,
    steps: Optional[int] = None,
    batch: int = 1,
    lr_convention: Optional[str] = None,
    empirical: bool = False,
    seed: int = 0,
    n_checkpoints: int = 100,
    checkpoints: Optional[Union[Sequence[int], np.ndarray]] = None,
    N: Any = None,
    threads: Optional[int] = None,
    exact_steps: int = 2000,
    block_rel: float = 0.01,
    projections: int = 16,
    schedule: Union[Schedule, str, None] = None,
) -> LossCurve:
    """Expected one-pass SGD test loss of a problem, from the Volterra equation.

    Parameters
    ----------
    problem : Problem
        Any problem with its model size N (Paquette's d) set, or ``N=math.inf`` (no projection:
        exact). The deterministic-equivalent spectrum needs a power law (both families'
        constructors); ``empirical=True`` works for every problem.
    *legacy
        The old positional form ``loss_curve(alpha, beta, v, d, lr, steps)`` (deprecated, one
        release); empty in new code.
    lr : float
        Learning rate in ``lr_convention`` (default: the problem's, :attr:`Problem.lr_convention`).
    steps : int
        Number of SGD steps r; reported at ``n_checkpoints`` log-spaced steps plus
        ``checkpoints``.
    batch : int
        Batch size B.
    lr_convention : {"sum", "mean"}, optional
        Convention of ``lr`` (default: the problem's); :ref:`conv-lr`.
    empirical, seed :
        Use the exact spectrum of the projection drawn with ``seed`` (the same projection as
        ``simulate_sgd(..., projection_seed=seed)``) instead of the deterministic equivalent.
    projections : int
        A custom spectrum (``Problem.from_spectrum``) has no deterministic equivalent here: its
        expected loss is the mean of the exact curves of ``projections`` projections (seeds
        ``seed, seed+1, ...``), returned with standard errors.
    n_checkpoints, checkpoints :
        Log-spaced report steps and extra steps (see :func:`volterra_loss`).
    N : int or math.inf, optional
        Model size d, overriding the problem's; ``math.inf``: no projection (exact spectrum).
    threads : int, optional
        Threads of the spectrum computation (results do not depend on it).
    exact_steps, block_rel :
        Accuracy controls of the recursion (see :func:`volterra_loss`).
    schedule : Schedule or str
        Learning-rate schedule (:mod:`scalinglaws.schedules`; ``lr`` is the peak), bound to
        ``steps``; see :func:`volterra_loss`.

    Returns
    -------
    LossCurve
        ``time_unit="steps"``; test loss without 1/2 and without sigma^2 (label noise feeds the
        SGD noise and is excluded from the reported loss).

    Raises
    ------
    ParameterError
        ``lr`` or ``steps`` missing, an unstable rate, N unset, invalid options.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> p = sl.Problem.paquette(alpha=1.0, beta=0.7, v=2000, d=500)
    >>> c = sl.plrf.loss_curve(p, lr=0.3, steps=10**5)
    >>> c.time_unit, bool(c.test_loss[-1] < c.test_loss[0])
    ('steps', True)
    """
    if not isinstance(problem, Problem):
        problem, lr, steps, lr_convention = _legacy_call(problem, legacy, lr, steps, lr_convention)
    elif legacy:
        raise ParameterError("loss_curve(problem, ...) takes lr= and steps= as keywords")
    if lr is None or steps is None:
        raise ParameterError("loss_curve needs lr= and steps=")
    conv = problem.lr_convention if lr_convention is None else lr_convention
    opts: Dict[str, Any] = dict(
        batch=batch,
        lr_convention=conv,
        n_checkpoints=n_checkpoints,
        checkpoints=checkpoints,
        exact_steps=exact_steps,
        block_rel=block_rel,
        noise_variance=problem.sigma**2,
        schedule=schedule,
    )
    if N is not None:
        n = check_size("N", N)
        if math.isinf(n):
            return volterra_loss(exact_spectrum(problem.replace(N=None)), lr, steps, **opts)
        problem = problem.replace(N=int(n))
    if empirical:
        return volterra_loss(empirical_spectrum(problem, seed, threads=threads), lr, steps, **opts)
    if problem.power_law is None:
        return _projection_mean(problem, lr, steps, projections, seed, threads, opts)
    return volterra_loss(deterministic_spectrum(problem, threads=threads), lr, steps, **opts)


def _projection_mean(
    problem: Problem,
    lr: float,
    steps: int,
    projections: int,
    seed: int,
    threads: Optional[int],
    opts: Dict[str, Any],
) -> LossCurve:
    """A custom spectrum has no power-law deterministic equivalent here: the expected loss over
    projections is the mean of the exact per-projection curves of ``projections`` draws
    (seeds ``seed, seed+1, ...``), with its standard error."""
    projections = check_int("projections", projections, minimum=2, maximum=10**4)
    curves = [
        volterra_loss(empirical_spectrum(problem, seed + i, threads=threads), lr, steps, **opts)
        for i in range(projections)
    ]
    first = curves[0]
    return LossCurve.from_runs(
        first.times,
        [c.test_loss for c in curves],
        steps=first.steps,
        time_unit="steps",
        model="plrf",
        method=f"volterra (mean over {projections} projections)",
        params={**first.params, "projections": projections, "spectrum": "empirical mean"},
        seeds=np.arange(seed, seed + projections),
    )


def _legacy_call(
    alpha: Any, legacy: Tuple[Any, ...], lr: Any, steps: Any, lr_convention: Optional[str]
) -> Tuple[Problem, Any, Any, str]:
    """The old ``loss_curve(alpha, beta, v, d, lr, steps)`` signature (one release)."""
    if len(legacy) < 3:
        raise ParameterError("loss_curve takes a Problem: loss_curve(problem, lr=, steps=)")
    warnings.warn(
        "plrf.loss_curve(alpha, beta, v, d, lr, steps) is deprecated; use "
        "plrf.loss_curve(Problem.paquette(alpha, beta, v, d), lr=, steps=)",
        ScalingLawsDeprecationWarning,
        stacklevel=3,
    )
    beta, v, d = legacy[:3]
    rest = list(legacy[3:])
    if rest:
        lr = rest.pop(0)
    if rest:
        steps = rest.pop(0)
    vv = check_size("v", v)
    problem = (
        Problem.paquette(alpha, beta, 1, d)
        if math.isinf(vv)
        else Problem.paquette(alpha, beta, int(vv), d)
    )
    if math.isinf(vv):
        raise ParameterError(
            "the deprecated scalar form does not take v = inf; use "
            "Problem.paquette(alpha, beta, math.inf, d)"
        )
    return problem, lr, steps, lr_convention or "sum"
