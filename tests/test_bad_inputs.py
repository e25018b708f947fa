"""Every bad input ends with exit status 2 and a message naming the file (or option), the field
and what was expected: never a traceback, a hang, a silent default, nor a write outside the
folder the user chose.

A table of cases, each a few small files and a command line run through ``sim.cli.main`` in a
fresh folder, under a time budget (a hang fails the test). The classes: command-line values;
values accepted but that cannot mean what the user meant (a lever outside the run, an FTE its
headcount cannot work, a value the calibration would replace); sizes that together exceed the
memory; names that become paths; special files (named pipes, devices, folders); mistakes in a
layered scenario, named where they are; and files that must not be quoted back (secrets).
"""

from __future__ import annotations

import copy
import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

import test_plausibility
import tiny_scenario
from conftest import REPO, has_problem
from sim import experiment, footprint, sensitivity, target
from sim.errors import InputError
from sim.cli import main
from test_fuzz import budget

FIFO, FOLDER = object(), object()  # special files a case may create instead of a regular one


@dataclass
class Case:
    argv: list[str]
    file: str  # the file (or option) the message must name
    field: str
    expected: str
    files: dict = field(default_factory=dict)  # name -> data (YAML), text, bytes, FIFO or FOLDER


def changed(data: dict, changes: dict) -> dict:
    """A copy of ``data`` with dotted keys set (``None`` deletes)."""
    data = copy.deepcopy(data)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(int(key) if key.isdigit() else key, {})
        key = int(last) if last.isdigit() else last
        if value is None:
            node.pop(key, None)
        else:
            node[key] = value
    return data


def tiny(**changes) -> dict:
    """The tiny scenario (2020-03 to 2030-03) and its pathway, with dotted changes to the scenario."""
    scenario = changed(tiny_scenario.SCENARIO, {k.replace("__", "."): v for k, v in changes.items()})
    return {"tiny.yaml": scenario, "course.yaml": tiny_scenario.PATHWAY}


EXPERIMENT = {"name": "e", "scenario": "tiny.yaml", "years": 2, "replications": 1, "seed": 1,
              "policies": {"keep": {"levers": [{"lever": "retention", "groups": ["staff"], "factor": 0.9,
                                                "start": "2021-01"}]}}}


UNCERTAIN = changed(EXPERIMENT, {"uncertain": {"groups.staff.leaving.rate": {"range": [0.0, 0.2]}}})  # for sensitivity


def with_lever(**lever_changes) -> dict:
    return tiny() | {"e.yaml": changed(EXPERIMENT, {f"policies.keep.levers.0.{k}": v
                                                    for k, v in lever_changes.items()})}


TARGET = {"argument": "extra", "values": {"from": 0, "to": 20, "step": 5}, "group": "staff",
          "measure": "supply_gap_fte", "year": 2024, "probability": 0.8}


def with_target(**target_changes) -> dict:
    """The tiny experiment searching extra places on its course (None deletes a field of the target)."""
    data = changed(EXPERIMENT, {"years": 5, "policies": {"places": {"levers": [
        {"lever": "training_places", "stage": "course/student", "extra": 0}]}}, "target": TARGET})
    return tiny() | {"e.yaml": changed(data, {f"target.{k}": v for k, v in target_changes.items()})}


HISTORY = {"name": "h", "scenario": "tiny.yaml", "fit": ["groups.staff.leaving.rate"],
           "targets": {"grow": {"kind": "change", "group": "staff", "years": [2020, 2022], "value": 5.0, "sd": 2.0,
                                "source": "test"}},
           "settings": {"population": 10, "generations": 1, "max_runs": 20}}


CALIBRATE = ["calibrate", "h.yaml", "--out-dir", "out", "--quiet"]  # a fit accepted in error is written here, not in sim/data


def with_history(**changes) -> dict:
    """The tiny scenario, its leaving rate uncertain, and a calibration file fitting it (with changes)."""
    return tiny(uncertain={"groups.staff.leaving.rate": {"range": [0.0, 0.2]}}) | {"h.yaml": HISTORY | changes}


def with_backtest(**changes) -> dict:
    """The tiny scenario to 2024 and a back-test of it with a posterior of its leaving rate (with changes)."""
    target = {"kind": "change", "group": "staff", "years": [2021, 2023], "value": -5.0, "sd": 2.0, "source": "test"}
    backtest = {"name": "bt", "posterior": "cal.yaml", "scenario": "tiny.yaml", "replications": 2, "seed": 0,
                "targets": {"t": target}}
    return tiny(end="2024-03") | {"cal.yaml": FITTED | {"posterior": "post.csv"}, "bt.yaml": backtest | changes,
                                  "post.csv": "weight,groups.staff.leaving.rate\n1,0.05\n1,0.06\n"}


CALIBRATION = {"name": "cal-v1", "overrides": {"groups.staff.leaving.rate": 0.05}}
FITTED = CALIBRATION | {"fitted": {"groups.staff.leaving.rate": {"kind": "range", "value": 0.05, "shipped": 0.0}}}


def with_posterior(table: str) -> dict:
    """The tiny scenario calibrated by a parameter file whose posterior table is ``table`` (CSV text)."""
    return tiny(calibration="cal.yaml") | {"cal.yaml": FITTED | {"posterior": "post.csv"}, "post.csv": table}

SHIPPED = yaml.safe_load((REPO / "sim" / "data" / "scenarios" / "wales-mh-2021.yaml").read_text())
V9 = yaml.safe_load((REPO / "sim" / "data" / "calibration" / "wales-mh-v9.yaml").read_text())  # a parameter file
SCHEDULER = "a Dask scheduler answering at"
PLAIN = "a plain name (letters, digits"
REGULAR = "a regular file (not a directory, named pipe or device)"
SECRET = "hunter2-SECRET-7d1f"
EMPTY = "a value that is not empty"

WORKLOAD = {"enabled": True, "strength": 2.0}  # the workload feedback switched on
JOINING = {"fill_per_month": 0.5, "stages": {"course/worker": 1.0}, "age": [[30, 40, 1.0]]}  # joiners, less the supply

