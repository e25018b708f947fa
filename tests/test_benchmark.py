"""Smoke test of benchmarks/bench_engine.py: it runs and reports figures. Never asserts timings."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

from sim.processes.order import STEP_ORDER

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_engine.py"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPT.with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_quick_run_prints_positive_throughput(capsys):
    bench = _module("bench_engine")
    results = bench.main(["--quick", "--people", "20000", "--years", "2"])
    out = capsys.readouterr().out
    assert set(results) == {"default", "synthetic"}
    for r in results.values():
        assert r["person_months"] > 0 and r["person_months_per_s"] > 0
        assert r["traced_peak_mb"] > 0 and r["max_rss_mb"] > 0
        assert r["timings"] and all(seconds >= 0 for seconds in r["timings"].values())
        assert 0 <= r["collection_share"] < 1 and 0 <= r["monthly_collection_share"] < 1
    assert 15_000 < results["synthetic"]["start_population"] < 25_000
    assert results["synthetic"]["months"] == 24
    assert out.count("person-months per second") == 2 and "time by process" in out


def test_bench_vs_mesa_quick_run_reports_both_models():
    bench = _module("bench_vs_mesa")
    results = bench.main(["--quick", "--sizes", "2000", "5000", "--compare", "2000"])
    (compared,) = results["compare"]
    for r in (compared["package"], compared["reference"]):
        assert r["person_months"] > 0 and r["person_months_per_s"] > 0
    # the same scenario: stocks given as FTE make the headcount vary a little with the draws
    assert abs(compared["package"]["start_population"] / compared["reference"]["start_population"] - 1) < 0.05
    assert compared["ratio"] > 0
    assert [round(r["start_population"], -3) for r in results["sizes"]] == [2000, 5000]
    assert all(r["bytes_per_person"] > 0 and r["linearity"] > 0 for r in results["sizes"])
    assert results["cost"]["s_per_person_month"] != 0 and "break_even_people" in results["cost"]


def test_cost_model_recovers_a_fixed_and_a_per_person_cost_and_the_break_even_size():
    bench = _module("bench_vs_mesa")
    fixed, per_pm = 1e-3, 20e-9  # a month, a person-month
    rows = [{"years": 5, "start_population": n, "person_months": 60 * n, "wall_s": 60 * (fixed + per_pm * n)}
            for n in (10_000, 100_000, 1_000_000)]
    compared = [{"reference": {"person_months_per_s": 1 / 12e-6}}, {"reference": {"person_months_per_s": 1 / 15e-6}}]
    cost = bench.cost_model(rows, compared)
    assert abs(cost["fixed_s_per_month"] / fixed - 1) < 1e-9 and abs(cost["s_per_person_month"] / per_pm - 1) < 1e-9
    # 300x the cheaper reference: 40 ns a person-month, of which the fixed cost may take 20 ns
    assert abs(cost["break_even_people"] - 50_000) < 1e-3
    assert bench.cost_model(rows[:1], compared) is None
    assert bench.cost_model(rows, [{"reference": {"person_months_per_s": 1 / 1e-6}}])["break_even_people"] is None


def test_profile_engine_reports_process_shares_and_the_busiest_functions(capsys):
    profile = _module("profile_engine")
    result = profile.main(["--until", "2022", "--top", "5"])
    out = capsys.readouterr().out
    assert result["calls"] > 0 and result["wall_s"] > 0
    whole = "+".join(process.name() for process in STEP_ORDER)  # the months up to each record, in one call
    assert {whole, "collection"} <= set(result["timings"])
    assert "tottime" in out and "joiners" in out
    assert {"enter_given", "run", "settle_marked"} <= set(result["compiled_s"]) and min(result["compiled_s"].values()) > 0
    assert "compiled passes called from Python" in out
    spent = result["by_process"]
    assert {whole, profile.OUTSIDE} <= set(spent) and "by process" in out
    assert all(0 < compiled < total for total, compiled in spent.values())  # each calls passes, and Python around them
    from sim.kernels import entry
    from sim.processes.passes import Passes
    assert type(entry.enter_month).__name__ == "CPUDispatcher"  # the passes timed are put back as they were
    assert all(process.step.__name__ == "step" for process in STEP_ORDER)  # and so are the processes' steps
    assert Passes.step.__name__ == "step" and Passes.run.__name__ == "run"


def test_scale_leaves_no_fte_in_a_stock_rounded_to_nobody():
    data = {"stocks": {"a": {"headcount": 3, "fte": 2.5}, "b": {"fte": 10.0}, "c": {"headcount": 40}},
            "intake": {"a": {"places": {2021: 10}}},
            "groups": {"g": {"establishment": {"vacancies_fte": 4.0}, "joiners": {"per_year": 20}}}}
    _module("scaled").scale(data, 0.1)
    assert data["stocks"] == {"a": {"headcount": 0, "fte": 0}, "b": {"fte": 1.0}, "c": {"headcount": 4}}
    assert data["intake"]["a"]["places"] == {2021: 1.0}
    assert data["groups"]["g"] == {"establishment": {"vacancies_fte": 0.4}, "joiners": {"per_year": 2.0}}


def test_reduced_scenario_scales_down_to_a_small_workforce(tmp_path):
    from sim import WorkforceModel

    path = _module("reference_mesa").reduced_scenario(tmp_path, people=1000, years=1)
    assert 900 < len(WorkforceModel(scenario=path, rng=0).counted()) < 1100


def test_the_synthetic_scenario_of_a_million_people_loads(tmp_path):
    """Scaled up, its joiners a year leave the default's uncertain ranges behind: the synthetic
    scenario has none, or it would be refused (as it was at 200,000 people)."""
    from sim import scenario

    path = _module("bench_engine").synthetic_scenario(1_000_000, 2, tmp_path)
    assert scenario.load(path).spec.groups["nursing"].joiners.per_year > 1_000



def test_bench_calibration_splits_a_candidates_time_and_times_a_small_fit(capsys):
    figures = _module("bench_calibration").main(["--candidates", "2", "--population", "10", "--generations", "1",
                                                  "--workers", "1"])
    assert set(figures["candidate_ms"]) == {"compiling", "run", "statistics"}
    assert all(ms > 0 for ms in figures["candidate_ms"].values())
    assert figures["fit"]["runs"] >= 10 and figures["fit"]["runs_per_second"] > 0
    assert "runs a second" in capsys.readouterr().out


def test_bench_against_times_both_trees_side_by_side_and_prints_their_ratio(capsys):
    bench = _module("bench_against")
    if subprocess.run(["git", "cat-file", "-e", f"{bench.BASE}^{{commit}}"], cwd=bench.REPO).returncode != 0:
        pytest.skip(f"{bench.BASE} is not in this clone's history (a shallow clone): nothing to compare with")
    figures = bench.main(["--reps", "1", "--rounds", "1"])
    out = capsys.readouterr().out
    ((by_mean, by_fastest),) = figures["replication"]
    assert by_mean > 0 and by_fastest > 0 and figures["batch"] == []
    assert out.count("replication mean") == 2 and f"times {bench.BASE}'s speed" in out


def test_bench_against_names_a_commit_missing_from_the_history():
    bench = _module("bench_against")
    with pytest.raises(SystemExit, match="not in this clone's history"):
        bench.main(["0000000000000000000000000000000000000000", "--reps", "1", "--rounds", "1"])
