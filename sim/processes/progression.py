"""Progression: people whose stage ends this month take one of its transitions.

The end month was drawn when the person entered the stage (full-time duration, divided by
the LTFT fraction for less-than-full-time trainees), so this step only compares it with
the clock. The transition is drawn from the stage's outgoing probabilities; an ``exit:``
transition takes the person out of the modelled workforce with that reason. A transition into a
training stage whose next intake has no place left for them is not taken: a course with no places
(the Welsh CAAP course before 2022/23, F§3), or one whose places the pipeline's arrivals since its
last intake already take (core completers finishing late, after less than full time or extra
time, come to higher training's next intake early). The person takes one of the stage's other
transitions, their shares scaled up to the whole, with the same draw: arriving there, they would
only be turned away at the intake (``sim.processes.intake``), months into a course they had started.

Nor does anyone take a post that is not there: a transition into a post stage is not taken while
the stage has no vacant FTE (its share of the funded establishment, as the joiners' pass counts it,
less the FTE in it) or, from training (outside posts), while its group has none; each mover takes
a whole post. The person takes the stage's other ways on (certificate holders without a substantive
consultant post, social work graduates outside mental health), as when no post is offered; with no
other way on, a post over establishment, as with a move between posts with one way on (a newly
qualified social worker's first year done), which is never held back. Roles funded as they fill
(``own_establishment``), and groups whose graduates are employed whether or not a post is funded
(``establishment.over_establishment``: the default scenario's nurses, bound by the bursary to work
in Wales, and physician associates, whose posts are made for the planned cohort), take everyone.
"""

from typing import NamedTuple

import numpy as np

from ..kernels import compiled
from ..kernels.bookkeeping import in_states, leave
from .. import calendar
from ..kernels.choice import pick, pick_open
from ..kernels.columns import READ_ONLY, layout, views, width
from ..kernels.month import AT, ENTERING, NOW, PEOPLE, arrays, mark, to_enter
from ..kernels.ranking import smallest_first
from ..kernels.streams import salt, uniform
from ..people import COUNTED_STATE, GONE, Status, states
from ..rng import ShareTable
from ..stocks import COUNTED_COLUMNS, settle_month
from .joiners import stage_posts
from .passes import Pass


class Progression(Pass):
    """People whose stage ends this month: the leavers leave, the movers are noted for entering their
    next stage, which follows this pass in the month's compiled call (``Pass.enters``)."""

    decisions = {"progression": "a person finishing a stage: the transition they take",
                 "progression_order": "a month's finishers: the order in which they take the places and posts left"}
    events_per_due = marks_per_due = 1  # an exit, or entering the next stage
    enters = True

    def changes(self) -> tuple:
        """The campaigns' posts, which a lever may replace."""
        return (id(self.model.campaign_posts),)

    def prepare(self, months: int = 1) -> None:
        """The stocks brought up to date with what Python changed: the pass brings them up to date with the rest."""
        self.model.stocks.settle(passes=False)

    def compile(self, s) -> "_Transitions":
        """Every stage's transitions as one table (a row per stage), labelled with the target stage, and
        each exit's reason code; the code of entering the next stage; each stage's places ahead by month."""
        table = ShareTable.from_cumulative(s.transition_cumulative, s.transition_targets)
        events = self.model.events
        codes = np.zeros(table.labels.shape, dtype=np.int16)
        for stage, (targets, reasons) in enumerate(zip(s.transition_targets, s.transition_reasons)):
            for k in np.flatnonzero(targets < 0):
                codes[stage, k] = events.reason_code(f"exit:{reasons[k]}")
        return _Transitions(table, codes, events.reason_code("progressed"), places_ahead(s, self.model.end))

    def inputs(self) -> tuple[list, tuple]:
        model, (table, codes, progressed, ahead) = self.model, self.tables
        s, stocks, p = model.inputs, model.stocks, model.people
        return ([states(Status.TRAINING, Status.IN_POST), model.streams.bases(("progression", "progression_order")),
                 table.cumulative, table.total, table.last, table.labels, codes, _LEFT, ahead, model.arrived,
                 s.stage_group, s.stage_post, s.stage_posts_limited,
                 model.funded_establishment(np.arange(s.start, model.end + 1)), model.base_post_fte,
                 model.base_stage_fte, model.campaign_posts, stocks.headcount, stocks.fte,
                 stocks.bounds, COUNTED_STATE, p.addresses_of(COUNTED_COLUMNS), *stocks.tally(),
                 p.addresses_of(_FINISH)],
                (GONE, progressed, model.inputs.start))


