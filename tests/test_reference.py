"""The object-per-agent Mesa reference (benchmarks/reference_mesa.py) and the package agree.

Both run the same scenario (the default restricted to psychiatry and nursing, no joiners) over
the same seeds; they draw their random numbers differently, so they can only agree in
distribution. For each stage and each yearly snapshot, the mean headcount (and FTE) over the
seeds of one must be within ``Z`` standard errors of the difference (from the between-seed
spread of both) plus a small absolute slack of the other's. The second test shows that this
comparison fails when one implementation gets a process wrong: the package is run with
training attrition, LTFT training or retire-and-return switched off in its compiled scenario,
against the same reference runs.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from sim import WorkforceModel
from sim import scenario as scenario_module

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SEEDS = range(8)
YEARS = 6  # snapshots at the start and after each of 6 years
Z = 4.0  # standard errors allowed
SLACK = 2.0  # people (or FTE) allowed on top


def _reference_module():
    name = "reference_mesa"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def reduced(tmp_path_factory) -> Path:
    return _reference_module().reduced_scenario(tmp_path_factory.mktemp("reduced"), years=YEARS)


def _yearly(series) -> np.ndarray:
    return np.array([np.asarray(x, dtype=float) for x in series[::12]])


@pytest.fixture(scope="module")
def reference_runs(reduced) -> dict[str, np.ndarray]:
    """Stage headcount and FTE, shaped (seed, year, stage), of the reference."""
    runs = [_reference_module().ReferenceModel(reduced, rng=seed).run().datacollector.model_vars for seed in SEEDS]
    return {measure: np.stack([_yearly(r[measure]) for r in runs]) for measure in ("stage_headcount", "stage_fte")}


def package_runs(scenario) -> dict[str, np.ndarray]:
    """Stage headcount and FTE, shaped (seed, year, stage), of the package."""
    runs = [WorkforceModel(scenario=scenario, rng=seed).run().history for seed in SEEDS]
    return {measure: np.stack([_yearly([h[measure] for h in r]) for r in runs])
            for measure in ("stage_headcount", "stage_fte")}


def disagreements(package: dict, reference: dict, stages: list[str]) -> list[str]:
    """Cells (measure, stage, year) whose means differ by more than Z standard errors plus SLACK."""
    out = []
    for measure in package:
        a, b = package[measure], reference[measure]
        diff = a.mean(axis=0) - b.mean(axis=0)
        se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))
        for year, stage in np.argwhere(np.abs(diff) > Z * se + SLACK):
            out.append(f"{measure} {stages[stage]} year {year}: package {a[:, year, stage].mean():.1f}, "
                       f"reference {b[:, year, stage].mean():.1f}, allowed +-{Z * se[year, stage] + SLACK:.1f}")
    return out


def test_reference_and_package_agree_on_stocks_by_stage_and_year(reduced, reference_runs):
    s = scenario_module.load(reduced)
    package = package_runs(reduced)
    assert package["stage_headcount"].shape == reference_runs["stage_headcount"].shape == (len(SEEDS), YEARS + 1,
                                                                                           len(s.stages))
    # the comparison means something: thousands of people, stocks that move, seeds that differ
    assert reference_runs["stage_headcount"][:, 0].sum(axis=1).min() > 7000
    assert (reference_runs["stage_headcount"].std(axis=0) > 0).sum() > 40
    assert (np.abs(package["stage_headcount"][:, -1] - package["stage_headcount"][:, 0]).mean(axis=0) > 20).sum() >= 3
    assert disagreements(package, reference_runs, s.stages) == []


def _without(what: str, s: scenario_module.Scenario) -> scenario_module.Scenario:
    if what == "attrition":
        s.stage_attrition = np.zeros_like(s.stage_attrition)
    elif what == "ltft":
        s.stage_ltft_share = np.zeros_like(s.stage_ltft_share)
    elif what == "retire_and_return":
        s.return_share = np.zeros_like(s.return_share)
    return s


@pytest.mark.parametrize("what, stage", [("attrition", "nursing/pre_registration_degree"),
                                         ("ltft", "psychiatry/foundation"),
                                         ("retire_and_return", "nursing/registered_nurse")])
def test_the_comparison_fails_when_a_process_is_wrong(reduced, reference_runs, what, stage):
    s = scenario_module.load(reduced)
    wrong = package_runs(_without(what, scenario_module.load(reduced)))
    found = disagreements(wrong, reference_runs, s.stages)
    assert any(f" {stage} " in line for line in found), found
