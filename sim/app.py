"""The browser dashboard (``workforce dashboard``; ``solara run sim.app`` does the same).

A plain Solara page, not Mesa's ``SolaraViz``: one run is one seed, and a planner needs the
policy against its baseline with intervals, so **Run** runs a few replications of both (the
baseline twin shares each replication's seed: common random numbers) in a background thread,
with a progress bar, and draws means with 90% bands over them. The runs are exactly the jobs
``workforce batch`` would run for the experiment file the page offers for download, so the
download reproduces what the page shows.

A replication is a seed and its own scenario overrides (``Replication``): today every
replication has the page's overrides; a draw from a parameter posterior can carry its own.

Each browser session has its own inputs and results (Solara's reactive variables are per
session): one visitor's runs are never what another sees. On a laptop the levers are beside the
results; on a phone the results come first, under **Run**, then the levers; there is no side drawer.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import solara
import solara.lab
import yaml
from matplotlib.figure import Figure

# absolute imports: ``solara run sim/app.py`` executes this file outside the package
from sim import calendar
from sim import experiment as experiment_module
from sim import scenario as scenario_module
from sim.analysis import _summary, paired, run_values
from sim.errors import InputError, Problem, _short, is_whole
from sim.fields import by_sex
from sim.interventions import LtftTraining, Recruitment, RetireAndReturn, Retention, TrainingPlaces
from sim.labels import by_age_band, drawn
from sim.report import lever_words

TITLE = "Welsh mental health workforce: policy levers"
ALL = "every group"
LEVEL = 0.90
REPLICATIONS = 6  # default: a 10-year run takes about 0.3 s, so a policy and its baseline x 6 take seconds
# extra commissioned places a year on each pathway's entry course: stage -> (name on the page, slider top)
PLACES = {
    "nursing/pre_registration_degree": ("Nursing degree", 300),
    "psychiatry/core_psychiatry": ("Core psychiatry training", 40),
    "psychology/doctorate": ("Clinical psychology doctorate", 40),
    "psychology/caap_training": ("CAAP training (clinical associate in applied psychology)", 40),
    "occupational_therapy/degree": ("Occupational therapy degree", 100),
    "physician_associates/pa_course": ("Physician associate course", 40),
    "social_work/degree": ("Social work degree", 150),
}
LTFT_STAGES = ["psychiatry/core_psychiatry", "psychiatry/higher_specialty"]
INTERNATIONAL = "international"  # the pool of joiners the page's recruits come from
FEEDBACKS = {
    "supervision": "Supervision capacity: training places filled only as far as staff in post can supervise",
    "workload": "Workload: vacancies make staff more likely to leave",
    "substitution": "Substitution: physician associates take on part of psychiatry's demand",
}
# the measures the page compares (FTE in post, with trainees in service apart, as workforce run prints)
MEASURES = ("in_post_fte", "training_fte", "vacancies_fte", "establishment_fte")


# ---- inputs -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Inputs:
    """Everything the page's controls set; a run is a pure function of it."""

    scenario: str = scenario_module.DEFAULT  # a shipped name, or the path of an uploaded file
    until: int = 2031
    replications: int = REPLICATIONS
    seed: int = 1
    start_year: int | None = None  # levers in force from the start's month of this year (None: the start)
    places: tuple = ()  # ((stage, extra places a year), ...)
    retention: int = 0  # % fewer leavers
    retention_group: str = ALL
    return_share: int = 0  # percentage points more retirees returning
    ltft_share: int | None = None  # % of psychiatry trainees LTFT (None: the scenario's own)
    recruits: int = 0  # international recruits a year
    recruit_group: str = "nursing"
    growth: float | None = None  # establishment growth, % a year, every group (None: the scenario's own)
    feedbacks: tuple = ()  # feedbacks switched on, policy and baseline alike

    def with_places(self, stage: str, extra: int) -> "Inputs":
        places = dict(self.places)
        places[stage] = extra
        return dataclasses.replace(self, places=tuple(sorted((k, v) for k, v in places.items() if v)))


@dataclass(frozen=True)
class Replication:
    """One replication: a seed and the scenario overrides it runs with (policy and baseline alike)."""

    seed: int
    overrides: dict = field(default_factory=dict)
    posterior_set: int | None = None  # the calibration posterior's parameter set the seed draws (as batch does)


def scenario_file(name: str) -> Path:
    if not isinstance(name, str):  # a shipped name or an uploaded file's path: scenario_module.resolve says so
        return scenario_module.resolve(name)
    path = Path(name)
    return path if path.is_file() else scenario_module.resolve(name).resolve()


def compiled(inputs: Inputs):
    return scenario_module.compiled(str(scenario_file(inputs.scenario)), {})


def shipped_scenarios() -> list[str]:
    return sorted(p.stem for p in scenario_module.SCENARIO_DIR.glob("*.yaml"))


def scenario_names(uploads) -> dict[str, str]:
    """The scenarios to choose from, by the name the page shows: a shipped one's, or an uploaded file's
    name (never the folder the server keeps it in), numbered when a name was uploaded before."""
    out = {name: name for name in shipped_scenarios()}
    for path in uploads:
        name, n = f"{Path(path).name} (uploaded)", 1
        while name in out:
            n += 1
            name = f"{Path(path).name} (uploaded {n})"
        out[name] = path
    return out


def group_name(s, g: str) -> str:
    """A staff group's name for people: its ``label:`` without the bracketed detail."""
    if g == experiment_module.TOTAL:
        return "Total"
    text = getattr(s.spec.groups.get(g), "label", "") or g.replace("_", " ")
    return text.split(" (")[0]


def _ltft_of(s) -> tuple[np.ndarray, float]:
    """The first LTFT stage's share of trainees LTFT by sex (female, male), and its group's share of women."""
    stage = s.stage_code(LTFT_STAGES[0])
    return s.stage_ltft_share[stage], float(s.spec.groups[s.groups[s.stage_group[stage]]].female_share)


def default_ltft_percent(s) -> int | None:
    if LTFT_STAGES[0] not in s.stages:
        return None
    share, female = _ltft_of(s)
    return int(round(100 * float(share @ (female, 1.0 - female))))


