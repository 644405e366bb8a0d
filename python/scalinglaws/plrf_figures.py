"""Synthetic figures of Paquette, Paquette, Xiao & Pennington (NeurIPS 2024), regenerated from
the library (theory: :mod:`scalinglaws.plrf`; SGD: :func:`scalinglaws.simulate_sgd`).

The paper's numeric choices of d, v, gamma and B are not all known (plrf.md 4). These figures use
the reference code's: B = 1, gamma = lr_scale / tr D in the batch-sum convention, and
v = 10 d unless stated. Loss P = ||D^1/2 (W theta - b)||^2, without 1/2. Compute f = B d r.
"""
from __future__ import annotations

import math
from typing import Any, Dict

import numpy as np

from .figures import register_figure

PAPER = "Paquette et al. 2024"


def _plrf():
    from . import plrf

    return plrf


# --------------------------------------------------------------------------- phase diagram
@register_figure("paquette-phase-diagram", PAPER, "Fig. 4a: measured compute-optimal exponents "
                 "eta (P* ~ f^-eta) and xi (d* ~ f^xi) over (alpha, beta)", figsize=(13, 7))
def phase_diagram(quick: bool) -> Dict[str, Any]:
    pl = _plrf()
    n = 5 if quick else 12
    alphas = np.linspace(0.3, 1.4, n)
    betas = np.linspace(0.15, 1.4, n)
    ds = [100, 200, 400, 800] if quick else [100, 200, 400, 800, 1600, 3200]
    eta = np.full((n, n), np.nan)
    xi = np.full((n, n), np.nan)
    eta_th = np.full((n, n), np.nan)
    xi_th = np.full((n, n), np.nan)
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            if 2 * (a + b) <= 1.05:
                continue
            _, xt, et = pl.compute_optimal_exponents(a, b)
            xi_th[i, j], eta_th[i, j] = xt, et
            try:
                m = pl.measure_compute_optimal(a, b, ds, n_flops=20 if quick else 40)
            except (ValueError, RuntimeError):
                continue
            eta[i, j], xi[i, j] = m["eta_isoflop"], m["xi_isoflop"]
    return {"alphas": alphas, "betas": betas, "eta": eta, "xi": xi, "eta_theory": eta_th,
            "xi_theory": xi_th, "ds": np.array(ds)}


@phase_diagram.draw
def _phase_diagram_draw(d: Dict[str, Any], fig: Any) -> None:
    from .plotting import phase_diagram as heat

    axes = fig.subplots(2, 2)
    for ax, key, lab in ((axes[0, 0], "eta", "eta measured"), (axes[0, 1], "eta_theory",
                                                               "eta theory"),
                         (axes[1, 0], "xi", "xi measured"), (axes[1, 1], "xi_theory",
                                                             "xi theory")):
        heat(d["alphas"], d["betas"], d[key], ax=ax, label=lab)
        ax.set_title(lab, fontsize=9)


@phase_diagram.verify
def _phase_diagram_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    i, j = len(d["betas"]) // 2, len(d["alphas"]) // 2
    _, xt, et = pl.compute_optimal_exponents(float(d["alphas"][j]), float(d["betas"][i]))
    assert math.isclose(xt, float(d["xi_theory"][i, j])) and math.isclose(et, float(
        d["eta_theory"][i, j]))
    ok = np.isfinite(d["eta"])
    assert ok.sum() >= 0.5 * np.isfinite(d["eta_theory"]).sum()
    assert np.nanmedian(np.abs(d["eta"] - d["eta_theory"])) < 0.15


def _padded(rows: Any) -> np.ndarray:
    """Rows of different lengths as one array, padded with NaN."""
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


# --------------------------------------------------------------------------- Fig. 3
@register_figure("paquette-fig3", PAPER, "Fig. 3: Phase II/III boundary (alpha = beta = 0.7): "
                 "Volterra vs SGD, IsoFLOP slices, d* fit", figsize=(13, 3.8))
