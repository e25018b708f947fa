"""The event log keeps every event in order, across its blocks, and reads back from any bookmark."""

import numpy as np

from sim import eventlog
from sim.eventlog import OUTSIDE, EventLog
from sim.kernels.bookkeeping import EVENTS
from sim.kernels.columns import views_in_python as views


def test_events_read_back_in_order_from_any_bookmark_across_blocks(monkeypatch):
    monkeypatch.setattr(eventlog, "BLOCK", 7)  # small blocks: records fill several, some longer than a block
    log, expected, marks = EventLog(["a", "b"]), [], []
    rng = np.random.default_rng(0)
    for month in range(12):
        marks.append(log.mark)
        n = int(rng.integers(0, 17))
        ids = rng.integers(0, 1000, n)
        reason = "intake" if month % 2 else rng.integers(0, 3, n).astype(np.int16)
        log.record(ids, month, OUTSIDE, 1, reason)
        codes = np.full(n, log.reason_code("intake")) if month % 2 else reason
        expected += [(i, month, OUTSIDE, 1, c) for i, c in zip(ids, codes)]
    assert len(log) == len(expected) > 7 * 3
    for mark in marks + [len(log)]:
        for copy in (True, False):  # uncopied, the same events: views of one block, a copy across blocks
            columns = log.arrays(mark, copy=copy)
            assert [tuple(int(c[k]) for c in columns) for k in range(len(columns[0]))] == expected[mark:]
    ids, months, *_ = log.arrays()
    ids[:] = -5  # a copy: the log keeps its own
    assert log.arrays()[0][0] == expected[0][0]
    last = log.arrays(log.mark - 1, copy=False)[0]  # in the last block: a view of it
    assert np.shares_memory(last, log._blocks[-1][0])


def test_room_reserved_and_not_used_is_freed_when_its_block_closes(monkeypatch):
    """A compiled pass reserves room for as many events as it might write (``reserve``); when the next
    reservation does not fit, the block closes keeping only what was written."""
    monkeypatch.setattr(eventlog, "BLOCK", 10)
    log = EventLog(["a"])
    room, at = log.reserve(8)  # room for 8, 3 written, into the columns at the addresses given
    views(room, EVENTS.types)[0][at: at + 3] = [4, 5, 6]
    log.wrote(3)
    room, at = log.reserve(8)  # 3 + 8 > 10: a new block
    assert at == 0
    views(room, EVENTS.types)[0][:2] = [7, 8]
    log.wrote(2)
    assert [len(block[0]) for block in log._blocks] == [3, 10]  # the first keeps its 3 events, no more
    assert log.arrays()[0].tolist() == [4, 5, 6, 7, 8] and log.arrays(2)[0].tolist() == [6, 7, 8]
