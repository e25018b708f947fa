"""Leaving employment: annual hazards by staff group, age band and sex, made monthly.

Each leaver is given a reason drawn from the group's reason shares (for example another
sector, outside Wales, or leaving the profession). Retirement is a separate process.
Retention levers (``sim.interventions.Retention``) scale the hazard by stage, sex and age band
through ``stage_leave_factor``.
"""

import numpy as np

from ..people import Status
from ..rng import ShareTable


def step(model) -> None:
    s, p, now = model.inputs, model.people, model.now
    ids = model.in_status(Status.IN_POST)
    group, sex, band = p.group[ids], p.sex[ids], s.band_of(model.ages[ids])
    hazard = s.by_sex_band(s.leave_monthly, group, sex, band)
    if s.stage_leave_factor is not None:  # retention levers aimed at groups, stages or ages
        hazard = hazard * s.by_sex_band(s.stage_leave_factor, p.stage[ids], sex, band)
    if s.feedbacks.workload.enabled:  # feedback: leaver rates rise with vacancies (sim.feedbacks)
        hazard = s.feedbacks.workload.scale(model, hazard, group)
    leaving = model.streams.uniform("leaving", now, p.key[ids]) < hazard
    ids, group = ids[leaving], group[leaving]
    if len(ids) == 0:
        return
    order = np.argsort(group, kind="stable")  # the event log lists leavers group by group
    ids, group = ids[order], group[order]
    groups, rows = np.unique(group, return_inverse=True)
    reasons = [s.spec.groups[s.groups[g]].leaving.reasons for g in groups]
    table = ShareTable([list(r.values()) for r in reasons],
                       [[model.events.reason_code(f"left:{r}") for r in these] for these in reasons])
    chosen = model.streams.choice("leaving_reason", now, p.key[ids], table, rows)
    model.remove(ids, Status.LEFT, table.labels[rows, chosen])
