"""Exits from a post, compiled: of the people in post with something due this month, who leaves
(and why), who retires, and who retires at 55 under mental health officer status; everyone
else's next exit or check is scheduled (the ``Leaving`` step of ``sim.processes.exits``).

A leaver is told from a retiree at one draw: leaving with probability q_leave / (1 - (1 - q_leave)
(1 - q_retire)), as ``sim.processes.exits`` explains.

Each exit step is one compiled call (``attrition``, ``leaving``, ``retirement``): it chooses its
people from the month's due list, decides, and records their events and sets their status
(``sim.kernels.bookkeeping``). ``statuses`` are (left, retired, returned), as ``sim.people.Status``.
"""

import numpy as np

from . import compiled
from .choice import pick
from .bookkeeping import in_states, leave
from .clocks import MHO_AGE, NEVER, band as band_of, checks, exit_month, left_after
from .columns import READ_ONLY, layout, views, width
from .month import AT, NOW, RETIRING, RETIRING_MHO, SINCE, arrays, mark
from .retiring import will_return
from .streams import salts as salts_of, uniform

STAY, LEAVE, RETIRE, RETIRE_MHO = range(4)
LEFT, RETIRED, RETURNED = range(3)  # the rows of ``statuses``


# the people's columns each step reads and writes (``sim.kernels.columns``)
ATTRITION = layout(("birth_month", np.int32), ("group", np.int16), ("stage", np.int16), ("status", np.int8),
                   ("active", np.bool_), ("state", np.int8), ("exit_due", np.int32), ("next_due", np.int32))
LEAVING = layout(("key", np.uint64), ("sex", np.int8), ("birth_month", np.int32), ("stage", np.int16),
                 ("group", np.int16), ("mho", np.bool_), ("exit_left", np.float32), ("exit_since", np.int32),
                 ("exit_rate", np.float32), ("exit_due", np.int32), ("stage_due", np.int32), ("hours_due", np.int32),
                 ("next_due", np.int32), ("status", np.int8), ("active", np.bool_), ("state", np.int8))
RETIREMENT = layout(("key", np.uint64), ("sex", np.int8), ("birth_month", np.int32), ("group", np.int16),
                    ("stage", np.int16), ("status", np.int8), ("active", np.bool_), ("state", np.int8),
                    ("return_due", np.int32), ("return_until", np.int32), ("next_due", np.int32))


# what each step's month reads besides the month's arrays (``sim.kernels.month``): its table's arrays, then
# its whole numbers (from ``width`` of them on)
ATTRITION_TABLE = layout(("training", np.bool_, 1, READ_ONLY), ("max_age_months", np.int32), ("codes", np.int16),
                         ("statuses", np.int8), ("people", np.int64))  # then gone
LEAVING_TABLE = layout(("in_post", np.bool_, 1, READ_ONLY), ("bases", np.uint64), ("exit_rates", np.float64),
                       ("q_leave", np.float64), ("q_retire", np.float64), ("band_by_month", np.int8),
                       ("band_ends", np.int64), ("max_age_months", np.int32), ("mho_retire_at_55", np.float64),
                       ("reason_cumulative", np.float64, 2), ("reason_total", np.float64), ("reason_last", np.int64),
                       ("reason_labels", np.int64, 2), ("statuses", np.int8), ("people", np.int64))  # then mho_end, gone
RETIREMENT_TABLE = layout(("returning", np.bool_, 1, READ_ONLY), ("bases", np.uint64), ("return_share", np.float64, 3),
                          ("band_by_month", np.int8), ("max_age_months", np.int32), ("codes", np.int16),
                          ("statuses", np.int8), ("people", np.int64))  # then gone
_ATTRITION, _LEAVING, _RETIREMENT = width(ATTRITION_TABLE), width(LEAVING_TABLE), width(RETIREMENT_TABLE)


