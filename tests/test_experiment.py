"""Experiments: seeds, executors, resumable results, the pure run function and bad input."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import tiny_scenario
from conftest import REPO, has_problem
from sim import experiment, folders, footprint, scenario
from sim.cli import main
from sim.errors import InputError, shown

EXPERIMENT = {
    "name": "small",
    "scenario": "wales-mh-2021",
    "years": 2,
    "replications": 2,
    "seed": 7,
    "policies": {
        "retain_nurses": {"levers": [{"lever": "retention", "groups": ["nursing"], "factor": 0.8, "start": "2021-06"}]},
        "more_places": {"levers": [{"lever": "training_places", "stage": "nursing/pre_registration_degree",
                                    "extra": 40}]},
    },
    "uncertain": {"groups.nursing.retirement.mho_retire_at_55": {"range": [0.3, 0.6]}},
}


def write(tmp_path: Path, changes: dict | None = None, name: str = "small.yaml") -> Path:
    data = json.loads(json.dumps(EXPERIMENT))
    for dotted, value in (changes or {}).items():
        node = data
        *parents, last = dotted.split("|")  # '|' separates keys here: experiment keys contain dots
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def tables(out: Path) -> dict[str, pd.DataFrame]:
    return {str(p.relative_to(out)): pd.read_parquet(p) for p in sorted((out / "runs").glob("*/*.parquet"))}


def assert_same_results(a: Path, b: Path) -> None:
    first, second = tables(a), tables(b)
    assert first and list(first) == list(second)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)


# ---- seeds and jobs ------------------------------------------------------------------------------
def test_replication_seeds_come_from_one_seed_sequence():
    seeds = experiment.replication_seeds(7, 5)
    assert len(set(seeds)) == 5 and all(0 <= s < 2**63 for s in seeds)
    assert experiment.replication_seeds(7, 8)[:5] == seeds  # more replications never change the first ones
    assert experiment.replication_seeds(8, 5) != seeds
    children = np.random.SeedSequence(7).spawn(2)[0].spawn(5)
    assert seeds == [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


def test_every_policy_runs_against_every_replication_and_parameter_set_with_the_baselines_seed(tmp_path):
    loaded = experiment.load(write(tmp_path, {"parameter_sets": 3}))
    jobs = loaded.jobs()
    assert len(jobs) == 3 * 2 * 3
    assert list(loaded.policies) == ["baseline", "retain_nurses", "more_places"]
    seeds = loaded.replication_seeds()
    for job in jobs:
        assert job.seed == seeds[job.replication]
    sets = loaded.parameter_sets()
    shares = sorted(p["groups.nursing.retirement.mho_retire_at_55"] for p in sets)
    # a Latin hypercube: one draw in each third of the range
    assert [int((x - 0.3) / 0.1) for x in shares] == [0, 1, 2]
    for job in jobs:
        assert job.overrides == {"groups.nursing.retirement.mho_retire_at_55": sets[job.parameter_set][
            "groups.nursing.retirement.mho_retire_at_55"]}
    assert experiment.load(write(tmp_path, {"parameter_sets": 3})).parameter_sets() == sets


def test_scale_parameters_multiply_the_scenarios_value():
    from sim.scenario import load

    spec = load().spec
    overrides = experiment.to_overrides(spec, {"scale:groups.nursing.leaving.rate": 0.5,
                                               "groups.nursing.retirement.mho_retire_at_55": 0.4})
    # to six decimals: the one rule a scale follows, in calibration as in experiments (sim.uncertain.scaled)
    assert overrides["groups.nursing.leaving.rate"] == pytest.approx([r * 0.5 for r in spec.groups["nursing"].leaving.rate],
                                                                     abs=1e-6)
    assert overrides["groups.nursing.retirement.mho_retire_at_55"] == 0.4


def test_a_choice_share_the_scenarios_uncertain_varies_is_varied_by_an_experiment_as_there(tmp_path):
    """The shipped scenario's uncertain: names choice shares (transitions.<pathway/stage>.<target>), set in
    its pathway files: the same entry, moved to an experiment, draws the share, and the stage's other
    transitions are rescaled. A target the stage does not have is still refused."""
    key, stage = "transitions.social_work/degree.newly_qualified", "social_work/degree"
    shipped = scenario.load().spec.uncertain[key]
    loaded = experiment.load(write(tmp_path, {"parameter_sets": 2, "uncertain": {key: {"range": list(shipped.range)}}}))
    for parameters in loaded.parameter_sets():
        drawn = parameters[key]
        assert shipped.range[0] <= drawn <= shipped.range[1]
        graph = scenario.compiled(str(loaded.scenario_file.resolve()), loaded.overrides(parameters)).graph
        shares = {t: graph.edges[stage, t]["probability"] for t in graph.successors(stage)}
        assert shares["social_work/newly_qualified"] == pytest.approx(drawn)
        assert sum(shares.values()) == pytest.approx(1.0)
    share = loaded.scenario.graph.edges[stage, "social_work/newly_qualified"]["probability"]
    assert loaded.overrides({f"scale:{key}": 1.5}) == {key: pytest.approx(share * 1.5)}
    assert experiment.load(write(tmp_path, {"uncertain": {key: {"scale": [0.5, 1.5]}}})).parameter_names == [
        f"scale:{key}"]
    with pytest.raises(InputError) as info:
        experiment.load(write(tmp_path, {"uncertain": {f"{key}x": {"range": [0.05, 0.2]}}}))
    assert has_problem(str(info.value), "small.yaml", f"uncertain.{key}x", "the dotted key of a value in the scenario")


# ---- the pure run function -------------------------------------------------------------------------
def test_outcomes_is_a_pure_function_of_parameters_and_seed():
    wanted = ["fte:nursing:2023", "leavers:nursing:2023", "fte:total:2023"]
    a = experiment.outcomes({"scale:groups.nursing.leaving.rate": 1.5}, seed=3, until=2023, wanted=wanted)
    b = experiment.outcomes({"scale:groups.nursing.leaving.rate": 1.5}, seed=3, until=2023, wanted=wanted)
    base = experiment.outcomes({}, seed=3, until=2023, wanted=wanted)
    assert a == b and set(a) == set(wanted)
    assert a["leavers:nursing:2023"] > 1.15 * base["leavers:nursing:2023"]
    assert a["fte:total:2023"] - base["fte:total:2023"] == pytest.approx(a["fte:nursing:2023"] - base["fte:nursing:2023"])
    with pytest.raises(InputError, match="measure:group:year"):
        experiment.outcomes({}, seed=3, until=2023, wanted=["fte:midwifery:2023"])


def test_outcomes_are_the_tidy_tables_figures_summed_exactly():
    import math

    from sim.results import run

    results = run(seed=4, until=2024)
    tidy = results.tidy()
    rows = tidy[tidy.stage == "all"]

    def expected(key):
        measure, group, year = key.split(":")
        chosen = rows[(rows.measure == measure) & (rows.year == int(year)) & ((rows.group == group) | (group == "total"))]
        return math.fsum(chosen.value)

    keys = ["fte:nursing:2024", "leavers:nursing:2023", "fte:total:2024", "leavers:total:2023", "joiners:psychiatry:2022",
            "leavers:nursing:2021"]  # no flows in the year the run starts
    picked = experiment.pick(results.group_values(), keys)
    assert picked == {key: expected(key) for key in keys}
    assert picked["leavers:nursing:2021"] == 0.0 and picked["fte:total:2024"] > picked["fte:nursing:2024"] > 0


def test_mesa_batch_run_sweeps_scenarios_levers_and_seeds(tiny_with_leavers):
    """Mesa's own batch runner drives the model too: every combination of the swept arguments."""
    import mesa

    from sim import WorkforceModel
    from sim.interventions import Retention

    rows = mesa.batch_run(WorkforceModel, parameters={"scenario": str(tiny_with_leavers), "until": 2022,
                                                      "interventions": [(), (Retention(factor=0.0),)]},
                          rng=[1, 2], max_steps=1000, number_processes=1, data_collection_period=-1,
                          display_progress=False)
    assert len(rows) == 4 and all(r["Step"] == 24 for r in rows)
    by = {(r["rng"], len(r["interventions"])): r for r in rows}
    assert by[1, 1]["FTE staff"] == by[2, 1]["FTE staff"] == 100  # nobody leaves with retention x 0
    assert by[1, 0]["FTE staff"] < 95 and by[2, 0]["FTE staff"] < 95  # a tenth leave a year without it
    assert by[1, 0]["FTE staff"] != by[2, 0]["FTE staff"]  # seeds differ


