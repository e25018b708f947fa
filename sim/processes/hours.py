"""Hours: people in post re-choose full or part time, by age band and sex.

Each month a person reconsiders their hours with the group's annual probability (made
monthly); when they do, they draw full or part time from the participation table for
their current age band and sex, so hours drift with age over a career.
"""

from ..people import Status


def step(model) -> None:
    s, p = model.inputs, model.people
    ids = model.in_status(Status.IN_POST)  # in a post stage: never a training one (enter_stage)
    rate = s.hours_change_monthly[p.group[ids]]
    ids = ids[model.streams.uniform("hours_change", model.now, p.key[ids]) < rate]
    p.fte[ids] = model.draw_fte(ids, "hours")