def ltft_by_sex(s, percent: float):
    """The LTFT share of each sex that makes ``percent`` of psychiatry trainees LTFT, as the scenario
    splits its own between the sexes (29% of women and 2% of men for 14%: a slider of one share
    must not put men at women's rate); a woman's share at most 1, the rest made up by men."""
    (female, male), women = _ltft_of(s)
    overall, wanted = female * women + male * (1.0 - women), percent / 100.0
    if overall == 0 or female == male:
        return wanted
    female, male = female * wanted / overall, male * wanted / overall
    if female > 1.0 and women < 1.0:
        female, male = 1.0, min((wanted - women) / (1.0 - women), 1.0)
    return {"female": round(min(female, 1.0), 6), "male": round(male, 6)}


def default_growth(s) -> float | None:
    """The scenario's establishment growth (% a year) when every group has the same; else None (the
    history scenario's groups grow at their own published rates, which no single figure is)."""
    rates = {g.establishment.growth_per_year for g in s.spec.groups.values()}
    return round(100 * rates.pop(), 1) if len(rates) == 1 else None


def growth_text(s) -> str:
    """The scenario's establishment growth in words, for the slider's help."""
    if default_growth(s) is not None:
        return f"the scenario's is {default_growth(s):g}%"
    rates = [100 * g.establishment.growth_per_year for g in s.spec.groups.values()]
    return (f"the scenario's differs by group, from {min(rates):g}% to {max(rates):g}% a year, until the slider "
            "gives every group the same")


def recruit_groups(s) -> list[str]:
    """Groups recruiting internationally (an ``international`` pool among their joiners): the page's
    recruits are added to that pool, which the recruitment lever refuses to invent for a group."""
    return [g for g in s.groups if s.spec.groups[g].joiners is not None
            and INTERNATIONAL in s.spec.groups[g].joiners.sources]


def place_stages(s) -> list[str]:
    return [st for st in PLACES if st in s.spec.intake]


def places_now(s, stage: str, year: int) -> float:
    """Commissioned places of the academic year starting in ``year`` (the schedule's last year before it)."""
    places = s.spec.intake[stage].places
    years = [y for y in places if y <= year] or [min(places)]
    return places[max(years)]


def available_feedbacks(s) -> list[str]:
    f = s.spec.feedbacks
    out = []
    if f.supervision.placements:
        out.append("supervision")
    if f.workload.strength > 0:
        out.append("workload")
    if f.substitution.roles:
        out.append("substitution")
    return out


def first_year(s) -> int:
    return calendar.year_of(s.start)


def at_end(s, year) -> str:
    """The month a run to ``year`` ends in, and the year: "March 2031" (the scenario's end month of that year)."""
    return f"{calendar.month_name(s.end)} {year}"


def last_year_label(s) -> str:
    return f"Last year ({calendar.month_name(s.end)})"


def lever_year_label(s) -> str:
    return f"Levers in force from ({calendar.month_name(s.start)} of)"


def lever_start(inputs: Inputs, s) -> str | None:
    if inputs.start_year is None or inputs.start_year <= first_year(s):
        return None
    return calendar.label(calendar.month(inputs.start_year, s.start % 12 + 1))


def problems(inputs: Inputs, s) -> list[str]:
    """What is wrong with the inputs (a client may send any value): each says what was expected."""
    return [f"{name}: expected {expected} (found {_short(found)!r})" for name, _, expected, found in _wrong(inputs, s)]


def check(inputs: Inputs, s, function: str) -> None:
    """Refuse inputs the page would not run (``problems``), named by ``function`` and the field of
    ``Inputs``: ``simulate(Inputs(...))`` in Python runs only what the page would."""
    wrong = _wrong(inputs, s)
    if wrong:
        raise InputError([Problem(function, f"inputs.{field}", f"{expected} ({name} on the page)", found)
                          for name, field, expected, found in wrong])


def _wrong(inputs: Inputs, s) -> list[tuple[str, str, str, object]]:
    """(the input's name on the page, its field of ``Inputs``, what was expected, what was found) for
    each input outside its range."""
    out = []
    first, last = first_year(s), calendar.year_of(s.end)

    def whole(name, field, value, low, high):
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        if not ok:
            out.append((name, field, f"a whole number from {low} to {high}", value))

    whole(last_year_label(s), "until", inputs.until, first + 1, last)
    whole("Replications", "replications", inputs.replications, 2, 20)
    whole("First seed", "seed", inputs.seed, 0, 9999)
    if inputs.start_year is not None:
        whole(lever_year_label(s), "start_year", inputs.start_year, first, max(first, inputs.until - 1)
              if isinstance(inputs.until, int) else last)
    pairs = isinstance(inputs.places, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in inputs.places)
    if not pairs:  # as Inputs.with_places makes them
        out.append(("Training places", "places", "pairs of a course and its extra places a year", inputs.places))
    for stage, extra in inputs.places if pairs else ():
        if stage not in place_stages(s):
            out.append(("Training places", "places", f"a course of this scenario ({', '.join(place_stages(s))})",
                        stage))
        else:
            whole(f"{PLACES[stage][0]}: extra places a year", f"places.{stage}", extra, 0, PLACES[stage][1])
    whole("Fewer leavers (%)", "retention", inputs.retention, 0, 50)
    whole("More retirees return (percentage points)", "return_share", inputs.return_share, 0, 50)
    if inputs.ltft_share is not None and default_ltft_percent(s) is None:  # no slider: no trainees to set
        out.append(("Psychiatry trainees less than full time (%)", "ltft_share", f"None, as this scenario has no "
                                                                               f"{LTFT_STAGES[0]} stage",
                    inputs.ltft_share))
    elif inputs.ltft_share is not None:
        whole("Psychiatry trainees less than full time (%)", "ltft_share", inputs.ltft_share, 0, 100)
    whole("International recruits a year", "recruits", inputs.recruits, 0, 300)
    recruiting = recruit_groups(s)
    if inputs.recruits and not recruiting:
        out.append(("International recruits a year", "recruits", "0, as no group of this scenario recruits "
                                                                 "internationally", inputs.recruits))
    for name, key, value, allowed in (("Group with fewer leavers", "retention_group", inputs.retention_group,
                                       [ALL, *s.groups]),
                                      ("Group of the international recruits", "recruit_group", inputs.recruit_group,
                                       recruiting or list(s.groups))):
        if not isinstance(value, str) or value not in allowed:
            out.append((name, key, f"one of {', '.join(allowed)}", value))
    if inputs.growth is not None:
        number = isinstance(inputs.growth, (int, float)) and not isinstance(inputs.growth, bool)
        if not (number and -5 <= inputs.growth <= 10):  # nan is within no range; an int past floats, compared
            out.append(("Establishment growth (% a year)", "growth", "a number from -5 to 10", inputs.growth))
    if not isinstance(inputs.feedbacks, tuple):
        out.append(("Feedbacks", "feedbacks", "a list of the feedbacks configured in the scenario", inputs.feedbacks))
    for name in inputs.feedbacks if isinstance(inputs.feedbacks, tuple) else ():
        if name not in available_feedbacks(s):
            configured = ", ".join(available_feedbacks(s)) or "none"
            out.append(("Feedbacks", "feedbacks", f"one configured in the scenario ({configured})", name))
    return out


