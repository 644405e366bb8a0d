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

from .._docstrings import fill_doc
from ..errors import ParameterError
from ._docs import DOCS
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
    """Stable identifier of one sweep point: the first 20 hex digits of a SHA-256.

    The hash is taken over the canonical JSON of the parameters (sorted keys, numpy values as
    Python numbers), so the key does not depend on the order of the parameters; a resumed sweep
    recognises the points it has already computed by it.

    Parameters
    ----------
    params : mapping
        The point's parameters.

    Returns
    -------
    str
        20 hexadecimal characters.

    Examples
    --------
    >>> point_key({"N": 64, "P": 256}) == point_key({"P": 256, "N": np.int64(64)})
    True
    >>> len(point_key({"N": 64}))
    20
    """
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
    """What a sweep runs: a point function over a grid or a list of points.

    ``function`` is run over the cartesian product of ``grid`` (in the given order) or over the
    explicit ``points``, each merged with the ``fixed`` parameters. Guide:
    :ref:`tutorial-sweep`.

    Parameters
    ----------
    function : str
        A name of :data:`~scalinglaws.sweep.POINT_FUNCTIONS` or ``"module:function"``.
    grid : dict of str to list, optional
        Swept axes (a scalar is an axis of one value); no repeated values.
    fixed : dict, optional
        Parameters shared by every point (not also swept).
    points : list of dict, optional
        Explicit points instead of a grid.

    Raises
    ------
    ParameterError
        An empty function name or axis, repeated values, both grid and points, or a parameter
        both fixed and swept.

    Examples
    --------
    >>> spec = SweepSpec("simulate.gd", grid={"N": [64, 128]}, fixed={"a": 1.5})
    >>> spec.expand()
    [{'a': 1.5, 'N': 64}, {'a': 1.5, 'N': 128}]
    >>> SweepSpec.from_json(spec.to_json()) == spec
    True
    """

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
        self.fixed = _flatten(dict(self.fixed))
        if self.points is not None:
            self.points = [_flatten(dict(p)) for p in self.points]
        self.grid = {
            str(k): list(v) if isinstance(v, (list, tuple, np.ndarray)) else [v]
            for k, v in _flatten(dict(self.grid)).items()
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
        overlap = set(self.fixed) & (set(self.grid) | set().union(*(self.points or [{}])))
        if overlap:
            raise ParameterError(
                f"parameter(s) {', '.join(sorted(overlap))} are both fixed and swept"
            )

    def expand(self) -> List[Dict[str, Any]]:
        """All points, in order, with the fixed parameters merged in.

        Returns
        -------
        list of dict
            One parameter dict per point (grid order: the last axis varies fastest).
        """
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
        """Check the function and the parameters before anything runs.

        The function must exist, values must be finite (sizes may be infinite) and the first
        and last grid points (every explicit point) must match the function's signature.

        Raises
        ------
        ParameterError
            An unknown function, a non-finite value or a parameter the function does not take.
        """
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
        """JSON-ready dict (inverse of :meth:`from_json`).

        Returns
        -------
        dict
            ``function``, ``grid``, ``fixed``, ``points``.
        """
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
        """Build a spec from the dict of :meth:`to_json` (or of a TOML file).

        Parameters
        ----------
        d : mapping
            ``function`` (required), ``grid``, ``fixed``, ``points``.

        Returns
        -------
        SweepSpec
            The spec.
        """
        return cls(
            function=d["function"],
            grid=d.get("grid") or {},
            fixed=d.get("fixed") or {},
            points=d.get("points"),
        )


@fill_doc(DOCS)
def read_toml(path: Union[str, os.PathLike]) -> SweepSpec:
    """Read a sweep from a TOML file.

    The file has the keys of :class:`SweepSpec`::

        {example_toml}

    (or ``[[points]]`` tables instead of ``[grid]``). Guide: :ref:`tutorial-sweep`.

    Parameters
    ----------
    path : str or path-like
        The TOML file.

    Returns
    -------
    SweepSpec
        The spec (not yet validated: see :meth:`SweepSpec.validate`).

    Raises
    ------
    ParameterError
        A missing or unreadable file, malformed TOML, unknown keys or no ``function``.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "sweep.toml")
    >>> with open(path, "w") as f:
    ...     print('function = "simulate.gd"', "[grid]", "N = [64, 128]", sep="\\n", file=f)
    >>> read_toml(path).grid
    {'N': [64, 128]}
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