def fig3(quick: bool) -> Dict[str, Any]:
    from .problem import Problem
    from .simulate import simulate_sgd

    pl = _plrf()
    alpha = beta = 0.7
    ds = [50, 100, 200] if quick else [100, 200, 400, 800]
    out: Dict[str, Any] = {"alpha": alpha, "beta": beta, "ds": np.array(ds)}
    steps = 2000 if quick else 100_000
    seeds = 8 if quick else 32
    vol, sim, sim_std, grid = [], [], [], None
    for d in ds:
        v = 10 * d
        spec = pl.deterministic_spectrum(alpha, v, d, beta)
        gamma = 0.5 / spec.params["trace_D"]
        r = simulate_sgd(Problem.paquette(alpha, beta, v, d), gamma, steps, seeds=seeds, seed=d,
                         n_checkpoints=30)
        grid = r.steps
        curve = pl.volterra_loss(spec, gamma, steps, checkpoints=grid, n_checkpoints=2)
        idx = np.searchsorted(curve.steps, grid)
        vol.append(curve.loss[idx])
        sim.append(r.test_loss_mean)
        sim_std.append(r.test_loss_std)
    out.update(steps=grid, volterra=np.array(vol), sgd=np.array(sim), sgd_std=np.array(sim_std))
    m = pl.measure_compute_optimal(alpha, beta, [100, 200, 400, 800] if quick else
                                   [100, 200, 400, 800, 1600, 3200])
    out.update(flops=m["flops"], d_isoflop=m["d_isoflop"], P_isoflop=m["P_isoflop"],
               P_frontier=m["P_frontier"], interior=m["interior"].astype(float),
               eta_isoflop=m["eta_isoflop"], xi_isoflop=m["xi_isoflop"],
               eta_theory=m["eta_theory"], xi_theory=m["xi_theory"],
               iso_ds=np.asarray(m["ds"], float),
               iso_curves_steps=_padded([c.steps for c in m["curves"]]),
               iso_curves_loss=_padded([c.loss for c in m["curves"]]))
    return out


