"""Is it plausible? The checks a workforce planner makes of a run, against published ranges.

``check(results)`` reads one run (or several replications, pooled as one population) and
returns a table with a row per check and subject (a staff group, a stage or a history
target): the figure, its range, the range's source and PASS, FAIL or SKIP (a figure resting
on fewer than the ranges file's ``min_count`` people is not judged, nor one needing months the run
does not cover, its source then saying which). The checks are derived
from the scenario's structure -- its groups, stages, pathway durations and in-service routes --
so they apply to any scenario; the ranges live in a data file (``sim/data/plausibility/``)
that cites a source, or says "assumption" and why, for each.

Each check is one function of a ``Run`` (the pooled event log, each person's age at each
event, and the yearly tidy table) and the ranges:

- ``entry_ages``: nobody enters a stage younger than the stage's minimum (e.g. a consultant
  under 30), nobody is in a stage (training, in post or returned) past the group's maximum age;
- ``mean_entry_ages``: the mean age at entry to a stage, where one is published (newly qualified
  social workers, doctorate entrants);
- ``selection_ages``: people picked for an in-service route (reason ``selected``) are of an age
  the route accepts;
- ``retirement_ages``: each group's mean and median age at retirement, no pile-up of
  retirements at the maximum age, and the share retiring at 55 while MHO status lasts, where one
  is published (psychiatry);
- ``retirement_wave``: no wave of retirements at the start (the first year's retirements per head
  against the next four years');
- ``coming_back``: the share of a year's retirees back within 12 months (retire-and-return), all
  and those retiring at 55-59, against the published year's;
- ``inflows``: every stage with people at the start is fed over the run, or declared closing;
- ``steady_state``: each group's in-post headcount keeps pace with its funded establishment;
- ``time_in_stage``: the median time from entry to the end of a stage, full time and later (less
  than full time, or with extra time), against the pathway's duration, and the share completing
  later against the pathway's, of the entrants with time to finish at the slowest;
- ``minimum_time``: the share of a route's starters (core psychiatry to CCT) who finish it in the
  minimum time, against the published share;
- ``fte_per_head``: FTE per head of a group at the start and the end against the published figure;
- ``mean_age_in_post``: the mean age of a group's staff in post at the start and the end, where one
  is published (social workers: 46, constant over years of joining and leaving);
- ``history``: when the ranges name a history (a calibration file), the direction and rough
  size of each of its targets in a run of its history scenario.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, ClassVar

import numpy as np
import pandas as pd
import scipy.stats
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import calendar, footprint
from .errors import InputError, Problem, from_pydantic, read_yaml
from .eventlog import STOCK, STOCK_REASONS, STOCK_RETURNED
from .fields import MAX_STOCK, AgeBound, Description, Fraction, Month, Probability, Source
from .layering import ranges_file

COLUMNS = ["check", "subject", "figure", "low", "high", "unit", "n", "source", "result", "within_se"]
PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
NOT_ENTRIES = (*STOCK_REASONS, "returned")  # events that put someone in a stage without their entering it now
RETIREMENTS = ("retired", "retired_mho")  # the model's retirement reasons (a returner's final leaving is not one)
COMPLETED = "progressed"  # a stage's end; a pathway exit at the end of a stage is "exit:<reason>"
SELECTED = "selected"


# the pooled events, their stays (``Run.spells``) and the largest check's working copies, a person of
# ``sim.footprint.people``'s estimate of a run: measured at 160-220 bytes (the Welsh scenarios, a year
# to their whole period; traced, and resident), a margin added
BYTES_PER_POOLED_PERSON = 250


# ---- the ranges file ---------------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Range(_Strict):
    """A range (either end may be open) and where it comes from."""

    low: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = None
    high: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = None
    source: Source
    # what the figure judged is, and the least and the most it can be: a range holding all of that judges nothing
    FIGURE: ClassVar[str] = "figure"
    LIMITS: ClassVar[tuple[float, float]] = (-math.inf, math.inf)

    @model_validator(mode="after")
    def _ordered(self):
        if self.low is None and self.high is None:  # it would pass every run, in silence
            raise ValueError("low, high or both (a range with neither judges nothing)")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low no greater than high")
        least, most = self.LIMITS
        if (self.low is None or self.low <= least) and (self.high is None or self.high >= most):
            ends = " or ".join(f"{end} {word} {limit:g}" for end, word, limit in (("low", "above", least),
                                                                                 ("high", "below", most))
                               if math.isfinite(limit))
            raise ValueError(f"a range some {self.FIGURE} may fall outside: {ends} (as given, it would pass every run)")
        return self


class ShareRange(Range):
    """A range of a share: both ends in [0, 1] (0.1 for 10%, a percentage being refused)."""

    low: Probability | None = None
    high: Probability | None = None
    FIGURE: ClassVar[str] = "share"
    LIMITS: ClassVar[tuple[float, float]] = (0.0, 1.0)


class ChangeRange(Range):
    """A range of a relative change, end on start less one: -0.3 for a fall of 30%, a percentage being refused.
    Nothing falls by more than all of it, and a rise of more than ten times the start is no plausibility bound
    (an assumption: a percentage is what such a figure is)."""

    low: Annotated[float, Field(strict=True, ge=-1.0, le=10.0)] | None = None
    high: Annotated[float, Field(strict=True, ge=-1.0, le=10.0)] | None = None
    FIGURE: ClassVar[str] = "relative change"
    LIMITS: ClassVar[tuple[float, float]] = (-1.0, math.inf)


class FteRange(Range):
    """A range of FTE per head: both ends within (0, 1], as an FTE fraction is (from 0.01)."""

    low: Fraction | None = None
    high: Fraction | None = None
    FIGURE: ClassVar[str] = "FTE per head"
    LIMITS: ClassVar[tuple[float, float]] = (0.0, 1.0)


class AgeRange(Range):
    """A range of ages, in years: both ends within [0, 120]."""

    low: AgeBound | None = None
    high: AgeBound | None = None


class MultipleRange(Range):
    """A range of a multiple of a pathway's own figure: both ends at least 0."""

    low: Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)] | None = None
    high: Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)] | None = None
    FIGURE: ClassVar[str] = "multiple"
    LIMITS: ClassVar[tuple[float, float]] = (0.0, math.inf)


class ByStage(_Strict):
    default: AgeRange
    stages: dict[str, AgeRange] = {}


class GroupRetirement(_Strict):
    mean: AgeRange | None = None
    median: AgeRange | None = None
    at_55: ShareRange | None = None  # the share of retirements at 55 while MHO status lasts (``mho_end``)
    mho_closed: AgeRange | None = None  # the age, when MHO status closed, of those retiring under it


class RetirementRanges(_Strict):
    mean: AgeRange
    median: AgeRange
    pile_up: ShareRange  # share of retirements within ``near_max_years`` of the group's maximum age
    wave: Range | None = None  # the first year's retirements per head over the next four years' mean
    near_max_years: Annotated[float, Field(strict=True, gt=0, le=10)] = 1.0
    # the age, when MHO status closed (``mho_closed``), of those retiring under it: in post by then
    mho_closed: AgeRange | None = None
    groups: dict[str, GroupRetirement] = {}


