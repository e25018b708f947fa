"""Uncertain parameters: one format, one model and one check, for scenarios and experiment files."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

import tiny_scenario
from conftest import has_problem
from sim import experiment, scenario
from sim.errors import InputError, from_pydantic
from sim.experiment import ExperimentSpec
from sim.scenario import ScenarioSpec
from sim.uncertain import Uncertain, as_overrides, spec_value


def test_a_range_or_a_scale_with_its_bounds_and_parameter_name():
    r = Uncertain.model_validate({"range": [0, 400], "why": "NF"})
    s = Uncertain.model_validate({"scale": [0.5, 1.6]})
    assert (r.kind, r.bounds, r.parameter("groups.a.joiners.per_year")) == ("range", (0.0, 400.0),
                                                                            "groups.a.joiners.per_year")
    assert (s.kind, s.bounds, s.parameter("groups.a.leaving.rate")) == ("scale", (0.5, 1.6),
                                                                        "scale:groups.a.leaving.rate")


@pytest.mark.parametrize("value, expected", [
    ({"low": 0.1, "high": 0.2}, "range: [low, high] or scale: [low, high] (one of them)"),
    ({"low": 0.5, "high": 1.5, "scale": True}, "(one of them)"),
    ({"range": [0.1, 0.2], "scale": [0.5, 1.5]}, "(one of them)"),
    ({"why": "no bounds"}, "(one of them)"),
    ([0.1, 0.2], "(one of them)"),
    ({"range": [0.2, 0.2]}, "[low, high] with low < high (low 0.2, high 0.2)"),
    ({"scale": [1.5, 0.5]}, "with low < high"),
    ({"scale": [0.0, 1.5]}, "greater than 0"),
    ({"range": [True, 2]}, "a valid number"),
    ({"range": ["0.1", 2]}, "a valid number"),
    ({"range": [float("inf"), 2]}, "finite number"),
    ({"range": [0.1, 2], "source": "x"}, "unknown key"),
])
def test_a_bad_entry_says_what_was_expected(value, expected):
    with pytest.raises(ValidationError) as info:
        Uncertain.model_validate(value)
    assert expected in str(from_pydantic("e.yaml", info.value)), str(info.value)


def test_scenarios_and_experiment_files_share_the_one_model():
    assert ScenarioSpec.model_fields["uncertain"].annotation == dict[str, Uncertain]
    assert ExperimentSpec.model_fields["uncertain"].annotation == dict[str, Uncertain]


def test_every_shipped_uncertain_parameter_names_a_number_or_a_table_of_the_scenario():
    s = scenario.load()
    assert len(s.spec.uncertain) > 10
    for key, u in s.spec.uncertain.items():
        assert u.why, key  # every range says where it comes from


def write_experiment(directory, uncertain):
    path = directory / "e.yaml"
    path.write_text(yaml.safe_dump({"name": "e", "scenario": "tiny.yaml", "years": 1, "replications": 1, "seed": 1,
                                    "uncertain": uncertain}))
    return path


@pytest.mark.parametrize("entry, field, expected", [
    ({"groups.staff.leaving.rat": {"range": [0.1, 0.2]}}, "uncertain.groups.staff.leaving.rat",
     "the dotted key of a value in the scenario"),
    ({"groups.staff.leaving.reasons": {"range": [0.1, 0.2]}}, "uncertain.groups.staff.leaving.reasons",
     "a key of a single number for range:"),
    ({"groups.staff.label": {"scale": [0.5, 2.0]}}, "uncertain.groups.staff.label",
     "a key of a number, or of a list or table of numbers"),
    ({"groups.staff.leaving.rate": {"range": [0.3, 0.1]}}, "uncertain.groups.staff.leaving.rate",
     "[low, high] with low < high"),
])
def test_the_same_mistake_gives_the_same_message_in_a_scenario_and_an_experiment(tmp_path, entry, field, expected):
    path = tiny_scenario.write(tmp_path, {"uncertain": entry})
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert has_problem(str(info.value), "tiny.yaml", field, expected), str(info.value)
    tiny_scenario.write(tmp_path)
    with pytest.raises(InputError) as info:
        experiment.load(write_experiment(tmp_path, entry))
    assert has_problem(str(info.value), "e.yaml", field, expected), str(info.value)


@pytest.mark.parametrize("key, value, scale, largest", [
    ("groups.staff.retirement.mho_retire_at_55", 0.4, [0.5, 5.0], "2.5"),
    ("groups.staff.retire_and_return.share", [0.563, 0.37, 0.37], [0.5, 50.0], "1.776"),
    ("groups.staff.leaving.rate", 0.12, [0.3, 100.0], "8.333"),
], ids=["a probability", "a share by age band", "a leaving rate"])
def test_a_scale_taking_a_probability_past_1_is_refused_in_a_scenario_and_an_experiment(tmp_path, key, value, scale,
                                                                                         largest):
    """Capped at 1, factors of 5 and 50 on a share would run alike, and a slip of 100 for 1.0 on a
    leaving rate would make everyone leave: refused, with the largest factor the value allows."""
    entry = {key: {"scale": scale}}
    expected = f"scale: [low, high] with high at most {largest}"
    with pytest.raises(InputError) as info:
        scenario.load(tiny_scenario.write(tmp_path, {key: value, "uncertain": entry}))
    assert has_problem(str(info.value), "tiny.yaml", f"uncertain.{key}", expected), str(info.value)
    tiny_scenario.write(tmp_path, {key: value})
    with pytest.raises(InputError) as info:
        experiment.load(write_experiment(tmp_path, entry))
    assert has_problem(str(info.value), "e.yaml", f"uncertain.{key}", expected), str(info.value)
    # the largest factor, as printed, is allowed, and so is any factor on a number that is no probability
    scenario.load(tiny_scenario.write(tmp_path, {key: value, "uncertain": {key: {"scale": [0.5, float(largest)]},
                                                 "groups.staff.retire_and_return.stay_years": {"scale": [1.0, 50.0]}}}))


def test_a_scenario_s_own_range_holds_its_value_but_an_experiment_s_may_explore_away_from_it(tmp_path):
    """A scenario saying 0.1 and, for the same value, "somewhere in [0.3, 0.5]" contradicts itself: its
    runs use one and its sensitivity and calibration the other. An experiment asking "what if it were
    0.3 to 0.5" is a question, not a contradiction."""
    key = "groups.staff.retire_and_return.share"
    entry = {key: {"range": [0.3, 0.5]}}
    with pytest.raises(InputError) as info:
        scenario.load(tiny_scenario.write(tmp_path, {key: 0.1, "uncertain": entry}))
    assert has_problem(str(info.value), "tiny.yaml", f"uncertain.{key}",
                       f"range: [low, high] holding the scenario's value of {key} (0.1)"), str(info.value)
    assert scenario.load(tiny_scenario.write(tmp_path, {key: 0.3, "uncertain": entry}))  # an end is within
    tiny_scenario.write(tmp_path, {key: 0.1})
    assert experiment.load(write_experiment(tmp_path, entry)).bounds == [[0.3, 0.5]]


