"""Run the docstring and README examples as doctests (CI step; see .ci/run).

    python docs/scripts/run_doctests.py

Collects the modules of the installed ``scalinglaws`` package whose docstrings contain ``>>>``
examples, plus README.md and the docs pages if they contain ``>>>``, and runs them with
``pytest --doctest-modules`` / ``--doctest-glob`` (NumPy-aware options: ELLIPSIS and
NORMALIZE_WHITESPACE). In Markdown, leave a blank line between the last expected output
and the closing code fence. Exits 0 when there is nothing to run, so adding the first example needs
no change here.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def modules_with_examples() -> list:
    import scalinglaws

    out = []
    for info in pkgutil.walk_packages(scalinglaws.__path__, "scalinglaws."):
        if any(p.startswith("_") for p in info.name.split(".")):
            continue
        mod = importlib.import_module(info.name)
        src = Path(mod.__file__).read_text(encoding="utf-8")
        if ">>>" in src:
            out.append(mod.__file__)
    return out


def text_files_with_examples() -> list:
    files = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
    return [
        str(f)
        for f in files
        if f.exists() and "_build" not in f.parts and ">>>" in f.read_text(encoding="utf-8")
    ]


def main() -> int:
    mods, texts = modules_with_examples(), text_files_with_examples()
    if not mods and not texts:
        print("doctests: no >>> examples found (nothing to run)")
        return 0
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "-o",
        "doctest_optionflags=ELLIPSIS NORMALIZE_WHITESPACE NUMBER",
        "--doctest-modules",
        "--doctest-glob=*.md",
        "--rootdir",
        str(ROOT),
        *mods,
        *texts,
    ]
    print("doctests:", " ".join(Path(p).name for p in mods + texts))
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
