"""On the real broker: a meeting from scheduling to published results and an
automatic look-back; every ballot refusal over HTTP; secrecy of the whole topic;
state rebuilt from the log after a restart; the tally recomputed by the CLI."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, TopicPartition

from services.cli import main as campaign
from services.evaluation import commands as evaluation_commands
from services.evaluation.domain.ballots import box_subject
from services.evaluation.domain.tokens import hash_token
from shared.actors import Role
from shared.events.directory import CampaignRules
from shared.kafka.security import client_options
from shared.privacy import KeyStore
from shared.settings import Settings
from shared.testing import wait_for
from shared.topics import EVALUATION
from tests.evaluation.directory_data import meeting_request, publish_directory

pytestmark = pytest.mark.kafka

Headers = dict[str, str]


def topic_records(settings: Settings) -> list[tuple[bytes, bytes]]:
    consumer = KafkaConsumer(**client_options(settings), enable_auto_commit=False, group_id=None)
    try:
        partitions = [
            TopicPartition(EVALUATION, p)
            for p in sorted(consumer.partitions_for_topic(EVALUATION) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        records: list[tuple[bytes, bytes]] = []
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=1000).values():
                records.extend((r.key, r.value) for r in batch)
        return records
    finally:
        consumer.close()


def assert_refused(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["message_zh"] and detail["message_en"]
    if code is not None:
        assert detail["code"] == code
    return detail


def test_meeting_from_scheduling_to_published_results(
    service_client: Callable[..., TestClient],
    broker_settings: Settings,
    auth_header: Callable[..., Headers],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    rules = CampaignRules(lookback_dissatisfaction_rate=0.4, lookback_problems_raised=3)
    directory = publish_directory(broker_settings, strata={"a": 30, "b": 15}, rules=rules)
    ag_a, ag_b = list(directory.agencies)
    client = service_client("evaluation")
    office = auth_header(Role.legal_office, "office-360100", "360100")
    county_office = auth_header(Role.legal_office, "office-360102", "360102")
    meeting_id = f"meet-{uuid.uuid4().hex[:10]}"
    body = meeting_request(meeting_id, directory, [ag_a, ag_b], representatives=30, reserve_size=5)

    # -- scheduling: refusals change nothing ------------------------------------------
    assert_refused(
        client.post("/meetings", json=body, headers=county_office), 403, "region_not_allowed"
    )
    assert_refused(
        client.post("/meetings", json=body, headers=auth_header(Role.agency_staff, ag_a, "360102")),
        403,
    )
    detail = assert_refused(
        client.post("/meetings", json={**body, "representatives": 20}, headers=office),
        422,
        "too_few_representatives",
    )
    assert detail["field"] == "representatives"
    assert client.get(f"/meetings/{meeting_id}", headers=office).status_code == 404
    created = client.post("/meetings", json=body, headers=office)
    assert created.status_code == 201, created.text
    assert created.json()["min_representatives"] == 30
    assert_refused(client.post("/meetings", json=body, headers=office), 409)

    # -- the directory keeps arriving while the service runs ----------------------------
    late = publish_directory(broker_settings, strata={"late": 1})
    late_agency = next(iter(late.agencies))
    wait_for(
        lambda: (
            client.post(
                "/meetings",
                headers=office,
                json={
                    **body,
                    "meeting_id": f"{meeting_id}-late",
                    "agency_ids": [late_agency],
                    "representatives": 1,
                    "reason_for_fewer": "测试",
                },
            ).status_code
            == 201
        ),
        "a directory event published after start to reach the service",
        interval=0.3,
    )

    # -- pool, draw, verification ------------------------------------------------------
    frozen = client.post(f"/meetings/{meeting_id}/pool/freeze", headers=office).json()
    assert frozen["pool_size"] == 45 and len(frozen["pool_hash"]) == 64
    drawn = client.post(
        f"/meetings/{meeting_id}/draw",
        headers=office,
        json={"randomness": "03 17 22 28 31 09", "randomness_source": "双色球"},
    )
    assert drawn.status_code == 200, drawn.text
    representatives = drawn.json()["representatives"]
    assert len(representatives) == len(set(representatives)) == 30
    published_draw = client.get(f"/meetings/{meeting_id}/draw").json()
    strata = [r["stratum"] for r in published_draw["draw"]["representatives"]]
    assert (strata.count(ag_a), strata.count(ag_b)) == (20, 10)
    assert client.get(f"/meetings/{meeting_id}/draw/verify").json()["matches"] is True
    pool = client.get(f"/meetings/{meeting_id}/pool").json()["pool"]
    verdict = client.post(
        "/draws/verify",
        json={
            "pool": pool,
            "randomness": "03 17 22 28 31 10",
            "algorithm": "v1",
            "expected": published_draw["draw"],
        },
    ).json()
    assert verdict["matches"] is False and verdict["first_difference"].startswith("seed")
    pool["entities"] = pool["entities"][1:]
    verdict = client.post(
        "/draws/verify",
        json={
            "pool": pool,
            "randomness": "03 17 22 28 31 09",
            "expected": published_draw["draw"],
        },
    ).json()
    assert verdict["matches"] is False and verdict["first_difference"].startswith("pool_hash")
    unknown = client.post(
        "/draws/verify", json={"pool": pool, "randomness": "1", "algorithm": "v9"}
    )
    assert assert_refused(unknown, 422)["field"] == "algorithm"

    # -- replacement and check-in ----------------------------------------------------------
    declined = representatives[0]
    reserve = published_draw["draw"]["reserves"][0]
    replaced = client.post(
        f"/meetings/{meeting_id}/replacements",
        headers=office,
        json={"entity_id": declined, "reason": "外出"},
    ).json()
    assert replaced["representatives"][0] == reserve and declined not in replaced["representatives"]
    attendees = replaced["representatives"][2:]  # two stay away
    checked_in = client.post(
        f"/meetings/{meeting_id}/attendance",
        headers=office,
        json={"attendee_entity_ids": attendees},
    )
    assert checked_in.json()["attendees"] == 28
    # The plain sheet is pseudonymous; names only behind a recorded, purposeful reading.
    ids_only = client.get(f"/meetings/{meeting_id}/representatives", headers=office).json()
    assert ids_only[0]["entity_id"] == reserve and ids_only[0]["replaces"] == declined
    assert all(line["name"] == "" and line["contact"] == "" for line in ids_only)
    read_sheet = f"/meetings/{meeting_id}/representatives/read"
    assert assert_refused(client.post(read_sheet, headers=office, json={}), 422)["field"] == (
        "purpose"
    )
    sheet = client.post(read_sheet, headers=office, json={"purpose": "会前电话通知代表"}).json()
    assert sheet[0]["entity_id"] == reserve and sheet[0]["replaces"] == declined
    assert "商户" in sheet[0]["name"] and sheet[0]["contact"].startswith("1390000")
    assert [line["attended"] for line in sheet[:3]] == [False, False, True]
    # Outside the county office's region: answered as a meeting that does not exist.
    assert_refused(client.post(read_sheet, headers=county_office, json={"purpose": "看看"}), 404)
    assert_refused(
        client.get(f"/meetings/{meeting_id}/representatives", headers=county_office), 404
    )

    # -- ballots -----------------------------------------------------------------------------
    issued = client.post(f"/meetings/{meeting_id}/ballots", headers=office)
    assert issued.status_code == 201, issued.text
    tokens = [b["token"] for b in issued.json()["ballots"]]
    assert len(tokens) == len(set(tokens)) == 28
    slips = client.post(
        f"/meetings/{meeting_id}/ballots/slips", headers=office, json={"tokens": tokens[:2]}
    )
    assert slips.status_code == 200 and slips.text.count("<svg") == 2 and tokens[1] in slips.text
    assert issued.json()["ballots"][0]["ballot_url"].endswith(f"/ballots#{tokens[0]}")
    qr = client.post("/ballots/qr.svg", json={"token": tokens[0]})
    assert qr.headers["content-type"].startswith("image/svg+xml") and "<svg" in qr.text
    assert_refused(client.post("/ballots/qr.svg", json={"token": "no-such-ballot-token"}), 403)

    def state_of(token: str) -> str:
        found: str = client.post("/ballots/lookup", json={"token": token}).json()["state"]
        return found

    assert state_of(tokens[0]) == "open"
    page = client.get("/ballots")  # one page for every ballot: the token is in the fragment
    assert "location.hash" in page.text and tokens[0] not in page.text

    def ballot(a: str, b: str, problems: tuple[str, ...] = (), token: str = "") -> dict[str, Any]:
        return {
            "token": token,
            "ratings": [
                {"agency_id": ag_a, "rating": a, "comment": "服务热情"},
                {"agency_id": ag_b, "rating": b},
            ],
            "problems": [{"agency_id": ag_b, "description": p} for p in problems],
        }

    # refusals first: each changes nothing
    def cast(body: dict[str, Any], token: str, headers: Headers | None = None) -> Any:
        return client.post("/ballots/cast", json={**body, "token": token}, headers=headers or {})

    unknown = cast(ballot("satisfied", "satisfied"), "not-a-real-ballot-token-000")
    assert "not-a-real-ballot-token-000" not in unknown.text
    assert_refused(unknown, 403, "unknown_token")
    missing = {"ratings": [{"agency_id": ag_a, "rating": "satisfied"}]}
    assert assert_refused(cast(missing, tokens[0]), 422)["field"] == "ratings"
    bad_value = ballot("great", "satisfied")
    assert assert_refused(cast(bad_value, tokens[0]), 422)["field"].startswith("ratings")
    assert state_of(tokens[0]) == "open"

    plan = (
        [("satisfied", "dissatisfied", ("乱罚款", "检查过多"))] * 10
        + [("basically_satisfied", "dissatisfied", ())] * 5
        + [("satisfied", "satisfied", ())] * 8
        + [("dissatisfied", "basically_satisfied", ("办事拖拉",))] * 2
    )  # 25 ballots cast; 1 of them spoiled afterwards; 1 spoiled uncast; 2 uncast
    teller = office
    for i, (a, b, problems) in enumerate(plan):
        headers = teller if i == 0 else {}
        response = cast(ballot(a, b, problems), tokens[i], headers)
        assert response.status_code == 200, response.text
    assert_refused(cast(ballot("satisfied", "satisfied"), tokens[1]), 409, "already_cast")
    assert state_of(tokens[1]) == "cast"

    # -- a restart while voting is open: the box is rebuilt from the sealed records ------------
    client.__exit__(None, None, None)
    client = service_client("evaluation")
    assert state_of(tokens[1]) == "cast" and state_of(tokens[26]) == "open"
    spoil_cast = client.post(
        f"/meetings/{meeting_id}/ballots/spoil",
        headers=office,
        json={"token": tokens[24], "reason": "字迹无法辨认"},
    )
    assert spoil_cast.status_code == 200, spoil_cast.text
    client.post(
        f"/meetings/{meeting_id}/ballots/spoil",
        headers=office,
        json={"token": tokens[25], "reason": "撕毁"},
    )
    assert_refused(cast(ballot("satisfied", "satisfied"), tokens[25]), 409, "ballot_spoiled")
    assert_refused(
        client.post(
            f"/meetings/{meeting_id}/ballots/spoil",
            headers=county_office,
            json={"token": tokens[26]},
        ),
        404,  # another region's meeting is answered as one that does not exist
    )

    # -- close: tally, feedback, problems, look-back ----------------------------------------
    tally = client.post(f"/meetings/{meeting_id}/close", headers=office)
    assert tally.status_code == 200, tally.text
    t = tally.json()
    assert (t["ballots_issued"], t["ballots_cast"], t["ballots_spoiled"]) == (28, 25, 2)
    assert (t["ballots_uncast"], t["valid_ballots"]) == (2, 24)
    results = {r["agency_id"]: r for r in t["results"]}
    assert (
        results[ag_a]["satisfied"],
        results[ag_a]["basically_satisfied"],
        results[ag_a]["dissatisfied"],
    ) == (18, 5, 1)
    assert results[ag_b]["dissatisfied"] == 15
    assert results[ag_b]["dissatisfaction_rate"] == pytest.approx(15 / 24)
    assert results[ag_a]["satisfaction_rate"] == pytest.approx(23 / 24)
    assert (results[ag_a]["rank"], results[ag_b]["rank"]) == (1, 2)
    assert results[ag_b]["problems_raised"] == 21
    assert [lb["agency_id"] for lb in t["lookbacks"]] == [ag_b]
    assert_refused(cast(ballot("satisfied", "satisfied"), tokens[26]), 409, "meeting_closed")
    assert client.get(f"/meetings/{meeting_id}/results").status_code == 409
    # The box key is gone: the per-cast records can never be read or linked again.
    keys = KeyStore(broker_settings.resolved_keystore_url)
    assert keys.key_for(box_subject(meeting_id), create=False) is None

    read_comments = f"/meetings/{meeting_id}/comments/read"
    assert_refused(client.post(read_comments, headers=county_office, json={"purpose": "看看"}), 404)
    comments = client.post(read_comments, headers=office, json={"purpose": "向被评议机关反馈"})
    assert comments.status_code == 200, comments.text
    assert comments.json()["comments"][ag_a] == ["服务热情"] * 24

    open_lookbacks = client.get("/lookbacks", params={"open_only": True}, headers=office).json()
    assert f"lb-{meeting_id}-{ag_b}" in [lb["lookback_id"] for lb in open_lookbacks]
    listed = [m["meeting_id"] for m in client.get("/results").json()["meetings"]]
    assert meeting_id not in listed  # closed is not published
    published = client.post(f"/meetings/{meeting_id}/publish", headers=office)
    assert published.status_code == 200, published.text
    public = client.get(f"/meetings/{meeting_id}/results").json()
    assert public["results"] == t["results"]
    (entry,) = [
        m for m in client.get("/results").json()["meetings"] if m["meeting_id"] == meeting_id
    ]
    assert entry["results"] == public and "representatives" not in entry
    done = client.post(
        f"/meetings/{meeting_id}/lookbacks/{ag_b}/complete",
        headers=office,
        json={"findings": "已约谈并整改检查频次"},
    )
    assert done.status_code == 200 and done.json()["completed"] is True
    assert client.get(f"/meetings/{meeting_id}/tally/verify", headers=office).json()["matches"]

    # -- the tally recomputed from the topic by the CLI -------------------------------------
    monkeypatch.setattr(evaluation_commands, "get_settings", lambda: broker_settings)
    assert campaign(["evaluation", "tally", "--meeting", meeting_id]) == 0
    recomputed = json.loads(capsys.readouterr().out)
    assert recomputed["matches_recorded"] is True and recomputed["valid_ballots"] == 24

    pool_file, draw_file = tmp_path / "pool.json", tmp_path / "draw.json"
    assert (
        campaign(
            [
                "evaluation",
                "export-draw",
                "--meeting",
                meeting_id,
                "--pool-out",
                str(pool_file),
                "--draw-out",
                str(draw_file),
            ]
        )
        == 0
    )
    verify_args = [
        "evaluation",
        "verify-draw",
        "--pool",
        str(pool_file),
        "--algorithm",
        "v1",
        "--expected",
        str(draw_file),
        "--randomness",
    ]
    assert campaign([*verify_args, "03 17 22 28 31 09"]) == 0
    assert campaign([*verify_args, "03 17 22 28 31 08"]) == 1
    assert "first difference: seed" in capsys.readouterr().out
    paths = client.get("/openapi.json").json()["paths"]
    assert "/ballots/cast" in paths and "/draws/verify" in paths
    assert not [p for p in paths if "token" in p], "a ballot token in a URL path"

    # -- secrecy: the whole topic ---------------------------------------------------------------
    hashes = {hash_token(tok) for tok in tokens}
    people = set(directory.entity_ids)
    mine = 0
    types: list[str] = []
    for key, value in topic_records(broker_settings):
        text = value.decode("utf-8")
        assert not any(tok in text for tok in tokens), "a plaintext token reached the topic"
        assert "服务热情" not in text, "a ballot comment reached the topic in clear"
        assert "乱罚款" not in text, "a problem raised on a ballot reached the topic in clear"
        if key.decode() != meeting_id:
            continue
        mine += 1
        event = json.loads(text)
        types.append(event["type"].split(".")[-2])
        if any(h in text for h in hashes):
            assert not [p for p in people if p in text], f"ballot linked to a person: {text[:200]}"
            assert '"ratings"' not in text, "a ballot's content beside its token hash"
        if types[-1] == "BallotBoxOpened":
            assert len(event["data"]["ballots"]) == 24
    assert mine > 30 and "BallotCast" not in types
    assert types.count("ProblemRaised") == 21 and types.count("ResultsFedBack") == 2
    for name in (
        "EvaluationMeetingScheduled",
        "PoolFrozen",
        "RepresentativesDrawn",
        "RepresentativeReplaced",
        "AttendanceRecorded",
        "BallotsIssued",
        "BallotTokenSpent",
        "BallotSealed",
        "BallotSpoiled",
        "BallotBoxOpened",
        "RepresentativesSheetRead",
        "BallotCommentsRead",
        "MeetingClosed",
        "EvaluationTallied",
        "ResultsPublished",
        "LookBackOpened",
        "LookBackCompleted",
    ):
        assert name in types, name

    # -- a restarted service rebuilds the same state from the log ------------------------------
    before = client.get(f"/meetings/{meeting_id}", headers=office).json()
    client.__exit__(None, None, None)
    restarted = service_client("evaluation")
    assert restarted.get(f"/meetings/{meeting_id}", headers=office).json() == before
    assert_refused(
        restarted.post("/ballots/cast", json=ballot("satisfied", "satisfied", token=tokens[1])),
        409,
    )
    assert_refused(
        restarted.post(
            f"/meetings/{meeting_id}/lookbacks/{ag_b}/complete",
            headers=office,
            json={"findings": "again"},
        ),
        409,
    )


def test_a_small_meeting_publishes_no_figures(
    service_client: Callable[..., TestClient],
    broker_settings: Settings,
    auth_header: Callable[..., Headers],
) -> None:
    directory = publish_directory(broker_settings, strata={"a": 4}, rules=CampaignRules())
    (agency,) = list(directory.agencies)
    client = service_client("evaluation")
    office = auth_header(Role.legal_office, "office-360100", "360100")
    meeting_id = f"meet-small-{uuid.uuid4().hex[:8]}"
    body = meeting_request(
        meeting_id,
        directory,
        [agency],
        representatives=3,
        reserve_size=1,
        place="县政府小会议室",
        reason_for_fewer="乡镇人口少",
    )
    wait_for(
        lambda: client.post("/meetings", json=body, headers=office).status_code == 201,
        "the directory to reach the service",
        interval=0.3,
    )
    path = f"/meetings/{meeting_id}"
    client.post(f"{path}/pool/freeze", headers=office)
    drawn = client.post(f"{path}/draw", headers=office, json={"randomness": "1 2 3"}).json()
    attendees = {"attendee_entity_ids": drawn["representatives"]}
    client.post(f"{path}/attendance", headers=office, json=attendees)
    tokens = [b["token"] for b in client.post(f"{path}/ballots", headers=office).json()["ballots"]]
    for token in tokens:
        vote = {"token": token, "ratings": [{"agency_id": agency, "rating": "dissatisfied"}]}
        assert client.post("/ballots/cast", json=vote).status_code == 200
    office_view = client.post(f"{path}/close", headers=office).json()
    assert office_view["valid_ballots"] == 3
    assert [w["agency_id"] for w in office_view["withheld"]] == [agency]
    assert client.post(f"{path}/publish", headers=office).status_code == 200
    public = client.get(f"{path}/results").json()
    assert public["results"] == [] and public["lookbacks"] == []
    (withheld,) = public["withheld"]
    assert withheld["agency_id"] == agency and withheld["min_valid_ballots"] == 5
    assert "不予公布" in withheld["message"] and "too few ballots" in withheld["message"]
