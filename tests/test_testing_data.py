"""scalinglaws.testing.chinchilla_runs: the synthetic runs follow the law they claim."""

from __future__ import annotations

import numpy as np
import pytest
from scalinglaws import ParameterError
from scalinglaws.testing import HOFFMANN, chinchilla_runs


def law(N, D, p=HOFFMANN):
    return p["E"] + p["A"] * N ** -p["alpha"] + p["B"] * D ** -p["beta"]


def test_noise_free_runs_are_the_law_on_the_stated_ranges():
    N, D, L = chinchilla_runs(500, noise=0.0, seed=3)
    assert np.all((N >= 1e7) & (N <= 1e10)) and np.all((D >= 1e9) & (D <= 1e12))
    np.testing.assert_allclose(L, law(N, D), rtol=1e-14)


def test_isoflop_layout_spends_each_budget():
    budgets = [1e18, 1e20, 1e22]
    N, D, L = chinchilla_runs(5, budgets=budgets, noise=0.0)
    np.testing.assert_allclose(6 * N * D, np.repeat(budgets, 5), rtol=1e-14)
    # sizes log-spaced over a factor 100 around 0.1 sqrt(C), the same grid in every budget
    r = (N / (0.1 * np.sqrt(np.repeat(budgets, 5)))).reshape(3, 5)
    np.testing.assert_allclose(r, np.tile(np.logspace(-1, 1, 5), (3, 1)), rtol=1e-14)


def test_noise_is_lognormal_with_the_stated_width():
    # log(L / law) ~ N(0, noise^2): mean and standard deviation over 80000 runs. Standard errors
    # 0.02 / sqrt(8e4) = 7.1e-5 (mean) and 0.02 / sqrt(1.6e5) = 5e-5 (sd); tolerance 3e-4
    # (1.5% of the width).
    N, D, L = chinchilla_runs(80000, noise=0.02, seed=1)
    r = np.log(L / law(N, D))
    assert abs(r.mean()) < 3e-4
    assert abs(r.std() - 0.02) < 3e-4


def test_pure_function_of_the_seed():
    a, b = chinchilla_runs(10, seed=7), chinchilla_runs(10, seed=7)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(chinchilla_runs(10, seed=8)[0], a[0])


@pytest.mark.parametrize("kwargs, name", [({"n": 0}, "n"), ({"noise": -0.1}, "noise")])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        chinchilla_runs(**{"n": 5, **kwargs})
