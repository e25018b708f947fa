"""The blocks' fit (sim.inference) on toy simulators: it keeps to its budget of runs."""

from __future__ import annotations

import pyabc
import pytest

from sim import inference

RUNS: list[int] = []  # every run of the toy simulator, in this process (one worker: no other process)
TOO_MANY = 5_000  # far past any budget below: a fit still sampling then would sample for ever


def toy(proposals: dict, seed: int) -> dict:
    RUNS.append(seed)
    if len(RUNS) > TOO_MANY:
        raise RuntimeError("the fit ran far past its budget of runs")
    return {"y": proposals[0]["a"]}


class FirstGenerationOnly(pyabc.Distance):
    """Every candidate of the first generation matches exactly, none after it: the first
    generation's threshold (0) is never met again, so the second accepts nothing."""

    def __call__(self, x, x_0, t=None, par=None):
        return 0.0 if t == 0 else 1.0 + abs(x["y"] - x_0["y"])


def test_a_generation_that_accepts_nothing_stops_once_the_budget_of_runs_is_spent():
    RUNS.clear()
    block = inference.Block(priors={"a": pyabc.RV("uniform", 0, 1)}, distance=FirstGenerationOnly(),
                            observed={"y": 0.5}, epsilon=0.0)
    fit = inference.fit(toy, [block], population=10, generations=5, quantile=0.5, max_runs=100, seed=1, workers=1)
    assert len(RUNS) == fit.runs
    # the last batch may pass the budget (a batch is at most 20 populations), never more
    assert 100 <= fit.runs <= 100 + 20 * 10
    assert not fit.reached and fit.values.shape == (10, 1)
    assert [g["generation"] for g in fit.blocks[0]["generations"]] == [0]  # the cut generation is not kept


def failing(proposals: dict, seed: int) -> dict:
    RUNS.append(seed)
    if len(RUNS) > 15:  # in the second generation
        raise inference_input_error()
    return {"y": proposals[0]["a"]}


def inference_input_error():
    from sim.errors import InputError

    return InputError.one("history.yaml", "targets.staff", "a target the scenario can give")


@pytest.mark.parametrize("attempt", range(3))
def test_a_run_that_fails_part_way_through_a_fit_is_reported_as_itself(attempt):
    """The blocks' threads are waited for: the run's own error is raised, not one of a block's."""
    from sim.errors import InputError

    RUNS.clear()
    block = inference.Block(priors={"a": pyabc.RV("uniform", 0, 1)}, distance=FirstGenerationOnly(),
                            observed={"y": 0.5}, epsilon=0.0)
    with pytest.raises(InputError) as error:
        inference.fit(failing, [block], population=10, generations=5, quantile=0.5, max_runs=100, seed=1, workers=1)
    assert error.value.problems[0].field == "targets.staff"

