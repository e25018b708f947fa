"""What a cap leaves unused: so that a lever a cap cuts says so, rather than fading in silence.

Two caps cut what a lever adds:

- **Vacancies cap recruitment** (``sim.processes.joiners``): joiners only fill vacant posts, so
  supply a lever adds to the pools beyond what the vacancies take is not used.
  ``recruits_unused`` (people a year, by group) is that extra supply not taken, month by month:
  the supply added since the run began (by recruitment levers) less the extra joiners it brings,
  ``min(sought, available) - min(sought, supply at the start)``. Zero without a recruitment lever,
  and for a campaign with funded posts, whose recruits need no vacancy.
- **Caps leave training places unfilled** (``sim.processes.intake``): places the fill rate would
  fill that an in-service route's pool is too small to take (reason ``in_service_pool``: too few
  staff of the age and stage it selects from) or that the supervisors in post cannot supervise
  (``supervision``, ``sim.feedbacks``). ``places_unfilled`` counts them (places a year, by intake
  stage and reason); a policy's own are its count less its baseline twin's.

Both are flows in the tidy table: a row only where something went unused (as a flow with no
events has none), so the tables of runs no cap cuts are the tables they always were.
``sim.analysis`` turns them into warnings for ``workforce run``, ``batch``, ``compare`` and the report.
"""

from __future__ import annotations

import numpy as np

from .kernels import compiled

RECRUITS, PLACES = "recruits_unused", "places_unfilled"
MEASURES = (RECRUITS, PLACES)
REASONS = ("in_service_pool", "supervision")  # what left training places unfilled


class Unused:
    """A model's counts of what caps left unused since its last record."""

    def __init__(self, s):
        self.supply = s.joiners_per_year / 12.0  # the pools' supply a month at the start: levers add to it
        self.recruits = np.zeros(len(s.groups))
        self.places = np.zeros((len(s.stages), len(REASONS)))

    def unfilled(self, stage: int, reason: str, places: int) -> None:
        """Places of an intake a cap left unfilled (a count of at least 0)."""
        if places > 0:
            self.places[stage, REASONS.index(reason)] += places

    def take(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The counts since the last record (None if nothing went unused), starting afresh."""
        if not self.recruits.any() and not self.places.any():
            return None
        out = (self.recruits.copy(), self.places.copy())
        self.recruits[:], self.places[:] = 0.0, 0  # in place: the joiners' pass is given them by address
        return out


@compiled(inline="always")
def not_taken(sought, available, supply, recruits):
    """Add to ``recruits`` the supply added since the start (``available`` above ``supply``) that a
    month's vacancies did not take: ``min(sought, available) - min(sought, supply)`` of it is taken.
    Compiled, so that the month's joiners (``sim.processes.joiners``) count it in their own pass."""
    for g in range(sought.shape[0]):
        added = available[g] - supply[g]
        if added > 0:
            recruits[g] += max(added - (min(sought[g], available[g]) - min(sought[g], supply[g])), 0.0)


def tidy_rows(results) -> list[tuple]:
    """Rows of the tidy table: each year's unused recruits by group and unfilled places by intake
    stage and reason, summed over the months to the snapshot, where above zero."""
    from . import calendar

    s, rows = results.scenario, []
    for snapshot, months in results.yearly_records():
        counts = [record["unused"] for record in months if record.get("unused") is not None]
        if not counts:
            continue
        year, date = calendar.year_of(snapshot["month"]), calendar.label(snapshot["month"])
        recruits, places = np.sum([c[0] for c in counts], axis=0), np.sum([c[1] for c in counts], axis=0)
        rows += [(year, date, g, "all", RECRUITS, "", "people_per_year", float(v))
                 for g, v in zip(s.groups, recruits) if v > 0]
        for stage, reason in zip(*np.nonzero(places)):
            rows.append((year, date, s.groups[s.stage_group[stage]], s.stages[stage], PLACES, REASONS[reason],
                         "places", float(places[stage, reason])))
    return rows
