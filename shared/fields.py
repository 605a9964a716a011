"""One record made from another whose fields have the same names: a state from the
event that opens it, an event from the command or the state it follows, a response
model from a state. Plain Python over dataclasses and pydantic models, so domain code
takes it too."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


def field_names(kind: type[Any]) -> tuple[str, ...]:
    """The fields of a dataclass or of a pydantic model, in their order."""
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    if issubclass(kind, BaseModel):
        return tuple(kind.model_fields)
    raise TypeError(f"{kind!r} is neither a dataclass nor a pydantic model")


def copy_fields(source: object, kind: type[T], /, **given: Any) -> T:
    """A ``kind`` with the ``given`` values, every other field taken from the attribute
    of that name on ``source`` (a property counts); a field neither has keeps its
    default. A pydantic ``kind`` validates what it is given, as its constructor does."""
    copied = {
        name: getattr(source, name)
        for name in field_names(kind)
        if name not in given and hasattr(source, name)
    }
    make: Any = kind
    result: T = make(**copied, **given)
    return result
