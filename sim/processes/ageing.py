"""Ageing: ages (in months) follow from the clock and each person's birth month.

Computed once per step for everyone, so later processes share one array.
"""

import numpy as np


def step(model) -> None:
    p = model.people
    model.ages = (model.now - p.birth_month[: p.count]).astype(np.int32)
