"""Goal seeking: the smallest value of a lever's argument that meets a target with a given probability.

Policy teams decide each year how many training places to commission, so the question is asked
backwards: "the smallest number of places on the nursing degree from 2025 such that the nursing
gap in 2031 is at most G with probability at least P". An experiment file's ``target:`` section
(``sim.experiment.TargetSpec``; ``workforce target`` options replace its fields) names the
policy, the lever within it and the numeric argument searched (``extra``, ``places.2025``,
``factor``, ...), the values searched, the group, the measure (default ``need_gap_fte``), the
year, the most gap allowed and the probability.

- **Common random numbers.** Replication r runs every value with the same seed, hence the same
  random streams and the same posterior parameter set (``parameters: posterior``), as a policy
  and its baseline do (``sim.experiment.Experiment.job``): what differs between two values of one
  replication is the lever, not the luck.
- **Bisection on paired runs.** The gap does not rise with places, so each replication's own
  threshold (the smallest value on the grid at which its gap is at most G) is found by bisection:
  both ends of the grid first, then about log2(values) more runs. A replication that misses the
  target at the highest value has no threshold within the range ("more than the range"), one that
  meets it at the lowest has the lowest value as its threshold (lower values may meet it too).
  Gaps that rise with the lever, among the values a replication ran, are reported as warnings: the
  bisection then found a value where the target is met, not necessarily the smallest.
- **The answer** is the smallest grid value at which a share P of the replications meet the target
  (the P-quantile of their thresholds), with a distribution-free 90% interval (order statistics of
  the thresholds chosen by the binomial distribution) and the thresholds' own quantiles.
- **The earliest year** (``earliest_with: N``): one set of runs at N, and the first year whose gap
  is at most G in a share P of the replications.

Runs stop at the target year and return only the one measure (``Job.outcomes``); they run on the
worker pool or Dask (``sim.experiment.execute``), and a run depends on its job alone, so results
are the same with any number of workers. ``write`` writes a results folder and ``read`` reads it
back as its result, so that ``workforce report`` shows an answer without rerunning its search.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import calendar, folders, labels
from . import experiment as experiment_module
from .interventions import policy_problems
from .errors import InputError, Problem, from_pydantic
from .fields import twice

LEVEL = 0.90  # of the answer's interval and of each share's interval
MAX_VALUES = 10_000
WIDTH = 100  # columns of the printed summary, as the command line's tables
QUANTILES = (0.1, 0.5, 0.9)  # of the replications' thresholds, reported with the answer
OPTIONS = ("policy", "lever", "argument", "values", "group", "measure", "year", "most_gap", "probability",
           "earliest_with")
# what an argument counts, for axis labels
UNITS = {"extra": "places a year", "places": "places a year", "per_year": "people a year",
         "extra_per_year": "people a year", "factor": "times the rate", "share": "share", "reduction": "share",
         "fill_rate": "share", "fill_per_month": "share a month", "extra_places": "share", "hours_cut": "share",
         "retirement_factor": "times the rate", "stay_years": "years", "fte": "FTE", "ramp_years": "years"}


# ---- the question ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """A target, resolved against its experiment: what is searched, and what must be met."""

    policy: str
    lever: int
    argument: str
    values: tuple[float, ...]
    group: str
    measure: str
    year: int
    most_gap: float
    probability: float
    earliest_with: float | None = None

    @property
    def outcome(self) -> str:
        return f"{self.measure}:{self.group}:{self.year}"

    def target_text(self, scenario=None) -> str:
        """The target in words: "the supply gap FTE (demand less supply) of Nursing is at most 0 FTE"."""
        unit, measure = labels.unit(self.measure), labels.measure(self.measure)
        if measure[1:2].islower():
            measure = measure[0].lower() + measure[1:]
        return (f"the {measure} of {labels.group(self.group, scenario)} is at most {number(self.most_gap)}"
                f"{' ' + unit if unit and unit != '%' else ''}")

    def lever_text(self, levers, unit: bool = False) -> str:
        """"extra of lever training_places (nursing/pre_registration_degree) in policy more_places"; with
        ``unit``, the argument's unit after its name."""
        lever = levers[self.lever]
        where = getattr(lever, "stage", None) or ", ".join(getattr(lever, "groups", None) or []) or "all groups"
        counted = UNITS.get(self.argument.split(".")[0]) if unit else None
        return (f"{self.argument}{f' ({counted})' if counted else ''} of lever {lever.kind} ({where}) in policy "
                f"{self.policy}")


