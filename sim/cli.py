"""The workforce command line: simulate the mental health workforce's career pathways.

    workforce run [SCENARIO] [--until YEAR] [--seed N] [--replications N] [--out DIR] [--check] [--quiet]
                  [--fixed-parameters]
    workforce person ID [SCENARIO] [--seed N] [--until YEAR]
    workforce calibrate [CONFIG] [--population N] [--generations N] [--max-runs N] [--workers N] [--seed N]
                        [--check-replications N] [--version V] [--out-dir DIR]
    workforce calibrate [CONFIG] --evaluate PARAMETER_FILE [--check-replications N] [--seed N]
    workforce backtest [FILE] [--replications N] [--out DIR]
    workforce pathways [SCENARIO] [--draw FILE] [--pathway NAME]
    workforce plausibility [SCENARIO] [--seed N] [--replications N] [--until YEAR] [--ranges FILE] [--out DIR]
    workforce batch EXPERIMENT [--replications N] [--years N] [--workers N] [--scheduler ADDRESS|local] [--out DIR]
                           [--quiet]
    workforce compare RESULTS_DIR [--measure M] [--years Y ...] [--groups G ...] [--out FILE]
    workforce sensitivity EXPERIMENT [--outcome M:G:Y ...] [--method morris|sobol] [--over-posterior FILE]
                          [--strict] [--workers N] [--out DIR]
    workforce target EXPERIMENT [--policy P] [--lever I] [--argument A] [--values V ...] [--group G]
                     [--measure M] [--year Y] [--most-gap G] [--probability P] [--earliest-with N]
                     [--every-value] [--replications N] [--workers N] [--scheduler ADDRESS|local] [--out DIR]
                     [--quiet] [--fixed-parameters]
    workforce report RESULTS_DIR [RESULTS_DIR ...] [--out FILE]
    workforce dashboard [--port N] [--host HOST] [--open]
    workforce --version

With no arguments it prints its help. Bad input (a missing or invalid scenario or pathway
file, an --out that cannot be written) prints one message naming the file or option, the
field and what was expected, and exits with status 2; so do results that cannot be written
part way (a full or read-only disk), saying what was kept. workforce plausibility exits with
status 1 when a check fails. Ctrl-C (SIGINT) or SIGTERM stops a command and its worker
processes at once with status 130 or 143; a batch keeps the runs it wrote and resumes when
run again.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import textwrap
import threading
import warnings
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from . import folders
from .errors import InputError, Problem
from .kernels import QUICK_OPT, SWITCH, announce_first_compile, compile_quickly

EXIT_BAD_INPUT = 2
EXIT_IMPLAUSIBLE = 1
RESULTS = Path("results")  # where a command's results go without --out


WIDTH = 100  # columns the printed tables fit in
FIRST_COMPILE = ("workforce: compiling the model's passes for this machine, once (they are kept for the runs after): "
                 "this run takes several seconds longer")

EXAMPLES = """\
examples:
  workforce run                                   the default scenario, 10 replications
  workforce run my-scenario.yaml --until 2031 --replications 20
  workforce person 123 --seed 0                   one person's career, as a timeline
  workforce pathways --pathway nursing            a pathway's stages and transitions
  workforce batch experiments/wales-plan-actions.yaml --replications 2   a small try of an experiment
  workforce batch experiments/quick-look.yaml
  workforce compare results/quick_look --years 2026 --groups nursing total
  workforce target experiments/nursing-places-needed.yaml   the places needed to close a gap
  workforce report results/quick_look

