"""The calibration report: what the history taught about each parameter, and what it could not.

Per parameter, the prior against the posterior (median and 90% interval), and how much of the
prior's width the history removed: a posterior nearly as wide as its prior is a parameter the
history cannot identify, and its uncertainty passes into the projections whole. Pairs of
parameters whose posterior correlation is strong are named: the history pins down a
combination of them (a ridge in the pairs plot), not each one.
"""

from __future__ import annotations

import numpy as np

from .labels import markdown_cell

# what a fit's proposals are drawn and weighed with: other versions, or OpenBLAS's kernels for another CPU, move
# each parameter set in its last bits (their linear algebra sums in another order: numpy 2.4.6 with scipy 1.17.1
# against 2.5.5 with 1.18.1, 8 parts in 10^14 after three generations, 5 in 10^10 after a fit as long as the
# shipped one; OpenBLAS's Nehalem kernels against its Haswell ones, alike)
LIBRARIES = ("numpy", "scipy", "pyabc")
IDENTIFIED = 0.5  # a posterior 90% interval narrower than this share of the prior's: identified by the history
STRONG = 0.5  # a weighted correlation at least this strong (either sign): a ridge worth naming


def libraries() -> dict[str, str]:
    """The versions of the libraries a fit is the same file with (``LIBRARIES``), Python's, and the BLAS
    numpy runs with: its kernels, picked for the machine's CPU."""
    import importlib
    import platform

    from threadpoolctl import threadpool_info

    versions = {name: importlib.import_module(name).__version__ for name in LIBRARIES}  # numpy's BLAS loaded
    blas = [f"{i['internal_api']} {i['version']}" + (f" ({i['architecture']})" if i.get("architecture") else "")
            for i in threadpool_info() if i["user_api"] == "blas"]
    return {"python": platform.python_version(), **versions, "blas": ", ".join(blas) or "none found"}


def narrowing(fitted: dict) -> dict[str, float]:
    """Each parameter's posterior 90% width as a share of its prior's."""
    out = {}
    for key, f in fitted.items():
        prior = f["prior_interval_90"][1] - f["prior_interval_90"][0]
        out[key] = (f["interval_90"][1] - f["interval_90"][0]) / prior if prior > 0 else float("nan")
    return out


def correlations(posterior) -> np.ndarray:
    """Weighted correlation matrix of the posterior's parameters."""
    x = posterior.values - np.average(posterior.values, axis=0, weights=posterior.weights)
    cov = (posterior.weights[:, None] * x).T @ x
    sd = np.sqrt(np.diag(cov))
    sd[sd == 0] = np.inf
    return cov / np.outer(sd, sd)


def strong_pairs(names: list[str], matrix: np.ndarray) -> list[tuple[str, str, float]]:
    out = [(names[i], names[j], float(matrix[i, j])) for i in range(len(names)) for j in range(i + 1, len(names))
           if abs(matrix[i, j]) >= STRONG]
    return sorted(out, key=lambda t: -abs(t[2]))


