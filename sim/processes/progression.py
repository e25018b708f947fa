"""Progression: people whose stage ends this month take one of its transitions.

The end month was drawn when the person entered the stage (full-time duration, divided by
the LTFT fraction for less-than-full-time trainees), so this step only compares it with
the clock. The transition is drawn from the stage's outgoing probabilities; an ``exit:``
transition takes the person out of the modelled workforce with that reason.
"""

from typing import NamedTuple

import numba
import numpy as np

from ..kernels.bookkeeping import in_states, leave
from ..kernels.choice import pick
from ..kernels.columns import layout, views
from ..kernels.streams import uniform
from ..people import GONE, Status, states
from ..rng import ShareTable
from . import Process


class Progression(Process):
    decisions = {"progression": "a person finishing a stage: the transition they take"}

    def compile(self, s) -> "_Transitions":
        """Every stage's transitions as one table (a row per stage), labelled with the target stage, and
        each exit's reason code."""
        table = ShareTable.from_cumulative(s.transition_cumulative, s.transition_targets)
        codes = np.zeros(table.labels.shape, dtype=np.int16)
        for stage, (targets, reasons) in enumerate(zip(s.transition_targets, s.transition_reasons)):
            for k in np.flatnonzero(targets < 0):
                codes[stage, k] = self.model.events.reason_code(f"exit:{reasons[k]}")
        return _Transitions(table, codes)

    def step(self) -> None:
        model, (table, codes) = self.model, self.tables
        p, now = model.people, model.now
        due = model.due_list()
        columns, at = model.events.reserve(len(due))
        salt = model.streams.salts(("progression",), now)[0]
        leavers, movers, targets, sources = finish(
            due, now, states(Status.TRAINING, Status.IN_POST), salt, table.cumulative, table.total, table.last,
            table.labels, codes, np.int8(Status.LEFT), GONE, p.addresses_of(_FINISH), columns, at)
        model.events.wrote(len(leavers))
        p.mark(leavers)
        model.enter_stage(movers, targets, "progressed", from_stage=sources)


class _Transitions(NamedTuple):
    table: ShareTable  # each stage's transitions: shares, and targets as labels (-1: an exit)
    codes: np.ndarray  # (stage, transition): an exit's reason code


# the people's columns finishing a stage reads and writes (``sim.kernels.columns``)
_FINISH = layout(("key", np.uint64), ("stage", np.int16), ("stage_due", np.int32), ("status", np.int8),
                 ("active", np.bool_), ("state", np.int8), ("next_due", np.int32))


@numba.njit(cache=True)
def finish(due, now, chosen, salt, cumulative, total, last, labels, codes, left, gone, people, columns, at):
    """The people of ``due`` (in a state ``chosen`` marks) whose stage ends this month each take a
    transition drawn (as ``ShareTable.pick`` would) with their stage's shares: one pass, not a dozen
    small array operations a month. The leavers leave (their events written from row ``at`` of
    ``columns``, with their exit's reason code); returns them, and the movers, their target stages and
    the stages they leave (``people``: the addresses of the ``_FINISH`` columns)."""
    key, stage, stage_due, status, active, state, next_due = views(people, _FINISH.types)
    ids = in_states(due, state, chosen, stage_due, now)
    n = ids.shape[0]
    leavers, reasons = np.empty(n, np.int64), np.empty(n, np.int16)
    movers, targets, sources = np.empty(n, np.int64), np.empty(n, np.int16), np.empty(n, np.int16)
    out, moved = 0, 0
    for j in range(n):
        i = ids[j]
        st = stage[i]
        k = pick(uniform(key[i], salt), st, cumulative, total, last)
        target = labels[st, k]
        if target < 0:
            leavers[out], reasons[out] = i, codes[st, k]
            out += 1
        else:
            movers[moved], targets[moved], sources[moved] = i, target, st
            moved += 1
    leave(leavers[:out], now, reasons[:out], left, gone, stage, status, active, state, next_due, columns, at)
    return leavers[:out], movers[:moved], targets[:moved], sources[:moved]
