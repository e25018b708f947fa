"""Results: tidy tables, written files and the manifest."""

import json

import pandas as pd
import pytest

from conftest import has_problem
from sim import run, scenario
from sim.errors import InputError


def test_tidy_table_has_one_row_per_year_group_measure():
    results = run(seed=1, until=2024)
    tidy = results.tidy()
    assert list(tidy.columns) == ["year", "date", "group", "stage", "measure", "reason", "unit", "value"]
    group_rows = tidy[(tidy.stage == "all") & (tidy.reason == "")]
    assert not group_rows.duplicated(["year", "group", "measure"]).any()
    assert set(group_rows.year) == {2021, 2022, 2023, 2024}
    assert {"headcount", "fte", "vacancies_fte", "establishment_fte", "welsh_speaking_fte"} <= set(tidy.measure)
    flows = tidy[tidy.measure.isin(["joiners", "leavers"])]
    assert (flows.unit == "people_per_year").all() and (flows.year > 2021).all()
    # yearly flows reconcile with the change in headcount
    head = group_rows[group_rows.measure == "headcount"].pivot(index="year", columns="group", values="value")
    net = flows.assign(sign=flows.measure.map({"joiners": 1, "leavers": -1})).eval("v = value * sign")
    net = net.pivot_table(index="year", columns="group", values="v", aggfunc="sum")
    assert (head.diff().loc[2022:] - net.loc[2022:]).abs().max().max() == 0


def test_group_values_are_the_tidy_tables_rows_of_the_staff_groups_by_key():
    results = run(seed=1, until=2024)
    tidy = results.tidy()
    groups = tidy[tidy.stage == "all"]
    expected = {(g, m, y, r): v for g, m, y, r, v in zip(groups.group, groups.measure, groups.year, groups.reason,
                                                         groups.value)}
    assert len(expected) == len(groups)  # one row a key
    assert results.group_values() == expected


def test_a_run_shares_the_compiled_scenario_only_when_asked():
    compiled = scenario.compiled(scenario.DEFAULT)
    shared = run(compiled, seed=3, until=2023, parameters="fixed", share=True)
    copied = run(compiled, seed=3, until=2023, parameters="fixed")
    assert shared.model.inputs is compiled and copied.model.inputs is not compiled
    pd.testing.assert_frame_equal(shared.tidy(), copied.tidy())
    with pytest.raises(InputError) as error:
        run(compiled, seed=3, until=2023, share="no")
    assert has_problem(str(error.value), "run", "share", "True or False")


def test_write_saves_tables_extra_files_and_manifest(tmp_path):
    results = run(seed=2, until=2023)
    paths = results.write(tmp_path / "out", extra={"note.txt": lambda p: p.write_text("kept")})
    assert pd.read_csv(paths["csv"]).shape == pd.read_parquet(paths["parquet"]).shape
    assert paths["note.txt"].read_text() == "kept" and list(paths)[-1] == "manifest"
    manifest = json.loads(paths["manifest"].read_text())
    assert manifest["seed"] == 2 and manifest["scenario"] == "wales-mh-2021" and len(manifest["scenario_sha256"]) == 64
    assert manifest["input_files"] == scenario.input_files(results.scenario)  # scenario, calibration, posterior,
    assert len(manifest["input_files"]) == 3 + len(results.scenario.pathway_names) + 1  # pathways, population
    assert not list((tmp_path / "out").glob(".*tmp*"))
    events = pd.read_parquet(paths["events"])
    assert {"person_id", "month", "from_stage", "to_stage", "reason"} == set(events.columns)


@pytest.mark.parametrize("parameters", ["posterior", "fixed"])
def test_the_manifest_records_the_overrides_a_run_was_given(tmp_path, parameters):
    """With a posterior's draw (the default), the overrides went into the scenario drawn for the seed, and the
    manifest said none were given: results that did not say what produced them."""
    overrides = {"groups.hcsw.joiners.per_year": 300}
    results = run(seed=2, until=2022, overrides=overrides, parameters=parameters)
    assert results.overrides == overrides and results.model.inputs.spec.groups["hcsw"].joiners.per_year == 300
    assert json.loads(results.write(tmp_path / "out")["manifest"].read_text())["overrides"] == overrides


