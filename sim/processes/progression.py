"""Progression: people whose stage ends this month take one of its transitions.

The end month was drawn when the person entered the stage (full-time duration, divided by
the LTFT fraction for less-than-full-time trainees), so this step only compares it with
the clock. The transition is drawn from the stage's outgoing probabilities; an ``exit:``
transition takes the person out of the modelled workforce with that reason.
"""

import numpy as np

from ..people import Status
from ..rng import ShareTable
from . import Process


class Progression(Process):
    decisions = {"progression": "a person finishing a stage: the transition they take"}

    def compile(self, s) -> ShareTable:
        """Every stage's transitions as one table (a row per stage)."""
        return ShareTable.from_cumulative(s.transition_cumulative, s.transition_targets)

    def step(self) -> None:
        model = self.model
        s, p, now = model.inputs, model.people, model.now
        ids = model.due(Status.TRAINING, Status.IN_POST)
        ids = ids[p.stage_due[ids] <= now]
        if len(ids) == 0:
            return
        stages = p.stage[ids]
        table = self.tables
        chosen = model.streams.choice("progression", now, p.key[ids], table, stages)
        target = table.labels[stages, chosen]
        exits = target < 0
        reason = np.zeros(table.labels.shape, dtype=np.int16)
        model.events.reason_code("progressed")  # reason codes in order of first use, as the event table lists them
        for cell in np.unique(stages[exits] * table.labels.shape[1] + chosen[exits]):  # the exits taken, in order
            stage, k = divmod(int(cell), table.labels.shape[1])
            reason[stage, k] = model.events.reason_code(f"exit:{s.transition_reasons[stage][k]}")
        model.remove(ids[exits], Status.LEFT, reason[stages[exits], chosen[exits]])
        movers = ~exits
        model.enter_stage(ids[movers], target[movers], "progressed", from_stage=stages[movers])