@compiled()
def attrition_month(month, table):
    """``attrition`` over the month's due list (``sim.kernels.month``), its leavers and retirees marked;
    ``table``: ``ATTRITION_TABLE``'s arrays, then the state of those gone. This month's exits are then
    faced: people entering a stage later in the month face next month's (``month[SINCE]``)."""
    month[SINCE] = month[NOW]
    due, columns, _, _ = arrays(month)
    training, max_age_months, codes, statuses, people = views(table, ATTRITION_TABLE.types)
    ids = attrition(due, month[NOW], training, max_age_months, codes, statuses, table[_ATTRITION], people, columns,
                    month[AT])
    month[AT] += ids.shape[0]
    mark(month, ids)


@compiled()
def leaving_month(month, table):
    """``leaving`` over the month's due list, its leavers marked and the retirements it decides kept in the
    month's ``retiring`` for ``retirement_month``; ``table``: ``LEAVING_TABLE``'s arrays (``bases``: of the
    streams exit_cause, retirement_mho and leaving_reason), then the month MHO status ends and the state of
    those gone."""
    due, columns, _, retiring = arrays(month)
    (in_post, bases, exit_rates, q_leave, q_retire, band_by_month, band_ends, max_age_months, mho_retire_at_55,
     reason_cumulative, reason_total, reason_last, reason_labels, statuses, people) = views(table, LEAVING_TABLE.types)
    now = month[NOW]
    leavers, retired, retired_mho = leaving(
        due, now, in_post, salts_of(bases, now), exit_rates, q_leave, q_retire, band_by_month, band_ends,
        max_age_months, table[_LEAVING], mho_retire_at_55, reason_cumulative, reason_total, reason_last, reason_labels,
        statuses, table[_LEAVING + 1], people, columns, month[AT])
    month[AT] += leavers.shape[0]
    mark(month, leavers)
    n = retired.shape[0]
    for j in range(n):
        retiring[j] = retired[j]
    for j in range(retired_mho.shape[0]):
        retiring[n + j] = retired_mho[j]
    month[RETIRING], month[RETIRING_MHO] = n, retired_mho.shape[0]


@compiled()
def retirement_month(month, table):
    """``retirement`` of the retirements ``leaving_month`` kept and over the month's due list, its retirees and
    those whose stay ended marked; ``table``: ``RETIREMENT_TABLE``'s arrays (``bases``: of the streams return
    and return_delay), then the state of those gone."""
    due, columns, _, retiring = arrays(month)
    returning, bases, return_share, band_by_month, max_age_months, codes, statuses, people = views(
        table, RETIREMENT_TABLE.types)
    now, n, n_mho = month[NOW], month[RETIRING], month[RETIRING_MHO]
    retirees, ended = retirement(retiring[:n], retiring[n:n + n_mho], due, now, returning, salts_of(bases, now),
                                 return_share, band_by_month, max_age_months, codes, statuses, table[_RETIREMENT],
                                 people, columns, month[AT])
    month[RETIRING], month[RETIRING_MHO] = 0, 0
    month[AT] += retirees.shape[0] + ended.shape[0]
    mark(month, retirees)
    mark(month, ended)


@compiled(inline="always")  # its month's pass is its one caller: compiled in it, once
def attrition(due, now, training, max_age_months, codes, statuses, gone, people, columns, at):
    """The trainees of ``due`` whose exit has come leave training (reason ``codes[0]``), or retire
    at their group's maximum age (``codes[1]``), their events written from row ``at`` of
    ``columns`` (``people``: the addresses of the ``ATTRITION`` columns). Returns them, leavers
    first, as their events list them."""
    birth_month, group, stage, status, active, state, exit_due, next_due = views(people, ATTRITION.types)
    ids = in_states(due, state, training, exit_due, now)
    leavers, retirees = oldest(ids, now, birth_month, group, max_age_months)
    leave(leavers, now, codes[0:1], statuses[LEFT], gone, stage, status, active, state, next_due, columns, at)
    leave(retirees, now, codes[1:2], statuses[RETIRED], gone, stage, status, active, state, next_due, columns,
          at + leavers.shape[0])
    return ids


