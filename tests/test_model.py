"""The model's processes, each against what it should do."""

from __future__ import annotations

import math

import mesa
import numpy as np
import pytest

import tiny_scenario
from conftest import has_problem
from sim import WorkforceModel, calendar, footprint, run
from sim.errors import InputError
from sim.interventions import Retention
from sim.kernels.entry import ltft_chance
from sim.people import Status
from sim.processes.order import STEP_ORDER
from sim.scenario import DEFAULT, load


def entry_and_exit(model, from_stage: str):
    """(entry month, exit month) of everyone who entered ``from_stage`` and later left it by progressing."""
    ids, months, src, dst, reasons = model.events.arrays()
    stage = model.inputs.stage_code(from_stage)
    entered = {i: m for i, m, d in zip(ids, months, dst) if d == stage}
    return {i: (entered[i], m) for i, m, s, r in zip(ids, months, src, reasons)
            if s == stage and model.events.reasons[r] == "progressed" and i in entered}


def test_full_time_trainee_takes_exactly_the_duration_and_ltft_duration_over_fraction(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 400}},
                               {"stages.student.ltft": {"share": 0.5, "fraction": [0.6, 0.6]}})
    model = WorkforceModel(scenario=path, rng=3).run()
    spans = entry_and_exit(model, "course/student")
    assert len(spans) > 1000
    durations = np.array([b - a for a, b in spans.values()])
    full, ltft = 24, math.ceil(24 / 0.6)
    assert set(durations) == {full, ltft}
    share_ltft = (durations == ltft).mean()
    assert abs(share_ltft - 0.5) < 0.05


def test_extra_time_lengthens_a_share_of_stays_by_its_range_and_adds_to_ltft(tmp_path):
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 400}},
                               {"stages.student.ltft": {"share": 0.5, "fraction": [0.6, 0.6]},
                                "stages.student.extra_time": {"share": 0.3, "years": [1, 1]}})
    durations = np.array([b - a for a, b in entry_and_exit(WorkforceModel(scenario=path, rng=3).run(),
                                                           "course/student").values()])
    full, ltft = 24, math.ceil(24 / 0.6)
    assert set(durations) == {full, ltft, full + 12, ltft + 12}
    assert abs(np.isin(durations, (full + 12, ltft + 12)).mean() - 0.3) < 0.05
    assert abs(np.isin(durations, (ltft, ltft + 12)).mean() - 0.5) < 0.05


def test_extra_time_is_drawn_within_its_range_and_a_starting_stock_keeps_it(tmp_path):
    path = tiny_scenario.write(tmp_path, {"stocks.course/student": {"headcount": 2000, "age": [[18, 20, 1.0]]}},
                               {"stages.student.extra_time": {"share": 1.0, "years": [0.5, 1.5]}})
    model = WorkforceModel(scenario=path, rng=4)
    p, start = model.people, model.now
    ids = np.flatnonzero(p.stage[: p.count] == model.inputs.stage_code("course/student"))
    stay = p.stage_due[ids] - p.stage_entry[ids]
    assert stay.min() >= 24 + 6 and stay.max() <= 24 + 18 and len(set(stay)) > 6  # 6 to 18 months more
    assert (p.stage_due[ids] > start).all() and (p.stage_entry[ids] <= start).all()


def test_same_seed_identical_and_different_seeds_differ():
    a = run(seed=11, until=2026).tidy()
    b = run(seed=11, until=2026).tidy()
    c = run(seed=12, until=2026).tidy()
    assert a.equals(b)
    assert not a.value.equals(c.value)


def test_a_model_copied_mid_run_runs_on_its_own_people_and_events():
    """The compiled passes are given the people's columns and the event log's block by address
    (``sim.kernels.columns``): a copy must give its own, or running it would write into the original."""
    import copy

    whole = WorkforceModel(rng=3, until=2023).run()
    model = WorkforceModel(rng=3, until=2023)
    for _ in range(14):
        model.step()
    copied = copy.deepcopy(model)
    copied.entering.inputs()
    tables = copied.entering._tables[1]  # each address the copy gives is of its own arrays
    assert tables.addresses[0] == tables.arrays[0].ctypes.data != model.entering._tables[1].addresses[0]
    assert copied.events.reserve(0)[0][0] == copied.events._blocks[-1][0].ctypes.data
    copied.run()
    model.run()
    assert_same_run(model, whole)
    assert_same_run(copied, whole)


