"""The package's own processes compile at a lower LLVM optimisation level (``sim.kernels.compile_quickly``),
never overriding a level the user chose."""

import os

from numba.core import config

from sim import experiment
from sim.kernels import QUICK_OPT, compile_quickly


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
