"""Calibration: recovers known parameter values from data the model itself generated, and its
parameter file is what a scenario then uses."""

from __future__ import annotations

import copy
import platform
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import tiny_scenario
from conftest import has_problem
from sim import calibration, calibration_report, scenario
from sim.results import run

SHIPPED = "wales-mh-v18"
TRUE = {"groups.staff.leaving.rate": 0.10, "groups.staff.joiners.per_year": 150.0,
        "transitions.course/student.worker": 0.6}


def write_tiny(directory, **values):
    """The tiny scenario with 2,000 staff, leaving and recruitment, two parameters marked uncertain."""
    data = copy.deepcopy(tiny_scenario.SCENARIO)
    staff = data["groups"]["staff"]
    staff["leaving"]["rate"] = values.get("leaving", TRUE["groups.staff.leaving.rate"])
    # graduates' posts made for them: recruits filling every vacancy within the month would leave them none
    staff["establishment"] = {"vacancies_fte": 400.0, "growth_per_year": 0.0, "over_establishment": True}
    staff["joiners"] = {"per_year": values.get("per_year", TRUE["groups.staff.joiners.per_year"]),
                        "fill_per_month": 1.0, "stages": {"course/worker": 1.0}, "sources": {"market": 1.0},
                        "age": [[25, 45, 1.0]]}
    data["stocks"]["course/worker"]["headcount"] = 2000
    data["end"] = "2025-03"
    # a choice share: 200 students a year, a share of whose graduates take a post (the others leave)
    data["intake"]["course/student"]["places"] = {2019: 200}
    data["stocks"]["course/student"] = {"headcount": 400, "age": [[18, 22, 1.0]]}
    data["transitions"] = {"course/student": {"worker": values.get("share", TRUE["transitions.course/student.worker"])}}
    data["uncertain"] = {"groups.staff.leaving.rate": {"range": [0.02, 0.3]},
                         "groups.staff.joiners.per_year": {"range": [0.0, 400.0]},
                         "transitions.course/student.worker": {"range": [0.2, 0.9]}}
    pathway = copy.deepcopy(tiny_scenario.PATHWAY)
    pathway["stages"]["student"]["transitions"] = {"worker": 0.5, "exit:elsewhere": 0.5}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "course.yaml").write_text(yaml.safe_dump(pathway, sort_keys=False))
    path = directory / "tiny.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


TARGETS = {
    "headcount_change": {"kind": "change", "group": "staff", "measure": "headcount", "years": [2020, 2025]},
    "leaver_rate": {"kind": "flow_rate", "group": "staff", "flow": "leavers", "years": [2022, 2023, 2024, 2025]},
    "joiner_rate": {"kind": "flow_rate", "group": "staff", "flow": "joiners", "years": [2022, 2023, 2024, 2025]},
    "graduate_rate": {"kind": "flow_rate", "group": "staff", "flow": "joiners", "reasons": ["progressed"],
                      "years": [2022, 2023, 2024, 2025]},
}


SMALL = {"population": 40, "generations": 6, "max_runs": 2000, "seed": 1, "check_replications": 3}


