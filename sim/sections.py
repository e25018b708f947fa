"""The sections of an input file's schema (pydantic models), found by a value's keys.

A schema is walked by the keys of a value in the file it reads (a dotted key's parts, or the place
pydantic names a problem at): through sections, tables and lists, to the type it gives the value.
What the scenario's uncertain parameters may scale, and the close key an unknown key is named
with in any input file's message (``sim.errors.from_pydantic``), are both found so.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Literal

from pydantic import BaseModel


def section_at(schema: type[BaseModel], keys) -> type[BaseModel] | None:
    """The section (a pydantic model) that the value at ``keys``, a dotted key's parts, is in ``schema``;
    None where it is a table's entries, a number or nothing the schema has."""
    section = unwrapped(annotation_at(schema, keys))
    return section if is_section(section) else None


def annotation_at(schema: type[BaseModel], dotted):
    """The type ``schema`` gives the value at a dotted key, or at its parts (None if it names no field).
    A section of a tagged union (a lever of a policy) is named by its tag, as pydantic names it."""
    annotation = schema
    for key in dotted.split(".") if isinstance(dotted, str) else dotted:
        annotation = unwrapped(annotation)
        if is_section(annotation):
            field = annotation.model_fields.get(key)
            if field is None:
                return None
            annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        elif typing.get_origin(annotation) in (dict, list, tuple):
            annotation = typing.get_args(annotation)[-1]
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            annotation = next((s for s in typing.get_args(annotation) if is_section(s) and key in _tags(s)), None)
            if annotation is None:
                return None
        else:
            return None
    return annotation


def unwrapped(annotation):
    """The type under ``Annotated`` and ``| None``."""
    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            others = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(others) != 1:
                return annotation
            annotation = others[0]
        else:
            return annotation


def is_section(annotation) -> bool:
    """Whether a type is a section (a pydantic model) rather than a value, a table or a list."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _tags(section: type[BaseModel]) -> set:
    """The values that name ``section`` among a tagged union's: those of its fields typed as a ``Literal``."""
    return {tag for field in section.model_fields.values() if typing.get_origin(field.annotation) is Literal
            for tag in typing.get_args(field.annotation)}
