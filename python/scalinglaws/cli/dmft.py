"""``scalinglaws dmft``: DMFT theory curves and exponents (Bordelon, Atanasov & Pehlevan 2024)."""

from __future__ import annotations

import argparse
import math
from typing import Any

from . import CliError, emit
from ._common import (
    add_command,
    add_curve_args,
    add_times_arg,
    check_lr_flow,
    parse_size,
    size_value,
)

EXAMPLES = """examples:
  scalinglaws dmft --a 1.5 --b 1.25 --M 8192 --N 256 --P 1024 --lr 0.5 --times 1,10,100 --json
  scalinglaws dmft --a 1.5 --b 1.25 --M 8192 --N 256 --P inf --flow --times 1,1e2,1e4 --json
  scalinglaws dmft --a 1.5 --b 1.25 --M 4096 --N 256 --batch 32 --lr 0.5 --times 1,10,100 --json
  scalinglaws dmft --a 1.5 --b 1.25 --M 1024 --N 64 --P 256 --lr 0.5 --momentum 0.5 --times 1,10,100 --json
  scalinglaws dmft --a 1.5 --b 1.25 --M 1024 --N 64 --P 256 --flow --momentum 0.05 --times 1,10,100 --json
  scalinglaws dmft --a 1.5 --b 1.25 --M 1000 --N 400 --P 100 --final --json
  scalinglaws dmft --a 1.5 --b 1.25 --M inf --N 1000000 --P 1000000 --lr 0.5 --times 1,1e3,1e6 --json
  scalinglaws dmft --a 2 --b 1.5 --exponents --json
  scalinglaws dmft --a 1.5 --b 1.25 --M 4096 --N 256 --P 1024 --lr 0.5 --times 10,100 --ensemble 4 --bags 2 --json
"""


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "dmft",
        help="DMFT theory: loss curves, final losses, exponents",
        examples=EXAMPLES,
        description="DMFT theory of the random-feature model (Bordelon, Atanasov & Pehlevan, "
        "ICML 2024), non-proportional normalisation: lambda_k = k^-b, "
        "lambda_k w*_k^2 = k^-a. Losses have no 1/2; the test loss excludes sigma^2. "
        "GD times are t = lr x steps; with --batch (one-pass SGD) times are steps.",
    )
    p.add_argument("--a", type=float, help="task-power exponent: lambda_k w*_k^2 = k^-a")
    p.add_argument("--b", type=float, help="spectral exponent: lambda_k = k^-b")
    p.add_argument(
        "--M",
        type=parse_size,
        help="number of features (integer, or inf: the infinite power law, a, b > 1)",
    )
    p.add_argument("--N", type=parse_size, help="model size (integer or inf)")
    p.add_argument("--P", type=parse_size, help="training-set size (integer or inf)")
    p.add_argument("--sigma", type=float, default=0.0, help="label-noise standard deviation")
    add_curve_args(p, lr_help="learning rate (discrete GD / SGD)")
    p.add_argument("--batch", type=int, default=None, help="one-pass SGD with this batch size")
    add_times_arg(p, help="comma list of times (GD: t = lr x steps; SGD: steps)")
    p.add_argument(
        "--method",
        choices=("auto", "contour", "recipe"),
        default="auto",
        help="time-domain route (default auto)",
    )
    p.add_argument("--final", action="store_true", help="t -> infinity test/train losses")
    p.add_argument(
        "--ensemble",
        type=parse_size,
        default=1,
        help="E: loss of the average of E models with independent projections "
        "(integer or inf; default 1)",
    )
    p.add_argument(
        "--bags",
        type=parse_size,
        default=1,
        help="B: ... trained on B independent data sets of P samples each (bagging; "
        "integer or inf; default 1). With B > 1 the train loss is null",
    )
    p.add_argument(
        "--exponents",
        action="store_true",
        help="closed-form time/model/data/compute-optimal exponents (needs --a --b)",
    )
    p.set_defaults(func=run)


def _problem(args: argparse.Namespace, need_N: bool = True):
    from ..problem import Problem

    missing = [n for n in ("a", "b", "M") if getattr(args, n) is None]
    if need_N and args.N is None:
        missing.append("N")
    if missing:
        raise CliError(f"missing --{' --'.join(missing)}")
    # M = inf: infinitely many features, the power-law tail summed analytically (a, b > 1)
    return Problem.bordelon(args.a, args.b, size_value(args.M), None, sigma=args.sigma)


def run(args: argparse.Namespace) -> int:
    from ..errors import ConvergenceError

    try:
        return _run(args)
    except ConvergenceError as exc:  # solver failures: one line, non-zero exit
        raise CliError(f"theory solver failed: {exc}") from None


def _run(args: argparse.Namespace) -> int:
    from .. import dmft

    if args.exponents:
        if args.a is None or args.b is None:
            raise CliError("--exponents needs --a and --b")
        e = dmft.exponents(args.a, args.b)
        text = (
            f"time {e['time']:.6g}, model {e['model']:.6g}, data {e['data']:.6g}; compute-optimal"
            f" t ~ C^{e['compute']['t']:.6g}, N ~ C^{e['compute']['N']:.6g}, "
            f"L ~ C^-{e['compute']['loss']:.6g}"
        )
        emit(e, args.json, text)
        return 0
    problem = _problem(args)
    if args.P is None and args.batch is None:
        raise CliError("missing --P (an integer or inf)")
    N = size_value(args.N)
    P = math.inf if args.P is None else size_value(args.P)
    E = size_value(args.ensemble)
    Bg = size_value(args.bags)
    if args.momentum is not None and (args.final or args.batch is not None):
        raise CliError("--momentum applies to GD / flow loss curves (not --final or --batch)")
    if args.final and args.schedule is not None:
        raise CliError("--schedule applies to loss curves, not --final")
    if args.final:
        f = dmft.final_losses(problem, P, N=N, ensemble=E, bags=Bg)
        out = {"test_loss": f["test"], "train_loss": f["train"], "regime": f["regime"]}
        train_txt = "n/a" if f["train"] is None else f"{f['train']:.6g}"
        emit(out, args.json, f"final test {f['test']:.6g}, train {train_txt} ({f['regime']})")
        return 0
    if args.times is None:
        raise CliError("missing --times (comma list)")
    check_lr_flow(args, "discrete GD / SGD")
    if args.batch is not None and args.flow:
        raise CliError("--batch (one-pass SGD) cannot be combined with --flow")
    curve = dmft.loss_curve(
        problem,
        P,
        args.times,
        lr=args.lr,
        flow=args.flow,
        batch=args.batch,
        N=N,
        method=args.method,
        threads=args.threads,
        ensemble=E,
        bags=Bg,
        momentum=args.momentum,
        schedule=args.schedule,
    )
    if curve.train_loss is not None:
        train = [float(v) for v in curve.train_loss]
    elif args.batch is not None:
        # one-pass SGD has no train/test gap (see the DMFT theory page, one-pass SGD): train = test + sigma^2
        train = [float(v) for v in curve.test_loss + args.sigma**2]
    else:
        train = None  # bagging: no single training set
    out = {
        "times": [float(t) for t in curve.times],
        "test_loss": [float(v) for v in curve.test_loss],
        "train_loss": train,
    }
    rows = [f"{'t':>12} {'test':>14} {'train':>14}"]
    for i, (t, a) in enumerate(zip(out["times"], out["test_loss"])):
        b = "n/a" if train is None else f"{train[i]:.8g}"
        rows.append(f"{t:12.6g} {a:14.8g} {b:>14}")
    emit(out, args.json, "\n".join(rows))
    return 0
