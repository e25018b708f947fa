"""Where one replication's time goes: ``cProfile`` over a run, with the time in each process.

Profiling slows every Python call, so read the shares, not the seconds. Prints the functions
with the most time of their own, and ``model.timings`` (time in each monthly process and in
collecting aggregates) from an unprofiled run of the same seed. Then the time in the compiled
passes called from Python, dispatch included, by pass, from another run of the same seed whose
calls are each timed: what is left of the run is Python and numpy between them, the part a month
compiled as one call would save.

    python benchmarks/profile_engine.py [--scenario NAME_OR_PATH] [--until YEAR] [--collect monthly|yearly] [--top N]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import pkgutil
import pstats
import sys
import time
from collections import Counter

from numba.core.registry import CPUDispatcher

import sim
from sim.processes.order import STEP_ORDER
from sim.processes.passes import Passes


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=sim.scenario.DEFAULT)
    parser.add_argument("--until", type=int, default=None, help="last year (default: the scenario's end)")
    parser.add_argument("--collect", default="yearly", choices=["monthly", "yearly"])
    parser.add_argument("--top", type=int, default=20, help="functions listed (default 20)")
    args = parser.parse_args(argv)

    def replicate():
        return sim.WorkforceModel(scenario=args.scenario, until=args.until, collect=args.collect, rng=1).run()

    first_year = sim.calendar.year_of(sim.load_scenario(args.scenario).start)
    sim.WorkforceModel(scenario=args.scenario, until=first_year + 1, collect=args.collect, rng=2).run()  # warm-up
    started = time.perf_counter()
    model = replicate()
    wall = time.perf_counter() - started
    print(f"one replication of {args.scenario} to {sim.calendar.label(model.end)}, collecting {args.collect}: {wall:.3f} s")
    for name, seconds in sorted(model.timings.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<12} {100 * seconds / wall:5.1f}%")
    print(f"  {'other':<12} {100 * (wall - sum(model.timings.values())) / wall:5.1f}%   (building the model)")

    profile = cProfile.Profile()
    profile.runcall(replicate)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(args.top)
    print(f"\nprofiled: {stats.total_calls:,} Python-level calls, {stats.total_calls / max(model.now - model.inputs.start, 1):,.0f} a month")
    print(out.getvalue())

    seconds, calls, timed_wall, by_process = compiled_calls(replicate)
    total = sum(seconds.values())
    print(f"compiled passes called from Python: {total:.3f} s of {timed_wall:.3f} s in {sum(calls.values()):,} calls "
          f"(dispatch included); the rest, {timed_wall - total:.3f} s, is Python and numpy between them")
    for name, s in seconds.most_common(args.top):
        print(f"  {name:<24} {1e3 * s:7.2f} ms  {calls[name]:6,d} calls")
    print("\nby process: its time, in its compiled passes, and in Python and numpy around them (what compiling "
          "the process's month as one call would save)")
    for name, (spent, compiled) in sorted(by_process.items(), key=lambda kv: -kv[1][0]):
        print(f"  {name:<24} {1e3 * spent:7.2f} ms  {1e3 * compiled:7.2f} ms  {1e3 * (spent - compiled):7.2f} ms")
    return {"wall_s": wall, "calls": stats.total_calls, "timings": dict(model.timings), "compiled_s": dict(seconds),
            "by_process": by_process}


OUTSIDE = "outside processes"


def compiled_calls(replicate) -> tuple[Counter, Counter, float, dict[str, tuple[float, float]]]:
    """Seconds and calls of each compiled pass called from Python in one ``replicate()`` (timing each
    call adds about half a microsecond to it), the run's wall time, and each monthly process's
    seconds, all told and in compiled passes (and ``OUTSIDE`` them: building the model, collecting,
    the month's own bookkeeping). Calls between compiled passes are compiled code's own and are
    counted in their caller."""
    seconds, calls = Counter(), Counter()
    spent, compiled = Counter(), Counter()
    running = [OUTSIDE]
    timed: dict = {}

    def timing(dispatcher):
        if dispatcher not in timed:
            name = dispatcher.py_func.__qualname__

            def call(*args):
                started = time.perf_counter()
                try:
                    return dispatcher(*args)
                finally:
                    took = time.perf_counter() - started
                    seconds[name] += took
                    calls[name] += 1
                    compiled[running[-1]] += took
            timed[dispatcher] = call
        return timed[dispatcher]

    def stepping(step):
        # a process's step, or a group of compiled passes' months (named as a string)
        def timed_step(self, *args, **kwargs):
            running.append(self.name if isinstance(self.name, str) else self.name())
            started = time.perf_counter()
            try:
                return step(self, *args, **kwargs)
            finally:
                spent[running.pop()] += time.perf_counter() - started
        return timed_step

    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(sim.__path__, "sim.")
               if m.name not in ("sim.__main__", "sim.app")]  # the command line runs on import; the app needs solara
    replaced = [(module, name, value) for module in modules for name, value in vars(module).items()
                if isinstance(value, CPUDispatcher)]
    for module, name, value in replaced:
        setattr(module, name, timing(value))
    # each process's step, and a group of passes' months (its ``step`` is a month of them)
    steps = [(owner, "step", vars(owner).get("step")) for owner in STEP_ORDER] + [(Passes, "run", Passes.run)]
    for owner, name, _ in steps:
        setattr(owner, name, stepping(getattr(owner, name)))
    try:
        started = time.perf_counter()
        replicate()
        wall = time.perf_counter() - started
        spent[OUTSIDE] = wall - sum(spent.values())
        return seconds, calls, wall, {name: (spent[name], compiled[name]) for name in spent}
    finally:
        for module, name, value in replaced:
            setattr(module, name, value)
        for owner, name, step in steps:
            if step is None:  # inherited: the class gets none of its own back
                delattr(owner, name)
            else:
                setattr(owner, name, step)


if __name__ == "__main__":
    main(sys.argv[1:])
