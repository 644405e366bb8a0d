"""Generate docs/benchmarks.md: the benchmark table (C++ core vs numpy reference) with the
machine and the date.

    python docs/scripts/make_benchmarks.py            # runs `scalinglaws bench --quick --json`
    python docs/scripts/make_benchmarks.py --full     # full sizes (minutes)
    python docs/scripts/make_benchmarks.py --from-json bench.json   # format saved output

The page is committed (the documentation build does not run benchmarks); regenerate it after
changing the core and commit the result. Hand-written sections (from the first ``## `` heading
on) are kept; only the generated table above them is replaced.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Optional

OUT = Path(__file__).resolve().parents[1] / "benchmarks.md"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    import numpy as np
    import scalinglaws as sl
    import scipy

    return (
        f"{cpu_model()}, {os.cpu_count()} logical cores, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}; scalinglaws {sl.__version__} "
        f"(linalg backend: {sl.linalg_backend()})"
    )


def run_bench(full: bool) -> dict:
    cmd = [sys.executable, "-m", "scalinglaws.cli", "bench", "--json"]
    if not full:
        cmd.insert(4, "--quick")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def fmt_s(x) -> str:
    if x is None:
        return "–"
    return f"{x:.3g} s" if x >= 0.01 else f"{1e3 * x:.2g} ms"


def page(data: dict, full: bool, load: Optional[float] = None) -> str:
    rows = data["benchmarks"] if isinstance(data, dict) else data
    lines = [
        "(benchmarks)=",
        "# Benchmarks",
        "",
        "Each hot path of the C++ core against a straightforward numpy implementation of the same",
        "computation, timed in the same run (`scalinglaws bench`, cases in `scalinglaws.bench`);",
        "the ratio is numpy time / C++ time, best of a few repeats. For the DMFT theory curve the",
        "reference is the simulator's 32-seed mean of the same setting, which the theory replaces.",
        "",
        f"Measured on {datetime.date.today().isoformat()}, "
        f"{'full sizes' if full else 'quick sizes (`--quick`)'}, on {machine()}.",
        ("" if load is None else f"Load average {load:.1f} when the run started; ")
        + "absolute times vary by 10-20% from run to run on this machine,",
        "the ratios are the point.",
        "",
        "| benchmark | C++ | numpy reference | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = r.get("ratio")
        lines.append(
            f"| {r['benchmark']} | {fmt_s(r.get('cpp_s'))} | {fmt_s(r.get('numpy_s'))} | "
            f"{'–' if ratio is None else f'{ratio:.3g}x'} | {r.get('target', '')} |"
        )
    lines += [
        "",
        "Targets refer to the full sizes; at quick sizes fixed overheads weigh more, so some",
        "ratios fall short of them. Regenerate this page with",
        "",
        "```bash",
        "python docs/scripts/make_benchmarks.py          # quick sizes, about a minute",
        "python docs/scripts/make_benchmarks.py --full   # full sizes",
        "```",
        "",
        "or time the same cases with pytest-benchmark: "
        "`python -m pytest benchmarks --benchmark-enable`.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="full sizes (default: --quick)")
    ap.add_argument("--from-json", help="format the saved output of `scalinglaws bench --json`")
    args = ap.parse_args(argv)
    load = None if args.from_json else os.getloadavg()[0]  # before the run loads the machine
    data = json.loads(Path(args.from_json).read_text()) if args.from_json else run_bench(args.full)
    # hand-written sections (``## ...`` after the generated table) are kept as they are
    kept = ""
    if OUT.exists():
        old = OUT.read_text()
        cut = old.find("\n## ")
        kept = old[cut:] if cut >= 0 else ""
    OUT.write_text(page(data, args.full, load) + kept)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
