"""Agent-based career-pathway simulation of the mental health workforce.

The public API in a few names:

- ``WorkforceModel``: the ``mesa.Model`` (one step = one month);
- ``run(scenario, seed, ...)``: a pure function from a scenario and seed to results;
- ``load_scenario`` and ``load_pathways``: validated inputs.
"""

import importlib

_PUBLIC = {"InputError": ".errors", "WorkforceModel": ".model", "load_pathways": (".pathways", "load_all"),
           "Results": ".results", "run": ".results", "load_scenario": (".scenario", "load"), "__version__": ".version"}
__all__ = ["InputError", "Results", "WorkforceModel", "load_pathways", "load_scenario", "run", "__version__"]


def __getattr__(name):
    where = _PUBLIC.get(name)
    if where is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    module, attribute = where if isinstance(where, tuple) else (where, name)
    return getattr(importlib.import_module(module, __name__), attribute)


def __dir__():
    return sorted([*globals(), *_PUBLIC])
