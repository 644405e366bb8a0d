"""Property-based reliability tests of the public Python API (the contract of tests/_contract.py).

Each property draws valid-but-extreme and invalid arguments for one group of public functions and
asserts: finite results, or one of the library's documented errors with a one-line message, within
the per-call timeout. Budget: ``SCALINGLAWS_HYPOTHESIS_EXAMPLES`` examples per property (default
small for CI; a campaign sets it high). ``scalinglaws.fit`` is not covered here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scalinglaws as sl
from _contract import EXAMPLES, call
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scalinglaws import dmft, plrf, spectra

SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

JUNK = st.sampled_from(
    [
        None,
        "x",
        "1.5",
        "inf",
        [],
        [1.0],
        (),
        {},
        float("nan"),
        float("inf"),
        -float("inf"),
        -1,
        0,
        True,
        1e308,
        -1e308,
        1e-308,
        2**70,
        -(2**70),
        np.float64(np.nan),
        np.array([]),
        object(),
        1 + 2j,
    ]
)


def reals(lo: float, hi: float) -> st.SearchStrategy:
    """Mostly valid reals in [lo, hi], with boundary values and junk."""
    return st.one_of(
        st.floats(lo, hi), st.floats(lo, hi), st.floats(lo, hi), st.sampled_from([lo, hi]), JUNK
    )


def ints(lo: int, hi: int) -> st.SearchStrategy:
    return st.one_of(
        st.integers(lo, hi),
        st.integers(lo, hi),
        st.integers(lo, hi),
        st.sampled_from([lo, hi]),
        JUNK,
    )


def arrays(min_size: int = 0, max_size: int = 40, lo: float = -1e3, hi: float = 1e3):
    fl = st.floats(lo, hi)
    return st.one_of(
        st.lists(fl, min_size=min_size, max_size=max_size).map(np.asarray),
        st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=8).map(np.asarray),
        st.lists(fl, max_size=6),
        st.just(np.zeros((2, 3))),
        JUNK,
    )


def times():
    return st.one_of(
        st.lists(st.floats(0, 1e4), min_size=1, max_size=5),
        st.lists(st.sampled_from([0.0, 1e-300, 1e9, 1e30, 1e300, -1.0]), min_size=1, max_size=3),
        JUNK,
    )


@st.composite
def bordelon(draw, M_max: int = 600):
    a = draw(st.one_of(st.floats(0.5, 4.0), st.sampled_from([1.0, 1.0 + 1e-12, 50.0])))
    b = draw(st.one_of(st.floats(0.3, 3.0), st.sampled_from([1e-6, 1.0, 20.0])))
    M = draw(st.one_of(st.integers(1, M_max), st.sampled_from([1, 2, M_max])))
    N = draw(st.one_of(st.none(), st.integers(1, 300), st.sampled_from([1, 10**9])))
    sigma = draw(st.sampled_from([0.0, 0.0, 0.5, 1e6]))
    return call("Problem.bordelon", sl.Problem.bordelon, a, b, M, N, sigma=sigma)


@st.composite
def paquette(draw, v_max: int = 3000):
    alpha = draw(st.one_of(st.floats(0.3, 3.0), st.sampled_from([0.5, 0.5 + 1e-9, 0.75, 10.0])))
    beta = draw(st.one_of(st.floats(-0.5, 3.0), st.sampled_from([0.0, 0.5, 10.0])))
    v = draw(st.one_of(st.integers(1, v_max), st.sampled_from([math.inf, 10**6, 2])))
    d = draw(st.one_of(st.integers(1, 400), st.sampled_from([1, 2, 10**5])))
    return call("Problem.paquette", sl.Problem.paquette, alpha, beta, v, d)


def problems():
    return st.one_of(bordelon(), paquette(), JUNK)


# ------------------------------------------------------------------------ constructors, helpers
@SETTINGS
@given(
    a=reals(-2, 5),
    b=reals(-1, 5),
    M=st.one_of(ints(-3, 10**4), st.sampled_from([1e10, 1e300, "inf", math.inf])),
    N=st.one_of(st.none(), ints(-1, 10**4)),
    sigma=reals(0, 10),
    normalize=st.booleans(),
)
def test_problem_bordelon(a, b, M, N, sigma, normalize):
    p = call("Problem.bordelon", sl.Problem.bordelon, a, b, M, N, sigma=sigma, normalize=normalize)
    if p is not None and not p.infinite:
        call("Problem.lam", lambda: (p.lam, p.wstar, p.initial_loss, p.power_law))


@SETTINGS
@given(
    alpha=reals(-1, 4),
    beta=reals(-2, 4),
    v=st.one_of(ints(-3, 10**4), st.sampled_from([1e10, "inf", math.inf, "x"])),
    d=st.one_of(st.none(), ints(-1, 10**4)),
)
def test_problem_paquette(alpha, beta, v, d):
    p = call("Problem.paquette", sl.Problem.paquette, alpha, beta, v, d)
    if p is not None:
        call("Problem.initial_loss", lambda: p.initial_loss)


@SETTINGS
@given(lam=arrays(), wstar=arrays(), N=st.one_of(st.none(), ints(-1, 100)), sigma=reals(-1, 2))
def test_problem_from_spectrum(lam, wstar, N, sigma):
    call("Problem.from_spectrum", sl.Problem.from_spectrum, lam, wstar, N, sigma=sigma)


@SETTINGS
@given(
    steps=st.one_of(ints(-1, 10**15), st.sampled_from([1e16, 1e300, 2**64])),
    n=st.one_of(ints(-1, 10**6), st.sampled_from([1e9, 10**7])),
    zero=st.booleans(),
)
def test_log_spaced_steps(steps, n, zero):
    call("log_spaced_steps", sl.log_spaced_steps, steps, n, zero)


@SETTINGS
@given(
    a=st.one_of(reals(0.5, 5), st.sampled_from([1 + 1e-15, 1e308, 1 + 1e-300])),
    b=st.one_of(reals(-1, 5), st.sampled_from([1e-300, 1e-308, 1e308])),
)
def test_exponents(a, b):
    call("dmft.exponents", dmft.exponents, a, b)
    call("spectra.scaling_exponents", spectra.scaling_exponents, a, b)
    call("plrf.phase", plrf.phase, a, b)
    call("plrf.compute_optimal_exponents", plrf.compute_optimal_exponents, a, b)


# ------------------------------------------------------------------------------------- DMFT
@SETTINGS
@given(
    problem=st.one_of(bordelon(), JUNK),
    P=st.one_of(ints(1, 2000), st.just(math.inf)),
    t=times(),
    lr=st.one_of(st.none(), reals(1e-3, 4)),
    flow=st.booleans(),
    batch=st.one_of(st.none(), ints(1, 64)),
    momentum=st.one_of(st.none(), st.none(), reals(0, 0.99)),
    method=st.sampled_from(["auto", "auto", "contour", "recipe", "volterra", "x"]),
    N=st.one_of(st.none(), ints(1, 400), st.just(math.inf)),
    ens=st.sampled_from([1, 1, 2, math.inf]),
)
def test_dmft_loss_curve(problem, P, t, lr, flow, batch, momentum, method, N, ens):
    call(
        "dmft.loss_curve",
        dmft.loss_curve,
        problem,
        P,
        t,
        lr=lr,
        flow=flow,
        batch=batch,
        N=N,
        momentum=momentum,
        method=method,
        ensemble=ens,
        max_recipe_steps=300,
    )


@SETTINGS
@given(
    problem=st.one_of(bordelon(), JUNK),
    P=st.one_of(ints(1, 5000), st.just(math.inf)),
    N=st.one_of(st.none(), ints(1, 5000), st.just(math.inf)),
    t=times(),
    lr=st.one_of(st.none(), reals(1e-3, 3)),
    modes=st.one_of(st.lists(st.integers(-2, 700), max_size=4), JUNK),
    ens=st.sampled_from([1, 3, math.inf]),
    u=arrays(lo=-1, hi=10),
)
def test_dmft_other(problem, P, N, t, lr, modes, ens, u):
    call("dmft.final_losses", dmft.final_losses, problem, P, N=N, ensemble=ens, bags=ens)
    call("dmft.infinite_width_loss", dmft.infinite_width_loss, problem, t, lr=lr, flow=lr is None)
    call("dmft.early_time_transfer", dmft.early_time_transfer, problem, P, t, modes, N=N)
    call(
        "dmft.transfer_functions",
        dmft.transfer_functions,
        problem,
        P,
        t,
        modes,
        lr=lr,
        flow=lr is None,
        N=N,
        max_recipe_steps=200,
    )
    call("dmft.timescale_density", dmft.timescale_density, problem, P, u, modes, N=N)
    call("dmft.irreducible_bias", dmft.irreducible_bias, problem, P, t, lr=lr, flow=lr is None, N=N)
    call(
        "dmft.train_test_gap", dmft.train_test_gap, problem, P, t, lr=lr, N=N, max_recipe_steps=200
    )
    call(
        "dmft.responses",
        dmft.responses,
        problem,
        P,
        s=u if lr is None else None,
        z=None if lr is None else u,
        lr=lr,
        N=N,
    )


@SETTINGS
@given(
    problem=st.one_of(bordelon(M_max=400), JUNK),
    Ns=st.one_of(st.lists(st.integers(-1, 200), max_size=5), JUNK),
    t_max=reals(1, 1e6),
    n_times=ints(-1, 400),
    P=st.sampled_from([math.inf, 100, 1]),
)
def test_dmft_frontier(problem, Ns, t_max, n_times, P):
    call(
        "dmft.compute_optimal_frontier",
        dmft.compute_optimal_frontier,
        problem,
        Ns,
        P=P,
        t_max=t_max,
        n_times=n_times,
    )


# ------------------------------------------------------------------------------------- PLRF
@st.composite
def spectra_(draw):
    n = draw(st.integers(0, 30))
    eig = draw(st.one_of(arrays(n, n, 1e-12, 10.0), arrays(0, 5, -1, 1)))
    rho = draw(st.one_of(arrays(n, n, 0.0, 10.0), arrays()))
    limit = draw(reals(0, 10))
    return plrf.Spectrum(eig, rho, limit, 0.0, "fuzz")


@SETTINGS
@given(
    spec=spectra_(),
    lr=reals(1e-6, 2),
    steps=st.one_of(ints(-1, 10**6), st.just(10**15)),
    batch=ints(1, 100),
    conv=st.sampled_from(["sum", "mean", "x"]),
    r=st.one_of(arrays(0, 5, 0, 1e6), JUNK),
)
def test_plrf_spectrum_functions(spec, lr, steps, batch, conv, r):
    call("plrf.max_stable_lr", plrf.max_stable_lr, spec, batch, conv)
    call("plrf.kernel_norm", plrf.kernel_norm, spec, lr, batch, conv)
    call("plrf.forcing_kernel", plrf.forcing_kernel, spec, lr, r, batch=batch, lr_convention=conv)
    call("plrf.volterra_loss", plrf.volterra_loss, spec, lr, steps, batch=batch, lr_convention=conv)


@SETTINGS
@given(
    problem=st.one_of(paquette(), bordelon(), JUNK),
    lr=reals(1e-4, 3),
    steps=st.one_of(ints(1, 10**6), st.sampled_from([10**12, 0, -5])),
    batch=ints(1, 32),
    z=st.one_of(
        st.lists(st.complex_numbers(max_magnitude=1e3), max_size=3),
        st.sampled_from([[1e-300j], [0j], [1 + 1e-14j], [1e300 + 1j]]),
        JUNK,
    ),
    r=st.one_of(arrays(0, 4, 0, 1e12), JUNK),
    empirical=st.booleans(),
)
def test_plrf_problem_functions(problem, lr, steps, batch, z, r, empirical):
    call("plrf.resolvent_m", plrf.resolvent_m, problem, z)
    call("plrf.limit_loss", plrf.limit_loss, problem)
    call("plrf.lambda_min", plrf.lambda_min, problem)
    call("plrf.loss_components", plrf.loss_components, problem, r, lr, batch)
    if empirical:
        call("plrf.empirical_spectrum", plrf.empirical_spectrum, problem)
    else:
        call("plrf.deterministic_spectrum", plrf.deterministic_spectrum, problem)
    call(
        "plrf.loss_curve",
        plrf.loss_curve,
        problem,
        lr=lr,
        steps=steps,
        batch=batch,
        empirical=empirical,
    )


@SETTINGS
@given(
    alpha=reals(0.2, 3),
    beta=reals(-1, 3),
    flops=st.one_of(arrays(0, 4, 1, 1e15), JUNK),
    n_d=st.one_of(ints(1, 2000), st.sampled_from([10**9, 10**7])),
)
def test_plrf_estimate(alpha, beta, flops, n_d):
    call(
        "plrf.estimate_compute_optimal", plrf.estimate_compute_optimal, alpha, beta, flops, n_d=n_d
    )


# ------------------------------------------------------------------------------- simulators
@SETTINGS
@given(
    problem=st.one_of(bordelon(M_max=200), JUNK),
    P=ints(1, 200),
    lr=reals(1e-3, 3),
    t=times(),
    seeds=ints(1, 3),
    flow=st.booleans(),
    ens=ints(1, 3),
    momentum=st.one_of(st.none(), reals(0, 0.99)),
)
def test_simulate_gd(problem, P, lr, t, seeds, flow, ens, momentum):
    call(
        "simulate_gd",
        sl.simulate_gd,
        problem,
        P,
        lr=None if flow else lr,
        times=t,
        flow=flow,
        seeds=seeds,
        ensemble=ens,
        momentum=momentum,
    )


@SETTINGS
@given(
    problem=st.one_of(bordelon(M_max=200), paquette(v_max=200), JUNK),
    lr=reals(1e-4, 3),
    steps=st.one_of(ints(1, 3000), st.sampled_from([10**15, 0])),
    batch=ints(1, 16),
    n_checkpoints=ints(1, 100),
    seeds=ints(1, 3),
)
def test_simulate_sgd(problem, lr, steps, batch, n_checkpoints, seeds):
    call("sgd_stability_bound", sl.sgd_stability_bound, problem, batch)
    call(
        "simulate_sgd",
        sl.simulate_sgd,
        problem,
        lr,
        steps,
        batch=batch,
        n_checkpoints=n_checkpoints,
        seeds=seeds,
    )


# ---------------------------------------------------------------------------------- spectra
@SETTINGS
@given(
    X=st.one_of(
        arrays(0, 30, -10, 10).map(
            lambda a: np.asarray(a).reshape(-1, 1) if isinstance(a, np.ndarray) else a
        ),
        st.integers(1, 40).map(lambda n: np.random.default_rng(n).normal(size=(n, 3))),
        JUNK,
    ),
    kernel=st.sampled_from(["ntk", "nngp", "rbf", "laplace", "x"]),
    depth=ints(0, 5),
    bandwidth=st.one_of(st.none(), reals(1e-300, 1e6)),
    y=arrays(0, 40),
)
def test_spectra_kernels(X, kernel, depth, bandwidth, y):
    K = call(
        "spectra.kernel_matrix",
        spectra.kernel_matrix,
        X,
        kernel=kernel,
        depth=depth,
        bandwidth=bandwidth,
    )
    call("spectra.median_bandwidth", spectra.median_bandwidth, X)
    if K is not None:
        call("spectra.kernel_spectrum", spectra.kernel_spectrum, K, y)
        call("spectra.analyze_spectrum", spectra.analyze_spectrum, K, y, n_boot=20)


@SETTINGS
@given(
    values=arrays(0, 60, -1, 1e3),
    lo=ints(-1, 70),
    hi=ints(-1, 70),
    n_boot=st.one_of(ints(0, 50), st.sampled_from([10**6, 10**9])),
    points=ints(-1, 100),
    P=st.one_of(arrays(0, 5, 0, 1e6), JUNK),
    ridge=reals(0, 10),
)
def test_spectra_fits(values, lo, hi, n_boot, points, P, ridge):
    call(
        "spectra.fit_power_law",
        spectra.fit_power_law,
        values,
        (lo, hi),
        n_boot=n_boot,
        points=points,
    )
    call(
        "spectra.kernel_regression_loss",
        spectra.kernel_regression_loss,
        values,
        values,
        P,
        ridge=ridge,
    )


@pytest.mark.parametrize("kind", ["empty", "file", "missing"])
def test_sweep_load_bad_directory(tmp_path, kind):
    from scalinglaws import sweep

    target = tmp_path / "d"
    if kind == "empty":
        target.mkdir()
    elif kind == "file":
        target.write_text("x")
    call("sweep.load", sweep.load, target)
    call("sweep.read_toml", sweep.read_toml, target)