def example(name: str) -> dict:
    """The functions of an example script in experiments/ (without running its main block)."""
    import runpy

    return runpy.run_path(str(REPO / "experiments" / name))


@pytest.fixture(scope="module")
def tiny_with_leavers(tmp_path_factory):
    """The tiny scenario with a tenth leaving a year and nobody retiring (so nobody returns)."""
    return tiny_scenario.write(tmp_path_factory.mktemp("tiny"), {"groups.staff.leaving.rate": 0.1})


def test_the_salib_example_gives_sobol_indices_from_the_pure_function(tiny_with_leavers):
    si = example("salib_example.py")["indices"](scenario=str(tiny_with_leavers), group="staff", until=2022, samples=2)
    assert si["ST"][0] > 0.5  # the leaver rate moves FTE
    assert si["S1"][1] == 0.0 and si["ST"][1] == 0.0  # returning cannot when nobody retires: exactly zero (same seed)


def test_the_ema_workbench_example_runs_futures_and_policies_through_the_pure_function(tiny_with_leavers):
    from sim.interventions import Retention

    explore = example("ema_workbench_example.py")["explore"]
    table, results = explore(scenario=str(tiny_with_leavers), group="staff", until=2022, experiments=2, policies=2,
                             seed=3)
    assert len(table) == 4 and len(results["fte"]) == 4 and table.policy.nunique() == 2  # 2 futures x 2 policies
    assert table.leaving.between(0.8, 1.2).all() and table.returning.between(0.7, 1.35).all()
    assert table.retention.between(0.8, 1.0).all()
    for row, fte in zip(table.itertuples(), results["fte"]):  # each experiment is the pure function's value
        direct = experiment.outcomes({"scale:groups.staff.leaving.rate": row.leaving,
                                      "scale:groups.staff.retire_and_return.share": row.returning}, seed=3,
                                     scenario=tiny_with_leavers, until=2022, wanted=["fte:staff:2022"],
                                     levers=[Retention(groups=["staff"], factor=row.retention)])
        assert direct["fte:staff:2022"] == fte
    assert len(set(results["fte"])) > 1
    again, _ = explore(scenario=str(tiny_with_leavers), group="staff", until=2022, experiments=2, policies=2, seed=3)
    columns = ["leaving", "returning", "retention"]
    assert again[columns].equals(table[columns])  # the seed fixes both samples


