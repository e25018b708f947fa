"""The monthly processes, each a ``Process`` (named by its class in ``model.timings``); the order
they run in is ``sim.processes.order.STEP_ORDER``. A module per process, except the three exits
(attrition, leaving, retirement), which share one clock in ``exits``.

A process declares what it owns, and the model is assembled from the declarations of the
processes it runs: the sections of the scenario file it reads (``sections``, and ``group_sections``
under each staff group, checked as every section is: ``sim.scenario.schema``), the per-person
fields it keeps (``fields``: ``sim.people``) and the random decisions it draws (``decisions``:
``sim.decisions``). It owns what it works out from the scenario for its step (its ``tables``),
keeps them as its own attributes, and works them out again only when levers have changed the
scenario (``Scenario.revision``), not every month. So a new process is one module and one line in
``STEP_ORDER``. A process whose month is one compiled pass is a ``Pass`` (``sim.processes.passes``):
the passes of consecutive ones run as one compiled call a month, and a process with nothing to do
in a month (``idle``) is left out of it, so that those either side of it run together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import InputError


class Process:
    """A monthly process of one model: ``step`` runs its month."""

    sections: dict[str, tuple] = {}  # its sections of the scenario file: key -> (type, default or ... if required)
    group_sections: dict[str, tuple] = {}  # its sections under each staff group, the same way
    fields: tuple = ()  # the per-person fields it keeps (sim.people.Field)
    decisions: dict[str, str] = {}  # the random decisions it draws: stream name -> what it decides

    def __init__(self, model):
        self.model = model
        self._tables, self._revision = None, None

    @classmethod
    def name(cls) -> str:
        """The process's name in ``model.timings``: its class's, in snake case (``WelshLearning``: welsh_learning)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    @property
    def tables(self):
        """What ``compile`` works out from the scenario, as of the levers in force."""
        s = self.model.inputs
        if self._revision != s.revision:
            self._tables, self._revision = self.compile(s), s.revision
        return self._tables

    def compile(self, s):
        """This process's tables from the scenario (none by default)."""
        return None

    def idle(self) -> bool:
        """Whether it has nothing to do this month, as known before the month's steps: its step is then
        left out, and the passes either side of it run as one compiled call (``sim.processes.passes``)."""
        return False

    def step(self) -> None:
        raise NotImplementedError


def checked(processes, where: str) -> tuple:
    """``processes`` as a tuple of distinct ``Process`` subclasses, or an ``InputError`` naming ``where``:
    a string or a class alone is not a list of them, and a process listed twice would run twice a month."""
    kinds = tuple(processes) if isinstance(processes, Iterable) and not isinstance(processes, (str, type)) else ()
    if (not kinds or not all(isinstance(p, type) and issubclass(p, Process) for p in kinds)
            or len(set(kinds)) < len(kinds)):
        raise InputError.one(where, "processes", "a list of monthly processes (sim.processes.Process subclasses), "
                                                 "each once, in the order they run", processes)
    return kinds
