"""Careers a planner would believe: the mechanisms that keep ages credible and pools fed."""

from __future__ import annotations

import numpy as np
import pytest

import tiny_scenario
from sim.model import WorkforceModel, _ltft_chance
from sim.people import Status
from sim.scenario import load


# ---- trainees in the starting stock are aged by their years in the stage ---------------------------
def test_a_training_stock_age_is_the_age_on_entering(tmp_path):
    path = tiny_scenario.write(tmp_path, {"stocks.course/student": {"headcount": 400, "age": [[18, 19, 1.0]]}},
                               {"stages.student.duration_years": 3})
    model = WorkforceModel(str(path), rng=0)
    p, s = model.people, model.inputs
    ids = model.counted()
    ids = ids[p.stage[ids] == s.stage_code("course/student")]
    entry_age = (p.stage_entry[ids] - p.birth_month[ids]) / 12.0
    assert entry_age.min() >= 18 and entry_age.max() < 19  # every cohort entered at the intake's ages
    now_age = (model.now - p.birth_month[ids]) / 12.0
    assert now_age.max() > 20  # a final-year student is older than a first-year one
    graduating = (p.stage_due[ids] - p.birth_month[ids]) / 12.0
    assert graduating.min() >= 18 + 2.5  # nobody graduates younger than an entrant plus the course


def test_consultants_of_the_default_scenario_reach_their_post_no_younger_than_30():
    model = WorkforceModel(until=2031, rng=0).run()
    s = model.inputs
    ids, month, _, dst, reason = model.events.arrays()
    entered = (dst == s.stage_code("psychiatry/consultant")) & (np.array(model.events.reasons)[reason] != "stock")
    age = (month[entered] - model.people.birth_month[ids[entered]]) / 12.0
    assert len(age) > 10 and age.min() >= 30


# ---- joiners go where the posts are vacant ------------------------------------------------------------
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
    model.remove(workers, 2, "left:elsewhere")  # Status.LEFT
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


# ---- a new role with its own establishment adds staff --------------------------------------------------
def test_a_role_with_its_own_establishment_does_not_take_the_groups_vacancies(tmp_path):
    def run(own):
        pathway = {"stages.student.transitions": {"worker": 1.0},
                   "stages.worker.own_establishment": own}
        path = tiny_scenario.write(tmp_path / str(own), {
            "stocks.course/other": {"headcount": 100, "fte": 100.0, "age": [[30, 40, 1.0]]},
            "stocks.course/worker": {"headcount": 0, "age": [[30, 40, 1.0]]},
            "groups.staff.establishment.vacancies_fte": 0.0,
            "groups.staff.leaving.rate": 0.05,
            "intake.course/student.places": {2019: 20},
            "groups.staff.joiners": {"per_year": 1000, "fill_per_month": 0.5, "stages": {"course/other": 1.0},
                                     "sources": {"elsewhere": 1.0}, "age": [[30, 40, 1.0]]},
        }, {**pathway, "stages.other": {"staff_group": "staff", "entry": True}})
        model = WorkforceModel(str(path), rng=0).run()
        return model.group_totals(measure="stage_headcount")["staff"], model.history[-1]["stage_headcount"]
    with_own, stages_own = run(True)
    without, stages = run(False)
    assert with_own > without + 20  # the new role's graduates add to the staff in post
    s = load(str(tmp_path / "True" / "tiny.yaml"))
    other = s.stage_code("course/other")
    assert stages_own[other] > 90  # the others' posts stay filled
    assert stages[other] < 80  # where the role shares the group's establishment, it displaces them


# ---- less-than-full-time training: by sex, and carried from one stage to the next ------------------------
class _Stages:
    stage_ltft_share = np.array([[0.3, 0.02], [0.3, 0.02]])
    stage_ltft_persist = np.array([np.nan, 0.8])


def test_ltft_is_kept_by_most_who_trained_ltft_before_and_keeps_the_stages_share():
    s = _Stages()
    stage, previous = np.array([1, 1, 1, 1]), np.array([0, 0, 0, 0])
    sex = np.array([0, 0, 1, 1])
    chance = _ltft_chance(s, s.stage_ltft_share[stage, sex], stage, previous, np.array([True, False, True, False]), sex)
    assert chance[0] == pytest.approx(0.8) and chance[2] == pytest.approx(0.8)
    # the others: overall share = 0.3 x 0.8 + 0.7 x others = 0.3
    assert 0.3 * 0.8 + 0.7 * chance[1] == pytest.approx(0.3)
    assert 0.02 * 0.8 + 0.98 * chance[3] == pytest.approx(0.02)


def test_ltft_is_drawn_afresh_where_a_stage_sets_no_persistence_or_for_newcomers():
    s = _Stages()
    share = np.array([0.3, 0.3])
    assert np.array_equal(_ltft_chance(s, share, np.array([0, 1]), np.array([0, -1]), np.array([True, False]),
                                       np.array([0, 0])), share)


def test_women_train_ltft_more_often_than_men_in_psychiatry():
    model = WorkforceModel(until=2036, rng=0).run()
    s, p = model.inputs, model.people
    ids = np.flatnonzero(np.isin(p.stage[: p.count], [s.stage_code("psychiatry/core_psychiatry"),
                                                       s.stage_code("psychiatry/higher_specialty")]))
    women, men = p.ltft[ids][p.sex[ids] == 0].mean(), p.ltft[ids][p.sex[ids] == 1].mean()
    assert women > 3 * men


# ---- intakes fill by year --------------------------------------------------------------------------------
def test_fill_rate_by_year_applies_from_each_year_given(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 100},
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


def test_a_large_intake_trains_ltft_at_the_stages_share_where_it_sets_persistence(tmp_path):
    # new entrants have no stage before: their chance is the stage's share, however many enter together
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 2000}, "end": "2021-03"},
                               {"stages.student.ltft": {"share": {"female": 0.5, "male": 0.1}, "persist": 0.8,
                                                        "fraction": [0.5, 0.5]}})
    model = WorkforceModel(str(path), rng=0).run()
    p, s = model.people, model.inputs
    ids = model.counted()
    ids = ids[p.stage[ids] == s.stage_code("course/student")]
    assert len(ids) > 1900
    assert p.ltft[ids][p.sex[ids] == 0].mean() == pytest.approx(0.5, abs=0.05)
    assert p.ltft[ids][p.sex[ids] == 1].mean() == pytest.approx(0.1, abs=0.03)
