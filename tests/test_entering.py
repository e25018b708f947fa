"""Entering a stage is one compiled pass: called from Python, or in a month's compiled call after a pass
that notes who moves on, it puts the same people in the same stages with the same draws."""

from __future__ import annotations

import numpy as np

from sim import WorkforceModel
from sim.kernels import month as kernel
from sim.people import Status
from sim.processes.order import STEP_ORDER
from sim.processes.passes import Passes
from sim.processes.progression import Progression
from test_passes import Nothing


def test_people_entering_from_python_take_their_stage_with_their_events():
    model = WorkforceModel(rng=2, until=2023, collect="yearly")
    model.step()
    s, p = model.inputs, model.people
    ids = model.in_status(Status.IN_POST)[:30]
    stage = s.stage_code("nursing/registered_nurse")
    sources = p.stage[ids].copy()
    arrived, events = model.arrived[stage], len(model.events)
    model.enter_stage(ids, stage, "moved", from_stage=sources)
    assert (p.stage[ids] == stage).all() and (p.stage_entry[ids] == model.now).all()
    assert (p.group[ids] == s.stage_group[stage]).all() and model.arrived[stage] == arrived + 30
    table = model.events.table().iloc[events:]
    assert list(table.person_id) == list(ids) and set(table.reason) == {"moved"}
    assert list(table.from_stage) == [s.stages[x] for x in sources]
    assert model.month.array[kernel.ENTERING] == 0  # the month's entrants were taken
    assert any(ids is m for m in p.marked)  # for the stocks


def test_entering_after_progression_in_the_months_call_is_entering_from_python(monkeypatch):
    together = WorkforceModel(rng=4, until=2024, collect="yearly")
    assert type(together._steps.every[0][1].__self__.passes[1]).__name__ == "Entering"
    together.run()
    # progression's movers left noted in the month's entering, and entered from Python after its call (its
    # pass alone in it)
    monkeypatch.setattr(Progression, "enters", False)
    run = Passes.step

    def step(self):
        run(self)
        month = self.model.month
        n = int(month.array[kernel.ENTERING])
        if n:
            ids, stage, source, reason = (b[:n].copy() for b in month.entering)
            month.array[kernel.ENTERING] = 0
            self.model.enter_stage(ids, stage, reason, from_stage=source)

    monkeypatch.setattr(Passes, "step", step)
    apart = WorkforceModel(rng=4, until=2024, collect="yearly", processes=(Progression, Nothing, *STEP_ORDER[1:]))
    assert len(apart._steps.every[0][1].__self__.passes) == 1
    apart.run()
    for measure in ("stage_headcount", "stage_fte", "post_fte"):
        np.testing.assert_array_equal(together.history[-1][measure], apart.history[-1][measure])
    assert together.events.table().equals(apart.events.table())
    for name in ("stage", "stage_due", "exit_due", "hours_due", "fte", "ltft"):
        np.testing.assert_array_equal(getattr(together.people, name)[: together.people.count],
                                      getattr(apart.people, name)[: apart.people.count])
