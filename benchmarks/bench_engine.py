"""Engine benchmark: how fast and how big one replication is, printed next to the targets.

Why: calibration, goal seeking and a dashboard with intervals each need thousands of runs, so a
replication of the default scenario should take 30 ms or less, and a national-scale workforce
(about 200,000 people over 25 years) under 10 seconds and 2 GB. This script
measures, for the default scenario ``wales-mh-2021`` (20 years) and for a synthetic
scenario scaled up from it:

- wall time per replication (building the model and running it; mean over a few seeds,
  after a one-year warm-up run), collecting yearly aggregates as batch runs do;
- the same for seed 1 collecting monthly aggregates (the model's default), and the share of
  each run spent collecting aggregates (target: under 10% collecting yearly);
- person-months per second (people counted in stocks, summed over the simulated months of
  seed 1's run, divided by that run's wall time collecting yearly);
- peak memory: tracemalloc peak of Python allocations (numpy arrays included) during one
  extra replication, and the process's max RSS high-water mark from ``resource.getrusage``;
- the time spent in each monthly process and in collection (``model.timings``), and the rest
  ("other": building the model and its starting population).

It prints figures and never asserts them. The model is single-threaded: it uses one core.

    python benchmarks/bench_engine.py [--quick] [--people N] [--years Y] [--reps R]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

import sim
from sim import calendar
from sim.pathways import PATHWAY_DIR
from sim.scenario import DEFAULT, resolve

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scaled import scale  # noqa: E402  (beside this file)

TARGETS = {"default": (0.030, None), "synthetic": (10.0, 2.0)}  # seconds per replication, GB peak memory


def person_months(model) -> int:
    """People counted in stocks, summed over the simulated months (history[0] is the start)."""
    return int(sum(int(r["stage_headcount"].sum()) for r in model.history[1:]))


def replicate(scenario, seed: int, until: int | None = None, collect: str = "yearly"):
    """One replication: build and run; returns (model, wall seconds)."""
    started = time.perf_counter()
    model = sim.WorkforceModel(scenario=scenario, until=until, collect=collect, rng=seed)
    model.run()
    return model, time.perf_counter() - started


def synthetic_scenario(people: int, years: int, directory: Path) -> Path:
    """The default scenario with every stock, intake, joiner flow and vacancy scaled to ``people``."""
    data = yaml.safe_load(resolve(DEFAULT).read_text())
    base = len(sim.WorkforceModel(rng=0).counted())  # starting population of the default scenario
    scale(data, people / base)
    data["name"] = f"synthetic-{people}"
    data["end"] = calendar.label(calendar.parse(data["start"]) + 12 * years)
    data["pathways"] = [str(PATHWAY_DIR / f"{name}.yaml") for name in data["pathways"]]
    path = directory / f"synthetic-{people}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def measure(label: str, scenario, reps: int, target_s: float, target_gb: float | None, note: str = "") -> dict:
    """Warm up, time ``reps`` replications, then one traced replication for peak memory."""
    start_year = calendar.year_of(sim.load_scenario(scenario).start)
    replicate(scenario, seed=999, until=start_year + 1)  # warm-up: imports, caches, first-call costs
    walls, timings = [], {}
    for seed in range(1, reps + 1):
        model, wall = replicate(scenario, seed)
        walls.append(wall)
        for name, seconds in model.timings.items():
            timings[name] = timings.get(name, 0.0) + seconds / reps
        months, start_pop = model.now - model.inputs.start, int(model.history[0]["stage_headcount"].sum())
        del model
        gc.collect()
    monthly, monthly_wall = replicate(scenario, seed=1, collect="monthly")
    pm, monthly_collection = person_months(monthly), monthly.timings["collection"]
    del monthly
    gc.collect()
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    tracemalloc.start()
    model, _ = replicate(scenario, seed=reps + 1)
    traced_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    del model
    gc.collect()

    wall = sum(walls) / reps
    r = {"label": label, "start_population": start_pop, "months": months, "reps": reps, "wall_s": wall,
         "person_months": pm, "person_months_per_s": pm / walls[0], "monthly_wall_s": monthly_wall,
         "collection_share": timings["collection"] / wall, "monthly_collection_share": monthly_collection / monthly_wall,
         "traced_peak_mb": traced_peak_mb, "max_rss_mb": max_rss_mb, "timings": timings}
    peak_gb = max(traced_peak_mb, max_rss_mb) / 1024

    def verdict(ok):
        return "meets" if ok else "MISSES"

    print(f"\n== {label}: {start_pop:,} people at the start, {months} months, {reps} replication(s) ==")
    print(f"  wall time per replication  {wall:8.3f} s    (min {min(walls):.3f}, max {max(walls):.3f})"
          f"   target < {target_s:g} s: {verdict(wall < target_s)}{note}")
    print(f"  collecting aggregates      {100 * r['collection_share']:8.1f} % of a run, yearly"
          f"   target < 10%: {verdict(r['collection_share'] < 0.1)}")
    print(f"  collecting monthly         {monthly_wall:8.3f} s for seed 1, {100 * r['monthly_collection_share']:.1f}% of it"
          f" collecting (the model's default, and check=True)")
    print(f"  person-months              {r['person_months']:12,.0f}")
    print(f"  person-months per second   {r['person_months_per_s']:12,.0f}")
    mem_target = f"   target < {target_gb:g} GB (larger of the two): {verdict(peak_gb < target_gb)}{note}" \
        if target_gb else ""
    print(f"  peak traced memory         {traced_peak_mb:8.1f} MB (tracemalloc, one replication){mem_target}")
    print(f"  max RSS (process so far)   {max_rss_mb:8.1f} MB (getrusage high-water mark, incl. interpreter)")
    print("  time by process (mean s per replication):")
    for name, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
        print(f"    {name:<12} {seconds:8.3f}  {100 * seconds / wall:5.1f}%")
    other = wall - sum(timings.values())
    print(f"    {'other':<12} {other:8.3f}  {100 * other / wall:5.1f}%   (building the model and its starting population)")
    return r


def _revision() -> str:
    """The source revision measured (read-only ``git describe``), or "unknown"."""
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=Path(sim.__file__).parent,
                              capture_output=True, text=True, timeout=10).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one replication per scenario (CI smoke)")
    parser.add_argument("--reps", type=int, default=None, help="replications per scenario (default 3, 1 if --quick)")
    parser.add_argument("--people", type=int, default=200_000, help="synthetic starting population (default 200000)")
    parser.add_argument("--years", type=int, default=25, help="synthetic scenario length in years (default 25)")
    args = parser.parse_args(argv)
    reps = args.reps or (1 if args.quick else 3)

    print(f"workforce-sim {sim.__version__} ({_revision()}), Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores; the model is single-threaded (one core used)")
    print(f"max RSS after imports: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")
    results = {"default": measure(f"{DEFAULT} (default)", DEFAULT, reps, *TARGETS["default"],
                                  note=" (set where f0c7580 took 0.31 s: bench_against.py times both here)")}
    with tempfile.TemporaryDirectory() as tmp:
        path = synthetic_scenario(args.people, args.years, Path(tmp))
        note = "" if (args.people, args.years) == (200_000, 25) else " (target set for 200,000 people x 25 years)"
        results["synthetic"] = measure(f"synthetic ~{args.people:,} people, {args.years} years", path, reps,
                                       *TARGETS["synthetic"], note=note)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
