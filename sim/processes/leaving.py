"""Leaving employment: annual hazards by staff group, age band and sex, made monthly.

A person in post faces leaving and retirement together: their exit month is scheduled
(``sim.schedule``), and when it comes the exit is a leaving with probability q_leave / (1 -
(1 - q_leave)(1 - q_retire)) -- exactly the chance that a monthly test of leaving, then of
retirement, would have found them leaving -- and a retirement otherwise (taken by the
retirement step). The same scheduled month serves as a check at the group's maximum age and
at 55 for mental health officer status holders, whose retirements the retirement step takes too.

Each leaver is given a reason drawn from the group's reason shares (for example another
sector, outside Wales, or leaving the profession). Retention levers
(``sim.interventions.Retention``) scale the hazard by stage, sex and age band through
``stage_leave_factor``, and the workload feedback by group; both reach people through the
month's rate table.
"""

import numpy as np

from ..kernels import exits
from ..people import Status
from ..rng import ShareTable
from . import Process


class Leaving(Process):
    def compile(self, s) -> ShareTable:
        """Every group's leaving reasons as one table (a row per group), labelled with reason codes."""
        reasons = [s.spec.groups[g].leaving.reasons for g in s.groups]
        return ShareTable([list(r.values()) for r in reasons],
                          [[self.model.events.reason_code(f"left:{r}") for r in these] for these in reasons])

    def step(self) -> None:
        model = self.model
        s, p, now = model.inputs, model.people, model.now
        model.retiring = {}
        ids = model.due(Status.IN_POST)
        if len(ids) == 0:
            return
        _, leave, retire = model.exit_table
        table = self.tables
        salts = model.streams.salts(("exit_cause", "retirement_mho", "leaving_reason"), now, p.key[ids])
        outcome, reason = exits.decide(
            ids, now, salts, model.exit_table[0], leave, retire, s._band_by_month, s.band_ends, s.max_age_months,
            s.mho_end, s.mho_retire_at_55, table.cumulative, table.total, table.last, table.labels,
            *(getattr(p, name) for name in _FIELDS))
        model.retiring = {"retired": ids[outcome == exits.RETIRE], "retired_mho": ids[outcome == exits.RETIRE_MHO]}
        leaving = outcome == exits.LEAVE
        if not leaving.any():
            return
        ids, reason = ids[leaving], reason[leaving]
        order = np.argsort(p.group[ids], kind="stable")  # the event log lists leavers group by group
        model.remove(ids[order], Status.LEFT, reason[order])



_FIELDS = ("key", "sex", "birth_month", "stage", "group", "mho", "exit_left", "exit_since", "exit_rate", "exit_due",
           "stage_due", "hours_due", "next_due")
