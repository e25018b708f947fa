"""Training attrition: trainees leave at their stage's monthly hazard.

The hazard is derived from the stage's published attrition (the share of entrants who do
not complete it) over its full-time duration, so a full-time cohort's completion rate
equals 1 - attrition exactly in expectation. Each trainee's leaving month is scheduled when
they enter the stage (``sim.schedule``); this step takes those whose month has come. A trainee
reaching their group's maximum age (scheduled too) retires from training, with no return.
"""

from ..people import Status
from . import Process


class Attrition(Process):
    def step(self) -> None:
        model = self.model
        s, p = model.inputs, model.people
        model.at_risk_from = model.now + 1  # this month's risks are being faced: later entrants face next month's
        ids = model.due(Status.TRAINING)
        ids = ids[p.exit_due[ids] <= model.now]
        oldest = model.now - p.birth_month[ids] >= s.max_age_months[p.group[ids]]
        model.remove(ids[~oldest], Status.LEFT, "attrition")
        model.remove(ids[oldest], Status.RETIRED, "retired")
