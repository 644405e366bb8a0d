"""The 4+3 phases of compute-optimal scaling in the (alpha, beta) plane (Paquette et al.;
theory page "Power-law random features", sections "Loss components" and "Phases").

Functions of the phase plane take the exponents ``(alpha, beta)`` directly (they describe a
family of problems, not one problem); :func:`loss_components` takes a problem.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Tuple

import numpy as np

from .._docstrings import fill_doc
from .._validate import check_int, check_real, check_values
from ..errors import ParameterError
from ..problem import PowerLaw, Problem
from ._docs import DOCS
from .spectrum import edges, power_law_of

__all__ = [
    "PHASES",
    "PHASE_EXAMPLES",
    "phase",
    "compute_optimal_exponents",
    "loss_components",
    "check_alpha_beta",
]

PHASES = ("Ia", "Ib", "Ic", "II", "III", "IVa", "IVb")

#: one representative (alpha, beta) per phase, in the order of PHASES
PHASE_EXAMPLES: Dict[str, Tuple[float, float]] = {
    "Ia": (1.0, 0.3),
    "Ib": (0.4, 0.3),
    "Ic": (0.2, 0.8),
    "II": (1.0, 0.7),
    "III": (0.7, 1.2),
    "IVa": (0.4, 0.8),
    "IVb": (0.27, 0.8),
}


def check_alpha_beta(alpha: Any, beta: Any) -> Tuple[float, float]:
    """Validated (alpha, beta): alpha > 0 and 2(alpha + beta) > 1 (a finite loss).

    Parameters
    ----------
    alpha : float
        Spectrum exponent (``D = diag(j^-2alpha)``), > 0.
    beta : float
        Target exponent (``b_j = j^-beta``).

    Returns
    -------
    (float, float)
        ``(alpha, beta)`` as floats.

    Raises
    ------
    ParameterError
        alpha <= 0, non-finite values or 2(alpha + beta) <= 1.

    Examples
    --------
    >>> check_alpha_beta(1, 0.7)
    (1.0, 0.7)
    """
    alpha = check_real("alpha", alpha, minimum=0.0, min_open=True)
    beta = check_real("beta", beta)
    if not 2.0 * (alpha + beta) > 1.0:
        raise ParameterError(
            f"need 2(alpha + beta) > 1 for a finite loss, got alpha = {alpha}, "
            f"beta = {beta} (2(alpha+beta) = {2 * (alpha + beta):g})"
        )
    return alpha, beta


@fill_doc(DOCS)
def phase(alpha: float, beta: float) -> str:
    """Phase of (alpha, beta) in the diagram of Paquette et al. (:ref:`plrf-phases`).

    Boundaries: beta >= alpha counts as III, 2beta = 1 as Ia/Ib, 2alpha = 1 as the 2alpha < 1
    side (IVa / Ib).

    Parameters
    ----------
    {alpha_beta}

    Returns
    -------
    str
        One of :data:`PHASES`: ``"Ia"``, ``"Ib"``, ``"Ic"``, ``"II"``, ``"III"``, ``"IVa"``,
        ``"IVb"``.

    Raises
    ------
    ParameterError
        alpha <= 0 or ``2(alpha + beta) <= 1`` (the loss at initialisation diverges).

    Examples
    --------
    >>> phase(0.7, 0.7), phase(1.0, 0.3), phase(0.27, 0.8)
    ('III', 'Ia', 'IVb')
    """
    alpha, beta = check_alpha_beta(alpha, beta)
    if 2 * beta <= 1:
        return "Ia" if 2 * alpha > 1 else "Ib"
    if 2 * alpha > 1:
        return "III" if beta >= alpha else "II"
    if alpha < 0.25:
        return "Ic"
    if alpha < 1 - 1 / math.sqrt(2):
        return "IVb"
    return "IVa"


@fill_doc(DOCS)
def compute_optimal_exponents(alpha: float, beta: float) -> Tuple[str, float, float]:
    """Closed-form compute-optimal exponents (:ref:`plrf-phases`).

    With compute ``f = B d r`` flops, the optimal model size grows as ``d* ~ f^xi`` and the
    loss on the frontier falls as ``P* ~ f^-eta``.

    Parameters
    ----------
    {alpha_beta}

    Returns
    -------
    (str, float, float)
        ``(phase, xi, eta)``.

    Raises
    ------
    ParameterError
        As for :func:`phase`.

    Examples
    --------
    >>> ph, xi, eta = compute_optimal_exponents(0.7, 0.7)
    >>> ph, xi, round(eta, 4)
    ('III', 0.5, 0.6429)
    """
    ph = phase(alpha, beta)
    a, b = float(alpha), float(beta)
    if ph == "Ia":
        xi, eta = 1 / (2 * a + 1), (2 * a + 2 * b - 1) / (2 * a + 1)
    elif ph == "Ib":
        xi, eta = 0.5, (2 * a + 2 * b - 1) / 2
    elif ph == "Ic":
        den = 3 * a + 2 * b - 1 - 2 * a * b
        xi, eta = (2 * a + 2 * b - 1) / (2 * den), a * (2 * a + 2 * b - 1) / den
    elif ph == "II":
        xi, eta = b / (a + b), (2 * a + 2 * b - 1) / (2 * (a + b))
    elif ph == "III":
        xi, eta = 0.5, 1 - 1 / (4 * a)
    elif ph == "IVa":
        xi, eta = 0.5, a
    else:  # IVb
        den = 2 * b * (1 - a) - a
        xi, eta = (b - a) / den, (1 - 2 * a) * (2 * a + 2 * b - 1) / (2 * den)
    if not (math.isfinite(xi) and math.isfinite(eta)):
        raise ParameterError(
            f"the compute-optimal exponents are undefined at alpha = {a:g}, "
            f"beta = {b:g} (phase {ph}: a denominator vanishes on this line)"
        )
    return ph, float(xi), float(eta)


def _power_sum(p: float, n: int, head: int = 100_000) -> float:
    """sum_{j=1}^{n} j^-p: exact up to ``head`` terms, then Euler-Maclaurin for the rest
    (integral + endpoint halves + the first derivative correction; relative error < 1e-15 for
    head = 1e5)."""
    m = min(n, head)
    s = float(np.sum(np.arange(1, m + 1, dtype=np.float64) ** (-p)))
    if n <= m:
        return s
    a, b = float(m), float(n)
    integral = math.log(b / a) if p == 1.0 else (b ** (1 - p) - a ** (1 - p)) / (1 - p)
    # sum_{j=m+1}^{n} f(j) = int_m^n f + (f(n) - f(m))/2 + (f'(n) - f'(m))/12, f = x^-p
    return s + integral + 0.5 * (b**-p - a**-p) - p * (b ** (-p - 1) - a ** (-p - 1)) / 12.0


def loss_components(problem: Problem, r: Any, lr: float, batch: int = 1) -> Dict[str, Any]:
    """Large-d forms of the loss components, with ``t = 2 gamma B r`` (batch-sum gamma = ``lr``):

    * F_0: exact deterministic limit loss of the problem (v = inf allowed for 2 alpha > 1);
    * F_pp(r) ~ (2a)^-1 Gamma(1 + (2b-1)/(2a)) t^-(2a+2b-1)/(2a);
    * F_ac(r) ~ (sum_{j<=d} j^-2b / d) (2a)^-1 Gamma(1 - 1/(2a)) t^-(1-1/(2a)) for 2b > 1, 2a > 1
      (0 otherwise: its form below the line is not known);
    * K_pp(r) ~ gamma^2 B (2a)^-1 Gamma(2 - 1/(2a)) t^-(2-1/(2a)) (power law for alpha > 1/4),
      and the noise term K_pp / (gamma B) that enters P (None for alpha <= 1/4).

    Here ``a, b`` are the problem's ``alpha, beta`` and ``d`` its model size; ``lr`` is gamma in
    the batch-sum convention (:ref:`conv-lr`). Losses without 1/2. Theory:
    :ref:`plrf-components`.

    Parameters
    ----------
    problem : Problem
        An unnormalised power-law problem (``Problem.paquette``) with d set.
    r : float or array_like of float
        SGD steps, > 0 (the forms are asymptotic in ``t = 2 lr B r >> 1``).
    lr : float
        Per-sample step gamma (batch-sum convention), > 0.
    batch : int, optional
        Batch size B.

    Returns
    -------
    dict
        ``t``, ``F_0`` (float), ``F_pp``, ``F_ac``, ``K_pp`` and ``noise`` (arrays shaped like
        ``r``; ``K_pp`` and ``noise`` None for alpha <= 1/4).

    Raises
    ------
    ParameterError
        No power law, a normalised problem, d unset, invalid ``r``/``lr``/``batch``, or forms
        that overflow (r too small).

    Examples
    --------
    >>> p = Problem.paquette(alpha=1.0, beta=0.7, v=4000, d=100)
    >>> c = loss_components(p, [1e3, 1e4], 0.3)
    >>> c["t"].tolist(), sorted(c)
    ([600.0, 6000.0], ['F_0', 'F_ac', 'F_pp', 'K_pp', 'noise', 't'])
    >>> round(float(c["F_pp"][0] / c["F_pp"][1]), 2)          # t^-(2a+2b-1)/(2a) = 10^-1.2
    15.85
    """
    pl, d = power_law_of(problem)
    if pl.scale != 1.0:
        raise ParameterError("loss_components takes an unnormalised power law (normalize=False)")
    return components(pl.alpha, pl.beta, d, pl.v, r, lr, batch)


def components(
    alpha: float, beta: float, d: int, v: float, r: Any, lr: float, batch: int = 1
) -> Dict[str, Any]:
    """:func:`loss_components` from the exponents and sizes (no Problem arrays are built, so
    it serves phase-plane sweeps up to d ~ 1e8)."""
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    rr = check_values("r", r, minimum=0.0, min_open=True)
    if np.ndim(r) == 0:
        rr = rr.reshape(())
    with np.errstate(all="ignore"):
        try:
            out = _components(alpha, beta, d, v, rr, lr, batch)
        except (OverflowError, ValueError):  # math.gamma out of range
            out = None
    bad = out is None or any(x is not None and not np.all(np.isfinite(x)) for x in out.values())
    if bad:
        raise ParameterError(
            f"the large-d loss components overflow at alpha = {alpha:g}, beta = "
            f"{beta:g}, lr = {lr:g}, r in [{rr.min():g}, {rr.max():g}]: they are "
            "asymptotic forms for t = 2 lr B r >> 1; use larger r"
        )
    assert out is not None  # bad is True when out is None
    return out


def _components(
    a: float, b: float, d: int, v: float, rr: np.ndarray, lr: float, batch: int
) -> Dict[str, Any]:
    t = 2.0 * lr * batch * rr
    out: Dict[str, Any] = {"t": t, "F_0": float(edges(PowerLaw(a, b, v, 1.0), d)[2])}
    out["F_pp"] = (
        (1 / (2 * a))
        * math.gamma(1 + (2 * b - 1) / (2 * a))
        * t ** (-(2 * a + 2 * b - 1) / (2 * a))
    )
    if 2 * b > 1 and 2 * a > 1:
        out["F_ac"] = (
            (_power_sum(2 * b, d) / d)
            * (1 / (2 * a))
            * math.gamma(1 - 1 / (2 * a))
            * t ** (-(1 - 1 / (2 * a)))
        )
    else:
        out["F_ac"] = np.zeros_like(t)
    if a > 0.25:
        out["K_pp"] = (
            lr**2 * batch * (1 / (2 * a)) * math.gamma(2 - 1 / (2 * a)) * t ** (-(2 - 1 / (2 * a)))
        )
        out["noise"] = out["K_pp"] / (lr * batch)
    else:
        out["K_pp"] = None
        out["noise"] = None
    return out
