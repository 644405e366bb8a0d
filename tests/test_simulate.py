"""The simulators against plain-stepping oracles, Monte Carlo, and the N, P -> inf limit."""

import math

import numpy as np
import pytest
import scalinglaws as sl
import scipy.linalg
from scalinglaws import _core
from scalinglaws import testing as oracle
from scipy import stats


def _draw(p, P, seed, ensemble=1, explicit=False):
    """The draw simulate_gd uses for ``seed`` (explicit=True: F and Psi materialised instead)."""
    return _core.simulate.draw_problem(
        _spec(p), P, ensemble, seed, seed, explicit_matrices=explicit, threads=0
    )


def _spec(p, N=None, sigma=None):
    return _core.simulate.ProblemSpec(
        lam=p.lam,
        wstar=p.wstar,
        N=p.N if N is None else N,
        sigma=p.sigma if sigma is None else sigma,
    )


# ----------------------------------------------------------------------------- random numbers
def test_normal_generator_moments_and_ks():
    x = _core.simulate.normal_samples(123, 400_000)
    assert abs(x.mean()) < 5 / math.sqrt(x.size)
    assert abs(x.var() - 1) < 5 * math.sqrt(2 / x.size)
    assert abs(stats.kurtosis(x)) < 5 * math.sqrt(24 / x.size)
    assert stats.kstest(x, "norm").pvalue > 1e-3
    # tails beyond the ziggurat base (r = 3.654) have the right mass
    tail = np.mean(np.abs(x) > 3.6541528853610088)
    expected = 2 * stats.norm.sf(3.6541528853610088)
    assert abs(tail - expected) < 5 * math.sqrt(expected / x.size)


def test_draw_is_consistent_and_has_the_right_moments():
    p = sl.Problem.bordelon(1.5, 1.25, 600, 50, sigma=0.3)
    d = _draw(p, 400, seed=7, explicit=True)
    F, psi = d["F"], d["psi"]
    np.testing.assert_allclose(d["phi"], psi @ F.T, atol=1e-12)
    np.testing.assert_allclose(d["y"], psi @ p.wstar + 0.3 * d["noise"], atol=1e-12)
    np.testing.assert_allclose(d["sigma"], (F * p.lam) @ F.T, atol=1e-13)
    np.testing.assert_allclose(d["q"], (F * p.lam) @ p.wstar, atol=1e-13)
    assert d["c0"] == pytest.approx(p.initial_loss, rel=1e-14)
    # F_ik ~ N(0, 1/N); psi_{mu k} ~ N(0, lam_k)
    assert F.var() * 50 == pytest.approx(1.0, abs=5 * math.sqrt(2 / F.size))
    z = psi / np.sqrt(p.lam)
    assert z.var() == pytest.approx(1.0, abs=5 * math.sqrt(2 / z.size))
    assert abs(np.corrcoef(z[:, 0], z[:, 1])[0, 1]) < 5 / math.sqrt(400)


def test_results_are_a_pure_function_of_the_seed():
    """Runs are bitwise identical whatever the number of threads and of other runs in the call;
    a single run on several threads (threaded BLAS) agrees to round-off."""
    p = sl.Problem.bordelon(1.5, 1.25, 2048, 128)
    kw = dict(lr=0.5, steps=[1, 10, 100, 1000])
    a = sl.simulate_gd(p, 256, seeds=4, seed=10, threads=1, **kw)
    b = sl.simulate_gd(p, 256, seeds=4, seed=10, threads=2, **kw)
    c = sl.simulate_gd(p, 256, seeds=1, seed=12, threads=1, **kw)
    d = sl.simulate_gd(p, 256, seeds=1, seed=12, threads=2, **kw)
    np.testing.assert_array_equal(a.test_loss_runs, b.test_loss_runs)
    np.testing.assert_array_equal(a.train_loss_runs, b.train_loss_runs)
    np.testing.assert_array_equal(a.test_loss_runs[2], c.test_loss_runs[0])
    np.testing.assert_allclose(d.test_loss_runs[0], c.test_loss_runs[0], rtol=1e-12)
    assert not np.array_equal(a.test_loss_runs[0], a.test_loss_runs[1])
    s1 = sl.simulate_sgd(p, 0.3, 500, seeds=3, seed=5, threads=1)
    s2 = sl.simulate_sgd(p, 0.3, 500, seeds=3, seed=5, threads=2)
    s3 = sl.simulate_sgd(p, 0.3, 500, seeds=1, seed=7, threads=2)
    np.testing.assert_array_equal(s1.test_loss_runs, s2.test_loss_runs)
    np.testing.assert_array_equal(s1.test_loss_runs[2], s3.test_loss_runs[0])


