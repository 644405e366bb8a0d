"""``scalinglaws bench``: the hot paths of the C++ core against numpy references."""

from __future__ import annotations

import argparse
from typing import Any

from . import emit


def register(sub: Any) -> None:
    p = sub.add_parser(
        "bench",
        help="time the C++ hot paths against numpy references",
        description="Times each hot path of the C++ core and a straightforward "
        "numpy implementation of the same computation in the same "
        "run, and prints their ratio (numpy time / C++ time).",
        epilog="example: scalinglaws bench --quick",
    )
    p.add_argument("--quick", action="store_true", help="smaller problems (seconds, not minutes)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..bench import run_cases

    if not args.json:
        print(f"{'benchmark':80s} {'C++ [s]':>9s} {'numpy[s]':>9s} {'ratio':>8s}  target")
    rows = run_cases(quick=args.quick, echo=None if args.json else print)
    if args.json:
        emit({"benchmarks": rows}, True)
    return 0
