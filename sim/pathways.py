"""Pathway graphs: load, validate, query, draw.

A pathway is a YAML file of stages (nodes) and transitions (edges), loaded into a networkx
``DiGraph``. A stage has a staff group, whether it is training, whether it counts in the
workforce, and, unless it is final, a full-time duration and outgoing transition
probabilities that sum to 1. A transition leads to another stage of the same pathway
(``core``), a stage of another pathway (``nursing/registered_nurse``) or out of the modelled
workforce (``exit:<reason>``). Adding a profession is adding a file.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InputError, Problem, from_pydantic, is_file, read_yaml, regular_file
from .fields import NAME_PATTERN, Description, Label, Name, Probability, ShareBySex, a_month_or_more
from .layering import kept

PATHWAY_DIR = Path(__file__).parent / "data" / "pathways"
EXIT_PREFIX = "exit:"

Flag = Annotated[bool, Field(strict=True)]
# Pathway and stage names: plain lower-case identifiers ("/" joins them, "exit:" marks exits).


class LTFT(BaseModel):
    """Less-than-full-time training: share of entrants who choose it (one for all, or by sex), their
    fraction range, and ``persist``: of those who trained LTFT in the stage before, the share who
    go on LTFT here. The others then choose it at the rate that keeps the stage's share (if they
    can), so a trainee's choice carries over while the share entering LTFT stays the published one."""

    model_config = ConfigDict(extra="forbid")
    share: ShareBySex
    persist: Probability | None = None
    fraction: tuple[Annotated[float, Field(strict=True, ge=0.01, le=1.0, allow_inf_nan=False)],
                    Annotated[float, Field(strict=True, ge=0.01, le=1.0, allow_inf_nan=False)]]

    @model_validator(mode="after")
    def _ordered(self):
        if self.fraction[0] > self.fraction[1]:
            raise ValueError("fraction as [low, high] with low <= high")
        return self


Years = Annotated[float, Field(strict=True, gt=0.0, le=10.0, allow_inf_nan=False)]


class ExtraTime(BaseModel):
    """Time in a training stage beyond its duration, for a share of its entrants: time out of
    programme (research, a career break), parental leave, an extension after an annual review, or a
    longer curriculum (dual training). Those who take it stay in the stage, as trainees, for extra
    ``years`` drawn uniformly from the range; it adds to the time LTFT training takes."""

    model_config = ConfigDict(extra="forbid")
    share: Probability
    years: tuple[Years, Years]

    @field_validator("years")
    @classmethod
    def _a_month_or_more(cls, v):
        """Drawn in whole months, rounded up (``sim.kernels.entry``): a range under half a month would be a
        month for everyone who takes it, in silence."""
        a_month_or_more(v[1], "extra time reaching")
        return v

    @model_validator(mode="after")
    def _ordered(self):
        if self.years[0] > self.years[1]:
            raise ValueError("years as [low, high] with low <= high")
        return self


class StageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Label | None = None
    staff_group: Name
    training: Flag = False
    workforce: Flag = True
    # posts funded with the role itself (a new role's posts): the group's establishment grows with the
    # staff in them, so the role adds to the staff it supports instead of taking their vacancies
    own_establishment: Flag = False
    entry: Flag = False
    duration_years: Annotated[float, Field(strict=True, gt=0.0, le=60.0, allow_inf_nan=False)] | None = None
    attrition: Probability = 0.0
    ltft: LTFT | None = None
    extra_time: ExtraTime | None = None
    transitions: dict[str, Probability] = {}

    @field_validator("duration_years")
    @classmethod
    def _a_month_or_more(cls, v):
        if v is not None:
            a_month_or_more(v, "a duration of")
        return v

    @model_validator(mode="after")
    def _final_or_timed(self):
        if self.transitions and self.duration_years is None:
            raise ValueError("duration_years for a stage with transitions")
        if self.training and not self.transitions:
            raise ValueError("duration_years and transitions for a training stage (a final stage is a post: "
                             "trainees in one would stay in training until they retire)")
        if self.duration_years is not None and not self.transitions:
            raise ValueError("transitions for a stage with a duration (or drop duration_years)")
        if self.extra_time is not None and not (self.training and self.duration_years is not None):
            raise ValueError("extra_time only on a training stage with a duration")
        # what the model applies to training alone, or to posts alone: elsewhere it would be ignored in silence
        if self.attrition > 0 and not self.training:
            raise ValueError("attrition only on a training stage (staff in post leave at their group's leaving rates)")
        if self.ltft is not None and not self.training:
            raise ValueError("ltft only on a training stage (staff in post choose their hours by their group's "
                             "participation)")
        if self.own_establishment and (self.training or not self.workforce):
            raise ValueError("own_establishment only on a stage of posts (a workforce stage that is not training)")
        if self.transitions:
            total = sum(self.transitions.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"transition probabilities summing to 1 (exits included), they sum to {total:.6g}")
        return self


class PathwaySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    description: Description = ""
    stages: dict[Name, StageSpec]

    @field_validator("stages")
    @classmethod
    def _not_empty(cls, v):
        if not v:
            raise ValueError("at least one stage")
        return v


def resolve(name_or_path, relative_to: Path | None = None) -> Path:
    """A pathway file: a path (relative to ``relative_to``) or the name of a shipped pathway."""
    candidates = _candidates(name_or_path, relative_to, None if relative_to else os.getcwd())
    for candidate in candidates:
        if is_file(candidate):
            return candidate
    return candidates[0]


@lru_cache(maxsize=256)
def _candidates(name_or_path, relative_to: Path | None, cwd: str | None) -> tuple[Path, ...]:
    """Where a pathway file may be, in order: the same paths for the same name, so made once (making
    them costs more than looking for the files, which ``resolve`` does every time)."""
    path = Path(name_or_path)
    return (path,) if path.is_absolute() else ((relative_to or Path(cwd)) / path, PATHWAY_DIR / path,
                                               PATHWAY_DIR / f"{name_or_path}.yaml")


def _referred(path: Path, name, referrer, field: str) -> None:
    """Refuse a pathway file that is not there (or no regular file), naming the scenario key that names it."""
    try:
        regular_file(path)
    except InputError as exc:
        expected = exc.problems[0].expected
        if expected == "an existing file":
            names = ", ".join(p.stem for p in sorted(PATHWAY_DIR.glob("*.yaml")))
            expected = f"an existing pathway file (relative to the scenario) or a shipped pathway name ({names})"
        raise InputError.one(referrer, field, expected, name if exc.problems[0].found is None else
                             f"{name}: {exc.problems[0].found}") from None


def load(path) -> nx.DiGraph:
    """Load and validate one pathway file into a graph whose nodes are ``pathway/stage``."""
    path = Path(path)
    data = read_yaml(path, "pathway")
    try:
        spec = PathwaySpec.model_validate(data)
    except ValidationError as exc:
        raise from_pydantic(path, exc, PathwaySpec) from None
    graph = nx.DiGraph(name=spec.name, description=spec.description, file=str(path))
    for stage, s in spec.stages.items():
        graph.add_node(qualify(spec.name, stage), **s.model_dump(exclude={"transitions"}), pathway=spec.name,
                       stage=stage, final=not s.transitions, file=str(path))
    problems = []
    for stage, s in spec.stages.items():
        for target, p in s.transitions.items():
            node = target if target.startswith(EXIT_PREFIX) else qualify(spec.name, target)
            if graph.has_edge(qualify(spec.name, stage), node):  # 'worker' and 'course/worker': one stage
                problems.append(Problem(str(path), f"stages.{stage}.transitions.{target}",
                                        "each target named once (this one is already a transition)", target))
            if target.startswith(EXIT_PREFIX) and not re.fullmatch(NAME_PATTERN, target[len(EXIT_PREFIX):]):
                problems.append(Problem(str(path), f"stages.{stage}.transitions.{target}",
                                        f"'exit:<reason>' with a reason name matching {NAME_PATTERN!r} (leavers "
                                        "are counted by it: exit:not_in_mental_health)", target))
            if not target.startswith(EXIT_PREFIX) and "/" not in target and node not in graph:
                problems.append(Problem(str(path), f"stages.{stage}.transitions.{target}",
                                        f"a stage of this pathway ({', '.join(spec.stages)}), "
                                        "'pathway/stage' or 'exit:<reason>'", target))
            graph.add_edge(qualify(spec.name, stage), node, probability=p)
    if problems:
        raise InputError(problems)
    return graph


def qualify(pathway: str, stage: str) -> str:
    return stage if "/" in stage or stage.startswith(EXIT_PREFIX) else f"{pathway}/{stage}"


