"""Command-line interface: ``scalinglaws SUBCOMMAND ...``.

Each subcommand lives in its own module of this package and defines
``register(subparsers) -> None``, which adds an ``argparse`` parser whose ``func`` default is
called with the parsed arguments and returns an exit status. User mistakes are reported as one
line on stderr with exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import math
import pkgutil
import sys
from typing import Any, List, NoReturn, Optional

__all__ = ["main", "CliError", "emit"]


class CliError(Exception):
    """A user mistake: printed as one line, exit status 2.

    Subcommands raise it for invalid combinations of options; :func:`main` prints
    ``scalinglaws SUBCOMMAND: error: MESSAGE`` on stderr and returns 2 (never a traceback).

    Parameters
    ----------
    *args
        The message (as for :class:`Exception`).

    Examples
    --------
    >>> str(CliError("--lr must be > 0"))
    '--lr must be > 0'
    """


def _non_finite(obj: Any, path: str = "") -> Optional[str]:
    """The JSON path of the first NaN/inf float in ``obj``, or None."""
    if isinstance(obj, float):
        return None if math.isfinite(obj) else (path or "value")
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = _non_finite(v, f"{path}.{k}" if path else str(k))
            if p:
                return p
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            p = _non_finite(v, f"{path}[{i}]")
            if p:
                return p
    return None


def emit(obj: Any, as_json: bool, text: Optional[str] = None) -> None:
    """Print ``obj`` as one JSON object (``--json``) or the human-readable ``text``.

    The output is encoded in full before anything is written, so a value that cannot be
    encoded (NaN/inf, which JSON does not allow) leaves stdout empty and raises
    :class:`CliError` naming the field.

    Parameters
    ----------
    obj : JSON-serialisable object
        The result (dicts, lists, str, int, float, bool, None).
    as_json : bool
        Write ``obj`` as one compact JSON line (``--json``; NaN/inf refused).
    text : str, optional
        The human-readable form printed without ``--json``; None prints ``obj`` as indented
        JSON (NaN/inf written as ``NaN``/``Infinity``).

    Raises
    ------
    CliError
        ``as_json`` and ``obj`` holds a non-finite float (the message gives its JSON path) or a
        value JSON cannot encode.

    Examples
    --------
    >>> emit({"loss": 0.5}, as_json=True)
    {"loss": 0.5}
    >>> emit({"loss": 0.5}, as_json=False, text="loss 0.5")
    loss 0.5
    """
    if as_json:
        bad = _non_finite(obj)
        if bad is not None:
            raise CliError(
                f"the result has a non-finite value at {bad!r}; it cannot be "
                "written as JSON (try other parameters)"
            )
        try:
            out = json.dumps(obj, allow_nan=False) + "\n"
        except (TypeError, ValueError) as exc:
            raise CliError(f"the result cannot be written as JSON: {exc}") from None
    elif text is not None:
        out = text + "\n"
    else:
        out = json.dumps(obj, indent=2, allow_nan=True) + "\n"
    sys.stdout.write(out)
    sys.stdout.flush()


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (pybind11 and numpy messages may span several)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (no usage block); subparsers inherit it."""

    def error(self, message: str) -> "NoReturn":
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(
        prog="scalinglaws",
        description="Solvable models of neural scaling laws: exact simulations and theory.",
        epilog="Run 'scalinglaws SUBCOMMAND --help' for the options and examples of each command.",
    )
    parser.add_argument("--version", action="version", version=f"scalinglaws {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the ``scalinglaws`` command line (``python -m scalinglaws``) and return its status.

    Parses ``argv``, runs the subcommand and writes its output to stdout only if it succeeds.
    Errors are one line on stderr, never a traceback: exit status 2 for a user mistake
    (:class:`CliError`, ``ParameterError``/``ValueError``, a file problem), 1 for a solver
    failure (``ConvergenceError``), 3 for an internal error. ``scalinglaws SUBCOMMAND --help``
    lists each command's options.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 success, 1 solver failure, 2 user mistake (or no subcommand: the help is
        printed), 3 internal error, 130 interrupted.

    Raises
    ------
    SystemExit
        From ``--help``/``--version`` and from argument-parsing errors (argparse's behaviour;
        the message is one line).

    Examples
    --------
    A user mistake: one line on stderr (``scalinglaws plrf: error: alpha must be > 0.0, got
    -1.0``), nothing on stdout, status 2:

    >>> main(["plrf", "spectrum", "--alpha", "-1", "--v", "100", "--d", "10"])
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    real_stdout = sys.stdout
    buffer = io.StringIO()
    try:
        # stdout is written only when the command succeeds: a failure prints nothing there
        sys.stdout = buffer
        try:
            code = int(args.func(args) or 0)
        finally:
            sys.stdout = real_stdout
        if code == 0:
            real_stdout.write(buffer.getvalue())
            real_stdout.flush()
        return code
    except (CliError, ValueError, TypeError, MemoryError, ImportError) as exc:
        print(f"scalinglaws {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file problem: name the file
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(
            f"scalinglaws {args.command}: error: cannot use{where}: "
            f"{exc.strerror or one_line(exc)}",
            file=sys.stderr,
        )
        return 2
    except RuntimeError as exc:  # ConvergenceError and solver failures
        print(f"scalinglaws {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # pragma: no cover
        print("scalinglaws: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: still one line, never a traceback
        print(
            f"scalinglaws {args.command}: internal error ({type(exc).__name__}): "
            f"{one_line(exc)}; please report it",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
