"""Input errors that name the file, the field and what was expected.

The command line turns an ``InputError`` into a message on stderr and exit status 2;
nothing a user writes in a data file should ever produce a traceback.
"""

from __future__ import annotations

import codecs
import difflib
import hashlib
import math
import numbers
import os
import pickle
import re
import reprlib
import stat
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    expected: str
    found: object = None
    # the scenario keys the value at ``field`` refers to (``intake.<stage>`` for a pool of trainees capped at
    # intake): one that a layer removed with null is where the mistake is (``sim.layering.attributed``)
    refers: tuple = ()

    def __str__(self) -> str:
        found = "" if self.found is None else f" (found {_short(self.found)!r})"
        field = ".".join(shown(part) for part in self.field.split(".")) if self.field else "<top level>"
        return f"{self.file}: {field}: expected {self.expected}{found}"


class InputError(Exception):
    """One or more problems in input files; ``str()`` gives a line per problem."""

    heading = "invalid input"  # the command line's first line of the message

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # pickled whole, with its problems, from a worker process
        return (type(self), (self.problems,))

    @classmethod
    def one(cls, file, field: str, expected: str, found=None) -> "InputError":
        return cls([Problem(str(file), field, expected, found)])


def from_pydantic(file, error, schema=None) -> InputError:
    """Translate a pydantic ``ValidationError`` into an ``InputError``.

    The common kinds of error are put in our own words (from pydantic's error type and its
    limits), so what a user reads, and what the tests check, does not change with pydantic's wording.
    Given the ``schema`` validated (a pydantic model class), an unknown key is named with the key of
    its section it is close to, where there is one (a misspelt ``leavng``, where there is ``leaving``).
    """
    problems = []
    for e in error.errors():
        expected = _expected(e)
        if expected == UNKNOWN_KEY and schema is not None:
            expected = _close_key(schema, e["loc"])
        # no value for a missing key, nor for an unknown one: a path pointed at an unrelated file
        # (a credentials file, say) must not print what that file holds
        found = None if e["type"] in ("missing", "extra_forbidden") else _short(e.get("input"))
        problems.append(Problem(str(file), field_of(e["loc"]), expected, found))
    return InputError(problems)


def field_of(loc) -> str:
    """The field at a pydantic error's place (its ``loc``), as a message names it: without the ``[key]``
    pydantic adds for a mapping's key."""
    return ".".join(str(p) for p in loc if p != "[key]")


def _close_key(schema, loc) -> str:
    """What is expected of the unknown key at ``loc``: naming the key of its section in ``schema`` that it is
    close to, where there is one."""
    from .sections import section_at  # imports pydantic, which the command line loads only when it needs it

    *keys, key = loc
    section = section_at(schema, keys)
    near = None if section is None else nearest(key, section.model_fields)
    return UNKNOWN_KEY if near is None else f"{UNKNOWN_KEY[:-1]}; there is {near} here)"


UNKNOWN_KEY = "no such key here (unknown key)"
_LIMITS = {"less_than_equal": ("le", "less than or equal to"), "greater_than_equal": ("ge", "greater than or equal to"),
           "less_than": ("lt", "less than"), "greater_than": ("gt", "greater than")}
_KINDS = {"int_type": "a valid integer", "int_parsing": "a valid integer", "int_from_float": "a valid integer",
          "float_type": "a valid number", "float_parsing": "a valid number", "finite_number": "a finite number",
          "string_type": "a valid string", "bool_type": "a valid boolean (true or false)",
          "bool_parsing": "a valid boolean (true or false)", "dict_type": "a valid dictionary (a mapping)",
          "list_type": "a valid list", "tuple_type": "a valid list",
          "model_attributes_type": "a valid dictionary (a mapping)", "missing": "this required field",
          "extra_forbidden": UNKNOWN_KEY}


