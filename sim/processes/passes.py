"""Processes whose month is one compiled pass, and consecutive ones run in one compiled call.

Called one by one from Python, each pass cost its month a few microseconds of Python around it (the
due list, the event log's room, the salts, the columns' addresses, its arguments taken apart). A
``Pass`` instead gives its pass one table of what it reads (``inputs``), and the passes of
consecutive such processes in ``STEP_ORDER`` run as one compiled call a month (``Passes``,
``sim.kernels.month``), sharing the month's arrays (``Month``): the people due, the event log's
room, the people marked for the stocks, the retirements leaving decides for retirement, and those
a pass moves or brings in for entering's pass (``sim.processes.entering``) to put in their stages.
Around the call a process does what only Python can (``prepare``, ``after``: a campaign's recruits
drawn, rows made ready for new people); a run takes the months up to each record in one call
(``Passes.run``: every process's pass, each month's due list scanned in it), its processes prepared
for them at once, when nothing in Python acts between months. The tables are worked out again only
when what they are made from changes: the levers in force, and what a process names in ``changes``
(the people's columns are given through one array of their addresses for the store's life,
``sim.people.People.addresses_of``, so a store that grows changes no table). ``Steps`` leaves out,
month by month, the processes with nothing to do (``Process.idle``), so that the passes either side
of one run as one call.
"""

from __future__ import annotations

import numpy as np

from ..kernels import month as kernel
from ..kernels.columns import Addressed, Layout
from . import Process

_ENTERING = kernel.KINDS.dtypes[4:8]  # of the month's ``entering``'s arrays


class Tabled:
    """The owner of a compiled pass, ``kernel(month, table)``, and of the table it reads: kept, and worked out
    again only when what it is made from changes (the levers in force, and what ``changes`` names), for the
    month's calls and for any other caller alike."""

    kernel = None  # its pass (sim.kernels.month), read from the class: a function there would bind as a method
    kinds: Layout  # the arrays its table gives the pass, before its whole numbers
    _table = _made = None  # its table (kept while its addresses are given), and what it was made from

    def inputs(self) -> tuple[list[np.ndarray], tuple[int, ...]]:
        """The arrays its pass reads (of ``kinds``) and the whole numbers after them."""
        raise NotImplementedError

    def changes(self) -> tuple:
        """What its inputs are made from besides the levers in force, when that changes (the identity of an
        array its table keeps, say); nothing by default."""
        return ()

    def addressed(self) -> Addressed:
        """Its table: its inputs' arrays, with their addresses and then their whole numbers."""
        model = self.model
        made = (model.inputs.revision, *self.changes())
        if made != self._made:
            arrays, numbers = self.inputs()
            self._table, self._made = Addressed(arrays, self.kinds, numbers), made
        return self._table

    def table(self) -> np.ndarray:
        """What its pass reads: the addresses of its inputs' arrays, then their whole numbers."""
        return self.addressed().addresses

    def __getstate__(self) -> dict:
        """A copy (or an unpickled one) works its table out afresh: its addresses are of the original's arrays."""
        return {**self.__dict__, "_table": None, "_made": None}


class Pass(Tabled, Process):
    """A monthly process whose month is a compiled pass."""

    events_per_due = 0  # the most events it records for each person due (the room reserved for the month)
    marks_per_due = 0  # the most people it marks for the stocks for each person due
    # whether its pass notes people to enter a stage (the month's ``entering``: at most one for each person
    # due, and its ``room``): entering's pass then follows it (``sim.processes.entering``), and the events and
    # marks of those it enters are counted in its own
    enters = False
    # whether those its pass enters may have something due this month, not in the month's due list: the passes
    # after it then run in a call of their own, given them (``after`` adds them to the due list)
    ends_call = False

    # a compiled function of its pass's form (``sim.kernels.month``) adding to ``month[NEW]`` how many people from
    # outside the month's due list its pass may note to enter a stage or record an event of (new people: the
    # events and marks of entering them too) before the month's passes run; or setting ``month[HALT]`` to
    # ``BEFORE`` if Python must prepare the month; none: none
    room_kernel = None

    def prepare(self, months: int = 1) -> None:
        """What it does in Python before the passes of ``months`` months from this one run (nothing by
        default)."""

    def stretches(self) -> bool:
        """Whether its preparation serves several months at once (``prepare``): its pass then runs from month
        to month in one call with the others'."""
        return True

    def after(self) -> None:
        """What it does in Python after the passes of the months prepared, or some of them, have run (nothing by
        default)."""

    def step(self) -> None:
        """Its month alone (a model runs it with the passes next to it in the step order: ``steps``)."""
        Passes(self.model, [self]).step()


