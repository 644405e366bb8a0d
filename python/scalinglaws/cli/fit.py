"""``scalinglaws fit``: power laws and L = L_inf + A t^-x + B N^-y fits with intervals."""
from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

from . import CliError, emit

EXAMPLES = """examples:
  scalinglaws fit curve.csv --x t --y loss --xmin 10            # y = A x^-p
  scalinglaws fit runs.csv --model scaling --x t --N N --y loss  # L = L_inf + A t^-x + B N^-y
  scalinglaws fit results/ --var test_loss                       # a sweep directory
"""


def register(sub: Any) -> None:
    p = sub.add_parser("fit", help="fit power laws / scaling laws to data (CSV or sweep output)",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
                       description="Fit y = A x^-p, or L = L_inf + A t^-x + B N^-y, with "
                                   "confidence intervals.")
    p.add_argument("source", help="CSV file with a header row, or a sweep results directory")
    p.add_argument("--model", choices=("power", "scaling"), default=None,
                   help="power: y = A x^-p; scaling: L = L_inf + A t^-x + B N^-y "
                        "(default: power for CSV; scaling for a sweep with an N axis)")
    p.add_argument("--x", default="t", help="column of x (power) or t (scaling); default 't'")
    p.add_argument("--N", dest="ncol", default="N", help="column of N (scaling); default 'N'")
    p.add_argument("--y", default="loss", help="column of y / L; default 'loss'")
    p.add_argument("--var", default="test_loss", help="sweep variable to fit (default test_loss)")
    p.add_argument("--xmin", type=float, default=None, help="fit only x >= xmin (power)")
    p.add_argument("--xmax", type=float, default=None, help="fit only x <= xmax (power)")
    p.add_argument("--no-offset", action="store_true", help="scaling: L_inf = 0")
    p.add_argument("--confidence", type=float, default=0.95, help="interval level (0.95)")
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


def run(args: argparse.Namespace) -> int:
    from ..fit import fit_power_law, fit_scaling_law

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
    if model == "scaling":
        res = fit_scaling_law(t[ok], n[ok], y[ok], with_offset=not args.no_offset,
                              confidence=args.confidence)
    else:
        res = fit_power_law(x[ok], y[ok], xmin=args.xmin, xmax=args.xmax,
                            confidence=args.confidence)
    emit({"model": model, **res.to_dict()}, args.json, text=repr(res))
    return 0
