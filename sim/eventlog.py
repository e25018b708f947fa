"""The event log: every transition of every person, as a table.

Each event is (person id, month, from stage, to stage, reason). Stage -1 means outside
the modelled system (a new entrant comes from -1; a leaver goes to -1). Events are kept in
columns that grow as needed, and only turned into a table when asked for.
"""

from __future__ import annotations

import numpy as np

from . import calendar

OUTSIDE = -1


class EventLog:
    def __init__(self, stage_names: list[str], capacity: int = 4096):
        self.stage_names = stage_names
        self.reasons: list[str] = []
        self._reason_code: dict[str, int] = {}
        self._count = 0
        self._columns = _columns(capacity)

    def reason_code(self, reason: str) -> int:
        code = self._reason_code.get(reason)
        if code is None:
            code = self._reason_code[reason] = len(self.reasons)
            self.reasons.append(reason)
        return code

    def record(self, ids, month: int, from_stage, to_stage, reason) -> None:
        """Record events for ``ids``; stages and reason (a string or an array of codes) broadcast."""
        n = len(ids)
        if n == 0:
            return
        start, end = self._count, self._count + n
        if end > len(self._columns[0]):  # grown by half: amortised O(1) an event
            grown = _columns(max(end, len(self._columns[0]) * 3 // 2))
            for old, new in zip(self._columns, grown):
                new[:start] = old[:start]
            self._columns = grown
        person, when, src, dst, why = self._columns
        person[start:end] = ids
        when[start:end] = month
        src[start:end] = from_stage
        dst[start:end] = to_stage
        why[start:end] = self.reason_code(reason) if isinstance(reason, str) else reason
        self._count = end

    def __len__(self) -> int:
        return self._count

    def arrays(self, since: int = 0) -> tuple[np.ndarray, ...]:
        """(ids, months, from, to, reason codes) of the events recorded from bookmark ``since`` on: read-only
        views, valid until the next event is recorded."""
        views = tuple(column[since: self._count] for column in self._columns)
        for view in views:
            view.flags.writeable = False
        return views

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
