import numpy as np
import pytest
from scalinglaws.cli import main
from scalinglaws.fit import fit_power_law, fit_scaling_law


def test_power_law_recovers_exponent_and_interval_covers_truth():
    rng = np.random.default_rng(0)
    x = np.logspace(0, 3, 25)
    covered = 0
    for _ in range(200):
        y = 2.5 * x**-0.65 * np.exp(rng.normal(0, 0.05, x.size))
        f = fit_power_law(x, y)
        covered += f.exponent_ci[0] <= 0.65 <= f.exponent_ci[1]
    assert abs(f.exponent - 0.65) < 0.02
    assert 0.90 <= covered / 200 <= 0.99  # 95% intervals have ~95% coverage


def test_power_law_fit_range_and_errors():
    x = np.logspace(0, 4, 40)
    y = np.where(x < 100, x**-1.0, 100**-1.0 * (x / 100) ** -0.3)
    assert fit_power_law(x, y, xmax=50).exponent == pytest.approx(1.0, abs=1e-10)
    assert fit_power_law(x, y, xmin=200).exponent == pytest.approx(0.3, abs=1e-10)
    with pytest.raises(ValueError, match="at least 3 points"):
        fit_power_law([1, 2], [1, 2])
    with pytest.raises(ValueError, match="same length"):
        fit_power_law([1, 2, 3], [1, 2])


def test_scaling_law_recovers_parameters():
    t, N = np.meshgrid(np.logspace(0, 4, 25), [16, 32, 64, 128, 256, 512])
    t, N = t.ravel(), N.ravel()
    rng = np.random.default_rng(1)
    L = (0.02 + 1.5 * t**-0.45 + 4.0 * N**-0.7) * np.exp(rng.normal(0, 0.01, t.size))
    f = fit_scaling_law(t, N, L)
    for k, v in {"L_inf": 0.02, "A": 1.5, "x": 0.45, "B": 4.0, "y": 0.7}.items():
        assert f.params[k] == pytest.approx(v, rel=0.1), k
        assert f.ci[k][0] <= v <= f.ci[k][1], k


def test_fit_cli_on_csv(tmp_path, capsys):
    import json

    x = np.logspace(0, 3, 20)
    path = tmp_path / "c.csv"
    path.write_text("t,loss\n" + "\n".join(f"{a},{3 * a**-0.4}" for a in x))
    assert main(["fit", str(path), "--x", "t", "--y", "loss", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["model"] == "power" and d["exponent"] == pytest.approx(0.4, abs=1e-9)
    assert main(["fit", str(path), "--x", "time"]) == 2
    assert "no column 'time'" in capsys.readouterr().err
