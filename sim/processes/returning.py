"""Retire-and-return: retirees due back this month return to their post at reduced hours.

Their FTE is cut by the group's ``hours_cut`` (about a fifth overall, a third for nurses)
and they stay for a time drawn uniformly from the group's ``stay_years`` range, cut to end at
the group's maximum age (they come back before it: ``retirement``).
"""

import numpy as np

from ..people import NEVER, Status


def step(model) -> None:
    s, p, now = model.inputs, model.people, model.now
    ids = model.due(Status.RETIRED)
    ids = ids[p.return_due[ids] == now]
    if len(ids) == 0:
        return
    group = p.group[ids]
    low, high = s.return_stay_months[group, 0], s.return_stay_months[group, 1]
    stay = np.maximum(np.round(low + (high - low) * model.streams.uniform("return_stay", now, p.key[ids])), 1)
    before = model.fte_flows.where(p, ids)
    p.fte[ids] = p.fte[ids] * (1.0 - s.return_hours_cut[group])
    p.set_status(ids, int(Status.RETURNED))
    model.fte_flows.moved(before, model.fte_flows.where(p, ids))
    p.return_due[ids] = NEVER
    p.return_until[ids] = np.minimum(now + stay.astype(np.int32), p.birth_month[ids] + s.max_age_months[group])
    p.next_due[ids] = p.return_until[ids]
    model.events.record(ids, now, -1, p.stage[ids], "returned")
