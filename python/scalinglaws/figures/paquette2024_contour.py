"""Paquette, Paquette, Xiao & Pennington (NeurIPS 2024), appendix figure: the contour
Gamma_0 + Gamma_c + Gamma_caps of the Volterra kernel's resolvent. Conventions as in
:mod:`scalinglaws.figures.paquette2024`.
"""

from __future__ import annotations

import math
from typing import Any, Dict

import numpy as np

from ..problem import Problem
from ._axes import label
from ._registry import register_figure
from .paquette2024 import (
    PAPER,
    _data,
    _plrf,
)


# --------------------------------------------------------------------------- contour
def _winding(contour: np.ndarray, p: complex) -> float:
    """Winding number of the closed polygon ``contour`` around the point p."""
    z = np.asarray(contour) - p
    return float(np.sum(np.angle(np.roll(z, -1) / z)) / (2 * math.pi))


@register_figure(
    "paquette-contour",
    PAPER,
    "App.: the contour Gamma_0 + Gamma_c + Gamma_caps "
    "around the deterministic spectral support, and F(r) computed on it",
    figsize=(14, 4),
)
def contour(quick: bool) -> Dict[str, Any]:
    v, d = (2000, 200) if quick else (10000, 1000)
    r = _data().figure_contour(1.0, 0.7, v, d, steps=(0, 1, 10, 100, 1000, 10000, 100000))
    return {k: (np.asarray(x) if isinstance(x, (list, tuple)) else x) for k, x in r.items()}


@contour.draw
def _contour_draw(d: Dict[str, Any], fig: Any) -> None:
    a1, a2, a3 = fig.subplots(1, 3)
    g0, gc = d["gamma_0"], d["contour"]
    # (1) log-polar view: log10 |z| against arg z
    a1.plot(np.log10(np.abs(gc)), np.angle(gc), "C0-", lw=1.2, label="Gamma_c + Gamma_caps")
    a1.plot(np.log10(np.abs(g0)), np.angle(g0), "C3-", lw=1.2, label="Gamma_0 (|z| = x_L/2)")
    x, dens = d["grid"], d["density"]
    m = x * dens > 1e-6 * np.max(x * dens)
    scale = 0.8 * float(d["phi"]) / np.max(x[m] * dens[m])
    a1.fill_between(
        np.log10(x[m]),
        0,
        scale * x[m] * dens[m],
        color="0.6",
        label="eigenvalue density x n(x) (scaled)",
    )
    a1.plot(np.log10(d["eigenvalues"]), np.zeros(len(d["eigenvalues"])), "k|", ms=4)
    for name, val in (("lambda_min", d["lambda_min"]), ("lambda_max", d["lambda_max"])):
        a1.axvline(math.log10(float(val)), color="k", ls=":", lw=0.8)
        a1.annotate(name, (math.log10(float(val)), -0.9 * float(d["phi"])), fontsize=7)
    label(
        a1,
        "log10 |z|",
        "arg z",
        title="contour in log-polar coordinates",
        title_size=8,
        legend=6,
        loc="upper left",
    )
    # (2) linear zoom at the origin: Gamma_0, the left cap and the bottom of the bulk
    lim = 4.0 * float(d["lambda_min"])
    a2.plot(g0.real, g0.imag, "C3-", label="Gamma_0")
    ok = np.abs(gc) < 1.5 * lim
    a2.plot(gc.real[ok], gc.imag[ok], "C0.", ms=2, label="Gamma_c + left cap")
    ev = np.asarray(d["eigenvalues"])
    a2.plot(ev[ev < lim], np.zeros((ev < lim).sum()), "k|", ms=8, label="eigenvalues")
    a2.plot([0], [0], "kx", label="atom at 0 (F_0)")
    a2.set_xlim(-0.6 * lim, lim)
    a2.set_ylim(-0.5 * lim, 0.5 * lim)
    a2.set_aspect("equal")
    label(a2, "Re z", "Im z", title="zoom near 0", title_size=8, legend=6)
    # (3) the forcing from the contour vs the deterministic eigenvalues
    r = np.asarray(d["steps"], float)
    rr = np.where(r > 0, r, 0.3)
    a3.loglog(rr, d["F_contour"], "o", label="contour integral")
    a3.loglog(rr, d["F_spectrum"], "k-", lw=1, label="sum over deterministic eigenvalues")
    a3.axhline(float(d["F_0"]), color="C3", ls="--", lw=0.8, label="F_0 (limit loss)")
    title = (
        f"alpha={float(d['alpha']):g}, beta={float(d['beta']):g}, d={int(d['d'])}, v={int(d['v'])}"
    )
    label(a3, "steps r (r = 0 drawn at 0.3)", "forcing F(r)", title=title, title_size=8, legend=6)


@contour.verify
def _contour_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    gc, g0 = d["contour"], d["gamma_0"]
    lmin, lmax = float(d["lambda_min"]), float(d["lambda_max"])
    # Gamma_c + caps winds once around the whole support and not around 0; Gamma_0 the opposite
    for p in (lmin, math.sqrt(lmin * lmax), lmax, float(np.min(d["eigenvalues"]))):
        assert round(_winding(gc, p)) == 1 and round(_winding(g0, p)) == 0, p
    assert round(_winding(gc, 0.0)) == 0 and round(_winding(g0, 0.0)) == 1
    # the residue at 0 is the limit loss (separate root-finding path)
    a, b, v, dd = float(d["alpha"]), float(d["beta"]), int(d["v"]), int(d["d"])
    f0 = pl.limit_loss(Problem.paquette(a, b, v, dd))
    assert np.allclose(d["F0_contour"], f0, rtol=1e-6)
    # r = 0: the whole target mass ||D^1/2 b||^2 (direct sum); then the eigenvalue sum within 1%
    r = np.asarray(d["steps"])
    target = float(np.sum(np.arange(1, v + 1.0) ** (-2 * a - 2 * b)))
    assert abs(float(d["F_contour"][r == 0][0]) / target - 1) < 1e-5
    assert np.allclose(d["F_contour"], d["F_spectrum"], rtol=1e-2), np.abs(
        np.asarray(d["F_contour"]) / np.asarray(d["F_spectrum"]) - 1
    ).max()
