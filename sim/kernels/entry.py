"""Entering a stage, compiled: one pass over the entrants sets their stage, LTFT training,
hours on taking up a post, and the clocks of their next exit and hours review (``sim.schedule``).

The arithmetic is ``sim.model.WorkforceModel.enter_stage`` and ``sim.schedule.enter`` done
person by person, in the same precision (float32 where a column is float32), so the results
are the numpy path's to the bit.
"""

import numba
import numpy as np

from .streams import uniform

NEVER = np.int64(np.iinfo(np.int32).max)
MHO_AGE = 55 * 12


@numba.njit(cache=True, inline="always")
def exit_month(left, rate, since):
    """The month a threshold ``left`` is used up at ``rate`` a month after ``since`` (NEVER at rate 0)."""
    if rate <= 0.0:
        return NEVER
    months = np.ceil(left / rate)
    months = min(max(months, 1.0), float(NEVER // 2))
    return np.int64(since + months)


@numba.njit(cache=True)
def enter(ids, stage, now, since, salts,
          # people's columns
          key, sex, birth_month, status, active, state, p_stage, group, pathway, sector, stage_entry, stage_due,
          fte, ltft, ltft_fraction, mho, exit_left, exit_since, exit_rate, exit_due, hours_due, next_due,
          # the scenario's tables
          stage_training, stage_group, stage_pathway, group_sector, stage_months, stage_ltft_share,
          stage_ltft_range, stage_ltft_persist, part_time_share, part_time_range, band_by_month, band_ends,
          max_age_months, mho_end, exit_rates, hours_rates, new_or_training):
    """Put ``ids`` into ``stage`` (one each); ``salts``: the month's salts of the streams ltft,
    ltft_fraction, hours_on_entry, hours_on_entry_fraction, exit, hours_first_review."""
    n_bands = band_ends.shape[0]
    last_month = band_by_month.shape[0] - 1
    for j in range(ids.shape[0]):
        i = ids[j]
        st = stage[j]
        previous, was_ltft, was_training = p_stage[i], ltft[i], new_or_training[status[i]]
        training = stage_training[st]
        g = stage_group[st]
        p_stage[i] = st
        group[i] = g
        pathway[i] = stage_pathway[st]
        sector[i] = group_sector[g]
        stage_entry[i] = now
        status[i] = 0 if training else 1
        active[i] = True
        state[i] = status[i]
        # less than full time training
        fraction = 1.0
        share = stage_ltft_share[st, sex[i]]
        takes = False
        if training and share > 0.0:
            chance = share
            persist = stage_ltft_persist[st]
            if not np.isnan(persist) and previous >= 0:
                if was_ltft and was_training:
                    chance = persist
                else:
                    before = stage_ltft_share[previous, sex[i]]
                    chance = min(max((share - before * persist) / max(1.0 - before, 1e-9), 0.0), 1.0)
            takes = uniform(key[i], salts[0]) < chance
            if takes:
                low, high = stage_ltft_range[st, 0], stage_ltft_range[st, 1]
                fraction = low + (high - low) * uniform(key[i], salts[1])
        ltft[i] = takes
        ltft_fraction[i] = fraction
        months = stage_months[st]
        stage_due[i] = now + np.int64(np.ceil(months / fraction)) if months > 0 else NEVER
        birth = np.int64(birth_month[i])
        band = band_by_month[min(max(now - birth, 0), last_month)]
        if training:
            fte[i] = fraction
        elif was_training:  # newly in post: their hours
            part = part_time_share[g, sex[i], band]
            if uniform(key[i], salts[2]) < part:
                low, high = part_time_range[g, 0], part_time_range[g, 1]
                fte[i] = low + (high - low) * uniform(key[i], salts[3])
            else:
                fte[i] = 1.0
        # the clocks (sim.schedule.enter)
        cell = (np.int64(st) * 2 + sex[i]) * n_bands + band
        left = np.float32(-np.log1p(-uniform(key[i], salts[4])))
        rate = np.float32(exit_rates[cell])
        exit_left[i], exit_since[i], exit_rate[i] = left, since, rate
        due = exit_month(np.float64(left), np.float64(rate), since)
        oldest = max(birth + max_age_months[g], since + 1)
        hours = NEVER
        if training:
            due = min(due, oldest)
        else:
            birthday = min(birth + band_ends[band], NEVER)
            at_55 = birth + MHO_AGE
            if not (mho[i] and at_55 > since and at_55 <= mho_end):
                at_55 = NEVER
            due = min(due, min(min(birthday, oldest), at_55))
            hours = exit_month(-np.log1p(-uniform(key[i], salts[5])), hours_rates[g], since)
        exit_due[i] = due
        hours_due[i] = hours
        next_due[i] = min(min(np.int64(stage_due[i]), due), hours)
