"""Runs after the other intake tests (file order): every record on every topic is
scanned for the tipster contact details those tests submitted, and for those this
module submits, decrypts and verifies itself. None may appear in clear."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from kafka import KafkaConsumer

from shared.actors import Role
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import INTAKE

from .conftest import Headers
from .helpers import CONTACT_STRINGS, World, read_topic
from .test_on_broker import EMAIL, NAME, PHONE, tip_body


def test_no_tipster_contact_detail_appears_in_clear_on_any_topic(
    intake: TestClient, world: World, as_role: Headers, broker_settings: Settings
) -> None:
    officer = as_role(Role.intake_officer, "360102")
    tip_id = intake.post("/tips", json=tip_body(world)).json()["tip_id"]
    intake.post(f"/tips/{tip_id}/accept", json={}, headers=officer)
    read = intake.post(f"/tips/{tip_id}/contact/decrypt", json={"purpose": "回访"}, headers=officer)
    assert read.json()["email"] == EMAIL  # the detail exists, and can be read by the right role

    consumer = KafkaConsumer(**client_options(broker_settings))
    try:
        topics = sorted(consumer.topics())
    finally:
        consumer.close()
    assert INTAKE in topics
    clear = [PHONE, EMAIL, NAME, *CONTACT_STRINGS]
    needles = {s.encode() for s in clear} | {json.dumps(s)[1:-1].encode() for s in clear}
    scanned = 0
    for topic in topics:
        for key, value in read_topic(broker_settings, topic):
            scanned += 1
            for needle in needles:
                assert needle not in (key or b""), f"{needle!r} in a key on {topic}"
                assert needle not in (value or b""), f"{needle!r} in clear on {topic}"
    assert scanned > 0
