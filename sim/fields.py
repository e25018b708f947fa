"""The field types of the input files, in one place: every schema (scenario, pathways, levers,
feedbacks, demand, experiments, and the sections processes declare) checks a probability, a name,
a year, a month, an age distribution or a rate by age band the same way, and an error names the
same expectation whichever file it is in."""

from __future__ import annotations

import unicodedata
from typing import Annotated

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, ValidationError, model_validator

from . import calendar
from .errors import InputError, probability

MIN_AGE = 16.0  # nobody starts training or work younger
MIN_FTE = 0.01  # the smallest FTE fraction (part-time hours, LTFT training): about 22 minutes a week
TOTAL = "total"  # the results' name for all groups together, so no group may have it


def python_values(value):
    """``value`` with numpy's numbers, flags and arrays as Python's, in its mappings, lists and tuples too: what
    code gives in a notebook (a sweep over np.arange, an array's row), which the strict types refused as no
    valid integer or boolean (np.int64(68), np.bool_(True)), where an np.float64 passed as the float it is."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if isinstance(value, dict):
        return {python_values(k): python_values(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(python_values(v) for v in value)
    return value


def _month(text: str) -> str:
    calendar.parse(text)  # raises ValueError saying what was expected
    return text


# characters that reorder the text after them (bidirectional embeddings, overrides and isolates, U+202A to
# U+202E and U+2066 to U+2069) or break its line (U+2028, U+2029): in a label they turned the rest of a
# printed or reported sentence around ("... of Nurses\u202e is at most 0 FTE" read backwards, figures too)
_REORDERING = {*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\u2028", "\u2029"}


MAX_LABEL = 100  # characters of a label: the shipped ones have at most 69


def _printable(text: str) -> str:
    """A name people read (a group's or stage's label): shown in figures, tables and the report,
    where a control character (a NUL, an escape) is a missing glyph or a broken line, one that
    reorders text (``_REORDERING``) turns the sentence around it, an empty or blank name (spaces, or
    characters drawn as nothing, a zero-width space) a group or stage shown as nothing, and a name of
    thousands of characters a chart's legend pushing its plot out of the figure."""
    _shown(text, "")
    if not any(unicodedata.category(c)[0] not in "CZ" for c in text):  # spaces, and format characters drawn as none
        raise ValueError("a name to show (not empty or blank)")
    if len(text) > MAX_LABEL:
        raise ValueError(f"a name to show of at most {MAX_LABEL} characters (it labels a chart's lines and a "
                         f"table's rows), not {len(text):,}")
    return text


def _shown(text: str, allowed: str) -> str:
    """``text`` if it has no control character but those ``allowed``, and none that reorders text."""
    hidden = [c for c in text if (unicodedata.category(c) == "Cc" and c not in allowed) or c in _REORDERING]
    if hidden:
        raise ValueError(f"text without control characters (U+{ord(hidden[0]):04X} is one)")
    return text


Label = Annotated[str, Field(strict=True), AfterValidator(_printable)]
# a description or a why: free text of any length, over lines, printed and put in reports as a label is
Description = Annotated[str, Field(strict=True), AfterValidator(lambda text: _shown(text, "\n\t"))]


def _cited(text: str) -> str:
    """A source is something to look up: blanks around a word or two are not one."""
    if len(text.strip()) < 3:
        raise ValueError("a source: where the figure is published, or why it is an assumption (at least 3 "
                         "characters besides spaces)")
    return text


Source = Annotated[str, Field(strict=True), AfterValidator(_cited)]  # where a range or a target's figure is from


class AtMostOne:
    """Marks a type of probabilities, shares and fractions: a ``scale:`` factor that would take such a
    value past 1 is refused (``sim.uncertain.beyond_one``), where any other value scales freely and
    its own bounds judge it."""


