"""A calibration's posterior: the parameter sets a projection's replications draw from.

``workforce calibrate`` writes the posterior ensemble beside its parameter file, as a table with
one row per parameter set: its importance ``weight`` and the value of each fitted parameter,
named as in ``uncertain:`` (the dotted key for a ``range``, ``scale:<key>`` for a factor on the
shipped value). The parameter file names it (``posterior:``) and records, under ``fitted``, each
key's shipped value, which a factor multiplies.

Each replication runs with one parameter set, drawn by weight from a stream of its own seed
(``index``): a policy and its baseline, run with the same seed, share the parameter set as they
share every random stream, so their difference carries no parameter noise of its own. The
parameter file's ``overrides`` are the posterior's central set (``central``), which a run uses
when asked for fixed parameters (intervals of the model's randomness alone).
"""

from __future__ import annotations

import math
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import (UNKNOWN_KEY, InputError, Problem, _short, columns_found, covering_key, is_file, is_plain_name,
                     not_decoded, refuse_special, rounded_down)
from .rng import stable_hash
from .uncertain import SCALE, as_overrides

WEIGHT = "weight"


@dataclass(eq=False)
class Posterior:
    file: Path
    names: list[str]  # parameter names: a dotted key, or scale:<key>
    values: np.ndarray  # one row per parameter set
    weights: np.ndarray  # summing to 1
    shipped: dict  # dotted key -> the scenario value a factor multiplies
    cumulative: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        self.cumulative = np.cumsum(self.weights)

    def __len__(self) -> int:
        return len(self.weights)

    def index(self, seed: int) -> int:
        """The parameter set of the replication with ``seed``: a draw by weight from its own stream."""
        u = np.random.default_rng(stable_hash("posterior", int(seed))).random() * self.cumulative[-1]
        return int(min(np.searchsorted(self.cumulative, u, side="right"), len(self) - 1))

    def parameters(self, i: int) -> dict[str, float]:
        return {name: float(v) for name, v in zip(self.names, self.values[i])}

    def overrides(self, i: int, schema) -> dict:
        """Parameter set ``i`` as dotted scenario overrides of a scenario of ``schema`` (``sim.scenario.schema``)."""
        return as_overrides(self.parameters(i), self.shipped.__getitem__, schema)

    def cell(self, key: str, i: int, problem) -> tuple[str, str]:
        """Where a ``problem`` with the dotted ``key`` that parameter set ``i`` sets comes from: the
        field naming the table's column and row (1 for the first set, below the header), and what was
        expected (of a factor, what the value it scales had to be)."""
        column = key if key in self.names else f"{SCALE}{key}"
        expected = problem.expected if column == key else \
            f"a factor that leaves {problem.field} {problem.expected}"
        return f"{column}, row {i + 1}", expected

    @contextmanager
    def cells_named(self, i: int, file):
        """Inside, an input error of the scenario ``file`` in a value parameter set ``i`` sets (given as
        the caller's overrides) is raised naming the table's cell that holds it (``cell``): the scenario
        holds no such value."""
        try:
            yield
        except InputError as exc:
            keys, problems = [name.removeprefix(SCALE) for name in self.names], []
            for p in exc.problems:
                key = covering_key(p.field, keys)
                if p.file == str(file) and key is not None:
                    p = Problem(str(self.file), *self.cell(key, i, p), p.found)
                problems.append(p)
            raise InputError(problems) from None

    def central(self, blocks: list[list[int]] | None = None) -> np.ndarray:
        """The central set: for each block of parameters (column indices; all of them as one if none
        are given), the values of the set nearest the weighted median of each of its parameters, in
        units of each one's spread. An accepted set's, unlike the medians themselves, which may not
        fit together; block by block, as a calibration's independent blocks are paired at random, so
        that one block's median does not move another's values."""
        median = np.array([weighted_quantile(self.values[:, j], self.weights, 0.5) for j in range(len(self.names))])
        spread = self.values.std(axis=0)
        spread[spread == 0] = 1.0
        out = np.empty(len(self.names))
        for j in blocks or [list(range(len(self.names)))]:
            out[j] = self.values[np.argmin((((self.values[:, j] - median[j]) / spread[j]) ** 2).sum(axis=1)), j]
        return out

    def quantiles(self, q) -> np.ndarray:
        """Weighted quantiles ``q`` of every parameter: shape (len(q), parameters)."""
        return np.array([[weighted_quantile(self.values[:, j], self.weights, p) for j in range(len(self.names))]
                         for p in q])


