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
    """An invalid parameter: the message names it, its value and the valid range."""


class ConvergenceError(RuntimeError):
    """A solver failed to converge; ``residual`` is its last residual (None when not defined)."""

    def __init__(self, message: str, residual: Optional[float] = None) -> None:
        super().__init__(message)
        self.residual = residual


class ResourceError(MemoryError):
    """The computation would not fit in memory (or the time budget); the message has the estimate."""


class ScalingLawsDeprecationWarning(DeprecationWarning):
    """A public name moved or changed; the message names the replacement."""
