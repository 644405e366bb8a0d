"""Rejections name the parameter, its value and the valid range on one line (issue 16), and
regression tests of the failures found by the hypothesis campaign (tests/test_properties*.py)."""

import math

import numpy as np
import pytest
import scalinglaws as sl
from scalinglaws import dmft, plrf, spectra

# -- every rejection names the parameter, its value and the valid range, on one line -------------

_BD = sl.Problem.bordelon(1.5, 1.2, 100, N=20)


def _sweep_spec(function):
    from scalinglaws.sweep import SweepSpec

    return SweepSpec(function, grid={})


def _parse(spec):
    from scalinglaws.schedules import parse

    return parse(spec)


_PQ = sl.Problem.paquette(1.0, 0.7, 200, 50)

REJECTIONS = [
    # (call, parameter, value as printed, valid-range text)
    (lambda: sl.simulate_gd(_BD, 10, lr=0.5, times=[1, -3.0]), "times", "-3", ">= 0"),
    (lambda: sl.simulate_gd(_BD, 10, lr=0.5, steps=[1, 2.5]), "steps", "2.5", "whole"),
    (lambda: sl.simulate_gd(_BD, 10, lr=1e-300, times=[1e9]), "steps", "inf", "<= 1e15"),
    (lambda: sl.simulate_gd(_BD, 0, lr=0.5, times=[1]), "P", "0", ">= 1"),
    (lambda: sl.simulate_gd(_BD, 10, lr=-0.5, times=[1]), "lr", "-0.5", "> 0"),
    (lambda: sl.simulate_gd(_BD, 10, lr=0.5, times=[1], ensemble=0), "ensemble", "0", ">= 1"),
    (lambda: sl.simulate_gd(_BD, 10, lr=0.5, times=[1], momentum=1.5), "momentum", "1.5", "< 1"),
    (lambda: sl.simulate_sgd(_PQ, 0.1, 100, batch=0), "batch", "0", ">= 1"),
    (lambda: sl.simulate_sgd(_PQ, 0.1, 100, n_checkpoints=0), "n_checkpoints", "0", ">= 1"),
    (lambda: sl.simulate_sgd(_PQ, 0.1, 100, times=[5, 1000]), "times", "1000", "[0, steps=100]"),
    (lambda: sl.simulate_sgd(_PQ, 0.1, 100, lr_convention="avg"), "lr_convention", "avg", "sum"),
    (lambda: plrf.resolvent_m(_PQ, [1.0 + 0j]), "z", "(1+0j)", "Im z > 0"),
    (lambda: plrf.resolvent_m(_PQ, [complex("nan")]), "z", "nan", "finite"),
    (lambda: plrf.loss_curve(_PQ, lr=0.1, steps=0), "steps", "0", ">= 1"),
    (
        lambda: plrf.loss_curve(_PQ, lr=0.1, steps=99, schedule="wsd:decay=2"),
        "decay",
        "2",
        "(0, 1]",
    ),
    (lambda: dmft.loss_curve(_BD, 50, [1, 2], lr=0.5, nodes=2), "nodes", "2", ">= 4"),
    (lambda: dmft.loss_curve(_BD, 50, [1, math.nan], lr=0.5), "times[1]", "nan", "finite"),
    (lambda: dmft.loss_curve(_BD, 50, [1, 2], lr=0.5, ensemble=0), "ensemble", "0", ">= 1"),
    (
        lambda: dmft.loss_curve(_BD, 50, [1e20], lr=0.5, schedule="cosine"),
        "steps",
        "2e+20",
        "<= 1e15",
    ),
    (lambda: sl.Problem.bordelon(1.5, 1.2, 0), "M", "0", ">= 1"),
    (
        lambda: dmft.transfer_functions(_BD, 50, [1e30], [1], lr=1e-300),
        "steps",
        "inf",
        "<= 1e15",
    ),
    (lambda: sl.Problem.from_spectrum([1.0, math.inf], [1.0, 1.0]), "lam[1]", "inf", "finite"),
    (lambda: sl.Problem.from_spectrum([1.0, -2.0], [1.0, 1.0]), "lam", "-2", "> 0"),
    (lambda: sl.log_spaced_steps(100, n=0), "n", "0", ">= 1"),
    (lambda: spectra.kernel_matrix(np.ones((3, 2)), kernel="ntk", depth=0), "depth", "0", ">= 1"),
    (lambda: spectra.kernel_spectrum(np.eye(3), [1e200, 1, 1]), "y", "1e+200", "below"),
    (lambda: spectra.kernel_regression_loss([1e308, 1e308], [1, 1], 1), "eigenvalues", "inf", "<"),
    (lambda: sl.sgd_stability_bound(_PQ, batch=0), "batch", "0", ">= 1"),
    (lambda: _sweep_spec(""), "function", "''", "module:function"),
    (lambda: _parse("cosine:final=2"), "final", "2", "[0, 1]"),
    (lambda: _parse("wsd:decay=0.2").bind(9).multiplier([-1]), "steps", "-1", ">= 0"),
]


@pytest.mark.parametrize("fn, name, value, valid", REJECTIONS, ids=lambda x: None)
def test_rejection_names_parameter_value_and_range(fn, name, value, valid):
    """Regression tests of the campaign: a ParameterError whose one-line message names the
    parameter, the offending value and the valid range."""
    with pytest.raises(sl.errors.ParameterError) as e:
        fn()
    msg = str(e.value)
    assert "\n" not in msg
    assert name in msg and value in msg and valid in msg, msg


def test_core_rejection_names_value_and_range():
    """The C++ core's own checks (the last line of defence behind the Python validation) name
    the argument, the value and the valid range (checks.hpp)."""
    from scalinglaws._backend import _core

    spec = _core.simulate.ProblemSpec(lam=[1.0, 0.5], wstar=[1.0, 1.0], N=1, sigma=0.0)
    opts = _core.simulate.SgdOptions(
        batch=1, lr=-0.25, steps=4, checkpoints=[0, 4], data_seeds=[0], projection_seeds=[0]
    )
    with pytest.raises(sl.errors.ParameterError, match=r"lr = -0\.25 .*valid: a finite number > 0"):
        _core.simulate.sgd(spec, opts)
    bad = _core.simulate.ProblemSpec(lam=[1.0, -0.5], wstar=[1.0, 1.0], N=1, sigma=0.0)
    with pytest.raises(sl.errors.ParameterError, match=r"lam\[1\] = -0\.5 .*finite and > 0"):
        _core.simulate.sgd(bad, opts)


def test_campaign_findings_regressions():
    """Failures found by the 19,000-call campaign (issue 16), each now a documented error:
    t / lr overflowing in simulate_gd, y^2 overflowing in kernel_spectrum, kappa^2 overflowing
    (Python float) in kernel_regression_loss."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (
            lambda: sl.simulate_gd(_BD, 10, lr=1e-300, times=[1e9]),
            lambda: spectra.kernel_spectrum(np.eye(3), [1e200, 1.0, 1.0]),
            lambda: spectra.analyze_spectrum(np.eye(6), np.full(6, 1e200), n_boot=2),
            lambda: spectra.kernel_regression_loss([1e200, 1.0], [1.0, 1.0], 1, ridge=0.5),
            lambda: spectra.kernel_regression_loss([1e308, 1e308], [1.0, 1.0], 1),
        ):
            with pytest.raises(sl.errors.ParameterError):
                fn()