def assert_same_run(run, expected) -> None:
    """Every person's columns and every event the same."""
    p = run.people
    assert p.count == expected.people.count and len(run.events) == len(expected.events)
    for f in p.fields:
        assert np.array_equal(getattr(p, f.name)[: p.count], getattr(expected.people, f.name)[: p.count]), f.name
    for mine, theirs in zip(run.events.arrays(), expected.events.arrays()):
        assert np.array_equal(mine, theirs)


def test_adding_one_person_to_an_intake_leaves_everyone_else_unchanged():
    """Common random numbers: draws are keyed by where and when a person was created."""
    intake = "intake.nursing/pre_registration_degree"
    places = {2019: 297, 2020: 342, 2021: 387, 2022: 435, 2023: 477, 2024: 500, 2025: 522}
    models = []
    for extra_place in (0, 1):
        overrides = {f"{intake}.fill_rate": 1.0, f"{intake}.places": {**places, 2021: 387 + extra_place}}
        models.append(WorkforceModel(rng=7, until=2024, overrides=overrides).run())
    histories = []
    for model in models:
        table = model.events.table()
        table["key"] = model.people.key[table.person_id.to_numpy()]
        histories.append({k: list(map(tuple, g[["month", "from_stage", "to_stage", "reason"]].to_numpy()))
                          for k, g in table.groupby("key")})
    first, second = histories
    extra = set(second) - set(first)
    assert len(extra) == 1 and set(first) <= set(second)
    assert all(first[k] == second[k] for k in first)
    (newcomer,) = extra
    assert second[newcomer][0][1:] == ("outside", "nursing/pre_registration_degree", "intake")


def test_conservation_and_invariants_hold_at_every_step():
    model = WorkforceModel(rng=8, until=2031, check=True).run()  # raises InvariantError on any breach
    assert model.now == calendar.month(2031, 3)


def test_the_invariant_check_can_fail(tmp_path):
    from sim.invariants import InvariantError, check_step

    model = WorkforceModel(scenario=tiny_scenario.write(tmp_path), rng=1)
    model.step()
    before, after = model.history[-2], dict(model.history[-1])
    after["stage_headcount"] = after["stage_headcount"] + 1  # one person appears from nowhere
    with pytest.raises(InvariantError, match="headcount changed"):
        check_step(model, before, after)
    model.people.fte[0] = 1.5
    with pytest.raises(InvariantError, match="FTE"):
        check_step(model, before, model.history[-1])


def test_person_record_and_career_can_be_looked_up():
    model = WorkforceModel(rng=9, until=2027).run()
    table = model.events.table()
    nurse = table[(table.from_stage == "nursing/pre_registration_degree") & (table.reason == "progressed")].person_id.iloc[0]
    record = model.person(int(nurse))
    for key in ("id", "sex", "birth_month", "group", "pathway", "stage", "stage_entry", "stage_due", "fte", "ltft",
                "ltft_fraction", "mho", "welsh", "sector", "status"):
        assert key in record
    career = model.career(int(nurse))
    assert list(career.columns) == ["person_id", "month", "from_stage", "to_stage", "reason"]
    assert career.iloc[0].to_stage == "nursing/pre_registration_degree"
    assert "nursing/registered_nurse" in set(career.to_stage)
    assert list(career.month) == sorted(career.month)
    with pytest.raises(KeyError):
        model.person(10**9)


def test_a_persons_months_are_dates_and_never_is_none():
    import pandas as pd

    model = WorkforceModel(rng=9, until=2023).run()
    record = model.person(0)
    assert isinstance(record["birth_month"], pd.Period) and record["birth_month"].freqstr == "M"
    assert record["birth_month"] < pd.Period("2021-03", "M")
    assert record["return_due"] is None  # the int32 maximum, "never", is no date
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["Month"].iloc[0] == pd.Period("2021-03", "M")


