"""A month's compiled passes called from one compiled call, each at its entry point's address.

A process whose month is a compiled pass (``sim.processes.passes``) reads what it needs from two
arrays of whole numbers: the month's (``this month``, the people due, the event log's room and the
row to write from, the people whose stocks change, the retirements leaving decided for
retirement to take, and the people a pass moves or brings in for entering's pass to put in their
stages) and its own table (the addresses of its scenario tables and columns, and its whole
numbers, ``sim.kernels.columns.Addressed``). So every pass is ``pass(month, table)``, and
``run`` calls consecutive processes' passes in order, each through its entry point's address
(``entry``): nothing is linked into ``run``, which compiles in a fraction of a second whatever the
passes are (``benchmarks/README.md``), while the passes compile apart, as before, cached and
alongside a first run.
"""

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils, config
from numba.extending import intrinsic
from numba.np.arrayobj import make_array

from .columns import layout, views

# the month's whole numbers: this month; the event log's next row (negative: no events written); how
# many are marked (kept from call to call until the stocks are brought up to date with them: the joiners'
# pass, or Python's ``Stocks.settle``); how many retirements leaving decided (at the rates, then at 55
# under MHO status: ``retiring`` holds them); the month before entrants face exits (this month's exits
# faced, this month); how many are to enter a stage (``entering``), and how many of those entered have
# something due this month
NOW, AT, MARKED, RETIRING, RETIRING_MHO, SINCE, ENTERING, ENTERED_DUE = range(8)
ARRAYS = 8  # then its arrays' addresses and lengths
KINDS = layout(("due", np.int64), ("columns", np.int64), ("marked", np.int64), ("retiring", np.int64),
               # who enters a stage, the stage, where they come from and why (a reason code): one each
               ("entering", np.int64), ("entering_stage", np.int16), ("entering_from", np.int16),
               ("entering_reason", np.int16))
SIZE = ARRAYS + 2 * len(KINDS.names)
_ARRAYS, _MARKED, _ENTERING = KINDS.types[:4], KINDS.types[2:3], KINDS.types[4:]
PASS = (types.Array(types.int64, 1, "C"), types.Array(types.int64, 1, "C"))  # a pass's arguments
_TABLE = PASS[1:]


@numba.njit(cache=True, inline="always")
def arrays(month):
    """The month's due list, the event log's room (the addresses of its block's columns), the people
    marked for the stocks and the retirements decided."""
    return views(month[ARRAYS:], _ARRAYS)


@numba.njit(cache=True, inline="always")
def entering(month):
    """Who is to enter a stage, their stages, where they come from and why (one each, or an array of one
    for all)."""
    n = month[ENTERING]
    ids, stage, source, reason = views(month[ARRAYS + 8:], _ENTERING)
    return ids[:n], stage[:n], source[:n], reason[:n]


@numba.njit(cache=True, inline="always")
def to_enter(month):
    """The room to note who is to enter a stage (``entering``'s arrays, whole): a pass notes them from
    ``month[ENTERING]`` on, and counts them there."""
    return views(month[ARRAYS + 8:], _ENTERING)


@numba.njit(cache=True, inline="always")
def mark(month, ids):
    """Note ``ids`` as people whose status, stage or hours changed, for the stocks (``sim.stocks``)."""
    marked = views(month[ARRAYS + 4:], _MARKED)[0]
    n = month[MARKED]
    if n + ids.shape[0] > marked.shape[0]:  # past the room made for the month: said so after it (a pass's error)
        month[MARKED] = marked.shape[0] + 1
        return
    for j in range(ids.shape[0]):
        marked[n + j] = ids[j]
    month[MARKED] = n + ids.shape[0]


def entry(dispatcher) -> int:
    """The address of a pass's entry point (its compiled function of the signature ``PASS``, which
    returns nothing), compiled, or loaded from the cache, first; run as Python, its place in
    ``_IN_PYTHON``."""
    if not COMPILED:
        if dispatcher not in _IN_PYTHON:
            _IN_PYTHON.append(dispatcher)
        return _IN_PYTHON.index(dispatcher)
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


@numba.njit(cache=True)
def _run(passes, tables, month, due, columns, now, at):
    """The month begun (``run``), then each pass in turn with its table (``tables``: each one's address
    and length)."""
    month[NOW], month[AT], month[ENTERING] = now, at, 0
    month[ARRAYS], month[ARRAYS + 1], month[ARRAYS + 2], month[ARRAYS + 3] = (
        address(due), due.shape[0], address(columns), columns.shape[0])
    for k in range(passes.shape[0]):
        _call(passes[k], month, views(tables[2 * k:], _TABLE)[0])
    return month[AT], month[MARKED]


COMPILED = not config.DISABLE_JIT  # run as Python (``NUMBA_DISABLE_JIT``), passes have no entry points
_IN_PYTHON: list = []  # run as Python, the passes one calls from another, by their place here (``entry``)


def _call_in_python(address, month, table) -> None:
    _IN_PYTHON[address](month, table)


# one pass calling another at its entry point (``entry``), from compiled code; run as Python, by its place
call = _call if COMPILED else _call_in_python
# the address of an array's data, from compiled code
address = _address_of if COMPILED else (lambda array: array.ctypes.data)


def run(passes, tables, month, due, columns, now: int, at: int) -> tuple[int, int]:
    """``now``'s passes over the people ``due``, writing events from row ``at`` of ``columns`` (the event
    log's room), each with its table: compiled, the passes' entry points and their tables' addresses and
    lengths; run as Python, the passes and their tables. Returns the event log's next row and how many
    people are marked (the month's ``marked``, those of earlier calls the stocks have not counted yet too)."""
    if COMPILED:
        return _run(passes, tables, month, due, columns, now, at)
    month[NOW], month[AT], month[ENTERING] = now, at, 0
    month[ARRAYS: ARRAYS + 4] = due.ctypes.data, len(due), columns.ctypes.data, len(columns)
    for step, table in zip(passes, tables):
        step(month, table)
    return month[AT], month[MARKED]
