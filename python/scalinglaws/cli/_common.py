"""Shared argument handling for the subcommands: the two parameter families of the papers."""
from __future__ import annotations

import argparse
import math
from typing import List, Optional

from ..problem import Problem
from . import CliError

__all__ = ["add_problem_args", "problem_from_args", "parse_number_list", "parse_size"]


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


def add_problem_args(p: argparse.ArgumentParser, *, model_size: bool = True,
                     default_M: Optional[int] = None) -> None:
    g = p.add_argument_group(
        "problem (Bordelon et al. family: --a --b --M --N; Paquette et al. family: "
        "--alpha --beta --v --d)")
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


def family_of(args: argparse.Namespace) -> str:
    bord = [n for n in ("a", "b", "M") if getattr(args, n, None) is not None]
    paq = [n for n in ("alpha", "beta", "v") if getattr(args, n, None) is not None]
    if getattr(args, "N", None) is not None:
        bord.append("N")
    if getattr(args, "d", None) is not None:
        paq.append("d")
    if bord and paq:
        raise CliError(f"mix of parameter families: --{' --'.join(bord)} (Bordelon et al.) with "
                       f"--{' --'.join(paq)} (Paquette et al.); use one family")
    if not bord and not paq:
        raise CliError("give a problem: --a --b --M --N (Bordelon et al.) or "
                       "--alpha --beta --v --d (Paquette et al.)")
    return "bordelon" if bord else "paquette"


def model_size_of(args: argparse.Namespace) -> Optional[float]:
    return args.N if family_of(args) == "bordelon" else args.d


def problem_from_args(args: argparse.Namespace, *, need_N: bool = True) -> Problem:
    """Build the Problem; sizes must be finite here (the simulator needs a finite M and N)."""
    fam = family_of(args)
    names = ("a", "b", "M", "N") if fam == "bordelon" else ("alpha", "beta", "v", "d")
    missing = [n for n in names[:3] if getattr(args, n, None) is None]
    if need_N and getattr(args, names[3], None) is None:
        missing.append(names[3])
    if missing:
        raise CliError(f"missing --{' --'.join(missing)} for the "
                       f"{'Bordelon et al.' if fam == 'bordelon' else 'Paquette et al.'} family")
    for n in names:
        val = getattr(args, n, None)
        if isinstance(val, float) and math.isinf(val):
            raise CliError(f"--{n} inf is not allowed here: simulations need finite sizes")
    size = getattr(args, names[3], None)
    size = None if size is None else int(size)
    if fam == "bordelon":
        return Problem.bordelon(args.a, args.b, int(args.M), size, sigma=args.sigma)
    return Problem.paquette(args.alpha, args.beta, int(args.v), size, sigma=args.sigma)
