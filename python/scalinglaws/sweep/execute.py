"""Running a sweep locally or on a Dask cluster, with atomic per-point records and resume."""

from __future__ import annotations

import concurrent.futures as cf
import inspect
import json
import math
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Union

import numpy as np

from .._docstrings import fill_doc
from ..errors import ParameterError
from ._docs import DOCS
from .points import curve_outputs, fold_schedule, resolve_function
from .spec import SweepSpec, _jsonable, point_key

__all__ = ["run", "SweepSummary"]


# --------------------------------------------------------------------------- running
def _version() -> str:
    from .. import __version__

    return __version__


def _run_point(function: str, params: Dict[str, Any], single_thread: bool) -> Dict[str, Any]:
    """Run one point (in a worker) and return its record (never raises for the point's errors)."""
    t0 = time.perf_counter()
    record: Dict[str, Any] = {
        "params": _jsonable(params),
        "version": _version(),
        "seed": _jsonable(params.get("seed")),
        "function": function,
    }
    try:
        fn = resolve_function(function)
        kwargs = fold_schedule(params)
        if (
            single_thread
            and "threads" not in kwargs
            and "threads" in inspect.signature(fn).parameters
        ):
            kwargs["threads"] = 1
        out = fn(**kwargs)
        outputs: Dict[str, Any] = {}
        for k, v in curve_outputs(out).items():
            arr = np.asarray(v, dtype=np.float64) if v is not None else None
            if arr is None:
                continue
            if not np.all(np.isfinite(arr)) and k != "test_loss_sem" and not k.endswith("_sem"):
                raise FloatingPointError(f"output {k!r} has non-finite values")
            outputs[k] = (
                [None if not math.isfinite(x) else x for x in arr.ravel().tolist()]
                if arr.ndim
                else (float(arr) if math.isfinite(float(arr)) else None)
            )
        if "time" not in outputs or not isinstance(outputs["time"], list):
            raise ParameterError("a point function must return a 1-D 'time' array")
        record.update(status="ok", outputs=outputs, error=None)
    except Exception as exc:  # recorded, does not stop the sweep
        record.update(
            status="error",
            outputs=None,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(limit=8),
        )
    record["wall_time"] = time.perf_counter() - t0
    return record


def _write_json_atomic(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    try:
        text = json.dumps(obj, allow_nan=False)  # encode first: a failure writes nothing
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@fill_doc(DOCS)
@dataclass
class SweepSummary:
    """What a call to :func:`run` did.

    Parameters
    ----------
    directory : pathlib.Path
        The results directory.
    total : int
        Points of the sweep.
    computed : int
        Points computed by this call.
    skipped : int
        Points already done (resume).
    failed : int
        Points whose function raised (their records hold the error).
    wall_time : float
        Seconds this call took.

    Examples
    --------
    {example_run}
    >>> summary.total, summary.computed, summary.skipped, summary.failed
    (2, 2, 0, 0)
    """

    directory: Path
    total: int
    computed: int
    skipped: int
    failed: int
    wall_time: float

    def __str__(self) -> str:
        return (
            f"sweep {self.directory}: {self.total} points, {self.computed} computed, "
            f"{self.skipped} already done, {self.failed} failed, {self.wall_time:.1f} s"
        )


def _connect(scheduler: str, timeout: float) -> Any:
    try:
        from dask.distributed import Client
    except ImportError:
        raise ParameterError(
            "running on a scheduler needs dask.distributed: pip install 'scalinglaws[sweep]'"
        ) from None
    try:
        return Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ParameterError(f"cannot reach the Dask scheduler at {scheduler}: {msg}") from None


@fill_doc(DOCS)
def run(
    spec: SweepSpec,
    directory: Union[str, os.PathLike],
    *,
    resume: bool = False,
    workers: Optional[int] = None,
    scheduler: Optional[str] = None,
    executor: Optional[cf.Executor] = None,
    progress: bool = True,
    connect_timeout: float = 10.0,
) -> SweepSummary:
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
    spec : SweepSpec
        What to run (validated first).
    directory : str or path-like
        Results directory (created; one JSON record per point plus ``sweep.json``).
    connect_timeout : float
        Seconds to wait for ``scheduler``.

    Returns
    -------
    SweepSummary
        Counts and wall time.

    Raises
    ------
    ParameterError
        An invalid spec, an existing sweep without ``resume`` or a different spec with it, or
        an unreachable scheduler.

    Notes
    -----
    Guide: :ref:`tutorial-sweep`.

    Examples
    --------
    {example_run}
    >>> print(summary)                                     # doctest: +ELLIPSIS
    sweep ...: 2 points, 2 computed, 0 already done, 0 failed, ... s
    """
    directory = Path(directory)
    spec.validate()
    index_path = directory / "sweep.json"
    if index_path.exists():
        if not resume:
            raise ParameterError(
                f"{directory} already holds a sweep: pass resume=True (--resume) to "
                "continue it, or choose another directory"
            )
        stored = json.loads(index_path.read_text())
        if stored.get("spec") != spec.to_json():
            raise ParameterError(
                f"{directory} holds a different sweep; cannot resume it with this one"
            )
    (directory / "points").mkdir(parents=True, exist_ok=True)
    points = spec.expand()
    keys = [point_key(p) for p in points]
    if len(set(keys)) != len(keys):
        raise ParameterError("the sweep has repeated points")
    if not index_path.exists():
        _write_json_atomic(
            index_path, {"spec": spec.to_json(), "keys": keys, "version": _version(), "format": 1}
        )
    todo = [
        (k, p) for k, p in zip(keys, points) if not (directory / "points" / f"{k}.json").exists()
    ]
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
                raise ParameterError(f"workers must be >= 1, got {nworkers}")
            if nworkers > 1 and len(todo) > 1:
                import multiprocessing as mp

                own_executor = cf.ProcessPoolExecutor(nworkers, mp_context=mp.get_context("spawn"))
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
            futures = {
                executor.submit(_run_point, spec.function, p, single_thread): k for k, p in todo
            }
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
    return SweepSummary(
        directory, len(points), len(todo), len(points) - len(todo), failed, time.perf_counter() - t0
    )


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
    return tqdm(
        total=total, initial=done, unit="pt", desc="sweep", file=sys.stderr, dynamic_ncols=True
    )
