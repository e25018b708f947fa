"""Processes whose month is a compiled pass: run together in one compiled call or apart, they give the
same run, and the month's arrays keep what one pass leaves for another."""

from __future__ import annotations

import copy
import gc
import weakref

import numba
import numpy as np
import pytest

import tiny_scenario
from sim import WorkforceModel
from sim.interventions import LtftTraining, Retention, TrainingPlaces
from sim.kernels import month as kernel
from sim.kernels.columns import layout
from sim.processes import Process, passes
from sim.processes.exits import Leaving
from sim.processes.intake import Intake
from sim.processes.order import STEP_ORDER
from sim.processes.passes import Month, Pass


class Nothing(Process):
    """A process that does nothing: in the step order, it parts the passes before it from those after."""

    def step(self) -> None:
        pass


WHOLE = "+".join(process.name() for process in STEP_ORDER)  # every pass, months together (``Passes.run``)


def runs_alike(a: WorkforceModel, b: WorkforceModel) -> None:
    for measure in ("stage_headcount", "stage_fte", "post_fte"):
        np.testing.assert_array_equal(a.history[-1][measure], b.history[-1][measure])
    assert a.events.table().equals(b.events.table())  # reasons by name: their codes are given as first met


def stepped(model: WorkforceModel) -> WorkforceModel:
    """The model run month by month, as ``step`` takes each (``run`` takes months together)."""
    while model.running:
        model.step()
    return model


def test_months_run_together_give_the_run_month_by_month():
    """``run`` takes the months up to each record in one compiled call (the due lists scanned in it, the
    intake's entrants due this month given to the passes after it): as ``step`` takes them, to the bit."""
    for seed in (1, 3):
        together = WorkforceModel(rng=seed, until=2026, collect="yearly").run()
        assert together.timings[WHOLE] > 0
        alone = stepped(WorkforceModel(rng=seed, until=2026, collect="yearly"))
        assert WHOLE not in alone.timings
        runs_alike(together, alone)
        assert together.events.reasons == alone.events.reasons  # codes given in the step order, however run
        for field in together.people.fields:
            np.testing.assert_array_equal(getattr(together.people, field.name)[: together.people.count],
                                          getattr(alone.people, field.name)[: alone.people.count])


def test_months_together_stop_where_python_makes_room_prepares_or_finishes_a_month(monkeypatch):
    """Months together make new people in every row the store has: they stop for more room for events and the
    month's buffers, and, in a store without rows enough for the year, before a month whose intake has too few
    (Python prepares it, as ``step`` does) or after one whose joiners found too few (Python draws them again,
    in a larger store): the run is the same."""
    seen = set()
    run = kernel.run

    def spy(*arguments):
        out = run(*arguments)
        seen.add(out[3])
        return out

    monkeypatch.setattr(kernel, "run", spy)
    alone = stepped(WorkforceModel(rng=1, until=2024, collect="yearly"))
    start, stops = WorkforceModel(rng=1, until=2024, collect="yearly").people.count, set()
    # a few rows spare, or none: whether an intake or a month's joiners find too few first is the draws'
    for spare in [*range(50, 3_001, 250), 0]:
        seen.clear()
        runs_alike(WorkforceModel(rng=1, until=2024, collect="yearly", capacity=start + spare).run(), alone)
        stops |= seen
    runs_alike(WorkforceModel(rng=0, until=2024, collect="yearly", capacity=0).run(),
               stepped(WorkforceModel(rng=0, until=2024, collect="yearly")))
    assert {kernel.ROOM, kernel.PREPARE, kernel.FINISH} <= stops | seen


class EveryMonth:
    """An intervention of the caller's own: it may act in Python in any month."""

    def __init__(self):
        self.months = []

    def apply(self, model) -> None:
        self.months.append(model.now)


