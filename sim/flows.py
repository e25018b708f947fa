"""Joiners and leavers of each staff group, derived from the event log.

A person counts in a group's workforce while they are in one of its workforce stages and
in training, in post or returned. An event that takes someone into a group's workforce
from anywhere else makes a joiner of that group; one that takes someone out makes a
leaver. Moving between stages of the same group is neither. Headcount therefore changes
only by these flows, which is what the conservation invariant checks.
"""

from __future__ import annotations

import numpy as np


def group_flows(scenario, log, src: np.ndarray, dst: np.ndarray, reason: np.ndarray) -> dict:
    """``{"joiners": {group: {reason: n}}, "leavers": {...}}`` for a set of events.

    One count over (kind, group, reason) cells: it runs every month, mostly on few events.
    """
    groups = scenario.groups
    n_groups, n_reasons = len(groups), max(len(log.reasons), 1)
    # group of each stage code; n_groups for none, also at the end, where stage -1 (outside) looks
    table = np.full(len(scenario.stages) + 1, n_groups, dtype=np.intp)
    table[:-1][scenario.stage_workforce] = scenario.stage_group[scenario.stage_workforce]
    g_from, g_to = table[src], table[dst]
    moved = g_from != g_to
    reason = reason[moved].astype(np.intp)
    half = (n_groups + 1) * n_reasons  # leavers' cells, then joiners'
    cells = np.bincount(np.concatenate([g_from[moved] * n_reasons + reason, g_to[moved] * n_reasons + reason + half]),
                        minlength=2 * half)
    out = {"joiners": {g: {} for g in groups}, "leavers": {g: {} for g in groups}}
    nonzero = np.flatnonzero(cells)
    for cell, n in zip(nonzero.tolist(), cells[nonzero].tolist()):
        kind, (g, r) = ("leavers", divmod(cell, n_reasons)) if cell < half else ("joiners", divmod(cell - half, n_reasons))
        if g < n_groups:
            out[kind][groups[g]][log.reasons[r]] = n
    return out


def net(flows: dict) -> dict[str, int]:
    """Joiners less leavers by group."""
    return {g: sum(flows["joiners"][g].values()) - sum(flows["leavers"][g].values()) for g in flows["joiners"]}
