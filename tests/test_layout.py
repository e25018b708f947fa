"""The package's layout: no module imports one that imports it back, and each layer imports only
from the layers before it (the README's Layout), except where named below."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import sim

PACKAGE = Path(sim.__file__).parent
LAYERS = {  # the top-level modules and packages of sim/, layer by layer (the engine and its inputs are one)
    "shared": {"fields", "errors", "sections", "calendar", "labels", "version", "sums"},
    "engine and inputs": {"people", "model", "processes", "kernels", "rng", "decisions", "population", "stocks",
                          "eventlog", "flows", "fte_flows", "unused", "invariants", "footprint", "scenario",
                          "pathways", "layering", "uncertain", "posterior", "interventions", "feedbacks", "demand"},
    "studies": {"results", "folders", "replications", "experiment", "analysis", "calibration", "inference",
                "calibration_report", "backtest", "sensitivity", "target", "plausibility"},
    "faces": {"cli", "plots", "report", "pages", "uncertainty_report", "app", "__main__", "__init__"},
}
EXCEPTIONS = {
    ("labels", "scenario"),  # names fall back on the shipped scenario's
    ("target", "plots"),  # a target search draws its own figure
}


def imports() -> nx.DiGraph:
    """Every import between modules of the package (function-level ones too), by module name."""
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
                module = ".".join(x for x in (base, node.module) if x)
                subs = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in names]
                targets = subs if len(subs) == len(node.names) else [module, *subs]
            else:
                continue
            graph.add_edges_from((name, t) for t in targets if t in names and t != name)
    return graph


def test_no_module_imports_one_that_imports_it_back():
    graph = imports()
    assert len(graph) > 40 and graph.has_edge("sim.model", "sim.scenario")  # the graph is read
    assert list(nx.simple_cycles(graph)) == []


def test_each_layer_imports_only_from_the_layers_before_it():
    layer = {name: i for i, members in enumerate(LAYERS.values()) for name in members}
    top = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
           if (p.suffix == ".py" or (p / "__init__.py").exists())}
    assert top == set(layer), "a module of no layer, or a layer's module that is gone"
    upward = set()
    for a, b in imports().edges:
        first, second = a.split(".")[1] if "." in a else "__init__", b.split(".")[1] if "." in b else "__init__"
        if layer[second] > layer[first] and (first, second) not in EXCEPTIONS:
            upward.add((first, second))
    assert upward == set()
