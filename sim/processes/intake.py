"""Intake: commissioned training places, filled once a year in the stage's intake month.

Places for the academic year (a fraction of a place, from a share of places a lever adds or a
value searched for, is a place that year with that chance: the places offered are, on average,
those given), times the fill rate (a binomial draw, inverted at one uniform a course and month,
``sim.kernels.counts``: more places never fill fewer), less the people who
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
entrants a year than it fills. Those certain to be beyond the places (more arrived already than there
are) do not come at all: they take another way on as they finish (``sim.processes.progression``). Where the fill rate says how many applicants from elsewhere there are
rather than how many applied at all (``fill_rate_of: places_left``: UK-wide vacancies in higher
psychiatry training, F§2), every arrival up to the places has one, the rest are filled at the rate,
and only arrivals beyond the places are turned away.

New people for consecutive intakes are drawn together (each exactly as if drawn alone); an
in-service selection, a supervision cap (``sim.feedbacks``) or turning arrivals away first lets
the intakes before it in, so its pool or its count of trainees is what it would be had every
intake been taken one at a time, and the month's events are in the same order whether or not a
cap is on.

A month's intakes are one compiled pass (``intake_month``), which enters its people by calling
entering's pass (``sim.processes.entering``) at its address each time it lets them in. Those it
enters may have something due this month: the passes after it run in a call of their own
(``Pass.ends_call``), given them.
"""

from typing import Annotated, Literal, NamedTuple

import numpy as np
from pydantic import Field, field_validator, model_validator

from .. import calendar
from ..eventlog import OUTSIDE
from ..fields import Age, AgeDistribution, PerYear, Probability, Strict, YearlyProbability, check_age
from ..kernels import compiled, month as month_kernel
from ..kernels.bookkeeping import leave
from ..kernels.columns import layout, views, width
from ..kernels.counts import binomial_by_inversion
from ..kernels.month import AT, BEFORE, ENTERING, HALT, NEW, NOW, PEOPLE, READY, also_due, arrays, call, mark, to_enter
from ..kernels.ranking import smallest_first
from ..kernels.streams import salt, salts as salts_of, uniform
from ..people import COUNTED_STATE, GONE, Status
from ..population import cohort_tables, newcomer_draws
from ..rng import cohort_bases, keys_of_cohorts, stable_hash
from ..stocks import COUNTED_COLUMNS, settle_month
from ..unused import REASONS
from .passes import Pass


class IntakeSpec(Strict):
    """A training stage's ``intake``: its month, the places commissioned by academic year and the
    share filled, and who enters (new people of an age distribution, or people of ``from_stage``)."""

    month: Annotated[int, Field(strict=True, ge=1, le=12)]
    places: dict[Annotated[int, Field(strict=True, ge=1900, le=2200)], PerYear]
    fill_rate: YearlyProbability = 1.0
    # what the fill rate is a share of: every place ("places": the pipeline's arrivals beyond the places
    # filled are turned away, as when fewer applied), or the places the pipeline's arrivals leave ("places_left":
    # each arrival up to the places has one, and applicants from elsewhere fill the rest at the rate)
    fill_rate_of: Literal["places", "places_left"] = "places"
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


