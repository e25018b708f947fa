"""Exits from a post, compiled: of the people in post with something due this month, who leaves
(and why), who retires, and who retires at 55 under mental health officer status; everyone
else's next exit or check is scheduled (the ``Leaving`` step of ``sim.processes.exits``).

A leaver is told from a retiree at one draw: leaving with probability q_leave / (1 - (1 - q_leave)
(1 - q_retire)), as ``sim.processes.exits`` explains.
"""

import numba
import numpy as np

from .choice import pick
from .clocks import MHO_AGE, band as band_of, checks, exit_month, left_after
from .streams import uniform

STAY, LEAVE, RETIRE, RETIRE_MHO = range(4)


@numba.njit(cache=True)
def decide(ids, now, salts, exit_rates, leave, retire, band_by_month, band_ends, max_age_months, mho_end,
           mho_retire_at_55, reason_cumulative, reason_total, reason_last, reason_labels,
           key, sex, birth_month, stage, group, mho, exit_left, exit_since, exit_rate, exit_due, stage_due,
           hours_due, next_due):
    """The leavers, group by group (in the order of ``ids`` within a group, as the event log lists
    them), with their reason codes, the retirees and the retirees at 55 under MHO status, of the
    candidates ``ids``; everyone else with an exit or check due has their next one scheduled.
    ``salts``: the month's salts of exit_cause, retirement_mho and leaving_reason."""
    n_bands = band_ends.shape[0]
    outcome = np.full(ids.shape[0], -1, dtype=np.int8)
    reason = np.zeros(ids.shape[0], dtype=np.int16)
    for j in range(ids.shape[0]):
        i = ids[j]
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


@numba.njit(cache=True)
def oldest(ids, now, birth_month, group, max_age_months):
    """Of the trainees ``ids`` leaving training, those below their group's maximum age (who leave) and
    those at it (who retire), each in order."""
    outcome = np.empty(ids.shape[0], dtype=np.int8)
    for j in range(ids.shape[0]):
        i = ids[j]
        outcome[j] = RETIRE if now - birth_month[i] >= max_age_months[group[i]] else LEAVE
    return taken(ids, outcome, LEAVE), taken(ids, outcome, RETIRE)


@numba.njit(cache=True)
def taken(ids, outcome, which):
    """The ``ids`` whose outcome is ``which``, in order."""
    out = np.empty(ids.shape[0], dtype=np.int64)
    n = 0
    for j in range(ids.shape[0]):
        if outcome[j] == which:
            out[n] = ids[j]
            n += 1
    return out[:n]


@numba.njit(cache=True)
def _leavers_by_group(ids, outcome, reason, group, n_groups):
    """The leavers among ``ids`` and their reasons, sorted by group, stably (a counting sort)."""
    start = np.zeros(n_groups + 1, dtype=np.int64)
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
