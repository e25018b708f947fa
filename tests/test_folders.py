"""Output folders: refused before any simulating, written durably, whole or not at all, one batch
at a time, and a disk that fills part way keeps what was written and says how to go on."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

import tiny_scenario
from conftest import REPO, has_problem
from sim import analysis, calibration, experiment, folders, report, results, sensitivity
from sim.cli import main
from sim.errors import InputError


def tiny_experiment(directory: Path, replications: int = 2) -> Path:
    """The tiny scenario, one year, a baseline and one policy: 2 x ``replications`` runs of a second each."""
    tiny_scenario.write(directory, {"groups.staff.leaving.rate": 0.1})
    path = directory / "e.yaml"
    path.write_text(yaml.safe_dump({"name": "tiny", "scenario": "tiny.yaml", "years": 1, "replications": replications,
                                    "seed": 3, "policies": {"retain": {"levers": [{"lever": "retention",
                                                                                    "factor": 0.5}]}}}))
    return path


def run_files(out: Path) -> list[Path]:
    return sorted((out / "runs").glob("*/*.parquet"))


@pytest.fixture
def nothing_runs(monkeypatch):
    """Any simulating, fitting or report building fails the test: a bad --out is refused before."""

    def never(*args, **kwargs):
        raise AssertionError("started work before refusing the output folder")

    # (the modules are imported above, so none binds a patched name for good)
    for module, name in ((results, "run"), (experiment, "execute"), (sensitivity, "analyse"),
                         (calibration, "calibrate"), (report, "build"), (analysis, "compare")):
        monkeypatch.setattr(module, name, never)


def commands(tmp_path: Path, out: Path) -> dict[str, list[str]]:
    path = tiny_experiment(tmp_path)
    batch_dir = tmp_path / "batch"
    batch_dir.mkdir(exist_ok=True)
    (batch_dir / "manifest.json").write_text("{}")
    return {
        "run": ["run", str(tmp_path / "tiny.yaml"), "--replications", "1", "--out", str(out)],
        "run replications": ["run", str(tmp_path / "tiny.yaml"), "--replications", "2", "--out", str(out)],
        "batch": ["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)],
        "sensitivity": ["sensitivity", str(path), "--quiet", "--out", str(out)],
        "calibrate": ["calibrate", "--out-dir", str(out)],
        "report": ["report", str(batch_dir), "--out", str(out / "report.html")],
        "compare": ["compare", str(batch_dir), "--out", str(out / "c.csv")],
    }


@pytest.mark.parametrize("command", ["run", "run replications", "batch", "sensitivity", "calibrate", "report",
                                     "compare"])
@pytest.mark.parametrize("where", ["a file", "below a file", "read-only", "in /proc", "a broken link"])
def test_an_output_that_cannot_be_written_is_refused_before_any_simulating(tmp_path, capsys, monkeypatch,
                                                                           nothing_runs, command, where):
    if where == "in /proc" and not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    (tmp_path / "plain").write_text("a file")
    target = {"a file": tmp_path / "plain", "below a file": tmp_path / "plain" / "out",
              "read-only": tmp_path / "locked" / "out",
              "in /proc": Path("/proc/workforce-out"),  # nothing can be made there, even by root
              "a broken link": tmp_path / "gone"}[where]
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    args = commands(tmp_path, target)[command]
    if command in ("report", "compare") and where == "a file":
        args[-1] = str(tmp_path)  # their --out is a file: a folder is what cannot be written
    if where == "read-only":  # root may write anywhere, so the check is given a read-only folder
        (tmp_path / "locked").mkdir()
        access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if "locked" in str(p) else access(p, mode, **kw))
    assert main(args) == 2
    err = capsys.readouterr().err
    option = "--out-dir" if command == "calibrate" else "--out"
    kind, other = ("file", "folder") if command in ("report", "compare") else ("folder", "file")
    expected = {"a file": f"expected a {kind} (this is a {other})",
                "below a file": f"expected a {kind} that is not below a file ({tmp_path / 'plain'} is a file)",
                "read-only": f"expected a {kind} that can be written ({tmp_path / 'locked'} is read-only)",
                "in /proc": f"expected a {kind} that can be written (/proc is read-only)",
                "a broken link": f"expected a {kind} that is not at or below a broken link ({tmp_path / 'gone'} links "
                                 f"to nothing that exists)"}[where]
    assert err.startswith(f"workforce: invalid input\n{option}: {option.lstrip('-').replace('-', '_')}: {expected}"), err
    assert "Traceback" not in err


@pytest.mark.parametrize("replications", ["1", "2"])
def test_a_run_without_out_refuses_a_results_that_is_a_file_before_any_simulating(tmp_path, capsys, monkeypatch,
                                                                                 nothing_runs, replications):
    """The run's folder in results/ is named when the run is done: results/ itself is checked before."""
    path = tiny_scenario.write(tmp_path / "s")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").write_text("a file")
    assert main(["run", str(path), "--replications", replications, "--quiet"]) == 2
    assert capsys.readouterr().err == ("workforce: invalid input\n--out: out: expected a folder (this is a file) "
                                       "(found 'results')\n")


