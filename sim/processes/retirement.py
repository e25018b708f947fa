"""Retirement, including early retirement under mental health officer (MHO) status.

- People in post retire at annual hazards by group, age band and sex, and all retire at
  the group's maximum age.
- MHO status holders reaching 55 retire then with the group's ``mho_retire_at_55``
  probability, only until the status ends (``mho_end``, March 2029 by default).
- A share of retirees will come back within a year (see ``returning``): they are drawn
  here, keep their record and stay active until their return month.
- Returners whose stay has ended leave for good.
"""

import numpy as np

from ..people import Status


def step(model) -> None:
    s, p, now = model.inputs, model.people, model.now
    ids = model.in_status(Status.IN_POST)
    ids = ids[model.ages[ids] >= s.min_retirement_age_months]  # most staff are too young: skip them early
    age = model.ages[ids]
    group = p.group[ids]
    hazard = s.by_sex_band(s.retire_monthly, group, p.sex[ids], s.band_of(age))
    mho_age = p.mho[ids] & (age == 55 * 12) & (now <= s.mho_end)
    at_risk = (hazard > 0) | (age >= s.max_age_months[group]) | mho_age
    ids, age, group, hazard, mho_age = ids[at_risk], age[at_risk], group[at_risk], hazard[at_risk], mho_age[at_risk]
    retiring = (model.streams.uniform("retirement", now, p.key[ids]) < hazard) | (age >= s.max_age_months[group])
    mho = ~retiring & mho_age
    mho &= model.streams.uniform("retirement_mho", now, p.key[ids]) < s.mho_retire_at_55[group]
    retire(model, ids[retiring], "retired")
    retire(model, ids[mho], "retired_mho")
    returners = model.in_status(Status.RETURNED)
    model.remove(returners[p.return_until[returners] <= now], Status.LEFT, "return_ended")


def retire(model, ids: np.ndarray, reason: str) -> None:
    """Retire people; those who will return stay active with a return month within a year."""
    if len(ids) == 0:
        return
    s, p, now = model.inputs, model.people, model.now
    keys = p.key[ids]
    back = model.streams.uniform("return", now, keys) < s.return_share[p.group[ids]]
    model.remove(ids[~back], Status.RETIRED, reason)
    coming = ids[back]
    model.remove(coming, Status.RETIRED, reason, keep_active=True)
    delay = 1 + np.floor(12 * model.streams.uniform("return_delay", now, p.key[coming])).astype(np.int32)
    p.return_due[coming] = now + delay
