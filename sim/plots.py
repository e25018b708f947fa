"""Figures of results: each function takes results and returns a matplotlib ``Figure``.

What a figure function accepts as ``source``:

- a ``Results`` (``sim.run(...)``), or a list of them (replications: bands over runs);
- a tidy table (``Results.tidy()``, a batch run table from ``sim.folders.read_runs``), a
  replications table (``seed, year, group, measure, value``: ``replications.csv``) or a summary
  (``year, group, measure, mean, low, high``: ``summary.csv``);
- a directory written by ``workforce run`` or ``workforce batch`` (``sim.folders.load`` reads it).

With several runs, lines are means over runs and shaded bands are 90% intervals (5th to 95th
percentile over runs): where a single future would fall. Batch results are shown for one
``policy`` (default the baseline); ``policy_differences`` compares the policies.

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so nothing is kept in
global state: show one in a notebook by leaving it as a cell's value, or save it with
``fig.savefig("file.png")``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import calendar, folders, labels
from .errors import InputError, is_whole
from .fields import TOTAL, listed

LEVEL = 0.90
BASELINE = "baseline"
_RUN_KEYS = ("parameter_set", "replication", "seed")
_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf"]
MEASURE_LABELS = {name: text for name, (text, _) in labels.MEASURES.items()}  # names live in sim.labels


def label(name: str, scenario=None) -> str:
    """A readable name for a staff group (its ``label:``), stage or policy code."""
    if name == TOTAL or (scenario is not None and name in scenario.groups):
        return _group(name, scenario)
    if "/" in str(name):
        return labels.drawn(labels.stage(name, scenario))
    return labels.words(name)


def _wrap(text: str, width: int = 34) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


# ---- what a figure is drawn from ----------------------------------------------------------------
@dataclass
class Source:
    """Results of any accepted kind, normalised: tables with a ``run`` column, one policy."""

    values: pd.DataFrame | None = None  # run, year, group, measure, value (group measures, flows summed)
    summary: pd.DataFrame | None = None  # year, group, measure, runs, mean, low, high (when only that was given)
    tidy: pd.DataFrame | None = None  # run + the tidy columns: stage rows and flows by reason
    events: pd.DataFrame | None = None  # the event log of one run (names and YYYY-MM months)
    people: pd.DataFrame | None = None  # id, sex, birth_month of that run
    scenario: object = None  # the compiled scenario, when known
    groups: list[str] = field(default_factory=list)
    runs: int = 1
    title: str = ""

    def bands(self, measure: str, groups=None, total: bool = False) -> pd.DataFrame:
        """Per group and year: runs, mean, low, high of a group measure (a ``total`` group if asked)."""
        if not isinstance(measure, str):
            raise InputError.one("results", "measure", f"a measure present in the results "
                                                       f"({', '.join(self.measures())})", measure)
        groups = names(groups, "groups", f"staff groups of the results ({', '.join(self.groups)})")
        if not isinstance(total, (bool, np.bool_)):  # "no" is true, and would add the total
            raise InputError.one("results", "total", "True or False", total)
        if self.summary is not None and self.values is None:
            rows = self.summary[self.summary.measure == measure]
        else:
            if self.values is None:
                raise InputError.one("results", "measure", "group measures in the results (a tidy table)", measure)
            rows = self.values[self.values.measure == measure]
            if total:
                tot = rows.groupby(["run", "year"], sort=False).value.sum().reset_index().assign(group=TOTAL)
                rows = pd.concat([rows, tot], ignore_index=True)
            rows = _summarise(rows, ["group", "year"])
        if rows.empty:
            raise InputError.one("results", "measure", f"a measure present in the results "
                                                       f"({', '.join(self.measures())})", measure)
        wanted = list(groups) if groups is not None else [*self.groups, *([TOTAL] if total else [])]
        missing = [g for g in wanted if g not in set(rows.group)]
        if missing:
            raise InputError.one("results", "groups", f"staff groups of the results ({', '.join(self.groups)})",
                                 missing)
        rank = {g: i for i, g in enumerate(wanted)}
        rows = rows[rows.group.isin(wanted)]
        rows = rows.assign(_rank=rows.group.map(rank)).sort_values(["_rank", "year"], kind="stable")
        return rows.drop(columns="_rank").reset_index(drop=True)

    def measures(self) -> list[str]:
        frame = self.values if self.values is not None else self.summary
        return sorted(set(frame.measure)) if frame is not None else []

    def need_tidy(self, what: str) -> pd.DataFrame:
        if self.tidy is None:
            raise InputError.one("results", "", f"results with a tidy table (a Results, supply table, run or batch "
                                                f"directory) for {what}")
        return self.tidy

    def need_events(self, what: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        if self.events is None:
            raise InputError.one("results", "events", f"results with an event log (a Results, or a run directory "
                                                      f"with events.parquet) for {what}")
        return self.events, self.people


def names(value, field: str, expected: str) -> list[str] | None:
    """A figure's list of names (groups, pathways) as a list: None stays None; one name alone, a list
    holding something else than names, or an empty list (a figure of nothing) is refused."""
    if value is None:
        return None
    value = listed(value, "results", field, f"a list of at least one of the {expected}")
    if not value or not all(isinstance(v, str) for v in value):
        raise InputError.one("results", field, f"a list of at least one of the {expected}", value)
    return value


def _summarise(values: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    q = [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2]
    grouped = values.groupby(by, sort=False).value
    out = grouped.agg(runs="count", mean="mean").reset_index()
    out["low"] = grouped.quantile(q[0]).to_numpy()
    out["high"] = grouped.quantile(q[1]).to_numpy()
    return out


def _group_values(tidy: pd.DataFrame) -> pd.DataFrame:
    rows = tidy[tidy.stage == "all"] if "stage" in tidy.columns else tidy
    rows = rows[rows.group != TOTAL]
    return rows.groupby(["run", "year", "group", "measure"], sort=False).value.sum().reset_index()


def _of_policy(frame: pd.DataFrame, policy: str | None) -> pd.DataFrame:
    """The rows of a table of one ``policy``, where it has a policy column (a batch's runs, a comparison)."""
    if "policy" in frame.columns:
        policies = list(dict.fromkeys(frame.policy))
        if policy not in policies:
            raise InputError.one("results", "policy", f"a policy of the results ({', '.join(policies)})", policy)
        frame = frame[frame.policy == policy]
    return frame


def _with_run(frame: pd.DataFrame, policy: str | None) -> pd.DataFrame:
    """A table with one ``run`` number per replication (and parameter set), of one policy."""
    frame = _of_policy(frame, policy)
    keys = [k for k in _RUN_KEYS if k in frame.columns]
    run = frame.groupby(keys, sort=True).ngroup() if keys else 0
    return frame.assign(run=run)


def _order(groups, scenario) -> list[str]:
    """Groups in the scenario's order (the shipped scenario's, for a table that does not say), then any others."""
    present = [g for g in dict.fromkeys(groups) if g != TOTAL]
    known = list(scenario.groups) if scenario is not None else _shipped_groups()
    return [g for g in known if g in present] + [g for g in present if g not in known]


@functools.lru_cache(maxsize=1)
def _shipped_groups() -> list[str]:
    from . import scenario as scenario_module

    try:
        return list(scenario_module.load(scenario_module.DEFAULT).groups)
    except InputError:  # pragma: no cover - the shipped scenario always loads
        return []


def source(results, policy: str | None = BASELINE) -> Source:
    """Normalise any accepted kind of results (see the module docstring) into a ``Source``."""
    if isinstance(results, Source):
        return results
    if isinstance(results, (str, Path)):
        d = folders.load(results)
        if d.kind not in ("run", "batch"):
            raise InputError.one(results, "", "a folder written by workforce run or workforce batch",
                                 f"one of workforce {d.kind}")
        if d.kind == "batch":
            return batch_source(d, policy)
        _no_policies(policy, "a folder written by workforce run")
        return run_source(d)
    if _is_results(results):
        results = [results]
    if isinstance(results, (list, tuple)) and results and all(_is_results(r) for r in results):
        _no_policies(policy, "a run's Results")
        tidy = pd.concat([r.tidy().assign(run=i) for i, r in enumerate(results)], ignore_index=True)
        first = results[0]
        return Source(values=_group_values(tidy), tidy=tidy, events=first.events(), people=first.people(),
                      scenario=first.scenario, groups=list(first.scenario.groups), runs=len(results),
                      title=f"{first.scenario.name}, seed{'s' if len(results) > 1 else ''} "
                            f"{', '.join(str(r.seed) for r in results)}")
    if isinstance(results, pd.DataFrame):
        cols = set(results.columns)
        if "policy" not in cols:
            _no_policies(policy, "a table without a policy column")
        if {"year", "group", "measure", "mean", "low", "high"} <= cols:
            summary = _of_policy(results, policy)  # a comparison's: every policy's rows drawn as one's, mixed
            runs = int(summary.runs.max()) if "runs" in cols else 0
            return Source(summary=summary, groups=_order(summary.group, None), runs=runs)
        if {"year", "group", "measure", "value"} <= cols:
            frame = _with_run(results, policy)
            tidy = frame if {"stage", "reason"} <= cols else None
            return Source(values=_group_values(frame), tidy=tidy, groups=_order(frame.group, None),
                          runs=int(frame.run.nunique()) if len(frame) else 0)
    raise InputError.one("results", "", "a Results, a list of Results, a tidy, replications or summary table, or a "
                                        "results directory", type(results).__name__)


def _no_policies(policy, what: str) -> None:
    """Refuse a policy other than the baseline asked of results that have no policies: the figure was drawn of
    what they hold, as if it had not been asked, in silence."""
    if policy not in (None, BASELINE):
        raise InputError.one("results", "policy", f"{BASELINE} or None: {what} has no policies (a batch's results "
                                                  f"have one for each of its policies)", policy)


def _is_results(x) -> bool:
    """A run's ``sim.results.Results`` (its tables and model), told by what it has: this module draws
    results, and the results module writes its figures with it."""
    return hasattr(x, "model") and callable(getattr(x, "tidy", None)) and callable(getattr(x, "events", None))


def run_source(d) -> Source:
    """A ``workforce run`` folder (``sim.folders.RunDir``) as a ``Source``: bands over the replications
    when they were kept."""
    tidy = d.tidy.assign(run=0)
    replications = d.replications
    values = _group_values(replications.assign(run=replications.seed)) if replications is not None \
        else _group_values(tidy)
    s = d.scenario
    groups = [g for g in s.groups if g in set(values.group)]
    runs = int(replications.seed.nunique()) if replications is not None else 1
    return Source(values=values, tidy=tidy, events=d.events, people=d.people, scenario=s, groups=groups, runs=runs,
                  title=str(d.path))


def batch_source(d, policy: str | None = BASELINE) -> Source:
    """One policy of a ``workforce batch`` folder (``sim.folders.BatchDir``) as a ``Source``."""
    src = source(d.runs, policy or BASELINE)
    src.scenario = d.scenario
    src.groups = [g for g in d.scenario.groups if g in set(src.groups)]
    src.title = f"{d.manifest['experiment']}: {policy}"
    return src


def _years_axis(ax, ylabel: str, rate: bool = False) -> None:
    """Whole years on the x axis; a share (0-1) shown as a percentage on the y axis."""
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    ax.set_xlabel("Year")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if rate:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _legend_below(fig, ax=None, ncols: int = 3, **kwargs) -> None:
    """The legend under the axes (or the figure), never over the data."""
    handles, texts = (ax or fig.axes[0]).get_legend_handles_labels()
    if handles:
        fig.legend(handles, texts, loc="outside lower center", ncols=ncols, frameon=False, fontsize=8, **kwargs)


def _group(g: str, scenario=None) -> str:
    """A staff group's name as a figure draws it (``labels.drawn``)."""
    return labels.drawn(labels.group(g, scenario))


def _band_note(runs: int) -> str:
    return f"mean and {LEVEL:.0%} band over {runs} runs" if runs > 1 else "one run"


def _line(ax, b: pd.DataFrame, name: str, colour, label_text: str, **kwargs):
    line, = ax.plot(b.year, b["mean"], color=colour, label=label_text, **kwargs)
    line.set_gid(name)
    if "runs" in b.columns and (b.runs > 1).any():
        band = ax.fill_between(b.year, b.low, b.high, color=colour, alpha=0.18, linewidth=0)
        band.set_gid(f"{name}:band")
    return line


def _colour(groups: list[str], g: str):
    return _COLOURS[groups.index(g) % len(_COLOURS)] if g in groups else "black"


# ---- the figures ----------------------------------------------------------------------------------
def fte_over_time(results, groups=None, measure: str = "fte", policy: str = BASELINE, total: bool = False) -> Figure:
    """A group measure (default FTE) over time by staff group, with a 90% band over runs."""
    src = source(results, policy)
    bands = src.bands(measure, groups, total=total)
    shown = list(dict.fromkeys(bands.group))
    fig = Figure(figsize=(10, 6), layout="constrained")
    ax = fig.subplots()
    for g in shown:
        _line(ax, bands[bands.group == g], g, _colour(src.groups, g), _group(g, src.scenario),
              linewidth=2 if g == TOTAL else 1.5)
    _years_axis(ax, labels.axis(measure), labels.is_rate(measure))
    ax.set_title(f"{labels.measure(measure)} by staff group ({_band_note(src.runs)})")
    _legend_below(fig, ax, ncols=2)
    return fig


def run_chart(results, path, replications: pd.DataFrame | None = None) -> None:
    """``fte_by_group.png`` of ``workforce run``: FTE by staff group month by month for one run; with the
    replications' group values (``replications.csv``), their mean and 90% band each year, so one seed's
    noise is not read as a trend."""
    if replications is None:
        fig = fte_by_month(results)
    else:
        src = source(replications)
        src.scenario = results.scenario
        fig = fte_over_time(src)
    fig.savefig(path, dpi=110, format="png")


def fte_by_month(results) -> Figure:
    """FTE by staff group month by month in one run (``fte_by_group.png`` of ``workforce run``)."""
    from matplotlib.ticker import MaxNLocator

    if not _is_results(results):  # the month-by-month history is a model's, which no table keeps
        raise InputError.one("results", "", "one run's Results (sim.run(...)), whose model keeps each month",
                             type(results).__name__)
    m, s = results.model, results.scenario
    months = np.array([r["month"] for r in m.history])
    fig = Figure(figsize=(10, 6), layout="constrained")
    ax = fig.subplots()
    for g in s.groups:
        line, = ax.plot(months / 12.0, [m.group_totals(r)[g] for r in m.history], color=_colour(list(s.groups), g),
                        label=_group(g, s))
        line.set_gid(g)
    _years_axis(ax, labels.axis("fte"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # month 0 of a year is January: ticks fall on 1 January
    ax.set_title(f"Workforce FTE by staff group, month by month ({s.name}, seed {results.seed})")
    _legend_below(fig, ax, ncols=2)
    return fig


def supply_demand(results, groups=None, policy: str = BASELINE) -> Figure:
    """Supply (in-post FTE) against demand (funded establishment) by group, the gap shaded, and need
    (``need_fte``, dotted) where the results have it; the last panel gives each group's supply gap
    (funded posts less supply) in the final year with its 90% interval."""
    src = source(results, policy)
    supply = src.bands("in_post_fte", groups)
    demand = src.bands("establishment_fte", groups)
    gap = src.bands("supply_gap_fte", groups)
    need = src.bands("need_fte", groups) if "need_fte" in src.measures() else None  # results written before need
    shown = list(dict.fromkeys(supply.group))
    n = len(shown) + 1
    cols = min(3, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(4.2 * cols, 3.0 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, g in zip(axes, shown):
        s, d = supply[supply.group == g], demand[demand.group == g]
        _line(ax, s, f"{g}:supply", _colour(src.groups, g), "Supply: FTE in post")
        line, = ax.plot(d.year, d["mean"], color="black", linestyle="--", linewidth=1.2,
                        label="Funded posts: establishment FTE")
        line.set_gid(f"{g}:demand")
        if need is not None:
            n_g = need[need.group == g]
            line, = ax.plot(n_g.year, n_g["mean"], color="black", linestyle=":", linewidth=1.2,
                            label="Need: FTE the population's demand requires")
            line.set_gid(f"{g}:need")
        ys, yd = s["mean"].to_numpy(), d["mean"].to_numpy()
        ax.fill_between(s.year, ys, yd, where=yd > ys, color="#d62728", alpha=0.15, linewidth=0, interpolate=True)
        last = gap[gap.group == g].iloc[-1]
        ax.set_title(f"{_wrap(_group(g, src.scenario), 40)}\ngap {int(last.year)}: {last['mean']:,.0f} FTE", fontsize=9)
        _years_axis(ax, "FTE")
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=7)
    ax = axes[len(shown)]
    final = gap[gap.year == gap.year.max()].set_index("group").loc[shown]
    y = np.arange(len(shown))
    ax.barh(y, final["mean"], color=[_colour(src.groups, g) for g in shown], label="gap",
            xerr=[final["mean"] - final.low, final.high - final["mean"]] if src.runs > 1 else None)
    ax.set_yticks(y, [_wrap(_group(g, src.scenario), 28) for g in shown], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Supply gap: funded posts less supply (FTE)")
    ax.set_title(f"Supply gap by staff group, {int(gap.year.max())}", fontsize=9)
    for ax in axes[len(shown) + 1:]:
        ax.set_visible(False)
    _legend_below(fig, axes[0], ncols=2)
    fig.suptitle(f"Supply against demand ({_band_note(src.runs)}); shaded: demand above supply")
    return fig


def _scenario_for(src: Source):
    if src.scenario is None:
        from . import scenario as scenario_module

        src.scenario = scenario_module.load(scenario_module.DEFAULT)
    return src.scenario


def training_pipeline(results, pathways=None, policy: str = BASELINE, measure: str = "stage_headcount") -> Figure:
    """People in each training stage over time, one panel per pathway (mean and 90% band over runs)."""
    stage_measures = [name for name, _ in folders.STAGE_MEASURES]
    if measure not in stage_measures:  # a group's measure (fte) has no stage rows: it was named as the stage
        raise InputError.one("results", "measure", f"a measure of each stage ({', '.join(stage_measures)})", measure)
    src = source(results, policy)
    tidy = src.need_tidy("the training pipeline")
    s = _scenario_for(src)
    training = [st for st, t in zip(s.stages, s.stage_training) if t]
    rows = tidy[(tidy.measure == measure) & tidy.stage.isin(training)]
    if rows.empty:
        raise InputError.one("results", "stage", "stage rows of training stages in the tidy table", measure)
    by_pathway = {}
    for st in training:
        by_pathway.setdefault(st.split("/")[0], []).append(st)
    pathways = names(pathways, "pathways", f"pathways with training stages ({', '.join(by_pathway)})")
    if pathways is not None:
        unknown = [p for p in pathways if p not in by_pathway]
        if unknown:
            raise InputError.one("results", "pathways", f"pathways with training stages ({', '.join(by_pathway)})",
                                 unknown)
        by_pathway = {p: by_pathway[p] for p in pathways}
    bands = _summarise(rows[["run", "year", "stage", "value"]], ["stage", "year"]).sort_values("year")
    n = len(by_pathway)
    cols = min(3, n)
    fig = Figure(figsize=(4.4 * cols, 3.2 * -(-n // cols) + 0.5), layout="constrained")
    axes = fig.subplots(-(-n // cols), cols, squeeze=False).ravel()
    for ax, (pathway, stages) in zip(axes, by_pathway.items()):
        for i, st in enumerate(stages):
            _line(ax, bands[bands.stage == st], st, _COLOURS[i % len(_COLOURS)], _wrap(label(st, s), 40))
        ax.set_title(labels.pathway(pathway), fontsize=10)
        _years_axis(ax, "People" if measure == "stage_headcount" else "FTE")
        ax.set_ylim(bottom=0)  # from zero: a pipeline's size is read against nothing, not against its last dip
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
        ax.tick_params(labelsize=7)
    for ax in axes[n:]:
        ax.set_visible(False)
    what = "people" if measure == "stage_headcount" else "FTE"
    fig.suptitle(f"Training pipeline: {what} in each training stage ({_band_note(src.runs)})")
    return fig


def _months(labels) -> np.ndarray:
    return np.array([calendar.parse(m) for m in labels], dtype=np.int64) if len(labels) else np.zeros(0, np.int64)


def workforce_at(events: pd.DataFrame, month: int, workforce_stages) -> pd.DataFrame:
    """Who was counted in a workforce stage at the end of an (integer) month: person_id and stage,
    from each person's last event up to that month (the event log is in the order things happened)."""
    months = _months(events.month.unique())
    lookup = dict(zip(events.month.unique(), months))
    upto = events[events.month.map(lookup) <= month]
    last = upto.drop_duplicates("person_id", keep="last")
    return last.loc[last.to_stage.isin(set(workforce_stages)), ["person_id", "to_stage"]].rename(
        columns={"to_stage": "stage"})


def age_sex_pyramid(results, years=None, group: str | None = None, band_years: int = 5) -> Figure:
    """Age-sex pyramids of the workforce (one group, or all) at the snapshot of chosen years
    (default the first and the last): women to the right, men to the left, by age band."""
    if not is_whole(band_years) or not 1 <= band_years <= 65:
        raise InputError.one("results", "band_years", "a whole number of years from 1 to 65 for each age band",
                             band_years)
    src = source(results)
    events, people = src.need_events("age-sex pyramids")
    if people is None:
        raise InputError.one("results", "people", "the people table (a Results, or a run directory with "
                                                  "people.parquet) for age-sex pyramids")
    s = _scenario_for(src)
    stages = [st for st, w in zip(s.stages, s.stage_workforce) if w]
    if group is not None:
        if group not in s.groups:
            raise InputError.one("results", "group", f"a staff group ({', '.join(s.groups)})", group)
        stages = [st for st in stages if s.groups[s.stage_group[s.stages.index(st)]] == group]
    # the scenario's start: snapshots fall on its anniversaries (its first event may come later, an intake's,
    # where it starts with nobody in a stock)
    first = s.start
    if src.tidy is not None:
        available = sorted(int(y) for y in src.tidy.year.unique())
    else:
        last = _months(events.month.iloc[-1:])[0] if len(events) else first
        available = list(range(calendar.year_of(first), calendar.year_of(last) + (last % 12 >= first % 12)))
    expected = f"years of the run ({available[0]}-{available[-1]})"
    if years is not None and not (isinstance(years, (list, tuple, range, np.ndarray, pd.Index)) and len(years)):
        raise InputError.one("results", "years", expected, years)  # one year alone, or none: a list of them
    years = [available[0], available[-1]] if years is None else list(years)
    bad = [y for y in years if y not in available]
    if bad:
        raise InputError.one("results", "years", expected, bad)
    info = people.set_index("id")
    edges = np.arange(15, 80, band_years)
    fig = Figure(figsize=(4.5 * len(years), 4.8), layout="constrained")
    axes = fig.subplots(1, len(years), squeeze=False, sharey=True).ravel()
    widest = 1
    for ax, year in zip(axes, years):
        month = calendar.month(year, first % 12 + 1)
        who = workforce_at(events, month, stages)
        sex = info.sex.reindex(who.person_id).replace({"female": 0, "male": 1}).to_numpy().astype(int)
        age = (month - info.birth_month.reindex(who.person_id).to_numpy()) // 12
        band = np.clip(np.searchsorted(edges, age, side="right") - 1, 0, len(edges) - 1)
        female = np.bincount(band[sex == 0], minlength=len(edges))
        male = np.bincount(band[sex == 1], minlength=len(edges))
        widest = max(widest, female.max(initial=0), male.max(initial=0))
        ax.barh(edges, female, height=band_years * 0.9, align="edge", color="#c44e52", label="women")
        ax.barh(edges, -male, height=band_years * 0.9, align="edge", color="#4c72b0", label="men")
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_title(f"{year}: {len(who):,} people", fontsize=10)
        ax.set_xlabel("People (men left, women right)")
        ax.grid(axis="x", alpha=0.3)
    for ax in axes:
        ax.set_xlim(-widest * 1.08, widest * 1.08)
        ax.xaxis.set_major_formatter(lambda x, _: f"{abs(x):,.0f}")
    axes[0].set_ylabel("Age (years)")
    axes[0].set_yticks(edges, [f"{a}-{a + band_years - 1}" if a < edges[-1] else f"{a}+" for a in edges], fontsize=7)
    _legend_below(fig, axes[0], ncols=2)
    fig.suptitle(f"Age and sex of the workforce: {label(group, s) if group else 'all staff groups'}")
    return fig


def joiners_leavers(results, group: str | None = None, policy: str = BASELINE) -> Figure:
    """Joiners (up) and leavers (down) by reason for each year, for one group or all (mean over
    runs), with the net change as a line."""
    src = source(results, policy)
    tidy = src.need_tidy("joiners and leavers by reason")
    rows = tidy[tidy.measure.isin(["joiners", "leavers"])]
    if group is not None:
        if group not in src.groups:
            raise InputError.one("results", "group", f"a staff group of the results ({', '.join(src.groups)})", group)
        rows = rows[rows.group == group]
    if rows.empty:
        raise InputError.one("results", "measure", "joiners and leavers in the results (a run of at least a year)")
    runs = max(int(tidy.run.nunique()), 1)
    per_run = rows.groupby(["run", "year", "measure", "reason"]).value.sum()
    mean = per_run.groupby(["year", "measure", "reason"]).sum() / runs  # a reason absent in a run counts as zero
    table = mean.unstack(["measure", "reason"]).fillna(0.0).sort_index()
    years = table.index.to_numpy()
    fig = Figure(figsize=(11, 7), layout="constrained")
    ax = fig.subplots()
    colours = _distinct_colours(len(table.columns))  # every reason of either kind its own colour
    n = 0
    for kind, sign in (("joiners", 1), ("leavers", -1)):
        if kind not in table.columns.get_level_values(0):
            continue
        part = table[kind]
        part = part[part.sum().sort_values(ascending=False).index]
        bottom = np.zeros(len(years))
        for reason in part.columns:
            values = sign * part[reason].to_numpy()
            bars_ = ax.bar(years, values, bottom=bottom, width=0.8, color=colours[n], edgecolor="white",
                           linewidth=0.3, label=f"{kind}: {reason}")
            bars_.set_label(labels.flow_reason(kind, reason))
            for patch in bars_:
                patch.set_gid(f"{kind}: {reason}")
            n += 1
            bottom = bottom + values
    net = table.get("joiners", pd.DataFrame(index=table.index)).sum(axis=1) - \
        table.get("leavers", pd.DataFrame(index=table.index)).sum(axis=1)
    line, = ax.plot(years, net.to_numpy(), color="black", marker="o", linewidth=1.5, label="Net change")
    line.set_gid("net")
    ax.axhline(0, color="black", linewidth=0.8)
    _years_axis(ax, "People a year (joiners up, leavers down)")
    who = _group(group, src.scenario) if group else "all staff groups"
    ax.set_title(f"Joiners and leavers by reason: {who} ({f'mean over {runs} runs' if runs > 1 else 'one run'})")
    handles, texts = ax.get_legend_handles_labels()
    ax.legend(handles, texts, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def _distinct_colours(n: int) -> list:
    """n colours told apart easily: tab10 first, then tab20's paler halves and tab20b."""
    from matplotlib import colormaps

    pool = [*colormaps["tab10"].colors, *colormaps["tab20"].colors[1::2], *colormaps["tab20b"].colors]
    return [pool[i % len(pool)] for i in range(n)]


def transition_counts(events: pd.DataFrame, graph, since: int | None = None, until: int | None = None) -> dict:
    """``{(from, to): people}`` for every edge of a pathway graph, from an event log: progressions
    between stages and exits (``exit:<reason>``), in the years ``since``..``until`` if given."""
    ev = events
    if since is not None or until is not None:
        year = ev.month.str.slice(0, 4).astype(int)
        ev = ev[(year >= (since if since is not None else -1)) & (year <= (until if until is not None else 10_000))]
    moved = ev[ev.to_stage != "outside"].groupby(["from_stage", "to_stage"]).size()
    exits = ev[ev.reason.str.startswith("exit:")].groupby(["from_stage", "reason"]).size()
    counts = {**{k: int(v) for k, v in moved.items()}, **{k: int(v) for k, v in exits.items()}}
    return {(u, v): counts.get((u, v), 0) for u, v in graph.edges}


def _stage_name(graph: nx.DiGraph, node: str) -> str:
    """A node's name as people read it, wrapped: the stage's ``label:`` or its words; an exit's reason."""
    import textwrap

    label = graph.nodes[node].get("label") or (labels.reason(node) if node.startswith("exit:") else labels.words(node))
    return "\n".join(textwrap.wrap(labels.drawn(label), 22))


def check_image(path, option: str) -> None:
    """An image file that can be written, in a format matplotlib writes here (named by its extension):
    PGF only with the TeX system it runs (``pgf.texsystem``), without which it fails part way. ``option``:
    the command line's option, or the Python argument, that gave it."""
    import shutil

    import matplotlib

    folders.check_file(path, option)
    formats = set(Figure().canvas.get_supported_filetypes())
    if shutil.which(matplotlib.rcParams["pgf.texsystem"]) is None:
        formats.discard("pgf")
    if Path(path).suffix[1:].lower() not in formats:
        raise InputError.one(option, option.lstrip("-"), f"an image file ending in one of "
                                                         f".{', .'.join(sorted(formats))}", str(path))


def pathway_graph(graph: nx.DiGraph, path=None, flows: dict | None = None, option: str = "path"):
    """Draw a pathway graph, its edges labelled with transition probabilities or, given ``flows``
    (``{(from, to): people}``), with the number of people who took each transition.

    Saves to the image file ``path`` and returns the path; with no path, returns the matplotlib
    ``Figure`` (``pathway_flows`` draws the flows of a run this way). ``option``: what gave the path,
    as a message about it names it (the command line's ``--draw``).
    """
    if path is not None:  # before drawing: matplotlib refused a name of no image format only once it had drawn
        check_image(path, option)
    layers = {}
    for node in nx.topological_sort(graph) if nx.is_directed_acyclic_graph(graph) else graph.nodes:
        preds = [layers[p] for p in graph.predecessors(node) if p in layers]
        layers[node] = (max(preds) + 1) if preds else 0
    nx.set_node_attributes(graph, layers, "layer")
    pos = nx.multipartite_layout(graph, subset_key="layer", align="vertical")
    width = len(set(layers.values()))
    height = max(list(layers.values()).count(k) for k in set(layers.values()))
    fig = Figure(figsize=(max(8, 2.6 * width), max(4, 0.9 * height)))
    ax = fig.subplots()
    colours = ["#d9534f" if d.get("exit") else "#5bc0de" if d.get("training") else "#5cb85c"
               for _, d in graph.nodes(data=True)]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=300)
    nx.draw_networkx_edges(graph, pos, ax=ax, arrowsize=10, node_size=300, edge_color="#999999")
    # names beside (above) their node in a box, edge figures in a box of their own: no text sits on a line
    rise = 0.045 * (max(y for _, y in pos.values()) - min(y for _, y in pos.values()) or 1.0)
    for node, (x, y) in pos.items():
        ax.annotate(_stage_name(graph, node), (x, y + rise), ha="center", va="bottom", fontsize=7,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9}).set_gid(node)
    figures = {(u, v): (f"{flows.get((u, v), 0):,}" if flows is not None else f"{d['probability']:.2f}")
               for u, v, d in graph.edges(data=True)}
    nx.draw_networkx_edge_labels(graph, pos, edge_labels=figures, font_size=6, ax=ax, label_pos=0.3,
                                 bbox={"boxstyle": "round,pad=0.15", "fc": "#fff8dc", "ec": "#cccccc", "lw": 0.5})
    ax.margins(x=0.08, y=0.15)  # room for the names above the top row
    ax.set_title(graph.graph.get("name", "pathways"))
    ax.axis("off")
    fig.tight_layout()
    if path is None:
        return fig
    folders.atomic_write(Path(path), lambda p: fig.savefig(p, dpi=120, format=Path(path).suffix[1:].lower()))
    return path


def pathway_flows(results, pathway: str | None = None, since: int | None = None, until: int | None = None) -> Figure:
    """A pathway's graph (or every pathway's) with the number of people who took each transition
    in a run (the first, if several), from its event log."""
    from . import pathways as pathways_module

    src = source(results)
    events, _ = src.need_events("pathway flows")
    s = _scenario_for(src)
    if pathway is not None and pathway not in s.pathway_names:
        raise InputError.one("results", "pathway", f"a pathway of the scenario ({', '.join(s.pathway_names)})", pathway)
    if len(events):
        first, last = int(events.month.iloc[0][:4]), int(events.month.iloc[-1][:4])
    else:  # nobody in the run: the years of its snapshots
        years = [int(y) for y in src.tidy.year] if src.tidy is not None else [calendar.year_of(s.start)]
        first, last = min(years), max(years)
    for field, year in (("since", since), ("until", until)):  # a text failed inside pandas; a year outside, or
        # since after until, drew no flows at all, as if nobody had moved
        if year is not None and not (is_whole(year) and first <= year <= last):
            raise InputError.one("results", field, f"None or a year of the run's events ({first}-{last})", year)
    if since is not None and until is not None and since > until:
        raise InputError.one("results", "until", f"a year from since ({since}) on", until)
    graph = pathways_module.subgraph(s.graph, [pathway] if pathway else list(s.pathway_names))
    flows = transition_counts(events, graph, since, until)
    fig = pathway_graph(graph, None, flows)
    period = f"{since or first}-{until or last}"
    fig.axes[0].set_title(f"{labels.pathway(pathway) if pathway else 'All pathways'}: people taking each transition, "
                          f"{period}")
    fig.axes[0].title.set_gid("title")
    return fig


def policy_differences(results, measure: str = "fte", groups=(TOTAL,), year: int | None = None) -> Figure:
    """Each policy against the baseline: the paired difference (policy run less its baseline twin)
    with its 90% interval over runs (thin) and the 90% confidence interval of the mean (thick) in
    one year (default the last), and the difference over time with its interval.

    ``results``: a ``workforce batch`` directory or the table of ``sim.analysis.compare``."""
    if isinstance(results, (str, Path)):
        from . import analysis

        folders.load(results, kind="batch")
        table = analysis.compare(results, measure)
    elif isinstance(results, pd.DataFrame) and {"policy", "diff_mean", "diff_low", "diff_high"} <= set(results.columns):
        table = results
        if "measure" in table.columns:
            measure = str(table.measure.iloc[0])
    else:
        raise InputError.one("results", "", "a workforce batch results directory or a comparison table "
                                            "(sim.analysis.compare)", type(results).__name__)
    table = table[table.policy != BASELINE]
    if table.empty:
        raise InputError.one("results", "policies", "at least one policy besides the baseline")
    shown = f"groups of the comparison ({', '.join(dict.fromkeys(table.group))})"
    # a list as the other figures take it (None: every group): an empty one failed inside matplotlib, one name alone
    # was read letter by letter
    groups = names(groups, "groups", shown) or list(dict.fromkeys(table.group))
    unknown = [g for g in groups if g not in set(table.group)]
    if unknown:
        raise InputError.one("results", "groups", shown, unknown)
    # a year the comparison has, as a whole number: a year of 2030.5 was drawn as 2030's, cut in silence
    if year is not None and (not is_whole(year) or year not in set(table.year)):
        raise InputError.one("results", "year", f"a year of the comparison ({table.year.min()}-{table.year.max()})",
                             year)
    year = int(table.year.max()) if year is None else int(year)
    policies = list(dict.fromkeys(table.policy))
    fig = Figure(figsize=(12, 0.5 * len(policies) * len(groups) + 2.5 * len(groups)), layout="constrained")
    axes = fig.subplots(len(groups), 2, squeeze=False, width_ratios=[1, 1.3])
    y = np.arange(len(policies))
    for (left, right), g in zip(axes, groups):
        at = table[(table.group == g) & (table.year == year)].set_index("policy").loc[policies]
        left.hlines(y, at.diff_low, at.diff_high, color="#555555", linewidth=1.2, label=f"{LEVEL:.0%} interval over runs")
        left.hlines(y, at.diff_ci_low, at.diff_ci_high, color="#1f77b4", linewidth=5, alpha=0.7,
                    label=f"{LEVEL:.0%} CI of the mean")
        points, = left.plot(at.diff_mean, y, "o", color="black", label="mean difference")
        points.set_gid(f"{g}:mean")
        left.axvline(0, color="black", linewidth=0.8)
        left.set_yticks(y, [label(p) for p in policies], fontsize=8)
        left.invert_yaxis()
        left.set_xlabel(f"Difference from the baseline: {labels.axis(measure)}")
        if labels.is_rate(measure):
            from matplotlib.ticker import PercentFormatter

            left.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        left.set_title(f"{_group(g)}, {year}", fontsize=10)
        left.grid(axis="x", alpha=0.3)
        for i, p in enumerate(policies):
            over = table[(table.group == g) & (table.policy == p)].sort_values("year")
            line, = right.plot(over.year, over.diff_mean, color=_COLOURS[i % 10], label=label(p))
            line.set_gid(f"{g}:{p}")
            right.fill_between(over.year, over.diff_low, over.diff_high, color=_COLOURS[i % 10], alpha=0.12,
                               linewidth=0)
        right.axhline(0, color="black", linewidth=0.8)
        _years_axis(right, f"Difference: {labels.axis(measure)}", labels.is_rate(measure))
        right.set_title(f"{_group(g)}: paired difference from the baseline over time", fontsize=10)
        right.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    axes[-1][0].legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False, ncols=3)
    runs = int(table.runs.max()) if "runs" in table.columns else 0
    fig.suptitle(f"Policies against the baseline: {labels.measure(measure)}, paired differences ({runs} runs each)")
    return fig


def welsh_speaking(results, groups=None, policy: str = BASELINE) -> Figure:
    """Welsh-speaking FTE by group over time (mean and 90% band over runs), and the Welsh-speaking
    share of each group's FTE in the first and last years."""
    src = source(results, policy)
    welsh = src.bands("welsh_speaking_fte", groups)
    fte = src.bands("fte", groups)
    shown = list(dict.fromkeys(welsh.group))
    fig = Figure(figsize=(13, 5), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.4, 1])
    for g in shown:
        _line(left, welsh[welsh.group == g], g, _colour(src.groups, g), _group(g, src.scenario))
    _years_axis(left, "Welsh-speaking FTE")
    left.set_title(f"Welsh-speaking FTE by staff group ({_band_note(src.runs)})", fontsize=10)
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False, ncols=2)
    first, last = int(welsh.year.min()), int(welsh.year.max())
    y = np.arange(len(shown))
    for shift, year, alpha in ((-0.2, first, 0.45), (0.2, last, 1.0)):
        w = welsh[welsh.year == year].set_index("group").loc[shown, "mean"]
        f = fte[fte.year == year].set_index("group").loc[shown, "mean"]
        share = np.divide(w.to_numpy(), f.to_numpy(), out=np.zeros(len(shown)), where=f.to_numpy() > 0)
        right.barh(y + shift, share, height=0.4, color=[_colour(src.groups, g) for g in shown], alpha=alpha,
                   label=str(year))
    right.set_yticks(y, [_wrap(_group(g, src.scenario), 30) for g in shown], fontsize=8)
    right.invert_yaxis()
    right.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    right.set_xlabel("Share of the group's FTE (%)")
    right.set_title(f"Welsh-speaking share of FTE, {first} (pale) and {last}", fontsize=10)
    right.grid(axis="x", alpha=0.3)
    right.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False, ncols=2)
    return fig



FEEDBACK_PANELS = ("in_post_fte:total", "vacancies_fte:total", "leavers:total", "supply_gap_fte:total",
                   "supply_gap_fte:psychiatry")


def feedback_effects(results, panels=FEEDBACK_PANELS, comparisons=None) -> Figure:
    """The difference each feedback (``sim.feedbacks``) makes to a projection: for each panel
    (``measure:group``), each policy with the feedback on less its twin with it off (paired run by
    run: same seed and parameter set), mean and 90% interval over runs; and, for policies with
    supervision on, the places filled as a share of the places commissioned in supervised stages.

    ``results``: a ``workforce batch`` directory. ``comparisons``: (policy, reference) pairs; by
    default every policy with a ``feedbacks`` lever against the policy with the same other levers
    (the baseline when it has none)."""
    from . import analysis

    d = folders.load(results, kind="batch")
    policies = d.manifest["policies"]
    comparisons = feedback_comparisons(policies) if comparisons is None else [tuple(c) for c in comparisons]
    unknown = sorted({p for pair in comparisons for p in pair} - set(policies))
    if unknown or not comparisons:
        raise InputError.one("results", "comparisons", f"(policy, reference) pairs of the batch's policies "
                                                       f"({', '.join(policies)}), at least one", unknown or comparisons)
    fig_rows, cached = [], {}
    for panel in panels:
        measure, _, group = str(panel).partition(":")
        if measure not in cached:
            cached[measure] = analysis.run_values(results, measure)
        values = cached[measure]
        if group not in set(values.group):
            raise InputError.one("results", "panels", f"measure:group with a group of the results "
                                                      f"({', '.join(dict.fromkeys(values.group))})", panel)
        values = values[values.group == group]
        for policy, reference in comparisons:
            on = values[values.policy == policy].drop(columns="policy")
            off = values[values.policy == reference].drop(columns="policy").rename(columns={"value": "off"})
            both = on.merge(off, on=["parameter_set", "replication", "year", "group"])
            fig_rows.append(_summarise(both.assign(value=both.value - both.off), ["year"])
                            .assign(panel=panel, pair=f"{label(policy)} less {label(reference)}"))
    table = pd.concat(fig_rows, ignore_index=True)
    places = _supervised_places(results)
    pairs = list(dict.fromkeys(table.pair))
    n = len(panels) + (places is not None)
    columns = min(n, 2)
    fig = Figure(figsize=(6.5 * columns + 3, 3.6 * -(-n // columns)), layout="constrained")
    axes = fig.subplots(-(-n // columns), columns, squeeze=False).ravel()
    for ax, panel in zip(axes, panels):
        measure, _, group = panel.partition(":")
        for i, pair in enumerate(pairs):
            _line(ax, table[(table.panel == panel) & (table.pair == pair)], f"{panel}:{pair}", _COLOURS[i % 10], pair)
        ax.axhline(0, color="black", linewidth=0.8)
        _years_axis(ax, f"Difference: {labels.axis(measure)}", labels.is_rate(measure))
        ax.set_title(f"{_group(group)}: {labels.measure(measure)}", fontsize=10)
    if places is not None:
        ax = axes[len(panels)]
        for i, (policy, _) in enumerate(comparisons):
            b = places[places.policy == policy]
            if not b.empty:
                _line(ax, b, f"places:{policy}", _COLOURS[i % 10], label(policy))
        ax.axhline(1, color="black", linewidth=0.8)
        ax.yaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
        _years_axis(ax, "Places filled / commissioned (%)")
        ax.set_title("Supervised training stages: places filled / commissioned", fontsize=10)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", fontsize=8, frameon=False)
    runs = int(table.runs.max())
    fig.suptitle(f"The difference each feedback makes: feedback on less off ({_band_note(runs)}, paired)")
    return fig


def feedback_comparisons(policies: dict) -> list[tuple[str, str]]:
    """(policy, reference) pairs: each policy with a ``feedbacks`` lever switching one on against the
    policy whose levers are the same without it (the baseline when there are no others; skipped if none
    is). A lever only switching feedbacks off is no "feedback on less off": its policy is not drawn as one."""
    def others(levers):
        return sorted(repr(sorted(x.items())) for x in levers if x.get("lever") != "feedbacks")

    def switches_on(x):
        return x.get("lever") == "feedbacks" and True in (x.get(k) for k in ("supervision", "workload", "substitution"))

    out = []
    for name, levers in policies.items():
        if any(switches_on(x) for x in levers):
            rest = others(levers)
            twin = next((q for q, ls in policies.items() if q != name and others(ls) == rest
                         and not any(x.get("lever") == "feedbacks" for x in ls)), None)
            if twin is not None:
                out.append((name, twin))
    return out


def _supervised_places(results_dir) -> pd.DataFrame | None:
    """Per policy and year: places filled / commissioned in supervised stages, over runs (None if none)."""
    rows = folders.read_runs(results_dir, ["places_commissioned", "places_filled", "places_supervisable"],
                             group_rows_only=False)
    if rows.empty:
        return None
    keys = ["policy", "parameter_set", "replication", "year"]
    supervised = rows[rows.measure == "places_supervisable"][keys + ["stage"]].drop_duplicates()
    rows = rows.merge(supervised, on=keys + ["stage"])
    wide = rows.pivot_table(index=keys, columns="measure", values="value", aggfunc="sum").reset_index()
    wide = wide[wide.places_commissioned > 0]
    wide["value"] = wide.places_filled / wide.places_commissioned
    return _summarise(wide, ["policy", "year"])


def meeting_target(result, scenario=None) -> Figure:
    """The share of replications meeting a target (``sim.target``) with its 90% interval: against the
    lever's value for a search (the answer marked where the share first reaches the probability
    asked), or against the year for the earliest-year question."""
    from matplotlib.ticker import PercentFormatter

    if not (hasattr(result, "question") and (hasattr(result, "probabilities") or hasattr(result, "years"))):
        raise InputError.one("result", "", "the result of a target search (sim.target.find, or "
                                           "sim.target.read of a workforce target folder)", type(result).__name__)
    q = result.question
    searched = hasattr(result, "probabilities")
    table = result.probabilities if searched else result.years
    x = table["value" if searched else "year"]
    fig = Figure(figsize=(10, 6), layout="constrained")
    ax = fig.subplots()
    band = ax.fill_between(x, table.low, table.high, step="post" if searched else None, color=_COLOURS[0], alpha=0.18,
                           linewidth=0, label=f"{LEVEL:.0%} interval of the share")
    band.set_gid("share:band")
    line, = ax.plot(x, table.share, drawstyle="steps-post" if searched else "default", marker="o", markersize=3,
                    color=_COLOURS[0], label="share of replications meeting the target")
    line.set_gid("share")
    ax.axhline(q.probability, color="black", linewidth=0.8, linestyle="--",
               label=f"probability asked ({q.probability:.0%})")
    found = result.answer if searched else result.earliest
    if found is not None:
        ax.axvline(found, color=_COLOURS[3], linewidth=1.2,
                   label=f"answer: {found:,.6g}" if searched else f"earliest year: {found}")
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("Replications meeting the target (%)")
    ax.grid(alpha=0.3)
    target = labels.drawn(q.target_text(scenario))
    if searched:
        ax.set_xlabel(result.axis[0].upper() + result.axis[1:])
        ax.set_title(_wrap(f"Probability that {target} in {q.year}, by value of {q.argument} "
                           f"({len(result.thresholds)} replications, {result.runs} runs)", 90))
    else:
        _years_axis(ax, "Replications meeting the target (%)", rate=True)
        ax.set_title(_wrap(f"Probability that {target}, each year, with {q.argument} at {result.value:,.6g} "
                           f"({len(result.evaluations.replication.unique())} replications)", 90))
    _legend_below(fig, ax, ncols=2)
    return fig
