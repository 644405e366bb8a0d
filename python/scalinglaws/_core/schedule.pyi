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
    def __repr__(self) -> str: ...
    @property
    def a(self) -> list[float]: ...
    @a.setter
    def a(self, arg0: collections.abc.Sequence[float]) -> None: ...
    @property
    def b(self) -> list[float]: ...
    @b.setter
    def b(self, arg0: collections.abc.Sequence[float]) -> None: ...
    @property
    def c(self) -> list[float]: ...
    @c.setter
    def c(self, arg0: collections.abc.Sequence[float]) -> None: ...
    @property
    def d(self) -> list[float]: ...
    @d.setter
    def d(self, arg0: collections.abc.Sequence[float]) -> None: ...
    @property
    def shapes(self) -> list[int]: ...
    @shapes.setter
    def shapes(self, arg0: collections.abc.Sequence[int]) -> None: ...
    @property
    def starts(self) -> list[int]: ...
    @starts.setter
    def starts(self, arg0: collections.abc.Sequence[int]) -> None: ...

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
