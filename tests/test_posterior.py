"""The posterior a projection draws from: draws by weight from each seed's own stream, shared by a
policy and its baseline, and the central set; intervals say what they contain."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import tiny_scenario
from sim import experiment, posterior, scenario
from sim.posterior import Posterior

KEY = "groups.staff.leaving.rate"


def test_draws_follow_the_weights_and_depend_on_the_seed_alone():
    p = Posterior(file=None, names=[KEY], values=np.array([[0.1], [0.2], [0.3]]),
                  weights=np.array([0.0, 0.25, 0.75]), shipped={})
    draws = [p.index(seed) for seed in range(4000)]
    assert draws == [p.index(seed) for seed in range(4000)]  # the same seed, the same set
    assert 0 not in draws  # a set of weight 0 is never drawn
    assert np.mean(np.array(draws) == 2) == pytest.approx(0.75, abs=0.03)
    assert p.overrides(1, scenario.schema()) == {KEY: 0.2}


def test_the_central_set_is_a_set_of_the_posterior_near_its_medians_and_scales_multiply_the_shipped_value():
    values = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [9.0, 5.0]])
    p = Posterior(file=None, names=["scale:groups.staff.leaving.rate", "groups.staff.joiners.per_year"],
                  values=values, weights=np.full(5, 0.2), shipped={KEY: [0.1, 0.2]})
    # the medians (3, 20) are no set's; (2, 20) is the nearest in units of each parameter's spread
    assert p.central().tolist() == [2.0, 20.0]
    # parameters of independent blocks: each block's own nearest set, the medians here
    assert p.central([[0], [1]]).tolist() == [3.0, 20.0]
    assert p.overrides(0, scenario.schema()) == {KEY: [0.1, 0.2], "groups.staff.joiners.per_year": 10.0}
    assert p.overrides(1, scenario.schema())[KEY] == [0.2, 0.4]


def calibrated_tiny(directory):
    """The tiny scenario calibrated with a posterior of three leaver rates."""
    data = yaml.safe_load(yaml.safe_dump(tiny_scenario.SCENARIO))
    data["calibration"] = "cal.yaml"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "course.yaml").write_text(yaml.safe_dump(tiny_scenario.PATHWAY))
    (directory / "tiny.yaml").write_text(yaml.safe_dump(data))
    (directory / "cal-posterior.csv").write_text(f"weight,{KEY}\n1,0.05\n1,0.10\n1,0.20\n")
    (directory / "cal.yaml").write_text(yaml.safe_dump({
        "name": "cal", "posterior": "cal-posterior.csv", "overrides": {KEY: 0.10},
        "fitted": {KEY: {"kind": "range", "shipped": 0.0}}}))
    return directory / "tiny.yaml"


def test_a_policy_and_its_baseline_share_each_replications_parameter_set(tmp_path):
    calibrated_tiny(tmp_path)
    spec = {"name": "e", "scenario": "tiny.yaml", "years": 2, "replications": 12, "seed": 4,
            "policies": {"keep": {"levers": [{"lever": "retention", "groups": ["staff"], "factor": 0.9,
                                              "start": "2021-01"}]}}}
    (tmp_path / "e.yaml").write_text(yaml.safe_dump(spec))
    loaded = experiment.load(tmp_path / "e.yaml")
    jobs = loaded.jobs()
    by_seed = {}
    for job in jobs:
        by_seed.setdefault(job.seed, set()).add(job.posterior_set)
    assert all(len(sets) == 1 for sets in by_seed.values())  # the policy's set is its baseline twin's
    assert len({next(iter(s)) for s in by_seed.values()}) > 1  # replications draw different sets
    assert "parameter uncertainty" in loaded.uncertainty and "3 of calibration cal" in loaded.uncertainty
    # a job runs the scenario with its set's values
    job = jobs[0]
    compiled = scenario.compiled(job.scenario, job.overrides, job.posterior_set)
    assert compiled.spec.groups["staff"].leaving.rate == [0.05, 0.10, 0.20][job.posterior_set]
    fixed = experiment.load(tmp_path / "e.yaml", parameters="fixed")
    assert {j.posterior_set for j in fixed.jobs()} == {None} and "randomness only" in fixed.uncertainty


def test_the_posterior_table_is_an_input_file_of_the_scenario(tmp_path):
    path = calibrated_tiny(tmp_path)
    assert str((tmp_path / "cal-posterior.csv").resolve()) in scenario.load(path).inputs
    assert posterior.weighted_quantile(np.array([3.0, 1.0, 2.0]), np.ones(3) / 3, 0.5) == 2.0


@pytest.mark.parametrize("changes, field, expected", [
    ({"posterior": "/etc/passwd"}, "posterior", "the file name of its posterior table, beside it (a plain name"),
    ({"posterior": "../cal-posterior.csv"}, "posterior", "a plain name, no folder"),
    ({"parameter_sets": 5}, "parameter_sets", "the number of parameter sets in cal-posterior.csv (3)"),
    ({"name": "../x"}, "name", "a plain name"),
    # the posterior's draws set the fitted keys alone: this one would change fixed-parameter runs only
    ({"overrides": {KEY: 0.05, "end": "2023-03"}}, "overrides.end", "a fitted parameter of the file"),
], ids=["a posterior elsewhere", "a posterior up a folder", "a count the table disagrees with", "a name with a path",
        "an override of a key it did not fit"])
def test_a_parameter_file_that_cannot_be_what_it_says_is_refused(tmp_path, changes, field, expected):
    from conftest import has_problem
    from sim.errors import InputError

    path = calibrated_tiny(tmp_path)
    document = {**yaml.safe_load((tmp_path / "cal.yaml").read_text()), "parameter_sets": 3,
                "scenario": "wales-mh-2015", **changes}
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(document))
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert has_problem(str(info.value), "cal.yaml", field, expected), str(info.value)


@pytest.mark.parametrize("table, loads", [
    ("1,0.05\n1,0.10\n1,0.20\n", True),
    ("1,0.06\n1,0.10\n1,0.20\n", False),  # the lowest set moved: the 5% quantile is no longer the one recorded
    ("1,0.05\n1,0.12\n1,0.20\n", False),  # another version's median
], ids=["the table written with the file", "a table changed since", "another version's table"])
def test_a_posterior_table_is_the_one_its_parameter_file_records_the_quantiles_of(tmp_path, table, loads):
    """calibrate records each parameter's median and 90% interval of the posterior it writes beside the
    parameter file: a table whose quantiles differ is another calibration's, or was changed since the fit."""
    from conftest import has_problem
    from sim.errors import InputError

    path = calibrated_tiny(tmp_path)
    document = yaml.safe_load((tmp_path / "cal.yaml").read_text())
    document["fitted"][KEY] |= {"median": 0.1, "interval_90": [0.05, 0.2]}
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(document))
    (tmp_path / "cal-posterior.csv").write_text(f"weight,{KEY}\n{table}")
    if loads:
        assert len(scenario.load(path).posterior) == 3
        return
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert has_problem(str(info.value), "cal.yaml", "posterior", "the posterior table written with this parameter "
                                                                 "file"), str(info.value)


