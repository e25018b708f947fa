"""Batch benchmark: replications per minute with 1 and 2 local workers, and the scaling efficiency.

Why: calibration, goal seeking and intervals run thousands of replications, so the target is
1,000 replications of the default scenario over 20 years, tidy tables written, in under 30
seconds on a 2-core machine (2,000 runs a minute with 2 workers). This script times ``sim.experiment.batch`` end to end -- starting the
workers, running, building each run's tidy table and writing its Parquet file -- for R
replications of the baseline, first with 1 worker then with 2, and prints:

- runs per minute with each worker count;
- scaling efficiency: (runs per minute with 2) / (2 x runs per minute with 1);
- the projected time for 1,000 replications with 2 workers, next to the target.

It prints figures and never asserts them. Other load on the machine shows up in the figures.

    python benchmarks/bench_batch.py [--reps R] [--years Y] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import yaml

from sim import experiment

TARGET_RUNS, TARGET_MINUTES = 1000, 0.5


def time_batch(path: Path, workers: int, out: Path) -> float:
    """Wall seconds of one full batch (fresh output directory, so nothing is skipped)."""
    loaded = experiment.load(path)
    started = time.perf_counter()
    summary = experiment.batch(loaded, out=out, workers=workers, quiet=True)
    elapsed = time.perf_counter() - started
    assert summary.written == summary.runs  # a fresh directory: every run was made (not a timing assert)
    return elapsed


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=8, help="replications per timing (default 8)")
    parser.add_argument("--years", type=int, default=20, help="years simulated (default 20, the target's)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    args = parser.parse_args(argv)
    print(f"batch benchmark: {args.reps} replications of wales-mh-2021 over {args.years} years, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    figures: dict = {"per_minute": {}}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(yaml.safe_dump({"name": "bench", "scenario": "wales-mh-2021", "years": args.years,
                                        "replications": args.reps, "seed": 1}))
        for workers in args.workers:
            seconds = time_batch(path, workers, Path(tmp) / f"out-{workers}")
            per_minute = 60.0 * args.reps / seconds
            figures["per_minute"][workers] = per_minute
            print(f"  {workers} worker(s): {seconds:6.1f} s for {args.reps} runs = {per_minute:6.1f} runs/minute "
                  f"({seconds / args.reps:.2f} s a run)")
    rates = figures["per_minute"]
    if 1 in rates and 2 in rates:
        figures["efficiency"] = rates[2] / (2 * rates[1])
        print(f"  scaling efficiency 1 -> 2 workers: {figures['efficiency']:.0%}")
    best = max(rates, key=rates.get)
    minutes = TARGET_RUNS / rates[best] * (20 / args.years)
    figures["projected_minutes"] = minutes
    verdict = "meets" if minutes < TARGET_MINUTES else "misses"
    print(f"  projected: {TARGET_RUNS} replications over 20 years with {best} worker(s) in {minutes:.1f} minutes "
          f"(target under {TARGET_MINUTES:g}: {verdict})")
    return figures


if __name__ == "__main__":
    main()
