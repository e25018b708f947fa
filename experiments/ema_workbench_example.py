"""EMA Workbench exploring the model through its pure function ``sim.experiment.outcomes``.

    pip install -e ".[ema]" && python experiments/ema_workbench_example.py

25 sampled futures x 2 sampled policies = 50 runs of the default scenario to 2031.
"""

import warnings

with warnings.catch_warnings():  # EMA Workbench warns that ipyparallel, which this example does not use, is missing
    warnings.filterwarnings("ignore", "ipyparallel not installed", UserWarning)
    from ema_workbench import Model, RealParameter, ScalarOutcome, perform_experiments

from sim.experiment import outcomes
from sim.interventions import Retention


def explore(scenario="wales-mh-2021", group="nursing", until=2031, experiments=25, policies=2, seed=1):
    """Uncertain: a group's leaver rates and shares of retirees returning (factors). The policy
    lever: its leavers scaled by a retention factor. Latin hypercubes over both."""

    def workforce(leaving=1.0, returning=1.0, retention=1.0):
        out = outcomes({f"scale:groups.{group}.leaving.rate": leaving,
                        f"scale:groups.{group}.retire_and_return.share": returning},
                       seed=seed, scenario=scenario, until=until, wanted=[f"fte:{group}:{until}"],
                       levers=[Retention(groups=[group], factor=retention)])
        return {"fte": out[f"fte:{group}:{until}"]}

    model = Model("workforce", function=workforce)
    model.uncertainties = [RealParameter("leaving", 0.8, 1.2), RealParameter("returning", 0.7, 1.35)]
    model.levers = [RealParameter("retention", 0.8, 1.0)]
    model.outcomes = [ScalarOutcome("fte")]
    return perform_experiments(model, scenarios=experiments, policies=policies,
                               uncertainty_sampling_kwargs={"rng": seed}, lever_sampling_kwargs={"rng": seed + 1})


if __name__ == "__main__":
    table, results = explore()  # each policy's FTE over the sampled futures
    print(table.assign(fte=results["fte"]).groupby("retention").fte.describe(percentiles=[0.05, 0.95]).round(1))
