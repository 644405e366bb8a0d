"""Regression tests for the reliability issue: one test per example it lists (Python and CLI).

Each asserts the contract: a finite answer, or a documented error (ParameterError,
ConvergenceError, ResourceError, or the ImportError naming the extra) with a one-line message
that names the parameter; quickly (the refusals come before any long work).
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import pytest
import scalinglaws as sl
from _contract import call, cli
from scalinglaws import dmft, plrf, spectra
from scalinglaws.errors import ConvergenceError, ParameterError, ResourceError


def _one_line(exc: pytest.ExceptionInfo, *words: str) -> str:
    msg = str(exc.value)
    assert "\n" not in msg.strip()
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"
    return msg


def _empty_spectrum() -> "plrf.Spectrum":
    return plrf.Spectrum(np.array([]), np.array([]), 0.0, 0.0, "custom")


# ------------------------------------------------------------------------------- crashes
@pytest.mark.parametrize(
    "fn",
    [
        lambda s: plrf.volterra_loss(s, 0.1, 10),
        lambda s: plrf.forcing_kernel(s, 0.1, [1, 2]),
        lambda s: plrf.kernel_norm(s, 0.1),
        lambda s: plrf.max_stable_lr(s),
    ],
)
def test_empty_spectrum_is_refused_not_a_segfault(fn):
    with pytest.raises(ParameterError) as exc:
        fn(_empty_spectrum())
    _one_line(exc, "spectrum.eigenvalues")


def test_spectrum_arrays_of_different_lengths_are_refused():
    s = plrf.Spectrum(np.array([1.0, 0.5]), np.array([1.0]), 0.0, 0.0, "custom")
    with pytest.raises(ParameterError) as exc:
        plrf.kernel_norm(s, 0.1)
    _one_line(exc, "same length")


# ------------------------------------------------------------------- cliffs refused up front
def test_dmft_gd_large_lr_answers_by_the_two_petal_contour():
    """lr x lambda_max(K) in [1, 2) (here 1.28): no recipe cliff; the contour route answers
    (0.2 s unloaded). Its accuracy: tests/test_validation_gd_large_lr.py."""
    p = sl.Problem.bordelon(1.2, 1.1, 4096, 300)
    t0 = time.perf_counter()
    c = dmft.loss_curve(p, 150, [1, 10, 100, 1000], lr=1.0)
    assert time.perf_counter() - t0 < 30  # < 10 s asked; loaded CI
    assert c.method == "recipe (< 2 nodes steps) + contour (two petals)"
    assert np.all(np.isfinite(c.test_loss)) and np.all(np.isfinite(c.train_loss))


def test_dmft_gd_recipe_cliff_is_refused_with_its_estimate():
    p = sl.Problem.bordelon(1.2, 1.1, 4096, 300)
    t0 = time.perf_counter()
    with pytest.raises(ResourceError) as exc:
        dmft.loss_curve(p, 150, [1, 10, 100, 1000], lr=1.0, method="recipe")
    assert time.perf_counter() - t0 < 10
    _one_line(exc, "SCALINGLAWS_TIME_BUDGET", "T = 1001")


def test_cli_dmft_gd_large_lr_must_show():
    """Issue 16's must-show: ``scalinglaws dmft --a 1.2 --b 1.1 --M 4096 --N 300 --P 150
    --lr 1.0 --times 1,10,100,1000 --json`` in under 10 s (asserted < 30 s: loaded CI), JSON
    with four finite losses."""
    argv = "dmft --a 1.2 --b 1.1 --M 4096 --N 300 --P 150 --lr 1.0 --times 1,10,100,1000 --json"
    t0 = time.perf_counter()
    r = cli(argv.split())
    assert time.perf_counter() - t0 < 30
    assert r["code"] == 0, r
    out = r["json"]
    assert out["times"] == [1.0, 10.0, 100.0, 1000.0]
    for key in ("test_loss", "train_loss"):
        assert len(out[key]) == 4 and all(math.isfinite(x) and x >= 0 for x in out[key])


def test_dmft_sgd_recipe_cliff_is_refused_and_volterra_answers():
    p = sl.Problem.bordelon(1.2, 1.1, 1024, 300)
    with pytest.raises(ResourceError):
        dmft.loss_curve(p, None, [1000], lr=0.1, batch=4, method="recipe")
    c = dmft.loss_curve(p, None, [1, 1000], lr=0.1, batch=4)
    assert np.all(np.isfinite(c.test_loss))


def test_unstable_lr_is_refused_before_work():
    p = sl.Problem.bordelon(1.2, 1.1, 4096, 300)
    t0 = time.perf_counter()
    with pytest.raises(ParameterError) as exc:
        dmft.loss_curve(p, 150, [1, 10, 100, 1000], lr=1.9)
    assert time.perf_counter() - t0 < 10
    _one_line(exc, "lr = 1.9", "lr <")


@pytest.mark.parametrize(
    "call_",
    [
        lambda: sl.log_spaced_steps(100, n=1e9),
        lambda: spectra.fit_power_law(
            np.arange(1, 2001.0) ** -1.0, (1, 2000), n_boot=10**6, points=2000
        ),
        lambda: plrf.estimate_compute_optimal(1.0, 0.7, [1e6, 1e7, 1e8], n_d=100000),
    ],
)
def test_work_parameters_are_bounded(call_, monkeypatch):
    monkeypatch.setenv("SCALINGLAWS_TIME_BUDGET", "30")
    t0 = time.perf_counter()
    with pytest.raises((ParameterError, ResourceError)) as exc:
        call_()
    assert time.perf_counter() - t0 < 5
    _one_line(exc)


def test_time_budget_env_is_validated(monkeypatch):
    monkeypatch.setenv("SCALINGLAWS_TIME_BUDGET", "soon")
    with pytest.raises(ParameterError) as exc:
        dmft.loss_curve(sl.Problem.bordelon(1.5, 1.2, 64, 8), 16, [2], lr=0.5, method="recipe")
    _one_line(exc, "SCALINGLAWS_TIME_BUDGET")


# --------------------------------------------------------------------- internal errors
@pytest.mark.parametrize("times", [5j, "abc", [[1, 2]], [], None, {"t": 1}])
def test_wrong_times_name_the_parameter(times):
    with pytest.raises(ParameterError) as exc:
        dmft.loss_curve(sl.Problem.bordelon(1.5, 1.2, 64, 8), 16, times, lr=0.5)
    _one_line(exc, "times")


@pytest.mark.parametrize("problem", [None, 3, "x", [1.0]])
def test_simulators_refuse_a_non_problem(problem):
    for fn in (
        lambda: sl.simulate_gd(problem, 10, lr=0.1, times=[1]),
        lambda: sl.simulate_sgd(problem, 0.1, 10),
        lambda: sl.sgd_stability_bound(problem),
    ):
        with pytest.raises(ParameterError) as exc:
            fn()
        _one_line(exc, "problem")


def test_modes_of_the_wrong_type():
    p = sl.Problem.bordelon(1.5, 1.2, 64, 8)
    with pytest.raises(ParameterError) as exc:
        dmft.early_time_transfer(p, 16, [1.0], True)
    _one_line(exc, "modes")


def test_sweep_load_of_a_file_or_empty_directory(tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    for target in (f, tmp_path):
        with pytest.raises(ParameterError) as exc:
            sl.sweep.load(target) if hasattr(sl, "sweep") else __import__(
                "scalinglaws.sweep"
            ).sweep.load(target)
        _one_line(exc, str(target))


def test_read_toml_of_a_directory(tmp_path):
    from scalinglaws import sweep

    with pytest.raises(ParameterError) as exc:
        sweep.read_toml(tmp_path)
    _one_line(exc, str(tmp_path))


def test_cli_malformed_csv_and_npz(tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text('a\n"\n')
    npz = tmp_path / "k.npz"
    npz.write_bytes(b"PK\x03\x04garbage")
    for argv in (
        ["fit", str(csv), "--json"],
        ["spectrum", str(npz), "--json"],
        ["spectrum", str(tmp_path), "--json"],
    ):
        r = cli(argv)
        assert r["code"] != 0 and "internal error" not in r["stderr"]


def test_resolvent_near_zero_is_a_convergence_error_or_finite():
    p = sl.Problem.paquette(1.0, 0.7, 2000, 100)
    try:
        m = plrf.resolvent_m(p, [1e-300j])
    except ConvergenceError as exc:
        assert "\n" not in str(exc)
    else:
        assert np.all(np.isfinite(m))


def test_deterministic_spectrum_alpha_near_half_tiny_d_huge_v():
    call(
        "deterministic_spectrum",
        plrf.deterministic_spectrum,
        sl.Problem.paquette(0.5001, 0.6, 10**9, 2),
    )


def test_memory_guard_before_numpy():
    with pytest.raises(ParameterError) as exc:
        sl.Problem.bordelon(1.5, 1.2, 1e10, 10)
    _one_line(exc, "M")
    with pytest.raises(ParameterError) as exc:
        sl.log_spaced_steps(100, n=1e9)
    _one_line(exc, "n")


def test_core_type_errors_are_one_line():
    from scalinglaws._backend import _core

    with pytest.raises(ParameterError) as exc:
        _core.simulate.sgd_max_stable_gamma("x", 1)
    _one_line(exc)


# ---------------------------------------------------------------- silent non-finite results
@pytest.mark.parametrize("a,b", [(1 + 1e-300, 1e-300), (1e308, 1e-308), (1.0, 1.0)])
def test_exponents_degenerate(a, b):
    with pytest.raises(ParameterError) as exc:
        dmft.exponents(a, b)
    _one_line(exc, "a")


def test_compute_optimal_frontier_is_finite_or_refused():
    call(
        "frontier",
        dmft.compute_optimal_frontier,
        sl.Problem.bordelon(1.5, 1.2, 256),
        [4, 8, 16],
        t_max=2.0,
    )
    with pytest.raises(ParameterError):
        dmft.compute_optimal_frontier(sl.Problem.bordelon(1.5, 1.2, 256), [4, 8])


@pytest.mark.parametrize("r", [[0.0], [1e-300], [1.0, 10.0, 1e30]])
def test_loss_components_finite_or_refused(r):
    call("loss_components", plrf.loss_components, sl.Problem.paquette(1.0, 0.7, 2000, 100), r, 0.1)


def test_final_losses_r_is_none_not_inf():
    f = dmft.final_losses(sl.Problem.bordelon(1.5, 1.2, 64), math.inf, N=math.inf)
    assert f["r"] is None


@pytest.mark.parametrize("alpha,beta", [(0.2, 3.0), (0.25, 1.0), (0.5, 0.5), (1e-9, 1e9)])
def test_compute_optimal_exponents_finite_or_refused(alpha, beta):
    call("compute_optimal_exponents", plrf.compute_optimal_exponents, alpha, beta)


def test_huge_times_are_refused_not_int64_overflow():
    p = sl.Problem.bordelon(1.5, 1.2, 100, 10)
    with pytest.raises(ParameterError) as exc:
        dmft.loss_curve(p, 100, [1e30], lr=0.5)
    _one_line(exc, "times")
    with pytest.raises(ParameterError):
        dmft.infinite_width_loss(p, [1e300], lr=1e-300)


def test_cli_dmft_json_never_has_nan():
    r = cli(["dmft", "--a", "1e308", "--b", "1e-308", "--exponents", "--json"])
    assert r["code"] != 0


def test_cli_sweep_list_functions_json():
    r = cli(["sweep", "--list-functions", "--json"])
    assert r["code"] == 0 and "functions" in r["json"]


def test_cli_failed_json_encode_prints_nothing(capsys):
    from scalinglaws.cli import CliError, emit

    with pytest.raises(CliError):
        emit({"x": [1.0, float("nan")]}, True)
    assert capsys.readouterr().out == ""


def test_sweep_load_without_xarray_names_the_extra(monkeypatch, tmp_path):
    from scalinglaws import sweep

    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(ImportError) as exc:
        sweep.load(tmp_path)
    _one_line(exc, "pip install 'scalinglaws[")


def test_toml_with_nan_is_refused_naming_the_parameter(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(
        "function = 'dmft.loss_curve'\n[fixed]\na = nan\nb = 1.2\nM = 64\nN = 8\n"
        "P = 16\nlr = 0.5\ntimes = [1, 2]\n[grid]\nsigma = [0.0, 0.1]\n"
    )
    out = tmp_path / "out"
    r = cli(["sweep", str(f), "--out", str(out), "--quiet"])
    assert r["code"] != 0 and "'a'" in r["stderr"]
    assert not (out / "points").exists()
    assert not list(tmp_path.rglob("*.tmp*"))


def test_cli_checkpoints_flag_is_named():
    r = cli(
        [
            "plrf",
            "loss",
            "--alpha",
            "1",
            "--beta",
            "0.7",
            "--v",
            "2000",
            "--d",
            "100",
            "--lr",
            "0.1",
            "--steps",
            "100",
            "--checkpoints",
            "0",
        ]
    )
    assert r["code"] != 0 and "--checkpoints" in r["stderr"]


def test_plrf_extreme_alpha_is_refused_on_one_line():
    with pytest.raises((ParameterError, ConvergenceError)) as exc:
        plrf.deterministic_spectrum(sl.Problem.paquette(1e6, 0.0, 100, 10))
    assert "lam " not in _one_line(exc)


# --------------------------------------------------------------- DMFT recipe routes at M = inf
_DMFT_M_INF = "dmft --a 1.5 --b 1.25 --N 100 --P 200 --lr 0.5 --times 1,10,100 --json".split()


@pytest.mark.parametrize(
    "extra", [["--schedule", "cosine"], ["--batch", "8", "--method", "recipe"]]
)
def test_cli_dmft_recipe_routes_accept_m_inf(extra):
    """Issue 13 item 2: the scheduled and the SGD-recipe routes ran only at finite M."""
    r = cli(_DMFT_M_INF + ["--M", "inf"] + extra)
    assert r["code"] == 0, r.get("stderr")
    # finite M; SGD at the first time only (its recipe's cost is the T x T loop, not M; the
    # schedule is bound to the last step, so the scheduled run keeps all times)
    times = "1" if "--batch" in extra else "1,10,100"
    fin = cli(_DMFT_M_INF[:-3] + ["--times", times, "--json", "--M", "1000"] + extra)
    assert set(r["json"]) == set(fin["json"])
    loss = np.array(r["json"]["test_loss"])
    assert loss.shape == (3,) and np.all(np.isfinite(loss)) and np.all(loss > 0)
    # the tail beyond M = 1000 carries loss (b = 1.25: the kernel trace converges like M^-0.25)
    fl = np.array(fin["json"]["test_loss"])
    assert np.all(loss[: fl.size] > fl)


def test_found_by_the_property_suite_huge_P_and_a_fully_learnable_frontier():
    """Two inputs the random property suite drew (400 examples per property): P = 1e308 in
    simulate_gd overflowed the memory estimate (OverflowError), and a one-mode task whose loss
    underflows to 0 made compute_optimal_frontier take log10(0) (a RuntimeWarning)."""
    p = sl.Problem.from_spectrum([1.0], [1.0], N=1)
    with pytest.raises(sl.ParameterError, match=r"P must be <= .*got 1e\+308"):
        sl.simulate_gd(p, 1e308, lr=1.0, times=[0.0], ensemble=2)
    with pytest.raises(sl.ParameterError, match="too few compute values"):
        sl.dmft.compute_optimal_frontier(
            sl.Problem.from_spectrum([1.0], [1.0]), [1, 1, 2], t_max=163.0, n_times=10, P=100
        )
