"""
Finite-width simulation of the Gaussian linear random-feature model
"""

from __future__ import annotations

import collections.abc

import numpy
import numpy.typing
import scalinglaws._core.schedule

class ProblemSpec:
    """
    Spectrum lam (> 0), target wstar, model size N, label noise sigma.
    """

    lam: numpy.typing.NDArray[numpy.float64]
    wstar: numpy.typing.NDArray[numpy.float64]
    N: int
    sigma: float
    def __init__(
        self,
        *,
        lam: numpy.typing.NDArray[numpy.float64],
        wstar: numpy.typing.NDArray[numpy.float64],
        N: int,
        sigma: float = 0.0,
    ) -> None: ...

class RunOptions:
    """
    Base of GdOptions and SgdOptions: one data and one projection seed per run, threads (0 = all cores) and the lr schedule.
    """

    data_seeds: list[int]
    projection_seeds: list[int]
    threads: int
    schedule: scalinglaws._core.schedule.Schedule
    def __init__(self, *args: object, **kwargs: object) -> None:
        """
        pybind11's: a base class only, it raises TypeError (no constructor).
        """

class GdOptions(RunOptions):
    """
    Full-batch GD / gradient-flow simulation options.
    """

    P: int
    ensemble: int
    bags: int
    lr: float
    flow: bool
    momentum: float
    times: list[float]
    def __init__(
        self,
        *,
        P: int,
        ensemble: int = 1,
        bags: int = 1,
        lr: float = 0.0,
        flow: bool = False,
        momentum: float = 0.0,
        times: collections.abc.Sequence[float],
        data_seeds: collections.abc.Sequence[int],
        projection_seeds: collections.abc.Sequence[int],
        threads: int = 0,
        schedule: scalinglaws._core.schedule.Schedule = ...,
    ) -> None: ...

class SgdOptions(RunOptions):
    """
    One-pass SGD simulation options.
    """

    batch: int
    lr: float
    batch_mean: bool
    steps: int
    checkpoints: list[int]
    def __init__(
        self,
        *,
        batch: int = 1,
        lr: float,
        batch_mean: bool = False,
        steps: int,
        checkpoints: collections.abc.Sequence[int],
        data_seeds: collections.abc.Sequence[int],
        projection_seeds: collections.abc.Sequence[int],
        threads: int = 0,
        schedule: scalinglaws._core.schedule.Schedule = ...,
    ) -> None: ...

def continuous_momentum_gain(g: float, t: float, beta: float) -> float: ...
def draw_problem(
    problem: ProblemSpec,
    P: int,
    ensemble: int,
    projection_seed: int,
    data_seed: int,
    *,
    explicit_matrices: bool = False,
    threads: int = 0,
    bag: int = 0,
) -> dict[str, numpy.typing.NDArray[numpy.float64] | float]:
    """
    One draw of the projection and of P training samples (a dict; tests and diagnostics).
    """

def gd(
    problem: ProblemSpec, options: GdOptions
) -> tuple[
    numpy.typing.NDArray[numpy.float64],
    numpy.typing.NDArray[numpy.float64],
    numpy.typing.NDArray[numpy.float64],
]:
    """
    (test, train, max_gram_eig) of full-batch GD / gradient flow, one row per run.
    """

def heavy_ball_gain(g: float, n: int, lr: float, mu: float) -> float: ...
def normal_samples(seed: int, n: int) -> numpy.typing.NDArray[numpy.float64]: ...
def sgd(problem: ProblemSpec, options: SgdOptions) -> numpy.typing.NDArray[numpy.float64]:
    """
    Population loss of one-pass SGD at the checkpoints, one row per run.
    """

def sgd_max_stable_gamma(s: numpy.typing.NDArray[numpy.float64], batch: int) -> float: ...
def sgd_setup(
    problem: ProblemSpec, projection_seed: int, threads: int = 0
) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64], float]:
    """
    (s, e0, p_inf): eigenvalues of Sigma, initial error in its eigenbasis, best loss.
    """
