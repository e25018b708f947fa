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
  more replications; the interval above does not.

A policy that changes nothing has a difference of exactly zero in every run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .experiment import BASELINE, GROUP_MEASURES, TOTAL, read_runs

KEYS = ["policy", "parameter_set", "replication"]
LEVEL = 0.90


def run_values(results_dir, measure: str = "fte", runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One value per run, group (and total) and year: flows summed over their reasons. ``runs``: the
    run tables with this measure and the headcount, if already read (``read_runs``)."""
    if measure not in GROUP_MEASURES:
        raise InputError.one("--measure", "measure", f"one of {', '.join(GROUP_MEASURES)}", measure)
    runs = read_runs(results_dir, [measure, "headcount"]) if runs is None else runs
    # every run has a headcount row per year and group; a flow with no events has no row: it is a zero
    cells = runs[runs.measure == "headcount"][[*KEYS, "year", "group"]]
    found = runs[runs.measure == measure]
    cells = cells[cells.year.isin(found.year.unique())]
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
    if n > 1:
        half = stats.t.ppf(q[1], n - 1) * diff.std(ddof=1) / np.sqrt(n)
    else:
        half = np.nan
    return pd.Series({
        "runs": n,
        "mean": value.mean(), "low": np.quantile(value, q[0]), "high": np.quantile(value, q[1]),
        "diff_mean": d_mean, "diff_low": np.quantile(diff, q[0]), "diff_high": np.quantile(diff, q[1]),
        "diff_ci_low": d_mean - half, "diff_ci_high": d_mean + half,
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
    """Notes on policies whose recruitment a cap cancels: more recruits available a year that the
    vacancies do not take (the establishment is full), or faster recruitment that the joiners
    available do not allow. Each month's recruits are the smaller of the two (sim.processes.joiners),
    so a lever on the other one changes little; the note says so, with the figures, instead of
    letting the effect fade in silence. A note is made where the expected recruits rise by less
    than ``share`` of what the lever added (means over runs and years)."""
    from .results import RECRUITMENT

    runs = read_runs(results_dir, [*RECRUITMENT, "headcount"])  # read once for the three
    sought, available, expected = (run_values(results_dir, m, runs).groupby(["policy", "group"], sort=False)
                                   .value.mean() for m in RECRUITMENT)
    notes = []
    for policy, group in sought.index:
        if policy == BASELINE or group == TOTAL or (BASELINE, group) not in sought.index:
            continue
        key, base = (policy, group), (BASELINE, group)
        gained = expected[key] - expected[base]
        more_available, more_sought = available[key] - available[base], sought[key] - sought[base]
        if more_available >= 1 and gained < share * more_available:
            notes.append(f"{policy}: {group}: {more_available:,.0f} more recruits available a year, {gained:,.0f} "
                         f"more recruited: vacancies cap recruitment (recruits sought {sought[key]:,.0f} a year); "
                         f"fund more posts (establishment growth) to use them")
        elif more_sought >= 1 and gained < share * more_sought:
            notes.append(f"{policy}: {group}: recruitment sought {more_sought:,.0f} more a year, {gained:,.0f} more "
                         f"recruited: the joiners available a year ({available[key]:,.0f}) cap it, not the speed")
    return notes


def completeness(results_dir) -> tuple[int, int]:
    """(runs written, runs planned) according to the manifest."""
    import json

    manifest = json.loads((Path(results_dir) / "manifest.json").read_text())
    written = len(list((Path(results_dir) / "runs").glob("*/*.parquet")))
    return written, int(manifest["runs"])


def format_comparison(table: pd.DataFrame, years=None, groups=None) -> str:
    """A readable text table: 'mean [low, high]' and 'difference [low, high]' per policy, group, year."""
    t = table
    if years:
        t = t[t.year.isin(years)]
    if groups:
        t = t[t.group.isin(groups)]

    def interval(mean, low, high):
        return [f"{m:,.1f} [{lo:,.1f}, {hi:,.1f}]" for m, lo, hi in zip(mean, low, high)]

    shown = pd.DataFrame({
        "policy": t.policy, "group": t.group, "year": t.year, "runs": t.runs,
        "mean [90% interval]": interval(t["mean"], t.low, t.high),
        "difference from baseline [90% interval]": interval(t.diff_mean, t.diff_low, t.diff_high),
        "mean difference 90% CI": [f"[{lo:,.1f}, {hi:,.1f}]" for lo, hi in zip(t.diff_ci_low, t.diff_ci_high)],
    })
    is_base = (shown.policy == BASELINE).to_numpy()
    shown.loc[is_base, ["difference from baseline [90% interval]", "mean difference 90% CI"]] = ""
    with pd.option_context("display.width", 250, "display.max_rows", 10_000, "display.max_colwidth", 60):
        return shown.to_string(index=False)
