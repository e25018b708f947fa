"""The event log: every transition of every person, as a table.

Each event is (person id, month, from stage, to stage, reason). Stage -1 means outside
the modelled system (a new entrant comes from -1; a leaver goes to -1). Events are kept as
numpy chunks, one per process call, and only turned into a table when asked for.
"""

from __future__ import annotations

import numpy as np

from . import calendar

OUTSIDE = -1


class EventLog:
    def __init__(self, stage_names: list[str]):
        self.stage_names = stage_names
        self.reasons: list[str] = []
        self._reason_code: dict[str, int] = {}
        self._chunks: list[tuple[np.ndarray, ...]] = []

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
        codes = np.full(n, self.reason_code(reason), np.int16) if isinstance(reason, str) else reason.astype(np.int16)
        self._chunks.append((
            np.asarray(ids, dtype=np.int64),
            np.full(n, month, np.int32),
            _column(from_stage, n),
            _column(to_stage, n),
            codes,
        ))

    def __len__(self) -> int:
        return sum(len(c[0]) for c in self._chunks)

    def arrays(self, since: int = 0) -> tuple[np.ndarray, ...]:
        """(ids, months, from, to, reason codes) for chunks from index ``since`` on."""
        chunks = self._chunks[since:]
        if not chunks:
            empty = np.zeros(0, np.int64)
            return empty, empty.astype(np.int32), *(empty.astype(np.int16),) * 3
        return tuple(np.concatenate(col) for col in zip(*chunks))

    def merged(self, since: int) -> tuple[np.ndarray, ...]:
        """``arrays(since)``, with those chunks merged into one: a month's many small chunks would
        cost more memory in array headers than in events."""
        columns = self.arrays(since)
        if len(self._chunks) - since > 1:
            self._chunks[since:] = [columns]
        return columns

    @property
    def mark(self) -> int:
        """A bookmark: pass it to ``arrays(since=...)`` to get the events recorded after it."""
        return len(self._chunks)

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


def _column(value, n: int) -> np.ndarray:
    """An int16 column of length n from a scalar or an array."""
    return value.astype(np.int16, copy=False) if isinstance(value, np.ndarray) and value.ndim else np.full(n, value, np.int16)
