"""Deprecated: the Bordelon et al. figures moved to :mod:`scalinglaws.figures.bordelon2024`."""

from __future__ import annotations

import warnings

from .errors import ScalingLawsDeprecationWarning
from .figures.bordelon2024 import *  # noqa: F401,F403

warnings.warn(
    "scalinglaws.dmft_figures moved to scalinglaws.figures.bordelon2024; import it from there",
    ScalingLawsDeprecationWarning,
    stacklevel=2,
)
