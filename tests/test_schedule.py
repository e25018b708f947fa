"""Scheduled exits and hours reviews (sim.schedule): the same distributions as testing every month."""

import numpy as np
import pytest

import sim
from sim import calendar
from sim.interventions import Feedbacks, Retention, RetireAndReturn, TrainingAttrition
from tests import tiny_scenario

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
    model = sim.WorkforceModel(_scenario(tmp_path, **{"groups.staff.leaving.rate": 0.3}), rng=5).run()
    survivors = _workers(model) / PEOPLE
    for months in (1, 6, 12, 24):  # P(still in post after k months) = (1 - q)^k, q the monthly hazard
        assert _within(survivors[months], 0.7 ** (months / 12), PEOPLE), (months, survivors[months])


def test_a_rate_change_keeps_the_hazard_accumulated_and_only_delays_each_leaver(tmp_path):
    path = _scenario(tmp_path, **{"groups.staff.leaving.rate": 0.3})
    baseline = sim.WorkforceModel(path, rng=9).run()
    lever = Retention(factor=0.5, start="2021-03")
    policy = sim.WorkforceModel(path, rng=9, interventions=[lever]).run()
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
    model = sim.WorkforceModel(path, rng=2).run()
    left = _exit_months(model, "left:elsewhere")
    ids = np.fromiter(left, dtype=np.int64)
    months = np.fromiter(left.values(), dtype=np.int64)
    assert len(ids) > PEOPLE / 4
    assert (months - model.people.birth_month[ids] >= 55 * 12).all()  # nobody leaves before 55


def test_hours_reviews_come_at_the_annual_rate(tmp_path):
    path = _scenario(tmp_path, **{"groups.staff.participation.change_per_year": 0.5})
    model = sim.WorkforceModel(path, rng=4)
    p = model.people
    ids = np.flatnonzero(p.active[: p.count])
    assert _within(np.mean(p.hours_due[ids] <= model.now + 12), 0.5, len(ids))
    assert (p.hours_due[ids] > model.now).all()


@pytest.mark.parametrize("lever", [
    Retention(factor=0.6, groups=["nursing"], start="2021-03"),
    Retention(factor=1.5, ages=(55, 100), start="2023-07"),
    TrainingAttrition(reduction=0.5, start="2022-09"),
    RetireAndReturn(retirement_factor=0.5, groups=["psychiatry", "nursing"], start="2022-01"),
    Feedbacks(workload=True),  # rates that change every month
], ids=lambda lever: lever.kind)
def test_levers_and_feedbacks_changing_rates_mid_run_leave_nothing_overdue(lever):
    sim.WorkforceModel(until=2025, rng=3, interventions=[lever], check=True).run()  # check_schedule each month
