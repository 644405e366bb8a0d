"""The power-law spectra of both families: :class:`PowerLaw` (exponents, size, target scale),
the validation of each paper's parameters (a size may be infinite), the arrays of a finite
power law, and partial power sums. :class:`~scalinglaws.Problem` keeps the parameters and asks
this module for the rest."""

from __future__ import annotations

import math
from typing import Any, Dict, NamedTuple, Optional, Tuple

import numpy as np

from ._validate import check_int, check_real
from .errors import ParameterError

__all__ = ["PowerLaw"]

#: default learning-rate convention of one-pass SGD per family (see ``Problem.lr_convention``)
DEFAULT_CONVENTION = {"bordelon": "mean", "paquette": "sum", "custom": "sum"}

#: the largest finite number of features a problem may have (its arrays take 16 bytes a mode)
_MAX_FEATURES = 10**9


def _is_inf(value: Any, name: str) -> bool:
    if isinstance(value, str):
        if value.strip().lower() in ("inf", "infinity"):
            return True
        raise ParameterError(f"{name} must be an integer or 'inf', got {value!r}")
    return bool(isinstance(value, (float, np.floating)) and math.isinf(value) and value > 0)


class PowerLaw(NamedTuple):
    """A problem's spectrum written as Paquette et al.'s power law.

    ``lambda_j = j^(-2 alpha)`` and target power ``lambda_j w*_j^2 = scale * j^(-2 alpha - 2 beta)``
    for j = 1..v. A Bordelon et al. task (a, b, M) is ``alpha = b/2``, ``beta = (a - b)/2``,
    ``v = M`` (``scale`` != 1 only with ``normalize=True``). See :ref:`conv-dictionary`.

    Attributes
    ----------
    alpha : float
        Spectral exponent (> 0): ``lambda_j = j^(-2 alpha)``.
    beta : float
        Target exponent: ``w*_j = sqrt(scale) j^(-beta)``.
    v : float
        Number of features (``math.inf`` for an infinite problem).
    scale : float
        Overall factor of the target power (1 unless the task was normalised to ``L(0) = 1``).

    Examples
    --------
    >>> from scalinglaws import Problem
    >>> Problem.bordelon(a=1.5, b=1.25, M=100).power_law
    PowerLaw(alpha=0.625, beta=0.125, v=100.0, scale=1.0)
    """

    alpha: float
    beta: float
    v: float
    scale: float


def _power_sum(p: float, n: int) -> float:
    """sum_{k=1}^{n} k^-p (Hurwitz zeta difference for large n)."""
    if n <= 10**6:
        return float(np.sum(np.arange(1, n + 1, dtype=np.float64) ** (-p)))
    from scipy.special import zeta

    return (
        float(zeta(p, 1.0) - zeta(p, n + 1.0))
        if p > 1
        else float(np.sum(np.arange(1, 10**6 + 1, dtype=np.float64) ** (-p)))
        + ((n + 0.5) ** (1 - p) - (10**6 + 0.5) ** (1 - p)) / (1 - p)
    )


def bordelon_params(
    a: float, b: float, M: Any, N: Optional[int], sigma: float, normalize: bool
) -> Dict[str, Any]:
    """The validated parameters of :meth:`Problem.bordelon` (``M`` an int or ``math.inf``)."""
    a = check_real("a", a)
    b = check_real("b", b, minimum=0.0, min_open=True)
    if _is_inf(M, "M"):
        if not (a > 1.0 and b > 1.0):
            raise ParameterError(
                f"M = inf needs a > 1 and b > 1 (finite loss and trace), got a = {a:g}, b = {b:g}"
            )
        M = math.inf
    else:
        M = check_int("M", M, minimum=1, maximum=_MAX_FEATURES)
    return {"a": a, "b": b, "M": M, "N": N, "sigma": sigma, "normalize": normalize}


