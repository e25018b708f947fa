"""One person's uniform draw from a named stream, compiled: the same SplitMix64 finaliser as
``sim.rng.Streams.uniforms``, bit for bit, so compiled and numpy code draw the same numbers."""

import numba
import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / float(1 << 53)


@numba.njit(cache=True, inline="always")
def uniform(key, salt):
    """The draw in [0, 1) of the person with ``key`` from the stream whose month salt is ``salt``."""
    x = key ^ salt
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    x = x ^ (x >> np.uint64(31))
    return np.float64(x >> np.uint64(11)) * _UNIT
