"""Agent-based career-pathway simulation of the mental health workforce.

The public API in a few names:

- ``WorkforceModel``: the ``mesa.Model`` (one step = one month);
- ``run(scenario, seed, ...)``: a pure function from a scenario and seed to results;
- ``load_scenario`` and ``load_pathways``: validated inputs.
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import InputError
from .model import WorkforceModel
from .pathways import load_all as load_pathways
from .results import Results, run
from .scenario import load as load_scenario

try:
    __version__ = version("workforce-sim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["InputError", "Results", "WorkforceModel", "load_pathways", "load_scenario", "run", "__version__"]
