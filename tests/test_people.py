"""The column store of individuals."""

import numpy as np
import pytest

from sim.kernels.columns import layout
from sim.people import FIELDS, People, Status


def test_add_grows_capacity_and_keeps_values():
    people = People(capacity=16)
    first = people.add(10, fte=0.5, sex=1)
    more = people.add(100, fte=1.0)
    assert list(first) == list(range(10)) and more[0] == 10 and len(people) == 110
    assert np.allclose(people.view("fte")[:10], 0.5) and np.allclose(people.view("fte")[10:], 1.0)
    assert people.view("sex")[:10].tolist() == [1] * 10
    assert people.active[:110].all()


def test_record_and_columns_cover_every_field():
    people = People()
    (pid,) = people.add(1, status=int(Status.IN_POST), welsh=True)
    record = people.record(int(pid))
    assert {f.name for f in FIELDS} <= set(record) and record["status"] == "in_post" and record["welsh"] is True
    assert set(people.columns()) == {f.name for f in FIELDS} | {"id", "active"}
    with pytest.raises(KeyError):
        people.record(5)
    with pytest.raises(KeyError):
        people.add(1, salary=3)


@pytest.mark.parametrize("person_id", [0.5, True, "0", -1])
def test_an_id_that_is_not_a_whole_number_of_the_store_is_no_persons(person_id):
    # 0.5 raised IndexError, "0" TypeError, and True was person 1
    people = People()
    people.add(2, status=int(Status.IN_POST))
    with pytest.raises(KeyError, match="no person with id"):
        people.record(person_id)


def test_truncate_resets_forgotten_rows():
    people = People()
    people.add(5, fte=0.7, mho=True)
    people.truncate(2)
    assert len(people) == 2
    people.add(3)
    assert not people.view("mho")[2:].any() and np.allclose(people.view("fte")[2:], 0.0)


def test_kept_columns_are_the_stores_own_after_it_grows_and_new_rows_get_the_defaults():
    p = People(capacity=16)
    p.add(10, fte=np.float32(0.5))
    kept = layout(("fte", np.float32), ("stage", np.int16))
    given = p.addresses_of(kept)  # as a pass's table gives it, by its address
    assert given.tolist() == [p.fte.ctypes.data, 16, p.stage.ctypes.data, 16]
    p.add(5000, stage=np.int16(3))  # grows: the columns are new arrays
    assert p.addresses_of(kept) is given  # the same array, so the tables giving it stay true
    assert given.tolist() == [p.fte.ctypes.data, len(p.fte), p.stage.ctypes.data, len(p.fte)]
    assert p.fte[9] == 0.5 and len(p.fte) >= 5010
    new = p.add(3)  # no value given: every field's default, however the spare rows were made
    for f in FIELDS:
        assert (getattr(p, f.name)[new] == f.default).all(), f.name


def test_reserved_rows_hold_the_defaults_until_added():
    p = People(capacity=16)
    p.add(10, fte=np.float32(0.5))
    ready = p.reserve(5000)  # grows: room for at least as many, every field at its default
    assert ready >= 5000 and len(p) == 10 and len(p.fte) >= 5010
    for f in FIELDS:
        assert (getattr(p, f.name)[10: 10 + ready] == f.default).all(), f.name
    assert p.reserve(0) == ready  # nothing more to make ready
    assert p.added(3).tolist() == [10, 11, 12] and len(p) == 13 and p.reserve(0) == ready - 3

