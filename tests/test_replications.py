"""Replications (``sim.replications``): the README's headline is what ``workforce run`` prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import scenario
from sim.errors import InputError
from sim.replications import headline, headline_in_post, run_replications, summarise

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


@pytest.mark.parametrize("arguments, field", [
    ({"groups": "staff"}, "groups"),  # one group as text: looked for letter by letter, and no row of its own
    ({"groups": ["nursing"]}, "groups"),  # a group the runs do not have: left out
    ({"measure": "ftee"}, "measure"),  # an empty table
    ({"every": 0}, "every"),
    ({"every": "5"}, "every"),
])
def test_a_headline_of_groups_a_measure_or_years_the_summary_lacks_is_refused_naming_the_argument(
        tmp_path, arguments, field):
    import tiny_scenario

    _, values = run_replications(str(tiny_scenario.write(tmp_path)), replications=2, until=2022)
    summary = summarise(values)
    assert headline(summary, ["staff"]).index.tolist() == ["staff", "total"]
    with pytest.raises(InputError) as info:
        headline(summary, **{"groups": ["staff"], **arguments})
    assert [(p.file, p.field) for p in info.value.problems] == [("headline", field)]


def test_a_summary_of_anything_but_the_runs_values_is_refused():
    with pytest.raises(InputError) as info:
        summarise(None)
    assert [(p.file, p.field) for p in info.value.problems] == [("summarise", "values")]
