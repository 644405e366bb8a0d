"""One problem in, one LossCurve out: the unified result type and the deprecated names."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
import scalinglaws as sl
from scalinglaws.errors import ParameterError, ScalingLawsDeprecationWarning


@pytest.fixture(scope="module")
def problem() -> sl.Problem:
    return sl.Problem.bordelon(1.5, 1.25, 512, 32)


def test_every_producer_returns_a_loss_curve(problem):
    gd = sl.simulate_gd(problem, 64, lr=0.5, times=[0, 1, 10], seeds=2)
    sgd = sl.simulate_sgd(problem, 0.5, 50, batch=4, n_checkpoints=5, seeds=2)
    th = sl.dmft.loss_curve(problem, 64, [1, 10, 100], lr=0.5)
    th_sgd = sl.dmft.loss_curve(problem, None, [1, 10, 50], lr=0.5, batch=4)
    pl = sl.plrf.loss_curve(sl.Problem.paquette(1.0, 0.7, 400, 100), lr=0.3, steps=1000)
    for c in (gd, sgd, th, th_sgd, pl):
        assert type(c) is sl.LossCurve
        assert np.all(np.isfinite(c.test_loss))
    assert gd.time_unit == th.time_unit == "lr*steps"
    assert sgd.time_unit == th_sgd.time_unit == pl.time_unit == "steps"
    assert gd.model == sgd.model == "simulation" and th.model == "dmft" and pl.model == "plrf"
    assert gd.n_runs == 2 and gd.test_loss_runs.shape == (2, 3)
    np.testing.assert_allclose(gd.test_loss, gd.test_loss_runs.mean(axis=0), rtol=1e-15)
    assert th.n_runs == 0 and th.test_loss_sem is None


def test_simulation_standard_errors_and_dict(problem):
    r = sl.simulate_gd(problem, 64, lr=0.5, times=[0, 1, 10], seeds=5)
    runs = r.test_loss_runs
    np.testing.assert_allclose(r.test_loss_sem, runs.std(axis=0, ddof=1) / math.sqrt(5))
    d = json.loads(json.dumps(r.to_dict()))  # JSON-ready, no NaN
    assert d["time_unit"] == "lr*steps" and d["n_runs"] == 5 and d["seeds"] == [0, 1, 2, 3, 4]
    assert d["params"]["a"] == 1.5 and d["test_loss"][0] == pytest.approx(problem.initial_loss)


def test_compare_relative_error_and_z_scores():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    a = sl.LossCurve(t, [1.0, 0.5, 0.25, 0.2], time_unit="steps")
    b = sl.LossCurve(t[1:], [0.55, 0.25, 0.1], test_loss_sem=[0.05, 0.01, 0.05], time_unit="steps")
    c = a.compare(b)
    np.testing.assert_allclose(c.times, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(c.rel_error, [0.5 / 0.55 - 1, 0.0, 1.0])
    np.testing.assert_allclose(c.z, [-1.0, 0.0, 2.0])
    assert c.max_abs_z == pytest.approx(2.0) and c.max_rel_error == pytest.approx(1.0)
    assert list(c.within(0.05, z=1.5)) == [True, True, False]
    with pytest.raises(ParameterError, match="time units"):
        a.compare(sl.LossCurve(t, np.ones(4), time_unit="time"))
    with pytest.raises(ParameterError, match="no common times"):
        a.compare(sl.LossCurve([7.0], [1.0], time_unit="steps"))


def test_theory_against_simulation_through_compare(problem):
    """The glue-free comparison a user writes: DMFT GD theory vs a 24-seed simulation mean. The
    test's standard error at N = 32, P = 64 is ~3%; the theory must be within 4 SE or 10%."""
    times = [1, 10, 100]
    sim = sl.simulate_gd(problem, 64, lr=0.5, times=times, seeds=24)
    th = sl.dmft.loss_curve(problem, 64, times, lr=0.5)
    cmp = th.compare(sim)
    assert np.all(cmp.within(0.10, z=4.0)), cmp


