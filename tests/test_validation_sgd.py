"""One-pass SGD theory against independent references, with sensitivity tests.

References (none shares code with the theory):

* :func:`scalinglaws.testing.sgd_expected_loss_explicit` -- the exact expected loss for a given
  projection F by the first and second moments of theta in parameter space (Isserlis; no
  eigendecomposition, no modes). It checks the Volterra recursion on that projection's empirical
  spectrum (forcing, kernel, batch and noise factors) to round-off.
* :func:`scalinglaws.testing.sgd_one_step_projection_average` -- the exact one-step loss averaged
  over data AND projections (closed form, Wick), itself checked against a numpy Monte Carlo over
  projections. It checks the default SGD theory ``dmft.loss_curve(..., batch=B)`` (Volterra on the
  deterministic-equivalent spectrum) at step 1 to 1%.
* ``simulate_sgd(projection_seed=s)`` with many data seeds against the Volterra curve of the same
  projection (the simulator and the recursion; pooled over checkpoints for variance reduction).
* the average of the exact (empirical-spectrum) curves over projections against the
  deterministic-equivalent curve (the deterministic equivalent itself).

Tolerances come from the measured agreement (stated per test); the sensitivity tests apply the
perturbations of the validation issue to the theory and assert that the same comparison FAILS.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scalinglaws as sl
from scalinglaws import testing
from scalinglaws._backend import _core
from scalinglaws.plrf import volterra as volterra_mod
from validation_helpers import compare, pooled_ratio

CPS = [0, 1, 2, 5, 10, 30, 100, 300]

# (name, problem, batch, lr as a fraction of the stability bound of projection 5)
EXACT_CASES = [
    ("paquette B=1 0.9 bound", sl.Problem.paquette(1.0, 0.7, 200, 50), 1, 0.9),
    ("paquette noise B=8 0.8 bound", sl.Problem.paquette(1.0, 0.7, 200, 50, sigma=0.3), 8, 0.8),
    (
        "bordelon noise B=4 0.9 bound (mean lr)",
        sl.Problem.bordelon(1.5, 1.25, 200, 50, sigma=0.3),
        4,
        0.9,
    ),
]
PROJ = 5


def _mean(p):
    return p.lr_convention == "mean"


class _KernelFactorPlrf:
    """Stand-in for the C++ ``_core.plrf`` whose Volterra solver has its kernel factor
    gamma^2 B multiplied by ``factor`` (a python mode recursion otherwise identical to the module
    docstring of scalinglaws.plrf.volterra): the "Volterra kernel factor changed" perturbation."""

    def __init__(self, factor):
        self.factor = factor
        self._orig = _core.plrf

    def __getattr__(self, name):
        return getattr(self.__dict__["_orig"], name)

    def volterra(self, lam, rho, p_inf, opts):
        gamma, batch, cps = opts.gamma, opts.batch, opts.checkpoints
        lam = np.asarray(lam)
        q = 1 - 2 * gamma * batch * lam + gamma**2 * batch * (batch + 1) * lam**2
        m = np.asarray(rho, dtype=float).copy()
        out, r = [], 0
        for c in sorted(cps):
            while r < c:
                P = p_inf + lam @ m
                m = q * m + self.factor * gamma**2 * batch * lam * P
                r += 1
            out.append(p_inf + lam @ m)
        return np.asarray(out)


def _volterra_fixed_projection(p, lr, batch, steps, *, perturb=None, monkeypatch=None):
    """The theory under test, optionally perturbed as the validation issue lists."""
    if perturb == "batch/2":
        batch_t, lr_t = batch // 2, lr * (batch // 2) / batch if _mean(p) else lr
    else:
        batch_t, lr_t = batch, lr
    if perturb == "lr*1.05":
        lr_t = lr * 1.05
    if perturb == "sigma^2*2":
        p = p.replace(sigma=p.sigma * math.sqrt(2.0))
    if perturb == "kernel*1.1":
        monkeypatch.setattr(volterra_mod._core, "plrf", _KernelFactorPlrf(1.1))
    c = sl.plrf.loss_curve(
        p,
        lr=lr_t,
        steps=max(steps),
        batch=batch_t,
        empirical=True,
        seed=PROJ,
        checkpoints=steps,
        exact_steps=10**9,
    )
    return np.interp(steps, c.steps, c.test_loss)


def _exact_check(case, perturb=None, monkeypatch=None, record=True):
    name, p, batch, frac = case
    lr = frac * sl.sgd_stability_bound(p, batch, seed=PROJ)
    spec = _core.simulate.ProblemSpec(lam=p.lam, wstar=p.wstar, N=p.N)
    F = _core.simulate.draw_problem(spec, 0, 1, PROJ, 0, explicit_matrices=True, threads=1)["F"]
    ref = testing.sgd_expected_loss_explicit(p, F, lr, CPS[1:], batch, batch_mean=_mean(p))
    th = _volterra_fixed_projection(p, lr, batch, CPS[1:], perturb=perturb, monkeypatch=monkeypatch)
    return compare(
        th,
        ref,
        tol=1e-9,
        feature=f"Volterra, fixed projection: {name}",
        reference_name="exact moment recursion in parameter space (testing)",
        seeds="exact (projection 5)",
        record=record,
    )


@pytest.mark.parametrize("case", EXACT_CASES, ids=[c[0] for c in EXACT_CASES])
def test_volterra_is_exact_for_a_fixed_projection(case):
    """Volterra recursion on the empirical spectrum == exact moment recursion, steps 1..300,
    batch 1 / 8 / 4, label noise, lr at 0.8-0.9 of the stability bound, both lr conventions.
    Tolerance 1e-9 relative (measured <= 2e-13)."""
    c = _exact_check(case)
    assert c.ok, c


@pytest.mark.parametrize("perturb", ["batch/2", "lr*1.05", "sigma^2*2", "kernel*1.1"])
def test_sensitivity_volterra_fixed_projection(perturb, monkeypatch):
    """Each perturbation of the theory fails the exact check (on the case it affects)."""
    case = EXACT_CASES[1] if perturb in ("batch/2", "sigma^2*2") else EXACT_CASES[0]
    c = _exact_check(case, perturb, monkeypatch, record=False)
    assert not c.ok, c


# --------------------------------------------------------------- one step, over projections
def test_one_step_closed_form_matches_monte_carlo_over_projections():
    """The closed-form projection average of the one-step loss vs a plain numpy Monte Carlo over
    4000 projections (F drawn by numpy, exact data expectation given F): 1% with the Monte Carlo
    standard error <= 0.33%."""
    p = sl.Problem.paquette(1.0, 0.7, 80, 20, sigma=0.5)
    batch, lr = 4, 0.15
    rng = np.random.default_rng(2024)
    lam, ws = p.lam, p.wstar
    c0 = float(np.sum(lam * ws * ws))
    vals = np.empty(4000)
    for i in range(vals.size):  # the one-step loss given F, from the moment recursion's formula
        F = rng.standard_normal((p.N, p.M)) / math.sqrt(p.N)
        FL = F * lam
        Sig, q = FL @ F.T, FL @ ws
        vals[i] = (
            c0
            - 2 * lr * batch * q @ q
            + lr**2 * batch * ((c0 + p.sigma**2) * np.sum(Sig * Sig) + (batch + 1) * q @ Sig @ q)
        )
    F = rng.standard_normal((p.N, p.M)) / math.sqrt(p.N)  # that formula == the oracle at r = 1
    FL = F * lam
    Sig, q = FL @ F.T, FL @ ws
    one = testing.sgd_expected_loss_explicit(p, F, lr, [1], batch)[0]
    assert one == pytest.approx(
        c0
        - 2 * lr * batch * q @ q
        + lr**2 * batch * ((c0 + p.sigma**2) * np.sum(Sig * Sig) + (batch + 1) * q @ Sig @ q),
        rel=1e-12,
    )
    closed = testing.sgd_one_step_projection_average(p, lr, batch)
    c = compare(
        closed,
        vals.mean(),
        vals.std(ddof=1) / math.sqrt(vals.size),
        tol=0.01,
        feature="one-step closed form over projections (oracle)",
        reference_name="numpy Monte Carlo over 4000 projections",
        seeds="4000",
    )
    assert c.ok, c


# (name, problem, batch, lr fraction of the bound): the default theory at step 1 to 1%
ONE_STEP_CASES = [
    ("bordelon N=128 B=1 0.9 bound", sl.Problem.bordelon(1.5, 1.25, 1024, 128), 1, 0.9),
    (
        "bordelon N=128 noise B=1 0.9 bound",
        sl.Problem.bordelon(1.5, 1.25, 1024, 128, sigma=0.5),
        1,
        0.9,
    ),
    ("bordelon N=128 B=8 0.5 bound", sl.Problem.bordelon(1.5, 1.25, 1024, 128), 8, 0.5),
    ("bordelon N=128 B=8 0.2 bound", sl.Problem.bordelon(1.5, 1.25, 1024, 128), 8, 0.2),
    ("paquette N=250 B=1 0.9 bound", sl.Problem.paquette(1.0, 0.7, 1000, 250), 1, 0.9),
    ("paquette N=250 B=1 0.2 bound", sl.Problem.paquette(1.0, 0.7, 1000, 250), 1, 0.2),
    ("paquette N=250 B=4 0.2 bound", sl.Problem.paquette(1.0, 0.7, 1000, 250), 4, 0.2),
]


def _one_step_check(case, perturb=None, record=True):
    name, p, batch, frac = case
    lr = frac * sl.sgd_stability_bound(p, batch)
    ref = testing.sgd_one_step_projection_average(p, lr, batch, batch_mean=_mean(p))
    pt, lr_t, b_t = p, lr, batch
    if perturb == "batch/2":
        b_t = batch // 2
        lr_t = lr * b_t / batch if _mean(p) else lr  # the same per-sample step
    elif perturb == "lr*1.05":
        lr_t = 1.05 * lr
    elif perturb == "N*1.1":
        pt = p.replace(N=int(round(1.1 * p.N)))
    elif perturb == "sigma^2*2":
        pt = p.replace(sigma=p.sigma * math.sqrt(2.0))
    th = sl.dmft.loss_curve(pt, None, [1], lr=lr_t, batch=b_t).test_loss[0]
    return compare(
        th,
        ref,
        tol=0.01,
        feature=f"SGD theory at step 1: {name}",
        reference_name="exact one-step average over data and projections",
        seeds="exact",
        record=record,
    )


@pytest.mark.parametrize("case", ONE_STEP_CASES, ids=[c[0] for c in ONE_STEP_CASES])
def test_sgd_theory_one_step_exact_average(case):
    """dmft.loss_curve(batch=B) (Volterra on the deterministic-equivalent spectrum) at step 1
    vs the exact projection-averaged one-step loss: 1% (measured <= 0.75%; 0.3-0.5% typical).
    Validity range (recorded in test_sgd_one_step_validity_range): the error grows with B and
    with lr near the stability bound, and as 1/N."""
    c = _one_step_check(case)
    assert c.ok, c


ONE_STEP_SENSITIVITY = [
    ("batch/2", 2),
    ("batch/2", 3),
    ("batch/2", 6),
    ("lr*1.05", 4),
    ("sigma^2*2", 1),
]


@pytest.mark.parametrize("perturb,idx", ONE_STEP_SENSITIVITY)
def test_sensitivity_one_step(perturb, idx):
    c = _one_step_check(ONE_STEP_CASES[idx], perturb, record=False)
    assert not c.ok, c


def test_sgd_one_step_validity_range():
    """FINDING (not a pass at a loose tolerance): the deterministic-equivalent spectrum's second
    moment sum_k s_k^2 is below the exact projection average E tr(K^2) = (tr Lam)^2 / N +
    (1 + 1/N) sum lam^2 by ~2.5/N relative (0.5% at N = 500, 1.9% at N = 128, 5% at N = 50), and
    the one-step loss near the stability bound is a cancellation of O(1) terms, so the default
    SGD theory's step-1 error grows with B, lr/bound and 1/N. Measured (relative, theory/exact-1):
    N = 128, B = 32, 0.9 bound: -2.4%; N = 500, B = 32, 0.5 bound: -1.9%; N = 50, B = 8, 0.9
    bound: -12%. Stated in docs/validation.md; pinned here to +-30% of the measured value."""
    lam_cases = [
        (sl.Problem.paquette(1.0, 0.7, 2000, 500), -5.3e-3),
        (sl.Problem.bordelon(1.5, 1.25, 1024, 128), -1.93e-2),
        (sl.Problem.paquette(1.0, 0.7, 400, 50), -5.03e-2),
    ]
    for p, measured in lam_cases:
        s = sl.plrf.deterministic_spectrum(p).eigenvalues
        tr = float(np.sum(p.lam))
        exact = tr**2 / p.N + (1 + 1 / p.N) * float(np.sum(p.lam**2))
        dev = float(np.sum(s**2)) / exact - 1
        assert dev == pytest.approx(measured, rel=0.3), (p.params, dev)
    for case, measured in [
        (("", sl.Problem.bordelon(1.5, 1.25, 1024, 128), 32, 0.9), -2.4e-2),
        (("", sl.Problem.paquette(1.0, 0.7, 2000, 500), 32, 0.5), -1.9e-2),
        (("", sl.Problem.paquette(1.0, 0.7, 400, 50, sigma=0.3), 8, 0.9), -1.2e-1),
    ]:
        _, p, batch, frac = case
        lr = frac * sl.sgd_stability_bound(p, batch)
        ref = testing.sgd_one_step_projection_average(p, lr, batch, batch_mean=_mean(p))
        th = sl.dmft.loss_curve(p, None, [1], lr=lr, batch=batch).test_loss[0]
        assert th / ref - 1 == pytest.approx(measured, rel=0.3), (p.params, batch, th / ref - 1)


def test_sgd_recipe_bias_is_a_documented_finding():
    """FINDING: the DMFT SGD recipe (method="recipe") is biased low at moderate lr, against the
    exact one-step average: Bordelon N=128 B=1 at 0.5 / 0.9 of the bound: -1.8% / -5.6%;
    Paquette N=500 B=1 at 0.5 / 0.9: -10.8% / -29.5%; B=8 0.9 bound -9.8% (Bordelon). It is exact
    only as lr -> 0 (-0.3% at 0.2 bound, Bordelon). Pinned to +-20% of the measured bias; the
    default route (Volterra) is within 0.75% on the same cases."""
    for p, batch, frac, measured in [
        (sl.Problem.bordelon(1.5, 1.25, 1024, 128), 1, 0.5, -1.79e-2),
        (sl.Problem.bordelon(1.5, 1.25, 1024, 128), 1, 0.9, -5.56e-2),
        (sl.Problem.bordelon(1.5, 1.25, 1024, 128), 8, 0.9, -9.80e-2),
        (sl.Problem.paquette(1.0, 0.7, 2000, 500), 1, 0.5, -1.08e-1),
    ]:
        lr = frac * sl.sgd_stability_bound(p, batch)
        ref = testing.sgd_one_step_projection_average(p, lr, batch, batch_mean=_mean(p))
        rec = sl.dmft.loss_curve(p, None, [1], lr=lr, batch=batch, method="recipe").test_loss[0]
        assert rec / ref - 1 == pytest.approx(measured, rel=0.2), (batch, frac, rec / ref - 1)


# --------------------------------------------------------------- simulation, fixed projection
SIM_CASES = [
    # name, problem, batch, lr as a fraction of the bound of projection 5, steps, data seeds
    ("paquette N=40 B=1 0.5 bound", sl.Problem.paquette(1.0, 0.7, 160, 40), 1, 0.5, 1000, 3000),
    (
        "bordelon N=40 noise B=8 0.8 bound",
        sl.Problem.bordelon(1.5, 1.25, 160, 40, sigma=0.5),
        8,
        0.8,
        1000,
        2000,
    ),
    (
        "bordelon N=40 noise B=4 0.5 bound",
        sl.Problem.bordelon(1.5, 1.25, 160, 40, sigma=0.5),
        4,
        0.5,
        1000,
        1000,
    ),
]


def _sim_check(case, perturb=None, record=True, steps=None, seeds=None):
    name, p, batch, frac, st, sd = case
    st = steps or st
    sd = seeds or sd
    lr = frac * sl.sgd_stability_bound(p, batch, seed=PROJ)
    sim = sl.simulate_sgd(
        p, lr, st, batch=batch, seeds=sd, seed=10_000, projection_seed=PROJ, n_checkpoints=24
    )
    idx = sim.steps >= 1
    th = _volterra_fixed_projection(p, lr, batch, sim.steps[idx], perturb=perturb)
    runs = sim.test_loss_runs[:, idx]
    out = []
    early, late = sim.steps[idx] <= 30, sim.steps[idx] > 30
    for label, sel in (("steps 1-30", early), (f"steps 30-{st}", late)):
        m, se = pooled_ratio(runs[:, sel], th[sel])
        out.append(
            compare(
                1.0,
                m,
                se,
                tol=0.03,
                feature=f"simulate_sgd vs Volterra ({label}, pooled): {name}",
                reference_name="simulate_sgd, fixed projection, data seeds",
                seeds=str(sd),
                record=record,
            )
        )
    return out


@pytest.mark.parametrize("case", SIM_CASES, ids=[c[0] for c in SIM_CASES])
def test_simulate_sgd_mean_equals_volterra_fixed_projection(case):
    """Simulation mean over 1000-3000 data seeds on projection 5 vs the Volterra curve of that
    projection, steps 1..1000 at 0.5-0.8 of the stability bound, batch 1, 4 and 8 (with label
    noise): the per-run loss / theory ratio pooled over the checkpoints of steps 1-30 and
    30-1000, 3% with standard error <= 1% (measured: 0.4% / 0.2% (SE 1.5% / 0.4% at 1000 seeds,
    B = 1), 2.3% / 0.1% (SE 1.1% / 1.0%, B = 8 at 0.8 bound), 0.4% / 0.1% (SE 0.35% / 0.26%,
    B = 4)). Per-run late-time losses near the bound are heavy-tailed: B = 1 at 0.8 of the bound
    needs ~40000 seeds for a 1% standard error, so the exactness of the recursion at high lr is
    checked against the exact moment oracle instead (test_volterra_is_exact_for_a_fixed_projection).
    """
    for c in _sim_check(case):
        assert c.ok, c


@pytest.mark.parametrize("perturb,idx", [("lr*1.05", 1), ("batch/2", 2), ("sigma^2*2", 2)])
def test_sensitivity_simulate_sgd(perturb, idx):
    checks = _sim_check(SIM_CASES[idx], perturb, record=False)
    assert not all(c.ok for c in checks), checks


@pytest.mark.slow
@pytest.mark.parametrize("case", SIM_CASES, ids=[c[0] for c in SIM_CASES])
def test_simulate_sgd_mean_equals_volterra_long(case):
    """As the default test, to 1e5 steps (slow)."""
    for c in _sim_check(case, steps=10**5, seeds=2000):
        assert c.ok, c


# --------------------------------------------------------------- the deterministic equivalent
def _det_check(perturb=None, record=True, draws=400):
    p = sl.Problem.bordelon(1.5, 1.25, 256, 64)
    lr = 0.5 * sl.sgd_stability_bound(p, 1)
    det_p, det_lr = p, lr
    if perturb == "N*1.1":
        det_p = p.replace(N=int(round(1.1 * p.N)))
    elif perturb == "lr*1.05":
        det_lr = 1.05 * lr
    det = sl.plrf.loss_curve(det_p, lr=det_lr, steps=10**4, n_checkpoints=10)
    curves = np.array(
        [
            sl.plrf.loss_curve(
                p,
                lr=lr,
                steps=10**4,
                empirical=True,
                seed=s,
                checkpoints=det.steps,
                n_checkpoints=10,
            ).test_loss
            for s in range(draws)
        ]
    )
    idx = det.steps >= 1
    m = curves.mean(0)[idx]
    se = curves.std(0, ddof=1)[idx] / math.sqrt(draws)
    return compare(
        det.test_loss[idx],
        m,
        se,
        tol=0.03,
        feature="deterministic-equivalent SGD curve, steps 1-1e4 (bordelon N=64 B=1)",
        reference_name="mean of exact empirical-spectrum curves over projections",
        seeds=f"{draws} projections",
        record=record,
    )


def test_deterministic_equivalent_is_the_projection_average():
    """The Volterra curve on the deterministic-equivalent spectrum vs the mean over 400
    projections of the exact curves (Volterra on each projection's spectrum, itself exact:
    test_volterra_is_exact_for_a_fixed_projection), a = 1.5, b = 1.25, M = 256, N = 64, B = 1,
    lr = 0.5 of the bound, steps 1..1e4: 3% (measured 2.1% at late times, an O(1/N) bias of the
    deterministic equivalent; standard error <= 0.65%)."""
    c = _det_check()
    assert c.ok, c


@pytest.mark.parametrize("perturb", ["N*1.1"])
def test_sensitivity_deterministic_equivalent(perturb):
    c = _det_check(perturb, record=False)
    assert not c.ok, c
