"""Feedbacks: supervision capacity, workload-driven leaving and substitution by new roles each act
in the right direction, and each switches off cleanly (off: results identical to the model without it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import tiny_scenario
from conftest import DELETE, REPO, has_problem
from sim import WorkforceModel, experiment, scenario
from sim.errors import InputError
from sim.feedbacks import Workload
from sim.interventions import Feedbacks, Retention, TrainingPlaces, Transitions
from sim.people import Status
from sim.processes.intake import Intake
from sim.results import Results, run

FEEDBACK_MEASURES = {"places_commissioned", "places_filled", "places_supervisable", "workload_leaving_factor",
                     "substituted_fte"}
PA, PA_COURSE = "physician_associates/physician_associate", "physician_associates/pa_course"
MORE_ASSOCIATES = [TrainingPlaces(stage=PA_COURSE, extra=30),
                   Transitions(stage=PA_COURSE, shares={PA: 0.5, "exit:not_in_mental_health": 0.5})]

# the tiny scenario: 100 full-time staff, a two-year course into their posts
SUPERVISED = {"feedbacks.supervision.placements.course": {"trainees": ["course/student"], "supervisors": ["staff"],
                                                           "trainees_per_supervisor": 0.3}}


def tiny(tmp_path, changes=None, name="tiny"):
    return tiny_scenario.write(tmp_path / name, {"intake.course/student.places": {2019: 50}, **(changes or {})})


def model(path, **kwargs):
    return WorkforceModel(scenario=path, **kwargs).run()


def without_feedback_rows(tidy: pd.DataFrame) -> pd.DataFrame:
    return tidy[~tidy.measure.isin(FEEDBACK_MEASURES)].reset_index(drop=True)


def measure(tidy: pd.DataFrame, name: str, group=None, stage="all") -> pd.Series:
    rows = tidy[(tidy.measure == name) & (tidy.stage == stage) & ((tidy.group == group) if group else True)]
    return rows.set_index("year").value


# ---- off is off ------------------------------------------------------------------------------------
def test_feedbacks_configured_but_off_give_results_identical_to_a_scenario_without_them(tmp_path):
    changes = {"groups.staff.leaving.rate": 0.1, "groups.staff.establishment.vacancies_fte": 30.0}
    bare = model(tiny(tmp_path, changes, "bare"), rng=4)
    configured = {**changes, **SUPERVISED, "feedbacks.workload": {"enabled": False, "strength": 3.0},
                  "feedbacks.substitution": {"enabled": False}}
    off = model(tiny(tmp_path, configured, "off"), rng=4)
    pd.testing.assert_frame_equal(Results(bare, 4).tidy(), Results(off, 4).tidy(), check_exact=True)
    pd.testing.assert_frame_equal(bare.events.table(), off.events.table(), check_exact=True)
    assert all("feedbacks" not in record for record in off.history)  # nothing computed a month while off


def test_each_feedback_on_at_no_strength_changes_no_one(tmp_path):
    """Switched on, but with nothing to act on, each loop leaves every career as it was."""
    base = run(seed=2, until=2026)
    cases = {
        "workload": {"feedbacks.workload.enabled": True, "feedbacks.workload.strength": 0.0},
        "supervision": {"feedbacks.supervision.enabled": True,
                        **{f"feedbacks.supervision.placements.{p}.trainees_per_supervisor": 1000.0
                           for p in ("nursing", "psychiatry", "psychology", "occupational_therapy")}},
        "substitution": {"feedbacks.substitution.enabled": True,
                         "feedbacks.substitution.roles.physician_associates.ratio": 0.0},
    }
    for name, overrides in cases.items():
        on = run(seed=2, until=2026, overrides=overrides)
        pd.testing.assert_frame_equal(base.events(), on.events(), check_exact=True, obj=name)
        tidy = on.tidy()
        assert set(tidy.measure) - set(base.tidy().measure), name  # the feedback reports itself
        kept = without_feedback_rows(tidy)
        if name == "substitution":  # a role's staff beyond its posts are counted where they work, at ratio 0
            gaps = ["supply_gap_fte", "need_gap_fte"]
            kept = kept[~kept.measure.isin(gaps)].reset_index(drop=True)
            expected = base.tidy()[~base.tidy().measure.isin(gaps)].reset_index(drop=True)
        else:
            expected = base.tidy()
        pd.testing.assert_frame_equal(kept, expected, check_exact=True, obj=name)


# ---- supervision ------------------------------------------------------------------------------------
def test_supervision_caps_trainees_at_the_ratio_to_supervisors_and_reports_places(tmp_path):
    path = tiny(tmp_path, {**SUPERVISED, "feedbacks.supervision.enabled": True, "end": "2026-03"})
    m = model(path, rng=1)
    student = m.inputs.stage_code("course/student")
    worker = m.inputs.stage_code("course/worker")
    for before, after in zip(m.history, m.history[1:]):  # at every month, trainees <= 0.3 x supervisors in post
        if after["month"] % 12 == 8:  # September: the intake month
            assert after["stage_headcount"][student] <= np.floor(0.3 * before["stage_fte"][worker] + 1e-9)
    tidy = Results(m, 1).tidy()
    commissioned = measure(tidy, "places_commissioned", stage="course/student")
    filled = measure(tidy, "places_filled", stage="course/student")
    supervisable = measure(tidy, "places_supervisable", stage="course/student")
    assert (commissioned == 50).all() and len(commissioned) == 6
    assert (filled <= supervisable).all() and (filled < commissioned).all()
    # the first cohort fills the 30 places 100 supervisors can take; the next finds them full
    assert filled[2021] == 30 and filled[2022] == 0 and filled[2023] == 30


def test_supervisors_can_be_counted_by_headcount_or_fte(tmp_path):
    part_time = {**SUPERVISED, "feedbacks.supervision.enabled": True, "end": "2022-03",
                 "groups.staff.participation.part_time_share": 1.0}  # 100 people at 0.5 FTE
    by_fte = Results(model(tiny(tmp_path, part_time, "fte"), rng=1), 1).tidy()
    by_head = Results(model(tiny(tmp_path, {**part_time, "feedbacks.supervision.count": "headcount"}, "head"),
                            rng=1), 1).tidy()
    assert measure(by_fte, "places_filled", stage="course/student")[2021] == 15
    assert measure(by_head, "places_filled", stage="course/student")[2021] == 30


def test_when_qualified_staff_fall_the_places_that_can_be_filled_fall_with_them(tmp_path):
    on = {**SUPERVISED, "feedbacks.supervision.enabled": True, "end": "2028-03",
          "intake.course/student.places": {2019: 40}, "feedbacks.supervision.placements.course.trainees_per_supervisor": 1.0}
    steady = Results(model(tiny(tmp_path, on, "steady"), rng=1), 1).tidy()
    losing = Results(model(tiny(tmp_path, {**on, "groups.staff.leaving.rate": 0.35}, "losing"), rng=1), 1).tidy()
    filled = {name: measure(t, "places_filled", stage="course/student") for name, t in
              (("steady", steady), ("losing", losing))}
    assert (filled["steady"] == 40).all()  # 100 supervisors take all 80 trainees of two cohorts
    assert filled["losing"].sum() < filled["steady"].sum() - 40
    assert filled["losing"].iloc[-1] < 40


def test_supervision_fills_fewer_nursing_places_after_a_loss_of_nurses():
    loss = [Retention(groups=["nursing"], factor=3.0)]
    tidy = {name: Results(WorkforceModel(rng=1, until=2031, interventions=levers).run(), 1).tidy() for name, levers in
            (("loss", loss), ("loss_supervised", [*loss, Feedbacks(supervision=True)]),
             ("supervised", [Feedbacks(supervision=True)]))}
    assert not (tidy["loss"].measure == "places_filled").any()  # places are reported while supervision is on
    filled = {name: measure(tidy[name], "places_filled", stage="nursing/pre_registration_degree")
              for name in ("loss_supervised", "supervised")}
    assert (filled["loss_supervised"].loc[:2023] == filled["supervised"].loc[:2023]).all()  # before the losses bite
    assert (filled["loss_supervised"].loc[2030:] < filled["supervised"].loc[2030:]).all()
    assert filled["loss_supervised"][2031] < 0.9 * filled["supervised"][2031]
    assert measure(tidy["loss_supervised"], "fte", "nursing")[2031] < measure(tidy["loss"], "fte", "nursing")[2031]


# ---- workload ---------------------------------------------------------------------------------------
def test_response_curves_rise_with_vacancies_above_the_threshold_up_to_the_cap():
    record = {"establishment_fte": np.array([100.0, 100.0, 100.0, 0.0]), "post_fte": np.array([95.0, 80.0, 40.0, 0.0])}
    groups = np.array([True, True, True, True])
    linear = Workload(True, groups, False, strength=2.0, threshold=0.05, max_factor=2.0)
    assert linear.factors(record) == pytest.approx([1.0, 1.3, 2.0, 1.0])  # 1 + 2 x (0.2 - 0.05); capped; no posts
    exponential = Workload(True, groups, True, strength=2.0, threshold=0.05, max_factor=4.0)
    assert exponential.factors(record) == pytest.approx([1.0, np.exp(0.3), np.exp(1.1), 1.0])
    only_first_two = Workload(True, np.array([True, False, False, False]), False, 2.0, 0.05, 2.0)
    assert only_first_two.factors(record) == pytest.approx([1.0, 1.0, 1.0, 1.0])
    # the demand new roles meet lowers the vacancy rate the curve reads
    record["feedbacks"] = {"substituted_fte": np.array([0.0, 10.0, 0.0, 0.0])}
    assert linear.factors(record)[1] == pytest.approx(1.1)


def test_workload_multiplies_the_annual_leaver_rate_by_the_factor():
    class Model:
        history = [{"establishment_fte": np.array([100.0, 100.0]), "post_fte": np.array([70.0, 100.0])}]
        feedback_log: dict = {}

    w = Workload(True, np.array([True, True]), False, strength=1.0, threshold=0.1, max_factor=2.0)
    monthly = 1.0 - (1.0 - np.array([0.1, 0.1, 0.6])) ** (1 / 12)
    scaled = w.scale(Model(), monthly, np.array([0, 1, 0]))
    annual = 1.0 - (1.0 - scaled) ** 12
    assert annual == pytest.approx([0.12, 0.1, 0.72])
    assert scaled[1] == monthly[1]  # a factor of 1 leaves the hazard bit for bit


def test_leavers_rise_with_the_strength_of_the_workload_response(tmp_path):
    changes = {"groups.staff.leaving.rate": 0.1, "groups.staff.establishment.vacancies_fte": 1000.0, "end": "2023-03",
               "groups.staff.leaving.reasons": {"elsewhere": 1.0}, "stocks.course/worker.headcount": 2000}
    leavers = []
    for strength in (0.0, 1.0, 3.0):
        path = tiny(tmp_path, {**changes, "feedbacks.workload": {"enabled": True, "strength": strength,
                                                                 "threshold": 0.1, "max_factor": 5.0}}, f"s{strength}")
        m = model(path, rng=7)
        table = m.events.table()
        first = table[(table.reason == "left:elsewhere") & (table.month == "2020-04")]
        leavers.append((set(first.person_id), int((table.reason == "left:elsewhere").sum())))
        factor = m.history[1]["feedbacks"]["workload_factor"][0]
        assert factor == pytest.approx(1.0 + strength * (1000 / 3000 - 0.1))
    # common random numbers: a higher hazard takes everyone a lower one took, and more
    assert leavers[0][0] <= leavers[1][0] <= leavers[2][0] and leavers[0][0] < leavers[2][0]
    assert leavers[0][1] < leavers[1][1] < leavers[2][1]


def test_a_workload_cap_taking_a_leaver_rate_past_1_is_refused_naming_the_largest_allowed(tmp_path, load_error):
    """The raised rates were capped at 1 in silence: a cap of 4 on a rate of 0.3 had a whole age band leave within
    the month once vacancies rose, where a retention factor doing the same is refused."""
    on = {"groups.staff.leaving.rate": [0.1, 0.3, 0.2], "feedbacks.workload.enabled": True,
          "feedbacks.workload.strength": 2.0, "feedbacks.workload.max_factor": 4.0}
    expected = "a factor of at most 3.333, which keeps every leaver rate it raises within 1 a year (the highest is " \
               "0.3, of staff)"
    load_error(tiny(tmp_path, on, "on"), "tiny.yaml", "feedbacks.workload.max_factor", expected)
    scenario.load(tiny(tmp_path, {**on, "feedbacks.workload.max_factor": 3.333}, "at_most"))
    # off, it raises nothing: the feedbacks lever switching it on is checked (test_interventions)
    scenario.load(tiny(tmp_path, {**on, "feedbacks.workload.enabled": False}, "off"))
    with pytest.raises(InputError) as info:  # an override of the cap
        scenario.load(tiny(tmp_path, {**on, "feedbacks.workload.max_factor": 2.0}, "override"),
                      overrides={"feedbacks.workload.max_factor": 4.0})
    assert has_problem(str(info.value), "tiny.yaml", "feedbacks.workload.max_factor", expected), str(info.value)


def test_workload_lets_shortages_compound_in_the_default_scenario():
    off = run(seed=3, until=2031).tidy()
    on = run(seed=3, until=2031, overrides={"feedbacks.workload.enabled": True}).tidy()
    for group in ("occupational_therapy", "social_care_managers"):  # the highest vacancy rates to 2031
        assert measure(on, "vacancies_fte", group)[2031] > measure(off, "vacancies_fte", group)[2031]
        assert measure(on, "workload_leaving_factor", group)[2022] > 1.0
    assert measure(on, "in_post_fte").groupby(level=0).sum()[2031] < measure(off, "in_post_fte").groupby(level=0).sum()[2031]


# ---- new roles and substitution ------------------------------------------------------------------------
def test_new_roles_grow_only_through_their_pipelines_and_recruitment():
    base = run(seed=1, until=2031)
    joined = base.events()
    joined = joined[joined.reason != "stock"]  # the starting stock: 2 associates (F§3: near zero)
    into_pa = joined[(joined.to_stage == PA) & (joined.from_stage != PA)]
    assert set(into_pa.reason) <= {"progressed", "joined:elsewhere_uk", "returned"}
    assert set(into_pa[into_pa.reason == "progressed"].from_stage) == {PA_COURSE}
    caap = joined[joined.to_stage == "psychology/caap"]
    assert len(caap) and set(caap.reason) <= {"progressed", "returned"}  # CAAPs start from none, via their course
    shut = run(seed=1, until=2031, overrides={"intake.physician_associates/pa_course.places": {2015: 0},
                                              "stocks.physician_associates/pa_course.headcount": 0,
                                              "groups.physician_associates.joiners.per_year": 0.0})
    assert measure(shut.tidy(), "headcount", "physician_associates").max() <= 2
    more = Results(WorkforceModel(rng=1, until=2031, interventions=MORE_ASSOCIATES).run(), 1).tidy()
    assert measure(more, "fte", "physician_associates")[2031] > 2 * measure(base.tidy(), "fte", "physician_associates")[2031]


def test_associates_substituting_lower_psychiatrys_supply_gap_by_the_ratio():
    without = WorkforceModel(rng=1, until=2031, interventions=MORE_ASSOCIATES).run()
    with_ = WorkforceModel(rng=1, until=2031, interventions=[*MORE_ASSOCIATES, Feedbacks(substitution=True)]).run()
    pd.testing.assert_frame_equal(without.events.table(), with_.events.table())  # nobody's career changes
    a, b = Results(without, 1).tidy(), Results(with_, 1).tidy()
    pa_beyond = (measure(a, "in_post_fte", "physician_associates")
                 - measure(a, "establishment_fte", "physician_associates")).clip(lower=0)
    assert pa_beyond[2031] > 10
    substituted = measure(b, "substituted_fte", "psychiatry")  # from the first month the lever is in force
    pa_beyond = pa_beyond.loc[substituted.index]
    assert substituted.to_numpy() == pytest.approx(0.5 * pa_beyond.to_numpy())
    gap_change = (measure(b, "supply_gap_fte", "psychiatry") - measure(a, "supply_gap_fte", "psychiatry")).loc[substituted.index]
    assert gap_change.to_numpy() == pytest.approx(-substituted.to_numpy())
    # the role's own gap counts those staff where they work, not as its surplus; funded posts are unchanged
    assert measure(b, "supply_gap_fte", "physician_associates")[2031] == pytest.approx(
        max(measure(a, "supply_gap_fte", "physician_associates")[2031], 0.0))
    for m in ("establishment_fte", "vacancies_fte", "in_post_fte"):
        assert measure(a, m).equals(measure(b, m))


def test_substitution_relieves_psychiatrys_workload_when_both_are_on():
    levers = [*MORE_ASSOCIATES, Feedbacks(workload=True)]
    alone = Results(WorkforceModel(rng=1, until=2036, interventions=levers).run(), 1).tidy()
    both = Results(WorkforceModel(rng=1, until=2036, interventions=[*levers, Feedbacks(substitution=True)]).run(),
                   1).tidy()
    factor_alone = measure(alone, "workload_leaving_factor", "psychiatry")
    factor_both = measure(both, "workload_leaving_factor", "psychiatry")
    assert (factor_both <= factor_alone + 1e-12).all() and (factor_both < factor_alone).any()
    assert measure(both, "fte", "psychiatry")[2036] > measure(alone, "fte", "psychiatry")[2036]


# ---- the lever, the settings as parameters, bad input -------------------------------------------------
def test_the_feedbacks_lever_switches_a_feedback_on_from_its_start():
    base = run(seed=5, until=2024, parameters="fixed").events()  # the central set, as WorkforceModel runs
    later = WorkforceModel(rng=5, until=2024, interventions=[Feedbacks(workload=True, start="2023-01")]).run()
    events = later.events.table()
    before = lambda t: t[t.month < "2023-01"].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(before(base), before(events))
    left = lambda t: int(t[(t.month >= "2023-01") & t.reason.str.startswith("left:")].shape[0])  # noqa: E731
    assert left(events) > left(base)
    assert later.inputs.feedbacks.workload.enabled and not later.inputs.feedbacks.supervision.enabled


def test_lever_and_scenario_errors_name_the_field(tmp_path, case, load_error):
    with pytest.raises(InputError, match="lever feedbacks: <top level>: expected supervision, workload or"):
        Feedbacks()
    with pytest.raises(InputError, match="placement pools in the scenario's feedbacks.supervision.placements"):
        WorkforceModel(scenario=tiny(tmp_path), rng=1, interventions=[Feedbacks(supervision=True)]).step()
    path = case({"feedbacks.supervision.placements.nursing.trainees": ["nursing/registered_nurse"]})
    load_error(path, "scenario.yaml", "feedbacks.supervision.placements.nursing.trainees", "a training stage")
    path = case({"feedbacks.supervision.placements.nursing.supervisors": ["nursing/pre_registration_degree"]})
    load_error(path, "scenario.yaml", "feedbacks.supervision.placements.nursing.supervisors", "a post stage")
    path = case({"feedbacks.supervision.placements.psychology.trainees": ["psychiatry/higher_specialty"],
                 "intake.psychiatry/higher_specialty": DELETE})
    load_error(path, "scenario.yaml", "feedbacks.supervision.placements.psychology.trainees",
               "at least one stage with intake places")
    path = case({"feedbacks.workload.groups": ["nurses"]})
    load_error(path, "scenario.yaml", "feedbacks.workload.groups", "a staff group")
    path = case({"feedbacks.workload.curve": "quadratic"})
    load_error(path, "scenario.yaml", "feedbacks.workload.curve", "'linear' or 'exponential'")
    path = case({"feedbacks.workload.strength": -1.0})
    load_error(path, "scenario.yaml", "feedbacks.workload.strength", "greater than or equal to 0")
    path = case({"feedbacks.substitution.roles.physician_associates.target": "physician_associates"})
    load_error(path, "scenario.yaml", "feedbacks.substitution.roles.physician_associates.target", "another staff group")
    path = case({"feedbacks.substitution.roles.physician_associates.ratio": "half"})
    load_error(path, "scenario.yaml", "feedbacks.substitution.roles.physician_associates.ratio", "number")
    path = case({"feedbacks.supervision.enabled": "yes"})
    load_error(path, "scenario.yaml", "feedbacks.supervision.enabled", "boolean")


@pytest.mark.parametrize("edits, field, expected", [
    ({"feedbacks.supervision.enabled": True, "feedbacks.supervision.placements": {}},
     "feedbacks.supervision.placements", "placement pools for supervision that is enabled"),
    ({"feedbacks.substitution.enabled": True, "feedbacks.substitution.roles": {}},
     "feedbacks.substitution.roles", "roles for substitution that is enabled"),
    ({"feedbacks.workload.enabled": True, "feedbacks.workload.groups": []},
     "feedbacks.workload.groups", "at least one staff group"),
])
def test_a_feedback_on_with_nothing_to_act_on_is_refused(case, load_error, edits, field, expected):
    """It would change nothing, in silence, as the feedbacks lever switching it on would (which is refused)."""
    load_error(case({**edits, "uncertain": {}}), "scenario.yaml", field, expected)


@pytest.mark.parametrize("edits, field, found", [
    ({"feedbacks.workload.groups": ["nursing", "hcsw", "nursing"]}, "feedbacks.workload.groups", "nursing"),
    ({"feedbacks.supervision.placements.nursing.supervisors": ["nursing", "nursing"]},
     "feedbacks.supervision.placements.nursing.supervisors", "nursing"),
])
def test_a_group_named_twice_in_a_feedbacks_list_is_refused(case, load_error, edits, field, found):
    """Counted once: another group meant beside it was left out, in silence."""
    error = load_error(case(edits), "scenario.yaml", field, "each staff group")
    assert f"(found '{found}')" in str(error)


def test_bad_feedbacks_exit_2_from_the_command_line(case, cli):
    path = case({"feedbacks.workload.groups": ["nurses"]})
    result = cli("run", path, "--until", "2022", "--replications", "1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "feedbacks.workload.groups: expected a staff group" in result.stderr


def test_a_bad_feedbacks_lever_in_an_experiment_is_an_input_error(tmp_path):
    for lever, field, expected in (({"lever": "feedbacks"}, "policies.p.levers.0", "supervision, workload or"),
                                   ({"lever": "feedbacks", "workload": "yes"}, "policies.p.levers.0.workload",
                                    "boolean")):
        path = tmp_path / "e.yaml"
        path.write_text(yaml.safe_dump({"name": "e", "replications": 1, "seed": 1, "years": 1,
                                        "policies": {"p": {"levers": [lever]}}}))
        with pytest.raises(InputError) as info:
            experiment.load(path)
        assert f"{field}: expected" in str(info.value) and expected in str(info.value), str(info.value)


def test_strengths_are_uncertain_parameters_for_experiments_and_sensitivity():
    e = experiment.load(REPO / "experiments" / "feedbacks.yaml")
    assert "feedbacks.workload.strength" in e.spec.uncertain
    assert set(e.spec.uncertain) <= set(e.scenario.spec.uncertain)  # the scenario says why each is uncertain
    leavers = [experiment.outcomes({"feedbacks.workload.strength": s}, seed=1, until=2024,
                                   levers=[Feedbacks(workload=True)], wanted=["leavers:total:2024"])["leavers:total:2024"]
               for s in (0.0, 4.0)]
    assert leavers[1] > leavers[0]
    # a measure of a feedback that is off is zero, not an error
    assert experiment.outcomes({}, seed=1, until=2022, wanted=["substituted_fte:psychiatry:2022"]) == {
        "substituted_fte:psychiatry:2022": 0.0}


def test_mutated_feedbacks_sections_load_or_raise_input_error_and_loaded_ones_run(case, tmp_path):
    """The fuzzing of tests/test_fuzz.py, aimed at the feedbacks: section of the shipped scenario."""
    import random

    from test_fuzz import dump, load_case, mutate
    from sim import scenario

    path = case({"feedbacks.supervision.enabled": True, "feedbacks.workload.enabled": True,
                 "feedbacks.substitution.enabled": True})
    base = yaml.safe_load(path.read_text())
    outcomes = {"loaded": 0, "input error": 0}
    for i in range(40):
        rng = random.Random(f"feedbacks-{i}")
        data = dict(base, feedbacks=mutate(base["feedbacks"], rng))
        path.write_text(dump(data))
        outcome = load_case(scenario.load, path, f"feedbacks case {i}")
        outcomes[outcome] += 1
        if outcome == "loaded" and outcomes["loaded"] <= 4:  # and they run, keeping the model's invariants
            WorkforceModel(scenario=path, until=2022, check=True, rng=i).run()
    assert outcomes["loaded"] >= 2 and outcomes["input error"] >= 10, outcomes


def test_all_feedbacks_on_keep_the_models_invariants():
    overrides = {f"feedbacks.{name}.enabled": True for name in ("supervision", "workload", "substitution")}
    run(seed=1, until=2024, overrides=overrides, check=True)


@pytest.mark.parametrize("start", [None, "2022-07"])
def test_feedbacks_give_the_same_results_collecting_yearly_or_monthly(start):
    """Feedbacks read last month's aggregates: yearly collection records every month they are on
    (and, when a lever switches one on mid-year, the month before), so nothing changes."""
    levers = [Feedbacks(workload=True, supervision=True, substitution=True, start=start)]
    runs = {collect: WorkforceModel(rng=3, until=2024, interventions=levers, collect=collect).run()
            for collect in ("monthly", "yearly")}
    monthly, yearly = (Results(runs[c], seed=3) for c in ("monthly", "yearly"))
    pd.testing.assert_frame_equal(monthly.events(), yearly.events())
    pd.testing.assert_frame_equal(monthly.tidy(), yearly.tidy())
    if start is not None:  # before the lever, only anniversaries were recorded
        assert len(runs["yearly"].history) < len(runs["monthly"].history)


def test_a_pools_cap_counts_the_newcomers_of_its_earlier_intakes_in_the_same_month():
    """Nursing's routes share one pool and start in the same month: each intake's cap counts the
    trainees the earlier ones let in (intakes are batched, but never past a cap), so a month's intakes
    together never take a pool past its capacity."""
    m = WorkforceModel(rng=2, until=2024, overrides={"feedbacks.supervision.enabled": True})
    supervision, p = m.inputs.feedbacks.supervision, m.people
    mask = supervision.trainee_mask(len(m.inputs.stages))
    intake = next(process for process in m.processes if isinstance(process, Intake))
    prepare, after, seen = intake.prepare, intake.after, []

    def present() -> np.ndarray:
        return mask[:, p.stage[m.in_status(Status.TRAINING)]].sum(axis=1)

    def watched_prepare(months=1):
        prepare(months)
        seen.append([present(), supervision.capacities(m)])

    def watched_after():
        after()
        seen[-1].append(present())

    intake.prepare, intake.after = watched_prepare, watched_after
    m.run()
    assert len(seen) >= 3
    for before, capacity, later in seen:
        assert (later <= np.maximum(capacity, before)).all()
    assert any(((later == capacity) & (before < capacity)).any() for before, capacity, later in seen)  # it binds
    assert any(((later > before) & (capacity > before)).any() for before, capacity, later in seen)
