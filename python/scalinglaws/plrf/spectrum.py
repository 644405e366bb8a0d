"""Spectra of the projected covariance K = W^T D W: deterministic equivalent and exact draws.

The deterministic equivalent (Paquette et al.; theory page "Power-law random features",
section "Deterministic equivalent") replaces the resolvent of ``K_hat = D^1/2 W W^T D^1/2`` by
``diag_j 1/(lambda_j m(z) - z)`` with ``m`` solving

    m(z) = 1 / (1 + (1/d) sum_j lambda_j / (lambda_j m(z) - z)),    m -> 1 as |z| -> inf.

It is computed in C++ (complex128 Newton continuation in Im z, parallel over z); the sums over
``j = 1..v`` cost O(1) in v for power-law spectra (exact head, exact window at the pole,
Euler-Maclaurin tail; relative error ~1e-12), so ``v = inf`` is allowed where they converge.

Every function takes a :class:`~scalinglaws.Problem` with its model size ``N`` (Paquette's d)
set; both families' power laws are supported (a Bordelon et al. task is ``alpha = b/2``,
``beta = (a - b)/2``, ``v = M``; see :attr:`Problem.power_law`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import numpy as np

from .._backend import _core
from .._validate import check_complex, check_int, check_memory, check_real, check_time, threads_arg
from ..errors import ConvergenceError, ParameterError
from ..problem import PowerLaw, Problem

__all__ = [
    "Spectrum",
    "resolvent_m",
    "limit_loss",
    "lambda_min",
    "deterministic_spectrum",
    "empirical_spectrum",
]


@dataclass
class Spectrum:
    """A discrete spectral input of the Volterra equation.

    ``eigenvalues`` (descending) lambda_k of K = W^T D W, ``rho`` the weights
    ``rho_k = (u_k . theta*)^2``, ``limit_loss`` ``P_inf = F_0 = min_theta P``. With theta_0 = 0,
    ``P(0) = limit_loss + sum_k lambda_k rho_k`` (no 1/2). Returned by
    :func:`deterministic_spectrum` and :func:`empirical_spectrum`; theory:
    :ref:`plrf-spectrum`.

    Attributes
    ----------
    eigenvalues : ndarray
        lambda_k of K, descending, > 0 (d values).
    rho : ndarray
        Weights ``rho_k >= 0``.
    limit_loss : float
        ``P_inf`` (no 1/2).
    lambda_min : float
        Left edge of the spectrum.
    kind : str
        ``"deterministic"``, ``"empirical"`` or ``"exact (N = inf)"``.
    params : dict
        Parameters of the problem it was computed for.
    grid : ndarray, optional
        x grid of the densities, descending (deterministic only).
    density : ndarray, optional
        Eigenvalue density on ``grid`` (integrates to d).
    rho_density : ndarray, optional
        ``(1/pi) Im(S_F(x)/x)``, the density of the rho-measure on ``grid``.
    total_count : float, optional
        Integral of ``density`` (about d; a check of the quadrature).

    Examples
    --------
    >>> s = deterministic_spectrum(Problem.paquette(alpha=1.0, beta=0.7, v=400, d=100))
    >>> s.d, s.kind, bool(s.eigenvalues[0] > s.eigenvalues[-1] > 0)
    (100, 'deterministic', True)
    """

    eigenvalues: np.ndarray
    rho: np.ndarray
    limit_loss: float
    lambda_min: float
    kind: str
    params: Dict[str, Any] = field(default_factory=dict)
    grid: Optional[np.ndarray] = None  # x grid of the densities (descending)
    density: Optional[np.ndarray] = None  # eigenvalue density (integrates to d)
    rho_density: Optional[np.ndarray] = None  # (1/pi) Im(S_F(x)/x); rho-measure
    total_count: Optional[float] = None

    @property
    def d(self) -> int:
        """Model size (number of eigenvalues)."""
        return int(self.eigenvalues.size)

    @property
    def target_measure(self) -> Optional[np.ndarray]:
        """Target-weighted spectral density mu_F(dx)/dx = x * rho_density (deterministic only)."""
        if self.rho_density is None or self.grid is None:
            return None
        return self.grid * self.rho_density

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready: eigenvalues, rho, lambda_min and limit_loss.

        Returns
        -------
        dict
            ``{"eigenvalues": list, "rho": list, "lambda_min": float, "limit_loss": float}``.
        """
        return {
            "eigenvalues": [float(x) for x in self.eigenvalues],
            "rho": [float(x) for x in self.rho],
            "lambda_min": float(self.lambda_min),
            "limit_loss": float(self.limit_loss),
        }