class _Transitions(NamedTuple):
    table: ShareTable  # each stage's transitions: shares, and targets as labels (-1: an exit)
    codes: np.ndarray  # (stage, transition): an exit's reason code
    progressed: int  # the reason code of entering the next stage
    places_ahead: np.ndarray  # (month from the start, stage): the places of its next intake (``places_ahead``)


_NO_INTAKE = np.iinfo(np.int64).max  # the places ahead of a stage without an intake: never closed


def places_ahead(s, end: int) -> np.ndarray:
    """For each month from the scenario's start to ``end`` (a row each), the places of each stage's next intake
    (this month's, or the next in its month of the year), rounded up: the most it can take of the pipeline's
    arrivals since its last intake. A person arriving beyond them would only be turned away there
    (``sim.processes.intake``). Worked out only for the stages some transition leads to: the others have no
    arrivals."""
    months = np.arange(s.start, max(end, s.start) + 1)
    out = np.full((len(months), len(s.stages)), _NO_INTAKE, dtype=np.int64)
    reached = {int(t) for targets in s.transition_targets for t in targets if t >= 0}
    for name, spec in s.spec.intake.items():
        if s.stage_code(name) not in reached:
            continue
        ahead = (spec.month - calendar.month_of_year(months)) % 12  # months to the next intake, this one included
        years, which = np.unique(calendar.academic_year(months + ahead), return_inverse=True)
        out[:, s.stage_code(name)] = np.ceil([s.places(name, int(y)) for y in years]).astype(np.int64)[which]
    return out


_LEFT = np.array([Status.LEFT], dtype=np.int8)  # the status of those who leave
# the people's columns finishing a stage reads and writes (``sim.kernels.columns``)
_FINISH = layout(("key", np.uint64), ("stage", np.int16), ("stage_due", np.int32), ("status", np.int8),
                 ("active", np.bool_), ("state", np.int8), ("next_due", np.int32))
# what progression's month reads besides the month's arrays: which states finish a stage, the stream's base
# hash, the transitions' table, the exits' reason codes, the status of those who leave, the places ahead by month and
# stage, the pipeline's arrivals by stage since its last intake (the model's, as entering's pass counts them); by
# stage its group, whether it is a post and whether its posts are limited (``stage_posts_limited``); the funded
# establishment by month and group, the staff in post at the start by group and the posts at the start by stage
# (``sim.processes.joiners``), the campaigns' posts by stage, the stocks (``sim.stocks.settle_month``) and the
# addresses of the ``_FINISH`` columns; then the state of those gone, the reason code of entering the next stage and
# the month the rows by month start from
_TABLE = layout(("chosen", np.bool_, 1, READ_ONLY), ("bases", np.uint64), ("cumulative", np.float64, 2),
                ("total", np.float64), ("last", np.int64), ("labels", np.int64, 2), ("codes", np.int16, 2),
                ("left", np.int8), ("places_ahead", np.int64, 2), ("arrived", np.int64), ("stage_group", np.int16),
                ("stage_post", np.bool_), ("limited", np.bool_), ("funded", np.float64, 2), ("base_post_fte", np.float64),
                ("base_stage_fte", np.float64), ("campaign_posts", np.float64), ("headcount", np.int64),
                ("stocks", np.float64), ("bounds", np.float64), ("counted_state", np.bool_), ("counted", np.int64),
                ("group_of_cell", np.int64), ("tally", np.float64, 2), ("people", np.int64))
_NUMBERS = width(_TABLE)


