"""Policy levers: each changes what it says from its start date, once, and only for whom it names."""

from __future__ import annotations

import numpy as np
import pytest

import tiny_scenario
from conftest import has_problem
from sim import WorkforceModel, calendar, scenario
from sim.errors import InputError
from sim.interventions import (Feedbacks, FundedPosts, InServiceRoute, LtftTraining, Recruitment, RetireAndReturn,
                               Retention, TrainingAttrition, TrainingPlaces, Transitions, policy_problems, superseded)
from sim.results import Results

NURSING_DEGREE = "nursing/pre_registration_degree"


def events(model):
    return model.events.table()


def fte(model):
    return Results(model, model.seed).summary("fte")


def test_training_places_schedule_takes_effect_from_its_year(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 100}, "end": "2024-03"})
    lever = TrainingPlaces(stage="course/student", places={2022: 250}, fill_rate=1.0)
    table = events(WorkforceModel(scenario=path, rng=1, interventions=[lever]).run())
    intake = table[table.reason == "intake"].groupby("month").size()
    assert intake.to_dict() == {"2020-09": 100, "2021-09": 100, "2022-09": 250, "2023-09": 250}


def test_extra_places_start_at_the_first_intake_after_the_start_date(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 100}, "end": "2024-03"})
    lever = TrainingPlaces(stage="course/student", extra=8, start="2021-10")
    table = events(WorkforceModel(scenario=path, rng=1, interventions=[lever]).run())
    intake = table[table.reason == "intake"].groupby("month").size()
    assert intake.to_dict() == {"2020-09": 100, "2021-09": 100, "2022-09": 108, "2023-09": 108}


def test_retention_cuts_leavers_of_the_chosen_group_and_leaves_the_others_draw_for_draw():
    base = WorkforceModel(rng=3, until=2023).run()
    policy = WorkforceModel(rng=3, until=2023, interventions=[Retention(factor=0.5, groups=["nursing"])]).run()
    left = {}
    for name, model in (("base", base), ("policy", policy)):
        t = events(model)
        t = t[t.reason.str.startswith("left:") & (t.month <= "2021-12")]
        left[name] = t.from_stage.value_counts()
    nurse = "nursing/registered_nurse"
    assert left["policy"][nurse] < 0.65 * left["base"][nurse]
    assert left["policy"][nurse] > 0.35 * left["base"][nurse]
    others = [g for g in base.inputs.groups if g != "nursing"]
    assert fte(base)[others].equals(fte(policy)[others])


def test_retention_scales_the_annual_rate_exactly_for_chosen_stages_and_ages():
    model = WorkforceModel(rng=1, until=2022, interventions=[
        Retention(factor=0.5, stages=["nursing/registered_nurse"], ages=(55, 100))])
    model.step()
    s = model.inputs
    nurse, band_55 = s.stage_code("nursing/registered_nurse"), list(s.band_edges // 12).index(55)
    g = s.stage_group[nurse]
    monthly = s.leave_monthly[g] * s.stage_leave_factor[nurse]
    annual = 1 - (1 - monthly) ** 12
    original = 1 - (1 - s.leave_monthly[g]) ** 12
    assert annual[:, band_55:] == pytest.approx(0.5 * original[:, band_55:])
    assert (s.stage_leave_factor[nurse][:, :band_55] == 1).all()
    assert (np.delete(s.stage_leave_factor, nurse, axis=0) == 1).all()


def test_levers_are_idempotent_and_compose_the_same_whenever_each_started():
    """Applying every month (or twice a month) never compounds a lever's effect."""
    a = Retention(factor=0.8, groups=["nursing"], start="2021-06")
    b = Retention(factor=0.5, ages=(55, 100), start="2021-09")
    c = TrainingPlaces(stage=NURSING_DEGREE, extra=10, start="2021-05")
    model = WorkforceModel(rng=1, until=2022, interventions=[a, b, c]).run()
    for lever in (a, b, c, a):
        lever.apply(model)  # again, in the last month: changes nothing
    fresh = WorkforceModel(rng=1, until=2022)
    fresh.now = model.now
    for lever in (a, b, c):  # all three at once, applied a single time
        lever.apply(fresh)
    np.testing.assert_array_equal(model.inputs.stage_leave_factor, fresh.inputs.stage_leave_factor)
    assert model.inputs.spec.intake[NURSING_DEGREE].places == fresh.inputs.spec.intake[NURSING_DEGREE].places
    base = WorkforceModel(rng=1, until=2022).inputs.spec.intake[NURSING_DEGREE].places
    assert model.inputs.spec.intake[NURSING_DEGREE].places == {y: v + 10 for y, v in base.items()}


def test_a_lever_before_its_start_changes_nothing_and_never_touches_another_models_inputs():
    lever = Retention(factor=0.1, groups=["nursing"], start="2023-01")
    base = WorkforceModel(rng=4, until=2023)
    policy = WorkforceModel(rng=4, until=2023, interventions=[lever])
    while policy.now < lever.start_month - 1:
        base.step()
        policy.step()
    assert np.array_equal(policy.stage_fte(), base.stage_fte()) and policy.people.count == base.people.count
    assert policy.inputs.stage_leave_factor is None
    policy.run()
    assert policy.inputs.stage_leave_factor is not None
    assert WorkforceModel(rng=4, until=2023).inputs.stage_leave_factor is None


@pytest.mark.parametrize("start", ["2019-01", "2024-01"])
def test_a_lever_starting_outside_the_run_is_refused_not_taken_from_the_start_or_never_acting(start):
    with pytest.raises(InputError) as error:
        WorkforceModel(rng=4, until=2023, interventions=[Retention(factor=0.9, start=start)])
    assert has_problem(str(error.value), "WorkforceModel", "interventions[0] (retention).start",
                       "a month within the run")


def test_a_levers_value_that_a_lever_given_after_it_replaces_is_refused_in_python_as_in_an_experiment(tmp_path):
    """Levers are put in force in the order given: the first fill rate was replaced in every month, in silence.
    Refused as the model is built, naming each lever by its place in the interventions and its kind (it was
    refused only at the first month, as levers.1 of a policy the caller never named)."""
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 10}})
    first, then = (TrainingPlaces(stage="course/student", fill_rate=rate) for rate in (0.5, 0.9))
    with pytest.raises(InputError) as error:
        WorkforceModel(scenario=path, rng=1, until=2022, interventions=[Retention(factor=0.9), first, then])
    assert has_problem(str(error.value), "WorkforceModel", "interventions[1] (training_places).fill_rate",
                       "a value that acts: interventions[2] (training_places) of this policy, given after it"), \
        str(error.value)
    later = TrainingPlaces(stage="course/student", fill_rate=0.9, start="2021-01")  # acts from its start
    WorkforceModel(scenario=path, rng=1, until=2022, interventions=[first, later]).run()


