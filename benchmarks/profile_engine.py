"""Where one replication's time goes: ``cProfile`` over a run, with the time in each process.

Profiling slows every Python call, so read the shares, not the seconds. Prints the functions
with the most time of their own, and ``model.timings`` (time in each monthly process and in
collecting aggregates) from an unprofiled run of the same seed.

    python benchmarks/profile_engine.py [--scenario NAME_OR_PATH] [--until YEAR] [--collect monthly|yearly] [--top N]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time

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
    return {"wall_s": wall, "calls": stats.total_calls, "timings": dict(model.timings)}


if __name__ == "__main__":
    main(sys.argv[1:])
