"""Benchmark cases: each hot path of the C++ core against a straightforward numpy implementation
of the same computation, timed in the same run (used by ``scalinglaws bench`` and by the
pytest-benchmark suites in ``benchmarks/``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

import numpy as np

__all__ = ["Case", "cases", "best_time", "run_cases"]


def best_time(fn: Callable[[], object], repeat: int = 1) -> float:
    """Best wall time (s) over ``repeat`` calls.

    Parameters
    ----------
    fn : callable
        Called without arguments; its result is discarded.
    repeat : int, optional
        Number of calls.

    Returns
    -------
    float
        The smallest ``time.perf_counter`` difference, in seconds.

    Examples
    --------
    >>> best_time(lambda: sum(range(1000)), repeat=3) < 1.0
    True
    """
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@dataclass
class Case:
    """One comparison: ``fast`` (the C++ path) against ``reference`` (numpy) on the same task.

    Parameters
    ----------
    name : str
        Description shown in the benchmark table.
    fast : callable
        The library's path, called without arguments.
    reference : callable
        The numpy reference, called without arguments.
    target : str, optional
        The speed target, e.g. ``">= 10"`` (ratio reference / fast).
    reference_scale : float, optional
        Multiplies the reference time (when it runs a fraction of the work).
    repeat : int, optional
        Calls of ``fast`` (the best is kept; the reference runs once).

    Examples
    --------
    >>> c = Case("sum", lambda: np.sum(np.ones(10)), lambda: sum([1.0] * 10), target=">= 1")
    >>> c.repeat, c.reference_scale
    (3, 1.0)
    """

    name: str
    fast: Callable[[], object]
    reference: Callable[[], object]
    target: str = ""
    reference_scale: float = 1.0
    repeat: int = 3


def cases(quick: bool = False) -> List[Case]:
    """The benchmark cases: simulators, linear algebra and theory hot paths.

    The simulator cases of the foundation issue followed by the theory cases, at full sizes or,
    with ``quick``, smaller ones. Building them sets up the problems (seconds). Results: the
    benchmarks page (:ref:`benchmarks`).

    Parameters
    ----------
    quick : bool, optional
        Smaller sizes (a smoke run).

    Returns
    -------
    list of Case
        The cases, in table order.

    Examples
    --------
    >>> rows = run_cases(cases(quick=True))   # doctest: +SKIP
    """
    from . import _core
    from . import testing as oracle
    from .problem import Problem
    from .simulate import simulate_gd, simulate_sgd

    M, N = (2048, 256) if quick else (8192, 1024)
    gd = Problem.bordelon(1.5, 1.25, M, N)
    times = np.logspace(0, 4, 200)
    steps = np.round(times / 0.5).astype(int)
    sgd = Problem.paquette(1.0, 0.7, 2000, 500)
    nsgd = 10_000 if quick else 100_000
    s, e0, p_inf = _core.simulate.sgd_setup(
        _core.simulate.ProblemSpec(lam=sgd.lam, wstar=sgd.wstar, N=500), 0, 1
    )
    neig = 512 if quick else 2048
    x = np.random.default_rng(0).standard_normal((2 * neig, neig)) / np.sqrt(2 * neig)
    a = x.T @ x
    return [
        Case(
            f"GD a=1.5 b=1.25 M={M} N=P={N}, 200 times to t=1e4, lr=0.5: spectral vs stepping",
            lambda: simulate_gd(gd, N, lr=0.5, times=times, seed=0),
            lambda: oracle.gd_explicit(gd, N, 0.5, steps, np.random.default_rng(0)),
            target=">= 10",
            repeat=3,
        ),
        Case(
            f"heavy-ball GD mu=0.9 a=1.5 b=1.25 M={M} N=P={N}, 200 times to t=1e4, lr=0.5: "
            "spectral vs stepping (reference to t=1e3, x10)",
            lambda: simulate_gd(gd, N, lr=0.5, times=times, seed=0, momentum=0.9),
            lambda: oracle.heavy_ball_explicit(
                gd, N, 0.5, 0.9, steps[steps <= 2000], np.random.default_rng(0)
            ),
            target=">= 10",
            reference_scale=10.0,
            repeat=1,
        ),
        Case(
            f"SGD alpha=1 beta=0.7 v=2000 d=500 B=1, {nsgd} steps, 1 thread vs numpy loop",
            lambda: simulate_sgd(sgd, 0.3, nsgd, seed=0, threads=1),
            lambda: oracle.sgd_eigenbasis(
                s, e0, p_inf, 0.3, [nsgd // 10], 1, np.random.default_rng(0)
            ),
            target="C++ < 1 s at 1e5 steps",
            reference_scale=10.0,
        ),
        Case(
            f"symmetric eigendecomposition N={neig} vs numpy.linalg.eigh",
            lambda: _core.linalg.symmetric_eigh(a),
            lambda: np.linalg.eigh(a),
            target=">= 0.667",
        ),
    ] + theory_cases(quick)


def theory_cases(quick: bool = False) -> List[Case]:
    """Hot paths of the theory modules against numpy references (or, for the DMFT curve, the
    simulator's 32-seed mean of the same setting, which the theory replaces)."""
    from . import dmft, plrf, spectra
    from . import testing as oracle
    from .problem import Problem
    from .simulate import simulate_gd

    M = 2048 if quick else 8192
    prob = Problem.bordelon(1.5, 1.25, M, 512)
    times = np.logspace(0, 4, 200)
    spec_problem = Problem.paquette(1.0, 0.7, 2000, 500)
    det = plrf.deterministic_spectrum(spec_problem)
    assert det.grid is not None  # deterministic_spectrum always sets the grid
    sub = det.grid[::32]
    vspec = (
        plrf.deterministic_spectrum(Problem.paquette(1.0, 0.7, 10**5, 10**4)) if not quick else det
    )
    gamma = 0.5 / vspec.params["trace_D"]
    horizon, prefix = (10**8, 20_000) if not quick else (10**6, 5_000)
    n = 2000 if quick else 8000
    X = np.random.default_rng(0).standard_normal((n, 64))
    return [
        Case(
            f"DMFT theory curve N=512 P=1024 M={M}, 200 times to 1e4 vs simulator (32 seeds)",
            lambda: dmft.loss_curve(prob, 1024, times, lr=0.5),
            lambda: simulate_gd(prob, 1024, lr=0.5, times=times, seeds=32),
            target="theory < 2 s, faster than the simulator",
            repeat=2,
        ),
        Case(
            "PLRF deterministic spectrum + rho, alpha=1 v=2000 d=500 vs numpy continuation",
            lambda: plrf.deterministic_spectrum(spec_problem),
            lambda: oracle.plrf_m_continuation(1.0, 2000, 500, sub + 1j * 1e-10 * sub),
            target="< 1 s",
            reference_scale=det.grid.size / sub.size,
        ),
        Case(
            f"PLRF Volterra loss curve to r={horizon:.0e}, d={vspec.d} vs per-step recursion",
            lambda: plrf.volterra_loss(vspec, gamma, horizon),
            lambda: oracle.plrf_volterra_stepping(
                vspec.eigenvalues, vspec.rho, vspec.limit_loss, gamma, prefix
            ),
            target="< 2 s at r=1e8, d=1e4",
            reference_scale=horizon / prefix,
        ),
        Case(
            f"NTK depth 2 kernel matrix n={n} d=64 vs numpy recursion",
            lambda: spectra.kernel_matrix(X, kernel="ntk", depth=2),
            lambda: oracle.relu_ntk(X, 2),
            repeat=2,
        ),
    ]


def run_cases(
    selected: Optional[List[Case]] = None,
    quick: bool = False,
    echo: Optional[Callable[[str], None]] = None,
) -> List[Dict[str, object]]:
    """Time every case; returns rows with the C++ and numpy times and their ratio.

    Parameters
    ----------
    selected : list of Case, optional
        Cases to run (default: :func:`cases` with ``quick``).
    quick : bool, optional
        Smaller sizes for the default cases.
    echo : callable, optional
        Called with one formatted table line per case.

    Returns
    -------
    list of dict
        ``benchmark``, ``cpp_s``, ``numpy_s`` (seconds, reference scaled), ``ratio``
        (numpy / C++) and ``target``.

    Examples
    --------
    >>> c = Case("sum", lambda: np.sum(np.ones(10)), lambda: sum([1.0] * 10))
    >>> row = run_cases([c])[0]
    >>> sorted(row), row["ratio"] > 0
    (['benchmark', 'cpp_s', 'numpy_s', 'ratio', 'target'], True)
    """
    rows = []
    for case in selected if selected is not None else cases(quick):
        fast = best_time(case.fast, case.repeat)
        ref = best_time(case.reference, 1) * case.reference_scale
        row = {
            "benchmark": case.name,
            "cpp_s": fast,
            "numpy_s": ref,
            "ratio": ref / fast,
            "target": case.target,
        }
        rows.append(row)
        if echo is not None:
            echo(f"{case.name:80s} {fast:9.4f} {ref:9.4f} {ref / fast:8.2f}  {case.target}")
    return rows
