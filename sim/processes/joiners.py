"""Joiners: qualified staff from outside the pipeline, from pools, fill part of each group's vacancies.

Joiners come from pools (for example elsewhere in the UK, international recruitment, return to
practice), each with the joiners it can supply a year (``JoinersSpec``). Each month a
group's vacancies (funded establishment less FTE in post) are filled at the group's monthly fill
share (the recruits sought), capped by the pools' supply (the recruits available): whichever is
smaller binds, and both are reported. Candidates come from each pool in proportion to its
supply, so no pool gives more than its own supply, and a joiner's source is their pool. The
number of joiners is a Poisson draw around that expectation, made by inverting the Poisson
distribution at one uniform per group and month, and never more people than the vacant FTE
rounded up (so their FTE never exceeds the vacancies by more than one person's). So the draws
are common random numbers: a policy that changes one group's expectation leaves every other
group's joiners alone, and more supply never gives fewer joiners than the baseline's in the same
month. Each joiner gets an age (their source's ages, where it has its own: a returner to practice
qualified years before; else their stage's, where it has its own: a consultant holds a certificate
an SAS doctor does not), sex and hours of their own, and a stage where the posts are
vacant: the group's stage shares weighted by each stage's vacant FTE. A stage's establishment is
its share of the group's staff in post at the start, grown with the group's; so recruitment
replaces the SAS doctors or therapists who leave, rather than filling posts in one stage that the
pipeline already fills in another (and leaving the other to drain). When no stage has a vacancy
of its own, the shares alone decide.

A month's joiners are one compiled pass (``joiners_month``), after the exits and hours reviews
of the month in the same compiled call: it brings the stocks up to date with the people those
passes changed, counts the vacancies and draws the joiners into rows made ready for them, and
entering's pass puts them in their stages (``sim.processes.entering``).

Supply beyond what the vacancies take is not used (``sim.unused`` counts what a lever added).
A recruitment campaign with funded posts (``sim.interventions.Recruitment``, ``funded: true``)
is not capped by vacancies: its recruits, a Poisson draw a month around its recruits a year (one
uniform per group, pool and month, of a stream of its own), take posts funded for them, in the
group's stages by its shares, and the establishment grows by the FTE they bring
(``model.campaign_posts``). Those posts stay funded when their holders leave, and the vacancies
they leave are filled from the pools as any other.
"""

from typing import NamedTuple

import numpy as np

from pydantic import field_validator, model_validator

from .. import population
from ..fields import AgeDistribution, Name, PerYear, Probability, Strict, check_age, shares_sum_to_one
from ..eventlog import OUTSIDE
from ..kernels import compiled
from ..kernels.choice import pick
from ..kernels.columns import Addressed, layout, views, width
from ..kernels.counts import poisson_by_inversion, poisson_cap
from ..kernels.month import AFTER, ENTERING, HALT, NEW, NOW, PEOPLE, READY, mark, to_enter
from ..kernels.streams import salts as salts_of, uniform
from ..people import COUNTED_STATE, Status
from ..population import newcomer_draws
from ..rng import ShareTable, cohort_bases, cohort_keys, keys_of_cohorts, people_in, stable_hash
from ..stocks import COUNTED_COLUMNS, settle_month
from ..unused import not_taken
from .passes import Pass, Passes


# vacant FTE past which it no longer bounds a month's joiners (the pools' supply does, far below): an
# establishment grown for decades may pass what a whole number of people can hold
_MOST = 2.0 ** 53