def test_a_folder_holding_only_a_hidden_file_is_refused_saying_what_it_holds(tmp_path, capsys):
    """macOS Finder leaves a .DS_Store in a folder it shows: the folder looks empty there, and was refused as one
    holding files without saying which."""
    path = tiny_scenario.write(tmp_path / "s")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    assert main(["run", str(path), "--replications", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--out: out: expected a folder that is empty or does not exist yet" in err and ".DS_Store" in err, err
    assert [p.name for p in out.iterdir()] == [".DS_Store"]


def test_run_refuses_a_folder_that_holds_files_and_fills_an_empty_one(tmp_path, capsys):
    path = tiny_scenario.write(tmp_path / "s")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", str(path), "--replications", "1", "--out", str(out)]) == 2
    assert "--out: out: expected a folder that is empty or does not exist yet" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    (out / "notes.txt").unlink()
    assert main(["run", str(path), "--replications", "1", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["events.parquet", "fte_by_group.png", "manifest.json",
                                                     "people.parquet", "supply.csv", "supply.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s"]  # nothing left beside it


def test_a_run_finding_its_folder_filled_meanwhile_keeps_its_results_beside_it(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(folders.WriteError) as info:
        with folders.staged(out) as staging:
            (staging / "manifest.json").write_text("mine")
            out.mkdir()
            (out / "manifest.json").write_text("another run's")
    kept = tmp_path / f"out-{os.getpid()}"
    assert f"these results are kept whole in {kept}" in str(info.value)
    assert (kept / "manifest.json").read_text() == "mine" and (out / "manifest.json").read_text() == "another run's"



def test_a_folder_given_as_a_link_is_written_where_it_leads_and_the_link_kept(tmp_path):
    (tmp_path / "disk" / "run").mkdir(parents=True)
    (tmp_path / "out").symlink_to(tmp_path / "disk" / "run")
    with folders.staged(tmp_path / "out") as staging:
        (staging / "manifest.json").write_text("{}")
    assert (tmp_path / "out").is_symlink() and (tmp_path / "out" / "manifest.json").read_text() == "{}"
    assert sorted(p.name for p in (tmp_path / "disk").iterdir()) == ["run"]  # nothing left beside it

def test_a_partial_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path):
    left = tmp_path / f".out.partial-{dead_pid()}"
    left.mkdir()
    (left / "supply.csv").write_text("half")
    with folders.staged(tmp_path / "out") as staging:
        (staging / "manifest.json").write_text("{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["manifest.json"]


def failing_parquet(monkeypatch, after: int, code: int) -> None:
    """The disk fills (or turns read-only) after ``after`` Parquet files."""
    written = pd.DataFrame.to_parquet
    count = {"n": 0}

    def to_parquet(self, path, *args, **kwargs):
        count["n"] += 1
        if count["n"] > after:
            raise OSError(code, os.strerror(code), str(path))
        return written(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", to_parquet)


def failing_run_files(monkeypatch, after: int, code: int) -> None:
    """The disk fills (or turns read-only) after a batch has written ``after`` run files (the bytes
    its workers send, ``experiment.run_file``)."""
    written = Path.write_bytes
    count = {"n": 0}

    def write_bytes(self, data):
        if ".parquet" in self.name:  # a run file, under its temporary name
            count["n"] += 1
            if count["n"] > after:
                raise OSError(code, os.strerror(code), str(self))
        return written(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
@pytest.mark.parametrize("replications", ["1", "3"])
def test_a_run_whose_disk_fills_leaves_no_folder_that_looks_complete(tmp_path, capsys, monkeypatch, code,
                                                                     replications):
    path = tiny_scenario.write(tmp_path / "s")
    failing_parquet(monkeypatch, after=1, code=code)
    out = tmp_path / "results" / "out"
    assert main(["run", str(path), "--replications", replications, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"workforce: could not write the results\n{out}: <top level>: expected space and "
                          f"permission to write the results (nothing was written to {out}; free space or choose "
                          f"another --out and rerun) (found '{os.strerror(code)}')"), err
    assert not out.exists() and list((tmp_path / "results").iterdir()) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_batch_whose_disk_fills_keeps_the_runs_written_and_resumes(tmp_path, capsys, monkeypatch, code):
    path = tiny_experiment(tmp_path, replications=3)
    out = tmp_path / "out"
    failing_run_files(monkeypatch, after=2, code=code)
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workforce: could not write the results\n"), err
    assert (f"expected space and permission to write the results (stopped with 2 of 6 runs in {out}, all kept; "
            f"free space or fix the folder, and rerun the same command to resume) (found '{os.strerror(code)}')") in err
    assert len(run_files(out)) == 2 and not (out / folders.LOCK).exists()
    assert [p.name for p in out.rglob(".*")] == []  # no partial file
    monkeypatch.undo()
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    assert "4 run now, 2 already there" in capsys.readouterr().out


def test_a_batch_whose_folder_is_removed_while_it_runs_stops_and_makes_no_folder_of_runs_again(tmp_path, capsys,
                                                                                              monkeypatch):
    path = tiny_experiment(tmp_path, replications=2)
    out = tmp_path / "out"
    written = folders.atomic_write

    def then_removed(target, write, **options):  # the folder removed (cleaned up, say) once the first run is written
        written(target, write, **options)
        if target.suffix == ".parquet":
            shutil.rmtree(out)

    monkeypatch.setattr(folders, "atomic_write", then_removed)
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (f"workforce: could not write the results\n{out}: manifest.json: expected the "
                                       f"results folder the batch writes in, with its manifest, until it ends "
                                       f"(removed or moved while the batch ran, with the runs written: rerun the same "
                                       f"command to run them again)\n")
    assert not out.exists()


def test_a_second_batch_in_the_same_folder_is_refused_and_touches_nothing(tmp_path, capsys):
    path = tiny_experiment(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    in_flight = out / "runs" / "baseline" / ".p000-r0000.parquet.tmp-1"
    in_flight.parent.mkdir(parents=True)
    in_flight.write_bytes(b"being written by the other batch")
    with folders.BatchLock(out):
        assert (out / folders.LOCK).read_text() == f"{os.getpid()}\n"
        assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert f"{out}: .lock: expected a results folder no other batch is writing in" in err
        assert f"(found 'held by pid {os.getpid()}')" in err
        assert in_flight.read_bytes() == b"being written by the other batch" and run_files(out) == []


def test_a_batch_refuses_a_folder_holding_other_files(tmp_path, capsys):
    path = tiny_experiment(tmp_path, replications=1)
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_text("mine")
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 2
    assert (f"{out}: <top level>: expected an empty folder or one written by workforce batch (results are never "
            f"mixed with other files: choose another --out) (found 'thesis.docx')") in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]


def test_a_batch_keeps_an_experiment_yaml_of_its_own_in_the_folder(tmp_path, capsys):
    """A folder holding only an experiment.yaml was taken for a batch stopped before its manifest, and the
    file was replaced by a copy of the experiment run. Only a copy of that same experiment is taken so."""
    path = tiny_experiment(tmp_path, replications=1)
    out = tmp_path / "out"
    out.mkdir()
    (out / "experiment.yaml").write_text("mine: true\n")
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 2
    assert has_problem(capsys.readouterr().err, str(out), "<top level>", "an empty folder or one written by workforce")
    assert (out / "experiment.yaml").read_text() == "mine: true\n"
    assert [p.name for p in out.iterdir()] == ["experiment.yaml"]
    shutil.copyfile(path, out / "experiment.yaml")  # as a batch stopped before its manifest leaves it
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0


def test_a_batch_refuses_a_file_among_its_folders_of_runs(tmp_path, capsys):
    path = tiny_experiment(tmp_path, replications=1)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    (out / "runs" / "notes.txt").write_text("mine")
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 2
    assert has_problem(capsys.readouterr().err, str(out / "runs"), "<top level>", "the folders of a batch's runs")
    assert (out / "runs" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("link", [folders.LOCK, "runs", "runs/baseline"])
def test_a_batch_writes_nothing_through_a_link_in_its_folder(tmp_path, capsys, link):
    """A link in the place of the lock or of a folder of runs (a batch's folder written, then edited) would have
    the pid or the runs written wherever it leads: refused, naming it, and what it leads to left as it was."""
    path = tiny_experiment(tmp_path, replications=1)
    out, outside = tmp_path / "out", tmp_path / "outside"
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    outside.mkdir()
    (outside / "precious.txt").write_text("keep")
    target = outside / "precious.txt" if link == folders.LOCK else outside
    shutil.rmtree(out / link, ignore_errors=True)
    (out / link).symlink_to(target)
    capsys.readouterr()
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "not a link" in err and "(found 'a link to " in err
    assert [p.name for p in outside.iterdir()] == ["precious.txt"] and (outside / "precious.txt").read_text() == "keep"


def dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)


def test_a_lock_left_by_a_batch_that_died_is_taken_over(tmp_path, capsys):
    path = tiny_experiment(tmp_path, replications=1)
    out = tmp_path / "out"
    out.mkdir()
    (out / folders.LOCK).write_text(f"{dead_pid()}\n")
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    assert len(run_files(out)) == 2 and not (out / folders.LOCK).exists()


@pytest.mark.parametrize("left", ["experiment.yaml", "manifest.json"])
def test_a_batch_killed_while_writing_its_manifest_is_resumed_by_the_same_command(tmp_path, capsys, left):
    path = tiny_experiment(tmp_path, replications=1)
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    if left == "manifest.json":  # the experiment file was copied whole before
        shutil.copyfile(path, out / "experiment.yaml")
    (out / f".{left}.tmp-{dead_pid()}").write_text("{\"experim")
    assert main(["batch", str(path), "--workers", "1", "--quiet", "--out", str(out)]) == 0, capsys.readouterr().err
    assert len(run_files(out)) == 2 and [p.name for p in out.rglob(".*")] == []


def test_empty_or_damaged_run_files_are_run_again(tmp_path):
    loaded = experiment.load(tiny_experiment(tmp_path))
    out, whole = tmp_path / "out", tmp_path / "whole"
    experiment.batch(loaded, out=whole, workers=1, quiet=True)
    experiment.batch(loaded, out=out, workers=1, quiet=True)
    files = run_files(out)
    files[0].write_bytes(b"")
    files[1].write_bytes(files[1].read_bytes()[:100])
    again = experiment.batch(loaded, out=out, workers=1, quiet=True)
    assert (again.written, again.skipped) == (2, 2)
    for a, b in zip(run_files(out), run_files(whole), strict=True):
        pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), check_exact=True)


def test_results_of_another_version_of_the_model_are_not_resumed(tmp_path):
    loaded = experiment.load(tiny_experiment(tmp_path, replications=1))
    out = tmp_path / "out"
    experiment.batch(loaded, out=out, workers=1, quiet=True)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["versions"]["workforce-sim"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError) as info:
        experiment.batch(loaded, out=out, workers=1, quiet=True)
    assert "manifest.json: versions.workforce-sim: expected results of this version of the model" in str(info.value)
    assert "write to another --out (found '0.0.1')" in str(info.value)


def test_an_atomic_write_reaches_the_disk_before_its_name_does(tmp_path, monkeypatch):
    events = []
    fsync, replace = os.fsync, os.replace

    def record_fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return fsync(fd)

    def record_replace(a, b):
        events.append(("replace", str(b)))
        return replace(a, b)

    monkeypatch.setattr(os, "fsync", record_fsync)
    monkeypatch.setattr(os, "replace", record_replace)
    target = tmp_path / "table.csv"
    folders.atomic_write(target, lambda p: Path(p).write_text("a,b\n"))
    assert [kind for kind, _ in events] == ["fsync", "replace", "fsync"]
    assert Path(events[0][1]).name.startswith(".table.csv.tmp-")  # the file's content first
    assert events[1][1] == str(target) and events[2][1] == str(tmp_path)  # then its name, in the folder


def writing(path: Path) -> subprocess.Popen:
    """A command writing ``path`` (``folders.atomic_write``), stopped part way, once its temporary file is there."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = ("import sys, time; from pathlib import Path; from sim import folders; folders.atomic_write("
            "Path(sys.argv[1]), lambda p: (Path(p).write_text('half a file'), time.sleep(600)))")
    process = subprocess.Popen([sys.executable, "-c", code, str(path)], env=env)
    left, deadline = folders.temporary(path, process.pid), time.monotonic() + 60
    while not left.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert left.exists()
    return process


def test_temporary_files_a_killed_command_left_are_removed_by_the_next_writing_there_not_a_live_ones(tmp_path,
                                                                                                   capsys):
    """A command killed outright (SIGKILL) while writing left its temporary file in the results folder, read by
    nothing, and every such kill added one: the next command writing that file removes it, and keeps the one a
    command still writing it is writing, and other files' (the user's own, another program's)."""
    out = tmp_path / "out"
    experiment.batch(experiment.load(tiny_experiment(tmp_path, replications=1)), out=out, workers=1, quiet=True)
    killed, live = writing(out / "comparison-fte.csv"), writing(out / "comparison-fte.csv")
    killed.kill()
    killed.wait()
    (out / ".notes.tmp-draft").write_text("mine")
    other = folders.temporary(out / "notes.txt", killed.pid)  # another file's, its writer gone: not this command's
    other.write_text("another program's")
    try:
        assert main(["compare", str(out)]) == 0, capsys.readouterr().err
        assert not folders.temporary(out / "comparison-fte.csv", killed.pid).exists()
        assert folders.temporary(out / "comparison-fte.csv", live.pid).read_text() == "half a file"
        assert (out / ".notes.tmp-draft").read_text() == "mine" and other.read_text() == "another program's"
    finally:
        live.kill()
        live.wait()
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}  # its writer gone, the next command's
    subprocess.run([sys.executable, "-m", "sim", "compare", str(out)], env=env, check=True, capture_output=True)
    assert sorted(p.name for p in out.glob(".*")) == [".notes.tmp-draft", other.name]


def test_an_atomic_write_that_fails_keeps_the_old_file_and_leaves_no_partial_one(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n")

    def half(p):
        Path(p).write_text("new, but the disk fil")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OSError):
        folders.atomic_write(target, half)
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_files_of_one_result_are_renamed_into_place_only_once_all_are_written(tmp_path):
    table, chart = tmp_path / "sensitivity.csv", tmp_path / "sensitivity.png"
    table.write_text("old table\n")
    chart.write_text("old chart\n")

    def full(p):  # as a chart's library fails: no file named
        Path(p).write_text("new ch")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OSError) as info:
        folders.write_together({table: lambda p: Path(p).write_text("new table\n"), chart: full})
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(chart)
    assert table.read_text() == "old table\n" and chart.read_text() == "old chart\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sensitivity.csv", "sensitivity.png"]


def test_a_sensitivity_analysis_whose_disk_fills_at_its_chart_keeps_the_table_of_before(tmp_path, capsys,
                                                                                       monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sensitivity.csv").write_text("the indices of before\n")
    (out / "sensitivity.png").write_text("their chart\n")

    def full(table, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(sensitivity, "chart", full)
    with pytest.raises(OSError):
        sensitivity.write(pd.DataFrame({"method": ["morris"], "value": [1.0]}), out)
    assert (out / "sensitivity.csv").read_text() == "the indices of before\n"
    assert sorted(p.name for p in out.iterdir()) == ["sensitivity.csv", "sensitivity.png"]


def test_a_comparison_whose_disk_turns_read_only_ends_with_a_message_and_no_partial_file(tmp_path, capsys,
                                                                                        monkeypatch):
    out = tmp_path / "out"
    experiment.batch(experiment.load(tiny_experiment(tmp_path, replications=1)), out=out, workers=1, quiet=True)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(out / "comparison-fte.csv"))

    monkeypatch.setattr(os, "replace", read_only)
    before = sorted(out.iterdir())
    assert main(["compare", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (f"workforce: could not write the results\n{out / 'comparison-fte.csv'}: "
                   f"{os.strerror(errno.EROFS)}; nothing of it was kept: free space or choose another --out and "
                   "rerun\n")
    assert sorted(out.iterdir()) == before


def test_pathways_draw_checks_its_file_and_format(tmp_path, capsys):
    path = tiny_scenario.write(tmp_path)
    assert main(["pathways", str(path), "--draw", str(path / "course.png")]) == 2
    assert f"--draw: draw: expected a file that is not below a file ({path} is a file)" in capsys.readouterr().err
    assert main(["pathways", str(path), "--draw", str(tmp_path / "course.docx")]) == 2
    err = capsys.readouterr().err
    assert "--draw: draw: expected an image file ending in one of ." in err and ", .png, " in err, err
    assert main(["pathways", str(path), "--draw", str(tmp_path / "new" / "course.svg")]) == 0
    assert (tmp_path / "new" / "course.svg").read_text().startswith("<?xml")


@pytest.mark.parametrize("mix", ["another seed", "another policy", "another replication"])
def test_a_run_file_of_another_batch_is_refused_not_compared(tmp_path, capsys, mix):
    """A run copied in from another batch (another seed, a policy or replication the manifest does not
    plan) would be paired with this batch's baseline as if the policy made the difference."""
    out, other = tmp_path / "out", tmp_path / "other"
    path = tiny_experiment(tmp_path)
    experiment.batch(experiment.load(path), out=out, workers=1, quiet=True)
    path.write_text(path.read_text().replace("seed: 3", "seed: 4").replace("retain:", "keep:"))
    experiment.batch(experiment.load(path), out=other, workers=1, quiet=True)
    source = other / "runs" / "keep" / "p000-r0001.parquet"
    table = pd.read_parquet(source).assign(policy="retain")
    where, field = {"another seed": (out / "runs" / "retain" / "p000-r0001.parquet", "seed"),
                    "another policy": (out / "runs" / "keep" / "p000-r0001.parquet", "policy"),
                    "another replication": (out / "runs" / "retain" / "p000-r0002.parquet", "replication")}[mix]
    where.parent.mkdir(exist_ok=True)
    if mix == "another policy":
        source.replace(where)
    else:
        table.assign(replication=int(where.stem[-1])).to_parquet(where)
    assert main(["compare", str(out)]) == 2
    err = capsys.readouterr().err
    named = where.parent if mix == "another policy" else where
    assert f"{named}: {field}: expected " in err and "a run of another batch?" in err, err
    assert not (out / "comparison-fte.csv").exists()


@pytest.mark.parametrize("command", ["compare", "report"])
@pytest.mark.parametrize("runs", [1_000_000, 2, -1])
def test_a_batch_manifests_runs_are_those_of_its_policies_parameter_sets_and_seeds(tmp_path, capsys, command, runs):
    """compare and report say how many of the runs planned are written: a count edited by hand had a complete
    batch said to be unfinished ("4 of 1,000,000 runs written; rerun workforce batch"), or not."""
    out = tmp_path / "out"
    experiment.batch(experiment.load(tiny_experiment(tmp_path)), out=out, workers=1, quiet=True)
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps(json.loads(manifest.read_text()) | {"runs": runs}))
    assert main([command, str(out), "--out", str(tmp_path / ("o.csv" if command == "compare" else "o.html"))]) == 2
    err = capsys.readouterr().err
    expected = "a number greater than or equal to 1" if runs < 1 else "the runs of its policies, parameter sets " \
        "and replication seeds (2 x 1 x 2 = 4)"
    assert has_problem(err, "out/manifest.json", "runs", expected), err
    assert not list(tmp_path.glob("o.*"))


def test_a_target_folder_given_to_compare_is_said_to_be_a_target_searchs(tmp_path, capsys):
    """Its manifest has a batch's keys too: it was read as a batch's that had no runs."""
    out = tmp_path / "out"
    experiment.batch(experiment.load(tiny_experiment(tmp_path)), out=out, workers=1, quiet=True)
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps(json.loads(manifest.read_text()) | {"target": {}, "answer": {}}))
    assert main(["compare", str(out)]) == 2
    assert has_problem(capsys.readouterr().err, "out", "<top level>", "a results directory written by workforce "
                                                                      "batch (found 'one of workforce target')")


def test_the_metadata_macos_leaves_beside_each_run_file_is_no_run(tmp_path, capsys):
    """A batch folder copied by a Mac to another system's disk or share, or zipped there, has a ``._<name>`` file
    beside each run file (hidden in its Finder): compare and report refused the folder naming a file its user
    cannot see, and the runs written were counted with them."""
    out = tmp_path / "out"
    experiment.batch(experiment.load(tiny_experiment(tmp_path)), out=out, workers=1, quiet=True)
    for path in run_files(out):
        (path.parent / f"._{path.name}").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (out / "runs" / ".Trashes").mkdir()
    (out / "runs" / ".Trashes" / "p000-r0000.parquet").write_bytes(b"")
    assert analysis.completeness(out) == (4, 4)
    assert main(["compare", str(out)]) == 0, capsys.readouterr().err
    assert main(["report", str(out)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("command", ["sensitivity", "plausibility", "backtest"])
def test_a_command_writing_again_refuses_a_folder_of_another_commands_results(tmp_path, capsys, nothing_runs,
                                                                               command):
    """Its files beside a batch's manifest would mix with the batch's, and sensitivity's indices be
    read by report as the batch's folder, and left out."""
    batch_dir = tmp_path / "batch"
    batch_dir.mkdir()
    (batch_dir / "manifest.json").write_text("{}")
    given = {"sensitivity": [str(tiny_experiment(tmp_path)), "--quiet"], "plausibility": [],
             "backtest": ["--quiet"]}[command]
    assert main([command, *given, "--out", str(batch_dir)]) == 2
    assert "--out: out: expected a folder that holds no other command's results" in capsys.readouterr().err
    assert sorted(p.name for p in batch_dir.iterdir()) == ["manifest.json"]


@pytest.mark.parametrize("command, other", [("sensitivity", "plausibility.csv"), ("plausibility", "sensitivity.csv"),
                                            ("backtest", "sensitivity.csv"), ("backtest", "plausibility.csv")])
def test_a_command_writing_again_refuses_a_folder_of_sensitivity_or_plausibility(tmp_path, capsys, nothing_runs,
                                                                                 command, other):
    """One folder would be read as two commands' results (and a back-test named ``sensitivity`` would
    replace sensitivity's table); a folder of the command's own results is written again."""
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / other).write_text("kept\n")
    given = {"sensitivity": [str(tiny_experiment(tmp_path)), "--quiet"], "plausibility": [],
             "backtest": ["--quiet"]}[command]
    assert main([command, *given, "--out", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"--out: out: expected a folder that holds no other command's results (it has a {other} of " in err, err
    assert [p.name for p in folder.iterdir()] == [other] and (folder / other).read_text() == "kept\n"


def test_a_folder_of_a_commands_own_results_is_its_own(tmp_path):
    """Rewriting its own results is what the check allows: sensitivity's folder for sensitivity."""
    (tmp_path / "sensitivity.csv").write_text("kept\n")
    assert folders.check_own_folder(tmp_path, own="sensitivity.csv") == tmp_path
    with pytest.raises(InputError):
        folders.check_own_folder(tmp_path, own="plausibility.csv")


@pytest.mark.parametrize("signature", sorted(folders.SIGNATURES))
def test_a_file_of_any_command_s_results_is_never_written_over(tmp_path, signature):
    (tmp_path / signature).write_text("kept\n")
    (tmp_path / "figure.png").write_bytes(b"kept")
    for name in (signature, "figure.png"):
        with pytest.raises(InputError) as error:
            folders.check_file(tmp_path / name)
        assert has_problem(str(error.value), "--out", "out", f"not a file of the results in {tmp_path}")
    assert folders.check_file(tmp_path / "report.html") == tmp_path / "report.html"  # what a report writes there


@pytest.mark.parametrize("command, stem, written, name", [
    ("workforce calibrate", "wales-mh-v14", (".yaml", "-posterior.csv", "-report.md", "-pairs.png"),
     "wales-mh-v14-posterior.csv"),
    ("workforce calibrate", "wales-mh-v14", (".yaml", "-posterior.csv", "-report.md", "-pairs.png"),
     "wales-mh-v14-pairs.png"),
    ("workforce backtest", "backtest-2021-2024", (".csv", ".md", ".png"), "backtest-2021-2024.csv")])
def test_a_file_a_fit_or_back_test_wrote_is_never_written_over(tmp_path, capsys, command, stem, written, name):
    """A fit's and a back-test's files are written together in any folder, no file marking it as results: a
    comparison or a drawing given one of their names replaced a calibration's posterior or figure."""
    for ending in written:
        (tmp_path / f"{stem}{ending}").write_text("kept\n")
    with pytest.raises(InputError) as error:
        folders.check_file(tmp_path / name)
    assert has_problem(str(error.value), "--out", "out", f"not a file of the results of {command} in {tmp_path}")
    assert main(["pathways", "--draw", str(tmp_path / f"{stem}{written[-1]}")]) == 2
    assert f"not a file of the results of {command}" in capsys.readouterr().err
    assert all((tmp_path / f"{stem}{ending}").read_text() == "kept\n" for ending in written)
    other = next(tmp_path / f"{stem}{ending}" for ending in written if f"{stem}{ending}" != name)
    other.unlink()  # without one of the files written with it, it is no longer known as that command's
    assert folders.check_file(tmp_path / name) == tmp_path / name


def test_a_posterior_table_a_parameter_file_names_is_never_written_over(tmp_path, capsys):
    """Copied beside its parameter file without the report and figure a fit writes with them, a posterior table
    was not known as a fit's, and workforce compare --out replaced it with a comparison, in silence."""
    for name in ("wales-mh-v17.yaml", "wales-mh-v17-posterior.csv"):
        shutil.copy(REPO / "sim" / "data" / "calibration" / name, tmp_path / name)
    kept = (tmp_path / "wales-mh-v17-posterior.csv").read_bytes()
    with pytest.raises(InputError) as error:
        folders.check_file(tmp_path / "wales-mh-v17-posterior.csv")
    assert has_problem(str(error.value), "--out", "out", "not a file of the calibration wales-mh-v17.yaml")
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")  # a table no parameter file names
    assert folders.check_file(tmp_path / "other.csv") == tmp_path / "other.csv"
    assert (tmp_path / "wales-mh-v17-posterior.csv").read_bytes() == kept
