"""Side-by-side benchmark: this tree's default replication (and batch) against an earlier commit's.

Why: the engine's speed targets were set against the engine as it was (``f0c7580``: "the default
replication at least 10 times faster than today", which took 0.31 s where the targets were set;
1,000 replications in 3.7 minutes) and are to be measured side by side in one run, since a machine's
speed differs from one sitting to the next (the same commit's replication takes about twice as long on
some of the machines this project is measured on). This script writes BASE's files (``git archive``)
into a temporary folder and times, each tree in a process of its own, the two alternating for
``--rounds`` rounds:

- ``--reps`` default replications (building the model and running it, collecting yearly, seeds 1 to R
  after a one-year warm-up), as ``bench_engine.py`` times them: each tree's mean and fastest, and the
  ratio of the means (judged on their median over the rounds, against the target of ten times) and of
  the fastest;
- with ``--batch N``, a batch of N default replications over 20 years with 2 workers, tidy tables
  written, as ``bench_batch.py`` times it: each tree's seconds and their ratio (the target, 1,000 runs
  in 30 s against 3.7 minutes, is 7.4 times, judged only of a batch of 1,000: the workers' start weighs
  more in a smaller one, and the base's batch of 1,000 takes about five minutes).

Both trees run with this environment's libraries, and this tree's compiled passes as cached (a warm-up
compiles them first if need be). It prints figures and never asserts them.

    python benchmarks/bench_against.py [BASE] [--reps R] [--rounds K] [--batch N]   # about a minute
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from statistics import mean, median

REPO = Path(__file__).resolve().parents[1]
BASE = "f0c7580"  # the engine when its targets were set (issue 20)
TARGETS = {"replication": 10.0, "batch": 3.7 * 60 / 30}  # times faster than BASE
TARGET_RUNS = 1000  # the batch's target is for this many runs

REPLICATIONS = """
import json, sys, time
import sim
from sim import calendar
reps = int(sys.argv[1])
start = calendar.year_of(sim.load_scenario("wales-mh-2021").start)
sim.WorkforceModel(until=start + 1, collect="yearly", rng=999).run()  # warm-up: imports, caches, compiling
walls = []
for seed in range(1, reps + 1):
    started = time.perf_counter()
    sim.WorkforceModel(collect="yearly", rng=seed).run()
    walls.append(time.perf_counter() - started)
print(json.dumps(walls))
"""

BATCH = """
import json, sys, tempfile, time
from pathlib import Path
import yaml
from sim import experiment
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "against.yaml"
    path.write_text(yaml.safe_dump({"name": "against", "scenario": "wales-mh-2021", "years": 20,
                                    "replications": int(sys.argv[1]), "seed": 1}))
    loaded = experiment.load(path)
    started = time.perf_counter()
    experiment.batch(loaded, out=Path(tmp) / "out", workers=2, quiet=True)
    print(json.dumps(time.perf_counter() - started))
"""


def extract(commit: str, into: Path) -> Path:
    """The files of ``commit`` written into ``into`` (``git archive``: the repository's own history)."""
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=REPO, capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"bench_against: commit {commit} is not in this clone's history "
                         f"({archive.stderr.decode().strip()}); fetch it, or name another")
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into


def measured(tree: Path, script: str, argument: int):
    """What ``script`` prints (JSON), run with ``tree``'s package in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", script, str(argument)], cwd=tree, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench_against: the run in {tree} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def revision() -> str:
    """This tree's revision (read-only ``git describe``)."""
    return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True,
                          text=True).stdout.strip() or "this tree"


def verdict(ratio: float, target: float) -> str:
    return "meets" if ratio >= target else "misses"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", nargs="?", default=BASE, help=f"the commit to compare with (default {BASE})")
    parser.add_argument("--reps", type=int, default=10, help="replications each tree times per round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, the trees alternating (default 3)")
    parser.add_argument("--batch", type=int, default=0, help="also time a batch of N runs with 2 workers")
    args = parser.parse_args(argv)
    this = revision()
    print(f"side by side: {this} against {args.base}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    figures: dict = {"replication": [], "batch": []}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {args.base: extract(args.base, Path(tmp) / "base"), this: REPO}
        for r in range(1, args.rounds + 1):
            walls = {}
            for name, tree in trees.items():
                walls[name] = measured(tree, REPLICATIONS, args.reps)
                print(f"  round {r}  {name:>14}  replication mean {mean(walls[name]):.3f} s, "
                      f"fastest {min(walls[name]):.3f} s")
            figures["replication"].append((mean(walls[args.base]) / mean(walls[this]),
                                           min(walls[args.base]) / min(walls[this])))
            if args.batch:
                seconds = {name: measured(tree, BATCH, args.batch) for name, tree in trees.items()}
                for name in trees:
                    print(f"  round {r}  {name:>14}  batch of {args.batch} runs, 2 workers: {seconds[name]:.1f} s")
                figures["batch"].append((seconds[args.base] / seconds[this],))
    for what, ratios in figures.items():
        if ratios:
            middle = median([x[0] for x in ratios])
            fastest = (f"; of the fastest, {', '.join(f'{x[1]:.1f}' for x in ratios)}" if len(ratios[0]) > 1 else "")
            judged = (f"judged on the rounds' median {middle:.1f}: {verdict(middle, TARGETS[what])}"
                      if what == "replication" or args.batch >= TARGET_RUNS else
                      f"judged on a batch of {TARGET_RUNS:,}: a smaller one weighs the workers' start more")
            print(f"  {what}: {', '.join(f'{x[0]:.1f}' for x in ratios)} times {args.base}'s speed, round by round"
                  f"{fastest} (target at least {TARGETS[what]:g} times, {judged})")
    return figures


if __name__ == "__main__":
    main()