def test_datacollector_collects_aggregates_by_group():
    model = WorkforceModel(rng=1, until=2023).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 24 + 1
    for column in ("FTE nursing", "Headcount psychiatry", "Vacancies FTE hcsw", "Joiners nursing",
                   "Leavers nursing", "Trainees psychiatry/core_psychiatry", "FTE psychiatry/core_psychiatry",
                   "Headcount psychiatry/consultant", "Joiners by reason", "Leavers by reason"):
        assert column in frame.columns
    assert frame["FTE nursing"].iloc[0] == pytest.approx(3218.2, rel=0.01)
    last = frame.iloc[-1]
    assert sum(last["Leavers by reason"]["nursing"].values()) == last["Leavers nursing"]
    assert last["FTE psychiatry/consultant"] > 0


def test_mesa_batch_run_works():
    rows = mesa.batch_run(WorkforceModel, parameters={"until": 2022}, rng=[1, 2], max_steps=1000,
                          number_processes=1, data_collection_period=-1, display_progress=False)
    assert len(rows) == 2
    assert {r["rng"] for r in rows} == {1, 2} or {r.get("seed") for r in rows} == {None}
    assert all(r["Step"] == 12 and r["FTE nursing"] > 3000 for r in rows)
    assert rows[0]["FTE nursing"] != rows[1]["FTE nursing"]


def test_a_numpy_integer_seed_is_the_whole_number_it_holds():
    """A seed taken from a numpy array (``for seed in np.arange(3)``) runs as the int it holds: it passed the
    seed's check and was handed on to mesa, whose Python random refused it with a TypeError."""
    model, same = WorkforceModel(rng=np.int64(3), until=2022), WorkforceModel(rng=3, until=2022)
    assert model.seed == 3 and model.random.random() == same.random.random()


def test_every_constructor_argument_has_a_default():
    import inspect

    params = inspect.signature(WorkforceModel.__init__).parameters
    assert all(p.default is not inspect.Parameter.empty for n, p in params.items() if n != "self")
    assert "rng" in params


def test_datacollector_filled_when_read_equals_collecting_every_step():
    """Mesa's collector is filled from history on demand: the same rows as collecting after each step."""
    model = WorkforceModel(rng=2, until=2022)
    collected = []
    while model.running:
        model.step()
        collected.append(model.report)
        assert len(model.datacollector.model_vars["Month"]) == len(model.history)  # read mid-run: caught up
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame.iloc[1:].to_dict("records") == collected
    assert model.datacollector._collection_steps == [r["time"] for r in model.history]


@pytest.mark.parametrize("collect", ["weekly", "montly", None, ["yearly"]])
def test_collect_must_be_monthly_or_yearly(collect):
    with pytest.raises(InputError) as error:
        WorkforceModel(rng=1, until=2022, collect=collect)
    assert has_problem(str(error.value), "WorkforceModel", "collect", "one of monthly, yearly")


def test_check_collects_monthly():
    assert WorkforceModel(rng=1, until=2022, collect="yearly", check=True).collect_every == 1


def aggregates_person_by_person(model) -> dict:
    """The aggregates summed person by person in id order, from a scan of everyone."""
    s, p = model.inputs, model.people
    ids = model.counted()
    stage = p.stage[ids]
    welsh = ids[p.welsh[ids] & s.stage_workforce[stage]]
    post = model.in_status(Status.IN_POST, Status.RETURNED)
    post = post[s.stage_post[p.stage[post]]]
    return {"stage_headcount": np.bincount(stage, minlength=len(s.stages)),
            "stage_fte": np.bincount(stage, weights=p.fte[ids], minlength=len(s.stages)),
            "welsh_headcount": np.bincount(p.group[welsh], minlength=len(s.groups)),
            "welsh_fte": np.bincount(p.group[welsh], weights=p.fte[welsh], minlength=len(s.groups)),
            "post_fte": np.bincount(p.group[post], weights=p.fte[post], minlength=len(s.groups))}