CASES = {
    # ---- command-line values ----
    "run with a negative seed": Case(["run", "tiny.yaml", "--seed", "-1"], "--seed", "seed",
                                     "a whole number from 0", tiny()),
    "calibrate with a negative seed": Case(["calibrate", "--seed", "-1"], "--seed", "seed", "a whole number from 0"),
    "calibrate --evaluate with a negative seed": Case(["calibrate", "--evaluate", "wales-mh-v9", "--seed", "-5"],
                                                      "--seed", "seed", "a whole number from 0"),
    # a parameter file's recorded settings, read back by --evaluate: a quoted seed was read as a number, and a
    # check of a billion replications was named as the --check-replications option, which was not given
    "a parameter file's quoted seed": Case(["calibrate", "--evaluate", "p.yaml"], "p.yaml", "settings.seed",
                                           "a valid integer", {"p.yaml": changed(V9, {"settings.seed": "5"})}),
    "a parameter file's check of a billion replications": Case(
        ["calibrate", "--evaluate", "p.yaml"], "p.yaml", "settings.check_replications",
        "a number less than or equal to 1000000", {"p.yaml": changed(V9, {"settings.check_replications": 10**9})}),
    "a seed beyond 63 bits": Case(["run", "tiny.yaml", "--seed", str(2**63)], "--seed", "seed",
                                  "a whole number from 0", tiny()),
    "an experiment with a negative seed": Case(["batch", "e.yaml"], "e.yaml", "seed",
                                               "a number greater than or equal to 0",
                                               with_lever() | {"e.yaml": changed(EXPERIMENT, {"seed": -1})}),
    "a calibration file with a negative seed": Case(["calibrate", "h.yaml"], "h.yaml", "settings.seed",
                                                    "a number greater than or equal to 0",
                                                    tiny() | {"h.yaml": {"name": "h", "scenario": "tiny.yaml",
                                                                         "fit": ["groups.staff.leaving.rate"],
                                                                         "targets": {}, "settings": {"seed": -1}}}),
    "a calibration file with a quoted number": Case(CALIBRATE, "h.yaml", "settings.population", "a valid integer",
                                                    with_history(settings={"population": "10"})),
    "a calibration file with a worker of true": Case(CALIBRATE, "h.yaml", "settings.workers", "a valid integer",
                                                     with_history(settings={"workers": True})),
    "a calibration of a trillion parameter sets": Case(CALIBRATE + ["--population", str(10**12)], "--population",
                                                       "population", "a number less than or equal to 1000000",
                                                       with_history()),
    "a calibration into a run's results": Case(["calibrate", "h.yaml", "--out-dir", "o", "--quiet"], "--out-dir",
                                               "out_dir", "a folder that holds no other command's results",
                                               with_history() | {"o": FOLDER, "o/manifest.json": "{}"}),
    "a calibration version already written": Case(CALIBRATE + ["--version", "v1"], "--version", "version",
                                                  "a version not written yet in out (h-v1.yaml is there and the fit "
                                                  "would replace it: leave --version out for the next, v2",
                                                  with_history() | {"out": FOLDER, "out/h-v1.yaml": "name: h-v1\n"}),
    "a calibration version whose posterior is there": Case(
        CALIBRATE + ["--version", "v1"], "--version", "version", "a version not written yet in out (h-v1-posterior.csv",
        with_history() | {"out": FOLDER, "out/h-v1-posterior.csv": "weight\n"}),
    "a calibration file fitting a key twice": Case(CALIBRATE, "h.yaml", "fit", "each key once",
                                                   with_history(fit=["groups.staff.leaving.rate"] * 2)),
    "a calibration target matched within 1e-300": Case(
        CALIBRATE, "h.yaml", "targets.grow.sd", "a number greater than or equal to 1e-06",
        with_history(targets={"grow": HISTORY["targets"]["grow"] | {"sd": 1e-300}})),
    # a target's name labels the fit's tables and the back-test's rows: a blank or dotted one was taken as given
    "a calibration target with a dotted name": Case(
        CALIBRATE, "h.yaml", "targets.grow.fte", "a plain lower-case name",
        with_history(targets={"grow.fte": HISTORY["targets"]["grow"]})),
    "a back-test target with an empty name": Case(["backtest", "bt.yaml", "--quiet"], "bt.yaml", "targets.",
                                                  "a plain lower-case name",
                                                  with_backtest(targets={"": {"kind": "change", "group": "staff",
                                                                              "years": [2021, 2023], "value": -5.0,
                                                                              "sd": 2.0, "source": "test"}})),
    # a vacancy rate moves within [0, 1]: 5 for 5 points was a change no run could reach, chased by the fit
    "a calibration target's vacancy rate change in points": Case(
        CALIBRATE, "h.yaml", "targets.grow", "value: a change of a vacancy rate within [-1, 1] (0.05 for 5 points)",
        with_history(targets={"grow": HISTORY["targets"]["grow"] | {"measure": "vacancy_rate", "value": 5.0}})),
    "a calibration target citing nothing": Case(
        CALIBRATE, "h.yaml", "targets.grow.source", "at least 3 characters",
        with_history(targets={"grow": HISTORY["targets"]["grow"] | {"source": "x"}})),
    # the fit draws any value of a range: one reaching past what its key may hold was refused mid-fit, by the
    # first run drawing such a value, naming the scenario's key with a number the file never held
    "a fitted range of a leaving rate from below 0": Case(
        CALIBRATE, "tiny.yaml", "uncertain.groups.staff.leaving.rate.range",
        "[low, high] within what groups.staff.leaving.rate may hold, as the fit draws any value between them (at "
        "the low end: a probability in [0, 1]",
        tiny(uncertain={"groups.staff.leaving.rate": {"range": [-1.0, 0.2]}}) | {"h.yaml": HISTORY}),
    "a fitted range of joiners a year from below 0": Case(
        CALIBRATE, "tiny.yaml", "uncertain.groups.staff.joiners.per_year.range",
        "within what groups.staff.joiners.per_year may hold, as the fit draws any value between them (at the low "
        "end: a number greater than or equal to 0)",
        tiny(uncertain={"groups.staff.joiners.per_year": {"range": [-100.0, 20.0]}},
             groups__staff__joiners={"per_year": 10.0, "sources": {"uk": 1.0}, **JOINING})
        | {"h.yaml": HISTORY | {"fit": ["groups.staff.joiners.per_year"]}}),
    "a relative change of a group with nobody at first": Case(
        CALIBRATE, "h.yaml", "targets.grow.relative", "a change from a year with some fte (group staff has none in "
                                                      "2020 in this run), or relative: false",
        with_history(targets={"grow": HISTORY["targets"]["grow"] | {"relative": True, "value": 0.1, "sd": 0.05}})
        | tiny(uncertain={"groups.staff.leaving.rate": {"range": [0.0, 0.2]}},
               **{"stocks__course/worker__headcount": 0})),
    "a back-test of ten million replications": Case(["backtest", "bt.yaml", "--quiet"], "bt.yaml", "replications",
                                                    "a number less than or equal to 1000000",
                                                    with_backtest(replications=10**7)),
    "a back-test with a quoted seed": Case(["backtest", "bt.yaml", "--quiet"], "bt.yaml", "seed", "a valid integer",
                                           with_backtest(seed="0")),
    "a back-test's fit_until beside a posterior": Case(["backtest", "bt.yaml", "--quiet"], "bt.yaml", "<top level>",
                                                       "no fit_until with posterior:", with_backtest(fit_until=2021)),
    "a back-test's scenario that is not there": Case(["backtest", "bt.yaml", "--quiet"], "bt.yaml", "scenario",
                                                     "an existing scenario file or a shipped scenario name",
                                                     with_backtest(scenario="gone.yaml")),
    "a back-test refit with more workers than the memory holds": Case(
        ["backtest", "bt.yaml", "--quiet", "--workers", "100000", "--out", "out"], "--workers", "workers",
        "worker processes, as many as fit in this machine's memory",  # refused before the refit's file is written
        with_backtest(posterior=None, fit="h.yaml", fit_until=2022)
        | {"h.yaml": HISTORY, "tiny.yaml": changed(with_backtest()["tiny.yaml"], {
            "uncertain": {"groups.staff.leaving.rate": {"range": [0.0, 0.2]}}})}),
    "a back-test written over its posterior's table": Case(
        ["backtest", "bt.yaml", "--quiet", "--out", "."], "--out", "out", "a folder where the back-test replaces none "
        "of its inputs (its posterior's table", with_backtest(name="post")),
    "a back-test's refit written over the back-test file": Case(
        ["backtest", "h-backtest.yaml", "--quiet", "--out", "."], "--out", "out", "a folder where the back-test "
        "replaces none of its inputs (the back-test file, h-backtest.yaml, would be replaced by the h-backtest.yaml",
        with_history() | {"h-backtest.yaml": {"name": "bt", "fit": "h.yaml", "fit_until": 2022, "scenario": "tiny.yaml",
                                              "replications": 2, "targets": {"t": HISTORY["targets"]["grow"]}}}),
    "a back-test's workers with no refit": Case(["backtest", "bt.yaml", "--quiet", "--workers", "2"], "--workers",
                                                "workers", "no --workers with a back-test of a fitted posterior "
                                                           "(posterior: in bt.yaml)", with_backtest()),
    "a back-test's posterior that is a folder": Case(["backtest", "bt.yaml", "--quiet"], "bt.yaml", "posterior",
                                                     REGULAR, with_backtest(posterior="folder") | {"folder": FOLDER}),
    "a back-test's posterior table with a rate out of range": Case(
        ["backtest", "bt.yaml", "--quiet"], "post.csv", "groups.staff.leaving.rate, row 2", "a probability in [0, 1]",
        with_backtest() | {"post.csv": "weight,groups.staff.leaving.rate\n0,0.05\n1,5\n"}),
    # a parameter file's fitted section, malformed, was read as none: a back-test's posterior raised an
    # AttributeError, and a run took the table's columns as unexplained or the calibration's values as unchecked
    "a back-test's parameter file whose fitted section is a list": Case(
        ["backtest", "bt.yaml", "--quiet"], "cal.yaml", "fitted", "a mapping of each fitted key to what it was "
                                                                  "fitted from", with_backtest()
        | {"cal.yaml": FITTED | {"posterior": "post.csv", "fitted": [1, 2]}}),
    "a back-test's parameter file fitting a key from a number": Case(
        ["backtest", "bt.yaml", "--quiet"], "cal.yaml", "fitted.groups.staff.leaving.rate",
        "a mapping of what the key was fitted from", with_backtest()
        | {"cal.yaml": FITTED | {"posterior": "post.csv", "fitted": {"groups.staff.leaving.rate": 5}}}),
    "a calibration's fitted section that is a word": Case(
        ["run", "tiny.yaml"], "cal.yaml", "fitted", "a mapping of each fitted key to what it was fitted from",
        tiny(calibration="cal.yaml") | {"cal.yaml": CALIBRATION | {"fitted": "x"}}),
    "a fitted key of a misspelt kind": Case(
        ["run", "tiny.yaml"], "cal.yaml", "fitted.groups.staff.leaving.rate.kind", "one of range, scale",
        with_posterior("weight,groups.staff.leaving.rate\n1,0.05\n1,0.06\n") | {"cal.yaml": FITTED | {
            "posterior": "post.csv", "fitted": {"groups.staff.leaving.rate": {"kind": "scal", "shipped": 0.0}}}}),
    # a key a parameter file has no use for was ignored: a misspelt posterior ran every replication with the
    # central set, and the run said only that the scenario has no posterior
    "a parameter file's misspelt posterior": Case(
        ["run", "tiny.yaml", "--replications", "2"], "cal.yaml", "posteriors", "no such key here (unknown key): a "
        "calibration parameter file holds name", with_posterior("weight,groups.staff.leaving.rate\n1,0.05\n1,0.06\n")
        | {"cal.yaml": FITTED | {"posteriors": "post.csv"}}),
    "a back-test's parameter file with a misspelt key": Case(
        ["backtest", "bt.yaml", "--quiet"], "cal.yaml", "fited", "no such key here (unknown key)", with_backtest()
        | {"cal.yaml": CALIBRATION | {"posterior": "post.csv", "fited": FITTED["fitted"]}}),
    "a parameter file evaluated with a misspelt key": Case(
        ["calibrate", "--evaluate", "p.yaml"], "p.yaml", "setings", "no such key here (unknown key)",
        {"p.yaml": V9 | {"setings": {"seed": 5}}}),
    # without shipped, a scenario's edit of the key, which the calibration replaces, was taken unchecked
    "a fitted key's misspelt shipped value": Case(
        ["run", "tiny.yaml"], "cal.yaml", "fitted.groups.staff.leaving.rate.shiped", "no such key here (unknown key)",
        tiny(calibration="cal.yaml", **{"groups__staff__leaving__rate": 0.2}) | {"cal.yaml": CALIBRATION | {
            "fitted": {"groups.staff.leaving.rate": {"kind": "range", "value": 0.05, "shiped": 0.0}}}}),
    "a malformed scheduler address": Case(["batch", "e.yaml", "--scheduler", "nonsense"], "--scheduler", "scheduler",
                                          "'local', or the address of a running Dask scheduler", with_lever()),
    "a scheduler address with no port": Case(["batch", "e.yaml", "--scheduler", "tcp://10.0.0.5"], "--scheduler",
                                             "scheduler", "protocol://host:port", with_lever()),
    "a scheduler address of another protocol": Case(["batch", "e.yaml", "--scheduler", "http://localhost:8786"],
                                                    "--scheduler", "scheduler", "protocol://host:port", with_lever()),
    "a scheduler nobody answers at": Case(["batch", "e.yaml", "--scheduler", "tcp://127.0.0.1:{closed_port}"],
                                          "--scheduler", "scheduler", SCHEDULER, with_lever()),
    "a scheduler at an address that never answers": Case(["batch", "e.yaml", "--scheduler", "tcp://192.0.2.1:8786"],
                                                         "--scheduler", "scheduler", SCHEDULER, with_lever()),
    "a scheduler address where a web server answers": Case(
        ["batch", "e.yaml", "--scheduler", "tcp://127.0.0.1:{web_port}"], "--scheduler", "scheduler", SCHEDULER,
        with_lever()),
    "a scheduler address where something sends bytes that are not Dask's": Case(
        ["batch", "e.yaml", "--scheduler", "tcp://127.0.0.1:{junk_port}"], "--scheduler", "scheduler", SCHEDULER,
        with_lever()),
    "workers with a scheduler's address": Case(["target", "e.yaml", "--scheduler", "tcp://127.0.0.1:{closed_port}",
                                                "--workers", "2"], "--workers", "workers",
                                               "no --workers with a scheduler's address", with_target()),
    "sensitivity with a scheduler nobody answers at": Case(
        ["sensitivity", "e.yaml", "--scheduler", "tcp://127.0.0.1:{closed_port}"], "--scheduler", "scheduler",
        SCHEDULER, with_lever()),
    "an image format that cannot be drawn": Case(["pathways", "tiny.yaml", "--draw", "out.xyz"], "--draw", "draw",
                                                 "an image file ending in one of", tiny()),
    "an image below a file": Case(["pathways", "tiny.yaml", "--draw", "tiny.yaml/out.png"], "--draw", "draw",
                                  "not below a file", tiny()),
    "--until after the scenario's end": Case(["run", "tiny.yaml", "--until", "2035", "--replications", "1"], "--until",
                                             "until", "a year from 2020 to 2030 (scenario tiny runs from 2020-03 to "
                                                      "2030-03)", tiny()),
    "--until before the scenario's start": Case(["run", "tiny.yaml", "--until", "2019"], "--until", "until",
                                                "a year from 2020 to 2030", tiny()),
    "more replications than a batch may run": Case(["run", "tiny.yaml", "--replications", "2000000"], "--replications",
                                                   "replications", "a whole number from 1 to 1,000,000", tiny()),
    "--until after the end, with replications": Case(["run", "tiny.yaml", "--until", "2031", "--replications", "2"],
                                                     "--until", "until", "a year from 2020 to 2030", tiny()),
    "a plausibility run of no time": Case(["plausibility", "tiny.yaml", "--until", "2020"], "--until", "until",
                                          "a year after the scenario's start, to 2030 (a run of no time has nothing "
                                          "to judge", tiny(plausibility="ranges.yaml")
                                          | {"ranges.yaml": test_plausibility.RANGES}),
    # a description is printed and put in reports as a label is: an override turned the text after it around
    "a description with a right-to-left override": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "description", "text without control characters (U+202E is one)",
        tiny(description="Staff for \u202eWales")),
    "a policy's description with an escape": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.description", "text without control characters (U+001B is one)",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.description": "keep \x1b[2Jstaff"})}),
    # a range that cites nothing: three spaces passed a source's least length
    "a range whose source is blank": Case(["plausibility", "tiny.yaml", "--ranges", "ranges.yaml"], "ranges.yaml",
                                          "retirement_age.mean.source", "a source: where the figure is published",
                                          tiny() | {"ranges.yaml": changed(test_plausibility.RANGES,
                                                                           {"retirement_age.mean.source": "   "})}),
    "a ranges file that is not there": Case(["plausibility", "tiny.yaml", "--ranges", "nope.yaml"], "--ranges",
                                            "ranges", "an existing plausibility ranges file or a shipped one's name",
                                            tiny()),
    "a ranges file that is a folder": Case(["plausibility", "tiny.yaml", "--ranges", "folder"], "--ranges", "ranges",
                                           REGULAR, tiny() | {"folder": FOLDER}),
    # numbers written with digits int() refuses: a superscript ('²'.isdigit() is true), thousands of digits
    "a scheduler port written with a superscript digit": Case(["batch", "e.yaml", "--scheduler", "tcp://127.0.0.1:\u00b2"],
                                                              "--scheduler", "scheduler", "protocol://host:port",
                                                              with_lever()),
    "a scheduler port of thousands of digits": Case(["batch", "e.yaml", "--scheduler", "tcp://127.0.0.1:" + "9" * 5000],
                                                    "--scheduler", "scheduler", "protocol://host:port", with_lever()),
    # no flow comes before the start's snapshot: an outcome 0 in every run, whose indices measured nothing
    "a sensitivity outcome of leavers in the start year": Case(
        ["sensitivity", "e.yaml", "--outcome", "leavers:staff:2020"], "--outcome", "outcome",
        "an outcome of leavers in a year from 2021 to 2022", with_lever()),
    "a sensitivity outcome of joiners in the start year, in the file": Case(
        ["sensitivity", "e.yaml"], "e.yaml", "sensitivity.outcomes.0", "an outcome of joiners in a year from 2021",
        with_lever() | {"e.yaml": changed(UNCERTAIN, {"sensitivity": {"outcomes": ["joiners:staff:2020"]}})}),
    "an outcome year of thousands of digits": Case(["sensitivity", "e.yaml", "--outcome", "fte:staff:" + "9" * 5000],
                                                   "--outcome", "outcome", "an outcome as measure:group:year",
                                                   with_lever()),
    "an uncertain key indexed with a superscript digit": Case(
        ["batch", "e.yaml"], "e.yaml", "uncertain.age_bands.\u00b2", "the dotted key of a value in the scenario",
        with_lever() | {"e.yaml": changed(EXPERIMENT, {"uncertain": {"age_bands.\u00b2": {"range": [50, 56]}}})}),
    "a calibration override indexed with a superscript digit": Case(
        ["run", "tiny.yaml"], "cal.yaml", "age_bands.\u00b2", "an existing field to override",
        tiny(calibration="cal.yaml") | {"cal.yaml": {"name": "cal-v1", "overrides": {"age_bands.\u00b2": 56}}}),
    # a parameter file's overrides naming a calibration: applied after the file, it was recorded as the run's
    # calibration though never applied, and --evaluate applied the other parameter file beside this one's values
    "a calibration's overrides naming another calibration": Case(
        ["run", "tiny.yaml"], "cal.yaml", "overrides.calibration", "fitted values of the scenario's keys, not a "
        "calibration", tiny(calibration="cal.yaml") | {"cal.yaml": changed(CALIBRATION, {
            "overrides.calibration": "wales-mh-v9"})}),
    "a parameter file evaluated whose overrides name another calibration": Case(
        ["calibrate", "--evaluate", "p.yaml"], "p.yaml", "overrides.calibration", "fitted values of the scenario's "
        "keys, not a calibration", {"p.yaml": V9 | {"overrides": V9["overrides"] | {"calibration": "wales-mh-v8"}}}),
    # a value the posterior's draws do not set: it changed fixed-parameter runs, and the others ignored it
    "a parameter file evaluated whose overrides set a key it did not fit": Case(
        ["calibrate", "--evaluate", "p.yaml"], "p.yaml", "overrides.end", "a fitted parameter of the file",
        {"p.yaml": V9 | {"overrides": V9["overrides"] | {"end": "2023-03"}}}),
    # an empty value is no value: never the option's default in silence
    "an empty image file to draw to": Case(["pathways", "tiny.yaml", "--draw", ""], "--draw", "draw", EMPTY, tiny()),
    "an empty plausibility folder": Case(["plausibility", "tiny.yaml", "--out", ""], "--out", "out", EMPTY, tiny()),
    "an empty batch folder": Case(["batch", "e.yaml", "--out", ""], "--out", "out", EMPTY, with_lever()),
    "an empty file of parameter sets": Case(["sensitivity", "e.yaml", "--over-posterior", ""], "--over-posterior",
                                            "over_posterior", EMPTY, with_lever()),
    "an empty scenario name": Case(["run", ""], "SCENARIO", "scenario", EMPTY),
    "an empty target value": Case(["target", "e.yaml", "--values", "5", ""], "--values", "values", EMPTY,
                                  with_target()),
    "a batch into a run's results": Case(["batch", "e.yaml", "--out", "o"], "o", "<top level>",
                                         "an empty folder or one written by workforce batch", with_lever() | {
                                             "o": FOLDER, "o/manifest.json": '{"scenario": "tiny", "seed": 0}'}),
    # ---- demand: how need moves (sim.demand), and the posts a lever funds ----
    "an unknown kind of demand": Case(["run", "tiny.yaml"], "tiny.yaml", "demand.kind",
                                      "one of 'flat', 'population' or 'stated_growth'", tiny(demand={"kind": "rising"})),
    "a population file that is not there": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "demand.population", "an existing population file or a shipped one's name",
        tiny(demand={"kind": "population", "population": "wales.yaml", "service_use": "all_services"})),
    "a service-use profile the population file lacks": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "demand.service_use", "a service_use profile of the population file",
        tiny(demand={"kind": "population", "population": "wales-population", "service_use": "older_adults"})),
    "growth given to flat demand": Case(["run", "tiny.yaml"], "tiny.yaml", "demand.growth_per_year",
                                        "0 for flat demand", tiny(demand={"kind": "flat", "growth_per_year": 0.044})),
    "a population file with a band too many": Case(
        ["run", "tiny.yaml"], "people.yaml", "splits.2024", "one number per age band (2: [0, 65])",
        tiny(demand={"kind": "population", "population": "people.yaml", "service_use": "all"})
        | {"people.yaml": {"name": "p", "bands": [0, 65], "totals": {2020: 1000}, "splits": {2024: [1, 2, 3]},
                           "service_use": {"all": [1, 1]}}}),
    "stated growth with no growth stated": Case(["run", "tiny.yaml"], "tiny.yaml", "demand.growth_per_year",
                                                "a stated yearly growth for kind stated_growth",
                                                tiny(demand={"kind": "stated_growth"})),
    "a population file whose totals end before the run": Case(
        ["run", "tiny.yaml"], "people.yaml", "totals", "years reaching into the scenario's run (2020 to 2030)",
        tiny(demand={"kind": "population", "population": "people.yaml", "service_use": "all"})
        | {"people.yaml": {"name": "p", "bands": [0, 65], "totals": {2001: 1000, 2011: 1100},
                           "splits": {2024: [1, 2]}, "service_use": {"all": [1, 1]}}}),
    "an expansion before the scenario, in a layer": Case(
        ["run", "layer.yaml"], "layer.yaml", "demand.expansion.start", "a month from the scenario's start (2020-03)",
        tiny(demand={"kind": "stated_growth"}) | {"layer.yaml": {"extends": "tiny.yaml", "demand": {
            "expansion": {"per_year": 0.1, "years": 5, "start": "2015-03"}}}}),
    "an uncertain demand growth beyond its bounds": Case(
        ["batch", "e.yaml"], "e.yaml", "uncertain.demand.growth_per_year.range.1", "less than or equal to 1",
        with_lever() | tiny(demand={"kind": "stated_growth", "growth_per_year": 0.0}) | {"e.yaml": changed(
            EXPERIMENT, {"uncertain": {"demand.growth_per_year": {"range": [0.0, 2.0]}}})}),
    "posts funded for a group the scenario lacks": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.groups", "a staff group of the scenario (staff)",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.levers": [
            {"lever": "funded_posts", "groups": ["nurses"], "fte": 10.0, "ramp_years": 2}]})}),
    "posts funded with nothing to fund": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0", "fte or share (at least one)",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.levers": [{"lever": "funded_posts", "ramp_years": 2}]})}),
    "a target probability beyond 1": Case(["target", "e.yaml", "--probability", "1.5"], "--probability",
                                          "probability", "a finite number greater than 0 and less than 1",
                                          with_target()),
    "a target probability that is no number": Case(["target", "e.yaml", "--probability", "nan"], "--probability",
                                                   "probability", "a finite number greater than 0 and less than 1",
                                                   with_target()),
    "every value when the earliest year is asked": Case(
        ["target", "e.yaml", "--earliest-with", "10", "--every-value"], "--every-value", "every_value",
        "no --every-value with --earliest-with", with_target()),
    "values searched when the earliest year is asked": Case(
        ["target", "e.yaml", "--earliest-with", "10", "--values", "1", "2"], "--values", "values",
        "no --values with --earliest-with", with_target()),
    "target values that are not numbers": Case(["target", "e.yaml", "--values", "a:b:c"], "--values", "values",
                                               "FROM:TO:STEP", with_target()),
    "every target value for a million replications": Case(
        ["target", "e.yaml", "--every-value", "--values", "0:9999:1", "--replications", "1000000"], "--replications",
        "replications", "a whole number from 1 to 100 (each replication runs up to 10,000 of the 10,000 values",
        with_target()),
    "a target bisected for a million replications": Case(
        ["target", "e.yaml", "--values", "0:9999:1", "--replications", "1000000"], "--replications", "replications",
        "a whole number from 1 to 62,500 (each replication runs up to 16 of the 10,000 values", with_target()),
    "a target with no replications": Case(["target", "e.yaml", "--replications", "0"], "--replications",
                                          "replications", "a whole number from 1", with_target()),
    # ---- a target question that cannot be answered ----
    "an experiment without a target": Case(["target", "e.yaml"], "e.yaml", "target", "a target section",
                                           with_target() | {"e.yaml": EXPERIMENT}),
    "a target measure the results do not have": Case(["target", "e.yaml"], "e.yaml", "target.measure",
                                                     "a group measure of the model's results",
                                                     with_target(measure="gap_fte")),
    "a target group not in the scenario": Case(["target", "e.yaml", "--group", "nursing"], "--group", "group",
                                               "a staff group of the scenario or total (staff, total)", with_target()),
    "a target year outside the run": Case(["target", "e.yaml"], "e.yaml", "target.year",
                                          "a year of the experiment's run, from 2021 to 2025", with_target(year=2031)),
    "a target argument that is not a number": Case(["target", "e.yaml"], "e.yaml", "target.argument",
                                                   "a numeric argument of the training_places lever (extra)",
                                                   with_target(argument="stage")),
    "an empty list of sensitivity outcomes": Case(["sensitivity", "e.yaml"], "e.yaml", "sensitivity.outcomes",
                                                  "at least one outcome measure:group:year (or no outcomes:",
                                                  with_lever() | {"e.yaml": changed(EXPERIMENT, {
                                                      "sensitivity": {"outcomes": []}})}),
    "a sensitivity analysis of a billion runs": Case(
        ["sensitivity", "e.yaml", "--quiet"], "e.yaml", "sensitivity", "at most 1,000,000 runs in all",
        with_lever() | {"e.yaml": changed(UNCERTAIN, {"sensitivity": {
            "methods": ["sobol"], "sobol_samples": 65536, "replications": 10000}})}),
    "a sensitivity outcome given twice": Case(["sensitivity", "e.yaml"], "e.yaml", "sensitivity.outcomes",
                                              "each outcome once", with_lever() | {"e.yaml": changed(UNCERTAIN, {
                                                  "sensitivity": {"outcomes": ["fte:staff:2021"] * 2}})}),
    "a sensitivity outcome option given twice": Case(
        ["sensitivity", "e.yaml", "--outcome", "fte:staff:2021", "--outcome", "fte:staff:2021"], "--outcome",
        "outcome", "each outcome once", with_lever() | {"e.yaml": UNCERTAIN}),
    "an empty list of target values": Case(["target", "e.yaml"], "e.yaml", "target.values", "a list of 1 to",
                                           with_target(values=[])),
    "a range of target values that is empty": Case(["target", "e.yaml"], "e.yaml", "target.values",
                                                   "a range with from no greater than to",
                                                   with_target(values={"from": 10, "to": 0, "step": 1})),
    # a step too small beside the range: the count of values overflowed, a traceback
    "a range of target values too many to count": Case(["target", "e.yaml", "--values", "0:1e308:1e-300"], "--values",
                                                       "values", "at most 10,000 values", with_target()),
    # a slip for another value: searched once, one value fewer than written
    "a target value given twice": Case(["target", "e.yaml"], "e.yaml", "target.values", "each value once",
                                       with_target(values=[0, 10, 10, 20])),
    "a target probability of 0": Case(["target", "e.yaml"], "e.yaml", "target.probability",
                                      "a finite number greater than 0 and less than 1", with_target(probability=0)),
    "target values the lever refuses": Case(["target", "e.yaml"], "e.yaml", "target.values",
                                            "values the lever's extra accepts", with_target(values=[-2e6, 0])),
    "an earliest-year value the lever refuses": Case(["target", "e.yaml", "--earliest-with=-2e6"],
                                                     "--earliest-with", "earliest_with",
                                                     "values the lever's extra accepts", with_target()),
    "a target policy the file does not have": Case(["target", "e.yaml"], "e.yaml", "target.policy",
                                                   "a policy of this file (places)", with_target(policy="nope")),
    "a target lever beyond the policy's": Case(["target", "e.yaml"], "e.yaml", "target.lever",
                                               "the index of a lever of policy places (0 to 0)", with_target(lever=3)),
    # ---- values accepted that cannot mean what the user meant ----
    "a lever starting before the scenario": Case(["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.start",
                                                 "a month within the run, from the scenario's start (2020-03) to the "
                                                 "run's end (2022-03)", with_lever(start="2019-06")),
    "a lever starting after the scenario's end": Case(["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.start",
                                                      "a month within the run", with_lever(start="2031-01")),
    "a lever starting after the run's end": Case(["sensitivity", "e.yaml"], "e.yaml", "policies.keep.levers.0.start",
                                                 "to the run's end (2022-03)", with_lever(start="2025-01")),
    # levers are put in force in the order given: the first fill rate was replaced in every month, in silence
    "two fill rates of one intake from the same month": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.fill_rate", "a value that acts: levers.1 of this "
                                                                           "policy, given after it and in force from "
                                                                           "no later month, set the same",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.levers": [
            {"lever": "training_places", "stage": "course/student", "fill_rate": 0.5, "start": "2021-01"},
            {"lever": "training_places", "stage": "course/student", "fill_rate": 0.9}]})}),
    "a schedule of places replaced from an earlier year": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.places", "a value that acts: levers.1 of this policy",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.levers": [
            {"lever": "training_places", "stage": "course/student", "places": {2021: 30}},
            {"lever": "training_places", "stage": "course/student", "places": {2020: 10, 2022: 20}}]})}),
    "parameter sets with no uncertain parameters": Case(["batch", "e.yaml"], "e.yaml", "parameter_sets",
                                                        "0 without uncertain: parameters",
                                                        with_lever() | {"e.yaml": changed(EXPERIMENT,
                                                                                          {"parameter_sets": 5})}),
    # an experiment's parameter sets and sensitivity points are drawn uniformly over its ranges: a prior was ignored
    # one value given twice, the key's replacing the mapping's in silence
    "an override of a key inside another override's mapping": Case(
        ["batch", "e.yaml"], "e.yaml", "overrides.groups.staff.leaving.rate",
        "a key given once: overrides.groups.staff.leaving replaces the mapping it is in",
        with_lever() | {"e.yaml": changed(EXPERIMENT, {"overrides": {
            "groups.staff.leaving": {"rate": 0.3, "reasons": {"elsewhere": 1.0}}, "groups.staff.leaving.rate": 0.2}})}),
    "a prior in an experiment's uncertain parameters": Case(
        ["batch", "e.yaml"], "e.yaml", "uncertain.groups.staff.leaving.rate.prior",
        "no prior here: an experiment's parameter sets and sensitivity points are drawn uniformly over the range",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"parameter_sets": 2, "uncertain": {"groups.staff.leaving.rate": {
            "range": [0.0, 0.2], "prior": {"mean": 0.1, "sd": 0.05}}}})}),
    # a factor leaves 0 at 0: every parameter set ran the same value, and sensitivity measured nothing
    # a range of one of shares that sum to 1 leaves them summing to 1 at no end: named as the scenario's shares,
    # in the scenario file, which holds no mistake
    "an uncertain range of one of the leaving reasons' shares": Case(
        ["batch", "e.yaml"], "e.yaml", "uncertain.groups.staff.leaving.reasons.elsewhere.range",
        "[low, high] whose low end leaves groups.staff.leaving.reasons of the scenario valid (leaving reason shares "
        "summing to 1", tiny() | {"e.yaml": changed(EXPERIMENT, {"parameter_sets": 2, "uncertain": {
            "groups.staff.leaving.reasons.elsewhere": {"range": [0.5, 1.0]}}})}),
    "a scale of a value that is 0": Case(
        ["batch", "e.yaml"], "e.yaml", "uncertain.groups.staff.leaving.rate", "a key whose value is not 0 "
        "everywhere, for scale:", tiny() | {"e.yaml": changed(EXPERIMENT, {"parameter_sets": 2, "uncertain": {
            "groups.staff.leaving.rate": {"scale": [0.5, 1.5]}}})}),
    "a lever for an empty list of groups": Case(["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.groups",
                                                "at least one staff group of the scenario (staff), or no groups:",
                                                with_lever(groups=[])),
    "a lever for an empty list of stages": Case(["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.stages",
                                                "at least one stage, or no stages:", with_lever(stages=[])),
    "a schedule of places that starts after the run": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.places", "a schedule whose first intake (2025-09) is "
                                                                        "within the run, which ends 2022-03",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.levers": [
            {"lever": "training_places", "stage": "course/student", "places": {2025: 30}}]})}),
    # the scenario ends 2030-03: the places of 2030/31 were in the policy and its results, and never taken up
    "a schedule of places with a year after the scenario's end": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.places", "academic years whose intake is within the "
                                                                        "scenario, which ends 2030-03 (the intake of "
                                                                        "2030 is 2030-09",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.levers": [
            {"lever": "training_places", "stage": "course/student", "places": {2020: 30, 2030: 60}}]})}),
    "places added from after the run's last intake": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.start", "a lever that acts within the run: "
                                                                       "course/student's places change only at its "
                                                                       "intake, in month 9 each year, and the first "
                                                                       "from the lever's start is 2022-09",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.levers": [
            {"lever": "training_places", "stage": "course/student", "extra": 10, "start": "2021-10"}]})}),
    "a starting stock older than its group's retirement age": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "stocks.course/worker.age",
        "age bands ending by the group's retirement.max_age (70)",
        tiny(**{"stocks__course/worker__age": [[30, 60, 0.8], [60, 80, 0.2]]})),
    "an intake aged past retirement": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "intake.course/student.age", "age bands ending by the group's "
                                                                        "retirement.max_age (70)",
        tiny(**{"intake__course/student__age": [[18, 75, 1.0]]})),
    # a slip of a bound: the shared ages were given the people of both bands, in silence
    "a starting stock's age bands that overlap": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "stocks.course/worker.age", "age bands that do not overlap ([30, 50) and "
                                                                       "[40, 60) share ages)",
        tiny(**{"stocks__course/worker__age": [[40, 60, 0.5], [30, 50, 0.5]]})),
    "an intake's age band given twice": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "intake.course/student.age", "age bands that do not overlap",
        tiny(**{"intake__course/student__age": [[18, 20, 0.5], [18, 20, 0.5]]})),
    # only those who finish the route by the maximum age are selected: from 75, nobody ever was, and the run
    # warned only of places unfilled
    "an in-service route's ages past the last that can finish it": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "intake.route/apprentice.age_range",
        "ages from below 68: only people who would finish the route (2 years at its slowest) by the maximum age "
        "(70) are selected", tiny(pathways=["course.yaml", "route.yaml"], **{"intake__route/apprentice": {
            "month": 9, "places": {2019: 5}, "from_stage": "course/worker", "age_range": [75, 90]}})
        | {"route.yaml": tiny_scenario.ROUTE}),
    # a course of one group leading to the posts of another, of an earlier maximum age: those finishing it past
    # that age retired in the month they arrived, every one of them, and the run went on
    "a course whose graduates are past the maximum age of the posts it leads to": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "intake.course/student.age",
        "ages on entering that, with the 2 years of the course, stay within the maximum age (50) of group other, "
        "whose posts it leads to: older, they would retire on arriving",
        tiny(**{"intake__course/student__age": [[50, 52, 1.0]],
                "groups__other": changed(tiny_scenario.SCENARIO["groups"]["staff"],
                                         {"label": "Other", "retirement.max_age": 50})})
        | {"course.yaml": changed(tiny_scenario.PATHWAY, {"stages.student.transitions": {"worker": 0.5, "post": 0.5},
                                                          "stages.post": {"staff_group": "other"}})}),
    # the establishment at the start is the staff in post and the vacancies: with nobody in post, a vacancy rate funded
    # no post and a growth grew none, and the group stayed empty in silence
    "a vacancy rate of a group with nobody in post": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.establishment.vacancy_rate",
        "vacancies_fte for a group with no staff in post at the start",
        tiny(**{"stocks__course/worker__headcount": 0, "groups__staff__establishment": {"vacancy_rate": 0.5},
                "groups__staff__joiners": JOINING | {"per_year": 30.0, "sources": {"uk": 1.0}}})),
    "an establishment growth of a group with no post at the start": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.establishment.growth_per_year",
        "0 for a group with no funded post at the start",
        tiny(**{"stocks": {}, "groups__staff__establishment__growth_per_year": 0.2})),
    # a role funded as it fills takes no vacancy of its group: joiners sent there filled none, and the group
    # recruited into it every month for as long as the run lasted
    "joiners to posts funded with their role": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.joiners.stages.course/worker",
        "a post of group staff counted against its establishment (not own_establishment",
        tiny(**{"groups__staff__establishment__vacancies_fte": 20.0,
                "groups__staff__joiners": JOINING | {"per_year": 30.0, "sources": {"uk": 1.0}}})
        | {"course.yaml": changed(tiny_scenario.PATHWAY, {"stages.worker.own_establishment": True})}),
    "an FTE above what the headcount can work": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "stocks.course/worker", "fte no greater than headcount (10)",
        tiny(**{"stocks__course/worker": {"headcount": 10, "fte": 10.5, "age": [[30, 50, 1.0]]}})),
    "an FTE with nobody to work it": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "stocks.course/worker", "fte no greater than headcount (0)",
        tiny(**{"stocks__course/worker": {"headcount": 0, "fte": 3.0, "age": [[30, 50, 1.0]]}})),
    "an FTE below what the headcount works": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "stocks.course/worker", "fte of at least 0.05 per person",
        tiny(**{"stocks__course/worker": {"headcount": 100, "fte": 1.0, "age": [[30, 50, 1.0]]}})),
    "a negative FTE": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "stocks.course/worker.fte", "a number greater than or equal to 0",
        tiny(**{"stocks__course/worker": {"fte": -4.0, "age": [[30, 50, 1.0]]}})),
    "a value the calibration would replace": Case(
        ["run", "top.yaml"], "top.yaml", "groups.staff.leaving.rate",
        "no value for a key the calibration cal.yaml sets",
        tiny(calibration="cal.yaml") | {"cal.yaml": CALIBRATION,
                                        "top.yaml": {"extends": "tiny.yaml", "groups": {"staff": {"leaving": {
                                            "rate": 0.2}}}}}),
    "an edit the calibration would replace": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.leaving.rate",
        "the value calibration cal.yaml was fitted from, 0.0, as the calibration replaces it",
        tiny(calibration="cal.yaml", **{"groups__staff__leaving__rate": 0.2}) | {"cal.yaml": FITTED}),
    # the layer's choice of calibration is what does not fit, not the value its base gives: blamed on the layer
    "a layer naming a calibration fitted from other values than its base's": Case(
        ["run", "top.yaml"], "top.yaml", "calibration", "a calibration fitted from the values of the scenario it "
                                                        "extends: cal.yaml was fitted from groups.staff.leaving.rate "
                                                        "0.0, where tiny.yaml gives 0.2",
        tiny(**{"groups__staff__leaving__rate": 0.2}) | {"cal.yaml": FITTED,
                                                         "top.yaml": {"extends": "tiny.yaml",
                                                                      "calibration": "cal.yaml"}}),
    "an edit the calibration would replace, in a copy of the shipped scenario": Case(
        ["run", "copy.yaml"], "copy.yaml", "groups.nursing.leaving.rate", "the value calibration wales-mh-v",
        {"copy.yaml": changed(SHIPPED, {"groups.nursing.leaving.rate": 0.2})}),
    "joiners with pools and per_year both": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.joiners", "pools (joiners a year by source) or per_year "
                                                                   "with sources shares, not both",
        tiny(**{"groups__staff__joiners": JOINING | {"per_year": 5.0, "sources": {"a": 1.0}, "pools": {"a": 5.0}}})),
    "joiners with per_year and no sources": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.joiners", "pools (joiners a year by source), or per_year "
                                                                   "with sources shares",
        tiny(**{"groups__staff__joiners": JOINING | {"per_year": 5.0}})),
    "a pool with a negative supply": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.joiners.pools.abroad", "a number greater than or equal to 0",
        tiny(**{"groups__staff__joiners": JOINING | {"pools": {"abroad": -5.0}}})),
    # a share of the places (0.1 for 10% more): 10 for 10% made eleven times the places, in silence
    "LTFT extra places given as a percentage": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.extra_places", "a number less than or equal to 3",
        tiny(**{"intake__course/student__places": {2019: 20}}) | {"e.yaml": changed(EXPERIMENT, {
            "policies.keep.levers": [{"lever": "ltft_training", "stages": ["course/student"], "share": 0.2,
                                      "extra_places": 10}]})}),
    # a course the lever slows past the maximum age of those entering it was applied, the same LTFT in a pathway refused
    "an LTFT lever slowing a course past the trainees' working life": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.fraction", "a lowest fraction of at least 0.04 in "
                                                                          "course/student",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.levers": [
            {"lever": "ltft_training", "stages": ["course/student"], "share": 0.9, "fraction": [0.01, 0.02]}]})}),
    # the raised leaver rates were capped at 1 in silence, as a retention factor doing the same is not
    "a workload cap taking a leaver rate past 1": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "feedbacks.workload.max_factor", "a factor of at most 3.333",
        tiny(**{"groups__staff__leaving__rate": 0.3, "feedbacks": {"workload": WORKLOAD | {"max_factor": 4.0}}})),
    "a workload cap taking a leaver rate past 1, in a layer": Case(
        ["run", "top.yaml"], "top.yaml", "feedbacks.workload.max_factor", "a factor of at most 3.333",
        tiny(**{"groups__staff__leaving__rate": 0.3, "feedbacks": {"workload": WORKLOAD}})
        | {"top.yaml": {"extends": "tiny.yaml", "feedbacks": {"workload": {"max_factor": 4.0}}}}),
    "a workload cap taking a leaver rate past 1, from an experiment's override": Case(
        ["batch", "e.yaml"], "e.yaml", "overrides.feedbacks.workload.max_factor", "a factor of at most 3.333",
        tiny(**{"groups__staff__leaving__rate": 0.3, "feedbacks": {"workload": WORKLOAD | {"max_factor": 2.0}}})
        | {"e.yaml": changed(EXPERIMENT, {"overrides": {"feedbacks.workload.max_factor": 4.0}})}),
    "a workload cap taking a leaver rate past 1, switched on by a lever": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.workload", "max_factor, 4) is at most 3.333",
        tiny(**{"groups__staff__leaving__rate": 0.3, "feedbacks": {"workload": {"strength": 2.0,
                                                                                 "max_factor": 2.0}}})
        | {"e.yaml": changed(EXPERIMENT, {
            "overrides": {"feedbacks.workload.max_factor": 4.0},
            "policies.keep.levers": [{"lever": "feedbacks", "workload": True}]})}),
    # the strength left at its default, 0, for a loop that is off: switched on, it changed nothing, in silence
    "a workload feedback switched on with no strength": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "feedbacks.workload.strength", "a strength for the workload feedback, "
                                                                          "which is enabled (or enabled: false)",
        tiny(feedbacks={"workload": {"enabled": True}})),
    "a workload feedback with no strength, switched on by a lever": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.workload", "a strength for the workload feedback in "
                                                                          "the scenario's feedbacks.workload.strength",
        tiny() | {"e.yaml": changed(EXPERIMENT, {"policies.keep.levers": [{"lever": "feedbacks", "workload": True}]})}),
    "a funded campaign with no pool": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0", "extra_per_year and source with funded: true",
        tiny(**{"groups__staff__joiners": JOINING | {"pools": {"abroad": 5.0}}}) | {"e.yaml": changed(EXPERIMENT, {
            "policies.keep.levers": [{"lever": "recruitment", "extra_per_year": 10, "funded": True}]})}),
    "a campaign funded with a word": Case(
        ["batch", "e.yaml"], "e.yaml", "policies.keep.levers.0.funded", "a valid boolean",
        tiny(**{"groups__staff__joiners": JOINING | {"pools": {"abroad": 5.0}}}) | {"e.yaml": changed(EXPERIMENT, {
            "policies.keep.levers": [{"lever": "recruitment", "extra_per_year": 10, "source": "abroad",
                                      "funded": "yes"}]})}),
    # ---- names that become paths ----
    "a scenario name that climbs out of results": Case(["run", "tiny.yaml"], "tiny.yaml", "name", PLAIN,
                                                       tiny(name="../../escaped")),
    "a scenario name with a slash": Case(["run", "tiny.yaml"], "tiny.yaml", "name", PLAIN, tiny(name="a/b")),
    "a scenario name starting with a dot": Case(["run", "tiny.yaml"], "tiny.yaml", "name", PLAIN, tiny(name=".hidden")),
    "an absolute scenario name": Case(["run", "tiny.yaml"], "tiny.yaml", "name", PLAIN, tiny(name="/tmp/escaped")),
    "an experiment name with a path": Case(["batch", "e.yaml"], "e.yaml", "name", "a plain lower-case name",
                                           with_lever() | {"e.yaml": changed(EXPERIMENT, {"name": "../escaped"})}),
    "a policy name with a path": Case(["batch", "e.yaml"], "e.yaml", "policies.../p", "a plain lower-case name",
                                      with_lever() | {"e.yaml": changed(EXPERIMENT, {
                                          "policies": {"../p": EXPERIMENT["policies"]["keep"]}})}),
    "a calibration version that climbs out": Case(["calibrate", "--version", "../../escaped"], "--version", "version",
                                                  PLAIN),
    "a calibration version with a slash": Case(["calibrate", "--version", "v1/x", "--generations", "1"], "--version",
                                               "version", PLAIN),
    "calibrate with a population of one": Case(["calibrate", "--population", "1"], "--population", "population",
                                               "at least 10"),
    "a prior whose mean lies outside its bounds": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "uncertain.groups.staff.leaving.rate", "a prior mean within the bounds",
        tiny(uncertain={"groups.staff.leaving.rate": {"range": [0.0, 0.2], "prior": {"mean": 0.5, "sd": 0.1}}})),
    "a posterior table that is missing": Case(
        ["run", "tiny.yaml"], "cal.yaml", "posterior", "the file name of its posterior table, beside it",
        tiny(calibration="cal.yaml") | {"cal.yaml": FITTED | {"posterior": "nosuch.csv"}}),
    "a posterior table with other parameters": Case(
        ["run", "tiny.yaml"], "post.csv", "columns", "weight, groups.staff.leaving.rate",
        with_posterior("weight,groups.staff.joiners.per_year\n1,0.05\n")),
    "a posterior table saved with semicolons": Case(
        ["run", "tiny.yaml"], "post.csv", "columns",
        "(found 'one column, its values separated by semicolons (CSV separates them by commas)')",
        with_posterior("weight;groups.staff.leaving.rate\n1;0.05\n1;0.06\n")),
    "a posterior table with a negative weight": Case(
        ["run", "tiny.yaml"], "post.csv", "weight", "finite numbers not below 0",
        with_posterior("weight,groups.staff.leaving.rate\n-1,0.05\n2,0.06\n")),
    # pandas reads a column of True and False as booleans: taken as 1 and 0, True was a leaving rate of 1
    "a posterior table with true for a rate": Case(
        ["run", "tiny.yaml"], "post.csv", "groups.staff.leaving.rate", "finite numbers",
        with_posterior("weight,groups.staff.leaving.rate\n1,True\n1,False\n")),
    "a posterior table with true for a weight": Case(
        ["run", "tiny.yaml"], "post.csv", "weight", "finite numbers not below 0",
        with_posterior("weight,groups.staff.leaving.rate\nTrue,0.05\nFalse,0.06\n")),
    "a posterior table with a rate out of range": Case(
        ["run", "tiny.yaml", "--replications", "2"], "post.csv", "groups.staff.leaving.rate, row 2",
        "a probability in [0, 1]",
        with_posterior("weight,groups.staff.leaving.rate\n0,0.05\n1,5\n")),
    "a posterior table with a factor that leaves a rate out of range": Case(
        ["run", "tiny.yaml", "--replications", "2"], "post.csv", "scale:groups.staff.leaving.rate, row 2",
        "a factor that leaves groups.staff.leaving.rate a probability in [0, 1]",
        tiny(calibration="cal.yaml", **{"groups__staff__leaving__rate": 0.1})
        | {"cal.yaml": CALIBRATION | {"overrides": {"groups.staff.leaving.rate": 0.1}, "posterior": "post.csv",
                                      "fitted": {"groups.staff.leaving.rate": {"kind": "scale", "value": 1.0,
                                                                               "shipped": 0.1}}},
           "post.csv": "weight,scale:groups.staff.leaving.rate\n0,1\n1,-3\n"}),
    # another version's table of the same parameters and size was drawn from in silence, under this calibration's name
    "a parameter file naming another calibration's posterior table": Case(
        ["run", "tiny.yaml", "--replications", "2"], "cal.yaml", "posterior", "the posterior table written with "
        "this parameter file: in v0-posterior.csv, groups.staff.leaving.rate has median 0.08, where "
        "fitted.groups.staff.leaving.rate.median records 0.05",
        with_posterior("weight,groups.staff.leaving.rate\n1,0.05\n1,0.06\n") | {
            "cal.yaml": FITTED | {"posterior": "v0-posterior.csv", "fitted": {"groups.staff.leaving.rate": {
                "kind": "range", "median": 0.05, "interval_90": [0.05, 0.06], "shipped": 0.0}}},
            "v0-posterior.csv": "weight,groups.staff.leaving.rate\n1,0.08\n1,0.09\n"}),
    "a posterior table whose rows hold a value more than its header": Case(
        ["run", "tiny.yaml"], "post.csv", "<rows>", "as many values in each row as the header names columns",
        with_posterior("weight,groups.staff.leaving.rate\n1,0.05,0.9\n1,0.06,0.9\n")),
    "parameter sets that are not there": Case(["sensitivity", "e.yaml", "--over-posterior", "nope.csv"],
                                              "--over-posterior", "over_posterior", "an existing file", with_lever()),
    "parameter sets that are a folder": Case(["sensitivity", "e.yaml", "--over-posterior", "sets.csv"],
                                             "--over-posterior", "over_posterior", REGULAR,
                                             with_lever() | {"sets.csv": FOLDER}),
    "parameter sets naming a column twice": Case(
        ["sensitivity", "e.yaml", "--over-posterior", "sets.csv"], "sets.csv", "columns", "each column named once",
        with_lever() | {"sets.csv": "groups.staff.leaving.rate,groups.staff.leaving.rate\n" + "0.05,0.06\n" * 150}),
    "a posterior table naming a column twice": Case(
        ["run", "tiny.yaml"], "post.csv", "columns", "each column named once",
        with_posterior("weight,weight\n1,1\n")),
    "parameter sets whose rows hold a value more than their header": Case(
        ["sensitivity", "e.yaml", "--over-posterior", "sets.csv"], "sets.csv", "<rows>",
        "as many values in each row as the header names columns",
        with_lever() | {"sets.csv": "groups.staff.leaving.rate,weight\n" + "7,0.05,1\n" * 150}),
    "parameter sets the sensitivity results would replace": Case(
        ["sensitivity", "e.yaml", "--over-posterior", "sensitivity.csv", "--out", "."], "--over-posterior",
        "over_posterior", "a file the results do not replace",
        with_lever() | {"e.yaml": UNCERTAIN, "sensitivity.csv": "groups.staff.leaving.rate\n" + "0.05\n0.1\n" * 75}),
    "a ranges file the plausibility results would replace": Case(
        ["plausibility", "tiny.yaml", "--ranges", "plausibility.md", "--out", "."], "--ranges", "ranges",
        "a file the results do not replace", tiny() | {"plausibility.md": test_plausibility.RANGES}),
    # ---- special files: refused without opening them ----
    "a scenario that is a named pipe": Case(["run", "pipe.yaml"], "pipe.yaml", "<top level>", REGULAR,
                                            {"pipe.yaml": FIFO}),
    "a scenario that is a device": Case(["run", "/dev/zero"], "/dev/zero", "<top level>", REGULAR),
    "a scenario that is a folder": Case(["run", "folder.yaml"], "folder.yaml", "<top level>", REGULAR,
                                        {"folder.yaml": FOLDER}),
    "an experiment that is a named pipe": Case(["batch", "pipe.yaml"], "pipe.yaml", "<top level>", REGULAR,
                                               {"pipe.yaml": FIFO}),
    "an experiment that is a device": Case(["sensitivity", "/dev/zero"], "/dev/zero", "<top level>", REGULAR),
    "a calibration file that is a named pipe": Case(["calibrate", "pipe.yaml"], "pipe.yaml", "<top level>", REGULAR,
                                                    {"pipe.yaml": FIFO}),
    "a parameter file that is a named pipe": Case(["calibrate", "--evaluate", "pipe.yaml"], "pipe.yaml", "<top level>",
                                                  REGULAR, {"pipe.yaml": FIFO}),
    "a pathway that is a named pipe": Case(["run", "tiny.yaml"], "tiny.yaml", "pathways.0", REGULAR,
                                           tiny(pathways=["pipe.yaml"]) | {"pipe.yaml": FIFO}),
    "a pathway that is a device": Case(["pathways", "tiny.yaml"], "tiny.yaml", "pathways.0", REGULAR,
                                       tiny(pathways=["/dev/zero"])),
    "a pathway that is a folder": Case(["run", "tiny.yaml"], "tiny.yaml", "pathways.0", REGULAR,
                                       tiny(pathways=["folder"]) | {"folder": FOLDER}),
    "a calibration reference that is a named pipe": Case(["run", "tiny.yaml"], "tiny.yaml", "calibration", REGULAR,
                                                         tiny(calibration="pipe.yaml") | {"pipe.yaml": FIFO}),
    "an extended scenario that is a named pipe": Case(["run", "top.yaml"], "top.yaml", "extends", REGULAR,
                                                      {"top.yaml": {"extends": "pipe.yaml"}, "pipe.yaml": FIFO}),
    "an experiment's scenario that is a named pipe": Case(["batch", "e.yaml"], "e.yaml", "scenario", REGULAR,
                                                          {"e.yaml": changed(EXPERIMENT, {"scenario": "pipe.yaml"}),
                                                           "pipe.yaml": FIFO}),
    "an experiment's scenario that is a device": Case(["batch", "e.yaml"], "e.yaml", "scenario", REGULAR,
                                                      {"e.yaml": changed(EXPERIMENT, {"scenario": "/dev/zero"})}),
    # ---- layered scenarios: the file where the mistake is, the file and key of a missing reference ----
    "a mistake in the base file": Case(["run", "top.yaml"], "tiny.yaml", "groups.staff.female_share",
                                       "a number less than or equal to 1",
                                       tiny(**{"groups__staff__female_share": 1.5}) | {"top.yaml": {
                                           "extends": "tiny.yaml", "name": "top"}}),
    "a mistake in the extending file": Case(["run", "top.yaml"], "top.yaml", "groups.staff.female_share",
                                            "a number less than or equal to 1",
                                            tiny() | {"top.yaml": {"extends": "tiny.yaml", "groups": {"staff": {
                                                "female_share": 1.5}}}}),
    "a missing key, of a group the extending file adds": Case(
        ["run", "top.yaml"], "top.yaml", "groups.extra.label", "this required field",
        tiny() | {"top.yaml": {"extends": "tiny.yaml", "groups": {"extra": changed(
            tiny_scenario.SCENARIO["groups"]["staff"], {"label": None})}}}),
    # what a layer removes with null, and another file still refers to, is named where it was removed: the
    # referring file, which was not edited, was blamed under its own key
    "an intake a supervision pool is capped at, removed by a layer": Case(
        ["run", "top.yaml"], "top.yaml", "intake", "a value, not null: tiny.yaml refers to it (its "
                                                   "feedbacks.supervision.placements.course.trainees)",
        tiny(feedbacks={"supervision": {"placements": {"course": {
            "trainees": ["course/student"], "supervisors": ["staff"], "trainees_per_supervisor": 2.0}}}})
        | {"top.yaml": {"extends": "tiny.yaml", "intake": None}}),
    "a group a pathway's stages belong to, removed by a layer": Case(
        ["run", "top.yaml"], "top.yaml", "groups.staff", "a value, not null: course.yaml refers to it",
        tiny() | {"top.yaml": {"extends": "tiny.yaml", "groups": {"staff": None}}}),
    "a stock an intake keeps the headcount of, removed by a layer": Case(
        ["run", "top.yaml"], "top.yaml", "stocks.course/worker", "a value, not null: tiny.yaml refers to it",
        tiny(intake={"course/worker": {"month": 9, "places": {2019: 1}, "keep_headcount": True,
                                       "age": [[30, 40, 1.0]]}})
        | {"top.yaml": {"extends": "tiny.yaml", "stocks": {"course/worker": None}}}),
    # null removes a key, and one whose default is a value took it in silence: the month MHO status ends, for one
    # meant never to end
    "a key whose default is a value, removed by a layer": Case(
        ["run", "top.yaml"], "top.yaml", "mho_end", "a value, not null: null removes the key, which would then take "
                                                    "its default, '2029-03'",
        tiny() | {"top.yaml": {"extends": "tiny.yaml", "mho_end": None}}),
    # null for a key the scenario extended has not, misspelt: it removed nothing, and the edit meant was not made
    "a misspelt key removed by a layer": Case(
        ["run", "top.yaml"], "top.yaml", "mho_ends", "a key that the scenario this file extends (tiny.yaml) has, or "
                                                     "no null: null removes a key of the scenario a file extends, and "
                                                     "that one has no mho_ends (it has mho_end)",
        tiny() | {"top.yaml": {"extends": "tiny.yaml", "mho_ends": None}}),
    "a misspelt key of a group removed by a layer": Case(
        ["run", "top.yaml"], "top.yaml", "groups.staff.leavng", "that one has no groups.staff.leavng (it has "
                                                                "groups.staff.leaving)",
        tiny() | {"top.yaml": {"extends": "tiny.yaml", "groups": {"staff": {"leavng": None}}}}),
    # a layer's pathways: replace its base's whole: one it leaves out was named as the base's group and stocks of it
    "a pathway of the base left out of a layer's pathways": Case(
        ["run", "top.yaml"], "top.yaml", "pathways", "pathways with other.yaml (left out of those of tiny.yaml), whose "
                                                     "stages and groups tiny.yaml refers to: its groups.other, "
                                                     "stocks.other/post",
        tiny(pathways=["course.yaml", "other.yaml"], groups__other=changed(tiny_scenario.SCENARIO["groups"]["staff"],
                                                                           {"label": "Other"}),
             **{"stocks__other/post": {"headcount": 10, "age": [[30, 40, 1.0]]}})
        | {"other.yaml": {"name": "other", "stages": {"post": {"staff_group": "other", "entry": True}}},
           "top.yaml": {"extends": "tiny.yaml", "pathways": ["course.yaml"]}}),
    "an unknown stage in the base file's stocks": Case(
        ["run", "top.yaml"], "tiny.yaml", "stocks.course/nobody", "a stage",
        tiny(**{"stocks__course/nobody": {"headcount": 1, "age": [[30, 40, 1.0]]}}) | {"top.yaml": {
            "extends": "tiny.yaml"}}),
    "an extended file that does not exist": Case(["run", "top.yaml"], "top.yaml", "extends",
                                                 "an existing scenario file (a path is read from the folder",
                                                 {"top.yaml": {"extends": "no-such-base.yaml"}}),
    # relative to the file, as its pathways and calibration are: one of the name in the current folder was
    # read instead, so the scenario run depended on where the command was run
    "an extended file in the current folder, not beside the file": Case(
        ["run", "sub/top.yaml"], "sub/top.yaml", "extends", "an existing scenario file (a path is read from the "
                                                             "folder of the file naming it, sub) or a shipped scenario",
        tiny() | {"sub": FOLDER, "sub/top.yaml": {"extends": "tiny.yaml", "name": "top"}}),
    "a pathway file of the base that does not exist": Case(
        ["run", "top.yaml"], "tiny.yaml", "pathways.0", "an existing pathway file",
        tiny(pathways=["no-such-pathway.yaml"]) | {"top.yaml": {"extends": "tiny.yaml"}}),
    # named as the pathway's name given twice, in the pathway file, which was not the mistake
    "a pathway file listed twice": Case(["run", "tiny.yaml"], "tiny.yaml", "pathways.1", "each pathway file once",
                                        tiny(pathways=["course.yaml", "./course.yaml"])),
    "a pathway file listed twice, in the extending file": Case(
        ["run", "top.yaml"], "top.yaml", "pathways.1", "each pathway file once (pathways.0 names it too)",
        tiny() | {"top.yaml": {"extends": "tiny.yaml", "pathways": ["course.yaml", "course.yaml"]}}),
    "a calibration named in the base that does not exist": Case(
        ["run", "top.yaml"], "tiny.yaml", "calibration", "an existing calibration file or shipped name",
        tiny(calibration="no-such-calibration") | {"top.yaml": {"extends": "tiny.yaml"}}),
    "a bad value in the calibration file": Case(
        ["run", "tiny.yaml"], "cal.yaml", "groups.staff.leaving.rate", "a probability in [0, 1]",
        tiny(calibration="cal.yaml") | {"cal.yaml": changed(CALIBRATION, {"overrides": {
            "groups.staff.leaving.rate": 1.5}})}),
    "an experiment's scenario that does not exist": Case(["batch", "e.yaml"], "e.yaml", "scenario",
                                                         "a scenario file (relative to e.yaml)",
                                                         {"e.yaml": changed(EXPERIMENT, {"scenario": "gone.yaml"})}),
    # ---- a file of another kind: said to be one, not as each key it lacks or has ----
    "an experiment given as a scenario": Case(["run", "e.yaml"], "e.yaml", "<top level>",
                                              "a scenario file, not another kind of input file", with_lever()),
    "a scenario given as an experiment": Case(["batch", "tiny.yaml"], "tiny.yaml", "<top level>",
                                              "an experiment file, not another kind of input file", tiny()),
    "a scenario given as a target's experiment": Case(["target", "tiny.yaml"], "tiny.yaml", "<top level>",
                                                      "an experiment file, not another kind", tiny()),
    "a scenario given to sensitivity": Case(["sensitivity", "tiny.yaml"], "tiny.yaml", "<top level>",
                                            "an experiment file, not another kind", tiny()),
    "a pathway given as a scenario": Case(["pathways", "course.yaml"], "course.yaml", "<top level>",
                                          "a scenario file, not another kind", tiny()),
    "an experiment given as a back-test": Case(["backtest", "e.yaml"], "e.yaml", "<top level>",
                                               "a back-test file, not another kind", with_lever()),
    "a scenario given as a parameter file": Case(["calibrate", "--evaluate", "tiny.yaml"], "tiny.yaml", "<top level>",
                                                 "a calibration parameter file, not another kind", tiny()),
    "a history as a scenario's calibration": Case(["run", "tiny.yaml"], "h.yaml", "<top level>",
                                                  "a calibration parameter file, not another kind",
                                                  tiny(calibration="h.yaml") | {"h.yaml": HISTORY}),
    "an experiment as the scenario extended": Case(["run", "top.yaml"], "e.yaml", "<top level>",
                                                   "a scenario file, not another kind",
                                                   with_lever() | {"top.yaml": {"extends": "e.yaml"}}),
    "a scenario as a population file": Case(
        ["run", "tiny.yaml"], "course.yaml", "<top level>", "a population file, not another kind",
        tiny(demand={"kind": "population", "population": "course.yaml", "service_use": "all"})),
    "a leaving reason that is not a name": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.leaving.reasons.Other Sector!", "a plain lower-case name",
        tiny(groups__staff__leaving__reasons={"Other Sector!": 1.0})),
    # joiners are counted by their source (joined:<source>) and a recruitment lever names it as a plain name:
    # a pool named otherwise ran, and no lever could ever name it
    "a joiners' source that is not a name": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.joiners.sources.International", "a plain lower-case name",
        tiny(groups__staff__joiners=JOINING | {"per_year": 5.0, "sources": {"International": 1.0}})),
    "a joiners' pool that is not a name": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.joiners.pools.return to practice", "a plain lower-case name",
        tiny(groups__staff__joiners=JOINING | {"pools": {"return to practice": 5.0}})),
    # a group's label names it in every figure, table and the report: a blank one showed it as nothing
    "a group's blank label": Case(["run", "tiny.yaml"], "tiny.yaml", "groups.staff.label", "a name to show",
                                  tiny(groups__staff__label="  ")),
    # YAML reads an unquoted no (Norway) as false: the pool was named 0 and said to be no text
    "a joiners' pool named no, unquoted": Case(
        ["run", "tiny.yaml"], "tiny.yaml", "groups.staff.joiners.pools.no", "a key written as text or a year",
        tiny() | {"tiny.yaml": yaml.safe_dump(changed(tiny_scenario.SCENARIO, {"groups.staff.joiners": JOINING | {
            "pools": {"uk": 5.0, False: 5.0}}}), sort_keys=False).replace("false: 5.0", "no: 5.0")}),
    # ---- files that must not be quoted back ----
    "a credentials file as a scenario": Case(["run", "creds.yaml"], "creds.yaml", "password", "unknown key",
                                             {"creds.yaml": f"user: admin\npassword: {SECRET}\n"}),
    "a password file as a scenario": Case(["run", "passwd"], "passwd", "<top level>", "a mapping of keys to values",
                                          {"passwd": f"root:x:0:0:root:/root:/bin/bash\nadmin:{SECRET}:1000:1000\n"}),
    "a binary file as a scenario": Case(["run", "blob.bin"], "blob.bin", "<top level>", "a readable UTF-8 text file",
                                        {"blob.bin": b"\x89PNG\r\n\x1a\n\xff\xfe" + SECRET.encode() + b"\x00" * 40}),
    "a broken file with a secret as a scenario": Case(["run", "notes.yaml"], "notes.yaml", "<top level>",
                                                      "valid YAML", {"notes.yaml": f"token: [{SECRET}\nkey: {{\n"}),
    "a credentials file as a pathway": Case(["run", "tiny.yaml"], "creds.yaml", "password", "unknown key",
                                            tiny(pathways=["creds.yaml"]) | {"creds.yaml": f"password: {SECRET}\n"}),
    "a credentials file as an experiment": Case(["batch", "creds.yaml"], "creds.yaml", "api_key", "unknown key",
                                                {"creds.yaml": f"api_key: {SECRET}\n"}),
    "a credentials file as parameter sets": Case(
        ["sensitivity", "e.yaml", "--over-posterior", "creds.csv"], "creds.csv", "columns", "a table of parameter sets",
        with_lever() | {"e.yaml": UNCERTAIN, "creds.csv": f"AWS_SECRET_ACCESS_KEY={SECRET}\nDB_PASSWORD=hunter2\n"}),
}


