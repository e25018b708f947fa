"""The field types of the input files, in one place: every schema (scenario, pathways, levers,
feedbacks, demand, experiments) checks a probability, a name, a year or a month the same way, and
an error names the same expectation whichever file it is in."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from . import calendar

MIN_AGE = 16.0  # nobody starts training or work younger
MIN_FTE = 0.01  # the smallest FTE fraction (part-time hours, LTFT training): about 22 minutes a week


def _month(text: str) -> str:
    calendar.parse(text)  # raises ValueError saying what was expected
    return text


Probability = Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(strict=True, ge=MIN_FTE, le=1.0, allow_inf_nan=False)]  # an FTE fraction
Name = Annotated[str, Field(strict=True, pattern=r"^[a-z][a-z0-9_]*$")]  # a group, pathway, source or policy
Year = Annotated[int, Field(strict=True, ge=calendar.FIRST_YEAR, le=calendar.LAST_YEAR)]
Month = Annotated[str, AfterValidator(_month)]  # YYYY-MM
Age = Annotated[float, Field(strict=True, ge=MIN_AGE, le=100.0, allow_inf_nan=False)]  # a person's, in years
AgeBound = Annotated[float, Field(strict=True, ge=0.0, le=120.0, allow_inf_nan=False)]  # of a range of age bands