@pytest.mark.parametrize("name", ["salib_example.py", "ema_workbench_example.py"])
def test_each_example_loads_without_a_warning(name):
    loading = f"import runpy; runpy.run_path({str(REPO / 'experiments' / name)!r})"  # its imports, not its runs
    result = subprocess.run([sys.executable, "-W", "error", "-c", loading], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0 and result.stderr == "", result.stderr

@pytest.mark.parametrize("name", ["salib_example.py", "ema_workbench_example.py"])
def test_the_readme_shows_each_example_as_the_tests_run_it(name):
    text = (REPO / "experiments" / name).read_text()
    assert f"`experiments/{name}`:\n\n```python\n{text}```" in (REPO / "README.md").read_text()


# ---- batch runs: executors, resuming, the manifest ---------------------------------------------------
def test_results_are_identical_whatever_the_executor_and_number_of_workers(tmp_path):
    path = write(tmp_path, {"policies": {"retain_nurses": EXPERIMENT["policies"]["retain_nurses"]}})
    loaded = experiment.load(path)
    experiment.batch(loaded, out=tmp_path / "one", workers=1, quiet=True)
    experiment.batch(loaded, out=tmp_path / "two", workers=2, quiet=True)
    experiment.batch(loaded, out=tmp_path / "dask", workers=2, scheduler="local", quiet=True)
    assert len(tables(tmp_path / "one")) == 4
    assert_same_results(tmp_path / "one", tmp_path / "two")
    assert_same_results(tmp_path / "one", tmp_path / "dask")


def test_a_killed_batch_resumes_to_exactly_the_uninterrupted_results(tmp_path):
    path = write(tmp_path, {"replications": 4, "years": 3, "policies|nothing": {"levers": []}})
    loaded = experiment.load(path)
    total = len(loaded.jobs())
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    process = subprocess.Popen([sys.executable, "-m", "sim", "batch", str(path), "--workers", "1", "--quiet",
                                "--out", str(out)], env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(list(out.glob("runs/*/*.parquet"))) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = len(list(out.glob("runs/*/*.parquet")))
    assert 2 <= done < total, process.stderr.read().decode()
    # as the kill leaves a run it was writing
    folders.temporary(out / "runs" / "baseline" / "p000-r0003.parquet", process.pid).write_bytes(b"half a file")
    summary = experiment.batch(loaded, out=out, workers=2, quiet=True)
    assert summary.skipped == done and summary.written == total - done
    experiment.batch(loaded, out=tmp_path / "whole", workers=1, quiet=True)
    assert_same_results(out, tmp_path / "whole")
    assert [p.name for p in out.rglob(".*")] == []


@pytest.mark.parametrize("stop, executor", [(signal.SIGTERM, []), (signal.SIGINT, []),
                                             (signal.SIGTERM, ["--scheduler", "local"])],
                         ids=["sigterm", "sigint", "sigterm-dask"])
def test_a_stopped_batch_ends_its_workers_keeps_its_runs_and_resumes(tmp_path, stop, executor):
    import psutil

    tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": 0.1})
    path = tmp_path / "e.yaml"
    # enough runs that the batch is still running when the signal lands: a run takes a few
    # milliseconds, and writing its table about as long, so 40 runs could all be done before then
    runs = 200
    path.write_text(yaml.safe_dump({"name": "tiny", "scenario": "tiny.yaml", "years": 5, "replications": runs,
                                    "seed": 3}))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    process = subprocess.Popen([sys.executable, "-m", "sim", "batch", str(path), "--workers", "2", "--quiet",
                                "--out", str(out), *executor], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("runs/*/*.parquet")) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        workers = psutil.Process(process.pid).children(recursive=True)
        assert workers and process.poll() is None, "the batch ended before it could be stopped"
        process.send_signal(stop)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    err = process.stderr.read()
    assert process.returncode == 128 + stop, err
    assert err.strip().endswith(f"workforce: stopped by {stop.name}; the runs written are kept: rerun the same "
                                f"command to resume") and "Traceback" not in err, err
    psutil.wait_procs(workers, timeout=5)
    assert [w.pid for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE] == []
    done = len(list(out.glob("runs/*/*.parquet")))
    assert 1 <= done < runs and [p.name for p in out.rglob(".*")] == []
    again = experiment.batch(experiment.load(path), out=out, workers=1, quiet=True)
    assert (again.skipped, again.written) == (done, runs - done)


def test_a_runs_file_is_its_table_encoded_where_it_ran(tmp_path):
    """Workers send a run's Parquet file, not its table: what the batch writes reads back as the run's table."""
    import pyarrow.parquet as pq

    loaded = experiment.load(write(tmp_path, {"years": 1, "replications": 1}))
    job = loaded.jobs()[1]
    contents = experiment.run_file(job)
    assert contents[:4] == contents[-4:] == b"PAR1"
    experiment.batch(loaded, out=tmp_path / "out", workers=1, quiet=True)
    assert (tmp_path / "out" / "runs" / job.file).read_bytes() == contents
    table = experiment.simulate(job)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "runs" / job.file), table)
    table.to_parquet(tmp_path / "by-pandas.parquet", index=False)  # the same schema and metadata as pandas writes
    assert pq.read_schema(tmp_path / "by-pandas.parquet").equals(pq.read_schema(tmp_path / "out" / "runs" / job.file),
                                                                 check_metadata=True)
    written = pq.ParquetFile(tmp_path / "out" / "runs" / job.file).metadata.row_group(0)  # one row group: all years
    assert [written.column(i).statistics for i in range(written.num_columns)] == [None] * written.num_columns


