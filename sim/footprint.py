"""The memory a run needs, estimated before anything is allocated.

Every sizes check of a scenario bounds one number (a stock, a year's training places, a year's
joiners); many of them together, over a long period, can still ask for more people than the
machine can hold, and the run would then die part way, out of memory, or swap for hours. So
before building the population the model estimates how many people the run will create (the
starting stocks, every intake's places and every group's joiners over the run's years) and
refuses, with the figures, a run that cannot fit in the memory available. And it remembers how
many people the runs of a scenario made (``made``), so that the next makes room for them at the
start (``room``) rather than copying its columns into bigger ones as they come.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from .errors import InputError
from .interventions import in_force
from .population import stock_size

BYTES_PER_PERSON = 300  # measured at 230-300 bytes a simulated person (benchmarks/README.md), the top taken
BYTES_PER_WORKER = 250_000_000  # a worker process with the model imported: about 220 MB resident before any run


def people(scenario, end: int, levers=()) -> int:
    """People a run of ``scenario`` to month ``end`` creates at most: the starting stocks (for a
    stock given as FTE only, the people drawn to reach it), and each year's largest intake and joiners,
    with its ``levers`` in force or without them, whichever is more (places and recruits they add)."""
    years = math.ceil(max(end - scenario.start, 0) / 12) + 1
    stocks = sum(stock_size(scenario, name, s) for name, s in scenario.spec.stocks.items())
    return int(stocks + years * max(_yearly(scenario), _yearly(_with_levers(scenario, levers))))


def room(scenario, end: int) -> int | None:
    """The people to make room for at the start of a run of ``scenario`` to month ``end``: the most a run
    of it to then has made in this process, and a margin (runs of the default scenario differ by about
    2%: 54,300 to 56,400 people over 40 seeds and parameter sets); None before the first. A run that
    outgrows its room copies every column into columns half as big again, about three times a run."""
    made = _MADE.get((str(scenario.file), end))
    return None if made is None else int(made * _MARGIN)


def made(scenario, end: int, people: int) -> None:
    """Remember the ``people`` a run of ``scenario`` to month ``end`` made, for ``room``."""
    key = (str(scenario.file), end)
    _MADE[key] = max(_MADE.get(key, 0), people)


_MADE: dict[tuple, int] = {}  # the most people a run made, by scenario file and end month, in this process
_MARGIN = 1.03


def _yearly(scenario) -> float:
    """Each year's largest intake and joiners, with the recruits of funded campaigns."""
    places = sum(max(intake.places.values(), default=0.0) for intake in scenario.spec.intake.values())
    return places + float(scenario.joiners_per_year.sum()) + sum(scenario.campaigns.values())


def _with_levers(scenario, levers):
    """``scenario`` with those of its ``levers`` that bring people in (places, recruits) in force, as far as
    they fit it (``sim.interventions.in_force``; one that does not is refused as the model is built), and
    itself if none does: a lever written in code, with only ``apply``, is not counted."""
    adding = [x for x in levers if getattr(x, "adds_people", False)]
    return in_force(adding, scenario)[0] if adding else scenario


def available() -> int | None:
    """Bytes of memory this process may still use: the system's available memory, or what is left
    under a container's (cgroup v2) limit if that is less; None where neither can be read."""
    figures = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                figures.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit.isdigit():
            figures.append(int(limit) - int(Path("/sys/fs/cgroup/memory.current").read_text().strip()))
    except (OSError, ValueError):
        pass
    if not figures:
        try:
            figures.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            return None
    return max(min(figures), 0)


def too_big(scenario, end: int, levers=()) -> tuple[str, str] | None:
    """What was expected of a run whose people would not fit in the memory available, and what was
    found (its people); None if they fit."""
    n = people(scenario, end, levers)
    need, free = n * BYTES_PER_PERSON, available()
    if free is None or need <= free:
        return None
    by_levers = " with the levers' places and recruits" if n > people(scenario, end) else ""
    return (f"sizes whose people fit in this machine's memory{by_levers}: about {n:,} people to {end // 12} x "
            f"{BYTES_PER_PERSON} bytes = {need / 1e9:,.1f} GB, with {free / 1e9:,.1f} GB available", f"{n:,} people")


def check(scenario, end: int, levers=()) -> None:
    """Refuse a run whose people would not fit in the memory available, naming the scenario and the figures."""
    found = too_big(scenario, end, levers)
    if found is not None:
        raise InputError.one(scenario.file, "stocks, intake, groups.*.joiners", *found)


def check_workers(workers: int, file, field: str) -> None:
    """Refuse more worker processes than the memory available holds, before any is started: each
    imports the model, so thousands of them (a slip in ``--workers``) would exhaust the machine's
    memory and have the system kill processes, this command's and others'."""
    free = available()
    if workers > 1 and free is not None and workers * BYTES_PER_WORKER > free:
        most = max(1, free // BYTES_PER_WORKER)
        raise InputError.one(file, field, f"at most {most:,} worker processes, as many as fit in this machine's "
                                          f"memory ({BYTES_PER_WORKER / 1e6:,.0f} MB each, with {free / 1e9:,.1f} GB "
                                          f"available)", workers)
