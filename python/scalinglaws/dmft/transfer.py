"""Mode transfer functions ``H_k(t)`` of the DMFT and the irreducible bias of infinite ensembles
(Bordelon et al. eqs. 10, 19, 114; theory page "DMFT", sections "Responses", "Contour route" and
"Ensembles"): the time-domain inversion of ``h_k(q) = 1/(q + lambda_k R1 R3)`` of
:mod:`scalinglaws.dmft.response_functions` (which re-exports both functions). C++ core:
``cpp/src/dmft/transfer.cpp``.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Sequence

import numpy as np

from .._backend import _core
from .._docstrings import fill_doc
from .._validate import check_int, check_modes, threads_arg
from ..errors import ParameterError
from ..problem import Problem
from ._common import (
    INF,
    Size,
    check_momentum,
    check_problem,
    check_stable,
    finite,
    gd_steps,
    inv,
    problem_sizes,
    times_array,
)
from ._docs import DMFT
from ._spectrum import core_spectrum, head_arrays, mode_bound, recipe_modes
from .contour import gd_petal, momentum_contour_ok
from .recipe import recipe

__all__ = ["transfer_functions", "irreducible_bias"]


@fill_doc(DMFT)
def transfer_functions(
    problem: Problem,
    P: Size,
    times: Iterable[float],
    modes: Sequence[int],
    *,
    lr: Optional[float] = None,
    flow: bool = False,
    N: Size = None,
    momentum: Optional[float] = None,
    nodes: int = 14,
    threads: Optional[int] = None,
    max_recipe_steps: int = 2000,
) -> np.ndarray:
    """Mode transfer functions ``H_k(t) = d<v0_k(t)>/d w*_k`` (eq. 10 inverted).

    Theory: :ref:`dmft-responses`. ``modes`` are 1-based mode numbers k (k = 1 is the largest
    eigenvalue). GD times are rounded to whole steps (t = 0 gives 1). The contour route
    (:ref:`dmft-contour`) inverts ``h_k(q) = 1/(q + lambda_k R1 R3)``. Plain GD with
    lr x max eig(K) in [1, 2) (the DMFT spectrum of K reaches 1/lr) adds the second contour petal
    around ``z = 1 - lr u`` in (-1, 0) (:ref:`dmft-contour-petals`), as
    :func:`~scalinglaws.dmft.loss_curve` does; it then needs more steps (see ``nodes``).
    ``momentum``: heavy-ball mu (GD) or continuous beta (flow), as in
    :func:`~scalinglaws.dmft.loss_curve`. For heavy-ball steps where the contour does not enclose
    the momentum poles (one-frequency error ~ mu^(steps/2), see
    :func:`~scalinglaws.dmft.contour.momentum_contour_ok`) the responses of the exact T x T recipe
    are used (steps <= ``max_recipe_steps``); for continuous momentum such times raise
    ParameterError.

    Parameters
    ----------
    problem : Problem
        Spectrum and target (M = inf allowed: any mode number, lambda_k from the power law).
    {P}
    times : sequence of float
        GD: ``t = lr * steps`` (:ref:`conv-time`); flow: the time t.
    modes : sequence of int
        1-based mode numbers (1..M; any at M = inf).
    lr : float, optional
        Learning rate of discrete GD (> 0; required unless ``flow``). Stable GD needs
        ``lr u < 2`` on the whole DMFT spectrum of K (checked).
    {flow}
    {N}
    momentum : float, optional
        Heavy-ball mu in [0, 1) (GD) or continuous beta >= 0 (flow).
    nodes : int, optional
        Talbot nodes on the upper half contour (4..200). Plain GD needs t = 0 or at least
        ``(nodes + 1) // 2`` steps with one petal, ``4 nodes // 5 + 1`` with two.
    {threads}
    max_recipe_steps : int, optional
        Largest number of steps of the heavy-ball recipe fallback.

    Returns
    -------
    ndarray
        ``H_k(t)``, real, shape (len(times), len(modes)).

    Raises
    ------
    ParameterError
        Missing ``lr``, an unstable ``lr`` (the message gives the bound), too few GD steps for
        the contour, unenclosed momentum poles beyond ``max_recipe_steps``, or invalid modes.
    ConvergenceError
        Non-finite values.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> p = sl.Problem.bordelon(1.5, 1.25, M=200, N=50)
    >>> H = sl.dmft.transfer_functions(p, 100, [0.0, 10.0], [1, 10], lr=0.5)
    >>> H.shape, H[0].tolist()                                  # H_k(0) = 1
    ((2, 2), [1.0, 1.0])
    >>> bool(np.all((H[1] > 0) & (H[1] < 1)))
    True
    """
    problem, Nv, Pv = problem_sizes(problem, P, N)
    t = times_array(times)
    nodes = check_int("nodes", nodes, minimum=4, maximum=200)
    ks = [int(k) for k in check_modes(modes, mode_bound(problem))]
    if not ks:
        raise ParameterError("modes must not be empty")
    out = np.ones((t.size, len(ks)))
    mu = check_momentum(momentum, flow)
    petal_u = 0.0
    if flow:
        tau = t
        lr_v = 0.0
    else:
        lr_v, whole = gd_steps(t, lr)
        tau = whole.astype(np.float64)
        check_stable(head_arrays(problem)[0], lr_v, mu)
        if mu == 0.0:
            # lr * max eig(K) in [1, 2): a second contour petal encloses z = 1 - lr u in (-1, 0)
            petal_u = gd_petal(problem, Nv, Pv, lr_v)
            min_steps = (4 * nodes) // 5 + 1 if petal_u > 0.0 else (nodes + 1) // 2
            if np.any((tau > 0) & (tau < min_steps)):
                two = " with lr * max eigenvalue(K) >= 1" if petal_u > 0.0 else ""
                raise ParameterError(
                    f"discrete-GD transfer functions{two} need t = 0 or >= {min_steps} steps "
                    f"(nodes={nodes}); got {int(tau[(tau > 0) & (tau < min_steps)][0])}"
                )
    pos = tau > 0
    if mu != 0.0 and np.any(pos):
        idx = np.flatnonzero(pos)
        ok = momentum_contour_ok(
            problem, Nv, Pv, tau[idx], nodes, lr=lr_v, mu=mu, beta=mu if flow else None, power=1.0
        )
        if not flow:
            ok &= tau[idx] >= 2 * nodes
        if not np.all(ok):
            if flow:
                raise ParameterError(
                    f"transfer_functions with continuous momentum beta = {mu:g}: the "
                    f"Talbot contour does not enclose the oscillatory poles at t = "
                    f"{t[idx][~ok][0]:g}; use later times, more nodes or a smaller "
                    "beta"
                )
            bad = idx[~ok]
            T = int(tau[bad].max()) + 1
            if T - 1 > check_int("max_recipe_steps", max_recipe_steps, minimum=1):
                raise ParameterError(
                    f"transfer_functions with momentum = {mu:g}: the contour does not "
                    f"apply at step {int(tau[bad].max())} and the exact recipe is "
                    f"limited to max_recipe_steps={max_recipe_steps}"
                )
            rl, rw, rm = recipe_modes(problem, lr_v * T, max(ks) + 1)
            Hr = recipe(
                rl, rw, inv(Nv), inv(Pv), 0.0, lr_v, T, momentum=mu, responses_only=True, mult=rm
            )
            out[bad] = Hr[tau[bad].astype(np.int64)][:, ks]
            pos = pos.copy()
            pos[bad] = False
    if np.any(pos):
        out[pos] = np.asarray(
            _core.dmft.transfer(
                core_spectrum(problem, inv(Nv), inv(Pv)),
                list(tau[pos]),
                ks,
                _core.dmft.CurveOptions(
                    flow=flow,
                    lr=lr_v,
                    nodes=nodes,
                    threads=threads_arg(threads),
                    momentum=mu,
                    u_max=petal_u,
                ),
            )
        )
    return finite("H_k", out)


@fill_doc(DMFT)
def irreducible_bias(
    problem: Problem,
    P: Size,
    times: Iterable[float],
    *,
    lr: Optional[float] = None,
    flow: bool = False,
    N: Size = None,
    momentum: Optional[float] = None,
    nodes: int = 14,
    threads: Optional[int] = None,
) -> np.ndarray:
    """Infinite-ensemble, infinite-bagging loss ``B(t, N, P) = sum_k lambda_k w*_k^2 H_k(t)^2``.

    Eqs. 19, 114 (:ref:`dmft-ensembles`): what ensembling E -> inf models and bagging over
    B -> inf data sets cannot remove (``loss_curve(..., ensemble=math.inf, bags=math.inf)``;
    finite E, B there too). No 1/2, no noise floor.

    Parameters
    ----------
    problem : Problem
        Spectrum and target (M = inf allowed: summed by the contour route of
        :func:`~scalinglaws.dmft.loss_curve`).
    {P}
    times : sequence of float
        GD: ``t = lr * steps``; flow: the time t.
    lr : float, optional
        Learning rate of discrete GD (required unless ``flow``).
    {flow}
    {N}
    momentum : float, optional
        As in :func:`transfer_functions`.
    nodes : int, optional
        Talbot nodes, as in :func:`transfer_functions`.
    {threads}

    Returns
    -------
    ndarray
        ``B(t)``, shape (len(times),).

    Raises
    ------
    ParameterError
        As :func:`transfer_functions`.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> p = sl.Problem.bordelon(1.5, 1.25, M=200, N=50)
    >>> b = sl.dmft.irreducible_bias(p, 100, [1.0, 10.0], flow=True)
    >>> L = sl.dmft.loss_curve(p, 100, [1.0, 10.0], flow=True).test_loss
    >>> bool(np.all(b < L))                       # ensembling and bagging lower the loss
    True
    """
    problem = check_problem(problem)
    options: Dict[str, Any] = dict(
        lr=lr, flow=flow, N=N, momentum=momentum, nodes=nodes, threads=threads
    )
    if problem.infinite:
        # infinitely many modes: the E = B = inf loss of the contour route (same quantity)
        from .curves import loss_curve

        return loss_curve(problem, P, times, ensemble=INF, bags=INF, **options).test_loss
    H = transfer_functions(problem, P, times, list(range(1, problem.M + 1)), **options)
    return finite("bias loss", H**2 @ problem.target_power)
