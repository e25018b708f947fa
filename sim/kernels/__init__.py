"""Compiled per-person work: each process's month over the people it touches, in plain loops.

numba compiles these on first use and caches the machine code beside the package, so a fresh
install pays the compilation once. Random draws hash the person's key with the stream's salt
for the month (``sim.rng``, ``streams``): results do not depend on the order people are visited.
"""

import os
import sys

QUICK_OPT = "1"  # the LLVM optimisation level the package's own processes compile at (``compile_quickly``)
SWITCH = "WORKFORCE_COMPILE_ALONGSIDE"  # "0": a command compiles alone (as on a machine of one core)


def compiled(**options):
    """``numba.njit`` as the package compiles its functions: cached for the runs after, and without the C
    wrapper numba makes for every function, which nothing here calls (a pass calls another at its entry
    point, ``sim.kernels.month.entry``): about 0.8 s less of a first run's compiling. ``options`` are
    numba's: ``inline="always"`` inlines a helper's code where it is called, typed again at each place;
    ``forceinline=True`` has a small helper called from many places (a draw, a clock) typed and compiled
    once and LLVM inline its machine code, about 1.5 s less (``benchmarks/README.md``)."""
    import numba  # here, not above: the command line checks numba's settings before numba reads them

    return numba.njit(cache=True, no_cfunc_wrapper=True, **options)


def compile_quickly() -> None:
    """Have numba compile at LLVM optimisation level 1 in this process, unless ``NUMBA_OPT`` is set.

    The kernels are loops of gathers and scatters, which level 3's vectorising and unrolling do
    not make faster (the same figures at 1 and 3, ``benchmarks/README.md``), and which cost about a
    second more of a first run's compiling. The results are the same to the bit: without fast
    maths LLVM keeps IEEE arithmetic at every level. Only for processes the package owns (the
    command line, batch workers): imported as a library, it leaves its host's numba as it is. Python's
    cycle collector waits while they compile (``collect_after_compiling``).
    """
    if "NUMBA_OPT" not in os.environ:
        os.environ["NUMBA_OPT"] = QUICK_OPT
        from numba.core import config

        config.reload_config()
    collect_after_compiling()


def collect_after_compiling():
    """Pause Python's cycle collector while numba compiles, in this process: compiling makes millions of
    short-lived objects, and the collector went through those alive again and again (a twentieth of a
    first run's compiling, ``benchmarks/README.md``). It runs as usual between compiles, and after one
    that fails. Only for processes the package owns, as ``compile_quickly``. The numba listener,
    registered once a process."""
    global _pausing
    if _pausing is not None:
        return _pausing
    import gc

    from numba.core import event

    class Paused(event.Listener):
        depth, was = 0, False  # compiles under way (a pass compiles those it calls within its own)

        def on_start(self, ev):
            if self.depth == 0:
                self.was = gc.isenabled()
                gc.disable()
            self.depth += 1

        def on_end(self, ev):
            self.depth -= 1
            if self.depth == 0 and self.was:
                gc.enable()

    _pausing = Paused()
    event.register("numba:compile", _pausing)
    return _pausing


_pausing = None  # the listener ``collect_after_compiling`` registered in this process


def on_first_compile(say):
    """Call ``say()`` when this process first compiles one of the package's passes, which it does
    only when none is cached for this machine yet (a fresh install, or a pass changed since): so
    that the pause of a first run, several seconds, is explained where it happens. Loading cached
    passes says nothing, nor does compiling another library's. The numba listener, registered."""
    from numba.core import event

    class First(event.Listener):
        said = False

        def on_start(self, ev):
            if not self.said and ev.data["dispatcher"].py_func.__module__.startswith("sim."):
                self.said = True
                say()

        def on_end(self, ev):
            pass

    listener = First()
    event.register("numba:compile", listener)
    return listener


_first_model: list = []  # what this process does as it builds its first model (``on_first_model``)


def on_first_model(do) -> None:
    """Have ``do()`` called as this process builds its first model, before the model compiles any pass
    (``sim.kernels.alongside`` shares a first run's compiling so): once, however many models follow."""
    if do not in _first_model:
        _first_model.append(do)


def first_model() -> None:
    """What ``on_first_model`` asked for, done once: called by every model as it is built."""
    while _first_model:
        _first_model.pop(0)()


_announcement = None  # (message, flag shared with the workers this process starts): ``announce_first_compile``


def announce_first_compile(message: str) -> None:
    """Print ``message`` to standard error when this process, or a worker process it starts after
    (``sim.experiment.process_pool``), first compiles a pass: once among them all, so that a first
    batch's pause is explained too, and not by every worker."""
    global _announcement
    import multiprocessing

    _announcement = (message, multiprocessing.get_context("forkserver").Value("b", 0))
    on_first_compile(lambda: say_once(*_announcement))


def announcement():
    """What ``announce_first_compile`` gave this process, for the workers it starts (None: nothing)."""
    return _announcement


def say_once(message: str, said) -> None:
    """Print ``message`` to standard error unless a process sharing the flag ``said`` has."""
    with said.get_lock():
        first, said.value = not said.value, 1
    if first:
        print(message, file=sys.stderr, flush=True)
