"""Fuzzing: thousands of mutated scenario, pathway and experiment files either load or raise
``InputError`` naming file, field and expectation -- never another exception, never a hang.

A seeded mutator (``random.Random`` with a fixed seed per case, so every run checks the same
cases and a failure names the case that broke) edits a small valid scenario with two pathways
(a cross-link and an in-service route) and an experiment that uses every lever: it deletes,
adds and renames keys, puts in values of the wrong type, out of range, non-finite or huge,
points references at stages, groups and levers that do not exist, rewires transitions into
cycles with no way out, and replaces whole files with nothing, binary garbage, truncated or
corrupted text, YAML bombs, self-referencing aliases and object-constructing tags. Loading never
runs the model. Each case has a time budget (a SIGALRM timer), so a hang fails the test.

A smaller set goes through the command line (``python -m sim run FILE --until <start+1>`` and
``workforce batch``), which must exit 0 or 2 with no traceback.

The last section pins each crash the fuzzer found with a regression test.
"""

from __future__ import annotations

import contextlib
import copy
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

import tiny_scenario
from conftest import REPO, has_problem
from sim import experiment, scenario
from sim.errors import InputError

BUDGET = 10.0  # seconds a case may take to load (they take milliseconds): more is a hang

# ---- the valid starting point ------------------------------------------------------------------
COURSE = copy.deepcopy(tiny_scenario.PATHWAY)
COURSE["stages"]["student"]["ltft"] = {"share": 0.2, "fraction": [0.5, 0.8]}
COURSE["stages"]["student"]["attrition"] = 0.1
COURSE["stages"]["student"]["transitions"] = {"worker": 0.9, "exit:elsewhere": 0.1}
ROUTE = copy.deepcopy(tiny_scenario.ROUTE)
SCENARIO = copy.deepcopy(tiny_scenario.SCENARIO)
SCENARIO["pathways"] = ["course.yaml", "route.yaml"]
SCENARIO["groups"]["staff"]["leaving"] = {"rate": [0.1, 0.08, 0.05], "reasons": {"elsewhere": 0.6, "wales": 0.4}}
SCENARIO["groups"]["staff"]["retirement"]["rate"] = {"female": [0.0, 0.1, 0.3], "male": [0.0, 0.1, 0.3]}
SCENARIO["groups"]["staff"]["joiners"] = {"per_year": 10.0, "fill_per_month": 0.1, "stages": {"course/worker": 1.0},
                                          "sources": {"uk": 0.7, "international": 0.3}, "age": [[25, 40, 1.0]]}
SCENARIO["intake"]["course/student"]["places"] = {2019: 20, 2022: 25}
SCENARIO["intake"]["route/apprentice"] = {"month": 9, "places": {2019: 5}, "from_stage": "course/worker"}
SCENARIO["stocks"]["course/student"] = {"headcount": 30, "age": [[18, 25, 0.8], [25, 40, 0.2]]}
SCENARIO["uncertain"] = {"groups.staff.leaving.rate": {"scale": [0.5, 1.5], "why": "a test"}}
SCENARIO["demand"] = {"kind": "stated_growth", "growth_per_year": 0.02,
                      "expansion": {"per_year": 0.1, "years": 2, "start": "2021-03"}}
