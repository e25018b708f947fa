"""Group-level counts drawn by inversion at one uniform (``sim.kernels.counts``)."""

import numpy as np
import pytest
from scipy import stats

from sim.kernels.counts import binomial_by_inversion, poisson_by_inversion


def test_joiner_counts_are_poisson_and_never_fall_when_the_expectation_rises():
    u = np.random.default_rng(0).random(100_000)
    for lam in (0.4, 6.0, 30.0):
        counts = poisson_by_inversion(u, np.full(len(u), lam))
        assert abs(counts.mean() - lam) < 4 * np.sqrt(lam / len(u))
        assert abs(counts.var() / lam - 1) < 0.03
        assert (poisson_by_inversion(u, np.full(len(u), lam * 1.1)) >= counts).all()
    assert list(poisson_by_inversion(np.array([0.9, 0.9]), np.array([0.0, 0.0]))) == [0, 0]


@pytest.mark.parametrize("n,p", [(18, 0.33), (40, 0.59), (580, 0.95), (2000, 0.6), (5, 0.999), (3000, 0.001)])
def test_binomial_counts_are_the_binomial_quantiles_of_their_uniforms(n, p):
    u = (np.arange(2000) + 0.5) / 2000
    counts = np.array([binomial_by_inversion(x, n, p) for x in u])
    assert (counts == stats.binom.ppf(u, n, p)).all()


def test_binomial_counts_never_fall_when_places_or_the_fill_rate_rise():
    """A policy adding places fills at least as many in the same month: numpy's seeded binomial
    draws filled fewer in about one month in twenty at a fill rate of 0.6."""
    u = np.random.default_rng(1).random(3000)
    for n, p in [(100, 0.6), (500, 0.8), (18, 0.33)]:
        counts = np.array([binomial_by_inversion(x, n, p) for x in u])
        assert (np.array([binomial_by_inversion(x, n + 10, p) for x in u]) >= counts).all()
        assert (np.array([binomial_by_inversion(x, n, min(p + 0.05, 1.0)) for x in u]) >= counts).all()
        assert abs(counts.mean() - n * p) < 4 * np.sqrt(n * p * (1 - p) / len(u))


def test_binomial_counts_at_the_edges():
    assert [binomial_by_inversion(0.5, 0, 0.9), binomial_by_inversion(0.5, 10, 0.0),
            binomial_by_inversion(0.0, 10, 1.0), binomial_by_inversion(0.999999, 10, 1.0)] == [0, 0, 10, 10]
    # the smallest and the largest uniform give none and every trial (the sum reaches the last uniform)
    assert [binomial_by_inversion(0.0, 50, 0.5), binomial_by_inversion(1.0 - 2.0 ** -53, 50, 0.5),
            binomial_by_inversion(1.0 - 2.0 ** -53, 10, 0.9)] == [0, 50, 10]
