"""Compute-optimal allocation of a FLOP budget between parameters N and training tokens D.

For the parametric law ``L(N, D) = E + A N^-alpha + B D^-beta`` and the FLOP model
``C = k N D`` (``k = 6``: forward + backward pass of a dense transformer, Kaplan et al. 2020;
Hoffmann et al. 2022), minimising L at fixed C gives

    N_opt(C) = G (C/k)^a,   D_opt(C) = G^-1 (C/k)^b,
    a = beta / (alpha + beta),   b = alpha / (alpha + beta),   G = (alpha A / (beta B))^(1/(alpha+beta)),

and ``D_opt / N_opt`` tokens per parameter. Other FLOP models plug in by subclassing
:class:`FlopModel` (``flops`` and ``tokens``); their optimum is then found numerically.
Units: N in parameters, D in tokens, C in FLOPs (whatever units the fit was made in).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Tuple

import numpy as np
from scipy import optimize

from .._docstrings import fill_doc
from .._validate import check_real
from .bootstrap import finite_or_none, percentile_interval

__all__ = ["FlopModel", "Allocation", "optimal_allocation", "allocation_exponents"]


class FlopModel:
    """Training compute ``C = coefficient * N * D`` (default ``6 N D``).

    Subclass and override :meth:`flops` and :meth:`tokens` (and ``name``) for another model;
    :meth:`optimum` then minimises the law numerically along the budget. Guide:
    :ref:`tutorial-fitting-chinchilla`.

    Parameters
    ----------
    coefficient : float, optional
        k > 0 in ``C = k N D`` (6: forward + backward pass of a dense transformer).

    Raises
    ------
    ParameterError
        ``coefficient <= 0``.

    Examples
    --------
    >>> fm = FlopModel()
    >>> fm.name, float(fm.flops(1e9, 2e10)), float(fm.tokens(1e9, 1.2e20))
    ('6ND', 1.2e+20, 20000000000.0)
    """

    def __init__(self, coefficient: float = 6.0) -> None:
        self.coefficient = check_real("coefficient", coefficient, minimum=0.0, min_open=True)

    @property
    def name(self) -> str:
        """Short name of the model, e.g. ``"6ND"``."""
        return f"{self.coefficient:g}ND"

    def flops(self, N: Any, D: Any) -> np.ndarray:
        """Compute (FLOPs) of training N parameters on D tokens.

        Parameters
        ----------
        N, D : float or array_like
            Parameters and tokens (broadcast).

        Returns
        -------
        ndarray
            ``k N D``.
        """
        return self.coefficient * np.asarray(N, dtype=np.float64) * np.asarray(D, dtype=np.float64)

    def tokens(self, N: Any, C: Any) -> np.ndarray:
        """Tokens D that a budget C buys for a model of N parameters.

        Parameters
        ----------
        N, C : float or array_like
            Parameters and FLOP budget (broadcast).

        Returns
        -------
        ndarray
            ``C / (k N)``.
        """
        return np.asarray(C, dtype=np.float64) / (
            self.coefficient * np.asarray(N, dtype=np.float64)
        )

    def is_multiplicative(self) -> bool:
        """True when ``C = k N D`` exactly (closed-form optimum).

        Returns
        -------
        bool
            False for subclasses overriding :meth:`flops` or :meth:`tokens`.
        """
        return type(self).flops is FlopModel.flops and type(self).tokens is FlopModel.tokens

    def optimum(self, params: Dict[str, float], C: Any) -> Tuple[np.ndarray, np.ndarray]:
        """``(N_opt, D_opt)`` minimising ``A N^-alpha + B D^-beta`` on the budget(s) C.

        Parameters
        ----------
        params : dict
            ``A``, ``alpha``, ``B``, ``beta`` of the law.
        C : float or array_like
            FLOP budgets.

        Returns
        -------
        (ndarray, ndarray)
            ``N_opt`` and ``D_opt`` (1-D, one per budget).
        """
        C = np.atleast_1d(np.asarray(C, dtype=np.float64))
        A, al, B, be = params["A"], params["alpha"], params["B"], params["beta"]
        if self.is_multiplicative():
            with np.errstate(all="ignore"):
                G = (al * A / (be * B)) ** (1.0 / (al + be))
                X = C / self.coefficient
                n_opt = G * X ** (be / (al + be))
            return n_opt, X / n_opt
        out = np.empty_like(C)
        for i, c in enumerate(C):

            def f(logn: float, c: float = c) -> float:
                n = np.exp(logn)
                return float(A * n**-al + B * self.tokens(n, c) ** -be)

            guess = 0.5 * np.log(c)
            sol = optimize.minimize_scalar(f, bracket=(guess - 5, guess + 5))
            out[i] = np.exp(sol.x)
        return out, self.tokens(out, C)


def allocation_exponents(params: Dict[str, float], flop_model: FlopModel) -> Dict[str, float]:
    """``a``, ``b`` and ``G`` of ``N_opt = G (C/k)^a``, ``D_opt = G^-1 (C/k)^b``.

    For a non-multiplicative FLOP model, ``a`` and ``b`` are the local slopes at C = 1e21 and G is
    NaN.

    Parameters
    ----------
    params : dict
        ``A``, ``alpha``, ``B``, ``beta`` of the law.
    flop_model : FlopModel
        The compute model.

    Returns
    -------
    dict
        ``{"a": beta/(alpha+beta), "b": alpha/(alpha+beta), "G": ...}`` (module docstring).

    Examples
    --------
    >>> from scalinglaws.testing import HOFFMANN as law   # Hoffmann et al. (2022)
    >>> {k: round(v, 3) for k, v in allocation_exponents(law, FlopModel()).items()}
    {'a': 0.452, 'b': 0.548, 'G': 1.345}
    """
    A, al, B, be = params["A"], params["alpha"], params["B"], params["beta"]
    with np.errstate(all="ignore"):
        if flop_model.is_multiplicative():
            s = al + be
            return {"a": be / s, "b": al / s, "G": (al * A / (be * B)) ** (1.0 / s)}
        c = np.array([1e21 / 1.1, 1e21 * 1.1])
        n, d = flop_model.optimum(params, c)
        dl = np.log(c[1] / c[0])
        return {
            "a": float(np.log(n[1] / n[0]) / dl),
            "b": float(np.log(d[1] / d[0]) / dl),
            "G": float("nan"),
        }


@fill_doc()
@dataclass
class Allocation:
    """Compute-optimal N, D and tokens per parameter at the budgets ``C`` (with intervals).

    ``*_ci`` arrays have shape ``(len(C), 2)``: the ``confidence`` percentile interval over the
    fit's bootstrap replicates (or over draws from the asymptotic normal when it had none).
    Returned by :meth:`ChinchillaFit.allocation <scalinglaws.fit.ChinchillaFit.allocation>`.

    Attributes
    ----------
    C : ndarray
        FLOP budgets.
    N_opt, D_opt : ndarray
        Compute-optimal parameters and tokens.
    tokens_per_param : ndarray
        ``D_opt / N_opt``.
    loss_opt : ndarray
        The law at the optimum.
    N_opt_ci, D_opt_ci, tokens_per_param_ci, loss_opt_ci : ndarray
        Intervals, shape ``(len(C), 2)`` (NaN without replicates).
    {confidence}
    flops : str
        Name of the FLOP model.

    Examples
    --------
    >>> from scalinglaws.testing import HOFFMANN as law   # Hoffmann et al. (2022)
    >>> a = optimal_allocation(law, np.empty((0, 5)), [1e21, 1e23], FlopModel(), 0.9)
    >>> a.tokens_per_param.round(1).tolist()
    [50.1, 78.2]
    """

    C: np.ndarray
    N_opt: np.ndarray
    D_opt: np.ndarray
    tokens_per_param: np.ndarray
    loss_opt: np.ndarray
    N_opt_ci: np.ndarray
    D_opt_ci: np.ndarray
    tokens_per_param_ci: np.ndarray
    loss_opt_ci: np.ndarray
    confidence: float
    flops: str

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready dict of the arrays (lists; NaN as None), ``confidence`` and ``flops``.

        Returns
        -------
        dict
            One entry per attribute.
        """
        keys = (
            "C",
            "N_opt",
            "D_opt",
            "tokens_per_param",
            "loss_opt",
            "N_opt_ci",
            "D_opt_ci",
            "tokens_per_param_ci",
            "loss_opt_ci",
        )
        d: Dict[str, Any] = {k: getattr(self, k).tolist() for k in keys}
        d.update(confidence=self.confidence, flops=self.flops)
        return finite_or_none(d)

    def __repr__(self) -> str:
        rows = [
            f"  C={c:.3g}: N_opt={n:.3g} [{nl:.3g}, {nh:.3g}], D_opt={d:.3g}, "
            f"D/N={r:.3g} [{rl:.3g}, {rh:.3g}]"
            for c, n, (nl, nh), d, r, (rl, rh) in zip(
                self.C,
                self.N_opt,
                self.N_opt_ci,
                self.D_opt,
                self.tokens_per_param,
                self.tokens_per_param_ci,
            )
        ]
        return (
            f"Allocation(C = {self.flops}, {100 * self.confidence:.0f}% intervals\n"
            + "\n".join(rows)
            + ")"
        )


