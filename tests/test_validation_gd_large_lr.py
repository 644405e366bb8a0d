"""DMFT discrete GD at lr x lambda_max(K) in [1, 2): the two-petal contour route
(theory page "DMFT", section "Contour route") against the exact T x T recipe and against
finite-width simulation.

1. Exact: the route against the recipe (the same DMFT equations in the time domain) at
   lr x u_max up to 1.98, with label noise, ensembles/bags and an infinite power-law tail:
   tolerance 1e-6 relative (measured 8e-10 .. 5e-9 with the default 14 nodes). At these
   learning rates the one-petal contour misses the singularities z = 1 - lr u < 0 and errs by
   1e-3 .. 1e-1 (asserted: the check can fail).
2. Simulation: the issue's must-show problem (a = 1.2, b = 1.1, M = 4096, N = 300, P = 150),
   exact spectral GD (:func:`scalinglaws.simulate_gd`), 96 seeds, test loss (population loss
   from the covariance) / theory pooled over the steps n <= 10 and n > 10
   (:func:`validation_helpers.pooled_ratio`); quoted: |pooled ratio - 1| per window.
   lr = 1.3: lr x lambda_max(K) in [1.02, 1.94] for every draw (DMFT edge 1.66); measured 0.95%
   (SE 0.50%) / 0.18% (SE 0.66%). lr = 1.0 (the must-show; DMFT edge 1.28, draws 0.78 .. 1.49;
   slow): 0.51% (SE 0.41%) / 0.17% (SE 0.63%). Tolerance 2.5%, so SE <= tol/3 holds.
   Sensitivity: N -> 1.1 N in the theory moves the late window to 4.6% (lr = 1.3) / 4.1%
   (lr = 1.0) and fails; lr -> 1.05 lr (same step counts) moves it by < 1.3%, below this
   check's resolution (as in tests/test_validation_gd.py). In the exact checks lr -> 1.01 lr
   moves the losses by 2e-3 .. 2e-2, far beyond 1e-6.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import scalinglaws as sl
from scalinglaws._backend import _core
from scalinglaws.dmft._spectrum import core_spectrum
from scalinglaws.dmft.contour import spectral_edge
from validation_helpers import compare, pooled_ratio

EXACT_TOL = 1e-6
STEPS = [28, 41, 60]  # the contour route of method="auto" starts at 2 x nodes = 28 steps


def _lr_at(problem, N, P, frac):
    """lr with lr x u_max = 2 frac (u_max: the DMFT spectral edge of K, its 2% margin removed)."""
    return frac * 2.0 / (spectral_edge(problem, N, P) / 1.02)


EXACT_CASES = [
    # name, problem, N, P, lr x u_max / 2, loss_curve kwargs
    ("a=3 M=256 N=P=64, lr u = 1.97", sl.Problem.bordelon(3.0, 1.1, 256, 64), 64, 64, 0.985, {}),
    (
        "label noise 0.5, N=300 > P=32, lr u = 1.98",
        sl.Problem.bordelon(2.0, 1.1, 256, 300, sigma=0.5),
        300,
        32,
        0.99,
        {},
    ),
    (
        "ensemble 3 + bags 2, lr u = 1.9",
        sl.Problem.bordelon(1.5, 1.25, 256, 64),
        64,
        128,
        0.95,
        dict(ensemble=3, bags=2),
    ),
    (
        "M = inf (power-law tail), lr u = 1.9",
        sl.Problem.bordelon(1.5, 1.25, math.inf, 64),
        64,
        128,
        0.95,
        {},
    ),
]


@pytest.mark.parametrize("case", EXACT_CASES, ids=[c[0] for c in EXACT_CASES])
def test_two_petal_contour_matches_recipe(case):
    name, p, N, P, frac, kw = case
    lr = _lr_at(p, N, P, frac)
    times = lr * np.array(STEPS, dtype=float)
    c = sl.dmft.loss_curve(p, P, times, lr=lr, method="contour", **kw)
    assert c.method == "contour (two petals)"
    r = sl.dmft.loss_curve(p, P, times, lr=lr, method="recipe", **kw)
    for key in ("test_loss", "train_loss"):
        a, b = getattr(c, key), getattr(r, key)
        if b is None:
            assert a is None
            continue
        chk = compare(
            a,
            b,
            tol=EXACT_TOL,
            feature=f"DMFT GD two-petal contour, {key}: {name}",
            reference_name="T x T recipe",
        )
        assert chk.ok, chk


def test_one_petal_contour_is_wrong_at_large_lr():
    """The check above can fail: without the second petal (u_max = 0) the contour misses the
    singularities at z < 0 and the train loss errs by > 1e-3 (measured 3e-2 at 28 steps)."""
    _, p, N, P, frac, _ = EXACT_CASES[0]
    lr = _lr_at(p, N, P, frac)
    sp = core_spectrum(p, 1.0 / N, 1.0 / P)
    steps = [float(n) for n in STEPS[:2]]
    one = _core.dmft.loss_curve(sp, steps, _core.dmft.CurveOptions(flow=False, lr=lr, nodes=14))
    r = sl.dmft.loss_curve(p, P, lr * np.array(steps), lr=lr, method="recipe")
    err = np.abs(np.asarray(one[1]) / r.train_loss - 1.0)
    assert np.max(err) > 1e-3, err


# ------------------------------------------------------------------------ against simulation
SIM_TOL = 0.025
SIM_SEEDS = 96
MUST_SHOW = (sl.Problem.bordelon(1.2, 1.1, 4096, 300), 150)
STEPS_SIM = np.array([1, 2, 5, 10, 30, 100, 300, 1000])


@functools.lru_cache(maxsize=None)
def _simulation(lr):
    p, P = MUST_SHOW
    return sl.simulate_gd(p, P, lr=lr, steps=STEPS_SIM, seeds=SIM_SEEDS)


def _sim_check(lr, perturb=None, record=True):
    p, P = MUST_SHOW
    sim = _simulation(lr)
    gmax = np.asarray(sim.params["max_gram_eigenvalue"])
    assert np.all(lr * gmax < 2.0) and np.mean(lr * gmax) >= 1.0, lr * gmax  # the regime
    kt, pt, tt = {"lr": lr}, p, sim.times
    if perturb == "N*1.1":
        pt = p.replace(N=int(round(1.1 * p.N)))
    elif perturb == "lr*1.05":
        kt["lr"] = 1.05 * lr
        tt = sim.times * 1.05  # the same step counts
    th = sl.dmft.loss_curve(pt, P, tt, **kt)
    assert "two petals" in th.method
    out = []
    for label, sel in (("n <= 10", STEPS_SIM <= 10), ("n > 10", STEPS_SIM > 10)):
        m, se = pooled_ratio(sim.test_loss_runs[:, sel], th.test_loss[sel])
        out.append(
            compare(
                1.0,
                m,
                se,
                tol=SIM_TOL,
                feature=f"DMFT GD lr x lambda_max(K) in [1, 2) ({label}, pooled): "
                f"a=1.2 b=1.1 M=4096 N=300 P=150 lr={lr:g}",
                reference_name="simulate_gd",
                seeds=str(SIM_SEEDS),
                record=record,
            )
        )
    return out


@pytest.mark.parametrize("lr", [1.3, pytest.param(1.0, marks=pytest.mark.slow)])
def test_large_lr_gd_theory_vs_simulation(lr):
    for c in _sim_check(lr):
        assert c.ok, c


@pytest.mark.parametrize("lr", [1.3, pytest.param(1.0, marks=pytest.mark.slow)])
def test_sensitivity_large_lr_gd_N(lr):
    checks = _sim_check(lr, "N*1.1", record=False)
    assert not all(c.ok for c in checks), checks


# --------------------------------------------------- schedules: the polynomial transfer on the contour
SCHED_SPECS = [
    "piecewise:values=1/0.5/0.15,at=12/25",
    "cosine:warmup=5,final=0.1",
    "wsd:warmup=5,decay=0.3",
]
SCHED_PROBLEM = (sl.Problem.bordelon(1.5, 1.25, 128, 32, sigma=0.3), 64)


SCHED_CASES = [(SCHED_SPECS[0], 0.45)] + [(spec, 0.85) for spec in SCHED_SPECS]


@pytest.mark.parametrize("spec,frac", SCHED_CASES)
def test_scheduled_contour_matches_dense_recipe(spec, frac):
    """GD with a schedule on the contour (weight g_n(-q) = prod_r (1 + lr_r q)) against the
    dense scheduled T x T recipe, peak lr x u_max = 0.9 and 1.7, label noise 0.3: 1e-6
    (measured 2e-12 .. 3e-10). lr -> 1.01 lr moves the losses by 3e-4 .. 1e-3."""
    p, P = SCHED_PROBLEM
    lr = _lr_at(p, p.N, P, frac)
    times = lr * np.array([25.0, 32.0, 40.0])
    c = sl.dmft.loss_curve(p, P, times, lr=lr, schedule=spec, method="contour")
    assert c.method == "contour (scheduled)"
    r = sl.dmft.loss_curve(p, P, times, lr=lr, schedule=spec, method="recipe")
    for key in ("test_loss", "train_loss"):
        chk = compare(
            getattr(c, key),
            getattr(r, key),
            tol=EXACT_TOL,
            feature=f"DMFT GD schedule {spec} on the contour (peak lr u = {2 * frac:g}), {key}",
            reference_name="dense scheduled T x T recipe",
        )
        assert chk.ok, chk


SCHED_SIM_SPECS = ["piecewise:values=1/0.3,at=300", "cosine:warmup=20,final=0.1"]
STEPS_SCHED = np.array([1, 5, 10, 30, 100, 300, 400, 600, 1000])


@pytest.mark.slow
@pytest.mark.parametrize("spec", SCHED_SIM_SPECS)
def test_scheduled_large_lr_gd_theory_vs_simulation(spec):
    """The must-show problem at peak lr = 1.3 (lr x lambda_max(K) in [1.02, 1.94]), 1000 steps
    (the dense recipe would need T = 1001), against simulate_gd(schedule=...), 96 seeds, pooled
    over n <= 10 / n > 10: measured 0.7% (SE 0.5%) / 0.1% (SE 0.7%) piecewise, 0.3% (SE 0.3%) /
    0.1% (SE 0.7%) cosine; tolerance 2.5%. N -> 1.1 N moves the late window to 4.7% (fails)."""
    p, P = MUST_SHOW
    lr = 1.3
    sim = sl.simulate_gd(p, P, lr=lr, steps=STEPS_SCHED, seeds=SIM_SEEDS, schedule=spec)
    for pt, should_pass in ((p, True), (p.replace(N=330), False)):
        th = sl.dmft.loss_curve(pt, P, STEPS_SCHED * lr, lr=lr, schedule=spec)
        assert "contour (scheduled)" in th.method
        checks = []
        for label, sel in (("n <= 10", STEPS_SCHED <= 10), ("n > 10", STEPS_SCHED > 10)):
            m, se = pooled_ratio(sim.test_loss_runs[:, sel], th.test_loss[sel])
            checks.append(
                compare(
                    1.0,
                    m,
                    se,
                    tol=SIM_TOL,
                    feature=f"DMFT GD schedule {spec}, lr x lambda_max(K) in [1, 2) ({label})",
                    reference_name="simulate_gd(schedule=...)",
                    seeds=str(SIM_SEEDS),
                    record=should_pass,
                )
            )
        assert all(c.ok for c in checks) == should_pass, checks
