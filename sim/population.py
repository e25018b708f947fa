"""The starting population, and the draws that give any new person their attributes.

Each stage's stock is given as a headcount, an FTE, or both:

- headcount only: that many people;
- FTE only: people are drawn one by one (vectorised as a cumulative sum) until their FTE
  reaches the target, so the headcount follows from the hours distribution;
- both: that many people, and the hours of the part-timers are scaled together so that the
  stock's FTE equals the published figure (the published FTE/headcount ratio wins over the
  assumed part-time hours).

Staff in post include those back after retiring (retire-and-return): a stock counted in post holds them,
at their group's steady share (``_returned``), so that the run does not open with none and build them up.

Trainees are spread over the cohorts of their stage: an entry month in one of the past
intake months (or any past month), with the stage end drawn as for a new entrant. A training
stock's ``age`` is the age at which its people entered the stage, as an intake's is: a
final-year student is older than a first-year one by the years between, so nobody finishes a
course younger than its entrants could.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .eventlog import STOCK, STOCK_RETURNED
from .kernels import compiled
from .processes import exits
from .people import NEVER, Status
from .kernels.choice import pick
from .kernels.streams import uniform
from .rng import ShareTable, cohort_keys
from .fields import MIN_STOCK_FTE


_BLOCK = 1 << 16  # people entering their starting stages at a time


def draw_cohorts(model, cohorts, streams: tuple[str, str, str, str], status: Status = Status.LEFT) -> np.ndarray:
    """Add the people of several cohorts, each ``(keys, age, female_share, welsh_share)``: sex,
    birth month (uniform within age bands) and Welsh ability, drawn from ``streams`` (age band, age
    within it, sex, Welsh ability). ``status`` is theirs until they enter a stage: ``LEFT`` (from
    outside) for newcomers, who are given hours on entering a post.

    All draws are per key, so a batch gives every person exactly what drawing their cohort
    alone would; new ids follow the cohorts' order.
    """
    keys = np.concatenate([c[0] for c in cohorts])
    row = np.repeat(np.arange(len(cohorts)), [len(c[0]) for c in cohorts])
    return newcomers(model, keys, row, cohort_tables([c[1:] for c in cohorts]), streams, status)


def cohort_tables(cohorts) -> tuple:
    """Cohorts' draws, each cohort's ``(age, female_share, welsh_share)``, as the tables ``newcomers``
    reads: its age bands to draw a band from, each band's lowest and highest age, and the shares."""
    bands, low, high = _age_bands(tuple(tuple((b.share, b.low, b.high) for b in c[0]) for c in cohorts))
    female, welsh = (np.array([c[i] for c in cohorts], dtype=np.float64) for i in (1, 2))
    return bands, low, high, female, welsh


def newcomers(model, keys: np.ndarray, row: np.ndarray, tables: tuple, streams: tuple[str, str, str, str],
              status: Status = Status.LEFT) -> np.ndarray:
    """``draw_cohorts`` of people with ``keys``, each of the cohort ``row`` of ``tables`` (``cohort_tables``)."""
    bands, low, high, female, welsh = tables
    p, now = model.people, model.now
    ids = p.add(len(keys), status=int(status))  # set by enter_stage
    # writable salts, as the passes that draw newcomers work them out: one compiled newcomer_draws for all
    newcomer_draws(keys, row, now, model.streams.salts(streams, now).copy(), bands.cumulative, bands.total, bands.last,
                   low, high, female, welsh, int(ids[0]) if len(ids) else 0, p.key, p.sex, p.birth_month, p.welsh)
    return ids


