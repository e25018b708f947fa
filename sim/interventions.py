"""Policy levers: small classes that record their own arguments and change a model from a date.

A lever is data (``TrainingPlaces(stage=..., places={2025: 580})``): a saved result says
exactly what produced it, and an experiment file names levers and their arguments (see
``sim.experiment``). Each month ``WorkforceModel.step`` calls ``lever.apply(model)`` before
the processes run. Levers change only the model's own copy of the compiled scenario
(``model.inputs``), never a shared one.

``apply`` is idempotent. The first lever applied to a model keeps a copy of its scenario as no
lever has changed it; whenever the set of levers in force changes (a lever's ``start`` is
reached, or a lever is added), the levers in force change a fresh copy of that one, in the order
they were given, and it becomes the model's scenario (the processes work their tables out again:
``sim.processes.Process``). So a lever never compounds month after month, two levers on the same
parameter compose the same way whenever each started, calling ``apply`` again in a month changes
nothing, and a new lever may change any part of the scenario with nothing to list for resetting.

Decisions where the plan is silent:

- rates are scaled as *annual* probabilities (``factor`` x the annual leaver, retirement or
  non-completion rate), then made monthly, as the scenario's own rates are;
- two retention levers on the same people multiply their effects;
- a lever setting a value outright (a fill rate, a schedule of places, transition shares, a feedback's
  switch) that a lever given after it sets from no later month would never act, and is refused; so would
  places or joiners a lever adds to what such a lever sets (extra places under a later schedule);
- recruitment levers change the joiners available a year and the share of vacancies filled
  a month; joiners still only fill vacancies, so extra recruits beyond the vacancies do not come
  (``recruits_unused`` counts them, and ``sim.analysis`` warns). Only a campaign with funded posts
  (``funded: true``) adds staff above the establishment: its recruits bring their posts with them.
"""

from __future__ import annotations

import copy
from typing import Annotated, ClassVar, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import calendar, pathways
from . import feedbacks as feedback_loops
from .errors import InputError, Problem, from_pydantic, rounded_down, rounded_up
from .fields import (MAX_PER_YEAR, AgeBound, BandRates, Fraction, Month, Name, PerYear, Probability, ShareBySex,
                     StayYears, Year, band_problem, band_table, by_sex, python_values, twice)
from .scenario import course_limit, course_overrun
from .uncertain import past_one

NonNegative = Annotated[float, Field(strict=True, ge=0.0, allow_inf_nan=False)]
Number = Annotated[float, Field(strict=True, ge=-1_000_000, le=1_000_000, allow_inf_nan=False)]
# funded_posts' share: posts added up to three times the establishment (four times the posts), above
# England's 4.4% a year of mental health demand growth over 20 years (2.4 times); a percentage for a
# share (10 for 10%) is refused, and more posts than that can be given as ``fte``
MAX_POSTS_SHARE = 3.0
# ltft_training's extra_places, a share of the places (0.1 for 10% more): bounded as funded_posts' share,
# so that a percentage (10 for 10%, eleven times the places) is refused
MAX_PLACES_SHARE = 3.0


class _MadeInPython(type(BaseModel)):
    """Levers made in Python (``TrainingPlaces(...)``): a bad argument is an ``InputError`` naming the
    lever's kind and the argument, as the lever is made (one that does not fit the scenario is refused as the model
    is built: ``refuse_policy_problems``). Only a call of the class comes here: an experiment file's levers are
    validated with the file, and named by it (``sim.experiment``)."""

    def __call__(cls, *args, **kwargs):
        if args:  # pydantic takes arguments by name only
            raise InputError.one(f"lever {cls.kind}", "", "arguments given by name (e.g. stage=..., start=...), not "
                                                          "by position", list(args))
        try:
            return super().__call__(**python_values(kwargs))
        except ValidationError as exc:
            raise from_pydantic(f"lever {cls.kind}", exc, cls) from None


class Lever(BaseModel, metaclass=_MadeInPython):
    """A policy lever. Subclasses set ``lever`` (its name in experiment files) and implement
    ``problems`` (checks against a scenario) and ``change`` (edits the scenario's arrays)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: ClassVar[str]

    start: Month | None = None  # from which the lever is in force; none: from the scenario's start
    adds_people: ClassVar[bool] = False  # whether it can bring more people into a run (places, recruits)

    @property
    def start_month(self) -> int | None:
        return None if self.start is None else calendar.parse(self.start)

    def model_copy(self, *, update: dict | None = None, deep: bool = False) -> "Lever":
        """A copy of the lever (one that acts again, listed beside it); with ``update``, the lever made again
        from its arguments and the changed ones, checked as any lever's are: pydantic's copy takes an update
        unchecked, so a negative retention factor ran, and a word for places failed inside the run."""
        if not update:
            return super().model_copy(deep=deep)
        return type(self)(**({name: getattr(self, name) for name in self.model_fields_set} | dict(update)))

    def describe(self) -> dict:
        """The lever's arguments, as an experiment file would give them."""
        return self.model_dump(exclude_none=True)

    def problems(self, s) -> list[tuple[str, str, object]]:
        """(field, expected, found) for every argument that does not fit scenario ``s``."""
        return []

    def sets(self, s) -> dict[str, set]:
        """What each argument sets outright in scenario ``s``, replacing what was there (a fill rate, a
        transition's shares, a feedback's switch), as ``{argument: {(what, where), ...}}``; an argument that adds
        to or scales what is there (extra places, a retention factor) sets nothing. A lever given after it that
        sets the same from no later month replaces it whenever it is in force (``superseded``)."""
        return {}

    def adds(self, s) -> dict[str, set]:
        """What each argument adds to or scales in scenario ``s`` (extra places, extra joiners), keyed as ``sets``
        keys what a lever sets outright: a lever given after it that sets the same from no later month replaces
        the sum, and the argument with it (``superseded``)."""
        return {}

    def _at_least_one(self, *names: str) -> None:
        """A lever that changes nothing is a mistake: one of the named arguments must be given."""
        if all(getattr(self, name) is None for name in names):
            raise ValueError(f"{', '.join(names[:-1])} or {names[-1]} (at least one)")

    def change(self, s) -> None:  # pragma: no cover - every lever overrides it
        raise NotImplementedError

    def apply(self, model) -> None:
        """Bring the model's parameters in line with the levers in force this month."""
        if model.lever_state is None:
            model.lever_state = LeverState(model)
        model.lever_state.update(model, self)


