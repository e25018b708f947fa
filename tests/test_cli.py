"""The command line: bad input exits with status 2 and one message, never a traceback."""

from __future__ import annotations

import errno
import io
import os
import sys

import pytest

import tiny_scenario

from conftest import DELETE, REPO, SCENARIO_FILE, has_problem
from sim.cli import main

PRE_REG = "stages.pre_registration_degree"

# (scenario edits, pathway edits, file, field, expected): a representative selection of the API cases
BAD_INPUT = {
    "unknown key": ({"groups.nursing.leaving.rates": 0.1}, {}, SCENARIO_FILE, "groups.nursing.leaving.rates",
                    "unknown key"),
    "unknown stage in stocks": ({"stocks.nursing/nurse": {"headcount": 3, "age": [[30, 40, 1.0]]}}, {}, SCENARIO_FILE,
                                "stocks.nursing/nurse", "a stage"),
    "unknown transition target": ({}, {"psychiatry": {"stages.cct.transitions": {"consultnat": 1.0}}},
                                  "psychiatry.yaml", "stages.cct.transitions.consultnat", "a stage of this pathway"),
    "probabilities not summing to 1": ({}, {"nursing": {f"{PRE_REG}.transitions.registered_nurse": 0.7}},
                                       "nursing.yaml", PRE_REG, "summing to 1"),
    "zero duration": ({}, {"nursing": {f"{PRE_REG}.duration_years": 0}}, "nursing.yaml", f"{PRE_REG}.duration_years",
                      "greater than 0"),
    "missing field": ({}, {"nursing": {"stages.registered_nurse.staff_group": DELETE}}, "nursing.yaml",
                      "stages.registered_nurse.staff_group", "required"),
    "wrong type": ({"stocks.psychiatry/sas.headcount": "many"}, {}, SCENARIO_FILE, "stocks.psychiatry/sas.headcount",
                   "a valid integer"),
    "unreachable stage": ({}, {"psychology": {"stages.orphan": {"staff_group": "psychological_therapies"}}},
                          "psychology.yaml", "stages.orphan", "reachable"),
    "age band list of the wrong length": ({"groups.hcsw.leaving.rate": [0.1, 0.1]}, {}, SCENARIO_FILE,
                                          "groups.hcsw.leaving.rate", "one value per age band"),
    "malformed date": ({"start": "2021-13"}, {}, SCENARIO_FILE, "start", "YYYY-MM"),
    "invalid YAML": ("name: [wales\n", {}, SCENARIO_FILE, "<top level>", "valid YAML"),
}


def assert_bad_input(result, file, field, expected):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("workforce: invalid input\n")
    assert has_problem(result.stderr, file, field, expected), result.stderr
    assert "wrote" not in result.stdout


@pytest.mark.parametrize("scenario_edits, pathway_edits, file, field, expected", BAD_INPUT.values(),
                         ids=BAD_INPUT.keys())
def test_run_with_bad_input_exits_2(case, cli, tmp_path, scenario_edits, pathway_edits, file, field, expected):
    result = cli("run", case(scenario_edits, **pathway_edits), "--until", "2022")
    assert_bad_input(result, file, field, expected)
    assert not (tmp_path / "results").exists()


def test_pathways_with_an_unknown_staff_group_exits_2(case, cli):
    result = cli("pathways", case(psychiatry={"stages.sas.staff_group": "sas_doctors"}))
    assert_bad_input(result, "psychiatry.yaml", "stages.sas.staff_group", "a group defined in scenario.yaml")


def test_missing_scenario_file_exits_2(cli):
    assert_bad_input(cli("run", "no-such-scenario.yaml", "--until", "2022"), "no-such-scenario.yaml", "<top level>",
                     "an existing scenario file or a shipped scenario name (wales-mh-2015, wales-mh-2021-demand-expansion, "
                     "wales-mh-2021-flat-demand, wales-mh-2021-stated-demand-growth, wales-mh-2021)")