def levers(inputs: Inputs, s) -> list:
    """The policy's levers; inputs at their neutral value add none."""
    start = lever_start(inputs, s)
    out: list = []
    for stage, extra in inputs.places:
        if extra:
            out.append(TrainingPlaces(stage=stage, extra=float(extra), start=start))
    if inputs.retention:
        groups = None if inputs.retention_group == ALL else [inputs.retention_group]
        out.append(Retention(factor=1.0 - inputs.retention / 100.0, groups=groups, start=start))
    if inputs.return_share:
        for i, g in enumerate(s.groups):  # each age band's share (and each sex's) the points higher
            female, male = (np.minimum(1.0, s.return_share[i] + inputs.return_share / 100.0).round(6)).tolist()
            share = female if female == male else {"female": female, "male": male}
            out.append(RetireAndReturn(groups=[g], share=share, start=start))
    if inputs.ltft_share is not None and inputs.ltft_share != default_ltft_percent(s):
        out.append(LtftTraining(stages=LTFT_STAGES, share=ltft_by_sex(s, inputs.ltft_share), start=start))
    if inputs.recruits:
        out.append(Recruitment(groups=[inputs.recruit_group], extra_per_year=float(inputs.recruits),
                               source=INTERNATIONAL, start=start))
    return out


def overrides(inputs: Inputs, s) -> dict:
    """Scenario changes for policy and baseline alike: demand (establishment growth) and feedbacks."""
    out: dict = {}
    if inputs.growth is not None and inputs.growth != default_growth(s):
        for g in s.groups:
            out[f"groups.{g}.establishment.growth_per_year"] = round(inputs.growth / 100.0, 6)
    for name in inputs.feedbacks:
        out[f"feedbacks.{name}.enabled"] = True
    return out


def replications(inputs: Inputs, s) -> list[Replication]:
    """Seeds spawned from the first seed as ``workforce batch`` spawns them, each with its overrides."""
    common = overrides(inputs, s)
    return [Replication(seed, dict(common), s.posterior.index(seed) if s.posterior is not None else None)
            for seed in experiment_module.replication_seeds(inputs.seed, inputs.replications)]


def jobs(inputs: Inputs) -> list:
    s = compiled(inputs)
    check(inputs, s, "sim.app.simulate")
    policy = tuple(levers(inputs, s))
    path = str(scenario_file(inputs.scenario))
    out = []
    for r, rep in enumerate(replications(inputs, s)):
        for name, chosen in (("baseline", ()), ("policy", policy)):
            out.append(experiment_module.Job(policy=name, parameter_set=0, replication=r, seed=rep.seed,
                                             scenario=path, overrides=rep.overrides, until=inputs.until,
                                             levers=chosen, posterior_set=rep.posterior_set))
    return out


PAGE_LEVERS = {  # the fields of each lever the page makes (``levers``), which it puts in words of its own
    "training_places": {"stage", "extra"}, "retention": {"factor", "groups"}, "retire_and_return": {"groups", "share"},
    "ltft_training": {"stages", "share", "extra_places"}, "recruitment": {"groups", "extra_per_year", "source"}}


def describe(lever, s) -> str:
    """A lever in words, for the page and the experiment file: one the page makes in the page's words,
    any other (an experiment file's) as the report puts it."""
    d = lever.describe()
    if not set(d) - {"lever", "start"} <= PAGE_LEVERS.get(d["lever"], set()):
        return lever_words(d, s.spec.age_bands)
    when = f" from {lever.start}" if lever.start else f" from the start ({s.spec.start})"
    groups = ", ".join(group_name(s, g) for g in (d.get("groups") or [])) or "every group"
    if d["lever"] == "training_places":
        return f"{PLACES.get(lever.stage, (lever.stage,))[0]}: {lever.extra:+,.0f} places a year{when}"
    if d["lever"] == "retention":
        return f"{1 - lever.factor:.0%} fewer leavers ({groups}){when}"
    if d["lever"] == "retire_and_return":
        return f"retirees returning ({groups}){when}: {by_age_band(lever.share, s.spec.age_bands)}"
    if d["lever"] == "ltft_training":
        if d.get("stages") != LTFT_STAGES or LTFT_STAGES[0] not in s.stages:  # not the page's: the report's words
            return lever_words(d, s.spec.age_bands)
        (female, male), women = by_sex(lever.share), _ltft_of(s)[1]
        sexes = f" ({female:.0%} of women, {male:.0%} of men)" if female != male else ""
        return (f"{female * women + male * (1 - women):.0%} of psychiatry trainees train less than full time"
                f"{sexes}{when}")
    if d["lever"] == "recruitment":
        return f"{lever.extra_per_year:,.0f} more international recruits a year available ({groups}){when}"


def describe_overrides(inputs: Inputs, s) -> list[str]:
    out = []
    if inputs.growth is not None and inputs.growth != default_growth(s):
        way = "grows" if inputs.growth >= 0 else "shrinks"
        out.append(f"funded establishment {way} {abs(inputs.growth):g}% a year in every group")
    out += [FEEDBACKS[name].split(":")[0] + " feedback on" for name in inputs.feedbacks]
    return out


def _lever_entry(lever) -> dict:
    d = lever.describe()
    return {"lever": d.pop("lever"), **d}