# ----------------------------------------------------------------------------- GD, same draw
@pytest.mark.parametrize("N, P, sigma", [(30, 80, 0.0), (80, 30, 0.2), (50, 50, 0.0)])
def test_spectral_gd_equals_stepping_oracle(N, P, sigma):
    p = sl.Problem.bordelon(1.5, 1.25, 400, N, sigma=sigma)
    steps = [0, 1, 2, 7, 50, 300, 2000]
    r = sl.simulate_gd(p, P, lr=0.5, steps=steps, seed=3)
    d = _draw(p, P, 3)
    o = oracle.gd_stepping(d["phi"], d["y"], d["sigma"], d["q"], d["c0"], 0.5, steps)
    np.testing.assert_allclose(r.test_loss_runs[0], o["test"], rtol=1e-8)
    np.testing.assert_allclose(r.train_loss_runs[0], o["train"], rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(r.times, 0.5 * np.array(steps))


def test_spectral_gd_large_lr_above_one_over_lambda():
    # 1 < lr * g < 2 for the top modes: oscillating but stable; still exact.
    p = sl.Problem.bordelon(1.5, 1.0, 300, 40)
    d = _draw(p, 100, 9)
    gmax = np.linalg.eigvalsh(d["phi"].T @ d["phi"] / 100).max()
    lr = 1.8 / gmax
    steps = [1, 5, 40, 400]
    r = sl.simulate_gd(p, 100, lr=lr, steps=steps, seed=9)
    o = oracle.gd_stepping(d["phi"], d["y"], d["sigma"], d["q"], d["c0"], lr, steps)
    np.testing.assert_allclose(r.test_loss_runs[0], o["test"], rtol=1e-8)


def test_gradient_flow_equals_matrix_exponential():
    p = sl.Problem.bordelon(1.5, 1.25, 300, 20, sigma=0.1)
    P = 60
    d = _draw(p, P, 5)
    G = d["phi"].T @ d["phi"] / P
    h = d["phi"].T @ d["y"] / P
    times = [0.0, 0.3, 4.0, 77.0]
    r = sl.simulate_gd(p, P, times=times, flow=True, seed=5)
    for i, t in enumerate(times):
        w = np.linalg.solve(G, (np.eye(20) - scipy.linalg.expm(-G * t)) @ h)
        test = d["c0"] - 2 * w @ d["q"] + w @ d["sigma"] @ w
        train = np.mean((d["y"] - d["phi"] @ w) ** 2)
        assert r.test_loss_runs[0, i] == pytest.approx(test, rel=1e-9)
        assert r.train_loss_runs[0, i] == pytest.approx(train, rel=1e-9)


def test_ensemble_is_loss_of_averaged_predictor():
    p = sl.Problem.bordelon(1.5, 1.25, 300, 25)
    P, E, steps = 40, 3, [0, 5, 60]
    r = sl.simulate_gd(p, P, lr=0.5, steps=steps, seed=2, ensemble=E)
    d = _draw(p, P, 2, ensemble=E)
    N = 25
    for i, n in enumerate(steps):
        wbar = []
        for e in range(E):
            ph = d["phi"][:, e * N : (e + 1) * N]
            w = np.zeros(N)
            for _ in range(n):
                w = w + 0.5 / P * ph.T @ (d["y"] - ph @ w)
            wbar.append(w / E)
        wbar = np.concatenate(wbar)
        test = d["c0"] - 2 * wbar @ d["q"] + wbar @ d["sigma"] @ wbar
        train = np.mean((d["y"] - d["phi"] @ wbar) ** 2)
        assert r.test_loss_runs[0, i] == pytest.approx(test, rel=1e-9)
        assert r.train_loss_runs[0, i] == pytest.approx(train, rel=1e-9)


def test_bagging_is_loss_of_predictor_averaged_over_members_and_data_sets():
    """Same draw: simulate_gd(ensemble=E, bags=B) equals plain numpy GD on the B data sets that
    _core.simulate.draw_problem(bag=b) returns (all given the same E projections), weights averaged over
    the E * B models, exact population loss; rel 1e-9. Bag 0 is the bags=1 data set."""
    p = sl.Problem.bordelon(1.5, 1.25, 300, 20, sigma=0.3)
    P, E, Bg, steps = 30, 2, 3, [0, 4, 50]
    r = sl.simulate_gd(p, P, lr=0.5, steps=steps, seed=5, ensemble=E, bags=Bg)
    assert r.train_loss_runs is None
    draws = [_core.simulate.draw_problem(_spec(p), P, E, 5, 5, threads=0, bag=b) for b in range(Bg)]
    d0 = _draw(p, P, 5, ensemble=E)
    assert np.array_equal(draws[0]["phi"], d0["phi"]) and np.array_equal(draws[0]["y"], d0["y"])
    for d in draws[1:]:  # same projection, a different data set
        assert np.array_equal(d["sigma"], d0["sigma"])
        assert not np.allclose(d["phi"], d0["phi"])
    N = p.N
    for i, n in enumerate(steps):
        wbar = np.zeros(E * N)
        for d in draws:
            for e in range(E):
                ph = d["phi"][:, e * N : (e + 1) * N]
                w = np.zeros(N)
                for _ in range(n):
                    w = w + 0.5 / P * ph.T @ (d["y"] - ph @ w)
                wbar[e * N : (e + 1) * N] += w / (E * Bg)
        test = d0["c0"] - 2 * wbar @ d0["q"] + wbar @ d0["sigma"] @ wbar
        assert r.test_loss_runs[0, i] == pytest.approx(test, rel=1e-9)
    one = sl.simulate_gd(p, P, lr=0.5, steps=steps, seed=5, ensemble=E)
    same = sl.simulate_gd(p, P, lr=0.5, steps=steps, seed=5, ensemble=E, bags=1)
    assert np.array_equal(one.test_loss_runs, same.test_loss_runs)
    # a pure function of the seed: threads do not matter
    t1 = sl.simulate_gd(p, P, lr=0.5, steps=steps, seeds=3, seed=5, ensemble=E, bags=Bg, threads=1)
    t2 = sl.simulate_gd(p, P, lr=0.5, steps=steps, seeds=3, seed=5, ensemble=E, bags=Bg, threads=2)
    assert np.array_equal(t1.test_loss_runs, t2.test_loss_runs)
    assert np.array_equal(t1.test_loss_runs[0], r.test_loss_runs[0])


def test_bagging_matches_independent_numpy_pipeline():
    """Distribution check with an independent pipeline: numpy draws explicit projections A_e
    (E of them) and B data sets Psi_b with noisy labels, runs gradient flow in closed form for
    every (e, b), averages the E * B predictors and computes the exact population loss. 400 runs
    each; the two means agree within 3.5 combined standard errors at every time."""
    M, N, P, E, Bg, sigma = 60, 10, 20, 2, 3, 0.4
    p = sl.Problem.bordelon(1.5, 1.25, M, N, sigma=sigma)
    times = np.array([0.5, 3.0, 30.0])
    runs = 400
    sim = sl.simulate_gd(p, P, flow=True, times=times, seeds=runs, seed=100, ensemble=E, bags=Bg)
    rng = np.random.default_rng(12345)
    lam, ws = p.lam, p.wstar
    out = np.empty((runs, times.size))
    for r in range(runs):
        F = [rng.standard_normal((N, M)) / np.sqrt(N) for _ in range(E)]
        W = np.zeros((times.size, E, N))
        for _ in range(Bg):
            psi = rng.standard_normal((P, M)) * np.sqrt(lam)
            y = psi @ ws + sigma * rng.standard_normal(P)
            for e in range(E):
                ph = psi @ F[e].T
                g, U = np.linalg.eigh(ph.T @ ph / P)
                hp = U.T @ (ph.T @ y / P)
                g = np.maximum(g, 1e-300)
                gain = -np.expm1(-np.outer(times, g)) / g
                W[:, e] += (gain * hp) @ U.T / (E * Bg)
        for i in range(times.size):
            v = ws - sum(F[e].T @ W[i, e] for e in range(E))
            out[r, i] = np.sum(lam * v * v)
    z = (sim.test_loss - out.mean(0)) / np.sqrt(
        sim.test_loss_sem**2 + out.std(0, ddof=1) ** 2 / runs
    )
    assert np.all(np.abs(z) < 3.5), z
    # and bagging helps: the B = 3 average beats one data set
    single = sl.simulate_gd(p, P, flow=True, times=times, seeds=runs, seed=100, ensemble=E)
    assert sim.test_loss[-1] < single.test_loss[-1]


def test_population_loss_agrees_with_monte_carlo_test_set():
    """The test loss c0 - 2 w.q + w^T Sigma w equals E_psi[(w.F psi - w*.psi)^2] (fresh samples)."""
    p = sl.Problem.bordelon(1.5, 1.25, 200, 30, sigma=0.0)
    P, n_steps = 50, 25
    d = _draw(p, P, 11, explicit=True)
    w = np.zeros(30)
    for _ in range(n_steps):
        w = w + 0.5 / P * d["phi"].T @ (d["y"] - d["phi"] @ w)
    formula = d["c0"] - 2 * w @ d["q"] + w @ d["sigma"] @ w
    rng = np.random.default_rng(0)
    sq = []
    for _ in range(10):
        psi = rng.standard_normal((40_000, p.M)) * np.sqrt(p.lam)
        sq.append((psi @ (d["F"].T @ w) - psi @ p.wstar) ** 2)
    sq = np.concatenate(sq)
    mc, se = sq.mean(), sq.std() / math.sqrt(sq.size)
    assert abs(formula - mc) < 4 * se
    assert se < 0.01 * mc  # the check has teeth


@pytest.mark.parametrize("N, M", [(20, 300), (40, 30)])  # full-rank and singular (N > M) Sigma
def test_conditional_sampler_has_the_joint_law_given_F(N, M):
    """Training samples are drawn from (phi, w*.psi) ~ N(0, [[Sigma, q], [q^T, c0]]) given F."""
    p = sl.Problem.bordelon(1.5, 1.25, M, N, sigma=0.0)
    P = 40_000
    d = _draw(p, P, 21)
    X = np.column_stack([d["phi"], d["y"]])
    C = np.block([[d["sigma"], d["q"][:, None]], [d["q"][None, :], np.array([[d["c0"]]])]])
    emp = X.T @ X / P
    se = np.sqrt((C**2 + np.outer(np.diag(C), np.diag(C))) / P)  # Wishart entry std
    z = np.abs(emp - C) / se
    assert z.max() < 5.5 and z.mean() < 1.0
    if N > M:  # phi lies in the M-dimensional range of F
        assert np.linalg.matrix_rank(d["phi"], tol=1e-8 * np.abs(d["phi"]).max()) == M


# ----------------------------------------------------------------------------- GD, in distribution
def test_gd_mean_matches_independent_numpy_pipeline():
    """Same distribution as drawing F and Psi explicitly with numpy (a different RNG)."""
    p = sl.Problem.bordelon(1.5, 1.25, 120, 16, sigma=0.1)
    P, steps, runs = 24, [1, 10, 100], 300
    r = sl.simulate_gd(p, P, lr=0.5, steps=steps, seeds=runs, seed=1000)
    rng = np.random.default_rng(2024)
    ref = np.array([oracle.gd_explicit(p, P, 0.5, steps, rng)["test"] for _ in range(runs)])
    ref_tr = np.array([oracle.gd_explicit(p, P, 0.5, steps, rng)["train"] for _ in range(runs)])
    se = np.sqrt(r.test_loss_sem**2 + ref.std(0, ddof=1) ** 2 / runs)
    assert np.all(np.abs(r.test_loss - ref.mean(0)) < 3 * se)
    se_tr = np.sqrt(r.train_loss_sem**2 + ref_tr.std(0, ddof=1) ** 2 / runs)
    assert np.all(np.abs(r.train_loss - ref_tr.mean(0)) < 3 * se_tr)


def test_infinite_width_and_data_limit_is_eq125():
    """N = P -> inf: test loss -> sum_k lam_k w*_k^2 exp(-2 lam_k t) (eq. 125), with corrections
    of order 1/N: the bias is resolved at N = P = 256, shrinks at least 2x by N = P = 1024, and the
    first-order extrapolation (4 L(1024) - L(256)) / 3 lands within 3 standard errors + 3%
    (allowance for the 1/N^2 term) of eq. 125."""
    p = sl.Problem.bordelon(1.5, 1.25, 64)
    times = np.array([0.5, 2.0, 8.0, 32.0])
    limit = p.infinite_limit_loss(times)
    r1 = sl.simulate_gd(p.replace(N=256), 256, times=times, flow=True, seeds=32, seed=77)
    r2 = sl.simulate_gd(p.replace(N=1024), 1024, times=times, flow=True, seeds=16, seed=177)
    bias1 = r1.test_loss / limit - 1
    bias2 = r2.test_loss / limit - 1
    se1, se2 = r1.test_loss_sem / limit, r2.test_loss_sem / limit
    assert bias1[-1] > 5 * se1[-1]  # the finite-size bias is resolved at N = P = 256 ...
    assert np.all(np.abs(bias2) < np.abs(bias1) / 2 + 3 * se2)  # ... and shrinks with N
    extrap = (4 * r2.test_loss - r1.test_loss) / 3
    se = np.sqrt(16 * r2.test_loss_sem**2 + r1.test_loss_sem**2) / 3
    assert np.all(np.abs(extrap - limit) < 3 * se + 0.03 * limit), (extrap / limit - 1, se / limit)
    assert np.all(se / limit < 0.04)  # the check has teeth


# ----------------------------------------------------------------------------- SGD
def test_sgd_mean_matches_plain_stepping_oracle_same_projection():
    p = sl.Problem.paquette(1.0, 0.7, 60, 15, sigma=0.05)
    batch, lr, steps = 2, 0.4, 200
    d = _core.simulate.draw_problem(_spec(p, 15, 0.0), 0, 1, 5, 0, explicit_matrices=True)
    cps = [0, 1, 3, 10, 30, 100, 200]
    r = sl.simulate_sgd(p, lr, steps, batch=batch, times=cps, seeds=2000, seed=1, projection_seed=5)
    idx = np.searchsorted(r.steps, cps)
    rng = np.random.default_rng(99)
    runs = 400
    ref = np.array([oracle.sgd_stepping(p, lr, cps, batch, rng, F=d["F"]) for _ in range(runs)])
    diff = np.abs(r.test_loss[idx] - ref.mean(0))
    se = np.sqrt(r.test_loss_sem[idx] ** 2 + ref.std(0, ddof=1) ** 2 / runs)
    assert diff[0] < 1e-12  # both start at the same W's initial loss
    assert np.all(diff[1:] < 3 * se[1:])


def test_sgd_mean_matches_oracle_over_projections_batch_mean_convention():
    p = sl.Problem.bordelon(1.5, 1.25, 80, 20)  # Bordelon family: batch-mean lr by default
    batch, lr, steps = 4, 0.5, 150
    cps = [0, 2, 10, 50, 150]
    r = sl.simulate_sgd(p, lr, steps, batch=batch, times=cps, seeds=2000, seed=3)
    assert r.params["lr_convention"] == "mean"
    idx = np.searchsorted(r.steps, cps)
    rng = np.random.default_rng(7)
    runs = 400
    ref = np.array(
        [oracle.sgd_stepping(p, lr, cps, batch, rng, batch_mean=True) for _ in range(runs)]
    )
    se = np.sqrt(r.test_loss_sem[idx] ** 2 + ref.std(0, ddof=1) ** 2 / runs)
    assert np.all(np.abs(r.test_loss[idx] - ref.mean(0)) < 3 * se + 1e-12)


def test_sgd_setup_is_the_exact_decomposition():
    p = sl.Problem.paquette(1.0, 0.7, 200, 30)
    s, e0, p_inf = _core.simulate.sgd_setup(_spec(p, 30), 4, 0)
    d = _core.simulate.draw_problem(_spec(p, 30, 0.0), 0, 1, 4, 0, explicit_matrices=True)
    theta_star = np.linalg.solve(d["sigma"], d["q"])
    best = np.sum(p.lam * (p.wstar - d["F"].T @ theta_star) ** 2)
    assert p_inf == pytest.approx(best, rel=1e-8)
    assert p_inf + s @ e0**2 == pytest.approx(p.initial_loss, rel=1e-12)
    np.testing.assert_allclose(np.sort(s), np.linalg.eigvalsh(d["sigma"]), rtol=1e-10, atol=1e-15)


def test_sgd_stability_bound_is_sharp():
    p = sl.Problem.paquette(1.0, 0.7, 400, 50)
    bound = sl.sgd_stability_bound(p, batch=1, seed=0)
    s, _, _ = _core.simulate.sgd_setup(_spec(p, 50), 0, 0)
    kernel_norm = np.sum(bound * s / (2 - 2 * bound * s))
    assert kernel_norm == pytest.approx(1.0, rel=1e-9)
    sl.simulate_sgd(p, 0.95 * bound, 100, seed=0)
    with pytest.raises(ValueError, match=r"only for lr < "):
        sl.simulate_sgd(p, 1.01 * bound, 100, seed=0)


# ----------------------------------------------------------------------------- bad input
def test_unstable_gd_learning_rate_states_the_bound():
    p = sl.Problem.bordelon(1.5, 1.25, 200, 20)
    with pytest.raises(ValueError, match=r"lr < 2 / lambda_max\(Phi\^T Phi / P\) = [0-9.]+"):
        sl.simulate_gd(p, 40, lr=10.0, times=[1.0])


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(P=0, lr=0.5, times=[1]), ValueError, "P must be >= 1"),
        (dict(P=10, lr=-0.5, times=[1]), ValueError, "lr must be > 0"),
        (dict(P=10, lr=float("nan"), times=[1]), ValueError, "lr must be a finite number"),
        (dict(P=10, times=[1]), ValueError, "lr is required"),
        (dict(P=10, lr=0.5, times=[-1.0]), ValueError, "times must be finite and >= 0"),
        (dict(P=10, lr=0.5, times=[1], seeds=0), ValueError, "seeds must be >= 1"),
        (dict(P=10, lr=0.5, times=[1], steps=[1]), ValueError, "exactly one of"),
        (dict(P=10, lr=0.5, times=[1], ensemble=0), ValueError, "ensemble must be >= 1"),
        (dict(P=10, lr=0.5, times=[1], bags=0), ValueError, "bags must be >= 1"),
        (dict(P=10, lr=0.5, times=[1], bags=1.5), ValueError, "bags must be an integer"),
    ],
)
def test_gd_validation(kwargs, exc, match):
    p = sl.Problem.bordelon(1.5, 1.25, 50, 10)
    with pytest.raises(exc, match=match):
        sl.simulate_gd(p, **kwargs)


