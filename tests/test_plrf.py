"""Tests of scalinglaws.plrf (power-law random features, Paquette et al. 2024).

Every tolerance below is the target stated in the task; seeds are fixed.
"""

import json
import math

import numpy as np
import pytest
from scalinglaws import plrf
from scalinglaws._backend import _core
from scalinglaws.cli import main as cli_main
from scalinglaws.figures import paquette2024_data
from scalinglaws.problem import Problem
from scalinglaws.simulate import simulate_sgd

A, B, V, D = 1.0, 0.7, 2000, 500


@pytest.fixture(scope="module")
def det():
    return plrf.deterministic_spectrum(Problem.paquette(A, B, V, D))


@pytest.fixture(scope="module")
def emp_mean():
    eig, f0 = [], []
    for s in range(20):
        e = plrf.empirical_spectrum(Problem.paquette(A, B, V, D), seed=s)
        eig.append(e.eigenvalues)
        f0.append(e.limit_loss)
    return np.mean(eig, axis=0), float(np.mean(f0))


# ----------------------------------------------------------------------------- sums and m(z)
@pytest.mark.parametrize(
    "m,z",
    [
        (1 + 0j, -0.01 + 0j),
        (0.7 - 0.2j, 1e-6 + 1e-16j),
        (0.99 - 1e-5j, 0.01 + 1e-12j),
        (0.3 - 0.3j, 2e-10 + 1e-20j),
    ],
)
def test_tail_sums_match_direct_sums(m, z):
    # head + pole window + Euler-Maclaurin tail vs the direct sum over j <= 1e5: rel. error 1e-10
    v, p = 100000, 3.4
    j = np.arange(1, v + 1.0)
    h = j**-2.0 * m - z
    s1, s2 = _core.plrf.sums(1.0, float(v), p, m, z)
    assert abs(s1 - np.sum(j**-p / h)) <= 1e-10 * abs(np.sum(j**-p / h))
    assert abs(s2 - np.sum(j**-p / h**2)) <= 1e-10 * abs(np.sum(j**-p / h**2))


def test_m_solves_fixed_point_and_branch():
    j = np.arange(1, V + 1.0)
    lam = j**-2.0
    z = np.array([0.3 + 1e-3j, 1e-5 + 1e-7j, 0.01 + 1e-9j, 2.0 + 1e-12j, 1e-7 + 1e-17j])
    m = plrf.resolvent_m(Problem.paquette(A, B, V, D), z)
    res = np.abs(m * (1 + (lam[None, :] / (lam[None, :] * m[:, None] - z[:, None])).sum(1) / D) - 1)
    assert np.all(res < 1e-10)
    assert np.all(m.imag <= 0)  # physical branch


def test_v_infinity_is_the_limit_of_large_v():
    f_inf = plrf.limit_loss(Problem.paquette(1.0, 0.7, math.inf, 200))
    f_big = plrf.limit_loss(Problem.paquette(1.0, 0.7, 10**9, 200))
    assert abs(f_inf / f_big - 1) < 1e-6
    l_inf, l_big = (
        plrf.lambda_min(Problem.paquette(1.0, 0.7, math.inf, 200)),
        plrf.lambda_min(Problem.paquette(1.0, 0.7, 10**9, 200)),
    )
    assert abs(l_inf / l_big - 1) < 1e-6


# ----------------------------------------------------------------- deterministic vs empirical
def test_spectrum_mass_and_ordering(det):
    assert det.eigenvalues.size == D
    assert np.all(np.diff(det.eigenvalues) < 0)
    assert abs(det.total_count - D) < 0.01 * D
    # sum_k lam_k rho_k + F_0 = ||b_hat||^2 within 0.5% (top window holds the whole top bump)
    total = float(np.sum(det.eigenvalues * det.rho)) + det.limit_loss
    assert abs(total / det.params["target_norm"] - 1) < 5e-3


def test_deterministic_vs_empirical_spectrum(det, emp_mean):
    eig, f0 = emp_mean
    gap = np.abs(det.eigenvalues / eig - 1)
    assert np.median(gap) <= 0.02
    assert abs(det.lambda_min / eig[-1] - 1) <= 0.05
    assert abs(det.limit_loss / f0 - 1) <= 0.05