def _quantile_at(values: np.ndarray, weights: np.ndarray, q: float) -> tuple:
    """The values in order, their weights' running sum, the weight ``q`` of the whole, and the position of the
    weighted ``q`` quantile among them: the first value whose running sum reaches it."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    target = q * cumulative[-1]
    return values[order], cumulative, target, min(int(np.searchsorted(cumulative, target)), len(values) - 1)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    ordered, _, _, i = _quantile_at(values, weights, q)
    return float(ordered[i])


def _quantile_range(values: np.ndarray, weights: np.ndarray, q: float) -> tuple[float, float]:
    """The least and greatest value the weighted ``q`` quantile (``weighted_quantile``) may take as the weights'
    sums fall in their last bits: equal weights put it on the boundary between two sets, either of which the
    sums may pick, so both are taken; elsewhere it is one set's value."""
    ordered, cumulative, target, i = _quantile_at(values, weights, q)
    edge = 1e-9 * cumulative[-1]
    low = i - 1 if i > 0 and abs(cumulative[i - 1] - target) <= edge else i
    high = min(i + 1, len(values) - 1) if abs(cumulative[i] - target) <= edge else i
    return float(ordered[low]), float(ordered[high])


# a table of parameter sets read whole into memory: a calibration's posterior of a thousand sets is a
# quarter of a megabyte, so this is hundreds of thousands of them; a file of gigabytes would exhaust memory
MAX_TABLE_BYTES = 100_000_000


def not_too_big(path) -> None:
    """Refuse a table of parameter sets larger than ``MAX_TABLE_BYTES`` before reading it."""
    size = os.stat(path).st_size
    if size > MAX_TABLE_BYTES:
        raise InputError.one(path, "", f"a table of parameter sets of at most {MAX_TABLE_BYTES:,} bytes", size)


def unreadable(exc: Exception) -> str:
    """What a table pandas could not read was found to be, in words rather than by the reader's exception: an
    empty file, a byte that is not UTF-8 (a table saved as UTF-16), or lines that are no comma-separated rows."""
    import pandas as pd

    if isinstance(exc, pd.errors.EmptyDataError):
        return "an empty file"
    if isinstance(exc, UnicodeDecodeError):
        return not_decoded(exc)
    if isinstance(exc, pd.errors.ParserError):
        return "lines that are not rows of values separated by commas"
    return type(exc).__name__


def whole_rows(path, table) -> None:
    """Refuse a CSV table of parameter sets whose rows hold more values than its header names: pandas
    takes the extra first values as the rows' index, so every value would sit under the next one's name."""
    import pandas as pd

    if not isinstance(table.index, pd.RangeIndex):
        raise InputError.one(path, "<rows>", "as many values in each row as the header names columns",
                             f"{table.index.nlevels + len(table.columns)} values under {len(table.columns)} names")


def numbers(column) -> np.ndarray:
    """A table's column as numbers, NaN where a value is none: text, empty, or true/false (pandas reads a
    column of True and False as booleans, which would be taken as 1 and 0: a leaving rate of 1 from True)."""
    import pandas as pd

    values = np.array(pd.to_numeric(column, errors="coerce"), dtype=float)  # a copy of its own, to write in
    if pd.api.types.is_bool_dtype(column) or column.dtype == object:
        values[column.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)] = np.nan
    return values


def columns_once(path) -> None:
    """Refuse a CSV table whose header names a column twice: pandas renames the second (``x`` to
    ``x.1``), so a message would name a column the file does not have. Call after pandas read it: its
    header is read again by pandas, as a row (never renamed), so a name pandas read is read here too
    (Python's csv module refused a name past 131,072 characters with a traceback)."""
    import pandas as pd

    header = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0].tolist()
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise InputError.one(path, "columns", "each column named once", ", ".join(twice))


KINDS = ("range", "scale")  # of a fitted key: its value drawn from a range, or a factor on its shipped value


# what ``workforce calibrate`` records of each fitted key (``value`` before it wrote a posterior, ``median`` to
# ``central`` since): ``shipped`` is the scenario's value the fit started from, which loading checks
FITTED_KEYS = ("kind", "bounds", "prior", "prior_interval_90", "value", "median", "interval_90", "central", "shipped")


