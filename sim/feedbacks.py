"""Feedbacks the national workforce models leave out: supervision capacity, workload and new roles.

Published workforce models push their parameters in from outside. In services, training places
need qualified staff to supervise them, vacancies raise the workload of those who stay and drive
some of them out, and new roles take on part of other professions' work. Each of these loops is a
mechanism a scenario's ``feedbacks:`` section configures and switches on (``enabled: true``, a
dotted-key override, or the ``feedbacks`` lever of ``sim.interventions``). Off, each costs one
attribute check a month and leaves results bit for bit as they were.

- **Supervision** (``supervision.placements``): the trainees of a placement pool (training
  stages sharing supervisors) may number at most ``trainees_per_supervisor`` x the supervisors
  in post (named stages or whole groups, counted by FTE or headcount) at the start of the intake
  month. An intake fills only the places under that cap; pipeline arrivals are not turned away by
  it (only by the places commissioned, ``sim.processes.intake``). While on, the model records
  places commissioned, places filled (everyone entering the stage and given a place) and the
  supervised capacity, by stage.
- **Workload** (``workload``): a group's annual leaver rates are multiplied by a response curve of
  its vacancy rate in the previous month: ``1 + strength x excess`` (linear) or
  ``exp(strength x excess)`` (exponential), where ``excess`` is the vacancy rate above
  ``threshold``, capped at ``max_factor``. Retirement is not affected.
- **Substitution** (``substitution.roles``): a new role's FTE in post beyond its own funded
  establishment work against another group's demand, each FTE meeting ``ratio`` FTE of it
  (``substituted_fte``). The target's supply gap, and the vacancy rate its workload responds
  to, fall by that much; its funded establishment and vacant posts, which draw its joiners, do
  not (health boards go on recruiting to funded posts). The role's own supply gap counts those
  staff where they work rather than as a surplus of its own, so no one is counted twice.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from . import calendar
from .errors import Problem, rounded_down
from .fields import twice
from .uncertain import past_one

Positive = Annotated[float, Field(strict=True, gt=0.0, le=1000.0, allow_inf_nan=False)]
Ratio = Annotated[float, Field(strict=True, ge=0.0, le=10.0, allow_inf_nan=False)]
Strength = Annotated[float, Field(strict=True, ge=0.0, le=100.0, allow_inf_nan=False)]
Share = Annotated[float, Field(strict=True, ge=0.0, lt=1.0, allow_inf_nan=False)]
Factor = Annotated[float, Field(strict=True, ge=1.0, le=100.0, allow_inf_nan=False)]
NonEmpty = Annotated[list[str], Field(min_length=1)]


# ---- the scenario's feedbacks: section -------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Placement(_Strict):
    """Training stages that share supervisors, the supervisors, and how many trainees each can take."""

    trainees: NonEmpty  # training stages counted against the cap; those with intake places are capped
    supervisors: NonEmpty  # post stages or staff groups whose staff in post supervise
    trainees_per_supervisor: Positive


class SupervisionSpec(_Strict):
    enabled: Annotated[bool, Field(strict=True)] = False
    count: Literal["fte", "headcount"] = "fte"  # how supervisors in post are counted
    placements: dict[str, Placement] = {}


class WorkloadSpec(_Strict):
    enabled: Annotated[bool, Field(strict=True)] = False
    groups: list[str] | None = None  # None: every group
    curve: Literal["linear", "exponential"] = "linear"
    strength: Strength = 0.0
    threshold: Share = 0.0
    max_factor: Factor = 2.0


class Role(_Strict):
    target: str  # the group part of whose demand the role meets
    ratio: Ratio  # FTE of the target's demand met by one FTE of the role


class SubstitutionSpec(_Strict):
    enabled: Annotated[bool, Field(strict=True)] = False
    roles: dict[str, Role] = {}


class FeedbacksSpec(_Strict):
    supervision: SupervisionSpec = SupervisionSpec()
    workload: WorkloadSpec = WorkloadSpec()
    substitution: SubstitutionSpec = SubstitutionSpec()


def past_max_factor(max_factor: float, highest: dict[str, float]) -> tuple[str, str, float] | None:
    """(largest factor allowed, group, its rate) when the workload feedback at its cap, ``max_factor``, takes the
    highest annual leaver rate of the groups it acts on (``highest``, by group) past 1; None when it does not.
    Capped at 1, a slip (20 for 2) would have a whole group leave within the month in silence."""
    group = max(highest, key=highest.get, default=None)
    if group is None or highest[group] <= 0.0 or not past_one(max_factor, highest[group]):
        return None
    return rounded_down(1.0 / highest[group]), group, highest[group]


NO_STRENGTH = "without one (0), leaving does not respond to vacancies"


def strength_given(workload: WorkloadSpec) -> bool:
    """Whether a scenario (or its layers or overrides) gives the workload feedback a strength: its default, 0, is
    for a loop that is off; switched on with it, the loop would change nothing, in silence."""
    return "strength" in workload.model_fields_set


def problems(spec: FeedbacksSpec, file: str, graph, stages: list[str], groups: list[str], intake: dict,
             leaving: dict[str, float] | None = None) -> list[Problem]:
    """References of the feedbacks: section to the scenario's stages and groups, and a workload cap that
    would take a leaver rate past 1 while the loop is on (``leaving``: each group's highest annual rate;
    switched on by a lever, the ``feedbacks`` lever checks it)."""
    out = []
    w = spec.workload
    acted = {g: r for g, r in (leaving or {}).items() if w.groups is None or g in w.groups}
    past = past_max_factor(w.max_factor, acted) if w.enabled else None
    if past is not None:
        out.append(Problem(file, "feedbacks.workload.max_factor", f"a factor of at most {past[0]}, which keeps every "
                                                                  f"leaver rate it raises within 1 a year (the highest "
                                                                  f"is {past[2]:.3g}, of {past[1]})", w.max_factor))
    stage_list, group_list = ", ".join(stages), ", ".join(groups)
    for name, pool in spec.supervision.placements.items():
        where = f"feedbacks.supervision.placements.{name}"
        for st in pool.trainees:
            if st not in stages or not graph.nodes[st]["training"]:
                out.append(Problem(file, f"{where}.trainees", f"a training stage ({stage_list})", st))
        if not any(st in intake for st in pool.trainees):
            out.append(Problem(file, f"{where}.trainees", "at least one stage with intake places in this scenario "
                                                          "(the cap limits intakes)", pool.trainees,
                               refers=tuple(f"intake.{st}" for st in pool.trainees)))
        for sup in pool.supervisors:
            post = sup in stages and graph.nodes[sup]["workforce"] and not graph.nodes[sup]["training"]
            if sup not in groups and not post:
                out.append(Problem(file, f"{where}.supervisors", f"a staff group ({group_list}) or a post stage "
                                                                 f"(not training, in the workforce) of ({stage_list})", sup))
        out += [Problem(file, f"{where}.supervisors", "each staff group or stage once", sup)
                for sup in twice(pool.supervisors)]
    seen = [st for pool in spec.supervision.placements.values() for st in pool.trainees]
    for st in sorted({st for st in seen if seen.count(st) > 1}):
        out.append(Problem(file, "feedbacks.supervision.placements", "each training stage in one placement pool", st))
    # a loop switched on with nothing to act on would change nothing, in silence (the lever refuses the same)
    if spec.supervision.enabled and not spec.supervision.placements:
        out.append(Problem(file, "feedbacks.supervision.placements", "placement pools for supervision that is "
                                                                     "enabled (or enabled: false)", {}))
    if spec.workload.enabled and not strength_given(spec.workload):
        out.append(Problem(file, "feedbacks.workload.strength", f"a strength for the workload feedback, which is "
                                                         f"enabled (or enabled: false): {NO_STRENGTH}"))
    if spec.substitution.enabled and not spec.substitution.roles:
        out.append(Problem(file, "feedbacks.substitution.roles", "roles for substitution that is enabled (or "
                                                                 "enabled: false)", {}))
    if spec.workload.groups == []:
        out.append(Problem(file, "feedbacks.workload.groups", f"at least one staff group ({group_list}), or no "
                                                              "groups: for every group", []))
    for g in spec.workload.groups or []:
        if g not in groups:
            out.append(Problem(file, "feedbacks.workload.groups", f"a staff group ({group_list})", g))
    out += [Problem(file, "feedbacks.workload.groups", "each staff group once", g)
            for g in twice(spec.workload.groups or [])]
    roles = spec.substitution.roles
    for name, role in roles.items():
        where = f"feedbacks.substitution.roles.{name}"
        if name not in groups:
            out.append(Problem(file, where, f"a staff group ({group_list})", name))
        if role.target not in groups or role.target == name or role.target in roles:
            out.append(Problem(file, f"{where}.target", f"another staff group ({group_list}), not itself a "
                                                        "substituting role", role.target))
    return out


# ---- compiled, as the processes use them ------------------------------------------------------------
@dataclass
class Supervision:
    enabled: bool
    by_headcount: bool
    pool_of: dict[int, int]  # trainee stage code -> pool index
    trainees: list[np.ndarray]  # per pool: trainee stage codes
    supervisors: list[np.ndarray]  # per pool: boolean mask over stages
    ratio: np.ndarray  # per pool

    def capacities(self, model) -> np.ndarray:
        """Each pool's capacity this month: its trainees per supervisor times the supervisors in post at
        the start of the month, rounded down. The intake's pass caps its newcomers at a pool's headroom,
        its capacity less the trainees present (``sim.processes.intake``)."""
        record = model.history[-1]
        in_post = record["stage_headcount" if self.by_headcount else "stage_fte"]
        return np.array([int(np.floor(ratio * in_post[mask].sum() + 1e-9))
                         for ratio, mask in zip(self.ratio, self.supervisors)], dtype=np.int64)

    def trainee_mask(self, n_stages: int) -> np.ndarray:
        """By pool and stage: whether the stage's trainees count against the pool's cap."""
        mask = np.zeros((len(self.trainees), n_stages), dtype=np.bool_)
        for pool, codes in enumerate(self.trainees):
            mask[pool, codes] = True
        return mask

    def places_log(self, model) -> tuple[np.ndarray, np.ndarray]:
        """This month's log of places, by stage: commissioned, and the capacity left for them."""
        log, n = _log(model), len(model.inputs.stages)
        return log.setdefault("places_commissioned", np.zeros(n)), log.setdefault("places_capacity", np.zeros(n))


