"""Scenario files: the declared schema, loading, cross-checks and compilation to arrays.

A scenario (YAML) names its pathway files and gives, for each staff group, participation
(hours), leaving, retirement, retire-and-return, establishment and joiner parameters; the
initial stock of every stage; and the training places commissioned for intake stages.
``load`` validates everything and raises ``InputError`` naming the file, the field and
what was expected. ``Scenario`` is the validated, compiled form the model runs on.

The schema is assembled (``schema``): the sections every scenario has are declared here, and
each monthly process declares those it reads (``sim.processes.Process.sections`` and
``group_sections``), so a scenario is checked against the processes of the model that runs it.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import networkx as nx
import numpy as np
from pydantic import BaseModel, Field, ValidationError, create_model, field_validator, model_validator

from . import calendar, layering, pathways
from . import demand as demand_module
from . import feedbacks as feedback_loops
from .errors import (PLAIN_NAME_EXPECTED, InputError, Problem, covering_key, from_pydantic, is_file, is_plain_name,
                     is_whole, refuse_special, whole_number)
from .fields import (MIN_STOCK_FTE, TOTAL, AgeDistribution, Count, Description, Label, Month, NonNegative, Probability,
                     Strict, band_problem, band_table, by_sex, check_age, python_values, shares_sum_to_one)
from .people import SECTORS
from .processes import checked as checked_processes
from .processes.order import STEP_ORDER
from .sections import section_at
from .uncertain import Uncertain, mapping_at, problems as uncertain_problems, spec_value

SCENARIO_DIR = Path(__file__).parent / "data" / "scenarios"
DEFAULT = "wales-mh-2021"
TRANSITIONS = "transitions"  # the section of choice shares: dotted keys transitions.<pathway/stage>.<target>

class Establishment(Strict):
    """Funded FTE: staff in post at the start plus vacancies, given as FTE or as a vacancy rate
    (vacant share of the establishment), growing by ``growth_per_year``. ``vacancy_shares`` says
    which posts are vacant where it is published (each named post stage's share of the group's
    vacancies at the start); without it a group's posts are vacant in proportion to the staff in
    them. Joiners go where the posts are vacant (``sim.processes.joiners``), and those finishing
    training take a post only where one is vacant (``sim.processes.progression``), unless
    ``over_establishment`` says they are employed whether or not a post is funded (supply as the
    pipeline trains it, against which a negative supply gap says it outgrows the posts)."""

    vacancies_fte: NonNegative | None = None
    vacancy_rate: Annotated[float, Field(strict=True, ge=0.0, lt=1.0, allow_inf_nan=False)] | None = None
    growth_per_year: Annotated[float, Field(strict=True, ge=-0.5, le=1.0)] = 0.0
    vacancy_shares: dict[str, Probability] | None = None
    over_establishment: Annotated[bool, Field(strict=True)] = False

    @field_validator("vacancy_shares")
    @classmethod
    def _shares(cls, v):
        if v is not None:
            if not v:
                raise ValueError("shares naming at least one post stage, or no vacancy_shares")
            shares_sum_to_one(list(v.values()), "vacancy shares")
        return v

    @model_validator(mode="after")
    def _one(self):
        if (self.vacancies_fte is None) == (self.vacancy_rate is None):
            raise ValueError("vacancies_fte or vacancy_rate (one of them)")
        return self


class GroupSpec(Strict):
    label: Label
    sector: Literal["nhs", "social_care"]
    female_share: Probability
    welsh_share: Probability
    welsh_share_new: Probability
    establishment: Establishment


class StockSpec(Strict):
    headcount: Count | None = None
    fte: NonNegative | None = None
    female_share: Probability | None = None
    age: AgeDistribution

    @model_validator(mode="after")
    def _size(self):
        if self.headcount is None and self.fte is None:
            raise ValueError("headcount or fte (or both)")
        if self.headcount is not None and self.fte is not None and self.fte > self.headcount:
            raise ValueError(f"fte no greater than headcount ({self.headcount}): a person works at most 1 FTE")
        if self.headcount is not None and self.fte is not None and self.fte < self.headcount * MIN_STOCK_FTE:
            raise ValueError(f"fte of at least {MIN_STOCK_FTE} per person ({self.headcount * MIN_STOCK_FTE:g} for "
                             f"headcount {self.headcount}): nobody in post works less")
        check_age(self.age)
        return self


class ScenarioSpec(Strict):
    name: str
    description: Description = ""
    calibration: str | None = None  # a parameter file of dotted overrides (see sim.layering)
    plausibility: str | None = None  # the ranges file its runs are judged against (see sim.plausibility)
    uncertain: dict[str, Uncertain] = {}
    start: Month
    end: Month
    mho_end: Month = "2029-03"
    mho_closed: Month = "1995-03"  # MHO status only for those in post by then (P§7 "MHO status")
    age_bands: Annotated[list[Annotated[int, Field(strict=True, ge=0, le=100)]], Field(min_length=1)]
    pathways: Annotated[list[str], Field(min_length=1)]
    groups: dict[str, GroupSpec]
    stocks: dict[str, StockSpec]
    feedbacks: feedback_loops.FeedbacksSpec = feedback_loops.FeedbacksSpec()  # all off unless enabled
    # choice shares overriding pathway transitions, {pathway/stage: {target: probability}} (see
    # pathways.set_choice_shares): so that a scenario, a calibration or an experiment can set them
    transitions: dict[str, dict[str, Probability]] = {}
    demand: demand_module.DemandSpec = demand_module.DemandSpec()  # how need moves (sim.demand); none: flat

    @field_validator("name")
    @classmethod
    def _plain(cls, v):  # the name starts the default results folder's name
        if not is_plain_name(v):
            raise ValueError(PLAIN_NAME_EXPECTED)
        return v

    @field_validator("age_bands")
    @classmethod
    def _bands(cls, v):
        if v[0] != 0 or any(low >= high for low, high in zip(v, v[1:])):
            raise ValueError("strictly increasing age band lower bounds starting at 0")
        return v

    @field_validator("end")
    @classmethod
    def _after_start(cls, end, info):
        start = info.data.get("start")
        if start is not None and calendar.parse(end) <= calendar.parse(start):
            raise ValueError(f"a date after start ({start})")
        return end

    @field_validator("mho_closed")
    @classmethod
    def _before_mho_end(cls, closed, info):  # its last holders retire at 55 by mho_end: in post before it
        end = info.data.get("mho_end")
        if end is not None and calendar.parse(closed) >= calendar.parse(end):
            raise ValueError(f"a date before mho_end ({end})")
        return closed


@lru_cache(maxsize=16)
def schema(processes: tuple = STEP_ORDER) -> type[ScenarioSpec]:
    """The schema of the scenarios a model with ``processes`` runs: the sections every scenario has,
    with each process's own (``Process.sections`` at the top, ``Process.group_sections`` under
    every group; a section declared twice is refused)."""
    def sections(base: type[BaseModel], declared: list[dict]) -> dict:
        out: dict = {}
        for these in declared:
            twice = sorted((set(out) | set(base.model_fields)) & set(these))
            if twice:
                raise ValueError(f"scenario sections declared twice: {', '.join(twice)}")
            out.update(these)
        return out

    group = create_model("GroupSpec", __base__=GroupSpec,
                         **sections(GroupSpec, [p.group_sections for p in processes]))
    top = sections(ScenarioSpec, [p.sections for p in processes])
    return create_model("ScenarioSpec", __base__=ScenarioSpec, groups=(dict[str, group], ...), **top)


@dataclass
class Scenario:
    """A validated scenario, compiled to the arrays the processes use."""

    spec: ScenarioSpec
    file: Path
    graph: nx.DiGraph
    groups: list[str]
    stages: list[str]
    start: int
    end: int
    mho_end: int
    mho_closed: int
    band_edges: np.ndarray  # age band lower bounds, in months
    # the files read, {absolute path: SHA-256}: the scenario, those it extends, calibration, pathways
    inputs: dict[str, str] = field(default_factory=dict)
    # the dotted keys its calibration file sets, with their values, and that file (None: uncalibrated)
    calibrated: dict = field(default_factory=dict)
    calibration_file: Path | None = None
    overrides: dict = field(default_factory=dict)  # the caller's, as compiled
    posterior: object = None  # the calibration's posterior (sim.posterior.Posterior), if it has one
    parameter_set: int | None = None  # the posterior's set applied (None: the central one, in the file's overrides)
    need_index: np.ndarray | None = None  # need over need at the start, by month from the start and group (sim.demand)
    processes: tuple = STEP_ORDER  # the processes whose sections it was checked against (``schema``)
    ranges_folder: Path | None = None  # the folder its plausibility: file is named in (that of the layer setting it)
    # per stage
    stage_group: np.ndarray = field(init=False)
    stage_pathway: np.ndarray = field(init=False)
    pathway_names: list[str] = field(init=False)
    stage_training: np.ndarray = field(init=False)
    stage_workforce: np.ndarray = field(init=False)
    stage_months: np.ndarray = field(init=False)  # full-time duration in months, 0 if final
    stage_attrition_share: np.ndarray = field(init=False)  # share of a training stage's entrants leaving it
    stage_attrition: np.ndarray = field(init=False)  # (stage, sex): its monthly hazard (``attrition_hazards``)
    stage_ltft_share: np.ndarray = field(init=False)  # (stage, sex: female, male)
    stage_ltft_persist: np.ndarray = field(init=False)  # NaN: drawn afresh
    stage_own_establishment: np.ndarray = field(init=False)
    stage_vacancy_share: np.ndarray = field(init=False)  # of its group's vacancies at the start; NaN: pro rata
    stage_ltft_range: np.ndarray = field(init=False)
    stage_extra_share: np.ndarray = field(init=False)  # share of entrants taking extra time (sim.pathways.ExtraTime)
    stage_extra_months: np.ndarray = field(init=False)  # (stage, [low, high]): the extra time's range, months
    # per group; rates shaped (group, sex, band)
    group_sector: np.ndarray = field(init=False)
    part_time_range: np.ndarray = field(init=False)
    part_time_share: np.ndarray = field(init=False)
    leave_monthly: np.ndarray = field(init=False)
    retire_monthly: np.ndarray = field(init=False)
    # leaver hazard multipliers by (stage, sex, band), set by retention levers (sim.interventions); None: all 1
    stage_leave_factor: np.ndarray | None = field(init=False, default=None)
    feedbacks: feedback_loops.Feedbacks = field(init=False)  # supervision, workload, substitution (sim.feedbacks)
    # funded recruitment campaigns in force, {(group code, source): recruits a year}: set by recruitment
    # levers with funded posts (sim.interventions), recruited by sim.processes.joiners; none in a scenario
    campaigns: dict = field(init=False, default_factory=dict)
    # how many times levers have changed this copy: processes work their tables out again when it moves
    revision: int = field(init=False, default=0)

    def __post_init__(self):
        spec, graph = self.spec, self.graph
        code = {g: i for i, g in enumerate(self.groups)}
        self.pathway_names = list(dict.fromkeys(graph.nodes[s]["pathway"] for s in self.stages))
        nodes = [graph.nodes[s] for s in self.stages]
        self.stage_group = np.array([code[d["staff_group"]] for d in nodes], dtype=np.int16)
        self.stage_pathway = np.array([self.pathway_names.index(d["pathway"]) for d in nodes], dtype=np.int16)
        self.stage_training = np.array([d["training"] for d in nodes], dtype=bool)
        self.stage_workforce = np.array([d["workforce"] for d in nodes], dtype=bool)
        self.stage_months = np.array([calendar.months(d["duration_years"] or 0) for d in nodes], dtype=np.int32)
        self.stage_months[(self.stage_months == 0) & ~np.array([d["final"] for d in nodes])] = 1
        self.stage_attrition_share = np.array([d["attrition"] if d["training"] else 0.0 for d in nodes])
        self.stage_post = self.stage_workforce & ~self.stage_training  # posts, counted against the establishment
        # posts funded with their role: the group's establishment grows with the staff in them
        self.stage_own_establishment = self.stage_post & np.array([d["own_establishment"] for d in nodes])
        # posts those finishing training take only where one is vacant: neither funded with the role nor of a group
        # whose graduates are employed whether or not a post is funded (``establishment.over_establishment``)
        over = np.array([spec.groups[name].establishment.over_establishment for name in self.groups], dtype=bool)
        self.stage_posts_limited = self.stage_post & ~self.stage_own_establishment & ~over[self.stage_group]
        self.band_ends = np.append(self.band_edges[1:], np.iinfo(np.int32).max)  # each band's upper bound
        self._band_by_month = (np.searchsorted(self.band_edges, np.arange(121 * 12), side="right") - 1).astype(np.int8)
        self.stage_ltft_share = np.array([by_sex(d["ltft"]["share"]) if d["ltft"] else (0.0, 0.0) for d in nodes])
        self.stage_ltft_persist = np.array([d["ltft"]["persist"] if d["ltft"] and d["ltft"]["persist"] is not None
                                            else np.nan for d in nodes])
        self.stage_ltft_range = np.array([d["ltft"]["fraction"] if d["ltft"] else (1.0, 1.0) for d in nodes])
        self.stage_extra_share = np.array([d["extra_time"]["share"] if d.get("extra_time") else 0.0 for d in nodes])
        self.stage_extra_months = np.array([[12 * y for y in d["extra_time"]["years"]] if d.get("extra_time")
                                            else (0.0, 0.0) for d in nodes])
        self.stage_attrition = self.attrition_hazards()
        nb = len(self.band_edges)
        g = [spec.groups[name] for name in self.groups]
        self.group_sector = np.array([SECTORS.index(x.sector) for x in g], dtype=np.int8)
        self.part_time_range = np.array([x.participation.part_time_fte for x in g])
        self.vacancies_fte = np.array([x.establishment.vacancies_fte or 0.0 for x in g])
        self.vacancy_rate = np.array([x.establishment.vacancy_rate or 0.0 for x in g])
        self.establishment_growth = np.array([x.establishment.growth_per_year for x in g])
        # each post stage's share of its group's vacancies at the start, where published; NaN: in proportion
        # to the staff in post (the group's posts equally vacant)
        self.stage_vacancy_share = np.full(len(self.stages), np.nan)
        for x in g:
            for stage, share in (x.establishment.vacancy_shares or {}).items():
                self.stage_vacancy_share[self.stages.index(stage)] = share
        # posts funded by levers (sim.interventions.FundedPosts), by month from the start (rows) and group:
        # FTE added, and a share added, to the funded establishment
        self.posts_added_fte = np.zeros((self.end - self.start + 1, len(g)))
        self.posts_added_share = np.zeros((self.end - self.start + 1, len(g)))
        self.joiners_per_year = np.array([x.joiners.per_year if x.joiners else 0.0 for x in g])
        self.joiner_fill_per_month = np.array([x.joiners.fill_per_month if x.joiners else 0.0 for x in g])
        self.hours_change_monthly = calendar.annual_to_monthly(np.array([x.participation.change_per_year for x in g]))
        self.max_age_months = np.array([12 * x.retirement.max_age for x in g], dtype=np.int32)
        self.mho_share = np.array([x.retirement.mho_share for x in g])
        self.mho_retire_at_55 = np.array([x.retirement.mho_retire_at_55 for x in g])
        # the latest birth month that could hold MHO status: in post when it closed, and 55 before it ends
        latest, youngest = self.mho_end - 55 * 12, [x.retirement.mho_youngest_age for x in g]
        self.mho_born_by = np.array([latest if age is None else min(latest, self.mho_closed - round(12 * age))
                                     for age in youngest], dtype=np.int64)
        self.return_share = np.stack([band_table(x.retire_and_return.share, nb) for x in g])  # (group, sex, band)
        self.return_hours_cut = np.array([x.retire_and_return.hours_cut for x in g])
        self.return_stay_months = 12 * np.array([x.retire_and_return.stay_years for x in g])
        self.part_time_share = np.stack([band_table(x.participation.part_time_share, nb) for x in g])
        self.leave_monthly = calendar.annual_to_monthly(np.stack([band_table(x.leaving.rate, nb) for x in g]))
        self.retire_monthly = calendar.annual_to_monthly(np.stack([band_table(x.retirement.rate, nb) for x in g]))
        # transitions at the end of a timed stage: targets (stage code, or -1 for an exit) and reasons
        self.transition_targets, self.transition_cumulative, self.transition_reasons = [], [], []
        index = {s: i for i, s in enumerate(self.stages)}
        node = graph.nodes
        for s in self.stages:
            edges = graph.succ[s]  # {target: edge data}, in the order of graph.out_edges(s)
            self.transition_targets.append(np.array([index.get(t, -1) for t in edges], dtype=np.int16))
            self.transition_cumulative.append(np.array([d["probability"] for d in edges.values()]).cumsum())
            self.transition_reasons.append([node[t]["reason"] if node[t].get("exit") else "progressed" for t in edges])
        self.feedbacks = feedback_loops.build(spec.feedbacks, self.stages, self.groups, self.stage_group,
                                                self.stage_post)

    def copy(self) -> "Scenario":
        """A scenario of its own, for levers to change: everything copied but the pathway graph and
        the posterior, which nothing changes after compiling. Under half the cost of ``copy.deepcopy``."""
        out = copy.copy(self)
        for name, value in vars(self).items():
            if name not in ("graph", "posterior"):
                setattr(out, name, _copied(value))
        return out

    def slowest_months(self) -> np.ndarray:
        """Each stage's months at its slowest (``slowest_months``): at the lowest LTFT fraction where any
        train LTFT, with the most extra time where any take it."""
        fraction = np.where((self.stage_ltft_share > 0).any(axis=1), self.stage_ltft_range[:, 0], 1.0)
        return slowest_months(self.stage_months, fraction,
                              np.where(self.stage_extra_share > 0, self.stage_extra_months[:, 1], 0.0))

    def attrition_hazards(self) -> np.ndarray:
        """Each training stage's monthly attrition hazard by sex: the one that has its share of entrants
        leave over their expected stay, which LTFT training (duration / fraction, at the stage's LTFT
        share for the sex) and extra time lengthen, so that those who take longer do not leave more
        often than the published share. Worked out again when a lever changes what it rests on."""
        months = self.stage_months[:, None].astype(np.float64)
        low, high = self.stage_ltft_range[:, 0:1], self.stage_ltft_range[:, 1:2]
        slower = np.where(high > low, np.log(high / low) / np.where(high > low, high - low, 1.0), 1.0 / high)
        share, extra = self.stage_ltft_share, self.stage_extra_share[:, None]
        stay = months * (1.0 - share + share * slower) + extra * self.stage_extra_months.mean(axis=1, keepdims=True)
        stay = np.where((share > 0) | (extra > 0), stay, months)  # all full time: the duration
        hazard = calendar.over_months_to_monthly(self.stage_attrition_share[:, None], np.maximum(stay, 1.0))
        return np.where(self.stage_training[:, None], hazard, 0.0)

    @property
    def name(self) -> str:
        return self.spec.name

    def group_code(self, name: str) -> int:
        return self.groups.index(name)

    def stage_code(self, name: str) -> int:
        return self.stages.index(name)

    def band_of(self, age_months: np.ndarray) -> np.ndarray:
        """Age band index of ages given in months (a table lookup: cheaper than a search)."""
        return np.take(self._band_by_month, age_months, mode="clip")

    def places(self, stage: str, year: int) -> float:
        """Places commissioned for an academic year: the latest year given at or before it."""
        return by_year(self.spec.intake[stage].places, year)

    def fill_rate(self, stage: str, year: int) -> float:
        """The share of an academic year's places filled."""
        rate = self.spec.intake[stage].fill_rate
        return by_year(rate, year) if isinstance(rate, dict) else rate