def report(summary: dict, stem: str, command: str, fitted: dict, before: dict, after: dict, figure: str,
           used: dict[str, str]) -> str:

    spec, st, result, posterior = summary["spec"], summary["settings"], summary["fit"], summary["posterior"]
    took = (summary["finished"] - summary["started"]).total_seconds()
    lines = [
        f"# Calibration {stem}",
        "",
        f"History scenario `{spec.scenario}`; approximate Bayesian computation by sequential Monte Carlo "
        f"(pyabc), {len(posterior)} parameter sets a generation, seed {st.seed}. The fit has independent blocks "
        "(parameters and targets of staff groups that no pathway links), each fitted by its own ABC-SMC on its "
        "own targets; one run of the history serves a candidate of every block. A candidate is kept when the "
        "distance of its block's statistics from the targets (the length of the vector of errors, each in units "
        "of its target's sd) is within the generation's threshold; each threshold is the "
        f"{st.quantile:.0%} quantile of the last generation's distances. A block aims at its targets' tolerance "
        "(the square root of the 90% quantile of chi-squared with as many degrees of freedom as it has "
        "targets, unless the file's settings give `epsilon`). Each block's last population is resampled by "
        "weight and the blocks' sets paired at random: the posterior's sets are equally weighted.",
        "",
        f"{result.runs:,} runs in {took / 60:.1f} minutes ({result.runs / max(result.seconds, 1e-9):.1f} runs a "
        f"second with {st.workers} worker{'s' if st.workers > 1 else ''}). Rerun, bit for bit with "
        f"{', '.join(f'{k} {v}' for k, v in used.items() if k in LIBRARIES)} and BLAS {used['blas']} "
        f"(`{stem}-posterior.csv` is then the same file with any number of workers; other versions, or the "
        f"kernels BLAS picks for another CPU, move each parameter set in its last bits):",
        "",
        f"```bash\n{command}\n```",
        "",
        "| block | parameters (count) | targets | tolerance | reached | generation | threshold | runs counted | "
        "acceptance rate | effective sample size |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for b, block in enumerate(result.blocks):
        for g in block["generations"]:
            head = ("", "", "", "", "")
            if g is block["generations"][0]:
                head = (str(b + 1), str(len(block["parameters"])), ", ".join(block["targets"]),
                        f"{block['epsilon']:.3g}", "yes" if block["reached"] else "**no**")
            lines.append(f"| {' | '.join(head)} | {g['generation'] + 1} | {g['epsilon']:.3g} | {g['runs']:,} | "
                         f"{g['acceptance_rate']:.1%} | {g['effective_sample_size']:.0f} |")
    unreached = [b + 1 for b, block in enumerate(result.blocks) if not block["reached"]]
    if unreached:
        lines += ["", f"**Tolerance not reached** in block(s) {', '.join(map(str, unreached))}: the budget of runs or "
                      "generations ran out first, so their posterior is wider than the targets' tolerance alone "
                      "would make it (raise --max-runs or --generations)."]
    lines += [
        "",
        *targets_table(spec, st.check_replications, before, after, "after: posterior draws"),
        "",
        "## Prior and posterior",
        "",
        "Median and 90% interval of each parameter (a `scale` multiplies the shipped rate table). "
        f"Narrowing: the posterior's 90% width as a share of the prior's; below {IDENTIFIED:.0%} the history "
        "identifies the parameter, above it the history says little and the prior's uncertainty passes into the "
        "projections.",
        "",
        "| parameter | kind | prior | prior 90% | posterior median | posterior 90% | narrowing | identified |",
        "|---|---|---|---|---|---|---|---|",
    ]
    narrow = narrowing(fitted)
    for key, f in fitted.items():
        prior = (f"normal({f['prior']['normal']['mean']:g}, {f['prior']['normal']['sd']:g}) in bounds"
                 if isinstance(f["prior"], dict) else "uniform")
        lo, hi = f["prior_interval_90"]
        plo, phi = f["interval_90"]
        lines.append(f"| `{key}` | {f['kind']} | {prior} | {lo:.3g} to {hi:.3g} | {f['median']:.3g} | "
                     f"{plo:.3g} to {phi:.3g} | {narrow[key]:.0%} | {'yes' if narrow[key] < IDENTIFIED else 'no'} |")
    pairs = strong_pairs(list(fitted), correlations(posterior))
    lines += ["", "## Correlations", "",
              f"Pairs whose posterior correlation is at least {STRONG} in size: the history constrains a "
              "combination of the two (one up, the other down, for a negative one), not each alone.", ""]
    lines += [f"- `{a}` and `{b}`: {r:+.2f}" for a, b, r in pairs] or ["- none"]
    lines += ["", f"![Prior against posterior, and the posterior's pairs]({figure})", "",
              f"Written {summary['finished']:%Y-%m-%d %H:%M} UTC.", ""]
    return "\n".join(lines)


def pairs_figure(parameters, posterior, path) -> None:
    """Diagonal: each parameter's prior density (line) against its weighted posterior (bars);
    below it: the posterior's pairs, darker where the weight is greater."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = len(parameters.keys)
    size = max(6.0, 1.6 * k)
    fig, axes = plt.subplots(k, k, figsize=(size, size), squeeze=False)
    alpha = np.clip(posterior.weights / posterior.weights.max(), 0.05, 1.0)
    labels = [key.replace("groups.", "").replace("transitions.", "") for key in parameters.keys]
    for i in range(k):
        low, high = parameters.bounds[i]
        for j in range(k):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(posterior.values[:, i], bins=25, range=(low, high), weights=posterior.weights, density=True,
                        color="tab:blue", alpha=0.6, label="posterior")
                grid = np.linspace(low, high, 200)
                ax.plot(grid, parameters.uncertain[parameters.keys[i]].distribution().pdf(grid), color="black",
                        lw=1, label="prior")
                ax.set_yticks([])
            else:
                ax.scatter(posterior.values[:, j], posterior.values[:, i], s=3, c="tab:blue", alpha=alpha,
                           linewidths=0)
                ax.set_xlim(*parameters.bounds[j])
                ax.set_ylim(low, high)
            ax.tick_params(labelsize=5)
            if i == k - 1:
                ax.set_xlabel(labels[j], fontsize=5)
            if j == 0 and i > 0:
                ax.set_ylabel(labels[i], fontsize=5)
    axes[0][0].legend(fontsize=6, loc="upper right")
    fig.suptitle("Calibration: prior (line) and posterior (bars, points)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=70, format="png")
    plt.close(fig)


def fmt(v: float, target) -> str:
    return f"{100 * v:.1f}%" if target.share else f"{v:,.0f}"


def targets_table(spec, replications: int, before: dict, after: dict,
                  after_label: str = "after calibration") -> list[str]:
    """The report's section on the targets: published, before and after (``_describe``), as lines."""
    lines = [
        f"## Targets: simulated mean and 90% interval over {replications} fresh replications",
        "",
        f"| target | published | sd | before calibration | {after_label} | source |",
        "|---|---|---|---|---|---|",
    ]
    for k, t in spec.targets.items():
        b, a = before[k], after[k]
        published = {"at_least": "at least ", "at_most": "at most "}.get(t.bound, "") + fmt(t.value, t)
        lines.append(f"| {k} | {published} | {fmt(t.sd, t)} | {fmt(b[0], t)} ({fmt(b[1], t)} to "
                     f"{fmt(b[2], t)}) | {fmt(a[0], t)} ({fmt(a[1], t)} to {fmt(a[2], t)}) | {markdown_cell(t.source)} |")
    return lines
