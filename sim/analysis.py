"""Comparing policies with the baseline, with honest uncertainty.

Every policy run has a baseline twin: the same replication seed and the same parameter set
(``sim.experiment``), and random streams keyed by person (``sim.rng``), so the two differ
only where the policy acts. The effect of a policy is therefore measured run by run, as the
*paired* difference policy - baseline, which cancels most of the noise both runs share.

For each policy, group (and ``total``) and year, ``compare`` reports over the runs
(replications x parameter sets):

- ``mean``, ``low``, ``high``: the outcome's mean and its 90% interval (5th and 95th
  percentiles across runs): where a single future would fall, given the model's randomness
  and, if parameter sets were drawn, its uncertain parameters;
- ``diff_mean``, ``diff_low``, ``diff_high``: the paired difference from the baseline and
  its 90% interval across runs (the spread of the policy's effect);
- ``diff_ci_low``, ``diff_ci_high``: a 90% confidence interval for the *mean* difference
  (Student's t over runs): how precisely the runs pin down the average effect. It narrows with
  more replications; the interval above does not. One run has none: the cells are empty, and
  the printed table and the report say ``none (one run)`` (``mean_ci_text``).

A policy that changes nothing has a difference of exactly zero in every run.
"""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, is_whole
from .fields import listed
from .experiment import BASELINE, FLOW_MEASURES, GROUP_MEASURES, OPTIONAL_MEASURES, TOTAL
from .folders import read_runs

KEYS = ["policy", "parameter_set", "replication"]
LEVEL = 0.90


