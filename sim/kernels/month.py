"""A month's compiled passes called from one compiled call, each at its entry point's address; and
the months up to the next record, one after another, in one call.

A process whose month is a compiled pass (``sim.processes.passes``) reads what it needs from two
arrays of whole numbers: the month's (``this month``, the people due, the event log's room and the
row to write from, the people whose stocks change, the retirements leaving decided for
retirement to take, the people a pass moves or brings in for entering's pass to put in their
stages, the rows of people in use and made ready, and those entered who are due this month) and
its own table (the addresses of its scenario tables and columns, and its whole numbers,
``sim.kernels.columns.Addressed``). So every pass is ``pass(month, table)``, and ``run`` calls
consecutive processes' passes in order, each through its entry point's address (``entry``):
nothing is linked into ``run``, which compiles in a fraction of a second whatever the passes are
(``benchmarks/README.md``), while the passes compile apart, as before, cached and alongside a first
run.

Before a month's passes, the room it may take from outside its due list (new people, and people a
pass selects) is counted by the passes' ``room`` functions, of the same form, so that ``run`` can
tell whether the event log's block and the month's buffers hold the month: if not, it stops before
it, and Python makes room and calls again. A pass that ends a call (the intake) gives the passes after
it those it entered who are due this month; the room they take is checked then, and the call may stop
within the month and go on from the pass after it. So months follow one another in one call
(``run`` from ``first`` to ``last``, its due list scanned from the people's ``next_due``), and
Python is back only where it must be: to make room, or where a pass asks it to (``HALT``).
"""

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils, config
from numba.extending import intrinsic
from numba.np.arrayobj import make_array

from . import compiled
from .columns import layout, views

# the month's whole numbers: this month; the event log's next row (negative: no events written); how
# many are marked (kept from call to call until the stocks are brought up to date with them: the joiners'
# pass, or Python's ``Stocks.settle``); how many retirements leaving decided (at the rates, then at 55
# under MHO status: ``retiring`` holds them); the month before entrants face exits (this month's exits
# faced, this month); how many are to enter a stage (``entering``), and how many of those entered have
# something due this month; the rows of people in use (new people are made from there on, and counted
# there) and made ready (every field's default: ``sim.people.People.reserve``); the room the month
# takes from outside its due list (``room``); whether a pass asks Python for the month (``HALT``);
# how many entered by a pass that ends a call are due this month (``due_after``: the passes after it
# are given them); the pass a month stopped within goes on from (``WITHIN``)
(NOW, AT, MARKED, RETIRING, RETIRING_MHO, SINCE, ENTERING, ENTERED_DUE, PEOPLE, READY, NEW, HALT,
 DUE_AFTER, RESUME) = range(14)
ARRAYS = 14  # then its arrays' addresses and lengths
KINDS = layout(("due", np.int64), ("columns", np.int64), ("marked", np.int64), ("retiring", np.int64),
               # who enters a stage, the stage, where they come from and why (a reason code): one each
               ("entering", np.int64), ("entering_stage", np.int16), ("entering_from", np.int16),
               ("entering_reason", np.int16), ("due_after", np.int64))
# what a pass asks of Python (``month[HALT]``): to prepare the month before it runs (a ``room`` function
# finds too few rows made ready, say), or to finish it after the passes have run (the joiners' pass
# found too few rows, and drew nothing)
BEFORE, AFTER = 1, 2
# what ``run`` returns as its status: every month run; stopped before a month for room (the month's
# due list's length and ``month[NEW]`` say how much); stopped before a month a pass asks Python to
# prepare; stopped after a month a pass asks Python to finish; stopped within a month for the room the
# passes after one that ends a call take for those it gave them (``room_after``), to go on from the
# pass after it (``month[RESUME]``)
DONE, ROOM, PREPARE, FINISH, WITHIN = range(5)
SIZE = ARRAYS + 2 * len(KINDS.names)
# where the month's array gives an array's address, and its length after it
_DUE_AFTER_AT, _MARKED_AT, _RETIRING_AT, _ENTERING_AT = (ARRAYS + 2 * KINDS.names.index(name) for name in
                                                         ("due_after", "marked", "retiring", "entering"))
_ARRAYS, _MARKED, _ENTERING, _DUE_AFTER = KINDS.types[:4], KINDS.types[2:3], KINDS.types[4:8], KINDS.types[8:]
PASS = (types.Array(types.int64, 1, "C"), types.Array(types.int64, 1, "C"))  # a pass's arguments
_TABLE = PASS[1:]


