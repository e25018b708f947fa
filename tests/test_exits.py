"""Exits (``sim.processes.exits``): attrition, leaving and retirement on one clock, with the
distributions a monthly test of each would give."""

import math

import numpy as np
import pytest

import tiny_scenario
from sim import WorkforceModel, calendar, scenario
from sim.interventions import Feedbacks, Retention, RetireAndReturn, TrainingAttrition
from sim.people import Status

PEOPLE = 20_000


def _scenario(tmp_path, **changes):
    base = {"stocks.course/worker.headcount": PEOPLE, "end": "2022-03"}
    return tiny_scenario.write(tmp_path, base | changes)


def _workers(model) -> np.ndarray:
    """Workers in post at each month of the run."""
    stage = model.inputs.stage_code("course/worker")
    return np.array([r["stage_headcount"][stage] for r in model.history], dtype=float)


def _within(observed: float, p: float, n: int, z: float = 4.0) -> bool:
    return abs(observed - p) <= z * np.sqrt(p * (1 - p) / n)


def _exit_months(model, reason: str) -> dict[int, int]:
    ids, month, _, _, code = model.events.arrays()
    chosen = code == model.events.reason_code(reason)
    return dict(zip(ids[chosen].tolist(), month[chosen].tolist()))


def test_exits_are_geometric_at_the_monthly_hazard(tmp_path):
    model = WorkforceModel(_scenario(tmp_path, **{"groups.staff.leaving.rate": 0.3}), rng=5).run()
    survivors = _workers(model) / PEOPLE
    for months in (1, 6, 12, 24):  # P(still in post after k months) = (1 - q)^k, q the monthly hazard
        assert _within(survivors[months], 0.7 ** (months / 12), PEOPLE), (months, survivors[months])


def test_a_rate_change_keeps_the_hazard_accumulated_and_only_delays_each_leaver(tmp_path):
    path = _scenario(tmp_path, **{"groups.staff.leaving.rate": 0.3})
    baseline = WorkforceModel(path, rng=9).run()
    lever = Retention(factor=0.5, start="2021-03")
    policy = WorkforceModel(path, rng=9, interventions=[lever]).run()
    survivors = _workers(policy)[-1] / PEOPLE
    assert _within(survivors, 0.7 ** (11 / 12) * 0.85 ** (13 / 12), PEOPLE)  # 11 months at 30% a year, then 15%
    before, after = _exit_months(baseline, "left:elsewhere"), _exit_months(policy, "left:elsewhere")
    start = calendar.parse("2021-03")
    assert {i: m for i, m in before.items() if m < start} == {i: m for i, m in after.items() if m < start}
    assert set(after) <= set(before)  # nobody leaves under the policy who stayed in the baseline
    later = [after[i] - before[i] for i in after]
    assert min(later) >= 0 and max(later) > 0  # common random numbers: each leaver only later, if at all


def test_a_birthday_into_a_new_age_band_changes_the_rate(tmp_path):
    path = _scenario(tmp_path, **{"groups.staff.leaving.rate": [0.0, 0.5, 0.0],
                                   "stocks.course/worker.age": [[54, 55, 1.0]]})
    model = WorkforceModel(path, rng=2).run()
    left = _exit_months(model, "left:elsewhere")
    ids = np.fromiter(left, dtype=np.int64)
    months = np.fromiter(left.values(), dtype=np.int64)
    assert len(ids) > PEOPLE / 4
    assert (months - model.people.birth_month[ids] >= 55 * 12).all()  # nobody leaves before 55


@pytest.mark.parametrize("lever", [
    Retention(factor=0.6, groups=["nursing"], start="2021-03"),
    Retention(factor=1.5, ages=(55, 100), start="2023-07"),
    TrainingAttrition(reduction=0.5, start="2022-09"),
    RetireAndReturn(retirement_factor=0.5, groups=["psychiatry", "nursing"], start="2022-01"),
    Feedbacks(workload=True),  # rates that change every month
], ids=lambda lever: lever.kind)
def test_levers_and_feedbacks_changing_rates_mid_run_leave_nothing_overdue(lever):
    WorkforceModel(until=2025, rng=3, interventions=[lever], check=True).run()  # check_schedule each month


def test_training_attrition_matches_its_closed_form_over_many_seeds(tmp_path):
    attrition, places = 0.3, 500
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: places}, "end": "2023-03"},
                               {"stages.student.attrition": attrition})
    started = completed = 0
    for seed in range(12):
        model = WorkforceModel(scenario=path, rng=seed).run()
        table = model.events.table()
        cohort = table[(table.to_stage == "course/student") & (table.month == "2020-09")].person_id
        done = table[(table.from_stage == "course/student") & (table.reason == "progressed")].person_id
        started += len(cohort)
        completed += cohort.isin(done).sum()
    assert started == 12 * places
    expected = 1 - attrition
    sd = math.sqrt(expected * (1 - expected) / started)
    assert abs(completed / started - expected) < 4 * sd


