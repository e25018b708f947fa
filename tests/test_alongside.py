"""A first run shares its compiling with a second process (``sim.kernels.alongside``): the two
claim the passes a run calls, each compiling those it claimed, so that none is compiled twice and
the run then loads them all; it is done only on a cold cache, once, where a second core and the
user allow, and waits for no process that has ended."""

import os
import subprocess
import sys
import threading
import time

import pytest

from conftest import REPO
from sim.kernels import alongside

COMPILED_IN = """
import sys
from numba.core import event
compiled = []
class Seen(event.Listener):
    def on_start(self, ev):
        function = ev.data["dispatcher"].py_func
        compiled.append(function.__module__ + ":" + function.__qualname__)
    def on_end(self, ev):
        pass
event.register("numba:compile", Seen())
{code}
print(*sorted(set(name for name in compiled if "<" not in name and not name.endswith(":_probe"))), sep="\\n")
"""
A_RUN = "import sim\nsim.WorkforceModel(until=2023, collect='yearly', rng=1).run()"
SHARING = "from pathlib import Path\nfrom sim.kernels import alongside\nalongside.share(Path(sys.argv[1]){})"


def _python(code: str, *arguments, cache) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NUMBA_CACHE_DIR": str(cache), alongside.SWITCH: "0"}
    return subprocess.Popen([sys.executable, "-c", COMPILED_IN.format(code=code), *map(str, arguments)], env=env,
                            stdout=subprocess.PIPE, text=True)


def _compiled(process: subprocess.Popen) -> set[str]:
    out, _ = process.communicate(timeout=900)
    assert process.returncode == 0
    return set(out.split())


def test_two_processes_share_the_passes_a_run_calls_and_the_run_then_compiles_none(tmp_path):
    claims, cache = tmp_path / "claims", tmp_path / "cache"
    claims.mkdir()
    first = _python(SHARING.format(""), claims, cache=cache)
    last = _python(SHARING.format(", waiting=False"), claims, cache=cache)
    ours, theirs = _compiled(first), _compiled(last)
    listed = {line.split(" ")[0] for line in alongside.SIGNATURES.read_text().splitlines()}
    assert ours and theirs and not (ours & theirs & listed)  # each pass compiled by one of them
    assert listed <= ours | theirs
    assert _compiled(_python(A_RUN, cache=cache)) == set(), (
        "a pass a run calls is not listed as it calls it: python -m sim.kernels.alongside --record")
    assert _compiled(_python(A_RUN, cache=tmp_path / "empty")) != set()  # the check can fail


@pytest.fixture
def listed(tmp_path, monkeypatch):
    """Four passes listed, the last calling the one before it, and those this process compiles (or loads)
    in order."""
    signatures = tmp_path / "signatures.txt"
    signatures.write_text("".join(f"sim.example:pass_{n} {calls} (int64,)\n" for n, calls in enumerate("---2")))
    monkeypatch.setattr(alongside, "SIGNATURES", signatures)
    compiled = []
    monkeypatch.setattr(alongside, "_compile", lambda line: compiled.append(int(line.split(" ")[0][-1])))
    claims = tmp_path / "claims"
    claims.mkdir()
    return claims, compiled


def test_a_process_compiles_those_it_claims_in_order_and_marks_them_done(listed):
    claims, compiled = listed
    alongside.share(claims)
    assert compiled == [0, 1, 2, 3]
    assert all((claims / str(n)).read_text() == str(os.getpid()) and (claims / f"{n}.done").exists()
               for n in range(4))


@pytest.mark.parametrize("theirs, waiting, order", [
    (1, True, [0, 2, 3, 1]),  # loaded after those this process claimed
    (2, False, [0, 1, 2, 3]),  # as the companion, which waits for none but those its passes call: 2, then 3
])
def test_a_pass_another_process_claimed_is_loaded_once_it_is_done_not_compiled_twice(listed, theirs, waiting, order):
    claims, compiled = listed
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        (claims / str(theirs)).write_text(str(other.pid))
        done = threading.Timer(0.3, (claims / f"{theirs}.done").touch)
        started = time.perf_counter()  # before the timer starts: it marks it done no sooner than 0.3 s after
        done.start()
        alongside.share(claims, waiting=waiting)
        assert compiled == order and time.perf_counter() - started >= 0.3  # loaded only once it was done
    finally:
        other.kill()
        other.wait()


def test_a_pass_claimed_by_a_process_that_ended_is_compiled_here_without_waiting(listed):
    claims, compiled = listed
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    (claims / "2").write_text(str(ended.pid))
    companion = subprocess.Popen([sys.executable, "-c", "pass"])  # this process's child, ended and not yet reaped
    (claims / "3").write_text(str(companion.pid))
    time.sleep(0.5)
    alongside.share(claims)
    assert compiled == [0, 1, 2, 3]


def test_a_process_that_does_not_wait_leaves_the_others_passes_alone(listed):
    claims, compiled = listed
    (claims / "0").write_text(str(os.getppid()))
    alongside.share(claims, waiting=False)
    assert compiled == [1, 2, 3]


