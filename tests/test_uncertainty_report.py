"""The report's calibration and back-test sections come from the calibration the runs used."""

from __future__ import annotations

from sim.uncertainty_report import sections


def test_a_posterior_calibration_brings_its_parameters_figure_and_back_test():
    backtest, calibration = sections("wales-mh-v9", "parameter uncertainty and the model's randomness")
    assert "groups.psychiatry.joiners.per_year" in calibration and "data:image/png;base64," in calibration
    assert "parameter uncertainty and the model&#39;s randomness" in calibration  # escaped, as all text
    assert "social_work_headcount_change_2024" in backtest and "van Greuningen" in backtest


def test_no_section_without_a_posterior():
    assert sections(None, "") == (None, None)
    assert sections("wales-mh-v3", "") == (None, None)  # fitted values only: nothing to show of a posterior
    assert sections("no-such-calibration", "") == (None, None)
