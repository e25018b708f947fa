"""Columns given to a compiled pass by their addresses (``sim.kernels.columns``): the pass reads and
writes the arrays themselves, compiled or run as Python, and a column of another dtype than the pass
declares is refused rather than read as that dtype's bytes."""

import numba
import numpy as np
import pytest

from sim.kernels import columns
from sim.kernels.columns import addresses, layout, views
from sim.people import FIELDS, People

PAIR = layout(("stage", np.int16), ("fte", np.float32))


def bump(people, ids):
    """Each of ``ids`` one stage on and a tenth more FTE; the sum of their new stages."""
    stage, fte = views(people, PAIR.types)
    total = 0
    for i in ids:
        stage[i] += 1
        fte[i] += np.float32(0.1)
        total += stage[i]
    return total, stage.shape[0]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "as Python"])
def test_a_pass_reads_and_writes_the_columns_at_their_addresses(compiled, monkeypatch):
    if not compiled:  # as the passes run with NUMBA_DISABLE_JIT
        monkeypatch.setitem(globals(), "views", columns.views_in_python)
    p = People(capacity=100)
    p.add(5, stage=np.arange(5, dtype=np.int16), fte=np.full(5, 0.5, dtype=np.float32))
    kernel = numba.njit(bump) if compiled else bump
    total, length = kernel(p.addresses_of(PAIR), np.array([1, 3], dtype=np.int64))
    assert (total, length) == (2 + 4, len(p.stage))
    assert p.stage[:5].tolist() == [0, 2, 2, 4, 4]
    assert p.fte[:5].tolist() == pytest.approx([0.5, 0.6, 0.5, 0.6, 0.5])


def test_a_store_that_grows_gives_its_new_columns_addresses():
    p = People(capacity=16)
    before = p.addresses_of(PAIR)
    assert before is p.addresses_of(PAIR)  # kept while the store keeps its columns
    p.reserve(1000)
    after = p.addresses_of(PAIR)
    assert after.tolist() == [p.stage.ctypes.data, len(p.stage), p.fte.ctypes.data, len(p.fte)] and len(p.stage) >= 1000
    numba.njit(bump)(after, np.array([999], dtype=np.int64))
    assert p.stage[999] == next(f.default for f in FIELDS if f.name == "stage") + 1


def test_an_array_of_another_dtype_or_shape_than_the_pass_declares_is_refused():
    with pytest.raises(TypeError, match="^fte: "):
        addresses([np.zeros(4, np.int16), np.zeros(4, np.float64)], PAIR)
    with pytest.raises(TypeError, match="^fte: "):
        addresses([np.zeros(4, np.int16), np.zeros((2, 2), np.float32)], PAIR)
    with pytest.raises(TypeError, match="^fte: "):
        addresses([np.zeros(4, np.int16), np.zeros(8, np.float32)[::2]], PAIR)


TABLES = layout(("rates", np.float64, 2), ("shares", np.float32, 3), ("codes", np.int16))


def read(tables):
    rates, shares, codes = views(tables, TABLES.types)
    return rates[1, 2] + shares[1, 0, 1] + codes[2], rates.shape, shares.shape, codes.shape


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "as Python"])
def test_tables_of_several_dimensions_are_read_in_their_shapes(compiled, monkeypatch):
    if not compiled:
        monkeypatch.setitem(globals(), "views", columns.views_in_python)
    rates = np.arange(12, dtype=np.float64).reshape(3, 4)
    shares = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    codes = np.array([5, 6, 7], dtype=np.int16)
    value, *shapes = (numba.njit(read) if compiled else read)(addresses([rates, shares, codes], TABLES))
    assert value == rates[1, 2] + shares[1, 0, 1] + codes[2] and shapes == [(3, 4), (2, 3, 4), (3,)]
