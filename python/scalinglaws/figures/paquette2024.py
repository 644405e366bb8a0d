"""Synthetic figures of Paquette, Paquette, Xiao & Pennington (NeurIPS 2024), regenerated from
the library: the data come from the ``figure_*`` functions of :mod:`scalinglaws.plrf` (Volterra
theory, with SGD from :func:`scalinglaws.simulate_sgd`); this module registers and draws them.

The paper's numeric choices of d, v, gamma and B are not all known (:ref:`plrf-typos`). These figures use
the reference code's: B = 1, gamma = 0.5 / tr D in the batch-sum convention, and v = 4 d (v = inf
above the high-dimensional line where stated). Loss P = ||D^1/2 (W theta - b)||^2, without 1/2.
Compute f = B d r.
"""

from __future__ import annotations

import math
from typing import Any, Dict

import numpy as np

from ..problem import Problem
from ._axes import label, palette
from ._registry import register_figure

PAPER = "Paquette et al. 2024"


def _plrf():
    from .. import plrf

    return plrf


def _data():
    from . import paquette2024_data

    return paquette2024_data


def _padded(rows: Any) -> np.ndarray:
    """Rows of different lengths as one array, padded with NaN."""
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def _ds(quick: bool) -> list:
    return (
        [100, 141, 200, 283, 400, 566, 800]
        if quick
        else [int(round(100 * 2 ** (k / 2))) for k in range(15)]
    )  # 100 ... 12800


# --------------------------------------------------------------------------- phase diagram
@register_figure(
    "paquette-phase-diagram",
    PAPER,
    "Fig. 4a: measured compute-optimal exponents "
    "eta (P* ~ f^-eta) and xi (d* ~ f^xi) over (alpha, beta)",
    figsize=(13, 7),
)
def phase_diagram(quick: bool) -> Dict[str, Any]:
    n = 5 if quick else 12
    r = _data().figure_phase_diagram(
        np.linspace(0.3, 1.4, n), np.linspace(0.15, 1.4, n), _ds(quick)
    )
    return {k: r[k] for k in ("alphas", "betas", "eta", "xi", "eta_theory", "xi_theory")}


@phase_diagram.draw
def _phase_diagram_draw(d: Dict[str, Any], fig: Any) -> None:
    from ..plotting import phase_diagram as heat

    axes = fig.subplots(2, 2)
    for ax, key in (
        (axes[0, 0], "eta"),
        (axes[0, 1], "eta_theory"),
        (axes[1, 0], "xi"),
        (axes[1, 1], "xi_theory"),
    ):
        name = key.replace("_theory", " theory") if "theory" in key else key + " measured"
        heat(d["alphas"], d["betas"], np.asarray(d[key]).T, ax=ax, label=name)
        label(ax, title=name)


@phase_diagram.verify
def _phase_diagram_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    i, j = len(d["alphas"]) // 2, len(d["betas"]) // 2
    _, xt, et = pl.compute_optimal_exponents(float(d["alphas"][i]), float(d["betas"][j]))
    assert math.isclose(xt, float(d["xi_theory"][i, j]))
    assert math.isclose(et, float(d["eta_theory"][i, j]))
    assert np.isfinite(d["eta"]).sum() >= 0.5 * np.isfinite(d["eta_theory"]).sum()
    # IsoFLOP fits over d = 100..800 (quick) carry a finite-size / fit-window bias that is
    # largest near phase boundaries: measured median 0.016, max 0.080
    _check_eta_gap(d, median=0.04, worst=0.12)


def _check_eta_gap(d: Dict[str, Any], *, median: float, worst: float) -> None:
    """The IsoFLOP-measured loss exponents ``d["eta"]`` against the closed form
    ``d["eta_theory"]``: median and largest absolute gap (NaN entries skipped) below bounds."""
    gap = np.abs(np.asarray(d["eta"]) - np.asarray(d["eta_theory"]))
    assert np.nanmedian(gap) < median and np.nanmax(gap) < worst, (
        np.nanmedian(gap),
        np.nanmax(gap),
    )


# --------------------------------------------------------------------------- Fig. 4b
@register_figure(
    "paquette-fig4b",
    PAPER,
    "Fig. 4b: alpha = 0.7, beta sweep (Ia -> II -> III): measured vs theoretical exponents",
)
def fig4b(quick: bool) -> Dict[str, Any]:
    betas = np.linspace(0.2, 1.4, 6 if quick else 16)
    r = _data().figure_phase_diagram([0.7], betas, _ds(quick))
    return {
        "betas": betas,
        "alpha": 0.7,
        **{k: np.asarray(r[k])[0] for k in ("eta", "xi", "eta_theory", "xi_theory")},
    }


