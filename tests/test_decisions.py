"""Each random stream serves one decision (``sim.decisions``): declared once, drawn at one place,
never drawn twice for one person and month."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import tiny_scenario
from conftest import REPO
from sim import WorkforceModel, calendar, decisions
from sim.decisions import FAMILY, UndeclaredStream, registry
from sim.processes.order import STEP_ORDER
from sim.people import Status
from sim.rng import Streams, person_keys

PACKAGE = Path(decisions.__file__).parent
DECLARED = registry(*(process.decisions for process in STEP_ORDER))  # a default model's decisions
DRAWS = {"uniform", "uniforms", "choice", "salts", "bases"}  # the Streams methods that take stream names


def _sources():
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))
            if path.name != "decisions.py"}


def _forwarding(trees) -> set[str]:
    """Functions of the package that take stream names and draw from them (a ``stream(s)`` parameter)."""
    return {node.name for tree in trees.values() for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and {"stream", "streams"} & {a.arg for a in node.args.args}}


def stream_names_drawn(trees) -> Counter:
    """How many call sites name each stream: string literals (and f-string prefixes, for families)
    in the arguments of calls that draw."""
    callees = DRAWS | _forwarding(trees)
    sites = Counter()
    for tree in trees.values():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
            if name not in callees:
                continue
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                nodes = list(ast.walk(arg))
                parts = {id(part) for node in nodes if isinstance(node, ast.JoinedStr) for part in node.values}
                for node in nodes:
                    if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts:
                        sites[node.value] += 1
                    elif isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
                        sites[node.values[0].value] += 1
    return sites


def test_every_declared_stream_is_drawn_at_exactly_one_place_and_only_declared_ones_are_drawn():
    trees = _sources()
    assert {"draw_fte", "draw_cohorts", "next_review"} <= _forwarding(trees)
    sites = stream_names_drawn(trees)
    assert {name: n for name, n in sites.items() if n != 1} == {}
    assert set(sites) == set(DECLARED)


def test_each_stream_is_declared_once():
    """A dict literal keeps the last of two equal keys silently: the declarations, in sim.decisions
    and in each process, are read as written."""
    tables = []
    for path in [PACKAGE / "decisions.py", *sorted((PACKAGE / "processes").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tables += [node.value for node in ast.walk(tree) if isinstance(node, (ast.AnnAssign, ast.Assign))
                   and isinstance(node.value, ast.Dict)
                   and {getattr(t, "id", None) for t in getattr(node, "targets", [getattr(node, "target", None)])}
                   & {"DECISIONS", "decisions"}]
    names = [key.value for table in tables for key in table.keys]
    assert [n for n, count in Counter(names).items() if count > 1] == []
    assert len(names) == len(DECLARED) and all(DECLARED[n] for n in names)
    with pytest.raises(ValueError, match="declared twice: exit"):
        registry({"exit": "another decision drawing from the stream of entering a stage"})


def test_streams_refuse_an_undeclared_name_and_take_a_family_member():
    streams, keys = Streams(1, DECLARED), person_keys("test", count=3)
    for draw in (lambda: streams.uniform("leaving", 0, keys), lambda: streams.uniforms(("exit", "nope"), 0, keys),
                 lambda: streams.salts(("nope",), 0), lambda: streams.uniform("selection", 0, keys)):
        with pytest.raises(UndeclaredStream, match="not declared"):
            draw()
    assert len(streams.uniform("selection:nursing/apprenticeship", 0, keys)) == 3
    assert decisions.declared("selection:x", DECLARED) == "selection" + FAMILY
    with pytest.raises(UndeclaredStream):  # a process's decision is not drawn by a model without the process
        Streams(1).uniform("progression", 0, keys)


def recorded_draws(run: str) -> dict:
    """``tests/recorded_draws.py``'s record of a run's draws, made in a process whose passes run as Python."""
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("recorded_draws.py")), run], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_audit_finds_a_stream_drawn_twice_for_a_person_and_month():
    found = recorded_draws("twice")
    assert [(name, n) for name, _, _, n in found["twice"]] == [("hours_review", 2)] * 3


@pytest.mark.parametrize("run, also", [("default", set()), ("levers", {"no_place:"})])
def test_a_run_never_draws_a_stream_twice_for_one_person_and_month(run, also):
    """``also``: what only the run with levers draws (foundation doctors turned away at core training's intake,
    which fills half its places)."""
    found = recorded_draws(run)
    assert found["twice"] == [] and found["draws"] > 10_000
    assert {"hours_review", "hours_first_review", "selection:", "return_stay", "joiner_source", "extra_time",
            *also} <= set(found["drawn"])


def test_a_first_hours_review_in_the_month_of_entry_is_not_followed_by_another_a_month_later(tmp_path):
    """People entering a post draw their first review; those due at once are reviewed that month and
    draw the next one from another stream: due the month after with the review's monthly
    probability q, not always (which one stream for both decisions gave)."""
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 3000},
                                          "groups.staff.participation.change_per_year": 0.99})
    model = WorkforceModel(scenario=path, rng=2)
    while model.now < calendar.month(2022, 9):  # the 2020 intake finishes its 2 years
        model.step()
    p = model.people
    entered = p.in_status(Status.IN_POST)
    entered = entered[p.stage_entry[entered] == model.now]
    assert len(entered) > 2000
    q = model.inputs.hours_change_monthly[0]
    share = np.mean(p.hours_due[entered] == model.now + 1)
    assert share == pytest.approx(q, abs=0.04)  # one stream for both: q + (1 - q) q, 0.54 here
