"""``scalinglaws sweep``: run a sweep declared in TOML, locally or on a Dask cluster."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from ..sweep._docs import EXAMPLE_TOML
from . import CliError, emit
from ._common import add_command

EXAMPLES = """examples:
  scalinglaws sweep sweep.toml --out results/            # all local cores, progress bar
  scalinglaws sweep sweep.toml --out results/ --resume   # continue after an interruption
  scalinglaws sweep sweep.toml --out results/ --scheduler tcp://10.0.0.5:8786
  scalinglaws sweep --list-functions

sweep.toml:
{toml}

A schedule parameter is swept with a dotted key next to a base schedule
(examples/sweeps/wsd_decay.toml: the loss-optimal WSD decay fraction):
  [fixed]
  schedule = "wsd:warmup=1000"
  [grid]
  schedule.decay = [0.05, 0.1, 0.2, 0.4]

Load the results with scalinglaws.sweep.load("results/") (an xarray.Dataset).
""".format(toml=textwrap.indent(EXAMPLE_TOML, "  "))


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "sweep",
        help="parameter sweeps (local cores or Dask)",
        examples=EXAMPLES,
        description="Run a sweep declared in a TOML file; one data-only record "
        "per finished point, resumable.",
    )
    p.add_argument("file", nargs="?", help="sweep file (TOML)")
    p.add_argument("--out", help="results directory")
    p.add_argument("--resume", action="store_true", help="continue a sweep in --out")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: cores)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port)")
    p.add_argument(
        "--connect-timeout",
        type=float,
        default=10.0,
        help="seconds to wait for the scheduler (default 10)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--list-functions", action="store_true", help="list built-in point functions")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import sweep

    if args.list_functions:
        docs = {}
        for name in sorted(sweep.POINT_FUNCTIONS):
            doc = (sweep.POINT_FUNCTIONS[name].__doc__ or "").strip().splitlines()
            docs[name] = doc[0] if doc else ""
        emit(
            {"functions": docs},
            args.json,
            "\n".join(f"{name:16s} {doc}" for name, doc in docs.items()),
        )
        return 0
    if not args.file or not args.out:
        raise CliError("give a sweep file and --out DIR (see --help)")
    spec = sweep.read_toml(args.file)
    summary = sweep.run(
        spec,
        args.out,
        resume=args.resume,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not (args.quiet or args.json),
        connect_timeout=args.connect_timeout,
    )
    emit(
        {
            "directory": str(summary.directory),
            "total": summary.total,
            "computed": summary.computed,
            "skipped": summary.skipped,
            "failed": summary.failed,
            "wall_time": summary.wall_time,
        },
        args.json,
        text=str(summary),
    )
    return 0
