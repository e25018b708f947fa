"""How many of a group: counts drawn by inverting their distribution at one uniform a group and
month (``sim.kernels.streams``), as the smallest count whose cumulative probability reaches it. So a
policy that raises one group's expectation never gives it fewer than its baseline in the same
month, and leaves every other group's draws alone: common random numbers for group-level draws, as
a person's hashed uniforms are for theirs. The draws depend on no random generator's version."""

import math

import numpy as np

from . import compiled


@compiled()
def poisson_by_inversion(u, expected):
    """Poisson counts with the given expectations, as the smallest k with CDF(k) >= u (summing the
    probabilities up to the same k for every group: enough for the largest expectation)."""
    counts = np.empty(expected.shape[0], dtype=np.int64)  # empty and filled here: np.zeros costs compiling
    for g in range(expected.shape[0]):
        counts[g] = 0
    size = poisson_cap(expected)
    if size == 0:
        return counts
    log_factorial = np.empty(size)
    log_factorial[0] = 0.0
    for k in range(1, log_factorial.shape[0]):
        log_factorial[k] = log_factorial[k - 1] + np.log(np.float64(k))
    for g in range(expected.shape[0]):
        lam = expected[g]
        if lam <= 0:
            continue
        log_lam, cdf = np.log(lam), 0.0
        for k in range(log_factorial.shape[0]):
            cdf += np.exp(k * log_lam - lam - log_factorial[k])
            if cdf >= u[g]:
                break
            counts[g] += 1
    return counts


@compiled(inline="always")
def poisson_cap(expected):
    """The most ``poisson_by_inversion`` gives any of these expectations: its probabilities are summed
    up to 12 standard deviations and 20 above the largest (what lies beyond adds nothing a double keeps)."""
    top = 0.0
    for g in range(expected.shape[0]):
        lam = expected[g]
        if lam > 0:
            top = max(top, lam + 12.0 * np.sqrt(lam) + 20.0)
    return np.int64(top) + 1 if top > 0.0 else 0


@compiled()
def binomial_by_inversion(u, n, p):
    """A binomial count of ``n`` trials at probability ``p``: the smallest k with CDF(k) >= u. The
    probabilities are summed from 12 standard deviations and 20 below the mean (what lies below adds
    nothing a double keeps), the first worked out in logs, each next from the one before."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    k = max(np.int64(np.floor(n * p - 12.0 * np.sqrt(n * p * (1.0 - p)) - 20.0)), 0)
    pmf = np.exp(math.lgamma(n + 1.0) - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0) + k * np.log(p)
                 + (n - k) * np.log1p(-p))
    odds, cdf = p / (1.0 - p), pmf
    while cdf < u and k < n:
        pmf *= (n - k) / (k + 1.0) * odds
        k += 1
        cdf += pmf
    return k
