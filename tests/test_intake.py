"""Intake (``sim.processes.intake``): in-service routes select people of the accepted ages."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import tiny_scenario
from sim import WorkforceModel, calendar
from sim.people import Status
from sim.processes.intake import accepted_ages


def _selected(path, seed: int = 3):
    """The people selected for the route in September 2020, with their ages then (years), and the model."""
    model = WorkforceModel(scenario=path, rng=seed, until=2021)
    while model.now < calendar.month(2020, 8):
        model.step()
    pool_before = model.people.count
    model.step()  # September: the route's intake
    table = model.events.table()
    ids = table[table.reason == "selected"].person_id.to_numpy()
    assert (ids < pool_before).all()  # from the stock of workers
    return (model.now - model.people.birth_month[ids]) / 12, model


def test_a_route_selects_only_people_of_its_age_range_and_leaves_places_unfilled_when_they_run_out(tmp_path):
    path = tiny_scenario.write(tmp_path, {"stocks.course/worker": {"headcount": 400, "age": [[20, 66, 1.0]]}},
                               route={"places": {2019: 300}, "age_range": [30, 40]})
    ages, model = _selected(path)
    assert len(ages) and ages.min() >= 30 and ages.max() < 40
    p, s = model.people, model.inputs
    workers = p.in_status(Status.IN_POST)
    workers = workers[p.stage[workers] == s.stage_code("course/worker")]
    age = model.now - p.birth_month[workers]
    assert not ((age >= 12 * 30) & (age < 12 * 40)).any()  # everyone of those ages was taken
    assert len(ages) < 300  # and they were fewer than the places: the places left are unfilled


def test_without_an_age_range_a_route_selects_those_who_finish_it_before_the_maximum_age(tmp_path):
    path = tiny_scenario.write(tmp_path, {"stocks.course/worker": {"headcount": 400, "age": [[60, 70, 1.0]]}},
                               route={"places": {2019: 400}})
    ages, model = _selected(path)
    s = model.inputs
    low, high = accepted_ages(s, s.stage_code("route/apprentice"), None)
    assert (low, high) == (0, 12 * 70 - 24)  # a 2-year route, maximum age 70
    assert len(ages) > 50 and ages.max() < 68 and ages.min() >= 60


def test_the_accepted_ages_allow_for_the_slowest_less_than_full_time_trainee_and_the_maximum_age(tmp_path):
    path = tiny_scenario.write(tmp_path, route={"places": {2019: 1}, "age_range": [18, 69]})
    s = WorkforceModel(scenario=path, rng=1).inputs
    stage = s.stage_code("route/apprentice")
    assert accepted_ages(s, stage, (18, 69)) == (12 * 18, 12 * 70 - 24)  # the range's top is past finishing
    assert accepted_ages(s, stage, (18.5, 40)) == (12 * 18 + 6, 12 * 40)
    s.stage_ltft_share[stage], s.stage_ltft_range[stage] = 0.3, (0.5, 0.8)
    assert accepted_ages(s, stage, None) == (0, 12 * 70 - 48)  # at half time, 4 years
    s.stage_extra_share[stage], s.stage_extra_months[stage] = 0.1, (6.0, 8.5)
    assert accepted_ages(s, stage, None) == (0, 12 * 70 - 48 - 9)  # and up to 8.5 months more, as a whole month
    s.stage_ltft_share[stage], s.stage_extra_share[stage] = 0.0, 0.0
    s.max_age_months[s.stage_group[s.stage_code("course/worker")]] = 12 * 65
    assert accepted_ages(s, stage, None) == (0, 12 * 65 - 24)


# ---- intakes fill by year --------------------------------------------------------------------------------
@pytest.mark.parametrize("month", [8, 9, 12])
def test_places_and_fill_rate_by_year_apply_to_the_intake_in_that_year_from_each_year_given(tmp_path, month):
    # an intake's year is the academic year it starts, from August: doctors' training posts start in August
    path = tiny_scenario.write(tmp_path, {"intake.course/student.month": month,
                                          "intake.course/student.places": {2019: 100, 2021: 100, 2025: 20},
                                          "intake.course/student.fill_rate": {2019: 1.0, 2022: 0.0, 2024: 0.5}})
    model = WorkforceModel(str(path), rng=0).run()
    s = model.inputs
    ids, month, _, dst, reason = model.events.arrays()
    intake = (dst == s.stage_code("course/student")) & (np.array(model.events.reasons)[reason] == "intake")
    years = month[intake] // 12
    counts = {int(y): int((years == y).sum()) for y in np.unique(years)}
    assert counts.get(2020) == 100 and counts.get(2021) == 100
    assert 2022 not in counts and 2023 not in counts
    assert 30 < counts[2024] < 70
    assert 2 < counts[2025] < 20  # the 2025 places, not 2024's


# ---- places bind the pipeline ------------------------------------------------------------------------------
def _course_years(tmp_path, intake: dict, years) -> tuple:
    """Students going on to a specialty of ``intake`` (``tiny_scenario.with_specialty``): the scenario's path, each
    of ``years``' arrivals, arrivals turned away and new people, and whether anyone else was turned away."""
    path = tiny_scenario.with_specialty(tmp_path, intake)
    model = WorkforceModel(str(path), rng=0).run()
    s = model.inputs
    ids, month, src, dst, reason = model.events.arrays()
    reasons = np.array(model.events.reasons)[reason]
    specialty, student = s.stage_code("course/specialty"), s.stage_code("course/student")
    year, away = month // 12, reasons == "no_training_place"
    counts = {y: (int(((dst == specialty) & (src == student) & (year == y)).sum()),
                  int((away & (src == specialty) & (year == y)).sum()),
                  int(((dst == specialty) & (reasons == "intake") & (year == y)).sum())) for y in years}
    return path, counts, bool((away & (src != specialty)).any())


