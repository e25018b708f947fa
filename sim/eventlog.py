"""The event log: every transition of every person, as a table.

Each event is (person id, month, from stage, to stage, reason). Stage -1 means outside
the modelled system (a new entrant comes from -1; a leaver goes to -1). Events are kept in
blocks of columns, a new block when the next events might not fit in the last (so recording
copies what was recorded at most once, when its block is closed and keeps only what was written,
and a compiled pass can write a batch of events straight into the room ``reserve`` gives), and
only turned into a table when asked for.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from . import calendar
from .kernels.bookkeeping import EVENTS, as_each, write_events
from .kernels.columns import addresses

OUTSIDE = -1
STOCK, STOCK_RETURNED = "stock", "stock_returned"  # the starting stock's reasons: there, and there back after retiring
STOCK_REASONS = (STOCK, STOCK_RETURNED)
BLOCK = 1 << 12  # events a block holds (more if one batch needs more): small, as a run's last block is mostly room unused


class EventLog:
    def __init__(self, stage_names: list[str]):
        self.stage_names = stage_names
        self.reasons: list[str] = []
        self._reason_code: dict[str, int] = {}
        self._count = 0
        self._blocks: list[tuple[np.ndarray, ...]] = []  # each filled up to its entry of _filled
        self._filled: list[int] = []
        self._starts: list[int] = []  # the number of events before each block
        self._room = NO_ROOM  # the addresses of the last block's columns, for the compiled passes writing in it

    def code_of(self, reason: str) -> int:
        """A reason's code, or -1 if no event has had it (without adding it, as ``reason_code`` does)."""
        return self._reason_code.get(reason, -1)

    def reason_code(self, reason: str) -> int:
        code = self._reason_code.get(reason)
        if code is None:
            code = self._reason_code[reason] = len(self.reasons)
            self.reasons.append(reason)
        return code

    def record(self, ids, month: int, from_stage, to_stage, reason) -> None:
        """Record events for ``ids``; stages and reason (a string, a code or an array of codes) broadcast."""
        n = len(ids)
        if n == 0:
            return
        columns, at = self.reserve(n)
        write_events(columns, at, np.asarray(ids, dtype=np.int64), month, as_each(from_stage, np.int16),
                     as_each(to_stage, np.int16),
                     as_each(self.reason_code(reason) if isinstance(reason, str) else reason, np.int16))
        self.wrote(n)

    def reserve(self, n: int) -> tuple[np.ndarray, int]:
        """Room for the next ``n`` events: the addresses of a block's columns (``sim.kernels.columns``)
        and the row they start at (the last block, or a new one if they do not fit in it). Whoever
        writes them there says so (``wrote``)."""
        if not self._blocks or self._filled[-1] + n > len(self._blocks[-1][0]):
            if self._blocks:  # the last block keeps only what was written: room reserved and not used is freed
                self._blocks[-1] = tuple(column[: self._filled[-1]].copy() for column in self._blocks[-1])
            self._blocks.append(_columns(max(BLOCK, n)))
            self._room = _addresses(self._blocks[-1])
            self._starts.append(self._count)
            self._filled.append(0)
        return self._room, self._filled[-1]

    def __setstate__(self, state: dict) -> None:
        """A copy (or an unpickled log) gives the addresses of its own last block, not the original's."""
        self.__dict__.update(state)
        self._room = _addresses(self._blocks[-1]) if self._blocks else NO_ROOM

    def wrote(self, n: int) -> None:
        """Count ``n`` events written into the room ``reserve`` gave."""
        self._filled[-1] += n
        self._count += n

    def __len__(self) -> int:
        return self._count

    def arrays(self, since: int = 0, copy: bool = True) -> tuple[np.ndarray, ...]:
        """(ids, months, from, to, reason codes) of the events recorded from bookmark ``since`` on; with
        ``copy`` false, views of the log's block where they are all in one (read them before the next event
        is written: a record's, read as it is made)."""
        first = max(bisect_right(self._starts, since) - 1, 0)
        parts = [tuple(column[max(since - start, 0): filled] for column in block)
                 for block, start, filled in zip(self._blocks[first:], self._starts[first:], self._filled[first:])]
        if len(parts) == 1:
            return tuple(column.copy() for column in parts[0]) if copy else parts[0]
        return tuple(np.concatenate(columns) for columns in zip(*parts)) if parts else _columns(0)

    @property
    def mark(self) -> int:
        """A bookmark: pass it to ``arrays(since=...)`` to get the events recorded after it."""
        return self._count

    def table(self, person_id: int | None = None):
        """Events (all, or one person's) as a pandas DataFrame with readable stage and reason names."""
        import pandas as pd

        ids, months, src, dst, reason = self.arrays()
        if person_id is not None:
            keep = ids == person_id
            ids, months, src, dst, reason = ids[keep], months[keep], src[keep], dst[keep], reason[keep]
        names = np.array(self.stage_names + ["outside"], dtype=object)
        reasons = np.array(self.reasons or [""], dtype=object)
        order = np.argsort(months, kind="stable")  # keeps the order processes ran in
        return pd.DataFrame({
            "person_id": ids[order],
            "month": [calendar.label(m) for m in months[order]],
            "from_stage": names[src[order]],
            "to_stage": names[dst[order]],
            "reason": reasons[reason[order]],
        })

    def history(self, person_id: int):
        """One person's full career history, in order."""
        return self.table(person_id)


def _columns(capacity: int) -> tuple[np.ndarray, ...]:
    """Empty columns of (ids, months, from, to, reason codes)."""
    return (np.zeros(capacity, np.int64), np.zeros(capacity, np.int32), np.zeros(capacity, np.int16),
            np.zeros(capacity, np.int16), np.zeros(capacity, np.int16))


def _addresses(block: tuple[np.ndarray, ...]) -> np.ndarray:
    return addresses(list(block), EVENTS)


_NONE = _columns(0)
NO_ROOM = _addresses(_NONE)  # the block of a compiled pass told to record nothing
