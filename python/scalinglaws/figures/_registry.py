"""Registry of reproducible figures of both papers (``scalinglaws reproduce``).

A figure is registered with :func:`register_figure` as a pair of functions:

* ``data(quick: bool) -> dict`` -- computes everything the figure shows (numpy arrays, numbers
  and strings), through the library's public functions; ``quick=True`` finishes in under a
  minute on 2 cores (fewer sizes, seeds or times);
* ``draw(data: dict, fig) -> None`` -- draws it on a matplotlib figure;
* optionally ``verify(data: dict) -> None`` -- recomputes part of the data independently through
  the library's public functions and raises AssertionError on a mismatch (used by the tests).

:func:`reproduce` writes ``ID.png``, ``ID.npz`` (arrays only, loadable with
``allow_pickle=False``) and ``ID.json`` (scalars, strings, shapes).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple, Union, cast

import numpy as np

from ..errors import ParameterError

__all__ = ["FigureSpec", "FIGURES", "register_figure", "reproduce", "figure_ids"]

#: the modules that register the papers' figures (on import)
_BUILTIN = (
    "bordelon2024",
    "bordelon2024_reuse",
    "bordelon2024_white",
    "paquette2024",
    "paquette2024_fronts",
    "paquette2024_compute",
    "paquette2024_contour",
    "schedules2024",
)


@dataclass(frozen=True)
class FigureSpec:
    """One registered figure: its identity and the functions that compute, draw and check it.

    Made by :func:`register_figure` (not by hand); :data:`FIGURES` maps ids to specs.

    Attributes
    ----------
    id : str
        Figure identifier, e.g. ``"bordelon-fig2"`` (the argument of :func:`reproduce`).
    paper : str
        The paper the figure belongs to, e.g. ``"Bordelon et al. 2024"``.
    title : str
        One-line description.
    data : callable
        ``data(quick) -> dict`` of arrays, numbers and strings (``quick``: small sizes).
    draw : callable
        ``draw(data, fig) -> None`` on a matplotlib figure.
    figsize : (float, float)
        Matplotlib figure size in inches.
    verify : callable or None
        ``verify(data) -> None``: recomputes part of the data independently and raises
        AssertionError on a mismatch (used by the tests).

    Examples
    --------
    >>> spec = FIGURES[figure_ids()[0]]
    >>> isinstance(spec, FigureSpec), callable(spec.data)
    (True, True)
    """

    id: str
    paper: str
    title: str
    data: Callable[[bool], Dict[str, Any]]
    draw: Callable[[Dict[str, Any], Any], None]
    figsize: Tuple[float, float] = (10.0, 3.6)
    verify: Optional[Callable[[Dict[str, Any]], None]] = None


FIGURES: Dict[str, FigureSpec] = {}

DrawFn = Callable[[Dict[str, Any], Any], None]
VerifyFn = Callable[[Dict[str, Any]], None]


class RegisteredFigure(Protocol):
    """A data function returned by :func:`register_figure`, with ``.draw``/``.verify`` attached."""

    def __call__(self, quick: bool) -> Dict[str, Any]: ...

    def draw(self, draw_fn: DrawFn) -> DrawFn: ...

    def verify(self, verify_fn: VerifyFn) -> VerifyFn: ...


def register_figure(
    id: str, paper: str, title: str, *, figsize: Tuple[float, float] = (10.0, 3.6)
) -> Callable[[Callable[[bool], Dict[str, Any]]], RegisteredFigure]:
    """Register a figure of the papers: a decorator for its data function.

    The data function takes ``quick`` (bool: small sizes) and returns a dict of arrays. A draw
    function ``(data, fig)`` and a verify function ``(data)`` (which checks the data against an
    independent computation and raises on disagreement) are attached with the ``.draw`` and
    ``.verify`` decorators of the returned function; ``scalinglaws reproduce ID`` then runs all
    three.

    Parameters
    ----------
    id : str
        Figure identifier, e.g. ``"bordelon-fig2"`` (unique; the ``reproduce`` argument).
    paper : str
        The paper the figure belongs to, e.g. ``"Bordelon et al. 2024"``.
    title : str
        One-line description, shown by ``scalinglaws reproduce --list``.
    figsize : (float, float), optional
        Matplotlib figure size in inches.

    Returns
    -------
    callable
        The decorator; it returns the data function with ``.draw`` and ``.verify`` attached.

    Examples
    --------
    A registration, in outline::

        @register_figure("bordelon-fig2", "Bordelon et al. 2024", "Finite N and P")
        def fig2(quick): ...

        @fig2.draw
        def _(data, fig): ...

        @fig2.verify
        def _(data): ...
    """

    def deco(data_fn: Callable[[bool], Dict[str, Any]]) -> RegisteredFigure:
        def attach(draw_fn: DrawFn) -> DrawFn:
            FIGURES[id] = FigureSpec(id, paper, title, data_fn, draw_fn, figsize)
            return draw_fn

        def attach_verify(verify_fn: VerifyFn) -> VerifyFn:
            if id not in FIGURES:
                raise RuntimeError(f"attach .draw before .verify for figure {id!r}")
            import dataclasses

            FIGURES[id] = dataclasses.replace(FIGURES[id], verify=verify_fn)
            return verify_fn

        data_fn.draw = attach  # type: ignore[attr-defined]
        data_fn.verify = attach_verify  # type: ignore[attr-defined]
        return cast(RegisteredFigure, data_fn)

    return deco


def _load_builtin_figures() -> None:
    """Import the modules that register figures (they register on import)."""
    import importlib

    for name in _BUILTIN:
        importlib.import_module(f"{__package__}.{name}")


def figure_ids() -> List[str]:
    """The ids of every registered figure, sorted (the papers' figures registered on first call).

    Returns
    -------
    list of str
        Valid arguments of :func:`reproduce` (``scalinglaws reproduce --list``).

    Examples
    --------
    >>> "bordelon-fig2" in figure_ids()
    True
    """
    _load_builtin_figures()
    return sorted(FIGURES)


def reproduce(id: str, out: Union[str, Path] = ".", *, quick: bool = False) -> Dict[str, Path]:
    """Compute and draw figure ``id``, and write its picture, arrays and metadata.

    Writes ``ID.png``, ``ID.npz`` (the data's arrays, loadable with ``allow_pickle=False``) and
    ``ID.json`` (id, paper, title, scalars, array shapes, the data's computing time in seconds
    and the library version) into ``out``. Needs matplotlib (the ``plot`` extra).

    Parameters
    ----------
    id : str
        A figure id (see :func:`figure_ids`).
    out : str or Path, optional
        Output directory, created if missing (default: the current directory).
    quick : bool, optional
        Small sizes, seeds and times (under a minute on 2 cores per figure).

    Returns
    -------
    dict
        ``{"png": Path, "npz": Path, "json": Path}``, the files written.

    Raises
    ------
    ParameterError
        Unknown ``id`` (the message lists the known ones).
    ImportError
        matplotlib is not installed.

    Examples
    --------
    With a toy figure registered for the example (the papers' figures take longer):

    >>> import tempfile
    >>> @register_figure("toy", "none", "a line")
    ... def toy(quick):
    ...     return {"x": np.arange(3.0)}
    >>> @toy.draw
    ... def _(data, fig):
    ...     fig.add_subplot().plot(data["x"])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sorted(reproduce("toy", tmp, quick=True))
    ['json', 'npz', 'png']
    >>> del FIGURES["toy"]
    """
    _load_builtin_figures()
    if id not in FIGURES:
        raise ParameterError(
            f"unknown figure {id!r}; known: {', '.join(sorted(FIGURES)) or 'none'}"
        )
    spec = FIGURES[id]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    data = spec.data(quick)
    elapsed = time.perf_counter() - t0
    from ..plotting import pyplot

    plt = pyplot()
    fig = plt.figure(figsize=spec.figsize)
    spec.draw(data, fig)
    fig.suptitle(f"{spec.paper}: {spec.title}" + (" (quick)" if quick else ""), fontsize=9)
    png = out / f"{id}.png"
    from matplotlib.ticker import NullFormatter

    for ax in fig.axes:  # minor tick labels on log axes collide: keep the major ones
        if ax.get_xscale() == "log":
            ax.xaxis.set_minor_formatter(NullFormatter())
        if ax.get_yscale() == "log":
            ax.yaxis.set_minor_formatter(NullFormatter())
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)
    arrays: Dict[str, Any] = {
        k: np.asarray(v)
        for k, v in data.items()
        if isinstance(v, (np.ndarray, list, tuple)) and np.asarray(v).dtype != object
    }
    np.savez_compressed(out / f"{id}.npz", **arrays)
    meta = {
        "id": id,
        "paper": spec.paper,
        "title": spec.title,
        "quick": quick,
        "seconds": elapsed,
        "scalars": {
            k: v
            for k, v in data.items()
            if isinstance(v, (int, float, str, bool)) and not isinstance(v, np.ndarray)
        },
        "arrays": {k: list(v.shape) for k, v in arrays.items()},
    }
    from .. import __version__

    meta["version"] = __version__
    (out / f"{id}.json").write_text(json.dumps(meta, indent=1, default=float))
    return {"png": png, "npz": out / f"{id}.npz", "json": out / f"{id}.json"}
