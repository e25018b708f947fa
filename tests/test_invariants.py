"""The invariant checks (``sim.invariants``) hold on real runs, and each one can fail."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tiny_scenario
from sim import WorkforceModel, calendar
from sim.invariants import InvariantError, check_intake_and_joiners, check_replay, check_step, replay, youngest_ages
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


# ---- numbers that mean what they say: annual rates become monthly hazards as 1 - (1 - p)^(1/12) ----------
def _annual_tables(spec, field: str, n_bands: int) -> np.ndarray:
    """(group, sex, band) annual rates as the scenario file gives them."""
    tables = []
    for g in spec.groups.values():
        rate = getattr(g, field).rate
        if isinstance(rate, (int, float)):
            tables.append(np.full((2, n_bands), float(rate)))
        elif isinstance(rate, list):
            tables.append(np.array([rate, rate], dtype=float))
        else:
            tables.append(np.array([rate.female, rate.male], dtype=float))
    return np.stack(tables)


def test_compiled_leaving_and_retirement_hazards_are_the_annual_rates_made_monthly():
    from sim import scenario

    s = scenario.load()
    n = len(s.band_edges)
    for field, monthly in (("leaving", s.leave_monthly), ("retirement", s.retire_monthly)):
        annual = _annual_tables(s.spec, field, n)
        assert (annual > 0.05).any()  # rates large enough for p/12 to differ
        np.testing.assert_array_equal(monthly, 1.0 - (1.0 - annual) ** (1.0 / 12.0))
        np.testing.assert_allclose(1.0 - (1.0 - monthly) ** 12, annual, rtol=0, atol=1e-12)
        positive = annual > 0.05
        assert (np.abs(monthly[positive] - annual[positive] / 12) > 1e-4).all(), f"{field} looks like p / 12"
    change = np.array([g.participation.change_per_year for g in s.spec.groups.values()])
    np.testing.assert_array_equal(s.hours_change_monthly, 1.0 - (1.0 - change) ** (1.0 / 12.0))


def test_levers_scale_the_annual_rate_then_convert_it_as_the_scenario_does(tmp_path):
    from sim import calendar, interventions

    path = tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": [0.3, 0.2, 0.1],
                                          "groups.staff.retirement.rate": [0.0, 0.4, 0.45]},
                               {"stages.student.attrition": 0.3})
    levers = [interventions.Retention(groups=["staff"], factor=1.5),
              interventions.RetireAndReturn(retirement_factor=2.0),
              interventions.TrainingAttrition(reduction=0.5)]
    model = WorkforceModel(scenario=path, rng=1, interventions=levers)
    model.step()
    s = model.inputs
    annual_leave = np.array([0.3, 0.2, 0.1])
    effective = s.leave_monthly[0] * s.stage_leave_factor[s.stage_code("course/worker")]
    np.testing.assert_allclose(effective, calendar.annual_to_monthly(np.tile(annual_leave * 1.5, (2, 1))), atol=1e-15)
    np.testing.assert_allclose(s.retire_monthly[0],
                               calendar.annual_to_monthly(np.tile([0.0, 0.8, 0.9], (2, 1))),  # past 1 is refused
                               atol=1e-15)
    student = s.stage_code("course/student")
    months = s.stage_months[student]
    np.testing.assert_allclose(1 - (1 - s.stage_attrition[student]) ** months, 0.3 * 0.5, atol=1e-12)
    assert s.stage_attrition[student] == pytest.approx(1 - (1 - 0.15) ** (1 / months), abs=1e-15)


def test_the_checks_catch_a_state_out_of_date(tmp_path):
    """in_status reads the state kept by set_status: a status written behind its back is caught."""
    model = WorkforceModel(scenario=tiny_scenario.write(tmp_path), rng=1, check=True)
    model.step()
    model.now += 1
    someone = model.counted()[0]
    model.people.status[someone] = Status.LEFT  # not through set_status
    model.people.active[someone] = False
    before = model.history[-1]
    model._collect()
    with pytest.raises(InvariantError, match="differ from a scan"):
        check_step(model, before, model.history[-1])


def test_the_checks_catch_a_change_of_hours_the_stocks_were_not_told_of(tmp_path):
    """The running stocks learn of changes from ``People.mark``: an FTE written behind its back is caught."""
    model = WorkforceModel(scenario=tiny_scenario.write(tmp_path), rng=1, check=True)
    model.step()
    before = model.history[-1]
    model.now += 1
    someone = model.counted()[0]
    model.people.fte[someone] *= 0.5  # not marked
    model._collect()
    with pytest.raises(InvariantError, match="running stocks differ"):
        check_step(model, before, model.history[-1])
    model.people.mark(np.array([someone]))  # the stocks tally what they move (sim.fte_flows)
    model.history.pop()
    model._collect()
    check_step(model, before, model.history[-1])  # marked: the stocks follow


# ---- maximum age, FTE flows, intakes within places, joiners within vacancies -------------------------------
JOINERS = {"per_year": 1000.0, "fill_per_month": 1.0, "stages": {"course/worker": 1.0}, "sources": {"uk": 1.0},
           "age": [[25, 40, 1.0]]}


def test_the_checks_catch_someone_above_their_groups_maximum_age(tmp_path):
    model = WorkforceModel(scenario=tiny_scenario.write(tmp_path), rng=1)
    model.step()
    check_step(model, model.history[-2], model.history[-1])
    model.people.birth_month[0] = model.now - 12 * 70  # 70 exactly: the month they retire
    check_step(model, model.history[-2], model.history[-1])
    model.people.birth_month[0] = model.now - 12 * 70 - 1
    with pytest.raises(InvariantError, match="person 0 in course/worker .in_post. is 70.08, above their group's "
                                             "maximum age .70."):
        check_step(model, model.history[-2], model.history[-1])


def test_nobody_returns_from_retirement_at_or_past_the_maximum_age(tmp_path):
    """Everyone retires and comes back, for a stay of five years: stays are cut at the maximum age,
    and people retired at the maximum age (or who would come back at it) stay retired."""
    path = tiny_scenario.write(tmp_path, {
        "stocks.course/worker": {"headcount": 600, "age": [[60, 70, 1.0]]}, "intake": {},
        "groups.staff.retirement.rate": [0.0, 0.0, 0.2],
        "groups.staff.retire_and_return": {"share": 1.0, "hours_cut": 0.2, "stay_years": [5, 5]},
    })
    model = WorkforceModel(scenario=path, rng=3, check=True).run()  # the maximum age checked every month
    table = model.events.table()
    p, s = model.people, model.inputs
    month = np.array([calendar.month(int(m[:4]), int(m[5:])) for m in table.month])
    age = month - p.birth_month[table.person_id.to_numpy()]
    oldest = s.max_age_months[0]
    retired = table.reason.to_numpy() == "retired"
    returned = set(table.person_id[table.reason == "returned"])
    assert (age[retired] == oldest).sum() > 50 and not returned & set(table.person_id[retired & (age >= oldest)])
    ended = (table.reason == "return_ended").to_numpy()
    assert ended.sum() > 50 and (age[ended] <= oldest).all() and (age[ended] == oldest).sum() > 20  # stays cut


def test_the_checks_catch_a_change_of_fte_no_flow_explains(tmp_path):
    model = WorkforceModel(scenario=tiny_scenario.write(tmp_path), rng=1, check=True)  # checked runs keep the tally
    model.step()
    before = model.history[-1]
    model.now += 1
    someone = model.counted()[0]
    model.people.fte[someone] *= 0.5
    model.people.mark(np.array([someone]))  # the stocks follow, and tally it as a change of hours
    model._collect()
    assert model.history[-1]["fte_flows"][2, 0] == -0.5
    check_step(model, before, model.history[-1])  # explained
    model.history[-1]["fte_flows"][2, 0] = 0.0  # a tally that lost it
    with pytest.raises(InvariantError, match="staff FTE changed by -0.5000 but joiners .0.0000., leavers .0.0000. "
                                             "and changes of hours .\\+0.0000. explain \\+0.0000"):
        check_step(model, before, model.history[-1])
    model.history[-1]["fte_flows"][:, 0] = [1.0, 0.0, -1.5]  # FTE joined with no joiner recorded
    with pytest.raises(InvariantError, match="staff FTE of joiners 1.0000 with no joiners recorded"):
        check_step(model, before, model.history[-1])


def test_the_checks_catch_an_intake_beyond_its_places(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 60}})
    model = WorkforceModel(scenario=path, rng=1)
    while model.now < calendar.month(2020, 9):
        model.step()
    check_step(model, model.history[-2], model.history[-1])
    model.inputs.spec.intake["course/student"].places = {2019: 59}
    with pytest.raises(InvariantError, match="60 entrants of the course/student intake, more than its 59 places "
                                             "for 2020/21"):
        check_step(model, model.history[-2], model.history[-1])


def test_joiners_never_bring_more_than_the_vacancies_and_one_person_and_the_checks_catch_more(tmp_path):
    """Vacancies of 2.5 FTE filled at once (a Poisson draw around 2.5): capped at 3 people."""
    path = tiny_scenario.write(tmp_path, {"end": "2023-03", "intake": {}, "groups.staff.joiners": JOINERS,
                                          "groups.staff.leaving.rate": 0.3,
                                          "groups.staff.establishment.vacancies_fte": 2.5})
    model = WorkforceModel(scenario=path, rng=2, check=True).run()  # uncapped, 4 or more joiners a quarter of months
    joiners = np.array([sum(r["flows"]["joiners"]["staff"].values()) for r in model.history[1:]])
    # everyone works full time: the FTE vacant when they joined is the month's end's plus theirs
    vacant = np.array([r["establishment_fte"][0] - r["post_fte"][0] for r in model.history[1:]]) + joiners
    assert (joiners <= np.ceil(vacant)).all() and (joiners == np.ceil(vacant)).sum() >= 5
    month = int(np.flatnonzero(joiners)[0]) + 1
    model.now = model.history[month]["month"]
    record = dict(model.history[month], establishment_fte=model.history[month]["establishment_fte"] - 4.0)  # 3 joined, 1.5 vacant
    with pytest.raises(InvariantError, match="staff joiners brought .* FTE, more than the .* FTE vacant"):
        check_intake_and_joiners(model, record)


def test_funded_campaigns_recruits_join_a_group_above_its_establishment_with_posts_of_their_own(tmp_path):
    """A funded campaign's recruits come with their posts and are not capped by vacancies: the check
    counted them against the vacancies alone, and a group staffed above its establishment failed it."""
    from sim.interventions import Recruitment

    path = tiny_scenario.write(tmp_path, {"end": "2023-03", "intake": {}, "groups.staff.joiners": JOINERS,
                                          "groups.staff.leaving.rate": 0.01,
                                          "groups.staff.establishment.vacancies_fte": 0.0,
                                          "groups.staff.establishment.growth_per_year": -0.3})  # posts cut
    campaign = Recruitment(groups=["staff"], extra_per_year=60.0, source="uk", funded=True)
    model = WorkforceModel(scenario=path, interventions=[campaign], rng=2, check=True).run()
    joined = sum(sum(r["flows"]["joiners"]["staff"].values()) for r in model.history[1:])
    assert joined > 60 and model.campaign_posts.sum() > 50  # they joined, a campaign's recruits in funded posts


# ---- the checks hold over the shipped scenario and experiments ---------------------------------------------
def test_the_checks_hold_over_a_full_run_of_the_default_scenario(tmp_path, capsys):
    from sim.cli import main

    assert main(["run", "--replications", "1", "--check", "--out", str(tmp_path)]) == 0  # to 2041
    assert "2041" in capsys.readouterr().out


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[1] / "experiments").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_the_checks_hold_over_every_policy_of_every_shipped_experiment(path):
    """Each policy's levers applied, to the experiment's last year, at its first replication's seed
    and the scenario's own values of its uncertain parameters."""
    from sim import experiment, scenario

    loaded = experiment.load(path)
    assert len(loaded.policies) >= 2  # the baseline and at least one policy
    compiled = scenario.compiled(str(loaded.scenario_file.resolve()), loaded.overrides())
    for name, levers in loaded.policies.items():
        model = WorkforceModel(scenario=compiled, until=loaded.until, interventions=list(levers), check=True,
                               rng=loaded.replication_seeds(1)[0]).run()
        assert model.now == model.end and calendar.year_of(model.end) == loaded.final_year(), name
