"""Retire-and-return: retirees due back this month return to their post at reduced hours.

Their FTE is cut by the group's ``hours_cut`` (about a fifth overall, a third for nurses)
and they stay for a time drawn uniformly from the group's ``stay_years`` range, cut to end at
the group's maximum age (they come back before it: ``retirement``).
"""

from ..kernels import retiring
from ..people import Status
from . import Process


class Returning(Process):
    def step(self) -> None:
        model = self.model
        s, p, now = model.inputs, model.people, model.now
        ids = model.due(Status.RETIRED)
        ids = ids[p.return_due[ids] == now]
        if len(ids) == 0:
            return
        before = model.fte_flows.where(p, ids)
        retiring.come_back(ids, now, model.streams.salts(("return_stay",), now, p.key[ids])[0], s.return_hours_cut,
                           s.return_stay_months, s.max_age_months, p.key, p.birth_month, p.group, p.fte, p.return_due,
                           p.return_until, p.next_due)
        p.set_status(ids, int(Status.RETURNED))
        model.fte_flows.moved(before, model.fte_flows.where(p, ids))
        model.events.record(ids, now, -1, p.stage[ids], "returned")