@fig4b.draw
def _fig4b_draw(d: Dict[str, Any], fig: Any) -> None:
    a1, a2 = fig.subplots(1, 2)
    for ax, key in ((a1, "eta"), (a2, "xi")):
        ax.plot(d["betas"], d[f"{key}_theory"], "k-", label="theory")
        ax.plot(d["betas"], d[key], "o", label="measured (IsoFLOP)")
        label(ax, "beta", title=f"{key}, alpha = 0.7", legend=7)


@fig4b.verify
def _fig4b_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    for b, et in zip(d["betas"], d["eta_theory"]):
        assert math.isclose(pl.compute_optimal_exponents(0.7, float(b))[2], float(et))
    # fit-window bias of the IsoFLOP exponent (quick, d = 100..800): measured median 0.024,
    # max 0.038
    _check_eta_gap(d, median=0.04, worst=0.06)


# --------------------------------------------------------------------------- Fig. 3
@register_figure(
    "paquette-fig3",
    PAPER,
    "Fig. 3: Phase II/III boundary (alpha = beta = 0.7): Volterra vs SGD, IsoFLOP slices, d* fit",
    figsize=(13, 3.8),
)
def fig3(quick: bool) -> Dict[str, Any]:
    ds = [50, 100, 200] if quick else [100, 200, 400, 800]
    r = _data().figure_boundary(
        0.7, 0.7, ds, flops_max=2e5 if quick else 1e9, sgd_runs=16 if quick else 32
    )
    c, m = r["curves"], r["compute_optimal"]
    return {
        "ds": np.array(ds),
        "flops": _padded([row["flops"] for row in c]),
        "volterra": _padded([row["volterra"] for row in c]),
        "sgd_flops": _padded([row["sgd_flops"] for row in c]),
        "sgd": _padded([row["sgd_mean"] for row in c]),
        "sgd_sem": _padded([row["sgd_sem"] for row in c]),
        "iso_flops": m["flops"],
        "d_isoflop": m["d_isoflop"],
        "P_frontier": m["P_frontier"],
        "eta_isoflop": m["eta_isoflop"],
        "xi_isoflop": m["xi_isoflop"],
        "eta_theory": m["eta_theory"],
        "xi_theory": m["xi_theory"],
        "iso_ds": np.asarray(m["ds"], float),
        "iso_steps": _padded([cv.steps for cv in m["curves"]]),
        "iso_loss": _padded([cv.test_loss for cv in m["curves"]]),
    }


