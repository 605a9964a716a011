"""Envelope <-> Kafka record. The message key is the aggregate id."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

from shared.envelope import CONTENT_TYPE, CloudEvent

Headers = list[tuple[str, bytes]]


class MalformedRecord(ValueError):
    """A record that is not a valid CloudEvent; ``reason`` says precisely why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: Headers


def encode(event: CloudEvent) -> KafkaRecord:
    value = event.model_dump_json(exclude_none=True).encode("utf-8")
    return KafkaRecord(
        key=event.subject.encode("utf-8"),
        value=value,
        headers=[("content-type", CONTENT_TYPE.encode())],
    )


def decode(key: bytes | None, value: bytes | None) -> CloudEvent:
    if value is None:
        raise MalformedRecord("record has no value (tombstone); events are never deleted")
    try:
        raw = json.loads(value.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedRecord(f"value is not UTF-8: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise MalformedRecord(f"value is not JSON: {exc.msg} at position {exc.pos}") from exc
    if not isinstance(raw, dict):
        raise MalformedRecord(f"value is a JSON {type(raw).__name__}, not an object")
    if raw.get("specversion") != "1.0":
        raise MalformedRecord(f"specversion must be '1.0', got {raw.get('specversion')!r}")
    try:
        event = CloudEvent.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "envelope"
        raise MalformedRecord(f"attribute {where!r}: {first['msg']}") from exc
    if key is None:
        raise MalformedRecord("record has no key; the key must be the aggregate id")
    if key.decode("utf-8", errors="replace") != event.subject:
        raise MalformedRecord(
            f"record key {key.decode('utf-8', errors='replace')!r} "
            f"does not match subject {event.subject!r}"
        )
    return event
