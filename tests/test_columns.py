"""Columns given to a compiled pass by their addresses (``sim.kernels.columns``): the pass reads and
writes the arrays themselves, compiled or run as Python, and a column of another dtype than the pass
declares is refused rather than read as that dtype's bytes."""

import numba
import numpy as np
import pytest

from sim.kernels.columns import addresses, layout, views
from sim.people import FIELDS, People

PAIR = layout(("stage", np.int16), ("fte", np.float32))


def bump(people, ids):
    """Each of ``ids`` one stage on and a tenth more FTE; the sum of their new stages."""
    stage, fte = views(people, PAIR.dtypes)
    total = 0
    for i in ids:
        stage[i] += 1
        fte[i] += np.float32(0.1)
        total += stage[i]
    return total, stage.shape[0]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "as Python"])
def test_a_pass_reads_and_writes_the_columns_at_their_addresses(compiled):
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
    assert after[0] == p.stage.ctypes.data and after[-1] == len(p.stage) >= 1000
    numba.njit(bump)(after, np.array([999], dtype=np.int64))
    assert p.stage[999] == next(f.default for f in FIELDS if f.name == "stage") + 1


def test_a_column_of_another_dtype_than_the_pass_declares_is_refused():
    with pytest.raises(TypeError, match="column fte"):
        addresses([np.zeros(4, np.int16), np.zeros(4, np.float64)], PAIR.dtypes, PAIR.names)
    with pytest.raises(TypeError, match="column fte"):
        addresses([np.zeros(4, np.int16), np.zeros(3, np.float32)], PAIR.dtypes, PAIR.names)
