"""``scalinglaws simulate gd|sgd``: exact finite-width simulations."""

from __future__ import annotations

import argparse
from typing import Any, Dict

import numpy as np

from ..simulate import simulate_gd, simulate_sgd
from . import CliError, emit
from ._common import (
    add_command,
    add_command_group,
    add_curve_args,
    add_problem_args,
    add_times_arg,
    check_lr_flow,
    problem_from_args,
)

EXAMPLES_GD = """examples:
  scalinglaws simulate gd --a 1.5 --b 1.25 --M 8192 --N 256 --P 1024 --lr 0.5 --times 1,10,100 --seeds 16 --json
  scalinglaws simulate gd --alpha 1 --beta 0.7 --v 2000 --d 500 --P 4000 --flow --times 1,10,1e3
  scalinglaws simulate gd --a 1.5 --b 1.25 --M 1024 --N 64 --P 256 --lr 0.5 --momentum 0.5 --times 1,10,100 --seeds 8 --json
"""
EXAMPLES_SGD = """examples:
  scalinglaws simulate sgd --alpha 1.0 --beta 0.7 --v 2000 --d 500 --batch 1 --lr 0.3 --steps 100000 --seeds 4 --json
  scalinglaws simulate sgd --a 1.5 --b 1.25 --M 4096 --N 256 --batch 32 --lr 0.5 --steps 1000
"""


def _seed_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seeds", type=int, default=1, help="number of runs (default 1)")
    p.add_argument("--seed", type=int, default=0, help="base seed: run i uses seed + i (default 0)")
    p.add_argument(
        "--projection-seed",
        type=int,
        default=None,
        help="fix one projection for all runs (data/SGD-noise variance only)",
    )


def _run_options(args: argparse.Namespace) -> Dict[str, Any]:
    """The keywords both simulators take from the shared flags."""
    return dict(
        seeds=args.seeds,
        seed=args.seed,
        projection_seed=args.projection_seed,
        threads=args.threads,
        schedule=args.schedule,
    )


def register(sub: Any) -> None:
    ss = add_command_group(
        sub,
        "simulate",
        help="finite-width simulations (gd, sgd)",
        description="Exact finite-width simulations of the random-feature model.",
        dest="engine",
        metavar="ENGINE",
    )

    gd = add_command(
        ss,
        "gd",
        help="full-batch gradient descent / flow on P samples",
        examples=EXAMPLES_GD,
        description="Full-batch GD from w = 0, solved spectrally (cost independent of t). Losses "
        "without the 1/2; test loss = population loss sum_k lambda_k v0_k^2.",
    )
    add_problem_args(gd)
    gd.add_argument("--P", type=int, required=True, help="number of training samples")
    add_curve_args(gd, lr_help="learning rate (discrete GD)")
    add_times_arg(
        gd,
        help="comma list of times t = lr x steps (rounded to whole steps); "
        "default: 50 log-spaced times up to --tmax",
    )
    gd.add_argument("--tmax", type=float, default=1000.0, help="largest default time (default 1e3)")
    gd.add_argument("--ensemble", type=int, default=1, help="E students averaged (default 1)")
    gd.add_argument(
        "--bags",
        type=int,
        default=1,
        help="B independent data sets of P samples (bagging; default 1); the loss is "
        "that of the average of all E x B models (no train loss with B > 1)",
    )
    _seed_args(gd)
    gd.set_defaults(func=run_gd)

    sgd = add_command(
        ss,
        "sgd",
        help="one-pass SGD with fresh samples every step",
        examples=EXAMPLES_SGD,
        description="One-pass SGD from w = 0, exact in distribution (O(B N) per step). Reports "
        "the population loss at log-spaced steps plus any --times (step counts).",
    )
    add_problem_args(sgd)
    sgd.add_argument("--batch", type=int, default=1, help="batch size B (default 1)")
    sgd.add_argument(
        "--lr-convention",
        choices=("sum", "mean"),
        default=None,
        help="sum: theta -= lr sum_i grad_i (Paquette et al.); mean: lr/B "
        "(Bordelon et al.). Default: the family's own",
    )
    sgd.add_argument("--steps", type=int, required=True, help="number of SGD steps")
    add_times_arg(sgd, help="extra steps at which to report (comma list)")
    sgd.add_argument(
        "--checkpoints",
        type=int,
        default=100,
        help="number of log-spaced report steps (default 100)",
    )
    add_curve_args(sgd, lr_help="learning rate", flow=False, lr_required=True)
    _seed_args(sgd)
    sgd.set_defaults(func=run_sgd)


def _print(res: Any, as_json: bool) -> int:
    """The simulation's JSON contract: times, test_loss_mean, test_loss_sem (null for one run),
    train_loss_mean/sem (GD with one data set), steps (discrete), n_runs."""
    d = res.to_dict()
    out: Dict[str, Any] = {
        "times": d["times"],
        "test_loss_mean": d["test_loss"],
        "test_loss_sem": d.get("test_loss_sem", [None] * len(d["times"])),
    }
    if res.train_loss is not None:
        out["train_loss_mean"] = d["train_loss"]
        out["train_loss_sem"] = d.get("train_loss_sem", [None] * len(d["times"]))
    if res.steps is not None:
        out["steps"] = d["steps"]
    out["n_runs"] = res.n_runs
    emit(out, as_json, text=repr(res))
    return 0


def run_gd(args: argparse.Namespace) -> int:
    problem = problem_from_args(args)
    check_lr_flow(args)
    times = args.times
    if times is None:
        if not args.tmax > 0:
            raise CliError("--tmax must be > 0")
        times = np.logspace(-1, np.log10(args.tmax), 50)
    res = simulate_gd(
        problem,
        args.P,
        lr=args.lr,
        times=times,
        flow=args.flow,
        ensemble=args.ensemble,
        bags=args.bags,
        momentum=args.momentum,
        **_run_options(args),
    )
    return _print(res, args.json)


def run_sgd(args: argparse.Namespace) -> int:
    problem = problem_from_args(args)
    res = simulate_sgd(
        problem,
        args.lr,
        args.steps,
        batch=args.batch,
        times=args.times,
        n_checkpoints=args.checkpoints,
        lr_convention=args.lr_convention,
        **_run_options(args),
    )
    return _print(res, args.json)
