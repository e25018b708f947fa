"""Hours: people in post re-choose full or part time, by age band and sex.

A person reconsiders their hours with the group's annual probability (made monthly): the
month of their next review is drawn when they take up a post and after each review
(``sim.schedule``). At a review they draw full or part time from the participation table for
their current age band and sex, so hours drift with age over a career.
"""

from .. import schedule
from ..people import Status


def step(model) -> None:
    p = model.people
    ids = model.due(Status.IN_POST)
    ids = ids[p.hours_due[ids] <= model.now]
    before = model.fte_flows.where(p, ids)
    p.fte[ids] = model.draw_fte(ids, ("hours", "hours_fraction"))
    model.fte_flows.moved(before, model.fte_flows.where(p, ids))
    p.mark(ids)  # for the stocks (sim.stocks)
    p.hours_due[ids] = schedule.hours_review(model, ids, model.now, "hours_review")
    schedule.refresh(p, ids)