def test_limit_loss_below_high_dimensional_line():
    # 2 alpha < 1: F_0 vs the mean of 20 sampled W at v = 4 d
    a, b, v, d = 0.35, 0.8, 1200, 300
    f_det = plrf.limit_loss(Problem.paquette(a, b, v, d))
    f_emp = np.mean(
        [
            plrf.empirical_spectrum(Problem.paquette(a, b, v, d), seed=s).limit_loss
            for s in range(20)
        ]
    )
    assert abs(f_det / f_emp - 1) <= 0.05


# ------------------------------------------------------------------------------- Volterra
def test_block_scheme_matches_exact_recursion():
    sp = plrf.empirical_spectrum(Problem.paquette(A, B, V, D), seed=3)
    exact = plrf.volterra_loss(sp, 0.3, 100000, exact_steps=10**9)
    fast = plrf.volterra_loss(sp, 0.3, 100000, exact_steps=100, block_rel=0.01)
    assert np.max(np.abs(fast.test_loss / exact.test_loss - 1)) < 1e-4


def test_volterra_equals_forcing_kernel_convolution():
    # the mode recursion solves P(r) = F(r) + sum_{s<r} K(r-1-s) P(s) exactly (first 300 steps)
    sp = plrf.empirical_spectrum(Problem.paquette(A, B, V, 100), seed=1)
    r = np.arange(301)
    F, K = plrf.forcing_kernel(sp, 0.2, r, batch=3)
    P = np.empty(301)
    for t in range(301):
        P[t] = F[t] + np.dot(K[:t][::-1], P[:t])
    cur = plrf.volterra_loss(sp, 0.2, 300, batch=3, checkpoints=r, exact_steps=10**9)
    assert np.allclose(cur.test_loss, P, rtol=1e-10)


def test_lr_conventions_agree():
    sp = plrf.empirical_spectrum(Problem.paquette(A, B, V, D), seed=3)
    a = plrf.volterra_loss(sp, 0.05, 1000, batch=4)
    b = plrf.volterra_loss(sp, 0.2, 1000, batch=4, lr_convention="mean")
    assert np.allclose(a.test_loss, b.test_loss, rtol=1e-12)


def _sgd_check(steps, runs, checkpoints):
    sp = plrf.empirical_spectrum(Problem.paquette(A, B, V, D), seed=7)
    res = simulate_sgd(
        Problem.paquette(A, B, V, D),
        0.3,
        steps,
        seeds=runs,
        seed=1000,
        projection_seed=7,
        n_checkpoints=checkpoints,
    )
    cur = plrf.volterra_loss(sp, 0.3, steps, checkpoints=res.steps)
    P = np.interp(res.steps, cur.steps, cur.test_loss)
    sem = res.test_loss_sem
    ok = sem > 0
    z = (res.test_loss[ok] - P[ok]) / sem[ok]
    return np.mean(np.abs(z) <= 3.0)


def test_volterra_equals_mean_of_sgd_short():
    assert _sgd_check(3000, 256, 40) >= 0.9


@pytest.mark.slow
def test_volterra_equals_mean_of_sgd_long():
    assert _sgd_check(100000, 256, 100) >= 0.9


def test_deterministic_volterra_close_to_empirical(det):
    """The deterministic equivalent predicts the W-average of the exact (empirical-spectrum)
    curves. Over 20 draws of W at r >= 100: max gap to their mean 4.5% (target 20%), and within
    3 standard errors of that mean at every checkpoint. A single W is one draw from a spread
    whose relative std is 9-18% (its top outliers lambda_j ~ j^-2 ||W_j||^2 move by ~sqrt(2/d),
    which shifts exp(-2 gamma lambda_j r) by tens of per cent once gamma lambda_j r ~ 3), so one W
    deviates from the deterministic curve by 8-43% (median 21%): the 20% target can only hold for
    the W-average."""
    d = plrf.volterra_loss(det, 0.3, 100000)
    curves = np.array(
        [
            plrf.volterra_loss(
                plrf.empirical_spectrum(Problem.paquette(A, B, V, D), seed=s),
                0.3,
                100000,
                checkpoints=d.steps,
            ).test_loss
            for s in range(20)
        ]
    )
    m = d.steps >= 100
    e = curves.mean(axis=0)
    assert np.max(np.abs(d.test_loss[m] / e[m] - 1)) <= 0.2
    sem = curves.std(axis=0, ddof=1) / math.sqrt(curves.shape[0])
    assert np.all(np.abs(d.test_loss[m] - e[m]) <= 3 * sem[m])
    spread = curves.std(axis=0, ddof=1)[m] / e[m]
    assert 0.05 < np.median(spread) < 0.3