'workforce COMMAND --help' describes a command and its options.
"""


RUN_HERE = ("run", "person", "plausibility")  # commands that run their models in this process, not in workers


def main(argv: list[str] | None = None) -> int:
    try:
        # before numba is imported (the parser reads the scenarios' schema, the processes' kernels with it),
        # which warns of a NUMBA_OPT it cannot read with a traceback; and before compile_quickly, which keeps one
        _check_environment()
    except InputError as exc:
        print(f"workforce: {exc.heading}\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in RUN_HERE:  # before the parser, which imports the model: a companion compiles meanwhile
        _compile_alongside(now=True)
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()  # nothing asked: say what can be asked rather than run for a minute and write files
        return 0
    _compile_alongside(now=args.command in RUN_HERE)  # once a process: nothing more, if done above
    if sys.stderr.isatty():  # for someone watching: a log or a pipe needs no explanation of a pause
        announce_first_compile(FIRST_COMPILE)
    try:
        _refuse_empty(parser, args)
        with _stopped_by_signals(), _printing() as printed:
            status = args.func(args)
            printed.flush()  # here, not at exit: a full disk under standard output is said as such
            return status
    except InputError as exc:
        print(f"workforce: {exc.heading}\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Stopped as exc:
        print(f"\nworkforce: stopped by {exc.name}; {getattr(args, 'on_stop', 'nothing more was written')}",
              file=sys.stderr)
        return 128 + exc.signum
    except BrokenPipeError:  # output piped into a command that stopped reading (e.g. head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except NotPrinted as exc:  # standard output is a file on a disk that filled, say: the results are not at fault
        with suppress(OSError, ValueError):  # what is left unprinted is dropped at exit, not printed again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"workforce: could not print to standard output: {exc.strerror or exc}; any results files already "
              f"written are kept", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # a disk that fills or turns read-only while a table, chart or report is written
        print(f"workforce: could not write the results\n{exc.filename or '<output>'}: {exc.strerror or exc}; nothing "
              f"of it was kept: free space or choose another --out and rerun", file=sys.stderr)
        return EXIT_BAD_INPUT


def _compile_alongside(now: bool) -> None:
    """Compile at the package's level and share a first run's compiling (``sim.kernels.alongside``): ``now``,
    starting the companion at once, for a command that runs its models itself."""
    compile_quickly()
    from .kernels.alongside import compile_alongside  # numba read its settings as imported: after their check

    compile_alongside(now=now)


NUMBA_LEVELS = ("0", "1", "2", "3", "max")  # the values of NUMBA_OPT numba reads


def _check_environment() -> None:
    """Refuse an environment variable the commands read whose value cannot mean anything: numba
    warned of a ``NUMBA_OPT`` it cannot read, with a traceback, and compiled at its own level 3 in
    silence; ``WORKFORCE_COMPILE_ALONGSIDE=no`` left compiling alongside on (only 0 turns it off);
    matplotlib refused an ``MPLBACKEND`` it does not know with a traceback once a chart was drawn."""
    level = os.environ.get("NUMBA_OPT")
    if level is not None and level not in NUMBA_LEVELS:
        raise InputError.one("environment", "NUMBA_OPT", f"numba's optimisation level, one of "
                                                         f"{', '.join(NUMBA_LEVELS)} (or leave it unset: the "
                                                         f"commands compile at {QUICK_OPT})", level)
    _check_numba_environment()
    switch = os.environ.get(SWITCH)
    if switch is not None and switch not in ("0", "1"):
        raise InputError.one("environment", SWITCH, "0 (compile alone) or 1 (compile alongside, the default on "
                                                    "two cores or more), or leave it unset", switch)
    backend = os.environ.get("MPLBACKEND")
    if backend:  # read by matplotlib's import, which fails half way on a name it does not know
        imported = "matplotlib" in sys.modules
        if not imported:  # so imported without it, and given it after, as its import would have
            del os.environ["MPLBACKEND"]
            try:
                import matplotlib
            finally:
                os.environ["MPLBACKEND"] = backend
        from matplotlib import rcsetup

        try:
            rcsetup.validate_backend(backend)
        except ValueError:
            raise InputError.one("environment", "MPLBACKEND", "a matplotlib backend (such as agg), or leave it "
                                                              "unset", backend) from None
        if not imported:
            matplotlib.rcParams["backend"] = backend


def _check_numba_environment() -> None:
    """Refuse ``NUMBA_*`` settings numba cannot start with: it read them as imported, failing with a
    traceback on some (``NUMBA_NUM_THREADS=0``) and warning of others it then set to its own default in
    silence (``NUMBA_NUM_THREADS=abc``). So with any set, numba is imported here, first, its warnings
    noted: a failure blames the setting numba fails with alone, a warning the one it names. Nothing to import
    otherwise."""
    names = sorted(name for name in os.environ if name.startswith("NUMBA_"))
    if not names:
        return
    expected = "a value numba can read (numba's documentation lists its environment variables), or leave it unset"
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            import numba  # noqa: F401
        except Exception:
            blamed = [name for name in names if _fails_alone(name)] or names
            raise InputError.one("environment", " or ".join(blamed), expected,
                                 ", ".join(os.environ[name] for name in blamed)) from None
    for warning in warned:
        named = [name for name in names if name in str(warning.message)]
        if named:
            name = max(named, key=len)  # NUMBA_OPT is in NUMBA_OPT_X's name too
            raise InputError.one("environment", name, expected, os.environ[name])


def _fails_alone(name: str) -> bool:
    """Whether numba fails to import with ``name`` its only setting (in a process of its own: a failed import
    cannot be tried again in this one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_") or k == name}
    return subprocess.run([sys.executable, "-c", "import numba"], env=env, capture_output=True).returncode != 0


class NotPrinted(OSError):
    """Standard output could not be written (a file on a full disk): not the results' files."""


class _Printed:
    """Standard output, whose failures (other than a reader that stopped reading) are ``NotPrinted``."""

    def __init__(self, output):
        self.output = output

    def write(self, text: str) -> int:
        return self._guarded(self.output.write, text)

    def flush(self) -> None:
        self._guarded(self.output.flush)

    def __getattr__(self, name):
        return getattr(self.output, name)

    @staticmethod
    def _guarded(call, *args):
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise NotPrinted(exc.errno, exc.strerror) from exc


@contextmanager
def _printing():
    """Standard output told apart from the results' files while a command runs (``_Printed``)."""
    output = sys.stdout
    sys.stdout = _Printed(output)
    try:
        yield sys.stdout
    finally:
        sys.stdout = output


def _refuse_empty(parser: argparse.ArgumentParser, args) -> None:
    """Refuse an empty text given for an argument (``--out ''``, a file named ''): the commands read
    an option left out as one that is empty, so '' would fall back to the default in silence (a
    dashboard on every address for ``--host ''``, the pathways listed instead of drawn for ``--draw ''``)."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for action in commands.choices[args.command]._actions:
        value = getattr(args, action.dest, None)
        if "" in (value if isinstance(value, list) else [value]):
            name = action.option_strings[-1] if action.option_strings else action.metavar or action.dest.upper()
            raise InputError.one(name, action.dest, f"a value that is not empty (or leave {name} out)"
                                 if action.option_strings else "a value that is not empty", "")


class Stopped(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM: the command stops, its workers with it, keeping what it wrote."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


@contextmanager
def _stopped_by_signals():
    """SIGINT and SIGTERM raise ``Stopped`` in the command; a second signal while it stops is ignored."""
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return

    def stop(signum, frame):
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)
        raise Stopped(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _parameters_option(parser) -> None:
    parser.add_argument("--fixed-parameters", dest="parameters", action="store_const", const="fixed",
                        help="every replication runs the calibration's central parameter set, so intervals show the "
                             "model's randomness alone (default: each draws a set from the calibration's posterior)")


def _parser() -> argparse.ArgumentParser:
    from .version import __version__
    from .scenario import DEFAULT

    parser = argparse.ArgumentParser(prog="workforce", description=__doc__.split("\n\n")[0], epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"workforce {__version__}")
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    run = sub.add_parser("run", help="run a scenario and write its results", epilog=_examples(
        "workforce run", "workforce run wales-mh-2015 --until 2021 --seed 3 --replications 1",
        "workforce run my-scenario.yaml --replications 20 --out results/mine"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("scenario", nargs="?", default=DEFAULT, help=f"scenario name or YAML file (default {DEFAULT})")
    run.add_argument("--until", type=int, metavar="YEAR", help="last year to simulate (default: the scenario's end)")
    run.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    run.add_argument("--replications", type=int, default=10, metavar="N",
                     help="runs with seeds SEED, SEED+1, ...: the summary gives means and 90%% intervals (default 10)")
    run.add_argument("--out", metavar="DIR", help="output directory (default results/<run id>)")
    run.add_argument("--check", action="store_true", help="check invariants after every step")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    _parameters_option(run)
    run.set_defaults(func=_run)
    person = sub.add_parser("person", help="one person's career in a run, as a timeline", epilog=_examples(
        "workforce person 123", "workforce person 4567 wales-mh-2021 --seed 2 --until 2031"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run a scenario (one replication) and show one person's career: the stages\nthey were in, "
                    "when and why they moved, and where they are at the end.")
    person.add_argument("id", metavar="ID", type=int, help="the person's id (0 up to the people simulated)")
    person.add_argument("scenario", metavar="SCENARIO", nargs="?", default=DEFAULT,
                        help=f"scenario name or YAML file (default {DEFAULT})")
    person.add_argument("--seed", type=int, default=0, metavar="N", help="run seed (default 0)")
    person.add_argument("--until", type=int, metavar="YEAR", help="last year to simulate (default: the scenario's end)")
    person.set_defaults(func=_person, replications=1)
    pw = sub.add_parser("pathways", help="list a scenario's pathways, or draw one")
    pw.add_argument("scenario", nargs="?", default=DEFAULT, help="scenario name or YAML file")
    pw.add_argument("--draw", metavar="FILE", help="draw the pathways (or one, with --pathway) to an image file")
    pw.add_argument("--pathway", metavar="NAME", help="only this pathway")
    pw.set_defaults(func=_pathways)
    pl = sub.add_parser("plausibility", help="run a scenario and check what workforce planners check; "
                                             "exit 1 if a check fails")
    pl.add_argument("scenario", nargs="?", default=DEFAULT, help=f"scenario name or YAML file (default {DEFAULT})")
    pl.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    pl.add_argument("--replications", type=int, default=1, metavar="N",
                    help="runs with seeds SEED, SEED+1, ..., pooled (default 1)")
    pl.add_argument("--until", type=int, metavar="YEAR", help="last year to simulate (default: the scenario's end)")
    pl.add_argument("--ranges", metavar="FILE", help="ranges file or shipped name (default: the scenario's "
                                                     "plausibility: key)")
    pl.add_argument("--out", metavar="DIR", help="also write plausibility.csv and plausibility.md there")
    pl.set_defaults(func=_plausibility)
    _experiment_commands(sub)
    _calibrate_command(sub)
    _backtest_command(sub)
    _results_commands(sub)
    return parser


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _run(args) -> int:
    from . import plots
    from .results import run

    _check_run_options(args)
    _check_seed(args.seed, args.replications)
    if args.out is not None:
        folders.check_empty(args.out)
    else:  # results/ now, before the run: the run's folder in it is named when the run is done
        folders.check_folder(RESULTS)
    if args.replications > 1:
        return _run_replications(args)
    results = run(args.scenario, seed=args.seed, until=args.until, check=args.check,
                  parameters=args.parameters or "posterior")
    run_id = f"{results.scenario.name}-seed{args.seed}-{datetime.now():%Y%m%d-%H%M%S}"
    out = Path(args.out) if args.out else folders.check_empty(RESULTS / run_id)
    paths = results.write(out, extra={"fte_by_group.png": lambda p: plots.run_chart(results, p)})
    _print_summary(results)
    _say(f"\nwrote {', '.join(p.name for p in paths.values())} to {out}/")
    from .analysis import unfilled_in_runs
    from .replications import group_values

    _print_warnings(unfilled_in_runs(group_values(results)))
    return 0


def _person(args) -> int:
    from .results import run

    _check_run_options(args)
    _check_seed(args.seed)
    if args.id < 0:
        raise InputError.one("ID", "id", "a person id of at least 0", args.id)
    results = run(args.scenario, seed=args.seed, until=args.until)
    print(results.timeline(args.id, width=WIDTH))
    return 0


def _check_seed(seed: int | None, runs: int = 1) -> None:
    from .rng import check_seed

    if seed is not None:
        check_seed(seed, "--seed", runs=runs)


def _print_summary(results) -> None:
    import pandas as pd

    fte = results.summary("fte")
    tidy = results.tidy()
    flows = tidy[tidy.measure.isin(["joiners", "leavers"])].pivot_table(
        index="year", columns="measure", values="value", aggfunc="sum")
    vacancies = results.summary("vacancies_fte")["total"].rename("vacancies")
    table = pd.concat([fte, vacancies, flows], axis=1).fillna(0)
    _say(f"{results.scenario.name}: FTE by staff group each {_month_name(results.scenario)}, vacant FTE, and the "
         f"joiners and leavers of the year before (seed {results.seed}); years across\n")
    print(_fit(_by_year(table)))


def _say(text: str) -> None:
    import textwrap

    print("\n".join(textwrap.fill(part, WIDTH, break_long_words=False, break_on_hyphens=False) if part else part
                    for part in text.split("\n")))


def _month_name(scenario) -> str:
    from . import labels

    return labels.month_text(scenario.start).split()[0]


def _by_year(table):
    """Rows (groups, totals) down and years across, numbers with thousands separators: a long run
    continues in blocks of years below, so the table fits WIDTH columns."""
    return table.round(0).astype(int).T.map(lambda v: f"{v:,}").rename_axis(index=None, columns=None)


def _fit(table) -> str:
    """A table as text no wider than WIDTH columns: wider tables continue in blocks below, the rows repeated."""
    return table.to_string(line_width=WIDTH)


def _plausibility(args) -> int:
    from . import calendar, plausibility
    from .model import run_end
    from .results import run
    from .scenario import load

    _check_run_options(args)
    _check_seed(args.seed, args.replications)
    if args.out:
        folders.check_own_folder(args.out, own=plausibility.FILES[0])
    scenario = load(args.scenario)
    if args.until is not None and run_end(scenario, args.until) <= scenario.start:  # else every check fails
        raise InputError.one("--until", "until", f"a year after the scenario's start, to {calendar.year_of(scenario.end)} "
                                                 f"(a run of no time has nothing to judge; scenario "
                                                 f"{scenario.spec.name} runs from {scenario.spec.start} to "
                                                 f"{scenario.spec.end})", args.until)
    ranges = plausibility.scenario_ranges(scenario, args.ranges, "--ranges")  # bad ranges before any run
    if args.out:
        folders.check_inputs_kept(args.out, plausibility.FILES, {"--ranges": ranges.file})
    plausibility.check_replications(scenario, run_end(scenario, args.until), args.replications)
    # the calibration's central parameter set: the model's logic is judged, not a posterior draw's tail; each run
    # let go once its events are pooled
    results = (run(scenario, seed=args.seed + i, until=args.until, parameters="fixed")
               for i in range(args.replications))
    table = plausibility.check(plausibility.Run.of(results), ranges)
    seeds = f"seed {args.seed}" + (f"-{args.seed + args.replications - 1}" if args.replications > 1 else "")
    title = f"{scenario.name}, {seeds}, against {Path(ranges.file).name}"
    print(f"Is it plausible? {title}\n\n{plausibility.text(table)}\n\n{plausibility.summary(table)}")
    note = plausibility.by_chance(table)
    if note:
        print(note)
    if args.out:
        paths = plausibility.write(table, args.out, title)
        print(f"wrote {', '.join(p.name for p in paths.values())} to {args.out}/")
    return EXIT_IMPLAUSIBLE if plausibility.failed(table) else 0


def _check_run_options(args) -> None:
    """Options of a scenario's runs; replications bounded as a batch's runs are (a million would run for weeks)."""
    from .experiment import MAX_RUNS

    if args.until is not None and not 1900 <= args.until <= 2200:
        raise InputError.one("--until", "until", "a year between 1900 and 2200", args.until)
    if not 1 <= args.replications <= MAX_RUNS:
        raise InputError.one("--replications", "replications", f"a whole number from 1 to {MAX_RUNS:,}",
                             args.replications)
    from .model import run_end
    from .results import untabled_months
    from .scenario import load

    scenario = load(args.scenario)
    problem = untabled_months(scenario, run_end(scenario, args.until, "--until"))  # before any run
    if problem is not None:
        raise InputError([problem])


def _pathways(args) -> int:
    from . import pathways, plots
    from .scenario import load

    scenario = load(args.scenario)
    names = scenario.pathway_names
    if args.pathway and args.pathway not in names:
        raise InputError.one("--pathway", "pathway", f"one of {', '.join(names)}", args.pathway)
    chosen = [args.pathway] if args.pathway else names
    if args.draw:
        plots.pathway_graph(pathways.subgraph(scenario.graph, chosen), args.draw, option="--draw")
        print(f"drew {', '.join(chosen)} to {args.draw}")
        return 0
    for name in chosen:
        print(f"{name}:")
        print(pathways.describe(scenario.graph, name))
    return 0


# ---- experiments: batch, compare, sensitivity (sim.experiment, sim.analysis, sim.sensitivity) ----
def _experiment_commands(sub) -> None:
    def executor_options(p):
        p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")
        p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler address, or 'local' for a local "
                                                               "Dask cluster (default: local worker processes)")
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    batch = sub.add_parser("batch", help="run every policy of an experiment against every replication",
                           epilog=_examples("workforce batch experiments/wales-plan-actions.yaml",
                                            "workforce batch experiments/wales-plan-actions.yaml --replications 2   "
                                            "a small try first",
                                            "workforce batch experiments/wales-plan-places.yaml --scheduler local"),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    batch.add_argument("experiment", help="experiment file (YAML)")
    batch.add_argument("--replications", type=int, metavar="N",
                       help="replications instead of the file's (its first N seeds): try an experiment small; "
                            "results go to results/<experiment name>-replications<N> unless --out says")
    batch.add_argument("--years", type=int, metavar="N",
                       help="years from the scenario's start instead of the file's: try an experiment short; results "
                            "go to results/<experiment name>-years<N> (with --replications, -years<N>-replications<M>) "
                            "unless --out says")
    batch.add_argument("--out", metavar="DIR", help="results directory (default results/<experiment name>); "
                                                    "runs already there are skipped")
    executor_options(batch)
    _parameters_option(batch)
    batch.set_defaults(func=_batch)
    compare = sub.add_parser("compare", help="policies against the baseline: means, intervals, paired differences",
                             epilog=_examples("workforce compare results/wales_plan_actions",
                                              "workforce compare results/wales_plan_actions --measure vacancies_fte "
                                              "--years 2031 2041 --groups nursing total"),
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    compare.add_argument("results", metavar="RESULTS_DIR", help="a directory written by workforce batch")
    compare.add_argument("--measure", default="fte", help="a group measure (default fte)")
    compare.add_argument("--years", type=int, nargs="+", metavar="Y", help="years to print (default every 5 years)")
    compare.add_argument("--groups", nargs="+", metavar="G", help="groups to print (default all, and total)")
    compare.add_argument("--out", metavar="FILE", help="CSV of the full comparison (default RESULTS_DIR/"
                                                       "comparison-<measure>.csv)")
    compare.set_defaults(func=_compare)
    sens = sub.add_parser("sensitivity", help="Morris and Sobol indices over an experiment's uncertain parameters, "
                                              "with 95%% intervals and whether each can be read")
    sens.add_argument("experiment", help="experiment file (YAML) with uncertain parameters")
    sens.add_argument("--outcome", action="append", metavar="M:G:Y", help="an outcome measure:group:year "
                                                                         "(repeatable; default from the file)")
    sens.add_argument("--method", action="append", choices=["morris", "sobol"],
                      help="over the prior ranges (default: the file's sensitivity.methods, else both)")
    sens.add_argument("--over-posterior", metavar="FILE", help="parameter sets (CSV or Parquet: a column per "
                      "uncertain parameter, optional weight) to analyse with the delta method instead of the ranges")
    sens.add_argument("--strict", action="store_true", help="exit with status 2, writing nothing, when most of a "
                                                            "method's indices are too uncertain to read")
    sens.add_argument("--out", metavar="DIR", help="output directory (default results/<experiment name>-sensitivity)")
    executor_options(sens)
    sens.set_defaults(func=_sensitivity)
    target = sub.add_parser(
        "target", help="the smallest value of a lever (e.g. training places) that meets a target with a probability, "
                       "or the earliest year a value meets it",
        description=textwrap.fill("Search a lever's argument for the smallest value at which a group's gap in a year "
                                  "is at most G with probability at least P (bisection on paired replications), or, "
                                  "with --earliest-with N, the earliest year it is met at N. The options replace "
                                  "fields of the experiment file's target section.", 80),
        epilog=_examples("workforce target experiments/nursing-places-needed.yaml",
                         "workforce target experiments/nursing-places-needed.yaml --measure supply_gap_fte "
                         "--most-gap 50 --probability 0.9",
                         "workforce target experiments/nursing-places-needed.yaml --values 0:400:20 --year 2030",
                         "workforce target experiments/nursing-places-needed.yaml --earliest-with 200"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    target.add_argument("experiment", help="experiment file (YAML), with a target section or the options below")
    target.add_argument("--policy", help="the policy holding the lever searched (default: the file's only policy)")
    target.add_argument("--lever", type=int, metavar="I", help="the lever's index in the policy (default 0)")
    target.add_argument("--argument", metavar="A", help="the lever's numeric argument searched: extra, places.2025, "
                                                        "factor, ...")
    target.add_argument("--values", nargs="+", metavar="V", help="the values searched: FROM:TO:STEP, or numbers")
    target.add_argument("--group", metavar="G", help="a staff group, or total")
    target.add_argument("--measure", metavar="M", help="the group measure (default need_gap_fte)")
    target.add_argument("--year", type=int, metavar="Y", help="the year of the target (default: the final year)")
    target.add_argument("--most-gap", type=float, metavar="G", help="the most the measure may be (default 0)")
    target.add_argument("--probability", type=float, metavar="P", help="the probability of meeting it, in (0, 1)")
    target.add_argument("--earliest-with", type=float, metavar="N", help="instead of searching: the earliest year the "
                                                                         "target is met with the lever at N")
    target.add_argument("--every-value", action="store_true", help="run every value for every replication instead "
                                                                   "of bisecting (slower; not with --earliest-with)")
    target.add_argument("--replications", type=int, metavar="N", help="replications instead of the file's (its "
                                                                      "first N seeds)")
    target.add_argument("--out", metavar="DIR", help="results folder, empty or new (default results/<experiment "
                                                     "name>-target-<time>, or -earliest-<time> with --earliest-with)")
    executor_options(target)
    _parameters_option(target)
    target.set_defaults(func=_target)


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"workforce: note: {note}", file=sys.stderr)


def _print_warnings(warnings: list[str]) -> None:
    """Warnings on results, such as levers a cap cuts (``sim.analysis.cap_warnings``), after them."""
    for warning in warnings:
        print("\n" + textwrap.fill(f"workforce: warning: {warning}", WIDTH, subsequent_indent="  ",
                                   break_long_words=False, break_on_hyphens=False), file=sys.stderr)


def _check_workers(args) -> None:
    from . import footprint

    if args.workers is not None and args.workers < 1:
        raise InputError.one("--workers", "workers", "a number of workers of at least 1", args.workers)
    if args.workers is not None and args.scheduler in (None, "local"):  # processes of this machine
        footprint.check_workers(args.workers, "--workers", "workers")
    elif args.workers is not None:  # else ignored in silence: a scheduler's cluster has the workers it has
        raise InputError.one("--workers", "workers", "no --workers with a scheduler's address (the runs go to its "
                                                     "cluster's workers; --workers is for this machine's processes, "
                                                     "or --scheduler local)", args.workers)


def _batch(args) -> int:
    from . import experiment

    _check_workers(args)
    experiment.check_scheduler(args.scheduler)
    if args.years is not None and args.years < 1:
        raise InputError.one("--years", "years", "a whole number of years, at least 1", args.years)
    try:
        loaded = experiment.load(args.experiment, parameters=args.parameters, years=args.years)
    except InputError as exc:  # the years the option gave are the option's, not the file's
        raise InputError([Problem("--years", "years", p.expected, p.found) if args.years is not None
                          and p.field == "years" and Path(p.file) == Path(args.experiment) else p
                          for p in exc.problems]) from None
    if args.replications is not None:
        runs = len(loaded.policies) * len(loaded.parameter_sets())
        most = experiment.MAX_RUNS // runs
        if not 1 <= args.replications <= most:
            raise InputError.one("--replications", "replications", f"a whole number from 1 to {most:,}",
                                 args.replications)
        loaded = loaded.with_replications(args.replications)
    small = "".join(f"-{name}{n}" for name, n in (("years", args.years), ("replications", args.replications))
                    if n is not None)  # a small try's results apart from the experiment's own
    out = args.out or (RESULTS / f"{loaded.name}{small}" if small else None)
    _print_notes(loaded.notes)
    args.on_stop = "the runs written are kept: rerun the same command to resume"
    summary = experiment.batch(loaded, out=out, workers=args.workers, scheduler=args.scheduler, quiet=args.quiet)
    sets = len(loaded.parameter_sets())
    print(f"{loaded.name}: {summary.runs} runs ({len(loaded.policies)} policies incl. baseline x "
          f"{sets} parameter set{'s' if sets > 1 else ''} x {loaded.spec.replications} replications); "
          f"{summary.written} run now, {summary.skipped} already there\nintervals over replications contain "
          f"{loaded.uncertainty}\nresults in {summary.out}/ "
          f"(workforce compare {summary.out})")
    from . import analysis

    _print_warnings(analysis.cap_warnings(summary.out))
    return 0


def _target(args) -> int:
    from . import experiment, target

    _check_workers(args)
    experiment.check_scheduler(args.scheduler)
    if args.replications is not None and not 1 <= args.replications <= experiment.MAX_RUNS:
        raise InputError.one("--replications", "replications", f"a whole number from 1 to {experiment.MAX_RUNS:,}",
                             args.replications)
    options = {name: getattr(args, name) for name in target.OPTIONS if name != "values"}
    options["values"] = target.parse_values(args.values)
    loaded, question = target.load(args.experiment, options, parameters=args.parameters,
                                   replications=args.replications)
    target.check_runs(loaded, question, args.every_value, args.values, args.replications is not None)
    kind = "earliest" if question.earliest_with is not None else "target"
    out = folders.check_empty(Path(args.out) if args.out else
                              RESULTS / f"{loaded.name}-{kind}-{datetime.now():%Y%m%d-%H%M%S}")
    _print_notes(loaded.notes)
    if question.earliest_with is not None:
        result = target.earliest(loaded, question, workers=args.workers, scheduler=args.scheduler, quiet=args.quiet)
    else:
        result = target.search(loaded, question, workers=args.workers, scheduler=args.scheduler, quiet=args.quiet,
                               every_value=args.every_value)
    paths = target.write(result, loaded, out)
    print(result.summary(loaded.scenario))
    for warning in result.warnings:
        print("\n" + textwrap.fill(f"workforce: warning: {warning}", width=WIDTH, subsequent_indent="  ",
                                   break_long_words=False), file=sys.stderr)
    _say(f"\nwrote {', '.join(p.name for p in paths.values())} to {out}/")
    return 0


def _compare(args) -> int:
    from . import analysis

    results = folders.results_folder(args.results)
    out = folders.check_file(args.out, suffixes=(".csv",)) if args.out else None  # a bad --out before reading
    batch = folders.load(results, kind="batch")  # its manifest read as report and batch read it
    # the default's place once the results are read: a folder that is no results (their runs folder, say) is
    # named as such, not as --out, which was not given
    out = out or folders.check_file(results / f"comparison-{args.measure}.csv", suffixes=(".csv",))
    table = analysis.compare(results, args.measure)
    analysis.check_shown(table, args.years, args.groups, where=None)  # before the comparison is written
    written, planned = analysis.completeness(results)
    folders.atomic_write(out, lambda p: table.to_csv(p, index=False))
    first, last = int(table.year.min()), int(table.year.max())
    years = args.years or sorted({*range(first, last + 1, 5), last})
    import textwrap

    from . import labels

    # named in words: the default, fte, counts trainees in service with the staff in post (a report shows FTE in post)
    print(textwrap.fill(f"{args.measure}, {labels.measure(args.measure)}, by policy, group and year: mean [90% "
                        f"interval over runs]; paired difference from the baseline [90% interval]; 90% confidence "
                        f"interval of the mean difference", WIDTH))
    contents = batch.manifest.get("uncertainty")
    if contents:  # a policy and its baseline share each run's parameter set and random streams
        print(textwrap.fill(f"Intervals over runs contain {contents}; each paired difference shares both.", WIDTH))
    print()
    print(analysis.format_comparison(table, years=years, groups=args.groups))
    _print_warnings(analysis.cap_warnings(results))
    if written < planned:
        print(f"\nnote: {written} of {planned} runs written; rerun workforce batch to finish", file=sys.stderr)
    print(f"\nwrote {out}")
    return 0


def _sensitivity(args) -> int:
    from . import experiment, sensitivity

    _check_workers(args)
    experiment.check_scheduler(args.scheduler)
    loaded = experiment.load(args.experiment)
    _print_notes(loaded.notes)
    sensitivity.check_outcomes(loaded, args.outcome, "--outcome", "outcome")
    space = sensitivity.PRIOR
    if args.over_posterior:
        if args.method:
            raise InputError.one("--method", "method", "no --method with --over-posterior (over parameter sets the "
                                                       "method is delta: Morris and Sobol need independent ranges)",
                                 args.method)
        space = sensitivity.read_parameter_sets(args.over_posterior)
        if not loaded.spec.uncertain:
            raise InputError.one(loaded.file, "uncertain", "the uncertain parameters of the parameter sets")
        sensitivity.parameter_points(loaded, space)  # every problem with the file before any run
    out = folders.check_own_folder(Path(args.out) if args.out else RESULTS / f"{loaded.name}-sensitivity",
                                   own=sensitivity.FILES[0])
    folders.check_inputs_kept(out, sensitivity.FILES, {"--over-posterior": args.over_posterior})
    table = sensitivity.analyse(loaded, outcomes=args.outcome, methods=args.method, workers=args.workers,
                                scheduler=args.scheduler, quiet=args.quiet, space=space)
    sizes, runs = table.attrs["sizes"], table.attrs["runs"]
    if args.over_posterior:
        print(f"{loaded.name}: sensitivity indices over the parameter sets of {args.over_posterior} ({runs} runs)\n"
              f"delta method, on {sizes['delta']} parameter sets (the effective number of the file's "
              f"{table.attrs['rows']} rows)\n")
    else:
        used = ", ".join(f"{sensitivity.NAMES[m]} {n} {sensitivity.SIZES[m][1]}" for m, n in sizes.items())
        print(f"{loaded.name}: sensitivity indices over the prior ranges ({runs} runs)\n{used}\n")
    print(sensitivity.format_indices(table))
    where = args.over_posterior or loaded.file
    short = sensitivity.shortfalls(table)
    if args.strict and any(s.most for s in short):
        raise sensitivity.refusal([s for s in short if s.most], where)
    for s in short:  # a warning when most of a method's indices cannot be read, else a note
        text = f"workforce: {'warning' if s.most else 'note'}: {sensitivity.advice(s, where)}"
        print("\n" + textwrap.fill(text, width=100, subsequent_indent="  ", break_long_words=False,
                                   break_on_hyphens=False), file=sys.stderr)
    paths = sensitivity.write(table, out)
    print(f"\nwrote {', '.join(p.name for p in paths.values())} to {out}/")
    return 0


# ---- replications and calibration (sim.replications, sim.calibration) ------------------------------
def _run_replications(args) -> int:
    import pandas as pd

    from .replications import headline_in_post, run_replications, summarise

    from tqdm import tqdm

    from . import plots
    from .experiment import interval_contents
    from .scenario import load

    parameters = args.parameters or "posterior"
    scenario = load(args.scenario)  # bad input said before a progress bar starts
    # disable=None: a bar on a terminal only, not in a log or a pipe
    with tqdm(total=args.replications, desc="replications", unit="run", disable=True if args.quiet else None,
              dynamic_ncols=True) as bar:
        first, values = run_replications(scenario, seed=args.seed, replications=args.replications,
                                         until=args.until, check=args.check, progress=lambda done, _: bar.update(1),
                                         parameters=parameters)
    seeds = f"seed{args.seed}-{args.seed + args.replications - 1}"
    out = Path(args.out) if args.out else folders.check_empty(
        RESULTS / f"{first.scenario.name}-{seeds}-{datetime.now():%Y%m%d-%H%M%S}")
    summary = summarise(values)
    # tables, events and chart of the first replication, the replications' tables, and the manifest last
    paths = first.write(out, extra={"fte_by_group.png": lambda p: plots.run_chart(first, p, values),
                                    "replications.csv": lambda p: values.to_csv(p, index=False),
                                    "summary.csv": lambda p: summary.to_csv(p, index=False)},
                        manifest={"replication_seeds": list(range(args.seed, args.seed + args.replications)),
                                  "parameters": parameters, "uncertainty": interval_contents(first.scenario, parameters)})
    s = first.scenario
    mean = summary[summary.measure == "in_post_fte"].pivot(index="year", columns="group", values="mean")
    total = summary[summary.group == "total"].pivot(index="year", columns="measure", values="mean")
    table = pd.concat([mean[[*s.groups, "total"]], total.training_fte.rename("in training"),
                       total.vacancies_fte.rename("vacant")], axis=1)
    _say(f"{s.name}: mean FTE in post by staff group each {_month_name(s)}, FTE of trainees in service and vacant "
         f"FTE, over {args.replications} replications (seeds {args.seed}-{args.seed + args.replications - 1}); "
         f"years across\n")
    print(_fit(_by_year(table)))
    _say(f"\nFTE in post: mean (90% interval over replications, containing "
         f"{interval_contents(first.scenario, parameters)}); trainees in service apart\n")
    print(_fit(headline_in_post(summary, s.groups)))
    _say(f"\nwrote {', '.join(p.name for p in paths.values())} to {out}/")
    from .analysis import unfilled_in_runs

    _print_warnings(unfilled_in_runs(values))
    return 0


def _calibrate_command(sub) -> None:
    from .calibration import DEFAULT_CONFIG

    cal = sub.add_parser("calibrate", help="a posterior of the uncertain parameters from a history (Bayesian: "
                                           "approximate Bayesian computation); write it with its parameter file")
    cal.add_argument("config", nargs="?", default=str(DEFAULT_CONFIG),
                     help="calibration file (default: the shipped 2015-2021 history)")
    for name, what in (("population", "parameter sets a generation, and in the posterior"),
                       ("generations", "generations at most"), ("max-runs", "no generation starts or goes on past this many runs"),
                       ("workers", "processes"), ("seed", "the seed every candidate's stream derives from"),
                       ("check-replications", "fresh runs checking the fit, before and after")):
        cal.add_argument(f"--{name}", type=int, metavar="N", help=f"{what} (default: the file's settings)")
    cal.add_argument("--scheduler", metavar="ADDRESS", help="run on Dask: 'local', or a scheduler's address")
    cal.add_argument("--version", help="version label of the parameter file (default: the next v<N>)")
    cal.add_argument("--out-dir", metavar="DIR", help="where to write it (default sim/data/calibration)")
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
    cal.add_argument("--evaluate", metavar="PARAMETER_FILE",
                     help="no fit: check a parameter file (a path, or a shipped name such as wales-mh-v18) against "
                          "the history, with the seed and check replications of its settings, and print the "
                          "report's targets table")
    cal.set_defaults(func=_calibrate)


def _calibrate(args) -> int:
    from .calibration import MIN_POPULATION, calibrate

    if args.check_replications is not None and args.check_replications < 2:
        raise InputError.one("--check-replications", "check_replications", "at least 2", args.check_replications)
    _check_seed(args.seed)
    if args.evaluate is not None:  # which refuses the fitting options below
        return _evaluate_calibration(args)
    for name, least in (("population", MIN_POPULATION), ("generations", 1), ("max_runs", 1), ("workers", 1)):
        if getattr(args, name) is not None and getattr(args, name) < least:
            raise InputError.one(f"--{name.replace('_', '-')}", name, f"at least {least}", getattr(args, name))
    from .calibration import CALIBRATION_DIR
    from .experiment import check_scheduler

    check_scheduler(args.scheduler)
    folders.check_own_folder(args.out_dir or CALIBRATION_DIR, "--out-dir")
    if args.version is not None:
        _check_new_version(args.config, Path(args.out_dir or CALIBRATION_DIR), args.version)
    summary = calibrate(args.config, out_dir=args.out_dir, version=args.version, population=args.population,
                        generations=args.generations, max_runs=args.max_runs, workers=args.workers,
                        scheduler=args.scheduler, seed=args.seed, check_replications=args.check_replications,
                        quiet=args.quiet)
    print(summary["report"].read_text(encoding="utf-8"))
    name = summary["parameters"].stem
    print(f"wrote {summary['posterior']}, {summary['parameters']}, {summary['report']} and {summary['figure']}\n"
          f"a scenario uses it with `calibration: {name}`")
    return 0


def _check_new_version(config, out_dir: Path, version: str) -> None:
    """Refuse a ``--version`` whose files are in ``out_dir`` already: the fit would replace them once done,
    and a shipped calibration (wales-mh-v18, which scenarios name) would change under every scenario using it."""
    from .calibration import load, next_version
    from .errors import plain_name

    plain_name(version, "--version", "version")  # a name that climbs out is said as such, not looked for
    name = load(config)[0].name
    stem = f"{name}-{version}"
    there = [n for n in (f"{stem}.yaml", f"{stem}-posterior.csv", f"{stem}-report.md", f"{stem}-pairs.png")
             if os.path.lexists(out_dir / n)]
    if there:
        raise InputError.one("--version", "version", f"a version not written yet in {out_dir} ({there[0]} is there "
                                                     f"and the fit would replace it: leave --version out for the "
                                                     f"next, {next_version(out_dir, name)}, or choose another "
                                                     f"--out-dir)", version)


def _backtest_command(sub) -> None:
    from .backtest import DEFAULT

    bt = sub.add_parser("backtest", help="project the years a calibration did not see and compare with what was "
                                         "published: each outcome's error and whether it fell inside the interval")
    bt.add_argument("config", nargs="?", default=str(DEFAULT), help="back-test file (default: the shipped one, "
                                                                   "2015-2021 posterior against 2021-2024)")
    bt.add_argument("--replications", type=int, metavar="N", help="runs, each with a posterior draw (default: "
                                                                   "the file's)")
    bt.add_argument("--workers", type=int, metavar="N", help="processes for a refit (fit: and fit_until:)")
    bt.add_argument("--out", metavar="DIR", help="write the table (CSV, Markdown) and figure (PNG) there")
    bt.add_argument("--quiet", action="store_true", help="no progress bar")
    bt.set_defaults(func=_backtest)


def _backtest(args) -> int:
    from . import backtest

    from .experiment import MAX_RUNS

    if args.replications is not None and not 2 <= args.replications <= MAX_RUNS:
        raise InputError.one("--replications", "replications", f"a whole number from 2 to {MAX_RUNS:,}",
                             args.replications)
    if args.workers is not None and args.workers < 1:
        raise InputError.one("--workers", "workers", "at least 1", args.workers)
    if args.workers is not None and backtest.load(args.config).posterior is not None:  # else ignored in silence
        raise InputError.one("--workers", "workers", f"no --workers with a back-test of a fitted posterior (posterior: "
                                                     f"in {args.config}): its processes are a refit's (fit: and "
                                                     f"fit_until:)", args.workers)
    if args.out is not None:
        folders.check_own_folder(args.out)
        backtest.check_inputs_kept(args.config, args.out)
    result = backtest.backtest(args.config, replications=args.replications, workers=args.workers, quiet=args.quiet,
                               out_dir=args.out)
    print(result["markdown"])
    if args.out is not None:
        paths = backtest.write(result, args.out)
        print(f"wrote {', '.join(p.name for p in paths.values())} to {args.out}/")
    return 0


def _evaluate_calibration(args) -> int:
    from .calibration import evaluate

    for name in ("population", "generations", "max_runs", "workers", "scheduler", "version", "out_dir"):
        if getattr(args, name) is not None:
            option = "--" + name.replace("_", "-")
            raise InputError.one(option, name, "no fitting option with --evaluate (it runs no fit)", getattr(args, name))
    result = evaluate(args.evaluate, args.config, check_replications=args.check_replications, seed=args.seed)
    print(f"# Calibration {result['name']}: evaluated without refitting\n\n"
          f"Loss of the mean over the {result['check_replications']} fresh replications: "
          f"{result['check_loss']:.3f}.\n\n{result['table']}")
    return 0


# ---- looking at results: report, dashboard (sim.report, sim.app) ---------------------------------------
def _results_commands(sub) -> None:
    rep = sub.add_parser("report", help="one self-contained HTML report from run, batch, sensitivity and target "
                                        "results folders")
    rep.add_argument("results", metavar="RESULTS_DIR", nargs="+",
                     help="folders written by workforce run, batch, sensitivity or target")
    rep.add_argument("--out", metavar="FILE", help="the HTML file (default RESULTS_DIR/report.html, the first one)")
    rep.set_defaults(func=_report)
    dash = sub.add_parser("dashboard", help="serve the browser dashboard (policy against baseline, with intervals)")
    dash.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 for any free port)")
    dash.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    dash.add_argument("--open", action="store_true", help="open it in a web browser")
    dash.set_defaults(func=_dashboard)


def _report(args) -> int:
    from . import report

    out = report.write(args.results, args.out)
    print(f"wrote {out}")
    return 0


def _dashboard(args) -> int:
    import socket

    if not 0 <= args.port <= 65535:
        raise InputError.one("--port", "port", "a port number from 0 to 65535", args.port)
    host = "an address or name of this machine to listen on (as 127.0.0.1, or 0.0.0.0 for every address)"
    try:  # the host first, whatever the port: a name that is no address, or another machine's, is the host's fault
        family, _, _, _, address = socket.getaddrinfo(args.host, None, type=socket.SOCK_STREAM,
                                                      flags=socket.AI_PASSIVE)[0]
    except (OSError, UnicodeError) as exc:  # no such name; a label too long to encode
        raise InputError.one("--host", "host", host, f"{args.host}: {getattr(exc, 'strerror', None) or 'no address'}") \
            from None
    for port, option in ((0, "--host"), (args.port, "--port")) if args.port else ((0, "--host"),):
        with socket.socket(family) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is no obstacle
            try:
                probe.bind((address[0], port, *address[2:]))
            except OSError as exc:
                if option == "--host":
                    raise InputError.one("--host", "host", host, f"{args.host}: {exc.strerror}") from None
                raise InputError.one("--port", "port", f"a free port on {args.host} (or --port 0)",
                                     f"{args.port}: {exc.strerror}") from None
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "solara", "run", "sim.app", "--host", args.host, "--port", str(args.port),
               "--open" if args.open else "--no-open", "--production", "--log-level", "warning"]
    print(f"workforce dashboard: starting on http://{args.host}:{args.port or '<any free port>'}/ (Ctrl-C stops it)",
          flush=True)
    sys.stderr.flush()
    os.execve(sys.executable, command, env)  # this process becomes the Solara server: signals reach it directly
    return 0  # pragma: no cover - not reached
