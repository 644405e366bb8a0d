"""Data of the Paquette et al. figures: Volterra theory (and SGD simulation) over the grids the
figures show. Conventions: B = 1 unless stated, gamma = lr_scale / tr D in the batch-sum
convention, loss P without 1/2, compute f = B d r.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .._validate import check_int
from ..plrf import (
    PHASE_EXAMPLES,
    deterministic_spectrum,
    empirical_spectrum,
    fit_compute_optimal,
    forcing_kernel,
    kernel_norm,
    measure_compute_optimal,
    phase,
    volterra_loss,
)
from ..plrf.compute_optimal import v_for
from ..plrf.phases import check_alpha_beta, components
from ..problem import Problem
from .paquette2024_contour_data import figure_contour  # its own module; re-exported here

__all__ = [
    "figure_spectrum",
    "figure_phase_diagram",
    "figure_boundary",
    "figure_finite_size",
    "figure_fronts",
    "figure_phase_curves",
    "figure_contour",
]


def figure_spectrum(
    alpha: float = 1.0,
    beta: float = 2.0,
    v: int = 10000,
    d: int = 1000,
    draws: int = 100,
    bins: int = 200,
    seed: int = 0,
) -> Dict[str, Any]:
    """Empirical vs deterministic spectrum (:ref:`plrf-spectrum`, appendix figure).

    Histogram (log bins) of the target-weighted spectral measure sum_k lambda_k rho_k delta_k of
    ``draws`` sampled W (atom at 0 removed), averaged, against the deterministic target measure
    x * rho_density; also the mean sorted eigenvalues vs the deterministic ones.

    Parameters
    ----------
    alpha, beta : float
        Power-law exponents (``D = diag(j^-2alpha)``, ``b_j = j^-beta``).
    v, d : int
        Data dimension and number of random features (v > d).
    draws : int, optional
        Number of sampled W averaged (1..10000).
    bins : int, optional
        Number of log-spaced histogram bins, from half the deterministic left edge to twice
        the top deterministic eigenvalue.
    seed : int, optional
        Seed of the first draw (draw i uses ``seed + i``).

    Returns
    -------
    dict
        ``edges`` (bins + 1), ``empirical_density`` (bins), ``grid`` and
        ``deterministic_density`` (the deterministic target measure on its grid),
        ``empirical_eigenvalues`` (mean sorted, d) and ``deterministic_eigenvalues`` (d),
        ``lambda_min`` (the deterministic left edge).

    Examples
    --------
    >>> out = figure_spectrum(v=200, d=50, draws=2, bins=20)
    >>> out["empirical_density"].shape, out["deterministic_eigenvalues"].shape
    ((20,), (50,))
    """
    draws = check_int("draws", draws, minimum=1, maximum=10000)
    det = deterministic_spectrum(Problem.paquette(alpha, beta, v, d))
    lo, hi = 0.5 * det.lambda_min, 2.0 * det.eigenvalues[0]
    edges = np.logspace(math.log10(lo), math.log10(hi), bins + 1)
    hist = np.zeros(bins)
    eig = np.zeros(d)
    for s in range(draws):
        e = empirical_spectrum(Problem.paquette(alpha, beta, v, d), seed + s)
        hist += np.histogram(e.eigenvalues, edges, weights=e.eigenvalues * e.rho)[0]
        eig += e.eigenvalues
    hist /= draws * np.diff(edges)
    return {
        "edges": edges,
        "empirical_density": hist,
        "grid": det.grid,
        "deterministic_density": det.target_measure,
        "empirical_eigenvalues": eig / draws,
        "deterministic_eigenvalues": det.eigenvalues,
        "lambda_min": det.lambda_min,
    }


def figure_phase_diagram(
    alphas: Sequence[float],
    betas: Sequence[float],
    ds: Sequence[int],
    *,
    flops: Optional[Sequence[float]] = None,
    **kwargs: Any,
) -> Dict[str, Any]:
    """Measured (IsoFLOP) and closed-form xi, eta on an (alpha, beta) grid (Fig. 4a heat maps).

    A single alpha and many betas gives the Fig. 4b sweep. Each point is one
    :func:`measure_compute_optimal` (``d* ~ f^xi``, ``P* ~ f^-eta``; :ref:`plrf-compute-optimal`);
    points with ``2(alpha + beta) <= 1`` are NaN.

    Parameters
    ----------
    alphas, betas : sequence of float
        The grid of exponents.
    ds : sequence of int
        Model sizes (at least 3 distinct, >= 2).
    flops : sequence of float, optional
        Flop budgets ``f = B d r`` (default: chosen by :func:`measure_compute_optimal`).
    **kwargs
        Passed to :func:`measure_compute_optimal` (``v_ratio``, ``lr_scale``, ...).

    Returns
    -------
    dict
        Arrays of shape (len(alphas), len(betas)): ``xi``, ``eta`` (IsoFLOP fits),
        ``xi_frontier``, ``eta_frontier``, ``xi_theory``, ``eta_theory`` (closed form) and
        ``phases`` (strings, '' where undefined); ``alphas``, ``betas``.

    Examples
    --------
    >>> out = figure_phase_diagram([0.8], [0.1, 0.4], [16, 32, 64], flops=[3e3, 1e4, 3e4])
    >>> out["xi"].shape, bool(out["phases"][0, 0] != "")
    ((1, 2), True)
    """
    A, Bt = np.asarray(alphas, float), np.asarray(betas, float)
    out = {
        k: np.full((A.size, Bt.size), np.nan)
        for k in ("xi", "eta", "xi_theory", "eta_theory", "xi_frontier", "eta_frontier")
    }
    phases = np.full((A.size, Bt.size), "", dtype=object)
    for i, a in enumerate(A):
        for j, b in enumerate(Bt):
            if not 2 * (a + b) > 1:
                continue
            r = measure_compute_optimal(a, b, ds, flops=flops, **kwargs)
            out["xi"][i, j], out["eta"][i, j] = r["xi_isoflop"], r["eta_isoflop"]
            out["xi_frontier"][i, j], out["eta_frontier"][i, j] = (
                r["xi_frontier"],
                r["eta_frontier"],
            )
            out["xi_theory"][i, j], out["eta_theory"][i, j] = r["xi_theory"], r["eta_theory"]
            phases[i, j] = r["phase"]
    out.update(alphas=A, betas=Bt, phases=phases)
    return out


def figure_boundary(
    alpha: float = 0.7,
    beta: float = 0.7,
    ds: Sequence[int] = (100, 200, 400, 800),
    v_ratio: float = 4.0,
    lr_scale: float = 0.5,
    flops_max: float = 1e9,
    sgd_runs: int = 0,
    seed: int = 0,
    measure: bool = True,
    n_checkpoints: int = 60,
) -> Dict[str, Any]:
    """Fig. 3 (II/III boundary): Volterra (deterministic) loss vs flops f = d r for several d.

    Optionally with the mean of ``sgd_runs`` simulated SGD runs (v = v_ratio d, B = 1,
    gamma = lr_scale / tr D; each run draws its own W, so the mean is over W and data), plus,
    if ``measure``, the compute-optimal measurement (IsoFLOP slices, d* fit). Also used for the
    negative-beta appendix figure (Phase Ia extends to beta < 0 while 2(alpha + beta) > 1).

    Theory: :ref:`plrf-volterra`, :ref:`plrf-compute-optimal`. Loss P without 1/2.

    Parameters
    ----------
    alpha, beta : float
        Power-law exponents.
    ds : sequence of int
        Model sizes d.
    v_ratio : float, optional
        ``v = v_ratio d``.
    lr_scale : float, optional
        ``gamma = lr_scale / tr D`` (batch-sum convention).
    flops_max : float, optional
        Largest flop budget: each curve runs ``flops_max // d`` steps.
    sgd_runs : int, optional
        Number of simulated SGD runs per d (0: none).
    seed : int, optional
        Seed of the simulations.
    measure : bool, optional
        Also run :func:`measure_compute_optimal` over ``ds`` (IsoFLOP fits).
    n_checkpoints : int, optional
        Log-spaced checkpoints of each simulation.

    Returns
    -------
    dict
        ``curves``: one dict per d with ``d``, ``flops`` and ``volterra`` (and ``sgd_flops``,
        ``sgd_mean``, ``sgd_sem`` with ``sgd_runs``); ``compute_optimal``: the measurement, or
        None without ``measure``.

    Examples
    --------
    >>> out = figure_boundary(ds=(50, 100), flops_max=1e5, measure=False)
    >>> [c["d"] for c in out["curves"]], out["compute_optimal"] is None
    ([50, 100], True)
    """
    from ..simulate import simulate_sgd

    curves = []
    for d in ds:
        v = int(round(v_ratio * d))
        det = deterministic_spectrum(Problem.paquette(alpha, beta, v, d))
        lr = lr_scale / det.params["trace_D"]
        steps = int(flops_max // d)
        c = volterra_loss(det, lr, steps)
        assert c.steps is not None  # volterra_loss always sets the steps
        row: Dict[str, Any] = {"d": d, "flops": c.steps * d, "volterra": c.test_loss}
        if sgd_runs > 0:
            res = simulate_sgd(
                Problem.paquette(alpha, beta, v, d),
                lr,
                steps,
                seeds=sgd_runs,
                seed=seed,
                n_checkpoints=n_checkpoints,
            )
            assert res.steps is not None  # simulate_sgd always sets the steps
            row.update(sgd_flops=res.steps * d, sgd_mean=res.test_loss, sgd_sem=res.test_loss_sem)
        curves.append(row)
    if not measure:
        return {"curves": curves, "compute_optimal": None}
    meas = measure_compute_optimal(
        alpha,
        beta,
        ds,
        v_ratio=v_ratio,
        lr_scale=lr_scale,
        flops=np.logspace(math.log10(10 * max(ds)), math.log10(flops_max), 30),
    )
    return {"curves": curves, "compute_optimal": meas}


def figure_finite_size(
    alpha: float,
    beta: float,
    ds: Sequence[int] = (200, 800, 3200),
    *,
    v_ratio: Optional[float] = None,
    lr_scale: float = 0.5,
    steps: int = 10**7,
) -> Dict[str, Any]:
    """Fig. 5 (finite-size effects): exact Volterra loss over its large-d estimate, for several d.

    The ratio of the exact (deterministic-equivalent) Volterra solution to the large-d estimate
    F_0 + F_pp + F_ac + K_pp / (gamma B) of :ref:`plrf-components`, for several d (B = 1,
    gamma = lr_scale / tr D, v = inf above the line, else v_ratio d).

    Parameters
    ----------
    alpha, beta : float
        Power-law exponents (alpha > 0, 2(alpha + beta) > 1).
    ds : sequence of int
        Model sizes d.
    v_ratio : float, optional
        ``v = v_ratio d`` (default: v = inf when 2 alpha > 1, else 4 d).
    lr_scale : float, optional
        ``gamma = lr_scale / tr D`` (batch-sum convention).
    steps : int, optional
        Number of SGD steps r of each Volterra curve.

    Returns
    -------
    dict
        ``alpha``, ``beta`` and ``rows``: one dict per d with ``d``, ``steps``, ``loss`` (no 1/2),
        ``estimate`` (the large-d sum of components) and ``ratio`` = loss / estimate.

    Examples
    --------
    >>> out = figure_finite_size(1.0, 0.7, ds=(50,), steps=10**4)
    >>> row = out["rows"][0]
    >>> row["ratio"].shape == row["steps"].shape
    True
    """
    alpha, beta = check_alpha_beta(alpha, beta)
    rows = []
    for d in ds:
        v = v_for(alpha, int(d), v_ratio)
        det = deterministic_spectrum(Problem.paquette(alpha, beta, v, d))
        lr = lr_scale / det.params["trace_D"]
        c = volterra_loss(det, lr, steps)
        assert c.steps is not None  # volterra_loss always sets the steps
        r = c.steps[1:].astype(float)
        comp = components(alpha, beta, d, float(v), r, lr, 1)
        est = comp["F_0"] + comp["F_pp"] + comp["F_ac"]
        if comp["noise"] is not None:
            est = est + comp["noise"]
        rows.append(
            {
                "d": d,
                "steps": c.steps[1:],
                "loss": c.test_loss[1:],
                "estimate": est,
                "ratio": c.test_loss[1:] / est,
            }
        )
    return {"alpha": alpha, "beta": beta, "rows": rows}


def figure_fronts(
    cases: Sequence[Tuple[float, float]],
    ds: Sequence[int],
    *,
    flops: Optional[Sequence[float]] = None,
    v_ratio: Optional[float] = None,
    lr_scale: float = 0.5,
    windows: Optional[Sequence[Tuple[float, float]]] = None,
    threads: Optional[int] = None,
) -> List[Dict[str, Any]]:
    """Compute-optimal fronts (Fig. 1 and the appendix figures on fronts and IsoFLOP windows).

    For each (alpha, beta) in ``cases``: :func:`measure_compute_optimal` over the model sizes
    ``ds`` (B = 1, gamma = lr_scale / tr D in the batch-sum convention, v = inf above the
    high-dimensional line, v = 4 d below it unless ``v_ratio`` is given), i.e. the deterministic
    Volterra loss P (no 1/2) against flops f = B d r for every d, the frontier min_d P and the
    IsoFLOP minima, with fitted and closed-form exponents. With ``windows`` (a list of
    (f_lo, f_hi)), the exponents are also refitted over each window (:func:`fit_compute_optimal`)
    and returned as ``row["windows"]``. Theory: :ref:`plrf-compute-optimal`.

    Parameters
    ----------
    cases : sequence of (float, float)
        The (alpha, beta) pairs.
    ds : sequence of int
        Model sizes (at least 3 distinct).
    flops : sequence of float, optional
        Flop budgets (default: chosen by :func:`measure_compute_optimal`).
    v_ratio : float, optional
        ``v = v_ratio d``.
    lr_scale : float, optional
        ``gamma = lr_scale / tr D``.
    windows : sequence of (float, float), optional
        Flop windows over which the exponents are refitted.
    threads : int, optional
        Worker threads (default: all cores).

    Returns
    -------
    list of dict
        One dict per case: ``alpha``, ``beta``, ``phase``, the closed-form, frontier and
        IsoFLOP exponents (``xi_theory``, ``eta_frontier``, ``xi_isoflop``, ...), the frontier
        and IsoFLOP minima against ``flops``, the curves (``curve_flops``, ``curve_loss``,
        ``gamma``, ``v`` per d) and, with ``windows``, ``windows``.

    Examples
    --------
    >>> rows = figure_fronts([(0.8, 0.4)], [16, 32, 64], flops=[3e3, 1e4, 3e4])
    >>> len(rows), len(rows[0]["curve_loss"]), rows[0]["alpha"]
    (1, 3, 0.8)
    """
    out = []
    for a, b in cases:
        alpha, beta = check_alpha_beta(a, b)
        m = measure_compute_optimal(
            alpha, beta, ds, v_ratio=v_ratio, lr_scale=lr_scale, flops=flops, threads=threads
        )
        row: Dict[str, Any] = {
            k: m[k]
            for k in (
                "phase",
                "xi_theory",
                "eta_theory",
                "eta_frontier",
                "xi_frontier",
                "eta_isoflop",
                "xi_isoflop",
                "n_fit",
                "flops",
                "P_frontier",
                "d_frontier",
                "P_isoflop",
                "d_isoflop",
                "interior",
                "ds",
            )
        }
        row.update(
            alpha=alpha,
            beta=beta,
            v=[v_for(alpha, int(d), v_ratio) for d in m["ds"]],
            curve_flops=[c.flops for c in m["curves"]],
            curve_loss=[c.test_loss for c in m["curves"]],
            gamma=[c.params["gamma"] for c in m["curves"]],
        )
        if windows is not None:
            row["windows"] = [
                dict(window=(float(w[0]), float(w[1])), **fit_compute_optimal(m, w))
                for w in windows
            ]
        out.append(row)
    return out


def figure_phase_curves(
    cases: Optional[Sequence[Tuple[float, float]]] = None,
    d: int = 400,
    *,
    steps: int = 10**7,
    v_ratio: Optional[float] = None,
    lr_scale: float = 0.5,
    n_checkpoints: int = 120,
) -> List[Dict[str, Any]]:
    """Fig. 2b: the loss curve of each phase with its components.

    For each (alpha, beta) (default :data:`PHASE_EXAMPLES`): the deterministic Volterra loss P(r)
    (no 1/2; B = 1, gamma = lr_scale / tr D batch-sum, v as in :func:`figure_fronts`), the
    large-d components of :func:`loss_components` (F_0, F_pp, F_ac and the noise term
    K_pp / (gamma B); ``None`` -> NaN where they are not defined: K_pp for alpha <= 1/4), the
    exact forcing F(r) and kernel term K(r) / (gamma B) of the same discrete spectrum
    (:func:`forcing_kernel`), and the plateau P_inf / (1 - ||K||). Theory:
    :ref:`plrf-components`.

    Parameters
    ----------
    cases : sequence of (float, float), optional
        The (alpha, beta) pairs (default: one example per phase).
    d : int, optional
        Model size (2..1e7).
    steps : int, optional
        Number of SGD steps r.
    v_ratio : float, optional
        ``v = v_ratio d`` (default: v = inf when 2 alpha > 1, else 4 d).
    lr_scale : float, optional
        ``gamma = lr_scale / tr D``.
    n_checkpoints : int, optional
        Log-spaced output steps of the Volterra curve.

    Returns
    -------
    list of dict
        One dict per case: ``alpha``, ``beta``, ``phase``, ``d``, ``v``, ``gamma``, ``steps``,
        ``loss``, the components ``F_0``, ``F_pp``, ``F_ac``, ``noise``, the exact
        ``F_exact`` and ``noise_exact``, and ``plateau``.

    Examples
    --------
    >>> rows = figure_phase_curves([(1.0, 0.7)], d=50, steps=10**4, n_checkpoints=20)
    >>> rows[0]["loss"].shape == rows[0]["F_exact"].shape
    True
    """
    if cases is None:
        cases = list(PHASE_EXAMPLES.values())
    d = check_int("d", d, minimum=2, maximum=10**7)
    rows = []
    for a, b in cases:
        alpha, beta = check_alpha_beta(a, b)
        v = v_for(alpha, d, v_ratio)
        det = deterministic_spectrum(Problem.paquette(alpha, beta, v, d))
        lr = lr_scale / det.params["trace_D"]
        c = volterra_loss(det, lr, steps, n_checkpoints=n_checkpoints)
        assert c.steps is not None  # volterra_loss always sets the steps
        r = c.steps[1:]
        comp = components(alpha, beta, d, float(v), r.astype(float), lr, 1)
        F, K = forcing_kernel(det, lr, r.astype(float))
        nan = np.full(r.size, np.nan)
        rows.append(
            {
                "alpha": alpha,
                "beta": beta,
                "phase": phase(alpha, beta),
                "d": d,
                "v": v,
                "gamma": lr,
                "steps": r,
                "loss": c.test_loss[1:],
                "F_0": float(comp["F_0"]),
                "F_pp": comp["F_pp"],
                "F_ac": comp["F_ac"],
                "noise": nan if comp["noise"] is None else comp["noise"],
                "F_exact": F,
                "noise_exact": K / lr,
                "plateau": float(det.limit_loss) / (1.0 - kernel_norm(det, lr)),
            }
        )
    return rows