def test_attrition_is_a_share_of_entrants_however_long_they_take(tmp_path):
    """Half train at half time (48 months, not 24) and a quarter take a year more: the hazard is over
    the expected stay, so about 30% of entrants still leave, not more because some take longer."""
    attrition, places = 0.3, 500
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: places}, "end": "2026-03"},
                               {"stages.student.attrition": attrition,
                                "stages.student.ltft": {"share": 0.5, "fraction": [0.5, 0.5]},
                                "stages.student.extra_time": {"share": 0.25, "years": [1, 1]}})
    s = scenario.load(path)
    student = s.stage_code("course/student")
    stay = 24 * (0.5 + 0.5 * 2) + 0.25 * 12
    np.testing.assert_allclose(1 - (1 - s.stage_attrition[student]) ** stay, attrition)
    started = left = 0
    for seed in range(8):
        table = WorkforceModel(scenario=path, rng=seed).run().events.table()
        cohort = table[(table.to_stage == "course/student") & (table.month == "2020-09")].person_id
        gone = table[(table.from_stage == "course/student") & (table.reason == "attrition")].person_id
        started += len(cohort)
        left += cohort.isin(gone).sum()
    sd = math.sqrt(attrition * (1 - attrition) / started)
    assert abs(left / started - attrition) < 0.02 + 4 * sd  # the stays vary about their mean: near the share


def test_leaving_hazard_is_annual_rate_made_monthly(tmp_path):
    path = tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": 0.2, "end": "2021-03",
                                          "stocks.course/worker.headcount": 5000})
    model = WorkforceModel(scenario=path, rng=1).run()
    left = model.events.table().reason.str.startswith("left:").sum()
    expected = 5000 * 0.2
    assert abs(left - expected) < 4 * math.sqrt(5000 * 0.2 * 0.8)
    assert calendar.annual_to_monthly(0.2) == pytest.approx(1 - 0.8 ** (1 / 12))


def test_mho_early_retirement_stops_when_the_status_ends():
    model = WorkforceModel(rng=2, until=2036).run()
    table = model.events.table()
    mho = table[table.reason == "retired_mho"]
    assert len(mho) > 0
    assert (mho.month <= "2029-03").all()
    assert not (table.month > "2029-03").sum() == 0  # the run went on past the end of the status


def test_mho_end_is_a_scenario_parameter():
    early = WorkforceModel(rng=2, until=2030, overrides={"mho_end": "2022-03"}).run().events.table()
    assert (early[early.reason == "retired_mho"].month <= "2022-03").all()


def test_mho_holders_retire_at_55_with_the_given_share(tmp_path):
    path = tiny_scenario.write(tmp_path, {
        "stocks.course/worker.headcount": 4000, "stocks.course/worker.age": [[54, 55, 1.0]],
        "groups.staff.retirement.mho_share": 1.0, "groups.staff.retirement.mho_retire_at_55": 0.32,
        "end": "2021-03"})
    model = WorkforceModel(scenario=path, rng=4).run()
    retired = (model.events.table().reason == "retired_mho").sum()
    assert abs(retired / 4000 - 0.32) < 4 * math.sqrt(0.32 * 0.68 / 4000)


def test_mho_status_is_held_only_by_those_old_enough_to_have_been_in_post_when_it_closed(tmp_path):
    def retired_under_mho(youngest):  # a stock born 1971-03 to 1972-03: 24 to 25 when the status closed in 1995-03
        path = tiny_scenario.write(tmp_path / str(youngest), {
            "stocks.course/worker.headcount": 400, "stocks.course/worker.age": [[49, 50, 1.0]],
            "groups.staff.retirement.mho_share": 1.0, "groups.staff.retirement.mho_retire_at_55": 1.0,
            "groups.staff.retirement.mho_youngest_age": youngest, "end": "2027-03"})
        return (WorkforceModel(scenario=path, rng=4).run().events.table().reason == "retired_mho").sum()
    assert retired_under_mho(None) > 350  # all hold it: 55 by 2026, before it ends in 2029-03
    assert retired_under_mho(26) == 0  # none was 26 in March 1995
    assert 100 < retired_under_mho(24.5) < 300  # those born by 1970-09