@pytest.mark.parametrize("exact", [True, False])
def test_aggregates_from_the_stocks_equal_sums_person_by_person_bit_for_bit(exact):
    model = WorkforceModel(rng=3, until=2024)
    if not exact:  # the fallback for FTEs whose sums depend on the order of adding: as if an FTE of 0 was counted
        model.stocks.bounds[0] = 0.0
    while model.running:
        model.step()
        expected = aggregates_person_by_person(model)
        for key in ("stage_headcount", "stage_fte", "welsh_headcount", "welsh_fte"):
            assert model.history[-1][key].dtype == expected[key].dtype
            assert model.history[-1][key].tobytes() == expected[key].tobytes(), key
        assert model.post_fte().tobytes() == expected["post_fte"].tobytes()


def test_group_flows_count_moves_into_and_out_of_each_groups_workforce():
    from sim.eventlog import EventLog
    from sim.flows import group_flows

    s = WorkforceModel(rng=1, until=2021).inputs
    log = EventLog(s.stages)
    code = {r: log.reason_code(r) for r in ("progressed", "joined:uk", "left", "moved")}
    st = s.stage_code
    events = [  # (from, to, reason)
        (st("nursing/pre_registration_degree"), st("nursing/registered_nurse"), "progressed"),  # joins nursing
        (-1, st("nursing/registered_nurse"), "joined:uk"),
        (-1, st("nursing/registered_nurse"), "joined:uk"),
        (st("psychiatry/core_psychiatry"), st("psychiatry/higher_specialty"), "progressed"),  # within psychiatry
        (st("psychiatry/consultant"), -1, "left"),
        (st("nursing/registered_nurse"), st("hcsw/support_worker"), "moved"),  # leaves nursing, joins hcsw
        (-1, st("psychiatry/medical_school"), "joined:uk"),  # outside the workforce
    ]
    src, dst = (np.array([e[i] for e in events], dtype=np.int16) for i in (0, 1))
    reason = np.array([code[e[2]] for e in events], dtype=np.int16)
    flows = group_flows(s, log, src, dst, reason)
    assert list(flows) == ["joiners", "leavers"] and list(flows["joiners"]) == s.groups
    assert flows["joiners"]["nursing"] == {"progressed": 1, "joined:uk": 2}
    assert flows["joiners"]["hcsw"] == {"moved": 1}
    assert flows["leavers"] == {g: {"psychiatry": {"left": 1}, "nursing": {"moved": 1}}.get(g, {}) for g in s.groups}
    assert sum(len(v) for v in flows["joiners"].values()) == 3
    empty = np.zeros(0, dtype=np.int16)
    assert group_flows(s, log, empty, empty, empty) == {k: {g: {} for g in s.groups} for k in ("joiners", "leavers")}


def test_collecting_yearly_or_monthly_keeps_every_event():
    table = WorkforceModel(rng=2, until=2022, collect="yearly").run().events.table()
    again = WorkforceModel(rng=2, until=2022, collect="monthly").run().events.table()
    assert len(table) > 1000 and table.equals(again)


# ---- a new role with its own establishment adds staff --------------------------------------------------
def test_a_role_with_its_own_establishment_does_not_take_the_groups_vacancies(tmp_path):
    def run(own):
        pathway = {"stages.student.transitions": {"worker": 1.0},
                   "stages.worker.own_establishment": own}
        path = tiny_scenario.write(tmp_path / str(own), {
            "stocks.course/other": {"headcount": 100, "fte": 100.0, "age": [[30, 40, 1.0]]},
            "stocks.course/worker": {"headcount": 0, "age": [[30, 40, 1.0]]},
            "groups.staff.establishment.vacancies_fte": 0.0,
            "groups.staff.leaving.rate": 0.05,
            "intake.course/student.places": {2019: 20},
            "groups.staff.joiners": {"per_year": 1000, "fill_per_month": 0.5, "stages": {"course/other": 1.0},
                                     "sources": {"elsewhere": 1.0}, "age": [[30, 40, 1.0]]},
        }, {**pathway, "stages.other": {"staff_group": "staff", "entry": True}})
        model = WorkforceModel(str(path), rng=0).run()
        return model.group_totals(measure="stage_headcount")["staff"], model.history[-1]["stage_headcount"]
    with_own, stages_own = run(True)
    without, stages = run(False)
    assert with_own > without + 20  # the new role's graduates add to the staff in post
    s = load(str(tmp_path / "True" / "tiny.yaml"))
    other = s.stage_code("course/other")
    assert stages_own[other] > 90  # the others' posts stay filled
    assert stages[other] < 80  # where the role shares the group's establishment, it displaces them


