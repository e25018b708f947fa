"""Uncertain parameters: one format for scenarios and experiment files.

A scenario's ``uncertain:`` list marks the values calibration may fit and sensitivity analysis
may vary; an experiment file's ``uncertain:`` names those its parameter sets and sensitivity
analysis vary. Both map a dotted scenario key to either

- ``range: [low, high]``: the value itself, a single number, lies in the range; or
- ``scale: [low, high]``: a factor on the scenario's value (a number, or every number of a
  rate table by age band), so a table keeps its shape;

with an optional ``why`` (the source, or why the value is uncertain). As a parameter the
first is named by its key, the second ``scale:<key>``.

Calibration starts from a prior over the bounds: uniform (an assumption: every value in the
bounds as likely as another), or, with ``prior: {mean, sd}``, a normal around a published value
cut to the bounds (the ``sd`` saying how far the published population's value may stand from
this one's).
"""

from __future__ import annotations

import math
import types
import typing
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import InputError, Problem, _short, rounded_down, whole_number
from .fields import AtMostOne, Description
from .sections import annotation_at, is_section, section_at, unwrapped

SCALE = "scale:"  # a parameter named "scale:<dotted key>" multiplies the scenario's value instead of replacing it
FORMAT = "range: [low, high] or scale: [low, high] (one of them), with low < high"
Finite = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Factor = Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)]


class Prior(BaseModel):
    """A normal prior around a published value (of the parameter: a factor for ``scale``), cut to the bounds."""

    model_config = ConfigDict(extra="forbid")

    mean: Finite
    sd: Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)]


class Uncertain(BaseModel):
    """An uncertain parameter: its ``range``, or the ``scale`` of a factor on the scenario's value."""

    model_config = ConfigDict(extra="forbid")

    range: tuple[Finite, Finite] | None = None
    scale: tuple[Factor, Factor] | None = None
    prior: Prior | None = None  # None: uniform over the bounds
    why: Description = ""

    @model_validator(mode="before")
    @classmethod
    def _known_format(cls, v):
        if not isinstance(v, dict) or not {"range", "scale"} & set(v) or {"low", "high"} & set(v):
            raise ValueError(FORMAT)  # one clear message rather than one per field
        return v

    @model_validator(mode="after")
    def _one(self):
        if (self.range is None) == (self.scale is None):
            raise ValueError(FORMAT)
        if self.bounds[0] >= self.bounds[1]:
            raise ValueError(f"[low, high] with low < high (low {self.bounds[0]:g}, high {self.bounds[1]:g})")
        if self.prior is not None and not self.bounds[0] <= self.prior.mean <= self.bounds[1]:
            raise ValueError(f"a prior mean within the bounds [{self.bounds[0]:g}, {self.bounds[1]:g}] "
                             f"(found {self.prior.mean:g})")
        return self

    @property
    def kind(self) -> str:
        return "range" if self.scale is None else "scale"

    @property
    def bounds(self) -> tuple[float, float]:
        return self.range if self.scale is None else self.scale

    def parameter(self, key: str) -> str:
        """The parameter's name: the key for a range, ``scale:<key>`` for a factor."""
        return key if self.scale is None else f"{SCALE}{key}"

    def distribution(self):
        """The prior as a frozen ``scipy.stats`` distribution."""
        from scipy import stats

        low, high = self.bounds
        if self.prior is None:
            return stats.uniform(low, high - low)
        m, sd = self.prior.mean, self.prior.sd
        return stats.truncnorm((low - m) / sd, (high - m) / sd, loc=m, scale=sd)


def scaled(value, factor: float):
    """A number or rate table times a factor (a probability's factor is checked first: ``beyond_one``)."""
    if isinstance(value, dict):
        return {k: scaled(v, factor) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scaled(v, factor) for v in value]
    return round(float(value) * factor, 6)


def beyond_one(value, factor: float) -> str | None:
    """The largest factor allowed, if ``factor`` takes a number of the probability, share or
    fraction ``value`` (or list or table of them) past 1; None if it does not. Capped at 1, a slip
    (5 for 0.5) would go unseen: a rate table at 1 from its highest bands on, or every nurse leaving."""
    highest = max(numbers(value), default=0.0)
    if highest <= 0.0 or not past_one(factor, highest):
        return None
    return (f"at most {rounded_down(1.0 / highest)}, which keeps every number it scales within 1 (the highest "
            f"is {highest:g})")