class JoinersSpec(Strict):
    """Qualified staff from outside the pipeline: pools (elsewhere in the UK, international, return
    to practice, ...), each with the joiners it can supply a year, filling the group's vacancies
    (``sim.processes.joiners``). Given as ``pools`` (joiners a year by source), or as ``per_year``
    split by ``sources`` shares, shorthand for pools of ``per_year`` x share. Validated, either form
    gives the total (``per_year``) and each pool's share of it (``sources``), what the model reads,
    the calibration's ``joiners.per_year`` scales and recruitment levers change; ``pools`` stays as
    given, so that ``uncertain:`` and overrides can name a pool (``joiners.pools.international``)."""

    per_year: PerYear | None = None
    fill_per_month: Probability
    stages: dict[str, Probability]
    # a source names a pool as a leaving reason is named: joiners are counted by it (``joined:<source>``)
    # and a recruitment lever's ``source`` names it, which a name of another form could never match
    sources: dict[Name, Probability] | None = None
    pools: dict[Name, PerYear] | None = None
    age: AgeDistribution
    # the ages of a source's joiners where they are not ``age``'s: returners to practice qualified years before
    age_by_source: dict[Name, AgeDistribution] = {}
    # the ages of a stage's joiners where they are not ``age``'s (a source's own ages come first): a consultant
    # recruit holds a certificate that an SAS recruit does not
    age_by_stage: dict[str, AgeDistribution] = {}
    female_share: Probability | None = None

    @field_validator("stages", "sources")
    @classmethod
    def _named(cls, v, info):
        """Joiners have a stage to join and a source to come from: an empty mapping of either passed the
        shares' check (nothing to sum), and the run went on drawing joiners from no stage or no source."""
        if v is not None and not v:
            raise ValueError("at least one post stage joiners join, with its share (e.g. {nursing/registered_nurse: "
                             "1.0})" if info.field_name == "stages" else
                             "at least one source, with its share of per_year (e.g. {international: 1.0}), or pools")
        return v

    @model_validator(mode="after")
    def _sums(self):
        shares_sum_to_one(list(self.stages.values()), "joiner stage shares")
        if self.pools is not None:
            if self.per_year is not None or self.sources is not None:
                raise ValueError("pools (joiners a year by source) or per_year with sources shares, not both")
            if not self.pools:
                raise ValueError("at least one pool (joiners a year by source)")
            total = sum(self.pools.values())
            self.per_year = total
            self.sources = {k: (v / total if total > 0 else 1.0 / len(self.pools)) for k, v in self.pools.items()}
        elif self.per_year is None or self.sources is None:
            raise ValueError("pools (joiners a year by source), or per_year with sources shares")
        else:
            shares_sum_to_one(list(self.sources.values()), "joiner source shares")
        check_age(self.age)
        for field, named, kind in (("age_by_source", self.sources, "source"), ("age_by_stage", self.stages, "stage")):
            for name in getattr(self, field):
                if name not in named:
                    raise ValueError(f"{field}: {name!r} is not a {kind} of these joiners (one of {', '.join(named)})")
        return self

    @field_validator("age_by_source", "age_by_stage")
    @classmethod
    def _own_ages(cls, v):
        """Each source's or stage's age bands sum to one, the message naming it (the field is the mapping)."""
        for name, age in v.items():
            shares_sum_to_one([b.share for b in age], f"{name}'s age band shares")
        return v


