"""Hours: people in post re-choose full or part time, by age band and sex.

A person reconsiders their hours with the group's annual probability (made monthly). At a
review they draw full or part time from the participation table for their current age band
and sex, so hours drift with age over a career.

The review clock (``ReviewClock``) needs no memory, unlike the exit clock
(``sim.processes.exits``): the months to a person's next review (``hours_due``) are geometric
at the group's monthly review probability, drawn on taking up a post (``sim.kernels.entry``),
after each review and when the group's rate changes, each from a stream of its own
(``sim.decisions``): were the first and the next drawn from one stream, a first review due in
the month of entry would always be followed by another a month later.
"""

from __future__ import annotations

import numpy as np

from ..fields import BandRates, Fraction, Probability, Strict
from ..kernels import participation
from ..people import Status, states
from .exits import threshold_month
from .passes import Pass


class ParticipationSpec(Strict):
    """A group's ``participation``: the part-time share by age band (and sex), part-timers' FTE
    range, and the yearly chance of reviewing one's hours."""

    part_time_share: BandRates
    part_time_fte: tuple[Fraction, Fraction]
    change_per_year: Probability


class ReviewClock:
    """The hours review clock of one model: the review hazards in force by group (``rates``)."""

    def __init__(self, model):
        self.model = model
        self.rates = review_rates(model.inputs)

    def update(self) -> None:
        """Work out this month's review hazards; draw afresh the next review of the people of a group
        whose rate changed (reviews are memoryless)."""
        model = self.model
        rates = review_rates(model.inputs)
        changed = rates != self.rates
        if changed.any():
            self.rates[:] = rates  # written over: the passes' tables give it by its address (``ExitClock.update``)
            p = model.people
            ids = model.in_status(Status.IN_POST)
            ids = ids[changed[p.group[ids]]]
            p.hours_due[ids] = self.next_review(ids, model.now - 1, "hours_review_rate_change")
            p.refresh_due(ids)

    def next_review(self, ids: np.ndarray, since: int, stream: str) -> np.ndarray:
        """Month of each person's next hours review after ``since``: geometric at the group's monthly
        probability, drawn from the stream of the decision that asks (after a review, or a change of rate)."""
        model = self.model
        p = model.people
        wait = -np.log1p(-model.streams.uniform(stream, model.now, p.key[ids]))
        return threshold_month(wait, self.rates[p.group[ids]], since)


def review_rates(s) -> np.ndarray:
    """The cumulative hazard a month of each group's monthly hours review probability (0: never)."""
    return -np.log1p(-np.minimum(s.hours_change_monthly, 1.0 - 1e-16))


class Hours(Pass):
    group_sections = {"participation": (ParticipationSpec, ...)}
    decisions = {
        "hours": "an hours review: part time or not",
        "hours_fraction": "an hours review of a part-timer: their FTE within the part-time range",
        "hours_review": "after an hours review: the months to the next one",
        "hours_review_rate_change": "when a group's review rate changes: the months to its people's next review",
    }
    kernel, kinds = participation.reviews_month, participation.REVIEWS_TABLE
    marks_per_due = 1  # for the stocks (sim.stocks)

    def inputs(self) -> tuple[list, tuple]:
        model = self.model
        s = model.inputs
        return ([states(Status.IN_POST), model.streams.bases(("hours", "hours_fraction", "hours_review")),
                 s.part_time_share, s.part_time_range, s._band_by_month, model.reviews.rates,
                 model.people.addresses_of(participation.REVIEWS)], ())
