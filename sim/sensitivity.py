"""Global sensitivity analysis over an experiment's uncertain parameters (SALib), every index
with its 95% confidence interval and a verdict on whether it can be read.

**Methods.**

- **Morris screening** (elementary effects): ``r`` one-at-a-time trajectories through the
  ranges, ``r x (k + 1)`` runs for ``k`` parameters. ``mu_star`` ranks how much each
  parameter moves an outcome (in the outcome's units); ``sigma`` flags non-linearity or
  interactions.
- **Sobol indices** (Saltelli's scheme, first and total order): ``N x (k + 2)`` runs. ``S1``
  is the share of an outcome's variance a parameter explains alone, ``ST`` with its
  interactions.
- **delta** (Borgonovo's moment-independent index, with a first-order ``S1`` estimated from
  the same points): one run per given parameter set.

**Over the prior or over a posterior.** ``space="prior"`` (the default) draws Morris and Sobol
points from the ``uncertain:`` ranges, taken as independent and uniform: both designs are
built on that (a trajectory moves one parameter at a time; Saltelli's matrices swap columns of
independent draws), and so are their indices. A posterior is a table of parameter sets whose
parameters are correlated, and a design that moves one of them alone would leave it; so over a
table (``space=DataFrame``: one column per parameter, an optional ``weight``) the points are
its rows, and the delta method, which needs only given points, reads the indices. Weighted
rows are resampled (systematic resampling) to their effective number (Kish's
``(sum w)^2 / sum w^2``): the bootstrap then sees as many independent points as the weights are
worth, not repeated rows that would narrow the intervals falsely.

**Reading the indices.** SALib gives each index a 95% bootstrap confidence interval;
``confidence`` is its half-width. An index is *readable* when

- a share (Sobol ``S1`` and ``ST``, ``delta`` and its ``S1``, all in [0, 1]): its half-width is
  below ``SHARE_LIMIT`` = 0.1. That tells a parameter explaining a fifth of the variance from one
  explaining none, and ranks parameters whose shares differ by 0.2 or more, which is the
  reading made of these indices; wider, the intervals of two parameters overlap over most of
  the possible range.
- Morris ``mu_star``: its half-width is below ``MORRIS_LIMIT`` = half of ``mu_star``, or its
  whole interval is below ``NEGLIGIBLE`` = 5% of the outcome's largest ``mu_star`` (too small to
  matter, however wide relative to itself). Morris is a screen, read for which parameters
  matter and which can be set aside: at +-50% the interval stays clear of zero, and effects three
  times apart do not overlap; a tighter limit would ask for many more trajectories to sharpen
  ranks a screen is not used for. A ``mu_star`` of exactly 0 with no spread is no effect: with
  common random numbers the parameter cannot reach the outcome.

Below ``MIN_SIZES`` (10 Morris trajectories, 32 Sobol samples, 100 parameter sets) no index is
judged readable: a bootstrap over so few points gives intervals too rough to judge by, often
narrow and wrong. ``sigma`` has no interval and is not judged. Nothing is clipped: a share
outside [0, 1] is impossible, and is shown as computed and said to be outside; when its whole
interval lies outside [0, 1] it is sampling error and cannot be read. When most of a method's
indices cannot be read, ``shortfalls`` says so, with the sample size that would make them
readable: an interval narrows as 1/sqrt(N), so ``N x (half-width / limit)^2``, for the widest (a
power of two for Sobol). Exact zeros and outcomes that do not vary are not counted.

Every evaluation uses the same replication seed(s) (common random numbers), so differences
between parameter points are not blurred by fresh randomness; ``replications`` > 1 averages
each point over that many seeds.
"""

from __future__ import annotations

import math
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problem, regular_file
from .experiment import MAX_RUNS, Experiment, TOTAL, check_outcome, check_workers, execute, simulate
from .folders import write_together
from .posterior import columns_once, not_too_big, numbers, unreadable, whole_rows
from .uncertain import whole