LEVERS = [
    {"lever": "retention", "groups": ["staff"], "factor": 0.8, "start": "2020-06", "ages": [0, 55]},
    {"lever": "training_places", "stage": "course/student", "places": {2020: 30}, "extra": 2, "fill_rate": 0.9},
    {"lever": "in_service_route", "stage": "route/apprentice", "extra": 1},
    {"lever": "retire_and_return", "groups": ["staff"], "share": 0.5, "hours_cut": 0.2, "stay_years": [1, 2],
     "retirement_factor": 0.9},
    {"lever": "ltft_training", "stages": ["course/student"], "share": 0.3, "fraction": [0.5, 0.8],
     "extra_places": 0.1},
    {"lever": "recruitment", "groups": ["staff"], "extra_per_year": 5, "fill_per_month": 0.2,
     "source": "international"},
    {"lever": "training_attrition", "reduction": 0.2, "stages": ["course/student"]},
    {"lever": "transitions", "stage": "course/student", "shares": {"course/worker": 0.95, "exit:elsewhere": 0.05}},
    {"lever": "funded_posts", "groups": ["staff"], "fte": 5.0, "share": 0.1, "ramp_years": 1.5},
]
EXPERIMENT = {
    "name": "fuzz", "scenario": "tiny.yaml", "years": 1, "replications": 1, "seed": 3,
    "overrides": {"groups.staff.retirement.max_age": 68},
    "policies": {"more": {"description": "every lever", "levers": LEVERS},
                 "fewer": {"levers": [{"lever": "training_places", "stage": "course/student", "extra": -5}]}},
    "uncertain": {"groups.staff.retire_and_return.share": {"range": [0.1, 0.3]},
                  "groups.staff.leaving.rate": {"scale": [0.5, 1.5]}},
    "parameter_sets": 2,
    "sensitivity": {"outcomes": ["fte:staff:2021"], "policy": "more", "morris_trajectories": 2, "sobol_samples": 4},
}
FILES = {"tiny.yaml": SCENARIO, "course.yaml": COURSE, "route.yaml": ROUTE}

# ---- the mutator -------------------------------------------------------------------------------------
NAMES = ["course/nope", "nope/worker", "exit:", "exit:x", "staff", "nope", "course/student", "route/apprentice",
         "worker", "student", "baseline", "retention", "bonus", "Course", "a b", "x/y/z", "../tiny.yaml", "wales-mh-2021",
         "tiny.yaml", "course.yaml", "", "\x00", "é", "\u202e"]
ODD = [None, True, False, 0, -1, 1, 2, 3, 12, 13, 0.5, -0.5, 1.5, 1e-320, 1e308, -1e308, float("inf"), float("-inf"),
       float("nan"), 10**30, -(10**30), 2**63, 2**64 + 1, 100, 101, 120, 1900, 2019, 2200, 2201, "", "x", "1e3", "0.5",
       "2020-13", "2020-00", "0000-01", "9999-12", "2021-03", "2021-3", [], [1], [None], ["a"], [0.1, 0.2],
       [0, 1, 2, 3, 4, 5], [[0, 1, 0.5]], [[50, 20, 1.0]], [[18, 1e308, 1.0]], [[18, 30, 0.5], [30, 40, 0.6]], {},
       {"a": 1}, {1: 2}, {"female": [0.1], "male": [0.2]}, {"low": 0.1, "high": 0.2}, "x" * 1000,
       list(range(300)), {f"k{i}": i for i in range(100)}]


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _at(node, path):
    for k in path:
        node = node[k]
    return node


def _odd(rng):
    return copy.deepcopy(rng.choice(ODD + NAMES if rng.random() < 0.3 else ODD))


def mutate(data, rng: random.Random):
    """1 to 4 random edits of a copy of ``data``; returns the copy."""
    data = copy.deepcopy(data)
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        paths = [p for p in _paths(data) if p]
        if not paths:
            return data
        path = rng.choice(paths)
        parent, key = _at(data, path[:-1]), path[-1]
        kind = rng.random()
        if kind < 0.15:  # a missing key or list item
            del parent[key]
        elif kind < 0.25 and isinstance(parent, dict):  # an extra key
            parent[rng.choice(["extra", "nope", 7, None, True, "stages", "transitions", "x/y", "extends", "calibration",
                               "course/nope", "exit:x"])] = _odd(rng)
        elif kind < 0.38 and isinstance(parent, dict):  # a renamed key: an unknown stage, group, lever, field
            value = parent.pop(key)
            parent[rng.choice(NAMES + [f"{key}x", str(key).upper(), 7, 2.5])] = value
        elif kind < 0.48 and isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
            parent[key] = rng.choice([-1, 0, 2, 10, 1e6, 1e9, -1e-9, 1 + 1e-9]) * parent[key]  # out of range
        elif kind < 0.52 and isinstance(parent, list):  # a duplicated entry
            parent.insert(key, copy.deepcopy(parent[key]))
        else:  # a value of the wrong type, out of range, non-finite, huge, or an unknown name
            parent[key] = _odd(rng)
    return data


