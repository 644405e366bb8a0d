"""Learning-rate schedules: parsing, exactness of the constant case, theory vs simulation."""

import json
import subprocess
import sys
import time

import numpy as np
import pytest
import scalinglaws as sl
from scalinglaws import schedules as S
from scalinglaws._backend import _core
from scalinglaws.errors import ParameterError

SPECS = [
    "cosine:warmup=1000,final=0.1",
    "wsd:warmup=1000,decay=0.2",
    "wsd:decay=0.3,shape=sqrt,final=0.05",
    "wsd:decay=0.3,shape=cosine",
    "power:warmup=10,r0=100,p=0.5",
    "piecewise:values=1/0.3/0.1,at=5000/8000",
    "constant:warmup=50",
    "array:values=1/0.5/0.25",
]


@pytest.mark.parametrize("spec", SPECS)
def test_round_trip_and_core_agree(spec):
    s = S.parse(spec)
    assert str(s) == spec and S.parse(str(s)) == s
    T = 3 if s.kind == "array" else 10000
    b = s.bind(T)
    r = np.arange(T)
    py = b.multiplier(r)
    cpp = np.asarray(_core.schedule.evaluate(b.to_core(), [int(x) for x in r]))
    np.testing.assert_allclose(py, cpp, rtol=0, atol=1e-15)
    assert np.all(py >= 0) and np.max(py) <= b.peak + 1e-15


def test_conventions():
    s = S.parse("cosine:warmup=4,final=0.1").bind(14)
    f = s.multiplier(np.arange(14))
    np.testing.assert_allclose(f[:4], [0.25, 0.5, 0.75, 1.0])  # (r + 1) / W
    assert f[4] == 1.0 and abs(f[-1] - (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * 9 / 10)))) < 1e-15
    w = S.parse("wsd:decay=0.2").bind(100).multiplier(np.arange(100))
    assert np.all(w[:80] == 1.0) and abs(w[80] - 1.0) < 1e-15 and abs(w[99] - 1 / 20) < 1e-12


@pytest.mark.parametrize(
    "bad",
    [
        "foo",
        "cosine:final=2",
        "wsd:warmup=10",
        "cosine:x=1",
        "wsd:decay=0.2,shape=exp",
        "piecewise:values=1/2,at=5/3",
        "cosine:warmup=1.5",
        "cosine:final",
        "",
    ],
)
def test_parse_errors_are_one_line(bad):
    with pytest.raises(ParameterError) as e:
        S.parse(bad)
    assert "\n" not in str(e.value)


def test_binding_refusals():
    with pytest.raises(ParameterError, match="needs at least 1001 steps"):
        S.parse("cosine:warmup=1000").bind(500)
    with pytest.raises(ParameterError, match="bind"):
        S.parse("cosine:final=0.1").multiplier([0])
    with pytest.raises(ParameterError, match="bound to 100"):
        S.parse("cosine:final=0.1").bind(100).bind(200)
    with pytest.raises(ParameterError, match="one multiplier per step"):
        S.Schedule.from_array([1.0, 0.5]).bind(3)
    with pytest.raises(ParameterError, match="steps"):
        S.parse("wsd:decay=0.2").bind(None)


PQ = sl.Problem.paquette(1.0, 0.7, 400, 100)
BD = sl.Problem.bordelon(1.5, 1.2, 400, N=100)


def test_constant_reproduces_old_results():
    a = sl.plrf.loss_curve(PQ, lr=0.3, steps=10**5)
    for sched in ("constant", S.parse("piecewise:values=1")):
        b = sl.plrf.loss_curve(PQ, lr=0.3, steps=10**5, schedule=sched)
        np.testing.assert_allclose(b.test_loss, a.test_loss, rtol=1e-12, atol=0)
    # a one-piece constant-1 schedule through the scheduled C++ paths
    one = S.parse("piecewise:values=1/1,at=500")
    b = sl.plrf.loss_curve(PQ, lr=0.3, steps=10**5, schedule=one)
    np.testing.assert_allclose(b.test_loss, a.test_loss, rtol=1e-12, atol=0)
    s0 = sl.simulate_sgd(PQ, 0.3, 1000, seeds=2, projection_seed=1)
    s1 = sl.simulate_sgd(PQ, 0.3, 1000, seeds=2, projection_seed=1, schedule=one)
    np.testing.assert_allclose(s1.test_loss_runs, s0.test_loss_runs, rtol=1e-12, atol=0)
    g0 = sl.simulate_gd(BD, 200, lr=0.5, steps=[0, 10, 1000], seeds=2)
    g1 = sl.simulate_gd(BD, 200, lr=0.5, steps=[0, 10, 1000], seeds=2, schedule=one)
    np.testing.assert_allclose(g1.test_loss_runs, g0.test_loss_runs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "spec",
    [
        "cosine:warmup=5,final=0.1",
        "wsd:warmup=5,decay=0.3",
        "piecewise:values=1/0.3/1.5,at=100/700",
    ],
)
def test_gd_simulator_is_exact(spec):
    p = sl.Problem.bordelon(1.5, 1.2, 200, N=40)
    steps = [0, 10, 100, 500, 1000]
    c = sl.simulate_gd(p, 80, lr=0.5, steps=steps, schedule=spec)
    d = _core.simulate.draw_problem(
        _core.simulate.ProblemSpec(lam=p.lam, wstar=p.wstar, N=40, sigma=0.0), 80, 1, 0, 0
    )
    phi, y, Sg, q, c0 = d["phi"], d["y"], d["sigma"], d["q"], d["c0"]
    rates = S.parse(spec).bind(1000).rate(np.arange(1000), 0.5)
    w, out = np.zeros(40), []
    for r in range(1001):
        if r in steps:
            out.append(c0 - 2 * w @ q + w @ Sg @ w)
        if r < 1000:
            w = w + rates[r] / 80 * phi.T @ (y - phi @ w)
    np.testing.assert_allclose(c.test_loss, out, rtol=1e-10)