def test_months_together_make_room_within_a_month_for_the_entrants_due_the_month_they_enter(tmp_path, monkeypatch):
    """A small workforce taking a large intake: those of its entrants with something due the month they enter
    are given to the passes after the intake, whose events and marks for them take more room than the month
    was begun with: the call stops within the month, and goes on from the pass after the intake."""
    path = tiny_scenario.write(tmp_path, {"intake.course/student.places": {2019: 500}, "end": "2023-03"},
                               {"stages.student.attrition": 0.3})
    seen, run = set(), kernel.run

    def spy(*arguments):
        out = run(*arguments)
        seen.add(out[3])
        return out

    monkeypatch.setattr(kernel, "run", spy)
    together = WorkforceModel(scenario=path, rng=0, collect="yearly").run()
    assert together.timings[WHOLE] > 0 and kernel.WITHIN in seen
    runs_alike(together, stepped(WorkforceModel(scenario=path, rng=0, collect="yearly")))


def test_months_run_month_by_month_where_python_acts_between_them():
    """Checks, feedbacks, or an intervention that is not one of the package's levers: each month is a step of its
    own."""
    every = EveryMonth()
    acting = WorkforceModel(rng=3, until=2022, collect="yearly", interventions=[every])
    months = list(range(acting.now + 1, acting.end + 1))
    for model in (WorkforceModel(rng=3, until=2022, check=True), acting,
                  WorkforceModel(rng=3, until=2022, overrides={"feedbacks.supervision.enabled": True})):
        assert WHOLE not in model.run().timings
    assert every.months == months  # given every month


def test_records_kept_monthly_take_a_call_of_every_pass_a_month_as_month_by_month():
    together = WorkforceModel(rng=3, until=2023, collect="monthly").run()
    assert together.timings[WHOLE] > 0 and len(together.history) == together.end - together.inputs.start + 1
    alone = stepped(WorkforceModel(rng=3, until=2023, collect="monthly"))
    runs_alike(together, alone)
    for a, b in zip(together.history, alone.history):
        np.testing.assert_array_equal(a["stage_fte"], b["stage_fte"])


def test_levers_run_months_together_up_to_each_start_as_month_by_month():
    """The package's levers change the scenario only as a month begins in which the set in force changes: the
    months between run together, to the bit as month by month, their starts taken as ``step`` takes them."""
    levers = [Retention(factor=0.5, start="2021-06"),
              TrainingPlaces(stage="nursing/pre_registration_degree", extra=100.0, start="2022-01"),
              LtftTraining(stages=["psychiatry/core_psychiatry"], share=0.3)]
    together = WorkforceModel(rng=2, until=2024, collect="yearly", interventions=levers).run()
    assert together.timings[WHOLE] > 0
    alone = stepped(WorkforceModel(rng=2, until=2024, collect="yearly", interventions=levers))
    runs_alike(together, alone)
    for field in together.people.fields:
        np.testing.assert_array_equal(getattr(together.people, field.name)[: together.people.count],
                                      getattr(alone.people, field.name)[: alone.people.count])
    baseline = WorkforceModel(rng=2, until=2024, collect="yearly").run()
    assert not baseline.events.table().equals(together.events.table())  # the levers acted


def test_the_clocked_steps_run_as_one_compiled_call_or_apart_alike():
    together = stepped(WorkforceModel(rng=3, until=2024, collect="yearly"))
    assert "attrition+leaving+hours+retirement+returning+joiners" in together.timings
    # leaving's retirements are taken by retirement from the month's arrays, across a step between them
    at = STEP_ORDER.index(Leaving) + 1
    apart = WorkforceModel(rng=3, until=2024, collect="yearly",
                           processes=STEP_ORDER[:at] + (Nothing,) + STEP_ORDER[at:]).run()
    assert {"attrition+leaving", "hours+retirement+returning+joiners"} <= set(apart.timings)
    runs_alike(together, apart)