def test_a_lever_added_after_the_model_is_built_is_refused_where_it_would_replace_one(tmp_path):
    """A lever put in force after the model was built (appended to its interventions) is held to the same rule,
    as it first acts."""
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 10}})
    model = WorkforceModel(scenario=path, rng=1, until=2022,
                           interventions=[TrainingPlaces(stage="course/student", fill_rate=0.5)])
    model.interventions.append(TrainingPlaces(stage="course/student", fill_rate=0.9))
    with pytest.raises(InputError) as error:
        model.step()
    assert has_problem(str(error.value), "lever training_places", "fill_rate", "a value that acts: levers.1")


def test_levers_given_in_python_are_held_to_an_experiment_files_rule_together(tmp_path):
    """Two retention levers, each fitting the scenario, together took a leaver rate of 0.3 x 2 x 2 past 1, capped at 1
    in silence, where an experiment file's policy of the same levers is refused (``policy_problems``): refused as the
    model is built, with the file's words, naming the lever by its place in the interventions and its kind."""
    path = tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": 0.3})
    levers = [Retention(factor=2.0, start="2021-01"), Retention(factor=2.0, start="2022-01")]
    with pytest.raises(InputError) as error:
        WorkforceModel(scenario=path, rng=1, until=2023, interventions=levers)
    loaded = scenario.load(path)
    [(_, field, expected, found)] = policy_problems(levers, loaded, calendar.month(2023, 3))
    assert [(p.file, p.field, p.expected, p.found) for p in error.value.problems] == [
        ("WorkforceModel", f"interventions[1] (retention).{field}", expected, found)]
    assert field == "factor" and "a factor of at most 1.666" in expected


def test_a_lever_added_after_the_model_is_built_is_held_to_the_rule_with_every_lever_in_force(tmp_path):
    """Added to the interventions after the model was built, a lever was checked against the levers in force in the
    month it first acted: the first retention lever, not yet in force, left its factor unchecked against the
    second's."""
    path = tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": 0.3})
    model = WorkforceModel(scenario=path, rng=1, until=2023, interventions=[Retention(factor=2.0, start="2021-01")])
    model.interventions.append(Retention(factor=2.0, start="2022-01"))
    with pytest.raises(InputError) as error:
        model.step()
    assert has_problem(str(error.value), "lever retention", "factor", "a factor of at most 1.666"), str(error.value)


@pytest.mark.parametrize("levers, kind, field", [
    (lambda: [TrainingPlaces(stage=NURSING_DEGREE, extra=5), TrainingPlaces(stage=NURSING_DEGREE, places={2021: 400})],
     "training_places", "extra"),
    (lambda: [LtftTraining(share=0.3, stages=[NURSING_DEGREE], extra_places=0.2),
              TrainingPlaces(stage=NURSING_DEGREE, places={2019: 400})], "ltft_training", "extra_places"),
    (lambda: [Recruitment(groups=["nursing"], extra_per_year=40),
              Recruitment(groups=["nursing"], per_year=100)], "recruitment", "extra_per_year"),
], ids=["extra places under a later schedule", "ltft places under a later schedule", "joiners under a later supply"])
def test_what_a_lever_adds_to_a_value_a_lever_given_after_it_sets_is_refused(levers, kind, field):
    """The later lever sets the places (or joiners a year) in every month the first is in force: the places or joiners
    it added were replaced, and it was in the policy while changing nothing, in silence."""
    with pytest.raises(InputError) as error:
        WorkforceModel(rng=1, until=2022, interventions=levers())
    assert has_problem(str(error.value), "WorkforceModel", f"interventions[0] ({kind}).{field}",
                       "a value that acts: interventions[1]"), str(error.value)


