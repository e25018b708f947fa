"""Need (``sim.demand``): an index of the population weighted by service use by age, flat, a stated
growth or an expansion, times the starting establishment; kept apart from the funded posts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import yaml

import tiny_scenario
from sim import calendar, demand, experiment, scenario
from sim.errors import InputError
from sim.model import WorkforceModel
from sim.results import Results

# a population of two bands (under 65, 65+) whose older share grows from 20% to 40% over ten years
POPULATION = {"name": "tiny-population", "bands": [0, 65], "totals": {2020: 1000, 2030: 1200},
              "splits": {2020: [800, 200], 2030: [600, 400]}, "service_use": {"even": [1.0, 1.0], "older": [1.0, 2.0]}}


def tiny(tmp_path, demand_section: dict | None = None, **changes):
    (tmp_path / "people.yaml").write_text(yaml.safe_dump(POPULATION))
    changes = {**changes, **({"demand": demand_section} if demand_section is not None else {})}
    return tiny_scenario.write(tmp_path, changes)


def rows(results: Results, measure: str) -> dict[int, float]:
    t = results.tidy()
    return t[t.measure == measure].set_index("year").value.to_dict()


def test_the_index_is_the_population_weighted_by_use_over_the_start_month_worked_by_hand(tmp_path):
    path = tiny(tmp_path, {"kind": "population", "population": "people.yaml", "service_use": "older"})
    s = scenario.load(path)
    # start 2020-03 is before the first mid-year figure (2020.5): held there, 800 x 1 + 200 x 2 = 1,200.
    # July 2025 is 2025.5: half way, 1,100 people, 30% of them 65+: 1,100 x (0.7 x 1 + 0.3 x 2) = 1,430
    july_2025 = calendar.month(2025, 7) - s.start
    assert s.need_index[0, 0] == 1.0
    assert s.need_index[july_2025, 0] == pytest.approx(1430 / 1200, rel=1e-12)
    # a group with even use grows with the head count alone: 1,100 / 1,000
    even = scenario.load(tiny(tmp_path, {"kind": "population", "population": "people.yaml",
                                         "service_use": {"staff": "even"}}))
    assert even.need_index[july_2025, 0] == pytest.approx(1.1, rel=1e-12)


def test_bands_follow_the_splits_and_hold_beyond_the_totals():
    table = demand.PopulationTable.model_validate(POPULATION)
    people = demand.band_population(table, np.array([2015.0, 2020.5, 2025.5, 2030.5, 2040.0]))
    assert people[0] == pytest.approx([800, 200]) and people[-1] == pytest.approx([720, 480])
    assert people[2] == pytest.approx([770, 330])
    assert people.sum(axis=1) == pytest.approx([1000, 1000, 1100, 1200, 1200])


def test_flat_demand_needs_the_starting_establishment_whatever_is_funded(tmp_path):
    path = tiny(tmp_path, {"kind": "flat"}, **{"groups.staff.establishment.growth_per_year": 0.05,
                                               "groups.staff.establishment.vacancies_fte": 20.0})
    results = Results(WorkforceModel(str(path), rng=1, until=2024).run(), 1)
    need, funded = rows(results, "need_fte"), rows(results, "establishment_fte")
    in_post = rows(results, "in_post_fte")
    assert set(need.values()) == {120.0}  # the 100 in post and 20 vacant of March 2020
    assert funded[2024] == pytest.approx(120 * 1.05 ** 4)  # funded posts grow apart from need
    gap = rows(results, "need_gap_fte")
    assert all(gap[y] == need[y] - in_post[y] for y in gap)
    # without a demand: section, need is flat too
    assert rows(Results(WorkforceModel(str(tiny_scenario.write(tmp_path / "plain")), rng=1, until=2022).run(), 1),
                "need_fte") == {2020: 100.0, 2021: 100.0, 2022: 100.0}


def test_stated_growth_and_an_expansion_compound_and_the_expansion_then_holds(tmp_path):
    path = tiny(tmp_path, {"kind": "stated_growth", "growth_per_year": 0.02,
                           "expansion": {"per_year": 0.10, "years": 2, "start": "2021-03"}})
    s = scenario.load(path)
    at = {year: s.need_index[calendar.month(year, 3) - s.start, 0] for year in (2021, 2022, 2023, 2026)}
    assert at[2021] == pytest.approx(1.02)
    assert at[2022] == pytest.approx(1.02 ** 2 * 1.1)
    assert at[2023] == pytest.approx(1.02 ** 3 * 1.1 ** 2)
    assert at[2026] == pytest.approx(1.02 ** 6 * 1.1 ** 2)


def test_need_never_changes_the_funded_posts_nor_the_flows():
    """The default scenario's need grows with the population; its runs are those of flat need."""
    base = Results(WorkforceModel("wales-mh-2021", rng=3, until=2023).run(), 3).tidy()
    flat = Results(WorkforceModel("wales-mh-2021-flat-demand", rng=3, until=2023).run(), 3).tidy()
    kept = ~base.measure.isin(["need_fte", "need_gap_fte"])
    assert base[kept].equals(flat[kept])
    need = base[base.measure == "need_fte"].pivot(index="year", columns="group", values="value")
    funded = base[base.measure == "establishment_fte"].pivot(index="year", columns="group", values="value")
    assert (need.loc[2021] == funded.loc[2021]).all()
    assert ((need.loc[2023] / need.loc[2021]).between(1.004, 1.02)).all()  # D§1: about +0.6% a year


