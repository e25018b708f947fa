"""Intake: commissioned training places, filled once a year in the stage's intake month.

Places for the academic year, times the fill rate (a binomial draw, inverted at one uniform a
course and month, ``sim.kernels.counts``: more places never fill fewer), less the people who
already arrived in the stage through the pipeline since its last intake, are filled by new
people -- or, for in-service routes (``from_stage``), by people selected at random from a
stage, such as support workers starting a nursing apprenticeship: people of the intake's
``age_range`` who will finish the route before their group's maximum age, and who did not
arrive in that stage this month. A role with a fixed number of posts (``keep_headcount``, AMHP
warrants) takes only as many as bring it back to its headcount at the start. A pool smaller than
the places leaves places unfilled, as does a supervision cap: both are counted (``sim.unused``),
so a lever adding places they cut says so.

The places bind the pipeline too: when more arrived than the places filled (foundation doctors
choosing core psychiatry in 2017, when 6 of 18 posts were filled, L§1), those beyond them, drawn
at random, leave the pathway (reason ``no_training_place``): a stage with places never takes more
entrants a year than it fills.

New people for consecutive intakes are drawn together (each exactly as if drawn alone); an
in-service selection, a supervision cap (``sim.feedbacks``) or turning arrivals away first lets
the intakes before it in, so its pool or its count of trainees is what it would be had every
intake been taken one at a time, and the month's events are in the same order whether or not a
cap is on.
"""

from typing import Annotated, NamedTuple

import numba
import numpy as np
from pydantic import Field, field_validator, model_validator

from .. import calendar
from ..fields import Age, AgeDistribution, PerYear, Probability, Strict, YearlyProbability, check_age
from ..kernels.counts import binomial_by_inversion
from ..rng import cohort_keys, stable_hash
from ..people import Status, has_status
from ..population import cohort_tables, newcomers
from . import Process


class IntakeSpec(Strict):
    """A training stage's ``intake``: its month, the places commissioned by academic year and the
    share filled, and who enters (new people of an age distribution, or people of ``from_stage``)."""

    month: Annotated[int, Field(strict=True, ge=1, le=12)]
    places: dict[Annotated[int, Field(strict=True, ge=1900, le=2200)], PerYear]
    fill_rate: YearlyProbability = 1.0
    from_stage: str | None = None
    age: AgeDistribution | None = None
    female_share: Probability | None = None
    # in-service routes: the ages [low, high) at which people are selected (default: any age at
    # which they would finish the route before their group's maximum age, which always applies)
    age_range: tuple[Age, Age] | None = None
    # a role with a fixed number of posts (AMHP warrants): the places fill only what the stage's
    # headcount has fallen below its headcount at the start, up to the places given
    keep_headcount: Annotated[bool, Field(strict=True)] = False

    @field_validator("age_range")
    @classmethod
    def _ordered(cls, v):
        if v is not None and v[0] >= v[1]:
            raise ValueError("ages as [low, high] with low < high")
        return v

    @model_validator(mode="after")
    def _checks(self):
        if not self.places:
            raise ValueError("places for at least one academic year")
        if self.from_stage is None and self.age is None:
            raise ValueError("age for an intake of new people (or from_stage)")
        if self.age_range is not None and self.from_stage is None:
            raise ValueError("age_range only on an in-service intake (one with from_stage): "
                             "new people's ages are given by age")
        if self.from_stage is not None and (self.age is not None or self.female_share is not None):
            raise ValueError("age and female_share only on an intake of new people: an in-service intake "
                             "selects people of its from_stage as they are (age_range limits their ages)")
        if self.age is not None:
            check_age(self.age)
        return self