def test_extra_places_before_a_later_schedules_first_year_act_and_are_accepted():
    """The schedule replaces the places from 2023/24: the extra places of 2021/22 and 2022/23 still act. Extra
    joiners from a source weigh the pools' shares towards it, which a later supply a year leaves as they are."""
    first, then = TrainingPlaces(stage=NURSING_DEGREE, extra=5), TrainingPlaces(stage=NURSING_DEGREE, places={2023: 400})
    assert superseded([first, then], [0, 1], scenario.compiled(scenario.DEFAULT)) == []
    sourced = [Recruitment(groups=["nursing"], extra_per_year=40, source="international"),
               Recruitment(groups=["nursing"], per_year=100)]
    assert superseded(sourced, [0, 1], scenario.compiled(scenario.DEFAULT)) == []


def test_neutral_levers_give_exactly_the_baseline():
    neutral = [Retention(factor=1.0), TrainingPlaces(stage=NURSING_DEGREE, extra=0),
               TrainingAttrition(reduction=0.0), RetireAndReturn(retirement_factor=1.0)]
    base = WorkforceModel(rng=5, until=2024).run()
    policy = WorkforceModel(rng=5, until=2024, interventions=neutral).run()
    assert Results(base, 5).tidy().equals(Results(policy, 5).tidy())


def test_retire_and_return_and_flexible_retirement_change_their_groups_only():
    lever = RetireAndReturn(groups=["psychiatry"], share=0.9, hours_cut=0.5, stay_years=(4, 6), retirement_factor=0.5)
    model = WorkforceModel(rng=1, until=2022, interventions=[lever])
    before = model.inputs.retire_monthly.copy()
    model.step()
    s, g = model.inputs, model.inputs.group_code("psychiatry")
    assert (s.return_share[g] == 0.9).all() and s.return_hours_cut[g] == 0.5
    assert list(s.return_stay_months[g]) == [48, 72]
    annual = lambda m: 1 - (1 - m) ** 12  # noqa: E731
    assert annual(s.retire_monthly[g]) == pytest.approx(0.5 * annual(before[g]))
    others = [i for i in range(len(s.groups)) if i != g]
    np.testing.assert_array_equal(s.retire_monthly[others], before[others])


def test_a_return_share_by_age_band_replaces_the_groups_by_band():
    shares = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    model = WorkforceModel(rng=1, until=2022, interventions=[RetireAndReturn(groups=["nursing"], share=shares)])
    model.step()
    s = model.inputs
    np.testing.assert_array_equal(s.return_share[s.group_code("nursing")], [shares, shares])


def test_ltft_training_lengthens_training_and_adds_places(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 400}, "end": "2026-03"},
                               {"stages.student.ltft": {"share": 0.0, "fraction": [0.5, 0.5]}})
    lever = LtftTraining(stages=["course/student"], share=1.0, fraction=(0.5, 0.5), extra_places=0.25, start="2021-01")
    table = events(WorkforceModel(scenario=path, rng=2, interventions=[lever]).run())
    intake = table[table.reason == "intake"].groupby("month").size()
    assert intake["2020-09"] == 400 and intake["2021-09"] == 500
    done = table[table.reason == "progressed"].groupby("month").size()
    assert done.get("2022-09", 0) == 400  # the 2020 cohort, full time: 2 years
    assert done.get("2023-09", 0) == 0  # the 2021 cohort at half time takes 4 years
    assert done.get("2025-09", 0) == 500


def test_ltft_training_takes_a_share_for_each_sex():
    lever = LtftTraining(stages=["psychiatry/core_psychiatry"], share={"female": 0.5, "male": 0.1})
    model = WorkforceModel(rng=1, until=2022, interventions=[lever])
    model.step()
    s = model.inputs
    assert list(s.stage_ltft_share[s.stage_code("psychiatry/core_psychiatry")]) == [0.5, 0.1]
    assert list(s.stage_ltft_share[s.stage_code("psychiatry/higher_specialty")]) == [0.29, 0.02]  # not chosen
    with pytest.raises(InputError) as info:  # made in Python: named as the lever and its argument
        LtftTraining(stages=["psychiatry/core_psychiatry"], share={"female": 0.5})
    assert has_problem(str(info.value), "lever ltft_training", "share", "{female: p, male: p}")


def test_a_lever_made_in_python_names_an_unknown_argument_with_the_one_it_is_close_to():
    with pytest.raises(InputError) as info:
        Retention(groups=["nursing"], factr=0.9)
    assert has_problem(str(info.value), "lever retention", "factr", "(unknown key; there is factor here)"), info.value


def test_a_lever_made_in_python_takes_numpy_values_as_the_values_they_hold():
    """A schedule's year from np.arange, a flag from an array, shares by age band as an array: as Python's values,
    where the strict types refused np.int64(2025) as not "a valid integer" and np.bool_(True) as not a boolean."""
    places = TrainingPlaces(stage=NURSING_DEGREE, places={np.int64(2025): np.int64(600)})
    campaign = Recruitment(groups=["nursing"], extra_per_year=np.int64(10), source="international",
                           funded=np.bool_(True))
    returning = RetireAndReturn(groups=["nursing"], share=np.full(8, 0.5))
    assert places.places == {2025: 600} and campaign.funded is True and returning.share == [0.5] * 8
    assert places == TrainingPlaces(stage=NURSING_DEGREE, places={2025: 600})


