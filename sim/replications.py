"""Replications of one scenario: supply by group with intervals over runs (``workforce run``).

``run_replications`` runs a scenario with seeds ``seed, seed + 1, ...`` and keeps each run's
group measures (headcount, FTE, in-post FTE, establishment, vacancies, supply gap, Welsh
speakers, joiners and leavers, and what caps left unused: ``sim.unused``), with a ``total`` over groups. ``summarise`` gives, per year,
group and measure, the mean and the 90% interval (5th to 95th percentile over runs): where a
single future would fall given the model's randomness and, when each replication draws its
parameter set from a calibration's posterior (the default), what the history leaves uncertain
about the parameters (``sim.experiment.interval_contents`` says which).

Small on purpose: ``sim.analysis`` summarises experiment results stored on disk (policies
against a baseline); this summarises replications held in memory for one scenario.
"""

from __future__ import annotations

import pandas as pd

from .errors import InputError, is_whole
from .fields import TOTAL, listed
from .rng import check_seed
from .unused import PLACES

LEVEL = 0.90
SUMMED = ("headcount", "fte", "in_post_fte", "training_fte", "establishment_fte", "vacancies_fte", "supply_gap_fte",
          "need_fte", "need_gap_fte",
          "welsh_speaking_headcount", "welsh_speaking_fte", "joiners", "leavers", "recruits_sought",
          "recruits_available", "recruits_expected", "recruits_unused", "places_unfilled")


def run_replications(scenario, seed: int = 0, replications: int = 10, until: int | None = None,
                     check: bool = False, progress=None, parameters: str = "posterior"):
    """Run the replications; return the first run's ``Results`` and every run's group values.
    ``parameters``: each replication's calibrated parameters (``sim.results.run``)."""
    from .results import run

    if not is_whole(replications) or replications < 1:
        raise InputError.one("run_replications", "replications", "a whole number of runs, at least 1", replications)
    check_seed(seed, "run_replications", runs=replications)  # the last run's seed too: never one the user did not give
    if progress is not None and not callable(progress):
        raise InputError.one("run_replications", "progress", "None or a function of (runs done, runs)", progress)
    first, frames = None, []
    for i in range(replications):
        results = run(scenario, seed=seed + i, until=until, check=check, parameters=parameters)
        first = first or results
        frames.append(group_values(results).assign(seed=seed + i))
        if progress:
            progress(i + 1, replications)
    return first, pd.concat(frames, ignore_index=True)


def group_values(results) -> pd.DataFrame:
    """One run's value per year, group (and total) and measure; flows summed over reasons."""
    tidy = results.tidy()
    rows = tidy[((tidy.stage == "all") | (tidy.measure == PLACES)) & tidy.measure.isin(SUMMED)]  # places: by group
    values = rows.groupby(["year", "group", "measure"], sort=False).value.sum().reset_index()
    total = values.groupby(["year", "measure"], sort=False).value.sum().reset_index().assign(group=TOTAL)
    values = pd.concat([values, total], ignore_index=True)
    # every measure for every year and group (a flow with no events has no row in the tidy table)
    wide = values.pivot_table(index=["year", "group"], columns="measure", values="value", fill_value=0.0)
    wide = wide.reindex(columns=list(SUMMED), fill_value=0.0)
    wide["vacancy_rate"] = (wide.vacancies_fte / wide.establishment_fte.where(wide.establishment_fte > 0)).fillna(0.0)
    return wide.reset_index().melt(id_vars=["year", "group"], var_name="measure", value_name="value")


def summarise(values: pd.DataFrame) -> pd.DataFrame:
    """Mean and 90% interval over runs, per year, group and measure."""
    if not isinstance(values, pd.DataFrame) or not {"year", "group", "measure", "value"} <= set(values.columns):
        raise InputError.one("summarise", "values", "the runs' group values run_replications gives (a table of year, "
                                                    "group, measure and value)", type(values).__name__)
    q = [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2]
    grouped = values.groupby(["year", "group", "measure"], sort=False).value
    out = grouped.agg(runs="count", mean="mean").reset_index()
    out["low"] = grouped.quantile(q[0]).to_numpy()
    out["high"] = grouped.quantile(q[1]).to_numpy()
    return out


def headline(summary: pd.DataFrame, groups: list[str], measure: str = "fte", every: int = 5) -> pd.DataFrame:
    """Groups (and total) x years (every ``every`` years from the first): "mean (low-high)". Groups, a
    measure or a step the summary does not have are refused: a group left out, or an empty table, in silence."""
    names = sorted(set(summary.group) - {TOTAL})
    expected = f"a list of staff groups of the summary ({', '.join(names)}; the total is always shown)"
    groups = listed(groups, "headline", "groups", expected)
    if not all(isinstance(g, str) and g in names for g in groups):
        raise InputError.one("headline", "groups", expected, groups)
    measures = sorted(set(summary.measure))
    if not isinstance(measure, str) or measure not in measures:
        raise InputError.one("headline", "measure", f"a measure of the summary ({', '.join(measures)})", measure)
    if not is_whole(every) or every < 1:
        raise InputError.one("headline", "every", "a whole number of years, 1 or more", every)
    rows = summary[summary.measure == measure]
    years = sorted(rows.year.unique())
    years = [y for y in years if (y - years[0]) % every == 0 or y == years[-1]]
    rows = rows[rows.year.isin(years)]
    cells = rows.assign(cell=[_cell(m, lo, hi) for m, lo, hi in zip(rows["mean"], rows.low, rows.high)])
    table = cells.pivot(index="group", columns="year", values="cell")
    return table.loc[[g for g in [*groups, TOTAL] if g in table.index], years]


def headline_in_post(summary: pd.DataFrame, groups: list[str], every: int = 5) -> pd.DataFrame:
    """The headline: FTE in post by group, then the trainees in service, the whole workforce and
    the vacancies. A group's trainees (e.g. support workers on the nursing route) are not its staff
    in post, so a policy that sends staff to train shows them leaving their posts."""
    rows = [headline(summary, groups, "in_post_fte", every)]
    for measure, label in (("training_fte", "in training (in service)"), ("fte", "workforce (in post and in training)"),
                           ("vacancies_fte", "vacant")):
        if (summary.measure == measure).any():  # results written before a measure existed lack it
            rows.append(headline(summary, [], measure, every).rename(index={TOTAL: label}))
    return pd.concat(rows)


def _cell(mean: float, low: float, high: float) -> str:
    if round(low) == round(high):
        return f"{mean:,.0f}"
    return f"{mean:,.0f} ({low:,.0f}-{high:,.0f})"
