"""Reading input files: one YAML reader for every kind of file, refusing keys given twice."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import tiny_scenario
from conftest import has_problem
from sim import calibration, experiment, pathways, scenario
from sim.cli import main
from sim.errors import InputError, Problem, from_pydantic, read_yaml


def _refusal(path, text: str) -> str:
    """The message refusing a YAML file of ``text``."""
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_yaml(path)
    return str(info.value)


def test_a_key_given_twice_names_the_file_the_field_and_both_lines(tmp_path):
    path = tmp_path / "twice.yaml"
    message = _refusal(path, "a:\n  b: 1\n  c: [1, {x: 1, y: 2, x: 3}]\n")
    assert has_problem(message, "twice.yaml", "a.c.1.x", "each key once in a mapping ('x' is on line 3 and again on "
                                                         "line 3)"), message
    message = _refusal(path, "a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert has_problem(message, "twice.yaml", "a.b", "'b' is on line 2 and again on line 4"), message
    message = _refusal(path, "places:\n  2016: 25\n  +2016: 40\n")  # one year in two forms
    assert has_problem(message, "twice.yaml", "places.+2016", "'2016' is on line 2 and again, as '+2016', on line 3"), \
        message


@pytest.mark.parametrize("written", ["025", "0x7E0", "0b11", "1_000", "0.7_9", "1_0.5", "1:30", "1:30.5",
                                     "!!int '025'"])
def test_a_number_yaml_would_read_in_another_base_is_refused_naming_its_field(tmp_path, written):
    """YAML 1.1 reads 025 as 21 (octal) and 1:30 as 90 (sixty-based): a value changed in silence; and 0x7E0 as a
    year written twice would be."""
    message = _refusal(tmp_path / "n.yaml", f"intake:\n  places:\n    2016: {written}\n")
    assert has_problem(message, "n.yaml", "intake.places.2016", "a number in plain decimal digits"), message
    message = _refusal(tmp_path / "n.yaml", f"places:\n  2016: 25\n  {written}: 40\n")
    key = written.rsplit(" ", 1)[-1].strip("'")  # as written, less a tag and quotes
    assert has_problem(message, "n.yaml", f"places.{key}", "a number in plain decimal digits"), message
    (tmp_path / "n.yaml").write_text("places: {2016: 25, +25: 1, -3: 0, 0: 1.5, 7: 1e-3}\n")
    assert read_yaml(tmp_path / "n.yaml") == {"places": {2016: 25, 25: 1, -3: 0, 0: 1.5, 7: 0.001}}


def test_a_set_where_a_list_is_expected_is_refused_as_its_order_is_not_kept(tmp_path):
    message = _refusal(tmp_path / "s.yaml", "name: x\npathways: !!set {nursing, psychiatry}\n")
    assert has_problem(message, "s.yaml", "pathways", "a list written as a list (not a !!set"), message


def test_an_integer_longer_than_python_reads_is_named_by_its_field_and_line(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text("a:\n  b: [1, " + "9" * 5000 + "]\n")
    with pytest.raises(InputError) as info:
        read_yaml(path)
    assert has_problem(str(info.value), "long.yaml", "a.b.1", "a number of at most 4,300 digits"), str(info.value)
    assert "5,000 characters on line 2" in str(info.value)
    path.write_text("a: " + "9" * 4300 + "\n")
    assert read_yaml(path) == {"a": int("9" * 4300)}  # up to the limit, read as written


def test_binary_data_is_refused_naming_its_field(tmp_path):
    """``!!binary`` is decoded to bytes, which a text field took as text: a name read as 'hello', unsaid."""
    path = tmp_path / "s.yaml"
    path.write_text("name: !!binary aGVsbG8=\ngroups: {nursing: {rate: 0.1}}\n")
    with pytest.raises(InputError) as info:
        read_yaml(path)
    [problem] = info.value.problems
    assert (problem.file, problem.field) == (str(path), "name") and "not !!binary data" in problem.expected


def test_what_yaml_keeps_apart_or_merges_on_purpose_is_not_a_duplicate(tmp_path):
    path = tmp_path / "fine.yaml"
    path.write_text("base: &b {x: 1, y: 2}\nd: {<<: *b, x: 5}\nplaces: {2019: 1, '2019': 2}\ne: *b\n")
    assert read_yaml(path) == {"base": {"x": 1, "y": 2}, "d": {"x": 5, "y": 2}, "places": {2019: 1, "2019": 2},
                               "e": {"x": 1, "y": 2}}


def test_every_kind_of_input_file_refuses_a_key_given_twice(tmp_path):
    """Scenario, pathway, experiment and calibration files are all read by the one reader."""
    scenario_path = tiny_scenario.write(tmp_path)
    text = scenario_path.read_text()
    scenario_path.write_text(text.replace("end: 2030-03\n", "end: 2030-03\nend: 2031-03\n"))
    with pytest.raises(InputError) as info:
        scenario.load(scenario_path)
    assert has_problem(str(info.value), "tiny.yaml", "end", "'end' is on line 3 and again on line 4"), str(info.value)

    scenario_path.write_text(text)
    pathway = tmp_path / "course.yaml"
    pathway.write_text(pathway.read_text().replace("    attrition: 0.0\n", "    attrition: 0.0\n    attrition: 0.1\n"))
    with pytest.raises(InputError) as info:
        pathways.load(pathway)
    assert has_problem(str(info.value), "course.yaml", "stages.student.attrition", "each key once"), str(info.value)

    path = tmp_path / "e.yaml"
    path.write_text("name: e\nscenario: tiny.yaml\nreplications: 1\nseed: 1\nseed: 2\n")
    with pytest.raises(InputError) as info:
        experiment.load(path)
    assert has_problem(str(info.value), "e.yaml", "seed", "'seed' is on line 4 and again on line 5"), str(info.value)

    path = tmp_path / "history.yaml"
    path.write_text(yaml.safe_dump({"name": "h", "scenario": "tiny.yaml", "fit": ["groups.staff.leaving.rate"],
                                    "targets": {}}) + "fit: []\n")
    with pytest.raises(InputError) as info:
        calibration.load(path)
    assert has_problem(str(info.value), "history.yaml", "fit", "each key once"), str(info.value)


def test_a_key_given_twice_on_the_command_line_exits_2(tmp_path, capsys):
    path = tiny_scenario.write(tmp_path)
    path.write_text(path.read_text() + "start: 2021-03\n")
    assert main(["run", str(path), "--replications", "1", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "tiny.yaml: start: expected each key once in a mapping ('start' is on line 2 and again on line" in err
    assert "Traceback" not in err


def test_the_pure_python_loader_reads_the_same_and_refuses_the_same(tmp_path, monkeypatch):
    """Without libyaml the reader falls back to PyYAML's own safe loader: same data, same checks."""
    from sim import errors

    shipped = scenario.resolve(scenario.DEFAULT)
    fast = read_yaml(shipped)
    monkeypatch.setattr(errors, "_SafeLoader", yaml.SafeLoader)
    assert read_yaml(shipped) == fast
    path = tmp_path / "twice.yaml"
    path.write_text("a: {b: 1, b: 2}\n")
    with pytest.raises(InputError, match="a.b: expected each key once in a mapping"):
        read_yaml(path)


