"""Validity of the contour route (fixed-Talbot inversion): the spectral edge of K and whether the
contour encloses every singularity (theory page "DMFT", section "Contour route")."""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .._backend import _core
from .._docstrings import fill_doc
from ..errors import ParameterError
from ..problem import Problem
from ._common import (
    INF,
    inv,
)
from ._docs import DMFT
from ._spectrum import core_spectrum, effective_size, lam_max, trace

__all__ = ["check_contour_lr", "spectral_edge", "momentum_contour_ok", "gd_contour_u_max"]


@fill_doc(DMFT)
def check_contour_lr(problem: Problem, Nv: float, Pv: float, lr: float) -> None:
    """Refuse the GD contour route when ``lr * max eig(K) >= 1``.

    The contour of discrete GD encloses z in (0, 1]; it is valid only when the DMFT spectrum of K
    has no mass at u >= 1/lr. Checked with the DMFT spectral density at u = 1/lr, 1.25/lr and
    2/lr (at N = P = inf: with the largest eigenvalue). The loss curves add a second petal
    instead (see :func:`gd_contour_u_max`); the transfer functions still require this.
    Theory: :ref:`dmft-contour`.

    Parameters
    ----------
    {task}
    {NvPv}
    {lr_gd}

    Raises
    ------
    ParameterError
        The spectrum reaches 1/lr: use a smaller ``lr`` or ``method="recipe"``.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=200, N=50)
    >>> check_contour_lr(p, 50.0, 100.0, 0.5)            # stable: returns None
    >>> check_contour_lr(p, 50.0, 100.0, 5.0)
    Traceback (most recent call last):
    ...
    scalinglaws.errors.ParameterError: method='contour' for GD needs lr * max eigenvalue(K) < 1, ...
    """
    if Nv == INF and Pv == INF:
        if lr * lam_max(problem) >= 1.0:
            raise ParameterError(
                f"method='contour' for GD needs lr * max eigenvalue < 1 (lr={lr}); "
                "use method='recipe'"
            )
        return
    scale = trace(problem)
    sp = core_spectrum(problem, inv(Nv), inv(Pv))
    for u in (1.0 / lr, 1.25 / lr, 2.0 / lr):
        q = -u + 1e-9j * u
        S = _core.dmft.solve(sp, [q], 1)[0]
        if abs(S.imag) > 1e-6 * scale:
            raise ParameterError(
                f"method='contour' for GD needs lr * max eigenvalue(K) < 1, but the "
                f"DMFT spectrum reaches u = {u:g} >= 1/lr (lr={lr}); use a smaller lr "
                "or method='recipe'"
            )


def check_edge_stable(lr: float, u_edge: float, name: str = "lr") -> None:
    """Refuse plain GD with ``lr * u >= 2`` for u on the DMFT spectrum of K.

    ``u_edge`` is the result of :func:`spectral_edge`, whose 2% margin is removed here; ``name``
    is how the message calls the rate (``"peak lr"`` for a schedule).
    """
    u = u_edge / 1.02
    if lr * u >= 2.0:
        raise ParameterError(
            f"{name} = {lr:g} is unstable for GD: the DMFT spectrum of K reaches "
            f"u = {u:.4g} and stability needs {name} * u < 2, i.e. {name} < {2.0 / u:.4g}"
        )


def gd_petal(problem: Problem, Nv: float, Pv: float, lr: float, name: str = "lr") -> float:
    """:func:`check_edge_stable` on the :func:`spectral_edge` of K, then
    :func:`gd_contour_u_max` (0.0 when one petal suffices), with the edge computed once."""
    u_edge = spectral_edge(problem, Nv, Pv)
    check_edge_stable(lr, u_edge, name)
    return gd_contour_u_max(problem, Nv, Pv, lr, u_edge)


