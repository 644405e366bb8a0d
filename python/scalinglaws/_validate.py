"""Parameter validation with messages that name the parameter and its valid range."""

from __future__ import annotations

import math
import os
from numbers import Integral, Real
from typing import Any, Optional, Tuple

import numpy as np

from .errors import ParameterError, ResourceError

__all__ = [
    "MAX_STEPS",
    "steps_of",
    "gd_steps",
    "check_momentum",
    "check_int",
    "check_real",
    "check_array",
    "check_memory",
    "available_memory_bytes",
    "threads_arg",
    "check_size",
    "check_values",
    "check_modes",
    "check_type",
    "check_time",
    "check_complex",
    "time_budget",
]


def check_int(
    name: str, value: Any, *, minimum: Optional[int] = None, maximum: Optional[int] = None
) -> int:
    """Return ``value`` as an int, or raise ParameterError naming ``name`` and the valid range."""
    if isinstance(value, bool) or not isinstance(value, (Integral, float, np.floating)):
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value) or value != int(value):
            raise ParameterError(f"{name} must be an integer, got {value!r}")
    v = int(value)
    shown = f"{float(v):g}" if abs(v) > 10**15 else str(v)  # not a 300-digit integer
    if minimum is not None and v < minimum:
        hi = "" if maximum is None else f" and <= {maximum}"
        raise ParameterError(f"{name} must be >= {minimum}{hi}, got {shown}")
    if maximum is not None and v > maximum:
        raise ParameterError(f"{name} must be <= {maximum}, got {shown}")
    return v


def check_real(
    name: str,
    value: Any,
    *,
    minimum: Optional[float] = None,
    maximum: Optional[float] = None,
    min_open: bool = False,
    max_open: bool = False,
    allow_inf: bool = False,
) -> float:
    """Return ``value`` as a float, or raise ParameterError naming ``name`` and the valid range."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ParameterError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise ParameterError(f"{name} must be a finite number, got {v}")
    if minimum is not None and (v < minimum or (min_open and v == minimum)):
        op = ">" if min_open else ">="
        raise ParameterError(f"{name} must be {op} {minimum}, got {v}")
    if maximum is not None and (v > maximum or (max_open and v == maximum)):
        op = "<" if max_open else "<="
        raise ParameterError(f"{name} must be {op} {maximum}, got {v}")
    return v


def _require_finite(name: str, arr: np.ndarray) -> None:
    """Refuse NaN/inf, naming the first bad element (C order) and its value."""
    if not np.all(np.isfinite(arr)):
        i = tuple(int(k) for k in np.argwhere(~np.isfinite(arr))[0])
        raise ParameterError(
            f"{name} must contain only finite numbers, got {name}[{', '.join(map(str, i))}] = "
            f"{arr[i]} (valid: finite real numbers)"
        )


def check_array(name: str, value: Any, *, ndim: int = 1, positive: bool = False) -> np.ndarray:
    """Return ``value`` as a contiguous float64 array; reject NaN/inf and wrong shapes."""
    try:
        arr = np.ascontiguousarray(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(
            f"{name} must be an array of real numbers, got {value!r:.80}"
        ) from None
    if arr.ndim != ndim:
        raise ParameterError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ParameterError(f"{name} must not be empty")
    _require_finite(name, arr)
    if positive and np.any(arr <= 0):
        raise ParameterError(
            f"{name} must be strictly positive (valid: > 0), got a minimum {arr.min():g}"
        )
    return arr


def available_memory_bytes() -> int:
    """Memory available to this process now (MemAvailable on Linux), in bytes."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - non-Linux
        pass
    try:  # pragma: no cover - non-Linux
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 1 << 62


def check_memory(nbytes: float, what: str, *, limit: Optional[float] = None) -> None:
    """Refuse a problem whose working set would not fit, saying how much it needs."""
    avail = available_memory_bytes() if limit is None else float(limit)
    if nbytes > 0.9 * avail:
        raise ResourceError(
            f"{what} needs about {nbytes / 2**30:.2f} GiB of memory, but only "
            f"{avail / 2**30:.2f} GiB is available; reduce the problem size"
        )


def threads_arg(threads: Any) -> int:
    """The C++ core's thread count: 0 (= all cores) for None, else an integer in [1, 1024]."""
    return 0 if threads is None else check_int("threads", threads, minimum=1, maximum=1024)


def check_size(name: str, value: Any, default: Any = None) -> float:
    """A size: an integer >= 1, or infinity (``math.inf`` or the string ``"inf"``); as a float."""
    if value is None:
        value = default
    if value is None:
        raise ParameterError(f"{name} is required (a positive integer or inf)")
    if isinstance(value, str):
        if value.strip().lower() in ("inf", "infinity"):
            return math.inf
        try:
            value = float(value)
        except ValueError:
            raise ParameterError(
                f"{name} must be a positive integer or 'inf', got {value!r}"
            ) from None
    if isinstance(value, (float, np.floating)) and math.isinf(value) and value > 0:
        return math.inf
    return float(check_int(name, value, minimum=1))


