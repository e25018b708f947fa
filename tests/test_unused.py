"""What caps leave unused (``sim.unused``): counted in the tidy table, and said by ``workforce run``
and the report of its results."""

from __future__ import annotations


import tiny_scenario
from sim import WorkforceModel, report
from sim.cli import main
from sim.interventions import Recruitment
from sim.results import Results

SUPERVISED = {"feedbacks.supervision": {"enabled": True, "placements": {"course": {
    "trainees": ["course/student"], "supervisors": ["course/worker"], "trainees_per_supervisor": 0.1}}}}


def _unused(path, levers=(), until=2023) -> dict:
    tidy = Results(WorkforceModel(scenario=str(path), rng=1, until=until, interventions=list(levers)).run(), 1).tidy()
    rows = tidy[tidy.measure.isin(["recruits_unused", "places_unfilled"])]
    return rows.groupby(["measure", "stage", "reason"]).value.sum().to_dict()


def test_places_an_in_service_pool_is_too_small_to_take_are_counted(tmp_path):
    path = tiny_scenario.write(tmp_path, {}, route={"places": {2019: 130}})  # 100 workers
    assert _unused(path, until=2021) == {("places_unfilled", "route/apprentice", "in_service_pool"): 30.0}


def test_places_too_few_supervisors_can_supervise_are_counted(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 25}, **SUPERVISED})
    # 100 workers supervise 10 students: 15 places of the first intake unfilled, and of the second (10 still there) 25
    assert _unused(path, until=2022) == {("places_unfilled", "course/student", "supervision"): 40.0}


def test_nothing_is_counted_where_no_cap_cuts(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 25}}, route={"places": {2019: 10}})
    assert _unused(path) == {}


def test_extra_supply_the_vacancies_do_not_take_is_counted_and_the_scenarios_own_is_not(tmp_path):
    path = tiny_scenario.write(tmp_path, {"groups.staff.establishment.vacancies_fte": 5.0, "groups.staff.joiners": {
        "per_year": 24.0, "fill_per_month": 1.0, "stages": {"course/worker": 1.0}, "sources": {"elsewhere": 1.0, "abroad": 0.0},
        "age": [[30, 40, 1.0]]}})
    assert _unused(path) == {}  # 24 a year available, five posts vacant: the scenario's own supply
    found = _unused(path, [Recruitment(extra_per_year=36, source="abroad")])
    assert 36 * 3 - 5 <= found[("recruits_unused", "all", "")] < 36 * 3  # three years: all but the vacant posts


def test_workforce_run_warns_of_places_a_cap_leaves_unfilled(tmp_path, capsys):
    capped = tiny_scenario.write(tmp_path / "capped", {}, route={"places": {2019: 130}})
    assert main(["run", str(capped), "--until", "2022", "--replications", "1", "--out", str(tmp_path / "a")]) == 0
    assert main(["run", str(capped), "--until", "2022", "--replications", "2", "--quiet",
                 "--out", str(tmp_path / "b")]) == 0
    err = capsys.readouterr().err
    assert err.count("workforce: warning: staff:") == 2 and "training places a year unfilled" in err
    assert report.build([tmp_path / "a", tmp_path / "b"]).count('<p class="note">Warning: staff: ') == 2
    fine = tiny_scenario.write(tmp_path / "fine", {}, route={"places": {2019: 10}})
    assert main(["run", str(fine), "--until", "2022", "--replications", "1", "--out", str(tmp_path / "c")]) == 0
    assert "warning" not in capsys.readouterr().err
