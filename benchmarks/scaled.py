"""A scenario's data scaled to another starting population, for the benchmarks.

Rates and shares are left alone, so the scaled workforce behaves like the original, only
bigger or smaller.
"""

from __future__ import annotations


def scale(data: dict, k: float) -> dict:
    """Multiply, in place, every stock's headcount and FTE, every intake's places, every group's
    joiners a year and vacancies by ``k``; return ``data``.

    A stock's FTE is capped at its scaled headcount, zero included: rounding a small stock's
    headcount down to nobody must leave it no FTE either. The scaled scenario runs uncalibrated: a
    calibration would put back its own (unscaled) joiners a year, so scaling them is refused. It has
    no uncertain parameters either: their ranges are of the unscaled values, which a scenario's own
    ranges must hold.
    """
    data["calibration"] = None
    data.pop("uncertain", None)
    for stock in data["stocks"].values():
        if stock.get("headcount") is not None:
            stock["headcount"] = round(stock["headcount"] * k)
        if stock.get("fte") is not None:
            cap = stock["headcount"] if stock.get("headcount") is not None else float("inf")
            stock["fte"] = min(stock["fte"] * k, cap)
    for intake in data["intake"].values():
        intake["places"] = {year: n * k for year, n in intake["places"].items()}
    for group in data["groups"].values():
        if group["establishment"].get("vacancies_fte") is not None:  # a vacancy_rate needs no scaling
            group["establishment"]["vacancies_fte"] *= k
        if group.get("joiners"):
            group["joiners"]["per_year"] *= k
    return data