def test_recruitment_brings_international_joiners_and_leaves_other_groups_alone():
    lever = Recruitment(groups=["nursing"], extra_per_year=120, fill_per_month=0.5, source="international")
    base = WorkforceModel(rng=6, until=2023).run()
    policy = WorkforceModel(rng=6, until=2023, interventions=[lever]).run()
    counts = [events(m).query("reason == 'joined:international' and to_stage == 'nursing/registered_nurse'").shape[0]
              for m in (base, policy)]
    assert counts[1] > counts[0] + 60
    others = [g for g in base.inputs.groups if g != "nursing"]
    assert fte(base)[others].equals(fte(policy)[others])
    s = policy.inputs
    assert sum(s.spec.groups["nursing"].joiners.sources.values()) == pytest.approx(1.0)


def _nursing_in_post_2041(levers, seed: int) -> tuple[float, float, float]:
    """Nursing FTE in post and establishment in 2041, and the recruits a year left unused, of one run."""
    tidy = Results(WorkforceModel(rng=seed, collect="yearly", interventions=levers).run(), seed).tidy()
    rows = tidy[(tidy.group == "nursing") & (tidy.stage == "all")]
    at = rows[rows.year == 2041].set_index("measure").value
    return at["in_post_fte"], at["establishment_fte"], rows[rows.measure == "recruits_unused"].value.sum()


def test_a_campaign_with_funded_posts_adds_nurses_and_one_without_is_cancelled_by_the_vacancies():
    """40 more international nurses a year to 2041, against the same seeds' baseline: in posts funded
    for them they add staff above the establishment; filling vacancies, they replace joiners who would
    have come anyway (or graduates who would have had the posts), and the supply the vacancies do not take is
    counted as unused."""
    campaign = dict(groups=["nursing"], extra_per_year=40, source="international")
    gains = {"funded": [], "unfunded": []}
    for seed in (1, 2):
        base = _nursing_in_post_2041([], seed)
        funded = _nursing_in_post_2041([Recruitment(**campaign, funded=True)], seed)
        unfunded = _nursing_in_post_2041([Recruitment(**campaign)], seed)
        gains["funded"].append(funded[0] - base[0])
        gains["unfunded"].append(unfunded[0] - base[0])
        assert funded[1] - base[1] > 400  # the posts funded for some 700 recruits' FTE over twenty years
        assert unfunded[1] == base[1] and base[2] == 0 and funded[2] == 0
        assert unfunded[2] > 0.25 * 40 * 20  # much of the extra supply is never taken
    assert min(gains["funded"]) > 200
    assert max(abs(g) for g in gains["unfunded"]) < 0.25 * min(gains["funded"])


@pytest.mark.parametrize("lever", [lambda: Recruitment(per_year=10), lambda: Recruitment(fill_per_month=0.5)],
                         ids=["per_year", "fill_per_month"])
def test_recruitment_for_every_group_of_a_scenario_whose_groups_have_no_joiners_is_refused(tmp_path, lever):
    """Without groups: the lever is for every group; where none has joiners it recruited nobody, in silence,
    where a group without joiners named in its groups is refused."""
    path = tiny_scenario.write(tmp_path)
    with pytest.raises(InputError) as error:
        WorkforceModel(scenario=path, rng=1, until=2022, interventions=[lever()])
    assert has_problem(str(error.value), "WorkforceModel", "interventions[0] (recruitment).groups",
                       "groups with joiners in the scenario"), str(error.value)


def test_a_funded_campaign_recruits_from_its_pool_and_leaves_the_others_alone(tmp_path):
    path = tiny_scenario.write(tmp_path, {"groups.staff.joiners": {
        "per_year": 12.0, "fill_per_month": 0.5, "stages": {"course/worker": 1.0},
        "sources": {"elsewhere": 1.0, "international": 0.0}, "age": [[30, 40, 1.0]]}, "groups.staff.leaving.rate": 0.1})
    lever = Recruitment(groups=["staff"], extra_per_year=60, source="international", funded=True, start="2022-03")
    base = WorkforceModel(scenario=str(path), rng=3, until=2026).run()
    policy = WorkforceModel(scenario=str(path), rng=3, until=2026, interventions=[lever], check=True).run()
    recruits = events(policy).query("reason == 'joined:international'")
    assert 200 <= len(recruits) <= 280 and recruits.month.min() == "2022-03"
    assert events(base).query("reason == 'joined:international'").empty
    funded = policy.campaign_posts.sum()
    assert funded == pytest.approx(float(policy.people.fte[recruits.person_id.to_numpy()].sum()), rel=1e-5)
    assert policy.establishment()[0] == pytest.approx(base.establishment()[0] + funded)
    assert Recruitment(**lever.describe()) == lever and "funded" not in Recruitment(groups=["staff"],
                                                                                     per_year=3).describe()


def test_training_attrition_reduced_by_a_share(tmp_path):
    path = tiny_scenario.write(tmp_path, {}, {"stages.student.attrition": 0.4})
    model = WorkforceModel(scenario=path, rng=1, interventions=[TrainingAttrition(reduction=0.25)])
    model.step()
    s = model.inputs
    student = s.stage_code("course/student")
    assert 1 - (1 - s.stage_attrition[student]) ** 24 == pytest.approx(0.4 * 0.75)