def number(value: float) -> str:
    """A value as a planner reads it: whole numbers with thousands separators, else three figures."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.3g}"


def load(path, options: dict | None = None, parameters: str | None = None,
         replications: int | None = None) -> tuple[experiment_module.Experiment, Question]:
    """The experiment and its target question; ``options`` replace fields of its ``target`` section.
    A problem names the file and the field, or the option (``--most-gap``) that gave the value."""
    options = {k: v for k, v in (options or {}).items() if v is not None}
    try:
        loaded = experiment_module.load(path, parameters=parameters, target=options)
        if replications is not None:
            loaded = loaded.with_replications(replications)
        return loaded, question(loaded)
    except InputError as exc:
        raise InputError([_named(p, options) for p in exc.problems]) from None


def _named(problem: Problem, options: dict) -> Problem:
    """A problem with a value the command line gave names the option, not the file."""
    parts = problem.field.split(".")
    if parts[0] == "target" and len(parts) > 1 and parts[1] in options:
        return replace(problem, file=f"--{parts[1].replace('_', '-')}", field=".".join(parts[1:]))
    return problem


def question(loaded: experiment_module.Experiment) -> Question:
    """Check the target section against the experiment: every problem at once."""
    file, spec, scenario = str(loaded.file), loaded.spec.target, loaded.scenario
    if spec is None:
        raise InputError.one(file, "target", "a target section (or the options --argument, --values, --group and "
                                             "--probability)")
    problems: list[Problem] = []

    def problem(name, expected, found=None):
        problems.append(Problem(file, f"target.{name}", expected, found))

    if loaded.spec.parameter_sets:  # else ignored in silence: a replication's set is its posterior draw
        problems.append(Problem(file, "parameter_sets", "none with workforce target (a replication runs the "
                                                        "scenario's values, or a draw from its calibration's "
                                                        "posterior, not sets sampled from uncertain:): 0, or leave "
                                                        "it out", loaded.spec.parameter_sets))

    policies = [p for p in loaded.policies if p != experiment_module.BASELINE]
    policy = spec.policy
    if policy is None and len(policies) == 1:
        policy = policies[0]
    if policy not in policies:
        problem("policy", f"a policy of this file ({', '.join(policies) or 'none: add one with the lever searched'})"
                + ("; the file has several, so say which" if spec.policy is None and policies else ""), spec.policy)
        raise InputError(problems)
    levers = loaded.policies[policy]
    if spec.lever >= len(levers):
        problem("lever", f"the index of a lever of policy {policy} (0 to {len(levers) - 1})", spec.lever)
        raise InputError(problems)
    lever = levers[spec.lever]
    numeric = numeric_arguments(lever)
    if spec.argument not in numeric:
        problem("argument", f"a numeric argument of the {lever.kind} lever ({', '.join(numeric) or 'it has none'})",
                spec.argument)
    first, final = calendar.year_of(scenario.start), loaded.final_year()
    year = final if spec.year is None else spec.year
    if not first < year <= final:
        problem("year", f"a year of the experiment's run, from {first + 1} to {final}", spec.year)
    groups = [*scenario.groups, experiment_module.TOTAL]
    if spec.group not in groups:
        problem("group", f"a staff group of the scenario or total ({', '.join(groups)})", spec.group)
    if spec.measure not in experiment_module.GROUP_MEASURES:
        problem("measure", f"a group measure of the model's results ({', '.join(experiment_module.GROUP_MEASURES)})",
                spec.measure)
    values = _values(spec.values, problem)
    if problems:
        raise InputError(problems)
    end = _target_month(scenario, year)
    tried = {"values": sorted({values[0], values[-1]})}  # one value is both ends: its problem said once
    if spec.earliest_with is not None:
        tried["earliest_with"] = [spec.earliest_with]
    for name, ends in tried.items():
        for value in ends:
            for expected, found in _lever_problems(levers, spec.lever, spec.argument, value, scenario, end):
                problem(name, expected, found)
    if problems:
        raise InputError(problems)
    for value in values[1:-1]:  # the ends fit, but a value between may not (an age not on a band's bound)
        for expected, found in _lever_problems(levers, spec.lever, spec.argument, value, scenario, end):
            problem("values", expected, found)
        if problems:  # the first such value: each takes a moment, and a grid may have thousands
            raise InputError(problems)
    return Question(policy=policy, lever=spec.lever, argument=spec.argument, values=values, group=spec.group,
                    measure=spec.measure, year=year, most_gap=spec.most_gap, probability=spec.probability,
                    earliest_with=spec.earliest_with)


def _target_month(scenario, year: int) -> int:
    """The month of the target year's snapshot: that year, in the month of the year the scenario ends in."""
    return year * 12 + scenario.end % 12


def _values(given, problem) -> tuple[float, ...]:
    """The grid searched, ascending: a list of numbers, or {from, to, step} (``to`` always included)."""
    def finite(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

    if isinstance(given, dict):
        if set(given) != {"from", "to", "step"} or not all(finite(given[k]) for k in given):
            problem("values", "{from, to, step}: three numbers (or a list of numbers)", given)
            return ()
        start, stop, step = (float(given[k]) for k in ("from", "to", "step"))
        if step <= 0 or stop < start:
            problem("values", "a range with from no greater than to and a step greater than 0 (values from "
                              "'from' up to 'to')", given)
            return ()
        span = (stop - start) / step  # infinite for a step too small beside the range (1e-300): no count
        count = math.floor(span + 1e-9) + 1 if math.isfinite(span) else None
        if count is None or count > MAX_VALUES:
            problem("values", f"at most {MAX_VALUES:,} values", count or "more than can be counted")
            return ()
        values = [start + i * step for i in range(count)]
        if stop - values[-1] > 1e-9 * max(1.0, abs(stop)):
            values.append(stop)
    elif isinstance(given, list):
        if not given or not all(finite(x) for x in given) or len(given) > MAX_VALUES:
            problem("values", f"a list of 1 to {MAX_VALUES:,} numbers (or {{from, to, step}})", given)
            return ()
        values = [float(x) for x in given]
        again = sorted(twice(values))
        if again:  # a slip for another value: searched once, the grid would have one value fewer than written
            problem("values", "each value once (a list is searched in ascending order, whatever its order)",
                    [int(v) if v.is_integer() else v for v in again])
            return ()
    else:
        problem("values", "a list of numbers or {from, to, step}", given)
        return ()
    return tuple(sorted(set(round(v, 9) for v in values)))


def numeric_arguments(lever) -> list[str]:
    """The lever's arguments that are numbers, as dotted paths (``places.2025``, ``stay_years.0``)."""
    out = []

    def walk(node, prefix):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, (list, tuple)) else ()
        for key, value in items:
            path = f"{prefix}{key}"
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.append(path)
            else:
                walk(value, f"{path}.")

    walk(lever.describe(), "")
    return out


def with_value(lever, argument: str, value: float):
    """The lever with ``argument`` set to ``value``; pydantic's ``ValidationError`` if it cannot take it."""
    data = _mutable(lever.describe())
    node = data
    *parents, last = argument.split(".")
    for key in parents:
        node = node[_key(node, key)]
    node[_key(node, last)] = float(value)
    return type(lever).model_validate(data)


def _mutable(value):
    """Lists for tuples (such as ``stay_years``), at any depth, so that one entry can be set."""
    if isinstance(value, dict):
        return {k: _mutable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mutable(v) for v in value]
    return value


def _key(node, key: str):
    if isinstance(node, (list, tuple)):
        return int(key)
    return int(key) if key not in node and key.lstrip("-").isdigit() and int(key) in node else key


def _lever_problems(levers: tuple, index: int, argument: str, value: float, scenario,
                    end: int) -> list[tuple[str, object]]:
    """What is wrong with the policy's lever ``index`` at ``value``: a value it refuses, one that does not act
    by the target year, or one the policy's other levers, with it, take past what they allow (two retention
    levers multiply)."""
    from pydantic import ValidationError

    try:
        changed = with_value(levers[index], argument, value)
    except ValidationError as exc:
        return [(f"values the lever's {argument} accepts ({p.expected})", value)
                for p in from_pydantic("lever", exc, type(levers[index])).problems]
    found = policy_problems((*levers[:index], changed, *levers[index + 1:]), scenario, end)
    return [(f"a value at which the lever acts by the target year: {where}: {expected}" if i == index else
             f"a value at which the policy's lever {i} still fits: {where}: {expected}", value)
            for i, where, expected, _ in found]


# ---- the runs -----------------------------------------------------------------------------------------
def _jobs(loaded, q: Question, points, keys: tuple[str, ...], until: int) -> list:
    """One job per (replication, value): replication r's seed and posterior set, the lever at the value."""
    seeds = loaded.replication_seeds()
    base = loaded.policies[q.policy]
    jobs = []
    for r, value in points:
        levers = (*base[:q.lever], with_value(base[q.lever], q.argument, value), *base[q.lever + 1:])
        job = loaded.job(q.policy, {}, 0, r, seeds[r], outcomes=keys)
        jobs.append(replace(job, levers=levers, until=until))
    return jobs


