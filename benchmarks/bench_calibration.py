"""Calibration benchmark: what one candidate of ``workforce calibrate`` costs, and a small fit's pace.

Why: a Bayesian calibration runs the history thousands of times (the shipped posterior took 22,152
runs), so what a candidate costs around its run counts as much as the run. This script prints, and
never asserts:

- a candidate's CPU time in this process, split as ``sim.calibration.Simulator`` spends it:
  compiling the history scenario with the candidate's values, the run of the history (its tidy
  figures included), and the targets' statistics; the mean over ``--candidates`` candidates whose
  values are drawn uniformly within the fitted parameters' bounds (the first, warming up, not
  counted);
- with ``--population N``: a fit of N parameter sets a generation, at most ``--generations``
  generations, with ``--workers`` processes, written to a temporary folder: its runs, and its wall
  time and runs a second as a whole (``workforce calibrate``: the fit, its check runs and files).

    python benchmarks/bench_calibration.py [--candidates N] [--population N] [--generations G] [--workers W]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import numpy as np

from sim import calibration
from sim import scenario as scenario_module
from sim.results import run


def candidate_costs(n: int, seed: int = 0) -> dict[str, float]:
    """Mean CPU milliseconds of compiling, running and the statistics over ``n`` candidates."""
    spec, path, _, uncalibrated, _, _, parameters, _ = calibration._checked(calibration.DEFAULT_CONFIG)
    rng = np.random.default_rng(seed)
    spent = {"compiling": 0.0, "run": 0.0, "statistics": 0.0}
    for i in range(n + 1):
        x = [low + (high - low) * rng.random() for low, high in parameters.bounds]
        started = time.process_time()
        loaded = scenario_module.compiled(path, {**uncalibrated, **parameters.overrides(x)})
        compiled = time.process_time()
        results = run(loaded, seed=i, parameters="fixed", share=True)
        ran = time.process_time()
        calibration.statistics(results, spec.targets)
        if i:  # the first warms up: imports, the files read, the passes loaded
            spent["compiling"] += compiled - started
            spent["run"] += ran - compiled
            spent["statistics"] += time.process_time() - ran
    return {k: 1e3 * v / n for k, v in spent.items()}


def fit(population: int, generations: int, workers: int) -> dict:
    """A small fit's runs, and its wall seconds with its check runs and files (``workforce calibrate`` as a whole)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        summary = calibration.calibrate(population=population, generations=generations, workers=workers,
                                        check_replications=2, out_dir=out, quiet=True)
    took = time.perf_counter() - started
    runs = summary["diagnostics"]["runs"]
    return {"runs": runs, "seconds": took, "runs_per_second": runs / took}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=40, help="candidates timed (default 40)")
    parser.add_argument("--population", type=int, default=None, help="also a fit of this many sets a generation")
    parser.add_argument("--generations", type=int, default=3, help="the fit's generations at most (default 3)")
    parser.add_argument("--workers", type=int, default=None, help="the fit's processes (default: one per core)")
    args = parser.parse_args(argv)
    print(f"calibration benchmark: {calibration.DEFAULT_CONFIG.name}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores")
    costs = candidate_costs(args.candidates)
    total = sum(costs.values())
    print(f"a candidate, CPU, mean of {args.candidates}: {total:.1f} ms (" +
          ", ".join(f"{name} {ms:.1f} ms" for name, ms in costs.items()) + ")")
    figures: dict = {"candidate_ms": costs}
    if args.population:
        workers = args.workers or os.cpu_count() or 1
        figures["fit"] = fitted = fit(args.population, args.generations, workers)
        print(f"a fit of {args.population} sets a generation, {args.generations} generations at most, {workers} "
              f"worker(s): {fitted['runs']:,} runs in {fitted['seconds']:.1f} s, {fitted['runs_per_second']:.1f} "
              f"runs a second")
    return figures


if __name__ == "__main__":
    main()
