"""Frequency-domain responses and mode transfer functions of the DMFT (Bordelon et al. eqs. 10-11,
32-33; theory page "DMFT", section "Responses").

:func:`transfer_functions` and :func:`irreducible_bias` live in :mod:`scalinglaws.dmft.transfer`
and are re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

from .._backend import _core
from .._docstrings import fill_doc
from .._validate import check_complex, check_int, check_modes, check_real, check_values, threads_arg
from ..errors import ParameterError
from ..problem import Problem
from ._common import (
    INF,
    Size,
    check_momentum,
    check_problem,
    finite,
    inv,
    problem_sizes,
    size,
)
from ._docs import DMFT
from ._spectrum import core_spectrum, head_arrays, mode_bound, mode_lambdas
from .transfer import irreducible_bias, transfer_functions

__all__ = ["Responses", "responses", "transfer_functions", "timescale_density", "irreducible_bias"]


@dataclass
class Responses:
    """Frequency-domain responses at the frequencies ``q`` (see :func:`responses`).

    ``q`` is the unified variable: Laplace ``s`` (gradient flow; ``s + beta s^2`` with continuous
    momentum) or ``(z - 1)/lr`` (discrete GD; ``(z - 1)(1 - mu/z)/lr`` with heavy-ball momentum).
    ``S = P (1 - R1) = N (1 - R3)``; ``x = R1 R3``. The mode transfer function is
    ``h_k(q) = 1/(q + lambda_k x)``: for flow ``H_k(s) = h_k`` (eq. 10 with ``s = i omega``;
    ``(1 + beta s) h_k`` with momentum), for GD the z-transform of ``H_k(n)`` is ``z h_k / lr``
    (``(z - mu) h_k / lr`` with momentum). Theory: :ref:`dmft-responses`, :ref:`dmft-discrete`.

    Attributes
    ----------
    q : ndarray of complex
        The unified frequencies (shape of the frequencies given to :func:`responses`).
    S : ndarray of complex
        ``S(q) = sum_k lambda_k x/(q + lambda_k x)`` (eq. 11), same shape.
    R1 : ndarray of complex
        Data response ``1 - S/P`` (1 at P = inf).
    R3 : ndarray of complex
        Projection response ``1 - S/N`` (1 at N = inf).
    lam : ndarray of float
        The eigenvalues ``lambda_k`` of the problem (its explicit head at M = inf), for :meth:`h`.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> p = sl.Problem.bordelon(1.5, 1.25, M=200, N=50)
    >>> r = sl.dmft.responses(p, 100, s=[0.1, 1.0])
    >>> r.h([0, 4]).shape, bool(np.all(np.abs(r.R1 - (1 - r.S / 100)) < 1e-15))
    ((2, 2), True)
    """

    q: np.ndarray
    S: np.ndarray
    R1: np.ndarray
    R3: np.ndarray
    lam: np.ndarray

    @property
    def x(self) -> np.ndarray:
        """The product ``x = R1 R3`` rescaling the eigenvalues in ``h_k = 1/(q + lambda_k x)``."""
        return self.R1 * self.R3

    def h(self, modes: Sequence[int]) -> np.ndarray:
        """``h_k(q) = 1/(q + lambda_k R1 R3)`` at every frequency, for the given modes.

        Parameters
        ----------
        modes : sequence of int
            0-based mode indices into :attr:`lam` (unlike the 1-based mode numbers of
            :func:`transfer_functions`).

        Returns
        -------
        ndarray of complex
            Shape (len(q), len(modes)) for 1-d ``q``.
        """
        idx = np.asarray(modes, dtype=np.int64)
        return 1.0 / (self.q[:, None] + self.lam[idx][None, :] * self.x[:, None])


@fill_doc(DMFT)
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
    returned; q on the negative real axis (the spectrum's branch cut) is rejected.

    Parameters
    ----------
    problem : Problem
        Spectrum and target (M = inf allowed: the power-law tail is summed).
    P : int or math.inf
        Number of training samples (None or ``math.inf`` with ``batch``).
    s, omega, z : complex or array_like of complex, optional
        The frequencies: exactly one of them (see above).
    lr : float, optional
        Learning rate (> 0), required with ``z``.
    {N}
    momentum : float, optional
        Heavy-ball mu in [0, 1) with ``z``; continuous beta >= 0 with ``s``/``omega``.
    batch : int, optional
        One-pass SGD batch size (>= 1): the responses of fresh-sample SGD (with ``z``).
    {threads}

    Returns
    -------
    Responses
        ``q``, ``S``, ``R1``, ``R3`` with the shape of the given frequencies, and ``lam``.

    Raises
    ------
    ParameterError
        Not exactly one of ``s``/``omega``/``z``, ``z`` without ``lr``, a frequency on the
        non-positive real q axis or not finite, an invalid ``momentum``, ``batch`` with a
        finite ``P``, or an invalid size.
    ConvergenceError
        The self-consistency solver failed (the message gives the residual).

    Examples
    --------
    >>> import scalinglaws as sl
    >>> p = sl.Problem.bordelon(1.5, 1.25, M=200, N=50)
    >>> r = sl.dmft.responses(p, 100, s=1.0)
    >>> x = r.R1 * r.R3                                       # eq. 11 holds
    >>> bool(abs(r.S - np.sum(p.lam * x / (1.0 + p.lam * x))) < 1e-10)
    True
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
    problem, Nv, Pv = problem_sizes(problem, P, N)
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


@fill_doc(DMFT)
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
    """Timescale densities ``rho_k(u)`` with ``H_k(t) = int du rho_k(u) e^{-u t}`` (gradient flow).

    App. F, eq. 90 (:ref:`dmft-timescales`): ``rho_k(u) = -(1/pi) Im H_k(s = -u + i eps)``.
    Point masses at u = 0 (unlearnable parts, eq. 71) are not included.

    Parameters
    ----------
    problem : Problem
        Spectrum and target (M = inf allowed).
    {P}
    u : array_like of float
        Decay rates (> 0; inverse gradient-flow time).
    modes : sequence of int
        1-based mode numbers.
    {N}
    eps : float, optional
        Relative distance of the evaluation point from the real axis
        (``s = -u + i eps max(u, 1)``; > 0): the density is broadened on that scale.
    {threads}

    Returns
    -------
    ndarray
        ``rho_k(u)``, shape (len(u), len(modes)).

    Raises
    ------
    ParameterError
        Non-positive ``u`` or ``eps``, invalid modes or sizes.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> p = sl.Problem.bordelon(1.5, 1.25, M=200, N=50)
    >>> rho = sl.dmft.timescale_density(p, 100, [0.1, 0.5], [1, 10])
    >>> rho.shape, bool(np.all(rho >= 0))
    ((2, 2), True)
    """
    problem = check_problem(problem)
    u = check_values("u", u, minimum=0.0, min_open=True)
    eps = check_real("eps", eps, minimum=0.0, min_open=True)
    ks = [int(k) for k in check_modes(modes, mode_bound(problem))]
    r = responses(problem, P, s=-u + 1j * eps * np.maximum(u, 1.0), N=N, threads=threads)
    if problem.infinite:  # lambda_k of any mode from the power law
        lam_k = mode_lambdas(problem, ks)
        h = 1.0 / (r.q[:, None] + lam_k[None, :] * r.x[:, None])
        return finite("rho", -h.imag / math.pi)
    return finite("rho", -r.h(ks).imag / math.pi)
