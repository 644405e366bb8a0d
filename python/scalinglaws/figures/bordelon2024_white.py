"""Bordelon, Atanasov & Pehlevan (ICML 2024), the white-spectrum figures (lambda_k = 1):
Fig. 9 (ensembles at t = inf), Fig. 10 (double descent in nu) and Fig. 11 (nu > 1 vs the
closed form). Conventions as in :mod:`scalinglaws.figures.bordelon2024`.
"""

from __future__ import annotations

import math
from typing import Any, Dict

import numpy as np

from ..problem import Problem
from ._axes import label, palette
from ._bordelon_common import INF, PAPER, _dmft
from ._checks import check_pooled
from ._registry import register_figure


# --------------------------------------------------------------------------- white spectrum
def _white(M: int, N: int) -> Problem:
    return Problem.from_spectrum(np.ones(M), np.ones(M), N)


def _white_unit(M: int, N: int) -> Problem:
    """lambda_k = 1 with L(0) = sum_k lambda_k w*_k^2 = 1 (the paper's (1/M) sum_k normalisation
    of the proportional model): w*_k = 1/sqrt(M)."""
    return Problem.from_spectrum(np.ones(M), np.full(M, 1.0 / math.sqrt(M)), N)


# --------------------------------------------------------------------------- Fig. 9
FIG9_ES = (1, 5, 10, 25, 50)


@register_figure(
    "bordelon-fig9",
    PAPER,
    "Fig. 9: final loss of E-member ensembles vs alpha = P/M, "
    "lambda_k = 1, nu = N/M in {0.25, 0.75}",
)
def fig9(quick: bool) -> Dict[str, Any]:
    """t = inf (App. C zero-frequency limit with the App. H cross terms; one shared data set,
    B = 1), L(0) = 1. The theory is the proportional-limit DMFT; for lambda_k = 1 it depends on
    alpha and nu only, so it is evaluated with M_th = 1000 (P, N whole numbers). Simulations:
    gradient flow solved exactly (spectrally) at t = 1e7 with M = 100 (quick) / 200, checked
    converged against t = 1e9; 16 / 32 seeds."""
    from ..simulate import simulate_gd

    dm = _dmft()
    M_th = 1000
    alphas = np.round(np.linspace(0.01, 2.0, 200), 3)
    nus = (0.25, 0.75)
    theory = np.full((len(nus), len(FIG9_ES) + 1, alphas.size), np.nan)  # last row: E = inf
    for i, nu in enumerate(nus):
        pr = _white_unit(M_th, int(round(nu * M_th)))
        for k, a in enumerate(alphas):
            P = int(round(a * M_th))
            if abs(a - nu) < 0.015:  # the interpolation peak: leave a gap at alpha = nu
                continue
            for j, E in enumerate(list(FIG9_ES) + [INF]):
                theory[i, j, k] = dm.final_losses(pr, P, ensemble=E)["test"]
    nu_inf = np.maximum(1.0 - alphas, 0.0)  # kernel limit, lambda_k = 1: (1 - alpha)_+
    M = 100 if quick else 200
    seeds = 16 if quick else 32
    sim_E = {0.25: (1, 5) if quick else (1, 5, 25), 0.75: (1, 5)}
    sim_alpha = {
        0.25: (0.1, 0.5, 1.5) if quick else (0.1, 0.5, 1.0, 1.5),
        0.75: (0.25, 1.25) if quick else (0.25, 0.5, 1.0, 1.5),
    }
    sims, converged = [], 0.0
    for i, nu in enumerate(nus):
        N = int(round(nu * M))
        for a in sim_alpha[nu]:
            P = int(round(a * M))
            for E in sim_E[nu]:
                r = simulate_gd(
                    _white_unit(M, N),
                    P,
                    flow=True,
                    times=[1e7, 1e9],
                    seeds=seeds,
                    seed=1000 * i + 10 * E + P,
                    ensemble=E,
                )
                L = r.test_loss_runs
                assert L is not None and r.test_loss_sem is not None  # seeds >= 2
                converged = max(
                    converged,
                    float(np.max(np.abs(L[:, 1] - L[:, 0]) / np.maximum(L[:, 1], 1e-300))),
                )
                th = dm.final_losses(
                    _white_unit(M_th, int(round(nu * M_th))), int(round(a * M_th)), ensemble=E
                )["test"]
                sims.append((nu, a, E, r.test_loss[1], r.test_loss_sem[1], th))
    return {
        "alphas": alphas,
        "nus": np.array(nus),
        "Es": np.array(FIG9_ES),
        "theory": theory,
        "nu_inf": nu_inf,
        "sims": np.array(sims),
        "M": M,
        "M_theory": M_th,
        "seeds": seeds,
        "sim_convergence": converged,
        "t_sim": 1e7,
    }