def test_the_passes_either_side_of_an_idle_process_run_as_one_call_alike(monkeypatch):
    """Intake has nothing to do in nine months of the year: then progression's pass runs with the others."""
    together = stepped(WorkforceModel(rng=3, until=2024, collect="yearly"))
    assert {"progression+attrition+leaving+hours+retirement+returning+joiners", "progression+intake",
            "attrition+leaving+hours+retirement+returning+joiners"} <= set(together.timings)
    monkeypatch.setattr(Intake, "idle", Process.idle)
    apart = stepped(WorkforceModel(rng=3, until=2024, collect="yearly"))
    assert not any(name.startswith("progression+attrition") for name in apart.timings)
    runs_alike(together, apart)


def test_each_pass_stepped_alone_gives_the_same_run(monkeypatch):
    together = WorkforceModel(rng=3, until=2023, collect="yearly").run()
    monkeypatch.setattr(passes, "steps", lambda model, processes: [(p.name(), p.step) for p in processes])
    alone = WorkforceModel(rng=3, until=2023, collect="yearly")
    assert sum(isinstance(process, Pass) for process in alone.processes) == 8 and "leaving" in alone.timings
    runs_alike(together, alone.run())


def test_a_copy_taken_mid_run_gives_its_own_arrays_and_runs_as_the_original():
    model = WorkforceModel(rng=5, until=2026, collect="yearly")
    for _ in range(30):
        model.step()
    twin = copy.deepcopy(model)
    start = kernel.ARRAYS + 4
    assert twin.month.array[start] == twin.month.marked.ctypes.data != model.month.array[start]
    runs_alike(model.run(), twin.run())


def test_the_retirements_decided_are_kept_when_the_month_makes_more_room():
    month = Month()
    array = month.ready(due=3, marks=4, entering=3)
    month.retiring[:3] = [7, 8, 9]
    array[kernel.RETIRING], array[kernel.RETIRING_MHO] = 2, 1
    month.ready(due=50, marks=4, entering=3)
    assert len(month.retiring) >= 50 and list(month.retiring[:3]) == [7, 8, 9]
    assert array[kernel.ARRAYS + 6] == month.retiring.ctypes.data and array[kernel.ARRAYS + 7] == len(month.retiring)


def test_a_pass_that_writes_past_the_room_made_for_its_month_stops_the_run(monkeypatch):
    """Room is made for the events and marks each pass declares; a pass writing more is an error of the pass,
    said, not memory overwritten in silence."""
    for process in STEP_ORDER:  # room for nothing
        monkeypatch.setattr(process, "events_per_due", 0)
        monkeypatch.setattr(process, "marks_per_due", 0)
        monkeypatch.setattr(process, "room_kernel", None)
    model = WorkforceModel(rng=3, until=2023, collect="yearly")
    with pytest.raises(RuntimeError, match="past the room"):
        model.run()


@numba.njit
def _failing_month(month, table):
    """A pass that fails in the month its table names."""
    if month[kernel.NOW] == table[0]:
        raise ValueError("the month it fails in")


@numba.njit
def _calling_month(month, table):
    """A pass that calls the pass at the address its table gives, with the rest of its table."""
    kernel.call(table[0], month, table[1:])


class Failing(Pass):
    """Fails in its model's third month, in its compiled pass."""

    kernel, kinds = _failing_month, layout()

    def inputs(self):
        return [], (self.model.inputs.start + 3,)


def test_an_error_in_a_pass_is_raised_from_the_months_compiled_call():
    """Called at its address, a pass's error is the month's error, as if the pass were called alone: not
    printed and passed over with the rest of the month left undone."""
    model = WorkforceModel(rng=3, until=2023, collect="yearly", processes=STEP_ORDER + (Failing,))
    with pytest.raises(ValueError):
        model.run()
    assert model.now == model.inputs.start + 3