class Month:
    """The month's arrays the passes share (``sim.kernels.month``), one for a model: its whole numbers,
    and the buffers of the people marked, of the retirements decided, of those to enter a stage
    (``entering``, with their stages, where they come from and why) and of those entered who are due
    this month (``due_after``), grown as the due list asks; and a due list scanned for months run
    together (``due``)."""

    def __init__(self):
        self.array = np.zeros(kernel.SIZE, dtype=np.int64)
        self.marked = self.retiring = self.due_after = self.due = np.zeros(0, dtype=np.int64)
        self.entering = tuple(np.zeros(0, dtype=dtype) for dtype in _ENTERING)

    def ready(self, due: int, marks: int, entering: int, after: int = 0) -> np.ndarray:
        """The month's array, with room to mark ``marks`` more people, keep the retirements of ``due`` people
        due, note ``entering`` people at once to enter a stage and ``after`` entrants due this month."""
        pending = int(self.array[kernel.MARKED])  # marked, and not counted by the stocks yet: kept
        if len(self.marked) < pending + marks:
            marked = np.empty(_grown(pending + marks), dtype=np.int64)
            marked[:pending] = self.marked[:pending]
            self.marked = marked
            self._addresses()
        if len(self.retiring) < due:  # the retirements decided are kept: retirement may not have run yet
            kept = int(self.array[kernel.RETIRING] + self.array[kernel.RETIRING_MHO])
            retiring = np.empty(_grown(due), dtype=np.int64)
            retiring[:kept] = self.retiring[:kept]
            self.retiring = retiring
            self._addresses()
        if len(self.entering[0]) < entering:
            self.entering = tuple(np.empty(_grown(entering), dtype=dtype) for dtype in _ENTERING)
            self._addresses()
        if len(self.due_after) < after:
            self.due_after = np.empty(_grown(after), dtype=np.int64)
            self._addresses()
        return self.array

    def _addresses(self) -> None:
        start = kernel.ARRAYS + 4
        self.array[start: kernel.SIZE] = [x for b in (self.marked, self.retiring, *self.entering, self.due_after)
                                          for x in (b.ctypes.data, len(b))]

    def __setstate__(self, state: dict) -> None:
        """A copy (or an unpickled one) gives its own buffers' addresses."""
        self.__dict__.update(state)
        self._addresses()


def _grown(needed: int) -> int:
    """The room a buffer of the month's is given when it must hold ``needed``: a quarter more, for the months
    after, whose needs grow as the workforce does (doubling would keep up to twice what they need)."""
    return needed + needed // 4