def test_a_batchs_runs_share_the_compiled_scenario_and_leave_it_as_compiled(tmp_path):
    """A batch's run without levers runs on the compiled scenario itself (no copy of its own); one with
    levers changes only its own copy."""
    import pickle

    def snapshot(s):
        return pickle.dumps({k: v.model_dump() if hasattr(v, "model_dump") else v
                             for k, v in sorted(vars(s).items()) if k not in ("graph", "posterior")})

    loaded = experiment.load(write(tmp_path, {"years": 2, "replications": 2}))
    jobs = [job for job in loaded.jobs() if job.parameter_set == 0]
    assert {job.policy for job in jobs} == {"baseline", "retain_nurses", "more_places"}
    shared = {job.replication: scenario.compiled(job.scenario, job.overrides, job.posterior_set) for job in jobs}
    before = {r: snapshot(s) for r, s in shared.items()}
    for job in jobs:
        assert (experiment._results(job).model.inputs is shared[job.replication]) == (job.policy == "baseline")
    assert {r: snapshot(s) for r, s in shared.items()} == before


def test_a_workers_runs_make_room_for_the_people_its_last_run_of_the_scenario_made(tmp_path, monkeypatch):
    """So that a batch's runs seldom copy their people's columns into bigger ones as people come."""
    monkeypatch.setattr(footprint, "_MADE", {})
    first, second = experiment.load(write(tmp_path, {"years": 1, "replications": 2})).jobs()[:2]
    made = experiment._results(first).model.people.count
    rooms, room = [], footprint.room
    monkeypatch.setattr(footprint, "room", lambda s, end: rooms.append(room(s, end)) or rooms[-1])
    experiment._results(second)
    assert rooms == [int(made * footprint._MARGIN)]


def test_jobs_sharing_a_compiled_scenario_run_together_a_few_at_a_time(tmp_path):
    """A batch gives a worker the runs of one compiled scenario (a replication's policies, the replications
    drawing the same posterior set) together, up to ``TOGETHER`` at a time, in the order they first come."""
    assert experiment.chunks(list(range(11)), lambda j: j % 2) == [[0, 2, 4, 6], [8, 10], [1, 3, 5, 7], [9]]
    jobs = experiment.load(write(tmp_path, {"years": 1, "replications": 3})).jobs()
    for chunk in experiment.chunks(jobs, experiment.same_scenario):
        assert len({(job.parameter_set, job.posterior_set) for job in chunk}) == 1


