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

from .. import schedule
from ..people import Status
from ..rng import ShareTable


def step(model) -> None:
    s, p, now = model.inputs, model.people, model.now
    model.retiring = {}
    ids = model.due(Status.IN_POST)
    ids = ids[p.exit_due[ids] <= now]
    if len(ids) == 0:
        return
    rate, leave, retire = model.exit_table
    cell = schedule.cells(model, ids)
    moved = p.exit_rate[ids] != rate[cell].astype(np.float32)  # a birthday into another age band
    schedule.rebase(model, ids[moved], rate[cell[moved]], now - 1, reschedule=False)
    month = schedule.exit_month(p, ids)
    exit = month <= now
    age, group = now - p.birth_month[ids], p.group[ids]
    q_leave, q_retire = leave[cell], retire[cell]
    u = model.streams.uniforms(("exit_cause", "retirement_mho", "leaving_reason"), now, p.key[ids])
    leaving = exit & (u[0] * (1.0 - (1.0 - q_leave) * (1.0 - q_retire)) < q_leave)
    retiring = ~leaving & (exit | (age >= s.max_age_months[group]))
    mho = ~leaving & ~retiring & p.mho[ids] & (age == schedule.MHO_AGE) & (now <= s.mho_end)
    mho &= u[1] < s.mho_retire_at_55[group]
    model.retiring = {"retired": ids[retiring], "retired_mho": ids[mho]}
    staying = ~(leaving | retiring | mho)
    month, staying = month[staying], ids[staying]
    p.exit_due[staying] = schedule.next_exit_due(model, staying, after=now, exit=month)
    schedule.refresh(p, staying)
    ids, group, u = ids[leaving], group[leaving], u[2][leaving]
    if len(ids) == 0:
        return
    order = np.argsort(group, kind="stable")  # the event log lists leavers group by group
    ids, group = ids[order], group[order]
    table = _reasons(model)
    model.remove(ids, Status.LEFT, table.labels[group, table.pick(u[order], group)])


def _reasons(model) -> ShareTable:
    """Every group's leaving reasons as one table (a row per group), labelled with reason codes."""
    table = model.__dict__.get("_leaving_reasons")
    if table is None:
        s = model.inputs
        reasons = [s.spec.groups[g].leaving.reasons for g in s.groups]
        table = model._leaving_reasons = ShareTable(
            [list(r.values()) for r in reasons],
            [[model.events.reason_code(f"left:{r}") for r in these] for these in reasons])
    return table