class Intake(Process):
    sections = {"intake": (dict[str, IntakeSpec], {})}
    decisions = {
        "intake": "an intake: how many of its places are filled (a group-level draw)",
        "selection:": "an in-service intake: the order in which people are selected from its pool",
        "no_place:": "an intake with more pipeline arrivals than places filled: who of them is turned away",
        "intake_age_band": "a new entrant of an intake: their age band",
        "intake_age": "a new entrant of an intake: their age within the band",
        "intake_sex": "a new entrant of an intake: their sex",
        "intake_welsh": "a new entrant of an intake: their Welsh ability",
    }

    def compile(self, s) -> dict[int, "_Month"]:
        """The intakes of each month of the year, in the scenario's order, with what each draws from."""
        courses: dict[int, list[_Course]] = {}
        drawn: dict[int, list[tuple]] = {}
        for name, spec in s.spec.intake.items():
            stage = s.stage_code(name)
            group = s.spec.groups[s.groups[s.stage_group[stage]]]
            female = spec.female_share if spec.female_share is not None else group.female_share
            source = None if spec.from_stage is None else s.stage_code(spec.from_stage)
            ages = accepted_ages(s, stage, spec.age_range) if source is not None else None
            row = len(drawn.setdefault(spec.month, []))
            drawn[spec.month].append((spec.age or (), female, group.welsh_share_new))
            courses.setdefault(spec.month, []).append(_Course(name, stage, source, ages, row, spec.keep_headcount))
        return {month: _Month(courses[month], cohort_tables(drawn[month]),
                              np.array([stable_hash("intake", c.name) for c in courses[month]], dtype=np.uint64))
                for month in courses}

    def idle(self) -> bool:
        """No intake this month of the year."""
        return calendar.month_of_year(self.model.now) not in self.tables

    def step(self) -> None:
        model = self.model
        s, p, now = model.inputs, model.people, model.now
        month = self.tables.get(calendar.month_of_year(now))
        if month is None:
            return
        year = calendar.academic_year(now)
        draws = model.streams.uniform("intake", now, month.keys)  # a uniform a course: how many places it fills
        waiting: list[tuple] = []  # (course, how many) of new entrants not yet let in
        for course, u in zip(month.courses, draws.tolist()):
            stage = course.stage
            places = int(round(s.places(course.name, year)))
            if course.keep_headcount:  # only as many as the stage lost since the start
                lost = int(model.history[0]["stage_headcount"][stage] - model.stage_headcount()[stage])
                places = min(places, max(lost, 0))
            rate = s.fill_rate(course.name, year)
            filled = int(binomial_by_inversion(u, places, rate))
            if model.arrived[stage] > filled:
                waiting = _let_in(model, month, waiting)  # earlier intakes first, as before a cap or a selection
                turn_away(model, course, int(model.arrived[stage]) - filled)
            wanted = max(filled - int(model.arrived[stage]), 0)
            if s.feedbacks.supervision.enabled:  # feedback: supervisors in post cap the intake (sim.feedbacks)
                waiting = _let_in(model, month, waiting)  # the cap counts the trainees present: earlier intakes first
                admitted = s.feedbacks.supervision.admit(model, stage, places, wanted)
                model.unused.unfilled(stage, "supervision", wanted - admitted)  # a cap says so (sim.unused)
                wanted = admitted
            model.arrived[stage] = 0
            if wanted == 0:
                continue
            if course.source is None:
                waiting.append((course, wanted))
                continue
            waiting = _let_in(model, month, waiting)
            pool = _in_pool(np.flatnonzero(p.stage[: p.count] == course.source), now, int(Status.IN_POST),
                            *course.ages, p.state, p.stage_entry, p.birth_month)
            model.unused.unfilled(stage, "in_service_pool", wanted - len(pool))  # fewer than the places: unfilled
            chosen = first(model.streams.uniform(f"selection:{course.name}", now, p.key[pool]), wanted)
            model.enter_stage(pool[chosen], stage, "selected", from_stage=course.source)
            model.arrived[stage] = 0  # this intake's own entrants are not pipeline arrivals
        _let_in(model, month, waiting)


class _Course(NamedTuple):
    name: str  # the training stage's name
    stage: int  # its code
    source: int | None  # the stage an in-service route selects from (None: new people)
    ages: tuple[int, int] | None  # the ages it selects (months, [low, high))
    row: int  # its row of its month's draws of a new entrant (``_Month.newcomers``)
    keep_headcount: bool  # places only to bring the stage back to its headcount at the start


