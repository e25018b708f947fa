"""The ``mesa.Model``: one month per step, processes in one documented order.

Each step advances the clock one month, lets each intervention (a policy lever with
``apply(model)``) adjust the model's parameters, works out the month's exit and hours review
rates (``model.exits``, ``model.reviews``), and runs its processes in the order of
``sim.processes.order.STEP_ORDER`` (or of the ``processes`` it is given):

1. ``progression``   people whose stage ends this month move on along their pathway
                     (or leave it through an exit), drawing the end of their next stage;
2. ``intake``        in an intake month, commissioned training places are filled: new
                     people (or, for in-service routes, people selected from a stage),
                     less those who already arrived through the pipeline since the last intake;
3. ``attrition``     trainees leave training at each stage's monthly hazard;
4. ``leaving``       people in post leave at annual hazards by group, age band and sex,
                     each with a reason, and who retires this month is decided;
5. ``hours``         people in post re-choose full or part time by age band and sex;
6. ``retirement``    retirement by age band, early retirement at 55 for mental health
                     officer status holders (until it ends), and the end of a returner's stay;
7. ``returning``     retirees due back return at reduced hours for a limited stay;
8. ``joiners``       qualified staff from outside the pipeline, from pools with a supply a
                     year each, fill part of each group's vacancies against its funded
                     establishment; recruits of funded campaigns take posts funded for them.

Exits and hours reviews are scheduled, each on its clock (``sim.processes.exits``, whose
``ExitClock`` the three exit steps share, and ``sim.processes.hours``): a person's next one is
drawn when they enter a stage, so a step looks only at the people with something due this month
(``due``), found with one scan of ``next_due``; people who enter a stage before attrition runs
face this month's risks, later ones (joiners) from the next month (``at_risk_from``). Each
process's month is a compiled pass, and a month's passes run as one compiled call
(``sim.processes.passes``), the months up to each record in one when nothing in Python acts between
them (``run``); entering a stage is one pass for every way in (``enter_stage``,
``sim.processes.entering``). Attrition, leaving and
retirement are the steps of the one exit clock; retirements are taken after the hours reviews,
so a retiree's review of the month still counts (a returner comes back on the hours it gave).

A model is assembled from its processes' declarations (``sim.processes``): its scenario is
checked against the sections they read, its people have the fields they keep, and its random
streams are the decisions they draw. Progression runs before intake so that pipeline arrivals
(e.g. foundation doctors choosing psychiatry in August) count against the places of the stage
they enter that month. Aggregates are computed from individuals (their running stocks, ``sim.stocks``) after every
step into ``model.history``; Mesa's ``model.datacollector`` is filled from it when read.
"""

from __future__ import annotations

import copy as copy_module
import time
from collections.abc import Iterable

import mesa
import numpy as np

from . import scenario as scenario_module
from .errors import InputError, is_whole
from .eventlog import NO_ROOM, OUTSIDE, EventLog
from .flows import group_flows, workforce_groups
from .fte_flows import FteFlows
from .interventions import refuse_policy_problems  # by name: __init__'s argument interventions hides the module
from .people import COUNTED, FIELDS, GONE, People, Status, distinct
from . import calendar, decisions, feedbacks, footprint, interventions, invariants, kernels, population
from .unused import Unused
from .processes import checked as checked_processes, exits, hours, passes
from .processes.entering import Entering
from .processes.order import STEP_ORDER
from .rng import Streams, check_seed
from .stocks import Stocks
from .sums import matmul
from .kernels import bookkeeping, month as month_kernel, participation
from .kernels.bookkeeping import as_each

COLLECT = ("monthly", "yearly")
_NOBODY = np.zeros(0, dtype=np.int64)
# statuses whose hours get drawn afresh on entering a post


