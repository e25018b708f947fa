"""Entering a stage, compiled: one pass over the entrants sets their stage, LTFT training, hours
on taking up a post, and the clocks of their next exit and hours review (``sim.processes.exits``,
``sim.processes.hours``). It is a month's pass (``sim.kernels.month``): the entrants are the month's
``entering``, noted there by a pass before it in the month's compiled call, or from Python
(``sim.processes.entering``).

Each quantity is worked out in the precision its column keeps (float32 thresholds, rates and
fractions, widened to float64 for the arithmetic), so a clock set here and one rebased by
``sim.processes.exits`` read the same.
"""

import numpy as np

from . import compiled
from .clocks import NEVER, band as band_of, checks, exit_month, oldest
from . import participation
from .bookkeeping import each, write_events
from .columns import READ_ONLY, layout, views, width
from .month import ARRAYS, AT, ENTERED_DUE, ENTERING, NOW, SIZE, SINCE, address, arrays, call, entering
from .streams import salts as salts_of, uniform

@compiled()
def ltft_chance(share, persist, before, was_ltft):
    """An entrant's chance of training LTFT in a stage with LTFT ``share`` (see ``sim.pathways.LTFT``):
    ``persist`` for those LTFT in the training stage before, and for the others the chance that keeps
    the stage's share, ``(share - before x persist) / (1 - before)``, where ``before`` is the previous
    stage's share (NaN for newcomers); the stage's share where it sets no ``persist``."""
    if np.isnan(persist) or np.isnan(before):
        return share
    if was_ltft:
        return persist
    return min(max((share - before * persist) / max(1.0 - before, 1e-9), 0.0), 1.0)


# the people's columns entering a stage reads and writes (``sim.kernels.columns``)
ENTRY = layout(("key", np.uint64), ("sex", np.int8), ("birth_month", np.int32), ("status", np.int8),
               ("active", np.bool_), ("state", np.int8), ("stage", np.int16), ("group", np.int16),
               ("pathway", np.int16), ("sector", np.int8), ("stage_entry", np.int32), ("stage_due", np.int32),
               ("fte", np.float32), ("ltft", np.bool_), ("ltft_fraction", np.float32), ("mho", np.bool_),
               ("exit_left", np.float32), ("exit_since", np.int32), ("exit_rate", np.float32), ("exit_due", np.int32),
               ("hours_due", np.int32), ("next_due", np.int32))
# the scenario's tables it reads (``sim.model``)
TABLES = layout(("stage_training", np.bool_), ("stage_group", np.int16), ("stage_pathway", np.int16),
                ("group_sector", np.int8), ("stage_months", np.int32), ("stage_ltft_share", np.float64, 2),
                ("stage_ltft_range", np.float64, 2), ("stage_ltft_persist", np.float64),
                ("stage_extra_share", np.float64), ("stage_extra_months", np.float64, 2),
                ("part_time_share", np.float64, 3), ("part_time_range", np.float64, 2), ("_band_by_month", np.int8),
                ("band_ends", np.int64), ("max_age_months", np.int32))
# what entering's month reads besides the month's arrays: the addresses of the ``ENTRY`` columns and of
# the ``TABLES``, the base hashes of the streams ``enter`` draws from, the month's exit and review
# hazards, which statuses are new or training, the arrivals by stage; then the month MHO status ends
ENTER_TABLE = layout(("people", np.int64), ("tables", np.int64), ("bases", np.uint64), ("exit_rates", np.float64),
                     ("hours_rates", np.float64), ("new_or_training", np.bool_, 1, READ_ONLY), ("arrived", np.int64))
_ENTER = width(ENTER_TABLE)


@compiled()
def enter_month(month, table):
    """The month's ``entering`` (``sim.kernels.month``) enter their stages, their events written from the
    month's row (none if it is negative; whoever noted them marks them for the stocks); how many of them
    have something due this month is left in ``month[ENTERED_DUE]``; ``table``: ``ENTER_TABLE``'s arrays,
    then the month MHO status ends."""
    ids, stage, source, reason = entering(month)
    columns = arrays(month)[1]
    people, tables, bases, exit_rates, hours_rates, new_or_training, arrived = views(table, ENTER_TABLE.types)
    now, at = month[NOW], month[AT]
    month[ENTERED_DUE] = enter(ids, stage, now, month[SINCE], salts_of(bases, now), people, tables, table[_ENTER],
                               exit_rates, hours_rates, new_or_training, arrived, source, reason, columns, at)
    if at >= 0:
        month[AT] = at + ids.shape[0]
    month[ENTERING] = 0


