"""Data of the Paquette et al. figures: Volterra theory (and SGD simulation) over the grids the
figures show. Conventions: B = 1 unless stated, gamma = lr_scale / tr D in the batch-sum
convention, loss P without 1/2, compute f = B d r.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .._validate import check_array, check_int, check_real
from ..errors import ConvergenceError, ParameterError
from ..plrf import (
    PHASE_EXAMPLES,
    deterministic_spectrum,
    empirical_spectrum,
    fit_compute_optimal,
    forcing_kernel,
    kernel_norm,
    measure_compute_optimal,
    phase,
    resolvent_m,
    volterra_loss,
)
from ..plrf.compute_optimal import v_for
from ..plrf.phases import check_alpha_beta, components
from ..plrf.spectrum import power_law_of
from ..problem import Problem

__all__ = [
    "figure_spectrum",
    "figure_phase_diagram",
    "figure_boundary",
    "figure_finite_size",
    "figure_fronts",
    "figure_phase_curves",
    "figure_contour",
]


def figure_spectrum(
    alpha: float = 1.0,
    beta: float = 2.0,
    v: int = 10000,
    d: int = 1000,
    draws: int = 100,
    bins: int = 200,
    seed: int = 0,
) -> Dict[str, Any]:
    """Empirical vs deterministic spectrum (:ref:`plrf-spectrum`, appendix figure).

    Histogram (log bins) of the target-weighted spectral measure sum_k lambda_k rho_k delta_k of
    ``draws`` sampled W (atom at 0 removed), averaged, against the deterministic target measure
    x * rho_density; also the mean sorted eigenvalues vs the deterministic ones.
    """
    draws = check_int("draws", draws, minimum=1, maximum=10000)
    det = deterministic_spectrum(Problem.paquette(alpha, beta, v, d))
    lo, hi = 0.5 * det.lambda_min, 2.0 * det.eigenvalues[0]
    edges = np.logspace(math.log10(lo), math.log10(hi), bins + 1)
    hist = np.zeros(bins)
    eig = np.zeros(d)
    for s in range(draws):
        e = empirical_spectrum(Problem.paquette(alpha, beta, v, d), seed + s)
        hist += np.histogram(e.eigenvalues, edges, weights=e.eigenvalues * e.rho)[0]
        eig += e.eigenvalues
    hist /= draws * np.diff(edges)
    return {
        "edges": edges,
        "empirical_density": hist,
        "grid": det.grid,
        "deterministic_density": det.target_measure,
        "empirical_eigenvalues": eig / draws,
        "deterministic_eigenvalues": det.eigenvalues,
        "lambda_min": det.lambda_min,
    }


def figure_phase_diagram(
    alphas: Sequence[float],
    betas: Sequence[float],
    ds: Sequence[int],
    *,
    flops: Optional[Sequence[float]] = None,
    **kwargs: Any,
) -> Dict[str, Any]:
    """Measured (IsoFLOP) and closed-form xi, eta on an (alpha, beta) grid (Fig. 4a heat maps;
    a single alpha and many betas gives the Fig. 4b sweep). Points with 2(alpha+beta) <= 1 are
    NaN."""
    A, Bt = np.asarray(alphas, float), np.asarray(betas, float)
    out = {
        k: np.full((A.size, Bt.size), np.nan)
        for k in ("xi", "eta", "xi_theory", "eta_theory", "xi_frontier", "eta_frontier")
    }
    phases = np.full((A.size, Bt.size), "", dtype=object)
    for i, a in enumerate(A):
        for j, b in enumerate(Bt):
            if not 2 * (a + b) > 1:
                continue
            r = measure_compute_optimal(a, b, ds, flops=flops, **kwargs)
            out["xi"][i, j], out["eta"][i, j] = r["xi_isoflop"], r["eta_isoflop"]
            out["xi_frontier"][i, j], out["eta_frontier"][i, j] = (
                r["xi_frontier"],
                r["eta_frontier"],
            )
            out["xi_theory"][i, j], out["eta_theory"][i, j] = r["xi_theory"], r["eta_theory"]
            phases[i, j] = r["phase"]
    out.update(alphas=A, betas=Bt, phases=phases)
    return out


def figure_boundary(
    alpha: float = 0.7,
    beta: float = 0.7,
    ds: Sequence[int] = (100, 200, 400, 800),
    v_ratio: float = 4.0,
    lr_scale: float = 0.5,
    flops_max: float = 1e9,
    sgd_runs: int = 0,
    seed: int = 0,
    measure: bool = True,
    n_checkpoints: int = 60,
) -> Dict[str, Any]:
    """Fig. 3 (II/III boundary): Volterra (deterministic) loss vs flops f = d r for several d,
    optionally with the mean of ``sgd_runs`` simulated SGD runs (v = v_ratio d, B = 1,
    gamma = lr_scale / tr D; each run draws its own W, so the mean is over W and data), plus,
    if ``measure``, the compute-optimal measurement (IsoFLOP slices, d* fit). Also used for the
    negative-beta appendix figure (Phase Ia extends to beta < 0 while 2(alpha + beta) > 1)."""
    from ..simulate import simulate_sgd

    curves = []
    for d in ds:
        v = int(round(v_ratio * d))
        det = deterministic_spectrum(Problem.paquette(alpha, beta, v, d))
        lr = lr_scale / det.params["trace_D"]
        steps = int(flops_max // d)
        c = volterra_loss(det, lr, steps)
        assert c.steps is not None  # volterra_loss always sets the steps
        row: Dict[str, Any] = {"d": d, "flops": c.steps * d, "volterra": c.test_loss}
        if sgd_runs > 0:
            res = simulate_sgd(
                Problem.paquette(alpha, beta, v, d),
                lr,
                steps,
                seeds=sgd_runs,
                seed=seed,
                n_checkpoints=n_checkpoints,
            )
            assert res.steps is not None  # simulate_sgd always sets the steps
            row.update(sgd_flops=res.steps * d, sgd_mean=res.test_loss, sgd_sem=res.test_loss_sem)
        curves.append(row)
    if not measure:
        return {"curves": curves, "compute_optimal": None}
    meas = measure_compute_optimal(
        alpha,
        beta,
        ds,
        v_ratio=v_ratio,
        lr_scale=lr_scale,
        flops=np.logspace(math.log10(10 * max(ds)), math.log10(flops_max), 30),
    )
    return {"curves": curves, "compute_optimal": meas}


def figure_finite_size(
    alpha: float,
    beta: float,
    ds: Sequence[int] = (200, 800, 3200),
    *,
    v_ratio: Optional[float] = None,
    lr_scale: float = 0.5,
    steps: int = 10**7,
) -> Dict[str, Any]:
    """Fig. 5 (finite-size effects): ratio of the exact (deterministic-equivalent) Volterra
    solution to the large-d estimate F_0 + F_pp + F_ac + K_pp / (gamma B) of :ref:`plrf-components`,
    for several d (B = 1, gamma = lr_scale / tr D, v = inf above the line, else v_ratio d)."""
    alpha, beta = check_alpha_beta(alpha, beta)
    rows = []
    for d in ds:
        v = v_for(alpha, int(d), v_ratio)
        det = deterministic_spectrum(Problem.paquette(alpha, beta, v, d))
        lr = lr_scale / det.params["trace_D"]
        c = volterra_loss(det, lr, steps)
        assert c.steps is not None  # volterra_loss always sets the steps
        r = c.steps[1:].astype(float)
        comp = components(alpha, beta, d, float(v), r, lr, 1)
        est = comp["F_0"] + comp["F_pp"] + comp["F_ac"]
        if comp["noise"] is not None:
            est = est + comp["noise"]
        rows.append(
            {
                "d": d,
                "steps": c.steps[1:],
                "loss": c.test_loss[1:],
                "estimate": est,
                "ratio": c.test_loss[1:] / est,
            }
        )
    return {"alpha": alpha, "beta": beta, "rows": rows}


def figure_fronts(
    cases: Sequence[Tuple[float, float]],
    ds: Sequence[int],
    *,
    flops: Optional[Sequence[float]] = None,
    v_ratio: Optional[float] = None,
    lr_scale: float = 0.5,
    windows: Optional[Sequence[Tuple[float, float]]] = None,
    threads: Optional[int] = None,
) -> List[Dict[str, Any]]:
    """Compute-optimal fronts (Fig. 1 and the appendix figures on fronts and IsoFLOP windows).

    For each (alpha, beta) in ``cases``: :func:`measure_compute_optimal` over the model sizes
    ``ds`` (B = 1, gamma = lr_scale / tr D in the batch-sum convention, v = inf above the
    high-dimensional line, v = 4 d below it unless ``v_ratio`` is given), i.e. the deterministic
    Volterra loss P (no 1/2) against flops f = B d r for every d, the frontier min_d P and the
    IsoFLOP minima, with fitted and closed-form exponents. With ``windows`` (a list of
    (f_lo, f_hi)), the exponents are also refitted over each window (:func:`fit_compute_optimal`)
    and returned as ``row["windows"]``.
    """
    out = []
    for a, b in cases:
        alpha, beta = check_alpha_beta(a, b)
        m = measure_compute_optimal(
            alpha, beta, ds, v_ratio=v_ratio, lr_scale=lr_scale, flops=flops, threads=threads
        )
        row: Dict[str, Any] = {
            k: m[k]
            for k in (
                "phase",
                "xi_theory",
                "eta_theory",
                "eta_frontier",
                "xi_frontier",
                "eta_isoflop",
                "xi_isoflop",
                "n_fit",
                "flops",
                "P_frontier",
                "d_frontier",
                "P_isoflop",
                "d_isoflop",
                "interior",
                "ds",
            )
        }
        row.update(
            alpha=alpha,
            beta=beta,
            v=[v_for(alpha, int(d), v_ratio) for d in m["ds"]],
            curve_flops=[c.flops for c in m["curves"]],
            curve_loss=[c.test_loss for c in m["curves"]],
            gamma=[c.params["gamma"] for c in m["curves"]],
        )
        if windows is not None:
            row["windows"] = [
                dict(window=(float(w[0]), float(w[1])), **fit_compute_optimal(m, w))
                for w in windows
            ]
        out.append(row)
    return out


def figure_phase_curves(
    cases: Optional[Sequence[Tuple[float, float]]] = None,
    d: int = 400,
    *,
    steps: int = 10**7,
    v_ratio: Optional[float] = None,
    lr_scale: float = 0.5,
    n_checkpoints: int = 120,
) -> List[Dict[str, Any]]:
    """Fig. 2b: the loss curve of each phase with its components.

    For each (alpha, beta) (default :data:`PHASE_EXAMPLES`): the deterministic Volterra loss P(r)
    (no 1/2; B = 1, gamma = lr_scale / tr D batch-sum, v as in :func:`figure_fronts`), the
    large-d components of :func:`loss_components` (F_0, F_pp, F_ac and the noise term
    K_pp / (gamma B); ``None`` -> NaN where they are not defined: K_pp for alpha <= 1/4), the
    exact forcing F(r) and kernel term K(r) / (gamma B) of the same discrete spectrum
    (:func:`forcing_kernel`), and the plateau P_inf / (1 - ||K||).
    """
    if cases is None:
        cases = list(PHASE_EXAMPLES.values())
    d = check_int("d", d, minimum=2, maximum=10**7)
    rows = []
    for a, b in cases:
        alpha, beta = check_alpha_beta(a, b)
        v = v_for(alpha, d, v_ratio)
        det = deterministic_spectrum(Problem.paquette(alpha, beta, v, d))
        lr = lr_scale / det.params["trace_D"]
        c = volterra_loss(det, lr, steps, n_checkpoints=n_checkpoints)
        assert c.steps is not None  # volterra_loss always sets the steps
        r = c.steps[1:]
        comp = components(alpha, beta, d, float(v), r.astype(float), lr, 1)
        F, K = forcing_kernel(det, lr, r.astype(float))
        nan = np.full(r.size, np.nan)
        rows.append(
            {
                "alpha": alpha,
                "beta": beta,
                "phase": phase(alpha, beta),
                "d": d,
                "v": v,
                "gamma": lr,
                "steps": r,
                "loss": c.test_loss[1:],
                "F_0": float(comp["F_0"]),
                "F_pp": comp["F_pp"],
                "F_ac": comp["F_ac"],
                "noise": nan if comp["noise"] is None else comp["noise"],
                "F_exact": F,
                "noise_exact": K / lr,
                "plateau": float(det.limit_loss) / (1.0 - kernel_norm(det, lr)),
            }
        )
    return rows


def _gl_panels(a: float, b: float, panels: int, order: int = 8) -> Tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes and weights on [a, b] (no node at an end point)."""
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(a, b, panels + 1)
    c, h = 0.5 * (edges[1:] + edges[:-1]), 0.5 * np.diff(edges)
    return (c[:, None] + h[:, None] * x[None, :]).ravel(), (h[:, None] * w[None, :]).ravel()