def experiment_text(inputs: Inputs) -> str:
    """The levers in force as an experiment file ``workforce batch`` accepts: it reruns these runs."""
    head = "# Written by workforce dashboard; run it with: workforce batch THIS_FILE\n"
    if Path(inputs.scenario).is_file():
        head += f"# The scenario is the uploaded file {Path(inputs.scenario).name}: save it beside this file.\n"
    return head + yaml.safe_dump(experiment_data(inputs), sort_keys=False, allow_unicode=True)


def experiment_data(inputs: Inputs) -> dict:
    """The experiment ``experiment_text`` writes, as data."""
    s = compiled(inputs)
    check(inputs, s, "sim.app.experiment_data")
    chosen = levers(inputs, s)
    scenario = inputs.scenario if not Path(inputs.scenario).is_file() else Path(inputs.scenario).name
    words = "; ".join(describe(x, s) for x in chosen) or "no lever (the baseline)"
    return {
        "name": "dashboard_policy",
        "description": f"From the dashboard: {words}",
        "scenario": scenario,
        **({"overrides": overrides(inputs, s)} if overrides(inputs, s) else {}),
        "years": int(inputs.until) - first_year(s),
        "replications": int(inputs.replications),
        "seed": int(inputs.seed),
        "policies": {"policy": {"description": words, "levers": [_lever_entry(x) for x in chosen]}},
    }


# ---- what it takes: the places needed (sim.target) --------------------------------------------------
TARGET_MEASURE = "supply_gap_fte"  # the gap the page shows: funded establishment less FTE in post
TARGET_VALUES = 20  # extra places searched, from 0 to the course's slider top


@dataclass(frozen=True)
class Target:
    """The question of the "What it takes" panel: the fewest extra places a year on ``stage`` such that
    ``group``'s gap at the end of the page's last year is at most ``most_gap`` FTE in ``percent``% of the
    replications, with the page's other levers in force."""

    stage: str = "nursing/pre_registration_degree"
    group: str = "nursing"
    most_gap: int = 0
    percent: int = 80


def question_problems(question: Target, s) -> list[tuple[str, str, object]]:
    """(field of ``Target``, what was expected, what was found) for each choice of the panel outside
    what it offers: a course of the page, a group of the scenario or the total, and its sliders' ranges."""
    out = []
    courses, groups = place_stages(s), [*s.groups, experiment_module.TOTAL]
    if not isinstance(question.stage, str) or question.stage not in courses:
        out.append(("stage", f"a course of the page ({', '.join(courses)})", question.stage))
    if not isinstance(question.group, str) or question.group not in groups:
        out.append(("group", f"a staff group of the scenario or total ({', '.join(groups)})", question.group))
    for field, low, high in (("most_gap", 0, 500), ("percent", 50, 95)):
        value = getattr(question, field)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            out.append((field, f"a whole number from {low} to {high}", value))
    return out


def target_experiment(inputs: Inputs, question: Target) -> dict:
    """The page's experiment file with the chosen course's extra places as the lever searched."""
    s = compiled(inputs)
    data = experiment_data(inputs)
    chosen = [x for x in levers(inputs, s) if not (isinstance(x, TrainingPlaces) and x.stage == question.stage)]
    searched = TrainingPlaces(stage=question.stage, extra=0.0, start=lever_start(inputs, s))
    data["name"] = "dashboard_target"
    data["scenario"] = str(scenario_file(inputs.scenario))
    data["policies"] = {"policy": {"levers": [_lever_entry(x) for x in [searched, *chosen]]}}
    top = PLACES.get(question.stage, ("", 100))[1]
    data["target"] = {"policy": "policy", "lever": 0, "argument": "extra",
                      "values": {"from": 0, "to": top, "step": top / (TARGET_VALUES - 1)},
                      "group": question.group, "measure": TARGET_MEASURE, "year": int(inputs.until),
                      "most_gap": float(question.most_gap), "probability": question.percent / 100.0}
    return data


def what_it_takes(inputs: Inputs, question: Target, progress=None):
    """The extra places needed (``sim.target.TargetResult``), searched over the page's replications and seeds
    with the page's other levers and assumptions; runs in this process, as ``simulate`` does."""
    from sim import target

    s = compiled(inputs)
    check(inputs, s, "sim.app.what_it_takes")
    wrong = question_problems(question, s)
    if wrong:  # named here: the search's experiment file is a temporary one nobody has seen
        raise InputError([Problem("sim.app.what_it_takes", f"question.{field}", expected, found)
                          for field, expected, found in wrong])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "target.yaml"
        path.write_text(yaml.safe_dump(target_experiment(inputs, question), sort_keys=False))
        return target.find(path, workers=1, quiet=True, progress=progress)


def target_text(result, s) -> str:
    """The answer in a sentence, as the panel shows it."""
    q = result.question
    where = f"{q.target_text(s)} in {at_end(s, q.year)}"
    of = f"{q.probability:.0%} of {len(result.thresholds)} replications ({result.runs} runs)"
    if result.answer is None:
        return (f"More than {q.values[-1]:,.0f} extra places a year: even at {q.values[-1]:,.0f}, {where} in fewer "
                f"than {of}. The gap may close later, or need other levers too.")
    return (f"{result.answer_text()} extra places a year: the fewest at which {where} in at least {of}. "
            f"{LEVEL:.0%} interval: {result.interval_text()}.")


# ---- running and summarising ----------------------------------------------------------------------
@dataclass
class Result:
    inputs: Inputs
    runs: pd.DataFrame  # the tidy table of every run, labelled as workforce batch labels them
    tables: dict  # measure -> per policy, group and year: mean, interval, paired difference
    scenario: object
    notes: list = field(default_factory=list)

    @property
    def final(self) -> int:
        return int(self.runs.year.max())


def simulate(inputs: Inputs, progress=None) -> Result:
    """Run the policy and its baseline for every replication; ``progress(done, total)`` after each run."""
    s = compiled(inputs)
    todo = jobs(inputs)
    frames = []
    for i, job in enumerate(todo):
        frames.append(experiment_module.simulate(job))
        if progress is not None:
            progress(i + 1, len(todo))
    runs = pd.concat(frames, ignore_index=True)
    return Result(inputs=inputs, runs=runs, tables={m: compare(runs, m) for m in MEASURES}, scenario=s)


