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
    def __init__(
        self,
        *,
        lam: numpy.typing.NDArray[numpy.float64],
        wstar: numpy.typing.NDArray[numpy.float64],
        N: int,
        sigma: float = 0.0,
    ) -> None: ...
    def __repr__(self) -> str: ...
    @property
    def N(self) -> int: ...
    @N.setter
    def N(self, arg0: int) -> None: ...
    @property
    def lam(self) -> numpy.typing.NDArray[numpy.float64]: ...
    @lam.setter
    def lam(self, arg1: numpy.typing.NDArray[numpy.float64]) -> None: ...
    @property
    def sigma(self) -> float: ...
    @sigma.setter
    def sigma(self, arg0: float) -> None: ...
    @property
    def wstar(self) -> numpy.typing.NDArray[numpy.float64]: ...
    @wstar.setter
    def wstar(self, arg1: numpy.typing.NDArray[numpy.float64]) -> None: ...

class GdOptions:
    """
    Full-batch GD / gradient-flow simulation options.
    """

    flow: bool
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
    def __repr__(self) -> str: ...
    @property
    def P(self) -> int: ...
    @P.setter
    def P(self, arg0: int) -> None: ...
    @property
    def bags(self) -> int: ...
    @bags.setter
    def bags(self, arg0: int) -> None: ...
    @property
    def data_seeds(self) -> list[int]: ...
    @data_seeds.setter
    def data_seeds(self, arg0: collections.abc.Sequence[int]) -> None: ...
    @property
    def ensemble(self) -> int: ...
    @ensemble.setter
    def ensemble(self, arg0: int) -> None: ...
    @property
    def lr(self) -> float: ...
    @lr.setter
    def lr(self, arg0: float) -> None: ...
    @property
    def momentum(self) -> float: ...
    @momentum.setter
    def momentum(self, arg0: float) -> None: ...
    @property
    def projection_seeds(self) -> list[int]: ...
    @projection_seeds.setter
    def projection_seeds(self, arg0: collections.abc.Sequence[int]) -> None: ...
    @property
    def schedule(self) -> scalinglaws._core.schedule.Schedule: ...
    @schedule.setter
    def schedule(self, arg0: scalinglaws._core.schedule.Schedule) -> None: ...
    @property
    def threads(self) -> int: ...
    @threads.setter
    def threads(self, arg0: int) -> None: ...
    @property
    def times(self) -> list[float]: ...
    @times.setter
    def times(self, arg0: collections.abc.Sequence[float]) -> None: ...

class SgdOptions:
    """
    One-pass SGD simulation options.
    """

    batch_mean: bool
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
    def __repr__(self) -> str: ...
    @property
    def batch(self) -> int: ...
    @batch.setter
    def batch(self, arg0: int) -> None: ...
    @property
    def checkpoints(self) -> list[int]: ...
    @checkpoints.setter
    def checkpoints(self, arg0: collections.abc.Sequence[int]) -> None: ...
    @property
    def data_seeds(self) -> list[int]: ...
    @data_seeds.setter
    def data_seeds(self, arg0: collections.abc.Sequence[int]) -> None: ...
    @property
    def lr(self) -> float: ...
    @lr.setter
    def lr(self, arg0: float) -> None: ...
    @property
    def projection_seeds(self) -> list[int]: ...
    @projection_seeds.setter
    def projection_seeds(self, arg0: collections.abc.Sequence[int]) -> None: ...
    @property
    def steps(self) -> int: ...
    @steps.setter
    def steps(self, arg0: int) -> None: ...
    @property
    def schedule(self) -> scalinglaws._core.schedule.Schedule: ...
    @schedule.setter
    def schedule(self, arg0: scalinglaws._core.schedule.Schedule) -> None: ...
    @property
    def threads(self) -> int: ...
    @threads.setter
    def threads(self, arg0: int) -> None: ...

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