class PublishedShare(_Strict):
    share: Probability
    source: Source


class Route(PublishedShare):
    start: str  # the stage its starters enter
    end: str  # the stage reaching which finishes it
    years: Annotated[float, Field(strict=True, gt=0, le=60, allow_inf_nan=False)]  # the minimum time


class MinimumTimeRanges(_Strict):
    """Training finished in the minimum time: the share of a route's starters (first entering its
    ``start`` stage from the run's start to ``years`` before its end) who reach its ``end`` stage
    within ``years``, judged within ``within_se`` standard errors of the published share among as
    many starters."""

    within_se: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
    source: Source  # of within_se
    routes: dict[str, Route]


class ReturnRanges(_Strict):
    """Retire-and-return: the share of retirees back within 12 months, of those retiring in ``period``
    (``YYYY-MM`` months, both included; not judged if the run does not cover it and the year after),
    judged within ``within_se`` standard errors of the published share among as many retirees."""

    period: tuple[Month, Month]
    within_se: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
    source: Source  # of the period, and of within_se
    all: dict[str, PublishedShare] = {}  # by group: every retiree
    aged_55_59: dict[str, PublishedShare] = {}  # by group: retiring aged 55 to 59
    # the returners in post at the start over their mean at the next four starting months, for every group: a
    # starting stock counted in post holds them, so the run does not open with none and build them up
    at_start: Range | None = None

    @field_validator("period")
    @classmethod
    def _ordered(cls, period):
        """Named as the period itself, not as the whole section."""
        if calendar.parse(period[0]) > calendar.parse(period[1]):
            raise ValueError("[first, last] with first no later than last")
        return period


class StockRanges(_Strict):
    change: ChangeRange  # in-post headcount's change, end on start, beyond the establishment's own change
    groups: dict[str, ChangeRange] = {}


class TimeRanges(_Strict):
    route: MultipleRange  # median time in stage as a multiple of the route's span of durations
    ltft_share: MultipleRange  # share of those completing a stage LTFT or with extra time, as a multiple of the pathway's


class HistoryRanges(_Strict):
    file: str  # a calibration file: its history scenario and targets
    within_sd: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]  # infinity: every target met
    source: Source
    # runs of the history averaged (from the first run's seed on): one run's noise can exceed a target's sd
    replications: Annotated[int, Field(strict=True, ge=1, le=100)] = 10
    # targets the shipped model is known not to meet, each with why: shown, but not judged
    unmet: dict[str, Source] = {}


class Ranges(_Strict):
    name: str
    description: Description = ""
    min_count: Annotated[int, Field(strict=True, ge=1, le=MAX_STOCK)] = 20  # more than any run holds: nothing judged
    entry_age: ByStage
    mean_entry_age: dict[str, AgeRange] = {}  # by stage, where a mean age at entry is published
    selection_age: ByStage
    retirement_age: RetirementRanges
    coming_back: ReturnRanges | None = None
    minimum_time: MinimumTimeRanges | None = None
    closing_pools: dict[str, Source] = {}
    stocks: StockRanges
    time_in_stage: TimeRanges
    fte_per_head: dict[str, FteRange] = {}
    mean_age_in_post: dict[str, AgeRange] = {}  # by group, where a mean age of the staff in post is published
    history: HistoryRanges | None = None
    file: str = ""  # set on loading


def load_ranges(name_or_path, scenario, option: str | None = None, relative_to: Path | None = None) -> Ranges:
    """Read and validate a ranges file against the scenario whose run it judges: a path relative to
    ``relative_to`` (default the current folder); a file that is not there is named by the ``option``
    that gave it (as ``--ranges``), if any."""
    path = ranges_file(name_or_path, relative_to, option, (option or "").lstrip("-"))
    try:
        ranges = Ranges.model_validate(read_yaml(path, "ranges"))
    except ValidationError as exc:
        raise from_pydantic(path, exc, Ranges) from None
    problems, f = [], str(path)
    stages, groups = ", ".join(scenario.stages), ", ".join(scenario.groups)
    for section, names in (("entry_age.stages", ranges.entry_age.stages), ("mean_entry_age", ranges.mean_entry_age),
                           ("selection_age.stages", ranges.selection_age.stages),
                           ("closing_pools", ranges.closing_pools)):
        problems += [Problem(f, f"{section}.{s}", f"a stage of {scenario.name} ({stages})", s)
                     for s in names if s not in scenario.stages]
    timed = ranges.minimum_time.routes if ranges.minimum_time else {}
    problems += [Problem(f, f"minimum_time.routes.{name}.{end}", f"a stage of {scenario.name} ({stages})", stage)
                 for name, route in timed.items() for end, stage in (("start", route.start), ("end", route.end))
                 if stage not in scenario.stages]
    problems += [Problem(f, f"minimum_time.routes.{name}.end", f"a stage people reach from {route.start} (by the "
                                                               f"pathways' transitions or an in-service route)",
                         route.end)
                 for name, route in timed.items() if route.start in scenario.stages and route.end in scenario.stages
                 and not _reached(scenario, route.start, route.end)]
    routes = [s for s, intake in scenario.spec.intake.items() if intake.from_stage is not None]
    problems += [Problem(f, f"selection_age.stages.{s}", f"an in-service intake stage of {scenario.name} (one with "
                                                         f"from_stage: {', '.join(routes) or 'none'}), the only "
                                                         "stages people are selected for", s)
                 for s in ranges.selection_age.stages if s in scenario.stages and s not in routes]
    back = ranges.coming_back
    for section, names in (("retirement_age.groups", ranges.retirement_age.groups), ("stocks.groups",
                           ranges.stocks.groups), ("fte_per_head", ranges.fte_per_head),
                           ("mean_age_in_post", ranges.mean_age_in_post),
                           ("coming_back.all", back.all if back else {}),
                           ("coming_back.aged_55_59", back.aged_55_59 if back else {})):
        problems += [Problem(f, f"{section}.{g}", f"a group of {scenario.name} ({groups})", g)
                     for g in names if g not in scenario.groups]
    problems += _never_covered(ranges, scenario, path, f)
    if ranges.history is not None:
        from . import calibration
        from .layering import calibration_file

        try:
            history_file = calibration_file(ranges.history.file, path.parent, f, "history.file",
                                            f"an existing history-targets file or a shipped one's name "
                                            f"({calibration.DEFAULT_CONFIG.stem})")
        except InputError as exc:
            problems += exc.problems
        else:
            found = calibration.not_history(read_yaml(history_file))
            if found is not None:  # named by this file's key, not as the wrong file's every mismatch
                raise InputError(problems + [Problem(f, "history.file", calibration.HISTORY_FILE,
                                                     f"{found}: {ranges.history.file}")])
            targets = calibration.load(history_file)[0].targets
            problems += [Problem(f, f"history.unmet.{t}", f"a target of {history_file.name} ({', '.join(targets)})", t)
                         for t in ranges.history.unmet if t not in targets]
    if problems:
        raise InputError(problems)
    ranges.file = f
    return ranges


