"""Goal seeking (``sim.target``): the smallest lever value meeting a target, on a tiny scenario where the
answer is known exactly or by running every value for the same replications."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import tiny_scenario
from conftest import has_problem
from sim import target
from sim.cli import main
from sim.errors import InputError

# 100 workers against an establishment of 120 FTE; extra places on the two-year course from the
# September 2020 intake: by March 2024 two cohorts are in post, so with nobody leaving the gap in
# 2024 is 20 - 2 x extra, at most 0 from extra = 10
EXPERIMENT = {
    "name": "tiny_target", "scenario": "tiny.yaml", "years": 5, "replications": 6, "seed": 3,
    "policies": {"places": {"levers": [{"lever": "training_places", "stage": "course/student", "extra": 0}]}},
    "target": {"argument": "extra", "values": {"from": 0, "to": 30, "step": 2}, "group": "staff",
               "measure": "supply_gap_fte", "year": 2024, "most_gap": 0, "probability": 0.5},
}


def write(directory: Path, leaving: float = 0.0, **target_changes) -> Path:
    tiny_scenario.write(directory, {"groups.staff.establishment.vacancies_fte": 20.0,
                                    "groups.staff.leaving.rate": leaving})
    data = {**EXPERIMENT, "target": {**EXPERIMENT["target"], **target_changes}}
    path = directory / "e.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def leaving(tmp_path_factory) -> Path:
    """The tiny experiment with 5% of staff leaving a year: each replication's threshold differs."""
    return write(tmp_path_factory.mktemp("leaving"), leaving=0.05)


def test_the_search_finds_the_known_answer(tmp_path):
    result = target.find(write(tmp_path, values={"from": 0, "to": 30, "step": 1}), workers=1)
    assert result.answer == 10 and not result.at_lowest and result.interval == (10, 10) and not result.unbounded
    assert (result.thresholds.threshold == 10).all()
    shares = result.probabilities.set_index("value").share
    assert (shares[shares.index < 10] == 0).all() and (shares[shares.index >= 10] == 1).all()
    # both ends, then bisection of 30 steps: 5 more runs, not 31
    assert result.runs == 6 * 7 and (result.thresholds.runs == 7).all()
    gaps = result.evaluations.set_index(["replication", "value"]).result
    assert gaps[(0, 0.0)] == pytest.approx(20) and gaps[(0, 30.0)] == pytest.approx(-40)
    assert result.warnings == []
    # six replications bound a median with 90% confidence, but not an 80% quantile from above
    assert target.answer_interval(np.zeros(6), 0.5) == (0, 5)
    assert target.answer_interval(np.zeros(6), 0.8)[1] == 6
    few = target.find(write(tmp_path, probability=0.8), workers=1)
    assert "no upper bound (6 replications are too few" in few.summary()


def test_bisection_finds_what_running_every_value_finds_for_the_same_replications(leaving):
    bisected = target.find(leaving, workers=1)
    every = target.find(leaving, every_value=True, workers=1)
    assert every.warnings == []  # the gap never rises with places here: both must agree
    # by brute force, from every run: each replication's smallest value with a gap of at most 0
    runs = every.evaluations
    brute = runs[runs.meets].groupby("replication").value.min().reindex(range(6))
    pd.testing.assert_series_equal(bisected.thresholds.threshold, brute.rename("threshold").reset_index(drop=True),
                                   check_index=False)
    pd.testing.assert_frame_equal(bisected.probabilities, every.probabilities)
    assert bisected.answer == every.answer
    assert bisected.thresholds.threshold.nunique() > 1  # the replications differ: the quantile matters
    assert bisected.runs < every.runs == 6 * 16
    # the answer is the smallest value met by at least half the replications
    ordered = np.sort(bisected.thresholds.threshold)
    assert bisected.answer == ordered[2]
    # the paired runs bisection made are runs of every-value's: the same seed gives the same gap
    both = bisected.evaluations.merge(every.evaluations, on=["replication", "value"], suffixes=("", "_every"))
    assert len(both) == len(bisected.evaluations) and (both.result == both.result_every).all()


def test_the_same_results_with_one_worker_and_two(leaving):
    one = target.find(leaving, workers=1)
    two = target.find(leaving, workers=2)
    pd.testing.assert_frame_equal(one.thresholds, two.thresholds, check_exact=True)
    pd.testing.assert_frame_equal(one.evaluations, two.evaluations, check_exact=True)
    assert (one.answer, one.interval) == (two.answer, two.interval)


