"""Experiments: a baseline, named policies and uncertain parameters, run as many replications.

An experiment file (YAML, see ``experiments/README.md``) names a scenario, the policies to
compare with it (lists of levers from ``sim.interventions``), uncertain parameters with
ranges, the years to simulate, the replications and one seed. ``batch`` runs every policy
(and the baseline) against every replication and every sampled parameter set:

- **Seeds.** Replication seeds are spawned from one ``numpy.random.SeedSequence(seed)``, so
  replication r always gets the same seed however many replications there are. A policy
  run uses the same seed as its baseline; the model's random streams are keyed by person
  (``sim.rng``), so the pair differs only where the policy acts (common random numbers).
- **Parameter sets** are a Latin hypercube over the uncertain ranges, drawn from a second
  child of the same seed sequence. Every parameter set is run with every replication seed.
- **Executors.** Local worker processes by default (``concurrent.futures``); Dask distributed
  when a scheduler address is given (``"local"`` starts a ``LocalCluster``). A run depends
  only on its job, so results are identical whatever the executor and the number of workers.
- **Results that survive.** Each run is one Parquet file, written to a temporary name, flushed
  to the disk and renamed (``sim.folders``), by the process that collects results (so workers
  need no shared disk), beside a manifest (experiment file hash, every input file's hash,
  seeds, parameter sets, levers, package versions). One batch at a time writes in a folder. A
  rerun skips runs already written (an empty or damaged run file is run again) and removes
  partial files a killed batch left behind; it is refused if the experiment, any input file
  or the model's version has changed since. Stopped (Ctrl-C, SIGTERM, a full disk), a batch
  ends its workers at once and keeps every run it wrote.

``outcomes(parameters, seed)`` is the same model as a pure function from parameter values to
a dict of outcomes, for SALib, EMA Workbench or any other driver.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import platform
import shutil
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import calendar, folders, footprint, kernels, layering
from .kernels import alongside
from . import scenario as scenario_module
from .errors import (InputError, Problem, covering_key, field_of, from_pydantic, is_file, is_whole, read_yaml,
                     refuse_special, whole_number)
from .fields import TOTAL, Description, Name
from .interventions import LEVERS, AnyLever, policy_problems
from .rng import check_seed
from .uncertain import SCALE, Uncertain, as_overrides, spec_value, whole
from .uncertain import problems as uncertain_problems

BASELINE = "baseline"
# group measures of the tidy table that add up over groups (a rate such as vacancy_rate does not)
GROUP_MEASURES = ("headcount", "fte", "in_post_fte", "training_fte", "establishment_fte", "vacancies_fte",
                  "supply_gap_fte", "welsh_speaking_headcount", "welsh_speaking_fte", "joiners", "leavers",
                  "need_fte", "need_gap_fte", "recruits_sought", "recruits_available", "recruits_expected",
                  "recruits_unused", "substituted_fte")
# measures a run may lack: flows with no events (and none in the start year), and feedbacks not in force
# (sim.feedbacks): zero
OPTIONAL_MEASURES = {"joiners", "leavers", "recruits_sought", "recruits_available", "recruits_expected",
                     "recruits_unused", "substituted_fte"}
# flows: counted over the months to each yearly snapshot, so the start's snapshot has none
FLOW_MEASURES = OPTIONAL_MEASURES - {"substituted_fte"}

PositiveInt = Annotated[int, Field(strict=True, ge=1)]
MAX_RUNS = 1_000_000  # runs of one batch (policies x parameter sets x replications)
MAX_YEARS = 200  # years of a run from the scenario's start
# the most a command adds to an experiment's name for its default results folder: batch's "-years<N>-replications<N>"
# (a small try), target's "-earliest-<YYYYmmdd-HHMMSS>" (or "-target-..."), sensitivity's "-sensitivity"
ADDED_TO_NAME = max(len(f"-years{MAX_YEARS}-replications{MAX_RUNS}"), len("-earliest-YYYYmmdd-HHMMSS"),
                    len("-sensitivity"))


# ---- the experiment file ----------------------------------------------------------------------
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicySpec(Strict):
    description: Description = ""
    levers: list[AnyLever] = []


class SensitivitySpec(Strict):
    """Settings of ``workforce sensitivity``. The defaults give readable indices (95% intervals
    narrow enough, ``sim.sensitivity``) for near-additive outcomes: 20 Morris trajectories and 512
    Sobol samples, ``20 (k + 1)`` and ``512 (k + 2)`` runs for ``k`` parameters."""

    outcomes: list[str] = []  # measure:group:year (default: FTE and vacant FTE, all groups, final year)
    policy: str = BASELINE
    methods: Annotated[list[Literal["morris", "sobol"]], Field(min_length=1)] = ["morris", "sobol"]
    morris_trajectories: Annotated[int, Field(strict=True, ge=2, le=10_000)] = 20
    morris_levels: Annotated[int, Field(strict=True, ge=2, le=1_000)] = 4
    sobol_samples: Annotated[int, Field(strict=True, ge=2, le=2**16)] = 512
    # runs averaged per parameter point (each with a replication seed)
    replications: Annotated[int, Field(strict=True, ge=1, le=10_000)] = 1

    @field_validator("outcomes")
    @classmethod
    def _some(cls, v):
        """An empty list given is a mistake, not a wish for the default outcomes in silence; an outcome
        given twice would be a row of the indices twice, which the chart cannot place."""
        if not v:
            raise ValueError("at least one outcome measure:group:year (or no outcomes: for the default ones)")
        if len(set(v)) < len(v):
            raise ValueError("each outcome once")
        return v

    @field_validator("methods")
    @classmethod
    def _once(cls, v):
        if len(set(v)) < len(v):
            raise ValueError("each method once")
        return v

    @field_validator("sobol_samples")
    @classmethod
    def _power_of_two(cls, v):
        if v & (v - 1):
            raise ValueError("a power of two (Sobol sequences need one)")
        return v


class TargetSpec(Strict):
    """The question of ``workforce target`` (``sim.target``): the smallest value of a lever's numeric
    argument at which a group's measure in a year is at most ``most_gap`` with at least ``probability``.
    Only its types are checked here; what it names (policy, lever, argument, values, group, measure,
    year) is checked against the experiment by ``sim.target``, after the command line's options."""

    policy: str | None = None  # default: the file's only policy
    lever: Annotated[int, Field(strict=True, ge=0)] = 0  # its index in the policy's levers
    argument: str  # a numeric argument of the lever, dotted into a schedule: extra, places.2025, factor
    values: Any  # the values searched: a list of numbers, or {from, to, step}
    group: str  # a staff group or total
    measure: str = "need_gap_fte"  # a group measure of the tidy table
    year: Annotated[int, Field(strict=True)] | None = None  # default: the experiment's final year
    most_gap: Annotated[float, Field(strict=True, allow_inf_nan=False)] = 0.0  # in the measure's unit
    probability: Annotated[float, Field(strict=True, gt=0.0, lt=1.0)]
    earliest_with: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = None  # the earliest-year question

    @field_validator("probability", mode="before")
    @classmethod
    def _between_0_and_1(cls, value):
        """Both bounds in one message: nan fails either, and pydantic would name only one."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not 0.0 < value < 1.0:
            raise ValueError("a finite number greater than 0 and less than 1")
        return value


class ExperimentSpec(Strict):
    name: Name
    description: Description = ""
    scenario: str = scenario_module.DEFAULT  # a shipped scenario name or a path relative to this file
    overrides: dict[str, Any] = {}  # dotted scenario keys, as for sim.scenario.load
    # from the scenario's start; default to its end
    years: Annotated[int, Field(strict=True, ge=1, le=MAX_YEARS)] | None = None
    replications: Annotated[int, Field(strict=True, ge=1, le=MAX_RUNS)]
    seed: Annotated[int, Field(strict=True, ge=0, lt=2**128)]
    parameter_sets: Annotated[int, Field(strict=True, ge=0, le=MAX_RUNS)] = 0  # 0: the scenario's own values only
    policies: dict[Name, PolicySpec] = {}
    uncertain: dict[str, Uncertain] = {}  # the scenario's format (sim.uncertain)
    sensitivity: SensitivitySpec = SensitivitySpec()
    target: TargetSpec | None = None  # the goal-seeking question of workforce target
    # each replication's calibrated parameters: a set drawn by its seed from the calibration's posterior
    # (intervals carry parameter uncertainty), or its central set (intervals of the model's randomness alone)
    parameters: Literal["posterior", "fixed"] = "posterior"

    @field_validator("overrides")
    @classmethod
    def _dotted(cls, v):
        """An empty key, or one with an empty part, names no field: refused here, at this file's key,
        not as a problem of the scenario it would be looked for in."""
        bad = [k for k in v if "" in k.split(".")]
        if bad:
            raise ValueError("dotted scenario keys (names joined by '.', none of them empty, as "
                             f"groups.nursing.leaving.rate), not {', '.join(repr(k) for k in bad)}")
        return v

    @field_validator("policies")
    @classmethod
    def _not_baseline(cls, v):
        if BASELINE in v:
            raise ValueError(f"policy names other than '{BASELINE}' (the baseline is always run)")
        return v

    @model_validator(mode="after")
    def _runs(self):
        runs = (len(self.policies) + 1) * max(self.parameter_sets, 1) * self.replications
        if runs > MAX_RUNS:
            raise ValueError(f"at most {MAX_RUNS:,} runs (policies incl. baseline x parameter sets x replications), "
                             f"not {runs:,}")
        return self


# ---- the loaded experiment --------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """One run: everything a worker needs, and nothing else (it is pickled to the worker)."""

    policy: str
    parameter_set: int
    replication: int
    seed: int
    scenario: str  # absolute path of the scenario file
    overrides: dict
    until: int | None
    levers: tuple
    outcomes: tuple | None = None  # None: return the tidy table; else a dict of these outcomes
    inputs: tuple | None = None  # the scenario's input files and their SHA-256 when the batch started
    posterior_set: int | None = None  # the calibration posterior's parameter set (None: its central one)

    @property
    def file(self) -> str:
        return f"{self.policy}/p{self.parameter_set:03d}-r{self.replication:04d}.parquet"


@dataclass
class Experiment:
    spec: ExperimentSpec
    file: Path
    sha256: str
    scenario_file: Path
    scenario: scenario_module.Scenario  # the baseline, with the experiment's overrides
    until: int | None
    policies: dict[str, tuple] = field(default_factory=dict)  # name -> levers, the baseline first
    notes: list[str] = field(default_factory=list)  # what the user should know: a calibrated value replaced

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def parameter_names(self) -> list[str]:
        return [u.parameter(k) for k, u in self.spec.uncertain.items()]

    @property
    def bounds(self) -> list[list[float]]:
        return [list(u.bounds) for u in self.spec.uncertain.values()]

    def with_replications(self, n: int) -> "Experiment":
        """The same experiment with n replications (the first n of its seeds): a small try of a large one."""
        if not is_whole(n) or n < 1:  # 1.5 was cut to 1, and 0 ran nothing, in silence
            raise InputError.one("Experiment.with_replications", "n", "a whole number of replications, at least 1", n)
        return replace(self, spec=self.spec.model_copy(update={"replications": int(n)}))

    def replication_seeds(self, n: int | None = None) -> list[int]:
        if n is not None and (not is_whole(n) or n < 0):
            raise InputError.one("Experiment.replication_seeds", "n", "None or a whole number of replications", n)
        return replication_seeds(self.spec.seed, self.spec.replications if n is None else n)

    def parameter_sets(self) -> list[dict]:
        """The sampled parameter sets ([{}]: the scenario's own values when none are drawn)."""
        n = self.spec.parameter_sets
        if n == 0 or not self.spec.uncertain:
            return [{}]
        values = latin_hypercube(self.spec.seed, n, np.array(self.bounds))
        return [self._typed(dict(zip(self.parameter_names, row))) for row in values]

    def _typed(self, parameters: dict) -> dict:
        """Whole numbers for a key the scenario's schema types so (a maximum age: ``uncertain.whole``), drawn
        between the whole numbers its range gives (``_whole_ranges``)."""
        schema = type(self.scenario.spec)
        return {name: int(round(value)) if not name.startswith(SCALE) and whole(schema, name) else float(value)
                for name, value in parameters.items()}

    def overrides(self, parameters: dict | None = None) -> dict:
        """Scenario overrides for a parameter set: the experiment's own, then the parameters."""
        return {**self.spec.overrides, **to_overrides(self.scenario.spec, parameters or {}, self.scenario.graph)}

    def job(self, policy: str, parameters: dict, parameter_set: int, replication: int, seed: int,
            outcomes: tuple | None = None) -> Job:
        """One run. Its calibrated parameters depend on the seed alone, so a policy and its baseline
        share them as they share the random streams."""
        return Job(policy=policy, parameter_set=parameter_set, replication=replication, seed=int(seed),
                   scenario=str(self.scenario_file.resolve()), overrides=self.overrides(parameters), until=self.until,
                   levers=self.policies[policy], outcomes=outcomes, inputs=tuple(self.scenario.inputs.items()),
                   posterior_set=self.posterior_set(seed))

    def posterior_set(self, seed: int) -> int | None:
        posterior = self.scenario.posterior
        return posterior.index(seed) if posterior is not None and self.spec.parameters == "posterior" else None

    @property
    def uncertainty(self) -> str:
        """What the intervals over this experiment's replications contain."""
        return interval_contents(self.scenario, self.spec.parameters)

    def jobs(self) -> list[Job]:
        """Every policy (baseline first) x every parameter set x every replication."""
        seeds = self.replication_seeds()
        return [self.job(policy, parameters, p, r, seed)
                for p, parameters in enumerate(self.parameter_sets())
                for r, seed in enumerate(seeds)
                for policy in self.policies]

    def final_year(self) -> int:
        return calendar.year_of(self.scenario.end if self.until is None else min(
            self.scenario.end, self.until * 12 + self.scenario.end % 12))


def interval_contents(scenario, parameters: str = "posterior") -> str:
    """What an interval over replications of ``scenario`` contains, in words."""
    posterior = scenario.posterior
    if posterior is None:
        return "the model's randomness only (the scenario has no posterior of its calibrated parameters)"
    name = scenario.calibration_file.stem
    if parameters == "fixed":
        return (f"the model's randomness only: every replication runs the central parameter set of calibration "
                f"{name}")
    return (f"parameter uncertainty and the model's randomness: each replication runs a parameter set drawn from "
            f"the {len(posterior):,} of calibration {name}'s posterior")


def replication_seeds(seed: int, n: int) -> list[int]:
    """Seeds of replications 0..n-1, spawned from one SeedSequence (63-bit, never negative)."""
    children = np.random.SeedSequence(seed).spawn(2)[0].spawn(n)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


def latin_hypercube(seed: int, n: int, bounds: np.ndarray) -> np.ndarray:
    """n points, one in each of n equal slices of every range (scipy's Latin hypercube), from the
    seed's second child. Scaled here rather than by ``qmc.scale``, which refuses a range of one value."""
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    u = qmc.LatinHypercube(d=len(bounds), rng=rng).random(n)
    return bounds[:, 0] + u * (bounds[:, 1] - bounds[:, 0])


def load(path, parameters: str | None = None, target: dict | None = None, years: int | None = None) -> Experiment:
    """Read and validate an experiment file; every problem names the file and the field.
    ``parameters`` ("posterior" or "fixed") replaces the file's ``parameters``; ``target`` replaces
    fields of its ``target`` section (the options of ``workforce target``); ``years`` its ``years``
    (``workforce batch --years``: a short try of the runs, its levers checked against the shorter
    run, without the ``sensitivity`` section, whose outcomes may lie past it)."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputError.one("sim.experiment.load", "path", "the path of an experiment file", path)
    if target is not None and not isinstance(target, dict):
        raise InputError.one("sim.experiment.load", "target", "None or a mapping of the target section's fields to "
                                                              "values", target)
    path = Path(path)
    data = read_yaml(path, "experiment")
    if parameters is not None:
        data["parameters"] = parameters
    if years is not None:
        data["years"] = years
        data.pop("sensitivity", None)
    if target:
        section = data.get("target")
        data["target"] = {**(section if isinstance(section, dict) else {}), **target}
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        problems = _from_pydantic(path, exc).problems
        name = data.get("scenario", scenario_module.DEFAULT)
        if isinstance(name, str):  # report the scenario's own problems too, all in one go
            try:
                scenario_module.compiled(str(_scenario_file(path, name).resolve()), {})
            except InputError as more:
                problems += more.problems
        raise InputError(problems) from None
    # the file system would refuse the name only once the runs are done, blaming an --out not given
    problems = [p for p in [folders.long_name(spec.name, path, "name", ADDED_TO_NAME, "the default results folder "
                                              "(results/<name>, with -sensitivity or -target-<time> after it)",
                                              "results"),
                            *(folders.long_name(name, path, f"policies.{name}", 0, "the folder of its runs "
                                                "(runs/<policy>)", "results") for name in spec.policies)]
                if p is not None]
    scenario_file = _scenario_file(path, spec.scenario)
    try:
        scenario = _load_scenario(path, scenario_file, spec.overrides, "overrides")
    except InputError as exc:
        raise InputError(problems + exc.problems) from None
    until = None
    if spec.years is not None:
        until = calendar.year_of(scenario.start) + spec.years
        if until * 12 + scenario.end % 12 > scenario.end:
            problems.append(Problem(str(path), "years", f"at most {calendar.year_of(scenario.end - scenario.start)} "
                                                        f"(the scenario ends {scenario.spec.end})", spec.years))
    if spec.parameter_sets and not spec.uncertain:  # else one set of the scenario's own values, in silence
        problems.append(Problem(str(path), "parameter_sets", "0 without uncertain: parameters to draw the sets of",
                                spec.parameter_sets))
    end = scenario.end if until is None else until * 12 + scenario.end % 12
    from .results import untabled_months

    if (problem := untabled_months(scenario, end)) is not None:
        problems.append(problem)
    policies = {BASELINE: ()}
    fits = footprint.too_big(scenario, end) is None  # the scenario alone (a model refuses it if not)
    short = years is not None and end < scenario.end  # a lever fitting the whole run may not fit the one asked for
    for name, policy in spec.policies.items():
        whole = {(i, where) for i, where, *_ in policy_problems(policy.levers, scenario, scenario.end)} if short else ()
        for i, where, expected, found in policy_problems(policy.levers, scenario, end):
            cut = f" (the run cut short by years: {years})" if short and (i, where) not in whole else ""
            problems.append(Problem(str(path), f"policies.{name}.levers.{i}.{where}", expected + cut, found))
        # places and recruits the levers add, together, may need more memory than the machine has
        if fits and not any(p.field.startswith(f"policies.{name}.") for p in problems):
            found = footprint.too_big(scenario, end, policy.levers)
            if found is not None:
                problems.append(Problem(str(path), f"policies.{name}.levers", *found))
        policies[name] = tuple(policy.levers)
    experiment = Experiment(spec=spec, file=path, sha256=layering.sha256(path),
                            scenario_file=scenario_file, scenario=scenario, until=until, policies=policies,
                            notes=_calibrated_overrides(path, spec.overrides, scenario))
    problems += _ranged_overrides(path, spec) + _nested_overrides(path, spec)
    problems += _check_uncertain(experiment, problems)
    problems += _check_sensitivity(experiment)
    if problems:
        raise InputError(problems)
    return experiment


def _from_pydantic(path, exc: ValidationError) -> InputError:
    """As ``sim.errors.from_pydantic``, naming a lever's field without pydantic's union tag (which still
    picks the lever's own section for the key an unknown one is close to)."""
    problems = []
    names = ", ".join(LEVERS)
    for e in exc.errors():
        loc = list(e["loc"])
        where = field_of(x for i, x in enumerate(loc) if not (x in LEVERS and i > 0 and isinstance(loc[i - 1], int)))
        if e["type"] == "union_tag_invalid":
            problems.append(Problem(str(path), f"{where}.lever", f"a lever ({names})", e["input"].get("lever")))
        elif e["type"] == "union_tag_not_found":
            problems.append(Problem(str(path), f"{where}.lever", f"this required field (one of {names})"))
        else:
            problems += [replace(p, field=where) for p in from_pydantic(path, _Errors([e]), ExperimentSpec).problems]
    return InputError(problems)


class _Errors:
    def __init__(self, errors):
        self._errors = errors

    def errors(self):
        return self._errors


def _calibrated_overrides(path: Path, overrides: dict, scenario) -> list[str]:
    """A note for each override of a value the scenario's calibration sets: the override wins, as
    asked, but the user is told the calibrated value is replaced."""
    notes = []
    for key in overrides:
        replaced = [k for k in scenario.calibrated if covering_key(k, (key,)) is not None]
        if replaced:
            notes.append(f"{path}: overrides.{key}: replaces what calibration {scenario.calibration_file.name} "
                         f"sets ({', '.join(replaced)})")
    return notes


def _ranged_overrides(path: Path, spec: ExperimentSpec) -> list[Problem]:
    """An override of a value the file's ``uncertain:`` gives a range would be replaced by every
    parameter set (and sensitivity point), in silence. A ``scale:`` multiplies the overridden value."""
    return [Problem(str(path), f"overrides.{key}", f"no value for {u_key}, which uncertain: varies over a range "
                                                   "(every parameter set would replace it): remove one of them")
            for key in spec.overrides for u_key, u in spec.uncertain.items()
            if u.range is not None and (covering_key(u_key, (key,)) or covering_key(key, (u_key,)))]


def _nested_overrides(path: Path, spec: ExperimentSpec) -> list[Problem]:
    """An override of a key inside another override's mapping (groups.nursing.leaving.rate beside
    groups.nursing.leaving) gives one value twice: the key's replaced the mapping's, in silence."""
    return [Problem(str(path), f"overrides.{key}", f"a key given once: overrides.{within} replaces the mapping it "
                                                   f"is in (give its value there)")
            for key in spec.overrides
            for within in [covering_key(key, [k for k in spec.overrides if k != key])] if within is not None]


def _scenario_file(path: Path, name: str) -> Path:
    beside = path.parent / name
    if is_file(beside):
        return beside
    refuse_special(beside, path, "scenario")
    try:
        return scenario_module.resolve(name)
    except InputError:
        names = ", ".join(p.stem for p in sorted(scenario_module.SCENARIO_DIR.glob("*.yaml")))
        raise InputError.one(path, "scenario", f"a scenario file (relative to {path.name}) or a shipped scenario "
                                               f"name ({names})", name) from None


def _load_scenario(path: Path, scenario_file: Path, overrides: dict, where: str, keys: dict | None = None):
    """Load the scenario; a problem with an overridden value is reported at the experiment's field: within an
    override's mapping (``groups.nursing.leaving: {...}``), at the key of it the problem is at, as written there."""
    named = keys or {k: k for k in overrides}
    try:
        return scenario_module.compiled(str(scenario_file.resolve()), overrides)
    except InputError as exc:
        problems = []
        for p in exc.problems:
            hit = covering_key(p.field, named)
            within = p.field[len(hit):] if hit is not None and keys is None else ""
            problems.append(Problem(str(path), f"{where}.{named[hit]}{within}", p.expected, p.found)
                            if hit is not None else p)
        raise InputError(problems) from None


def _check_uncertain(experiment: Experiment, found: list[Problem] = ()) -> list[Problem]:
    """Every uncertain key names a number (or a table, to scale) of the scenario, and both ends of
    its range load."""
    spec = experiment.spec
    s = experiment.scenario
    problems = uncertain_problems(spec.uncertain, s.spec, experiment.file,
                                  value_of=partial(scenario_module.value_at, s.spec, s.graph)) + _whole_ranges(experiment)
    if problems:
        return problems
    for end in (0, 1):
        parameters = experiment._typed({n: u.bounds[end] for n, u in zip(experiment.parameter_names,
                                                                         spec.uncertain.values())})
        overrides = experiment.overrides(parameters)
        keys = _fields(spec, f".{end}")
        try:
            scenario = _load_scenario(experiment.file, experiment.scenario_file, overrides, "uncertain", keys)
        except InputError as exc:  # a problem elsewhere in the scenario says which end of the ranges made it
            side = f", with every uncertain value at the {('low', 'high')[end]} end of its range"
            for p in exc.problems:
                # a check of a section holding an uncertain key (shares that sum to 1) is the range's to answer for
                under = [k for k in spec.uncertain if p.file != str(experiment.file) and k.startswith(p.field + ".")]
                if len(under) == 1:
                    u = spec.uncertain[under[0]]
                    problems.append(Problem(str(experiment.file), f"uncertain.{under[0]}.{u.kind}",
                                            f"[low, high] whose {('low', 'high')[end]} end leaves {p.field} of the "
                                            f"scenario valid ({p.expected})", list(u.bounds)))
                else:
                    problems.append(Problem(p.file, p.field, p.expected + ("" if p.file == str(experiment.file)
                                                                           else side), p.found))
            continue
        problems += _lever_problems_at(experiment, scenario, ("low", "high")[end], [*found, *problems])
    return problems


def _fields(spec: ExperimentSpec, end: str = "") -> dict[str, str]:
    """The experiment file's field that gives each key it sets: an override's, or an uncertain entry's (its
    range or scale, at ``end``), for naming a problem the scenario finds with the value there."""
    return {**{k: k for k in spec.overrides}, **{k: f"{k}.{u.kind}{end}" for k, u in spec.uncertain.items()}}


def _check_parameter_sets(experiment: Experiment) -> None:
    """Every parameter set drawn loads, before anything is written: each range's ends load (``load``), but
    values drawn together may not (a stock's FTE drawn above its headcount), and a batch stopped at the
    first run drawing them, its folder half written. The first set that does not load is named."""
    spec = experiment.spec
    keys = _fields(spec)
    for p, parameters in enumerate(experiment.parameter_sets() if spec.parameter_sets else ()):
        try:
            _load_scenario(experiment.file, experiment.scenario_file, experiment.overrides(parameters), "uncertain",
                           keys)
        except InputError as exc:
            drawn = ", ".join(f"{name} {value:g}" for name, value in parameters.items())
            raise InputError([Problem(q.file, q.field, f"{q.expected}, with parameter set {p} of parameter_sets "
                                                       f"({drawn})", q.found) for q in exc.problems]) from None


def _whole_ranges(experiment: Experiment) -> list[Problem]:
    """A whole-number key (a maximum age) varies over a range of whole numbers, each value drawn rounded to
    one: a range's fractional end would be rounded in silence, and a factor would make the key fractional."""
    schema, f = type(experiment.scenario.spec), str(experiment.file)
    problems = []
    for key, u in experiment.spec.uncertain.items():
        if not whole(schema, key):
            continue
        if u.scale is not None:
            problems.append(Problem(f, f"uncertain.{key}.scale", f"a range of whole numbers (range: [low, high]): "
                                                                 f"{key} is a whole number, which a factor would "
                                                                 "make fractional", list(u.scale)))
        elif not all(float(end).is_integer() for end in u.range):
            problems.append(Problem(f, f"uncertain.{key}.range", f"whole numbers, as {key} is", list(u.range)))
    return problems


def _lever_problems_at(experiment: Experiment, scenario, end: str, found: list[Problem]) -> list[Problem]:
    """A lever that fits the scenario may not fit it with every uncertain value at one end of its
    range (a retention factor taking the highest leaver rate drawn past 1): refused before any run,
    not by the first run that draws such a value."""
    problems, fields = [], {p.field for p in found}
    for name, policy in experiment.policies.items():
        for i, where, expected, value in policy_problems(policy, scenario, None):
            field = f"policies.{name}.levers.{i}.{where}"
            if field not in fields:
                fields.add(field)
                problems.append(Problem(str(experiment.file), field,
                                        f"{expected}, with every uncertain value at the {end} end of its range",
                                        value))
    return problems


def _check_sensitivity(experiment: Experiment) -> list[Problem]:
    f, s = str(experiment.file), experiment.spec.sensitivity
    problems = []
    if s.policy not in experiment.policies:
        problems.append(Problem(f, "sensitivity.policy", f"a policy of this file ({', '.join(experiment.policies)})",
                                s.policy))
    for i, key in enumerate(s.outcomes):
        expected = check_outcome(experiment.scenario, key, experiment.final_year())
        if expected:
            problems.append(Problem(f, f"sensitivity.outcomes.{i}", expected, key))
    return problems


def check_outcome(scenario, key: str, final_year: int) -> str | None:
    """What is wrong with an outcome key ``measure:group:year`` (None if nothing)."""
    parts = key.split(":")
    groups = [*scenario.groups, TOTAL]
    first = calendar.year_of(scenario.start)
    year = whole_number(parts[2]) if len(parts) == 3 else None
    if len(parts) != 3 or parts[0] not in GROUP_MEASURES or parts[1] not in groups or year is None \
            or not first <= year <= final_year:
        return (f"an outcome as measure:group:year, with a measure in ({', '.join(GROUP_MEASURES)}), a group in "
                f"({', '.join(groups)}) and a year from {first} to {final_year}")
    if parts[0] in FLOW_MEASURES and year == first:  # 0 in every run: its indices said only that it does not vary
        return (f"an outcome of {parts[0]} in a year from {first + 1} to {final_year}: a flow is counted over the "
                f"months to each yearly snapshot, and the start's ({first}) has none")
    return None


def default_outcomes(scenario, final_year: int) -> tuple[str, ...]:
    return tuple(f"{m}:{g}:{final_year}" for m in ("fte", "vacancies_fte") for g in [*scenario.groups, TOTAL])


# ---- parameters as scenario overrides -------------------------------------------------------------
def to_overrides(spec, parameters: dict, graph=None) -> dict:
    """Scenario overrides from parameter values (``sim.uncertain.as_overrides``), scaling the scenario's values:
    with its pathway ``graph``, a choice share too (``transitions.<pathway/stage>.<target>``), as a scenario's
    ``uncertain:`` may name one."""
    value_of = partial(spec_value, spec) if graph is None else partial(scenario_module.value_at, spec, graph)
    return as_overrides(parameters, value_of, type(spec))


# ---- one run ----------------------------------------------------------------------------------------
def simulate(job: Job):
    """Run one job: the tidy table labelled with the job, or (with ``job.outcomes``) a dict of outcomes."""
    results = _results(job)
    if job.outcomes is not None:
        return pick(results.group_values(), job.outcomes)
    return _labelled(job, results.tidy())


def _results(job: Job):
    """The job's run, made: its ``sim.results.Results``."""
    from .model import WorkforceModel
    from .results import Results

    try:
        scenario = scenario_module.compiled(job.scenario, job.overrides, job.posterior_set)
    except InputError as exc:  # values taken together (a stock's FTE above its headcount), though each range's ends load
        values = ", ".join(f"{key} {value:g}" if isinstance(value, (int, float)) else key
                           for key, value in job.overrides.items())
        raise InputError([Problem(p.file, p.field, f"{p.expected}, with this run's values ({values})", p.found)
                          for p in exc.problems]) from None
    if job.inputs is not None and scenario.inputs != dict(job.inputs):
        raise InputError([Problem(name, "", "the same content as when the batch started (an input file changed "
                                            "during the batch; rerun it)")
                          for name in _differ(dict(job.inputs), scenario.inputs)])
    model = WorkforceModel(scenario=scenario, until=job.until, interventions=list(job.levers), collect="yearly",
                           rng=job.seed, copy=False)  # a copy only for levers: nothing else changes the scenario
    model.run()
    return Results(model=model, seed=job.seed)


def _labelled(job: Job, tidy: pd.DataFrame) -> pd.DataFrame:
    """The tidy table with the job's policy, parameter set, replication and seed in front."""
    labels = pd.DataFrame({"policy": job.policy, "parameter_set": job.parameter_set, "replication": job.replication,
                           "seed": job.seed}, index=tidy.index)
    return pd.concat([labels, tidy], axis=1)


def run_file(job: Job) -> bytes:
    """Run one job of a batch: the bytes of its Parquet file, encoded where it ran. A run's table
    pickled to the batch's process is twenty times its Parquet file, and the batch's process would
    then encode it too, taking a core from the workers."""
    contents = table_bytes(run_table(job))
    _settle_worker()
    return contents


def run_table(job: Job):
    """``simulate(job)``'s table as Arrow, made from the tidy table's columns (``Results.tidy_columns``)
    with no table of pandas between: the same columns, types and metadata as ``pyarrow.Table.from_pandas``
    gives of it, without converting a Python string a row."""
    import pyarrow as pa

    columns = _results(job).tidy_columns()
    n = len(columns["value"])
    labels = [pa.repeat(pa.scalar(job.policy, pa.large_string()), n),
              *(np.full(n, value, dtype=np.int64) for value in (job.parameter_set, job.replication, job.seed))]
    schema = _run_schema(job, columns)
    arrays = [pa.array(column) for column in [*labels, *columns.values()]]
    return pa.Table.from_arrays([a if a.type == f.type else a.cast(f.type) for a, f in zip(arrays, schema)],
                                schema=schema)


_RUN_SCHEMA: dict = {}  # the run table's Arrow schema, pandas' metadata included, by its columns' types


def _run_schema(job: Job, columns: dict):
    """The schema ``pyarrow.Table.from_pandas`` gives ``simulate(job)``'s table: worked out once a process,
    from a table of its first row."""
    import pyarrow as pa

    key = tuple((name, str(column.type) if isinstance(column, pa.Array) else column.dtype.str)
                for name, column in columns.items())
    if key not in _RUN_SCHEMA:
        first = pd.DataFrame({name: pd.array(column[:1], dtype="str") if isinstance(column, pa.Array) else column[:1]
                              for name, column in columns.items()})
        _RUN_SCHEMA[key] = pa.Schema.from_pandas(_labelled(job, first), preserve_index=False)
    return _RUN_SCHEMA[key]


def table_bytes(table) -> bytes:
    """An Arrow table's Parquet file, as ``DataFrame.to_parquet(path, index=False)`` writes the same table,
    without each column's minimum and maximum: a quarter of the writing, and a run's file is one row group
    holding every year and measure, which no reader can skip by them (``folders.read_runs`` filters
    within it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="snappy", write_statistics=False)
    return sink.getvalue().to_pybytes()


_WORKER = {"started": False, "settled": False}  # this process is a pool's worker (``_start_worker``); and settled


def _settle_worker() -> None:
    """After a worker's first run, set aside for good what it has loaded (the imported modules, the
    compiled passes, the scenario's caches: about 190,000 objects) from Python's collection of
    reference cycles (``gc.freeze``). Otherwise every full collection walks them all, about 70 ms
    each, several times in a hundred runs, for nothing: none of them is ever freed. A run's own
    cycles (a model and its processes) are collected as before."""
    if _WORKER["started"] and not _WORKER["settled"]:
        import gc

        _WORKER["settled"] = True
        gc.collect()
        gc.freeze()


def pick(values: dict, keys) -> dict[str, float]:
    """Outcomes ``measure:group:year`` from a run's staff-group rows (``Results.group_values``): flows summed over
    reasons, group ``total`` over the groups, each sum exact (``math.fsum``: the same whatever the rows' order)."""
    measures = {measure for _, measure, _, _ in values}
    missing = {k.split(":")[0] for k in keys} - measures - OPTIONAL_MEASURES
    if missing:
        raise InputError.one("outcomes", "measure", f"a measure of this model's results ({', '.join(sorted(measures))})",
                             sorted(missing))
    wanted = {}  # each outcome's cell: (measure, group or total, year)
    for key in keys:
        measure, group, year = key.split(":")
        wanted[key] = (measure, group, int(year))
    summed: dict = {cell: [] for cell in wanted.values()}
    for (group, measure, year, _), value in values.items():
        for cell in ((measure, group, year), (measure, TOTAL, year)):
            if cell in summed:
                summed[cell].append(value)
    return {key: math.fsum(summed[cell]) for key, cell in wanted.items()}


def outcomes(parameters: dict | None = None, seed: int = 0, *, scenario=scenario_module.DEFAULT,
             until: int | None = None, levers=(), wanted=None) -> dict[str, float]:
    """The model as a pure function: parameter values and a seed in, a dict of outcomes out.

    ``parameters`` maps dotted scenario keys to values (``"scale:<key>"`` multiplies the
    scenario's value instead); ``levers`` is a policy (``sim.interventions``); ``wanted`` are
    outcome keys ``measure:group:year`` (default: FTE and vacant FTE of every group and in
    total, in the final year). The same inputs always give the same outputs.
    """
    from .model import run_end

    path = str(scenario_module.resolve(scenario).resolve())
    base = scenario_module.compiled(path, {})
    if parameters is not None and not isinstance(parameters, dict):
        raise InputError.one("outcomes", "parameters", "a mapping of dotted scenario keys (or scale:<key>) to "
                                                       "values", parameters)
    if parameters is not None and not all(isinstance(k, str) for k in parameters):
        raise InputError.one("outcomes", "parameters", "a mapping of dotted scenario keys (or scale:<key>), as text, "
                                                       "to values", parameters)
    seed = check_seed(seed, "outcomes")
    wanted = tuple(wanted) if isinstance(wanted, Iterable) and not isinstance(wanted, str) else wanted
    if wanted is not None and not (isinstance(wanted, tuple) and all(isinstance(k, str) for k in wanted)):
        raise InputError.one("outcomes", "wanted", "None or a list of outcomes, each measure:group:year", wanted)
    if not isinstance(levers, Iterable) or hasattr(levers, "apply"):
        raise InputError.one("outcomes", "levers", "a list of policy levers (sim.interventions)", levers)
    overrides = to_overrides(base.spec, dict(parameters or {}), base.graph)
    final = calendar.year_of(run_end(base, until, "outcomes"))
    wanted = tuple(wanted) if wanted is not None else default_outcomes(base, final)
    for key in wanted:
        expected = check_outcome(base, key, final)
        if expected:
            raise InputError.one("outcomes", "wanted", expected, key)
    job = Job(policy="run", parameter_set=0, replication=0, seed=int(seed), scenario=path, overrides=overrides,
              until=until, levers=tuple(levers), outcomes=wanted)
    return simulate(job)


# ---- executors --------------------------------------------------------------------------------------
def execute(fn, jobs: list, workers: int | None = None, scheduler: str | None = None, quiet: bool = False,
            desc: str = "runs", client=None, together=None, pool=None):
    """Yield ``(job, fn(job))`` as jobs finish, with a progress bar (time left) unless ``quiet``.

    ``scheduler``: None for local worker processes (one in-process worker if ``workers`` is
    1), ``"local"`` for a Dask ``LocalCluster``, or the address of a Dask scheduler. ``client``: a
    Dask client (``dask_client``) kept by the caller across several calls, which this call leaves open;
    ``pool``, likewise, local worker processes (``process_pool``), whose workers keep what they loaded
    from call to call (compiled passes, scenarios), unless the call stops early: they are stopped then.
    ``together``: a key of a job; jobs with the same key are run one after another by one worker, up to
    ``TOGETHER`` at a time (``chunks``), so that they share what it keeps (a scenario compiled for them).
    """
    from tqdm import tqdm

    workers = max(1, workers or os.cpu_count() or 1)
    if not jobs:
        return
    tasks, call = (jobs, fn) if together is None else (chunks(jobs, together), partial(_each, fn))
    with tqdm(total=len(jobs), desc=desc, unit="run", disable=quiet, smoothing=0.05, dynamic_ncols=True) as bar:
        if scheduler or client is not None:
            results = _dask(call, tasks, workers, scheduler, client)
        elif workers == 1 and pool is None:
            results = ((task, call(task)) for task in tasks)
        else:
            results = _processes(call, tasks, workers, pool)
        try:
            for task, result in results:
                for job, one in ([(task, result)] if together is None else zip(task, result, strict=True)):
                    bar.update(1)
                    yield job, one
        finally:  # the caller stopped early, failed or was interrupted: the workers stop now
            results.close()


TOGETHER = 4  # jobs sharing a key run by one worker at a time (``execute``): few, so that the workers finish together


def chunks(jobs: list, key) -> list[list]:
    """``jobs`` in lists of up to ``TOGETHER`` with the same ``key(job)``, in the order each key first comes."""
    groups: dict = {}
    for job in jobs:
        groups.setdefault(key(job), []).append(job)
    return [group[i: i + TOGETHER] for group in groups.values() for i in range(0, len(group), TOGETHER)]


def _each(fn, jobs: list) -> list:
    return [fn(job) for job in jobs]


def same_scenario(job: Job) -> tuple:
    """What a job's compiled scenario depends on (``sim.scenario.compiled``): jobs alike share it."""
    return job.scenario, repr(list(job.overrides.items())), job.posterior_set


def process_pool(workers: int, preload=("sim.experiment", "sim.model", "sim.results")) -> ProcessPoolExecutor:
    """Worker processes, started from a forkserver: a clean process that has imported the model once,
    not a copy of this (possibly multi-threaded) one. Ctrl-C is left to the main process."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    _start_forkserver()
    claims = alongside.claims_folder()  # where the workers share a first run's compiling
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                               initargs=(kernels.announcement(), os.getpid(), None if claims is None else str(claims)))


def _start_forkserver() -> None:
    """Start the forkserver, if it is not running, with Ctrl-C ignored, which it and the processes it forks
    keep: Ctrl-C reaches the terminal's whole process group, and a forkserver importing the model, or a
    worker not yet past its start, printed a KeyboardInterrupt traceback. The command alone stops on it. (Only
    an ignored signal outlasts the forkserver's exec; a Ctrl-C in the milliseconds it starts is lost.)"""
    import multiprocessing.forkserver
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # signals are set in the main thread only
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def _processes(fn, jobs, workers, kept=None):
    pool = kept or process_pool(min(workers, len(jobs)))
    futures, finished = {}, False
    try:
        for job in jobs:  # here, so that a Ctrl-C as a worker starts stops those started
            futures[pool.submit(fn, job)] = job
        for future in as_completed(futures):
            yield futures[future], future.result()
        finished = True
    finally:
        if not finished:  # end the workers' runs in progress rather than wait for them
            for future in futures:
                future.cancel()
            stop_workers(pool)
        if kept is None or not finished:
            pool.shutdown(wait=True, cancel_futures=True)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End a process pool's runs in progress now, rather than wait for them.

    A worker ended while sending its result leaves half a message in the results pipe, which the
    pool's own thread would wait for the rest of forever (and so would shutting the pool down):
    once the workers are gone, this process's end of the pipe is closed too, so the pool reads the
    end of the pipe instead and shuts down."""
    processes = list((pool._processes or {}).values())
    if hasattr(pool, "terminate_workers"):  # Python 3.14 and later
        pool.terminate_workers()
    else:
        for process in processes:
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()
    results = getattr(pool, "_result_queue", None)
    if results is not None:
        results._writer.close()


def _end_with(command: int) -> None:
    """End this worker when the command that started its pool ends, however it ends: one killed
    outright (SIGKILL) cannot stop its workers, which would run on, each taking a core, for as long
    as their runs last. A thread waits for the command's end (its process file descriptor, where
    the system has them; else a look once a second) and ends the worker then."""
    import select
    import threading
    import time

    def gone() -> bool:
        try:
            os.kill(command, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive (another user's process: its number taken again)
            pass
        return False

    def wait() -> None:
        try:
            select.select([os.pidfd_open(command)], [], [])  # readable once it has ended
        except (AttributeError, OSError):
            while not gone():
                time.sleep(1)
        os._exit(1)

    threading.Thread(target=wait, name="workforce-command", daemon=True).start()


def _start_worker(announcement=None, command=None, claims=None) -> None:
    """A worker compiles as the package's own processes do (``sim.kernels.compile_quickly``), says
    it compiles as the process that started it does (``sim.kernels.announce_first_compile``), and
    leaves Ctrl-C (sent to the whole terminal's process group) to the main process, which stops
    it; otherwise each would print its own traceback. On a cold cache a worker's first model
    shares the compiling of the passes a run calls with the pool's other workers, claiming them in
    the folder ``claims`` (``sim.kernels.alongside.share``), instead of each compiling them all. It
    ends when the ``command``'s process does."""
    import signal

    if command is not None:
        _end_with(command)
    kernels.compile_quickly()
    if announcement is not None:
        kernels.on_first_compile(lambda: kernels.say_once(*announcement))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["started"] = True
    if claims is not None:
        alongside.share_with(Path(claims))


SCHEDULER_PROTOCOLS = ("tcp", "tls", "ws", "wss")
CONNECT_SECONDS = 5  # a scheduler that does not answer in this time is taken as not there
SCHEDULER_EXPECTED = ("'local', or the address of a running Dask scheduler as protocol://host:port "
                      "(e.g. tcp://10.0.0.5:8786)")


def check_scheduler(address: str | None) -> None:
    """Refuse a Dask scheduler address that is malformed or where no scheduler answers within
    ``CONNECT_SECONDS``, before anything is run or written (Dask itself would wait 30 s, then
    fail with a traceback)."""
    import socket

    if address is None or address == "local":
        return
    protocol, sep, location = address.rpartition("://") if "://" in address else ("tcp", "", address)
    host, colon, port = location.rpartition(":")
    host = host.strip("[]")
    port = whole_number(port, 5)
    if protocol not in SCHEDULER_PROTOCOLS or not colon or not host or port is None or not 1 <= port <= 65535:
        raise InputError.one("--scheduler", "scheduler", SCHEDULER_EXPECTED, address)
    expected = f"a Dask scheduler answering at {address} within {CONNECT_SECONDS} s (or 'local')"
    try:
        socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else exc.strerror or type(exc).__name__
        raise InputError.one("--scheduler", "scheduler", expected, reason) from None
    if not _is_scheduler(address if sep else f"tcp://{address}"):
        raise InputError.one("--scheduler", "scheduler", expected, "something else answering there")


def _is_scheduler(address: str) -> bool:
    """Whether a Dask scheduler answers at ``address`` within ``CONNECT_SECONDS``: asked who it is, in
    Dask's own protocol, on a thread of its own (a caller may be running an event loop). Whatever else
    answers (a web server, which waits for a request Dask never sends; bytes read as a message's length)
    is not one: Dask's client would wait on it, or fail with a traceback."""
    import asyncio
    import threading

    from distributed.comm import connect

    async def identity() -> dict:
        comm = await connect(address, timeout=CONNECT_SECONDS)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    answer: list = []

    def ask() -> None:
        try:
            answer.append(asyncio.run(asyncio.wait_for(identity(), CONNECT_SECONDS)))
        except Exception:  # noqa: BLE001 - anything that is not a scheduler's answer: no scheduler there
            pass

    thread = threading.Thread(target=ask, daemon=True)  # left behind, should a reply never end
    thread.start()
    thread.join(CONNECT_SECONDS + 1)
    return bool(answer) and isinstance(answer[0], dict) and answer[0].get("type") == "Scheduler"


def dask_client(workers: int, scheduler: str):
    """A Dask client (and the ``LocalCluster`` it runs on, for ``"local"``; else None)."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler == "local":
        # the workers' own logs are about plumbing (a failed run reaches the batch as its error); when a batch is
        # stopped they would fill the terminal with complaints about closed connections
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.CRITICAL)
        return Client(cluster), cluster
    check_scheduler(scheduler)
    try:
        return Client(scheduler, timeout=f"{CONNECT_SECONDS}s"), None
    except Exception:  # noqa: BLE001 - a scheduler gone since it answered, or one Dask cannot work with
        raise InputError.one("--scheduler", "scheduler", f"a Dask scheduler answering at {scheduler} "
                                                         f"(or 'local')") from None


def _dask(fn, jobs, workers, scheduler, client=None):
    import logging

    from distributed import as_completed as dask_completed

    kept = client is not None
    if not kept:
        client, cluster = dask_client(workers, scheduler)
    futures, pending, finished = [], None, False
    try:
        futures = client.map(fn, jobs, pure=False)
        index = {f.key: job for f, job in zip(futures, jobs)}
        pending = dask_completed(futures, with_results=True)
        for future, result in pending:
            yield index[future.key], result
        finished = True
    finally:
        if not finished:  # stopped: drop the runs not yet done, and the connections' complaints as they close
            if pending is not None:
                pending.clear()
            client.cancel(futures)
            for name in ("tornado.application", "distributed", "asyncio"):
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        if not kept:
            client.close()
            if cluster is not None:
                cluster.close()


# ---- the results store --------------------------------------------------------------------------------
def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("workforce-sim", "numpy", "pandas", "pyarrow", "mesa", "pydantic", "dask", "distributed", "SALib"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def manifest(experiment: Experiment) -> dict:
    scenario_file = experiment.scenario_file
    return {
        "experiment": experiment.name,
        "experiment_file": str(experiment.file),
        "experiment_sha256": experiment.sha256,
        "scenario": experiment.scenario.name,
        "scenario_file": str(scenario_file),
        "scenario_sha256": layering.sha256(scenario_file),
        # every file the runs read: the scenario, those it extends, its calibration and pathway files
        "input_files": scenario_module.input_files(experiment.scenario),
        "start": experiment.scenario.spec.start,
        "final_year": experiment.final_year(),
        "seed": experiment.spec.seed,
        "replication_seeds": experiment.replication_seeds(),
        "parameter_sets": experiment.parameter_sets(),
        "parameters": experiment.spec.parameters,
        "uncertainty": experiment.uncertainty,
        "policies": {name: [lever.describe() for lever in levers] for name, levers in experiment.policies.items()},
        "runs": len(experiment.jobs()),
        "versions": versions(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


@dataclass
class BatchSummary:
    out: Path
    runs: int
    written: int
    skipped: int


def check_workers(workers, where: str) -> None:
    """Refuse ``workers`` (of a batch, sensitivity analysis or target search, named by ``where``) other than
    None or a whole number of at least 1: the executor ran 0 as one worker per core and -3 as one, in silence,
    and "2" failed deep in it with a TypeError."""
    if workers is not None and (not is_whole(workers) or workers < 1):
        raise InputError.one(where, "workers", "None (one per core) or a whole number of workers, at least 1", workers)


def batch(experiment: Experiment, out=None, workers: int | None = None, scheduler: str | None = None,
          quiet: bool = False) -> BatchSummary:
    """Run every job not already written under ``out`` (default ``results/<experiment name>``).

    The folder is checked before anything runs, and held by this batch alone (``sim.folders.BatchLock``).
    A run file already there counts as done only if it reads as a table; an empty or damaged one
    is run again. If the disk fills or turns read-only, the runs written so far are kept and a
    ``WriteError`` says how to resume.
    """
    if not isinstance(experiment, Experiment):
        raise InputError.one("sim.experiment.batch", "experiment", "an experiment loaded by sim.experiment.load(path)",
                             experiment)
    if out is not None and not isinstance(out, (str, os.PathLike)):
        raise InputError.one("sim.experiment.batch", "out", "None or the path of a folder for the results", out)
    check_workers(workers, "sim.experiment.batch")
    if scheduler is not None and not isinstance(scheduler, str):
        raise InputError.one("sim.experiment.batch", "scheduler", f"None, or {SCHEDULER_EXPECTED}", scheduler)
    out = folders.check_folder(Path(out) if out is not None else Path("results") / experiment.name)
    _check_parameter_sets(experiment)
    runs = out / "runs"
    info = manifest(experiment)
    jobs = experiment.jobs()

    def stopped(exc: OSError) -> folders.WriteError:
        done = sum(1 for job in jobs if (runs / job.file).is_file())
        return folders.WriteError([Problem(exc.filename or str(out), "", f"space and permission to write the "
                                           f"results (stopped with {done} of {len(jobs)} runs in {out}, all kept; "
                                           f"free space or fix the folder, and rerun the same command to resume)",
                                           exc.strerror or str(exc))])

    try:
        out.mkdir(parents=True, exist_ok=True)
        lock = folders.BatchLock(out).acquire()
    except OSError as exc:
        raise stopped(exc) from None
    try:
        _check_batch_folder(out, experiment.file)
        _check_resumable(out, info)
        _check_in_place(out, experiment.policies, jobs)
        try:
            runs.mkdir(exist_ok=True)
            for folder in [out, *(runs / policy for policy in experiment.policies)]:  # of a batch killed while writing
                folders.remove_leftovers(folder)
            if not (out / "manifest.json").exists():
                folders.atomic_write(out / "experiment.yaml", lambda p: shutil.copyfile(experiment.file, p))
                folders.atomic_write(out / "manifest.json", folders.manifest(info))
            todo = [job for job in jobs if not _written(runs / job.file)]
            for policy in experiment.policies:
                (runs / policy).mkdir(exist_ok=True)
        except OSError as exc:
            raise stopped(exc) from None
        with closing(execute(run_file, todo, workers, scheduler, quiet, desc=experiment.name,
                             together=same_scenario)) as finished:
            for job, contents in finished:
                if not (out / "manifest.json").is_file():  # else runs written on without the manifest saying them
                    raise folders.WriteError([Problem(str(out), "manifest.json", "the results folder the batch writes "
                                                      "in, with its manifest, until it ends (removed or moved while "
                                                      "the batch ran, with the runs written: rerun the same command "
                                                      "to run them again)")])
                try:
                    folders.atomic_write(runs / job.file, lambda p: Path(p).write_bytes(contents),
                                         leftovers_removed=True)
                except OSError as exc:
                    raise stopped(exc) from None
    finally:
        lock.release()
    return BatchSummary(out=out, runs=len(jobs), written=len(todo), skipped=len(jobs) - len(todo))


def _check_batch_folder(out: Path, experiment_file: Path) -> None:
    """A folder without a batch's manifest holds nothing else: a batch's files never mix with others."""
    if (out / "manifest.json").exists():
        return
    others = sorted(p.name for p in out.iterdir() if p.name not in ("runs", "experiment.yaml", folders.LOCK)
                    and p not in _partial(out))
    copied = out / "experiment.yaml"  # a batch stopped between copying its experiment and writing its manifest
    if copied.is_file() and not copied.is_symlink() and copied.read_bytes() != Path(experiment_file).read_bytes():
        others.append(copied.name)
    if others:
        raise InputError.one(out, "", "an empty folder or one written by workforce batch (results are never mixed "
                                      "with other files: choose another --out)", ", ".join(others))
    # a batch writes its manifest before any run: run files without one are of a batch whose manifest was removed,
    # whose inputs, seeds and years nothing tells, and would be taken as this batch's runs in silence
    written = next((p for p in sorted((out / "runs").glob("*/*")) if not p.name.startswith(".")), None)
    if written is not None:
        raise InputError.one(out / "manifest.json", "", "the manifest of the batch whose runs are in runs/ (a batch "
                                                        "writes it before any run; without it, which experiment, "
                                                        "seeds and years they are of is unknown): restore it, or "
                                                        "remove runs/ or choose another --out",
                             f"no manifest, and {written.relative_to(out)}")


def _partial(out: Path) -> list[Path]:
    """The partial copies of its experiment file and manifest a batch killed while writing them left
    (``folders.leftovers``): its own, removed by the rerun that resumes it, not another's files."""
    return [p for name in ("experiment.yaml", "manifest.json") for p in folders.leftovers(out, name)]


def _check_in_place(out: Path, policies, jobs) -> None:
    """Refuse something in the place of a batch's own folders or files that is not one (a file named runs or
    runs/<policy>, a folder or pipe named as a run file or experiment.yaml): writing there failed part way, said
    as a full or read-only disk. A link in the place of a folder of runs would have them written wherever it leads,
    outside the folder chosen."""
    for folder in [out / "runs", *(out / "runs" / policy for policy in policies)]:
        if folder.is_symlink():
            raise InputError.one(folder, "", "a folder of a batch's runs inside its results folder, not a link (remove "
                                             "it, or choose another --out)", f"a link to {os.readlink(folder)}")
        if os.path.lexists(folder) and not folder.is_dir():
            raise InputError.one(folder, "", "a folder of a batch's runs, as workforce batch writes it (remove this "
                                             "file, or choose another --out)", "a file")
    runs = out / "runs"
    stray = sorted(p.name for p in runs.iterdir() if not p.is_dir()) if runs.is_dir() else []
    if stray:  # nor does its runs/ folder hold anything but folders of runs
        raise InputError.one(runs, "", "the folders of a batch's runs, one a policy, and nothing else (results are "
                                       "never mixed with other files: move these, or choose another --out)",
                             ", ".join(stray))
    for path in [out / "experiment.yaml", *(runs / job.file for job in jobs)]:
        refuse_special(path, path, "")


def _written(path: Path) -> bool:
    """Whether a run's file is there and reads as a table; a damaged one is removed, to be run again."""
    import pyarrow.parquet as pq

    if not path.exists():
        return False
    try:
        if pq.read_metadata(path).num_rows > 0:
            return True
    except (OSError, ValueError):  # empty, cut short, not Parquet
        pass
    path.unlink()
    return False


def _check_resumable(out: Path, info: dict) -> None:
    """Resume only a batch of the same experiment file and the same input contents (wherever they are)."""
    path = out / "manifest.json"
    if not path.exists():
        return
    try:
        old = json.loads(path.read_text(encoding="utf-8-sig"))  # a byte order mark read past, as read_manifest does
    except (OSError, ValueError):
        raise InputError.one(path, "", "a manifest written by workforce batch (JSON)") from None
    if not isinstance(old, dict):
        raise InputError.one(path, "", "a manifest written by workforce batch (a JSON object)")
    if "experiment" not in old or "answer" in old:  # a run's or a target search's: no other version's batch
        raise InputError.one(out, "", "an empty folder or one written by workforce batch (results are never mixed "
                                      "with another command's: choose another --out)",
                             f"the results of workforce {'target' if 'answer' in old else 'run'}")
    refuse = "; the results there would mix inputs: write to another --out"
    version = info["versions"]["workforce-sim"]
    old_version = (old.get("versions") or {}).get("workforce-sim") if isinstance(old.get("versions"), dict) else None
    if old_version != version:
        raise InputError.one(path, "versions.workforce-sim", f"results of this version of the model ({version}), "
                                                             f"not another's{refuse}", old_version)
    if old.get("experiment_sha256") != info["experiment_sha256"]:
        raise InputError.one(path, "experiment_sha256", f"results of the same experiment file "
                                                        f"({info['experiment_sha256'][:12]}...){refuse}",
                             str(old.get("experiment_sha256"))[:12])
    inputs = old.get("input_files")
    if not isinstance(inputs, dict):
        raise InputError.one(path, "input_files", f"the hashes of the batch's input files (scenario, calibration, "
                                                  f"pathways){refuse}")
    if sorted(map(str, inputs.values())) != sorted(info["input_files"].values()):
        changed = ", ".join(_differ(inputs, info["input_files"]))
        raise InputError.one(path, "input_files", f"results of the same scenario, calibration and pathway files: "
                                                  f"changed since, {changed}{refuse}")
    if "replication_seeds" in old and old["replication_seeds"] != info["replication_seeds"]:  # batch --replications
        raise InputError.one(path, "replication_seeds", f"results of {len(info['replication_seeds'])} replications, "
                                                        f"as asked{refuse}", len(old["replication_seeds"]))
    if "final_year" in old and old["final_year"] != info["final_year"]:  # batch --years: runs of another length
        raise InputError.one(path, "final_year", f"results of runs to {info['final_year']}, as asked (--years "
                                                 f"shortens them){refuse}", old["final_year"])
    if "parameters" in old and old["parameters"] != info["parameters"]:  # batch --fixed-parameters
        raise InputError.one(path, "parameters", f"results of runs whose calibrated parameters are "
                                                 f"'{info['parameters']}', as asked (posterior: each replication's "
                                                 f"drawn from the posterior; fixed: the central set, "
                                                 f"--fixed-parameters){refuse}", old["parameters"])


def _differ(old: dict, new: dict) -> list[str]:
    """Files of ``new`` whose content is not among ``old``'s, then those of ``old`` no longer read."""
    return ([name for name, digest in new.items() if digest not in old.values()]
            + [f"{name} (no longer read)" for name, digest in old.items()
               if digest not in new.values() and name not in new])