class Intake(Pass):
    sections = {"intake": (dict[str, IntakeSpec], {})}
    decisions = {
        "intake": "an intake: how many of its places are filled (a group-level draw)",
        "selection:": "an in-service intake: the order in which people are selected from its pool",
        "no_place:": "an intake with more pipeline arrivals than places filled: who of them is turned away",
        "intake_age_band": "a new entrant of an intake: their age band",
        "intake_age": "a new entrant of an intake: their age within the band",
        "intake_sex": "a new entrant of an intake: their sex",
        "intake_welsh": "a new entrant of an intake: their Welsh ability",
        "intake_places": "an intake with a fraction of a place: whether it is a place this year",
    }
    ends_call = True  # those it enters may have something due this month
    events_per_due = marks_per_due = 1  # a pipeline arrival of this month turned away (those before: ``room``)

    def __init__(self, model):
        super().__init__(model)
        self.state = np.zeros(len(_STATE), dtype=np.int64)  # what the pass is told and tells (``_STATE``)
        self._rows(1)
        self.capacity = np.zeros(max(len(model.inputs.feedbacks.supervision.ratio), 1), dtype=np.int64)
        self._years: dict[int, tuple] = {}  # the places and fill rates by academic year, for the levers in force
        self._log = (np.zeros(0), np.zeros(0))  # the supervision feedback's log of places (``sim.feedbacks``)

    def compile(self, s) -> "_Courses":
        """Every intake, those of each month of the year together in the scenario's order, with what each
        draws from."""
        specs = sorted(s.spec.intake.items(), key=lambda item: item[1].month)  # stable: the scenario's order
        months: dict[int, tuple[int, int]] = {}
        drawn, stage, source, keep, left, ages = [], [], [], [], [], []
        for k, (name, spec) in enumerate(specs):
            code = s.stage_code(name)
            group = s.spec.groups[s.groups[s.stage_group[code]]]
            female = spec.female_share if spec.female_share is not None else group.female_share
            origin = -1 if spec.from_stage is None else s.stage_code(spec.from_stage)
            first, _ = months.get(spec.month, (k, k))
            months[spec.month] = (first, k + 1)
            drawn.append((spec.age or (), female, group.welsh_share_new))
            stage.append(code)
            source.append(origin)
            keep.append(spec.keep_headcount)
            left.append(spec.fill_rate_of == "places_left")
            ages.append(accepted_ages(s, code, spec.age_range) if origin >= 0 else (0, 0))
        self._years = {}
        supervision = s.feedbacks.supervision
        bands, low, high, female, welsh = cohort_tables(drawn or [((), 0.0, 0.0)])  # a row, if never read
        names = tuple(name for name, _ in specs)
        return _Courses(names, months, [
            np.array(stage, dtype=np.int64), np.array(source, dtype=np.int64), np.array(keep, dtype=np.bool_),
            np.array(left, dtype=np.bool_), np.array(ages, dtype=np.int64).reshape(-1, 2),
            np.array([stable_hash("intake", name) for name in names], dtype=np.uint64),
            np.array([supervision.pool_of.get(int(c), -1) for c in stage], dtype=np.int64),
            supervision.trainee_mask(len(s.stages)), bands.cumulative, bands.total, bands.last, low, high, female,
            welsh])

    def _rows(self, months: int) -> None:
        """Room for ``months`` months' courses (from, to), and each course's places, fill rate and new people's
        base key in each."""
        n = len(self.model.inputs.spec.intake)
        self.courses = np.zeros((months, 2), dtype=np.int64)
        self.places, self.rates = np.zeros((months, n)), np.zeros((months, n))
        self.cohorts = np.zeros((months, n), dtype=np.uint64)

    def idle(self) -> bool:
        """No intake this month of the year."""
        return calendar.month_of_year(self.model.now) not in self.tables.months

    def stretches(self) -> bool:
        """The supervision feedback's capacities are worked out in Python, month by month."""
        return not self.model.inputs.feedbacks.supervision.enabled

    def changes(self) -> tuple:
        """The arrays made anew: the supervision feedback's log (each month it is collected) and the months'
        rows."""
        return id(self._log[0]), id(self.places)

    def prepare(self, months: int = 1) -> None:
        """The months' courses, their places and fill rates, their new people's base keys, the supervision
        feedback's capacities (a month alone), and rows made ready for new people."""
        model, t, state = self.model, self.tables, self.state
        s, p, now = model.inputs, model.people, model.now
        if len(self.places) < months:
            self._rows(months)
        places = 0  # the most new people a month takes
        for j in range(months):
            first, end = self.courses[j] = t.months.get(calendar.month_of_year(now + j), (0, 0))
            if first < end:  # the pass reads a month's rows only if it has courses
                self.places[j], self.rates[j] = self._year(calendar.academic_year(now + j))
                self.cohorts[j, first:end] = cohort_bases("intake", t.names[first:end], now + j)
                places = max(places, int(np.ceil(self.places[j, first:end]).sum()))
        supervision = s.feedbacks.supervision
        if supervision.enabled:
            self.capacity[: len(supervision.ratio)] = supervision.capacities(model)
            self._log = supervision.places_log(model)
        model.stocks.settle(passes=False)  # what Python changed: the pass brings them up to date with the rest
        p.reserve(places)
        state[:] = now, int(supervision.enabled)

    def _year(self, year: int) -> tuple[np.ndarray, np.ndarray]:
        """Each course's places and fill rate in an academic year."""
        found = self._years.get(year)
        if found is None:
            s = self.model.inputs
            found = self._years[year] = (
                np.array([s.places(name, year) for name in self.tables.names]),
                np.array([s.fill_rate(name, year) for name in self.tables.names]))
        return found

    def inputs(self) -> tuple[list, tuple]:
        model, t = self.model, self.tables
        stocks, p, streams = model.stocks, model.people, model.streams
        bases = streams.bases(("intake", "intake_age_band", "intake_age", "intake_sex", "intake_welsh",
                               "intake_places"))
        selection = streams.bases(tuple(f"selection:{name}" for name in t.names))
        turned_away = streams.bases(tuple(f"no_place:{name}" for name in t.names))
        start = np.asarray(model.history[0]["stage_headcount"], dtype=np.int64)
        events = model.events
        codes = np.array([events.reason_code(r) for r in ("intake", "selected", "no_training_place")], dtype=np.int16)
        return ([self.state, self.courses, self.places, t.arrays[0], model.arrived, bases, selection, turned_away,
                 self.rates, self.cohorts, *t.arrays[1:], start, stocks.headcount, stocks.fte, stocks.bounds,
                 COUNTED_STATE, p.addresses_of(COUNTED_COLUMNS), *stocks.tally(), model.unused.places, self.capacity,
                 *self._log, codes, _STATUSES, model.entering.table(), p.addresses_of(_PEOPLE)],
                (month_kernel.entry(type(model.entering).kernel), GONE))