class _Runner:
    """Runs rounds of jobs on the experiment's executor, counting them on one progress bar. A Dask client
    is kept for every round (a ``LocalCluster`` takes seconds to start), and so are local worker processes,
    started at the first round: each keeps what it loaded (the compiled passes, the scenarios compiled for
    its parameter sets), which a round's new workers would load again (most of a round of 20 runs)."""

    def __init__(self, desc: str, total: int, workers, scheduler, quiet: bool, progress=None):
        from tqdm import tqdm

        self.workers, self.scheduler, self.progress, self.runs = workers, scheduler, progress, 0
        self.rounds: list[tuple[int, float]] = []  # runs and wall seconds of each round
        self.client = self.cluster = self.pool = None
        if scheduler:
            self.client, self.cluster = experiment_module.dask_client(max(1, workers or os.cpu_count() or 1),
                                                                      scheduler)
        self.bar = tqdm(total=total, desc=desc, unit="run", disable=True if quiet else None, smoothing=0.05,
                        dynamic_ncols=True)

    def __call__(self, jobs: list) -> list[dict]:
        """Each job's outcomes, in the jobs' order."""
        started = time.perf_counter()
        order = {id(job): i for i, job in enumerate(jobs)}
        out = [None] * len(jobs)
        workers = max(1, self.workers or os.cpu_count() or 1)
        if self.pool is None and self.client is None and workers > 1 and jobs:
            self.pool = experiment_module.process_pool(workers)
        for job, result in experiment_module.execute(experiment_module.simulate, jobs, self.workers, self.scheduler,
                                                     quiet=True, client=self.client, pool=self.pool):
            out[order[id(job)]] = result
            self.runs += 1
            self.bar.update(1)
            if self.progress is not None:
                self.progress(self.runs, self.bar.total)
        self.rounds.append((len(jobs), time.perf_counter() - started))
        return out

    def close(self):
        self.bar.total = self.runs
        self.bar.refresh()
        self.bar.close()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


# ---- the answer -----------------------------------------------------------------------------------
@dataclass
class TargetResult:
    """The smallest value meeting the target, its uncertainty and the runs it used.

    ``thresholds``: one row per replication (its seed, posterior parameter set, threshold, runs).
    ``probabilities``: one row per value searched (replications meeting the target, the share and
    its 90% interval). ``evaluations``: every run's value and measure. ``answer`` is None when the
    target is not met with the probability asked within the range ("more than the range")."""

    experiment: str
    question: Question
    lever: str  # the lever searched, in words
    axis: str  # the same, with the argument's unit
    answer: float | None
    interval: tuple[float | None, float | None]  # None at the top: beyond the range, or unbounded (below)
    at_lowest: bool  # the answer is the lowest value searched: lower values may meet the target too
    thresholds: pd.DataFrame
    probabilities: pd.DataFrame
    evaluations: pd.DataFrame
    runs: int
    seconds: float
    method: str  # bisection, or every value
    uncertainty: str  # what the replications' spread contains
    warnings: list[str] = field(default_factory=list)
    unbounded: bool = False  # too few replications to bound the answer above with 90% confidence
    rounds: list = field(default_factory=list)  # (runs, wall seconds) of each round of runs
    figure: Path | None = None  # set by write

    @property
    def table(self) -> pd.DataFrame:
        return self.probabilities

    def interval_text(self) -> str:
        low, high = self.interval
        n = len(self.thresholds)
        if self.unbounded:
            high_text = (f"no upper bound ({n} replications are too few to bound the {self.question.probability:.0%} "
                         f"quantile above with {LEVEL:.0%} confidence)")
        else:
            high_text = _value_text(high, self.question.values)
        return f"{_value_text(low, self.question.values)} to {high_text}"

    @property
    def inert(self) -> bool:
        """Whether no value searched changes the measure in any replication (each replication's result the same
        at the lowest value and the highest): the lever acts after the year asked of (places on a course
        whose first graduates come later), or not on the measure, and no wider range would meet the target."""
        values, e = self.question.values, self.evaluations
        if len(values) < 2:
            return False
        ends = e[e.value.isin([float(values[0]), float(values[-1])])].groupby("replication").result
        return bool(len(ends.size()) and ((ends.size() == 2) & (ends.min() == ends.max())).all())

    def answer_text(self) -> str:
        top = number(self.question.values[-1])
        if self.answer is None and self.inert:
            q = self.question
            return (f"more than {top}, the highest value searched, but no value searched changes {q.measure} of "
                    f"{q.group} in {q.year} in any replication: the lever acts later (a course's first graduates "
                    "after that year) or not on it, so ask of a later year rather than widen the range")
        if self.answer is None:
            return f"more than {top}, the highest value searched: widen the range"
        if self.at_lowest:
            return f"{number(self.answer)} or less (the lowest value searched meets it)"
        return number(self.answer)

    def question_text(self, scenario=None) -> str:
        """The question in words, as the summary, the Markdown section and the HTML report ask it."""
        q = self.question
        return (f"the smallest {self.lever} such that {q.target_text(scenario)} in {q.year} with probability at "
                f"least {q.probability:.0%}")

    def thresholds_text(self) -> str:
        """The replications' own thresholds at ``QUANTILES``: "10% 0, 50% 160, 90% 480"."""
        t, values = self.thresholds.threshold, self.question.values
        return ", ".join(f"{p:.0%} {_value_text(_quantile(t, p, len(values)), values)}" for p in QUANTILES)

    def runs_text(self) -> str:
        q = self.question
        return f"{self.runs} runs: {len(self.thresholds)} replications x {len(q.values)} values, {self.method}"

    def shares(self) -> pd.DataFrame:
        """The share of replications meeting the target by value, as shown to people."""
        return _shares(self.probabilities, "value", self.question.argument)

    def summary(self, scenario=None) -> str:
        q = self.question
        t = self.thresholds.threshold
        beyond = int(t.isna().sum())
        lines = [
            _fill(f"{self.experiment}: {self.question_text(scenario)}"),
            "",
            _fill(f"answer: {self.answer_text()}"),
            _fill(f"{LEVEL:.0%} interval of the answer: {self.interval_text()} (order statistics of the {len(t)} "
                  f"replications' thresholds)"),
            _fill(f"thresholds of the replications: {self.thresholds_text()}"
                  + (f"; {beyond} of {len(t)} not met within the range" if beyond else "")),
            "",
            f"share of replications meeting the target by value of {q.argument} ({LEVEL:.0%} interval):",
            _share_table(self.probabilities, "value"),
            "",
            _fill(f"{self.runs} runs ({len(t)} replications x {len(q.values)} values, {self.method}) in "
                  f"{self.seconds:.0f} s; replications contain {self.uncertainty}"),
        ]
        return "\n".join(lines)

    def markdown(self, scenario=None) -> str:
        """The result as a report section (Markdown): the question, the answer with its uncertainty, the
        share meeting the target by value and, once written, the figure."""
        return "\n".join([
            sentence(self.question_text(scenario)), "",
            f"**Answer: {self.answer_text()}** ({LEVEL:.0%} interval {self.interval_text()}). The replications' own "
            f"thresholds: {self.thresholds_text()}.", "",
            _markdown_table(self.shares()), "",
            *([f"![Share of replications meeting the target by value]({self.figure})", ""] if self.figure else []),
            f"{self.runs_text()}. The replications contain {self.uncertainty}.",
        ])


