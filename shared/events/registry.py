"""Type string <-> pydantic model, with upcasting from older schema versions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pydantic import ValidationError

from shared.envelope import CloudEvent
from shared.events.base import TYPE_PREFIX, DomainEvent

E = TypeVar("E", bound=type[DomainEvent])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_TYPE_PATTERN = re.compile(rf"^{re.escape(TYPE_PREFIX)}\.(?P<name>[a-z]+\.[A-Za-z]+)\.v(?P<v>\d+)$")


class UnknownEventType(LookupError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidEventData(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EventRegistry:
    def __init__(self) -> None:
        self._models: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        # Readers call ``load`` once per event: remember each type string's parse.
        self._parsed: dict[str, tuple[str, int]] = {}
        self._current: dict[str, type[DomainEvent]] = {}
        self._current_by_bytes: dict[bytes, type[DomainEvent]] = {}

    def register(self, model: E) -> E:
        if not model.name:
            raise ValueError(f"{model.__name__} has no event name")
        existing = self._models.get(model.name)
        if existing is not None and existing is not model:
            raise ValueError(f"event name {model.name!r} registered twice")
        self._models[model.name] = model
        self._current[model.type_string()] = model
        return model

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning ``data`` of ``from_version`` into ``from_version + 1``."""

        def decorate(func: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = func
            return func

        return decorate

    def current_model_of_bytes(self, type_string: bytes) -> type[DomainEvent] | None:
        """The model whose current version ``type_string`` (as it is in a record's
        bytes) names, if there is one."""
        model = self._current_by_bytes.get(type_string)
        if model is None:
            model = self._current.get(type_string.decode("utf-8", errors="replace"))
            if model is not None:  # only names that exist: garbage must not grow this
                self._current_by_bytes[type_string] = model
        return model

    def load(self, envelope: CloudEvent) -> DomainEvent:
        """The envelope's payload as the current model, upcast if it is older."""
        name, version = self._parse_type(envelope.type)
        model = self._models[name]
        if version > model.version:
            raise UnknownEventType(
                f"{envelope.type} is newer than this reader (knows v{model.version})"
            )
        data = envelope.data
        for step in range(version, model.version):
            upcast = self._upcasters.get((name, step))
            if upcast is None:
                raise UnknownEventType(f"no upcaster for {name} from v{step} to v{step + 1}")
            data = upcast(dict(data))  # upcasters may change what they are given
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "data"
            raise InvalidEventData(f"{envelope.type} data.{where}: {first['msg']}") from exc

    def _parse_type(self, type_string: str) -> tuple[str, int]:
        parsed = self._parsed.get(type_string)
        if parsed is None:
            parsed = self._parsed[type_string] = self._parse_new_type(type_string)
        return parsed

    def _parse_new_type(self, type_string: str) -> tuple[str, int]:
        match = _TYPE_PATTERN.match(type_string)
        if match is None:
            raise UnknownEventType(f"type {type_string!r} is not '{TYPE_PREFIX}.<svc>.<Name>.vN'")
        name = match["name"]
        if name not in self._models:
            raise UnknownEventType(f"unknown event type {type_string!r}")
        return name, int(match["v"])

    def __iter__(self) -> Iterator[type[DomainEvent]]:
        return iter(sorted(self._models.values(), key=lambda m: m.name))

    def __len__(self) -> int:
        return len(self._models)


registry = EventRegistry()


def event(name: str, version: int = 1) -> Callable[[E], E]:
    """Class decorator: name an event type and register it in the default registry."""

    def decorate(model: E) -> E:
        model.name = name
        model.version = version
        return registry.register(model)

    return decorate
