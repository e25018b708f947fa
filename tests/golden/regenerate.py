"""The golden baseline: the tidy table of the default scenario, seeds 1 and 2, March 2021 to March 2023.

``tests/test_determinism.py`` compares every run with these files exactly (integers and floats
alike: values are written with ``repr``, which round-trips every float bit for bit), so any change
in results -- a process, a random stream, the order of draws, a shipped rate -- fails it. When a
change in results is intended, regenerate the baseline on purpose and commit it with the change:

    python tests/golden/regenerate.py

The run is uncalibrated (``calibration: null``), so the baseline pins the engine and the shipped
scenario, and a new calibration file (an intended change in parameters) does not disturb it.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run as a script from anywhere: the package of this checkout

SCENARIO = "wales-mh-2021"
OVERRIDES = {"calibration": None}
UNTIL = 2023
SEEDS = (1, 2)
COLUMNS = ["year", "date", "group", "stage", "measure", "reason", "unit", "value"]


def path(seed: int) -> Path:
    return HERE / f"{SCENARIO}-uncalibrated-seed{seed}-{UNTIL}.csv"


def as_text(tidy) -> str:
    """The tidy table as CSV text, floats written with repr (exact), in the table's own row order."""
    lines = [",".join(COLUMNS)]
    for row in tidy[COLUMNS].itertuples(index=False):
        *labels, value = row
        lines.append(",".join([*(str(x) for x in labels), repr(float(value))]))
    return "\n".join(lines) + "\n"


def table(seed: int):
    """The tidy table of one golden run, computed now."""
    from sim.results import run

    return run(SCENARIO, seed=seed, until=UNTIL, overrides=dict(OVERRIDES)).tidy()


def main(argv=None) -> int:
    for seed in SEEDS:
        text = as_text(table(seed))
        path(seed).write_text(text, encoding="utf-8")
        print(f"wrote {path(seed).relative_to(HERE.parents[1])} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