def test_a_scale_on_a_calibrated_value_is_judged_on_the_value_the_fit_scaled(tmp_path):
    """A calibration replaces the scenario's value; the scenario's ``uncertain:`` scale, like the fit's
    factor, multiplies the value it replaced (0.5 x 2 = 1), not the calibrated one (0.6 x 2)."""
    key = "groups.staff.retirement.mho_retire_at_55"
    path = tiny_scenario.write(tmp_path, {key: 0.5, "calibration": "cal.yaml",
                                          "uncertain": {key: {"scale": [0.5, 2.0]}}})
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump({"name": "cal", "overrides": {key: 0.6},
                                                      "fitted": {key: {"kind": "scale", "shipped": 0.5}}}))
    assert scenario.load(path).spec.groups["staff"].retirement.mho_retire_at_55 == 0.6


def test_an_experiment_varies_a_scale_and_a_range_as_the_scenario_would(tmp_path):
    tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": [0.1, 0.2, 0.3]})
    loaded = experiment.load(write_experiment(tmp_path, {"groups.staff.leaving.rate": {"scale": [0.5, 2.0]},
                                                          "groups.staff.retire_and_return.share": {"range": [0.1, 0.3]}}))
    assert loaded.parameter_names == ["scale:groups.staff.leaving.rate", "groups.staff.retire_and_return.share"]
    assert loaded.bounds == [[0.5, 2.0], [0.1, 0.3]]
    overrides = loaded.overrides({"scale:groups.staff.leaving.rate": 2.0, "groups.staff.retire_and_return.share": 0.2})
    assert overrides == {"groups.staff.leaving.rate": [0.2, 0.4, 0.6], "groups.staff.retire_and_return.share": 0.2}


