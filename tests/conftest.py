"""Shared helpers: build a scenario with its pathways in a temporary directory, with edits.

``case(scenario_edits, nursing=pathway_edits, ...)`` copies the shipped scenario and pathway
files into ``tmp_path`` (the scenario's ``pathways:`` list pointing at the copies) and applies
edits given as ``{"dotted.path": value}`` (``DELETE`` removes a key). A string instead of a
dict of edits is written as the raw text of that file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim import scenario
from sim.errors import InputError

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "sim" / "data"
SHIPPED_SCENARIO = DATA / "scenarios" / "wales-mh-2021.yaml"
PATHWAY_NAMES = ["psychiatry", "nursing", "hcsw", "psychology", "occupational_therapy", "physician_associates",
                 "social_work", "social_care"]
SCENARIO_FILE = "scenario.yaml"
DELETE = object()


def edit(data: dict, dotted: str, value) -> None:
    """Set (or, with DELETE, remove) a key given by a dotted path; keys may contain '/'."""
    *parents, last = dotted.split(".")
    for key in parents:
        data = data[key]
    if value is DELETE:
        del data[last]
    else:
        data[last] = value


def _write(path: Path, data: dict, edits) -> None:
    if isinstance(edits, str):
        path.write_text(edits, encoding="utf-8")
        return
    for dotted, value in (edits or {}).items():
        edit(data, dotted, value)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture
def case(tmp_path):
    """Build a (possibly broken) scenario in tmp_path and return the scenario file's path."""

    def build(scenario_edits=None, **pathway_edits) -> Path:
        unknown = set(pathway_edits) - set(PATHWAY_NAMES)
        assert not unknown, f"no shipped pathway {unknown}"
        for name in PATHWAY_NAMES:
            data = yaml.safe_load((DATA / "pathways" / f"{name}.yaml").read_text(encoding="utf-8"))
            _write(tmp_path / f"{name}.yaml", data, pathway_edits.get(name))
        data = yaml.safe_load(SHIPPED_SCENARIO.read_text(encoding="utf-8"))
        assert data["pathways"] == PATHWAY_NAMES
        data["pathways"] = [f"{name}.yaml" for name in PATHWAY_NAMES]
        data.pop("calibration", None)  # uncalibrated, so the calibration never overwrites an edit under test
        _write(tmp_path / SCENARIO_FILE, data, scenario_edits)
        return tmp_path / SCENARIO_FILE

    return build


def has_problem(message: str, file: str, field: str, expected: str) -> bool:
    """Whether a line of an error message reads '<...>/file: field: expected <...expected...>'."""
    for line in message.splitlines():
        where, sep, what = line.partition(": expected ")
        if sep and (where == f"{file}: {field}" or where.endswith(f"/{file}: {field}")) and expected in what:
            return True
    return False


@pytest.fixture
def load_error():
    """Assert that loading a scenario raises InputError naming file, field and expectation."""

    def check(path, file: str, field: str, expected: str) -> InputError:
        with pytest.raises(InputError) as info:
            scenario.load(path)
        assert has_problem(str(info.value), file, field, expected), str(info.value)
        return info.value

    return check


@pytest.fixture
def cli(tmp_path):
    """Run ``python -m sim ARGS`` in tmp_path; return the CompletedProcess."""

    def run(*args, cwd=None) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
        return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], cwd=cwd or tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    return run


def compiled_in(module: str, factor: int):
    """A compiled function as if defined in ``module`` (``sim.`` ones stand for the package's passes)."""
    import numba

    namespace = {"__name__": module}
    exec(f"def times(x):\n    return {factor} * x", namespace)
    return numba.njit(namespace["times"])
