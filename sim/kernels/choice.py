"""A category drawn for each person from a row of shares, compiled (as ``sim.rng.ShareTable.pick``)."""

import numpy as np

from . import compiled


@compiled(inline="always")
def pick(u, row, cumulative, total, last):
    """The category ``u`` falls in with the shares of ``row``: the number of categories whose cumulative
    share (scaled to ``u``'s range) is at most ``u``, never past the row's last."""
    u = u * total[row]
    k = 0
    for c in range(cumulative.shape[1]):
        if cumulative[row, c] <= u:
            k += 1
    return min(k, last[row])


@compiled()
def picks(u, rows, cumulative, total, last):
    """``pick`` for each uniform ``u[j]`` with the shares of ``rows[j]``."""
    out = np.empty(u.shape[0], dtype=np.int64)
    for j in range(u.shape[0]):
        out[j] = pick(u[j], rows[j], cumulative, total, last)
    return out


@compiled(inline="always")
def pick_open(u, row, cumulative, last, labels, closed):
    """``pick`` among the row's categories whose label is not a ``closed`` stage, their shares scaled up to
    the whole (the same ``u``); -1 if every one is closed."""
    open_total, before = 0.0, 0.0
    for c in range(last[row] + 1):
        if not (labels[row, c] >= 0 and closed[labels[row, c]]):
            open_total += cumulative[row, c] - before
        before = cumulative[row, c]
    if open_total <= 0.0:
        return -1
    u, before, found, k = u * open_total, 0.0, 0.0, -1
    for c in range(last[row] + 1):
        share, before = cumulative[row, c] - before, cumulative[row, c]
        if labels[row, c] >= 0 and closed[labels[row, c]]:
            continue
        k, found = c, found + share
        if u < found:
            return c
    return k  # rounding: the last open one
