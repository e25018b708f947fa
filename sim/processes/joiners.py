"""Joiners: qualified staff from outside the pipeline fill part of each group's vacancies.

Each month a group's vacancies (funded establishment less FTE in post) are filled at the
group's monthly fill share (the recruits sought), capped by the joiners available a year (the
recruits available): whichever is smaller binds, and both are reported; the number of joiners
is a Poisson draw around that expectation, made by inverting the Poisson distribution at one
uniform per group and month, and never more people than the vacant FTE rounded up (so their
FTE never exceeds the vacancies by more than one person's). So the draws are common random
numbers: a policy that changes one group's expectation leaves every other group's joiners
alone, and a higher expectation never gives fewer joiners than the baseline's in the same
month. Each joiner gets a source (for example elsewhere in the UK, international recruitment,
return to practice) by the group's shares, an age, sex and hours of their own, and a stage
where the posts are vacant: the group's stage shares weighted by each stage's vacant FTE. A
stage's establishment is its share of the group's staff in post at the start, grown with the
group's; so recruitment replaces the SAS doctors or therapists who leave, rather than filling
posts in one stage that the pipeline already fills in another (and leaving the other to
drain). When no stage has a vacancy of its own, the shares alone decide.
"""

from functools import lru_cache

import numpy as np

from ..population import draw_cohorts
from ..rng import ShareTable, cohort_keys, stable_hash


def step(model) -> None:
    s, now = model.inputs, model.now
    if not (s.joiners_per_year > 0).any():
        return  # nobody is available to join: no need to count the vacancies
    vacant = np.maximum(model.establishment() - model.post_fte(), 0.0)
    sought, available = vacant * s.joiner_fill_per_month, s.joiners_per_year / 12.0
    expected = np.minimum(sought, available)
    model.recruitment += (sought, available, expected)  # reported: a lever that a cap cancels says so (sim.analysis)
    u = model.streams.uniform("joiners", now, _group_keys(tuple(s.groups)))
    counts = np.minimum(poisson_by_inversion(u, expected), np.ceil(vacant - 1e-9).astype(np.int64))
    groups = np.flatnonzero(counts)
    if len(groups) == 0:
        return
    keys = np.split(cohort_keys([("joiner", s.groups[g], now) for g in groups], counts[groups]),
                    np.cumsum(counts[groups])[:-1])
    cohorts = []
    for g, these in zip(groups, keys):
        spec = s.spec.groups[s.groups[g]]
        joining = spec.joiners  # read afresh: recruitment levers change the sources
        female = joining.female_share if joining.female_share is not None else spec.female_share
        cohorts.append((these, joining.age, female, spec.welsh_share_new))
    ids = draw_cohorts(model, cohorts, ("joiner_age_band", "joiner_age", "joiner_sex", "joiner_welsh"))
    keys, rows = model.people.key[ids], np.repeat(groups, counts[groups])
    stages, sources = _tables(model)
    stages = _where_vacant(model, stages)
    u = model.streams.uniforms(("joiner_stage", "joiner_source"), now, keys)
    stage, codes = stages.labels[rows, stages.pick(u[0], rows)], sources.labels[rows, sources.pick(u[1], rows)]
    model.enter_stage(ids, stage, codes)


def _tables(model) -> tuple[ShareTable, ShareTable]:
    """Every group's joiners' stages and sources as tables (a row per group), labelled with stage
    and reason codes; built again when a recruitment lever changes them."""
    s = model.inputs
    joining = [s.spec.groups[g].joiners for g in s.groups]
    content = [(tuple(j.stages.items()), tuple(j.sources.items())) if j else ((), ()) for j in joining]
    cached = model.__dict__.get("_joiner_tables")
    if cached is None or cached[0] != content:
        stages = ShareTable([[share for _, share in c[0]] for c in content],
                            [[s.stage_code(x) for x, _ in c[0]] for c in content])
        sources = ShareTable([[share for _, share in c[1]] for c in content],
                             [[model.events.reason_code(f"joined:{r}") for r, _ in c[1]] for c in content])
        cached = model._joiner_tables = (content, (stages, sources))
    return cached[1]


def _where_vacant(model, stages: ShareTable) -> ShareTable:
    """The joiners' stage table with each share weighted by the stage's vacant FTE (see the module
    docstring); a group whose stages have no vacancy keeps its shares."""
    s = model.inputs
    inside = np.isfinite(stages.cumulative)
    shares = np.diff(np.where(inside, stages.cumulative, 0.0), prepend=0.0, axis=1) * inside
    grown = model.funded_establishment() / np.where(model.base_post_fte > 0, model.base_post_fte, np.inf)
    vacant = np.maximum(model.base_stage_fte * grown[s.stage_group] - model.stage_fte(), 0.0)
    weights = shares * vacant[stages.labels]
    weights = np.where(weights.sum(axis=1, keepdims=True) > 0, weights, shares)
    return ShareTable([row[keep] for row, keep in zip(weights, inside)],
                      [row[keep] for row, keep in zip(stages.labels, inside)])


@lru_cache(maxsize=64)
def _group_keys(groups: tuple) -> np.ndarray:
    """Random-stream keys of the groups, by name (so adding a group changes no other's draws)."""
    return np.array([stable_hash("joiners", g) for g in groups], dtype=np.uint64)


def poisson_by_inversion(u: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Poisson counts with the given expectations, as the smallest k with CDF(k) >= u."""
    counts = np.zeros(len(expected), dtype=np.int64)
    positive = expected > 0
    if not positive.any():
        return counts
    lam, u = expected[positive], u[positive]
    k = np.arange(int(np.max(lam + 12.0 * np.sqrt(lam) + 20.0)) + 1)
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(k[1:]))])
    pmf = np.exp(k * np.log(lam)[:, None] - lam[:, None] - log_factorial)
    counts[positive] = (np.cumsum(pmf, axis=1) < u[:, None]).sum(axis=1)
    return counts
