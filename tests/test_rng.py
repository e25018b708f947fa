"""Named random streams."""

import numpy as np

from sim.rng import ShareTable, Streams, cohort_bases, cohort_keys, keys_of_cohorts, person_keys, stable_hash


def test_draws_depend_only_on_seed_stream_month_and_key():
    keys = person_keys("intake", "x", 5, count=1000)
    a = Streams(1).uniform("hours_on_entry", 10, keys)
    assert np.array_equal(a, Streams(1).uniform("hours_on_entry", 10, keys))
    assert np.array_equal(a[500:], Streams(1).uniform("hours_on_entry", 10, keys[500:]))  # no dependence on others
    assert not np.array_equal(a, Streams(2).uniform("hours_on_entry", 10, keys))
    assert not np.array_equal(a, Streams(1).uniform("ltft", 10, keys))
    assert not np.array_equal(a, Streams(1).uniform("hours_on_entry", 11, keys))


def test_uniform_draws_look_uniform_and_independent():
    u = Streams(3).uniform("exit", 0, person_keys("k", count=200_000))
    assert ((u >= 0) & (u < 1)).all()
    assert abs(u.mean() - 0.5) < 0.005
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    assert counts.min() > 9_400 and counts.max() < 10_600
    v = Streams(3).uniform("ltft", 0, person_keys("k", count=200_000))
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01


def test_adding_a_person_to_a_cohort_keeps_the_other_keys():
    assert np.array_equal(person_keys("a", 1, count=10), person_keys("a", 1, count=11)[:10])
    assert len(set(person_keys("a", 1, count=10_000).tolist())) == 10_000


def test_stable_hash_is_not_salted():
    assert stable_hash("hours_on_entry", 3) == stable_hash("hours_on_entry", 3) != stable_hash("hours_on_entry", 4)
    assert 0 <= stable_hash("a") < 2**63


def test_a_choice_drawn_for_several_kinds_at_once_equals_each_kind_drawn_alone():
    streams, keys = Streams(7), person_keys("test", count=30_000)
    rows = [[0.2, 0.5, 0.3], [1.0], [0.0, 0.25, 0.0, 0.75]]
    kind = np.arange(len(keys)) % 3
    table = ShareTable(rows, [[10, 11, 12], [20], [30, 31, 32, 33]])
    together = table.pick(streams.uniform("stock_age_band", 4, keys), kind)
    for r, shares in enumerate(rows):
        u = streams.uniform("stock_age_band", 4, keys[kind == r])
        alone = ShareTable([shares]).pick(u, np.zeros((kind == r).sum(), int))
        assert np.array_equal(together[kind == r], alone)
        # the same draw as a search of the cumulative shares
        assert np.array_equal(alone, np.minimum(np.searchsorted(np.cumsum(shares), u * np.cumsum(shares)[-1], side="right"),
                                                len(shares) - 1))
        frequencies = np.bincount(alone, minlength=len(shares)) / len(alone)
        assert np.allclose(frequencies, shares, atol=0.02)  # zero shares (and padding) are never drawn
    assert set(table.labels[kind, together]) == {10, 11, 12, 20, 31, 33}
    cumulated = ShareTable.from_cumulative([np.cumsum(r) for r in rows])
    assert np.array_equal(cumulated.cumulative, ShareTable(rows).cumulative)


def test_cohort_keys_are_each_cohorts_person_keys_one_after_another():
    parts, counts = [("joiner", "nursing", 300), ("joiner", "psychiatry", 300), ("intake", "x", 301)], [3, 0, 5]
    expected = np.concatenate([person_keys(*p, count=n) for p, n in zip(parts, counts)])
    np.testing.assert_array_equal(cohort_keys(parts, counts), expected)


def test_cohort_bases_make_the_keys_cohort_keys_makes_in_any_month():
    names = ("nursing", "psychiatry")
    for month in (24239, 24240, 24241, 24599):  # either side of where a table of months starts
        counts = np.array([2, 3])
        keys = keys_of_cohorts(cohort_bases("joiner", names, month), counts)
        np.testing.assert_array_equal(keys, cohort_keys([("joiner", name, month) for name in names], counts))
    row = cohort_bases("joiner", names, 24240)
    first = int(row[0])
    row[0] = 0  # a copy: the table is kept as it was
    assert int(cohort_bases("joiner", names, 24240)[0]) == first != 0


def test_uniforms_give_each_decision_its_own_stream_draws():
    streams, keys = Streams(11), person_keys("stock", "x", count=50)
    block = streams.uniforms(("hours_on_entry", "ltft", "exit"), 400, keys)
    for row, name in zip(block, ("hours_on_entry", "ltft", "exit")):
        np.testing.assert_array_equal(row, streams.uniform(name, 400, keys))
