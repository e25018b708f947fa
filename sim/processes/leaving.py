"""Leaving employment: annual hazards by staff group, age band and sex, made monthly.

Each leaver is given a reason drawn from the group's reason shares (for example another
sector, outside Wales, or leaving the profession). Retirement is a separate process.
Retention levers (``sim.interventions.Retention``) scale the hazard by stage, sex and age band
through ``stage_leave_factor``.
"""

import numpy as np

from ..people import Status


def step(model) -> None:
    s, p, now = model.inputs, model.people, model.now
    ids = model.in_status(Status.IN_POST)
    group, sex, band = p.group[ids], p.sex[ids], s.band_of(model.ages[ids])
    hazard = s.leave_monthly[group, sex, band]
    if s.stage_leave_factor is not None:  # retention levers aimed at groups, stages or ages
        hazard = hazard * s.stage_leave_factor[p.stage[ids], sex, band]
    if s.feedbacks.workload.enabled:  # feedback: leaver rates rise with vacancies (sim.feedbacks)
        hazard = s.feedbacks.workload.scale(model, hazard, group)
    leaving = model.streams.uniform("leaving", now, p.key[ids]) < hazard
    ids, group = ids[leaving], group[leaving]
    for g in np.unique(group):
        these = ids[group == g]
        reasons = s.spec.groups[s.groups[g]].leaving.reasons
        chosen = model.streams.choice("leaving_reason", now, p.key[these], np.array(list(reasons.values())))
        codes = np.array([model.events.reason_code(f"left:{r}") for r in reasons], dtype=np.int16)[chosen]
        model.remove(these, Status.LEFT, codes)
