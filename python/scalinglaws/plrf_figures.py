"""Deprecated: the Paquette et al. figures moved to :mod:`scalinglaws.figures.paquette2024`."""

from __future__ import annotations

import warnings

from .errors import ScalingLawsDeprecationWarning
from .figures.paquette2024 import *  # noqa: F401,F403

warnings.warn(
    "scalinglaws.plrf_figures moved to scalinglaws.figures.paquette2024; import it from there",
    ScalingLawsDeprecationWarning,
    stacklevel=2,
)
