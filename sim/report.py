"""A shareable report: one self-contained HTML file from results directories.

``workforce report RESULTS_DIR [RESULTS_DIR ...]`` reads directories written by ``workforce
run`` (tables, events, replications), ``workforce batch`` (an experiment's runs), ``workforce
sensitivity`` (indices) and ``workforce target`` (what it takes to meet a target, read back, not
rerun) and writes one HTML file with every figure embedded as a base64 PNG: nothing to install or
fetch to read it, so it can be emailed, and it reads on a phone. A planner reads the start first,
so it opens with key messages written from the results (the largest gaps and when they close,
policies ranked by effect with intervals, what a target takes, what the intervals include) and the
contents; the measures and abbreviations are explained, each policy is described in words, and the provenance (files,
hashes, manifests, the experiment file) is an appendix.

The page is built from Jinja templates in ``sim/templates`` (``report.html`` and the sections it
includes); its ``backtest`` and ``calibration`` blocks are the places for those sections.

A folder is read and checked by ``sim.folders.load``: one that is missing, empty, or written in an
older or unknown format is refused with an ``InputError`` naming the file and what was expected
(the command line exits with status 2).
"""

from __future__ import annotations

import base64
import io
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import folders, pages
from .errors import InputError, read_yaml
from .fields import by_sex
from .labels import by_age_band, reason

# ---- the report ----------------------------------------------------------------------------------
ACRONYMS = [
    ("AMHP", "approved mental health professional: a social worker (or nurse, OT or psychologist) trained to "
             "assess people under the Mental Health Act"),
    ("BIA", "best interests assessor (Deprivation of Liberty Safeguards)"),
    ("CAAP", "clinical associate in applied psychology: a master's-level psychology role with posts of its own"),
    ("CCT", "certificate of completion of training: the end of a doctor's specialty training"),
    ("CI", "confidence interval"),
    ("FTE", "full-time equivalent: hours worked as a share of full time"),
    ("HCSW", "health care support worker"),
    ("LTFT", "less than full time (training)"),
    ("MH", "mental health"),
    ("MHO", "mental health officer status: an NHS pension right to retire at 55 (until March 2029 in the model)"),
    ("NHS", "National Health Service"),
    ("OT", "occupational therapist, occupational therapy"),
    ("PA", "physician associate"),
    ("SAS", "specialty and associate specialist doctors: senior doctors outside training who are not consultants"),
]
LEVEL_TEXT = f"{0.9:.0%}"


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(title: str, make) -> dict:
    try:
        return {"title": title, "png": _png(make())}
    except InputError as exc:
        return {"title": title, "png": None, "note": str(exc)}


def _table(frame: pd.DataFrame, index: bool = False):
    from markupsafe import Markup

    return Markup(frame.to_html(index=index, escape=True, border=0, classes="data", na_rep="",
                                float_format=lambda x: f"{x:,.1f}"))


def group_names(scenario) -> dict:
    """Staff groups' names for people: each ``label:`` without its bracketed detail."""
    out = {"total": "total"}
    for g, spec in scenario.spec.groups.items():
        text = getattr(spec, "label", "") or g.replace("_", " ")
        out[g] = text.split(" (")[0]
    return out


def _fmt(x: float, sign: bool = False) -> str:
    return f"{x:+,.0f}" if sign else f"{x:,.0f}"


def _interval(mean, low, high, sign=False) -> str:
    return f"{_fmt(mean, sign)} ({LEVEL_TEXT} interval {_fmt(low, sign)} to {_fmt(high, sign)})"


def _inputs(manifest: dict) -> list[tuple[str, str]]:
    files = manifest.get("input_files") or {}
    if isinstance(files, dict):
        return sorted(files.items())
    return [(str(f), "") for f in files]


def _provenance(d, section: dict) -> None:
    section["path"] = str(d.path)
    section["inputs"] = _inputs(d.manifest)
    section["manifest"] = json.dumps(d.manifest, indent=2, default=str)


