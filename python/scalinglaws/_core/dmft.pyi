"""
DMFT theory (Bordelon, Atanasov & Pehlevan 2024)
"""

from __future__ import annotations

import collections.abc

import numpy
import numpy.typing

class Spectrum:
    """
    The problem as the DMFT sees it: spectrum, target power, 1/N, 1/P (0 = infinity) and the label-noise variance.
    """

    lam: numpy.typing.NDArray[numpy.float64]
    wstar2: numpy.typing.NDArray[numpy.float64]
    inv_N: float
    inv_P: float
    sigma2: float
    @property
    def tail_start(self) -> float: ...
    @property
    def tail_b(self) -> float: ...
    @property
    def tail_a(self) -> float: ...
    @property
    def tail_scale(self) -> float: ...
    def __init__(
        self,
        *,
        lam: numpy.typing.NDArray[numpy.float64],
        wstar2: numpy.typing.NDArray[numpy.float64],
        inv_N: float = 0.0,
        inv_P: float = 0.0,
        sigma2: float = 0.0,
        tail_start: float = 0.0,
        tail_b: float = 0.0,
        tail_a: float = 0.0,
        tail_scale: float = 1.0,
    ) -> None: ...

class CurveOptions:
    """
    Options of the time-domain DMFT curves.
    """

    flow: bool
    lr: float
    momentum: float
    nodes: int
    threads: int
    inv_E: float
    inv_B: float
    u_max: float
    schedule_lr: list[float]
    schedule_steps: list[float]
    def __init__(
        self,
        *,
        flow: bool = False,
        lr: float = 0.5,
        momentum: float = 0.0,
        nodes: int = 20,
        threads: int = 0,
        inv_E: float = 1.0,
        inv_B: float = 1.0,
        u_max: float = 0.0,
        schedule_lr: collections.abc.Sequence[float] = ...,
        schedule_steps: collections.abc.Sequence[float] = ...,
    ) -> None: ...

def loss_curve(
    spectrum: Spectrum, times: collections.abc.Sequence[float], options: CurveOptions
) -> tuple[list[float], list[float]]:
    """
    (test, train) losses at the given times (flow time t, or GD step count).
    """

def solve(
    spectrum: Spectrum, q: collections.abc.Sequence[complex], threads: int = 0
) -> list[complex]:
    """
    S(q) of the scalar self-consistency at each frequency q (sigma2 unused).
    """

def tail_power_sum(spectrum: Spectrum, p: float) -> float:
    """
    sum over the tail k >= tail_start of k^-p (p > 1; 0 without a tail).
    """

def tail_sums(
    spectrum: Spectrum,
    power: int,
    q: collections.abc.Sequence[complex],
    x: collections.abc.Sequence[complex],
) -> tuple:
    """
    Tail sums (T1, T2) = (sum c_k/(q + lambda_k x), sum c_k/(q + lambda_k x)^2) over the tail k >= tail_start, with c_k = lambda_k (power 0), lambda_k^2 (1), lambda_k w*_k^2 (2) or lambda_k^2 w*_k^2 (3).
    """

def transfer(
    spectrum: Spectrum,
    times: collections.abc.Sequence[float],
    modes: collections.abc.Sequence[int],
    options: CurveOptions,
) -> numpy.typing.NDArray[numpy.float64]:
    """
    Transfer functions H_k(t): rows = times, columns = the 0-based modes (sigma2, inv_E, inv_B unused).
    """
