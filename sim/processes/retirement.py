"""Retirement, including early retirement under mental health officer (MHO) status.

- People in post retire at annual hazards by group, age band and sex, and all retire at
  the group's maximum age.
- MHO status holders reaching 55 retire then with the group's ``mho_retire_at_55``
  probability, only until the status ends (``mho_end``, March 2029 by default).
- A share of retirees will come back within a year (see ``returning``): they are drawn
  here, keep their record and stay active until their return month.
- Returners whose stay has ended leave for good.

Who retires this month was decided with leaving, as one scheduled exit (``leaving``,
``sim.schedule``); this step retires them after the month's hours reviews, as before.
"""

import numpy as np

from ..people import Status


def step(model) -> None:
    p, now = model.people, model.now
    for reason, ids in model.retiring.items():
        retire(model, ids, reason)
    model.retiring = {}
    returners = model.due(Status.RETURNED)
    model.remove(returners[p.return_until[returners] <= now], Status.LEFT, "return_ended")


def retire(model, ids: np.ndarray, reason: str) -> None:
    """Retire people; those who will return stay active with a return month within a year."""
    if len(ids) == 0:
        return
    s, p, now = model.inputs, model.people, model.now
    u = model.streams.uniforms(("return", "return_delay"), now, p.key[ids])
    back = u[0] < s.return_share[p.group[ids]]
    model.remove(ids[~back], Status.RETIRED, reason)
    coming = ids[back]
    model.remove(coming, Status.RETIRED, reason, keep_active=True)
    delay = 1 + np.floor(12 * u[1][back]).astype(np.int32)
    p.return_due[coming] = now + delay
    p.next_due[coming] = p.return_due[coming]
