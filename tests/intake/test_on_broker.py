"""On the real broker: a tip from submission to ProblemFound on intake.events,
idempotent retries across a restart, escalation past the deadline on a simulated
clock, problems raised at evaluation meetings becoming tips. (The scan of every
topic for contact details in clear runs last: ``test_zz_privacy_scan.py``.)"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from services.intake.application import IntakeApp
from services.intake.application.raised import tip_id_for_raised
from services.intake.bootstrap import build_app
from shared.actors import Role
from shared.clock import SimulatedClock
from shared.events.evaluation import ProblemRaised, ballot_text_subject
from shared.privacy import KeyStore, PersonalDataVault
from shared.settings import Settings
from shared.topics import EVALUATION, INTAKE

from . import helpers
from .conftest import Headers
from .helpers import World, envelope, events_of, publish, read_topic, wait_for

TYPE = "cn.gov.jiangxi.fairenforcement.intake.{}.v1"
RUN = uuid.uuid4().hex[:8]
PHONE = f"139{random.randrange(10**7, 10**8)}"
EMAIL = f"tipster-{RUN}@example.cn"
NAME = f"举报人{RUN}"


def tip_body(world: World, **overrides: Any) -> dict[str, Any]:
    """A tip with the tipster's contact, which must never reach a topic in clear."""
    told = {
        "channel": "website",
        "description": "执法人员索要好处费",
        "occurred_on": "2016-07-12",
        "contact": {"name": NAME, "phone": PHONE, "email": EMAIL},
    }
    return helpers.tip_body(world, **{**told, **overrides})


def types(events: list[Any]) -> list[str]:
    return [e.type for e in events]


def test_a_tip_from_submission_to_problem_found_on_the_topic(
    intake: TestClient, world: World, as_role: Headers, broker_settings: Settings
) -> None:
    officer = as_role(Role.intake_officer, "360102")
    call = f"call-{uuid.uuid4()}"
    tip_id = intake.post("/tips", json=tip_body(world), headers={"X-Correlation-ID": call}).json()[
        "tip_id"
    ]
    assert intake.post(f"/tips/{tip_id}/accept", json={}, headers=officer).status_code == 200
    decrypted = intake.post(
        f"/tips/{tip_id}/contact/decrypt", json={"purpose": "核实情况"}, headers=officer
    )
    assert decrypted.json()["phone"] == PHONE
    verified = intake.post(
        f"/tips/{tip_id}/substantiate",
        json={
            "findings": "索要好处费属实",
            "problems": [
                {
                    "category": "integrity",
                    "kind": "extortion",
                    "severity": "high",
                    "summary": "弄权勒索",
                }
            ],
        },
        headers=officer,
    )
    (problem_id,) = verified.json()["problem_ids"]

    tip_events = events_of(broker_settings, INTAKE, tip_id)
    assert types(tip_events) == [
        TYPE.format(name)
        for name in ("TipReceived", "TipAccepted", "ContactDecrypted", "TipSubstantiated")
    ]
    assert [e.sequence for e in tip_events] == [1, 2, 3, 4]
    assert tip_events[0].correlationid == call  # the caller's id follows into the log
    assert tip_events[0].data["sealed_contact"].startswith("aesgcm1:")
    assert tip_events[0].data["anonymous"] is False
    (found,) = events_of(broker_settings, INTAKE, problem_id)
    assert found.type == TYPE.format("ProblemFound")
    assert found.subject == problem_id and found.sequence == 1
    assert found.campaignid == world.campaign_id and found.regioncode == "360102"
    assert found.causationid == tip_id
    assert found.data["source"] == "tip" and found.data["source_tip_ids"] == [tip_id]
    assert found.data["category"] == "integrity" and found.data["kind"] == "extortion"
    assert found.data["agency_id"] == world.agency_id and found.data["phase"] == "finding"


