"""The bookkeeping of people changing place, compiled: recording their events, setting their status,
and finding, of the people with something due, those whose month has come for a process. Each is a
handful of column writes a process makes several times a month; one compiled pass costs less than
the numpy calls it replaces.

A value given once for everyone, or one per person (a stage, a reason, a status, whether people
stay active), is read with ``each``: a scalar or an array of one broadcasts, as numpy would
broadcast it. Values from Python are given as arrays (``as_each``), so that however a caller gives
them a pass compiles once for them.
"""

import numba
import numpy as np
from numba import types
from numba.extending import overload

from . import compiled
from .clocks import NEVER
from .columns import layout, views


def as_each(value, dtype) -> np.ndarray:
    """A value for everyone (a scalar) or one each, as an array of one or of each, of ``dtype``. An
    array of each of ``dtype`` is itself; a whole number's array of one is made once (the passes only
    read them), as a few are given several times a month."""
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype == dtype:
        return value
    if isinstance(value, (int, np.integer)):
        one = _ONE.get((int(value), dtype))
        if one is None:
            one = _ONE[int(value), dtype] = np.array([value], dtype=dtype)
        return one
    return np.asarray(value, dtype=dtype).reshape(-1)


_ONE: dict[tuple[int, type], np.ndarray] = {}  # whole numbers' arrays of one, by value and dtype (``as_each``)


def each(value, j):
    """``value[j]`` of an array (its only entry, of an array of one), ``value`` itself of a scalar."""
    return value[j if len(value) > 1 else 0] if np.ndim(value) else value


@overload(each, inline="always")
def _each(value, j):
    if isinstance(value, types.Array):
        return lambda value, j: value[j if value.shape[0] > 1 else 0]
    return lambda value, j: value


# the columns of an event log's block (``sim.eventlog``), given to a pass by their addresses (``sim.kernels.columns``)
EVENTS = layout(("person_id", np.int64), ("month", np.int32), ("from_stage", np.int16), ("to_stage", np.int16),
                ("reason", np.int16))


@compiled()
def write_events(columns, at, ids, month, from_stage, to_stage, reason):
    """The events of ``ids`` (the others each a scalar or one per event) into the event log's block
    (``columns``: the addresses of its ``EVENTS`` columns), from row ``at``."""
    ids_column, month_column, from_column, to_column, reason_column = views(columns, EVENTS.types)
    for j in range(ids.shape[0]):
        k = at + j
        ids_column[k] = ids[j]
        month_column[k] = each(month, j)
        from_column[k] = each(from_stage, j)
        to_column[k] = each(to_stage, j)
        reason_column[k] = each(reason, j)


@compiled(inline="always")
def set_status(ids, value, active, gone, status, is_active, state, next_due):
    """People's status and whether they stay active, each for all or one each; ``state`` is the
    status of the active and ``gone`` for the rest, and the inactive have nothing due."""
    for j in range(ids.shape[0]):
        i = ids[j]
        status[i] = each(value, j)
        stays = each(active, j)
        is_active[i] = stays
        if stays:
            state[i] = status[i]
        else:
            state[i] = gone
            next_due[i] = NEVER


@compiled()
def leave(ids, month, reason, value, gone, stage, status, is_active, state, next_due, columns, at):
    """People leave their stage for outside (stage -1) with a reason (int16 codes, an array of one for
    all or one each), their events written into the event log's block from row ``at`` (``columns``:
    the addresses of its ``EVENTS`` columns), and take status ``value`` (an int8), no longer active
    (``set_status``). One signature for every caller: it compiles once."""
    ids_column, month_column, from_column, to_column, reason_column = views(columns, EVENTS.types)
    for j in range(ids.shape[0]):
        i = ids[j]
        ids_column[at + j], month_column[at + j], from_column[at + j] = i, month, stage[i]
        to_column[at + j], reason_column[at + j] = -1, each(reason, j)
    set_status(ids, value, False, gone, status, is_active, state, next_due)


@compiled()
def in_states(ids, state, chosen, due_month, now):
    """Those of ``ids`` in a state ``chosen`` (a table by state) marks, whose ``due_month`` is ``now``
    or before, in order."""
    out = np.empty(ids.shape[0], dtype=np.int64)
    n = 0
    for j in range(ids.shape[0]):
        i = ids[j]
        if chosen[state[i]] and due_month[i] <= now:
            out[n] = i
            n += 1
    return out[:n]
