"""Shared numpydoc fragments: one text for a parameter that many functions take.

A docstring names a shared entry by a line that holds only ``{name}`` (one identifier in
braces); :func:`fill_doc` replaces that line with the entry, indented like the placeholder.
Entries are full numpydoc items (``name : type`` and an indented description), so the rendered
docstring is the same as if the text had been written in place, and ``help()``, Sphinx and the
docstring tests see it. An unknown name raises at import, so a typo cannot reach a user.

The common table below holds the parameters whose meaning is the same everywhere (the
vocabulary of :ref:`conventions`); a package with its own recurring parameters keeps a table of
its own and passes it to :func:`fill_doc`, which looks there first.

Examples
--------
>>> @fill_doc({"x": "x : float\\n    A number."})
... def f(x: float, lr: float) -> float:
...     '''Double x.
...
...     Parameters
...     ----------
...     {x}
...     {lr}
...     '''
...     return 2 * x
>>> print(f.__doc__.split("----------")[1].rstrip())
<BLANKLINE>
    x : float
        A number.
    lr : float
        Learning rate (step size of gradient descent; :ref:`conv-lr`).
"""

from __future__ import annotations

import re
from typing import Callable, Mapping, TypeVar

__all__ = ["COMMON", "fill_doc", "fill"]

T = TypeVar("T")

PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}[ \t]*$", re.M)

COMMON: dict[str, str] = {
    "problem": "problem : Problem\n    The task (spectrum, target, N, label noise; :ref:`conventions`).",
    "lr": "lr : float\n    Learning rate (step size of gradient descent; :ref:`conv-lr`).",
    "steps": "steps : sequence of int\n    Step counts (integers >= 0).",
    "rng": "rng : numpy.random.Generator\n    Source of randomness.",
    "threads": "threads : int, optional\n    Worker threads (default: all cores); results do not depend on it.",
    "sigma": "sigma : float, optional\n    Label-noise standard deviation (>= 0).",
    "ax": "ax : matplotlib.axes.Axes, optional\n    Axes to draw on (default: a new figure).",
    "confidence": "confidence : float\n    Level of the intervals.",
}


def fill(doc: str, *tables: Mapping[str, str]) -> str:
    """Replace every ``{name}`` line of ``doc`` by its entry from ``tables`` (then :data:`COMMON`).

    Parameters
    ----------
    doc : str
        A docstring with placeholder lines.
    *tables : mapping of str to str
        Entry tables, searched in order before :data:`COMMON`.

    Returns
    -------
    str
        The docstring with every placeholder expanded.

    Raises
    ------
    KeyError
        When a placeholder names no entry.
    """

    def expand(match: re.Match) -> str:
        name, indent = match.group("name"), match.group("indent")
        entry = next((t[name] for t in (*tables, COMMON) if name in t), None)
        if entry is None:
            raise KeyError(f"docstring placeholder {{{name}}} names no shared entry")
        return "\n".join(indent + line if line else line for line in entry.splitlines())

    return PLACEHOLDER.sub(expand, doc)


def fill_doc(*tables: Mapping[str, str]) -> Callable[[T], T]:
    """Decorator: expand the placeholder lines of a function's or class's docstring.

    Parameters
    ----------
    *tables : mapping of str to str
        Entry tables, searched in order before :data:`COMMON`.

    Returns
    -------
    callable
        The decorator; it returns the object itself with ``__doc__`` expanded (a no-op when
        docstrings are stripped, ``python -OO``).
    """

    def decorate(obj: T) -> T:
        doc = getattr(obj, "__doc__", None)
        if doc:
            obj.__doc__ = fill(doc, *tables)
        return obj

    return decorate
