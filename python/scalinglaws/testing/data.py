"""Synthetic training runs of a known Chinchilla law: the data of the fitting examples."""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .._validate import check_int, check_real

__all__ = ["HOFFMANN", "chinchilla_runs"]

#: ``L = E + A / N^alpha + B / D^beta`` as fitted by Hoffmann et al. (2022), approach 3
HOFFMANN: Dict[str, float] = {"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}


def chinchilla_runs(
    n: int = 60,
    *,
    budgets: Optional[Sequence[float]] = None,
    noise: float = 0.01,
    seed: int = 0,
    law: Optional[Dict[str, float]] = None,
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs ``(N, D, loss)`` of the law ``L = E + A / N^alpha + B / D^beta`` with log-normal noise.

    Without ``budgets``: n runs with N log-uniform in [1e7, 1e10] parameters and D log-uniform in
    [1e9, 1e12] tokens. With ``budgets`` (IsoFLOP profiles, :func:`scalinglaws.fit.fit_isoflop`):
    n model sizes per compute budget C, ``N = 0.1 sqrt(C) x`` with x log-spaced in [0.1, 10],
    and ``D = C / (6 N)``. The loss is ``L(N, D) exp(noise n)`` with n standard normal.

    Parameters
    ----------
    n : int, optional
        Number of runs (per budget, with ``budgets``), >= 1.
    budgets : sequence of float, optional
        Compute budgets C in FLOPs (``C = 6 N D``).
    noise : float, optional
        Standard deviation of the noise on log L (>= 0; 0.01 ~ 1%).
    seed : int, optional
        Seed of the random draws.
    law : dict, optional
        ``E, A, alpha, B, beta`` (default :data:`HOFFMANN`).

    Returns
    -------
    (ndarray, ndarray, ndarray)
        Parameters N, tokens D and loss of each run.

    Examples
    --------
    >>> N, D, L = chinchilla_runs(3, budgets=[1e18, 1e20], noise=0.0)
    >>> N.size, bool(np.allclose(6 * N * D, np.repeat([1e18, 1e20], 3)))
    (6, True)
    """
    n = check_int("n", n, minimum=1)
    noise = check_real("noise", noise, minimum=0.0)
    p = HOFFMANN if law is None else law
    rng = np.random.default_rng(seed)
    if budgets is None:
        N, D = 10 ** rng.uniform(7, 10, n), 10 ** rng.uniform(9, 12, n)
    else:
        C = np.repeat(np.asarray(budgets, dtype=np.float64), n)
        N = np.tile(np.logspace(-1, 1, n), C.size // n) * 0.1 * C**0.5
        D = C / (6 * N)
    L = p["E"] + p["A"] / N ** p["alpha"] + p["B"] / D ** p["beta"]
    return N, D, L * np.exp(rng.normal(0, noise, N.size))
