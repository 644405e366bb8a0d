"""The figures' panel style: axis labels, title and frameless legend; colour sequences."""

from __future__ import annotations

from typing import Any, Optional

__all__ = ["label", "palette"]


def label(
    ax: Any,
    xlabel: Optional[str] = None,
    ylabel: Optional[str] = None,
    *,
    title: Optional[str] = None,
    title_size: float = 9,
    legend: Optional[float] = None,
    **legend_kw: Any,
) -> None:
    """Label ``ax``: axis labels and title where given, and a frameless legend of font size
    ``legend`` (no legend when None; ``legend_kw``, e.g. ``ncol``, go to ``ax.legend``)."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title, fontsize=title_size)
    if legend is not None:
        ax.legend(fontsize=legend, frameon=False, **legend_kw)


def palette(n: int, cmap: str = "viridis", top: float = 0.9) -> Any:
    """``n`` RGBA colours evenly spaced over ``[0, top]`` of the matplotlib colormap ``cmap``
    (``top < 1`` leaves out the palest end), as an ``(n, 4)`` array."""
    import matplotlib
    import numpy as np

    return matplotlib.colormaps[cmap](np.linspace(0, top, n))