def test_a_bad_row_of_the_posterior_is_refused_when_the_table_is_read_whichever_rows_a_run_draws(tmp_path):
    """One row of three holds a leaver rate of 1.5, a probability: the central set (row 1's value) runs,
    and so would the replications that happen to draw the good rows."""
    from conftest import has_problem
    from sim.errors import InputError

    path = calibrated_tiny(tmp_path)
    (tmp_path / "cal-posterior.csv").write_text(f"weight,{KEY}\n1,0.10\n1,1.5\n1,0.20\n")
    with pytest.raises(InputError) as info:
        scenario.load(path)
    message = str(info.value)
    assert has_problem(message, "cal-posterior.csv", f"{KEY}, row 2", "a probability in [0, 1]"), message


@pytest.mark.parametrize("rows, fitted, field, expected", [
    ("1,0.05\n1,0.30\n1,0.35\n", {"kind": "range", "bounds": [0.0, 0.25]}, f"{KEY}, row 2",
     f"a value within the bounds the fit searched, [0, 0.25] (fitted.{KEY}.bounds in cal.yaml) (2 of its 3 rows"),
    ("1,1.0\n1,1.2\n1,100\n", {"kind": "scale", "shipped": [0.1, 0.2, 0.4]}, f"scale:{KEY}, row 3",
     f"a factor that leaves {KEY} a probability in [0, 1]: above 0, at most 2.5 (the highest shipped value"),
    ("1,1.0\n1,1.2\n1,100\n", {"kind": "scale", "shipped": [0.1, 0.2, 0.4], "bounds": [0.5, 2.0]},
     f"scale:{KEY}, row 3", "a value within the bounds the fit searched, [0.5, 2]"),
    ("1,1.0\n1,-1\n1,1.2\n", {"kind": "scale", "shipped": [0.1, 0.2, 0.4]}, f"scale:{KEY}, row 2",
     "a probability in [0, 1]: above 0"),
    ("1,1.0\n1,0\n1,1.2\n", {"kind": "scale", "shipped": [1.0, 2.0]}, "scale:groups.staff.joiners.per_year, row 2",
     "a factor greater than 0"),
], ids=["outside the fit's bounds", "a factor taking a rate past 1", "a factor outside the fit's bounds",
        "a factor below 0", "a factor of 0 on joiners"])