def past_one(factor, highest):
    """Whether ``factor`` (a number, or an array of them) takes ``highest`` past 1, beyond rounding."""
    return factor * highest > 1.0 + 1e-12


def at_most_one(schema: type[BaseModel], dotted: str) -> bool:
    """Whether the scenario ``schema`` types the value at a dotted key as a probability, share or
    fraction (marked ``AtMostOne``, ``sim.fields``), which no scale may take past 1."""
    annotation = annotation_at(schema, dotted)
    return annotation is not None and _every(annotation, _marked)


def whole(schema: type[BaseModel], dotted: str) -> bool:
    """Whether the scenario ``schema`` types the value at a dotted key as a whole number (a maximum age),
    or every number of a list, tuple or table of them."""
    annotation = annotation_at(schema, dotted)
    return annotation is not None and _every(annotation, lambda leaf: leaf is int)


def mapping_at(schema: type[BaseModel], dotted: str) -> bool:
    """Whether the scenario ``schema`` types the value at a dotted key as a mapping: a section (a model)
    or a table (a dict), or either among the types it may be."""
    kinds = [annotation_at(schema, dotted)]
    while kinds:
        kind = unwrapped(kinds.pop())
        if typing.get_origin(kind) in (typing.Union, types.UnionType):
            kinds.extend(typing.get_args(kind))
        elif is_section(kind) or typing.get_origin(kind) is dict:
            return True
    return False


def field_at(schema: type[BaseModel], keys: list):
    """The field of a section (pydantic's ``FieldInfo``, with its default) that the value at ``keys``, a
    dotted key's parts, is in the scenario ``schema``; None for an entry of a table, or for no field."""
    section = section_at(schema, keys[:-1]) if keys else None
    return None if section is None else section.model_fields.get(keys[-1])


