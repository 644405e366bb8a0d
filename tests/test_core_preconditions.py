"""Every entry point of the C++ core checks its own preconditions: empty, mismatched and
non-finite inputs raise the library's errors (never crash the process)."""

import numpy as np
import pytest
from scalinglaws import _core
from scalinglaws.errors import ConvergenceError, ParameterError

NAN = float("nan")
LAM = np.array([1.0, 0.5, 0.25])
W = np.array([1.0, -0.5, 0.2])
EMPTY = np.zeros(0)


def spectrum(lam=LAM, w2=W**2, **kw):
    return _core.dmft.Spectrum(lam=lam, wstar2=w2, **kw)


def problem(lam=LAM, w=W, N=2, sigma=0.0):
    return _core.simulate.ProblemSpec(lam=lam, wstar=w, N=N, sigma=sigma)


def gd_options(**kw):
    base = dict(P=4, lr=0.1, times=[1.0, 2.0], data_seeds=[0], projection_seeds=[0])
    base.update(kw)
    return _core.simulate.GdOptions(**base)


def sgd_options(**kw):
    base = dict(batch=1, lr=0.01, steps=4, checkpoints=[0, 4], data_seeds=[0], projection_seeds=[0])
    base.update(kw)
    return _core.simulate.SgdOptions(**base)


def volterra_options(**kw):
    base = dict(gamma=0.1, batch=1, checkpoints=[0, 10], exact_steps=5, block_rel=0.1)
    base.update(kw)
    return _core.plrf.VolterraOptions(**base)


CURVE = _core.dmft.CurveOptions(flow=True, nodes=8)

