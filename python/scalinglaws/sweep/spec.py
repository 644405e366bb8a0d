"""What a sweep runs: :class:`SweepSpec` (a grid or a list of points) and its TOML form."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Union

import numpy as np

from ..errors import ParameterError
from .points import SCHEDULE_PREFIX, check_parameters, fold_schedule, resolve_function

__all__ = ["SweepSpec", "read_toml", "point_key"]


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


#: parameters that may be infinite in a sweep (sizes: ``inf`` means the infinite limit)
_MAY_BE_INF = {"M", "v", "N", "d", "P", "ensemble", "bags"}


def _check_finite(key: str, value: Any, where: str) -> None:
    """Refuse a NaN (anywhere) or an infinity (except for sizes) in a sweep parameter."""
    values = value if isinstance(value, (list, tuple)) else [value]
    for v in values:
        if isinstance(v, (list, tuple)):
            _check_finite(key, v, where)
        elif isinstance(v, float) and (math.isnan(v) or (math.isinf(v) and key not in _MAY_BE_INF)):
            raise ParameterError(
                f"sweep parameter {key!r} in [{where.split('[')[0]}] must be a "
                f"finite number, got {v}"
            )


def _flatten(table: Dict[str, Any]) -> Dict[str, Any]:
    """TOML dotted keys of the schedule (``schedule.decay = [...]`` is the table
    ``schedule = {decay = [...]}``) back to flat names (``"schedule.decay"``, see
    :func:`~scalinglaws.sweep.points.fold_schedule`); other values are left as they are."""
    out: Dict[str, Any] = {}
    for k, v in table.items():
        if k == "schedule" and isinstance(v, dict):
            for sk, sv in v.items():
                out[f"{k}.{sk}"] = sv
        else:
            out[str(k)] = v
    return out


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
            raise ParameterError(
                f"function must be a non-empty string (a built-in point function or "
                f"'module:function'), got {self.function!r:.80}"
            )
        self.grid = _flatten(dict(self.grid))
        self.fixed = _flatten(dict(self.fixed))
        if self.points is not None:
            self.points = [_flatten(dict(p)) for p in self.points]
        self.grid = {
            str(k): list(v) if isinstance(v, (list, tuple, np.ndarray)) else [v]
            for k, v in dict(self.grid).items()
        }
        for k, v in self.grid.items():
            if not v:
                raise ParameterError(f"grid axis {k!r} is empty")
            if len(set(json.dumps(_jsonable(x)) for x in v)) != len(v):
                raise ParameterError(f"grid axis {k!r} has repeated values")
        if self.points is not None:
            if self.grid:
                raise ParameterError("give either grid or points, not both")
            if not self.points:
                raise ParameterError("points is empty")
            self.points = [dict(p) for p in self.points]
        overlap = set(self.fixed) & (set(self.grid) | set().union(*(self.points or [{}])))
        if overlap:
            raise ParameterError(
                f"parameter(s) {', '.join(sorted(overlap))} are both fixed and swept"
            )

    def expand(self) -> List[Dict[str, Any]]:
        """All points, in order, with the fixed parameters merged in."""
        if self.points is not None:
            return [{**self.fixed, **p} for p in self.points]
        if not self.grid:
            return [dict(self.fixed)]
        names = list(self.grid)
        return [
            {**self.fixed, **dict(zip(names, combo))}
            for combo in itertools.product(*(self.grid[n] for n in names))
        ]

    def validate(self) -> None:
        fn = resolve_function(self.function)
        tables = (
            [("fixed", self.fixed)] + [("grid", {k: v for k, v in self.grid.items()})]
            if self.grid
            else [("fixed", self.fixed)]
        )
        tables += [(f"points[{i}]", p) for i, p in enumerate(self.points or [])]
        for where, table in tables:
            for key, value in (table or {}).items():
                _check_finite(key, value, where)
        points = self.expand()
        for p in points[:1] + (points[-1:] if self.points is None else points):
            check_parameters(fn, p, self.function)
        for p in points:  # every schedule.<key> value is a valid schedule parameter
            if any(k.startswith(SCHEDULE_PREFIX) for k in p):
                fold_schedule(p)

    def to_json(self) -> Dict[str, Any]:
        return _jsonable(
            {
                "function": self.function,
                "grid": self.grid,
                "fixed": self.fixed,
                "points": self.points,
            }
        )

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "SweepSpec":
        return cls(
            function=d["function"],
            grid=d.get("grid") or {},
            fixed=d.get("fixed") or {},
            points=d.get("points"),
        )


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
        raise ParameterError(f"sweep file not found: {path}") from None
    except IsADirectoryError:
        raise ParameterError(f"sweep file {path} is a directory; give a TOML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"cannot read sweep file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"malformed TOML in {path}: {' '.join(str(exc).split())}") from None
    unknown = set(data) - {"function", "grid", "fixed", "points"}
    if unknown:
        raise ParameterError(
            f"unknown key(s) in {path}: {', '.join(sorted(unknown))} "
            "(expected function, grid, fixed, points)"
        )
    if "function" not in data:
        raise ParameterError(f"{path}: missing 'function' (e.g. function = \"simulate.gd\")")
    return SweepSpec.from_json(data)
