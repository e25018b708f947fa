"""Human names for what the model counts: measures and their units, reasons, groups, stages, months.

One place, so that figures, tables printed by the command line, the report and the dashboard
name things the same way. The model keeps its codes (``vacancies_fte``, ``left:other_sector``)
and its integer months: a month is plain array arithmetic over every person each step, where
pandas Periods would be objects. These functions turn them into words and dates at the boundary
with people.
"""

from __future__ import annotations

import pandas as pd

from .fields import TOTAL

NEVER = 2**31 - 1  # an int32 month that never comes (sim.people.NEVER): shown as no date

# measure -> (name, unit); a unit of "%" marks a share shown as a percentage
MEASURES: dict[str, tuple[str, str]] = {
    "fte": ("Workforce FTE (in post and trainees in service)", "FTE"),
    "headcount": ("Headcount", "people"),
    "in_post_fte": ("FTE in post (supply)", "FTE"),
    "training_fte": ("FTE of trainees in service", "FTE"),
    "establishment_fte": ("Funded establishment FTE (posts funded)", "FTE"),
    "vacancies_fte": ("Vacant FTE", "FTE"),
    "vacancy_rate": ("Vacancy rate", "%"),
    "supply_gap_fte": ("Supply gap FTE (funded posts less supply)", "FTE"),
    "need_fte": ("Need FTE (what the population's demand requires)", "FTE"),
    "need_gap_fte": ("Need gap FTE (need less supply)", "FTE"),
    "welsh_speaking_fte": ("Welsh-speaking FTE", "FTE"),
    "welsh_speaking_headcount": ("Welsh-speaking headcount", "people"),
    "joiners": ("Joiners", "people a year"),
    "leavers": ("Leavers", "people a year"),
    "recruits_sought": ("Recruits the vacancies would take", "people a year"),
    "recruits_available": ("Recruits available", "people a year"),
    "recruits_expected": ("Recruits expected", "people a year"),
    "stage_headcount": ("People in the stage", "people"),
    "stage_fte": ("FTE in the stage", "FTE"),
    "places_commissioned": ("Training places commissioned", "places"),
    "places_filled": ("Training places filled", "places"),
    "places_supervisable": ("Training places that can be supervised", "places"),
    "workload_leaving_factor": ("Leaving rate multiplier from workload", "times"),
    "substituted_fte": ("Demand met by new roles (FTE)", "FTE"),
}

REASONS: dict[str, str] = {
    "stock": "There when the run starts",
    "stock_returned": "There when the run starts, back after retiring",
    "intake": "Started training",
    "selected": "Selected from a post for training",
    "progressed": "Moved on along the pathway",
    "attrition": "Left training",
    "no_training_place": "No training place (more came through the pipeline than the places filled)",
    "retired": "Retired",
    "retired_mho": "Retired at 55 (mental health officer status)",
    "returned": "Returned after retiring",
    "return_ended": "Left again after returning",
    "left:other_sector": "Left for another sector",
    "left:outside_wales": "Left to work outside Wales",
    "left:left_profession": "Left the profession",
    "left:left_register": "Left the register",
    "left:left_care_work": "Left care work",
    "left:other_specialty": "Moved to another specialty",
    "left:other": "Left for other reasons",
    "joined:international": "Recruited internationally",
    "joined:elsewhere_uk": "Recruited from elsewhere in the UK",
    "joined:outside_wales": "Recruited from outside Wales",
    "joined:labour_market": "Recruited from the labour market",
    "joined:return_to_practice": "Returned to practice",
    "joined:return_to_care_work": "Returned to care work",
    "joined:social_care_elsewhere": "Recruited from social care elsewhere",
    "exit:did_not_progress": "Did not progress",
    "exit:not_employed_in_wales_mh": "Not employed in Welsh mental health services",
    "exit:foundation_outside_wales": "Foundation training outside Wales",
    "exit:specialism_not_mental_health": "Chose a specialism outside mental health",
    "exit:no_substantive_post": "No substantive NHS consultant post",
    "exit:other_specialty_or_career_break": "Another specialty or a career break",
    "exit:not_in_mental_health": "Work outside mental health",
    "exit:social_work_outside_mental_health": "Social work outside mental health",
    "exit:left_psychology_assistant_post": "Left the assistant psychologist post",
    "exit:not_employed_as_clinical_psychologist_in_wales": "Not employed as a clinical psychologist in Wales",
}
_PREFIXES = {"left": "Left: ", "joined": "Joined from ", "exit": "Left the pathway: "}


def words(code: str) -> str:
    """A code as plain words: the last part of a path, underscores as spaces."""
    return str(code).split("/")[-1].replace("_", " ")


def drawn(text: str) -> str:
    """A name as a figure shows it, letter for letter: matplotlib reads the text between two ``$`` as
    mathematics, so a label "Band 5 ($4k) and 6 ($5k)" was drawn in italics without its spaces, and one
    that is no mathematics ("Band $\\frac{$") stopped the figure with a traceback; each ``$`` is escaped."""
    return str(text).replace("$", r"\$")


def markdown_cell(text) -> str:
    """Text from an input file (a target's or a range's source) as one cell of a Markdown table: a ``|`` ended
    the cell and a line break the row, so a source citing "Table 3 | row 2", or written as a folded YAML block
    (which ends in a line break), split the table; its lines are joined with spaces and each ``|`` escaped."""
    return " ".join(str(text).split()).replace("|", r"\|")


