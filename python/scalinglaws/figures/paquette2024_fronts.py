"""Paquette, Paquette, Xiao & Pennington (NeurIPS 2024): Fig. 1, Fig. 2b and the appendix
figures on negative beta, IsoFLOP windows, compute-optimal fronts and the contour.
Conventions as in :mod:`scalinglaws.figures.paquette2024`.
"""

from __future__ import annotations

import math
from typing import Any, Dict

import numpy as np

from ..problem import Problem
from ._registry import register_figure
from .paquette2024 import (
    PAPER,
    _check_plateau,
    _data,
    _dense_log_yticks,
    _draw_front,
    _ds,
    _front_arrays,
    _interp_curve,
    _padded,
    _plrf,
)


# --------------------------------------------------------------------------- Fig. 1
@register_figure(
    "paquette-fig1",
    PAPER,
    "Fig. 1: loss vs flops, alpha = beta = 0.4 (Phase Ib, "
    "v = 4d, gamma = 0.5 / tr D), with the compute-optimal frontier",
    figsize=(11, 4.2),
)
def fig1(quick: bool) -> Dict[str, Any]:
    if quick:
        ds = [int(round(200 * 2 ** (k / 2))) for k in range(9)]  # 200 ... 3200
        flops = np.logspace(3.5, 10, 40)
    else:
        ds = [int(round(1600 * 2 ** (k / 2))) for k in range(11)]  # 1600 ... 51200
        flops = np.logspace(4, 12, 49)
    rows = _data().figure_fronts([(0.4, 0.4)], ds, flops=flops)
    return _front_arrays(rows)


@fig1.draw
def _fig1_draw(d: Dict[str, Any], fig: Any) -> None:
    a1, a2 = fig.subplots(1, 2)
    _draw_front(
        a1, d, "c0_", label_every=2, title="Volterra loss curves (deterministic equivalent)"
    )
    inter = d["c0_interior"]
    f, P = d["c0_flops"][inter], d["c0_P_frontier"][inter]
    a2.loglog(f, P, "ko", ms=3, label="frontier")
    if f.size >= 2:
        eta, eth = float(d["eta_frontier"][0]), float(d["eta_theory"][0])
        a2.loglog(f, P[0] * (f / f[0]) ** (-eta), "r-", label=f"fit f^-{eta:.3f}")
        a2.loglog(f, P[0] * (f / f[0]) ** (-eth), "b:", label=f"theory f^-{eth:.3f}")
    a2.set_xlabel("flops f")
    a2.set_ylabel("compute-optimal loss P*(f)")
    _dense_log_yticks(a2)
    a2.set_title(
        f"d* ~ f^{float(d['xi_isoflop'][0]):.3f} (theory {float(d['xi_theory'][0]):.3f})",
        fontsize=8,
    )
    a2.legend(fontsize=7, frameon=False)