def fitted_section(parameter_file, fitted) -> dict:
    """A parameter file's ``fitted`` section, checked: ``{}`` if it has none, else each fitted key's
    mapping of what it was fitted from (``kind``: range or scale, its ``shipped`` value, ...). Read as
    none when malformed, it left a posterior's columns unexplained and a scale's shipped value unknown
    (a traceback in a back-test), and the values a calibration was fitted from unchecked, in silence."""
    if fitted is None:
        return {}
    if not isinstance(fitted, dict) or not all(isinstance(key, str) for key in fitted):
        raise InputError.one(parameter_file, "fitted", "a mapping of each fitted key to what it was fitted from "
                                                       "(kind, value, shipped, ...)", _short(fitted))
    for key, f in fitted.items():
        if not isinstance(f, dict):
            raise InputError.one(parameter_file, f"fitted.{key}", "a mapping of what the key was fitted from (kind, "
                                                                  "value, shipped, ...)", _short(f))
        if f.get("kind", KINDS[0]) not in KINDS:  # a factor read as the value itself, or the other way round
            raise InputError.one(parameter_file, f"fitted.{key}.kind", f"one of {', '.join(KINDS)}", f.get("kind"))
        unknown = [name for name in f if name not in FITTED_KEYS]
        if unknown:  # a misspelt shipped: would leave the scenario's value of the key unchecked, in silence
            raise InputError.one(parameter_file, f"fitted.{key}.{unknown[0]}", f"{UNKNOWN_KEY}: what "
                                                                             f"a key was fitted from is "
                                                                             f"{', '.join(FITTED_KEYS)}")
    return fitted


def read(name: str, parameter_file: Path, fitted: dict, parameter_sets=None, *, schema) -> Posterior:
    """The posterior table ``name`` (beside ``parameter_file``, which names it) for the keys of
    ``fitted``, with as many rows as the file's ``parameter_sets`` says (if it says), every row within
    what the scenario's ``schema`` lets its column hold (``cell_problems``); a problem names the file
    and what was expected."""
    import pandas as pd

    fitted = fitted_section(parameter_file, fitted)
    if not is_plain_name(name):  # beside the parameter file: never a path to a file elsewhere (/etc/passwd)
        raise InputError.one(parameter_file, "posterior", "the file name of its posterior table, beside it (a plain "
                                                          "name, no folder)", name)
    path = parameter_file.parent / str(name)
    refuse_special(path, parameter_file, "posterior")
    if not is_file(path):
        raise InputError.one(parameter_file, "posterior", "the file name of its posterior table, beside it", name)
    not_too_big(path)
    try:
        table = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError.one(path, "", "a table of parameter sets (CSV: weight and one column per parameter)",
                             unreadable(exc)) from None
    whole_rows(path, table)
    columns_once(path)
    if table.empty and len(table.columns):  # each column would be said to hold no finite numbers
        raise InputError.one(path, "<rows>", "at least one parameter set (a row below the header)", 0)
    names = [key if f.get("kind") != "scale" else f"{SCALE}{key}" for key, f in fitted.items()]
    expected = [WEIGHT, *names]
    if list(table.columns) != expected:
        raise InputError.one(path, "columns", f"{', '.join(expected)} (the parameters of {parameter_file.name})",
                             columns_found(table.columns))
    problems = []
    for column in expected:
        values = numbers(table[column])
        if len(values) == 0 or not np.isfinite(values).all() or (column == WEIGHT and (values < 0).any()):
            problems.append(Problem(str(path), column, "finite numbers" + (" not below 0" if column == WEIGHT else "")))
    if problems:
        raise InputError(problems)
    if parameter_sets is not None and (isinstance(parameter_sets, bool) or parameter_sets != len(table)):
        raise InputError.one(parameter_file, "parameter_sets", f"the number of parameter sets in {path.name} "
                                                               f"({len(table):,})", parameter_sets)
    weights = table[WEIGHT].to_numpy(dtype=float)
    if not (weights > 0).any():
        raise InputError.one(path, WEIGHT, "weights adding up to more than 0")
    weights = weights / weights.max()  # shares of the largest: weights near the largest float sum to no infinity
    shipped = {key: f.get("shipped") for key, f in fitted.items() if f.get("kind") == "scale"}
    missing = [key for key, value in shipped.items() if value is None]
    if missing:
        raise InputError([Problem(str(parameter_file), f"fitted.{key}.shipped", "the shipped value the factor "
                                                                                "multiplies") for key in missing])
    values = table[names].to_numpy(dtype=float)
    problems = cell_problems(path, parameter_file, fitted, names, values, schema)
    if problems:
        raise InputError(problems)
    posterior = Posterior(file=path, names=names, values=values, weights=weights / weights.sum(), shipped=shipped)
    wrong = recorded_problem(posterior, parameter_file, fitted, name)
    if wrong is not None:
        raise InputError([wrong])
    return posterior


