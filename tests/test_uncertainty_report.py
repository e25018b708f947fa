"""The report's calibration and back-test sections come from the calibration the runs used."""

from __future__ import annotations

import shutil

import pytest

from conftest import has_problem
from sim.errors import InputError
from sim.layering import CALIBRATION_DIR
from sim.uncertainty_report import sections


def test_a_posterior_calibration_brings_its_parameters_figure_and_back_test():
    backtest, calibration = sections("wales-mh-v13", "parameter uncertainty and the model's randomness")
    assert "groups.psychiatry.joiners.per_year" in calibration and "data:image/png;base64," in calibration
    assert "parameter uncertainty and the model&#39;s randomness" in calibration  # escaped, as all text
    assert "social_work_headcount_change_2024" in backtest and "van Greuningen" in backtest


def test_no_section_without_a_posterior():
    assert sections(None, "") == (None, None)
    assert sections("wales-mh-v3", "") == (None, None)  # fitted values only: nothing to show of a posterior


def test_a_calibration_neither_shipped_nor_where_the_runs_read_it_is_said_to_be_missing(tmp_path):
    backtest, calibration = sections("no-such-calibration", "", [str(tmp_path / "other.yaml")])
    assert backtest is None and "<code>no-such-calibration</code>" in calibration and "not shown" in calibration


def test_a_calibration_of_ones_own_is_found_where_the_runs_read_it(tmp_path):
    own = shutil.copy(CALIBRATION_DIR / "wales-mh-v13.yaml", tmp_path / "my-fit.yaml")
    backtest, calibration = sections("my-fit", "each replication's parameter set", [str(own)])
    assert "<code>my-fit</code>" in calibration and "groups.psychiatry.joiners.per_year" in calibration
    assert backtest is None  # no back-test is shipped of it


def test_a_calibration_figure_that_is_no_png_is_refused_naming_it(tmp_path):
    """Its bytes were embedded in the report as the calibration's figure, whatever they were."""
    own = shutil.copy(CALIBRATION_DIR / "wales-mh-v13.yaml", tmp_path / "my-fit.yaml")
    (tmp_path / "my-fit-pairs.png").write_text("not a figure\n")
    with pytest.raises(InputError) as info:
        sections("my-fit", "each replication's parameter set", [str(own)])
    assert has_problem(str(info.value), "my-fit-pairs.png", "<top level>", "a PNG image (as the command wrote it)")


@pytest.mark.parametrize("edit, field, expected", [
    (lambda f: f.pop("median"), "median", "a finite number"),
    (lambda f: f.update(median="lots"), "median", "a finite number"),
    (lambda f: f.update(prior_interval_90=[".nan", 1.0]), "prior_interval_90", "a list of 2 finite numbers"),
    (lambda f: f.update(interval_90=[0.5]), "interval_90", "a list of 2 finite numbers"),
])
def test_a_calibration_whose_record_of_a_fitted_key_was_edited_is_refused_naming_it(edit, field, expected, tmp_path):
    """A parameter file's median or interval removed or made text was a KeyError or a TypeError in the section."""
    import yaml

    document = yaml.safe_load((CALIBRATION_DIR / "wales-mh-v13.yaml").read_text())
    key = next(iter(document["fitted"]))
    edit(document["fitted"][key])
    own = tmp_path / "my-fit.yaml"
    own.write_text(yaml.safe_dump(document, sort_keys=False))
    with pytest.raises(InputError) as info:
        sections("my-fit", "each replication's parameter set", [str(own)])
    assert has_problem(str(info.value), "my-fit.yaml", f"fitted.{key}.{field}", expected), str(info.value)