def compare(runs: pd.DataFrame, measure: str) -> pd.DataFrame:
    """As ``sim.analysis.compare``, on runs held in memory."""
    pairs = paired(run_values(None, measure, runs[runs.measure.isin([measure, "headcount"])]))
    table = pairs.groupby(["policy", "group", "year"], sort=False)[["value", "diff"]].apply(_summary).reset_index()
    return table


def _cell(mean, low, high, sign=False) -> str:
    f = "{:+,d}" if sign else "{:,d}"
    mean, low, high = (int(round(float(x))) for x in (mean, low, high))  # whole FTE, and no "-0"
    if low == high:
        return f.format(mean)
    return f"{f.format(mean)} ({f.format(low)} to {f.format(high)})"


def rows(result: Result, year: int | None = None) -> list[dict]:
    """The numbers table: each group's FTE in post (policy, baseline, difference), vacant FTE, then
    the trainees in service and the total."""
    if year is not None and (not is_whole(year) or year not in set(result.runs.year)):  # a KeyError inside
        raise InputError.one("sim.app.rows", "year", f"a year of the runs ({result.runs.year.min()}-"
                                                     f"{result.runs.year.max()})", year)
    year = result.final if year is None else year
    s = result.scenario
    at = {m: t[t.year == year].set_index(["policy", "group"]) for m, t in result.tables.items()}
    out = []

    def row(key, name, measure, group):
        p, b = at[measure].loc[("policy", group)], at[measure].loc[("baseline", group)]
        vacant = at["vacancies_fte"].loc[("policy", group)]["mean"] if measure == "in_post_fte" else None
        out.append({"group": key, "name": name, "policy": p["mean"], "policy_low": p.low, "policy_high": p.high,
                    "baseline": b["mean"], "baseline_low": b.low, "baseline_high": b.high,
                    "difference": p.diff_mean, "difference_low": p.diff_low, "difference_high": p.diff_high,
                    "vacant": vacant})

    groups = [g for g in s.groups if ("policy", g) in at["in_post_fte"].index]
    for g in groups:
        row(g, group_name(s, g), "in_post_fte", g)
    row("total", "Total in post", "in_post_fte", "total")
    row("training", "In training (in service)", "training_fte", "total")
    return out


# ---- figures ------------------------------------------------------------------------------------------
def _years(ax, result):
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    s = result.scenario
    first, last = calendar.month_name(s.start), calendar.month_name(s.end)
    ax.set_xlabel(f"{first} of year" if first == last else f"{first} of year ({at_end(s, result.final)} last)")
    ax.grid(alpha=0.3)


def _band(ax, t: pd.DataFrame, colour, text, prefix="", **kw):
    ax.plot(t.year, t[f"{prefix}mean"], color=colour, label=text, **kw)
    ax.fill_between(t.year, t[f"{prefix}low"], t[f"{prefix}high"], color=colour, alpha=0.2, linewidth=0)


def figure_total(result: Result) -> Figure:
    """Total FTE in post, policy and baseline, against the funded establishment."""
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    t = result.tables["in_post_fte"]
    e = result.tables["establishment_fte"]
    total = t.group == "total"
    _band(ax, t[total & (t.policy == "baseline")], "#7f7f7f", "Baseline: FTE in post")
    _band(ax, t[total & (t.policy == "policy")], "#d62728", "Policy: FTE in post")
    base_e = e[(e.group == "total") & (e.policy == "baseline")]
    ax.plot(base_e.year, base_e["mean"], color="black", linestyle="--", label="Funded establishment (demand)")
    ax.set_title(f"All groups: FTE in post, mean and {LEVEL:.0%} interval over {result.inputs.replications} "
                 "replications", fontsize=10)
    ax.set_ylabel("FTE in post (trainees in service apart)")
    _years(ax, result)
    ax.legend(fontsize=8)
    return fig


def figure_difference(result: Result) -> Figure:
    """The policy's effect by group in the final year: paired difference with its interval."""
    s = result.scenario
    t = result.tables["in_post_fte"]
    t = t[(t.year == result.final) & (t.policy == "policy") & (t.group != "total")]
    order = [g for g in s.groups if g in set(t.group)]
    t = t.set_index("group").loc[order]
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(t))
    error = np.vstack([t.diff_mean - t.diff_low, t.diff_high - t.diff_mean])
    ax.barh(y, t.diff_mean, color="#d62728", alpha=0.7)
    ax.errorbar(t.diff_mean, y, xerr=np.maximum(error, 0), fmt="none", color="black", capsize=3)
    ax.set_yticks(y, [drawn(group_name(s, g)) for g in order], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"FTE in post, policy less baseline, {at_end(s, result.final)}")
    ax.set_title(f"The policy's effect by group, {result.final}: mean and {LEVEL:.0%} interval", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return fig


def figure_groups(result: Result) -> Figure:
    """FTE in post by group under the policy, with bands."""
    s = result.scenario
    t = result.tables["in_post_fte"]
    t = t[t.policy == "policy"]
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
               "#17becf"]
    for i, g in enumerate(g for g in s.groups if g in set(t.group)):
        _band(ax, t[t.group == g], colours[i % len(colours)], drawn(group_name(s, g)))
    ax.set_title("FTE in post by staff group under the policy", fontsize=10)
    ax.set_ylabel("FTE in post")
    _years(ax, result)
    ax.legend(fontsize=7, ncol=2)
    return fig


FIGURES = {"total": ("FTE in post: policy and baseline", figure_total),
           "difference": ("The policy's effect by group", figure_difference),
           "groups": ("FTE in post by staff group", figure_groups)}


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


# ---- uploads ------------------------------------------------------------------------------------------
UPLOADS = Path(tempfile.gettempdir()) / "workforce-dashboard-uploads"
UPLOAD_NAME = 100  # characters kept of an uploaded file's name: a file system takes names of 255 bytes at most


