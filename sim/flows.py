"""Joiners and leavers of each staff group, derived from the event log.

A person counts in a group's workforce while they are in one of its workforce stages and
in training, in post or returned. An event that takes someone into a group's workforce
from anywhere else makes a joiner of that group; one that takes someone out makes a
leaver. Moving between stages of the same group is neither. Headcount therefore changes
only by these flows, which is what the conservation invariant checks.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .kernels import compiled


KINDS = ("joiners", "leavers")


class Flows(Mapping):
    """A record's joiners and leavers by group and reason, ``{"joiners": {group: {reason: n}},
    "leavers": {...}}``: counted in one array (``counts``, by kind, group and reason code, as
    ``KINDS`` orders the kinds) and made into dicts only when read, as most records are only summed."""

    def __init__(self, counts: np.ndarray, groups: list[str], reasons: list[str]):
        self.counts, self.groups, self.reasons = counts, groups, reasons  # the event log's reasons: codes never change
        self._dicts = None

    def _read(self) -> dict:
        if self._dicts is None:
            self._dicts = {kind: {g: {} for g in self.groups} for kind in KINDS}
            for k, g, r in zip(*(axis.tolist() for axis in np.nonzero(self.counts))):
                self._dicts[KINDS[k]][self.groups[g]][self.reasons[r]] = int(self.counts[k, g, r])
        return self._dicts

    def __getitem__(self, kind: str) -> dict:
        return self._read()[kind]

    def __iter__(self):
        return iter(KINDS)

    def __len__(self) -> int:
        return len(KINDS)

    def __repr__(self) -> str:
        return repr(self._read())


def group_flows(scenario, log, src: np.ndarray, dst: np.ndarray, reason: np.ndarray,
                groups_of_stages: np.ndarray | None = None) -> Flows:
    """The joiners and leavers of a set of events (``Flows``), counted in one compiled pass, as it
    runs for every record, mostly on few events; ``groups_of_stages``: the scenario's ``workforce_groups``,
    if its caller keeps them."""
    table = workforce_groups(scenario) if groups_of_stages is None else groups_of_stages
    groups = scenario.groups
    return Flows(_count(table, len(groups), max(len(log.reasons), 1), src, dst, reason), groups, log.reasons)


def workforce_groups(scenario) -> np.ndarray:
    """The group whose workforce each stage code counts in: the number of groups for none, also at the
    end, where stage -1 (outside) looks."""
    table = np.full(len(scenario.stages) + 1, len(scenario.groups), dtype=np.int64)
    table[:-1][scenario.stage_workforce] = scenario.stage_group[scenario.stage_workforce]
    return table


@compiled()
def _count(table, n_groups, n_reasons, src, dst, reason):
    """Events by kind (joining, leaving), group and reason: an event whose stage's group (``table``)
    differs from where it came from joins the one and leaves the other."""
    counts = np.empty((2, n_groups + 1, n_reasons), dtype=np.int64)  # the last group: none
    for k in range(2):  # zeroed here: np.zeros costs compiling
        for g in range(n_groups + 1):
            for r in range(n_reasons):
                counts[k, g, r] = 0
    for j in range(src.shape[0]):
        g_from, g_to = table[src[j]], table[dst[j]]
        if g_from != g_to:
            counts[0, g_to, reason[j]] += 1
            counts[1, g_from, reason[j]] += 1
    return counts[:, :n_groups]


def total(flows: list[Flows]) -> Flows:
    """The flows of several records together."""
    counts = np.zeros(flows[0].counts.shape[:2] + (max(f.counts.shape[2] for f in flows),), dtype=np.int64)
    for f in flows:  # a record made before a reason first occurred has no column for it
        counts[:, :, : f.counts.shape[2]] += f.counts
    return Flows(counts, flows[0].groups, flows[0].reasons)


def net(flows: dict) -> dict[str, int]:
    """Joiners less leavers by group."""
    return {g: sum(flows["joiners"][g].values()) - sum(flows["leavers"][g].values()) for g in flows["joiners"]}