def test_a_row_outside_what_its_column_may_hold_or_the_fits_bounds_is_refused_naming_the_cell(tmp_path, rows, fitted,
                                                                                               field, expected):
    from conftest import has_problem
    from sim.errors import InputError

    column = field.split(", row")[0]
    (tmp_path / "post.csv").write_text(f"weight,{column}\n{rows}")
    with pytest.raises(InputError) as info:
        posterior.read("post.csv", tmp_path / "cal.yaml", {column.removeprefix("scale:"): fitted},
                       schema=scenario.schema())
    assert has_problem(str(info.value), "post.csv", field, expected), str(info.value)


def test_bounds_of_the_fit_that_are_no_bounds_are_refused_naming_the_parameter_file(tmp_path):
    from conftest import has_problem
    from sim.errors import InputError

    (tmp_path / "post.csv").write_text(f"weight,{KEY}\n1,0.1\n")
    with pytest.raises(InputError) as info:
        posterior.read("post.csv", tmp_path / "cal.yaml", {KEY: {"kind": "range", "bounds": [0.3, 0.1]}},
                       schema=scenario.schema())
    assert has_problem(str(info.value), "cal.yaml", f"fitted.{KEY}.bounds", "[low, high]"), str(info.value)


def test_weights_near_the_largest_float_are_drawn_as_the_equal_weights_they_are(tmp_path):
    """Their sum would be infinite, every normalised weight 0 and every draw the last set."""
    (tmp_path / "post.csv").write_text("weight,groups.staff.leaving.rate\n1e308,0.01\n1e308,0.02\n1e308,0.03\n")
    table = posterior.read("post.csv", tmp_path / "cal.yaml", {"groups.staff.leaving.rate": {"kind": "range"}},
                           schema=scenario.schema())
    assert np.allclose(table.weights, 1 / 3)
    assert {table.index(seed) for seed in range(40)} == {0, 1, 2}


def test_a_posterior_table_with_no_rows_is_refused_as_one_with_no_parameter_sets(tmp_path):
    """Not as every column holding no finite numbers."""
    from conftest import has_problem
    from sim.errors import InputError

    (tmp_path / "post.csv").write_text(f"weight,{KEY}\n")
    with pytest.raises(InputError) as info:
        posterior.read("post.csv", tmp_path / "cal.yaml", {KEY: {"kind": "range"}}, schema=scenario.schema())
    assert has_problem(str(info.value), "post.csv", "<rows>", "at least one parameter set"), str(info.value)
    assert len(info.value.problems) == 1


@pytest.mark.parametrize("header", [f"weight,{'x' * 200_000}", f"weight,{KEY},{KEY}"])
def test_a_header_pandas_reads_is_read_whole_when_its_names_are_checked(tmp_path, header):
    """A column's name past 131,072 characters (the csv module's limit on a field) was a traceback where the
    header's names are checked once each; it is a column the table should not have, as any other. A name given
    twice is still found so."""
    from conftest import has_problem
    from sim import sensitivity
    from sim.errors import InputError

    (tmp_path / "post.csv").write_text(f"{header}\n" + (",".join(["0.1"] * len(header.split(","))) + "\n") * 3)
    expected = "each column named once" if header.endswith(KEY) else f"weight, {KEY}"
    with pytest.raises(InputError) as info:
        posterior.read("post.csv", tmp_path / "cal.yaml", {KEY: {"kind": "range"}}, schema=scenario.schema())
    assert has_problem(str(info.value), "post.csv", "columns", expected), str(info.value)
    if header.endswith(KEY):
        with pytest.raises(InputError) as info:
            sensitivity.read_parameter_sets(tmp_path / "post.csv")
        assert has_problem(str(info.value), "post.csv", "columns", expected), str(info.value)
    else:
        assert list(sensitivity.read_parameter_sets(tmp_path / "post.csv").columns) == header.split(",")