def load_upload(name: str, content: bytes) -> tuple[str | None, str | None]:
    """Save an uploaded scenario and load it: (its path, None), or (None, a message naming the
    file, the field and what was expected)."""
    plain = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(name).name).lstrip(".-") or "scenario.yaml"
    if len(plain) > UPLOAD_NAME:  # shortened in the middle: its start, as the page lists it, and its .yaml kept
        plain = plain[:UPLOAD_NAME - 10] + plain[-10:]
    folder = Path(tempfile.mkdtemp(prefix="s", dir=_uploads()))
    path = folder / plain
    path.write_bytes(content)
    try:
        s = scenario_module.compiled(str(path), {})
    except InputError as exc:
        return None, str(exc).replace(f"{folder}/", "")
    except Exception:  # noqa: BLE001 - whatever the file holds, the page says so in words
        return None, f"{plain}: expected a scenario file (YAML, as sim/data/scenarios/wales-mh-2021.yaml)"
    if calendar.year_of(s.end) <= first_year(s):  # the page's runs end in a later year than the start
        return None, (f"{plain}: end: expected a month in a later year than the start ({s.spec.start}), as the "
                      f"page's runs end in a year after it (found {_short(str(s.spec.end))!r})")
    return str(path), None


def _uploads() -> Path:
    UPLOADS.mkdir(parents=True, exist_ok=True)
    return UPLOADS


# ---- the page -----------------------------------------------------------------------------------------
# per browser session (Solara's reactive variables belong to the session that reads them)
current = solara.reactive(Inputs())
upload_message = solara.reactive("")
uploaded = solara.reactive(())  # paths of scenarios uploaded in this session


class _Superseded(Exception):
    """A run whose results nobody will see (Run pressed again, or the page closed): stop computing."""


@solara.lab.task(prefer_threaded=True)
def run_task(inputs: Inputs):
    def progress(done, total):
        if not run_task.is_current():
            raise _Superseded
        run_task.progress = 100.0 * done / total

    try:
        return simulate(inputs, progress)
    except InputError as exc:
        return str(exc)


target_question = solara.reactive(Target())


@solara.lab.task(prefer_threaded=True)
def target_task(inputs: Inputs, question: Target):
    def progress(done, total):
        if not target_task.is_current():
            raise _Superseded
        target_task.progress = 100.0 * min(done / total, 1.0)

    try:
        return what_it_takes(inputs, question, progress)
    except InputError as exc:
        return str(exc)


CSS = """
.workforce-page { max-width: 1500px; margin: 0 auto; padding: 12px; }
.workforce-page img { max-width: 100%; height: auto; }
.workforce-help { font-size: 0.8em; color: #555; margin: -6px 0 12px; line-height: 1.3; }
.workforce-controls .v-input__slot { flex-wrap: wrap; }
.workforce-controls .v-input__slot > .v-label { flex: 0 0 100%; white-space: normal; height: auto;
  margin: 0 0 30px !important; max-width: 100%; position: static !important; }
.workforce-controls .v-input--checkbox .v-input__slot > .v-label { flex: 1 1 0; margin: 0 !important; }
.workforce-controls .v-select .v-input__slot > .v-label { margin: 0 !important; }
.workforce-scroll { overflow-x: auto; max-width: 100%; }
.workforce-table { border-collapse: collapse; font-size: 0.9em; }
.workforce-table td, .workforce-table th { padding: 3px 8px; text-align: right; border-bottom: 1px solid #ddd;
  white-space: nowrap; }
.workforce-table td:first-child, .workforce-table th:first-child { text-align: left; white-space: normal; }
.workforce-section { font-weight: bold; margin: 12px 0 4px; }
.upload-problem, .run-problem, .input-problem { white-space: pre-line; }
@media (max-width: 959px) { .workforce-grid > div:first-child { order: 2; } }
.workforce-controls .widget-upload { width: auto !important; max-width: 100%; margin-bottom: 12px; }
.v-slider__thumb-label { font-size: 11px; }
"""


def Help(text: str):
    return solara.HTML(tag="div", unsafe_innerHTML=text, classes=["workforce-help"])


def _set(**changes):
    current.value = dataclasses.replace(current.value, **changes)