def test_missing_model_size_and_memory_refusal():
    with pytest.raises(ValueError, match="no model size"):
        sl.simulate_gd(sl.Problem.bordelon(1.5, 1.25, 50), 10, lr=0.5, times=[1])
    big = sl.Problem.bordelon(1.5, 1.25, 1000, 200_000)
    with pytest.raises(MemoryError, match=r"needs about [0-9.]+ GiB"):
        sl.simulate_gd(big, 200_000, lr=0.5, times=[1])


def test_sgd_validation():
    p = sl.Problem.paquette(1.0, 0.7, 50, 10)
    with pytest.raises(ValueError, match="batch must be >= 1"):
        sl.simulate_sgd(p, 0.1, 10, batch=0)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        sl.simulate_sgd(p, 0.1, 0)
    with pytest.raises(ValueError, match="whole numbers in"):
        sl.simulate_sgd(p, 0.1, 10, times=[20])
    with pytest.raises(ValueError, match="lr_convention"):
        sl.simulate_sgd(p, 0.1, 10, lr_convention="median")


def test_result_summary_json_ready():
    p = sl.Problem.bordelon(1.5, 1.25, 50, 10)
    r = sl.simulate_gd(p, 10, lr=0.5, times=[0, 1], seeds=1)
    d = r.to_dict()
    assert d["test_loss_sem"] == [None, None]  # undefined with one run: null, never NaN
    assert d["test_loss"][0] == pytest.approx(p.initial_loss)
    assert "t=" in repr(r)