def run_end(s, until, source: str = "WorkforceModel") -> int:
    """The last month of a run of scenario ``s`` to March (its end's month) of year ``until``. A
    year outside the scenario, or not a whole number, is refused, naming ``source`` (who gave it:
    ``--until`` on the command line): never cut short, run on, or rounded in silence."""
    year = is_whole(until)
    end = int(until) * 12 + s.end % 12 if year else s.end
    if until is not None and not year or not s.start <= end <= s.end:
        first = calendar.year_of(s.start) + (calendar.year_of(s.start) * 12 + s.end % 12 < s.start)
        raise InputError.one(source, "until", f"a year from {first} to {calendar.year_of(s.end)} (scenario "
                                              f"{s.spec.name} runs from {s.spec.start} to {s.spec.end})", until)
    return end


class WorkforceModel(mesa.Model):
    """Agent-based career-pathway model of a mental health workforce.

    Args:
        scenario: a shipped scenario name or a path to a scenario YAML file.
        until: last year to simulate (runs to March of that year); default the scenario's end.
        overrides: scenario values to replace, by dotted key (see ``sim.scenario.load``).
        interventions: policy levers; each has ``apply(model)``, called at the start of every month.
        check: verify conservation and consistency invariants after every step (collects monthly).
        collect: ``"monthly"`` aggregates every month into ``history`` (and so Mesa's data
            collector), or ``"yearly"`` only at each anniversary of the start and at the end, with
            each record's flows covering the months since the previous one (and every month while
            a feedback is on, as feedbacks read last month's aggregates). Yearly tables are the
            same either way; batch runs collect yearly, a twelfth of the work.
        rng: seed (an int is used as the run seed directly) or numpy Generator, as in Mesa.
        processes: the monthly processes in the order they run (default ``STEP_ORDER``); a new one
            is a ``sim.processes.Process`` that declares what it reads and keeps.
        copy: a compiled scenario given is copied, for the model's levers (and anyone holding the
            model) to change. ``False`` runs a model without interventions on the scenario as given,
            shared, for a caller that changes neither it nor the model's (a batch's run, made and
            read once: ``sim.experiment``); a model with interventions changes copies of the parts its
            levers change all the same (``sim.interventions.LeverState``).
        capacity: people to make room for at the start (at most as many as the run can create,
            ``sim.footprint``); default, those the runs of the scenario to the same end in this process
            made (``footprint.room``), or as the starting population needs. Room runs out as people
            come, and the people's columns are then copied into ones half as big again.
    """

    def __init__(self, scenario: str = scenario_module.DEFAULT, until: int | None = None,
                 overrides: dict | None = None, interventions=(), check: bool = False, collect: str = "monthly",
                 rng=None, processes=STEP_ORDER, copy: bool = True, capacity: int | None = None):
        if rng is not None and not isinstance(rng, (np.random.Generator, np.random.SeedSequence)):
            rng = check_seed(rng, "WorkforceModel", "rng")  # a numpy integer as an int: mesa's random.Random refuses it
        listed = isinstance(interventions, Iterable) and not hasattr(interventions, "apply")  # not one lever alone
        levers = list(interventions) if listed else []
        if not listed or not all(callable(getattr(x, "apply", None)) for x in levers):  # now, not at the first month
            raise InputError.one("WorkforceModel", "interventions", "a list of policy levers (sim.interventions), "
                                                                    "each with apply(model)", interventions)
        if len({id(x) for x in levers}) < len(levers):  # a lever is put in force once, however often it is listed
            raise InputError.one("WorkforceModel", "interventions", "each lever once: the same lever listed twice acts "
                                                                    "once (a copy, lever.model_copy(), acts again)",
                                 interventions)
        if collect not in COLLECT:
            raise InputError.one("WorkforceModel", "collect", f"one of {', '.join(COLLECT)}", collect)
        kinds = checked_processes(processes, "WorkforceModel")
        for name, flag in (("check", check), ("copy", copy)):  # "no" is true, and would turn the checks on
            if not isinstance(flag, (bool, np.bool_)):
                raise InputError.one("WorkforceModel", name, "True or False", flag)
        if capacity is not None and not (is_whole(capacity) and capacity >= 0):
            raise InputError.one("WorkforceModel", "capacity", "None or a whole number of people, 0 or more", capacity)
        kernels.first_model()  # a first run's compiling shared, where this process is to share it
        super().__init__(rng=rng)
        self.process_types = kinds
        self.seed = int(rng) if isinstance(rng, (int, np.integer)) else int(self._seed)
        # Mesa reserves ``model.scenario``; the workforce scenario lives in ``model.inputs``.
        if isinstance(scenario, scenario_module.Scenario):
            if overrides:
                raise InputError.one("WorkforceModel", "overrides", "none with a loaded scenario (overrides apply "
                                                                    "while loading: pass its name or path)", overrides)
            if not set(self.process_types) <= set(scenario.processes):
                raise InputError.one("WorkforceModel", "scenario", "a scenario loaded for these processes "
                                                                   "(sim.scenario.load(..., processes=))")
            # interventions change this model's copy, never a shared one: given the scenario to share, a copy of
            # the scenario object alone, whose parts the levers replace with changed copies of their own
            self.inputs = scenario.copy() if copy else copy_module.copy(scenario) if levers else scenario
        else:
            self.inputs = scenario_module.load(scenario, overrides, processes=self.process_types)
        self.interventions = levers
        self.lever_state = None  # the levers' scenario before any lever, and those in force (sim.interventions)
        self.feedback_log: dict = {}  # what the feedbacks did this month, until it is collected (sim.feedbacks)
        s = self.inputs
        self.end = run_end(s, until)
        refuse_policy_problems(levers, s, self.end)  # now, not at the first month
        self.levers_checked = tuple(levers)  # those put in force later are checked then (sim.interventions.LeverState)
        footprint.check(s, self.end, levers)  # before allocating: a run too big for memory is refused, not killed
        self.now = s.start
        self.check = check
        self.checks = invariants.Checks(self) if check else None  # what the invariant checks keep (sim.invariants)
        self.collect_every = 12 if collect == "yearly" and not check else 1
        self.streams = Streams(self.seed, decisions.registry(*(p.decisions for p in self.process_types)))
        capacity = footprint.room(s, self.end) if capacity is None else capacity
        room = 1024 if capacity is None else min(int(capacity), footprint.people(s, self.end, levers))
        self.people = People(capacity=room, fields=FIELDS + sum((p.fields for p in self.process_types), ()))
        self.fte_flows = FteFlows(s, enabled=check)  # FTE joining, leaving and changing hours in each group
        self.month = passes.Month()  # the month's arrays the compiled passes share
        # headcount and FTE, kept as people change
        self.stocks = Stocks(self.people, len(s.stages), self.fte_flows, self.month)
        self.events = EventLog(s.stages)
        self.history: list[dict] = []
        self._funded = (None,)  # the funded establishment by month, by the revision of the scenario
        self._due: list[np.ndarray] | None = None  # during a step, ids that may have something due (see ``due``)
        self.at_risk_from = self.now + 1
        self.exits = exits.ExitClock(self)  # this month's exit hazards by cell, shared by the exit steps
        self.reviews = hours.ReviewClock(self)  # the hours review hazards in force, by group
        self.arrived = np.zeros(len(s.stages), dtype=np.int64)  # pipeline arrivals since each stage's last intake
        self.recruitment = np.zeros((3, len(s.groups)))  # recruits sought, available, expected since the last record
        self.unused = Unused(s)  # what caps left unused since the last record: recruits, training places
        self.campaign_posts = np.zeros(len(s.stages))  # FTE of posts funded for campaigns' recruits, by stage
        self.processes = [process(self) for process in self.process_types]
        self.entering = Entering(self)  # entering a stage, one compiled pass for every caller
        self._steps = passes.Steps(self, self.processes)  # each month's, named as model.timings names them
        self.timings: dict[str, float] = dict.fromkeys([name for name, _ in self._steps.every] + ["collection"], 0.0)
        self._tables()
        population.create(self)
        # the base of each establishment
        self.base_post_fte = self.post_fte() - matmul(self._own_of_group, self.stage_fte())
        self.base_need = self.establishment()  # need at the start: the funded establishment (sim.demand)
        self.base_stage_fte = self._base_stage_fte()
        self._mark = self.events.mark
        self._collect()
        self._latest: tuple[int, dict] | None = None
        self._collector: mesa.DataCollector | None = None  # made when first read (``datacollector``)
        if self._steps.whole is not None:  # the events' reasons given their codes in the step order, as runs go
            self._steps.whole.ready()
        self.running = self.now < self.end

    # ---- the step -------------------------------------------------------------------------
    def step(self) -> None:
        if self.now >= self.inputs.end:  # its inputs end there: past it, each would be made up (its last repeated)
            raise InputError.one("WorkforceModel", "step", f"a month up to the scenario's end, {self.inputs.spec.end} "
                                 f"(give it a later end: to run on)", calendar.label(self.now + 1))
        self.now += 1
        for intervention in self.interventions:
            intervention.apply(self)
        if self.inputs.feedbacks.any and self.history[-1]["month"] < self.now - 1:
            self._collect(self.now - 1)  # feedbacks read last month's aggregates: collected late if skipped
        if self.interventions or self.inputs.feedbacks.any:  # nothing else changes a rate during a run
            self.exits.update()
            self.reviews.update()
        self.at_risk_from = self.now
        p = self.people
        self._due = [(p.next_due[: p.count] <= self.now).nonzero()[0]]  # inactive people are never due
        timings = self.timings
        for name, step in self._steps():
            started = time.perf_counter()
            step()
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
        self._month_end()

    def _month_end(self) -> None:
        """The month's record, if it is one the model keeps (and its checks), or the last."""
        self.running = self.now < self.end
        if not self.running:  # the next run of the scenario to then makes room for as many (``footprint.room``)
            footprint.made(self.inputs, self.end, self.people.count)
        if self._records(self.now):
            started, previous = time.perf_counter(), self.history[-1]
            self._collect()
            self.timings["collection"] += time.perf_counter() - started
            if self.checks is not None:
                invariants.check_step(self, previous, self.history[-1])
        self._due = None

    def _records(self, month: int) -> bool:
        """Whether the model keeps a record of ``month``."""
        return (month - self.inputs.start) % self.collect_every == 0 or month >= self.end or self.inputs.feedbacks.any

    def _months(self) -> None:
        """The months from the next to the next recorded, as ``step`` takes them one by one, in as few compiled
        calls as they can (``Passes.run``: every process's pass, month after month in one call, when nothing
        in Python acts between months: no feedbacks or checks, and no lever coming into force, as levers change
        the scenario only then: ``interventions.settled_until``; their exit and review hazards with it), and a
        month a pass asks Python to prepare as ``step`` takes it. Each month moves Mesa's clock and count of
        steps on, as ``run`` does."""
        whole, last = self._steps.whole, self.now + 1
        while not self._records(last):
            last += 1
        if self.interventions:  # up to a lever's start: its month begins as ``step`` begins it, in Python
            last = self.now if self.lever_state is None else interventions.settled_until(self.interventions, self.now,
                                                                                         last)
        if (whole is None or last <= self.now or self.inputs.feedbacks.any or self.checks is not None
                or not whole.stretches()):
            self.time += 1
            self.steps += 1
            type(self).step(self)
            return
        while self.now < last:
            started, before = time.perf_counter(), self.now
            prepare = whole.run(before + 1, last)  # ``now``: the last month run
            self.time += self.now - before
            self.steps += self.now - before
            self.timings[whole.name] = self.timings.get(whole.name, 0.0) + time.perf_counter() - started
            if prepare:  # the next month, as ``step`` takes it
                self.time += 1
                self.steps += 1
                type(self).step(self)
                if self.now == last:  # its record kept
                    return
        self._month_end()

    def run(self) -> "WorkforceModel":
        """Step until the end month.

        Each month is the step ``model.step()`` takes, and Mesa's clock and count of steps advance
        as it advances them; but when nothing else is scheduled, Mesa's scheduling of each step (an
        event made, queued and run: about a twelfth of a run) is paused for the run and resumed
        after it, so that ``model.step()`` goes on from where the run ends, and the months up to each
        record run in one compiled call where nothing in Python acts between them (``_months``)."""
        steps = getattr(self, "_default_schedule", None)  # Mesa's recurring event of the steps
        alone = (steps is not None and steps.is_active and steps.next_scheduled_time == self.time + 1
                 and getattr(self, "_simulator", None) is None and len(getattr(self, "_event_list", ())) == 1)
        if not alone:
            while self.running:
                self.step()
            return self
        steps.pause()
        try:
            while self.running:
                self._months()
        finally:
            steps.resume()
        return self

    # ---- helpers the processes share ------------------------------------------------------
    def in_status(self, *statuses) -> np.ndarray:
        """Ids of active people with one of the given statuses."""
        return self.people.in_status(*statuses)

    def due_list(self) -> np.ndarray:
        """Ids of people who may have something due this month, sorted: those whose ``next_due`` had
        come at the start of the step, and anyone who has entered a stage since with something due.
        A superset: each step chooses its own by state and by its column of due months
        (``sim.kernels.bookkeeping.in_states``)."""
        if not self._due:
            return _NOBODY
        if len(self._due) > 1:
            self._due = [distinct(np.concatenate(self._due))]
        return self._due[0]

    def enter_stage(self, ids: np.ndarray, stage, reason, from_stage=OUTSIDE) -> None:
        """Put people into a stage (scalar or per-person array): status, group, LTFT, due date, FTE
        (``sim.processes.entering``); ``reason``: why, as their events say (None: no events)."""
        if len(ids) == 0:
            return
        p, events = self.people, self.events
        ids = np.asarray(ids, dtype=np.int64)
        code = events.reason_code(reason) if isinstance(reason, str) else 0 if reason is None else reason
        columns, at = events.reserve(len(ids)) if reason is not None else (NO_ROOM, -1)
        due = self.entering.enter(ids, stage, from_stage, code, columns, at)
        if at >= 0:
            events.wrote(len(ids))
        p.mark(ids)
        if due:
            self.also_due(ids)

    def also_due(self, ids: np.ndarray) -> None:
        """Of people who entered a stage, those with something due already this month: this month's
        processes after it see them (``due_list``)."""
        due = ids[self.people.next_due[ids] <= self.now]
        if len(due) and self._due is not None:
            self._due.append(due)

    @property
    def at_risk_from(self) -> int:
        """The first month in which people entering a stage now face exits: this month, until the month's
        exits are faced (``sim.kernels.exits.attrition_month`` moves it on), then the next."""
        return int(self.month.array[month_kernel.SINCE]) + 1

    @at_risk_from.setter
    def at_risk_from(self, month: int) -> None:
        self.month.array[month_kernel.SINCE] = month - 1

    def draw_fte(self, ids: np.ndarray, streams: tuple[str, str]) -> None:
        """Contracted FTE from the group's participation by age band and sex, into ``people.fte``;
        ``streams``: those of part time or not, and of the part-timer's FTE."""
        s, p = self.inputs, self.people
        # writable, as the salts an hours review works out are: one compiled draw_each serves both
        salts = self.streams.salts(streams, self.now).copy()
        participation.draw_each(np.asarray(ids, dtype=np.int64), self.now, salts, s.part_time_share, s.part_time_range,
                                s._band_by_month, p.key, p.sex, p.birth_month, p.group, p.fte)

    def remove(self, ids: np.ndarray, status: Status, reason) -> None:
        """People leave their post or training for good (or retire with no return): record the event
        and set their status."""
        if len(ids) == 0:
            return
        p, events = self.people, self.events
        reason = events.reason_code(reason) if isinstance(reason, str) else reason
        bookkeeping.leave(np.asarray(ids, dtype=np.int64), self.now, as_each(reason, np.int16), np.int8(status), GONE,
                          p.stage, p.status, p.active, p.state, p.next_due, *events.reserve(len(ids)))
        events.wrote(len(ids))
        p.mark(ids)

    # ---- aggregates -----------------------------------------------------------------------
    def counted(self) -> np.ndarray:
        """Ids of people counted in stocks: active and in training, in post or returned."""
        return self.in_status(*COUNTED)

    def stage_fte(self) -> np.ndarray:
        """FTE counted in each stage, right now."""
        fte = self.stocks.settle().fte
        return fte[0::2] + fte[1::2]  # cells are stage * 2 + Welsh ability

    def stage_headcount(self) -> np.ndarray:
        """People counted in each stage, right now."""
        headcount = self.stocks.settle().headcount
        return headcount[0::2] + headcount[1::2]  # cells are stage * 2 + Welsh ability

    def post_fte(self) -> np.ndarray:
        """FTE in post (non-training workforce stages, including returners) by group, right now."""
        return matmul(self._post_of_group, self.stage_fte())  # as in ``_collect``

    def establishment(self, month: int | None = None, stage_fte: np.ndarray | None = None) -> np.ndarray:
        """Funded establishment FTE by group: the starting staff in post plus vacancies, grown yearly,
        the posts of roles funded with their own establishment, as many as are filled, and the posts
        funded for recruitment campaigns' recruits (``sim.processes.joiners``). ``stage_fte``: the FTE by
        stage now, if the caller has it."""
        filled = self.stage_fte() if stage_fte is None else stage_fte
        own = self.funded_establishment(month) + matmul(self._own_of_group, filled)
        return own + matmul(self._post_of_group, self.campaign_posts) if self.campaign_posts.any() else own

    def funded_establishment(self, month: int | np.ndarray | None = None) -> np.ndarray:
        """The establishment without the posts of roles funded with their own (see ``establishment``):
        read only, from a table of the run's months worked out once for the levers in force; for an
        array of months, a row each."""
        s = self.inputs
        since = np.asarray(self.now if month is None else month) - s.start
        if self._funded[0] != s.revision:
            table = self._funded_after(np.arange(len(s.posts_added_fte)))
            table.flags.writeable = False
            self._funded = (s.revision, table)
        table = self._funded[1]
        if since.ndim == 0:
            return table[since] if 0 <= since < len(table) else self._funded_after(since[None])[0]
        return table[since] if ((0 <= since) & (since < len(table))).all() else self._funded_after(since)

    def _funded_after(self, months: np.ndarray) -> np.ndarray:
        """The funded establishment ``months`` after the start, by group: the starting staff in post
        plus vacancies, grown yearly, and the posts levers fund (``sim.interventions``)."""
        s = self.inputs
        i = np.clip(months, 0, len(s.posts_added_fte) - 1)
        grown = self._base_establishment() * (1.0 + s.establishment_growth) ** (months[:, None] / 12.0)
        return grown * (1.0 + s.posts_added_share[i]) + s.posts_added_fte[i]

    def _base_stage_fte(self) -> np.ndarray:
        """Each post stage's part of its group's establishment at the start, in FTE of the base (the
        staff in post, ``base_post_fte``): a stage's posts are its staff and its share of the group's
        vacancies, scaled by base / establishment; where no share is published, its staff alone, so
        that its posts are as vacant as the group's (``sim.processes.joiners`` grows them with it)."""
        s = self.inputs
        staff = self.stage_fte() * s.stage_post
        share = s.stage_vacancy_share
        if np.isnan(share).all():
            return staff
        named = ~np.isnan(share)
        published = np.zeros(len(s.groups), dtype=bool)
        published[s.stage_group[named]] = True
        base = self.base_post_fte[s.stage_group]
        funded = self._base_establishment()[s.stage_group]
        posts = (staff + np.where(named, share, 0.0) * (funded - base)) * base / np.where(funded > 0, funded, 1.0)
        return np.where(published[s.stage_group] & (funded > 0), posts, staff)

    def _base_establishment(self) -> np.ndarray:
        """The funded establishment at the start, before levers, by group: staff in post plus vacancies."""
        s = self.inputs
        return (self.base_post_fte + s.vacancies_fte) / (1.0 - s.vacancy_rate)

    def need(self, month: int | None = None) -> np.ndarray:
        """Need FTE by group: the FTE demand requires (``sim.demand``), apart from the posts funded:
        the establishment at the start times the scenario's need index."""
        s = self.inputs
        if s.need_index is None:
            return self.base_need.copy()
        i = min(max((self.now if month is None else month) - s.start, 0), len(s.need_index) - 1)
        return self.base_need * s.need_index[i]

    def _tables(self) -> None:
        """Stage-to-group tables for the aggregates (stages and groups never change during a run)."""
        s = self.inputs
        of_group = np.arange(len(s.groups))[:, None] == s.stage_group[None, :]
        self._workforce_of_group = (of_group & s.stage_workforce).astype(np.int64)  # (group, stage): 1 if counted
        self._workforce_fte_of_group = self._workforce_of_group.astype(np.float64)
        self._post_of_group = (of_group & s.stage_post).astype(np.float64)
        self._own_of_group = (of_group & s.stage_own_establishment).astype(np.float64)
        self._workforce_groups = workforce_groups(s)  # of each stage code, as a record's flows count them

    def _collect(self, month: int | None = None) -> None:
        """Aggregate the state and the flows since the last record into ``self.history``, as of
        ``month`` (default: now; the month before, when nobody has moved since its end).

        Headcount and FTE by stage and Welsh ability come from the running stocks (``sim.stocks``),
        and the by-stage and by-group figures follow from them.
        """
        month = self.now if month is None else month
        s = self.inputs
        stocks = self.stocks.settle()
        headcount, sums = stocks.headcount.reshape(-1, 2), stocks.fte.reshape(-1, 2)
        stage_fte = sums.sum(axis=1)
        _, _, src, dst, reason = self.events.arrays(self._mark, copy=False)  # counted now, not kept
        self._mark = self.events.mark
        self.history.append({
            "month": month,
            "time": self.time - (self.now - month),
            "stage_headcount": headcount.sum(axis=1),
            "stage_fte": stage_fte,
            # everyone counted in a post stage is in post or returned, so post FTE follows from stage FTE
            "post_fte": matmul(self._post_of_group, stage_fte),
            "establishment_fte": self.establishment(month, stage_fte),
            "need_fte": self.need(month),
            "welsh_headcount": self._workforce_of_group @ headcount[:, 1],
            "welsh_fte": matmul(self._workforce_fte_of_group, sums[:, 1]),
            "flows": group_flows(s, self.events, src, dst, reason, self._workforce_groups),
            "recruitment": self.recruitment.copy(),
            "unused": self.unused.take(),  # what caps left unused (sim.unused); None if nothing
            "fte_flows": self.fte_flows.take(),  # (joined, left, changed) by group; None unless checked
        })
        self.recruitment[:] = 0.0  # in place: the joiners' pass is given it by address
        if s.feedbacks.any and month == self.now:  # a late record is of a month when none was on
            feedbacks.collect(self, self.history[-1], src, dst, reason)

    def group_totals(self, record: dict | None = None, measure: str = "stage_fte") -> dict[str, float]:
        """Workforce headcount or FTE by group from a history record (default: the latest)."""
        s = self.inputs
        record = record or self.history[-1]
        values = np.where(s.stage_workforce, record[measure], 0.0)
        totals = np.bincount(s.stage_group, weights=values, minlength=len(s.groups))
        return dict(zip(s.groups, totals.tolist()))

    @property
    def report(self) -> dict:
        """The latest month's aggregates (see ``_report``), worked out when first asked for."""
        month = len(self.history) - 1
        if self._latest is None or self._latest[0] != month:
            self._latest = (month, self._report(month))
        return self._latest[1]

    @property
    def datacollector(self) -> mesa.DataCollector:
        """Mesa's data collector with every month's report, filled from ``history`` when read.

        Reporting each month as the run goes would cost a fifth of a run for tables that batch
        runs never read; filled here, the collector holds exactly what collecting after every
        step would have collected.
        """
        if self._collector is None:
            self._collector = mesa.DataCollector(model_reporters=self._reporters())
        collector = self._collector
        for month in range(len(collector._collection_steps), len(self.history)):
            report = self._report(month)
            for name in collector.model_reporters:
                collector.model_vars[name].append(report[name])
            collector._collection_steps.append(self.history[month]["time"])
        return collector

    def _reporters(self) -> dict:
        """Mesa model reporters (collecting by hand reads the latest report)."""
        return {name: (lambda m, name=name: m.report[name]) for name in self._report(0)}

    def _report(self, month: int) -> dict:
        """Aggregates of ``history[month]``: by group (FTE, headcount, vacancies, joiners and leavers,
        with ``... by reason`` as dicts), and by stage (headcount and FTE; ``Trainees`` for training stages)."""
        from . import labels

        s, record = self.inputs, self.history[month]
        fte, headcount = self.group_totals(record, "stage_fte"), self.group_totals(record, "stage_headcount")
        vacancies, flows = self.vacancies(record), self.flows(record)
        report = {"Month": labels.month(record["month"])}  # a date (pandas Period) in the collector's table
        for g in s.groups:
            report[f"FTE {g}"] = fte[g]
            report[f"Headcount {g}"] = headcount[g]
            report[f"Vacancies FTE {g}"] = vacancies[g]
            report[f"Joiners {g}"] = sum(flows["joiners"][g].values())
            report[f"Leavers {g}"] = sum(flows["leavers"][g].values())
        report["Joiners by reason"] = flows["joiners"]
        report["Leavers by reason"] = flows["leavers"]
        for i, st in enumerate(s.stages):
            kind = "Trainees" if s.stage_training[i] else "Headcount"
            report[f"{kind} {st}"] = int(record["stage_headcount"][i])
            report[f"FTE {st}"] = float(record["stage_fte"][i])
        return report

    def vacancies(self, record: dict | None = None) -> dict[str, float]:
        """Vacant FTE (establishment less in-post FTE, not below zero) by group."""
        record = record or self.history[-1]
        gap = np.maximum(record["establishment_fte"] - record["post_fte"], 0.0)
        return dict(zip(self.inputs.groups, gap.tolist()))

    def flows(self, record: dict | None = None) -> dict:
        """Joiners and leavers of the workforce this month, by group and reason.

        A joiner enters a workforce stage of a group from outside it (new entrant, newly
        qualified, returner); a leaver leaves a group's workforce stages (attrition, leaving,
        retirement, or moving to another group).
        """
        return (record or self.history[-1])["flows"]

    # ---- looking people up ------------------------------------------------------------------
    def person(self, person_id: int) -> dict:
        """One person's current record, with stage, group and pathway names, and months as dates
        (pandas monthly Periods; None for a month that never comes), as people read them."""
        from . import labels

        s = self.inputs
        rec = self.people.record(person_id)
        rec["stage"] = s.stages[rec["stage"]] if rec["stage"] >= 0 else None
        rec["group"] = s.groups[rec["group"]] if rec["group"] >= 0 else None
        rec["pathway"] = s.pathway_names[rec["pathway"]] if rec["pathway"] >= 0 else None
        rec["age_years"] = (self.now - rec["birth_month"]) / 12.0
        for name in MONTH_FIELDS:
            rec[name] = labels.month(rec[name])
        return rec

    def career(self, person_id: int):
        """One person's full career history (a table of their transitions)."""
        self.people.record(person_id)  # raises KeyError for an unknown id
        return self.events.history(person_id)


# the record's integer months (sim.calendar) shown as dates by ``person``
MONTH_FIELDS = ("birth_month", "stage_entry", "stage_due", "return_due", "return_until", "exit_since", "exit_due",
                "hours_due", "next_due")

