"""Running stocks: headcount and FTE of the people counted, by stage and Welsh ability.

Counting everyone afresh for every month's aggregates, and for the in-post FTE that sizes
each month's vacancies, is a pass over the whole population, though only the few people with
something due have changed. The stocks keep the totals instead, and bring them up to date
when read (``settle``): people whose status, stage or hours change are marked
(``People.set_status`` marks them; a change of hours alone is marked by its process), each
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

import numba
import numpy as np

from .fte_flows import CHANGED, JOINED, LEFT
from .kernels.columns import layout, views
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

    def __init__(self, people, n_stages: int, flows=None):
        self.people = people
        self.flows = flows
        self.cells = 2 * n_stages
        self.headcount = np.zeros(self.cells, dtype=np.int64)
        self.fte = np.zeros(self.cells)
        self.low, self.high = np.inf, 0.0  # the smallest and largest FTE ever counted

    def settle(self) -> "Stocks":
        """Bring the totals up to date with the people marked since the last read."""
        p = self.people
        if not p.marked:
            return self
        marked, p.marked = p.marked, []
        ids = marked[0] if len(marked) == 1 and not isinstance(marked[0], slice) else np.concatenate(
            [np.arange(m.start, m.stop) if isinstance(m, slice) else m for m in marked])
        flows = self.flows if self.flows is not None and self.flows.enabled else None
        low, high = _settle(ids, COUNTED_STATE, p.addresses_of(_COUNTED), self.headcount, self.fte,
                            *((flows.group_of_cell, flows.tally) if flows else _NO_TALLY))
        self.low, self.high = min(self.low, low), max(self.high, high)
        if not exact(self.low, self.high, p.count):  # the sums would depend on the order of adding
            return self._recount()
        return self

    def _count(self, cell: np.ndarray, fte: np.ndarray | None = None) -> np.ndarray:
        """Count (or FTE) by cell; ``NOT_COUNTED`` (-1) goes in a bin of its own, dropped."""
        return np.bincount(cell + 1, weights=fte, minlength=self.cells + 1)[1:]

    def _recount(self) -> "Stocks":
        """The totals summed afresh, person by person in id order."""
        p = self.people
        cell = p.counted_as[: p.count]
        self.headcount = self._count(cell)
        self.fte = self._count(cell, p.fte[: p.count])
        return self


_NO_TALLY = (np.zeros(0, dtype=np.intp), np.zeros((0, 0)))  # no FTE flows tallied


# the people's columns the stocks read and keep (``sim.kernels.columns``)
_COUNTED = layout(("stage", np.int16), ("welsh", np.bool_), ("state", np.int8), ("fte", np.float32),
                  ("counted_as", np.int16), ("counted_fte", np.float32))


@numba.njit(cache=True)
def _settle(ids, counted_state, people, headcount, fte_sums, group_of_cell, tally):
    """Move each person's count from the cell they were counted in to the one they count in now (a
    person marked twice moves once); the smallest and largest FTE now counted among them. With a
    ``tally`` (``sim.fte_flows``), the FTE each takes out of the group of their old cell and into the
    group of their new one, or changes within one (``group_of_cell``: by cell + 1, the cell -1 first);
    ``people``: the addresses of the ``_COUNTED`` columns."""
    stage, welsh, state, fte, counted_as, counted_fte = views(people, _COUNTED.types)
    low, high = np.inf, 0.0
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
    return low, high


@numba.njit(cache=True, inline="always")
def _tally(tally, was, fte_was, now, fte_now):
    """One person's FTE moved: out of group ``was`` and into ``now``, or changed within one."""
    if was == now:
        tally[CHANGED, now] += fte_now - fte_was
    else:
        tally[LEFT, was] += fte_was
        tally[JOINED, now] += fte_now