def check_values(
    name: str,
    value: Any,
    *,
    minimum: Optional[float] = None,
    min_open: bool = False,
    maximum: Optional[float] = None,
    allow_scalar: bool = True,
    integer: bool = False,
) -> np.ndarray:
    """A non-empty 1-D sequence of finite real numbers (a scalar counts as one value when
    ``allow_scalar``), as float64; raise ParameterError naming ``name`` and the valid range."""
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise ParameterError(f"{name} must be a sequence of numbers, got {value!r:.80}")
    if isinstance(value, (bool, np.bool_)) or (not allow_scalar and np.ndim(value) == 0):
        raise ParameterError(f"{name} must be a sequence of numbers, got {value!r:.80}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(
            f"{name} must be a sequence of real numbers, got {value!r:.80}"
        ) from None
    if arr.dtype == object or np.iscomplexobj(value):
        raise ParameterError(f"{name} must be a sequence of real numbers, got {value!r:.80}")
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ParameterError(f"{name} must not be empty")
    _require_finite(name, arr)
    lo = float(arr.min())
    if minimum is not None and (lo < minimum or (min_open and lo == minimum)):
        op = ">" if min_open else ">="
        raise ParameterError(f"{name} must be {op} {minimum:g}, got a value {lo:g}")
    if maximum is not None and float(arr.max()) > maximum:
        raise ParameterError(f"{name} must be <= {maximum:g}, got a value {float(arr.max()):g}")
    if integer and np.any(arr != np.round(arr)):
        i = int(np.flatnonzero(arr != np.round(arr))[0])
        raise ParameterError(f"{name} must be whole numbers, got {name}[{i}] = {arr[i]:g}")
    return np.ascontiguousarray(arr)


def check_modes(modes: Any, M: int, name: str = "modes") -> np.ndarray:
    """1-based mode numbers in [1, M] as 0-based int64 indices."""
    arr = check_values(name, modes, minimum=1, maximum=M, integer=True)
    return arr.astype(np.int64) - 1


def check_type(name: str, value: Any, cls: type, what: Optional[str] = None) -> Any:
    """``value`` if it is an instance of ``cls``, else ParameterError naming ``name``."""
    if not isinstance(value, cls):
        raise ParameterError(f"{name} must be a {what or cls.__name__}, got {type(value).__name__}")
    return value


#: environment variable holding the time budget (seconds) of one call; see :func:`check_time`
TIME_BUDGET_ENV = "SCALINGLAWS_TIME_BUDGET"
#: default time budget of one call, in seconds
DEFAULT_TIME_BUDGET = 300.0


def time_budget() -> float:
    """The time budget of one call in seconds: ``$SCALINGLAWS_TIME_BUDGET`` or 300."""
    raw = os.environ.get(TIME_BUDGET_ENV)
    if raw is None:
        return DEFAULT_TIME_BUDGET
    try:
        value = float(raw)
    except ValueError:
        raise ParameterError(
            f"{TIME_BUDGET_ENV} must be a number of seconds, got {raw!r}"
        ) from None
    if not value > 0:
        raise ParameterError(f"{TIME_BUDGET_ENV} must be > 0 seconds, got {raw!r}")
    return value


def check_time(seconds: float, what: str, *, hint: str = "") -> None:
    """Refuse a computation whose estimated run time exceeds the budget (:func:`time_budget`).

    ``seconds`` is an up-front estimate (on one core of a typical machine); the ResourceError
    gives it, the budget, how to raise the budget and ``hint`` (what else to change).
    """
    budget = time_budget()
    if not seconds <= budget:
        est = "more than 1e9" if not math.isfinite(seconds) or seconds > 1e9 else f"{seconds:.3g}"
        extra = f"; {hint}" if hint else ""
        raise ResourceError(
            f"{what} would take about {est} s, above the time budget of "
            f"{budget:g} s (set the environment variable {TIME_BUDGET_ENV} to "
            f"allow it){extra}"
        )


def check_complex(name: str, value: Any) -> np.ndarray:
    """Finite complex numbers (any shape, at least one) as complex128; ParameterError otherwise."""
    if isinstance(value, (str, bytes, dict, set, bool)) or value is None:
        raise ParameterError(f"{name} must be complex numbers, got {value!r:.80}")
    try:
        arr = np.asarray(value, dtype=np.complex128)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{name} must be complex numbers, got {value!r:.80}") from None
    if arr.size == 0:
        raise ParameterError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        bad = arr[tuple(np.argwhere(~np.isfinite(arr))[0])]
        raise ParameterError(f"{name} must be finite complex numbers, got {bad}")
    return arr


#: the largest step count the theory accepts (int64-safe, and far beyond any feasible run)
MAX_STEPS = 10**15


def steps_of(t: np.ndarray, lr: float, name: str = "times") -> np.ndarray:
    """Whole steps ``round(t / lr)`` as int64, refusing counts beyond :data:`MAX_STEPS`."""
    with np.errstate(over="ignore", invalid="ignore"):
        n = np.round(t / lr)
    if not np.all(np.isfinite(n)) or np.any(n > MAX_STEPS):
        raise ParameterError(  # MAX_STEPS = 1e15
            f"steps = {float(np.max(n)):.3g} ({name} / lr, lr = {lr:g}) is out of range "
            "(valid: <= 1e15)"
        )
    return n.astype(np.int64)


def gd_steps(t: np.ndarray, lr: Any) -> Tuple[float, np.ndarray]:
    """The learning rate of discrete GD (required, > 0) and the whole steps :func:`steps_of`
    ``t / lr``."""
    if lr is None:
        raise ParameterError("lr is required for discrete GD (or pass flow=True)")
    rate = check_real("lr", lr, minimum=0.0, min_open=True)
    return rate, steps_of(t, rate)


def check_momentum(momentum: Any, flow: bool) -> float:
    """Heavy-ball mu in [0, 1) (discrete GD) or continuous beta >= 0 (flow)."""
    if momentum is None:
        return 0.0
    if flow:
        return check_real("momentum", momentum, minimum=0.0)
    return check_real("momentum", momentum, minimum=0.0, maximum=1.0, max_open=True)
