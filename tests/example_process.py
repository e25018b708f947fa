"""A new process in one file: staff in post learn Welsh.

The example of ``sim.processes``: a process declares the section of the scenario it reads (here
``welsh_learning`` under a staff group), the per-person field it keeps, and the random decision
it draws, and implements its month. A model runs it with one more entry in its step order:

    WorkforceModel(scenario, processes=STEP_ORDER + (WelshLearning,))
"""

from __future__ import annotations

import numpy as np

from sim.fields import Probability, Strict
from sim.people import NEVER, Field, Status
from sim.processes import Process


class WelshLearningSpec(Strict):
    """A group's ``welsh_learning``: the yearly chance that someone in post without Welsh learns it."""

    rate: Probability


class WelshLearning(Process):
    group_sections = {"welsh_learning": (WelshLearningSpec | None, None)}
    fields = (Field("welsh_learned", "int32", NEVER, "month the person learned Welsh in post (max int if not)"),)
    decisions = {"welsh_learning": "a person in post without Welsh: learning it this month or not"}

    def compile(self, s) -> np.ndarray:
        """Each group's monthly chance of learning, from its yearly rate (0 for groups without one)."""
        sections = [s.spec.groups[g].welsh_learning for g in s.groups]
        return np.array([1.0 - (1.0 - x.rate) ** (1 / 12) if x else 0.0 for x in sections])

    def step(self) -> None:
        model, monthly = self.model, self.tables
        p = model.people
        ids = model.in_status(Status.IN_POST)
        ids = ids[~p.welsh[ids] & (monthly[p.group[ids]] > 0)]
        learning = ids[model.streams.uniform("welsh_learning", model.now, p.key[ids]) < monthly[p.group[ids]]]
        p.welsh[learning] = True
        p.welsh_learned[learning] = model.now
        p.mark(learning)  # the stocks count them as Welsh speakers from now on (sim.stocks)