def test_a_search_keeps_its_worker_processes_from_round_to_round(leaving, monkeypatch):
    """Started once for every round: a round's new workers would load the compiled passes and compile its
    scenarios again, most of a small round's time."""
    from sim import experiment

    made = []
    start = experiment.process_pool
    monkeypatch.setattr(experiment, "process_pool", lambda *a, **k: made.append(start(*a, **k)) or made[-1])
    result = target.find(leaving, workers=2)
    assert len(result.rounds) > 2 and len(made) == 1
    with pytest.raises(RuntimeError):  # shut down with the search
        made[0].submit(print)


def test_a_target_not_met_within_the_range_is_said_so(tmp_path):
    result = target.find(write(tmp_path, values=[0, 4, 8]), workers=1)
    assert result.answer is None and result.interval == (None, None)
    assert (result.thresholds.met == "beyond the range").all() and result.thresholds.threshold.isna().all()
    assert "more than 8, the highest value searched" in result.summary()
    assert (result.probabilities.share == 0).all()


def test_a_target_no_value_can_change_by_its_year_says_so_rather_than_widen_the_range(tmp_path):
    """Places on the two-year course from September 2020 bring nobody into post before September 2022: asked
    of March 2022, every value leaves the gap as it is, and a wider range would not meet it either."""
    result = target.find(write(tmp_path, year=2022, values=[0, 10, 30]), workers=1)
    assert result.answer is None and result.inert
    assert "no value searched changes supply_gap_fte of staff in 2022 in any replication" in result.answer_text()
    assert "searched: widen the range" not in result.answer_text()
    assert not target.find(write(tmp_path, values=[0, 4, 8]), workers=1).inert  # it acts, too little


def test_a_target_met_at_the_lowest_value_says_lower_values_may_meet_it(tmp_path):
    result = target.find(write(tmp_path, values={"from": 12, "to": 20, "step": 4}), workers=1)
    assert result.answer == 12 and result.at_lowest
    assert (result.thresholds.met == "at the lowest value").all() and (result.thresholds.runs == 2).all()
    assert "12 or less" in result.summary()


def test_a_measure_that_rises_with_the_lever_is_warned_of(tmp_path):
    """A lever that makes leaving more likely: the gap rises with its factor."""
    path = write(tmp_path, leaving=0.2, argument="factor", values={"from": 1, "to": 3, "step": 1}, year=2022)
    data = yaml.safe_load(path.read_text())
    data["policies"]["places"]["levers"] = [{"lever": "retention", "factor": 1.0}]
    path.write_text(yaml.safe_dump(data))
    result = target.find(path, every_value=True, most_gap=25, workers=1)
    assert result.warnings and all("rose with the lever" in w for w in result.warnings)


def test_the_earliest_year_with_a_number_of_places(tmp_path):
    path = write(tmp_path)
    at_10 = target.find(path, earliest_with=10, workers=1)
    assert at_10.earliest == 2024 and at_10.runs == 6
    assert list(at_10.years.year) == [2021, 2022, 2023, 2024]
    assert at_10.years["mean"].tolist() == pytest.approx([20, 20, 10, 0])  # one cohort a year from September 2022
    assert target.find(path, earliest_with=20, workers=1).earliest == 2023
    late = target.find(path, earliest_with=4, workers=1)
    assert late.earliest is None and "not by 2024" in late.summary()


