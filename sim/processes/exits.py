"""Exits: training attrition, leaving and retirement, on one clock.

A person in a stage faces one monthly exit hazard q set by their *cell* (stage, sex and age
band): trainees their stage's attrition, people in post leaving and retirement together.
Testing everyone against q every month would cost a draw per person and month; instead each
person draws a threshold E ~ Exp(1) on entering a stage (``sim.kernels.entry``) and exits in
the first month their cumulative hazard (the sum of -log(1 - q) over their months at risk)
reaches E. With a constant q that month is geometric, P(still there after k months) = (1 -
q)^k, exactly the monthly test's distribution, and a month touches only the people with
something due. One clock for all three exits keeps them one competing risk, as a monthly test
would have them.

A person's rate changes only

- on a birthday into another age band: scheduled as a check, as are the group's maximum age
  (trainees retire at it too, with no return) and 55 under mental health officer (MHO) status;
- when a lever or feedback changes a rate: the table by cell is worked out afresh as a lever comes
  into force, and each month a feedback acts (``ExitClock.update``), and the people of a changed cell
  are *rebased*: the hazard they have accumulated is kept and the rest runs at the new rate. A
  retention lever then only ever delays a leaver, and a policy run stays coupled to its baseline
  person by person (common random numbers).

Per person (``sim.people``): ``exit_left``, the threshold still to accumulate after month
``exit_since``; ``exit_rate``, the cumulative hazard a month in their cell; ``exit_due``, the
month of the exit or of the next check, whichever is first.

The steps, in ``sim.processes.order.STEP_ORDER``'s order:

- ``Attrition``: trainees whose month has come leave training. A stage's hazard is its
  published attrition (the share of entrants who do not complete it) spread over its
  full-time duration, so a full-time cohort completes at 1 - attrition in expectation.
- ``Leaving``: for people in post the exit is a leaving with probability q_leave / (1 - (1 -
  q_leave)(1 - q_retire)), the chance a monthly test of leaving, then of retirement, would
  have found them leaving, with a reason drawn from the group's shares; otherwise, or at the
  maximum age, a retirement; MHO holders reaching 55 retire with the group's
  ``mho_retire_at_55`` probability until the status ends (``mho_end``). Retention levers
  (``stage_leave_factor``) and the workload feedback reach people through the month's table.
- ``Retirement``: the retirements decided with leaving are taken after the month's hours
  reviews (``sim.processes.hours``), as retirement always followed them; a share of retirees
  will come back within a year (``sim.processes.returning``), never at or past the maximum
  age; returners whose stay has ended leave for good.
"""

from __future__ import annotations

import numpy as np

from typing import Annotated

from pydantic import Field, field_validator

from ..fields import Age, BandRates, Name, Probability, Strict, shares_sum_to_one
from ..kernels import clocks, exits as kernels
from ..people import GONE, NEVER, Status, states
from ..rng import ShareTable
from .passes import Pass

_MAX_RATE = 50.0  # a month's cumulative hazard at q = 1, kept finite: survival e^-50


class LeavingSpec(Strict):
    """A group's ``leaving``: the annual leaving rate by age band (and sex), and the reasons' shares."""

    rate: BandRates
    reasons: dict[Name, Probability]  # named as an exit: reason is, for the event log and tables

    @field_validator("reasons")
    @classmethod
    def _sum(cls, v):
        if not v:
            raise ValueError("at least one leaving reason")
        shares_sum_to_one(list(v.values()), "leaving reason shares")
        return v


class RetirementSpec(Strict):
    """A group's ``retirement``: the annual rate by age band (and sex), the age all retire at, and
    early retirement at 55 under mental health officer status."""

    rate: BandRates
    max_age: Annotated[int, Field(strict=True, ge=50, le=100)]
    mho_share: Probability = 0.0
    mho_retire_at_55: Probability = 0.0
    # the youngest age at which the group's staff could have been in post when MHO status closed (``mho_closed``;
    # a doctor's first post followed medical school and a pre-registration year); none: any age that reaches 55
    # before the status ends (``mho_end``)
    mho_youngest_age: Age | None = None


class ExitClock:
    """The exit clock of one model, shared by its three exit steps: this month's hazards by cell
    (``rates``, the cumulative hazard a month of all exits; ``leave`` and ``retire``, the monthly
    probabilities). The retirements ``Leaving`` decides are kept for ``Retirement`` in the month's
    arrays (``sim.processes.passes.Month``)."""

    def __init__(self, model):
        self.model = model
        self.rates, self.leave, self.retire = exit_rates(model)

    def update(self) -> None:
        """Work out this month's hazards; rebase the people whose cell's rate changed. Written over the arrays
        kept: the passes' tables give them by their addresses, and are not made again for a change of rates."""
        model = self.model
        rates, self.leave[:], self.retire[:] = exit_rates(model)
        changed = rates != self.rates
        if changed.any():
            self.rates[:] = rates
            ids = model.in_status(Status.TRAINING, Status.IN_POST)
            cell = cells(model, ids)
            moved = changed[cell]
            rebase(model, ids[moved], rates[cell[moved]], model.now - 1)


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
    attrition = np.where(training, s.stage_attrition[:, :, None], 0.0)
    rate = np.zeros(leave.shape)
    for q in (leave, retire, attrition):
        rate -= np.log1p(-np.minimum(q, 1.0 - 1e-16))
    return np.minimum(rate, _MAX_RATE).ravel(), leave.ravel(), retire.ravel()


