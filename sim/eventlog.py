"""The event log: every transition of every person, as a table.

Each event is (person id, month, from stage, to stage, reason). Stage -1 means outside
the modelled system (a new entrant comes from -1; a leaver goes to -1). Events are kept in
blocks of columns, a new block when the last is full (so recording never copies what was
recorded), and only turned into a table when asked for.
"""

from __future__ import annotations

import numpy as np

from . import calendar
from .kernels.bookkeeping import write_events

OUTSIDE = -1
BLOCK = 1 << 16  # events a block holds


class EventLog:
    def __init__(self, stage_names: list[str]):
        self.stage_names = stage_names
        self.reasons: list[str] = []
        self._reason_code: dict[str, int] = {}
        self._count = 0
        self._blocks: list[tuple[np.ndarray, ...]] = []  # each BLOCK events long; the last filled up to _count

    def reason_code(self, reason: str) -> int:
        code = self._reason_code.get(reason)
        if code is None:
            code = self._reason_code[reason] = len(self.reasons)
            self.reasons.append(reason)
        return code

    def known(self, reason: str) -> int:
        """The code of a reason already used, -1 if it has not been (``reason_code`` gives it one)."""
        return self._reason_code.get(reason, -1)

    def record(self, ids, month: int, from_stage, to_stage, reason) -> None:
        """Record events for ``ids``; stages and reason (a string, a code or an array of codes) broadcast."""
        n = len(ids)
        if n == 0:
            return
        values = (ids, month, from_stage, to_stage, self.reason_code(reason) if isinstance(reason, str) else reason)
        done = 0
        while done < n:  # into the last block, and new blocks as it fills: nothing recorded is ever copied
            at = self._count % BLOCK
            if at == 0 and self._count == len(self._blocks) * BLOCK:
                self._blocks.append(_columns(BLOCK))
            take = min(n - done, BLOCK - at)
            write_events(*self._blocks[-1], at, done, take, *values)
            done += take
            self._count += take

    def room(self, n: int) -> tuple | None:
        """The last block's columns and the row the next event goes in, when the next ``n`` events fit
        in it (for compiled passes that record as they go; they add ``n`` to the count, ``wrote``)."""
        at = self._count % BLOCK
        if at + n <= BLOCK and (at or self._count < len(self._blocks) * BLOCK):
            return self._blocks[-1], at
        return None

    def wrote(self, n: int) -> None:
        """Count ``n`` events written into the ``room`` given."""
        self._count += n

    def __len__(self) -> int:
        return self._count

    def arrays(self, since: int = 0) -> tuple[np.ndarray, ...]:
        """(ids, months, from, to, reason codes) of the events recorded from bookmark ``since`` on."""
        first, last = since // BLOCK, -(-self._count // BLOCK)
        parts = [tuple(column[max(since - b * BLOCK, 0): self._count - b * BLOCK] for column in self._blocks[b])
                 for b in range(first, last)]
        if len(parts) == 1:
            return tuple(column.copy() for column in parts[0])
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