AT_MOST_ONE = AtMostOne()
Probability = Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False), AT_MOST_ONE]
Fraction = Annotated[float, Field(strict=True, ge=MIN_FTE, le=1.0, allow_inf_nan=False), AT_MOST_ONE]  # an FTE fraction
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
Name = Annotated[str, Field(strict=True, pattern=NAME_PATTERN)]  # a group, pathway, source, policy or exit reason
Year = Annotated[int, Field(strict=True, ge=calendar.FIRST_YEAR, le=calendar.LAST_YEAR)]
Month = Annotated[str, AfterValidator(_month)]  # YYYY-MM
Age = Annotated[float, Field(strict=True, ge=MIN_AGE, le=100.0, allow_inf_nan=False)]  # a person's, in years
AgeBound = Annotated[float, Field(strict=True, ge=0.0, le=120.0, allow_inf_nan=False)]  # of a range of age bands


def a_month_or_more(years: float, what: str) -> None:
    """The model moves people in whole months (``calendar.months``): a span of years (``what``) under
    half a month would be a month, or no time at all, in silence."""
    if calendar.months(years) < 1:
        raise ValueError(f"{what} more than half a month (0.0417 years): it is counted in whole months")


def _a_stay_of_a_month_or_more(years):
    """A stay back after retiring is drawn in whole months, at least one."""
    a_month_or_more(years[1], "stay_years reaching")
    return years


_StayEnd = Annotated[float, Field(strict=True, gt=0.0, le=20.0)]
StayYears = Annotated[tuple[_StayEnd, _StayEnd], AfterValidator(_a_stay_of_a_month_or_more)]  # [low, high], in years


# Numbers are strict: a YAML boolean or a quoted number is an error, not silently 1.0 or 3.
# Sizes have upper bounds so that a slip (1e12 places) is an input error, not a machine out of memory.
MIN_STOCK_FTE = 0.05  # the least FTE a part-timer of a starting stock is given when its FTE is matched
MAX_STOCK = 10_000_000  # people (or FTE) in one stage's starting stock, or vacant FTE of a group
MAX_PER_YEAR = 1_000_000  # training places a year, joiners a year
NonNegative = Annotated[float, Field(strict=True, ge=0.0, le=MAX_STOCK, allow_inf_nan=False)]
PerYear = Annotated[float, Field(strict=True, ge=0.0, le=MAX_PER_YEAR, allow_inf_nan=False)]
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_STOCK)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BySex(Strict):
    female: list[Probability]
    male: list[Probability]


def _band_rates(value):
    """A rate by age band: one number for all, a list per band, or a list per band for each sex.

    Validated by hand so that a bad value gives one clear problem rather than one per union branch.
    """
    expected = "a probability in [0, 1], a list of them (one per age band) or {female: [...], male: [...]}"
    if isinstance(value, dict):
        try:
            return BySex.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"]))
            raise ValueError(f"{expected}; {where}: {first['msg'].replace('Input should be ', '')}") from None

    if isinstance(value, list):
        if not value:
            raise ValueError(expected)
        return [probability(x, expected) for x in value]
    return probability(value, expected)


BandRates = Annotated[object, PlainValidator(_band_rates), AT_MOST_ONE]


def _share_by_sex(value):
    """One probability for all, or ``{female: p, male: p}``: validated by hand so that a bad value
    gives one clear problem rather than one per branch of a union."""
    expected = "a probability in [0, 1], or {female: p, male: p}"
    if isinstance(value, dict):
        if set(value) != {"female", "male"}:
            raise ValueError(f"{expected}; found the keys {', '.join(map(str, value))}")
        return {sex: probability(value[sex], expected) for sex in ("female", "male")}
    return probability(value, expected)


ShareBySex = Annotated[object, PlainValidator(_share_by_sex), AT_MOST_ONE]


def by_sex(share) -> tuple[float, float]:
    """A ``ShareBySex`` as (female, male)."""
    return (share["female"], share["male"]) if isinstance(share, dict) else (share, share)


