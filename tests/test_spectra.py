"""Kernels, spectra, exponent fits and predictions (issue 6). Tolerances are stated per test."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scalinglaws import spectra as sp
from scalinglaws.cli import main
from scalinglaws.errors import ParameterError


# ----------------------------------------------------------------------------- numpy references
def ref_sqdist(X, Z):
    return np.sum((X[:, None, :] - Z[None, :, :]) ** 2, axis=-1)


def ref_relu_kernels(X, Z, depth, sw2=2.0, sb2=0.0, same=False):
    """Straightforward numpy arc-cosine recursion: returns (NNGP, NTK). With ``same`` (Z is X)
    the diagonal correlation is set to exactly 1: arccos of a rounded 1 - 1e-16 is 1.5e-8, an
    error of 1e-8 in the NTK diagonal that the C++ code avoids."""
    d = X.shape[1]
    s = sw2 * (X @ Z.T) / d + sb2
    sx = sw2 * np.sum(X**2, 1) / d + sb2
    sz = sw2 * np.sum(Z**2, 1) / d + sb2
    theta = s.copy()
    for _ in range(depth):
        r = np.sqrt(np.outer(sx, sz))
        rho = np.clip(s / r, -1.0, 1.0)
        if same:
            np.fill_diagonal(rho, 1.0)
        t = np.arccos(rho)
        e = r * (np.sin(t) + (np.pi - t) * np.cos(t)) / (2 * np.pi)
        s_new = sw2 * e + sb2
        theta = theta * sw2 * (np.pi - t) / (2 * np.pi) + s_new
        s = s_new
        sx = sw2 * sx / 2 + sb2
        sz = sw2 * sz / 2 + sb2
    return s, theta


@pytest.fixture(scope="module")
def pts():
    rng = np.random.default_rng(0)
    return rng.standard_normal((200, 7)), rng.standard_normal((37, 7))


# ----------------------------------------------------------------------------- kernels
@pytest.mark.parametrize("kernel", ["rbf", "laplace"])
@pytest.mark.parametrize("cross", [False, True])
def test_distance_kernels_match_numpy(pts, kernel, cross):
    """|K_C++ - K_numpy| <= 1e-12 (entries in [0, 1])."""
    X, Z = pts
    Zr = Z if cross else X
    h = 2.3
    K = sp.kernel_matrix(X, Z if cross else None, kernel=kernel, bandwidth=h)
    D2 = ref_sqdist(X, Zr)
    ref = np.exp(-D2 / (2 * h * h)) if kernel == "rbf" else np.exp(-np.sqrt(D2) / h)
    assert K.shape == ref.shape
    assert np.max(np.abs(K - ref)) <= 1e-12


@pytest.mark.parametrize("kernel", ["nngp", "ntk"])
@pytest.mark.parametrize("depth,sb2", [(1, 0.0), (2, 0.0), (3, 0.5), (5, 0.1)])
@pytest.mark.parametrize("cross", [False, True])
def test_relu_kernels_match_numpy(pts, kernel, depth, sb2, cross):
    """Relative difference to the numpy recursion <= 1e-12 (entries O(1))."""
    X, Z = pts
    Zr = Z if cross else X
    K = sp.kernel_matrix(X, Z if cross else None, kernel=kernel, depth=depth, bias_variance=sb2)
    nngp, ntk = ref_relu_kernels(X, Zr, depth, sb2=sb2, same=not cross)
    ref = ntk if kernel == "ntk" else nngp
    assert np.max(np.abs(K - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_close_and_duplicate_points_laplace():
    """Near-duplicate points (distance 1e-7 of the norm) are recomputed directly: Laplace kernel
    within 1e-12 of the direct-distance numpy value; duplicates give exactly 1."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 16)) * 10
    X = np.vstack([X, X[:5], X[:5] + 1e-6 * rng.standard_normal((5, 16))])
    K = sp.kernel_matrix(X, kernel="laplace", bandwidth=1.0)
    ref = np.exp(-np.sqrt(ref_sqdist(X, X)))
    assert np.max(np.abs(K - ref)) <= 1e-12
    assert np.all(K[np.arange(20, 25), np.arange(5)] == 1.0)