# ----------------------------------------------------------------------------------- phases
@pytest.mark.parametrize(
    "a,b,ph",
    [
        (0.7, 0.7, "III"),
        (0.7, 0.3, "Ia"),
        (0.4, 0.3, "Ib"),
        (0.2, 0.8, "Ic"),
        (1.0, 0.7, "II"),
        (0.7, 1.2, "III"),
        (0.4, 0.8, "IVa"),
        (0.27, 0.8, "IVb"),
    ],
)
def test_phase_classification(a, b, ph):
    assert plrf.phase(a, b) == ph


def test_exponents_continuous_across_boundaries():
    eps = 1e-7
    for (a1, b1), (a2, b2) in [
        ((0.7, 0.5 - eps), (0.7, 0.5 + eps)),
        ((0.8, 0.8 - eps), (0.8, 0.8 + eps)),
        ((0.5 - eps, 0.3), (0.5 + eps, 0.3)),
        ((0.5 - eps, 0.8), (0.5 + eps, 0.8)),
        ((0.25 - eps, 0.8), (0.25 + eps, 0.8)),
    ]:
        assert (
            abs(
                plrf.compute_optimal_exponents(a1, b1)[2]
                - plrf.compute_optimal_exponents(a2, b2)[2]
            )
            < 1e-5
        )
    assert plrf.compute_optimal_exponents(0.7, 0.7)[1:] == (0.5, pytest.approx(1 - 1 / 2.8))


# ------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call",
    [
        lambda: plrf.deterministic_spectrum(
            Problem.paquette(0.2, 0.2, 2000, 500)
        ),  # 2(alpha+beta) <= 1
        lambda: plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, 400, 500)),  # v < d
        lambda: plrf.deterministic_spectrum(
            Problem.paquette(float("nan"), 0.7, 2000, 500)
        ),  # non-finite
        lambda: plrf.limit_loss(Problem.paquette(1.0, float("inf"), 2000, 500)),  # non-finite
        lambda: plrf.deterministic_spectrum(
            Problem.paquette(0.4, 0.7, math.inf, 500)
        ),  # v = inf, 2 alpha < 1
        lambda: plrf.loss_curve(
            Problem.paquette(1.0, 0.7, 2000, 500), lr=3.0, steps=100
        ),  # unstable lr
        lambda: plrf.loss_curve(Problem.paquette(1.0, 0.7, 2000, 500), lr=float("nan"), steps=100),
    ],
)
def test_bad_parameters_raise(call):
    with pytest.raises(ValueError):
        call()


def test_unstable_lr_message_gives_bound():
    with pytest.raises(ValueError, match=r"require lr < 0\.6"):
        plrf.loss_curve(Problem.paquette(1.0, 0.7, 2000, 500), lr=3.0, steps=100)