# ---- less-than-full-time training: by sex, and carried from one stage to the next ------------------------
def test_ltft_is_kept_by_most_who_trained_ltft_before_and_keeps_the_stages_share():
    persist = 0.8
    for share in (0.3, 0.02):  # women's and men's shares in both stages
        assert ltft_chance(share, persist, share, True) == pytest.approx(0.8)
        # the others: overall share = share x 0.8 + (1 - share) x others = share
        assert share * 0.8 + (1 - share) * ltft_chance(share, persist, share, False) == pytest.approx(share)


def test_ltft_is_drawn_afresh_where_a_stage_sets_no_persistence_or_for_newcomers():
    assert ltft_chance(0.3, np.nan, 0.3, True) == 0.3  # no persistence set
    assert ltft_chance(0.3, 0.8, np.nan, False) == 0.3  # a newcomer: no previous stage


def test_women_train_ltft_more_often_than_men_in_psychiatry():
    model = WorkforceModel(until=2036, rng=0).run()
    s, p = model.inputs, model.people
    ids = np.flatnonzero(np.isin(p.stage[: p.count], [s.stage_code("psychiatry/core_psychiatry"),
                                                       s.stage_code("psychiatry/higher_specialty")]))
    women, men = p.ltft[ids][p.sex[ids] == 0].mean(), p.ltft[ids][p.sex[ids] == 1].mean()
    assert women > 3 * men


def test_a_large_intake_trains_ltft_at_the_stages_share_where_it_sets_persistence(tmp_path):
    # new entrants have no stage before: their chance is the stage's share, however many enter together
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 2000}, "end": "2021-03"},
                               {"stages.student.ltft": {"share": {"female": 0.5, "male": 0.1}, "persist": 0.8,
                                                        "fraction": [0.5, 0.5]}})
    model = WorkforceModel(str(path), rng=0).run()
    p, s = model.people, model.inputs
    ids = model.counted()
    ids = ids[p.stage[ids] == s.stage_code("course/student")]
    assert len(ids) > 1900
    assert p.ltft[ids][p.sex[ids] == 0].mean() == pytest.approx(0.5, abs=0.05)
    assert p.ltft[ids][p.sex[ids] == 1].mean() == pytest.approx(0.1, abs=0.03)


def test_the_funded_establishment_grows_yearly_from_a_table_of_the_run_and_on_past_its_end():
    model = WorkforceModel(collect="yearly", rng=1, until=2022,
                           overrides={"groups.nursing.establishment.growth_per_year": 0.03})
    s, end = model.inputs, model.inputs.end
    growth = 1.0 + s.establishment_growth
    assert growth[s.groups.index("nursing")] == 1.03
    at_start = (model.base_post_fte + s.vacancies_fte) / (1.0 - s.vacancy_rate)
    np.testing.assert_allclose(model.funded_establishment(s.start), at_start)
    np.testing.assert_allclose(model.funded_establishment(s.start + 12), at_start * growth)
    np.testing.assert_allclose(model.funded_establishment(end + 12), model.funded_establishment(end) * growth)
    assert not model.funded_establishment().flags.writeable  # a row of the table: never changed by a caller


@pytest.mark.parametrize("rng", [-1, 2.5, "3", True, 2**64])
def test_a_seed_that_is_not_a_whole_number_from_0_is_refused_naming_the_argument(rng):
    with pytest.raises(InputError) as error:
        WorkforceModel(rng=rng, until=2022)
    assert has_problem(str(error.value), "WorkforceModel", "rng", "a whole number from 0")