class _Courses(NamedTuple):
    names: tuple[str, ...]  # the training stages' names, those of each month of the year together
    months: dict[int, tuple[int, int]]  # each month of the year's courses: from the first to before the last
    arrays: list  # what the pass reads of them (``_PASS``, from ``stage`` to ``welsh``)


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


_STATUSES = np.array([Status.LEFT, Status.TRAINING, Status.IN_POST], dtype=np.int8)
# what the intake's pass is told, in ``Intake.state``: the first month prepared (its rows of courses, places,
# fill rates and base keys are by month from it), whether the supervision feedback caps it
_STATE = _MONTH, _SUPERVISED = range(2)
# the people's columns it reads and writes (``sim.kernels.columns``)
_PEOPLE = layout(("key", np.uint64), ("sex", np.int8), ("birth_month", np.int32), ("welsh", np.bool_),
                 ("status", np.int8), ("active", np.bool_), ("state", np.int8), ("stage", np.int16),
                 ("stage_entry", np.int32), ("next_due", np.int32))
# what the intake's month reads besides the month's arrays: first what its room is worked out from (``intake_room``):
# the state, by month prepared its courses (from, to) and each course's places, each course's stage, the arrivals by
# stage; then the streams' base hashes (intake, the new people's draws, a fraction of a place), each course's of its
# selection and of turning arrivals away; by month prepared, each course's fill rate and new people's base key; each
# course's source (-1: new people), keep_headcount, whether its fill rate is of the places its arrivals leave
# (``fill_rate_of``), ages selected (months, [low, high)), key of the draws of its places and supervision pool (-1:
# none); each pool's trainee stages; the new people's draws (``cohort_tables``, a row a course); the stages' headcount
# at the start; the stocks (``sim.stocks.settle_month``); the places left unfilled (by stage and
# ``sim.unused.REASONS``); each pool's supervised capacity and the supervision log (places commissioned, capacity
# left, by stage); the events' reason codes (intake, selected, no_training_place); the statuses left, training and in
# post; entering's table, the addresses of the ``_PEOPLE`` columns; then entering's entry point and the state of those
# gone
_PASS = layout(("state", np.int64), ("courses", np.int64, 2), ("places", np.float64, 2), ("stage", np.int64),
               ("arrived", np.int64), ("bases", np.uint64), ("selection", np.uint64), ("turned_away", np.uint64),
               ("rates", np.float64, 2), ("cohorts", np.uint64, 2), ("source", np.int64), ("keep", np.bool_),
               ("after_arrivals", np.bool_), ("ages", np.int64, 2), ("keys", np.uint64), ("pool", np.int64),
               ("trainees", np.bool_, 2),
               ("band_cumulative", np.float64, 2), ("band_total", np.float64), ("band_last", np.int64),
               ("low", np.float64, 2), ("high", np.float64, 2), ("female", np.float64), ("welsh", np.float64),
               ("start", np.int64), ("headcount", np.int64), ("stocks", np.float64), ("bounds", np.float64),
               ("counted_state", np.bool_), ("counted", np.int64), ("group_of_cell", np.int64),
               ("tally", np.float64, 2), ("unfilled", np.float64, 2), ("capacity", np.int64),
               ("commissioned", np.float64), ("capacity_left", np.float64), ("codes", np.int16), ("statuses", np.int8),
               ("entering", np.int64), ("people", np.int64))
