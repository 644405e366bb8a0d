"""Shared docstring entries (``scalinglaws._docstrings``): expanded everywhere, typos refused."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest
import scalinglaws
from scalinglaws._docstrings import COMMON, PLACEHOLDER, fill, fill_doc


def all_docstrings():
    """``(qualified name, docstring)`` of every module, class, function, method and property."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mods = [scalinglaws] + [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(scalinglaws.__path__, "scalinglaws.")
            if not info.name.endswith("__main__")
        ]
    for mod in mods:
        yield mod.__name__, mod.__doc__
        for name, obj in vars(mod).items():
            if getattr(obj, "__module__", None) != mod.__name__:
                continue
            if inspect.isfunction(obj):
                yield f"{mod.__name__}.{name}", obj.__doc__
            elif inspect.isclass(obj):
                yield f"{mod.__name__}.{name}", obj.__doc__
                for mname, raw in vars(obj).items():
                    func = raw.fget if isinstance(raw, property) else raw
                    func = getattr(func, "__func__", func)
                    if inspect.isfunction(func):
                        yield f"{mod.__name__}.{name}.{mname}", func.__doc__


def test_no_placeholder_is_left_unexpanded():
    left = [name for name, doc in all_docstrings() if doc and PLACEHOLDER.search(doc)]
    assert not left, f"docstrings with an unexpanded {{name}} line (missing @fill_doc): {left}"


def test_fill_indents_like_the_placeholder_and_looks_in_local_tables_first():
    doc = "Summary.\n\n        Parameters\n        ----------\n        {lr}\n        {x}\n"
    out = fill(doc, {"x": "x : int\n    Local."}, {"x": "x : str\n    Shadowed."})
    body = out.split("----------\n")[1].splitlines()
    lr_lines = COMMON["lr"].splitlines()
    assert body[: len(lr_lines)] == ["        " + line for line in lr_lines]
    assert body[len(lr_lines) :] == ["        x : int", "            Local."]


def test_unknown_placeholder_is_refused_at_decoration():
    with pytest.raises(KeyError, match="nolr"):

        @fill_doc()
        def f() -> None:
            """Summary.

            {nolr}
            """


def test_braces_inside_a_line_are_left_alone():
    doc = 'Example: ``{"a": 1}`` and {lr} inline.\n    >>> {1, 2}\n'
    assert fill(doc) == doc
