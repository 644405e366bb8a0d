"""
Kernel (Gram) matrices: rbf, laplace, nngp, ntk
"""

from __future__ import annotations

import numpy
import numpy.typing

class Params:
    """
    Kernel and its parameters.
    """
    def __init__(
        self,
        *,
        kind: str = "ntk",
        bandwidth: float = 1.0,
        depth: int = 1,
        weight_variance: float = 2.0,
        bias_variance: float = 0.0,
        threads: int = 0,
    ) -> None: ...
    def __repr__(self) -> str: ...
    @property
    def bandwidth(self) -> float: ...
    @bandwidth.setter
    def bandwidth(self, arg0: float) -> None: ...
    @property
    def bias_variance(self) -> float: ...
    @bias_variance.setter
    def bias_variance(self, arg0: float) -> None: ...
    @property
    def depth(self) -> int: ...
    @depth.setter
    def depth(self, arg0: int) -> None: ...
    @property
    def kind(self) -> str:
        """
        'rbf', 'laplace', 'nngp' or 'ntk'.
        """
    @kind.setter
    def kind(self, arg1: str) -> None: ...
    @property
    def threads(self) -> int: ...
    @threads.setter
    def threads(self, arg0: int) -> None: ...
    @property
    def weight_variance(self) -> float: ...
    @weight_variance.setter
    def weight_variance(self, arg0: float) -> None: ...

def matrix(
    X: numpy.typing.NDArray[numpy.float64],
    Z: numpy.typing.NDArray[numpy.float64] | None = None,
    params: Params = ...,
) -> numpy.typing.NDArray[numpy.float64]:
    """
    Kernel matrix K(X, Z) (rows are points); Z = None gives the symmetric K(X, X). Use scalinglaws.spectra.kernel_matrix (validated).
    """
