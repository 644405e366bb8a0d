"""Synthetic figures of Bordelon, Atanasov & Pehlevan (ICML 2024), regenerated from the library.

Theory lines come from :mod:`scalinglaws.dmft`. Simulation means, with standard-deviation bands
over draws of data and projection, come from :mod:`scalinglaws.simulate`. The paper does not state
M, the learning rate, the number of seeds or the normalisation of w* (see :ref:`dmft-model`). The
choices made here are the spec's suggested defaults: discrete GD with lr = 0.5 (t = lr x steps),
M >= 4 max(N, P), and w* normalised to L(0) = 1. Each figure's ``params`` records them. Losses
have no 1/2. Figs. 5 and 6 (data reuse, ensembles) are in
:mod:`scalinglaws.figures.bordelon2024_reuse` (re-exported here).
"""

from __future__ import annotations

import math
from typing import Any, Dict, List

import numpy as np

from ..problem import Problem
from ._axes import label, palette
from ._bordelon_common import INF, PAPER, _dmft
from ._checks import check_pooled
from ._registry import register_figure


def _gd_panel(
    problem: Problem,
    sizes: List[int],
    fixed: int,
    vary: str,
    times: np.ndarray,
    lr: float,
    seeds: int,
    M: int,
) -> Dict[str, np.ndarray]:
    """Theory and simulation curves for N (vary='N', P=fixed) or P (vary='P', N=fixed)."""
    from ..simulate import simulate_gd

    dm = _dmft()
    th, sim, sd = [], [], []
    for s in sizes:
        N, P = (s, fixed) if vary == "N" else (fixed, s)
        pb = problem.replace(N=N)
        th.append(dm.loss_curve(pb, P, times, lr=lr).test_loss)
        r = simulate_gd(pb, P, lr=lr, times=times, seeds=seeds, seed=1000 * s)
        sim.append(r.test_loss)
        sd.append(r.test_loss_std)
    return {"theory": np.array(th), "sim": np.array(sim), "sim_std": np.array(sd)}


# --------------------------------------------------------------------------- Fig. 2
@register_figure(
    "bordelon-fig2", PAPER, "Fig. 2: finite width and finite data, a=1.5, b=1.25", figsize=(13, 6.5)
)
def fig2(quick: bool) -> Dict[str, Any]:
    dm = _dmft()
    a, b, lr = 1.5, 1.25, 0.5
    sizes = [32, 128, 512] if quick else [32, 64, 128, 256, 512, 1024, 2048]
    fixed = 500 if quick else 1000
    M = 2048 if quick else 8192
    seeds = 3 if quick else 10
    times = np.unique(np.round(np.logspace(0, np.log10(400), 20 if quick else 40) / lr) * lr)
    prob = Problem.bordelon(a, b, M, normalize=True)
    out: Dict[str, Any] = {
        "sizes": np.array(sizes),
        "times": times,
        "fixed": fixed,
        "M": M,
        "lr": lr,
        "seeds": seeds,
        "a": a,
        "b": b,
    }
    gap_t = np.array([10.0, 20.0, 50.0, 100.0])
    for vary in ("N", "P"):
        panel = _gd_panel(prob, sizes, fixed, vary, times, lr, seeds, M)
        for k, v in panel.items():
            out[f"{vary}_{k}"] = v
        # (b)/(e): L(t, N) - L(t, N = inf) at fixed P (and the same with N <-> P), theory
        ref = (
            dm.loss_curve(prob, fixed, gap_t, lr=lr, N=INF)
            if vary == "N"
            else dm.loss_curve(prob.replace(N=fixed), INF, gap_t, lr=lr)
        )
        gaps = []
        for s in sizes:
            cur = (
                dm.loss_curve(prob.replace(N=s), fixed, gap_t, lr=lr)
                if vary == "N"
                else dm.loss_curve(prob.replace(N=fixed), s, gap_t, lr=lr)
            )
            gaps.append(cur.test_loss - ref.test_loss)
        out[f"{vary}_gap"] = np.array(gaps)
        # (c)/(f): loss at the end of training (t = 400) vs size, theory and simulation (the
        # paper's "final loss" of the same runs; t -> inf would show the N = P divergence)
        out[f"{vary}_final"] = panel["theory"][:, -1]
        out[f"{vary}_final_sim"] = panel["sim"][:, -1]
    out["gap_times"] = gap_t
    return out


