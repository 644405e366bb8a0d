"""Benchmarks of the finite-width simulators (issue: foundation, benchmarks i-iii)."""

from __future__ import annotations

import numpy as np
import pytest
import scalinglaws as sl
from conftest import best_time, cpp_time, quick, record
from scalinglaws import _core
from scalinglaws import testing as oracle

GD_TASK = dict(a=1.5, b=1.25, M=8192, N=1024, P=1024, lr=0.5)
if quick():  # CI quick mode: small sizes; correctness asserted, speed targets skipped
    GD_TASK = dict(a=1.5, b=1.25, M=512, N=64, P=64, lr=0.5)
SGD = (2000, 500, 100_000) if not quick() else (400, 100, 2_000)  # v, d, steps
EIG_N = 2048 if not quick() else 256


def _same_draw_stepping(p, P, lr, steps, momentum=None, seed=0):
    """numpy stepping on the very draw simulate_gd(seed) uses: its losses must equal the timed
    spectral solution's (correctness of what is timed)."""
    spec = _core.simulate.ProblemSpec(lam=p.lam, wstar=p.wstar, N=p.N, sigma=p.sigma)
    d = _core.simulate.draw_problem(spec, P, 1, seed, seed, explicit_matrices=False, threads=0)
    if momentum is None:
        return oracle.gd_stepping(d["phi"], d["y"], d["sigma"], d["q"], d["c0"], lr, steps)
    return oracle.heavy_ball_stepping(
        d["phi"], d["y"], d["sigma"], d["q"], d["c0"], lr, momentum, steps
    )


def _gd_times(tmax: float) -> np.ndarray:
    return np.logspace(0, np.log10(tmax), 200)


def test_gd_spectral_vs_numpy_stepping(benchmark):
    """(i) GD, a = 1.5, b = 1.25, M = 8192, N = P = 1024, 200 log-spaced times up to t = 1e4,
    lr = 0.5, one seed: spectral C++ solution vs numpy stepping (both draw, project and evaluate
    the population loss from the covariance). Target: >= 10x."""
    t = GD_TASK
    p = sl.Problem.bordelon(t["a"], t["b"], t["M"], t["N"])
    times = _gd_times(1e4)
    fast = cpp_time(benchmark, lambda: sl.simulate_gd(p, t["P"], lr=t["lr"], times=times, seed=0))
    steps = np.round(times / t["lr"]).astype(int)
    rng = np.random.default_rng(0)
    ref = best_time(lambda: oracle.gd_explicit(p, t["P"], t["lr"], steps, rng))
    ratio = record(
        "GD M=8192 N=P=1024, 200 times to t=1e4 (vs numpy stepping)", fast, ref, target=">= 10"
    )
    few = steps[[0, 50, 100]]
    r = sl.simulate_gd(p, t["P"], lr=t["lr"], steps=few, seed=0)
    o = _same_draw_stepping(p, t["P"], t["lr"], few)
    np.testing.assert_allclose(r.test_loss_runs[0], o["test"], rtol=1e-8)
    if not quick():
        assert ratio >= 10


def test_gd_cost_independent_of_t(benchmark):
    """(i) The C++ time for t up to 1e6 is within 1.5x of its time for t up to 1e3."""
    t = GD_TASK
    p = sl.Problem.bordelon(t["a"], t["b"], t["M"], t["N"])
    short = cpp_time(benchmark, lambda: sl.simulate_gd(p, t["P"], lr=t["lr"], times=_gd_times(1e3)))
    long = best_time(lambda: sl.simulate_gd(p, t["P"], lr=t["lr"], times=_gd_times(1e6)), 3)
    record(
        "GD time(t<=1e6) / time(t<=1e3) [ratio = short/long]",
        long,
        short,
        target=">= 0.667 (long within 1.5x of short)",
        fast_label="t<=1e6",
        reference_label="t<=1e3",
    )
    if not quick():
        assert long <= 1.5 * short, (long, short)


