"""Entering a stage: one compiled pass (``sim.kernels.entry.enter_month``) for every way in.

A process that brings people in from Python (intake, joiners, the starting population) calls it
through ``WorkforceModel.enter_stage``; a ``Pass`` that moves people on (progression) notes them in
the month's ``entering`` and the pass follows it in the month's compiled call
(``sim.processes.passes``), reading the same table. So entering a stage is compiled once, whoever
calls it.
"""

from __future__ import annotations

import numpy as np

from ..kernels import entry, month as kernel
from ..kernels.bookkeeping import as_each
from ..kernels.columns import Addressed
from ..people import Status
from . import passes

# by status: whether their hours are not drawn yet (new people, and trainees)
NEW_OR_TRAINING = np.array([s in (Status.TRAINING, Status.LEFT) for s in Status])


class Entering(passes.Tabled):
    """Entering a stage, for one model: its pass and what the pass reads (``table``), as a ``Pass`` gives them."""

    kernel, kinds = entry.enter_month, entry.ENTER_TABLE

    def __init__(self, model):
        self.model = model
        self._tables = (None, None)  # the scenario's revision, and its tables the pass reads
        self._entry = None

    def inputs(self) -> tuple[list, tuple]:
        model = self.model
        s = model.inputs
        if self._tables[0] != s.revision:
            self._tables = (s.revision, Addressed([getattr(s, n) for n in entry.TABLES.names], entry.TABLES))
        bases = model.streams.bases(("ltft", "ltft_fraction", "hours_on_entry", "hours_on_entry_fraction", "exit",
                                     "hours_first_review", "extra_time", "extra_time_length"))
        return ([model.people.addresses_of(entry.ENTRY), self._tables[1].addresses, bases, model.exits.rates,
                 model.reviews.rates, NEW_OR_TRAINING, model.arrived], (s.mho_end,))

    def enter(self, ids: np.ndarray, stage, source, reason, columns: np.ndarray, at: int) -> int:
        """Put ``ids`` into ``stage`` from ``source`` for ``reason`` (a code; each one for all or one each),
        their events written from row ``at`` of the event log's room ``columns`` (none if ``at`` is
        negative). Returns how many of them have something due this month."""
        if self._entry is None:
            self._entry = kernel.entry(type(self).kernel)
        model = self.model
        return int(entry.enter_given(self._entry, model.month.array, self.table(), ids, as_each(stage, np.int16),
                                     as_each(source, np.int16), as_each(reason, np.int16), columns, model.now, at))

    def __getstate__(self) -> dict:
        """A copy (or an unpickled one) works its tables out afresh: their addresses are of the original's arrays."""
        return {**super().__getstate__(), "_tables": (None, None), "_entry": None}
