"""The default scenario's starting population matches the facts sheet (section 1)."""

from __future__ import annotations

import numpy as np
import pytest

import tiny_scenario

from sim import WorkforceModel
from sim.people import Status


@pytest.fixture(scope="module", params=[0, 1])
def model(request):
    return WorkforceModel(rng=request.param, until=2021)


# F§1, March 2021, by NHS group: (FTE, headcount). F§1 gives the headcount of psychological therapies
# and psychiatry's non-training staff (330; trainees "over 150"); for nurses none, for HCSW "over 2,100"
# and OT "over 300": those are the scenario's reading of the total "nearly 7,600" (the comment above its
# stocks), checked against the published bounds below too.
NHS = {
    "nursing": (3218.2, 3496),
    "psychiatry": (449.3, 330 + 163),
    "hcsw": (1934.9, 2102),
    "psychological_therapies": (957.7, 1135),
    "occupational_therapy": (334.0, 363),
    "physician_associates": (2.0, 2),  # near zero (F§3); 2 is the scenario's assumption
}


def test_every_nhs_group_starts_at_its_published_fte_and_headcount_within_one_percent(model):
    fte = model.group_totals(measure="stage_fte")
    headcount = model.group_totals(measure="stage_headcount")
    for group, (published_fte, published_headcount) in NHS.items():
        assert fte[group] == pytest.approx(published_fte, rel=0.01), group
        assert headcount[group] == pytest.approx(published_headcount, rel=0.01), group
    total = sum(headcount[g] for g in NHS)
    assert total == pytest.approx(7600, rel=0.01) and total < 7600  # "nearly 7,600"
    assert sum(fte[g] for g in NHS) == pytest.approx(6894.1, rel=0.01)
    assert headcount["hcsw"] > 2100 and headcount["occupational_therapy"] > 300  # "over 2,100", "over 300"
    s, record = model.inputs, model.history[-1]
    non_training = [i for i, st in enumerate(s.stages) if st.startswith("psychiatry/") and not s.stage_training[i]]
    assert record["stage_headcount"][non_training].sum() == 330
    assert record["stage_fte"][non_training].sum() == pytest.approx(292.4, rel=0.01)
    trainees = [s.stage_code("psychiatry/core_psychiatry"), s.stage_code("psychiatry/higher_specialty")]
    assert record["stage_headcount"][trainees].sum() > 150  # "over 150" trainees


def test_nhs_hours_tables_keep_the_published_fte_per_head(model):
    """The participation tables give about the stock's FTE per head, so hours do not drift from it."""
    later = WorkforceModel(rng=0, until=2026)
    later.run()

    def per_head(m, group):  # staff in the posts of the start: trainees and new roles (young, full time CAAPs) aside
        record, s = m.history[-1], m.inputs
        posts = s.stage_post & (s.stage_group == s.group_code(group)) & (model.history[0]["stage_headcount"] > 0)
        return record["stage_fte"][posts].sum() / record["stage_headcount"][posts].sum()

    for group in ("nursing", "hcsw", "occupational_therapy", "psychological_therapies", "psychiatry"):
        assert per_head(later, group) == pytest.approx(per_head(model, group), abs=0.02), group


def test_trainees_in_every_training_stage_that_runs_in_2021(model):
    s, record = model.inputs, model.history[-1]
    for i, stage in enumerate(s.stages):
        if s.stage_training[i] and stage != "psychology/caap_training":  # the Welsh CAAP course starts 2022/23
            assert record["stage_headcount"][i] > 0, stage


def test_nurse_age_profile_follows_the_facts_sheet(model):
    p, s = model.people, model.inputs
    ids = model.counted()
    nurses = ids[p.stage[ids] == s.stage_code("nursing/registered_nurse")]
    age = (model.now - p.birth_month[nurses]) / 12
    assert (age < 35).mean() == pytest.approx(0.27, abs=0.03)
    assert (age >= 55).mean() == pytest.approx(0.22, abs=0.03)


def test_people_have_consistent_attributes(model):
    p, s = model.people, model.inputs
    ids = model.counted()
    assert ((p.fte[ids] > 0) & (p.fte[ids] <= 1)).all()
    assert (p.status[ids] == Status.TRAINING).sum() == s.stage_training[p.stage[ids]].sum()
    assert not p.mho[ids][s.stage_training[p.stage[ids]]].any()
    born_late = p.birth_month[ids] > s.mho_end - 55 * 12
    assert not p.mho[ids][born_late].any()  # MHO status only for those reaching 55 before it ends
    psychiatrists = ids[s.stage_group[p.stage[ids]] == s.groups.index("psychiatry")]
    held = p.mho[psychiatrists]
    assert held.any() and (p.birth_month[psychiatrists][held] <= s.mho_closed - 24 * 12).all()  # in post by then
    assert 0.15 < p.welsh[ids].mean() < 0.33
    ltft = p.ltft[ids]
    assert ltft.any() and (p.ltft_fraction[ids][ltft] < 1).all()
    due = p.stage_due[ids]
    timed = s.stage_months[p.stage[ids]] > 0
    assert (due[timed] > model.now).all()
    assert np.unique(ids).size == ids.size


