"""Benchmarks of scalinglaws.plrf against straightforward numpy implementations (same run).

Run: ``python -m pytest benchmarks/bench_plrf.py --benchmark-enable -s`` (``-s`` shows the ratios).

numpy baselines (what the reference implementation does, in float64):
* spectrum: for every grid point, Newton continuation in Im z with one Newton step per level
  (n_eta = 40 + 20 alpha ln d levels, as in plrf.md 2.3) and the full sums over j = 1..v,
  vectorised over chunks of the grid, then the same cumulative count / rho windows. Its cost is
  linear in the number of grid points, so it is timed on a subsample of the grid and scaled up
  (the scale factor is printed).
* loss curve: the exact per-step mode recursion (O(d) per step, vectorised over modes), timed on
  a prefix of the steps and scaled up linearly to the full horizon.
"""

import math
import os
import time

import numpy as np
import pytest
from conftest import quick, record
from scalinglaws import plrf
from scalinglaws.problem import Problem
from scalinglaws.testing import plrf_m_continuation, plrf_spectrum, plrf_volterra_stepping


def _report(name, fast, slow, note=""):
    record(f"PLRF {name} {note}".strip(), fast, slow)


def _fast_time(benchmark, fn):
    """Min over rounds with pytest-benchmark on; one timed call under --benchmark-disable."""
    if benchmark.disabled:
        t0 = time.perf_counter()
        out = benchmark(fn)
        return out, time.perf_counter() - t0
    out = benchmark.pedantic(fn, rounds=3, iterations=1)
    return out, benchmark.stats.stats.min


SMALL = (1.0, 0.7, 2000, 500)
LARGE = (1.0, 0.7, 10**6, 10**5) if not quick() else (1.0, 0.7, 10**5, 10**4)
CURVE = (10**5, 10**4, 10**8) if not quick() else (10**4, 10**3, 10**6)  # v, d, steps


def test_bench_spectrum_small(benchmark):
    p = Problem.paquette(*SMALL)
    spec, fast = _fast_time(benchmark, lambda: plrf.deterministic_spectrum(p))
    sub = spec.grid[::8] if not quick() else spec.grid[::64]
    t0 = time.perf_counter()
    plrf_m_continuation(1.0, 2000, 500, sub + 1j * 1e-10 * sub)
    slow = (time.perf_counter() - t0) * spec.grid.size / sub.size
    _report(
        "spectrum+rho alpha=1 v=2000 d=500",
        fast,
        slow,
        f"(numpy m(z) timed on {sub.size} of {spec.grid.size} grid points, scaled)",
    )
    # correctness of what is timed: m(z) against the numpy full-sum continuation (the
    # eigenvalues from the full numpy spectrum: test_bench_spectrum_small_numpy_agrees)
    m_ref = plrf_m_continuation(1.0, 2000, 500, sub[:16] + 1j * 1e-10 * sub[:16])
    m_fast = np.asarray(plrf.resolvent_m(p, sub[:16] + 1j * 1e-10 * sub[:16]))
    assert np.max(np.abs(m_fast / m_ref - 1)) < 1e-6
    if not quick():
        assert fast < 1.0


def test_bench_spectrum_small_numpy_agrees():
    # the numpy baseline on the same grid gives the same eigenvalues (sanity of the baseline)
    v, d = (2000, 200) if not quick() else (400, 50)
    spec = plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, v, d))
    eig, rho = plrf_spectrum(1.0, 0.7, v, d, spec.grid)
    assert np.median(np.abs(eig / spec.eigenvalues - 1)) < 1e-3