@pytest.mark.parametrize("name", ["paquette", "bordelon"])
@pytest.mark.parametrize("spec", ["cosine:warmup=50,final=0.1", "wsd:warmup=50,decay=0.2"])
def test_sgd_theory_vs_simulation(name, spec):
    """Volterra (exact in expectation on the same projection) vs many SGD runs: within 3 SE or
    5% at every reported step, with SE <= 5%/3."""
    p = (
        sl.Problem.paquette(1.0, 0.7, 240, 60)
        if name == "paquette"
        else sl.Problem.bordelon(1.5, 1.2, 240, N=60)
    )
    B, steps = 4, 1000
    lr = 0.5 * sl.sgd_stability_bound(p, B, seed=11)
    th = sl.plrf.loss_curve(
        p, lr=lr, steps=steps, batch=B, schedule=spec, empirical=True, seed=11, n_checkpoints=20
    )
    sim = sl.simulate_sgd(
        p, lr, steps, batch=B, n_checkpoints=20, seeds=400, projection_seed=11, schedule=spec
    )
    assert np.array_equal(th.steps, sim.steps)
    se = sim.test_loss_sem
    assert np.all(se <= 0.05 / 3 * sim.test_loss)
    diff = np.abs(sim.test_loss - th.test_loss)
    assert np.all((diff <= 3 * se) | (diff <= 0.05 * th.test_loss))


@pytest.mark.parametrize("spec", ["wsd:warmup=5,decay=0.4", "piecewise:values=1/0.2,at=20"])
def test_dmft_scheduled_recipe(spec):
    from scalinglaws.dmft.recipe import recipe
    from scalinglaws.dmft.scheduled import recipe_scheduled

    p = sl.Problem.bordelon(1.5, 1.2, 60, N=30, sigma=0.1)
    a, b = recipe(p.lam, p.wstar**2, 1 / 30, 1 / 50, 0.01, 0.5, 30)
    a2, b2 = recipe_scheduled(p.lam, p.wstar**2, 1 / 30, 1 / 50, 0.01, np.full(29, 0.5))
    np.testing.assert_allclose(a2, a, rtol=1e-12)
    np.testing.assert_allclose(b2, b, rtol=1e-12)
    p = sl.Problem.bordelon(1.5, 1.2, 100, N=120, sigma=0.1)
    steps = np.array([5, 10, 20, 30, 40, 59])
    th = sl.dmft.loss_curve(p, 200, steps * 0.5, lr=0.5, schedule=spec)
    sim = sl.simulate_gd(p, 200, lr=0.5, steps=steps, seeds=100, schedule=spec)
    diff = np.abs(sim.test_loss - th.test_loss)
    assert np.all((diff <= 3 * sim.test_loss_sem) | (diff <= 0.05 * th.test_loss))


def test_dmft_scheduled_ensemble_reduces_to_toeplitz():
    """At a constant rate the dense scheduled recipe with E, B (cross-system correlations) equals
    the Toeplitz recipe's ensemble/bagging loss to round-off."""
    from scalinglaws.dmft.recipe import recipe
    from scalinglaws.dmft.scheduled import recipe_scheduled

    p = sl.Problem.bordelon(1.5, 1.25, 80, N=30, sigma=0.1)
    for iE, iB in [(1 / 3, 1.0), (1.0, 0.5), (0.25, 1 / 3), (0.0, 0.0)]:
        a, b = recipe(p.lam, p.wstar**2, 1 / 30, 1 / 50, 0.01, 0.7, 25, invE=iE, invB=iB)
        a2, b2 = recipe_scheduled(
            p.lam, p.wstar**2, 1 / 30, 1 / 50, 0.01, np.full(24, 0.7), invE=iE, invB=iB
        )
        np.testing.assert_allclose(a2, a, rtol=1e-12)
        np.testing.assert_allclose(b2, b, rtol=1e-12)