def cells(model, ids: np.ndarray) -> np.ndarray:
    """Each person's cell this month: (stage, sex, age band) as one flat index."""
    s, p = model.inputs, model.people
    band = s.band_of(model.now - p.birth_month[ids])
    return (p.stage[ids].astype(np.intp) * 2 + p.sex[ids]) * len(s.band_edges) + band


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
    return threshold_month(people.exit_left[ids], people.exit_rate[ids], people.exit_since[ids])


def threshold_month(left: np.ndarray, rate: np.ndarray, since) -> np.ndarray:
    """The month a threshold ``left`` is used up at ``rate`` a month after ``since`` (NEVER at rate
    0), from the stored (float32) threshold and rate, as ``sim.kernels.clocks.exit_month`` works it out."""
    rate = rate.astype(np.float64)
    positive = rate > 0
    months = np.ceil(left / np.where(positive, rate, 1.0))
    np.minimum(np.maximum(months, 1.0, out=months), NEVER // 2, out=months)  # np.clip costs more per call
    return np.where(positive, since + months, NEVER).astype(np.int64)


_STATUSES = np.array([Status.LEFT, Status.RETIRED, Status.RETURNED], dtype=np.int8)  # sim.kernels.exits's rows


class Attrition(Pass):
    """Trainees whose exit has come leave training; those at their group's maximum age retire."""

    kernel, kinds = kernels.attrition_month, kernels.ATTRITION_TABLE
    events_per_due = marks_per_due = 1

    def compile(self, s) -> np.ndarray:
        """The reason codes of its events: leaving training, retiring."""
        return codes(self.model.events, "attrition", "retired")

    def inputs(self) -> tuple[list, tuple]:
        model = self.model
        return ([states(Status.TRAINING), model.inputs.max_age_months, self.tables, _STATUSES,
                 model.people.addresses_of(kernels.ATTRITION)], (GONE,))


def codes(events, *reasons) -> np.ndarray:
    """The reason codes of the events a step records, given before its first month (``sim.eventlog``)."""
    return np.array([events.reason_code(reason) for reason in reasons], dtype=np.int16)


class Leaving(Pass):
    """People in post whose exit or check has come: leavers leave now, retirements are decided
    for ``Retirement``, everyone else's next exit or check is scheduled."""

    group_sections = {"leaving": (LeavingSpec, ...)}
    decisions = {
        "exit_cause": "an exit from a post: leaving or retirement",
        "leaving_reason": "a leaver: their reason for leaving",
        "retirement_mho": "a mental health officer status holder reaching 55: retiring then or not",
    }
    kernel, kinds = kernels.leaving_month, kernels.LEAVING_TABLE
    events_per_due = marks_per_due = 1

    def compile(self, s) -> ShareTable:
        """Every group's leaving reasons as one table (a row per group), labelled with reason codes."""
        reasons = [s.spec.groups[g].leaving.reasons for g in s.groups]
        return ShareTable([list(r.values()) for r in reasons],
                          [[self.model.events.reason_code(f"left:{r}") for r in these] for these in reasons])

    def inputs(self) -> tuple[list, tuple]:
        model, table = self.model, self.tables
        s, clock = model.inputs, model.exits
        bases = model.streams.bases(("exit_cause", "retirement_mho", "leaving_reason"))
        return ([states(Status.IN_POST), bases, clock.rates, clock.leave, clock.retire, s._band_by_month, s.band_ends,
                 s.max_age_months, s.mho_retire_at_55, table.cumulative, table.total, table.last, table.labels,
                 _STATUSES, model.people.addresses_of(kernels.LEAVING)], (s.mho_end, GONE))


class Retirement(Pass):
    """The retirements ``Leaving`` decided this month, and the end of returners' stays."""

    group_sections = {"retirement": (RetirementSpec, ...)}
    decisions = {
        "return": "a retiree: coming back under retire-and-return or not",
        "return_delay": "a retiree coming back: the months before they return",
    }
    kernel, kinds = kernels.retirement_month, kernels.RETIREMENT_TABLE
    events_per_due = marks_per_due = 2  # a retirement leaving decided, or a stay ending

    def compile(self, s) -> np.ndarray:
        """The reason codes of its events: retiring, retiring at 55 under MHO status, a stay back ending."""
        return codes(self.model.events, "retired", "retired_mho", "return_ended")

    def inputs(self) -> tuple[list, tuple]:
        model = self.model
        s = model.inputs
        return ([states(Status.RETURNED), model.streams.bases(("return", "return_delay")), s.return_share,
                 s._band_by_month, s.max_age_months, self.tables, _STATUSES,
                 model.people.addresses_of(kernels.RETIREMENT)], (GONE,))