class _Month(NamedTuple):
    courses: list[_Course]  # the intakes of a month of the year, in the scenario's order
    newcomers: tuple  # a new entrant's age bands, sex and Welsh ability's draws, a row per course
    # (sim.population.cohort_tables; in-service courses draw none)
    keys: np.ndarray  # the courses' keys of the stream of how many places are filled, by name


def turn_away(model, course: "_Course", surplus: int) -> None:
    """Pipeline arrivals beyond the places filled leave the pathway (reason ``no_training_place``):
    ``surplus`` of the people who arrived in the stage since its last intake (a year ago, in this
    month), drawn at random. Those who arrived and already left are not there to turn away."""
    p, now = model.people, model.now
    n = p.count
    arrivals = np.flatnonzero((p.stage[:n] == course.stage) & (p.stage_entry[:n] > now - 12)
                              & has_status(p.state[:n], (Status.TRAINING, Status.IN_POST)))
    chosen = first(model.streams.uniform(f"no_place:{course.name}", now, p.key[arrivals]), surplus)
    model.remove(arrivals[chosen], Status.LEFT, "no_training_place")


def accepted_ages(s, stage: int, age_range) -> tuple[int, int]:
    """The ages (months, [low, high)) at which people are selected for an in-service route: the
    intake's ``age_range`` if it has one, and always young enough to finish the route (at its
    slowest: less than full time, with extra time) before the maximum age of their group and of the
    posts it leads to."""
    targets = s.transition_targets[stage]
    oldest = s.max_age_months[np.append(s.stage_group[targets[targets >= 0]], s.stage_group[stage])].min()
    finish = int(oldest) - int(s.slowest_months()[stage])
    if age_range is None:
        return 0, finish
    return int(np.ceil(12 * age_range[0])), min(int(np.ceil(12 * age_range[1])), finish)


@numba.njit(cache=True)
def _in_pool(in_stage, now, in_post, low, high, state, stage_entry, birth_month):
    """Those of ``in_stage`` (the ids, in order, of the people in an in-service route's stage: numpy
    finds them in one pass over the column faster than a compiled loop) who are in its pool: in post,
    not arrived this month, aged (months) from ``low`` to below ``high``."""
    ids = np.empty(in_stage.shape[0], dtype=np.int64)
    n = 0
    for i in in_stage:
        age = now - birth_month[i]
        if state[i] == in_post and stage_entry[i] < now and age >= low and age < high:
            ids[n] = i
            n += 1
    return ids[:n]


def first(draws: np.ndarray, wanted: int) -> np.ndarray:
    """The positions of the ``wanted`` smallest draws, smallest first (ties in order): what a stable
    sort of them would list first, found by a partition, so in time proportional to the draws."""
    if wanted >= len(draws):
        return np.argsort(draws, kind="stable")
    below = np.flatnonzero(draws <= np.partition(draws, wanted - 1)[wanted - 1])  # every one of them, and ties
    return below[np.argsort(draws[below], kind="stable")][:wanted]


def _let_in(model, month: _Month, waiting: list[tuple]) -> list:
    """New entrants of the waiting intakes take their places; nobody is left waiting. Their keys and
    draws are made together, each cohort's exactly as if drawn alone."""
    if not waiting:
        return []
    stages = np.array([course.stage for course, _ in waiting])
    sizes = np.array([wanted for _, wanted in waiting], dtype=np.int64)
    keys = cohort_keys([("intake", course.name, model.now) for course, _ in waiting], sizes)
    rows = np.repeat(np.array([course.row for course, _ in waiting], dtype=np.int64), sizes)
    ids = newcomers(model, keys, rows, month.newcomers,
                    ("intake_age_band", "intake_age", "intake_sex", "intake_welsh"))
    model.enter_stage(ids, np.repeat(stages, sizes), "intake")
    model.arrived[stages] = 0  # this intake's own entrants are not pipeline arrivals
    return []
