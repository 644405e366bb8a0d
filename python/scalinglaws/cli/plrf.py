"""``scalinglaws plrf``: power-law random features theory (Paquette et al. 2024).

Losses are P = ||D^1/2 (W theta - b)||^2 without the 1/2; ``--lr`` is gamma in the paper's
batch-SUM convention (theta -= gamma sum_i grad_i), as in ``scalinglaws simulate sgd``; pass
``--lr-convention mean`` for the reference code's batch-mean lr (= gamma B).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from . import CliError, emit
from ._common import add_command_group, add_schedule_arg, parse_size, size_value

EXAMPLES = """examples:
  scalinglaws plrf spectrum --alpha 1 --beta 0.7 --v 2000 --d 500 --json
  scalinglaws plrf spectrum --alpha 1 --v inf --d 1000 --json
  scalinglaws plrf loss --alpha 1 --beta 0.7 --v 2000 --d 500 --batch 1 --lr 0.3 --steps 100000 --json
  scalinglaws plrf loss --alpha 1 --beta 0.7 --v 2000 --d 500 --lr 0.3 --steps 100000 --empirical --seed 3
  scalinglaws plrf loss --alpha 1 --beta 0.7 --v 2000 --d 500 --lr 0.3 --steps 100000 --schedule cosine:warmup=1000,final=0.1 --json
  scalinglaws plrf phase --alpha 0.7 --beta 0.7 --json
