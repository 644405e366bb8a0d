"""DMFT loss curves of discrete GD with a learning-rate schedule on the contour route (theory
page "DMFT", section "Two petals" / schedules).

GD on the fixed quadratic of one data set and projection multiplies the residual by commuting
factors, ``v0(n) = g_n(K) w* - (1 - g_n(K)) K^-1 b`` with the polynomial transfer
``g_n(u) = prod_{r < n} (1 - lr_r u)`` (b: the label-noise drive; ``g_n(0) = 1``). The DMFT
two-frequency correlations are functions of the frequency q alone, so the loss at step n is the
same double contour integral as for a constant rate with the weight ``z^n`` replaced by
``g_n(-q)`` (``z = 1 + lr q``, lr the peak rate). The per-step rates are run-length encoded
into segments ``(lr_k, n_k)``; the C++ core evaluates ``g = exp(sum_k n_k log(1 + lr_k q))`` at
each node (cost O(segments x nodes) per time, on top of the O(M nodes^2) mode sums) on the one-
or two-petal Talbot contour of "time" ``tau = sum_k lr_k n_k / lr`` (the effective step count).
Exact for every schedule kind (piecewise-constant, cosine, WSD, arrays): measured 1e-12 .. 4e-10
relative against the dense scheduled recipe (tests/test_validation_gd_large_lr.py).
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .._backend import _core
from .._docstrings import fill_doc
from .._validate import check_time, threads_arg
from ..errors import ParameterError
from ..problem import Problem
from ._common import inv
from ._docs import DMFT
from ._spectrum import core_spectrum
from .contour import gd_petal

__all__ = ["run_length", "effective_steps", "scheduled_contour_losses"]


def run_length(rates: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Run-length encode per-step learning rates into constant-rate segments.

    Parameters
    ----------
    rates : ndarray
        Per-step learning rates, ``rates[r]`` used by step r.

    Returns
    -------
    lr_k, n_k : ndarray
        The rate of each segment and its number of steps (as float), in order.

    Examples
    --------
    >>> lr_k, n_k = run_length(np.array([0.1, 0.2, 0.2, 0.2, 0.05]))
    >>> lr_k.tolist(), n_k.tolist()
    ([0.1, 0.2, 0.05], [1.0, 3.0, 1.0])
    """
    rates = np.asarray(rates, dtype=np.float64)
    if rates.size == 0:
        return np.zeros(0), np.zeros(0)
    cut = np.flatnonzero(np.diff(rates) != 0.0) + 1
    starts = np.concatenate([[0], cut])
    ends = np.concatenate([cut, [rates.size]])
    return rates[starts], (ends - starts).astype(np.float64)


def effective_steps(rates: np.ndarray, steps: np.ndarray, peak: float) -> np.ndarray:
    """Effective step counts ``sum_{r < n} lr_r / peak``: the "time" of the scheduled contour.

    Parameters
    ----------
    rates : ndarray
        Per-step learning rates (``len(rates) >= max(steps)``).
    steps : ndarray of int
        Step counts n >= 0.
    peak : float
        The peak learning rate (> 0) the effective steps are measured in.

    Returns
    -------
    ndarray
        One effective step count per entry of ``steps``.

    Examples
    --------
    >>> effective_steps(np.array([0.5, 1.0, 1.0, 0.25]), np.array([0, 2, 4]), 1.0).tolist()
    [0.0, 1.5, 2.75]
    """
    cum = np.concatenate([[0.0], np.cumsum(np.asarray(rates, dtype=np.float64))])
    return cum[np.asarray(steps, dtype=np.int64)] / peak


