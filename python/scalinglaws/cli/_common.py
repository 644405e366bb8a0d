"""Shared argument handling for the subcommands: their parsers (help, description, examples), the
two parameter families of the papers, sizes that may be infinite, number lists, and the options of
the loss-curve commands (``simulate gd``, ``simulate sgd``, ``dmft``): learning rate and flow,
momentum, times, schedule, threads and JSON."""

from __future__ import annotations

import argparse
import math
from typing import Any, Dict, List, Optional

from ..problem import Problem
from . import CliError

__all__ = [
    "add_command",
    "add_command_group",
    "add_problem_args",
    "problem_from_args",
    "parse_number_list",
    "parse_size",
    "size_value",
    "add_curve_args",
    "check_lr_flow",
    "add_schedule_arg",
    "add_times_arg",
]


def add_command(
    sub: Any, name: str, *, help: str, description: str, examples: Optional[str] = None
) -> argparse.ArgumentParser:
    """Add the parser of subcommand ``name`` to ``sub`` (an ``add_subparsers`` action).

    ``help`` is its line in the parent's command list and ``description`` heads its ``--help``;
    ``examples``, when given, ends its ``--help`` as written (line breaks and indentation kept,
    as is the description's text).
    """
    if examples is None:
        return sub.add_parser(name, help=help, description=description)
    return sub.add_parser(
        name,
        help=help,
        description=description,
        epilog=examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_command_group(
    sub: Any,
    name: str,
    *,
    help: str,
    description: str,
    dest: str,
    metavar: str,
    examples: Optional[str] = None,
) -> Any:
    """Add subcommand ``name`` whose own subcommands (``dest``) are added to the returned action.

    The group alone (``scalinglaws NAME``) prints its help and exits with status 2.
    """
    p = add_command(sub, name, help=help, description=description, examples=examples)

    def show_help(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=show_help)
    return p.add_subparsers(dest=dest, metavar=metavar)


def parse_size(text: str) -> float:
    """An integer size or 'inf'."""
    t = text.strip().lower()
    if t in ("inf", "infinity"):
        return math.inf
    try:
        v = float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'inf', got {text!r}") from None
    if not math.isfinite(v) or v != int(v) or v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'inf', got {text!r}")
    return v


def size_value(value: float) -> Any:
    """A :func:`parse_size` value as the library takes it: an int, or math.inf."""
    return math.inf if math.isinf(value) else int(value)


def parse_number_list(text: str) -> List[float]:
    """A comma-separated list of numbers, e.g. '1,10,100' or '1e3,1e4'."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(float(part))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number in the list: {part!r}") from None
    if not out:
        raise argparse.ArgumentTypeError("empty list")
    return out


def add_problem_args(
    p: argparse.ArgumentParser, *, model_size: bool = True, default_M: Optional[int] = None
) -> None:
    g = p.add_argument_group(
        "problem (Bordelon et al. family: --a --b --M --N; Paquette et al. family: "
        "--alpha --beta --v --d)"
    )
    g.add_argument("--a", type=float, help="task-power exponent: lambda_k w*_k^2 = k^-a")
    g.add_argument("--b", type=float, help="spectral exponent: lambda_k = k^-b")
    g.add_argument("--M", type=parse_size, help="number of features (truncation)")
    g.add_argument("--alpha", type=float, help="data exponent: D = diag(j^-2alpha)")
    g.add_argument("--beta", type=float, help="target exponent: b_j = j^-beta")
    g.add_argument("--v", type=parse_size, help="data dimension (number of features)")
    if model_size:
        g.add_argument("--N", type=parse_size, help="model size (Bordelon et al.)")
        g.add_argument("--d", type=parse_size, help="model size (Paquette et al.)")
    g.add_argument("--sigma", type=float, default=0.0, help="label-noise standard deviation")
    p.set_defaults(_default_M=default_M)


def problem_from_args(args: argparse.Namespace, *, need_N: bool = True) -> Problem:
    """Build the Problem from either family's flags (sizes must be finite here)."""
    params: Dict[str, Any] = {
        n: getattr(args, n, None) for n in ("a", "b", "M", "N", "alpha", "beta", "v", "d")
    }
    for n, val in params.items():
        if isinstance(val, float) and math.isinf(val):
            raise CliError(f"--{n} inf is not allowed here: simulations need finite sizes")
        if isinstance(val, float) and n in ("M", "N", "v", "d"):
            params[n] = size_value(val)
    try:
        return Problem.from_params(**params, sigma=args.sigma, need_size=need_N)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def add_times_arg(p: argparse.ArgumentParser, help: str) -> None:
    """The ``--times`` option (a comma list of numbers, :func:`parse_number_list`; default
    None), whose meaning each command states in ``help``."""
    p.add_argument("--times", type=parse_number_list, default=None, help=help)


def add_schedule_arg(p: argparse.ArgumentParser) -> None:
    """The ``--schedule SPEC`` option shared by ``simulate``, ``dmft`` and ``plrf loss``."""
    p.add_argument(
        "--schedule",
        default=None,
        metavar="SPEC",
        help="learning-rate schedule spec, e.g. cosine:warmup=1000,final=0.1 or "
        "wsd:warmup=1000,decay=0.2 (lr is the peak; default constant)",
    )


def add_curve_args(
    p: argparse.ArgumentParser, *, lr_help: str, flow: bool = True, lr_required: bool = False
) -> None:
    """The options every loss-curve command shares: ``--lr``, ``--flow`` and ``--momentum`` (GD
    curves, ``flow=True``), ``--threads``, ``--json`` and ``--schedule``."""
    p.add_argument("--lr", type=float, default=None, required=lr_required, help=lr_help)
    if flow:
        p.add_argument("--flow", action="store_true", help="gradient flow instead of discrete GD")
        p.add_argument(
            "--momentum",
            type=float,
            default=None,
            help="heavy-ball momentum mu in [0, 1) (discrete GD; b <- grad + mu b, "
            "w <- w + lr b; times stay t = lr x steps); with --flow the continuous "
            "momentum beta >= 0 (beta w'' + w' = -grad)",
        )
    p.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    add_schedule_arg(p)


def check_lr_flow(args: argparse.Namespace, what: str = "discrete GD") -> None:
    """``--lr`` goes with discrete time (``what``) and not with ``--flow``."""
    if args.flow and args.lr is not None:
        raise CliError("--lr is for discrete GD; drop it with --flow")
    if not args.flow and args.lr is None:
        raise CliError(f"--lr is required for {what} (or use --flow)")