BAD_CALLS = {
    # dmft
    "dmft.solve empty lam": lambda: _core.dmft.solve(spectrum(EMPTY, EMPTY), [1.0]),
    "dmft.solve mismatched": lambda: _core.dmft.solve(spectrum(LAM, W[:2] ** 2), [1.0]),
    "dmft.solve NaN lam": lambda: _core.dmft.solve(spectrum(np.array([1.0, NAN, 1.0])), [1.0]),
    "dmft.solve zero lam": lambda: _core.dmft.solve(spectrum(np.array([1.0, 0.0, 1.0])), [1.0]),
    "dmft.solve empty q": lambda: _core.dmft.solve(spectrum(inv_N=0.1), []),
    "dmft.solve NaN q": lambda: _core.dmft.solve(spectrum(inv_N=0.1), [complex(NAN, 0)]),
    "dmft.solve q on the cut": lambda: _core.dmft.solve(spectrum(inv_N=0.1), [-1.0]),
    "dmft.solve threads": lambda: _core.dmft.solve(spectrum(), [1.0], -1),
    "dmft.solve NaN inv_N": lambda: _core.dmft.solve(spectrum(inv_N=NAN), [1.0]),
    "dmft.loss_curve empty times": lambda: _core.dmft.loss_curve(spectrum(), [], CURVE),
    "dmft.loss_curve NaN time": lambda: _core.dmft.loss_curve(spectrum(), [NAN], CURVE),
    "dmft.loss_curve empty lam": lambda: _core.dmft.loss_curve(
        spectrum(EMPTY, EMPTY), [1.0], CURVE
    ),
    "dmft.loss_curve nodes": lambda: _core.dmft.loss_curve(
        spectrum(), [1.0], _core.dmft.CurveOptions(flow=True, nodes=0)
    ),
    "dmft.loss_curve lr": lambda: _core.dmft.loss_curve(
        spectrum(), [100.0], _core.dmft.CurveOptions(flow=False, lr=NAN)
    ),
    "dmft.loss_curve inv_E": lambda: _core.dmft.loss_curve(
        spectrum(), [1.0], _core.dmft.CurveOptions(flow=True, inv_E=2.0)
    ),
    # schedules: checked once per call, for every segment (also past the times asked)
    "dmft.loss_curve schedule with flow": lambda: _core.dmft.loss_curve(
        spectrum(), [1.0], _core.dmft.CurveOptions(flow=True, schedule_lr=[0.1], schedule_steps=[1])
    ),
    "dmft.loss_curve schedule lengths": lambda: _core.dmft.loss_curve(
        spectrum(), [20.0], _core.dmft.CurveOptions(lr=0.5, schedule_lr=[0.5], schedule_steps=[])
    ),
    "dmft.loss_curve schedule lr above peak": lambda: _core.dmft.loss_curve(
        spectrum(),
        [20.0],
        _core.dmft.CurveOptions(lr=0.5, schedule_lr=[0.5, 0.6], schedule_steps=[20, 5]),
    ),
    "dmft.loss_curve schedule steps not whole": lambda: _core.dmft.loss_curve(
        spectrum(),
        [20.0],
        _core.dmft.CurveOptions(lr=0.5, schedule_lr=[0.5, 0.1], schedule_steps=[20, 2.5]),
    ),
    "dmft.transfer mode out of range": lambda: _core.dmft.transfer(spectrum(), [1.0], [3], CURVE),
    "dmft.transfer negative mode": lambda: _core.dmft.transfer(spectrum(), [1.0], [-1], CURVE),
    "dmft.transfer no modes": lambda: _core.dmft.transfer(spectrum(), [1.0], [], CURVE),
    # plrf
    "plrf.solve_m empty z": lambda: _core.plrf.solve_m(1.0, 100.0, 10, np.zeros(0, complex)),
    "plrf.solve_m NaN z": lambda: _core.plrf.solve_m(1.0, 100.0, 10, np.array([complex(NAN, 1)])),
    "plrf.solve_m real z": lambda: _core.plrf.solve_m(1.0, 100.0, 10, np.array([1.0 + 0j])),
    "plrf.solve_m d": lambda: _core.plrf.solve_m(1.0, 100.0, 0, np.array([1.0 + 1j])),
    "plrf.solve_m NaN alpha": lambda: _core.plrf.solve_m(NAN, 100.0, 10, np.array([1.0 + 1j])),
    "plrf.sums NaN m": lambda: _core.plrf.sums(1.0, 100.0, 2.0, complex(NAN, 0), 1j),
    "plrf.sums NaN p": lambda: _core.plrf.sums(1.0, 100.0, NAN, 1.0, 1j),
    "plrf.edges v <= d": lambda: _core.plrf.edges(1.0, 0.5, 10.0, 20),
    "plrf.edges d": lambda: _core.plrf.edges(1.0, 0.5, 100.0, 0),
    "plrf.edges NaN beta": lambda: _core.plrf.edges(1.0, NAN, 100.0, 10),
    "plrf.spectrum grid": lambda: _core.plrf.spectrum(
        1.0, 0.5, 100.0, 10, _core.plrf.SpectrumOptions(x_lo=1.0, x_hi=0.5, points_per_bump=4)
    ),
    "plrf.spectrum NaN grid": lambda: _core.plrf.spectrum(
        1.0, 0.5, 100.0, 10, _core.plrf.SpectrumOptions(x_lo=NAN, x_hi=1.0, points_per_bump=4)
    ),
    "plrf.spectrum points": lambda: _core.plrf.spectrum(
        1.0, 0.5, 100.0, 10, _core.plrf.SpectrumOptions(x_lo=1e-3, x_hi=1.0, points_per_bump=0)
    ),
    "plrf.volterra empty": lambda: _core.plrf.volterra(EMPTY, EMPTY, 0.0, volterra_options()),
    "plrf.volterra mismatched": lambda: _core.plrf.volterra(LAM, LAM[:2], 0.0, volterra_options()),
    "plrf.volterra NaN": lambda: _core.plrf.volterra(
        np.array([NAN]), np.ones(1), 0.0, volterra_options()
    ),
    "plrf.volterra no checkpoints": lambda: _core.plrf.volterra(
        LAM, LAM, 0.0, volterra_options(checkpoints=[])
    ),
    "plrf.volterra unsorted": lambda: _core.plrf.volterra(
        LAM, LAM, 0.0, volterra_options(checkpoints=[10, 5])
    ),
    "plrf.volterra negative": lambda: _core.plrf.volterra(
        LAM, LAM, 0.0, volterra_options(checkpoints=[-1, 5])
    ),
    "plrf.volterra batch": lambda: _core.plrf.volterra(LAM, LAM, 0.0, volterra_options(batch=0)),
    "plrf.volterra gamma": lambda: _core.plrf.volterra(LAM, LAM, 0.0, volterra_options(gamma=NAN)),
    "plrf.volterra p_inf": lambda: _core.plrf.volterra(LAM, LAM, NAN, volterra_options()),
    "plrf.forcing_kernel empty": lambda: _core.plrf.forcing_kernel(EMPTY, EMPTY, 0.1, 1, [1.0]),
    "plrf.forcing_kernel mismatched": lambda: _core.plrf.forcing_kernel(
        LAM, LAM[:1], 0.1, 1, [1.0]
    ),
    "plrf.forcing_kernel no steps": lambda: _core.plrf.forcing_kernel(LAM, LAM, 0.1, 1, []),
    "plrf.forcing_kernel NaN step": lambda: _core.plrf.forcing_kernel(LAM, LAM, 0.1, 1, [NAN]),
    "plrf.forcing_kernel threads": lambda: _core.plrf.forcing_kernel(LAM, LAM, 0.1, 1, [1.0], -2),
    # simulate
    "simulate.draw_problem empty": lambda: _core.simulate.draw_problem(
        problem(EMPTY, EMPTY), 4, 1, 0, 0
    ),
    "simulate.draw_problem mismatched": lambda: _core.simulate.draw_problem(
        problem(LAM, W[:2]), 4, 1, 0, 0
    ),
    "simulate.draw_problem NaN": lambda: _core.simulate.draw_problem(
        problem(LAM, np.array([NAN, 0, 0])), 4, 1, 0, 0
    ),
    "simulate.draw_problem N": lambda: _core.simulate.draw_problem(problem(N=0), 4, 1, 0, 0),
    "simulate.draw_problem P": lambda: _core.simulate.draw_problem(problem(), -1, 1, 0, 0),
    "simulate.draw_problem ensemble": lambda: _core.simulate.draw_problem(problem(), 4, 0, 0, 0),
    "simulate.draw_problem bag": lambda: _core.simulate.draw_problem(problem(), 4, 1, 0, 0, bag=-1),
    "simulate.draw_problem sigma": lambda: _core.simulate.draw_problem(
        problem(sigma=NAN), 4, 1, 0, 0
    ),
    "simulate.gd empty": lambda: _core.simulate.gd(problem(EMPTY, EMPTY), gd_options()),
    "simulate.gd no times": lambda: _core.simulate.gd(problem(), gd_options(times=[])),
    "simulate.gd NaN time": lambda: _core.simulate.gd(problem(), gd_options(times=[NAN])),
    "simulate.gd no seeds": lambda: _core.simulate.gd(
        problem(), gd_options(data_seeds=[], projection_seeds=[])
    ),
    "simulate.gd seeds mismatched": lambda: _core.simulate.gd(
        problem(), gd_options(data_seeds=[0, 1])
    ),
    "simulate.gd lr": lambda: _core.simulate.gd(problem(), gd_options(lr=NAN)),
    "simulate.gd P": lambda: _core.simulate.gd(problem(), gd_options(P=0)),
    "simulate.gd threads": lambda: _core.simulate.gd(problem(), gd_options(threads=-1)),
    "simulate.heavy_ball_gain n": lambda: _core.simulate.heavy_ball_gain(1.0, -1, 0.1, 0.5),
    "simulate.heavy_ball_gain NaN": lambda: _core.simulate.heavy_ball_gain(NAN, 1, 0.1, 0.5),
    "simulate.continuous_momentum_gain beta": lambda: _core.simulate.continuous_momentum_gain(
        1.0, 1.0, -1.0
    ),
    "simulate.continuous_momentum_gain NaN": lambda: _core.simulate.continuous_momentum_gain(
        1.0, NAN, 1.0
    ),
    "simulate.sgd_setup empty": lambda: _core.simulate.sgd_setup(problem(EMPTY, EMPTY), 0),
    "simulate.sgd_setup threads": lambda: _core.simulate.sgd_setup(problem(), 0, -1),
    "simulate.sgd_max_stable_gamma empty": lambda: _core.simulate.sgd_max_stable_gamma(EMPTY, 1),
    "simulate.sgd_max_stable_gamma NaN": lambda: _core.simulate.sgd_max_stable_gamma(
        np.array([NAN]), 1
    ),
    "simulate.sgd_max_stable_gamma batch": lambda: _core.simulate.sgd_max_stable_gamma(LAM, 0),
    "simulate.sgd empty": lambda: _core.simulate.sgd(problem(EMPTY, EMPTY), sgd_options()),
    "simulate.sgd no checkpoints": lambda: _core.simulate.sgd(
        problem(), sgd_options(checkpoints=[])
    ),
    "simulate.sgd checkpoint past steps": lambda: _core.simulate.sgd(
        problem(), sgd_options(checkpoints=[0, 5])
    ),
    "simulate.sgd unsorted": lambda: _core.simulate.sgd(problem(), sgd_options(checkpoints=[4, 0])),
    "simulate.sgd lr": lambda: _core.simulate.sgd(problem(), sgd_options(lr=NAN)),
    "simulate.sgd no seeds": lambda: _core.simulate.sgd(
        problem(), sgd_options(data_seeds=[], projection_seeds=[])
    ),
    "simulate.normal_samples n": lambda: _core.simulate.normal_samples(0, -1),
    # kernels
    "kernels.matrix empty": lambda: _core.kernels.matrix(np.zeros((0, 2))),
    "kernels.matrix no features": lambda: _core.kernels.matrix(np.zeros((3, 0))),
    "kernels.matrix NaN": lambda: _core.kernels.matrix(np.array([[NAN, 1.0]])),
    "kernels.matrix NaN Z": lambda: _core.kernels.matrix(np.ones((2, 2)), np.array([[NAN, 1.0]])),
    "kernels.matrix mismatched": lambda: _core.kernels.matrix(np.ones((2, 2)), np.ones((2, 3))),
    "kernels.matrix threads": lambda: _core.kernels.matrix(
        np.ones((2, 2)), params=_core.kernels.Params(threads=-1)
    ),
    "kernels.matrix depth": lambda: _core.kernels.matrix(
        np.ones((2, 2)), params=_core.kernels.Params(depth=0)
    ),
    "kernels.Params kind": lambda: _core.kernels.Params(kind="gauss"),
    # linalg
    "linalg.symmetric_eigh empty": lambda: _core.linalg.symmetric_eigh(np.zeros((0, 0))),
    "linalg.symmetric_eigh not square": lambda: _core.linalg.symmetric_eigh(np.zeros((2, 3))),
    "linalg.symmetric_eigh NaN": lambda: _core.linalg.symmetric_eigh(np.full((2, 2), NAN)),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_input_raises_parameter_error(name):
    with pytest.raises(ParameterError):
        BAD_CALLS[name]()


def test_divergence_raises_convergence_error():
    # Volterra recursion with a step far beyond stability diverges to a non-finite loss (no
    # residual is defined for that failure).
    with pytest.raises(ConvergenceError) as info:
        _core.plrf.volterra(
            np.array([1.0]),
            np.array([1.0]),
            0.0,
            volterra_options(gamma=1e150, checkpoints=[0, 1000]),
        )
    assert info.value.residual is None


def test_options_repr_and_keywords():
    opt = _core.dmft.CurveOptions(flow=True, lr=0.25)
    assert repr(opt).startswith("CurveOptions(flow=True, lr=0.25,")
    opt.nodes = 12
    assert opt.nodes == 12
    with pytest.raises(TypeError):
        _core.dmft.CurveOptions(True)  # keyword-only
    p = problem()
    assert repr(p).startswith("ProblemSpec(lam=array([")
    assert np.array_equal(p.lam, LAM)
    assert repr(_core.kernels.Params()) == (
        "Params(kind='ntk', bandwidth=1.0, depth=1, "
        "weight_variance=2.0, bias_variance=0.0, threads=0)"
    )


def test_valid_calls_still_work():
    S = _core.dmft.solve(spectrum(inv_N=0.1, inv_P=0.05), [1.0, 1j])
    assert len(S) == 2
    assert _core.simulate.sgd_max_stable_gamma(LAM, 1) > 0
    F, K = _core.plrf.forcing_kernel(LAM, LAM, 0.1, 1, [0.0, 1.0])
    assert F.shape == (2,) and K.shape == (2,)
    P = _core.plrf.volterra(LAM, LAM, 0.0, volterra_options())
    assert P.shape == (2,) and np.all(np.isfinite(P))


@pytest.mark.parametrize(
    "cls, values",
    [
        (
            _core.dmft.Spectrum,
            dict(
                lam=np.array([1.0, 2.0]),
                wstar2=np.array([3.0, 4.0]),
                inv_N=0.5,
                inv_P=0.25,
                sigma2=0.125,
            ),
        ),
        (
            _core.dmft.CurveOptions,
            dict(flow=True, lr=0.3, momentum=0.2, nodes=9, threads=3, inv_E=0.5, inv_B=0.25),
        ),
        (
            _core.simulate.ProblemSpec,
            dict(lam=np.array([1.0, 2.0]), wstar=np.array([3.0, 4.0]), N=5, sigma=0.5),
        ),
        (
            _core.simulate.GdOptions,
            dict(
                P=3,
                ensemble=4,
                bags=5,
                lr=0.5,
                flow=True,
                momentum=0.25,
                times=[1.0, 2.0],
                data_seeds=[7],
                projection_seeds=[8],
                threads=2,
            ),
        ),
        (
            _core.simulate.SgdOptions,
            dict(
                batch=3,
                lr=0.5,
                batch_mean=True,
                steps=9,
                checkpoints=[0, 9],
                data_seeds=[7],
                projection_seeds=[8],
                threads=2,
            ),
        ),
        (
            _core.plrf.SpectrumOptions,
            dict(x_lo=0.1, x_hi=2.0, points_per_bump=3.0, eta_rel=1e-9, threads=2),
        ),
        (
            _core.plrf.VolterraOptions,
            dict(gamma=0.1, batch=2, checkpoints=[0, 5], exact_steps=3, block_rel=0.5),
        ),
        (
            _core.kernels.Params,
            dict(
                kind="rbf",
                bandwidth=0.5,
                depth=3,
                weight_variance=1.5,
                bias_variance=0.25,
                threads=2,
            ),
        ),
    ],
)
def test_options_keyword_constructor_fills_every_field(cls, values):
    obj = cls(**values)
    for name, value in values.items():
        got = getattr(obj, name)
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(got, value)
        else:
            assert got == value, name
    assert repr(obj).startswith(cls.__name__ + "(")


# -- Ctrl-C: the core's long loops poll the interpreter's signal handlers (interrupt.hpp) --------

LONG_CALLS = {
    "simulate_sgd step loop": lambda sl: sl.simulate_sgd(
        sl.Problem.paquette(alpha=1.0, beta=0.7, v=200, d=50),
        lr=0.1,
        steps=10**10,
        seeds=2,
        n_checkpoints=3,
    ),
    "volterra recursion": lambda sl: sl.plrf.volterra_loss(
        sl.plrf.deterministic_spectrum(sl.Problem.paquette(alpha=1.0, beta=0.7, v=4000, d=2000)),
        lr=0.1,
        steps=10**10,
        exact_steps=10**10,
        n_checkpoints=3,
    ),
    "scheduled GD products": lambda sl: sl.simulate_gd(
        sl.Problem.bordelon(a=1.5, b=1.25, M=400, N=200),
        P=100,
        lr=0.5,
        steps=[4 * 10**7],
        schedule="cosine",
    ),
}


@pytest.mark.parametrize(
    "name, how",
    [(name, "SIGINT") for name in sorted(LONG_CALLS)]
    + [("simulate_sgd step loop", "interrupt_main")],
)
def test_ctrl_c_interrupts_core_loops(name, how, monkeypatch):
    """A SIGINT (or ``_thread.interrupt_main``) 0.3 s into a call whose C++ loop would run for
    minutes raises KeyboardInterrupt within 2 s, and the next call runs normally."""
    import _thread
    import os
    import signal
    import threading
    import time

    import scalinglaws as sl

    monkeypatch.setenv("SCALINGLAWS_TIME_BUDGET", "1e12")

    def fire():
        time.sleep(0.3)
        if how == "SIGINT":
            os.kill(os.getpid(), signal.SIGINT)
        else:
            _thread.interrupt_main()

    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=fire, daemon=True).start()
        t0 = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            LONG_CALLS[name](sl)
            time.sleep(5)  # not reached: the call above takes minutes
        assert time.perf_counter() - t0 < 2.3
    finally:
        signal.signal(signal.SIGINT, old)
    c = sl.simulate_sgd(sl.Problem.paquette(alpha=1.0, beta=0.7, v=50, d=10), lr=0.1, steps=10)
    assert np.all(np.isfinite(c.test_loss))


def test_core_calls_from_other_threads_are_unaffected_by_the_interrupt_hook():
    """Only the main thread runs signal handlers: a core call from another Python thread polls
    without taking the GIL and gives the same result as from the main thread."""
    import threading

    import scalinglaws as sl

    q = sl.Problem.paquette(alpha=1.0, beta=0.7, v=100, d=20)
    main = sl.simulate_sgd(q, lr=0.1, steps=20000, seeds=2, n_checkpoints=5)
    out = {}
    th = threading.Thread(
        target=lambda: out.update(
            c=sl.simulate_sgd(q, lr=0.1, steps=20000, seeds=2, n_checkpoints=5)
        )
    )
    th.start()
    th.join(timeout=60)
    np.testing.assert_array_equal(out["c"].test_loss_runs, main.test_loss_runs)
