"""Sweeps: local pool vs Dask, kill and resume, recorded errors, data-only results."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

xr = pytest.importorskip("xarray")

from scalinglaws import sweep  # noqa: E402

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _importable_points(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv("PYTHONPATH", str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _gd_spec(n_points=200):
    Ns = list(range(4, 14))  # 10
    Ps = [8, 12, 16, 20, 24, 28, 32, 36, 40, 44][: max(1, n_points // 20)]
    return sweep.SweepSpec(
        "simulate.gd",
        grid={"N": Ns, "P": Ps, "seed": [0, 100]},
        fixed={"a": 1.5, "b": 1.25, "M": 32, "lr": 0.5, "times": [1, 10, 100], "seeds": 2},
    )


def _numeric(ds):
    return ds[[v for v in ds.data_vars if v not in ("wall_time", "status", "error", "version")]]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_200_points_local_pool_and_dask_cluster_agree(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    spec = _gd_spec(200)
    assert len(spec.expand()) == 200
    s1 = sweep.run(spec, tmp_path / "local", workers=2, progress=False)
    assert (s1.computed, s1.failed) == (200, 0)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        s2 = sweep.run(spec, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False)
    assert (s2.computed, s2.failed) == (200, 0)
    a, b = sweep.load(tmp_path / "local"), sweep.load(tmp_path / "dask")
    assert dict(a.sizes) == {"N": 10, "P": 10, "seed": 2, "time": 3}
    xr.testing.assert_identical(_numeric(a), _numeric(b))
    assert (a["status"] == "ok").all()
    # the same as running the point directly
    from scalinglaws import Problem, simulate_gd

    direct = simulate_gd(
        Problem.bordelon(1.5, 1.25, 32, 7), 16, lr=0.5, times=[1, 10, 100], seeds=2, seed=100
    )
    np.testing.assert_array_equal(a.test_loss.sel(N=7, P=16, seed=100).values, direct.test_loss)


def _count_calls(calls: Path):
    return sorted(p.name.rsplit("_", 1)[0] for p in calls.iterdir())


def test_kill_and_resume_recomputes_only_missing_points(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    toml = tmp_path / "s.toml"
    toml.write_text(
        'function = "sweep_points:counting_point"\n'
        f'[fixed]\ncalls_dir = "{calls}"\nsleep = 0.1\n'
        "[grid]\nx = [1, 2, 3, 4, 5, 6, 7, 8]\ny = [0.5, 1.5, 2.5, 3.5, 4.5]\n"
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scalinglaws.cli",
            "sweep",
            str(toml),
            "--out",
            str(out),
            "--workers",
            "1",
            "--quiet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        done = list((out / "points").glob("*.json")) if (out / "points").exists() else []
        if len(done) >= 8:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = {p.name for p in (out / "points").glob("*.json")}
    assert 8 <= len(before) < 40
    calls_before = len(_count_calls(calls))
    for p in calls.iterdir():
        p.unlink()
    spec = sweep.read_toml(toml)
    with pytest.raises(ValueError, match="already holds a sweep"):
        sweep.run(spec, out, workers=1, progress=False)
    summary = sweep.run(spec, out, resume=True, workers=1, progress=False)
    assert summary.skipped == len(before) and summary.computed == 40 - len(before)
    assert len(_count_calls(calls)) == 40 - len(before)  # counted calls: only missing points
    assert calls_before in (len(before), len(before) + 1)  # at most the one in flight was lost
    keys = {sweep.point_key(p) for p in spec.expand()}
    recomputed = {f"{k}.json" for k in keys} - before
    assert len(recomputed) == summary.computed
    # same dataset as an uninterrupted run
    spec2 = sweep.SweepSpec(spec.function, spec.grid, {**spec.fixed, "sleep": 0.0})
    fresh = tmp_path / "fresh"
    sweep.run(spec2, fresh, workers=1, progress=False)
    a, b = sweep.load(out), sweep.load(fresh)
    xr.testing.assert_equal(_numeric(a), _numeric(b))  # values and coordinates
    assert a.value.dims == ("x", "y", "time") and a.total.dims == ("x", "y")


def test_failing_point_is_recorded_and_does_not_stop_the_sweep(tmp_path):
    spec = sweep.SweepSpec("sweep_points:failing_point", grid={"x": [1, 2, 3]})
    s = sweep.run(spec, tmp_path, workers=1, progress=False)
    assert (s.computed, s.failed) == (3, 1)
    ds = sweep.load(tmp_path)
    assert list(ds.status.values) == ["ok", "error", "ok"]
    assert "x = 2 is not allowed" in ds.error.sel(x=2).item()
    assert np.isnan(ds.value.sel(x=2)).all() and ds.value.sel(x=3).values.tolist() == [3, 6]


def test_records_are_data_only_with_metadata(tmp_path):
    spec = _gd_spec(20)
    sweep.run(spec, tmp_path, workers=1, progress=False)
    files = list((tmp_path / "points").iterdir())
    assert len(files) == 20
    rec = json.loads(files[0].read_text())
    assert rec["status"] == "ok" and rec["version"] and rec["wall_time"] > 0
    assert rec["seed"] in (0, 100) and rec["params"]["a"] == 1.5
    assert set(p.suffix for p in tmp_path.rglob("*") if p.is_file()) == {".json"}


def test_partial_directory_loads_with_missing_points(tmp_path):
    spec = sweep.SweepSpec("sweep_points:failing_point", grid={"x": [1, 3, 4]})
    sweep.run(spec, tmp_path, workers=1, progress=False)
    next((tmp_path / "points").iterdir()).unlink()
    ds = sweep.load(tmp_path)
    assert sorted(ds.status.values.tolist()) == ["missing", "ok", "ok"]


@pytest.mark.parametrize(
    "text, match",
    [
        ('function = "simulate.gd"\n[grid\n', "malformed TOML"),
        ("[fixed]\nP = 3\n", "missing 'function'"),
        ('function = "simulate.gd"\nbogus = 1\n', "unknown key"),
        (
            'function = "simulate.gd"\n[fixed]\nP = 3\ntimes = [1]\nfoo = 1\n'
            "a = 1.5\nb = 1.0\nM = 10\nN = 2\n",
            "unknown parameter",
        ),
        ('function = "nope"\n', "unknown sweep function"),
        ('function = "simulate.gd"\n[fixed]\nP = 3\n[grid]\nP = [1, 2]\n', "both fixed and swept"),
        ('function = "simulate.gd"\n[grid]\nP = []\n', "is empty"),
    ],
)
def test_bad_sweep_files(tmp_path, text, match):
    f = tmp_path / "s.toml"
    f.write_text(text)
    with pytest.raises(ValueError, match=match):
        sweep.read_toml(f).validate()


def test_cli_errors_and_unreachable_scheduler(tmp_path, capsys):
    from scalinglaws.cli import main

    f = tmp_path / "s.toml"
    f.write_text('function = "simulate.gd"\n[grid\n')
    assert main(["sweep", str(f), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "malformed TOML" in err and err.count("\n") == 1
    f.write_text('function = "sweep_points:failing_point"\n[grid]\nx = [1]\n')
    code = main(
        [
            "sweep",
            str(f),
            "--out",
            str(tmp_path / "o2"),
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--connect-timeout",
            "2",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach the Dask scheduler" in err and err.count("\n") == 1


def test_builtin_theory_point_functions(tmp_path):
    """The DMFT and PLRF theory curves run as sweep points (TOML-style "inf" sizes) and load
    into the same dataset values as direct calls."""
    import math

    from scalinglaws import Problem, dmft, plrf

    spec = sweep.SweepSpec(
        "dmft.loss_curve",
        grid={"N": [32, "inf"], "momentum": [0.0, 0.5]},
        fixed=dict(a=1.5, b=1.25, M=256, P=128, lr=0.5, times=[1, 10, 100], ensemble="inf"),
    )
    sweep.run(spec, tmp_path / "dmft", workers=1, progress=False)
    ds = sweep.load(tmp_path / "dmft")
    assert (ds["status"] == "ok").all()
    ref = dmft.loss_curve(
        Problem.bordelon(1.5, 1.25, 256, 32),
        128,
        [1, 10, 100],
        lr=0.5,
        momentum=0.5,
        ensemble=math.inf,
    )
    got = ds["test_loss"].sel(N=32, momentum=0.5).values
    np.testing.assert_allclose(got, ref.test_loss, rtol=1e-12)
    spec = sweep.SweepSpec(
        "plrf.loss_curve",
        grid={"d": [50, 100]},
        fixed=dict(alpha=1.0, beta=0.7, v="inf", lr=0.3, steps=1000, n_checkpoints=20),
    )
    sweep.run(spec, tmp_path / "plrf", workers=1, progress=False)
    ds = sweep.load(tmp_path / "plrf")
    ref = plrf.loss_curve(
        Problem.paquette(1.0, 0.7, math.inf, 100), lr=0.3, steps=1000, n_checkpoints=20
    )
    np.testing.assert_allclose(ds["test_loss"].sel(d=100).values, ref.test_loss, rtol=1e-12)
    with pytest.raises(ValueError, match="mix of parameter families"):
        sweep.run(
            sweep.SweepSpec(
                "plrf.loss_curve",
                grid={"d": [50]},
                fixed=dict(alpha=1.0, beta=0.7, v=200, lr=0.3, steps=10, M=3),
            ),
            tmp_path / "bad",
            workers=1,
            progress=False,
        )


# -- sweeps over schedule parameters (schedule.<key> axes) ---------------------------------------

EXAMPLE = HERE.parent / "examples" / "sweeps" / "wsd_decay.toml"


def test_example_wsd_sweep_file_reads_off_the_optimal_decay(tmp_path):
    """examples/sweeps/wsd_decay.toml (documented in the schedules tutorial) validates as it is;
    a shorter copy of it runs, each point equals a direct plrf.loss_curve call with the folded
    spec (bitwise: the same code path), and the loss-optimal decay fraction read off the
    dataset is the argmin of those direct calls."""
    from scalinglaws import plrf

    spec = sweep.read_toml(EXAMPLE)
    spec.validate()
    assert spec.fixed["schedule"] == "wsd:warmup=1000" and "schedule.decay" in spec.grid
    assert len(spec.grid["schedule.decay"]) >= 5
    short = sweep.SweepSpec(
        spec.function,
        grid={"schedule.decay": [0.05, 0.2, 0.8]},
        fixed={**spec.fixed, "v": 400, "d": 100, "steps": 20000, "schedule": "wsd:warmup=200"},
    )
    sweep.run(short, tmp_path, workers=1, progress=False)
    ds = sweep.load(tmp_path)
    final = ds.test_loss.isel(time=-1)
    direct = []
    for f in [0.05, 0.2, 0.8]:
        c = plrf.loss_curve(
            sweep.points._problem({"alpha": 1.0, "beta": 0.7, "v": 400, "d": 100}),
            lr=0.3,
            steps=20000,
            n_checkpoints=20,
            schedule=f"wsd:warmup=200,decay={f}",
        )
        direct.append(c.test_loss[-1])
        assert c.params["schedule"] == f"wsd:warmup=200,decay={f}"
    np.testing.assert_array_equal(final.values, direct)
    assert float(final.idxmin("schedule.decay")) == [0.05, 0.2, 0.8][int(np.argmin(direct))]
    assert len(set(direct)) == 3  # the axis really changes the schedule


@pytest.mark.parametrize(
    "grid, fixed, match",
    [
        ({"schedule.decay": [0.1, 1.5]}, {"schedule": "wsd"}, r"decay = 1\.5.*\(0, 1\]"),
        ({"schedule.decay": [0.1]}, {}, "need a base schedule string"),
        ({"schedule.bogus": [1]}, {"schedule": "wsd:decay=0.1"}, "unknown key 'bogus'"),
    ],
)
def test_schedule_axes_are_validated_up_front(grid, fixed, match):
    base = {"alpha": 1.0, "beta": 0.7, "v": 400, "d": 100, "lr": 0.3, "steps": 1000}
    with pytest.raises(ValueError, match=match):
        sweep.SweepSpec("plrf.loss_curve", grid=grid, fixed={**base, **fixed}).validate()