def rewire(pathway, rng: random.Random):
    """Transitions rewired into a cycle with no exit (or pointing at unknown stages)."""
    pathway = copy.deepcopy(pathway)
    stages = pathway.get("stages")
    if not isinstance(stages, dict) or not stages:
        return pathway
    names = list(stages)
    for i, name in enumerate(names):
        stage = stages[name]
        if isinstance(stage, dict) and rng.random() < 0.8:
            target = rng.choice([names[(i + 1) % len(names)], name, "nope", f"{pathway.get('name')}/{name}"])
            stage["transitions"] = {target: 1.0}
            stage.setdefault("duration_years", 1)
    return pathway


BOMB = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
GARBAGE = {
    "empty": lambda text, rng: "",
    "null": lambda text, rng: "null\n",
    "a list": lambda text, rng: "- 1\n- 2\n",
    "a number": lambda text, rng: "3\n",
    "binary": lambda text, rng: rng.randbytes(rng.randrange(1, 400)),
    # UTF-16 without its byte order mark, which nothing can tell from other bytes (with it, a file is read)
    "utf-16": lambda text, rng: text.encode("utf-16-le"),
    "truncated": lambda text, rng: text[: rng.randrange(len(text))],
    "corrupted": lambda text, rng: "".join(
        rng.choice(":-[]{}&*!|>'\"#%@`\t\x00\x07\n ") if rng.random() < 0.02 else ch for ch in text),
    "lines shuffled": lambda text, rng: "\n".join(rng.sample(text.splitlines(), len(text.splitlines()))),
    "a YAML bomb": lambda text, rng: "a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB + "name: *i\n",
    "a self-referencing alias": lambda text, rng: "a: &a [*a]\n" + text,
    "deep nesting": lambda text, rng: "name: " + "[" * 200 + "]" * 200 + "\n",
    "an object tag": lambda text, rng: "!!python/object/apply:os.system ['echo pwned']\n",
    "a name tag": lambda text, rng: text + "\nx: !!python/name:os.system\n",
    "a huge integer": lambda text, rng: text + "\nx: " + "9" * 5000 + "\n",
    "an impossible date": lambda text, rng: text + "\nx: 2021-02-30\n",
    "duplicate keys": lambda text, rng: text + "\n" + text,
    "a NUL byte": lambda text, rng: text.replace("\n", "\x00\n", 1),
}
VERY_DEEP = {"very deep nesting": lambda text, rng: "name: " + "[" * 1200 + "]" * 1200 + "\n"}  # slow: not fuzzed


# ---- running a case ------------------------------------------------------------------------------------
class Hang(Exception):
    pass


@contextlib.contextmanager
def budget(seconds: float, what: str):
    def alarm(*_):
        raise Hang(f"{what} took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def dump(data) -> str:
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, allow_unicode=True)


