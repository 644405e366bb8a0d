"""Parameter sweeps on local cores or a Dask cluster, with resumable, data-only results.

A sweep runs one *point function* over a grid (or a list) of parameter points. Each point returns
a curve: a 1-D ``time`` axis (times, or SGD steps) and variables along it (losses, standard
errors), plus optional scalars. Built-in point functions (see :data:`POINT_FUNCTIONS`):

* ``"simulate.gd"``  -- :func:`scalinglaws.simulate_gd` (mean and SEM over ``seeds``);
* ``"simulate.sgd"`` -- :func:`scalinglaws.simulate_sgd`;
* ``"dmft.loss_curve"`` -- :func:`scalinglaws.dmft.loss_curve` (theory: test and train loss);
* ``"plrf.loss_curve"`` -- :func:`scalinglaws.plrf.loss_curve` (theory: Volterra loss P(r));

theory modules register theirs the same way (:func:`point_function`). A user function can be given
as ``"package.module:function"``; it must accept keyword parameters and return a mapping with a
``"time"`` array and arrays of the same length (or scalars).

Results directory (data only: JSON, no pickle, so loading someone else's results runs no code)::

    DIR/sweep.json             the sweep: function, grid or points, fixed parameters, version
    DIR/points/KEY.json        one record per finished point (written atomically when it ends):
                               params, outputs or error, package version, seed, wall time

``KEY`` is a hash of the point's parameters. An interrupted sweep (Ctrl-C, killed worker, crashed
machine) keeps every finished record; ``resume=True`` recomputes only the missing points. A point
that raises is recorded with its error and does not stop the sweep. :func:`load` returns an
``xarray.Dataset`` with the swept parameters (plus ``time``) as dimensions.

Local runs use a process pool (``workers`` processes; each point then runs its C++ core on one
thread). ``scheduler="tcp://host:8786"`` (or an ``executor``) runs the points on a Dask
distributed cluster through Dask's own ``Client.get_executor()``; records are written by this
process, so workers need no shared file system.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import importlib
import inspect
import itertools
import json
import math
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np

__all__ = [
    "SweepSpec",
    "SweepSummary",
    "POINT_FUNCTIONS",
    "point_function",
    "run",
    "load",
    "read_toml",
]

PointFunction = Callable[..., Any]
POINT_FUNCTIONS: Dict[str, PointFunction] = {}
#: built-in point function -> the library function whose keywords it forwards
_TARGETS: Dict[PointFunction, str] = {}


def point_function(name: str, target: str) -> Callable[[PointFunction], PointFunction]:
    """Register a built-in point function under ``name`` that forwards its keywords (besides the
    problem's parameters) to the library function ``target`` ("module:function")."""

    def deco(fn: PointFunction) -> PointFunction:
        POINT_FUNCTIONS[name] = fn
        _TARGETS[fn] = target
        return fn

    return deco


def _target_parameters(fn: PointFunction) -> set:
    mod, _, attr = _TARGETS[fn].partition(":")
    target = getattr(importlib.import_module(mod), attr)
    return {p.name for p in inspect.signature(target).parameters.values()
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "problem"}


def resolve_function(name: str) -> PointFunction:
    """A registered name or ``"module:function"``."""
    if name in POINT_FUNCTIONS:
        return POINT_FUNCTIONS[name]
    if ":" in name:
        mod_name, _, attr = name.partition(":")
        try:
            fn = getattr(importlib.import_module(mod_name), attr)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"cannot import sweep function {name!r}: {exc}") from None
        if not callable(fn):
            raise ValueError(f"sweep function {name!r} is not callable")
        return fn
    known = ", ".join(sorted(POINT_FUNCTIONS))
    raise ValueError(f"unknown sweep function {name!r} (built-in: {known}; or 'module:function')")


# --------------------------------------------------------------------------- built-in functions
def _problem(params: Dict[str, Any], need_size: bool = True):
    from .problem import Problem

    keys = ("a", "b", "M", "N", "alpha", "beta", "v", "d", "sigma", "normalize")
    return Problem.from_params(**{k: params.pop(k) for k in keys if k in params},
                               need_size=need_size)


@point_function("simulate.gd", "scalinglaws.simulate:simulate_gd")
def _simulate_gd_point(*, P: int, times: Sequence[float], **kwargs: Any) -> Any:
    """Full-batch GD/GF (:func:`scalinglaws.simulate_gd`); problem by either family."""
    from .simulate import simulate_gd

    return simulate_gd(_problem(kwargs), P, times=times, **kwargs)


