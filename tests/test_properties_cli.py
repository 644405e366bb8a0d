"""Property-based reliability tests of the CLI (the contract of tests/_contract.py): every
``scalinglaws ...`` call exits 0 with JSON without NaN/inf (``--json``), or exits != 0 with one
line on stderr and nothing on stdout; never a traceback, never a hang."""

from __future__ import annotations

from typing import List

import numpy as np
from _contract import EXAMPLES, cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

NUM = st.one_of(
    st.floats(-2, 5).map(lambda x: f"{x:.6g}"),
    st.sampled_from(
        ["0", "1", "1.5", "2", "nan", "inf", "-inf", "1e308", "-1", "1e-300", "x", "", "1,2", "3.5"]
    ),
)
SIZE = st.one_of(
    st.integers(1, 600).map(str),
    st.sampled_from(["0", "-3", "inf", "1e10", "1e300", "x", "2.5", "1"]),
)
TIMES = st.one_of(
    st.lists(st.floats(0, 1e4).map(lambda x: f"{x:.4g}"), min_size=1, max_size=4).map(",".join),
    st.sampled_from(["1e30", "1,1e300", "nan", "-1", ",", "x", "0", "1e9"]),
)


def flags(spec: dict) -> st.SearchStrategy:
    """Optional flags: each of ``spec`` (flag -> value strategy or None for a switch) or absent."""
    parts = []
    for flag, strat in spec.items():
        if strat is None:
            parts.append(st.sampled_from([[], [flag]]))
        else:
            parts.append(st.one_of(st.just([]), strat.map(lambda v, f=flag: [f, v])))
    return st.tuples(*parts).map(lambda xs: [a for x in xs for a in x])


def _run(argv: List[str]) -> None:
    cli(argv)


@SETTINGS
@given(
    argv=flags(
        {
            "--a": NUM,
            "--b": NUM,
            "--M": SIZE,
            "--N": SIZE,
            "--P": SIZE,
            "--lr": NUM,
            "--flow": None,
            "--batch": SIZE,
            "--momentum": NUM,
            "--times": TIMES,
            "--method": st.sampled_from(["auto", "recipe", "contour"]),
            "--final": None,
            "--ensemble": SIZE,
            "--exponents": None,
            "--json": None,
            "--sigma": NUM,
        }
    )
)
def test_cli_dmft(argv):
    _run(["dmft"] + argv)


@SETTINGS
@given(
    sub=st.sampled_from(["spectrum", "loss", "phase"]),
    argv=flags(
        {
            "--alpha": NUM,
            "--beta": NUM,
            "--v": SIZE,
            "--d": SIZE,
            "--lr": NUM,
            "--steps": SIZE,
            "--batch": SIZE,
            "--checkpoints": SIZE,
            "--empirical": None,
            "--json": None,
            "--lr-convention": st.sampled_from(["sum", "mean"]),
        }
    ),
)
def test_cli_plrf(sub, argv):
    if sub == "phase":
        argv = [
            a
            for a in argv
            if a
            not in (
                "--v",
                "--d",
                "--lr",
                "--steps",
                "--batch",
                "--checkpoints",
                "--empirical",
                "--lr-convention",
            )
        ]
    if sub == "spectrum":
        argv = [
            a
            for a in argv
            if a
            not in ("--lr", "--steps", "--batch", "--checkpoints", "--empirical", "--lr-convention")
        ]
    _run(["plrf", sub] + _clean(argv))


def _clean(argv: List[str]) -> List[str]:
    """Drop the values left behind by removed flags (a value that follows a value)."""
    out: List[str] = []
    for a in argv:
        if out and not a.startswith("--") and not out[-1].startswith("--"):
            continue
        out.append(a)
    return out