def _check_problem(problem: Any) -> Problem:
    if not isinstance(problem, Problem):
        raise ParameterError(f"problem must be a scalinglaws.Problem, got {type(problem).__name__}")
    return problem


def power_law_of(problem: Problem) -> Tuple[PowerLaw, int]:
    """The problem's power law and model size d, checked for the deterministic equivalent:
    ``2(alpha + beta) > 1``, ``v > d``, ``v = inf`` only with ``2 alpha > 1``."""
    problem = _check_problem(problem)
    pl = problem.power_law
    if pl is None:
        raise ParameterError(
            "the deterministic equivalent needs a power-law problem "
            "(Problem.paquette or Problem.bordelon); for a custom spectrum use "
            "empirical_spectrum(problem, seed)"
        )
    d = problem.require_N()
    if not 2.0 * (pl.alpha + pl.beta) > 1.0:
        raise ParameterError(
            f"need 2(alpha + beta) > 1 for a finite loss, got alpha = "
            f"{pl.alpha:g}, beta = {pl.beta:g}"
        )
    if math.isinf(pl.v) and not 2.0 * pl.alpha > 1.0:
        raise ParameterError(
            f"v = inf needs 2 alpha > 1 (the sums over j diverge), got alpha = {pl.alpha:g}"
        )
    if not pl.v > d:
        raise ParameterError(
            f"the deterministic equivalent needs more features than the model "
            f"size: v (M) = {pl.v:g} must be > d (N) = {d}"
        )
    return pl, d


def edges(pl: PowerLaw, d: int, target: bool = True) -> Tuple[float, float, float, float, float]:
    """(lambda_min, c, F_0, ||b_hat||^2, tr D) of the power law (F_0 and norm unscaled)."""
    return _core.plrf.edges(pl.alpha, pl.beta if target else None, pl.v, d)


def resolvent_m(problem: Problem, z: Any, *, threads: Optional[int] = None) -> np.ndarray:
    """The function m(z) of the deterministic equivalent (:ref:`plrf-deterministic`).

    Solved at complex ``z`` with Im z > 0 on the branch m -> 1 at infinity, by Newton
    continuation in C++ (parallel over z).

    Parameters
    ----------
    problem : Problem
        A power-law problem (``Problem.paquette``, or ``Problem.bordelon``) with d (N) set.
    z : complex or array_like of complex
        Points with Im z > 0 (for the real axis use ``x + 1e-10j * x``).
    threads : int, optional
        Threads (results do not depend on it).

    Returns
    -------
    ndarray of complex
        m(z), with the shape of ``z``.

    Raises
    ------
    ParameterError
        Non-finite z, Im z <= 0, or a problem without a power law or d.
    ConvergenceError
        Newton failed (the message gives the residual).

    Examples
    --------
    >>> p = Problem.paquette(alpha=1.0, beta=0.7, v=400, d=100)
    >>> m = resolvent_m(p, [1e6j, 1.0 + 1.0j])
    >>> bool(abs(m[0] - 1) < 1e-4), m.dtype                   # m -> 1 as |z| -> inf
    (True, dtype('complex128'))
    """
    pl, d = power_law_of(problem)
    zz = np.atleast_1d(check_complex("z", z))
    if np.any(zz.imag <= 0):
        bad = zz.ravel()[int(np.flatnonzero(zz.ravel().imag <= 0)[0])]
        raise ParameterError(
            f"z must have Im z > 0, got z = {bad} (use x + 1e-10j*x for the real axis)"
        )
    try:
        out = _core.plrf.solve_m(pl.alpha, pl.v, d, zz.ravel(), threads_arg(threads))
    except ConvergenceError as exc:  # Newton continuation failed: report, with what to change
        raise ConvergenceError(
            f"resolvent_m: {exc}; move z away from the real axis near 0 (larger Im z or |z|)",
            residual=exc.residual,
        ) from None
    return np.asarray(out).reshape(zz.shape)


def limit_loss(problem: Problem) -> float:
    """Deterministic limit loss ``F_0 = P_inf`` (no 1/2).

    ``F_0 = sum_{j<=v} lambda_j w*_j^2 / (1 + c lambda_j)`` with c > 0 solving
    ``(1/d) sum_{j<=v} c lambda_j / (1 + c lambda_j) = 1`` (:ref:`plrf-limit-loss`). It is the
    loss of the best predictor of the model, reached as steps -> inf.

    Parameters
    ----------
    problem : Problem
        A power-law problem with d (N) set, ``v > d`` (``v = inf`` needs ``2 alpha > 1``).

    Returns
    -------
    float
        ``F_0 >= 0``.

    Raises
    ------
    ParameterError
        No power law, d unset, ``2(alpha + beta) <= 1`` or ``v <= d``.

    Examples
    --------
    >>> p = Problem.paquette(alpha=1.0, beta=0.7, v=400, d=100)
    >>> bool(0 < limit_loss(p) < limit_loss(p.replace(N=20)))   # larger models do better
    True
    """
    pl, d = power_law_of(problem)
    return float(edges(pl, d)[2]) * pl.scale


