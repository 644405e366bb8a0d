"""
Power-law random features (Paquette, Paquette, Xiao & Pennington 2024)
"""

from __future__ import annotations

import collections.abc

import numpy
import numpy.typing
import scalinglaws._core.schedule

class SpectrumOptions:
    """
    Grid of the deterministic-equivalent spectrum.
    """

    x_lo: float
    x_hi: float
    points_per_bump: float
    eta_rel: float
    threads: int
    refine_rtol: float
    def __init__(
        self,
        *,
        x_lo: float,
        x_hi: float,
        points_per_bump: float,
        eta_rel: float = 1e-10,
        threads: int = 0,
        refine_rtol: float = 1e-10,
    ) -> None: ...

class VolterraOptions:
    """
    One-pass SGD (batch-sum convention) for the Volterra loss.
    """

    gamma: float
    batch: int
    checkpoints: list[int]
    exact_steps: int
    block_rel: float
    schedule: scalinglaws._core.schedule.Schedule
    cluster_width: float
    cluster_nodes: int
    def __init__(
        self,
        *,
        gamma: float,
        batch: int,
        checkpoints: collections.abc.Sequence[int],
        exact_steps: int = 0,
        block_rel: float = 0.0,
        schedule: scalinglaws._core.schedule.Schedule = ...,
        cluster_width: float = 0.0,
        cluster_nodes: int = 4,
    ) -> None: ...

def edges(
    alpha: float, beta: float | None, v: float, d: int
) -> tuple[float, float, float, float, float]:
    """
    (lambda_min, c, F_0, sum_j j^-(2alpha+2beta), sum_j j^-2alpha); NaN entries without beta.
    """

def forcing_kernel(
    lam: numpy.typing.NDArray[numpy.float64],
    rho: numpy.typing.NDArray[numpy.float64],
    gamma: float,
    batch: int,
    steps: collections.abc.Sequence[float],
    threads: int = 0,
) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64]]:
    """
    (F(r) - P_inf, K(r)) at the given steps.
    """

def json_floats(x: numpy.typing.NDArray[numpy.float64]) -> str:
    """
    json.dumps(list(x)) for finite doubles, in C++ (the CLI's large spectra).
    """

def solve_m(
    alpha: float, v: float, d: int, z: numpy.typing.NDArray[numpy.complex128], threads: int = 0
) -> numpy.typing.NDArray[numpy.complex128]:
    """
    m(z) of the deterministic equivalent at each z (Im z > 0).
    """

def spectrum(
    alpha: float, beta: float | None, v: float, d: int, options: SpectrumOptions
) -> dict[str, numpy.typing.NDArray[numpy.float64] | float]:
    """
    Deterministic-equivalent density, eigenvalues and target weights (a dict).
    """

def sums(alpha: float, v: float, p: float, m: complex, z: complex) -> tuple[complex, complex]:
    """
    (sum_j j^-p / h_j, sum_j j^-p / h_j^2) with h_j = j^-2alpha m - z.
    """

def volterra(
    lam: numpy.typing.NDArray[numpy.float64],
    rho: numpy.typing.NDArray[numpy.float64],
    p_inf: float,
    options: VolterraOptions,
) -> numpy.typing.NDArray[numpy.float64]:
    """
    SGD loss P(r) at the checkpoints from the discrete Volterra equation.
    """