@compiled()
def newcomer_draws(keys, row, now, salts, cumulative, total, last, low, high, female, welsh, first, key, sex,
                   birth_month, speaks):
    """Each newcomer's key, sex, birth month (uniform within an age band drawn from their cohort's)
    and Welsh ability, into the rows from ``first``; ``salts``: the age band's, the age's, the sex's
    and the Welsh ability's."""
    for j in range(keys.shape[0]):
        r, i = row[j], first + j
        band = pick(uniform(keys[j], salts[0]), r, cumulative, total, last)
        young, old = low[r, band], high[r, band]
        key[i] = keys[j]
        birth_month[i] = now - np.int32(np.floor(12 * (young + (old - young) * uniform(keys[j], salts[1]))))
        sex[i] = uniform(keys[j], salts[2]) >= female[r]
        speaks[i] = uniform(keys[j], salts[3]) < welsh[r]


@lru_cache(maxsize=64)
def _age_bands(ages: tuple) -> tuple[ShareTable, np.ndarray, np.ndarray]:
    """Cohorts' age bands (each cohort's a tuple of (share, low, high)) as a table to draw a band
    from, with each band's lowest and highest age; kept, as the same cohorts recur every month."""
    bands = ShareTable([[share for share, _, _ in age] for age in ages])
    width = bands.cumulative.shape[1]
    low, high = (np.array([[band[end] for band in age] + [0.0] * (width - len(age)) for age in ages]) for end in (1, 2))
    return bands, low, high


def create(model) -> None:
    """Create every stage's starting stock at the scenario's start month.

    The stocks are drawn as one batch: every draw is per person key, so each person gets what
    drawing their stock alone would, at a fraction of the cost of a batch per stock. An FTE-only
    stock's candidates beyond its target are dropped after, leaving the ids stock by stock gives.
    """
    s, p = model.inputs, model.people
    stocks = [(name, stock, s.stage_code(name)) for name, stock in s.spec.stocks.items()]
    sizes = np.array([stock_size(s, name, stock) for name, stock, _ in stocks], dtype=np.int64)
    keys = np.split(cohort_keys([("stock", name) for name, *_ in stocks], sizes), np.cumsum(sizes)[:-1])
    cohorts = []
    for (name, stock, stage), stock_keys in zip(stocks, keys):
        group = s.spec.groups[s.groups[s.stage_group[stage]]]
        female = stock.female_share if stock.female_share is not None else group.female_share
        cohorts.append((stock_keys, stock.age, female, group.welsh_share))
    if cohorts:
        ids = draw_cohorts(model, cohorts, ("stock_age_band", "stock_age", "stock_sex", "stock_welsh"),
                           Status.IN_POST)  # in post already: no hours drawn on entry
        codes = np.array([code for *_, code in stocks], dtype=np.int16)
        stage = np.repeat(codes, sizes)
        _mho(model, ids, stage)  # before entering their stages, whose exit checks allow for it
        for start in range(0, len(ids), _BLOCK):  # a block at a time: its temporaries, not everyone's
            model.enter_stage(ids[start: start + _BLOCK], stage[start: start + _BLOCK], reason=None)
        staff = ids[~s.stage_training[stage]]
        if len(staff):
            model.draw_fte(staff, ("stock_hours", "stock_hours_fraction"))
            _returned(model, ids[s.stage_post[stage]])  # before their stocks' FTE is matched: at reduced hours
        kept = sizes.copy()
        for i, ((_, stock, _), start) in enumerate(zip(stocks, np.cumsum(sizes) - sizes)):
            if stock.fte is not None:
                kept[i] = _match_fte(model, ids[start: start + sizes[i]], stock.fte, stock.headcount is not None)
        if (kept < sizes).any():
            _compact(p, int(ids[0]), sizes, kept)
            ids, stage = np.arange(ids[0], ids[0] + kept.sum()), np.repeat(codes, kept)
        _spread_over_cohorts(model, ids, stage)
        p.refresh_due(slice(p.count - len(ids), p.count))  # the stage ends are known now (the last rows)
        back = p.status[ids] == Status.RETURNED
        p.next_due[ids[back]] = p.return_until[ids[back]]  # due only when their stay ends
        model.events.record(ids[~back], model.now, -1, stage[~back], STOCK)
        model.events.record(ids[back], model.now, -1, stage[back], STOCK_RETURNED)
    model.arrived[:] = 0
    model.stocks.settle()
    model.fte_flows.take()  # the starting stocks are where the tally starts, not FTE that moved