def lambda_min(problem: Problem) -> float:
    """Left edge of the deterministic-equivalent spectrum, ~ d^-2alpha (:ref:`plrf-lambda-min`).

    Parameters
    ----------
    problem : Problem
        A power-law problem with d (N) set and ``v > d``.

    Returns
    -------
    float
        The smallest eigenvalue of K in the deterministic equivalent (> 0).

    Raises
    ------
    ParameterError
        No power law, d unset or ``v <= d``.

    Examples
    --------
    >>> p = Problem.paquette(alpha=1.0, beta=0.7, v=10**5, d=100)
    >>> round(lambda_min(p.replace(N=200)) / lambda_min(p), 2)   # d^-2alpha: 2^-2
    0.25
    """
    pl, d = power_law_of(problem)
    return float(edges(pl, d, target=False)[0])


def deterministic_spectrum(
    problem: Problem,
    *,
    points_per_bump: float = 80.0,
    eta_rel: float = 1e-10,
    threads: Optional[int] = None,
    refine_rtol: float = 1e-10,
) -> Spectrum:
    """Deterministic-equivalent spectrum of K = W^T D W: d eigenvalues and rho-weights.

    The density is computed on a log grid from lambda_min/2 to above the top outlier, with
    ``points_per_bump`` points across the width 4 lambda / sqrt(d) of an outlier bump, at
    z = x + i eta_rel x. Deterministic eigenvalue k (descending) is where the descending
    cumulative count crosses k - 1/2; rho_k integrates the rho-measure (1/pi) Im(S_F/z) between
    the crossings of k - 1 and k (the top window extends to the top of the grid, so it contains
    the whole top bump). The integrated count must be within 2% (+1) of d, else
    :class:`~scalinglaws.errors.ConvergenceError`; the small remainder (typically < 1e-4 d) is
    removed by rescaling the count to d. Sum rule: ``limit_loss + sum_k lambda_k rho_k`` equals
    the initial loss to ~1e-3. Theory: :ref:`plrf-spectrum`.

    Parameters
    ----------
    problem : Problem
        A power-law problem with d (N) set; ``v = inf`` is allowed where the sums converge.
    points_per_bump : float, optional
        Grid resolution across one outlier bump (4 .. 1e4).
    eta_rel : float, optional
        Relative imaginary part of the evaluation points (1e-14 .. 1e-3).
    refine_rtol : float, optional
        Adaptive sampling of the grid (0 .. 1e-3; 0: solve m(z) at every grid point). m is
        solved at every 64th grid point and intervals are bisected until the cubic prediction of
        each new midpoint's density and rho-density is within ``refine_rtol`` relative (plus a
        floor of 1e-9 eigenvalues per unit log x); the other grid points are interpolated
        (cubic). At the default 1e-10 the eigenvalues agree with the every-point route to
        ~1e-11 relative and rho to ~1e-9 (measured at d = 1e5, 1e6) while m is solved at 27%
        (d = 1e5) and 25% (d = 1e6) of the points.
    threads : int, optional
        Threads (results do not depend on it).

    Returns
    -------
    Spectrum
        ``eigenvalues`` (d, descending), ``rho`` (their target weights), ``limit_loss``
        (``F_0``), ``lambda_min``, the density on its ``grid`` and the parameters; the input of
        :func:`~scalinglaws.plrf.volterra_loss`.

    Raises
    ------
    ParameterError
        A problem without a power law or without d.
    ConvergenceError
        The integrated eigenvalue count misses d by more than 2% (+1).

    Examples
    --------
    >>> s = deterministic_spectrum(Problem.paquette(alpha=1.0, beta=0.7, v=2000, d=100))
    >>> s.eigenvalues.shape, round(float(s.eigenvalues[0]), 3), round(s.limit_loss, 6)
    ((100,), 1.004, 0.00061)
    """
    pl, d = power_law_of(problem)
    points_per_bump = check_real("points_per_bump", points_per_bump, minimum=4.0, maximum=1e4)
    eta_rel = check_real("eta_rel", eta_rel, minimum=1e-14, maximum=1e-3)
    refine_rtol = check_real("refine_rtol", refine_rtol, minimum=0.0, maximum=1e-3)
    lmin, c, f0, target, trace = edges(pl, d)
    if not (lmin > 0 and all(math.isfinite(x) for x in (lmin, c, f0, target, trace))):
        raise ParameterError(
            f"the deterministic spectrum is out of double-precision range for "
            f"alpha = {pl.alpha:g}, beta = {pl.beta:g}, d = {d} (lambda_min = "
            f"{lmin:g}); use a smaller alpha or d"
        )
    x_hi = 2.0 * (1.0 + trace / d) * (1.0 + 2.0 / math.sqrt(d)) ** 2
    # grid points: log(x_hi / x_lo) per step min(0.02, 4 / (sqrt(d) points_per_bump))
    grid = math.log(x_hi / (0.5 * lmin)) / min(0.02, 4.0 / (math.sqrt(d) * points_per_bump))
    check_time(
        5e-5 * grid * (1.0 if refine_rtol == 0 else 0.3) + 2e-7 * d,
        f"deterministic_spectrum (d = {d}, points_per_bump = {points_per_bump:g})",
        hint="use a smaller d or points_per_bump",
    )
    s = _core.plrf.spectrum(
        pl.alpha,
        pl.beta,
        pl.v,
        d,
        _core.plrf.SpectrumOptions(
            x_lo=0.5 * lmin,
            x_hi=x_hi,
            points_per_bump=points_per_bump,
            eta_rel=eta_rel,
            threads=threads_arg(threads),
            refine_rtol=refine_rtol,
        ),
    )
    eig, rho = np.asarray(s["eigenvalues"]), np.asarray(s["rho"]) * pl.scale
    for name, arr in (("eigenvalues", eig), ("rho", rho)):
        if not np.all(np.isfinite(arr)):
            raise ConvergenceError(f"deterministic spectrum produced non-finite {name}")
    return Spectrum(
        eigenvalues=eig,
        rho=rho,
        limit_loss=float(f0) * pl.scale,
        lambda_min=float(lmin),
        kind="deterministic",
        params={
            "alpha": pl.alpha,
            "beta": pl.beta,
            "v": pl.v,
            "d": d,
            "c": c,
            "trace_D": trace,
            "target_norm": target * pl.scale,
            "lam_rho_mass": float(s["total_lam_rho"]) * pl.scale,
        },
        grid=np.asarray(s["x"]),
        density=np.asarray(s["density"]),
        rho_density=np.asarray(s["rho_density"]) * pl.scale,
        total_count=float(s["total_count"]),
    )


