"""Pathway files: the shipped graphs, and every kind of bad pathway input ending in an InputError."""

from __future__ import annotations

import math

import networkx as nx
import pytest
import yaml

from conftest import DELETE, SCENARIO_FILE, has_problem
from sim import pathways, scenario
from sim.errors import InputError, shown

# ---- shipped pathways ------------------------------------------------------------------------


@pytest.mark.parametrize("path", pathways.shipped(), ids=lambda p: p.stem)
def test_shipped_pathway_is_a_graph_whose_timed_stages_sum_to_one(path):
    graph = pathways.load(path)
    assert isinstance(graph, nx.DiGraph)
    assert graph.graph["name"] == path.stem
    own = [n for n, d in graph.nodes(data=True) if d.get("pathway") == path.stem]
    assert own and all(n.startswith(f"{path.stem}/") for n in own)
    assert any(graph.nodes[n]["entry"] for n in own)
    for node in own:
        out = [d["probability"] for _, _, d in graph.out_edges(node, data=True)]
        if graph.nodes[node]["final"]:
            assert out == [] and graph.nodes[node]["duration_years"] is None
        else:
            assert math.isclose(sum(out), 1.0, abs_tol=1e-9), node
            assert graph.nodes[node]["duration_years"] > 0


def test_shipped_psychiatry_edges_and_exits():
    graph = pathways.load(pathways.PATHWAY_DIR / "psychiatry.yaml")
    assert graph.edges["psychiatry/foundation", "psychiatry/core_psychiatry"]["probability"] == 0.024
    # the others start core training after a year or two out (P§1: most F2s do not go straight on)
    assert graph.edges["psychiatry/foundation", "psychiatry/year_out"]["probability"] == 0.036
    assert set(graph.successors("psychiatry/year_out")) == {"psychiatry/core_psychiatry", "psychiatry/second_year_out"}
    assert set(graph.successors("psychiatry/second_year_out")) == {"psychiatry/core_psychiatry"}
    assert graph.has_edge("psychiatry/cct", "exit:no_substantive_post")
    assert set(graph.successors("psychiatry/core_psychiatry")) == {
        "psychiatry/higher_specialty", "psychiatry/sas", "exit:did_not_progress"}


def test_combined_shipped_pathways_link_across_files():
    graph = pathways.load_all(["psychiatry", "nursing", "hcsw", "psychology"])
    assert graph.has_edge("hcsw/nursing_apprenticeship", "nursing/registered_nurse")
    assert graph.nodes["exit:did_not_progress"] == {"exit": True, "reason": "did_not_progress"}
    assert len(pathways.stages(graph)) == 22


def test_loading_pathways_again_gives_a_graph_of_its_own():
    files = ["psychiatry", "nursing", "hcsw", "psychology"]
    first = pathways.load_all(files)
    first.edges["hcsw/nursing_apprenticeship", "nursing/registered_nurse"]["probability"] = 0.5
    first.remove_node("psychology/caap")
    again = pathways.load_all(files)  # kept by the files' contents, and copied
    assert again is not first and "psychology/caap" in again
    assert again.edges["hcsw/nursing_apprenticeship", "nursing/registered_nurse"]["probability"] != 0.5
    assert nx.utils.graphs_equal(again, pathways.combine([pathways.load(pathways.resolve(f)) for f in files]))


def test_describe_lists_stages_and_transitions_of_one_pathway():
    graph = scenario.load().graph
    text = pathways.describe(graph, "psychiatry")
    lines = text.splitlines()
    stage_lines = [line.split()[0] for line in lines if not line.lstrip().startswith("->")]
    assert stage_lines == ["psychiatry/" + s for s in ("medical_school", "medical_school_graduate_entry", "foundation",
                                                        "year_out", "second_year_out", "core_psychiatry",
                                                        "higher_specialty", "cct", "consultant", "sas")]
    assert any(line.split() == ["->", "psychiatry/core_psychiatry", "0.024"] for line in lines)
    assert any(line.split()[0] == "psychiatry/higher_specialty" and line.endswith("40% take 1-2 y more")
               for line in lines)
    assert "nursing/" not in text
    assert "hcsw/support_worker" in pathways.describe(graph)


def test_load_of_a_missing_pathway_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.yaml: <top level>: expected an existing file"):
        pathways.load(tmp_path / "nope.yaml")


