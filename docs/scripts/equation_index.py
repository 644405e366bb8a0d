"""Check (or extend) the equation index docs/theory/equations.md.

    python docs/scripts/equation_index.py --check     # every row's function and test exist,
                                                       # every equation label has a row
    python docs/scripts/equation_index.py --missing   # print row skeletons for unindexed labels

The index maps equation label -> implementing function(s) -> test(s). Rows are Markdown table
lines whose first cell is {eq}`label` or {ref}`label`; functions are backticked dotted names
starting with ``scalinglaws``; tests are backticked ``tests/FILE.py::TEST``.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import sys
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[2]
THEORY = ROOT / "docs" / "theory"
INDEX = THEORY / "equations.md"

LABEL_RE = re.compile(r"^\$\$ \(([a-z0-9-]+)\)\s*$", re.M)
ROW_RE = re.compile(r"^\|\s*\{(?:eq|ref)\}`([a-z0-9-]+)`.*?\|(.*?)\|(.*?)\|\s*$", re.M)
NAME_RE = re.compile(r"`(scalinglaws[\w.]*)`")
TEST_RE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def equation_labels() -> Dict[str, str]:
    """label -> page, for every numbered equation of the theory pages."""
    out = {}
    for page in sorted(THEORY.glob("*.md")):
        if page.name == "equations.md":
            continue
        for m in LABEL_RE.finditer(page.read_text()):
            out[m.group(1)] = page.name
    return out


def index_rows() -> List[Tuple[str, List[str], List[Tuple[str, str]]]]:
    rows = []
    for m in ROW_RE.finditer(INDEX.read_text()):
        rows.append((m.group(1), NAME_RE.findall(m.group(2)), TEST_RE.findall(m.group(3))))
    return rows


def resolve(name: str) -> bool:
    """Import the longest importable module prefix of a dotted name, then getattr the rest."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for p in parts[i:]:
                obj = getattr(obj, p)
        except AttributeError:
            return False
        return True
    return False


def test_exists(path: str, name: str) -> bool:
    f = ROOT / path
    if not f.exists():
        return False
    tree = ast.parse(f.read_text())
    return any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name
        for n in ast.walk(tree)
    )


def problems() -> List[str]:
    labels = equation_labels()
    rows = index_rows()
    errs = []
    indexed = {r[0] for r in rows}
    for label, page in labels.items():
        if label not in indexed:
            errs.append(f"equation {label} ({page}) has no row in equations.md")
    for label, names, tests in rows:
        if not names:
            errs.append(f"row {label}: no implementing function")
        if not tests:
            errs.append(f"row {label}: no test")
        for n in names:
            if not resolve(n):
                errs.append(f"row {label}: {n} does not import")
        for path, t in tests:
            if not test_exists(path, t):
                errs.append(f"row {label}: test {path}::{t} not found")
    return errs


def main(argv: List[str] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="verify the index (default)")
    ap.add_argument("--missing", action="store_true", help="print skeleton rows for new labels")
    args = ap.parse_args(argv)
    if args.missing:
        indexed = {r[0] for r in index_rows()}
        for label, page in equation_labels().items():
            if label not in indexed:
                print(f"| {{eq}}`{label}` | `scalinglaws.TODO` | `tests/TODO.py::TODO` |")
        return 0
    errs = problems()
    for e in errs:
        print(e, file=sys.stderr)
    print(f"equation index: {len(index_rows())} rows, {len(errs)} problem(s)")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
