"""Retire-and-return: retirees due back this month return to their post at reduced hours.

Their FTE is cut by the group's ``hours_cut`` (about a fifth overall, a third for nurses)
and they stay for a time drawn uniformly from the group's ``stay_years`` range, cut to end at
the group's maximum age (they come back before it: ``retirement``).
"""

from typing import Annotated

import numpy as np

from pydantic import Field

from ..eventlog import OUTSIDE
from ..fields import BandRates, StayYears, Strict
from ..kernels import retiring
from ..kernels.bookkeeping import as_each
from ..people import GONE, NEVER, Field as PersonField, Status, states
from .passes import Pass

_OUTSIDE = as_each(OUTSIDE, np.int16)  # where returners come back from, as the event log's compiled pass reads it


class ReturnSpec(Strict):
    """A group's ``retire_and_return``: the share of retirees who come back (within a year), by
    their age band at retiring (and sex) if given so, the cut in their hours, and how long they stay
    (uniform between two numbers of years)."""

    share: BandRates
    hours_cut: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)]
    stay_years: StayYears


class Returning(Pass):
    group_sections = {"retire_and_return": (ReturnSpec, ...)}
    # drawn on retiring (``sim.processes.exits.Retirement``), who also reads the share coming back
    fields = (PersonField("return_due", "int32", NEVER, "month a retiree comes back (max int if not returning)"),
              PersonField("return_until", "int32", NEVER, "month a returner leaves again"))
    decisions = {"return_stay": "a returner: how long they stay"}
    kernel, kinds = retiring.returning_month, retiring.RETURNING_TABLE
    events_per_due = marks_per_due = 1

    def compile(self, s) -> np.ndarray:
        """The reason code of its events (an array of one, as the event log's compiled pass reads it)."""
        return as_each(self.model.events.reason_code("returned"), np.int16)

    def inputs(self) -> tuple[list, tuple]:
        model = self.model
        s = model.inputs
        return ([states(Status.RETIRED), model.streams.bases(("return_stay",)), s.return_hours_cut,
                 s.return_stay_months, s.max_age_months, _OUTSIDE, self.tables,
                 model.people.addresses_of(retiring.RETURNING)], (int(Status.RETURNED), GONE))
