"""Shared benchmark machinery: every suite times a C++ hot path and a straightforward numpy
implementation of the same computation in the same run, and records the ratio here. The ratios
are printed at the end of the session and written to ``.benchmarks/ratios.json``.

Run: ``python -m pytest benchmarks --benchmark-enable`` (add ``-m "not slow"`` to skip long ones).

Quick mode (CI): ``python -m pytest benchmarks --benchmark-disable -q`` runs every benchmark at
small sizes, skips the speed targets (meaningless on shared CI cores) and keeps the correctness
assertions: each benchmark checks the values it times against a reference (eigenvalues,
losses, spectra, kernel matrices).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Dict, List

import pytest
from scalinglaws.bench import best_time  # noqa: F401  (re-exported for the suites)

RATIOS: List[Dict[str, object]] = []


def quick() -> bool:
    """True under ``--benchmark-disable`` (set in pytest_configure, read at import by the suites)."""
    return os.environ.get("SCALINGLAWS_BENCH_QUICK") == "1"


def pytest_configure(config):
    disabled = bool(config.getoption("benchmark_disable", False)) and not config.getoption(
        "benchmark_enable", False
    )
    os.environ["SCALINGLAWS_BENCH_QUICK"] = "1" if disabled else "0"
    if disabled:
        # quick mode times nothing: one BLAS thread keeps the small numpy references fast on
        # shared cores (threaded OpenBLAS on busy cores was ~30x slower for n ~ 200 solves)
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover
            return
        config._scalinglaws_blas_limit = threadpool_limits(1)


def record(
    name: str,
    fast_s: float,
    reference_s: float,
    *,
    target: str = "",
    fast_label: str = "C++",
    reference_label: str = "numpy",
) -> float:
    ratio = reference_s / fast_s
    RATIOS.append(
        {
            "benchmark": name,
            fast_label: fast_s,
            reference_label: reference_s,
            "ratio": ratio,
            "target": target,
        }
    )
    return ratio


def cpp_time(benchmark, fn: Callable[[], object], rounds: int = 3) -> float:
    """Time ``fn`` with pytest-benchmark (min over rounds) or by hand when benchmarks are off."""
    if benchmark.disabled:  # --benchmark-disable: one untimed call (warm-up), then time by hand
        benchmark(fn)
        return best_time(fn, rounds)
    benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
    return float(benchmark.stats.stats.min)


@pytest.fixture
def ratio_recorder():
    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not RATIOS:
        return
    tr = terminalreporter
    tr.section("scalinglaws: C++ hot paths against numpy references (same run)")
    tr.write_line(f"{'benchmark':58s} {'fast [s]':>10s} {'ref [s]':>10s} {'ratio':>8s}  target")
    for r in RATIOS:
        keys = [k for k in r if k not in ("benchmark", "ratio", "target")]
        tr.write_line(
            f"{r['benchmark']:58s} {r[keys[0]]:10.4f} {r[keys[1]]:10.4f} "
            f"{r['ratio']:8.2f}  {r['target']}"
        )
    out = Path(config.rootpath) / ".benchmarks"
    out.mkdir(exist_ok=True)
    (out / "ratios.json").write_text(json.dumps(RATIOS, indent=2))
