"""Sensitivity analysis, run tiny: the indices with their intervals, the chart, a warning (or, with
--strict, a refusal) when they are too uncertain to read, and delta over given parameter sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO, has_problem
from sim import sensitivity
from sim.cli import main

EXPERIMENT = {
    "name": "tiny_sensitivity",
    "years": 1,
    "replications": 1,
    "seed": 5,
    "uncertain": {
        "groups.nursing.leaving.rate": {"scale": [0.5, 1.5]},
        "groups.hcsw.retire_and_return.hours_cut": {"range": [0.2, 0.6]},
    },
    "sensitivity": {"outcomes": ["leavers:nursing:2022", "fte:psychiatry:2022"], "morris_trajectories": 2,
                    "sobol_samples": 2},
}
NURSING_LEAVING, HCSW_RETURN = "scale:groups.nursing.leaving.rate", "groups.hcsw.retire_and_return.hours_cut"


def write_experiment(tmp_path, **changes):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump({**EXPERIMENT, **changes}))
    return path


def test_indices_come_with_intervals_and_a_warning_at_a_tiny_sample(tmp_path, capsys):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "14 runs" in captured.out  # Morris 2 x (2 + 1), Sobol 2 x (2 + 2)
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == sensitivity.COLUMNS
    assert set(table["index"]) == {"mu_star", "sigma", "S1", "ST"}
    assert len(table) == 2 * 2 * 4
    judged = table[table["index"] != "sigma"]
    assert judged.confidence.notna().all()
    assert np.allclose(judged.low, judged.value - judged.confidence)
    assert np.allclose(judged.high, judged.value + judged.confidence)
    # every printed index line carries its interval and a verdict, and fits 100 columns
    lines = captured.out.splitlines()
    assert max(len(line) for line in lines if not line.startswith("wrote")) <= 100  # (a path is as long as it is)
    s1 = table.set_index(["method", "outcome", "parameter", "index"]).loc[
        ("sobol", "leavers:nursing:2022", NURSING_LEAVING, "S1")]
    printed = next(line for line in lines if line.strip().startswith("Sobol S1") and f"{s1.value:.3f}" in line)
    assert f"{s1.low:.3f} to {s1.high:.3f}" in printed and printed.endswith(s1.verdict)
    assert not s1.readable and s1.verdict.startswith("too few samples (under 32)")
    if s1.value > 1:  # shown as computed, and said to be impossible
        assert s1.verdict.endswith("above 1: impossible")
    mu = table[table["index"] == "mu_star"].set_index(["outcome", "parameter"])
    assert mu.value["leavers:nursing:2022", NURSING_LEAVING] > 10
    # common random numbers: a parameter that cannot reach an outcome has an effect of exactly zero
    assert mu.value["leavers:nursing:2022", HCSW_RETURN] == 0.0
    assert mu.verdict["leavers:nursing:2022", HCSW_RETURN] == sensitivity.NO_EFFECT
    assert mu.value["fte:psychiatry:2022", NURSING_LEAVING] == 0.0
    # the Sobol indices that say anything cannot be read at 2 samples: a warning saying what to change
    warning = [" ".join(w.split()) for w in captured.err.split("\n\n") if w.strip().startswith("workforce: warning:")]
    assert [w.split()[5] for w in warning] == ["Morris", "Sobol"]  # "workforce: warning: 1 of 1 Morris ..."
    assert f"raise sensitivity.sobol_samples in {path} from 2 to about " in warning[1]
    # too few trajectories for a bootstrap interval to be judged by, however narrow it is
    assert f"raise sensitivity.morris_trajectories in {path} from 2 to about {sensitivity.MIN_SIZES['morris']} " \
        in warning[0]
    assert max(len(line) for line in captured.err.splitlines() if str(path) not in line) <= 100
    assert mu.verdict["leavers:nursing:2022", NURSING_LEAVING] == "too few trajectories (under 10)"
    assert (out / "sensitivity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_strict_refuses_indices_too_uncertain_to_read(tmp_path, capsys):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--method", "sobol", "--strict", "--out", str(out), "--workers", "1",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: sensitivity.sobol_samples: expected a power of two" in err
    assert "(found 2)" in err
    assert not (out / "sensitivity.csv").exists()  # nothing written that could be taken for usable indices


def test_shipped_quick_look_gives_readable_indices(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["sensitivity", str(REPO / "experiments" / "quick-look.yaml"), "--strict", "--workers", "1",
                 "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "workforce: warning" not in captured.err and "workforce: note" not in captured.err
    table = pd.read_csv(tmp_path / "results" / "quick_look-sensitivity" / "sensitivity.csv")
    assert set(table.method) == {"morris"}  # Sobol at a readable size is too long for a quick look
    assert table[table["index"] == "mu_star"].readable.all()


def judged(rows, constant=(), sizes=None):
    table = pd.DataFrame(rows, columns=sensitivity.COLUMNS[:6])
    return sensitivity.judge(table, constant, sizes).set_index(["method", "parameter", "index"])


def test_the_readability_rule():
    t = judged([
        ("sobol", "y", "a", "S1", 1.432, 0.451),  # impossible value, within a wide interval
        ("sobol", "y", "a", "ST", 1.30, 0.10),  # impossible beyond its interval: sampling error
        ("sobol", "y", "b", "S1", -0.02, 0.05),  # just below 0, narrow: about 0
        ("sobol", "y", "b", "ST", 0.30, 0.04),
        ("morris", "y", "a", "mu_star", 1000.0, 100.0),
        ("morris", "y", "a", "sigma", 50.0, np.nan),
        ("morris", "y", "b", "mu_star", 100.0, 60.0),  # +-60%: too wide
        ("morris", "y", "c", "mu_star", 10.0, 20.0),  # wide, but its interval is below 5% of the largest
    ])
    assert t.readable["sobol", "a", "S1"] is False and "too wide" in t.verdict["sobol", "a", "S1"]
    assert "above 1" in t.verdict["sobol", "a", "S1"]
    assert t.value["sobol", "a", "S1"] == 1.432  # shown as computed, not clipped
    assert t.readable["sobol", "a", "ST"] is False and "sampling error" in t.verdict["sobol", "a", "ST"]
    assert t.readable["sobol", "b", "S1"] is True and "below 0" in t.verdict["sobol", "b", "S1"]
    assert t.readable["sobol", "b", "ST"] is True
    assert t.readable["morris", "a", "mu_star"] is True
    assert t.readable["morris", "a", "sigma"] is None  # no interval, not judged
    assert t.readable["morris", "b", "mu_star"] is False
    assert t.verdict["morris", "c", "mu_star"] == "negligible"
    constant = judged([("sobol", "y", "a", "S1", np.nan, np.nan)], constant={("sobol", "y")})
    assert constant.readable.iloc[0] is True and constant.verdict.iloc[0] == sensitivity.CONSTANT
    # a narrow interval from a bootstrap over 4 samples is not to be trusted; an exact zero still is
    few = judged([("sobol", "y", "a", "S1", 0.4, 0.01), ("sobol", "y", "b", "S1", 0.0, 0.0)], sizes={"sobol": 4})
    assert few.readable["sobol", "a", "S1"] is False and few.verdict["sobol", "a", "S1"] == "too few samples (under 32)"
    assert few.verdict["sobol", "b", "S1"] == sensitivity.NO_EFFECT


def test_shortfalls_estimate_the_sample_that_would_make_indices_readable():
    t = judged([("sobol", "y", p, i, 0.5, 0.2) for p in "ab" for i in ("S1", "ST")]).reset_index()
    t.attrs.update(sizes={"sobol": 64}, parameters=2, replications=1)
    (short,) = sensitivity.shortfalls(t)
    # half-width 0.2 at 64 samples: (0.2 / 0.1)^2 = 4 times as many
    assert (short.method, short.unreadable, short.judged, short.needed, short.runs) == ("sobol", 4, 4, 256, 1024)
    assert short.most
    assert "raise sensitivity.sobol_samples in x.yaml from 64 to about 256 or more (1,024 runs;" in \
        sensitivity.advice(short, "x.yaml")
    readable = judged([("sobol", "y", p, i, 0.5, 0.05) for p in "ab" for i in ("S1", "ST")]).reset_index()
    readable.attrs.update(t.attrs)
    assert sensitivity.shortfalls(readable) == []


def test_delta_over_given_parameter_sets_ranks_what_the_outcome_depends_on():
    rng = np.random.default_rng(1)
    a = rng.uniform(0.8, 1.2, 400)
    b = 0.3 + 0.5 * (a - 0.8) + rng.uniform(0, 0.1, 400)  # correlated with a, as a posterior's parameters are
    y = 1000 * a ** 2 + rng.normal(0, 1, 400)  # depends on a only
    p = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.8, 1.2], [0.3, 0.6]]}
    t = sensitivity.indices(p, {"delta": np.column_stack([a, b])}, {"delta": y[:, None]}, ["y"], seed=1)
    delta = t[t["index"] == "delta"].set_index("parameter")
    assert set(t.method) == {"delta"} and set(t["index"]) == {"delta", "S1"}
    assert delta.value.idxmax() == "a"
    assert delta.value["a"] > 0.5 and delta.readable["a"] is True
    assert delta.confidence.notna().all()


def test_weighted_parameter_sets_are_resampled_to_their_effective_number(tmp_path):
    from sim import experiment

    loaded = experiment.load(write_experiment(tmp_path))
    rng = np.random.default_rng(2)
    table = pd.DataFrame({NURSING_LEAVING: rng.uniform(0.5, 1.5, 400), HCSW_RETURN: rng.uniform(0.2, 0.6, 400),
                          "weight": np.r_[np.ones(200), np.zeros(200)]})
    points = sensitivity.parameter_points(loaded, table)
    assert len(points) == 200  # 200 rows of equal weight, 200 of none
    values = table[loaded.parameter_names].to_numpy()  # in the experiment's order
    assert sorted(map(tuple, points)) == sorted(map(tuple, values[:200]))
    unweighted = sensitivity.parameter_points(loaded, table.drop(columns="weight"))
    assert np.array_equal(unweighted, values)


def test_sensitivity_over_a_posterior_on_the_command_line(tmp_path, capsys, monkeypatch):
    def fake(job):  # an outcome that depends on the support workers' return share only
        return {k: 1000 * job.overrides[HCSW_RETURN] for k in job.outcomes}

    monkeypatch.setattr(sensitivity, "simulate", fake)
    path = write_experiment(tmp_path)
    rng = np.random.default_rng(3)
    posterior = tmp_path / "posterior.csv"
    # the scale column may be named by its key (values are factors), as in the experiment's uncertain:
    pd.DataFrame({"weight": rng.uniform(0.5, 1, 300), "groups.nursing.leaving.rate": rng.uniform(0.5, 1.5, 300),
                  HCSW_RETURN: rng.uniform(0.2, 0.6, 300)}).to_csv(posterior, index=False)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--over-posterior", str(posterior), "--out", str(out), "--workers", "1",
                 "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert f"over the parameter sets of {posterior}" in printed and "delta method" in printed
    table = pd.read_csv(out / "sensitivity.csv")
    delta = table[(table["index"] == "delta") & (table.outcome == "leavers:nursing:2022")].set_index("parameter")
    assert delta.value.idxmax() == HCSW_RETURN and delta.readable[HCSW_RETURN]


@pytest.mark.parametrize("columns, field, expected", [
    ({HCSW_RETURN: 0.3}, NURSING_LEAVING, "a column of values of the uncertain parameter"),
    ({NURSING_LEAVING: 1.0, HCSW_RETURN: 0.9}, HCSW_RETURN, "values within the uncertain: range [0.2, 0.6]"),
    ({NURSING_LEAVING: 1.0, HCSW_RETURN: 0.3, "loss": 1.0}, "loss", "a column named after an uncertain parameter"),
    ({NURSING_LEAVING: 1.0, HCSW_RETURN: 0.3, "weight": -1.0}, "weight", "weights that are numbers of at least 0"),
    # a column of True (read by pandas as booleans) was taken as factors of 1
    ({NURSING_LEAVING: True, HCSW_RETURN: 0.3}, NURSING_LEAVING, "numbers (every row)"),
])
def test_a_bad_posterior_file_exits_2_naming_the_column(tmp_path, capsys, columns, field, expected):
    path = write_experiment(tmp_path)
    posterior = tmp_path / "posterior.csv"
    pd.DataFrame({k: [v] * 150 for k, v in columns.items()}).to_csv(posterior, index=False)
    assert main(["sensitivity", str(path), "--over-posterior", str(posterior), "--quiet"]) == 2
    assert f"{posterior}: {field}: expected {expected}" in capsys.readouterr().err


def test_a_posterior_file_with_a_long_binary_header_is_not_echoed(tmp_path, capsys):
    """Its columns are named by short printable excerpts, a few of them: never the line itself."""
    path = write_experiment(tmp_path)
    posterior = tmp_path / "posterior.csv"
    secret = "hunter2-SECRET-7d1f"
    header = ["\x1b[2J\x07" + "x" * 5000 + secret, *(f"c{i}" for i in range(2000)), NURSING_LEAVING, HCSW_RETURN]
    pd.DataFrame({k: [0.3] * 150 for k in header}).to_csv(posterior, index=False)
    assert main(["sensitivity", str(path), "--over-posterior", str(posterior), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{posterior}: columns: expected only columns named after the uncertain parameters" in err, err
    assert secret not in err and "\x1b" not in err and "\x07" not in err and len(err) < 3000, err
    assert f"{posterior}: '\\x1b[2J\\x07xxx" in err and f"{posterior}: c3: expected a column named after" in err


def test_parameter_sets_of_a_pivot_tables_columns_exit_2_naming_them(tmp_path, capsys):
    """A Parquet file whose columns have two rows of names: a parameter's name picked several columns."""
    path = write_experiment(tmp_path)
    posterior = tmp_path / "posterior.parquet"
    table = pd.DataFrame({(NURSING_LEAVING, "a"): np.linspace(0.5, 1.5, 150), (HCSW_RETURN, "b"): 0.3})
    table.to_parquet(posterior)
    assert main(["sensitivity", str(path), "--over-posterior", str(posterior), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{posterior}: columns: expected one name for each column" in err and "Traceback" not in err, err


def test_too_few_parameter_sets_and_a_method_over_a_posterior_exit_2(tmp_path, capsys):
    path = write_experiment(tmp_path)
    posterior = tmp_path / "posterior.parquet"
    pd.DataFrame({NURSING_LEAVING: [1.0] * 20, HCSW_RETURN: [0.3] * 20}).to_parquet(posterior)
    assert main(["sensitivity", str(path), "--over-posterior", str(posterior), "--quiet"]) == 2
    assert f"{posterior}: <rows>: expected at least {sensitivity.MIN_PARAMETER_SETS} parameter sets" in \
        capsys.readouterr().err
    assert main(["sensitivity", str(path), "--over-posterior", str(posterior), "--method", "sobol", "--quiet"]) == 2
    assert "--method: method: expected no --method with --over-posterior" in capsys.readouterr().err


def test_sensitivity_needs_uncertain_parameters(tmp_path, capsys):
    path = write_experiment(tmp_path, uncertain={}, sensitivity={})
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "uncertain: expected at least one uncertain parameter" in capsys.readouterr().err


def test_an_unknown_method_in_the_file_exits_2(tmp_path, capsys):
    path = write_experiment(tmp_path, sensitivity={"methods": ["morris", "fast"]})
    assert main(["sensitivity", str(path), "--quiet"]) == 2
    assert f"{path}: sensitivity.methods.1: expected one of 'morris' or 'sobol'" in capsys.readouterr().err


def test_an_unknown_outcome_on_the_command_line_exits_2(tmp_path, capsys):
    path = write_experiment(tmp_path)
    assert main(["sensitivity", str(path), "--outcome", "fte:nursing", "--quiet"]) == 2
    assert "--outcome: outcome: expected an outcome as measure:group:year" in capsys.readouterr().err


@pytest.mark.parametrize("weight", [1e308, 5e-324], ids=["near the largest float", "the smallest float"])
def test_weights_at_the_ends_of_the_floats_count_as_equal_weights(tmp_path, weight):
    """Kish's number is of the weights' shares of the largest: (sum w)^2 neither overflows nor vanishes."""
    from sim import experiment

    loaded = experiment.load(write_experiment(tmp_path))
    rng = np.random.default_rng(4)
    table = pd.DataFrame({NURSING_LEAVING: rng.uniform(0.5, 1.5, 150), HCSW_RETURN: rng.uniform(0.2, 0.6, 150),
                          "weight": weight})
    assert sensitivity.effective_size(table.weight.to_numpy()) == pytest.approx(150)
    assert len(sensitivity.parameter_points(loaded, table)) == 150


def test_a_parameter_that_never_varies_in_the_parameter_sets_exits_2_naming_its_column(tmp_path, capsys):
    """Over parameter sets that all share one value of a parameter, delta has no variation to measure:
    refused before any run, where it wrote NaN indices."""
    path = write_experiment(tmp_path)
    posterior = tmp_path / "posterior.csv"
    rng = np.random.default_rng(5)
    pd.DataFrame({NURSING_LEAVING: rng.uniform(0.5, 1.5, 150), HCSW_RETURN: 0.3}).to_csv(posterior, index=False)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--over-posterior", str(posterior), "--out", str(out), "--quiet"]) == 2
    assert f"{posterior}: {HCSW_RETURN}: expected values of {HCSW_RETURN} that vary" in capsys.readouterr().err
    assert not out.exists()


def test_parameter_sets_of_a_whole_number_key_hold_whole_numbers(tmp_path, capsys):
    """A maximum age of 65.5 was run as 66, in silence, and its index measured over values never run;
    refused before any run, as a calibration's posterior refuses it."""
    max_age = "groups.nursing.retirement.max_age"
    path = write_experiment(tmp_path, uncertain={**EXPERIMENT["uncertain"], max_age: {"range": [68, 75]}})
    posterior = tmp_path / "posterior.csv"
    rng = np.random.default_rng(6)
    pd.DataFrame({NURSING_LEAVING: rng.uniform(0.5, 1.5, 150), HCSW_RETURN: rng.uniform(0.2, 0.6, 150),
                  max_age: rng.integers(68, 75, 150) + 0.5}).to_csv(posterior, index=False)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--over-posterior", str(posterior), "--out", str(out), "--quiet"]) == 2
    assert f"{posterior}: {max_age}: expected whole numbers, as {max_age} is" in capsys.readouterr().err
    assert not out.exists()


STOCK = "stocks.nursing/registered_nurse"
TOGETHER = {f"{STOCK}.fte": {"range": [1000, 3000]}, f"{STOCK}.headcount": {"range": [1000, 3000]}}


def test_a_point_whose_values_the_scenario_refuses_together_exits_2_naming_them(tmp_path, capsys):
    """Each range's ends load (an FTE of 1,000 to 3,000 and a headcount of as many), but a Morris point with the
    FTE above the headcount does not: the analysis stops at its run (checking thousands of points first would
    cost a sixth of the analysis), naming the values with the scenario's problem; nothing is written."""
    path = write_experiment(tmp_path, uncertain=TOGETHER, sensitivity={"outcomes": ["fte:nursing:2022"],
                                                                       "methods": ["morris"],
                                                                       "morris_trajectories": 2})
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "wales-mh-2021.yaml", STOCK, "fte no greater than headcount"), err
    assert "with this run's values (" in err and f"{STOCK}.fte " in err and f"{STOCK}.headcount " in err
    assert "Traceback" not in err and not out.exists()


def test_a_parameter_set_whose_values_the_scenario_refuses_together_exits_2_naming_them(tmp_path, capsys):
    path = write_experiment(tmp_path, uncertain=TOGETHER)
    posterior = tmp_path / "posterior.csv"
    rng = np.random.default_rng(7)
    pd.DataFrame({f"{STOCK}.fte": rng.uniform(1000, 3000, 150),
                  f"{STOCK}.headcount": rng.integers(1000, 3000, 150)}).to_csv(posterior, index=False)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--over-posterior", str(posterior), "--out", str(out), "--workers", "1",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert has_problem(err, "wales-mh-2021.yaml", STOCK, "fte no greater than headcount"), err
    assert "with this run's values (" in err and "Traceback" not in err and not out.exists()