def test_rerunning_skips_runs_already_written(tmp_path):
    loaded = experiment.load(write(tmp_path, {"years": 1, "replications": 1}))
    first = experiment.batch(loaded, out=tmp_path / "out", workers=1, quiet=True)
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*.parquet")}
    again = experiment.batch(loaded, out=tmp_path / "out", workers=1, quiet=True)
    assert (first.written, again.written, again.skipped) == (3, 0, 3)
    assert stamps == {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*.parquet")}


def test_manifest_says_what_produced_the_results_and_a_changed_file_is_not_mixed_in(tmp_path):
    path = write(tmp_path, {"years": 1, "replications": 1})
    loaded = experiment.load(path)
    experiment.batch(loaded, out=tmp_path / "out", workers=1, quiet=True)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    import hashlib

    assert manifest["experiment_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["replication_seeds"] == experiment.replication_seeds(7, 1)
    assert manifest["policies"]["retain_nurses"] == [{"lever": "retention", "groups": ["nursing"], "factor": 0.8,
                                                       "start": "2021-06"}]
    assert manifest["runs"] == 3 and manifest["versions"]["numpy"] == np.__version__
    assert (tmp_path / "out" / "experiment.yaml").read_bytes() == path.read_bytes()
    run = pd.read_parquet(tmp_path / "out" / "runs" / "retain_nurses" / "p000-r0000.parquet")
    assert list(run.columns[:4]) == ["policy", "parameter_set", "replication", "seed"]
    assert set(run.policy) == {"retain_nurses"} and set(run.seed) == {manifest["replication_seeds"][0]}
    changed = write(tmp_path, {"years": 1, "replications": 1, "seed": 8})
    with pytest.raises(InputError, match="experiment_sha256"):
        experiment.batch(experiment.load(changed), out=tmp_path / "out", workers=1, quiet=True)


def layered_tiny(directory: Path) -> Path:
    """An experiment on the tiny scenario split over every kind of input file: a scenario that
    extends a base scenario, a calibration file and a pathway file."""
    tiny_scenario.write(directory)
    (directory / "tiny.yaml").rename(directory / "base.yaml")
    (directory / "tiny.yaml").write_text("extends: base.yaml\nname: layered\ncalibration: cal.yaml\n")
    (directory / "cal.yaml").write_text("overrides:\n  groups.staff.leaving.rate: 0.1\n")
    path = directory / "e.yaml"
    path.write_text(yaml.safe_dump({"name": "layered", "scenario": "tiny.yaml", "years": 1, "replications": 2,
                                    "seed": 3, "policies": {"retain": {"levers": [{"lever": "retention",
                                                                                    "factor": 0.5}]}}}))
    return path


def test_the_manifest_hashes_every_input_file_and_a_batch_resumed_on_changed_inputs_is_refused(tmp_path, capsys):
    path = layered_tiny(tmp_path)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    names = ["tiny.yaml", "base.yaml", "cal.yaml", "course.yaml"]
    assert manifest["input_files"] == {str((tmp_path / n).resolve()): hashlib.sha256((tmp_path / n).read_bytes())
                                       .hexdigest() for n in names}
    capsys.readouterr()
    for name in names[1:]:  # a changed base scenario, calibration file or pathway file: refused, nothing written
        text = (tmp_path / name).read_text()
        (tmp_path / name).write_text(text + "# edited\n")
        runs = sorted(out.rglob("*.parquet"))
        assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "manifest.json: input_files: expected results of the same scenario, calibration and pathway files: " \
               f"changed since, {(tmp_path / name).resolve()}; the results there would mix inputs: write to another " \
               "--out" in err, err
        assert sorted(out.rglob("*.parquet")) == runs and "Traceback" not in err
        (tmp_path / name).write_text(text)
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0  # the same again: resumes
    assert "0 run now, 4 already there" in capsys.readouterr().out


def test_a_batch_resumed_with_other_years_or_parameters_is_refused(tmp_path, capsys):
    """--years and --fixed-parameters leave the experiment file as it was: runs of another length, or with
    other calibrated parameters, would be taken as done and mixed with the new ones."""
    path, out = layered_tiny(tmp_path), tmp_path / "out"
    path.write_text(path.read_text().replace("years: 1", "years: 2"))
    assert main(["batch", str(path), "--years", "1", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    runs = sorted(out.rglob("*.parquet"))
    capsys.readouterr()
    for options, field, expected in ((["--fixed-parameters"], "final_year", "results of runs to 2022"),
                                     (["--years", "1", "--fixed-parameters"], "parameters", "'fixed'")):
        assert main(["batch", str(path), *options, "--workers", "1", "--quiet", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert has_problem(err, "out/manifest.json", field, expected), err
        assert sorted(out.rglob("*.parquet")) == runs
    assert main(["batch", str(path), "--years", "1", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    assert "0 run now, 4 already there" in capsys.readouterr().out


def test_a_batch_whose_manifest_an_editor_saved_with_a_byte_order_mark_resumes(tmp_path, capsys):
    """An editor on Windows puts a byte order mark before a file it saves: the batch was refused as no manifest
    of workforce batch, where compare and report read past it."""
    path, out = layered_tiny(tmp_path), tmp_path / "out"
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    manifest = out / "manifest.json"
    manifest.write_bytes(b"\xef\xbb\xbf" + manifest.read_bytes().replace(b"\n", b"\r\n"))
    capsys.readouterr()
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    assert "0 run now, 4 already there" in capsys.readouterr().out


def test_a_manifest_without_input_hashes_is_not_resumed(tmp_path):
    path = layered_tiny(tmp_path)
    loaded = experiment.load(path)
    experiment.batch(loaded, out=tmp_path / "out", workers=1, quiet=True)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    del manifest["input_files"]
    (tmp_path / "out" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="input_files: expected the hashes of the batch's input files"):
        experiment.batch(loaded, out=tmp_path / "out", workers=1, quiet=True)


def test_a_run_refuses_input_files_changed_since_its_batch_started(tmp_path):
    """Workers load the scenario themselves: a file edited mid-batch must not give mixed runs."""
    import pickle

    loaded = experiment.load(layered_tiny(tmp_path))
    job = loaded.jobs()[0]
    assert set(experiment.simulate(job).policy) == {"baseline"}
    (tmp_path / "course.yaml").write_text((tmp_path / "course.yaml").read_text() + "# edited\n")
    with pytest.raises(InputError) as info:
        experiment.simulate(job)
    assert has_problem(str(info.value), "course.yaml", "<top level>", "the same content as when the batch started")
    again = pickle.loads(pickle.dumps(info.value))  # as it comes back from a worker process
    assert again.problems == info.value.problems and str(again) == str(info.value)


def test_a_cached_scenario_is_loaded_again_when_any_of_its_files_changes(tmp_path):
    layered_tiny(tmp_path)
    scenario_file = str((tmp_path / "tiny.yaml").resolve())
    first = scenario.compiled(scenario_file)
    assert scenario.compiled(scenario_file) is first  # unchanged: the same compiled scenario
    wanted = ["headcount:staff:2021", "leavers:staff:2021"]
    before = experiment.outcomes(seed=1, scenario=tmp_path / "tiny.yaml", wanted=wanted, until=2021)
    (tmp_path / "cal.yaml").write_text("overrides:\n  groups.staff.leaving.rate: 0.5\n")
    second = scenario.compiled(scenario_file)
    assert second is not first and second.spec.groups["staff"].leaving.rate == 0.5
    after = experiment.outcomes(seed=1, scenario=tmp_path / "tiny.yaml", wanted=wanted, until=2021)
    assert after["leavers:staff:2021"] > 2 * before["leavers:staff:2021"]
    text = (tmp_path / "base.yaml").read_text()
    (tmp_path / "base.yaml").write_text(text.replace("headcount: 100", "headcount: 300"))
    assert experiment.outcomes(seed=1, scenario=tmp_path / "tiny.yaml", wanted=["headcount:staff:2020"],
                               until=2021)["headcount:staff:2020"] == 300


def test_batch_command_runs_and_reports(tmp_path, capsys):
    path = write(tmp_path, {"years": 1, "replications": 1})
    assert main(["batch", str(path), "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "3 runs" in out and "3 run now, 0 already there" in out and err == ""


# ---- the shipped experiment files --------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted((REPO / "experiments").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_experiments_are_valid(path):
    from sim import target

    loaded = experiment.load(path)
    if loaded.spec.target is not None:  # a question for workforce target: the policy holding the lever searched
        assert target.question(loaded).policy in loaded.policies
        return
    assert len(loaded.policies) >= 3
    assert loaded.spec.uncertain


# ---- bad input ---------------------------------------------------------------------------------------
LEVER = "policies|retain_nurses|levers"
# a scale of nurses' leaving rates that keeps the highest (as calibrated) below 1 on its own, but not twice it
TOP_SCALE = round(0.9 / max(scenario.load().spec.groups["nursing"].leaving.rate), 2)
BAD = {
    "unknown lever": ({LEVER: [{"lever": "bonus", "factor": 1.0}]}, "policies.retain_nurses.levers.0.lever",
                      "a lever (training_places"),
    "unknown group": ({LEVER: [{"lever": "retention", "groups": ["midwives"], "factor": 0.9}]},
                      "policies.retain_nurses.levers.0.groups", "a staff group of the scenario"),
    "unknown stage": ({LEVER: [{"lever": "training_places", "stage": "nursing/degre", "extra": 3}]},
                      "policies.retain_nurses.levers.0.stage", "a stage of the scenario"),
    "unknown pathway": ({LEVER: [{"lever": "training_places", "stage": "midwifery/degree", "extra": 3}]},
                        "policies.retain_nurses.levers.0.stage", "no pathway 'midwifery'"),
    "unknown lever argument": ({LEVER: [{"lever": "retention", "colour": 0.9}]},
                               "policies.retain_nurses.levers.0.colour", "no such key here (unknown key)"),
    "misspelt lever argument": ({LEVER: [{"lever": "retention", "factr": 0.9}]},
                                "policies.retain_nurses.levers.0.factr", "(unknown key; there is factor here)"),
    "argument of the wrong type": ({LEVER: [{"lever": "retention", "factor": "0.9"}]},
                                   "policies.retain_nurses.levers.0.factor", "a valid number"),
    "malformed date": ({LEVER: [{"lever": "retention", "factor": 0.9, "start": "2022-4-1"}]},
                       "policies.retain_nurses.levers.0.start", "YYYY-MM"),
    "funded posts as a percentage": ({LEVER: [{"lever": "funded_posts", "groups": ["nursing"], "share": 10}]},
                                     "policies.retain_nurses.levers.0.share", "less than or equal to 3"),
    "retention factor past 1 at the top of an uncertain range": (
        {LEVER: [{"lever": "retention", "groups": ["nursing"], "factor": 2.0}],
         "uncertain": {"groups.nursing.leaving.rate": {"scale": [0.5, TOP_SCALE]}}},
        "policies.retain_nurses.levers.0.factor", "at the high end of its range"),
    "two retention factors past 1 together, the first from a later start": (
        {LEVER: [{"lever": "retention", "groups": ["nursing"], "factor": TOP_SCALE, "start": "2022-04"},
                 {"lever": "retention", "groups": ["nursing"], "factor": TOP_SCALE}]},
        "policies.retain_nurses.levers.1.factor", "a factor of at most"),
    "unknown parameter": ({"uncertain": {"groups.nursing.leaving.rat": {"range": [0.1, 0.2]}}},
                          "uncertain.groups.nursing.leaving.rat", "the dotted key of a value in the scenario"),
    "range with low above high": ({"uncertain": {"groups.nursing.retirement.mho_retire_at_55": {"range": [0.6, 0.3]}}},
                                  "uncertain.groups.nursing.retirement.mho_retire_at_55", "[low, high] with low < high"),
    "range outside what the scenario allows": (
        {"uncertain": {"groups.nursing.retirement.mho_retire_at_55": {"range": [0.3, 1.3]}}},
        "uncertain.groups.nursing.retirement.mho_retire_at_55.range.1", "less than or equal to 1"),
    "a table without scale": ({"uncertain": {"groups.nursing.leaving.rate": {"range": [0.1, 0.2]}}},
                              "uncertain.groups.nursing.leaving.rate", "a key of a single number for range:"),
    "a range in another format": ({"uncertain": {"groups.nursing.retirement.mho_retire_at_55": {"low": 0.3, "high": 0.6}}},
                                  "uncertain.groups.nursing.retirement.mho_retire_at_55",
                                  "range: [low, high] or scale: [low, high] (one of them)"),
    "a scale of zero": ({"uncertain": {"groups.nursing.leaving.rate": {"scale": [0, 1.2]}}},
                        "uncertain.groups.nursing.leaving.rate.scale.0", "greater than 0"),
    "unknown override": ({"overrides": {"groups.nursing.leaving.rates": 0.1}},
                         "overrides.groups.nursing.leaving.rates", "an existing field to override"),
    "empty override key": ({"overrides": {"": 1}}, "overrides", "dotted scenario keys"),
    "override key with an empty part": ({"overrides": {"groups..leaving.rate": 0.1}}, "overrides",
                                        "dotted scenario keys"),
    "an override of a value uncertain: gives a range": (
        {"overrides": {"groups.nursing.joiners.per_year": 300},
         "uncertain": {"groups.nursing.joiners.per_year": {"range": [0, 100]}}},
        "overrides.groups.nursing.joiners.per_year", "no value for groups.nursing.joiners.per_year, which uncertain: "
                                                     "varies over a range"),
    "an override of a section holding a value uncertain: gives a range": (
        {"overrides": {"groups.nursing.joiners": {**scenario.load().spec.groups["nursing"].joiners.model_dump(),
                                                  "per_year": 300}},
         "uncertain": {"groups.nursing.joiners.per_year": {"range": [0, 100]}}},
        "overrides.groups.nursing.joiners", "no value for groups.nursing.joiners.per_year"),
    # named at the key within the override's mapping where the problem is, not at the override as a whole
    "an override's mapping with shares that do not sum to 1": (
        {"overrides": {"groups.hcsw.leaving": {"rate": 0.1, "reasons": {"other_sector": 0.5, "outside_wales": 0.6}}}},
        "overrides.groups.hcsw.leaving.reasons", "leaving reason shares summing to 1"),
    "an override's mapping leaving out a required key": (
        {"overrides": {"groups": {"hcsw": {"retirement": {"max_age": 68}}}}}, "overrides.groups.hcsw.label",
        "this required field"),
    "a whole-number key's range with a fractional end": (
        {"uncertain": {"groups.nursing.retirement.max_age": {"range": [68.5, 70]}}},
        "uncertain.groups.nursing.retirement.max_age.range", "whole numbers, as groups.nursing.retirement.max_age is"),
    "a factor on a whole-number key": (
        {"uncertain": {"groups.nursing.retirement.max_age": {"scale": [0.95, 1.0]}}},
        "uncertain.groups.nursing.retirement.max_age.scale", "a range of whole numbers (range: [low, high])"),
    "unknown key": ({"colour": 3}, "colour", "no such key here (unknown key)"),
    "misspelt key": ({"replication": 3}, "replication", "(unknown key; there is replications here)"),
    "misspelt key of a section": ({"sensitivity": {"morris_trajectores": 10}}, "sensitivity.morris_trajectores",
                                  "(unknown key; there is morris_trajectories here)"),
    "missing field": ({"seed": None}, "seed", "required"),
    "baseline as a policy": ({"policies|baseline": {"levers": []}}, "policies", "policy names other than 'baseline'"),
    "too many years": ({"years": 50}, "years", "at most 20"),
    "unknown scenario": ({"scenario": "atlantis"}, "scenario", "a scenario file"),
    "unknown outcome": ({"sensitivity": {"outcomes": ["fte:nursing:2051"]}}, "sensitivity.outcomes.0",
                        "measure:group:year"),
}


@pytest.mark.parametrize("changes, field, expected", BAD.values(), ids=BAD.keys())
def test_bad_experiment_files_exit_2_naming_file_and_field(tmp_path, capsys, changes, field, expected):
    path = write(tmp_path, changes)
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("workforce: invalid input\n") and "Traceback" not in err
    assert has_problem(err, "small.yaml", field, expected), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["batch", "--quiet"], ["target", "--quiet"], ["sensitivity"]])
@pytest.mark.parametrize("length", [250, 300])
def test_a_name_too_long_for_a_folder_exits_2_naming_it_before_any_folder_is_made(tmp_path, monkeypatch, capsys,
                                                                                  command, length):
    """Without --out each command names its results folder after the experiment (results/<name>...): a name
    the file system cannot hold was blamed on the --out not given, after results/ was made (by batch once
    every run was done)."""
    path = write(tmp_path, {"name": "n" * length})
    monkeypatch.chdir(tmp_path)
    assert main([command[0], str(path), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "small.yaml", "name", "a name of at most"), err
    assert "--out" not in err and not (tmp_path / "results").exists()


def test_a_name_that_fits_its_longest_folder_is_accepted(tmp_path, monkeypatch):
    """The longest name a file takes leaves room for what every command adds to it (--years and
    --replications at their largest, a target's time), and for what writing adds for a while."""
    room = folders.NAME_MAX - folders.WRITING - experiment.ADDED_TO_NAME
    monkeypatch.chdir(tmp_path)
    loaded = experiment.load(write(tmp_path, {"name": "n" * room}))
    name = f"{loaded.name}-years{experiment.MAX_YEARS}-replications{experiment.MAX_RUNS}"
    (tmp_path / f".{name}.partial-{2**32}").mkdir()
    with pytest.raises(InputError):
        experiment.load(write(tmp_path, {"name": "n" * (room + 1)}))


def test_a_policy_name_too_long_for_its_runs_folder_is_refused_before_any_run(tmp_path, capsys):
    """A policy's runs are written in runs/<policy>: a name the file system cannot hold was blamed on the disk
    ("free space or choose another --out") once its first run was done, not on the policy's name."""
    long = "n" * (folders.NAME_MAX - folders.WRITING + 1)
    policies = {long: EXPERIMENT["policies"]["retain_nurses"]}
    path = write(tmp_path, {"policies": policies})
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "small.yaml", f"policies.{shown(long)}", "a name of at most"), err
    assert not (tmp_path / "out").exists()
    fits = {"n" * (folders.NAME_MAX - folders.WRITING): EXPERIMENT["policies"]["retain_nurses"]}
    experiment.load(write(tmp_path, {"policies": fits}))


def test_values_drawn_together_that_the_scenario_refuses_stop_the_batch_before_it_writes(tmp_path):
    """Each range's ends load (an FTE of 1,000 to 3,000 and a headcount of as many), but a set drawn with
    the FTE above the headcount does not: refused before anything is written, naming the set."""
    stock = "stocks.nursing/registered_nurse"
    path = write(tmp_path, {"parameter_sets": 20, "uncertain": {f"{stock}.fte": {"range": [1000, 3000]},
                                                                f"{stock}.headcount": {"range": [1000, 3000]}}})
    loaded = experiment.load(path)
    with pytest.raises(InputError) as info:
        experiment.batch(loaded, out=tmp_path / "out", workers=1, quiet=True)
    assert has_problem(str(info.value), "wales-mh-2021.yaml", stock, "fte no greater than headcount"), info.value
    assert "with parameter set" in str(info.value) and not (tmp_path / "out").exists()


def test_a_range_whose_end_makes_the_scenario_wrong_elsewhere_says_so(tmp_path):
    """A maximum age of 66 leaves the shipped nurses' starting ages past it: the problem is the stock's, but what
    made it is the range's low end, which the message says."""
    with pytest.raises(InputError) as info:
        experiment.load(write(tmp_path, {"uncertain": {"groups.nursing.retirement.max_age": {"range": [66, 70]}}}))
    found = {p.field: p.expected for p in info.value.problems}
    assert found["stocks.nursing/registered_nurse.age"].endswith(
        "with every uncertain value at the low end of its range"), found

def test_bad_experiment_from_the_command_line_is_one_message_not_a_traceback(tmp_path, cli):
    path = write(tmp_path, {LEVER: [{"lever": "retention", "groups": ["midwives"], "factor": 0.9}]})
    result = cli("batch", path, "--quiet")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert has_problem(result.stderr, "small.yaml", "policies.retain_nurses.levers.0.groups",
                       "a staff group of the scenario"), result.stderr
    assert cli("batch", path, "--workers", "0").returncode == 2


def test_batch_benchmark_prints_its_figures(capsys):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import bench_batch
    finally:
        sys.path.pop(0)
    figures = bench_batch.main(["--reps", "2", "--years", "1"])
    out = capsys.readouterr().out
    assert figures["per_minute"][1] > 0 and figures["per_minute"][2] > 0 and figures["efficiency"] > 0
    assert "runs/minute" in out and "scaling efficiency" in out and "projected: 1000 replications" in out


WORKERS_OF_A_KILLED_COMMAND = """
import os, time
from sim import experiment

def busy(_):
    time.sleep(300)

if __name__ == "__main__":
    pool = experiment.process_pool(2)
    futures = [pool.submit(busy, i) for i in range(2)]
    while len(pool._processes or {}) < 2:
        time.sleep(0.1)
    time.sleep(1)
    print(" ".join(str(pid) for pid in pool._processes), flush=True)
    time.sleep(300)
"""


def test_workers_end_when_their_command_is_killed_outright(tmp_path):
    """SIGKILL leaves the command no chance to stop its workers: they end themselves (not reaped: a
    zombie, until the forkserver that forked them goes)."""
    script = tmp_path / "killed.py"
    script.write_text(WORKERS_OF_A_KILLED_COMMAND)
    command = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    workers = [int(pid) for pid in command.stdout.readline().split()]
    assert len(workers) == 2
    command.kill()
    deadline, running = time.monotonic() + 20, workers
    while running and time.monotonic() < deadline:
        time.sleep(0.2)
        running = [pid for pid in workers if _running(pid)]
    command.wait()
    for pid in running:
        os.kill(pid, signal.SIGKILL)
    assert not running


CTRL_C_AS_WORKERS_START = """
import multiprocessing, os, signal
from sim import experiment

if __name__ == "__main__":
    pool = experiment.process_pool(1, preload=("sim.experiment", "ctrl_c"))  # ctrl_c: Ctrl-C as it is imported
    print(pool.submit(os.getpid).result() > 0, flush=True)
    pool.shutdown()
    child = multiprocessing.get_context("forkserver").Process(target=signal.raise_signal, args=(signal.SIGINT,))
    child.start()
    child.join()
    print(child.exitcode, flush=True)
"""


def test_ctrl_c_while_the_forkserver_imports_or_a_worker_starts_is_left_to_the_command(tmp_path):
    """Ctrl-C reaches the terminal's whole process group: a forkserver importing the model, or a worker
    not yet past its start, printed a KeyboardInterrupt traceback. They leave it to the command."""
    (tmp_path / "ctrl_c.py").write_text("import signal\nsignal.raise_signal(signal.SIGINT)\n")
    script = tmp_path / "ctrl_c_at_start.py"
    script.write_text(CTRL_C_AS_WORKERS_START)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(tmp_path)])})
    assert done.stdout.split() == ["True", "0"], done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "\nState:\tZ" not in status


def test_a_batch_s_workers_share_the_compiling_in_the_folder_of_claims_they_are_given(monkeypatch, tmp_path):
    import signal

    from sim.kernels import alongside

    shared = []
    monkeypatch.setattr(alongside, "share_with", shared.append)
    interrupt = signal.getsignal(signal.SIGINT)
    try:
        for claims in (str(tmp_path), str(tmp_path), None):
            experiment._start_worker(None, None, claims)
    finally:
        signal.signal(signal.SIGINT, interrupt)
    assert shared == [tmp_path, tmp_path]  # none given: nothing shared


@pytest.mark.parametrize("arguments, field, expected", [({"parameters": [1]}, "parameters", "a mapping of dotted"),
                                                        ({"seed": -1}, "seed", "a whole number from 0"),
                                                        ({"seed": 1.5}, "seed", "a whole number from 0")])
def test_outcomes_refuses_arguments_of_the_wrong_kind_naming_them(arguments, field, expected):
    with pytest.raises(InputError) as error:
        experiment.outcomes(**{"until": 2022, **arguments})
    assert has_problem(str(error.value), "outcomes", field, expected)


def test_outcomes_refuses_a_last_year_that_is_not_a_whole_number():
    with pytest.raises(InputError) as error:
        experiment.outcomes(until="abc")
    assert has_problem(str(error.value), "outcomes", "until", "a year from 2021 to 2041")
