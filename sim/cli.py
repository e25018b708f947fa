"""The ``workforce`` command line.

    workforce run [SCENARIO] [--until YEAR] [--seed N] [--out DIR] [--check]
    workforce pathways [SCENARIO] [--draw FILE] [--pathway NAME]

Bad input (a missing or invalid scenario or pathway file) prints one message naming the
file, the field and what was expected, and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from .errors import InputError

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        args = parser.parse_args(["run", *(argv or [])])
    try:
        return args.func(args)
    except InputError as exc:
        print(f"workforce: invalid input\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into a command that stopped reading (e.g. head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    from .scenario import DEFAULT

    parser = argparse.ArgumentParser(prog="workforce", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run a scenario and write its results")
    run.add_argument("scenario", nargs="?", default=DEFAULT, help=f"scenario name or YAML file (default {DEFAULT})")
    run.add_argument("--until", type=int, metavar="YEAR", help="last year to simulate (default: the scenario's end)")
    run.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    run.add_argument("--out", metavar="DIR", help="output directory (default results/<run id>)")
    run.add_argument("--check", action="store_true", help="check invariants after every step")
    run.set_defaults(func=_run)
    pw = sub.add_parser("pathways", help="list a scenario's pathways, or draw one")
    pw.add_argument("scenario", nargs="?", default=DEFAULT, help="scenario name or YAML file")
    pw.add_argument("--draw", metavar="FILE", help="draw the pathways (or one, with --pathway) to an image file")
    pw.add_argument("--pathway", metavar="NAME", help="only this pathway")
    pw.set_defaults(func=_pathways)
    return parser


def _run(args) -> int:
    from .results import run

    if args.until is not None and not 1900 <= args.until <= 2200:
        raise InputError.one("--until", "until", "a year between 1900 and 2200", args.until)
    results = run(args.scenario, seed=args.seed, until=args.until, check=args.check)
    run_id = f"{results.scenario.name}-seed{args.seed}-{datetime.now():%Y%m%d-%H%M%S}"
    out = Path(args.out) if args.out else Path("results") / run_id
    paths = results.write(out)
    _print_summary(results)
    print(f"\nwrote {', '.join(p.name for p in paths.values())} to {out}/")
    return 0


def _print_summary(results) -> None:
    import pandas as pd

    fte = results.summary("fte")
    tidy = results.tidy()
    flows = tidy[tidy.measure.isin(["joiners", "leavers"])].pivot_table(
        index="year", columns="measure", values="value", aggfunc="sum")
    vacancies = results.summary("vacancies_fte")["total"].rename("vacancies")
    table = pd.concat([fte, vacancies, flows], axis=1).fillna(0)
    print(f"{results.scenario.name}: FTE by staff group at {results.scenario.spec.start[5:]}/each year, "
          f"vacant FTE, joiners and leavers in the year before (seed {results.seed})\n")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(0).astype(int).to_string())


def _pathways(args) -> int:
    from . import pathways
    from .scenario import load

    scenario = load(args.scenario)
    names = scenario.pathway_names
    if args.pathway and args.pathway not in names:
        raise InputError.one("--pathway", "pathway", f"one of {', '.join(names)}", args.pathway)
    chosen = [args.pathway] if args.pathway else names
    if args.draw:
        graph = pathways.subgraph(scenario.graph, chosen)
        pathways.draw(graph, args.draw)
        print(f"drew {', '.join(chosen)} to {args.draw}")
        return 0
    for name in chosen:
        print(f"{name}:")
        print(pathways.describe(scenario.graph, name))
    return 0
