"""Bayesian calibration: approximate Bayesian computation by sequential Monte Carlo (pyabc).

The fit splits into independent blocks (``sim.calibration.blocks``: parameters and targets of
staff groups that no pathway links): a block's targets depend on its own parameters only, so
its posterior is a factor of the whole and pyabc fits it on its own, with its own distance,
thresholds and proposals, in as few dimensions as the block has parameters. The blocks run in
step (``Lockstep``): one simulation of the history, with every block's proposed parameters,
serves a candidate of every block, so a fit costs the runs of its slowest block, not their sum.

Each block starts from its parameters' priors (``sim.uncertain.Uncertain.distribution``). A
candidate is accepted when the distance of its statistics from the published targets,
``sqrt(sum(error^2))`` with each error in units of its target's stated ``sd``, is within the
generation's threshold. pyabc lowers the threshold generation by generation to a quantile of the
last generation's distances and proposes from a kernel fitted to it, until the threshold reaches
the block's ``epsilon`` or the budget of runs or generations is spent. Each block's last
weighted population is resampled (systematically, by weight) to the population size, and the
blocks' sets are paired at random: the posterior ensemble, equally weighted.

Reproducible by construction: candidate ``i`` of round ``r`` draws each block's proposal from its
own seed (derived from the calibration's seed, the block, ``r`` and ``i``) and runs the history
with a seed of its own; a block's generation is its first ``n`` accepted candidates in candidate
order, however many workers ran them and whichever finished first. Workers are local
processes, or Dask when given a scheduler.
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .experiment import dask_client, process_pool, stop_workers

IN_MEMORY = "sqlite://"  # pyabc's database of a block's generations: SQLite in memory
ACCEPTANCE_GUESS = 1.0  # the first generation, from the prior with no threshold, accepts all; later batches use the last rate measured


def stream_seed(*parts: int) -> int:
    """A 32-bit seed for the numbers ``parts`` (calibration seed, block, round, candidate)."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


# ---- one candidate, in a worker ---------------------------------------------------------------------
class _Proposed(BaseException):
    """Raised by a block's model on the first pass: the parameters pyabc proposed, and no run."""

    def __init__(self, parameters):
        super().__init__()
        self.parameters = dict(parameters)


class BlockModel:
    """pyabc's model for one block: on the first pass it reports the proposal; on the second it
    returns the statistics of the shared run (``_candidate``)."""

    statistics: dict | None = None  # set by ``_candidate`` for the second pass, in the worker

    def __call__(self, parameters) -> dict:
        if BlockModel.statistics is None:
            raise _Proposed(parameters)
        return BlockModel.statistics


_UNPICKLED: dict[str, object] = {}


def _unpickled(payload: bytes):
    import cloudpickle

    digest = hashlib.sha256(payload).hexdigest()
    if digest not in _UNPICKLED:
        if len(_UNPICKLED) > 64:
            _UNPICKLED.clear()
        _UNPICKLED[digest] = cloudpickle.loads(payload)
    return _UNPICKLED[digest]


def _candidates(task) -> list[dict]:
    """Run candidates in a worker. ``task``: (simulator, {block: simulate_one payload}, seed,
    round, first candidate, count). Each candidate: every block's proposal (first pass), one run
    with all of them, then every block's particle (second pass, same seed: same proposal)."""
    simulator_payload, payloads, seed, rnd, first, count = task
    simulator = _unpickled(simulator_payload)
    simulate = {b: _unpickled(p) for b, p in payloads.items()}
    out = []
    for i in range(first, first + count):
        proposals = {}
        BlockModel.statistics = None
        for b, simulate_one in simulate.items():
            _seed(stream_seed(seed, b + 1, rnd, i))
            try:
                simulate_one()
                raise RuntimeError("a block's model returned without running")
            except _Proposed as proposed:
                proposals[b] = proposed.parameters
        statistics = simulator(proposals, stream_seed(seed, 0, rnd, i) % (2**31 - 1))
        particles = {}
        try:
            BlockModel.statistics = statistics
            for b, simulate_one in simulate.items():
                _seed(stream_seed(seed, b + 1, rnd, i))
                particles[b] = simulate_one()
        finally:
            BlockModel.statistics = None
        out.append(particles)
    return out


