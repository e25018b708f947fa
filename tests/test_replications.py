"""Replications (``sim.replications``): the README's headline is what ``workforce run`` prints."""

from __future__ import annotations

from pathlib import Path

from sim import scenario
from sim.replications import headline_in_post, run_replications, summarise

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_headline() -> list[list[str]]:
    """The cells of the README's headline table, a row per line, the row's label left out."""
    lines = README.read_text().splitlines()
    start = lines.index("| FTE in post | 2021 | 2026 | 2031 | 2036 | 2041 |") + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")][1:])
    return rows


def test_the_readme_headline_is_what_the_default_run_prints():
    """Ten replications from seed 0, each with its posterior draw, as `workforce run` runs them: a change
    in results that leaves the README's table behind fails here, so the numbers it shows stay true."""
    s = scenario.load()
    _, values = run_replications(s, seed=0, replications=10)
    table = headline_in_post(summarise(values), s.groups)
    assert _readme_headline() == table.values.tolist()
