"""The parametric scaling law of Hoffmann et al. (2022, "approach 3"), fitted as in Besiroglu et
al. (2024): ``L(N, D) = E + A / N^alpha + B / D^beta``.

N is the number of model parameters, D the number of training tokens (or samples, or steps: any
positive measure of data), L the loss (> 0). E is the irreducible loss, (A, alpha) the model-size
term and (B, beta) the data term.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from .._validate import check_int, check_real
from ..errors import ConvergenceError, ParameterError
from . import _objective as obj
from ._data import canonical_order, check_table
from .allocation import FlopModel
from .bootstrap import map_chunks, percentile_interval, resample_indices, resample_seeds
from .result import ChinchillaFit, IdentifiabilityWarning

__all__ = ["fit_chinchilla", "ChinchillaFit", "IdentifiabilityWarning", "GRIDS"]

#: Named initialisation grids: "hoffmann" (4500 starts) and "coarse" (243 starts, for quick looks).
GRIDS = ("hoffmann", "coarse")
_GRID_CHUNK = 150
_BOOT_CHUNK = 25


def _coarse_grid() -> np.ndarray:
    ex = np.array([0.25, 0.75, 1.5])
    e = np.array([-1.0, 0.0, 1.0])
    ab = np.array([0.0, 8.0, 20.0])
    return np.stack(np.meshgrid(e, ab, ex, ab, ex, indexing="ij"), axis=-1).reshape(-1, 5)


def _grid(init_grid: Union[str, Any]) -> np.ndarray:
    if isinstance(init_grid, str):
        if init_grid == "hoffmann":
            return obj.hoffmann_grid()
        if init_grid == "coarse":
            return _coarse_grid()
        raise ParameterError(
            f"init_grid must be one of {GRIDS} or an array of shape (k, 5), got {init_grid!r}"
        )
    g = np.asarray(init_grid, dtype=np.float64)
    if g.ndim != 2 or g.shape[1] != 5 or g.shape[0] == 0 or not np.all(np.isfinite(g)):
        raise ParameterError(
            f"init_grid must be a finite array of shape (k, 5) with rows "
            f"(log E, log A, alpha, log B, beta), got shape {g.shape}"
        )
    return g


def _fixed_internal(pins: Dict[str, Optional[float]]) -> List[Optional[float]]:
    out: List[Optional[float]] = []
    for name in obj.NAMES:
        v = pins.get(name)
        if v is None:
            out.append(None)
        elif name == "E":
            v = check_real("E", v, minimum=0.0)
            out.append(float(np.log(v)) if v > 0 else float("-inf"))
        elif name in ("A", "B"):
            out.append(float(np.log(check_real(name, v, minimum=0.0, min_open=True))))
        else:
            out.append(check_real(name, v, minimum=0.0))
    return out


def _grid_chunk(payload: Tuple[obj.Problem, np.ndarray], a: int, b: int) -> np.ndarray:
    prob, starts = payload
    w = np.ones(prob.lL.size)
    rows = []
    for st in starts[a:b]:
        th, f, _ = obj.minimise(prob, st[None], w, tight=False)
        rows.append(np.append(th, f))
    return np.array(rows)


def _boot_chunk(payload: Tuple[obj.Problem, np.ndarray, int], a: int, b: int) -> np.ndarray:
    prob, starts, seed = payload
    rows = []
    for ss in resample_seeds(seed, a, b):
        w = resample_indices(ss, prob.lL.size)
        th, f, _ = obj.minimise(prob, starts, w, tight=True)
        rows.append(np.append(th, f))
    return np.array(rows)


def _distinct_optima(rows: np.ndarray, k: int) -> np.ndarray:
    """Up to ``k`` endpoints of the grid search with the lowest objective, pairwise distinct."""
    order = np.argsort(rows[:, -1], kind="stable")
    picked: List[np.ndarray] = []
    for i in order:
        th = rows[i, :5]
        if not np.isfinite(rows[i, -1]):
            break
        finite = np.where(np.isfinite(th), th, -1e3)
        if all(np.max(np.abs(finite - np.where(np.isfinite(p), p, -1e3))) > 1e-2 for p in picked):
            picked.append(th)
        if len(picked) >= k:
            break
    return np.array(picked)


def _asymptotic(
    prob: obj.Problem, theta: np.ndarray, confidence: float
) -> Tuple[np.ndarray, np.ndarray]:
    """Gauss-Newton covariance of the free internal parameters and normal intervals
    (internal scale); rows of fixed parameters are zero."""
    from scipy import stats

    pred, s0, s1, s2 = obj._terms(theta, prob.lN, prob.lD)
    r = pred - prob.lL
    J = np.stack([s0, s1, -s1 * prob.lN, s2, -s2 * prob.lD], axis=1)[:, prob.free]
    p = J.shape[1]
    cov = np.zeros((5, 5))
    if p:
        s2_hat = float(np.sum(r * r)) / max(1, r.size - p)
        jtj = np.einsum("ij,ik->jk", J, J)
        sub = s2_hat * np.linalg.pinv(jtj)
        idx = np.flatnonzero(prob.free)
        cov[np.ix_(idx, idx)] = sub
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    return cov, np.stack([theta - z * se, theta + z * se])


def to_natural(theta: np.ndarray) -> np.ndarray:
    """Internal rows ``(log E, log A, alpha, log B, beta)`` -> ``(E, A, alpha, B, beta)``."""
    th = np.array(theta, dtype=np.float64, copy=True)
    with np.errstate(over="ignore"):
        th[..., [0, 1, 3]] = np.exp(th[..., [0, 1, 3]])
    return th


def fit_chinchilla(
    N: Any,
    D: Any,
    loss: Any,
    *,
    huber_delta: float = 1e-3,
    init_grid: Union[str, Any] = "hoffmann",
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    bootstrap_starts: int = 1,
    grid_starts: Optional[int] = 256,
    n_jobs: Optional[int] = None,
    progress: bool = False,
    flop_model: Optional[FlopModel] = None,
    E: Optional[float] = None,
    A: Optional[float] = None,
    alpha: Optional[float] = None,
    B: Optional[float] = None,
    beta: Optional[float] = None,
) -> ChinchillaFit:
    """Fit ``L = E + A / N^alpha + B / D^beta`` to training runs (Hoffmann et al. approach 3).

    Parameters
    ----------
    N, D, loss : array_like, shape (n,)
        Model parameters, training tokens and final loss of each run (all finite and > 0; any
        consistent units). Rows are sorted internally, so their order does not matter.
    huber_delta : float, default 1e-3
        Transition of the Huber loss applied to the residuals ``log L_hat - log L`` (natural log).
    init_grid : {"hoffmann", "coarse"} or array of shape (k, 5), default "hoffmann"
        Starting points of L-BFGS-B, rows ``(log E, log A, alpha, log B, beta)``. "hoffmann" is the
        4500-point grid of Hoffmann et al.: alpha, beta in {0, 0.5, ..., 2}, log E in
        {-1, -0.5, ..., 1}, log A, log B in {0, 5, ..., 25}. The best optimum is polished with
        tight tolerances.
    grid_starts : int or None, default 256
        L-BFGS-B runs from the ``grid_starts`` grid points with the lowest objective (all of them
        with None). Evaluating the objective on the whole grid costs little; optimising from
        all 4500 points of the Hoffmann grid costs ~25 s of CPU on 300 runs and, on every table
        tried, reaches the same optimum as the best 256 starts.
    bootstrap : int, default 1000
        Number of bootstrap resamples of the rows (0: asymptotic intervals only). Each resample is
        started from the main optimum and from the ``bootstrap_starts`` next-best distinct optima
        of the grid search (not the whole grid: the resamples stay close to the data).
    bootstrap_starts : int, default 1
        Next-best distinct grid optima each resample also starts from (>= 0).
    seed : int, default 0
        Resample ``i`` uses ``numpy.random.SeedSequence(seed).spawn(bootstrap)[i]``: the result
        is a pure function of the seed, independent of ``n_jobs``.
    confidence : float, default 0.95
        Level of the percentile intervals (and of the asymptotic ones).
    n_jobs : int, optional
        Worker processes for the grid search and the bootstrap (default: the usable CPUs; 1 runs
        in-process). Results do not depend on it.
    progress : bool, default False
        Show a progress bar (tqdm, on stderr) for the bootstrap.
    flop_model : FlopModel, optional
        Compute model for the allocation (default ``C = 6 N D``).
    E, A, alpha, B, beta : float, optional
        Pin a parameter to a value instead of fitting it (e.g. ``E=1.69``; ``E=0`` drops the
        floor). Its interval is then ``(value, value)``.

    Returns
    -------
    ChinchillaFit
        ``.params``, ``.ci`` (bootstrap percentile intervals, ``.ci_method`` says which),
        ``.asymptotic_ci`` (Gauss-Newton, normal approximation), ``.predict(N, D)``,
        ``.allocation(C)``, ``.to_dict()``; ``.warnings`` lists identifiability problems, each
        also issued as an :class:`IdentifiabilityWarning`.

    Raises
    ------
    ParameterError
        A column is missing values, non-finite or non-positive, the columns differ in length, or
        there are no more rows than free parameters.
    ConvergenceError
        No start reached a finite objective.

    Examples
    --------
    >>> from scalinglaws.testing import chinchilla_runs
    >>> N, D, L = chinchilla_runs(200, seed=0)            # Hoffmann et al.'s law, 1% noise
    >>> fit = fit_chinchilla(N, D, L, bootstrap=200, n_jobs=1)   # doctest: +SKIP
    >>> fit.params["alpha"], fit.ci["alpha"], fit.allocation(1e21).tokens_per_param  # doctest: +SKIP
    """
    pins = {"E": E, "A": A, "alpha": alpha, "B": B, "beta": beta}
    fixed = _fixed_internal(pins)
    n_free = sum(v is None for v in fixed)
    N_, D_, L_ = check_table(N, D, loss, min_rows=n_free + 1)
    huber_delta = check_real("huber_delta", huber_delta, minimum=0.0, min_open=True)
    confidence = check_real(
        "confidence", confidence, minimum=0.0, maximum=1.0, min_open=True, max_open=True
    )
    bootstrap = check_int("bootstrap", bootstrap, minimum=0)
    seed = check_int("seed", seed, minimum=0)
    bootstrap_starts = check_int("bootstrap_starts", bootstrap_starts, minimum=0)
    flop_model = flop_model or FlopModel()
    grid = _grid(init_grid)

    order = canonical_order(N_, D_, L_)
    N_, D_, L_ = N_[order], D_[order], L_[order]
    prob = obj.Problem(np.log(N_), np.log(D_), np.log(L_), huber_delta, fixed)

    if grid_starts is not None:
        grid_starts = check_int("grid_starts", grid_starts, minimum=1)
        if grid_starts < len(grid):
            vals = obj.grid_values(prob, grid, np.ones(L_.size))
            vals = np.where(np.isfinite(vals), vals, np.inf)
            grid = grid[np.sort(np.argsort(vals, kind="stable")[:grid_starts])]
    rows = map_chunks(
        _grid_chunk,
        (prob, grid),
        len(grid),
        chunk=_GRID_CHUNK,
        n_jobs=n_jobs if len(grid) > 2 * _GRID_CHUNK else 1,
        desc="grid",
    )
    if not np.any(np.isfinite(rows[:, -1])):
        raise ConvergenceError(
            "fit_chinchilla: no start reached a finite objective; check the data or give init_grid",
            residual=None,
        )
    best = int(np.argmin(np.where(np.isfinite(rows[:, -1]), rows[:, -1], np.inf)))
    w1 = np.ones(L_.size)
    theta, fval, _ = obj.minimise(prob, rows[best, :5][None], w1, tight=True)

    starts = np.vstack([theta[None], _distinct_optima(rows, bootstrap_starts + 1)[1:]])
    samples = np.zeros((0, 5))
    if bootstrap:
        boot = map_chunks(
            _boot_chunk,
            (prob, starts, seed),
            bootstrap,
            chunk=_BOOT_CHUNK,
            n_jobs=n_jobs,
            progress=progress,
            desc="bootstrap",
        )
        samples = to_natural(boot[:, :5])

    cov, asym = _asymptotic(prob, theta, confidence)
    r = obj.log_predict(theta, prob.lN, prob.lD) - prob.lL
    return ChinchillaFit.build(
        theta_natural=to_natural(theta),
        asym_natural=to_natural(asym),
        samples=samples,
        pins=pins,
        confidence=confidence,
        n_points=int(L_.size),
        huber_delta=huber_delta,
        objective=fval,
        rms_log_residual=float(np.sqrt(np.mean(r * r))),
        seed=seed,
        flop_model=flop_model,
        at_lower=_at_bounds(prob, theta),
        collinearity=float(abs(np.corrcoef(prob.lN, prob.lD)[0, 1]))
        if np.ptp(prob.lN) > 0 and np.ptp(prob.lD) > 0
        else 1.0,
        cov=cov,
        data_range={
            "N": (float(N_.min()), float(N_.max())),
            "D": (float(D_.min()), float(D_.max())),
            "loss": (float(L_.min()), float(L_.max())),
        },
        interval_fn=percentile_interval,
    )


def _at_bounds(prob: obj.Problem, theta: np.ndarray) -> Dict[str, str]:
    """Free parameters sitting at an optimiser bound: name -> 'lower'/'upper'."""
    out: Dict[str, str] = {}
    span = prob.upper - prob.lower
    for i, name in enumerate(obj.NAMES):
        if not prob.free[i]:
            continue
        if theta[i] <= prob.lower[i] + 1e-6 * span[i]:
            out[name] = "lower"
        elif theta[i] >= prob.upper[i] - 1e-6 * span[i]:
            out[name] = "upper"
    return out