def test_a_posterior_table_too_big_to_read_into_memory_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from conftest import has_problem
    from sim import sensitivity
    from sim.errors import InputError

    text = f"weight,{KEY}\n" + "1,0.1\n" * 20
    (tmp_path / "post.csv").write_text(text)
    monkeypatch.setattr(posterior, "MAX_TABLE_BYTES", len(text) - 1)
    monkeypatch.setattr(pd, "read_csv", None)  # never read
    with pytest.raises(InputError) as info:
        posterior.read("post.csv", tmp_path / "cal.yaml", {KEY: {"kind": "range"}}, schema=scenario.schema())
    assert has_problem(str(info.value), "post.csv", "<top level>", f"at most {len(text) - 1:,} bytes"), str(info.value)
    with pytest.raises(InputError) as info:
        sensitivity.read_parameter_sets(tmp_path / "post.csv")
    assert has_problem(str(info.value), "post.csv", "<top level>", f"at most {len(text) - 1:,} bytes"), str(info.value)


def test_a_whole_number_column_holds_whole_numbers_and_gives_them_as_such(tmp_path):
    """A maximum age: the table's 70 (read as 70.0) was refused by every run as no integer, and a 70.5
    only by a run that drew its row."""
    from conftest import has_problem
    from sim.errors import InputError

    key = "groups.staff.retirement.max_age"
    (tmp_path / "post.csv").write_text(f"weight,{key}\n1,70\n1,70.5\n1,68\n")
    with pytest.raises(InputError) as info:
        posterior.read("post.csv", tmp_path / "cal.yaml", {key: {"kind": "range"}}, schema=scenario.schema())
    assert has_problem(str(info.value), "post.csv", f"{key}, row 2", "a whole number"), str(info.value)
    (tmp_path / "post.csv").write_text(f"weight,{key}\n1,70\n1,68\n")
    table = posterior.read("post.csv", tmp_path / "cal.yaml", {key: {"kind": "range"}}, schema=scenario.schema())
    assert [table.overrides(i, scenario.schema())[key] for i in (0, 1)] == [70, 68]
    assert all(type(table.overrides(i, scenario.schema())[key]) is int for i in (0, 1))
    path = calibrated_tiny(tmp_path / "run")
    (tmp_path / "run" / "cal.yaml").write_text(yaml.safe_dump(
        {**yaml.safe_load((tmp_path / "run" / "cal.yaml").read_text()), "fitted": {key: {"kind": "range"}},
         "overrides": {key: 70}}))
    (tmp_path / "run" / "cal-posterior.csv").write_text(f"weight,{key}\n1,70\n1,68\n")
    assert scenario.load(path, parameter_set=1).spec.groups["staff"].retirement.max_age == 68


MHO = "groups.staff.retirement.mho_retire_at_55"
SHIPPED_RATES = [0.1, 0.0, 0.05]  # the tiny scenario's leaving rate by age band, which a factor scales
CENTRAL_FITTED = {KEY: {"kind": "scale", "bounds": [0.5, 2.0], "shipped": SHIPPED_RATES},
                  MHO: {"kind": "range", "bounds": [0.2, 0.6], "shipped": 0.0}}