# ---- choosing stages and groups ---------------------------------------------------------------
def _groups(s, groups, problems) -> np.ndarray:
    """Boolean mask over groups (all when ``groups`` is None; an empty list, which would choose
    nobody and make the lever a silent no-op, is a problem, as is a group named twice: chosen once,
    where the lever's fte or joiners may have been meant twice, or another group meant)."""
    if groups is None:
        return np.ones(len(s.groups), dtype=bool)
    if not groups:
        problems.append(("groups", f"at least one staff group of the scenario ({', '.join(s.groups)}), or no "
                                   "groups: for every group", []))
    problems += [("groups", "each staff group once", g) for g in twice(groups)]
    mask = np.zeros(len(s.groups), dtype=bool)
    for g in groups:
        if g in s.groups:
            mask[s.groups.index(g)] = True
        else:
            problems.append(("groups", f"a staff group of the scenario ({', '.join(s.groups)})", g))
    return mask


def _group_names(s, groups) -> list[str]:
    """The names of the groups a lever's ``groups`` chooses (``_groups``)."""
    return [s.groups[i] for i in np.flatnonzero(_groups(s, groups, []))]


def _stages(s, groups, stages, problems, training: bool | None) -> np.ndarray:
    """Boolean mask over stages: those named (default all) in the chosen groups, of the wanted kind. A stage
    named of a group not chosen is a problem: it was left out of the lever, in silence."""
    kind = np.ones(len(s.stages), dtype=bool) if training is None else s.stage_training == training
    wanted = "a training stage" if training else "a stage whose staff can leave (not a training stage)"
    before = len(problems)
    chosen = _groups(s, groups, problems)
    groups_good = len(problems) == before  # else a stage of none of them may be the group's fault, named already
    mask = chosen[s.stage_group] & kind
    if stages is None:
        return mask
    if not stages:  # as an empty list of groups: nobody chosen
        problems.append(("stages", "at least one stage, or no stages: for every stage of the groups chosen", []))
    problems += [("stages", "each stage once", st) for st in twice(stages)]
    named = np.zeros(len(s.stages), dtype=bool)
    for st in stages:
        code = s.stages.index(st) if st in s.stages else None
        if code is None:
            problems.append(("stages", _unknown_stage(s, st), st))
        elif training is not None and s.stage_training[code] != training:
            problems.append(("stages", wanted, st))
        elif groups_good and not chosen[s.stage_group[code]]:
            problems.append(("stages", f"a stage of the groups chosen ({', '.join(groups)}; {st} is "
                                       f"{s.groups[s.stage_group[code]]}'s), or no groups: for the stages named", st))
        else:
            named[code] = True
    return mask & named


def _none_chosen(lever, kind: str) -> tuple[str, str, object]:
    """The problem of a lever whose groups choose no stage: none of the kind the lever acts on (a stage named
    of another group is refused by ``_stages``)."""
    return "groups", f"groups with at least one stage of the kind the lever acts on ({kind})", lever.groups


def _unknown_stage(s, stage: str) -> str:
    """What a stage name should have been: naming the pathway too when that is what is wrong."""
    pathway = stage.split("/")[0] if "/" in stage else None
    if pathway is not None and pathway not in s.pathway_names:
        return f"a stage of one of the scenario's pathways ({', '.join(s.pathway_names)}); no pathway '{pathway}'"
    return f"a stage of the scenario ({', '.join(s.stages)})"


def _scale_annual(monthly: np.ndarray, factor: float) -> np.ndarray:
    """Monthly hazards whose annual equivalent is ``factor`` x the annual equivalent of ``monthly``.
    ``_factor_problems`` refuses a factor taking any of them past 1; the minimum only absorbs rounding."""
    annual = calendar.monthly_to_annual(monthly)
    return calendar.annual_to_monthly(np.minimum(annual * factor, 1.0))


def _factor_problems(field: str, factor: float | None, monthly: np.ndarray, what: str, raised: float = 1.0) -> list:
    """A factor on annual rates may take none of them above 1: clamped, a slip such as 90 for 0.90 would
    make everyone leave within the month in silence. ``raised``: the most the workload feedback multiplies
    them by on top. The largest factor allowed is given rounded down."""
    annual = calendar.monthly_to_annual(np.asarray(monthly, dtype=float))
    highest = float(annual.max(initial=0.0))
    if factor is None or highest <= 0.0 or not past_one(factor * raised, highest):
        return []
    on_top = f", raised up to {raised:g} times by the workload feedback's max_factor" if raised != 1.0 else ""
    return [(field, f"a factor of at most {rounded_down(1.0 / (highest * raised))}, which keeps every {what} it "
                    f"scales within 1 a year (the highest is {highest:.3g}{on_top})", factor)]


def _workload_problems(s) -> list:
    """The workload feedback switched on by a lever: its cap (``feedbacks.workload.max_factor``) may take no leaver
    rate it acts on past 1, as the rates stand with the retention levers in force (``feedbacks.past_max_factor``)."""
    workload = s.feedbacks.workload
    leave = s.leave_monthly[s.stage_group]
    if s.stage_leave_factor is not None:
        leave = leave * s.stage_leave_factor
    annual = calendar.monthly_to_annual(leave).max(axis=(1, 2))
    acted = workload.groups[s.stage_group] & ~s.stage_training
    highest = {g: float(annual[acted & (s.stage_group == i)].max(initial=0.0)) for i, g in enumerate(s.groups)}
    past = feedback_loops.past_max_factor(workload.max_factor, highest)
    if past is None:
        return []
    levers = ", with the retention levers in force," if s.stage_leave_factor is not None else ""
    return [("workload", f"false, or a workload feedback whose cap (the scenario's feedbacks.workload.max_factor, "
                         f"{workload.max_factor:g}) is at most {past[0]}, keeping every leaver rate it raises within 1 "
                         f"a year (the highest{levers} is {past[2]:.3g}, of {past[1]})", True)]