@compiled()
def progression_month(month, table):
    """``finish`` over the month's due list (``sim.kernels.month``): its leavers marked, its movers noted in
    the month's ``entering``."""
    due, columns, _, _ = arrays(month)
    (chosen, bases, cumulative, total, last, labels, codes, left, ahead, arrived, stage_group, stage_post, limited,
     funded, base_post_fte, base_stage_fte, campaign_posts, headcount, stocks, bounds, counted_state, counted,
     group_of_cell, tally, people) = views(table, _TABLE.types)
    now = month[NOW]
    row = max(min(now - table[_NUMBERS + 2], ahead.shape[0] - 1), 0)  # past the run's end: as at its end
    settle_month(month, month[PEOPLE], counted_state, counted, headcount, stocks, bounds, group_of_cell, tally)
    vacant, group_vacant = _vacancies(funded[row], base_post_fte, base_stage_fte, campaign_posts, stage_group,
                                      stage_post, limited, stocks)
    leavers = finish(due, now, chosen, salt(bases[0], now), salt(bases[1], now), cumulative, total, last, labels,
                     codes, left[0], table[_NUMBERS], table[_NUMBERS + 1], ahead[row], arrived, stage_group, stage_post,
                     limited, vacant, group_vacant, people, columns, month)
    month[AT] += leavers.shape[0]
    mark(month, leavers)


Progression.kernel, Progression.kinds = progression_month, _TABLE


@compiled(inline="always")  # its month's pass is its one caller: compiled in it, once
def finish(due, now, chosen, salt, order, cumulative, total, last, labels, codes, left, gone, progressed, ahead,
           arrived, stage_group, stage_post, limited, vacant, group_vacant, people, columns, month):
    """The people of ``due`` (in a state ``chosen`` marks) whose stage ends this month each take a
    transition drawn (as ``ShareTable.pick`` would) with their stage's shares, or, if it leads to a stage
    closed to them, drawn with the same uniform among the others (``pick_open``): a stage with no place
    left at its next intake (its places ``ahead`` taken by those ``arrived`` since its last and the movers
    before them), or a ``limited`` post stage with no ``vacant`` FTE (from a post), or none of its own or
    of its group's (``group_vacant``; from outside posts), each mover taking one. With every way closed,
    a way closed only for want of a post is taken (over establishment). Those who may find a way closed take
    the places and posts left in the order of their draws of the stream whose salt is ``order`` (``_by_draw``),
    not in their rows' (a course's intake before another's, which took them all where posts were few). The
    leavers leave
    (their events written from the month's row of ``columns``, with their exit's reason code); the movers
    are noted in the month's ``entering``, for their target stages (reason ``progressed``). Returns the
    leavers (``people``: the addresses of the ``_FINISH`` columns)."""
    key, stage, stage_due, status, active, state, next_due = views(people, _FINISH.types)
    movers, targets, sources, reasons = to_enter(month)
    ids = in_states(due, state, chosen, stage_due, now)
    n = ids.shape[0]
    _by_draw(ids, key, stage, order, labels, last, limited, ahead)
    leavers, codes_out = np.empty(n, np.int64), np.empty(n, np.int16)
    out, moved = 0, month[ENTERING]
    coming = arrived.copy()  # arrivals at each stage's next intake, with this month's movers
    # closed by stage: for want of places; or of a post, from a post; or of its own or its group's, from outside posts
    closed = np.empty((3, ahead.shape[0]), dtype=np.bool_)
    for c in range(ahead.shape[0]):
        _close(closed, c, coming, ahead, limited, vacant, group_vacant[stage_group[c]])
    for j in range(n):
        i = ids[j]
        st = stage[i]
        shut = closed[1 if stage_post[st] else 2]
        u = uniform(key[i], salt)
        k = pick(u, st, cumulative, total, last)
        if labels[st, k] >= 0 and shut[labels[st, k]]:
            other = pick_open(u, st, cumulative, last, labels, shut)
            if other < 0:  # every way closed: one closed only for want of a post, over establishment
                other = pick_open(u, st, cumulative, last, labels, closed[0])
            k = k if other < 0 else other  # every way closed: as drawn (turned away on arriving)
        target = labels[st, k]
        if target < 0:
            leavers[out], codes_out[out] = i, codes[st, k]
            out += 1
        else:
            movers[moved], targets[moved], sources[moved], reasons[moved] = i, target, st, progressed
            moved += 1
            coming[target] += 1
            g, h = stage_group[target], stage_group[st]
            if limited[target]:
                vacant[target] -= 1.0
                if not (stage_post[st] and h == g):  # a post taken in the group, not a regrading within it
                    group_vacant[g] -= 1.0
            if limited[st]:  # the post left
                vacant[st] += 1.0
                if h != g:
                    group_vacant[h] += 1.0
            for c in range(ahead.shape[0]):  # the stages of the groups changed
                if stage_group[c] == g or stage_group[c] == h:
                    _close(closed, c, coming, ahead, limited, vacant, group_vacant[stage_group[c]])
    mark(month, movers[month[ENTERING]:moved])  # for the stocks: entering's pass, which follows, does not
    month[ENTERING] = moved
    leave(leavers[:out], now, codes_out[:out], left, gone, stage, status, active, state, next_due, columns, month[AT])
    return leavers[:out]


