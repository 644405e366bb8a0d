"""Point functions for the sweep tests (importable by worker processes via PYTHONPATH)."""

import os
import time
import uuid

import numpy as np


def counting_point(*, x: float, y: float, calls_dir: str, sleep: float = 0.0):
    """Records each call as a file in ``calls_dir`` and returns a small curve."""
    with open(os.path.join(calls_dir, f"{x}_{y}_{uuid.uuid4().hex}"), "w"):
        pass
    time.sleep(sleep)
    t = np.array([1.0, 2.0, 4.0])
    return {"time": t, "value": x * t + y, "total": x + y}


def failing_point(*, x: float):
    if x == 2:
        raise RuntimeError("x = 2 is not allowed")
    return {"time": [0.0, 1.0], "value": [x, 2 * x]}