@pytest.mark.parametrize(
    "kernel,kw",
    [
        ("rbf", {}),
        ("laplace", {}),
        ("nngp", {"depth": 3}),
        ("ntk", {"depth": 3}),
        ("ntk", {"depth": 1}),
    ],
)
def test_kernels_symmetric_psd_and_thread_independent(kernel, kw):
    """Exactly symmetric; min eigenvalue >= -1e-12 max eigenvalue; bitwise equal for 1 and 2
    threads."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((300, 10))
    K1 = sp.kernel_matrix(X, kernel=kernel, threads=1, **kw)
    K2 = sp.kernel_matrix(X, kernel=kernel, threads=2, **kw)
    assert np.array_equal(K1, K2)
    assert np.array_equal(K1, K1.T)
    w = np.linalg.eigvalsh(K1)
    assert w[0] >= -1e-12 * w[-1]


def test_depth1_closed_forms():
    """Depth 1, sw2 = 2, sb2 = 0: NNGP = 2 k1(x, z) / d with the Cho & Saul arc-cosine kernel
    k1 = |x||z| (sin t + (pi - t) cos t) / pi, and NTK = NNGP + (2 x.z / d)(pi - t) / pi.
    In d = 2: orthogonal unit inputs give NNGP = 1/pi, NTK = 1/pi; x = z = 3 e1 gives
    NNGP = 2|x|^2/d = 9, NTK = 18; opposite inputs give 0 and 0; 60 degrees checked against the
    formula. Tolerance 1e-14."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [3.0, 0.0], [-1.0, 0.0], [0.5, math.sqrt(3) / 2]])
    nngp = sp.kernel_matrix(X, kernel="nngp", depth=1)
    ntk = sp.kernel_matrix(X, kernel="ntk", depth=1)
    assert nngp[0, 1] == pytest.approx(1 / math.pi, abs=1e-14)
    assert ntk[0, 1] == pytest.approx(1 / math.pi, abs=1e-14)
    assert nngp[2, 2] == pytest.approx(9.0, abs=1e-14)
    assert ntk[2, 2] == pytest.approx(18.0, abs=1e-14)
    assert nngp[0, 3] == pytest.approx(0.0, abs=1e-14)
    assert ntk[0, 3] == pytest.approx(0.0, abs=1e-14)
    t = math.pi / 3
    k1 = (math.sin(t) + (math.pi - t) * math.cos(t)) / math.pi
    assert nngp[0, 4] == pytest.approx(2 * k1 / 2, abs=1e-14)
    assert ntk[0, 4] == pytest.approx(k1 + math.cos(t) * (math.pi - t) / math.pi, abs=1e-14)
    assert nngp[2, 4] == pytest.approx(3 * k1, abs=1e-14)


def _mc_relu_net(X, width, depth, rng, sb2=0.0):
    """Empirical NNGP (last hidden layer features) and NTK (sum over all parameters of gradient
    products) of one random ReLU network in NTK parameterisation with sw2 = 2."""
    sw = math.sqrt(2.0)
    sb = math.sqrt(sb2)
    n, d = X.shape
    h = [X]
    pre = []
    fan_in = d
    Ws = []
    for _ in range(depth):
        W = rng.standard_normal((fan_in, width))
        b = rng.standard_normal(width)
        z = sw * h[-1] @ W / math.sqrt(fan_in) + sb * b
        Ws.append(W)
        pre.append(z)
        h.append(np.maximum(z, 0.0))
        fan_in = width
    v = rng.standard_normal(width)
    feats = h[-1]
    nngp = (sw**2) * feats @ feats.T / width + sb2
    ntk = nngp.copy()  # readout weights and bias
    # backprop: g = d f / d z_l (n x width)
    g = (sw / math.sqrt(width)) * v[None, :] * (pre[-1] > 0)
    for layer in range(depth - 1, -1, -1):
        inp = h[layer]
        fi = inp.shape[1]
        ntk += (g @ g.T) * ((sw**2) * (inp @ inp.T) / fi + sb2)
        if layer > 0:
            g = (g @ Ws[layer].T) * (sw / math.sqrt(fi)) * (pre[layer - 1] > 0)
    return nngp, ntk


