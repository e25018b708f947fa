"""The column store of individuals.

Every staff member and trainee is one row: a permanent id (the row index, never reused),
and one numpy array per field. Nobody is ever deleted: leavers keep their row with status
``LEFT`` and drop out of the ``active`` mask. Capacity grows geometrically, so adding people
costs amortised O(1) and the arrays are never copied inside a step. The rows beyond the people
are given the fields' defaults only as people are about to be added to them, a block of rows at
a time (``_fill``): filling all the spare room would touch memory that may never be used, and
filling each new person's every field would cost a call per field every month.

Every column is declared once, as a ``Field``: the fields every person has (``FIELDS``), and
those each monthly process declares as its own (``Process.fields``). A model's people are
assembled from both (``People(fields=...)``), and the declarations drive array creation, growth,
export and the record shown for one person.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

import numpy as np

from .errors import is_whole
from .kernels import bookkeeping, clocks
from .kernels.columns import Layout, addresses


class Status(IntEnum):
    """Where a person is in their working life."""

    TRAINING = 0  # in a training stage (student, trainee, apprentice)
    IN_POST = 1  # qualified and employed in a non-training stage
    RETIRED = 2  # retired (may still return)
    RETURNED = 3  # back in post after retiring, at reduced hours, for a limited time
    LEFT = 4  # left the modelled workforce for good


class Sex(IntEnum):
    FEMALE = 0
    MALE = 1


NEVER = int(clocks.NEVER)  # a month that never comes: the largest int32, as the compiled clocks keep it


@dataclass(frozen=True)
class Field:
    name: str
    dtype: str
    default: object
    doc: str


FIELDS: tuple[Field, ...] = (
    Field("key", "uint64", 0, "random-stream key: depends only on where and when the person was created"),
    Field("sex", "int8", 0, "0 female, 1 male"),
    Field("birth_month", "int32", 0, "month of birth (integer month, see sim.calendar)"),
    Field("group", "int16", -1, "staff group code (index into the scenario's groups)"),
    Field("pathway", "int16", -1, "pathway code"),
    Field("stage", "int16", -1, "stage code (index into the model's stage table)"),
    Field("stage_entry", "int32", 0, "month the person entered their current stage"),
    Field("stage_due", "int32", NEVER, "month they are due to leave the stage (max int if none)"),
    Field("fte", "float32", 0.0, "contracted full-time equivalent"),
    Field("ltft", "bool", False, "less-than-full-time trainee"),
    Field("ltft_fraction", "float32", 1.0, "LTFT training fraction (1 for full-time)"),
    Field("mho", "bool", False, "holds NHS pension mental health officer status"),
    Field("welsh", "bool", False, "has some Welsh language ability"),
    Field("sector", "int8", 0, "0 NHS, 1 social care"),
    Field("status", "int8", int(Status.LEFT), "see Status"),
    # where the person was counted when the stocks were last brought up to date (sim.stocks)
    Field("counted_as", "int16", -1, "stage * 2 + Welsh ability, -1 if not counted"),
    Field("counted_fte", "float32", 0.0, "FTE counted"),
    # the clocks of scheduled events: exits (sim.processes.exits) and hours reviews (sim.processes.hours)
    Field("exit_left", "float32", 0.0, "cumulative hazard still to accumulate after exit_since before the next exit"),
    Field("exit_since", "int32", 0, "last month counted against exit_left"),
    Field("exit_rate", "float32", 0.0, "cumulative exit hazard a month in the person's cell"),
    Field("exit_due", "int32", NEVER, "month of the next exit, or of the next check of it"),
    Field("hours_due", "int32", NEVER, "month of the next hours review (max int if none)"),
    Field("next_due", "int32", NEVER, "earliest month anything is due for the person"),
)

_FILL = 4096  # rows given the defaults at a time, ahead of the people added to them
SECTORS = ("nhs", "social_care")
GONE = len(Status)  # the state of inactive people (see People.state)
COUNTED = (Status.TRAINING, Status.IN_POST, Status.RETURNED)  # the statuses counted in stocks
COUNTED_STATE = np.isin(np.arange(GONE + 1), COUNTED)  # by state: counted or not
NOT_COUNTED = -1  # the stocks' cell of people not counted (``counted_as``)


def distinct(ids: np.ndarray) -> np.ndarray:
    """The distinct ids, sorted (as ``np.unique``, which hashes first and is ten times slower here)."""
    ids = np.sort(ids)
    return ids[np.concatenate(([True], ids[1:] != ids[:-1]))] if len(ids) else ids


def has_status(status: np.ndarray, statuses) -> np.ndarray:
    """Which entries of a status (or state) array are one of ``statuses``: a comparison per status,
    each with a plain int (an IntEnum would widen the comparison to int64)."""
    chosen = status == int(statuses[0])
    for wanted in statuses[1:]:
        chosen |= status == int(wanted)
    return chosen


def states(*statuses) -> np.ndarray:
    """By state (``GONE`` included): whether it is one of ``statuses`` (read only), for choosing
    people by state in compiled steps (``sim.kernels.bookkeeping.in_states``)."""
    return _states(statuses)


@lru_cache(maxsize=64)
def _states(statuses: tuple) -> np.ndarray:
    table = has_status(np.arange(GONE + 1), statuses)
    table.flags.writeable = False
    return table


class People:
    """Columns of individuals, with an ``active`` mask of those still in the modelled system.

    ``active`` covers people in training or in post (including returners) and retirees who
    are due to return; people who have left for good, or retired with no return, are inactive.
    ``state`` is the status of active people and ``GONE`` for the rest, so finding everyone in a
    status is one pass over one byte a person (``set_status`` keeps the three together).
    ``marked`` lists the ids whose status, stage or hours changed since the stocks were last
    brought up to date (``sim.stocks``): ``set_status`` marks its people, ``mark`` anyone else.
    """

    def __init__(self, capacity: int = 1024, fields: tuple[Field, ...] = FIELDS):
        names = [f.name for f in fields]
        twice = sorted({n for n in names if names.count(n) > 1} | set(names) & {"active", "state", "marked", "count"})
        if twice:
            raise ValueError(f"person fields declared twice, or named as the store's own attributes: {twice}")
        self.fields = tuple(fields)
        self.count = 0
        self._capacity = max(int(capacity), 16)
        for f in self.fields:
            setattr(self, f.name, np.empty(self._capacity, dtype=f.dtype))
        self.active = np.empty(self._capacity, dtype=bool)
        self.state = np.empty(self._capacity, dtype=np.int8)
        self.marked: list[np.ndarray] = []
        self._addresses: dict[Layout, np.ndarray] = {}  # of the columns, by the layout a compiled pass reads
        self._data: dict[str, int] = {}  # each column's address, by name: asked once
        self._filled = 0  # the rows from ``count`` up to this one hold the defaults
        self._names = frozenset(names)

    def __len__(self) -> int:
        return self.count

    @property
    def capacity(self) -> int:
        """The rows the columns have: it changes only when they grow, and with it their addresses."""
        return self._capacity

    def _grow(self, needed: int) -> None:
        capacity = self._capacity
        while capacity < needed:
            capacity = capacity * 3 // 2  # by half: amortised O(1), with less idle room than doubling
        if capacity == self._capacity:
            return
        self._data = {}  # the columns are about to be new arrays: their old addresses go
        for name in self._arrays():
            old = getattr(self, name)
            new = np.empty(capacity, dtype=old.dtype)
            new[: len(old)] = old  # every old row: those ``truncate`` reset may still be marked
            setattr(self, name, new)
        self._capacity = capacity
        for kinds, found in self._addresses.items():  # in place: the tables giving them give the new columns
            found[:] = addresses([getattr(self, name) for name in kinds.names], kinds)

    def _arrays(self) -> list[str]:
        """The names of every per-person array: the fields', ``active`` and ``state``."""
        return [f.name for f in self.fields] + ["active", "state"]

    def _fill(self, needed: int) -> None:
        """Give the rows up to ``needed`` (and a block beyond, within capacity) the defaults."""
        end = min(max(needed, self._filled + _FILL), self._capacity)
        self._defaults(slice(self._filled, end))
        self._filled = end

    def _defaults(self, rows: slice) -> None:
        """Give ``rows`` every field's default, inactive."""
        for f in self.fields:
            getattr(self, f.name)[rows] = f.default
        self.active[rows] = False
        self.state[rows] = GONE

    def add(self, n: int, **values) -> np.ndarray:
        """Append ``n`` people with the given field values (the defaults for the other fields); return
        their new ids."""
        if not self._names.issuperset(values):
            raise KeyError(f"unknown person fields: {sorted(set(values) - self._names)}")
        self.reserve(n)
        rows = slice(self.count, self.count + n)  # new people are a block at the end: slices, not fancy indexing
        for name, value in values.items():
            getattr(self, name)[rows] = value
        self.active[rows] = True
        self.state[rows] = self.status[rows]
        return self.added(n)

    def reserve(self, n: int) -> int:
        """Room for ``n`` more people: rows from ``count`` on with every field's default (the store
        grown if need be). Returns how many such rows there are, for a compiled pass that fills them
        (``sim.processes.joiners``) and then says so (``added``)."""
        if self.count + n > self._filled:
            self._grow(self.count + n)
            self._fill(self.count + n)
        return self._filled - self.count

    def added(self, n: int) -> np.ndarray:
        """Count the ``n`` people put in the rows ``reserve`` made ready; their ids."""
        self.count += n
        return np.arange(self.count - n, self.count)

    def set_status(self, ids: np.ndarray, status, active=True) -> None:
        """Set people's status and whether they stay active (each a scalar or one per person);
        people made inactive have nothing due any more."""
        if isinstance(ids, slice):  # a run of ids
            ids = np.arange(ids.start, ids.stop)
        bookkeeping.set_status(np.asarray(ids, dtype=np.int64), bookkeeping.as_each(status, np.int8),
                               bookkeeping.as_each(active, np.bool_), GONE, self.status, self.active, self.state,
                               self.next_due)
        self.mark(ids)

    def addresses_of(self, layout: Layout) -> np.ndarray:
        """The addresses of a ``Layout``'s columns, each with its length, for a compiled pass that reads
        them so (``sim.kernels.columns``): one array for the store's life, given the new columns' when it
        grows (so a pass's table, which gives its address, stays true), and not copied with it."""
        found = self._addresses.get(layout)
        if found is None:
            data = self._data
            found = self._addresses[layout] = addresses(
                [getattr(self, name) for name in layout.names], layout,
                [data.get(name) or data.setdefault(name, getattr(self, name).ctypes.data) for name in layout.names])
        return found

    def __getstate__(self) -> dict:
        """A copy (or pickle) keeps its own columns' addresses, not this store's."""
        return {**self.__dict__, "_addresses": {}, "_data": {}}

    def mark(self, ids) -> None:
        """Note people whose status, stage or hours changed, for the stocks (ids or a slice of them)."""
        self.marked.append(ids)

    def refresh_due(self, ids: np.ndarray) -> None:
        """``next_due`` of people in training or in post (ids or a slice of them): the earliest of their
        stage end, exit (or check of it) and hours review, the one month each step scans for (``sim.model``)."""
        self.next_due[ids] = np.minimum(np.minimum(self.stage_due[ids], self.exit_due[ids]), self.hours_due[ids])

    def in_status(self, *statuses) -> np.ndarray:
        """Ids of active people with one of the given statuses."""
        return np.flatnonzero(has_status(self.state[: self.count], statuses))

    def truncate(self, count: int) -> None:
        """Forget the people from row ``count`` on (only for building a population). Their rows get
        the defaults back: their ids may still be marked for the stocks, which then find nobody counted."""
        self._defaults(slice(count, self.count))
        self.count = count

    def move(self, source: int, target: int, n: int) -> None:
        """Copy the rows of ``n`` people from ``source`` on to ``target`` on, below it (only for building
        a population, which then truncates the rows left behind)."""
        if source == target or n == 0:
            return
        for name in self._arrays():
            column = getattr(self, name)
            column[target : target + n] = column[source : source + n]

    def view(self, name: str) -> np.ndarray:
        """The live part of a column (no copy)."""
        return getattr(self, name)[: self.count]

    def record(self, person_id: int) -> dict:
        """One person's current record as a plain dict."""
        if not is_whole(person_id) or not 0 <= person_id < self.count:  # True is no id, nor 0.5 or "0"
            raise KeyError(f"no person with id {person_id}")
        out = {"id": int(person_id)}
        for f in self.fields:
            out[f.name] = getattr(self, f.name)[person_id].item()
        out["active"] = bool(self.active[person_id])
        out["status"] = Status(out["status"]).name.lower()
        out["sex"] = Sex(out["sex"]).name.lower()
        out["sector"] = SECTORS[out["sector"]]
        return out

    def columns(self) -> dict[str, np.ndarray]:
        """All live columns, for export to a table."""
        out = {"id": np.arange(self.count)}
        for f in self.fields:
            out[f.name] = self.view(f.name)
        out["active"] = self.active[: self.count]
        return out
