"""Retire-and-return: retirees due back this month return to their post at reduced hours.

Their FTE is cut by the group's ``hours_cut`` (about a fifth overall, a third for nurses)
and they stay for a time drawn uniformly from the group's ``stay_years`` range, cut to end at
the group's maximum age (they come back before it: ``retirement``).
"""

from typing import Annotated

from pydantic import Field

from ..fields import Probability, Strict
from ..kernels import retiring
from ..people import NEVER, Field as PersonField, Status
from . import Process


class ReturnSpec(Strict):
    """A group's ``retire_and_return``: the share of retirees who come back (within a year), the cut
    in their hours, and how long they stay (uniform between two numbers of years)."""

    share: Probability
    hours_cut: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)]
    stay_years: tuple[Annotated[float, Field(strict=True, gt=0.0, le=20.0)],
                      Annotated[float, Field(strict=True, gt=0.0, le=20.0)]]


class Returning(Process):
    group_sections = {"retire_and_return": (ReturnSpec, ...)}
    # drawn on retiring (``sim.processes.exits.Retirement``), who also reads the share coming back
    fields = (PersonField("return_due", "int32", NEVER, "month a retiree comes back (max int if not returning)"),
              PersonField("return_until", "int32", NEVER, "month a returner leaves again"))
    decisions = {"return_stay": "a returner: how long they stay"}

    def step(self) -> None:
        model = self.model
        s, p, now = model.inputs, model.people, model.now
        ids = model.due(Status.RETIRED, by="return_due")
        if len(ids) == 0:
            return
        retiring.come_back(ids, now, model.streams.salts(("return_stay",), now, p.key[ids])[0], s.return_hours_cut,
                           s.return_stay_months, s.max_age_months, p.key, p.birth_month, p.group, p.fte, p.return_due,
                           p.return_until, p.next_due)
        p.set_status(ids, int(Status.RETURNED))
        model.events.record(ids, now, -1, p.stage[ids], "returned")