@pytest.mark.parametrize("until", [2022.5, "2022", float("nan"), float("inf")])
def test_a_last_year_that_is_not_a_whole_number_is_refused_not_rounded(until):
    with pytest.raises(InputError) as error:
        WorkforceModel(rng=1, until=until)
    assert has_problem(str(error.value), "WorkforceModel", "until", "a year from 2021 to 2041")


@pytest.mark.parametrize("interventions", [[1], "retention", Retention(factor=0.9)])
def test_interventions_that_are_not_a_list_of_levers_are_refused_before_the_run(interventions):
    with pytest.raises(InputError) as error:
        WorkforceModel(rng=1, until=2022, interventions=interventions)
    assert has_problem(str(error.value), "WorkforceModel", "interventions", "a list of policy levers")


@pytest.mark.parametrize("processes", [["progression"], "intake", Retention, [Retention], None, STEP_ORDER * 2])
def test_processes_that_are_not_a_list_of_process_types_are_refused_before_the_run(processes):
    with pytest.raises(InputError) as error:
        WorkforceModel(rng=1, until=2022, processes=processes)
    assert has_problem(str(error.value), "WorkforceModel", "processes", "a list of monthly processes")


def test_overrides_with_a_scenario_already_loaded_are_refused_not_ignored():
    with pytest.raises(InputError) as error:
        WorkforceModel(load(DEFAULT), overrides={"groups.nursing.leaving.rate": 0.1})
    assert has_problem(str(error.value), "WorkforceModel", "overrides", "none with a loaded scenario")


def test_the_same_lever_listed_twice_is_refused_not_put_in_force_once():
    lever = Retention(factor=0.9)
    with pytest.raises(InputError) as info:
        WorkforceModel(until=2022, interventions=[lever, lever])
    assert [(p.file, p.field) for p in info.value.problems] == [("WorkforceModel", "interventions")]
    WorkforceModel(until=2022, interventions=[lever, lever.model_copy()]).run()  # two retention levers multiply


def test_levers_given_as_a_generator_all_act():
    model = WorkforceModel(rng=1, until=2022, interventions=(lever for lever in [Retention(factor=0.9)]))
    assert len(model.interventions) == 1


def test_foundation_doctors_start_core_psychiatry_straight_on_or_after_a_year_or_two_out():
    """P§1: most F2s do not go straight into specialty training; the shipped pathway sends 40% of those
    who start core psychiatry straight on, 35% after a year out and 25% after two, a year each."""
    table = WorkforceModel(until=2033, rng=0).run().events.table()
    turned_away = set(table.person_id[table.reason == "no_training_place"])
    core = table[(table.to_stage == "psychiatry/core_psychiatry") & (table.reason == "progressed")
                 & ~table.person_id.isin(turned_away)]
    shares = core.from_stage.value_counts(normalize=True)
    assert len(core) > 100
    assert shares["psychiatry/foundation"] == pytest.approx(0.40, abs=0.1)
    assert shares["psychiatry/year_out"] == pytest.approx(0.35, abs=0.1)
    assert shares["psychiatry/second_year_out"] == pytest.approx(0.25, abs=0.1)
    out = table[(table.to_stage == "psychiatry/year_out") & (table.reason == "progressed")].set_index("person_id").month
    back = table[table.from_stage == "psychiatry/year_out"].set_index("person_id").month
    both = out.index.intersection(back.index)
    months = [calendar.parse(b) - calendar.parse(a) for a, b in zip(out[both], back[both])]
    assert len(months) > 50 and set(months) == {12}