@pytest.mark.parametrize("loader", ["libyaml", "pure Python"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be"])
def test_a_file_saved_by_another_tool_with_a_byte_order_mark_is_read_as_written(tmp_path, monkeypatch, loader,
                                                                                 encoding):
    """Windows PowerShell and Notepad save text as UTF-16 with a byte order mark, which says so: such a scenario
    was refused as not UTF-8. It reads as the same data, with Windows line endings too."""
    from sim import errors

    if loader == "pure Python":
        monkeypatch.setattr(errors, "_SafeLoader", yaml.SafeLoader)
    shipped = scenario.resolve(scenario.DEFAULT)
    path = tmp_path / "saved.yaml"
    text = shipped.read_text(encoding="utf-8")
    bom = b"\xfe\xff" if encoding == "utf-16-be" else b""  # Python's utf-16 writes its own
    path.write_bytes(bom + text.replace("\n", "\r\n").encode(encoding))
    assert read_yaml(path) == read_yaml(shipped)


def test_a_utf_16_file_cut_short_is_refused_naming_it(tmp_path):
    (tmp_path / "cut.yaml").write_bytes("start: 2021-03\n".encode("utf-16")[:-1])
    with pytest.raises(InputError) as info:
        read_yaml(tmp_path / "cut.yaml")
    message = str(info.value)
    assert has_problem(message, "cut.yaml", "<top level>", "a readable UTF-8 text file (or UTF-16 with its byte "
                                                           "order mark)"), message
    assert "not UTF-16" in message, message


@pytest.mark.parametrize("loader", ["libyaml", "pure Python"])
def test_a_number_with_an_exponent_is_read_as_a_number(tmp_path, monkeypatch, loader):
    """As YAML 1.2 reads it: PyYAML's YAML 1.1 took 1e-3 for text, refused as 'not a probability'."""
    from sim import errors

    if loader == "pure Python":
        monkeypatch.setattr(errors, "_SafeLoader", yaml.SafeLoader)
    path = tmp_path / "numbers.yaml"
    path.write_text("rate: 1e-3\nbig: 1.5e6\nsigned: -2E+2\nquoted: '1e3'\nword: 12e\nwhole: 2019\n")
    assert read_yaml(path) == {"rate": 0.001, "big": 1.5e6, "signed": -200.0, "quoted": "1e3", "word": "12e",
                               "whole": 2019}
    assert yaml.safe_load("rate: 1e-3") == {"rate": "1e-3"}  # PyYAML's own loader, which others share, as it was


def test_a_rate_written_with_an_exponent_is_a_probability(tmp_path):
    path = tiny_scenario.write(tmp_path)
    path.write_text(path.read_text().replace("rate: 0.0\n", "rate: 1e-2\n", 1))
    assert scenario.load(path).spec.groups["staff"].leaving.rate == 0.01


@pytest.mark.parametrize("loader", ["libyaml", "pure Python"])
@pytest.mark.parametrize("text", [
    "name: " + "[" * 1200 + "]" * 1200 + "\n",  # on one line: libyaml stops at its own limit before any event
    "name:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 80)) + " " * 80 + "end: 1\n",  # block mappings
    "name: " + "{a: " * 70 + "1" + "}" * 70 + "\n",
], ids=["flow sequences", "block mappings", "flow mappings"])
def test_nesting_is_measured_by_us_whichever_parser_reads(tmp_path, monkeypatch, loader, text):
    """The message is ours ("nested at most 64 deep"), never a parser's limit or a RecursionError."""
    from sim import errors

    if loader == "pure Python":
        monkeypatch.setattr(errors, "_SafeLoader", yaml.SafeLoader)
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_yaml(path)
    assert has_problem(str(info.value), "deep.yaml", "<top level>", "valid YAML nested at most 64 deep"), str(info.value)


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("name: " + "[" * 63 + "1" + "]" * 63 + "\n")  # the mapping and 63 lists: 64 deep
    value = read_yaml(path)["name"]
    for _ in range(63):
        value = value[0]
    assert value == 1


def test_a_syntax_error_is_valid_yaml_expected_with_its_line_not_the_line_itself(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("a: 1\npassword: [hunter2-SECRET\n")
    with pytest.raises(InputError) as info:
        read_yaml(path)
    assert has_problem(str(info.value), "broken.yaml", "<top level>", "valid YAML"), str(info.value)
    assert "line " in str(info.value) and "hunter2" not in str(info.value)


@pytest.mark.parametrize("text, line", [("name: x\nstart: 2021-03\n\tend: 2041-03\n", 3),
                                        ("name: x\ngroups:\n  nursing:\n\t  leaving: 0.1\n", 4),
                                        ("items:\n  - a\n\t- b\n", 3)])
def test_a_tab_indenting_a_line_is_named_as_a_tab_with_its_line(tmp_path, text, line):
    path = tmp_path / "tabbed.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_yaml(path)
    assert has_problem(str(info.value), "tabbed.yaml", "<top level>", "valid YAML"), str(info.value)
    assert f"a tab (YAML indents with spaces, never tabs) at line {line}," in str(info.value)


@pytest.mark.parametrize("value, expected", [("x", "a text of at least 3 characters"),
                                             ("abcdef", "a text of at most 5 characters")])
def test_a_text_too_short_or_too_long_is_said_in_our_words(value, expected):
    from pydantic import BaseModel, Field, ValidationError

    class Cited(BaseModel):
        source: str = Field(min_length=3, max_length=5)

    with pytest.raises(ValidationError) as info:
        Cited(source=value)
    message = str(from_pydantic("ranges.yaml", info.value))
    assert message == f"ranges.yaml: source: expected {expected} (found {value!r})"


@pytest.mark.parametrize("found, shown", [(np.float64("nan"), "nan"), (np.int64(7), "7"), (np.str_("x"), "'x'")])
def test_a_value_read_from_a_table_is_shown_as_the_number_or_text_it_is(found, shown):
    assert str(Problem("sets.csv", "weight", "numbers", found)) == f"sets.csv: weight: expected numbers (found {shown})"


def test_a_key_long_or_with_control_characters_is_named_by_a_short_printable_excerpt(tmp_path, capsys):
    """A field is made of names read from the file: one that is a long or binary line is not echoed."""
    key = "\x1b[2J\x07" + "y" * 3000 + "hunter2-SECRET"
    data = yaml.safe_load(yaml.safe_dump(tiny_scenario.SCENARIO)) | {key: 1}
    data["stocks"][key] = {"headcount": 1}
    tiny_scenario.write(tmp_path)
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(data))
    assert main(["run", str(tmp_path / "tiny.yaml")]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "hunter2" not in err and len(err) < 1000, err
    assert "tiny.yaml: '\\x1b[2J\\x07yyy" in err and "tiny.yaml: stocks.'\\x1b[2J\\x07yyy" in err, err
    assert str(InputError.one("f.csv", "groups.staff.leaving.rate, row 2", "x")) == \
        "f.csv: groups.staff.leaving.rate, row 2: expected x"  # a plain field as it is


def test_every_shipped_input_file_is_of_its_own_kind():
    """The keys that tell a file of another kind apart (errors.KINDS) never refuse a file of the kind itself."""
    from conftest import REPO
    from sim.errors import kind_of

    data = REPO / "sim" / "data"
    expected = {**{p: "scenario" for p in (data / "scenarios").glob("*.yaml")},
                **{p: "pathway" for p in (data / "pathways").glob("*.yaml")},
                **{p: "ranges" for p in (data / "plausibility").glob("*.yaml")},
                **{p: "population" for p in (data / "demand").glob("*.yaml")},
                **{p: "experiment" for p in (REPO / "experiments").glob("*.yaml")},
                data / "calibration" / "history-2015-2021.yaml": "history",
                data / "calibration" / "backtest-2021-2024.yaml": "backtest",
                **{p: "parameters" for p in (data / "calibration").glob("wales-mh-v*.yaml")}}
    assert len(expected) > 20
    assert {p.name: (kind_of(read_yaml(p)) or ("none",))[0] for p in expected} == \
        {p.name: kind for p, kind in expected.items()}


@pytest.mark.parametrize("kind, document, other", [
    # a baseline alone over the scenario's whole run (no policies:, no years:) with overrides: of its scenario
    ("experiment", {"name": "x", "replications": 2, "seed": 1, "overrides": {"groups.nursing.joiners.per_year": 100}},
     "a calibration parameter file (it has overrides:)"),
    # a back-test fitting a history file again, its fit_until: left out (which its own check names)
    ("backtest", {"name": "x", "fit": "history.yaml", "targets": {}}, "a history-targets file (it has fit:)"),
], ids=["experiment with overrides", "back-test without fit_until"])
def test_a_file_whose_only_telling_key_is_one_its_kind_has_too_is_read_as_its_kind(tmp_path, kind, document, other):
    """Taken for the other kind whose own key it has (an experiment for a parameter file, a back-test for a history
    file, which lists the keys it fits), it was refused as that, not named by what it lacks."""
    path = tmp_path / "given.yaml"
    path.write_text(yaml.safe_dump(document))
    assert read_yaml(path, kind) == document
    with pytest.raises(InputError) as error:  # still that other kind's key, read as a scenario
        read_yaml(path, "scenario")
    assert error.value.problems[0].found == other


@pytest.mark.parametrize("kind", ["scenario", "experiment", "pathway", "history", "backtest", "parameters",
                                  "ranges", "population"])
def test_a_file_of_another_kind_is_refused_saying_which_it_is(tmp_path, kind):
    path = tmp_path / "given.yaml"
    path.write_text(yaml.safe_dump({"name": "x", "policies": {}}))  # an experiment's key
    if kind == "experiment":
        assert read_yaml(path, kind) == {"name": "x", "policies": {}}
        return
    with pytest.raises(InputError) as error:
        read_yaml(path, kind)
    [problem] = error.value.problems
    assert (problem.file, problem.field, problem.found) == (str(path), "", "an experiment file (it has policies:)")
    assert problem.expected.endswith("file, not another kind of input file")
    with pytest.raises(InputError):  # read before and found good as a mapping: refused as well
        read_yaml(path, kind)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")
    leaving: float = 0.0
    joining: float = 0.0


class _Grow(_Section):
    kind: Literal["grow"] = "grow"
    factor: float = 1.0


class _Shrink(_Section):
    kind: Literal["shrink"] = "shrink"
    share: float = 0.0


class _Plan(BaseModel):
    """A small schema: a section, a table and a list of sections, and a union of sections told apart by a tag."""

    model_config = ConfigDict(extra="forbid")
    start: str = ""
    group: _Section | None = None
    groups: dict[str, _Section] = {}
    steps: list[_Section] = []
    changes: list[Annotated[_Grow | _Shrink, Field(discriminator="kind")]] = []


def _refused(data: dict, schema) -> list[str]:
    """The field and what was expected of each problem of ``data`` as a ``_Plan``, as ``from_pydantic`` given
    ``schema`` says them."""
    with pytest.raises(ValidationError) as info:
        _Plan.model_validate(data)
    return [f"{p.field}: {p.expected}" for p in from_pydantic("plan.yaml", info.value, schema).problems]


@pytest.mark.parametrize("data, expected", [
    ({"strat": "x"}, "strat: no such key here (unknown key; there is start here)"),
    ({"group": {"leavng": 0.1}}, "group.leavng: no such key here (unknown key; there is leaving here)"),
    ({"groups": {"nursing": {"joinng": 0.1}}}, "groups.nursing.joinng: no such key here (unknown key; there is "
                                               "joining here)"),
    ({"steps": [{}, {"leavin": 0.1}]}, "steps.1.leavin: no such key here (unknown key; there is leaving here)"),
    ({"changes": [{"kind": "shrink", "shares": 0.1}]}, "changes.0.shrink.shares: no such key here (unknown key; "
                                                       "there is share here)"),
    ({"group": {"colour": "red"}}, "group.colour: no such key here (unknown key)"),
], ids=["top level", "a section", "a table's section", "a list's section", "a tagged union's section", "none close"])
def test_an_unknown_key_is_named_with_the_key_of_its_section_it_is_close_to(data, expected):
    assert _refused(data, _Plan) == [expected]


def test_an_unknown_key_without_the_schema_is_named_plainly():
    assert _refused({"strat": "x"}, None) == ["strat: no such key here (unknown key)"]