@fig2.draw
def _fig2_draw(d: Dict[str, Any], fig: Any) -> None:
    from ..plotting import loss_curves

    axes = fig.subplots(2, 3)
    for row, vary, other in ((0, "N", "P"), (1, "P", "N")):
        loss_curves(
            d["times"],
            d[f"{vary}_sim"],
            d["sizes"],
            label=vary,
            bands=d[f"{vary}_sim_std"],
            theory=d[f"{vary}_theory"],
            ax=axes[row, 0],
        )
        axes[row, 0].set_title(f"L(t), {other} = {int(d['fixed'])}", fontsize=9)
        ax = axes[row, 1]
        for j, t in enumerate(d["gap_times"]):
            ax.loglog(d["sizes"], d[f"{vary}_gap"][:, j], "o-", ms=3, label=f"t = {t:g}")
        s = d["sizes"].astype(float)
        ax.loglog(s, d[f"{vary}_gap"][0, 0] * s[0] / s, "k:", label=f"{vary}^-1")
        label(ax, vary, title=f"L(t,{vary}) - L(t,{vary}=inf)", legend=7)
        ax = axes[row, 2]
        ax.loglog(s, d[f"{vary}_final"], "k--", label=f"theory, t = {d['times'][-1]:g}")
        ax.loglog(s, d[f"{vary}_final_sim"], "o", label="simulation")
        ax.loglog(
            s, d[f"{vary}_final"][0] * (s / s[0]) ** -(d["a"] - 1), "k:", label=f"{vary}^-(a-1)"
        )
        label(ax, vary, legend=7)


@fig2.verify
def _fig2_verify(d: Dict[str, Any]) -> None:
    dm = _dmft()
    prob = Problem.bordelon(d["a"], d["b"], int(d["M"]), normalize=True)
    i = len(d["sizes"]) - 1
    again = dm.loss_curve(
        prob.replace(N=int(d["sizes"][i])), int(d["fixed"]), d["times"], lr=d["lr"]
    ).test_loss
    np.testing.assert_allclose(d["N_theory"][i], again, rtol=1e-10)
    # simulation mean / theory, pooled over the checkpoints of each size (the per-point standard
    # error with 3 seeds is up to 14%, so per-point checks cannot be tight). Sizes >= 128: 5%
    # (measured -1.0% .. +4.2%, quick). Size 32 (and 64 in the full figure): 20% -- the
    # asymptotic theory's O(1/size) finite-size bias at N or P = 32 plus few seeds (measured
    # +8.0% at N = 32, +14.5% at P = 32). The 2% resolution of the GD theory is established in
    # tests/test_validation_gd.py.
    for v in ("N", "P"):
        tol = np.where(np.asarray(d["sizes"]) >= 128, 0.05, 0.20)
        check_pooled(d[f"{v}_sim"], d[f"{v}_theory"], tol, v)