def test_the_shipped_layers_change_need_alone():
    index = {name: scenario.load(name).need_index[:, 0] for name in
             ("wales-mh-2021", "wales-mh-2021-flat-demand", "wales-mh-2021-demand-expansion",
              "wales-mh-2021-stated-demand-growth")}
    assert (index["wales-mh-2021-flat-demand"] == 1.0).all()
    assert index["wales-mh-2021"][-1] == pytest.approx(1.0273, abs=1e-4)  # 2041: D§1 totals, bands derived
    assert index["wales-mh-2021-demand-expansion"][-1] == pytest.approx(index["wales-mh-2021"][-1] * 1.044 ** 5)
    assert index["wales-mh-2021-stated-demand-growth"][-1] == pytest.approx(1.044 ** 20)
    default = scenario.load("wales-mh-2021")
    for name in index:
        layer = scenario.load(name)
        assert layer.spec.groups == default.spec.groups and layer.calibrated == default.calibrated


@pytest.mark.parametrize("section, field, expected", [
    ({"kind": "rising"}, "demand.kind", "one of 'flat', 'population' or 'stated_growth'"),
    ({"kind": "population", "service_use": "even"}, "demand.population", "a population file for kind population"),
    ({"kind": "population", "population": "nowhere.yaml", "service_use": "even"}, "demand.population",
     "an existing population file"),
    ({"kind": "population", "population": "people.yaml", "service_use": "young"}, "demand.service_use",
     "a service_use profile of the population file (even, older)"),
    ({"kind": "population", "population": "people.yaml", "service_use": {"nurses": "even"}},
     "demand.service_use.nurses", "a staff group of the scenario (staff)"),
    ({"kind": "flat", "growth_per_year": 0.03}, "demand.growth_per_year", "0 for flat demand"),
    ({"kind": "flat", "population": "people.yaml"}, "demand.population", "no population unless kind is population"),
    ({"kind": "stated_growth", "growth_per_year": 3}, "demand.growth_per_year", "less than or equal to 1"),
    ({"kind": "stated_growth", "expansion": {"per_year": 0.1, "years": 5, "start": "2019-01"}},
     "demand.expansion.start", "a month from the scenario's start (2020-03)"),
    ({"kind": "stated_growth", "expansion": {"per_year": 0.1}}, "demand.expansion.years", "this required field"),
    # growth left out is 0: need was flat, in silence (a growth of 0 given, as an uncertain range's base, stays)
    ({"kind": "stated_growth"}, "demand.growth_per_year", "a stated yearly growth for kind stated_growth"),
])
def test_a_bad_demand_section_names_the_field_and_what_was_expected(tmp_path, section, field, expected):
    with pytest.raises(InputError) as info:
        scenario.load(tiny(tmp_path, section))
    assert any(p.field == field and expected in p.expected and p.file.endswith("tiny.yaml")
               for p in info.value.problems), info.value


