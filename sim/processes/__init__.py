"""The monthly processes, each a ``Process`` (named by its class in ``model.timings``); the order
they run in is ``sim.model.PROCESSES``. A module per process, except the three exits (attrition,
leaving, retirement), which share one clock in ``exits``.

A process owns what it works out from the scenario for its step (its ``tables``): it keeps them
as its own attributes, and works them out again only when levers have changed the scenario
(``Scenario.revision``), not every month.
"""


class Process:
    """A monthly process of one model: ``step`` runs its month."""

    def __init__(self, model):
        self.model = model
        self._tables, self._revision = None, None

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

    def step(self) -> None:
        raise NotImplementedError