@compiled()
def _by_draw(ids, key, stage, order, labels, last, limited, ahead):
    """Those of ``ids`` whose stage leads to one that may close (a ``limited`` post, or places ``ahead``), put in
    the order of their draws of the stream whose salt is ``order`` among their own places in ``ids``, so that
    who takes the places and posts left is not decided by row (a course's intake before another's). The others
    keep theirs: sorting everyone cost a default run a tenth of its time."""
    contested = np.empty(labels.shape[0], dtype=np.bool_)  # by stage: one of its ways on may close (np.zeros
    for st in range(labels.shape[0]):  # would compile an implementation of its own)
        contested[st] = False
        for k in range(last[st] + 1):
            t = labels[st, k]
            contested[st] |= t >= 0 and (limited[t] or ahead[t] != _NO_INTAKE)
    m = np.int64(0)  # not the literal 0: ``smallest_first`` would compile for it apart
    for j in range(ids.shape[0]):
        m += contested[stage[ids[j]]]
    if m < 2:
        return
    slots, draws = np.empty(m, dtype=np.int64), np.empty(m)
    m = np.int64(0)
    for j in range(ids.shape[0]):
        if contested[stage[ids[j]]]:
            slots[m], draws[m] = j, uniform(key[ids[j]], order)
            m += 1
    drawn = ids[slots[smallest_first(draws, m)]]
    for k in range(m):
        ids[slots[k]] = drawn[k]


@compiled()  # called, not inlined: a quarter of a second less of a first run's compiling
def _close(closed, c, coming, ahead, limited, vacant, group_vacant):
    """Whether stage ``c`` is closed (``finish``): for want of places at its next intake; or of a post vacant in it;
    or of one in it or in its group."""
    closed[0, c] = coming[c] >= ahead[c]
    closed[1, c] = closed[0, c] or (limited[c] and vacant[c] <= 0.0)
    closed[2, c] = closed[1, c] or (limited[c] and group_vacant <= 0.0)


@compiled()
def _vacancies(funded, base_post_fte, base_stage_fte, campaign_posts, stage_group, stage_post, limited, cells):
    """Each stage's vacant FTE and each group's, as the joiners' pass counts them (``sim.processes.joiners``): a
    stage's posts (``stage_posts``) less the FTE in it; infinite for a stage whose posts are not ``limited``
    (funded as they fill) or that had none at the start. A group's: its funded establishment and campaigns' posts
    less the FTE in its limited posts (those funded as they fill are as many as their staff)."""
    n = funded.shape[0]
    vacant, group_vacant = np.empty(stage_group.shape[0]), np.empty(n)
    for g in range(n):
        group_vacant[g] = funded[g]
    for c in range(stage_group.shape[0]):
        g, fte = stage_group[c], cells[2 * c] + cells[2 * c + 1]
        vacant[c] = np.inf
        if limited[c] and base_stage_fte[c] > 0.0:
            vacant[c] = stage_posts(c, funded, base_post_fte, base_stage_fte, stage_group, campaign_posts) - fte
        if stage_post[c]:
            group_vacant[g] += campaign_posts[c] - (fte if limited[c] else 0.0)
    return vacant, group_vacant