def history(directory, targets=TARGETS, fit=tuple(TRUE), settings=SMALL) -> Path:
    """A calibration file whose targets are the mean of four runs at the true values (seeds the fit
    never uses); each target's sd is at least the spread of those runs (the noise a fit cannot explain)."""
    path = write_tiny(directory)
    model_targets = {name: calibration.Target(value=0.0, sd=1.0, source="test", **t) for name, t in targets.items()}
    observed = [calibration.statistics(run(path, seed=seed), model_targets) for seed in range(500, 504)]
    config = {"name": "tiny", "scenario": "tiny.yaml", "fit": list(fit), "targets": {}, "settings": dict(settings)}
    for name, t in targets.items():
        value = float(np.mean([o[name] for o in observed]))
        config["targets"][name] = {**t, "value": value, "sd": max(abs(value) * 0.08, float(np.std([o[name] for o in observed])), 1e-3), "source": "the model"}
    (directory / "history.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return directory / "history.yaml"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    directory = tmp_path_factory.mktemp("calibration")
    summary = calibration.calibrate(history(directory), out_dir=directory / "out", quiet=True)
    return directory, summary


def test_a_fit_lets_go_of_its_blocks_databases_without_a_word(tmp_path, caplog):
    """Each block's generations are kept in SQLite in memory, closed by the block's own thread: SQLite refuses a
    connection closed from another, which the database's library logs as an error (printed with its traceback on
    standard error) as the fit's objects are freed."""
    import gc
    import logging

    config = history(tmp_path, settings={**SMALL, "population": 20, "generations": 2})
    with caplog.at_level(logging.WARNING):
        calibration.calibrate(config, out_dir=tmp_path / "out", quiet=True, workers=1)
        gc.collect()
    assert [record.levelname for record in caplog.records] == []


def test_fits_into_one_folder_at_once_write_a_version_each_and_the_later_one_is_said(tmp_path):
    config = history(tmp_path, settings={**SMALL, "population": 20, "generations": 1})
    out = tmp_path / "out"
    out.mkdir()
    (out / "tiny-v1-posterior.csv").write_text("")  # a fit writing holds v1: the next writes v2 beside it
    summary = calibration.calibrate(config, out_dir=out, quiet=True, workers=1)
    assert summary["parameters"].name == "tiny-v2.yaml" and "--version v2" in summary["parameters"].read_text()
    assert (out / "tiny-v1-posterior.csv").read_text() == ""
    (out / "tiny-v3.yaml").write_text("another fit's")  # written while this one ran, as the version it was given
    with pytest.raises(calibration.folders.WriteError) as info:
        calibration.calibrate(config, out_dir=out, version="v3", quiet=True, workers=1)
    assert "another wrote v3" in str(info.value) and "kept whole as v4, in tiny-v4.yaml" in str(info.value)
    assert (out / "tiny-v3.yaml").read_text() == "another fit's" and not (out / "tiny-v3-posterior.csv").exists()
    assert "--version v4" in (out / "tiny-v4.yaml").read_text() and len(pd.read_csv(out / "tiny-v4-posterior.csv")) == 20


def test_calibration_recovers_parameters_from_model_generated_history(fitted):
    directory, summary = fitted
    for key, truth in TRUE.items():
        f = summary["fitted"][key]
        low, high = f["interval_90"]
        assert low <= truth <= high, key  # the truth lies in the posterior's 90% interval
        assert high - low < 0.8 * (f["prior_interval_90"][1] - f["prior_interval_90"][0]), key  # the history taught it
    leaving = summary["fitted"]["groups.staff.leaving.rate"]
    assert leaving["median"] == pytest.approx(TRUE["groups.staff.leaving.rate"], rel=0.15)
    # the posterior's draws reproduce the history better than the prior's shipped values
    spec = calibration.load(directory / "history.yaml")[0]
    after = calibration.loss({k: v[0] for k, v in summary["after"].items()}, spec.targets)
    assert after < calibration.loss({k: v[0] for k, v in summary["before"].items()}, spec.targets)


def test_calibration_writes_a_posterior_that_a_scenario_draws_from(fitted):
    directory, summary = fitted
    assert summary["parameters"].name == "tiny-v1.yaml" and summary["report"].name == "tiny-v1-report.md"
    document = yaml.safe_load(summary["parameters"].read_text())
    assert set(document["overrides"]) == set(TRUE) and set(document["targets"]) == set(TARGETS)
    assert document["posterior"] == "tiny-v1-posterior.csv" and document["parameter_sets"] == 40
    table = pd.read_csv(summary["posterior"])
    assert list(table.columns) == ["weight", *TRUE] and len(table) == 40
    report = summary["report"].read_text()
    assert "| headcount_change |" in report and "`groups.staff.leaving.rate`" in report
    assert "## Prior and posterior" in report and "## Correlations" in report and summary["figure"].is_file()
    assert "workforce calibrate" in summary["parameters"].read_text()
    # what a rerun is bit for bit with: the versions of the libraries the proposals are drawn with
    import pyabc
    import scipy

    versions = {"numpy": np.__version__, "scipy": scipy.__version__, "pyabc": pyabc.__version__}
    blas = document["libraries"].pop("blas")
    assert document["libraries"] == {"python": platform.python_version(), **versions} and blas != "none found"
    assert (f"bit for bit with numpy {np.__version__}, scipy {scipy.__version__}, pyabc {pyabc.__version__} and "
            f"BLAS {blas} (") in report
    assert calibration.next_version(directory / "out", "tiny") == "v2"
    data = yaml.safe_load((directory / "tiny.yaml").read_text())
    data["calibration"] = "out/tiny-v1.yaml"
    (directory / "calibrated.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    # loaded plainly: the central set, which is one of the posterior's sets
    s = scenario.load(directory / "calibrated.yaml")
    assert len(s.posterior) == 40 and s.parameter_set is None
    assert s.joiners_per_year[0] == pytest.approx(document["overrides"]["groups.staff.joiners.per_year"])
    assert document["overrides"]["groups.staff.joiners.per_year"] in set(table["groups.staff.joiners.per_year"])
    # a replication runs the set its seed draws: the same for the same seed, different across seeds
    sets = [s.posterior.index(seed) for seed in range(20)]
    assert sets == [s.posterior.index(seed) for seed in range(20)] and len(set(sets)) > 5
    results = run(directory / "calibrated.yaml", seed=3)
    assert results.scenario.parameter_set == sets[3] and results.manifest()["parameter_set"] == sets[3]
    assert results.scenario.joiners_per_year[0] == pytest.approx(table["groups.staff.joiners.per_year"][sets[3]])
    assert run(directory / "calibrated.yaml", seed=3, parameters="fixed").scenario.parameter_set is None
    # the caller's overrides still win, and `calibration: null` loads the shipped values
    assert scenario.load(directory / "calibrated.yaml", {"groups.staff.joiners.per_year": 7.0}).joiners_per_year[0] == 7.0
    assert scenario.load(directory / "calibrated.yaml", {"calibration": None}).joiners_per_year[0] == 150.0


def test_the_posterior_is_the_same_file_with_any_number_of_workers_and_on_dask(tmp_path):
    small = {"population": 12, "generations": 2, "max_runs": 400, "seed": 5, "check_replications": 2}
    config = history(tmp_path, fit=["groups.staff.leaving.rate", "groups.staff.joiners.per_year"], settings=small)
    one = calibration.calibrate(config, out_dir=tmp_path / "one", quiet=True, workers=1)
    two = calibration.calibrate(config, out_dir=tmp_path / "two", quiet=True, workers=2)
    dask = calibration.calibrate(config, out_dir=tmp_path / "dask", quiet=True, workers=2, scheduler="local")
    assert one["posterior"].read_bytes() == two["posterior"].read_bytes() == dask["posterior"].read_bytes()
    other = calibration.calibrate(config, out_dir=tmp_path / "other", quiet=True, workers=1, seed=6)
    assert other["posterior"].read_bytes() != one["posterior"].read_bytes()  # the seed is what it depends on


def test_calibrate_command_writes_the_files_and_bad_input_exits_2(tmp_path, capsys):
    from sim.cli import main

    path = write_tiny(tmp_path)
    config = {"name": "tiny", "scenario": "tiny.yaml", "fit": ["groups.staff.leaving.rate"],
              "targets": {"leavers": {**TARGETS["leaver_rate"], "value": 0.1, "sd": 0.01, "source": "test"}},
              "settings": {"population": 10, "generations": 2, "check_replications": 2}}
    (tmp_path / "history.yaml").write_text(yaml.safe_dump(config))
    assert main(["calibrate", str(tmp_path / "history.yaml"), "--max-runs", "100", "--quiet",
                 "--out-dir", str(tmp_path / "out"), "--version", "test"]) == 0
    out = capsys.readouterr().out
    assert "calibration: tiny-test" in out and (tmp_path / "out" / "tiny-test.yaml").is_file()
    assert (tmp_path / "out" / "tiny-test-report.md").is_file()
    assert (tmp_path / "out" / "tiny-test-posterior.csv").is_file()
    # a parameter that the scenario does not mark uncertain is an input error naming the field
    config["fit"] = ["groups.staff.retirement.rate"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(config))
    assert main(["calibrate", str(tmp_path / "bad.yaml")]) == 2
    assert "bad.yaml: fit.0: expected a key listed under the scenario's uncertain:" in capsys.readouterr().err
    assert main(["calibrate", str(tmp_path / "history.yaml"), "--population", "0"]) == 2
    assert "--population: population: expected at least 10" in capsys.readouterr().err  # the settings' minimum
    assert path.is_file()


def test_a_budget_of_runs_below_a_generation_is_refused_naming_the_setting_that_makes_it(tmp_path, capsys,
                                                                                         monkeypatch):
    """The first generation draws population sets from the priors whatever the budget: a max_runs below it was
    spent past in silence, and the posterior written was the priors."""
    from sim.cli import main

    monkeypatch.setattr(calibration.inference, "fit", lambda *a, **k: pytest.fail("fitted"))
    config = history(tmp_path, settings={**SMALL, "population": 40, "max_runs": 39})
    with pytest.raises(calibration.InputError) as error:
        calibration.load(config)
    assert has_problem(str(error.value), str(config), "settings.max_runs", "at least population (40): the first "
                                                                           "generation runs that many")
    history(tmp_path)  # population 40, max_runs 2000
    assert main(["calibrate", str(config), "--max-runs", "20", "--out-dir", str(tmp_path / "out")]) == 2
    assert "--max-runs: max_runs: expected at least population (40)" in capsys.readouterr().err
    assert main(["calibrate", str(config), "--population", "3000", "--out-dir", str(tmp_path / "out")]) == 2
    assert f"{config}: settings.max_runs: expected at least population (3,000)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_name_too_long_for_the_fits_files_exits_2_naming_it_before_the_fit(tmp_path, capsys):
    """The fit's files are named <name>-<version>-posterior.csv and so on: a name (or --version) the file
    system cannot hold was refused only once the fit was done."""
    from sim.cli import main

    write_tiny(tmp_path)
    config = {"name": "c" * 300, "scenario": "tiny.yaml", "fit": ["groups.staff.leaving.rate"],
              "targets": {"leavers": {**TARGETS["leaver_rate"], "value": 0.1, "sd": 0.01, "source": "test"}},
              "settings": {"population": 10, "generations": 2, "check_replications": 2}}
    (tmp_path / "history.yaml").write_text(yaml.safe_dump(config))
    out = ["--out-dir", str(tmp_path / "out"), "--quiet"]
    assert main(["calibrate", str(tmp_path / "history.yaml"), *out]) == 2
    assert has_problem(capsys.readouterr().err, "history.yaml", "name", "a name of at most")
    (tmp_path / "history.yaml").write_text(yaml.safe_dump({**config, "name": "c" * 150}))
    assert main(["calibrate", str(tmp_path / "history.yaml"), "--version", "v" * 100, *out]) == 2
    assert has_problem(capsys.readouterr().err, "--version", "version", "a name of at most")
    assert not list((tmp_path / "out").glob("*"))


def test_shipped_calibration_is_a_posterior_of_at_least_1000_sets_that_the_default_scenario_draws_from():
    spec, scenario_path = calibration.load(calibration.DEFAULT_CONFIG)
    assert scenario_path.name == "wales-mh-2015.yaml"
    assert len(spec.fit) >= 8 and len(spec.targets) == 13
    s = scenario.load("wales-mh-2021")
    assert s.spec.calibration == SHIPPED  # the default scenario uses the latest shipped calibration
    fitted = yaml.safe_load((calibration.CALIBRATION_DIR / f"{SHIPPED}.yaml").read_text())
    assert set(fitted["fitted"]) == set(spec.fit) and set(fitted["targets"]) == set(spec.targets)
    assert len(s.posterior) >= 1000 and fitted["parameter_sets"] == len(s.posterior)
    per_year = fitted["overrides"]["groups.psychiatry.joiners.per_year"]
    assert s.joiners_per_year[s.group_code("psychiatry")] == pytest.approx(per_year)
    share = fitted["overrides"]["transitions.nursing/pre_registration_degree.registered_nurse"]
    assert s.graph.edges["nursing/pre_registration_degree", "nursing/registered_nurse"]["probability"] == share
    # the file says which parameters and targets were fitted together, and how far each got
    blocks = fitted["diagnostics"]["blocks"]
    assert sorted(k for b in blocks for k in b["parameters"]) == sorted(spec.fit)
    assert all(b["generations"] and b["epsilon"] > 0 for b in blocks)


def test_a_fitted_parameter_no_target_moves_is_refused(tmp_path):
    """A second group, with a fitted leaving rate and no target: its fit would be its prior, and the central set's
    draw of it would replace the scenario's value."""
    path = write_tiny(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["groups"]["other"] = {k: v for k, v in copy.deepcopy(data["groups"]["staff"]).items() if k != "joiners"}
    data["pathways"].append("other.yaml")
    data["stocks"]["other/post"] = {"headcount": 200, "age": [[30, 50, 1.0]]}
    data["uncertain"]["groups.other.leaving.rate"] = {"range": [0.02, 0.3]}
    path.write_text(yaml.safe_dump(data))
    (tmp_path / "other.yaml").write_text(yaml.safe_dump({"name": "other", "stages": {
        "post": {"staff_group": "other", "entry": True}}}))
    config = {"name": "tiny", "scenario": "tiny.yaml", "fit": ["groups.staff.leaving.rate", "groups.other.leaving.rate"],
              "targets": {"leaver_rate": {**TARGETS["leaver_rate"], "value": 0.05, "sd": 0.01, "source": "test"}}}
    (tmp_path / "history.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(calibration.InputError) as info:
        calibration.check(tmp_path / "history.yaml")
    assert has_problem(str(info.value), "history.yaml", "fit.1", "a parameter a target moves"), str(info.value)
    config["fit"] = config["fit"][:1]
    (tmp_path / "history.yaml").write_text(yaml.safe_dump(config))
    calibration.check(tmp_path / "history.yaml")


def test_fit_splits_into_independent_blocks_through_staff_groups():
    spec, scenario_path = calibration.load(calibration.DEFAULT_CONFIG)
    s = scenario.load(scenario_path, {"calibration": None})
    parts = calibration.blocks(spec.fit, spec.targets, s)
    by_target = {name: [spec.fit[i] for i in idx] for idx, names in parts for name in names}
    assert sorted(n for _, names in parts for n in names) == sorted(spec.targets)  # every target in one block
    # support workers train as nurses (an in-service intake and a transition): one block
    assert set(by_target["nursing_over_55"]) == {k for k in spec.fit if ".nursing" in k or ".hcsw" in k}
    assert by_target["hcsw_fte_change"] == by_target["nursing_fte_change"]
    assert "transitions.nursing/pre_registration_degree.registered_nurse" in by_target["nursing_fte_change"]
    assert by_target["psychiatry_fte_change"] == ["groups.psychiatry.leaving.rate",
                                                  "groups.psychiatry.joiners.per_year"]
    assert set(by_target["social_work_leaver_rate"]) == {k for k in spec.fit if "social_work" in k}
    share = "transitions.physician_associates/pa_course.physician_associate"  # graduates taking a MH post
    assert by_target["physician_associates_in_post"] == [share]
    assert len(parts) == 5
    # groups no pathway links are separate blocks; a key naming no group links everything
    assert len(calibration.blocks(["groups.psychiatry.leaving.rate", "groups.nursing.leaving.rate"], {}, s)) == 2
    assert len(calibration.blocks(["mho_end", "groups.psychiatry.leaving.rate", "groups.nursing.leaving.rate"],
                                  {}, s)) == 1


def test_evaluate_repeats_the_fits_check_without_refitting(fitted):
    directory, summary = fitted
    parameters = summary["parameters"]
    result = calibration.evaluate(parameters, directory / "history.yaml")
    # the same fresh seeds and the same posterior draws: the report's targets table, figure for figure
    assert result["before"] == summary["before"] and result["after"] == summary["after"]
    report = summary["report"].read_text()
    assert result["table"].startswith("## Targets: simulated mean and 90% interval over 3 fresh replications")
    assert result["table"] in report
    spec = calibration.load(directory / "history.yaml")[0]
    assert result["check_loss"] == pytest.approx(calibration.loss({k: v[0] for k, v in summary["after"].items()},
                                                                  spec.targets), rel=1e-12)
    # fewer fresh runs, other seeds: a different check, and the file's settings are not changed by it
    fewer = calibration.evaluate(parameters, directory / "history.yaml", check_replications=2, seed=7)
    assert fewer["check_replications"] == 2 and fewer["after"] != summary["after"]
    assert "over 2 fresh replications" in fewer["table"]


def test_calibrate_evaluate_command_prints_the_table_and_bad_input_exits_2(fitted, tmp_path, capsys):
    from sim.cli import main

    directory, summary = fitted
    history, parameters = str(directory / "history.yaml"), summary["parameters"]
    assert main(["calibrate", history, "--evaluate", str(parameters), "--check-replications", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Calibration tiny-v1: evaluated without refitting")
    assert "over the 2 fresh replications" in out and "over 2 fresh replications" in out
    assert "| headcount_change |" in out and "| leaver_rate |" in out

    def fails(*argv, parameter_file=None):
        file = str(parameter_file or parameters)
        assert main(["calibrate", history, "--evaluate", file, *argv]) == 2
        return capsys.readouterr().err

    def written(change: dict, name="bad-v1.yaml"):
        document = yaml.safe_load(parameters.read_text())
        for key, value in change.items():
            section, _, field = key.partition(".")
            if field:
                document[section][field] = value
            else:
                document[key] = value
        (tmp_path / name).write_text(yaml.safe_dump(document, sort_keys=False))
        return tmp_path / name

    err = fails(parameter_file=tmp_path / "nosuch-v1.yaml")
    assert "nosuch-v1.yaml: <top level>: expected an existing calibration parameter file or a shipped one's name" in err
    assert SHIPPED in err and "history-2015-2021" not in err
    err = fails(parameter_file=written({"settings.seed": "zero"}))
    assert "bad-v1.yaml: settings.seed: expected a valid integer" in err
    err = fails(parameter_file=written({"overrides": {}}))
    assert "bad-v1.yaml: overrides: expected a mapping of dotted scenario keys to fitted values (found {})" in err
    err = fails(parameter_file=written({"overrides.groups.staff.nosuch": 1.0}))
    # with a posterior, a key it did not fit is refused as such (its draws would not set it)
    assert "bad-v1.yaml: overrides.groups.staff.nosuch: expected a fitted parameter of the file" in err
    err = fails(parameter_file=written({"posterior": None, "overrides.groups.staff.nosuch": 1.0}))
    assert "bad-v1.yaml: overrides.groups.staff.nosuch: expected an existing field to override" in err
    err = fails(parameter_file=written({"calibration": "other"}))
    assert "bad-v1.yaml: calibration: expected the name of the history it is checked against (tiny" in err
    err = fails(parameter_file=directory / "history.yaml")  # the history is not a parameter file
    assert "history.yaml: <top level>: expected a calibration parameter file, not another kind of input file " \
           "(found 'a history-targets file (it has fit:)')" in err
    assert "--check-replications: check_replications: expected at least 2 (found 1)" in fails("--check-replications", "1")
    assert "--population: population: expected no fitting option with --evaluate" in fails("--population", "3")
    assert "--out-dir: out_dir: expected no fitting option" in fails("--out-dir", str(tmp_path))


def test_evaluate_refuses_a_central_set_outside_the_fits_bounds_before_any_run(tmp_path):
    """A copy of the shipped parameter file whose nurses leave at 0.9 a year in every age band (15 times the
    shipped rate, against a fit searching 0.3 to 1.6 times it): refused as loading a scenario refuses it."""
    import shutil

    from sim.errors import InputError

    shutil.copy(calibration.CALIBRATION_DIR / f"{SHIPPED}-posterior.csv", tmp_path)
    document = yaml.safe_load((calibration.CALIBRATION_DIR / f"{SHIPPED}.yaml").read_text())
    key = "groups.nursing.leaving.rate"
    document["overrides"][key] = [0.9] * 8
    (tmp_path / f"{SHIPPED}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    with pytest.raises(InputError) as info:
        calibration.evaluate(tmp_path / f"{SHIPPED}.yaml")
    assert has_problem(str(info.value), f"{SHIPPED}.yaml", f"overrides.{key}", "times a factor within the bounds the "
                                                                               "fit searched, [0.3, 1.6]"), \
        str(info.value)


def test_a_stopped_calibration_ends_its_workers_at_once_and_writes_nothing(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    from conftest import REPO

    write_tiny(tmp_path)
    config = {"name": "tiny", "scenario": "tiny.yaml", "fit": ["groups.staff.leaving.rate"],
              "targets": {"leavers": {**TARGETS["leaver_rate"], "value": 0.1, "sd": 0.01, "source": "test"}},
              "settings": {"check_replications": 2}}
    (tmp_path / "history.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "sim", "calibrate", "history.yaml", "--workers", "2",
                                "--population", "2000", "--quiet", "--out-dir", "out"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        workers = []
        for _ in range(600):  # the workers are busy once they exist (a fork server and two workers)
            time.sleep(0.1)
            workers = psutil.Process(process.pid).children(recursive=True)
            if len(workers) >= 3:
                break
        time.sleep(2)
        assert workers and process.poll() is None, process.stderr.read()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=5)  # not after the generation of runs under way
    finally:
        if process.poll() is None:
            process.kill()
    err = process.stderr.read()
    assert process.returncode == 128 + signal.SIGTERM, err
    assert err.strip() == "workforce: stopped by SIGTERM; nothing more was written"
    psutil.wait_procs(workers, timeout=5)
    assert [w.pid for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE] == []
    assert not (tmp_path / "out").exists()


def test_a_bound_target_adds_to_the_loss_only_beyond_its_bound():
    at_least = calibration.Target(kind="reason_share", group="g", value=0.19, sd=0.05, source="test",
                                  years=[2021], reasons=["retired"], bound="at_least")
    assert at_least.error(0.40) == 0.0 and at_least.error(0.19) == 0.0
    assert at_least.error(0.09) == pytest.approx(-2.0)
    at_most = at_least.model_copy(update={"bound": "at_most"})
    assert at_most.error(0.09) == 0.0 and at_most.error(0.29) == pytest.approx(2.0)
    plain = at_least.model_copy(update={"bound": None})
    assert plain.error(0.29) == pytest.approx(2.0) and plain.error(0.09) == pytest.approx(-2.0)
    assert calibration.loss({"a": 0.40, "b": 0.29}, {"a": at_least, "b": plain}) == pytest.approx(4.0)


@pytest.mark.parametrize("source", ["F§5 table 3 | row 2", "F§5 nurses over 55\n(folded: ends in a line break)\n"])
def test_a_targets_source_is_one_cell_of_the_reports_table(source):
    """A ``|`` in a source ended its cell, and a line break its row, so the report's table came apart."""
    import re
    from types import SimpleNamespace

    target = calibration.Target(kind="level", group="staff", value=100.0, sd=10.0, source=source, years=[2021])
    spec = SimpleNamespace(targets={"staff_fte": target, "other_fte": target})
    figures = {"staff_fte": (100.0, 90.0, 110.0), "other_fte": (100.0, 90.0, 110.0)}
    lines = "\n".join(calibration_report.targets_table(spec, 10, figures, figures)).split("\n")  # as written
    table = lines[lines.index(next(line for line in lines if line.startswith("| target"))):]
    assert len(table) == 4 and all(line.startswith("|") and line.endswith("|") for line in table)
    cells = [re.split(r"(?<!\\)\|", line)[1:-1] for line in table]
    assert {len(row) for row in cells} == {6}
    assert " ".join(source.split()) == cells[2][-1].strip().replace("\\|", "|")


@pytest.mark.parametrize("target, field, expected", [
    ({"kind": "age_share", "group": "staff", "at_least": 55, "value": 22}, "value", "a share in [0, 1]"),
    ({"kind": "reason_share", "group": "staff", "reasons": ["retierd"], "years": [2022, 2023], "value": 0.2},
     "reasons", "reasons the model records for scenario tiny ("),
    ({**TARGETS["leaver_rate"], "years": [2020, 2021], "value": 0.1}, "years",
     "its years of flows (to a yearly snapshot after the start): 2021 to 2025"),
    ({**TARGETS["headcount_change"], "years": [2015, 2021], "value": 0.1}, "years",
     "years within the run of scenario tiny (2020-03 to 2025-03"),
    ({**TARGETS["headcount_change"], "relative": True, "value": -1.5}, "", "a relative change of -1 (all gone) or more"),
    ({"kind": "level", "group": "staff", "measure": "vacancy_rate", "years": [2025], "value": 9}, "",
     "a vacancy rate in [0, 1]"),
    ({"kind": "level", "group": "staff", "measure": "vacancy_rate", "years": [2021, 2025], "value": 0.09}, "",
     "years: [year] (one) for a level"),
    ({"kind": "level", "group": "staff", "measure": "vacancy_rate", "years": [2026], "value": 0.09}, "years",
     "its yearly snapshots: 2020 to 2025"),
    ({"kind": "level", "group": "staff", "stage": "course/worker", "years": [2025], "value": 900.0}, "",
     "only the keys a level target reads (group, value, sd, source, bound, measure, years), not stage"),
    ({"kind": "reason_share", "group": "staff", "flow": "joiners", "reasons": ["progressed"], "years": [2022],
      "value": 0.5}, "", "only the keys a reason_share target reads"),
    ({"kind": "age_share", "group": "staff", "at_least": 55, "years": [2022], "value": 0.2}, "",
     "only the keys an age_share target reads (group, value, sd, source, bound, at_least, below, stage), not years"),
    # the youngest age there is: a share of 0 (or 1) in every run, which no parameter moves
    ({"kind": "age_share", "group": "staff", "below": 16, "value": 0.05}, "",
     "an age share's age above 16 (nobody in the model is younger: the share would be 0 in every run)"),
    ({"kind": "age_share", "group": "staff", "at_least": 16.0, "value": 0.9}, "", "the share would be 1 in every run"),
    # a reason only the other flow has: the statistic was 0 in every run, and the fit chased it in silence
    ({"kind": "reason_share", "group": "staff", "reasons": ["retired", "intake"], "years": [2022], "value": 0.2},
     "reasons", "reasons of leavers (a reason_share target counts leavers only)"),
    ({**TARGETS["joiner_rate"], "reasons": ["left:elsewhere"], "value": 0.1}, "reasons",
     "reasons of joiners (a flow_rate target counts joiners only)"),
    # ages beyond the group's maximum (70), or not above the youngest anyone in it can be (18, the intake's):
    # the share is 0 (or 1) in every run, whatever the parameters
    ({"kind": "age_share", "group": "staff", "at_least": 80, "value": 0.01}, "at_least",
     "an age above 18 (the youngest anyone in group staff can be) and at most 70 (group staff's retirement.max_age: "
     "nobody is older): the share would be 0 in every run"),
    ({"kind": "age_share", "group": "staff", "below": 75, "value": 0.99}, "below", "the share would be 1 in every run"),
    ({"kind": "age_share", "group": "staff", "below": 18, "value": 0.01}, "below", "the share would be 0 in every run"),
    ({"kind": "age_share", "group": "staff", "stage": "course/student", "at_least": 17.5, "value": 0.9}, "at_least",
     "an age above 18 (the youngest anyone in stage course/student can be)"),
    # a bound no run is on the far side of: the target added nothing to the loss, in silence
    ({"kind": "reason_share", "group": "staff", "reasons": ["retired"], "years": [2022], "value": 0.0,
      "bound": "at_least"}, "", "value: a bound a run may fall short of (every reason_share statistic is at least 0)"),
    ({"kind": "age_share", "group": "staff", "at_least": 55, "value": 1.0, "bound": "at_most"}, "",
     "(every age_share statistic is at most 1), or no bound"),
    ({**TARGETS["leaver_rate"], "value": 0.0, "bound": "at_least"}, "", "every flow_rate statistic is at least 0"),
    ({**TARGETS["headcount_change"], "relative": True, "value": -1.0, "bound": "at_least"}, "",
     "every change statistic is at least -1"),
], ids=["a percentage for a share", "a misspelt reason", "flows before the start", "a change before the run",
        "more than all gone", "a percentage for a vacancy rate", "a level of two years", "a level after the run",
        "a level of a stage", "a reason share of joiners", "an age share of a year", "an age share below 16",
        "an age share from 16", "a reason share of a joiner's reason", "a joiner rate of a leaver's reason",
        "an age share past the maximum age", "an age share below an age past the maximum",
        "an age share below the youngest", "a stage's age share from its youngest", "a share at least 0",
        "a share at most 1", "a rate at least 0", "a relative change at least -1"])
def test_a_history_target_the_scenario_cannot_give_is_refused_naming_its_field(tmp_path, target, field, expected):
    write_tiny(tmp_path)
    config = {"name": "tiny", "scenario": "tiny.yaml", "fit": ["groups.staff.leaving.rate"],
              "targets": {"t": {"sd": 0.01, "source": "test", **target}}}
    (tmp_path / "history.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(calibration.InputError) as error:
        calibration.load(tmp_path / "history.yaml")
    problem = error.value.problems[0]
    assert problem.file.endswith("history.yaml") and problem.field == ".".join(filter(None, ["targets.t", field]))
    assert expected in problem.expected


@pytest.mark.parametrize("edit, field, expected", [
    ({"settings": {"generation": 2}}, "settings.generation", "(unknown key; there is generations here)"),
    ({"targets": {"t": {**TARGETS["leaver_rate"], "value": 0.1, "sd": 0.01, "sourc": "test"}}}, "targets.t.sourc",
     "(unknown key; there is source here)"),
    ({"colour": "red"}, "colour", "no such key here (unknown key)"),
], ids=["a setting", "a target's key", "a key close to none"])
def test_an_unknown_key_of_a_history_file_is_named_with_the_close_key_of_its_section(tmp_path, edit, field, expected):
    write_tiny(tmp_path)
    config = {"name": "tiny", "scenario": "tiny.yaml", "fit": ["groups.staff.leaving.rate"],
              "targets": {"t": {**TARGETS["leaver_rate"], "value": 0.1, "sd": 0.01, "source": "test"}}, **edit}
    (tmp_path / "history.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(calibration.InputError) as error:
        calibration.load(tmp_path / "history.yaml")
    assert has_problem(str(error.value), "history.yaml", field, expected), str(error.value)


def test_an_age_share_of_another_groups_stage_is_refused():
    """The share is of the stage's people: named under another group, it would be reported as that group's."""
    s = scenario.load("wales-mh-2015")
    stage = next(st for st in s.stages if s.groups[s.stage_group[s.stage_code(st)]] == "psychiatry")
    target = calibration.Target(kind="age_share", group="nursing", stage=stage, at_least=55, value=0.2, sd=0.02,
                                source="test")
    problems = calibration.target_problems("history.yaml", {"t": target}, s)
    assert has_problem("\n".join(map(str, problems)), "history.yaml", "targets.t.stage", "a stage of group nursing")


@pytest.mark.parametrize("target, field, expected", [
    ({"kind": "reason_share", "reasons": ["retired", "left:left_register"]}, "reasons",
     "reasons group nursing's leavers can have (attrition, exit:not_employed_in_wales_mh, left:left_profession, "
     "left:other_sector, left:outside_wales, no_training_place, progressed, retired, retired_mho, return_ended, "
     "selected)"),
    ({"kind": "reason_share", "reasons": ["exit:no_substantive_post"]}, "reasons",
     "reasons group nursing's leavers can have ("),
    ({"kind": "flow_rate", "flow": "joiners", "reasons": ["joined:labour_market"]}, "reasons",
     "reasons group nursing's joiners can have (intake, joined:elsewhere_uk, joined:international, "
     "joined:return_to_practice, progressed, returned, selected)"),
], ids=["another group's leaving reason", "another pathway's exit", "another group's joiners' pool"])
def test_a_reason_the_groups_people_never_have_is_refused_listing_those_they_can(target, field, expected):
    """Social workers' leaving the register, psychiatry's exit to no substantive post and support workers' pool
    of the labour market are recorded for their own groups' people alone: a nursing target of one was 0 in
    every run, and a back-test reported it missed by 100%."""
    s = scenario.load("wales-mh-2021")
    t = calibration.Target(group="nursing", years=[2022, 2024], value=0.1, sd=0.05, source="test", **target)
    problems = calibration.target_problems("backtest.yaml", {"t": t}, s)
    assert has_problem("\n".join(map(str, problems)), "backtest.yaml", f"targets.t.{field}", expected), problems
    assert [p.found for p in problems] == [[r for r in target["reasons"] if r != "retired"]]


def test_a_backtest_of_a_target_that_is_0_in_every_run_exits_2_naming_the_file_and_the_target(tmp_path, capsys):
    """Read with the back-test file, before any run: the target's key and field, and the group's reasons."""
    from sim.cli import main

    document = yaml.safe_load((calibration.CALIBRATION_DIR / "backtest-2021-2024.yaml").read_text())
    document["replications"] = 3
    document["targets"]["nursing_over_80"] = {"kind": "age_share", "group": "nursing", "at_least": 80,
                                              "value": 0.01, "sd": 0.01, "source": "test"}
    document["targets"]["nursing_left_register"] = {"kind": "reason_share", "group": "nursing", "years": [2022, 2024],
                                                    "reasons": ["left:left_register"], "value": 0.1, "sd": 0.05,
                                                    "source": "test"}
    (tmp_path / "bt.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    assert main(["backtest", str(tmp_path / "bt.yaml"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "bt.yaml", "targets.nursing_over_80.at_least", "at most 70 (group nursing's "
                                                                          "retirement.max_age"), err
    assert has_problem(err, "bt.yaml", "targets.nursing_left_register.reasons", "reasons group nursing's leavers "
                                                                                "can have (attrition,"), err


def test_a_level_target_reads_the_group_measure_of_its_year_and_is_shown_as_a_share(tmp_path):
    path = write_tiny(tmp_path)
    results = run(path, seed=3)
    level = calibration.Target(kind="level", group="staff", measure="vacancy_rate", years=[2023], value=0.1, sd=0.02,
                               source="test")
    tidy = results.tidy()
    expected = tidy[(tidy.stage == "all") & (tidy.group == "staff") & (tidy.measure == "vacancy_rate")
                    & (tidy.year == 2023)]["value"]
    assert len(expected) == 1
    assert calibration.statistics(results, {"v": level})["v"] == pytest.approx(float(expected.iloc[0]))
    assert level.share and calibration_report.fmt(0.093, level) == "9.3%"
    fte = level.model_copy(update={"measure": "fte", "value": 900.0})
    assert not fte.share and calibration_report.fmt(912.4, fte) == "912"


def test_each_kind_of_statistic_is_the_tidy_tables_figure(tmp_path):
    """Read by key (``Results.group_values``), each kind of target's statistic is the figure the run's tidy table
    gives, filtered as a reader of the table would."""
    results = run(scenario.DEFAULT, seed=2, until=2024)
    tidy = results.tidy()
    rows = tidy[(tidy.stage == "all") & (tidy.group == "nursing")]

    def value(measure, years, reasons=None):
        chosen = rows[(rows.measure == measure) & rows.year.isin(years)]
        return float((chosen[chosen.reason.isin(reasons)] if reasons else chosen)["value"].sum())

    def target(kind, **fields):
        return calibration.Target(kind=kind, group="nursing", value=0.1, sd=0.1, source="test", **fields)

    reasons = sorted(set(rows[rows.measure == "leavers"].reason))[:2]
    targets = {"change": target("change", measure="headcount", years=[2022, 2024], relative=True),
               "level": target("level", measure="fte", years=[2023]),
               "flow_rate": target("flow_rate", flow="leavers", years=[2022, 2023], reasons=reasons),
               "all_joiners": target("flow_rate", flow="joiners", years=[2023, 2024]),
               "reason_share": target("reason_share", years=[2022, 2024], reasons=reasons)}
    expected = {"change": value("headcount", [2024]) / value("headcount", [2022]) - 1,
                "level": value("fte", [2023]),
                "flow_rate": value("leavers", [2022, 2023], reasons) / value("headcount", [2022, 2023]),
                "all_joiners": value("joiners", [2023, 2024]) / value("headcount", [2023, 2024]),
                "reason_share": value("leavers", [2022, 2024], reasons) / value("leavers", [2022, 2024])}
    assert len(reasons) == 2 and 0 < expected["reason_share"] < 1 and expected["level"] > 0
    found = calibration.statistics(results, targets)
    assert found == pytest.approx(expected, rel=1e-12)
    # the kinds of float the fit's loss has always summed (Python's sum adds Python's with compensation): a
    # shipped posterior is regenerated bit for bit
    assert {name: type(v) for name, v in found.items()} == {
        "change": np.float64, "level": float, "flow_rate": np.float64, "all_joiners": np.float64,
        "reason_share": np.float64}


def test_every_reason_the_model_records_is_known_to_the_targets():
    """A reason a run records is one a target may name (``recorded_reasons``), so no typo check refuses it."""
    results = run(scenario.DEFAULT, seed=1, until=2023)
    flows = results.tidy().query("measure in ['joiners', 'leavers']").reason.dropna()
    assert set(flows) - {""} <= calibration.recorded_reasons(results.scenario)


def test_an_exit_called_progressed_is_a_reason_targets_may_name(tmp_path):
    """Exits are told from moves along a pathway by where they lead, not by name: an exit called progressed
    was left out of the reasons a history's targets may name, and a target on it refused as unknown."""
    path = tiny_scenario.write(tmp_path, None, {"stages.student.transitions": {"worker": 0.5, "exit:progressed": 0.5}})
    s = scenario.load(path)
    assert "exit:progressed" in calibration.recorded_reasons(s)
    assert "exit:progressed" in calibration.group_reasons(s, "staff")
    assert "exit:worker" not in calibration.recorded_reasons(s)


@pytest.mark.parametrize("named, kind", [
    (calibration.CALIBRATION_DIR / f"{SHIPPED}.yaml", "a calibration parameter file"),
    (scenario.SCENARIO_DIR / "wales-mh-2021.yaml", "a scenario file"),
    (calibration.CALIBRATION_DIR / "backtest-2021-2024.yaml", "a back-test file"),
], ids=["a parameter file", "a scenario", "a back-test file"])
def test_a_file_of_another_kind_given_as_the_history_is_said_to_be_one(named, kind):
    """One problem saying what the file is, not one for each key it lacks or has."""
    with pytest.raises(calibration.InputError) as error:
        calibration.load(named)
    assert [(p.file, p.field) for p in error.value.problems] == [(str(named), "")]
    assert error.value.problems[0].expected.startswith("a history-targets file")
    assert error.value.problems[0].found.startswith(kind)


def test_a_fitted_parameter_that_is_a_whole_number_is_refused_before_any_run(tmp_path):
    """A maximum age: every run of the fit was refused, saying a drawn 70.24 was no integer."""
    path = write_tiny(tmp_path)
    data = yaml.safe_load(path.read_text())
    data["uncertain"]["groups.staff.retirement.max_age"] = {"range": [62, 70]}
    path.write_text(yaml.safe_dump(data))
    config = {"name": "tiny", "scenario": "tiny.yaml",
              "fit": ["groups.staff.leaving.rate", "groups.staff.retirement.max_age"],
              "targets": {"leaver_rate": {**TARGETS["leaver_rate"], "value": 0.05, "sd": 0.01, "source": "test"}}}
    (tmp_path / "history.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(calibration.InputError) as info:
        calibration.check(tmp_path / "history.yaml")
    assert has_problem(str(info.value), "history.yaml", "fit.1", "a key of a number that need not be whole"), \
        str(info.value)
    assert len(info.value.problems) == 1