def _seed(seed: int) -> None:
    np.random.seed(seed)
    random.seed(seed)


# ---- workers ------------------------------------------------------------------------------------------
class Workers:
    """Local worker processes or a Dask client, kept for the whole calibration; ``map`` keeps order."""

    def __init__(self, workers: int = 1, scheduler: str | None = None):
        self.workers, self.pool, self.client, self.cluster = max(1, workers), None, None, None
        if scheduler:
            self.client, self.cluster = dask_client(self.workers, scheduler)
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or self.workers)
        elif self.workers > 1:
            self.pool = process_pool(self.workers, ("sim.inference", "sim.calibration", "sim.model", "sim.results"))

    def map(self, fn, tasks: list) -> list:
        if self.client is not None:
            return self.client.gather(self.client.map(fn, tasks, pure=False))
        if self.pool is not None:
            return list(self.pool.map(fn, tasks))
        return [fn(t) for t in tasks]

    def close(self, stopped: bool = False) -> None:
        if self.pool is not None:
            if stopped:
                stop_workers(self.pool)
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


# ---- the blocks in step ---------------------------------------------------------------------------------
class Lockstep:
    """Serves every block's pyabc sampler together (see the module docstring).

    Each block's ABC-SMC runs in a thread of its own; its sampler hands its request (the
    population wanted and its pickled candidate function) to ``submit`` and waits. When every
    block still running has asked, ``serve`` runs candidates in batches, sized from the lowest
    acceptance rate, until every block has its population; a block's candidates past its last
    accepted one are not counted (the same generation with any number of workers)."""

    def __init__(self, blocks: int, simulator, seed: int, workers: Workers, max_runs: int, progress=None):
        import cloudpickle

        self.simulator = cloudpickle.dumps(simulator)
        self.seed, self.runner, self.max_runs, self.progress = seed, workers, max_runs, progress
        self.live, self.requests, self.answers, self.error = blocks, {}, {}, None
        self.condition = threading.Condition()
        self.rates = {b: ACCEPTANCE_GUESS for b in range(blocks)}
        self.runs, self.seconds, self.round = 0, 0.0, 0

    def submit(self, block: int, request: dict):
        with self.condition:
            self.requests[block] = request
            self.condition.notify_all()
            self.condition.wait_for(lambda: block in self.answers or self.error is not None)
            if self.error is not None:
                raise RuntimeError("calibration stopped") from self.error
            return self.answers.pop(block)

    def done(self, block: int, error: BaseException | None = None) -> None:
        with self.condition:
            self.live -= 1
            self.error = self.error or error
            self.condition.notify_all()

    def serve(self) -> None:
        while True:
            with self.condition:
                self.condition.wait_for(lambda: len(self.requests) >= self.live or self.error is not None)
                if self.error is not None or self.live == 0:
                    return
                requests, self.requests = self.requests, {}
            try:
                answers = self._generation(requests)
            except BaseException as exc:  # wake every block so that it stops
                with self.condition:
                    self.error = exc
                    self.condition.notify_all()
                raise
            with self.condition:
                self.answers.update(answers)
                self.condition.notify_all()

    def _generation(self, requests: dict) -> dict:
        started, rnd = time.perf_counter(), self.round
        self.round += 1
        wanted = {b: r["n"] for b, r in requests.items()}
        kept = {b: [] for b in requests}
        accepted = {b: 0 for b in requests}
        counted = {b: 0 for b in requests}
        payloads = {b: r["payload"] for b, r in requests.items()}
        candidate = 0
        if self.runs >= self.max_runs:  # the budget is spent: no generation starts
            return {b: ([], 0, False) for b in requests}
        # the budget is checked before every batch too: a block that accepts almost nothing would
        # otherwise keep one generation sampling far past max_runs
        while self.runs < self.max_runs and any(accepted[b] < wanted[b] and counted[b] < requests[b]["max_eval"]
                                                for b in requests):
            missing = [b for b in requests if accepted[b] < wanted[b]]
            all_accepted = all(requests[b]["all_accepted"] for b in missing)
            rate = 1.0 if all_accepted else min(max(self.rates[b], 0.01) for b in missing)
            need = max((wanted[b] - accepted[b]) for b in missing)
            size = need if all_accepted else int(min(max(math.ceil(need / rate * 1.1), 2 * self.runner.workers),
                                                     20 * max(wanted.values())))
            chunk = max(1, math.ceil(size / (4 * self.runner.workers)))
            tasks = [(self.simulator, payloads, self.seed, rnd, candidate + i, min(chunk, size - i))
                     for i in range(0, size, chunk)]
            results = [p for part in self.runner.map(_candidates, tasks) for p in part]
            candidate += size
            self.runs += size
            for b in missing:
                particles = [r[b] for r in results]
                if not requests[b]["all_accepted"]:
                    self.rates[b] = max(sum(p.accepted for p in particles) / len(particles), 0.001)
                for p in particles:
                    if accepted[b] == wanted[b] or counted[b] >= requests[b]["max_eval"]:
                        break
                    counted[b] += 1
                    kept[b].append(p)
                    accepted[b] += p.accepted
            if self.progress:
                self.progress(rnd, sum(accepted.values()), sum(wanted.values()), self.runs)
        self.seconds += time.perf_counter() - started
        return {b: (kept[b], counted[b], accepted[b] == wanted[b]) for b in requests}


