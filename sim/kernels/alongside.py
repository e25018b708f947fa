"""A first run's compiling, shared with a second process on the machine's other core.

numba compiles each pass when it is first called, one after another, so the first run after
installing waits for them all (``benchmarks/bench_first_run.py``). When a ``workforce`` command
builds its first model and nothing is cached for this machine yet (``cold``), it starts one more
process, and the two share the functions a run compiles (``SIGNATURES``: their argument types, as a
default run calls them, and which of them each calls): each takes the next one the other has not
claimed (a file in a folder the two share, ``share``), so that none is compiled twice, and compiles
it, loading first, once cached, any it calls that the other compiled; the command then loads those
the other compiled and goes on. They are listed so that the two end close together: those called by
others first, then the rest costliest first (``claim_order``). A command that runs its models
itself starts the other process as it starts, to compile while the command reads its scenario. A
batch's workers share them alike (``sim.experiment``). The machine code is the same whichever
process compiled it, so results are too.

``SIGNATURES`` is regenerated with ``python -m sim.kernels.alongside --record`` when a pass's
arguments change (``tests/test_alongside.py`` says when); a signature it lacks or has wrong costs
only the time, as the command then compiles that pass itself.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import numba

from . import SWITCH, compiled, on_first_model

SIGNATURES = Path(__file__).with_name("signatures.txt")
MODULE = "sim.kernels.alongside"  # as ``python -m`` runs it


def used_by_a_run(until: int = 2023) -> list[str]:
    """The compiled functions a default run compiles in a process with nothing cached, a line each
    (``module:name callees types``: ``callees`` the lines of those it calls, by number, or ``-``), in the
    order to claim them (``claim_order``)."""
    import time

    from numba.core import event

    from ..model import WorkforceModel

    spent: dict = {}  # each function's own compiling: its time less that of the functions compiled within it
    under: list = []  # the compiles under way, each with the time it started and that of those within it

    class Timed(event.Listener):
        def on_start(self, ev):
            under.append([ev.data["dispatcher"], time.perf_counter(), 0.0])

        def on_end(self, ev):
            dispatcher, started, within = under.pop()
            took = time.perf_counter() - started
            spent[dispatcher] = spent.get(dispatcher, 0.0) + took - within
            if under:
                under[-1][2] += took

    with event.install_listener("numba:compile", Timed()):
        WorkforceModel(until=until, collect="yearly", rng=1).run()
    functions = [(d, sig) for d in spent if d.py_func.__module__.startswith("sim.")
                 and "<" not in d.py_func.__qualname__ for sig in d.signatures]
    of_library = {id(d.overloads[sig].library): k for k, (d, sig) in enumerate(functions)}
    # a function calls those whose code numba links into its own (numba's record of them, not a public one)
    calls = [{of_library[id(lib)] for lib in d.overloads[sig].library._linking_libraries if id(lib) in of_library}
             for d, sig in functions]
    order = claim_order(calls, [spent[d] for d, _ in functions])
    place = {k: n for n, k in enumerate(order)}
    return [f"{d.py_func.__module__}:{d.py_func.__qualname__} "
            f"{','.join(str(place[c]) for c in sorted(calls[k], key=place.get)) or '-'} {sig!r}"
            for k in order for d, sig in [functions[k]]]


def claim_order(calls: list[set[int]], cost: list[float]) -> list[int]:
    """The order in which the processes sharing the compiling claim the functions: every function after
    those it calls (compiled first on their own, so that no two processes compile one within two
    callers at once), those called by others first, the rest costliest first, so that the two end
    near each other (the last to end waits for the other's last, which is small)."""
    called = set().union(*calls)
    placed: list[int] = []
    left = set(range(len(calls)))
    while left:
        ready = [k for k in left if calls[k] <= set(placed)]
        k = min(ready, key=lambda k: (k not in called, -cost[k]))
        placed.append(k)
        left.remove(k)
    return placed


def record() -> list[str]:
    """The lines of ``SIGNATURES``: ``used_by_a_run`` in a fresh process with a folder of its own for
    numba's cache."""
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "NUMBA_OPT": os.environ.get("NUMBA_OPT", "1")}
        return subprocess.run([sys.executable, "-c", f"import {MODULE} as a; print(*a.used_by_a_run(), sep='\\n')"],
                              env=env, check=True, capture_output=True, text=True).stdout.splitlines()


