import json
import subprocess
import sys

import numpy as np
import pytest
import scalinglaws as sl
from scalinglaws.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_gd_json_contract(capsys):
    code, out, _ = run(
        capsys,
        "simulate",
        "gd",
        "--a",
        "1.5",
        "--b",
        "1.25",
        "--M",
        "600",
        "--N",
        "32",
        "--P",
        "64",
        "--lr",
        "0.5",
        "--times",
        "1,10,100",
        "--seeds",
        "3",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    for key in ("times", "test_loss_mean", "test_loss_sem", "train_loss_mean"):
        assert len(d[key]) == 3
    ref = sl.simulate_gd(
        sl.Problem.bordelon(1.5, 1.25, 600, 32), 64, lr=0.5, times=[1, 10, 100], seeds=3
    )
    np.testing.assert_allclose(d["test_loss_mean"], ref.test_loss, rtol=1e-12)
    np.testing.assert_allclose(d["times"], [1, 10, 100])


def test_simulate_gd_paquette_family_and_rounding(capsys):
    code, out, _ = run(
        capsys,
        "simulate",
        "gd",
        "--alpha",
        "1",
        "--beta",
        "0.7",
        "--v",
        "300",
        "--d",
        "40",
        "--P",
        "80",
        "--lr",
        "0.3",
        "--times",
        "1,10",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    assert d["steps"] == [3, 33]
    np.testing.assert_allclose(d["times"], [0.9, 9.9])


def test_simulate_sgd_json_contract(capsys):
    code, out, _ = run(
        capsys,
        "simulate",
        "sgd",
        "--alpha",
        "1.0",
        "--beta",
        "0.7",
        "--v",
        "300",
        "--d",
        "50",
        "--batch",
        "1",
        "--lr",
        "0.3",
        "--steps",
        "2000",
        "--seeds",
        "2",
        "--times",
        "777",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    assert "train_loss_mean" not in d
    assert 777 in d["times"] and d["times"][0] == 0 and d["times"][-1] == 2000
    assert len(d["test_loss_mean"]) == len(d["times"]) == len(d["test_loss_sem"])
    assert d["test_loss_mean"][0] == pytest.approx(sl.Problem.paquette(1, 0.7, 300).initial_loss)


def test_both_families_work_with_sgd(capsys):
    code, out, _ = run(
        capsys,
        "simulate",
        "sgd",
        "--a",
        "1.5",
        "--b",
        "1.25",
        "--M",
        "300",
        "--N",
        "30",
        "--batch",
        "4",
        "--lr",
        "0.5",
        "--steps",
        "100",
        "--json",
        "--sigma",
        "0.1",
    )
    assert code == 0 and json.loads(out)["test_loss_mean"][-1] > 0


@pytest.mark.parametrize(
    "args, match",
    [
        (["--a", "1.5", "--alpha", "1", "--P", "10", "--lr", "0.5"], "mix of parameter families"),
        (["--a", "1.5", "--b", "1.25", "--M", "100", "--P", "10", "--lr", "0.5"], "missing N"),
        (
            ["--a", "1.5", "--b", "1.25", "--M", "100", "--N", "10", "--P", "10", "--lr", "50"],
            "unstable",
        ),
        (
            ["--a", "1.5", "--b", "-1", "--M", "100", "--N", "10", "--P", "10", "--lr", "0.5"],
            "b must be > 0",
        ),
        (
            ["--a", "1.5", "--b", "1", "--M", "inf", "--N", "10", "--P", "10", "--lr", "0.5"],
            "inf is not allowed",
        ),
    ],
)
def test_cli_errors_are_one_line(capsys, args, match):
    code, out, err = run(capsys, "simulate", "gd", *args)
    assert code == 2 and out == ""
    assert match in err and err.count("\n") == 1 and "Traceback" not in err


def test_entry_point_runs():
    out = subprocess.run(
        [sys.executable, "-m", "scalinglaws.cli", "simulate", "gd", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "examples:" in out and "--times" in out


def test_bench_quick_prints_ratios(capsys):
    assert main(["bench", "--quick", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["benchmarks"]
    names = " ".join(r["benchmark"] for r in rows)
    for part in ("GD", "SGD", "eigendecomposition", "DMFT", "PLRF", "NTK"):
        assert part in names
    for r in rows:
        assert r["cpp_s"] > 0 and r["numpy_s"] > 0
        assert r["ratio"] == pytest.approx(r["numpy_s"] / r["cpp_s"])


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "gd", "--a", "1.5", "--b", "1.25", "--M", "100", "--N", "10", "--P", "abc"],
        [
            "dmft",
            "--a",
            "1.5",
            "--b",
            "1.25",
            "--M",
            "100",
            "--N",
            "10",
            "--P",
            "10",
            "--bags",
            "0",
        ],
        ["plrf", "loss", "--alpha", "x"],
        ["no-such-command"],
    ],
)
def test_usage_errors_are_one_line(capsys, argv):
    """argparse's own mistakes (bad types, unknown commands) are one line too, exit status 2."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == ""
    assert err.count("\n") == 1 and "error:" in err and "usage:" not in err
