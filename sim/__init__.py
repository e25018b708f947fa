"""Agent-based career-pathway simulation of the mental health workforce.

The public API in a few names:

- ``WorkforceModel``: the ``mesa.Model`` (one step = one month);
- ``run(scenario, seed, ...)``: a pure function from a scenario and seed to results;
- ``load_scenario`` and ``load_pathways``: validated inputs.
"""

from .errors import InputError
from .model import WorkforceModel
from .pathways import load_all as load_pathways
from .results import Results, run
from .scenario import load as load_scenario
from .version import __version__

__all__ = ["InputError", "Results", "WorkforceModel", "load_pathways", "load_scenario", "run", "__version__"]