@compiled(inline="always")  # its month's pass is its one caller: compiled in it, once
def leaving(due, now, in_post, salts, exit_rates, q_leave, q_retire, band_by_month, band_ends, max_age_months,
            mho_end, mho_retire_at_55, reason_cumulative, reason_total, reason_last, reason_labels, statuses, gone,
            people, columns, at):
    """The people in post of ``due`` whose exit or check has come: ``decide``, and the leavers leave,
    group by group, their events written from row ``at`` of ``columns`` (``people``: the addresses of
    the ``LEAVING`` columns). Returns the leavers, the retirees and the retirees at 55 under MHO status
    (retired by ``retirement``)."""
    (key, sex, birth_month, stage, group, mho, exit_left, exit_since, exit_rate, exit_due, stage_due, hours_due,
     next_due, status, active, state) = views(people, LEAVING.types)
    ids = in_states(due, state, in_post, next_due, NEVER)
    (leavers, reasons), retired, retired_mho = decide(
        ids, now, salts, exit_rates, q_leave, q_retire, band_by_month, band_ends, max_age_months, mho_end,
        mho_retire_at_55, reason_cumulative, reason_total, reason_last, reason_labels, key, sex, birth_month, stage,
        group, mho, exit_left, exit_since, exit_rate, exit_due, stage_due, hours_due, next_due)
    leave(leavers, now, reasons, statuses[LEFT], gone, stage, status, active, state, next_due, columns, at)
    return leavers, retired, retired_mho


@compiled(inline="always")  # its month's pass is its one caller: compiled in it, once
def retirement(retired, retired_mho, due, now, returning, salts, return_share, band_by_month, max_age_months, codes,
               statuses, gone, people, columns, at):
    """The retirements ``leaving`` decided (reasons ``codes[0]`` and, at 55 under MHO status,
    ``codes[1]``): those who will come back stay active, due back within a year (``will_return``;
    ``salts``: return, return_delay); then the returners of ``due`` whose stay has ended leave
    (``codes[2]``). Their events are written from row ``at`` of ``columns`` (``people``: the
    addresses of the ``RETIREMENT`` columns); returns the retirees, and those who left."""
    (key, sex, birth_month, group, stage, status, active, state, return_due, return_until,
     next_due) = views(people, RETIREMENT.types)
    n = retired.shape[0]
    ids, reasons = np.empty(n + retired_mho.shape[0], np.int64), np.empty(n + retired_mho.shape[0], np.int16)
    for j in range(ids.shape[0]):  # a loop: a slice assignment would compile its shape check's message
        ids[j], reasons[j] = (retired[j], codes[0]) if j < n else (retired_mho[j - n], codes[1])
    back = will_return(ids, now, salts, return_share, band_by_month, max_age_months, key, sex, birth_month, group,
                       return_due, next_due)
    leave(ids, now, reasons, statuses[RETIRED], gone, stage, status, active, state, next_due, columns, at)
    for j in range(ids.shape[0]):  # those coming back stay active, due back when ``will_return`` says
        if back[j]:
            i = ids[j]
            active[i], state[i], next_due[i] = True, status[i], return_due[i]
    ended = in_states(due, state, returning, return_until, now)
    leave(ended, now, codes[2:3], statuses[LEFT], gone, stage, status, active, state, next_due, columns,
          at + ids.shape[0])
    return ids, ended