def test_sgd_one_core(benchmark):
    """(ii) One-pass SGD, alpha = 1, beta = 0.7, v = 2000, d = 500, B = 1, 1e5 steps, one seed on
    one core (set-up included). Target: < 1 s. Reference: the same eigenbasis recursion in numpy
    (per-step Python loop), timed over 1e4 steps and scaled to 1e5."""
    v, d, steps = SGD
    p = sl.Problem.paquette(1.0, 0.7, v, d)
    fast = cpp_time(benchmark, lambda: sl.simulate_sgd(p, 0.3, steps, seed=0, threads=1))
    s, e0, p_inf = _core.simulate.sgd_setup(
        _core.simulate.ProblemSpec(lam=p.lam, wstar=p.wstar, N=d), 0, 1
    )
    rng = np.random.default_rng(0)
    ref = 10 * best_time(lambda: oracle.sgd_eigenbasis(s, e0, p_inf, 0.3, [steps // 10], 1, rng))
    record("SGD v=2000 d=500 B=1 1e5 steps, 1 core (vs numpy loop)", fast, ref, target="< 1 s")
    # correctness of the set-up the loop runs on: the eigenbasis is the exact decomposition of
    # the projected covariance F diag(lam) F^T of the same projection, with P_inf + s.e0^2 = L(0)
    F = _core.simulate.draw_problem(
        _core.simulate.ProblemSpec(lam=p.lam, wstar=p.wstar, N=d),
        0,
        1,
        0,
        0,
        explicit_matrices=True,
        threads=1,
    )["F"]
    exact = np.linalg.eigvalsh((F * p.lam) @ F.T)
    np.testing.assert_allclose(np.sort(np.asarray(s)), exact, rtol=1e-9, atol=1e-14)
    assert p_inf + np.asarray(s) @ np.asarray(e0) ** 2 == pytest.approx(p.initial_loss, rel=1e-10)
    if not quick():
        assert fast < 1.0


def test_sgd_plain_numpy_per_step():
    """One-pass SGD as a user would write it in numpy (form x in R^v, project with W every step):
    C++ eigenbasis per step against plain numpy per step."""
    v, d, steps = SGD
    p = sl.Problem.paquette(1.0, 0.7, v, d)
    fast = best_time(lambda: sl.simulate_sgd(p, 0.3, steps, seed=0, threads=1), 2) / steps
    rng = np.random.default_rng(0)
    F = rng.standard_normal((d, v)) / np.sqrt(d)
    ref = best_time(lambda: oracle.sgd_stepping(p, 0.3, [2000], 1, rng, F=F)) / 2000
    record("SGD per step: C++ eigenbasis vs plain numpy (x in R^v)", fast, ref)


def test_eigh_vs_numpy(benchmark):
    """(iii) The symmetric eigendecomposition inside the simulator at N = 2048 against
    numpy.linalg.eigh on the same matrix. Target: within 1.5x (ratio >= 0.667)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2 * EIG_N, EIG_N)) / 64
    a = x.T @ x
    fast = cpp_time(benchmark, lambda: _core.linalg.symmetric_eigh(a), rounds=3)
    ref = best_time(lambda: np.linalg.eigh(a), 3)
    ratio = record(
        "symmetric eigendecomposition N=2048 (vs numpy.linalg.eigh)", fast, ref, target=">= 0.667"
    )
    w, V = _core.linalg.symmetric_eigh(a)
    w, V = np.asarray(w), np.asarray(V)
    np.testing.assert_allclose(np.sort(w), np.linalg.eigvalsh(a), rtol=1e-10, atol=1e-12)
    assert np.max(np.abs(a @ V - V * w)) < 1e-9 * np.max(np.abs(w))  # eigenpairs, not just values
    if not quick():
        assert ratio >= 1 / 1.5


def test_gd_32_seeds(benchmark):
    """Throughput: 32 seeds of GD at N = 512, P = 1024, M = 8192, 200 times to t = 1e4
    (the DMFT benchmark's simulation side), both cores."""
    M, N, P, S = (8192, 512, 1024, 32) if not quick() else (512, 64, 128, 8)
    p = sl.Problem.bordelon(1.5, 1.25, M, N)
    times = _gd_times(1e4)
    fast = cpp_time(benchmark, lambda: sl.simulate_gd(p, P, lr=0.5, times=times, seeds=S), rounds=1)
    one = best_time(lambda: sl.simulate_gd(p, P, lr=0.5, times=times, seeds=1, threads=1))
    # results do not depend on the thread count: run 0 of the parallel call == the single run
    par = sl.simulate_gd(p, P, lr=0.5, times=times, seeds=S)
    ser = sl.simulate_gd(p, P, lr=0.5, times=times, seeds=1, threads=1)
    np.testing.assert_array_equal(par.test_loss_runs[0], ser.test_loss_runs[0])
    record(
        "GD 32 seeds N=512 P=1024 (vs 32 x one seed on one thread)",
        fast,
        32 * one,
        fast_label="32 seeds",
        reference_label="32x1 seq",
    )


def test_heavy_ball_spectral_vs_numpy_stepping(benchmark):
    """Heavy-ball GD (mu = 0.9), the GD task above: spectral C++ solution (3x3 recurrence per Gram
    eigenvalue by repeated squaring) vs numpy stepping of the same draw, timed to t = 1e3 and
    scaled x10 to t = 1e4. Target: >= 10x."""
    t = GD_TASK
    p = sl.Problem.bordelon(t["a"], t["b"], t["M"], t["N"])
    times = _gd_times(1e4)
    fast = cpp_time(
        benchmark, lambda: sl.simulate_gd(p, t["P"], lr=t["lr"], times=times, seed=0, momentum=0.9)
    )
    steps = np.round(times / t["lr"]).astype(int)
    rng = np.random.default_rng(0)
    ref = 10 * best_time(
        lambda: oracle.heavy_ball_explicit(p, t["P"], t["lr"], 0.9, steps[steps <= 2000], rng)
    )
    ratio = record(
        "heavy-ball GD mu=0.9 M=8192 N=P=1024, 200 times to 1e4 (vs numpy stepping)",
        fast,
        ref,
        target=">= 10",
    )
    few = steps[[0, 50, 100]]
    r = sl.simulate_gd(p, t["P"], lr=t["lr"], steps=few, seed=0, momentum=0.9)
    o = _same_draw_stepping(p, t["P"], t["lr"], few, momentum=0.9)
    np.testing.assert_allclose(r.test_loss_runs[0], o["test"], rtol=1e-8)
    if not quick():
        assert ratio >= 10