def test_in_service_route_selects_more_support_workers():
    lever = InServiceRoute(stage="hcsw/nursing_apprenticeship", places={2021: 60})
    table = events(WorkforceModel(rng=1, until=2022, interventions=[lever]).run())
    selected = table[(table.to_stage == "hcsw/nursing_apprenticeship") & (table.month == "2021-09")]
    assert len(selected) == 60
    assert set(selected.from_stage) == {"hcsw/support_worker"}


@pytest.mark.parametrize("lever, field, expected", [
    (Retention(factor=0.9, groups=["midwifery"]), "groups", "a staff group of the scenario"),
    (Retention(factor=0.9, stages=["nursing/pre_registration_degree"]), "stages", "not a training stage"),
    (Retention(factor=0.9, ages=(50, 60)), "ages", "age band bounds"),
    (TrainingPlaces(stage="nursing/registered_nurse", extra=3), "stage", "commissioned places"),
    (InServiceRoute(stage=NURSING_DEGREE, extra=3), "stage", "an in-service intake stage"),
    (TrainingAttrition(reduction=0.1, stages=["psychiatry/consultant"]), "stages", "a training stage"),
    (LtftTraining(share=0.3, stages=["nursing/nursey"]), "stages", "a stage of the scenario"),
    (Retention(factor=90, groups=["nursing"]), "factor", "a factor of at most"),
    (RetireAndReturn(retirement_factor=50), "retirement_factor", "a factor of at most"),
    (RetireAndReturn(share=[0.5] * 3), "share", "one value per age band (8 bands"),
    (Recruitment(groups=["nursing"], extra_per_year=10, source="internatonal"), "source",
     "a pool of nursing's joiners (elsewhere_uk, international, return_to_practice)"),
    (Recruitment(extra_per_year=10, source="international", funded=True), "source", "a pool of hcsw's joiners"),
    (TrainingPlaces(stage=NURSING_DEGREE, extra=999_999), "extra", "within 1,000,000 a year"),
    (TrainingPlaces(stage=NURSING_DEGREE, extra=-100_000), "extra", "a cut of no more places than"),
    (TrainingPlaces(stage=NURSING_DEGREE, places={2024: 10}, extra=-11), "extra", "(10 in 2024)"),
    (TrainingPlaces(stage=NURSING_DEGREE, places={2024: 0}, extra=-1), "extra", "at least 0: a cut"),  # not -0
    # stages of another group than those named chose nobody, and the lever changed nothing, in silence
    (Retention(factor=0.5, groups=["nursing"], stages=["psychiatry/consultant"]), "stages",
     "a stage of the groups chosen (nursing; psychiatry/consultant is psychiatry's)"),
    (TrainingAttrition(reduction=0.5, groups=["nursing"], stages=["psychiatry/core_psychiatry"]), "stages",
     "a stage of the groups chosen (nursing; psychiatry/core_psychiatry is psychiatry's)"),
    # one stage of another group beside one of the group named: left out of the lever, in silence
    (Retention(factor=0.5, groups=["nursing"], stages=["nursing/registered_nurse", "psychiatry/consultant"]),
     "stages", "a stage of the groups chosen (nursing; psychiatry/consultant is psychiatry's)"),
    (LtftTraining(share=0.3, groups=["psychiatry"], stages=["psychiatry/core_psychiatry", NURSING_DEGREE]), "stages",
     f"a stage of the groups chosen (psychiatry; {NURSING_DEGREE} is nursing's)"),
    # a name twice chose it once: 10 FTE, not 20, or the group meant beside it left out, in silence
    (FundedPosts(fte=10, groups=["nursing", "hcsw", "nursing"]), "groups", "each staff group once"),
    (LtftTraining(share=0.3, stages=[NURSING_DEGREE, NURSING_DEGREE]), "stages", "each stage once"),
    # a year out loses nobody (attrition 0): a quarter fewer leaving it changed nothing, in silence
    (TrainingAttrition(reduction=0.25, stages=[NURSING_DEGREE, "psychiatry/year_out"]), "stages",
     "training stages with attrition to reduce"),
], ids=["unknown group", "training stage for retention", "ages off the bands", "stage without places",
        "not an in-service route", "post stage for attrition", "unknown stage", "retention factor past 1",
        "retirement factor past 1", "return shares not one per band", "misspelt pool", "pool a group lacks", "extra places past a million", "a cut of more places than there are",
        "a cut of more places than the lever's own schedule has", "a cut where a year has no places", "retention of another group's stage",
        "attrition of another group's stage", "retention of another group's stage beside its own",
        "LTFT of another group's stage beside its own", "a group twice", "a stage twice",
        "attrition of a stage nobody leaves"])
def test_levers_that_do_not_fit_the_scenario_raise_input_error(lever, field, expected):
    """Refused as the model is built, named by the lever's place in the interventions and its kind."""
    with pytest.raises(InputError) as info:
        WorkforceModel(rng=1, until=2022, interventions=[Retention(factor=0.9), lever])
    problem = info.value.problems[0]
    assert problem.file == "WorkforceModel" and problem.field == f"interventions[1] ({lever.kind}).{field}"
    assert expected in problem.expected