def measure(name: str) -> str:
    """The name of a measure (``vacancies_fte`` -> "Vacant FTE")."""
    return MEASURES.get(name, (words(name).capitalize(), ""))[0]


def unit(name: str) -> str:
    """The unit a measure is counted in ("FTE", "people", "people a year", "%")."""
    return MEASURES.get(name, ("", ""))[1]


def is_rate(name: str) -> bool:
    """A share (0-1 in the tables), shown as a percentage."""
    return unit(name) == "%"


def axis(name: str) -> str:
    """An axis label: the measure's name and its unit, unless the name already says it."""
    text, u = measure(name), unit(name)
    said = text.lower().replace("(", " ").replace(")", " ").split()
    return text if not u or u.lower() in said else f"{text} ({u})"


def reason(code: str) -> str:
    """A reason in words (``left:other_sector`` -> "Left for another sector"); unknown codes are spelt out."""
    if code in REASONS:
        return REASONS[code]
    kind, sep, rest = str(code).partition(":")
    if sep and kind in _PREFIXES:
        return _PREFIXES[kind] + words(rest)
    return words(code).capitalize()


def pathway(name: str) -> str:
    """A pathway's name ("hcsw" -> "Health care support worker pathway")."""
    return f"{_PATHWAYS.get(name, words(name).capitalize())} pathway"


_PATHWAYS = {"hcsw": "Health care support worker", "psychiatry": "Psychiatry", "nursing": "Mental health nursing",
             "physician_associates": "Physician associate"}


def flow_reason(kind: str, code: str) -> str:
    """A joiner's or leaver's reason: "progressed" means qualifying into a group for a joiner and
    moving on to another group's stage for a leaver."""
    if code == "progressed":
        return "Qualified from training" if kind == "joiners" else "Moved on to another staff group"
    return reason(code)


def group(name: str, scenario=None) -> str:
    """A staff group's ``label:`` in the scenario (the shipped one if none is given), else its words."""
    if name == TOTAL:
        return "All groups"
    spec = getattr(scenario if scenario is not None else _shipped(), "spec", None)
    found = getattr(spec, "groups", {}).get(name) if spec is not None else None
    return getattr(found, "label", None) or words(name)


def stage(name: str, scenario=None) -> str:
    """A stage's ``label:`` in its pathway file, else its words (``nursing/registered_nurse`` -> "registered nurse")."""
    graph = getattr(scenario if scenario is not None else _shipped(), "graph", None)
    if graph is not None and name in graph.nodes and graph.nodes[name].get("label"):
        return graph.nodes[name]["label"]
    if str(name).startswith("exit:"):
        return reason(name)
    return words(name)


def month(m) -> pd.Period | None:
    """An integer month (``sim.calendar``) as a pandas monthly Period; "never" (the int32 maximum) as None."""
    if m is None or int(m) >= NEVER:
        return None
    return pd.Period(year=int(m) // 12, month=int(m) % 12 + 1, freq="M")


def months(values) -> pd.PeriodIndex:
    """Integer months as a PeriodIndex ("never" as NaT): a table's month column as dates."""
    import numpy as np

    values = np.asarray(values, dtype=np.int64)
    ordinals = values - 1970 * 12  # a monthly Period's ordinal counts months from January 1970
    index = pd.PeriodIndex.from_ordinals(ordinals, freq="M")
    return index.where(values < NEVER)


def month_text(m) -> str:
    """An integer month or "YYYY-MM" as "March 2023"; "" for never."""
    if isinstance(m, str):
        return pd.Period(m, freq="M").strftime("%B %Y")
    period = month(m)
    return period.strftime("%B %Y") if period is not None else ""


def by_age_band(rates, bands: list[int]) -> str:
    """A share by age band (a number, a list a band, or one list for each sex, as a scenario or a
    lever gives it) in words: "56% under 60, 37% from 60"; ``bands`` are the bands' lower bounds in
    years. Bands of the same share are named together."""
    if isinstance(rates, dict) or hasattr(rates, "female"):
        female, male = (rates["female"], rates["male"]) if isinstance(rates, dict) else (rates.female, rates.male)
        if list(female) != list(male):
            return f"women {by_age_band(list(female), bands)}; men {by_age_band(list(male), bands)}"
        rates = list(female)
    if not isinstance(rates, (list, tuple)):
        return f"{rates:.0%}"
    runs: list[list] = []  # [share, first band, last band]
    for i, share in enumerate(rates):
        if runs and runs[-1][0] == share:
            runs[-1][2] = i
        else:
            runs.append([share, i, i])
    if len(runs) == 1:
        return f"{runs[0][0]:.0%}"

    def ages(first: int, last: int) -> str:
        if first == 0:
            return f"under {bands[last + 1]}"
        if last == len(bands) - 1:
            return f"from {bands[first]}"
        return f"{bands[first]} to {bands[last + 1] - 1}"
    return ", ".join(f"{share:.0%} {ages(first, last)}" for share, first, last in runs)


_SHIPPED = []


def _shipped():
    """The shipped default scenario, loaded once, for tables that do not carry their own."""
    if not _SHIPPED:
        from . import scenario as scenario_module
        from .errors import InputError

        try:
            _SHIPPED.append(scenario_module.load(scenario_module.DEFAULT))
        except InputError:  # pragma: no cover - the shipped scenario always loads
            _SHIPPED.append(None)
    return _SHIPPED[0]