# ------------------------------------------------------------------------------------- CLI
def test_cli_contract(capsys):
    assert (
        cli_main(["plrf", "spectrum", "--alpha", "1", "--v", "2000", "--d", "300", "--json"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"eigenvalues", "rho", "lambda_min", "limit_loss"}
    assert len(out["eigenvalues"]) == 300 and out["eigenvalues"][0] > out["eigenvalues"][-1]
    assert (
        cli_main(
            [
                "plrf",
                "spectrum",
                "--alpha",
                "1.2",
                "--beta",
                "0.9",
                "--v",
                "inf",
                "--d",
                "200",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert len(out["rho"]) == 200 and out["limit_loss"] > 0
    assert (
        cli_main(
            [
                "plrf",
                "loss",
                "--alpha",
                "1",
                "--beta",
                "0.7",
                "--v",
                "2000",
                "--d",
                "300",
                "--batch",
                "2",
                "--lr",
                "0.2",
                "--steps",
                "10000",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert (
        out["steps"][0] == 0 and out["steps"][-1] == 10000 and len(out["loss"]) == len(out["steps"])
    )
    assert (
        cli_main(
            [
                "plrf",
                "loss",
                "--alpha",
                "1",
                "--beta",
                "0.7",
                "--v",
                "2000",
                "--d",
                "300",
                "--lr",
                "0.2",
                "--steps",
                "1000",
                "--empirical",
                "--seed",
                "4",
                "--json",
            ]
        )
        == 0
    )
    json.loads(capsys.readouterr().out)
    assert cli_main(["plrf", "phase", "--alpha", "0.7", "--beta", "0.7", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["phase"] == "III" and out["xi"] == 0.5 and abs(out["eta"] - 0.642857) < 1e-5


def test_cli_errors_one_line(capsys):
    assert (
        cli_main(
            [
                "plrf",
                "loss",
                "--alpha",
                "1",
                "--beta",
                "0.7",
                "--v",
                "2000",
                "--d",
                "300",
                "--lr",
                "5",
                "--steps",
                "100",
                "--json",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err.strip()
    assert "unstable" in err and "\n" not in err


@pytest.mark.parametrize(
    "a,b,d", [(0.45, 0.2, 1131), (0.15, 1.0, 800), (1.5, 0.8, 1600), (0.28, 1.5, 566)]
)
def test_spectrum_across_phases(a, b, d):
    # regression: Newton at band edges (residual at rounding level, ill-conditioned step)
    v = 4 * d if 2 * a < 1 else math.inf
    s = plrf.deterministic_spectrum(Problem.paquette(a, b, v, d))
    assert abs(s.total_count - d) < 0.01 * d
    total = float(np.sum(s.eigenvalues * s.rho)) + s.limit_loss
    assert abs(total / s.params["target_norm"] - 1) < 1e-2


def test_measured_compute_optimal_exponent_phase_III():
    # alpha = beta = 0.7 (II/III boundary): theory eta = 1 - 1/(4 alpha) = 0.643, xi = 1/2.
    # d = 100 .. 12800 (v = inf, gamma = 0.5 / tr D, B = 1), IsoFLOP fit over f in [1e6, 7.5e7].
    # Measured 0.630 here (0.633 over [1e6, 1e10] with d up to 102400; the local slope creeps
    # up towards 0.643 with f).
    ds = [int(round(100 * 2 ** (k / 2))) for k in range(15)]
    r = plrf.measure_compute_optimal(
        0.7, 0.7, ds, flops=np.logspace(4, 12, 49), fit_flops=(1e6, 7.5e7)
    )
    assert abs(r["eta_isoflop"] - 0.643) <= 0.02
    assert abs(r["eta_frontier"] - 0.643) <= 0.02
    assert abs(r["xi_isoflop"] - 0.5) <= 0.03


def test_deterministic_vs_empirical_below_high_dimensional_line():
    # alpha = 0.3 < 1/2 (v = 4 d): measured median gap 0.06%, lambda_min 1.6%, F_0 0.6%,
    # loss (mean of 20 W, gamma = 0.5 / tr D) 1.9% for r >= 100.
    a, b, v, d = 0.3, 0.7, 2000, 500
    det = plrf.deterministic_spectrum(Problem.paquette(a, b, v, d))
    lr = 0.5 / det.params["trace_D"]
    emp = [plrf.empirical_spectrum(Problem.paquette(a, b, v, d), seed=s) for s in range(20)]
    eig = np.mean([e.eigenvalues for e in emp], axis=0)
    assert np.median(np.abs(det.eigenvalues / eig - 1)) <= 0.02
    assert abs(det.lambda_min / eig[-1] - 1) <= 0.05
    assert abs(det.limit_loss / np.mean([e.limit_loss for e in emp]) - 1) <= 0.05
    dl = plrf.volterra_loss(det, lr, 100000)
    el = np.mean([plrf.volterra_loss(e, lr, 100000).test_loss for e in emp], axis=0)
    m = dl.steps >= 100
    assert np.max(np.abs(dl.test_loss[m] / el[m] - 1)) <= 0.2


def test_figure_data_small():
    f = paquette2024_data.figure_spectrum(1.0, 2.0, 2000, 200, draws=5, bins=40)
    assert f["empirical_density"].shape == (40,)
    assert np.all(np.isfinite(f["deterministic_density"]))
    p = paquette2024_data.figure_phase_diagram(
        [0.7], [-0.3, 0.3], [100, 141, 200, 283, 400, 566, 800], flops=np.logspace(4, 9, 20)
    )
    assert np.isnan(p["eta"][0, 0]) and p["phases"][0, 1] == "Ia"
    assert abs(p["eta"][0, 1] - p["eta_theory"][0, 1]) < 0.05


def test_long_horizon_block_convergence():
    # r = 1e9: block_rel 0.01 vs 0.002 agree to 1e-5 (measured 3.5e-6)
    sp = plrf.empirical_spectrum(Problem.paquette(A, B, V, D), seed=3)
    a = plrf.volterra_loss(sp, 0.3, 10**9)
    b = plrf.volterra_loss(sp, 0.3, 10**9, block_rel=0.002, exact_steps=20000)
    assert np.all(np.isfinite(a.test_loss)) and a.test_loss[-1] < a.test_loss[0]
    assert np.max(np.abs(a.test_loss / b.test_loss - 1)) < 1e-5


def test_large_d_estimate_is_of_the_right_order():
    # P ~ F_0 + F_pp + F_ac + K_pp/(gamma B): measured ratios 0.84-1.57 (alpha=1, beta=0.7 and
    # alpha=0.7, beta=1.2, d = 200..3200, r = 1e2..1e7)
    for a, b in [(1.0, 0.7), (0.7, 1.2)]:
        f = paquette2024_data.figure_finite_size(a, b, (200, 800), steps=10**6)
        for row in f["rows"]:
            m = row["steps"] >= 100
            assert np.all((row["ratio"][m] > 0.5) & (row["ratio"][m] < 2.0))


# ------------------------------------------------------------------------------ negative beta
# Phase Ia extends to beta < 0 while 2(alpha + beta) > 1: the target weights j^-(2alpha+2beta)
# are summable although b_j = j^-beta grows.
def test_negative_beta_volterra_equals_mean_of_sgd():
    # alpha = 0.7, beta = -0.15, v = 1000, d = 250, gamma = 0.5 / tr D, 256 SGD runs on one W:
    # measured 100% of the checkpoints r >= 1 within 3 standard errors.
    a, b, v, d = 0.7, -0.15, 1000, 250
    sp = plrf.empirical_spectrum(Problem.paquette(a, b, v, d), seed=7)
    lr = 0.5 / float(np.sum(np.arange(1, v + 1.0) ** (-2 * a)))
    res = simulate_sgd(
        Problem.paquette(a, b, v, d),
        lr,
        3000,
        seeds=256,
        seed=1000,
        projection_seed=7,
        n_checkpoints=40,
    )
    cur = plrf.volterra_loss(sp, lr, 3000, checkpoints=res.steps)
    P = np.interp(res.steps, cur.steps, cur.test_loss)
    ok = res.steps >= 1
    z = (res.test_loss[ok] - P[ok]) / res.test_loss_sem[ok]
    assert np.mean(np.abs(z) <= 3.0) >= 0.9


def test_negative_beta_spectrum_and_phase():
    a, b, v, d = 0.7, -0.15, 2000, 300
    s = plrf.deterministic_spectrum(Problem.paquette(a, b, v, d))
    target = float(np.sum(np.arange(1, v + 1.0) ** (-2 * a - 2 * b)))
    assert abs(s.params["target_norm"] / target - 1) < 1e-10
    total = float(np.sum(s.eigenvalues * s.rho)) + s.limit_loss
    assert abs(total / target - 1) < 5e-3
    assert 0 < s.limit_loss < target
    assert plrf.phase(a, b) == "Ia"
    eta = plrf.compute_optimal_exponents(a, b)[2]
    assert eta == pytest.approx((2 * a + 2 * b - 1) / (2 * a + 1))
    with pytest.raises(ValueError, match=r"2\(alpha \+ beta\) > 1"):
        plrf.deterministic_spectrum(Problem.paquette(0.7, -0.2, 2000, 300))


# --------------------------------------------------------------------------- figure helpers
def test_kernel_norm_gives_the_plateau():
    # P(r) -> P_inf / (1 - ||K||): measured agreement 1e-15 at r = 1e8 (d = 100)
    s = plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, 2000, 100))
    for lr in (0.3, 0.5):
        P = plrf.volterra_loss(s, lr, 10**8).test_loss[-1]
        assert P == pytest.approx(s.limit_loss / (1 - plrf.kernel_norm(s, lr)), rel=1e-6)
    with pytest.raises(ValueError, match="unstable"):
        plrf.kernel_norm(s, 5.0)


def test_fit_compute_optimal_windows():
    r = plrf.measure_compute_optimal(
        1.0, 0.7, [100, 141, 200, 283, 400], flops=np.logspace(3, 7.5, 28)
    )
    full = plrf.fit_compute_optimal(r)
    assert full["eta_isoflop"] == pytest.approx(r["eta_isoflop"])
    assert full["n_fit"] == int(r["interior"].sum())
    w = plrf.fit_compute_optimal(r, (6e4, 3.5e5))
    assert 3 <= w["n_fit"] < full["n_fit"]
    assert abs(w["eta_isoflop"] - full["eta_isoflop"]) < 0.05
    with pytest.raises(ValueError, match="fit_flops"):
        plrf.fit_compute_optimal(r, (1e6, 1e5))
    with pytest.raises(ValueError, match="at least 3"):  # no budget inside
        plrf.fit_compute_optimal(r, (1.0, 2.0))
    with pytest.raises(ValueError, match="pair"):
        plrf.fit_compute_optimal(r, (1e4,))


def test_contour_forcing_matches_eigenvalue_sum():
    c = paquette2024_data.figure_contour(1.0, 0.7, 1000, 100, steps=(0, 10, 1000))
    assert c["F0_contour"] == pytest.approx(
        plrf.limit_loss(Problem.paquette(1.0, 0.7, 1000, 100)), rel=1e-6
    )
    assert c["F_contour"] == pytest.approx(c["F_spectrum"], rel=1e-2)
    with pytest.raises(ValueError, match="finite"):
        paquette2024_data.figure_contour(1.0, 0.7, math.inf, 100)


def test_contour_forcing_finite_at_long_times():
    """Gamma_0 carries the atom F_0 q(0)^r = F_0 for every r: evaluated at r = 0 only, so long
    times stay finite (q^r on its left half would overflow near r = 1e7)."""
    c = paquette2024_data.figure_contour(1.0, 0.7, 1000, 100, steps=(0, 10**7, 10**8))
    assert np.all(np.isfinite(c["F_contour"]))
    assert c["F_contour"][-1] == pytest.approx(c["F_spectrum"][-1], rel=1e-6)


def test_estimate_compute_optimal_phase_II_and_IVa_crossover():
    """The large-d estimate reproduces the closed form where the asymptote is reached (II:
    xi 0.403 vs 0.412, eta 0.710 vs 0.706 over f in [1e8, 1e11]) and shows the slow IVa
    crossover (xi 0.59 at f in [1e5, 1e8], 0.54 at [1e11, 1e14], towards the closed form 1/2)."""
    ii = plrf.estimate_compute_optimal(1.0, 0.7, np.logspace(8, 11, 10), d_range=(10, 1e7), n_d=200)
    _, xi, eta = plrf.compute_optimal_exponents(1.0, 0.7)
    assert abs(ii["xi"] - xi) < 0.02 and abs(ii["eta"] - eta) < 0.02
    early = plrf.estimate_compute_optimal(
        0.4, 0.8, np.logspace(5, 8, 10), d_range=(10, 1e7), n_d=200
    )["xi"]
    late = plrf.estimate_compute_optimal(
        0.4, 0.8, np.logspace(11, 14, 10), d_range=(10, 1e8), n_d=200
    )["xi"]
    # Independent (closed form): phase IVa's exponent is 1/2 (compute_optimal_exponents), and
    # the estimate must approach it from above as f grows.
    assert plrf.compute_optimal_exponents(0.4, 0.8)[1] == 0.5
    assert 0.5 < late < early - 0.03
    # REGRESSION PIN (not an independent value): 0.56-0.62 brackets this function's own earlier
    # output (0.59) at f in [1e5, 1e8]; it guards against silent changes of the crossover only.
    assert 0.56 < early < 0.62
    with pytest.raises(ValueError, match="edge of d_range"):
        plrf.estimate_compute_optimal(0.4, 0.8, np.logspace(11, 14, 10), d_range=(10, 1e4))