def test_ltft_extra_places_keep_a_schedule_within_a_million_a_year(tmp_path):
    """A share of at most 3 more places (four times as many) still passes a million a year on a schedule
    above 250,000, and is refused there, naming the largest share allowed."""
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 400_000}})
    lever = LtftTraining(share=0.3, stages=["course/student"], extra_places=2.0)
    with pytest.raises(InputError) as info:
        WorkforceModel(scenario=path, rng=1, until=2021, interventions=[lever])
    assert has_problem(str(info.value), "WorkforceModel", "interventions[0] (ltft_training).extra_places",
                       "at most 1.5, keeping course/student's places (400000 in 2019) within 1,000,000")


def test_ltft_training_gets_the_course_length_check_a_pathway_gets(tmp_path, load_error):
    """Trainees entering at up to 20 must finish the two-year course by 70, at its slowest: a pathway's LTFT
    fraction of 0.03 (67 years) was refused while the lever's was applied, its trainees retiring mid-course."""
    slow = {"stages.student.ltft": {"share": 0.5, "fraction": [0.03, 0.05]}}
    load_error(tiny_scenario.write(tmp_path / "pathway", None, slow), "tiny.yaml", "intake.course/student.age",
               "ages on entering that, with the 66.67 years of the course at its slowest")
    path = tiny_scenario.write(tmp_path / "lever", None,
                               {"stages.student.ltft": {"share": 0.0, "fraction": [0.02, 0.02]}})
    for lever, field, expected in (
            (LtftTraining(stages=["course/student"], share=0.5, fraction=(0.03, 0.05)), "fraction",
             "a lowest fraction of at least 0.04 in course/student: with the 66.67 years of the course at its slowest"),
            (LtftTraining(stages=["course/student"], share=0.5), "share",  # the pathway's fraction, unused until now
             "a lowest fraction of at least 0.04 (the pathway's is 0.02), or a share of 0 in course/student")):
        with pytest.raises(InputError) as info:
            WorkforceModel(scenario=path, rng=1, until=2021, interventions=[lever])
        assert has_problem(str(info.value), "WorkforceModel", f"interventions[0] (ltft_training).{field}", expected), \
            str(info.value)
        assert "trainees entering at up to 20 (intake.course/student.age) would pass the group's maximum age (70)" \
            in str(info.value)
    WorkforceModel(scenario=path, rng=1, until=2021, interventions=[
        LtftTraining(stages=["course/student"], share=0.5, fraction=(0.04, 0.05))]).step()


def test_ltft_training_keeps_a_course_within_the_maximum_age_of_the_posts_it_leads_to(tmp_path):
    """A course of one group leading to the posts of another, of an earlier maximum age (60): entrants of up to 52
    finish its two years in time, but at a fifth of full time in ten, past 60, and would retire on arriving, as
    a scenario file with such a course is refused for."""
    path = tiny_scenario.write(tmp_path, {"intake.course/student.age": [[50, 52, 1.0]], "groups.other": {
        **tiny_scenario.SCENARIO["groups"]["staff"], "label": "Other", "retirement": {
            **tiny_scenario.SCENARIO["groups"]["staff"]["retirement"], "max_age": 60}}},
        {"stages.student.transitions": {"post": 1.0}, "stages.post": {"staff_group": "other"}})
    WorkforceModel(scenario=path, rng=1, until=2021).step()  # the course as it is runs
    with pytest.raises(InputError) as info:
        WorkforceModel(scenario=path, rng=1, until=2021, interventions=[
            LtftTraining(stages=["course/student"], share=0.5, fraction=(0.2, 0.2))])
    assert has_problem(str(info.value), "WorkforceModel", "interventions[0] (ltft_training).fraction",
                       "would pass the maximum age (60) of group other, whose posts it leads to")


def test_retention_and_the_workload_feedback_together_keep_leaver_rates_within_1(tmp_path):
    """The workload feedback multiplies the rates a retention lever leaves by up to its max_factor: a rate of
    0.3 x 2 x 2 was capped at 1 in silence. Refused at whichever lever comes second, naming what is allowed."""
    path = tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": 0.3, "feedbacks.workload": {
        "enabled": False, "strength": 2.0, "max_factor": 2.0}})
    retain, workload = Retention(factor=2.0), Feedbacks(workload=True)
    for levers, field, expected in (
            ([retain, workload], "interventions[1] (feedbacks).workload", "false, or a workload feedback whose cap "
             "(the scenario's feedbacks.workload.max_factor, 2) is at most 1.666, keeping every leaver rate it raises "
             "within 1 a year (the highest, with the retention levers in force, is 0.6, of staff)"),
            ([workload, retain], "interventions[1] (retention).factor", "a factor of at most 1.666, which keeps every "
             "leaver rate it scales within 1 a year (the highest is 0.3, raised up to 2 times by the workload "
             "feedback's max_factor)")):
        with pytest.raises(InputError) as info:
            WorkforceModel(scenario=path, rng=1, until=2021, interventions=levers)
        assert has_problem(str(info.value), "WorkforceModel", field, expected), str(info.value)
    WorkforceModel(scenario=path, rng=1, until=2021, interventions=[retain]).step()  # without the feedback: 0.6
    WorkforceModel(scenario=path, rng=1, until=2021, interventions=[workload, Retention(factor=1.666)]).step()


