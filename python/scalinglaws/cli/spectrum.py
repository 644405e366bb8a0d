"""``scalinglaws spectrum``: kernel spectrum, fitted (a, b) and predicted scaling exponents."""

from __future__ import annotations

import argparse
import os
from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import CliError, emit
from ._common import add_command

EXAMPLES = """FILE.npz contents (numpy.savez):
  X (n x d) and y (n or n x c): the kernel is computed from the points X (rows), or
  K (n x n, symmetric Gram matrix) and y: the kernel options are then not used.

JSON output (--json), one object:
  a, a_interval [lo, hi]   task-power exponent: tail 1 - C(k) ~ k^-(a-1)
  b, b_interval [lo, hi]   spectral exponent: eigenvalues of K/n ~ k^-b
  exponents.time           L ~ t^-(a-1)/b                (N, P = inf)
  exponents.model, .data   L ~ N^-m, P^-m, m = min(a-1, 2b)
  exponents.compute        compute-optimal at C = N t: t ~ C^t, N ~ C^N, L* ~ C^loss (loss < 0)
  n, kernel, depth, source, fit_a, fit_b (k ranges, half-range exponents, points)
  Intervals: union of a 95% pairs-bootstrap interval and the exponents fitted on the lower and
  upper halves (in log k) of the range.

examples:
  scalinglaws spectrum --dataset digits --kernel ntk --depth 2 --json
  scalinglaws spectrum data.npz --kernel rbf --bandwidth 8 --b-range 4,200 --a-range 4,200
  scalinglaws spectrum gram.npz --plot spectrum.png
"""