# ---- bad pathway files, through scenario.load ------------------------------------------------

PRE_REG = "stages.pre_registration_degree"
NURSE = "stages.registered_nurse"

BAD_PATHWAYS = {
    # unknown key
    "unknown stage key": ("nursing", {f"{NURSE}.colour": "red"}, f"{NURSE}.colour", "unknown key"),
    "unknown top-level key": ("nursing", {"version": 2}, "version", "unknown key"),
    "unknown ltft key": ("psychiatry", {"stages.foundation.ltft.hours": 0.5}, "stages.foundation.ltft.hours",
                         "unknown key"),
    "misspelt stage key": ("nursing", {f"{NURSE}.atrition": 0.1}, f"{NURSE}.atrition",
                           "(unknown key; there is attrition here)"),
    "misspelt top-level key": ("nursing", {"descripton": "x"}, "descripton",
                               "(unknown key; there is description here)"),
    # unknown stage
    "transition to unknown stage": (
        "psychiatry", {"stages.foundation.transitions": {"core_psych": 0.06, "exit:other": 0.94}},
        "stages.foundation.transitions.core_psych", "a stage of this pathway"),
    "transition to unknown stage of another pathway": (
        "hcsw", {"stages.nursing_apprenticeship.transitions": {"nursing/registered_nures": 1.0}},
        "stages.nursing_apprenticeship.transitions.nursing/registered_nures", "a stage defined in a loaded pathway"),
    "transition to a pathway not loaded": (
        "hcsw", {"stages.nursing_apprenticeship.transitions": {"midwifery/midwife": 1.0}},
        "stages.nursing_apprenticeship.transitions.midwifery/midwife", "a stage defined in a loaded pathway"),
    "unreachable stage": ("psychology", {"stages.orphan": {"staff_group": "psychological_therapies"}},
                          "stages.orphan", "reachable from an entry stage"),
    "stage unreachable once entry removed": ("psychology", {"stages.psychological_therapist.entry": False},
                                             "stages.psychological_therapist", "reachable from an entry stage"),
    "exit without a reason": (
        "nursing", {f"{PRE_REG}.transitions": {"registered_nurse": 0.8, "exit:": 0.2}}, f"{PRE_REG}.transitions.exit:",
        "'exit:<reason>' with a reason name"),
    "exit with a reason that is no name": (
        "nursing", {f"{PRE_REG}.transitions": {"registered_nurse": 0.8, "exit:not employed": 0.2}},
        f"{PRE_REG}.transitions.exit:not employed", "'exit:<reason>' with a reason name"),
    # a name pattern's $ matches before a last line break in Python's re: the reason's line break was counted
    "exit with a reason ending in a line break": (
        "nursing", {f"{PRE_REG}.transitions": {"registered_nurse": 0.8, "exit:not_employed\n": 0.2}},
        f"{PRE_REG}.transitions.{shown('exit:not_employed' + chr(10))}", "'exit:<reason>' with a reason name"),
    # probabilities
    "attrition above 1": ("nursing", {f"{PRE_REG}.attrition": 1.5}, f"{PRE_REG}.attrition", "less than or equal to 1"),
    "negative transition probability": (
        "nursing", {f"{PRE_REG}.transitions": {"registered_nurse": 1.2, "exit:not_employed_in_wales_mh": -0.2}},
        f"{PRE_REG}.transitions.exit:not_employed_in_wales_mh", "greater than or equal to 0"),
    "transition probability above 1": (
        "hcsw", {"stages.nursing_apprenticeship.transitions.nursing/registered_nurse": 1.5},
        "stages.nursing_apprenticeship.transitions.nursing/registered_nurse", "less than or equal to 1"),
    "outgoing probabilities sum below 1": ("nursing", {f"{PRE_REG}.transitions.registered_nurse": 0.7},
                                           PRE_REG, "transition probabilities summing to 1"),
    "outgoing probabilities sum above 1": ("psychiatry", {"stages.foundation.transitions.core_psychiatry": 0.5},
                                           "stages.foundation", "summing to 1"),
    "ltft share above 1": ("psychiatry", {"stages.foundation.ltft.share": 2}, "stages.foundation.ltft.share",
                           "a probability in [0, 1]"),
    "ltft share by sex without men": ("psychiatry", {"stages.core_psychiatry.ltft.share": {"female": 0.3}},
                                      "stages.core_psychiatry.ltft.share", "{female: p, male: p}"),
    "ltft persist above 1": ("psychiatry", {"stages.core_psychiatry.ltft.persist": 1.5},
                             "stages.core_psychiatry.ltft.persist", ""),
    "ltft fraction reversed": ("psychiatry", {"stages.foundation.ltft.fraction": [0.8, 0.6]}, "stages.foundation.ltft",
                               "low <= high"),
    "extra time share above 1": ("psychiatry", {"stages.core_psychiatry.extra_time": {"share": 1.5, "years": [1, 2]}},
                                 "stages.core_psychiatry.extra_time.share", "less than or equal to 1"),
    "extra time years reversed": ("psychiatry", {"stages.core_psychiatry.extra_time": {"share": 0.3, "years": [2, 1]}},
                                  "stages.core_psychiatry.extra_time", "low <= high"),
    "extra time of no years": ("psychiatry", {"stages.core_psychiatry.extra_time": {"share": 0.3, "years": [0, 1]}},
                               "stages.core_psychiatry.extra_time.years.0", "greater than 0"),
    # drawn in whole months rounded up: [0.001, 0.002] was a month for everyone taking it, in silence
    "extra time under half a month": ("psychiatry", {"stages.core_psychiatry.extra_time": {"share": 0.3,
                                                                                          "years": [0.001, 0.002]}},
                                      "stages.core_psychiatry.extra_time.years", "extra time reaching more than half "
                                                                                 "a month"),
    "extra time on a post": ("psychiatry", {"stages.consultant.extra_time": {"share": 0.3, "years": [1, 2]}},
                             "stages.consultant", "extra_time only on a training stage with a duration"),
    "attrition on a post": ("nursing", {f"{NURSE}.attrition": 0.9}, NURSE, "attrition only on a training stage"),
    "ltft on a post": ("nursing", {f"{NURSE}.ltft": {"share": 0.9, "fraction": [0.2, 0.3]}}, NURSE,
                       "ltft only on a training stage"),
    "own establishment on a training stage": ("nursing", {f"{PRE_REG}.own_establishment": True}, PRE_REG,
                                              "own_establishment only on a stage of posts"),
    # durations
    "zero duration": ("nursing", {f"{PRE_REG}.duration_years": 0}, f"{PRE_REG}.duration_years", "greater than 0"),
    "negative duration": ("nursing", {f"{PRE_REG}.duration_years": -1}, f"{PRE_REG}.duration_years",
                          "greater than 0"),
    "NaN duration": ("nursing", {f"{PRE_REG}.duration_years": float("nan")}, f"{PRE_REG}.duration_years",
                     "finite number"),
    "duration of half a month": ("nursing", {f"{PRE_REG}.duration_years": 1 / 24}, f"{PRE_REG}.duration_years",
                                 "a duration of more than half a month"),
    "final training stage": ("psychiatry", {"stages.second_year_out.duration_years": DELETE,
                                            "stages.second_year_out.transitions": DELETE},
                             "stages.second_year_out", "duration_years and transitions for a training stage"),
    "cycle whose way out has probability 0": (
        "psychiatry", {"stages.year_out.transitions": {"core_psychiatry": 0.0, "second_year_out": 1.0},
                       "stages.second_year_out.transitions": {"year_out": 1.0, "core_psychiatry": 0.0}},
        "stages.year_out.transitions", "with a probability above 0 (this stage is in a cycle with no way out)"),
    "duration on a final stage": ("nursing", {f"{NURSE}.duration_years": 5}, NURSE, "transitions"),
    # missing fields
    "missing staff_group": ("nursing", {f"{NURSE}.staff_group": DELETE}, f"{NURSE}.staff_group", "required"),
    "missing duration of a timed stage": ("nursing", {f"{PRE_REG}.duration_years": DELETE}, PRE_REG,
                                          "duration_years"),
    "missing name": ("nursing", {"name": DELETE}, "name", "required"),
    "missing stages": ("nursing", {"stages": DELETE}, "stages", "required"),
    "no stages": ("nursing", {"stages": {}}, "stages", "at least one stage"),
    # wrong types
    "duration as a word": ("nursing", {f"{PRE_REG}.duration_years": "three"}, f"{PRE_REG}.duration_years",
                           "a valid number"),
    "label as a number": ("nursing", {f"{NURSE}.label": 5}, f"{NURSE}.label", "a valid string"),
    "training not a boolean": ("nursing", {f"{PRE_REG}.training": "maybe"}, f"{PRE_REG}.training", "a valid boolean"),
    "stages as a list": ("nursing", {"stages": ["registered_nurse"]}, "stages", "a valid dictionary"),
    "empty stage": ("psychiatry", {"stages.sas": None}, "stages.sas", "a valid dictionary"),
    "transitions as a list": ("nursing", {f"{PRE_REG}.transitions": ["registered_nurse"]}, f"{PRE_REG}.transitions",
                              "a valid dictionary"),
    "name as a list": ("nursing", {"name": ["nursing"]}, "name", "a valid string"),
    # names
    "pathway name used twice": ("nursing", {"name": "hcsw"}, "name", "a pathway name used only once"),
    # whole-file problems
    "empty file": ("nursing", "", "<top level>", "a mapping"),
    "list instead of a mapping": ("nursing", "- registered_nurse\n", "<top level>", "a mapping"),
    "invalid YAML": ("nursing", "stages: {registered_nurse: [\n", "<top level>", "valid YAML"),
}