def _expected(e: dict) -> str:
    """What a pydantic error says was expected, in our words."""
    kind, ctx = e["type"], e.get("ctx") or {}
    if kind in _KINDS:
        return _KINDS[kind]
    if kind in _LIMITS and _LIMITS[kind][0] in ctx:
        key, words = _LIMITS[kind]
        return f"a number {words} {_number(ctx[key])}"
    if kind in ("too_short", "too_long"):
        what = "a mapping" if ctx.get("field_type") == "Dictionary" else "a list"
        n = ctx.get("min_length" if kind == "too_short" else "max_length")
        return f"{what} with {'at least' if kind == 'too_short' else 'at most'} {n} item{'s' if n != 1 else ''}"
    if kind in ("string_too_short", "string_too_long"):
        short = kind == "string_too_short"
        n = ctx.get("min_length" if short else "max_length")
        return f"a text of {'at least' if short else 'at most'} {n} character{'s' if n != 1 else ''}"
    if kind == "model_type" and "class_name" in ctx:
        return "a valid dictionary (a mapping) of the section's fields"
    if kind == "literal_error" and "expected" in ctx:
        return f"one of {ctx['expected']}"
    if kind == "string_pattern_mismatch" and "pattern" in ctx:
        return f"a plain lower-case name matching {ctx['pattern']!r}"
    if kind == "value_error" and "error" in ctx:  # raised by our own validators: our own words
        expected = str(ctx["error"])
    else:  # a rarer kind: pydantic's message, without its preamble
        expected = e["msg"].replace("Input should be", "").strip()
    expected = expected.removeprefix("expected ")
    return expected if len(expected) <= 400 else expected[:397] + "..."


