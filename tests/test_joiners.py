"""Joiners (``sim.processes.joiners``): recruits go where the posts are vacant."""

from __future__ import annotations

import numpy as np

import tiny_scenario
from sim.model import WorkforceModel
from sim.people import Status


def _two_post_scenario(tmp_path, shares, stock=100):
    pathway = {"stages.other": {"staff_group": "staff", "entry": True}}
    return tiny_scenario.write(tmp_path, {
        "stocks.course/other": {"headcount": stock, "fte": float(stock), "age": [[30, 50, 1.0]]},
        "stocks.course/worker": {"headcount": stock, "fte": float(stock), "age": [[30, 50, 1.0]]},
        "groups.staff.establishment.vacancies_fte": 40.0,
        "groups.staff.joiners": {"per_year": 1000, "fill_per_month": 0.5, "stages": shares,
                                 "sources": {"elsewhere": 1.0}, "age": [[30, 40, 1.0]]},
    }, pathway)


def test_joiners_fill_the_stage_whose_posts_are_vacant(tmp_path):
    path = _two_post_scenario(tmp_path, {"course/worker": 0.5, "course/other": 0.5})
    model = WorkforceModel(str(path), rng=0)
    s, p = model.inputs, model.people
    # the workers' stage loses 40 people: their posts, not the other stage's, are vacant
    workers = model.counted()
    workers = workers[p.stage[workers] == s.stage_code("course/worker")][:40]
    model.remove(workers, Status.LEFT, "left:elsewhere")
    model.run()
    ids, _, _, dst, reason = model.events.arrays()
    joined = np.char.startswith(np.array(model.events.reasons)[reason].astype(str), "joined:")
    to_worker = (dst[joined] == s.stage_code("course/worker")).sum()
    to_other = (dst[joined] == s.stage_code("course/other")).sum()
    # the start's 40 vacant FTE are both stages' (20 each); the 40 who left, the workers' alone
    assert to_worker - to_other > 30


def test_joiners_follow_the_shares_when_no_stage_has_a_vacancy_of_its_own(tmp_path):
    path = _two_post_scenario(tmp_path, {"course/worker": 0.8, "course/other": 0.2}, stock=0)
    model = WorkforceModel(str(path), rng=0).run()  # a new service: its 40 funded FTE belong to no stage yet
    s = model.inputs
    ids, _, _, dst, reason = model.events.arrays()
    joined = np.char.startswith(np.array(model.events.reasons)[reason].astype(str), "joined:")
    share = (dst[joined] == s.stage_code("course/worker")).mean()
    assert 0.65 < share < 0.95
