"""Months as integers.

The model's clock counts calendar months: ``month = year * 12 + (month_of_year - 1)``.
Integer months make dates, durations and ages plain array arithmetic.
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


def month(year: int, month_of_year: int = 1) -> int:
    """The integer month for a calendar year and month (1-12)."""
    return year * 12 + (month_of_year - 1)


FIRST_YEAR, LAST_YEAR = 1900, 2200  # the years a date may name (as --until and places by academic year)


def parse(text: str) -> int:
    """Parse ``YYYY-MM`` (a year from 1900 to 2200) into an integer month; raise ``ValueError`` otherwise."""
    match = _PATTERN.match(str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError("a date as YYYY-MM")
    if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise ValueError(f"a date as YYYY-MM with a year from {FIRST_YEAR} to {LAST_YEAR}")
    return month(int(match.group(1)), int(match.group(2)))


def label(m: int) -> str:
    """``YYYY-MM`` for an integer month."""
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def year_of(m):
    """Calendar year of integer month(s)."""
    return m // 12


def month_of_year(m):
    """Month of year (1-12) of integer month(s)."""
    return m % 12 + 1


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


def month_name(m) -> str:
    """The month of year of an integer month in words: ``month(2031, 3)`` -> "March"."""
    return MONTH_NAMES[m % 12]


def academic_year(m):
    """Academic (training) year that integer month(s) fall in, starting in August: Aug 2021 -> 2021,
    July 2022 -> 2021. August, as doctors' training posts start then (foundation, core and higher
    training, and the medical schools the scenario aligns with them), and universities' September
    intakes fall in the same year: every intake of a year's places happens in that year."""
    return (m - 7) // 12


def months(years) -> int:
    """A span of years (a stage's duration, a stay, a ramp) in the whole months the model moves in:
    the nearest, as ``round`` gives it (half a month to the even one)."""
    return round(12 * years)


def annual_to_monthly(p):
    """Monthly probability equivalent to an annual probability p: 1 - (1 - p)^(1/12).

    Not p / 12: that would overstate a monthly hazard's annual effect for large p.
    """
    return 1.0 - (1.0 - p) ** (1.0 / 12.0)


def monthly_to_annual(p):
    """Annual probability of a monthly probability p held for a year: 1 - (1 - p)^12, ``annual_to_monthly``'s
    inverse."""
    return 1.0 - (1.0 - p) ** 12


def over_months_to_monthly(p, months):
    """Monthly hazard that gives probability p of the event over ``months`` months."""
    return 1.0 - (1.0 - p) ** (1.0 / months)
