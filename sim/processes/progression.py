"""Progression: people whose stage ends this month take one of its transitions.

The end month was drawn when the person entered the stage (full-time duration, divided by
the LTFT fraction for less-than-full-time trainees), so this step only compares it with
the clock. The transition is drawn from the stage's outgoing probabilities; an ``exit:``
transition takes the person out of the modelled workforce with that reason.
"""

from typing import NamedTuple

import numba
import numpy as np

from ..kernels.choice import pick
from ..kernels.streams import uniform
from ..people import Status
from ..rng import ShareTable
from . import Process


class Progression(Process):
    decisions = {"progression": "a person finishing a stage: the transition they take"}

    def compile(self, s) -> "_Transitions":
        """Every stage's transitions as one table (a row per stage), with the reason of each exit."""
        table = ShareTable.from_cumulative(s.transition_cumulative, s.transition_targets)
        width = table.labels.shape[1]
        exits = [None] * table.labels.size  # by cell (stage * width + transition): its reason, None if no exit
        for stage, (targets, reasons) in enumerate(zip(s.transition_targets, s.transition_reasons)):
            for k in np.flatnonzero(targets < 0):
                exits[stage * width + k] = f"exit:{reasons[k]}"
        return _Transitions(table, exits, self._codes(exits))

    def _codes(self, exits: list) -> np.ndarray:
        """Each cell's reason code, -1 until the reason is first used: codes go in order of first use
        (``EventLog.reason_code``), as the event table lists them, so none is given ahead of its use."""
        return np.array([-1 if reason is None else self.model.events.known(reason) for reason in exits], dtype=np.int16)

    def step(self) -> None:
        model = self.model
        p, now = model.people, model.now
        ids = model.due(Status.TRAINING, Status.IN_POST, by="stage_due")
        if len(ids) == 0:
            return
        t = self.tables
        table = t.table
        leavers, cells, reasons, new, movers, targets, sources = finish(
            ids, model.streams.salts(("progression",), now, p.key[ids])[0], table.cumulative, table.total,
            table.last, table.labels, t.codes, p.key, p.stage)
        model.events.reason_code("progressed")  # reason codes in order of first use, as the event table lists them
        if new:  # an exit taken for the first time: its reason's code is the next, the exits taken in cell order
            for cell in np.unique(cells):
                model.events.reason_code(t.exits[cell])
            t.codes[:] = self._codes(t.exits)
            reasons = t.codes[cells]
        model.remove(leavers, Status.LEFT, reasons)
        model.enter_stage(movers, targets, "progressed", from_stage=sources)


class _Transitions(NamedTuple):
    table: ShareTable  # each stage's transitions: shares, and targets as labels (-1: an exit)
    exits: list  # by cell: the exit's reason, None for a move to a stage
    codes: np.ndarray  # by cell: the exit reason's code, -1 until first used (kept up to date by ``step``)


@numba.njit(cache=True)
def finish(ids, salt, cumulative, total, last, labels, codes, key, stage):
    """The people ``ids`` finishing their stage, each taking a transition drawn (as ``ShareTable.pick``
    would) with their stage's shares: one pass, not a dozen small array operations a month. Returns
    the leavers, their cells (stage * width + transition) and reason codes, whether any code is still
    -1 (a reason not used before), and the movers, their target stages and the stages they leave."""
    n, width = ids.shape[0], labels.shape[1]
    leavers, cells, reasons = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int16)
    movers, targets, sources = np.empty(n, np.int64), np.empty(n, np.int16), np.empty(n, np.int16)
    out, moved, new = 0, 0, False
    for j in range(n):
        i = ids[j]
        st = stage[i]
        k = pick(uniform(key[i], salt), st, cumulative, total, last)
        target = labels[st, k]
        if target < 0:
            leavers[out], cells[out] = i, st * width + k
            reasons[out] = codes[cells[out]]
            new |= reasons[out] < 0
            out += 1
        else:
            movers[moved], targets[moved], sources[moved] = i, target, st
            moved += 1
    return leavers[:out], cells[:out], reasons[:out], new, movers[:moved], targets[:moved], sources[:moved]