@pytest.mark.parametrize("overrides, fitted, field, expected", [
    ({KEY: [0.9, 0.0, 0.9], MHO: 0.3}, CENTRAL_FITTED, f"overrides.{KEY}",
     f"{KEY}'s shipped value (fitted.{KEY}.shipped) times a factor within the bounds the fit searched, [0.5, 2] "
     f"(fitted.{KEY}.bounds in cal.yaml); its factors here are 9 to 18"),
    ({KEY: [0.9, 0.0, 0.9], MHO: 0.3}, {**CENTRAL_FITTED, KEY: {"kind": "scale", "bounds": [0.5, 2.0]}},
     f"overrides.{KEY}", "times a factor within the bounds the fit searched, [0.5, 2]"),
    ({KEY: [0.1, 0.01, 0.05], MHO: 0.3}, CENTRAL_FITTED, f"overrides.{KEY}", "a factor leaves 0 at 0"),
    ({KEY: [0.1, 0.05], MHO: 0.3}, CENTRAL_FITTED, f"overrides.{KEY}", "as many numbers, in the same places"),
    ({KEY: [0.1, 0.0, 0.05], MHO: 0.7}, CENTRAL_FITTED, f"overrides.{MHO}",
     f"a value within the bounds the fit searched, [0.2, 0.6] (fitted.{MHO}.bounds in cal.yaml)"),
    ({KEY: [0.1, 0.0, 0.05]}, CENTRAL_FITTED, f"overrides.{MHO}", f"the central value of {MHO}, as of every "
                                                                   "parameter the calibration fitted"),
    ({}, {}, "overrides", "a mapping of dotted scenario keys to values (at least one)"),
], ids=["a factor past the fit's bounds", "a factor of the scenario's value, where the file records none",
        "a number where the shipped value is 0", "fewer numbers than the shipped value", "a value past the bounds",
        "a fitted key left out", "an empty central set"])
def test_a_central_set_outside_the_fit_or_without_a_fitted_key_is_refused_naming_the_key(tmp_path, overrides, fitted,
                                                                                         field, expected):
    """The central set is what fixed-parameter runs use: edited by hand, it ran in silence (nurses leaving
    at 0.9 a year, outside the bounds every posterior row is held to), and a key left out ran the
    scenario's uncalibrated value under the calibration's name."""
    from conftest import has_problem
    from sim.errors import InputError

    path = tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": SHIPPED_RATES, "calibration": "cal.yaml"})
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump({"name": "cal", "fitted": fitted, "overrides": overrides}))
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert has_problem(str(info.value), "cal.yaml", field, expected), str(info.value)


def test_a_central_set_within_the_fit_loads_a_factor_at_a_bound_as_rounded(tmp_path):
    """A factor at a bound, its scaled value rounded to 6 places as written (0.0333333 x 2 to 0.066667, past
    0.0666666): the central set the fit wrote is within its bounds."""
    from conftest import has_problem
    from sim.errors import InputError
    from sim.uncertain import scaled

    shipped = [0.0333333, 0.0, 0.05]
    path = tiny_scenario.write(tmp_path, {"groups.staff.leaving.rate": shipped, "calibration": "cal.yaml"})
    fitted = {KEY: {"kind": "scale", "bounds": [0.5, 2.0], "shipped": shipped}}
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump({"name": "cal", "fitted": fitted,
                                                       "overrides": {KEY: scaled(shipped, 2.0)}}))
    assert scenario.load(path).spec.groups["staff"].leaving.rate == [0.066667, 0.0, 0.1]
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump({"name": "cal", "fitted": fitted,
                                                       "overrides": {KEY: scaled(shipped, 2.001)}}))
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert has_problem(str(info.value), "cal.yaml", f"overrides.{KEY}", "its factors here are 2.001 to 2.001"), \
        str(info.value)


@pytest.mark.parametrize("content, found", [(b"", "an empty file"),
                                            (f"weight,{KEY}\n1,0.1\n".encode("utf-16"), "a byte that is not UTF-8")])
def test_a_table_of_parameter_sets_that_does_not_read_says_what_it_was_found_to_be(tmp_path, content, found):
    """It was said to be the reader's exception, by its name (EmptyDataError, UnicodeDecodeError)."""
    from conftest import has_problem
    from sim import sensitivity
    from sim.errors import InputError

    (tmp_path / "post.csv").write_bytes(content)
    with pytest.raises(InputError) as info:
        posterior.read("post.csv", tmp_path / "cal.yaml", {KEY: {"kind": "range"}}, schema=scenario.schema())
    assert has_problem(str(info.value), "post.csv", "<top level>", "a table of parameter sets"), str(info.value)
    assert info.value.problems[0].found.startswith(found)
    with pytest.raises(InputError) as info:
        sensitivity.read_parameter_sets(tmp_path / "post.csv")
    assert info.value.problems[0].found.startswith(found)