@compiled()
def enter_given(entry, month, table, ids, stage, source, reason, columns, now, at):
    """``enter_month`` (at its entry point ``entry``) of ``ids`` into ``stage`` from ``source`` for ``reason``
    (each an array of one for all, or one each), their events written from row ``at`` of ``columns`` (none
    if ``at`` is negative): the month's ``entering`` and room are pointed at them for the call, and back at
    the month's own after it, so Python copies nothing. Returns how many have something due this month."""
    kept = np.empty(SIZE - ARRAYS, dtype=np.int64)
    for k in range(kept.shape[0]):
        kept[k] = month[ARRAYS + k]
    month[NOW], month[AT], month[ENTERING] = now, at, ids.shape[0]
    month[ARRAYS + 2], month[ARRAYS + 3] = address(columns), columns.shape[0]
    month[ARRAYS + 8], month[ARRAYS + 9] = address(ids), ids.shape[0]
    month[ARRAYS + 10], month[ARRAYS + 11] = address(stage), stage.shape[0]
    month[ARRAYS + 12], month[ARRAYS + 13] = address(source), source.shape[0]
    month[ARRAYS + 14], month[ARRAYS + 15] = address(reason), reason.shape[0]
    call(entry, month, table)
    for k in range(kept.shape[0]):
        month[ARRAYS + k] = kept[k]
    return month[ENTERED_DUE]


@compiled()  # compiled apart from its pass: inlined, the two took longer to compile
def enter(ids, stage, now, since, salts, people, tables, mho_end, exit_rates, hours_rates, new_or_training, arrived,
          # their events: where they come from (a stage, or one each), why (a code, or one each), and the
          # event log's block to write them in from row ``at`` (none if ``at`` is negative: ``sim.eventlog``)
          from_stage, reason, columns, at):
    """Put ``ids`` into ``stage`` (one for all, or one each), counting them in ``arrived`` by stage, and record their
    events; ``people`` and ``tables``: the addresses of the ``ENTRY`` columns and the ``TABLES``; ``salts``: the
    month's salts of the streams ltft, ltft_fraction, hours_on_entry, hours_on_entry_fraction, exit,
    hours_first_review, extra_time, extra_time_length. Returns how many have something due already this month."""
    (key, sex, birth_month, status, active, state, p_stage, group, pathway, sector, stage_entry, stage_due, fte, ltft,
     ltft_fraction, mho, exit_left, exit_since, exit_rate, exit_due, hours_due, next_due) = views(people, ENTRY.types)
    (stage_training, stage_group, stage_pathway, group_sector, stage_months, stage_ltft_share, stage_ltft_range,
     stage_ltft_persist, stage_extra_share, stage_extra_months, part_time_share, part_time_range, band_by_month,
     band_ends, max_age_months) = views(tables, TABLES.types)
    n_bands = band_ends.shape[0]
    due_now = 0
    for j in range(ids.shape[0]):
        i = ids[j]
        st = each(stage, j)
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
            before = stage_ltft_share[previous, sex[i]] if previous >= 0 else np.nan
            chance = ltft_chance(share, stage_ltft_persist[st], before, was_ltft and was_training)
            takes = uniform(key[i], salts[0]) < chance
            if takes:
                low, high = stage_ltft_range[st, 0], stage_ltft_range[st, 1]
                fraction = low + (high - low) * uniform(key[i], salts[1])
        ltft[i] = takes
        ltft_fraction[i] = fraction
        months = stage_months[st]
        stage_due[i] = now + np.int64(np.ceil(months / fraction)) if months > 0 else NEVER
        extra = stage_extra_share[st]
        if training and extra > 0.0 and uniform(key[i], salts[6]) < extra:  # time out, an extension: later
            low, high = stage_extra_months[st, 0], stage_extra_months[st, 1]
            stage_due[i] += np.int64(np.ceil(low + (high - low) * uniform(key[i], salts[7])))
        birth = np.int64(birth_month[i])
        band = band_of(band_by_month, now - birth)
        if training:
            fte[i] = fraction
        elif was_training:  # newly in post: their hours
            fte[i] = participation.draw(key[i], salts[2:4], part_time_share, part_time_range, g, sex[i], band)
        # the clocks (sim.processes.exits, sim.processes.hours)
        cell = (np.int64(st) * 2 + sex[i]) * n_bands + band
        left = np.float32(-np.log1p(-uniform(key[i], salts[4])))
        rate = np.float32(exit_rates[cell])
        exit_left[i], exit_since[i], exit_rate[i] = left, since, rate
        due = exit_month(np.float64(left), np.float64(rate), since)
        review = NEVER
        if training:
            due = min(due, oldest(birth, max_age_months[g], since))
        else:
            due = min(due, checks(birth, band_ends[band], max_age_months[g], mho[i], mho_end, since))
            review = exit_month(-np.log1p(-uniform(key[i], salts[5])), hours_rates[g], since)
        exit_due[i] = due
        hours_due[i] = review
        next_due[i] = min(min(np.int64(stage_due[i]), due), review)
        due_now += next_due[i] <= now
        arrived[st] += 1
    if at >= 0:
        write_events(columns, at, ids, now, from_stage, stage, reason)
    return due_now
