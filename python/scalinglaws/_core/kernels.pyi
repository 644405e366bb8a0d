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

    @property
    def kind(self) -> str:
        """
        'rbf', 'laplace', 'nngp' or 'ntk'.
        """
    @kind.setter
    def kind(self, arg1: str) -> None: ...
    bandwidth: float
    depth: int
    weight_variance: float
    bias_variance: float
    threads: int
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

def matrix(
    X: numpy.typing.NDArray[numpy.float64],
    Z: numpy.typing.NDArray[numpy.float64] | None = None,
    params: Params = ...,
) -> numpy.typing.NDArray[numpy.float64]:
    """
    Kernel matrix K(X, Z) (rows are points); Z = None gives the symmetric K(X, X). Use scalinglaws.spectra.kernel_matrix (validated).
    """
