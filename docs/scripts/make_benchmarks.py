"""Generate docs/_generated/benchmarks.md: the benchmark table with machine and date (stub).

    python docs/scripts/make_benchmarks.py [--quick]

Runs the cases of ``scalinglaws.bench`` (C++ core vs numpy reference) and writes a Markdown
table with one row per case (ours, reference, ratio) headed by the machine and date.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "_generated" / "benchmarks.md"


def machine() -> str:
    import numpy as np
    import scalinglaws as sl

    cpu = platform.processor() or platform.machine()
    return (f"{platform.node()} ({cpu}, {os.cpu_count()} logical cores), Python "
            f"{platform.python_version()}, numpy {np.__version__}, scalinglaws {sl.__version__} "
            f"(linalg: {sl.linalg_backend()}), {datetime.date.today().isoformat()}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes")
    ap.parse_args(argv)
    # TODO: run scalinglaws.bench.run_cases(quick=...) and format its rows as a table.
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(f"Measured on {machine()}.\n\n(table not generated yet)\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