@pytest.mark.parametrize("args, message", [
    (["run", "--until", "3000"], "--until: until: expected a year between 1900 and 2200 (found 3000)"),
    (["run", "--until", "1950"], "--until: until: expected a year from 2021 to 2041 (scenario wales-mh-2021 runs from "
                                 "2021-03 to 2041-03) (found 1950)"),
    (["pathways", "--pathway", "midwifery"],
     "--pathway: pathway: expected one of psychiatry, nursing, hcsw, psychology, occupational_therapy, "
     "physician_associates, social_work, social_care (found 'midwifery')"),
], ids=["until out of range", "until before the start", "unknown pathway"])
def test_bad_option_returns_2(capsys, args, message):
    # in process (no subprocess needed): main() returns the exit status
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"workforce: invalid input\n{message}\n")


def test_pathways_lists_the_stages_of_a_scenario(case, cli):
    result = cli("pathways", case(), "--pathway", "nursing")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "nursing:"
    assert [line.split()[0] for line in lines[1:] if not line.lstrip().startswith("->")] == [
        "nursing/pre_registration_degree", "nursing/part_time_degree", "nursing/registered_nurse"]
    assert any(line.split() == ["->", "exit:not_employed_in_wales_mh", "0.200"] for line in lines)


def test_pathways_draw_writes_a_png(cli, tmp_path):
    result = cli("pathways", "--draw", "out.png")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("drew psychiatry, nursing, hcsw, psychology, occupational_therapy, "
                                     "physician_associates, social_work, social_care to out.png")
    png = (tmp_path / "out.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_pathways_draw_refuses_a_format_this_machine_cannot_write(tmp_path, monkeypatch, capsys):
    """PGF needs a TeX system: without one, matplotlib fails part way through the drawing."""
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    assert main(["pathways", "--draw", str(tmp_path / "out.pgf")]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("workforce: invalid input\n--draw: draw: expected an image file ending in one of "), err
    formats = err.partition("ending in one of ")[2].partition(" (found")[0].split(", ")
    assert ".png" in formats and ".pgf" not in formats
    assert list(tmp_path.iterdir()) == []


def test_run_with_replications_prints_means_and_intervals(tmp_path, capsys):
    from sim.cli import main

    assert main(["run", "--until", "2023", "--replications", "2", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "over 2 replications (seeds 0-1)" in out and "mean (90% interval over replications, containing" in out
    assert "parameter uncertainty and the model's randomness" in " ".join(out.split())  # each draws a posterior set
    assert "social_care_workers" in out and "total" in out
    import pandas as pd

    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert {"year", "group", "measure", "runs", "mean", "low", "high"} <= set(summary.columns)
    assert (summary.runs == 2).all() and (summary.low <= summary["mean"] + 1e-9).all()
    assert {"vacancy_rate", "supply_gap_fte", "fte"} <= set(summary.measure)
    assert (tmp_path / "out" / "supply.csv").is_file()


def test_no_arguments_prints_the_help_and_runs_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: workforce") and "examples:" in out and "workforce person" in out
    assert not list(tmp_path.iterdir())  # no results written


def test_version_and_help_with_examples_in_plain_text(capsys):
    from sim import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"workforce {__version__}"
    for command in ([], ["run"], ["person"], ["batch"], ["compare"], ["target"], ["pathways"], ["report"]):
        with pytest.raises(SystemExit) as info:
            main([*command, "--help"])
        assert info.value.code == 0
        text = capsys.readouterr().out
        assert "``" not in text, command  # no reStructuredText markup in what people read
        if command in ([], ["run"], ["person"], ["batch"], ["compare"], ["target"]):
            assert "examples:" in text, command


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_run_and_compare_print_tables_that_fit_100_columns(tmp_path, capsys):
    assert main(["run", "--until", "2041", "--replications", "2", "--quiet", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "nursing" in out and "2041" in out and widest(out) <= 100
    assert main(["run", "--until", "2041", "--replications", "1", "--out", str(tmp_path / "one")]) == 0
    out = capsys.readouterr().out
    assert "joiners" in out and widest(out) <= 100
    experiment = tmp_path / "e.yaml"
    experiment.write_text("name: e\nscenario: wales-mh-2021\nyears: 2\nreplications: 5\nseed: 1\npolicies:\n"
                          "  a_long_policy_name_keeping_more_therapists:\n"
                          "    levers: [{lever: retention, groups: [psychological_therapies], factor: 0.8}]\n")
    assert main(["batch", str(experiment), "--replications", "2", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "4 runs" in out and "2 replications" in out  # the file's 5 replications overridden
    assert main(["compare", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "a_long_policy_name_keeping_more_therapists" in out and "psychological_therapies" in out
    assert widest(out) <= 100
    # the default measure said in words: it counts trainees in service, where a report shows FTE in post
    assert " ".join(out.split()).startswith("fte, Workforce FTE (in post and trainees in service), by policy")


@pytest.mark.parametrize("value", ["0", "-3"])
def test_batch_replications_must_be_at_least_one(tmp_path, capsys, value):
    assert main(["batch", str(REPO / "experiments" / "quick-look.yaml"), "--replications", value]) == 2
    assert capsys.readouterr().err.startswith("workforce: invalid input\n--replications: replications: expected")


def test_batch_years_tries_an_experiment_short_and_apart(tmp_path, capsys, monkeypatch):
    """Its runs end N years from the start, in a folder of their own; its sensitivity outcomes (past
    the short run) are not in the way, its levers still are."""
    import pandas as pd

    monkeypatch.chdir(tmp_path)
    feedbacks = REPO / "experiments" / "feedbacks.yaml"  # sensitivity outcomes in 2031 and 2041
    assert main(["batch", str(feedbacks), "--years", "5", "--replications", "1", "--workers", "1", "--quiet"]) == 0
    out = tmp_path / "results" / "feedbacks-years5-replications1"
    assert f"results in {out.relative_to(tmp_path)}/" in capsys.readouterr().out
    years = pd.read_parquet(next((out / "runs").rglob("*.parquet"))).year
    assert years.min() == 2021 and years.max() == 2026
    actions = REPO / "experiments" / "wales-plan-actions.yaml"  # a lever from 2025
    assert main(["batch", str(actions), "--years", "2", "--quiet"]) == 2
    said = capsys.readouterr().err
    assert "levers.1.start: expected a month within the run" in said and "(the run cut short by years: 2)" in said
    assert main(["batch", str(feedbacks), "--years", "40", "--quiet"]) == 2
    assert has_problem(capsys.readouterr().err, "--years", "years", "at most 20")


def test_person_shows_a_career_as_a_timeline_in_words(capsys):
    assert main(["person", "4000", "--seed", "0", "--until", "2026"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Person 4000: ")
    assert "March 2021" in out and "There when the run starts" in out and "At March 2026: aged" in out
    assert "2147483647" not in out and "_" not in out.split("\n", 2)[2]  # dates and words, not codes
    assert widest(out) <= 100


def test_person_in_a_run_of_nobody_says_the_scenario_simulates_nobody(tmp_path, capsys):
    """Was 'expected a person id from 0 to -1'."""
    import tiny_scenario

    path = tiny_scenario.write(tmp_path, {"stocks": {}})
    assert main(["person", "0", str(path), "--until", "2021"]) == 2
    assert has_problem(capsys.readouterr().err, "tiny.yaml", "stocks, intake, groups.*.joiners",
                       "somebody in the run for a person's career (this run simulates nobody)")


@pytest.mark.parametrize("value", ["999999999", "-1"])
def test_person_with_an_id_nobody_has_exits_2_naming_it(capsys, value):
    assert main(["person", value, "--until", "2022"]) == 2
    assert capsys.readouterr().err.startswith("workforce: invalid input\nID: id: expected a person id")


class FullDisk(io.StringIO):
    """Standard output as a file on a disk that is full: every write fails."""

    def write(self, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


NOT_PRINTED = (f"workforce: could not print to standard output: {os.strerror(errno.ENOSPC)}; any results files "
               "already written are kept\n")


def test_standard_output_on_a_full_disk_is_said_as_such_not_blamed_on_the_results(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", FullDisk())
    assert main(["pathways", "--pathway", "nursing"]) == 2
    assert capsys.readouterr().err == NOT_PRINTED


def test_a_run_whose_standard_output_fails_keeps_the_results_it_wrote(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    monkeypatch.setattr(sys, "stdout", FullDisk())
    assert main(["run", str(tiny_scenario.write(tmp_path)), "--until", "2021", "--replications", "2",
                 "--out", str(out)]) == 2
    assert capsys.readouterr().err == NOT_PRINTED
    assert (out / "manifest.json").exists() and (out / "summary.csv").exists()


@pytest.mark.parametrize("name, value, expected", [
    ("NUMBA_OPT", "9", "numba's optimisation level, one of 0, 1, 2, 3, max"),
    ("NUMBA_OPT", "fast", "numba's optimisation level"),
    ("WORKFORCE_COMPILE_ALONGSIDE", "no", "0 (compile alone) or 1"),  # only 0 turned it off: 'no' left it on
    ("MPLBACKEND", "nonsense", "a matplotlib backend"),
])
def test_an_environment_variable_that_cannot_mean_anything_exits_2_naming_it(tmp_path, monkeypatch, capsys, name,
                                                                             value, expected):
    """numba warned of a NUMBA_OPT it cannot read with a traceback and compiled at its own level in
    silence; matplotlib refused an unknown MPLBACKEND with a traceback once a chart was drawn."""
    monkeypatch.delenv("NUMBA_OPT", raising=False)
    monkeypatch.setenv(name, value)
    image = tmp_path / "pathways.png"
    assert main(["pathways", str(tiny_scenario.write(tmp_path)), "--draw", str(image)]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, "environment", name, expected) and f"(found '{value}')" in err, err
    assert not image.exists() and "drew" not in out


def test_a_numba_level_it_cannot_read_is_refused_before_numba_reads_it(cli, monkeypatch):
    """Checked once the command had imported numba, whose own warning and traceback came first."""
    monkeypatch.setenv("NUMBA_OPT", "fast")
    done = cli("run", "--until", "2022", "--out", "out")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert has_problem(done.stderr, "environment", "NUMBA_OPT", "numba's optimisation level")


@pytest.mark.parametrize("value", ["0", "abc"])
def test_a_numba_setting_numba_cannot_start_with_exits_2_naming_it(cli, monkeypatch, value):
    """numba failed as imported with a traceback on 0 threads, and warned of 'abc', then took its own
    number of threads in silence. A setting it can read (NUMBA_OPT) is not blamed."""
    monkeypatch.setenv("NUMBA_NUM_THREADS", value)
    monkeypatch.setenv("NUMBA_OPT", "1")
    done = cli("run", "--until", "2022", "--out", "out")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert has_problem(done.stderr, "environment", "NUMBA_NUM_THREADS", "a value numba can read")
    assert f"(found '{value}')" in done.stderr and "NUMBA_OPT" not in done.stderr


def test_an_environment_variable_with_a_value_it_may_have_is_taken(tmp_path, monkeypatch, capsys):
    for name, value in (("NUMBA_OPT", "2"), ("WORKFORCE_COMPILE_ALONGSIDE", "0"), ("MPLBACKEND", "agg")):
        monkeypatch.setenv(name, value)
    image = tmp_path / "pathways.png"
    assert main(["pathways", str(tiny_scenario.write(tmp_path)), "--draw", str(image)]) == 0
    assert image.is_file()


@pytest.mark.parametrize("argv, order", [
    (["run", "--help"], [("alongside", True), "parser"]),  # so that the companion compiles as the parser imports
    (["compare", "no-such-folder"], ["parser", ("alongside", False)]),
])
def test_a_command_that_runs_its_models_starts_sharing_its_compiling_before_it_reads_its_options(
        monkeypatch, capsys, argv, order):
    from sim import cli

    done, parser = [], cli._parser
    monkeypatch.setattr(cli, "_compile_alongside", lambda now: done.append(("alongside", now)))
    monkeypatch.setattr(cli, "_parser", lambda: done.append("parser") or parser())
    try:
        main(argv)
    except SystemExit:  # --help
        pass
    assert done == order