def test_an_error_in_a_pass_another_pass_calls_is_raised_from_the_months_call():
    month, due = Month().ready(0, 0, 0), np.zeros(0, dtype=np.int64)
    passes = np.array([kernel.entry(_calling_month)], dtype=np.int64)
    nobody = np.array([np.zeros(0, dtype=np.int32).ctypes.data, 0], dtype=np.int64)  # no one's next due month
    columns = np.zeros(2, dtype=np.int64)  # an event log's block of no rows
    ends, rooms, per_due = np.zeros(1, dtype=np.int64), np.zeros((0, 2), dtype=np.int64), np.zeros(4, dtype=np.int64)
    for now, raised in ((5, False), (7, True)):
        table = np.array([kernel.entry(_failing_month), 7], dtype=np.int64)
        tables = np.array([table.ctypes.data, len(table)], dtype=np.int64) if kernel.COMPILED else [table]
        arguments = (passes, tables, ends, rooms, month, due, 0, nobody, columns, now, now, 0, per_due, 0)
        if raised:
            with pytest.raises(ValueError):
                kernel.run(*arguments)
        else:
            assert kernel.run(*arguments) == (now + 1, 0, 0, kernel.DONE)


def test_an_array_a_table_was_made_from_lives_until_every_group_giving_its_address_works_its_tables_out_again():
    """A pass's table is its owner's, shared by every group of passes it is in (the intake's months have
    groups of their own); a group keeps the tables it gives the addresses of, so an array replaced since
    lives on until it works its tables out again, and a new array cannot take its identity (``changes``
    names arrays so) and the group miss the change."""
    model = WorkforceModel(rng=3, until=2023, collect="yearly")
    for _ in range(3):
        model.step()
    joiners = next(p for p in model.processes if p.name() == "joiners")
    month, intake_month = model._steps.every, model._steps._made[(True,)]
    grouped = [step.__self__ for _, step in month + intake_month
               if isinstance(step.__self__, passes.Passes) and joiners in step.__self__.processes]
    assert len(grouped) == 2
    joiners.recruits = tuple(np.empty(8, dtype=r.dtype) for r in joiners.recruits)  # more room for recruits
    for group in grouped:
        group.ready()
    old = weakref.ref(joiners.recruits[0])
    joiners.recruits = tuple(np.empty(16, dtype=r.dtype) for r in joiners.recruits)  # and more again
    grouped[0].ready()  # its owner's table made again
    gc.collect()
    assert old() is not None  # the other group still gives the address of the table made from it
    grouped[1].ready()
    gc.collect()
    assert old() is None


def test_the_people_the_passes_mark_wait_in_the_month_until_the_stocks_count_them():
    """Marks left after a month's call (the joiners' own, made after their pass counted the rest) stay in the
    month's buffer, kept when it grows, for the next joiners' pass to count; Python's readers count them too."""
    model = WorkforceModel(rng=3, until=2023, collect="yearly")
    for _ in range(2):
        model.step()
    month, p = model.month, model.people
    pending = int(month.array[kernel.MARKED])
    assert pending > 0
    kept = month.marked[:pending].copy()
    month.ready(0, len(month.marked) + 1, 0)  # room for more marks: a new buffer
    np.testing.assert_array_equal(month.marked[:pending], kept)
    model.stocks.settle(passes=False)  # what Python marked: the passes' marks are left to the joiners' pass
    assert month.array[kernel.MARKED] == pending
    stocks = model.stocks.settle()
    assert month.array[kernel.MARKED] == 0
    ids = model.counted()
    cell = p.stage[ids] * 2 + p.welsh[ids]
    np.testing.assert_array_equal(stocks.headcount, np.bincount(cell, minlength=stocks.cells))
    np.testing.assert_array_equal(stocks.fte, np.bincount(cell, weights=p.fte[ids], minlength=stocks.cells))
    alike = WorkforceModel(rng=3, until=2023, collect="yearly")
    for _ in range(3):
        alike.step()
    model.step()  # and the run goes on as it would have
    runs_alike(model, alike)