def combine(graphs: list[nx.DiGraph]) -> nx.DiGraph:
    """Join pathways into one graph and check cross-references and reachability."""
    combined = nx.DiGraph()
    names = [g.graph["name"] for g in graphs]
    for g in graphs:
        if names.count(g.graph["name"]) > 1:
            raise InputError.one(g.graph["file"], "name", "a pathway name used only once", g.graph["name"])
        combined.add_nodes_from((n, d) for n, d in g.nodes(data=True) if d)
    problems = []
    for g in graphs:
        for source, target, d in g.edges(data=True):
            if not target.startswith(EXIT_PREFIX) and target not in combined:
                problems.append(Problem(g.graph["file"], f"stages.{g.nodes[source]['stage']}.transitions.{target}",
                                        "a stage defined in a loaded pathway", target))
                continue
            if target.startswith(EXIT_PREFIX):
                combined.add_node(target, exit=True, reason=target[len(EXIT_PREFIX):])
            combined.add_edge(source, target, **d)
    if problems:
        raise InputError(problems)
    reachable = reached(combined.successors, [n for n, d in combined.nodes(data=True) if d.get("entry")])
    for g in graphs:
        for node in g.nodes:
            if node in combined and not combined.nodes[node].get("exit") and node not in reachable:
                raise InputError.one(g.graph["file"], f"stages.{combined.nodes[node]['stage']}",
                                     "a stage reachable from an entry stage (mark one 'entry: true')", node)
    stuck = set(trapped(combined))
    for g in graphs:
        for node in g.nodes:
            if node in stuck:
                problems.append(Problem(g.graph["file"], f"stages.{combined.nodes[node]['stage']}.transitions",
                                        "transitions leading on to a final stage or an exit, with a probability "
                                        "above 0 (this stage is in a cycle with no way out)", node))
    if problems:
        raise InputError(problems)
    return combined


def trapped(graph: nx.DiGraph) -> list[str]:
    """The stages with no way on, along transitions of a probability above 0, to a final stage or an
    exit: a cycle of them would keep people (trainees, who neither leave nor retire) in it for ever."""
    taken = nx.subgraph_view(graph, filter_edge=lambda a, b: graph.edges[a, b]["probability"] > 0)
    way_out = reached(taken.predecessors, [n for n, d in graph.nodes(data=True) if d.get("exit") or d.get("final")])
    return [n for n in graph.nodes if n not in way_out]