def paquette_params(
    alpha: float, beta: float, v: Any, d: Optional[int], sigma: float
) -> Dict[str, Any]:
    """The validated parameters of :meth:`Problem.paquette` (``v`` an int or ``math.inf``)."""
    alpha = check_real("alpha", alpha, minimum=0.0, min_open=True)
    beta = check_real("beta", beta)
    if d is not None:
        d = check_int("d", d, minimum=1)
    if _is_inf(v, "v"):
        if not (2.0 * alpha > 1.0 and 2.0 * (alpha + beta) > 1.0):
            raise ParameterError(
                f"v = inf needs 2 alpha > 1 and 2(alpha + beta) > 1, got "
                f"alpha = {alpha:g}, beta = {beta:g}"
            )
        v = math.inf
    else:
        v = check_int("v", v, minimum=1, maximum=_MAX_FEATURES)
    return {"alpha": alpha, "beta": beta, "v": v, "d": d, "sigma": sigma}


def keyword_family(bordelon: Dict[str, Any], paquette: Dict[str, Any], need_size: bool) -> str:
    """Which family the keywords of :meth:`Problem.from_params` give (None = not given):
    ``"bordelon"`` (a, b, M, N) or ``"paquette"`` (alpha, beta, v, d), refusing a mix of the two
    or an incomplete family (the model size N/d only when ``need_size``)."""
    bord = {k: x for k, x in bordelon.items() if x is not None}
    paq = {k: x for k, x in paquette.items() if x is not None}
    if bord and paq:
        raise ParameterError(
            f"mix of parameter families: {', '.join(bord)} (Bordelon et al.) with "
            f"{', '.join(paq)} (Paquette et al.); use one family"
        )
    if not bord and not paq:
        raise ParameterError(
            "give a problem: a, b, M, N (Bordelon et al.) or alpha, beta, v, d (Paquette et al.)"
        )
    names = list(bordelon if bord else paquette)
    missing = [n for n in names[: 4 if need_size else 3] if n not in (bord or paq)]
    if missing:
        fam = "Bordelon et al." if bord else "Paquette et al."
        raise ParameterError(f"missing {', '.join(missing)} for the {fam} family")
    return "bordelon" if bord else "paquette"


def family_power_law(family: str, p: Dict[str, Any], v: float) -> Optional[PowerLaw]:
    """The :class:`PowerLaw` of a family's parameters ``p`` with ``v`` features (None: custom)."""
    if family == "paquette":
        return PowerLaw(float(p["alpha"]), float(p["beta"]), v, 1.0)
    if family == "bordelon":
        a, b = float(p["a"]), float(p["b"])
        scale = 1.0
        if p.get("normalize"):
            if math.isinf(v):
                from scipy.special import zeta

                scale = 1.0 / float(zeta(a, 1.0))
            else:
                scale = 1.0 / _power_sum(a, int(p["M"]))
        return PowerLaw(b / 2.0, (a - b) / 2.0, v, scale)
    return None


def power_law_arrays(family: str, p: Dict[str, Any], M: int) -> Tuple[np.ndarray, np.ndarray]:
    """``lam`` and ``wstar`` (read-only) of a family's power law truncated to M modes."""
    k = np.arange(1, M + 1, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        if family == "bordelon":
            a, b = float(p["a"]), float(p["b"])
            lam = k ** (-b)
            wstar = k ** ((b - a) / 2.0)
            if p.get("normalize"):
                wstar = wstar / math.sqrt(float(np.sum(lam * wstar**2)))
        else:
            lam = k ** (-2.0 * float(p["alpha"]))
            wstar = k ** (-float(p["beta"]))
        power = lam * wstar**2
    names = "a, b" if family == "bordelon" else "alpha, beta"
    if not (
        np.all(lam > 0)
        and np.all(np.isfinite(wstar))
        and np.all(np.isfinite(power))
        and np.all(np.isfinite(lam))
    ):
        raise ParameterError(
            f"{names} = {', '.join(f'{float(p[n]):g}' for n in names.split(', '))}"
            f" with M = {M}: the spectrum or target under/overflows double "
            "precision (lambda_k must be > 0 and the target finite); use "
            "milder exponents or a smaller M"
        )
    lam.setflags(write=False)
    wstar.setflags(write=False)
    return lam, wstar
