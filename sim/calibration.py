"""Calibration: a posterior for a scenario's uncertain parameters, from a published history.

A calibration file (``sim/data/calibration/history-2015-2021.yaml``) names a history scenario
(``wales-mh-2015``), the uncertain parameters to fit (dotted keys listed under the scenario's
``uncertain:``, which gives each a ``range`` for the value or a ``scale`` for a multiplier of
the shipped value, and its prior) and the targets: published statistics with a standard
deviation saying how closely the model should match each (rounding, definitions, one year's
noise: assumptions, stated per target).

``calibrate`` runs approximate Bayesian computation by sequential Monte Carlo (``sim.inference``,
with pyabc): from the priors, parameter sets are kept whose simulated history lies within a
shrinking distance of the targets, until the distance is the targets' stated tolerance. The
result is a posterior ensemble of parameter sets, written with its seed, settings and
diagnostics so that the same command rewrites it bit for bit:

- ``<name>-v<N>-posterior.csv``: one row per parameter set, its weight and values;
- ``<name>-v<N>.yaml``: the parameter file a scenario names (``calibration: <name>-v<N>``): the
  posterior's central set as ``overrides``, each parameter's prior and posterior, the
  generations' thresholds and acceptance rates, and the posterior predictive check;
- ``<name>-v<N>-report.md`` and ``-pairs.png``: prior against posterior per parameter, what the
  history cannot identify, correlations, and each target before and after.

The check runs ``check_replications`` fresh seeds: before calibration (the shipped values) and
after (each seed with the parameter set it draws from the posterior, as projections do).

``evaluate`` repeats that check for an existing parameter file, without refitting, with the
engine as it is now (``workforce calibrate --evaluate <name>-v<N>``).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from . import calendar, folders, footprint, inference, labels
from . import scenario as scenario_module
from .calibration_report import libraries, pairs_figure, report as fit_report, targets_table
from .errors import (InputError, Problem, covering_key, from_pydantic, is_file, kind_of, plain_name, read_yaml,
                     refuse_special)
from .eventlog import STOCK_REASONS
from .experiment import MAX_RUNS
from .fields import MAX_STOCK, MIN_AGE, Age, Description, Name, Source, Year
from .layering import CALIBRATION_DIR, nested_calibration, owner, read_layered, unfitted_overrides, unknown_keys
from .posterior import Posterior, central_problems, fitted_section
from .uncertain import as_overrides, whole

DEFAULT_CONFIG = CALIBRATION_DIR / "history-2015-2021.yaml"
LONGEST_ENDING = "-posterior.csv"  # of the files a fit writes, <name>-<version> and this (``_write``)
NEXT_VERSIONS = 9999  # the versions a name's files may reach without --version (v1, v2, ...: ``next_version``)
LEVEL = 0.90


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Strict):
    """A published statistic of the history.

    - ``change``: a group's ``measure`` (fte, headcount or vacancy_rate) at the second of ``years``
      less the first (``relative``: as a share of the first);
    - ``level``: a group's ``measure`` at the one year of ``years`` (the vacancy rate a history
      ends with, say, which the projection from it starts from);
    - ``age_share``: share of a group's workforce (or one ``stage``) aged ``below`` / ``at_least``
      an age, at the end of the run;
    - ``flow_rate``: a group's ``flow`` (joiners or leavers; only those with one of ``reasons``, if
      given) in the years to the March snapshots of ``years``, per head of the group at those snapshots;
    - ``reason_share``: share of a group's leavers in ``years`` whose reason is one of ``reasons``.

    ``bound``: the published figure bounds the statistic (``at_least`` or ``at_most``) rather than
    giving it, as when a published share counts only those who said so; a statistic on the far
    side of the bound adds nothing to the loss.
    """

    kind: Literal["change", "level", "age_share", "flow_rate", "reason_share"]
    group: str
    # bounded so that a standardised error stays a number: a change of FTE is within a stock's largest, and an sd
    # below a millionth (1e-300, say) would square into infinity for every run, leaving the fit nothing to choose by
    value: Annotated[float, Field(strict=True, ge=-MAX_STOCK, le=MAX_STOCK, allow_inf_nan=False)]
    sd: Annotated[float, Field(strict=True, ge=1e-6, le=MAX_STOCK, allow_inf_nan=False)]
    source: Source  # where the figure is published, as a ranges file's sources
    measure: Literal["fte", "headcount", "vacancy_rate"] = "fte"
    years: list[Year] = []
    relative: Annotated[bool, Field(strict=True)] = False
    stage: str | None = None
    below: Age | None = None
    at_least: Age | None = None
    flow: Literal["joiners", "leavers"] = "leavers"
    reasons: list[str] = []
    bound: Literal["at_least", "at_most"] | None = None
    _file: str = PrivateAttr("targets")  # the file it was read from (``located``), which a problem names

    def located(self, path) -> "Target":
        self._file = str(path)
        return self

    @property
    def share(self) -> bool:
        """Whether the statistic is a share, shown as a percentage: a relative change, a vacancy rate,
        or an age, flow or reason share."""
        shares = ("age_share", "flow_rate", "reason_share")
        return self.relative or self.measure == "vacancy_rate" or self.kind in shares

    def error(self, statistic: float) -> float:
        """The statistic's standardised error (0 beyond a bound, on its allowed side)."""
        error = (statistic - self.value) / self.sd
        if self.bound == "at_least":
            return min(error, 0.0)
        return max(error, 0.0) if self.bound == "at_most" else error

    @field_validator("years")
    @classmethod
    def _increasing(cls, v):
        """Years reversed would make a change its opposite, and a year given twice count its flows twice."""
        if any(a >= b for a, b in zip(v, v[1:])):
            raise ValueError("years in increasing order, each once")
        return v

    @field_validator("value")
    @classmethod
    def _in_range(cls, v, info):
        """A share written as a percentage (22 for 22%) would be a target no run can reach."""
        kind = info.data.get("kind")
        if kind in ("age_share", "reason_share") and not 0.0 <= v <= 1.0:
            raise ValueError(f"a share in [0, 1] (a {kind} target is a share: 0.22 for 22%)")
        if kind == "flow_rate" and v < 0:
            raise ValueError("a rate of 0 or more for a flow_rate target")
        return v

    @model_validator(mode="after")
    def _fields(self):
        unread = sorted((self.model_fields_set & _OPTIONAL) - READS[self.kind])
        if unread:  # else ignored in silence: a level of a stage, or a reason share of joiners, would be the group's
            article = "an" if self.kind[0] in "aeiou" else "a"
            raise ValueError(f"only the keys {article} {self.kind} target reads (group, value, sd, source, bound, "
                             f"{', '.join(sorted(READS[self.kind]))}), not {', '.join(unread)}")
        if self.kind == "change" and len(self.years) != 2:
            raise ValueError("years: [from, to] for a change")
        if self.kind == "level" and len(self.years) != 1:
            raise ValueError("years: [year] (one) for a level")
        if self.kind == "level" and self.measure == "vacancy_rate" and not 0.0 <= self.value <= 1.0:
            raise ValueError("value: a vacancy rate in [0, 1] (0.09 for 9%)")
        if self.kind == "change" and self.relative and self.value < -1:
            raise ValueError("value: a relative change of -1 (all gone) or more")
        if self.kind == "change" and not self.relative and self.measure == "vacancy_rate" and not -1 <= self.value <= 1:
            # a rate moves within [0, 1]: points written as percentages (5 for 5 points) no run can reach
            raise ValueError("value: a change of a vacancy rate within [-1, 1] (0.05 for 5 points)")
        if self.kind in ("flow_rate", "reason_share") and not self.years:
            raise ValueError("years: the snapshot years whose flows count")
        if self.kind == "age_share" and (self.below is None) == (self.at_least is None):
            raise ValueError("below or at_least (one of them) for an age share")
        if self.kind == "age_share" and MIN_AGE in (self.below, self.at_least):  # 0 or 1 whatever the parameters
            raise ValueError(f"an age share's age above {MIN_AGE:g} (nobody in the model is younger: the share "
                             f"would be {0 if self.below == MIN_AGE else 1} in every run)")
        if self.kind == "reason_share" and not self.reasons:
            raise ValueError("reasons for a reason share")
        least, most = self.limits
        if (self.bound == "at_least" and self.value <= least) or (self.bound == "at_most" and self.value >= most):
            # no run falls on the far side of it: the target adds nothing to the loss, yet widens the tolerance
            raise ValueError(f"value: a bound a run may fall short of (every {self.kind} statistic is "
                             f"{'at least' if self.bound == 'at_least' else 'at most'} "
                             f"{least if self.bound == 'at_least' else most:g}), or no bound")
        return self

    @property
    def limits(self) -> tuple[float, float]:
        """The least and the most the statistic can be: 0 and 1 for a share or a vacancy rate, 0 for a rate or
        a level, -1 (all gone) for a relative change, -1 and 1 for a change of a vacancy rate."""
        if self.kind in ("age_share", "reason_share") or (self.kind == "level" and self.measure == "vacancy_rate"):
            return 0.0, 1.0
        if self.kind in ("flow_rate", "level"):
            return 0.0, math.inf
        if self.relative:
            return -1.0, math.inf
        return (-1.0, 1.0) if self.measure == "vacancy_rate" else (-math.inf, math.inf)