_NUMBERS = width(_PASS)
_POOL, _SUPERVISION = REASONS.index("in_service_pool"), REASONS.index("supervision")
_LEFT, _TRAINING, _IN_POST = range(3)  # rows of the statuses


@compiled()
def intake_month(month, table):
    """The month's intakes in the scenario's order (the module docstring says how), their people entered
    by calling entering's pass, each time they are let in."""
    (state, courses, places_by_month, stage, arrived, bases, selection, turned_away, rates_by_month, cohorts_by_month,
     source, keep, after_arrivals, ages, keys, pool, trainees, band_cumulative, band_total, band_last, low, high,
     female, welsh, start, headcount, stocks, bounds, counted_state, counted, group_of_cell, tally, unfilled, capacity,
     commissioned, capacity_left, codes, statuses, entering, people) = views(table, _PASS.types)
    key, sex, birth_month, speaks, status, active, state_of, stage_of, stage_entry, next_due = views(
        people, _PEOPLE.types)
    now, gone, enter_at = month[NOW], table[_NUMBERS + 1], table[_NUMBERS]
    m = now - state[_MONTH]
    first, end = courses[m, 0], courses[m, 1]
    if first == end:
        return
    places, rates, cohorts = places_by_month[m], rates_by_month[m], cohorts_by_month[m]
    draws = salts_of(bases, now)
    waiting = np.empty(end - first, dtype=np.int64)  # courses whose new people wait to be let in
    wanted = np.empty(end - first, dtype=np.int64)
    n_waiting = np.int64(0)  # not the literal 0: ``_let_in`` would compile for it apart
    for c in range(first, end):
        st = stage[c]
        whole = np.floor(places[c])
        n = np.int64(whole) + (1 if uniform(keys[c], draws[5]) < places[c] - whole else 0)
        if keep[c]:  # only as many as the stage lost since the start
            settle_month(month, month[PEOPLE], counted_state, counted, headcount, stocks, bounds, group_of_cell,
                         tally)
            n = min(n, max(start[st] - (headcount[2 * st] + headcount[2 * st + 1]), 0))
        taken = min(arrived[st], n) if after_arrivals[c] else 0  # arrivals who have a place whatever the rate
        filled = taken + binomial_by_inversion(uniform(keys[c], draws[0]), n - taken, rates[c])
        if arrived[st] > filled:  # earlier intakes first, as before a cap or a selection
            n_waiting = _let_in(waiting, wanted, n_waiting, month, arrived, enter_at, entering, stage, cohorts, draws,
                                band_cumulative, band_total, band_last, low, high, female, welsh, statuses, codes,
                                key, sex, birth_month, speaks, status, active, state_of, next_due)
            _turn_away(st, arrived[st] - filled, now, salt(turned_away[c], now), statuses, codes, gone, month[PEOPLE],
                       key, status, active, state_of, stage_of, stage_entry, next_due, month)
        want = max(filled - arrived[st], 0)
        if state[_SUPERVISED]:  # the cap counts the trainees present: earlier intakes first
            n_waiting = _let_in(waiting, wanted, n_waiting, month, arrived, enter_at, entering, stage, cohorts, draws,
                                band_cumulative, band_total, band_last, low, high, female, welsh, statuses, codes,
                                key, sex, birth_month, speaks, status, active, state_of, next_due)
            admitted = _admit(st, pool[c], n, want, capacity, trainees, commissioned, capacity_left, month[PEOPLE],
                              statuses[_TRAINING], state_of, stage_of)
            if want - admitted > 0:
                unfilled[st, _SUPERVISION] += want - admitted
            want = admitted
        arrived[st] = 0
        if want == 0:
            continue
        if source[c] < 0:
            waiting[n_waiting], wanted[n_waiting] = c, want
            n_waiting += 1
            continue
        n_waiting = _let_in(waiting, wanted, n_waiting, month, arrived, enter_at, entering, stage, cohorts, draws,
                            band_cumulative, band_total, band_last, low, high, female, welsh, statuses, codes, key,
                            sex, birth_month, speaks, status, active, state_of, next_due)
        pool_ids = _in_pool(source[c], now, statuses[_IN_POST], ages[c, 0], ages[c, 1], month[PEOPLE], state_of,
                            stage_of, stage_entry, birth_month)
        if want - pool_ids.shape[0] > 0:  # fewer than the places: unfilled
            unfilled[st, _POOL] += want - pool_ids.shape[0]
        chosen = _drawn_first(pool_ids, want, key, salt(selection[c], now))
        into = np.empty(1, dtype=np.int16)
        into[0] = st
        _enter(chosen, into, source[c], codes[1], month, enter_at, entering, next_due)
        arrived[st] = 0  # this intake's own entrants are not pipeline arrivals
    _let_in(waiting, wanted, n_waiting, month, arrived, enter_at, entering, stage, cohorts, draws, band_cumulative,
            band_total, band_last, low, high, female, welsh, statuses, codes, key, sex, birth_month, speaks, status,
            active, state_of, next_due)