METHODS = ("morris", "sobol")  # over the prior ranges
PRIOR = "prior"
SHARE_LIMIT = 0.1  # largest readable 95% half-width of a share (Sobol, delta)
MORRIS_LIMIT = 0.5  # largest readable 95% half-width of mu_star, relative to mu_star
NEGLIGIBLE = 0.05  # a mu_star whose interval is below this share of the outcome's largest is negligible
MIN_PARAMETER_SETS = 100  # SALib's delta bins each parameter in 10 classes of at least 10 points
MAX_NAMED = 5  # unknown columns named a line each; beyond them, counted
# the fewest points whose bootstrap interval is worth judging by (below, a narrow interval means nothing)
MIN_SIZES = {"morris": 10, "sobol": 32, "delta": MIN_PARAMETER_SETS}
WEIGHT = "weight"
COLUMNS = ["method", "outcome", "parameter", "index", "value", "confidence", "low", "high", "readable", "verdict"]
SHARES = {("sobol", "S1"), ("sobol", "ST"), ("delta", "delta"), ("delta", "S1")}
LABELS = {("morris", "mu_star"): "Morris mu*", ("morris", "sigma"): "Morris sigma", ("sobol", "S1"): "Sobol S1",
          ("sobol", "ST"): "Sobol ST", ("delta", "delta"): "delta", ("delta", "S1"): "S1 (given data)"}
NAMES = {"morris": "Morris", "sobol": "Sobol", "delta": "delta"}
SIZES = {"morris": ("sensitivity.morris_trajectories", "trajectories"),
         "sobol": ("sensitivity.sobol_samples", "samples"), "delta": ("parameter sets", "parameter sets")}


def problem(experiment: Experiment) -> dict:
    return {"num_vars": len(experiment.parameter_names), "names": experiment.parameter_names,
            "bounds": experiment.bounds}


# ---- the points ---------------------------------------------------------------------------------
def samples(experiment: Experiment, methods=METHODS, space=PRIOR) -> dict[str, np.ndarray]:
    """Parameter points for each method: from the ``uncertain:`` ranges with the experiment's seed
    (``space="prior"``), or the rows of a table of parameter sets for delta (see the module)."""
    if isinstance(space, pd.DataFrame):
        return {"delta": parameter_points(experiment, space)}
    if space != PRIOR:
        raise ValueError(f"space: 'prior' or a table of parameter sets, not {space!r}")
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    s, p = experiment.spec.sensitivity, problem(experiment)
    out = {}
    if "morris" in methods:
        out["morris"] = morris_sample.sample(p, N=s.morris_trajectories, num_levels=s.morris_levels,
                                             seed=experiment.spec.seed)
    if "sobol" in methods:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's small-sample warning: the intervals say it, in numbers
            out["sobol"] = sobol_sample.sample(p, s.sobol_samples, calc_second_order=False, seed=experiment.spec.seed)
    return out


def read_parameter_sets(path) -> pd.DataFrame:
    """A table of parameter sets (CSV or Parquet), such as a posterior's; checked against an
    experiment by ``parameter_points``."""
    try:
        path = regular_file(path)
    except InputError as exc:  # named by the option that gave it
        found = exc.problems[0].found
        raise InputError.one("--over-posterior", "over_posterior", exc.problems[0].expected,
                             str(path) if found is None else f"{found}: {path}") from None
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError.one(path, "", "a table of parameter sets in a .csv or .parquet file", path.suffix or path.name)
    not_too_big(path)
    try:
        table = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    except Exception as exc:  # any reader failure is a file that is not what it says
        raise InputError.one(path, "", f"a readable {suffix[1:]} table of parameter sets",
                             unreadable(exc)) from None
    if suffix == ".csv":
        whole_rows(path, table)
        columns_once(path)
    elif table.columns.nlevels > 1:  # a pivot table's: a parameter's name picked several columns, a TypeError
        raise InputError.one(path, "columns", "one name for each column (a parameter's, or weight), in one row of "
                                              "names", f"{table.columns.nlevels} rows of names")
    table.attrs["file"] = str(path)
    return table