def _every(annotation, holds) -> bool:
    """Whether ``holds`` of the type (or of the type it annotates), or of every number of a list, tuple
    or table of them."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_every(a, holds) for a in args if a is not type(None))
    if origin in (list, tuple):
        return all(_every(a, holds) for a in args if a is not Ellipsis)
    if origin is dict:
        return _every(args[1], holds)
    return holds(annotation) or (origin is Annotated and _every(args[0], holds))


def _marked(annotation) -> bool:
    """Marked ``AtMostOne`` (``sim.fields``)."""
    return typing.get_origin(annotation) is Annotated and any(
        isinstance(m, AtMostOne) for m in typing.get_args(annotation)[1:])


def as_overrides(parameters: dict, value_of, schema: type[BaseModel]) -> dict:
    """Scenario overrides from parameter values, by the one rule every study applies: a key's value
    replaces the scenario's; ``scale:<key>``'s multiplies ``value_of(key)``, the value it scales (a
    number, or every number of a list or table). A factor taking a value ``schema`` types a probability
    past 1 is refused: its study's ranges are checked (``problems``), so this is a last guard. A key given both
    a value and a factor is refused: the later of the two replaced the other, in silence."""
    out = {}
    for name, value in parameters.items():
        value = value.item() if isinstance(value, np.generic) else value
        key = name[len(SCALE):] if name.startswith(SCALE) else name
        if key in out:
            raise InputError.one("parameters", name, f"a value of {key} or a factor of it (scale:{key}), not both",
                                 value)
        if name.startswith(SCALE):
            try:
                scales = value_of(key)
            except KeyError:
                raise InputError.one("parameters", name, "scale: and the dotted key of a value in the scenario "
                                                         "(e.g. scale:groups.nursing.leaving.rate)") from None
            if not numeric(scales):
                raise InputError.one("parameters", name, "scale: of a number, or of a list or table of numbers",
                                     _short(scales))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError.one("parameters", name, "a finite number: the factor to multiply by", value)
            limit = beyond_one(scales, float(value)) if at_most_one(schema, key) else None
            if limit is not None:
                raise InputError.one("parameters", name, f"a factor {limit}", value)
            out[key] = scaled(scales, float(value))
        elif isinstance(value, float) and value.is_integer() and whole(schema, name):
            out[name] = int(value)  # a table's column of numbers holds 70 as 70.0
        else:
            out[name] = value
    return out


def problems(uncertain: dict[str, Uncertain], spec, file, where: str = "uncertain", value_of=None,
             scaled_value_of=None, own: bool = False) -> list[Problem]:
    """Each key names a value of the validated scenario ``spec``: a single number for a range, a
    number or a list or table of numbers for a scale, whose upper end takes no probability, share
    or fraction past 1. ``value_of(key)`` (default ``spec_value``) finds a key's value, raising
    ``KeyError`` if there is none; ``scaled_value_of(key)`` (default ``value_of``) the value a
    factor multiplies, where that is another (a calibrated value's, the one it was fitted from),
    and the value a range is of. ``own``: the scenario's own ranges, which hold its value (an
    experiment's may explore values away from it)."""
    out = []
    for key, u in uncertain.items():
        if not own and u.prior is not None:  # an experiment's ranges are sampled uniformly: a prior was ignored
            out.append(Problem(str(file), f"{where}.{key}.prior", "no prior here: an experiment's parameter sets and "
                                                                  "sensitivity points are drawn uniformly over the "
                                                                  "range (a prior is for a scenario's uncertain:, "
                                                                  "which calibration fits)"))
        try:
            value = value_of(key) if value_of is not None else spec_value(spec, key)
        except KeyError:
            out.append(Problem(str(file), f"{where}.{key}", "the dotted key of a value in the scenario "
                                                            "(e.g. groups.nursing.retire_and_return.share)"))
            continue
        if u.scale is None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            out.append(Problem(str(file), f"{where}.{key}", "a key of a single number for range: (scale: "
                                                            "multiplies a list or table of numbers)", _short(value)))
            continue
        written = scaled_value_of(key) if scaled_value_of is not None else value
        if own and u.range is not None and isinstance(written, (int, float)) and not (
                u.range[0] <= written <= u.range[1]):
            out.append(Problem(str(file), f"{where}.{key}", f"range: [low, high] holding the scenario's value of "
                                                            f"{key} ({written:g})", list(u.range)))
        elif u.scale is not None and not numeric(value):
            out.append(Problem(str(file), f"{where}.{key}", "a key of a number, or of a list or table of numbers",
                               _short(value)))
        elif u.scale is not None and numeric(written) and not any(numbers(written)):
            # every factor leaves 0 at 0: each parameter set (and a fit's every draw) would run the same value
            out.append(Problem(str(file), f"{where}.{key}", f"a key whose value is not 0 everywhere, for scale: (a "
                                                            f"factor leaves {key} at 0 in every parameter set; "
                                                            f"range: gives it values)", _short(written)))
        elif u.scale is not None and at_most_one(type(spec), key):
            limit = beyond_one(written, u.scale[1]) if numeric(written) else None
            if limit is not None:
                out.append(Problem(str(file), f"{where}.{key}", f"scale: [low, high] with high {limit}: {key} is "
                                                                f"a probability, share or fraction", list(u.scale)))
    return out


def spec_value(spec, dotted: str):
    """The validated scenario value at a dotted key (KeyError if there is none)."""
    node = spec
    for key in dotted.split("."):
        if isinstance(node, BaseModel):
            if key not in type(node).model_fields:
                raise KeyError(dotted)
            node = getattr(node, key)
        elif isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, dict) and whole_number(key) is not None and whole_number(key) in node:
            node = node[whole_number(key)]
        else:
            raise KeyError(dotted)
    if node is None:
        raise KeyError(dotted)
    return node.model_dump() if isinstance(node, BaseModel) else node


def numbers(value) -> list[float]:
    """Every number of a number, or of a list or table of them."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in numbers(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in numbers(v)]
    return [float(value)]


def numeric(value) -> bool:
    """A number, or a non-empty list or table of numbers (not a boolean)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, (list, tuple)):
        return bool(value) and all(numeric(x) for x in value)
    if isinstance(value, dict):
        return bool(value) and all(numeric(x) for x in value.values())
    return False