def _parse_range(text: Optional[str], flag: str) -> Optional[Tuple[int, int]]:
    if text is None:
        return None
    parts = text.split(",")
    try:
        lo, hi = (int(p) for p in parts)
    except ValueError:
        raise CliError(f"{flag} must be 'KMIN,KMAX' (integers), got {text!r}") from None
    return lo, hi


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "spectrum",
        help="kernel spectrum, fitted (a, b) and predicted scaling exponents",
        examples=EXAMPLES,
        description="Eigenvalues of K/n and target power per eigenmode of a kernel on data; "
        "fits lambda_k ~ k^-b and 1 - C(k) ~ k^-(a-1); prints a, b, their "
        "intervals and the predicted time, model/data and compute-optimal "
        "exponents of Bordelon, Atanasov & Pehlevan (2024).",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", metavar="FILE.npz", help="X and y, or K and y")
    src.add_argument(
        "--dataset",
        choices=("digits",),
        help="a dataset shipped in a package: digits = scikit-learn load_digits "
        "(needs scikit-learn), standardised pixels, centred one-hot labels",
    )
    p.add_argument(
        "--kernel",
        choices=("ntk", "nngp", "rbf", "laplace"),
        default="ntk",
        help="kernel computed from X (default ntk)",
    )
    p.add_argument(
        "--depth",
        type=int,
        default=2,
        help="hidden layers of the ReLU network for ntk / nngp (default 2)",
    )
    p.add_argument(
        "--bias-variance",
        type=float,
        default=0.0,
        help="bias variance of the ReLU network (default 0; weight variance is 2)",
    )
    p.add_argument(
        "--bandwidth",
        type=float,
        default=None,
        help="rbf / laplace length scale (default: median distance)",
    )
    p.add_argument(
        "--b-range", default=None, metavar="KMIN,KMAX", help="modes used to fit b (default 4,n/20)"
    )
    p.add_argument(
        "--a-range", default=None, metavar="KMIN,KMAX", help="modes used to fit a (default 4,n/20)"
    )
    p.add_argument("--bootstrap", type=int, default=500, help="bootstrap resamples (default 500)")
    p.add_argument("--max-n", type=int, default=None, help="use only the first MAX_N points")
    p.add_argument("--plot", default=None, metavar="PNG", help="save a plot of the fits")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def _load(args: argparse.Namespace) -> Dict[str, Any]:
    from .. import spectra

    if args.dataset is not None:
        try:
            X, y = spectra.load_dataset(args.dataset)
        except ImportError as exc:
            raise CliError(str(exc)) from None
        return {"X": X, "y": y, "source": f"dataset:{args.dataset}"}
    path = args.file
    if not os.path.exists(path):
        raise CliError(f"no such file: {path}")
    if os.path.isdir(path):
        raise CliError(f"{path} is a directory; give an .npz file")
    try:
        with open(path, "rb") as fh:  # our handle: closed even when numpy fails to parse
            loaded = np.load(fh, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                raise ValueError("not an .npz archive (a single array?)")
            with loaded as f:
                data = {k: np.asarray(f[k]) for k in f.files}
    except Exception as exc:  # zipfile.BadZipFile, EOFError, OSError, ValueError, ...
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise CliError(f"cannot read {path} as an .npz file: {detail}") from None
    if "y" not in data:
        raise CliError(
            f"{path} must contain 'y' (targets) and 'X' (points) or 'K' (Gram matrix); "
            f"found {sorted(data)}"
        )
    if ("X" in data) == ("K" in data):
        raise CliError(
            f"{path} must contain exactly one of 'X' (points) or 'K' (Gram matrix); "
            f"found {sorted(data)}"
        )
    out = {"y": data["y"], "source": os.path.basename(path)}
    out["X" if "X" in data else "K"] = data["X" if "X" in data else "K"]
    return out


def run(args: argparse.Namespace) -> int:
    from .. import spectra

    data = _load(args)
    y = np.asarray(data["y"], dtype=np.float64)
    n_max = None
    if args.max_n is not None:
        if args.max_n < 8:
            raise CliError(f"--max-n must be >= 8, got {args.max_n}")
        n_max = args.max_n
    if "K" in data:
        K = np.asarray(data["K"], dtype=np.float64)
        if n_max is not None:
            K = K[:n_max, :n_max]
            y = y[:n_max]
        kernel: Dict[str, Any] = {"kernel": "given"}
    else:
        X = np.asarray(data["X"], dtype=np.float64)
        if n_max is not None:
            X, y = X[:n_max], y[:n_max]
        if X.ndim == 2 and y.shape[0] != X.shape[0]:
            raise CliError(f"y must have one row per point of X ({X.shape[0]}), got {y.shape[0]}")
        K = spectra.kernel_matrix(
            X,
            kernel=args.kernel,
            depth=args.depth,
            bandwidth=args.bandwidth,
            bias_variance=args.bias_variance,
        )
        kernel = {"kernel": args.kernel}
        if args.kernel in ("ntk", "nngp"):
            kernel.update(depth=args.depth, bias_variance=args.bias_variance, weight_variance=2.0)
        else:
            kernel["bandwidth"] = (
                args.bandwidth if args.bandwidth is not None else spectra.median_bandwidth(X)
            )
    if args.bootstrap < 0:
        raise CliError(f"--bootstrap must be >= 0, got {args.bootstrap}")
    s = spectra.analyze_spectrum(
        K,
        y,
        b_range=_parse_range(args.b_range, "--b-range"),
        a_range=_parse_range(args.a_range, "--a-range"),
        n_boot=args.bootstrap,
    )
    out = s.to_dict()
    out.update(kernel)
    out["source"] = data["source"]
    if args.plot:
        try:
            s.plot(args.plot)
        except ImportError as exc:
            raise CliError(str(exc)) from None
        out["plot"] = args.plot
    emit(out, args.json, text=_text(out))
    return 0


def _text(o: Dict[str, Any]) -> str:
    lines = [
        f"{o['source']}: n = {o['n']}, kernel = {o['kernel']}"
        + (f", depth = {o['depth']}" if "depth" in o else ""),
        f"  b = {o['b']:.4f}  [{o['b_interval'][0]:.4f}, {o['b_interval'][1]:.4f}]  "
        f"(eigenvalues of K/n ~ k^-b, k = {o['fit_b']['k_range'][0]}..{o['fit_b']['k_range'][1]})",
        f"  a = {o['a']:.4f}  [{o['a_interval'][0]:.4f}, {o['a_interval'][1]:.4f}]  "
        f"(1 - C(k) ~ k^-(a-1), k = {o['fit_a']['k_range'][0]}..{o['fit_a']['k_range'][1]})",
    ]
    e = o.get("exponents")
    if e is None:
        lines.append(f"  no exponents: {o.get('exponents_error')}")
    else:
        c = e["compute"]
        lines += [
            f"  time:   L ~ t^-{e['time']:.4f}",
            f"  model:  L ~ N^-{e['model']:.4f}    data: L ~ P^-{e['data']:.4f}",
            f"  compute-optimal: t ~ C^{c['t']:.4f}, N ~ C^{c['N']:.4f}, L* ~ C^-{c['loss']:.4f}",
        ]
    return "\n".join(lines)
