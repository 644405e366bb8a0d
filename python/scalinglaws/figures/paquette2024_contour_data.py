"""Data of the Paquette et al. appendix figure on the contour of the Volterra kernel's resolvent
(theory page "PLRF", section "Contour"): the contour Gamma = Gamma_0 + Gamma_c + Gamma_caps and
the forcing F(r) integrated on it. Conventions as in :mod:`scalinglaws.figures.paquette2024_data`
(which re-exports :func:`figure_contour`): B = 1, gamma = lr_scale / tr D batch-sum, no 1/2.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .._validate import check_array, check_int, check_real
from ..errors import ConvergenceError, ParameterError
from ..plrf import deterministic_spectrum, forcing_kernel, resolvent_m
from ..plrf.phases import check_alpha_beta
from ..plrf.spectrum import power_law_of
from ..problem import Problem

__all__ = ["figure_contour"]


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
    """The contour Gamma = Gamma_0 + Gamma_c + Gamma_caps of :ref:`plrf-contour` and F(r) on it.

    The forcing F(r) = -(1/2 pi i) oint_Gamma S_F(z) q(z)^r dz computed on the contour.

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

    Parameters
    ----------
    alpha, beta : float
        Power-law exponents.
    v, d : int
        Data dimension (finite) and number of random features.
    phi : float, optional
        Half-opening angle of the rays, in (0, 1.5] radians.
    lr_scale : float, optional
        ``gamma = lr_scale / tr D``.
    steps : sequence of int, optional
        Steps r at which F(r) is computed (whole numbers >= 0).
    panels : int, optional
        Gauss-Legendre panels (8 nodes each) on the rays (4..1e5).
    threads : int, optional
        Worker threads (default: all cores).

    Returns
    -------
    dict
        The contour pieces (``gamma_0``, ``gamma_c_upper``, ``gamma_caps_right``,
        ``gamma_caps_left``, ``contour``), its parameters (``x_L``, ``x_R``, ``r0``, ``phi``,
        ``gamma``, ...), ``F0_contour``, ``F_contour`` and ``F_spectrum`` at ``steps``, ``F_0``,
        and the deterministic ``grid``, ``density`` and ``eigenvalues``.

    Raises
    ------
    ParameterError
        Infinite v, invalid exponents, ``phi``, ``panels`` or ``steps``.
    ConvergenceError
        The contour integral is not finite.

    Examples
    --------
    At d = 50 the contour (deterministic equivalent) and the discrete deterministic spectrum
    agree to a few percent:

    >>> out = figure_contour(v=400, d=50, steps=(0, 10), panels=40)
    >>> bool(np.all(np.abs(out["F_contour"] / out["F_spectrum"] - 1) < 0.05))
    True
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