@compiled(inline="always")
def arrays(month):
    """The month's due list, the event log's room (the addresses of its block's columns), the people
    marked for the stocks and the retirements decided."""
    return views(month[ARRAYS:], _ARRAYS)


@compiled(inline="always")
def entering(month):
    """Who is to enter a stage, their stages, where they come from and why (one each, or an array of one
    for all)."""
    n = month[ENTERING]
    ids, stage, source, reason = views(month[_ENTERING_AT:], _ENTERING)
    return ids[:n], stage[:n], source[:n], reason[:n]


@compiled(inline="always")
def to_enter(month):
    """The room to note who is to enter a stage (``entering``'s arrays, whole): a pass notes them from
    ``month[ENTERING]`` on, and counts them there."""
    return views(month[_ENTERING_AT:], _ENTERING)


@compiled(forceinline=True)
def mark(month, ids):
    """Note ``ids`` as people whose status, stage or hours changed, for the stocks (``sim.stocks``)."""
    marked = views(month[_MARKED_AT:], _MARKED)[0]
    n = month[MARKED]
    if n + ids.shape[0] > marked.shape[0]:  # past the room made for the month: said so after it (a pass's error)
        month[MARKED] = marked.shape[0] + 1
        return
    for j in range(ids.shape[0]):
        marked[n + j] = ids[j]
    month[MARKED] = n + ids.shape[0]


@compiled(inline="always")
def also_due(month, ids, next_due):
    """Of ``ids``, who entered a stage, those with something due already this month, for the passes after
    the one that ends a call (``due_after``: in the order given)."""
    after = views(month[_DUE_AFTER_AT:], _DUE_AFTER)[0]
    n = month[DUE_AFTER]
    for j in range(ids.shape[0]):
        if next_due[ids[j]] <= month[NOW]:
            if n == after.shape[0]:  # past the room made for the month: said so after it (a pass's error)
                month[DUE_AFTER] = n + 1
                return
            after[n] = ids[j]
            n += 1
    month[DUE_AFTER] = n


def entry(dispatcher) -> int:
    """The address of a pass's entry point (its compiled function of the signature ``PASS``, which
    returns nothing), compiled, or loaded from the cache, first; run as Python, its place in
    ``_IN_PYTHON``. Kept for the process's life, as the code is (looked up in LLVM, it cost every model
    built some 20 us a pass)."""
    if not COMPILED:
        if dispatcher not in _IN_PYTHON:
            _IN_PYTHON.append(dispatcher)
        return _IN_PYTHON.index(dispatcher)
    address = _ENTRIES.get(dispatcher)
    if address is None:
        address = _ENTRIES[dispatcher] = _entry(dispatcher)
    return address


def _entry(dispatcher) -> int:
    compiled = dispatcher.overloads.get(PASS)
    if compiled is None:
        dispatcher.compile(PASS)
        compiled = dispatcher.overloads[PASS]
    if compiled.signature.return_type != types.none:  # its caller makes room for no result
        raise TypeError(f"{dispatcher.py_func.__qualname__}: a pass returns nothing, not "
                        f"{compiled.signature.return_type}")
    return compiled.library.get_pointer_to_function(compiled.fndesc.llvm_func_name)


@intrinsic
def _call(typingctx, address, month, table):
    """Call the pass whose entry point is at ``address`` with ``month`` and ``table``, through a pointer,
    so that the pass is not linked into the caller: as numba calls a compiled function from another
    (its calling convention, ``numba.core.callconv``), so that an error in the pass is raised from the
    caller's call, as it would be from the pass's."""
    def codegen(context, builder, signature, values):
        convention, kinds = context.call_conv, signature.args[1:]
        function = convention.get_function_type(types.none, kinds)
        result = cgutils.alloca_once_value(builder, cgutils.get_null_value(function.args[0].pointee))
        error = cgutils.alloca_once(builder, function.args[1].pointee)
        arguments = list(convention._get_arg_packer(kinds).as_arguments(builder, list(values[1:])))
        code = builder.call(builder.inttoptr(values[0], function.as_pointer()), [result, error, *arguments])
        status = convention._get_return_status(builder, code, builder.load(error))
        with cgutils.if_unlikely(builder, status.is_error):
            convention.return_status_propagate(builder, status)
        return context.get_dummy_value()

    return types.none(address, month, table), codegen


@intrinsic
def _address_of(typingctx, array):
    """The address of an array's data, as a whole number."""
    def codegen(context, builder, signature, values):
        data = make_array(signature.args[0])(context, builder, value=values[0]).data
        return builder.ptrtoint(data, ir.IntType(64))

    return types.int64(array), codegen