@pytest.mark.parametrize("depth,sb2", [(1, 0.0), (2, 0.3)])
def test_relu_kernels_match_wide_network_monte_carlo(depth, sb2):
    """Empirical NNGP / NTK of one random ReLU network of width 20000 (depth 1) / 4000 (depth 2),
    averaged over 3 networks: within 4 % (depth 1) / 8 % (depth 2) of max |K| (Monte-Carlo error
    ~ 1/sqrt(width))."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 5))
    width = 20000 if depth == 1 else 4000
    nn = np.zeros((6, 6))
    nt = np.zeros((6, 6))
    for _ in range(3):
        a, b = _mc_relu_net(X, width, depth, rng, sb2)
        nn += a / 3
        nt += b / 3
    K_nngp = sp.kernel_matrix(X, kernel="nngp", depth=depth, bias_variance=sb2)
    K_ntk = sp.kernel_matrix(X, kernel="ntk", depth=depth, bias_variance=sb2)
    tol = 0.04 if depth == 1 else 0.08
    assert np.max(np.abs(nn - K_nngp)) <= tol * np.max(np.abs(K_nngp))
    assert np.max(np.abs(nt - K_ntk)) <= tol * np.max(np.abs(K_ntk))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kernel": "poly"}, "kernel must be one of"),
        ({"kernel": "ntk", "depth": 0}, "depth must be >= 1"),
        ({"kernel": "rbf", "bandwidth": -1.0}, "bandwidth must be > 0"),
        ({"kernel": "ntk", "bias_variance": -0.1}, "bias_variance must be >= 0"),
        ({"kernel": "nngp", "weight_variance": 0.0}, "weight_variance must be > 0"),
        ({"kernel": "ntk", "threads": 0}, "threads must be >= 1"),
    ],
)
def test_kernel_validation_names_parameter(kwargs, match):
    X = np.ones((4, 3))
    with pytest.raises(ValueError, match=match):
        sp.kernel_matrix(X, **kwargs)


def test_kernel_input_validation():
    with pytest.raises(ValueError, match="X must contain only finite"):
        sp.kernel_matrix(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        sp.kernel_matrix(np.ones(5))
    with pytest.raises(ValueError, match="Z must have the same number of columns"):
        sp.kernel_matrix(np.ones((4, 3)), np.ones((2, 4)))
    with pytest.raises(MemoryError, match="kernel matrix needs"):
        sp.kernel_matrix(np.ones((1000, 3)), max_memory=1e6)


@pytest.mark.parametrize("kernel", ["rbf", "laplace", "ntk", "nngp"])
@pytest.mark.parametrize("cross", [False, True])
def test_kernel_overflow_is_refused_with_the_feature_scale(kernel, cross):
    """Finite but huge features overflow every kernel (inf - inf in the distances of two huge
    points, inf in the arc-cosine recursion): refused with the feature scale, never a matrix
    with NaN or inf (the core checks each column as it fills it)."""
    X = np.array([[1e200, 0.0], [1e200, 1.0], [0.0, 1e-3], [2.0, 1.0]])
    Z = X[::-1].copy() if cross else None
    match = rf"the {kernel} kernel .* not finite .*\|X\| = 1e\+200"
    with pytest.raises(ParameterError, match=match):
        sp.kernel_matrix(X, Z, kernel=kernel, bandwidth=1.0)
    K = sp.kernel_matrix(X[2:], None if Z is None else Z[:2], kernel=kernel, bandwidth=1.0)
    assert np.isfinite(K).all()


# ----------------------------------------------------------------------------- spectra
def test_power_normalisation_and_feature_path():
    """sum_k power_k = mean(|y|^2) to 1e-12 (full Gram, 3 outputs); the feature-matrix path gives
    the same eigenvalues and powers (relative 1e-9 on the top 20 modes), and its residual power
    is the part of y outside the feature span."""
    rng = np.random.default_rng(4)
    Phi = rng.standard_normal((150, 40)) * np.arange(1, 41) ** -0.8
    y = rng.standard_normal((150, 3))
    K = Phi @ Phi.T
    lam, pw, ms = sp.kernel_spectrum(K, y)
    assert ms == pytest.approx(np.mean(np.sum(y**2, 1)), rel=1e-14)
    assert np.sum(pw) == pytest.approx(ms, rel=1e-12)
    assert np.all(np.diff(lam) <= 1e-12)
    lam_f, pw_f, ms_f = sp.kernel_spectrum(features=Phi, y=y)
    assert lam_f.size == 40
    np.testing.assert_allclose(lam_f[:20], lam[:20], rtol=1e-9)
    np.testing.assert_allclose(pw_f[:20], pw[:20], rtol=1e-9)
    s = sp.analyze_spectrum(features=Phi, y=y, b_range=(2, 30), a_range=(2, 30), n_boot=0)
    assert s.residual_power == pytest.approx(ms - np.sum(pw[:40]), rel=1e-8)
    np.testing.assert_allclose(s.tail + s.cumulative_power, 1.0, atol=1e-12)


def test_fit_recovers_exact_power_law():
    """On exact power laws the fit is exact (1e-10) and the interval collapses onto it."""
    k = np.arange(1, 2001.0)
    f = sp.fit_power_law(3.0 * k**-1.7, (4, 500), n_boot=50)
    assert f.exponent == pytest.approx(1.7, abs=1e-10)
    assert f.interval[0] == pytest.approx(1.7, abs=1e-10)
    assert f.interval[1] == pytest.approx(1.7, abs=1e-10)
    assert f.log_prefactor == pytest.approx(math.log(3.0), abs=1e-9)


def _synthetic_gram(a, b, n, M, seed):
    rng = np.random.default_rng(seed)
    k = np.arange(1, M + 1.0)
    lam = k**-b
    wstar = k ** ((b - a) / 2)
    Psi = rng.standard_normal((n, M)) * np.sqrt(lam)
    return Psi @ Psi.T, Psi @ wstar


# slow (30-90 s: n = 4000 eigendecomposition and 100 bootstrap fits); the default run keeps
# test_synthetic_recovery_small_n_with_given_ranges
@pytest.mark.slow
@pytest.mark.parametrize("a,b", [(1.5, 1.25), (2.0, 1.5)])
def test_synthetic_recovery_n4000(a, b):
    """Gaussian features psi_k ~ N(0, k^-b) (M = 8000 modes), target y = w*.psi with power
    lambda_k w*_k^2 = k^-a, n = 4000 points, linear kernel K = Psi Psi^T, default fit range:
    |b_fit - b| <= 0.05 and |a_fit - a| <= 0.05 (measured: b 1.224, a 1.512 for (1.5, 1.25);
    b 1.490, a 1.990 for (2, 1.5))."""
    K, y = _synthetic_gram(a, b, 4000, 8000, seed=1)
    s = sp.analyze_spectrum(K, y, n_boot=100)
    assert abs(s.b - b) <= 0.05, (s.b, s.b_interval)
    assert abs(s.a - a) <= 0.05, (s.a, s.a_interval)
    assert s.b_interval[0] <= s.b <= s.b_interval[1]
    assert s.a_interval[0] <= s.a <= s.a_interval[1]
    assert np.sum(s.power) == pytest.approx(s.mean_square, rel=1e-10)


def test_synthetic_recovery_small_n_with_given_ranges():
    """Cheaper version (n = 1000, M = 3000, a = 2, b = 1.5, fit range 3..60): within 0.08."""
    K, y = _synthetic_gram(2.0, 1.5, 1000, 3000, seed=5)
    s = sp.analyze_spectrum(K, y, b_range=(3, 60), a_range=(3, 60), n_boot=50)
    assert abs(s.b - 1.5) <= 0.08 and abs(s.a - 2.0) <= 0.08, (s.b, s.a)


@pytest.mark.parametrize(
    "a,b,loss,t,N",
    [
        (2, 1, 0.5, 0.5, 0.5),
        (2, 1.5, 0.4, 0.6, 0.4),
        (2, 2, 1 / 3, 2 / 3, 1 / 3),
        (1.5, 1.25, 0.2222, 0.5556, 0.4444),
        (1.15, 2.0, 0.05, 2 / 3, 1 / 3),
    ],
)
def test_scaling_exponents_table(a, b, loss, t, N):
    """dmft.md section 4 table, to 1e-4."""
    e = sp.scaling_exponents(a, b)
    assert e["compute"]["loss"] == pytest.approx(loss, abs=1e-4)
    assert e["compute"]["t"] == pytest.approx(t, abs=1e-4)
    assert e["compute"]["N"] == pytest.approx(N, abs=1e-4)
    assert e["time"] == pytest.approx((a - 1) / b)
    assert e["model"] == e["data"] == pytest.approx(min(a - 1, 2 * b))


def test_scaling_exponents_validation():
    with pytest.raises(ValueError, match="a must be > 1"):
        sp.scaling_exponents(1.0, 1.0)
    with pytest.raises(ValueError, match="b must be > 0"):
        sp.scaling_exponents(1.5, 0.0)


def test_kernel_regression_theory_matches_ridgeless_regression():
    """Ridgeless regression on Gaussian features (M = 300 modes, lambda_k = k^-1.5, power k^-2),
    P = 40 and 120, mean test loss over 300 draws: within 5% of the kernel-regression limit,
    with the standard error of the mean <= 1/3 of it (measured +0.5% / +1.1% at 400 draws, SE
    1.1% / 0.7%)."""
    M = 300
    k = np.arange(1, M + 1.0)
    lam, pw = k**-1.5, k**-2.0
    wstar = np.sqrt(pw / lam)
    rng = np.random.default_rng(6)
    for P in (40, 120):
        losses = []
        for _ in range(300):
            Psi = rng.standard_normal((P, M)) * np.sqrt(lam)
            y = Psi @ wstar
            alpha = np.linalg.solve(Psi @ Psi.T, y)
            w = Psi.T @ alpha
            losses.append(np.sum(lam * (w - wstar) ** 2))
        theory = sp.kernel_regression_loss(lam, pw, P)
        sem = np.std(losses, ddof=1) / np.sqrt(len(losses))
        assert sem <= 0.05 / 3 * np.mean(losses)
        assert np.mean(losses) == pytest.approx(float(theory), rel=0.05)


def test_kernel_regression_validation():
    with pytest.raises(ValueError, match="P must be < 3"):
        sp.kernel_regression_loss([1.0, 0.5, 0.2], [1.0, 0.1, 0.1], 3)
    with pytest.raises(ValueError, match="eigenvalues must be strictly positive"):
        sp.kernel_regression_loss([1.0, 0.0], [1.0, 0.1], 1)


def test_problem_and_predicted_curves():
    """Problem.from_spectrum of the measured arrays carries the measured power per mode (1e-12);
    the time curve starts at 1 and decreases; the data curve (theory) decreases in P and agrees
    with simulate_gd (flow to t = 1e9, N = 2 x modes, 8 seeds) within 15 % at P = 30."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((200, 6))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2]
    K = sp.kernel_matrix(X, kernel="ntk", depth=2)
    s = sp.analyze_spectrum(K, y, b_range=(3, 40), a_range=(3, 40), n_boot=0)
    prob = s.problem()
    idx = s.positive_modes()
    np.testing.assert_allclose(prob.target_power, s.power[idx], rtol=1e-12)
    tc = s.predicted_time_curve([0.0, 1.0, 10.0, 100.0])
    assert tc[0] == pytest.approx(np.sum(s.power[idx]) / s.mean_square, rel=1e-12)
    assert np.all(np.diff(tc) < 0)
    dc = s.predicted_data_curve([10, 30, 100])
    assert np.all(np.diff(dc) < 0) and np.all(dc > 0)
    # simulate: only the top 60 modes so the simulation is cheap and converges by t = 1e9.
    # A plumbing check of method="simulate", not a resolution test: the simulated model has a
    # finite width N = 2 x modes (the theory curve is the N = inf kernel limit, so the finite-N
    # variance term is a real O(P/N) difference) and 8 seeds; hence 15%. The kernel-regression
    # theory itself is checked to 5% above and to 3% with ridge and noise in
    # tests/test_validation_gd.py.
    sim = s.predicted_data_curve([30], method="simulate", N=2 * idx.size, seeds=8, t=1e9)
    assert sim[0] == pytest.approx(dc[1], rel=0.15)


