"""Frequency-domain responses and mode transfer functions of the DMFT (Bordelon et al. eqs. 10-11,
32-33; theory page "DMFT", section "Responses")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Optional, Sequence

import numpy as np

from .._backend import _core
from .._validate import check_complex, check_int, check_modes, check_real, check_values, threads_arg
from ..errors import ParameterError
from ..problem import Problem
from ._common import (
    INF,
    Size,
    check_momentum,
    check_problem,
    check_stable,
    finite,
    inv,
    size,
    times_array,
)
from ._spectrum import core_spectrum, head_arrays, mode_lambdas, recipe_modes
from .contour import check_contour_lr, momentum_contour_ok
from .recipe import recipe

__all__ = ["Responses", "responses", "transfer_functions", "timescale_density", "irreducible_bias"]


@dataclass
class Responses:
    """Frequency-domain responses at the frequencies ``q`` (see :func:`responses`).

    ``q`` is the unified variable: Laplace ``s`` (gradient flow; ``s + beta s^2`` with continuous
    momentum) or ``(z - 1)/lr`` (discrete GD; ``(z - 1)(1 - mu/z)/lr`` with heavy-ball momentum).
    ``S = P (1 - R1) = N (1 - R3)``; ``x = R1 R3``. The mode transfer function is
    ``h_k(q) = 1/(q + lambda_k x)``: for flow ``H_k(s) = h_k`` (eq. 10 with ``s = i omega``;
    ``(1 + beta s) h_k`` with momentum), for GD the z-transform of ``H_k(n)`` is ``z h_k / lr``
    (``(z - mu) h_k / lr`` with momentum).
    """

    q: np.ndarray
    S: np.ndarray
    R1: np.ndarray
    R3: np.ndarray
    lam: np.ndarray

    @property
    def x(self) -> np.ndarray:
        return self.R1 * self.R3

    def h(self, modes: Sequence[int]) -> np.ndarray:
        """``h_k(q) = 1/(q + lambda_k R1 R3)`` for 0-based mode indices; shape (len(q), len(modes))."""
        idx = np.asarray(modes, dtype=np.int64)
        return 1.0 / (self.q[:, None] + self.lam[idx][None, :] * self.x[:, None])


def responses(
    problem: Problem,
    P: Size,
    *,
    s: Any = None,
    omega: Any = None,
    z: Any = None,
    lr: Optional[float] = None,
    N: Size = None,
    momentum: Optional[float] = None,
    batch: Optional[int] = None,
    threads: Optional[int] = None,
) -> Responses:
    """Solve the one-scalar self-consistency (:ref:`dmft-responses`) at complex frequencies.

    ``S = sum_k lambda_k x/(q + lambda_k x)``, ``x = (1 - S/P)(1 - S/N)``, ``R1 = 1 - S/P``,
    ``R3 = 1 - S/N`` (eqs. 11, 32, 68). Give exactly one of: ``s`` (Laplace variable, gradient
    flow), ``omega`` (real or complex frequency, ``s = i omega``), or ``z`` together with ``lr``
    (discrete GD, z-transform, ``q = (z-1)/lr``; :ref:`dmft-discrete`). ``N`` defaults to ``problem.N``;
    N or P may be ``math.inf``. ``momentum`` (App. K.2): with ``z``, heavy-ball mu in [0, 1) and
    ``q = (z - 1)(1 - mu/z)/lr`` (eq. 141: ``H_k(z) = h_k/lr``; the z-transform of ``H_k(n)`` is
    ``(z - mu) h_k/lr``); with ``s``/``omega``, continuous beta >= 0 and ``q = s + beta s^2``
    (eq. 138; the Laplace transform of ``H_k(t)`` is ``(1 + beta s) h_k``).

    One-pass SGD with batch B (eqs. 142-144, :ref:`dmft-sgd`): every step sees fresh samples, so
    ``R1 = 1`` and R3 is the discrete "analog of (11)" with no data term, i.e. the discrete-GD
    response at P = inf; the batch size enters the correlations (the loss), not the responses.
    ``batch=B`` (with ``z``, ``lr`` and ``P`` None or inf) returns exactly that.

    The physical branch (S a Stieltjes transform, reached by continuation from |q| = infinity) is
    returned; q on the negative real axis (the spectrum's branch cut) is rejected. Raises
    :class:`DmftSolveError` with the residual on failure.
    """
    if batch is not None:
        check_int("batch", batch, minimum=1)
        if P is not None and size("P", P) != INF:
            raise ParameterError("one-pass SGD (batch) has no finite P: pass P=None or math.inf")
        if momentum is not None:
            raise ParameterError("momentum is not available with one-pass SGD (batch)")
        if z is None:
            raise ParameterError("one-pass SGD (batch) is discrete-time: give z with lr")
        P = INF
    problem = check_problem(problem)
    Pv = size("P", P)
    Nv = size("N", N, problem.N)
    given = [n for n, v in (("s", s), ("omega", omega), ("z", z)) if v is not None]
    if len(given) != 1:
        raise ParameterError("give exactly one of s (Laplace), omega (s = i omega) or z (with lr)")
    q: np.ndarray
    if z is not None:
        if lr is None:
            raise ParameterError("lr is required with z (discrete GD: q = (z - 1)/lr)")
        lr = check_real("lr", lr, minimum=0.0, min_open=True)
        mu = check_momentum(momentum, False)
        zz = check_complex("z", z)
        if mu == 0.0:
            with np.errstate(over="ignore", invalid="ignore"):
                q = (zz - 1.0) / lr
        else:
            if np.any(zz == 0):
                raise ParameterError("z = 0 is not allowed with momentum (q = (z-1)(1-mu/z)/lr)")
            with np.errstate(over="ignore", invalid="ignore"):
                q = (zz - 1.0) * (1.0 - mu / zz) / lr
    else:
        beta = check_momentum(momentum, True)
        sv = 1j * check_complex("omega", omega) if omega is not None else check_complex("s", s)
        with np.errstate(over="ignore", invalid="ignore"):
            q = sv if beta == 0.0 else sv + beta * sv * sv
    shape = q.shape
    q = q.ravel()
    if not np.all(np.isfinite(q)):
        raise ParameterError("frequencies must be finite")
    bad = (q.imag == 0) & (q.real <= 0)
    if np.any(bad):
        raise ParameterError(
            f"frequency q = {q[bad][0].real:g} lies on the non-positive real axis "
            "(branch cut of the spectrum); give it a small imaginary part"
        )
    sp = core_spectrum(problem, inv(Nv), inv(Pv))
    S = np.asarray(_core.dmft.solve(sp, list(q), threads_arg(threads)), dtype=np.complex128)
    finite("S", S)
    R1 = 1.0 - S * inv(Pv)
    R3 = 1.0 - S * inv(Nv)
    return Responses(
        q.reshape(shape),
        S.reshape(shape),
        R1.reshape(shape),
        R3.reshape(shape),
        head_arrays(problem)[0],
    )


def _mode_bound(problem: Problem) -> int:
    """Largest 1-based mode number: M, or 10**9 at M = inf (lambda_k from the power law)."""
    return 10**9 if problem.infinite else int(problem.M)


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
    """Mode transfer functions ``H_k(t) = d<v0_k(t)>/d w*_k`` (eq. 10 inverted; :ref:`dmft-responses`).

    ``modes`` are 1-based mode numbers k (k = 1 is the largest eigenvalue). GD times are rounded to
    whole steps (needs steps >= nodes/2; t = 0 gives 1). Returns shape (len(times), len(modes)).
    ``momentum``: heavy-ball mu (GD) or continuous beta (flow), as in :func:`loss_curve`. For
    heavy-ball steps where the contour does not enclose the momentum poles (one-frequency error
    ~ mu^(steps/2), see :func:`_momentum_contour_ok`) the responses of the exact T x T recipe are
    used (steps <= ``max_recipe_steps``); for continuous momentum such times raise ValueError.
    """
    problem = check_problem(problem)
    Pv = size("P", P)
    Nv = size("N", N, problem.N)
    t = times_array(times)
    nodes = check_int("nodes", nodes, minimum=4, maximum=200)
    ks = [int(k) for k in check_modes(modes, _mode_bound(problem))]
    if not ks:
        raise ParameterError("modes must not be empty")
    out = np.ones((t.size, len(ks)))
    mu = check_momentum(momentum, flow)
    if flow:
        tau = t
        lr_v = 0.0
    else:
        if lr is None:
            raise ParameterError("lr is required for discrete GD (or pass flow=True)")
        lr_v = check_real("lr", lr, minimum=0.0, min_open=True)
        with np.errstate(over="ignore"):
            tau = np.round(t / lr_v)
        if not np.all(tau <= 1e15):
            raise ParameterError(
                f"steps = {np.max(tau):.3g} (times / lr) is out of range (valid: <= 1e15)"
            )
        if mu == 0.0:
            if np.any((tau > 0) & (tau < (nodes + 1) // 2)):
                raise ParameterError(
                    f"discrete-GD transfer functions need t = 0 or >= {(nodes + 1) // 2} steps"
                )
            check_contour_lr(problem, Nv, Pv, lr_v)
        else:
            check_stable(head_arrays(problem)[0], lr_v, mu)
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
                    flow=flow, lr=lr_v, nodes=nodes, threads=threads_arg(threads), momentum=mu
                ),
            )
        )
    return finite("H_k", out)


def timescale_density(
    problem: Problem,
    P: Size,
    u: Any,
    modes: Sequence[int],
    *,
    N: Size = None,
    eps: float = 1e-8,
    threads: Optional[int] = None,
) -> np.ndarray:
    """Timescale densities ``rho_k(u)`` with ``H_k(t) = int du rho_k(u) e^{-u t}`` (App. F, eq. 90;
    :ref:`dmft-timescales`): ``rho_k(u) = -(1/pi) Im H_k(s = -u + i eps)`` for gradient flow. ``u > 0``;
    modes are 1-based. Point masses at u = 0 (unlearnable parts, eq. 71) are not included.
    Returns shape (len(u), len(modes))."""
    problem = check_problem(problem)
    u = check_values("u", u, minimum=0.0, min_open=True)
    eps = check_real("eps", eps, minimum=0.0, min_open=True)
    ks = [int(k) for k in check_modes(modes, _mode_bound(problem))]
    r = responses(problem, P, s=-u + 1j * eps * np.maximum(u, 1.0), N=N, threads=threads)
    if problem.infinite:  # lambda_k of any mode from the power law
        lam_k = mode_lambdas(problem, ks)
        h = 1.0 / (r.q[:, None] + lam_k[None, :] * r.x[:, None])
        return finite("rho", -h.imag / math.pi)
    return finite("rho", -r.h(ks).imag / math.pi)


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
    """Infinite-ensemble, infinite-bagging loss ``B(t, N, P) = sum_k lambda_k w*_k^2 H_k(t)^2``
    (eqs. 19, 114; :ref:`dmft-ensembles`): what ensembling E -> inf models and bagging over B -> inf data
    sets cannot remove (``loss_curve(..., ensemble=math.inf, bags=math.inf)``; finite E, B there
    too). No 1/2. ``momentum`` as in :func:`transfer_functions`."""
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
