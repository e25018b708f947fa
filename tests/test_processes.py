"""A new process is one file and one line: it declares its section, its per-person field and its
random decision, and a model with it in its step order reads, keeps and draws them."""

from __future__ import annotations

import numpy as np
import pytest

import tiny_scenario
from conftest import has_problem
from example_process import WelshLearning
from sim import WorkforceModel, scenario
from sim.errors import InputError
from sim.people import NEVER
from sim.processes.order import STEP_ORDER

WITH_LEARNING = STEP_ORDER + (WelshLearning,)  # the one line


def welsh(model) -> float:
    return float(model.history[-1]["welsh_headcount"].sum())


def test_a_new_process_reads_its_section_keeps_its_field_and_draws_its_decision(tmp_path):
    path = tiny_scenario.write(tmp_path, {"groups.staff.welsh_learning": {"rate": 0.3}})
    model = WorkforceModel(path, processes=WITH_LEARNING, collect="yearly", rng=4).run()
    base = WorkforceModel(tiny_scenario.write(tmp_path / "base"), collect="yearly", rng=4).run()
    p = model.people
    learned = np.flatnonzero(p.view("welsh_learned") != NEVER)
    assert len(learned) > 0 and p.welsh[learned].all()
    assert p.record(int(learned[0]))["welsh_learned"] == p.welsh_learned[learned[0]]
    assert "welsh_learned" not in base.people.record(0)
    assert "welsh_learning" in model.timings and model.streams.decisions["welsh_learning"]
    # the stocks count the learners: Welsh speakers in post grow where the base run's stay near their share
    assert welsh(model) > welsh(base) + 0.5 * len(learned)
    # what the other processes draw is untouched: everything but Welsh ability is the base run's
    for measure in ("stage_headcount", "stage_fte", "post_fte"):
        np.testing.assert_array_equal(model.history[-1][measure], base.history[-1][measure])


def test_a_scenario_is_checked_against_the_sections_of_the_processes_that_run_it(tmp_path):
    path = tiny_scenario.write(tmp_path, {"groups.staff.welsh_learning": {"rate": 0.3}})
    with pytest.raises(InputError) as refused:  # the default model has no process reading the section
        WorkforceModel(path)
    assert any(p.field == "groups.staff.welsh_learning" and p.file == str(path) for p in refused.value.problems)
    bad = tiny_scenario.write(tmp_path / "bad", {"groups.staff.welsh_learning": {"rate": 2}})
    with pytest.raises(InputError) as wrong:
        WorkforceModel(bad, processes=WITH_LEARNING)
    assert [p.field for p in wrong.value.problems] == ["groups.staff.welsh_learning.rate"]
    assert "1" in wrong.value.problems[0].expected
    loaded = scenario.load(path, processes=WITH_LEARNING)
    assert loaded.spec.groups["staff"].welsh_learning.rate == 0.3
    with pytest.raises(InputError) as other:  # a scenario loaded for the default model lacks it
        WorkforceModel(scenario.load(tiny_scenario.write(tmp_path / "base")), processes=WITH_LEARNING)
    assert has_problem(str(other.value), "WorkforceModel", "scenario", "a scenario loaded for these processes")
    # the section is optional: a scenario without it runs with the process, which then does nothing
    quiet = WorkforceModel(tiny_scenario.write(tmp_path / "base"), processes=WITH_LEARNING, rng=4, until=2022).run()
    assert (quiet.people.view("welsh_learned") == NEVER).all()


def test_declaring_what_another_process_declares_is_refused():
    class Twice(WelshLearning):
        group_sections = {"leaving": (dict, None)}

    class SameField(WelshLearning):
        fields = WelshLearning.fields + WelshLearning.fields

    class SameDecision(WelshLearning):
        decisions = {"progression": "a transition drawn again"}

    with pytest.raises(ValueError, match="declared twice: leaving"):
        scenario.schema(STEP_ORDER + (Twice,))
    with pytest.raises(ValueError, match="declared twice"):
        WorkforceModel(processes=STEP_ORDER + (SameField,), until=2022)
    with pytest.raises(ValueError, match="declared twice: progression"):
        WorkforceModel(processes=STEP_ORDER + (SameDecision,), until=2022)
