"""Back-testing: fit on the earlier years, project the later ones, and compare with what happened.

A back-test file (``sim/data/calibration/backtest-2021-2024.yaml``) names

- the posterior to project with: ``posterior:``, a parameter file fitted on the earlier years
  (the shipped calibration, fitted on 2015-2021), or ``fit:`` with ``fit_until:``, a
  calibration file to fit again on its targets observed by that year only (each of its targets'
  ``years`` at or before it, an age share's the history's end; the others are held back);
- the ``scenario`` that projects the held-back years (it starts where the fit ends);
- the held-back ``targets`` (``sim.calibration.Target``), published after the fit's years.

``backtest`` runs the scenario ``replications`` times, each replication with the parameter set
its seed draws from the posterior (as projections do), and reports for each held-back target
the published value, the predictive mean and 90% interval, whether the published value falls
inside, and the absolute percentage error of the mean (``level_error``: of the level, as
published back-tests report theirs); and their mean (MAPE) beside the published back-tests of
national workforce models (``PUBLISHED``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import folders
from . import scenario as scenario_module
from .calibration import (CALIBRATION_DIR, Target, _uncalibrated, check as check_calibration, last_snapshot_year,
                          load as load_calibration, observed_years, parameter_file, statistics, target_problems)
from .calibration_report import fmt
from .errors import InputError, Problem, from_pydantic, is_file, read_yaml, refuse_special, regular_file
from .experiment import MAX_RUNS
from .fields import Description, Name, Year
from .layering import unknown_keys

DEFAULT = CALIBRATION_DIR / "backtest-2021-2024.yaml"
LEVEL = 0.90
# mean absolute percentage errors published for back-tests of national workforce models
PUBLISHED = {"Netherlands GP model (van Greuningen et al. 2013), low end": 2.0,
             "Netherlands GP model (van Greuningen et al. 2013), high end": 15.0}


class BacktestSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: Description = ""
    posterior: str | None = None  # a parameter file (path or shipped name) fitted on the earlier years
    fit: str | None = None  # or a calibration file to fit again on its targets observed by fit_until
    fit_until: Year | None = None
    scenario: str
    # strict and bounded as a calibration's settings: a quoted "100" is refused, and a slip of a few zeros too,
    # rather than a list of a trillion seeds filling the memory
    replications: int = Field(100, strict=True, ge=2, le=MAX_RUNS)
    seed: int = Field(0, strict=True, ge=0, lt=2**32)
    targets: dict[Name, Target] = Field(min_length=1)  # named as groups are: they label the fit's tables

    @model_validator(mode="after")
    def _one_posterior(self):
        if (self.posterior is None) == (self.fit is None):
            raise ValueError("posterior: (a fitted parameter file) or fit: with fit_until: (one of them)")
        if self.fit is not None and self.fit_until is None:
            raise ValueError("fit_until: the last year whose observations the fit may use")
        if self.fit is None and self.fit_until is not None:  # else ignored in silence: the posterior was fitted already
            raise ValueError("no fit_until with posterior: (it says up to when fit: fits again)")
        return self


def load(path) -> BacktestSpec:
    path = Path(path)
    try:
        spec = BacktestSpec.model_validate(read_yaml(path, "backtest"))
    except ValidationError as exc:
        raise from_pydantic(path, exc, BacktestSpec) from None
    # it names the back-test's files: the file system would refuse a long one only once the runs are done
    long = folders.long_name(spec.name, path, "name", len("-fit.yaml"), "the back-test's files (<name>.csv, "
                             "<name>-fit.yaml and others)")
    if long is not None:
        raise InputError([long])
    for t in spec.targets.values():
        t.located(path)
    return spec


def backtest(path=DEFAULT, *, replications: int | None = None, out_dir=None, workers: int | None = None,
             quiet: bool = False) -> dict:
    """Run the back-test; return its table (one row per held-back target) and summary."""
    from tqdm import tqdm

    from .posterior import read
    from .results import run

    path = Path(path)
    spec = load(path)
    n = replications or spec.replications
    scenario_path = _referenced(path, "scenario", spec.scenario, scenario_module.resolve)
    uncalibrated = _uncalibrated(scenario_path)
    scenario = scenario_module.compiled(scenario_path, uncalibrated)
    schema = scenario_module.schema(scenario.processes)
    problems = target_problems(path, spec.targets, scenario)  # before a refit or any run
    seen = [k for k, t in spec.targets.items() if spec.fit_until is not None
            and max(observed_years(t, scenario)) <= spec.fit_until]  # a target the fit would see tests nothing
    if seen:
        problems.append(Problem(str(path), "fit_until", f"a year before each held-back target's last year (the "
                                                        f"fit would see {', '.join(seen)})", spec.fit_until))
    if problems:
        raise InputError(problems)
    with contextlib.ExitStack() as stack:
        if spec.posterior is not None:
            parameters = _referenced(path, "posterior", spec.posterior, parameter_file)
            fitted_on = parameters.name
        else:  # the refit kept in --out, else in a folder removed once its posterior is read
            folder = Path(out_dir) if out_dir else Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="workforce-backtest-")))
            parameters = _refit(path, spec, folder, workers, quiet)
            fitted_on = f"{Path(spec.fit).name}, targets observed by {spec.fit_until}"
        document = read_yaml(parameters, "parameters")
        unknown = unknown_keys(document, parameters)
        if unknown is not None:
            raise unknown
        if not document.get("posterior"):
            raise InputError.one(parameters, "posterior", "a parameter file with a posterior (written by calibrate)")
        posterior = read(document["posterior"], parameters, document.get("fitted"),
                         document.get("parameter_sets"), schema=schema)
        if spec.posterior is not None:  # so would one within the history the posterior was fitted on
            history, last = _history_end(parameters, document.get("scenario"))
            within = [Problem(str(path), f"targets.{k}", f"a target observed after {last}, where the history "
                                                         f"{spec.posterior} was fitted on ends (scenario {history}): "
                                                         f"one within it is no held-back outcome",
                              observed_years(t, scenario))
                      for k, t in spec.targets.items() if max(observed_years(t, scenario)) <= last]
            if within:
                raise InputError(within)
    rows = []
    seeds = [spec.seed * 1000 + i for i in range(n)]
    for seed in tqdm(seeds, desc="back-test", unit="run", disable=quiet, dynamic_ncols=True):
        i = posterior.index(seed)
        with posterior.cells_named(i, scenario_path):
            results = run(scenario_path, seed=seed, overrides={**uncalibrated, **posterior.overrides(i, schema)},
                          parameters="fixed")
        rows.append(statistics(results, spec.targets))
    table = summarise(spec.targets, pd.DataFrame(rows))
    result = {"spec": spec, "table": table, "replications": n, "fitted_on": fitted_on,
              "mape": float(table.ape.mean()), "inside": int(table.inside.sum())}
    result["markdown"] = markdown(result)
    return result


def check_inputs_kept(path, out) -> None:
    """Refuse an ``--out`` where a file the back-test writes (its table, report and figure, a refit's fit
    and parameter files) is one of its inputs: the back-test file, its posterior's parameter file and
    table, or the calibration file it fits again, replaced by what was computed from it."""
    path = Path(path)
    spec = load(path)
    inputs = {"the back-test file": path}
    names = [f"{spec.name}{suffix}" for suffix in (".csv", ".md", ".png")]
    if spec.posterior is not None:
        parameters = _referenced(path, "posterior", spec.posterior, parameter_file)
        inputs["its posterior's parameter file"] = parameters
        table = read_yaml(parameters, "parameters").get("posterior")
        if isinstance(table, str) and table:
            inputs["its posterior's table"] = parameters.parent / table
    else:
        config = _referenced(path, "fit", spec.fit, regular_file)
        inputs["the calibration file it fits again"] = config
        stem = f"{load_calibration(config)[0].name}-backtest"  # as calibrate names the refit's files
        names += [f"{spec.name}-fit.yaml", f"{stem}.yaml", f"{stem}-posterior.csv", f"{stem}-report.md",
                  f"{stem}-pairs.png"]
    written = {os.path.realpath(Path(out) / name): name for name in names}
    for what, input_path in inputs.items():
        name = written.get(os.path.realpath(input_path))
        if name is not None:
            raise InputError.one("--out", "out", f"a folder where the back-test replaces none of its inputs ({what}, "
                                                 f"{input_path}, would be replaced by the {name} written there: "
                                                 f"choose another --out)", str(out))


def _referenced(path: Path, field: str, name: str, find) -> Path:
    """The file the back-test file's ``field`` names: beside it, else as ``find`` finds ``name`` (a path,
    or a shipped name). A file missing, or no regular file, is named by the back-test file and its field."""
    candidate = path.parent / name
    refuse_special(candidate, path, field)
    if is_file(candidate):
        return candidate
    try:
        return find(name)
    except InputError as exc:
        raise InputError.one(path, field, exc.problems[0].expected, name) from None


def _history_end(parameters: Path, name) -> tuple[str, int]:
    """The history scenario a parameter file's posterior was fitted on (``name``, its ``scenario``: beside it, or a
    shipped name), and the year of its last snapshot, the last year the fit saw."""
    if not isinstance(name, str) or not name:
        raise InputError.one(parameters, "scenario", "the history scenario the posterior was fitted on", name)
    history = _referenced(parameters, "scenario", name, scenario_module.resolve)
    return name, last_snapshot_year(scenario_module.load(history, _uncalibrated(history)))


def _refit(path: Path, spec: BacktestSpec, folder: Path, workers, quiet) -> Path:
    """Fit the calibration file again on its targets observed by ``fit_until`` (the others are held back),
    writing the fit in ``folder``."""
    import yaml

    from .calibration import calibrate

    config = _referenced(path, "fit", spec.fit, regular_file)
    calibration, scenario_path = load_calibration(config)
    history = scenario_module.load(scenario_path, _uncalibrated(scenario_path))
    # an age share is of the history's end: observed by then, not held back in silence with no years of its own
    early = {k: t for k, t in calibration.targets.items() if max(observed_years(t, history)) <= spec.fit_until}
    if not early:
        raise InputError.one(path, "fit_until", f"a year by which some of {config.name}'s targets were observed "
                                                f"(their years)", spec.fit_until)
    data = read_yaml(config)
    data["targets"] = {k: v for k, v in data["targets"].items() if k in early}
    data["scenario"] = str(scenario_path.resolve())
    early_config = folder / f"{spec.name}-fit.yaml"
    # refused as calibrate would refuse it (named by the calibration file), before anything is written
    check_calibration(config, data, version="backtest", workers=workers)
    folder.mkdir(parents=True, exist_ok=True)
    folders.atomic_write(early_config, lambda p: Path(p).write_text(yaml.safe_dump(data, sort_keys=False)))
    return calibrate(early_config, out_dir=folder, version="backtest", workers=workers, quiet=quiet)["parameters"]


def summarise(targets: dict[str, Target], runs: pd.DataFrame) -> pd.DataFrame:
    """Per target: published, predictive mean and 90% interval, inside, absolute percentage error."""
    q = [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2]
    out = []
    for name, t in targets.items():
        v = runs[name].to_numpy(dtype=float)
        low, high = np.quantile(v, q)
        mean = float(v.mean())
        out.append({"target": name, "published": t.value, "mean": mean, "low": float(low), "high": float(high),
                    "inside": bool(low <= t.value <= high), "ape": level_error(t, mean),
                    "statistic_ape": abs(mean - t.value) / abs(t.value) * 100 if t.value else np.nan,
                    "source": t.source})
    return pd.DataFrame(out)


def level_error(target: Target, mean: float) -> float:
    """The absolute percentage error of the level a target describes, as published back-tests
    report theirs: a relative change's error on the level it implies at its second year
    (``(1 + predicted) / (1 + published) - 1``), a share's or rate's on itself. An absolute change
    says nothing of its level: its own error is given. A level published as 0 (a share of 0, a relative change
    of -1: all gone) has none, an error relative to 0 being infinite."""
    if target.kind == "change" and target.relative:
        return abs(mean - target.value) / (1 + target.value) * 100 if target.value > -1 else np.nan
    return abs(mean - target.value) / abs(target.value) * 100 if target.value else np.nan


def markdown(result: dict) -> str:
    spec, table = result["spec"], result["table"]
    lines = [f"## Back-test: {spec.description or spec.name}", "",
             f"Fitted on {result['fitted_on']}; {result['replications']} replications of `{spec.scenario}`, each with "
             "a parameter set drawn from that posterior; the held-back outcomes were published after the years "
             "fitted.", "",
             "| held-back outcome | published | predicted mean | 90% predictive interval | inside | absolute % error "
             "of the level | of the statistic |",
             "|---|---|---|---|---|---|---|"]
    for row in table.itertuples():
        t = spec.targets[row.target]
        lines.append(f"| {row.target} | {fmt(row.published, t)} | {fmt(row.mean, t)} | {fmt(row.low, t)} to "
                     f"{fmt(row.high, t)} | {'yes' if row.inside else '**no**'} | {percent(row.ape)} | "
                     f"{percent(row.statistic_ape)} |")
    lines += ["", f"Mean absolute percentage error of the levels {percent(result['mape'])} (a relative change's "
                  f"error on the level it implies: published back-tests report errors of levels); "
                  f"{result['inside']} of {len(table)} published values inside the 90% interval. Published "
                  f"back-tests of national workforce models: mean absolute percentage errors of about "
                  f"{min(PUBLISHED.values()):g}-{max(PUBLISHED.values()):g}% (Netherlands GP model, van Greuningen "
                  f"et al. 2013).", ""]
    return "\n".join(lines)


def percent(error: float) -> str:
    """A percentage error as text; a level published as 0 has none (an error relative to 0), said in words
    rather than 'nan%' (a mean of such errors too: every level published 0)."""
    return "none (published 0)" if np.isnan(error) else f"{error:.1f}%"


def figure(result: dict, path) -> None:
    """Each held-back outcome: the predictive 90% interval and mean, and the published value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = result["table"]
    fig, ax = plt.subplots(figsize=(7, 0.7 * len(table) + 1.5))
    y = np.arange(len(table))
    scale = np.array([100 if result["spec"].targets[t].share else 1 for t in table.target])
    ax.hlines(y, table.low * scale, table.high * scale, color="tab:blue", lw=6, alpha=0.4, label="90% predictive interval")
    ax.plot(table["mean"] * scale, y, "o", color="tab:blue", label="predicted mean")
    ax.plot(table.published * scale, y, "kx", markersize=9, label="published")
    ax.set_yticks(y, table.target)
    ax.set_xlabel("value (% for shares and relative changes)")
    ax.set_title("Back-test: held-back outcomes against the model's prediction")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100, format="png")
    plt.close(fig)


def write(result: dict, out_dir) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = result["spec"].name
    paths = {"table": out / f"{name}.csv", "markdown": out / f"{name}.md", "figure": out / f"{name}.png"}
    folders.write_together({paths["table"]: lambda p: result["table"].to_csv(p, index=False),
                            paths["markdown"]: lambda p: Path(p).write_text(result["markdown"], encoding="utf-8"),
                            paths["figure"]: lambda p: figure(result, p)})  # never a table beside another's figure
    return paths
