"""Scheduled events: each person's next exit and hours review are drawn ahead, not tested monthly.

A person in a stage faces a monthly hazard q set by their *cell* (stage, sex and age band):
trainees their stage's attrition, people in post leaving and retirement together. Testing
everyone against q every month costs a random draw per person and month. Instead each person
gets a threshold E ~ Exp(1) when they enter a stage, and exits in the first month in which
their cumulative hazard (the sum of -log(1 - q) over their months at risk) reaches E. With a
constant q that month is geometric, P(still there after k months) = (1 - q)^k: exactly the
monthly test's distribution. A month then touches only the people with something due.

A person's rate changes only

- on a birthday that moves them into another age band: scheduled as a check, as are the
  group's maximum age (trainees' too: they retire at it like anyone) and early retirement at 55
  under mental health officer status;
- when a lever or feedback changes a rate table: the table is worked out afresh every month
  and, where a cell changed, its people are *rebased*: the hazard they have accumulated is
  kept and the rest runs at the new rate. So a retention lever only ever delays a leaver, and
  a policy run stays coupled to its baseline person by person (common random numbers).

Hours reviews need no memory: the months to the next review are geometric at the group's
monthly review probability, drawn on entering a post, after each review and when the rate
changes, each from a stream of its own (``sim.decisions``): were the first and the next drawn
from one stream, a first review due in the month of entry would be followed by another a month
later, always.

Per person (``sim.people``): ``exit_left``, the threshold still to accumulate after month
``exit_since``; ``exit_rate``, the cumulative hazard a month in their cell; ``exit_due``, the
month of the exit or of the next check, whichever is first; ``hours_due``; and ``next_due``,
the earliest month anything is due, which each step scans once for the month's candidates.
"""

from __future__ import annotations

import numpy as np

from .kernels import clocks
from .people import NEVER, Status

_MAX_RATE = 50.0  # a month's cumulative hazard at q = 1, kept finite: survival e^-50


def exit_rates(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """This month's exit hazards by cell (flat, see ``cells``): the cumulative hazard a month
    of all exits, and the monthly leaving and retirement probabilities (0 in training stages)."""
    s = model.inputs
    training = s.stage_training[:, None, None]
    leave = s.leave_monthly[s.stage_group]  # (stage, sex, band)
    if s.stage_leave_factor is not None:  # retention levers aimed at groups, stages or ages
        leave = leave * s.stage_leave_factor
    if s.feedbacks.workload.enabled and model.history:  # feedback: leaver rates rise with vacancies
        leave = s.feedbacks.workload.scale(model, leave, np.broadcast_to(s.stage_group[:, None, None], leave.shape))
    leave = np.where(training, 0.0, np.minimum(leave, 1.0))
    retire = np.where(training, 0.0, s.retire_monthly[s.stage_group])
    attrition = np.where(training, s.stage_attrition[:, None, None], 0.0)
    rate = np.zeros(leave.shape)
    for q in (leave, retire, attrition):
        rate -= np.log1p(-np.minimum(q, 1.0 - 1e-16))
    return np.minimum(rate, _MAX_RATE).ravel(), leave.ravel(), retire.ravel()


def cells(model, ids: np.ndarray) -> np.ndarray:
    """Each person's cell this month: (stage, sex, age band) as one flat index."""
    s, p = model.inputs, model.people
    band = s.band_of(model.now - p.birth_month[ids])
    return (p.stage[ids].astype(np.intp) * 2 + p.sex[ids]) * len(s.band_edges) + band


def update_rates(model) -> None:
    """Work out this month's rate tables; rebase the people whose cell's rate changed."""
    previous_exits, previous_hours = model.exit_table[0], model.hours_table
    model.exit_table = exit_rates(model)
    model.hours_table = review_rates(model.inputs)
    rate = model.exit_table[0]
    if not np.array_equal(rate, previous_exits):
        ids = model.in_status(Status.TRAINING, Status.IN_POST)
        cell = cells(model, ids)
        changed = (rate != previous_exits)[cell]
        rebase(model, ids[changed], rate[cell[changed]], model.now - 1)
    if not np.array_equal(model.hours_table, previous_hours):  # reviews are memoryless: simply drawn again
        ids = model.in_status(Status.IN_POST)
        ids = ids[(model.hours_table != previous_hours)[model.people.group[ids]]]
        model.people.hours_due[ids] = hours_review(model, ids, model.now - 1, "hours_review_rate_change")
        refresh(model.people, ids)


def rebase(model, ids: np.ndarray, rate: np.ndarray, month: int) -> None:
    """New exit rates from the month after ``month``, keeping the hazard accumulated up to it,
    and the due months worked out again."""
    if len(ids) == 0:
        return
    p = model.people
    clocks.rebase(ids, rate, month, p.exit_left, p.exit_since, p.exit_rate)
    reschedule(model, ids, after=month)


def reschedule(model, ids: np.ndarray, after: int) -> None:
    """People's next exit or check after ``after`` at their current rate, and their earliest due month."""
    s, p = model.inputs, model.people
    clocks.reschedule(np.asarray(ids, dtype=np.int64), after, model.now, s.stage_training, s._band_by_month,
                      s.band_ends, s.max_age_months, s.mho_end, p.stage, p.group, p.birth_month, p.mho, p.exit_left,
                      p.exit_since, p.exit_rate, p.exit_due, p.stage_due, p.hours_due, p.next_due)


def exit_month(people, ids: np.ndarray) -> np.ndarray:
    """The month each person's cumulative hazard reaches their threshold at their current rate."""
    return _exit_month(people.exit_left[ids], people.exit_rate[ids], people.exit_since[ids])


def _exit_month(left: np.ndarray, rate: np.ndarray, since) -> np.ndarray:
    """``exit_month`` from the stored (float32) threshold left and rate, and the month since."""
    rate = rate.astype(np.float64)
    positive = rate > 0
    months = np.ceil(left / np.where(positive, rate, 1.0))
    np.minimum(np.maximum(months, 1.0, out=months), NEVER // 2, out=months)  # np.clip costs more per call
    return np.where(positive, since + months, NEVER).astype(np.int64)


def hours_review(model, ids: np.ndarray, since: int, stream: str) -> np.ndarray:
    """Month of each person's next hours review: geometric at the group's monthly probability,
    drawn from the stream of the decision that asks (after a review, or a change of rate)."""
    p = model.people
    wait = -np.log1p(-model.streams.uniform(stream, model.now, p.key[ids]))
    return _exit_month(wait, model.hours_table[p.group[ids]], since)


def review_rates(s) -> np.ndarray:
    """The cumulative hazard a month of each group's monthly hours review probability (0: never)."""
    return -np.log1p(-np.minimum(s.hours_change_monthly, 1.0 - 1e-16))


def refresh(people, ids: np.ndarray) -> None:
    """``next_due`` of people in training or in post: their earliest due month."""
    people.next_due[ids] = np.minimum.reduce([people.stage_due[ids], people.exit_due[ids], people.hours_due[ids]])