@fig3.draw
def _fig3_draw(d: Dict[str, Any], fig: Any) -> None:
    from .plotting import loss_curves

    a1, a2, a3 = fig.subplots(1, 3)
    flops = d["ds"][:, None] * d["steps"][None, :]
    for i in range(len(d["ds"])):
        a1.loglog(np.maximum(flops[i], 1), d["sgd"][i], color=f"C{i}", lw=1.4,
                  label=f"SGD d={d['ds'][i]}")
        a1.loglog(np.maximum(flops[i], 1), d["volterra"][i], "k--", lw=0.8)
    a1.set_xlabel("flops f = B d r")
    a1.set_ylabel("loss P")
    a1.set_title("SGD (colour) vs Volterra (dashed)", fontsize=9)
    a1.legend(fontsize=6, frameon=False)
    # IsoFLOP slices: P at fixed f across d
    sel = np.flatnonzero(d["interior"] > 0)
    for k in sel[:: max(1, len(sel) // 5)]:
        f = d["flops"][k]
        Pd = [np.exp(np.interp(np.log(f / dd), np.log(np.maximum(s[np.isfinite(s)], 1)),
                               np.log(L[np.isfinite(L)])))
              for dd, s, L in zip(d["iso_ds"], d["iso_curves_steps"], d["iso_curves_loss"])]
        a2.loglog(d["iso_ds"], Pd, "o-", ms=3, label=f"f={f:.1e}")
    a2.set_xlabel("d")
    a2.set_title("IsoFLOP slices", fontsize=9)
    a2.legend(fontsize=6, frameon=False)
    ok = np.isfinite(d["d_isoflop"])
    a3.loglog(d["flops"][ok], d["d_isoflop"][ok], "o", ms=3)
    if ok.sum() >= 2:
        f0 = d["flops"][ok][0]
        a3.loglog(d["flops"][ok], d["d_isoflop"][ok][0] * (d["flops"][ok] / f0) **
                  float(d["xi_isoflop"]), "r--",
                  label=f"d* ~ f^{float(d['xi_isoflop']):.3f} (theory {float(d['xi_theory']):.3f})")
    a3.set_xlabel("flops")
    a3.set_ylabel("d*")
    a3.set_title(f"loss exponent {float(d['eta_isoflop']):.3f} (theory "
                 f"{float(d['eta_theory']):.3f})", fontsize=9)
    a3.legend(fontsize=7, frameon=False)


@fig3.verify
def _fig3_verify(d: Dict[str, Any]) -> None:
    late = d["steps"] >= 100
    assert np.all(np.abs(d["volterra"][:, late] / d["sgd"][:, late] - 1) < 0.2)
    assert abs(float(d["eta_theory"]) - (1 - 1 / (4 * 0.7))) < 1e-12


# --------------------------------------------------------------------------- Fig. 4b
@register_figure("paquette-fig4b", PAPER, "Fig. 4b: alpha = 0.7, beta sweep (Ia -> II -> III): "
                 "measured vs theoretical exponents")
def fig4b(quick: bool) -> Dict[str, Any]:
    pl = _plrf()
    betas = np.linspace(0.2, 1.4, 6 if quick else 16)
    ds = [100, 200, 400, 800] if quick else [100, 200, 400, 800, 1600, 3200]
    rows = {k: [] for k in ("eta", "xi", "eta_theory", "xi_theory")}
    phases = []
    for b in betas:
        m = pl.measure_compute_optimal(0.7, float(b), ds)
        rows["eta"].append(m["eta_isoflop"])
        rows["xi"].append(m["xi_isoflop"])
        rows["eta_theory"].append(m["eta_theory"])
        rows["xi_theory"].append(m["xi_theory"])
        phases.append(m["phase"])
    return {"betas": betas, **{k: np.array(v) for k, v in rows.items()},
            "phases": " ".join(phases), "alpha": 0.7}


@fig4b.draw
def _fig4b_draw(d: Dict[str, Any], fig: Any) -> None:
    a1, a2 = fig.subplots(1, 2)
    for ax, key in ((a1, "eta"), (a2, "xi")):
        ax.plot(d["betas"], d[f"{key}_theory"], "k-", label="theory")
        ax.plot(d["betas"], d[key], "o", label="measured (IsoFLOP)")
        ax.set_xlabel("beta")
        ax.set_title(f"{key}, alpha = 0.7", fontsize=9)
        ax.legend(fontsize=7, frameon=False)


@fig4b.verify
def _fig4b_verify(d: Dict[str, Any]) -> None:
    pl = _plrf()
    for b, et in zip(d["betas"], d["eta_theory"]):
        assert math.isclose(pl.compute_optimal_exponents(0.7, float(b))[2], float(et))
    assert np.nanmedian(np.abs(d["eta"] - d["eta_theory"])) < 0.1


# --------------------------------------------------------------------------- Fig. 5
@register_figure("paquette-fig5", PAPER, "Fig. 5: finite-size effects: exact Volterra solution "
                 "over the large-d estimate F_0 + F_pp + F_ac + K_pp/(gamma B)")
def fig5(quick: bool) -> Dict[str, Any]:
    pl = _plrf()
    cases = [(0.7, 0.7), (1.0, 0.4)] if quick else [(0.7, 0.7), (1.0, 0.4), (0.6, 1.0),
                                                      (1.2, 0.9)]
    ds = [100, 400] if quick else [100, 400, 1600]
    out: Dict[str, Any] = {"cases": np.array(cases), "ds": np.array(ds)}
    for ci, (a, b) in enumerate(cases):
        for d in ds:
            v = 10 * d
            spec = pl.deterministic_spectrum(a, v, d, b)
            gamma = 0.5 / spec.params["trace_D"]
            steps = int(50 * d ** (2 * a)) if quick else int(500 * d ** (2 * a))
            curve = pl.volterra_loss(spec, gamma, min(steps, 10**9), n_checkpoints=60)
            comp = pl.loss_components(a, b, d, np.maximum(curve.steps, 1), gamma, v=v)
            est = comp["F_0"] + comp["F_pp"] + comp["F_ac"] + (comp["noise"] if comp["noise"]
                                                                is not None else 0)
            out[f"c{ci}_d{d}_steps"] = curve.steps.astype(float)
            out[f"c{ci}_d{d}_ratio"] = curve.loss / est
    return out


@fig5.draw
def _fig5_draw(d: Dict[str, Any], fig: Any) -> None:
    axes = fig.subplots(1, len(d["cases"]))
    for ci, ax in enumerate(np.atleast_1d(axes)):
        a, b = d["cases"][ci]
        for k, dd in enumerate(d["ds"]):
            s = d[f"c{ci}_d{dd}_steps"]
            m = s > 0
            ax.semilogx(s[m], d[f"c{ci}_d{dd}_ratio"][m], label=f"d={dd}")
        ax.axhline(1.0, color="k", lw=0.6)
        ax.set_title(f"alpha={a:g}, beta={b:g}", fontsize=9)
        ax.set_xlabel("steps r")
        ax.set_ylabel("Volterra / estimate")
        ax.legend(fontsize=7, frameon=False)


@fig5.verify
def _fig5_verify(d: Dict[str, Any]) -> None:
    for ci in range(len(d["cases"])):
        for dd in d["ds"]:
            ratio = d[f"c{ci}_d{dd}_ratio"][d[f"c{ci}_d{dd}_steps"] > 10]
            assert np.all(np.isfinite(ratio)) and np.all(ratio > 0)
            assert 0.2 < np.median(ratio) < 5  # same order as the estimate


# --------------------------------------------------------------------------- spectrum
@register_figure("paquette-spectrum", PAPER, "App.: empirical spectrum of K (mean over W) vs the "
                 "deterministic equivalent, alpha = 1, beta = 2")
def spectrum(quick: bool) -> Dict[str, Any]:
    pl = _plrf()
    alpha, beta = 1.0, 2.0
    d, v = (200, 2000) if quick else (1000, 10000)
    draws = 8 if quick else 40
    det = pl.deterministic_spectrum(alpha, v, d, beta)
    emp = np.array([pl.empirical_spectrum(alpha, beta, v, d, seed=s).eigenvalues
                    for s in range(draws)])
    emp_rho = np.array([pl.empirical_spectrum(alpha, beta, v, d, seed=s).rho
                        for s in range(min(draws, 4))])
    return {"alpha": alpha, "beta": beta, "d": d, "v": v, "draws": draws,
            "det_eigenvalues": det.eigenvalues, "det_rho": det.rho,
            "emp_eigenvalues": emp.mean(axis=0), "emp_eigenvalues_std": emp.std(axis=0),
            "emp_rho": emp_rho.mean(axis=0), "grid": det.grid, "density": det.density,
            "det_lambda_min": det.lambda_min, "emp_lambda_min": float(emp[:, -1].mean())}


@spectrum.draw
def _spectrum_draw(d: Dict[str, Any], fig: Any) -> None:
    a1, a2 = fig.subplots(1, 2)
    k = np.arange(1, len(d["det_eigenvalues"]) + 1)
    a1.loglog(k, d["emp_eigenvalues"], "o", ms=2, label=f"empirical (mean of {d['draws']} W)")
    a1.loglog(k, d["det_eigenvalues"], "k-", lw=1, label="deterministic equivalent")
    a1.loglog(k, k ** (-2 * d["alpha"]), "r:", lw=1, label="j^-2alpha")
    a1.set_xlabel("k")
    a1.set_ylabel("eigenvalue")
    a1.legend(fontsize=7, frameon=False)
    a2.loglog(d["det_eigenvalues"], np.maximum(d["det_rho"], 1e-300), "k-", lw=1,
              label="deterministic rho_k")
    a2.loglog(d["emp_eigenvalues"], d["emp_rho"], "o", ms=2, label="empirical rho_k (mean)")
    a2.set_xlabel("eigenvalue")
    a2.set_ylabel("rho_k")
    a2.legend(fontsize=7, frameon=False)


@spectrum.verify
def _spectrum_verify(d: Dict[str, Any]) -> None:
    gap = np.abs(d["det_eigenvalues"] / d["emp_eigenvalues"] - 1)
    assert np.median(gap) < 0.05
    assert abs(d["det_lambda_min"] / d["emp_lambda_min"] - 1) < 0.15
