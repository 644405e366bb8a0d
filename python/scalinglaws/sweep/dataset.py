"""Loading a results directory as an ``xarray.Dataset``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import numpy as np

from .._docstrings import fill_doc
from ..errors import ParameterError
from ._docs import DOCS
from .spec import SweepSpec

__all__ = ["load"]


# --------------------------------------------------------------------------- loading
@fill_doc(DOCS)
def load(directory: Union[str, os.PathLike]) -> Any:
    """Load a results directory as an ``xarray.Dataset``.

    Dimensions: the grid axes in order (or ``point`` for a list of points), plus ``time`` when
    all points share one time axis (otherwise ``t_index``, with a ``time`` variable). Variables:
    every output along time (losses, standard errors), scalar outputs, and per point ``status``
    ("ok", "error", "missing"), ``error`` (message), ``wall_time`` (s) and ``version``. Missing or
    failed points hold NaN in the numeric variables; ``status`` says which. Reads JSON only.
    Guide: :ref:`tutorial-sweep`.

    Parameters
    ----------
    directory : str or path-like
        A directory written by :func:`~scalinglaws.sweep.run` (with ``sweep.json``).

    Returns
    -------
    xarray.Dataset
        As described above; the spec is in ``attrs``.

    Raises
    ------
    ParameterError
        Not a directory, no or an invalid ``sweep.json``.
    ImportError
        xarray is not installed (extra ``sweep``).

    Examples
    --------
    {example_run}
    >>> ds = load(directory)
    >>> dict(ds.sizes), list(ds.status.values)
    ({'N': 2, 'time': 2}, ['ok', 'ok'])
    """
    from .._optional import require

    xr = require("xarray", "scalinglaws.sweep.load")
    if not isinstance(directory, (str, os.PathLike)):
        raise ParameterError(f"directory must be a path, got {type(directory).__name__}")
    directory = Path(directory)
    if not directory.is_dir():
        raise ParameterError(f"{directory} is not a sweep results directory (not a directory)")
    try:
        index = json.loads((directory / "sweep.json").read_text())
        spec = SweepSpec.from_json(index["spec"])
        keys: List[str] = [str(k) for k in index["keys"]]
    except FileNotFoundError:
        raise ParameterError(
            f"{directory} is not a sweep results directory (no sweep.json)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParameterError(
            f"{directory / 'sweep.json'} is not a valid sweep index "
            f"({type(exc).__name__}: {' '.join(str(exc).split())})"
        ) from None
    records: List[Optional[Dict[str, Any]]] = []
    for k in keys:
        path = directory / "points" / f"{k}.json"
        try:
            records.append(json.loads(path.read_text()) if path.exists() else None)
        except (OSError, ValueError) as exc:
            raise ParameterError(
                f"{path} is not a valid point record "
                f"({type(exc).__name__}: {' '.join(str(exc).split())})"
            ) from None
    if spec.points is not None:
        dims: List[str] = ["point"]
        shape: List[int] = [len(keys)]
        coords: Dict[str, Any] = {}
        swept = sorted(set().union(*(p.keys() for p in spec.points)))
        for name in swept:
            vals = [p.get(name) for p in spec.points]
            coords[name] = (
                "point",
                np.asarray(
                    vals,
                    dtype=object
                    if any(isinstance(v, (str, list)) or v is None for v in vals)
                    else None,
                ),
            )
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
        for i, rec in enumerate(records):
            if rec is None or rec["status"] != "ok" or rec["outputs"].get(name) is None:
                continue
            v = rec["outputs"][name]
            if is_curve:
                row = np.array([np.nan if x is None else x for x in v], dtype=np.float64)
                arr[i, : len(row)] = row
            else:
                arr[i] = v
        full_dims = dims + [tdim] if is_curve else dims
        data_vars[name] = (full_dims, arr.reshape(shape + ([ntime] if is_curve else [])))
    status = np.array([("missing" if r is None else r["status"]) for r in records], dtype=object)
    error = np.array(
        [("" if r is None or r.get("error") is None else r["error"]) for r in records], dtype=object
    )
    wall = np.array([np.nan if r is None else r["wall_time"] for r in records])
    version = np.array([("" if r is None else r["version"]) for r in records], dtype=object)
    data_vars["status"] = (dims, status.reshape(shape))
    data_vars["error"] = (dims, error.reshape(shape))
    data_vars["wall_time"] = (dims, wall.reshape(shape))
    data_vars["version"] = (dims, version.reshape(shape))
    attrs = {
        "function": spec.function,
        "fixed": json.dumps(spec.fixed),
        "created_with": index.get("version", ""),
    }
    for k, v in spec.fixed.items():
        if isinstance(v, (int, float, str)) and not isinstance(v, bool):
            attrs[k] = v
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _coord(values: List[Any]) -> np.ndarray:
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.asarray(values)
    return np.asarray(
        [json.dumps(v) if isinstance(v, (list, dict)) else v for v in values], dtype=object
    )