def band_table(rates, n_bands: int) -> np.ndarray:
    """A (sex, band) array from a BandRates value (lengths already validated)."""
    if isinstance(rates, BySex):
        return np.array([rates.female, rates.male], dtype=float)
    if isinstance(rates, list):
        return np.array([rates, rates], dtype=float)
    return np.full((2, n_bands), float(rates))


def band_problem(rates, bands: list[int]) -> tuple[str, str] | None:
    """What is wrong with a BandRates value for the age bands ``bands`` (their lower bounds, in
    years), as (expected, found): a list not of one value per band; None if nothing is."""
    if isinstance(rates, BySex):
        lengths = [len(rates.female), len(rates.male)]
    else:
        lengths = [len(rates)] if isinstance(rates, list) else []
    wrong = [n for n in lengths if n != len(bands)]
    return (f"one value per age band ({len(bands)} bands: {bands})", f"{wrong[0]} values") if wrong else None


def _yearly_probability(value):
    """A probability for every year, or ``{year: probability}`` from each year given on (as places)."""
    expected = "a probability in [0, 1], or {year: probability} (a year from 1900 to 2200)"

    if isinstance(value, dict):
        if not value or any(isinstance(y, bool) or not isinstance(y, int) or not 1900 <= y <= 2200 for y in value):
            raise ValueError(expected)
        return {y: probability(x, expected) for y, x in value.items()}
    return probability(value, expected)


YearlyProbability = Annotated[object, PlainValidator(_yearly_probability), AT_MOST_ONE]


class AgeBand(Strict):
    """People aged [low, high) years, uniformly within the band, with a share of the total."""

    low: Age
    high: Age
    share: Probability

    @model_validator(mode="before")
    @classmethod
    def _from_triple(cls, v):
        if isinstance(v, (list, tuple)):
            if len(v) != 3:
                raise ValueError("an age band as [low, high, share]")
            return {"low": v[0], "high": v[1], "share": v[2]}
        return v

    @model_validator(mode="after")
    def _ordered(self):
        if self.low >= self.high:
            raise ValueError("an age band as [low, high, share] with low < high")
        return self


def twice(names) -> list:
    """The names (or values) a list gives more than once, each once, in the order of their second: a name twice
    is chosen once, where the list's author may have meant another beside it, or it counted twice. In one pass,
    as a target's grid may hold thousands of values."""
    seen, again = set(), {}
    for x in names:
        if x in seen:
            again[x] = None
        seen.add(x)
    return list(again)


def listed(value, where: str, field: str, expected: str) -> list:
    """An argument of names or years to show, as a list: a list, tuple, range, numpy array or pandas Index
    or Series (what a notebook has to hand); one given alone (a text was looked for letter by letter, a number)
    or a mapping is refused, naming ``where`` (the function) and ``field``."""
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise InputError.one(where, field, expected, value)
    return list(value)


def shares_sum_to_one(values, what: str):
    total = sum(values)
    if values and abs(total - 1.0) > 1e-6:
        raise ValueError(f"{what} summing to 1, they sum to {total:.6g}")


def _apart(bands: list[AgeBand]) -> list[AgeBand]:
    """Age bands that do not overlap: each is a share of the people, so two sharing ages ([30, 50) and
    [40, 60)) are a slip of a bound, and would put more people at the shared ages than either says."""
    ordered = sorted(bands, key=lambda b: b.low)
    for a, b in zip(ordered, ordered[1:]):
        if b.low < a.high:
            raise ValueError(f"age bands that do not overlap ([{a.low:g}, {a.high:g}) and [{b.low:g}, {b.high:g}) "
                             "share ages)")
    return bands


AgeDistribution = Annotated[list[AgeBand], Field(min_length=1), AfterValidator(_apart)]


def check_age(v):
    shares_sum_to_one([b.share for b in v], "age band shares")
    return v
