"""A shareable report: one self-contained HTML file from results directories.

``workforce report RESULTS_DIR [RESULTS_DIR ...]`` reads directories written by ``workforce
run`` (tables, events, replications) and/or ``workforce batch`` (an experiment's runs) and
writes one HTML file with every figure embedded as a base64 PNG, the tables, the experiment's
settings and the manifest: nothing to install or fetch to read it, so it can be emailed.

``load(path)`` reads and checks a results directory, for the report and for ``sim.plots``.
A directory that is missing, empty, or written in an older or unknown format is refused with
an ``InputError`` naming the file and what was expected (the command line exits with status 2).
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import folders
from .errors import InputError

TIDY_COLUMNS = ["year", "date", "group", "stage", "measure", "reason", "unit", "value"]
RUN_KEYS = ["policy", "parameter_set", "replication", "seed"]
EVENT_COLUMNS = ["person_id", "month", "from_stage", "to_stage", "reason"]
REPLICATION_COLUMNS = ["seed", "year", "group", "measure", "value"]
# manifest keys this version writes and reads
RUN_MANIFEST = ("scenario", "scenario_file", "seed", "start", "end")
BATCH_MANIFEST = ("experiment", "scenario", "scenario_file", "start", "final_year", "seed", "replication_seeds",
                  "policies", "runs")
WHAT = "a results directory written by workforce run or workforce batch"


# ---- reading results directories ---------------------------------------------------------------
def _scenario(manifest: dict):
    """The scenario a manifest names: its file (with the run's overrides) or, failing that, the shipped one."""
    from . import scenario as scenario_module

    overrides = manifest.get("overrides") or None
    for name in (manifest.get("scenario_file"), manifest.get("scenario")):
        if not name:
            continue
        try:
            return scenario_module.load(name, overrides)
        except InputError:
            try:
                return scenario_module.load(name)
            except InputError:
                continue
    return scenario_module.load(scenario_module.DEFAULT)


def _format_problem(path: Path, field_name: str, found=None) -> InputError:
    return InputError.one(path, field_name, f"{WHAT} by this version (an older or unknown format?)", found)


def _columns(path: Path, wanted: list[str]) -> None:
    """Check that a Parquet or CSV table has the wanted columns."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            names = pq.read_schema(path).names
        else:
            names = list(pd.read_csv(path, nrows=0).columns)
    except Exception as exc:  # noqa: BLE001 - any unreadable table is bad input
        raise InputError.one(path, "", "a readable table written by workforce", str(exc).splitlines()[0]) from None
    missing = [c for c in wanted if c not in names]
    if missing:
        raise InputError.one(path, "columns", f"the columns {', '.join(wanted)} (an older or unknown format?)",
                             missing)


@dataclass
class ResultsDir:
    """A results directory and its manifest; what is read from it is read once, when first needed."""

    path: Path
    manifest: dict
    kind: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    def _cached(self, key: str, read):
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    @property
    def scenario(self):
        return self._cached("scenario", lambda: _scenario(self.manifest))


@dataclass
class RunDir(ResultsDir):
    """A directory written by ``workforce run``."""

    kind: str = "run"

    def _file(self, name: str) -> Path | None:
        p = self.path / name
        return p if p.is_file() else None

    @property
    def tidy(self) -> pd.DataFrame:
        p = self._file("supply.parquet")
        return self._cached("tidy", lambda: pd.read_parquet(p) if p else pd.read_csv(self.path / "supply.csv"))

    @property
    def replications(self) -> pd.DataFrame | None:
        p = self._file("replications.csv")
        return pd.read_csv(p) if p else None

    @property
    def events(self) -> pd.DataFrame | None:
        p = self._file("events.parquet")
        return pd.read_parquet(p) if p else None

    @property
    def people(self) -> pd.DataFrame | None:
        p = self._file("people.parquet")
        return pd.read_parquet(p) if p else None

    def source(self, policy=None):
        """The results as a ``sim.plots.Source``: bands over the replications when they were kept."""
        from . import plots

        tidy = self.tidy.assign(run=0)
        replications = self.replications
        values = plots._group_values(replications.assign(run=replications.seed)) if replications is not None \
            else plots._group_values(tidy)
        s = self.scenario
        groups = [g for g in s.groups if g in set(values.group)]
        runs = int(replications.seed.nunique()) if replications is not None else 1
        return plots.Source(values=values, tidy=tidy, events=self.events, people=self.people, scenario=s,
                            groups=groups, runs=runs, title=str(self.path))

    def title(self) -> str:
        m = self.manifest
        seeds = m.get("replication_seeds")
        runs = f"seeds {seeds[0]}-{seeds[-1]}" if seeds else f"seed {m['seed']}"
        return f"Run: {m['scenario']}, {m['start']} to {m['end']}, {runs}"


@dataclass
class BatchDir(ResultsDir):
    """A directory written by ``workforce batch``."""

    kind: str = "batch"

    @property
    def runs(self) -> pd.DataFrame:
        from .experiment import read_runs

        return self._cached("runs", lambda: read_runs(self.path, group_rows_only=False))

    @property
    def experiment_text(self) -> str | None:
        p = self.path / "experiment.yaml"
        return p.read_text(encoding="utf-8") if p.is_file() else None

    def source(self, policy="baseline"):
        from . import plots

        src = plots.source(self.runs, policy or "baseline")
        src.scenario = self.scenario
        src.groups = [g for g in self.scenario.groups if g in set(src.groups)]
        src.title = f"{self.manifest['experiment']}: {policy}"
        return src

    def title(self) -> str:
        m = self.manifest
        return f"Experiment: {m['experiment']}"


def load(path, kind: str | None = None) -> RunDir | BatchDir:
    """Read and check a results directory (``kind``: require ``"run"`` or ``"batch"``)."""
    path = Path(path)
    if not path.exists():
        raise InputError.one(path, "", f"an existing directory ({WHAT})")
    if not path.is_dir():
        raise InputError.one(path, "", f"a directory ({WHAT}), not a file")
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        empty = not any(path.iterdir())
        raise InputError.one(path, "manifest.json", f"{WHAT} (with its manifest.json)",
                             "an empty directory" if empty else None)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError.one(manifest_path, "", "a JSON manifest written by workforce run or workforce batch",
                             str(exc).splitlines()[0]) from None
    if not isinstance(manifest, dict):
        raise _format_problem(manifest_path, "", type(manifest).__name__)
    found = "batch" if "experiment" in manifest else "run" if "seed" in manifest and "scenario" in manifest else None
    if found is None:
        raise _format_problem(manifest_path, "experiment", "neither an experiment nor a run's scenario and seed")
    if kind is not None and found != kind:
        raise InputError.one(path, "", f"a results directory written by workforce {kind}", f"one of workforce {found}")
    required = BATCH_MANIFEST if found == "batch" else RUN_MANIFEST
    missing = [k for k in required if k not in manifest]
    if missing:
        raise _format_problem(manifest_path, missing[0], f"missing {', '.join(missing)}")
    if found == "run":
        table = next((path / n for n in ("supply.parquet", "supply.csv") if (path / n).is_file()), None)
        if table is None:
            raise InputError.one(path, "supply.parquet", f"the tidy table of {WHAT} (supply.parquet or supply.csv)")
        _columns(table, TIDY_COLUMNS)
        for name, columns in (("events.parquet", EVENT_COLUMNS), ("replications.csv", REPLICATION_COLUMNS)):
            if (path / name).is_file():
                _columns(path / name, columns)
        return RunDir(path, manifest)
    files = sorted((path / "runs").glob("*/*.parquet"))
    if not files:
        raise InputError.one(path, "runs", "a batch results directory with its runs (runs/<policy>/*.parquet): "
                                           "run workforce batch first")
    _columns(files[0], RUN_KEYS + TIDY_COLUMNS)
    return BatchDir(path, manifest)


# ---- the report ----------------------------------------------------------------------------------
def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(title: str, make) -> str:
    try:
        fig = make()
    except InputError as exc:
        return f"<p class='note'>{html.escape(title)}: not drawn ({html.escape(str(exc))})</p>"
    return (f"<figure><img alt='{html.escape(title)}' src='data:image/png;base64,{_png(fig)}'>"
            f"<figcaption>{html.escape(title)}</figcaption></figure>")


def _table(frame: pd.DataFrame, index: bool = False) -> str:
    return frame.to_html(index=index, escape=True, border=0, classes="data", na_rep="",
                         float_format=lambda x: f"{x:,.1f}")


def _settings(manifest: dict) -> str:
    return f"<pre>{html.escape(json.dumps(manifest, indent=2, default=str))}</pre>"


def _run_section(d: RunDir) -> str:
    from . import plots
    from .replications import headline_in_post, summarise

    src = d.source()
    s = src.scenario
    parts = [f"<h2>{html.escape(d.title())}</h2>", f"<p class='where'>{html.escape(str(d.path))}</p>"]
    values = src.values
    total = values.groupby(["run", "year", "measure"]).value.sum().reset_index().assign(group="total")
    summary = summarise(pd.concat([values, total], ignore_index=True))
    parts.append(f"<h3>FTE in post by staff group, trainees in service apart: mean ({plots.LEVEL:.0%} interval "
                 f"over {src.runs} run{'s' if src.runs > 1 else ''}), every five years</h3>")
    table = headline_in_post(summary, src.groups)
    table.columns = [str(c) for c in table.columns]
    parts.append(_table(table.rename_axis("group").reset_index()))
    final = int(summary.year.max())
    at = summary[summary.year == final].pivot(index="group", columns="measure", values="mean")
    gaps = pd.DataFrame({
        "in-post FTE (supply)": at.in_post_fte, "establishment FTE (demand)": at.establishment_fte,
        "supply gap FTE": at.supply_gap_fte, "vacant FTE": at.vacancies_fte,
        "Welsh-speaking FTE": at.welsh_speaking_fte}).reindex([*src.groups, "total"])
    parts.append(f"<h3>Supply against demand in {final} (means)</h3>")
    parts.append(_table(gaps.rename_axis("group").reset_index()))
    parts.append("<h3>Figures</h3>")
    parts.append(_figure("FTE by staff group", lambda: plots.fte_over_time(src)))
    parts.append(_figure("Supply against demand, and the gap", lambda: plots.supply_demand(src)))
    parts.append(_figure("Training pipeline", lambda: plots.training_pipeline(src)))
    parts.append(_figure("Joiners and leavers by reason (first run)", lambda: plots.joiners_leavers(src)))
    parts.append(_figure("Welsh-speaking FTE", lambda: plots.welsh_speaking(src)))
    if src.people is not None:
        years = sorted(src.tidy.year.unique())
        chosen = sorted({years[0], years[len(years) // 2], years[-1]})
        parts.append(_figure("Age-sex pyramids (first run)", lambda: plots.age_sex_pyramid(src, years=chosen)))
    else:
        parts.append("<p class='note'>Age-sex pyramids: not drawn (the directory has no people.parquet: it was "
                     "written by an earlier version of workforce run).</p>")
    for pathway in s.pathway_names:
        parts.append(_figure(f"Pathway flows: {pathway} (first run)", lambda p=pathway: plots.pathway_flows(src, p)))
    parts.append("<h3>Settings: the manifest</h3>")
    parts.append(_settings(d.manifest))
    return "\n".join(parts)


def _batch_section(d: BatchDir) -> str:
    from . import analysis, plots

    m = d.manifest
    parts = [f"<h2>{html.escape(d.title())}</h2>", f"<p class='where'>{html.escape(str(d.path))}</p>"]
    written, planned = analysis.completeness(d.path)
    if written < planned:
        parts.append(f"<p class='note'>{written} of {planned} runs written: the batch is unfinished.</p>")
    table = analysis.compare(d.path, "fte")
    final = int(table.year.max())
    shown = table[(table.year == final)]
    groups = [*d.scenario.groups, "total"]
    parts.append(f"<h3>FTE in {final} by policy and group: mean [{plots.LEVEL:.0%} interval over runs], paired "
                 f"difference from the baseline [{plots.LEVEL:.0%} interval] and {plots.LEVEL:.0%} CI of the mean "
                 f"difference</h3>")
    totals = shown[shown.group == "total"]
    parts.append(_table(_comparison_cells(totals)))
    moved = shown[(shown.policy != "baseline") & (shown.group != "total")]
    top = list(moved.assign(size=moved.diff_mean.abs()).groupby("group")["size"].max().sort_values(ascending=False)
               .loc[lambda x: x > 0].index[:3])
    top = [g for g in groups if g in top]
    parts.append("<h3>Figures</h3>")
    parts.append(_figure("Policies against the baseline: FTE", lambda: plots.policy_differences(
        table, groups=["total", *top])))
    vacancies = analysis.compare(d.path, "vacancies_fte")
    parts.append(_figure("Policies against the baseline: vacant FTE", lambda: plots.policy_differences(
        vacancies, groups=["total"])))
    if plots.feedback_comparisons(m["policies"]):  # policies switching feedbacks on (sim.feedbacks)
        panels = [p for p in plots.FEEDBACK_PANELS if p.partition(":")[2] in {*d.scenario.groups, "total"}]
        parts.append(_figure("What each feedback changes: feedback on less off", lambda: plots.feedback_effects(
            d.path, panels)))
    parts.append(_figure("Baseline FTE by staff group", lambda: plots.fte_over_time(d.source("baseline"))))
    parts.append(_figure("Baseline supply against demand", lambda: plots.supply_demand(d.source("baseline"))))
    parts.append(f"<h3>FTE in {final} by policy and staff group</h3>")
    parts.append(_table(_comparison_cells(shown[shown.group != "total"])))
    parts.append("<h3>Settings: the experiment file</h3>")
    text = d.experiment_text
    parts.append(f"<pre>{html.escape(text)}</pre>" if text else "<p class='note'>experiment.yaml not found</p>")
    parts.append("<h3>Settings: the manifest</h3>")
    parts.append(_settings(m))
    return "\n".join(parts)


def _comparison_cells(t: pd.DataFrame) -> pd.DataFrame:
    def cell(mean, low, high):
        return [f"{a:,.1f} [{b:,.1f}, {c:,.1f}]" for a, b, c in zip(mean, low, high)]

    out = pd.DataFrame({
        "policy": t.policy.to_numpy(), "group": t.group.to_numpy(), "runs": t.runs.to_numpy(),
        "mean [90% interval]": cell(t["mean"], t.low, t.high),
        "difference [90% interval]": cell(t.diff_mean, t.diff_low, t.diff_high),
        "mean difference 90% CI": [f"[{a:,.1f}, {b:,.1f}]" for a, b in zip(t.diff_ci_low, t.diff_ci_high)],
    })
    base = out.policy == "baseline"
    out.loc[base, ["difference [90% interval]", "mean difference 90% CI"]] = ""
    return out


STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { border-bottom: 2px solid #1f77b4; padding-bottom: .2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table.data { border-collapse: collapse; font-size: 0.85em; margin: .5em 0 1.5em; }
table.data th, table.data td { padding: .25em .6em; border-bottom: 1px solid #e4e4e4; text-align: right; }
table.data th { background: #f3f6fa; }
table.data td:first-child, table.data th:first-child { text-align: left; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: .9em; color: #555; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: .8em; }
.note { color: #8a6d3b; } .where { color: #777; font-size: .85em; }
"""


def build(paths) -> str:
    """The report's HTML for one or more results directories."""
    from . import __version__

    loaded = [load(p) for p in paths]
    if not loaded:
        raise InputError.one("RESULTS_DIR", "", "at least one results directory")
    sections = [_run_section(d) if d.kind == "run" else _batch_section(d) for d in loaded]
    names = ", ".join(d.manifest.get("experiment") or d.manifest.get("scenario") for d in loaded)
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Workforce report: {html.escape(names)}</title>
<style>{STYLE}</style></head>
<body>
<h1>Workforce report: {html.escape(names)}</h1>
<p>Written {created} by workforce-sim {html.escape(__version__)}. Lines are means over runs and bands
{int(100 * 0.9)}% intervals (where a single future would fall, given the model's randomness); a policy's
effect is the paired difference from its baseline twin (same seed and parameters). Many rates are marked
assumptions: read the numbers as the model's logic applied to its inputs, not as a forecast.</p>
{''.join(sections)}
</body></html>
"""


def write(paths, out=None) -> Path:
    """Write the report (default ``<first directory>/report.html``); return its path."""
    paths = [Path(p) for p in paths]
    out = folders.check_file(Path(out) if out is not None else paths[0] / "report.html")
    text = build(paths)
    folders.atomic_write(out, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return out
