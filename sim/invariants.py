"""Invariants that must hold after every step (``workforce run --check``).

- headcount of every group changes only by recorded joiners and leavers;
- the state column of who is active in which status (``model.in_status``) agrees with a
  scan of every row;
- nobody is in two places: each counted person has exactly one valid stage and a status
  that matches it (training stage <-> in training), and is counted once;
- FTE is in (0, 1] for everyone counted; no count is negative;
- the running stocks (``sim.stocks``) agree with a count of everyone;
- nothing scheduled is overdue (``check_schedule``);
- nobody is younger than their stage allows: the youngest age at which anyone can enter it
  (the lowest age of its stock, intake or joiners, or of any stage that leads to it), and
  never younger than 16;
- nobody in post, in training or back from retirement is above their group's maximum age;
- FTE of every group changes only by the FTE of recorded joiners and leavers and changes of
  hours (``sim.fte_flows``);
- a month's entrants of an intake are no more than its places for the academic year, and a
  group's joiners bring no more FTE than was vacant when they joined, plus one person's;
- after the last step, the event log replays to the final state: each person's events form
  one unbroken chain (every move starts from the stage the previous one ended in), and the
  last one gives the stage and status in the people columns (``replay``).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from . import calendar
from .eventlog import OUTSIDE, STOCK_RETURNED
from .flows import net
from .people import COUNTED, NEVER, Status, has_status
from .processes.exits import exit_month
from .sums import matmul


class Checks:
    """What the checks of one model keep from month to month (``model.checks`` when it runs with
    ``check``): the youngest age at which anyone can be in each stage, and how far the event log
    has been read. A model without them is checked afresh (the whole log read)."""

    def __init__(self, model):
        self.youngest = youngest_ages(model.inputs)
        self.events = (None, 0, 0)  # the month last checked, where its events start, the log's end then
        self.campaign_posts = None  # the posts funded for campaigns' recruits when last checked (none yet)


def _kept(model) -> Checks:
    kept = getattr(model, "checks", None)
    return kept if kept is not None else Checks(model)


class InvariantError(AssertionError):
    pass


def check_step(model, previous: dict, current: dict) -> None:
    s, p = model.inputs, model.people
    before = model.group_totals(previous, "stage_headcount")
    after = model.group_totals(current, "stage_headcount")
    moved = net(current["flows"])
    for g in s.groups:
        if round(after[g] - before[g]) != moved[g]:
            raise InvariantError(f"month {model.now}: {g} headcount changed by {after[g] - before[g]:+.0f} "
                                 f"but recorded flows net {moved[g]:+d}")
    check_fte_flows(model, previous, current)
    check_intake_and_joiners(model, current)
    everyone = np.flatnonzero(has_status(p.status[: p.count], COUNTED) & p.active[: p.count])
    ids = model.counted()
    if not np.array_equal(np.unique(ids), everyone):  # the state column, against a full scan
        raise InvariantError(f"month {model.now}: the people counted differ from a scan of every row")
    stage = p.stage[ids]
    if (stage < 0).any() or (stage >= len(s.stages)).any():
        raise InvariantError(f"month {model.now}: a counted person has no valid stage")
    if ((p.status[ids] == Status.TRAINING) != s.stage_training[stage]).any():
        raise InvariantError(f"month {model.now}: a person's status does not match their stage")
    fte = p.fte[ids]
    if not ((fte > 0) & (fte <= 1.0)).all():
        raise InvariantError(f"month {model.now}: FTE outside (0, 1] for someone counted")
    for key in ("stage_headcount", "stage_fte", "welsh_headcount", "welsh_fte", "post_fte"):
        if (current[key] < 0).any():
            raise InvariantError(f"month {model.now}: negative {key}")
    age = model.now - p.birth_month[ids]
    if (age < 12 * 16).any():
        raise InvariantError(f"month {model.now}: someone counted is younger than 16")
    youngest = _kept(model).youngest
    too_young = age < youngest[stage]
    if too_young.any():
        i = int(np.flatnonzero(too_young)[0])
        raise InvariantError(f"month {model.now}: person {int(ids[i])} in {s.stages[stage[i]]} is {age[i] / 12:.2f}, "
                             f"younger than anyone can enter it ({youngest[stage[i]] / 12:.2f})")
    too_old = age > s.max_age_months[p.group[ids]]
    if too_old.any():
        i = int(np.flatnonzero(too_old)[0])
        raise InvariantError(f"month {model.now}: person {int(ids[i])} in {s.stages[stage[i]]} "
                             f"({Status(p.status[ids[i]]).name.lower()}) is {age[i] / 12:.2f}, above their group's "
                             f"maximum age ({s.max_age_months[p.group[ids[i]]] / 12:.0f})")
    if (np.bincount(ids, minlength=1) > 1).any():
        raise InvariantError(f"month {model.now}: someone counted twice")
    cell = stage * 2 + p.welsh[ids]  # the running stocks, against a count of everyone
    stocks = model.stocks.settle()
    if not (np.array_equal(stocks.headcount, np.bincount(cell, minlength=stocks.cells))
            and np.array_equal(stocks.fte, np.bincount(cell, weights=fte, minlength=stocks.cells))):
        raise InvariantError(f"month {model.now}: the running stocks differ from a count of everyone "
                             "(a change of status, stage or hours not marked?)")
    check_schedule(model)
    if model.now >= model.end:
        check_replay(model)


def check_fte_flows(model, previous: dict, current: dict) -> None:
    """Each group's FTE changed by the FTE that joined, less the FTE that left, plus the net change
    of hours of the people who stayed (``sim.fte_flows``); FTE joined or left only with recorded joiners or leavers."""
    if current["fte_flows"] is None:
        return  # a model built without check keeps no tally (sim.fte_flows)
    s = model.inputs
    before = model.group_totals(previous, "stage_fte")
    after = model.group_totals(current, "stage_fte")
    joined, left, changed = current["fte_flows"]
    flows = current["flows"]
    for i, g in enumerate(s.groups):
        explained = joined[i] - left[i] + changed[i]
        if abs(after[g] - before[g] - explained) > 1e-6:
            raise InvariantError(f"month {model.now}: {g} FTE changed by {after[g] - before[g]:+.4f} but joiners "
                                 f"({joined[i]:.4f}), leavers ({left[i]:.4f}) and changes of hours ({changed[i]:+.4f}) "
                                 f"explain {explained:+.4f}")
        for kind, fte in (("joiners", joined[i]), ("leavers", left[i])):
            if fte > 0 and not sum(flows[kind][g].values()):
                raise InvariantError(f"month {model.now}: {g} FTE of {kind} {fte:.4f} with no {kind} recorded")


def check_intake_and_joiners(model, current: dict) -> None:
    """The month's entrants of each intake no more than its places for the academic year, and each
    group's joiners' FTE no more than its vacant FTE when they joined, plus one person's (the
    joiners step rounds up to whole people, ``sim.processes.joiners``), plus the FTE of funded
    campaigns' recruits, who come with posts of their own and are not capped by vacancies."""
    s, p, now = model.inputs, model.people, model.now
    kept = _kept(model)
    campaign = model.campaign_posts - (0.0 if kept.campaign_posts is None else kept.campaign_posts)  # this month's
    kept.campaign_posts = model.campaign_posts.copy()
    checked, since, mark = kept.events  # the events read by the last check
    since = since if checked == now else mark if checked == now - 1 else 0  # else: the whole log, by month
    kept.events = (now, since, model.events.mark)
    ids, month, _, dst, reason = model.events.arrays(since)
    this_month = month == now
    ids, dst, reason = ids[this_month], dst[this_month].astype(np.intp), reason[this_month]
    names = np.array(model.events.reasons + [""], dtype=object)[reason]
    entrants = np.bincount(dst[np.isin(names, ("intake", "selected"))], minlength=len(s.stages))
    year = calendar.academic_year(now)
    for stage in np.flatnonzero(entrants):
        name = s.stages[stage]
        places = math.ceil(s.places(name, year)) if name in s.spec.intake else 0  # a fraction: a place, or none
        if entrants[stage] > places:
            raise InvariantError(f"month {now}: {entrants[stage]} entrants of the {name} intake, more than its "
                                 f"{places} places for {year}/{(year + 1) % 100:02d}")
    joining = np.array([n.startswith("joined:") for n in names], dtype=bool)
    ids, dst = ids[joining], dst[joining]
    group, fte = s.stage_group[dst], p.fte[ids].astype(np.float64)
    joined = np.bincount(group, weights=fte, minlength=len(s.groups))
    joined_post = np.bincount(group, weights=np.where(s.stage_post[dst], fte, 0.0), minlength=len(s.groups))
    recruited = np.bincount(s.stage_group, weights=campaign, minlength=len(s.groups))  # campaigns' recruits' FTE
    establishment = current["establishment_fte"] - matmul(model._post_of_group, campaign)  # before their posts
    vacant = np.maximum(establishment - (current["post_fte"] - joined_post), 0.0)
    over = joined > vacant + recruited + 1.0 + 1e-9
    if over.any():
        g = int(np.flatnonzero(over)[0])
        raise InvariantError(f"month {now}: {s.groups[g]} joiners brought {joined[g]:.2f} FTE, more than the "
                             f"{vacant[g]:.2f} FTE vacant when they joined, the {recruited[g]:.2f} FTE of funded "
                             "campaigns' recruits and one person's")


