"""Calibration: fit a scenario's uncertain parameters to a published history.

A calibration file (``sim/data/calibration/history-2015-2021.yaml``) names a history scenario
(``wales-mh-2015``), the uncertain parameters to fit (dotted keys listed under the scenario's
``uncertain:``, which gives each a ``range`` for the value or a ``scale`` for a multiplier of
the shipped value) and the targets: published statistics with a standard deviation saying how
closely the model should match each (rounding, definitions, one year's noise: assumptions,
stated per target).

``calibrate`` minimises the sum over targets of ((simulated mean - target) / sd)^2 with
``scipy.optimize.differential_evolution`` (seeded, so a rerun repeats the fit). Every
evaluation runs the history ``replications`` times with the same seeds (common random numbers:
two parameter sets are compared on the same random draws), and the simulated statistic is
the mean over them. The fit splits into independent blocks (``blocks``: staff groups that no
pathway links), each minimised on its own targets by its own optimiser; the optimisers run in
step (``_Lockstep``), so one simulation evaluates a candidate of every block and a fit costs the
runs of its largest block.

Uncertainty of the fitted values: every evaluated parameter set whose block loss is within
chi2(0.90, k) of the block's best (k = the block's number of parameters) belongs to an
approximate 90% confidence set (a likelihood-ratio set, reading the loss as -2 log-likelihood of normal errors
with the stated sds); each parameter's interval is its range over that set. It is limited to
the points the optimiser visited, so read it as indicative.

The fitted values are checked with ``check_replications`` fresh seeds: each target's simulated
mean and 90% interval (5th-95th percentile over runs), before and after calibration. The
result is a versioned parameter file of dotted overrides (``<name>-v<N>.yaml``), which a
scenario uses with ``calibration: <name>-v<N>``, and a report (``<name>-v<N>-report.md``).

``evaluate`` repeats that check for an existing parameter file, without refitting: the same
fresh seeds, before and after, and the loss of its fitted values, with the engine as it is now
(``workforce calibrate --evaluate <name>-v<N>``).
"""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import re
import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import folders
from . import scenario as scenario_module
from .errors import InputError, Problem, from_pydantic, is_file, plain_name, read_yaml, refuse_special
from .layering import CALIBRATION_DIR, read_layered

DEFAULT_CONFIG = CALIBRATION_DIR / "history-2015-2021.yaml"
LEVEL = 0.90


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Strict):
    """A published statistic of the history.

    - ``change``: a group's ``measure`` (fte or headcount) at the second of ``years`` less the
      first (``relative``: as a share of the first);
    - ``age_share``: share of a group's workforce (or one ``stage``) aged ``below`` / ``at_least``
      an age, at the end of the run;
    - ``flow_rate``: a group's ``flow`` (joiners or leavers; only those with one of ``reasons``, if
      given) in the years to the March snapshots of ``years``, per head of the group at those snapshots;
    - ``reason_share``: share of a group's leavers in ``years`` whose reason is one of ``reasons``.

    ``bound``: the published figure bounds the statistic (``at_least`` or ``at_most``) rather than
    giving it, as when a published share counts only those who said so; a statistic on the far
    side of the bound adds nothing to the loss.
    """

    kind: Literal["change", "age_share", "flow_rate", "reason_share"]
    group: str
    value: float
    sd: float = Field(gt=0)
    source: str
    measure: Literal["fte", "headcount"] = "fte"
    years: list[int] = []
    relative: bool = False
    stage: str | None = None
    below: float | None = None
    at_least: float | None = None
    flow: Literal["joiners", "leavers"] = "leavers"
    reasons: list[str] = []
    bound: Literal["at_least", "at_most"] | None = None

    def error(self, statistic: float) -> float:
        """The statistic's standardised error (0 beyond a bound, on its allowed side)."""
        error = (statistic - self.value) / self.sd
        if self.bound == "at_least":
            return min(error, 0.0)
        return max(error, 0.0) if self.bound == "at_most" else error

    @model_validator(mode="after")
    def _fields(self):
        if self.kind == "change" and len(self.years) != 2:
            raise ValueError("years: [from, to] for a change")
        if self.kind in ("flow_rate", "reason_share") and not self.years:
            raise ValueError("years: the snapshot years whose flows count")
        if self.kind == "age_share" and (self.below is None) == (self.at_least is None):
            raise ValueError("below or at_least (one of them) for an age share")
        if self.kind == "reason_share" and not self.reasons:
            raise ValueError("reasons for a reason share")
        return self