def closed_port() -> int:
    """A local port with nothing listening (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def not_schedulers() -> dict[str, int]:
    """Ports of two local servers that are not Dask schedulers, started once: a web server, which waits
    for a request Dask never sends, and one that sends bytes Dask would read as a huge message's length."""
    if not _SERVERS:
        import http.server
        import socketserver
        import threading

        class Web(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: the test reads the command's own error output
                pass

        class Junk(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.sendall(b"SSH-2.0-not-dask\r\n" + b"\xff" * 64)
                self.request.recv(1 << 16)

        for name, server in (("web_port", http.server.ThreadingHTTPServer(("127.0.0.1", 0), Web)),
                             ("junk_port", socketserver.ThreadingTCPServer(("127.0.0.1", 0), Junk))):
            server.daemon_threads = True
            # quiet: a client that hangs up (the command's check does) is no error of the command's, and
            # the server's traceback of it would land in the output the test reads
            server.handle_error = lambda request, address: None
            threading.Thread(target=server.serve_forever, daemon=True).start()
            _SERVERS[name] = server.server_address[1]
    return _SERVERS


_SERVERS: dict[str, int] = {}


def make(directory: Path, files: dict) -> None:
    for name, content in files.items():
        path = directory / name
        if content is FIFO:
            os.mkfifo(path)
        elif content is FOLDER:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False))


