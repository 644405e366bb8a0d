"""The DMFT compute-optimal frontier (scalinglaws.dmft.compute_optimal_frontier) at b != 1
against an independent brute-force minimisation of the theory loss over the model size N at
fixed compute C = N t, and its exponents against the closed forms of Bordelon et al. App. N.
The reference shares the theory's loss curves (the frontier is a post-processing of them) but
none of the frontier's time grid, interpolation, envelope or fit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scalinglaws import dmft
from scalinglaws.problem import Problem
from validation_helpers import compare


def _brute_force_frontier(pr, C, Ns, time_factor=1.0):
    """min over N in ``Ns`` of the theory loss at t = C / N (P = inf, flow), evaluated exactly
    at each (N, t) -- no time grid, no interpolation: the reference of the frontier tests."""
    L = np.array(
        [
            dmft.loss_curve(pr, math.inf, time_factor * C / n, N=int(n), flow=True).test_loss
            for n in Ns
        ]
    )
    return L.min(0), np.asarray(Ns)[L.argmin(0)]


@pytest.mark.parametrize("a,b", [(2, 1.5), (1.5, 1.25)])
def test_compute_optimal_frontier_vs_brute_force(a, b):
    """The frontier at b != 1 against a brute-force minimisation of the theory loss over N at
    fixed compute C = N t (7 values of C across the fit range), M = 2048, P = inf, flow.

    * Same N grid (half-octaves 2^4..2^9), exact t = C/N: the frontier's log-log interpolation
      (40 times over 4 decades) agrees to 0.2% (measured <= 0.08%). Sensitivity: the reference
      at t = 1.05 C / N (a frontier that mis-assigns compute by 5%) is off by 1.5-2.2% > 1%.
    * Dense N grid (ratio 2^(1/6)): the true minimum over N is at most 2% below the frontier
      (measured <= 1.1%: the half-octave grid's second-order error at the optimum) and never
      above it.
    * The exponent of L*(C) fitted to the dense brute force equals the frontier's to 0.01 and
      the closed form (a-1) m / (a-1+b m) to 0.03 (measured 0.389 vs 0.400 for (2, 1.5), 0.242
      vs 0.222 for (1.5, 1.25): the fit window, 3 decades of C at N <= 512 and M = 2048, is not
      yet asymptotic -- the slope still drifts with the window by this order). The optimal
      N ~ C^(b m / (a-1+b m)) to 0.04 (measured 0.41 vs 0.40, 0.43 vs 0.44)."""
    pr = Problem.bordelon(a, b, 2048)
    Ns = np.unique(np.round(2 ** np.arange(4, 9.01, 0.5)).astype(int))
    fr = dmft.compute_optimal_frontier(pr, Ns, t_max=1e4, n_times=40)
    lo, hi = fr.fit_range
    inside = np.where((fr.compute >= lo) & (fr.compute <= hi))[0]
    idx = inside[np.linspace(0, inside.size - 1, 7).astype(int)]
    C, L = fr.compute[idx], fr.loss[idx]
    same, _ = _brute_force_frontier(pr, C, Ns)
    c = compare(
        L,
        same,
        tol=2e-3,
        feature=f"DMFT compute-optimal frontier a={a} b={b} (same N grid)",
        reference_name="brute-force min over N of the theory loss at t = C/N",
    )
    assert c.ok, c
    shifted, _ = _brute_force_frontier(pr, C, Ns, time_factor=1.05)
    assert np.max(np.abs(L / shifted - 1)) > 1e-2  # the check can see a 5% error in compute
    dense = np.unique(np.round(2 ** np.arange(4, 9.01, 1 / 6)).astype(int))
    Ld, _ = _brute_force_frontier(pr, C, dense)
    assert np.all(Ld <= L * (1 + 1e-12)), L / Ld - 1
    c = compare(
        L,
        Ld,
        tol=0.02,
        feature=f"DMFT compute-optimal frontier a={a} b={b} (half-octave N grid)",
        reference_name="brute-force min over a 2^(1/6) N grid at t = C/N",
    )
    assert c.ok, c
    slope = -np.polyfit(np.log(C), np.log(Ld), 1)[0]
    e = dmft.exponents(a, b)["compute"]
    assert abs(slope - fr.exponent) < 0.01, (slope, fr.exponent)
    assert abs(fr.exponent - e["loss"]) < 0.03, (fr.exponent, e)
    assert abs(fr.n_exponent - e["N"]) < 0.04, (fr.n_exponent, e)
