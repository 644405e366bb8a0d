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
from typing import Any, Dict, Optional

import numpy as np

from ._validate import check_array, check_int, check_real

__all__ = ["Problem"]


@dataclass(frozen=True, eq=False)
class Problem:
    """A Gaussian linear random-feature regression problem.

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
        ``"bordelon"``, ``"paquette"`` or ``"custom"``: which paper's constructor made it. It sets
        the default SGD learning-rate convention (batch mean for Bordelon et al., batch sum for
        Paquette et al.).
    params : dict
        The constructor's parameters, for records and printing.
    """

    lam: np.ndarray
    wstar: np.ndarray
    N: Optional[int] = None
    sigma: float = 0.0
    family: str = "custom"
    params: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lam = check_array("lam", self.lam, positive=True)
        wstar = check_array("wstar", self.wstar)
        if lam.shape != wstar.shape:
            raise ValueError(f"lam and wstar must have the same length, got {lam.size} and {wstar.size}")
        lam.setflags(write=False)
        wstar.setflags(write=False)
        object.__setattr__(self, "lam", lam)
        object.__setattr__(self, "wstar", wstar)
        if self.N is not None:
            object.__setattr__(self, "N", check_int("N", self.N, minimum=1))
        object.__setattr__(self, "sigma", check_real("sigma", self.sigma, minimum=0.0))
        if self.family not in ("bordelon", "paquette", "custom"):
            raise ValueError(f"family must be 'bordelon', 'paquette' or 'custom', got {self.family!r}")

    # ----------------------------------------------------------------- constructors
    @classmethod
    def bordelon(cls, a: float, b: float, M: int, N: Optional[int] = None, *, sigma: float = 0.0,
                 normalize: bool = False) -> "Problem":
        """Power-law task of Bordelon, Atanasov & Pehlevan (dmft.md 2.3).

        ``lambda_k = k^-b`` and ``lambda_k (w*_k)^2 = k^-a`` for k = 1..M, i.e.
        ``w*_k = k^((b-a)/2)``. The initial loss is ``L(0) = sum_k k^-a`` unless ``normalize``,
        which rescales w* so that ``L(0) = 1`` (the paper's figures appear to use that).
        Requires a > 1 for the loss to stay finite as M grows (any a works at finite M) and b > 0.
        """
        a = check_real("a", a)
        b = check_real("b", b, minimum=0.0, min_open=True)
        M = check_int("M", M, minimum=1)
        k = np.arange(1, M + 1, dtype=np.float64)
        lam = k ** (-b)
        wstar = k ** ((b - a) / 2.0)
        if normalize:
            wstar = wstar / math.sqrt(float(np.sum(lam * wstar**2)))
        return cls(lam, wstar, N, sigma, "bordelon",
                   {"a": a, "b": b, "M": M, "N": N, "sigma": sigma, "normalize": normalize})

    @classmethod
    def paquette(cls, alpha: float, beta: float, v: int, d: Optional[int] = None, *,
                 sigma: float = 0.0) -> "Problem":
        """Power-law random features of Paquette, Paquette, Xiao & Pennington (plrf.md 1.1).

        ``D = diag(j^(-2 alpha))`` and ``b_j = j^(-beta)``, j = 1..v; model size d (= N). The
        paper needs ``2(alpha + beta) > 1`` for a finite loss as v grows; at finite v any value
        works, but alpha must be > 0 here.
        """
        alpha = check_real("alpha", alpha, minimum=0.0, min_open=True)
        beta = check_real("beta", beta)
        v = check_int("v", v, minimum=1)
        if d is not None:
            d = check_int("d", d, minimum=1)
        j = np.arange(1, v + 1, dtype=np.float64)
        return cls(j ** (-2.0 * alpha), j ** (-beta), d, sigma, "paquette",
                   {"alpha": alpha, "beta": beta, "v": v, "d": d, "sigma": sigma})

    @classmethod
    def from_spectrum(cls, lam: Any, wstar: Any, N: Optional[int] = None, *,
                      sigma: float = 0.0) -> "Problem":
        """Any user-given spectrum ``lam`` (> 0) and target coefficients ``wstar`` (arrays).

        Use it with measured kernel spectra: ``lam`` are kernel eigenvalues and ``lam * wstar**2``
        the target's power in each eigenmode.
        """
        return cls(lam, wstar, N, sigma, "custom", {"N": N, "sigma": sigma})

    @classmethod
    def from_params(cls, *, a: Optional[float] = None, b: Optional[float] = None,
                    M: Optional[int] = None, N: Optional[int] = None,
                    alpha: Optional[float] = None, beta: Optional[float] = None,
                    v: Optional[int] = None, d: Optional[int] = None, sigma: float = 0.0,
                    normalize: bool = False, need_size: bool = True) -> "Problem":
        """Build a problem from either parameter family, by keyword.

        ``a, b, M, N`` (Bordelon et al.) or ``alpha, beta, v, d`` (Paquette et al.); mixing the
        two, or leaving one of them incomplete, raises ValueError naming the parameters.
        """
        bord = {k: x for k, x in dict(a=a, b=b, M=M, N=N).items() if x is not None}
        paq = {k: x for k, x in dict(alpha=alpha, beta=beta, v=v, d=d).items() if x is not None}
        if bord and paq:
            raise ValueError(
                f"mix of parameter families: {', '.join(bord)} (Bordelon et al.) with "
                f"{', '.join(paq)} (Paquette et al.); use one family")
        if not bord and not paq:
            raise ValueError("give a problem: a, b, M, N (Bordelon et al.) or "
                             "alpha, beta, v, d (Paquette et al.)")
        names = ("a", "b", "M", "N") if bord else ("alpha", "beta", "v", "d")
        given = bord or paq
        missing = [n for n in names[: 4 if need_size else 3] if n not in given]
        if missing:
            fam = "Bordelon et al." if bord else "Paquette et al."
            raise ValueError(f"missing {', '.join(missing)} for the {fam} family")
        if bord:
            return cls.bordelon(a, b, M, N, sigma=sigma, normalize=normalize)  # type: ignore[arg-type]
        if normalize:
            raise ValueError("normalize applies to the Bordelon et al. family only")
        return cls.paquette(alpha, beta, v, d, sigma=sigma)  # type: ignore[arg-type]

    def replace(self, **changes: Any) -> "Problem":
        """A copy with some fields changed, e.g. ``problem.replace(N=512)``."""
        params = dict(self.params)
        for key in ("N", "sigma"):
            if key in changes:
                params[key] = changes[key]
        if "N" in changes and "d" in params:
            params["d"] = changes["N"]
        return dataclasses.replace(self, params=params, **changes)

    # ----------------------------------------------------------------- derived quantities
    @property
    def M(self) -> int:
        """Number of features (truncation of the feature space; Paquette's v)."""
        return int(self.lam.size)

    @property
    def target_power(self) -> np.ndarray:
        """Power of the target in each feature mode, ``lambda_k (w*_k)^2``."""
        return self.lam * self.wstar**2

    @property
    def initial_loss(self) -> float:
        """Test loss at w = 0: ``sum_k lambda_k (w*_k)^2`` (no 1/2, no noise)."""
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
            raise ValueError("the problem has no model size: pass N (Bordelon) / d (Paquette)")
        return int(self.N)

    def __repr__(self) -> str:
        p = ", ".join(f"{k}={v}" for k, v in self.params.items() if v is not None)
        return f"Problem.{self.family}({p})" if self.family != "custom" else \
            f"Problem.from_spectrum(M={self.M}, N={self.N}, sigma={self.sigma})"