def share(claims: Path, waiting: bool = True) -> None:
    """Compile (or load, if cached) the functions of ``SIGNATURES`` that no process sharing the folder
    ``claims`` has claimed, in their order, claiming each before it compiles it, and loading first those it
    calls that another claimed, once they are cached; then, ``waiting``, load each other one another
    claimed once it is cached (or compile it, if that process ended first)."""
    lines = SIGNATURES.read_text().splitlines()
    theirs = []
    for number, line in enumerate(lines):
        if _claim(claims, number):
            for callee in _calls(line):
                if callee in theirs:  # loaded before this one is compiled, not compiled again within it
                    theirs.remove(callee)
                    _wait(claims, callee)
                    _compile(lines[callee])
            _compile(line)
            (claims / f"{number}.done").touch()
        else:
            theirs.append(number)
    for number in theirs if waiting else ():
        _wait(claims, number)
        _compile(lines[number])


def _calls(line: str) -> list[int]:
    """The lines of the functions the function of a line of ``SIGNATURES`` calls."""
    callees = line.split(" ", 2)[1]
    return [] if callees == "-" else [int(n) for n in callees.split(",")]


def _claim(claims: Path, number: int) -> bool:
    """Claim the ``number``th pass for this process, unless another has: the claim (this process's
    number) is written whole, then linked, which only one process can do."""
    draft = claims / f".{number}.{os.getpid()}"
    draft.write_text(str(os.getpid()))
    try:
        os.link(draft, claims / str(number))
        return True
    except FileExistsError:
        return False
    finally:
        draft.unlink()


def _wait(claims: Path, number: int, pause: float = 0.01) -> None:
    """Wait until the process that claimed the ``number``th pass has cached it or has ended."""
    import time

    owner = int((claims / str(number)).read_text())
    while not (claims / f"{number}.done").exists() and not _ended(owner):
        time.sleep(pause)


def _ended(pid: int) -> bool:
    """Whether the process ``pid`` has ended (a child of this one that has ended is reaped)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return True
    except ChildProcessError:  # not this process's child
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        pass
    return False


def _compile(line: str) -> None:
    """Compile (or load) the pass of a line of ``SIGNATURES``; one that fails is left to the run, which
    compiles what it calls as it calls it (and says what is wrong, if something is)."""
    where, _, signature = line.split(" ", 2)
    module, name = where.split(":")
    try:
        getattr(importlib.import_module(module), name).compile(argument_types(signature))
    except Exception:  # noqa: BLE001 - a saving only
        pass


def argument_types(text: str) -> tuple:
    """numba's argument types from their ``repr`` (``(Array(int64, 1, 'C', False, aligned=True), int64)``),
    read as the few forms a pass's arguments take, never evaluated as code."""
    import ast

    from numba import types

    def read(node):
        if isinstance(node, ast.Tuple):
            return tuple(read(x) for x in node.elts)
        if isinstance(node, ast.Constant):
            return node.value
        found = types.boolean if isinstance(node, ast.Name) and node.id == "bool" else getattr(types, getattr(
            node, "id", ""), None)
        if isinstance(found, types.Type):
            return found
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Array", "Tuple", "UniTuple"):
            return getattr(types, node.func.id)(*map(read, node.args), **{k.arg: read(k.value) for k in node.keywords})
        raise ValueError(f"a numba type, not {ast.unparse(node)}")

    return read(ast.parse(text, mode="eval").body)


def compile_alongside(now: bool = False) -> None:
    """Have this process share its first run's compiling with a companion process it starts
    (``start_alongside``), if nothing is cached yet when it first builds a model
    (``before_compiling``), where the machine and the user allow (``enabled``). ``now``: look and
    start the companion at once (a command that runs models in this process, so that the companion
    starts compiling as the command reads its scenario)."""
    global _sharing
    if _asked:
        return
    share_with(None)
    if now and _sharing is not None and cold():
        claims = _companion()
        _sharing = None if claims is None else (claims,)