def _never_covered(ranges: Ranges, scenario, path: Path, f: str) -> list[Problem]:
    """A retirement period wholly outside the scenario's period, or a route longer than it: given for this
    scenario, its checks could never be judged, whatever ``--until``. The scenario's own file is spared:
    it is shared with the scenarios that extend it (the 2015-2021 history is judged by the projection's),
    whose periods it was written for, and such a check is then shown as not judged, saying why."""
    if scenario.spec.plausibility is not None and ranges_file(scenario.spec.plausibility,
                                                              _named_in(scenario)).resolve() == path.resolve():
        return []
    problems, spec, months = [], scenario.spec, scenario.end - scenario.start
    back, timed = ranges.coming_back, ranges.minimum_time
    if back is not None:
        first, last = (calendar.parse(m) for m in back.period)
        if last < scenario.start or first > scenario.end:
            problems.append(Problem(f, "coming_back.period", f"a period overlapping scenario {spec.name}'s "
                                                             f"({spec.start} to {spec.end}): only its runs' retirees "
                                                             "are judged", f"{back.period[0]} to {back.period[1]}"))
    problems += [Problem(f, f"minimum_time.routes.{name}.years", f"at most scenario {spec.name}'s {months / 12:g} "
                                                                 f"years ({spec.start} to {spec.end}), for a starter "
                                                                 "to finish within them", route.years)
                 for name, route in (timed.routes.items() if timed else ()) if calendar.months(route.years) > months]
    return problems


def _reached(scenario, start: str, end: str) -> bool:
    """Whether people entering ``start`` can go on to ``end``: else nobody finishes the route, and its share
    of 0 would be a failure of the model, not of the file."""
    import networkx as nx

    graph = nx.DiGraph(scenario.graph)
    graph.add_edges_from((intake.from_stage, stage) for stage, intake in scenario.spec.intake.items()
                         if intake.from_stage is not None)
    return start != end and nx.has_path(graph, start, end)


def scenario_ranges(scenario, ranges=None, option: str | None = None) -> Ranges:
    """The ranges given (a ``Ranges``, a name or a path, by the command line's ``option`` if
    given), else the ones the scenario names."""
    if isinstance(ranges, Ranges):
        return ranges
    name = ranges if ranges is not None else scenario.spec.plausibility
    if name is None:
        raise InputError.one(scenario.file, "plausibility", "a plausibility ranges file named by the scenario "
                                                            "(plausibility: <name>) or given (--ranges FILE)")
    if ranges is not None:  # given: a path from where it was given
        return load_ranges(name, scenario, option)
    return load_ranges(name, scenario, relative_to=_named_in(scenario))


def _named_in(scenario) -> Path:
    """The folder of the scenario file that names its plausibility ranges (a layer it extends, maybe)."""
    return scenario.ranges_folder or Path(scenario.file).parent


def check_replications(scenario, end: int, replications: int) -> None:
    """Refuse, before any run, more replications than fit pooled in the memory available.

    The checks judge the replications as one population (a pooled median, a share of the pooled
    starters), so each run's events are kept until the last has run, compactly (``Run.of``: about
    26 bytes an event, the model let go), and memory grows with the replications: a number beyond
    what fits would run for a while, then exhaust the machine. Estimated from ``sim.footprint``'s
    people of a run at ``BYTES_PER_POOLED_PERSON``, with one run's model in memory besides: a
    replication of the Welsh scenario's twenty years takes about 20 MB, so a few hundred fit in a
    laptop's memory. One run alone is the model's to refuse (``sim.footprint.check``)."""
    free = footprint.available()
    people = footprint.people(scenario, end)
    each = people * BYTES_PER_POOLED_PERSON
    if replications <= 1 or free is None:
        return
    room = free - people * footprint.BYTES_PER_PERSON  # the run in progress
    if replications * each <= room:
        return
    raise InputError.one("--replications", "replications",
                         f"at most {max(room // each, 1):,} replications, as many as fit pooled in this machine's "
                         f"memory (about {people:,} people a run to {end // 12} x {BYTES_PER_POOLED_PERSON} bytes = "
                         f"{each / 1e6:,.0f} MB a replication, with {free / 1e9:,.1f} GB available)", replications)


# ---- what the checks read ----------------------------------------------------------------------------
CHECKED = "sim.plausibility.check"
RESULTS = "a run's Results, replications of one scenario (a list of Results, each once) or a plausibility.Run"


def _same_run(r, first: tuple, seeds: set) -> None:
    """Refuse a replication ``r`` of another scenario, overrides or end than the ``first`` pooled, or of a seed
    pooled already (``seeds``, to which its seed is added)."""
    scenario, end = first[0], first[1]
    if (r.scenario.name, r.scenario.file, r.scenario.overrides, r.model.end) != (
            scenario.name, scenario.file, scenario.overrides, end):
        raise InputError.one(CHECKED, "results", f"replications of one scenario, with the same overrides, to the "
                                                 f"same end (the first's: {scenario.name} to {calendar.label(end)})",
                             f"{r.scenario.name} to {calendar.label(r.model.end)}")
    if r.seed in seeds:
        raise InputError.one(CHECKED, "results", "each replication once (a run given twice counts its people twice)",
                             f"seed {r.seed} twice")
    seeds.add(r.seed)