@pytest.mark.parametrize("extra_places", [10, 1e300])
def test_ltft_extra_places_are_a_share_not_a_percentage(extra_places):
    """0.1 is 10% more places: 10 (for 10%) made eleven times the places, in silence."""
    with pytest.raises(InputError) as info:
        LtftTraining(share=0.3, stages=[NURSING_DEGREE], extra_places=extra_places)
    assert has_problem(str(info.value), "lever ltft_training", "extra_places", "a number less than or equal to 3")


@pytest.mark.parametrize("lever, expected", [
    (lambda: TrainingPlaces(stage=NURSING_DEGREE), "places, extra or fill_rate (at least one)"),
    (lambda: InServiceRoute(stage="hcsw/nursing_apprenticeship"), "places, extra or fill_rate (at least one)"),
    (lambda: RetireAndReturn(groups=["nursing"]), "share, hours_cut, stay_years or retirement_factor (at least one)"),
    (lambda: Recruitment(groups=["nursing"]), "per_year, extra_per_year or fill_per_month (at least one)"),
    (lambda: Recruitment(groups=["nursing"], extra_per_year=40, funded=True), "extra_per_year and source with funded"),
])
def test_a_lever_that_would_change_nothing_names_the_arguments_it_needs(lever, expected):
    with pytest.raises(InputError) as info:
        lever()
    assert info.value.problems[0].file.startswith("lever ") and expected in info.value.problems[0].expected


def test_levers_record_their_arguments():
    lever = TrainingPlaces(stage=NURSING_DEGREE, places={2025: 580}, start="2022-04")
    assert lever.describe() == {"start": "2022-04", "lever": "training_places", "stage": NURSING_DEGREE,
                                "places": {2025: 580.0}}
    assert TrainingPlaces.model_validate(lever.describe()) == lever
    assert lever.start_month == calendar.month(2022, 4)
    with pytest.raises(InputError) as info:
        Retention(factor=0.9, start="2022-13")
    assert has_problem(str(info.value), "lever retention", "start", "a date as YYYY-MM")


def test_transition_shares_change_who_takes_which_path(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 1000}, "end": "2023-03",
                                          "groups.staff.establishment.over_establishment": True},  # posts for all
                               {"stages.student.transitions": {"worker": 0.5, "exit:elsewhere": 0.5}})
    lever = Transitions(stage="course/student", shares={"course/worker": 0.9, "exit:elsewhere": 0.1}, start="2022-01")
    table = events(WorkforceModel(scenario=path, rng=1, interventions=[lever]).run())
    done = table[table.from_stage == "course/student"]
    assert len(done) == 1000
    assert abs((done.to_stage == "course/worker").mean() - 0.9) < 4 * np.sqrt(0.09 / 1000)
    with pytest.raises(InputError, match="a transition of course/student"):
        WorkforceModel(scenario=path, rng=1, interventions=[
            Transitions(stage="course/student", shares={"course/workr": 1.0})]).step()
    with pytest.raises(InputError, match="lever transitions: shares: expected shares summing to 1"):
        Transitions(stage="course/student", shares={"course/worker": 0.5})


def test_transition_shares_closing_a_cycle_with_no_way_out_are_refused(tmp_path):
    """Students repeat a year or go on to posts: shares giving repeating it all would keep them
    in the course until they retire."""
    path = tiny_scenario.write(tmp_path, {}, {"stages.student.transitions": {"student": 0.2, "worker": 0.8}})
    WorkforceModel(scenario=path, rng=1, interventions=[
        Transitions(stage="course/student", shares={"course/student": 0.5, "course/worker": 0.5})]).step()
    with pytest.raises(InputError) as info:
        WorkforceModel(scenario=path, rng=1, interventions=[
            Transitions(stage="course/student", shares={"course/student": 1.0})])
    assert has_problem(str(info.value), "WorkforceModel", "interventions[0] (transitions).shares",
                       "shares that leave a way on"), str(info.value)


def test_levers_change_a_models_copy_never_the_compiled_scenario():
    """``load`` and ``WorkforceModel`` copy the cached scenario (or, told not to, the scenario object alone, whose
    parts the levers replace); every lever changes only the copy."""
    from pathlib import Path

    from sim import experiment

    files = [Path(__file__).parents[1] / "experiments" / name for name in ("wales-plan-actions.yaml", "feedbacks.yaml")]
    shared = scenario.compiled(scenario.DEFAULT)
    levers = []
    for lever in (lever.model_copy(update={"start": None}) for f in files
                  for policy in experiment.load(f).policies.values() for lever in policy):
        # each once (two 2.5 times the leaver rates, under the workload cap, pass 1), and none whose value a
        # lever after it would replace, which is refused
        if lever not in levers and not superseded([*levers, lever], list(range(len(levers) + 1)), shared):
            levers.append(lever)
    assert {lever.kind for lever in levers} >= {"retention", "retire_and_return", "in_service_route", "ltft_training",
                                                "recruitment", "training_attrition", "training_places", "transitions",
                                                "feedbacks"}
    for inputs, copying in ((shared, True), (scenario.load(scenario.DEFAULT), True), (shared, False)):
        model = WorkforceModel(scenario=inputs, until=2023, interventions=levers, rng=1, copy=copying)
        model.step()  # every lever acts by then
        assert model.inputs.stage_leave_factor is not None and model.inputs.feedbacks.any
        assert model.inputs is not shared
    fresh = scenario._compile(shared.file, None)
    assert scenario.compiled(scenario.DEFAULT) is shared and shared.spec == fresh.spec
    for name, value in vars(fresh).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(shared, name), value, err_msg=name)
    for a, b in zip(shared.transition_cumulative, fresh.transition_cumulative, strict=True):
        np.testing.assert_array_equal(a, b)
    assert shared.stage_leave_factor is None and not shared.feedbacks.any