@compiled()
def intake_room(month, table):
    """The most a month's intakes take from outside its due list: the places (new people, or people selected)
    and the pipeline's arrivals since the stages' last intake (turned away); or, with fewer rows made ready
    than the places, Python's preparation first (``BEFORE``)."""
    state, courses, places, stage, arrived = views(table, _PASS.types[:5])  # the first five alone: see ``_PASS``
    m = month[NOW] - state[_MONTH]
    most = 0
    for c in range(courses[m, 0], courses[m, 1]):
        most += np.int64(np.ceil(places[m, c]))
    if month[READY] - month[PEOPLE] < most:
        month[HALT] = BEFORE
    for c in range(courses[m, 0], courses[m, 1]):
        most += arrived[stage[c]]
    month[NEW] += most


Intake.kernel, Intake.room_kernel, Intake.kinds = intake_month, intake_room, _PASS


@compiled(inline="always")
def _enter(ids, st, source, reason, month, enter_at, entering, next_due):
    """``ids`` enter the stages ``st`` (one each, or an array of one for all) from ``source`` for ``reason``:
    noted in the month's ``entering`` and entering's pass called; those due this month left for the passes
    after it (``also_due``)."""
    movers, stages, sources, reasons = to_enter(month)
    for j in range(ids.shape[0]):
        movers[j], sources[j], reasons[j] = ids[j], source, reason
        stages[j] = st[j if st.shape[0] > 1 else 0]
    month[ENTERING] = ids.shape[0]
    mark(month, ids)  # for the stocks: entering's pass does not
    call(enter_at, month, entering)
    also_due(month, ids, next_due)