# --------------------------------------------------------------------------- Fig. 3
@register_figure(
    "bordelon-fig3", PAPER, "Fig. 3: one-pass SGD with batch B (a=1.5, b=1.25 assumed)"
)
def fig3(quick: bool) -> Dict[str, Any]:
    from ..simulate import simulate_sgd

    dm = _dmft()
    lr = 0.5
    M = 512 if quick else 4096
    T = 60 if quick else 400
    steps = np.unique(np.round(np.logspace(0, np.log10(T), 15 if quick else 30))).astype(int)
    prob = Problem.bordelon(1.5, 1.25, M, normalize=True)
    Ns = [32, 128] if quick else [64, 256, 1024, 4096 // 4]
    Bs = [8, 32] if quick else [8, 16, 32, 64, 128]
    seeds = 8 if quick else 32
    out: Dict[str, Any] = {
        "steps": steps,
        "lr": lr,
        "M": M,
        "Ns": np.array(Ns),
        "Bs": np.array(Bs),
        "seeds": seeds,
        "N_fixed": 128 if quick else 256,
        "B_fixed": 32,
    }
    th, sim, sd = [], [], []
    for N in Ns:
        th.append(dm.loss_curve(prob.replace(N=N), INF, steps, lr=lr, batch=32).test_loss)
        r = simulate_sgd(prob.replace(N=N), lr, T, batch=32, times=steps, seeds=seeds, seed=N)
        assert r.steps is not None and r.test_loss_std is not None  # SGD, seeds >= 2
        idx = np.searchsorted(r.steps, steps)
        sim.append(r.test_loss[idx])
        sd.append(r.test_loss_std[idx])
    out.update(N_theory=np.array(th), N_sim=np.array(sim), N_sim_std=np.array(sd))
    th, sim, sd = [], [], []
    Nf = out["N_fixed"]
    for B in Bs:
        th.append(dm.loss_curve(prob.replace(N=Nf), INF, steps, lr=lr, batch=B).test_loss)
        r = simulate_sgd(prob.replace(N=Nf), lr, T, batch=B, times=steps, seeds=seeds, seed=B)
        assert r.steps is not None and r.test_loss_std is not None  # SGD, seeds >= 2
        idx = np.searchsorted(r.steps, steps)
        sim.append(r.test_loss[idx])
        sd.append(r.test_loss_std[idx])
    out.update(B_theory=np.array(th), B_sim=np.array(sim), B_sim_std=np.array(sd))
    return out


@fig3.draw
def _fig3_draw(d: Dict[str, Any], fig: Any) -> None:
    from ..plotting import loss_curves

    # left: N varies at fixed B; right: B varies at fixed N
    for ax, vary, fixed, cmap in zip(fig.subplots(1, 2), "NB", "BN", ("viridis", "plasma")):
        loss_curves(
            d["steps"],
            d[f"{vary}_sim"],
            d[f"{vary}s"],
            label=vary,
            bands=d[f"{vary}_sim_std"],
            theory=d[f"{vary}_theory"],
            ax=ax,
            xlabel="steps",
            cmap=cmap,
        )
        label(ax, title=f"{fixed} = {int(d[f'{fixed}_fixed'])}")


@fig3.verify
def _fig3_verify(d: Dict[str, Any]) -> None:
    # simulation mean / theory pooled over the checkpoints of each curve (8 seeds quick: the
    # per-point standard error reaches 8%). N >= 128: 5% (measured +1.5% at N = 128, +2.0% /
    # -1.3% over B at N = 128). N < 128: 15% -- the deterministic-equivalent SGD theory has an
    # O(1/N) bias (about -2.5/N in its second spectral moment, see docs/validation.md), measured
    # +10.2% at N = 32, B = 32.
    for v, sizes in (("N", np.asarray(d["Ns"])), ("B", np.full(len(d["Bs"]), d["N_fixed"]))):
        check_pooled(d[f"{v}_sim"], d[f"{v}_theory"], np.where(sizes >= 128, 0.05, 0.15), v)


# --------------------------------------------------------------------------- Fig. 4
@register_figure(
    "bordelon-fig4", PAPER, "Fig. 4: compute-optimal frontiers, P = inf", figsize=(13, 3.8)
)
def fig4(quick: bool) -> Dict[str, Any]:
    dm = _dmft()
    cases = [(2.0, 1.0), (2.0, 1.5), (2.0, 2.0)]
    Ns = np.unique(np.round(np.logspace(5 * np.log10(2), 10 * np.log10(2), 5 if quick else 11)))
    M = 4096 if quick else 16384
    out: Dict[str, Any] = {"Ns": Ns, "M": M}
    for i, (a, b) in enumerate(cases):
        prob = Problem.bordelon(a, b, M, normalize=True)
        fr = dm.compute_optimal_frontier(
            prob, [int(n) for n in Ns], t_max=1e4 if quick else 1e5, n_times=40 if quick else 120
        )
        out[f"c{i}_ab"] = np.array([a, b])
        out[f"c{i}_compute"] = fr.compute
        out[f"c{i}_frontier"] = fr.loss
        out[f"c{i}_exponent"] = fr.exponent
        out[f"c{i}_predicted"] = dm.exponents(a, b)["compute"]["loss"]
        curves = [fr.curves[n] for n in sorted(fr.curves)]
        out[f"c{i}_curves"] = np.array(curves)
    return out


@fig4.draw
def _fig4_draw(d: Dict[str, Any], fig: Any) -> None:
    axes = fig.subplots(1, 3)
    for i, ax in enumerate(axes):
        a, b = d[f"c{i}_ab"]
        comp, fr = d[f"c{i}_compute"], d[f"c{i}_frontier"]
        ok = np.isfinite(fr)
        colors = palette(len(d["Ns"]), top=1)
        for j, curve in enumerate(d[f"c{i}_curves"]):
            ax.loglog(curve[0], curve[1], color=colors[j], lw=1)
        ax.loglog(comp[ok], fr[ok], "k", lw=2, alpha=0.5, label="frontier")
        pred = float(d[f"c{i}_predicted"])
        mid = np.flatnonzero(ok)[len(np.flatnonzero(ok)) // 2]
        ax.loglog(
            comp[ok],
            fr[mid] * (comp[ok] / comp[mid]) ** -pred,
            "r--",
            label=f"C^-{pred:.3f} (theory); fit {float(d[f'c{i}_exponent']):.3f}",
        )
        label(ax, "compute C = N t", title=f"a = {a:g}, b = {b:g}", legend=7)


@fig4.verify
def _fig4_verify(d: Dict[str, Any]) -> None:
    dm = _dmft()
    for i in range(3):
        a, b = d[f"c{i}_ab"]
        assert float(d[f"c{i}_predicted"]) == dm.exponents(float(a), float(b))["compute"]["loss"]
        # b != 1: the fit-window bias of the exponent over ~3 decades of C is below 0.01
        # (measured 0.005 and 0.003, quick); 0.02. b = 1: the variance term is logarithmic,
        # L* ~ sqrt(ln C / C), so the raw slope is lowered (measured 0.445 vs 0.5); 0.07 here,
        # the log-corrected exponent is checked to 0.03 in tests/test_dmft.py
        # (test_compute_optimal_frontier_b1_log_correction).
        tol = 0.07 if float(b) == 1.0 else 0.02
        assert abs(float(d[f"c{i}_exponent"]) - float(d[f"c{i}_predicted"])) < tol


# --------------------------------------------------------------------------- Fig. 8
@register_figure("bordelon-fig8", PAPER, "Fig. 8: timescale densities rho_k(u), b = 1.2")
def fig8(quick: bool) -> Dict[str, Any]:
    dm = _dmft()
    M = 2000 if quick else 40000
    prob = Problem.bordelon(1.5, 1.2, M)
    u = np.logspace(-3, 0.3, 150 if quick else 400)
    out: Dict[str, Any] = {"u": u, "M": M}
    for tag, N, P in (
        ("small", 50, 100),
        ("large", 500 if quick else 10000, 500 if quick else 10000),
    ):
        r = dm.responses(prob.replace(N=N), P, s=-u - 1e-7j)
        rho = np.imag(r.h(list(range(10)))) / math.pi
        out[f"{tag}_rho"] = rho.T
        out[f"{tag}_NP"] = np.array([N, P])
    out["lam"] = prob.lam[:10]
    return out


@fig8.draw
def _fig8_draw(d: Dict[str, Any], fig: Any) -> None:
    axes = fig.subplots(1, 2)
    for ax, tag in zip(axes, ("small", "large")):
        for k in range(10):
            ax.semilogx(d["u"], d[f"{tag}_rho"][k], lw=1, label=f"k={k + 1}" if k < 5 else None)
        N, P = d[f"{tag}_NP"]
        label(ax, "u", "rho_k(u)", title=f"N = {N}, P = {P}", legend=6)


@fig8.verify
def _fig8_verify(d: Dict[str, Any]) -> None:
    # densities are non-negative; at large N = P the mode-k density peaks near u = lambda_k
    assert np.all(d["large_rho"] > -1e-6)
    for k in range(3):
        peak = d["u"][np.argmax(d["large_rho"][k])]
        assert abs(math.log(peak / d["lam"][k])) < 0.5


# re-exported from their own module (they lived here before)
from .bordelon2024_reuse import fig5, fig6  # noqa: E402,F401
