"""The library's own exceptions and warnings.

Every error the public API raises on purpose is one of these; each subclasses the builtin that
users already catch, so ``except ValueError`` keeps working.

* :class:`ParameterError` -- a parameter is invalid (wrong type, shape, value or range). The
  message names the parameter, its value and the valid range on one line. Subclasses both
  :class:`ValueError` and :class:`TypeError`.
* :class:`ConvergenceError` -- an iterative solver did not converge or produced non-finite values;
  carries the solver's ``residual`` (when known) and says what to change.
* :class:`ResourceError` -- a computation would need more memory (or time) than allowed; the
  message gives the estimate. Subclasses :class:`MemoryError`.
* :class:`ScalingLawsDeprecationWarning` -- a name moved; the warning names its new home.
"""

from __future__ import annotations

from typing import Optional

__all__ = ["ParameterError", "ConvergenceError", "ResourceError", "ScalingLawsDeprecationWarning"]


class ParameterError(ValueError, TypeError):
    """An invalid parameter: the message names it, its value and the valid range.

    Raised before any computation starts. Catch it as ``ParameterError``, ``ValueError`` or
    ``TypeError``.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> try:
    ...     sl.dmft.exponents(0.5, 1.0)
    ... except ValueError as err:
    ...     print(type(err).__name__, "a" in str(err))
    ParameterError True
    """


class ConvergenceError(RuntimeError):
    """A solver failed to converge; ``residual`` is its last residual (None when not defined).

    Parameters
    ----------
    message : str
        What failed and what to change (e.g. more nodes, a smaller learning rate).
    residual : float, optional
        The solver's last residual, stored as the attribute ``residual``.

    Examples
    --------
    >>> err = ConvergenceError("fixed point did not converge", residual=1e-3)
    >>> isinstance(err, RuntimeError), err.residual
    (True, 0.001)
    """

    def __init__(self, message: str, residual: Optional[float] = None) -> None:
        super().__init__(message)
        self.residual = residual


class ResourceError(MemoryError):
    """The computation would not fit in memory (or the time budget); the message has the estimate.

    Raised up front, before the allocation or the long computation starts. Catch it as
    ``ResourceError`` or ``MemoryError``.

    Examples
    --------
    >>> issubclass(ResourceError, MemoryError)
    True
    """


class ScalingLawsDeprecationWarning(DeprecationWarning):
    """A public name moved or changed; the message names the replacement.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", ScalingLawsDeprecationWarning)
    ...     try:
    ...         from scalinglaws import SimulationResult
    ...     except ScalingLawsDeprecationWarning as w:
    ...         print("LossCurve" in str(w))
    True
    """
