"""Point functions of a sweep: the built-in ones (library functions returning a
:class:`~scalinglaws.LossCurve`), user functions ("module:function") and parameter checks."""

from __future__ import annotations

import importlib
import inspect
import math
from typing import Any, Callable, Dict, Mapping, Sequence

from ..errors import ParameterError

__all__ = [
    "POINT_FUNCTIONS",
    "point_function",
    "resolve_function",
    "check_parameters",
    "curve_outputs",
    "fold_schedule",
]


PointFunction = Callable[..., Any]
POINT_FUNCTIONS: Dict[str, PointFunction] = {}
#: built-in point function -> the library function whose keywords it forwards
_TARGETS: Dict[PointFunction, str] = {}


def point_function(name: str, target: str) -> Callable[[PointFunction], PointFunction]:
    """Decorator registering a built-in point function in :data:`POINT_FUNCTIONS`.

    The function is registered under ``name``; it forwards its keywords (besides the problem's
    parameters) to the library function ``target`` ("module:function"), whose signature
    :func:`check_parameters` uses to accept or refuse sweep parameters.

    Parameters
    ----------
    name : str
        Name used in sweep files (e.g. ``"dmft.loss_curve"``).
    target : str
        ``"module:function"`` of the library function it calls.

    Returns
    -------
    callable
        The decorator (returns the function unchanged).

    Examples
    --------
    >>> sorted(POINT_FUNCTIONS)
    ['dmft.loss_curve', 'plrf.loss_curve', 'simulate.gd', 'simulate.sgd']
    """

    def deco(fn: PointFunction) -> PointFunction:
        POINT_FUNCTIONS[name] = fn
        _TARGETS[fn] = target
        return fn

    return deco


def _target_parameters(fn: PointFunction) -> set:
    mod, _, attr = _TARGETS[fn].partition(":")
    target = getattr(importlib.import_module(mod), attr)
    return {
        p.name
        for p in inspect.signature(target).parameters.values()
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "problem"
    }


def resolve_function(name: str) -> PointFunction:
    """The point function of a registered name or of ``"module:function"``.

    Parameters
    ----------
    name : str
        A key of :data:`POINT_FUNCTIONS` or an importable ``"module:function"``.

    Returns
    -------
    callable
        The function.

    Raises
    ------
    ParameterError
        Unknown name, failed import or a non-callable attribute.

    Examples
    --------
    >>> resolve_function("math:hypot")(3, 4)
    5.0
    >>> resolve_function("simulate.gd") is POINT_FUNCTIONS["simulate.gd"]
    True
    """
    if name in POINT_FUNCTIONS:
        return POINT_FUNCTIONS[name]
    if ":" in name:
        mod_name, _, attr = name.partition(":")
        try:
            fn = getattr(importlib.import_module(mod_name), attr)
        except (ImportError, AttributeError) as exc:
            raise ParameterError(f"cannot import sweep function {name!r}: {exc}") from None
        if not callable(fn):
            raise ParameterError(f"sweep function {name!r} is not callable")
        return fn
    known = ", ".join(sorted(POINT_FUNCTIONS))
    raise ParameterError(
        f"unknown sweep function {name!r} (built-in: {known}; or 'module:function')"
    )


# --------------------------------------------------------------------------- built-in functions
def _problem(params: Dict[str, Any], need_size: bool = True):
    from ..problem import Problem

    keys = ("a", "b", "M", "N", "alpha", "beta", "v", "d", "sigma", "normalize")
    return Problem.from_params(
        **{k: params.pop(k) for k in keys if k in params}, need_size=need_size
    )


@point_function("simulate.gd", "scalinglaws.simulate:simulate_gd")
def _simulate_gd_point(*, P: int, times: Sequence[float], **kwargs: Any) -> Any:
    """Full-batch GD/GF (:func:`scalinglaws.simulate_gd`); problem by either family."""
    from ..simulate import simulate_gd

    return simulate_gd(_problem(kwargs), P, times=times, **kwargs)


@point_function("dmft.loss_curve", "scalinglaws.dmft:loss_curve")
def _dmft_loss_curve_point(*, times: Sequence[float], P: Any = None, **kwargs: Any) -> Any:
    """DMFT theory curve (:func:`scalinglaws.dmft.loss_curve`); problem by either family.
    ``P``, ``N``, ``ensemble`` and ``bags`` may be the string ``"inf"`` in TOML."""
    from .. import dmft
    from .._validate import check_size

    N = kwargs.pop("N", None)
    if N is not None and not math.isinf(check_size("N", N)):
        kwargs["N"] = N  # a finite N belongs to the problem; inf is passed as N=
        N = None
    problem = _problem(kwargs, need_size=False)
    return dmft.loss_curve(problem, P, times, N=N, **kwargs)


@point_function("plrf.loss_curve", "scalinglaws.plrf:loss_curve")
def _plrf_loss_curve_point(*, lr: float, steps: int, **kwargs: Any) -> Any:
    """Volterra loss curve of one-pass SGD (:func:`scalinglaws.plrf.loss_curve`); problem by
    either family (``v`` or ``M`` may be ``"inf"``). The time axis is the step count r;
    ``flops`` = B d r."""
    from .. import plrf

    return plrf.loss_curve(_problem(kwargs), lr=lr, steps=steps, **kwargs)


@point_function("simulate.sgd", "scalinglaws.simulate:simulate_sgd")
def _simulate_sgd_point(*, lr: float, steps: int, **kwargs: Any) -> Any:
    """One-pass SGD (:func:`scalinglaws.simulate_sgd`); problem by either family."""
    from ..simulate import simulate_sgd

    return simulate_sgd(_problem(kwargs), lr, steps, **kwargs)