def test_analysis_validation():
    K = np.eye(50)
    with pytest.raises(ValueError, match="y must have one row per point"):
        sp.analyze_spectrum(K, np.ones(49))
    with pytest.raises(ValueError, match="K must be symmetric"):
        sp.analyze_spectrum(np.triu(np.ones((50, 50))), np.ones(50))
    with pytest.raises(ValueError, match="kmax >= kmin"):
        sp.analyze_spectrum(K + 0.0, np.arange(50.0), b_range=(4, 5))
    with pytest.raises(ValueError, match="give exactly one of K"):
        sp.kernel_spectrum(K, np.ones(50), features=np.ones((50, 2)))
    with pytest.raises(ValueError, match="y is identically zero"):
        sp.analyze_spectrum(K, np.zeros(50))
    with pytest.raises(ValueError, match="kernel must be one of"):
        sp.kernel_matrix(np.ones((3, 2)), kernel="NTK")


def test_plot(tmp_path):
    pytest.importorskip("matplotlib")
    K, y = _synthetic_gram(2.0, 1.5, 300, 600, seed=8)
    s = sp.analyze_spectrum(K, y, n_boot=10)
    path = tmp_path / "fit.png"
    s.plot(str(path))
    assert path.stat().st_size > 1000


# ----------------------------------------------------------------------------- CLI
def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_npz_points_json_contract(capsys, tmp_path):
    rng = np.random.default_rng(9)
    X = rng.standard_normal((400, 8))
    y = np.tanh(X[:, 0]) + X[:, 1] ** 2
    f = tmp_path / "d.npz"
    np.savez(f, X=X, y=y)
    code, out, _ = run(
        capsys, "spectrum", str(f), "--kernel", "ntk", "--depth", "2", "--json", "--bootstrap", "20"
    )
    assert code == 0
    d = json.loads(out)
    for key in ("a", "a_interval", "b", "b_interval", "exponents", "n", "kernel", "depth"):
        assert key in d
    assert d["n"] == 400 and d["kernel"] == "ntk" and d["depth"] == 2
    assert set(d["exponents"]) == {"time", "model", "data", "compute"}
    assert set(d["exponents"]["compute"]) == {"t", "N", "loss"}
    ref = sp.analyze_spectrum(sp.kernel_matrix(X, kernel="ntk", depth=2), y, n_boot=20)
    assert d["a"] == pytest.approx(ref.a, rel=1e-12)
    assert d["b"] == pytest.approx(ref.b, rel=1e-12)
    assert d["exponents"]["time"] == pytest.approx((ref.a - 1) / ref.b, rel=1e-12)