def _sampler_class():
    from pyabc.sampler import Sampler

    class BlockSampler(Sampler):
        """A block's pyabc sampler: its generations are run by the shared ``Lockstep``."""

        def __init__(self, block: int, lockstep: Lockstep):
            super().__init__()
            self.block, self.lockstep = block, lockstep

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            import cloudpickle

            particles, counted, ok = self.lockstep.submit(self.block, {
                "n": n, "payload": cloudpickle.dumps(simulate_one), "t": t, "max_eval": max_eval,
                "all_accepted": all_accepted})
            sample = self._create_empty_sample()
            for particle in particles:
                sample.append(particle)
            self.nr_evaluations_ = counted
            sample.ok = ok and sample.n_accepted == n
            return sample

    return BlockSampler


# ---- the fit --------------------------------------------------------------------------------------------
@dataclass
class Block:
    """One block's part of the fit: its parameters' priors (pyabc ``RV``s by name, in order), its
    distance and observed statistics, and the threshold it aims at."""

    priors: dict
    distance: object
    observed: dict
    epsilon: float


@dataclass
class Fit:
    """What ``fit`` returns: the posterior ensemble and how it was reached."""

    names: list[str]  # the parameters, in the order of the columns of ``values``
    values: np.ndarray  # posterior parameter sets, one row each, equally weighted
    blocks: list[dict]  # per block: its parameters, epsilon, whether reached, and its generations
    runs: int  # every run of the history
    seconds: float  # time spent running candidates

    @property
    def reached(self) -> bool:
        return all(b["reached"] for b in self.blocks)