@fig3.draw
def _fig3_draw(d: Dict[str, Any], fig: Any) -> None:
    a1, a2, a3 = fig.subplots(1, 3)
    for i, dd in enumerate(d["ds"]):
        ok = np.isfinite(d["sgd"][i]) & (d["sgd_flops"][i] > 0)
        a1.loglog(
            d["sgd_flops"][i][ok], d["sgd"][i][ok], color=f"C{i}", lw=1.4, label=f"SGD d={dd}"
        )
        ok = np.isfinite(d["volterra"][i]) & (d["flops"][i] > 0)
        a1.loglog(d["flops"][i][ok], d["volterra"][i][ok], "k--", lw=0.8)
    label(a1, "flops f = B d r", "loss P", title="SGD (colour) vs Volterra (dashed)", legend=6)
    ok_iso = np.isfinite(d["d_isoflop"])
    for k in np.flatnonzero(ok_iso)[:: max(1, ok_iso.sum() // 5)]:
        f = d["iso_flops"][k]
        Pd = []
        for dd, s, L in zip(d["iso_ds"], d["iso_steps"], d["iso_loss"]):
            m = np.isfinite(s) & (s > 0)
            Pd.append(np.exp(np.interp(np.log(f / dd), np.log(s[m]), np.log(L[m]))))
        a2.loglog(d["iso_ds"], Pd, "o-", ms=3, label=f"f={f:.1e}")
    label(a2, "d", title="IsoFLOP slices", legend=6)
    fl, ds = d["iso_flops"][ok_iso], d["d_isoflop"][ok_iso]
    a3.loglog(fl, ds, "o", ms=3)
    if ok_iso.sum() >= 2:
        a3.loglog(
            fl,
            ds[0] * (fl / fl[0]) ** float(d["xi_isoflop"]),
            "r--",
            label=f"d* ~ f^{float(d['xi_isoflop']):.3f} (theory {float(d['xi_theory']):.3f})",
        )
    title = f"loss exponent {float(d['eta_isoflop']):.3f} (theory {float(d['eta_theory']):.3f})"
    label(a3, "flops", "d*", title=title, legend=7)


@fig3.verify
def _fig3_verify(d: Dict[str, Any]) -> None:
    # Volterra (deterministic equivalent) vs the SGD mean over draws of W, r >= 100 steps,
    # pooled over the checkpoints of each d: 6% (16 runs quick, per-point standard error up to
    # 11%; measured pooled +0.1%, +3.2%, -2.3%)
    for i, dd in enumerate(d["ds"]):
        f, s = d["sgd_flops"][i], d["sgd"][i]
        m = np.isfinite(s) & (f >= 100 * dd)
        fv, v = d["flops"][i], d["volterra"][i]
        mv = np.isfinite(v) & (fv > 0)
        interp = np.exp(np.interp(np.log(f[m]), np.log(fv[mv]), np.log(v[mv])))
        pooled = float(np.mean(s[m] / interp)) - 1
        assert abs(pooled) < 0.06, (dd, pooled)
    assert abs(float(d["eta_theory"]) - (1 - 1 / (4 * 0.7))) < 1e-12


# --------------------------------------------------------------------------- Fig. 5
@register_figure(
    "paquette-fig5",
    PAPER,
    "Fig. 5: finite-size effects: exact Volterra solution "
    "over the large-d estimate F_0 + F_pp + F_ac + K_pp/(gamma B)",
)
def fig5(quick: bool) -> Dict[str, Any]:
    cases = [(1.0, 0.7), (0.7, 1.2)] if quick else [(1.0, 0.7), (0.7, 1.2), (1.0, 0.4), (0.4, 0.8)]
    ds = (200, 800) if quick else (200, 800, 3200)
    out: Dict[str, Any] = {"cases": np.array(cases), "ds": np.array(ds)}
    for ci, (a, b) in enumerate(cases):
        r = _data().figure_finite_size(a, b, ds, steps=10**6 if quick else 10**8)
        out[f"c{ci}_steps"] = _padded([row["steps"] for row in r["rows"]])
        out[f"c{ci}_ratio"] = _padded([row["ratio"] for row in r["rows"]])
    return out


@fig5.draw
def _fig5_draw(d: Dict[str, Any], fig: Any) -> None:
    axes = np.atleast_1d(fig.subplots(1, len(d["cases"])))
    for ci, ax in enumerate(axes):
        a, b = d["cases"][ci]
        for k, dd in enumerate(d["ds"]):
            s, r = d[f"c{ci}_steps"][k], d[f"c{ci}_ratio"][k]
            m = np.isfinite(s)
            ax.semilogx(s[m], r[m], label=f"d={dd}")
        ax.axhline(1.0, color="k", lw=0.6)
        label(ax, "steps r", "Volterra / estimate", title=f"alpha={a:g}, beta={b:g}", legend=7)


@fig5.verify
def _fig5_verify(d: Dict[str, Any]) -> None:
    for ci in range(len(d["cases"])):
        s, r = d[f"c{ci}_steps"], d[f"c{ci}_ratio"]
        m = np.isfinite(s) & (s >= 100)
        # exact / large-d estimate at finite d: the estimate drops O(1) constants of the
        # crossovers between its terms; measured 0.83 .. 1.53 (quick, d = 200, 800)
        assert np.all((r[m] > 0.75) & (r[m] < 1.7)), (r[m].min(), r[m].max())


# --------------------------------------------------------------------------- spectrum
@register_figure(
    "paquette-spectrum",
    PAPER,
    "App.: target-weighted spectrum of K (mean over W) "
    "vs the deterministic equivalent, alpha = 1, beta = 2",
)
def spectrum(quick: bool) -> Dict[str, Any]:
    d, v, draws = (200, 2000, 8) if quick else (1000, 10000, 100)
    r = _data().figure_spectrum(1.0, 2.0, v, d, draws=draws, bins=60 if quick else 200)
    return {"d": d, "v": v, "draws": draws, **{k: np.asarray(x) for k, x in r.items()}}


@spectrum.draw
def _spectrum_draw(d: Dict[str, Any], fig: Any) -> None:
    a1, a2 = fig.subplots(1, 2)
    k = np.arange(1, len(d["deterministic_eigenvalues"]) + 1)
    a1.loglog(k, d["empirical_eigenvalues"], "o", ms=2, label=f"empirical (mean of {d['draws']} W)")
    a1.loglog(k, d["deterministic_eigenvalues"], "k-", lw=1, label="deterministic equivalent")
    a1.loglog(k, k**-2.0, "r:", lw=1, label="j^-2alpha")
    label(a1, "k", "eigenvalue", legend=7)
    c = np.sqrt(d["edges"][1:] * d["edges"][:-1])
    a2.loglog(
        c,
        np.where(d["empirical_density"] > 0, d["empirical_density"], np.nan),
        ".",
        label="empirical (mean over W)",
    )
    a2.loglog(d["grid"], d["deterministic_density"], "k-", lw=1, label="deterministic")
    label(a2, "eigenvalue", "target-weighted density", legend=7)


@spectrum.verify
def _spectrum_verify(d: Dict[str, Any]) -> None:
    gap = np.abs(d["deterministic_eigenvalues"] / d["empirical_eigenvalues"] - 1)
    # measured median 0.5% (quick: 8 draws, d = 200); the smallest eigenvalue sits at the soft
    # edge, whose fluctuations are O(d^(-2/3)) ~ 3%: measured 3.2%
    assert np.median(gap) < 0.02
    assert abs(float(d["lambda_min"]) / float(d["empirical_eigenvalues"][-1]) - 1) < 0.08


# --------------------------------------------------------------------------- shared helpers
def _front_arrays(rows: Any, prefix: str = "") -> Dict[str, Any]:
    """Flatten :func:`scalinglaws.plrf.figure_fronts` rows into arrays (case index first)."""
    out: Dict[str, Any] = {}
    keys = (
        "eta_frontier",
        "xi_frontier",
        "eta_isoflop",
        "xi_isoflop",
        "eta_theory",
        "xi_theory",
        "alpha",
        "beta",
    )
    for k in keys:
        out[prefix + k] = np.array([float(r[k]) for r in rows])
    out[prefix + "phases"] = np.array([r["phase"] for r in rows])
    for i, r in enumerate(rows):
        p = f"{prefix}c{i}_"
        out[p + "ds"] = np.asarray(r["ds"], float)
        out[p + "v"] = np.asarray(r["v"], float)
        out[p + "gamma"] = np.asarray(r["gamma"], float)
        out[p + "flops"] = np.asarray(r["flops"], float)
        for k in ("P_frontier", "d_frontier", "P_isoflop", "d_isoflop"):
            out[p + k] = np.asarray(r[k], float)
        out[p + "interior"] = np.asarray(r["interior"], bool)
        out[p + "curve_flops"] = _padded(r["curve_flops"])
        out[p + "curve_loss"] = _padded(r["curve_loss"])
    return out


def _dense_log_yticks(ax: Any) -> None:
    """Major ticks at 1, 2, 3, 5, 7 x 10^k: the y range of these panels is often under a decade (and
    the figure module blanks minor tick labels)."""
    from matplotlib.ticker import LogFormatterSciNotation, LogLocator

    ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 3.0, 5.0, 7.0)))
    # minor_thresholds=(inf, inf): label every major tick, however many decades are shown
    ax.yaxis.set_major_formatter(
        LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(np.inf, np.inf))
    )


