"""The smallest draws first (``sim.kernels.ranking``): as a stable sort lists them, ties in order."""

import numpy as np

from sim.kernels.ranking import smallest_first


def test_the_first_draws_of_a_pool_are_those_a_stable_sort_lists_first_ties_included():
    rng = np.random.default_rng(3)
    for n, wanted in [(0, 3), (5, 5), (5, 9), (200, 1), (200, 37), (1000, 999)]:
        for draws in (rng.random(n), rng.integers(0, 7, n).astype(float)):  # distinct draws, and many ties
            assert np.array_equal(smallest_first(draws, wanted), np.argsort(draws, kind="stable")[:wanted])