@dataclass
class Workload:
    enabled: bool
    groups: np.ndarray  # boolean mask over groups
    exponential: bool
    strength: float
    threshold: float
    max_factor: float

    def factors(self, record: dict) -> np.ndarray:
        """Leaver rate multiplier by group from the vacancy rates of a history record (net of the
        demand new roles meet, when substitution is on)."""
        est, post = record["establishment_fte"], record["post_fte"]
        unmet = est - post - record.get("feedbacks", {}).get("substituted_fte", 0.0)
        rate = np.divide(np.maximum(unmet, 0.0), est, out=np.zeros(len(est)), where=est > 0)
        excess = np.maximum(rate - self.threshold, 0.0)
        factor = np.exp(self.strength * excess) if self.exponential else 1.0 + self.strength * excess
        return np.where(self.groups, np.clip(factor, 1.0, self.max_factor), 1.0)

    def scale(self, model, hazard: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Leaving hook: monthly hazards whose annual equivalents are multiplied by the group's factor."""
        factor = self.factors(model.history[-1])
        _log(model)["workload_factor"] = factor
        f = factor[group]
        raised = calendar.annual_to_monthly(np.minimum(calendar.monthly_to_annual(hazard) * f, 1.0))
        return np.where(f > 1.0, raised, hazard)  # untouched where the factor is 1: bit-identical to no feedback


@dataclass
class Substitution:
    enabled: bool
    role: np.ndarray  # group codes
    target: np.ndarray  # group codes
    ratio: np.ndarray

    def met(self, record: dict) -> tuple[np.ndarray, np.ndarray]:
        """(demand met by new roles, change in the supply gap), by group, from a history record."""
        establishment, post = record["establishment_fte"], record["post_fte"]
        beyond = np.maximum(post[self.role] - establishment[self.role], 0.0)
        met = np.zeros(len(post))
        np.add.at(met, self.target, self.ratio * beyond)
        change = -met
        np.add.at(change, self.role, beyond)  # counted where they work, not as the role's surplus
        return met, change


@dataclass
class Feedbacks:
    supervision: Supervision
    workload: Workload
    substitution: Substitution

    @property
    def any(self) -> bool:
        return self.supervision.enabled or self.workload.enabled or self.substitution.enabled

    def switched(self, **on: bool) -> "Feedbacks":
        """A copy with the named feedbacks switched on or off."""
        out = copy.deepcopy(self)
        for name, value in on.items():
            if value is not None:
                getattr(out, name).enabled = bool(value)
        return out


def build(spec: FeedbacksSpec, stages: list[str], groups: list[str], stage_group: np.ndarray,
            stage_post: np.ndarray) -> Feedbacks:
    s, w, r = spec.supervision, spec.workload, spec.substitution
    pool_of, trainees, supervisors = {}, [], []
    for i, pool in enumerate(s.placements.values()):
        codes = np.array([stages.index(st) for st in pool.trainees], dtype=np.int16)
        pool_of.update({int(c): i for c in codes})
        trainees.append(codes)
        mask = np.zeros(len(stages), dtype=bool)
        for sup in pool.supervisors:
            mask |= (stage_post & (stage_group == groups.index(sup))) if sup in groups else \
                (np.arange(len(stages)) == stages.index(sup))
        supervisors.append(mask)
    ratio = np.array([pool.trainees_per_supervisor for pool in s.placements.values()])
    mask = np.ones(len(groups), dtype=bool) if w.groups is None else np.isin(groups, w.groups)
    return Feedbacks(
        supervision=Supervision(s.enabled, s.count == "headcount", pool_of, trainees,
                                supervisors, ratio),
        workload=Workload(w.enabled, mask, w.curve == "exponential", w.strength, w.threshold, w.max_factor),
        substitution=Substitution(r.enabled, np.array([groups.index(g) for g in r.roles], dtype=np.int64),
                                  np.array([groups.index(x.target) for x in r.roles.values()], dtype=np.int64),
                                  np.array([x.ratio for x in r.roles.values()], dtype=float)))


# ---- what the model records ------------------------------------------------------------------------
def _log(model) -> dict:
    """This month's feedback log of a model (emptied when the month is collected)."""
    return model.feedback_log


def collect(model, record: dict, src: np.ndarray, dst: np.ndarray, reason: np.ndarray) -> None:
    """Add the feedbacks in force this month to a history record (``record["feedbacks"]``), from the
    month's events (``src``, ``dst``, ``reason``)."""
    fb = model.inputs.feedbacks
    out = record["feedbacks"] = {}
    log, model.feedback_log = model.feedback_log, {}
    if fb.substitution.enabled:
        out["substituted_fte"], out["gap_change"] = fb.substitution.met(record)
    if fb.supervision.enabled:
        n = len(model.inputs.stages)
        entered = (dst >= 0) & (src != dst)
        away = reason == model.events.code_of("no_training_place")  # arrived, but beyond the places
        given = np.bincount(dst[entered], minlength=n) - np.bincount(src[away], minlength=n)
        out["places_filled"] = given.astype(float)
        out["places_commissioned"] = log.get("places_commissioned", np.zeros(n))
        out["places_capacity"] = log.get("places_capacity", np.zeros(n))
        out["supervised"] = np.isin(np.arange(n), list(fb.supervision.pool_of))
    if fb.workload.enabled:  # the factor the leaving process used this month (none yet at the start)
        out["workload_factor"] = log.get("workload_factor", fb.workload.factors(record))


def tidy_rows(results) -> list[tuple]:
    """Rows of the tidy table for the feedbacks in force: group measures at each snapshot, places
    summed over the twelve months to it (stage rows). None when no feedback was ever on."""
    from . import calendar

    s, rows = results.scenario, []
    for snapshot, months in results.yearly_records():
        year, date = calendar.year_of(snapshot["month"]), calendar.label(snapshot["month"])
        fb = snapshot.get("feedbacks", {})
        for measure, key, unit in (("workload_leaving_factor", "workload_factor", "factor"),
                                   ("substituted_fte", "substituted_fte", "fte")):
            if key in fb:
                rows += [(year, date, g, "all", measure, "", unit, float(v)) for g, v in zip(s.groups, fb[key])]
        places = [r["feedbacks"] for r in months if "places_filled" in r.get("feedbacks", {})]
        if places:
            sums = {k: np.sum([r[k] for r in places], axis=0) for k in ("places_commissioned", "places_filled",
                                                                         "places_capacity")}
            supervised = np.any([r["supervised"] for r in places], axis=0)
            for i in np.flatnonzero(sums["places_commissioned"] > 0):
                g = s.groups[s.stage_group[i]]
                rows.append((year, date, g, s.stages[i], "places_commissioned", "", "places", float(sums["places_commissioned"][i])))
                rows.append((year, date, g, s.stages[i], "places_filled", "", "people", float(sums["places_filled"][i])))
                if supervised[i]:
                    rows.append((year, date, g, s.stages[i], "places_supervisable", "", "places",
                                 float(sums["places_capacity"][i])))
    return rows