def _time(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def test_bench_spectrum_large(benchmark):
    a, b, v, d = LARGE
    p = Problem.paquette(a, b, v, d)
    spec, fast = _fast_time(benchmark, lambda: plrf.deterministic_spectrum(p))
    sub = spec.grid[:: max(1, spec.grid.size // 4)][:4]
    t0 = time.perf_counter()
    m_ref = plrf_m_continuation(a, v, d, sub + 1j * 1e-10 * sub, chunk=4)
    slow = (time.perf_counter() - t0) * spec.grid.size / sub.size
    # correctness: m(z) of the timed C++ route == the numpy continuation with full sums
    m_fast = np.asarray(plrf.resolvent_m(p, sub + 1j * 1e-10 * sub))
    assert np.max(np.abs(m_fast / m_ref - 1)) < 1e-6
    assert spec.eigenvalues.size == d and np.all(np.diff(spec.eigenvalues) <= 0)
    _report(
        "spectrum+rho alpha=1 v=1e6 d=1e5",
        fast,
        slow,
        f"(numpy m(z) timed on {sub.size} of {spec.grid.size} grid points, scaled)",
    )
    if not quick():
        assert fast < 30.0


def test_bench_loss_curve(benchmark):
    v, d, steps = CURVE
    spec = plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, v, d))
    gamma = 0.5 / spec.params["trace_D"]
    curve, fast = _fast_time(benchmark, lambda: plrf.volterra_loss(spec, gamma, steps))
    n = 20000 if not quick() else 2000
    t0 = time.perf_counter()
    p = plrf_volterra_stepping(spec.eigenvalues, spec.rho, spec.limit_loss, gamma, n)
    slow = (time.perf_counter() - t0) * steps / n
    exact = plrf.volterra_loss(spec, gamma, n, checkpoints=[n])
    assert abs(exact.test_loss[-1] / p - 1) < 1e-3
    _report(
        "loss curve r=1e8 d=1e4",
        fast,
        slow,
        f"(numpy per-step recursion timed on {n} steps, scaled to 1e8)",
    )
    # the timed curve's block scheme against the exact recursion at its long checkpoints
    ex = (
        plrf.volterra_loss(
            spec, gamma, steps, exact_steps=10**9, checkpoints=curve.steps[-3:], log_spaced=False
        )
        if quick()
        else None
    )
    if ex is not None:
        got = np.interp(ex.steps, curve.steps, curve.test_loss)
        assert np.max(np.abs(got / ex.test_loss - 1)) < 1e-3
    else:
        assert fast < 2.0
    assert np.all(np.isfinite(curve.test_loss))


# PLRF at v = inf (issue 13): spectrum + Volterra loss to 1e9 steps at lr = 0.3, against the same
# computation at finite v = 10 d; d = 1e7 only with SCALINGLAWS_BENCH_LARGE=1.
INF_SIZES = (
    [10**4]
    if quick()
    else [10**5, 10**6] + ([10**7] if os.environ.get("SCALINGLAWS_BENCH_LARGE") == "1" else [])
)


def _inf_route(v, d):
    p = Problem.paquette(1.0, 0.7, v, d)
    spec = plrf.deterministic_spectrum(p)
    return spec, plrf.volterra_loss(spec, 0.3, 10**9)


@pytest.mark.parametrize("d", INF_SIZES)
def test_bench_v_inf(benchmark, d):
    (spec, curve), t_inf = _fast_time(benchmark, lambda: _inf_route(math.inf, d))
    t_fin = _time(lambda: _inf_route(10 * d, d))
    # correctness of what is timed: the sum rule P(0) = F_0 + sum lam rho = ||b_hat||^2 (to the
    # grid's 1e-3), a finite decreasing curve, and (d <= 1e5) the every-point / every-mode route
    assert abs(curve.test_loss[0] / spec.params["target_norm"] - 1) < 1e-3
    assert np.all(np.isfinite(curve.test_loss)) and np.all(np.diff(curve.test_loss) <= 0)
    if d <= 10**5:
        full = plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, math.inf, d), refine_rtol=0)
        old = plrf.volterra_loss(full, 0.3, 10**9, cluster_width=0.0)
        assert np.max(np.abs(curve.test_loss / old.test_loss - 1)) < 1e-8
    record(
        f"PLRF v=inf vs v=10d, d={d:.0e}, spectrum + loss to 1e9 steps",
        t_inf,
        t_fin,
        target="v=inf: under a minute at d=1e7",
        fast_label="v=inf",
        reference_label="v=10d",
    )
    print(f"\nd = {d:.0e}: v = inf {t_inf:.2f} s; v = 10 d {t_fin:.2f} s")
    if not quick():
        assert t_inf < 60.0