COMPILED = not config.DISABLE_JIT  # run as Python (``NUMBA_DISABLE_JIT``), passes have no entry points
_IN_PYTHON: list = []  # run as Python, the passes one calls from another, by their place here (``entry``)
_ENTRIES: dict = {}  # compiled, each pass's entry point's address, by its dispatcher (``entry``)


def _call_in_python(address, month, table) -> None:
    _IN_PYTHON[address](month, table)


@compiled(inline="always")
def _table_of(tables, k):
    return views(tables[2 * k:], _TABLE)[0]


# one pass calling another at its entry point (``entry``), from compiled code; run as Python, by its place
call = _call if COMPILED else _call_in_python
# the address of an array's data, from compiled code
address = _address_of if COMPILED else (lambda array: array.ctypes.data)
# the table of the ``k``-th pass, from its address and length; run as Python, the table itself
table_of = _table_of if COMPILED else (lambda tables, k: tables[k])
NEXT_DUE = layout(("next_due", np.int32))  # the people's column a month's due list is scanned from
_CHUNK = 4096  # people compared at once in a due list's scan (``_scanned``)
DUE_SPARE = 8  # a scanned due list's room past those due: its scan lists eight people at a time


@compiled()
def room_taken(per_due, n, new):
    """The room a month of ``n`` people due and ``new`` from outside its due list (``month[NEW]``) takes: its
    scanned due list's length (those a pass that ends a call enters due this month merged in), the events
    and the marks its passes write at most (``per_due``: for each person due), the retirements kept, the
    people noted at once to enter a stage, and those entered due this month. ``run`` checks it before each
    month, and Python makes it when ``run`` stops for it (``ROOM``)."""
    return n + new + DUE_SPARE, per_due[0] * n + new, per_due[1] * n + new, n, max(n, new), new


@compiled()
def room_after(per_due, n, new):
    """The room the passes after one that ends a call take, given ``n`` people due with those it entered due
    this month among them (``room_taken``'s form): as ``room_taken``, at the most those passes write for each
    (``per_due[2:]``). ``run`` checks it once they are given them, and Python makes it when ``run`` stops for
    it (``WITHIN``)."""
    return n + DUE_SPARE, per_due[2] * n + new, per_due[3] * n + new, n, max(n, new), new


@compiled()
def run(passes, tables, ends, rooms, month, due, given, people, columns, first, last, at, per_due, resume):
    """The months ``first`` to ``last``, each begun by its passes' ``rooms`` counting the room it takes from
    outside its due list (``month[NEW]``), then its passes in order, each with its table, writing events from
    row ``at`` of ``columns`` (the event log's room). Each month's due list: the first ``given`` of ``due``
    (one month's), or, if ``given`` is negative, those of the ``people`` (the address of their ``next_due``
    column) whose month has come, scanned into ``due`` (too short for them and those a pass adds to them:
    ``ROOM``). A pass marked in ``ends`` leaves the people it entered who are due this month in the month's
    ``due_after``: the passes after it are given them, the room they take then checked (``WITHIN``). With
    ``resume`` above 0, month ``first`` goes on from its pass of that place, its due list as it was left.
    Compiled, the passes' and room functions' entry points and their tables' addresses and lengths
    (``rooms``: each room function's entry point and its pass's place); run as Python, the passes and their
    tables. ``per_due``: the events and marks the passes take at most for each person due, and the passes
    after one that ends a call (``room_taken``, ``room_after``).

    Returns the month to go on from, the event log's next row, the month's due list's length, and why it
    stopped (``DONE``; ``ROOM``: the block, the month's buffers or the due list are too small for the month
    it stops before; ``PREPARE``: a room function asks Python to prepare it; ``FINISH``: a pass asks Python
    to finish the month before it; ``WITHIN``: too small for the passes after one that ends a call, given
    those it entered due, in the month it stops within)."""
    next_due = views(people, NEXT_DUE.types)[0]
    flags = np.empty(_CHUNK, dtype=np.uint8)
    for now in range(first, last + 1):
        start, n = 0, given
        if now == first and resume > 0:  # within the month, its due list as it was left
            start, n = resume, month[ARRAYS + 1]
            bound = at + room_after(per_due, n, month[NEW])[1]
        else:
            if given < 0:  # everyone active whose next due month has come (the inactive's never does), in order
                n = _scanned(next_due, month[PEOPLE], now, due, flags)
                month[SINCE] = now - 1  # entrants face exits from this month, until its exits are faced
            month[NOW], month[NEW], month[HALT] = now, 0, 0
            for k in range(rooms.shape[0]):
                call(rooms[k, 0], month, table_of(tables, rooms[k, 1]))
            if month[HALT]:
                return now, at, n, PREPARE
            listed, most, marks, retiring, entrants, after = room_taken(per_due, n, month[NEW])
            if ((given < 0 and listed > due.shape[0]) or not _holds(month, columns, at, most, marks, retiring,
                                                                      entrants, after)):
                return now, at, n, ROOM
            bound = at + most
        month[AT], month[ENTERING], month[DUE_AFTER], month[RESUME] = at, 0, 0, 0
        month[ARRAYS], month[ARRAYS + 1], month[ARRAYS + 2], month[ARRAYS + 3] = (
            address(due), n, address(columns), columns.shape[0])
        for k in range(start, passes.shape[0]):
            call(passes[k], month, table_of(tables, k))
            if ends[k] and month[DUE_AFTER] > 0:  # those it entered due this month: the passes after it see them
                n = _merged(due, n, month)
                month[ARRAYS + 1], month[DUE_AFTER] = n, 0
                _, most, marks, retiring, entrants, after = room_after(per_due, n, month[NEW])
                if not _holds(month, columns, month[AT], most, marks, retiring, entrants, after):
                    month[RESUME] = k + 1
                    return now, month[AT], n, WITHIN
                bound = month[AT] + most
        if month[AT] > bound or month[MARKED] > month[_MARKED_AT + 1] or month[DUE_AFTER] > month[_DUE_AFTER_AT + 1]:
            raise RuntimeError("a month's passes wrote past the room made for its events, marks or due entrants")
        at = month[AT]
        if month[HALT]:
            return now + 1, at, n, FINISH
    return last + 1, at, 0, DONE