@pytest.mark.parametrize("name, edits, field, expected", BAD_PATHWAYS.values(), ids=BAD_PATHWAYS.keys())
def test_bad_pathway_file(case, load_error, name, edits, field, expected):
    load_error(case(**{name: edits}), f"{name}.yaml", field, expected)


def test_problems_in_several_pathway_files_are_all_reported(case):
    path = case(nursing={f"{PRE_REG}.attrition": 1.5}, psychiatry={"stages.cct.duration_years": 0})
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert [(p.file.rsplit("/", 1)[-1], p.field) for p in info.value.problems] == [
        ("psychiatry.yaml", "stages.cct.duration_years"), ("nursing.yaml", f"{PRE_REG}.attrition")]


def test_missing_pathway_file_named_in_scenario(case, load_error):
    path = case({"pathways": ["psychiatry.yaml", "nursing.yaml", "hcsw.yaml", "psychology.yaml", "midwifery.yaml"]})
    error = load_error(path, "scenario.yaml", "pathways.4", "an existing pathway file (relative to the scenario)")
    assert error.problems[0].found == "midwifery.yaml"  # named by the scenario's key that refers to it


def test_stage_with_an_unknown_staff_group(case, load_error):
    # reported against the pathway's field, where the typo usually is
    path = case(psychiatry={"stages.foundation.staff_group": "psychiatri"})
    load_error(path, "psychiatry.yaml", "stages.foundation.staff_group", "a group defined in")