def fit(simulator, blocks: list[Block], *, population: int, generations: int, quantile: float, max_runs: int,
        seed: int, workers: int = 1, scheduler: str | None = None, progress=None) -> Fit:
    """Run one ABC-SMC per block, in step, from the blocks' priors, each until its threshold is
    at most its ``epsilon``, ``generations`` have run or ``max_runs`` runs are spent.
    ``simulator({block: {name: value}}, seed) -> statistics`` runs the history once."""
    import pyabc

    _quiet_logging()
    runner = Workers(workers, scheduler)
    lockstep = Lockstep(len(blocks), simulator, seed, runner, max_runs, progress)
    parts: list = [None] * len(blocks)
    sampler_class = _sampler_class()

    def one(b: int) -> None:
        """A block's ABC-SMC, its generations kept in a database in memory (pyabc opens and closes a file's
        at every call), without the candidates' statistics, read here, in the thread that has it."""
        abc = None
        try:
            block = blocks[b]
            abc = pyabc.ABCSMC(BlockModel(), pyabc.Distribution(**block.priors), block.distance,
                               population_size=population, sampler=sampler_class(b, lockstep),
                               eps=pyabc.QuantileEpsilon(initial_epsilon=np.inf, alpha=quantile))
            abc.new(IN_MEMORY, block.observed)
            # each candidate's statistics (a row and a numpy array's bytes each) are read back only by pyabc's
            # plots and adaptive distances, which the fit does not use: most of a generation's storing
            abc.history.stores_sum_stats = False
            history = abc.run(minimum_epsilon=block.epsilon, max_nr_populations=generations,
                              max_total_nr_simulations=max_runs)
            parts[b] = _block_result(history, block, population)
            lockstep.done(b)
        except BaseException as exc:
            lockstep.done(b, exc)
        finally:
            _closed(getattr(abc, "history", None))

    stopped = True
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="pyabc")  # inf - inf: the first threshold
        threads = [threading.Thread(target=one, args=(b,), daemon=True) for b in range(len(blocks))]
        try:
            for t in threads:
                t.start()
            lockstep.serve()
            for t in threads:
                t.join()
            if lockstep.error is not None:
                raise lockstep.error
            stopped = False
        finally:
            runner.close(stopped)
            # a run that failed (or a stop) woke every block with the error: wait for their threads to
            # end, so that the error raised is the run's own
            with lockstep.condition:  # a stop may come while no block has been woken
                lockstep.error = lockstep.error or (None if not stopped else RuntimeError("calibration stopped"))
                lockstep.condition.notify_all()
            for t in threads:
                if t.is_alive():
                    t.join(timeout=30)
    rng = np.random.default_rng(stream_seed(seed, 0, 2**31 - 1, 0))
    names = [name for block in blocks for name in block.priors]
    columns = []
    for part in parts:  # resample each block by weight, then pair the blocks' sets at random
        positions = (rng.random() + np.arange(population)) / population
        chosen = np.minimum(np.searchsorted(np.cumsum(part["weights"]), positions), len(part["weights"]) - 1)
        columns.append(part["values"][rng.permutation(chosen)])
    summaries = [{k: v for k, v in part.items() if k not in ("values", "weights")} for part in parts]
    return Fit(names=names, values=np.hstack(columns), blocks=summaries, runs=lockstep.runs, seconds=lockstep.seconds)


def _closed(history) -> None:
    """A block's database in memory let go by the thread that made it: SQLite refuses a connection used (closed,
    at its last reference) from another thread, and says so on standard error."""
    for part, close in (("_session", "close"), ("_engine", "dispose")):
        held = getattr(history, part, None)
        if held is not None:
            getattr(held, close)()


def _block_result(history, block: Block, population: int) -> dict:
    from pyabc.weighted_statistics import effective_sample_size

    particles = history.get_population(t=history.max_t).particles
    names = list(block.priors)
    weights = np.array([p.weight for p in particles], dtype=float)
    table = history.get_all_populations()
    table = table[table.t >= 0]
    rows = []
    for r in table.itertuples():
        w = np.array([p.weight for p in history.get_population(t=int(r.t)).particles], dtype=float)
        rows.append({"generation": int(r.t), "epsilon": round(float(r.epsilon), 6), "runs": int(r.samples),
                     "acceptance_rate": round(population / float(r.samples), 6),
                     "effective_sample_size": round(float(effective_sample_size(w / w.sum())), 1)})
    last = float(table.epsilon.iloc[-1])
    return {"parameters": names, "epsilon": round(block.epsilon, 6), "reached": last <= block.epsilon,
            "generations": rows, "values": np.array([[float(p.parameter[k]) for k in names] for p in particles]),
            "weights": weights / weights.sum()}


def _quiet_logging() -> None:
    """pyabc logs every generation at INFO; the calibration prints its own progress."""
    import logging

    for name in ("ABC", "pyabc", "Sampler", "Epsilon", "History", "Distance", "Acceptor", "Adaptation"):
        logging.getLogger(name).setLevel(logging.WARNING)
