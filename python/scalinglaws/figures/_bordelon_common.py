"""What the Bordelon et al. figure modules share: the paper label, inf, the lazy dmft import."""

from __future__ import annotations

import math
from typing import Any

PAPER = "Bordelon et al. 2024"
INF = math.inf


def _dmft() -> Any:
    from .. import dmft

    return dmft