def test_a_run_advances_mesa_as_stepping_does_and_stepping_goes_on_from_its_end():
    """``run()`` leaves Mesa's scheduling of each step out when nothing else is scheduled: the same
    months, Mesa's clock and count of steps where stepping leaves them, and ``step()`` goes on after it."""
    ran = WorkforceModel(rng=4, until=2023, collect="yearly").run()
    stepped = WorkforceModel(rng=4, until=2023, collect="yearly")
    while stepped.running:
        stepped.step()
    assert (ran.time, ran.steps, ran.now) == (stepped.time, stepped.steps, stepped.now)
    assert ran.steps == 24
    assert [r["time"] for r in ran.history] == [r["time"] for r in stepped.history] == [0, 12, 24]
    for a, b in zip(ran.events.arrays(), stepped.events.arrays()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ran.people.view("fte"), stepped.people.view("fte"))
    ran.step()
    assert (ran.time, ran.steps, ran.now) == (25, 25, stepped.now + 1)


def test_an_event_scheduled_with_mesa_runs_at_its_time_within_a_run():
    model = WorkforceModel(rng=4, until=2022, collect="yearly")
    seen = []

    def note():
        seen.append((model.time, model.steps))

    model.schedule_event(note, at=5.5)
    model.run()
    assert seen == [(5.5, 5)]
    assert (model.time, model.steps) == (12, 12)


def test_room_made_at_the_start_changes_nothing_but_the_columns_grown(monkeypatch):
    """``capacity``: room for the people a run will make, so its columns are not copied into bigger ones
    as they come; the run is the same, and room past what the run can create at most is not made."""
    monkeypatch.setattr(footprint, "_MADE", {})  # no run of the scenario before: room for the starting population
    grown = WorkforceModel(rng=3, until=2024, collect="yearly")
    most = footprint.people(grown.inputs, grown.end)
    roomy = WorkforceModel(rng=3, until=2024, collect="yearly", capacity=10**9)
    assert roomy.people._capacity == most > grown.people._capacity
    columns, start = {name: id(getattr(roomy.people, name)) for name in roomy.people._arrays()}, grown.people._capacity
    grown.run(), roomy.run()
    assert grown.people._capacity > start  # grown from the starting population's room
    assert {name: id(getattr(roomy.people, name)) for name in roomy.people._arrays()} == columns  # never grown
    assert_same_run(roomy, grown)


def test_a_run_makes_room_for_the_people_the_runs_of_its_scenario_to_the_same_end_made(monkeypatch):
    """A process running a scenario again (replications, a batch's worker, a search) makes room at the start
    for the most people its runs to the same end made, and a little more."""
    monkeypatch.setattr(footprint, "_MADE", {})
    first = WorkforceModel(rng=3, until=2024, collect="yearly").run()
    again = WorkforceModel(rng=4, until=2024, collect="yearly")
    assert again.people.capacity == int(first.people.count * footprint._MARGIN)
    shorter = WorkforceModel(rng=4, until=2023, collect="yearly")
    assert footprint.room(shorter.inputs, shorter.end) is None and shorter.people.capacity < again.people.capacity


@pytest.mark.parametrize("value", [-1, 2.5, "100", True])
def test_room_is_a_whole_number_of_people(value):
    with pytest.raises(InputError) as error:
        WorkforceModel(rng=1, until=2022, capacity=value)
    assert has_problem(str(error.value), "WorkforceModel", "capacity", "a whole number of people")


@pytest.mark.parametrize("flag", ["check", "copy"])
@pytest.mark.parametrize("value", ["no", 0, None, 1.0])
def test_check_and_copy_are_true_or_false(flag, value):
    # check="no" turned the invariant checks on: any truthy value did
    with pytest.raises(InputError) as error:
        WorkforceModel(rng=1, until=2022, **{flag: value})
    assert has_problem(str(error.value), "WorkforceModel", flag, "True or False")


def test_stepping_past_the_scenarios_end_is_refused_not_run_on_made_up_inputs(tmp_path):
    """Past a run's ``until`` a model steps on within its scenario; past the scenario's end its places, need and
    establishment would be its last year's repeated, in silence."""
    path = tiny_scenario.write(tmp_path, {"end": "2021-03"})  # starts 2020-03
    model = WorkforceModel(scenario=path, rng=1).run()
    with pytest.raises(InputError) as raised:
        model.step()
    assert has_problem(str(raised.value), "WorkforceModel", "step", "a month up to the scenario's end, 2021-03")
    assert model.now == model.end and len(model.history) == 13  # nothing moved
