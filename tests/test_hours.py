"""Hours (``sim.processes.hours``): reviews come on their own clock at the group's rate."""

import numpy as np

import tiny_scenario
from sim import WorkforceModel


def test_hours_reviews_come_at_the_annual_rate(tmp_path):
    path = tiny_scenario.write(tmp_path, {"stocks.course/worker.headcount": 20_000, "end": "2022-03",
                                          "groups.staff.participation.change_per_year": 0.5})
    model = WorkforceModel(path, rng=4)
    p = model.people
    ids = np.flatnonzero(p.active[: p.count])
    reviewed = np.mean(p.hours_due[ids] <= model.now + 12)  # within a year: geometric at the monthly rate
    assert abs(reviewed - 0.5) <= 4 * np.sqrt(0.5 * 0.5 / len(ids))
    assert (p.hours_due[ids] > model.now).all()