@fill_doc(DMFT)
def gd_contour_u_max(
    problem: Problem, Nv: float, Pv: float, lr: float, u_edge: Optional[float] = None
) -> float:
    """The second-petal bound ``CurveOptions.u_max`` of the discrete-GD contour route.

    No momentum. It is 0 when the one-petal Talbot contour around z in (0, 1] encloses every singularity z = 1 - lr u (the
    spectrum of K ends below 1/lr), else an upper bound on the spectrum of K above 1/lr, which
    adds the second petal around z in (-1, 0) (theory page "DMFT", section "Contour route").

    Below 1/lr by :func:`spectral_edge` (``u_edge`` if the caller has it) *and* by the
    spectral-density probes of :func:`check_contour_lr`; either seeing mass at u >= 1/lr selects
    two petals. The second petal encloses every z in (-1, 0) whatever the value (it only decides
    whether the petal is needed), so the route is exact on the whole stable range lr u < 2.
    Theory: :ref:`dmft-contour-petals`.

    Parameters
    ----------
    {task}
    {NvPv}
    {lr_gd}
    u_edge : float, optional
        The result of :func:`spectral_edge`, if already known.

    Returns
    -------
    float
        0.0 (one petal suffices) or an upper bound of the spectrum of K above ``1 / lr``.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=200, N=50)
    >>> gd_contour_u_max(p, 50.0, 100.0, 0.5)
    0.0
    >>> bool(gd_contour_u_max(p, 50.0, 100.0, 1.5) * 1.5 > 1.0)
    True
    """
    if u_edge is None:
        u_edge = spectral_edge(problem, Nv, Pv)
    if lr * u_edge > 1.0:
        return float(u_edge)
    try:
        check_contour_lr(problem, Nv, Pv, lr)
    except ParameterError:
        return 1.999 / lr
    return 0.0


@fill_doc(DMFT)
def spectral_edge(problem: Problem, Nv: float, Pv: float) -> float:
    """Upper edge of the DMFT spectrum of K, with a 2% margin.

    The support of the density ``-Im S(-u + i0)/pi`` is scanned on a log grid down from a norm
    bound ``1.1 lambda_max (1 + sqrt(M/N))^2 (1 + sqrt(M/P))^2`` and its edge is refined by
    bisection. At N = P = inf it is the largest eigenvalue itself. Theory: :ref:`dmft-contour`.

    Parameters
    ----------
    problem : Problem
        The task (M = inf allowed: its effective size is used in the bound).
    {NvPv}

    Returns
    -------
    float
        ``1.02 u_edge`` (same unit as the eigenvalues), or ``lambda_max`` when N = P = inf.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=200, N=50)
    >>> edge = spectral_edge(p, 50.0, 100.0)
    >>> bool(edge > p.lam.max())                  # finite N, P spread the spectrum upwards
    True
    """
    top = lam_max(problem)
    if Nv == INF and Pv == INF:
        return top
    M = effective_size(problem)
    fN = 1.0 if Nv == INF else (1.0 + math.sqrt(M / Nv)) ** 2
    fP = 1.0 if Pv == INF else (1.0 + math.sqrt(M / Pv)) ** 2
    hi = 1.1 * top * fN * fP
    scale = trace(problem)
    sp = core_spectrum(problem, inv(Nv), inv(Pv))

    def inside(u: float) -> bool:
        S = _core.dmft.solve(sp, [-u + 1e-9j * u], 1)[0]
        return abs(S.imag) > 1e-7 * scale

    grid = np.geomspace(hi, top * 1e-2, 80)
    prev = hi
    for u in grid:
        if inside(u):
            lo, up = u, prev
            for _ in range(40):
                mid = 0.5 * (lo + up)
                if inside(mid):
                    lo = mid
                else:
                    up = mid
            return 1.02 * up
        prev = u
    return top


