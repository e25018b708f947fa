"""The package against object-per-agent Mesa, side by side, and how the package's cost grows with size.

Both models run the same scenario in the same process: the shipped default scenario restricted
to the psychiatry and nursing pathways, without joiners (``reference_mesa.reduced_scenario``),
scaled to a given starting population as ``bench_engine.py`` scales its synthetic scenario.
The script prints, and never asserts:

1. side by side, at each ``--compare`` size: person-months per second of ``sim.WorkforceModel``
   and of ``reference_mesa.ReferenceModel`` (one ``mesa.Agent`` per person), and their ratio.
   Target: the package at least 300 times the reference's throughput (1,000 times from a
   million people).
2. the package alone at each ``--sizes`` size (10,000, 100,000 and 1,000,000 people by
   default): throughput, time per person-month relative to the smallest size (linearity;
   target: within 20% of linear, i.e. at most 1.2), and peak memory under ``tracemalloc``
   in bytes per person of the starting population (target: under 300).
3. the package's cost as a fixed part a month plus a part per person-month (fitted over the
   sizes of 2.), and from that the starting population above which it runs at least 300 times
   the reference's throughput (with the reference's lowest cost per person-month measured).

Wall times cover building a model (its starting population) and running it, after one untimed run of
the same scenario by each model (``timed``); person-months
are the people counted in stocks (in training, in post or returned) summed over the simulated
months, the same definition for both models. Both are single-threaded.

    python benchmarks/bench_vs_mesa.py [--quick] [--years Y] [--sizes N ...] [--compare N ...]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import reference_mesa  # noqa: E402  (beside this file)
import sim  # noqa: E402

TARGET_RATIO = 300.0  # package / reference person-months per second, at least (10,000 people)
TARGET_RATIO_LARGE = 1_000.0  # the same, from 1,000,000 people


def target_ratio(people: int) -> float:
    """The ratio aimed at for a starting population: 300 times, and 1,000 times from a million people."""
    return TARGET_RATIO_LARGE if people >= 1_000_000 else TARGET_RATIO
TARGET_LINEARITY = 1.2  # time per person-month at the largest size / at the smallest, at most
TARGET_BYTES = 300.0  # peak traced bytes per person, under


def package_run(path, seed: int) -> tuple[int, int, float]:
    """(starting population, person-months, wall seconds) of one package replication."""
    started = time.perf_counter()
    model = sim.WorkforceModel(scenario=path, rng=seed).run()
    wall = time.perf_counter() - started
    counts = [int(r["stage_headcount"].sum()) for r in model.history]
    return counts[0], sum(counts[1:]), wall


def reference_run(path, seed: int) -> tuple[int, int, float]:
    """(starting population, person-months, wall seconds) of one reference replication."""
    started = time.perf_counter()
    model = reference_mesa.ReferenceModel(path, rng=seed).run()
    wall = time.perf_counter() - started
    counts = [sum(h) for h in model.history]
    return counts[0], sum(counts[1:]), wall


def timed(run, path, reps: int) -> dict:
    """Replications with seeds 1..reps: mean wall time, person-months per second. Each model first runs the
    scenario once untimed (seed 0), so that what a process does once for a scenario file (reading and
    compiling it, which the reference reads through the package and so found done by the package's runs)
    is in neither model's figures."""
    run(path, 0)
    gc.collect()
    walls, pms = [], []
    for seed in range(1, reps + 1):
        start_pop, pm, wall = run(path, seed)
        walls.append(wall)
        pms.append(pm)
        gc.collect()
    return {"start_population": start_pop, "reps": reps, "wall_s": sum(walls) / reps, "min_s": min(walls),
            "max_s": max(walls), "person_months": sum(pms) / reps, "person_months_per_s": sum(pms) / sum(walls)}


def traced_peak_bytes(run, path, seed: int) -> int:
    """tracemalloc peak of one replication (not timed: tracing slows allocation)."""
    gc.collect()
    tracemalloc.start()
    run(path, seed)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    gc.collect()
    return peak


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def side_by_side(people: int, years: int, directory: Path, reps: int, ref_reps: int) -> dict:
    path = reference_mesa.reduced_scenario(directory, people=people, years=years)
    package = timed(package_run, path, reps)
    reference = timed(reference_run, path, ref_reps)
    ratio = package["person_months_per_s"] / reference["person_months_per_s"]
    print(f"\n== side by side: {package['start_population']:,} people at the start, {years} year(s) ==")
    for label, r in (("package (sim.WorkforceModel)", package), ("reference (mesa.Agent per person)", reference)):
        print(f"  {label:<34} {r['person_months_per_s']:12,.0f} person-months/s   {r['wall_s']:8.3f} s per "
              f"replication (mean of {r['reps']}; min {r['min_s']:.3f}, max {r['max_s']:.3f})")
    target = target_ratio(people)
    print(f"  ratio package / reference          {ratio:12.1f}x   target >= {target:g}x: {verdict(ratio >= target)}")
    return {"people": people, "years": years, "package": package, "reference": reference, "ratio": ratio}


def scaling(sizes: list[int], years: list[int], directory: Path, reps: list[int]) -> list[dict]:
    rows = []
    print("\n== the package alone: throughput, linearity and memory ==")
    for people, y, r in zip(sizes, years, reps):
        path = reference_mesa.reduced_scenario(directory, people=people, years=y)
        row = timed(package_run, path, r)
        row.update(people=people, years=y, peak_bytes=traced_peak_bytes(package_run, path, seed=r + 1))
        row["bytes_per_person"] = row["peak_bytes"] / row["start_population"]
        row["s_per_person_month"] = 1.0 / row["person_months_per_s"]
        rows.append(row)
    base = rows[0]["s_per_person_month"]
    print(f"  {'people at start':>15} {'years':>5} {'reps':>4} {'s/replication':>13} {'person-months/s':>16} "
          f"{'cost vs smallest':>16} {'peak MB':>8} {'bytes/person':>12}  (target < {TARGET_BYTES:g})")
    for row in rows:
        row["linearity"] = row["s_per_person_month"] / base
        print(f"  {row['start_population']:>15,} {row['years']:>5} {row['reps']:>4} {row['wall_s']:>13.3f} "
              f"{row['person_months_per_s']:>16,.0f} {row['linearity']:>16.2f} {row['peak_bytes'] / 2**20:>8.1f} "
              f"{row['bytes_per_person']:>12.0f}  {verdict(row['bytes_per_person'] < TARGET_BYTES)}")
    first, last = rows[0], rows[-1]
    print(f"  cost per person-month at {last['start_population']:,} people relative to {first['start_population']:,}: "
          f"{last['linearity']:.2f}   target <= {TARGET_LINEARITY:g} (within 20% of linear): "
          f"{verdict(last['linearity'] <= TARGET_LINEARITY)}")
    if len(rows) > 1:  # what one more person costs, without the fixed costs of a run
        a, b = rows[-2], rows[-1]
        extra = b["start_population"] - a["start_population"]
        print(f"  marginal peak memory from {a['start_population']:,} to {b['start_population']:,} people: "
              f"{(b['peak_bytes'] - a['peak_bytes']) / extra:.0f} bytes per person")
    return rows


def cost_model(rows: list[dict], compared: list[dict]) -> dict | None:
    """The package's time a month as fixed + per person-month x person-months a month, fitted to
    the ``rows`` of ``scaling`` (relative errors, so every size counts alike), and the starting
    population from which its throughput reaches ``TARGET_RATIO`` times the reference's cost per
    person-month at its cheapest among ``compared``. None with fewer than two sizes."""
    if len(rows) < 2:
        return None
    months = np.array([12.0 * r["years"] for r in rows])
    per_month = np.array([r["wall_s"] for r in rows]) / months  # building included, spread over the months
    load = np.array([r["person_months"] for r in rows]) / months  # people counted a month
    per_pm, fixed = np.polyfit(load, per_month, 1, w=1.0 / per_month)
    model = {"fixed_s_per_month": float(fixed), "s_per_person_month": float(per_pm), "break_even_people": None}
    print(f"\n== the package's cost: {fixed * 1e3:.3f} ms a month + {per_pm * 1e9:.1f} ns a person-month "
          f"(fitted over {len(rows)} sizes) ==")
    if not compared:
        return model
    reference = min(1.0 / c["reference"]["person_months_per_s"] for c in compared)
    model["reference_s_per_person_month"] = reference
    margin = reference / TARGET_RATIO - per_pm  # what a person-month may cost beyond the package's own
    if margin <= 0 or fixed <= 0:
        print(f"  reference: {reference * 1e6:.2f} us a person-month; {TARGET_RATIO:g}x is "
              f"{'never' if margin <= 0 else 'always'} reached at these costs")
        return model
    counted = np.mean([r["person_months"] / (12.0 * r["years"] * r["start_population"]) for r in rows])
    model["break_even_people"] = float(fixed / margin / counted)
    print(f"  reference: {reference * 1e6:.2f} us a person-month at its cheapest; the package reaches "
          f"{TARGET_RATIO:g}x from about {model['break_even_people']:,.0f} people at the start, or fewer "
          f"(the reference costs more a person-month with more people)")
    return model


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one year, one replication (smoke run)")
    parser.add_argument("--years", type=int, default=None, help="years simulated (default 5; 1 with --quick)")
    parser.add_argument("--big-years", type=int, default=None,
                        help="years simulated at 1,000,000 people or more (default: --years)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="starting populations for the package alone (default 10000 100000 1000000)")
    parser.add_argument("--compare", type=int, nargs="+", default=None,
                        help="starting populations run side by side (default 10000 100000)")
    args = parser.parse_args(argv)
    years = args.years or (1 if args.quick else 5)
    big_years = args.big_years or years
    sizes = args.sizes or ([5_000, 20_000] if args.quick else [10_000, 100_000, 1_000_000])
    compare = args.compare or ([5_000] if args.quick else [10_000, 100_000])

    print(f"workforce-sim {sim.__version__}, Mesa {reference_mesa.mesa.__version__}, Python "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores; both models use one core")
    print("scenario: the default wales-mh-2021 restricted to psychiatry and nursing, no joiners, scaled to each size")
    results: dict = {"years": years, "compare": [], "sizes": []}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        warm = reference_mesa.reduced_scenario(directory, people=min(compare + sizes), years=1)
        package_run(warm, 999), reference_run(warm, 999)  # warm-up: imports, caches, first calls
        for people in compare:
            # the reference three times where that takes seconds: its one run varied by a fifth from sitting to sitting
            results["compare"].append(side_by_side(people, years, directory, reps=1 if args.quick else 3,
                                                   ref_reps=1 if args.quick or people > 10_000 else 3))
        results["sizes"] = scaling(sizes, [big_years if n >= 1_000_000 else years for n in sizes], directory,
                                   reps=[1 if args.quick or n >= 1_000_000 else 5 if n <= 10_000 else 3 for n in sizes])
        results["cost"] = cost_model(results["sizes"], results["compare"])
    print(f"\nmax RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
