"""Progression (``sim.processes.progression``): a course with no place left at its next intake is not a way on."""

from __future__ import annotations

import numpy as np

import tiny_scenario
from sim import WorkforceModel, calendar
from sim.kernels.choice import pick, pick_open
from sim.processes.progression import places_ahead
from sim.rng import ShareTable


def _course(tmp_path, places):
    """Students of whom half go on to a course (of ``places`` by academic year), half to posts."""
    return tiny_scenario.with_specialty(tmp_path, {"places": places})


def test_nobody_goes_on_to_a_course_before_it_has_places_and_nobody_is_turned_away_from_it(tmp_path):
    """A course with no places until 2024 (as the Welsh CAAP course before 2022/23): those finishing before its
    first intake take the other ways on, and none arrives only to be turned away; once it has places, half go on."""
    model = WorkforceModel(str(_course(tmp_path, {2019: 0, 2024: 30})), rng=0).run()
    s = model.inputs
    ids, month, src, dst, reason = model.events.arrays()
    reasons = np.array(model.events.reasons)[reason]
    student, specialty = s.stage_code("course/student"), s.stage_code("course/specialty")
    finished = (src == student) & (reasons == "progressed")
    before = month < calendar.month(2023, 10)  # the next intake after October 2023 is September 2024's
    assert finished[before].sum() > 50 and (dst[finished & before] != specialty).all()
    later = finished & (month >= calendar.month(2023, 10))
    assert 0.35 < (dst[later] == specialty).mean() < 0.65
    assert not (reasons == "no_training_place").any()


def test_the_places_ahead_are_those_of_each_stages_next_intake_rounded_up(tmp_path):
    model = WorkforceModel(str(_course(tmp_path, {2019: 0, 2024: 30, 2025: 2.5, 2026: 0})), rng=0)
    s = model.inputs
    ahead = places_ahead(s, calendar.month(2028, 12))[:, s.stage_code("course/specialty")]
    months = np.arange(s.start, calendar.month(2028, 12) + 1)
    expected = np.where(months < calendar.month(2023, 10), 0, 30)  # September 2024's, from October 2023
    expected[months >= calendar.month(2024, 10)] = 3  # September 2025's
    expected[months >= calendar.month(2025, 10)] = 0
    assert (ahead == expected).all()
    assert (places_ahead(s, calendar.month(2028, 12))[:, s.stage_code("course/worker")] == np.iinfo(np.int64).max).all()


def test_arrivals_beyond_the_places_take_another_way_on_instead_of_being_turned_away_later(tmp_path):
    """About 20 arrive a year for 8 places, every arrival up to the places keeping one (``places_left``): those
    beyond them go to posts as they finish, none is turned away at the intake, and the course takes 8 a year."""
    path = tiny_scenario.with_specialty(tmp_path, {"places": {2019: 8}, "fill_rate_of": "places_left"})
    model = WorkforceModel(str(path), rng=0).run()
    s = model.inputs
    ids, month, src, dst, reason = model.events.arrays()
    reasons = np.array(model.events.reasons)[reason]
    student, specialty = s.stage_code("course/student"), s.stage_code("course/specialty")
    assert not (reasons == "no_training_place").any()
    entered = (dst == specialty) & (reasons != "stock")
    years = calendar.academic_year(month[entered] + (9 - calendar.month_of_year(month[entered])) % 12)
    assert (np.bincount(years)[years.min():] <= 8).all() and np.bincount(years).max() == 8
    finished = (src == student) & (reasons == "progressed")
    assert (dst[finished] != specialty).sum() > 0.6 * finished.sum()  # about 12 of 20 a year, and half anyway


def test_a_closed_way_shares_out_its_draws_among_the_others_in_proportion():
    """The same uniform: a draw that fell in an open way falls in it still; those of the closed way spread over
    the others as their shares; every way closed, none is drawn (-1)."""
    table = ShareTable([[0.2, 0.3, 0.5]], labels=[[4, 5, -1]])
    u = (np.arange(100_000) + 0.5) / 100_000
    shut = np.zeros(6, dtype=np.bool_)
    shut[5] = True
    drawn = np.array([pick_open(x, 0, table.cumulative, table.last, table.labels, shut) for x in u])
    assert np.allclose(np.bincount(drawn, minlength=3) / len(u), [0.2 / 0.7, 0.0, 0.5 / 0.7], atol=1e-4)
    plain = np.array([pick(x, 0, table.cumulative, table.total, table.last) for x in u])
    assert (drawn[plain == 0] == 0).all()  # the first open way keeps the draws it had
    shut[4] = True
    labels = np.array([[4, 5, 5]])
    assert pick_open(0.3, 0, table.cumulative, table.last, labels, shut) == -1


