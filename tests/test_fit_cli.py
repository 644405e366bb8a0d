"""`scalinglaws fit --law chinchilla|isoflop`: the JSON contract, determinism, one-line errors."""

import json

import numpy as np
import pytest
from scalinglaws.cli import main

TRUE = {"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}


def _law(N, D):
    return TRUE["E"] + TRUE["A"] * N ** -TRUE["alpha"] + TRUE["B"] * D ** -TRUE["beta"]


@pytest.fixture
def runs_csv(tmp_path):
    rng = np.random.default_rng(0)
    N = 10 ** rng.uniform(6.5, 10, 80)
    D = 10 ** rng.uniform(8.5, 12, 80)
    L = _law(N, D) * np.exp(rng.normal(0, 0.01, 80))
    path = tmp_path / "runs.csv"
    path.write_text(
        "params,tokens,final_loss\n"
        + "\n".join(f"{n:.17g},{d:.17g},{y:.17g}" for n, d, y in zip(N, D, L))
    )
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


FAST = ("--grid", "coarse", "--jobs", "1", "--bootstrap", "30")


def test_chinchilla_json_contract_and_determinism(runs_csv, capsys):
    argv = (
        "fit",
        runs_csv,
        "--law",
        "chinchilla",
        "--N",
        "params",
        "--D",
        "tokens",
        "--loss",
        "final_loss",
        "--seed",
        "3",
        *FAST,
        "--json",
    )
    code, out, _ = run(capsys, *argv)
    assert code == 0
    d = json.loads(out)
    assert d["law"] == "chinchilla" and d["n_points"] == 80 and d["bootstrap"] == 30
    assert set(d["params"]) == set(TRUE) == set(d["ci"])
    for k in TRUE:
        lo, hi = d["ci"][k]
        assert lo <= d["params"][k] <= hi
    al = d["allocation"]
    s = d["params"]["alpha"] + d["params"]["beta"]
    assert al["a"] == pytest.approx(d["params"]["beta"] / s)
    assert al["b"] == pytest.approx(d["params"]["alpha"] / s)
    assert al["a_ci"][0] <= al["a"] <= al["a_ci"][1] and al["b_ci"][0] <= al["b"] <= al["b_ci"][1]
    assert al["G"] > 0
    assert run(capsys, *argv)[1] == out  # same seed -> identical JSON


def test_chinchilla_fix_keeps_all_params(runs_csv, capsys):
    code, out, _ = run(
        capsys,
        "fit",
        runs_csv,
        "--law",
        "chinchilla",
        "--N",
        "params",
        "--D",
        "tokens",
        "--loss",
        "final_loss",
        "--fix",
        "E=1.7",
        *FAST,
        "--json",
    )
    d = json.loads(out)
    assert code == 0 and d["params"]["E"] == 1.7 and d["ci"]["E"] == [1.7, 1.7]
    assert set(d["params"]) == set(TRUE)


def test_chinchilla_holdout_and_budgets(runs_csv, capsys):
    code, out, _ = run(
        capsys,
        "fit",
        runs_csv,
        "--law",
        "chinchilla",
        "--N",
        "params",
        "--D",
        "tokens",
        "--loss",
        "final_loss",
        "--max-N",
        "3e9",
        "--budgets",
        "1e21,1e23",
        *FAST,
        "--json",
    )
    d = json.loads(out)
    assert code == 0 and d["holdout"]["n_train"] + d["holdout"]["n_test"] == 80
    assert len(d["allocation_at"]["N_opt"]) == 2


def test_isoflop_json_contract(tmp_path, capsys):
    rows = []
    rng = np.random.default_rng(1)
    a = TRUE["beta"] / (TRUE["alpha"] + TRUE["beta"])
    G = (TRUE["alpha"] * TRUE["A"] / (TRUE["beta"] * TRUE["B"])) ** (
        1 / (TRUE["alpha"] + TRUE["beta"])
    )
    for C in np.logspace(18, 21, 4):
        for n in G * (C / 6) ** a * np.logspace(-0.7, 0.7, 7):
            d = C / (6 * n)
            rows.append(
                f"{n:.17g},{d:.17g},{_law(n, d) * np.exp(rng.normal(0, 0.002)):.17g},{C:.17g}"
            )
    path = tmp_path / "iso.csv"
    path.write_text("N,D,loss,C\n" + "\n".join(rows))
    for extra in ([], ["--flops", "C"]):
        code, out, _ = run(
            capsys,
            "fit",
            path,
            "--law",
            "isoflop",
            "--N",
            "N",
            "--D",
            "D",
            "--loss",
            "loss",
            *extra,
            "--json",
        )
        d = json.loads(out)
        assert code == 0 and d["law"] == "isoflop" and len(d["budgets"]) == 4
        assert len(d["N_opt"]) == len(d["D_opt"]) == 4
        assert d["a"] == pytest.approx(a, abs=0.03) and d["a_ci"][0] <= a <= d["a_ci"][1]
        assert d["b_ci"][0] <= 1 - a <= d["b_ci"][1]


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--D", "tokenz"], "no column 'tokenz' (columns: params, tokens, final_loss)"),
        (["--fix", "gamma=1"], "--fix 'gamma=1'"),
        (["--bootstrap", "-1"], "--bootstrap must be >= 0"),
    ],
)
def test_chinchilla_errors_are_one_line(runs_csv, capsys, argv, match):
    base = {"--N": "params", "--D": "tokens", "--loss": "final_loss"}
    for i in range(0, len(argv), 2):
        base[argv[i]] = argv[i + 1]
    flat = [x for kv in base.items() for x in kv]
    code, out, err = run(capsys, "fit", runs_csv, "--law", "chinchilla", *flat, "--json")
    assert code == 2 and out == "" and match in err and err.count("\n") == 1


def test_bad_tables_are_one_line(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    code, out, err = run(capsys, "fit", missing, "--law", "chinchilla", "--json")
    assert code == 2 and out == "" and "nope.csv" in err and err.count("\n") == 1
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "N,D,loss\n"
        + "\n".join(f"{1e8 * (i + 1)},{1e10},{'nan' if i == 2 else 3.0}" for i in range(10))
    )
    code, out, err = run(capsys, "fit", bad, "--law", "chinchilla", "--json")
    assert code == 2 and out == "" and "loss must be finite" in err and err.count("\n") == 1
    few = tmp_path / "few.csv"
    few.write_text("N,D,loss\n1e8,1e10,3\n2e8,1e10,2.9\n4e8,2e10,2.8\n")
    code, out, err = run(capsys, "fit", few, "--law", "chinchilla", "--json")
    assert code == 2 and out == "" and "at least 6" in err


def test_power_and_scaling_gain_bootstrap(tmp_path, capsys):
    x = np.logspace(0, 3, 20)
    rng = np.random.default_rng(2)
    path = tmp_path / "c.csv"
    path.write_text(
        "t,loss\n" + "\n".join(f"{a},{3 * a**-0.4 * np.exp(rng.normal(0, 0.02))}" for a in x)
    )
    code, out, _ = run(
        capsys, "fit", path, "--x", "t", "--y", "loss", "--bootstrap", "200", "--json"
    )
    d = json.loads(out)
    assert code == 0 and d["ci_method"] == "bootstrap-percentile"
    assert d["exponent_ci"][0] <= 0.4 <= d["exponent_ci"][1]