def _places_problems(field: str, value: float, s, stages, largest) -> list:
    """Places a lever adds keep each stage's places within the million a year any schedule may give
    (``fields.MAX_PER_YEAR``); ``largest`` gives the largest value allowed for a year's places."""
    problems = []
    for stage in stages:
        intake = s.spec.intake.get(stage)
        if intake is None or not intake.places:
            continue
        year, places = max(intake.places.items(), key=lambda item: item[1])
        if places > 0 and value > largest(places):
            problems.append((field, f"at most {rounded_down(largest(places))}, keeping {stage}'s places "
                                    f"({places:g} in {year}) within {MAX_PER_YEAR:,} a year", value))
    return problems


# ---- the levers ---------------------------------------------------------------------------------
class TrainingPlaces(Lever):
    """Commissioned places of an intake stage: a new schedule by academic year (replacing the
    scenario's from its first year on), places added to every year, and/or a new fill rate.

    For example mental health nursing to 580 a year by 2025/26, 8 more core psychiatry places
    from 2022, or a CAAP cohort of 30 a year.
    """

    kind: ClassVar[str] = "training_places"
    adds_people: ClassVar[bool] = True
    lever: Literal["training_places"] = "training_places"
    stage: str
    places: dict[Year, PerYear] | None = None
    extra: Number | None = None  # places added to (or, if negative, taken from) every academic year
    fill_rate: Probability | None = None

    @model_validator(mode="after")
    def _something(self):
        self._at_least_one("places", "extra", "fill_rate")
        if self.places is not None and not self.places:
            raise ValueError("places for at least one academic year")
        return self

    def problems(self, s):
        if self.stage not in s.stages:
            return [("stage", _unknown_stage(s, self.stage), self.stage)]
        if self.stage not in s.spec.intake:
            return [("stage", f"a stage with commissioned places in the scenario's intake "
                              f"({', '.join(s.spec.intake)})", self.stage)]
        return self._extra_problems(s)

    def sets(self, s):
        """A schedule replaces the places from its first academic year on: ``(places, stage, first year)``."""
        out = {"fill_rate": {("fill_rate", self.stage)}} if self.fill_rate is not None else {}
        return out | ({"places": {("places", self.stage, min(self.places))}} if self.places else {})

    def adds(self, s):
        """Extra places add to every academic year: ``(places, stage, the year of the first intake it acts in)``,
        which a schedule from that year or an earlier one replaces."""
        if not self.extra or self.stage not in s.spec.intake:
            return {}
        year = calendar.academic_year(first_intake(s, self.stage, self.start_month))
        return {"extra": {("places", self.stage, year)}}

    def _extra_problems(self, s) -> list:
        if not self.extra:
            return []
        if self.extra < 0:  # a cut: never more places than a year has (else taken as no places, in silence)
            year, fewest = min(self._schedule(s).items(), key=lambda item: item[1])
            if self.extra + fewest < 0:
                return [("extra", f"at least {0 - fewest:g}: a cut of no more places than {self.stage} has in any "
                                  f"year ({fewest:g} in {year})", self.extra)]
            return []
        return _places_problems("extra", self.extra, s, [self.stage], lambda places: MAX_PER_YEAR - places)

    def _schedule(self, s) -> dict:
        """The stage's places by academic year with this lever's schedule in, before its ``extra``."""
        places = dict(s.spec.intake[self.stage].places)
        if self.places is None:
            return places
        first = min(self.places)
        return {**{y: v for y, v in places.items() if y < first}, **self.places}

    def change(self, s) -> None:
        intake = s.spec.intake[self.stage]
        places = self._schedule(s)
        if self.extra is not None:
            places = {y: v + self.extra for y, v in places.items()}
        intake.places = places
        if self.fill_rate is not None:
            intake.fill_rate = self.fill_rate


class InServiceRoute(TrainingPlaces):
    """Places a year on an in-service route, such as support workers training as nurses while
    employed (``hcsw/nursing_apprenticeship``): places taken by people selected from a post."""

    kind: ClassVar[str] = "in_service_route"
    adds_people: ClassVar[bool] = False  # its places are taken by staff already in the run
    lever: Literal["in_service_route"] = "in_service_route"

    def problems(self, s):
        routes = [st for st, spec in s.spec.intake.items() if spec.from_stage is not None]
        if self.stage not in s.stages:
            return [("stage", _unknown_stage(s, self.stage), self.stage)]
        if self.stage not in routes:
            return [("stage", f"an in-service intake stage (one with from_stage: {', '.join(routes) or 'none'})",
                     self.stage)]
        return self._extra_problems(s)


