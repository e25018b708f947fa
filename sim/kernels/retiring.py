"""Retiring and coming back, compiled: which retirees will return (and when), and the returners
who come back this month at reduced hours for a stay (``sim.processes.exits``,
``sim.processes.returning``)."""

import numpy as np

from . import compiled
from .bookkeeping import in_states, set_status, write_events
from .clocks import NEVER
from .columns import READ_ONLY, layout, views, width
from .month import AT, NOW, arrays, mark
from .streams import salt as salt_of, uniform


# the people's columns coming back reads and writes (``sim.kernels.columns``)
RETURNING = layout(("key", np.uint64), ("birth_month", np.int32), ("group", np.int16), ("fte", np.float32),
                   ("stage", np.int16), ("status", np.int8), ("active", np.bool_), ("state", np.int8),
                   ("return_due", np.int32), ("return_until", np.int32), ("next_due", np.int32))
# what coming back's month reads besides the month's arrays (``sim.kernels.month``): its table's arrays, then
# the status of those back and the state of those gone
RETURNING_TABLE = layout(("retired", np.bool_, 1, READ_ONLY), ("bases", np.uint64), ("return_hours_cut", np.float64),
                         ("return_stay_months", np.float64, 2), ("max_age_months", np.int32), ("outside", np.int16),
                         ("code", np.int16), ("people", np.int64))
_RETURNING = width(RETURNING_TABLE)


@compiled()
def returning_month(month, table):
    """``returning`` over the month's due list (``sim.kernels.month``), those coming back marked; ``table``:
    ``RETURNING_TABLE``'s arrays (``bases``: of the stream return_stay), then the status of returners and
    the state of those gone."""
    due, columns, _, _ = arrays(month)
    retired, bases, hours_cut, stay_months, max_age_months, outside, code, people = views(table, RETURNING_TABLE.types)
    now = month[NOW]
    ids = returning(due, now, retired, salt_of(bases[0], now), hours_cut, stay_months, max_age_months,
                    table[_RETURNING], table[_RETURNING + 1], outside, code, people, columns, month[AT])
    month[AT] += ids.shape[0]
    mark(month, ids)


@compiled(inline="always")  # its month's pass is its one caller: compiled in it, once
def returning(due, now, retired, salt, return_hours_cut, return_stay_months, max_age_months, returned, gone, outside,
              code, people, columns, at):
    """The retirees of ``due`` (in a state ``retired`` marks) whose return has come come back from
    ``outside`` to their stage (``come_back``), in status ``returned``, their events (reason ``code``;
    both arrays of one) written from row ``at`` of ``columns`` (``people``: the addresses of the
    ``RETURNING`` columns). Returns them."""
    (key, birth_month, group, fte, stage, status, active, state, return_due, return_until,
     next_due) = views(people, RETURNING.types)
    ids = in_states(due, state, retired, return_due, now)
    come_back(ids, now, salt, return_hours_cut, return_stay_months, max_age_months, key, birth_month, group, fte,
              return_due, return_until, next_due)
    set_status(ids, returned, True, gone, status, active, state, next_due)
    write_events(columns, at, ids, now, outside, stage[ids], code)
    return ids


@compiled(inline="always")
def will_return(ids, now, salts, return_share, band_by_month, max_age_months, key, sex, birth_month, group, return_due,
                next_due):
    """Whether each retiree comes back, with the share of their group, sex and age band at retiring;
    those who do are due back within a year (``salts``: return, return_delay). Nobody comes back at
    or past the group's maximum age."""
    back = np.empty(ids.shape[0], dtype=np.bool_)  # every entry set below
    for j in range(ids.shape[0]):
        i = ids[j]
        due = now + 1 + np.int32(np.floor(12 * uniform(key[i], salts[1])))
        oldest = birth_month[i] + max_age_months[group[i]]
        band = band_by_month[min(now - birth_month[i], band_by_month.shape[0] - 1)]
        back[j] = uniform(key[i], salts[0]) < return_share[group[i], sex[i], band] and due < oldest
        if back[j]:
            return_due[i] = next_due[i] = due
    return back


@compiled(inline="always")
def come_back(ids, now, salt, return_hours_cut, return_stay_months, max_age_months, key, birth_month, group, fte,
              return_due, return_until, next_due):
    """Returners' reduced hours and the end of their stay (``salt``: return_stay)."""
    for j in range(ids.shape[0]):
        i = ids[j]
        g = group[i]
        low, high = return_stay_months[g, 0], return_stay_months[g, 1]
        stay = max(np.rint(low + (high - low) * uniform(key[i], salt)), 1.0)  # as np.round: half to even
        fte[i] = fte[i] * (1.0 - return_hours_cut[g])
        return_due[i] = NEVER
        return_until[i] = min(now + np.int32(stay), birth_month[i] + max_age_months[g])
        next_due[i] = return_until[i]