@dataclass
class Run:
    """One or more runs of a scenario, pooled: events with each person's age, and the tidy table.

    ``events``: person, month (integer), src and dst (stage codes, -1 outside), reason, age (years), sex.
    Persons of different replications are told apart (``person`` is unique over the pool).
    ``tidy``: the yearly tidy table summed over replications (ratios of sums are pooled figures).
    ``seed``: the first replication's (the history's runs start from it).
    """

    scenario: object
    events: pd.DataFrame
    tidy: pd.DataFrame
    end: int
    runs: int = 1
    seed: int = 0
    _spells: pd.DataFrame | None = field(default=None, repr=False)

    @classmethod
    def of(cls, results) -> "Run":
        """Pool a ``Results`` or replications of one scenario (a list, or any iterable of them). Of each
        only its event log and tidy table are kept, read as the run comes: given a generator, one model is
        held at a time, not every replication's (people, event arrays, random streams).

        Anything else is refused (it failed inside the pooling), and so are replications of other scenarios,
        overrides or ends than the first's, and one given twice: they were pooled in silence, checked as the
        first's scenario to its end, a run given twice counting each person twice."""
        if not hasattr(results, "model") and (isinstance(results, (str, bytes, Path, pd.DataFrame, dict))
                                              or not hasattr(results, "__iter__")):
            raise InputError.one(CHECKED, "results", RESULTS, type(results).__name__)
        frames, tidy, offset, first, seeds = [], None, 0, None, set()
        for r in [results] if hasattr(results, "model") else results:
            if not (hasattr(r, "model") and callable(getattr(r, "tidy", None))):
                raise InputError.one(CHECKED, "results", RESULTS, f"a {type(r).__name__} among them")
            first = (r.scenario, r.model.end, r.seed) if first is None else first
            _same_run(r, first, seeds)
            frames.append(_events_of(r, offset))
            offset += len(r.model.people)
            tidy = _summed(r.tidy() if tidy is None else pd.concat([tidy, r.tidy()]))
        if first is None:
            raise InputError.one(CHECKED, "results", RESULTS, "no runs")
        reasons = pd.api.types.union_categoricals([f.reason.array for f in frames])  # each run names its own
        events = pd.concat([f.drop(columns="reason") for f in frames], ignore_index=True)
        events.insert(4, "reason", reasons)
        scenario, end, seed = first
        return cls(scenario, events, tidy, end, len(frames), seed)

    @classmethod
    def from_tables(cls, scenario, events: pd.DataFrame, people: pd.DataFrame, tidy: pd.DataFrame,
                    end: int | str) -> "Run":
        """A run from its tables (``Results.events()``, ``people()`` and ``tidy()``, or files written by
        ``workforce run``): events name stages and give months as ``YYYY-MM`` labels or integers."""
        month = events.month.to_numpy()
        if month.dtype == object or pd.api.types.is_string_dtype(month.dtype):
            labels = pd.unique(month)
            month = pd.Series(month).map(dict(zip(labels, (calendar.parse(m) for m in labels)))).to_numpy()
        code = {name: i for i, name in enumerate(scenario.stages)} | {"outside": -1}
        who = people.set_index("id").reindex(events.person_id)
        month = month.astype(np.int64)
        frame = _event_table(events.person_id.to_numpy(np.int64), month,
                             events.from_stage.map(code).to_numpy(np.int64), events.to_stage.map(code).to_numpy(np.int64),
                             pd.Categorical(events.reason.to_numpy(object)), (month - who.birth_month.to_numpy()) / 12.0,
                             who.sex.to_numpy(np.int64))
        end = calendar.parse(end) if isinstance(end, str) else int(end)
        return cls(scenario, frame, tidy, end)

    @property
    def spells(self) -> pd.DataFrame:
        """A row per stay in a stage: person, stage, start and end month (the run's end if still there), the
        reasons it began and ended (None if still there), the ages then, and the person's sex. The events are in
        the order they happened, so a person's next event ends their stay."""
        if self._spells is None:  # built column by column, not from a sorted copy of the pooled events
            ev = self.events
            order = np.argsort(ev.person.to_numpy(), kind="stable")
            person, month = ev.person.to_numpy()[order], ev.month.to_numpy()[order]
            reason = ev.reason.array
            code = reason.codes[order]
            nxt = np.append(person[1:] == person[:-1], False)  # the next event is the same person's
            stay = ev.dst.to_numpy()[order] >= 0
            end = np.where(nxt, np.append(month[1:], 0), self.end).astype(month.dtype)[stay]
            ended = np.where(nxt, np.append(code[1:], -1), -1)[stay]
            del person, nxt
            kept, month, code = order[stay], month[stay], code[stay]
            del order, stay
            age = ev.age.to_numpy()[kept]
            self._spells = pd.DataFrame({
                "person": ev.person.to_numpy()[kept], "stage": ev.dst.to_numpy()[kept], "start": month, "end": end,
                "entry": pd.Categorical.from_codes(code, categories=reason.categories),
                "exit": pd.Categorical.from_codes(ended, categories=reason.categories),
                "age_in": age, "age_out": age + (end - month) / 12.0, "sex": ev.sex.to_numpy()[kept]})
        return self._spells


def _event_table(person, month, src, dst, reason: pd.Categorical, age, sex) -> pd.DataFrame:
    """The event log's columns in the smallest types that hold them (months, stage codes, a reason of a few
    dozen, a sex): replications are pooled in memory, at about 26 bytes an event rather than 72."""
    return pd.DataFrame({"person": person.astype(np.int64), "month": month.astype(np.int32),
                         "src": src.astype(np.int16), "dst": dst.astype(np.int16), "reason": reason,
                         "age": age.astype(np.float64), "sex": sex.astype(np.int8)})


def _events_of(results, offset: int) -> pd.DataFrame:
    """A run's event log with ages, from its arrays (cheaper than its readable table)."""
    ids, months, src, dst, reason = results.model.events.arrays()
    p = results.model.people
    names = list(results.model.events.reasons or [""])
    return _event_table(ids + offset, months, src, dst, pd.Categorical.from_codes(reason.astype(np.int64), names),
                        (months - p.birth_month[ids]) / 12.0, p.sex[ids])


def _summed(tidy: pd.DataFrame) -> pd.DataFrame:
    """Tidy tables' rows summed by year, group, stage, measure, reason and unit: pooled over replications."""
    return tidy.groupby(["year", "group", "stage", "measure", "reason", "unit"], as_index=False)["value"].sum()


# ---- rows --------------------------------------------------------------------------------------------
def _row(check: str, subject: str, figure, allowed: Range | None, unit: str, n: int, min_count: int,
         low=None, high=None, source: str | None = None, within_se: float = np.nan) -> tuple:
    """One row: the figure judged against [low, high] (the allowed range's ends, unless given);
    ``within_se``: how many standard errors of a published share the range spans, for a share judged
    against the noise of the people it rests on (NaN for a range given outright)."""
    low = allowed.low if low is None and allowed is not None else low
    high = allowed.high if high is None and allowed is not None else high
    source = source if source is not None else allowed.source
    figure = float(figure) if figure is not None else float("nan")
    if n < min_count or np.isnan(figure):
        result = SKIP
    else:
        result = PASS if (low is None or figure >= low - 1e-9) and (high is None or figure <= high + 1e-9) else FAIL
    return (check, subject, figure, low, high, unit, int(n), source, result, float(within_se))


NOT_COVERED = "not judged, needs "  # a skipped row's source, for a check needing months the run lacks
UNMET = "not judged, declared unmet"  # a skipped history target's


def _judged(row: tuple, run: "Run", lacking: str | None) -> tuple:
    """``row`` (``_row``'s), or, if the run does not cover the months the check needs (``lacking``: what they
    are), the row shown as not judged for that reason: else it would pass for one with too few people."""
    if lacking is None:
        return row
    why = f"{NOT_COVERED}{lacking}, the run being {calendar.label(run.scenario.start)} to {calendar.label(run.end)}"
    return (*row[:7], f"{why}; {row[7]}", SKIP, *row[9:])


def _table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _max_age(s, stage: int) -> float:
    return s.max_age_months[s.stage_group[stage]] / 12.0