def test_the_command_writes_its_folder_and_exits_0(leaving, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["target", str(leaving), "--workers", "1", "--quiet", "--out", str(out), "--most-gap", "2"]) == 0
    printed = capsys.readouterr().out
    assert "answer: " in printed and "wrote " in printed
    assert max(len(line) for line in printed.splitlines()) <= 100
    assert sorted(p.name for p in out.iterdir()) == ["experiment.yaml", "manifest.json", "probabilities.csv",
                                                     "runs.csv", "target.png", "thresholds.csv"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["target"]["most_gap"] == 2 and manifest["runs"] == len(pd.read_csv(out / "runs.csv"))
    assert len(pd.read_csv(out / "thresholds.csv")) == 6 and len(pd.read_csv(out / "probabilities.csv")) == 16
    found = target.find(leaving, most_gap=2, workers=1)
    assert manifest["answer"]["value"] == found.answer
    earliest = tmp_path / "earliest"
    assert main(["target", str(leaving), "--quiet", "--workers", "1", "--earliest-with", "20", "--out",
                 str(earliest)]) == 0
    assert (earliest / "years.csv").exists() and (earliest / "target.png").exists()


def test_the_default_folder_is_named_for_the_question_as_the_help_says(leaving, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["target", str(leaving), "--quiet", "--workers", "1", "--replications", "1"]) == 0
    assert main(["target", str(leaving), "--quiet", "--workers", "1", "--replications", "1", "--earliest-with",
                 "20"]) == 0
    names = sorted(p.name.rsplit("-", 2)[0] for p in (tmp_path / "results").iterdir())
    assert names == ["tiny_target-earliest", "tiny_target-target"]
    with pytest.raises(SystemExit):
        main(["target", "--help"])
    assert "-earliest-<time> with --earliest-with" in " ".join(capsys.readouterr().out.split())

def test_a_result_renders_as_a_report_section(leaving, tmp_path):
    from sim import experiment

    result = target.find(leaving, workers=1)
    target.write(result, experiment.load(leaving), tmp_path / "out")
    text = result.markdown()
    assert f"**Answer: {target.number(result.answer)}**" in text and f"({tmp_path / 'out' / 'target.png'})" in text
    assert text.count("\n| ") == 1 + 16  # the header and a row per value
    early = target.find(leaving, workers=1, earliest_with=20)
    assert "**Earliest year: 2024.**" in early.markdown() and early.markdown().count("\n| 20") == 4


def test_the_figure_has_a_title_labels_and_the_answer(leaving):
    from sim import plots

    result = target.find(leaving, workers=1)
    fig = plots.meeting_target(result)
    ax = fig.axes[0]
    assert "Probability that the supply gap FTE" in ax.get_title() and "2024" in ax.get_title()
    assert ax.get_xlabel().startswith("Extra (places a year) of lever training_places") and "%" in ax.get_ylabel()
    share = next(line for line in ax.get_lines() if line.get_gid() == "share")
    assert list(share.get_ydata()) == list(result.probabilities.share)


def test_the_dashboards_what_it_takes_searches_the_pages_course_with_its_other_levers():
    from sim.app import Inputs, Target, target_experiment, target_text, what_it_takes

    inputs = Inputs(until=2026, replications=2, recruits=50, places=(("nursing/pre_registration_degree", 40),))
    question = Target(stage="nursing/pre_registration_degree", group="nursing", most_gap=300, percent=50)
    data = target_experiment(inputs, question)
    levers = data["policies"]["policy"]["levers"]
    assert [x["lever"] for x in levers] == ["training_places", "recruitment"]  # the page's own places replaced
    assert data["target"]["values"] == {"from": 0, "to": 300, "step": 300 / 19}
    result = what_it_takes(inputs, question)
    assert len(result.question.values) == 20 and result.question.year == 2026
    import solara

    from sim.app import TargetAnswer, compiled

    answer = target_text(result, compiled(inputs))
    assert "extra places a year" in answer and "2 replications" in answer and "in March 2026" in answer

    solara.render(TargetAnswer(result, compiled(inputs)), handle_error=False)  # the panel draws it


def test_any_numeric_argument_of_a_lever_can_be_searched():
    from sim.interventions import RetireAndReturn, TrainingPlaces

    places = TrainingPlaces(stage="nursing/pre_registration_degree", places={2025: 500, 2026: 520}, start="2025-01")
    assert target.numeric_arguments(places) == ["places.2025", "places.2026"]
    assert target.with_value(places, "places.2026", 600).places == {2025: 500, 2026: 600}
    returning = RetireAndReturn(groups=["nursing"], share=0.3, stay_years=(1, 2))
    assert target.numeric_arguments(returning) == ["share", "stay_years.0", "stay_years.1"]
    assert target.with_value(returning, "stay_years.1", 3).stay_years == (1, 3)
    assert target.with_value(returning, "share", 0.5).share == 0.5 and returning.share == 0.3


def test_each_replication_runs_every_value_with_its_seed_and_posterior_parameter_set():
    from conftest import REPO

    shipped = REPO / "experiments" / "nursing-places-needed.yaml"
    loaded, q = target.load(shipped, replications=2)
    jobs = target._jobs(loaded, q, [(0, 0.0), (0, 40.0), (1, 0.0)], (q.outcome,), q.year)
    assert [j.levers[0].extra for j in jobs] == [0.0, 40.0, 0.0]
    assert jobs[0].seed == jobs[1].seed != jobs[2].seed
    assert jobs[0].posterior_set == jobs[1].posterior_set == loaded.posterior_set(jobs[0].seed) is not None
    assert all(j.until == 2031 and j.outcomes == ("need_gap_fte:nursing:2031",) for j in jobs)
    fixed, q = target.load(shipped, replications=2, parameters="fixed")
    assert {j.posterior_set for j in target._jobs(fixed, q, [(0, 0.0), (1, 0.0)], (q.outcome,), q.year)} == {None}


def test_a_written_folder_reads_back_as_its_result_without_running(leaving, tmp_path):
    """``workforce report`` reads a folder back: the same texts and tables as the result that wrote it."""
    from sim import experiment

    for name, result in (("search", target.find(leaving, workers=1, probability=0.8)),
                         ("earliest", target.find(leaving, workers=1, earliest_with=20))):
        target.write(result, experiment.load(leaving), tmp_path / name)
        again = target.read(tmp_path / name, json.loads((tmp_path / name / "manifest.json").read_text()))
        assert type(again) is type(result) and again.markdown() == result.markdown()
        pd.testing.assert_frame_equal(again.shares(), result.shares())
    assert result.answer_text() == "2024" and again.runs_text() == result.runs_text()
    searched = target.read(tmp_path / "search", json.loads((tmp_path / "search" / "manifest.json").read_text()))
    assert searched.unbounded and "no upper bound (6 replications are too few" in searched.interval_text()
    assert target.read(tmp_path / "search").markdown() == searched.markdown()  # its manifest read there
    # another folder's manifest, or a folder of another command, failed inside (a KeyError)
    with pytest.raises(InputError) as info:
        target.read(tmp_path / "search", {"experiment": "leaving"})
    assert has_problem(str(info.value), "sim.target.read", "manifest", "the manifest of")
    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "manifest.json").write_text(json.dumps({"experiment": "leaving"}))
    with pytest.raises(InputError):
        target.read(tmp_path / "sets", {"experiment": "leaving"})


