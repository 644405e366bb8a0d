"""``scalinglaws reproduce``: regenerate the synthetic figures of both papers."""

from __future__ import annotations

import argparse
from typing import Any

from . import CliError, emit
from ._common import add_command


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "reproduce",
        help="regenerate a figure of either paper (PNG + data)",
        description="Regenerate a synthetic figure of Bordelon et al. (2024) or "
        "Paquette et al. (2024): writes ID.png, ID.npz (arrays) and "
        "ID.json (metadata) into --out.",
        examples="examples:\n  scalinglaws reproduce --list\n"
        "  scalinglaws reproduce all --quick --out figs/",
    )
    p.add_argument("figure", nargs="?", help="figure id (see --list), or 'all'")
    p.add_argument("--list", action="store_true", help="list the figure ids")
    p.add_argument("--quick", action="store_true", help="smaller version (< 1 min on 2 cores)")
    p.add_argument("--out", default=".", help="output directory (default: .)")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..figures import FIGURES, figure_ids, reproduce

    ids = figure_ids()
    if args.list:
        if args.json:
            emit(
                {
                    "figures": [
                        {"id": i, "paper": FIGURES[i].paper, "title": FIGURES[i].title} for i in ids
                    ]
                },
                True,
            )
        else:
            for i in ids:
                print(f"{i:24s} {FIGURES[i].paper}: {FIGURES[i].title}")
        return 0
    if not args.figure:
        raise CliError("name a figure (see --list) or 'all'")
    targets = ids if args.figure == "all" else [args.figure]
    written = {}
    for fid in targets:
        paths = reproduce(fid, args.out, quick=args.quick)
        written[fid] = {k: str(v) for k, v in paths.items()}
        if not args.json:
            print(f"{fid}: {paths['png']}")
    if args.json:
        emit({"written": written}, True)
    return 0