def write_case(directory: Path, texts: dict[str, str | bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (directory / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))


def check_error(exc: InputError, case: str) -> None:
    """Every problem names a file, a field (or the top level) and what was expected; one line each, short."""
    assert exc.problems, case
    for p in exc.problems:
        assert isinstance(p.file, str) and p.file, (case, p)
        assert isinstance(p.field, str), (case, p)
        assert isinstance(p.expected, str) and p.expected.strip(), (case, p)
        assert len(str(p)) < 1500 + len(p.file), (case, str(p)[:300])  # a file name is as long as it was given
    assert "Traceback" not in str(exc)


def load_case(load, path: Path, case: str) -> str:
    """'loaded' or 'input error'; anything else fails the test, naming the case."""
    try:
        with budget(BUDGET, case):
            load(path)
        return "loaded"
    except InputError as exc:
        check_error(exc, case)
        return "input error"
    except Hang:
        raise
    except Exception as exc:  # the point of the test: say which case, with what
        raise AssertionError(f"{case}: {type(exc).__name__}: {exc}") from exc


def scenario_case(seed: int, i: int) -> tuple[str, dict[str, str | bytes]]:
    """The files of case i: one of them mutated, rewired or replaced by garbage."""
    rng = random.Random(f"scenario-{seed}-{i}")
    target = rng.choice(["tiny.yaml", "tiny.yaml", "course.yaml", "route.yaml"])
    texts: dict[str, str | bytes] = {name: dump(data) for name, data in FILES.items()}
    roll = rng.random()
    if roll < 0.08:
        kind = rng.choice(sorted(GARBAGE))
        texts[target] = GARBAGE[kind](texts[target], rng)
    elif roll < 0.16 and target != "tiny.yaml":
        kind = "rewired"
        texts[target] = dump(rewire(FILES[target], rng))
    else:
        kind = "mutated"
        texts[target] = dump(mutate(FILES[target], rng))
    return f"scenario case {seed}/{i} ({kind} {target})", texts


def experiment_case(seed: int, i: int) -> tuple[str, dict[str, str | bytes]]:
    rng = random.Random(f"experiment-{seed}-{i}")
    text = dump(EXPERIMENT)
    if rng.random() < 0.06:
        kind = rng.choice(sorted(GARBAGE))
        text = GARBAGE[kind](text, rng)
    else:
        kind = "mutated"
        text = dump(mutate(EXPERIMENT, rng))
    return f"experiment case {seed}/{i} ({kind})", {"e.yaml": text}


# ---- the tests --------------------------------------------------------------------------------------------
def test_the_starting_point_is_valid(tmp_path):
    write_case(tmp_path, {name: dump(data) for name, data in FILES.items()} | {"e.yaml": dump(EXPERIMENT)})
    loaded = scenario.load(tmp_path / "tiny.yaml")
    assert loaded.stages == ["course/student", "course/worker", "route/apprentice"]
    assert len(experiment.load(tmp_path / "e.yaml").jobs()) == 3 * 2 * 1


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_scenarios_and_pathways_load_or_raise_input_error(tmp_path, seed):
    outcomes = Counter()
    for i in range(450):
        case, texts = scenario_case(seed, i)
        write_case(tmp_path / "case", texts)
        outcomes[load_case(scenario.load, tmp_path / "case" / "tiny.yaml", case)] += 1
    # the mutator must produce both: otherwise it tests nothing (all rejected) or too little (all accepted)
    assert outcomes["loaded"] >= 15 and outcomes["input error"] >= 250, outcomes


def test_mutated_experiments_load_or_raise_input_error(tmp_path):
    write_case(tmp_path, {name: dump(data) for name, data in FILES.items()})
    outcomes = Counter()
    for i in range(1000):
        case, texts = experiment_case(1, i)
        write_case(tmp_path, texts)
        outcomes[load_case(experiment.load, tmp_path / "e.yaml", case)] += 1
    assert outcomes["loaded"] >= 40 and outcomes["input error"] >= 500, outcomes


def test_mutated_copies_of_the_shipped_scenario_load_or_raise_input_error(case, tmp_path):
    """Fewer cases (each loads the full Welsh scenario): the shipped files' own structure mutated."""
    from conftest import DATA, PATHWAY_NAMES

    shipped = {f"{n}.yaml": yaml.safe_load((DATA / "pathways" / f"{n}.yaml").read_text()) for n in PATHWAY_NAMES}
    path = case()  # the shipped scenario, its pathways copied beside it
    base = yaml.safe_load(path.read_text())
    outcomes = Counter()
    for i in range(24):
        rng = random.Random(f"shipped-{i}")
        target = rng.choice(["scenario.yaml"] * 2 + sorted(shipped))
        data = base if target == "scenario.yaml" else shipped[target]
        (tmp_path / target).write_text(dump(mutate(data, rng)))
        outcomes[load_case(scenario.load, path, f"shipped case {i} ({target})")] += 1
        (tmp_path / target).write_text(dump(data))
    assert outcomes["input error"] >= 12, outcomes


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_garbage_in_any_file_is_an_input_error_naming_that_file(tmp_path, kind):
    rng = random.Random(kind)
    texts = {name: dump(data) for name, data in FILES.items()} | {"e.yaml": dump(EXPERIMENT)}
    for target in ["tiny.yaml", "course.yaml", "e.yaml"]:
        broken = dict(texts)
        broken[target] = GARBAGE[kind](texts[target], rng)
        write_case(tmp_path / target, broken)
        load = experiment.load if target == "e.yaml" else scenario.load
        path = tmp_path / target / ("e.yaml" if target == "e.yaml" else "tiny.yaml")
        outcome = load_case(load, path, f"{kind} in {target}")
        assert outcome == "input error", (kind, target)
        with pytest.raises(InputError) as info:
            load(path)
        assert any(p.file.endswith(target) for p in info.value.problems), str(info.value)


# ---- through the command line -------------------------------------------------------------------------------
def _cli(args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_mutated_files_through_the_command_line_exit_0_or_2_without_a_traceback(tmp_path):
    jobs = []
    for i in range(8):  # runs: a mutated scenario or pathway, one year
        case, texts = scenario_case(7, i)
        directory = tmp_path / f"run{i}"
        write_case(directory, texts)
        jobs.append((case, ["run", "tiny.yaml", "--until", 2021, "--replications", 1 + i % 2, "--out", "out"],
                     directory))
    for i in range(5):  # batches: a mutated experiment (at most 2 replications and parameter sets, to stay cheap)
        case, texts = experiment_case(7, i)
        directory = tmp_path / f"batch{i}"
        write_case(directory, {name: dump(data) for name, data in FILES.items()} | texts)
        try:
            data = yaml.safe_load(texts["e.yaml"])
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict):
            for key in ("replications", "parameter_sets"):
                if isinstance(data.get(key), int) and data[key] > 2:
                    data[key] = 2
            (directory / "e.yaml").write_text(dump(data))
        jobs.append((case, ["batch", "e.yaml", "--workers", 1, "--quiet", "--out", "out"], directory))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: (job[0], _cli(job[1], job[2])), jobs))
    codes = Counter()
    for case, result in results:
        assert result.returncode in (0, 2), f"{case}: exit {result.returncode}\n{result.stderr[-3000:]}"
        assert "Traceback" not in result.stderr, f"{case}\n{result.stderr[-3000:]}"
        if result.returncode == 2:
            assert result.stderr.startswith("workforce: invalid input\n"), f"{case}\n{result.stderr[-3000:]}"
        codes[result.returncode] += 1
    assert codes[0] >= 2 and codes[2] >= 2, codes


