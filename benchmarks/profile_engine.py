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

    seconds, calls, timed_wall = compiled_calls(replicate)
    total = sum(seconds.values())
    print(f"compiled passes called from Python: {total:.3f} s of {timed_wall:.3f} s in {sum(calls.values()):,} calls "
          f"(dispatch included); the rest, {timed_wall - total:.3f} s, is Python and numpy between them")
    for name, s in seconds.most_common(args.top):
        print(f"  {name:<24} {1e3 * s:7.2f} ms  {calls[name]:6,d} calls")
    return {"wall_s": wall, "calls": stats.total_calls, "timings": dict(model.timings), "compiled_s": dict(seconds)}


def compiled_calls(replicate) -> tuple[Counter, Counter, float]:
    """Seconds and calls of each compiled pass called from Python in one ``replicate()`` (timing each
    call adds about half a microsecond to it), and the run's wall time. Calls between compiled
    passes are compiled code's own and are counted in their caller."""
    seconds, calls = Counter(), Counter()
    timed: dict = {}

    def timing(dispatcher):
        if dispatcher not in timed:
            name = dispatcher.py_func.__qualname__

            def call(*args):
                started = time.perf_counter()
                try:
                    return dispatcher(*args)
                finally:
                    seconds[name] += time.perf_counter() - started
                    calls[name] += 1
            timed[dispatcher] = call
        return timed[dispatcher]

    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(sim.__path__, "sim.")
               if m.name not in ("sim.__main__", "sim.app")]  # the command line runs on import; the app needs solara
    replaced = [(module, name, value) for module in modules for name, value in vars(module).items()
                if isinstance(value, CPUDispatcher)]
    for module, name, value in replaced:
        setattr(module, name, timing(value))
    try:
        started = time.perf_counter()
        replicate()
        return seconds, calls, time.perf_counter() - started
    finally:
        for module, name, value in replaced:
            setattr(module, name, value)


if __name__ == "__main__":
    main(sys.argv[1:])