@fill_doc(DMFT)
def scheduled_contour_losses(
    problem: Problem,
    P: float,
    N: float,
    steps: np.ndarray,
    rates: np.ndarray,
    *,
    method: str = "auto",
    nodes: int = 14,
    threads: Optional[int] = None,
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """DMFT test and train losses of scheduled discrete GD on the one- or two-petal contour.

    ``done`` marks the steps computed here: with ``method="auto"`` those whose effective step
    count is at least ``nodes`` (measured error there <= 1e-10; the others are left to the
    dense recipe), with ``"contour"`` all (ParameterError if one is too short), with ``"recipe"``
    none. Refuses up front a peak rate at or above the stability bound ``2 / u_max`` of the
    DMFT spectrum of K. A second petal is added when ``peak x u_max > 1``. Losses without 1/2;
    theory: :ref:`dmft-contour-schedules`.

    Parameters
    ----------
    {task}
    P, N : float
        Number of training samples and model size (``math.inf`` allowed).
    steps : ndarray of int
        Step counts n >= 0 at which to report the losses.
    rates : ndarray
        Per-step learning rates, ``rates[r]`` used by step r (``len(rates) >= max(steps)``).
    method : {"auto", "contour", "recipe"}, optional
        Which steps this route computes (see above).
    nodes : int, optional
        Talbot nodes per petal.
    {threads}

    Returns
    -------
    test, train : ndarray
        Losses at ``steps`` (zeros where not ``done``).
    done : ndarray of bool
        Which entries were computed here.

    Raises
    ------
    ParameterError
        The peak rate is unstable, a step is too short for ``method="contour"``, or the cost
        exceeds the time budget.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=100, N=20)
    >>> rates = np.full(40, 0.5)
    >>> test, train, done = scheduled_contour_losses(p, 40.0, 20.0, np.array([40]), rates)
    >>> bool(done[0]) and bool(0.0 < test[0] < p.initial_loss)
    True
    """
    steps = np.asarray(steps, dtype=np.int64)
    test = np.zeros(steps.size)
    train = np.zeros(steps.size)
    done = np.zeros(steps.size, bool)
    if method == "recipe" or steps.max() == 0:
        return test, train, done
    rates = np.asarray(rates, dtype=np.float64)
    peak = float(np.max(rates[: int(steps.max())]))
    u_max = gd_petal(problem, N, P, peak, "peak lr")
    tau = effective_steps(rates, steps, peak)
    need = 0.8 * nodes if u_max > 0 else 0.45 * nodes
    if method == "contour":
        if np.any((steps > 0) & (tau <= need)):
            raise ParameterError(
                f"method='contour' with a schedule needs sum(lr_r)/peak lr > {need:g} "
                f"(effective steps) at every time; got {float(tau[steps > 0].min()):.3g}"
            )
        use = steps > 0
    else:
        use = tau >= nodes
    if not np.any(use):
        return test, train, done
    lr_k, n_k = run_length(rates[: int(steps[use].max())])
    # per time: the transfer at 2 x 2 nodes (one log per segment, ~40 ns) and the mode sums
    sp = core_spectrum(problem, inv(N), inv(P))
    M = float(sp.lam.size)
    per_time = 4e-8 * lr_k.size * 4 * nodes + 2e-9 * M * (4 * nodes) ** 2
    check_time(
        per_time * int(np.count_nonzero(use)),
        f"the scheduled DMFT contour ({lr_k.size} constant-rate segments, "
        f"{int(np.count_nonzero(use))} times)",
        hint="ask for fewer times, or a schedule with fewer distinct rates",
    )
    a, b = _core.dmft.loss_curve(
        sp,
        [float(n) for n in steps[use]],
        _core.dmft.CurveOptions(
            flow=False,
            lr=peak,
            nodes=nodes,
            threads=threads_arg(threads),
            u_max=u_max,
            schedule_lr=list(lr_k),
            schedule_steps=list(n_k),
        ),
    )
    test[use] = a
    train[use] = b
    done |= use
    if method == "contour":  # step 0: the initial losses
        zero = steps == 0
        test[zero] = problem.initial_loss
        train[zero] = problem.initial_loss + problem.sigma**2
        done |= zero
    return test, train, done
