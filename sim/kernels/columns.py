"""The people's columns, given to a compiled pass by their addresses.

numba takes each array argument of a compiled call apart (its type matched, a reference taken),
about 80 ns an array, and a month's passes are given some 300 of the people's columns: about a
tenth of a default run went on it. A pass is given instead the columns' addresses in one array
(``sim.people.People.addresses_of``), and ``views`` makes them arrays again inside it, of the
dtypes its ``Layout`` declares. No reference is taken: the columns must outlive the call, as the
people's store keeps them (a store that grows makes new columns, and new addresses for them).
"""

import ctypes
from typing import NamedTuple

import numpy as np
from numba import types
from numba.extending import intrinsic, overload
from numba.np.arrayobj import make_array, populate_array


class Layout(NamedTuple):
    """The columns a pass reads, by name, and their dtypes (numpy scalar types, as ``sim.people``
    declares them: ``People.addresses_of`` checks that they are)."""

    names: tuple[str, ...]
    dtypes: tuple[type, ...]


def layout(*columns: tuple[str, type]) -> Layout:
    """A ``Layout`` from (name, dtype) pairs, in the order the pass unpacks them."""
    return Layout(tuple(name for name, _ in columns), tuple(dtype for _, dtype in columns))


def views(addresses: np.ndarray, dtypes: tuple[type, ...]) -> tuple[np.ndarray, ...]:
    """The arrays at ``addresses`` (one address per array, then their length), one of each of
    ``dtypes`` (a ``Layout``'s), as a tuple: views of the people's columns, with no reference of
    their own. (In Python, as the passes run with ``NUMBA_DISABLE_JIT``; compiled, ``_views``.)"""
    length = int(addresses[len(dtypes)])
    return tuple(np.ctypeslib.as_array((ctypes.c_char * (length * np.dtype(dtype).itemsize)).from_address(int(a)))
                 .view(dtype) for a, dtype in zip(addresses, dtypes))


@overload(views, inline="always")
def _views_overload(addresses, dtypes):
    return lambda addresses, dtypes: _views(addresses, dtypes)


@intrinsic
def _views(typingctx, addresses, dtypes):
    """``views``, compiled: each array made from its address, no reference taken."""
    if not isinstance(dtypes, types.BaseTuple) or not all(isinstance(t, types.NumberClass) for t in dtypes):
        return None
    arrays = [types.Array(t.instance_type, 1, "C") for t in dtypes]

    def codegen(context, builder, signature, args):
        at = make_array(addresses)(context, builder, value=args[0])
        length = builder.load(builder.gep(at.data, [context.get_constant(types.intp, len(arrays))]))
        out = []
        for k, array in enumerate(arrays):
            item = context.get_data_type(array.dtype)
            size = context.get_constant(types.intp, context.get_abi_sizeof(item))
            address = builder.load(builder.gep(at.data, [context.get_constant(types.intp, k)]))
            view = make_array(array)(context, builder)
            populate_array(view, data=builder.inttoptr(address, item.as_pointer()), shape=[length], strides=[size],
                           itemsize=size, meminfo=None, parent=None)
            out.append(view._getvalue())
        return context.make_tuple(builder, signature.return_type, out)

    return types.Tuple(arrays)(addresses, dtypes), codegen


def addresses(arrays: list[np.ndarray], dtypes: tuple[type, ...], names: tuple[str, ...]) -> np.ndarray:
    """The addresses of ``arrays`` (1-D, C-contiguous, of one length, each of its dtype), then their
    length: what ``views`` reads. A column of another dtype than the pass declares would be read as
    that dtype's bytes, so it is refused (a programming error: ``TypeError``)."""
    for array, dtype, name in zip(arrays, dtypes, names, strict=True):
        if array.dtype != np.dtype(dtype) or array.ndim != 1 or not array.flags.c_contiguous or len(array) != len(
                arrays[0]):
            raise TypeError(f"column {name}: a 1-D contiguous {np.dtype(dtype)} array of {len(arrays[0])} is declared, "
                            f"found {array.dtype} of shape {array.shape}")
    return np.array([a.ctypes.data for a in arrays] + [len(arrays[0]) if arrays else 0], dtype=np.int64)
