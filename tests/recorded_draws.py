"""Every uniform draw of a run, as the compiled passes make it: who drew from which stream in which month.

Run as a script with numba's compiling switched off (``NUMBA_DISABLE_JIT=1``): the passes then run
as Python, each draw a call of ``sim.kernels.streams.uniform(key, salt)``, which this notes. A
month's salt names its stream (``sim.rng.Streams``), so the draws are read back as (stream, month,
person key) however the passes are arranged: where a pass chooses who draws inside itself, the
audit still sees exactly who did. ``tests/test_decisions.py`` runs it.

    NUMBA_DISABLE_JIT=1 python tests/recorded_draws.py default|levers|twice

``twice`` is the default run with three people's hours review drawn twice at its end: what the
audit must find.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import numba

from sim import WorkforceModel, decisions, interventions
from sim.kernels import streams

LEVERS = {
    "default": [],
    "twice": [],
    "levers": [interventions.Retention(groups=["nursing"], factor=0.8),
               interventions.RetireAndReturn(retirement_factor=1.5),
               interventions.InServiceRoute(stage="hcsw/nursing_apprenticeship", extra=20),
               interventions.RetireAndReturn(share=0.8),
               interventions.TrainingPlaces(stage="psychiatry/core_psychiatry", fill_rate=0.5)],
}


def recorded(run: str, seed: int = 5, until: int = 2024) -> dict:
    """The run's draws after it is built (the start's are drawn as always): each (stream, month, key)
    drawn more than once, with how many times, and the decisions drawn from."""
    if numba.config.DISABLE_JIT == 0:
        raise SystemExit("run with NUMBA_DISABLE_JIT=1: compiled passes draw out of sight")
    model = WorkforceModel(rng=seed, until=until, interventions=LEVERS[run])
    draws: list[tuple[int, int]] = []
    uniform = streams.uniform

    def noted(key, salt):
        draws.append((int(salt), int(key)))
        return uniform(key, salt)

    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "sim" and getattr(module, "uniform", None) is uniform:
            module.uniform = noted
    model.run()
    if run == "twice":
        for _ in range(2):
            model.streams.uniform("hours_review", model.now, model.people.key[:3])
    first = model.inputs.start
    stream_of = {salt: (name, first + i)  # every salt the run can have drawn with: a stream's in a month
                 for names, bases in model.streams._bases.items()
                 for i, salts in enumerate(streams.salt_table(bases, first, model.end - first + 1).tolist())
                 for name, salt in zip(names, salts)}
    twice = [[*stream_of.get(salt, ("an unknown stream", -1)), key, n]
             for (salt, key), n in Counter(draws).items() if n > 1]
    return {"draws": len(draws), "twice": twice,
            "drawn": sorted({decisions.declared(stream_of[salt][0], model.streams.decisions)
                             for salt, _ in set(draws) if salt in stream_of})}


if __name__ == "__main__":
    json.dump(recorded(sys.argv[1]), sys.stdout)
