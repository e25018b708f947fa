"""The invariant checks (``sim.invariants``) hold on real runs, and each one can fail."""

from __future__ import annotations

import numpy as np
import pytest

import tiny_scenario
from sim import WorkforceModel
from sim.invariants import InvariantError, check_replay, check_step, replay, youngest_ages
from sim.people import Status


@pytest.fixture
def model(tmp_path):
    """A tiny run with every kind of event: intake, progression, attrition, leaving, retirement, return."""
    path = tiny_scenario.write(tmp_path, {
        "end": "2024-03",
        "intake.course/student.places": {2019: 60},
        "groups.staff.leaving.rate": 0.1,
        "groups.staff.retirement.rate": [0.0, 0.3, 0.5],
        "groups.staff.retire_and_return": {"share": 0.5, "hours_cut": 0.3, "stay_years": [0.5, 1.5]},
        "stocks.course/worker.age": [[25, 55, 0.7], [55, 68, 0.3]],
    }, {"stages.student.attrition": 0.2, "stages.student.transitions": {"worker": 0.9, "exit:elsewhere": 0.1}})
    return WorkforceModel(scenario=path, rng=4, check=True).run()


def test_a_checked_run_has_every_kind_of_event_and_replays_to_its_final_state(model):
    reasons = set(model.events.table().reason)
    assert {"stock", "intake", "progressed", "attrition", "left:elsewhere", "exit:elsewhere", "retired", "returned",
            "return_ended"} <= reasons
    stage, status = replay(model.events, model.people.count, model.inputs.stage_training)
    assert np.array_equal(stage, model.people.stage[: model.people.count])
    assert np.array_equal(status, model.people.status[: model.people.count])
    assert set(status.tolist()) >= {int(Status.TRAINING), int(Status.IN_POST), int(Status.RETIRED), int(Status.LEFT)}


def test_replay_catches_a_person_whose_columns_disagree_with_their_events(model):
    p = model.people
    mover = int(np.flatnonzero(p.status[: p.count] == Status.IN_POST)[0])
    p.stage[mover] = model.inputs.stage_code("course/student")  # moved without an event
    with pytest.raises(InvariantError, match=f"person {mover} replays to stage"):
        check_replay(model)


def test_replay_catches_a_status_changed_without_an_event(model):
    p = model.people
    leaver = int(np.flatnonzero(p.status[: p.count] == Status.LEFT)[0])
    p.status[leaver] = int(Status.IN_POST)
    with pytest.raises(InvariantError, match="replays to"):
        check_replay(model)


def test_replay_catches_someone_in_two_places(model):
    """An event that moves a person from a stage they are not in: they would be in two places."""
    s, p = model.inputs, model.people
    worker = int(np.flatnonzero(p.status[: p.count] == Status.IN_POST)[0])
    model.events.record(np.array([worker]), model.now, s.stage_code("course/student"), s.stage_code("course/worker"),
                        "progressed")
    with pytest.raises(InvariantError, match=f"person {worker}: an event from stage"):
        replay(model.events, p.count, s.stage_training)


def test_replay_catches_a_person_with_no_events(model):
    model.people.add(1, key=np.array([12345], dtype=np.uint64), status=int(Status.IN_POST), stage=1)
    with pytest.raises(InvariantError, match="no events"):
        replay(model.events, model.people.count, model.inputs.stage_training)


def test_youngest_ages_follow_stocks_intakes_joiners_and_pathways(tmp_path):
    path = tiny_scenario.write(tmp_path, {
        "stocks": {"course/worker": {"headcount": 10, "age": [[30, 50, 1.0]]}},
        "intake.course/student.age": [[19.5, 22, 1.0]],
    })
    model = WorkforceModel(scenario=path, rng=1)
    # workers start at 30, but students (from 19.5) become workers
    assert youngest_ages(model.inputs).tolist() == [12 * 19 + 6, 12 * 19 + 6]
    path = tiny_scenario.write(tmp_path / "no_intake", {"intake": {}})
    student, worker = youngest_ages(WorkforceModel(scenario=path, rng=1).inputs).tolist()
    assert worker == 12 * 30 and student > 12 * 200  # nobody can become a student


def test_the_age_check_catches_someone_younger_than_their_stage_allows(tmp_path):
    path = tiny_scenario.write(tmp_path, {"stocks.course/worker.age": [[30, 50, 1.0]], "intake": {}})
    model = WorkforceModel(scenario=path, rng=1)
    model.step()
    model.people.birth_month[0] = model.now - 12 * 25  # a 25-year-old worker: nobody enters before 30
    with pytest.raises(InvariantError, match="younger than anyone can enter it"):
        check_step(model, model.history[-2], model.history[-1])
    model.people.birth_month[0] = model.now - 12 * 15
    with pytest.raises(InvariantError, match="younger than 16"):
        check_step(model, model.history[-2], model.history[-1])


def test_the_checks_catch_a_negative_count_and_a_person_counted_twice(tmp_path):
    model = WorkforceModel(scenario=tiny_scenario.write(tmp_path), rng=1)
    model.step()
    before, after = model.history[-2], dict(model.history[-1])
    after["welsh_fte"] = after["welsh_fte"] - 1e6
    with pytest.raises(InvariantError, match="negative welsh_fte"):
        check_step(model, before, after)
    original = model.counted
    model.counted = lambda: np.concatenate([original(), original()[:1]])
    with pytest.raises(InvariantError, match="counted twice"):
        check_step(model, before, model.history[-1])
