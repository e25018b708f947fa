"""Scenario files: the shipped scenario, rate conversion, and every kind of bad scenario input."""

from __future__ import annotations

import copy
import datetime

import numpy as np
import pytest
import yaml

import tiny_scenario
from conftest import DELETE, SCENARIO_FILE, SHIPPED_SCENARIO, has_problem
from sim import calendar, layering, scenario
from sim.errors import InputError
from sim.processes.order import STEP_ORDER

# ---- the shipped scenario --------------------------------------------------------------------


def test_shipped_scenario_loads():
    s = scenario.load()
    assert s.name == "wales-mh-2021"
    assert s.groups == ["nursing", "psychiatry", "hcsw", "psychological_therapies", "occupational_therapy",
                        "physician_associates", "social_work", "social_care_workers", "social_care_managers"]
    assert s.pathway_names == ["psychiatry", "nursing", "hcsw", "psychology", "occupational_therapy",
                               "physician_associates", "social_work", "social_care"]
    assert len(s.stages) == 34 and "psychology/caap" in s.stages and "social_work/amhp" in s.stages
    assert [s.spec.groups[g].sector for g in s.groups[-3:]] == ["social_care"] * 3
    assert (calendar.label(s.start), calendar.label(s.end)) == ("2021-03", "2041-03")
    assert list(s.band_edges) == [12 * a for a in (0, 25, 30, 35, 45, 55, 60, 65)]
    assert s.leave_monthly.shape == (9, 2, 8)
    assert s.places("nursing/pre_registration_degree", 2030) == 522
    assert s.places("psychiatry/core_psychiatry", 2021) == 25  # L§1: Welsh CT1 posts
    assert s.places("psychiatry/core_psychiatry", 2022) == 33  # F§3: 8 more from 2022
    fill = [s.fill_rate("psychiatry/core_psychiatry", y) for y in (2016, 2017, 2018, 2019, 2030)]
    assert fill == [1, 0.33, 0.59, 1, 1]  # L§1: 2017 and 2018 when applications fell


@pytest.fixture(scope="module")
def psychology_to_2031():
    from sim.model import WorkforceModel

    return WorkforceModel(rng=0, until=2031).run()


def test_assistant_psychologists_posts_are_kept_at_their_number(psychology_to_2031):
    """Fixed-term posts (L§3) that services fund: each September's appointments replace who left, so the
    stage is back at its 100 posts but for the month's few early leavers (appointing 50 a year left it
    anywhere from 88 to 102 after the intake)."""
    m = psychology_to_2031
    code = m.inputs.stage_code("psychology/assistant_psychologist")
    september = [int(r["stage_headcount"][code]) for r in m.history if r["month"] % 12 == 8]
    assert len(september) == 10 and min(september) >= 96 and max(september) <= 100


