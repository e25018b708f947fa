"""FTE moved into, out of and within each group's workforce, tallied as people change.

A group's FTE changes only when someone joins or leaves its workforce (the joiners and leavers
of ``sim.flows``, at the FTE they bring or take away) or when someone in it changes hours: an
hours review, the hours of a first post on finishing training, a move to a stage with other
hours. The running stocks tally it as they move each person marked as changed from the cell
they were counted in to the one they count in now (``sim.stocks``): from one read of the stocks
to the next, each person's net move, so no process tallies anything of its own. ``workforce run
--check`` verifies that every month's change of each group's FTE is exactly the FTE that joined,
less the FTE that left, plus the net change of hours, and that FTE joins or leaves only with
recorded joiners or leavers (``sim.invariants``); a change nobody marked shows up as stocks that
differ from a count of everyone. Only a checked run keeps the tally.
"""

from __future__ import annotations

import numpy as np

JOINED, LEFT, CHANGED = range(3)
KINDS = ("joined", "left", "changed")


class FteFlows:
    """The tally, (kind, group), since it was last taken; kinds are ``KINDS``. The running stocks
    keep it (``sim.stocks``): a person who moves from one stock's cell to another moves their FTE
    from the group of one to the group of the other. Not ``enabled``: no tally is kept (``take``
    gives None)."""

    def __init__(self, scenario, enabled: bool = True):
        self.enabled = enabled
        n = len(scenario.groups)
        self.nowhere = n  # the bin of people counted in no group's workforce, dropped
        # by cell (stage * 2 + Welsh ability) + 1: the group whose workforce the stage counts in, else
        # none; first, the cell of people not counted
        group_of_stage = np.full(len(scenario.stages), n, dtype=np.intp)
        group_of_stage[scenario.stage_workforce] = scenario.stage_group[scenario.stage_workforce]
        self.group_of_cell = np.concatenate(([n], np.repeat(group_of_stage, 2)))
        self.tally = np.zeros((len(KINDS), n + 1))

    def take(self) -> np.ndarray:
        """The tally by (kind, group) since last taken, and a fresh start."""
        if not self.enabled:
            return None
        out = self.tally[:, : self.nowhere].copy()
        self.tally[:] = 0.0
        return out