# ---- a sensitivity directory ----
def _sensitivity_section(d: folders.SensitivityDir, number: int) -> tuple[dict, dict]:
    """The indices with their intervals and verdicts, the chart, and for each outcome the parameter
    that moves it most."""
    table = folders.read_table(d.path / "sensitivity.csv")
    shown = table[[c for c in ("method", "outcome", "parameter", "index", "value", "low", "high", "verdict")
                   if c in table.columns]]
    chart = d.path / "sensitivity.png"
    figures = [{"title": "Sensitivity indices", "png": pages.png(chart)}
               if chart.is_file() else {"title": "Sensitivity indices", "png": None, "note": "no sensitivity.png"}]
    points = []
    main = table[table["index"].isin(["mu_star", "S1", "delta"])].dropna(subset=["value"])
    for outcome, rows in main.groupby("outcome", sort=False):
        top = rows.loc[rows.value.abs().idxmax()]
        readable = "" if "verdict" not in rows.columns else f" ({top.verdict})"
        points.append(f"{outcome}: moved most by {top.parameter} ({top.method} {top['index']} {top.value:.3g}"
                      f"{readable}).")
    section = {"template": "sensitivity_section.html", "id": f"results-{number}",
               "title": f"Sensitivity: {d.path.name}", "what": f"The indices written by workforce sensitivity in "
                                                              f"{d.path}.", "table": _table(shown), "figures": figures,
               "path": str(d.path), "inputs": [], "manifest": ""}
    return section, {"title": section["title"], "points": points}


# ---- a target folder ----
def _target_section(d: folders.TargetDir, number: int) -> tuple[dict, dict]:
    """The question in words, the answer with its interval, the shares by value (or year), the figure and
    the runs, from the result's own texts and tables (``sim.target``)."""
    from .target import LEVEL, TargetResult, read, sentence

    result, scenario = read(d.path, d.manifest), d.scenario
    searched = isinstance(result, TargetResult)
    question = sentence(result.question_text(scenario))
    if searched:
        answer = f"Answer: {result.answer_text()} ({LEVEL:.0%} interval {result.interval_text()})."
        spread = f"The replications' own thresholds: {result.thresholds_text()}."
    else:
        answer, spread = f"Earliest year: {result.answer_text()}.", ""
    runs = f"{result.runs_text()}, in {result.seconds:,.0f} s. The replications contain {result.uncertainty}."
    figure = {"title": "Share of replications meeting the target by value" if searched
              else "Share of replications meeting the target each year",
              "png": pages.png(result.figure)}
    section = {"template": "target_section.html", "id": f"results-{number}", "title": d.title(),
               "question": question, "answer": answer, "spread": spread, "meaning": _target_meaning(result),
               "searched": searched, "table": _table(result.shares()), "figures": [figure], "runs": runs,
               "warnings": result.warnings, "experiment_text": d.experiment_text}
    _provenance(d, section)
    return section, {"title": d.title(), "lead": question, "points": [answer, *([spread] if spread else []),
                                                                       section["meaning"], runs]}


def _target_meaning(result) -> str:
    """What the answer says about the replications, in a sentence a planner can repeat."""
    from .target import number

    q = result.question

    def met(row) -> str:
        return f"{row.meeting:.0f} of {row.replications:.0f} replications ({row.share:.0%})"

    if not hasattr(result, "probabilities"):
        at = f"With {q.argument} at {number(result.value)}"
        if result.earliest is None:
            return f"{at}, fewer than {q.probability:.0%} of the replications meet the target in any year to {q.year}."
        return f"{at}, {met(result.years.set_index('year').loc[result.earliest])} meet the target in {result.earliest}."
    if result.answer is None:
        top = result.probabilities.iloc[-1]
        return (f"Even at {number(top.value)}, the highest value searched, {met(top)} meet the target: fewer than "
                f"the {q.probability:.0%} asked.")
    row = result.probabilities.set_index("value").loc[result.answer]
    return f"With {q.argument} at {number(result.answer)}, {met(row)} meet the target: each is one plausible future."


