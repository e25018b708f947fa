"""Training attrition: trainees leave at their stage's monthly hazard.

The hazard is derived from the stage's published attrition (the share of entrants who do
not complete it) over its full-time duration, so a full-time cohort's completion rate
equals 1 - attrition exactly in expectation.
"""

from ..people import Status


def step(model) -> None:
    s, p = model.inputs, model.people
    ids = model.in_status(Status.TRAINING)
    hazard = s.stage_attrition[p.stage[ids]]
    ids, hazard = ids[hazard > 0], hazard[hazard > 0]
    leavers = ids[model.streams.uniform("attrition", model.now, p.key[ids]) < hazard]
    model.remove(leavers, Status.LEFT, "attrition")