@dataclass
class EarliestResult:
    """The first year the target is met with the probability asked, at one value of the lever.

    ``years``: one row per year (replications meeting the target, the share and its 90% interval,
    the measure's mean and 90% band). ``earliest`` is None when no year up to the question's meets it."""

    experiment: str
    question: Question
    lever: str
    value: float
    earliest: int | None
    years: pd.DataFrame
    evaluations: pd.DataFrame
    runs: int
    seconds: float
    uncertainty: str
    warnings: list[str] = field(default_factory=list)
    figure: Path | None = None

    @property
    def table(self) -> pd.DataFrame:
        return self.years

    def answer_text(self) -> str:
        if self.earliest is None:
            return f"not by {self.question.year} (the last year asked)"
        return str(self.earliest)

    def question_text(self, scenario=None) -> str:
        q = self.question
        return (f"the earliest year by which {q.target_text(scenario)} with probability at least "
                f"{q.probability:.0%}, with {self.lever} at {number(self.value)}")

    def runs_text(self) -> str:
        return f"{self.runs} runs, one per replication, to {self.question.year}"

    def shares(self) -> pd.DataFrame:
        """The share of replications meeting the target each year, as shown to people."""
        return _shares(self.years, "year", "year")

    def summary(self, scenario=None) -> str:
        q = self.question
        return "\n".join([
            _fill(f"{self.experiment}: {self.question_text(scenario)}"),
            "",
            f"earliest year: {self.answer_text()}",
            "",
            f"share of replications meeting the target each year ({LEVEL:.0%} interval):",
            _share_table(self.years, "year"),
            "",
            _fill(f"{self.runs} runs ({self.runs} replications, to {q.year}) in {self.seconds:.0f} s; replications "
                  f"contain {self.uncertainty}"),
        ])

    def markdown(self, scenario=None) -> str:
        """The result as a report section (Markdown), as ``TargetResult.markdown``."""
        return "\n".join([
            sentence(self.question_text(scenario)), "",
            f"**Earliest year: {self.answer_text()}.**", "",
            _markdown_table(self.shares()), "",
            *([f"![Share of replications meeting the target each year]({self.figure})", ""] if self.figure else []),
            f"{self.runs_text()}. The replications contain {self.uncertainty}.",
        ])


def _shares(table: pd.DataFrame, by: str, heading: str) -> pd.DataFrame:
    """A share table as people read it: the value (or year), replications meeting, the share and its interval."""
    return pd.DataFrame({
        heading: [str(x) if by == "year" else number(x) for x in table[by]],
        "replications meeting the target": [f"{m} of {n}" for m, n in zip(table.meeting, table.replications)],
        f"share ({LEVEL:.0%} interval)": [f"{s:.0%} ({lo:.0%} to {hi:.0%})"
                                         for s, lo, hi in zip(table.share, table.low, table.high)]})


def sentence(text: str) -> str:
    """A clause as a sentence of its own (the question texts start in lower case to follow a name)."""
    return f"{text[:1].upper()}{text[1:]}."


def _markdown_table(shown: pd.DataFrame) -> str:
    rows = ["| " + " | ".join(map(str, row)) + " |" for row in [shown.columns, *shown.itertuples(index=False)]]
    return "\n".join([rows[0], "|" + "---|" * len(shown.columns), *rows[1:]])


def _fill(text: str) -> str:
    """A paragraph of the printed summary, within the command line's 100 columns."""
    import textwrap

    return textwrap.fill(text, WIDTH, break_long_words=False, break_on_hyphens=False)


def _value_text(value, values) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"more than {number(values[-1])}"
    return number(value)


def _quantile(thresholds: pd.Series, p: float, n: int) -> float | None:
    """The p-quantile of thresholds as the answer is one (a replication beyond the range counts as above it)."""
    ordered = np.sort(thresholds.fillna(np.inf).to_numpy())
    value = ordered[max(math.ceil(p * len(ordered) - 1e-9), 1) - 1]
    return None if np.isinf(value) else float(value)


def _share_table(table: pd.DataFrame, by: str) -> str:
    shown = pd.DataFrame({
        by: [str(v) if by == "year" else number(v) for v in table[by]],
        "meeting": [f"{m} of {n}" for m, n in zip(table.meeting, table.replications)],
        "share": [f"{s:.0%} ({lo:.0%}-{hi:.0%})" for s, lo, hi in zip(table.share, table.low, table.high)],
    })
    if "mean" in table.columns:
        shown["measure: mean (90% band)"] = [f"{m:,.0f} ({lo:,.0f} to {hi:,.0f})"
                                             for m, lo, hi in zip(table["mean"], table.band_low, table.band_high)]
    return shown.to_string(index=False)