def figure_contour(
    alpha: float = 1.0,
    beta: float = 0.7,
    v: int = 2000,
    d: int = 200,
    *,
    phi: float = 0.3,
    lr_scale: float = 0.5,
    steps: Sequence[int] = (0, 10, 100, 1000, 10000),
    panels: int = 120,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """The contour Gamma = Gamma_0 + Gamma_c + Gamma_caps of :ref:`plrf-contour`, and the forcing
    F(r) = -(1/2 pi i) oint_Gamma S_F(z) q(z)^r dz computed on it.

    S_F(z) = sum_{j<=v} j^-(2alpha+2beta) / (j^-2alpha m(z) - z) is the deterministic equivalent
    of <(K_hat - z)^-1 b_hat, b_hat> (direct sum over j, so v must be finite), with m(z) from
    :func:`resolvent_m` (m(conj z) = conj m(z) below the axis); q(z) = 1 - 2 gamma z + 2 gamma^2 z^2
    (B = 1, gamma = lr_scale / tr D batch-sum). The pieces, all counter-clockwise:

    * Gamma_0: the circle |z| = x_L / 2 around the atom at 0 (its integral is F_0);
    * Gamma_c: the rays z = x e^{+-i phi}, x in [x_L, x_R] with x_L = lambda_min / 2 (inside the
      spectral gap (0, lambda_min)) and x_R = 1.5 x the top deterministic eigenvalue;
    * Gamma_caps: the arcs |z| = x_L and |z| = x_R, |arg z| <= phi, closing the rays.

    Gamma_c + Gamma_caps encloses the support [lambda_min, lambda_max] and its integral is
    F(r) - F_0. Returned with the same quantities from the deterministic eigenvalues and
    rho-weights (``F_spectrum``, via :func:`forcing_kernel`) and the limit loss F_0
    (:func:`limit_loss`). Only the upper half is integrated: the lower half is its mirror image
    (the integrand is real on the real axis), so each closed piece gives -Im(I_upper) / pi.
    """
    alpha, beta = check_alpha_beta(alpha, beta)
    problem = Problem.paquette(alpha, beta, v, d)
    power_law_of(problem)  # v > d, 2(alpha + beta) > 1
    if problem.infinite:
        raise ParameterError("figure_contour sums over j directly: v must be finite")
    vv = int(problem.M)
    phi = check_real("phi", phi, minimum=0.0, maximum=1.5, min_open=True)
    panels = check_int("panels", panels, minimum=4, maximum=10**5)
    st = check_array("steps", list(steps))
    if np.any(st < 0) or np.any(st != np.round(st)):
        raise ParameterError("steps must be whole numbers >= 0")
    det = deterministic_spectrum(Problem.paquette(alpha, beta, vv, d), threads=threads)
    lr = lr_scale / det.params["trace_D"]
    lmin, lmax = det.lambda_min, float(det.eigenvalues[0])
    assert det.grid is not None  # deterministic_spectrum always sets the grid
    # the right end must lie above the whole top outlier bump (:ref:`plrf-deterministic`): take the top
    # of the density grid, which extends to 2 (1 + tr D/d)(1 + 2/sqrt d)^2
    xL, xR, r0 = 0.5 * lmin, max(1.5 * lmax, float(det.grid[-1])), 0.25 * lmin
    # upper halves, each as (z, dz/dt * weight): caps and Gamma_0 in the angle, rays in log x
    pieces: Dict[str, List[Tuple[np.ndarray, np.ndarray]]] = {}
    th, wt = _gl_panels(0.0, phi, max(4, panels // 10))
    zc = xR * np.exp(1j * th)  # right cap, real axis -> ray
    pieces["caps"] = [(zc, 1j * zc * wt)]
    u, wu = _gl_panels(math.log(xR), math.log(xL), panels)  # ray, from x_R inwards to x_L
    zr = np.exp(u + 1j * phi)
    pieces["c"] = [(zr, zr * wu)]
    th2, wt2 = _gl_panels(phi, 0.0, max(4, panels // 10))  # left cap, ray -> real axis
    zl = xL * np.exp(1j * th2)
    pieces["caps"].append((zl, 1j * zl * wt2))
    th0, wt0 = _gl_panels(0.0, math.pi, max(8, panels // 4))  # Gamma_0, upper semicircle
    z0 = r0 * np.exp(1j * th0)
    pieces["0"] = [(z0, 1j * z0 * wt0)]
    j = np.arange(1, int(vv) + 1, dtype=np.float64)
    lam_j, w_j = j ** (-2 * alpha), j ** (-2 * alpha - 2 * beta)

    def integral(z: np.ndarray, dz: np.ndarray, rs: np.ndarray = st) -> np.ndarray:
        m = resolvent_m(Problem.paquette(alpha, beta, vv, d), z, threads=threads)
        sf = np.empty(z.size, dtype=np.complex128)
        for i0 in range(0, z.size, 256):  # S_F by direct sum, in chunks
            sl = slice(i0, i0 + 256)
            sf[sl] = (w_j[None, :] / (lam_j[None, :] * m[sl, None] - z[sl, None])).sum(1)
        q = 1.0 - 2.0 * lr * z + 2.0 * lr * lr * z * z
        return np.array([-np.imag(np.sum(sf * q**r * dz)) / math.pi for r in rs])

    zs = {k: np.concatenate([p[0] for p in v_]) for k, v_ in pieces.items()}
    dzs = {k: np.concatenate([p[1] for p in v_]) for k, v_ in pieces.items()}
    # Gamma_0 encloses only the atom at 0, whose residue is F_0 q(0)^r = F_0 for every r: on its
    # left half |q| > 1, so q^r is evaluated at r = 0 only (large r would overflow)
    F0_contour = np.full(st.size, integral(zs["0"], dzs["0"], np.zeros(1))[0])
    Fc_contour = integral(
        np.concatenate([zs["c"], zs["caps"]]), np.concatenate([dzs["c"], dzs["caps"]])
    )
    if not (np.all(np.isfinite(F0_contour)) and np.all(np.isfinite(Fc_contour))):
        raise ConvergenceError(
            "figure_contour: the contour integral is not finite (steps too large "
            "for the quadrature?)"
        )
    F_spec, _ = forcing_kernel(det, lr, st)
    # closed lower-half mirror images for drawing
    close = lambda z: np.concatenate([z, np.conj(z[::-1])])  # noqa: E731
    return {
        "alpha": alpha,
        "beta": beta,
        "v": int(vv),
        "d": d,
        "gamma": lr,
        "phi": phi,
        "lambda_min": lmin,
        "lambda_max": lmax,
        "x_L": xL,
        "x_R": xR,
        "r0": r0,
        "steps": st,
        "F0_contour": F0_contour,
        "F_contour": F0_contour + Fc_contour,
        "F_spectrum": F_spec,
        "F_0": float(det.limit_loss),
        "gamma_0": close(zs["0"]),
        "gamma_c_upper": zs["c"],
        "gamma_caps_right": zc,
        "gamma_caps_left": zl,
        "contour": close(np.concatenate([zc, zr, zl])),
        "grid": det.grid,
        "density": det.density,
        "eigenvalues": det.eigenvalues,
    }
