"""Hours: people in post re-choose full or part time, by age band and sex.

A person reconsiders their hours with the group's annual probability (made monthly): the
month of their next review is drawn when they take up a post and after each review
(``sim.schedule``). At a review they draw full or part time from the participation table for
their current age band and sex, so hours drift with age over a career.
"""

import numpy as np

from ..kernels import participation
from ..people import Status
from . import Process


class Hours(Process):
    def step(self) -> None:
        model = self.model
        s, p, now = model.inputs, model.people, model.now
        ids = model.due(Status.IN_POST)
        ids = ids[p.hours_due[ids] <= now]
        before = model.fte_flows.where(p, ids)
        salts = model.streams.salts(("hours", "hours_fraction", "hours_review"), now, p.key[ids])
        participation.review(ids.astype(np.int64), now, salts, s.part_time_share, s.part_time_range, s._band_by_month,
                             model.hours_table, p.key, p.sex, p.birth_month, p.group, p.fte, p.stage_due, p.exit_due,
                             p.hours_due, p.next_due)
        model.fte_flows.moved(before, model.fte_flows.where(p, ids))
        p.mark(ids)  # for the stocks (sim.stocks)
