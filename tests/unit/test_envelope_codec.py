import json
from datetime import UTC, datetime

import pytest

from shared.codec import MalformedRecord, decode, encode
from shared.envelope import CloudEvent
from shared.ids import new_event_id


def envelope(**overrides: object) -> CloudEvent:
    fields: dict[str, object] = {
        "id": new_event_id(),
        "source": "/intake",
        "type": "cn.gov.jiangxi.fairenforcement.intake.ProblemFound.v1",
        "subject": "prb-1",
        "time": datetime(2016, 7, 20, 9, 30, tzinfo=UTC),
        "dataschema": "urn:jiangxi-fair-enforcement:schema:intake.ProblemFound.v1",
        "data": {"problem_id": "prb-1"},
        "sequence": 1,
        "partitionkey": "prb-1",
        "campaignid": "jx-2016",
        "regioncode": "360102",
        "actor": "intake_officer:office-360100:360100",
    }
    fields.update(overrides)
    return CloudEvent.model_validate(fields)


def test_encode_then_decode_is_identity_and_keys_by_subject() -> None:
    event = envelope()
    record = encode(event)
    assert record.key == b"prb-1"
    assert ("content-type", b"application/cloudevents+json") in record.headers
    assert json.loads(record.value)["specversion"] == "1.0"
    assert decode(record.key, record.value) == event


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        (b"prb-1", b"{not json", "not JSON"),
        (b"prb-1", b"[1, 2]", "JSON list, not an object"),
        (b"prb-1", b"\xff\xfe", "not UTF-8"),
        (b"prb-1", None, "tombstone"),
        (b"prb-1", json.dumps({"specversion": "0.3"}).encode(), "specversion must be '1.0'"),
    ],
)
def test_malformed_values_are_rejected_with_a_precise_reason(
    key: bytes, value: bytes | None, reason: str
) -> None:
    with pytest.raises(MalformedRecord) as caught:
        decode(key, value)
    assert reason in caught.value.reason


def test_missing_attribute_is_named() -> None:
    raw = json.loads(encode(envelope()).value)
    del raw["subject"]
    with pytest.raises(MalformedRecord, match="'subject'"):
        decode(b"prb-1", json.dumps(raw).encode())


def test_key_must_match_subject() -> None:
    record = encode(envelope())
    with pytest.raises(MalformedRecord, match="does not match subject"):
        decode(b"prb-2", record.value)
    with pytest.raises(MalformedRecord, match="no key"):
        decode(None, record.value)


def test_partitionkey_must_equal_subject() -> None:
    with pytest.raises(ValueError, match="partitionkey must equal subject"):
        envelope(partitionkey="other")


def test_time_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone"):
        envelope(time=datetime(2016, 7, 20, 9, 30))


def test_sequence_starts_at_one() -> None:
    with pytest.raises(ValueError, match="sequence"):
        envelope(sequence=0)