# the optional keys each kind of target reads; an age share is of the run's end, and a reason share of its leavers
READS = {"change": {"measure", "years", "relative"}, "level": {"measure", "years"},
         "age_share": {"stage", "below", "at_least"}, "flow_rate": {"years", "flow", "reasons"},
         "reason_share": {"years", "reasons"}}
_OPTIONAL = set().union(*READS.values())


def target_problems(path, targets: dict[str, Target], s) -> list[Problem]:
    """What in the ``targets`` of file ``path`` scenario ``s`` cannot give: a group, stage or reason
    it does not have, or a year outside its run (a change between its yearly snapshots; flows in
    the years to a snapshot after its start, the first having none before it). Checked before any run."""
    problems = []
    first, last = calendar.year_of(s.start), last_snapshot_year(s)
    reasons = recorded_reasons(s)
    for name, t in targets.items():
        if t.group not in s.groups:
            problems.append(Problem(str(path), f"targets.{name}.group", f"a group ({', '.join(s.groups)})", t.group))
        if t.stage is not None and t.stage not in s.stages:
            problems.append(Problem(str(path), f"targets.{name}.stage", "a stage of the scenario", t.stage))
        elif t.stage is not None and t.group in s.groups and s.groups[s.stage_group[s.stage_code(t.stage)]] != t.group:
            problems.append(Problem(str(path), f"targets.{name}.stage", f"a stage of group {t.group} (the share is "
                                                                       f"of the stage's people)", t.stage))
        snapshots = t.kind in ("change", "level")
        low = first if snapshots else first + 1  # the start's snapshot has no flows before it
        if t.years and not low <= t.years[0] <= t.years[-1] <= last:
            what = "yearly snapshots" if snapshots else "years of flows (to a yearly snapshot after the start)"
            problems.append(Problem(str(path), f"targets.{name}.years",
                                    f"years within the run of scenario {s.name} ({s.spec.start} to {s.spec.end}; "
                                    f"its {what}: {low} to {last})", t.years))
        unknown = [r for r in t.reasons if r not in reasons]
        if unknown:
            problems.append(Problem(str(path), f"targets.{name}.reasons", f"reasons the model records for scenario "
                                                                            f"{s.name} ({', '.join(sorted(reasons))})",
                                    unknown))
        flow = t.flow if t.kind == "flow_rate" else "leavers"  # a reason share is of leavers
        own = group_reasons(s, t.group) if t.group in s.groups else reasons
        foreign = [r for r in t.reasons if r in reasons and r not in own]
        if foreign:  # another group's leaving reason, pathway exit or joiners' pool: 0 in every run
            mine = ", ".join(sorted(r for r in own if of_flow(r, flow)))
            problems.append(Problem(str(path), f"targets.{name}.reasons", f"reasons group {t.group}'s {flow} can "
                                                                            f"have ({mine})", foreign))
        other = [r for r in t.reasons if r in own and not of_flow(r, flow)]
        if other:  # counted among the other flow only: the statistic would be 0 in every run
            problems.append(Problem(str(path), f"targets.{name}.reasons", f"reasons of {flow} (a {t.kind} target "
                                                                            f"counts {flow} only)", other))
        ours = t.stage is None or (t.stage in s.stages and s.groups[s.stage_group[s.stage_code(t.stage)]] == t.group)
        if t.kind == "age_share" and t.group in s.groups and ours:
            problems += _age_problems(path, name, t, s)
    return problems