class Retention(Lever):
    """Leaver rates (leaving employment, not retirement) scaled by ``factor`` for chosen groups,
    stages and ages: 0.9 means a tenth fewer leavers among the people chosen."""

    kind: ClassVar[str] = "retention"
    lever: Literal["retention"] = "retention"
    factor: NonNegative
    groups: list[str] | None = None
    stages: list[str] | None = None
    ages: tuple[AgeBound, AgeBound] | None = None  # [low, high) in years, on the scenario's age band bounds

    @field_validator("ages")
    @classmethod
    def _ordered(cls, v):
        if v is not None and v[0] >= v[1]:
            raise ValueError("[low, high] with low < high")
        return v

    def _bands(self, s, problems) -> np.ndarray:
        edges = (s.band_edges // 12).tolist()
        if self.ages is None:
            return np.ones(len(edges), dtype=bool)
        low, high = self.ages
        if low not in edges or not (high in edges or high >= 100):
            problems.append(("ages", f"[low, high] on the scenario's age band bounds ({', '.join(map(str, edges))}; "
                                     "100 or more for no upper bound)", list(self.ages)))
        lower = np.array(edges, dtype=float)
        return (lower >= low) & (lower < high)

    def problems(self, s):
        problems: list = []
        stages = np.flatnonzero(_stages(s, self.groups, self.stages, problems, training=False))
        if not problems and not len(stages):  # stages of other groups than those named: nobody chosen, in silence
            problems.append(_none_chosen(self, "a stage whose staff can leave (not a training stage)"))
        bands = self._bands(s, problems)
        if not problems and self.factor > 1.0:
            leave = s.leave_monthly[s.stage_group[stages]][:, :, bands]
            if s.stage_leave_factor is not None:  # as other retention levers left them
                leave = leave * s.stage_leave_factor[np.ix_(stages, [0, 1], np.flatnonzero(bands))]
            problems += _factor_problems("factor", self.factor, leave, "leaver rate")
            workload = s.feedbacks.workload
            if not problems and workload.enabled:
                problems += _factor_problems("factor", self.factor, leave[workload.groups[s.stage_group[stages]]],
                                             "leaver rate", raised=workload.max_factor)
        return problems

    def change(self, s) -> None:
        if self.factor == 1.0:
            return  # leave the hazards bit for bit as they are
        stages = np.flatnonzero(_stages(s, self.groups, self.stages, [], training=False))
        bands = self._bands(s, [])
        if s.stage_leave_factor is None:
            s.stage_leave_factor = np.ones((len(s.stages), 2, len(s.band_edges)))
        monthly = s.leave_monthly[s.stage_group[stages]][:, :, bands]  # (stage, sex, band)
        scaled = _scale_annual(monthly, self.factor)
        ratio = np.divide(scaled, monthly, out=np.ones_like(monthly), where=monthly > 0)
        s.stage_leave_factor[np.ix_(stages, [0, 1], np.flatnonzero(bands))] *= ratio


class RetireAndReturn(Lever):
    """Flexible retirement and retire-and-return for chosen groups: the share of retirees who
    come back, the cut in their hours, how long they stay, and retirement rates scaled by
    ``retirement_factor`` (below 1: people retire later)."""

    kind: ClassVar[str] = "retire_and_return"
    lever: Literal["retire_and_return"] = "retire_and_return"
    groups: list[str] | None = None
    share: BandRates | None = None  # by age band at retiring (and sex), as the scenario's
    hours_cut: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] | None = None
    stay_years: StayYears | None = None
    retirement_factor: NonNegative | None = None

    @model_validator(mode="after")
    def _something(self):
        self._at_least_one("share", "hours_cut", "stay_years", "retirement_factor")
        if self.stay_years is not None and self.stay_years[0] > self.stay_years[1]:
            raise ValueError("stay_years as [low, high] with low <= high")
        return self

    def problems(self, s):
        problems: list = []
        g = _groups(s, self.groups, problems)
        wrong = band_problem(self.share, (s.band_edges // 12).tolist())
        if wrong:
            problems.append(("share", *wrong))
        if not problems and self.retirement_factor is not None and self.retirement_factor > 1.0:
            problems += _factor_problems("retirement_factor", self.retirement_factor, s.retire_monthly[g],
                                         "retirement rate")
        return problems

    def sets(self, s):
        groups = _group_names(s, self.groups)
        return {name: {(name, g) for g in groups} for name in ("share", "hours_cut", "stay_years")
                if getattr(self, name) is not None}

    def change(self, s) -> None:
        g = _groups(s, self.groups, [])
        if self.share is not None:
            s.return_share[g] = band_table(self.share, len(s.band_edges))
        if self.hours_cut is not None:
            s.return_hours_cut[g] = self.hours_cut
        if self.stay_years is not None:
            s.return_stay_months[g] = 12 * np.array(self.stay_years)
        if self.retirement_factor is not None and self.retirement_factor != 1.0:
            s.retire_monthly[g] = _scale_annual(s.retire_monthly[g], self.retirement_factor)


class LtftTraining(Lever):
    """Less-than-full-time training in chosen training stages: the share who train LTFT (one for
    all, or ``{female: p, male: p}``, as a pathway gives it) and their fraction of full time, with
    ``extra_places`` (a share, 0.1 = 10% more) added to those stages' commissioned places to make
    up for the longer time LTFT trainees take."""

    kind: ClassVar[str] = "ltft_training"
    lever: Literal["ltft_training"] = "ltft_training"
    groups: list[str] | None = None
    stages: list[str] | None = None
    share: ShareBySex
    fraction: tuple[Fraction, Fraction] | None = None
    extra_places: Annotated[float, Field(strict=True, ge=0.0, le=MAX_PLACES_SHARE, allow_inf_nan=False)] = 0.0

    @field_validator("fraction")
    @classmethod
    def _ordered(cls, v):
        if v is not None and v[0] > v[1]:
            raise ValueError("[low, high] with low <= high")
        return v

    def problems(self, s):
        problems: list = []
        chosen = _stages(s, self.groups, self.stages, problems, training=True)
        if not problems and not chosen.any():
            problems.append(("stages", "at least one training stage in the chosen groups", self.stages))
        if self.extra_places > 0 and not any(s.stages[i] in s.spec.intake for i in np.flatnonzero(chosen)):
            problems.append(("extra_places", "0, as no chosen stage has commissioned places", self.extra_places))
        elif self.extra_places > 0:
            problems += _places_problems("extra_places", self.extra_places, s,
                                         [s.stages[i] for i in np.flatnonzero(chosen)],
                                         lambda places: MAX_PER_YEAR / places - 1.0)
        if not problems:
            problems += self._course_problems(s, chosen)
        return problems

    def _course_problems(self, s, chosen) -> list:
        """The check a pathway's LTFT gets (``scenario.course_overrun``): trainees entering a chosen stage at the
        ages its stocks and intake give finish it at its slowest by their group's maximum age and that of the
        groups whose posts it leads to (``scenario.course_limit``), else they would retire before finishing, or
        on arriving, in silence. The lowest fraction allowed is given rounded up."""
        trial = copy.copy(s)
        trial.stage_ltft_share, trial.stage_ltft_range = s.stage_ltft_share.copy(), s.stage_ltft_range.copy()
        self._set(trial, chosen)
        slowest = trial.slowest_months()
        out = []
        for i in np.flatnonzero(chosen):
            stage, years = s.stages[i], slowest[i] / 12
            oldest, group = course_limit(s.spec, s.graph, stage)
            own = group == s.groups[s.stage_group[i]]
            entering = [(f"{section}.{stage}.age", spec.age) for section, spec in
                        (("stocks", s.spec.stocks.get(stage)), ("intake", s.spec.intake.get(stage)))
                        if spec is not None and spec.age]
            over = [(max(b.high for b in ages), where) for where, ages in entering
                    if course_overrun(ages, years, oldest, past_refused=own)]
            if not over:
                continue
            high, where = max(over)
            low = float(trial.stage_ltft_range[i, 0])
            extra = slowest[i] - np.ceil(s.stage_months[i] / low)  # the extra time, in whole months
            room = 12 * (oldest - high) - extra  # months at most at the lowest fraction
            lowest = f"a lowest fraction of at least {rounded_up(s.stage_months[i] / room)}" \
                if room >= s.stage_months[i] else "no LTFT"
            wanted = lowest if self.fraction is not None else f"{lowest} (the pathway's is {low:g}), or a share of 0"
            out.append(("fraction" if self.fraction is not None else "share",
                        f"{wanted} in {stage}: with the {years:.4g} years of the course at its slowest (LTFT at its "
                        f"lowest fraction, and the longest extra time), trainees entering at up to {high:g} ({where}) "
                        f"would pass " + (f"the group's maximum age ({oldest})" if own else
                                          f"the maximum age ({oldest}) of group {group}, whose posts it leads to"),
                        list(self.fraction) if self.fraction is not None else self.share))
        return out

    def sets(self, s):
        stages = [s.stages[i] for i in np.flatnonzero(_stages(s, self.groups, self.stages, [], training=True))]
        return {name: {(f"ltft_{name}", stage) for stage in stages} for name in ("share", "fraction")
                if getattr(self, name) is not None}

    def adds(self, s):
        """Extra places scale every academic year of the chosen stages with places, as ``TrainingPlaces.adds``."""
        if not self.extra_places:
            return {}
        chosen = np.flatnonzero(_stages(s, self.groups, self.stages, [], training=True))
        return {"extra_places": {("places", s.stages[i], calendar.academic_year(first_intake(s, s.stages[i],
                                                                                              self.start_month)))
                                 for i in chosen if s.stages[i] in s.spec.intake}}

    def _set(self, s, chosen) -> None:
        """This lever's LTFT share and fraction in the chosen stages of ``s``."""
        s.stage_ltft_share[chosen] = by_sex(self.share)
        if self.fraction is not None:
            s.stage_ltft_range[chosen] = self.fraction

    def change(self, s) -> None:
        chosen = _stages(s, self.groups, self.stages, [], training=True)
        self._set(s, chosen)
        s.stage_attrition = s.attrition_hazards()  # over the stay LTFT lengthens
        if self.extra_places > 0:
            for i in np.flatnonzero(chosen):
                intake = s.spec.intake.get(s.stages[i])
                if intake is not None:
                    intake.places = {y: v * (1.0 + self.extra_places) for y, v in intake.places.items()}


class Recruitment(Lever):
    """Qualified staff recruited from outside the pipeline, for chosen groups: the joiners
    available a year (``per_year``, or ``extra_per_year`` on top of the scenario's), and the
    share of vacant FTE filled a month. With ``source`` (e.g. ``international`` or
    ``return_to_practice``) the extra joiners come from that pool (a campaign raising its supply).

    Joiners fill vacancies only, so extra supply the vacancies do not take is not used. With
    ``funded: true`` the campaign's recruits (``extra_per_year`` from ``source``) take posts funded
    for them as they arrive, so the establishment grows with the FTE they bring; the pools that
    fill vacancies get none of the extra, and the posts stay funded when their holders leave.
    """

    kind: ClassVar[str] = "recruitment"
    adds_people: ClassVar[bool] = True
    lever: Literal["recruitment"] = "recruitment"
    groups: list[str] | None = None
    per_year: PerYear | None = None
    extra_per_year: PerYear | None = None
    fill_per_month: Probability | None = None
    source: Name | None = None
    funded: Annotated[bool, Field(strict=True)] = False

    @model_validator(mode="after")
    def _something(self):
        self._at_least_one("per_year", "extra_per_year", "fill_per_month")
        if self.source is not None and not self.extra_per_year:
            raise ValueError("extra_per_year with a source (the source labels the extra joiners)")
        if self.funded and (not self.extra_per_year or self.source is None):
            raise ValueError("extra_per_year and source with funded: true (the campaign's recruits a year and "
                             "their pool)")
        return self

    def describe(self) -> dict:
        out = super().describe()
        if not self.funded:
            out.pop("funded")  # as levers without the argument were always described
        return out

    def problems(self, s):
        problems: list = []
        g = _groups(s, self.groups, problems)
        without = [s.groups[i] for i in np.flatnonzero(g) if s.spec.groups[s.groups[i]].joiners is None]
        if self.groups is not None and without:
            problems.append(("groups", "groups with joiners in the scenario", without))
        elif without and len(without) == g.sum():  # every group chosen, none with joiners: nobody recruited
            problems.append(("groups", "groups with joiners in the scenario: with no groups: the lever is for "
                                       "every group, and none has joiners, so it would recruit nobody", None))
        if self.source is not None:  # a misspelt pool would be a new one, in silence
            for i in np.flatnonzero(g):
                joiners = s.spec.groups[s.groups[i]].joiners
                if joiners is not None and self.source not in joiners.sources:
                    problems.append(("source", f"a pool of {s.groups[i]}'s joiners ({', '.join(joiners.sources)}); "
                                               "a new pool is added to the group's joiners in the scenario, with 0 "
                                               "a year", self.source))
        return problems

    def sets(self, s):
        groups = _group_names(s, self.groups)
        return {name: {(name, g) for g in groups} for name in ("per_year", "fill_per_month")
                if getattr(self, name) is not None}

    def adds(self, s):
        """Extra joiners add to each chosen group's supply a year, which a ``per_year`` replaces; a funded
        campaign's are its own (``campaigns``), and those of a ``source`` also weigh the pools' shares towards
        it, which a ``per_year`` leaves as they are: both act still."""
        if not self.extra_per_year or self.funded or self.source is not None:
            return {}
        return {"extra_per_year": {("per_year", g) for g in _group_names(s, self.groups)}}

    def change(self, s) -> None:
        g = _groups(s, self.groups, []) & np.array([s.spec.groups[x].joiners is not None for x in s.groups])
        if self.per_year is not None:
            s.joiners_per_year[g] = self.per_year
        base = s.joiners_per_year.copy()  # the supply the extra is added to
        if self.fill_per_month is not None:
            s.joiner_fill_per_month[g] = self.fill_per_month
        if self.funded:
            for i in np.flatnonzero(g):
                key = (int(i), self.source)
                s.campaigns[key] = s.campaigns.get(key, 0.0) + self.extra_per_year
            return
        if self.extra_per_year:
            s.joiners_per_year[g] += self.extra_per_year
        if self.source is not None:
            for i in np.flatnonzero(g):
                spec = s.spec.groups[s.groups[i]].joiners
                before, total = base[i], s.joiners_per_year[i]
                shares = {k: v * before / total for k, v in spec.sources.items()} if total > 0 else {}
                shares[self.source] = shares.get(self.source, 0.0) + (self.extra_per_year / total if total > 0 else 1.0)
                spec.sources = shares


class TrainingAttrition(Lever):
    """Training non-completion reduced by a share (0.25: a quarter fewer leave training) in
    chosen training stages."""

    kind: ClassVar[str] = "training_attrition"
    lever: Literal["training_attrition"] = "training_attrition"
    reduction: Probability
    groups: list[str] | None = None
    stages: list[str] | None = None

    def problems(self, s):
        problems: list = []
        chosen = _stages(s, self.groups, self.stages, problems, training=True)
        if not problems and not chosen.any():  # stages of other groups than those named: nobody chosen, in silence
            problems.append(_none_chosen(self, "a training stage"))
        elif not problems:  # a stage nobody leaves has no attrition to reduce: the lever would change nothing
            none = [st for st in self.stages or [] if not s.stage_attrition_share[s.stage_code(st)]]
            if none or not s.stage_attrition_share[chosen].any():
                field, found = ("stages", none) if none else ("groups", self.groups)
                problems.append((field, "training stages with attrition to reduce (a stage whose pathway's attrition "
                                        "is 0 loses nobody: the lever would change nothing there)", found))
        return problems

    def change(self, s) -> None:
        chosen = _stages(s, self.groups, self.stages, [], training=True)
        s.stage_attrition_share[chosen] *= 1.0 - self.reduction
        s.stage_attrition = s.attrition_hazards()


class Transitions(Lever):
    """The shares of people completing a stage who take each of its transitions: for example
    more foundation doctors choosing core psychiatry, or a dedicated mental health cohort of
    physician associates (more graduates taking mental health posts). Transitions not named
    get none; the shares must sum to 1."""

    kind: ClassVar[str] = "transitions"
    lever: Literal["transitions"] = "transitions"
    stage: str
    shares: dict[str, Probability]

    @field_validator("shares")
    @classmethod
    def _sum(cls, v):
        total = sum(v.values())
        if not v or abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares summing to 1 (they sum to {total:.6g})")
        return v

    def _targets(self, s) -> list[str]:
        return [target for _, target in s.graph.out_edges(self.stage)]

    def problems(self, s):
        if self.stage not in s.stages:
            return [("stage", _unknown_stage(s, self.stage), self.stage)]
        targets = self._targets(s)
        if not targets:
            return [("stage", "a stage with transitions (not a final stage)", self.stage)]
        unknown = [(f"shares.{name}", f"a transition of {self.stage} ({', '.join(targets)})", name)
                   for name in self.shares if name not in targets]
        if not unknown and self.stage in pathways.trapped(self._graph(s)):
            return [("shares", "shares that leave a way on to a final stage or an exit (these close a cycle with no "
                               "way out, keeping people in it until they retire)", self.shares)]
        return unknown

    def sets(self, s):
        return {"shares": {("transitions", self.stage)}}

    def _graph(self, s):
        """The pathway graph with the transition shares in force (other levers' too) and this lever's."""
        graph = s.graph.copy()
        for stage, cumulative in zip(s.stages, s.transition_cumulative):
            shares = np.diff(cumulative, prepend=0.0)
            if stage == self.stage:
                shares = [self.shares.get(target, 0.0) for target in graph.succ[stage]]
            for target, p in zip(list(graph.succ[stage]), shares):
                graph.edges[stage, target]["probability"] = float(p)
        return graph

    def change(self, s) -> None:
        cumulative = np.cumsum([self.shares.get(target, 0.0) for target in self._targets(s)])
        s.transition_cumulative[s.stage_code(self.stage)] = cumulative / cumulative[-1]


class Feedbacks(Lever):
    """Switch on (or off) feedbacks configured in the scenario's ``feedbacks:`` section
    (``sim.feedbacks``): supervision capacity, workload-driven leaving, substitution by new roles.
    Their settings (and strengths) stay the scenario's; change those with overrides."""

    kind: ClassVar[str] = "feedbacks"
    lever: Literal["feedbacks"] = "feedbacks"
    supervision: Annotated[bool, Field(strict=True)] | None = None
    workload: Annotated[bool, Field(strict=True)] | None = None
    substitution: Annotated[bool, Field(strict=True)] | None = None

    @model_validator(mode="after")
    def _something(self):
        if self.supervision is None and self.workload is None and self.substitution is None:
            raise ValueError("supervision, workload or substitution (true or false)")
        return self

    def problems(self, s):
        out = []
        if self.supervision and not s.spec.feedbacks.supervision.placements:
            out.append(("supervision", "placement pools in the scenario's feedbacks.supervision.placements", True))
        if self.substitution and not s.spec.feedbacks.substitution.roles:
            out.append(("substitution", "roles in the scenario's feedbacks.substitution.roles", True))
        if self.workload and not feedback_loops.strength_given(s.spec.feedbacks.workload):
            out.append(("workload", f"a strength for the workload feedback in the scenario's feedbacks.workload."
                                    f"strength: {feedback_loops.NO_STRENGTH}", True))
        elif self.workload:
            out += _workload_problems(s)
        return out

    def sets(self, s):
        return {name: {(name,)} for name in ("supervision", "workload", "substitution")
                if getattr(self, name) is not None}

    def change(self, s) -> None:
        s.feedbacks = s.feedbacks.switched(supervision=self.supervision, workload=self.workload,
                                           substitution=self.substitution)


# ---- funded posts ----------------------------------------------------------------------------------
class FundedPosts(Lever):
    """New posts funded for chosen groups: each group's funded establishment grows by ``fte`` and/or
    by ``share`` of itself (0.1: a tenth more posts), reached in equal monthly steps over
    ``ramp_years`` from ``start`` (0: all at once), then kept. Recruitment fills vacancies against the
    funded establishment, so the new posts draw joiners; need (``sim.demand``) is not changed."""

    kind: ClassVar[str] = "funded_posts"
    lever: Literal["funded_posts"] = "funded_posts"
    groups: list[str] | None = None
    fte: PerYear | None = None  # FTE added to each chosen group's establishment
    share: Annotated[float, Field(strict=True, ge=0.0, le=MAX_POSTS_SHARE, allow_inf_nan=False)] | None = None
    ramp_years: Annotated[float, Field(strict=True, ge=0.0, le=50.0, allow_inf_nan=False)] = 0.0

    @model_validator(mode="after")
    def _something(self):
        self._at_least_one("fte", "share")
        return self

    def problems(self, s):
        problems: list = []
        _groups(s, self.groups, problems)
        return problems

    def ramp(self, s) -> np.ndarray:
        """The share of the new posts funded in each month from the scenario's start (0 before ``start``)."""
        months = np.arange(len(s.posts_added_fte)) + s.start
        first = s.start if self.start_month is None else self.start_month
        steps = max(calendar.months(self.ramp_years), 1)
        return np.clip((months - first + 1) / steps, 0.0, 1.0)

    def change(self, s) -> None:
        g = _groups(s, self.groups, [])
        ramp = self.ramp(s)[:, None] * g[None, :]
        if self.fte:
            s.posts_added_fte += self.fte * ramp
        if self.share:
            s.posts_added_share += self.share * ramp


LEVERS: dict[str, type[Lever]] = {c.kind: c for c in
                                  (TrainingPlaces, InServiceRoute, Retention, RetireAndReturn, LtftTraining,
                                   Recruitment, TrainingAttrition, Transitions, Feedbacks, FundedPosts)}
AnyLever = Annotated[Union[tuple(LEVERS.values())], Field(discriminator="lever")]


# ---- keeping levers idempotent ----------------------------------------------------------------
def start_problems(lever, scenario, end: int) -> list[tuple[str, str, object]]:
    """A lever must act within the run: a start before the scenario's would be taken as its start,
    and one after the run's end would never act, both in silence. So would a lever on a stage's
    places (``training_places``, ``in_service_route``) with no intake of the stage from its start,
    or from its schedule's first academic year, to the run's end: places change only at an intake;
    and a year of its schedule whose intake is after the scenario's end."""
    problems = []
    if lever.start is not None and not scenario.start <= lever.start_month <= end:
        problems.append(("start", f"a month within the run, from the scenario's start ({scenario.spec.start}) to "
                                  f"the run's end ({calendar.label(end)})", lever.start))
        return problems
    intake = scenario.spec.intake.get(getattr(lever, "stage", None))
    if not isinstance(lever, TrainingPlaces) or intake is None:
        return problems
    places = lever.places
    scheduled = intake_month(min(places), intake.month) if places else None
    if scheduled is not None and scheduled > end:
        problems.append(("places", f"a schedule whose first intake ({calendar.label(scheduled)}) is within the "
                                   f"run, which ends {calendar.label(end)}", sorted(places)))
        return problems
    late = [year for year in sorted(places or ()) if intake_month(year, intake.month) > scenario.end]
    if late:  # never acts in any run of the scenario (a run cut short may still leave out later years)
        problems.append(("places", f"academic years whose intake is within the scenario, which ends "
                                   f"{scenario.spec.end} (the intake of {late[0]} is "
                                   f"{calendar.label(intake_month(late[0], intake.month))}: it would never act)",
                         late))
        return problems
    first = first_intake(scenario, lever.stage, max(lever.start_month or scenario.start, scheduled or scenario.start))
    if first > end:
        problems.append(("start" if lever.start is not None else "stage",
                         f"a lever that acts within the run: {lever.stage}'s places change only at its intake, in "
                         f"month {intake.month} each year, and the first from the lever's start is "
                         f"{calendar.label(first)}, after the run's end ({calendar.label(end)})",
                         lever.start if lever.start is not None else lever.stage))
    return problems


def _in_a_file(i: int) -> str:
    """A lever's place in an experiment file's policy, as a problem names it (``levers.1``)."""
    return f"levers.{i}"


def policy_problems(levers, scenario, end: int | None, name=_in_a_file) -> list[tuple[int, str, str, object]]:
    """(lever index, field, expected, found) for a policy's levers, each checked against the scenario as
    the levers before it leave it, all in force: two retention levers multiply, so each may fit the
    scenario while together they take a leaver rate past 1, whenever each starts. ``end``: the run's
    last month, to check the levers' starts against (None: not checked); ``name``: how a lever's place is
    named to the user, in a problem naming another lever (``superseded``)."""
    problems = in_force(levers, scenario, end)[1]
    wrong = {i for i, *_ in problems}
    return problems + superseded([x for i, x in enumerate(levers) if i not in wrong],
                                 [i for i in range(len(levers)) if i not in wrong], scenario, name)


def superseded(levers, indexes, scenario, name=_in_a_file) -> list[tuple[int, str, str, object]]:
    """An argument of a lever that never acts: levers are put in force in the order given, so those given
    after it that set the same (``Lever.sets``), or what it adds to (``Lever.adds``), from no later month replace
    it whenever it is in force, and it would be in the policy, and its results, while changing nothing.
    ``indexes``: the levers' places in the policy; ``name``: how a place is named to the user."""
    def begins(lever):
        return scenario.start if lever.start_month is None else lever.start_month

    def covered(key, later):  # a schedule of places replaces another from its own first year on
        return key in later or len(key) == 3 and any(k[:2] == key[:2] and k[2] <= key[2] for k in later)

    sets = [x.sets(scenario) for x in levers]
    problems = []
    for n, lever in enumerate(levers):
        after = {indexes[m]: set().union(*sets[m].values()) for m in range(n + 1, len(levers))
                 if begins(levers[m]) <= begins(lever)}
        replaced = set().union(*after.values())
        own = [(argument, keys, "the same") for argument, keys in sets[n].items()]
        own += [(argument, keys, "outright what it adds to") for argument, keys in lever.adds(scenario).items()]
        for argument, keys, how in own:
            if not keys or not all(covered(k, replaced) for k in keys):
                continue
            by = ", ".join(name(i) for i, later in after.items() if any(covered(k, later) for k in keys))
            what = ", ".join(".".join(map(str, k)) for k in sorted(keys, key=str))
            problems.append((indexes[n], argument, f"a value that acts: {by} of this policy, given after it and in "
                                                   f"force from no later month, set {how} ({what}), replacing "
                                                   "it whenever it is in force", getattr(lever, argument)))
    return problems


def refuse_policy_problems(interventions: list, scenario, end: int) -> None:
    """Refuse a model's levers given in Python by the rule an experiment file's policy is held to (``policy_problems``:
    each fits the scenario with the levers before it in force, acts within the run, and is not replaced by one given
    after it), as the model is built rather than at its first month, naming each lever as given: its place in
    ``interventions`` and its kind. An intervention that is not a ``Lever`` changes what it will, unchecked."""
    places = [i for i, x in enumerate(interventions) if isinstance(x, Lever)]

    def name(i):  # i: a place among the levers
        return f"interventions[{places[i]}] ({interventions[places[i]].kind})"

    found = policy_problems([interventions[i] for i in places], scenario, end, name)
    if found:
        raise InputError([Problem("WorkforceModel", f"{name(i)}.{field}", expected, value)
                          for i, field, expected, value in found])


def in_force(levers, scenario, end: int | None = None) -> tuple:
    """The scenario with a policy's levers in force (a copy; the scenario itself if none changes it), and
    what is wrong with each (``policy_problems``); a lever with a problem is left out."""
    problems, changed = [], None
    for i, lever in enumerate(levers):
        found = lever.problems(scenario if changed is None else changed)
        if end is not None:
            found = [*found, *start_problems(lever, scenario, end)]
        problems += [(i, *p) for p in found]
        if not found:
            changed = scenario.copy() if changed is None else changed
            lever.change(changed)
    return (scenario if changed is None else changed), problems


def first_intake(scenario, stage: str, start: int | None) -> int:
    """The month of a stage's first intake in the run from month ``start`` (None: the scenario's start): places
    change only at an intake, the first month run being the one after the start."""
    first = max(scenario.start + 1, scenario.start if start is None else start)
    return first + (scenario.spec.intake[stage].month - calendar.month_of_year(first)) % 12


def intake_month(academic_year: int, month_of_year: int) -> int:
    """The month of an academic year's intake (``calendar.academic_year``: from August; a January intake
    of 2025/26 is in 2026)."""
    return calendar.month(academic_year + (month_of_year < 8), month_of_year)


def settled_until(levers, now: int, last: int) -> int:
    """The last month from ``now`` to ``last`` up to which ``levers``, put in force for month ``now``, leave the
    scenario as it is: the month before the next comes into force. A ``Lever`` changes the scenario only as a
    month begins in which the set in force changes (``LeverState``), so the months between run as any others
    (``sim.model``: months together). ``now`` if any acts in Python every month: an object that is not a
    ``Lever``, or a lever with an ``apply`` of its own."""
    if not all(isinstance(x, Lever) and type(x).apply is Lever.apply for x in levers):
        return now
    return min([last, *(x.start_month - 1 for x in levers if x.start_month is not None and x.start_month > now)])


class LeverState:
    """Of one model: its scenario before any lever, the levers seen, and the set last put in force."""

    def __init__(self, model):
        # the scenario's parts before any lever: levers change a copy of them (``update``), and the model's scenario
        # is given that copy's parts, so nothing changes these after; a copy of the scenario object alone
        self.untouched = copy.copy(model.inputs)
        self.levers: list[Lever] = []
        self.in_force: tuple | None = None

    def update(self, model, lever: Lever) -> None:
        if not any(lever is seen for seen in self.levers):
            self.levers.append(lever)
            # a model's levers are checked as it is built (``refuse_policy_problems``), a lever put in force another
            # way (added to its interventions, or applied) here, by the same rule, with every lever seen in force
            if not any(lever is x for x in model.levers_checked):
                found = policy_problems(self.levers, self.untouched, model.end)
                if found:
                    raise InputError([Problem(f"lever {self.levers[i].kind}", field, expected, value)
                                      for i, field, expected, value in found])
        in_force = tuple(id(x) for x in self.levers if x.start_month is None or model.now >= x.start_month)
        if in_force == self.in_force:
            return
        changed = self.untouched.copy()
        for x in self.levers:
            if id(x) in in_force:
                x.change(changed)
        changed.revision = model.inputs.revision + 1  # the processes' tables are worked out again
        vars(model.inputs).update(vars(changed))  # the same scenario object: whatever holds it sees the change
        self.in_force = in_force