@point_function("dmft.loss_curve", "scalinglaws.dmft:loss_curve")
def _dmft_loss_curve_point(*, times: Sequence[float], P: Any = None, **kwargs: Any) -> Any:
    """DMFT theory curve (:func:`scalinglaws.dmft.loss_curve`); problem by either family.
    ``P``, ``N``, ``ensemble`` and ``bags`` may be the string ``"inf"`` in TOML."""
    from . import dmft
    from ._validate import check_size

    N = kwargs.pop("N", None)
    if N is not None and not math.isinf(check_size("N", N)):
        kwargs["N"] = N             # a finite N belongs to the problem; inf is passed as N=
        N = None
    problem = _problem(kwargs, need_size=False)
    return dmft.loss_curve(problem, P, times, N=N, **kwargs)


@point_function("plrf.loss_curve", "scalinglaws.plrf:loss_curve")
def _plrf_loss_curve_point(*, lr: float, steps: int, **kwargs: Any) -> Any:
    """Volterra loss curve of one-pass SGD (:func:`scalinglaws.plrf.loss_curve`); problem by
    either family (``v`` or ``M`` may be ``"inf"``). The time axis is the step count r;
    ``flops`` = B d r."""
    from . import plrf

    return plrf.loss_curve(_problem(kwargs), lr=lr, steps=steps, **kwargs)


@point_function("simulate.sgd", "scalinglaws.simulate:simulate_sgd")
def _simulate_sgd_point(*, lr: float, steps: int, **kwargs: Any) -> Any:
    """One-pass SGD (:func:`scalinglaws.simulate_sgd`); problem by either family."""
    from .simulate import simulate_sgd

    return simulate_sgd(_problem(kwargs), lr, steps, **kwargs)


def curve_outputs(curve: Any) -> Dict[str, Any]:
    """A point function's result as a record's outputs: a :class:`~scalinglaws.LossCurve` gives
    ``time``, ``test_loss`` and, where defined, ``test_loss_sem``, ``train_loss``,
    ``train_loss_sem`` and ``flops`` (step-count curves); a dict is taken as it is."""
    from .results import LossCurve

    if not isinstance(curve, LossCurve):
        return dict(curve)
    out: Dict[str, Any] = {"time": curve.times, "test_loss": curve.test_loss}
    for name in ("test_loss_sem", "train_loss", "train_loss_sem"):
        if getattr(curve, name) is not None:
            out[name] = getattr(curve, name)
    if curve.time_unit == "steps" and curve.model == "plrf":
        out["flops"] = curve.flops
    return out


_PROBLEM_KEYS = {"a", "b", "M", "N", "alpha", "beta", "v", "d", "sigma", "normalize"}


def check_parameters(fn: PointFunction, params: Mapping[str, Any], name: str) -> None:
    """Refuse parameters the function does not accept, naming them and the accepted ones."""
    sig = inspect.signature(fn)
    accepted = {p.name for p in sig.parameters.values()
                if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    var_kw = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    allowed = accepted
    if fn in _TARGETS:
        allowed = accepted | _PROBLEM_KEYS | _target_parameters(fn)
    if var_kw and fn not in POINT_FUNCTIONS.values():
        return  # user function takes **kwargs: anything goes
    if fn in _TARGETS:
        bord = sorted(set(params) & {"a", "b", "M", "N"})
        paq = sorted(set(params) & {"alpha", "beta", "v", "d"})
        if bord and paq:
            raise ValueError(f"mix of parameter families for sweep function {name!r}: "
                             f"{', '.join(bord)} (Bordelon et al.) with {', '.join(paq)} "
                             "(Paquette et al.); use one family")
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for sweep function {name!r} "
                         f"(accepted: {', '.join(sorted(allowed))})")
    missing = [p.name for p in sig.parameters.values()
               if p.default is p.empty and p.kind == p.KEYWORD_ONLY and p.name not in params]
    if missing:
        raise ValueError(f"missing parameter(s) {', '.join(missing)} for sweep function {name!r}")


# --------------------------------------------------------------------------- specification
def _jsonable(x: Any) -> Any:
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    return x