def _age_problems(path, name: str, t: Target, s) -> list[Problem]:
    """An age share's age that no one counted can be on the other side of: above the group's maximum age
    (``retirement.max_age``, when everyone has left) or at most the youngest age anyone can be in its
    stages (the lowest of the ages they start at: stocks, intakes and joiners), where the share would be
    0 or 1 in every run whatever the parameters."""
    from .invariants import youngest_ages
    from .people import NEVER

    oldest = s.spec.groups[t.group].retirement.max_age
    if t.stage is not None:
        stages = [s.stage_code(t.stage)]
    else:  # the group's workforce, as the statistic counts it
        stages = [i for i in range(len(s.stages)) if s.groups[s.stage_group[i]] == t.group and s.stage_workforce[i]]
    young = [int(m) for m in youngest_ages(s)[stages] if m != NEVER]
    youngest = min(young) / 12 if young else None
    field, age = ("below", t.below) if t.below is not None else ("at_least", t.at_least)
    whose = f"stage {t.stage}" if t.stage is not None else f"group {t.group}"
    if age > oldest:
        share = 1 if field == "below" else 0
    elif youngest is not None and age <= youngest:
        share = 0 if field == "below" else 1
    else:
        return []
    low = f"above {youngest:g} (the youngest anyone in {whose} can be) and " if youngest is not None else ""
    return [Problem(str(path), f"targets.{name}.{field}", f"an age {low}at most {oldest:g} (group {t.group}'s "
                                                          f"retirement.max_age: nobody is older): the share would "
                                                          f"be {share} in every run", age)]


def group_reasons(s, group: str) -> set[str]:
    """The reasons a joiner or leaver of ``group`` in scenario ``s`` may have: the processes' own (as
    ``recorded_reasons``), its own leaving reasons (``left:``) and joiners' pools (``joined:``), and the
    exits of its own stages (``exit:``). Another group's are recorded for that group's people alone."""
    spec = s.spec.groups[group]
    reasons = {r for r in labels.REASONS if ":" not in r and r not in STOCK_REASONS}
    reasons |= {f"left:{r}" for r in spec.leaving.reasons}
    reasons |= {f"joined:{r}" for r in (spec.joiners.sources if spec.joiners is not None else {})}
    reasons |= {f"exit:{r}" for i in range(len(s.stages)) if s.groups[s.stage_group[i]] == group
                for r in exit_reasons(s, i)}
    return reasons


def exit_reasons(s, stage: int) -> list[str]:
    """The reasons of a stage's exits (its transitions out of the pathways: a target of -1), told apart from
    its moves to another stage by their target, not by name: an exit may be called progressed too."""
    return [r for r, t in zip(s.transition_reasons[stage], s.transition_targets[stage]) if t < 0]


