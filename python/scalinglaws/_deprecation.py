"""Names that moved: module ``__getattr__`` hooks that warn and forward (one release)."""

from __future__ import annotations

import importlib
import warnings
from typing import Any, Dict

from .errors import ScalingLawsDeprecationWarning

__all__ = ["moved"]


def moved(module: str, name: str, table: Dict[str, str]) -> Any:
    """The object ``name`` of ``module`` that now lives in ``table[name]``, with a warning."""
    if name not in table:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    home = table[name]
    warnings.warn(
        f"{module}.{name} moved to {home}.{name}; import it from there",
        ScalingLawsDeprecationWarning,
        stacklevel=3,
    )
    return getattr(importlib.import_module(home), name)