def share_interval(meeting: np.ndarray, n: int, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson interval of a share meeting the target, from ``n`` replications."""
    from scipy.stats import beta

    a = (1 - level) / 2
    meeting = np.asarray(meeting, dtype=float)
    low = np.where(meeting > 0, beta.ppf(a, meeting, n - meeting + 1), 0.0)
    high = np.where(meeting < n, beta.ppf(1 - a, meeting + 1, n - meeting), 1.0)
    return low, high


def answer_interval(indices: np.ndarray, probability: float, level: float = LEVEL) -> tuple[int, int]:
    """Order statistics (0-based, into the sorted indices) bounding the P-quantile with at least ``level``
    confidence: ranks l and u with P(l <= B < u) >= level for B ~ Binomial(n, P). An upper rank past
    the replications is returned as n (the interval has no upper bound within them)."""
    from scipy.stats import binom

    n = len(indices)
    a = (1 - level) / 2
    lower = max(int(binom.ppf(a, n, probability)), 1)
    upper = int(binom.ppf(1 - a, n, probability)) + 1
    return lower - 1, min(upper, n + 1) - 1


def _rank(probability: float, n: int) -> int:
    """How many of n replications must meet the target for a share of at least ``probability``."""
    return max(math.ceil(probability * n - 1e-9), 1)


def _answer(ordered, probability: float, beyond) -> tuple:
    """A search's answer and its interval from its replications' thresholds in ascending order (``beyond``:
    one past the range): the P-quantile and the order statistics bounding it (``answer_interval``), each None
    beyond the range or past the replications; and whether the upper one is past them (no upper bound)."""
    lower, upper = answer_interval(ordered, probability)

    def at(i):
        return ordered[i] if i < len(ordered) and ordered[i] != beyond else None

    return at(_rank(probability, len(ordered)) - 1), at(lower), at(upper), upper >= len(ordered)


def _first_met(years, meeting, probability: float, n: int) -> tuple:
    """The first of ``years`` in which a share ``probability`` of n replications meet the target (``meeting`` of
    them, by year), None if none; and whether each year met it."""
    met = np.asarray(meeting) >= _rank(probability, n)
    return (years[int(np.argmax(met))] if met.any() else None), met


def runs_per_replication(values: int, every_value: bool = False) -> int:
    """The runs a search makes of each replication over ``values`` values: every one, or as many as
    bisecting them takes at most (both ends, then halving)."""
    return values if every_value else min(values, 2) + (math.ceil(math.log2(values - 1)) if values > 2 else 0)


def check_runs(loaded: experiment_module.Experiment, q: Question, every_value, values,
               replications_given: bool) -> None:
    """Refuse, before any run, what a question's runs would leave out in silence or could not hold (the command
    line's options and ``find``'s arguments alike, named as the options): every value, or the values given, for the
    earliest year, which is found at one value; more replications than ``MAX_RUNS`` runs in all allow (a billion
    runs would fill the memory). ``values``: the values given, if any (``--values``)."""
    if not isinstance(every_value, (bool, np.bool_)):  # "no" is true, and would run every value
        raise InputError.one("--every-value", "every_value", "True or False", every_value)
    if every_value and q.earliest_with is not None:
        raise InputError.one("--every-value", "every_value", "no --every-value with --earliest-with (or the file's "
                                                             "target.earliest_with): the earliest year is found at one "
                                                             "value, there are no values to run every one of")
    if values is not None and q.earliest_with is not None:
        raise InputError.one("--values", "values", "no --values with --earliest-with (or the file's "
                                                   "target.earliest_with): the earliest year is found at one value, "
                                                   "no values are searched", values)
    n = len(q.values)
    each = runs_per_replication(n, every_value)
    most = experiment_module.MAX_RUNS // each
    if q.earliest_with is None and loaded.spec.replications > most:
        where = ("--replications", "replications") if replications_given else (loaded.file, "replications")
        raise InputError.one(*where, f"a whole number from 1 to {most:,} (each replication runs up to {each:,} of "
                                     f"the {n:,} values: at most {experiment_module.MAX_RUNS:,} runs in all, as a "
                                     f"batch)", loaded.spec.replications)


def _check_progress(progress, function: str) -> None:
    """A progress that is no function failed once the first run was done."""
    if progress is not None and not callable(progress):
        raise InputError.one(function, "progress", "None or a function of (runs done, runs)", progress)


def search(loaded: experiment_module.Experiment, q: Question, workers: int | None = None,
           scheduler: str | None = None, quiet: bool = False, every_value: bool = False,
           progress=None) -> TargetResult:
    """The smallest value of ``q``'s argument meeting the target with probability ``q.probability``.

    ``every_value`` runs every replication at every value instead of bisecting (for checking the
    bisection, and where the gap may not fall steadily with the lever). ``progress(done, total)``
    is called after each run."""
    experiment_module.check_workers(workers, "sim.target.search")
    _check_progress(progress, "sim.target.search")
    started = time.perf_counter()
    values, n = q.values, len(q.values)
    reps = loaded.spec.replications
    seeds = loaded.replication_seeds()
    per_rep = runs_per_replication(n, every_value)
    run = _Runner(f"{loaded.name} target", reps * per_rep, workers, scheduler, quiet, progress)
    gaps: dict[tuple[int, int], float] = {}

    def evaluate(points: list[tuple[int, int]]) -> None:
        results = run(_jobs(loaded, q, [(r, values[i]) for r, i in points], (q.outcome,), q.year))
        for point, result in zip(points, results):
            gaps[point] = result[q.outcome]

    def meets(r, i) -> bool:
        return gaps[(r, i)] <= q.most_gap

    try:
        if every_value:
            evaluate([(r, i) for r in range(reps) for i in range(n)])
            index = [next((i for i in range(n) if meets(r, i)), n) for r in range(reps)]
        else:
            evaluate([(r, i) for r in range(reps) for i in sorted({0, n - 1})])
            index, bounds = [], {}
            for r in range(reps):
                if not meets(r, n - 1):
                    index.append(n)
                elif meets(r, 0):
                    index.append(0)
                else:
                    index.append(None)
                    bounds[r] = [0, n - 1]  # misses at the low end, meets at the high end
            while True:
                points = [(r, (lo + hi) // 2) for r, (lo, hi) in bounds.items() if hi - lo > 1]
                if not points:
                    break
                evaluate(points)
                for r, mid in points:
                    bounds[r][1 if meets(r, mid) else 0] = mid
            for r, (lo, hi) in bounds.items():
                index[r] = hi
    finally:
        run.close()
    index = np.array(index)
    warnings = _rises(gaps, values, seeds, q)
    if not every_value and len(warnings):
        warnings.append("where a replication's measure rises with the lever, the bisection found a value meeting the "
                        "target, not necessarily the smallest: search again with every value (--every-value)")
    answer_index, low_index, high_index, unbounded = _answer(np.sort(index), q.probability, n)

    def value(i):
        return None if i is None else float(values[i])
    meeting = np.array([(index <= i).sum() for i in range(n)])
    share_low, share_high = share_interval(meeting, reps)
    probabilities = pd.DataFrame({"value": values, "meeting": meeting, "replications": reps, "share": meeting / reps,
                                  "low": share_low, "high": share_high})
    posterior = [loaded.posterior_set(s) for s in seeds]
    runs_of = pd.Series([r for r, _ in gaps]).value_counts()
    thresholds = pd.DataFrame({
        "replication": range(reps), "seed": seeds, "parameter_set": posterior,
        "threshold": [float(values[i]) if i < n else np.nan for i in index],
        "met": [folders.MET[2] if i == n else folders.MET[0] if i == 0 else folders.MET[1] for i in index],
        "runs": [int(runs_of.get(r, 0)) for r in range(reps)]})
    evaluations = _evaluations(gaps, values, seeds, q)
    return TargetResult(
        experiment=loaded.name, question=q, lever=q.lever_text(loaded.policies[q.policy]),
        axis=q.lever_text(loaded.policies[q.policy], unit=True), answer=value(answer_index),
        interval=(value(low_index), value(high_index)), at_lowest=bool(answer_index == 0), thresholds=thresholds,
        probabilities=probabilities, evaluations=evaluations, runs=run.runs, seconds=time.perf_counter() - started,
        method="every value" if every_value else "bisection", uncertainty=loaded.uncertainty, warnings=warnings,
        unbounded=unbounded, rounds=run.rounds)


def _evaluations(gaps: dict, values, seeds, q: Question) -> pd.DataFrame:
    rows = sorted(gaps.items())
    return pd.DataFrame({"replication": [r for (r, _), _ in rows], "seed": [seeds[r] for (r, _), _ in rows],
                         "value": [float(values[i]) for (_, i), _ in rows], "measure": q.measure,
                         "group": q.group, "year": q.year, "result": [g for _, g in rows],
                         "meets": [g <= q.most_gap for _, g in rows]})


def _rises(gaps: dict, values, seeds, q: Question) -> list[str]:
    """A warning for each replication whose measure rises with the lever among the values it ran."""
    by_rep: dict[int, list[tuple[int, float]]] = {}
    for (r, i), gap in gaps.items():
        by_rep.setdefault(r, []).append((i, gap))
    out = []
    for r, points in sorted(by_rep.items()):
        points.sort()
        rises = [(values[a], ga, values[b], gb) for (a, ga), (b, gb) in zip(points, points[1:]) if gb > ga + 1e-9]
        if rises:
            va, ga, vb, gb = max(rises, key=lambda x: x[3] - x[1])
            out.append(f"replication {r} (seed {seeds[r]}): {q.measure} rose with the lever, from {ga:,.1f} at "
                       f"{number(va)} to {gb:,.1f} at {number(vb)}" + (f" ({len(rises)} rises)" if len(rises) > 1 else ""))
    return out


def earliest(loaded: experiment_module.Experiment, q: Question, value: float | None = None,
             workers: int | None = None, scheduler: str | None = None, quiet: bool = False,
             progress=None) -> EarliestResult:
    """The first year up to ``q.year`` in which the target is met with probability ``q.probability``,
    with the lever at ``value`` (default ``q.earliest_with``): one run per replication."""
    experiment_module.check_workers(workers, "sim.target.earliest")
    _check_progress(progress, "sim.target.earliest")
    if value is not None:  # checked as load checks earliest_with: the lever refused it inside pydantic, after a run
        if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)):
            raise InputError.one("sim.target.earliest", "value", "None (the question's earliest_with) or a finite "
                                                                 "number, the lever's value", value)
        end = _target_month(loaded.scenario, q.year)
        found = _lever_problems(loaded.policies[q.policy], q.lever, q.argument, float(value), loaded.scenario, end)
        if found:
            raise InputError([Problem("sim.target.earliest", "value", expected, shown) for expected, shown in found])
    started = time.perf_counter()
    value = q.earliest_with if value is None else float(value)
    if value is None:
        raise InputError.one(loaded.file, "target.earliest_with", "the lever's value at which to find the earliest "
                                                                  "year (--earliest-with)")
    first = calendar.year_of(loaded.scenario.start)
    years = list(range(first + 1, q.year + 1))
    keys = tuple(f"{q.measure}:{q.group}:{y}" for y in years)
    reps = loaded.spec.replications
    seeds = loaded.replication_seeds()
    run = _Runner(f"{loaded.name} earliest year", reps, workers, scheduler, quiet, progress)
    try:
        results = run(_jobs(loaded, q, [(r, value) for r in range(reps)], keys, q.year))
    finally:
        run.close()
    gap = np.array([[result[k] for k in keys] for result in results])  # replication x year
    meeting = (gap <= q.most_gap).sum(axis=0)
    low, high = share_interval(meeting, reps)
    table = pd.DataFrame({"year": years, "meeting": meeting, "replications": reps, "share": meeting / reps,
                          "low": low, "high": high, "mean": gap.mean(axis=0),
                          "band_low": np.quantile(gap, (1 - LEVEL) / 2, axis=0),
                          "band_high": np.quantile(gap, 1 - (1 - LEVEL) / 2, axis=0)})
    earliest_year, met = _first_met(years, meeting, q.probability, reps)
    warnings = []
    if earliest_year is not None and not met[years.index(earliest_year):].all():
        later = [y for y, m in zip(years, met) if y > earliest_year and not m]
        warnings.append(f"the target is met in {earliest_year} but not again in "
                        f"{', '.join(map(str, later))}: it is not held once met")
    evaluations = pd.DataFrame({"replication": np.repeat(range(reps), len(years)),
                                "seed": np.repeat(seeds, len(years)), "value": value, "measure": q.measure,
                                "group": q.group, "year": np.tile(years, reps), "result": gap.ravel(),
                                "meets": gap.ravel() <= q.most_gap})
    return EarliestResult(experiment=loaded.name, question=q, lever=q.lever_text(loaded.policies[q.policy]),
                          value=value, earliest=earliest_year, years=table, evaluations=evaluations, runs=run.runs,
                          seconds=time.perf_counter() - started, uncertainty=loaded.uncertainty, warnings=warnings)


# ---- in one call, and the files ----------------------------------------------------------------------------
def find(experiment_file, *, replications: int | None = None, parameters: str | None = None,
         workers: int | None = None, scheduler: str | None = None, quiet: bool = True, every_value: bool = False,
         progress=None, **options) -> TargetResult | EarliestResult:
    """Answer an experiment file's target question (``options``, such as ``most_gap=0`` or
    ``values={"from": 0, "to": 200, "step": 20}``, replace fields of its ``target`` section): the
    smallest value meeting it, or with ``earliest_with`` the earliest year."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InputError.one("target", "options", f"fields of a target section ({', '.join(OPTIONS)})", unknown)
    loaded, q = load(experiment_file, options, parameters=parameters, replications=replications)
    check_runs(loaded, q, every_value, options.get("values"), replications is not None)
    if q.earliest_with is not None:
        return earliest(loaded, q, workers=workers, scheduler=scheduler, quiet=quiet, progress=progress)
    return search(loaded, q, workers=workers, scheduler=scheduler, quiet=quiet, every_value=every_value,
                  progress=progress)


