"""One person's uniform draw from a named stream: the SplitMix64 finaliser of their key and the
stream's salt for the month. Every per-person draw, ``sim.rng.Streams.uniforms`` included, is made here."""

import numpy as np

from . import compiled

GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / the golden ratio: SplitMix64's increment
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / float(1 << 53)


@compiled(forceinline=True)
def mix(x):
    """SplitMix64's finaliser of a uint64 (wrapping arithmetic), as ``sim.rng.mix``."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


@compiled(forceinline=True)
def uniform(key, salt):
    """The draw in [0, 1) of the person with ``key`` from the stream whose month salt is ``salt``."""
    return np.float64(mix(key ^ salt) >> np.uint64(11)) * _UNIT


@compiled()
def uniforms(keys, salts):
    """``uniform`` of every key for every salt: row i holds the draws of the stream of ``salts[i]``."""
    out = np.empty((salts.shape[0], keys.shape[0]))
    for i in range(salts.shape[0]):
        for j in range(keys.shape[0]):
            out[i, j] = uniform(keys[j], salts[i])
    return out


@compiled(forceinline=True)
def salt(base, month):
    """The salt in ``month`` of the stream whose base hash is ``base``: ``mix(base + (month + 1) * golden)``."""
    return mix(base + np.uint64(month + 1) * GOLDEN)


@compiled()
def salt_table(bases, first, months):
    """The salts of streams (one base hash each) for ``months`` months from ``first``."""
    table = np.empty((months, bases.shape[0]), dtype=np.uint64)
    for m in range(months):
        for s in range(bases.shape[0]):
            table[m, s] = salt(bases[s], first + m)
    return table


@compiled(forceinline=True)
def salts(bases, month):
    """The salts in ``month`` of the streams whose base hashes are ``bases``."""
    out = np.empty(bases.shape[0], dtype=np.uint64)
    for s in range(bases.shape[0]):
        out[s] = salt(bases[s], month)
    return out
