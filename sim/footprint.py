"""The memory a run needs, estimated before anything is allocated.

Every sizes check of a scenario bounds one number (a stock, a year's training places, a year's
joiners); many of them together, over a long period, can still ask for more people than the
machine can hold, and the run would then die part way, out of memory, or swap for hours. So
before building the population the model estimates how many people the run will create (the
starting stocks, every intake's places and every group's joiners over the run's years) and
refuses, with the figures, a run that cannot fit in the memory available.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from .errors import InputError
from .population import stock_size

BYTES_PER_PERSON = 300  # measured at 230-300 bytes a simulated person (benchmarks/README.md), the top taken
BYTES_PER_WORKER = 250_000_000  # a worker process with the model imported: about 220 MB resident before any run


def people(scenario, end: int) -> int:
    """People a run of ``scenario`` to month ``end`` creates at most: the starting stocks (for a
    stock given as FTE only, the people drawn to reach it), and each year's largest intake and joiners."""
    spec = scenario.spec
    years = math.ceil(max(end - scenario.start, 0) / 12) + 1
    stocks = sum(stock_size(scenario, name, s) for name, s in spec.stocks.items())
    places = sum(max(intake.places.values(), default=0.0) for intake in spec.intake.values())
    joiners = sum(g.joiners.per_year for g in spec.groups.values() if g.joiners is not None)
    return int(stocks + years * (places + joiners))


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


def check(scenario, end: int) -> None:
    """Refuse a run whose people would not fit in the memory available, naming the scenario and the figures."""
    n = people(scenario, end)
    need, free = n * BYTES_PER_PERSON, available()
    if free is not None and need > free:
        raise InputError.one(scenario.file, "stocks, intake, groups.*.joiners",
                             f"sizes whose people fit in this machine's memory: about {n:,} people to "
                             f"{end // 12} x {BYTES_PER_PERSON} bytes = {need / 1e9:,.1f} GB, with "
                             f"{free / 1e9:,.1f} GB available", f"{n:,} people")


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