def _population_problem(tmp_path, population: dict, profile: str):
    """The first problem loading the tiny scenario with ``population`` as its population file reports."""
    (tmp_path / "people.yaml").write_text(yaml.safe_dump(population))
    path = tiny_scenario.write(tmp_path, {"demand": {"kind": "population", "population": "people.yaml",
                                                     "service_use": profile}})
    with pytest.raises(InputError) as info:
        scenario.load(path)
    problem = info.value.problems[0]
    assert problem.file.endswith("people.yaml")
    return problem


def test_a_bad_population_file_is_named_with_its_field(tmp_path):
    problem = _population_problem(tmp_path, {**POPULATION, "splits": {2020: [800, 200, 5]}}, "even")
    assert problem.field == "splits.2020"
    assert "one number per age band" in problem.expected


@pytest.mark.parametrize("key, expected", [("splts", "no such key here (unknown key; there is splits here)"),
                                          ("colour", "no such key here (unknown key)")])
def test_an_unknown_key_of_a_population_file_is_named_with_the_key_it_is_close_to(tmp_path, key, expected):
    problem = _population_problem(tmp_path, {**POPULATION, key: {}}, "even")
    assert (problem.field, problem.expected) == (key, expected)


def test_a_profile_no_one_at_the_start_uses_is_refused_not_a_need_of_nan(tmp_path):
    """Everyone under 65 at the start, and use only from 65: need relative to none has no meaning."""
    population = {**POPULATION, "splits": {2020: [1000, 0]}, "service_use": {"older_only": [0.0, 1.0]}}
    problem = _population_problem(tmp_path, population, "older_only")
    assert problem.field == "service_use.older_only"
    assert "use per head in an age band the population has people in at the scenario's start (2020-03)" in \
        problem.expected


@pytest.mark.parametrize("totals", [{2001: 900, 2011: 950}, {2035: 1300}, {2011: 900, 2020: 1000}, {2030: 1200},
                                    {2025: 1100}],
                         ids=["before the run", "after it", "ending in its first year", "beginning in its last",
                              "one year within it"])
def test_a_population_whose_totals_miss_the_run_is_refused_not_a_flat_need(tmp_path, totals):
    """Outside its totals' years the population is held at the nearest year's: totals all before the run
    (2020-2030), all after it, or one year's alone made need flat over every year of it, in silence."""
    problem = _population_problem(tmp_path, {**POPULATION, "totals": totals}, "older")
    assert problem.field == "totals" and problem.found == sorted(totals)
    assert "years reaching into the scenario's run (2020 to 2030)" in problem.expected
    scenario.load(tiny(tmp_path, {"kind": "population", "population": "people.yaml", "service_use": "older"}))


def test_an_uncertain_demand_growth_widens_the_interval_of_need(tmp_path):
    path = tiny(tmp_path, {"kind": "stated_growth", "growth_per_year": 0.0})
    spec = {"name": "e", "scenario": path.name, "years": 3, "replications": 2, "seed": 4}

    def interval(**more):
        (tmp_path / "e.yaml").write_text(yaml.safe_dump({**spec, **more}))
        loaded = experiment.load(tmp_path / "e.yaml")
        need = [experiment.simulate(replace(job, outcomes=("need_fte:staff:2023",)))["need_fte:staff:2023"]
                for job in loaded.jobs()]
        low, high = np.quantile(need, [0.05, 0.95])
        return high - low

    assert interval() == 0.0  # no parameter is uncertain: every run needs the same
    assert interval(uncertain={"demand.growth_per_year": {"range": [0.0, 0.1]}}, parameter_sets=4) > 10.0
