"""The package's own processes compile at a lower LLVM optimisation level (``sim.kernels.compile_quickly``),
never overriding a level the user chose; a first run that compiles says so to whoever watches it."""

import gc
import os
import pty
import subprocess
import sys

import numba
import numpy as np
import pytest
from numba.core import config, event

from conftest import REPO, compiled_in
from sim import experiment
from sim.cli import FIRST_COMPILE
from sim.kernels import QUICK_OPT, collect_after_compiling, compile_quickly, on_first_compile


def test_compiling_quickly_sets_the_level_only_when_the_user_has_not(monkeypatch):
    monkeypatch.delenv("NUMBA_OPT", raising=False)
    try:
        compile_quickly()
        assert os.environ["NUMBA_OPT"] == QUICK_OPT and config.OPT == int(QUICK_OPT)
        monkeypatch.setenv("NUMBA_OPT", "2")
        config.reload_config()
        compile_quickly()
        assert os.environ["NUMBA_OPT"] == "2" and config.OPT == 2
    finally:
        monkeypatch.undo()
        config.reload_config()


class _Collecting(event.Listener):
    """Whether Python's cycle collector runs as each compile starts."""

    def __init__(self):
        self.seen = []

    def on_start(self, ev):
        self.seen.append(gc.isenabled())

    def on_end(self, ev):
        pass


def test_the_cycle_collector_waits_while_numba_compiles_and_runs_again_after_even_a_failed_compile():
    pausing = collect_after_compiling()
    assert collect_after_compiling() is pausing  # once a process
    collecting = _Collecting()
    assert gc.isenabled()
    with event.install_listener("numba:compile", collecting):  # after the pause: it sees the pause made
        assert numba.njit(lambda x: x + 1)(1) == 2  # a new function: compiled, not loaded
        assert gc.isenabled()
        with pytest.raises(numba.core.errors.TypingError):
            numba.njit(lambda x: x.no_such_attribute)(1)
        assert gc.isenabled()
    assert collecting.seen and not any(collecting.seen)
    gc.disable()  # a host that keeps the collector off finds it off after a compile
    try:
        numba.njit(lambda x: x + 2)(1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_batch_worker_compiles_quickly_when_it_starts(monkeypatch):
    import signal

    monkeypatch.delenv("NUMBA_OPT", raising=False)
    interrupt = signal.getsignal(signal.SIGINT)
    try:
        experiment._start_worker()
        assert os.environ["NUMBA_OPT"] == QUICK_OPT and config.OPT == int(QUICK_OPT)
    finally:
        signal.signal(signal.SIGINT, interrupt)
        monkeypatch.undo()
        config.reload_config()


def _level() -> tuple[str | None, int]:
    from numba.core import config as worker_config

    return os.environ.get("NUMBA_OPT"), int(worker_config.OPT)


def test_a_batch_worker_compiles_at_the_level_its_environment_gives():
    pool = experiment.process_pool(1)
    try:
        chosen, level = pool.submit(_level).result(timeout=120)
    finally:
        pool.shutdown()
    assert chosen is not None and level == int(chosen)


def test_the_first_compile_of_a_package_pass_is_said_once_and_loading_says_nothing():
    said = []
    listener = on_first_compile(lambda: said.append(True))
    try:
        double, treble = compiled_in("sim.example", 2), compiled_in("sim.example", 3)
        compiled_in("elsewhere", 4)(np.arange(3))  # another library's compiling is not the package's
        assert said == []
        double(np.arange(3))  # compiles
        treble(np.arange(3))  # compiles too, after the first: said once
        double(np.arange(3))  # compiled already
        assert said == [True]
    finally:
        event.unregister("numba:compile", listener)


def _stderr_on_a_terminal(cache: str, *command: str) -> str:
    """What ``workforce COMMAND`` writes to a terminal as its standard error, with numba's cache in ``cache``."""
    watched, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "NUMBA_CACHE_DIR": cache, "MPLBACKEND": "Agg"}
    try:
        process = subprocess.run([sys.executable, "-m", "sim", *command], env=env, stdout=subprocess.DEVNULL,
                                 stderr=terminal, timeout=600)
    finally:
        os.close(terminal)
    written = b""
    try:
        while chunk := _read(watched):
            written += chunk
    finally:
        os.close(watched)
    assert process.returncode == 0, written
    return written.decode()


def _read(fd: int) -> bytes:
    """The next bytes written to a terminal, or none once its other end is closed and all is read."""
    try:
        return os.read(fd, 4096)
    except OSError:
        return b""


def test_a_first_run_tells_whoever_watches_that_it_compiles_and_the_next_does_not(tmp_path):
    cache = str(tmp_path / "numba")
    run = ("run", "--until", "2022", "--replications", "1", "--quiet", "--out")
    assert FIRST_COMPILE in _stderr_on_a_terminal(cache, *run, str(tmp_path / "first"))  # nothing cached yet
    assert FIRST_COMPILE not in _stderr_on_a_terminal(cache, *run, str(tmp_path / "second"))


def test_a_first_batch_says_it_compiles_once_though_each_of_its_workers_compiles(tmp_path):
    experiment = tmp_path / "small.yaml"
    experiment.write_text("name: small\nscenario: wales-mh-2021\nyears: 1\nreplications: 2\nseed: 1\n")
    said = _stderr_on_a_terminal(str(tmp_path / "numba"), "batch", str(experiment), "--workers", "2", "--quiet",
                                 "--out", str(tmp_path / "out"))
    assert said.count(FIRST_COMPILE) == 1