# ---- funded posts ----------------------------------------------------------------------------------
def _staffed(tmp_path):
    """The tiny scenario's 100 workers with every post filled and recruits at hand for any vacancy."""
    return tiny_scenario.write(tmp_path, {"groups.staff.joiners": {
        "per_year": 1000, "fill_per_month": 0.5, "stages": {"course/worker": 1.0}, "sources": {"elsewhere": 1.0},
        "age": [[30, 40, 1.0]]}})


def test_funded_posts_raise_the_establishment_by_the_ramp_and_bring_joiners(tmp_path):
    path = _staffed(tmp_path)
    lever = FundedPosts(groups=["staff"], fte=24.0, ramp_years=2, start="2021-03")
    base = WorkforceModel(str(path), rng=2, until=2024)
    policy = WorkforceModel(str(path), rng=2, until=2024, interventions=[lever])
    start = calendar.month(2021, 3)
    while policy.running:
        base.step()
        policy.step()
        funded = 24.0 * min(max(policy.now - start + 1, 0) / 24, 1.0)  # a 24th more each month from March 2021
        assert policy.establishment()[0] == pytest.approx(100.0 + funded, abs=1e-9)
        assert base.establishment()[0] == pytest.approx(100.0, abs=1e-9)
    joined = {name: (events(m).reason == "joined:elsewhere").sum() for name, m in (("base", base), ("policy", policy))}
    assert joined["base"] == 0 and joined["policy"] >= 20  # every post was filled: only the new ones draw joiners
    need = Results(policy, 2).tidy().query("measure == 'need_fte'").value
    assert (need == 100.0).all()  # funding posts does not change need


def test_funded_posts_as_a_share_compose_with_other_levers_and_reset_exactly(tmp_path):
    path = _staffed(tmp_path)
    both = [FundedPosts(share=0.1, start="2021-01"), FundedPosts(groups=["staff"], fte=5.0)]
    model = WorkforceModel(str(path), rng=1, until=2022, interventions=both)
    model.step()
    assert model.establishment()[0] == pytest.approx(105.0)  # the share starts later
    while model.now < calendar.month(2021, 1):
        model.step()
    assert model.establishment()[0] == pytest.approx(100.0 * 1.1 + 5.0)
    for lever in both:
        lever.apply(model)  # applying again changes nothing
    assert model.establishment()[0] == pytest.approx(115.0)
    with pytest.raises(InputError, match=r"lever funded_posts: <top level>: expected fte or share \(at least one\)"):
        FundedPosts(groups=["staff"])
    with pytest.raises(InputError, match="a staff group of the scenario"):
        WorkforceModel(str(path), rng=1, interventions=[FundedPosts(groups=["nurses"], fte=1.0)]).step()


def _nurses_leaving(s):
    """Registered nurses' monthly leaver hazards, by sex and age band, as retention levers leave them."""
    nurse = s.stage_code("nursing/registered_nurse")
    factor = 1.0 if s.stage_leave_factor is None else s.stage_leave_factor[nurse]
    return s.leave_monthly[s.stage_group[nurse]] * factor


@pytest.mark.parametrize("make, field, rates", [
    (lambda f: Retention(factor=f, groups=["nursing"]), "factor", lambda s: _nurses_leaving(s)),
    (lambda f: RetireAndReturn(retirement_factor=f), "retirement_factor", lambda s: s.retire_monthly),
])
def test_a_factor_may_take_the_rates_it_scales_up_to_1_and_no_further(make, field, rates):
    """The largest factor the message gives is accepted, and scales the highest rate to at most 1;
    a factor a little above it is refused rather than clamped."""
    with pytest.raises(InputError) as info:
        WorkforceModel(rng=1, until=2022, interventions=[make(1000.0)])
    problem = info.value.problems[0]
    assert problem.field.endswith(f").{field}") and problem.found == 1000.0
    largest = float(problem.expected.split("at most ")[1].split(",")[0])
    model = WorkforceModel(rng=1, until=2022, interventions=[make(largest)])
    highest = 1 - (1 - rates(model.inputs).max()) ** 12
    model.step()
    assert 0.99 < largest * highest <= 1.0
    assert 1 - (1 - rates(model.inputs).max()) ** 12 == pytest.approx(largest * highest)
    with pytest.raises(InputError):
        WorkforceModel(rng=1, until=2022, interventions=[make(largest * 1.01)]).step()


def test_a_retire_and_return_lever_of_stays_all_under_half_a_month_is_refused():
    """Stays are whole months, at least one: every stay would have been a month."""
    with pytest.raises(InputError) as info:
        RetireAndReturn(stay_years=[0.01, 0.02])
    assert has_problem(str(info.value), "lever retire_and_return", "stay_years",
                       "stay_years reaching more than half a month"), str(info.value)
    RetireAndReturn(stay_years=[0.01, 0.5])