def test_every_study_turns_parameter_values_into_overrides_by_one_rule(tmp_path):
    """A calibration's candidate, a posterior's set and an experiment's draw with the same values
    give the same overrides: a range replaces the value, a scale multiplies the scenario's."""
    import numpy as np

    from sim.calibration import Parameters
    from sim.posterior import Posterior
    from sim.uncertain import as_overrides, spec_value

    spec = scenario.load(tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": [0.1, 0.2, 0.4]})).spec
    keys = ["groups.staff.leaving.rate", "groups.staff.retire_and_return.share"]
    uncertain = {keys[0]: Uncertain.model_validate({"scale": [0.5, 2.0]}),
                 keys[1]: Uncertain.model_validate({"range": [0.0, 0.5]})}
    values = np.array([1.5, 0.25])
    base = {k: spec_value(spec, k) for k in keys}
    names = [uncertain[k].parameter(k) for k in keys]
    by_experiment = experiment.to_overrides(spec, dict(zip(names, values)))
    by_calibration = Parameters(keys, uncertain, base, type(spec)).overrides(values)
    by_posterior = Posterior(file=None, names=names, values=values[None, :], weights=np.ones(1),
                             shipped={keys[0]: base[keys[0]]}).overrides(0, type(spec))
    assert by_experiment == by_calibration == by_posterior == as_overrides(dict(zip(names, values)), base.get,
                                                                           type(spec))
    assert by_experiment == {keys[0]: [0.15, 0.3, 0.6], keys[1]: 0.25}
    assert type(by_experiment[keys[1]]) is float  # a plain number, as a scenario file would give


@pytest.mark.parametrize("name, value, expected", [("scale:groups.nope.leaving.rate", 2.0, "scale: and the dotted key"),
                                                   ("scale:groups.nursing.label", 2.0, "scale: of a number"),
                                                   ("scale:groups.nursing.leaving.rate", "x", "a finite number"),
                                                   ("scale:groups.nursing.leaving.rate", float("nan"), "a finite number")])
def test_a_scale_of_no_number_or_by_no_number_is_an_input_error_naming_the_parameter(name, value, expected):
    spec = scenario.compiled().spec
    with pytest.raises(InputError) as error:
        as_overrides({name: value}, lambda key: spec_value(spec, key), type(spec))
    assert has_problem(str(error.value), "parameters", name, expected)


@pytest.mark.parametrize("key, at_most_one", [
    ("groups.staff.leaving.rate", True),  # a rate by age band
    ("groups.staff.retire_and_return.share", True),
    ("groups.staff.joiners.fill_per_month", True),
    ("groups.staff.joiners.per_year", False),  # people a year
    ("groups.staff.retire_and_return.stay_years", False),  # years
    ("groups.staff.participation.part_time_fte", True),  # FTE fractions
    ("transitions.course/student.worker", True),
    ("intake.course/student.fill_rate", True),
    ("intake.course/student.places", False),
    ("groups.staff.nothing_here", False),
])
def test_a_scale_is_held_within_1_only_for_the_values_the_schema_types_as_probabilities(key, at_most_one):
    from sim.uncertain import at_most_one as held
    assert held(scenario.schema(), key) is at_most_one


def test_a_scaled_number_that_is_no_probability_scales_freely_and_a_probability_is_never_capped(tmp_path):
    """A ``per_year`` of 1 scaled by 3 is 3 joiners a year; a probability of 0.5 scaled by 3 is refused,
    not quietly made 1."""
    spec = scenario.load(tiny_scenario.write(tmp_path, {
        "groups.staff.joiners": {"per_year": 1.0, "fill_per_month": 0.5, "stages": {"course/worker": 1.0},
                                 "sources": {"elsewhere": 1.0}, "age": [[30, 40, 1.0]]},
        "groups.staff.retire_and_return.stay_years": [1, 1]})).spec
    out = as_overrides({"scale:groups.staff.joiners.per_year": 3.0, "scale:groups.staff.joiners.fill_per_month": 1.5,
                        "scale:groups.staff.retire_and_return.stay_years": 2.5},
                       lambda key: spec_value(spec, key), type(spec))
    assert out == {"groups.staff.joiners.per_year": 3.0, "groups.staff.joiners.fill_per_month": 0.75,
                   "groups.staff.retire_and_return.stay_years": [2.5, 2.5]}
    with pytest.raises(InputError) as error:
        as_overrides({"scale:groups.staff.joiners.fill_per_month": 3.0}, lambda key: spec_value(spec, key), type(spec))
    assert has_problem(str(error.value), "parameters", "scale:groups.staff.joiners.fill_per_month",
                       "a factor at most 2"), str(error.value)
