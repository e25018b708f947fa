"""Input errors that name the file, the field and what was expected.

The command line turns an ``InputError`` into a message on stderr and exit status 2;
nothing a user writes in a data file should ever produce a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    expected: str
    found: object = None

    def __str__(self) -> str:
        found = "" if self.found is None else f" (found {self.found!r})"
        return f"{self.file}: {self.field or '<top level>'}: expected {self.expected}{found}"


class InputError(Exception):
    """One or more problems in input files; ``str()`` gives a line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

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
        found = None if e["type"] == "missing" else _short(e.get("input"))
        problems.append(Problem(str(file), field, expected, found))
    return InputError(problems)


def _short(value):
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."


def read_yaml(path):
    """Read a YAML mapping with the safe loader; any failure becomes an ``InputError``."""
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise InputError.one(path, "", "an existing file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.one(path, "", "a readable UTF-8 text file", str(exc)) from None
    except yaml.YAMLError as exc:
        raise InputError.one(path, "", "valid YAML", str(exc).splitlines()[0]) from None
    if not isinstance(data, dict):
        raise InputError.one(path, "", "a mapping of keys to values", type(data).__name__)
    return data
