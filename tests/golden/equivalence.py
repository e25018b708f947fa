"""The engine's reference over twelve seeds: headcount and FTE by group in 2026, 2031 and 2041,
and joiners and leavers by group and reason over the whole run, each as a mean and its standard
error over seeds 1 to 12 of the default scenario, uncalibrated, to 2041.

The golden baseline pins results bit for bit, so a faster engine that draws differently must
regenerate it; this reference is what such an engine is held to instead: ``tests/test_determinism.py``
requires every mean to agree with the reference's within four standard errors of the difference.
Regenerate it only when results are meant to change beyond randomness (a rate, a process), never
for an engine meant to be equivalent:

    python tests/golden/equivalence.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run as a script from anywhere: the package of this checkout

SCENARIO = "wales-mh-2021"
OVERRIDES = {"calibration": None}
SEEDS = tuple(range(1, 13))
YEARS = (2026, 2031, 2041)
FILE = HERE / f"{SCENARIO}-uncalibrated-twelve-seeds.csv"
KEYS = ["group", "measure", "year", "reason"]


def outcomes(seed: int):
    """One run's outcomes: stocks in ``YEARS`` (reason empty), flows over the run (year 0)."""
    import pandas as pd

    from sim.model import WorkforceModel
    from sim.results import Results

    model = WorkforceModel(SCENARIO, overrides=dict(OVERRIDES), collect="yearly", rng=seed).run()
    tidy = Results(model=model, seed=seed).tidy()
    groups = tidy[tidy.stage == "all"]
    stocks = groups[groups.measure.isin(["headcount", "fte"]) & groups.year.isin(YEARS)]
    flows = groups[groups.measure.isin(["joiners", "leavers"])].groupby(["group", "measure", "reason"],
                                                                         as_index=False).value.sum()
    return pd.concat([stocks[KEYS + ["value"]], flows.assign(year=0)[KEYS + ["value"]]], ignore_index=True)


def statistics(seeds=SEEDS):
    """Mean and standard error over ``seeds`` of every outcome (0 in a run where it did not occur)."""
    import pandas as pd

    runs = pd.concat([outcomes(seed).assign(seed=seed) for seed in seeds], ignore_index=True)
    wide = runs.pivot_table(index=KEYS, columns="seed", values="value", fill_value=0.0)
    out = pd.DataFrame({"mean": wide.mean(axis=1), "se": wide.std(axis=1, ddof=1) / len(seeds) ** 0.5})
    return out.reset_index()


def main(argv=None) -> int:
    table = statistics()
    table.to_csv(FILE, index=False, float_format="%.6f")
    print(f"wrote {FILE.relative_to(HERE.parents[1])} ({len(table)} outcomes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
