"""Command-line interface: ``scalinglaws SUBCOMMAND ...``.

Each subcommand lives in its own module of this package and defines
``register(subparsers) -> None``, which adds an ``argparse`` parser whose ``func`` default is
called with the parsed arguments and returns an exit status. User mistakes are reported as one
line on stderr with exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from typing import Any, List, NoReturn, Optional

__all__ = ["main", "CliError", "emit"]


class CliError(Exception):
    """A user mistake: printed as one line, exit status 2."""


def emit(obj: Any, as_json: bool, text: Optional[str] = None) -> None:
    """Print ``obj`` as one JSON object (``--json``) or the human-readable ``text``."""
    if as_json:
        json.dump(obj, sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(text if text is not None else json.dumps(obj, indent=2, allow_nan=False))


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (no usage block); subparsers inherit it."""

    def error(self, message: str) -> "NoReturn":  # type: ignore[override]
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
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (CliError, ValueError, TypeError, MemoryError) as exc:
        print(f"scalinglaws {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        print("scalinglaws: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
