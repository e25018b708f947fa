"""A category drawn for each person from a row of shares, compiled (as ``sim.rng.ShareTable.pick``)."""

import numba
import numpy as np


@numba.njit(cache=True, inline="always")
def pick(u, row, cumulative, total, last):
    """The category ``u`` falls in with the shares of ``row``: the number of categories whose cumulative
    share (scaled to ``u``'s range) is at most ``u``, never past the row's last."""
    u = u * total[row]
    k = 0
    for c in range(cumulative.shape[1]):
        if cumulative[row, c] <= u:
            k += 1
    return min(k, last[row])


@numba.njit(cache=True)
def picks(u, rows, cumulative, total, last):
    """``pick`` for each uniform ``u[j]`` with the shares of ``rows[j]``."""
    out = np.empty(u.shape[0], dtype=np.int64)
    for j in range(u.shape[0]):
        out[j] = pick(u[j], rows[j], cumulative, total, last)
    return out