class Joiners(Pass):
    group_sections = {"joiners": (JoinersSpec | None, None)}
    decisions = {
        "joiners": "a group's month: how many joiners arrive",
        "joiner_age_band": "a joiner: their age band",
        "joiner_age": "a joiner: their age within the band",
        "joiner_sex": "a joiner: their sex",
        "joiner_welsh": "a joiner: their Welsh ability",
        "joiner_stage": "a joiner: the stage they join",
        "joiner_source": "a joiner: where they come from",
        "campaign": "a funded recruitment campaign's month: how many recruits arrive",
    }
    enters = True  # its joiners, from outside the due list (``room``)

    def __init__(self, model):
        super().__init__(model)
        n = len(model.inputs.groups)
        self.state = np.zeros(len(_STATE), dtype=np.int64)  # what the pass is told and tells (``_STATE``)
        self.state[_ROWS] = _ROWS_AHEAD
        # by month prepared (from ``state[_MONTH]``) and group: the funded establishment, the joiners' base keys
        self.funded, self.cohorts = np.zeros((1, n)), np.zeros((1, n), dtype=np.uint64)
        self.recruits = _NO_RECRUITS  # the month's campaigns' recruits: group, key, source's reason code
        self.campaigns: list = []
        self._alone: Passes | None = None  # its pass alone, for a month counted again with more rows

    def compile(self, s) -> "_Tables":
        """Every group's joiners' stages and sources as tables (a row per group), labelled with stage
        and reason codes, with each stage's share, the draws of a joiner's age, sex and Welsh ability,
        the pools' supply and the funded campaigns in force."""
        joining = [s.spec.groups[g].joiners for g in s.groups]
        content = [(tuple(j.stages.items()), tuple(j.sources.items())) if j else ((), ()) for j in joining]
        stages = ShareTable([[share for _, share in c[0]] for c in content],
                            [[s.stage_code(x) for x, _ in c[0]] for c in content])
        sources = ShareTable([[share for _, share in c[1]] for c in content],
                             [[self.model.events.reason_code(f"joined:{r}") for r, _ in c[1]] for c in content])
        inside = np.isfinite(stages.cumulative)
        shares = np.diff(np.where(inside, stages.cumulative, 0.0), prepend=0.0, axis=1) * inside
        drawn, extra = [], []  # a row of draws per group, then one per source or stage with ages of its own
        source_rows = np.zeros(sources.labels.shape, dtype=np.int64)
        stage_rows = np.zeros(stages.labels.shape, dtype=np.int64)
        for g, (name, j) in enumerate(zip(s.groups, joining)):
            spec = s.spec.groups[name]
            female = j.female_share if j and j.female_share is not None else spec.female_share
            drawn.append((j.age if j else (), female, spec.welsh_share_new))
            source_rows[g], stage_rows[g] = g, g
            for rows, labels, own in ((source_rows, j.sources, j.age_by_source),
                                      (stage_rows, j.stages, j.age_by_stage)) if j else ():
                for k, label in enumerate(labels):
                    if label in own:
                        rows[g, k] = len(s.groups) + len(extra)
                        extra.append((own[label], female, spec.welsh_share_new))
        base = self.model.base_post_fte
        chosen = sorted(s.campaigns.items())
        bands, low, high, female, welsh = population.cohort_tables(drawn + extra)
        tables = [s.stage_group, s.stage_post, s.stage_own_establishment, s.joiner_fill_per_month,
                  s.joiners_per_year / 12.0, np.array([stable_hash("joiners", g) for g in s.groups], dtype=np.uint64),
                  np.where(base > 0, base, np.inf), shares, stages.cumulative, stages.total, stages.last,
                  stages.labels, stage_rows, sources.cumulative, sources.total, sources.last, sources.labels,
                  source_rows, bands.cumulative, bands.total, bands.last, low, high, female, welsh]
        return _Tables(Addressed(tables, _TABLES), supplied=bool((s.joiners_per_year > 0).any()),
                       campaigns=[key for key, _ in chosen],
                       campaign_keys=np.array([stable_hash("campaign", s.groups[g], src) for (g, src), _ in chosen],
                                              dtype=np.uint64),
                       campaign_per_month=np.array([per_year / 12.0 for _, per_year in chosen]),
                       groups=tuple(s.groups))

    def changes(self) -> tuple:
        """The arrays it reads that are made anew: its room for the month's recruits, and those of the
        model a lever may replace."""
        model = self.model
        return (id(self.recruits[0]), id(model.recruitment), id(model.unused.recruits), id(model.unused.supply),
                id(model.campaign_posts), id(self.funded))

    def stretches(self) -> bool:
        """A campaign's recruits are drawn in Python, month by month."""
        return not self.model.inputs.campaigns

    def prepare(self, months: int = 1) -> None:
        """The campaigns' recruits drawn (a month alone), the stocks brought up to date with what Python
        changed, and the months' funded establishment and joiners' base keys, and rows for new people, made
        ready."""
        model, t, state = self.model, self.tables, self.state
        s, p, now = model.inputs, model.people, model.now
        self.campaigns = _campaigns(model, t) if s.campaigns else []
        state[_ACTIVE] = t.supplied or bool(self.campaigns)  # none available to join: no vacancies counted
        if not state[_ACTIVE]:
            return
        recruits = _campaign_recruits(model, self.campaigns)
        if len(recruits[0]) > len(self.recruits[0]):
            self.recruits = tuple(np.empty(2 * len(recruits[0]), dtype=r.dtype) for r in recruits)
        for buffer, values in zip(self.recruits, recruits):
            buffer[: len(values)] = values
        state[_RECRUITS] = len(recruits[0])
        model.stocks.settle(passes=False)  # the pass brings them up to date with the passes' marks
        if len(self.funded) < months:
            self.funded = np.zeros((months, len(t.groups)))
            self.cohorts = np.zeros((months, len(t.groups)), dtype=np.uint64)
        self.funded[:months] = model.funded_establishment(np.arange(now, now + months))
        for j in range(months):
            self.cohorts[j] = cohort_bases("joiner", t.groups, now + j)
        state[_MONTH] = now
        # rows ready ahead within the store's room: a month whose joiners need more grows it (``after``)
        p.reserve(min(_ROWS_AHEAD, p.capacity - p.count))

    def inputs(self) -> tuple[list, tuple]:
        model, t = self.model, self.tables
        stocks, p = model.stocks, model.people
        bases = model.streams.bases(("joiners", "joiner_age_band", "joiner_age", "joiner_sex", "joiner_welsh",
                                     "joiner_stage", "joiner_source"))
        return ([self.state, bases, stocks.headcount, stocks.fte, stocks.bounds, COUNTED_STATE,
                 p.addresses_of(COUNTED_COLUMNS), *stocks.tally(), self.funded, model.campaign_posts,
                 model.recruitment, model.unused.supply, model.unused.recruits, model.base_stage_fte, self.cohorts,
                 *self.recruits, t.tables.addresses, p.addresses_of(_NEW)], (t.supplied,))

    def after(self) -> None:
        """The posts funded for the campaigns' recruits (the last rows its month made); or, with too few rows
        ready, more made and the month's joiners again (nothing was drawn)."""
        model, state = self.model, self.state
        s, p = model.inputs, model.people
        n = int(state[_JOINED]) if state[_ACTIVE] else 0
        state[_JOINED] = 0
        if n < 0:
            p.reserve(-n)
            if self._alone is None:
                self._alone = Passes(model, [self])
            state[_ROWS] = -n + -n // 4  # and a quarter more after: a growing workforce's joiners need more
            self._alone.step()
            return
        if n > 0 and self.campaigns:
            end = int(state[_FIRST]) + n
            mine = np.arange(end - int(state[_RECRUITS]), end)
            model.campaign_posts += np.bincount(p.stage[mine], weights=p.fte[mine], minlength=len(s.stages))


