"""The labels of one panel: axis labels, a title and a frameless legend, in the figures' style."""

from __future__ import annotations

from typing import Any, Optional

__all__ = ["label"]


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