def point_key(params: Mapping[str, Any]) -> str:
    text = json.dumps(_jsonable(dict(params)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass
class SweepSpec:
    """What to run: ``function`` over the cartesian product of ``grid`` (in the given order) or
    over the explicit ``points``, each merged with the ``fixed`` parameters."""

    function: str
    grid: Dict[str, List[Any]] = field(default_factory=dict)
    fixed: Dict[str, Any] = field(default_factory=dict)
    points: Optional[List[Dict[str, Any]]] = None

    def __post_init__(self) -> None:
        if not isinstance(self.function, str) or not self.function:
            raise ValueError("function must be a non-empty string")
        self.grid = {str(k): list(v) if isinstance(v, (list, tuple, np.ndarray)) else [v]
                     for k, v in dict(self.grid).items()}
        for k, v in self.grid.items():
            if not v:
                raise ValueError(f"grid axis {k!r} is empty")
            if len(set(json.dumps(_jsonable(x)) for x in v)) != len(v):
                raise ValueError(f"grid axis {k!r} has repeated values")
        if self.points is not None:
            if self.grid:
                raise ValueError("give either grid or points, not both")
            if not self.points:
                raise ValueError("points is empty")
            self.points = [dict(p) for p in self.points]
        overlap = set(self.fixed) & (set(self.grid) | set().union(*(self.points or [{}])))
        if overlap:
            raise ValueError(f"parameter(s) {', '.join(sorted(overlap))} are both fixed and swept")

    def expand(self) -> List[Dict[str, Any]]:
        """All points, in order, with the fixed parameters merged in."""
        if self.points is not None:
            return [{**self.fixed, **p} for p in self.points]
        if not self.grid:
            return [dict(self.fixed)]
        names = list(self.grid)
        return [{**self.fixed, **dict(zip(names, combo))}
                for combo in itertools.product(*(self.grid[n] for n in names))]

    def validate(self) -> None:
        fn = resolve_function(self.function)
        for p in self.expand()[:1] + (self.expand()[-1:] if self.points is None else self.expand()):
            check_parameters(fn, p, self.function)

    def to_json(self) -> Dict[str, Any]:
        return _jsonable({"function": self.function, "grid": self.grid, "fixed": self.fixed,
                          "points": self.points})

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "SweepSpec":
        return cls(function=d["function"], grid=d.get("grid") or {}, fixed=d.get("fixed") or {},
                   points=d.get("points"))


def read_toml(path: Union[str, os.PathLike]) -> SweepSpec:
    """Read a sweep from TOML::

        function = "simulate.gd"
        [fixed]
        a = 1.5
        b = 1.25
        M = 4096
        lr = 0.5
        times = [1, 10, 100]
        seeds = 8
        [grid]
        N = [64, 128, 256]
        P = [256, 1024]

    (or ``[[points]]`` tables instead of ``[grid]``).
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ValueError(f"sweep file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"malformed TOML in {path}: {exc}") from None
    unknown = set(data) - {"function", "grid", "fixed", "points"}
    if unknown:
        raise ValueError(f"unknown key(s) in {path}: {', '.join(sorted(unknown))} "
                         "(expected function, grid, fixed, points)")
    if "function" not in data:
        raise ValueError(f"{path}: missing 'function' (e.g. function = \"simulate.gd\")")
    return SweepSpec.from_json(data)


# --------------------------------------------------------------------------- running
def _version() -> str:
    from . import __version__

    return __version__


def _run_point(function: str, params: Dict[str, Any], single_thread: bool) -> Dict[str, Any]:
    """Run one point (in a worker) and return its record (never raises for the point's errors)."""
    t0 = time.perf_counter()
    record: Dict[str, Any] = {"params": _jsonable(params), "version": _version(),
                              "seed": _jsonable(params.get("seed")), "function": function}
    try:
        fn = resolve_function(function)
        kwargs = dict(params)
        if single_thread and "threads" not in kwargs and \
                "threads" in inspect.signature(fn).parameters:
            kwargs["threads"] = 1
        out = fn(**kwargs)
        outputs: Dict[str, Any] = {}
        for k, v in curve_outputs(out).items():
            arr = np.asarray(v, dtype=np.float64) if v is not None else None
            if arr is None:
                continue
            if not np.all(np.isfinite(arr)) and k != "test_loss_sem" and not k.endswith("_sem"):
                raise FloatingPointError(f"output {k!r} has non-finite values")
            outputs[k] = [None if not math.isfinite(x) else x for x in arr.ravel().tolist()] \
                if arr.ndim else (float(arr) if math.isfinite(float(arr)) else None)
        if "time" not in outputs or not isinstance(outputs["time"], list):
            raise ValueError("a point function must return a 1-D 'time' array")
        record.update(status="ok", outputs=outputs, error=None)
    except Exception as exc:  # recorded, does not stop the sweep
        record.update(status="error", outputs=None,
                      error=f"{type(exc).__name__}: {exc}",
                      traceback=traceback.format_exc(limit=8))
    record["wall_time"] = time.perf_counter() - t0
    return record


def _write_json_atomic(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    with open(tmp, "w") as f:
        json.dump(obj, f, allow_nan=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@dataclass
class SweepSummary:
    """What a call to :func:`run` did."""

    directory: Path
    total: int
    computed: int
    skipped: int
    failed: int
    wall_time: float

    def __str__(self) -> str:
        return (f"sweep {self.directory}: {self.total} points, {self.computed} computed, "
                f"{self.skipped} already done, {self.failed} failed, {self.wall_time:.1f} s")


def _connect(scheduler: str, timeout: float) -> Any:
    try:
        from dask.distributed import Client
    except ImportError:
        raise ValueError("running on a scheduler needs dask.distributed: "
                         "pip install 'scalinglaws[sweep]'") from None
    try:
        return Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"cannot reach the Dask scheduler at {scheduler}: {msg}") from None


def run(spec: SweepSpec, directory: Union[str, os.PathLike], *, resume: bool = False,
        workers: Optional[int] = None, scheduler: Optional[str] = None,
        executor: Optional[cf.Executor] = None, progress: bool = True,
        connect_timeout: float = 10.0) -> SweepSummary:
    """Run ``spec`` and write one record per finished point into ``directory``.

    Parameters
    ----------
    resume : bool
        Continue an interrupted sweep in an existing directory (the spec must be the same);
        only points without a record are computed.
    workers : int
        Local worker processes (default: number of cores); 1 runs in this process.
    scheduler : str
        Address of a Dask distributed scheduler (e.g. ``"tcp://127.0.0.1:8786"``).
    executor : concurrent.futures.Executor
        Any executor instead (e.g. ``dask.distributed.Client(...).get_executor()``).
    progress : bool
        A tqdm progress bar (points done, rate, ETA) on stderr; False for quiet scripts.
    """
    directory = Path(directory)
    spec.validate()
    index_path = directory / "sweep.json"
    if index_path.exists():
        if not resume:
            raise ValueError(f"{directory} already holds a sweep: pass resume=True (--resume) to "
                             "continue it, or choose another directory")
        stored = json.loads(index_path.read_text())
        if stored.get("spec") != spec.to_json():
            raise ValueError(f"{directory} holds a different sweep; cannot resume it with this one")
    (directory / "points").mkdir(parents=True, exist_ok=True)
    points = spec.expand()
    keys = [point_key(p) for p in points]
    if len(set(keys)) != len(keys):
        raise ValueError("the sweep has repeated points")
    if not index_path.exists():
        _write_json_atomic(index_path, {"spec": spec.to_json(), "keys": keys,
                                        "version": _version(), "format": 1})
    todo = [(k, p) for k, p in zip(keys, points) if not (directory / "points" / f"{k}.json").exists()]
    t0 = time.perf_counter()
    failed = 0
    own_executor = None
    client = None
    if executor is None:
        if scheduler is not None:
            client = _connect(scheduler, connect_timeout)
            executor = client.get_executor()
        else:
            nworkers = workers if workers is not None else (os.cpu_count() or 1)
            if nworkers < 1:
                raise ValueError(f"workers must be >= 1, got {nworkers}")
            if nworkers > 1 and len(todo) > 1:
                import multiprocessing as mp

                own_executor = cf.ProcessPoolExecutor(
                    nworkers, mp_context=mp.get_context("spawn"))
                executor = own_executor
    single_thread = executor is not None
    bar = _progress_bar(len(points), len(points) - len(todo), progress)
    try:
        if executor is None:
            for k, p in todo:
                rec = _run_point(spec.function, p, False)
                failed += rec["status"] != "ok"
                _write_json_atomic(directory / "points" / f"{k}.json", rec)
                bar.update(1)
        else:
            futures = {executor.submit(_run_point, spec.function, p, single_thread): k
                       for k, p in todo}
            try:
                for fut in cf.as_completed(futures):
                    rec = fut.result()
                    failed += rec["status"] != "ok"
                    _write_json_atomic(directory / "points" / f"{futures[fut]}.json", rec)
                    bar.update(1)
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        bar.close()
        if own_executor is not None:
            own_executor.shutdown(wait=False, cancel_futures=True)
        if client is not None:
            client.close()
    return SweepSummary(directory, len(points), len(todo), len(points) - len(todo), failed,
                        time.perf_counter() - t0)


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, done: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return _NoBar()
    return tqdm(total=total, initial=done, unit="pt", desc="sweep", file=sys.stderr,
                dynamic_ncols=True)


# --------------------------------------------------------------------------- loading
def load(directory: Union[str, os.PathLike]) -> Any:
    """Load a results directory as an ``xarray.Dataset``.

    Dimensions: the grid axes in order (or ``point`` for a list of points), plus ``time`` when
    all points share one time axis (otherwise ``t_index``, with a ``time`` variable). Variables:
    every output along time (losses, standard errors), scalar outputs, and per point ``status``
    ("ok", "error", "missing"), ``error`` (message), ``wall_time`` (s) and ``version``. Missing or
    failed points hold NaN in the numeric variables; ``status`` says which. Reads JSON only.
    """
    import xarray as xr

    directory = Path(directory)
    try:
        index = json.loads((directory / "sweep.json").read_text())
    except FileNotFoundError:
        raise ValueError(f"{directory} is not a sweep results directory (no sweep.json)") from None
    spec = SweepSpec.from_json(index["spec"])
    keys: List[str] = index["keys"]
    records: List[Optional[Dict[str, Any]]] = []
    for k in keys:
        path = directory / "points" / f"{k}.json"
        records.append(json.loads(path.read_text()) if path.exists() else None)
    if spec.points is not None:
        dims: List[str] = ["point"]
        shape: List[int] = [len(keys)]
        coords: Dict[str, Any] = {}
        swept = sorted(set().union(*(p.keys() for p in spec.points)))
        for name in swept:
            vals = [p.get(name) for p in spec.points]
            coords[name] = ("point", np.asarray(vals, dtype=object if any(
                isinstance(v, (str, list)) or v is None for v in vals) else None))
    else:
        dims = list(spec.grid)
        shape = [len(spec.grid[d]) for d in dims]
        coords = {d: _coord(spec.grid[d]) for d in dims}
    ok = [r for r in records if r is not None and r["status"] == "ok"]
    times = [tuple(r["outputs"]["time"]) for r in ok]
    shared_time = bool(times) and all(t == times[0] for t in times)
    tdim = "time" if shared_time else "t_index"
    ntime = len(times[0]) if shared_time else (max((len(t) for t in times), default=0))
    if shared_time:
        coords["time"] = np.asarray(times[0], dtype=np.float64)
    data_vars: Dict[str, Any] = {}
    var_names: List[str] = []
    for r in ok:
        for name in r["outputs"]:
            if name not in var_names and (name != "time" or not shared_time):
                var_names.append(name)
    n = len(keys)
    for name in var_names:
        is_curve = any(isinstance(r["outputs"].get(name), list) for r in ok)
        arr = np.full((n, ntime) if is_curve else (n,), np.nan)
        for i, r in enumerate(records):
            if r is None or r["status"] != "ok" or r["outputs"].get(name) is None:
                continue
            v = r["outputs"][name]
            if is_curve:
                vals = np.array([np.nan if x is None else x for x in v], dtype=np.float64)
                arr[i, : len(vals)] = vals
            else:
                arr[i] = v
        full_dims = dims + [tdim] if is_curve else dims
        data_vars[name] = (full_dims, arr.reshape(shape + ([ntime] if is_curve else [])))
    status = np.array([("missing" if r is None else r["status"]) for r in records], dtype=object)
    error = np.array([("" if r is None or r.get("error") is None else r["error"]) for r in records],
                     dtype=object)
    wall = np.array([np.nan if r is None else r["wall_time"] for r in records])
    version = np.array([("" if r is None else r["version"]) for r in records], dtype=object)
    data_vars["status"] = (dims, status.reshape(shape))
    data_vars["error"] = (dims, error.reshape(shape))
    data_vars["wall_time"] = (dims, wall.reshape(shape))
    data_vars["version"] = (dims, version.reshape(shape))
    attrs = {"function": spec.function, "fixed": json.dumps(spec.fixed),
             "created_with": index.get("version", "")}
    for k, v in spec.fixed.items():
        if isinstance(v, (int, float, str)) and not isinstance(v, bool):
            attrs[k] = v
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _coord(values: List[Any]) -> np.ndarray:
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.asarray(values)
    return np.asarray([json.dumps(v) if isinstance(v, (list, dict)) else v for v in values],
                      dtype=object)
