"""``read_in_one_pass`` must read every record exactly as the careful path does:
``shared.codec.decode`` and then ``EventRegistry.load``."""

import json
from typing import Any

import pytest

from shared.codec import MalformedRecord, decode, encode
from shared.envelope import CloudEvent
from shared.events.reader import read_in_one_pass
from shared.events.registry import InvalidEventData, registry
from tests.reporting.sample_events import complete_history
from tests.unit.test_event_registry import PREFIX, envelope_of, make_registry


def careful(key: bytes, value: bytes) -> tuple[dict[str, Any], Any]:
    envelope = decode(key, value)
    return envelope.model_dump(exclude={"data"}), registry.load(envelope)


def sample() -> CloudEvent:
    return next(
        e for e in complete_history("reader").envelopes if e.type.endswith("TipReceived.v1")
    )


def test_every_event_type_reads_as_the_careful_path_reads_it() -> None:
    envelopes = complete_history("reader").envelopes
    assert {e.type for e in envelopes} == {m.type_string() for m in registry}
    for envelope in envelopes:
        record = encode(envelope)
        assert read_in_one_pass(record.key, record.value) == careful(record.key, record.value)


def test_attributes_left_out_take_the_envelopes_defaults() -> None:
    raw = json.loads(encode(sample()).value)
    for name in ("datacontenttype", "campaignid", "actor", "correlationid", "causationid"):
        del raw[name]
    value = json.dumps(raw).encode()
    attributes, _ = read_in_one_pass(b"tip-reader", value)
    assert attributes == careful(b"tip-reader", value)[0]
    assert attributes["campaignid"] == "" and attributes["datacontenttype"] == "application/json"


def test_an_older_version_is_upcast_as_the_registry_does() -> None:
    events = make_registry()
    envelope = envelope_of(f"{PREFIX}.intake.NoteTaken.v1", {"text": "旧"})
    record = encode(envelope)
    attributes, event = read_in_one_pass(record.key, record.value, events)
    assert event.model_dump() == {"text": "旧", "language": "zh"}
    assert attributes["type"] == f"{PREFIX}.intake.NoteTaken.v1"


def _edited(**changes: Any) -> bytes:
    raw = json.loads(encode(sample()).value)
    for name, value in changes.items():
        if value is None:
            del raw[name]
        else:
            raw[name] = value
    return json.dumps(raw).encode()


@pytest.mark.parametrize(
    ("key", "value", "error", "reason"),
    [
        (b"someone-else", _edited(), MalformedRecord, "does not match subject"),
        (b"tip-reader", _edited(specversion=None), MalformedRecord, "specversion"),
        (b"tip-reader", _edited(partitionkey="other"), MalformedRecord, "partitionkey"),
        (b"tip-reader", _edited(sequence=0), MalformedRecord, "'sequence'"),
        (b"tip-reader", _edited(time="2016-08-01T09:00:00"), MalformedRecord, "'time'"),
        (b"tip-reader", _edited(extra="x"), MalformedRecord, "'extra'"),
        (b"tip-reader", _edited(data={"tip_id": "t"}), InvalidEventData, "data."),
    ],
)
def test_a_bad_record_raises_as_the_careful_path_does(
    key: bytes, value: bytes, error: type[Exception], reason: str
) -> None:
    with pytest.raises(error) as caught:
        read_in_one_pass(key, value)
    assert reason in str(caught.value)