@pytest.mark.parametrize(
    "spec, E, B",
    [
        ("wsd:warmup=5,decay=0.4", 2, 2),
        pytest.param("cosine:warmup=5,final=0.1", 3, 1, marks=pytest.mark.slow),
        pytest.param("cosine:warmup=5,final=0.1", 1, 3, marks=pytest.mark.slow),
    ],
)
def test_dmft_scheduled_ensemble_vs_simulation(spec, E, B):
    """DMFT (dense scheduled recipe with the cross-system correlations) vs simulate_gd with the
    same schedule, E projections and B data sets: within 5% at every reported step, with the
    simulation's standard error <= 5%/3 (measured: max deviation 2.3%, SE 0.9%). The train loss
    (B = 1) is checked the same way. The single-model theory (E = B = 1) is far off: the test
    discriminates the ensemble terms."""
    p = sl.Problem.bordelon(1.5, 1.2, 100, N=60, sigma=0.1)
    steps = np.array([5, 10, 20, 30, 40, 59])
    tol = 0.05
    th = sl.dmft.loss_curve(p, 100, steps * 0.5, lr=0.5, schedule=spec, ensemble=E, bags=B)
    sim = sl.simulate_gd(p, 100, lr=0.5, steps=steps, seeds=200, schedule=spec, ensemble=E, bags=B)
    assert th.params["ensemble"] == E and th.params["bags"] == B
    assert np.all(sim.test_loss_sem <= tol / 3 * sim.test_loss)
    assert np.all(np.abs(sim.test_loss - th.test_loss) <= tol * th.test_loss)
    if B == 1:
        assert np.all(sim.train_loss_sem <= tol / 3 * sim.train_loss)
        assert np.all(np.abs(sim.train_loss - th.train_loss) <= tol * th.train_loss)
    else:
        assert th.train_loss is None and sim.train_loss is None
    single = sl.dmft.loss_curve(p, 100, steps * 0.5, lr=0.5, schedule=spec)
    assert np.max(np.abs(single.test_loss - sim.test_loss) / single.test_loss) > 1.5 * tol


def test_stability_refusals():
    with pytest.raises(ParameterError, match=r"peak lr = 3 .*lr <"):
        sl.plrf.loss_curve(PQ, lr=0.5, steps=1000, schedule="piecewise:values=1/6,at=10")
    with pytest.raises(ParameterError, match="peak lr.*stable only for lr <"):
        sl.simulate_sgd(PQ, 3.0, 100, schedule="cosine:warmup=10")
    with pytest.raises(ParameterError, match="peak lr.*lr < 2 / lambda_max"):
        sl.simulate_gd(BD, 200, lr=1.0, steps=[10, 100], schedule="piecewise:values=1/3,at=5")
    with pytest.raises(ParameterError, match="peak lr.*< 2"):
        sl.dmft.loss_curve(BD, 200, [10.0], lr=1.0, schedule="piecewise:values=1/3,at=5")


@pytest.mark.parametrize("spec", ["cosine:warmup=1000,final=0.1", "wsd:warmup=1000,decay=0.2"])
def test_cli_plrf_loss_schedule_fast(spec):
    cmd = [
        sys.executable,
        "-m",
        "scalinglaws.cli",
        "plrf",
        "loss",
        "--alpha",
        "1",
        "--beta",
        "0.7",
        "--v",
        "2000",
        "--d",
        "500",
        "--lr",
        "0.3",
        "--steps",
        "100000",
        "--schedule",
        spec,
        "--json",
    ]
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - t
    data = json.loads(out.stdout)
    assert set(data) == {"steps", "loss"} and data["steps"][-1] == 100000
    assert elapsed < 2.0 + 1.5  # < 2 s of work; slack for interpreter start on a loaded machine


def test_cli_bad_schedule_one_line():
    cmd = [
        sys.executable,
        "-m",
        "scalinglaws.cli",
        "plrf",
        "loss",
        "--alpha",
        "1",
        "--beta",
        "0.7",
        "--v",
        "200",
        "--d",
        "50",
        "--lr",
        "0.3",
        "--steps",
        "100",
        "--schedule",
        "cosin",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode != 0 and "cosin" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