# ---- regressions: the crashes the fuzzer found --------------------------------------------------------------
def _tiny(tmp_path, scenario_changes=None, pathway_changes=None):
    return tiny_scenario.write(tmp_path, scenario_changes, pathway_changes)


@pytest.mark.parametrize("changes, field, expected", [
    # huge sizes were a MemoryError or OverflowError when the model built people
    ({"intake.course/student.places": {2019: 1e308}}, "intake.course/student.places.2019", "less than or equal to"),
    ({"intake.course/student.places": {2019: 1e12}}, "intake.course/student.places.2019", "less than or equal to"),
    ({"stocks.course/worker.headcount": 10**12}, "stocks.course/worker.headcount", "less than or equal to"),
    ({"stocks.course/worker": {"fte": 1e15, "age": [[30, 50, 1.0]]}}, "stocks.course/worker.fte",
     "less than or equal to"),
    ({"groups.staff.establishment.vacancies_fte": 1e308}, "groups.staff.establishment.vacancies_fte",
     "less than or equal to"),
    # an age of 0 put children in post; an FTE of 1e-300 became 0 in float32
    ({"stocks.course/worker.age": [[0, 1, 1.0]]}, "stocks.course/worker.age.0.low", "greater than or equal to 16"),
    ({"groups.staff.participation": {"part_time_share": 1.0, "part_time_fte": [1e-300, 1e-300],
                                     "change_per_year": 1.0}},
     "groups.staff.participation.part_time_fte.0", "greater than or equal to 0.01"),
    # a year 9999 end made a run of 8,000 years
    ({"end": "9999-12"}, "end", "a year from 1900 to 2200"),
    ({"mho_end": "0001-01"}, "mho_end", "a year from 1900 to 2200"),
    ({"uncertain": {"groups.staff.leaving.rate": {"range": [float("nan"), 1.0]}}},
     "uncertain.groups.staff.leaving.rate.range.0", "finite number"),
])
def test_values_that_crashed_or_ran_away_are_input_errors(tmp_path, load_error, changes, field, expected):
    load_error(_tiny(tmp_path, changes), "tiny.yaml", field, expected)


@pytest.mark.parametrize("changes, field", [
    ({"stages.student.ltft": {"share": 1.0, "fraction": [1e-300, 1e-300]}}, "stages.student.ltft.fraction.0"),
    ({"stages.student.transitions": {"student": 1.0}}, "stages.student.transitions"),  # a loop with no way out
])
def test_pathway_values_that_broke_runs_are_input_errors(tmp_path, load_error, changes, field):
    expected = "greater than or equal to 0.01" if "ltft" in field else "a final stage or an exit"
    load_error(_tiny(tmp_path, None, changes), "course.yaml", field, expected)