class Passes:
    """Consecutive ``Pass`` processes run as one compiled call a month, in their order; or, given months
    of their own, from month to month in one call (``run``)."""

    def __init__(self, model, processes: list[Pass]):
        self.model, self.processes = model, list(processes)
        self.name = "+".join(process.name() for process in self.processes)  # as ``model.timings`` names them
        # the events and marks its passes take at most for each person due, and those the passes after the first
        # that ends a call (but the last) take (``kernel.room_taken``, ``kernel.room_after``)
        ending = [k for k, process in enumerate(self.processes[:-1]) if process.ends_call]
        after = self.processes[ending[0] + 1:] if ending else []
        self.per_due = np.array([sum(process.events_per_due for process in self.processes),
                                 sum(process.marks_per_due for process in self.processes),
                                 sum(process.events_per_due for process in after),
                                 sum(process.marks_per_due for process in after)], dtype=np.int64)
        # the passes called, in order: each process's, and entering's after one that notes entrants
        self.passes = [x for process in self.processes for x in ([process, model.entering] if process.enters else
                                                                 [process])]
        # after a pass that ends a call (but the last), the passes after it are given whom it entered due
        last = self.passes[-1]
        self._ends = np.array([bool(getattr(x, "ends_call", False)) and x is not last for x in self.passes],
                              dtype=np.int64)
        self._changing = [x for x in self.passes if type(x).changes is not Tabled.changes]
        self._version = self._kept = self._tables = self._entries = self._rooms = None

    def ready(self) -> None:
        """The passes' tables (``Tabled.addressed``: their owners' own, worked out again when what they are made
        from has changed, and asked again only then) and their entry points. The tables are kept while their
        addresses are given, their arrays with them: an array replaced since (that ``changes`` names by its
        identity) lives on until then, so a new one cannot take its identity and the group miss the change."""
        model = self.model
        version = (model.inputs.revision, *(c for p in self._changing for c in p.changes()))
        if version == self._version:
            return
        self._version = version
        self._kept = [x.addressed() for x in self.passes]
        if self._entries is None:
            self._entries = np.array([kernel.entry(type(x).kernel) for x in self.passes], dtype=np.int64)
            self._rooms = np.array([[kernel.entry(type(x).room_kernel), k] for k, x in enumerate(self.passes)
                                    if getattr(type(x), "room_kernel", None) is not None],
                                   dtype=np.int64).reshape(-1, 2)
        if not kernel.COMPILED:
            self._tables = [t.addresses for t in self._kept]
            return
        self._tables = np.array([[t.addresses.ctypes.data, len(t.addresses)] for t in self._kept],
                                dtype=np.int64).ravel()

    def stretches(self) -> bool:
        """Whether its passes may run from month to month in one call: compiled, and each one's preparation
        serving several months (``Pass.stretches``)."""
        return kernel.COMPILED and all(process.stretches() for process in self.processes)

    def step(self) -> None:
        """This month's passes, given the model's due list."""
        self.run(self.model.now, self.model.now, scan=False)

    def run(self, first: int, last: int, scan: bool = True) -> bool:
        """The months ``first`` to ``last`` in one compiled call, prepared at once, each one's due list scanned
        (or, for a month alone, the model's given: ``scan`` false), up to a month a pass asks Python to
        prepare (not run) or to finish (finished, by the process's ``after``). ``model.now`` is then the last
        month run; returns whether the next is one to prepare."""
        model = self.model
        events, month, p = model.events, model.month, model.people
        model.now = first  # as the preparations read it
        self.ready()  # the tables worked out in the processes' order first: reasons' codes are given then
        for process in self.processes:
            process.prepare(last - first + 1)
        self.ready()  # and again if a preparation changed what they are made from
        due = month.due if scan else model.due_list()
        given = -1 if scan else len(due)
        columns, at = events.reserve(0)
        # months together make new people in every row the store has, made ready at once: so they seldom ask
        # Python for more (an intake's rows before its month, the joiners' after theirs)
        month.array[kernel.PEOPLE], month.array[kernel.READY] = p.count, p.count + (
            p.reserve(p.capacity - p.count) if scan else p.reserve(0))
        resume = 0
        while True:
            try:
                now, end, n, status = kernel.run(self._entries, self._tables, self._ends, self._rooms, month.array,
                                                 due, given, p.addresses_of(kernel.NEXT_DUE), columns, first, last,
                                                 at, self.per_due, resume)
            except Exception:  # a pass's error: the model is left in the month it was raised in, its events kept
                model.now = int(month.array[kernel.NOW])
                events.wrote(max(int(month.array[kernel.AT]) - at, 0))
                raise
            events.wrote(end - at)
            if status != kernel.ROOM and status != kernel.WITHIN:
                break
            # too little room for month ``now``, before it or within it (for the passes after one that ends a call,
            # given those it entered due this month): made, and on from it
            room = kernel.room_taken if status == kernel.ROOM else kernel.room_after
            listed, most, marks, retiring, entrants, after = map(int, room(self.per_due, n, month.array[kernel.NEW]))
            month.ready(retiring, marks, entrants, after)
            if status == kernel.ROOM and scan and len(due) < listed:  # its due list, and those a pass adds to it
                due = month.due = np.empty(_grown(listed), dtype=np.int64)
            columns, at = events.reserve(most)
            first, resume = now, int(month.array[kernel.RESUME]) if status == kernel.WITHIN else 0
        if status == kernel.PREPARE and not scan:  # it was prepared for it: a pass's error
            raise RuntimeError(f"{self.name}: a pass asks Python to prepare the month it was prepared for")
        model.now = now - 1  # the last month run (the one to finish, after ``FINISH``)
        p.added(int(month.array[kernel.PEOPLE]) - p.count)
        if not scan:
            model.also_due(month.due_after[: month.array[kernel.DUE_AFTER]])
        for process in self.processes:
            process.after()
        return status == kernel.PREPARE

    def __getstate__(self) -> dict:
        """A copy (or another process, unpickling it) works the tables and the entry points out afresh: the
        tables' addresses are of the original's arrays."""
        return {**self.__dict__, "_version": None, "_kept": None, "_tables": None, "_entries": None,
                "_rooms": None}


def steps(model, processes: list[Process]) -> list[tuple[str, object]]:
    """A model's monthly steps, named as ``model.timings`` names them: each process's own, and the passes
    of consecutive ``Pass`` processes together (up to one that ``ends_call``)."""
    out, run = [], []

    def close():
        if run:
            group = Passes(model, list(run))
            out.append((group.name, group.step))
            run.clear()

    for process in processes:
        if isinstance(process, Pass):
            run.append(process)
            if process.ends_call:
                close()
            continue
        close()
        out.append((process.name(), process.step))
    close()
    return out


class Steps:
    """A model's monthly steps (``steps``) month by month: the steps of processes with nothing to do this
    month (``Process.idle``) left out, so that the passes either side of one run as one compiled call
    (an intake in three months of the year parts the others' passes in those months alone). The steps
    of each set of processes are made once."""

    def __init__(self, model, processes: list[Process]):
        self.model, self.processes = model, list(processes)
        self._idling = [p for p in self.processes if type(p).idle is not Process.idle]
        self.every = steps(model, self.processes)  # the steps of a month when no process is idle
        # every process's pass in one call, for months run together (``Passes.run``): if each is a ``Pass``
        self.whole = Passes(model, self.processes) if all(isinstance(p, Pass) for p in self.processes) else None
        self._made: dict[tuple, list] = {(False,) * len(self._idling): self.every}

    def __call__(self) -> list[tuple[str, object]]:
        """This month's steps."""
        idle = tuple(p.idle() for p in self._idling)
        made = self._made.get(idle)
        if made is None:
            left_out = [p for p, i in zip(self._idling, idle) if i]
            made = self._made[idle] = steps(self.model, [p for p in self.processes if p not in left_out])
        return made