def _compact(people, first: int, sizes: np.ndarray, kept: np.ndarray) -> None:
    """Of the stocks drawn one after another from row ``first`` (``sizes`` rows each), keep each one's
    first ``kept`` rows, moved down to follow the previous stock's: a block copy a stock, as the rows
    kept are runs, and those before the first row dropped stay where they are."""
    target = source = first
    for size, n in zip(sizes.tolist(), kept.tolist()):
        people.move(source, target, n)
        source, target = source + size, target + n
    people.truncate(target)


def stock_size(scenario, name: str, stock) -> int:
    """People to draw for a starting stock: its headcount, or the candidates for its FTE, enough even
    if all of them worked 0.3 FTE, or the fewest hours their group's part time or their stage's LTFT
    allows where that is less."""
    if stock.headcount is not None:
        return stock.headcount
    stage = scenario.stage_code(name)
    least = min(0.3, scenario.part_time_range[scenario.stage_group[stage], 0], scenario.stage_ltft_range[stage, 0])
    return int(np.ceil(stock.fte / float(least))) + 10


def _spread_over_cohorts(model, ids, stage: np.ndarray) -> None:
    """Starting stocks of timed stages (``stage``: each person's): entry months spread over the past
    cohorts (the past intake months of a stage with intakes, else any past month), due in the future."""
    s, p, now = model.inputs, model.people, model.now
    # by stage: the latest entry month, the months between cohorts, and the number of cohorts
    intake = np.array([st in s.spec.intake for st in s.stages])
    month = np.array([s.spec.intake[st].month if st in s.spec.intake else 1 for st in s.stages])
    latest = np.where(intake, now - ((now % 12) - (month - 1)) % 12, now).astype(np.int32)
    step = np.where(intake, 12, 1).astype(np.int32)
    cohorts = np.where(intake, np.maximum(np.ceil(s.stage_months / 12), 1), s.stage_months)
    salt = model.streams.salts(("stock_cohort",), now)[0]
    trainees = _spread(np.asarray(ids, dtype=np.int64), stage, now, salt, latest, step, cohorts,
                       s.stage_months.astype(np.float32), s.stage_extra_share, s.stage_training, p.key, p.ltft_fraction,
                       p.stage_entry, p.stage_due, p.birth_month)
    exits.reschedule(model, trainees, after=model.at_risk_from - 1)


@compiled()
def _spread(ids, stage, now, salt, latest, step, cohorts, months, extra_share, training, key, ltft_fraction,
            stage_entry, stage_due, birth_month):
    """``_spread_over_cohorts`` of each person in a timed stage (``months`` > 0); return the trainees among
    them, aged by their years in the stage, as their maximum age comes sooner. Worked out in the precision
    of the columns (the stage's months over the float32 LTFT fraction in float32); in a stage with extra
    time (``extra_share`` > 0), from the whole stay entering it drew (``stage_due``, set this month)."""
    trainees = np.empty(ids.shape[0], dtype=np.int64)
    n = 0
    for j in range(ids.shape[0]):
        st = stage[j]
        if months[st] <= 0:
            continue
        i = ids[j]
        entry = latest[st] - step[st] * np.int32(np.floor(uniform(key[i], salt) * cohorts[st]))
        if extra_share[st] > 0.0:
            due = entry + (stage_due[i] - now)
        else:
            due = entry + np.int32(np.ceil(months[st] / ltft_fraction[i]))
        stage_entry[i] = entry
        stage_due[i] = due if due > now else now + 1
        if training[st]:
            birth_month[i] -= np.int32(now - entry)
            trainees[n] = i
            n += 1
    return trainees[:n]