# ---- the checks --------------------------------------------------------------------------------------
def entry_ages(run: Run, ranges: Ranges) -> pd.DataFrame:
    """Youngest age at entry to each stage (entries during the run), and oldest age anyone reaches in it
    (at leaving it, or at the end), against the stage's minimum and the group's maximum age."""
    s, spells, rows = run.scenario, run.spells, []
    entered = spells[~spells.entry.isin(NOT_ENTRIES)]
    youngest = entered.groupby("stage").age_in.agg(["min", "max", "size"])
    oldest = spells.groupby("stage").age_out.agg(["max", "size"])
    for code, stage in enumerate(s.stages):
        allowed = ranges.entry_age.stages.get(stage, ranges.entry_age.default)
        if code in youngest.index:
            y = youngest.loc[code]
            rows.append(_row("youngest at entry", stage, y["min"], allowed, "years", y["size"], 1, high=np.inf))
            if allowed.high is not None:
                rows.append(_row("oldest at entry", stage, y["max"], allowed, "years", y["size"], 1, low=-np.inf))
        if code in oldest.index:
            limit = _max_age(s, code)
            group = s.groups[s.stage_group[code]]
            rows.append(_row("oldest in stage", stage, oldest.loc[code, "max"], None, "years", oldest.loc[code, "size"],
                             1, low=-np.inf, high=limit,
                             source=f"scenario: groups.{group}.retirement.max_age ({limit:g}): nobody in training, "
                                    f"in post or returned past it"))
    return _table(rows)


def mean_entry_ages(run: Run, ranges: Ranges) -> pd.DataFrame:
    """The mean age at entry (entries during the run) to each stage the ranges give one for."""
    s, rows = run.scenario, []
    entered = run.spells[~run.spells.entry.isin(NOT_ENTRIES)].groupby("stage").age_in.agg(["mean", "size"])
    for stage, allowed in ranges.mean_entry_age.items():
        code = s.stage_code(stage)
        mean, n = entered.loc[code] if code in entered.index else (np.nan, 0)
        rows.append(_row("mean age at entry", stage, mean, allowed, "years", n, ranges.min_count))
    return _table(rows)


def selection_ages(run: Run, ranges: Ranges) -> pd.DataFrame:
    """Youngest and oldest age at selection for each in-service route (an intake ``from_stage``)."""
    s, rows = run.scenario, []
    ev = run.events[run.events.reason == SELECTED]
    ages = ev.groupby("dst").age.agg(["min", "max", "size"])
    for stage, intake in s.spec.intake.items():
        if intake.from_stage is None:
            continue
        code = s.stage_code(stage)
        allowed = ranges.selection_age.stages.get(stage, ranges.selection_age.default)
        a = ages.loc[code] if code in ages.index else pd.Series({"min": np.nan, "max": np.nan, "size": 0})
        rows.append(_row("youngest at selection", stage, a["min"], allowed, "years", a["size"], 1, high=np.inf))
        rows.append(_row("oldest at selection", stage, a["max"], allowed, "years", a["size"], 1, low=-np.inf))
    return _table(rows)


def retirement_ages(run: Run, ranges: Ranges) -> pd.DataFrame:
    """Each group's mean and median age at retirement, and the share retiring within ``near_max_years``
    of the group's maximum age (a pile-up there means the maximum, a backstop, does the retiring); and the
    youngest age, when MHO status closed, of those retiring under it (a holder must have been in post)."""
    s, r, rows = run.scenario, ranges.retirement_age, []
    ev = run.events[run.events.reason.isin(RETIREMENTS) & (run.events.src >= 0)]
    group = s.stage_group[ev.src.to_numpy()]
    near = ev.age.to_numpy() >= s.max_age_months[group] / 12.0 - r.near_max_years
    table = pd.DataFrame({"group": group, "age": ev.age.to_numpy(), "near": near})
    stats = table.groupby("group").agg(mean=("age", "mean"), median=("age", "median"), near=("near", "mean"),
                                       n=("age", "size"))
    for code, g in enumerate(s.groups):
        own = r.groups.get(g, GroupRetirement())
        st = stats.loc[code] if code in stats.index else pd.Series({"mean": np.nan, "median": np.nan,
                                                                     "near": np.nan, "n": 0})
        rows.append(_row("mean retirement age", g, st["mean"], own.mean or r.mean, "years", st["n"], ranges.min_count))
        rows.append(_row("median retirement age", g, st["median"], own.median or r.median, "years", st["n"],
                         ranges.min_count))
        rows.append(_row(f"retiring within {r.near_max_years:g} yr of max age", g, st["near"], r.pile_up, "share",
                         st["n"], ranges.min_count))
        if own.at_55 is not None:  # early retirement under MHO status, while it lasts
            mho = (group == code) & (ev.month.to_numpy() <= s.mho_end)
            rows.append(_row("retiring at 55 while MHO status lasts", g,
                             (ev.age.to_numpy()[mho] < 56).mean() if mho.any() else np.nan, own.at_55, "share",
                             int(mho.sum()), ranges.min_count))
        closed = own.mho_closed or r.mho_closed
        holders = (group == code) & (ev.reason.to_numpy() == "retired_mho")
        if closed is not None and holders.any():  # no younger when the status closed than its staff could be in post
            then = ev.age.to_numpy()[holders] - (ev.month.to_numpy()[holders] - s.mho_closed) / 12.0
            rows.append(_row("youngest, when MHO status closed, of those retiring under it", g,
                             then.min(), closed, "years", len(then), 1, high=np.inf))
    return _table(rows)


def retirement_wave(run: Run, ranges: Ranges) -> pd.DataFrame:
    """Each group's retirements from its starting stock in the run's first year over their mean in
    the next four, each per head of the stock still in post at the year's start: a starting stock
    holding more people past their pension ages than the retirement rates leave opens the run with a
    wave of retirements. Of the starting stock alone, so that a group growing with young recruits
    does not look as if its first year retired too many. Judged on the first year's retirements
    (``min_count``)."""
    s, allowed, rows = run.scenario, ranges.retirement_age.wave, []
    if allowed is None:
        return _table(rows)
    ev, spells = run.events, run.spells
    stock = np.unique(ev.person.to_numpy()[(ev.reason == STOCK).to_numpy()])  # not its returners: they do not retire
    # the stock's stays in post, not as returners (who do not retire again)
    post = spells[np.isin(spells.person.to_numpy(), stock) & s.stage_post[spells.stage.to_numpy()]
                  & (spells.entry != "returned").to_numpy()]
    group = s.stage_group[post.stage.to_numpy()]
    gone = ev[ev.reason.isin(RETIREMENTS).to_numpy() & np.isin(ev.person.to_numpy(), stock)]
    year = (gone.month.to_numpy() - s.start - 1) // 12  # the first year is the 12 months after the start
    heads, count = np.zeros((len(s.groups), 5)), np.zeros((len(s.groups), 5))
    for k in range(5):
        month = s.start + 12 * k
        heads[:, k] = np.bincount(group[_there(post, month)], minlength=len(s.groups))
        count[:, k] = np.bincount(s.stage_group[gone.src.to_numpy()[year == k]], minlength=len(s.groups))
    covered = run.end >= s.start + 60  # five whole years run
    for code, g in enumerate(s.groups):
        # per head at the year's start; none for a year the group's stock has nobody left in post
        rate = [c / h if h > 0 else np.nan for c, h in zip(count[code], heads[code])]
        later = np.mean(rate[1:]) if covered else np.nan
        ratio = rate[0] / later if later > 0 else np.nan
        row = _row("first year's retirements over the next four's", g, ratio, allowed, "ratio", count[code, 0],
                   ranges.min_count)
        rows.append(_judged(row, run, None if covered else "five years from the start"))
    return _table(rows)


