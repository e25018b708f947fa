"""The clocks of scheduled events (``sim.processes.exits``, ``sim.processes.hours``), compiled:
when a threshold of cumulative hazard is used up, and the checks a person in post is due for (a
birthday into the next age band, the group's maximum age, 55 under mental health officer status)."""

import numpy as np

from . import compiled

NEVER = np.int64(np.iinfo(np.int32).max)
MHO_AGE = 55 * 12


@compiled(forceinline=True)
def exit_month(left, rate, since):
    """The month a threshold ``left`` is used up at ``rate`` a month after ``since`` (NEVER at rate 0)."""
    if rate <= 0.0:
        return NEVER
    months = np.ceil(left / rate)
    months = min(max(months, 1.0), float(NEVER // 2))
    return np.int64(since + months)


@compiled(forceinline=True)
def oldest(birth, max_age, after):
    """The month after ``after`` in which a person reaches their group's maximum age (the next, if they have)."""
    return max(birth + max_age, after + 1)


@compiled(forceinline=True)
def checks(birth, band_end, max_age, mho, mho_end, after):
    """The first check after ``after`` of a person in post: the next age band, the maximum age, 55 under MHO."""
    birthday = min(birth + band_end, NEVER)
    at_55 = birth + MHO_AGE
    if not (mho and at_55 > after and at_55 <= mho_end):
        at_55 = NEVER
    return min(min(birthday, oldest(birth, max_age, after)), at_55)


@compiled(forceinline=True)
def band(band_by_month, age):
    """The age band of an age in months (ages beyond the table count in its last band)."""
    return band_by_month[min(max(age, 0), band_by_month.shape[0] - 1)]


@compiled(forceinline=True)
def left_after(left, since, rate, month):
    """The threshold still to accumulate after ``month``, of one left after ``since`` at ``rate`` a month."""
    return np.float32(np.float64(left) - np.float64(month - since) * np.float64(rate))


@compiled()
def rebase(ids, rates, month, exit_left, exit_since, exit_rate):
    """New exit rates (one each) from the month after ``month``, keeping the hazard accumulated up to it."""
    for j in range(ids.shape[0]):
        i = ids[j]
        exit_left[i] = left_after(exit_left[i], exit_since[i], exit_rate[i], month)
        exit_since[i] = month
        exit_rate[i] = np.float32(rates[j])


@compiled()
def reschedule(ids, after, now, stage_training, band_by_month, band_ends, max_age_months, mho_end,
               stage, group, birth_month, mho, exit_left, exit_since, exit_rate, exit_due, stage_due, hours_due,
               next_due):
    """Each person's next exit or check after ``after`` (in post, a birthday into the next age band
    too, the band being the one their rate was worked out for now), and their earliest due month."""
    for j in range(ids.shape[0]):
        i = ids[j]
        due = exit_month(np.float64(exit_left[i]), np.float64(exit_rate[i]), np.int64(exit_since[i]))
        birth = np.int64(birth_month[i])
        g = group[i]
        if stage_training[stage[i]]:
            due = min(due, oldest(birth, max_age_months[g], after))
        else:
            end = band_ends[band(band_by_month, now - birth)]
            due = min(due, checks(birth, end, max_age_months[g], mho[i], mho_end, after))
        exit_due[i] = due
        next_due[i] = min(min(stage_due[i], exit_due[i]), hours_due[i])