def last_snapshot_year(s) -> int:
    """The year of scenario ``s``'s last yearly snapshot: the end of its run, which an age share describes."""
    return calendar.year_of(s.start + 12 * ((s.end - s.start) // 12))


def observed_years(t: Target, s) -> list[int]:
    """The years whose observations target ``t`` of a history of scenario ``s`` uses: its ``years``, or
    for an age share (of the run's end) the last snapshot's."""
    return t.years or [last_snapshot_year(s)]


def of_flow(reason: str, flow: str) -> bool:
    """Whether people may join (``flow`` joiners) or leave (leavers) a group for ``reason``: a joiner's
    reasons (``joined:``, intake, returned) are never a leaver's, nor a leaver's (``left:``, ``exit:``,
    retiring, attrition, ...) a joiner's; moves along a pathway (progressed, selected) may be either."""
    joining = reason.startswith("joined:") or reason in ("intake", "returned")
    leaving = reason.startswith(("left:", "exit:")) or reason in ("retired", "retired_mho", "return_ended",
                                                                  "attrition", "no_training_place")
    return not (leaving if flow == "joiners" else joining)


def recorded_reasons(s) -> set[str]:
    """Every reason a joiner or leaver of scenario ``s`` may have: the processes' own (``labels.REASONS``
    without a colon), the groups' leaving reasons (``left:``) and joiners' pools (``joined:``), and the
    pathways' exits (``exit:``): those of every group (``group_reasons``)."""
    return set().union(*(group_reasons(s, g) for g in s.groups))


MIN_POPULATION = 10  # parameter sets a generation: fewer leave a kernel and a threshold fitted to nothing


class Settings(_Strict):
    """The fit's settings (a file's, with the command line's options in place). Strict, as every number
    of an input file: a quoted "10" or a ``true`` is an error, not 10 or 1 worker. Runs are bounded as a
    batch's (``MAX_RUNS``): a slip of a few zeros is an input error, not a fit that never ends."""

    population: int = Field(1000, strict=True, ge=MIN_POPULATION, le=MAX_RUNS)  # sets a generation, and in the posterior
    generations: int = Field(10, strict=True, ge=1, le=MAX_RUNS)  # at most
    # each threshold: this quantile of the last generation's distances
    quantile: float = Field(0.5, strict=True, gt=0, lt=1)
    # the threshold to reach (None: the targets' tolerance, see tolerance)
    epsilon: float | None = Field(None, strict=True, gt=0, allow_inf_nan=False)
    max_runs: int = Field(15000, strict=True, ge=1, le=MAX_RUNS)  # the budget: no generation starts, or goes on, past it
    seed: int = Field(0, strict=True, ge=0, lt=2**32)
    workers: int = Field(1, strict=True, ge=1)
    check_replications: int = Field(20, strict=True, ge=2, le=MAX_RUNS)

    @field_validator("max_runs")
    @classmethod
    def _a_generation(cls, v, info):
        """The first generation draws ``population`` sets from the priors whatever the budget: a budget below
        it was spent past in silence, and its posterior was the priors."""
        population = info.data.get("population")
        if population is not None and v < population:
            raise ValueError(f"at least population ({population:,}): the first generation runs that many, drawn "
                             f"from the priors, whatever the budget")
        return v


def _settings(settings: Settings, file="settings", **options) -> Settings:
    """``settings`` (of ``file``) with the command line's options (those not None) in place, checked as the
    file's are (a --population of 1 is refused as population: 1 would be), each problem naming its option,
    or the file's setting where an option makes it wrong (a --population past its max_runs)."""
    given = {k: v for k, v in options.items() if v is not None}
    try:
        return Settings.model_validate({**settings.model_dump(), **given})
    except ValidationError as exc:
        raise InputError([Problem(f"--{p.field.replace('_', '-')}", p.field, p.expected, p.found) if p.field in given
                          else Problem(str(file), f"settings.{p.field}", p.expected, p.found)
                          for p in from_pydantic("settings", exc, Settings).problems]) from None


def tolerance(targets: dict) -> float:
    """The distance within which a history matches the targets: the 90% quantile of the distance
    of one that matched each target with its stated normal error, sqrt(chi2(0.90, k))."""
    from scipy.stats import chi2

    return float(np.sqrt(chi2.ppf(LEVEL, len(targets))))


def check_seeds(seed: int, replications: int) -> list[int]:
    """The fresh seeds of the before/after check, which the fit never runs."""
    return [10_000 + seed * 1000 + i for i in range(replications)]


class CalibrationSpec(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: Description = ""
    scenario: str
    fit: list[str] = Field(min_length=1)
    targets: dict[Name, Target] = Field(min_length=1)  # named as groups are: they label the fit's tables
    settings: Settings = Settings()

    @field_validator("fit")
    @classmethod
    def _once(cls, v):
        """A key given twice would be two parameters setting one value, the second's draws in force."""
        twice = sorted({k for k in v if v.count(k) > 1})
        if twice:
            raise ValueError(f"each key once (given more than once: {', '.join(twice)})")
        return v


# ---- parameters ------------------------------------------------------------------------------------
class Parameters:
    """The fitted parameters: names, bounds, priors, and how values become scenario overrides."""

    def __init__(self, keys: list[str], uncertain: dict, base: dict, schema):
        self.keys = list(keys)
        self.uncertain = {k: uncertain[k] for k in keys}
        self.kinds = [uncertain[k].kind for k in keys]
        self.names = [uncertain[k].parameter(k) for k in keys]  # as in the posterior table: key or scale:key
        self.bounds = [tuple(uncertain[k].bounds) for k in keys]
        self.base = {k: base[k] for k in keys}
        self.schema = schema  # the scenario's (sim.scenario.schema): which values no scale may take past 1

    def overrides(self, x) -> dict:
        return as_overrides(dict(zip(self.names, map(float, x))), self.base.__getitem__, self.schema)


# ---- statistics of one run -------------------------------------------------------------------------
def statistics(results, targets: dict[str, Target]) -> dict[str, float]:
    """Each target's statistic in one finished run, from its staff groups' rows (``Results.group_values``).

    A change, a flow rate and a reason share are numpy's floats, a level and an age share Python's, as when
    they were read from the tidy table: ``loss`` sums their squared errors with Python's ``sum``, which adds
    Python's floats with compensation (since 3.12) and numpy's as they come, and a shipped posterior is
    regenerated bit for bit."""
    values = results.group_values()
    model, s = results.model, results.scenario

    def summed(group, measure, years, reasons=None) -> np.float64:  # over the years, and the reasons given (or all)
        return np.float64(sum(v for (g, m, y, r), v in values.items()
                              if g == group and m == measure and y in years and (reasons is None or r in reasons)))

    out = {}
    for name, t in targets.items():
        if t.kind == "change":
            first, last = (np.float64(values[(t.group, t.measure, year, "")]) for year in t.years)
            if t.relative and first == 0:  # else NaN or infinity, which no threshold of the fit ever accepts
                raise InputError.one(t._file, f"targets.{name}.relative",
                                     f"a change from a year with some {t.measure} (group {t.group} has none in "
                                     f"{t.years[0]} in this run), or relative: false", True)
            out[name] = (last - first) / first if t.relative else last - first
        elif t.kind == "level":
            out[name] = float(summed(t.group, t.measure, t.years))
        elif t.kind == "age_share":
            p = model.people
            ids = model.counted()
            if t.stage is not None:
                ids = ids[p.stage[ids] == s.stage_code(t.stage)]
            else:
                ids = ids[(p.group[ids] == s.group_code(t.group)) & s.stage_workforce[p.stage[ids]]]
            age = (model.now - p.birth_month[ids]) / 12.0
            chosen = age < t.below if t.below is not None else age >= t.at_least
            out[name] = float(chosen.mean()) if len(ids) else 0.0
        elif t.kind == "flow_rate":
            flows = summed(t.group, t.flow, t.years, t.reasons or None)
            heads = summed(t.group, "headcount", t.years)
            out[name] = flows / heads if heads else 0.0
        else:
            chosen, total = summed(t.group, "leavers", t.years, t.reasons), summed(t.group, "leavers", t.years)
            out[name] = chosen / total if total else 0.0
    return out


class Simulator:
    """One run of the history, picklable: every block's proposed parameters (pyabc names ``p00``,
    ``p01``, ... in the order of the fitted keys) and a seed -> each target's statistic."""

    def __init__(self, scenario_path: str, parameters: Parameters, targets: dict, uncalibrated: dict):
        self.scenario_path, self.parameters, self.targets = scenario_path, parameters, targets
        self.uncalibrated = uncalibrated

    def __call__(self, proposals: dict, seed: int) -> dict:
        """A block that has finished proposes nothing: its parameters, which move none of the other
        blocks' targets, take the middle of their bounds."""
        values = {name: value for block in proposals.values() for name, value in block.items()}
        x = [values.get(name, sum(bounds) / 2) for name, bounds in zip(abc_names(self.parameters),
                                                                      self.parameters.bounds)]
        return _runs(self.scenario_path, {**self.uncalibrated, **self.parameters.overrides(x)}, self.targets, [seed])[0]


def abc_names(parameters: Parameters) -> list[str]:
    """pyabc's names of the parameters: plain, and sorting in the order of the keys."""
    return [f"p{i:02d}" for i in range(len(parameters.keys))]


class Distance:
    """pyabc's distance for a block: the length of the vector of its targets' standardised errors
    (``Target.error``)."""

    def __init__(self, targets: dict):
        self.targets = targets

    def __call__(self, simulated: dict, observed: dict) -> float:
        return float(np.sqrt(loss(simulated, self.targets)))


def _runs(scenario_path, overrides: dict, targets: dict, seeds) -> list[dict]:
    """Each target's statistic in a run of the scenario with ``overrides`` (its own values: no
    posterior draw), for each seed."""
    from .results import run

    loaded = scenario_module.compiled(scenario_path, overrides)  # once for all replications
    return [statistics(run(loaded, seed=seed, parameters="fixed", share=True), targets) for seed in seeds]


def _mean(values: list[dict], targets: dict) -> dict:
    return {k: float(np.mean([r[k] for r in values])) for k in targets}


def loss(mean: dict, targets: dict[str, Target]) -> float:
    return float(sum(t.error(mean[k]) ** 2 for k, t in targets.items()))


# ---- the fit ---------------------------------------------------------------------------------------
HISTORY_FILE = ("a history-targets file (a calibration file with scenario:, fit: and targets:, as "
                "sim/data/calibration/history-2015-2021.yaml)")


def not_history(data: dict) -> str | None:
    """What a document read as a history-targets file is instead: another kind of input file (a
    parameter file, a scenario: ``errors.kind_of``), or one with neither ``fit`` nor ``targets``;
    None if it may be one (its own problems are then each said in turn). A parameter file has
    targets too, of another form: one problem for each of its keys would bury that it is the wrong file."""
    kind = kind_of(data)
    if kind is not None:
        return None if kind[0] == "history" else kind[1]
    return None if "fit" in data or "targets" in data else "a file with neither fit: nor targets:"


def load(path, data: dict | None = None) -> tuple[CalibrationSpec, Path]:
    """Read and check a calibration file (or ``data``, as if read from ``path``, before it is
    written there); return it with the history scenario's path."""
    path = Path(path)
    data = read_yaml(path, "history") if data is None else data
    found = not_history(data)
    if found is not None:
        raise InputError.one(path, "", HISTORY_FILE, found)
    try:
        spec = CalibrationSpec.model_validate(data)
    except ValidationError as exc:
        raise from_pydantic(path, exc, CalibrationSpec) from None
    # it names the fit's files: the file system would refuse a long one only once the fit is done
    long = folders.long_name(spec.name, path, "name", len(f"-v{NEXT_VERSIONS}{LONGEST_ENDING}"), "the fit's files "
                             "(<name>-v<N>-posterior.csv and others)", CALIBRATION_DIR)
    if long is not None:
        raise InputError([long])
    for t in spec.targets.values():
        t.located(path)
    candidate = path.parent / spec.scenario
    refuse_special(candidate, path, "scenario")
    try:
        scenario_path = candidate if is_file(candidate) else scenario_module.resolve(spec.scenario)
    except InputError as exc:  # named by the file and key that refer to it
        raise InputError.one(path, "scenario", exc.problems[0].expected, spec.scenario) from None
    s = scenario_module.load(scenario_path, _uncalibrated(scenario_path))
    problems = [Problem(str(path), f"fit.{i}", f"a key listed under the scenario's uncertain: "
                                               f"({', '.join(s.spec.uncertain) or 'none'})", k)
                for i, k in enumerate(spec.fit) if k not in s.spec.uncertain]
    # the fit draws any number in a range (or a factor of one): a whole number such as a maximum age
    # would be refused by every run, saying a value the file never held was no integer
    problems += [Problem(str(path), f"fit.{i}", "a key of a number that need not be whole (the fit draws any "
                                                "value of its range)", k)
                 for i, k in enumerate(spec.fit) if k in s.spec.uncertain and whole(type(s.spec), k)]
    problems += target_problems(path, spec.targets, s)
    if problems:
        raise InputError(problems)
    return spec, scenario_path


def blocks(keys: list[str], targets: dict[str, Target], s) -> list[tuple[list[int], list[str]]]:
    """Independent parts of the fit: ``[(parameter indices, target names)]``.

    Staff groups are linked when a stage of one leads to a stage of another (support workers
    training as nurses) or an intake selects from another's post: people, and so any parameter's
    effect, can flow between them. A parameter belongs to the group it names (``groups.<g>``) or
    the group of the stage it names (``intake.<stage>``, ``stocks.<stage>``,
    ``transitions.<stage>``); any other key links every group. A target belongs to its group.
    Parameters and targets of linked groups form one block; blocks share neither, so each can be
    fitted on its own targets."""
    parent = {g: g for g in s.groups}

    def find(g):
        while parent[g] != g:
            g = parent[g]
        return g

    def join(a, b):
        parent[find(b)] = find(a)

    def group_of(stage):
        return s.groups[s.stage_group[s.stage_code(stage)]]

    for stage in s.stages:
        for t in s.graph.successors(stage):
            if t in s.stages:
                join(group_of(stage), group_of(t))
    for stage, intake in s.spec.intake.items():
        if intake.from_stage is not None:
            join(group_of(stage), group_of(intake.from_stage))
    key_groups = []
    for key in keys:
        parts = key.split(".")
        if parts[0] == "groups" and len(parts) > 1 and parts[1] in s.groups:
            key_groups.append(parts[1])
        elif parts[0] in ("intake", "stocks", "transitions") and len(parts) > 1 and parts[1] in s.stages:
            key_groups.append(group_of(parts[1]))
        else:
            for g in s.groups:
                join(s.groups[0], g)
            key_groups.append(s.groups[0])
    out: dict[str, tuple[list[int], list[str]]] = {}
    for i, g in enumerate(key_groups):
        out.setdefault(find(g), ([], []))[0].append(i)
    for name, t in targets.items():
        if find(t.group) in out:
            out[find(t.group)][1].append(name)
    return list(out.values())


def _uncalibrated(scenario_path: Path) -> dict:
    """Overrides that load a scenario without its calibration file (if it names one)."""
    data = read_layered(Path(scenario_path), scenario_module.resolve)
    return {"calibration": None} if "calibration" in data else {}


def calibrate(config=DEFAULT_CONFIG, *, out_dir=None, version: str | None = None, population: int | None = None,
              generations: int | None = None, max_runs: int | None = None, workers: int | None = None,
              scheduler: str | None = None, seed: int | None = None, check_replications: int | None = None,
              quiet: bool = False) -> dict:
    """Fit the posterior, check it, and write the posterior table, parameter file, report and
    figure. Returns a summary dict (see ``_write``)."""
    from tqdm import tqdm

    spec, scenario_path, st, uncalibrated, s, base, parameters, parts = _checked(
        config, version=version, population=population, generations=generations, max_runs=max_runs,
        workers=workers, scheduler=scheduler, seed=seed, check_replications=check_replications)
    bar = tqdm(total=st.population, desc="calibration", unit="set", disable=quiet, dynamic_ncols=True)

    def progress(generation, accepted, n, runs):
        if bar.total != n or bar.n > accepted:
            bar.reset(total=n)
        bar.set_description(f"generation {generation + 1}")
        bar.set_postfix_str(f"{runs} runs")
        bar.update(accepted - bar.n)

    from pyabc import RV

    names = abc_names(parameters)
    parts_in = [inference.Block(
        priors={names[i]: RV(parameters.uncertain[spec.fit[i]].distribution().dist.name,
                             *_shape(parameters.uncertain[spec.fit[i]])) for i in idx},
        distance=Distance({k: spec.targets[k] for k in target_names}),
        observed={k: spec.targets[k].value for k in spec.targets},
        epsilon=st.epsilon or tolerance({k: spec.targets[k] for k in target_names}))
        for idx, target_names in parts]
    started = _dt.datetime.now(_dt.timezone.utc)
    try:
        result = inference.fit(Simulator(str(scenario_path), parameters, spec.targets, uncalibrated), parts_in,
                               population=st.population, generations=st.generations, quantile=st.quantile,
                               max_runs=st.max_runs, seed=st.seed, workers=st.workers, scheduler=scheduler,
                               progress=progress)
    finally:
        bar.close()
    order = [result.names.index(n) for n in names]
    for block, (idx, target_names) in zip(result.blocks, parts):
        block["parameters"] = [spec.fit[i] for i in idx]
        block["targets"] = list(target_names)
    posterior = Posterior(file=Path("posterior.csv"), names=parameters.names, values=result.values[:, order],
                          weights=np.full(st.population, 1.0 / st.population), shipped={k: base[k] for k, kind in zip(spec.fit, parameters.kinds)
                                                           if kind == "scale"})
    fresh = check_seeds(st.seed, st.check_replications)
    if not quiet:
        print(f"checking the posterior over {len(fresh)} fresh replications", flush=True)
    before = _runs(scenario_path, uncalibrated, spec.targets, fresh)
    after = _posterior_runs(scenario_path, uncalibrated, posterior, spec.targets, fresh)
    summary = {
        "spec": spec, "scenario_path": scenario_path, "settings": st, "parameters": parameters, "fit": result,
        "posterior": posterior, "before": before, "after": after, "started": started,
        "finished": _dt.datetime.now(_dt.timezone.utc), "config_path": Path(config),
    }
    return _write(summary, Path(out_dir) if out_dir else CALIBRATION_DIR, version)


def _checked(config, data: dict | None = None, *, version=None, population=None, generations=None, max_runs=None,
             workers=None, scheduler=None, seed=None, check_replications=None) -> tuple:
    """Every check of a calibration before its fit, of the file ``config`` (or of ``data``, as if
    read from it, before it is written: see ``check``); the fit's spec, scenario and blocks."""
    if version is not None:  # it names the parameter file: checked before the fit, not after
        plain_name(version, "--version", "version")
    spec, scenario_path = load(config, data)
    long = folders.long_name(f"{spec.name}-{version}", "--version", "version", len(LONGEST_ENDING), "the fit's "
                             f"files with the calibration's name, {spec.name}-<version>-posterior.csv and others",
                             CALIBRATION_DIR) if version is not None else None
    if long is not None:
        raise InputError([long])
    st = _settings(spec.settings, config, population=population, generations=generations, max_runs=max_runs,
                   workers=workers, seed=seed, check_replications=check_replications)
    if scheduler in (None, "local"):  # processes of this machine
        footprint.check_workers(st.workers, *(("--workers", "workers") if workers is not None
                                              else (config, "settings.workers")))
    uncalibrated = _uncalibrated(scenario_path)
    s = scenario_module.load(scenario_path, uncalibrated)
    layered = read_layered(Path(scenario_path), scenario_module.resolve)
    base = {k: scenario_module.get(layered, k, scenario_path, s.graph) for k in spec.fit}
    parameters = Parameters(spec.fit, s.spec.uncertain, base, type(s.spec))
    problems = range_problems(scenario_path, uncalibrated, parameters)
    if problems:
        raise InputError(problems)
    parts = blocks(spec.fit, spec.targets, s)
    fitted_targets = {n for _, target_names in parts for n in target_names}
    unfitted = [k for k in spec.targets if k not in fitted_targets]
    if unfitted:
        raise InputError([Problem(str(config), f"targets.{k}", "a target of a group with a fitted parameter (no "
                                                               "fitted parameter moves it)", spec.targets[k].group)
                          for k in unfitted])
    # a parameter no target moves would be fitted to its prior, and a draw of it replace the scenario's value
    unmoved = [i for indices, names in parts if not names for i in indices]
    if unmoved:
        raise InputError([Problem(str(config), f"fit.{i}", "a parameter a target moves: one of a group with a target "
                                                           "(or linked to one by a pathway or an in-service route)",
                                  spec.fit[i]) for i in unmoved])
    return spec, scenario_path, st, uncalibrated, s, base, parameters, parts


def range_problems(scenario_path: Path, uncalibrated: dict, parameters: Parameters) -> list[Problem]:
    """The fit draws any value of a fitted key's range (or any factor of its scale): a range reaching past
    what the key may hold (a leaving rate from -1, joiners a year from -100) was refused by the first run
    drawing such a value, naming the key's scenario value with a number the file never held. The
    scenario is loaded with every fitted value at each end in turn, before any run; a problem of a
    fitted key is named by its range in the scenario's ``uncertain:`` section (in the file that gives it)."""
    layers: list = []
    read_layered(Path(scenario_path), scenario_module.resolve, layers=layers)
    problems, named = [], set()
    for end, side in enumerate(("low", "high")):
        x = [bounds[end] for bounds in parameters.bounds]
        try:
            scenario_module.load(scenario_path, {**uncalibrated, **parameters.overrides(x)})
        except InputError as exc:
            for p in exc.problems:
                key = covering_key(p.field, parameters.keys) if p.file == str(scenario_path) else None
                if key is None:
                    problems.append(Problem(p.file, p.field, f"{p.expected}, with every fitted value at the {side} "
                                                             "end of its range", p.found))
                elif key not in named:
                    named.add(key)
                    u = parameters.uncertain[key]
                    field = f"uncertain.{key}"
                    problems.append(Problem(str(owner(layers, field)), f"{field}.{u.kind}",
                                            f"[low, high] within what {key} may hold, as the fit draws any value "
                                            f"between them (at the {side} end: {p.expected})", list(u.bounds)))
    return problems


def check(config, data: dict | None = None, **options) -> None:
    """Refuse a calibration (``calibrate``'s options) that ``calibrate`` would refuse, without a fit:
    a file made for a fit (a back-test's refit) is checked before it is written."""
    _checked(config, data, **options)


def _shape(u) -> tuple:
    """The arguments of a frozen scipy distribution, as pyabc's ``RV`` takes them."""
    frozen = u.distribution()
    return (*frozen.args, *frozen.kwds.values())


def _posterior_runs(scenario_path, uncalibrated: dict, posterior: Posterior, targets: dict, seeds) -> list[dict]:
    """Runs of the history, each with the parameter set its seed draws from ``posterior``, as a
    projection's replication would."""
    out, schema = [], scenario_module.schema()
    for seed in seeds:
        i = posterior.index(seed)
        with posterior.cells_named(i, scenario_path):
            out += _runs(scenario_path, {**uncalibrated, **posterior.overrides(i, schema)}, targets, [seed])
    return out


def next_version(out_dir: Path, name: str) -> str:
    """The version after the highest ``v<N>`` of ``name``'s parameter files, and of its posteriors: a fit
    writing holds its version by its posterior before its parameter file is there (``_claim``)."""
    numbers = [int(m.group(1)) for p in out_dir.glob(f"{name}-v*")
               if (m := re.fullmatch(rf"{re.escape(name)}-v(\d+)(\.yaml|{re.escape(LONGEST_ENDING)})", p.name))]
    return f"v{max(numbers, default=0) + 1}"


def _claim(out_dir: Path, name: str, version: str | None) -> str:
    """The version a fit's files are written as, held by making its posterior file (empty, until the fit's
    replaces it) where none is, in one step, and no parameter file of it is there (the first versions have
    none): two fits into one folder at once chose one version, and each replaced the other's files, the fit
    ending first lost and the files of the two mixed. ``version`` given and written meanwhile by another fit:
    the next free one, which ``_write`` says."""
    chosen = version or next_version(out_dir, name)
    while True:
        held = out_dir / f"{name}-{chosen}{LONGEST_ENDING}"
        try:
            os.close(os.open(held, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        except FileExistsError:
            pass
        else:
            if not os.path.lexists(out_dir / f"{name}-{chosen}.yaml"):
                return chosen
            held.unlink()
        chosen = next_version(out_dir, name)


def _describe(values: list[dict], targets: dict) -> dict:
    out = {}
    q = [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2]
    for k in targets:
        v = np.array([r[k] for r in values])
        out[k] = (float(v.mean()), float(np.quantile(v, q[0])), float(np.quantile(v, q[1])))
    return out


def _write(summary: dict, out_dir: Path, version: str | None) -> dict:
    """The fit's files, as ``version`` (default the next), or as the next free version if another fit wrote
    ``version`` meanwhile: kept, and said with a ``WriteError``."""
    name = summary["spec"].name
    out_dir.mkdir(parents=True, exist_ok=True)
    held = _claim(out_dir, name, version)
    try:
        written = _write_as(summary, out_dir, held)
    except BaseException:
        with suppress(OSError):
            if (out_dir / f"{name}-{held}{LONGEST_ENDING}").stat().st_size == 0:  # held, and nothing written
                (out_dir / f"{name}-{held}{LONGEST_ENDING}").unlink()
        raise
    if version is not None and held != version:
        raise folders.WriteError([Problem("--version", "version", f"a version no other fit wrote meanwhile (another "
                                                                  f"wrote {version} in {out_dir} while this one ran: "
                                                                  f"these results are kept whole as {held}, in "
                                                                  f"{name}-{held}.yaml)", version)])
    return written


def _write_as(summary: dict, out_dir: Path, version: str) -> dict:
    from .version import __version__

    spec, st, parameters, result = summary["spec"], summary["settings"], summary["parameters"], summary["fit"]
    posterior: Posterior = summary["posterior"]
    stem = f"{spec.name}-{version}"
    central = posterior.central([[parameters.keys.index(k) for k in b["parameters"]] for b in result.blocks])
    q = posterior.quantiles([0.05, 0.5, 0.95])
    fitted = {}
    for j, key in enumerate(parameters.keys):
        u = parameters.uncertain[key]
        prior = u.distribution()
        fitted[key] = {
            "kind": parameters.kinds[j],
            "bounds": list(parameters.bounds[j]),
            "prior": ({"normal": {"mean": u.prior.mean, "sd": u.prior.sd}} if u.prior is not None else "uniform"),
            "prior_interval_90": [round(float(prior.ppf(0.05)), 6), round(float(prior.ppf(0.95)), 6)],
            "median": round(float(q[1, j]), 6),
            "interval_90": [round(float(q[0, j]), 6), round(float(q[2, j]), 6)],
            "central": round(float(central[j]), 6),
            # the scenario's value the fit started from: a scenario whose value differs would have
            # it replaced in silence, so loading refuses it (sim.layering.calibration_conflicts)
            "shipped": parameters.base[key],
        }
    before, after = _describe(summary["before"], spec.targets), _describe(summary["after"], spec.targets)
    command = (f"workforce calibrate {_relative(summary.get('config_path', DEFAULT_CONFIG))} --version {version} "
               f"--population {st.population} --generations {st.generations} --max-runs {st.max_runs} "
               f"--seed {st.seed}")
    took = (summary["finished"] - summary["started"]).total_seconds()
    import pyabc

    document = {
        "name": stem,
        "calibration": spec.name,
        "scenario": spec.scenario,
        "created": summary["finished"].isoformat(timespec="seconds"),
        "package_version": __version__,
        "method": f"approximate Bayesian computation, sequential Monte Carlo (pyabc {pyabc.__version__})",
        "libraries": libraries(),  # a rerun is bit for bit with these (``calibration_report.LIBRARIES``)
        "settings": st.model_dump(),
        "posterior": f"{stem}-posterior.csv",
        "parameter_sets": len(posterior),
        "diagnostics": {
            "reached": bool(result.reached),
            "runs": result.runs,
            "minutes": round(took / 60, 2),
            "runs_per_second": round(result.runs / result.seconds, 2) if result.seconds else None,
            "blocks": [{**b, "reached": bool(b["reached"])} for b in result.blocks],
        },
        "fitted": fitted,
        "overrides": parameters.overrides(central),
        "targets": {k: {"target": t.value, "simulated_mean": round(after[k][0], 5),
                        "interval_90": [round(after[k][1], 5), round(after[k][2], 5)]}
                    for k, t in spec.targets.items()},
    }
    header = (f"# Calibrated parameters: written by `workforce calibrate`; do not edit by hand, rerun it.\n"
              f"#   {command}\n"
              f"# A scenario with `calibration: {stem}` draws each replication's parameter set from the\n"
              f"# posterior ({stem}-posterior.csv); `overrides` are its central set, used for fixed-parameter\n"
              f"# runs. See {stem}-report.md for prior against posterior and the fit to each target.\n")
    paths = {"posterior": out_dir / f"{stem}-posterior.csv", "parameters": out_dir / f"{stem}.yaml",
             "report": out_dir / f"{stem}-report.md", "figure": out_dir / f"{stem}-pairs.png"}
    table = posterior_table(posterior)
    report = fit_report(summary, stem, command, fitted, before, after, paths["figure"].name, document["libraries"])
    text = header + yaml.safe_dump(document, sort_keys=False, width=110)
    # together, the parameter file last: what scenarios use
    folders.write_together({paths["posterior"]: lambda p: Path(p).write_text(table, encoding="utf-8"),
                            paths["figure"]: lambda p: pairs_figure(parameters, posterior, p),
                            paths["report"]: lambda p: Path(p).write_text(report, encoding="utf-8"),
                            paths["parameters"]: lambda p: Path(p).write_text(text, encoding="utf-8")})
    return {**paths, "version": version, "fitted": fitted, "before": before, "after": after,
            "diagnostics": document["diagnostics"]}


def posterior_table(posterior: Posterior) -> str:
    """The posterior as CSV text, written the same way on every machine (shortest round-trip floats)."""
    lines = [",".join(["weight", *posterior.names])]
    for w, row in zip(posterior.weights, posterior.values):
        lines.append(",".join(repr(float(v)) for v in (w, *row)))
    return "\n".join(lines) + "\n"


def _relative(path) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---- evaluating a parameter file without refitting --------------------------------------------------
class RecordedSettings(BaseModel):
    """The settings ``evaluate`` reads back: the check's seed and size (a file of fitted values
    written before the posterior has other settings besides)."""

    model_config = ConfigDict(extra="ignore")
    # strict and bounded as the fit's own settings: a quoted "5" or a true is refused, not read as 5 or 1, and a
    # check of a billion replications is named here, not as the --check-replications option nobody gave
    seed: int = Field(Settings.model_fields["seed"].default, strict=True, ge=0, lt=2**32)
    check_replications: int = Field(Settings.model_fields["check_replications"].default, strict=True, ge=2,
                                    le=MAX_RUNS)


class ParameterFile(BaseModel):
    """What ``evaluate`` reads of a parameter file written by ``calibrate`` (the rest is a record)."""

    model_config = ConfigDict(extra="ignore")
    name: str
    calibration: str
    scenario: str
    settings: RecordedSettings = RecordedSettings()
    overrides: dict[str, Any]
    posterior: str | None = None
    parameter_sets: Any = None  # checked against the posterior's rows (``posterior.read``)
    fitted: dict[str, dict] = {}


def parameter_file(name_or_path) -> Path:
    """A parameter file: a path, or the name of a shipped one (``wales-mh-v18``)."""
    for candidate in (Path(str(name_or_path)), CALIBRATION_DIR / f"{name_or_path}.yaml"):
        if is_file(candidate):
            return candidate
        refuse_special(candidate, candidate, "")
    shipped = ", ".join(p.stem for p in sorted(CALIBRATION_DIR.glob("*.yaml"))
                        if p != DEFAULT_CONFIG and not p.stem.startswith("backtest"))
    raise InputError.one(name_or_path, "", f"an existing calibration parameter file or a shipped one's name "
                                           f"({shipped})")


def evaluate(parameters_file, config=DEFAULT_CONFIG, *, check_replications: int | None = None,
             seed: int | None = None) -> dict:
    """Check an existing parameter file against its history, without refitting.

    Runs the history scenario over the fresh seeds of the fit's check (``check_seeds`` of the
    file's seed) before calibration (the shipped values) and after: each seed with the parameter
    set it draws from the file's posterior, or the file's ``overrides`` for a file without one.
    With the engine unchanged since the fit, ``before`` and ``after`` are the report's. The
    arguments replace the file's settings (fewer runs, other seeds). A key of its ``overrides``
    that the scenario lacks is an input error naming ``overrides.<key>``.

    Returns the parameter file's path, its name, the seeds used, ``before`` and ``after`` (each
    target: mean and 90% interval over the fresh runs), ``check_loss`` (the loss of the fresh
    runs' mean) and ``table`` (the report's targets section, Markdown).
    """
    from .posterior import read

    spec, scenario_path = load(config)
    path = parameter_file(parameters_file)
    data = read_yaml(path, "parameters")
    unknown = unknown_keys(data, path)
    if unknown is not None:
        raise unknown
    try:
        document = ParameterFile.model_validate(data)
    except ValidationError as exc:
        raise from_pydantic(path, exc, ParameterFile) from None
    problems = [] if document.overrides else [Problem(str(path), "overrides", "a mapping of dotted scenario keys "
                                                                             "to fitted values", {})]
    wrong = (nested_calibration(path, document.overrides)
             or unfitted_overrides(path, document.overrides, document.fitted, document.posterior))
    if wrong is not None:
        problems += wrong.problems
    elif document.overrides:  # the central set, checked as loading a scenario that names the file checks it
        problems += central_problems(path, fitted_section(path, document.fitted), document.overrides)
    if document.calibration != spec.name:
        problems.append(Problem(str(path), "calibration", f"the name of the history it is checked against "
                                                          f"({spec.name}, {config})", document.calibration))
    if document.scenario != spec.scenario:
        problems.append(Problem(str(path), "scenario", f"the history's scenario ({spec.scenario})",
                                document.scenario))
    if problems:
        raise InputError(problems)
    seed = document.settings.seed if seed is None else seed
    n = check_replications or document.settings.check_replications
    _settings(Settings(), seed=seed, check_replications=n)
    uncalibrated = _uncalibrated(scenario_path)
    calibrated = {**uncalibrated, **document.overrides}  # what `calibration:` naming the file applies
    try:
        scenario_module.compiled(scenario_path, calibrated)  # the runs below copy it
    except InputError as exc:  # a problem with an override is the parameter file's
        raise InputError([Problem(str(path), f"overrides.{p.field}", p.expected, p.found)
                          if p.field in document.overrides else p for p in exc.problems]) from None
    posterior = (read(document.posterior, path, document.fitted, document.parameter_sets,
                      schema=scenario_module.schema()) if document.posterior else None)
    fresh = check_seeds(seed, n)
    before = _runs(scenario_path, uncalibrated, spec.targets, fresh)
    if posterior is None:
        after = _runs(scenario_path, calibrated, spec.targets, fresh)
    else:
        after = _posterior_runs(scenario_path, uncalibrated, posterior, spec.targets, fresh)
    described = _describe(before, spec.targets), _describe(after, spec.targets)
    label = "after: posterior draws" if posterior is not None else "after calibration"
    return {"path": path, "name": document.name, "seed": seed, "check_replications": n, "before": described[0],
            "after": described[1], "check_loss": loss(_mean(after, spec.targets), spec.targets),
            "table": "\n".join(targets_table(spec, n, *described, after_label=label)) + "\n"}