class Settings(_Strict):
    replications: int = Field(3, ge=1)
    seed: int = Field(0, ge=0, lt=2**63)
    maxiter: int = Field(8, ge=1)
    popsize: int = Field(4, ge=2)
    check_replications: int = Field(10, ge=2)
    interval_samples: int = Field(20, ge=0)  # extra parameter sets around the best, for the intervals
    workers: int = Field(1, ge=1)
    tol: float = Field(0.01, gt=0)  # a block stops when its population's losses agree to this relative spread


def _settings(settings: Settings, **options) -> Settings:
    """``settings`` with the command line's options (those not None) in place, checked as the file's
    are (a --popsize of 1 is refused as popsize: 1 would be), each problem naming its option."""
    given = {k: v for k, v in options.items() if v is not None}
    try:
        return Settings.model_validate({**settings.model_dump(), **given})
    except ValidationError as exc:
        raise InputError([Problem(f"--{p.field.replace('_', '-')}", p.field, p.expected, p.found)
                          for p in from_pydantic("settings", exc).problems]) from None


def fit_seeds(settings: Settings) -> list[int]:
    """The replication seeds every parameter set of a fit runs over (common random numbers)."""
    return [settings.seed * 1000 + i for i in range(settings.replications)]


def check_seeds(settings: Settings) -> list[int]:
    """The fresh seeds of the before/after check, which the fit never runs."""
    return [10_000 + settings.seed * 1000 + i for i in range(settings.check_replications)]