def reached(neighbours, sources) -> set:
    """The nodes reached from any of ``sources`` (themselves included) through ``neighbours``: one
    walk for them all, so that a pathway of thousands of stages is checked in the time of its size
    (a walk from each entry stage took minutes)."""
    seen, todo = set(sources), list(sources)
    while todo:
        for n in neighbours(todo.pop()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def load_all(files, relative_to: Path | None = None, referrer=None) -> nx.DiGraph:
    """Load several pathway files (collecting every file's problems) and combine them. A file
    that is missing, or no regular file, is named by the ``referrer`` (the scenario) and its
    ``pathways.<i>`` key, when given.

    The combined graph is kept by the files' paths and bytes (``layering.kept``): a batch compiles
    its scenario again for each parameter set, from the same pathway files. Each call gets a copy
    of its own (``set_choice_shares`` changes it). ``files`` is a list: one name given as text was read
    as a list of its letters, each looked for as a file."""
    if not (isinstance(files, (list, tuple)) and files and all(isinstance(f, (str, os.PathLike)) for f in files)):
        raise InputError.one("load_pathways", "files", "a list of at least one shipped pathway name or pathway "
                                                       "file (such as ['nursing'])", files)
    paths = [resolve(f, relative_to) for f in files]
    combined = kept(_COMBINED, tuple(map(str, paths)), paths, lambda: _load_all(files, paths, referrer))
    return combined.copy()


def _load_all(files, paths: list[Path], referrer) -> nx.DiGraph:
    """``load_all``, loaded. A file the ``referrer`` lists twice is named by its second ``pathways.<i>``
    key, not as the pathway name it would then give twice (in a file the user did not edit)."""
    graphs, problems, listed = [], [], {}
    for i, (f, path) in enumerate(zip(files, paths)):
        try:
            if referrer is not None:
                _referred(path, f, referrer, f"pathways.{i}")
                first = listed.setdefault(os.path.realpath(path), i)
                if first != i:
                    problems.append(Problem(str(referrer), f"pathways.{i}", f"each pathway file once (pathways.{first} "
                                                                            "names it too)", f))
                    continue
            graphs.append(load(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return combine(graphs)


_COMBINED: dict = {}  # combined pathway graphs, by their files' paths and SHA-256 (``layering.kept``); never changed


def set_choice_shares(graph: nx.DiGraph, shares: dict[str, dict[str, float]], file) -> None:
    """Override transition probabilities (choice shares) in place: ``{stage: {target: probability}}``.

    A stage's targets not named keep their proportions and are rescaled so that all its transitions
    still sum to 1 (e.g. setting OT graduates' mental health share to 0.2 makes the other
    specialisms 0.8). Stages and targets are named as in the pathway files (``pathway/stage``; a
    target as in the stage's ``transitions``, local or qualified). Problems raise ``InputError``
    naming ``transitions.<stage>.<target>`` in ``file``."""
    problems = []
    for stage, targets in shares.items():
        if stage not in graph or graph.nodes[stage].get("exit") or not graph.out_degree(stage):
            problems.append(Problem(str(file), f"transitions.{stage}", "a pathway stage with transitions ('pathway/stage')",
                                    stage))
            continue
        pathway = graph.nodes[stage]["pathway"]
        chosen = {}
        for target, p in targets.items():
            node = qualify(pathway, str(target))
            if not graph.has_edge(stage, node):
                names = ", ".join(graph.successors(stage))
                problems.append(Problem(str(file), f"transitions.{stage}.{target}", f"a transition of {stage} ({names})",
                                        target))
            elif node in chosen:  # 'worker' and 'course/worker': one target, the share of which?
                problems.append(Problem(str(file), f"transitions.{stage}.{target}", "each target named once (as "
                                        "local or as 'pathway/stage': this one is already given)", target))
            else:
                chosen[node] = p
        rest = [t for t in graph.successors(stage) if t not in chosen]
        left = 1.0 - sum(chosen.values())
        rest_total = sum(graph.edges[stage, t]["probability"] for t in rest)
        if left < -1e-9 or (left > 1e-9 and rest_total <= 0):
            problems.append(Problem(str(file), f"transitions.{stage}",
                                    "choice shares that leave the stage's other transitions a share in [0, 1] "
                                    "(all transitions sum to 1)", {str(k): v for k, v in targets.items()}))
            continue
        for node, p in chosen.items():
            graph.edges[stage, node]["probability"] = float(p)
        for t in rest:
            graph.edges[stage, t]["probability"] *= max(left, 0.0) / rest_total
    stuck = set(trapped(graph)) if not problems else set()
    problems += [Problem(str(file), f"transitions.{stage}", "choice shares that leave a way on to a final stage or "
                                                            "an exit (these close a cycle with no way out)",
                         {str(k): v for k, v in targets.items()}) for stage, targets in shares.items() if stage in stuck]
    if problems:
        raise InputError(problems)


def provided(files, relative_to: Path | None = None) -> dict[str, object]:
    """The stages and staff groups a scenario's list of pathway ``files`` has, each with the entry of the list
    whose file has it; a file that does not load is passed over (it is named where the list is loaded)."""
    out: dict[str, object] = {}
    for entry in [f for f in files if isinstance(f, str)] if isinstance(files, list) else []:
        try:
            graph = load(resolve(entry, relative_to))
        except InputError:
            continue
        for node, d in graph.nodes(data=True):
            if d:  # its own stages: a stage of another pathway its transitions lead to has no data here
                out.setdefault(node, entry)
                out.setdefault(d["staff_group"], entry)
    return out


def stages(graph: nx.DiGraph) -> list[str]:
    """Stage nodes (not exits) in a stable order: by pathway file order, then stage order."""
    return [n for n, d in graph.nodes(data=True) if not d.get("exit")]


def shipped() -> list[Path]:
    return sorted(PATHWAY_DIR.glob("*.yaml"))


def subgraph(graph: nx.DiGraph, names: list[str]) -> nx.DiGraph:
    """The stages of the named pathways, with the stages and exits their transitions lead to."""
    own = [n for n in stages(graph) if graph.nodes[n]["pathway"] in names]
    keep = list(dict.fromkeys(own + [t for n in own for t in graph.successors(n)]))
    sub = graph.subgraph(keep).copy()
    sub.graph["name"] = ", ".join(names)
    return sub


def describe(graph: nx.DiGraph, pathway: str | None = None) -> str:
    """A text listing of stages (of one pathway, or all) and their transitions."""
    lines = []
    for node in stages(graph):
        if pathway is not None and graph.nodes[node]["pathway"] != pathway:
            continue
        d = graph.nodes[node]
        kind = "training" if d["training"] else "post"
        duration = f"{d['duration_years']:g} y" if d["duration_years"] else "final"
        extra = f", attrition {d['attrition']:.0%}" if d["attrition"] else ""
        if d.get("extra_time"):
            x = d["extra_time"]
            extra += f", {x['share']:.0%} take {x['years'][0]:g}-{x['years'][1]:g} y more"
        lines.append(f"  {node:<44} {d['staff_group']:<24} {kind:<8} {duration}{extra}")
        for _, target, e in graph.out_edges(node, data=True):
            lines.append(f"      -> {target:<40} {e['probability']:.3f}")
    return "\n".join(lines)