def check_schedule(model) -> None:
    """Nothing scheduled is overdue (``sim.processes.exits``, ``sim.processes.hours``): everyone
    active has their next dates after this month, ``next_due`` is the earliest of them, and no exit
    threshold has been passed unseen."""
    p, now = model.people, model.now
    ids = np.flatnonzero(p.active[: p.count])
    status = p.status[ids]
    staying = has_status(status, (Status.TRAINING, Status.IN_POST))
    due = np.where(staying, np.minimum.reduce([p.stage_due[ids], p.exit_due[ids], p.hours_due[ids]]),
                   np.where(status == Status.RETIRED, p.return_due[ids], p.return_until[ids]))
    if not np.array_equal(due, p.next_due[ids]):
        raise InvariantError(f"month {now}: someone's next_due is not the earliest of their due months")
    if (due <= now).any():
        i = int(ids[np.flatnonzero(due <= now)[0]])
        raise InvariantError(f"month {now}: person {i} had something due by month {int(p.next_due[i])} left undone")
    staying = ids[staying]
    if (exit_month(p, staying) < p.exit_due[staying]).any():
        raise InvariantError(f"month {now}: someone's exit falls before their exit_due")


def youngest_ages(s) -> np.ndarray:
    """The youngest age (months) anyone can have in each stage: the lowest age band of the people
    who start in it or in any stage that leads to it (stocks, intakes, joiners; ages only grow)."""
    spec = s.spec
    lowest = {st: math.inf for st in s.stages}

    def start(stage, bands):
        lowest[stage] = min(lowest[stage], min(math.floor(12 * b.low) for b in bands))

    for st, stock in spec.stocks.items():
        start(st, stock.age)
    leads = nx.DiGraph()
    leads.add_nodes_from(s.stages)
    leads.add_edges_from((a, b) for a, b in s.graph.edges if a in lowest and b in lowest)
    for st, intake in spec.intake.items():
        if intake.from_stage is None:
            start(st, intake.age)
        else:
            leads.add_edge(intake.from_stage, st)
    for g in spec.groups.values():
        if g.joiners:
            for st in g.joiners.stages:
                for age in (g.joiners.age_by_stage.get(st, g.joiners.age), *g.joiners.age_by_source.values()):
                    start(st, age)
    out = np.full(len(s.stages), NEVER, dtype=np.int64)
    for i, st in enumerate(s.stages):
        youngest = min(lowest[x] for x in nx.ancestors(leads, st) | {st})
        if youngest < math.inf:
            out[i] = youngest
    return out