# ---- a run directory ----
def _run_section(d: folders.RunDir, number: int) -> tuple[dict, list[str]]:
    from . import analysis, plots
    from .unused import PLACES
    from .replications import headline_in_post, summarise

    src = plots.run_source(d)
    s = src.scenario
    names = group_names(s)
    values = src.values
    total = values.groupby(["run", "year", "measure"]).value.sum().reset_index().assign(group="total")
    summary = summarise(pd.concat([values, total], ignore_index=True))
    runs = f"{src.runs} run{'s' if src.runs > 1 else ''}"
    table = headline_in_post(summary, src.groups)
    table.columns = [str(c) for c in table.columns]
    table.index = [{"total": "total in post", "vacant": "vacant FTE"}.get(g, names.get(g, g)) for g in table.index]
    first, final = int(summary.year.min()), int(summary.year.max())
    at = summary[summary.year == final].pivot(index="group", columns="measure", values="mean")
    gaps = pd.DataFrame({
        "FTE in post (supply)": at.in_post_fte, "establishment FTE (demand)": at.establishment_fte,
        "supply gap FTE": at.supply_gap_fte, "vacant FTE": at.vacancies_fte,
        "Welsh-speaking FTE": at.welsh_speaking_fte}).reindex([*src.groups, "total"])
    if "need_fte" in at:  # results written before need have none
        gaps.insert(3, "need FTE", at.need_fte)
        gaps.insert(4, "need gap FTE", at.need_gap_fte)
    zero = gaps.drop(columns=["supply gap FTE", "vacant FTE", "need gap FTE"], errors="ignore").abs().sum(axis=1).eq(0)
    collapsed = []
    if zero.any():
        collapsed.append(f"Not shown, all zero in {final}: {', '.join(names[g] for g in gaps.index[zero])}.")
    gaps = gaps[~zero]
    gaps.index = [names.get(g, g) for g in gaps.index]
    figures = [
        _figure("FTE by staff group", lambda: plots.fte_over_time(src)),
        _figure("Supply against demand, and the gap", lambda: plots.supply_demand(src)),
        _figure("Training pipeline", lambda: plots.training_pipeline(src)),
        _figure("Joiners and leavers by reason (first run)", lambda: plots.joiners_leavers(src)),
        _figure("Welsh-speaking FTE", lambda: plots.welsh_speaking(src)),
    ]
    if src.people is not None:
        years = sorted(src.tidy.year.unique())
        chosen = sorted({years[0], years[len(years) // 2], years[-1]})
        figures.append(_figure("Age-sex pyramids (first run)", lambda: plots.age_sex_pyramid(src, years=chosen)))
    else:
        figures.append({"title": "Age-sex pyramids", "png": None,
                        "note": "the directory has no people.parquet: it was written by an earlier version of "
                                "workforce run"})
    for pathway in s.pathway_names:
        figures.append(_figure(f"Pathway flows: {pathway} (first run)", lambda p=pathway: plots.pathway_flows(src, p)))
    m = d.manifest
    section = {"template": "run_section.html", "id": f"results-{number}", "title": d.title(), "runs": runs,
               "what": f"The scenario {m['scenario']} from {m['start']} to {m['end']}, {runs}.",
               "headline": _table(table.rename_axis("staff group").reset_index()),
               "gaps": _table(gaps.rename_axis("staff group").reset_index()), "final": final,
               "collapsed": collapsed, "figures": figures,
               "warnings": analysis.unfilled_in_runs(values if (values.measure == PLACES).any() else src.tidy)}
    _provenance(d, section)
    said = _run_messages(summary, src.groups, names, first, final, src.runs, m.get("uncertainty"))
    said["title"] = d.title()
    return section, said


def _run_messages(summary: pd.DataFrame, groups: list[str], names: dict, first: int, final: int,
                  runs: int, uncertainty: str | None = None) -> dict:
    """Key messages of a projection: the total, the largest gaps and when they close, the intervals
    (``uncertainty``: what they contain, as the run's manifest says; a run written before it said so ran one
    parameter set)."""
    def series(measure, group):
        return summary[(summary.measure == measure) & (summary.group == group)].set_index("year").sort_index()

    out = []
    post = series("in_post_fte", "total")
    if not post.empty:
        end = post.loc[final]
        out.append(f"FTE in post, all groups: {_fmt(post.loc[first]['mean'])} in {first}, "
                   f"{_interval(end['mean'], end.low, end.high)} in {final}.")
    gaps = {g: series("supply_gap_fte", g) for g in groups}
    largest = sorted((g for g in groups if not gaps[g].empty and gaps[g].loc[first]["mean"] > 0),
                     key=lambda g: -gaps[g].loc[first]["mean"])[:3]
    for g in largest:
        gap, top = gaps[g]["mean"], gaps[g]["high"]
        closed = gap[(gap.index > first) & (gap <= 0)]
        if len(closed) and runs == 1:
            when = f"closes by {int(closed.index[0])} (one replication)"
        elif len(closed):  # the mean's closing is not every future's: the interval's top says how many it holds for
            everywhere = top[(top.index > first) & (top <= 0)]
            when = f"closes on average by {int(closed.index[0])}" + (
                f", in 95% of replications or more by {int(everywhere.index[0])}" if len(everywhere) else
                f"; in some replications it is still open in {final} (up to {_fmt(top.loc[final])} FTE, the 90% "
                "interval's top)")
        else:
            way = "narrows" if gap.loc[final] < gap.loc[first] else "widens"
            when = f"{way} to {_fmt(gap.loc[final])} FTE by {final} without closing"
        out.append(f"{names.get(g, g)}: a supply gap of {_fmt(gap.loc[first])} FTE in {first}, which {when}.")
    over = [names.get(g, g) for g in groups if not gaps[g].empty and gaps[g].loc[final]["mean"] < 0]
    if over:
        out.append(f"In {final} supply exceeds the funded establishment (a negative gap) in: {', '.join(over)}.")
    vacant = series("vacancies_fte", "total")
    if not vacant.empty:
        out.append(f"Vacant FTE, all groups: {_fmt(vacant.loc[first]['mean'])} in {first}, "
                   f"{_fmt(vacant.loc[final]['mean'])} in {final}.")
    contents = uncertainty or "the model's randomness only, of one parameter set"
    out.append(f"The intervals are over {runs} replication{'s' if runs > 1 else ''}: they contain {contents}; not "
               "the uncertainty of the model's structure.")
    return {"title": "", "ranked": [], "points": out}


# ---- a batch directory ----
def lever_words(d: dict, bands: list[int]) -> str:
    """A lever (as an experiment file gives it) in words; ``bands``: the scenario's age bands (lower
    bounds, years), which a share by age band is given for."""
    kind = d.get("lever")
    groups = ", ".join(g.replace("_", " ") for g in d.get("groups") or []) or "every group"
    stages = ", ".join(s.replace("/", ": ").replace("_", " ") for s in d.get("stages") or [])
    when = f", from {d['start']}" if d.get("start") else ""
    if kind in ("training_places", "in_service_route"):
        what = "in-service training places" if kind == "in_service_route" else "commissioned training places"
        stage = d["stage"].replace("/", ": ").replace("_", " ")
        parts = []
        if d.get("places"):
            parts.append("places a year " + ", ".join(f"{v:,.0f} from {y}" for y, v in sorted(d["places"].items())))
        if d.get("extra") is not None:
            parts.append(f"{d['extra']:+,.0f} places in every academic year")
        if d.get("fill_rate") is not None:
            parts.append(f"{d['fill_rate']:.0%} of places filled")
        return f"{what.capitalize()}, {stage}: {'; '.join(parts)}{when}."
    if kind == "retention":
        ages = f", aged {_ages(*d['ages'])}" if d.get("ages") else ""
        where = f" in {stages}" if stages else ""
        change = f"{1 - d['factor']:.0%} fewer" if d["factor"] <= 1 else f"{d['factor'] - 1:.0%} more"
        return f"{change} leavers ({groups}{where}{ages}){when}."
    if kind == "retire_and_return":
        parts = []
        if d.get("share") is not None:
            parts.append(f"retirees returning {by_age_band(d['share'], bands)}")
        if d.get("hours_cut") is not None:
            parts.append(f"with {d['hours_cut']:.0%} fewer hours")
        if d.get("stay_years"):
            parts.append(f"for {d['stay_years'][0]:g} to {d['stay_years'][1]:g} years")
        if d.get("retirement_factor") is not None:
            parts.append(f"retirement rates x {d['retirement_factor']:g}")
        return f"Retire and return ({groups}): {'; '.join(parts)}{when}."
    if kind == "ltft_training":
        frac = f" at {d['fraction'][0]:.0%} to {d['fraction'][1]:.0%} of full time" if d.get("fraction") else ""
        extra = f"; {d['extra_places']:.0%} more places to make up the time" if d.get("extra_places") else ""
        female, male = by_sex(d["share"])
        who = (f"{female:.0%} of trainees" if female == male else
               f"{female:.0%} of women and {male:.0%} of men among trainees")
        return f"{who} in {stages or groups} train less than full time (LTFT){frac}{extra}{when}."
    if kind == "recruitment":
        parts = []
        if d.get("extra_per_year") and d.get("funded"):
            parts.append(f"a campaign of {d['extra_per_year']:,.0f} recruits a year ({d['source'].replace('_', ' ')}) "
                         "in posts funded for them")
        elif d.get("extra_per_year"):
            parts.append(f"{d['extra_per_year']:,.0f} more recruits available a year"
                         + (f" ({d['source'].replace('_', ' ')})" if d.get("source") else ""))
        if d.get("per_year") is not None:
            parts.append(f"{d['per_year']:,.0f} recruits available a year")
        if d.get("fill_per_month") is not None:
            parts.append(f"{d['fill_per_month']:.0%} of vacant FTE filled a month")
        return f"Recruitment from outside the pipeline ({groups}): {'; '.join(parts)}{when}."
    if kind == "training_attrition":
        return f"{d['reduction']:.0%} fewer students leave training in {stages or groups}{when}."
    if kind == "transitions":
        stage = d["stage"].replace("/", ": ").replace("_", " ")
        shares = ", ".join(f"{v:.1%} to " + (reason(k).lower() if k.startswith("exit:") else
                                             k.replace("/", ": ").replace("_", " ")) for k, v in d["shares"].items())
        return f"On completing {stage}: {shares}{when}."
    if kind == "feedbacks":
        on = [f"{k} {'on' if v else 'off'}" for k, v in d.items() if k in ("supervision", "workload", "substitution")]
        return f"Feedbacks: {', '.join(on)}{when}."
    if kind == "funded_posts":
        posts = [f"{d['fte']:,.0f} FTE" if d.get("fte") else "", f"{d['share']:.0%}" if d.get("share") else ""]
        ramp = f", reached in equal steps over {d['ramp_years']:g} years" if d.get("ramp_years") else ""
        return (f"New funded posts ({groups}): each group's funded establishment grows by "
                f"{' and '.join(p for p in posts if p)}{ramp}{when}.")
    return json.dumps(d)


def _ages(low: float, high: float) -> str:
    """A retention lever's ages [low, high) in years (100 or more: no upper bound) in words."""
    if high >= 100:
        return f"{low:g} and over"
    return f"under {high:g}" if low == 0 else f"{low:g} to {high - 1:g}"


def _batch_section(d: folders.BatchDir, number: int) -> tuple[dict, list[str]]:

    from . import analysis, plots

    m = d.manifest
    names = group_names(d.scenario)
    written, planned = analysis.completeness(d.path)
    table = analysis.compare(d.path, "in_post_fte")
    # every table the figures read, read (and checked) here: a damaged run file is refused, naming it, not
    # turned into a note in place of a figure and a report written as if whole
    vacant = analysis.compare(d.path, "vacancies_fte")
    d.runs  # every row of every run (kept for the figures that read them)
    final = int(table.year.max())
    shown = table[table.year == final]
    spec = _kept_experiment(d)
    described = {k: (v or {}).get("description", "") for k, v in (spec.get("policies") or {}).items()}
    policies = [{"name": name, "description": described.get(name, ""),
                 "levers": [lever_words(x, d.scenario.spec.age_bands) for x in levers] or ["No lever: the baseline."]}
                for name, levers in m["policies"].items() if name != "baseline"]
    moved = shown[(shown.policy != "baseline") & (shown.group != "total")]
    top = list(moved.assign(size=moved.diff_mean.abs()).groupby("group")["size"].max().sort_values(ascending=False)
               .loc[lambda x: x > 0].index[:3])
    top = [g for g in d.scenario.groups if g in top]
    figures = [
        _figure("Policies against the baseline: FTE in post", lambda: plots.policy_differences(
            table, measure="in_post_fte", groups=["total", *top])),
        _figure("Policies against the baseline: vacant FTE", lambda: plots.policy_differences(
            vacant, measure="vacancies_fte", groups=["total"])),
    ]
    if plots.feedback_comparisons(m["policies"]):  # policies switching feedbacks on (sim.feedbacks)
        panels = [p for p in plots.FEEDBACK_PANELS if p.partition(":")[2] in {*d.scenario.groups, "total"}]
        figures.append(_figure("What each feedback changes: feedback on less off", lambda: plots.feedback_effects(
            d.path, panels)))
    figures.append(_figure("Baseline FTE by staff group", lambda: plots.fte_over_time(plots.batch_source(d, "baseline"))))
    figures.append(_figure("Baseline supply against demand", lambda: plots.supply_demand(plots.batch_source(d, "baseline"))))
    by_group = shown[shown.group != "total"]
    still = (by_group.policy == "baseline") | (by_group.diff_low != 0) | (by_group.diff_high != 0)
    collapsed = []
    for policy, rows in by_group[~still].groupby("policy", sort=False):
        collapsed.append(f"{policy}: no difference from the baseline in any run, not shown: "
                         f"{', '.join(names.get(g, g) for g in rows.group)}.")
    section = {"template": "batch_section.html", "id": f"results-{number}", "title": d.title(),
               "description": spec.get("description") or "",
               "unfinished": f"{written} of {planned} runs written: the batch is unfinished." if written < planned
               else "", "scenario": m["scenario"], "policies": policies, "final": final,
               "totals": _table(_comparison_cells(shown[shown.group == "total"], names)),
               "by_group": _table(_comparison_cells(by_group[still], names)), "collapsed": collapsed,
               "figures": figures, "experiment_text": d.experiment_text,
               "warnings": analysis.cap_warnings(d.path)}  # levers a cap cuts: never faded in silence
    _provenance(d, section)
    return section, _batch_messages(d, shown, final, described, table)


def _kept_experiment(d: folders.BatchDir) -> dict:
    """The experiment file a batch kept (its description and its policies'), read as every input file is; one
    edited to another shape (policies as a list, a description that is no text) is refused naming its field,
    not a Python error, nor left out in silence."""
    if d.experiment_text is None:
        return {}
    path = d.path / "experiment.yaml"
    spec = read_yaml(path)
    policies = spec.get("policies") or {}
    if not isinstance(policies, dict):
        raise InputError.one(path, "policies", "a mapping of policies, as in the experiment file the batch ran",
                             type(policies).__name__)
    texts = [("description", spec.get("description", ""))]
    for name, policy in policies.items():
        if policy is not None and not isinstance(policy, dict):
            raise InputError.one(path, f"policies.{name}", "a policy: a mapping with its levers and description",
                                 type(policy).__name__)
        texts.append((f"policies.{name}.description", (policy or {}).get("description", "")))
    for field_name, text in texts:
        if text is not None and not isinstance(text, str):
            raise InputError.one(path, field_name, "a text", text)
    return spec


def _batch_messages(d: folders.BatchDir, shown: pd.DataFrame, final: int, described: dict,
                    table: pd.DataFrame | None = None) -> dict:
    """Key messages of an experiment: policies ranked by their effect in the final year, with intervals, each
    with its largest effect of the years before where that was half as large again (a lever whose effect fades,
    as recruitment capped by vacancies does, would be ranked by what is left of it), and what the intervals
    include. ``table``: every year's comparison (``shown`` is the final year's)."""
    m = d.manifest
    totals = shown[(shown.group == "total") & (shown.policy != "baseline")].sort_values("diff_mean", ascending=False)
    base = shown[(shown.group == "total") & (shown.policy == "baseline")]
    lead = (f"Policies ranked by their effect on FTE in post, all groups, in {final} (the baseline: "
            + (f"{_interval(base['mean'].iloc[0], base.low.iloc[0], base.high.iloc[0])})." if len(base) else "none)."))
    out, ranked = [], []
    for row in totals.itertuples():
        about = f" ({described[row.policy]})" if described.get(row.policy) else ""
        none = row.diff_low == row.diff_high == 0
        zero = " The interval includes zero: in some runs it does nothing or worse." \
            if row.diff_low <= 0 <= row.diff_high and not none else ""
        none = " No difference in any run." if none else ""
        ranked.append(f"{row.policy}{about}: {_interval(row.diff_mean, row.diff_low, row.diff_high, True)} "
                      f"FTE in post.{zero}{none}{_peak(table, row.policy, row.diff_mean, final)}")
    if len(totals) >= 2:
        a, b = totals.iloc[0], totals.iloc[1]
        if a.diff_ci_low <= b.diff_ci_high and not (a.diff_mean == b.diff_mean == 0):
            out.append(f"{a.policy} and {b.policy} cannot be told apart by these runs: the {LEVEL_TEXT} confidence "
                       "intervals of their mean effects overlap (more replications would narrow them).")
    sets = len(m.get("parameter_sets") or [{}])
    drawn = sets > 1 or (sets == 1 and (m.get("parameter_sets") or [{}])[0])
    reps = len(m.get("replication_seeds") or [])
    # what the manifest says the replications contain (a calibration's posterior drawn from, or its central set)
    contents = m.get("uncertainty") or ("the model's randomness" if drawn else
                                        "the model's randomness, not the uncertainty of its parameters")
    out.append(f"The intervals are over {reps} replication{'s' if reps != 1 else ''}"
               + (f" x {sets} parameter sets drawn from the experiment's uncertain ranges: they contain the "
                  f"uncertainty of those ranges, and {contents}" if drawn else f": they contain {contents}")
               + "; none includes the uncertainty of the model's structure.")
    return {"title": f"Experiment: {m['experiment']}", "lead": lead, "ranked": ranked, "points": out}


def _peak(table: pd.DataFrame | None, policy: str, last: float, final: int) -> str:
    """A policy's largest mean effect on FTE in post, all groups, in a year before ``final``, where it was at least
    half as large again as the final year's ``last`` (and more than 0): "" otherwise."""
    if table is None:
        return ""
    rows = table[(table.policy == policy) & (table.group == "total") & (table.year < final)]
    if rows.empty:
        return ""
    peak = rows.loc[rows.diff_mean.idxmax()]
    if peak.diff_mean <= 0 or peak.diff_mean < 1.5 * max(last, 0.0) or peak.diff_mean - last < 1.0:
        return ""
    return f" Largest in {int(peak.year)}: {_interval(peak.diff_mean, peak.diff_low, peak.diff_high, True)}."


def _comparison_cells(t: pd.DataFrame, names: dict | None = None) -> pd.DataFrame:
    from . import analysis

    names = names or {}

    def cell(mean, low, high):
        return [f"{a:,.1f} [{b:,.1f}, {c:,.1f}]" for a, b, c in zip(mean, low, high)]

    out = pd.DataFrame({
        "policy": t.policy.to_numpy(), "staff group": [names.get(g, g) for g in t.group], "runs": t.runs.to_numpy(),
        "mean [90% interval]": cell(t["mean"], t.low, t.high),
        "difference [90% interval]": cell(t.diff_mean, t.diff_low, t.diff_high),
        "mean difference 90% CI": [analysis.mean_ci_text(a, b) for a, b in zip(t.diff_ci_low, t.diff_ci_high)],
    })
    base = out.policy == "baseline"
    out.loc[base, ["difference [90% interval]", "mean difference 90% CI"]] = ""
    return out


def _listed(paths, function: str) -> list[Path]:
    """The results folders ``paths``, a list: one folder given as text was read as a list of its letters, each
    looked for as a folder, and anything else failed inside. A file given as results is named as such, and a
    folder given twice is refused."""
    if not isinstance(paths, (list, tuple)):
        raise InputError.one(function, "paths", "a list of results folders (such as [folder])",
                             paths if isinstance(paths, (str, os.PathLike)) else type(paths).__name__)
    paths = [folders.results_folder(p) for p in paths]
    for i, path in enumerate(paths):  # else its section twice, as if two sets of results agreed
        twin = next((p for p in paths[:i] if p.resolve() == path.resolve()), None)
        if twin is not None:
            raise InputError.one("RESULTS_DIR", "results", "each results folder once" + (
                f" ({twin} and {path} are one folder)" if str(twin) != str(path) else ""), str(path))
    return paths


def build(paths, *, backtest: str | None = None, calibration: str | None = None) -> str:
    """The report's HTML for one or more results directories.

    ``backtest`` and ``calibration`` are HTML fragments for the report's back-test and
    calibration sections (left out when None); their place is a block of ``report.html``.
    """
    from markupsafe import Markup

    from .version import __version__

    loaded = [folders.load(p) for p in _listed(paths, "sim.report.build")]
    if not loaded:
        raise InputError.one("RESULTS_DIR", "", "at least one results directory")
    sections, messages = [], []
    for i, d in enumerate(loaded, 1):
        section, said = {"run": _run_section, "batch": _batch_section, "sensitivity": _sensitivity_section,
                         "target": _target_section}[d.kind](d, i)
        sections.append(section)
        messages.append(said)
    contents = [{"id": "summary", "title": "Summary: key messages"}]
    for s in sections:
        contents.append({"id": s["id"], "title": s["title"]})
        if s["template"] == "batch_section.html":
            contents.append({"id": f"{s['id']}-policies", "title": "The policies in words"})
    if backtest is None and calibration is None:  # the sections of the calibration the runs used
        from .uncertainty_report import sections as uncertainty_sections

        manifest = loaded[0].manifest
        backtest, calibration = uncertainty_sections(
            manifest.get("calibration"), manifest.get("uncertainty") or "each replication's parameter set",
            manifest.get("input_files"))
    contents += [{"id": k, "title": t} for k, t, v in (
        ("backtest", "Back-test: the model against what happened", backtest),
        ("calibration", "Calibration: fitted parameters and their uncertainty", calibration)) if v]
    contents += [{"id": "measures", "title": "What the measures mean"},
                 {"id": "appendix", "title": "Appendix: provenance"}]
    names = ", ".join(d.manifest.get("experiment") or d.manifest.get("scenario") for d in loaded)
    return pages.environment().get_template("report.html").render(
        names=names, created=datetime.now(timezone.utc).isoformat(timespec="seconds"), version=__version__,
        messages=messages, contents=contents, sections=sections, level=LEVEL_TEXT, acronyms=ACRONYMS,
        backtest=Markup(backtest) if backtest else None, calibration=Markup(calibration) if calibration else None)


def write(paths, out=None) -> Path:
    """Write the report of the results folders ``paths``, a list (default ``<first directory>/report.html``);
    return its path. One folder given as text was read as a list of its letters, each looked for as a folder."""
    paths = _listed(paths, "sim.report.write")
    if out is not None:  # a bad --out before the results are read; the default's place once they are
        out = folders.check_file(out, suffixes=(".html", ".htm"))  # (a runs folder given is named as no results)
    text = build(paths)
    out = out or folders.check_file(paths[0] / "report.html", suffixes=(".html", ".htm"))
    folders.atomic_write(out, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return out