# ---- names and types that must be rejected ----------------------------------------------------


@pytest.mark.parametrize("stage", ["nursing/registered_nurse", "exit:foundation_outside_wales"])
def test_stage_name_that_is_not_a_plain_name(case, load_error, stage):
    path = case(psychiatry={f"stages.{stage}": {"staff_group": "psychiatry", "entry": True}})
    load_error(path, "psychiatry.yaml", f"stages.{stage}", "")


@pytest.mark.parametrize("bad_name", ["", "psy/chiatry"])
def test_pathway_name_that_is_not_a_plain_name(case, load_error, bad_name):
    load_error(case(psychiatry={"name": bad_name}), "psychiatry.yaml", "name", "")


def test_boolean_as_a_probability(case, load_error):
    load_error(case(nursing={f"{PRE_REG}.attrition": True}), "nursing.yaml", f"{PRE_REG}.attrition", "number")


# ---- choice shares set by a scenario ------------------------------------------------------------


def test_choice_shares_override_transitions_and_rescale_the_others():

    s = scenario.load("wales-mh-2021", {"transitions.psychiatry/core_psychiatry.higher_specialty": 0.8})
    core = s.graph.out_edges("psychiatry/core_psychiatry", data="probability")
    shares = {t: p for _, t, p in core}
    assert shares["psychiatry/higher_specialty"] == 0.8
    assert shares["psychiatry/sas"] == pytest.approx(0.06 * 0.2 / 0.26)
    assert shares["exit:did_not_progress"] == pytest.approx(0.20 * 0.2 / 0.26)
    i = s.stage_code("psychiatry/core_psychiatry")
    assert s.transition_cumulative[i][-1] == pytest.approx(1.0)
    # a qualified target name, and a choice of 1 that leaves the others nothing
    s = scenario.load("wales-mh-2021", {"transitions.occupational_therapy/degree.occupational_therapist": 1.0})
    assert s.graph.edges["occupational_therapy/degree", "exit:specialism_not_mental_health"]["probability"] == 0.0
    # the uncertain list may name choice shares; their shipped value is the pathway file's
    assert scenario.get({}, "transitions.psychiatry/foundation.core_psychiatry", "x", s.graph) == 0.024
    assert "transitions.psychiatry/foundation.core_psychiatry" in s.spec.uncertain


