"""Input errors that name the file, the field and what was expected.

The command line turns an ``InputError`` into a message on stderr and exit status 2;
nothing a user writes in a data file should ever produce a traceback.
"""

from __future__ import annotations

import os
import reprlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    expected: str
    found: object = None

    def __str__(self) -> str:
        found = "" if self.found is None else f" (found {_short(self.found)!r})"
        return f"{self.file}: {self.field or '<top level>'}: expected {self.expected}{found}"


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


def from_pydantic(file, error) -> InputError:
    """Translate a pydantic ``ValidationError`` into an ``InputError``."""
    problems = []
    for e in error.errors():
        field = ".".join(str(p) for p in e["loc"] if p != "[key]")
        if e["type"] == "extra_forbidden":
            expected = "no such key here (unknown key)"
        elif e["type"] == "missing":
            expected = "this required field"
        else:
            expected = e["msg"].replace("Input should be", "").replace("Value error, ", "").strip()
            expected = expected.removeprefix("expected ").replace("List should have", "a list with")
            expected = expected.replace("String should match pattern", "a plain lower-case name matching")
            expected = expected if len(expected) <= 400 else expected[:397] + "..."
        found = None if e["type"] == "missing" else _short(e.get("input"))
        problems.append(Problem(str(file), field, expected, found))
    return InputError(problems)


_REPR = reprlib.Repr(maxlevel=3, maxdict=6, maxlist=6, maxtuple=6, maxset=6, maxstring=80, maxother=80)


def _short(value):
    """The value itself if short, else a truncated text of it (never walks all of a huge value)."""
    if isinstance(value, str):
        return value if len(value) <= 80 else value[:77] + "..."
    text = _REPR.repr(value)
    return value if len(text) <= 80 and "..." not in text else text[:77] + "..."


# Limits on an input file: a few hundred kB and a few thousand values are plenty for any scenario,
# pathway or experiment; YAML aliases can make a small file expand into billions of values.
MAX_BYTES = 10_000_000
MAX_VALUES = 200_000
MAX_DEPTH = 64


def is_file(path) -> bool:
    """Whether ``path`` names a regular file; False (not an exception) for a name too long or with a NUL byte."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def read_yaml(path):
    """Read a YAML mapping with the safe loader; any failure becomes an ``InputError``.

    Every input file (scenario, pathway, experiment, calibration) is read here. Only the safe
    loader reads them: plain data, no tags that construct objects, so nothing in a file is
    executed. A key given twice in one mapping is refused (YAML would silently keep the last),
    as is a document that expands (through aliases) into more than ``MAX_VALUES`` values,
    nests deeper than ``MAX_DEPTH`` or refers to itself.
    """
    import yaml

    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise InputError.one(path, "", f"a file of at most {MAX_BYTES:,} bytes", os.path.getsize(path))
        with open(path, encoding="utf-8") as fh:
            loader = _SafeLoader(fh)
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
        raise InputError.one(path, "", "a readable UTF-8 text file", exc.strerror or str(exc)) from None
    except UnicodeDecodeError as exc:
        raise InputError.one(path, "", "a readable UTF-8 text file", str(exc)) from None
    except yaml.YAMLError as exc:
        raise InputError.one(path, "", "valid YAML", str(exc).splitlines()[0]) from None
    except RecursionError:
        raise InputError.one(path, "", f"valid YAML nested at most {MAX_DEPTH} deep") from None
    except (ValueError, OverflowError) as exc:  # a path with a NUL byte; a date or an integer YAML cannot make
        raise InputError.one(path, "", "valid YAML with valid values", _short(str(exc))) from None
    if not isinstance(data, dict):
        raise InputError.one(path, "", "a mapping of keys to values", type(data).__name__)
    _check_size(path, data)
    return data


def _safe_loader():
    """PyYAML's safe loader, its C parser when libyaml is there (ten times faster on a scenario)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_SafeLoader = _safe_loader()
_MERGE = "tag:yaml.org,2002:merge"


def _check_keys(path, root) -> None:
    """Refuse a key given twice in one mapping, naming its dotted field and both lines.

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
        if isinstance(node, SequenceNode):
            stack.extend((child, f"{where}.{i}" if where else str(i), depth + 1) for i, child in enumerate(node.value))
        elif isinstance(node, MappingNode):
            firsts: dict[tuple, object] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, ScalarNode) else None
                field = f"{where}.{name}" if where else str(name)
                if name is not None and key.tag != _MERGE:
                    first = firsts.setdefault((key.tag, name), key)
                    if first is not key:
                        raise InputError.one(path, field, f"each key once in a mapping ('{_short(name)}' is on line "
                                                          f"{first.start_mark.line + 1} and again on line "
                                                          f"{key.start_mark.line + 1})")
                stack.append((value, field, depth + 1))


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
