"""Arrays given to a compiled pass by their addresses: the people's columns, an event log's block,
a scenario's tables.

numba takes each array argument of a compiled call apart (its type matched, a reference taken),
about 80 ns an array, and a default run's passes were given some 80,000 arrays: about a tenth of
its time. A pass is given instead their addresses and shapes in one array (``addresses``; the
people's store keeps its columns', ``sim.people.People.addresses_of``), and ``views`` makes them
arrays again inside it, of the types its ``Layout`` declares. No reference is taken: the arrays
must outlive the call, as their owner keeps them (a store that grows makes new columns, and new
addresses for them; ``Addressed`` keeps other arrays with theirs).
"""

import ctypes
from typing import NamedTuple

import numpy as np
from numba import types
from numba.core import config
from numba.extending import intrinsic
from numba.np import numpy_support
from numba.np.arrayobj import make_array, populate_array


class Layout(NamedTuple):
    """The arrays a pass reads by address, by name, and their types as the pass reads them (numba's
    C-contiguous array types): a person's columns as ``sim.people`` declares them, or a scenario's
    tables. ``addresses`` checks that the arrays given are of them."""

    names: tuple[str, ...]
    types: tuple[types.Array, ...]
    dtypes: tuple[np.dtype, ...]  # numpy's, of ``types``: asked at every check of arrays given, and slow to work out

    # Each pass's layout is one object, compared and hashed as itself: the people's store looks its
    # addresses up by it at every call, and numba's types hash in Python, slowly.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


READ_ONLY = "read only"  # a layout's array the pass reads as read only, as Python gives it to other passes


def layout(*arrays: tuple) -> Layout:
    """A ``Layout`` from (name, dtype) pairs, a person's columns, or (name, dtype, dimensions), or (name,
    dtype, dimensions, ``READ_ONLY``), in the order the pass unpacks them. A helper a pass calls is compiled
    for each kind of array it is given: one read only elsewhere (a table of states) is read so here too."""
    return Layout(tuple(a[0] for a in arrays),
                  tuple(types.Array(numpy_support.from_dtype(np.dtype(a[1])), a[2] if len(a) > 2 else 1, "C",
                                    readonly=len(a) > 3 and a[3] == READ_ONLY)
                        for a in arrays),
                  tuple(np.dtype(a[1]) for a in arrays))


def addresses(arrays: list[np.ndarray], kinds: Layout, data: list[int] | None = None) -> np.ndarray:
    """Each array's address (``data``, if its owner knows them: asking an array costs a microsecond)
    and then its shape: what ``views`` reads. An array of another dtype or shape than the pass
    declares would be read as that dtype's bytes, so it is refused (a programming error: ``TypeError``)."""
    out = []
    for array, kind, dtype, name in zip(arrays, kinds.types, kinds.dtypes, kinds.names, strict=True):
        if array.dtype != dtype or array.ndim != kind.ndim or not array.flags.c_contiguous:
            raise TypeError(f"{name}: a C-contiguous {dtype} array of {kind.ndim} dimensions is declared, found "
                            f"{array.dtype} of shape {array.shape}")
    for array, address in zip(arrays, data or [array.ctypes.data for array in arrays]):
        out += [address, *array.shape]
    return np.array(out, dtype=np.int64)


def views_in_python(addresses: np.ndarray, kinds: tuple[types.Array, ...]) -> tuple[np.ndarray, ...]:
    """``views`` run as Python: as the passes run with ``NUMBA_DISABLE_JIT``, and for Python reading what a
    pass is given."""
    out, k = [], 0
    for kind in kinds:
        dtype = numpy_support.as_dtype(kind.dtype)
        shape = tuple(int(n) for n in addresses[k + 1: k + 1 + kind.ndim])
        memory = (ctypes.c_char * (int(np.prod(shape)) * dtype.itemsize)).from_address(int(addresses[k]))
        out.append(np.ctypeslib.as_array(memory).view(dtype).reshape(shape))
        k += 1 + kind.ndim
    return tuple(out)


@intrinsic
def _views(typingctx, addresses, kinds):
    """The arrays at ``addresses`` (each one's address, then its shape), one of each of ``kinds`` (a
    ``Layout``'s types), as a tuple: views with no reference of their own."""
    if not isinstance(kinds, types.BaseTuple) or not all(
            isinstance(t, types.TypeRef) and isinstance(t.instance_type, types.Array) for t in kinds):
        return None
    arrays = [t.instance_type for t in kinds]

    def codegen(context, builder, signature, args):
        at = make_array(addresses)(context, builder, value=args[0])

        def read(k):
            return builder.load(builder.gep(at.data, [context.get_constant(types.intp, k)]))

        out, k = [], 0
        for array in arrays:
            item = context.get_data_type(array.dtype)
            size = context.get_constant(types.intp, context.get_abi_sizeof(item))
            shape = [read(k + 1 + d) for d in range(array.ndim)]
            strides = [size]
            for n in reversed(shape[1:]):  # C order: the last dimension's items are next to each other
                strides.insert(0, builder.mul(strides[0], n))
            view = make_array(array)(context, builder)
            populate_array(view, data=builder.inttoptr(read(k), item.as_pointer()), shape=shape, strides=strides,
                           itemsize=size, meminfo=None, parent=None)
            out.append(view._getvalue())
            k += 1 + array.ndim
        return context.make_tuple(builder, signature.return_type, out)

    return types.Tuple(arrays)(addresses, kinds), codegen


# an intrinsic, called from compiled code without a function of its own to compile; Python where nothing is compiled
views = views_in_python if config.DISABLE_JIT else _views


def width(kinds: Layout) -> int:
    """How many whole numbers the arrays of ``kinds`` take in an array of addresses: an address and a
    length for each dimension each; whole numbers given after them start there."""
    return sum(1 + kind.ndim for kind in kinds.types)


class Addressed:
    """Arrays kept with their addresses, so that they outlive them, and whole numbers given after them
    (from ``width(kinds)`` on): a copy (or an unpickled one) gives its own arrays' addresses, not the
    original's."""

    def __init__(self, arrays: list[np.ndarray], kinds: Layout, numbers: tuple[int, ...] = ()):
        self.arrays, self.kinds, self.numbers = list(arrays), kinds, tuple(numbers)
        self.addresses = np.concatenate([addresses(self.arrays, kinds), np.array(self.numbers, dtype=np.int64)])

    def __getstate__(self) -> dict:
        return {"arrays": self.arrays, "kinds": self.kinds, "numbers": self.numbers}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["arrays"], state["kinds"], state["numbers"])