@solara.component
def Controls(s):
    """Every control says what it changes, in what unit and from when."""
    inputs = current.value
    first, last = first_year(s), calendar.year_of(s.end)
    start = inputs.start_year or first
    when = "from the start of the run" if start <= first else f"from {calendar.month_name(s.start)} {start}"
    with solara.Card("Levers", classes=["workforce-controls"]):
        names = scenario_names(uploaded.value)
        shown = {path: name for name, path in names.items()}
        solara.Select("Scenario", values=list(names), value=shown.get(inputs.scenario, inputs.scenario),
                      on_value=lambda v: choose_scenario(names[v]))
        about = (s.spec.description or s.spec.name).rstrip(". ")
        Help(f"{html_escape(about)}. Runs from {s.spec.start}. Or upload your own scenario file (YAML):")
        FileUpload()
        if upload_message.value:
            solara.Error(upload_message.value, classes=["upload-problem"])
        solara.SliderInt(last_year_label(s), value=inputs.until, min=first + 1, max=last,
                         on_value=lambda v: _set(until=v, start_year=min(inputs.start_year or first, v - 1)),
                         thumb_label="always")
        Help(f"The run ends in {at_end(s, inputs.until)}.")
        solara.SliderInt(lever_year_label(s), value=start, min=first, max=inputs.until - 1,
                         on_value=lambda v: _set(start_year=v), thumb_label="always")
        Help(f"Every lever below acts {when}; training places from the intakes of the autumn after.")

        solara.HTML(tag="div", unsafe_innerHTML="Training places", classes=["workforce-section"])
        places = dict(inputs.places)
        for stage in place_stages(s):
            name, top = PLACES[stage]
            solara.SliderInt(f"{name}: extra places a year", value=places.get(stage, 0), min=0, max=top,
                             on_value=lambda v, st=stage: current.set(current.value.with_places(st, v)),
                             thumb_label="always")
            year = max(start, first)
            Help(f"Places added to every academic year's intake {when} (commissioned now: "
                 f"{places_now(s, stage, year):,.0f} a year in {year}/{(year + 1) % 100:02d}).")

        solara.HTML(tag="div", unsafe_innerHTML="Staff", classes=["workforce-section"])
        labels = {group_name(s, g): g for g in s.groups}
        solara.SliderInt("Fewer leavers (%)", value=inputs.retention, min=0, max=50,
                         on_value=lambda v: _set(retention=v), thumb_label="always")
        solara.Select("Group with fewer leavers", values=[ALL, *labels],
                      value=ALL if inputs.retention_group == ALL else group_name(s, inputs.retention_group),
                      on_value=lambda v: _set(retention_group=labels.get(v, ALL)))
        Help(f"Leaver rates (leaving employment, not retiring) cut by this share, {when}.")
        solara.SliderInt("More retirees return (percentage points)", value=inputs.return_share, min=0, max=50,
                         on_value=lambda v: _set(return_share=v), thumb_label="always")
        Help(f"Added to every group's share of retirees who come back part time, {when}.")
        ltft = default_ltft_percent(s)
        if ltft is not None:
            solara.SliderInt("Psychiatry trainees less than full time (%)",
                             value=ltft if inputs.ltft_share is None else inputs.ltft_share, min=0, max=100,
                             on_value=lambda v: _set(ltft_share=v), thumb_label="always")
            Help(f"Share of core and higher psychiatry trainees training less than full time (LTFT), {when}; "
                 f"the scenario's is {ltft}%.")
        solara.SliderInt("International recruits a year", value=inputs.recruits, min=0, max=300, step=5,
                         on_value=lambda v: _set(recruits=v), thumb_label="always")
        recruiting = {group_name(s, g): g for g in recruit_groups(s) or s.groups}
        solara.Select("Group of the international recruits", values=list(recruiting),
                      value=group_name(s, inputs.recruit_group) if inputs.recruit_group in recruiting.values() else None,
                      on_value=lambda v: _set(recruit_group=recruiting[v]))
        Help(f"Qualified staff available to recruit each year {when}, on top of the scenario's; they fill "
             "vacancies only, so with no vacancies they do not come.")

        solara.HTML(tag="div", unsafe_innerHTML="Demand and feedbacks (policy and baseline alike)",
                    classes=["workforce-section"])
        growth = (default_growth(s) or 0.0) if inputs.growth is None else inputs.growth
        solara.SliderFloat("Establishment growth (% a year)", value=growth, min=-2.0, max=5.0, step=0.5,
                           on_value=lambda v: _set(growth=v), thumb_label="always")
        Help(f"Funded posts (demand) in every group grow by this much each year from the start of the run; "
             f"{growth_text(s)}.")
        for name in available_feedbacks(s):
            solara.Checkbox(label=FEEDBACKS[name], value=name in inputs.feedbacks,
                            on_value=lambda v, n=name: _set(feedbacks=tuple(
                                x for x in FEEDBACKS if (x in inputs.feedbacks and x != n) or (x == n and v))))
        if available_feedbacks(s):
            Help("Mechanisms the national models leave out, off in the scenario; their strengths are assumptions.")

        solara.HTML(tag="div", unsafe_innerHTML="Replications", classes=["workforce-section"])
        solara.SliderInt("Replications", value=inputs.replications, min=2, max=20,
                         on_value=lambda v: _set(replications=v), thumb_label="always")
        Help("Runs of the policy and of its baseline, each pair with one seed and one parameter set drawn from "
             "the calibration's posterior: the bands are the 90% interval over them (parameter uncertainty and the "
             "model's randomness). Each run takes under a second; more replications are slower.")
        solara.SliderInt("First seed", value=inputs.seed, min=0, max=99, on_value=lambda v: _set(seed=v),
                         thumb_label="always")
        Help("Replication seeds are spawned from it as workforce batch spawns them: the experiment file below "
             "reruns exactly these runs.")


def choose_scenario(name: str) -> None:
    """A new scenario starts from its own defaults: its groups, courses and period may differ."""
    s = scenario_module.compiled(str(scenario_file(name)), {})
    until = min(calendar.year_of(s.end), first_year(s) + 10)
    current.value = Inputs(scenario=name, until=until, replications=current.value.replications,
                           seed=current.value.seed, recruit_group=(recruit_groups(s) or s.groups)[0])


def html_escape(text: str) -> str:
    import html

    return html.escape(str(text))


@solara.component
def FileUpload():
    """A button opening the device's file chooser (phones cannot drag and drop)."""
    import ipywidgets

    def on_value(files):
        if not files:
            return
        f = files[0]
        path, message = load_upload(f["name"], bytes(f["content"]))
        upload_message.value = message or ""
        if path:
            uploaded.value = (*uploaded.value, path)
            choose_scenario(path)

    return ipywidgets.FileUpload.element(accept=".yaml,.yml", multiple=False, description="Upload a scenario",
                                         on_value=on_value)


@solara.component
def Downloads(result: Result):
    inputs = result.inputs
    with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}, classes=["workforce-downloads"]):
        solara.FileDownload(lambda: experiment_text(inputs).encode("utf-8"), filename="dashboard-experiment.yaml",
                            label="Levers in force (experiment file)", mime_type="text/yaml")
        solara.FileDownload(lambda: result.runs.to_csv(index=False).encode("utf-8"), filename="dashboard-runs.csv",
                            label="Tidy table (CSV)", mime_type="text/csv")
        solara.FileDownload(lambda: parquet(result.runs), filename="dashboard-runs.parquet",
                            label="Tidy table (Parquet)")
        for key, (title, make) in FIGURES.items():
            solara.FileDownload(lambda make=make: png(make(result)), filename=f"dashboard-{key}.png",
                                label=f"Figure: {title} (PNG)", mime_type="image/png")


@solara.component
def Numbers(result: Result):
    s = result.scenario
    body = []
    for r in rows(result):
        vacant = "" if r["vacant"] is None else f"{r['vacant']:,.0f}"
        attrs = " ".join(f"data-{k}='{r[k]:.3f}'" for k in ("policy", "baseline", "difference", "difference_low",
                                                             "difference_high"))
        body.append(f"<tr data-group='{r['group']}' {attrs}><td>{html_escape(r['name'])}</td>"
                    f"<td class='difference'>{_cell(r['difference'], r['difference_low'], r['difference_high'], True)}"
                    f"</td><td>{_cell(r['policy'], r['policy_low'], r['policy_high'])}</td>"
                    f"<td>{_cell(r['baseline'], r['baseline_low'], r['baseline_high'])}</td><td>{vacant}</td></tr>")
    chosen = levers(result.inputs, s)
    words = "".join(f"<li>{html_escape(describe(x, s))}</li>" for x in chosen) or \
        "<li>none: the policy is the baseline</li>"
    assumed = describe_overrides(result.inputs, s)
    text = (f"<p><b>FTE in post in {at_end(s, result.final)}</b>: mean ({LEVEL:.0%} interval over "
            f"{result.inputs.replications} replications, first seed {result.inputs.seed}, containing "
            f"{html_escape(experiment_module.interval_contents(s))}). A negative difference "
            "is fewer staff under the policy.</p>"
            "<div class='workforce-scroll'><table class='workforce-table'><thead><tr><th>staff group</th>"
            "<th>difference</th><th>policy</th><th>baseline</th><th>vacant FTE (policy)</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>"
            f"<p><b>Levers in force</b></p><ul class='workforce-levers'>{words}</ul>"
            + (f"<p><b>Assumed in both</b>: {html_escape('; '.join(assumed))}</p>" if assumed else ""))
    solara.HTML(tag="div", unsafe_innerHTML=text, classes=["workforce-numbers"])