# quantiles of the posterior a parameter file records (``fitted.<key>.median``, ``interval_90``), each as calibrate wrote it
RECORDED = {"median": (0.5,), "interval_90": (0.05, 0.95)}


def recorded_numbers(fitted: dict, name: str, size: int) -> list[float] | None:
    """What a parameter file records of a fitted key (``fitted``: its section) at ``name`` (a median, or the ends of
    an interval), as ``size`` finite numbers; None if it records no such thing."""
    value = fitted.get(name)
    values = value if isinstance(value, list) else [value]
    return [float(v) for v in values] if len(values) == size and all(_finite(v) for v in values) else None


def recorded_problem(posterior: Posterior, parameter_file, fitted: dict, name: str) -> Problem | None:
    """The table's weighted quantiles of each parameter against those its parameter file records, rounded to
    6 places as calibrate writes them (None if they agree, or the file records none). Another version's table of
    the same parameters and size (a copied parameter file naming wales-mh-v12-posterior.csv), or a table
    edited since the fit, was drawn from in silence under this calibration's name, its central set and report
    describing other parameter sets."""
    for j, key in enumerate(fitted):
        for recorded, levels in RECORDED.items():
            given = recorded_numbers(fitted[key], recorded, len(levels))
            if given is None:
                continue  # not recorded (a file written before its posterior), or not as calibrate writes it
            found = [round(weighted_quantile(posterior.values[:, j], posterior.weights, q), 6) for q in levels]
            near = [_quantile_range(posterior.values[:, j], posterior.weights, q) for q in levels]
            # beyond what the quantile may be (``_quantile_range``) by more than a unit of the 6th place
            if any(not lo - 2e-6 * max(1.0, abs(g)) <= g <= hi + 2e-6 * max(1.0, abs(g))
                   for (lo, hi), g in zip(near, given)):
                shown = found[0] if len(found) == 1 else found
                return Problem(str(parameter_file), "posterior", f"the posterior table written with this parameter "
                                                                 f"file: in {name}, {posterior.names[j]} has "
                                                                 f"{recorded} {shown}, where fitted.{key}.{recorded} "
                                                                 f"records {given[0] if len(given) == 1 else given} "
                                                                 f"(another calibration's table, or one changed "
                                                                 f"since the fit)", name)
    return None


def cell_problems(path, parameter_file: Path, fitted: dict, names: list[str], values: np.ndarray,
                  schema) -> list[Problem]:
    """Every parameter set of the table ``path`` within what its column may hold (a factor above 0,
    one keeping a probability within 1, a probability from 0 to 1) and the bounds the parameter file
    says the fit searched (``fitted.<key>.bounds``): checked on every row once, when read, so that
    a bad row is found whichever rows a run draws. A column's first bad row is named (from 1, below
    the header), with how many rows are bad."""
    from .uncertain import at_most_one, numbers, numeric, past_one, whole

    problems = []
    for j, (key, name) in enumerate(zip(fitted, names)):
        column, f, checks = values[:, j], fitted[key], []
        bounds = f.get("bounds")
        if bounds is not None:
            wrong = bounds_problem(parameter_file, key, bounds)
            if wrong is not None:
                problems.append(wrong)
                continue
            checks.append(((column < bounds[0]) | (column > bounds[1]),
                           f"a value within the bounds the fit searched, [{bounds[0]:g}, {bounds[1]:g}] "
                           f"(fitted.{key}.bounds in {Path(parameter_file).name})"))
        probability = at_most_one(schema, key)
        if name.startswith(SCALE) and probability and numeric(f["shipped"]):
            highest = max(numbers(f["shipped"]))
            limit = f", at most {rounded_down(1.0 / highest)}" if highest > 0 else ""
            checks.append(((column <= 0) | past_one(column, highest),
                           f"a factor that leaves {key} a probability in [0, 1]: above 0{limit} (the highest shipped "
                           f"value, fitted.{key}.shipped in {parameter_file.name}, is {highest:g})"))
        elif name.startswith(SCALE):
            checks.append((column <= 0, "a factor greater than 0"))
        elif probability:
            checks.append(((column < 0) | (column > 1), "a probability in [0, 1]"))
        elif whole(schema, key):  # a maximum age: else refused by the run that draws the row
            checks.append((column != np.round(column), f"a whole number, as {key} is"))
        for bad, expected in checks:
            if bad.any():
                i, n = int(np.argmax(bad)), int(bad.sum())
                more = f" ({n:,} of its {len(column):,} rows are not)" if n > 1 else ""
                problems.append(Problem(str(path), f"{name}, row {i + 1}", expected + more, float(column[i])))
                break
    return problems