def _interp_curve(f: Any, fl: np.ndarray, loss: np.ndarray) -> np.ndarray:
    m = np.isfinite(fl) & (fl > 0)
    return np.exp(np.interp(np.log(f), np.log(fl[m]), np.log(loss[m]), left=np.nan, right=np.nan))


def _draw_front(
    ax: Any, d: Dict[str, Any], p: str, *, label_every: int = 1, title: str = ""
) -> None:
    ds = d[p + "ds"]
    colors = palette(len(ds), top=1.0)
    for k, dd in enumerate(ds):
        fl, L = d[p + "curve_flops"][k], d[p + "curve_loss"][k]
        m = np.isfinite(fl) & (fl > 0)
        ax.loglog(
            fl[m],
            L[m],
            color=colors[k],
            lw=1.0,
            label=f"d={int(dd)}" if k % label_every == 0 or k == len(ds) - 1 else None,
        )
    inter = d[p + "interior"]
    f = d[p + "flops"]
    ax.loglog(f[inter], d[p + "P_frontier"][inter], "k--", lw=1.4, label="frontier min_d P")
    ok = inter & np.isfinite(d[p + "P_isoflop"])
    ax.loglog(f[ok], d[p + "P_isoflop"][ok], "r.", ms=5, label="IsoFLOP minima")
    label(ax, "flops f = B d r", "loss P (no 1/2)", title=title or None, title_size=8, legend=6)


def _check_plateau(
    alpha: float, beta: float, d: int, v: float, gamma: float, final_loss: float, rtol: float
) -> None:
    """The loss of a long run approaches F_0 / (1 - ||K||), with F_0 from :func:`limit_loss`
    (a separate root-finding path from the Volterra solver)."""
    pl = _plrf()
    v = math.inf if not np.isfinite(v) else int(v)
    prob = Problem.paquette(alpha, beta, v, d)
    spec = pl.deterministic_spectrum(prob)
    plateau = pl.limit_loss(prob) / (1.0 - pl.kernel_norm(spec, gamma))
    assert abs(final_loss / plateau - 1) < rtol, (d, final_loss, plateau)
