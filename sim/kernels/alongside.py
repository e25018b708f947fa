"""A first run's compiling, shared with a second process on the machine's other core.

numba compiles each pass when it is first called, one after another, so the first run after
installing waits for them all (``benchmarks/bench_first_run.py``). When a ``workforce`` command
first compiles (nothing is cached for this machine yet), it starts one more process that compiles
the passes from the last a run calls back towards the first, caching each (``SIGNATURES``: their
argument types, as a default run calls them). The command meanwhile compiles from the first, and
loads from the cache each pass the other has done: the two meet in the middle. Every other batch
worker does the same before its first run (``sim.experiment``). The machine code is the same
whichever process compiled it, so results are too.

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

SIGNATURES = Path(__file__).with_name("signatures.txt")
MODULE = "sim.kernels.alongside"  # as ``python -m`` runs it
SWITCH = "WORKFORCE_COMPILE_ALONGSIDE"  # "0": a command compiles alone (as on a machine of one core)


def used_by_a_run(until: int = 2023) -> list[str]:
    """The compiled passes of a default run and their argument types, a line each (``module:name
    types``): those it compiled, in the order it did (a pass called from another within it), then
    those it loaded from the cache (in a fresh process)."""
    from numba.core import event
    from numba.core.registry import CPUDispatcher

    from ..model import WorkforceModel

    first: list = []

    class Order(event.Listener):
        def on_start(self, ev):
            d = ev.data["dispatcher"]
            if isinstance(d, CPUDispatcher) and d not in first:
                first.append(d)

        def on_end(self, ev):
            pass

    with event.install_listener("numba:compile", Order()):
        WorkforceModel(until=until, collect="yearly", rng=1).run()
    loaded = [d for d in _dispatchers() if d.signatures and d not in first]
    return [f"{d.py_func.__module__}:{d.py_func.__qualname__} {sig!r}" for d in first + loaded
            if d.py_func.__module__.startswith("sim.") and "<" not in d.py_func.__qualname__ for sig in d.signatures]


def record() -> list[str]:
    """The passes a run calls from Python (``used_by_a_run`` with everything cached: a pass called
    only from another is cached with it), in the order a first run calls them (``used_by_a_run``
    with nothing cached: a folder of its own for numba's cache), each in a fresh process."""
    import tempfile

    def listed(cache: str) -> list[str]:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "NUMBA_OPT": os.environ.get("NUMBA_OPT", "1")}
        return subprocess.run([sys.executable, "-c", f"import {MODULE} as a; print(*a.used_by_a_run(), sep='\\n')"],
                              env=env, check=True, capture_output=True, text=True).stdout.splitlines()

    with tempfile.TemporaryDirectory() as cache:
        first, called = listed(cache), listed(cache)
    return [line for line in first if line in called] + [line for line in called if line not in first]


def _dispatchers() -> list:
    """The compiled passes of the package's modules imported so far."""
    from numba.core.registry import CPUDispatcher

    return [v for name, module in list(sys.modules.items()) if name.startswith("sim.")
            for v in vars(module).values() if isinstance(v, CPUDispatcher) and v.py_func.__module__ == name]


def compile_ahead() -> None:
    """Compile (or load, if cached) the passes of ``SIGNATURES`` from the last to the first."""
    for line in reversed(SIGNATURES.read_text().splitlines()):
        where, signature = line.split(" ", 1)
        module, name = where.split(":")
        getattr(importlib.import_module(module), name).compile(argument_types(signature))


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


def compile_alongside():
    """Start the process that compiles alongside (``start_alongside``) when this process first
    compiles one of the package's passes (``sim.kernels.on_first_compile``): only then is nothing
    cached. Once a process: the numba listener that waits for it, or None if one already does."""
    global _listening
    if _listening:
        return None
    _listening = True
    from . import on_first_compile

    return on_first_compile(start_alongside)


_listening = False  # whether this process listens for its first compile (``compile_alongside``)


def start_alongside() -> subprocess.Popen | None:
    """Start the process that compiles from the last pass (``compile_ahead``), unless the machine has
    one core or ``WORKFORCE_COMPILE_ALONGSIDE`` is ``0``. It inherits this process's environment (so
    numba's level and cache folder), writes nothing but numba's cache, says nothing, and is stopped
    when this process ends: by then this one has compiled or loaded all it needed."""
    if not enabled():
        return None
    import atexit

    companion = subprocess.Popen([sys.executable, "-m", MODULE], stdin=subprocess.DEVNULL,
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
    if argv == ["--record"]:
        SIGNATURES.write_text("\n".join(record()) + "\n")
        return 0
    from . import collect_after_compiling

    collect_after_compiling()  # its own process: the package's, as the command's
    compile_ahead()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