def test_a_funded_posts_argument_is_labelled_with_its_unit():
    from sim.interventions import FundedPosts

    q = target.Question(policy="posts", lever=0, argument="fte", values=(0.0, 10.0), group="staff",
                        measure="supply_gap_fte", year=2024, most_gap=0.0, probability=0.5)
    assert q.lever_text([FundedPosts(groups=["staff"], fte=10.0)], unit=True) == \
        "fte (FTE) of lever funded_posts (staff) in policy posts"


def test_a_value_the_policys_levers_together_take_past_a_rate_of_1_is_refused(tmp_path):
    """Two retention levers multiply: a factor of 10 takes 5% leaving to 50% a year, so the searched
    factor after it may be at most 2, though on its own it could be 20."""
    path = write(tmp_path, leaving=0.05, argument="factor", values=[1, 3])
    data = yaml.safe_load(path.read_text())
    data["policies"]["places"]["levers"] = [{"lever": "retention", "factor": 10.0, "start": "2022-04"},
                                            {"lever": "retention", "factor": 1.0}]
    data["target"]["lever"] = 1
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as info:
        target.find(path, workers=1)
    assert has_problem(str(info.value), "e.yaml", "target.values", "factor: a factor of at most 2"), str(info.value)


def test_a_single_refused_value_is_named_once(tmp_path):
    # values [1e9]: both ends of the range are the one value, and its problem was said twice
    path = write(tmp_path, values=[1e9])
    with pytest.raises(InputError) as info:
        target.find(path, workers=1)
    assert len(info.value.problems) == 1, str(info.value)
    assert has_problem(str(info.value), "e.yaml", "target.values", "values the lever's extra accepts")


def test_sampled_parameter_sets_are_refused_not_ignored(tmp_path):
    # parameter_sets: 3 was ignored in silence: each replication draws its set from the posterior instead
    path = write(tmp_path)
    data = yaml.safe_load(path.read_text())
    data |= {"parameter_sets": 3, "uncertain": {"groups.staff.leaving.rate": {"range": [0.0, 0.2]}}}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as info:
        target.find(path, workers=1)
    assert has_problem(str(info.value), "e.yaml", "parameter_sets", "none with workforce target"), str(info.value)


def test_a_value_between_the_ends_that_the_lever_refuses_is_refused_before_any_run(tmp_path, monkeypatch):
    """The ends of the values fit (ages from 0 or 55, the tiny scenario's band bounds), but 30 does not: a run
    was refused part way, its message naming neither the file nor target.values."""
    from sim import experiment

    path = write(tmp_path, leaving=0.05, argument="ages.0", values=[0, 30, 55])
    data = yaml.safe_load(path.read_text())
    data["policies"]["places"]["levers"] = [{"lever": "retention", "factor": 0.5, "ages": [0, 60]}]
    path.write_text(yaml.safe_dump(data))
    ran = []
    monkeypatch.setattr(experiment, "_results", lambda job: ran.append(job))
    with pytest.raises(InputError) as info:
        target.find(path, workers=1, every_value=True)
    assert has_problem(str(info.value), "e.yaml", "target.values", "age band bounds"), str(info.value)
    assert info.value.problems[0].found == 30 and not ran