@compiled()
def _let_in(waiting, wanted, n_waiting, month, arrived, enter_at, entering, stage, cohorts, draws, cumulative, total,
            last, low, high, female, welsh, statuses, codes, key, sex, birth_month, speaks, status, active, state_of,
            next_due):
    """New people of the waiting intakes take their places, made in the rows from the next, their keys and
    draws made together, each cohort's exactly as if drawn alone. Returns 0: nobody is left waiting."""
    if n_waiting == 0:
        return 0
    courses, sizes = waiting[:n_waiting], wanted[:n_waiting]
    new = keys_of_cohorts(cohorts[courses], sizes)
    n, first = new.shape[0], month[PEOPLE]
    rows, stages, ids = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int16), np.empty(n, dtype=np.int64)
    j = 0
    for k in range(n_waiting):
        for _ in range(sizes[k]):
            rows[j], stages[j], ids[j] = courses[k], stage[courses[k]], first + j
            status[first + j], active[first + j], state_of[first + j] = statuses[_LEFT], True, statuses[_LEFT]
            j += 1
    newcomer_draws(new, rows, month[NOW], draws[1:5], cumulative, total, last, low, high, female, welsh, first, key,
                   sex, birth_month, speaks)
    month[PEOPLE] = first + n
    _enter(ids, stages, OUTSIDE, codes[0], month, enter_at, entering, next_due)
    for k in range(n_waiting):
        arrived[stage[courses[k]]] = 0  # this intake's own entrants are not pipeline arrivals
    return 0


@compiled(inline="always")
def _drawn_first(ids, wanted, key, draw_salt):
    """The ``wanted`` of ``ids`` with the smallest draws from the stream whose month salt is ``draw_salt``,
    smallest first (ties in order)."""
    u = np.empty(ids.shape[0])
    for j in range(ids.shape[0]):
        u[j] = uniform(key[ids[j]], draw_salt)
    return ids[smallest_first(u, wanted)]


@compiled(inline="always")
def _turn_away(st, surplus, now, turn_salt, statuses, codes, gone, count, key, status, active, state_of, stage_of,
               stage_entry, next_due, month):
    """Pipeline arrivals beyond the places filled leave the pathway (reason ``no_training_place``):
    ``surplus`` of the people who arrived in stage ``st`` since its last intake (a year ago, in this
    month), those of the smallest draws (ties in order). Those who arrived and already left are not
    there to turn away."""
    n = 0
    for _ in range(2):  # counted, then listed: room for everyone would be eight bytes a person more at the peak
        arrivals, n = np.empty(n, dtype=np.int64), 0
        for i in range(count):
            if stage_of[i] == st and stage_entry[i] > now - 12 and (
                    state_of[i] == statuses[_TRAINING] or state_of[i] == statuses[_IN_POST]):
                if n < arrivals.shape[0]:
                    arrivals[n] = i
                n += 1
    chosen = _drawn_first(arrivals, surplus, key, turn_salt)
    leave(chosen, now, codes[2:3], statuses[_LEFT], gone, stage_of, status, active, state_of, next_due,
          arrays(month)[1], month[AT])
    month[AT] += chosen.shape[0]
    mark(month, chosen)


@compiled(inline="always")
def _in_pool(source, now, in_post, low, high, count, state_of, stage_of, stage_entry, birth_month):
    """The people in an in-service route's pool, in order: in its ``source`` stage, in post, not arrived
    this month, aged (months) from ``low`` to below ``high``."""
    n = 0
    for _ in range(2):  # counted, then listed: room for everyone would be eight bytes a person more at the peak
        ids, n = np.empty(n, dtype=np.int64), 0
        for i in range(count):
            if stage_of[i] == source and state_of[i] == in_post and stage_entry[i] < now and (
                    low <= now - birth_month[i] < high):
                if n < ids.shape[0]:
                    ids[n] = i
                n += 1
    return ids


@compiled(inline="always")
def _admit(st, pool, places, wanted, capacity, trainees, commissioned, capacity_left, count, training, state_of,
           stage_of):
    """The supervision feedback (``sim.feedbacks``): the places commissioned logged, and the newcomers
    ``wanted`` capped at the supervised headroom of the stage's pool: its capacity less the trainees
    present in its stages (those let in earlier this month among them)."""
    commissioned[st] += places
    if pool < 0:
        return wanted
    present = 0
    for i in range(count):
        if state_of[i] == training and trainees[pool, stage_of[i]]:
            present += 1
    headroom = max(capacity[pool] - present, 0)
    capacity_left[st] += headroom
    return min(wanted, headroom)