@pytest.mark.parametrize("key, value, field, expected", [
    ("transitions.psychiatry/nowhere.consultant", 0.5, "transitions.psychiatry/nowhere",
     "a pathway stage with transitions"),
    ("transitions.psychiatry/consultant.sas", 0.5, "transitions.psychiatry/consultant",
     "a pathway stage with transitions"),
    ("transitions.psychiatry/foundation.sas", 0.5, "transitions.psychiatry/foundation.sas",
     "a transition of psychiatry/foundation"),
    ("transitions.psychiatry/foundation.core_psychiatry", 1.5, "transitions.psychiatry/foundation.core_psychiatry",
     "less than or equal to 1"),
    ("transitions.psychiatry/foundation.core_psychiatry", True, "transitions.psychiatry/foundation.core_psychiatry",
     "a valid number"),
])
def test_bad_choice_shares_name_the_field(key, value, field, expected):

    with pytest.raises(InputError) as err:
        scenario.load("wales-mh-2021", {key: value})
    assert has_problem(str(err.value), "wales-mh-2021.yaml", field, expected), str(err.value)


def test_choice_shares_closing_a_cycle_with_no_way_out_are_an_input_error(case, load_error):
    """A year out and a second one that lead to each other, and on to core training: choice shares
    taking the way on to 0 would keep trainees in them until they retire."""
    cycle = {"stages.year_out.transitions": {"core_psychiatry": 0.5, "second_year_out": 0.5},
             "stages.second_year_out.transitions": {"year_out": 0.5, "core_psychiatry": 0.5}}
    scenario.load(case({}, psychiatry=cycle))
    path = case({"transitions": {"psychiatry/year_out": {"second_year_out": 1.0},
                                 "psychiatry/second_year_out": {"year_out": 1.0}}}, psychiatry=cycle)
    error = load_error(path, SCENARIO_FILE, "transitions.psychiatry/year_out", "choice shares that leave a way on")
    assert has_problem(str(error), SCENARIO_FILE, "transitions.psychiatry/second_year_out", "a way on"), str(error)


def test_a_choice_share_given_twice_for_one_target_is_an_input_error():
    """A target named as the pathway file names it and qualified is one transition: the last share
    given was taken, in silence."""
    with pytest.raises(InputError) as err:
        scenario.load("wales-mh-2021", {"transitions.psychiatry/core_psychiatry.higher_specialty": 0.5,
                                        "transitions.psychiatry/core_psychiatry.psychiatry/higher_specialty": 0.6})
    assert has_problem(str(err.value), "wales-mh-2021.yaml",
                       "transitions.psychiatry/core_psychiatry.psychiatry/higher_specialty", "each target named once"), \
        str(err.value)


def test_choice_shares_that_sum_over_one_are_an_input_error():

    with pytest.raises(InputError) as err:
        scenario.load("wales-mh-2021", {"transitions.psychiatry/core_psychiatry.higher_specialty": 0.8,
                                        "transitions.psychiatry/core_psychiatry.sas": 0.3})
    assert "transitions.psychiatry/core_psychiatry: expected choice shares that leave" in str(err.value)


def test_a_pathway_of_thousands_of_entry_stages_is_checked_in_the_time_of_its_size(tmp_path):
    """Reachability was a walk from each entry stage, in time growing with the square of their number:
    a chain of 12,000 (a 1.2 MB file, within the size limit) took 50 s to check, 4,000 about 4 s."""
    import time

    n = 4000
    stages = {f"s{i}": {"staff_group": "staff", "entry": True, **({"duration_years": 1, "transitions": {f"s{i + 1}": 1.0}}
                                                                    if i < n - 1 else {})} for i in range(n)}
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump({"name": "chain", "stages": stages}))
    graph = pathways.load(path)
    began = time.process_time()
    combined = pathways.combine([graph])
    assert time.process_time() - began < 1 and len(combined) == n