def by_year(values: dict, year: int):
    """A value given by year: the latest year's at or before ``year`` (the first year's before them all)."""
    earlier = [y for y in values if y <= year]
    return values[max(earlier) if earlier else min(values)]


_ATOMS = frozenset({str, int, float, bool, type(None), type(Path())})  # immutable: shared, not copied


def _copied(value):
    """A deep copy of scenario data: pydantic models, dicts, lists, tuples and arrays copied down to
    their immutable leaves, anything else by ``copy.deepcopy``. Cheaper than ``copy.deepcopy`` of
    the lot, which keeps a memo of every object and goes through pydantic's hook for each model."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict:
        return {k: v if type(v) in _ATOMS else _copied(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return kind(v if type(v) in _ATOMS else _copied(v) for v in value)
    if kind is np.ndarray:
        return value.copy()
    if isinstance(value, BaseModel):
        out = value.__copy__()  # a new model with a copy of its field dict
        fields = out.__dict__
        for k, v in fields.items():
            if type(v) not in _ATOMS:
                fields[k] = _copied(v)
        return out
    return copy.deepcopy(value)


def resolve(name_or_path, relative_to: Path | None = None) -> Path:
    """A scenario file: a path (relative to ``relative_to``, the folder of a file naming it; default the
    current folder), or the name of a shipped scenario."""
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise InputError.one("scenario", "", "a shipped scenario name or the path of a scenario file", name_or_path)
    path = Path(name_or_path) if relative_to is None else relative_to / name_or_path
    if is_file(path):
        return path
    refuse_special(path, path, "")
    shipped = SCENARIO_DIR / f"{name_or_path}.yaml"
    if is_file(shipped):
        return shipped
    names = ", ".join(p.stem for p in sorted(SCENARIO_DIR.glob("*.yaml")))
    beside = "" if relative_to is None else f" (a path is read from the folder of the file naming it, {relative_to})"
    raise InputError.one(path, "", f"an existing scenario file{beside} or a shipped scenario name ({names})")


_LOADED: dict[tuple, Scenario] = {}  # (path as named, resolved path, overrides, parameter set, processes): compiled
_LOADED_MAX = 32


def load(name_or_path=DEFAULT, overrides: dict | None = None, parameter_set: int | None = None,
         processes: tuple = STEP_ORDER) -> Scenario:
    """Load, validate and compile a scenario. ``overrides`` are applied to the raw data first
    (nested keys joined by dots, e.g. ``{"groups.nursing.leaving.rate": 0.1}``). A calibration
    with a posterior applies its central parameter set, or set ``parameter_set`` of the posterior
    (``sim.posterior``; ``for_replication`` chooses it by seed). The scenario is checked against the
    sections of ``processes`` (``schema``): those of the model that will run it.

    Each call returns a scenario of its own (levers change a model's copy), copied from the one
    ``compiled`` keeps (``Scenario.copy``): copying costs a fraction of reading and validating the YAML.
    """
    return compiled(name_or_path, overrides, parameter_set, processes).copy()


def compiled(name_or_path=DEFAULT, overrides: dict | None = None, parameter_set: int | None = None,
             processes: tuple = STEP_ORDER) -> Scenario:
    """The scenario ``load`` copies, shared: compiled once per process for the same file,
    overrides and parameter set, and compiled again when any of its input files has changed
    since. Never change it; a ``WorkforceModel`` given it works on a copy of its own."""
    path = resolve(name_or_path)
    processes = checked_processes(processes, "sim.scenario.load")
    if parameter_set is not None and not is_whole(parameter_set):  # a row of the posterior, checked with it
        raise InputError.one("sim.scenario.load", "parameter_set", "None or a whole number from 0 to the posterior's "
                                                                   "last row", parameter_set)
    if overrides is not None and (not isinstance(overrides, Mapping) or not all(isinstance(k, str) for k in overrides)):
        raise InputError.one("overrides", "", "a mapping of dotted scenario keys to values (e.g. "
                                              "{'groups.nursing.leaving.rate': 0.1})", overrides)
    if overrides is not None:
        overrides = python_values(dict(overrides))
    key = (str(path), str(path.resolve()), repr(list((overrides or {}).items())), parameter_set, tuple(processes))
    compiled = _LOADED.get(key)
    if compiled is None or layering.changed(compiled.inputs):
        compiled = _compile(path, overrides, parameter_set, tuple(processes))
        _LOADED.pop(key, None)
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = compiled
    return compiled


def for_replication(scenario: Scenario, seed: int) -> Scenario:
    """The scenario a replication with ``seed`` runs: with a posterior, compiled with the parameter
    set the seed draws (the same for a policy and its baseline); otherwise ``scenario`` itself."""
    if scenario.posterior is None:
        return scenario
    return compiled(scenario.file, scenario.overrides, scenario.posterior.index(seed), scenario.processes)


def _compile(path: Path, overrides: dict | None, parameter_set: int | None = None,
             processes: tuple = STEP_ORDER) -> Scenario:
    """``load`` without the cache. A problem is named by the file where the value is: this one,
    a file it extends, or the calibration file (``layering.attributed``)."""
    files: list[Path] = []
    layers: list[tuple[Path, dict]] = []
    data = layering.read_layered(path, resolve, files=files, layers=layers)
    nulls = layering.null_problems(layers, data, schema(processes))
    if nulls is not None:
        raise nulls
    for dotted, value in (overrides or {}).items():
        _set(data, dotted, value, path)
    calibrated, calibration_path, fitted, posterior = layering.calibration_overrides(
        data, layering.owner(layers, "calibration"), schema(processes))
    if parameter_set is not None and (posterior is None or not 0 <= parameter_set < len(posterior)):
        raise InputError.one("sim.scenario.load", "parameter_set",
                             "None: the scenario has no posterior" if posterior is None else
                             f"None or a whole number from 0 to {len(posterior) - 1} (a row of the posterior)",
                             parameter_set)
    if posterior is not None and parameter_set is not None:
        calibrated = posterior.overrides(parameter_set, schema(processes))
    if calibrated:
        layering.calibration_conflicts(layers, data, calibrated, calibration_path, fitted, overrides)
    uncalibrated = _uncalibrated_values(data, calibrated)
    for dotted, value in calibrated.items():  # then the caller's overrides again: they win
        gone = layering.removed(layers, dotted)
        if gone is not None and covering_key(dotted, overrides or {}) is None:
            raise InputError.one(gone[0], gone[1], f"a value, not null: the calibration {calibration_path.name} "
                                                   f"sets {dotted} (or calibration: null, to load without it)", None)
        in_the_way = _not_a_section(data, dotted, schema(processes))
        if in_the_way is not None:  # the scenario's value is wrong, not the calibration's key
            raise InputError.one(layering.owner(layers, in_the_way[0]), in_the_way[0],
                                 f"a mapping of the section's fields (the calibration {calibration_path.name} "
                                 f"sets {dotted})", in_the_way[1])
        lacking = _lacking(path, data, dotted, layers, calibration_path, overrides, processes)
        if lacking is not None:
            raise lacking
        _set(data, dotted, value, calibration_path)
    for dotted, value in (overrides or {}).items():
        _set(data, dotted, value, path)
    try:
        ranges_folder = _folder(layers, "plausibility", path, overrides)
        spec, graph, stages = _validate(path, data, processes, overrides, uncalibrated,
                                        _folder(layers, "pathways", path, overrides), ranges_folder)
        need_index, population = demand_module.need_index(spec, path, list(spec.groups),
                                                          _folder(layers, "demand.population", path, overrides))
    except InputError as exc:
        exc = layering.left_out(exc, path, layers, overrides, pathways.provided)
        raise layering.attributed(exc, path, layers, calibrated, calibration_path, overrides, posterior,
                                  parameter_set) from None
    inputs = layering.input_files([*files, calibration_path, posterior.file if posterior is not None else None,
                                   *(graph.nodes[s]["file"] for s in stages), *population])
    return Scenario(spec=spec, file=path, graph=graph, groups=list(spec.groups), stages=stages,
                    start=calendar.parse(spec.start), end=calendar.parse(spec.end),
                    mho_end=calendar.parse(spec.mho_end), mho_closed=calendar.parse(spec.mho_closed),
                    band_edges=np.array(spec.age_bands, dtype=np.int32) * 12, inputs=inputs,
                    calibrated=dict(calibrated), calibration_file=calibration_path, overrides=dict(overrides or {}),
                    posterior=posterior, parameter_set=parameter_set if posterior is not None else None,
                    need_index=need_index, processes=processes, ranges_folder=ranges_folder)


def _folder(layers: list, key: str, path: Path, overrides: dict | None) -> Path:
    """The folder a file named at ``key`` (pathway files, a population file, plausibility ranges) is relative
    to: that of the scenario file that names it, as for ``calibration`` (a file it extends, in another
    folder, names the files beside it); the scenario's own for a caller's override."""
    if covering_key(key, overrides or {}) is not None:
        return path.parent
    return layering.owner(layers, key).parent


def _validate(path: Path, data: dict, processes: tuple = STEP_ORDER, overrides: dict | None = None,
              uncalibrated: dict | None = None, pathway_folder: Path | None = None, ranges_folder: Path | None = None
              ) -> tuple[ScenarioSpec, nx.DiGraph, list[str]]:
    """The merged data validated, its pathways loaded and every reference between them checked
    (pathway files named relative to ``pathway_folder``, ranges to ``ranges_folder``, default the scenario's). An
    ``uncertain:`` entry describes the scenario's own value: one a caller's override replaces (a yearly
    fill rate for a single one, a rate by age band for one number) is not checked against it, and a
    scale's factor is judged on the value its calibration replaced (``uncalibrated``, by key)."""
    model = schema(processes)
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        problems = from_pydantic(path, exc, model).problems
        files = data.get("pathways")
        if isinstance(files, list) and files and all(isinstance(f, str) for f in files):
            try:  # report the pathway files' problems too, all in one go
                pathways.load_all(files, relative_to=pathway_folder, referrer=path)
            except InputError as more:
                problems += more.problems
        raise InputError(problems) from None
    if spec.plausibility is not None:
        try:
            layering.ranges_file(spec.plausibility, ranges_folder or path.parent)
        except InputError as exc:
            raise InputError.one(path, "plausibility", exc.problems[0].expected, spec.plausibility) from None
    graph = pathways.load_all(spec.pathways, relative_to=pathway_folder, referrer=path)
    pathways.set_choice_shares(graph, spec.transitions, path)
    stages = pathways.stages(graph)
    _cross_check(spec, path, graph, stages)

    def value_of(dotted):
        try:
            return value_at(spec, graph, dotted)
        except KeyError:
            try:
                return get(data, dotted, path)
            except InputError:
                raise KeyError(dotted) from None

    own = {k: u for k, u in spec.uncertain.items() if covering_key(k, overrides or {}) is None}
    before = uncalibrated or {}
    problems = uncertain_problems(own, spec, path, value_of=value_of,
                                  scaled_value_of=lambda key: before[key] if key in before else value_of(key), own=True)
    if problems:  # each names a number (or, to scale, a table) of the scenario
        raise InputError(problems)
    return spec, graph, stages


def _uncalibrated_values(data: dict, calibrated: dict) -> dict:
    """The scenario's own values of its uncertain keys that its calibration replaces: what a fit's
    factor multiplied (``fitted.<key>.shipped``), and so what the ``uncertain:`` scale describes."""
    keys = data.get("uncertain")
    out = {}
    for key in keys if isinstance(keys, dict) and calibrated else ():
        if isinstance(key, str) and covering_key(key, calibrated) is not None:
            try:
                out[key] = copy.deepcopy(get(data, key, None))
            except InputError:  # set in a pathway file, not the scenario: judged on the value it has
                continue
    return out


def input_files(scenario) -> dict[str, str]:
    """Every file a scenario is built from, as ``{resolved path: SHA-256}``: the scenario file, the
    files it ``extends``, its calibration file and its pathway files. For a compiled scenario,
    the contents it was loaded from (recorded by ``load``), so a manifest says what produced its
    results and a changed file can be told apart (``layering.changed``)."""
    s = scenario if isinstance(scenario, Scenario) else load(scenario)
    return dict(s.inputs)


def value_at(spec, graph: nx.DiGraph, dotted: str):
    """The value at a dotted key of a validated scenario ``spec``, or a choice share
    ``transitions.<pathway/stage>.<target>`` from its pathway ``graph`` (KeyError if neither): what an
    ``uncertain:`` key may name, so that a scenario's and an experiment's accept the same keys."""
    try:
        return spec_value(spec, dotted)
    except KeyError:
        share = choice_share(graph, dotted)
        if share is None:
            raise
        return share


def choice_share(graph: nx.DiGraph, dotted: str) -> float | None:
    """The probability of the pathway transition a key ``transitions.<pathway/stage>.<target>`` names
    (the target local or qualified), as ``graph`` has it; None if the key names none."""
    keys = dotted.split(".")
    if keys[0] == TRANSITIONS and len(keys) == 3 and keys[1] in graph:
        node = qualify_target(graph, keys[1], keys[2])
        if graph.has_edge(keys[1], node):
            return graph.edges[keys[1], node]["probability"]
    return None


def get(data: dict, dotted: str, path, graph: nx.DiGraph | None = None):
    """The value at a dotted key of raw scenario data (an ``InputError`` if there is none). With the
    scenario's pathway ``graph``, a choice share ``transitions.<pathway/stage>.<target>`` that the
    scenario does not set is read from its pathway file."""
    share = choice_share(graph, dotted) if graph is not None else None
    if share is not None:
        return share
    node = data
    for k in dotted.split("."):
        if not isinstance(node, dict) or k not in node:
            raise InputError.one(path, dotted, "an existing field", k)
        node = node[k]
    return node


def qualify_target(graph: nx.DiGraph, stage: str, target: str) -> str:
    """A transition target named as in a pathway file (local or qualified) as a graph node."""
    return pathways.qualify(graph.nodes[stage]["pathway"], target)


def _set(data: dict, dotted: str, value, path) -> None:
    keys = dotted.split(".")
    if keys[0] == TRANSITIONS and len(keys) == 3:  # a choice share: checked against the pathways at load
        section = data.setdefault(TRANSITIONS, {})
        if isinstance(section, dict):
            stage = section.setdefault(keys[1], {})
            if isinstance(stage, dict):
                stage[keys[2]] = value
                return
    node = data
    for k in keys[:-1]:
        k = _held(node, k)
        if not isinstance(node, dict) or k not in node:
            raise InputError.one(path, dotted, "an existing field to override", k)
        node = node[k]
    last = _held(node, keys[-1])
    if not isinstance(node, dict) or last not in node:
        raise InputError.one(path, dotted, "an existing field to override", keys[-1])
    node[last] = value


def slowest_months(months, fraction, extra_months):
    """A training stage's months at its slowest, as entering it schedules them (``sim.kernels.entry``):
    its full-time months over the lowest LTFT fraction, rounded up, then the most extra time, rounded up."""
    return np.ceil(months / fraction) + np.ceil(extra_months)


def slowest_years(node) -> float | None:
    """``slowest_months`` of a pathway's stage, in years, before the scenario is compiled (None for a
    stage that is not a timed training stage)."""
    if not node["training"] or not node["duration_years"]:
        return None
    ltft, extra = node["ltft"], node.get("extra_time")
    fraction = ltft["fraction"][0] if ltft and max(by_sex(ltft["share"])) > 0 else 1.0
    extra_months = 12 * extra["years"][1] if extra and extra["share"] > 0 else 0.0
    return float(slowest_months(calendar.months(node["duration_years"]), fraction, extra_months)) / 12


def course_limit(spec, graph, stage: str) -> tuple[int | None, str | None]:
    """The maximum age by which a course's trainees must finish it, and whose it is: the earliest of their own
    group's and those of the groups whose posts it leads to (by a transition of some probability), where those
    finishing past it would retire in the month they arrive. (None, None) for a stage of no group."""
    own = graph.nodes[stage]["staff_group"]
    groups = [own, *(graph.nodes[t].get("staff_group") for t in graph.successors(stage)
                     if graph.edges[stage, t]["probability"] > 0)]
    limits = [(spec.groups[g].retirement.max_age, g != own, g) for g in dict.fromkeys(groups) if g in spec.groups]
    return min(limits)[::2] if limits else (None, None)


def course_overrun(ages, years: float | None, oldest: int | None, past_refused: bool = True) -> bool:
    """Whether trainees entering a training stage at ``ages`` (age bands: the age given is the age on entering)
    would pass the maximum age ``oldest`` (``course_limit``) within the ``years`` of the course at its slowest,
    and so retire before finishing it or on arriving. Ages past ``oldest`` themselves are the age check's to
    refuse when it is their own group's (``past_refused``). Scenario files and the ``ltft_training`` lever,
    which can slow a course, are checked alike."""
    if not (years and oldest is not None and ages):
        return False
    high = max(b.high for b in ages)
    return (high <= oldest or not past_refused) and high > oldest - years


def _depth(data: dict, dotted: str) -> int:
    """How many of the keys along ``dotted`` lead into ``data``, as ``_set`` reads them (a choice share's
    stage and target are added where missing)."""
    keys, node = dotted.split("."), data
    if keys[0] == TRANSITIONS and len(keys) == 3:
        return len(keys)
    for depth, key in enumerate(keys):
        key = _held(node, key)
        if not isinstance(node, dict) or key not in node:
            return depth
        node = node[key]
    return len(keys)


def _lacking(path: Path, data: dict, dotted: str, layers: list, calibration_path: Path, overrides: dict | None,
             processes: tuple) -> InputError | None:
    """A scenario lacking a key its calibration sets, or the section it is in, named where the mistake is: its own
    problems (a misspelt ``leavng:``, a section left out that it needs), or, with none, the key or section of the
    schema the calibration needs. Both were named in the calibration file, as a key with nothing there to override,
    though it was not edited. None where the scenario is not at fault: the key names nothing it lacks, or a table's
    entry (a group) a sound scenario has not (the calibration's key, an index into a list or a misspelt group, is
    named then, as before)."""
    model = schema(processes)
    keys, depth = dotted.split("."), _depth(data, dotted)
    section = section_at(model, keys[:depth]) if depth < len(keys) else None
    field = section is not None and keys[depth] in section.model_fields
    if not (field or 0 < depth < len(keys) and mapping_at(model, ".".join(keys[:depth]))):
        return None
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return layering.attributed(from_pydantic(path, exc, model), path, layers, {}, calibration_path, overrides)
    if not field:
        return None
    where = ".".join(keys[:depth + 1])
    return InputError.one(layering.owner(layers, where), where, f"a value: the calibration {calibration_path.name} "
                                                                f"sets {dotted} (or calibration: null, to load "
                                                                f"without it)")


def _not_a_section(data: dict, dotted: str, model) -> tuple[str, object] | None:
    """The first key along ``dotted`` (and its value) that ``data`` holds as no mapping where the
    scenario schema ``model`` has one (``groups: []`` for ``groups.nursing.leaving.rate``); None if none is."""
    keys, node = dotted.split("."), data
    for depth, key in enumerate(keys[:-1], 1):
        key = _held(node, key)
        if key not in node:
            return None
        node = node[key]
        if not isinstance(node, dict):
            where = ".".join(keys[:depth])
            return (where, node) if mapping_at(model, where) else None
    return None


def _held(node, key: str):
    """A part of a dotted key as ``node`` holds it: a schedule's year (``fill_rate.2022``) is a whole
    number there, as ``sim.uncertain.spec_value`` reads it."""
    year = whole_number(key)
    return year if isinstance(node, dict) and key not in node and year is not None and year in node else key


def _cross_check(spec: ScenarioSpec, path: Path, graph: nx.DiGraph, stages: list[str]) -> None:
    """References between the scenario and its pathways: groups, stages, band lengths."""
    problems: list[Problem] = []
    f = str(path)
    stage_list = ", ".join(stages)
    end = calendar.parse(spec.end)
    for s in stages:
        node = graph.nodes[s]
        if node["staff_group"] not in spec.groups:
            problems.append(Problem(node["file"], f"stages.{node['stage']}.staff_group",
                                    f"a group defined in {path.name} ({', '.join(spec.groups)})", node["staff_group"],
                                    refers=(f"groups.{node['staff_group']}",)))

    staffed = {graph.nodes[s]["staff_group"] for s in stages}
    for name in spec.groups:
        # the results add a group of all groups together by this name: one of the same name would be mixed in
        if name == TOTAL:
            problems.append(Problem(f, f"groups.{name}", f"a group name other than '{TOTAL}' (the results' name "
                                                         "for all groups together)", name))
        elif name not in staffed:  # a typo ('Staff' beside 'staff') would be a group with vacancies and nobody
            problems.append(Problem(f, f"groups.{name}", "a group that a stage of the pathways belongs to (its "
                                    f"staff_group: {', '.join(sorted(staffed)) or 'none'})", name))

    def band_check(where: str, rates):
        wrong = band_problem(rates, spec.age_bands)
        if wrong:
            problems.append(Problem(f, where, *wrong))

    oldest = max((g.retirement.max_age for g in spec.groups.values()), default=None)
    if oldest is not None and spec.age_bands[-1] > oldest:  # a band nobody reaches: its rates were never used
        problems.append(Problem(f, "age_bands", f"lower bounds of bands someone is in: none above the groups' oldest "
                                                f"maximum age ({oldest}, retirement.max_age), as everyone retires "
                                                f"by then (a band from {min(b for b in spec.age_bands if b > oldest)} "
                                                f"holds nobody, and its rates would never be used)", spec.age_bands))

    for name, g in spec.groups.items():
        band_check(f"groups.{name}.participation.part_time_share", g.participation.part_time_share)
        band_check(f"groups.{name}.leaving.rate", g.leaving.rate)
        band_check(f"groups.{name}.retirement.rate", g.retirement.rate)
        band_check(f"groups.{name}.retire_and_return.share", g.retire_and_return.share)
        if g.participation.part_time_fte[0] > g.participation.part_time_fte[1]:
            problems.append(Problem(f, f"groups.{name}.participation.part_time_fte", "[low, high] with low <= high",
                                    list(g.participation.part_time_fte)))
        if g.retire_and_return.stay_years[0] > g.retire_and_return.stay_years[1]:
            problems.append(Problem(f, f"groups.{name}.retire_and_return.stay_years", "[low, high] with low <= high",
                                    list(g.retire_and_return.stay_years)))
        ages = {"age": g.joiners.age, **{f"age_by_source.{k}": a for k, a in g.joiners.age_by_source.items()},
                **{f"age_by_stage.{k}": a for k, a in g.joiners.age_by_stage.items()}} if g.joiners else {}
        for field, age in ages.items():
            if max(b.high for b in age) > g.retirement.max_age:
                # a joiner arrives after the month's retirements: older than the maximum age, they would be counted
                problems.append(Problem(f, f"groups.{name}.joiners.{field}", f"age bands ending at or below the "
                                        f"group's maximum age (retirement.max_age: {g.retirement.max_age})",
                                        max(b.high for b in age)))
        if g.joiners:
            for s in g.joiners.stages:
                if s not in stages:
                    problems.append(Problem(f, f"groups.{name}.joiners.stages.{s}", f"a stage ({stage_list})", s))
                elif graph.nodes[s]["staff_group"] != name or graph.nodes[s]["training"] or \
                        not graph.nodes[s]["workforce"]:  # joiners outside the workforce fill no vacancy: more every month
                    problems.append(Problem(f, f"groups.{name}.joiners.stages.{s}",
                                            f"a post of group {name} (a workforce stage that is not training)", s))
                elif graph.nodes[s]["own_establishment"]:  # funded as it fills: joiners there fill no vacancy either
                    problems.append(Problem(f, f"groups.{name}.joiners.stages.{s}",
                                            f"a post of group {name} counted against its establishment (not "
                                            "own_establishment: those posts are funded as their staff come, so "
                                            "joiners in them leave the group's vacancies as they were)", s))
        # nobody in its posts at the start (a group with no stage at all is named as that above, and no more)
        unstaffed = name in staffed and not any(
            (stock.headcount or stock.fte) and s in stages and graph.nodes[s]["staff_group"] == name
            and graph.nodes[s]["workforce"] and not graph.nodes[s]["training"]
            and not graph.nodes[s]["own_establishment"] for s, stock in spec.stocks.items())
        if unstaffed and g.establishment.vacancy_rate:  # a share of staff in post and vacancies: of none, none
            problems.append(Problem(f, f"groups.{name}.establishment.vacancy_rate", "vacancies_fte for a group with "
                                    "no staff in post at the start (stocks of its posts): a vacancy rate is a share "
                                    "of the staff in post and the vacancies, so with none it funds no post",
                                    g.establishment.vacancy_rate))
        elif unstaffed and not g.establishment.vacancies_fte and g.establishment.growth_per_year:
            problems.append(Problem(f, f"groups.{name}.establishment.growth_per_year", "0 for a group with no funded "
                                    "post at the start (no staff in post, no vacancies): it grows an establishment of "
                                    "none", g.establishment.growth_per_year))
        if g.establishment.vacancy_shares:
            posts = [t for t in stages if graph.nodes[t]["staff_group"] == name and graph.nodes[t]["workforce"]
                     and not graph.nodes[t]["training"] and not graph.nodes[t]["own_establishment"]]
            problems += [Problem(f, f"groups.{name}.establishment.vacancy_shares.{s}", "a post stage of group "
                                 f"{name} counted against its establishment ({', '.join(posts) or 'none'})", s)
                         for s in g.establishment.vacancy_shares if s not in posts]
    def age_check(where: str, ages, group: str):  # nobody starts at or past their group's last working age
        last = spec.groups[group].retirement.max_age if group in spec.groups else None
        if ages and last is not None and max(b.high for b in ages) > last:
            problems.append(Problem(f, where, f"age bands ending by the group's retirement.max_age ({last}): "
                                              f"older people would all retire in the first month",
                                    max(b.high for b in ages)))

    def course_check(where: str, ages, stage):  # trainees finish before the last working age of where they go
        node = graph.nodes[stage]
        oldest, group = course_limit(spec, graph, stage)
        years = slowest_years(node)
        own = group == node["staff_group"]
        if course_overrun(ages, years, oldest, past_refused=own):
            # the age given is the age on entering: the course's final-year trainees are older by its length
            slowest = " at its slowest (LTFT at its lowest fraction, and the longest extra time)" \
                if years > node["duration_years"] else ""
            limit = f"the group's maximum age ({oldest})" if own else (
                f"the maximum age ({oldest}) of group {group}, whose posts it leads to: older, they would retire on "
                "arriving")
            problems.append(Problem(f, where, f"ages on entering that, with the {years:.4g} years of the course"
                                              f"{slowest}, stay within {limit}", max(b.high for b in ages)))

    def route_check(where: str, age_range, stage):  # someone in the range can finish the route in time
        # as sim.processes.intake.accepted_ages selects: only those who finish the route, at its slowest, before
        # the maximum age of its group and of the posts it leads to
        oldest, years = course_limit(spec, graph, stage)[0], slowest_years(graph.nodes[stage]) or 0.0
        if oldest is None:
            return
        if np.ceil(12 * age_range[0]) >= 12 * oldest - round(12 * years):
            problems.append(Problem(f, where, f"ages from below {oldest - years:.4g}: only people who would finish "
                                              f"the route ({years:.4g} years at its slowest) by the maximum age "
                                              f"({oldest}) are selected, so from {age_range[0]:g} none ever is",
                                    list(age_range)))

    for s, stock in spec.stocks.items():
        if s not in stages:
            problems.append(Problem(f, f"stocks.{s}", f"a stage ({stage_list})", s))
            continue
        age_check(f"stocks.{s}.age", stock.age, graph.nodes[s]["staff_group"])
        course_check(f"stocks.{s}.age", stock.age, s)
    for s, intake in spec.intake.items():
        if s not in stages:
            problems.append(Problem(f, f"intake.{s}", f"a stage ({stage_list})", s))
        elif intake.age is not None:
            age_check(f"intake.{s}.age", intake.age, graph.nodes[s]["staff_group"])
            course_check(f"intake.{s}.age", intake.age, s)
        if s in stages and not graph.nodes[s]["entry"]:
            problems.append(Problem(f, f"intake.{s}", "a stage marked 'entry: true' in its pathway", s))
        for key, schedule in (("places", intake.places), ("fill_rate", intake.fill_rate)):
            first = min(schedule) if isinstance(schedule, dict) and schedule else None
            if first is not None and calendar.month(first + (intake.month < 8), intake.month) > end:
                # a schedule's first value applies before its first year: all of it, in every year of the run
                problems.append(Problem(f, f"intake.{s}.{key}", f"a schedule whose first academic year's intake "
                                                                f"is within the run, which ends {spec.end} (before its "
                                                                f"first year, a schedule's first value applies)",
                                        sorted(schedule)))
        stock = spec.stocks.get(s)
        if intake.keep_headcount and s in stages and not (stock and (stock.headcount or stock.fte)):
            # the places fill only what the stage lost since the start: from none, never a place, in silence
            problems.append(Problem(f, f"intake.{s}.keep_headcount", f"a stage with people at the start (stocks.{s}):"
                                                                     " the places keep its starting headcount, and "
                                                                     "with none would never be filled", True,
                                    refers=(f"stocks.{s}",)))
        if intake.from_stage is not None and intake.from_stage not in stages:
            problems.append(Problem(f, f"intake.{s}.from_stage", f"a stage ({stage_list})", intake.from_stage))
        elif intake.from_stage is not None and (intake.from_stage == s or graph.nodes[intake.from_stage]["training"]):
            problems.append(Problem(f, f"intake.{s}.from_stage", "a post people are selected from: another stage, "
                                                                  "not a training stage", intake.from_stage))
        if intake.age_range is not None and s in stages:
            route_check(f"intake.{s}.age_range", intake.age_range, s)
    leaving = {name: float(band_table(g.leaving.rate, len(spec.age_bands)).max()) for name, g in spec.groups.items()
               if getattr(g, "leaving", None) is not None and band_problem(g.leaving.rate, spec.age_bands) is None}
    problems += feedback_loops.problems(spec.feedbacks, f, graph, stages, list(spec.groups), spec.intake, leaving)
    if problems:
        raise InputError(problems)
