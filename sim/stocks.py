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

import numpy as np

from .people import COUNTED_STATE, NOT_COUNTED


def exact(low: float, high: float, n: int, dtype=np.float32) -> bool:
    """Whether float64 sums of up to ``n`` FTEs between ``low`` and ``high`` are exact in any
    order: all positive and ``n * high <= 2**(52 - mantissa bits) * low``."""
    return bool(low > 0) and n * high <= 2.0 ** (52 - np.finfo(dtype).nmant) * low


class Stocks:
    """Headcount (int64) and FTE (float64) of the counted people by cell, ``stage * 2 + Welsh
    ability`` (``cells`` of them), as of the last ``settle``."""

    def __init__(self, people, n_stages: int):
        self.people = people
        self.cells = 2 * n_stages
        self.headcount = np.zeros(self.cells, dtype=np.int64)
        self.fte = np.zeros(self.cells)
        self.low, self.high = np.inf, 0.0  # the smallest and largest FTE ever counted

    def settle(self) -> "Stocks":
        """Bring the totals up to date with the people marked since the last read."""
        p = self.people
        if not p.marked:
            return self
        ids = p.take_marked()
        cell = p.stage[ids] * 2 + p.welsh[ids]
        cell = np.where(COUNTED_STATE[p.state[ids]], cell, NOT_COUNTED).astype(np.int16)
        fte = p.fte[ids]
        now = fte[cell != NOT_COUNTED]
        if len(now):
            self.low, self.high = min(self.low, float(now.min())), max(self.high, float(now.max()))
        before, before_fte = p.counted_as[ids], p.counted_fte[ids]
        p.counted_as[ids], p.counted_fte[ids] = cell, fte
        if not exact(self.low, self.high, p.count):  # sums would depend on the order of adding
            return self._recount()
        self.headcount += self._count(cell) - self._count(before)
        self.fte += self._count(cell, fte) - self._count(before, before_fte)
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