def coming_back(run: Run, ranges: Ranges) -> pd.DataFrame:
    """The share of the period's retirees (each group's, and those aged 55 to 59) back within 12
    months: a returner's ``returned`` event within a year of their retiring."""
    r, rows = ranges.coming_back, []
    if r is None:
        return _table(rows)
    first, last = (calendar.parse(m) for m in r.period)
    ev, s = run.events, run.scenario
    covered = first >= s.start and last + 12 <= run.end
    retired = ev[ev.reason.isin(RETIREMENTS) & (ev.src >= 0) & (ev.month >= first) & (ev.month <= last)]
    came = ev[ev.reason == "returned"].groupby("person").month.min()
    back_at = came.reindex(retired.person).to_numpy()
    back = (back_at - retired.month.to_numpy()) <= 12  # NaN (never back) compares False
    table = pd.DataFrame({"group": np.array(s.groups)[s.stage_group[retired.src.to_numpy()]], "back": back,
                          "young": (retired.age.to_numpy() >= 55) & (retired.age.to_numpy() < 60)})
    for who, among, published in (("retirees", True, r.all), ("retirees aged 55-59", table.young, r.aged_55_59)):
        for g, p in published.items():
            own = table[(table.group == g) & among]
            n = len(own) if covered else 0
            spread = r.within_se * np.sqrt(p.share * (1 - p.share) / max(n, 1))
            row = _row(f"{who} back within 12 months", g, own.back.mean() if n else np.nan, None, "share", n,
                       ranges.min_count, max(p.share - spread, 0.0), min(p.share + spread, 1.0), p.source, r.within_se)
            rows.append(_judged(row, run, None if covered else f"{r.period[0]} to {r.period[1]} (coming_back.period) "
                                                               "and 12 months after"))
    return _table(rows)


def returners_at_start(run: Run, ranges: Ranges) -> pd.DataFrame:
    """Each group's returners (back in post after retiring) at the start over their mean at the next four
    starting months (``coming_back.at_start``): a starting stock with none, or with many more than the run
    keeps, builds them up or runs them down whatever the scenario says. Judged on the four years' mean."""
    r, rows = ranges.coming_back, []
    if r is None or r.at_start is None:
        return _table(rows)
    s, spells = run.scenario, run.spells
    back = spells[spells.entry.isin([STOCK_RETURNED, "returned"]).to_numpy()]
    group = s.stage_group[back.stage.to_numpy()]
    heads = np.stack([np.bincount(group[_there(back, s.start + 12 * k)], minlength=len(s.groups)) for k in range(5)],
                     axis=1) / run.runs
    covered = run.end >= s.start + 48
    for code, g in enumerate(s.groups):
        later = heads[code, 1:].mean()
        row = _row("returners at the start over the next four years'", g, heads[code, 0] / later if later > 0 else
                   np.nan, r.at_start, "ratio", int(round(later)), ranges.min_count)
        rows.append(_judged(row, run, None if covered else "four years from the start"))
    return _table(rows)


def minimum_time(run: Run, ranges: Ranges) -> pd.DataFrame:
    """The share of each route's starters who finish it in the minimum time: their first entry to its
    end stage within its years of their first entry to its start stage (LTFT training, extra time and
    leaving all make it later or never)."""
    r, rows = ranges.minimum_time, []
    if r is None:
        return _table(rows)
    ev, s = run.events, run.scenario
    entered = ev[(ev.dst >= 0) & ~ev.reason.isin(NOT_ENTRIES)]
    for name, route in r.routes.items():
        months = calendar.months(route.years)
        first = entered[entered.dst == s.stage_code(route.start)].groupby("person").month.min()
        first = first[(first >= s.start) & (first <= run.end - months)]
        reached = entered[entered.dst == s.stage_code(route.end)].groupby("person").month.min().reindex(first.index)
        finished = (reached.to_numpy() - first.to_numpy()) <= months  # NaN (never reached) compares False
        n = len(first)
        spread = r.within_se * np.sqrt(route.share * (1 - route.share) / max(n, 1))
        row = _row("starters finishing in the minimum time", name, finished.mean() if n else np.nan, None, "share", n,
                   ranges.min_count, max(route.share - spread, 0.0), min(route.share + spread, 1.0), route.source,
                   r.within_se)
        too_short = run.end - months < s.start  # no starter has the years to finish
        rows.append(_judged(row, run, f"the route's {route.years:g} years from the start" if too_short else None))
    return _table(rows)


def inflows(run: Run, ranges: Ranges) -> pd.DataFrame:
    """People entering each stage that had people at the start (by intake, progression, selection or
    joining): a stage nobody enters drains, unless the ranges declare it a closing pool."""
    s, spells, rows = run.scenario, run.spells, []
    stocked = spells[spells.entry.isin(STOCK_REASONS)].groupby("stage").size()
    entered = spells[~spells.entry.isin(NOT_ENTRIES)].groupby("stage").size()
    for code in stocked.index:
        stage = s.stages[code]
        n = int(entered.get(code, 0))
        if stage in ranges.closing_pools:
            rows.append(_row("entrants over the run", stage, n, None, "people", int(stocked[code]), 1, low=-np.inf,
                             high=np.inf, source=f"closing pool: {ranges.closing_pools[stage]}"))
        else:
            rows.append(_row("entrants over the run", stage, n, None, "people", int(stocked[code]), 1, low=1,
                             high=np.inf, source="a stage with people at the start is fed (or declared a closing pool "
                                                 "in the ranges file)"))
    return _table(rows)


def steady_state(run: Run, ranges: Ranges) -> pd.DataFrame:
    """Each group's in-post headcount at the end on the start, relative to its funded establishment's
    own change: with the scenario as it is (its places, rates and establishment), staff in post
    should keep pace with the posts funded, within the band."""
    s, t, rows = run.scenario, run.tidy, []
    first, last = t.year.min(), t.year.max()
    post = set(np.array(s.stages)[s.stage_post])
    heads = t[(t.measure == "stage_headcount") & t.stage.isin(post)].groupby(["group", "year"]).value.sum()
    est = t[(t.measure == "establishment_fte") & (t.stage == "all")].set_index(["group", "year"]).value
    for g in s.groups:
        start, end = heads.get((g, first), 0.0), heads.get((g, last), 0.0)
        base = est.get((g, first), 0.0)
        growth = est.get((g, last), 0.0) / base if base > 0 else 1.0  # the establishment's own change
        figure = end / start / growth - 1.0 if start > 0 else np.nan
        rows.append(_row("in-post headcount change vs establishment", g, figure, ranges.stocks.groups.get(
            g, ranges.stocks.change), "share", start / run.runs, ranges.min_count))
    return _table(rows)


