"""Need: the FTE a group's demand requires, apart from the posts funded for it.

A scenario's ``demand:`` section says how need moves. Need in month t is the group's funded
establishment at the start times a *need index*, 1 at the start:

- ``flat``: the index stays 1: need is the starting establishment;
- ``population``: the population weighted by each age band's use of mental health care in t,
  over the same in the start month. The population and the use by age come from a data file
  (``sim/data/demand/``); ``service_use`` names its profile for every group, or one per group;
- ``stated_growth``: a stated yearly growth, ``growth_per_year`` (with ``population``, the growth
  of use per head beyond the population's, such as rising prevalence or treatment rates);

and, with any kind but ``flat``, ``expansion: {per_year, years, start}``: a service expansion
growing the index by ``per_year`` a year for ``years`` years from ``start``, then held.

The index depends on the scenario alone, so it is worked out once when the scenario is compiled:
an array by month and group (``Scenario.need_index``). The establishment (funded posts,
``groups.<g>.establishment``, changed by the ``funded_posts`` lever) is never changed by it, so
recruitment fills funded vacancies, not need.

The shipped scenarios give every group the same profile of use by age: the groups are professions
working across children's, adult and older adults' services, and no Welsh figure splits any
group's staff by the ages they serve (the facts sheet gives stocks by profession only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError

from . import calendar
from .errors import InputError, Problem, from_pydantic, is_file, read_yaml, refuse_special
from .fields import Description, Month, Year
from .layering import kept
from .sums import matmul

DEMAND_DIR = Path(__file__).parent / "data" / "demand"
Growth = Annotated[float, Field(strict=True, ge=-0.5, le=1.0, allow_inf_nan=False)]
People = Annotated[float, Field(strict=True, ge=0.0, le=1e10, allow_inf_nan=False)]
Positive = Annotated[float, Field(strict=True, gt=0.0, le=1e10, allow_inf_nan=False)]
Weight = Annotated[float, Field(strict=True, ge=0.0, le=1e6, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Expansion(Strict):
    """A service expansion: the need index grows by ``per_year`` a year for ``years`` years from
    ``start`` (default: the scenario's start), then holds."""

    per_year: Growth
    years: Annotated[float, Field(strict=True, gt=0.0, le=200.0, allow_inf_nan=False)]
    start: Month | None = None


class PopulationTable(Strict):
    """A population and service-use file (``sim/data/demand/*.yaml``): the total population by year,
    people by age band in some years (``splits``), and profiles of care used per head by band."""

    name: str
    description: Description = ""
    bands: Annotated[list[Annotated[int, Field(strict=True, ge=0, le=120)]], Field(min_length=1)]
    totals: Annotated[dict[Year, Positive], Field(min_length=1)]
    splits: Annotated[dict[Year, list[People]], Field(min_length=1)]
    service_use: Annotated[dict[str, list[Weight]], Field(min_length=1)]

    def problems(self, path) -> list[Problem]:
        """Bands in order, and one value per band (not all zero) in every split and profile."""
        f, n, out = str(path), len(self.bands), []
        if self.bands[0] != 0 or any(a >= b for a, b in zip(self.bands, self.bands[1:])):
            out.append(Problem(f, "bands", "strictly increasing lower bounds (years) starting at 0", self.bands))
        for section, rows in (("splits", self.splits), ("service_use", self.service_use)):
            for key, row in rows.items():
                if len(row) != n or sum(row) <= 0:
                    out.append(Problem(f, f"{section}.{key}", f"one number per age band ({n}: {self.bands}), not "
                                                              f"all zero", row))
        return out


def _service_use(value):
    """A profile name for every group, or ``{group: profile}``: checked by hand for one clear message."""
    expected = "a service_use profile name, or {group: profile name}"
    if value is None or isinstance(value, str) or (isinstance(value, dict) and value and
                                  all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
        return value
    raise ValueError(expected)


ServiceUse = Annotated[object, PlainValidator(_service_use)]


class DemandSpec(Strict):
    """A scenario's ``demand:`` section (see the module docstring). Without one, need is flat."""

    kind: Literal["flat", "population", "stated_growth"] = "flat"
    population: str | None = None  # kind population: a file under sim/data/demand/ or a path relative to the scenario
    service_use: ServiceUse = None  # kind population: the file's profile for all groups, or {group: profile}
    growth_per_year: Growth = 0.0
    expansion: Expansion | None = None


def population_file(name_or_path, relative_to: Path, scenario_file) -> Path:
    """A population file: a path relative to the scenario, or a shipped name."""
    for candidate in (relative_to / str(name_or_path), DEMAND_DIR / str(name_or_path),
                      DEMAND_DIR / f"{name_or_path}.yaml"):
        refuse_special(candidate, scenario_file, "demand.population")
        if is_file(candidate):
            return candidate
    shipped = ", ".join(p.stem for p in sorted(DEMAND_DIR.glob("*.yaml")))
    raise InputError.one(scenario_file, "demand.population", f"an existing population file or a shipped one's name "
                                                             f"({shipped})", name_or_path)


def read_table(path: Path) -> PopulationTable:
    """A population file, validated: kept by its path and bytes (``layering.kept``), as a batch
    compiles its scenario again for each parameter set. Never change it."""
    return kept(_TABLES, str(path), [path], lambda: _read_table(path), limit=4)


def _read_table(path: Path) -> PopulationTable:
    try:
        table = PopulationTable.model_validate(read_yaml(path, "population"))
    except ValidationError as exc:
        raise from_pydantic(path, exc, PopulationTable) from None
    problems = table.problems(path)
    if problems:
        raise InputError(problems)
    return table


_TABLES: dict = {}  # population tables, by their paths and SHA-256 (``layering.kept``); never changed


def band_population(table: PopulationTable, years: np.ndarray) -> np.ndarray:
    """People by age band (a row per year; fractional years, mid-year at ``year + 0.5``).

    The total is read in a straight line between the years of ``totals``; each band's share in a
    straight line through the ``splits`` (carried on beyond them along the nearest pair's line, cut
    at zero and summing to one). Outside the years of ``totals``, both are held at the nearest year's:
    there is nothing to project from."""
    at = np.clip(np.asarray(years, dtype=float), min(table.totals) + 0.5, max(table.totals) + 0.5)
    ty = np.array(sorted(table.totals), dtype=float) + 0.5
    total = np.interp(at, ty, [table.totals[int(y)] for y in ty - 0.5])
    sy = sorted(table.splits)
    shares = np.array([np.array(table.splits[y]) / sum(table.splits[y]) for y in sy])
    if len(sy) == 1:
        share = np.repeat(shares, len(at), axis=0)
    else:
        x = np.array(sy, dtype=float) + 0.5
        i = np.clip(np.searchsorted(x, at, side="right") - 1, 0, len(x) - 2)  # the pair of splits each year uses
        w = (at - x[i]) / (x[i + 1] - x[i])
        share = np.maximum(shares[i] + w[:, None] * (shares[i + 1] - shares[i]), 0.0)
        share /= share.sum(axis=1, keepdims=True)
    return total[:, None] * share


def population_index(table: PopulationTable, profiles: list[str], months: np.ndarray) -> np.ndarray:
    """Service use by month (rows) and profile (columns): the population weighted by each band's use
    per head, over the same in the first month."""
    people = band_population(table, months / 12.0)  # a month's time in years, the year starting in January
    use = matmul(people, np.array([table.service_use[p] for p in profiles], dtype=float).T)
    with np.errstate(divide="ignore", invalid="ignore"):  # a profile no one uses at the start: the caller refuses it
        return use / use[0]


def growth(per_year: float, months: np.ndarray, start: int, years: float | None = None) -> np.ndarray:
    """(1 + per_year) ^ years since ``start`` (none before it; at most ``years``)."""
    elapsed = np.clip((months - start) / 12.0, 0.0, np.inf if years is None else years)
    return (1.0 + per_year) ** elapsed


def need_index(spec, path: Path, groups: list[str], folder: Path | None = None) -> tuple[np.ndarray, list[Path]]:
    """The need index of a validated scenario ``spec`` (``path``: its file) by month from its start
    to its end (rows) and group (columns), and the population file read (if any): a path relative to
    ``folder`` (that of the file naming it; default the scenario's) or a shipped name."""
    d, f = spec.demand, str(path)
    start, end = calendar.parse(spec.start), calendar.parse(spec.end)
    months = np.arange(start, end + 1)
    problems = []
    if d.kind != "population":
        problems += [Problem(f, f"demand.{key}", f"no {key} unless kind is population (null removes it in a file "
                                                 f"that extends another)", getattr(d, key))
                     for key in ("population", "service_use") if getattr(d, key) is not None]
    if d.kind == "flat":
        if d.growth_per_year != 0.0:
            problems.append(Problem(f, "demand.growth_per_year", "0 for flat demand (or kind stated_growth)",
                                    d.growth_per_year))
        if d.expansion is not None:
            problems.append(Problem(f, "demand.expansion", "no expansion for flat demand (kind population or "
                                                           "stated_growth)", "an expansion"))
    if d.kind == "stated_growth" and "growth_per_year" not in d.model_fields_set and d.expansion is None:
        # growth left out is 0: need would be flat, in silence, where the kind says a growth is stated
        problems.append(Problem(f, "demand.growth_per_year", "a stated yearly growth for kind stated_growth (0.044 "
                                                             "for 4.4% a year), or an expansion (or kind flat)"))
    if d.expansion is not None and d.expansion.start is not None and \
            not start <= calendar.parse(d.expansion.start) <= end:
        problems.append(Problem(f, "demand.expansion.start", f"a month from the scenario's start ({spec.start}) "
                                                             f"to its end ({spec.end})", d.expansion.start))
    table, files = None, []
    if d.kind == "population":
        if d.population is None:
            problems.append(Problem(f, "demand.population", "a population file for kind population (e.g. "
                                                            "wales-population)"))
        else:
            try:
                files.append(population_file(d.population, path.parent if folder is None else folder, path))
                table = read_table(files[0])
            except InputError as exc:
                problems += exc.problems
            else:
                problems += _coverage(table, files[0], spec)
        profiles = _profiles(d, groups, table, f, problems)
    if problems:
        raise InputError(problems)
    index = np.ones((len(months), len(groups)))
    if d.kind == "population":
        names = sorted(set(profiles))
        by_profile = population_index(table, names, months)
        unused = [name for j, name in enumerate(names) if not np.isfinite(by_profile[:, j]).all()]
        if unused:  # need relative to none at the start has no meaning (it would be NaN in every month)
            raise InputError([Problem(str(files[0]), f"service_use.{name}", f"use per head in an age band the "
                                                                            f"population has people in at the "
                                                                            f"scenario's start ({spec.start})",
                                      table.service_use[name]) for name in unused])
        index = index * by_profile[:, [names.index(p) for p in profiles]]
    if d.growth_per_year != 0.0:
        index = index * growth(d.growth_per_year, months, start)[:, None]
    if d.expansion is not None:
        begins = start if d.expansion.start is None else calendar.parse(d.expansion.start)
        index = index * growth(d.expansion.per_year, months, begins, d.expansion.years)[:, None]
    return index, files


def _coverage(table: PopulationTable, path: Path, spec) -> list[Problem]:
    """The population's totals reach into the scenario's years: outside them the population is held at
    the nearest year's (``band_population``), so totals all before the run or all after it (ending in its
    first year, or beginning in its last), or of one year alone, would leave need flat over the whole run,
    in silence."""
    first, last = calendar.year_of(calendar.parse(spec.start)), calendar.year_of(calendar.parse(spec.end))
    years = sorted(table.totals)
    if len(years) > 1 and years[-1] > first and years[0] < last:
        return []
    return [Problem(str(path), "totals", f"years reaching into the scenario's run ({first} to {last}), at least "
                                         f"two, one after {first} and one before {last}: outside them the "
                                         "population is held at the nearest year's, so need would not move with "
                                         "it", years)]


def _profiles(d: DemandSpec, groups: list[str], table, f: str, problems: list) -> list[str]:
    """Each group's service-use profile, with a problem for a missing or unknown one."""
    known = list(table.service_use) if table is not None else None
    expected = f"a service_use profile of the population file ({', '.join(known or [])})"
    if d.service_use is None:
        problems.append(Problem(f, "demand.service_use", expected + ", or {group: profile} for every group"))
        return []
    if isinstance(d.service_use, str):
        if known is not None and d.service_use not in known:
            problems.append(Problem(f, "demand.service_use", expected, d.service_use))
        return [d.service_use] * len(groups)
    problems += [Problem(f, f"demand.service_use.{g}", f"a staff group of the scenario ({', '.join(groups)})", g)
                 for g in d.service_use if g not in groups]
    missing = [g for g in groups if g not in d.service_use]
    if missing:
        problems.append(Problem(f, "demand.service_use", "a profile for every staff group",
                                f"none for {', '.join(missing)}"))
    if known is not None:
        problems += [Problem(f, f"demand.service_use.{g}", expected, p) for g, p in d.service_use.items()
                     if p not in known]
    return [d.service_use.get(g, "") for g in groups]
