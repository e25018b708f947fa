"""Training attrition: trainees leave at their stage's monthly hazard.

The hazard is derived from the stage's published attrition (the share of entrants who do
not complete it) over its full-time duration, so a full-time cohort's completion rate
equals 1 - attrition exactly in expectation. Each trainee's leaving month is scheduled when
they enter the stage (``sim.schedule``); this step takes those whose month has come.
"""

from ..people import Status


def step(model) -> None:
    p = model.people
    model.at_risk_from = model.now + 1  # this month's risks are being faced: later entrants face next month's
    ids = model.due(Status.TRAINING)
    model.remove(ids[p.exit_due[ids] <= model.now], Status.LEFT, "attrition")
