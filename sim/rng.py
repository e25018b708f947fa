"""Named random streams: common random numbers by construction.

Every random decision (attrition, leaving, hours, retirement, return, ...) has its own named
stream, declared in ``sim.decisions``. A person's draw from a stream in a given month depends
only on the run seed, the stream's name, the month and the person's *key* -- never on how many
other people exist or in which order they were processed. A policy run and its baseline therefore differ only
where the policy acts, and adding one person changes only that person's draws.

Per-person draws use a counter-based hash (the SplitMix64 finaliser, compiled:
``sim.kernels.streams``), so their cost is proportional to the people at risk, not to the
population, and compiled passes over people draw exactly what ``Streams.uniforms`` gives.
Group-level draws (how many places are filled, how many joiners arrive) are hashed the same
way, a uniform for the group's key, and turned into a count by inverting its distribution
(``sim.kernels.counts``): no numpy generator, whose streams may change from one numpy version to
the next, makes a run's draws.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from .decisions import DECISIONS, declared
from .errors import InputError, is_whole
from .kernels import choice, compiled, streams


MAX_SEED = 2**63 - 1


def check_seed(seed, where: str, field: str = "seed", runs: int = 1) -> int:
    """A seed is a whole number from 0 (numpy refuses a negative one deep inside a run, and a
    fraction or a text would be cut or fail there); with replications, the last seed (seed + runs - 1) too."""
    if not is_whole(seed) or not 0 <= seed <= MAX_SEED - (runs - 1):
        raise InputError.one(where, field, f"a whole number from 0 to {MAX_SEED - (runs - 1):,}", seed)
    return int(seed)


@lru_cache(maxsize=4096)
def stable_hash(*parts) -> int:
    """A 63-bit hash of strings/integers that is the same in every process and machine.

    Python's ``hash`` of strings is salted per process, so it must never seed anything.
    """
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def person_keys(*parts, count: int) -> np.ndarray:
    """Random-stream keys for ``count`` people created together (e.g. one intake cohort).

    The key of the i-th person depends only on ``parts`` (where and when they were
    created) and i, so adding a person to the end of a cohort leaves every other key alone.
    """
    return cohort_keys([parts], [count])


def cohort_keys(parts: list[tuple], counts: np.ndarray) -> np.ndarray:
    """``person_keys`` of several cohorts at once (the parts and count of each), one after another."""
    base = np.array([stable_hash("person", *p) for p in parts], dtype=np.uint64)
    return keys_of_cohorts(base, np.asarray(counts, dtype=np.int64))


def cohort_bases(kind: str, names: tuple[str, ...], month: int) -> np.ndarray:
    """The base keys ``cohort_keys`` hashes for the cohorts ``(kind, name, month)`` of each of ``names``
    in ``month``, for compiled code that makes their keys (``keys_of_cohorts``). Read from a table of
    the months around it, the same in every run, so worked out once a process (a copy of the row)."""
    first = month - month % _COHORT_WINDOW
    return _bases(kind, names, first)[month - first].copy()


@lru_cache(maxsize=16)
def _bases(kind: str, names: tuple[str, ...], first: int) -> np.ndarray:
    return np.array([[stable_hash.__wrapped__("person", kind, name, month) for name in names]
                     for month in range(first, first + _COHORT_WINDOW)],
                    dtype=np.uint64).reshape(_COHORT_WINDOW, len(names))


_COHORT_WINDOW = 120  # months of cohorts' base keys worked out at once: ten years


@compiled()
def keys_of_cohorts(base, counts):
    """The i-th person of a cohort (from 1) gets ``mix(base + i * golden)``, SplitMix64's finaliser."""
    keys = np.empty(people_in(counts), dtype=np.uint64)
    j = 0
    for c in range(base.shape[0]):
        for i in range(1, counts[c] + 1):
            keys[j] = streams.mix(base[c] + np.uint64(i) * streams.GOLDEN)
            j += 1
    return keys


@compiled(inline="always")
def people_in(counts):
    """How many people cohorts of ``counts`` hold: a loop, as ``ndarray.sum`` costs more to compile."""
    n = 0
    for c in counts:
        n += c
    return n


_WINDOW = 600  # months of salts worked out at once for a set of decisions: fifty years


class Streams:
    """The named random streams of one run, each a decision ``decisions`` declares (``sim.decisions``)."""

    def __init__(self, seed: int, decisions: dict[str, str] = DECISIONS):
        self.seed = int(seed)
        self.decisions = decisions
        self._tables: dict[tuple[str, ...], tuple[int, np.ndarray]] = {}
        self._bases: dict[tuple[str, ...], np.ndarray] = {}  # every set of decisions drawn, and its streams' bases
        self._checked: set[str] = set()

    def _check(self, names: tuple[str, ...]) -> None:
        """Refuse a stream its decisions do not declare (``UndeclaredStream``); a name once checked is kept."""
        for name in names:
            if name not in self._checked:
                declared(name, self.decisions)
                self._checked.add(name)

    def uniform(self, name: str, month: int, keys: np.ndarray) -> np.ndarray:
        """One uniform draw in [0, 1) per person key, for decision ``name`` in ``month``."""
        return self.uniforms((name,), month, keys)[0]

    def uniforms(self, names: tuple[str, ...], month: int, keys: np.ndarray) -> np.ndarray:
        """``uniform`` for several decisions at once: row i holds decision ``names[i]``'s draws.
        One pass over a (decisions, people) block instead of one per decision."""
        return streams.uniforms(keys.astype(np.uint64, copy=False), self.salts(names, month))

    def salts(self, names: tuple[str, ...], month: int) -> np.ndarray:
        """The month's salts of several decisions (read only), for compiled code that draws
        (``sim.kernels.streams``): each salted draw equals ``uniforms``'s. They do not depend on who
        draws, which the passes choose (``tests/recorded_draws.py`` audits who did). A row of a table
        of the months around it, worked out in one pass when the names are first drawn (or the month
        is past the table)."""
        month = int(month)
        first, table = self._tables.get(names, (0, None))
        if table is None or not 0 <= month - first < len(table):
            table = streams.salt_table(self.bases(names), month, _WINDOW)
            table.flags.writeable = False
            first = month
            self._tables[names] = (first, table)
        return table[month - first]

    def bases(self, names: tuple[str, ...]) -> np.ndarray:
        """The streams' base hashes (read only), from which compiled code works out any month's salts
        itself (``sim.kernels.streams.salt``), as ``salts`` gives them."""
        base = self._bases.get(names)
        if base is None:
            self._check(names)
            base = self._bases[names] = np.array([stable_hash(self.seed, name) for name in names], dtype=np.uint64)
            base.flags.writeable = False
        return base


class ShareTable:
    """Rows of category shares of different lengths, with an optional integer label per category (a
    stage or reason code) in ``labels``. People of several kinds (say joiners of every group) draw at
    once (``pick``), each exactly as if drawn with their own row alone: batching changes no result."""

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