@compiled(inline="always")
def decide(ids, now, salts, exit_rates, leave, retire, band_by_month, band_ends, max_age_months, mho_end,
           mho_retire_at_55, reason_cumulative, reason_total, reason_last, reason_labels,
           key, sex, birth_month, stage, group, mho, exit_left, exit_since, exit_rate, exit_due, stage_due,
           hours_due, next_due):
    """The leavers, group by group (in the order of ``ids`` within a group, as the event log lists
    them), with their reason codes, the retirees and the retirees at 55 under MHO status, of the
    candidates ``ids``; everyone else with an exit or check due has their next one scheduled.
    ``salts``: the month's salts of exit_cause, retirement_mho and leaving_reason."""
    n_bands = band_ends.shape[0]
    outcome = np.empty(ids.shape[0], dtype=np.int8)  # empty and filled here: np.full and np.zeros cost compiling
    reason = np.empty(ids.shape[0], dtype=np.int16)
    for j in range(ids.shape[0]):
        i = ids[j]
        outcome[j], reason[j] = -1, 0
        if exit_due[i] > now:
            continue
        birth = np.int64(birth_month[i])
        age = now - birth
        b = band_of(band_by_month, age)
        cell = (np.int64(stage[i]) * 2 + sex[i]) * n_bands + b
        rate = np.float32(exit_rates[cell])
        if exit_rate[i] != rate:  # a birthday into another age band: the rest of the threshold runs at the new rate
            exit_left[i] = left_after(exit_left[i], exit_since[i], exit_rate[i], now - 1)
            exit_since[i] = now - 1
            exit_rate[i] = rate
        month = exit_month(np.float64(exit_left[i]), np.float64(exit_rate[i]), np.int64(exit_since[i]))
        exits = month <= now
        g = group[i]
        q_leave, q_retire = leave[cell], retire[cell]
        if exits and uniform(key[i], salts[0]) * (1.0 - (1.0 - q_leave) * (1.0 - q_retire)) < q_leave:
            outcome[j] = LEAVE
            why = pick(uniform(key[i], salts[2]), g, reason_cumulative, reason_total, reason_last)
            reason[j] = reason_labels[g, why]
        elif exits or age >= max_age_months[g]:
            outcome[j] = RETIRE
        elif mho[i] and age == MHO_AGE and now <= mho_end and uniform(key[i], salts[1]) < mho_retire_at_55[g]:
            outcome[j] = RETIRE_MHO
        else:
            outcome[j] = STAY
            exit_due[i] = min(month, checks(birth, band_ends[b], max_age_months[g], mho[i], mho_end, now))
            next_due[i] = min(min(stage_due[i], exit_due[i]), hours_due[i])
    return _leavers_by_group(ids, outcome, reason, group, max_age_months.shape[0]), taken(ids, outcome, RETIRE), \
        taken(ids, outcome, RETIRE_MHO)


@compiled(forceinline=True)
def oldest(ids, now, birth_month, group, max_age_months):
    """Of the trainees ``ids`` leaving training, those below their group's maximum age (who leave) and
    those at it (who retire), each in order."""
    outcome = np.empty(ids.shape[0], dtype=np.int8)
    for j in range(ids.shape[0]):
        i = ids[j]
        outcome[j] = RETIRE if now - birth_month[i] >= max_age_months[group[i]] else LEAVE
    return taken(ids, outcome, LEAVE), taken(ids, outcome, RETIRE)


@compiled(inline="always")
def taken(ids, outcome, which):
    """The ``ids`` whose outcome is ``which``, in order."""
    out = np.empty(ids.shape[0], dtype=np.int64)
    n = 0
    for j in range(ids.shape[0]):
        if outcome[j] == which:
            out[n] = ids[j]
            n += 1
    return out[:n]


@compiled(inline="always")
def _leavers_by_group(ids, outcome, reason, group, n_groups):
    """The leavers among ``ids`` and their reasons, sorted by group, stably (a counting sort)."""
    start = np.empty(n_groups + 1, dtype=np.int64)
    for g in range(n_groups + 1):
        start[g] = 0
    for j in range(ids.shape[0]):
        if outcome[j] == LEAVE:
            start[group[ids[j]] + 1] += 1
    for g in range(n_groups):
        start[g + 1] += start[g]
    leavers, reasons = np.empty(start[n_groups], dtype=np.int64), np.empty(start[n_groups], dtype=np.int16)
    for j in range(ids.shape[0]):
        if outcome[j] == LEAVE:
            g = group[ids[j]]
            leavers[start[g]], reasons[start[g]] = ids[j], reason[j]
            start[g] += 1
    return leavers, reasons