def test_an_untriaged_tip_escalates_once_past_its_deadline(
    intake: TestClient,
    world: World,
    as_role: Headers,
    clock: SimulatedClock,
    broker_settings: Settings,
) -> None:
    admin = as_role(Role.admin, "360000")
    late_tip = intake.post("/tips", json=tip_body(world)).json()["tip_id"]
    verifying = intake.post("/tips", json=tip_body(world)).json()["tip_id"]
    officer = as_role(Role.intake_officer, "360102")
    assert intake.post(f"/tips/{verifying}/accept", json={}, headers=officer).status_code == 200
    intake.post("/admin/timers/run", headers=admin)
    assert events_of(broker_settings, INTAKE, late_tip)[-1].type == TYPE.format("TipReceived")

    clock.advance(timedelta(days=3, minutes=1))
    assert (
        intake.post("/admin/timers/run", headers=as_role(Role.admin, "360000")).json()["escalated"]
        >= 1
    )
    clock.advance(timedelta(days=13))
    intake.post("/admin/timers/run", headers=as_role(Role.admin, "360000"))
    intake.post("/admin/timers/run", headers=as_role(Role.admin, "360000"))

    escalated = [
        e for e in events_of(broker_settings, INTAKE, late_tip) if "TipEscalated" in e.type
    ]
    assert len(escalated) == 1
    assert escalated[0].data["stage"] == "triage"
    assert escalated[0].data["from_region_code"] == "360102"
    assert escalated[0].data["to_region_code"] == "360100"
    late_verification = [
        e for e in events_of(broker_settings, INTAKE, verifying) if "TipEscalated" in e.type
    ]
    assert len(late_verification) == 1 and late_verification[0].data["stage"] == "verification"
    city = as_role(Role.intake_officer, "360100")
    officer = as_role(Role.intake_officer, "360102")
    assert intake.get(f"/tips/{late_tip}", headers=city).json()["handling_region_code"] == "360100"
    assert intake.post(f"/tips/{late_tip}/accept", json={}, headers=officer).status_code == 403
    assert intake.post(f"/tips/{late_tip}/accept", json={}, headers=city).status_code == 200


def test_a_problem_raised_at_an_evaluation_meeting_becomes_one_tip(
    intake: TestClient, world: World, as_role: Headers, broker_settings: Settings
) -> None:
    raised_id = f"raised-{uuid.uuid4()}"
    raised = ProblemRaised(
        meeting_id=f"meet-{RUN}",
        raised_id=raised_id,
        campaign_id=world.campaign_id,
        agency_id=world.agency_id,
        region_code="360102",
        description="窗口工作人员态度生硬",
        raised_at=datetime(2016, 7, 19, 8, 0, tzinfo=UTC),
    )
    publish(
        broker_settings,
        EVALUATION,
        [envelope(f"meet-{RUN}", raised, sequence=1, source="/evaluation")],
    )
    publish(
        broker_settings,
        EVALUATION,
        [envelope(f"meet-{RUN}", raised, sequence=2, source="/evaluation")],
    )
    tip_id = tip_id_for_raised(raised_id)
    officer = as_role(Role.intake_officer, "360102")
    view = wait_for(
        lambda: (r := intake.get(f"/tips/{tip_id}", headers=officer)).status_code == 200 and r,
        timeout=90,  # the consumer group may be rebalancing after another test's instance
    )
    assert view.json()["channel"] == "public_evaluation"
    assert view.json()["agency_id"] == world.agency_id
    assert view.json()["anonymous"] is True
    received = [e for e in events_of(broker_settings, INTAKE, tip_id) if "TipReceived" in e.type]
    assert len(received) == 1
    assert received[0].data["origin_ref"] == f"evaluation:{raised_id}"