def test_a_cycle_without_exits_names_every_stage_in_it_and_a_cycle_with_one_loads(tmp_path, load_error):
    pathway = {"stages.worker": {"staff_group": "staff", "entry": True, "duration_years": 1,
                                 "transitions": {"student": 1.0}}}
    error = load_error(_tiny(tmp_path / "closed", None, pathway), "course.yaml", "stages.worker.transitions",
                       "in a cycle with no way out")
    assert has_problem(str(error), "course.yaml", "stages.student.transitions", "in a cycle with no way out")
    pathway["stages.worker"]["transitions"] = {"student": 0.5, "exit:left": 0.5}
    assert scenario.load(_tiny(tmp_path / "open", None, pathway)).stages == ["course/student", "course/worker"]


@pytest.mark.parametrize("kind, expected", [
    ("a YAML bomb", "at most 200,000 values"),  # was minutes of repr and validation over billions of values
    ("a self-referencing alias", "no alias that contains itself"),  # was a crash in json.dumps of overrides
    ("deep nesting", "nested at most"),
    ("very deep nesting", "nested at most"),  # was a RecursionError in the YAML parser
    ("a huge integer", "a number of at most 4,300 digits"),  # was a ValueError converting 5,000 digits
    ("an impossible date", "valid YAML with valid values"),  # was a ValueError from datetime
])
def test_yaml_that_crashed_or_hung_is_an_input_error(tmp_path, kind, expected):
    text = (GARBAGE | VERY_DEEP)[kind](dump(EXPERIMENT), random.Random(0))
    (tmp_path / "e.yaml").write_text(text)
    with budget(BUDGET, kind), pytest.raises(InputError) as info:
        experiment.load(tmp_path / "e.yaml")
    field = "x" if kind == "a huge integer" else "<top level>"  # the integer's own key, before it is read
    assert has_problem(str(info.value), "e.yaml", field, expected), str(info.value)


def test_a_nul_byte_in_a_pathway_name_is_an_input_error(tmp_path, load_error):
    """Was a ValueError ('embedded null byte') opening the file."""
    load_error(_tiny(tmp_path, {"pathways": ["course\x00.yaml"]}), "tiny.yaml", "pathways.0",
               "a file name without a NUL byte")


@pytest.mark.parametrize("changes, field, expected", [
    ({"replications": 2**63}, "replications", "less than or equal to"),  # was an OverflowError spawning seeds
    ({"replications": 600_000}, "<top level>", "at most 1,000,000 runs"),
    ({"sensitivity": {"sobol_samples": 2**40}}, "sensitivity.sobol_samples", "less than or equal to"),
    ({"policies": {"p": {"levers": [{"lever": "training_places", "stage": "course/student", "extra": 1e300}]}}},
     "policies.p.levers.0.extra", "less than or equal to"),
])
def test_experiment_sizes_that_crashed_or_ran_away_are_input_errors(tmp_path, changes, field, expected):
    write_case(tmp_path, {name: dump(data) for name, data in FILES.items()})
    (tmp_path / "e.yaml").write_text(dump({**EXPERIMENT, **changes}))
    with pytest.raises(InputError) as info:
        experiment.load(tmp_path / "e.yaml")
    assert has_problem(str(info.value), "e.yaml", field, expected), str(info.value)


def test_problems_in_several_files_are_reported_together(tmp_path):
    bad_scenario = {"groups.staff.female_share": 1.5, "stocks.course/worker.headcount": -3, "start": "2020-13"}
    path = _tiny(tmp_path, bad_scenario, {"stages.student.attrition": 2.0})
    with pytest.raises(InputError) as info:
        scenario.load(path)
    message = str(info.value)
    assert has_problem(message, "tiny.yaml", "groups.staff.female_share", "less than or equal to 1"), message
    assert has_problem(message, "tiny.yaml", "stocks.course/worker.headcount", "greater than or equal to 0"), message
    assert has_problem(message, "tiny.yaml", "start", "YYYY-MM"), message
    assert has_problem(message, "course.yaml", "stages.student.attrition", "less than or equal to 1"), message
    # an experiment's own problems and its scenario's, together
    (tmp_path / "e.yaml").write_text(dump({**EXPERIMENT, "seed": -1}))
    with pytest.raises(InputError) as info:
        experiment.load(tmp_path / "e.yaml")
    assert has_problem(str(info.value), "e.yaml", "seed", "greater than or equal to 0"), str(info.value)
    assert has_problem(str(info.value), "course.yaml", "stages.student.attrition", "less than or equal to 1")