def curve_outputs(curve: Any) -> Dict[str, Any]:
    """A point function's result as the outputs of a sweep record.

    A :class:`~scalinglaws.LossCurve` gives ``time``, ``test_loss`` and, where defined,
    ``test_loss_sem``, ``train_loss``, ``train_loss_sem`` and ``flops`` (step-count curves of the
    PLRF model); a dict is taken as it is.

    Parameters
    ----------
    curve : LossCurve or mapping
        The result.

    Returns
    -------
    dict
        Output name -> array (or value).

    Examples
    --------
    >>> from scalinglaws import LossCurve
    >>> sorted(curve_outputs(LossCurve(times=[1.0], test_loss=[0.5])))
    ['test_loss', 'time']
    """
    from ..results import LossCurve

    if not isinstance(curve, LossCurve):
        return dict(curve)
    out: Dict[str, Any] = {"time": curve.times, "test_loss": curve.test_loss}
    for name in ("test_loss_sem", "train_loss", "train_loss_sem"):
        if getattr(curve, name) is not None:
            out[name] = getattr(curve, name)
    if curve.time_unit == "steps" and curve.model == "plrf":
        out["flops"] = curve.flops
    return out


_PROBLEM_KEYS = {"a", "b", "M", "N", "alpha", "beta", "v", "d", "sigma", "normalize"}
SCHEDULE_PREFIX = "schedule."


def fold_schedule(params: Mapping[str, Any]) -> Dict[str, Any]:
    """Merge ``schedule.<key>`` entries into the base ``schedule`` spec string.

    A sweep varies one schedule parameter with an axis ``schedule.<key>`` (e.g.
    ``schedule.decay``) next to a base ``schedule`` (:mod:`scalinglaws.schedules`):
    ``schedule = "wsd:warmup=100"`` with ``schedule.decay = 0.2`` runs
    ``schedule = "wsd:warmup=100,decay=0.2"``.

    Parameters
    ----------
    params : mapping
        One point's parameters.

    Returns
    -------
    dict
        The parameters without the ``schedule.<key>`` entries, ``schedule`` the merged spec.

    Raises
    ------
    ParameterError
        No base ``schedule`` string, or an invalid schedule parameter (named, with its value and
        valid range).

    Examples
    --------
    >>> fold_schedule({"lr": 0.3, "schedule": "wsd:warmup=100", "schedule.decay": 0.2})
    {'lr': 0.3, 'schedule': 'wsd:warmup=100,decay=0.2'}
    """
    keys = [k for k in params if isinstance(k, str) and k.startswith(SCHEDULE_PREFIX)]
    if not keys:
        return dict(params)
    out = {k: v for k, v in params.items() if k not in keys}
    base = out.get("schedule")
    if not isinstance(base, str):
        raise ParameterError(
            f"sweep parameter(s) {', '.join(sorted(keys))} need a base schedule string, "
            f'got schedule = {base!r} (valid: e.g. schedule = "wsd:warmup=100")'
        )
    from ..schedules import Schedule

    overrides = {k[len(SCHEDULE_PREFIX) :]: params[k] for k in keys}
    out["schedule"] = str(Schedule.parse(base, **overrides))
    return out


def check_parameters(fn: PointFunction, params: Mapping[str, Any], name: str) -> None:
    """Refuse parameters the function does not accept, naming them and the accepted ones.

    Built-in functions accept the problem parameters of one family (``a, b, M, N`` or
    ``alpha, beta, v, d``, plus ``sigma, normalize``) and the keywords of their library target;
    a user function taking ``**kwargs`` accepts anything. ``schedule.<key>`` entries are first
    folded into ``schedule`` (:func:`fold_schedule`).

    Parameters
    ----------
    fn : callable
        The point function.
    params : mapping
        One point's parameters.
    name : str
        The function's name in the sweep (for messages).

    Raises
    ------
    ParameterError
        Unknown or missing parameters, or a mix of the two families.

    Examples
    --------
    >>> fn = resolve_function("simulate.gd")
    >>> check_parameters(fn, {"a": 1.5, "b": 1.25, "M": 100, "N": 10, "P": 20, "times": [1]}, "gd")
    >>> check_parameters(fn, {"a": 1.5, "alpha": 1.0, "P": 20, "times": [1]}, "gd")
    Traceback (most recent call last):
    ...
    scalinglaws.errors.ParameterError: mix of parameter families for sweep function 'gd': ...
    """
    params = fold_schedule(params)
    sig = inspect.signature(fn)
    accepted = {
        p.name for p in sig.parameters.values() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }
    var_kw = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    allowed = accepted
    if fn in _TARGETS:
        allowed = accepted | _PROBLEM_KEYS | _target_parameters(fn)
    if var_kw and fn not in POINT_FUNCTIONS.values():
        return  # user function takes **kwargs: anything goes
    if fn in _TARGETS:
        bord = sorted(set(params) & {"a", "b", "M", "N"})
        paq = sorted(set(params) & {"alpha", "beta", "v", "d"})
        if bord and paq:
            raise ParameterError(
                f"mix of parameter families for sweep function {name!r}: "
                f"{', '.join(bord)} (Bordelon et al.) with {', '.join(paq)} "
                "(Paquette et al.); use one family"
            )
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)} for sweep function {name!r} "
            f"(accepted: {', '.join(sorted(allowed))})"
        )
    missing = [
        p.name
        for p in sig.parameters.values()
        if p.default is p.empty and p.kind == p.KEYWORD_ONLY and p.name not in params
    ]
    if missing:
        raise ParameterError(
            f"missing parameter(s) {', '.join(missing)} for sweep function {name!r}"
        )
