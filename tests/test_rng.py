"""Named random streams."""

import numpy as np

from sim.rng import Streams, person_keys, stable_hash


def test_draws_depend_only_on_seed_stream_month_and_key():
    keys = person_keys("intake", "x", 5, count=1000)
    a = Streams(1).uniform("leaving", 10, keys)
    assert np.array_equal(a, Streams(1).uniform("leaving", 10, keys))
    assert np.array_equal(a[500:], Streams(1).uniform("leaving", 10, keys[500:]))  # no dependence on others
    assert not np.array_equal(a, Streams(2).uniform("leaving", 10, keys))
    assert not np.array_equal(a, Streams(1).uniform("hours", 10, keys))
    assert not np.array_equal(a, Streams(1).uniform("leaving", 11, keys))


def test_uniform_draws_look_uniform_and_independent():
    u = Streams(3).uniform("x", 0, person_keys("k", count=200_000))
    assert ((u >= 0) & (u < 1)).all()
    assert abs(u.mean() - 0.5) < 0.005
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    assert counts.min() > 9_400 and counts.max() < 10_600
    v = Streams(3).uniform("y", 0, person_keys("k", count=200_000))
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01


def test_adding_a_person_to_a_cohort_keeps_the_other_keys():
    assert np.array_equal(person_keys("a", 1, count=10), person_keys("a", 1, count=11)[:10])
    assert len(set(person_keys("a", 1, count=10_000).tolist())) == 10_000


def test_stable_hash_is_not_salted():
    assert stable_hash("leaving", 3) == stable_hash("leaving", 3) != stable_hash("leaving", 4)
    assert 0 <= stable_hash("a") < 2**63