def time_in_stage(run: Run, ranges: Ranges) -> pd.DataFrame:
    """Median time from entry to the end of each timed stage, for those who complete it (progress, or
    leave by a pathway exit at its end), on time and later, against the pathway's duration (later: the
    duration over the stage's LTFT fraction range, and its extra time's range added); and the share
    completing it later against the pathway's LTFT share for their sexes and its share taking extra
    time. The event log does not record the route: a stay longer than the full-time duration was less
    than full time or took extra time (nothing else lengthens a stage). Of those who entered early
    enough to finish by the run's end at the slowest (the duration over the lowest LTFT fraction, and
    the most extra time): a later entrant is seen finishing only if quick, which in a short run (the
    six years of a history) hides those who take longer."""
    s, tr, rows = run.scenario, ranges.time_in_stage, []
    sp = run.spells
    slowest = s.slowest_months()
    done = sp[~sp.entry.isin(NOT_ENTRIES) & sp.exit.notna()
              & (sp.start.to_numpy() <= run.end - slowest[sp.stage.to_numpy()])]
    done = done[done.exit.isin([COMPLETED, *(r for r in done.exit.cat.categories if r.startswith("exit:"))])]
    months = done.end.to_numpy() - done.start.to_numpy()
    stage = done.stage.to_numpy()
    on_time = 1.0 - s.stage_ltft_share[stage, done.sex.to_numpy()]  # the LTFT share for their sex
    done = done.assign(months=months, later=months > s.stage_months[stage],
                       expected=1.0 - on_time * (1.0 - s.stage_extra_share[stage]))
    stats = done.groupby(["stage", "later"]).months.agg(["median", "size"])
    expected = done.groupby("stage").expected.mean()
    for code, stage in enumerate(s.stages):
        duration = int(s.stage_months[code])
        if duration == 0:  # a final stage
            continue
        too_short = run.end - slowest[code] < s.start  # no entrant has time to finish at the slowest
        lacking = f"{slowest[code] / 12:.3g} years to finish at the slowest" if too_short else None
        ft = stats.loc[(code, False)] if (code, False) in stats.index else pd.Series({"median": np.nan, "size": 0})
        lt = stats.loc[(code, True)] if (code, True) in stats.index else pd.Series({"median": np.nan, "size": 0})
        rows.append(_judged(_row("median years in stage, full time", stage, ft["median"] / 12.0, tr.route, "years",
                                 ft["size"], ranges.min_count, low=_times(duration / 12.0, tr.route.low),
                                 high=_times(duration / 12.0, tr.route.high),
                                 source=f"pathway: duration_years {duration / 12.0:g}; tolerance {tr.route.source}"),
                            run, lacking))
        ltft, extra = bool((s.stage_ltft_share[code] > 0).any()), bool(s.stage_extra_share[code] > 0)
        if not (ltft or extra):
            continue
        f_low, f_high = s.stage_ltft_range[code] if ltft else (1.0, 1.0)
        x_low, x_high = s.stage_extra_months[code]
        what = " or ".join(name for name, has in (("LTFT", ltft), ("extra time", extra)) if has)
        how = "; ".join(part for part, has in (
            (f"LTFT fraction {f_low:g}-{f_high:g}", ltft),
            (f"extra time {x_low / 12.0:g}-{x_high / 12.0:g} years for {s.stage_extra_share[code]:.0%}", extra))
            if has)
        low = min(([duration / f_high] if ltft else []) + ([duration + x_low] if extra else []))
        rows.append(_judged(_row(f"median years in stage, {what}", stage, lt["median"] / 12.0, tr.route, "years",
                                 lt["size"], ranges.min_count, low=_times(low / 12.0, tr.route.low),
                                 high=_times((duration / f_low + x_high) / 12.0, tr.route.high),
                                 source=f"pathway: duration_years {duration / 12.0:g}, {how}; tolerance "
                                        f"{tr.route.source}"), run, lacking))
        share, total = expected.get(code, np.nan), ft["size"] + lt["size"]
        rows.append(_judged(_row(f"{what} share of completers", stage, lt["size"] / total if total else np.nan,
                                 tr.ltft_share, "share", total, ranges.min_count, low=_times(share, tr.ltft_share.low),
                                 high=_times(share, tr.ltft_share.high), source=f"pathway: {what} share, {share:.3g} for "
                                                                         f"these completers; {tr.ltft_share.source}"),
                            run, lacking))
    return _table(rows)


def _times(figure: float, multiple: float | None) -> float | None:
    """A pathway's figure times an end of a range of multiples of it: None (that end open) for an open end."""
    return None if multiple is None else figure * multiple


def fte_per_head(run: Run, ranges: Ranges) -> pd.DataFrame:
    """FTE per head of each group with a published figure, at the start and at the end."""
    t, rows = run.tidy, []
    group_rows = t[t.stage == "all"].set_index(["group", "measure", "year"]).value
    for g, allowed in ranges.fte_per_head.items():
        for when, year in (("start", t.year.min()), ("end", t.year.max())):
            heads = group_rows.get((g, "headcount", year), 0.0)
            fte = group_rows.get((g, "fte", year), 0.0)
            rows.append(_row(f"FTE per head at the {when}", g, fte / heads if heads else np.nan, allowed, "fte/head",
                             heads / run.runs, ranges.min_count))
    return _table(rows)


def _there(spells: pd.DataFrame, month: int) -> np.ndarray:
    """Which of ``spells`` (``Run.spells``) hold their person in their stage in ``month``: begun by
    then, and ended after it or not at all (those who left in the month are gone)."""
    return (spells.start.to_numpy() <= month) & ((spells.end.to_numpy() > month) | spells.exit.isna().to_numpy())


def mean_age_in_post(run: Run, ranges: Ranges) -> pd.DataFrame:
    """The mean age of each group's staff in post (returners included) at the start and at the end,
    for the groups the ranges give one for: an age profile that drifts with nothing changed says the
    ages of joiners and leavers disagree with the starting stock's."""
    s, spells, rows = run.scenario, run.spells, []
    post = spells[s.stage_post[spells.stage.to_numpy()]]
    group = s.stage_group[post.stage.to_numpy()]
    for when, month in (("start", s.start), ("end", run.end)):
        there = _there(post, month)
        age = post.age_in.to_numpy() + (month - post.start.to_numpy()) / 12.0
        for g, allowed in ranges.mean_age_in_post.items():
            mine = there & (group == s.groups.index(g))
            rows.append(_row(f"mean age in post at the {when}", g, age[mine].mean() if mine.any() else np.nan,
                             allowed, "years", mine.sum() / run.runs, ranges.min_count))
    return _table(rows)


