"""The compact string form of learning-rate schedules: the kinds, their keys and validation
(see :mod:`scalinglaws.schedules` for the conventions and :doc:`/tutorials/schedules`)."""

from __future__ import annotations

import math
from typing import Any, Dict, Tuple

import numpy as np

from .errors import ParameterError

__all__ = ["KINDS", "validate_params", "split_spec"]

# kind -> {key: (type, default)}; a default of None means required
KINDS: Dict[str, Dict[str, Tuple[str, Any]]] = {
    "constant": {"warmup": ("int", 0)},
    "cosine": {"warmup": ("int", 0), "final": ("frac", 0.0)},
    "wsd": {
        "warmup": ("int", 0),
        "decay": ("frac", None),
        "shape": ("shape", "linear"),
        "final": ("frac", 0.0),
    },
    "power": {"warmup": ("int", 0), "r0": ("pos", None), "p": ("pos", None)},
    "piecewise": {"values": ("list", None), "at": ("ilist", ())},
    "array": {"values": ("list", None)},
}
_SHAPES = ("linear", "cosine", "sqrt")
_NEEDS_T = ("cosine", "wsd")


def _fmt(v: Any) -> str:
    if isinstance(v, tuple):
        return "/".join(_fmt(x) for x in v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def _convert(kind: str, key: str, raw: Any, spec: str) -> Any:
    typ = KINDS[kind][key][0]
    where = f"schedule {spec!r}: {key}"
    try:
        if typ == "shape":
            if raw not in _SHAPES:
                raise ValueError
            return raw
        if typ in ("list", "ilist"):
            items = raw.split("/") if isinstance(raw, str) else list(np.atleast_1d(raw))
            if typ == "ilist" and items in ([""], []):
                return ()
            vals = tuple(float(x) for x in items)
            if typ == "ilist":
                if any(v != round(v) or v <= 0 for v in vals) or list(vals) != sorted(set(vals)):
                    raise ValueError
                return tuple(int(v) for v in vals)
            if not vals or any(not math.isfinite(v) or v < 0 for v in vals):
                raise ValueError
            return vals
        v = float(raw)
    except (TypeError, ValueError):
        valid = {
            "shape": "one of linear, cosine, sqrt",
            "list": "numbers >= 0 separated by /",
            "ilist": "increasing whole steps > 0 separated by /",
        }.get(typ, "a number")
        raise ParameterError(f"{where} = {raw!r} is invalid (valid: {valid})") from None
    if typ == "int":
        if not (v >= 0 and v == round(v) and v < 1e15):
            raise ParameterError(f"{where} = {raw!r} is invalid (valid: a whole number >= 0)")
        return int(v)
    if typ == "frac":
        lo_open = key == "decay"
        if not ((0 < v if lo_open else 0 <= v) and v <= 1):
            rng = "(0, 1]" if lo_open else "[0, 1]"
            raise ParameterError(f"{where} = {raw!r} is out of range (valid: {rng})")
        return v
    if not (math.isfinite(v) and v > 0):
        raise ParameterError(f"{where} = {raw!r} is out of range (valid: a finite number > 0)")
    return v


def validate_params(kind: str, params: Dict[str, Any]) -> Tuple[Tuple[str, Any], ...]:
    """Validated parameters of a schedule of ``kind``, defaults filled in (ParameterError)."""
    spec = kind + (":" + ",".join(f"{k}={_fmt(v)}" for k, v in params.items()) if params else "")
    if kind not in KINDS:
        raise ParameterError(
            f"schedule kind {kind!r} is unknown in {spec!r} (valid: {', '.join(KINDS)})"
        )
    out: Dict[str, Any] = {}
    for key, raw in params.items():
        if key not in KINDS[kind]:
            raise ParameterError(
                f"schedule {spec!r}: unknown key {key!r} for {kind} (valid: "
                f"{', '.join(KINDS[kind])})"
            )
        out[key] = _convert(kind, key, raw, spec)
    for key, (_, default) in KINDS[kind].items():
        if key not in out:
            if default is None:
                raise ParameterError(f"schedule {spec!r}: {key}= is required for {kind}")
            out[key] = default
    if kind == "piecewise" and len(out["at"]) != len(out["values"]) - 1:
        raise ParameterError(
            f"schedule {spec!r}: piecewise needs one more value than "
            f"boundaries (got {len(out['values'])} values, "
            f"{len(out['at'])} at)"
        )
    return tuple(out.items())


def split_spec(spec: Any) -> Tuple[str, Dict[str, str]]:
    """``(kind, {key: raw value})`` of a spec ``kind[:key=value,...]`` (ParameterError)."""
    if not isinstance(spec, str) or not spec.strip():
        raise ParameterError(
            f"schedule must be a non-empty string like 'cosine:final=0.1', got {spec!r}"
        )
    kind, _, rest = spec.strip().partition(":")
    params: Dict[str, str] = {}
    for item in filter(None, (s.strip() for s in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise ParameterError(f"schedule {spec!r}: {item!r} is not key=value")
        if key.strip() in params:
            raise ParameterError(f"schedule {spec!r}: {key.strip()} given twice")
        params[key.strip()] = value.strip()
    return kind.strip().lower(), params
