"""First-run benchmark: how much longer the first run after installing takes than the next.

Why: numba compiles the model's passes on their first call and caches them, so the first run
after a fresh install waits for the compiling; the target is at most 10 seconds more than a warm
run. This script times whole processes (``python -m sim run --until YEAR``, 10 replications; with
``--batch``, ``python -m sim batch`` of 8 replications over 10 years with 2 workers) with numba's
cache in an empty folder of its own, then again with it filled, and does so with the passes
compiled alongside (``sim.kernels.alongside``: a second process, or the batch's workers sharing
them) and without (``WORKFORCE_COMPILE_ALONGSIDE=0``), alternating the two for ``--rounds`` rounds. It prints
each first and warm run and their difference, and never asserts them. Other load on the machine
shows up in the figures, and compiling alongside needs a second core that is free.

    python benchmarks/bench_first_run.py [--rounds N] [--until YEAR] [--batch]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


BATCH = "name: first_batch\nscenario: wales-mh-2021\nyears: 10\nreplications: 8\nseed: 1\n"


def timed_run(cache: Path, out: Path, until: int, alongside: bool, batch: Path | None = None) -> float:
    """Wall seconds of one ``python -m sim run`` (or ``batch`` of the experiment file ``batch``) with
    numba's cache in ``cache``."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO),
           "WORKFORCE_COMPILE_ALONGSIDE": "1" if alongside else "0"}
    command = (["batch", str(batch), "--workers", "2"] if batch is not None else
               ["run", "--until", str(until), "--replications", "10"])
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *command, "--quiet", "--out", str(out)], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=REPO)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each way (default 2)")
    parser.add_argument("--until", type=int, default=2031, help="last year of the runs (default 2031)")
    parser.add_argument("--batch", action="store_true", help="time a first batch (8 runs, 2 workers) instead")
    args = parser.parse_args(argv)
    what = ("python -m sim batch, 8 replications over 10 years, 2 workers" if args.batch else
            f"python -m sim run --until {args.until}, 10 replications")
    print(f"first run against the next: {what}, {os.cpu_count()} cores")
    figures: dict = {"alone": [], "alongside": []}
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "first-batch.yaml" if args.batch else None
        if batch is not None:
            batch.write_text(BATCH)
        for r in range(args.rounds):
            for way in ("alone", "alongside"):
                folder = Path(tmp) / f"{way}-{r}"
                first = timed_run(folder / "numba", folder / "first", args.until, way == "alongside", batch)
                warm = timed_run(folder / "numba", folder / "warm", args.until, way == "alongside", batch)
                figures[way].append((first, warm))
                print(f"  {way:<10} first {first:5.1f} s, next {warm:4.1f} s: {first - warm:4.1f} s slower "
                      f"(target at most 10 s)")
    for way, pairs in figures.items():
        slower = sorted(first - warm for first, warm in pairs)
        print(f"  {way:<10} {', '.join(f'{s:.1f}' for s in slower)} s slower")
    return figures


if __name__ == "__main__":
    main()
