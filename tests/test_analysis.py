"""Comparisons: paired differences from the baseline, their intervals, and exact zeros."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from sim import analysis, experiment, folders
from sim.cli import main

POLICIES = {
    "nothing": {"description": "a policy that changes nothing", "levers": []},
    "neutral_levers": {"description": "levers at values that change nothing",
                       "levers": [{"lever": "retention", "factor": 1.0},
                                  {"lever": "training_places", "stage": "nursing/pre_registration_degree", "extra": 0},
                                  {"lever": "training_attrition", "reduction": 0.0}]},
    "retain_nurses": {"levers": [{"lever": "retention", "groups": ["nursing"], "factor": 0.7}]},
    # support workers: vacancies, not supply, bind (more available changes nothing); OTs: the supply binds
    "recruit_support_workers": {"levers": [{"lever": "recruitment", "groups": ["hcsw"], "extra_per_year": 300}]},
    "recruit_ots_faster": {"levers": [{"lever": "recruitment", "groups": ["occupational_therapy"],
                                       "fill_per_month": 1.0}]},
    # no cap: recruits in posts funded for them; more apprenticeship places than support workers: the pool caps them
    "campaign_funded": {"levers": [{"lever": "recruitment", "groups": ["nursing"], "extra_per_year": 40,
                                    "source": "international", "funded": True}]},
    "apprentices_beyond_the_pool": {"levers": [{"lever": "in_service_route", "stage": "hcsw/nursing_apprenticeship",
                                                "places": {2021: 20000}}]},
}
UNCAPPED = ("nothing", "neutral_levers", "retain_nurses", "campaign_funded")


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("compare")
    path = tmp / "compare.yaml"
    path.write_text(yaml.safe_dump({"name": "compare", "years": 2, "replications": 2, "seed": 3,
                                    "policies": POLICIES}))
    out = tmp / "out"
    experiment.batch(experiment.load(path), out=out, workers=2, quiet=True)
    return out


def test_a_policy_that_changes_nothing_differs_from_the_baseline_by_exactly_zero(results):
    table = analysis.compare(results, "fte")
    for policy in ("nothing", "neutral_levers"):
        rows = table[table.policy == policy]
        assert len(rows) > 0
        for column in ("diff_mean", "diff_low", "diff_high", "diff_ci_low", "diff_ci_high"):
            assert (rows[column] == 0.0).all(), (policy, column)
        base = table[table.policy == "baseline"].set_index(["group", "year"])["mean"]
        assert (rows.set_index(["group", "year"])["mean"] == base).all()


def test_a_policy_acts_only_where_it_is_aimed(results):
    table = analysis.compare(results, "leavers")
    retained = table[(table.policy == "retain_nurses") & (table.year == table.year.max())].set_index("group")
    assert retained.loc["nursing", "diff_high"] < 0
    others = retained.drop(index=["nursing", "total"])
    assert (others.diff_mean == 0).all() and (others.diff_low == 0).all() and (others.diff_high == 0).all()
    assert retained.loc["total", "diff_mean"] == pytest.approx(retained.loc["nursing", "diff_mean"])


def test_a_recruitment_lever_that_a_cap_cancels_says_so(results, capsys):
    notes = analysis.capped_recruitment(results)
    (hcsw,) = [n for n in notes if n.startswith("recruit_support_workers: hcsw:")]
    assert "vacancies cap recruitment" in hcsw and "a year unused (recruits_unused)" in hcsw
    unused = analysis.run_values(results, "recruits_unused")
    assert unused.query("policy == 'recruit_support_workers' and group == 'hcsw'").value.mean() > 100
    assert (unused.query("policy in @UNCAPPED").value == 0).all()
    assert any(n.startswith("recruit_ots_faster: occupational_therapy:") and "available a year" in n for n in notes)
    assert not any(n.startswith(UNCAPPED) for n in notes)
    assert main(["compare", str(results), "--out", str(results / "c.csv")]) == 0
    assert "workforce: warning: recruit_support_workers: hcsw:" in capsys.readouterr().err


def test_training_places_a_cap_leaves_unfilled_say_so(results, capsys):
    notes = analysis.unfilled_places(results)
    assert len(notes) == 1 and notes[0].startswith("apprentices_beyond_the_pool: hcsw/nursing_apprenticeship:")
    assert "the in-service route's pool is too small" in notes[0]
    runs = folders.read_runs(results, ["places_unfilled"], group_rows_only=False)
    assert set(runs.policy) == {"apprentices_beyond_the_pool"} and (runs.value > 0).all()
    assert set(runs.reason) == {"in_service_pool"} and set(runs.stage) == {"hcsw/nursing_apprenticeship"}
    assert analysis.cap_warnings(results) == analysis.capped_recruitment(results) + notes
    experiment_file = results.parent / "compare.yaml"  # the batch again: every run is there, and it warns
    assert main(["batch", str(experiment_file), "--out", str(results), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "workforce: warning: apprentices_beyond_the_pool: hcsw/nursing_apprenticeship:" in err
    assert not any(f"warning: {policy}:" in err for policy in UNCAPPED)


def write_runs(out: Path, values: dict[str, list[float]], final_year: int = 2030) -> None:
    """Hand-made run tables: one group, one year, a value per replication for each policy (a test may add
    years to its manifest's ``final_year``)."""
    (out / "runs").mkdir(parents=True)
    for policy, column in values.items():
        (out / "runs" / policy).mkdir()
        for r, value in enumerate(column):
            pd.DataFrame({"policy": policy, "parameter_set": 0, "replication": r, "seed": r,
                          "year": 2030, "date": "2030-03", "group": "nurses", "stage": "all",
                          "measure": ["joiners", "joiners", "headcount"], "reason": ["intake", "joined:elsewhere", ""],
                          "unit": ["people_per_year", "people_per_year", "people"],
                          "value": [value - 1.0, 1.0, 100.0]}).to_parquet(out / "runs" / policy / f"p000-r{r:04d}.parquet")
    (out / "manifest.json").write_text(json.dumps({
        "experiment": "hand_made", "scenario": "wales-mh-2021", "scenario_file": "", "start": "2030-03",
        "final_year": final_year, "seed": 0, "replication_seeds": list(range(max(map(len, values.values())))),
        "policies": {policy: [] for policy in values},
        "runs": len(values) * max(map(len, values.values()))}))  # planned, as a batch writes it (some may be missing)


def test_means_intervals_and_paired_differences_match_their_definitions(tmp_path):
    base = [10.0, 20.0, 30.0, 40.0, 50.0]
    policy = [13.0, 21.0, 35.0, 41.0, 58.0]
    write_runs(tmp_path, {"baseline": base, "policy": policy})
    row = analysis.compare(tmp_path, "joiners").query("policy == 'policy' and group == 'nurses'").iloc[0]
    diff = np.subtract(policy, base)
    assert row.runs == 5
    assert row["mean"] == pytest.approx(np.mean(policy))  # flows are summed over their reasons
    assert (row.low, row.high) == pytest.approx(tuple(np.quantile(policy, [0.05, 0.95])))
    assert row.diff_mean == pytest.approx(diff.mean())
    assert (row.diff_low, row.diff_high) == pytest.approx(tuple(np.quantile(diff, [0.05, 0.95])))
    half = stats.t.ppf(0.95, 4) * diff.std(ddof=1) / np.sqrt(5)
    assert (row.diff_ci_low, row.diff_ci_high) == pytest.approx((diff.mean() - half, diff.mean() + half))
    # paired, not two independent samples: the pairing gives a much narrower interval than the spread of either
    assert row.diff_ci_high - row.diff_ci_low < row.high - row.low


def test_runs_without_a_baseline_twin_are_left_out(tmp_path):
    write_runs(tmp_path, {"baseline": [1.0, 2.0], "policy": [2.0, 4.0, 100.0]})
    row = analysis.compare(tmp_path, "joiners").query("policy == 'policy' and group == 'nurses'").iloc[0]
    assert row.runs == 2 and row.diff_mean == pytest.approx(1.5)


def test_compare_command_prints_and_writes_the_comparison(results, capsys):
    assert main(["compare", str(results), "--groups", "nursing", "total"]) == 0
    out, err = capsys.readouterr()
    assert "retain_nurses" in out and "nursing" in out and "difference from the baseline" in out
    written = pd.read_csv(results / "comparison-fte.csv")
    assert {"policy", "group", "year", "measure", "runs", "mean", "low", "high", "diff_mean", "diff_low",
            "diff_high", "diff_ci_low", "diff_ci_high"} <= set(written.columns)
    assert set(written.policy) == {"baseline", *POLICIES}


def test_compare_rejects_what_is_not_a_results_directory(tmp_path, capsys):
    assert main(["compare", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_a_flow_without_events_counts_as_zero_not_as_a_missing_run(tmp_path):
    write_runs(tmp_path, {"baseline": [4.0, 6.0], "policy": [5.0, 7.0]}, final_year=2031)
    for policy in ("baseline", "policy"):  # a stock row per run, and a year in which one run had no joiners
        for r in (0, 1):
            path = tmp_path / "runs" / policy / f"p000-r{r:04d}.parquet"
            table = pd.read_parquet(path)
            later = table[table.measure == "headcount"].assign(year=2031)
            if not (policy == "baseline" and r == 0):
                later = pd.concat([later, table.iloc[:1].assign(year=2031, value=3.0)])
            pd.concat([table, later]).to_parquet(path)
    table = analysis.compare(tmp_path, "joiners").set_index(["policy", "group", "year"])
    row = table.loc[("policy", "nurses", 2031)]
    assert row.runs == 2 and row.diff_mean == pytest.approx(1.5)  # (3 - 0) and (3 - 3)
    assert table.loc[("baseline", "nurses", 2031), "mean"] == pytest.approx(1.5)


def test_one_run_has_no_confidence_interval_and_says_so_rather_than_nan(tmp_path):
    """One replication (or one run left of a pair) gives no interval of the mean difference: the
    printed table says so in words, never 'nan'."""
    write_runs(tmp_path, {"baseline": [4.0], "policy": [5.0]})
    table = analysis.compare(tmp_path, "joiners")
    row = table.query("policy == 'policy' and group == 'nurses'").iloc[0]
    assert row.runs == 1 and row.diff_mean == pytest.approx(1.0)
    text = analysis.format_comparison(table)
    assert "nan" not in text.lower() and "none (one run)" in text


def test_a_flow_no_run_has_is_zero_in_every_year_after_the_start(tmp_path):
    """Nobody joined in any run: the comparison is of zeros, not a folder said to lack its baseline runs."""
    write_runs(tmp_path, {"baseline": [4.0, 6.0], "policy": [5.0, 7.0]}, final_year=2031)
    for path in (tmp_path / "runs").glob("*/*.parquet"):
        table = pd.read_parquet(path)
        stock = table[table.measure == "headcount"]
        pd.concat([stock, stock.assign(year=2031, date="2031-03")]).to_parquet(path)
    table = analysis.compare(tmp_path, "leavers")
    assert set(table.year) == {2031} and set(table.policy) == {"baseline", "policy"}
    assert (table[["mean", "diff_mean"]] == 0.0).all().all() and (table.runs == 2).all()
    assert set(analysis.compare(tmp_path, "substituted_fte").year) == {2030, 2031}


def test_a_flow_that_starts_late_is_zero_in_the_years_before_it(tmp_path):
    """Joiners only from 2033 on (a lever starting then): 2031 and 2032 are zeros, not years left out."""
    write_runs(tmp_path, {"baseline": [4.0, 6.0], "policy": [5.0, 7.0]}, final_year=2033)
    for path in (tmp_path / "runs").glob("*/*.parquet"):
        table = pd.read_parquet(path)
        stock, flows = table[table.measure == "headcount"], table[table.measure == "joiners"]
        pd.concat([stock, *(stock.assign(year=y, date=f"{y}-03") for y in (2031, 2032, 2033)),
                   flows.assign(year=2033, date="2033-03")]).to_parquet(path)
    table = analysis.compare(tmp_path, "joiners").query("group == 'nurses'")
    assert sorted(set(table.year)) == [2031, 2032, 2033]
    assert (table[table.year < 2033]["mean"] == 0.0).all() and (table[table.year == 2033]["mean"] > 0).all()