def bounds_problem(parameter_file, key: str, bounds) -> Problem | None:
    """A fitted key's recorded ``bounds`` that are no bounds (None if they are [low, high])."""
    if isinstance(bounds, list) and len(bounds) == 2 and all(_finite(b) for b in bounds) and bounds[0] < bounds[1]:
        return None
    return Problem(str(parameter_file), f"fitted.{key}.bounds", "[low, high], the bounds the fit searched: finite "
                                                                "numbers, low below high", bounds)


# ``sim.uncertain.scaled`` rounds a scaled value to 6 decimal places: a factor at a bound may leave it this far past
ROUNDING = 5e-7 * (1 + 1e-9)


def central_problems(parameter_file, fitted: dict, overrides: dict, value_of=None) -> list[Problem]:
    """The central set (a parameter file's ``overrides``, which fixed-parameter runs use) checked as the
    posterior's rows are (``cell_problems``): every fitted key given, and each value within the bounds the
    fit searched (``fitted.<key>.bounds``; a scale's value, the value it was fitted from times a factor
    within them). Unchecked, a central set edited by hand ran in silence: nurses leaving at 0.9 a year,
    or a key left out (or ``overrides: {}``) running the scenario's uncalibrated value under the
    calibration's name. A scale's value is ``fitted.<key>.shipped``'s, or else ``value_of(key)`` (the
    scenario's; ``KeyError`` if it has none); a value of no number is left to the scenario's checks."""
    from .uncertain import numeric

    problems, name = [], Path(parameter_file).name
    for key, f in fitted.items():
        if key not in overrides:
            problems.append(Problem(str(parameter_file), f"overrides.{key}", f"the central value of {key}, as of "
                                                                             f"every parameter the calibration "
                                                                             f"fitted (each key of its fitted:): "
                                                                             f"without it a run takes the "
                                                                             f"scenario's uncalibrated value"))
            continue
        bounds, value = f.get("bounds"), overrides[key]
        if bounds is None:
            continue
        wrong = bounds_problem(parameter_file, key, bounds)
        if wrong is not None:
            problems.append(wrong)
            continue
        low, high = bounds
        within = f"the bounds the fit searched, [{low:g}, {high:g}] (fitted.{key}.bounds in {name})"
        if f.get("kind") != "scale":
            if numeric(value) and isinstance(value, (int, float)) and not low <= value <= high:
                problems.append(Problem(str(parameter_file), f"overrides.{key}",
                                        f"a value within {within}", value))
            continue
        shipped = f.get("shipped")
        if shipped is None and value_of is not None:
            try:
                shipped = value_of(key)
            except KeyError:
                shipped = None
        pairs = _pairs(value, shipped) if numeric(shipped) else None
        if pairs is None:
            if numeric(shipped) and numeric(value):  # numbers, but not as many, or in other places
                problems.append(Problem(str(parameter_file), f"overrides.{key}",
                                        f"{key}'s shipped value (fitted.{key}.shipped) times a factor within "
                                        f"{within}: as many numbers, in the same places",
                                        _short(value)))
            continue
        bad = [(v, s) for v, s in pairs if not min(s * low, s * high) - ROUNDING <= v <= max(s * low, s * high)
               + ROUNDING]
        if bad:
            factors = [v / s for v, s in pairs if s != 0]
            here = (f"; its factors here are {min(factors):.4g} to {max(factors):.4g}" if factors else "") + (
                "; a factor leaves 0 at 0" if any(s == 0 and v != 0 for v, s in bad) else "")
            problems.append(Problem(str(parameter_file), f"overrides.{key}",
                                    f"{key}'s shipped value (fitted.{key}.shipped) times a factor within "
                                    f"{within}{here}", _short(value)))
    return problems


def _pairs(value, shipped) -> list[tuple[float, float]] | None:
    """Each number of a scaled ``value`` with the number of ``shipped`` it scales (None if the two are not
    numbers in the same places)."""
    if isinstance(shipped, dict):
        if not isinstance(value, dict) or set(value) != set(shipped):
            return None
        parts = [_pairs(value[k], shipped[k]) for k in shipped]
    elif isinstance(shipped, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(shipped):
            return None
        parts = [_pairs(v, s) for v, s in zip(value, shipped)]
    else:
        numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (value, shipped))
        return [(float(value), float(shipped))] if numbers else None
    return None if any(p is None for p in parts) else [x for p in parts for x in p]


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
