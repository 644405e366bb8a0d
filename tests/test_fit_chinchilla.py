"""fit_chinchilla, allocation, IsoFLOP profiles and leave-out validation: recovery of KNOWN
parameters from synthetic runs, interval coverage, determinism and clean refusals."""

import json
import warnings

import numpy as np
import pytest
from scalinglaws.errors import ParameterError
from scalinglaws.fit import (
    FlopModel,
    IdentifiabilityWarning,
    fit_chinchilla,
    fit_isoflop,
    leave_out,
    plot_fit,
)
from scalinglaws.fit import _objective as obj

# Hoffmann et al. (2022) / Besiroglu et al. (2024)-like values
TRUE = {"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}
# a 32-point grid around plausible values keeps the default tests fast; the full grid is checked
# through its shape and through the CLI timing
SMALL_GRID = np.stack(
    np.meshgrid([-0.5, 0.5], [3.0, 10.0], [0.3, 1.0], [3.0, 10.0], [0.3, 1.0], indexing="ij"),
    axis=-1,
).reshape(-1, 5)
FAST = dict(init_grid=SMALL_GRID, n_jobs=1)


def law(N, D, p=TRUE):
    return p["E"] + p["A"] * N ** -p["alpha"] + p["B"] * D ** -p["beta"]


def runs(n, seed, sigma=0.01):
    rng = np.random.default_rng(seed)
    N = 10 ** rng.uniform(6.5, 10, n)
    D = 10 ** rng.uniform(8.5, 12, n)
    return N, D, law(N, D) * np.exp(rng.normal(0, sigma, n))


def test_objective_gradient_matches_finite_differences():
    N, D, L = runs(50, 0)
    prob = obj.Problem(np.log(N), np.log(D), np.log(L), 0.01, [None] * 5)
    w = np.random.default_rng(1).integers(0, 3, 50).astype(float)
    x = np.array([0.4, 5.5, 0.3, 6.2, 0.3])
    _, g = obj.objective(x, prob, w)
    h = 1e-6
    num = [
        (obj.objective(x + h * e, prob, w)[0] - obj.objective(x - h * e, prob, w)[0]) / (2 * h)
        for e in np.eye(5)
    ]
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-9)


def test_hoffmann_grid_is_the_published_grid():
    g = obj.hoffmann_grid()
    assert g.shape == (4500, 5)
    assert sorted(set(g[:, 0])) == [-1, -0.5, 0, 0.5, 1]  # e = log E
    assert sorted(set(g[:, 1])) == [0, 5, 10, 15, 20, 25]  # a = log A
    assert sorted(set(g[:, 2])) == [0, 0.5, 1, 1.5, 2]  # alpha


def test_recovers_known_parameters_with_intervals():
    N, D, L = runs(150, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = fit_chinchilla(N, D, L, bootstrap=100, seed=1, **FAST)
    assert f.ci_method == "bootstrap-percentile" and f.samples.shape == (100, 5)
    assert f.params["E"] == pytest.approx(TRUE["E"], rel=0.03)
    assert f.params["alpha"] == pytest.approx(TRUE["alpha"], abs=0.05)
    assert f.params["beta"] == pytest.approx(TRUE["beta"], abs=0.05)
    for k, v in TRUE.items():
        lo, hi = f.ci[k]
        assert lo <= f.params[k] <= hi, k
    inside = sum(f.ci[k][0] <= v <= f.ci[k][1] for k, v in TRUE.items())
    assert inside >= 4
    # allocation exponents follow from the fitted exponents
    al = f.allocation_exponents()
    s = f.params["alpha"] + f.params["beta"]
    assert al["a"] == pytest.approx(f.params["beta"] / s) and al["a"] + al["b"] == pytest.approx(1)
    assert al["a_ci"][0] <= TRUE["beta"] / (TRUE["alpha"] + TRUE["beta"]) <= al["a_ci"][1]


def test_coverage_over_seeded_replications_light():
    """95% intervals contain the true exponents in most of a few independent replications."""
    hits = {k: 0 for k in TRUE}
    reps = 3
    for r in range(reps):
        N, D, L = runs(60, 100 + r, sigma=0.02)
        f = fit_chinchilla(N, D, L, bootstrap=40, seed=r, **FAST)
        for k, v in TRUE.items():
            hits[k] += f.ci[k][0] <= v <= f.ci[k][1]
    assert all(h >= reps - 1 for h in hits.values()), hits


@pytest.mark.slow
def test_coverage_over_seeded_replications_heavy():
    hits = {k: 0 for k in TRUE}
    reps = 40
    for r in range(reps):
        N, D, L = runs(120, 1000 + r, sigma=0.02)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IdentifiabilityWarning)
            f = fit_chinchilla(N, D, L, bootstrap=300, seed=r, init_grid="coarse")
        for k, v in TRUE.items():
            hits[k] += f.ci[k][0] <= v <= f.ci[k][1]
    print({k: h / reps for k, h in hits.items()})
    assert all(h / reps >= 0.85 for h in hits.values()), hits


