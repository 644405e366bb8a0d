"""The reliability contract shared by the property-based tests (tests/test_properties*.py).

Every public call either returns finite results, or raises one of the library's documented
errors (:class:`~scalinglaws.ParameterError`, :class:`~scalinglaws.ConvergenceError`,
:class:`~scalinglaws.ResourceError`, or the ImportError of ``_optional.require``) with a
non-empty one-line message. Every CLI call exits 0 with valid JSON without NaN/inf on stdout, or
exits != 0 with one line on stderr and nothing on stdout.

Budget: ``SCALINGLAWS_HYPOTHESIS_EXAMPLES`` (default 8) examples per property; a campaign sets it
high. ``SCALINGLAWS_CAMPAIGN_LOG=path`` appends one JSON line per call (function, outcome).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import math
import os
import signal
import time
from typing import Any, Callable, Dict, List, Optional

import numpy as np
from scalinglaws.errors import ConvergenceError, ParameterError, ResourceError

EXAMPLES = int(os.environ.get("SCALINGLAWS_HYPOTHESIS_EXAMPLES", "8"))
#: a call that does not answer within this many seconds is a hang
TIMEOUT = float(os.environ.get("SCALINGLAWS_HYPOTHESIS_TIMEOUT", "20"))
LOG = os.environ.get("SCALINGLAWS_CAMPAIGN_LOG")
#: campaign mode: record contract violations in the log and keep going (no shrinking needed)
COLLECT = os.environ.get("SCALINGLAWS_CAMPAIGN_COLLECT") == "1"
#: sizes that may be documented as infinite (``math.inf``) in results and records
SIZE_KEYS = {"M", "v", "N", "P", "d", "ensemble", "bags"}
#: the library's time budget during fuzzing (seconds): estimated-longer calls must be refused
BUDGET = os.environ.get("SCALINGLAWS_HYPOTHESIS_BUDGET", "5")
DOCUMENTED = (ParameterError, ConvergenceError, ResourceError)


class Hang(Exception):
    """A call exceeded :data:`TIMEOUT` seconds."""


def _alarm(signum: int, frame: Any) -> None:
    raise Hang(f"no answer within {TIMEOUT:g} s")


def _restore(saved: Optional[str]) -> None:
    if saved is None:
        os.environ.pop("SCALINGLAWS_TIME_BUDGET", None)
    else:
        os.environ["SCALINGLAWS_TIME_BUDGET"] = saved


def _record(name: str, outcome: str, detail: str, seconds: float) -> None:
    if LOG:
        with open(LOG, "a") as f:
            f.write(
                json.dumps(
                    {
                        "function": name,
                        "outcome": outcome,
                        "detail": detail[:200],
                        "seconds": round(seconds, 4),
                    }
                )
                + "\n"
            )


def non_finite_path(obj: Any, path: str = "result", depth: int = 0) -> Optional[str]:
    """The path of the first NaN/inf inside ``obj`` (arrays, numbers, containers, the library's
    dataclasses), or None when everything is finite."""
    if depth > 6 or obj is None or isinstance(obj, (str, bytes, bool)):
        return None
    if isinstance(obj, (int, np.integer)):
        return None
    if isinstance(obj, (float, complex, np.floating, np.complexfloating)):
        return None if np.isfinite(obj) else path
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc" and not np.all(np.isfinite(obj)):
            return path
        if obj.dtype == object:
            for i, x in enumerate(obj.ravel()[:1000]):
                p = non_finite_path(x, f"{path}[{i}]", depth + 1)
                if p:
                    return p
        return None
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in SIZE_KEYS and isinstance(v, float) and v == math.inf:
                continue  # a documented infinite size (M, v, N, P, ...)
            p = non_finite_path(v, f"{path}[{k!r}]", depth + 1)
            if p:
                return p
        return None
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj[:10000]):
            p = non_finite_path(v, f"{path}[{i}]", depth + 1)
            if p:
                return p
        return None
    if dataclasses.is_dataclass(obj) or type(obj).__module__.startswith("scalinglaws"):
        fields = getattr(obj, "__dict__", None) or {}
        if hasattr(obj, "_asdict"):
            fields = obj._asdict()
        for k, v in fields.items():
            p = non_finite_path(v, f"{path}.{k}", depth + 1)
            if p:
                return p
    return None


def _where(exc: BaseException) -> str:
    import traceback

    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if "scalinglaws" in f.filename and "tests" not in f.filename
    ]
    return f"{frames[-1].filename.split('scalinglaws/')[-1]}:{frames[-1].lineno}" if frames else ""


def _fail(name: str, message: str) -> None:
    if COLLECT:
        _record(name, "violation", message, 0.0)
        return
    raise AssertionError(f"{name}: {message}")


def check_message(exc: BaseException, name: str = "") -> str:
    msg = str(exc)
    if not msg.strip():
        _fail(name, f"{type(exc).__name__} with an empty message at {_where(exc)}")
    elif "\n" in msg.strip():
        _fail(name, f"{type(exc).__name__} message spans lines: {msg!r} at {_where(exc)}")
    return msg


def call(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` under the contract; return its result (or None after a documented error)."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    t0 = time.perf_counter()
    saved = os.environ.get("SCALINGLAWS_TIME_BUDGET")
    os.environ["SCALINGLAWS_TIME_BUDGET"] = BUDGET
    try:
        out = fn(*args, **kwargs)
    except DOCUMENTED as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _record(name, type(exc).__name__, str(exc), time.perf_counter() - t0)
        check_message(exc, name)
        return None
    except ImportError as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _record(name, "ImportError", str(exc), time.perf_counter() - t0)
        if "pip install" not in str(exc):
            _fail(name, f"ImportError not from _optional.require: {exc}")
        check_message(exc, name)
        return None
    except Hang:
        _record(name, "hang", repr((args, kwargs))[:300], time.perf_counter() - t0)
        _fail(name, f"no answer within {TIMEOUT:g} s")
        return None
    except Exception as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _record(
            name,
            "undocumented",
            f"{type(exc).__name__}: {exc} @ {_where(exc)}",
            time.perf_counter() - t0,
        )
        if COLLECT:
            return None
        raise AssertionError(f"{name}: undocumented {type(exc).__name__}: {exc}") from exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        _restore(saved)
    bad = non_finite_path(out)
    _record(name, "nan" if bad else "ok", bad or "", time.perf_counter() - t0)
    if bad is not None:
        _fail(name, f"non-finite value at {bad}")
        return None
    return out


def _no_nan(obj: Any) -> bool:
    bad: List[float] = []
    json.loads(json.dumps(obj), parse_constant=lambda c: bad.append(c))
    return not bad


def cli(argv: List[str]) -> Dict[str, Any]:
    """Run ``scalinglaws ARGV`` in-process under the CLI contract; return its parsed output."""
    from scalinglaws.cli import main

    name = "cli " + (argv[0] if argv else "")
    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    t0 = time.perf_counter()
    saved = os.environ.get("SCALINGLAWS_TIME_BUDGET")
    os.environ["SCALINGLAWS_TIME_BUDGET"] = BUDGET
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse (usage errors, --help, --version)
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Hang:
        _record(name, "hang", " ".join(argv), time.perf_counter() - t0)
        _fail(name, f"scalinglaws {' '.join(argv)}: no answer within {TIMEOUT:g} s")
        return {"code": None}
    except Exception as exc:
        _record(
            name,
            "undocumented",
            f"{type(exc).__name__}: {exc} @ {_where(exc)}",
            time.perf_counter() - t0,
        )
        _fail(name, f"scalinglaws {' '.join(argv)}: escaped {type(exc).__name__}: {exc}")
        return {"code": None}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        _restore(saved)
    so, se = out.getvalue(), err.getvalue()
    dt = time.perf_counter() - t0
    if code == 0:
        _record(name, "ok", "", dt)
        if "--json" in argv and "--help" not in argv and "-h" not in argv:
            try:
                obj = json.loads(
                    so,
                    parse_constant=lambda c: (_ for _ in ()).throw(
                        ValueError(f"non-finite constant {c}")
                    ),
                )
            except ValueError as exc:
                _fail(
                    name,
                    f"scalinglaws {' '.join(argv)}: stdout is not JSON without NaN "
                    f"({exc}): {so[:300]!r}",
                )
                return {"code": 0}
            return {"code": 0, "json": obj, "stderr": se}
        return {"code": 0, "stdout": so, "stderr": se}
    _record(name, "refused", se.strip(), dt)
    lines = [ln for ln in se.splitlines() if ln.strip()]
    if so != "":
        _fail(name, f"scalinglaws {' '.join(argv)}: failed (exit {code}) but printed {so[:300]!r}")
    elif len(lines) != 1 or "Traceback" in se:
        _fail(name, f"scalinglaws {' '.join(argv)}: stderr is not one line: {se[-600:]!r}")
    elif "internal error" in se:
        _fail(name, f"scalinglaws {' '.join(argv)}: {se.strip()}")
    return {"code": code, "stderr": se}