def _returned(model, staff: np.ndarray) -> None:
    """Those of the starting staff in post (``staff``) who are back after retiring, made returners: for their
    group, sex and age band, the steady share ``x / (1 + x)`` of the stock, where ``x`` is the returners for
    each of its staff in post, the year's retirements (the retirement rate) x the share coming back x the
    mean stay in years (as the run's own retirements keep them). Each is at the reduced hours returners work,
    for what is left of a stay: a stay seen part-way is drawn in proportion to its length (longer ones are
    likelier to be under way), and the part left is uniform within it, cut at the group's maximum age. Their
    exits are not scheduled: they leave when the stay ends (``sim.processes.exits.Retirement``)."""
    s, p, now = model.inputs, model.people, model.now
    group, sex = s.stage_group[p.stage[staff]], p.sex[staff]
    band = s.band_of(now - p.birth_month[staff])
    retiring = 1.0 - (1.0 - s.retire_monthly[group, sex, band]) ** 12
    low, high = s.return_stay_months[group, 0], s.return_stay_months[group, 1]
    x = retiring * s.return_share[group, sex, band] * (low + high) / 24.0
    back = model.streams.uniform("stock_return", now, p.key[staff]) < x / (1.0 + x)
    ids, group, low, high = staff[back], group[back], low[back], high[back]
    stay = np.sqrt(low ** 2 + model.streams.uniform("stock_return_stay", now, p.key[ids]) * (high ** 2 - low ** 2))
    left = np.maximum(np.ceil(model.streams.uniform("stock_return_left", now, p.key[ids]) * stay), 1)
    p.return_until[ids] = np.minimum(now + left, p.birth_month[ids] + s.max_age_months[group])
    p.fte[ids] *= (1.0 - s.return_hours_cut[group]).astype(p.fte.dtype)
    p.exit_due[ids] = p.hours_due[ids] = NEVER
    p.status[ids] = p.state[ids] = Status.RETURNED  # active, as in post (numpy: no compiled call to pay for)
    p.mark(ids)


def _mho(model, ids, stage: np.ndarray) -> None:
    """MHO status of the staff in post (``stage``: each person's): only people who could have been in post
    when it closed and reach 55 before it ends (``Scenario.mho_born_by``)."""
    s, p = model.inputs, model.people
    born_by = s.mho_born_by.take(s.stage_group.take(stage))
    eligible = np.flatnonzero(~s.stage_training.take(stage) & (p.birth_month[ids] <= born_by))
    ids, stage = ids.take(eligible), stage.take(eligible)
    u = model.streams.uniform("stock_mho", model.now, p.key[ids])
    p.mho[ids] = u < s.mho_share.take(s.stage_group.take(stage))


def _scaled(fte: np.ndarray, target: float) -> np.ndarray:
    """Hours ``fte`` times the one factor at which, kept within [MIN_STOCK_FTE, 1], they sum to ``target``
    (a stock's FTE lies between its headcount times these bounds): found by halving, as the sum grows with it,
    from a factor that gives everyone full time."""
    low, high = 0.0, 1.0 / max(float(fte.min()), 1e-12)
    for _ in range(100):
        factor = (low + high) / 2
        low, high = (factor, high) if np.clip(fte * factor, MIN_STOCK_FTE, 1.0).sum() < target else (low, factor)
    return np.clip(fte * high, MIN_STOCK_FTE, 1.0)


def _match_fte(model, ids, target: float, exact_headcount: bool) -> int:
    """Make a stock's FTE equal its target (see the module docstring); return how many of ``ids`` to keep
    (the first ones)."""
    p = model.people
    fte = p.fte[ids].astype(np.float64)
    if exact_headcount:
        part = fte < 1.0
        needed = target - (~part).sum()
        if part.any() and needed > 0:
            p.fte[ids[part]] = np.clip(fte[part] * needed / fte[part].sum(), MIN_STOCK_FTE, 1.0)
        if len(ids) and abs(p.fte[ids].astype(np.float64).sum() - target) > 1e-6 * max(target, 1.0):
            p.fte[ids] = _scaled(fte, target)  # too few part-timers to give the FTE: everyone's hours scaled
        return len(ids)
    cumulative = np.concatenate([[0.0], np.cumsum(fte)])
    return int(np.argmin(np.abs(cumulative - target)))
