"""Joiners (``sim.processes.joiners``): recruits go where the posts are vacant."""

from __future__ import annotations

import numpy as np
import pytest

import tiny_scenario
from sim.errors import InputError
from sim.model import WorkforceModel
from sim import people
from sim.processes import joiners
from sim.people import Status


def _two_post_scenario(tmp_path, shares, stock=100, vacancies: dict | None = None):
    pathway = {"stages.other": {"staff_group": "staff", "entry": True}}
    return tiny_scenario.write(tmp_path, {
        "stocks.course/other": {"headcount": stock, "fte": float(stock), "age": [[30, 50, 1.0]]},
        "stocks.course/worker": {"headcount": stock, "fte": float(stock), "age": [[30, 50, 1.0]]},
        "groups.staff.establishment.vacancies_fte": 40.0,
        "groups.staff.establishment.vacancy_shares": vacancies,
        "groups.staff.joiners": {"per_year": 1000, "fill_per_month": 0.5, "stages": shares,
                                 "sources": {"elsewhere": 1.0}, "age": [[30, 40, 1.0]]},
    }, pathway)


def _joined_by_stage(model) -> dict[str, int]:
    table = model.events.table()
    return table[table.reason.str.startswith("joined:")].to_stage.value_counts().to_dict()


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


def test_published_vacancies_by_stage_are_where_the_joiners_go(tmp_path):
    """F§2 names which posts are vacant (77 of psychiatry's 101 are consultants'): with the vacancies
    all the workers', the other stage's posts are full and its joiners come only once its staff leave."""
    path = _two_post_scenario(tmp_path, {"course/worker": 0.5, "course/other": 0.5},
                              vacancies={"course/worker": 1.0})
    model = WorkforceModel(str(path), rng=0, until=2021)
    s = model.inputs
    grown = model.funded_establishment()[0] / model.base_post_fte[0]
    posts = model.base_stage_fte * grown - model.stage_fte()
    assert posts[s.stage_code("course/worker")] == pytest.approx(40.0)
    assert posts[s.stage_code("course/other")] == pytest.approx(0.0, abs=1e-9)
    joined = _joined_by_stage(model.run())
    assert joined["course/worker"] > 4 * joined.get("course/other", 0)
    # without it the 40 are both stages' (20 each), so either takes about half
    pro_rata = _joined_by_stage(WorkforceModel(str(_two_post_scenario(tmp_path / "pro-rata", {
        "course/worker": 0.5, "course/other": 0.5})), rng=0, until=2021).run())
    assert pro_rata["course/other"] > joined.get("course/other", 0) + 5


@pytest.mark.parametrize("shares, field", [
    ({"course/student": 1.0}, "groups.staff.establishment.vacancy_shares.course/student"),  # a training stage
    ({"course/nowhere": 1.0}, "groups.staff.establishment.vacancy_shares.course/nowhere"),
    ({"course/worker": 0.6}, "groups.staff.establishment.vacancy_shares"),  # not summing to 1
    ({}, "groups.staff.establishment.vacancy_shares"),
])
def test_vacancy_shares_name_the_groups_posts_and_sum_to_one(tmp_path, shares, field):
    path = _two_post_scenario(tmp_path, {"course/worker": 1.0}, vacancies=shares)
    with pytest.raises(InputError) as caught:
        WorkforceModel(str(path), rng=0)
    assert any(p.field.startswith(field) for p in caught.value.problems)


@pytest.mark.parametrize("changes, field, expected", [
    ({"stages": {}}, "groups.staff.joiners.stages", "at least one post stage joiners join"),
    ({"sources": {}}, "groups.staff.joiners.sources", "at least one source, with its share of per_year"),
])
def test_joiners_name_a_stage_to_join_and_a_source_to_come_from(tmp_path, load_error, changes, field, expected):
    """An empty mapping of stages or sources passed the shares' check (no share to sum) and the run drew
    joiners all the same, with no stage or no source to give them."""
    joiners = {"per_year": 100.0, "fill_per_month": 0.5, "stages": {"course/worker": 1.0},
               "sources": {"elsewhere": 1.0}, "age": [[30, 40, 1.0]]}
    path = tiny_scenario.write(tmp_path, {"groups.staff.establishment.vacancies_fte": 30.0,
                                          "groups.staff.joiners": {**joiners, **changes}})
    load_error(path, str(path), field, expected)


def test_joiners_follow_the_shares_when_no_stage_has_a_vacancy_of_its_own(tmp_path):
    path = _two_post_scenario(tmp_path, {"course/worker": 0.8, "course/other": 0.2}, stock=0)
    model = WorkforceModel(str(path), rng=0).run()  # a new service: its 40 funded FTE belong to no stage yet
    s = model.inputs
    ids, _, _, dst, reason = model.events.arrays()
    joined = np.char.startswith(np.array(model.events.reasons)[reason].astype(str), "joined:")
    share = (dst[joined] == s.stage_code("course/worker")).mean()
    assert 0.65 < share < 0.95