@fig1.verify
def _fig1_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    assert str(d["phases"][0]) == pl.phase(0.4, 0.4) == "Ib"
    _, xt, et = pl.compute_optimal_exponents(0.4, 0.4)
    assert math.isclose(et, 0.3) and math.isclose(xt, 0.5)
    # finite-size: measured eta 0.257 (quick, d <= 3200) -- stated tolerance 0.06
    assert abs(float(d["eta_frontier"][0]) - et) < 0.06, float(d["eta_frontier"][0])
    assert abs(float(d["xi_isoflop"][0]) - xt) < 0.08, float(d["xi_isoflop"][0])
    # frontier points against a fresh Volterra solve at (d*, r = f/d*) with a finer block scheme
    # (measured within 0.03%; the frontier is interpolated in log-log between checkpoints)
    inter = np.flatnonzero(d["c0_interior"])
    for i in inter[[0, len(inter) // 2, -1]]:
        f, dstar = float(d["c0_flops"][i]), int(d["c0_d_frontier"][i])
        k = int(np.flatnonzero(d["c0_ds"] == dstar)[0])
        r = int(round(f / dstar))
        spec = pl.deterministic_spectrum(Problem.paquette(0.4, 0.4, int(d["c0_v"][k]), dstar))
        fresh = pl.volterra_loss(
            spec, float(d["c0_gamma"][k]), r, checkpoints=[r], block_rel=0.002, n_checkpoints=2
        )
        assert abs(fresh.test_loss[-1] / float(d["c0_P_frontier"][i]) - 1) < 0.005, (f, dstar)
    # the smallest model has reached the plateau F_0 / (1 - ||K||)
    k = 0
    L = d["c0_curve_loss"][k]
    m = np.isfinite(L)
    _check_plateau(0.4, 0.4, int(d["c0_ds"][k]), d["c0_v"][k], d["c0_gamma"][k], L[m][-1], 0.02)


# --------------------------------------------------------------------------- Fig. 2b
_COMPONENTS = ("F_0", "F_pp", "F_ac", "noise")


@register_figure(
    "paquette-fig2b",
    PAPER,
    "Fig. 2b: loss curve of each phase (deterministic "
    "Volterra) with the large-d components F_0, F_pp, F_ac, K_pp/(gamma B)",
    figsize=(14, 6.5),
)
def fig2b(quick: bool) -> Dict[str, Any]:
    d, steps = (200, 10**6) if quick else (1600, 10**8)
    rows = _data().figure_phase_curves(d=d, steps=steps)
    out: Dict[str, Any] = {
        "d": d,
        "phases": np.array([r["phase"] for r in rows]),
        "alpha": np.array([r["alpha"] for r in rows]),
        "beta": np.array([r["beta"] for r in rows]),
        "gamma": np.array([r["gamma"] for r in rows]),
        "plateau": np.array([r["plateau"] for r in rows]),
        "F_0": np.array([r["F_0"] for r in rows]),
    }
    for k in ("steps", "loss", "F_pp", "F_ac", "noise", "F_exact", "noise_exact"):
        out[k] = _padded([np.asarray(r[k], float) for r in rows])
    return out


@fig2b.draw
def _fig2b_draw(d: Dict[str, Any], fig: Any) -> None:
    axes = fig.subplots(2, 4).ravel()
    for i, ax in enumerate(axes[: len(d["phases"])]):
        s, L = d["steps"][i], d["loss"][i]
        m = np.isfinite(s)
        s, L = s[m], L[m]
        top = 3.0 * L[0]
        ax.loglog(s, L, "k-", lw=2, label="Volterra P(r)")
        comps = {
            "F_0": np.full(s.size, d["F_0"][i]),
            "F_pp": d["F_pp"][i][m],
            "F_ac": d["F_ac"][i][m],
            "noise": d["noise"][i][m],
        }
        for c, (name, y) in enumerate(comps.items()):
            ok = np.isfinite(y) & (y > 0) & (y < top)
            if ok.any():
                lab = "K_pp/(gamma B)" if name == "noise" else name
                ax.loglog(s[ok], y[ok], "--", color=f"C{c}", lw=1.1, label=lab)
        ok = d["noise_exact"][i][m] < top
        ax.loglog(
            s[ok], d["noise_exact"][i][m][ok], ":", color="C3", lw=0.8, label="K(r)/(gamma B) exact"
        )
        ax.set_ylim(L.min() / 30.0, top)
        ax.set_title(
            f"{d['phases'][i]}: alpha={d['alpha'][i]:g}, beta={d['beta'][i]:g}", fontsize=8
        )
        ax.set_xlabel("steps r")
        ax.set_ylabel("loss")
        if str(d["phases"][i]) == "II":  # the panel with every component
            ax.legend(fontsize=6, frameon=False)
    ax = axes[-1]
    aa = np.linspace(0.05, 1.5, 300)
    ax.plot(aa, 0.5 - aa, "k-", lw=0.8)
    ax.axvline(0.5, color="k", lw=0.8)
    ax.axhline(0.5, color="k", lw=0.8)
    ax.plot(aa[aa > 0.5], aa[aa > 0.5], "k-", lw=0.8)
    ax.plot([0.25, 0.25], [0.5, 1.5], "k-", lw=0.8)
    ax.plot([1 - 2**-0.5] * 2, [0.5, 1.5], "k-", lw=0.8)
    for i, ph in enumerate(d["phases"]):
        ax.plot(d["alpha"][i], d["beta"][i], "o", color="C3")
        ax.annotate(
            str(ph),
            (d["alpha"][i], d["beta"][i]),
            fontsize=8,
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.set_xlim(0, 1.5)
    ax.set_ylim(-0.1, 1.5)
    ax.set_xlabel("alpha")
    ax.set_ylabel("beta")
    ax.set_title("representatives in the (alpha, beta) plane", fontsize=8)


@fig2b.verify
def _fig2b_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    assert [str(p) for p in d["phases"]] == list(pl.PHASES)
    for i, ph in enumerate(d["phases"]):
        a, b = float(d["alpha"][i]), float(d["beta"][i])
        assert pl.phase(a, b) == ph
        s, L = d["steps"][i], d["loss"][i]
        m = np.isfinite(s)
        # K >= 0 in P = F + K * P: the loss never drops below the exact forcing
        assert np.all(L[m] >= d["F_exact"][i][m] * (1 - 1e-9))
        # late times (t = 2 gamma B r >= 10): P within a constant factor of the largest
        # large-d component (exact kernel term where K_pp is not a power law, alpha <= 1/4);
        # measured ratios 1.3 .. 3.9 at d = 200 and 400
        late = m & (2 * d["gamma"][i] * s >= 10)
        noise = np.where(np.isfinite(d["noise"][i]), d["noise"][i], d["noise_exact"][i])
        big = np.nanmax(
            np.vstack([np.full(s.size, d["F_0"][i]), d["F_pp"][i], d["F_ac"][i], noise]), axis=0
        )
        ratio = L[late] / big[late]
        assert late.sum() > 10 and np.all((ratio > 0.7) & (ratio < 5.0)), (
            ph,
            ratio.min(),
            ratio.max(),
        )
    # the Phase III run has reached the plateau F_0 / (1 - ||K||) (v = inf above the line)
    i = list(d["phases"]).index("III")
    _check_plateau(
        float(d["alpha"][i]),
        float(d["beta"][i]),
        int(d["d"]),
        math.inf,
        float(d["gamma"][i]),
        float(d["loss"][i][np.isfinite(d["loss"][i])][-1]),
        0.02,
    )


# --------------------------------------------------------------------------- negative beta
@register_figure(
    "paquette-negative-beta",
    PAPER,
    "App.: alpha = 0.7, beta in [-0.15, 0.2] "
    "(paper: [-0.2, 0.2]; Phase Ia extends to beta < 0 while alpha + beta > 1/2): "
    "Volterra vs SGD",
    figsize=(13, 3.8),
)
def negative_beta(quick: bool) -> Dict[str, Any]:
    # beta = -0.2 is the boundary 2(alpha + beta) = 1 itself (no power law): stop at -0.15
    betas = [-0.15, 0.1] if quick else [-0.15, -0.1, 0.0, 0.1, 0.2]
    ds = [50, 100, 200] if quick else [100, 200, 400, 800]
    out: Dict[str, Any] = {
        "alpha": 0.7,
        "betas": np.array(betas),
        "ds": np.array(ds),
        "v_ratio": 4.0,
    }
    for i, b in enumerate(betas):
        r = _data().figure_boundary(
            0.7,
            b,
            ds,
            flops_max=2e5 if quick else 1e7,
            sgd_runs=64,
            measure=False,
            n_checkpoints=30 if quick else 60,
        )
        c = r["curves"]
        out[f"b{i}_flops"] = _padded([row["flops"] for row in c])
        out[f"b{i}_volterra"] = _padded([row["volterra"] for row in c])
        out[f"b{i}_sgd_flops"] = _padded([row["sgd_flops"] for row in c])
        out[f"b{i}_sgd"] = _padded([row["sgd_mean"] for row in c])
        out[f"b{i}_sgd_sem"] = _padded([row["sgd_sem"] for row in c])
    return out


@negative_beta.draw
def _negative_beta_draw(d: Dict[str, Any], fig: Any) -> None:
    axes = np.atleast_1d(fig.subplots(1, len(d["betas"])))
    for i, ax in enumerate(axes):
        for k, dd in enumerate(d["ds"]):
            f, s = d[f"b{i}_sgd_flops"][k], d[f"b{i}_sgd"][k]
            ok = np.isfinite(s) & (f > 0)
            ax.loglog(f[ok], s[ok], color=f"C{k}", lw=1.4, label=f"SGD d={dd}")
            fv, v = d[f"b{i}_flops"][k], d[f"b{i}_volterra"][k]
            ok = np.isfinite(v) & (fv > 0)
            ax.loglog(fv[ok], v[ok], "k--", lw=0.8)
        ax.set_xlabel("flops f = B d r")
        ax.set_ylabel("loss P (no 1/2)")
        _dense_log_yticks(ax)
        ax.set_title(
            f"alpha = 0.7, beta = {d['betas'][i]:g}: SGD (colour), Volterra (dashed)", fontsize=8
        )
        ax.legend(fontsize=6, frameon=False)


@negative_beta.verify
def _negative_beta_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    for i, b in enumerate(d["betas"]):
        assert pl.phase(0.7, float(b)) == "Ia"
        for k, dd in enumerate(d["ds"]):
            f, s = d[f"b{i}_sgd_flops"][k], d[f"b{i}_sgd"][k]
            m = np.isfinite(s) & (f >= 100 * dd)
            interp = _interp_curve(f[m], d[f"b{i}_flops"][k], d[f"b{i}_volterra"][k])
            # the deterministic equivalent vs the SGD mean over draws of W and data, r >= 100:
            # >= 90% of checkpoints within 3 standard errors and all within 8% (measured max
            # 2.3-7.2% in quick mode; a 30% error in gamma moves the curve by 4-11%)
            sem = d[f"b{i}_sgd_sem"][k][m]
            gap = np.abs(interp - s[m])
            assert np.mean(gap <= 3 * sem) >= 0.9, (b, dd, np.mean(gap <= 3 * sem))
            assert np.all(gap < 0.08 * s[m]), (b, dd, np.max(gap / s[m]))
            # at r = 0 (theta = 0) the loss is ||D^1/2 b||^2 = sum_{j<=v} j^-(2alpha+2beta) for
            # every W (SGD); the deterministic spectrum meets this sum rule to ~1e-3
            v = int(round(float(d["v_ratio"]) * dd))
            p0 = float(np.sum(np.arange(1, v + 1.0) ** (-1.4 - 2 * float(b))))
            assert abs(s[0] / p0 - 1) < 1e-9
            assert abs(d[f"b{i}_volterra"][k][0] / p0 - 1) < 5e-3


# --------------------------------------------------------------------------- IsoFLOP windows
_EXP = ("xi_isoflop", "eta_isoflop", "xi_frontier", "eta_frontier", "n_fit")


@register_figure(
    "paquette-isoflop-window",
    PAPER,
    "App.: sensitivity of the IsoFLOP "
    "(Approach 1) exponents to the flops window, [1e6, 1e8] vs [2e6, 0.5e8] "
    "(quick: d <= 800, windows / 100)",
    figsize=(14, 3.8),
)
def isoflop_window(quick: bool) -> Dict[str, Any]:
    cases = [(0.7, 0.3), (1.0, 0.7), (0.7, 0.7)]
    if quick:  # d = 100 ... 800: the windows scaled down by 100
        ds, flops, windows = _ds(True), np.logspace(3, 8, 41), [(1e4, 1e6), (2e4, 0.5e6)]
    else:
        ds, flops, windows = _ds(False), np.logspace(4, 10, 49), [(1e6, 1e8), (2e6, 0.5e8)]
    rows = _data().figure_fronts(cases, ds, flops=flops, windows=windows)
    out = _front_arrays(rows)
    out["windows"] = np.array(windows, float)
    for k in _EXP:
        out["win_" + k] = np.array([[float(w[k]) for w in r["windows"]] for r in rows])
    return out


@isoflop_window.draw
def _isoflop_window_draw(d: Dict[str, Any], fig: Any) -> None:
    n = len(d["alpha"])
    axes = fig.subplots(1, n + 1)
    for i in range(n):
        ax, p = axes[i], f"c{i}_"
        f, ds_ = d[p + "flops"], d[p + "d_isoflop"]
        ok = np.isfinite(ds_)
        ax.loglog(f[ok], ds_[ok], "k.", ms=4, label="IsoFLOP d*(f)")
        for w, (lo, hi) in enumerate(d["windows"]):
            ax.axvspan(lo, hi, color=f"C{w}", alpha=0.12)
            m = ok & (f >= lo) & (f <= hi)
            if m.sum() >= 2:
                xi = float(d["win_xi_isoflop"][i, w])
                c = np.exp(np.mean(np.log(ds_[m]) - xi * np.log(f[m])))
                ax.loglog(
                    f[m],
                    c * f[m] ** xi,
                    "-",
                    color=f"C{w}",
                    label=f"[{lo:.0e}, {hi:.0e}]: xi={xi:.3f}",
                )
        ax.set_xlabel("flops f")
        ax.set_ylabel("d*")
        _dense_log_yticks(ax)
        ax.set_title(
            f"{d['phases'][i]}: alpha={d['alpha'][i]:g}, beta={d['beta'][i]:g}, "
            f"xi theory {d['xi_theory'][i]:.3f}",
            fontsize=8,
        )
        ax.legend(fontsize=6, frameon=False)
    ax = axes[-1]
    x = np.arange(n)
    for w, (lo, hi) in enumerate(d["windows"]):
        ax.plot(
            x + 0.1 * w,
            d["win_eta_isoflop"][:, w],
            "o",
            color=f"C{w}",
            label=f"eta [{lo:.0e}, {hi:.0e}]",
        )
        ax.plot(
            x + 0.1 * w,
            d["win_xi_isoflop"][:, w],
            "s",
            color=f"C{w}",
            mfc="none",
            label=f"xi [{lo:.0e}, {hi:.0e}]",
        )
    ax.plot(x + 0.05, d["eta_theory"], "k_", ms=14, label="theory")
    ax.plot(x + 0.05, d["xi_theory"], "k_", ms=14)
    ax.set_xticks(x)
    ax.set_xticklabels(
        [f"{p}\n({a:g},{b:g})" for p, a, b in zip(d["phases"], d["alpha"], d["beta"])], fontsize=7
    )
    ax.set_ylabel("exponent")
    ax.set_title("eta (P* ~ f^-eta), xi (d* ~ f^xi)", fontsize=8)
    ax.legend(fontsize=5, frameon=False)


@isoflop_window.verify
def _isoflop_window_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    for i in range(len(d["alpha"])):
        ph, xt, et = pl.compute_optimal_exponents(float(d["alpha"][i]), float(d["beta"][i]))
        assert ph == d["phases"][i] and math.isclose(xt, float(d["xi_theory"][i]))
        for w in range(len(d["windows"])):
            assert d["win_n_fit"][i, w] >= 5
            xi, eta = float(d["win_xi_isoflop"][i, w]), float(d["win_eta_isoflop"][i, w])
            # closed forms: measured |eta - theory| <= 0.04, |xi - theory| <= 0.02 (quick)
            assert abs(eta - et) < 0.05, (ph, w, eta, et)
            assert abs(xi - xt) < 0.05, (ph, w, xi, xt)
            # the frontier (envelope on the d grid) gives the same loss exponent
            assert abs(eta - float(d["win_eta_frontier"][i, w])) < 0.02
        # the two windows agree with each other better than with the theory tolerance
        assert np.ptp(d["win_eta_isoflop"][i]) < 0.03 and np.ptp(d["win_xi_isoflop"][i]) < 0.03


# --------------------------------------------------------------------------- fronts
@register_figure(
    "paquette-fronts",
    PAPER,
    "App.: compute-optimal fronts via Volterra (frontier "
    "min_d P) and IsoFLOP minima in four phases",
    figsize=(14, 3.8),
)
def fronts(quick: bool) -> Dict[str, Any]:
    cases = [(0.7, 0.3), (1.0, 0.7), (0.7, 1.2), (0.4, 0.8)]  # Ia, II, III, IVa
    ds, flops = (
        (_ds(True), np.logspace(3, 8.5, 34)) if quick else (_ds(False), np.logspace(4, 11, 57))
    )
    return _front_arrays(_data().figure_fronts(cases, ds, flops=flops))


@fronts.draw
def _fronts_draw(d: Dict[str, Any], fig: Any) -> None:
    axes = fig.subplots(1, len(d["alpha"]))
    for i, ax in enumerate(axes):
        _draw_front(
            ax,
            d,
            f"c{i}_",
            label_every=3,
            title=f"{d['phases'][i]} ({d['alpha'][i]:g}, {d['beta'][i]:g})\n"
            f"eta {d['eta_isoflop'][i]:.3f} (th {d['eta_theory'][i]:.3f}), "
            f"xi {d['xi_isoflop'][i]:.3f} (th {d['xi_theory'][i]:.3f})",
        )


@fronts.verify
def _fronts_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    for i in range(len(d["alpha"])):
        a, b = float(d["alpha"][i]), float(d["beta"][i])
        ph, xt, et = pl.compute_optimal_exponents(a, b)
        assert ph == d["phases"][i]
        # closed forms. Measured (quick, d = 100 .. 800): |eta - theory| <= 0.02 except III
        # (0.684 vs 0.643); |xi - theory| <= 0.02 except III (0.561 vs 1/2, converging with d)
        # and IVa (0.602 vs 1/2, still 0.60 with d up to 12800). Tolerances 0.05 for eta and xi,
        # 0.08 for xi in III.
        assert abs(float(d["eta_isoflop"][i]) - et) < 0.05, (ph, d["eta_isoflop"][i], et)
        assert abs(float(d["eta_frontier"][i]) - et) < 0.05, (ph, d["eta_frontier"][i], et)
        p = f"c{i}_"
        if ph == "IVa":
            # IVa is far from its asymptote at these flops: F_pp still matters, so compare with
            # the optimum of the large-d estimate F_0 + F_pp + K_pp/(gamma B) over the same
            # budgets (measured 0.602 vs estimate 0.59; the closed form 1/2 is reached only near
            # f ~ 1e13)
            fl = d[p + "flops"][d[p + "interior"] & np.isfinite(d[p + "d_isoflop"])]
            est = pl.estimate_compute_optimal(a, b, fl, d_range=(10, 1e7), n_d=200)
            assert abs(float(d["xi_isoflop"][i]) - est["xi"]) < 0.03, (
                d["xi_isoflop"][i],
                est["xi"],
            )
            assert est["xi"] - xt > 0.05  # the crossover is real at these flops
        else:
            assert abs(float(d["xi_isoflop"][i]) - xt) < (0.08 if ph == "III" else 0.05), (
                ph,
                d["xi_isoflop"][i],
                xt,
            )
        # the block scheme of the stored curves vs the exact step-by-step recursion, smallest d
        p = f"c{i}_"
        dd, gamma = int(d[p + "ds"][0]), float(d[p + "gamma"][0])
        v = math.inf if not np.isfinite(d[p + "v"][0]) else int(d[p + "v"][0])
        steps = 20000
        exact = pl.volterra_loss(
            pl.deterministic_spectrum(Problem.paquette(a, b, v, dd)),
            gamma,
            steps,
            exact_steps=steps,
            n_checkpoints=30,
        )
        m = exact.steps > 0
        stored = _interp_curve(exact.steps[m] * dd, d[p + "curve_flops"][0], d[p + "curve_loss"][0])
        assert np.allclose(stored, exact.test_loss[m], rtol=5e-3), np.abs(
            stored / exact.test_loss[m] - 1
        ).max()


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
    a1.set_xlabel("log10 |z|")
    a1.set_ylabel("arg z")
    a1.set_title("contour in log-polar coordinates", fontsize=8)
    a1.legend(fontsize=6, frameon=False, loc="upper left")
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
    a2.set_xlabel("Re z")
    a2.set_ylabel("Im z")
    a2.set_title("zoom near 0", fontsize=8)
    a2.legend(fontsize=6, frameon=False)
    # (3) the forcing from the contour vs the deterministic eigenvalues
    r = np.asarray(d["steps"], float)
    rr = np.where(r > 0, r, 0.3)
    a3.loglog(rr, d["F_contour"], "o", label="contour integral")
    a3.loglog(rr, d["F_spectrum"], "k-", lw=1, label="sum over deterministic eigenvalues")
    a3.axhline(float(d["F_0"]), color="C3", ls="--", lw=0.8, label="F_0 (limit loss)")
    a3.set_xlabel("steps r (r = 0 drawn at 0.3)")
    a3.set_ylabel("forcing F(r)")
    a3.set_title(
        f"alpha={float(d['alpha']):g}, beta={float(d['beta']):g}, d={int(d['d'])}, v={int(d['v'])}",
        fontsize=8,
    )
    a3.legend(fontsize=6, frameon=False)


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
