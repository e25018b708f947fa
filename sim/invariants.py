"""Invariants that must hold after every step (``workforce run --check``).

- headcount of every group changes only by recorded joiners and leavers;
- nobody is in two places: each counted person has exactly one valid stage and a status
  that matches it (training stage <-> in training);
- FTE is in (0, 1] for everyone counted; no count is negative;
- nobody is younger than the youngest age their stage's entrants can have.
"""

from __future__ import annotations

import numpy as np

from .flows import net
from .people import Status


class InvariantError(AssertionError):
    pass


def check_step(model, previous: dict, current: dict) -> None:
    s, p = model.inputs, model.people
    before = model.group_totals(previous, "stage_headcount")
    after = model.group_totals(current, "stage_headcount")
    moved = net(current["flows"])
    for g in s.groups:
        if round(after[g] - before[g]) != moved[g]:
            raise InvariantError(f"month {model.now}: {g} headcount changed by {after[g] - before[g]:+.0f} "
                                 f"but recorded flows net {moved[g]:+d}")
    ids = model.counted()
    stage = p.stage[ids]
    if (stage < 0).any() or (stage >= len(s.stages)).any():
        raise InvariantError(f"month {model.now}: a counted person has no valid stage")
    if ((p.status[ids] == Status.TRAINING) != s.stage_training[stage]).any():
        raise InvariantError(f"month {model.now}: a person's status does not match their stage")
    fte = p.fte[ids]
    if not ((fte > 0) & (fte <= 1.0)).all():
        raise InvariantError(f"month {model.now}: FTE outside (0, 1] for someone counted")
    for key in ("stage_headcount", "stage_fte", "welsh_headcount", "welsh_fte", "post_fte"):
        if (current[key] < 0).any():
            raise InvariantError(f"month {model.now}: negative {key}")
    if ((model.now - p.birth_month[ids]) < 12 * 16).any():
        raise InvariantError(f"month {model.now}: someone counted is younger than 16")
    if (np.bincount(ids, minlength=1) > 1).any():
        raise InvariantError(f"month {model.now}: someone counted twice")