def listing(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_exits_2_naming_file_field_and_what_was_expected(case, tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    make(work, case.files)
    monkeypatch.chdir(work)
    monkeypatch.setattr(experiment, "CONNECT_SECONDS", 1)  # an unreachable scheduler is given up on quickly
    before, around = listing(work), set(os.listdir(tmp_path))
    argv = [arg.format(closed_port=closed_port(), **not_schedulers()) for arg in case.argv]
    with budget(30, " ".join(argv)):
        status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, err
    assert err.startswith("workforce: invalid input\n") and "Traceback" not in err, err
    assert has_problem(err, case.file, case.field, case.expected), err
    assert SECRET not in err + out
    assert "wrote" not in out
    assert listing(work) == before and set(os.listdir(tmp_path)) == around  # nothing written, here or beside


def test_a_scenario_read_from_stdin_is_refused_without_waiting(tmp_path):
    """/dev/stdin is a pipe here, never written to: reading it would wait for ever."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    with subprocess.Popen([sys.executable, "-m", "sim", "run", "/dev/stdin"], cwd=tmp_path, env=env, text=True,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            _, err = process.communicate(timeout=60)
        finally:
            process.kill()
    assert process.returncode == 2, err
    assert has_problem(err, "/dev/stdin", "<top level>", REGULAR), err
    assert "Traceback" not in err


def test_an_empty_dashboard_address_is_refused_not_served_on_every_address(monkeypatch, capsys):
    def serve(*args):
        raise AssertionError("the dashboard was started")

    monkeypatch.setattr(os, "execve", serve)
    assert main(["dashboard", "--host", "", "--port", "0"]) == 2
    assert has_problem(capsys.readouterr().err, "--host", "host", EMPTY)


@pytest.mark.parametrize("host", ["no such host!", "192.0.2.1", "a" * 300],
                         ids=["no name of an address", "another machine's address", "a name too long"])
@pytest.mark.parametrize("port", ["0", "8799"])
def test_a_dashboard_address_that_cannot_be_listened_on_is_refused_naming_the_host(monkeypatch, capsys, host, port):
    """Named by --host, not by --port; and refused with --port 0 too, before a server is started."""
    def serve(*args):
        raise AssertionError("the dashboard was started")

    monkeypatch.setattr(os, "execve", serve)
    assert main(["dashboard", "--host", host, "--port", port]) == 2
    assert has_problem(capsys.readouterr().err, "--host", "host", "an address or name of this machine to listen on")


def test_a_dashboard_on_this_machine_is_started(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(os, "execve", lambda path, command, env: started.append(command))
    assert main(["dashboard", "--host", "127.0.0.1", "--port", "0"]) == 0
    assert started and started[0][started[0].index("--host") + 1] == "127.0.0.1"


def test_sizes_that_together_exceed_the_memory_are_refused_before_allocating(tmp_path, monkeypatch, capsys):
    """Each size within its bound, together 181 years of a million places a year: about 54 GB of people."""
    files = tiny(end="2200-03", **{"intake__course/student__places": {2019: 1_000_000}})
    make(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(footprint, "available", lambda: 8 * 10**9)  # 8 GB free, whatever this machine has
    with budget(30, "a run too big for the memory"):
        assert main(["run", "tiny.yaml", "--replications", "1"]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "tiny.yaml", "stocks, intake, groups.*.joiners",
                       "sizes whose people fit in this machine's memory: about 181,000,100 people to 2200 x 300 "
                       "bytes = 54.3 GB, with 8.0 GB available"), err
    assert not (tmp_path / "results").exists()


def test_places_a_policy_adds_beyond_the_memory_are_refused_at_the_policy_before_any_run(tmp_path, monkeypatch,
                                                                                        capsys):
    """Each lever within its bounds, the baseline small: a million places more a year for 11 years, about 3.3 GB
    of people, is the policy's to answer for, not the scenario's, and no run starts."""
    files = tiny() | {"e.yaml": changed(EXPERIMENT, {"years": 10, "policies.keep.levers": [
        {"lever": "training_places", "stage": "course/student", "extra": 1_000_000}]})}
    make(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(footprint, "available", lambda: 10**9)
    with budget(30, "a policy too big for the memory"):
        assert main(["batch", "e.yaml", "--out", "out", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "e.yaml", "policies.keep.levers",
                       "sizes whose people fit in this machine's memory with the levers' places and recruits: about "
                       "11,000,100 people to 2030 x 300 bytes = 3.3 GB, with 1.0 GB available"), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, file, field", [
    (["batch", "e.yaml", "--workers", "8"], "--workers", "workers"),
    (["sensitivity", "e.yaml", "--workers", "8", "--scheduler", "local"], "--workers", "workers"),
    (["calibrate", "h.yaml", "--out-dir", "out"], "h.yaml", "settings.workers"),
    (["calibrate", "h.yaml", "--out-dir", "out", "--workers", "8"], "--workers", "workers"),
], ids=["batch", "sensitivity on a local cluster", "a calibration file's settings", "calibrate"])
def test_more_worker_processes_than_the_memory_holds_are_refused_before_any_starts(tmp_path, monkeypatch, capsys,
                                                                                   argv, file, field):
    """Thousands of workers, each importing the model, would have the system kill processes, others' too."""
    make(tmp_path, with_lever() | with_history(settings=HISTORY["settings"] | {"workers": 8}))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(footprint, "available", lambda: 10**9)  # 1 GB free: 4 workers of 250 MB
    before = listing(tmp_path)
    with budget(30, " ".join(argv)):
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert has_problem(err, file, field, "at most 4 worker processes, as many as fit in this machine's memory"), err
    assert listing(tmp_path) == before


def test_the_memory_estimate_counts_stocks_intakes_and_joiners_over_the_run(tmp_path):
    from sim import scenario

    s = scenario.load(tiny_scenario.write(tmp_path, {
        "stocks.course/student": {"fte": 30.0, "age": [[18, 20, 1.0]]},
        "intake.course/student.places": {2019: 20, 2025: 50},
        "groups.staff.joiners": {"per_year": 7.0, "fill_per_month": 0.5, "stages": {"course/worker": 1.0},
                                 "sources": {"uk": 1.0}, "age": [[25, 40, 1.0]]}}))
    # 100 + (30 / 0.3 + 10) starting; 11 years (2020-03 to 2030-03, both counted) of 50 places and 7 joiners
    assert footprint.people(s, s.end) == 100 + 110 + 11 * (50 + 7)
    assert footprint.people(s, s.start) == 100 + 110 + 1 * (50 + 7)
    assert footprint.available() > 0  # read from this machine (Linux: /proc/meminfo)


def test_the_memory_estimate_counts_the_places_and_recruits_of_levers_in_force(tmp_path, monkeypatch):
    """A model given levers in code is refused before allocating too: the places they add and the recruits of
    funded campaigns count, whichever is more, with them or without (a lever may take places away)."""
    from sim import interventions, scenario
    from sim.model import WorkforceModel

    path = tiny_scenario.write(tmp_path, {
        "intake.course/student.places": {2019: 20},
        "groups.staff.joiners": {"pools": {"uk": 7.0}, "fill_per_month": 0.5, "stages": {"course/worker": 1.0},
                                 "age": [[25, 40, 1.0]]}})
    s = scenario.load(path)
    more = interventions.TrainingPlaces(stage="course/student", extra=30.0)
    fewer = interventions.TrainingPlaces(stage="course/student", extra=-20.0)
    campaign = interventions.Recruitment(extra_per_year=100.0, source="uk", funded=True, start="2025-04")
    assert footprint.people(s, s.end) == 100 + 11 * (20 + 7)
    assert footprint.people(s, s.end, [more, campaign]) == 100 + 11 * (50 + 7 + 100)
    assert footprint.people(s, s.end, [fewer]) == footprint.people(s, s.end)
    assert footprint.people(s, s.end, [more, campaign]) == footprint.people(s, s.end, [campaign, more])
    monkeypatch.setattr(footprint, "available", lambda: 300 * 1000)  # room for 1,000 people
    with pytest.raises(InputError) as info:
        WorkforceModel(path, interventions=[campaign])
    assert has_problem(str(info.value), "tiny.yaml", "stocks, intake, groups.*.joiners",
                       "sizes whose people fit in this machine's memory with the levers' places and recruits: about "
                       "1,497 people"), str(info.value)
    WorkforceModel(path, interventions=[fewer])  # 397 people: room enough


def test_an_experiment_override_of_a_calibrated_value_is_applied_and_noted(tmp_path, capsys):
    """The user's value wins (an experiment's overrides are explicit), and the user is told."""
    files = tiny(calibration="cal.yaml") | {"cal.yaml": CALIBRATION, "e.yaml": changed(EXPERIMENT, {
        "overrides": {"groups.staff.leaving.rate": 0.3}, "policies": {}, "years": 1})}
    make(tmp_path, files)
    loaded = experiment.load(tmp_path / "e.yaml")
    assert loaded.scenario.spec.groups["staff"].leaving.rate == 0.3
    assert loaded.notes == [f"{tmp_path / 'e.yaml'}: overrides.groups.staff.leaving.rate: replaces what calibration "
                            f"cal.yaml sets (groups.staff.leaving.rate)"]
    assert main(["batch", str(tmp_path / "e.yaml"), "--workers", "1", "--quiet", "--out", str(tmp_path / "out")]) == 0
    assert f"workforce: note: {loaded.notes[0]}\n" in capsys.readouterr().err
    # without the override: no note, and the calibrated value
    (tmp_path / "e.yaml").write_text(yaml.safe_dump(changed(files["e.yaml"], {"overrides": {}})))
    loaded = experiment.load(tmp_path / "e.yaml")
    assert loaded.notes == [] and loaded.scenario.spec.groups["staff"].leaving.rate == 0.05


def test_a_calibrated_scenario_loads_with_the_values_its_calibration_was_fitted_from(tmp_path):
    from sim import scenario

    make(tmp_path, tiny(calibration="cal.yaml") | {"cal.yaml": FITTED})
    assert scenario.load(tmp_path / "tiny.yaml").spec.groups["staff"].leaving.rate == 0.05
    make(tmp_path, {"copy.yaml": SHIPPED})  # an unedited copy of the shipped scenario
    assert scenario.load(tmp_path / "copy.yaml").calibrated == scenario.load("wales-mh-2021").calibrated


def test_a_lever_within_the_run_and_a_plain_dotted_name_are_accepted(tmp_path):
    """The refusals above are not too wide: a lever at the run's first and last months, and a name
    with dots and dashes, load."""
    make(tmp_path, with_lever(start="2020-03") | {"f.yaml": changed(with_lever(start="2022-03")["e.yaml"], {})})
    experiment.load(tmp_path / "e.yaml")
    experiment.load(tmp_path / "f.yaml")
    (tmp_path / "named").mkdir()
    make(tmp_path / "named", tiny(name="wales-mh.2021_v2"))
    from sim import scenario

    assert scenario.load(tmp_path / "named" / "tiny.yaml").name == "wales-mh.2021_v2"


@pytest.fixture(scope="module")
def batch_results(tmp_path_factory) -> Path:
    """A tiny batch's results (one year, one replication, a baseline and a policy)."""
    directory = tmp_path_factory.mktemp("batch")
    make(directory, with_lever() | {"e.yaml": changed(EXPERIMENT, {"years": 1})})
    assert main(["batch", str(directory / "e.yaml"), "--workers", "1", "--quiet", "--out",
                 str(directory / "out")]) == 0
    return directory / "out"


@pytest.mark.parametrize("options, option, expected", [
    (["--measure", "../../escaped"], "--measure", "one of headcount, fte"),  # it would name the comparison file
    (["--years", "2020", "1990"], "--years", "years of the results (2020 to 2021)"),
    (["--groups", "nursing"], "--groups", "groups of the results (staff, total)"),
], ids=["a measure that is no measure", "a year outside the results", "a group not in the results"])
def test_compare_refuses_what_it_would_leave_out_in_silence(batch_results, capsys, options, option, expected):
    before = listing(batch_results)
    assert main(["compare", str(batch_results), *options]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, option, option.lstrip("-"), expected), err
    assert listing(batch_results) == before


@pytest.mark.parametrize("command", ["compare", "report"])
@pytest.mark.parametrize("inside", ["runs", "runs/keep"])
def test_a_runs_folder_given_as_results_is_named_not_the_out_option_not_given(batch_results, capsys, command, inside):
    """The default file's place was checked first: --out, which was not given, was named as outside the runs."""
    before = listing(batch_results)
    assert main([command, str(batch_results / inside)]) == 2
    err = capsys.readouterr().err
    assert "--out" not in err and has_problem(err, f"out/{inside}", "manifest.json", "a results directory"), err
    assert listing(batch_results) == before


def copy_of(results: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(results, tmp_path / "copy"))


@pytest.mark.parametrize("content, field, expected", [
    (b'{"experiment": ', "<top level>", "a JSON manifest written by workforce run or workforce batch"),
    (b"[1, 2]", "<top level>", "a results directory written by workforce run or workforce batch by this version"),
    (b"\xcd\xff\x00 not text", "<top level>", "a JSON manifest written by workforce run or workforce batch"),
    (None, "runs", "a number of runs, found str"),
], ids=["cut short", "a list", "not UTF-8", "a count that is no number"])
def test_compare_refuses_a_damaged_manifest_naming_it(batch_results, tmp_path, capsys, content, field, expected):
    """compare reads the manifest as report and a resumed batch do."""
    copy = copy_of(batch_results, tmp_path)
    manifest = copy / "manifest.json"
    if content is None:
        import json

        manifest.write_text(json.dumps(json.loads(manifest.read_text()) | {"runs": "two"}))
    else:
        manifest.write_bytes(content)
    before = listing(copy)
    assert main(["compare", str(copy)]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "copy/manifest.json", field, expected) and "Traceback" not in err, err
    assert listing(copy) == before


@pytest.mark.parametrize("command", ["compare", "report"])
@pytest.mark.parametrize("target", ["itself", "nowhere"])
def test_a_manifest_that_is_a_link_to_nothing_is_named_not_said_missing(batch_results, tmp_path, capsys, command,
                                                                        target):
    """A link to itself (or to a file removed) is there: the folder has a manifest that cannot be read."""
    copy = copy_of(batch_results, tmp_path)
    manifest = copy / "manifest.json"
    manifest.unlink()
    manifest.symlink_to(manifest if target == "itself" else tmp_path / "gone.json")
    before = listing(copy)
    assert main([command, str(copy)]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "copy/manifest.json", "<top level>", "a JSON manifest written by workforce run or "
                                                                 "workforce batch") and "Traceback" not in err, err
    assert "a link to nothing that can be read" in err and listing(copy) == before


@pytest.mark.parametrize("key, value, expected", [
    ("start", 2021, "a valid string"),
    ("start", "March", "a date as YYYY-MM"),
    ("final_year", "2022", "a valid integer"),
    ("final_year", 2000, "a year from the start's"),
    ("seed", 1.5, "a valid integer"),
    ("replication_seeds", [], "a list with at least 1 item"),
    ("replication_seeds", [1, 1], "each seed once (1 is there twice)"),  # one replication's runs counted twice
])
@pytest.mark.parametrize("command", ["compare", "report"])
def test_a_batch_manifests_years_and_seeds_of_another_kind_are_refused(batch_results, tmp_path, capsys, command,
                                                                         key, value, expected):
    """The years a batch's runs are held to come from its manifest's start and final year: edited into
    something else, they were passed over, and the runs' years went unchecked."""
    import json

    copy = copy_of(batch_results, tmp_path)
    manifest = copy / "manifest.json"
    manifest.write_text(json.dumps(json.loads(manifest.read_text()) | {key: value}))
    assert main([command, str(copy), "--out", str(tmp_path / ("o.csv" if command == "compare" else "o.html"))]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "copy/manifest.json", key, expected) and "Traceback" not in err, err
    assert not list(tmp_path.glob("o.*"))


def test_run_files_that_all_stop_short_of_the_final_year_are_refused(batch_results, tmp_path, capsys):
    """Every run file stops years before the manifest's final year (it was edited, or they were all
    cut): the comparison would be of fewer years than the batch ran, said as if it were the whole."""
    import json

    copy = copy_of(batch_results, tmp_path)
    manifest = copy / "manifest.json"
    manifest.write_text(json.dumps(json.loads(manifest.read_text()) | {"final_year": 2030}))
    assert main(["compare", str(copy)]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "copy/manifest.json", "final_year", "the final year of the batch's runs: the last year "
                                                                "of its run files (2021) or the one after"), err


def damage_run_file(copy: Path, kind: str) -> None:
    """Damage the policy's run file of a copy of ``batch_results`` (or put something beside it)."""
    runs = copy / "runs"
    run = runs / "keep" / "p000-r0000.parquet"
    if kind == "empty":
        run.write_bytes(b"")
    elif kind == "cut short":
        run.write_bytes(run.read_bytes()[:500])
    elif kind == "random bytes":
        run.write_bytes(bytes(range(256)) * 8)
    elif kind == "a copy under another name":
        run.with_name("p000-r0099.parquet").write_bytes(run.read_bytes())
    elif kind == "the baseline's run as the policy's":
        run.write_bytes((runs / "baseline" / run.name).read_bytes())
    elif kind == "a run's table without a batch's columns":
        import pandas as pd

        pd.read_parquet(run).drop(columns=["policy", "parameter_set", "replication", "seed"]).to_parquet(run)
    elif kind == "a folder":
        run.unlink()
        run.mkdir()
    elif kind == "the first run a named pipe":  # the first file is opened first, to read its columns
        first = sorted(runs.glob("*/*.parquet"))[0]
        first.unlink()
        os.mkfifo(first)
    elif kind in TABLE_DAMAGE:
        import pandas as pd

        TABLE_DAMAGE[kind](pd.read_parquet(run)).to_parquet(run)
    else:
        raise AssertionError(kind)


def _without(table, **cells):
    """``table`` without its rows whose columns have these values."""
    return table[~(table[list(cells)] == list(cells.values())).all(axis=1)]


TABLE_DAMAGE = {  # a run file's table changed: what a comparison would otherwise misread in silence
    "its value column dropped": lambda t: t.drop(columns="value"),
    "empty values": lambda t: t.assign(value=t.value.where(t.measure != "headcount")),
    "an infinite value": lambda t: t.assign(value=t.value.where(t.index != 0, float("inf"))),
    "text for numbers": lambda t: t.assign(value=t.value.astype(str)),
    "a year's rows dropped": lambda t: t[t.year != t.year.max()],
    "a measure's rows of a year dropped": lambda t: _without(t, measure="headcount", year=t.year.max()),
    "a row twice": lambda t: t.iloc[[0, *range(len(t))]],
    "a year after the batch's": lambda t: t.assign(year=t.year.where(t.year != t.year.max(), t.year.max() + 1)),
}


READABLE = "a readable table written by workforce"
RUN_FILES = {  # kind -> the file named, the field and what was expected
    "empty": ("keep/p000-r0000.parquet", "<top level>", READABLE),
    "cut short": ("keep/p000-r0000.parquet", "<top level>", READABLE),
    "random bytes": ("keep/p000-r0000.parquet", "<top level>", READABLE),
    "a copy under another name": ("keep/p000-r0099.parquet", "replication",
                                  "a replication of the batch's manifest (0 to 0)"),
    "the baseline's run as the policy's": ("keep/p000-r0000.parquet", "policy",
                                           "rows of the run its folder and name say (policy 'keep')"),
    "a run's table without a batch's columns": ("keep/p000-r0000.parquet", "columns",
                                                "the columns policy, parameter_set, replication, seed"),
    "a folder": ("keep/p000-r0000.parquet", "<top level>", REGULAR),
    "the first run a named pipe": ("baseline/p000-r0000.parquet", "<top level>", REGULAR),
    "its value column dropped": ("keep/p000-r0000.parquet", "columns", "(found ['value'])"),
    "empty values": ("keep/p000-r0000.parquet", "value", "a number in every row, as workforce batch writes it "
                                                         "(found 'an empty cell (headcount of staff in 2020)')"),
    "an infinite value": ("keep/p000-r0000.parquet", "value", "a number in every row"),
    "text for numbers": ("keep/p000-r0000.parquet", "value", "a column of numbers"),
    "a year's rows dropped": ("keep/p000-r0000.parquet", "year", "rows for each year of the batch's runs (2020 "
                                                                 "to 2021), as workforce batch writes them (found "
                                                                 "'none for 2021')"),
    "a measure's rows of a year dropped": ("keep/p000-r0000.parquet", "measure",
                                           "each measure of every group and stage in every year, as the batch's "
                                           "other run files have them (found 'no headcount of staff in 2021')"),
    "a row twice": ("keep/p000-r0000.parquet", "measure", "one row of each measure a year, group and stage"),
    "a year after the batch's": ("keep/p000-r0000.parquet", "year", "years of the batch's runs (2020 to 2021, as "
                                                                    "its manifest says) (found 2022)"),
}


@pytest.mark.parametrize("command", ["compare", "report"])
@pytest.mark.parametrize("kind", RUN_FILES)
def test_a_damaged_or_stray_run_file_is_refused_naming_it(batch_results, tmp_path, capsys, kind, command):
    """Never a traceback, nor a run counted twice or a policy dropped in silence."""
    copy = copy_of(batch_results, tmp_path)
    damage_run_file(copy, kind)
    before = listing(copy)
    argv = [command, str(copy)] + (["--out", str(tmp_path / "report.html")] if command == "report" else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    file, field, expected = RUN_FILES[kind]
    assert has_problem(err, f"copy/runs/{file}", field, expected) and "Traceback" not in err, err
    assert listing(copy) == before and not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("option", ["compare --out", "report --out", "pathways --draw"])
def test_an_output_file_that_is_a_named_pipe_is_refused_and_left_as_it_is(batch_results, tmp_path, capsys, option):
    """The file is replaced by a rename: a pipe (or a device) would become a plain file."""
    command, flag = option.split()
    pipe = tmp_path / f"out.{ {'compare': 'csv', 'report': 'html', 'pathways': 'png'}[command] }"
    os.mkfifo(pipe)
    source = str(tiny_scenario.write(tmp_path)) if command == "pathways" \
        else str(batch_results)
    assert main([command, source, flag, str(pipe)]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, flag, flag.lstrip("-"), REGULAR) and "a named pipe" in err, err
    assert "wrote" not in out and "drew" not in out and stat.S_ISFIFO(os.stat(pipe).st_mode)


@pytest.mark.parametrize("command, name", [("compare", "comparison.parquet"), ("report", "report.csv"),
                                           ("report", "report")])
def test_an_output_file_named_for_another_format_is_refused(batch_results, tmp_path, capsys, command, name):
    """The format written is the command's own: a CSV table in ``comparison.parquet`` would mislead."""
    assert main([command, str(batch_results), "--out", str(tmp_path / name)]) == 2
    out, err = capsys.readouterr()
    expected = "a file name ending in .csv" if command == "compare" else "a file name ending in .html or .htm"
    assert has_problem(err, "--out", "out", expected), err
    assert not (tmp_path / name).exists() and "wrote" not in out


@pytest.mark.parametrize("argv", [["compare", "{results}", "--out", "{results}/runs/keep/p000-r0000.csv"],
                                  ["report", "{results}", "--out", "{results}/runs/report.html"],
                                  ["run", "tiny.yaml", "--until", "2021", "--out", "{results}/runs/mine"],
                                  ["sensitivity", "e.yaml", "--quiet", "--out", "{results}/runs"],
                                  ["plausibility", "tiny.yaml", "--ranges", "r.yaml", "--out", "{results}/runs"]])
def test_an_output_in_the_runs_of_a_results_folder_is_refused(batch_results, tmp_path, capsys, monkeypatch, argv):
    """Anything there but a run makes the results unreadable: ``runs/`` itself too, where a sensitivity
    analysis's table and chart were written, and the batch then refused to resume."""
    copy = copy_of(batch_results, tmp_path)
    make(tmp_path, tiny() | {"e.yaml": UNCERTAIN, "r.yaml": test_plausibility.RANGES})
    monkeypatch.chdir(tmp_path)
    before = listing(copy)
    assert main([arg.format(results=copy) for arg in argv]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, "--out", "out", f"outside the runs of the results in {copy}"), err
    assert listing(copy) == before and "wrote" not in out


@pytest.mark.parametrize("command, name", [("compare", "manifest.json"), ("compare", "runs/keep/p000-r0000.parquet"),
                                           ("report", "manifest.json"), ("report", "experiment.yaml")])
def test_an_output_file_over_a_file_of_the_results_is_refused(batch_results, tmp_path, capsys, command, name):
    """A results folder's own files are never replaced; a comparison or report written there may be rewritten."""
    copy = copy_of(batch_results, tmp_path)
    kept = (copy / name).read_bytes()
    assert main([command, str(copy), "--out", str(copy / name)]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, "--out", "out", f"a new file, or a report or comparison, not a file of the results in "
                                            f"{copy}"), err
    assert (copy / name).read_bytes() == kept and "wrote" not in out
    for _ in range(2):  # what compare writes there, it may write again
        assert main(["compare", str(copy), "--out", str(copy / "comparison-fte.csv")]) == 0


def test_a_batch_folder_whose_manifest_was_removed_is_not_resumed(batch_results, tmp_path, capsys):
    """A batch writes its manifest before any run: run files without one were taken as this batch's
    runs in silence (of another experiment, other seeds or years), and a manifest written over them."""
    copy = copy_of(batch_results, tmp_path)
    (copy / "manifest.json").unlink()
    before = listing(copy)
    argv = ["batch", str(batch_results.parent / "e.yaml"), "--workers", "1", "--quiet", "--out", str(copy)]
    assert main(argv + ["--fixed-parameters"]) == 2
    out, err = capsys.readouterr()
    assert has_problem(err, "copy/manifest.json", "<top level>", "the manifest of the batch whose runs are in runs/"), err
    assert listing(copy) == before and "Traceback" not in err
    for run_file in copy.glob("runs/*/*.parquet"):  # with the runs removed too, the folder is a batch's again
        run_file.unlink()
    assert main(argv) == 0 and (copy / "manifest.json").is_file()


@pytest.mark.parametrize("place, what, expected", [
    ("runs", "a file", "a folder of a batch's runs"),
    ("runs/keep", "a file", "a folder of a batch's runs"),
    ("runs/keep/p000-r0000.parquet", "a folder", REGULAR),
    ("runs/keep/p000-r0000.parquet", "a named pipe", REGULAR),
])
def test_a_resumed_batch_refuses_what_is_in_the_place_of_its_runs(batch_results, tmp_path, capsys, place, what,
                                                                  expected):
    """Writing there failed part way and was said as a full or read-only disk ("space and permission to write
    the results"); a pipe named as a run file was opened to be read as one."""
    import shutil

    copy = copy_of(batch_results, tmp_path)
    target = copy / place
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    {"a file": lambda: target.write_text("mine"), "a folder": target.mkdir, "a named pipe": lambda: os.mkfifo(target)}[
        what]()
    before = listing(copy)
    argv = ["batch", str(batch_results.parent / "e.yaml"), "--workers", "1", "--quiet", "--out", str(copy)]
    with budget(60, " ".join(argv)):
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("workforce: invalid input\n") and has_problem(err, f"copy/{place}", "<top level>",
                                                                         expected), err
    assert listing(copy) == before


# ---- the Python API: a notebook's arguments are named by the function and argument -----------------
@pytest.fixture(scope="module")
def short_run():
    import sim

    return sim.run(until=2022, seed=1, parameters="fixed")


def refused(call, function: str, field: str, expected: str) -> None:
    with pytest.raises(InputError) as error:
        call()
    assert has_problem(str(error.value), function, field, expected), str(error.value)


@pytest.mark.parametrize("width", [0, -5, None, "a", 1.5])
def test_a_timelines_width_is_a_whole_number_of_characters(short_run, width):
    # textwrap refused 0 and a fraction with its own ValueError and TypeError
    refused(lambda: short_run.timeline(3, width=width), "Results.timeline", "width", "a whole number of characters")


def test_a_summary_of_a_list_of_measures_is_refused_naming_the_measure(short_run):
    refused(lambda: short_run.summary(["fte"]), "summary", "measure", "a measure of the staff groups")


@pytest.mark.parametrize("files", ["nursing", Path("nursing"), None, 5, [5], []])
def test_pathways_loaded_from_anything_but_a_list_of_files_are_refused(files):
    """One name as text was looked for letter by letter ("n: expected an existing file", ...); a Path, None
    or a number raised TypeError; an empty list gave a graph of no stages."""
    import sim

    refused(lambda: sim.load_pathways(files), "load_pathways", "files", "a list of at least one shipped pathway")


@pytest.mark.parametrize("given", [str, Path, lambda folder: None])
def test_a_report_of_anything_but_a_list_of_folders_is_refused(batch_results, given):
    """One folder given as text was looked for letter by letter ("t: expected an existing directory")."""
    from sim import report

    refused(lambda: report.write(given(batch_results)), "sim.report.write", "paths", "a list of results folders")
    assert not (batch_results / "report.html").exists()
    refused(lambda: report.build(given(batch_results)), "sim.report.build", "paths", "a list of results folders")


def test_a_report_built_of_a_folder_twice_is_refused(batch_results):
    """Its section was there twice, as if two sets of results agreed (the command line refused it)."""
    from sim import report

    refused(lambda: report.build([batch_results, batch_results]), "RESULTS_DIR", "results", "each results folder once")


@pytest.mark.parametrize("function", ["compare", "run_values", "capped_recruitment", "unfilled_places",
                                      "completeness", "cap_warnings"])
def test_a_batch_folder_read_in_python_that_is_no_path_or_not_there_is_refused(function, tmp_path):
    """Each failed inside where a folder's path was expected (Path refused None; the manifest's reader listed a
    folder that is not there)."""
    from sim import analysis

    refused(lambda: getattr(analysis, function)(None), "results", "<top level>", "the path of a results directory")
    refused(lambda: getattr(analysis, function)(tmp_path / "gone"), "gone", "<top level>", "an existing directory")


def test_the_completeness_of_a_run_folder_is_refused_naming_the_folder(tmp_path):
    """A run's folder has no runs planned: its manifest was read, and the count looked up in it, a KeyError."""
    import json

    from sim import analysis

    (tmp_path / "manifest.json").write_text(json.dumps({"scenario": "wales-mh-2021", "seed": 0}))
    refused(lambda: analysis.completeness(tmp_path), tmp_path.name, "<top level>",
            "a results directory written by workforce batch")


@pytest.mark.parametrize("shown, field, expected", [
    ({"years": [1990]}, "years", "years of the results (2020 to 2021)"),
    ({"years": 2021}, "years", "a list of years of the results"),
    ({"groups": ["nursing"]}, "groups", "groups of the results (staff, total)"),
    ({"groups": "staff"}, "groups", "a list of groups of the results"),
])
def test_a_comparison_shown_for_years_or_groups_it_lacks_is_refused(batch_results, shown, field, expected):
    """They were left out of the text in silence (nothing shown at all for [1990]), as --years and --groups
    are not; one given alone, not in a list, raised pandas's TypeError."""
    from sim import analysis

    table = analysis.compare(batch_results, "fte")
    refused(lambda: analysis.format_comparison(table, **shown), "format_comparison", field, expected)


@pytest.mark.parametrize("width", [0, -5, "wide", 80.5, None])
def test_a_comparisons_width_is_a_whole_number_of_characters(batch_results, width):
    """Text, a fraction or None failed inside the table's layout (TypeError); 0 and less were taken."""
    from sim import analysis

    table = analysis.compare(batch_results, "fte")
    refused(lambda: analysis.format_comparison(table, width=width), "format_comparison", "width",
            "a whole number of characters")


def test_a_comparison_is_drawn_for_one_of_its_policies(batch_results):
    """A comparison's summary table has a row for each policy: every policy's rows were drawn together, as one
    policy's, whatever policy was asked (one it does not have too)."""
    from sim import analysis, plots

    table = analysis.compare(batch_results)
    policies = list(dict.fromkeys(table.policy))
    with pytest.raises(InputError) as error:
        plots.fte_over_time(table, policy="no_such_policy")
    assert has_problem(str(error.value), "results", "policy", f"a policy of the results ({', '.join(policies)})")
    drawn = plots.source(table, policies[-1]).summary
    assert set(drawn.policy) == {policies[-1]} and len(drawn) == (table.policy == policies[-1]).sum()


@pytest.mark.parametrize("share", [float("nan"), -1, 2, "0.25", None, True])
def test_capped_recruitment_refuses_a_share_that_is_no_share(batch_results, share):
    """A NaN or a negative share compared false with every rise, warning of nothing in silence; text or None
    failed inside (TypeError) once a lever had added recruits."""
    from sim import analysis

    refused(lambda: analysis.capped_recruitment(batch_results, share=share), "capped_recruitment", "share",
            "a share in [0, 1] of the recruits a lever added")


@pytest.mark.parametrize("kwargs, field, expected", [
    ({"groups": []}, "groups", "a list of at least one of the groups of the comparison"),
    ({"groups": "total"}, "groups", "a list of at least one of the groups of the comparison"),
    ({"year": 2020.5}, "year", "a year of the comparison (2020-2021)"),
])
def test_policy_differences_refuse_groups_and_years_of_the_wrong_kind(batch_results, kwargs, field, expected):
    """An empty list of groups failed inside matplotlib, one group alone was looked for letter by letter, and a
    year of 2020.5 was drawn as 2020's."""
    from sim import plots

    refused(lambda: plots.policy_differences(batch_results, **kwargs), "results", field, expected)


def test_a_comparison_is_shown_for_years_and_groups_as_a_notebook_has_them(batch_results):
    """A range, an array or a pandas Index of what the results have is a list to show, as a list is."""
    import pandas as pd

    from sim import analysis

    table = analysis.compare(batch_results, "fte")
    listed = analysis.format_comparison(table, years=[2020, 2021], groups=["staff"])
    assert analysis.format_comparison(table, years=range(2020, 2022), groups=table.group.unique()[:1]) == listed
    assert analysis.format_comparison(table, years=table.year.unique(), groups=pd.Index(["staff"])) == listed




@pytest.mark.parametrize("kwargs, field, expected", [
    ({"out_dir": None}, "out_dir", "the path of a folder"),
    ({"out_dir": 5}, "out_dir", "the path of a folder"),
    ({"out_dir": ""}, "out_dir", "the path of a folder"),
    ({"out_dir": "out\0put"}, "out_dir", "a folder that can be written"),  # a NUL byte: ValueError from os
    ({"out_dir": "{full}"}, "out_dir", "a folder that is empty or does not exist yet"),
    ({"extra": 5}, "extra", "None or a mapping of file names"),
    ({"extra": {"note.txt": 5}}, "extra", "None or a mapping of file names"),
    ({"extra": {"../note.txt": lambda p: None}}, "extra", "each a plain name"),
    # the run's table replaced by the caller's file, or the caller's file dropped for the manifest, in silence
    ({"extra": {"supply.csv": lambda p: None}}, "extra", "names of files the run does not write itself"),
    ({"extra": {"manifest.json": lambda p: None}}, "extra", "names of files the run does not write itself"),
    ({"manifest": 5}, "manifest", "None or a mapping of keys to values JSON holds"),
    ({"manifest": {"a": object()}}, "manifest", "None or a mapping of keys to values JSON holds"),
    ({"manifest": {"a": float("nan")}}, "manifest", "finite numbers"),
    ({"manifest": {"seed": 99}}, "manifest", "keys the run's manifest does not have"),  # it said seed 99, in silence
])
def test_results_write_refuses_a_bad_folder_or_file_before_writing(short_run, tmp_path, kwargs, field, expected):
    """A folder holding files had the results renamed beside it, said to be another run's doing; the
    others raised TypeError or ValueError, or wrote NaN into the manifest (which is then no JSON)."""
    full = tmp_path / "full"
    full.mkdir()
    (full / "mine.txt").write_text("kept")
    kwargs = {"out_dir": tmp_path / "out", **kwargs}
    if kwargs["out_dir"] == "{full}":
        kwargs["out_dir"] = full
    refused(lambda: short_run.write(**kwargs), "Results.write", field, expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]
    assert [p.name for p in full.iterdir()] == ["mine.txt"]


def test_a_lever_given_arguments_by_position_is_refused_naming_the_lever():
    from sim.interventions import Retention, TrainingPlaces

    refused(lambda: TrainingPlaces("nursing/pre_registration_degree"), "lever training_places", "<top level>",
            "arguments given by name")
    refused(lambda: Retention(0.9), "lever retention", "<top level>", "arguments given by name")


def test_a_lever_copied_with_changed_arguments_checks_them_as_the_lever_is_made():
    """Pydantic's copy takes an update unchecked: a negative retention factor ran, a word for places failed inside
    the run."""
    from sim.interventions import Retention, TrainingPlaces

    refused(lambda: Retention(factor=0.9, groups=["nursing"]).model_copy(update={"factor": -1.0}), "lever retention",
            "factor", "a number greater than or equal to 0")
    places = TrainingPlaces(stage="nursing/pre_registration_degree", extra=5, start="2023-09")
    refused(lambda: places.model_copy(update={"extra": "lots"}), "lever training_places", "extra", "a valid number")
    changed = places.model_copy(update={"extra": 10})
    assert (changed.extra, changed.stage, changed.start) == (10, places.stage, places.start)
    assert places.model_copy() == places and places.model_copy() is not places


@pytest.mark.parametrize("call, function, field, expected", [
    (lambda e: experiment.load(None), "sim.experiment.load", "path", "the path of an experiment file"),
    (lambda e: experiment.load(5), "sim.experiment.load", "path", "the path of an experiment file"),
    (lambda e: experiment.load(e.file, target=5), "sim.experiment.load", "target", "None or a mapping"),
    (lambda e: e.with_replications(-1), "Experiment.with_replications", "n", "a whole number of replications"),
    (lambda e: e.with_replications(1.5), "Experiment.with_replications", "n", "a whole number of replications"),
    (lambda e: e.with_replications("x"), "Experiment.with_replications", "n", "a whole number of replications"),
    (lambda e: e.replication_seeds(-1), "Experiment.replication_seeds", "n", "None or a whole number"),
    (lambda e: experiment.batch(None), "sim.experiment.batch", "experiment", "an experiment loaded by"),
    (lambda e: experiment.batch(str(e.file)), "sim.experiment.batch", "experiment", "an experiment loaded by"),
    (lambda e: experiment.batch(e, out=5), "sim.experiment.batch", "out", "None or the path of a folder"),
    (lambda e: experiment.batch(e, workers="x"), "sim.experiment.batch", "workers", "a whole number of workers"),
    (lambda e: experiment.batch(e, workers=0), "sim.experiment.batch", "workers", "a whole number of workers"),
    (lambda e: experiment.batch(e, scheduler=5), "sim.experiment.batch", "scheduler", "None, or 'local'"),
    (lambda e: sensitivity.analyse(e, workers=0), "sim.sensitivity.analyse", "workers", "a whole number of workers"),
    (lambda e: sensitivity.analyse(e, workers="2"), "sim.sensitivity.analyse", "workers", "a whole number of workers"),
    # an experiment's path failed inside (AttributeError), as did a table's path for space (ValueError); methods
    # given as a text or an unknown name ran nothing, an empty table returned; an outcome text was read letter by
    # letter, and an outcome twice gave its row of indices twice
    (lambda e: sensitivity.analyse(str(e.file)), "sim.sensitivity.analyse", "experiment", "an experiment loaded by"),
    (lambda e: sensitivity.analyse(e, methods="morris"), "sim.sensitivity.analyse", "methods",
     "None or a list of methods over the prior, each once: morris and sobol"),
    (lambda e: sensitivity.analyse(e, methods=["morris", "delta"]), "sim.sensitivity.analyse", "methods",
     "None or a list of methods over the prior"),
    (lambda e: sensitivity.analyse(e, outcomes="fte:total:2023"), "sim.sensitivity.analyse", "outcomes",
     "None or a list of outcomes measure:group:year"),
    (lambda e: sensitivity.analyse(e, outcomes=["fte:total:2023"] * 2), "sim.sensitivity.analyse", "outcomes",
     "each outcome once"),
    (lambda e: sensitivity.analyse(e, outcomes=["fte:total:2050"]), "sim.sensitivity.analyse", "outcomes",
     "an outcome as measure:group:year"),
    (lambda e: sensitivity.analyse(e, space="sets.csv"), "sim.sensitivity.analyse", "space",
     "'prior' or a table of parameter sets"),
    (lambda e: experiment.outcomes({1: 2}, until=2022), "outcomes", "parameters", "dotted scenario keys"),
    (lambda e: experiment.outcomes(wanted=[5], until=2022), "outcomes", "wanted", "a list of outcomes"),
    (lambda e: experiment.outcomes(wanted=5, until=2022), "outcomes", "wanted", "a list of outcomes"),
    (lambda e: experiment.outcomes(levers=5, until=2022), "outcomes", "levers", "a list of policy levers"),
    # the later of the two replaced the other, in silence
    (lambda e: experiment.outcomes({"groups.nursing.leaving.rate": 0.1, "scale:groups.nursing.leaving.rate": 1.1},
                                   until=2022), "parameters", "scale:groups.nursing.leaving.rate",
     "a value of groups.nursing.leaving.rate or a factor of it (scale:groups.nursing.leaving.rate), not both"),
])
def test_experiment_functions_refuse_arguments_of_the_wrong_kind(tmp_path, monkeypatch, call, function, field,
                                                                  expected):
    """Each raised TypeError, ValueError or AttributeError from inside (numpy's spawn, Path, a string
    method); with_replications(1.5) ran one replication in silence, and a sensitivity analysis's 0 workers one
    per core."""
    monkeypatch.chdir(tmp_path)
    loaded = experiment.load(REPO / "experiments" / "quick-look.yaml", years=2)
    refused(lambda: call(loaded), function, field, expected)
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("call, function, field, expected", [
    (lambda q, l: target.search(l, q, workers=0), "sim.target.search", "workers", "a whole number of workers"),
    (lambda q, l: target.earliest(l, q, value=200, workers="2"), "sim.target.earliest", "workers",
     "a whole number of workers"),
    (lambda q, l: target.earliest(l, q, value="200"), "sim.target.earliest", "value", "None (the question's "
                                                                                     "earliest_with) or a finite"),
    (lambda q, l: target.earliest(l, q, value=float("nan")), "sim.target.earliest", "value", "a finite number"),
    (lambda q, l: target.earliest(l, q, value=-10 ** 9), "sim.target.earliest", "value",
     "values the lever's extra accepts"),
    # failed once the first run was done
    (lambda q, l: target.search(l, q, progress=5), "sim.target.search", "progress", "None or a function"),
    (lambda q, l: target.earliest(l, q, progress=5), "sim.target.earliest", "progress", "None or a function"),
])
def test_a_target_search_refuses_workers_and_a_value_of_the_wrong_kind(call, function, field, expected):
    """0 workers ran one per core in silence and "2" raised TypeError inside the executor; a value the lever
    refuses raised pydantic's ValidationError once the runs were being made, and text ValueError."""
    loaded, question = target.load(REPO / "experiments" / "nursing-places-needed.yaml", {}, replications=2)
    refused(lambda: call(question, loaded), function, field, expected)


@pytest.mark.parametrize("kwargs, option, field, expected", [
    # ignored in silence, as the command line's options are not: the earliest year is found at one value
    ({"earliest_with": 100, "every_value": True}, "--every-value", "every_value", "no --every-value with "
                                                                                  "--earliest-with"),
    ({"earliest_with": 100, "values": [0, 100]}, "--values", "values", "no --values with --earliest-with"),
    # "no" is true: every value was run
    ({"every_value": "no"}, "--every-value", "every_value", "True or False"),
    # ten million runs, as the command line refuses
    ({"every_value": True, "values": {"from": 0, "to": 9999, "step": 1}, "replications": 1000}, "--replications",
     "replications", "a whole number from 1 to 100 (each replication runs up to 10,000 of the 10,000 values"),
])
def test_a_target_found_in_python_refuses_what_the_command_line_refuses(kwargs, option, field, expected):
    refused(lambda: target.find(REPO / "experiments" / "nursing-places-needed.yaml", **kwargs), option, field,
            expected)


@pytest.mark.parametrize("kwargs, field, expected", [
    ({"seed": "a"}, "seed", "a whole number from 0"),
    ({"seed": None}, "seed", "a whole number from 0"),
    # the last replication's seed is past the largest: named as given, not as the seed + 1 never given
    ({"seed": 2 ** 63 - 1, "replications": 2}, "seed", "a whole number from 0 to 9,223,372,036,854,775,806"),
    ({"progress": 5}, "progress", "None or a function"),
])
def test_run_replications_checks_its_seed_and_progress_before_running(kwargs, field, expected):
    from sim.replications import run_replications

    refused(lambda: run_replications("wales-mh-2021", **{"replications": 1, "until": 2022, **kwargs}),
            "run_replications", field, expected)


@pytest.mark.parametrize("figure, field, expected", [
    (lambda p, r: p.fte_over_time(r, groups=5), "groups", "a list of at least one of the staff groups"),
    (lambda p, r: p.fte_over_time(r, groups=[["nursing"]]), "groups", "a list of at least one of the staff groups"),
    (lambda p, r: p.supply_demand(r, groups=[]), "groups", "a list of at least one of the staff groups"),
    (lambda p, r: p.fte_over_time(r, measure=["fte"]), "measure", "a measure present in the results"),
    (lambda p, r: p.training_pipeline(r, pathways=[]), "pathways", "a list of at least one of the pathways"),
    (lambda p, r: p.training_pipeline(r, pathways=5), "pathways", "a list of at least one of the pathways"),
    (lambda p, r: p.training_pipeline(r, measure="fte"), "measure", "a measure of each stage (stage_headcount, "
                                                                    "stage_fte)"),
    (lambda p, r: p.age_sex_pyramid(r, years=2022), "years", "years of the run"),
    (lambda p, r: p.age_sex_pyramid(r, years=[]), "years", "years of the run"),
    (lambda p, r: p.pathway_flows(r, "nursing", since="x"), "since", "None or a year of the run's events"),
    (lambda p, r: p.pathway_flows(r, "nursing", since=2030), "since", "None or a year of the run's events"),
    (lambda p, r: p.pathway_flows(r, "nursing", since=2022, until=2021), "until", "a year from since (2022) on"),
    (lambda p, r: p.fte_by_month(r.tidy()), "<top level>", "one run's Results"),
    # a run's results have no policies: one asked of them was left out, the figure drawn as if not asked
    (lambda p, r: p.fte_over_time(r, policy="more_places"), "policy", "baseline or None: a run's Results has no "
                                                                       "policies"),
    (lambda p, r: p.supply_demand(r.tidy(), policy="more_places"), "policy", "baseline or None: a table without a "
                                                                             "policy column has no policies"),
    (lambda p, r: p.feedback_effects(r), "<top level>", "the path of a results directory"),
    (lambda p, r: p.meeting_target(r), "<top level>", "the result of a target search"),
])
def test_a_figure_refuses_arguments_of_the_wrong_kind(short_run, figure, field, expected):
    """Each raised TypeError, ValueError, ZeroDivisionError or AttributeError from inside pandas,
    matplotlib or the figure; pathway flows from years outside the run were drawn as nobody moving."""
    from sim import plots

    with pytest.raises(InputError) as error:
        figure(plots, short_run)
    message = str(error.value)
    assert any(has_problem(message, name, field, expected) for name in ("results", "result")), message


@pytest.mark.parametrize("name", ["pathways.txt", "pathways"])
def test_a_pathway_graph_saved_to_a_file_of_no_image_format_is_refused(tmp_path, name):
    """matplotlib refused the name with its own ValueError, once the graph was drawn (workforce pathways --draw
    refused it before)."""
    import sim
    from sim import plots

    refused(lambda: plots.pathway_graph(sim.load_pathways(["nursing"]), tmp_path / name), "path", "path",
            "an image file ending in one of")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("inputs, field, expected", [
    ({"replications": 0}, "inputs.replications", "a whole number from 2 to 20"),
    ({"seed": -1}, "inputs.seed", "a whole number from 0 to 9999"),
    ({"retention": "x"}, "inputs.retention", "a whole number from 0 to 50"),
    ({"start_year": "x"}, "inputs.start_year", "a whole number from 2021"),
    ({"growth": "x"}, "inputs.growth", "a number from -5 to 10"),
    ({"places": {"nursing/pre_registration_degree": 5}}, "inputs.places", "pairs of a course and its extra places"),
    ({"places": (("nursing/pre_registration_degree", "x"),)}, "inputs.places.nursing/pre_registration_degree",
     "a whole number from 0 to 300"),
    ({"feedbacks": "supervision"}, "inputs.feedbacks", "a list of the feedbacks configured"),
])
def test_the_dashboards_simulate_refuses_inputs_the_page_would_not_run(inputs, field, expected):
    """simulate(Inputs(...)) ran what the page refuses, or failed inside numpy (a negative seed or number
    of replications) or Python (a text where a number goes)."""
    from sim.app import Inputs, experiment_text, simulate

    given = Inputs(**{"until": 2023, "replications": 2, **inputs})
    refused(lambda: simulate(given), "sim.app.simulate", field, expected)
    refused(lambda: experiment_text(given), "sim.app.experiment_data", field, expected)


def test_the_pages_problems_name_training_places_that_are_not_pairs():
    from sim.app import Inputs, compiled, problems

    found = problems(Inputs(places={"nursing/pre_registration_degree": 5}), compiled(Inputs()))
    assert len(found) == 1 and found[0].startswith("Training places: expected pairs of a course"), found


@pytest.mark.parametrize("question, field, expected", [
    ({"stage": "psychiatry/foundation"}, "question.stage", "a course of the page"),
    ({"group": "midwifery"}, "question.group", "a staff group of the scenario or total"),
    ({"most_gap": "x"}, "question.most_gap", "a whole number from 0 to 500"),
    ({"percent": None}, "question.percent", "a whole number from 50 to 95"),
    ({"percent": 150}, "question.percent", "a whole number from 50 to 95"),
])
def test_what_it_takes_names_the_question_not_its_temporary_experiment_file(question, field, expected):
    """A bad choice was named by a temporary file nobody saw (or raised TypeError), and a course the
    page does not offer was searched over values up to 100 in silence."""
    from sim.app import Inputs, Target, what_it_takes

    refused(lambda: what_it_takes(Inputs(until=2023, replications=2), Target(**question)), "sim.app.what_it_takes",
            field, expected)


def test_a_dashboard_scenario_that_is_no_name_is_refused():
    from sim.app import Inputs, simulate

    refused(lambda: simulate(Inputs(scenario=None, until=2023, replications=2)), "scenario", "<top level>",
            "a shipped scenario name or the path of a scenario file")
