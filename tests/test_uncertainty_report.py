"""The report's calibration and back-test sections come from the calibration the runs used."""

from __future__ import annotations

import shutil

import pytest

from conftest import has_problem
from sim.errors import InputError
from sim.layering import CALIBRATION_DIR, input_files
from sim.uncertainty_report import sections


def test_a_posterior_calibration_brings_its_parameters_figure_and_back_test():
    backtest, calibration = sections("wales-mh-v18", "parameter uncertainty and the model's randomness")
    assert "groups.psychiatry.joiners.per_year" in calibration and "data:image/png;base64," in calibration
    assert "parameter uncertainty and the model&#39;s randomness" in calibration  # escaped, as all text
    assert "social_work_headcount_change_2024" in backtest and "van Greuningen" in backtest


def test_no_section_without_a_posterior():
    assert sections(None, "") == (None, None)
    assert sections("wales-mh-v3", "") == (None, None)  # fitted values only: nothing to show of a posterior


def test_a_calibration_neither_shipped_nor_where_the_runs_read_it_is_said_to_be_missing(tmp_path):
    backtest, calibration = sections("no-such-calibration", "", {str(tmp_path / "other.yaml"): "0" * 64})
    assert backtest is None and "<code>no-such-calibration</code>" in calibration and "not shown" in calibration


def test_a_calibration_of_ones_own_is_found_where_the_runs_read_it(tmp_path):
    own = shutil.copy(CALIBRATION_DIR / "wales-mh-v18.yaml", tmp_path / "my-fit.yaml")
    backtest, calibration = sections("my-fit", "each replication's parameter set", input_files([own]))
    assert "<code>my-fit</code>" in calibration and "groups.psychiatry.joiners.per_year" in calibration
    assert backtest is None  # no back-test is shipped of it


def own_copy(folder, history: str):
    """The shipped wales-mh-v18 copied into ``folder`` under the same file name, its history scenario recorded as
    ``history`` (shown in the section, and read by no run)."""
    text = (CALIBRATION_DIR / "wales-mh-v18.yaml").read_text()
    assert "\nscenario: wales-mh-2015\n" in text
    folder.mkdir(exist_ok=True)
    own = folder / "wales-mh-v18.yaml"
    own.write_text(text.replace("\nscenario: wales-mh-2015\n", f"\nscenario: {history}\n"))
    return own


def test_the_calibration_file_the_runs_read_is_shown_not_a_shipped_one_of_its_name(tmp_path):
    """A shipped calibration of the same name was shown in place of the file the runs read, with the shipped
    posterior's back-test."""
    own = own_copy(tmp_path / "fits", "my-history")
    backtest, calibration = sections("fits/wales-mh-v18.yaml", "each replication's parameter set", input_files([own]))
    assert "the my-history history" in calibration and "wales-mh-2015" not in calibration
    assert backtest is None  # the shipped back-test is of the shipped posterior, not of this file


def test_a_calibration_file_changed_since_the_runs_is_said_to_be_so_not_shown_as_it_is_now(tmp_path):
    """The file the runs read, edited since (its SHA-256 is not the one the manifest records), was shown as it is
    now, as if the runs had drawn from it."""
    own = own_copy(tmp_path / "fits", "my-history")
    recorded = input_files([own])
    own_copy(tmp_path / "fits", "edited-since")
    backtest, calibration = sections("fits/wales-mh-v18.yaml", "each replication's parameter set", recorded)
    assert backtest is None and "edited-since" not in calibration and "my-history" not in calibration
    assert f"read from <code>{own}</code>, which is no longer as" in calibration and "not shown" in calibration


def test_a_calibration_file_moved_or_gone_is_the_shipped_one_only_where_its_content_is_the_one_read(tmp_path):
    """Written under another installation, the runs read a shipped calibration elsewhere: it is this one where its
    content is the one recorded, and missing where the shipped file of the name is another."""
    elsewhere = str(tmp_path / "other-installation" / "wales-mh-v18.yaml")
    shipped = input_files([CALIBRATION_DIR / "wales-mh-v18.yaml"])
    backtest, calibration = sections("wales-mh-v18", "each replication's parameter set",
                                     {elsewhere: next(iter(shipped.values()))})
    assert "the wales-mh-2015 history" in calibration and "social_work_headcount_change_2024" in backtest
    own = own_copy(tmp_path / "fits", "my-history")
    recorded = input_files([own])
    own.unlink()
    backtest, calibration = sections("fits/wales-mh-v18.yaml", "each replication's parameter set", recorded)
    assert backtest is None and "wales-mh-2015" not in calibration and "not shown" in calibration
    # input files recorded without it (read through a link of another name): not taken for the shipped one either
    backtest, calibration = sections("wales-mh-v18", "", {str(tmp_path / "scenario.yaml"): "0" * 64})
    assert backtest is None and "wales-mh-2015" not in calibration and "not shown" in calibration


def test_a_calibration_figure_that_is_no_png_is_refused_naming_it(tmp_path):
    """Its bytes were embedded in the report as the calibration's figure, whatever they were."""
    own = shutil.copy(CALIBRATION_DIR / "wales-mh-v18.yaml", tmp_path / "my-fit.yaml")
    (tmp_path / "my-fit-pairs.png").write_text("not a figure\n")
    with pytest.raises(InputError) as info:
        sections("my-fit", "each replication's parameter set", input_files([own]))
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

    document = yaml.safe_load((CALIBRATION_DIR / "wales-mh-v18.yaml").read_text())
    key = next(iter(document["fitted"]))
    edit(document["fitted"][key])
    own = tmp_path / "my-fit.yaml"
    own.write_text(yaml.safe_dump(document, sort_keys=False))
    with pytest.raises(InputError) as info:
        sections("my-fit", "each replication's parameter set", input_files([own]))
    assert has_problem(str(info.value), "my-fit.yaml", f"fitted.{key}.{field}", expected), str(info.value)