def test_row_order_does_not_matter():
    N, D, L = runs(60, 5)
    a = fit_chinchilla(N, D, L, bootstrap=30, **FAST)
    perm = np.random.default_rng(0).permutation(60)
    b = fit_chinchilla(N[perm], D[perm], L[perm], bootstrap=30, **FAST)
    assert a.params == b.params and a.ci == b.ci


def test_same_seed_same_result_whatever_the_workers():
    N, D, L = runs(40, 6)
    a = fit_chinchilla(N, D, L, bootstrap=60, seed=7, init_grid=SMALL_GRID, n_jobs=1)
    b = fit_chinchilla(N, D, L, bootstrap=60, seed=7, init_grid=SMALL_GRID, n_jobs=2)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert a.to_dict() == b.to_dict()
    c = fit_chinchilla(N, D, L, bootstrap=60, seed=8, init_grid=SMALL_GRID, n_jobs=1)
    assert not np.array_equal(a.samples, c.samples)


def test_pinned_floor_is_exact_and_others_recovered():
    N, D, L = runs(100, 8, sigma=0.005)
    f = fit_chinchilla(N, D, L, E=1.69, bootstrap=40, **FAST)
    assert f.params["E"] == 1.69 and f.ci["E"] == (1.69, 1.69) and f.fixed == ("E",)
    assert f.params["alpha"] == pytest.approx(TRUE["alpha"], abs=0.03)
    assert f.params["beta"] == pytest.approx(TRUE["beta"], abs=0.03)
    d = json.loads(json.dumps(f.to_dict(), allow_nan=False))
    assert set(d["params"]) == set(TRUE) and d["ci"]["E"] == [1.69, 1.69]


def test_asymptotic_intervals_are_labelled():
    N, D, L = runs(80, 9)
    f = fit_chinchilla(N, D, L, bootstrap=0, **FAST)
    assert f.ci_method == "asymptotic" and f.ci == f.asymptotic_ci
    assert "asymptotic" in repr(f)
    alloc = f.allocation([1e20, 1e22])
    assert np.all(alloc.N_opt_ci[:, 0] <= alloc.N_opt) and np.all(
        alloc.N_opt <= alloc.N_opt_ci[:, 1]
    )


def test_allocation_minimises_the_law_on_the_budget():
    """N_opt from the closed form agrees with a brute-force search along C = 6ND and with the
    numerical route taken for a user FLOP model."""
    N, D, L = runs(80, 10, sigma=0.0)
    f = fit_chinchilla(N, D, L, bootstrap=0, **FAST)
    C = 1e22
    n_grid = np.logspace(8, 12, 400001)
    brute = n_grid[np.argmin(f.predict(n_grid, C / (6 * n_grid)))]
    alloc = f.allocation(C)
    assert alloc.N_opt[0] == pytest.approx(brute, rel=1e-4)
    assert alloc.tokens_per_param[0] == pytest.approx(alloc.D_opt[0] / alloc.N_opt[0])

    class SixND(FlopModel):  # same compute model through the generic (numerical) route
        def flops(self, N, D):
            return 6.0 * np.asarray(N) * np.asarray(D)

        def tokens(self, N, C):
            return np.asarray(C) / (6.0 * np.asarray(N))

    n_num, _ = SixND().optimum(f.params, [C])
    assert n_num[0] == pytest.approx(alloc.N_opt[0], rel=1e-5)
    G = f.allocation_exponents()["G"]
    assert alloc.N_opt[0] == pytest.approx(G * (C / 6) ** f.allocation_exponents()["a"])


def test_collinear_sizes_warn_that_exponents_are_not_identifiable():
    rng = np.random.default_rng(11)
    N = 10 ** rng.uniform(7, 10, 60)
    D = 20 * N  # a fixed tokens-per-parameter ratio: N and D move together
    L = law(N, D) * np.exp(rng.normal(0, 0.01, 60))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = fit_chinchilla(N, D, L, bootstrap=0, **FAST)
    assert any("collinear" in w for w in f.warnings)
    assert any(
        issubclass(c.category, IdentifiabilityWarning) and "collinear" in str(c.message)
        for c in caught
    )