def test_pipeline_arrivals_beyond_the_places_filled_leave_and_fewer_are_topped_up_with_new_people(tmp_path):
    places = {2022: 12, 2023: 0, 2024: 12, 2025: 30, 2026: 30}
    _, counts, elsewhere = _course_years(tmp_path, {"places": {2019: 12, 2025: 30},
                                                    "fill_rate": {2019: 1.0, 2023: 0.0, 2024: 1.0}}, places)
    for y, (arrived, away, new) in counts.items():
        assert 10 < arrived < 30
        assert away == max(arrived - places[y], 0)  # the places bind the pipeline too
        assert arrived - away + new == places[y]  # topped up with new people to the places, never beyond
    assert not elsewhere


def test_a_fill_rate_of_the_places_left_keeps_every_arrival_up_to_the_places(tmp_path):
    """``fill_rate_of: places_left``: the fill rate is of applicants from elsewhere, so the pipeline's arrivals
    all keep their places (only those beyond the places are turned away), and new people fill part of the rest."""
    places = {2022: 30, 2023: 30, 2024: 12, 2025: 12, 2026: 12}
    path, counts, _ = _course_years(tmp_path, {"places": {2019: 30, 2024: 12}, "fill_rate": 0.5,
                                               "fill_rate_of": "places_left"}, places)
    for y, (arrived, away, new) in counts.items():
        assert 10 < arrived < 30
        assert away == max(arrived - places[y], 0)  # a fill rate of 0.5 turns no arrival away within the places
        assert new <= places[y] - arrived + away  # new people fill only what the arrivals leave
    filled = sum(new for _, _, new in counts.values())
    left = sum(places[y] - arrived + away for y, (arrived, away, _) in counts.items())
    assert 0.3 < filled / left < 0.7  # the rest filled at the rate
    # the default, a fill rate of every place, turns arrivals away beyond the places filled
    loaded = yaml.safe_load(path.read_text())
    del loaded["intake"]["course/specialty"]["fill_rate_of"]
    path.write_text(yaml.safe_dump(loaded))
    model = WorkforceModel(str(path), rng=0).run()
    reasons = np.array(model.events.reasons)[model.events.arrays()[4]]
    assert (reasons == "no_training_place").sum() > 20


@pytest.mark.parametrize("keep", [True, False])
def test_a_role_that_keeps_its_headcount_replaces_only_who_it_lost_up_to_the_places(tmp_path, keep):
    # 40 workers hold a duty (as AMHPs do); a tenth leave a year, and up to 30 a year are selected
    path = tiny_scenario.write(
        tmp_path,
        {"pathways": ["course.yaml", "duty.yaml"], "groups.staff.leaving.rate": 0.1,
         "stocks.course/worker.headcount": 400, "stocks.duty/holder": {"headcount": 40, "age": [[30, 50, 1.0]]},
         "intake.duty/holder": {"month": 9, "from_stage": "course/worker", "places": {2019: 30},
                                "keep_headcount": keep}})
    (tmp_path / "duty.yaml").write_text(yaml.safe_dump(
        {"name": "duty", "stages": {"holder": {"staff_group": "staff", "entry": True}}}))
    model = WorkforceModel(str(path), rng=0).run()
    holder = model.inputs.stage_code("duty/holder")
    ids, month, src, dst, reason = model.events.arrays()
    selected = np.bincount(month[(dst == holder) & (np.array(model.events.reasons)[reason] == "selected")] // 12)
    counts = [int(r["stage_headcount"][holder]) for r in model.history]
    if keep:  # back to 40 each September: what a year's leaving took, about 4, never the 30 places
        assert 30 <= min(counts) and max(counts) == 40 and 0 < selected.max() < 15
    else:
        assert max(counts) > 150 and selected.max() == 30


@pytest.mark.parametrize("stock", [None, {"headcount": 0, "age": [[30, 50, 1.0]]}], ids=["no stock", "a stock of none"])
def test_a_role_that_keeps_its_headcount_has_people_at_the_start(tmp_path, load_error, stock):
    """Its places fill only what it lost since the start: from nobody, never a place, and the intake's places
    were dropped in silence."""
    changes = {"pathways": ["course.yaml", "duty.yaml"],
               "intake.duty/holder": {"month": 9, "from_stage": "course/worker", "places": {2019: 30},
                                      "keep_headcount": True}}
    if stock is not None:
        changes["stocks.duty/holder"] = stock
    path = tiny_scenario.write(tmp_path, changes)
    (tmp_path / "duty.yaml").write_text(yaml.safe_dump(
        {"name": "duty", "stages": {"holder": {"staff_group": "staff", "entry": True}}}))
    load_error(path, "tiny.yaml", "intake.duty/holder.keep_headcount", "a stage with people at the start")


def test_a_fraction_of_a_place_is_a_place_with_that_chance_so_the_places_offered_average_those_given(tmp_path):
    """A share of places a lever adds, or a value searched for, is seldom whole: 10.4 places are 10 places in
    some years and 11 in others, 10.4 on average, not 10 every year (and 10.5 not 10 by rounding to even)."""
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 10.4},
                                          "intake.course/student.fill_rate": 1.0})
    counts = []
    for seed in range(16):
        model = WorkforceModel(str(path), rng=seed).run()
        _, month, _, dst, reason = model.events.arrays()
        intake = (dst == model.inputs.stage_code("course/student")) & (
            np.array(model.events.reasons)[reason] == "intake")
        counts += list(np.bincount(month[intake] // 12 - 2020, minlength=10))  # the intakes of 2020 to 2029
    assert set(counts) == {10, 11}
    assert abs(np.mean(counts) - 10.4) < 0.12  # 160 intakes: a standard error of 0.04