def replay(log, n_people: int, stage_training: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each person's stage and status as the event log says they end: ``(stage, status)`` arrays.

    The stage is where their last event took them (or, if it took them out, the stage they left,
    which the people columns keep). The status follows from the last event: in a training stage
    -> training; back from retirement -> returned; in any other stage -> in post; out through
    retirement -> retired; out any other way -> left. Raises ``InvariantError`` if someone's
    events do not form one chain (a move that does not start where the previous one ended,
    which would put a person in two places) or someone has no events at all.
    """
    ids, _, src, dst, reason = log.arrays()
    order = np.argsort(ids, kind="stable")  # keeps each person's events in the order they happened
    ids, src, dst, reason = ids[order], src[order].astype(np.int64), dst[order].astype(np.int64), reason[order]
    first = np.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    last = np.ones(len(ids), dtype=bool)
    last[:-1] = ids[1:] != ids[:-1]
    broken = np.flatnonzero(~first[1:] & (src[1:] != dst[:-1])) + 1
    if len(broken):
        i = broken[0]
        raise InvariantError(f"person {ids[i]}: an event from stage {src[i]} ({log.reasons[reason[i]]}) but their "
                             f"previous event took them to {dst[i - 1]}")
    outside_first = first & (src != OUTSIDE)
    if outside_first.any():
        i = int(np.flatnonzero(outside_first)[0])
        raise InvariantError(f"person {ids[i]}: their first event starts in stage {src[i]}, not outside")
    seen = ids[last]
    if len(seen) != n_people or (len(seen) and (seen[0] != 0 or seen[-1] != n_people - 1)):
        missing = np.setdiff1d(np.arange(n_people), seen)
        raise InvariantError(f"{len(missing)} people have no events (e.g. person {missing[:1].tolist()})")
    src, dst, reason = src[last], dst[last], reason[last]
    names = np.array(log.reasons + [""], dtype=object)[reason]
    inside = dst >= 0
    stage = np.where(inside, dst, src)
    status = np.full(n_people, int(Status.LEFT), dtype=np.int8)
    retired = ~inside & np.isin(names, ["retired", "retired_mho"])
    status[retired] = int(Status.RETIRED)
    status[inside] = np.where(stage_training[stage[inside]], int(Status.TRAINING), int(Status.IN_POST))
    status[inside & np.isin(names, ["returned", STOCK_RETURNED])] = int(Status.RETURNED)
    return stage.astype(np.int16), status


def check_replay(model) -> None:
    """The event log replays to the people columns: stage and status of everyone ever created,
    and the stage headcount of the last month."""
    s, p = model.inputs, model.people
    stage, status = replay(model.events, p.count, s.stage_training)
    wrong = np.flatnonzero((stage != p.stage[: p.count]) | (status != p.status[: p.count]))
    if len(wrong):
        i = int(wrong[0])
        raise InvariantError(f"month {model.now}: person {i} replays to stage {stage[i]} with status "
                             f"{Status(status[i]).name} but is in stage {p.stage[i]} with status "
                             f"{Status(p.status[i]).name} ({len(wrong)} people differ)")
    counted = np.isin(status, [int(x) for x in (Status.TRAINING, Status.IN_POST, Status.RETURNED)])
    active = p.active[: p.count]
    if (counted & ~active).any() or ((status == Status.LEFT) & active).any():
        raise InvariantError(f"month {model.now}: someone's active flag does not match their replayed status")
    headcount = np.bincount(stage[counted & active], minlength=len(s.stages))
    if not np.array_equal(headcount, model.history[-1]["stage_headcount"]):
        raise InvariantError(f"month {model.now}: the replayed stage headcount differs from the last month's")
