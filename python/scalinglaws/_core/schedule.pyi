"""
Learning-rate schedules (multipliers of lr)
"""

from __future__ import annotations

import collections.abc

import numpy
import numpy.typing

class Schedule:
    """
    Pieces [starts[i], starts[i+1]) of shapes 0 constant a, 1 linear a + b x, 2 cosine a + b (1 + cos(pi x / c)) / 2, 3 sqrt a + b (1 - sqrt(x / c)), 4 power a + b (1 + x / c)^-d; empty = 1.
    """

    starts: list[int]
    shapes: list[int]
    a: list[float]
    b: list[float]
    c: list[float]
    d: list[float]
    def __init__(
        self,
        *,
        starts: collections.abc.Sequence[int] = [],
        shapes: collections.abc.Sequence[int] = [],
        a: collections.abc.Sequence[float] = [],
        b: collections.abc.Sequence[float] = [],
        c: collections.abc.Sequence[float] = [],
        d: collections.abc.Sequence[float] = [],
    ) -> None: ...

def evaluate(
    schedule: Schedule, steps: collections.abc.Sequence[int]
) -> numpy.typing.NDArray[numpy.float64]:
    """
    Multipliers f(r) at the given steps.
    """

def max_over(schedule: Schedule, steps: int) -> float:
    """
    Largest multiplier over steps [0, steps).
    """