class _Tables(NamedTuple):
    tables: Addressed  # what a month's pass reads (``_TABLES``), by their addresses
    supplied: bool  # whether any pool supplies joiners
    campaigns: list  # the funded campaigns in force, (group, source) in order
    campaign_keys: np.ndarray  # their keys of the campaigns' stream
    campaign_per_month: np.ndarray  # their recruits expected a month
    groups: tuple  # the groups' names, for their joiners' keys (sim.rng.cohort_bases)


# the people's columns a month's joiners are made in, and the tables the month reads (``sim.kernels.columns``)
_NEW = layout(("key", np.uint64), ("sex", np.int8), ("birth_month", np.int32), ("welsh", np.bool_),
              ("status", np.int8), ("active", np.bool_), ("state", np.int8))
_TABLES = layout(("stage_group", np.int16), ("stage_post", np.bool_), ("stage_own_establishment", np.bool_),
                 ("joiner_fill_per_month", np.float64), ("available", np.float64), ("group_keys", np.uint64),
                 ("base_post_fte", np.float64), ("shares", np.float64, 2), ("stage_cumulative", np.float64, 2),
                 ("stage_total", np.float64), ("stage_last", np.int64), ("stage_labels", np.int64, 2),
                 ("stage_rows", np.int64, 2), ("source_cumulative", np.float64, 2), ("source_total", np.float64),
                 ("source_last", np.int64), ("source_labels", np.int64, 2), ("source_rows", np.int64, 2),
                 ("band_cumulative", np.float64, 2), ("band_total", np.float64), ("band_last", np.int64),
                 ("low", np.float64, 2), ("high", np.float64, 2), ("female", np.float64), ("welsh", np.float64))


