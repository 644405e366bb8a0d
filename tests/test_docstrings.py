"""Every public name has a complete numpydoc docstring (issue 12, API reference).

For every name in the ``__all__`` of every public module (no ``_``-prefixed part in its dotted
path; the deprecated forwarding shims excluded), and for the public methods and properties of
every public class, the docstring must have:

* a one-line summary (the first line, followed by a blank line or the end of the docstring);
* a ``Parameters`` section naming exactly the parameters of the signature (a class documents its
  constructor in its own docstring, under ``Parameters`` or, for a dataclass or result record,
  ``Attributes``); ``*args``/``**kwargs`` are written ``*args``/``**kwargs``;
* a ``Returns`` (or ``Yields``) section when the function returns something other than ``None``
  (properties are exempt, their summary says what they are);
* an ``Examples`` section for functions and classes (methods are exempt);
* no reference to files outside the project (``dmft.md``, ``plrf.md``, ``../shared``).

The sections are parsed here (numpydoc's underline convention), so the default test run needs no
docs extra. Run this file as a script for a report of every gap::

    python tests/test_docstrings.py
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import sys
import textwrap

import pytest
from public_api import public_modules

SECTION = re.compile(r"^(?P<name>[A-Z][A-Za-z ]+)\n-{3,}\s*$", re.M)
FOREIGN = ("dmft.md", "plrf.md", "../shared")


def public_objects() -> dict:
    """``{display name: (kind, object)}``, one entry per distinct object (a method once per
    owning class)."""
    seen: dict = {}
    out: dict = {}

    def add(name, kind, obj, owner=None):
        key = (id(owner), id(obj)) if owner is not None else id(obj)
        if key in seen:
            return
        seen[key] = name
        out[name] = (kind, obj)

    for mod in public_modules():
        for item in getattr(mod, "__all__", []):
            obj = getattr(mod, item)
            if inspect.ismodule(obj):
                continue
            if inspect.isclass(obj):
                home = f"{obj.__module__}.{obj.__qualname__}"
                add(home, "class", obj)
                for mname, member, kind in class_members(obj):
                    add(f"{home}.{mname}", kind, member, owner=obj)
            elif callable(obj) and getattr(obj, "__module__", "").startswith("scalinglaws"):
                add(f"{obj.__module__}.{obj.__qualname__}", "function", obj)
            # data (constants, registries, __version__) are described in their module docstring
    return out


def class_members(cls: type) -> list:
    """Public methods and properties defined by ``cls`` or by a scalinglaws base class."""
    out = []
    for klass in cls.__mro__:
        if not klass.__module__.startswith("scalinglaws"):
            continue
        for name, raw in vars(klass).items():
            if name.startswith("_") or any(n == name for n, _, _ in out):
                continue
            if dataclasses.is_dataclass(cls) and name in {f.name for f in dataclasses.fields(cls)}:
                continue
            if isinstance(raw, property):
                out.append((name, raw, "property"))
            elif isinstance(raw, (staticmethod, classmethod)):
                out.append((name, raw.__func__, "method"))
            elif inspect.isfunction(raw):
                out.append((name, raw, "method"))
    # NamedTuple helpers (_make, _asdict, ...) start with "_" and are skipped above
    return out


def sections(doc: str) -> dict:
    """Split a (dedented) numpydoc docstring into ``{section name: body}``; '' is the preamble."""
    matches = list(SECTION.finditer(doc))
    out = {"": doc[: matches[0].start()] if matches else doc}
    for m, nxt in zip(matches, matches[1:] + [None]):
        out[m.group("name").strip()] = doc[m.end() : nxt.start() if nxt else len(doc)]
    return out


def documented_names(body: str) -> list:
    """Parameter names of a Parameters/Attributes/Other Parameters section (``a, b : type``)."""
    names = []
    for line in textwrap.dedent(body.strip("\n")).splitlines():
        if not line or line[0].isspace():
            continue
        head = line.split(" : ")[0].strip().rstrip(":")
        names.extend(n.strip() for n in head.split(",") if n.strip())
    return names


def signature_names(obj, kind: str) -> list:
    if kind == "class" and issubclass(obj, BaseException):
        if obj.__init__ is BaseException.__init__:
            return []
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    names = []
    for p in sig.parameters.values():
        if p.name in ("self", "cls") or p.name.startswith("_"):  # private dataclass fields
            continue
        if p.kind is p.VAR_POSITIONAL:
            names.append("*" + p.name)
        elif p.kind is p.VAR_KEYWORD:
            names.append("**" + p.name)
        else:
            names.append(p.name)
    return names


def returns_value(func) -> bool:
    """True when ``func`` is annotated to return non-None, or (unannotated) has a ``return x``."""
    ann = inspect.signature(func).return_annotation
    if ann is not inspect.Signature.empty:
        return ann not in (None, "None", type(None), "NoReturn")
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    fn = tree.body[0]
    for node in ast.walk(fn):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                return True
    return False


def gaps(kind: str, obj) -> list:
    """The list of problems of one object's docstring (empty when complete)."""
    func = obj.fget if kind == "property" else obj
    raw = func.__doc__ if kind != "class" else obj.__dict__.get("__doc__")
    if not raw or not raw.strip():
        return ["no docstring"]
    doc = inspect.cleandoc(raw)
    problems = []
    for needle in FOREIGN:
        if needle in doc:
            problems.append(f"cites {needle!r} (outside the project)")
    lines = doc.splitlines()
    if not lines[0].strip() or (len(lines) > 1 and lines[1].strip()):
        problems.append("summary is not one line followed by a blank line")
    if kind == "property":
        return problems
    secs = sections(doc)
    want = signature_names(obj, kind)
    have = documented_names(secs.get("Parameters", "")) + documented_names(
        secs.get("Other Parameters", "")
    )
    if kind == "class":
        have += documented_names(secs.get("Attributes", ""))
    missing = [n for n in want if n not in have and n.lstrip("*") not in have]
    if missing:
        problems.append(f"Parameters missing {missing}")
    if kind != "class":
        bare = {w.lstrip("*") for w in want}
        extra = [n for n in have if n.lstrip("*") not in bare]
        if extra:
            problems.append(f"Parameters documents names not in the signature {extra}")
        if returns_value(func) and "Returns" not in secs and "Yields" not in secs:
            problems.append("no Returns/Yields section")
    if kind in ("function", "class") and "Examples" not in secs:
        problems.append("no Examples section")
    return problems