def test_retire_and_return_adds_the_fte_it_should(tmp_path):
    n, share, cut = 3000, 0.4, 0.25
    path = tiny_scenario.write(tmp_path, {
        "stocks.course/worker.headcount": n, "stocks.course/worker.age": [[60, 60.05, 1.0]],
        "groups.staff.retirement.rate": [0.0, 0.0, 1.0],  # all retire at once, well before the maximum age
        "groups.staff.retire_and_return": {"share": share, "hours_cut": cut, "stay_years": [2, 2]},
        "end": "2021-12"})
    model = WorkforceModel(scenario=path, rng=5).run()
    p, table = model.people, model.events.table()
    stock = table[table.reason == "stock"].person_id.to_numpy()  # in post at the start, not back already
    back = p.status[: p.count] == Status.RETURNED
    returned = stock[back[stock]]
    assert abs(len(returned) / len(stock) - share) < 4 * math.sqrt(share * (1 - share) / len(stock))
    assert p.fte[returned] == pytest.approx(np.full(len(returned), 1 - cut))
    # everyone retired at 60 in April 2020 and all returns are due within a year, before any stay ends:
    # FTE in post is now exactly the returners' reduced hours (with those back at the start, still there)
    assert model.post_fte()[0] == pytest.approx(p.fte[: p.count][back].sum(), rel=1e-6)
    back = table[table.reason == "returned"]
    retired_at = table[table.reason == "retired"].set_index("person_id").month
    delays = [calendar.parse(m) - calendar.parse(retired_at[i]) for i, m in zip(back.person_id, back.month)]
    assert min(delays) >= 1 and max(delays) <= 12


def test_the_share_coming_back_is_that_of_the_age_band_at_retiring(tmp_path):
    """``retire_and_return.share`` by age band: the band a retiree is in when retiring decides."""
    path = tiny_scenario.write(tmp_path, {
        "stocks.course/worker.headcount": 400, "stocks.course/worker.age": [[56, 56.05, 0.5], [61, 61.05, 0.5]],
        "groups.staff.retirement.rate": [0.0, 1.0, 1.0],
        "groups.staff.retire_and_return": {"share": {"female": [0.0, 1.0, 0.0], "male": [0.0, 1.0, 0.5]},
                                           "hours_cut": 0.2, "stay_years": [5, 5]},
        "end": "2022-06"})
    model = WorkforceModel(scenario=path, rng=8).run()
    p = model.people
    table = model.events.table()
    retired = table[table.reason == "retired"].person_id.to_numpy()
    back = set(table[table.reason == "returned"].person_id)
    age = (model.inputs.start - p.birth_month[retired]) / 12
    came = np.isin(retired, list(back))
    young, male = age < 60, p.sex[retired] == 1
    assert len(retired) == (table.reason == "stock").sum() and came[young].all()  # all but those back already
    assert not came[~young & ~male].any()
    assert 0.3 < came[~young & male].mean() < 0.7


def test_returners_leave_when_their_stay_ends(tmp_path):
    path = tiny_scenario.write(tmp_path, {
        "stocks.course/worker.age": [[60, 60.05, 1.0]], "groups.staff.retirement.rate": [0.0, 0.0, 1.0],
        "groups.staff.retire_and_return": {"share": 1.0, "hours_cut": 0.2, "stay_years": [1, 1]},
        "end": "2024-03"})
    table = WorkforceModel(scenario=path, rng=6).run().events.table()
    back = table[table.reason == "returned"].set_index("person_id").month
    ended = table[table.reason == "return_ended"].set_index("person_id").month
    assert len(back) == (table.reason == "stock").sum() and set(back.index) <= set(ended.index)  # the others back already
    assert all(calendar.parse(ended[i]) - calendar.parse(back[i]) == 12 for i in back.index)


def test_trainees_retire_at_their_groups_maximum_age(tmp_path):
    """Trainees face no retirement hazard, but nobody trains past the maximum age: they retire at it.
    An intake too old to finish its course is refused (``sim.scenario``), so its ages are set on the
    compiled scenario, as a repeated year or a lever's slower LTFT could leave trainees at that age."""
    from sim.fields import AgeBand

    path = tiny_scenario.write(tmp_path, {
        "intake.course/student": {"month": 9, "places": {2019: 200}, "age": [[60, 68, 1.0]]}, "end": "2023-03"})
    loaded = scenario.load(path)
    loaded.spec.intake["course/student"].age = [AgeBand(low=68, high=70, share=1.0)]
    model = WorkforceModel(scenario=loaded, rng=7, check=True).run()
    table = model.events.table()
    retired = table[(table.reason == "retired") & (table.from_stage == "course/student")]
    ages = [calendar.parse(m) - model.people.birth_month[i] for i, m in zip(retired.person_id, retired.month)]
    assert len(retired) > 50 and set(ages) == {12 * 70}  # the rest finish the course first
    assert not (table.reason == "returned").any()