@fig9.draw
def _fig9_draw(d: Dict[str, Any], fig: Any) -> None:
    axes = fig.subplots(1, 2)
    colors = palette(len(d["Es"]))
    for i, (ax, nu) in enumerate(zip(axes, d["nus"])):
        for j, E in enumerate(d["Es"]):
            ax.plot(d["alphas"], d["theory"][i, j], color=colors[j], label=f"E={E}")
        ax.plot(d["alphas"], d["theory"][i, -1], color="0.5", lw=0.8, ls=":", label="E=inf")
        ax.plot(d["alphas"], d["nu_inf"], "k--", label="nu=inf")
        for nu_s, a, E, mean, sem, _ in d["sims"]:
            if nu_s != nu:
                continue
            j = list(d["Es"]).index(int(E))
            ax.errorbar(a, mean, yerr=sem, fmt="o", ms=3, color=colors[j])
        ax.axvline(nu, color="0.8", lw=0.6)
        ax.set_ylim(0, 2.5)
        label(ax, "alpha = P/M", "L(t = inf)", title=f"nu = {nu}", legend=6)


@fig9.verify
def _fig9_verify(d: Dict[str, Any]) -> None:
    a = d["alphas"]
    # t = 1e7 is converged: the loss moves by < 1e-5 (relative) up to t = 1e9 (measured ~8e-7,
    # round-off eigenvalues of the null space of the Gram matrix)
    assert d["sim_convergence"] < 1e-5
    # simulation dots vs theory (M = 100 quick / 200: finite-size O(1/M); single models have
    # heavy-tailed final losses, hence the 3 SEM alternative)
    # measured (quick): |mean / th - 1| <= 5.6% (at 2.5 SEM), relative SEM 2-7%: 5% or 3 SEM
    for nu, al, E, mean, sem, th in d["sims"]:
        assert abs(mean / th - 1) < 0.05 or abs(mean - th) < 3 * sem, (nu, al, E, mean, th)
    for i, nu in enumerate(d["nus"]):
        th = d["theory"][i]
        ok = np.isfinite(th[0])
        # more members never hurt: L decreases with E (and E = inf is the bias floor)
        assert np.all(np.diff(th[:, ok], axis=0) <= 1e-12)
        # interpolation peak at alpha = nu for a single model
        near = ok & (np.abs(a - nu) < 0.03)
        assert th[0, near].max() > 3 * th[0, ok & (np.abs(a - nu) > 0.3)].max()
        # the paper: for alpha < nu the infinite ensemble reaches the nu = inf loss 1 - alpha;
        # for alpha > nu it stays above it (bias limited by nu)
        over = ok & (a < nu)
        assert np.allclose(th[-1, over], d["nu_inf"][over], rtol=1e-9, atol=1e-12)
        under = ok & (a > nu + 0.02)
        assert np.all(th[-1, under] > d["nu_inf"][under] + 1e-3)


