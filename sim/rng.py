"""Named random streams: common random numbers by construction.

Every random decision (attrition, leaving, hours, retirement, return, ...) has its own named
stream, declared in ``sim.decisions``. A person's draw from a stream in a given month depends
only on the run seed, the stream's name, the month and the person's *key* -- never on how many
other people exist or in which order they were processed. A policy run and its baseline therefore differ only
where the policy acts, and adding one person changes only that person's draws.

Per-person draws use a counter-based hash (the SplitMix64 finaliser) evaluated on whole
arrays, so their cost is proportional to the people at risk, not to the population.
Group-level draws (how many places are filled, how many joiners arrive) use numpy
Generators seeded from a ``SeedSequence`` of the same ingredients.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from .decisions import check
from .kernels import choice

# 0-d arrays rather than numpy scalars: numpy's loops take them two to three times faster
_GOLDEN = np.array(0x9E3779B97F4A7C15, dtype=np.uint64)
_M1 = np.array(0xBF58476D1CE4E5B9, dtype=np.uint64)
_M2 = np.array(0x94D049BB133111EB, dtype=np.uint64)
_S30, _S27, _S31, _S11 = (np.array(s, dtype=np.uint64) for s in (30, 27, 31, 11))
_UNIT = np.array(1.0 / float(1 << 53))
_BLOCK = 1 << 16  # keys hashed at a time: a block stays in cache through the hash's steps, twice as fast


@lru_cache(maxsize=4096)
def stable_hash(*parts) -> int:
    """A 63-bit hash of strings/integers that is the same in every process and machine.

    Python's ``hash`` of strings is salted per process, so it must never seed anything.
    """
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def _mix_inplace(x: np.ndarray) -> np.ndarray:
    """``mix`` on a fresh array, in place: the same values with fewer temporaries."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def person_keys(*parts, count: int) -> np.ndarray:
    """Random-stream keys for ``count`` people created together (e.g. one intake cohort).

    The key of the i-th person depends only on ``parts`` (where and when they were
    created) and i, so adding a person to the end of a cohort leaves every other key alone.
    """
    return cohort_keys([parts], [count])


def cohort_keys(parts: list[tuple], counts: np.ndarray) -> np.ndarray:
    """``person_keys`` of several cohorts at once (the parts and count of each), one after another."""
    counts = np.asarray(counts, dtype=np.int64)
    base = np.array([stable_hash("person", *p) for p in parts], dtype=np.uint64)
    first = np.cumsum(counts) - counts
    index = np.arange(1, counts.sum() + 1, dtype=np.uint64) - np.repeat(first, counts).astype(np.uint64)
    return mix(np.repeat(base, counts) + index * _GOLDEN)


_WINDOW = 600  # months of salts worked out at once for a set of decisions: fifty years


class Streams:
    """The named random streams of one run."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._tables: dict[tuple[str, ...], tuple[int, np.ndarray]] = {}

    def _salts(self, names: tuple[str, ...], month: int) -> np.ndarray:
        """The month's salts of ``names`` (read only): a row of a table of the months around it,
        worked out in one pass when the names are first drawn (or the month is past the table)."""
        first, table = self._tables.get(names, (0, None))
        if table is None or not 0 <= month - first < len(table):
            check(names)
            base = np.array([stable_hash(self.seed, name) for name in names], dtype=np.uint64)
            months = np.arange(month + 1, month + 1 + _WINDOW, dtype=np.uint64)[:, None]
            table = mix(base + months * _GOLDEN)  # _salt's arithmetic, for every month at once
            table.flags.writeable = False
            first = month
            self._tables[names] = (first, table)
        return table[month - first]

    def uniform(self, name: str, month: int, keys: np.ndarray) -> np.ndarray:
        """One uniform draw in [0, 1) per person key, for decision ``name`` in ``month``."""
        return self.uniforms((name,), month, keys)[0]

    def uniforms(self, names: tuple[str, ...], month: int, keys: np.ndarray) -> np.ndarray:
        """``uniform`` for several decisions at once: row i holds decision ``names[i]``'s draws.
        One pass over a (decisions, people) block instead of one per decision."""
        keys = keys.astype(np.uint64, copy=False)
        salts = self._salts(names, int(month))[:, None]
        if len(keys) <= _BLOCK:
            x = np.bitwise_xor(keys, salts)
            np.right_shift(_mix_inplace(x), _S11, out=x)
            return np.multiply(x, _UNIT, out=x.view(np.float64))  # the top 53 bits as a float, in the same buffer
        x = np.empty((len(names), len(keys)), dtype=np.uint64)
        u = x.view(np.float64)
        for start in range(0, len(keys), _BLOCK):  # as above, a block at a time
            block = x[:, start: start + _BLOCK]
            np.bitwise_xor(keys[start: start + _BLOCK], salts, out=block)
            np.right_shift(_mix_inplace(block), _S11, out=block)
            np.multiply(block, _UNIT, out=u[:, start: start + _BLOCK])
        return u

    def salts(self, names: tuple[str, ...], month: int, keys: np.ndarray) -> np.ndarray:
        """The month's salts of several decisions, for compiled code that draws for the people with
        ``keys`` (``sim.kernels.streams``): each salted draw equals ``uniforms``'s."""
        return self._salts(names, int(month))

    def generator(self, name: str, *parts) -> np.random.Generator:
        """A numpy Generator for a group-level draw identified by ``name`` and ``parts``."""
        check((name,))
        entropy = [self.seed & 0xFFFFFFFFFFFFFFFF, stable_hash(name, *parts)]
        return np.random.default_rng(np.random.SeedSequence(entropy))

    def choice(self, name: str, month: int, keys: np.ndarray, table: "ShareTable", rows: np.ndarray) -> np.ndarray:
        """Index of a category for each key, drawn with the shares in row ``rows[i]`` of ``table``.

        People of several kinds (say joiners of every group) draw at once, each exactly as if
        drawn with their own row alone: batching changes no result.
        """
        return table.pick(self.uniform(name, month, keys), rows)


class ShareTable:
    """Rows of category shares of different lengths, ready for ``Streams.choice``,
    with an optional integer label per category (a stage or reason code) in ``labels``."""

    def __init__(self, rows, labels=None, cumulative: bool = False):
        lengths = np.array([len(r) for r in rows])
        width = max(int(lengths.max(initial=0)), 1)
        inside = np.arange(width) < lengths[:, None]
        table = np.zeros((len(rows), width))
        table[inside] = np.concatenate(rows) if len(rows) else []
        # cumsum along a zero-padded row adds in the same order as np.cumsum of the row alone
        self.cumulative = np.where(inside, table if cumulative else np.cumsum(table, axis=1), np.inf)  # padding never drawn
        self.labels = np.zeros((len(rows), width), dtype=np.int64)
        if labels is not None:
            self.labels[inside] = np.concatenate(labels) if len(rows) else []
        self.last = lengths - 1
        self.total = self.cumulative[np.arange(len(rows)), np.maximum(self.last, 0)]

    def pick(self, u: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The category each uniform ``u[i]`` falls in, with the shares of row ``rows[i]``."""
        return choice.picks(u, np.asarray(rows, dtype=np.int64), self.cumulative, self.total, self.last)

    @classmethod
    def from_cumulative(cls, rows, labels=None) -> "ShareTable":
        """A table from rows already cumulated (as the scenario keeps transition probabilities)."""
        return cls(rows, labels, cumulative=True)