def write(result: TargetResult | EarliestResult, loaded: experiment_module.Experiment, out) -> dict[str, Path]:
    """The results folder: per-replication thresholds (or per-year shares), per-value probabilities,
    every run, the figure, the experiment file and a manifest; assembled beside ``out`` and renamed
    into place when whole (``sim.folders.staged``). Sets ``result.figure``."""
    import shutil

    from . import plots

    out = Path(out)
    fig = plots.meeting_target(result, loaded.scenario)
    searched = isinstance(result, TargetResult)
    info = {**experiment_module.manifest(loaded), "runs": result.runs, "seconds": round(result.seconds, 1),
            "target": {**asdict(result.question), "values": list(result.question.values)},
            "answer": ({"value": result.answer, "interval": list(result.interval), "at_lowest": result.at_lowest,
                        "beyond_range": result.answer is None, "method": result.method} if searched
                       else {"earliest_year": result.earliest, "value": result.value}),
            "warnings": result.warnings}
    files = {
        **({"thresholds.csv": lambda p: result.thresholds.to_csv(p, index=False),
            "probabilities.csv": lambda p: result.probabilities.to_csv(p, index=False)} if searched
           else {"years.csv": lambda p: result.years.to_csv(p, index=False)}),
        "runs.csv": lambda p: result.evaluations.to_csv(p, index=False),
        "target.png": lambda p: fig.savefig(p, dpi=110, format="png"),
        "experiment.yaml": lambda p: shutil.copyfile(loaded.file, p),
        "manifest.json": folders.manifest(info, default=_plain),
    }
    paths = folders.write_folder(out, files)
    result.figure = paths["target.png"]
    return paths


