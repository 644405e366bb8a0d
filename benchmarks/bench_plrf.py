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
import time

import numpy as np
import pytest

from scalinglaws import plrf
from scalinglaws.problem import Problem
from conftest import record
from scalinglaws.testing import plrf_m_continuation, plrf_spectrum, plrf_volterra_stepping


def _report(name, fast, slow, note=""):
    record(f"PLRF {name} {note}".strip(), fast, slow)


def test_bench_spectrum_small(benchmark):
    spec = benchmark.pedantic(plrf.deterministic_spectrum, args=(1.0, 2000, 500, 0.7),
                              rounds=3, iterations=1)
    fast = benchmark.stats.stats.min if benchmark.stats else _time(
        lambda: plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, 2000, 500)))
    sub = spec.grid[::8]
    t0 = time.perf_counter()
    plrf_m_continuation(1.0, 2000, 500, sub + 1j * 1e-10 * sub)
    slow = (time.perf_counter() - t0) * spec.grid.size / sub.size
    _report("spectrum+rho alpha=1 v=2000 d=500", fast, slow,
            f"(numpy m(z) timed on {sub.size} of {spec.grid.size} grid points, scaled)")
    assert fast < 1.0


def test_bench_spectrum_small_numpy_agrees():
    # the numpy baseline on the same grid gives the same eigenvalues (sanity of the baseline)
    spec = plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, 2000, 200))
    eig, rho = plrf_spectrum(1.0, 0.7, 2000, 200, spec.grid)
    assert np.median(np.abs(eig / spec.eigenvalues - 1)) < 1e-3


def _time(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def test_bench_spectrum_large(benchmark):
    spec = benchmark.pedantic(plrf.deterministic_spectrum, args=(1.0, 10**6, 10**5, 0.7),
                              rounds=1, iterations=1)
    fast = benchmark.stats.stats.min if benchmark.stats else _time(
        lambda: plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, 10**6, 10**5)))
    sub = spec.grid[:: max(1, spec.grid.size // 4)][:4]
    t0 = time.perf_counter()
    plrf_m_continuation(1.0, 10**6, 10**5, sub + 1j * 1e-10 * sub, chunk=4)
    slow = (time.perf_counter() - t0) * spec.grid.size / sub.size
    _report("spectrum+rho alpha=1 v=1e6 d=1e5", fast, slow,
            f"(numpy m(z) timed on {sub.size} of {spec.grid.size} grid points, scaled)")
    assert fast < 30.0


def test_bench_loss_curve(benchmark):
    spec = plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, 10**5, 10**4))
    gamma = 0.5 / spec.params["trace_D"]
    curve = benchmark.pedantic(plrf.volterra_loss, args=(spec, gamma, 10**8), rounds=3,
                               iterations=1)
    fast = benchmark.stats.stats.min if benchmark.stats else _time(
        lambda: plrf.volterra_loss(spec, gamma, 10**8))
    n = 20000
    t0 = time.perf_counter()
    p = plrf_volterra_stepping(spec.eigenvalues, spec.rho, spec.limit_loss, gamma, n)
    slow = (time.perf_counter() - t0) * 1e8 / n
    exact = plrf.volterra_loss(spec, gamma, n, checkpoints=[n])
    assert abs(exact.test_loss[-1] / p - 1) < 1e-3
    _report("loss curve r=1e8 d=1e4", fast, slow, f"(numpy per-step recursion timed on {n} "
                                                  "steps, scaled to 1e8)")
    assert fast < 2.0
    assert np.all(np.isfinite(curve.test_loss))