@fill_doc(DMFT)
def momentum_contour_ok(
    problem: Problem,
    Nv: float,
    Pv: float,
    taus: np.ndarray,
    nodes: int,
    *,
    lr: float = 0.0,
    mu: float = 0.0,
    beta: Optional[float] = None,
    power: float = 2.0,
    tol: float = 1e-10,
    u_max: Optional[float] = None,
) -> np.ndarray:
    """Whether the fixed-Talbot contour of "time" tau (steps for GD, t for flow) can be used.

    With momentum the transfer functions are singular where q(z) (GD: ``(z-1)(1-mu/z)/lr``;
    flow: ``s + beta s^2``) hits the spectrum -u, u in (0, u_max]: the roots of
    ``z^2 - (1 + mu - lr u) z + mu`` (complex pairs of modulus sqrt(mu) once
    ``lr u > (1 - sqrt mu)^2``; negative real near ``lr u = 2(1 + mu)``), resp. of
    ``beta s^2 + s + u`` (complex with real part -1/(2 beta) once ``4 beta u > 1``). In
    ``s = log z`` the contour ``s(theta) = r theta (cot theta + i)``, ``r = 2 nodes/(5 tau)``,
    reaches heights ``|Im s| < r pi`` only and passes Im s = w at Re s = w cot(w/r). A singular
    point not strictly inside crosses the contour; the loss (quadratic in the responses) then
    errs by ~ |e^{s tau}|^2 (measured against the exact recipe: heavy ball mu = 0.9, N = 64,
    P = 256, lr = 0.2: relative error 1e-4 / 2e-6 / 1e-9 at 100 / 150 / 200 steps, where
    mu^steps = 3e-5 / 1e-7 / 7e-10). The contour is accepted when every singular point is inside
    or has ``|e^{s tau}|^power < tol`` (power 2 for losses, 1 for transfer functions).
    Theory: :ref:`dmft-contour`, :ref:`dmft-momentum`.

    Parameters
    ----------
    {task}
    {NvPv}
    taus : ndarray
        Times at which the contour would be used (steps for GD, t for flow).
    nodes : int
        Number of fixed-Talbot nodes.
    lr : float, optional
        Learning rate (discrete GD; ignored when ``beta`` is given).
    mu : float, optional
        Heavy-ball momentum in [0, 1) (discrete GD).
    beta : float, optional
        Momentum time constant of the flow ``q(s) = s + beta s^2``; None for discrete GD.
    power : float, optional
        2 for losses, 1 for transfer functions.
    tol : float, optional
        Accepted weight ``|e^{s tau}|^power`` of a singular point outside the contour.
    u_max : float, optional
        Spectral edge (default: :func:`spectral_edge`).

    Returns
    -------
    ndarray of bool
        One flag per entry of ``taus``.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=100, N=32)
    >>> # 4 nodes: the complex roots (modulus sqrt(0.9)) lie outside; 0.9^100 is not negligible
    >>> momentum_contour_ok(p, 32.0, 64.0, np.array([100.0, 400.0]), 4, lr=0.2, mu=0.9)
    array([False,  True])
    """
    if u_max is None:  # the caller may have it already (see loss_curve)
        u_max = spectral_edge(problem, Nv, Pv)
    u = u_max * np.concatenate([np.geomspace(1e-8, 1.0, 1500), [1.0]])
    if beta is not None:
        disc = np.sqrt((1.0 - 4.0 * beta * u).astype(np.complex128))
        roots = np.concatenate([(-1.0 + disc) / (2.0 * beta), (-1.0 - disc) / (2.0 * beta)])
    else:
        bsum = 1.0 + mu - lr * u
        disc = np.sqrt((bsum * bsum - 4.0 * mu).astype(np.complex128))
        z = np.concatenate([(bsum + disc) / 2.0, (bsum - disc) / 2.0])
        z = z[np.abs(z) > 0]
        roots = np.log(z.astype(np.complex128))
    sig = roots.real
    om = np.abs(roots.imag)
    out = np.empty(len(taus), bool)
    for i, tau in enumerate(np.asarray(taus, dtype=np.float64)):
        r = 2.0 * nodes / (5.0 * tau)
        with np.errstate(divide="ignore", invalid="ignore"):
            th = om / r
            edge = np.where(th == 0, r, om / np.tan(np.minimum(th, np.pi - 1e-300)))
        inside = (th < np.pi) & (sig < edge)
        weight = np.exp(power * np.minimum(sig * tau, 0.0))
        out[i] = bool(np.all(inside | (weight < tol)))
    return out