# what the joiners' pass is told and tells, in ``Joiners.state``: whether anyone is available to join (or
# recruited), the first month prepared, the campaigns' recruits, the most rows a month's joiners may take (the
# room its month is given: ``_ROWS_AHEAD``, or as many as a month has needed); the first row of its last
# month's joiners and how many joined (minus the rows needed, if too few were ready)
_STATE = _ACTIVE, _MONTH, _RECRUITS, _ROWS, _FIRST, _JOINED = range(6)
# the rows a month's joiners may take, and the fewest made ready before a month alone: more than the most a
# month's joiners may be in the shipped scenarios (the vacant FTE rounded up, or the cap of the draws,
# whichever is less: up to about 600 in a default run, against 80 joiners at most), so that the pass seldom
# finds too few and runs again with more; and no more, as the month's room for events and entrants is made
# for as many
_ROWS_AHEAD = 1024
# what the joiners' month reads besides the month's arrays (``sim.kernels.month``): the state, the streams'
# base hashes, the stocks (headcount, FTE and the bounds of FTE counted), the states counted, the
# addresses of the columns they count and what tallies FTE flows (``sim.stocks.settle``), the funded
# establishment, the campaigns' posts, the recruitment and unused supply tallies, the stages' FTE at the
# start, the joiners' base keys, the campaigns' recruits (groups, keys, codes), the addresses of the
# ``_TABLES`` and of the ``_NEW`` columns; then whether any pool supplies joiners
_PASS = layout(("state", np.int64), ("bases", np.uint64), ("headcount", np.int64), ("stocks", np.float64),
               ("bounds", np.float64), ("counted_state", np.bool_), ("counted", np.int64),
               ("group_of_cell", np.int64), ("tally", np.float64, 2), ("funded", np.float64, 2),
               ("campaign_posts", np.float64), ("recruitment", np.float64, 2), ("supply", np.float64),
               ("unused", np.float64), ("base_stage_fte", np.float64), ("cohorts", np.uint64, 2),
               ("campaign_rows", np.int64), ("campaign_keys", np.uint64), ("campaign_codes", np.int16),
               ("tables", np.int64), ("people", np.int64))
_SUPPLIED = width(_PASS)


@compiled()
def joiners_month(month, table):
    """A month's joiners (``_month``), after the stocks are brought up to date with the people the month's
    passes before it marked: they are noted in the month's ``entering`` (from outside, with their source's
    reason code) for entering's pass, which follows."""
    (state, bases, headcount, stocks, bounds, counted_state, counted, group_of_cell, tally, funded, campaign_posts,
     recruitment, supply, unused, base_stage_fte, cohorts, campaign_rows, campaign_keys, campaign_codes, tables,
     people) = views(table, _PASS.types)
    if not state[_ACTIVE]:
        return
    first, now, k = month[PEOPLE], month[NOW], state[_RECRUITS]
    m = now - state[_MONTH]  # the month's row of those prepared
    settle_month(month, first, counted_state, counted, headcount, stocks, bounds, group_of_cell, tally)
    n, stage, code = _month(table[_SUPPLIED] != 0, now, salts_of(bases, now), stocks, funded[m], campaign_posts,
                            recruitment, supply, unused, base_stage_fte, cohorts[m], campaign_rows[:k],
                            campaign_keys[:k], campaign_codes[:k], first, min(state[_ROWS], month[READY] - first),
                            tables, people)
    state[_FIRST], state[_JOINED] = first, n
    if n < 0:  # too few rows ready: Python makes more, and draws the month's joiners again
        month[HALT] = AFTER
        return
    month[PEOPLE] = first + n
    ids, stages, sources, reasons = to_enter(month)
    at = month[ENTERING]
    for j in range(n):
        ids[at + j], stages[at + j], sources[at + j], reasons[at + j] = first + j, stage[j], OUTSIDE, code[j]
    mark(month, ids[at: at + n])  # for the stocks: entering's pass, which follows, does not
    month[ENTERING] = at + n


@compiled()
def joiners_room(month, table):
    """The most joiners a month may bring: the rows they may take, of those made ready (the pass asks for more if
    its vacancies could take more)."""
    state = views(table, _PASS.types[:1])[0]  # its state alone: a view of every array compiles for seconds
    if state[_ACTIVE]:
        month[NEW] += min(state[_ROWS], month[READY] - month[PEOPLE])


Joiners.kernel, Joiners.room_kernel, Joiners.kinds = joiners_month, joiners_room, _PASS