# ---- every profession, NHS and social care (facts sheet section 1) -------------------------------

def test_nhs_groups_are_the_facts_sheets(model):
    s = model.inputs
    assert [g for g in s.groups if s.spec.groups[g].sector == "nhs"] == list(NHS)


def test_social_care_headcounts_match_the_facts_sheet(model):
    headcount = model.group_totals(measure="stage_headcount")
    published = {"social_work": 391 + 298, "social_care_workers": 292 + 351, "social_care_managers": 61 + 128}
    for group, value in published.items():
        assert headcount[group] == value, group
    assert sum(published.values()) == 1521
    s, record = model.inputs, model.history[-1]
    assert record["stage_headcount"][s.stage_code("social_work/amhp")] == 355
    assert record["stage_headcount"][s.stage_code("social_work/best_interests_assessor")] == 199


def test_people_carry_their_groups_sector_and_welsh_ability(model):
    p, s = model.people, model.inputs
    ids = model.counted()
    ids = ids[s.stage_workforce[p.stage[ids]]]
    social_care = np.array([s.spec.groups[g].sector == "social_care" for g in s.groups])
    assert (p.sector[ids] == social_care[p.group[ids]]).all()
    care = ids[social_care[p.group[ids]]]
    assert p.welsh[care].mean() == pytest.approx(0.40, abs=0.03)  # F§1: 40% of social care
    workers = ids[p.group[ids] == s.group_code("social_care_workers")]
    assert p.welsh[workers].mean() == pytest.approx(0.38, abs=0.06)  # F§1: 38% of social care workers
    # the tidy table reports Welsh speakers for every group
    from sim.results import Results

    tidy = Results(model=model, seed=0).tidy()
    welsh = tidy[tidy.measure == "welsh_speaking_headcount"].set_index("group")["value"]
    assert set(welsh.index) == set(s.groups)
    assert welsh["social_care_workers"] == p.welsh[workers].sum()


# ---- the 2015 history scenario: 2021 stocks less the published changes (section 5) --------------

@pytest.fixture(scope="module")
def history():
    return WorkforceModel("wales-mh-2015", rng=0, until=2015)


def test_history_starts_from_the_2021_stocks_less_the_published_changes(history):
    fte = history.group_totals(measure="stage_fte")
    headcount = history.group_totals(measure="stage_headcount")
    assert fte["nursing"] == pytest.approx(3218.2 / 1.059, rel=0.01)
    assert fte["hcsw"] == pytest.approx(1934.9 - 146, rel=0.01)
    assert fte["psychological_therapies"] == pytest.approx(957.7 - 404, rel=0.01)
    assert fte["psychiatry"] == pytest.approx(449.3 / 0.973, rel=0.01)
    assert headcount["social_work"] == 610 and headcount["physician_associates"] == 0
    p, s = history.people, history.inputs
    ids = history.counted()
    nurses = ids[p.stage[ids] == s.stage_code("nursing/registered_nurse")]
    age = (history.now - p.birth_month[nurses]) / 12
    assert (age < 35).mean() == pytest.approx(0.19, abs=0.03)  # F§5: 19% under 35 in 2015
    assert (age >= 55).mean() == pytest.approx(0.14, abs=0.03)  # F§5: 14% over 55 in 2015


def test_each_stock_is_drawn_as_it_would_be_alone(case):
    """Stocks are drawn in one batch: each person gets exactly what drawing their stock alone gives."""
    from conftest import DELETE
    from sim import scenario

    stocks = scenario.load(case()).spec.stocks
    kinds = {(s.headcount is not None, s.fte is not None): name for name, s in stocks.items()}
    chosen = list(dict.fromkeys(kinds.values()))
    assert len(chosen) == 3  # headcount only, FTE only, both
    model = WorkforceModel(scenario=case(), rng=4)
    everyone = model.people.columns()
    stage = everyone["stage"]
    spec = scenario.load(case()).spec
    kept = [name for name, intake in spec.intake.items() if intake.keep_headcount]
    # a group left with nobody in post has no staff for a vacancy rate to be a share of: its vacancies given instead
    # (the establishment draws nobody, so the stock's draws are the same)
    rated = {f"groups.{g}.establishment.{key}": value for g, x in spec.groups.items()
             if x.establishment.vacancy_rate is not None
             for key, value in (("vacancy_rate", DELETE), ("vacancies_fte", 0.0))}
    for name in chosen:  # the stock alone: no intake keeping a headcount of the stocks left out
        alone = WorkforceModel(scenario=case({**{f"stocks.{other}": DELETE for other in stocks if other != name},
                                              **{f"intake.{k}.keep_headcount": False for k in kept if k != name},
                                              **rated}), rng=4)
        code = model.inputs.stage_code(name)
        mine = stage == code
        assert np.flatnonzero(mine).tolist() == list(range(np.flatnonzero(mine)[0], np.flatnonzero(mine)[-1] + 1))
        for field, column in alone.people.columns().items():
            if field != "id":
                np.testing.assert_array_equal(everyone[field][mine], column, err_msg=f"{name}: {field}")


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