OBJECTS = public_objects()


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_public_docstring_is_complete(name):
    kind, obj = OBJECTS[name]
    problems = gaps(kind, obj)
    assert not problems, f"{name}: " + "; ".join(problems)


def test_the_checker_can_fail():
    """The checker rejects an incomplete docstring and accepts a complete one."""

    def bad(x, y=1):
        """Summary
        that runs on."""
        return x

    def good(x, *args, y=1, **kwargs):
        """Add things.

        Parameters
        ----------
        x, y : float
            Numbers.
        *args, **kwargs
            Ignored.

        Returns
        -------
        float

        Examples
        --------
        >>> good(1)
        1
        """
        return x

    found = gaps("function", bad)
    assert any("summary" in p for p in found)
    assert any("Parameters missing ['x', 'y']" in p for p in found)
    assert any("Returns" in p for p in found) and any("Examples" in p for p in found)
    assert gaps("function", good) == []


def report() -> int:
    n_gaps = 0
    for name in sorted(OBJECTS):
        kind, obj = OBJECTS[name]
        problems = gaps(kind, obj)
        if problems:
            n_gaps += 1
            print(f"{name} [{kind}]: " + "; ".join(problems))
    print(f"\n{len(OBJECTS)} public objects checked; {n_gaps} with gaps")
    return 1 if n_gaps else 0


if __name__ == "__main__":
    sys.exit(report())
