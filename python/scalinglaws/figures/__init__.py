"""The papers' synthetic figures, regenerated from the library (``scalinglaws reproduce``).

* :mod:`~scalinglaws.figures.bordelon2024`, :mod:`~scalinglaws.figures.bordelon2024_reuse`,
  :mod:`~scalinglaws.figures.bordelon2024_white` --
  Bordelon, Atanasov & Pehlevan (ICML 2024), Figs. 2-6 and 8-11;
* :mod:`~scalinglaws.figures.paquette2024`, :mod:`~scalinglaws.figures.paquette2024_fronts`,
  :mod:`~scalinglaws.figures.paquette2024_compute`, :mod:`~scalinglaws.figures.paquette2024_contour`,
  with their data in :mod:`~scalinglaws.figures.paquette2024_data` -- Paquette, Paquette, Xiao &
  Pennington (NeurIPS 2024), Figs. 1-5 and the appendix figures.

The registry (:func:`register_figure`, :func:`reproduce`, :func:`figure_ids`) is documented in
:mod:`scalinglaws.figures._registry`.
"""

from __future__ import annotations

from ._registry import FIGURES, FigureSpec, figure_ids, register_figure, reproduce

__all__ = ["FigureSpec", "FIGURES", "register_figure", "reproduce", "figure_ids"]