def share_with(claims: Path | None) -> None:
    """Have this process share the compiling of the passes (``share``) if nothing is cached yet when it
    first builds a model (``before_compiling``): with the processes sharing the folder ``claims`` (a
    batch's workers), or, given None, with a companion it starts and a folder of claims of its own. Once
    a process; nothing, where the machine or the user does not allow it."""
    global _sharing, _asked
    if enabled() and not _asked:
        _sharing, _asked = (claims,), True
        on_first_model(before_compiling)


_sharing = None  # with whom this process shares its first compiling: (its folder of claims, or None for a
# companion's, ``share_with``); None once done
_asked = False  # whether this process was asked to share (once a process: its later models find the passes)


def before_compiling() -> None:
    """Share the compiling as ``share_with`` asked, if this process is to and nothing is cached yet
    (``cold``): as a model is first built (``sim.kernels.on_first_model``), before any pass is
    compiled, since a pass cannot be compiled while numba compiles another that it calls."""
    global _sharing
    if _sharing is None:
        return
    (claims,) = _sharing
    _sharing = None
    if cold():  # still so once the companion is started (``compile_alongside``)
        claims = claims or _companion()
        try:
            if claims is not None:
                share(claims)
        except OSError:  # the folder of claims gone or full: the run compiles what it calls, as it calls it
            pass


def _companion() -> Path | None:
    """Start a companion (``start_alongside``) sharing a new folder of claims, and give the folder;
    None where either cannot be made."""
    claims = claims_folder()
    if claims is None:
        return None
    try:
        start_alongside(claims)
    except OSError:
        return None
    return claims


@compiled()
def _probe():
    return 0


def cold() -> bool:
    """Whether numba's cache holds nothing of the package's for this machine yet (a fresh install, or
    another cache folder): as the small ``_probe`` is cached or not. Never, run as Python."""
    if numba.config.DISABLE_JIT:
        return False
    _probe()
    return bool(_probe.stats.cache_misses)


def claims_folder() -> Path | None:
    """A new folder for processes to claim passes in (``share``), removed when this process ends; None
    where no temporary folder can be made (nothing is shared then)."""
    import atexit
    import shutil
    import tempfile

    try:
        folder = Path(tempfile.mkdtemp(prefix="workforce-compiling-"))
    except OSError:
        return None
    atexit.register(shutil.rmtree, folder, True)
    return folder


def start_alongside(claims: Path) -> subprocess.Popen:
    """Start the process that shares the compiling (``share``), claiming in the folder ``claims``. It
    inherits this process's environment (so numba's level and cache folder),
    writes nothing but numba's cache and its claims, says nothing, and is stopped when this process
    ends: by then this one has loaded all the other compiled."""
    import atexit

    companion = subprocess.Popen([sys.executable, "-m", MODULE, str(claims)], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(_stop, companion)
    return companion


def enabled() -> bool:
    """Whether to compile alongside: on a machine of two cores or more, unless switched off."""
    return os.environ.get(SWITCH, "1") != "0" and (os.cpu_count() or 1) >= 2


def _stop(companion: subprocess.Popen) -> None:
    """End the companion if it is still compiling (numba writes each cache file whole, by renaming)."""
    if companion.poll() is None:
        companion.terminate()
        companion.wait()


def main(argv: list[str]) -> int:
    """``--record``: list the passes again; a folder: share the compiling claimed there; nothing: compile
    every pass."""
    if argv == ["--record"]:
        SIGNATURES.write_text("\n".join(record()) + "\n")
        return 0
    from . import collect_after_compiling

    collect_after_compiling()  # its own process: the package's, as the command's
    if argv:
        share(Path(argv[0]), waiting=False)
    else:  # alone: nothing to claim from anyone
        for line in SIGNATURES.read_text().splitlines():
            _compile(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