def test_yearly_collection_gives_the_same_yearly_tables_as_monthly():
    from sim import WorkforceModel
    from sim.results import Results

    monthly = WorkforceModel(rng=4, until=2024, collect="monthly").run()
    yearly = WorkforceModel(rng=4, until=2024, collect="yearly").run()
    assert len(monthly.history) == 37 and [r["month"] for r in yearly.history] == [r["month"] for r in monthly.history[::12]]
    assert Results(yearly, seed=4).tidy().equals(Results(monthly, seed=4).tidy())
    assert len(yearly.datacollector.get_model_vars_dataframe()) == 4


@pytest.mark.parametrize("seed", [-1, 1.5, "abc", None])
def test_a_seed_that_is_not_a_whole_number_from_0_is_refused_naming_the_argument(seed):
    with pytest.raises(InputError) as error:
        run(seed=seed, until=2022)
    assert has_problem(str(error.value), "run", "seed", "a whole number from 0")


def test_summary_of_a_measure_the_groups_do_not_have_names_the_measures_they_have():
    with pytest.raises(InputError) as error:
        run(seed=1, until=2022).summary("ftee")
    assert has_problem(str(error.value), "summary", "measure", "a measure of the staff groups (")


@pytest.mark.parametrize("person_id", ["abc", 3.5, True])  # True was person 1
def test_timeline_of_an_id_that_is_not_a_whole_number_is_refused_not_rounded(person_id):
    with pytest.raises(InputError) as error:
        run(seed=1, until=2022).timeline(person_id)
    assert has_problem(str(error.value), "ID", "id", "a person id from 0 to")


@pytest.mark.parametrize("parameters", ["central", None, 1])
def test_parameters_that_are_neither_posterior_nor_fixed_are_an_input_error(parameters):
    # a ValueError before
    with pytest.raises(InputError) as error:
        run(seed=1, until=2022, parameters=parameters)
    assert has_problem(str(error.value), "run", "parameters", "one of posterior, fixed")


def test_a_run_ending_between_anniversaries_of_its_start_is_refused_before_anything_runs(tmp_path, capsys):
    """The tables are yearly, at each anniversary of the start: the months after the last were left out of every
    table in silence. Refused by a run, by the command before it runs, and by an experiment as it loads."""
    import tiny_scenario
    from sim import experiment
    from sim.cli import main

    path = tiny_scenario.write(tmp_path, {"end": "2022-09"})  # the tiny scenario starts 2020-03
    expected = "a month a whole number of years after start (2020-03)"
    with pytest.raises(InputError) as raised:
        run(path)
    assert has_problem(str(raised.value), "tiny.yaml", "end", expected)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert has_problem(capsys.readouterr().err, "tiny.yaml", "end", expected)
    assert not (tmp_path / "out").exists()
    plan = tmp_path / "e.yaml"
    plan.write_text(json.dumps({"name": "e", "scenario": "tiny.yaml", "replications": 1, "seed": 1, "policies": {
        "keep": {"levers": [{"lever": "retention", "groups": ["staff"], "factor": 0.9, "start": "2021-01"}]}}}))
    with pytest.raises(InputError) as raised:
        experiment.load(plan)
    assert has_problem(str(raised.value), "tiny.yaml", "end", expected)
    assert run(tiny_scenario.write(tmp_path, {"end": "2022-03"})).tidy().year.max() == 2022  # an anniversary runs


def test_an_extra_file_named_as_a_key_of_the_runs_own_paths_is_refused(tmp_path):
    """``write`` returns the run's own files by key (``csv``, ``manifest``...): an extra file under one of those
    names would be returned in their place."""
    results = run(seed=1, until=2022)
    with pytest.raises(InputError) as raised:
        results.write(tmp_path / "out", extra={"csv": lambda p: p.write_text("mine")})
    assert has_problem(str(raised.value), "Results.write", "extra", "names of files the run does not write itself")
    assert not (tmp_path / "out").exists()
