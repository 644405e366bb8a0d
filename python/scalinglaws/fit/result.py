"""The result object of :func:`scalinglaws.fit.fit_chinchilla`."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from .._docstrings import fill_doc
from .allocation import Allocation, FlopModel, allocation_exponents, optimal_allocation
from .bootstrap import finite_or_none, percentile_interval

__all__ = ["ChinchillaFit", "IdentifiabilityWarning"]

NAMES = ("E", "A", "alpha", "B", "beta")
#: draws from the asymptotic normal used for derived intervals when there is no bootstrap
_ASYMPTOTIC_DRAWS = 2000


class IdentifiabilityWarning(UserWarning):
    """The data do not pin down some parameter of the fitted law (the message says which).

    Issued by :func:`~scalinglaws.fit.fit_chinchilla`; the messages are also in
    ``ChinchillaFit.warnings``. A :class:`UserWarning`.

    Examples
    --------
    >>> issubclass(IdentifiabilityWarning, UserWarning)
    True
    """


@fill_doc()
@dataclass
class ChinchillaFit:
    """A fitted ``L(N, D) = E + A / N^alpha + B / D^beta``.

    Attributes
    ----------
    params : dict
        Point estimates ``E, A, alpha, B, beta`` (the main fit; pinned values exactly as given).
    ci : dict
        ``confidence`` intervals per parameter; ``ci_method`` is "bootstrap-percentile" (the
        percentiles of the bootstrap replicates) or "asymptotic" when no bootstrap was run.
        Pinned parameters have ``(value, value)``.
    asymptotic_ci : dict
        Gauss-Newton (inverse-Hessian of the least-squares approximation) normal intervals,
        computed on log E, log A, log B, alpha, beta and mapped back. Optimistic when the
        residuals are not Gaussian or the law is misspecified.
    samples : ndarray, shape (bootstrap, 5)
        Bootstrap replicates (columns E, A, alpha, B, beta); empty without bootstrap.
    warnings : list of str
        Identifiability problems (also issued as :class:`IdentifiabilityWarning`).
    ci_method : str
        ``"bootstrap-percentile"`` or ``"asymptotic"``.
    {confidence}
    n_points : int
        Number of runs fitted.
    huber_delta : float
        Huber transition of the objective (natural-log residuals).
    objective : float
        Final value of the objective.
    rms_log_residual : float
        Root-mean-square of ``log L_hat - log L``.
    seed : int
        Seed of the bootstrap / asymptotic draws.
    fixed : tuple of str
        Pinned parameters.
    flop_model : FlopModel
        Compute model of :meth:`allocation`.
    data_range : dict
        ``{"N": (min, max), "D": ..., "loss": ...}`` of the data.

    Built by :func:`~scalinglaws.fit.fit_chinchilla` (through :meth:`build`); guide:
    :ref:`tutorial-fitting-chinchilla`.

    Examples
    --------
    >>> from scalinglaws.fit import fit_chinchilla
    >>> from scalinglaws.testing import chinchilla_runs
    >>> N, D, L = chinchilla_runs(60, seed=0)             # Hoffmann et al.'s law, 1% noise
    >>> fit = fit_chinchilla(N, D, L, bootstrap=0, init_grid="coarse", grid_starts=4,
    ...                      n_jobs=1, E=1.69)
    >>> round(fit.params["alpha"], 2), round(fit.params["beta"], 2), fit.ci_method, fit.fixed
    (0.34, 0.28, 'asymptotic', ('E',))
    >>> fit.allocation(1e21).tokens_per_param.round(-1)          # tokens per parameter at 1e21
    array([50.])
    """

    params: Dict[str, float]
    ci: Dict[str, Tuple[float, float]]
    ci_method: str
    asymptotic_ci: Dict[str, Tuple[float, float]]
    confidence: float
    n_points: int
    huber_delta: float
    objective: float
    rms_log_residual: float
    seed: int
    fixed: Tuple[str, ...]
    samples: np.ndarray
    flop_model: FlopModel
    data_range: Dict[str, Tuple[float, float]]
    warnings: List[str] = field(default_factory=list)
    _theta: np.ndarray = field(default_factory=lambda: np.zeros(5), repr=False)
    _cov: np.ndarray = field(default_factory=lambda: np.zeros((5, 5)), repr=False)

    @classmethod
    def build(
        cls,
        *,
        theta_natural: np.ndarray,
        asym_natural: np.ndarray,
        samples: np.ndarray,
        pins: Dict[str, Optional[float]],
        confidence: float,
        n_points: int,
        huber_delta: float,
        objective: float,
        rms_log_residual: float,
        seed: int,
        flop_model: FlopModel,
        at_lower: Dict[str, str],
        collinearity: float,
        cov: np.ndarray,
        data_range: Dict[str, Tuple[float, float]],
        interval_fn: Callable[..., np.ndarray] = percentile_interval,
    ) -> "ChinchillaFit":
        """Assemble the result of a fit (used by :func:`~scalinglaws.fit.fit_chinchilla`).

        Pins replace the fitted values, intervals come from ``samples`` (percentiles) or the
        asymptotic ones, and the identifiability diagnostics are issued as
        :class:`IdentifiabilityWarning`.

        Parameters
        ----------
        theta_natural : ndarray, shape (5,)
            Fitted E, A, alpha, B, beta.
        asym_natural : ndarray, shape (2, 5)
            Asymptotic interval bounds.
        samples : ndarray, shape (n, 5)
            Bootstrap replicates (may be empty).
        pins : dict
            Pinned value (or None) per parameter.
        confidence : float
            Interval level.
        n_points, huber_delta, objective, rms_log_residual, seed :
            Stored as the attributes of the same name.
        flop_model : FlopModel
            Compute model.
        at_lower : dict
            Parameters at a bound of the optimiser -> ``"lower"`` / ``"upper"``.
        collinearity : float
            ``|corr(log N, log D)|`` of the data.
        cov : ndarray, shape (5, 5)
            Asymptotic covariance of (log E, log A, alpha, log B, beta).
        data_range : dict
            Ranges of the data.
        interval_fn : callable, optional
            Interval of the samples (default percentile).

        Returns
        -------
        ChinchillaFit
            The result, with ``warnings`` filled in.
        """
        params = {
            k: float(pins[k]) if pins[k] is not None else float(v)  # type: ignore[arg-type]
            for k, v in zip(NAMES, theta_natural)
        }
        asym = {
            k: (float(asym_natural[0, i]), float(asym_natural[1, i])) for i, k in enumerate(NAMES)
        }
        if len(samples):
            lohi = interval_fn(samples, confidence)
            ci = {k: (float(lohi[0, i]), float(lohi[1, i])) for i, k in enumerate(NAMES)}
            method = "bootstrap-percentile"
        else:
            ci, method = dict(asym), "asymptotic"
        for k in NAMES:
            if pins[k] is not None:
                ci[k] = asym[k] = (params[k], params[k])
        theta = np.array([params["E"], params["A"], params["alpha"], params["B"], params["beta"]])
        with np.errstate(divide="ignore"):
            theta[[0, 1, 3]] = np.log(theta[[0, 1, 3]])
        fit = cls(
            params,
            ci,
            method,
            asym,
            confidence,
            n_points,
            huber_delta,
            objective,
            rms_log_residual,
            seed,
            tuple(k for k in NAMES if pins[k] is not None),
            samples,
            flop_model,
            data_range,
            [],
            theta,
            cov,
        )
        fit.warnings = fit._diagnose(at_lower, collinearity)
        for msg in fit.warnings:
            warnings.warn(msg, IdentifiabilityWarning, stacklevel=3)
        return fit

    def _diagnose(self, at_bound: Dict[str, str], collinearity: float) -> List[str]:
        out = []
        for name, side in at_bound.items():
            what = (
                "E -> 0: no irreducible loss is detectable in these runs"
                if name == "E" and side == "lower"
                else f"{name} is at its {side} bound"
            )
            out.append(
                f"{what}; the data do not determine {name} (pin it, e.g. {name}=..., or add runs)"
            )
        pct = f"{100 * self.confidence:.0f}%"
        for name in NAMES:
            lo, hi = self.ci[name]
            if name in self.fixed or name in at_bound or not (np.isfinite(lo) and np.isfinite(hi)):
                continue
            if lo <= 0 or hi / lo > 100:
                span = (
                    "reaches 0" if lo <= 0 else f"spans {np.log10(hi / lo):.1f} orders of magnitude"
                )
                out.append(
                    f"the {pct} interval of {name} [{lo:.3g}, {hi:.3g}] {span}: {name} "
                    f"is poorly determined by these runs"
                )
        if collinearity > 0.99:
            out.append(
                f"log N and log D are almost collinear (|corr| = {collinearity:.4f}): only "
                "a combination of the N and D terms is determined; vary N and D "
                "independently"
            )
        elif len(self.samples) >= 10 and not {"alpha", "beta"} & set(self.fixed):
            al, be = self.samples[:, 2], self.samples[:, 4]
            sa, sb, ss = np.std(al), np.std(be), np.std(al + be)
            if sa > 0 and sb > 0 and np.corrcoef(al, be)[0, 1] < -0.9 and ss < 0.3 * min(sa, sb):
                out.append(
                    f"alpha and beta trade off (bootstrap correlation "
                    f"{np.corrcoef(al, be)[0, 1]:.2f}): only alpha + beta = "
                    f"{self.params['alpha'] + self.params['beta']:.3g} is well determined"
                )
        return out

    # -- use -------------------------------------------------------------------------------
    def predict(self, N: Any, D: Any) -> np.ndarray:
        """Loss predicted for N parameters trained on D tokens (broadcasting).

        Parameters
        ----------
        N, D : float or array_like
            Parameters and tokens, in the units of the fit.

        Returns
        -------
        ndarray
            ``E + A / N^alpha + B / D^beta``.
        """
        p = self.params
        N = np.asarray(N, dtype=np.float64)
        D = np.asarray(D, dtype=np.float64)
        return p["E"] + p["A"] * N ** -p["alpha"] + p["B"] * D ** -p["beta"]

    def replicates(self) -> np.ndarray:
        """Parameter replicates behind the derived intervals.

        The bootstrap samples, or (without bootstrap) 2000 draws seeded with :attr:`seed` from
        the asymptotic normal of (log E, log A, alpha, log B, beta).

        Returns
        -------
        ndarray, shape (n, 5)
            Columns E, A, alpha, B, beta.
        """
        if len(self.samples):
            return self.samples
        rng = np.random.default_rng(self.seed)
        th = np.where(np.isfinite(self._theta), self._theta, -745.0)
        draws = rng.multivariate_normal(
            th, self._cov, size=_ASYMPTOTIC_DRAWS, check_valid="ignore", method="eigh"
        )
        draws[:, [0, 1, 3]] = np.exp(draws[:, [0, 1, 3]])
        return draws

    def allocation(self, C: Any) -> Allocation:
        """Compute-optimal N, D, tokens per parameter and loss at budget(s) C (FLOPs).

        Intervals at level ``confidence`` come from :meth:`replicates`; the class example
        (:class:`ChinchillaFit`) shows a call.

        Parameters
        ----------
        C : float or array_like
            FLOP budgets (> 0), in the units of ``flop_model`` applied to the fit's N and D.

        Returns
        -------
        Allocation
            Point values and intervals.
        """
        return optimal_allocation(
            self.params, self.replicates(), C, self.flop_model, self.confidence
        )

    def allocation_exponents(self) -> Dict[str, Any]:
        """Exponents ``a``, ``b`` and prefactor ``G`` of the compute-optimal allocation.

        ``N_opt = G (C/k)^a``, ``D_opt = G^-1 (C/k)^b``, with intervals (``a_ci``, ``b_ci``,
        ``G_ci``) and the FLOP model's name (``flops``).

        Returns
        -------
        dict
            ``a``, ``b``, ``G``, ``a_ci``, ``b_ci``, ``G_ci``, ``flops``.
        """
        point = allocation_exponents(self.params, self.flop_model)
        reps = [
            allocation_exponents(dict(zip(NAMES, row)), self.flop_model)
            for row in self.replicates()
        ]
        out: Dict[str, Any] = dict(point)
        for k in ("a", "b", "G"):
            vals = np.array([r[k] for r in reps])
            lo, hi = percentile_interval(vals, self.confidence)
            out[f"{k}_ci"] = [float(lo), float(hi)]
        out["flops"] = self.flop_model.name
        return out

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready summary (NaN/inf become None).

        Returns
        -------
        dict
            Law, parameters, intervals, allocation exponents, fit diagnostics and warnings.
        """
        return finite_or_none(
            {
                "law": "chinchilla",
                "formula": "L = E + A/N^alpha + B/D^beta",
                "n_points": self.n_points,
                "params": dict(self.params),
                "ci": {k: list(v) for k, v in self.ci.items()},
                "ci_method": self.ci_method,
                "confidence": self.confidence,
                "asymptotic_ci": {k: list(v) for k, v in self.asymptotic_ci.items()},
                "allocation": self.allocation_exponents(),
                "huber_delta": self.huber_delta,
                "objective": self.objective,
                "rms_log_residual": self.rms_log_residual,
                "bootstrap": int(len(self.samples)),
                "seed": self.seed,
                "fixed": list(self.fixed),
                "data_range": {k: list(v) for k, v in self.data_range.items()},
                "warnings": list(self.warnings),
            }
        )

    def __repr__(self) -> str:
        p, pct = self.params, f"{100 * self.confidence:.0f}%"
        lines = [
            f"ChinchillaFit(L = E + A/N^alpha + B/D^beta, n={self.n_points}, "
            f"{pct} {self.ci_method} intervals)"
        ]
        for k in NAMES:
            lo, hi = self.ci[k]
            tag = "  (fixed)" if k in self.fixed else ""
            lines.append(f"  {k:<5} = {p[k]:<10.4g} [{lo:.4g}, {hi:.4g}]{tag}")
        al = allocation_exponents(p, self.flop_model)
        lines.append(
            f"  N_opt ~ C^{al['a']:.3f}, D_opt ~ C^{al['b']:.3f} "
            f"(C = {self.flop_model.name}); rms log residual "
            f"{self.rms_log_residual:.3g}"
        )
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)