def test_caaps_go_on_to_the_doctorate_after_two_years_in_post_within_its_places(psychology_to_2031):
    """L§3: South Wales CAAPs wait 2 years before the doctorate; those who go on take its places, which
    new graduates top up, so the doctorate never starts more than its 25 a year."""
    m = psychology_to_2031
    s, table = m.inputs, m.events.table()
    first, doctorate = "psychology/caap_first_years", "psychology/doctorate"
    on = table[(table.from_stage == first) & (table.to_stage == doctorate)]
    assert len(on) > 10
    entered = table[table.to_stage == first].groupby("person_id").month.first()
    months = [calendar.parse(left) - calendar.parse(entered[i]) for i, left in zip(on.person_id, on.month)]
    assert set(months) == {24}
    starts = table[(table.to_stage == doctorate) & (table.reason != "stock")]
    academic_year = [calendar.parse(m_) // 12 - (calendar.parse(m_) % 12 < 8) for m_ in starts.month]
    assert max(np.unique(academic_year, return_counts=True)[1]) <= s.places(doctorate, 2030) == 25


def test_unmodified_copy_loads(case):
    # the baseline for every bad-input case below: only the edit makes it bad
    s = scenario.load(case())
    assert s.name == "wales-mh-2021" and len(s.stages) == 34


def test_annual_rates_become_monthly_hazards_not_twelfths():
    assert calendar.annual_to_monthly(0.5) == pytest.approx(0.0561256873, abs=1e-10)
    assert calendar.annual_to_monthly(0.5) != pytest.approx(0.5 / 12, rel=1e-3)
    assert calendar.annual_to_monthly(0.0) == 0.0 and calendar.annual_to_monthly(1.0) == 1.0
    p = np.array([0.05, 0.2, 0.9])
    assert np.allclose(1 - (1 - calendar.annual_to_monthly(p)) ** 12, p)


def test_scenario_rates_are_converted_as_hazards():
    s = scenario.load()
    nursing = s.group_code("nursing")
    rate = np.array(s.spec.groups["nursing"].leaving.rate)
    assert np.allclose(s.leave_monthly[nursing, 0], 1 - (1 - rate) ** (1 / 12))


# ---- bad scenario files --------------------------------------------------------------------

NURSING = "groups.nursing"
SAS = "stocks.psychiatry/sas"
DOCTORATE = "intake.psychology/doctorate"
AMHP = "intake.social_work/amhp"


SHIPPED = yaml.safe_load(SHIPPED_SCENARIO.read_text(encoding="utf-8"))


def copy_of(dotted):
    """A copy of an entry of the shipped scenario, e.g. to add it under another (bad) key."""
    data = SHIPPED
    for key in dotted.split("."):
        data = data[key]
    return copy.deepcopy(data)


BAD_SCENARIOS = {
    # unknown keys
    "unknown top-level key": ({"seed": 1}, "seed", "unknown key"),
    "unknown group key": ({f"{NURSING}.leaving.rates": 0.1}, f"{NURSING}.leaving.rates", "unknown key"),
    "unknown stock key": ({f"{SAS}.heads": 12}, f"{SAS}.heads", "unknown key"),
    "misspelt top-level key": ({"mho_ends": "2029-03"}, "mho_ends", "(unknown key; there is mho_end here)"),
    "misspelt group key": ({f"{NURSING}.female_shar": 0.9}, f"{NURSING}.female_shar",
                           "(unknown key; there is female_share here)"),
    # unknown groups and stages
    "stock of an unknown stage": ({"stocks.nursing/nurse": copy_of(SAS)}, "stocks.nursing/nurse", "a stage"),
    "stock of a stage without its pathway": ({"stocks.sas": copy_of(SAS)}, "stocks.sas", "a stage"),
    "intake of an unknown stage": ({"intake.psychology/dclinpsy": copy_of(DOCTORATE)}, "intake.psychology/dclinpsy",
                                   "a stage"),
    "intake of a non-entry stage": ({"intake.psychiatry/cct": copy_of(DOCTORATE)},
                                    "intake.psychiatry/cct", "entry: true"),
    "intake from an unknown stage": ({"intake.hcsw/nursing_apprenticeship.from_stage": "hcsw/support"},
                                     "intake.hcsw/nursing_apprenticeship.from_stage", "a stage"),
    "joiner stage unknown": ({f"{NURSING}.joiners.stages": {"nursing/nurse": 1.0}},
                             f"{NURSING}.joiners.stages.nursing/nurse", "a stage"),
    "joiner stage of another group": ({f"{NURSING}.joiners.stages": {"hcsw/support_worker": 1.0}},
                                      f"{NURSING}.joiners.stages.hcsw/support_worker", "a post of group nursing"),
    "joiner stage in training": ({f"{NURSING}.joiners.stages": {"nursing/pre_registration_degree": 1.0}},
                                 f"{NURSING}.joiners.stages.nursing/pre_registration_degree", "a post of group"),
    "unknown sector": ({f"{NURSING}.sector": "private"}, f"{NURSING}.sector", "'nhs' or 'social_care'"),
    # probabilities outside [0, 1]
    "share above 1": ({f"{NURSING}.female_share": 1.2}, f"{NURSING}.female_share", "less than or equal to 1"),
    "negative probability": ({f"{NURSING}.joiners.fill_per_month": -0.1}, f"{NURSING}.joiners.fill_per_month",
                             "greater than or equal to 0"),
    "training stock too old to finish": ({"stocks.nursing/pre_registration_degree.age": [[60, 69, 1.0]]},
                                         "stocks.nursing/pre_registration_degree.age",
                                         "stay within the group's maximum age (70)"),
    "intake too old to finish": ({"intake.nursing/pre_registration_degree.age": [[60, 70, 1.0]]},
                                 "intake.nursing/pre_registration_degree.age",
                                 "ages on entering that, with the 3 years of the course, stay within the group's "
                                 "maximum age (70)"),
    "stays back of under half a month": ({f"{NURSING}.retire_and_return.stay_years": [0.01, 0.02]},
                                         f"{NURSING}.retire_and_return.stay_years",
                                         "stay_years reaching more than half a month"),
    "intake fill rate above 1": ({f"{DOCTORATE}.fill_rate": 1.1}, f"{DOCTORATE}.fill_rate", "a probability in [0, 1]"),
    "intake fill rate by year above 1": ({f"{DOCTORATE}.fill_rate": {2016: 0.9, 2020: 1.5}}, f"{DOCTORATE}.fill_rate",
                                         "1.5 is not a probability"),
    "intake fill rate by a year that is not one": ({f"{DOCTORATE}.fill_rate": {"soon": 0.9}}, f"{DOCTORATE}.fill_rate",
                                                   "{year: probability}"),
    # shares not summing to 1
    "leaving reasons": ({f"{NURSING}.leaving.reasons.other_sector": 0.5}, f"{NURSING}.leaving.reasons",
                        "leaving reason shares summing to 1"),
    "joiner stages": ({f"{NURSING}.joiners.stages": {"nursing/registered_nurse": 0.9}}, f"{NURSING}.joiners",
                      "joiner stage shares summing to 1"),
    "joiner sources": ({f"{NURSING}.joiners.sources.international": 0.5}, f"{NURSING}.joiners",
                       "joiner source shares summing to 1"),
    "joiner ages": ({f"{NURSING}.joiners.age": [[22, 35, 0.6]]}, f"{NURSING}.joiners", "age band shares summing to 1"),
    "stock ages": ({f"{SAS}.age": [[30, 45, 0.5]]}, SAS, "age band shares summing to 1"),
    "joiners older than the maximum age": ({f"{NURSING}.joiners.age": [[22, 50, 0.5], [50, 71, 0.5]]},
                                           f"{NURSING}.joiners.age", "age bands ending at or below the group's "
                                           "maximum age (retirement.max_age: 70)"),
    "intake ages": ({f"{DOCTORATE}.age": [[24, 35, 0.9]]}, DOCTORATE, "age band shares summing to 1"),
    # age bands
    "rate list too short": ({f"{NURSING}.leaving.rate": [0.1] * 7}, f"{NURSING}.leaving.rate",
                            "one value per age band (8 bands"),
    "rate list too long": ({f"{NURSING}.retirement.rate": [0.1] * 9}, f"{NURSING}.retirement.rate",
                           "one value per age band"),
    "return shares not one per band": ({f"{NURSING}.retire_and_return.share": [0.4] * 3},
                                       f"{NURSING}.retire_and_return.share", "one value per age band (8 bands"),
    "by-sex list too short": ({f"{NURSING}.participation.part_time_share.male": [0.1] * 7},
                              f"{NURSING}.participation.part_time_share", "one value per age band"),
    "age bands not from 0": ({"age_bands": [5, 25, 30, 35, 45, 55, 60, 65]}, "age_bands", "starting at 0"),
    "age bands not increasing": ({"age_bands": [0, 30, 25, 35, 45, 55, 60, 65]}, "age_bands", "strictly increasing"),
    "no age bands": ({"age_bands": []}, "age_bands", "at least 1 item"),
    # a band from 80 with every group retired by 75: its rates were never used, in silence
    "an age band nobody reaches": ({"age_bands": [0, 25, 30, 35, 45, 55, 60, 80]}, "age_bands",
                                   "none above the groups' oldest maximum age (75, retirement.max_age)"),
    "age band low above high": ({f"{SAS}.age": [[45, 30, 1.0]]}, f"{SAS}.age.0", "low < high"),
    "age band of two numbers": ({f"{SAS}.age": [[30, 45]]}, f"{SAS}.age.0", "an age band as [low, high, share]"),
    # dates
    "month 13": ({"start": "2021-13"}, "start", "a date as YYYY-MM"),
    "month 0": ({"end": "2041-00"}, "end", "a date as YYYY-MM"),
    "year only": ({"end": "2041"}, "end", "a date as YYYY-MM"),
    "slash date": ({"mho_end": "2029/03"}, "mho_end", "a date as YYYY-MM"),
    "MHO status closed after it ends": ({"mho_closed": "2030-03"}, "mho_closed", "a date before mho_end (2029-03)"),
    "MHO youngest age below working age": ({"groups.psychiatry.retirement.mho_youngest_age": 12},
                                          "groups.psychiatry.retirement.mho_youngest_age", "greater than or equal to 16"),
    "full date": ({"start": datetime.date(2021, 3, 1)}, "start", "a valid string"),
    "date as a number": ({"start": 2021}, "start", "a valid string"),
    # non-positive durations and sizes
    "zero stay of returners": ({f"{NURSING}.retire_and_return.stay_years": [0, 3]},
                               f"{NURSING}.retire_and_return.stay_years.0", "greater than 0"),
    "stay range reversed": ({f"{NURSING}.retire_and_return.stay_years": [3, 1]},
                            f"{NURSING}.retire_and_return.stay_years", "low <= high"),
    "zero part-time FTE": ({f"{NURSING}.participation.part_time_fte": [0, 0.8]},
                           f"{NURSING}.participation.part_time_fte.0", "greater than or equal to 0.01"),
    "negative headcount": ({f"{SAS}.headcount": -5}, f"{SAS}.headcount", "greater than or equal to 0"),
    "fte above headcount": ({f"{SAS}.fte": 200.0}, SAS, "fte no greater than headcount"),
    "intake month 13": ({f"{DOCTORATE}.month": 13}, f"{DOCTORATE}.month", "less than or equal to 12"),
    "no places": ({f"{DOCTORATE}.places": {}}, DOCTORATE, "places for at least one academic year"),
    "selection ages reversed": ({f"{AMHP}.age_range": [50, 30]}, f"{AMHP}.age_range", "ages as [low, high] with low < high"),
    "selection ages of one number": ({f"{AMHP}.age_range": [25]}, f"{AMHP}.age_range.1", "this required field"),
    "new people's ages for an in-service intake": ({f"{AMHP}.age": [[25, 40, 1.0]]}, AMHP,
                                                   "age and female_share only on an intake of new people"),
    "new people's sex for an in-service intake": ({f"{AMHP}.female_share": 0.2}, AMHP,
                                                  "age and female_share only on an intake of new people"),
    "selection ages for new people": ({f"{DOCTORATE}.age_range": [24, 30]}, DOCTORATE,
                                      "age_range only on an in-service intake"),
    # a schedule's first value applies before its first year: one starting after the run applied to all of it
    "places from after the run": ({f"{DOCTORATE}.places": {2045: 40}}, f"{DOCTORATE}.places",
                                  "a schedule whose first academic year's intake is within the run, which ends 2041-03"),
    "a fill rate from after the run": ({f"{DOCTORATE}.fill_rate": {2045: 0.5}}, f"{DOCTORATE}.fill_rate",
                                       "a schedule whose first academic year's intake is within the run"),
    # missing fields
    "missing name": ({"name": DELETE}, "name", "required"),
    "missing stocks": ({"stocks": DELETE}, "stocks", "required"),
    "missing leaving": ({f"{NURSING}.leaving": DELETE}, f"{NURSING}.leaving", "required"),
    "missing stock ages": ({f"{SAS}.age": DELETE}, f"{SAS}.age", "required"),
    "stock without size": ({f"{SAS}.headcount": DELETE, f"{SAS}.fte": DELETE}, SAS, "headcount or fte"),
    "intake of new people without ages": ({f"{DOCTORATE}.age": DELETE}, DOCTORATE, "age for an intake"),
    # wrong types
    "groups as a list": ({"groups": ["nursing"]}, "groups", "a valid dictionary"),
    "pathways as a string": ({"pathways": "psychiatry.yaml"}, "pathways", "a valid list"),
    "fractional headcount": ({f"{SAS}.headcount": 12.5}, f"{SAS}.headcount", "a valid integer"),
    "max age as a word": ({f"{NURSING}.retirement.max_age": "seventy"}, f"{NURSING}.retirement.max_age",
                          "a valid integer"),
    "vacancies as a word": ({f"{NURSING}.establishment.vacancies_fte": "many"},
                            f"{NURSING}.establishment.vacancies_fte", "a valid number"),
    "label as a number": ({f"{NURSING}.label": 7}, f"{NURSING}.label", "a valid string"),
    # whole-file problems
    "empty file": ("", "<top level>", "a mapping of keys to values"),
    "list instead of a mapping": ("- name\n- start\n", "<top level>", "a mapping of keys to values"),
    "scalar instead of a mapping": ("wales\n", "<top level>", "a mapping of keys to values"),
    "invalid YAML": ("name: [wales\nstart: 2021-03\n", "<top level>", "valid YAML"),
    "tab-indented YAML": ("groups:\n\tnursing: {}\n", "<top level>", "valid YAML"),
}


@pytest.mark.parametrize("edits, field, expected", BAD_SCENARIOS.values(), ids=BAD_SCENARIOS.keys())
def test_bad_scenario_file(case, load_error, edits, field, expected):
    load_error(case(edits), SCENARIO_FILE, field, expected)


def test_joiners_to_a_post_outside_the_workforce_are_refused(case, load_error):
    """Joiners fill vacancies: in a post that is not counted (``workforce: false``) they filled none,
    so the group recruited into it every month for as long as the run lasted."""
    load_error(case({}, physician_associates={"stages.physician_associate.workforce": False}), SCENARIO_FILE,
               "groups.physician_associates.joiners.stages.physician_associates/physician_associate",
               "a post of group physician_associates (a workforce stage that is not training)")


def test_group_used_by_a_stage_missing_is_reported_at_the_stage(case, load_error):
    load_error(case({"groups.hcsw": DELETE}), "hcsw.yaml", "stages.support_worker.staff_group",
               "a group defined in scenario.yaml")


@pytest.mark.parametrize("name, expected", [
    ("Hcsw", "a group that a stage of the pathways belongs to"),  # beside hcsw: vacancies nobody could fill
    ("total", "a group name other than 'total'"),  # was mixed into the results' total of every group
])
def test_a_group_no_stage_belongs_to_or_named_total_is_refused(case, load_error, name, expected):
    data = yaml.safe_load(SHIPPED_SCENARIO.read_text(encoding="utf-8"))
    edits = {f"groups.{name}": data["groups"]["hcsw"]}
    if name == "total":  # the stages' group renamed too, so that only the name is wrong
        edits["groups.hcsw"] = DELETE
        load_error(case(edits, hcsw={"stages.support_worker.staff_group": "total",
                                     "stages.nursing_apprenticeship.staff_group": "total"}),
                   SCENARIO_FILE, "groups.total", expected)
    else:
        load_error(case(edits), SCENARIO_FILE, f"groups.{name}", expected)


def test_missing_scenario_file(tmp_path, load_error):
    load_error(tmp_path / "nowhere.yaml", "nowhere.yaml", "<top level>", "an existing scenario file")


def test_scenario_file_that_is_not_utf8(tmp_path, load_error):
    path = tmp_path / SCENARIO_FILE
    path.write_bytes("name: Ysbyty G\xeflan\n".encode("latin-1"))
    load_error(path, SCENARIO_FILE, "<top level>", "UTF-8")


def test_every_problem_in_a_file_is_reported(case):
    path = case({"seed": 1, f"{NURSING}.female_share": 1.2, "name": DELETE})
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert sorted(p.field for p in info.value.problems) == ["groups.nursing.female_share", "name", "seed"]
    assert all(p.file == str(path) for p in info.value.problems)


def test_override_of_an_unknown_field_is_an_input_error():
    with pytest.raises(InputError, match=r"groups\.nursing\.leaving\.rates: expected an existing field to override"):
        scenario.load(overrides={"groups.nursing.leaving.rates": 0.1})


@pytest.mark.parametrize("overrides", ["groups.nursing.leaving.rate=0.1", [("groups.nursing.leaving.rate", 0.1)],
                                       {3: 0.1}])
def test_overrides_that_are_not_a_mapping_of_dotted_keys_are_an_input_error(overrides):
    with pytest.raises(InputError) as error:
        scenario.load(overrides=overrides)
    assert has_problem(str(error.value), "overrides", "<top level>", "a mapping of dotted scenario keys to values")


def test_overrides_given_as_numpy_values_are_the_values_they_hold():
    """A sweep in a notebook gives numpy's numbers (np.arange, an array's row): a whole number, a flag and a rate
    by age band are taken as Python's, where the strict schema refused np.int64(68) as not "a valid integer"."""
    s = scenario.load(overrides={"groups.nursing.retirement.max_age": np.int64(68),
                                 "groups.nursing.establishment.over_establishment": np.bool_(False),
                                 "groups.social_work.leaving.rate": np.full(8, 0.1)})
    nursing = s.spec.groups["nursing"]
    assert nursing.retirement.max_age == 68 and nursing.establishment.over_establishment is False
    assert s.spec.groups["social_work"].leaving.rate == [0.1] * 8


@pytest.mark.parametrize("name", [None, 3])
def test_a_scenario_that_is_neither_a_name_nor_a_path_is_an_input_error(name):
    with pytest.raises(InputError) as error:
        scenario.load(name)
    assert has_problem(str(error.value), "scenario", "<top level>", "a shipped scenario name or the path")


@pytest.mark.parametrize("key, value", [("intake.nursing/pre_registration_degree.fill_rate", {2021: 0.9, 2025: 0.8}),
                                        ("groups.social_work.leaving.rate", [0.1] * 4 + [0.05] * 4)],
                         ids=["yearly fill rate", "rate by age band"])
def test_an_override_may_give_another_form_than_the_uncertain_range_of_the_value_it_replaces(case, load_error,
                                                                                            key, value):
    """The scenario's uncertain: ranges a single number there; a caller's override replaces that number,
    as it replaces a calibrated one, and may give any form the field takes."""
    from sim.uncertain import spec_value

    assert spec_value(scenario.load(overrides={key: value}).spec, key) == value  # the shipped scenario, calibrated
    load_error(case({key: value}), SCENARIO_FILE, f"uncertain.{key}", "a key of a single number for range")


def test_an_override_reaches_one_year_of_a_schedule():
    """A dotted key names a year as text (``places.2025``), which the file holds as a number: the key an
    experiment's uncertain: may range over, as it is checked, is the key an override sets."""
    s = scenario.load(overrides={"intake.nursing/pre_registration_degree.places.2025": 700.0,
                                 "intake.psychiatry/core_psychiatry.fill_rate.2017": 0.5})
    assert s.places("nursing/pre_registration_degree", 2025) == 700
    assert s.fill_rate("psychiatry/core_psychiatry", 2017) == 0.5


# ---- one clear problem per mistake -----------------------------------------------------------


def test_end_before_start_names_the_end_field(case, load_error):
    load_error(case({"end": "2020-01"}), SCENARIO_FILE, "end", "a date after start (2021-03)")


@pytest.mark.parametrize("rate", [1.2, [1.2] + [0.1] * 7], ids=["number", "list"])
def test_bad_band_rate_is_one_problem_naming_the_field(case, rate):
    with pytest.raises(InputError) as info:
        scenario.load(case({f"{NURSING}.leaving.rate": rate}))
    assert len(info.value.problems) == 1, str(info.value)
    assert info.value.problems[0].field.startswith(f"{NURSING}.leaving.rate")
    assert "constrained-float" not in str(info.value) and "BySex" not in str(info.value)


def test_boolean_as_a_share(case, load_error):
    load_error(case({f"{NURSING}.female_share": True}), SCENARIO_FILE, f"{NURSING}.female_share", "number")


# ---- input files -----------------------------------------------------------------------------


def test_a_layer_removing_what_its_base_s_uncertain_names_is_named_with_the_key_it_removed(tmp_path):
    """Not the base file, which the user did not edit, under the uncertain: key that still names it."""
    layer = tmp_path / "layer.yaml"
    layer.write_text(yaml.safe_dump({"extends": "wales-mh-2021", "name": "layer", "feedbacks": None}))
    with pytest.raises(InputError) as info:
        scenario.load(layer)
    assert has_problem(str(info.value), "layer.yaml", "feedbacks", "a value, not null: wales-mh-2021.yaml refers to "
                                                                   "feedbacks.supervision"), str(info.value)
    assert "wales-mh-2021.yaml: uncertain" not in str(info.value)


@pytest.mark.parametrize("removed, key", [({"groups": {"nursing": {"leaving": None}}}, "groups.nursing.leaving"),
                                          ({"groups": None}, "groups")])
def test_a_layer_removing_what_its_calibration_sets_is_named_with_the_key_it_removed(tmp_path, removed, key):
    """Not the calibration file, whose override then finds nothing to set."""
    layer = tmp_path / "layer.yaml"
    layer.write_text(yaml.safe_dump({"extends": "wales-mh-2021", "name": "layer", **removed}))
    with pytest.raises(InputError) as info:
        scenario.load(layer)
    assert has_problem(str(info.value), "layer.yaml", key, "a value, not null: the calibration"), str(info.value)


@pytest.mark.parametrize("removed, key, default", [
    ({"mho_end": None}, "mho_end", "'2029-03'"),
    ({"intake": {"psychiatry/higher_specialty": {"fill_rate": None}}}, "intake.psychiatry/higher_specialty.fill_rate",
     "1.0"),
    ({"feedbacks": {"workload": {"curve": None}}}, "feedbacks.workload.curve", "'linear'")])
def test_a_layer_removing_a_key_whose_default_is_a_value_is_refused_naming_the_default(tmp_path, removed, key,
                                                                                        default):
    """``mho_end: null``, meant as MHO status never ending, removed the key, which took its default, March
    2029, in silence (a fill rate, 1)."""
    layer = tmp_path / "layer.yaml"
    layer.write_text(yaml.safe_dump({"extends": "wales-mh-2021", "name": "layer", "calibration": None, **removed}))
    with pytest.raises(InputError) as info:
        scenario.load(layer)
    assert has_problem(str(info.value), "layer.yaml", key, f"a value, not null: null removes the key, which would "
                                                           f"then take its default, {default}"), str(info.value)


def test_a_layer_removes_with_null_a_key_of_no_default_or_whose_default_is_none(tmp_path):
    """A key with no default, an entry of a table, or one whose default is none, zero, false, empty or a section
    switched off is removed as null says; so is a key a layer above gives again."""
    middle = tmp_path / "middle.yaml"
    middle.write_text(yaml.safe_dump({
        "extends": "wales-mh-2021", "name": "middle", "calibration": None, "description": None, "mho_end": None,
        "groups": {"nursing": {"retirement": {"mho_share": None}, "establishment": {"growth_per_year": None}}},
        "stocks": {"physician_associates/pa_course": None}, "demand": None}))
    top = tmp_path / "top.yaml"
    top.write_text("extends: middle.yaml\nname: top\nmho_end: 2031-03\n")
    loaded = scenario.load(top)
    assert loaded.spec.mho_end == "2031-03" and loaded.spec.description == ""
    assert loaded.spec.groups["nursing"].retirement.mho_share == 0.0 and loaded.spec.demand.kind == "flat"
    assert "physician_associates/pa_course" not in loaded.spec.stocks


def test_a_layer_removing_with_null_a_key_the_scenario_it_extends_has_not_is_refused(tmp_path):
    """``mho_ends: null``, misspelt, removed nothing and was dropped in silence: the edit meant was not made. Named in
    the layer holding it, with the key of that name the scenario it extends has, if one is close; a null for a key a
    layer below removed already says what that layer says, and is accepted."""
    tiny_scenario.write(tmp_path, {"description": "tiny"})
    middle, top = tmp_path / "middle.yaml", tmp_path / "top.yaml"
    middle.write_text("extends: tiny.yaml\nname: middle\ndescription: null\n")
    top.write_text("extends: middle.yaml\nname: top\ndescription: null\n")
    assert scenario.load(top).spec.description == ""
    top.write_text("extends: middle.yaml\nname: top\ngroups: {staff: {retirement: {mho_shares: null}}}\n"
                   "intake: {course/student: {places: {2018: null}}}\nmho_ends: null\n")
    with pytest.raises(InputError) as info:
        scenario.load(top)
    expected = "a key that the scenario this file extends (middle.yaml) has, or no null: null removes a key of the " \
               "scenario a file extends, and that one has no "
    assert [(p.file, p.field, p.expected) for p in info.value.problems] == [
        (str(top), "groups.staff.retirement.mho_shares",
         expected + "groups.staff.retirement.mho_shares (it has groups.staff.retirement.mho_share)"),
        (str(top), "intake.course/student.places.2018", expected + "intake.course/student.places.2018"),
        (str(top), "mho_ends", expected + "mho_ends (it has mho_end)")]
    middle.write_text("extends: tiny.yaml\nname: middle\ndescriptin: null\n")  # named in the layer holding it
    top.write_text("extends: middle.yaml\nname: top\n")
    with pytest.raises(InputError) as info:
        scenario.load(top)
    assert has_problem(str(info.value), "middle.yaml", "descriptin", "the scenario this file extends (tiny.yaml) has, "
                       "or no null: null removes a key of the scenario a file extends, and that one has no descriptin "
                       "(it has description)"), str(info.value)


def test_a_layer_giving_an_empty_mapping_for_one_of_its_base_is_refused(tmp_path):
    """A layer's mapping changes the keys it gives and keeps the others: ``uncertain: {}`` kept every uncertain
    parameter, and ``places: {}`` every year's places (refused in a scenario extending none), in silence. Null still
    removes the key."""
    tiny_scenario.write(tmp_path)
    top = tmp_path / "top.yaml"
    top.write_text("extends: tiny.yaml\nname: top\nintake: {course/student: {places: {}}}\n")
    with pytest.raises(InputError) as info:
        scenario.load(top)
    assert [(p.file, p.field) for p in info.value.problems] == [(str(top), "intake.course/student.places")]
    assert has_problem(str(info.value), "top.yaml", "intake.course/student.places", "a mapping of the keys to "
                       "change, not an empty one: a layer's mapping changes those it gives of the scenario this file "
                       "extends (tiny.yaml) and keeps the others, so an empty one changes nothing"), str(info.value)
    top.write_text("extends: wales-mh-2021\nname: top\nuncertain: {}\n")
    with pytest.raises(InputError) as info:
        scenario.load(top)
    assert has_problem(str(info.value), "top.yaml", "uncertain", "a mapping of the keys to change"), str(info.value)
    top.write_text("extends: wales-mh-2021\nname: top\nuncertain: null\n")
    assert scenario.load(top).spec.uncertain == {}


@pytest.mark.parametrize("left, referrer, field", [
    ("social_care", "wales-mh-2021.yaml", "groups.social_care_workers, groups.social_care_managers, "
                                          "groups.social_care_workers.joiners.stages.social_care/care_worker"),
    ("nursing", "hcsw.yaml", "stages.nursing_apprenticeship.transitions.nursing/registered_nurse")])
def test_a_layer_leaving_out_a_pathway_of_its_base_is_named_at_its_pathways(tmp_path, left, referrer, field):
    """Not as the base's groups and stocks of the pathway left out (nor a group with no stage again as one with
    nobody in post), nor as a pathway leading into it, none of which was edited."""
    shipped = yaml.safe_load(SHIPPED_SCENARIO.read_text(encoding="utf-8"))["pathways"]
    layer = tmp_path / "layer.yaml"
    layer.write_text(yaml.safe_dump({"extends": "wales-mh-2021", "name": "layer",
                                     "pathways": [name for name in shipped if name != left]}))
    with pytest.raises(InputError) as info:
        scenario.load(layer)
    assert has_problem(str(info.value), "layer.yaml", "pathways", f"pathways with {left} (left out of those of "
                                                                  f"wales-mh-2021.yaml), whose stages and groups "
                                                                  f"{referrer} refers to: its {field}"), str(info.value)
    assert [p.file for p in info.value.problems] == [str(layer)], str(info.value)


def test_a_mistake_of_the_base_is_named_there_beside_a_pathway_a_layer_leaves_out(tmp_path):
    base = tiny_scenario.write(tmp_path, {"stocks.course/nobody": {"headcount": 1, "age": [[30, 40, 1.0]]}},
                               route={"places": {2019: 1}})
    layer = tmp_path / "layer.yaml"
    layer.write_text(f"extends: {base.name}\nname: layer\npathways: [course.yaml]\n")
    with pytest.raises(InputError) as info:
        scenario.load(layer)
    assert has_problem(str(info.value), "tiny.yaml", "stocks.course/nobody", "a stage"), str(info.value)
    assert has_problem(str(info.value), "layer.yaml", "pathways", "pathways with route.yaml (left out of those of "
                                                                  "tiny.yaml), whose stages and groups tiny.yaml "
                                                                  "refers to: its intake.route/apprentice"), \
        str(info.value)
    assert len(info.value.problems) == 2, str(info.value)


def test_input_files_hash_the_scenario_what_it_extends_its_calibration_and_its_pathways(tmp_path):
    import hashlib
    import shutil
    from pathlib import Path

    from sim import layering, pathways

    files = scenario.input_files("wales-mh-2015")
    names = [Path(f).name for f in files]
    calibration = scenario.load("wales-mh-2015").spec.calibration  # inherited from wales-mh-2021
    assert names[:4] == ["wales-mh-2015.yaml", "wales-mh-2021.yaml", f"{calibration}.yaml",
                         f"{calibration}-posterior.csv"]
    assert sorted(names[4:-1]) == sorted(p.name for p in pathways.shipped())
    assert names[-1] == "wales-population.yaml"  # its need's population (sim.demand)
    assert all(hashlib.sha256(Path(f).read_bytes()).hexdigest() == h for f, h in files.items())
    assert Path(next(iter(files))).is_absolute()
    # uncalibrated: no calibration file; a compiled scenario gives the same as its name
    assert f"{calibration}.yaml" not in [Path(f).name for f in scenario.input_files(
        scenario.load("wales-mh-2021", {"calibration": None}))]
    # a copy with its own pathway file and calibration: editing either changes its hash
    for name in ("wales-mh-2021.yaml", "wales-mh-2015.yaml"):
        shutil.copy(scenario.SCENARIO_DIR / name, tmp_path / name)
    shutil.copy(pathways.PATHWAY_DIR / "social_care.yaml", tmp_path / "care.yaml")
    shutil.copy(layering.CALIBRATION_DIR / f"{calibration}.yaml", tmp_path / "fit.yaml")
    shutil.copy(layering.CALIBRATION_DIR / f"{calibration}-posterior.csv", tmp_path)  # the table it names
    base = yaml.safe_load((tmp_path / "wales-mh-2021.yaml").read_text())
    base["pathways"] = [p if p != "social_care" else "care.yaml" for p in base["pathways"]]
    base["calibration"] = "fit.yaml"
    (tmp_path / "wales-mh-2021.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    history = (tmp_path / "wales-mh-2015.yaml").read_text().replace("extends: wales-mh-2021", "extends: wales-mh-2021.yaml")
    (tmp_path / "wales-mh-2015.yaml").write_text(history)
    before = scenario.input_files(tmp_path / "wales-mh-2015.yaml")
    assert {str((tmp_path / n).resolve()) for n in ("wales-mh-2015.yaml", "wales-mh-2021.yaml", "care.yaml",
                                                    "fit.yaml")} <= set(before)
    (tmp_path / "care.yaml").write_text((tmp_path / "care.yaml").read_text() + "\n# edited\n")
    after = scenario.input_files(tmp_path / "wales-mh-2015.yaml")
    changed = {f for f in before if before[f] != after[f]}
    assert changed == {str((tmp_path / "care.yaml").resolve())}


def test_compiling_again_notices_a_file_rewritten_with_the_same_size_and_modification_time(case, monkeypatch):
    """Input files' digests are kept by their stamps (``layering.sha256``): a pathway file rewritten
    in place, as long as before and with its modification time set back, has another change time,
    so it is read again and the scenario compiled again. A file written just now is never kept."""
    import os
    import time

    from sim import layering

    path = case()
    nursing = path.parent / "nursing.yaml"
    name = str(nursing.resolve())
    first = scenario.compiled(path)
    assert first.inputs[name] == layering.sha256(nursing) and name not in layering._DIGESTS  # written just now
    monkeypatch.setattr(layering, "_SETTLED_NS", 50_000_000)  # kept once 50 ms old
    time.sleep(0.1)
    assert scenario.compiled(path) is first and layering._DIGESTS[name][1] == first.inputs[name]
    before = os.stat(nursing)
    text = nursing.read_text(encoding="utf-8")
    nursing.write_text(text.replace("duration_years: 3", "duration_years: 4", 1), encoding="utf-8")
    os.utime(nursing, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(nursing)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert layering.changed(first.inputs) == [name]
    edited = scenario.compiled(path)
    assert edited is not first and edited.inputs[name] == layering.sha256(nursing) != first.inputs[name]
    assert edited.stage_months.tolist() != first.stage_months.tolist()


def test_loading_again_gives_a_fresh_copy_and_rereads_edited_files(case):
    path = case()
    first = scenario.load(path)
    first.leave_monthly[:] = 0.5  # a lever changes a model's copy ...
    first.spec.groups["nursing"].leaving.rate = 0.9
    second = scenario.load(path)  # ... never the next one's
    fresh = scenario._compile(path, None)
    assert second is not first and second.leave_monthly is not first.leave_monthly
    np.testing.assert_array_equal(second.leave_monthly, fresh.leave_monthly)
    assert second.spec == fresh.spec and second.stages == fresh.stages and second.inputs == fresh.inputs
    assert scenario.load(path, {"groups.nursing.leaving.rate": 0.2}).spec.groups["nursing"].leaving.rate == 0.2
    assert scenario.load(path).spec.groups["nursing"].leaving.rate == fresh.spec.groups["nursing"].leaving.rate
    nursing = path.parent / "nursing.yaml"
    nursing.write_text(nursing.read_text().replace("duration_years: 3", "duration_years: 4", 1))
    assert "duration_years: 4" in nursing.read_text()
    edited = scenario.load(path)
    assert edited.inputs != fresh.inputs and edited.stage_months.tolist() != fresh.stage_months.tolist()
    assert scenario.load("wales-mh-2021").file == scenario.SCENARIO_DIR / "wales-mh-2021.yaml"


@pytest.mark.parametrize("where, text", [("group", "Staff\x00"), ("stage", "Students\x1b[31m"),
                                         ("group", "Staff\u202e"), ("stage", "Students\u2067"),
                                         ("group", "Staff\u2028nurses")])
def test_a_label_with_a_control_character_is_refused_naming_it(tmp_path, where, text):
    """A label is shown in figures, tables and the report, where a NUL or an escape is a missing
    glyph or a broken line, and a character that reorders text (a right-to-left override or isolate)
    turns the printed sentence it is in around."""
    if where == "group":
        path = tiny_scenario.write(tmp_path, {"groups.staff.label": text})
        file, field = "tiny.yaml", "groups.staff.label"
    else:
        path = tiny_scenario.write(tmp_path, {}, {"stages.student.label": text})
        file, field = "course.yaml", "stages.student.label"
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert has_problem(str(info.value), file, field, "text without control characters"), str(info.value)
    hebrew = "\u05e6\u05d5\u05d5\u05ea"  # right to left by its letters, with no override
    scenario.load(tiny_scenario.write(tmp_path / "ok", {"groups.staff.label": f"Staff: Ŵ, ŷ and é, {hebrew}"}))
    # a description may run over lines (a folded YAML block), with tabs, as a label may not
    scenario.load(tiny_scenario.write(tmp_path / "lines", {"description": f"Staff of Wales,\n\tby {hebrew}\n"}))


def test_a_calibration_that_does_not_exist_is_named_with_the_shipped_parameter_files_only(tmp_path):
    """The names offered are the parameter files ``workforce calibrate`` wrote, not the history and back-test
    files beside them, which a scenario's ``calibration:`` cannot name."""
    with pytest.raises(InputError) as info:
        scenario.load(tiny_scenario.write(tmp_path, {"calibration": "wales-mh-v99"}))
    assert has_problem(str(info.value), "tiny.yaml", "calibration", "an existing calibration file or shipped name "
                                                                   "(wales-mh-v1, wales-mh-v10,"), info.value
    assert "wales-mh-v18" in str(info.value)
    assert "history-2015-2021" not in str(info.value) and "backtest-2021-2024" not in str(info.value)


@pytest.mark.parametrize("text", ["", "  ", "\u200b", "\u00ad\u200b", "\u3000\u2060"])
def test_a_label_drawn_as_nothing_is_refused_naming_it(tmp_path, text):
    """A label of spaces, or of characters drawn as nothing (a zero-width space, a soft hyphen), showed its
    group as nothing in figures, tables and the report."""
    with pytest.raises(InputError) as info:
        scenario.load(tiny_scenario.write(tmp_path, {"groups.staff.label": text}))
    assert has_problem(str(info.value), "tiny.yaml", "groups.staff.label", "a name to show (not empty or blank)"), \
        info.value
    scenario.load(tiny_scenario.write(tmp_path / "ok", {"groups.staff.label": "\u200bStaff"}))


@pytest.mark.parametrize("where", ["group", "stage"])
def test_a_label_too_long_to_show_is_refused_naming_it(tmp_path, where):
    """A label of thousands of characters was drawn as a chart's legend running off the figure, its plot
    squeezed out of sight, in silence."""
    from sim.fields import MAX_LABEL

    key = "groups.staff.label" if where == "group" else "stages.student.label"
    file = "tiny.yaml" if where == "group" else "course.yaml"

    def written(folder, text):
        return tiny_scenario.write(tmp_path / folder, *(({key: text}, {}) if where == "group" else ({}, {key: text})))

    with pytest.raises(InputError) as info:
        scenario.load(written("long", "L" * (MAX_LABEL + 1)))
    assert has_problem(str(info.value), file, key, f"a name to show of at most {MAX_LABEL} characters"), info.value
    scenario.load(written("fits", "Ŵ" * MAX_LABEL))


@pytest.mark.parametrize("layers", [layering.MAX_LAYERS + 1, 1200])
def test_a_chain_of_too_many_scenarios_extending_each_other_is_refused_naming_the_last_it_allows(tmp_path, layers):
    """Each layer is read within the one extending it: a chain of about a thousand exhausted Python's
    recursion, which was reported as a file nested too deep (a file that nests nothing)."""
    (tmp_path / "l0.yaml").write_text("extends: wales-mh-2021\nname: l0\n")
    for i in range(1, layers):
        (tmp_path / f"l{i}.yaml").write_text(f"extends: l{i - 1}.yaml\nname: l{i}\n")
    with pytest.raises(InputError) as info:
        scenario.load(tmp_path / f"l{layers - 1}.yaml")
    last = f"l{layers - layering.MAX_LAYERS}.yaml"
    assert has_problem(str(info.value), last, "extends", f"a chain of at most {layering.MAX_LAYERS} scenarios"), \
        str(info.value)
    assert scenario.load(tmp_path / f"l{layering.MAX_LAYERS - 2}.yaml").name == f"l{layering.MAX_LAYERS - 2}"


def test_a_value_set_where_yaml_aliases_share_a_section_is_set_there_alone(case):
    """``hcsw: {retirement: *nurses}`` gives support workers the nurses' retirement section: an override
    (or the calibration) of the nurses' rates changed the support workers' too, in silence."""
    path = case()
    data = yaml.safe_load(path.read_text())
    data["groups"]["hcsw"]["retirement"] = data["groups"]["nursing"]["retirement"]
    text = yaml.safe_dump(data, sort_keys=False)
    assert "*id001" in text  # written as an anchor and an alias
    path.write_text(text)
    hcsw = copy.deepcopy(data["groups"]["nursing"]["retirement"]["rate"])
    loaded = scenario.load(path, {"groups.nursing.retirement.rate": [0, 0, 0, 0, 0, 0.1, 0.2, 0.9]})
    assert loaded.spec.groups["nursing"].retirement.rate == [0, 0, 0, 0, 0, 0.1, 0.2, 0.9]
    assert loaded.spec.groups["hcsw"].retirement.rate == hcsw


def test_trainees_on_the_slowest_ltft_finish_before_their_groups_maximum_age(case, load_error):
    """Core training at 1% of full time takes 300 years: its trainees, stock and intake, all retired in training."""
    slow = {"stages.core_psychiatry.ltft.fraction": [0.01, 0.01]}
    path = case({}, psychiatry=slow)
    expected = "with the 301.5 years of the course at its slowest (LTFT at its lowest fraction, and the longest extra"
    error = load_error(path, SCENARIO_FILE, "stocks.psychiatry/core_psychiatry.age", expected)
    assert has_problem(str(error), SCENARIO_FILE, "intake.psychiatry/core_psychiatry.age", expected), str(error)
    scenario.load(case({}, psychiatry={"stages.core_psychiatry.ltft.fraction": [0.5, 0.8]}))


# ---- load's arguments in Python --------------------------------------------------------------


@pytest.mark.parametrize("parameter_set", [-1, 1000, 10**9, 1.5, "a", True, float("nan"), [1]])
def test_a_parameter_set_that_is_not_a_row_of_the_posterior_is_refused(parameter_set):
    # -1 read the last row in silence; the others raised IndexError or TypeError
    with pytest.raises(InputError) as error:
        scenario.load(parameter_set=parameter_set)
    assert has_problem(str(error.value), "sim.scenario.load", "parameter_set", "None or a whole number from 0 to ")


def test_a_parameter_set_of_a_scenario_without_a_posterior_is_refused_not_ignored(tmp_path):
    with pytest.raises(InputError) as error:
        scenario.load(tiny_scenario.write(tmp_path), parameter_set=0)
    assert has_problem(str(error.value), "sim.scenario.load", "parameter_set", "None")


@pytest.mark.parametrize("processes", ["intake", ("intake",), None, (), STEP_ORDER * 2])
def test_processes_that_are_not_distinct_process_types_are_refused_by_load(processes):
    # a string raised AttributeError, None TypeError, a process twice ValueError
    with pytest.raises(InputError) as error:
        scenario.load(processes=processes)
    assert has_problem(str(error.value), "sim.scenario.load", "processes", "a list of monthly processes")


def test_files_a_scenario_it_extends_names_are_read_beside_it(tmp_path):
    """A base scenario in another folder names its pathway files and population file relative to
    itself, as its calibration: a file extending it read the shipped pathway of the same name in
    silence (or refused a population file that is there)."""
    import shutil

    from sim import demand

    base = tiny_scenario.write(tmp_path / "base", {"pathways": ["psychiatry.yaml"]})
    shutil.copy(tmp_path / "base" / "course.yaml", tmp_path / "base" / "psychiatry.yaml")
    data = yaml.safe_load(base.read_text())
    data["demand"] = {"kind": "population", "population": "people.yaml", "service_use": "all_services"}
    base.write_text(yaml.safe_dump(data))
    shutil.copy(demand.DEMAND_DIR / "wales-population.yaml", tmp_path / "base" / "people.yaml")
    top = tmp_path / "top.yaml"
    top.write_text(f"extends: {base.relative_to(tmp_path)}\nname: top\n")
    loaded = scenario.load(top)
    assert loaded.pathway_names == ["course"]
    assert {str((tmp_path / "base" / n).resolve()) for n in ("psychiatry.yaml", "people.yaml")} <= set(loaded.inputs)
    # a file the extending scenario names itself is still read beside it
    (tmp_path / "mine.yaml").write_text((tmp_path / "base" / "course.yaml").read_text())
    top.write_text(f"extends: {base.relative_to(tmp_path)}\nname: top\npathways: [mine.yaml]\n")
    assert str((tmp_path / "mine.yaml").resolve()) in scenario.load(top).inputs


def test_a_layered_scenario_is_read_once_and_again_when_a_file_it_extends_changes(tmp_path, monkeypatch):
    """Each set of overrides a calibration tries is compiled from the layered read kept (``read_layered``): the
    files are not read again, unless one has changed (the base a scenario extends among them)."""
    import os

    base = tiny_scenario.write(tmp_path / "base")
    top = tmp_path / "top.yaml"
    top.write_text(f"extends: {base.relative_to(tmp_path)}\nname: top\n")
    assert scenario.load(top, {"end": "2026-03"}).spec.groups["staff"].leaving.rate == 0.0
    reads, read = [], layering.read_yaml
    monkeypatch.setattr(layering, "read_yaml", lambda *a, **k: reads.append(a[0]) or read(*a, **k))
    scenario.load(top, {"end": "2027-03"})  # overrides of its own: compiled again, from the files read before
    assert reads == []
    data = yaml.safe_load(base.read_text())
    data["groups"]["staff"]["leaving"]["rate"] = 0.25
    base.write_text(yaml.safe_dump(data))
    os.utime(base, ns=(0, 0))  # an old stamp: taken as settled, and still another than the file had
    again = scenario.load(top, {"end": "2028-03"})
    assert again.spec.groups["staff"].leaving.rate == 0.25 and {p.name for p in reads} == {top.name, base.name}
    assert layering.read_layered(top, scenario.resolve) is not layering.read_layered(top, scenario.resolve)


@pytest.mark.parametrize("section, value", [("transitions", []), ("groups", {"nursing": {"leaving": 3}})])
def test_a_section_that_is_no_mapping_where_the_calibration_sets_a_key_is_named_in_the_scenario(tmp_path, section,
                                                                                                 value):
    """The calibration's key was refused as 'an existing field to override' in the calibration file,
    which is not where the mistake is."""
    layer = tmp_path / "layer.yaml"
    layer.write_text(yaml.safe_dump({"extends": "wales-mh-2021", "name": "layer", section: value}))
    with pytest.raises(InputError) as info:
        scenario.load(layer)
    field = section if section == "transitions" else "groups.nursing.leaving"
    assert has_problem(str(info.value), "layer.yaml", field, "a mapping of the section's fields"), str(info.value)


def _pools(joiners: dict) -> None:
    """Nursing's joiners a year given by pool, where its calibration sets per_year."""
    joiners["pools"] = {source: joiners["per_year"] * share for source, share in joiners.pop("sources").items()}
    del joiners["per_year"]


@pytest.mark.parametrize("change, field, expected", [
    (lambda g: g.update(leavng=g.pop("leaving")), "groups.nursing.leavng", "no such key here"),
    (lambda g: g.pop("leaving"), "groups.nursing.leaving", "this required field"),
    (lambda g: g.pop("joiners"), "groups.nursing.joiners", "a value: the calibration"),
    (lambda g: _pools(g["joiners"]), "groups.nursing.joiners.per_year", "a value: the calibration")])
def test_a_key_missing_where_the_calibration_sets_it_is_named_in_the_scenario(tmp_path, change, field, expected):
    """The calibration's key was refused as 'an existing field to override' in the calibration file, which was
    not edited: the scenario's misspelt or left-out key or section is the mistake."""
    data = yaml.safe_load(SHIPPED_SCENARIO.read_text(encoding="utf-8"))
    change(data["groups"]["nursing"])
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert has_problem(str(info.value), "mine.yaml", field, expected), str(info.value)
    assert f"{data['calibration']}.yaml: groups" not in str(info.value)


def test_a_calibration_setting_a_choice_share_of_a_pathway_the_scenario_leaves_out_is_named_at_its_calibration(
        tmp_path):
    """A scenario without the physician associates' pathway, calibrated by a file that sets their graduates' choice
    share, was refused at its transitions.physician_associates/pa_course, which it does not have."""
    data = yaml.safe_load(SHIPPED_SCENARIO.read_text(encoding="utf-8"))
    data["pathways"].remove("physician_associates")
    del data["groups"]["physician_associates"], data["feedbacks"]["substitution"]
    for section in ("stocks", "intake", "uncertain"):
        data[section] = {k: v for k, v in data[section].items() if "physician_associates" not in k}
    data["transitions"] = {"social_work/degree": {"newly_qualified": 0.11}}  # a section of its own, of other stages
    path = tmp_path / "no-pas.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert has_problem(str(info.value), "no-pas.yaml", "calibration", "a calibration fitting the scenario (or "
                       "calibration: null"), str(info.value)
    assert "sets transitions.physician_associates/pa_course.physician_associate" in str(info.value)
    assert len(info.value.problems) == 1
