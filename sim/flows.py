"""Joiners and leavers of each staff group, derived from the event log.

A person counts in a group's workforce while they are in one of its workforce stages and
in training, in post or returned. An event that takes someone into a group's workforce
from anywhere else makes a joiner of that group; one that takes someone out makes a
leaver. Moving between stages of the same group is neither. Headcount therefore changes
only by these flows, which is what the conservation invariant checks.
"""

from __future__ import annotations

import numpy as np


def group_of(scenario, stages: np.ndarray) -> np.ndarray:
    """Workforce group of each stage code (-1 outside, or a stage outside the workforce)."""
    stages = np.asarray(stages)
    inside = stages >= 0
    out = np.full(len(stages), -1, dtype=np.int64)
    out[inside] = np.where(scenario.stage_workforce[stages[inside]], scenario.stage_group[stages[inside]], -1)
    return out


def group_flows(scenario, log, src: np.ndarray, dst: np.ndarray, reason: np.ndarray) -> dict:
    """``{"joiners": {group: {reason: n}}, "leavers": {...}}`` for a set of events."""
    g_from, g_to = group_of(scenario, src), group_of(scenario, dst)
    moved = g_from != g_to
    n_reasons = max(len(log.reasons), 1)
    out = {"joiners": {g: {} for g in scenario.groups}, "leavers": {g: {} for g in scenario.groups}}
    for kind, groups in (("leavers", g_from), ("joiners", g_to)):
        chosen = moved & (groups >= 0)
        cells = np.bincount(groups[chosen] * n_reasons + reason[chosen], minlength=len(scenario.groups) * n_reasons)
        for cell in np.flatnonzero(cells):
            g, r = divmod(int(cell), n_reasons)
            out[kind][scenario.groups[g]][log.reasons[r]] = int(cells[cell])
    return out


def net(flows: dict) -> dict[str, int]:
    """Joiners less leavers by group."""
    return {g: sum(flows["joiners"][g].values()) - sum(flows["leavers"][g].values()) for g in flows["joiners"]}