def test_passes_are_claimed_after_those_they_call_those_called_first_then_the_costliest_first():
    calls = [set(), {0}, set(), {2}, {1, 2}, set()]  # 0 and 2 called, then 1; 3, 4 and 5 call none
    cost = [0.1, 0.2, 0.3, 4.0, 1.0, 2.0]
    order = alongside.claim_order(calls, cost)
    assert order == [2, 0, 1, 3, 5, 4]
    assert all(order.index(c) < order.index(k) for k in range(6) for c in calls[k])



def test_alone_every_pass_is_compiled_in_order_with_no_folder_of_claims(listed, monkeypatch):
    claims, compiled = listed
    monkeypatch.setattr(alongside, "claims_folder", lambda: None)  # none could be made: needed by nobody
    assert alongside.main([]) == 0
    assert compiled == [0, 1, 2, 3] and not list(claims.iterdir())

@pytest.fixture
def sharing(monkeypatch):
    """What ``before_compiling`` did: companions started and shares, in order."""
    done = []
    monkeypatch.setattr(alongside, "_sharing", None)
    monkeypatch.setattr(alongside, "_asked", False)
    monkeypatch.setattr(alongside, "enabled", lambda: True)
    monkeypatch.setattr(alongside, "start_alongside", lambda claims: done.append(("companion", claims)))
    monkeypatch.setattr(alongside, "share", lambda claims: done.append(("share", claims)))
    return done


@pytest.mark.parametrize("cold", [True, False])
@pytest.mark.parametrize("now", [False, True])
def test_a_command_shares_with_a_companion_on_a_cold_cache_once(sharing, monkeypatch, cold, now):
    monkeypatch.setattr(alongside, "cold", lambda: cold)
    alongside.before_compiling()
    assert sharing == []  # not asked to share
    alongside.compile_alongside(now=now)
    assert len(sharing) == (1 if now and cold else 0)  # the companion started at once, or at the first model
    alongside.before_compiling()
    alongside.compile_alongside(now=now)  # a second command in the same process: its passes are there
    alongside.before_compiling()
    if cold:
        (_, claims), shared = sharing
        assert claims.is_dir() and shared == ("share", claims)
    else:
        assert sharing == []


def test_a_worker_shares_with_the_others_and_starts_no_companion(sharing, monkeypatch, tmp_path):
    monkeypatch.setattr(alongside, "cold", lambda: True)
    alongside.share_with(tmp_path)
    alongside.before_compiling()
    assert sharing == [("share", tmp_path)]


def test_where_no_folder_of_claims_can_be_made_or_it_is_gone_nothing_is_shared_and_the_run_goes_on(
        monkeypatch, tmp_path):
    import tempfile

    def refused(**_):
        raise PermissionError("no temporary folder")

    started = []
    monkeypatch.setattr(alongside, "_sharing", None)
    monkeypatch.setattr(alongside, "_asked", False)
    monkeypatch.setattr(alongside, "enabled", lambda: True)
    monkeypatch.setattr(alongside, "cold", lambda: True)
    monkeypatch.setattr(alongside, "start_alongside", started.append)
    monkeypatch.setattr(alongside, "_compile", lambda line: pytest.fail("compiled"))
    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    alongside.compile_alongside(now=True)
    alongside.before_compiling()
    monkeypatch.setattr(alongside, "_asked", False)  # a worker of a pool whose folder was removed
    shared, share = [], alongside.share
    monkeypatch.setattr(alongside, "share", lambda *a: shared.append(a) or share(*a))
    alongside.share_with(tmp_path / "gone")
    alongside.before_compiling()
    assert started == [] and alongside._sharing is None and shared == [(tmp_path / "gone",)]


@pytest.mark.parametrize("switch, cores", [("0", 2), ("1", 1)])
def test_nothing_is_shared_when_switched_off_or_on_one_core(monkeypatch, switch, cores):
    monkeypatch.setenv(alongside.SWITCH, switch)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(alongside, "_sharing", None)
    monkeypatch.setattr(alongside, "_asked", False)
    monkeypatch.setattr(alongside, "cold", lambda: pytest.fail("asked"))
    alongside.compile_alongside()
    alongside.before_compiling()


def test_the_cache_is_cold_only_where_the_probe_was_compiled_not_loaded_and_never_run_as_python(tmp_path,
                                                                                              monkeypatch):
    code = "from sim.kernels import alongside\nprint(alongside.cold())"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NUMBA_CACHE_DIR": str(tmp_path)}
    said = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert said == ["True\n", "False\n"]
    monkeypatch.setattr(alongside.numba.config, "DISABLE_JIT", True)
    assert not alongside.cold()


def test_a_companion_still_compiling_is_stopped():
    companion = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    alongside._stop(companion)
    assert companion.returncode is not None


def test_the_listed_argument_types_are_read_back_and_never_run_as_code():
    for line in alongside.SIGNATURES.read_text().splitlines():
        signature = line.split(" ", 2)[2]
        assert repr(alongside.argument_types(signature)) == signature
    for code in ("__import__('os').system('true')", "Array.__class__", "open('x')", "(int64, print(1))"):
        with pytest.raises(ValueError):
            alongside.argument_types(code)
