"""Back-testing: a posterior near the truth predicts held-back outcomes inside their intervals, one
far from it does not, and the command reports both; a refit uses only the early targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import has_problem
from sim import backtest, calibration
from sim.errors import InputError
from sim.results import run
from test_calibration import TARGETS, history, write_tiny

LEAVING = "groups.staff.leaving.rate"
HELD_BACK = {"kind": "change", "group": "staff", "measure": "headcount", "years": [2025, 2028], "relative": True}


def posterior_file(directory, leaving: list[float], history_end: str = "2025-03"):
    """A parameter file fitted on leaving alone, with a posterior of the given values, on a history of the tiny
    scenario to ``history_end`` (tiny-history.yaml)."""
    directory.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((directory / "tiny.yaml").read_text())
    (directory / "tiny-history.yaml").write_text(yaml.safe_dump({**data, "end": history_end}, sort_keys=False))
    (directory / "fit-posterior.csv").write_text(
        "weight," + LEAVING + "\n" + "".join(f"1,{v}\n" for v in leaving))
    document = {"name": "fit", "calibration": "tiny", "scenario": "tiny-history.yaml",
                "posterior": "fit-posterior.csv",
                "fitted": {LEAVING: {"kind": "range", "shipped": 0.1}}, "overrides": {LEAVING: leaving[0]}}
    (directory / "fit.yaml").write_text(yaml.safe_dump(document))
    return directory / "fit.yaml"


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    """The tiny scenario run on to 2028, and the held-back outcome at the true leaving rate (0.10)."""
    directory = tmp_path_factory.mktemp("backtest")
    path = write_tiny(directory)
    data = yaml.safe_load(path.read_text())
    data["end"] = "2028-03"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    target = calibration.Target(value=0.0, sd=1.0, source="test", **HELD_BACK)
    truth = np.mean([calibration.statistics(run(path, seed=s), {"held": target})["held"] for s in range(900, 904)])
    return directory, float(truth)


def write_config(directory, truth: float, **changes):
    config = {"name": "bt", "posterior": "fit.yaml", "scenario": "tiny.yaml", "replications": 12, "seed": 3,
              "targets": {"headcount_change_2028": {**HELD_BACK, "value": truth, "sd": 0.01, "source": "the model"}},
              **changes}
    (directory / "bt.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return directory / "bt.yaml"


def test_a_posterior_near_the_truth_predicts_the_held_back_years_and_one_far_from_it_does_not(setting):
    directory, truth = setting
    posterior_file(directory, [0.095, 0.10, 0.105])
    near = backtest.backtest(write_config(directory, truth), quiet=True)
    row = near["table"].iloc[0]
    assert row.inside and row.low <= truth <= row.high and near["mape"] < 25
    posterior_file(directory, [0.25, 0.26])
    far = backtest.backtest(write_config(directory, truth), quiet=True)
    assert not far["table"].iloc[0].inside and far["mape"] > near["mape"]
    assert "| headcount_change_2028 |" in far["markdown"] and "van Greuningen" in far["markdown"]


def test_backtest_command_prints_and_writes_the_table_and_refuses_bad_files(setting, tmp_path, capsys):
    from sim.cli import main

    directory, truth = setting
    posterior_file(directory, [0.095, 0.10, 0.105])
    config = write_config(directory, truth)
    assert main(["backtest", str(config), "--replications", "4", "--quiet", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "## Back-test" in out and "4 replications" in out
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"bt.csv", "bt.md", "bt.png"}
    bad = write_config(directory, truth, fit="history.yaml")  # both a posterior and a fit
    assert main(["backtest", str(bad)]) == 2
    assert "bt.yaml: <top level>: expected posterior: (a fitted parameter file) or fit: with fit_until:" in \
        capsys.readouterr().err
    assert main(["backtest", str(config), "--replications", "1"]) == 2
    assert "--replications: replications: expected a whole number from 2 to 1,000,000" in capsys.readouterr().err


def test_a_held_back_target_within_the_history_the_posterior_was_fitted_on_is_refused(setting, capsys):
    """A target the posterior's history covers was reported as a held-back outcome the fit never saw, in silence,
    as a refit's is refused (fit_until)."""
    from conftest import has_problem
    from sim.cli import main

    directory, truth = setting
    posterior_file(directory, [0.095, 0.10, 0.105], history_end="2028-03")  # a fit that saw 2025 to 2028
    assert main(["backtest", str(write_config(directory, truth)), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "bt.yaml", "targets.headcount_change_2028", "a target observed after 2028, where the "
                                                                        "history fit.yaml was fitted on ends "
                                                                        "(scenario tiny-history.yaml)"), err
    (directory / "fit.yaml").write_text(yaml.safe_dump({**yaml.safe_load((directory / "fit.yaml").read_text()),
                                                         "scenario": "gone.yaml"}))
    assert main(["backtest", str(write_config(directory, truth)), "--quiet"]) == 2
    assert has_problem(capsys.readouterr().err, "fit.yaml", "scenario", "an existing scenario file")


def test_a_name_too_long_for_the_backtests_files_is_refused_when_read(tmp_path):
    """The back-test's files are named after it (<name>.csv, <name>-fit.yaml): a name the file system
    cannot hold was refused only once its runs were done."""
    with pytest.raises(InputError) as info:
        backtest.load(write_config(tmp_path, 0.0, name="b" * 300))
    assert has_problem(str(info.value), "bt.yaml", "name", "a name of at most"), info.value


def test_an_unknown_key_of_a_backtest_file_is_named_with_the_key_it_is_close_to(tmp_path):
    with pytest.raises(InputError) as info:
        backtest.load(write_config(tmp_path, 0.0, replicatons=12))
    assert has_problem(str(info.value), "bt.yaml", "replicatons", "(unknown key; there is replications here)"), \
        info.value


def test_a_refit_uses_only_the_targets_observed_by_its_cut_off(tmp_path):
    early = {"leaver_rate": {**TARGETS["leaver_rate"], "years": [2021, 2022]}}
    small = {"population": 10, "generations": 2, "max_runs": 200, "seed": 2, "check_replications": 2}
    config = history(tmp_path, targets={**early, "headcount_change": TARGETS["headcount_change"]},
                     fit=[LEAVING], settings=small)
    later = {"headcount_change_2025": {**HELD_BACK, "years": [2022, 2025], "value": 0.0, "sd": 0.01, "source": "test"}}
    spec = write_config(tmp_path, 0.0, posterior=None, fit=config.name, fit_until=2022, replications=3, targets=later)
    result = backtest.backtest(spec, out_dir=tmp_path / "refit", quiet=True)
    fitted = yaml.safe_load((tmp_path / "refit" / "tiny-backtest.yaml").read_text())
    assert set(fitted["targets"]) == {"leaver_rate"}  # the 2020-2025 change was held back from the fit
    assert "targets observed by 2022" in result["fitted_on"]
    too_early = write_config(tmp_path, 0.0, posterior=None, fit=config.name, fit_until=2019, targets=later)
    with pytest.raises(calibration.InputError) as error:
        backtest.backtest(too_early, quiet=True)
    assert error.value.problems[0].field == "fit_until"
    too_late = write_config(tmp_path, 0.0, posterior=None, fit=config.name, fit_until=2025, targets=later)
    with pytest.raises(calibration.InputError) as error:  # nothing held back: the fit would have seen every target
        backtest.backtest(too_late, quiet=True)
    assert error.value.problems[0].field == "fit_until" and "would see headcount_change_2025" in error.value.problems[0].expected


def test_a_refit_fits_an_age_share_once_the_history_has_ended_by_its_cut_off(tmp_path, monkeypatch):
    """An age share, of the history's end (2025 here), has no years of its own: it was held back from
    every refit in silence, however late the cut-off."""
    early = {"leaver_rate": {**TARGETS["leaver_rate"], "years": [2021, 2022]},
             "young": {"kind": "age_share", "group": "staff", "below": 35}}
    small = {"population": 10, "generations": 1, "max_runs": 20, "seed": 2, "check_replications": 2}
    config = history(tmp_path, targets=early, fit=[LEAVING], settings=small)
    projection = yaml.safe_load((tmp_path / "tiny.yaml").read_text()) | {"end": "2028-03"}  # on past the history
    (tmp_path / "tiny-2028.yaml").write_text(yaml.safe_dump(projection, sort_keys=False))
    later = {"headcount_change_2028": {**HELD_BACK, "value": 0.0, "sd": 0.01, "source": "test"}}
    fitted_on = {}

    class Fitted(Exception):
        pass

    def refit(early_config, **options):  # the targets the refit is given, without running it
        fitted_on[until] = set(yaml.safe_load(early_config.read_text())["targets"])
        raise Fitted

    monkeypatch.setattr(calibration, "calibrate", refit)
    for until in (2022, 2025):
        spec = write_config(tmp_path, 0.0, posterior=None, fit=config.name, fit_until=until, targets=later,
                            scenario="tiny-2028.yaml")
        with pytest.raises(Fitted):
            backtest.backtest(spec, out_dir=tmp_path / f"refit{until}", quiet=True)
    assert fitted_on == {2022: {"leaver_rate"}, 2025: {"leaver_rate", "young"}}


def test_a_refit_without_an_out_folder_leaves_no_files_behind(tmp_path, monkeypatch):
    """The refit's files are kept in --out when given; otherwise nothing is written outside it."""
    import tempfile

    early = {"leaver_rate": {**TARGETS["leaver_rate"], "years": [2021, 2022]}}
    small = {"population": 10, "generations": 1, "max_runs": 20, "seed": 2, "check_replications": 2}
    config = history(tmp_path, targets=early, fit=[LEAVING], settings=small)
    later = {"headcount_change_2025": {**HELD_BACK, "years": [2022, 2025], "value": 0.0, "sd": 0.01, "source": "test"}}
    spec = write_config(tmp_path, 0.0, posterior=None, fit=config.name, fit_until=2022, replications=2, targets=later)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    assert "targets observed by 2022" in backtest.backtest(spec, quiet=True)["fitted_on"]
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize("change, field, expected", [
    ({"years": [2021, 2050]}, "years", "years within the run of scenario tiny (2020-03 to 2028-03; its yearly snapshots: "
                                       "2020 to 2028)"),
    ({"years": [2015, 2021]}, "years", "years within the run of scenario tiny"),
    ({"years": [2028, 2025]}, "years", "years in increasing order"),
    ({"value": float("nan")}, "value", "a finite number"),
    ({"relative": "yes"}, "relative", "a valid boolean"),
], ids=["after the run", "before the run", "reversed", "not a number", "a word for a boolean"])
def test_a_held_back_target_the_scenario_cannot_give_is_refused_before_any_run(setting, capsys, change, field,
                                                                               expected):
    from conftest import has_problem
    from sim.cli import main

    directory, truth = setting
    posterior_file(directory, [0.095, 0.10, 0.105])
    config = write_config(directory, truth)
    data = yaml.safe_load(config.read_text())
    data["targets"]["headcount_change_2028"].update(change)
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["backtest", str(config), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "bt.yaml", f"targets.headcount_change_2028.{field}", expected), err


def test_a_published_value_of_zero_has_no_percentage_error_and_says_so(tmp_path, capsys):
    """A held-back change of 0 is a valid outcome: its error relative to 0 is said in words, not 'nan%'."""
    from sim.backtest import DEFAULT
    from sim.cli import main

    path = tmp_path / "zero.yaml"
    path.write_text(DEFAULT.read_text().replace("value: 0.0453", "value: 0.0"))
    assert main(["backtest", str(path), "--replications", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "none (published 0)" in out and "nan%" not in out


def test_a_relative_change_published_as_all_gone_has_no_level_error_and_says_so(tmp_path, capsys):
    """A relative change of -1 implies a level of 0: its error relative to that level is said in words, where it
    divided by zero."""
    from sim.backtest import DEFAULT
    from sim.cli import main

    path = tmp_path / "gone.yaml"
    path.write_text(DEFAULT.read_text().replace("value: 0.0453", "value: -1.0"))
    assert main(["backtest", str(path), "--replications", "2", "--quiet", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "none (published 0)" in out and "nan%" not in out
    table = pd.read_csv(tmp_path / "out" / "backtest-2021-2024.csv")
    assert table.ape.isna().all() and np.isfinite(table.statistic_ape).all()
