"""One problem description for both papers: Gaussian linear random-feature regression
(:ref:`conv-problem`).

Features ``psi ~ N(0, diag(lam))`` in R^M, target ``y = wstar . psi + sigma * eps``, a random
projection ``F`` (N x M, entries N(0, 1/N)) and a linear student ``f = w . (F psi)``; test loss
**without the 1/2 and the noise floor**: ``L(w) = sum_k lam_k (wstar_k - (F^T w)_k)^2``.
Bordelon et al. (App. G): ``F = A / sqrt(N)``, ``v0 = wstar - F^T w`` (their eq. 97). Paquette et
al.: ``lam = diag(D) = j^(-2 alpha)``, ``wstar = b = j^(-beta)``, ``F = W^T``, ``N = d``,
``M = v``, ``w = theta``; the full dictionary is :ref:`conv-dictionary`. The power laws of the two
constructors are in ``_power_law.py``, the storage of the arrays in ``_problem_arrays.py``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

import numpy as np

from ._docstrings import fill_doc
from ._power_law import (
    DEFAULT_CONVENTION,
    PowerLaw,
    bordelon_params,
    family_power_law,
    keyword_family,
    paquette_params,
)
from ._problem_arrays import LAZY, array_property, store_arrays
from ._validate import check_int, check_real
from .errors import ParameterError

__all__ = ["Problem", "PowerLaw"]


@dataclass(frozen=True, eq=False)
class Problem:
    """A Gaussian linear random-feature regression problem (:ref:`conv-problem`).

    Features ``psi ~ N(0, diag(lam))`` in R^M, target ``y = wstar . psi + sigma eps``, and a
    model of size N: the predictor ``f = w . (F psi)`` on N random projections ``F`` with
    N(0, 1/N) entries. One problem serves both theories and the simulators. Build it with
    :meth:`bordelon` (Bordelon et al.: ``a, b, M, N``), :meth:`paquette` (Paquette et al.:
    ``alpha, beta, v, d``) or :meth:`from_spectrum` (any spectrum); the dictionary between the
    two papers' symbols is :ref:`conv-dictionary`.

    Attributes
    ----------
    lam : ndarray, shape (M,)
        Feature covariance spectrum ``lambda_k > 0``.
    wstar : ndarray, shape (M,)
        Target coefficients ``w*_k`` (target ``y = w* . psi``).
    N : int or None
        Model size: number of projected features (Bordelon's N, Paquette's d). None = unset.
    sigma : float
        Label-noise standard deviation (labels ``y + sigma * eps``).
    family : str
        ``"bordelon"``, ``"paquette"`` or ``"custom"``: which paper's constructor made it.
    params : dict
        The constructor's parameters, for records and printing.
    infinite : bool
        A power law with infinitely many features (``M = inf``/``v = inf``; :attr:`power_law`):
        theories that sum the power law analytically accept it, simulators refuse it
        (:meth:`require_finite`).
    lr_convention : str
        One-pass SGD convention (:ref:`conv-lr`): ``"mean"`` (``w <- w - (lr/B) sum_i grad_i``,
        Bordelon et al. eq. 142; the default of :meth:`bordelon`) or ``"sum"`` (``w <- w - lr
        sum_i grad_i``, Paquette et al.; the other default). Identical for batch 1.

    Raises
    ------
    ParameterError
        Invalid parameters (non-positive ``lam``, mismatched lengths, a negative ``sigma``, an
        unknown ``lr_convention``), with the parameter's name in the message.

    See Also
    --------
    scalinglaws.simulate_gd, scalinglaws.simulate_sgd : exact simulations of the problem.
    scalinglaws.dmft.loss_curve, scalinglaws.plrf.loss_curve : its theories.

    Examples
    --------
    >>> p = Problem.bordelon(a=1.5, b=1.25, M=1000, N=100)
    >>> p.lam[:3]                      # k^-b
    array([1.        , 0.42044821, 0.25327856])
    >>> p.replace(N=50).N
    50
    >>> Problem.paquette(alpha=1.0, beta=0.7, v=math.inf, d=100).infinite
    True
    """

    lam: np.ndarray
    wstar: np.ndarray
    N: Optional[int] = None
    sigma: float = 0.0
    family: str = "custom"
    params: Dict[str, Any] = field(default_factory=dict)
    lr_convention: str = ""
    infinite: bool = False

    def __post_init__(self) -> None:
        store_arrays(self)
        if self.N is not None:
            object.__setattr__(self, "N", check_int("N", self.N, minimum=1))
        object.__setattr__(self, "sigma", check_real("sigma", self.sigma, minimum=0.0))
        if self.family not in ("bordelon", "paquette", "custom"):
            raise ParameterError(
                f"family must be 'bordelon', 'paquette' or 'custom', got {self.family!r}"
            )
        conv = self.lr_convention or DEFAULT_CONVENTION[self.family]
        if conv not in ("sum", "mean"):
            raise ParameterError(f"lr_convention must be 'sum' or 'mean', got {conv!r}")
        object.__setattr__(self, "lr_convention", conv)

    # ----------------------------------------------------------------- constructors
    @classmethod
    @fill_doc()
    def bordelon(
        cls,
        a: float,
        b: float,
        M: float,
        N: Optional[int] = None,
        *,
        sigma: float = 0.0,
        normalize: bool = False,
        lr_convention: str = "mean",
    ) -> "Problem":
        """Power-law task of Bordelon, Atanasov & Pehlevan (:ref:`dmft-model`).

        ``lambda_k = k^-b`` and ``lambda_k (w*_k)^2 = k^-a`` for k = 1..M, i.e.
        ``w*_k = k^((b-a)/2)``. The initial loss is ``L(0) = sum_k k^-a`` unless ``normalize``,
        which rescales w* so that ``L(0) = 1`` (the paper's figures appear to use that).

        Parameters
        ----------
        a : float
            Exponent of the target power ``lambda_k w*_k^2 = k^-a``. Any value at finite M;
            a > 1 keeps the loss finite as M grows.
        b : float
            Exponent of the spectrum ``lambda_k = k^-b`` (> 0).
        M : int or math.inf
            Number of features. ``math.inf`` (needs a > 1 and b > 1) is accepted by theories that
            sum the power law analytically (:func:`scalinglaws.plrf.loss_curve`); simulators
            need a finite M.
        N : int, optional
            Model size (number of random projections); may also be given later with
            :meth:`replace` or to the theory functions.
        {sigma}
        normalize : bool, optional
            Rescale w* so that ``L(0) = 1``.
        lr_convention : {"mean", "sum"}, optional
            Learning-rate convention of one-pass SGD on this problem (:ref:`conv-lr`).

        Returns
        -------
        Problem
            ``family = "bordelon"``; the arrays are built on first use (none at M = inf).

        Raises
        ------
        ParameterError
            b <= 0, a non-integer or non-positive M or N, ``M = inf`` with a <= 1 or b <= 1, or
            more features than fit in memory.

        See Also
        --------
        paquette : the same power laws in Paquette et al.'s parameters (``alpha = b/2``,
            ``beta = (a - b)/2``, ``v = M``).

        Examples
        --------
        >>> p = Problem.bordelon(1.5, 1.25, M=1000, N=100)
        >>> p.target_power[:3]            # lambda_k w*_k^2 = k^-a
        array([1.        , 0.35355339, 0.19245009])
        """
        p = bordelon_params(a, b, M, N, sigma, normalize)  # the arrays are built on first use
        return cls(LAZY, LAZY, N, sigma, "bordelon", p, lr_convention, math.isinf(p["M"]))

    @classmethod
    @fill_doc()
    def paquette(
        cls,
        alpha: float,
        beta: float,
        v: float,
        d: Optional[int] = None,
        *,
        sigma: float = 0.0,
        lr_convention: str = "sum",
    ) -> "Problem":
        """Power-law random features of Paquette, Paquette, Xiao & Pennington (:ref:`plrf-model`).

        ``D = diag(j^(-2 alpha))`` and ``b_j = j^(-beta)``, j = 1..v; model size d (= N). In the
        common notation ``lam = diag(D)`` and ``wstar = b`` (:ref:`conv-dictionary`).

        Parameters
        ----------
        alpha : float
            Data-covariance exponent (> 0): ``lambda_j = j^(-2 alpha)``.
        beta : float
            Target exponent: ``b_j = j^(-beta)``. The paper needs ``2(alpha + beta) > 1`` for a
            finite loss as v grows; at finite v any value works.
        v : int or math.inf
            Number of features (data dimension). ``math.inf`` needs ``2 alpha > 1`` and
            ``2(alpha + beta) > 1``.
        d : int, optional
            Model size (number of random features, the N of the common notation).
        {sigma}
        lr_convention : {"sum", "mean"}, optional
            One-pass SGD convention; the paper sums the batch (:ref:`conv-lr`).

        Returns
        -------
        Problem
            ``family = "paquette"`` with ``N = d``; the arrays are built on first use.

        Raises
        ------
        ParameterError
            alpha <= 0, a non-integer or non-positive v or d, or ``v = inf`` outside the region
            above.

        See Also
        --------
        bordelon : the same power laws in Bordelon et al.'s parameters.
        scalinglaws.plrf.deterministic_spectrum : the spectrum of the projected covariance.

        Examples
        --------
        >>> q = Problem.paquette(alpha=1.0, beta=0.7, v=2000, d=100)
        >>> q.N, q.M, q.lr_convention
        (100, 2000, 'sum')
        """
        p = paquette_params(alpha, beta, v, d, sigma)  # the arrays are built on first use
        return cls(LAZY, LAZY, p["d"], sigma, "paquette", p, lr_convention, math.isinf(p["v"]))

    @classmethod
    @fill_doc()
    def from_spectrum(
        cls,
        lam: Any,
        wstar: Any,
        N: Optional[int] = None,
        *,
        sigma: float = 0.0,
        lr_convention: str = "sum",
    ) -> "Problem":
        """Any user-given spectrum ``lam`` (> 0) and target coefficients ``wstar`` (arrays).

        Use it with measured kernel spectra: ``lam`` are kernel eigenvalues and ``lam * wstar**2``
        the target's power in each eigenmode
        (:meth:`scalinglaws.spectra.SpectrumAnalysis.problem` builds one from a data set).

        Parameters
        ----------
        lam : array_like, shape (M,)
            Feature covariance eigenvalues, all > 0 (any order).
        wstar : array_like, shape (M,)
            Target coefficients in the same eigenbasis.
        N : int, optional
            Model size.
        {sigma}
        lr_convention : {"sum", "mean"}, optional
            One-pass SGD convention (:ref:`conv-lr`).

        Returns
        -------
        Problem
            ``family = "custom"``, holding read-only copies of the arrays.

        Raises
        ------
        ParameterError
            Non-positive or non-finite ``lam``, non-finite ``wstar``, or different lengths.

        See Also
        --------
        scalinglaws.spectra.SpectrumAnalysis.problem : a problem from a data set's kernel spectrum.

        Examples
        --------
        >>> r = Problem.from_spectrum([1.0, 0.5, 0.25], [1.0, 1.0, 1.0], N=2)
        >>> r.M, r.infinite_limit_loss([0.0])
        (3, array([1.75]))
        """
        return cls(lam, wstar, N, sigma, "custom", {"N": N, "sigma": sigma}, lr_convention)

    @classmethod
    def from_params(
        cls,
        *,
        a: Optional[float] = None,
        b: Optional[float] = None,
        M: Optional[int] = None,
        N: Optional[int] = None,
        alpha: Optional[float] = None,
        beta: Optional[float] = None,
        v: Optional[int] = None,
        d: Optional[int] = None,
        sigma: float = 0.0,
        normalize: bool = False,
        need_size: bool = True,
    ) -> "Problem":
        """Build a problem from either parameter family, by keyword (:ref:`conv-dictionary`).

        The keyword form of :meth:`bordelon` and :meth:`paquette`, for command lines and sweeps.

        Parameters
        ----------
        a, b, M, N : float, float, int or math.inf, int, optional
            The Bordelon et al. family, as in :meth:`bordelon`.
        alpha, beta, v, d : float, float, int or math.inf, int, optional
            The Paquette et al. family, as in :meth:`paquette`.
        sigma, normalize : float, bool, optional
            As in :meth:`bordelon` (``normalize``: the Bordelon et al. family only).
        need_size : bool, optional
            Require the model size (N or d); False leaves it unset.

        Returns
        -------
        Problem
            What :meth:`bordelon` or :meth:`paquette` builds from the same parameters.

        Raises
        ------
        ParameterError
            Keywords of both families, an incomplete family (naming the missing parameters),
            ``normalize`` with the Paquette et al. family, or an invalid value.

        See Also
        --------
        bordelon, paquette : the same problems by position.

        Examples
        --------
        >>> Problem.from_params(alpha=1.0, beta=0.7, v=500, d=50)
        Problem.paquette(alpha=1.0, beta=0.7, v=500, d=50, sigma=0.0)
        >>> Problem.from_params(a=1.5, b=1.25, M=100, need_size=False).N is None
        True
        """
        bordelon = dict(a=a, b=b, M=M, N=N)
        family = keyword_family(bordelon, dict(alpha=alpha, beta=beta, v=v, d=d), need_size)
        if family == "bordelon":
            return cls.bordelon(a, b, M, N, sigma=sigma, normalize=normalize)  # type: ignore[arg-type]
        if normalize:
            raise ParameterError("normalize applies to the Bordelon et al. family only")
        return cls.paquette(alpha, beta, v, d, sigma=sigma)  # type: ignore[arg-type]

    def replace(self, **changes: Any) -> "Problem":
        """A copy with some fields changed (``N``, ``sigma``, ``lr_convention``, ...).

        Parameters
        ----------
        **changes
            New values of dataclass fields (``N``, ``sigma``, ``lr_convention``, ``lam``,
            ``wstar``, ...), validated as in the constructor; ``N`` and ``sigma`` also update
            :attr:`params` (``d`` for the Paquette et al. family).

        Returns
        -------
        Problem
            The same spectrum and target (shared read-only arrays) with the changes.

        Raises
        ------
        ParameterError
            An invalid new value (e.g. ``N < 1`` or a negative ``sigma``).

        Examples
        --------
        >>> Problem.paquette(alpha=1.0, beta=0.7, v=500, d=50).replace(N=100).params["d"]
        100
        """
        params = dict(self.params)
        for key in ("N", "sigma"):
            if key in changes:
                params[key] = changes[key]
        if "N" in changes and "d" in params:
            params["d"] = changes["N"]
        changes.setdefault("lam", self.__dict__.get("_lam"))
        changes.setdefault("wstar", self.__dict__.get("_wstar"))
        return dataclasses.replace(self, params=params, **changes)

    # ----------------------------------------------------------------- derived quantities
    @property
    def M(self) -> Any:
        """Number of features M (Paquette et al.'s v): an int, or ``math.inf`` if infinite."""
        if self.infinite:
            return math.inf
        if self.family == "custom":
            return int(self.lam.size)
        return int(self.params["M" if self.family == "bordelon" else "v"])

    def require_finite(self, what: str) -> "Problem":
        """Return self, or raise ParameterError if the problem has infinitely many features.

        Parameters
        ----------
        what : str
            The name of the caller, for the error message (e.g. ``"simulate_gd"``).

        Returns
        -------
        Problem
            ``self``, unchanged.

        Raises
        ------
        ParameterError
            The problem has ``M = inf`` (the message names ``what``).
        """
        if self.infinite:
            raise ParameterError(
                f"{what} needs a finite number of features (M/v), got M = inf; "
                "give a finite M (the plrf theory accepts M = inf)"
            )
        return self

    @property
    def power_law(self) -> Optional[PowerLaw]:
        """The spectrum as Paquette et al.'s power law (:class:`PowerLaw`); None if custom.

        Both families' constructors give one: Bordelon et al.'s (a, b, M) is ``alpha = b/2``,
        ``beta = (a - b)/2``, ``v = M`` (:ref:`conv-dictionary`).
        """
        return family_power_law(self.family, self.params, float(self.M))

    @property
    def target_power(self) -> np.ndarray:
        """Power of the target in each feature mode, ``lambda_k (w*_k)^2``."""
        return self.lam * self.wstar**2

    @property
    def initial_loss(self) -> float:
        """Test loss at w = 0: ``sum_k lambda_k (w*_k)^2`` (no 1/2, no noise)."""
        if self.infinite:
            from scipy.special import zeta

            pl = self.power_law
            assert pl is not None
            return float(pl.scale * zeta(2.0 * (pl.alpha + pl.beta), 1.0))
        return float(np.sum(self.target_power))

    def infinite_limit_loss(self, t: Any) -> np.ndarray:
        """Test loss of gradient flow at N = P = infinity: ``sum_k lam_k w*_k^2 exp(-2 lam_k t)``.

        Bordelon et al. eq. (125) (:ref:`dmft-responses`); no 1/2, no noise floor. Finite M only.

        Parameters
        ----------
        t : array_like
            Gradient-flow times (the papers' time; ``lr x steps`` for GD, :ref:`conv-time`).

        Returns
        -------
        ndarray
            The loss at each ``t``, same shape as ``t``.

        Examples
        --------
        >>> p = Problem.from_spectrum([1.0, 0.5], [1.0, 2.0])
        >>> p.infinite_limit_loss([0.0, 1.0]).round(4)          # 1 + 2, e^-2 + 2 e^-1
        array([3.    , 0.8711])
        """
        t = np.asarray(t, dtype=np.float64)
        out = np.exp(-2.0 * np.multiply.outer(t, self.lam)) @ self.target_power
        return out

    def require_N(self) -> int:
        """The model size N, or ParameterError if it is unset.

        Returns
        -------
        int
            ``N`` (Bordelon et al.'s N, Paquette et al.'s d).

        Raises
        ------
        ParameterError
            ``N`` is None: pass N (Bordelon et al.) or d (Paquette et al.), or use :meth:`replace`.
        """
        if self.N is None:
            raise ParameterError("the problem has no model size: pass N (Bordelon) / d (Paquette)")
        return int(self.N)

    def __repr__(self) -> str:
        p = ", ".join(f"{k}={v}" for k, v in self.params.items() if v is not None)
        return (
            f"Problem.{self.family}({p})"
            if self.family != "custom"
            else f"Problem.from_spectrum(M={self.M}, N={self.N}, sigma={self.sigma})"
        )


Problem.lam = array_property(0, "Feature spectrum lambda_k (M,).")
Problem.wstar = array_property(1, "Target coefficients w*_k (M,).")
