"""The notebooks run from top to bottom (at small sizes) and are stored without outputs."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOKS = ["policy_comparison", "quickstart", "uncertainty", "what_it_takes"]
# each notebook reads its sizes from these (see its parameters cell)
SMALL = {
    "WORKFORCE_NOTEBOOK_UNTIL": "2023",
    "WORKFORCE_NOTEBOOK_YEARS": "2",
    "WORKFORCE_NOTEBOOK_REPLICATIONS": "2",
    "WORKFORCE_NOTEBOOK_WORKERS": "1",
    "WORKFORCE_NOTEBOOK_MORRIS_TRAJECTORIES": "2",
    "WORKFORCE_NOTEBOOK_SOBOL_SAMPLES": "2",
    "WORKFORCE_NOTEBOOK_TARGET_YEAR": "2029",  # the first March after the 2025/26 intake graduates
    "WORKFORCE_NOTEBOOK_STEP": "380",  # three values: 0, 380 and 760 places
}
# (text the last cell prints, figures shown as images at least)
EXPECTED = {
    "quickstart": ("quickstart done: nursing FTE", 7),
    "policy_comparison": ("policy comparison done: all three add", 3),
    "uncertainty": ("uncertainty done: 2 replications; 14 sensitivity runs", 3),
    "what_it_takes": ("what it takes done: 2 replications x 3 values", 5),
}


def load(name):
    return nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)


def test_the_notebooks_are_there_and_stored_without_outputs():
    assert sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb")) == NOTEBOOKS
    for name in NOTEBOOKS:
        nb = load(name)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(c.outputs == [] and c.execution_count is None for c in code), name
        parameters = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(parameters) == 1 and "os.environ.get(" in parameters[0].source, name


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_at_a_small_size(name, tmp_path, monkeypatch):
    for key, value in SMALL.items():
        monkeypatch.setenv(key, value)  # the kernel inherits the environment
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = load(name)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if o.output_type in ("display_data", "execute_result") and "image/png" in o.data]
    text, figures = EXPECTED[name]
    assert len(images) >= figures, f"{len(images)} images"
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    printed = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    assert printed.startswith(text), printed
