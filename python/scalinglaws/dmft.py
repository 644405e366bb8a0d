"""DMFT theory of Bordelon, Atanasov & Pehlevan, "A Dynamical Model of Neural Scaling Laws" (ICML 2024).

Everything here uses the **non-proportional normalisation** of the paper's App. G (dmft.md 2.2):
``v0 = w* - (1/sqrt N) A^T w``, test loss ``L = sum_k lambda_k v0_k^2`` (**no 1/2, no sigma^2
floor**), train loss ``Lhat = (1/P) ||y - Phi w||^2`` (no 1/2; it includes label noise), the same
conventions as :mod:`scalinglaws.simulate`. Time: gradient flow ``dv0/dt = -K v0`` with
``K = (A^T A/N)(Psi^T Psi/P)``; discrete GD ``v0(n+1) = v0(n) - lr K v0(n)`` reported at
``t = lr * n`` (dmft.md 3.11). One-pass SGD (batch B, batch-mean learning rate) is reported at the
step count, as :func:`scalinglaws.simulate.simulate_sgd`.

Main entry points

* :func:`responses` -- R1, R3 and S = N(1-R3) = P(1-R1) at complex frequencies (dmft.md 3.3,
  eqs. 10-11, 32-33; discrete GD through its z-transform, dmft.md 3.11). C++ damped Newton with
  continuation.
* :func:`loss_curve` -- L(t), Lhat(t) for finite or infinite N, P. Two independent routes:
  ``"contour"`` (fast): 2-D inverse Laplace / z-transform of the two-frequency correlation system
  (dmft.md 3.4, eq. 35, reduced to a 2x2 system per frequency pair) on fixed-Talbot contours, in
  C++; ``"recipe"`` (reference): the paper's T x T recipe (App. M.1, dmft.md 3.5, with the
  corrected C3 update), evaluated exactly using that all responses are lower-triangular Toeplitz
  (time-translation invariant), which reduces its cost from O(M T^3) to O(M T^2).
  Both routes take ``ensemble=E, bags=B`` (App. H, eqs. 108-113): the loss of the predictor
  averaged over E independent projections and B independent data sets (cross-system
  correlations of eq. 110); E = B = inf is :func:`irreducible_bias`.
* :func:`train_test_gap` -- ``L(t) - Lhat(t)`` from eq. 18 (App. E, eqs. 84-85) in its discrete
  form, evaluated from R0,2 and C1 of the recipe (the gap expressed through the data response;
  an algebraic identity of the recipe, so it equals test - train to round-off).
* :func:`transfer_functions` -- H_k(t) (eq. 10 inverted).
* Momentum (App. K.2) in :func:`responses`, :func:`loss_curve`, :func:`transfer_functions`,
  :func:`train_test_gap` via ``momentum=``: discrete heavy ball ``b(n) = v4(n) + mu b(n-1)``,
  ``v0(n+1) = v0(n) - lr b(n)`` (eqs. 139-141; recipe with ``Theta(n) = lr (1-mu^n)/(1-mu)``,
  contour with ``q = (z-1)(1-mu/z)/lr``), reported at ``t = lr * n``; continuous momentum
  ``beta v0'' + v0' = -v4``, ``v0'(0) = 0`` (eqs. 137-138; contour with ``q = s + beta s^2``).
* Closed forms: :func:`infinite_width_loss` (eq. 125), :func:`final_losses` (App. C, eqs. 70-76;
  kernel limit eqs. 77-80; with label noise, and for E-member ensembles / B bags at t = inf),
  :func:`early_time_transfer` (App. D, eq. 83), :func:`exponents`
  (eq. 14 and App. N with the eq. 155 typo fixed), :func:`compute_optimal_frontier`,
  :func:`timescale_density` (App. F, eq. 90), :func:`irreducible_bias` (eqs. 19, 114).

Ensembles and bagging (App. H): with E projections ``A_e`` and B data sets ``Psi_b`` (P samples
each, every data set shared by all E members, label noise shared within a data set), the mode
correlation of ``v0bar = (1/EB) sum_{e,b} v0_{e,b}`` is
``<v0bar v0bar'> = H H' [w*^2 + (1/(N E)) ((1/B) C3 + (1-1/B) C3x)
+ (lambda_k/(P B)) R3 R3' ((1/E) C1 + (1-1/E) C1x)]``, with ``C0x = (Sa + gamma0 sigma^2/(q q'))
/(1 - gamma0)``, ``C1x = R1 R1' (C0x + sigma^2/(q q'))`` (members on one data set) and
``C2x = R1 R1' Sd/(1 - gamma2)``, ``C3x = R3 R3' C2x`` (one member, two data sets), eq. 110.
This is the printed eq. 112 regrouped: its five terms are the bias, C3x/(N E), (C3 - C3x)/(N E B),
lambda R3R3' C1x/(P B) and lambda R3R3' (C1 - C1x)/(P E B) (checked term by term at t = inf in
the tests). The train loss of the average is defined for B = 1 only.

Not implemented: momentum or ensembles with one-pass SGD, and a recipe (T x T) route for
continuous momentum. The paper's figures are in :mod:`scalinglaws.dmft_figures`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from ._backend import _core
from ._validate import check_int, check_real
from .problem import Problem

__all__ = [
    "DmftSolveError", "Responses", "TheoryCurve", "Frontier",
    "responses", "loss_curve", "train_test_gap", "transfer_functions", "infinite_width_loss", "final_losses",
    "early_time_transfer", "exponents", "compute_optimal_frontier", "timescale_density",
    "irreducible_bias",
]

DmftSolveError = _core.DmftSolveError
Size = Union[int, float, None]
_INF = math.inf


# --------------------------------------------------------------------------- validation helpers
def _size(name: str, value: Any, default: Any = None) -> float:
    """A size >= 1 (integer) or math.inf; returns a float."""
    if value is None:
        value = default
    if value is None:
        raise ValueError(f"{name} is required (a positive integer or math.inf)")
    if isinstance(value, (float, np.floating)) and math.isinf(value) and value > 0:
        return _INF
    if isinstance(value, str) and value.strip().lower() in ("inf", "infinity"):
        return _INF
    return float(check_int(name, value, minimum=1))


def _inv(v: float) -> float:
    return 0.0 if math.isinf(v) else 1.0 / v


def _threads(threads: Optional[int]) -> int:
    return 0 if threads is None else check_int("threads", threads, minimum=1, maximum=1024)


def _check_problem(problem: Problem) -> Problem:
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a scalinglaws.Problem, got {type(problem).__name__}")
    return problem


def _finite(name: str, arr: np.ndarray) -> np.ndarray:
    """Reject NaN/inf; losses are >= 0, so round-off negatives (|x| ~ 1e-16) are clipped to 0."""
    arr = np.asarray(arr)
    if not np.all(np.isfinite(arr)):
        raise DmftSolveError(f"{name}: the theory produced non-finite values (solver failure)")
    if "loss" in name:
        arr = np.maximum(arr, 0.0)
    return arr


# --------------------------------------------------------------------------- responses
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


def responses(problem: Problem, P: Size, *, s: Any = None, omega: Any = None, z: Any = None,
              lr: Optional[float] = None, N: Size = None, momentum: Optional[float] = None,
              batch: Optional[int] = None, threads: Optional[int] = None) -> Responses:
    """Solve the one-scalar self-consistency (dmft.md 3.3) at complex frequencies.

    ``S = sum_k lambda_k x/(q + lambda_k x)``, ``x = (1 - S/P)(1 - S/N)``, ``R1 = 1 - S/P``,
    ``R3 = 1 - S/N`` (eqs. 11, 32, 68). Give exactly one of: ``s`` (Laplace variable, gradient
    flow), ``omega`` (real or complex frequency, ``s = i omega``), or ``z`` together with ``lr``
    (discrete GD, z-transform, ``q = (z-1)/lr``; dmft.md 3.11). ``N`` defaults to ``problem.N``;
    N or P may be ``math.inf``. ``momentum`` (App. K.2): with ``z``, heavy-ball mu in [0, 1) and
    ``q = (z - 1)(1 - mu/z)/lr`` (eq. 141: ``H_k(z) = h_k/lr``; the z-transform of ``H_k(n)`` is
    ``(z - mu) h_k/lr``); with ``s``/``omega``, continuous beta >= 0 and ``q = s + beta s^2``
    (eq. 138; the Laplace transform of ``H_k(t)`` is ``(1 + beta s) h_k``).

    One-pass SGD with batch B (eqs. 142-144, dmft.md 3.11): every step sees fresh samples, so
    ``R1 = 1`` and R3 is the discrete "analog of (11)" with no data term, i.e. the discrete-GD
    response at P = inf; the batch size enters the correlations (the loss), not the responses.
    ``batch=B`` (with ``z``, ``lr`` and ``P`` None or inf) returns exactly that.

    The physical branch (S a Stieltjes transform, reached by continuation from |q| = infinity) is
    returned; q on the negative real axis (the spectrum's branch cut) is rejected. Raises
    :class:`DmftSolveError` with the residual on failure.
    """
    if batch is not None:
        check_int("batch", batch, minimum=1)
        if P is not None and _size("P", P) != _INF:
            raise ValueError("one-pass SGD (batch) has no finite P: pass P=None or math.inf")
        if momentum is not None:
            raise ValueError("momentum is not available with one-pass SGD (batch)")
        if z is None:
            raise ValueError("one-pass SGD (batch) is discrete-time: give z with lr")
        P = _INF
    problem = _check_problem(problem)
    Pv = _size("P", P)
    Nv = _size("N", N, problem.N)
    given = [n for n, v in (("s", s), ("omega", omega), ("z", z)) if v is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of s (Laplace), omega (s = i omega) or z (with lr)")
    if z is not None:
        if lr is None:
            raise ValueError("lr is required with z (discrete GD: q = (z - 1)/lr)")
        lr = check_real("lr", lr, minimum=0.0, min_open=True)
        mu = _check_momentum(momentum, False)
        zz = np.asarray(z, dtype=np.complex128)
        if mu == 0.0:
            q = (zz - 1.0) / lr
        else:
            if np.any(zz == 0):
                raise ValueError("z = 0 is not allowed with momentum (q = (z-1)(1-mu/z)/lr)")
            q = (zz - 1.0) * (1.0 - mu / zz) / lr
    else:
        beta = _check_momentum(momentum, True)
        sv = 1j * np.asarray(omega, dtype=np.complex128) if omega is not None else \
            np.asarray(s, dtype=np.complex128)
        q = sv if beta == 0.0 else sv + beta * sv * sv
    shape = q.shape
    q = q.ravel()
    if not np.all(np.isfinite(q)):
        raise ValueError("frequencies must be finite")
    bad = (q.imag == 0) & (q.real <= 0)
    if np.any(bad):
        raise ValueError(f"frequency q = {q[bad][0].real:g} lies on the non-positive real axis "
                         "(branch cut of the spectrum); give it a small imaginary part")
    S = np.asarray(_core.dmft_solve(problem.lam, problem.wstar**2, _inv(Nv), _inv(Pv), list(q),
                                    _threads(threads)), dtype=np.complex128)
    _finite("S", S)
    R1 = 1.0 - S * _inv(Pv)
    R3 = 1.0 - S * _inv(Nv)
    return Responses(q.reshape(shape), S.reshape(shape), R1.reshape(shape), R3.reshape(shape),
                     problem.lam)


# --------------------------------------------------------------------------- time domain
@dataclass
class TheoryCurve:
    """Theory loss curves.

    times : gradient-flow time ``t`` (GD: ``lr * steps``; SGD: the step count).
    test_loss : ``sum_k lambda_k <v0_k(t)^2>`` -- no 1/2, no sigma^2 floor.
    train_loss : ``(1/P) <||y - Phi w||^2>`` -- no 1/2, includes label noise (None for SGD, and
        for bagging with B > 1, where there is no single training set).
    steps : whole steps for GD/SGD (None for flow).
    """

    times: np.ndarray
    test_loss: np.ndarray
    train_loss: Optional[np.ndarray]
    steps: Optional[np.ndarray]
    method: str
    params: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"times": [float(t) for t in self.times],
                               "test_loss": [float(v) for v in self.test_loss],
                               "train_loss": None if self.train_loss is None else
                               [float(v) for v in self.train_loss]}
        return out


def _series_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.convolve(a, b)[: a.shape[0]]


def _series_inv(a: np.ndarray) -> np.ndarray:
    T = a.shape[0]
    g = np.zeros(T)
    g[0] = 1.0 / a[0]
    for n in range(1, T):
        g[n] = -np.dot(a[1:n + 1], g[n - 1::-1]) / a[0]
    return g


def _toeplitz_lower(c: np.ndarray) -> np.ndarray:
    T = c.shape[0]
    idx = np.arange(T)
    d = idx[:, None] - idx[None, :]
    out = np.where(d >= 0, c[np.clip(d, 0, T - 1)], 0.0)
    return out


def _conv2(W: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """``out[t,s] = sum_{a<=t, b<=s} W[t-a, s-b] Z[a, b]`` (T x T), by FFT."""
    T = W.shape[0]
    n = 2 * T
    F = np.fft.rfft2(W, s=(n, n)) * np.fft.rfft2(Z, s=(n, n))
    return np.fft.irfft2(F, s=(n, n))[:T, :T]


def _theta_series(lr: float, T: int, momentum: float = 0.0) -> np.ndarray:
    """First column of the (strictly lower-triangular Toeplitz) Theta of ``v0 = w* - Theta v4``.

    GD ``v0(n+1) = v0(n) - lr v4(n)``: ``Theta(n) = lr`` for n >= 1. Heavy ball
    ``b(n) = v4(n) + mu b(n-1)``, ``v0(n+1) = v0(n) - lr b(n)``, ``b(-1) = 0`` (eq. 139):
    ``v0(n) = w* - lr sum_{m<n} sum_{s<=m} mu^(m-s) v4(s)``, i.e.
    ``Theta(n) = lr (1 - mu^n)/(1 - mu)`` (z-transform ``lr z/((z-1)(z-mu))``, eq. 141)."""
    theta = np.full(T, lr)
    if momentum != 0.0:
        n = np.arange(T, dtype=np.float64)
        theta = lr * (-np.expm1(n * math.log(momentum))) / (1.0 - momentum)
    theta[0] = 0.0  # strictly lower
    return theta


def _recipe(lam: np.ndarray, w2: np.ndarray, invN: float, invP: float, sigma2: float, lr: float,
            T: int, batch: Optional[int] = None, momentum: float = 0.0, invE: float = 1.0,
            invB: float = 1.0, full: bool = False, responses_only: bool = False) -> Any:
    """Paper's T x T recipe (App. M.1, dmft.md 3.5) for discrete GD (or one-pass SGD with batch),
    evaluated with the lower-triangular Toeplitz structure of all responses. ``momentum`` = mu
    gives heavy-ball GD (eqs. 139-141) through its Theta (see :func:`_theta_series`).

    With ``invE, invB`` (1/E, 1/B; 0 = infinity) != 1: the test loss of the predictor averaged
    over E projections x B data sets, from the cross-system correlations (App. H, eq. 110 in the
    time domain): ``C0x = bias0 + (1/P) W2 * (Theta R3 C1x R3^T Theta^T)``,
    ``C1x = R1 (C0x + sigma^2) R1^T``, ``C2x = bias2 + (1/N) W2 * (R1 Theta C3x Theta^T R1^T)``,
    ``C3x = R3 C2x R3^T``; the train output is then ``(1/E) C1 + (1 - 1/E) C1x``.

    Returns (test[0..T-1], train[0..T-1]) at steps 0..T-1; with ``full`` (E = B = 1 only) also a
    dict with the series ``R02`` (first column of R0,2), ``r1``, ``r3`` and the matrices ``C0``,
    ``C1``. With ``responses_only`` it stops after the responses and returns the mode transfer
    functions ``H_k(n) = (G_k 1)(n)``, shape (T, M).
    """
    M = lam.shape[0]
    delta = np.zeros(T)
    delta[0] = 1.0
    theta = _theta_series(lr, T, momentum)
    sgd = batch is not None
    r1 = delta.copy()
    r3 = delta.copy()

    def kernels(r1: np.ndarray, r3: np.ndarray) -> np.ndarray:
        # g_k = (I + lambda_k Theta R3 R1)^{-1} as series, all k at once: shape (T, M)
        B = _series_mul(_series_mul(theta, r3), r1)
        G = np.zeros((T, M))
        G[0] = 1.0
        for n in range(1, T):
            G[n] = -lam * (B[n:0:-1] @ G[:n])
        return G

    for _ in range(T + 5):
        G = kernels(r1, r3)
        gs = G @ lam
        if sgd:
            r1n = delta
        else:
            R02 = -_series_mul(_series_mul(gs, theta), r3)
            r1n = _series_inv(delta - R02 * invP)
        R24 = -_series_mul(_series_mul(gs, r1), theta)
        r3n = _series_inv(delta - R24 * invN)
        change = max(np.max(np.abs(r1n - r1)), np.max(np.abs(r3n - r3)))
        r1, r3 = r1n, r3n
        scale_r = max(1.0, np.max(np.abs(r1)), np.max(np.abs(r3)))
        if change <= 1e-15 * scale_r:
            break
    # causality (strictly lower Theta) makes T sweeps exact; what remains is round-off
    if not change <= 1e-9 * scale_r:
        raise DmftSolveError(f"T x T recipe: response iteration did not converge "
                             f"(last change {change:.3g})")
    G = kernels(r1, r3)
    if responses_only:
        return np.cumsum(G, axis=0)
    Th = _toeplitz_lower(theta)
    R1m = _toeplitz_lower(r1)
    R3m = _toeplitz_lower(r3)
    V = np.cumsum(G, axis=0)          # g_k * 1
    U = R1m @ V                        # R1 g_k 1
    W1 = (G * lam) @ G.T               # sum_k lam_k g_k g_k^T (Toeplitz kernels)
    W2 = (G * lam**2) @ G.T
    bias0 = (V * (lam * w2)) @ V.T
    bias2 = (U * (lam**2 * w2)) @ U.T
    ones = np.ones((T, T))
    C0 = np.zeros((T, T))
    C1 = np.zeros((T, T))
    C2 = np.zeros((T, T))
    C3 = np.zeros((T, T))
    # divergence (an unstable lr) is detected below, without floating-point warnings
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(T + 5):
            TC3T = Th @ C3 @ Th.T
            if sgd:
                D = np.diag(np.diag(C0) + sigma2)
                C0n = bias0 + invN * _conv2(W1, TC3T) + _conv2(W2, Th @ R3m @ D @ R3m.T @ Th.T) / batch
                C2n = bias2 + _conv2(W1, D) / batch + invN * _conv2(W2, TC3T)
                C1n = C0n
            else:
                C0n = bias0 + invN * _conv2(W1, TC3T) + invP * _conv2(W2, Th @ R3m @ C1 @ R3m.T @ Th.T)
                C1n = R1m @ (C0n + sigma2 * ones) @ R1m.T
                C2n = bias2 + invP * _conv2(W1, C1n) + invN * _conv2(W2, R1m @ TC3T @ R1m.T)
            C3n = R3m @ C2n @ R3m.T
            change = np.max(np.abs(C0n - C0)) + np.max(np.abs(C1n - C1))
            C0, C1, C2, C3 = C0n, C1n, C2n, C3n
            if change <= 1e-14 * np.max(np.abs(C0)):
                break
    # T sweeps are exact by causality; FFT round-off may keep the change at ~1e-14
    if not change <= 1e-9 * np.max(np.abs(C0)):
        d0 = np.abs(np.diag(C0))
        if not np.all(np.isfinite(d0)) or np.max(d0) > 1e3 * float(np.sum(lam * w2)):
            lim = "2" if momentum == 0.0 else f"2 (1 + momentum) = {2 * (1 + momentum):g}"
            raise ValueError(f"lr = {lr} is above the stability limit for these N, P, batch: the "
                             f"theory loss diverges (lr * max eigenvalue of K > {lim})")
        raise DmftSolveError(f"T x T recipe: correlation iteration did not converge "
                             f"(last change {change:.3g})")
    if full:
        gs = G @ lam
        R02 = -_series_mul(_series_mul(gs, theta), r3)
        return np.diag(C0).copy(), np.diag(C1).copy(), {"R02": R02, "r1": r1, "r3": r3,
                                                         "C0": C0, "C1": C1}
    if invE == 1.0 and invB == 1.0:
        return np.diag(C0).copy(), np.diag(C1).copy()
    # cross-system correlations: members e != e' on one data set (C0x, C1x), one member on data
    # sets b != b' (C2x, C3x); both are causal linear systems, exact after T sweeps
    C0x = np.zeros((T, T))
    C1x = np.zeros((T, T))
    C3x = np.zeros((T, T))
    for _ in range(T + 5):
        C0xn = bias0 + invP * _conv2(W2, Th @ R3m @ C1x @ R3m.T @ Th.T)
        C1xn = R1m @ (C0xn + sigma2 * ones) @ R1m.T
        C2xn = bias2 + invN * _conv2(W2, R1m @ Th @ C3x @ Th.T @ R1m.T)
        C3xn = R3m @ C2xn @ R3m.T
        change = np.max(np.abs(C0xn - C0x)) + np.max(np.abs(C3xn - C3x))
        C0x, C1x, C3x = C0xn, C1xn, C3xn
        if change <= 1e-14 * max(np.max(np.abs(C0x)), np.max(np.abs(C3x))):
            break
    if not change <= 1e-9 * max(np.max(np.abs(C0x)), np.max(np.abs(C3x))):
        raise DmftSolveError(f"T x T recipe: cross-system correlation iteration did not converge "
                             f"(last change {change:.3g})")
    c1bar = invE * C1 + (1.0 - invE) * C1x
    c3bar = invB * C3 + (1.0 - invB) * C3x
    Cbar = (bias0 + invN * invE * _conv2(W1, Th @ c3bar @ Th.T)
            + invP * invB * _conv2(W2, Th @ R3m @ c1bar @ R3m.T @ Th.T))
    return np.diag(Cbar).copy(), np.diag(c1bar).copy()


def _times_array(times: Any) -> np.ndarray:
    t = np.asarray(list(times) if not isinstance(times, np.ndarray) else times, dtype=np.float64)
    t = np.atleast_1d(t)
    if t.ndim != 1 or t.size == 0:
        raise ValueError("times must be a non-empty 1-D list of numbers")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("times must be finite and >= 0")
    return t


def _check_momentum(momentum: Any, flow: bool) -> float:
    """Heavy-ball mu in [0, 1) (discrete GD) or continuous beta >= 0 (flow)."""
    if momentum is None:
        return 0.0
    if flow:
        return check_real("momentum", momentum, minimum=0.0)
    return check_real("momentum", momentum, minimum=0.0, maximum=1.0, max_open=True)


#: in method="auto", heavy-ball steps that must fall back to the exact recipe are refused above
#: this many steps (its correlation iteration needs ~T sweeps at high momentum: measured 14 s at
#: T = 200, mu = 0.9, and 160 s at T = 400, mu = 0.95, on 2 cores)
_AUTO_MOMENTUM_RECIPE_STEPS = 256


def _check_stable(lam: np.ndarray, lr: float, mu: float) -> None:
    """GD (mu = 0) on eigenvalue u is stable iff 0 < lr u < 2; heavy ball iff 0 <= mu < 1 and
    0 < lr u < 2 (1 + mu) (the roots of z^2 - (1 + mu - lr u) z + mu lie inside |z| < 1)."""
    lim = 2.0 * (1.0 + mu)
    if lr * float(lam.max()) >= lim:
        if mu == 0.0:
            raise ValueError(f"lr must be < 2/max(lambda) = {2.0 / lam.max():g} for stable GD, "
                             f"got {lr}")
        raise ValueError(f"lr must be < 2 (1 + momentum)/max(lambda) = {lim / lam.max():g} for "
                         f"stable heavy-ball GD (momentum = {mu:g}), got lr = {lr}")


def loss_curve(problem: Problem, P: Size, times: Iterable[float], *, lr: Optional[float] = None,
               flow: bool = False, batch: Optional[int] = None, N: Size = None,
               momentum: Optional[float] = None, method: str = "auto", nodes: int = 14,
               threads: Optional[int] = None, max_recipe_steps: int = 2000, ensemble: Size = 1,
               bags: Size = 1) -> TheoryCurve:
    """Test and train loss of the DMFT theory at the given times.

    Parameters
    ----------
    problem : Problem
        Spectrum ``lam``, target ``wstar``, label noise ``sigma`` and (default) model size ``N``.
    P : int or math.inf
        Number of training samples (ignored for one-pass SGD).
    times : sequence of float
        GD: ``t = lr * steps`` (rounded to whole steps, as :func:`simulate_gd`); flow: ``t``;
        SGD (``batch`` given): step counts.
    lr : float
        Learning rate (discrete GD / SGD). Not used with ``flow=True``.
    flow : bool
        Gradient flow instead of discrete GD.
    batch : int
        One-pass SGD with this batch size (dmft.md 3.11, eqs. 142-144; recipe only, so the
        largest step must be <= ``max_recipe_steps``). ``lr`` is the batch-mean learning rate.
    N : int or math.inf
        Overrides ``problem.N``.
    momentum : float
        Discrete GD: heavy-ball coefficient mu in [0, 1) (App. K.2, eqs. 139-141):
        ``b(n) = v4(n) + mu b(n-1)``, ``v0(n+1) = v0(n) - lr b(n)``, ``b(-1) = 0``, reported at
        ``t = lr * n`` (as without momentum; the effective step is ``lr/(1-mu)``). Stable iff
        ``lr u < 2 (1 + mu)`` for every eigenvalue u of K. Flow: continuous momentum beta >= 0,
        ``beta v0'' + v0' = -v4`` with ``v0(0) = w*``, ``v0'(0) = 0`` (eqs. 137-138; contour
        only). Not available for one-pass SGD.
    method : "auto" | "contour" | "recipe"
        ``contour``: fixed-Talbot 2-D inversion (fast, any t; GD needs steps >= nodes/2).
        ``recipe``: the paper's T x T recipe (exact for discrete GD; cost O(M T^2) with T = steps).
        ``auto``: GD/flow use the contour, except GD steps < 2 * nodes which use the recipe. With
        momentum the contour must also enclose the (complex) singularities of the transfer
        functions (see :func:`_momentum_contour_ok`); steps where it does not use the recipe.
    nodes : int
        Talbot nodes on the upper half contour. Measured relative error against the exact
        T x T recipe: ~2e-8 (12 nodes), ~1e-9 (14, default), ~1e-10 (16); cost grows as nodes^2.
    ensemble, bags : int or math.inf
        E independent projections ``A_e`` and B independent data sets ``Psi_b`` (each of P
        samples, each shared by all E members; label noise shared within a data set): the loss
        of the averaged predictor ``v0bar = (1/EB) sum_{e,b} v0_{e,b}`` (App. H, eqs. 108-113;
        :func:`scalinglaws.simulate_gd` with ``ensemble=E, bags=B``). Per mode,
        ``<v0bar v0bar'> = H H' [w*^2 + (1/(N E)) ((1/B) C3 + (1-1/B) C3x)
        + (lambda_k/(P B)) R3 R3' ((1/E) C1 + (1-1/E) C1x)]`` with the cross-system correlations
        of eq. 110 (C0x across members on one data set, C2x across data sets of one member).
        E = B = 1 is the single model; E, B = inf gives :func:`irreducible_bias`. Full-batch GD
        and flow only (not with ``batch``). ``train_loss`` is then the training loss of the
        E-member average on the shared data set for B = 1, and None for B > 1 (no single
        training set).

    Returns
    -------
    TheoryCurve
        ``test_loss`` has no 1/2 and no sigma^2 floor; ``train_loss`` has no 1/2 and includes the
        label noise (as the simulator).
    """
    problem = _check_problem(problem)
    Nv = _size("N", N, problem.N)
    t = _times_array(times)
    nodes = check_int("nodes", nodes, minimum=4, maximum=200)
    if method not in ("auto", "contour", "recipe"):
        raise ValueError(f"method must be 'auto', 'contour' or 'recipe', got {method!r}")
    mu = _check_momentum(momentum, flow)
    lam, w2 = problem.lam, problem.wstar**2
    sigma2 = problem.sigma**2
    L0 = float(np.sum(lam * w2))
    th = _threads(threads)
    Ev = _size("ensemble", ensemble)
    Bv = _size("bags", bags)
    invE, invB = _inv(Ev), _inv(Bv)
    ens = {"ensemble": Ev, "bags": Bv}
    if batch is not None:
        if Ev != 1 or Bv != 1:
            raise ValueError("ensemble and bags are for full-batch GD / gradient flow; drop batch")
        batch = check_int("batch", batch, minimum=1)
        if flow:
            raise ValueError("batch (one-pass SGD) is discrete-time; drop flow")
        if mu != 0.0:
            raise ValueError("momentum is not available for one-pass SGD (batch)")
        if lr is None:
            raise ValueError("lr is required for one-pass SGD")
        lr = check_real("lr", lr, minimum=0.0, min_open=True)
        if method == "contour":
            raise ValueError("one-pass SGD is available with method='recipe' only")
        if np.any(t != np.round(t)):
            raise ValueError("SGD times are step counts (whole numbers)")
        steps = t.astype(np.int64)
        T = int(steps.max()) + 1
        if T - 1 > max_recipe_steps:
            raise ValueError(f"SGD theory uses the T x T recipe: the largest step ({T - 1}) must "
                             f"be <= max_recipe_steps={max_recipe_steps}")
        test, _ = _recipe(lam, w2, _inv(Nv), 0.0, sigma2, lr, T, batch=batch)
        return TheoryCurve(t, _finite("test_loss", test[steps]), None, steps, "recipe (SGD)",
                           {"N": Nv, "batch": batch, "lr": lr})
    Pv = _size("P", P)
    if flow:
        if lr is not None:
            raise ValueError("lr is for discrete GD; drop it with flow=True")
        if method == "recipe":
            raise ValueError("the T x T recipe is for discrete GD; use method='contour' for flow")
        test = np.full(t.size, L0)
        train = np.full(t.size, L0 + sigma2)
        pos = t > 0
        if np.any(pos):
            if mu != 0.0:
                ok = _momentum_contour_ok(problem, Nv, Pv, t[pos], nodes, beta=mu)
                if not np.all(ok):
                    raise ValueError(
                        f"continuous momentum beta = {mu:g}: the Talbot contour does not enclose "
                        f"the oscillatory singularities (beta * max eigenvalue(K) > 1/4) at "
                        f"t = {t[pos][~ok][0]:g}; use a smaller beta, larger nodes, or t >> beta")
            a, b = _core.dmft_loss_curve(lam, w2, _inv(Nv), _inv(Pv), sigma2, list(t[pos]), True,
                                         0.0, nodes, th, invE, invB, mu)
            test[pos] = a
            train[pos] = b
        params = {"N": Nv, "P": Pv, "flow": True, "nodes": nodes, **ens}
        if mu != 0.0:
            params["momentum"] = mu
        return TheoryCurve(t, _finite("test_loss", test),
                           _finite("train_loss", train) if Bv == 1 else None, None,
                           "contour", params)
    if lr is None:
        raise ValueError("lr is required for discrete GD (or pass flow=True)")
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    _check_stable(lam, lr, mu)
    if mu != 0.0:
        # the finite-size spectrum of K reaches beyond max(lambda): check heavy-ball stability
        # on its DMFT edge up front (the recipe would otherwise only find the divergence late)
        u_max = _spectral_edge(problem, Nv, Pv)
        if lr * u_max >= 2.0 * (1.0 + mu):
            raise ValueError(f"lr = {lr:g} is unstable for heavy-ball GD with momentum = {mu:g}: "
                             f"the DMFT spectrum of K reaches u = {u_max:.4g} and stability "
                             f"needs lr * u < 2 (1 + momentum), i.e. lr < {2 * (1 + mu) / u_max:.4g}")
    steps = np.round(t / lr).astype(np.int64)
    test = np.empty(t.size)
    train = np.empty(t.size)
    if method == "recipe":
        use_recipe = np.ones(t.size, bool)
    elif method == "contour":
        use_recipe = steps == 0
        if np.any((steps > 0) & (steps < (nodes + 1) // 2)):
            raise ValueError(f"method='contour' needs >= {(nodes + 1) // 2} steps for discrete GD")
        if mu != 0.0:
            ok = _momentum_contour_ok(problem, Nv, Pv, steps[~use_recipe].astype(float), nodes,
                                      lr=lr, mu=mu, u_max=u_max)
            if not np.all(ok):
                raise ValueError(
                    f"method='contour' with momentum = {mu:g}: the Talbot contour does not "
                    f"enclose the complex poles of heavy-ball GD at step "
                    f"{int(steps[~use_recipe][~ok][0])} (they contribute ~ momentum^(steps/2)); "
                    "use method='recipe' or 'auto', or more nodes")
    else:
        use_recipe = steps < 2 * nodes
        if not np.all(use_recipe):
            if mu != 0.0:
                idx = np.flatnonzero(~use_recipe)
                ok = _momentum_contour_ok(problem, Nv, Pv, steps[idx].astype(float), nodes,
                                          lr=lr, mu=mu, u_max=u_max)
                use_recipe[idx[~ok]] = True
                limit = min(max_recipe_steps, _AUTO_MOMENTUM_RECIPE_STEPS)
                if np.any(use_recipe) and int(steps[use_recipe].max()) > limit:
                    raise ValueError(
                        f"momentum = {mu:g}, lr = {lr:g}: the contour does not enclose the "
                        f"heavy-ball poles up to step {int(steps[use_recipe].max())}, and the exact "
                        f"recipe there needs ~T sweeps of T x T products (minutes beyond "
                        f"{limit} steps at high momentum). Ask for later times, or pass "
                        "method='recipe' (with max_recipe_steps) to run it anyway")
            else:
                try:
                    _check_contour_lr(problem, Nv, Pv, lr)
                except ValueError:
                    # lr * max eig(K) >= 1: the contour does not apply; the recipe is exact
                    if int(steps.max()) > max_recipe_steps:
                        raise
                    use_recipe = np.ones(t.size, bool)
    if np.any(use_recipe):
        T = int(steps[use_recipe].max()) + 1
        if T - 1 > max_recipe_steps:
            raise ValueError(f"the T x T recipe is limited to max_recipe_steps={max_recipe_steps} "
                             f"steps (asked {T - 1}); use method='contour'")
        a, b = _recipe(lam, w2, _inv(Nv), _inv(Pv), sigma2, lr, T, momentum=mu, invE=invE,
                       invB=invB)
        test[use_recipe] = a[steps[use_recipe]]
        train[use_recipe] = b[steps[use_recipe]]
    cont = ~use_recipe
    if np.any(cont):
        if mu == 0.0:
            _check_contour_lr(problem, Nv, Pv, lr)
        a, b = _core.dmft_loss_curve(lam, w2, _inv(Nv), _inv(Pv), sigma2,
                                     [float(n) for n in steps[cont]], False, lr, nodes, th,
                                     invE, invB, mu)
        test[cont] = a
        train[cont] = b
    mixed = "recipe (< 2 nodes steps) + contour" if mu == 0.0 else \
        "recipe (momentum poles outside the contour) + contour"
    used = "recipe" if np.all(use_recipe) else ("contour" if not np.any(use_recipe) else mixed)
    params = {"N": Nv, "P": Pv, "lr": lr, "nodes": nodes, **ens}
    if mu != 0.0:
        params["momentum"] = mu
    return TheoryCurve(steps * lr, _finite("test_loss", test),
                       _finite("train_loss", train) if Bv == 1 else None, steps, used, params)


def _check_contour_lr(problem: Problem, Nv: float, Pv: float, lr: float) -> None:
    """The GD contour encloses z in (0, 1]: it needs lr * max eig(K) < 1 (no spectral mass at
    u >= 1/lr). Checked with the DMFT spectral density at u = 1/lr and a little beyond."""
    if Nv == _INF and Pv == _INF:
        if lr * problem.lam.max() >= 1.0:
            raise ValueError(f"method='contour' for GD needs lr * max eigenvalue < 1 (lr={lr}); "
                             "use method='recipe'")
        return
    scale = float(np.sum(problem.lam))
    for u in (1.0 / lr, 1.25 / lr, 2.0 / lr):
        q = -u + 1e-9j * u
        S = _core.dmft_solve(problem.lam, problem.wstar**2, _inv(Nv), _inv(Pv), [q], 1)[0]
        if abs(S.imag) > 1e-6 * scale:
            raise ValueError(f"method='contour' for GD needs lr * max eigenvalue(K) < 1, but the "
                             f"DMFT spectrum reaches u = {u:g} >= 1/lr (lr={lr}); use a smaller lr "
                             "or method='recipe'")


def _spectral_edge(problem: Problem, Nv: float, Pv: float) -> float:
    """Upper edge of the DMFT spectrum of K (support of the density of -Im S(-u + i0)/pi),
    found by a log scan from a norm bound down and bisection; +2% margin."""
    lam = problem.lam
    if Nv == _INF and Pv == _INF:
        return float(lam.max())
    M = lam.size
    fN = 1.0 if Nv == _INF else (1.0 + math.sqrt(M / Nv)) ** 2
    fP = 1.0 if Pv == _INF else (1.0 + math.sqrt(M / Pv)) ** 2
    hi = 1.1 * float(lam.max()) * fN * fP
    scale = float(np.sum(lam))

    def inside(u: float) -> bool:
        S = _core.dmft_solve(lam, problem.wstar**2, _inv(Nv), _inv(Pv), [-u + 1e-9j * u], 1)[0]
        return abs(S.imag) > 1e-7 * scale

    grid = np.geomspace(hi, float(lam.max()) * 1e-2, 80)
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
    return float(lam.max())


def _momentum_contour_ok(problem: Problem, Nv: float, Pv: float, taus: np.ndarray, nodes: int, *,
                         lr: float = 0.0, mu: float = 0.0, beta: Optional[float] = None,
                         power: float = 2.0, tol: float = 1e-10,
                         u_max: Optional[float] = None) -> np.ndarray:
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
    """
    if u_max is None:  # the caller may have it already (see loss_curve)
        u_max = _spectral_edge(problem, Nv, Pv)
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


def train_test_gap(problem: Problem, P: Size, times: Iterable[float], *, lr: float,
                   N: Size = None, momentum: Optional[float] = None,
                   max_recipe_steps: int = 2000) -> np.ndarray:
    """Test minus train loss ``L(t) - Lhat(t)`` from eq. 18 (App. E, eqs. 84-85), discrete GD.

    Evaluated from the data response R0,2 and the train correlation C1 of the T x T recipe (not
    from C0; since C1 = R1 (C0 + sigma^2) R1^T with R1 = (I - R0,2/P)^-1 this is an identity of
    the recipe, so it equals test - train of :func:`loss_curve` to round-off). In discrete time the field on the training points obeys
    ``v1 = u1 + (1/P) R0,2 v1`` (eq. 84, R0,2 strictly lower triangular), with
    ``<u1 u1^T> = C0 + sigma^2 1 1^T`` and ``<v1 v1^T> = C1``, so
    ``C0 + sigma^2 = (I - R0,2/P) C1 (I - R0,2/P)^T``, i.e. at time step n

        L(n) - Lhat(n) = -(2/P) sum_{n'<n} R0,2(n,n') C1(n,n')
                         + (1/P^2) sum_{n',m'<n} R0,2(n,n') R0,2(n,m') C1(n',m') - sigma^2

    (eq. 18 with the integrals as sums over steps; noise-free it is eq. 18 exactly; the test loss
    excludes and the train loss includes the label noise). Times are ``t = lr * steps`` (rounded);
    ``momentum`` = heavy-ball mu as in :func:`loss_curve`. P finite; no 1/2. Cost: the recipe,
    so ``steps <= max_recipe_steps``.
    """
    problem = _check_problem(problem)
    Pv = _size("P", P)
    if Pv == _INF:
        raise ValueError("P must be finite for the train-test gap (it vanishes at P = inf)")
    Nv = _size("N", N, problem.N)
    t = _times_array(times)
    mu = _check_momentum(momentum, False)
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    _check_stable(problem.lam, lr, mu)
    steps = np.round(t / lr).astype(np.int64)
    T = int(steps.max()) + 1
    if T - 1 > check_int("max_recipe_steps", max_recipe_steps, minimum=1):
        raise ValueError(f"train_test_gap uses the T x T recipe, limited to max_recipe_steps="
                         f"{max_recipe_steps} steps (asked {T - 1})")
    _, _, ex = _recipe(problem.lam, problem.wstar**2, _inv(Nv), 1.0 / Pv, problem.sigma**2, lr,
                       T, momentum=mu, full=True)
    R = _toeplitz_lower(ex["R02"])       # R0,2(n, n') = R02[n - n'], zero for n' >= n
    C1 = ex["C1"]
    RC = R @ C1
    first = np.einsum("ij,ij->i", R, C1)          # sum_n' R0,2(n,n') C1(n,n')
    second = np.einsum("ij,ij->i", RC, R)         # sum_n',m' R0,2(n,n') C1(n',m') R0,2(n,m')
    gap = -2.0 / Pv * first + second / Pv**2 - problem.sigma**2
    out = gap[steps]
    if not np.all(np.isfinite(out)):
        raise DmftSolveError("train_test_gap: non-finite values (solver failure)")
    return out


def transfer_functions(problem: Problem, P: Size, times: Iterable[float], modes: Sequence[int], *,
                       lr: Optional[float] = None, flow: bool = False, N: Size = None,
                       momentum: Optional[float] = None, nodes: int = 14,
                       threads: Optional[int] = None, max_recipe_steps: int = 2000) -> np.ndarray:
    """Mode transfer functions ``H_k(t) = d<v0_k(t)>/d w*_k`` (eq. 10 inverted; dmft.md 3.3).

    ``modes`` are 1-based mode numbers k (k = 1 is the largest eigenvalue). GD times are rounded to
    whole steps (needs steps >= nodes/2; t = 0 gives 1). Returns shape (len(times), len(modes)).
    ``momentum``: heavy-ball mu (GD) or continuous beta (flow), as in :func:`loss_curve`. For
    heavy-ball steps where the contour does not enclose the momentum poles (one-frequency error
    ~ mu^(steps/2), see :func:`_momentum_contour_ok`) the responses of the exact T x T recipe are
    used (steps <= ``max_recipe_steps``); for continuous momentum such times raise ValueError.
    """
    problem = _check_problem(problem)
    Pv = _size("P", P)
    Nv = _size("N", N, problem.N)
    t = _times_array(times)
    nodes = check_int("nodes", nodes, minimum=4, maximum=200)
    ks = [check_int("mode", k, minimum=1, maximum=problem.M) - 1 for k in modes]
    if not ks:
        raise ValueError("modes must not be empty")
    out = np.ones((t.size, len(ks)))
    mu = _check_momentum(momentum, flow)
    if flow:
        tau = t
        lr_v = 0.0
    else:
        if lr is None:
            raise ValueError("lr is required for discrete GD (or pass flow=True)")
        lr_v = check_real("lr", lr, minimum=0.0, min_open=True)
        tau = np.round(t / lr_v)
        if mu == 0.0:
            if np.any((tau > 0) & (tau < (nodes + 1) // 2)):
                raise ValueError(f"discrete-GD transfer functions need t = 0 or >= "
                                 f"{(nodes + 1) // 2} steps")
            _check_contour_lr(problem, Nv, Pv, lr_v)
        else:
            _check_stable(problem.lam, lr_v, mu)
    pos = tau > 0
    if mu != 0.0 and np.any(pos):
        idx = np.flatnonzero(pos)
        ok = _momentum_contour_ok(problem, Nv, Pv, tau[idx], nodes, lr=lr_v, mu=mu,
                                  beta=mu if flow else None, power=1.0)
        if not flow:
            ok &= tau[idx] >= 2 * nodes
        if not np.all(ok):
            if flow:
                raise ValueError(f"transfer_functions with continuous momentum beta = {mu:g}: the "
                                 f"Talbot contour does not enclose the oscillatory poles at t = "
                                 f"{t[idx][~ok][0]:g}; use later times, more nodes or a smaller "
                                 "beta")
            bad = idx[~ok]
            T = int(tau[bad].max()) + 1
            if T - 1 > check_int("max_recipe_steps", max_recipe_steps, minimum=1):
                raise ValueError(f"transfer_functions with momentum = {mu:g}: the contour does not "
                                 f"apply at step {int(tau[bad].max())} and the exact recipe is "
                                 f"limited to max_recipe_steps={max_recipe_steps}")
            Hr = _recipe(problem.lam, problem.wstar**2, _inv(Nv), _inv(Pv), 0.0, lr_v, T,
                         momentum=mu, responses_only=True)
            out[bad] = Hr[tau[bad].astype(np.int64)][:, ks]
            pos = pos.copy()
            pos[bad] = False
    if np.any(pos):
        out[pos] = np.asarray(_core.dmft_transfer(problem.lam, problem.wstar**2, _inv(Nv), _inv(Pv),
                                                  list(tau[pos]), ks, flow, lr_v, nodes,
                                                  _threads(threads), mu))
    return _finite("H_k", out)


def timescale_density(problem: Problem, P: Size, u: Any, modes: Sequence[int], *, N: Size = None,
                      eps: float = 1e-8, threads: Optional[int] = None) -> np.ndarray:
    """Timescale densities ``rho_k(u)`` with ``H_k(t) = int du rho_k(u) e^{-u t}`` (App. F, eq. 90;
    dmft.md 3.9): ``rho_k(u) = -(1/pi) Im H_k(s = -u + i eps)`` for gradient flow. ``u > 0``;
    modes are 1-based. Point masses at u = 0 (unlearnable parts, eq. 71) are not included.
    Returns shape (len(u), len(modes))."""
    problem = _check_problem(problem)
    u = np.atleast_1d(np.asarray(u, dtype=np.float64))
    if not np.all(np.isfinite(u)) or np.any(u <= 0):
        raise ValueError("u must be finite and > 0")
    eps = check_real("eps", eps, minimum=0.0, min_open=True)
    ks = [check_int("mode", k, minimum=1, maximum=problem.M) - 1 for k in modes]
    r = responses(problem, P, s=-u + 1j * eps * np.maximum(u, 1.0), N=N, threads=threads)
    return _finite("rho", -r.h(ks).imag / math.pi)


def irreducible_bias(problem: Problem, P: Size, times: Iterable[float], *,
                     lr: Optional[float] = None, flow: bool = False, N: Size = None,
                     momentum: Optional[float] = None, nodes: int = 14,
                     threads: Optional[int] = None) -> np.ndarray:
    """Infinite-ensemble, infinite-bagging loss ``B(t, N, P) = sum_k lambda_k w*_k^2 H_k(t)^2``
    (eqs. 19, 114; dmft.md 3.10): what ensembling E -> inf models and bagging over B -> inf data
    sets cannot remove (``loss_curve(..., ensemble=math.inf, bags=math.inf)``; finite E, B there
    too). No 1/2. ``momentum`` as in :func:`transfer_functions`."""
    problem = _check_problem(problem)
    H = transfer_functions(problem, P, times, list(range(1, problem.M + 1)), lr=lr, flow=flow, N=N,
                           momentum=momentum, nodes=nodes, threads=threads)
    return _finite("bias loss", H**2 @ problem.target_power)


# --------------------------------------------------------------------------- closed forms
def infinite_width_loss(problem: Problem, times: Iterable[float], *, lr: Optional[float] = None,
                        flow: bool = False) -> np.ndarray:
    """N = P = infinity (eq. 125): flow ``sum_k lambda_k w*_k^2 exp(-2 lambda_k t)``; GD
    ``sum_k lambda_k w*_k^2 (1 - lr lambda_k)^(2 n)`` with ``n = round(t/lr)``. No 1/2."""
    problem = _check_problem(problem)
    t = _times_array(times)
    if flow:
        return problem.infinite_limit_loss(t)
    if lr is None:
        raise ValueError("lr is required for discrete GD (or pass flow=True)")
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    n = np.round(t / lr)
    base = np.abs(1.0 - lr * problem.lam)
    return np.exp(2.0 * np.multiply.outer(n, np.log(base))) @ problem.target_power


def _solve_r(lam: np.ndarray, target: float, name: str) -> float:
    """r > 0 with sum_k lambda_k r/(1 + lambda_k r) = target (< M)."""
    M = lam.size
    if target >= M:
        raise ValueError(f"{name} = {target:g} must be < M = {M} (number of features) for the "
                         "final-loss formulas; the model interpolates exactly otherwise")
    from scipy.optimize import brentq

    f = lambda lr_: float(np.sum(lam * math.exp(lr_) / (1.0 + lam * math.exp(lr_)))) - target
    lo, hi = -50.0, 50.0
    while f(hi) < 0:
        hi += 50.0
        if hi > 2000:
            raise DmftSolveError(f"could not bracket r for {name} = {target:g}")
    return math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=1e-14))


def final_losses(problem: Problem, P: Size, *, N: Size = None, ensemble: Size = 1,
                 bags: Size = 1) -> Dict[str, Any]:
    """t -> infinity losses of gradient flow / converged GD (App. C, eqs. 66-76; dmft.md 3.7).

    Over-parameterised (N > P, eq. 73): final train loss 0. Under-parameterised (N < P, eq. 76).
    ``N = inf`` gives ridgeless kernel regression (eqs. 77-80); ``P = inf`` the pure model
    bottleneck. No 1/2; the test loss excludes the sigma^2 floor.

    Zero-frequency system (unified form): with ``H = 1/(1 + lambda r)``, ``s1 = sum lam H^2``,
    ``s2 = sum lam^2 H^2``, ``b0 = sum lam w*^2 H^2``, ``b2 = sum lam^2 w*^2 H^2`` and
    ``(rho1, rho3) = (r^2/g^2, g^2)`` over-parameterised, ``(g^2, r^2/g^2)`` under-parameterised
    (``g = 1 - min(N,P)/max(N,P)``):
    ``C0 = b0 + s1 C3/N + s2 rho3 C1/P``, ``C1 = rho1 (C0 + sigma^2)``,
    ``C2 = s1 C1/P + rho1 (b2 + s2 C3/N)``, ``C3 = rho3 C2`` (eqs. 73, 76; the label noise enters
    through C1 exactly as in the time-domain theory).

    ``ensemble=E``, ``bags=B`` (integers or math.inf): the final loss of the predictor averaged
    over E projections x B data sets (App. H, eqs. 108-113 at zero frequency), with the
    cross-system correlations ``C0x = b0 + s2 rho3 C1x/P``, ``C1x = rho1 (C0x + sigma^2)``,
    ``C2x = rho1 (b2 + s2 C3x/N)``, ``C3x = rho3 C2x``:
    ``Lbar = b0 + (s1/(N E)) ((1/B) C3 + (1-1/B) C3x) + (s2 rho3/(P B)) ((1/E) C1 + (1-1/E) C1x)``.
    E = B = inf gives the irreducible bias ``b0`` (eq. 114 at t = inf).

    Returns ``{"test": L_inf, "train": Lhat_inf, "regime": ..., "r": r}`` (plus ``"ensemble"``,
    ``"bags"``); ``train`` is the final training loss of the E-member average on the shared data
    set (0 over-parameterised) and None for B > 1.
    """
    problem = _check_problem(problem)
    Pv = _size("P", P)
    Nv = _size("N", N, problem.N)
    Ev = _size("ensemble", ensemble)
    Bv = _size("bags", bags)
    lam, w2 = problem.lam, problem.wstar**2
    sigma2 = problem.sigma**2
    extra = {"ensemble": Ev, "bags": Bv}
    if Nv == Pv:
        if Nv == _INF:
            return {"test": 0.0, "train": sigma2 if Bv == 1 else None, "regime": "infinite",
                    "r": _INF, **extra}
        raise ValueError(f"final losses diverge at N = P (= {int(Nv)}): double-descent peak")
    over = Nv > Pv
    r = _solve_r(lam, Pv if over else Nv, "P" if over else "N")
    H = 1.0 / (1.0 + lam * r)
    iN, iP = _inv(Nv), _inv(Pv)
    iE, iB = _inv(Ev), _inv(Bv)
    g = 1.0 - (Pv * iN if over else Nv * iP)
    s1 = float(np.sum(lam * H**2))
    s2 = float(np.sum(lam**2 * H**2))
    b0 = float(np.sum(lam * H**2 * w2))
    b2 = float(np.sum(lam**2 * H**2 * w2))
    rho1, rho3 = (r * r / (g * g), g * g) if over else (g * g, r * r / (g * g))
    # unknowns C0, C1, C2, C3 (zero-frequency values)
    A = np.eye(4)
    rhs = np.zeros(4)
    A[0, 3] -= s1 * iN; A[0, 1] -= s2 * rho3 * iP; rhs[0] = b0
    A[1, 0] -= rho1; rhs[1] = rho1 * sigma2
    A[2, 1] -= iP * s1; A[2, 3] -= rho1 * s2 * iN; rhs[2] = rho1 * b2
    A[3, 2] -= rho3
    C = np.linalg.solve(A, rhs)
    if not np.all(np.isfinite(C)) or C[0] < 0:
        raise DmftSolveError("final-loss system is singular or ill-conditioned (N close to P?)")
    test, train = float(C[0]), (0.0 if over else float(C[1]))
    if iE != 1.0 or iB != 1.0:
        d0 = 1.0 - s2 * rho3 * rho1 * iP
        d2 = 1.0 - rho1 * rho3 * s2 * iN
        if not (d0 > 0 and d2 > 0):
            raise DmftSolveError(f"final-loss cross-system system is singular (1 - gamma0 = "
                                 f"{d0:.3g}, 1 - gamma2 = {d2:.3g})")
        C0x = (b0 + s2 * rho3 * rho1 * sigma2 * iP) / d0
        C1x = rho1 * (C0x + sigma2)
        C3x = rho3 * rho1 * b2 / d2
        c1bar = iE * C[1] + (1.0 - iE) * C1x
        c3bar = iB * C[3] + (1.0 - iB) * C3x
        test = b0 + s1 * iN * iE * c3bar + s2 * rho3 * iP * iB * c1bar
        train = 0.0 if over else float(c1bar)
        if not (math.isfinite(test) and test >= -1e-12 * max(b0, 1e-300)):
            raise DmftSolveError(f"ensemble final loss is not finite / negative ({test:.3g})")
        test = max(float(test), 0.0)
    regime = ("kernel regression (N = inf)" if Nv == _INF else "over-parameterised (N > P)") if over \
        else ("model bottleneck (P = inf)" if Pv == _INF else "under-parameterised (N < P)")
    return {"test": test, "train": train if Bv == 1 else None, "regime": regime, "r": r, **extra}


def early_time_transfer(problem: Problem, P: Size, times: Iterable[float], modes: Sequence[int], *,
                        N: Size = None) -> np.ndarray:
    """Early-time (high-frequency) expansion of H_k(t) for gradient flow (App. D, eqs. 81-83):
    ``e^{-lambda t} + (c (1/P + 1/N)/lambda)[1 - e^{-lambda t} - lambda t e^{-lambda t}]``,
    ``c = sum_k lambda_k``. Valid while the correction is small (t << min(N, P)/c)."""
    problem = _check_problem(problem)
    Pv = _size("P", P)
    Nv = _size("N", N, problem.N)
    t = _times_array(times)[:, None]
    lam = problem.lam[[check_int("mode", k, minimum=1, maximum=problem.M) - 1 for k in modes]][None, :]
    c = float(np.sum(problem.lam)) * (_inv(Pv) + _inv(Nv))
    e = np.exp(-lam * t)
    return e + (c / lam) * (1.0 - e - lam * t * e)


def exponents(a: float, b: float) -> Dict[str, Any]:
    """Closed-form scaling exponents (positive numbers; losses decay as X^-exponent).

    time ``(a-1)/b``; model = data ``min(a-1, 2b)`` (eq. 14, App. J); compute-optimal
    (App. N, eq. 17, with the eq. 155 typo fixed), ``m = min(a-1, 2b)``:
    ``t ~ C^(b m/(a-1+b m))``, ``N ~ C^((a-1)/(a-1+b m))``, ``L* ~ C^-((a-1) m/(a-1+b m))``.
    Requires a > 1 and b > 0 (finite loss with infinitely many features).
    """
    a = check_real("a", a, minimum=1.0, min_open=True)
    b = check_real("b", b, minimum=0.0, min_open=True)
    rt = (a - 1.0) / b
    m = min(a - 1.0, 2.0 * b)
    den = a - 1.0 + b * m
    return {"time": rt, "model": m, "data": m,
            "compute": {"t": b * m / den, "N": (a - 1.0) / den, "loss": (a - 1.0) * m / den}}


@dataclass
class Frontier:
    """Numerical compute-optimal frontier: ``L*(C) = min_N L(t = C/N, N)``.

    ``exponent`` is the fitted positive exponent of ``L* ~ C^-exponent`` with its 95% confidence
    interval ``ci`` (least squares in log-log over ``fit_range``); ``n_exponent`` fits the optimal
    N ~ C^n_exponent."""

    compute: np.ndarray
    loss: np.ndarray
    best_N: np.ndarray
    exponent: float
    ci: tuple
    n_exponent: float
    fit_range: tuple
    curves: Dict[float, np.ndarray] = field(default_factory=dict)


def _fit_slope(x: np.ndarray, y: np.ndarray) -> tuple:
    from scipy import stats

    res = stats.linregress(x, y)
    n = x.size
    tq = stats.t.ppf(0.975, n - 2) if n > 2 else float("nan")
    return res.slope, (res.slope - tq * res.stderr, res.slope + tq * res.stderr)


def _problem_for_width(problem: Problem, N: int, features_per_width: Optional[float]) -> Problem:
    """``problem`` itself, or (``features_per_width = c``) the same power-law family rebuilt with
    ``M = ceil(c N)`` features."""
    if features_per_width is None:
        return problem
    if problem.family != "bordelon":
        raise ValueError("features_per_width needs a Problem.bordelon power-law problem "
                         f"(got family {problem.family!r})")
    pr = problem.params
    return Problem.bordelon(pr["a"], pr["b"], int(math.ceil(features_per_width * N)), N,
                            sigma=pr["sigma"], normalize=pr["normalize"])


def compute_optimal_frontier(problem: Problem, Ns: Sequence[int], *, P: Size = _INF,
                             t_max: float = 1e5, t_min: float = 1.0, n_times: int = 120,
                             flow: bool = True, lr: Optional[float] = None,
                             fit_range: Optional[tuple] = None,
                             features_per_width: Optional[float] = None,
                             threads: Optional[int] = None) -> Frontier:
    """Pareto frontier of the theory test loss over compute ``C = N t`` (Fig. 4, App. N).

    Theory curves L(t; N) (default P = inf, gradient flow) on ``n_times`` log-spaced times in
    [``t_min``, ``t_max``] for each N in ``Ns``; the frontier ``min_N L`` on a common log grid of C;
    the exponent fitted over ``fit_range`` = (C_lo, C_hi) (default: the C range where the optimal N
    is strictly inside the N grid). Loss without 1/2.

    ``features_per_width = c`` rebuilds the power-law problem with ``M = ceil(c N)`` features for
    each N (instead of one fixed M). This is the only well-defined choice when the spectrum is not
    trace class (b <= 1): with ``sum_k lambda_k = inf`` a finite model learns nothing as M -> inf
    (``N = sum_k lambda_k r/(1 + lambda_k r)`` forces r -> 0), and at fixed M the model bottleneck
    carries a factor ``ln(M/N)``.
    """
    problem = _check_problem(problem)
    Ns_arr = np.array(sorted(check_int("N", n, minimum=1) for n in Ns), dtype=float)
    if Ns_arr.size < 3:
        raise ValueError("Ns needs at least 3 model sizes")
    t_max = check_real("t_max", t_max, minimum=0.0, min_open=True)
    t_min = check_real("t_min", t_min, minimum=0.0, maximum=t_max, min_open=True, max_open=True)
    if features_per_width is not None:
        features_per_width = check_real("features_per_width", features_per_width, minimum=1.0)
    t = np.logspace(math.log10(t_min), math.log10(t_max),
                    check_int("n_times", n_times, minimum=10))
    curves = {}
    for n in Ns_arr:
        pr = _problem_for_width(problem, int(n), features_per_width)
        c = loss_curve(pr, P, t, N=int(n), flow=flow, lr=lr, threads=threads)
        curves[float(n)] = c.test_loss
    logC = np.linspace(math.log10(Ns_arr[0] * t[0]), math.log10(Ns_arr[-1] * t[-1]), 200)
    Ls = np.full((Ns_arr.size, logC.size), np.inf)
    for i, n in enumerate(Ns_arr):
        lt = logC - math.log10(n)
        ok = (lt >= math.log10(t[0])) & (lt <= math.log10(t[-1]))
        Ls[i, ok] = 10 ** np.interp(lt[ok], np.log10(t), np.log10(curves[float(n)]))
    best = np.argmin(Ls, axis=0)
    Lstar = Ls[best, np.arange(logC.size)]
    Nbest = Ns_arr[best]
    if fit_range is None:
        inside = (best > 0) & (best < Ns_arr.size - 1) & np.isfinite(Lstar)
        if inside.sum() < 5:
            raise ValueError("too few compute values with an interior optimal N: widen Ns or t_max")
        lo, hi = logC[inside].min(), logC[inside].max()
    else:
        lo, hi = math.log10(fit_range[0]), math.log10(fit_range[1])
    sel = (logC >= lo) & (logC <= hi) & np.isfinite(Lstar)
    slope, ci = _fit_slope(logC[sel], np.log10(Lstar[sel]))
    nslope, _ = _fit_slope(logC[sel], np.log10(Nbest[sel]))
    return Frontier(10 ** logC, Lstar, Nbest, -slope, (-ci[1], -ci[0]), nslope,
                    (10 ** lo, 10 ** hi), curves)