def parameter_points(experiment: Experiment, table: pd.DataFrame) -> np.ndarray:
    """The table's parameter sets as points (one column per parameter, in the experiment's order);
    weighted rows resampled to their effective number. Every problem names the table's file."""
    source = table.attrs.get("file", "parameter sets")
    columns, problems = {}, []
    for key, u in experiment.spec.uncertain.items():
        name = u.parameter(key)
        column = name if name in table.columns else key if key in table.columns else None
        if column is None:
            problems.append(Problem(source, name, f"a column of values of the uncertain parameter {name} of "
                                                  f"{experiment.file}{' (factors)' if name != key else ''}"))
            continue
        columns[name] = column
        low, high = u.bounds
        values = numbers(table[column])
        bad = ~np.isfinite(values)
        if bad.any():
            problems.append(Problem(source, str(column), "numbers (every row)", table[column][bad].iloc[0]))
        elif ((values < low) | (values > high)).any():
            outside = values[(values < low) | (values > high)][0]
            problems.append(Problem(source, str(column), f"values within the uncertain: range [{low}, {high}] of "
                                                         f"{experiment.file} (the prior the parameter sets come from)",
                                    float(outside)))
        elif u.range is not None and whole(type(experiment.scenario.spec), key) and (values != np.round(values)).any():
            # a maximum age of 65.5 would be run as 66, in silence, and its index measured on values never run
            problems.append(Problem(source, str(column), f"whole numbers, as {key} is (every row)",
                                    float(values[values != np.round(values)][0])))
    known = set(columns.values()) | {WEIGHT}
    unknown = [column for column in table.columns if column not in known]
    if unknown and not columns:  # no table of parameter sets, but a file given by mistake: its lines are not echoed
        unknown = []
        problems.append(Problem(source, "columns", f"a table of parameter sets, with columns named after the uncertain "
                                                   f"parameters of {experiment.file} "
                                                   f"({', '.join(experiment.parameter_names)})",
                                "none of them"))
    for column in unknown[:MAX_NAMED]:
        problems.append(Problem(source, str(column), f"a column named after an uncertain parameter of "
                                                     f"{experiment.file} ({', '.join(experiment.parameter_names)}) "
                                                     f"or {WEIGHT}"))
    if len(unknown) > MAX_NAMED:  # a line each for a few: a file of thousands of columns is not echoed
        problems.append(Problem(source, "columns", "only columns named after the uncertain parameters or "
                                                   f"{WEIGHT}", f"{len(unknown) - MAX_NAMED:,} more other columns"))
    weights = None
    if WEIGHT in table.columns:
        weights = numbers(table[WEIGHT])
        if not (np.isfinite(weights).all() and (weights >= 0).all() and (weights > 0).any()):
            problems.append(Problem(source, WEIGHT, "weights that are numbers of at least 0, not all 0"))
            weights = None
    if not problems:
        effective = len(table) if weights is None else effective_size(weights)
        if effective < MIN_PARAMETER_SETS:
            problems.append(Problem(source, "<rows>", f"at least {MIN_PARAMETER_SETS} parameter sets for the delta "
                                                      f"method (counted, when weighted, as their effective number)",
                                    f"{effective:g}"))
    if not problems:
        kept = np.ones(len(table), bool) if weights is None else weights > 0
        for name, column in columns.items():  # the delta method measures what a parameter's variation does
            values = pd.to_numeric(table[column]).to_numpy(dtype=float)[kept]
            if len(values) and (values == values[0]).all():
                problems.append(Problem(source, str(column), f"values of {name} that vary between the parameter "
                                                             "sets (with one value it has no effect to measure)",
                                        float(values[0])))
    if problems:
        raise InputError(problems)
    points = table[[columns[n] for n in experiment.parameter_names]].to_numpy(dtype=float)
    if weights is not None:
        points = points[resample(weights, round(effective), experiment.spec.seed)]
    return points


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted draws, ``(sum w)^2 / sum w^2``, of the weights as shares of
    the largest (the same number): weights near the largest float would overflow, tiny ones vanish."""
    w = weights / weights.max()
    return float(w.sum() ** 2 / (w ** 2).sum())


def resample(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Row numbers of ``n`` draws in proportion to the weights (systematic resampling: with equal
    weights and ``n`` rows, each row once)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])
    weights = weights / weights.max()  # as effective_size: no sum overflows
    cumulative = np.cumsum(weights) / weights.sum()
    cumulative[-1] = 1.0
    return np.searchsorted(cumulative, (rng.random() + np.arange(n)) / n, side="right")


# ---- the runs and the indices -------------------------------------------------------------------
def check_outcomes(experiment: Experiment, outcomes, where: str = "sim.sensitivity.analyse",
                   field: str = "outcomes") -> None:
    """Refuse outcomes given for an analysis that are not a list of ``measure:group:year`` keys of the experiment's
    run, each once (``where`` and ``field``: what gave them, a function's argument or a command-line option):
    a row of the indices twice cannot be placed on the chart, and one text was read letter by letter."""
    if outcomes is None:
        return
    if not isinstance(outcomes, (list, tuple)):
        raise InputError.one(where, field, "None or a list of outcomes measure:group:year", outcomes)
    for i, key in enumerate(outcomes):
        expected = check_outcome(experiment.scenario, key, experiment.final_year()) if isinstance(key, str) else \
            "an outcome as measure:group:year"
        if expected:
            raise InputError.one(where, field, expected, key)
        if key in outcomes[:i]:
            raise InputError.one(where, field, "each outcome once", key)


def analyse(experiment: Experiment, outcomes=None, methods=None, workers: int | None = None,
            scheduler: str | None = None, quiet: bool = False, space=PRIOR) -> pd.DataFrame:
    """Run the points and return the indices, with their intervals and verdicts (``COLUMNS``).

    ``methods``: Morris and/or Sobol over the prior (default: the file's ``sensitivity.methods``);
    over a table of parameter sets (``space``) the method is delta. Methods that are no list of them (a text, an
    unknown name) ran nothing, an empty table returned in silence.
    """
    if not isinstance(experiment, Experiment):
        raise InputError.one("sim.sensitivity.analyse", "experiment", "an experiment loaded by "
                                                                     "sim.experiment.load(path)", experiment)
    check_workers(workers, "sim.sensitivity.analyse")
    check_outcomes(experiment, outcomes)
    if methods is not None and (not isinstance(methods, (list, tuple)) or not methods
                                or not set(methods) <= set(METHODS) or len(set(methods)) < len(methods)):
        raise InputError.one("sim.sensitivity.analyse", "methods", f"None or a list of methods over the prior, each "
                                                                  f"once: {' and '.join(METHODS)}", methods)
    if not (isinstance(space, pd.DataFrame) or isinstance(space, str) and space == PRIOR):
        raise InputError.one("sim.sensitivity.analyse", "space", f"'{PRIOR}' or a table of parameter sets "
                                                                 f"(read_parameter_sets)", space)
    if not experiment.spec.uncertain:
        raise InputError.one(experiment.file, "uncertain", "at least one uncertain parameter for sensitivity analysis")
    s = experiment.spec.sensitivity
    final = experiment.final_year()
    outcomes = tuple(outcomes or s.outcomes or (f"fte:{TOTAL}:{final}", f"vacancies_fte:{TOTAL}:{final}"))
    points = samples(experiment, tuple(methods or s.methods), space)
    runs = sum(len(X) for X in points.values()) * s.replications
    if runs > MAX_RUNS:  # bounded as a batch's runs are: their jobs alone would fill the memory
        raise InputError.one(experiment.file, "sensitivity", f"at most {MAX_RUNS:,} runs in all, as a batch (fewer "
                                                             f"trajectories, samples, parameter sets or replications)",
                             f"{runs:,} runs")
    sizes = {m: {"morris": s.morris_trajectories, "sobol": s.sobol_samples, "delta": len(X)}[m]
             for m, X in points.items()}
    Y, runs = evaluate(experiment, points, outcomes, workers, scheduler, quiet)
    table = indices(problem(experiment), points, Y, outcomes, morris_levels=s.morris_levels, seed=experiment.spec.seed,
                    sizes=sizes)
    table.attrs.update(runs=runs, replications=s.replications, parameters=len(experiment.parameter_names),
                       file=str(experiment.file), sizes=sizes)
    if isinstance(space, pd.DataFrame):
        table.attrs.update(space=space.attrs.get("file", "parameter sets"), rows=len(space))
    return table


def evaluate(experiment: Experiment, points: dict[str, np.ndarray], outcomes: tuple, workers=None, scheduler=None,
             quiet=False) -> tuple[dict[str, np.ndarray], int]:
    """Each method's outcomes at its points (mean over the replication seeds), and the runs made;
    a point repeated within a method (resampled parameter sets) is run once."""
    s = experiment.spec.sensitivity
    seeds = experiment.replication_seeds(s.replications)
    jobs, where, rows, found = [], {}, {}, {}
    for method, X in points.items():
        unique, rows[method] = np.unique(X, axis=0, return_inverse=True) if method == "delta" else \
            (X, np.arange(len(X)))
        found[method] = np.zeros((len(unique), len(outcomes)))
        for i, x in enumerate(unique):
            parameters = experiment._typed(dict(zip(experiment.parameter_names, x)))
            for r, seed in enumerate(seeds):
                job = experiment.job(s.policy, parameters, len(jobs), r, seed, outcomes)
                where[job.parameter_set, r] = (method, i)
                jobs.append(job)
    for job, result in execute(simulate, jobs, workers, scheduler, quiet, desc=f"{experiment.name} sensitivity"):
        method, i = where[job.parameter_set, job.replication]
        found[method][i] += np.array([result[k] for k in outcomes]) / len(seeds)
    return {m: found[m][np.asarray(rows[m]).ravel()] for m in points}, len(jobs)


def indices(p: dict, points: dict[str, np.ndarray], Y: dict[str, np.ndarray], outcomes, morris_levels: int = 4,
            seed: int | None = None, sizes: dict | None = None) -> pd.DataFrame:
    """SALib's indices of each outcome (a column of each method's ``Y``) with their 95% intervals,
    judged (``judge``; ``sizes``: each method's trajectories, samples or parameter sets)."""
    from SALib.analyze import delta as delta_analyze
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from threadpoolctl import threadpool_limits

    if seed is not None:  # SALib seeds its bootstrap only from a seed that is not 0, and delta only below 2^32
        seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1
    rows, constant = [], set()
    state, format_warning = np.random.get_state(), warnings.formatwarning  # SALib's delta changes both
    try:  # one BLAS thread: delta's many tiny kernel density solves are ten times slower with more
        with warnings.catch_warnings(record=True), np.errstate(all="ignore"), threadpool_limits(1):
            warnings.simplefilter("ignore")  # a constant outcome gives undefined (NaN) indices, reported as such
            for j, outcome in enumerate(outcomes):
                for method, X in points.items():
                    y = Y[method][:, j]
                    if np.ptp(y) == 0:
                        constant.add((method, outcome))
                    if method == "morris":
                        res = morris_analyze.analyze(p, X, y, num_levels=morris_levels, seed=seed)
                        found = {"mu_star": (res["mu_star"], res["mu_star_conf"]),
                                 "sigma": (res["sigma"], np.full(len(y), np.nan))}
                    elif method == "sobol":
                        res = sobol_analyze.analyze(p, y, calc_second_order=False, seed=seed)
                        found = {"S1": (res["S1"], res["S1_conf"]), "ST": (res["ST"], res["ST_conf"])}
                    else:
                        res = delta_analyze.analyze(p, X, y, seed=seed)
                        raw = "delta_raw" if "delta_raw" in res else "delta"  # SALib 1.6 renamed the classic delta
                        found = {"delta": (res[raw], res[f"{raw}_conf"]), "S1": (res["S1"], res["S1_conf"])}
                    for k, name in enumerate(p["names"]):
                        for index, (value, conf) in found.items():
                            rows.append((method, outcome, name, index, float(value[k]), float(conf[k])))
    finally:
        np.random.set_state(state)
        warnings.formatwarning = format_warning
    table = pd.DataFrame(rows, columns=COLUMNS[:6])
    return judge(table, constant, sizes)


def judge(table: pd.DataFrame, constant=(), sizes: dict | None = None) -> pd.DataFrame:
    """Add each index's interval (``low``, ``high``), whether it is ``readable`` (None: not judged)
    and a ``verdict`` in words, by the rule of the module's docstring. ``constant``: (method,
    outcome) pairs whose outcome did not vary at all (their indices are not a matter of sample size).
    ``sizes``: a method below its ``MIN_SIZES`` is not judged readable, whatever its intervals: a
    bootstrap over 2 samples has 3 distinct resamples, and an interval from it can be narrow and
    wrong."""
    t = table[COLUMNS[:6]].copy()
    t["low"], t["high"] = t.value - t.confidence, t.value + t.confidence
    mu = t[(t.method == "morris") & (t["index"] == "mu_star")]
    largest = mu.groupby("outcome").value.max().to_dict()
    judged = [_verdict(r, largest.get(r.outcome, np.nan), (r.method, r.outcome) in constant) for r in t.itertuples()]
    few = {m: n for m, n in (sizes or {}).items() if n < MIN_SIZES[m]}
    for i, r in enumerate(t.itertuples()):
        if r.method in few and judged[i][0] is not None and judged[i][1] not in (NO_EFFECT, CONSTANT):
            outside = (r.method, r.index) in SHARES and not 0 <= r.value <= 1 and not np.isnan(r.value)
            judged[i] = (False, f"too few {SIZES[r.method][1]} (under {MIN_SIZES[r.method]})" +
                         (f", {'below 0' if r.value < 0 else 'above 1'}: impossible" if outside else ""))
    t["readable"] = pd.Series([j[0] for j in judged], index=t.index, dtype=object)
    t["verdict"] = [j[1] for j in judged]
    t.attrs.update(table.attrs)
    return t


NO_EFFECT, CONSTANT = "no effect", "the outcome does not vary"  # readable whatever the sample size


def _verdict(r, largest: float, constant: bool) -> tuple[bool | None, str]:
    value, conf = r.value, r.confidence
    if (r.method, r.index) not in SHARES and r.index != "mu_star":
        return None, ""
    if constant:
        return True, CONSTANT
    if np.isnan(value):
        return False, "undefined"
    if value == 0 and conf == 0:  # common random numbers: the parameter cannot reach the outcome
        return True, NO_EFFECT
    if r.index == "mu_star":
        if np.isnan(conf):
            return False, "no interval"
        if value + conf < NEGLIGIBLE * largest:
            return True, "negligible"
        if conf < MORRIS_LIMIT * value:
            return True, "readable"
        return False, f"too wide (±{conf / value:.0%} of mu*)" if value > 0 else "too wide"
    if np.isnan(conf):
        return False, "no interval"
    side = "below 0" if value < 0 else "above 1" if value > 1 else ""
    if r.high < 0 or r.low > 1:
        return False, f"sampling error: {side}, beyond its interval"
    readable = conf < SHARE_LIMIT
    verdict = "readable" if readable else f"too wide (±{conf:.3f})"
    if side:
        verdict += f", {side} (about {0 if value < 0 else 1})" if readable else f", {side}: impossible"
    return readable, verdict


# ---- is it readable? ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Shortfall:
    """A method whose indices cannot all be read, and the size that would make them readable."""

    method: str
    unreadable: int
    judged: int
    size: int  # trajectories, samples or (effective) parameter sets used
    needed: int  # the size that would bring the widest interval under its limit
    runs: int  # the runs that size takes

    @property
    def most(self) -> bool:
        """More than half of the method's indices cannot be read: a warning (and --strict refuses)."""
        return 2 * self.unreadable > self.judged


def shortfalls(table: pd.DataFrame) -> list[Shortfall]:
    """Each method with an index that cannot be read (see the module), and the sample size that would
    make them readable: an interval's width shrinks as 1/sqrt(N). Indices of a parameter that cannot
    reach the outcome (exactly 0), or of an outcome that does not vary, are not counted: they say
    nothing of the sample size."""
    out = []
    sizes, k, reps = table.attrs.get("sizes", {}), table.attrs.get("parameters", 0), table.attrs.get("replications", 1)
    informative = table.readable.notna() & ~table.verdict.isin([NO_EFFECT, CONSTANT])
    for method, t in table[informative].groupby("method", sort=False):
        bad = t[t.readable == False]  # noqa: E712 (an object column: True, False or None)
        if bad.empty or method not in sizes:
            continue
        factor = 1.0
        for r in bad.itertuples():
            if np.isnan(r.value) or np.isnan(r.confidence):
                continue
            if r.index == "mu_star":
                factor = max(factor, (r.confidence / (MORRIS_LIMIT * r.value)) ** 2 if r.value > 0 else 1.0)
            else:  # a share beyond its interval is off by at least its distance from the possible range
                error = max(r.confidence, -r.value, r.value - 1)
                factor = max(factor, (error / SHARE_LIMIT) ** 2)
        size = sizes[method]
        needed = max(size + 1, math.ceil(size * factor), MIN_SIZES[method])
        if method == "sobol":
            needed = 2 ** math.ceil(math.log2(needed))
        per = {"morris": k + 1, "sobol": k + 2, "delta": 1}[method]
        out.append(Shortfall(method, len(bad), len(t), size, needed, needed * per * reps))
    return out


def advice(shortfall: Shortfall, file) -> str:
    """A warning saying what cannot be read and what to change, naming the file and field."""
    field, unit = SIZES[shortfall.method]
    what = (f"{shortfall.unreadable} of {shortfall.judged} {NAMES[shortfall.method]} indices cannot be read at "
            f"{shortfall.size} {unit} ({_rule(shortfall.method, shortfall.size)})")
    if shortfall.method == "delta":
        change = f"give about {shortfall.needed:,} (effective) parameter sets or more in {file}"
    else:
        change = f"raise {field} in {file} from {shortfall.size} to about {shortfall.needed:,} or more"
    return (f"{what}: {change} ({shortfall.runs:,} runs; intervals narrow as 1/sqrt({unit}), and those "
            f"measured at {shortfall.size} are rough)")


def refusal(shortfalls_: list[Shortfall], file) -> InputError:
    """The --strict refusal: a problem per method whose indices are mostly unreadable."""
    problems = []
    for s in shortfalls_:
        field, unit = SIZES[s.method]
        size = "a power of two of" if s.method == "sobol" else "a number of"
        expected = (f"{size} about {s.needed:,} {unit} or more, for readable {NAMES[s.method]} indices "
                    f"({s.unreadable} of {s.judged} cannot be read at {s.size}: {_rule(s.method, s.size)})")
        problems.append(Problem(str(file), field if s.method != "delta" else "<rows>", expected, s.size))
    error = InputError(problems)
    error.heading = "sensitivity indices too uncertain to read (--strict)"
    return error


def _rule(method: str, size: int) -> str:
    """Why the indices cannot be read."""
    if size < MIN_SIZES[method]:
        return f"under {MIN_SIZES[method]} {SIZES[method][1]}, intervals too rough to judge by"
    if method == "morris":
        return f"95% interval half-width {MORRIS_LIMIT:.0%} of mu* or more"
    return f"95% interval half-width {SHARE_LIMIT} or more, or outside 0-1 beyond it"


# ---- the table in words -------------------------------------------------------------------------
RULE = textwrap.fill(
    f"95% confidence intervals (bootstrap). Readable: a share (Sobol S1 and ST, delta and its S1) with a "
    f"half-width below {SHARE_LIMIT}; a Morris mu* with a half-width below {MORRIS_LIMIT:.0%} of it, or negligible "
    f"(its interval below {NEGLIGIBLE:.0%} of the outcome's largest); none from fewer than "
    f"{MIN_SIZES['morris']} trajectories or {MIN_SIZES['sobol']} samples, whose intervals are too rough. A share "
    f"lies in 0-1: a value outside is shown as computed, not clipped, and said to be outside.", width=96)


def format_indices(table: pd.DataFrame) -> str:
    """The indices as text under 100 columns: per outcome and parameter, each index, its interval
    and its verdict."""
    lines = [RULE]
    for outcome, by_outcome in table.groupby("outcome", sort=False):
        lines += ["", outcome]
        for parameter, t in by_outcome.groupby("parameter", sort=False):
            lines.append(f"  {parameter}")
            for r in t.itertuples():
                number = _formatter((r.method, r.index) in SHARES, r.value, r.low, r.high)
                interval = "" if np.isnan(r.confidence) else f"{number(r.low)} to {number(r.high)}"
                lines.append(f"    {LABELS.get((r.method, r.index), r.index):<15}{number(r.value):>10}  "
                             f"{interval:<20}  {r.verdict}".rstrip())
    return "\n".join(lines)


def _formatter(share: bool, *values: float):
    """Shares to 3 decimals; other values (mu*, in the outcome's units) to the precision their size
    warrants, the same for a value and its interval."""
    size = np.nanmax(np.abs(values)) if not np.isnan(values).all() else 0.0
    spec = ".3f" if share or size < 1 else ".1f" if size < 1000 else ",.0f"
    return lambda v: "NaN" if np.isnan(v) else format(v, spec)


# ---- files --------------------------------------------------------------------------------------
FILES = ("sensitivity.csv", "sensitivity.png")  # what ``write`` writes in its folder


def write(table: pd.DataFrame, out) -> dict[str, Path]:
    """The indices table (CSV) and a chart (PNG) in ``out``, together: never a table beside the chart of an
    analysis before."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"table": out / FILES[0], "chart": out / FILES[1]}
    write_together({paths["table"]: lambda p: table.to_csv(p, index=False), paths["chart"]: lambda p: chart(table, p)})
    return paths


def chart(table: pd.DataFrame, path) -> None:
    """One row per outcome: Morris mu* (left), Sobol S1 and ST or delta and S1 (right), by
    parameter, with their 95% intervals; dotted lines mark the possible range of a share, and an
    unreadable index is drawn pale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outcomes = list(dict.fromkeys(table.outcome))
    methods = [m for m in (*METHODS, "delta") if m in set(table.method)]
    names = list(dict.fromkeys(table.parameter))
    height = max(2.0, 0.45 * len(names) + 1.2)
    fig, axes = plt.subplots(len(outcomes), len(methods), figsize=(6 * len(methods) + 2, height * len(outcomes)),
                             squeeze=False)
    y = np.arange(len(names))
    for row, outcome in enumerate(outcomes):
        for col, method in enumerate(methods):
            ax = axes[row][col]
            t = table[(table.outcome == outcome) & (table.method == method)]
            pairs = {"morris": [("mu_star", "tab:blue")], "sobol": [("S1", "tab:orange"), ("ST", "tab:green")],
                     "delta": [("delta", "tab:purple"), ("S1", "tab:orange")]}[method]
            shifts = [0.0] if len(pairs) == 1 else [-0.2, 0.2]
            for shift, (index, colour) in zip(shifts, pairs):
                v = t[t["index"] == index].set_index("parameter").reindex(names)
                alpha = [1.0 if r is True else 0.35 for r in v.readable]
                bars = ax.barh(y + shift, v.value.fillna(0), height=0.8 / len(pairs), xerr=v.confidence.fillna(0),
                               color=colour, label=LABELS[method, index])
                for bar, a in zip(bars, alpha):
                    bar.set_alpha(a)
            if method == "morris":
                ax.set_xlabel("Morris mu* (outcome units), 95% interval")
            else:
                for edge in (0, 1):
                    ax.axvline(edge, color="grey", linestyle=":", linewidth=1)
                ax.set_xlabel(f"{NAMES[method]} index (share), 95% interval; pale: not readable")
                ax.legend(fontsize=8)
            ax.set_yticks(y, names, fontsize=8)
            ax.invert_yaxis()
            ax.grid(axis="x", alpha=0.3)
            ax.set_title(outcome, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100, format="png")
    plt.close(fig)