def _pooled(tmp_path, joining: dict, vacancies: float = 400.0):
    return tiny_scenario.write(tmp_path, {
        "groups.staff.establishment.vacancies_fte": vacancies,
        "groups.staff.joiners": {"fill_per_month": 1.0, "stages": {"course/worker": 1.0}, "age": [[30, 40, 1.0]],
                                 **joining},
    })


def _joined(model) -> dict[str, int]:
    table = model.events.table()
    table = table[table.reason.str.startswith("joined:")]
    return table.reason.str.removeprefix("joined:").value_counts().to_dict()


def test_pools_are_per_year_split_by_source_shares_and_give_the_same_joiners(tmp_path):
    pools = _pooled(tmp_path / "pools", {"pools": {"elsewhere": 30.0, "international": 10.0}})
    shares = _pooled(tmp_path / "shares", {"per_year": 40.0, "sources": {"elsewhere": 0.75, "international": 0.25}})
    spec = WorkforceModel(str(pools), rng=0).inputs.spec.groups["staff"].joiners
    assert spec.per_year == 40.0 and spec.sources == {"elsewhere": 0.75, "international": 0.25}
    runs = [WorkforceModel(str(path), rng=4, until=2024).run() for path in (pools, shares)]
    assert _joined(runs[0]) == _joined(runs[1])
    overridden = WorkforceModel(str(pools), overrides={"groups.staff.joiners.pools.international": 30.0}, rng=0)
    spec = overridden.inputs.spec.groups["staff"].joiners
    assert spec.per_year == 60.0 and spec.sources == {"elsewhere": 0.5, "international": 0.5}


def test_no_pool_gives_more_than_its_supply_and_each_joiner_comes_from_their_pool(tmp_path):
    """Vacancies far above the supply: every pool is taken to about its own supply a year, not beyond."""
    path = _pooled(tmp_path, {"pools": {"elsewhere": 24.0, "international": 6.0, "return_to_practice": 0.0}})
    model = WorkforceModel(str(path), rng=1, until=2030).run()  # ten years
    joined = _joined(model)
    assert set(joined) == {"elsewhere", "international"}  # an empty pool gives nobody
    assert 200 <= joined["elsewhere"] <= 280 and 40 <= joined["international"] <= 80


def test_an_establishment_grown_past_any_count_of_people_is_recruited_to_at_the_pools_supply(tmp_path):
    """Doubling every year (the largest growth allowed) for 70 years: vacant FTE past what a whole number
    of people holds, and the joiners still those the pools supply."""
    path = tiny_scenario.write(tmp_path, {
        "end": "2100-03", "groups.staff.establishment.growth_per_year": 1.0,
        "groups.staff.joiners": {"pools": {"elsewhere": 12.0}, "fill_per_month": 1.0, "stages": {"course/worker": 1.0},
                                 "age": [[30, 40, 1.0]]}})
    model = WorkforceModel(str(path), rng=0, until=2090, collect="yearly").run()
    assert model.establishment()[0] > 2.0 ** 63
    assert 70 * 12 * 0.8 <= _joined(model)["elsewhere"] <= 70 * 12 * 1.2


def test_joiners_given_too_few_rows_are_counted_again_with_more_and_join_as_with_room(monkeypatch):
    """The people's store makes ready one row at a time, and the joiners ask for none ahead, so a month's
    joiners rarely fit in the rows ready: the month is counted again once there are more, its draws the
    same, nothing done twice."""
    def run():
        model = WorkforceModel(rng=3, until=2023, collect="yearly").run()
        return model.history[-1], model.events.arrays(), model.people.count

    history, events, count = run()
    monkeypatch.setattr(people, "_FILL", 1)
    monkeypatch.setattr(joiners, "_ROWS_AHEAD", 0)
    tight_history, tight_events, tight_count = run()
    assert tight_count == count and all(np.array_equal(a, b) for a, b in zip(events, tight_events))
    assert all(np.array_equal(np.asarray(history[k]), np.asarray(tight_history[k])) for k in ("stage_headcount",
                                                                                                "stage_fte"))
    assert tight_history["flows"] == history["flows"]



def _ages_by_source(model) -> dict[str, np.ndarray]:
    """Each joiner's age (years) as they joined, by source."""
    ids, month, _, _, reason = model.events.arrays()
    names = np.array(model.events.reasons)[reason].astype(str)
    joined = np.char.startswith(names, "joined:")
    ages = (month[joined] - model.people.birth_month[ids[joined]]) / 12.0
    return {s: ages[names[joined] == f"joined:{s}"] for s in np.unique(np.char.replace(names[joined], "joined:", ""))}


def test_a_source_with_ages_of_its_own_gives_its_joiners_those_ages_and_the_others_the_groups(tmp_path):
    """Returners to practice qualified years before: a source's own ages (``age_by_source``) are theirs,
    and the other sources' joiners keep the group's, each drawn as before."""
    joining = {"pools": {"elsewhere": 30.0, "return_to_practice": 30.0}, "age": [[22, 30, 1.0]]}
    plain = WorkforceModel(str(_pooled(tmp_path / "plain", joining)), rng=2, until=2026).run()
    own = WorkforceModel(str(_pooled(tmp_path / "own", {
        **joining, "age_by_source": {"return_to_practice": [[40, 50, 1.0]]}})), rng=2, until=2026).run()
    before, after = _ages_by_source(plain), _ages_by_source(own)
    assert len(after["return_to_practice"]) > 50
    assert after["return_to_practice"].min() >= 40 and after["return_to_practice"].max() < 50
    assert before["return_to_practice"].max() < 30
    np.testing.assert_array_equal(before["elsewhere"], after["elsewhere"])


