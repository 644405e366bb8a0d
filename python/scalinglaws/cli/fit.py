"""``scalinglaws fit``: power laws, L = L_inf + A t^-x + B N^-y, the Chinchilla law
L = E + A/N^alpha + B/D^beta and IsoFLOP profiles, with intervals."""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

import numpy as np

from . import CliError, emit
from ._common import add_command

if TYPE_CHECKING:
    from ..fit.powerlaw import PowerLawFit, ScalingLawFit

EXAMPLES = """examples:
  scalinglaws fit curve.csv --x t --y loss --xmin 10            # y = A x^-p
  scalinglaws fit runs.csv --model scaling --x t --N N --y loss  # L = L_inf + A t^-x + B N^-y
  scalinglaws fit results/ --var test_loss                       # a sweep directory
  scalinglaws fit runs.csv --law chinchilla --N params --D tokens --loss loss --json
  scalinglaws fit runs.csv --law chinchilla --fix E=1.69 --bootstrap 200 --seed 1
  scalinglaws fit runs.csv --law chinchilla --max-flops 1e20 --budgets 1e21,1e23
  scalinglaws fit runs.csv --law isoflop --N params --D tokens --loss loss --flops C --json
"""
LAWS = ("power", "scaling", "chinchilla", "isoflop")


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "fit",
        help="fit power laws / scaling laws to data (CSV or sweep output)",
        examples=EXAMPLES,
        description="Fit y = A x^-p, or L = L_inf + A t^-x + B N^-y, with confidence intervals.",
    )
    p.add_argument("source", help="CSV file with a header row, or a sweep results directory")
    p.add_argument(
        "--model",
        choices=("power", "scaling"),
        default=None,
        help="power: y = A x^-p; scaling: L = L_inf + A t^-x + B N^-y "
        "(default: power for CSV; scaling for a sweep with an N axis)",
    )
    p.add_argument("--x", default="t", help="column of x (power) or t (scaling); default 't'")
    p.add_argument("--N", dest="ncol", default="N", help="column of N (scaling); default 'N'")
    p.add_argument("--y", default="loss", help="column of y / L; default 'loss'")
    p.add_argument("--var", default="test_loss", help="sweep variable to fit (default test_loss)")
    p.add_argument("--xmin", type=float, default=None, help="fit only x >= xmin (power)")
    p.add_argument("--xmax", type=float, default=None, help="fit only x <= xmax (power)")
    p.add_argument("--no-offset", action="store_true", help="scaling: L_inf = 0")
    p.add_argument("--confidence", type=float, default=0.95, help="interval level (0.95)")
    g = p.add_argument_group("Chinchilla law L = E + A/N^alpha + B/D^beta and IsoFLOP profiles")
    g.add_argument(
        "--law",
        choices=LAWS,
        default=None,
        help="chinchilla: Hoffmann et al. approach 3; isoflop: approach 2 (power and "
        "scaling are the --model fits)",
    )
    g.add_argument("--D", dest="dcol", default="D", help="column of D, training tokens ('D')")
    g.add_argument(
        "--loss",
        dest="losscol",
        default=None,
        help="column of the loss (default: --y, i.e. 'loss')",
    )
    g.add_argument(
        "--flops",
        dest="flopscol",
        default=None,
        help="isoflop: column of the compute budget (default C = 6ND, binned)",
    )
    g.add_argument(
        "--bootstrap",
        type=int,
        default=None,
        metavar="K",
        help="bootstrap resamples (default 1000 for chinchilla/isoflop, 0 otherwise)",
    )
    g.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    g.add_argument("--huber-delta", type=float, default=1e-3, help="Huber delta on log L (1e-3)")
    g.add_argument(
        "--fix",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="pin a parameter (E, A, alpha, B or beta), e.g. --fix E=1.69; repeatable",
    )
    g.add_argument(
        "--grid",
        choices=("hoffmann", "coarse"),
        default="hoffmann",
        help="initialisation grid (hoffmann: 4500 starts; coarse: 243)",
    )
    g.add_argument("--jobs", type=int, default=None, help="worker processes (default: all CPUs)")
    g.add_argument(
        "--budgets",
        default=None,
        metavar="C1,C2,...",
        help="chinchilla: report the allocation at these compute budgets (FLOPs)",
    )
    g.add_argument(
        "--max-flops",
        type=float,
        default=None,
        help="chinchilla: fit runs with 6ND <= X only, report the error on the rest",
    )
    g.add_argument(
        "--max-N",
        type=float,
        default=None,
        help="chinchilla: fit runs with N <= X only, report the error on the rest",
    )
    g.add_argument(
        "--plot",
        default=None,
        metavar="FILE",
        help="chinchilla: save a data / fit / residual figure",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _read_csv(path: Path) -> Dict[str, np.ndarray]:
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    if len(rows) < 2:
        raise CliError(f"{path}: need a header row and data rows")
    header = [h.strip() for h in rows[0]]
    cols: Dict[str, List[float]] = {h: [] for h in header}
    for i, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise CliError(f"{path}:{i}: expected {len(header)} columns, got {len(row)}")
        for h, c in zip(header, row):
            try:
                cols[h].append(float(c))
            except ValueError:
                raise CliError(f"{path}:{i}: column {h!r} is not a number: {c!r}") from None
    return {h: np.asarray(v) for h, v in cols.items()}


def _column(cols: Dict[str, np.ndarray], name: str, path: Path) -> np.ndarray:
    if name not in cols:
        raise CliError(f"{path}: no column {name!r} (columns: {', '.join(cols)})")
    return cols[name]


def _parse_fix(items: List[str]) -> Dict[str, float]:
    names = ("E", "A", "alpha", "B", "beta")
    out: Dict[str, float] = {}
    for item in items:
        name, sep, val = item.partition("=")
        name = name.strip()
        try:
            v = float(val)
        except ValueError:
            v = math.nan
        if not sep or name not in names or not math.isfinite(v):
            raise CliError(
                f"--fix {item!r}: expected NAME=VALUE with NAME one of "
                f"{', '.join(names)} and a finite VALUE"
            )
        out[name] = v
    return out


def _law(args: argparse.Namespace) -> Optional[str]:
    if args.law and args.model and args.law != args.model:
        raise CliError(f"--law {args.law} and --model {args.model} disagree; give one")
    return args.law or args.model


def _sweep_table(src: Path, var: str) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, D = time, loss) rows of a sweep directory (finite N only)."""
    from ..sweep import load

    ds = load(src)
    if var not in ds:
        raise CliError(f"{src}: no variable {var!r} (have: {', '.join(ds.data_vars)})")
    da = ds[var]
    if "time" not in da.dims or "N" not in da.dims:
        raise CliError(f"{src}: {var!r} needs N and time axes for this law")
    other = [d for d in da.dims if d not in ("N", "time")]
    sub = da.isel({d: 0 for d in other}) if other else da
    n_axis = np.array([float(v) for v in sub["N"].values])
    sub = sub.isel(N=np.flatnonzero(np.isfinite(n_axis)))
    tt, nn = np.meshgrid(np.asarray(sub["time"].values, float), n_axis[np.isfinite(n_axis)])
    y = sub.transpose("N", "time").values.ravel()
    ok = np.isfinite(y) & (tt.ravel() > 0)
    return nn.ravel()[ok], tt.ravel()[ok], y[ok]


def _run_new(args: argparse.Namespace, law: str, src: Path) -> int:
    from ..fit import fit_chinchilla, fit_isoflop, leave_out, plot_fit

    if args.bootstrap is not None and args.bootstrap < 0:
        raise CliError(f"--bootstrap must be >= 0, got {args.bootstrap}")
    K = 1000 if args.bootstrap is None else args.bootstrap
    losscol = args.losscol or args.y
    if src.is_dir():
        N, D, L = _sweep_table(src, args.var)
        C = None
    else:
        cols = _read_csv(src)
        N, D, L = (_column(cols, c, src) for c in (args.ncol, args.dcol, losscol))
        C = _column(cols, args.flopscol, src) if args.flopscol else None
    if law == "isoflop":
        iso = fit_isoflop(N, D, L, C, bootstrap=K, seed=args.seed, confidence=args.confidence)
        emit(iso.to_dict(), args.json, text=repr(iso))
        return 0
    fixed = _parse_fix(args.fix)
    kw: Dict[str, Any] = dict(
        huber_delta=args.huber_delta,
        bootstrap=K,
        seed=args.seed,
        confidence=args.confidence,
        init_grid=args.grid,
        n_jobs=args.jobs,
        progress=sys.stderr.isatty(),
        **fixed,
    )
    import warnings

    from ..fit import IdentifiabilityWarning

    with warnings.catch_warnings():  # they are reported in the output ("warnings")
        warnings.simplefilter("ignore", IdentifiabilityWarning)
        hold = None
        if args.max_flops is not None or args.max_N is not None:
            hold = leave_out(N, D, L, max_flops=args.max_flops, max_N=args.max_N, **kw)
            res = hold.fit
        else:
            res = fit_chinchilla(N, D, L, **kw)
    out = res.to_dict()
    text = repr(res)
    if hold is not None:
        out["holdout"] = hold.to_dict()
        out["holdout"].pop("params", None)
        text += "\n" + repr(hold)
    if args.budgets:
        from ._common import parse_number_list

        try:
            budgets = parse_number_list(args.budgets)
        except argparse.ArgumentTypeError as exc:
            raise CliError(f"--budgets: {exc}") from None
        alloc = res.allocation(budgets)
        out["allocation_at"] = alloc.to_dict()
        text += "\n" + repr(alloc)
    if args.plot:
        fig = plot_fit(res, N, D, L, train=None if hold is None else hold.train)
        try:
            fig.savefig(args.plot)
        except OSError as exc:
            raise CliError(f"cannot write {args.plot}: {exc.strerror}") from None
    emit(out, args.json, text=text)
    return 0


def run(args: argparse.Namespace) -> int:
    from ..fit import fit_power_law, fit_scaling_law

    law = _law(args)
    src = Path(args.source)
    if law in ("chinchilla", "isoflop"):
        return _run_new(args, law, src)
    args.model = law
    if args.bootstrap is not None and args.bootstrap < 0:
        raise CliError(f"--bootstrap must be >= 0, got {args.bootstrap}")
    if args.losscol:
        args.y = args.losscol

    src = Path(args.source)
    if src.is_dir():
        from ..sweep import load

        ds = load(src)
        if args.var not in ds:
            raise CliError(f"{src}: no variable {args.var!r} (have: {', '.join(ds.data_vars)})")
        da = ds[args.var]
        if "time" not in da.dims:
            raise CliError(f"{src}: {args.var!r} has no shared time axis to fit")
        model = args.model or ("scaling" if "N" in da.dims else "power")
        if model == "scaling":
            if "N" not in da.dims:
                raise CliError(f"{src}: the scaling model needs an N axis in the sweep")
            other = [d for d in da.dims if d not in ("N", "time")]
            sub = da.isel({d: 0 for d in other}) if other else da
            # sweep axes may hold "inf" (N = inf from TOML): those curves carry no N-dependence
            # and are left out of the fit over finite N
            n_axis = np.array([float(v) for v in sub["N"].values])
            sub = sub.isel(N=np.flatnonzero(np.isfinite(n_axis)))
            if sub.sizes["N"] < 2:
                raise CliError(f"{src}: the scaling model needs at least 2 finite N values")
            tt, nn = np.meshgrid(sub["time"].values, n_axis[np.isfinite(n_axis)])
            vals = sub.transpose("N", "time").values
            t, n, y = tt.ravel(), nn.ravel(), vals.ravel()
        else:
            other = [d for d in da.dims if d != "time"]
            sub = da.isel({d: 0 for d in other}) if other else da
            x, y = sub["time"].values, sub.values
    else:
        cols = _read_csv(src)
        model = args.model or "power"
        y = _column(cols, args.y, src)
        if model == "scaling":
            t, n = _column(cols, args.x, src), _column(cols, args.ncol, src)
        else:
            x = _column(cols, args.x, src)
    ok = np.isfinite(y)
    res: Union[ScalingLawFit, PowerLawFit]
    if model == "scaling":
        res = fit_scaling_law(
            t[ok],
            n[ok],
            y[ok],
            with_offset=not args.no_offset,
            confidence=args.confidence,
            bootstrap=args.bootstrap or 0,
            seed=args.seed,
            n_jobs=args.jobs,
        )
    else:
        res = fit_power_law(
            x[ok],
            y[ok],
            xmin=args.xmin,
            xmax=args.xmax,
            confidence=args.confidence,
            bootstrap=args.bootstrap or 0,
            seed=args.seed,
        )
    emit({"model": model, **res.to_dict()}, args.json, text=repr(res))
    return 0
