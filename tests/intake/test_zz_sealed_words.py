"""Runs after the other intake tests (file order). A tip is filed with words nobody
else could have written; then every record on every topic (raw bytes), a reporting
read model projected from them, an audit replay database and intake's own state file
are scanned for those words: none may hold them in clear. Then the tipster is erased,
and the words can be read neither through the officers' recorded decrypt nor from
the topic with the key store."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from kafka import KafkaConsumer

from services.intake.application import IntakeApp
from services.reporting.readmodels.consumer import Projector
from services.reporting.readmodels.schema import create_tables, make_engine
from services.reporting.replay.audit import rebuild
from shared.actors import Role
from shared.codec import decode
from shared.events.intake import TipReceived
from shared.events.registry import registry
from shared.kafka.security import client_options
from shared.settings import Settings
from shared.topics import INTAKE

from .conftest import Headers
from .helpers import World, read_topic

TOKEN = uuid.uuid4().hex[:16]  # in every text below; random, so found only if leaked
DESCRIPTION = f"城管队员扣押我的三轮车并索要两千元 {TOKEN}"
ATTACHMENT = f"扣押现场照片-{TOKEN}.jpg"
NOTE = f"电话回访举报人，称车辆仍未归还 {TOKEN}"
FINDINGS = f"经调取执法记录仪视频，举报人所述属实 {TOKEN}"


def _needles(*texts: str) -> set[bytes]:
    found = {TOKEN.encode()}
    for text in texts:
        found |= {text.encode(), json.dumps(text)[1:-1].encode()}
    return found


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def _scan_files(paths: list[Path], needles: set[bytes]) -> int:
    scanned = 0
    for path in paths:
        content = path.read_bytes()
        scanned += 1
        for needle in needles:
            assert needle not in content, f"{needle!r} in clear in {path}"
    return scanned


def test_no_citizen_words_in_clear_anywhere_and_none_after_erasure(
    intake: TestClient, world: World, as_role: Headers, broker_settings: Settings, tmp_path: Path
) -> None:
    officer = as_role(Role.intake_officer, "360102")
    legal = as_role(Role.legal_office, "360102")
    body = {
        "channel": "website",
        "region_code": "360102",
        "agency_id": world.agency_id,
        "description": DESCRIPTION,
        "occurred_on": "2016-07-12",
        "campaign_id": world.campaign_id,
        "attachments": [{"file_name": ATTACHMENT, "media_type": "image/jpeg", "size_bytes": 1}],
        "contact": {"phone": "13900001111"},
    }
    tip_id = intake.post("/tips", json=body).json()["tip_id"]
    assert intake.post(f"/tips/{tip_id}/accept", json={"note": NOTE}, headers=officer).is_success
    verified = intake.post(
        f"/tips/{tip_id}/substantiate",
        json={
            "findings": FINDINGS,
            "problems": [
                {"category": "fair", "kind": "other", "severity": "high", "summary": "违规扣押"}
            ],
        },
        headers=officer,
    )
    assert verified.status_code == 200, verified.text

    # The words exist, and the officers who may read them do, through a recorded read.
    staff_view = intake.get(f"/tips/{tip_id}", headers=officer).json()
    assert staff_view["has_text"] is True and TOKEN not in json.dumps(staff_view)
    read = intake.post(f"/tips/{tip_id}/text/decrypt", json={"purpose": "核查"}, headers=legal)
    assert read.status_code == 200, read.text
    words = read.json()
    assert words["description"] == DESCRIPTION and words["attachment_names"] == [ATTACHMENT]
    assert [n["text"] for n in words["notes"]] == [NOTE, FINDINGS]
    staff = as_role(Role.agency_staff, "360102", world.agency_id)
    refused = intake.post(f"/tips/{tip_id}/text/decrypt", json={"purpose": "x"}, headers=staff)
    assert refused.status_code == 403

    # Every topic, raw.
    needles = _needles(DESCRIPTION, ATTACHMENT, NOTE, FINDINGS)
    consumer = KafkaConsumer(**client_options(broker_settings))
    try:
        topics = sorted(consumer.topics())
    finally:
        consumer.close()
    records = 0
    read_events = []
    for topic in topics:
        for key, value in read_topic(broker_settings, topic):
            records += 1
            for needle in needles:
                assert needle not in (key or b"") and needle not in (value or b""), (topic, needle)
            if topic == INTAKE and key == tip_id.encode():
                read_events.append(decode(key, value))
    assert records > 0
    types = [e.type for e in read_events]
    assert any("TipTextDecrypted" in t for t in types), types

    # Reporting's read model, projected from those topics, and an audit replay.
    settings = broker_settings.model_copy(update={"data_dir": tmp_path / "reporting"})
    live_url = f"sqlite:///{tmp_path / 'reporting' / 'readmodels.db'}"
    (tmp_path / "reporting").mkdir()
    engine = make_engine(live_url)
    create_tables(engine)
    projector = Projector(settings, engine)
    try:
        assert projector.run_until().applied > 0
    finally:
        projector.close()
    engine.dispose()
    replay_url = f"sqlite:///{tmp_path / 'replay' / 'replay.db'}"
    (tmp_path / "replay").mkdir()
    summary = rebuild(settings, replay_url)
    assert summary.applied > 0
    built = _files(tmp_path / "reporting") + _files(tmp_path / "replay")
    # The scan reads what the builds hold: the tip's id is there, in clear, in both.
    for directory in ("reporting", "replay"):
        held = b"".join(p.read_bytes() for p in _files(tmp_path / directory))
        assert tip_id.encode() in held, directory
    scanned = _scan_files(built, needles)
    # And intake's own decision state, folded from the same events.
    parts: IntakeApp = intake.app.state.application  # type: ignore[attr-defined]
    scanned += _scan_files(_files(broker_settings.data_dir / "state"), needles)
    assert scanned >= 3

    # Erasure: recorded, then every key of the tipster shredded.
    erased = intake.post(
        f"/tips/{tip_id}/contact/erase", json={"reason": "本人申请"}, headers=legal
    )
    assert erased.status_code == 200 and erased.json()["erased"] is True
    after = intake.post(f"/tips/{tip_id}/text/decrypt", json={"purpose": "核查"}, headers=legal)
    assert after.status_code == 409
    detail = after.json()["detail"]
    assert detail["code"] == "erased"
    assert "删除" in detail["message_zh"] and "erased" in detail["message_en"]
    contact = intake.post(
        f"/tips/{tip_id}/contact/decrypt", json={"purpose": "回访"}, headers=legal
    )
    assert contact.status_code == 409
    received = next(
        registry.load(e) for e in read_events if e.type.endswith("intake.TipReceived.v1")
    )
    assert isinstance(received, TipReceived) and received.sealed_text
    assert parts.privacy.open_words(tip_id, received.sealed_text) is None
    assert parts.privacy.is_erased(tip_id)