def optimal_allocation(
    params: Dict[str, float], samples: np.ndarray, C: Any, flop_model: FlopModel, confidence: float
) -> Allocation:
    """Compute-optimal allocation at budgets ``C``, with intervals over replicate laws.

    Parameters
    ----------
    params : dict
        The fitted law: ``E``, ``A``, ``alpha``, ``B``, ``beta``.
    samples : ndarray, shape (n, 5)
        Replicate laws (columns E, A, alpha, B, beta), e.g. bootstrap fits; may be empty.
    C : float or array_like
        FLOP budgets, finite and > 0.
    flop_model : FlopModel
        The compute model.
    confidence : float
        Level of the percentile intervals.

    Returns
    -------
    Allocation
        Point values and intervals.

    Raises
    ------
    ParameterError
        Empty, non-finite or non-positive budgets.

    Examples
    --------
    >>> from scalinglaws.testing import HOFFMANN as law   # Hoffmann et al. (2022)
    >>> a = optimal_allocation(law, np.empty((0, 5)), 1e23, FlopModel(), 0.9)
    >>> f"{a.N_opt[0]:.3g}", f"{a.D_opt[0]:.3g}"
    ('1.46e+10', '1.14e+12')
    """
    C = np.atleast_1d(np.asarray(C, dtype=np.float64)).ravel()
    if C.size == 0 or not np.all(np.isfinite(C)) or np.any(C <= 0):
        from ..errors import ParameterError

        raise ParameterError(f"C must be finite budgets > 0, got {C.tolist()!r:.80}")

    def one(p: Dict[str, float]) -> np.ndarray:
        n, d = flop_model.optimum(p, C)
        with np.errstate(all="ignore"):
            loss = p["E"] + p["A"] * n ** -p["alpha"] + p["B"] * d ** -p["beta"]
            return np.stack([n, d, d / n, loss])

    point = one(params)
    names = ("E", "A", "alpha", "B", "beta")
    reps = (
        np.stack([one(dict(zip(names, row))) for row in samples])
        if len(samples)
        else np.full((0,) + point.shape, np.nan)
    )
    ci = percentile_interval(reps, confidence)  # (2, 4, len(C))
    cis = [np.stack([ci[0, k], ci[1, k]], axis=-1) for k in range(4)]
    return Allocation(
        C,
        point[0],
        point[1],
        point[2],
        point[3],
        cis[0],
        cis[1],
        cis[2],
        cis[3],
        confidence,
        flop_model.name,
    )
