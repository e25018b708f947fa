"""FTE moved into, out of and within each group's workforce, tallied as people change.

A group's FTE changes only when someone joins or leaves its workforce (the joiners and leavers
of ``sim.flows``, at the FTE they bring or take away) or when someone in it changes hours: an
hours review, the hours of a first post on finishing training, a move to a stage with other
hours. Each process that changes people's status, stage or hours notes where they counted
before and after (``where``, then ``moved``); ``workforce run --check`` verifies that every
month's change of each group's FTE is exactly the FTE that joined, less the FTE that left,
plus the net change of hours (``sim.invariants``). A change of hours that no process tallied
shows up there. Only a checked run keeps the tally: it costs a tenth of a run.
"""

from __future__ import annotations

import numpy as np

from .people import COUNTED_STATE

JOINED, LEFT, CHANGED = range(3)
KINDS = ("joined", "left", "changed")


class FteFlows:
    """The tally, (kind, group), since it was last taken; kinds are ``KINDS``. Not ``enabled``: no
    tally is kept (``where`` gives None, ``moved`` does nothing, ``take`` gives None)."""

    def __init__(self, scenario, enabled: bool = True):
        self.enabled = enabled
        n = len(scenario.groups)
        self.nowhere = n  # the bin of people counted in no group's workforce, dropped
        # each stage's group if it is a workforce stage, else none; stage -1 (not yet in one) at the end
        self._group_of_stage = np.full(len(scenario.stages) + 1, n, dtype=np.intp)
        self._group_of_stage[:-1][scenario.stage_workforce] = scenario.stage_group[scenario.stage_workforce]
        self.tally = np.zeros((len(KINDS), n + 1))

    def where(self, people, ids) -> tuple[np.ndarray, np.ndarray]:
        """The group whose workforce each person counts in (``nowhere`` if none) and their FTE."""
        if not self.enabled:
            return None
        group = np.where(COUNTED_STATE[people.state[ids]], self._group_of_stage[people.stage[ids]], self.nowhere)
        return group, people.fte[ids].astype(np.float64)

    def moved(self, before: tuple, after: tuple) -> None:
        """Tally the change between ``where`` before and after: leaving one group's workforce and
        joining another's, or a change of hours within one."""
        if not self.enabled:
            return
        (was, fte_was), (now, fte_now) = before, after
        same, n = was == now, self.nowhere + 1
        self.tally[CHANGED] += np.bincount(now[same], weights=(fte_now - fte_was)[same], minlength=n)
        self.tally[LEFT] += np.bincount(was[~same], weights=fte_was[~same], minlength=n)
        self.tally[JOINED] += np.bincount(now[~same], weights=fte_now[~same], minlength=n)

    def take(self) -> np.ndarray:
        """The tally by (kind, group) since last taken, and a fresh start."""
        if not self.enabled:
            return None
        out = self.tally[:, : self.nowhere].copy()
        self.tally[:] = 0.0
        return out