def test_to_xarray_and_plot(problem, tmp_path):
    xr = pytest.importorskip("xarray")
    r = sl.simulate_gd(problem, 64, lr=0.5, times=[0, 1, 10], seeds=3)
    ds = r.to_xarray()
    assert isinstance(ds, xr.Dataset)
    np.testing.assert_array_equal(ds["test_loss"].values, r.test_loss)
    assert ds.attrs["time_unit"] == "lr*steps" and ds["test_loss_runs"].shape == (3, 3)
    pytest.importorskip("matplotlib")
    ax = sl.dmft.loss_curve(problem, 64, [1, 10], lr=0.5).plot(label="theory")
    r.plot(ax=ax, label="simulation")
    ax.figure.savefig(tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 0


def test_loss_curve_validates_shapes():
    with pytest.raises(ParameterError, match="test_loss must have the shape"):
        sl.LossCurve([0.0, 1.0], [1.0])
    with pytest.raises(ParameterError, match="time_unit"):
        sl.LossCurve([0.0], [1.0], time_unit="epochs")


def test_plrf_takes_a_problem_of_either_family():
    """The Volterra route on a Bordelon-type problem equals it on the same problem written in
    Paquette's parameterisation (alpha = b/2, beta = (a - b)/2, v = M), to round-off."""
    b_prob = sl.Problem.bordelon(2.0, 1.5, 1000, 100)
    p_prob = sl.Problem.paquette(0.75, 0.25, 1000, 100)
    cb = sl.plrf.loss_curve(b_prob, lr=0.2, steps=10**4, lr_convention="sum")
    cp = sl.plrf.loss_curve(p_prob, lr=0.2, steps=10**4)
    np.testing.assert_allclose(cb.test_loss, cp.test_loss, rtol=1e-12)
    np.testing.assert_allclose(b_prob.lam, p_prob.lam, rtol=1e-15)
    # normalised targets scale the loss
    nb = sl.plrf.loss_curve(
        sl.Problem.bordelon(2.0, 1.5, 1000, 100, normalize=True),
        lr=0.2,
        steps=10**4,
        lr_convention="sum",
    )
    np.testing.assert_allclose(nb.test_loss * b_prob.initial_loss, cb.test_loss, rtol=1e-12)


def test_lr_convention_is_a_property_of_the_problem():
    assert sl.Problem.bordelon(1.5, 1.25, 10).lr_convention == "mean"
    assert sl.Problem.paquette(1.0, 0.7, 10).lr_convention == "sum"
    assert sl.Problem.paquette(1.0, 0.7, 10, lr_convention="mean").lr_convention == "mean"
    with pytest.raises(ParameterError, match="lr_convention"):
        sl.Problem.from_spectrum([1.0], [1.0], lr_convention="avg")
    p = sl.Problem.bordelon(2.0, 1.5, 1000, 100)
    mean = sl.plrf.loss_curve(p, lr=0.8, steps=100, batch=8)  # lr / B per sample
    total = sl.plrf.loss_curve(p, lr=0.1, steps=100, batch=8, lr_convention="sum")
    np.testing.assert_allclose(mean.test_loss, total.test_loss, rtol=1e-13)


def test_infinite_power_law_problems():
    p = sl.Problem.paquette(1.0, 0.7, math.inf, 200)
    assert p.M == math.inf and p.infinite
    c = sl.plrf.loss_curve(p, lr=0.3, steps=10**5)
    assert np.all(np.isfinite(c.test_loss))
    # the discretised deterministic spectrum keeps the sum rule L(0) = sum_k lambda_k w*_k^2
    # to a few 1e-3 (zeta-function value of the infinite power law on the right)
    assert c.test_loss[0] == pytest.approx(p.initial_loss, rel=5e-3)
    with pytest.raises(ParameterError, match="finite number of features"):
        sl.simulate_sgd(p, 0.3, 10)
    # the DMFT sums the infinite power-law tail analytically (tests/test_infinite.py)
    inf_problem = sl.Problem.bordelon(2.0, 1.5, math.inf, 100)
    inf_curve = sl.dmft.loss_curve(inf_problem, 100, [1.0], lr=0.5)
    assert np.all(np.isfinite(inf_curve.test_loss))
    big = sl.Problem.paquette(1.0, 0.7, 10**9, 200)  # arrays are never built
    assert sl.plrf.limit_loss(big) == pytest.approx(sl.plrf.limit_loss(p), rel=1e-6)


def test_deprecated_names_warn_and_forward(problem):
    with pytest.warns(ScalingLawsDeprecationWarning, match="scalinglaws.results"):
        assert sl.SimulationResult is sl.LossCurve
    with pytest.warns(ScalingLawsDeprecationWarning, match="scalinglaws.errors"):
        assert sl.dmft.DmftSolveError is sl.ConvergenceError
    with pytest.warns(ScalingLawsDeprecationWarning, match="Problem.paquette"):
        old = sl.plrf.deterministic_spectrum(1.0, 400, 100, 0.7)
    new = sl.plrf.deterministic_spectrum(sl.Problem.paquette(1.0, 0.7, 400, 100))
    np.testing.assert_array_equal(old.eigenvalues, new.eigenvalues)
    with pytest.warns(ScalingLawsDeprecationWarning, match="loss_curve"):
        old_c = sl.plrf.loss_curve(1.0, 0.7, 400, 100, 0.3, 1000)
    with pytest.warns(ScalingLawsDeprecationWarning, match="test_loss"):
        np.testing.assert_array_equal(old_c.loss, old_c.test_loss)
    with pytest.warns(ScalingLawsDeprecationWarning, match="paquette2024_data"):
        assert callable(sl.plrf.figure_contour)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sl.dmft.loss_curve(problem, 64, [1.0], lr=0.5)  # the new API never warns


def test_deprecated_modules_forward():
    import importlib
    import sys

    for old, new in (
        ("oracle", "testing"),
        ("dmft_figures", "figures.bordelon2024"),
        ("plrf_figures", "figures.paquette2024"),
    ):
        sys.modules.pop(f"scalinglaws.{old}", None)
        with pytest.warns(ScalingLawsDeprecationWarning, match=new.replace(".", r"\.")):
            importlib.import_module(f"scalinglaws.{old}")
    with pytest.warns(ScalingLawsDeprecationWarning, match="scalinglaws.results"):
        from scalinglaws.simulate import SimulationResult  # noqa: F401


def test_custom_spectrum_sgd_theory_is_a_projection_mean():
    """A custom spectrum has no power-law deterministic equivalent: the theory is the mean of the
    exact per-projection recursions (seeds 0..K-1), with its standard error, and equals that mean
    computed by hand from plrf.empirical_spectrum."""
    k = np.arange(1, 301.0)
    p = sl.Problem.from_spectrum(k**-1.5, k**-0.2, 40)
    c = sl.dmft.loss_curve(
        p,
        None,
        [1, 10, 100],
        lr=0.15,
        batch=2,
    )
    assert c.test_loss_sem is not None and c.method.startswith("volterra (mean over 16")
    by_hand = np.mean(
        [
            sl.plrf.volterra_loss(
                sl.plrf.empirical_spectrum(p, s),
                0.15,
                100,
                batch=2,
                checkpoints=[1, 10, 100],
                log_spaced=False,
            ).test_loss
            for s in range(16)
        ],
        axis=0,
    )
    np.testing.assert_allclose(c.test_loss, by_hand, rtol=1e-12)