def _number(value) -> str:
    """A limit as written in a schema: ``1`` for 1.0, ``0.01`` for 0.01."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


_REPR = reprlib.Repr(maxlevel=3, maxdict=6, maxlist=6, maxtuple=6, maxset=6, maxstring=80, maxother=80)


def rounded_down(x: float) -> str:
    """``x`` to four significant digits, rounded down: a limit a user may give as printed."""
    scale = 10.0 ** (3 - math.floor(math.log10(x))) if x > 0 else 1.0
    return f"{math.floor(x * scale) / scale:,.10g}"


def rounded_up(x: float) -> str:
    """``x`` to four significant digits, rounded up: a lower limit a user may give as printed."""
    scale = 10.0 ** (3 - math.floor(math.log10(x))) if x > 0 else 1.0
    return f"{math.ceil(x * scale) / scale:,.10g}"


def probability(value, expected: str) -> float:
    """A number in [0, 1] (not a bool), for validators written by hand: a ``ValueError`` saying
    ``expected`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{expected}; {_short(value)!r} is not a probability")
    return float(value)


def _short(value):
    """The value itself if short, else a truncated text of it (never walks all of a huge value). A
    numpy number read from a table is shown as the number it is (``nan``, not ``np.float64(nan)``)."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        value = value.item()
    if isinstance(value, str):
        return value if len(value) <= 80 else value[:77] + "..."
    text = _REPR.repr(value)
    return value if len(text) <= 80 and "..." not in text else text[:77] + "..."


def covering_key(field: str, keys):
    """The key of ``keys`` that a dotted ``field`` is, or lies under (``groups.nursing`` covers
    ``groups.nursing.leaving.rate``), or None: which given value a problem's field is about."""
    return next((k for k in keys if field == k or field.startswith(k + ".")), None)


def is_whole(value) -> bool:
    """Whether ``value`` is a whole number as code gives one (an int or a numpy integer), and not a
    bool, which Python counts as one: what a seed, a year or a count must be, never cut from 2.5."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def whole_number(text, digits: int = 9) -> int | None:
    """``text`` as a whole number if it is written as at most ``digits`` ASCII digits, else None:
    a list index or year written in a dotted key or an address. ``str.isdigit`` is true of '²',
    which int() refuses, and int() refuses a text of thousands of digits."""
    if isinstance(text, str) and 0 < len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def nearest(name, names) -> str | None:
    """The one of ``names`` that ``name`` is most likely a slip for (a letter left out or doubled, two swapped:
    ``leavng`` for ``leaving``), to name in the message; None if none is that close, where naming one would mislead."""
    found = difflib.get_close_matches(str(name), [str(n) for n in names], n=1, cutoff=0.8)
    return found[0] if found else None


def shown(name) -> str:
    """A name read from a file (a key, a table's column) as (part of) the field of a message: itself
    when short and printable, else a short excerpt quoted with its control characters escaped, so
    that a message never echoes a long or binary line of the file, nor sends its bytes to the terminal."""
    text = str(name)
    return text if _short(text) == text and text.isprintable() else _short(repr(text))


# Limits on an input file: a few hundred kB and a few thousand values are plenty for any scenario,
# pathway or experiment; YAML aliases can make a small file expand into billions of values.
MAX_BYTES = 10_000_000
MAX_VALUES = 200_000
MAX_DEPTH = 64


def is_file(path) -> bool:
    """Whether ``path`` names a regular file; False (not an exception) for a name too long or with a NUL byte."""
    try:  # Path.is_file without making a Path of a Path again (a scenario's load asks of dozens)
        return stat.S_ISREG(os.stat(path if isinstance(path, Path) else Path(path)).st_mode)
    except (OSError, ValueError):
        return False


def regular_file(path, field: str = "") -> Path:
    """``path`` if it names a regular file; else an ``InputError`` saying what it is.

    Checked with ``os.stat`` before anything opens it: a named pipe blocks an open, a device such
    as ``/dev/zero`` never ends, and a directory cannot be read.
    """
    try:
        os.stat(path)
    except FileNotFoundError:
        raise InputError.one(path, field, "an existing file") from None
    except ValueError:  # os.stat refuses a NUL byte
        raise InputError.one(path, field, "a file name without a NUL byte") from None
    except OSError as exc:  # a name too long, no permission
        raise InputError.one(path, field, "a readable file", exc.strerror or type(exc).__name__) from None
    refuse_special(path, path, field)
    return Path(path)


def refuse_special(path, file, field: str) -> None:
    """Refuse a ``path`` that exists but is no regular file (a directory, named pipe or device),
    naming the ``file`` and ``field`` that refer to it; a path that does not exist passes (the
    caller says what it looked for)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if not stat.S_ISREG(mode):
        found = _kind(mode) if str(file) == str(path) else f"{_kind(mode)}: {path}"  # the kind kept if cut short
        raise InputError.one(file, field, "a regular file (not a directory, named pipe or device)", found)


PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
PLAIN_NAME_EXPECTED = ("a plain name (letters, digits, '-', '_' and '.', not starting with '.' or '-'; no '/' "
                       "and no '..'), as it becomes part of a file or folder name")


def is_plain_name(value) -> bool:
    """Whether ``value`` may become (part of) a file or folder name: it cannot leave the folder it is put in."""
    return isinstance(value, str) and PLAIN_NAME.fullmatch(value) is not None and ".." not in value


def plain_name(value, file, field: str) -> str:
    """``value`` if it is a plain name (``is_plain_name``); else an ``InputError`` naming file and field."""
    if not is_plain_name(value):
        raise InputError.one(file, field, PLAIN_NAME_EXPECTED, value)
    return value


# the kinds of input file, each with keys that only it has, in the order asked (an experiment's
# overrides: are not a parameter file's): what a document given where another kind was expected
# is (a parameter file named as a history, an experiment as a scenario)
KINDS = {"experiment": ("an experiment file", ("policies", "years", "sensitivity", "target")),
         "parameters": ("a calibration parameter file", ("overrides", "fitted", "package_version")),
         "backtest": ("a back-test file", ("fit_until", "posterior")),
         "history": ("a history-targets file", ("fit",)),
         "ranges": ("a plausibility ranges file", ("entry_age", "selection_age", "time_in_stage")),
         "pathway": ("a pathway file", ("stages",)),
         "population": ("a population file", ("service_use", "splits")),
         "scenario": ("a scenario file", ("pathways", "extends", "start", "age_bands", "stocks"))}


def kind_of(data) -> tuple[str, str] | None:
    """The kind of input file a document (a mapping read by ``read_yaml``) is, by a key only that
    kind has: ``(kind, what it is, naming the key)``; None when it has none of them."""
    if isinstance(data, dict):
        for kind, (what, keys) in KINDS.items():
            key = next((k for k in keys if k in data), None)
            if key is not None:
                return kind, f"{what} (it has {key}:)"
    return None


# keys a kind has beside another kind's own, with the form they take in it, which tell nothing of its kind: an
# experiment's overrides: (of its scenario), without which one with none of an experiment's own keys (a baseline
# alone, for the scenario's whole run) was taken for a parameter file; a back-test's fit: (the history file it fits
# again, where a history lists keys), without which one lacking fit_until: was taken for a history
SHARED = {"experiment": {"overrides": dict}, "backtest": {"fit": str}}


def _check_kind(path, data: dict, kind: str) -> None:
    shared = SHARED.get(kind, {})
    found = kind_of({key: value for key, value in data.items() if not isinstance(value, shared.get(key, ()))})
    if found is not None and found[0] != kind:
        raise InputError.one(path, "", f"{KINDS[kind][0]}, not another kind of input file", found[1])


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_yaml(path, kind: str | None = None):
    """Read a YAML mapping with the safe loader; any failure becomes an ``InputError``. With a
    ``kind`` (of ``KINDS``), a file of another kind (an experiment given as a scenario) is
    refused saying so, rather than as each key it lacks or has.

    Every input file (scenario, pathway, experiment, calibration) is read here. Only the safe
    loader reads them: plain data, no tags that construct objects, so nothing in a file is
    executed. Only a regular file is opened (``regular_file``). A key given twice in one mapping
    is refused (YAML would silently keep the last), as is a document that expands (through
    aliases) into more than ``MAX_VALUES`` values, nests deeper than ``MAX_DEPTH`` or refers to
    itself. The nesting is measured here, on the parser's events, before the parser's own limits
    (libyaml refuses deep nesting with words of its own) and before any recursion.
    Messages never quote the file's lines: a path pointed at the wrong file must not print it.
    """
    import yaml

    try:
        size = os.stat(regular_file(path)).st_size
        if size > MAX_BYTES:
            raise InputError.one(path, "", f"a file of at most {MAX_BYTES:,} bytes", size)
        with open(path, "rb") as fh:
            text = decoded(fh.read(MAX_BYTES + 1))
        digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
        if digest in _PARSED:  # the same text read before and found good: parsing is most of a scenario's load
            data = pickle.loads(_PARSED[digest])
            if kind is not None:
                _check_kind(path, data, kind)
            return data
        _check_depth(path, text)
        loader = _reader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_keys(path, node)
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except FileNotFoundError:
        raise InputError.one(path, "", "an existing file") from None
    except OSError as exc:  # the message without the file name, which the problem gives
        raise InputError.one(path, "", READABLE, exc.strerror or str(exc)) from None
    except UnicodeDecodeError as exc:
        raise InputError.one(path, "", READABLE, not_decoded(exc)) from None
    except yaml.YAMLError as exc:
        raise InputError.one(path, "", "valid YAML", _where(exc, text)) from None
    except RecursionError:
        raise InputError.one(path, "", f"valid YAML nested at most {MAX_DEPTH} deep") from None
    except (ValueError, OverflowError) as exc:  # a path with a NUL byte; a date or an integer YAML cannot make
        raise InputError.one(path, "", "valid YAML with valid values", _short(str(exc))) from None
    if not isinstance(data, dict):
        # what kind of file, never what it holds: a path pointed at a credentials file must not print it
        found = ("an empty file" if data is None else "a list" if isinstance(data, list) else
                 "a single line of text" if isinstance(data, str) else "a single value")
        raise InputError.one(path, "", "a mapping of keys to values", found)
    _check_size(path, data)
    data = _unshared(data)
    if kind is not None:
        _check_kind(path, data, kind)
    if len(_PARSED) >= 256:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[digest] = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    return pickle.loads(_PARSED[digest])


_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
READABLE = "a readable UTF-8 text file (or UTF-16 with its byte order mark)"


def decoded(raw: bytes) -> str:
    """The text of an input file's bytes: UTF-8, or UTF-16 when they start with its byte order mark, which
    says so unambiguously (Windows PowerShell and Notepad save text so); a UTF-8 byte order mark is kept for
    YAML's reader, which reads past it. A ``UnicodeDecodeError`` for bytes that are neither."""
    return raw.decode("utf-16") if raw.startswith(_UTF16) else raw.decode("utf-8")


def not_decoded(exc: UnicodeDecodeError) -> str:
    """Where ``decoded`` failed, in the encoding it read."""
    return f"a byte that is not {'UTF-16' if '16' in exc.encoding else 'UTF-8'} at {exc.start}"


# good files' data, pickled (a fresh copy for every read is one unpickling, a tenth of a deep copy), by a
# digest of their text
_PARSED: dict[bytes, bytes] = {}


def columns_found(columns) -> str:
    """A table's column names as a message shows what was found: a CSV saved with semicolons between its
    values (as spreadsheets set to a decimal comma save it) reads as one column, and is said to be so."""
    names = [str(c) for c in columns]
    if len(names) == 1 and ";" in names[0]:
        return "one column, its values separated by semicolons (CSV separates them by commas)"
    return ", ".join(names)


def _where(exc, text: str = "") -> str:
    """Where YAML went wrong, as line and column, and what the parser was doing; never the line itself.
    A tab where the parser stopped is named as such: YAML indents with spaces only, and the parser's
    own words ("found character that cannot start any token") do not say so."""
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or getattr(exc, "context", None) or type(exc).__name__
    if mark is None:
        return str(what)
    if 0 <= mark.index < len(text) and text[mark.index] == "\t":
        what = "a tab (YAML indents with spaces, never tabs)"
    return f"{what} at line {mark.line + 1}, column {mark.column + 1}"


def _check_depth(path, text: str) -> None:
    """Refuse a document whose collections nest deeper than ``MAX_DEPTH``, counted on the parser's
    events. libyaml looks ahead and stops at its own nesting limit before giving an event, so when
    it fails the count is made again with PyYAML's own parser (no limit, no recursion), up to
    where libyaml stopped; any other syntax error is left to the loader to report."""
    import yaml

    try:
        _count_depth(path, text, _SafeLoader)
    except yaml.YAMLError as exc:
        if _SafeLoader is yaml.SafeLoader:
            return
        mark = getattr(exc, "problem_mark", None)
        end = len(text) if mark is None else mark.index + 1
        try:
            _count_depth(path, text[:end], yaml.SafeLoader)
        except yaml.YAMLError:
            pass


def _count_depth(path, text: str, reader) -> None:
    import yaml

    parser, depth = reader(text), 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark is not None else "?"
                    raise InputError.one(path, "", f"valid YAML nested at most {MAX_DEPTH} deep",
                                         f"deeper on line {line}")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        parser.dispose()


def _safe_loader():
    """PyYAML's safe loader, its C parser when libyaml is there (ten times faster on a scenario)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_SafeLoader = _safe_loader()
_MERGE = "tag:yaml.org,2002:merge"
_FLOAT = "tag:yaml.org,2002:float"
# a number with an exponent, its point and the exponent's sign optional (1e-3, 1.5e6), as YAML 1.2 reads it
_EXPONENT = re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")


def _reader(text: str):
    """The safe loader of ``text``, reading a number with an exponent as a number: PyYAML (YAML 1.1) reads
    1e-3 and 1.5e6 as text, so a rate written 1e-3 was refused as 'not a probability'. Set on this
    loader alone, never on PyYAML's class, which other libraries share."""
    loader = _SafeLoader(text)
    resolvers = {first: list(found) for first, found in loader.yaml_implicit_resolvers.items()}
    for first in "-+0123456789":
        resolvers.setdefault(first, []).append((_FLOAT, _EXPONENT))
    loader.yaml_implicit_resolvers = resolvers
    return loader


_INT = "tag:yaml.org,2002:int"
_BINARY = "tag:yaml.org,2002:binary"
_SET = "tag:yaml.org,2002:set"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_INT_DIGITS = 4300  # Python's default limit on the digits of an integer read from text, where it has none
# a whole number as YAML 1.1 reads it in decimal: no leading 0 (octal), 0x, 0b, underscores or colons (sixty-based)
_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")


def _check_keys(path, root) -> None:
    """Refuse a key given twice in one mapping, naming its dotted field and both lines, and a key
    that YAML reads as true, false or null, naming it as written.

    Walks the parsed nodes before they become values, each node once (aliases share
    nodes, so a YAML bomb is walked in the size of its text); keys are compared as written
    with their resolved type, so ``2019`` and ``"2019"`` are different keys, as YAML has them.
    A merge (``<<``) may be overridden by a key of the mapping itself, as YAML intends.
    """
    from yaml import MappingNode, ScalarNode, SequenceNode

    seen, stack = set(), [(root, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise InputError.one(path, "", f"a document nested at most {MAX_DEPTH} deep")
        if isinstance(node, ScalarNode):
            if node.tag == _BINARY:  # decoded to bytes, which a text field would take as text in silence
                raise InputError.one(path, where, "a value written as text or a number (not !!binary data)",
                                     "binary data")
            _check_digits(path, node, where)
        elif isinstance(node, SequenceNode):
            stack.extend((child, f"{where}.{i}" if where else str(i), depth + 1) for i, child in enumerate(node.value))
        elif isinstance(node, MappingNode):
            if node.tag == _SET:  # read as a Python set, which a list field takes in an order of its own each run
                raise InputError.one(path, where, "a list written as a list (not a !!set, whose order is not kept)",
                                     f"!!set on line {node.start_mark.line + 1}")
            firsts: dict[tuple, object] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, ScalarNode) else None
                field = f"{where}.{name}" if where else str(name)
                if key.tag in (_BOOL, _NULL):  # a pool or reason named 'no' (Norway) read as false: named 0 by pydantic
                    raise InputError.one(path, field, "a key written as text or a year (YAML reads yes, no, on, off, "
                                                      "true and false unquoted as true or false, and ~ or nothing as "
                                                      "null: quote it, as 'no')",
                                         f"{_short(name) or 'nothing'} on line {key.start_mark.line + 1}")
                if name is not None and key.tag != _MERGE:
                    _check_digits(path, key, field)
                    same = int(name) if key.tag == _INT else name  # +2016 is 2016
                    first = firsts.setdefault((key.tag, same), key)
                    if first is not key:
                        again = "again" if first.value == name else f"again, as '{_short(name)}',"
                        raise InputError.one(path, field, f"each key once in a mapping ('{_short(first.value)}' is on "
                                                          f"line {first.start_mark.line + 1} and {again} on line "
                                                          f"{key.start_mark.line + 1})")
                stack.append((value, field, depth + 1))


def _check_digits(path, node, field: str) -> None:
    """Refuse a YAML number that is not written in plain decimal digits (YAML 1.1 reads 025 as 21, in
    octal, and 1:30 as 90, sixty-based: a value changed in silence), or an integer longer than Python
    will read (``sys.get_int_max_str_digits``), naming its field and line, before the loader's
    conversion fails with Python's own message."""
    if (node.tag == _FLOAT and (":" in node.value or "_" in node.value)
            or node.tag == _INT and not _PLAIN_INT.match(node.value)):
        raise InputError.one(path, field, "a number in plain decimal digits (YAML reads a leading 0 as octal, "
                                          "0x as hexadecimal, 1:30 as sixty-based, and leaves out _ between "
                                          "digits)",
                             f"{_short(node.value)} on line {node.start_mark.line + 1}")
    if node.tag != _INT:
        return
    limit = sys.get_int_max_str_digits() or _INT_DIGITS
    if len(node.value) > limit:
        raise InputError.one(path, field, f"a number of at most {limit:,} digits",
                             f"{len(node.value):,} characters on line {node.start_mark.line + 1}")


def _unshared(node):
    """``node`` with a mapping or list of its own wherever YAML aliases made two places one (``b: *a``):
    a value set at one of them (an override, a calibration's) must not change the other in silence.
    Called once ``_check_size`` has bounded the expanded size and depth."""
    if isinstance(node, dict):
        return {key: _unshared(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_unshared(value) for value in node]
    return node


def _check_size(path, data) -> None:
    """Refuse documents too big or too deep once aliases are expanded (this walk stops at the limits)."""
    count, stack = 0, [(data, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise InputError.one(path, "", f"a document of at most {MAX_VALUES:,} values (YAML aliases expanded)")
        if depth > MAX_DEPTH:
            raise InputError.one(path, "", f"a document nested at most {MAX_DEPTH} deep (and no alias "
                                           "that contains itself)")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
            stack.extend((k, depth + 1) for k in node if isinstance(k, (tuple, frozenset)))
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend((v, depth + 1) for v in node)
