"""Where results go: output folders checked before any simulating, files written durably,
a run's folder that appears whole or not at all, and one batch at a time in a folder.

- ``check_folder`` / ``check_file`` refuse an ``--out`` that cannot be written (an existing
  file, a path below a file, a read-only place) with an ``InputError`` before hours of
  simulating are spent; every command that writes calls one of them first.
- ``atomic_write`` writes a file under a temporary name, flushes it to the disk and renames
  it into place, then flushes the folder, so a crash or a power cut leaves the old file or
  the new one, never a torn one.
- ``staged`` builds a folder beside its destination and renames it into place when every file
  is written: a folder that exists is complete.
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
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError, Problem

LOCK = ".lock"


class WriteError(InputError):
    """Results could not be written (disk full, read-only, ...): the command line says so, exit 2."""

    heading = "could not write the results"


def check_folder(path, option: str = "--out") -> Path:
    """``path`` as a folder results can be written to (it may not exist yet); else an ``InputError``."""
    return _check(Path(path), option, "folder")


def check_file(path, option: str = "--out") -> Path:
    """``path`` as a file results can be written to, in a folder that can be; else an ``InputError``."""
    return _check(Path(path), option, "file")


def check_empty(path, option: str = "--out") -> Path:
    """A folder that can be written and holds nothing yet, beside which its results are assembled
    (``staged``): results are never mixed with what is there."""
    path = check_folder(path, option)
    if path.is_dir() and any(path.iterdir()):
        raise InputError.one(option, _field(option), "a folder that is empty or does not exist yet (results "
                                                     "are never mixed with what is there: choose another folder "
                                                     "or remove this one)", str(path))
    if path.is_dir() and not os.access(path.absolute().parent, os.W_OK | os.X_OK):
        raise InputError.one(option, _field(option), f"a folder in a folder that can be written (results are "
                                                     f"assembled beside it; {path.absolute().parent} is read-only)",
                             str(path))
    return path


def _check(path: Path, option: str, kind: str) -> Path:
    """Refuse a path that is the other kind (file or folder), lies below a file or is read-only."""
    field, other = _field(option), "file" if kind == "folder" else "folder"
    try:
        if path.exists() and path.is_dir() != (kind == "folder"):
            raise InputError.one(option, field, f"a {kind} (this is a {other})", str(path))
        existing = path if kind == "folder" or path.exists() else path.parent
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing != path and existing.exists() and not existing.is_dir():
            raise InputError.one(option, field, f"a {kind} that is not below a file ({existing} is a file)",
                                 str(path))
        writable = os.access(existing, os.W_OK | (os.X_OK if existing.is_dir() else 0))
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, a folder that cannot be looked into
        raise InputError.one(option, field, f"a {kind} that can be written", f"{path}: {_reason(exc)}") from None
    if not writable:
        raise InputError.one(option, field, f"a {kind} that can be written ({existing} is read-only)", str(path))
    return path


def atomic_write(path, write) -> None:
    """Call ``write(temporary path)``, flush the file to the disk, rename it to ``path``, flush the folder."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write(tmp)
        _sync(tmp)
        os.replace(tmp, path)
        _sync(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


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
    ``out`` is left as it was; the ``WriteError`` says so.
    """
    out = Path(out)
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
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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
