"""Progression: people whose stage ends this month take one of its transitions.

The end month was drawn when the person entered the stage (full-time duration, divided by
the LTFT fraction for less-than-full-time trainees), so this step only compares it with
the clock. The transition is drawn from the stage's outgoing probabilities; an ``exit:``
transition takes the person out of the modelled workforce with that reason.
"""

import numpy as np

from ..people import Status


def step(model) -> None:
    s, p, now = model.inputs, model.people, model.now
    ids = model.in_status(Status.TRAINING, Status.IN_POST)
    ids = ids[p.stage_due[ids] <= now]
    if len(ids) == 0:
        return
    u = model.streams.uniform("progression", now, p.key[ids])
    stages = p.stage[ids]
    for stage in np.unique(stages):
        here = stages == stage
        chosen = np.minimum(np.searchsorted(s.transition_cumulative[stage], u[here] * s.transition_cumulative[stage][-1],
                                            side="right"), len(s.transition_targets[stage]) - 1)
        movers = ids[here]
        targets = s.transition_targets[stage][chosen]
        for k in np.unique(chosen):
            group = movers[chosen == k]
            target = int(s.transition_targets[stage][k])
            reason = s.transition_reasons[stage][k]
            if target < 0:
                model.remove(group, Status.LEFT, f"exit:{reason}")
            else:
                model.enter_stage(group, target, "progressed", from_stage=stage)
        del targets
