"""Deprecated: the plain-numpy reference implementations moved to :mod:`scalinglaws.testing`."""

from __future__ import annotations

import warnings

from .errors import ScalingLawsDeprecationWarning
from .testing import *  # noqa: F401,F403
from .testing import __all__  # noqa: F401

warnings.warn(
    "scalinglaws.oracle moved to scalinglaws.testing; import it from there",
    ScalingLawsDeprecationWarning,
    stacklevel=2,
)
