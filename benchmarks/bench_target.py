"""Target benchmark: one goal-seeking search of the default scenario, timed end to end.

Why: a policy team asks "how many places" interactively, so a search over 20 lever values x 50
paired replications of ``wales-mh-2021`` should take under 5 minutes on a 2-core machine. This
script runs ``experiments/nursing-places-needed.yaml`` (or another experiment file with a target
section) with ``sim.target.search`` and prints:

- the wall time and the runs used, against the 20 x 50 = 1,000 runs of evaluating every value;
- where the time goes: one run of the model to the target year, and the one measure taken from
  its staff groups' figures (timed in this process on a few replications), each bisection round's
  runs and wall time, and what is left (starting the workers, waiting for a round's
  slowest run);
- the answer, so that a slow search is not mistaken for a fast wrong one.

It prints figures and never asserts them. Other load on the machine shows up in the figures.

    python benchmarks/bench_target.py [EXPERIMENT] [--workers N] [--replications R]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from sim import experiment, target
from sim import scenario as scenario_module

DEFAULT = Path(__file__).resolve().parents[1] / "experiments" / "nursing-places-needed.yaml"
TARGET_MINUTES = 5.0


def one_run(loaded, q, replication: int) -> tuple[float, float]:
    """Seconds of the model run, and of the measure picked from its staff groups' figures, for one job."""
    from sim.model import WorkforceModel
    from sim.results import Results

    job = target._jobs(loaded, q, [(replication, q.values[len(q.values) // 2])], (q.outcome,), q.year)[0]
    scenario = scenario_module.compiled(job.scenario, job.overrides, job.posterior_set)
    started = time.perf_counter()
    model = WorkforceModel(scenario=scenario, until=job.until, interventions=list(job.levers), collect="yearly",
                           rng=job.seed)
    model.run()
    ran = time.perf_counter()
    experiment.pick(Results(model=model, seed=job.seed).group_values(), job.outcomes)
    return ran - started, time.perf_counter() - ran


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("experiment", nargs="?", default=str(DEFAULT), help="experiment file with a target section")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--replications", type=int, default=None, help="replications instead of the file's")
    args = parser.parse_args(argv)
    loaded, q = target.load(args.experiment, replications=args.replications)
    workers = args.workers or os.cpu_count()
    reps = loaded.spec.replications
    print(f"target benchmark: {Path(args.experiment).name}, {len(q.values)} values x {reps} replications, "
          f"{workers} workers, {os.cpu_count()} cores, Python {platform.python_version()}")
    one_run(loaded, q, 0)  # warm-up: imports and the scenario's compiled cache
    timings = [one_run(loaded, q, r) for r in range(1, 4)]
    model_s = sum(t[0] for t in timings) / len(timings)
    measure_s = sum(t[1] for t in timings) / len(timings)
    started = time.perf_counter()
    result = target.search(loaded, q, workers=workers, quiet=True)
    wall = time.perf_counter() - started
    busy = result.runs * (model_s + measure_s) / workers
    print(f"\nwall time: {wall:.1f} s ({wall / 60:.2f} min; target under {TARGET_MINUTES:.0f} min)")
    print(f"runs: {result.runs} by bisection, against {len(q.values) * reps:,} for every value "
          f"({result.runs / (len(q.values) * reps):.0%})")
    print(f"one run to {q.year}: model {model_s:.3f} s, the measure picked {measure_s:.3f} s "
          f"({measure_s / (model_s + measure_s):.0%} of a run)")
    print(f"runs x a run's time / workers: {busy:.1f} s ({busy / wall:.0%} of the wall time); the rest: starting "
          f"the workers, a round's last runs on one core, other load on the machine")
    rounds = "; ".join(f"{n} runs {seconds:.1f} s" for n, seconds in result.rounds)
    print(f"rounds ({len(result.rounds)}): {rounds}; outside them {wall - sum(s for _, s in result.rounds):.1f} s")
    print(f"\nanswer: {result.answer_text()} (90% interval {result.interval_text()})")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return {"wall": wall, "runs": result.runs, "model": model_s, "measure": measure_s, "answer": result.answer}


if __name__ == "__main__":
    main()
