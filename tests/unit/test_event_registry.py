from datetime import UTC, datetime
from typing import Any

import pytest

from shared.envelope import CloudEvent
from shared.events.base import DomainEvent
from shared.events.registry import EventRegistry, InvalidEventData, UnknownEventType
from shared.ids import new_event_id


def make_registry() -> EventRegistry:
    events = EventRegistry()

    class NoteTaken(DomainEvent):
        text: str
        language: str

    NoteTaken.name = "intake.NoteTaken"
    NoteTaken.version = 2
    events.register(NoteTaken)

    @events.upcaster("intake.NoteTaken", from_version=1)
    def add_language(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "language": "zh"}

    return events


def envelope_of(type_string: str, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(
        id=new_event_id(),
        source="/intake",
        type=type_string,
        subject="note-1",
        time=datetime(2016, 8, 1, tzinfo=UTC),
        dataschema="urn:x",
        data=data,
        sequence=1,
        partitionkey="note-1",
    )


PREFIX = "cn.gov.jiangxi.fairenforcement"


def test_current_version_loads_as_its_model() -> None:
    events = make_registry()
    loaded = events.load(
        envelope_of(f"{PREFIX}.intake.NoteTaken.v2", {"text": "a", "language": "en"})
    )
    assert loaded.model_dump() == {"text": "a", "language": "en"}
    assert type(loaded).type_string() == f"{PREFIX}.intake.NoteTaken.v2"


def test_older_version_is_upcast() -> None:
    events = make_registry()
    loaded = events.load(envelope_of(f"{PREFIX}.intake.NoteTaken.v1", {"text": "旧"}))
    assert loaded.model_dump() == {"text": "旧", "language": "zh"}


def test_unknown_type_and_newer_version_are_refused() -> None:
    events = make_registry()
    with pytest.raises(UnknownEventType, match="unknown event type"):
        events.load(envelope_of(f"{PREFIX}.intake.Nope.v1", {}))
    with pytest.raises(UnknownEventType, match="newer than this reader"):
        events.load(envelope_of(f"{PREFIX}.intake.NoteTaken.v3", {"text": "a"}))
    with pytest.raises(UnknownEventType, match="is not"):
        events.load(envelope_of("com.example.Thing", {}))


def test_invalid_data_names_the_field() -> None:
    events = make_registry()
    with pytest.raises(InvalidEventData, match=r"data\.language"):
        events.load(envelope_of(f"{PREFIX}.intake.NoteTaken.v2", {"text": "a"}))


def test_a_name_cannot_be_registered_by_two_models() -> None:
    events = make_registry()

    class Other(DomainEvent):
        name = "intake.NoteTaken"

    with pytest.raises(ValueError, match="registered twice"):
        events.register(Other)