def history(ranges: Ranges, seeds) -> pd.DataFrame:
    """Each target of the named history (``sim.calibration``) in runs of its history scenario: the
    mean over ``seeds`` within ``within_sd`` of its sds of the target, and, for a change, in the
    target's direction."""
    from . import calibration
    from .layering import calibration_file
    from .results import run

    if ranges.history is None:
        return _table([])
    h = ranges.history
    spec, scenario_path = calibration.load(calibration_file(h.file, Path(ranges.file).parent))
    # each run with its own draw from the calibration's posterior: the posterior predictive, as the calibration report
    values = [calibration.statistics(run(scenario_path, seed=seed), spec.targets) for seed in seeds]
    rows = []
    for name, target in spec.targets.items():
        figure = float(np.mean([v[name] for v in values]))
        low, high = target.value - h.within_sd * target.sd, target.value + h.within_sd * target.sd
        low, high = (None if target.bound == "at_most" else low), (None if target.bound == "at_least" else high)
        direction = target.kind == "change"
        if direction:  # a change goes the target's way too
            low, high = (max(low, 0.0), high) if target.value > 0 else (low, min(high, 0.0))
        row = _row(f"history: {target.kind}", name, figure, None, "share" if target.relative or
                   not direction else target.measure, len(values), 1, low=low, high=high,
                   source=f"{target.source}; within {h.within_sd:g} sd ({target.sd:g})"
                          f"{' and its direction' if direction else ''}: {h.source}")
        if name in h.unmet:  # declared unmet, with why: shown, not judged
            row = (*row[:7], f"{UNMET}: {h.unmet[name]}", SKIP, *row[9:])
        rows.append(row)
    return _table(rows)


CHECKS = (entry_ages, mean_entry_ages, selection_ages, retirement_ages, retirement_wave, coming_back,
          returners_at_start, inflows, steady_state, time_in_stage, minimum_time, fte_per_head, mean_age_in_post)


def check(results, ranges=None, with_history: bool = True) -> pd.DataFrame:
    """The plausibility table of a run (a ``Results``, a list of replications, or a ``Run``).

    ``ranges``: a ``Ranges``, a ranges file's name or path; default the one the scenario names.
    ``with_history``: also run the history the ranges name, if any (its ``replications``, or as many as
    the runs, from the first run's seed on).
    """
    if not isinstance(with_history, (bool, np.bool_)):  # "no" is true, and would run the history
        raise InputError.one(CHECKED, "with_history", "True or False", with_history)
    run = results if isinstance(results, Run) else Run.of(results)
    ranges = scenario_ranges(run.scenario, ranges)
    tables = [c(run, ranges) for c in CHECKS]
    if with_history and ranges.history is not None:
        tables.append(history(ranges, range(run.seed, run.seed + max(run.runs, ranges.history.replications))))
    return pd.concat(tables, ignore_index=True)


def failed(table: pd.DataFrame) -> bool:
    return bool((table.result == FAIL).any())


# ---- output ------------------------------------------------------------------------------------------
def _number(x) -> str:
    if x is None or (isinstance(x, float) and (np.isnan(x) or np.isinf(x))):
        return ""
    return f"{x:.3g}" if abs(x) < 1 else f"{x:.1f}" if abs(x) < 1000 else f"{x:,.0f}"


def _range(low, high) -> str:
    low = None if low is None or np.isinf(low) or np.isnan(low) else low
    high = None if high is None or np.isinf(high) or np.isnan(high) else high
    if low is None and high is None:
        return "any"
    if low is None:
        return f"<= {_number(high)}"
    if high is None:
        return f">= {_number(low)}"
    return f"{_number(low)} to {_number(high)}"


def readable(table: pd.DataFrame, source_width: int | None = None) -> pd.DataFrame:
    """The table as text columns: check, subject, figure, range, n, result, source."""
    source = table.source if source_width is None else table.source.map(
        lambda t: t if len(t) <= source_width else t[: source_width - 3] + "...")
    return pd.DataFrame({"check": table.check, "subject": table.subject, "figure": table.figure.map(_number),
                         "range": [_range(lo, hi) for lo, hi in zip(table.low, table.high)], "n": table.n,
                         "result": table.result, "source": source})


def text(table: pd.DataFrame, source_width: int | None = 70) -> str:
    """The table for a terminal: words aligned left, numbers right."""
    shown = readable(table, source_width)
    right = {"figure", "range", "n"}
    widths = {c: max([len(c), *(len(str(v)) for v in shown[c])]) for c in shown.columns}

    def line(values) -> str:
        return "  ".join(str(v).rjust(widths[c]) if c in right else str(v).ljust(widths[c])
                         for c, v in zip(shown.columns, values)).rstrip()

    return "\n".join([line(shown.columns), *(line(row) for row in shown.itertuples(index=False))])


def summary(table: pd.DataFrame) -> str:
    """Counts of each result, the skipped by why: too few people, months the run does not cover, or a
    history target declared unmet."""
    counts = table.result.value_counts()
    skipped = table.source[table.result == SKIP].astype(str)
    short, unmet = skipped.str.startswith(NOT_COVERED).sum(), skipped.str.startswith(UNMET).sum()
    why = ", ".join(f"{k} {what}" for k, what in ((len(skipped) - short - unmet, "too few people"),
                                                  (short, "a period or span the run does not cover"),
                                                  (unmet, "a history target declared unmet")) if k)
    return (f"{counts.get(FAIL, 0)} failed, {counts.get(PASS, 0)} passed, {counts.get(SKIP, 0)} skipped"
            + (f" ({why})" if why else ""))


def by_chance(table: pd.DataFrame) -> str:
    """What to make of a failed share judged against the noise of the people it rests on: with several
    such checks, a run whose model is right fails one of them now and then, so one run's failure there
    is a reason to pool runs before it is a finding about the model. Empty if no such check failed."""
    within = table.within_se.astype(float)  # object, once tables of no rows are joined in
    noisy = table[np.isfinite(within) & (table.result != SKIP)].assign(within_se=within)
    failed = noisy[noisy.result == FAIL]
    if failed.empty:
        return ""
    each = 2 * scipy.stats.norm.sf(noisy.within_se.to_numpy())  # a right model's chance to fail each
    chance = 1 - np.prod(1 - each)
    return (f"{len(failed)} of the failures {'is a share' if len(failed) == 1 else 'are shares'} judged within "
            f"{_number(failed.within_se.max())} standard errors of the published one: of {len(noisy)} such checks, "
            f"a run of a right model fails at least one about one time in {max(round(1 / chance), 1)}: pool more runs "
            f"(--replications) before reading it as the model's.")


FILES = ("plausibility.csv", "plausibility.md")  # what ``write`` writes in its folder


def write(table: pd.DataFrame, out_dir, title: str) -> dict[str, Path]:
    """``plausibility.csv`` (the full table) and ``plausibility.md`` (a short note: the failures), together:
    never a table beside the note of a check before."""
    from .folders import write_together
    from .labels import markdown_cell

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / FILES[0], "markdown": out / FILES[1]}
    failures = readable(table[table.result == FAIL])
    lines = [f"# Is it plausible? {title}", "", f"{summary(table)}; every check is in `plausibility.csv`.", ""]
    note = by_chance(table)
    lines += [note, ""] if note else []
    if len(failures):
        lines += ["| check | subject | figure | range | n | result | source |", "|---|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(markdown_cell(v) for v in row) + " |"
                  for row in failures.itertuples(index=False)]
    else:
        lines.append("Every check judged passed.")
    write_together({paths["csv"]: lambda p: table.to_csv(p, index=False),
                    paths["markdown"]: lambda p: Path(p).write_text("\n".join(lines) + "\n", encoding="utf-8")})
    return paths