def test_input_files_are_read_only_with_the_safe_loader():
    """Nothing in an input file is executed: the package reads YAML only in ``errors.read_yaml``,
    with PyYAML's safe loader."""
    import re

    from sim import errors

    assert errors._SafeLoader in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader)
    for path in (REPO / "sim").rglob("*.py"):
        text = path.read_text()
        if path.name == "inference.py":  # candidates this process pickled for its own workers, never a file's
            text = text.replace("cloudpickle.loads(payload)", "")
        if path.name == "errors.py":  # data this process parsed with the safe loader and pickled itself
            text = text.replace("pickle.loads(_PARSED[digest])", "")
        if path.name == "layering.py":  # a scenario's layers this process read (as above) and pickled itself
            text = text.replace("pickle.loads(kept[3])", "")
        assert not re.findall(r"yaml\.(\w*load\w*)\b", text), path.name  # no yaml.load, yaml.safe_load, ...
        for unsafe in ("Loader", "unsafe_load", "full_load", "pickle.load", "eval(", "exec("):
            # jinja2's PackageLoader reads the report's templates, not YAML
            assert unsafe not in text.replace("CSafeLoader", "").replace("SafeLoader", "").replace(
                "PackageLoader", ""), (path.name, unsafe)


# ---- the dashboard keeps serving after odd input ----------------------------------------------------------
from test_app import dashboard  # noqa: E402,F401  (the fixture: workforce dashboard on a free port)


def test_the_dashboard_keeps_serving_after_odd_input(dashboard):  # noqa: F811
    """Garbage on the socket, odd HTTP requests and garbage on a session's websocket: the server
    answers them (or drops them) and goes on serving the page."""
    import socket
    import urllib.error
    import urllib.parse
    import urllib.request

    from websockets.sync.client import connect

    url = urllib.parse.urlsplit(dashboard)
    rng = random.Random(3)
    for raw in (rng.randbytes(3000), b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", b"GET / HTTP/9.9\r\n\x00\r\n\r\n"):
        with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
            sock.sendall(raw)
            sock.settimeout(5)
            with contextlib.suppress(OSError):
                sock.recv(1024)
    for path in ("nope", "?%%%=%", "static/../../../etc/passwd", "jupyter/api/kernels/nope", "_solara/api/x"):
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(dashboard + path, timeout=30).read()
    channel = f"ws://{url.hostname}:{url.port}/jupyter/api/kernels/fuzz/channels?session_id=fuzz"
    with contextlib.suppress(Exception), connect(channel, open_timeout=30, close_timeout=5) as ws:
        for message in ("not json", "{}", '{"header": {"msg_type": "comm_msg"}, "content": null}',
                        '{"header": 1, "parent_header": [], "metadata": "", "content": {"data": {"method": "update", '
                        '"state": {"value": "1e999"}}}, "channel": "shell"}', rng.randbytes(500)):
            ws.send(message)
    with urllib.request.urlopen(dashboard, timeout=60) as response:
        assert response.status == 200 and b"<html" in response.read().lower()


@pytest.mark.parametrize("from_stage", ["course/student", "route/apprentice"])
def test_an_in_service_route_must_select_from_another_post(tmp_path, load_error, from_stage):
    """Found auditing the schema: selecting from a training stage silently selected nobody, and a
    stage selecting from itself recorded moves from a stage to the same stage."""
    texts = {name: dump(data) for name, data in FILES.items()}
    bad = copy.deepcopy(SCENARIO)
    bad["intake"]["route/apprentice"]["from_stage"] = from_stage
    write_case(tmp_path, texts | {"tiny.yaml": dump(bad)})
    load_error(tmp_path / "tiny.yaml", "tiny.yaml", "intake.route/apprentice.from_stage",
               "a post people are selected from")