@compiled(inline="always")  # its month's pass is its one caller: compiled in it, once
def _month(supplied, now, salts, cells, funded, campaign_posts, recruitment, supply, unused, base_stage_fte, cohorts,
           campaign_rows, campaign_keys, campaign_codes, first, room, tables, people):
    """A month's joiners in one pass: those filling vacancies, group by group, then the campaigns'
    recruits (``campaign_rows``, ``_keys`` and ``_codes``, one each), made people in the rows from
    ``first`` (as ``People.add`` makes them), with the stage each joins and the reason code of their
    source. ``salts``: the month's of joiners, joiner_age_band, joiner_age, joiner_sex, joiner_welsh,
    joiner_stage and joiner_source. The vacancies are worked out from the stocks by cell
    (``sim.stocks``) and the funded establishment, as ``model.establishment`` and ``model.post_fte``
    give them (the stocks' sums are exact, so the same added in any order). Returns how many joined,
    their stages and codes; or, with fewer than ``room`` rows ready for them, minus how many there
    are, having changed nothing. ``tables`` and ``people``: the addresses of the ``_TABLES`` and of the
    ``_NEW`` columns."""
    (stage_group, stage_post, stage_own, fill_per_month, available, group_keys, base_post_fte, shares,
     stage_cumulative, stage_total, stage_last, stage_labels, stage_rows, sources, source_total, source_last,
     source_labels, source_rows, bands, band_total, band_last, low, high, female, welsh) = views(tables, _TABLES.types)
    key, sex, birth_month, speaks, status, active, state = views(people, _NEW.types)
    n = funded.shape[0]
    stage_fte = np.empty(stage_group.shape[0])
    own, camp, post_fte = np.empty(n), np.empty(n), np.empty(n)  # np.zeros would compile an implementation of its own
    for g in range(n):
        own[g], camp[g], post_fte[g] = 0.0, 0.0, 0.0
    for c in range(stage_group.shape[0]):
        stage_fte[c] = cells[2 * c] + cells[2 * c + 1]
        g = stage_group[c]
        if stage_post[c]:
            post_fte[g] += stage_fte[c]
            camp[g] += campaign_posts[c]
        if stage_own[c]:
            own[g] += stage_fte[c]
    sought, expected, most = _recruitment(funded, own, camp, post_fte, fill_per_month, available, supplied)
    cap, bound = poisson_cap(expected), campaign_keys.shape[0]
    for g in range(n):
        bound += min(most[g], cap)
    if bound > room:  # known before the groups' draws, which a second try must not draw again
        return -bound, np.empty(0, dtype=np.int16), np.empty(0, dtype=np.int16)
    u = np.empty(n)
    for g in range(n):
        u[g] = uniform(group_keys[g], salts[0])
    counts = poisson_by_inversion(u, expected)
    for g in range(n):
        counts[g] = min(counts[g], most[g])
    filling = people_in(counts)
    total = filling + campaign_keys.shape[0]
    stage, code = np.empty(total, dtype=np.int16), np.empty(total, dtype=np.int16)
    if supplied:
        for g in range(n):
            recruitment[0, g] += sought[g]
            recruitment[1, g] += available[g]
            recruitment[2, g] += expected[g]
        not_taken(sought, available, supply, unused)
    rows, keys = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.uint64)
    cohort = keys_of_cohorts(cohorts, counts)
    j = 0
    for g in range(n):
        rows[j: j + counts[g]] = g
        j += counts[g]
    for j in range(total):  # element by element: an array-to-array slice compiles the message of its shape check
        if j < filling:
            keys[j] = cohort[j]
        else:
            rows[j], keys[j] = campaign_rows[j - filling], campaign_keys[j - filling]
        i = first + j  # from outside until they enter a stage
        status[i], active[i], state[i] = _LEFT, True, _LEFT
    vacant = _stage_vacancies(funded, base_post_fte, base_stage_fte, stage_group, campaign_posts, stage_fte)
    _stages_and_sources(keys[:filling], rows[:filling], salts[5:7], shares, stage_labels, stage_last, vacant, sources,
                        source_total, source_last, source_labels, stage, code)
    for j in range(filling, total):  # their posts are funded for them: the shares alone pick the stage
        g = rows[j]
        stage[j] = stage_labels[g, pick(uniform(keys[j], salts[5]), g, stage_cumulative, stage_total, stage_last)]
        code[j] = campaign_codes[j - filling]
    ages = np.empty(total, dtype=np.int64)  # each joiner's row of draws: their source's ages, their stage's, theirs
    for j in range(total):
        g, ages[j] = rows[j], rows[j]
        for k in range(stage_last[g] + 1):
            if stage_labels[g, k] == stage[j]:
                ages[j] = stage_rows[g, k]
        for k in range(source_last[g] + 1):
            if source_labels[g, k] == code[j] and source_rows[g, k] != g:
                ages[j] = source_rows[g, k]
    newcomer_draws(keys, ages, now, salts[1:5], bands, band_total, band_last, low, high, female, welsh, first, key,
                   sex, birth_month, speaks)
    return total, stage, code