@SETTINGS
@given(
    sub=st.sampled_from(["gd", "sgd"]),
    argv=flags(
        {
            "--a": NUM,
            "--b": NUM,
            "--M": SIZE,
            "--N": SIZE,
            "--P": SIZE,
            "--lr": NUM,
            "--steps": SIZE,
            "--batch": SIZE,
            "--times": TIMES,
            "--seeds": SIZE,
            "--json": None,
            "--flow": None,
        }
    ),
)
def test_cli_simulate(sub, argv):
    if sub == "gd":
        argv = _clean([a for a in argv if a not in ("--steps", "--batch")])
    else:
        argv = _clean([a for a in argv if a not in ("--P", "--flow")])
    _run(["simulate", sub] + argv)


@SETTINGS
@given(
    content=st.sampled_from(
        [
            "",
            "x",
            "a = nan\n",
            "function = 'dmft.loss_curve'\n[grid]\na = [nan]\n",
            "function = 'nope'\n",
            "function = 'dmft.loss_curve'\n[fixed]\na=1.5\nb=1.2\nM=64\nN=8\n"
            "P=16\nlr=0.5\ntimes=[1,2]\n[grid]\nN=[4,'x']\n",
            "[[[",
            "function = 3\n",
        ]
    ),
    extra=flags({"--json": None, "--list-functions": None, "--workers": SIZE}),
)
def test_cli_sweep(tmp_path_factory, content, extra):
    d = tmp_path_factory.mktemp("sw")
    f = d / "s.toml"
    f.write_text(content)
    _run(["sweep", str(f), "--out", str(d / "out"), "--quiet"] + extra)


@SETTINGS
@given(
    content=st.sampled_from(
        [
            "",
            "t,loss\n",
            "t,loss\n1,2\n2,1\n3,x\n",
            'a\n"\n',
            "t,loss\n1,1\n2,0.5\n4,0.25\n8,0.125\n16,0.06\n",
            "\x00\x01",
            "t,loss\n1,nan\n2,inf\n3,1\n4,1\n",
        ]
    ),
    argv=flags(
        {
            "--model": st.sampled_from(["power", "scaling"]),
            "--json": None,
            "--xmin": NUM,
            "--confidence": NUM,
        }
    ),
)
def test_cli_fit_files(tmp_path_factory, content, argv):
    f = tmp_path_factory.mktemp("fit") / "d.csv"
    f.write_text(content)
    _run(["fit", str(f)] + argv)


@SETTINGS
@given(
    kind=st.sampled_from(["empty", "garbage", "noK", "good", "nan", "dir", "missing"]),
    argv=flags(
        {
            "--kernel": st.sampled_from(["ntk", "rbf"]),
            "--depth": SIZE,
            "--bootstrap": SIZE,
            "--b-range": st.sampled_from(["1,5", "x", "5,1", "1"]),
            "--json": None,
            "--max-n": SIZE,
        }
    ),
)
def test_cli_spectrum(tmp_path_factory, kind, argv):
    d = tmp_path_factory.mktemp("spec")
    f = d / "k.npz"
    rng = np.random.default_rng(0)
    if kind == "empty":
        f.write_bytes(b"")
    elif kind == "garbage":
        f.write_bytes(b"PK\x03\x04garbage")
    elif kind == "noK":
        np.savez(f, z=np.ones(3))
    elif kind == "good":
        np.savez(f, X=rng.normal(size=(40, 3)), y=rng.normal(size=40))
    elif kind == "nan":
        np.savez(f, X=np.full((10, 2), np.nan), y=np.ones(10))
    elif kind == "dir":
        f.mkdir()
    _run(["spectrum", str(f)] + argv)


def test_cli_misc():
    for argv in (
        ["sweep", "--list-functions", "--json"],
        ["sweep", "--list-functions"],
        ["reproduce", "--list", "--json"],
        ["reproduce", "nope"],
        ["nope"],
        ["dmft", "--a", "2", "--b", "1.5", "--exponents", "--json"],
        ["dmft", "--a", "1", "--b", "1", "--exponents", "--json"],
    ):
        cli(argv)
