"""Contracted hours, compiled: full or part time by group, sex and age band, and the part-timer's
FTE within the group's range; the hours review that re-draws them (``sim.processes.hours``)."""

import numpy as np

from . import compiled
from .bookkeeping import in_states
from .clocks import band as band_of, exit_month
from .columns import READ_ONLY, layout, views
from .month import NOW, arrays, mark
from .streams import salts as salts_of, uniform


@compiled(inline="always")
def draw(key, salts, part_time_share, part_time_range, g, sex, band):
    """A person's FTE: part time with the share for their group, sex and band (``salts``: of the
    part-time decision and of the FTE within the range), else full time."""
    if uniform(key, salts[0]) < part_time_share[g, sex, band]:
        low, high = part_time_range[g, 0], part_time_range[g, 1]
        return np.float32(low + (high - low) * uniform(key, salts[1]))
    return np.float32(1.0)


@compiled()
def draw_each(ids, now, salts, part_time_share, part_time_range, band_by_month, key, sex, birth_month, group, fte):
    """``draw`` for each of ``ids``, into ``fte``."""
    for j in range(ids.shape[0]):
        i = ids[j]
        fte[i] = draw(key[i], salts, part_time_share, part_time_range, group[i], sex[i],
                      band_of(band_by_month, now - np.int64(birth_month[i])))


# the people's columns an hours review reads and writes (``sim.kernels.columns``)
REVIEWS = layout(("key", np.uint64), ("sex", np.int8), ("birth_month", np.int32), ("group", np.int16),
                 ("fte", np.float32), ("stage_due", np.int32), ("exit_due", np.int32), ("hours_due", np.int32),
                 ("next_due", np.int32), ("state", np.int8))


@compiled(inline="always")  # its month's pass is its one caller: compiled in it, once
def reviews(due, now, in_post, salts, part_time_share, part_time_range, band_by_month, hours_rates, people):
    """The hours reviews of the people in post of ``due`` (in a state ``in_post`` marks) whose review
    has come (``review``; ``people``: the addresses of the ``REVIEWS`` columns). Returns them."""
    key, sex, birth_month, group, fte, stage_due, exit_due, hours_due, next_due, state = views(people, REVIEWS.types)
    ids = in_states(due, state, in_post, hours_due, now)
    review(ids, now, salts, part_time_share, part_time_range, band_by_month, hours_rates, key, sex, birth_month,
           group, fte, stage_due, exit_due, hours_due, next_due)
    return ids


# what the hours reviews' month reads besides the month's arrays (``sim.kernels.month``)
REVIEWS_TABLE = layout(("in_post", np.bool_, 1, READ_ONLY), ("bases", np.uint64), ("part_time_share", np.float64, 3),
                       ("part_time_range", np.float64, 2), ("band_by_month", np.int8), ("hours_rates", np.float64),
                       ("people", np.int64))


@compiled()
def reviews_month(month, table):
    """``reviews`` over the month's due list (``sim.kernels.month``), those reviewed marked; ``table``: the
    ``REVIEWS_TABLE``'s arrays (``bases``: of the streams hours, hours_fraction and hours_review)."""
    due = arrays(month)[0]
    in_post, bases, part_time_share, part_time_range, band_by_month, hours_rates, people = views(
        table, REVIEWS_TABLE.types)
    now = month[NOW]
    mark(month, reviews(due, now, in_post, salts_of(bases, now), part_time_share, part_time_range, band_by_month,
                        hours_rates, people))


@compiled(inline="always")
def review(ids, now, salts, part_time_share, part_time_range, band_by_month, hours_rates,
           key, sex, birth_month, group, fte, stage_due, exit_due, hours_due, next_due):
    """An hours review for each of ``ids``: their hours drawn afresh, and the month of their next review
    (``salts``: hours, hours_fraction, hours_review)."""
    draw_each(ids, now, salts, part_time_share, part_time_range, band_by_month, key, sex, birth_month, group, fte)
    for j in range(ids.shape[0]):
        i = ids[j]
        hours_due[i] = exit_month(-np.log1p(-uniform(key[i], salts[2])), hours_rates[group[i]], now)
        next_due[i] = min(min(stage_due[i], exit_due[i]), hours_due[i])
