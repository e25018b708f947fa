"""Running stocks: headcount and FTE of the people counted, by stage and Welsh ability.

Counting everyone afresh for every month's aggregates, and for the in-post FTE that sizes
each month's vacancies, is a pass over the whole population, though only the few people with
something due have changed. The stocks keep the totals instead, and bring them up to date
when read (``settle``): people whose status, stage or hours change are marked
(``People.set_status`` marks them; a change of hours alone is marked by its process; the compiled
passes mark theirs in the month's buffer, which the joiners' pass counts in its month), each
person's last counted cell and FTE are kept (``counted_as``, ``counted_fte``), and a read
takes out what the marked people counted for and puts in what they count for now.

The totals are exact. Float32 FTEs summed in float64 are exact in any order, adding or
taking away, while every FTE is a multiple of the last place of the smallest and no sum
reaches 2**53 of it: true for FTEs of at least 0.01 and up to 5 million people (``exact``).
So the running totals equal a sum person by person, bit for bit. A run that breaks this (an
FTE far below the rest) has its totals summed afresh, person by person, on every read.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .fte_flows import CHANGED, JOINED, LEFT
from .kernels import compiled
from .kernels.columns import layout, views
from .kernels.month import MARKED, arrays
from .people import COUNTED_STATE, NOT_COUNTED


def exact(low: float, high: float, n: int, dtype=np.float32) -> bool:
    """Whether float64 sums of up to ``n`` FTEs between ``low`` and ``high`` are exact in any
    order: all positive and ``n * high <= 2**(52 - mantissa bits) * low``."""
    return bool(low > 0) and n * high <= _span(dtype) * low


@lru_cache(maxsize=8)
def _span(dtype) -> float:
    """2**(52 - the mantissa bits of ``dtype``), worked out once (every read of the stocks asks)."""
    return 2.0 ** (52 - np.finfo(dtype).nmant)


class Stocks:
    """Headcount (int64) and FTE (float64) of the counted people by cell, ``stage * 2 + Welsh
    ability`` (``cells`` of them), as of the last ``settle``. Each person's move from one cell to
    another is also the FTE they took into, out of or within a group's workforce: ``flows`` (an
    enabled ``sim.fte_flows.FteFlows``) tallies it."""

    def __init__(self, people, n_stages: int, flows=None, month=None):
        self.people = people
        self.flows = flows
        self.month = month  # the compiled passes' month (``sim.processes.passes.Month``): the people they marked
        self.cells = 2 * n_stages
        self.headcount = np.zeros(self.cells, dtype=np.int64)
        self.fte = np.zeros(self.cells)
        self.bounds = np.array([np.inf, 0.0])  # the smallest and largest FTE ever counted

    @property
    def low(self) -> float:
        return float(self.bounds[0])

    @property
    def high(self) -> float:
        return float(self.bounds[1])

    def settle(self, passes: bool = True) -> "Stocks":
        """Bring the totals up to date with the people marked since the last read: those marked from Python
        and, with ``passes``, those the compiled passes marked (before a pass that brings them up to date
        itself, ``passes=False`` leaves them to it)."""
        p, month = self.people, self.month
        pending = int(month.array[MARKED]) if passes and month is not None else 0
        if not p.marked and not pending:
            return self
        marked, p.marked = p.marked + ([month.marked[:pending]] if pending else []), []
        ids = marked[0] if len(marked) == 1 and not isinstance(marked[0], slice) else np.concatenate(
            [np.arange(m.start, m.stop) if isinstance(m, slice) else m for m in marked])
        if pending:
            month.array[MARKED] = 0
        settle_marked(ids, p.count, COUNTED_STATE, p.addresses_of(COUNTED_COLUMNS), self.headcount,
               self.fte, self.bounds, *self.tally())
        return self

    def tally(self) -> tuple[np.ndarray, np.ndarray]:
        """What ``settle`` tallies FTE flows with (``sim.fte_flows``): the group of each cell and the tally,
        or empty arrays when no tally is kept."""
        flows = self.flows
        return (flows.group_of_cell, flows.tally) if flows is not None and flows.enabled else _NO_TALLY


_NO_TALLY = (np.zeros(0, dtype=np.intp), np.zeros((0, 0)))  # no FTE flows tallied
_FLOAT32_SPAN = _span(np.float32)


# the people's columns the stocks read and keep (``sim.kernels.columns``)
COUNTED_COLUMNS = layout(("stage", np.int16), ("welsh", np.bool_), ("state", np.int8), ("fte", np.float32),
                  ("counted_as", np.int16), ("counted_fte", np.float32))


@compiled()
def settle_marked(ids, count, counted_state, people, headcount, fte_sums, bounds, group_of_cell, tally):
    """Move the count of each of ``ids`` from the cell they were counted in to the one they count in
    now (a person marked twice moves once), keeping in ``bounds`` the smallest and largest FTE ever
    counted. With a ``tally`` (``sim.fte_flows``), the FTE each takes out of the group of their old
    cell and into the group of their new one, or changes within one (``group_of_cell``: by cell + 1,
    the cell -1 first). When the sums of the ``count`` people's FTEs would depend on the order of
    adding (``exact``), they are summed afresh, person by person
    in id order. ``people``: the addresses of the ``COUNTED_COLUMNS``."""
    stage, welsh, state, fte, counted_as, counted_fte = views(people, COUNTED_COLUMNS.types)
    low, high = bounds[0], bounds[1]
    for i in ids:
        cell = np.int16(stage[i] * 2 + welsh[i]) if counted_state[state[i]] else np.int16(NOT_COUNTED)
        if counted_as[i] != NOT_COUNTED:
            headcount[counted_as[i]] -= 1
            fte_sums[counted_as[i]] -= counted_fte[i]
        if cell != NOT_COUNTED:
            headcount[cell] += 1
            fte_sums[cell] += fte[i]
            low, high = min(low, np.float64(fte[i])), max(high, np.float64(fte[i]))
        if tally.shape[0]:
            _tally(tally, group_of_cell[counted_as[i] + 1], np.float64(counted_fte[i]), group_of_cell[cell + 1],
                   np.float64(fte[i]))
        counted_as[i], counted_fte[i] = cell, fte[i]
    bounds[0], bounds[1] = low, high
    if low > 0.0 and count * high <= _FLOAT32_SPAN * low:  # ``exact`` of float32 FTEs
        return
    for c in range(headcount.shape[0]):
        headcount[c], fte_sums[c] = 0, 0.0
    for i in range(count):
        if counted_as[i] != NOT_COUNTED:
            headcount[counted_as[i]] += 1
            fte_sums[counted_as[i]] += np.float64(fte[i])


@compiled(inline="always")
def settle_month(month, count, counted_state, people, headcount, fte_sums, bounds, group_of_cell, tally):
    """``settle_marked`` of the people the month's compiled passes marked (``sim.kernels.month``), from a
    pass that reads the stocks: none are left marked."""
    settle_marked(arrays(month)[2][:month[MARKED]], count, counted_state, people, headcount, fte_sums, bounds,
                  group_of_cell, tally)
    month[MARKED] = 0


@compiled(inline="always")
def _tally(tally, was, fte_was, now, fte_now):
    """One person's FTE moved: out of group ``was`` and into ``now``, or changed within one."""
    if was == now:
        tally[CHANGED, now] += fte_now - fte_was
    else:
        tally[LEFT, was] += fte_was
        tally[JOINED, now] += fte_now