def test_cli_npz_gram_and_ranges(capsys, tmp_path):
    K, y = _synthetic_gram(2.0, 1.5, 300, 600, seed=10)
    f = tmp_path / "g.npz"
    np.savez(f, K=K, y=y)
    code, out, _ = run(
        capsys,
        "spectrum",
        str(f),
        "--b-range",
        "3,40",
        "--a-range",
        "3,30",
        "--json",
        "--bootstrap",
        "0",
    )
    assert code == 0
    d = json.loads(out)
    assert d["kernel"] == "given" and d["fit_b"]["k_range"] == [3, 40]
    assert d["fit_a"]["k_range"] == [3, 30]
    code, out, _ = run(capsys, "spectrum", str(f), "--bootstrap", "0")
    assert code == 0 and "compute-optimal" in out


@pytest.mark.parametrize(
    "content, extra, match",
    [
        ({"X": np.ones((10, 2))}, [], "must contain 'y'"),
        ({"X": np.ones((10, 2)), "K": np.eye(10), "y": np.ones(10)}, [], "exactly one of"),
        (
            {"X": np.random.default_rng(0).standard_normal((10, 2)), "y": np.ones(9)},
            [],
            "one row per point",
        ),
        ({"K": np.eye(40), "y": np.arange(40.0)}, ["--b-range", "4"], "--b-range must be"),
        (
            {"X": np.random.default_rng(0).standard_normal((40, 2)), "y": np.arange(40.0)},
            ["--depth", "0"],
            "depth must be >= 1",
        ),
    ],
)
def test_cli_errors_are_one_line(capsys, tmp_path, content, extra, match):
    f = tmp_path / "bad.npz"
    np.savez(f, **content)
    code, out, err = run(capsys, "spectrum", str(f), *extra)
    assert code == 2 and out == ""
    assert match in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_missing_file(capsys):
    code, out, err = run(capsys, "spectrum", "does-not-exist.npz")
    assert code == 2 and "no such file" in err


