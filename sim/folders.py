"""Where results go: output folders checked before any simulating, files written durably,
a run's folder that appears whole or not at all, and one batch at a time in a folder.

- ``check_folder`` / ``check_file`` refuse an ``--out`` that cannot be written (an existing
  file, a path below a file, a read-only place; for a file, a device or pipe, or a file of a
  results folder) with an ``InputError`` before hours of simulating are spent; every command
  that writes calls one of them first.
- ``atomic_write`` writes a file under a temporary name, flushes it to the disk and renames
  it into place, then flushes the folder, so a crash or a power cut leaves the old file or
  the new one, never a torn one; ``write_together`` so writes the files of one result, all
  before any is renamed, so a full disk never leaves new files beside old ones. A temporary
  file a killed command left (``temporary``) is removed by the next that writes that file.
- ``staged`` builds a folder beside its destination and renames it into place when every file
  is written: a folder that exists is complete. ``write_folder`` writes a whole results folder so
  (a run's, a target search's), and ``manifest`` is how every results folder says what made it.
- ``BatchLock`` lets one batch at a time write in a results folder. It is an ``flock`` on
  ``.lock`` holding the holder's pid: the system releases it when the holder dies, so a lock
  left by a killed batch is simply taken over.
- ``WriteError`` is the message for a disk that fills or turns read-only part way: what was
  kept and how to go on.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import pandas as pd

from .errors import (InputError, Problem, columns_found, decoded, is_plain_name, not_decoded, read_yaml, refuse_special,
                     shown)

LOCK = ".lock"
NAME_MAX = 255  # bytes in one file or folder name on the common file systems (ext4, XFS, btrfs, APFS, NTFS)
# what writing adds to a name for a while, at most: ".<name>.partial-<pid>" (``staged``) or ".<name>.tmp-<pid>"
# (``temporary``), a pid of up to ten digits
WRITING = len(".") + len(".partial-") + 10


def name_max(folder=".") -> int:
    """The longest name, in bytes, that the file system holding ``folder`` (or the nearest folder above it
    that exists) allows, where the system says (``os.pathconf``), and never more than ``NAME_MAX``: a
    name accepted here is accepted on the common file systems too."""
    path = Path(folder).absolute()
    while not path.is_dir() and path != path.parent:
        path = path.parent
    try:
        return min(NAME_MAX, os.pathconf(path, "PC_NAME_MAX"))
    except (AttributeError, OSError, ValueError):  # no pathconf (Windows), or no limit it can say
        return NAME_MAX


def long_name(name, file, field: str, added: int, what: str, folder=".") -> Problem | None:
    """A problem if ``name``, with the ``added`` characters a command puts after it (and what writing adds
    for a while), is too long for a file or folder name (``name_max`` of ``folder``): refused when its file
    is read, not by the file system once the results are computed, blamed on an ``--out`` not given. None
    if it fits (or is no text: its own check says so)."""
    if not isinstance(name, str):
        return None
    room = name_max(folder) - WRITING - added
    if len(name.encode()) <= room:
        return None
    return Problem(str(file), field, f"a name of at most {room} characters, as it names {what} (a file system "
                                     f"allows {name_max(folder)} per name)", f"{name[:40]}... ({len(name)} characters)")


class WriteError(InputError):
    """Results could not be written (disk full, read-only, ...): the command line says so, exit 2."""

    heading = "could not write the results"


def check_folder(path, option: str = "--out") -> Path:
    """``path`` as a folder results can be written to (it may not exist yet); else an ``InputError``."""
    return _outside_runs(_check(Path(path), option, "folder"), option, "folder")


def check_file(path, option: str = "--out", suffixes: tuple[str, ...] = ()) -> Path:
    """``path`` as a file results can be written to, in a folder that can be; else an ``InputError``.

    The file is replaced by a rename (``atomic_write``), so what is there is refused first: a device,
    pipe or socket (it would become a plain file), and a file of a results folder (its manifest, a
    table, a run), which would be lost; a report or comparison written there before may be rewritten.
    With ``suffixes`` (``.csv``), a name ending otherwise is refused: its format is what is written,
    and ``comparison.parquet`` holding a CSV table would mislead whoever opens it.
    """
    path = _check(Path(path), option, "file")
    refuse_special(path, option, _field(option))
    folder = _results_holding(path)
    command = _written_together(path) if folder is None else None
    naming = _posterior_of(path) if folder is None and command is None else None
    if folder is not None or command is not None or naming is not None:
        whose = (f"the results in {folder}" if folder is not None else f"the results of {command} in {path.parent}"
                 if command is not None else f"the calibration {naming.name} (its posterior table)")
        raise InputError.one(option, _field(option), f"a new file, or a report or comparison, not a file of "
                                                     f"{whose} (it would be replaced: choose another name)", str(path))
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputError.one(option, _field(option), f"a file name ending in {' or '.join(suffixes)} (the format "
                                                     "written)", str(path))
    return _outside_runs(path, option, "file")


# what the commands reading results write into a results folder (report, compare): a rerun rewrites them
DERIVED = ("*.html", "comparison-*.csv")


# the file by which each command writing a folder of its results is known there, and the command
SIGNATURES = {"manifest.json": "workforce run, batch or target", "sensitivity.csv": "workforce sensitivity",
              "plausibility.csv": "workforce plausibility"}


def _results_holding(path: Path) -> Path | None:
    """The results folder (one holding a file of ``SIGNATURES``) in which ``path`` is an existing file of
    the results, at most three folders down (``runs/<policy>/<run>``); None if it is none."""
    if not (path.exists() or path.is_symlink()) or any(path.match(pattern) for pattern in DERIVED):
        return None
    folder = Path(os.path.realpath(path.parent))
    for _ in range(3):
        if any((folder / name).is_file() for name in SIGNATURES):
            return folder
        folder = folder.parent
    return None


# the files a command writes together, beside whatever else a folder holds, by their endings after a common stem:
# a fit's (``sim.calibration``: its parameter file, posterior table, report and figure) and a back-test's
# (``sim.backtest``: its table, report and figure)
WRITTEN_TOGETHER = {"workforce calibrate": (".yaml", "-posterior.csv", "-report.md", "-pairs.png"),
                    "workforce backtest": (".csv", ".md", ".png")}


def _written_together(path: Path) -> str | None:
    """The command (``WRITTEN_TOGETHER``) of which ``path`` is one of the files written together, all of them
    there beside it; None if it is none. Their folder is any (the package's calibrations, an --out-dir), so no
    file marks it as a results folder: a fit's posterior table replaced by a comparison was lost, and with it
    every scenario naming the calibration."""
    for command, endings in WRITTEN_TOGETHER.items():
        for ending in endings:
            stem = path.name[:-len(ending)] if path.name.endswith(ending) else ""
            if stem and all((path.parent / f"{stem}{other}").is_file() for other in endings):
                return command
    return None


def _posterior_of(path: Path) -> Path | None:
    """The calibration parameter file beside ``path`` that names it as its posterior table (``posterior:``), or
    None: copied without the report and figure a fit writes with them (``_written_together``), the table was
    replaced by a comparison in silence, and every scenario naming the calibration with it."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return None
    for candidate in sorted(path.parent.glob("*.yaml")):
        try:
            if read_yaml(candidate, "parameters").get("posterior") == path.name:
                return candidate
        except InputError:  # a file of another kind, or none that reads: it names no posterior
            continue
    return None


def check_own_folder(path, option: str = "--out", own: str | None = None) -> Path:
    """A folder for results a command may write again (``workforce sensitivity``, ``plausibility``,
    ``backtest``, ``calibrate``): new, or holding no other command's results (``SIGNATURES``; ``own``,
    the one of this command's, if it has one). Its files beside a run's, batch's or target's manifest
    would mix with them, and the folder be read (by ``report``) as that other kind, sensitivity's
    indices left out; plausibility's beside sensitivity's, one folder read as two commands' results."""
    path = check_folder(path, option)
    for name, command in SIGNATURES.items():
        if name != own and (path / name).exists():
            raise InputError.one(option, _field(option), f"a folder that holds no other command's results (it has "
                                                         f"a {name} of {command}: choose another folder)", str(path))
    return path


def check_inputs_kept(out, written, inputs: dict) -> None:
    """Refuse to write the files named ``written`` in folder ``out`` when one is an input of the command
    (``inputs``: the option naming it -> its path): a ranges or parameter-set file kept in the results folder,
    under the name of a file written there, was replaced by the results computed from it."""
    replaced = {os.path.realpath(Path(out) / name) for name in written}
    for option, path in inputs.items():
        if path is not None and os.path.realpath(path) in replaced:
            raise InputError.one(option, _field(option), f"a file the results do not replace ({Path(path).name} is "
                                                         f"written to {out}: choose another --out)", str(path))


def check_empty(path, option: str = "--out") -> Path:
    """A folder that can be written and holds nothing yet, beside which its results are assembled
    (``staged``): results are never mixed with what is there."""
    path = check_folder(path, option)
    held = sorted(p.name for p in path.iterdir()) if path.is_dir() else []
    if held:  # said by name: a file hidden where the folder is looked at (.DS_Store, Thumbs.db) makes it no empty one
        more = f" and {len(held) - 3} more" if len(held) > 3 else ""
        raise InputError.one(option, _field(option), "a folder that is empty or does not exist yet (results "
                                                     "are never mixed with what is there: choose another folder "
                                                     "or remove this one)",
                             f"{', '.join(shown(name) for name in held[:3])}{more} in {path}")
    if path.is_dir() and not _writable(path.absolute().parent):
        raise InputError.one(option, _field(option), f"a folder in a folder that can be written (results are "
                                                     f"assembled beside it; {path.absolute().parent} is read-only)",
                             str(path))
    return path


def _check(path: Path, option: str, kind: str) -> Path:
    """Refuse a path that is the other kind (file or folder), lies below a file or a broken link, or is
    read-only. A file may be a broken link: it is replaced by the file written."""
    field, other = _field(option), "file" if kind == "folder" else "folder"
    try:
        if "\0" in str(path):  # exists() and is_dir() say no to it, and the rest raise ValueError
            raise ValueError("embedded null byte")
        if path.exists() and path.is_dir() != (kind == "folder"):
            raise InputError.one(option, field, f"a {kind} (this is a {other})", str(path))
        existing = path if kind == "folder" or path.exists() else path.parent
        while not os.path.lexists(existing) and existing != existing.parent:
            existing = existing.parent
        if existing.is_symlink() and not existing.exists():  # nothing can be made in it: found once written
            raise InputError.one(option, field, f"a {kind} that is not at or below a broken link ({existing} links "
                                                f"to nothing that exists)", str(path))
        if existing != path and existing.exists() and not existing.is_dir():
            raise InputError.one(option, field, f"a {kind} that is not below a file ({existing} is a file)",
                                 str(path))
        folder = existing if existing.is_dir() else existing.parent  # a file is replaced by one written beside it
        writable = _writable(folder)
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, a folder that cannot be looked into
        raise InputError.one(option, field, f"a {kind} that can be written", f"{path}: {_reason(exc)}") from None
    if not writable:
        raise InputError.one(option, field, f"a {kind} that can be written ({folder} is read-only)", str(path))
    return path


def _outside_runs(path: Path, option: str, kind: str) -> Path:
    """Refuse a path in the ``runs/`` of a results folder (a manifest's), or that ``runs/`` itself: anything
    there but a run makes the results unreadable (a batch resumed there refuses them)."""
    real = Path(os.path.realpath(path))
    for folder in (real, *real.parents):
        if folder.name == "runs" and (folder.parent / "manifest.json").is_file():
            raise InputError.one(option, _field(option), f"a {kind} outside the runs of the results in "
                                                         f"{folder.parent} (anything there but a run makes the "
                                                         f"results unreadable)", str(path))
    return path


def _writable(folder: Path) -> bool:
    """Whether something can be made in ``folder``: tried, by making a hidden folder there and removing
    it. ``os.access`` alone says yes to root everywhere, and of /proc or /sys, where nothing can be
    made: the results would be refused only once simulated."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".workforce-check-", dir=folder))
    except OSError:
        return False
    return True


def atomic_write(path, write, leftovers_removed: bool = False) -> None:
    """Call ``write(temporary path)``, flush the file to the disk, rename it to ``path``, flush the folder."""
    write_together({path: write}, leftovers_removed)


def write_together(files: dict, leftovers_removed: bool = False) -> None:
    """``atomic_write`` for files that are one result (path -> writer: a table and its chart, a posterior and
    its parameter file): every one is written under its temporary name before any is renamed into place, in
    their order. A disk that fills at the chart leaves the table and chart of before, not a new table beside
    the chart of other results; the error names the file a writer failed on (a chart's library names none).
    First the temporary files of these files that writers killed outright left are removed (``leftovers``; of
    these names only: a folder the user chose may hold other software's), unless the caller did
    (``leftovers_removed``: a batch, once, before its thousands of runs in one folder)."""
    for path in () if leftovers_removed else files:
        remove_leftovers(Path(path).parent, Path(path).name)
    written = {}
    try:
        for path, write in files.items():
            path = Path(path)
            written[path] = tmp = temporary(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                write(tmp)
            except OSError as exc:
                if exc.filename in (None, str(tmp)):  # named as the file, not its temporary name
                    raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
                raise
            _sync(tmp)
        for path, tmp in written.items():
            os.replace(tmp, path)
        for folder in dict.fromkeys(path.parent for path in written):
            _sync(folder)
    finally:
        for tmp in written.values():
            if tmp.exists():
                tmp.unlink()


def temporary(path, pid: int | str | None = None) -> Path:
    """The name ``path`` is written under until it is renamed into place (``write_together``): hidden, and ending
    in its writer's pid (this process's; ``"*"``, a pattern of any writer's), by which a file left by a writer
    killed outright (SIGKILL) is told from one a live writer is writing (``leftovers``)."""
    path = Path(path)
    return path.with_name(f".{path.name}.tmp-{os.getpid() if pid is None else pid}")


def leftovers(folder, name: str = "*") -> list[Path]:
    """The temporary files (``temporary``) in ``folder`` of files named ``name`` (a pattern) whose writer no longer
    runs: nothing reads them, and they would pile up in the user's folder. A live writer's are its own: two
    commands may write beside each other."""
    found = []
    for path in Path(folder).glob(temporary(Path(folder) / name, "*").name):
        pid = path.name.rpartition("-")[2]
        if pid.isdigit() and not _alive(int(pid)) and path.is_file() and not path.is_symlink():
            found.append(path)
    return found


def remove_leftovers(folder, name: str = "*") -> None:
    """Remove the ``leftovers`` in ``folder`` of files named ``name`` (a pattern); one removed meanwhile (by
    another command), or that cannot be, is left as it is."""
    for path in leftovers(folder, name):
        try:
            path.unlink()
        except OSError:
            pass


def _sync(path: Path) -> None:
    """fsync a file or a folder (a folder's fsync makes the renames in it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def staged(out):
    """Yield a hidden folder beside ``out`` to write into; rename it to ``out`` when the block ends.

    ``out`` must not exist or be empty. If writing fails, the staged folder is removed and
    ``out`` is left as it was; the ``WriteError`` says so. ``out`` a link (to a folder on another disk,
    say) is written where it leads, as the commands that write into their folder do: the folder renamed
    onto the link itself would fail once everything was computed.
    """
    out = Path(os.path.realpath(out)) if Path(out).is_symlink() else Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for left in out.parent.glob(f".{glob.escape(out.name)}.partial-*"):  # left by a run killed while writing
        pid = left.name.rpartition("-")[2]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(left, ignore_errors=True)
    staging = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        yield staging
        os.rename(staging, out)  # onto a missing or empty folder only
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) and staging.is_dir() and not out.is_file():
            kept = out.with_name(f"{out.name}-{os.getpid()}")
            os.rename(staging, kept)
            raise WriteError([Problem(str(out), "", f"a folder that is empty (another run wrote there meanwhile; "
                                                    f"these results are kept whole in {kept})")]) from None
        shutil.rmtree(staging, ignore_errors=True)
        left = f"; a partial copy is left in {staging}: delete it" if staging.exists() else ""
        raise WriteError([Problem(str(out), "", f"space and permission to write the results (nothing was written "
                                                f"to {out}{left}; free space or choose another --out and rerun)",
                                  _reason(exc))]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _sync(out.parent)


def write_folder(out, files: dict) -> dict[str, Path]:
    """A results folder of ``files`` (name -> writer of a path, the manifest last), each written
    durably (``atomic_write``) into a folder renamed into place when all are there (``staged``)."""
    out = Path(out)
    with staged(out) as staging:
        for name, write in files.items():
            atomic_write(staging / name, write)
    return {name: out / name for name in files}


def manifest(info: dict, default=None):
    """A writer of a results folder's ``manifest.json``: what made its results (``default`` turns what
    JSON has no type for into something it has)."""
    return lambda path: Path(path).write_text(json.dumps(info, indent=2, default=default) + "\n")


class BatchLock:
    """Held by the one batch writing in a results folder; another is refused, naming the holder's pid."""

    def __init__(self, folder):
        self.path = Path(folder) / LOCK
        self._fd = None

    def __enter__(self) -> "BatchLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> "BatchLock":
        if self.path.is_symlink():  # opened, the pid would be written wherever it leads, outside the folder
            raise InputError.one(self.path.parent, LOCK, "a results folder whose .lock is a batch's own file, not a "
                                                         "link (remove it, or choose another --out)",
                                 f"a link to {os.readlink(self.path)}")
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise InputError.one(self.path.parent, LOCK, "a results folder no other batch is writing in "
                                                             "(wait for that batch to end, or choose another --out)",
                                     f"held by pid {holder}") from None
            except OSError:
                os.close(fd)
                raise
            try:  # the holder before us may have removed the file while we waited: lock the file that is there
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _field(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


# ---- reading results folders back: for the report, the figures and the comparisons ----------------
TIDY_COLUMNS = ["year", "date", "group", "stage", "measure", "reason", "unit", "value"]
# each group's measures at a snapshot, in the tidy table's order, with their units (``sim.results`` writes them)
GROUP_MEASURES = (("headcount", "people"), ("fte", "fte"), ("in_post_fte", "fte"), ("training_fte", "fte"),
                  ("establishment_fte", "fte"), ("vacancies_fte", "fte"), ("vacancy_rate", "share"),
                  ("supply_gap_fte", "fte"), ("need_fte", "fte"), ("need_gap_fte", "fte"),
                  ("welsh_speaking_headcount", "people"), ("welsh_speaking_fte", "fte"))
STAGE_MEASURES = (("stage_headcount", "people"), ("stage_fte", "fte"))  # each stage's, likewise
RUN_KEYS = ["policy", "parameter_set", "replication", "seed"]
EVENT_COLUMNS = ["person_id", "month", "from_stage", "to_stage", "reason"]
PEOPLE_COLUMNS = ["id", "sex", "birth_month"]
REPLICATION_COLUMNS = ["seed", "year", "group", "measure", "value"]
# manifest keys this version writes and reads
RUN_MANIFEST = ("scenario", "scenario_file", "seed", "start", "end")
BATCH_MANIFEST = ("experiment", "scenario", "scenario_file", "start", "final_year", "seed", "replication_seeds",
                  "policies", "runs")
# the types of a batch manifest's keys that its readers count or walk
BATCH_TYPES = (("runs", int, "a number of runs"), ("policies", dict, "a mapping of policies"),
               ("replication_seeds", list, "a list of seeds"))
TARGET_MANIFEST = ("experiment", "scenario", "policies", "runs", "target", "answer", "replication_seeds")
# what a target search's thresholds.csv says of each replication in its met column, as ``sim.target.search``
# writes it and the report's check reads it: at the lowest value searched, at a higher one, at none
MET = ("at the lowest value", "within the range", "beyond the range")
# the tables of a folder written by ``workforce target`` and their columns (``sim.target.write``)
TABLES = {"search": {"thresholds.csv": ["replication", "seed", "parameter_set", "threshold", "met", "runs"],
                     "probabilities.csv": ["value", "meeting", "replications", "share", "low", "high"]},
          "earliest": {"years.csv": ["year", "meeting", "replications", "share", "low", "high", "mean", "band_low",
                                     "band_high"]}}
RUNS_COLUMNS = ["replication", "seed", "value", "measure", "group", "year", "result", "meets"]
SENSITIVITY_COLUMNS = ["method", "outcome", "parameter", "index", "value"]
# the indices each method of workforce sensitivity writes (``sim.sensitivity.analyse``)
INDICES = {"morris": ("mu_star", "sigma"), "sobol": ("S1", "ST"), "delta": ("delta", "S1")}
# what the readers need of a results table's rows, by its name: columns with a number in every row, and
# columns of numbers or empty cells; every such table has rows but the events and people of a run of nobody
CONTENTS = {"replications.csv": (["seed", "year", "value"], []),
            "supply.parquet": (["year", "value"], []), "supply.csv": (["year", "value"], []),
            "events.parquet": (["person_id"], []), "people.parquet": (["id", "sex", "birth_month"], []),
            "sensitivity.csv": ([], ["value", "confidence", "low", "high"]),
            "thresholds.csv": (["replication", "seed", "runs"], ["threshold", "parameter_set"]),
            "probabilities.csv": (["value", "meeting", "replications", "share", "low", "high"], []),
            "years.csv": (["year", "meeting", "replications", "share"], ["low", "high", "mean", "band_low", "band_high"]),
            "runs.csv": (["replication", "seed", "value", "year"], ["result"])}
MAY_BE_EMPTY = ("events.parquet", "people.parquet")
# columns of a results table with a word in every row: the readers group and look up rows by them, and an
# empty cell would leave its row out in silence
WORDS = {"supply.parquet": ["date", "group", "stage", "measure", "unit"], "supply.csv": ["date", "group", "stage",
                                                                                         "measure", "unit"],
         "events.parquet": ["month", "from_stage", "to_stage", "reason"], "replications.csv": ["group", "measure"],
         "thresholds.csv": ["met"], "sensitivity.csv": ["method", "outcome", "parameter", "index"]}
WHAT = "a results directory written by workforce run or workforce batch"
# what a reader of any results folder (``load`` with no kind: the report) takes
ANY = ("a results directory written by workforce run, batch or target (with its manifest.json), or by workforce "
       "sensitivity (with its sensitivity.csv)")


def _manifest_models():
    """Pydantic models of the manifest keys the readers use (report, compare, ``sim.target.read``), with
    the types the commands write them with; other keys are kept unread. Built when first needed, so
    reading a folder's tables does not import the levers."""
    from typing import Any

    from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator, model_validator

    from . import calendar
    from .fields import Month, Year
    from .interventions import AnyLever

    number = Annotated[float, Field(strict=True, allow_inf_nan=False)]

    class Read(BaseModel):
        model_config = ConfigDict(extra="allow")
        scenario: StrictStr
        scenario_file: StrictStr
        overrides: dict[str, Any] | None = None
        input_files: dict[str, StrictStr | None] = {}
        calibration: StrictStr | None = None
        uncertainty: StrictStr = ""

    def each_once(seeds):  # a seed twice is a replication counted twice: its runs' files are one
        twice = next((s for i, s in enumerate(seeds or []) if s in seeds[:i]), None)
        if twice is not None:
            raise ValueError(f"each seed once ({twice} is there twice)")
        return seeds

    class Run(Read):
        seed: StrictInt
        start: Month
        end: Month
        replication_seeds: Annotated[list[StrictInt], Field(min_length=1)] | None = None
        people_simulated: Annotated[int, Field(strict=True, ge=0)] | None = None

        @field_validator("end")
        @classmethod
        def _not_before_start(cls, end, info):
            start = info.data.get("start")  # None if itself wrong (and named)
            if start is not None and calendar.parse(end) < calendar.parse(start):
                raise ValueError(f"a month from the start ({start}) on")
            return end

        _seeds = field_validator("replication_seeds")(each_once)

    class Batch(Read):
        experiment: StrictStr
        seed: StrictInt
        start: Month
        final_year: Year
        replication_seeds: Annotated[list[StrictInt], Field(min_length=1)]
        policies: dict[str, list[AnyLever]]  # the report describes each lever in words
        parameter_sets: list[dict[str, Any]] | None = None
        runs: Annotated[int, Field(strict=True, ge=1)]  # after what it is the product of, which it is checked against

        _seeds = field_validator("replication_seeds")(each_once)

        @field_validator("runs")
        @classmethod
        def _planned(cls, runs, info):
            """The runs a batch plans: the report and compare say how many of them are written, so a count edited
            by hand would have a complete batch said to be unfinished, or one unfinished said to be complete."""
            policies, seeds = info.data.get("policies"), info.data.get("replication_seeds")  # None if wrong (and named)
            if policies is None or seeds is None:
                return runs
            sets = len(info.data.get("parameter_sets") or [{}])
            planned = len(policies) * sets * len(seeds)
            if runs != planned:
                raise ValueError(f"the runs of its policies, parameter sets and replication seeds ({len(policies)} x "
                                 f"{sets} x {len(seeds)} = {planned:,}), as workforce batch writes it")
            return runs

        @field_validator("final_year")
        @classmethod
        def _after_start(cls, year, info):
            start = info.data.get("start")  # None if itself wrong (and named)
            if start is not None and year < calendar.year_of(calendar.parse(start)):
                raise ValueError(f"a year from the start's ({start}) on")
            return year

    class Question(BaseModel):  # sim.target.Question, as written
        policy: StrictStr
        lever: Annotated[int, Field(strict=True, ge=0)]
        argument: StrictStr
        values: Annotated[list[number], Field(min_length=1)]
        group: StrictStr
        measure: StrictStr
        year: StrictInt
        most_gap: number
        probability: Annotated[float, Field(strict=True, gt=0.0, lt=1.0)]  # as a target section's
        earliest_with: number | None = None

    class Answer(BaseModel):  # a search's answer, or the earliest year's (earliest_year and value)
        model_config = ConfigDict(extra="allow")
        value: number | None = None
        interval: Annotated[list[number | None], Field(min_length=2, max_length=2)] = [None, None]
        at_lowest: StrictBool = False
        method: StrictStr = ""
        earliest_year: StrictInt | None = None

        @model_validator(mode="after")
        def _whole(self):
            wanted = {"value", "earliest_year"} if "earliest_year" in self.model_fields_set else \
                {"value", "interval", "at_lowest", "method"}
            if not wanted <= self.model_fields_set:
                raise ValueError("a search's value, interval, at_lowest and method, or an earliest year's "
                                 "earliest_year and value")
            return self

    class Target(Read):
        scenario_file: StrictStr = ""
        experiment: StrictStr
        policies: dict[str, list[AnyLever]]
        runs: Annotated[int, Field(strict=True, ge=0)]
        replication_seeds: Annotated[list[StrictInt], Field(min_length=1)]  # its thresholds, one a replication
        seconds: number = 0.0
        warnings: list[StrictStr] | None = None
        target: Question
        answer: Answer

        _seeds = field_validator("replication_seeds")(each_once)

    return {"run": Run, "batch": Batch, "target": Target}


def _check_types(manifest_path: Path, manifest: dict, kind: str) -> None:
    """Refuse a manifest whose keys the readers use have other types than the commands write, naming
    the key: a value edited or damaged by hand would otherwise fail deep in a reader. Checked as the
    JSON it is read from, where a lever's places by academic year have their years as text."""
    from pydantic import ValidationError

    from .errors import from_pydantic

    model = _manifest_models()[kind]
    try:
        model.model_validate_json(json.dumps(manifest))
    except ValidationError as exc:
        raise from_pydantic(manifest_path, exc, model) from None


# ---- reading results directories ---------------------------------------------------------------
def _scenario(manifest: dict, manifest_path: Path):
    """The scenario a manifest names, whose labels name the results' groups and stages (with the run's
    overrides where they still apply): at the resolved path ``input_files`` records first (the scenario's,
    so a folder is read from any working folder), else its file as recorded (relative to where the
    command that wrote it ran) if that is the same file (its path, or its content as recorded), else a
    shipped scenario of its name where a shipped one was run: by name where its file is not recorded, or whose
    content is the one recorded (the package was elsewhere: a folder copied from another machine, or written
    under another installation, records that one's path). None loading is refused: another
    scenario's groups would not be the results' (an error of a recorded file that exists is said as is).
    The scenario as it is now, not as it was: one edited since still names the results."""
    from . import layering, scenario as scenario_module

    overrides = manifest.get("overrides") or None
    inputs = manifest.get("input_files")
    recorded, digest = next(iter(inputs.items()), (None, None)) if isinstance(inputs, dict) else (None, None)
    given = manifest.get("scenario_file")
    names = [recorded]
    if isinstance(given, str) and (recorded is None or not Path(given).suffix or Path(given).resolve() ==
                                   Path(str(recorded)).resolve() or layering.sha256(given) == digest):
        names.append(given)  # another file of that name where the report runs is another scenario
    shipped = scenario_module.SCENARIO_DIR / f"{manifest.get('scenario')}.yaml"
    if digest is not None and is_plain_name(manifest.get("scenario")) and layering.sha256(shipped) == digest:
        names.append(str(shipped))
    if not (isinstance(given, str) and Path(given).suffix):
        names.append(manifest.get("scenario"))  # a shipped scenario was run: by name
    broken = None
    for name in names:
        if not isinstance(name, str) or not name:
            continue
        for changes in ((overrides, None) if overrides else (None,)):
            try:
                return scenario_module.load(name, changes)
            except InputError as exc:
                if broken is None and Path(name).suffix and os.path.isfile(name):
                    broken = exc
    if broken is not None:
        raise broken
    raise InputError.one(manifest_path, "scenario_file", "the scenario file of the results, to name their groups "
                                                         "and stages: where it was when they were written (it has "
                                                         "moved or gone?)", given)


def _format_problem(path: Path, field_name: str, found=None) -> InputError:
    return InputError.one(path, field_name, f"{WHAT} by this version (an older or unknown format?)", found)


def _columns(path: Path, wanted: list[str]) -> None:
    """Check that a Parquet or CSV table has the wanted columns (a named pipe in its place would block the read)."""
    refuse_special(path, path, "")
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            names = pq.read_schema(path).names
        else:
            names = list(pd.read_csv(path, nrows=0).columns)
    except Exception as exc:  # noqa: BLE001 - any unreadable table is bad input
        raise _unreadable_table(path, exc) from None
    missing = [c for c in wanted if c not in names]
    if missing:
        raise InputError.one(path, "columns", f"the columns {', '.join(wanted)} (an older or unknown format?)",
                             columns_found(names) if len(names) == 1 else missing)


def read_table(path: Path) -> pd.DataFrame:
    """A Parquet or CSV table of a results folder; one damaged past its header (``_columns`` read that),
    or whose rows lack what its readers need (``CONTENTS``: text or nothing where numbers go, no rows),
    is refused naming it and the column."""
    try:
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable table is bad input
        raise _unreadable_table(path, exc) from None
    if path.name in CONTENTS:
        filled, numbers = CONTENTS[path.name]
        if table.empty and path.name not in MAY_BE_EMPTY:
            raise InputError.one(path, "", "the rows of a table written by workforce (this one has none)")
        for column in [*filled, *(c for c in numbers if c in table.columns)]:  # those maybe empty may be missing
            values = table[column] if column in table.columns and table.columns.is_unique else None
            if values is None or not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
                found = None if values is None else next((v for v in values if not _is_number(v)), None)
                raise InputError.one(path, column, "a column of numbers, once, as workforce writes it", found)
            if column in filled and values.isna().any():
                raise InputError.one(path, column, "a number in every row, as workforce writes it",
                                     f"an empty cell in row {int(values.isna().to_numpy().argmax()) + 1}")
            infinite = values.abs() == float("inf")
            if infinite.any():
                raise InputError.one(path, column, "finite numbers, as workforce writes them",
                                     f"{values[infinite].iloc[0]} in row {int(infinite.to_numpy().argmax()) + 1}")
    for column in WORDS.get(path.name, []):
        if column in table.columns and table[column].isna().any():
            raise InputError.one(path, column, "a value in every row, as workforce writes it",
                                 f"an empty cell in row {int(table[column].isna().to_numpy().argmax()) + 1}")
    return table


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def agree(path: Path, table: pd.DataFrame, column: str, wanted, where: str) -> None:
    """Refuse a results table whose ``column`` lacks values the folder's other files have (``wanted``,
    said as ``where``): the readers look them up, so a table edited by hand must not miss one."""
    missing = [v for v in wanted if v not in set(table[column])]
    if missing:
        raise InputError.one(path, column, f"rows for each {column} of {where}, as workforce writes them",
                             f"none for {', '.join(map(str, missing[:5]))}")


def once(path: Path, table: pd.DataFrame, column: str) -> None:
    """Refuse a results table with a row twice for one value of ``column``: each would be shown, and a lookup by
    it would find two."""
    twice = table[column][table[column].duplicated()]
    if len(twice):
        raise InputError.one(path, column, f"one row for each {column}, as workforce writes them",
                             f"{twice.iloc[0]} twice")


def proportions(path: Path, table: pd.DataFrame) -> None:
    """Refuse a table of the replications meeting a target whose counts or shares no run gives: a share (or an
    end of its interval) outside [0, 1], or more replications meeting than there are, would be reported as
    written ("2 of 2 replications (500%)")."""
    for column in ("share", "low", "high"):
        outside = table[column].dropna()[~table[column].dropna().between(0.0, 1.0)]
        if len(outside):
            raise InputError.one(path, column, "a share within [0, 1], as workforce writes it", outside.iloc[0])
    counts = table[(table.replications < 1) | (table.meeting < 0) | (table.meeting > table.replications)]
    if len(counts):
        row = counts.iloc[0]
        raise InputError.one(path, "meeting", "replications meeting the target, from 0 to the row's replications "
                                              "(at least 1)", f"{row.meeting:g} of {row.replications:g}")


def indices(path: Path, table: pd.DataFrame) -> None:
    """Refuse a sensitivity table with a row no analysis writes: an index its method does not have (Morris
    mu_star and sigma, Sobol S1 and ST, delta and its S1), an index of an outcome and parameter twice (shown
    twice, and each read as the one the key message names), or an interval that is not the index plus or minus
    its confidence (``sim.sensitivity.judge``): the report shows each as written."""
    known = ", ".join(f"{method} {index}" for method, names in INDICES.items() for index in names)
    for i, (method, index) in enumerate(zip(table.method, table["index"])):
        if index not in INDICES.get(method, ()):
            raise InputError.one(path, "index", f"an index of its method ({known}), as workforce sensitivity writes "
                                                f"it", f"{method} {index} in row {i + 1}")
    keys = ["method", "outcome", "parameter", "index"]
    twice = table[table.duplicated(keys)]
    if len(twice):
        row = twice.iloc[0]
        raise InputError.one(path, "index", "one row of each method, outcome, parameter and index, as workforce "
                                            "sensitivity writes them",
                             f"{row.method} {row['index']} of {row.parameter} for {row.outcome} twice")
    if "confidence" not in table.columns:  # a table of indices alone: no interval to hold to them
        return
    for column, sign in (("low", -1), ("high", 1)):
        if column not in table.columns:
            continue
        worked = table.value + sign * table.confidence
        other = (table[column].notna() | worked.notna()) & ~((table[column] - worked).abs() <=
                                                             1e-9 * (1 + worked.abs()))
        if other.any():
            i = int(other.to_numpy().argmax())
            raise InputError.one(path, column, f"the index {'less' if sign < 0 else 'plus'} its confidence (the "
                                               f"half-width of its 95% interval), as workforce sensitivity writes it",
                                 f"{table[column].iloc[i]} in row {i + 1}, of {table.value.iloc[i]} "
                                 f"{'-' if sign < 0 else '+'} {table.confidence.iloc[i]}")


def thresholds(folder: Path, table: pd.DataFrame, shares: pd.DataFrame, values: list[float], seeds: list) -> None:
    """Refuse a search's thresholds.csv (``table``) that is not one row of each replication of the manifest's
    ``seeds``, with a value searched (or empty: not met within the range) as its ``met`` says, counting the
    replications that probabilities.csv (``shares``) has meeting the target at each value. The report takes its
    quantiles and rows as written: a row twice or left out, or a threshold no search finds, was shown as the
    answer's spread beside the folder's own answer ("3 replications" in one place, "4" in another)."""
    path, n = folder / "thresholds.csv", len(seeds)
    other = shares.replications[shares.replications != n]
    if len(other):  # the share and the counts of each value are of the search's replications
        raise InputError.one(folder / "probabilities.csv", "replications", f"the {n} replications of the "
                                                                          f"manifest's replication_seeds in every "
                                                                          f"row, as workforce target writes them",
                             f"{other.iloc[0]:.10g} in row {int(other.index[0]) + 1}")
    agree(path, table, "replication", range(n), f"the manifest's replication_seeds (0 to {n - 1})")
    once(path, table, "replication")
    table = table.reset_index(drop=True)
    row = table.index[~table.replication.isin(range(n))]
    if len(row):
        raise InputError.one(path, "replication", f"the replications of the manifest's replication_seeds only (0 to "
                                                  f"{n - 1}), as workforce target writes them",
                             f"{table.replication[row[0]]:.10g} in row {row[0] + 1}")
    row = table.index[table.seed != [seeds[int(r)] for r in table.replication]]
    if len(row):
        raise InputError.one(path, "seed", "the seed of each row's replication in the manifest's replication_seeds, "
                                           "as workforce target writes it", f"{table.seed[row[0]]} in row {row[0] + 1}")
    threshold = table.threshold
    row = table.index[threshold.notna() & ~threshold.isin(values)]
    if len(row):
        raise InputError.one(path, "threshold", f"a value of the manifest's target.values ({values[0]:.10g} to "
                                                f"{values[-1]:.10g}), or an empty cell where the target is not met "
                                                f"within the range, as workforce target writes it",
                             f"{threshold[row[0]]:.10g} in row {row[0] + 1}")
    said = [MET[2] if pd.isna(t) else MET[0] if t == values[0] else MET[1] for t in threshold]
    row = table.index[table.met != said]
    if len(row):  # an empty threshold said to be within the range was counted as beyond it
        r = row[0]
        raise InputError.one(path, "threshold", f"a threshold as the row's met says ({MET[0]!r}: {values[0]:.10g}, the "
                                                f"lowest value searched; {MET[1]!r}: a higher one; {MET[2]!r}: an "
                                                f"empty cell), as workforce target writes it",
                             f"{'an empty cell' if pd.isna(threshold[r]) else f'{threshold[r]:.10g}'} in row {r + 1}, "
                             f"met {table.met[r]!r}")
    for value, meeting in zip(shares.value, shares.meeting):
        counted = int((threshold <= value).sum())
        if counted != meeting:  # the thresholds' quantiles and the shares by value would tell two answers
            raise InputError.one(path, "threshold", "thresholds at most each value for as many replications as "
                                                    "probabilities.csv has meeting the target there, as workforce "
                                                    "target writes them", f"{counted} at most {value:.10g}, where "
                                                                          f"probabilities.csv has {meeting:.10g}")


def _unreadable_table(path: Path, exc: Exception) -> InputError:
    return InputError.one(path, "", "a readable table written by workforce", str(exc).splitlines()[0])


@dataclass
class ResultsDir:
    """A results directory and its manifest; what is read from it is read once, when first needed."""

    path: Path
    manifest: dict
    kind: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    def _cached(self, key: str, read):
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    @property
    def scenario(self):
        return self._cached("scenario", lambda: _scenario(self.manifest, self.path / "manifest.json"))

    @property
    def experiment_text(self) -> str | None:
        """The experiment file a batch or target folder keeps, for the appendix and its policies' descriptions;
        one that is no readable text file (a folder, binary bytes) is refused naming it; one in UTF-16 is read,
        as the batch read it (``errors.decoded``). One that is not the file the runs read (its SHA-256 is not
        the manifest's ``experiment_sha256``: edited since) is refused: its descriptions were the report's
        words for policies they may not describe."""
        p = self.path / "experiment.yaml"
        refuse_special(p, p, "")
        if not p.is_file():
            return None
        try:
            raw = p.read_bytes()
            text = decoded(raw).removeprefix("\ufeff").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError) as exc:
            found = not_decoded(exc) if isinstance(exc, UnicodeDecodeError) else exc.strerror or type(exc).__name__
            raise InputError.one(p, "", "the experiment file the folder kept, a readable UTF-8 text file",
                                 found) from None
        recorded, digest = self.manifest.get("experiment_sha256"), hashlib.sha256(raw).hexdigest()
        if recorded is not None and recorded != digest:
            raise InputError.one(p, "", f"the experiment file the runs read, whose SHA-256 the manifest's "
                                        f"experiment_sha256 records ({str(recorded)[:12]}...): edited since? put "
                                        f"that file back, or remove this one", f"SHA-256 {digest[:12]}...")
        return text


@dataclass
class SensitivityDir(ResultsDir):
    """A directory written by ``workforce sensitivity``: its indices table and chart (no manifest)."""

    kind: str = "sensitivity"


@dataclass
class TargetDir(ResultsDir):
    """A folder written by ``workforce target``: read back as its result (``sim.target.read``), not rerun."""

    kind: str = "target"

    def title(self) -> str:
        earliest = "earliest_year" in self.manifest["answer"]
        return f"{'The earliest year' if earliest else 'What it takes'}: {self.manifest['experiment']}"


@dataclass
class RunDir(ResultsDir):
    """A directory written by ``workforce run``."""

    kind: str = "run"

    def _file(self, name: str) -> Path | None:
        """The folder's file ``name``, or None if there is none; one there that is no regular file (a folder, a
        link to nothing or to itself) is refused, not passed over for another table or a figure left out."""
        return _present(self.path / name)

    @property
    def years(self) -> list[int]:
        """The years of the run's yearly snapshots: each anniversary of its start month up to its end."""
        from . import calendar

        start, end = (calendar.parse(self.manifest[k]) for k in ("start", "end"))
        return [calendar.year_of(m) for m in range(start, end + 1, 12)]

    @property
    def tidy_file(self) -> Path:
        return self._file("supply.parquet") or self.path / "supply.csv"

    @property
    def tidy(self) -> pd.DataFrame:
        p = self.tidy_file
        return self._cached("tidy", lambda: self._with_years(p, read_table(p)))

    def _with_years(self, path: Path, table: pd.DataFrame) -> pd.DataFrame:
        """``table``, refused if its years are not the run's (``years``): a table cut short at a row's end reads
        as a shorter run, said as if it were the whole."""
        wanted, found = self.years, set(table.year)
        missing, other = [y for y in wanted if y not in found], sorted(found - set(wanted))
        if missing or other:
            raise InputError.one(path, "year", f"rows for each year of the run ({wanted[0]} to {wanted[-1]}, as its "
                                               f"manifest's start and end say) and no other, as workforce run writes "
                                               f"them", f"none for {', '.join(map(str, missing[:5]))}" if missing
                                 else other[:5])
        return table

    @property
    def replications(self) -> pd.DataFrame | None:
        """The replications' group values, with every group and measure the run's tidy table has, for each
        seed of the manifest's replications and each year of the run, once."""
        p = self._file("replications.csv")
        seeds = self.manifest.get("replication_seeds") or [self.manifest["seed"]]
        if p is None and len(seeds) > 1:  # read as one run, its intervals would be said to be over one replication
            raise InputError.one(self.path / "replications.csv", "", f"the values of the {len(seeds)} replications "
                                                                     f"its manifest's replication_seeds name, as "
                                                                     f"workforce run writes them", "no such file")
        if p is None:
            return None
        table, tidy = read_table(p), self.tidy
        rows = tidy[tidy.stage == "all"]
        for column in ("group", "measure"):
            agree(p, table, column, rows[column].drop_duplicates(), f"the run's tidy table ({rows[column].iloc[0]}, ...)"
                  if len(rows) else "the run's tidy table")
        agree(p, table, "year", self.years, "the run")
        agree(p, table, "seed", seeds, "the manifest's replication_seeds")
        keys = ["seed", "year", "group", "measure"]
        for column, wanted in (("seed", seeds), ("year", self.years)):
            other = sorted(set(table[column]) - set(wanted))
            if other:  # a replication or year the run did not have would be averaged in
                raise InputError.one(p, column, f"{column}s of the run's manifest only, as workforce run writes them",
                                     other[:5])
        twice = table[table.duplicated(keys)]
        if len(twice):
            row = twice.iloc[0]
            raise InputError.one(p, "measure", "one row of each seed, year, group and measure, as workforce run "
                                               "writes them", f"{row.measure} of {row.group} in {row.year}, seed "
                                                              f"{row.seed}, twice")
        cells = table.groupby(["group", "measure"]).ngroups
        counts = table.groupby(["seed", "year"]).size()
        short = counts[counts < cells]
        if len(short):  # a replication's rows cut short: its values of those years left out of the intervals
            seed, year = short.index[0]
            raise InputError.one(p, "measure", "each measure of every group for each seed and year, as workforce "
                                               "run writes them", f"{short.iloc[0]} of {cells} in {year}, seed {seed}")
        # the first replication is the run whose tables the folder holds: another run's tidy table put in its place
        # (of the same years) was reported as this run's, beside intervals of replications it is not one of
        cell = ["year", "group", "measure"]
        both = table[table.seed == seeds[0]].set_index(cell).value.to_frame("here").join(
            rows[rows.reason.fillna("") == ""].set_index(cell).value.rename("tidy"), how="inner")
        other = both[(both.here - both.tidy).abs() > 1e-6 + 1e-9 * both.tidy.abs()]
        if len(other):
            (year, group, measure), row = other.index[0], other.iloc[0]
            raise InputError.one(p, "value", f"the first replication's values (seed {seeds[0]}) as the run's tidy "
                                             f"table ({Path(self.tidy_file).name}) has them, as workforce run writes "
                                             f"them: one of the two is another run's",
                                 f"{measure} of {group} in {year}: {row.here:g} here, {row.tidy:g} there")
        return table

    @property
    def events(self) -> pd.DataFrame | None:
        """The first run's events, each in a month of the run and of a person of its people table."""
        return self._cached("events", self._events)

    def _events(self) -> pd.DataFrame | None:
        from . import calendar

        p = self._file("events.parquet")
        if p is None:
            return None
        table = read_table(p)
        start, end = (self.manifest[k] for k in ("start", "end"))
        for month in table.month.unique():
            try:
                inside = calendar.parse(start) <= calendar.parse(month) <= calendar.parse(end)
            except ValueError:
                inside = False
            if not inside:
                raise InputError.one(p, "month", f"months of the run as YYYY-MM, from {start} to {end}, as workforce "
                                                 f"run writes them", month)
        people = self.people
        if people is not None:  # their ages and sexes would be read as nobody's, or the workforce as nobody
            unknown = table.person_id[~table.person_id.isin(people.id)]
            if len(unknown):
                raise InputError.one(p, "person_id", f"people of {self.path / 'people.parquet'}, as workforce run "
                                                     f"writes them", int(unknown.iloc[0]))
            unmoved = people.id[~people.id.isin(table.person_id)]
            if len(unmoved):  # everyone simulated came in by an event (stock, intake, joined)
                raise InputError.one(p, "person_id", f"an event for each person of {self.path / 'people.parquet'} "
                                                     f"(the one that brought them in), as workforce run writes them",
                                     f"none for person {int(unmoved.iloc[0])}")
        return table

    @property
    def people(self) -> pd.DataFrame | None:
        """Everyone the first run simulated, once each, with a sex of 0 (female) or 1 (male)."""
        return self._cached("people", self._people)

    def _people(self) -> pd.DataFrame | None:
        """The people, as many as the manifest's people_simulated (where it says): another run's people and
        events, put in together, agree with each other, and were shown as this run's."""
        p = self._file("people.parquet")
        if p is None:
            return None
        table = read_table(p)
        once(p, table, "id")
        simulated = self.manifest.get("people_simulated")
        if simulated is not None and len(table) != simulated:
            raise InputError.one(p, "id", f"the {simulated:,} people the manifest's people_simulated says the run "
                                          f"simulated, one row each, as workforce run writes them",
                                 f"{len(table):,} rows")
        other = table.sex[~table.sex.isin([0, 1])]
        if len(other):
            raise InputError.one(p, "sex", "0 (female) or 1 (male) in every row, as workforce run writes it",
                                 other.iloc[0])
        return table

    def title(self) -> str:
        m = self.manifest
        seeds = m.get("replication_seeds")
        runs = f"seeds {seeds[0]}-{seeds[-1]}" if seeds else f"seed {m['seed']}"
        return f"Run: {m['scenario']}, {m['start']} to {m['end']}, {runs}"


@dataclass
class BatchDir(ResultsDir):
    """A directory written by ``workforce batch``."""

    kind: str = "batch"

    @property
    def runs(self) -> pd.DataFrame:
        return self._cached("runs", lambda: read_runs(self.path, group_rows_only=False))

    def title(self) -> str:
        m = self.manifest
        return f"Experiment: {m['experiment']}"


def _present(path: Path, expected: str = "a regular file (not a directory, named pipe or device)") -> Path | None:
    """``path`` if it is a regular file, None if nothing is there; anything else there (a folder, a pipe, a link
    to nothing or to itself: ``expected`` instead) is refused naming it."""
    if not os.path.lexists(path):
        return None
    refuse_special(path, path, "")
    if not path.is_file():  # a link that leads nowhere
        raise InputError.one(path, "", expected, "a link to nothing that can be read")
    return path


def results_folder(path) -> Path:
    """``path`` if it is a folder; else an ``InputError`` naming it (not an output put below it)."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputError.one("results", "", f"the path of {WHAT}", type(path).__name__)
    path = Path(path)
    if not path.exists():
        raise InputError.one(path, "", f"an existing directory ({WHAT})")
    if not path.is_dir():
        raise InputError.one(path, "", f"a directory ({WHAT}), not a file")
    return path


MANIFEST = "a JSON manifest written by workforce run or workforce batch"


def read_manifest(path, expected: str = f"{WHAT} (with its manifest.json)") -> dict:
    """The manifest of the results folder ``path``, a JSON object: every command reading results reads
    it here, so a missing, damaged or foreign one is refused alike, naming the file (``expected``: what
    a folder without one was to be). A byte order mark, which an editor on Windows puts before a file it
    saves, is read past: JSON's reader refused the manifest for it. ``path`` is checked to be a folder's first:
    what reads results in Python (``sim.analysis.completeness``) failed inside on another, or on none there."""
    manifest_path = results_folder(path) / "manifest.json"
    if _present(manifest_path, MANIFEST) is None:  # a link to nothing, or to itself, is there, not missing
        empty = not any(Path(path).iterdir())
        raise InputError.one(path, "manifest.json", expected, "an empty directory" if empty else None)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8-sig"), object_pairs_hook=_once,
                              parse_constant=_no_constant)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError.one(manifest_path, "", MANIFEST, str(exc).splitlines()[0]) from None
    if not isinstance(manifest, dict):
        raise _format_problem(manifest_path, "", type(manifest).__name__)
    return manifest


def _once(pairs: list) -> dict:
    """A JSON object whose keys are each given once: of a key given twice, the last would be read in silence."""
    keys = [key for key, _ in pairs]
    twice = next((key for key in keys if keys.count(key) > 1), None)
    if twice is not None:
        raise ValueError(f"the key {twice!r} given twice")
    return dict(pairs)


def _no_constant(name: str):
    """NaN and Infinity, which JSON has no such values for (Python writes them, and reads them back)."""
    raise ValueError(f"{name}, which is no JSON value")


def load(path, kind: str | None = None) -> ResultsDir:
    """Read and check a results directory (``kind``: require ``"run"`` or ``"batch"``); with no ``kind``, a
    sensitivity or target folder too."""
    path = results_folder(path)
    manifest_path = path / "manifest.json"
    if not os.path.lexists(manifest_path) and kind is None and _present(path / "sensitivity.csv"):
        _columns(path / "sensitivity.csv", SENSITIVITY_COLUMNS)
        indices(path / "sensitivity.csv", read_table(path / "sensitivity.csv"))
        _present(path / "sensitivity.png")  # a folder there is no chart to leave out with a note
        return SensitivityDir(path=path, manifest={"experiment": f"{path.name} (sensitivity)"})
    manifest = read_manifest(path, ANY) if kind is None else read_manifest(path)
    target = "target" in manifest and "answer" in manifest  # a search's manifest has a batch's keys too
    if kind is None and target:
        return _target_dir(path, manifest, manifest_path)
    found = "target" if target else "batch" if "experiment" in manifest else "run" if "seed" in manifest and \
        "scenario" in manifest else None
    if found is None:
        raise _format_problem(manifest_path, "experiment", "neither an experiment nor a run's scenario and seed")
    if kind is not None and found != kind:
        raise InputError.one(path, "", f"a results directory written by workforce {kind}", f"one of workforce {found}")
    required = BATCH_MANIFEST if found == "batch" else RUN_MANIFEST
    missing = [k for k in required if k not in manifest]
    if missing:
        raise _format_problem(manifest_path, missing[0], f"missing {', '.join(missing)}")
    for key, kinds, what in (BATCH_TYPES if found == "batch" else ()):
        if not isinstance(manifest[key], kinds) or isinstance(manifest[key], bool):
            raise _format_problem(manifest_path, key, f"{what}, found {type(manifest[key]).__name__}")
    _check_types(manifest_path, manifest, found)
    if found == "run":
        table = next((p for p in (_present(path / n) for n in ("supply.parquet", "supply.csv")) if p), None)
        if table is None:
            raise InputError.one(path, "supply.parquet", f"the tidy table of {WHAT} (supply.parquet or supply.csv)")
        _columns(table, TIDY_COLUMNS)
        for name, columns in (("events.parquet", EVENT_COLUMNS), ("people.parquet", PEOPLE_COLUMNS),
                              ("replications.csv", REPLICATION_COLUMNS)):
            if _present(path / name):
                _columns(path / name, columns)
        return RunDir(path, manifest)
    files = run_paths(path)
    if not files:
        raise InputError.one(path, "runs", "a batch results directory with its runs (runs/<policy>/*.parquet): "
                                           "run workforce batch first")
    _columns(files[0], RUN_KEYS + TIDY_COLUMNS)
    return BatchDir(path, manifest)


def _target_dir(path: Path, manifest: dict, manifest_path: Path) -> TargetDir:
    """Check a ``workforce target`` folder: its manifest's keys and every table the report reads."""
    missing = [k for k in TARGET_MANIFEST if k not in manifest]
    if missing:
        raise _format_problem(manifest_path, missing[0], f"missing {', '.join(missing)}")
    _check_types(manifest_path, manifest, "target")
    question = manifest["target"]
    levers = manifest["policies"].get(question["policy"])
    if levers is None or question["lever"] >= len(levers):
        field_name = "target.policy" if levers is None else "target.lever"
        raise InputError.one(manifest_path, field_name, "a policy of the manifest's policies and the index of one "
                                                        "of its levers",
                             question["policy"] if levers is None else question["lever"])
    searched = "earliest_year" not in manifest["answer"]
    for name, columns in [*TABLES["search" if searched else "earliest"].items(), ("runs.csv", RUNS_COLUMNS)]:
        if _present(path / name) is None:
            raise InputError.one(path / name, "", f"the {name} of a folder written by workforce target")
        _columns(path / name, columns)
    if _present(path / "target.png") is None:  # a named pipe there is said to be one, not missing
        raise InputError.one(path / "target.png", "", "the figure of a folder written by workforce target")
    answer = manifest["answer"]
    if searched:
        values = [float(v) for v in question["values"]]
        if answer["value"] is not None and float(answer["value"]) not in values:  # its share is looked up by it
            raise InputError.one(manifest_path, "answer.value", "one of the manifest's target.values (or null: "
                                                                "beyond the range)", answer["value"])
        table = read_table(path / "probabilities.csv")
        agree(path / "probabilities.csv", table, "value", values, "the manifest's target.values")
        once(path / "probabilities.csv", table, "value")
        proportions(path / "probabilities.csv", table)
        thresholds(path, read_table(path / "thresholds.csv"), table, values, manifest["replication_seeds"])
    else:
        table = read_table(path / "years.csv")
        once(path / "years.csv", table, "year")
        proportions(path / "years.csv", table)
        if answer["earliest_year"] is not None and answer["earliest_year"] not in set(table.year):  # looked up by it
            raise InputError.one(manifest_path, "answer.earliest_year", "a year of years.csv (or null: not met by "
                                                                        "the last year asked)", answer["earliest_year"])
    return TargetDir(path, manifest)


def read_runs(results_dir, measures=None, group_rows_only: bool = True) -> pd.DataFrame:
    """All run tables of a results directory (optionally only some measures, group rows only).

    Every file is checked as it is read: one that cannot be read, lacks a run table's columns or
    holds another run's rows than its name says (a copy under another name, a ``workforce run``
    table) is refused naming it, rather than counted as a run or dropped in silence. So is one with a
    cell no run writes (``_check_cells``: a column it lacks, text where numbers go, an empty, NaN or
    infinite value), or with rows no run writes or without those every run writes (``_check_complete``:
    a row twice, a year outside the batch's; a year, group, stage or measure the batch's other run files
    have): a comparison would take a missing value for a zero, or leave the year out.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.dataset as ds

    files = run_files(results_dir)
    seeds, years = _batch_runs(results_dir, files)
    condition = None
    if group_rows_only:
        condition = ds.field("stage") == "all"
    if measures is not None:
        wanted = ds.field("measure").isin(list(measures))
        condition = wanted if condition is None else condition & wanted
    try:
        scanner = ds.dataset([str(f) for f in files], format="parquet").scanner(filter=condition)
        batches, owners, number = [], [], {str(f): i for i, f in enumerate(files)}
        for tagged in scanner.scan_batches():
            path = Path(tagged.fragment.path)
            _check_labels(path, tagged.record_batch, seeds)
            _check_cells(path, tagged.fragment.physical_schema, tagged.record_batch)
            batches.append(tagged.record_batch)
            owners.append(number[tagged.fragment.path])
        table = pa.Table.from_batches(batches, schema=scanner.projected_schema)
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(files, exc) from None
    _check_complete(results_dir, files, table, np.repeat(owners, [len(b) for b in batches]), years)
    return table.to_pandas()


RUN_NAME = re.compile(r"p(\d+)-r(\d+)\.parquet")


def run_paths(results_dir) -> list[Path]:
    """What is named like a batch's run file (``runs/<policy>/*.parquet``), hidden names apart: macOS writes
    ``._<name>`` beside each file it copies to another system's disk or share, or zips (its metadata, hidden in
    its Finder), and a batch never writes a run under a hidden name, nor a policy's folder (a plain name)."""
    return sorted(p for p in (Path(results_dir) / "runs").glob("*/*.parquet")
                  if not p.name.startswith(".") and not p.parent.name.startswith("."))


def run_files(results_dir) -> list[Path]:
    """A batch's run files (``runs/<policy>/p<set>-r<replication>.parquet``); anything else there named
    like one (a folder, a pipe, another name) is refused before any is opened. ``results_dir`` is checked to be a
    folder's path first: what reads a batch's runs in Python (``sim.analysis.compare``) failed inside on another."""
    files = run_paths(results_folder(results_dir))
    if not files:
        raise InputError.one(results_dir, "runs", "a results directory written by workforce batch (runs/*/*.parquet)")
    for path in files:
        refuse_special(path, path, "")
        if not RUN_NAME.fullmatch(path.name):
            raise InputError.one(path, "", "a run file named p<parameter set>-r<replication>.parquet, as workforce "
                                           "batch names them", path.name)
    return files


def _batch_runs(results_dir, files: list[Path]) -> tuple[list, range]:
    """Refuse a run file that is not one of the runs the folder's manifest planned: a policy it does
    not list, or a parameter set or replication beyond its own (a file copied in from another batch
    would be compared as if it were this batch's). The manifest's replication seeds, which
    ``_check_labels`` holds every run file's seed to, and the years from its start to its final year,
    which ``_check_complete`` holds their years to."""
    from . import calendar

    manifest = read_manifest(results_dir)
    _check_types(Path(results_dir) / "manifest.json", manifest, "batch")
    policies, seeds, sets = (manifest.get(k) for k in ("policies", "replication_seeds", "parameter_sets"))
    other = "; a run of another batch? move it out, or rerun workforce batch in a new folder"
    for path in files:
        policy = path.parent.name
        parameter_set, replication = (int(n) for n in RUN_NAME.fullmatch(path.name).groups())
        if policy not in policies:
            raise InputError.one(path.parent, "policy", f"a policy of the batch's manifest ({', '.join(policies)})"
                                                        f"{other}", policy)
        for name, number, planned in (("parameter_set", parameter_set, sets), ("replication", replication, seeds)):
            if planned is not None and number >= len(planned):
                raise InputError.one(path, name, f"a {name.replace('_', ' ')} of the batch's manifest (0 to "
                                                 f"{len(planned) - 1}){other}", number)
    return seeds, range(calendar.year_of(calendar.parse(manifest["start"])), manifest["final_year"] + 1)


def _check_labels(path: Path, rows, seeds: list) -> None:
    """Refuse a run file whose rows are not all of the run its folder and name say, nor with the seed
    the manifest gives its replication (``seeds``): a run of another batch, paired with this one's
    baseline, would be a difference of two futures rather than of the policy."""
    import pyarrow.compute as pc

    if rows.num_rows == 0:
        return
    parameter_set, replication = (int(n) for n in RUN_NAME.fullmatch(path.name).groups())
    checks = [(name, expected, f"rows of the run its folder and name say ({name} {expected!r}), as workforce batch "
                               "writes them")
              for name, expected in (("policy", path.parent.name), ("parameter_set", parameter_set),
                                     ("replication", replication))]
    if "seed" in rows.schema.names:
        checks.append(("seed", seeds[replication], f"the seed the batch's manifest gives replication {replication} "
                                                   f"({seeds[replication]}); a run of another batch? move it out, or "
                                                   "rerun workforce batch in a new folder"))
    for name, expected, words in checks:
        found = pc.unique(rows.column(name)).to_pylist() if name in rows.schema.names else [None]
        if found != [expected]:
            _columns(path, RUN_KEYS + TIDY_COLUMNS)  # a table without a run's columns: say that
            raise InputError.one(path, name, words, found[0] if len(found) == 1 else found)


# a run file's columns of numbers: whole numbers, or any (the value)
WHOLE_NUMBERS, NUMBERS = ("parameter_set", "replication", "seed", "year"), ("value",)
# the measures a run writes at each yearly snapshot, for every group and every stage
SNAPSHOT_MEASURES = tuple(name for name, _ in GROUP_MEASURES + STAGE_MEASURES)


def _check_cells(path: Path, schema, rows) -> None:
    """Refuse a run file (its ``schema``, and ``rows`` read) with a cell no run writes: a column it lacks
    (the scan would read it as empty), text where a number goes or a number where text does, an empty
    cell, a NaN or infinite value. A run writes a number or a word in every cell, and a comparison would
    take an empty value for a zero."""
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = RUN_KEYS + TIDY_COLUMNS
    if not set(wanted) <= set(schema.names):
        _columns(path, wanted)  # says which it lacks
    for name in wanted:
        kind = schema.field(name).type
        if name in WHOLE_NUMBERS:
            right, words = pa.types.is_integer(kind), "a column of whole numbers"
        elif name in NUMBERS:
            right, words = pa.types.is_integer(kind) or pa.types.is_floating(kind), "a column of numbers"
        else:
            text = kind.value_type if pa.types.is_dictionary(kind) else kind
            right = pa.types.is_string(text) or pa.types.is_large_string(text) or pa.types.is_string_view(text)
            words = "a column of text"
        if not right:
            raise InputError.one(path, name, f"{words}, as workforce batch writes it", str(kind))
    if rows.num_rows == 0:
        return
    for name in wanted:
        column = rows.column(name)
        every = f"{'a number' if name in WHOLE_NUMBERS + NUMBERS else 'a value'} in every row, as workforce batch " \
                "writes it"
        if column.null_count:
            raise InputError.one(path, name, every, f"an empty cell ({_cell(rows, pc.is_null(column))})")
        if pa.types.is_floating(column.type):
            odd = pc.invert(pc.is_finite(column))
            if pc.any(odd).as_py():
                raise InputError.one(path, name, every, f"{column[pc.index(odd, True).as_py()].as_py()} "
                                                        f"({_cell(rows, odd)})")


def _cell(rows, where) -> str:
    """The first row of ``where`` in the domain's words: its year, group, stage (if one) and measure."""
    import pyarrow.compute as pc

    row = rows.slice(pc.index(where, True).as_py(), 1).to_pylist()[0]
    return _where(*("(empty)" if row[k] is None else row[k] for k in ("year", "group", "stage", "measure")))


def _where(year, group, stage, measure) -> str:
    return f"{measure} of {group}{'' if stage == 'all' else f', stage {stage}'} in {year}"


def _check_complete(results_dir, files: list[Path], table, owners, years: range) -> None:
    """Refuse a run file without a row every run writes, or with one twice: each yearly snapshot's
    measures of every group and stage (``SNAPSHOT_MEASURES``) read, in every year of the batch, for
    every group, stage and measure any of its files has (a batch's runs share the scenario). Else a
    comparison leaves that year out, or takes the value for a zero. Flows, written only where
    something happened, cannot be held to this. ``years``: those from the start to the final year the
    manifest says: a year outside them is blamed on the file that has it, not on the others, and run
    files that all stop before the final year's eve (a run's last yearly snapshot is in its final year,
    or the one before: the month it ends) are refused. ``owners``: the file of each row (its place in ``files``). Counted as numbers,
    each row once: a batch holds thousands of runs."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return
    labels, codes = {}, {}
    for name in ("measure", "group", "stage"):  # as numbers: one dictionary for all the files' rows
        column = table.column(name)
        if pa.types.is_dictionary(column.type):  # each file's own dictionary: not one for all
            column = column.cast(column.type.value_type)
        encoded = pc.dictionary_encode(column).chunks
        labels[name] = encoded[-1].dictionary.to_pylist()
        codes[name] = pa.chunked_array([chunk.indices for chunk in encoded]).to_numpy()
    snapshot = np.array([name in SNAPSHOT_MEASURES for name in labels["measure"]])[codes["measure"]]
    if not snapshot.any():  # none of them read
        return
    year = table.column("year").to_numpy()[snapshot]
    run = owners[snapshot]
    sizes = [len(labels[name]) for name in ("group", "stage", "measure")]
    cell = np.ravel_multi_index([codes[name][snapshot] for name in ("group", "stage", "measure")], sizes)
    cells = np.flatnonzero(np.bincount(cell, minlength=int(np.prod(sizes))))  # each cell any file has
    dense = np.zeros(int(np.prod(sizes)), dtype=np.int64)
    dense[cells] = np.arange(len(cells))

    def where(y, c):  # a year and a cell (a group, stage and measure) in words
        return _where(int(y), *(labels[name][i] for name, i in zip(("group", "stage", "measure"),
                                                                   np.unravel_index(cells[c], sizes))))

    outside = (year < years[0]) | (year > years[-1])
    if outside.any():
        i = int(np.argmax(outside))
        raise InputError.one(files[run[i]], "year", f"years of the batch's runs ({years[0]} to {years[-1]}, as "
                                                    "its manifest says)", int(year[i]))
    if year.max() < years[-1] - 1:
        raise InputError.one(Path(results_dir) / "manifest.json", "final_year", "the final year of the batch's "
                             f"runs: the last year of its run files ({year.max()}) or the one after", years[-1])
    # to the final year, or the one before if none has it (runs ending before their start's anniversary)
    wanted = np.arange(years[0], years[-1] + (year.max() == years[-1]))
    shape = (len(files), len(wanted), len(cells))
    place = year - wanted[0]  # of the year in ``wanted``
    counts = np.bincount(np.ravel_multi_index([run, place, dense[cell]], shape),
                         minlength=int(np.prod(shape))).reshape(shape)
    if counts.max() > 1:
        k, y, c = np.unravel_index(int(np.argmax(counts > 1)), shape)
        raise InputError.one(files[k], "measure", "one row of each measure a year, group and stage, as workforce "
                                                  "batch writes them", f"{counts[k, y, c]} of {where(wanted[y], c)}")
    if counts.min() == 1:
        return
    k = int(np.argmax((counts == 0).any(axis=(1, 2))))
    mine = counts[k] > 0
    missing = [int(y) for y, found in zip(wanted, mine.any(axis=1)) if not found]
    if missing:
        raise InputError.one(files[k], "year", f"rows for each year of the batch's runs ({wanted[0]} to "
                                               f"{wanted[-1]}), as workforce batch writes them",
                             f"none for {', '.join(map(str, missing[:5]))}")
    for i, name in enumerate(("group", "stage", "measure")):
        of_cells = np.unravel_index(cells, sizes)[i]
        found = set(of_cells[mine.any(axis=0)].tolist())
        missing = [labels[name][v] for v in dict.fromkeys(of_cells.tolist()) if v not in found]
        if missing:
            values = [labels[name][v] for v in dict.fromkeys(of_cells.tolist())]
            said = ", ".join(values[:3]) + (", ..." if len(values) > 3 else "")
            raise InputError.one(files[k], name, f"rows for each {name} of the batch's runs ({said}), as workforce "
                                                 "batch writes them", f"none for {', '.join(missing[:5])}")
    y, c = np.unravel_index(int(np.argmax(~mine)), mine.shape)
    raise InputError.one(files[k], "measure", "each measure of every group and stage in every year, as the batch's "
                                              "other run files have them", f"no {where(wanted[y], c)}")


def _unreadable(files: list[Path], exc: Exception) -> InputError:
    """The problem with the run file the scan could not read: unreadable, without a run's columns, or with
    columns of other types than the first file's."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    first = None
    for path in files:
        _columns(path, RUN_KEYS + TIDY_COLUMNS)
        schema = pq.read_schema(path)
        first = first or schema
        for name in RUN_KEYS + TIDY_COLUMNS:
            if schema.field(name).type != first.field(name).type:
                return InputError.one(path, name, f"a column of the type of the other run files "
                                                  f"({first.field(name).type})", str(schema.field(name).type))
        try:
            pq.read_table(path)
        except (pa.ArrowException, OSError) as error:
            return _unreadable_table(path, error)
    return InputError.one(Path(files[0]).parent.parent, "", "run files that can be read together",
                          str(exc).splitlines()[0])
