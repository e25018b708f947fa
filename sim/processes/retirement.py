"""Retirement, including early retirement under mental health officer (MHO) status.

- People in post retire at annual hazards by group, age band and sex, and all retire at
  the group's maximum age.
- MHO status holders reaching 55 retire then with the group's ``mho_retire_at_55``
  probability, only until the status ends (``mho_end``, March 2029 by default).
- A share of retirees will come back within a year (see ``returning``): they are drawn
  here, keep their record and stay active until their return month. Nobody comes back at or
  past the group's maximum age, so people retired at it never do.
- Returners whose stay has ended leave for good.

Who retires this month was decided with leaving, as one scheduled exit (``leaving``,
``sim.schedule``); this step retires them after the month's hours reviews, as before.
"""

import numpy as np

from ..kernels import retiring
from ..people import Status
from . import Process


class Retirement(Process):
    def step(self) -> None:
        model = self.model
        p, now = model.people, model.now
        retiring = [(ids, reason) for reason, ids in model.retiring.items() if len(ids)]
        model.retiring = {}
        if retiring:  # one batch; reason codes in order of first use, as retiring reason by reason gives
            codes = [model.events.reason_code(reason) for _, reason in retiring]
            ids = np.concatenate([ids for ids, _ in retiring])
            retire(model, ids, np.repeat(codes, [len(these) for these, _ in retiring]))
        returners = model.due(Status.RETURNED)
        model.remove(returners[p.return_until[returners] <= now], Status.LEFT, "return_ended")



def retire(model, ids: np.ndarray, reasons: np.ndarray) -> None:
    """Retire people (with a reason code each); those who will return stay active with a return
    month within a year."""
    s, p, now = model.inputs, model.people, model.now
    back, due = retiring.will_return(ids, now, model.streams.salts(("return", "return_delay"), now, p.key[ids]),
                                     s.return_share, s.max_age_months, p.key, p.birth_month, p.group)
    model.remove(ids, Status.RETIRED, reasons, keep_active=back)
    coming = ids[back]
    p.return_due[coming] = p.next_due[coming] = due[back]
