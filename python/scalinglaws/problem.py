"""One problem description for both papers: Gaussian linear random-feature regression.

Internal object (shared by both constructors):

* features ``psi ~ N(0, diag(lam))`` in R^M (M = truncation of the feature space);
* target ``y = wstar . psi + sigma * eps`` with ``eps ~ N(0, 1)``;
* a random projection ``F`` (N x M, entries N(0, 1/N)) and a linear student ``f = w . (F psi)``;
* test (population) loss **without the 1/2 and without the label-noise floor**:
  ``L(w) = sum_k lam_k (wstar_k - (F^T w)_k)^2`` (= E[(f - y)^2] - sigma^2).

Bordelon, Atanasov & Pehlevan (ICML 2024), non-proportional normalisation (their App. G):
``F = A / sqrt(N)`` with ``A_jk ~ N(0, 1)``, ``v0 = wstar - F^T w`` and ``L = sum_k lam_k v0_k^2``
(their eq. 97).
Paquette, Paquette, Xiao & Pennington (NeurIPS 2024): ``lam = diag(D) = j^(-2 alpha)``,
``wstar = b = j^(-beta)``, ``F = W^T`` with ``W_ij ~ N(0, 1/d)``, ``N = d``, ``M = v``, ``w = theta``,
so ``L = ||D^(1/2) (W theta - b)||^2`` (their P(theta), no 1/2).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import numpy as np

from ._power_law import _MAX_FEATURES, PowerLaw, _is_inf, _power_sum
from ._validate import check_array, check_int, check_memory, check_real
from .errors import ParameterError

__all__ = ["Problem", "PowerLaw"]

#: default learning-rate convention of one-pass SGD per family (see :attr:`Problem.lr_convention`)
_DEFAULT_CONVENTION = {"bordelon": "mean", "paquette": "sum", "custom": "sum"}


#: placeholder for the arrays of a power-law problem, built on first use (Problem._arrays)
_LAZY: Any = None


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
        True for a power-law problem with infinitely many features (``M = inf``/``v = inf``):
        ``lam`` and ``wstar`` are then empty and every mode follows the family's power law
        (:attr:`power_law`). Theories that evaluate the power-law sums analytically accept it;
        simulators and truncated theories refuse it (:meth:`require_finite`).
    lr_convention : str
        The learning-rate convention of one-pass SGD on this problem: ``"mean"`` (the update
        averages the batch: ``w <- w - (lr/B) sum_i grad_i``; Bordelon et al. eq. 142) or
        ``"sum"`` (``w <- w - lr sum_i grad_i``; Paquette et al.). Default: the family's
        (mean for Bordelon et al., sum otherwise); every SGD function also takes an explicit
        ``lr_convention=`` keyword. Identical for batch 1.

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
        given_lam = self.__dict__.get("_lam")
        given_wstar = self.__dict__.get("_wstar")
        if self.infinite and self.family == "custom":
            raise ParameterError(
                "an infinite problem needs a power law (Problem.bordelon with "
                "M=inf or Problem.paquette with v=inf)"
            )
        if given_lam is None or given_wstar is None:
            # a power law: its arrays are built on first use (they may be large or infinite)
            if self.family == "custom":
                raise ParameterError("lam and wstar are required")
            lam = wstar = None
        else:
            lam = check_array("lam", given_lam, positive=True)
            wstar = check_array("wstar", given_wstar)
        if lam is not None and wstar is not None and lam.shape != wstar.shape:
            raise ParameterError(
                f"lam and wstar must have the same length, got {lam.size} and {wstar.size}"
            )
        if lam is not None and wstar is not None:
            lam.setflags(write=False)
            wstar.setflags(write=False)
        self.__dict__["_lam"] = lam
        self.__dict__["_wstar"] = wstar
        if self.N is not None:
            object.__setattr__(self, "N", check_int("N", self.N, minimum=1))
        object.__setattr__(self, "sigma", check_real("sigma", self.sigma, minimum=0.0))
        if self.family not in ("bordelon", "paquette", "custom"):
            raise ParameterError(
                f"family must be 'bordelon', 'paquette' or 'custom', got {self.family!r}"
            )
        conv = self.lr_convention or _DEFAULT_CONVENTION[self.family]
        if conv not in ("sum", "mean"):
            raise ParameterError(f"lr_convention must be 'sum' or 'mean', got {conv!r}")
        object.__setattr__(self, "lr_convention", conv)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def _lazy(
        cls, family: str, N: Optional[int], sigma: float, lr_convention: str, params: Dict[str, Any]
    ) -> "Problem":
        """A power-law problem whose arrays are built on first use (infinite when M/v = inf)."""
        size = params["M" if family == "bordelon" else "v"]
        infinite = isinstance(size, float) and math.isinf(size)
        return cls(_LAZY, _LAZY, N, sigma, family, params, lr_convention, infinite=infinite)

    @classmethod
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
        sigma : float, optional
            Label-noise standard deviation (>= 0).
        normalize : bool, optional
            Rescale w* so that ``L(0) = 1``.
        lr_convention : {"mean", "sum"}, optional
            Learning-rate convention of one-pass SGD on this problem (:ref:`conv-lr`).

        Returns
        -------
        Problem

        Raises
        ------
        ParameterError
            b <= 0, a non-integer or non-positive M or N, ``M = inf`` with a <= 1 or b <= 1, or
            more features than fit in memory.

        Examples
        --------
        >>> p = Problem.bordelon(1.5, 1.25, M=1000, N=100)
        >>> p.target_power[:3]            # lambda_k w*_k^2 = k^-a
        array([1.        , 0.35355339, 0.19245009])
        """
        a = check_real("a", a)
        b = check_real("b", b, minimum=0.0, min_open=True)
        if _is_inf(M, "M"):
            if not (a > 1.0 and b > 1.0):
                raise ParameterError(
                    f"M = inf needs a > 1 and b > 1 (finite loss and trace), got "
                    f"a = {a:g}, b = {b:g}"
                )
            return cls._lazy(
                "bordelon",
                N,
                sigma,
                lr_convention,
                {"a": a, "b": b, "M": math.inf, "N": N, "sigma": sigma, "normalize": normalize},
            )
        M = check_int("M", M, minimum=1, maximum=_MAX_FEATURES)
        return cls._lazy(
            "bordelon",
            N,
            sigma,
            lr_convention,
            {"a": a, "b": b, "M": M, "N": N, "sigma": sigma, "normalize": normalize},
        )

    @classmethod
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
        sigma : float, optional
            Label-noise standard deviation (>= 0).
        lr_convention : {"sum", "mean"}, optional
            One-pass SGD convention; the paper sums the batch (:ref:`conv-lr`).

        Returns
        -------
        Problem

        Raises
        ------
        ParameterError
            alpha <= 0, a non-integer or non-positive v or d, or ``v = inf`` outside the region
            above.

        Examples
        --------
        >>> q = Problem.paquette(alpha=1.0, beta=0.7, v=2000, d=100)
        >>> q.N, q.M, q.lr_convention
        (100, 2000, 'sum')
        """
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
            return cls._lazy(
                "paquette",
                d,
                sigma,
                lr_convention,
                {"alpha": alpha, "beta": beta, "v": math.inf, "d": d, "sigma": sigma},
            )
        v = check_int("v", v, minimum=1, maximum=_MAX_FEATURES)
        return cls._lazy(
            "paquette",
            d,
            sigma,
            lr_convention,
            {"alpha": alpha, "beta": beta, "v": v, "d": d, "sigma": sigma},
        )

    @classmethod
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
        sigma : float, optional
            Label-noise standard deviation (>= 0).
        lr_convention : {"sum", "mean"}, optional
            One-pass SGD convention (:ref:`conv-lr`).

        Returns
        -------
        Problem

        Raises
        ------
        ParameterError
            Non-positive or non-finite ``lam``, non-finite ``wstar``, or different lengths.

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
        """Build a problem from either parameter family, by keyword.

        ``a, b, M, N`` (Bordelon et al.) or ``alpha, beta, v, d`` (Paquette et al.); mixing the
        two, or leaving one of them incomplete, raises ValueError naming the parameters.
        """
        bord = {k: x for k, x in dict(a=a, b=b, M=M, N=N).items() if x is not None}
        paq = {k: x for k, x in dict(alpha=alpha, beta=beta, v=v, d=d).items() if x is not None}
        if bord and paq:
            raise ParameterError(
                f"mix of parameter families: {', '.join(bord)} (Bordelon et al.) with "
                f"{', '.join(paq)} (Paquette et al.); use one family"
            )
        if not bord and not paq:
            raise ParameterError(
                "give a problem: a, b, M, N (Bordelon et al.) or "
                "alpha, beta, v, d (Paquette et al.)"
            )
        names = ("a", "b", "M", "N") if bord else ("alpha", "beta", "v", "d")
        given = bord or paq
        missing = [n for n in names[: 4 if need_size else 3] if n not in given]
        if missing:
            fam = "Bordelon et al." if bord else "Paquette et al."
            raise ParameterError(f"missing {', '.join(missing)} for the {fam} family")
        if bord:
            return cls.bordelon(a, b, M, N, sigma=sigma, normalize=normalize)  # type: ignore[arg-type]
        if normalize:
            raise ParameterError("normalize applies to the Bordelon et al. family only")
        return cls.paquette(alpha, beta, v, d, sigma=sigma)  # type: ignore[arg-type]

    def replace(self, **changes: Any) -> "Problem":
        """A copy with some fields changed, e.g. ``problem.replace(N=512)``."""
        params = dict(self.params)
        for key in ("N", "sigma"):
            if key in changes:
                params[key] = changes[key]
        if "N" in changes and "d" in params:
            params["d"] = changes["N"]
        changes.setdefault("lam", self.__dict__.get("_lam"))
        changes.setdefault("wstar", self.__dict__.get("_wstar"))
        return dataclasses.replace(self, params=params, **changes)

    def _arrays(self) -> Tuple[np.ndarray, np.ndarray]:
        """Build (and keep) the arrays of a power-law problem, refusing what would not fit."""
        lam, wstar = self.__dict__.get("_lam"), self.__dict__.get("_wstar")
        if lam is not None and wstar is not None:
            return lam, wstar
        self.require_finite("the arrays lam and wstar")
        M = int(self.M)
        check_memory(32.0 * M, f"the spectrum arrays of {self!r} (M = {M})")
        p = self.params
        k = np.arange(1, M + 1, dtype=np.float64)
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            if self.family == "bordelon":
                a, b = float(p["a"]), float(p["b"])
                lam = k ** (-b)
                wstar = k ** ((b - a) / 2.0)
                if p.get("normalize"):
                    wstar = wstar / math.sqrt(float(np.sum(lam * wstar**2)))
            else:
                lam = k ** (-2.0 * float(p["alpha"]))
                wstar = k ** (-float(p["beta"]))
            power = lam * wstar**2
        names = "a, b" if self.family == "bordelon" else "alpha, beta"
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
        self.__dict__["_lam"] = lam
        self.__dict__["_wstar"] = wstar
        return lam, wstar

    # ----------------------------------------------------------------- derived quantities
    @property
    def M(self) -> Any:
        """Number of features (truncation of the feature space; Paquette's v): an int, or
        ``math.inf`` for an infinite problem."""
        if self.infinite:
            return math.inf
        if self.family == "custom":
            return int(self.lam.size)
        return int(self.params["M" if self.family == "bordelon" else "v"])

    def require_finite(self, what: str) -> "Problem":
        """Return self, or raise ParameterError if the problem has infinitely many features."""
        if self.infinite:
            raise ParameterError(
                f"{what} needs a finite number of features (M/v), got M = inf; "
                "give a finite M (the plrf theory accepts M = inf)"
            )
        return self

    @property
    def power_law(self) -> Optional[PowerLaw]:
        """The spectrum as Paquette et al.'s power law (:class:`PowerLaw`), or None for a custom
        spectrum. Both families' constructors give one: Bordelon et al.'s (a, b, M) is
        ``alpha = b/2``, ``beta = (a - b)/2``, ``v = M``."""
        p = self.params
        if self.family == "paquette":
            return PowerLaw(float(p["alpha"]), float(p["beta"]), float(self.M), 1.0)
        if self.family == "bordelon":
            a, b = float(p["a"]), float(p["b"])
            scale = 1.0
            if p.get("normalize"):
                if self.infinite:
                    from scipy.special import zeta

                    scale = 1.0 / float(zeta(a, 1.0))
                else:
                    scale = 1.0 / _power_sum(a, int(p["M"]))
            return PowerLaw(b / 2.0, (a - b) / 2.0, float(self.M), scale)
        return None

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

        Bordelon et al. eq. (125); t in the papers' gradient-flow time (lr x steps for GD).
        """
        t = np.asarray(t, dtype=np.float64)
        out = np.exp(-2.0 * np.multiply.outer(t, self.lam)) @ self.target_power
        return out

    def require_N(self) -> int:
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


def _get_lam(self: Problem) -> np.ndarray:
    return self._arrays()[0]


def _get_wstar(self: Problem) -> np.ndarray:
    return self._arrays()[1]


def _set_lam(self: Problem, value: Any) -> None:
    self.__dict__["_lam"] = value


def _set_wstar(self: Problem, value: Any) -> None:
    self.__dict__["_wstar"] = value


# ``lam`` and ``wstar`` are dataclass fields whose storage is ``_lam``/``_wstar``: a power-law
# problem builds its arrays on first use (see Problem._arrays)
Problem.lam = property(_get_lam, _set_lam, doc="Feature spectrum lambda_k (M,).")  # type: ignore[assignment]
Problem.wstar = property(_get_wstar, _set_wstar, doc="Target coefficients w*_k (M,).")  # type: ignore[assignment]
