"""SALib computing Sobol indices directly from the pure function ``sim.experiment.outcomes``.

    python experiments/salib_example.py

16 x (2 + 2) = 64 runs of the default scenario to 2031: seconds on two cores.
(``workforce sensitivity`` does the same from an experiment file, in parallel.)
"""

import numpy as np
from SALib.analyze import sobol as analyze
from SALib.sample import sobol as sample

from sim.experiment import outcomes


def indices(scenario="wales-mh-2021", group="nursing", until=2031, samples=16, seed=1):
    """First- and total-order Sobol indices of a group's FTE for its leaver rates (a factor)
    and its shares of retirees returning (a factor on each age band's); every point runs with the same seed."""
    problem = {"num_vars": 2, "bounds": [[0.8, 1.2], [0.7, 1.35]],
               "names": [f"scale:groups.{group}.leaving.rate", f"scale:groups.{group}.retire_and_return.share"]}
    X = sample.sample(problem, samples, calc_second_order=False, seed=seed)
    wanted = f"fte:{group}:{until}"
    Y = np.array([outcomes(dict(zip(problem["names"], x)), seed=seed, scenario=scenario, until=until,
                           wanted=[wanted])[wanted] for x in X])
    return analyze.analyze(problem, Y, calc_second_order=False, seed=seed)


if __name__ == "__main__":
    for table in indices().to_df():  # total-order, then first-order indices
        print(table.round(3))