@solara.component
def Results():
    inputs = current.value
    task = run_task
    result = task.value if task.finished else (task.latest if task.pending else None)
    if task.pending:
        solara.ProgressLinear(task.progress if task.progress is not None else True)
        solara.Info(f"Running {inputs.replications} replications of the policy and of its baseline in the "
                    "background. Changes made now apply at the next Run; pressing Run again starts afresh.",
                    classes=["workforce-running"])
    if isinstance(result, str):
        solara.Error(result, classes=["run-problem"])
        return
    if task.error:
        solara.Error(f"The run stopped: {task.exception}", classes=["run-problem"])
    if not isinstance(result, Result):
        solara.HTML(tag="p", unsafe_innerHTML="Set the levers and press <b>Run</b> to see the policy against its "
                    "baseline.", classes=["workforce-empty"])
        return
    if result.inputs != inputs and not task.pending:
        solara.Warning("These results are for the levers as they were when you pressed Run; you have changed "
                       "them since. Press Run to apply the changes.", classes=["workforce-stale"])
    with solara.lab.Tabs():
        with solara.lab.Tab("Policy against baseline"):
            Numbers(result)
            solara.FigureMatplotlib(figure_total(result), format="png")
            solara.FigureMatplotlib(figure_difference(result), format="png")
        with solara.lab.Tab("By staff group"):
            solara.FigureMatplotlib(figure_groups(result), format="png")
        with solara.lab.Tab("Downloads"):
            Downloads(result)


@solara.component
def WhatItTakes(s):
    """The extra places a year on a course for a group's gap to be closed, with a probability."""
    question = target_question.value
    inputs = current.value
    courses = {PLACES[st][0]: st for st in place_stages(s)}
    groups = {group_name(s, g): g for g in [*s.groups, experiment_module.TOTAL]}
    if not courses:
        return
    with solara.Card("What it takes", classes=["workforce-controls"]):
        Help(f"The fewest extra places a year on a course (0 to its slider's top, {TARGET_VALUES} values) at which "
             f"a group's gap (funded establishment less FTE in post) in {at_end(s, inputs.until)} is at most the "
             f"gap allowed in the share of replications asked, with the other levers in force. Each replication runs "
             f"every value it needs with one seed and parameter set; its threshold is found by bisection.")
        solara.Select("Course", values=list(courses), value=PLACES.get(question.stage, ("",))[0],
                      on_value=lambda v: target_question.set(dataclasses.replace(target_question.value,
                                                                                 stage=courses[v])))
        solara.Select("Group", values=list(groups), value=group_name(s, question.group),
                      on_value=lambda v: target_question.set(dataclasses.replace(target_question.value,
                                                                                 group=groups[v])))
        solara.SliderInt("Gap allowed (FTE)", value=question.most_gap, min=0, max=500, step=10,
                         on_value=lambda v: target_question.set(dataclasses.replace(target_question.value,
                                                                                    most_gap=v)),
                         thumb_label="always")
        solara.SliderInt("Probability (%)", value=question.percent, min=50, max=95, step=5,
                         on_value=lambda v: target_question.set(dataclasses.replace(target_question.value,
                                                                                    percent=v)),
                         thumb_label="always")
        solara.Button("Find the places needed", on_click=lambda: target_task(current.value, target_question.value),
                      classes=["workforce-target"])
        if target_task.pending:
            solara.ProgressLinear(target_task.progress if target_task.progress is not None else True)
        result = target_task.value if target_task.finished else None
        if isinstance(result, str):
            solara.Error(result, classes=["run-problem"])
        elif result is not None:
            TargetAnswer(result, s)


@solara.component
def TargetAnswer(result, s):
    """The places needed in a sentence, and the share of replications meeting the target by value."""
    from sim import plots

    solara.HTML(tag="p", unsafe_innerHTML=html_escape(target_text(result, s)), classes=["workforce-answer"])
    solara.FigureMatplotlib(plots.meeting_target(result, s), format="png")


@solara.component
def Page():
    """The page: the levers, Run, and the policy against its baseline."""
    solara.Title(TITLE)
    solara.Style(CSS)
    inputs = current.value
    try:
        s = compiled(inputs)
    except InputError as exc:  # an uploaded file changed on disk since: back to the shipped scenario
        solara.Error(str(exc))
        current.value = Inputs()
        return
    wrong = problems(inputs, s)
    with solara.Column(classes=["workforce-page"]):
        solara.HTML(tag="h1", unsafe_innerHTML=TITLE, style={"font-size": "1.5em", "margin": "4px 0"})
        Help("The policy is the scenario with your levers; the baseline is the same scenario and seeds without "
             "them, so differences are the levers' effect. Figures are FTE in post (staff in non-training posts); "
             "trainees in service are a row of their own.")
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button("Run", color="primary", on_click=lambda: run_task(current.value),
                          disabled=bool(wrong), classes=["workforce-run"])
            solara.Text(f"{inputs.replications} replications of the policy and of its baseline, to "
                        f"{at_end(s, inputs.until)}", style={"font-size": "0.85em"})
        for problem in wrong:
            solara.Error(f"{problem}. Not run: change it.", classes=["input-problem"])
        # levers beside the results on a laptop; on a phone the results come first, under Run
        with solara.ColumnsResponsive(default=12, medium=[5, 7], large=[4, 8], classes=["workforce-grid"]):
            Controls(s)
            with solara.Column():
                Results()
                WhatItTakes(s)


@solara.component
def Layout(children=[]):
    """No side drawer or app bar: on a phone Solara's default layout covers the page with its drawer."""
    return solara.Column(children=children, style={"padding": "0"})


page = Page