def check(folder: Path, manifest: dict) -> None:
    """Refuse a folder ``write`` wrote (its files and manifest's keys checked by ``sim.folders.load``) whose
    answer, shares or runs are not those its other files give, as ``search`` and ``earliest`` work them out:
    each is reported as written, so an answer edited in the manifest, or the runs of another question, were
    shown as the folder's beside tables that contradict them."""
    if "earliest_year" in manifest["answer"]:
        years = folders.read_table(folder / "years.csv")
        _runs_of(folder, manifest, years)
        _earliest_answer(folder / "manifest.json", manifest, years)
        return
    found = folders.read_table(folder / "thresholds.csv")
    _counted(folder / "probabilities.csv", folders.read_table(folder / "probabilities.csv"))
    _searched_answer(folder / "manifest.json", manifest, found.threshold)
    _runs_of(folder, manifest, found)


def _counted(path: Path, table: pd.DataFrame) -> None:
    """Refuse a table of the replications meeting a target (its counts checked) whose share, or an end of the
    share's interval, is not the one its counts give: "2 of 4 replications (90%)" would tell two answers."""
    low, high = share_interval(table.meeting.to_numpy(), table.replications.to_numpy())
    for column, worked, words in (("share", table.meeting / table.replications, "meeting / replications"),
                                  ("low", low, "the low end of its 90% interval"),
                                  ("high", high, "the high end of its 90% interval")):
        other = (table[column].notna() & ~np.isclose(table[column], worked, rtol=1e-9, atol=1e-12)).to_numpy()
        if other.any():
            i = int(np.argmax(other))
            raise InputError.one(path, column, f"the share of the row's replications meeting the target ({words}), "
                                               f"as workforce target writes it", f"{table[column].iloc[i]:.10g} in "
                                                                                 f"row {i + 1}, of "
                                                                                 f"{table.meeting.iloc[i]:g} of "
                                                                                 f"{table.replications.iloc[i]:g}")


def _searched_answer(manifest_path: Path, manifest: dict, found: pd.Series) -> None:
    """Refuse a search's answer (its value, interval and at_lowest) that is not the one its replications'
    thresholds (``found``, checked) give at the manifest's target.probability, as ``search`` works
    it out: an answer edited by hand, or of another probability, was reported as the folder's, beside shares
    by value that contradict it ("Answer: 480", and "at 480, 3 of 4 replications (75%) meet the target")."""
    question, answer = manifest["target"], manifest["answer"]
    value, low, high, _ = _answer(sorted(found.fillna(float("inf"))), question["probability"], float("inf"))
    worked = {"value": value, "interval": [low, high]}
    worked["at_lowest"] = worked["value"] == float(question["values"][0])
    for key, expected in worked.items():
        if answer[key] != expected:
            raise InputError.one(manifest_path, f"answer.{key}", f"{json.dumps(expected)}, as the folder's "
                                                                 f"thresholds.csv gives it at the target.probability "
                                                                 f"{question['probability']:g} (null: beyond the "
                                                                 f"range), as workforce target writes it",
                                 json.dumps(answer[key]))


def _earliest_answer(manifest_path: Path, manifest: dict, years: pd.DataFrame) -> None:
    """Refuse an earliest year's answer that is not the one its folder's years.csv (``years``, checked) gives at
    the manifest's target.probability, or at another value than its target.earliest_with, as ``earliest`` works
    it out: an edited one was reported as the folder's, beside shares by year that contradict it."""
    question, answer = manifest["target"], manifest["answer"]
    if int(years.year.max()) != question["year"]:  # the question asked by a year its runs did not reach
        raise InputError.one(manifest_path, "target.year", "the last year of years.csv, as workforce target writes "
                                                           "it", question["year"])
    n = len(manifest["replication_seeds"])
    other = years.replications[years.replications != n]
    if len(other):
        raise InputError.one(manifest_path.parent / "years.csv", "replications", f"the {n} replications of the "
                                                                                f"manifest's replication_seeds in "
                                                                                f"every row, as workforce target "
                                                                                f"writes them",
                             f"{other.iloc[0]:.10g} in row {int(other.index[0]) + 1}")
    _counted(manifest_path.parent / "years.csv", years)
    first = _first_met(list(years.year), years.meeting, question["probability"], n)[0]
    expected = None if first is None else int(first)
    if answer["earliest_year"] != expected:
        raise InputError.one(manifest_path, "answer.earliest_year", f"{json.dumps(expected)}, as the folder's "
                                                                    f"years.csv gives it at the target.probability "
                                                                    f"{question['probability']:g} (null: not met by "
                                                                    f"the last year asked), as workforce target "
                                                                    f"writes it", json.dumps(answer["earliest_year"]))
    if question.get("earliest_with") is None or float(answer["value"]) != float(question["earliest_with"]):
        raise InputError.one(manifest_path, "answer.value", f"the target.earliest_with ("
                                                            f"{json.dumps(question.get('earliest_with'))}) at which "
                                                            f"the earliest year was found, as workforce target writes "
                                                            f"it", json.dumps(answer["value"]))