class CalibrationSpec(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    scenario: str
    fit: list[str] = Field(min_length=1)
    targets: dict[str, Target] = Field(min_length=1)
    settings: Settings = Settings()


# ---- parameters ------------------------------------------------------------------------------------
class Parameters:
    """The fitted parameters: bounds, and how a vector of values becomes scenario overrides."""

    def __init__(self, keys: list[str], uncertain: dict, base: dict):
        self.keys = list(keys)
        self.kinds = ["scale" if uncertain[k].scale is not None else "range" for k in keys]
        self.bounds = [tuple(uncertain[k].scale or uncertain[k].range) for k in keys]
        self.base = {k: base[k] for k in keys}

    def overrides(self, x) -> dict:
        out = {}
        for key, kind, value in zip(self.keys, self.kinds, x):
            out[key] = _scaled(self.base[key], float(value)) if kind == "scale" else float(value)
        return out


def _scaled(value, factor: float):
    """A number or rate table times a factor; a probability (<= 1) stays a probability."""
    if isinstance(value, dict):
        return {k: _scaled(v, factor) for k, v in value.items()}
    if isinstance(value, list):
        return [_scaled(v, factor) for v in value]
    scaled = float(value) * factor
    return round(min(scaled, 1.0) if value <= 1.0 else scaled, 6)


# ---- statistics of one run -------------------------------------------------------------------------
def statistics(results, targets: dict[str, Target]) -> dict[str, float]:
    """Each target's statistic in one finished run."""
    tidy = results.tidy()
    group_rows = tidy[tidy.stage == "all"]
    model, s = results.model, results.scenario
    out = {}
    for name, t in targets.items():
        rows = group_rows[group_rows.group == t.group]
        if t.kind == "change":
            series = rows[rows.measure == t.measure].set_index("year")["value"]
            first, last = series[t.years[0]], series[t.years[1]]
            out[name] = (last - first) / first if t.relative else last - first
        elif t.kind == "age_share":
            p = model.people
            ids = model.counted()
            if t.stage is not None:
                ids = ids[p.stage[ids] == s.stage_code(t.stage)]
            else:
                ids = ids[(p.group[ids] == s.group_code(t.group)) & s.stage_workforce[p.stage[ids]]]
            age = (model.now - p.birth_month[ids]) / 12.0
            chosen = age < t.below if t.below is not None else age >= t.at_least
            out[name] = float(chosen.mean()) if len(ids) else 0.0
        elif t.kind == "flow_rate":
            flows = rows[(rows.measure == t.flow) & rows.year.isin(t.years)]
            flows = (flows[flows.reason.isin(t.reasons)] if t.reasons else flows)["value"].sum()
            heads = rows[(rows.measure == "headcount") & rows.year.isin(t.years)]["value"].sum()
            out[name] = flows / heads if heads else 0.0
        else:
            leavers = rows[(rows.measure == "leavers") & rows.year.isin(t.years)]
            chosen = leavers[leavers.reason.isin(t.reasons)]["value"].sum()
            total = leavers["value"].sum()
            out[name] = chosen / total if total else 0.0
    return out


class Objective:
    """Picklable: parameter vector -> (loss, mean statistics) over the fixed replication seeds."""

    def __init__(self, scenario_path: str, parameters: Parameters, targets: dict, seeds: list[int],
                 uncalibrated: dict):
        self.scenario_path, self.parameters, self.targets = scenario_path, parameters, targets
        self.seeds, self.uncalibrated = list(seeds), uncalibrated

    def runs(self, x, seeds=None) -> list[dict]:
        overrides = {**self.uncalibrated, **(self.parameters.overrides(x) if x is not None else {})}
        return _runs(self.scenario_path, overrides, self.targets, self.seeds if seeds is None else seeds)

    def evaluate(self, x) -> tuple[float, dict]:
        mean = _mean(self.runs(x), self.targets)
        return loss(mean, self.targets), mean


def _runs(scenario_path, overrides: dict, targets: dict, seeds) -> list[dict]:
    """Each target's statistic in a run of the scenario with ``overrides``, for each seed."""
    from .results import run

    loaded = scenario_module.load(scenario_path, overrides)  # once for all replications
    return [statistics(run(loaded, seed=seed), targets) for seed in seeds]


def _mean(values: list[dict], targets: dict) -> dict:
    return {k: float(np.mean([r[k] for r in values])) for k in targets}


def loss(mean: dict, targets: dict[str, Target]) -> float:
    return float(sum(t.error(mean[k]) ** 2 for k, t in targets.items()))


def _evaluate(args):
    objective, x = args
    return objective.evaluate(x)


# ---- the fit ---------------------------------------------------------------------------------------
def load(path) -> tuple[CalibrationSpec, Path]:
    """Read and check a calibration file; return it with the history scenario's path."""
    path = Path(path)
    try:
        spec = CalibrationSpec.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise from_pydantic(path, exc) from None
    candidate = path.parent / spec.scenario
    refuse_special(candidate, path, "scenario")
    try:
        scenario_path = candidate if is_file(candidate) else scenario_module.resolve(spec.scenario)
    except InputError as exc:  # named by the file and key that refer to it
        raise InputError.one(path, "scenario", exc.problems[0].expected, spec.scenario) from None
    s = scenario_module.load(scenario_path, _uncalibrated(scenario_path))
    problems = [Problem(str(path), f"fit.{i}", f"a key listed under the scenario's uncertain: "
                                               f"({', '.join(s.spec.uncertain) or 'none'})", k)
                for i, k in enumerate(spec.fit) if k not in s.spec.uncertain]
    for name, t in spec.targets.items():
        if t.group not in s.groups:
            problems.append(Problem(str(path), f"targets.{name}.group", f"a group ({', '.join(s.groups)})", t.group))
        if t.stage is not None and t.stage not in s.stages:
            problems.append(Problem(str(path), f"targets.{name}.stage", "a stage of the scenario", t.stage))
    if problems:
        raise InputError(problems)
    return spec, scenario_path


def _uncalibrated(scenario_path: Path) -> dict:
    """Overrides that load a scenario without its calibration file (if it names one)."""
    data = read_layered(Path(scenario_path), scenario_module.resolve)
    return {"calibration": None} if "calibration" in data else {}


def blocks(keys: list[str], targets: dict[str, Target], s) -> list[tuple[list[int], list[str]]]:
    """Independent parts of the fit: ``[(parameter indices, target names)]``.

    Staff groups are linked when a stage of one leads to a stage of another (support workers
    training as nurses) or an intake selects from another's post: people, and so any parameter's
    effect, can flow between them. A parameter belongs to the group it names (``groups.<g>``) or
    the group of the stage it names (``intake.<stage>``, ``stocks.<stage>``,
    ``transitions.<stage>``); any other key links every group. A target belongs to its group.
    Parameters and targets of linked groups form one block; blocks share neither, so each can be
    fitted on its own targets."""
    parent = {g: g for g in s.groups}

    def find(g):
        while parent[g] != g:
            g = parent[g]
        return g

    def join(a, b):
        parent[find(b)] = find(a)

    def group_of(stage):
        return s.groups[s.stage_group[s.stage_code(stage)]]

    for stage in s.stages:
        for t in s.graph.successors(stage):
            if t in s.stages:
                join(group_of(stage), group_of(t))
    for stage, intake in s.spec.intake.items():
        if intake.from_stage is not None:
            join(group_of(stage), group_of(intake.from_stage))
    key_groups = []
    for key in keys:
        parts = key.split(".")
        if parts[0] == "groups" and len(parts) > 1 and parts[1] in s.groups:
            key_groups.append(parts[1])
        elif parts[0] in ("intake", "stocks", "transitions") and len(parts) > 1 and parts[1] in s.stages:
            key_groups.append(group_of(parts[1]))
        else:
            for g in s.groups:
                join(s.groups[0], g)
            key_groups.append(s.groups[0])
    out: dict[str, tuple[list[int], list[str]]] = {}
    for i, g in enumerate(key_groups):
        out.setdefault(find(g), ([], []))[0].append(i)
    for name, t in targets.items():
        if find(t.group) in out:
            out[find(t.group)][1].append(name)
    return list(out.values())


class _Lockstep:
    """Runs one optimiser per block in step: each generation, the i-th candidates of every block
    are set together in one parameter vector, so one simulation evaluates a candidate of each.
    The runs needed are those of the largest block, not the sum over blocks."""

    def __init__(self, n_blocks: int, evaluate):
        self.evaluate = evaluate  # {block: [candidate vectors]} -> {block: [losses]}
        self.live, self.pending, self.results, self.error = n_blocks, {}, {}, None
        self.condition = threading.Condition()

    def submit(self, block: int, xs) -> list[float]:
        with self.condition:
            self.pending[block] = xs
            self.condition.notify_all()
            self.condition.wait_for(lambda: block in self.results or self.error is not None)
            if self.error is not None:
                raise RuntimeError("calibration stopped") from self.error
            return self.results.pop(block)

    def done(self, block: int, error: BaseException | None = None) -> None:
        with self.condition:
            self.live -= 1
            self.error = self.error or error
            self.condition.notify_all()

    def serve(self) -> None:
        while True:
            with self.condition:
                self.condition.wait_for(lambda: len(self.pending) >= self.live or self.error is not None)
                if self.error is not None or self.live == 0:
                    return
                batch, self.pending = self.pending, {}
            try:
                results = self.evaluate(batch)
            except BaseException as exc:  # wake every optimiser so that it stops
                with self.condition:
                    self.error = exc
                    self.condition.notify_all()
                raise
            with self.condition:
                self.results.update(results)
                self.condition.notify_all()


def calibrate(config=DEFAULT_CONFIG, *, out_dir=None, version: str | None = None, maxiter: int | None = None,
              popsize: int | None = None, replications: int | None = None, workers: int | None = None,
              seed: int | None = None, check_replications: int | None = None, progress=print) -> dict:
    """Fit, check and write the parameter file and report. Returns a summary dict (see ``_write``)."""
    from scipy.optimize import differential_evolution
    from scipy.stats import chi2, qmc

    if version is not None:  # it names the parameter file: checked before the fit, not after
        plain_name(version, "--version", "version")
    spec, scenario_path = load(config)
    st = _settings(spec.settings, maxiter=maxiter, popsize=popsize, replications=replications, workers=workers,
                   seed=seed, check_replications=check_replications)
    uncalibrated = _uncalibrated(scenario_path)
    s = scenario_module.load(scenario_path, uncalibrated)
    data = read_layered(Path(scenario_path), scenario_module.resolve)
    base = {k: scenario_module.get(data, k, scenario_path, s.graph) for k in spec.fit}
    parameters = Parameters(spec.fit, s.spec.uncertain, base)
    objective = Objective(str(scenario_path), parameters, spec.targets, fit_seeds(st), uncalibrated)
    parts = blocks(spec.fit, spec.targets, s)
    low, high = np.array(parameters.bounds).T
    best_x = (low + high) / 2  # each block's best so far; the values of blocks without a candidate in a row
    block_best = [np.inf] * len(parts)

    evaluated: list[tuple[np.ndarray, list[float], dict]] = []  # (vector, loss of each block, mean statistics)
    pool = multiprocessing.get_context("spawn").Pool(st.workers) if st.workers > 1 else None

    def run_vectors(xs) -> list[list[float]]:
        jobs = [(objective, np.array(x, dtype=float)) for x in xs]
        results = pool.map(_evaluate, jobs) if pool else [_evaluate(j) for j in jobs]
        out = []
        for (_, x), (_, mean) in zip(jobs, results):
            losses = [loss(mean, {k: spec.targets[k] for k in names}) for _, names in parts]
            evaluated.append((x, losses, mean))
            out.append(losses)
        progress(f"  {len(evaluated):4d} parameter sets run, best loss by block "
                 + ", ".join(f"{min(e[1][b] for e in evaluated):.2f}" for b in range(len(parts))))
        return out

    def evaluate(batch: dict) -> dict:
        rows = max(len(xs) for xs in batch.values())
        vectors = np.tile(best_x, (rows, 1))
        for b, xs in batch.items():
            vectors[:len(xs), parts[b][0]] = np.asarray(xs, dtype=float)
        losses = run_vectors(vectors)
        for b, xs in batch.items():
            for i in range(len(xs)):
                if losses[i][b] < block_best[b]:
                    block_best[b] = losses[i][b]
                    best_x[parts[b][0]] = vectors[i, parts[b][0]]
        return {b: [losses[i][b] for i in range(len(xs))] for b, xs in batch.items()}

    lockstep = _Lockstep(len(parts), evaluate)
    fits: list = [None] * len(parts)

    def optimise(b: int) -> None:
        try:
            idx = parts[b][0]
            fits[b] = differential_evolution(
                _unused, [parameters.bounds[i] for i in idx], seed=st.seed, maxiter=st.maxiter, popsize=st.popsize,
                tol=st.tol, polish=False, updating="deferred", workers=lambda _, xs: lockstep.submit(b, list(xs)),
                init="sobol" if _power_of_two(st.popsize * len(idx)) else "latinhypercube")
            lockstep.done(b)
        except BaseException as exc:
            lockstep.done(b, exc)

    started = _dt.datetime.now(_dt.timezone.utc)
    try:
        threads = [threading.Thread(target=optimise, args=(b,), daemon=True) for b in range(len(parts))]
        for t in threads:
            t.start()
        lockstep.serve()
        for t in threads:
            t.join()
        if lockstep.error is not None:
            raise lockstep.error
        # Around the best point, a Latin hypercube of extra parameter sets (half-width: twice the final
        # population's spread, at least 5% of the range), so that the confidence sets are not only the
        # few points the optimisers happened to visit near their optima.
        width = 0.05 * (high - low)
        for (idx, _), fit in zip(parts, fits):
            width[idx] = np.maximum(2 * np.std(fit.population, axis=0), width[idx])
        if st.interval_samples:
            unit = qmc.LatinHypercube(d=len(spec.fit), seed=st.seed).random(st.interval_samples)
            progress(f"  {st.interval_samples} extra parameter sets around the best, for the intervals")
            run_vectors(np.clip(best_x - width + 2 * width * unit, low, high))
    except BaseException:  # stopped (Ctrl-C, SIGTERM) or failed: end the workers now, not after their queue
        if pool:
            pool.terminate()
        raise
    finally:
        if pool:
            pool.close()
            pool.join()
    # each block's confidence set: its parameter sets within chi2(0.90, its parameters) of its best
    intervals, near = [None] * len(spec.fit), []
    for b, (idx, _) in enumerate(parts):
        losses = np.array([e[1][b] for e in evaluated])
        chosen = np.array([e[0][idx] for e in evaluated])[losses <= losses.min() + float(chi2.ppf(LEVEL, len(idx)))]
        near.append(len(chosen))
        for j, i in enumerate(idx):
            intervals[i] = (float(chosen[:, j].min()), float(chosen[:, j].max()))
    fitted_names = {n for _, names in parts for n in names}
    unfitted = {k: t for k, t in spec.targets.items() if k not in fitted_names}
    best_loss = float(sum(min(e[1][b] for e in evaluated) for b in range(len(parts)))
                      + (loss(evaluated[-1][2], unfitted) if unfitted else 0.0))

    fresh = check_seeds(st)
    progress(f"checking the fit over {len(fresh)} fresh replications")
    before = objective.runs(None, fresh)
    after = objective.runs(best_x, fresh)
    summary = {
        "spec": spec, "scenario_path": scenario_path, "settings": st, "parameters": parameters,
        "best_x": best_x, "best_loss": best_loss, "intervals": intervals, "blocks": parts, "near": near,
        "evaluations": len(evaluated), "message": "; ".join(str(f.message) for f in fits),
        "before": before, "after": after, "started": started,
        "finished": _dt.datetime.now(_dt.timezone.utc), "config_path": Path(config),
    }
    return _write(summary, Path(out_dir) if out_dir else CALIBRATION_DIR, version)


def _unused(x):
    raise AssertionError("evaluated through the lockstep workers")


def _power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def next_version(out_dir: Path, name: str) -> str:
    numbers = [int(m.group(1)) for p in out_dir.glob(f"{name}-v*.yaml")
               if (m := re.fullmatch(rf"{re.escape(name)}-v(\d+)", p.stem))]
    return f"v{max(numbers, default=0) + 1}"


def _describe(values: list[dict], targets: dict) -> dict:
    out = {}
    q = [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2]
    for k in targets:
        v = np.array([r[k] for r in values])
        out[k] = (float(v.mean()), float(np.quantile(v, q[0])), float(np.quantile(v, q[1])))
    return out


def _write(summary: dict, out_dir: Path, version: str | None) -> dict:
    from . import __version__

    spec, st, parameters = summary["spec"], summary["settings"], summary["parameters"]
    out_dir.mkdir(parents=True, exist_ok=True)
    version = version or next_version(out_dir, spec.name)
    stem = f"{spec.name}-{version}"
    overrides = parameters.overrides(summary["best_x"])
    fitted = {}
    for i, key in enumerate(parameters.keys):
        kind = parameters.kinds[i]
        fitted[key] = {
            "kind": kind,
            "value": round(float(summary["best_x"][i]), 6),
            "interval_90": [round(v, 6) for v in summary["intervals"][i]],
            "bounds": list(parameters.bounds[i]),
            # the scenario's value the fit started from: a scenario whose value differs would have
            # it replaced in silence, so loading refuses it (sim.layering.calibration_conflicts)
            "shipped": parameters.base[key],
        }
    before, after = _describe(summary["before"], spec.targets), _describe(summary["after"], spec.targets)
    command = (f"workforce calibrate {_relative(summary.get('config_path', DEFAULT_CONFIG))} --version {version} "
               f"--maxiter {st.maxiter} --popsize {st.popsize} --replications {st.replications} --seed {st.seed}")
    document = {
        "name": stem,
        "calibration": spec.name,
        "scenario": spec.scenario,
        "created": summary["finished"].isoformat(timespec="seconds"),
        "package_version": __version__,
        "optimiser": "scipy.optimize.differential_evolution",
        "settings": st.model_dump(),
        "loss": round(summary["best_loss"], 4),
        "evaluations": summary["evaluations"],
        "blocks": [{"parameters": [parameters.keys[i] for i in idx], "targets": names}
                   for idx, names in summary["blocks"]],
        "fitted": fitted,
        "overrides": overrides,
        "targets": {k: {"target": t.value, "simulated_mean": round(after[k][0], 5),
                        "interval_90": [round(after[k][1], 5), round(after[k][2], 5)]}
                    for k, t in spec.targets.items()},
    }
    header = (f"# Calibrated parameters: written by `workforce calibrate`; do not edit by hand, rerun it.\n"
              f"#   {command}\n"
              f"# `overrides` are applied (as dotted scenario keys) by scenarios with `calibration: {stem}`;\n"
              f"# `fitted` gives each fitted value (a multiplier of the shipped value for kind: scale) with its\n"
              f"# approximate 90% interval; see {stem}-report.md for the fit against each target.\n")
    param_path, report_path = out_dir / f"{stem}.yaml", out_dir / f"{stem}-report.md"
    report = _report(summary, stem, command, fitted, before, after)
    folders.atomic_write(report_path, lambda p: Path(p).write_text(report, encoding="utf-8"))
    text = header + yaml.safe_dump(document, sort_keys=False, width=110)  # last: what scenarios use
    folders.atomic_write(param_path, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return {"parameters": param_path, "report": report_path, "version": version, "loss": summary["best_loss"],
            "fitted": fitted, "before": before, "after": after}


def _relative(path) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _fmt(v: float, target: Target) -> str:
    share = target.relative or target.kind in ("age_share", "flow_rate", "reason_share")
    return f"{100 * v:.1f}%" if share else f"{v:,.0f}"


def _targets_table(spec: CalibrationSpec, replications: int, before: dict, after: dict) -> list[str]:
    """The report's section on the targets: published, before and after (``_describe``), as lines."""
    lines = [
        f"## Targets: simulated mean and 90% interval over {replications} fresh replications",
        "",
        "| target | published | sd | before calibration | after calibration | source |",
        "|---|---|---|---|---|---|",
    ]
    for k, t in spec.targets.items():
        b, a = before[k], after[k]
        published = {"at_least": "at least ", "at_most": "at most "}.get(t.bound, "") + _fmt(t.value, t)
        lines.append(f"| {k} | {published} | {_fmt(t.sd, t)} | {_fmt(b[0], t)} ({_fmt(b[1], t)} to "
                     f"{_fmt(b[2], t)}) | {_fmt(a[0], t)} ({_fmt(a[1], t)} to {_fmt(a[2], t)}) | {t.source} |")
    return lines


def _report(summary, stem, command, fitted, before, after) -> str:
    spec, st = summary["spec"], summary["settings"]
    lines = [
        f"# Calibration {stem}",
        "",
        f"History scenario `{spec.scenario}`, fitted with `scipy.optimize.differential_evolution` "
        f"(seed {st.seed}, popsize {st.popsize}, maxiter {st.maxiter}, tol {st.tol:g}; "
        f"{summary['evaluations']} parameter sets, "
        f"each run over {st.replications} replications with common seeds). Best loss "
        f"{summary['best_loss']:.3f} (sum of squared standardised errors over {len(spec.targets)} targets). "
        f"Optimiser: {summary['message']}",
        "",
        "Rerun:",
        "",
        f"```bash\n{command}\n```",
        "",
        *_targets_table(spec, st.check_replications, before, after),
        "",
        "## Fitted parameters",
        "",
        "The fit has independent blocks (parameters and targets linked through their staff groups), each "
        "fitted on its own targets by its own optimiser, run in step. Interval: range over the evaluated "
        f"parameter sets whose block loss is within chi2({LEVEL:.2f}, k) of the block's best, k the block's "
        f"parameters (an approximate {LEVEL:.0%} confidence set). "
        "A `scale` value multiplies the shipped rate table; an interval that reaches a bound means the "
        "history does not pin the parameter down within its range.",
        "",
        "| block | parameter | kind | fitted | 90% interval | bounds |",
        "|---|---|---|---|---|---|",
    ]
    block_of = {i: b for b, (idx, _) in enumerate(summary["blocks"]) for i in idx}
    for i, (key, f) in enumerate(fitted.items()):
        lo, hi = f["interval_90"]
        lines.append(f"| {block_of[i] + 1} | `{key}` | {f['kind']} | {f['value']:.4g} | {lo:.4g} to {hi:.4g} | "
                     f"{f['bounds'][0]:g} to {f['bounds'][1]:g} |")
    lines += ["", "| block | targets | parameter sets in the confidence set |", "|---|---|---|"]
    for b, (_, names) in enumerate(summary["blocks"]):
        lines.append(f"| {b + 1} | {', '.join(names) or '(none)'} | {summary['near'][b]} |")
    took = (summary["finished"] - summary["started"]).total_seconds()
    lines += ["", f"Run time {took / 60:.1f} minutes; written {summary['finished']:%Y-%m-%d %H:%M} UTC.", ""]
    return "\n".join(lines)


# ---- evaluating a parameter file without refitting --------------------------------------------------
class ParameterFile(BaseModel):
    """What ``evaluate`` reads of a parameter file written by ``calibrate`` (the rest is a record)."""

    model_config = ConfigDict(extra="ignore")
    name: str
    calibration: str
    scenario: str
    settings: Settings
    loss: float | None = None
    overrides: dict[str, Any]


def parameter_file(name_or_path) -> Path:
    """A parameter file: a path, or the name of a shipped one (``wales-mh-v3``)."""
    for candidate in (Path(str(name_or_path)), CALIBRATION_DIR / f"{name_or_path}.yaml"):
        if is_file(candidate):
            return candidate
        refuse_special(candidate, candidate, "")
    shipped = ", ".join(p.stem for p in sorted(CALIBRATION_DIR.glob("*.yaml")) if p != DEFAULT_CONFIG)
    raise InputError.one(name_or_path, "", f"an existing calibration parameter file or a shipped one's name "
                                           f"({shipped})")


def evaluate(parameters_file, config=DEFAULT_CONFIG, *, replications: int | None = None,
             check_replications: int | None = None, seed: int | None = None) -> dict:
    """Check an existing parameter file against its history, without refitting.

    Runs the history scenario over the fresh seeds of the fit's check (``check_seeds`` of the
    file's settings) before calibration (the shipped values) and after (the file's overrides,
    as a scenario with ``calibration:`` naming the file applies them), and over the fit's own seeds
    (``fit_seeds``) after. With the engine unchanged since the fit, ``before`` and ``after`` are
    the report's. The arguments replace the file's settings (fewer runs, other seeds). A key of
    its ``overrides`` that the scenario lacks is an input error naming ``overrides.<key>``.

    Returns the parameter file's path, its name, the settings used, ``before`` and ``after`` (each
    target: mean and 90% interval over the fresh runs), ``loss`` (the fitted values' loss over
    the fit's seeds: what the fit minimised), ``check_loss`` (the loss of the fresh runs' mean),
    ``fit_loss`` (the loss the file records) and ``table`` (the report's targets section, Markdown).
    """
    spec, scenario_path = load(config)
    path = parameter_file(parameters_file)
    try:
        document = ParameterFile.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise from_pydantic(path, exc) from None
    problems = [] if document.overrides else [Problem(str(path), "overrides", "a mapping of dotted scenario keys "
                                                                             "to fitted values", {})]
    if document.calibration != spec.name:
        problems.append(Problem(str(path), "calibration", f"the name of the history it is checked against "
                                                          f"({spec.name}, {config})", document.calibration))
    if document.scenario != spec.scenario:
        problems.append(Problem(str(path), "scenario", f"the history's scenario ({spec.scenario})",
                                document.scenario))
    if problems:
        raise InputError(problems)
    st = _settings(document.settings, replications=replications, check_replications=check_replications, seed=seed)
    uncalibrated = _uncalibrated(scenario_path)
    calibrated = {**uncalibrated, **document.overrides}  # what `calibration:` naming the file applies
    try:
        scenario_module.compiled(scenario_path, calibrated)  # the runs below copy it
    except InputError as exc:  # a problem with an override is the parameter file's
        raise InputError([Problem(str(path), f"overrides.{p.field}", p.expected, p.found)
                          if p.field in document.overrides else p for p in exc.problems]) from None
    fresh = check_seeds(st)
    before = _runs(scenario_path, uncalibrated, spec.targets, fresh)
    after = _runs(scenario_path, calibrated, spec.targets, fresh)
    at_fit_seeds = _runs(scenario_path, calibrated, spec.targets, fit_seeds(st))
    described = _describe(before, spec.targets), _describe(after, spec.targets)
    return {"path": path, "name": document.name, "settings": st, "before": described[0], "after": described[1],
            "loss": loss(_mean(at_fit_seeds, spec.targets), spec.targets),
            "check_loss": loss(_mean(after, spec.targets), spec.targets), "fit_loss": document.loss,
            "table": "\n".join(_targets_table(spec, st.check_replications, *described)) + "\n"}