def run_values(results_dir, measure: str = "fte", runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One value per run, group (and total) and year: flows summed over their reasons. ``runs``: the
    run tables with this measure and the headcount, if already read (``read_runs``)."""
    if measure not in GROUP_MEASURES:
        raise InputError.one("--measure", "measure", f"one of {', '.join(GROUP_MEASURES)}", measure)
    runs = read_runs(results_dir, [measure, "headcount"]) if runs is None else runs
    # every run has a headcount row per year and group; a flow with no events has no row: it is a zero, in
    # every year but the start's (whose snapshot counts no months), even where no run has any (nobody left,
    # a feedback never in force)
    cells = runs[runs.measure == "headcount"][[*KEYS, "year", "group"]]
    found = runs[runs.measure == measure]
    if measure not in OPTIONAL_MEASURES:
        cells = cells[cells.year.isin(found.year.unique())]
    elif measure in FLOW_MEASURES:  # from the year after the start, or a year with the flow if sooner
        first = cells.year.min() + 1
        cells = cells[cells.year >= (min(found.year.min(), first) if len(found) else first)]
    values = found.groupby([*KEYS, "year", "group"], sort=False).value.sum().reset_index()
    values = cells.merge(values, on=[*KEYS, "year", "group"], how="left").fillna({"value": 0.0})
    total = values.groupby([*KEYS, "year"], sort=False).value.sum().reset_index().assign(group=TOTAL)
    return pd.concat([values, total], ignore_index=True)


def paired(values: pd.DataFrame) -> pd.DataFrame:
    """Each run's value with its baseline twin's and the difference; runs without a twin are dropped."""
    base = values[values.policy == BASELINE].drop(columns="policy").rename(columns={"value": "baseline"})
    out = values.merge(base, on=["parameter_set", "replication", "year", "group"], how="inner")
    out["diff"] = out.value - out.baseline
    return out


def _summary(frame: pd.DataFrame) -> pd.Series:
    from scipy import stats

    n = len(frame)
    q = [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2]
    value, diff = frame.value.to_numpy(), frame["diff"].to_numpy()
    d_mean = diff.mean()
    spread = diff.std(ddof=1) if n > 1 else np.nan
    if n > 1 and spread > 0:  # Student's t interval of the mean (as ttest_rel(...).confidence_interval would give)
        low, high = stats.t.interval(LEVEL, n - 1, loc=d_mean, scale=spread / np.sqrt(n))
    else:  # identical runs: no spread, the interval is the mean itself (scipy would give nan); one run: none
        low = high = d_mean if n > 1 else np.nan
    return pd.Series({
        "runs": n,
        "mean": value.mean(), "low": np.quantile(value, q[0]), "high": np.quantile(value, q[1]),
        "diff_mean": d_mean, "diff_low": np.quantile(diff, q[0]), "diff_high": np.quantile(diff, q[1]),
        "diff_ci_low": low, "diff_ci_high": high,
    })


def compare(results_dir, measure: str = "fte") -> pd.DataFrame:
    """Per policy, group and year: mean and 90% interval, and the paired difference from the baseline."""
    pairs = paired(run_values(results_dir, measure))
    if pairs.empty:
        raise InputError.one(Path(results_dir) / "runs", BASELINE, "baseline runs to compare with (run the batch)")
    order = list(dict.fromkeys([BASELINE, *pairs.policy]))
    groups = list(dict.fromkeys(pairs.group))
    table = pairs.groupby(["policy", "group", "year"], sort=False)[["value", "diff"]].apply(_summary).reset_index()
    table["runs"] = table.runs.astype(int)
    table["policy"] = pd.Categorical(table.policy, order)
    table["group"] = pd.Categorical(table.group, groups)
    table = table.sort_values(["policy", "group", "year"]).reset_index(drop=True)
    table.insert(3, "measure", measure)
    return table.astype({"policy": str, "group": str})


def capped_recruitment(results_dir, share: float = 0.25) -> list[str]:
    """Warnings on policies whose recruitment a cap cancels: more recruits available a year that the
    vacancies do not take (the establishment is full), or faster recruitment that the joiners
    available do not allow. Each month's recruits are the smaller of the two (sim.processes.joiners),
    so a lever on the other one changes little; the warning says so, with the figures (and the
    supply left unused, ``recruits_unused``), instead of letting the effect fade in silence. A
    warning is given where the expected recruits rise by less than ``share`` of what the lever
    added (means over runs and years)."""
    from .results import RECRUITMENT
    from .unused import RECRUITS

    # a share that is no number in [0, 1] (a NaN, a negative one) compared false with every rise: no warning, in silence
    if isinstance(share, bool) or not isinstance(share, numbers.Real) or not 0.0 <= share <= 1.0:
        raise InputError.one("capped_recruitment", "share", "a share in [0, 1] of the recruits a lever added", share)
    runs = read_runs(results_dir, [*RECRUITMENT, RECRUITS, "headcount"])  # read once for them all
    sought, available, expected, unused = (run_values(results_dir, m, runs).groupby(["policy", "group"], sort=False)
                                           .value.mean() for m in (*RECRUITMENT, RECRUITS))
    notes = []
    for policy, group in sought.index:
        if policy == BASELINE or group == TOTAL or (BASELINE, group) not in sought.index:
            continue
        key, base = (policy, group), (BASELINE, group)
        gained = expected[key] - expected[base]
        more_available, more_sought = available[key] - available[base], sought[key] - sought[base]
        if more_available >= 1 and gained < share * more_available:
            left = unused.get(key, 0.0) - unused.get(base, 0.0)
            notes.append(f"{policy}: {group}: {more_available:,.0f} more recruits available a year, {gained:,.0f} "
                         f"more recruited, {left:,.0f} a year unused (recruits_unused): vacancies cap recruitment "
                         f"(recruits sought {sought[key]:,.0f} a year); fund posts for them (recruitment with "
                         f"funded: true, or establishment growth) to use them")
        elif more_sought >= 1 and gained < share * more_sought:
            notes.append(f"{policy}: {group}: recruitment sought {more_sought:,.0f} more a year, {gained:,.0f} more "
                         f"recruited: the joiners available a year ({available[key]:,.0f}) cap it, not the speed")
    return notes


def unfilled_places(results_dir) -> list[str]:
    """Warnings on policies that leave training places unfilled beyond their baseline's
    (``places_unfilled``, sim.unused): places an in-service route's pool is too small to take, or
    that too few supervisors can supervise. A lever adding places there adds fewer trainees than
    it seems to, or none; the warning says how many a year (means over runs and years) and why."""
    from .unused import PLACES

    runs = read_runs(results_dir, [PLACES, "headcount"], group_rows_only=False)
    means = _mean_over_runs_and_years(runs, PLACES, ["stage", "reason"])
    notes = []
    for (policy, stage, reason), value in means.items():
        more = value - means.get((BASELINE, stage, reason), 0.0)
        if policy != BASELINE and more >= 1:
            notes.append(f"{policy}: {stage}: {more:,.0f} more training places a year unfilled than in the baseline "
                         f"(places_unfilled): {UNFILLED_BECAUSE[reason]}")
    return notes


UNFILLED_BECAUSE = {  # why a cap left places unfilled (sim.unused.REASONS)
    "in_service_pool": "the in-service route's pool is too small (too few staff of the stage and ages it selects "
                       "from); places added there go unfilled",
    "supervision": "too few supervisors in post for more trainees (supervision capacity); places added there go "
                   "unfilled",
}


def cap_warnings(results_dir) -> list[str]:
    """Every warning on a policy whose levers a cap cuts: recruitment, then training places."""
    return capped_recruitment(results_dir) + unfilled_places(results_dir)


def unfilled_in_runs(table: pd.DataFrame) -> list[str]:
    """Warnings on a scenario's runs (``workforce run``) whose training places a cap leaves unfilled:
    by group, the mean a year over runs and years. ``table``: tidy tables, or group values
    (``sim.replications.group_values``), of one or more runs; a run and year without a row: zero."""
    from .unused import PLACES

    fte = (table.measure == "fte") & (table.stage == "all" if "stage" in table.columns else True)
    cells = table[fte & (table.group != TOTAL)].groupby("group", sort=False).size()
    sums = table[(table.measure == PLACES) & (table.group != TOTAL)].groupby("group", sort=False).value.sum()
    means = sums / cells.reindex(sums.index).to_numpy()
    return [f"{group}: {value:,.0f} training places a year unfilled (places_unfilled, by stage and reason in "
            f"supply.csv): an in-service route's pool or the supervisors in post cap the intake"
            for group, value in means.items() if value >= 1]


def _mean_over_runs_and_years(runs: pd.DataFrame, measure: str, by: list[str]) -> pd.Series:
    """A flow's mean over each policy's runs and years (a run and year without a row: zero), by
    policy and the ``by`` columns; every run has a headcount row per year."""
    cells = runs[runs.measure == "headcount"].drop_duplicates([*KEYS, "year"]).groupby("policy").size()
    sums = runs[runs.measure == measure].groupby(["policy", *by], sort=False).value.sum()
    return sums / cells.reindex(sums.index.get_level_values("policy")).to_numpy()


def completeness(results_dir) -> tuple[int, int]:
    """(runs written, runs planned) according to the manifest."""
    from .folders import load, run_paths

    # read as compare and report read a batch's folder: a run's folder has no runs planned (a KeyError inside)
    manifest = load(results_dir, kind="batch").manifest
    written = len(run_paths(results_dir))
    return written, int(manifest["runs"])


def format_comparison(table: pd.DataFrame, years=None, groups=None, width: int = 100) -> str:
    """A readable text table, one block per policy so it fits ``width`` columns: per group and year,
    'mean [low, high]', and for a policy 'difference [low, high]' and the 90% CI of the mean difference."""
    if not is_whole(width) or width < 1:  # as a timeline's width: text or a fraction failed inside, in pandas
        raise InputError.one("format_comparison", "width", "a whole number of characters, 1 or more", width)
    years, groups = check_shown(table, years, groups)
    t = table
    if years:
        t = t[t.year.isin(years)]
    if groups:
        t = t[t.group.isin(groups)]

    def number(x: float) -> str:  # whole numbers from 100 up: a tenth of an FTE there is noise, not news
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"

    def interval(mean, low, high):
        return [f"{number(m)} [{number(lo)}, {number(hi)}]" for m, lo, hi in zip(mean, low, high)]

    blocks = []
    for policy, rows in t.groupby("policy", sort=False):
        shown = pd.DataFrame({"group": rows.group, "year": rows.year,
                              "mean [90% interval]": interval(rows["mean"], rows.low, rows.high)})
        if policy != BASELINE:
            shown["difference [90%]"] = interval(rows.diff_mean, rows.diff_low, rows.diff_high)
            shown["90% CI of the mean"] = [mean_ci_text(lo, hi, number)
                                               for lo, hi in zip(rows.diff_ci_low, rows.diff_ci_high)]
        runs = ", ".join(str(n) for n in dict.fromkeys(rows.runs))
        text = _columns(shown, width)
        blocks.append(f"{policy} ({runs} runs{'' if policy == BASELINE else '; difference from the baseline'})\n"
                      f"{text}")
    return "\n\n".join(blocks)


def check_shown(table: pd.DataFrame, years=None, groups=None, where: str | None = "format_comparison") -> tuple:
    """The years and groups to show (each a list, ``fields.listed``, or None for all), refusing those the
    comparison ``table`` does not have: they were left out of the text in silence, and one given as text raised
    pandas's TypeError. Named by ``where`` (a function), or by the ``--years`` and ``--groups`` options if None."""
    lists = []
    for name, asked, there in (("years", years, table.year), ("groups", groups, table.group)):
        if asked is None:
            lists.append(None)
            continue
        shown = f"{table.year.min()} to {table.year.max()}" if name == "years" else ", ".join(dict.fromkeys(there))
        file = where or f"--{name}"
        asked = listed(asked, file, name, f"a list of {name} of the results ({shown})")
        present = list(dict.fromkeys(there))
        unknown = [a for a in asked if a not in present]
        if unknown:
            raise InputError.one(file, name, f"{name} of the results ({shown})", unknown)
        lists.append(asked)
    return tuple(lists)


def mean_ci_text(low: float, high: float, number=lambda x: f"{x:,.1f}") -> str:
    """The confidence interval of a mean difference as text: '[low, high]', or, from a single run
    (which has none, ``_summary``), words rather than '[nan, nan]'."""
    if np.isnan(low) or np.isnan(high):
        return "none (one run)"
    return f"[{number(low)}, {number(high)}]"


def _columns(frame: pd.DataFrame, width: int) -> str:
    """Text columns two spaces apart, the first left-aligned and the rest right-aligned; wider than
    ``width``, pandas wraps them in blocks."""
    cells = [[str(c) for c in frame.columns]] + [[str(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(frame.columns))]
    if sum(widths) + 2 * (len(widths) - 1) > width:
        return frame.to_string(index=False, line_width=width)
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                     for row in cells)