@compiled(inline="always")
def _recruitment(funded, own, camp, post_fte, fill_per_month, available, supplied):
    """Each group's recruits sought (the vacant FTE at the fill share) and expected (the smaller of
    those and the recruits available; none if ``supplied`` is false: no pool supplies any), and the
    most people its vacancies take (the vacant FTE rounded up). A month's few groups cost less than
    the numpy calls on them would."""
    n = funded.shape[0]
    sought, expected, most = np.empty(n), np.empty(n), np.empty(n, dtype=np.int64)
    for g in range(n):
        vacant = max(funded[g] + own[g] + camp[g] - post_fte[g], 0.0)
        sought[g] = vacant * fill_per_month[g]
        expected[g] = min(sought[g], available[g]) if supplied else 0.0
        most[g] = np.int64(np.ceil(min(vacant, _MOST) - 1e-9))
    return sought, expected, most


@compiled(inline="always")
def _stage_vacancies(funded, base_post_fte, base_stage_fte, stage_group, campaign_posts, stage_fte):
    """Each stage's vacant FTE: its posts (``stage_posts``) less the FTE counted in it (at least 0)."""
    vacant = np.empty(stage_fte.shape[0])
    for c in range(stage_fte.shape[0]):
        vacant[c] = max(stage_posts(c, funded, base_post_fte, base_stage_fte, stage_group, campaign_posts)
                        - stage_fte[c], 0.0)
    return vacant


@compiled(inline="always")
def stage_posts(c, funded, base_post_fte, base_stage_fte, stage_group, campaign_posts):
    """Stage ``c``'s funded posts (FTE): its share of its group's staff in post at the start
    (``base_stage_fte`` of ``base_post_fte``), grown with the group's funded establishment, and its
    campaigns' posts. The one rule both the joiners' and progression's passes count vacancies by."""
    grown = funded[stage_group[c]] / base_post_fte[stage_group[c]]
    return base_stage_fte[c] * grown + campaign_posts[c]


@compiled(inline="always")
def _stages_and_sources(keys, rows, salts, shares, labels, last, vacant, sources, source_total, source_last,
                        source_labels, stage, code):
    """Each joiner's stage and the reason code of their source, drawn with their uniforms of the
    streams of ``salts`` (the stage's, the source's), into ``stage`` and ``code``. The stage: row
    ``rows[j]``'s shares weighted by vacant FTE (as ``ShareTable.pick`` would from a table of the weighted
    rows; see the module docstring), or its shares alone when none of its stages has a vacancy; the
    source: the pools' shares."""
    cumulative = np.empty(shares.shape[1])
    for j in range(keys.shape[0]):
        g = rows[j]
        weighted = False
        for c in range(last[g] + 1):
            weighted |= shares[g, c] * vacant[labels[g, c]] > 0
        total = 0.0
        for c in range(last[g] + 1):
            total += shares[g, c] * vacant[labels[g, c]] if weighted else shares[g, c]
            cumulative[c] = total
        x, k = uniform(keys[j], salts[0]) * total, 0
        for c in range(last[g] + 1):
            if cumulative[c] <= x:
                k += 1
        stage[j] = labels[g, min(k, last[g])]
        code[j] = source_labels[g, pick(uniform(keys[j], salts[1]), g, sources, source_total, source_last)]


def _campaigns(model, t: _Tables) -> list[tuple[int, str, int]]:
    """The month's recruits of funded campaigns, as (group, source, count) with a count above 0."""
    counts = poisson_by_inversion(model.streams.uniform("campaign", model.now, t.campaign_keys), t.campaign_per_month)
    return [(g, src, int(n)) for (g, src), n in zip(t.campaigns, counts) if n > 0]


def _campaign_recruits(model, campaigns: list[tuple[int, str, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The campaigns' recruits of the month, one each: their group, key and the reason code of their source."""
    if not campaigns:
        return _NO_RECRUITS
    s, events = model.inputs, model.events
    sizes = np.array([n for *_, n in campaigns], dtype=np.int64)
    keys = cohort_keys([("campaign", s.groups[g], src, model.now) for g, src, _ in campaigns], sizes)
    codes = np.array([events.reason_code(f"joined:{src}") for _, src, _ in campaigns], dtype=np.int16)
    return np.repeat(np.array([g for g, *_ in campaigns], dtype=np.int64), sizes), keys, np.repeat(codes, sizes)


_NO_RECRUITS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int16))
_LEFT = np.int8(Status.LEFT)  # a newcomer's status until they enter a stage
