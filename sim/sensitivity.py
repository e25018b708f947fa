"""Global sensitivity analysis over an experiment's uncertain parameters (SALib).

Two methods, cheapest first:

- **Morris screening** (elementary effects): ``r`` one-at-a-time trajectories through the
  ranges, ``r x (k + 1)`` runs for ``k`` parameters. ``mu_star`` ranks how much each
  parameter moves an outcome; ``sigma`` flags non-linearity or interactions.
- **Sobol indices** (Saltelli's scheme, first and total order): ``N x (k + 2)`` runs. ``S1``
  is the share of an outcome's variance a parameter explains alone, ``ST`` with its
  interactions.

Every evaluation uses the same replication seed(s) (common random numbers), so differences
between parameter points are not blurred by fresh randomness; ``replications`` > 1 averages
each point over that many seeds. The defaults are small so that the command runs in minutes;
with so few runs the indices are a screen, with wide confidence intervals, not a verdict.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .experiment import Experiment, TOTAL, execute, simulate
from .folders import atomic_write

METHODS = ("morris", "sobol")


def problem(experiment: Experiment) -> dict:
    return {"num_vars": len(experiment.parameter_names), "names": experiment.parameter_names,
            "bounds": experiment.bounds}


def samples(experiment: Experiment, methods=METHODS) -> dict[str, np.ndarray]:
    """Parameter points for each method, drawn from the experiment's seed."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    s, p = experiment.spec.sensitivity, problem(experiment)
    out = {}
    if "morris" in methods:
        out["morris"] = morris_sample.sample(p, N=s.morris_trajectories, num_levels=s.morris_levels,
                                             seed=experiment.spec.seed)
    if "sobol" in methods:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib warns about small sample sizes; the defaults are small on purpose
            out["sobol"] = sobol_sample.sample(p, s.sobol_samples, calc_second_order=False, seed=experiment.spec.seed)
    return out


def analyse(experiment: Experiment, outcomes=None, methods=METHODS, workers: int | None = None,
            scheduler: str | None = None, quiet: bool = False) -> pd.DataFrame:
    """Run the sample points and return the indices: method, outcome, parameter, index, value, confidence."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    if not experiment.spec.uncertain:
        raise InputError.one(experiment.file, "uncertain", "at least one uncertain parameter for sensitivity analysis")
    s = experiment.spec.sensitivity
    final = experiment.final_year()
    outcomes = tuple(outcomes or s.outcomes or (f"fte:{TOTAL}:{final}", f"vacancies_fte:{TOTAL}:{final}"))
    points = samples(experiment, methods)
    seeds = experiment.replication_seeds(s.replications)
    jobs, where = [], {}
    for method, X in points.items():
        for i, x in enumerate(X):
            parameters = experiment._typed(dict(zip(experiment.parameter_names, x)))
            for r, seed in enumerate(seeds):
                job = experiment.job(s.policy, parameters, len(jobs), r, seed, outcomes)
                where[job.parameter_set, r] = (method, i)
                jobs.append(job)
    Y = {m: np.zeros((len(X), len(outcomes))) for m, X in points.items()}
    for job, result in execute(simulate, jobs, workers, scheduler, quiet, desc=f"{experiment.name} sensitivity"):
        method, i = where[job.parameter_set, job.replication]
        Y[method][i] += np.array([result[k] for k in outcomes]) / len(seeds)
    rows = []
    p = problem(experiment)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # a constant outcome gives undefined (NaN) indices, reported as such
        for j, outcome in enumerate(outcomes):
            if "morris" in points:
                res = morris_analyze.analyze(p, points["morris"], Y["morris"][:, j], num_levels=s.morris_levels,
                                             seed=experiment.spec.seed)
                for k, name in enumerate(p["names"]):
                    rows.append(("morris", outcome, name, "mu_star", res["mu_star"][k], res["mu_star_conf"][k]))
                    rows.append(("morris", outcome, name, "sigma", res["sigma"][k], np.nan))
            if "sobol" in points:
                res = sobol_analyze.analyze(p, Y["sobol"][:, j], calc_second_order=False, seed=experiment.spec.seed)
                for k, name in enumerate(p["names"]):
                    rows.append(("sobol", outcome, name, "S1", res["S1"][k], res["S1_conf"][k]))
                    rows.append(("sobol", outcome, name, "ST", res["ST"][k], res["ST_conf"][k]))
    table = pd.DataFrame(rows, columns=["method", "outcome", "parameter", "index", "value", "confidence"])
    table.attrs["runs"] = len(jobs)
    return table


def write(table: pd.DataFrame, out) -> dict[str, Path]:
    """The indices table (CSV) and a chart (PNG) in ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"table": out / "sensitivity.csv", "chart": out / "sensitivity.png"}
    atomic_write(paths["table"], lambda p: table.to_csv(p, index=False))
    atomic_write(paths["chart"], lambda p: chart(table, p))
    return paths


def chart(table: pd.DataFrame, path) -> None:
    """One row per outcome: Morris mu* (left) and Sobol S1 and ST (right), by parameter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outcomes = list(dict.fromkeys(table.outcome))
    methods = [m for m in METHODS if m in set(table.method)]
    names = list(dict.fromkeys(table.parameter))
    height = max(2.0, 0.45 * len(names) + 1.2)
    fig, axes = plt.subplots(len(outcomes), len(methods), figsize=(6 * len(methods) + 2, height * len(outcomes)),
                             squeeze=False)
    y = np.arange(len(names))
    for row, outcome in enumerate(outcomes):
        for col, method in enumerate(methods):
            ax = axes[row][col]
            t = table[(table.outcome == outcome) & (table.method == method)]
            if method == "morris":
                mu = t[t["index"] == "mu_star"].set_index("parameter").reindex(names)
                ax.barh(y, mu.value, xerr=mu.confidence.fillna(0), color="tab:blue")
                ax.set_xlabel("Morris mu* (outcome units)")
            else:
                for shift, (index, colour) in zip((-0.2, 0.2), (("S1", "tab:orange"), ("ST", "tab:green"))):
                    v = t[t["index"] == index].set_index("parameter").reindex(names)
                    ax.barh(y + shift, v.value, height=0.4, xerr=v.confidence.fillna(0), color=colour, label=index)
                ax.set_xlabel("Sobol index (share of variance)")
                ax.legend(fontsize=8)
            ax.set_yticks(y, names, fontsize=8)
            ax.invert_yaxis()
            ax.grid(axis="x", alpha=0.3)
            ax.set_title(outcome, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100, format="png")
    plt.close(fig)
