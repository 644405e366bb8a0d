"""The pre-0.2 scalar signatures of :mod:`scalinglaws.plrf` (one release, with a warning).

Old: ``deterministic_spectrum(alpha, v, d, beta)``, ``empirical_spectrum(alpha, beta, v, d,
seed)``, ``limit_loss(alpha, beta, v, d)``, ``lambda_min(alpha, v, d)``,
``resolvent_m(z, alpha, v, d)``, ``loss_components(alpha, beta, d, r, lr, batch, v)``.
New: the same names taking a :class:`~scalinglaws.Problem`.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Dict, Tuple, TypeVar

from ..errors import ParameterError, ScalingLawsDeprecationWarning
from ..problem import Problem

__all__ = ["accepts_scalars"]

F = TypeVar("F", bound=Callable[..., Any])

# name -> (old positional parameter names, index of the first argument after the problem's)
_OLD: Dict[str, Tuple[str, ...]] = {
    "deterministic_spectrum": ("alpha", "v", "d", "beta"),
    "empirical_spectrum": ("alpha", "beta", "v", "d", "seed"),
    "limit_loss": ("alpha", "beta", "v", "d"),
    "lambda_min": ("alpha", "v", "d"),
    "loss_components": ("alpha", "beta", "d", "r", "lr", "batch", "v"),
}


def _problem(values: Dict[str, Any]) -> Problem:
    beta = values.get("beta")
    return Problem.paquette(
        values["alpha"], 0.5 if beta is None else beta, values["v"], values["d"]
    )


def accepts_scalars(fn: F) -> F:
    """Let ``fn(problem, ...)`` also take its old scalar arguments, with a deprecation warning."""
    name = fn.__name__
    old = _OLD[name]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if (args and isinstance(args[0], Problem)) or "problem" in kwargs:
            return fn(*args, **kwargs)
        values = dict(zip(old, args))
        for key in old:
            if key in kwargs:
                values[key] = kwargs.pop(key)
        missing = [k for k in ("alpha", "v", "d") if k not in values]
        if missing:
            raise ParameterError(f"{name} takes a Problem: {name}(problem, ...)")
        warnings.warn(
            f"plrf.{name}({', '.join(old)}) is deprecated; pass a Problem: "
            f"plrf.{name}(Problem.paquette(alpha, beta, v, d), ...)",
            ScalingLawsDeprecationWarning,
            stacklevel=2,
        )
        problem = _problem(values)
        if name == "empirical_spectrum":
            return fn(problem, values.get("seed", kwargs.pop("seed", 0)), **kwargs)
        if name == "loss_components":
            return fn(problem, values["r"], values["lr"], values.get("batch", 1), **kwargs)
        return fn(problem, **kwargs)

    return wrapper  # type: ignore[return-value]
