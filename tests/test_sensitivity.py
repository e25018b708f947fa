"""Sensitivity analysis, run tiny: the indices table, the chart, and indices that mean something."""

from __future__ import annotations

import pandas as pd
import yaml

from sim.cli import main

EXPERIMENT = {
    "name": "tiny_sensitivity",
    "years": 1,
    "replications": 1,
    "seed": 5,
    "uncertain": {
        "groups.nursing.leaving.rate": {"scale": [0.5, 1.5]},
        "groups.hcsw.retire_and_return.share": {"range": [0.2, 0.6]},
    },
    "sensitivity": {"outcomes": ["leavers:nursing:2022", "fte:psychiatry:2022"], "morris_trajectories": 2,
                    "sobol_samples": 2},
}


def test_sensitivity_writes_indices_and_a_chart(tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(EXPERIMENT))
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "14 runs" in printed  # Morris 2 x (2 + 1), Sobol 2 x (2 + 2)
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == ["method", "outcome", "parameter", "index", "value", "confidence"]
    assert set(table["index"]) == {"mu_star", "sigma", "S1", "ST"}
    assert len(table) == 2 * 2 * 4
    mu = table[table["index"] == "mu_star"].set_index(["outcome", "parameter"]).value
    nursing_leaving, hcsw_return = "scale:groups.nursing.leaving.rate", "groups.hcsw.retire_and_return.share"
    assert mu["leavers:nursing:2022", nursing_leaving] > 10
    # common random numbers: a parameter that cannot reach an outcome has an effect of exactly zero
    assert mu["leavers:nursing:2022", hcsw_return] == 0.0
    assert mu["fte:psychiatry:2022", nursing_leaving] == 0.0
    assert (out / "sensitivity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sensitivity_needs_uncertain_parameters(tmp_path, capsys):
    path = tmp_path / "none.yaml"
    path.write_text(yaml.safe_dump({**EXPERIMENT, "uncertain": {}, "sensitivity": {}}))
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "uncertain: expected at least one uncertain parameter" in capsys.readouterr().err


def test_an_unknown_outcome_on_the_command_line_exits_2(tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(EXPERIMENT))
    assert main(["sensitivity", str(path), "--outcome", "fte:nursing", "--quiet"]) == 2
    assert "--outcome: outcome: expected an outcome as measure:group:year" in capsys.readouterr().err