@compiled(inline="always")
def _holds(month, columns, at, most, marks, retiring, entrants, after):
    """Whether the event log's block from row ``at`` and the month's buffers hold what ``room_taken`` or
    ``room_after`` counts."""
    return (at + most <= columns[1] and month[MARKED] + marks <= month[_MARKED_AT + 1]
            and retiring <= month[_RETIRING_AT + 1] and entrants <= month[_ENTERING_AT + 1]
            and after <= month[_DUE_AFTER_AT + 1])


@compiled(inline="always")
def _scanned(next_due, count, now, due, flags):
    """The first ``count`` people whose next due month is ``now`` or before, in order, into ``due``: how many
    (counted on past its room, eight short of its end, without listing them). Compared first a chunk at once
    into ``flags``, then listed from the eight at a time with any
    due (about one in a hundred is due in a month): twice as fast as listing as it compares."""
    words, n = flags.view(np.uint64), 0
    for start in range(0, count, _CHUNK):
        size = min(_CHUNK, count - start)
        chunk = next_due[start:start + size]  # indexed from 0: a loop the compiler makes a vector one
        for i in range(size):
            flags[i] = np.uint8(1) if chunk[i] <= now else np.uint8(0)
        for i in range(size, (size + 7) // 8 * 8):
            flags[i] = 0
        for w in range((size + 7) // 8):
            if words[w] != 0:
                if n + DUE_SPARE > due.shape[0]:
                    for i in range(8 * w, 8 * w + 8):
                        n += np.int64(flags[i])
                    continue
                for i in range(8 * w, 8 * w + 8):
                    due[n] = start + i
                    n += np.int64(flags[i])
    return n


@compiled()
def _merged(due, n, month):
    """The due list ``due[:n]`` (in order) with the month's ``due_after`` in it, each once and in order, in
    ``due`` (which has room for them all): how many there are. Loops element by element: a slice copied or
    assigned compiles its checks' messages, seconds of a first run."""
    given, k = views(month[_DUE_AFTER_AT:], _DUE_AFTER)[0], month[DUE_AFTER]
    after = np.empty(k, dtype=np.int64)
    for j in range(k):  # few: an insertion sort
        x, i = given[j], j
        while i > 0 and after[i - 1] > x:
            after[i] = after[i - 1]
            i -= 1
        after[i] = x
    merged = np.empty(n + k, dtype=np.int64)
    a = b = m = 0
    while a < n or b < k:
        if b == k or (a < n and due[a] <= after[b]):
            x = due[a]
            a += 1
        else:
            x = after[b]
            b += 1
        if m == 0 or merged[m - 1] != x:
            merged[m] = x
            m += 1
    for j in range(m):
        due[j] = merged[j]
    return m