def test_a_funded_campaigns_recruits_take_their_sources_ages(tmp_path):
    from sim.interventions import Recruitment
    path = _pooled(tmp_path, {"pools": {"elsewhere": 1.0, "return_to_practice": 1.0}, "age": [[22, 30, 1.0]],
                              "age_by_source": {"return_to_practice": [[40, 50, 1.0]]}}, vacancies=0.0)
    model = WorkforceModel(str(path), rng=1, until=2024, interventions=[
        Recruitment(groups=["staff"], extra_per_year=60.0, source="return_to_practice", funded=True)]).run()
    ages = _ages_by_source(model)["return_to_practice"]
    assert len(ages) > 60 and ages.min() >= 40


def test_a_stage_with_ages_of_its_own_gives_its_joiners_those_ages_after_a_sources_own(tmp_path):
    """A consultant recruit holds a certificate an SAS recruit does not: a stage's own ages (``age_by_stage``) are its
    joiners', a source's own ages (``age_by_source``) before them, and the other stage's joiners keep the group's,
    each drawn as before."""
    joining = {"pools": {"elsewhere": 30.0, "return_to_practice": 10.0}, "stages": {"course/worker": 0.5,
               "course/senior": 0.5}, "age": [[22, 30, 1.0]], "age_by_source": {"return_to_practice": [[55, 60, 1.0]]}}
    senior = {"stages.senior": {"staff_group": "staff", "entry": True}}
    stock = {"stocks.course/senior": {"headcount": 100, "age": [[40, 50, 1.0]]}}

    def ages(directory, joiners):
        path = tiny_scenario.write(directory, {"groups.staff.establishment.vacancies_fte": 400.0, **stock,
                                               "groups.staff.joiners": {"fill_per_month": 1.0, **joiners}}, senior)
        model = WorkforceModel(str(path), rng=2, until=2026).run()
        ids, month, _, dst, reason = model.events.arrays()
        names = np.array(model.events.reasons)[reason].astype(str)
        stage = np.array(model.inputs.stages)[dst]
        age = (month - model.people.birth_month[ids]) / 12.0
        return {(st, source): age[(stage == f"course/{st}") & (names == f"joined:{source}")]
                for st in ("worker", "senior") for source in ("elsewhere", "return_to_practice")}

    before = ages(tmp_path / "group", joining)
    after = ages(tmp_path / "stage", {**joining, "age_by_stage": {"course/senior": [[40, 50, 1.0]]}})
    assert min(len(a) for a in after.values()) > 5
    assert before["senior", "elsewhere"].max() < 30
    assert after["senior", "elsewhere"].min() >= 40 and after["senior", "elsewhere"].max() < 50
    for st in ("worker", "senior"):
        assert after[st, "return_to_practice"].min() >= 55 and after[st, "return_to_practice"].max() < 60
    np.testing.assert_array_equal(before["worker", "elsewhere"], after["worker", "elsewhere"])


@pytest.mark.parametrize("age_by_stage, field, expected", [
    ({"course/student": [[30, 40, 1.0]]}, "groups.staff.joiners", "not a stage of these joiners"),
    ({"course/worker": [[30, 80, 1.0]]}, "groups.staff.joiners.age_by_stage.course/worker",
     "at or below the group's maximum"),
    ({"course/worker": [[30, 40, 0.5]]}, "groups.staff.joiners.age_by_stage",
     "course/worker's age band shares summing to 1"),
])
def test_a_stages_ages_are_of_one_of_its_stages_sum_to_one_and_end_before_the_maximum_age(
        tmp_path, load_error, age_by_stage, field, expected):
    path = _pooled(tmp_path, {"pools": {"elsewhere": 10.0}, "age_by_stage": age_by_stage})
    load_error(path, str(path), field, expected)


@pytest.mark.parametrize("age_by_source, field, expected", [
    ({"abroad": [[30, 40, 1.0]]}, "groups.staff.joiners", "not a source of these joiners"),
    ({"elsewhere": [[30, 80, 1.0]]}, "groups.staff.joiners.age_by_source.elsewhere", "at or below the group's maximum"),
    ({"elsewhere": [[30, 40, 0.5]]}, "groups.staff.joiners.age_by_source", "elsewhere's age band shares summing to 1"),
])
def test_a_sources_ages_are_of_one_of_its_sources_sum_to_one_and_end_before_the_maximum_age(
        tmp_path, load_error, age_by_source, field, expected):
    path = _pooled(tmp_path, {"pools": {"elsewhere": 10.0}, "age_by_source": age_by_source})
    load_error(path, str(path), field, expected)
