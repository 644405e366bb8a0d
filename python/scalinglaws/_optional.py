"""Optional dependencies, imported through one helper whose error names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]

#: module -> the ``pip install 'scalinglaws[EXTRA]'`` extra that provides it
EXTRAS = {
    "matplotlib": "plot",
    "xarray": "sweep",
    "dask": "sweep",
    "distributed": "sweep",
    "tqdm": "sweep",
    "tomli": "sweep",
    "sklearn": "data",
}


def require(module: str, what: str) -> ModuleType:
    """Import ``module`` or raise ImportError naming the extra that installs it.

    ``what`` says what needs it, e.g. ``require("xarray", "LossCurve.to_xarray")``.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        extra = EXTRAS.get(top)
        hint = f"pip install 'scalinglaws[{extra}]'" if extra else f"pip install {top}"
        raise ImportError(f"{what} needs the optional dependency {top!r}: {hint}") from None