"""


def _problem(args: argparse.Namespace) -> Any:
    from ..problem import Problem

    if args.v is None or args.d is None:
        raise CliError("--v and --d are required")
    v = size_value(args.v)
    beta = args.beta
    if beta is None:  # the spectrum alone does not depend on the target
        beta = max(0.5, 1.0 - args.alpha)
    return Problem.paquette(args.alpha, beta, v, args.d)


def run_spectrum(args: argparse.Namespace) -> int:
    from ..plrf import deterministic_spectrum

    problem = _problem(args)
    v, d = args.v, args.d
    spec = deterministic_spectrum(
        problem, points_per_bump=args.points_per_bump, threads=args.threads
    )
    if args.json:
        _emit_spectrum_json(spec, args.beta is not None)
        return 0
    # no target given: no limit loss (the text needs no d-long lists: no to_dict here)
    limit = float(spec.limit_loss) if args.beta is not None else None
    text = (
        f"deterministic spectrum alpha={args.alpha} beta={args.beta} v={v} d={d}\n"
        f"  lambda_max={spec.eigenvalues[0]:.6g} lambda_min(edge)={spec.lambda_min:.6g} "
        f"limit_loss={limit}"
    )
    emit(None, False, text)
    return 0


def _emit_spectrum_json(spec: Any, target: bool) -> None:
    """``emit(spec.to_dict(), True)`` byte for byte, with the d-long arrays formatted in C++
    (json.dumps takes ~2 us per float: 40 s at d = 1e7)."""
    import json
    import sys

    from .._backend import _core

    scalars = [float(spec.lambda_min), float(spec.limit_loss)]
    arrays = [spec.eigenvalues, spec.rho]
    if not (all(math.isfinite(x) for x in scalars) and all(map(_finite, arrays))):
        raise CliError(
            "the result has a non-finite value; it cannot be written as JSON (try other parameters)"
        )
    rho = _core.plrf.json_floats(arrays[1]) if target else "null"
    limit = json.dumps(scalars[1]) if target else "null"
    sys.stdout.write(
        '{"eigenvalues": '
        + _core.plrf.json_floats(arrays[0])
        + ', "rho": '
        + rho
        + ', "lambda_min": '
        + json.dumps(scalars[0])
        + ', "limit_loss": '
        + limit
        + "}\n"
    )
    sys.stdout.flush()


def _finite(a: Any) -> bool:
    import numpy as np

    return bool(np.all(np.isfinite(a)))


def run_loss(args: argparse.Namespace) -> int:
    from ..plrf import loss_curve

    problem = _problem(args)
    if args.empirical:
        if problem.infinite:
            raise CliError("--empirical needs a finite --v")
    elif args.seed is not None:
        raise CliError("--seed is only used with --empirical")
    curve = loss_curve(
        problem,
        lr=args.lr,
        steps=args.steps,
        batch=args.batch,
        lr_convention=args.lr_convention,
        empirical=args.empirical,
        seed=args.seed or 0,
        n_checkpoints=_checkpoints(args.checkpoints),
        threads=args.threads,
        schedule=args.schedule,
    )
    steps = [int(s) for s in curve.times]
    loss = [float(x) for x in curve.test_loss]
    text = "\n".join(f"{s:>12d}  {p:.8g}" for s, p in zip(steps, loss))
    emit({"steps": steps, "loss": loss}, args.json, "step          P (no 1/2)\n" + text)
    return 0


def run_phase(args: argparse.Namespace) -> int:
    from ..plrf import compute_optimal_exponents

    ph, xi, eta = compute_optimal_exponents(args.alpha, args.beta)
    emit(
        {"phase": ph, "xi": xi, "eta": eta},
        args.json,
        f"phase {ph}: d* ~ f^{xi:.6g}, P* ~ f^-{eta:.6g}",
    )
    return 0


def _checkpoints(value: int) -> int:
    """``--checkpoints``: 1 .. 1e6 log-spaced outputs."""
    if not 1 <= value <= 10**6:
        raise CliError(f"--checkpoints must be in 1..1000000, got {value}")
    return value


def register(sub: Any) -> None:
    ss = add_command_group(
        sub,
        "plrf",
        help="power-law random features theory (Paquette et al. 2024)",
        examples=EXAMPLES,
        description=__doc__,
        dest="what",
        metavar="WHAT",
    )

    def common(q: argparse.ArgumentParser, beta_required: bool) -> None:
        q.add_argument("--alpha", type=float, required=True, help="D = diag(j^-2alpha)")
        q.add_argument(
            "--beta",
            type=float,
            required=beta_required,
            default=None,
            help="b_j = j^-beta" + ("" if beta_required else " (needed for rho and limit_loss)"),
        )
        q.add_argument("--v", type=parse_size, help="data dimension (integer or 'inf')")
        q.add_argument("--d", type=int, help="number of random features")
        q.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
        q.add_argument("--json", action="store_true", help="print one JSON object")

    s = ss.add_parser(
        "spectrum",
        help="deterministic-equivalent eigenvalues and rho-weights",
        description="Deterministic eigenvalues of K = W^T D W (descending), "
        "rho-weights, left edge and limit loss F_0 (no 1/2).",
    )
    common(s, False)
    s.add_argument(
        "--points-per-bump",
        type=float,
        default=80.0,
        help="grid points across one outlier bump (default 80)",
    )
    s.set_defaults(func=run_spectrum)

    lo = ss.add_parser(
        "loss",
        help="expected SGD loss curve from the Volterra equation",
        description="P(r) (no 1/2) at log-spaced steps from the Volterra equation "
        "with the deterministic spectrum (or --empirical: a sampled W).",
    )
    common(lo, True)
    lo.add_argument("--batch", type=int, default=1, help="batch size B (default 1)")
    lo.add_argument(
        "--lr", type=float, required=True, help="gamma, batch-sum convention (see --lr-convention)"
    )
    lo.add_argument(
        "--lr-convention",
        choices=("sum", "mean"),
        default="sum",
        help="sum: theta -= lr sum_i grad_i (paper, default); mean: lr/B (reference code)",
    )
    lo.add_argument("--steps", type=int, required=True, help="number of SGD steps r")
    add_schedule_arg(lo)
    lo.add_argument("--checkpoints", type=int, default=100, help="log-spaced outputs (default 100)")
    lo.add_argument("--empirical", action="store_true", help="exact spectrum of a sampled W")
    lo.add_argument("--seed", type=int, default=None, help="projection seed of W (--empirical)")
    lo.set_defaults(func=run_loss)

    ph = ss.add_parser(
        "phase",
        help="phase and closed-form compute-optimal exponents",
        description="Phase of (alpha, beta) and xi (d* ~ f^xi), eta (P* ~ f^-eta).",
    )
    ph.add_argument("--alpha", type=float, required=True)
    ph.add_argument("--beta", type=float, required=True)
    ph.add_argument("--json", action="store_true", help="print one JSON object")
    ph.set_defaults(func=run_phase)