def test_cli_dataset_digits(capsys):
    pytest.importorskip("sklearn")
    code, out, _ = run(
        capsys,
        "spectrum",
        "--dataset",
        "digits",
        "--kernel",
        "ntk",
        "--depth",
        "2",
        "--json",
        "--max-n",
        "600",
        "--bootstrap",
        "20",
    )
    assert code == 0
    d = json.loads(out)
    assert d["n"] == 600 and d["source"] == "dataset:digits"
    assert 1.0 < d["a"] < 3.0 and 0.5 < d["b"] < 3.0


def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = sp.load_dataset("digits")
    assert X.shape == (1797, 64) and y.shape == (1797, 10)
    assert np.mean(np.sum(y**2, 1)) == pytest.approx(0.9)
    np.testing.assert_allclose(X.mean(0), 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="dataset must be one of"):
        sp.load_dataset("mnist")


def test_extended_arrays_follow_the_fits():
    """extended_arrays(M): measured modes up to kc, then lambda ~ k^-b and tail ~ k^-(a-1)
    exactly (1e-10), continuous at kc; total power = measured C(kc) + extension (1e-12)."""
    K, y = _synthetic_gram(2.0, 1.5, 400, 800, seed=11)
    s = sp.analyze_spectrum(K, y, b_range=(3, 30), a_range=(3, 20), n_boot=0)
    lam, pw = s.extended_arrays(5000)
    kc = 30
    assert lam.size == pw.size == 5000
    np.testing.assert_array_equal(lam[:kc], s.eigenvalues[:kc])
    k = np.arange(kc + 1, 5001.0)
    np.testing.assert_allclose(lam[kc:], s.eigenvalues[kc - 1] * (k / kc) ** -s.b, rtol=1e-10)
    T = s.tail[kc - 1] * (np.array([kc, 5000.0]) / kc) ** -(s.a - 1)
    assert np.sum(pw) / s.mean_square == pytest.approx(1.0 - T[1], rel=1e-12)
    curve = s.predicted_data_curve([20, 200, 2000], extend_to=5000)
    assert np.all(np.diff(curve) < 0)
    tc = s.predicted_time_curve([0.0, 10.0, 1e4], extend_to=5000)
    assert tc[0] == pytest.approx(1.0 - T[1], rel=1e-12) and np.all(np.diff(tc) < 0)
    assert tc[2] > s.predicted_time_curve([1e4])[0]  # the extension keeps unlearned power
    with pytest.raises(ValueError, match="M must be >= 31"):
        s.extended_arrays(10)


def test_missing_sklearn_gives_clear_error(monkeypatch, capsys):
    """Without scikit-learn the loader raises ImportError naming the optional dependency, and
    the CLI prints it as one line with exit status 2."""
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="needs scikit-learn"):
        sp.load_dataset("digits")
    code, out, err = run(capsys, "spectrum", "--dataset", "digits")
    assert code == 2 and "pip install scikit-learn" in err and err.count("\n") == 1