@pytest.mark.parametrize(
    "mutate, match",
    [
        (
            lambda N, D, L: (N, D, np.where(np.arange(L.size) == 3, np.nan, L)),
            "loss must be finite",
        ),
        (lambda N, D, L: (N, np.where(np.arange(D.size) == 0, -1.0, D), L), "D must be > 0"),
        (lambda N, D, L: (N[:5], D[:5], L[:5]), "need at least 6"),
        (lambda N, D, L: (N, D[:-1], L), "D must have one value per row"),
    ],
)
def test_bad_tables_are_refused_in_one_line(mutate, match):
    N, D, L = runs(30, 12)
    with pytest.raises(ParameterError, match=match) as exc:
        fit_chinchilla(*mutate(N, D, L), bootstrap=0, **FAST)
    assert "\n" not in str(exc.value)


def _isoflop_runs(seed, budgets=np.logspace(18, 22, 5), sigma=0.002):
    rng = np.random.default_rng(seed)
    a = TRUE["beta"] / (TRUE["alpha"] + TRUE["beta"])
    G = (TRUE["alpha"] * TRUE["A"] / (TRUE["beta"] * TRUE["B"])) ** (
        1 / (TRUE["alpha"] + TRUE["beta"])
    )
    rows = []
    for C in budgets:
        n_star = G * (C / 6) ** a
        for n in n_star * np.logspace(-0.8, 0.8, 9):
            d = C / (6 * n)
            rows.append((n, d, law(n, d) * np.exp(rng.normal(0, sigma)), C))
    return np.array(rows).T, a


def test_isoflop_recovers_the_allocation_exponents():
    (N, D, L, C), a_true = _isoflop_runs(0)
    f = fit_isoflop(N, D, L, bootstrap=300, seed=0)
    assert len(f.budgets) == 5 and list(f.n_runs) == [9] * 5
    assert f.a == pytest.approx(a_true, abs=0.03) and f.b == pytest.approx(1 - a_true, abs=0.03)
    assert f.a_ci[0] <= a_true <= f.a_ci[1] and f.b_ci[0] <= 1 - a_true <= f.b_ci[1]
    g = fit_isoflop(N, D, L, C * 1.001, bootstrap=0)  # given budgets, same grouping
    np.testing.assert_allclose(g.N_opt, f.N_opt, rtol=1e-9)
    assert json.dumps(f.to_dict(), allow_nan=False)


def test_isoflop_refuses_thin_or_edge_budgets():
    (N, D, L, C), _ = _isoflop_runs(1, budgets=[1e19, 1e20])
    keep = ~((C == 1e20) & (np.arange(C.size) % 9 > 1))  # 2 runs left at 1e20
    with pytest.raises(ParameterError, match=r"budget C=1e\+20 has 2 runs"):
        fit_isoflop(N[keep], D[keep], L[keep], C[keep], bootstrap=0)
    edge = ~((C == 1e19) & (np.arange(C.size) % 9 < 5))  # only the larger-than-optimal sizes
    with pytest.raises(ParameterError, match=r"budget C=1e\+19: the loss minimum lies at the edge"):
        fit_isoflop(N[edge], D[edge], L[edge], C[edge], bootstrap=0)


def test_leave_out_reports_extrapolation_error():
    N, D, L = runs(120, 13, sigma=0.005)
    C = 6 * N * D
    res = leave_out(N, D, L, max_flops=np.quantile(C, 0.7), bootstrap=0, **FAST)
    assert res.train.sum() == 84 and res.log_errors.size == 36
    assert res.rmse_log < 0.03 and "rms log error" in repr(res)
    with pytest.raises(ParameterError, match="threshold"):
        leave_out(N, D, L, max_flops=C.max() * 2, bootstrap=0, **FAST)


def test_plot_fit_draws_data_fit_and_residuals():
    import matplotlib

    matplotlib.use("Agg")
    N, D, L = runs(40, 14)
    f = fit_chinchilla(N, D, L, bootstrap=0, **FAST)
    fig = plot_fit(f, N, D, L)
    assert len(fig.axes) >= 2 and fig.axes[1].get_ylabel() == "log(L / L_hat)"
    import matplotlib.pyplot as plt

    plt.close(fig)
