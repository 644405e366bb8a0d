"""Every registered figure reproduces in quick mode: a non-empty PNG, data files that load without
pickle and match a fresh call, and the figure's own independent check of its data."""

import json

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from scalinglaws.figures import FIGURES, figure_ids, reproduce  # noqa: E402

IDS = figure_ids()


@pytest.mark.parametrize("fid", IDS)
def test_reproduce_quick(fid, tmp_path):
    paths = reproduce(fid, tmp_path, quick=True)
    png = paths["png"].read_bytes()
    assert len(png) > 5000 and png[:8] == b"\x89PNG\r\n\x1a\n"
    meta = json.loads(paths["json"].read_text())
    assert meta["id"] == fid and meta["quick"] is True
    assert meta["seconds"] < 60, f"{fid} --quick took {meta['seconds']:.0f} s"
    with np.load(paths["npz"], allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    assert data, "the figure wrote no arrays"
    for k, v in data.items():
        assert not (np.issubdtype(v.dtype, np.floating) and np.isnan(v).all()), k
    spec = FIGURES[fid]
    if spec.verify is not None:
        spec.verify({**meta["scalars"], **data})


def test_cli_list_and_unknown(capsys):
    from scalinglaws.cli import main

    assert main(["reproduce", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["figures"]
    assert [f["id"] for f in listed] == IDS
    assert main(["reproduce", "no-such-figure"]) == 2
    assert "unknown figure" in capsys.readouterr().err
