"""A first run shares its compiling with a second process (``sim.kernels.alongside``): what it
compiles ahead is all a run calls, which the run then loads; it starts only on a package pass's
first compile, once, where a second core and the user allow, and ends with the run."""

import os
import subprocess
import sys

import pytest
from numba.core import event

from conftest import REPO, compiled_in
from sim.kernels import alongside

COMPILED_IN_A_RUN = """
import sim
from numba.core import event
compiled = []
class Seen(event.Listener):
    def on_start(self, ev):
        compiled.append(ev.data["dispatcher"].py_func.__qualname__)
    def on_end(self, ev):
        pass
event.register("numba:compile", Seen())
sim.WorkforceModel(until=2023, collect="yearly", rng=1).run()
print(*sorted(set(name for name in compiled if "<" not in name)), sep="\\n")
"""


def _python(code_or_module: list[str], cache=None) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, *code_or_module], env=env, check=True, capture_output=True, text=True,
                          timeout=900).stdout


def test_what_is_compiled_ahead_a_run_loads_and_does_not_compile(tmp_path):
    _python(["-m", alongside.MODULE], cache=tmp_path)
    assert _python(["-c", COMPILED_IN_A_RUN], cache=tmp_path).split() == [], (
        "a pass a run calls is not listed as it calls it: python -m sim.kernels.alongside --record")
    assert _python(["-c", COMPILED_IN_A_RUN], cache=tmp_path / "empty").split() != []  # the check can fail


def test_it_starts_on_the_first_compile_of_a_package_pass_and_once(monkeypatch):
    started = []
    monkeypatch.setattr(alongside, "_listening", False)
    monkeypatch.setattr(alongside, "start_alongside", lambda: started.append(True))
    listener = alongside.compile_alongside()
    try:
        assert alongside.compile_alongside() is None  # one listener a process
        compiled_in("elsewhere", 2)(1)
        assert started == []  # another library's compiling is not the package's
        compiled_in("sim.example", 2)(1)
        compiled_in("sim.example", 3)(2.0)
        assert started == [True]
    finally:
        event.unregister("numba:compile", listener)


@pytest.mark.parametrize("switch, cores", [("0", 2), ("1", 1)])
def test_it_does_not_start_when_switched_off_or_on_one_core(monkeypatch, switch, cores):
    monkeypatch.setenv(alongside.SWITCH, switch)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("started"))
    assert alongside.start_alongside() is None


def test_a_companion_still_compiling_is_stopped():
    companion = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    alongside._stop(companion)
    assert companion.returncode is not None


def test_the_listed_argument_types_are_read_back_and_never_run_as_code():
    for line in alongside.SIGNATURES.read_text().splitlines():
        signature = line.split(" ", 1)[1]
        assert repr(alongside.argument_types(signature)) == signature
    for code in ("__import__('os').system('true')", "Array.__class__", "open('x')", "(int64, print(1))"):
        with pytest.raises(ValueError):
            alongside.argument_types(code)