def test_a_sealed_raised_problem_becomes_a_tip_whose_words_only_officers_read(
    intake: TestClient, world: World, as_role: Headers, broker_settings: Settings
) -> None:
    meeting_id, words = f"meet-sealed-{RUN}", f"检查时强行拍照{RUN}"
    vault = PersonalDataVault(KeyStore(broker_settings.resolved_keystore_url))
    sealed = vault.encrypt(ballot_text_subject(meeting_id), words)
    raised = ProblemRaised(
        meeting_id=meeting_id,
        raised_id=f"raised-{uuid.uuid4()}",
        campaign_id=world.campaign_id,
        agency_id=world.agency_id,
        region_code="360102",
        description=sealed,
        raised_at=datetime(2016, 7, 19, 8, 0, tzinfo=UTC),
    )
    publish(broker_settings, EVALUATION, [envelope(meeting_id, raised, sequence=1)])
    tip_id = tip_id_for_raised(raised.raised_id)
    officer = as_role(Role.intake_officer, "360102")
    wait_for(lambda: intake.get(f"/tips/{tip_id}", headers=officer).status_code == 200, 90)
    read = intake.post(f"/tips/{tip_id}/text/decrypt", json={"purpose": "核查"}, headers=officer)
    assert read.status_code == 200, read.text
    assert read.json()["description"] == words
    # Neither the raised problem nor the tip carries the words in clear.
    needles = (words.encode(), json.dumps(words).strip('"').encode())  # raw or escaped
    for topic in (EVALUATION, INTAKE):
        records = read_topic(broker_settings, topic)
        assert records and not any(n in (value or b"") for _, value in records for n in needles)


def test_an_idempotent_retry_creates_one_tip_even_after_a_restart(
    intake: TestClient,
    world: World,
    broker_settings: Settings,
    clock: SimulatedClock,
    tmp_path: Path,
) -> None:
    key = f"idem-{uuid.uuid4()}"
    headers = {"Idempotency-Key": key}
    first = intake.post("/tips", json=tip_body(world), headers=headers).json()
    second = intake.post("/tips", json=tip_body(world), headers=headers).json()
    assert second == first
    # Started beside the running one, so on a data directory of its own (one writer per
    # state file) with the same key store: its state is folded from the log.
    beside = broker_settings.model_copy(
        update={"data_dir": tmp_path, "keystore_url": broker_settings.resolved_keystore_url}
    )
    with TestClient(build_app(beside, clock)) as restarted:
        third = restarted.post("/tips", json=tip_body(world), headers=headers)
        assert third.status_code == 201 and third.json() == first
        status = restarted.post("/tips/status", json={"receipt_code": first["receipt_code"]})
        assert status.status_code == 200
    parts: IntakeApp = intake.app.state.application  # type: ignore[attr-defined]
    lookup = parts.privacy.lookup("idempotency", key)
    received = [
        json.loads(value or b"{}")
        for _, value in read_topic(broker_settings, INTAKE)
        if b"TipReceived" in (value or b"")
    ]
    assert [e["subject"] for e in received if e["data"]["idempotency_lookup"] == lookup] == [
        first["tip_id"]
    ]


def test_a_restarted_intake_reads_on_from_its_state_file(
    world: World, broker_settings: Settings, clock: SimulatedClock, tmp_path: Path
) -> None:
    settings = broker_settings.model_copy(update={"data_dir": tmp_path})
    with TestClient(build_app(settings, clock)) as first:
        submitted = first.post("/tips", json=tip_body(world)).json()
        first_parts: IntakeApp = first.app.state.application  # type: ignore[attr-defined]
        assert not first_parts.store.state_file.resumed
        first_parts.store.tips_with_problems.add(submitted["tip_id"])
    first_parts.store.state_file.close()  # as the process's end would, letting go of the file
    with TestClient(build_app(settings, clock)) as restarted:
        parts: IntakeApp = restarted.app.state.application  # type: ignore[attr-defined]
        assert parts.store.state_file.resumed
        # Its own event was folded when acknowledged: the topic is read on from after it.
        positions = parts.store.state_file.positions(INTAKE)
        last = {position.last_event_id for position in positions.values()}
        received = events_of(settings, INTAKE, submitted["tip_id"])
        assert received[-1].id in last
        status = restarted.post("/tips/status", json={"receipt_code": submitted["receipt_code"]})
        assert status.status_code == 200 and status.json()["status"] == "received"
        assert submitted["tip_id"] in parts.store.tips_with_problems.members()
        assert restarted.post("/tips", json=tip_body(world)).status_code == 201