def empirical_spectrum(
    problem: Problem, seed: int = 0, *, threads: Optional[int] = None
) -> Spectrum:
    """Exact spectrum of one sampled projection W, drawn with ``seed``.

    The projection is the one that ``simulate_sgd(problem, ..., projection_seed=seed)`` and
    ``simulate_gd`` use: eigenvalues of K (descending), ``rho_k = (u_k . theta*)^2`` and
    ``P_inf = min P`` (:ref:`plrf-spectrum`).

    Parameters
    ----------
    problem : Problem
        Any problem (power law or custom) with N (d) set; finite M.
    seed : int, optional
        Projection seed.
    threads : int, optional
        Threads (results do not depend on it).

    Returns
    -------
    Spectrum
        With ``kind = "empirical"``; the input of :func:`~scalinglaws.plrf.volterra_loss`.

    Raises
    ------
    ParameterError
        N unset, an infinite problem, or a negative seed.

    Examples
    --------
    >>> s = empirical_spectrum(Problem.paquette(alpha=1.0, beta=0.7, v=500, d=50), seed=3)
    >>> s.eigenvalues.shape, s.kind
    ((50,), 'empirical')
    """
    problem = _check_problem(problem)
    d = problem.require_N()
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    from ..simulate import setup_seconds

    what = f"empirical_spectrum (M={problem.M}, N={d})"
    check_time(setup_seconds(problem.M, d), what, hint="reduce M or N")
    check_memory(8.0 * (problem.M * d + 3.0 * d * d), what)
    s, e0, p_inf = _core.simulate.sgd_setup(
        _core.simulate.ProblemSpec(lam=problem.lam, wstar=problem.wstar, N=d),
        seed,
        threads_arg(threads),
    )
    s = np.asarray(s)[::-1].copy()
    rho = (np.asarray(e0) ** 2)[::-1].copy()
    return Spectrum(
        eigenvalues=s,
        rho=rho,
        limit_loss=float(p_inf),
        lambda_min=float(s[-1]),
        kind="empirical",
        params={**problem.params, "d": d, "seed": seed},
    )