@register_figure(
    "bordelon-fig10", PAPER, "Fig. 10: test loss vs nu = N/M at alpha = P/M = 0.8, lambda_k = 1"
)
def fig10(quick: bool) -> Dict[str, Any]:
    from ..simulate import simulate_gd

    dm = _dmft()
    M = 100 if quick else 400
    P = int(0.8 * M)
    nus = np.linspace(0.1, 1.0, 8 if quick else 19)
    ts = np.array([2, 5, 10, 25, 50, 75, 100, 250, 500], dtype=float)
    th = np.array(
        [
            dm.loss_curve(_white(M, max(1, int(round(nu * M)))), P, ts, flow=True).test_loss
            for nu in nus
        ]
    )
    seeds = 4 if quick else 16
    sim_nus = nus[:: 2 if quick else 3]
    sim = np.array(
        [
            simulate_gd(
                _white(M, max(1, int(round(nu * M)))), P, times=ts, flow=True, seeds=seeds, seed=i
            ).test_loss
            for i, nu in enumerate(sim_nus)
        ]
    )
    return {
        "nus": nus,
        "times": ts,
        "theory": th,
        "sim_nus": sim_nus,
        "sim": sim,
        "M": M,
        "alpha": 0.8,
    }


@fig10.draw
def _fig10_draw(d: Dict[str, Any], fig: Any) -> None:
    ax = fig.subplots(1, 1)
    colors = palette(len(d["times"]), top=0.95)
    for j, t in enumerate(d["times"]):
        ax.plot(d["nus"], d["theory"][:, j], color=colors[j], label=f"t={t:g}")
        ax.plot(d["sim_nus"], d["sim"][:, j], "o", color=colors[j], ms=3)
    ax.plot(d["nus"], d["theory"].min(axis=1), "k--", label="early stopping")
    label(ax, "nu = N/M", "test loss", legend=6, ncol=2)


@fig10.verify
def _fig10_verify(d: Dict[str, Any]) -> None:
    idx = [int(np.argmin(np.abs(d["nus"] - nu))) for nu in d["sim_nus"]]
    # simulation / theory pooled over the times of each nu: 12%. M = 100 (quick) with 4 seeds,
    # and at nu near alpha = 0.8 (the interpolation peak) single-model losses are heavy-tailed:
    # measured pooled -2.8% .. +9.8% (per point up to 20% at nu = 0.87, t = 500)
    check_pooled(d["sim"], d["theory"][idx], 0.12, "nu")


@register_figure(
    "bordelon-fig11",
    PAPER,
    "Fig. 11: lambda_k = 1, P = inf, nu = N/M > 1 vs exp(-2t) cosh(t/sqrt(nu))^2",
)
def fig11(quick: bool) -> Dict[str, Any]:
    dm = _dmft()
    M = 50 if quick else 200
    nus = [2, 10, 50] if quick else [2, 5, 10, 50, 100, 200]
    times = np.linspace(0.5, 10, 20 if quick else 60)
    th = np.array(
        [dm.loss_curve(_white(M, nu * M), INF, times, flow=True).test_loss / M for nu in nus]
    )
    approx = np.array([np.exp(-2 * times) * np.cosh(times / math.sqrt(nu)) ** 2 for nu in nus])
    return {"times": times, "nus": np.array(nus), "theory": th, "approx": approx, "M": M}


@fig11.draw
def _fig11_draw(d: Dict[str, Any], fig: Any) -> None:
    ax = fig.subplots(1, 1)
    colors = palette(len(d["nus"]))
    for i, nu in enumerate(d["nus"]):
        ax.semilogy(d["times"], d["theory"][i], color=colors[i], label=f"nu={nu}")
        ax.semilogy(d["times"], d["approx"][i], "k--", lw=0.8)
    label(ax, "t", "test loss / L(0)", legend=7)


@fig11.verify
def _fig11_verify(d: Dict[str, Any]) -> None:
    # exp(-2t) cosh(t/sqrt(nu))^2 keeps only H^2 (no variance terms) and the small-1/nu form of
    # H (eq. 122): it matches the full theory at early times and drifts above it later.
    big = int(np.argmax(d["nus"]))
    early = d["times"] <= 2.0
    # (an approximation, not a reference: measured 7.6% at t = 2, nu = 50; 10%)
    assert np.allclose(d["theory"][big, early], d["approx"][big, early], rtol=0.10)
