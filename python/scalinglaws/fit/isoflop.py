"""IsoFLOP profiles (Hoffmann et al. 2022, "approach 2").

Runs are grouped by compute budget C; in each budget the final loss is fitted by a parabola in
``log N``, whose vertex is that budget's compute-optimal size ``N_opt`` (``D_opt`` is the number
of tokens the budget buys at ``N_opt``). Then ``N_opt = k_N C^a`` and ``D_opt = k_D C^b`` are
fitted by least squares in log-log space.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from scipy import stats

from .._docstrings import fill_doc
from .._validate import check_int, check_real
from ..errors import ParameterError
from ._data import canonical_order, check_column, check_table
from .allocation import FlopModel
from .bootstrap import finite_or_none, percentile_interval, resample_seeds

__all__ = ["fit_isoflop", "IsoFlopFit", "group_budgets"]


def group_budgets(C: np.ndarray, bin_width: float) -> np.ndarray:
    """Group labels 0..k-1 of compute budgets, in increasing C.

    Sorted budgets join the current group while they are within ``bin_width`` decades of its
    smallest member.

    Parameters
    ----------
    C : ndarray
        Budgets (> 0).
    bin_width : float
        Width of a group in decades (log10).

    Returns
    -------
    ndarray of int
        The group of each budget, in the input order.

    Examples
    --------
    >>> group_budgets(np.array([1e20, 1e18, 1.05e18, 1.1e20]), 0.05)
    array([1, 0, 0, 1])
    """
    lc = np.log10(C)
    order = np.argsort(lc, kind="stable")
    labels = np.empty(C.size, dtype=np.int64)
    g, first = -1, -np.inf
    for i in order:
        if lc[i] - first > bin_width:
            g, first = g + 1, lc[i]
        labels[i] = g
    return labels


def _vertex(x: np.ndarray, y: np.ndarray, w: Optional[np.ndarray] = None) -> Tuple[float, float]:
    """(x at the vertex, loss at the vertex) of the weighted least-squares parabola; NaN when the
    parabola is not convex or has fewer than 3 distinct x."""
    if w is not None:
        keep = w > 0
        x, y, w = x[keep], y[keep], w[keep]
    if np.unique(x).size < 3:
        return float("nan"), float("nan")
    xc = x - x.mean()
    V = np.stack([np.ones_like(xc), xc, xc * xc], axis=1)
    sw = np.ones_like(x) if w is None else np.sqrt(w)
    coef, *_ = np.linalg.lstsq(V * sw[:, None], y * sw, rcond=None)
    c0, c1, c2 = coef
    if not c2 > 0:
        return float("nan"), float("nan")
    xv = -c1 / (2 * c2)
    return float(xv + x.mean()), float(c0 - c1 * c1 / (4 * c2))


def _slope(lc: np.ndarray, ly: np.ndarray) -> Tuple[float, float]:
    """OLS slope and intercept of ly on lc."""
    lcm = lc - lc.mean()
    s = float(np.sum(lcm * (ly - ly.mean())) / np.sum(lcm * lcm))
    return s, float(ly.mean() - s * lc.mean())


@fill_doc()
@dataclass
class IsoFlopFit:
    """IsoFLOP result: per-budget optima and the power laws ``N_opt = k_N C^a``, ``D_opt = k_D C^b``.

    ``*_ci`` are ``confidence`` percentile intervals over bootstrap resamples of the runs within
    each budget (``ci_method`` "bootstrap-percentile"), or t-intervals of the log-log regression
    ("asymptotic") when ``bootstrap=0``. ``regression_a_ci`` / ``regression_b_ci`` are always the
    latter. C in FLOPs, N in parameters, D in tokens. Returned by :func:`fit_isoflop`; guide:
    :ref:`tutorial-fitting-chinchilla`.

    Attributes
    ----------
    budgets : ndarray
        Budget of each group (geometric mean of its runs' budgets).
    n_runs : ndarray of int
        Runs per budget.
    N_opt, D_opt, loss_opt : ndarray
        Vertex of each budget's parabola in log N (and the tokens and loss there).
    N_opt_ci, D_opt_ci : ndarray, shape (k, 2)
        Their intervals.
    a, b : float
        Exponents of ``N_opt = k_N C^a`` and ``D_opt = k_D C^b``.
    k_N, k_D : float
        Prefactors.
    a_ci, b_ci : (float, float)
        Intervals of a and b (``ci_method``).
    regression_a_ci, regression_b_ci : (float, float)
        t-intervals of the log-log regression.
    ci_method : str
        ``"bootstrap-percentile"`` or ``"asymptotic"``.
    {confidence}
    n_bootstrap, n_failed : int
        Bootstrap resamples requested and dropped.
    seed : int
        Seed of the bootstrap.

    Examples
    --------
    >>> from scalinglaws.testing import chinchilla_runs
    >>> N, D, L = chinchilla_runs(7, budgets=[1e18, 1e19, 1e20, 1e21], noise=0.0)
    >>> fit = fit_isoflop(N, D, L, bootstrap=0)             # 4 budgets x 7 model sizes
    >>> round(fit.a, 2), round(fit.b, 2), fit.n_runs.tolist()
    (0.45, 0.55, [7, 7, 7, 7])
    """

    budgets: np.ndarray
    n_runs: np.ndarray
    N_opt: np.ndarray
    D_opt: np.ndarray
    loss_opt: np.ndarray
    N_opt_ci: np.ndarray
    D_opt_ci: np.ndarray
    a: float
    b: float
    k_N: float
    k_D: float
    a_ci: Tuple[float, float]
    b_ci: Tuple[float, float]
    regression_a_ci: Tuple[float, float]
    regression_b_ci: Tuple[float, float]
    ci_method: str
    confidence: float
    n_bootstrap: int
    n_failed: int
    seed: int

    def allocation(self, C: Any) -> Dict[str, np.ndarray]:
        """Extrapolated ``N_opt``, ``D_opt`` and tokens per parameter at budget(s) C.

        Parameters
        ----------
        C : float or array_like
            FLOP budgets.

        Returns
        -------
        dict
            ``C``, ``N_opt = k_N C^a``, ``D_opt = k_D C^b``, ``tokens_per_param``.
        """
        C = np.asarray(C, dtype=np.float64)
        n, d = self.k_N * C**self.a, self.k_D * C**self.b
        return {"C": C, "N_opt": n, "D_opt": d, "tokens_per_param": d / n}

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready summary (NaN/inf become None).

        Returns
        -------
        dict
            The attributes, with ``law = "isoflop"``.
        """
        return finite_or_none(
            {
                "law": "isoflop",
                "budgets": self.budgets,
                "n_runs": self.n_runs.tolist(),
                "N_opt": self.N_opt,
                "D_opt": self.D_opt,
                "loss_opt": self.loss_opt,
                "N_opt_ci": self.N_opt_ci,
                "D_opt_ci": self.D_opt_ci,
                "a": self.a,
                "a_ci": list(self.a_ci),
                "b": self.b,
                "b_ci": list(self.b_ci),
                "k_N": self.k_N,
                "k_D": self.k_D,
                "ci_method": self.ci_method,
                "regression_a_ci": list(self.regression_a_ci),
                "regression_b_ci": list(self.regression_b_ci),
                "confidence": self.confidence,
                "bootstrap": self.n_bootstrap,
                "bootstrap_failed": self.n_failed,
                "seed": self.seed,
            }
        )

    def __repr__(self) -> str:
        pct = f"{100 * self.confidence:.0f}%"
        rows = [
            f"  C={c:.3g} ({k} runs): N_opt={n:.3g}, D_opt={d:.3g}"
            for c, k, n, d in zip(self.budgets, self.n_runs, self.N_opt, self.D_opt)
        ]
        return (
            f"IsoFlopFit(N_opt ~ C^{self.a:.4f} [{self.a_ci[0]:.4f}, {self.a_ci[1]:.4f}], "
            f"D_opt ~ C^{self.b:.4f} [{self.b_ci[0]:.4f}, {self.b_ci[1]:.4f}], {pct} "
            f"{self.ci_method}, {len(self.budgets)} budgets\n" + "\n".join(rows) + ")"
        )


def fit_isoflop(
    N: Any,
    D: Any,
    loss: Any,
    flops: Any = None,
    *,
    bin_width: float = 0.05,
    flop_model: Optional[FlopModel] = None,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> IsoFlopFit:
    """Fit IsoFLOP profiles and the compute-optimal power laws ``N_opt ~ C^a``, ``D_opt ~ C^b``.

    Parameters
    ----------
    N, D, loss : array_like, shape (n,)
        Parameters, training tokens and final loss of each run (finite, > 0).
    flops : array_like, optional
        Compute budget of each run (FLOPs). Default: ``flop_model.flops(N, D)`` (``6 N D``).
    bin_width : float, default 0.05
        Budgets within this many decades of a group's smallest are one budget (their geometric
        mean is reported).
    flop_model : FlopModel, optional
        Converts ``N_opt`` into ``D_opt`` at each budget (default ``C = 6 N D``).
    bootstrap : int, default 1000
        Resamples of the runs within each budget (0: regression t-intervals). Resamples in which
        some budget has fewer than 3 distinct sizes or a non-convex parabola are dropped and
        counted in ``n_failed``.
    seed : int, default 0
        Resample ``i`` draws from ``SeedSequence(seed).spawn(bootstrap)[i]``.
    confidence : float, default 0.95
        Level of the intervals, in (0, 1).

    Returns
    -------
    IsoFlopFit
        Per-budget optima and the fitted power laws.

    Raises
    ------
    ParameterError
        Bad columns; fewer than 2 budgets; a budget (named) with fewer than 3 runs, a loss that
        is not convex in log N, or its minimum at the edge of the sampled sizes.

    Examples
    --------
    >>> from scalinglaws.testing import chinchilla_runs
    >>> N, D, L = chinchilla_runs(7, budgets=[1e18, 1e19, 1e20, 1e21], noise=0.0)
    >>> fit = fit_isoflop(N, D, L, bootstrap=0)             # 4 budgets x 7 model sizes
    >>> np.log10(fit.budgets).round(6).tolist(), round(float(fit.allocation(1e23)["tokens_per_param"]), 1)
    ([18.0, 19.0, 20.0, 21.0], 75.2)
    """
    N_, D_, L_ = check_table(N, D, loss, min_rows=3)
    flop_model = flop_model or FlopModel()
    C_ = flop_model.flops(N_, D_) if flops is None else check_column("flops", flops, n=N_.size)
    bin_width = check_real("bin_width", bin_width, minimum=0.0)
    bootstrap = check_int("bootstrap", bootstrap, minimum=0)
    seed = check_int("seed", seed, minimum=0)
    confidence = check_real(
        "confidence", confidence, minimum=0.0, maximum=1.0, min_open=True, max_open=True
    )
    order = canonical_order(C_, N_, D_, L_)
    N_, D_, L_, C_ = N_[order], D_[order], L_[order], C_[order]
    labels = group_budgets(C_, bin_width)
    k = int(labels.max()) + 1
    groups = [np.flatnonzero(labels == g) for g in range(k)]
    budgets = np.array([float(np.exp(np.mean(np.log(C_[g])))) for g in groups])
    x = np.log(N_)
    if k < 2:
        raise ParameterError(
            f"flops: need at least 2 compute budgets, got 1 (C = {budgets[0]:.4g})"
        )
    xv = np.empty(k)
    lv = np.empty(k)
    for j, g in enumerate(groups):
        c = f"budget C={budgets[j]:.4g}"
        if g.size < 3 or np.unique(x[g]).size < 3:
            raise ParameterError(
                f"{c} has {g.size} runs with {np.unique(x[g]).size} distinct N; "
                "an IsoFLOP profile needs at least 3"
            )
        xv[j], lv[j] = _vertex(x[g], L_[g])
        lo, hi = float(np.exp(x[g].min())), float(np.exp(x[g].max()))
        if not np.isfinite(xv[j]):
            raise ParameterError(
                f"{c}: the loss is not convex in log N (no minimum between N={lo:.3g} and {hi:.3g})"
            )
        best = g[np.argmin(L_[g])]
        if not x[g].min() < xv[j] < x[g].max() or x[best] in (x[g].min(), x[g].max()):
            raise ParameterError(
                f"{c}: the loss minimum lies at the edge of the sampled sizes "
                f"(N={lo:.3g} to {hi:.3g}); add runs beyond it"
            )
    lc = np.log(budgets)

    def laws(xvert: np.ndarray) -> np.ndarray:
        n_opt = np.exp(xvert)
        d_opt = flop_model.tokens(n_opt, budgets)
        a, ia = _slope(lc, np.log(n_opt))
        b, ib = _slope(lc, np.log(d_opt))
        return np.concatenate([[a, b, ia, ib], n_opt, d_opt])

    point = laws(xv)
    reg = []
    for col in (np.exp(xv), flop_model.tokens(np.exp(xv), budgets)):
        if k > 2:
            r = stats.linregress(lc, np.log(col))
            q = stats.t.ppf(0.5 + confidence / 2, k - 2) * r.stderr
            reg.append((float(r.slope - q), float(r.slope + q)))
        else:
            reg.append((float("nan"), float("nan")))
    reps: List[np.ndarray] = []
    for ss in resample_seeds(seed, 0, bootstrap):
        rng = np.random.default_rng(ss)
        xs = np.empty(k)
        for j, g in enumerate(groups):
            w = np.bincount(rng.integers(0, g.size, g.size), minlength=g.size).astype(float)
            xs[j] = _vertex(x[g], L_[g], w)[0]
        if np.all(np.isfinite(xs)):
            reps.append(laws(xs))
    if bootstrap:
        ci = percentile_interval(np.array(reps).reshape(-1, point.size), confidence)
        a_ci, b_ci = (float(ci[0, 0]), float(ci[1, 0])), (float(ci[0, 1]), float(ci[1, 1]))
        n_ci = np.stack([ci[0, 4 : 4 + k], ci[1, 4 : 4 + k]], axis=1)
        d_ci = np.stack([ci[0, 4 + k :], ci[1, 4 + k :]], axis=1)
        method = "bootstrap-percentile"
    else:
        a_ci, b_ci = reg
        n_ci = d_ci = np.full((k, 2), np.nan)
        method = "asymptotic"
    return IsoFlopFit(
        budgets,
        np.array([g.size for g in groups]),
        point[4 : 4 + k],
        point[4 + k :],
        lv,
        n_ci,
        d_ci,
        float(point[0]),
        float(point[1]),
        float(np.exp(point[2])),
        float(np.exp(point[3])),
        a_ci,
        b_ci,
        reg[0],
        reg[1],
        method,
        confidence,
        bootstrap,
        bootstrap - len(reps),
        seed,
    )