# ----------------------------------------------------------------------------- heavy-ball momentum
@pytest.mark.parametrize(
    "N, P, sigma, mu", [(30, 80, 0.0, 0.5), (80, 30, 0.2, 0.9), (50, 50, 0.0, 0.9)]
)
def test_heavy_ball_gd_equals_stepping_oracle(N, P, sigma, mu):
    """Exact heavy-ball (3x3 recurrence power) vs plain stepping on the same draw, 1e-8."""
    p = sl.Problem.bordelon(1.5, 1.25, 400, N, sigma=sigma)
    steps = [0, 1, 2, 7, 50, 300, 2000]
    r = sl.simulate_gd(p, P, lr=0.5, steps=steps, seed=3, momentum=mu)
    d = _draw(p, P, 3)
    o = oracle.heavy_ball_stepping(d["phi"], d["y"], d["sigma"], d["q"], d["c0"], 0.5, mu, steps)
    np.testing.assert_allclose(r.test_loss_runs[0], o["test"], rtol=1e-8)
    np.testing.assert_allclose(r.train_loss_runs[0], o["train"], rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(r.times, 0.5 * np.array(steps))
    assert r.params["momentum"] == mu


def test_heavy_ball_near_the_stability_edge_is_exact():
    """lr g close to 2 (1 + mu) for the top mode (oscillating, slowly decaying): still exact."""
    p = sl.Problem.bordelon(1.5, 1.0, 300, 40)
    d = _draw(p, 100, 9)
    gmax = np.linalg.eigvalsh(d["phi"].T @ d["phi"] / 100).max()
    mu = 0.5
    lr = 0.95 * 2 * (1 + mu) / gmax
    steps = [1, 5, 40, 400]
    r = sl.simulate_gd(p, 100, lr=lr, steps=steps, seed=9, momentum=mu)
    o = oracle.heavy_ball_stepping(d["phi"], d["y"], d["sigma"], d["q"], d["c0"], lr, mu, steps)
    np.testing.assert_allclose(r.test_loss_runs[0], o["test"], rtol=1e-8)
    with pytest.raises(ValueError, match=r"2 \(1 \+ momentum\)"):
        sl.simulate_gd(p, 100, lr=1.01 * 2 * (1 + mu) / gmax, steps=steps, seed=9, momentum=mu)


def test_heavy_ball_gain_closed_forms():
    # g = 0: gamma(n) = lr sum_{m<n} (1 - mu^(m+1))/(1 - mu)
    lr, mu = 0.3, 0.7
    for n in (0, 1, 5, 64):
        ref = lr * sum((1 - mu ** (m + 1)) / (1 - mu) for m in range(n))
        assert _core.simulate.heavy_ball_gain(0.0, n, lr, mu) == pytest.approx(
            ref, rel=1e-13, abs=1e-300
        )
    # mu = 0 reduces to plain GD (1 - (1 - lr g)^n)/g; converged: 1/g
    assert _core.simulate.heavy_ball_gain(2.0, 7, 0.3, 0.0) == pytest.approx(
        (1 - 0.4**7) / 2.0, rel=1e-13
    )
    assert _core.simulate.heavy_ball_gain(2.0, 10**12, 0.3, 0.9) == pytest.approx(0.5, rel=1e-10)


def test_heavy_ball_zero_momentum_is_bitwise_plain_gd_and_reproducible():
    p = sl.Problem.bordelon(1.5, 1.25, 1024, 64)
    kw = dict(lr=0.5, steps=[1, 10, 100, 1000], seeds=3, seed=4)
    a = sl.simulate_gd(p, 128, **kw)
    b = sl.simulate_gd(p, 128, momentum=0.0, **kw)
    np.testing.assert_array_equal(a.test_loss_runs, b.test_loss_runs)
    np.testing.assert_array_equal(a.train_loss_runs, b.train_loss_runs)
    c = sl.simulate_gd(p, 128, momentum=0.5, threads=1, **kw)
    e = sl.simulate_gd(p, 128, momentum=0.5, threads=2, **kw)
    f = sl.simulate_gd(p, 128, lr=0.5, steps=[1, 10, 100, 1000], seed=6, momentum=0.5)
    np.testing.assert_array_equal(c.test_loss_runs, e.test_loss_runs)
    np.testing.assert_array_equal(c.test_loss_runs[2], f.test_loss_runs[0])
    assert np.all(
        c.test_loss_runs[:, 1] < a.test_loss_runs[:, 1]
    )  # faster at step 10 (step 1: same)


def test_heavy_ball_validation():
    p = sl.Problem.bordelon(1.5, 1.25, 200, 20)
    for bad in (1.0, -0.2, float("nan"), "x"):
        with pytest.raises((ValueError, TypeError), match="momentum"):
            sl.simulate_gd(p, 40, lr=0.5, steps=[1], momentum=bad)
    with pytest.raises(ValueError, match="momentum"):
        sl.simulate_gd(p, 40, times=[1.0], flow=True, momentum=-0.5)


@pytest.mark.parametrize("beta", [0.05, 2.0])  # over- and under-damped top modes
def test_continuous_momentum_flow_equals_block_matrix_exponential(beta):
    """beta w'' + w' = (1/P) Phi^T (y - Phi w), w(0) = w'(0) = 0: per-eigenvalue 3x3 expm vs
    scipy expm of the (2N+1)-dimensional first-order system on the same draw, 1e-9."""
    p = sl.Problem.bordelon(1.5, 1.25, 300, 30, sigma=0.1)
    P = 60
    times = [0.0, 0.3, 4.0, 50.0, 700.0]
    r = sl.simulate_gd(p, P, flow=True, times=times, seed=2, momentum=beta)
    d = _draw(p, P, 2)
    N = p.N
    G = d["phi"].T @ d["phi"] / P
    h = d["phi"].T @ d["y"] / P
    A = np.zeros((2 * N + 1, 2 * N + 1))
    A[:N, N : 2 * N] = np.eye(N)
    A[N : 2 * N, :N] = -G / beta
    A[N : 2 * N, N : 2 * N] = -np.eye(N) / beta
    A[N : 2 * N, 2 * N] = h / beta
    x0 = np.zeros(2 * N + 1)
    x0[-1] = 1.0
    for i, t in enumerate(times):
        w = (scipy.linalg.expm(A * t) @ x0)[:N]
        test = d["c0"] - 2 * w @ d["q"] + w @ d["sigma"] @ w
        train = np.mean((d["y"] - d["phi"] @ w) ** 2)
        assert r.test_loss_runs[0, i] == pytest.approx(test, rel=1e-9)
        assert r.train_loss_runs[0, i] == pytest.approx(train, rel=1e-9)
    # momentum = 0 is plain flow, bitwise
    a = sl.simulate_gd(p, P, flow=True, times=times, seed=2)
    b = sl.simulate_gd(p, P, flow=True, times=times, seed=2, momentum=0.0)
    np.testing.assert_array_equal(a.test_loss_runs, b.test_loss_runs)
    assert _core.simulate.continuous_momentum_gain(0.0, 3.0, 0.5) == pytest.approx(
        3.0 - 0.5 * (1 - math.exp(-6.0)), rel=1e-13
    )  # g = 0: t - beta (1 - e^{-t/beta})


def test_continuous_momentum_gain_all_damping_regimes():
    """The per-eigenvalue gain of continuous momentum (beta c'' + c' = 1 - g c) against scipy's
    expm of the 3x3 system over over-, critically and under-damped cases (1e-10), and the
    beta -> 0 limit (plain flow, (1 - e^{-g t})/g) down to beta = 5e-324 without overflow."""
    from scalinglaws import _core
    from scipy.linalg import expm

    worst = 0.0
    for g in (0.0, 1e-8, 1e-3, 0.1, 1.0, 3.0):
        for beta in (1e-3, 0.01, 0.1, 0.2, 0.5, 2.0):
            for t in (1e-3, 0.5, 3.0, 30.0, 300.0):
                if t / beta > 1e4:
                    continue
                A = np.array([[0, 1, 0], [-g / beta, -1 / beta, 1 / beta], [0, 0, 0.0]])
                ref = expm(A * t)[0, 2]
                worst = max(
                    worst, abs(_core.simulate.continuous_momentum_gain(g, t, beta) / ref - 1)
                )
    assert worst < 1e-10
    flow = -np.expm1(-1e-3 * 100) / 1e-3
    for beta in (1e-12, 1e-300, 5e-324):
        assert _core.simulate.continuous_momentum_gain(1e-3, 100.0, beta) == pytest.approx(
            flow, rel=1e-12
        )


def test_simulation_metadata_of_both_simulators():
    """LossCurve.params of simulate_gd and simulate_sgd: the problem's parameters, N, the run's
    own parameters, the bound schedule, sigma, M, the measured Gram edge (GD) and the fixed
    projection seed, each with the value given."""
    p = sl.Problem.bordelon(a=1.5, b=1.25, M=60, N=12, sigma=0.1)
    gd = sl.simulate_gd(p, 20, lr=0.4, steps=[0, 5], seeds=2, projection_seed=7, schedule="cosine")
    sgd = sl.simulate_sgd(p, 0.2, 10, batch=2, seeds=2, projection_seed=7, n_checkpoints=2)
    for r in (gd, sgd):
        assert {k: r.params[k] for k in p.params} == p.params
        assert (r.params["N"], r.params["sigma"], r.params["M"]) == (12, 0.1, 60)
        assert r.params["projection_seed"] == 7
    assert (gd.params["P"], gd.params["lr"], gd.params["bags"]) == (20, 0.4, 1)
    assert gd.params["schedule"].startswith("cosine") and "schedule" not in sgd.params
    assert np.all(np.asarray(gd.params["max_gram_eigenvalue"]) > 0)
    assert (sgd.params["batch"], sgd.params["steps"], sgd.params["lr_convention"]) == (
        2,
        10,
        "mean",
    )