def test_the_starting_record_tallies_no_fte_moved():
    """Building the stocks moves no FTE: a checked run's tally starts at the starting stocks, and
    never counts the candidates dropped to meet a stock's published FTE."""
    model = WorkforceModel(rng=1, check=True, until=2022)
    assert not model.history[0]["fte_flows"].any()
    model.step()
    assert model.history[-1]["fte_flows"].any()  # the tally runs from there


# ---- a stock's FTE is the one given, whatever hours its group's participation allows -------------------
@pytest.mark.parametrize("stock, participation", [
    # both given, nobody part time: the FTE was ignored (100 people at 100 FTE)
    ({"headcount": 100, "fte": 50.0}, {}),
    # both given, a few part-timers, who could not absorb the difference alone (95 FTE)
    ({"headcount": 100, "fte": 50.0}, {"part_time_share": 0.1}),
    # FTE only, part-timers working under 0.3 FTE: too few candidates were drawn (34 FTE)
    ({"fte": 100.0}, {"part_time_share": 1.0, "part_time_fte": [0.1, 0.1]}),
    # both given, everyone working under a twentieth: their hours were scaled twenty times at most (9 FTE)
    ({"headcount": 100, "fte": 90.0}, {"part_time_share": 1.0, "part_time_fte": [0.01, 0.02]}),
])
def test_a_stock_starts_at_the_fte_it_gives(tmp_path, stock, participation):
    changes = {"stocks.course/worker": {**stock, "age": [[30, 50, 1.0]]}}
    changes |= {f"groups.staff.participation.{k}": v for k, v in participation.items()}
    model = WorkforceModel(str(tiny_scenario.write(tmp_path, changes)), rng=0)
    fte = model.group_totals(measure="stage_fte")["staff"]
    assert fte == pytest.approx(stock["fte"], rel=1e-4)
    if "headcount" in stock:
        assert model.group_totals(measure="stage_headcount")["staff"] == stock["headcount"]


def test_a_stock_in_post_holds_returners_at_the_steady_share_with_what_is_left_of_their_stays(tmp_path):
    # 60 to 61: a year's retirements 0.3 x the share coming back 0.5 x a mean stay of 2 years gives
    # 0.3 returners for each of the staff in post, so 0.3 / 1.3 of the stock
    path = tiny_scenario.write(tmp_path, {
        "stocks.course/worker.headcount": 6000, "stocks.course/worker.age": [[60, 61, 1.0]],
        "groups.staff.retirement.rate": 0.3, "groups.staff.retire_and_return.share": 0.5,
        "groups.staff.retire_and_return.stay_years": [1, 3], "groups.staff.retire_and_return.hours_cut": 0.5,
        "end": "2021-03"})
    model = WorkforceModel(scenario=path, rng=3)
    p, now = model.people, model.now
    ids = model.counted()
    back = ids[p.status[ids] == Status.RETURNED]
    share = 0.3 / 1.3
    assert abs(len(back) / len(ids) - share) < 4 * np.sqrt(share * (1 - share) / len(ids))
    assert (p.fte[back] == 0.5).all() and (p.fte[ids[p.status[ids] == Status.IN_POST]] == 1.0).all()
    left = p.return_until[back] - now
    assert left.min() >= 1 and left.max() <= 36 and (p.next_due[back] == p.return_until[back]).all()
    # a stay seen part-way is drawn in proportion to its length (mean 26 months of stays of 12 to 36), and
    # what is left of it is uniform within it: 13 months, and half a month more for whole months
    assert abs(left.mean() - 13.5) < 4 * left.std() / np.sqrt(len(left))
    table = model.events.table()
    assert set(table[table.person_id.isin(back)].reason) == {"stock_returned"}
    model.run()  # they leave as their stays end, and no one else does
    ended = model.events.table().query("reason == 'return_ended'")
    assert sorted(ended.person_id) == sorted(back[p.return_until[back] <= model.end])