def _graduates(tmp_path, over: bool):
    """40 students a year, 80% of whom would take a post, for 10 vacant FTE and nobody leaving (everyone full
    time): those beyond the vacancies leave, unless the group's posts are made for them (``over_establishment``)."""
    return WorkforceModel(str(tiny_scenario.write(
        tmp_path, {"intake.course/student.places": {2019: 40},
                   "groups.staff.establishment": {"vacancies_fte": 10.0, "over_establishment": over}},
        {"stages.student.transitions": {"worker": 0.8, "exit:elsewhere": 0.2}})), rng=0).run()


def test_graduates_take_posts_only_while_some_are_vacant_and_the_others_take_their_other_way_on(tmp_path):
    model = _graduates(tmp_path, over=False)
    s = model.inputs
    ids, month, src, dst, reason = model.events.arrays()
    reasons = np.array(model.events.reasons)[reason]
    finished = src == s.stage_code("course/student")
    into_posts = finished & (dst == s.stage_code("course/worker"))
    assert into_posts.sum() == 10 and finished.sum() > 200  # the ten vacant posts filled, and no more
    assert (reasons[finished & ~into_posts] == "exit:elsewhere").all()
    fte = [record["post_fte"][0] for record in model.history]
    assert max(fte) == 110.0 == model.history[-1]["establishment_fte"][0]  # 100 in post at the start, 10 vacant


def test_a_group_whose_posts_are_made_for_its_graduates_takes_them_all_as_its_shares_say(tmp_path):
    model = _graduates(tmp_path, over=True)
    s = model.inputs
    ids, month, src, dst, reason = model.events.arrays()
    finished = src == s.stage_code("course/student")
    assert 0.75 < (dst[finished] == s.stage_code("course/worker")).mean() < 0.85


def test_certificate_holders_take_no_consultant_post_beyond_those_funded(tmp_path):
    """The default scenario, uncalibrated: consultant posts are filled to those funded and no further, where with
    psychiatry's posts made for its graduates they are filled beyond them."""
    for name, over in (("limited", ""), ("over", "groups:\n  psychiatry:\n    establishment:\n      over_establishment: "
                                                "true\n")):
        (tmp_path / f"{name}.yaml").write_text(f"extends: wales-mh-2021\nname: {name}\ncalibration: null\n{over}")
    ends = {}
    for name in ("limited", "over"):
        model = WorkforceModel(str(tmp_path / f"{name}.yaml"), rng=0, collect="yearly").run()
        c = model.inputs.stage_code("psychiatry/consultant")
        g = model.inputs.stage_group[c]
        posts = model.base_stage_fte[c] * model.funded_establishment()[g] / model.base_post_fte[g]
        ends[name] = max(record["stage_fte"][c] for record in model.history) - posts
    # within a few FTE: a certificate holder and a recruit may each take a whole post where less than one is
    # vacant, and staff in post change their hours whatever the posts
    assert ends["limited"] <= 3.0 < 10.0 < ends["over"]


def test_courses_finishing_together_share_the_posts_left_by_draw_not_by_row():
    """Social work's degree and masters graduates finish in the same month, into the few posts vacant: the
    masters' rows come after the degree's (its intake made second), and taking the movers in row order gave
    the degree's graduates the posts first (about 10% of them took a first MH post against 4% of the
    masters'). Taken in the order of their draws, each course's graduates take them alike."""
    share = {}
    for seed in (1, 2):
        events = WorkforceModel(until=2041, collect="yearly", rng=seed).run().events.table()
        for course in ("degree", "masters"):
            done = events[events.from_stage == f"social_work/{course}"]
            taken = (done.to_stage == "social_work/newly_qualified").sum()
            share[course] = np.add(share.get(course, (0, 0)), (taken, len(done)))
    degree, masters = (taken / done for taken, done in share.values())
    assert share["masters"][1] > 2_000 and 0.75 < masters / degree < 1.33