def _runs_of(folder: Path, manifest: dict, table: pd.DataFrame) -> None:
    """Refuse a target folder's runs.csv that is not the runs of its manifest's question: as many as its runs,
    each of a replication and seed of its replication_seeds, of the target's measure, group and year (an
    earliest year's: of each year of years.csv) at a value searched (the earliest year's value), meeting the
    target as its result and the target's most_gap say; and of the runs each replication's threshold says
    (thresholds.csv, ``table``) or the replications meeting each year (years.csv, ``table``). The question is
    reported from the manifest and whether the lever acts from the runs: a question edited (another group,
    measure, year or most gap) was asked of an answer found for another, and runs of another search were read
    as this one's."""
    path, question, answer = folder / "runs.csv", manifest["target"], manifest["answer"]
    runs, seeds = folders.read_table(path).reset_index(drop=True), manifest["replication_seeds"]
    said = "as workforce target writes it"
    earliest = "earliest_year" in answer
    rows = manifest["runs"] * (len(table) if earliest else 1)  # an earliest year's: a row a year of each run
    if len(runs) != rows:
        raise InputError.one(path, "", f"a row for each of the {manifest['runs']} runs the manifest's runs says"
                                       f"{', each year of years.csv' if earliest else ''}, as workforce target "
                                       f"writes them", f"{len(runs)} rows")
    values = [float(answer["value"])] if earliest else [float(v) for v in question["values"]]
    for column, wanted, words in (
            ("replication", range(len(seeds)), f"a replication of the manifest's replication_seeds (0 to "
                                               f"{len(seeds) - 1})"),
            ("measure", [question["measure"]], f"the target's measure ({question['measure']})"),
            ("group", [question["group"]], f"the target's group ({question['group']})"),
            ("year", list(table.year) if earliest else [question["year"]], "a year of years.csv" if earliest else
             f"the target's year ({question['year']})"),
            ("value", values, f"the earliest year's value ({values[0]:g})" if earliest else
             f"a value of the manifest's target.values ({values[0]:g} to {values[-1]:g})")):
        row = runs.index[~runs[column].isin(wanted)]
        if len(row):
            raise InputError.one(path, column, f"{words} in every row, {said}", f"{runs[column][row[0]]} in row "
                                                                                f"{row[0] + 1}")
    row = runs.index[runs.seed != [seeds[int(r)] for r in runs.replication]]
    if len(row):
        raise InputError.one(path, "seed", f"the seed of each row's replication in the manifest's replication_seeds, "
                                           f"{said}", f"{runs.seed[row[0]]} in row {row[0] + 1}")
    met = runs.result <= question["most_gap"]
    row = runs.index[runs.meets.astype(str) != met.astype(str)]
    if len(row):  # a most_gap edited in the manifest, or the runs of another target's
        raise InputError.one(path, "meets", f"True where the row's result is at most the target's most_gap "
                                            f"({question['most_gap']:g}), else False, {said}",
                             f"{runs.meets[row[0]]} in row {row[0] + 1}, result {runs.result[row[0]]:g}")
    if earliest:  # each year, the replications meeting it
        for year, meeting in zip(table.year, table.meeting):
            counted = int(met[runs.year == year].sum())
            if counted != meeting:
                raise InputError.one(path, "meets", f"as many runs meeting the target in each year as years.csv "
                                                    f"has, {said}", f"{counted} in {year}, where years.csv has "
                                                                    f"{meeting:g}")
        return
    for r, threshold, count in zip(table.replication, table.threshold, table.runs):
        own = runs[runs.replication == r]
        highest = own[own.value == values[-1]]
        lowest = own.value[met[own.index]].min()  # a search's threshold: the lowest value it ran meeting the target
        if len(own) != count or len(highest) != 1 or not (lowest == threshold or pd.isna(threshold) and
                                                          not met[highest.index[0]]):
            raise InputError.one(path, "replication", f"the runs of each replication as its row of thresholds.csv "
                                                      f"says: as many as its runs, one at the highest value, and its "
                                                      f"threshold the lowest value meeting the target (none, where "
                                                      f"the highest value does not), {said}",
                                 f"{len(own)} runs of replication {r}, the lowest meeting the target "
                                 f"{'none' if pd.isna(lowest) else f'{lowest:g}'}")


def read(folder, manifest: dict | None = None) -> TargetResult | EarliestResult:
    """A folder ``write`` wrote, as its result, without running anything: the question, answer and runs
    from the manifest, the tables from their files, all checked by ``sim.folders.load`` here. ``manifest``:
    the folder's, as that read it (default: read here); another folder's or command's failed inside (a KeyError)."""
    from pydantic import TypeAdapter

    from .interventions import AnyLever

    loaded = folders.load(folder)
    if not isinstance(loaded, folders.TargetDir):
        raise InputError.one(folder, "", "a folder written by workforce target", f"one of workforce {loaded.kind}")
    if manifest is not None and manifest != loaded.manifest:
        raise InputError.one("sim.target.read", "manifest", f"the manifest of {folder} (or None: it is read there)")
    folder, manifest = loaded.path, loaded.manifest
    check(folder, manifest)
    spec, answer = manifest["target"], manifest["answer"]
    q = Question(**{**spec, "values": tuple(float(v) for v in spec["values"])})
    # as JSON, where a schedule of places has its years as text
    levers = [TypeAdapter(AnyLever).validate_json(json.dumps(x)) for x in manifest["policies"][q.policy]]
    common = dict(experiment=manifest["experiment"], question=q, lever=q.lever_text(levers),
                  evaluations=folders.read_table(folder / "runs.csv"), runs=int(manifest["runs"]),
                  seconds=float(manifest.get("seconds", 0.0)), uncertainty=manifest.get("uncertainty", ""),
                  warnings=list(manifest.get("warnings") or []), figure=folder / "target.png")
    if "earliest_year" in answer:
        return EarliestResult(value=float(answer["value"]), earliest=answer["earliest_year"],
                              years=folders.read_table(folder / "years.csv"), **common)
    thresholds = folders.read_table(folder / "thresholds.csv")
    low, high = answer["interval"]
    return TargetResult(axis=q.lever_text(levers, unit=True), answer=answer["value"], interval=(low, high),
                        at_lowest=bool(answer["at_lowest"]), thresholds=thresholds,
                        probabilities=folders.read_table(folder / "probabilities.csv"), method=answer["method"],
                        unbounded=answer_interval(thresholds.threshold, q.probability)[1] >= len(thresholds),
                        **common)


def _plain(value):
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    raise TypeError(type(value).__name__)


def parse_values(tokens: list[str] | None):
    """``--values``: FROM:TO:STEP, or numbers (separated by spaces or commas); None if not given."""
    if not tokens:
        return None
    expected = "FROM:TO:STEP (e.g. 0:400:20), or numbers separated by spaces or commas"
    text = " ".join(tokens)
    try:
        if ":" in text:
            parts = [float(x) for x in text.split(":")]
            if len(parts) != 3:
                raise ValueError
            return dict(zip(("from", "to", "step"), parts))
        return [float(x) for x in text.replace(",", " ").split()]
    except ValueError:
        raise InputError.one("--values", "values", expected, text) from None
