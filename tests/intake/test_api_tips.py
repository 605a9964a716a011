"""The tip endpoints: submission, receipt codes, idempotency, bad input, triage,
verification, contact decryption; role and region checks."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.intake.application import IntakeApp
from services.intake.domain.receipt import (
    ALPHABET,
    check_character,
    format_code,
    new_receipt_code,
    normalise,
)
from shared.actors import Role
from shared.clock import SimulatedClock

from .conftest import Headers
from .helpers import (
    ERASED_EMAIL,
    TIPSTER_EMAIL,
    TIPSTER_LANDLINE,
    TIPSTER_MOBILE,
    TIPSTER_NAME,
    World,
    tip_body,
)


def submit(intake: TestClient, world: World, **overrides: Any) -> dict[str, Any]:
    response = intake.post("/tips", json=tip_body(world, **overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def parts_of(intake: TestClient) -> IntakeApp:
    parts: IntakeApp = intake.app.state.application  # type: ignore[attr-defined]
    return parts


def other_valid_code(code: str) -> str:
    compact = normalise(code)
    body = compact[:-1]
    body = ("3" if body[0] != "3" else "4") + body[1:]
    return format_code(body + check_character(body))


# -- submission and receipt ------------------------------------------------------------


def test_submit_returns_tip_id_and_receipt_code(intake: TestClient, world: World) -> None:
    result = submit(intake, world)
    assert result["tip_id"].startswith("tip-")
    code = result["receipt_code"]
    assert len(normalise(code)) == 13 and set(normalise(code)) <= set(ALPHABET)
    status = intake.post("/tips/status", json={"receipt_code": code.lower()})
    assert status.status_code == 200
    assert status.json()["status"] == "received"
    assert "description" not in status.json() and "tip_id" not in status.json()


def test_wrong_and_unknown_codes_get_the_same_answer(intake: TestClient, world: World) -> None:
    parts_of(intake).throttle.storage.reset()
    code = submit(intake, world)["receipt_code"]
    wrong = intake.post("/tips/status", json={"receipt_code": other_valid_code(code)})
    unknown_code = new_receipt_code(secrets.randbelow)
    assert unknown_code != code
    unknown = intake.post("/tips/status", json={"receipt_code": unknown_code})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert "receipt" in wrong.json()["detail"]["message_en"]
    parts_of(intake).throttle.storage.reset()


def test_mistyped_code_is_caught_by_the_check_character(intake: TestClient, world: World) -> None:
    parts_of(intake).throttle.storage.reset()
    code = normalise(submit(intake, world)["receipt_code"])
    typo = code[:3] + ("Z" if code[3] != "Z" else "Y") + code[4:]
    response = intake.post("/tips/status", json={"receipt_code": typo})
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "receipt_code"
    parts_of(intake).throttle.storage.reset()


def test_repeated_failures_are_throttled(intake: TestClient, world: World) -> None:
    parts = parts_of(intake)
    parts.throttle.storage.reset()
    code = submit(intake, world)["receipt_code"]
    for _ in range(5):
        assert (
            intake.post("/tips/status", json={"receipt_code": other_valid_code(code)}).status_code
            == 404
        )
    throttled = intake.post("/tips/status", json={"receipt_code": code})
    assert throttled.status_code == 429
    assert throttled.json()["detail"]["message_zh"]
    assert 0 < int(throttled.headers["Retry-After"]) <= 24 * 3600
    parts.throttle.storage.reset()
    assert intake.post("/tips/status", json={"receipt_code": code}).status_code == 200


def test_idempotent_retry_returns_the_first_result(intake: TestClient, world: World) -> None:
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = intake.post("/tips", json=tip_body(world), headers=key)
    again = intake.post("/tips", json=tip_body(world), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json()["tip_id"] == first.json()["tip_id"]
    assert again.json()["receipt_code"] == first.json()["receipt_code"]
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = intake.post("/tips", json=tip_body(world, description="另一件事"), headers=key)
    assert changed.status_code == 422
    assert changed.json()["detail"]["field"] == "Idempotency-Key"


def test_only_a_tip_with_an_idempotency_key_keeps_a_sealed_receipt(
    intake: TestClient, world: World
) -> None:
    """The sealed copy of the receipt code exists to answer a retry; without a key no
    retry can ask for it, so none is kept (nor any key made for it)."""
    store = parts_of(intake).store
    keyed = intake.post("/tips", json=tip_body(world), headers={"Idempotency-Key": "keep-1234"})
    plain = intake.post("/tips", json=tip_body(world))
    assert keyed.status_code == plain.status_code == 201
    assert plain.json()["receipt_code"]
    keyed_state = store.state("tip", keyed.json()["tip_id"])
    plain_state = store.state("tip", plain.json()["tip_id"])
    assert keyed_state.sealed_receipt.startswith("aesgcm1:") and keyed_state.request_fingerprint
    assert plain_state.sealed_receipt == "" and plain_state.request_fingerprint == ""
    # The receipt code still finds the tip.
    status = intake.post("/tips/status", json={"receipt_code": plain.json()["receipt_code"]})
    assert status.status_code == 200


def test_contact_is_sealed_and_tip_not_anonymous(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    tip = submit(intake, world, contact={"name": TIPSTER_NAME, "phone": TIPSTER_MOBILE})
    view = intake.get(f"/tips/{tip['tip_id']}", headers=as_role(Role.intake_officer, "360102"))
    assert view.status_code == 200
    assert view.json()["anonymous"] is False
    assert TIPSTER_MOBILE not in view.text and TIPSTER_NAME not in view.text
    state = parts_of(intake).store.state("tip", tip["tip_id"])
    assert state.sealed_contact.startswith("aesgcm1:")


BAD_INPUT = [
    ({"region_code": "999999"}, "region_code"),
    ({"region_code": "36010"}, "region_code"),
    ({"agency_id": "ag-nobody"}, "agency_id"),
    ({"agency_id": None}, "agency_text"),
    ({"campaign_id": "no-such-campaign"}, "campaign_id"),
    ({"channel": "pigeon"}, "channel"),
    ({"channel": "public_evaluation"}, "channel"),
    ({"power": "taxation"}, "power"),
    ({"description": ""}, "description"),
    ({"description": "   "}, "description"),
    ({"description": "长" * 5001}, "description"),
    ({"occurred_on": "2016-07-21"}, "occurred_on"),
    ({"occurred_on": "not a date"}, "occurred_on"),
    ({"contact": {"phone": "12345"}}, "contact.phone"),
    ({"contact": {"email": "no-at-sign"}}, "contact.email"),
    ({"contact": {"name": "只有名字"}}, "contact"),
    ({"surprise": 1}, "surprise"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_bad_input_is_422_naming_the_field_in_both_languages(
    intake: TestClient, world: World, overrides: dict[str, Any], field: str
) -> None:
    response = intake.post("/tips", json=tip_body(world, **overrides))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["field"] == field
    assert detail["message_zh"] and detail["message_en"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail["message_zh"])


# -- triage ----------------------------------------------------------------------------


def test_accept_once_then_409(intake: TestClient, world: World, as_role: Headers) -> None:
    tip_id = submit(intake, world)["tip_id"]
    officer = as_role(Role.intake_officer, "360102")
    accepted = intake.post(f"/tips/{tip_id}/accept", json={}, headers=officer)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["verification_due_at"]
    again = intake.post(f"/tips/{tip_id}/accept", json={}, headers=officer)
    assert again.status_code == 409
    assert again.json()["detail"]["code"] == "illegal_transition"


def test_triage_needs_the_right_role_and_region(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    tip_id = submit(intake, world)["tip_id"]
    for header in (
        as_role(Role.agency_staff, "360102", world.agency_id),
        as_role(Role.public, "360102"),
    ):
        response = intake.post(f"/tips/{tip_id}/accept", json={}, headers=header)
        assert response.status_code == 403, response.text
    outside = intake.post(
        f"/tips/{tip_id}/accept", json={}, headers=as_role(Role.intake_officer, "360103")
    )
    assert outside.status_code == 404, outside.text
    assert intake.post(f"/tips/{tip_id}/accept", json={}).status_code == 401
    assert parts_of(intake).store.state("tip", tip_id).status == "received"
    city = intake.post(
        f"/tips/{tip_id}/accept", json={}, headers=as_role(Role.intake_officer, "360100")
    )
    assert city.status_code == 200


def test_unknown_tip_is_404(intake: TestClient, as_role: Headers) -> None:
    response = intake.post(
        "/tips/tip-nothing/accept", json={}, headers=as_role(Role.intake_officer, "360102")
    )
    assert response.status_code == 404


def test_unknown_and_forbidden_tips_get_the_same_answer(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    tip_id = submit(intake, world)["tip_id"]
    intake.post(
        f"/tips/{tip_id}/reject",
        json={"reason": "属民事纠纷"},
        headers=as_role(Role.intake_officer, "360102"),
    )
    outsider = as_role(Role.intake_officer, "360202")
    for path in (f"/tips/{tip_id}", "/tips/tip-nothing"):
        read = intake.get(path, headers=outsider)
        assert read.status_code == 404
    hidden = intake.get(f"/tips/{tip_id}", headers=outsider).json()
    assert hidden == intake.get("/tips/tip-nothing", headers=outsider).json()
    acted = intake.post(f"/tips/{tip_id}/accept", json={}, headers=outsider)
    unknown = intake.post("/tips/tip-nothing/accept", json={}, headers=outsider)
    assert (acted.status_code, acted.json()) == (unknown.status_code, unknown.json())
    assert "rejected" not in acted.text and "已不予受理" not in acted.text
    own = intake.get(f"/tips/{tip_id}", headers=as_role(Role.intake_officer, "360102"))
    assert own.status_code == 200 and own.json()["status"] == "rejected"


def test_a_county_officer_cannot_merge_into_another_citys_tip(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    officer = as_role(Role.intake_officer, "360102")
    mine = submit(intake, world)["tip_id"]
    ji_an = submit(intake, world, region_code="360202", agency_id=None, agency_text="某区城管局")[
        "tip_id"
    ]
    merged = intake.post(f"/tips/{mine}/merge", json={"into_tip_id": ji_an}, headers=officer)
    unknown = intake.post(f"/tips/{mine}/merge", json={"into_tip_id": "tip-none"}, headers=officer)
    assert merged.status_code == 404, merged.text
    assert merged.json() == unknown.json()
    assert merged.json()["detail"]["field"] == "into_tip_id"
    assert parts_of(intake).store.state("tip", mine).status == "received"
    # A closed target elsewhere answers the same: its status does not show through.
    rejected_elsewhere = intake.post(
        f"/tips/{ji_an}/reject",
        json={"reason": "不属于本次专项治理范围"},
        headers=as_role(Role.intake_officer, "360202"),
    )
    assert rejected_elsewhere.status_code == 200
    closed = intake.post(f"/tips/{mine}/merge", json={"into_tip_id": ji_an}, headers=officer)
    assert (closed.status_code, closed.json()) == (404, unknown.json())
    # The province's officer sees both and is told the target's real state.
    province = as_role(Role.intake_officer, "360000")
    refused = intake.post(f"/tips/{mine}/merge", json={"into_tip_id": ji_an}, headers=province)
    assert refused.status_code == 409 and "rejected" in refused.json()["detail"]["message_en"]


def test_a_tip_lists_only_the_merged_duplicates_its_reader_may_see(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    mine = submit(intake, world)["tip_id"]
    elsewhere = submit(intake, world, region_code="360202", agency_id=None, agency_text="某局")
    province = as_role(Role.intake_officer, "360000")
    merged = intake.post(
        f"/tips/{elsewhere['tip_id']}/merge", json={"into_tip_id": mine}, headers=province
    )
    assert merged.status_code == 200
    seen_by_province = intake.get(f"/tips/{mine}", headers=province).json()["merged_tips"]
    assert seen_by_province == [elsewhere["tip_id"]]
    county = as_role(Role.intake_officer, "360102")
    assert intake.get(f"/tips/{mine}", headers=county).json()["merged_tips"] == []


def test_the_public_files_only_under_public_channels(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    for channel in ("joint_inspection", "case_file_review", "self_analysis", "referral"):
        response = intake.post("/tips", json=tip_body(world, channel=channel))
        assert response.status_code == 403, (channel, response.text)
        assert response.json()["detail"]["field"] == "channel"
        staff = as_role(Role.agency_staff, "360102", world.agency_id)
        by_agency = intake.post("/tips", json=tip_body(world, channel=channel), headers=staff)
        assert by_agency.status_code == 403
    officer = as_role(Role.intake_officer, "360102")
    filed = intake.post("/tips", json=tip_body(world, channel="joint_inspection"), headers=officer)
    assert filed.status_code == 201
    tip = intake.get(f"/tips/{filed.json()['tip_id']}", headers=officer).json()
    assert tip["channel"] == "joint_inspection"
    for channel in ("hotline", "website", "letter", "visit", "media"):
        assert intake.post("/tips", json=tip_body(world, channel=channel)).status_code == 201


def test_reject_then_verify_is_409(intake: TestClient, world: World, as_role: Headers) -> None:
    tip_id = submit(intake, world)["tip_id"]
    officer = as_role(Role.intake_officer, "360102")
    rejected = intake.post(
        f"/tips/{tip_id}/reject",
        json={"reason": "属民事纠纷", "referred_to": "东湖区人民法院"},
        headers=officer,
    )
    assert rejected.status_code == 200 and rejected.json()["referred_to"] == "东湖区人民法院"
    verify = intake.post(f"/tips/{tip_id}/unsubstantiate", json={"reason": "x"}, headers=officer)
    assert verify.status_code == 409
    assert "rejected" in verify.json()["detail"]["message_en"]


def test_reject_needs_a_reason(intake: TestClient, world: World, as_role: Headers) -> None:
    tip_id = submit(intake, world)["tip_id"]
    response = intake.post(
        f"/tips/{tip_id}/reject",
        json={"reason": ""},
        headers=as_role(Role.intake_officer, "360102"),
    )
    assert response.status_code == 422 and response.json()["detail"]["field"] == "reason"


def test_merge_and_assign_and_substantiate_with_backing_tips(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    officer = as_role(Role.intake_officer, "360102")
    main = submit(intake, world)["tip_id"]
    duplicate = submit(intake, world)["tip_id"]
    merged = intake.post(f"/tips/{duplicate}/merge", json={"into_tip_id": main}, headers=officer)
    assert merged.status_code == 200 and merged.json()["merged_into"] == main
    again = intake.post(f"/tips/{duplicate}/merge", json={"into_tip_id": main}, headers=officer)
    assert again.status_code == 409
    missing = submit(intake, world)["tip_id"]
    nowhere = intake.post(
        f"/tips/{missing}/merge", json={"into_tip_id": "tip-none"}, headers=officer
    )
    assert nowhere.status_code == 404
    assigned = intake.post(f"/tips/{main}/assign", json={"assignee": "lo-360102"}, headers=officer)
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    assert assigned.json()["merged_tips"] == [duplicate]
    verified = intake.post(
        f"/tips/{main}/substantiate",
        json={
            "findings": "经调取执法案卷，罚款未开票属实",
            "problems": [
                {
                    "category": "procedural",
                    "kind": "arbitrary_fine",
                    "severity": "medium",
                    "summary": "乱罚款",
                },
                {
                    "agency_id": world.city_agency_id,
                    "category": "oversight",
                    "kind": "fine_quota",
                    "severity": "high",
                    "summary": "下达罚没指标",
                },
            ],
        },
        headers=officer,
    )
    assert verified.status_code == 200, verified.text
    problem_ids = verified.json()["problem_ids"]
    assert len(problem_ids) == 2 and all(p.startswith("prb-") for p in problem_ids)
    problems = intake.get("/problems", headers=as_role(Role.legal_office, "360100"))
    listed = problems.json()["problems"]
    mine = {p["problem_id"]: p for p in listed if p["problem_id"] in problem_ids}
    assert len(mine) == 2
    assert all(p["source_tip_ids"] == [main, duplicate] for p in mine.values())
    assert {p["region_code"] for p in mine.values()} == {"360102", "360100"}
    assert {p["phase"] for p in mine.values()} == {"finding"}


def test_substantiate_refuses_bad_problems(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    officer = as_role(Role.intake_officer, "360102")
    tip_id = submit(intake, world)["tip_id"]
    intake.post(f"/tips/{tip_id}/accept", json={}, headers=officer)
    cases = [
        ([], "problems"),
        (
            [{"category": "fair", "kind": "fine_quota", "severity": "low", "summary": "s"}],
            "problems.0.kind",
        ),
        (
            [{"category": "vague", "kind": "other", "severity": "low", "summary": "s"}],
            "problems.0.category",
        ),
        (
            [
                {
                    "agency_id": "ag-none",
                    "category": "fair",
                    "kind": "other",
                    "severity": "low",
                    "summary": "s",
                }
            ],
            "problems.0.agency_id",
        ),
    ]
    for problems, field in cases:
        response = intake.post(
            f"/tips/{tip_id}/substantiate",
            json={"findings": "f", "problems": problems},
            headers=officer,
        )
        assert response.status_code == 422, response.text
        assert response.json()["detail"]["field"] == field
    assert parts_of(intake).store.state("tip", tip_id).status == "accepted"


def test_transfer_moves_the_tip_to_another_region(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    tip_id = submit(intake, world)["tip_id"]
    moved = intake.post(
        f"/tips/{tip_id}/transfer",
        json={"to_region_code": "360103", "reason": "事发地在西湖区"},
        headers=as_role(Role.intake_officer, "360102"),
    )
    assert moved.status_code == 200 and moved.json()["handling_region_code"] == "360103"
    old = intake.post(
        f"/tips/{tip_id}/accept", json={}, headers=as_role(Role.intake_officer, "360102")
    )
    assert old.status_code == 404  # no longer theirs to see
    new = intake.post(
        f"/tips/{tip_id}/accept", json={}, headers=as_role(Role.intake_officer, "360103")
    )
    assert new.status_code == 200


def test_unsubstantiated(intake: TestClient, world: World, as_role: Headers) -> None:
    tip_id = submit(intake, world)["tip_id"]
    officer = as_role(Role.intake_officer, "360102")
    intake.post(f"/tips/{tip_id}/accept", json={}, headers=officer)
    done = intake.post(
        f"/tips/{tip_id}/unsubstantiate",
        json={"reason": "查无实据"},
        headers=as_role(Role.legal_office, "360102"),
    )
    assert done.status_code == 200 and done.json()["status"] == "unsubstantiated"


def test_staff_listing_shows_only_their_region(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    tip_id = submit(intake, world)["tip_id"]
    donghu = intake.get("/tips?status=received", headers=as_role(Role.intake_officer, "360102"))
    xihu = intake.get("/tips", headers=as_role(Role.intake_officer, "360103"))
    assert tip_id in {t["tip_id"] for t in donghu.json()["tips"]}
    assert tip_id not in {t["tip_id"] for t in xihu.json()["tips"]}
    # Another district's tip is answered as a tip that does not exist.
    xihu_officer = as_role(Role.intake_officer, "360103")
    hidden = intake.get(f"/tips/{tip_id}", headers=xihu_officer)
    unknown = intake.get("/tips/tip-00000000000000000000", headers=xihu_officer)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"]["code"] == unknown.json()["detail"]["code"]
    assert intake.get("/tips", headers=as_role(Role.public, "360102")).status_code == 403


def test_the_queue_is_paged_open_tips_first_then_oldest_first(
    intake: TestClient, world: World, as_role: Headers, clock: SimulatedClock
) -> None:
    officer = as_role(Role.intake_officer, "360781")
    submitted = []
    for _ in range(3):
        submitted.append(submit(intake, world, region_code="360781")["tip_id"])
        clock.advance(timedelta(minutes=1))
    first, second, third = submitted
    rejected = intake.post(
        f"/tips/{first}/reject", json={"reason": "不属于行政执法"}, headers=officer
    )
    assert rejected.status_code == 200, rejected.text

    page = intake.get("/tips?limit=2", headers=officer).json()
    assert (page["total"], page["offset"], page["limit"]) == (3, 0, 2)
    assert [t["tip_id"] for t in page["tips"]] == [second, third]
    rest = intake.get("/tips?limit=2&offset=2", headers=officer).json()
    assert [t["tip_id"] for t in rest["tips"]] == [first]
    closed = intake.get("/tips?status=rejected", headers=officer).json()
    assert closed["total"] == 1 and closed["tips"][0]["tip_id"] == first
    province = as_role(Role.legal_office, "360000")
    county = intake.get("/tips?region_code=360781", headers=province).json()
    assert {t["tip_id"] for t in county["tips"]} == {first, second, third}
    city = intake.get("/tips?region_code=360700&limit=200", headers=province).json()
    assert {first, second, third} <= {t["tip_id"] for t in city["tips"]}
    elsewhere = intake.get("/tips?region_code=360102&limit=200", headers=province).json()
    assert not {first, second, third} & {t["tip_id"] for t in elsewhere["tips"]}


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=201", "offset=-1", "region_code=369999", "region_code=36"]
)
def test_a_bad_page_is_422_naming_the_parameter(
    intake: TestClient, as_role: Headers, query: str
) -> None:
    response = intake.get(f"/tips?{query}", headers=as_role(Role.intake_officer, "360102"))
    assert response.status_code == 422, response.text
    assert response.json()["detail"]["field"] == query.split("=")[0]


# -- contact ---------------------------------------------------------------------------


def test_contact_decryption_is_for_roles_with_a_need(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    tip_id = submit(intake, world, contact={"phone": TIPSTER_LANDLINE, "email": TIPSTER_EMAIL})[
        "tip_id"
    ]
    body = {"purpose": "回访举报人核实情况"}
    for header in (
        as_role(Role.agency_staff, "360102", world.agency_id),
        as_role(Role.auditor, "360102"),
    ):
        assert (
            intake.post(f"/tips/{tip_id}/contact/decrypt", json=body, headers=header).status_code
            == 403
        )
    elsewhere = as_role(Role.legal_office, "360103")
    path = f"/tips/{tip_id}/contact/decrypt"
    assert intake.post(path, json=body, headers=elsewhere).status_code == 404
    assert parts_of(intake).store.state("tip", tip_id).contact_reads == 0
    read = intake.post(
        f"/tips/{tip_id}/contact/decrypt", json=body, headers=as_role(Role.legal_office, "360100")
    )
    assert read.status_code == 200
    assert read.json() == {
        "tip_id": tip_id,
        "erased": False,
        "name": None,
        "phone": TIPSTER_LANDLINE,
        "email": TIPSTER_EMAIL,
    }
    assert parts_of(intake).store.state("tip", tip_id).contact_reads == 1
    missing_purpose = intake.post(
        f"/tips/{tip_id}/contact/decrypt",
        json={"purpose": ""},
        headers=as_role(Role.legal_office, "360100"),
    )
    assert missing_purpose.status_code == 422


def test_anonymous_tip_has_no_contact(intake: TestClient, world: World, as_role: Headers) -> None:
    tip_id = submit(intake, world)["tip_id"]
    response = intake.post(
        f"/tips/{tip_id}/contact/decrypt",
        json={"purpose": "回访"},
        headers=as_role(Role.intake_officer, "360102"),
    )
    assert response.status_code == 409


def test_timer_endpoint_is_for_admins(intake: TestClient, as_role: Headers) -> None:
    assert (
        intake.post("/admin/timers/run", headers=as_role(Role.intake_officer, "360000")).status_code
        == 403
    )
    ran = intake.post("/admin/timers/run", headers=as_role(Role.admin, "360000"))
    assert ran.status_code == 200 and ran.json()["escalated"] >= 0


def test_erasing_a_tipster_shreds_the_key(
    intake: TestClient, world: World, as_role: Headers
) -> None:
    tip_id = submit(intake, world, contact={"email": ERASED_EMAIL})["tip_id"]
    legal = as_role(Role.legal_office, "360102")
    officer = as_role(Role.intake_officer, "360102")
    body = {"reason": "举报人要求删除个人信息"}
    assert (
        intake.post(f"/tips/{tip_id}/contact/erase", json=body, headers=officer).status_code == 403
    )
    assert parts_of(intake).store.state("tip", tip_id).contact_erased is False
    erased = intake.post(f"/tips/{tip_id}/contact/erase", json=body, headers=legal)
    assert erased.status_code == 200 and erased.json()["erased"] is True
    state = parts_of(intake).store.state("tip", tip_id)
    assert state.contact_erased is True
    assert parts_of(intake).privacy.open_contact(tip_id, state.sealed_contact) is None
    again = intake.post(f"/tips/{tip_id}/contact/erase", json=body, headers=legal)
    assert again.status_code == 409
    read = intake.post(f"/tips/{tip_id}/contact/decrypt", json={"purpose": "回访"}, headers=legal)
    assert read.status_code == 409


def test_openapi_documents_every_endpoint_in_both_languages(intake: TestClient) -> None:
    spec = intake.get("/openapi.json").json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert {
        "/tips",
        "/tips/status",
        "/tips/{tip_id}/substantiate",
        "/self-inspection/reports",
    } <= set(spec["paths"])
    for operation in operations:
        summary = operation["summary"]
        assert " / " in summary and any("\u4e00" <= ch <= "\u9fff" for ch in summary), summary


def test_directory_reads_list_campaign_and_agencies(intake: TestClient, world: World) -> None:
    campaign = intake.get(f"/campaigns/{world.campaign_id}")
    assert campaign.status_code == 200 and len(campaign.json()["phases"]) == 5
    assert intake.get("/campaigns/none").status_code == 404
    nanchang = {a["agency_id"] for a in intake.get("/agencies?region_code=360100").json()}
    assert {world.agency_id, world.city_agency_id} <= nanchang
    xihu = {a["agency_id"] for a in intake.get("/agencies?region_code=360103").json()}
    assert world.agency_id not in xihu


ACTIONS = [
    ("accept", {}),
    ("reject", {"reason": "r"}),
    ("merge", {"into_tip_id": "tip-other"}),
    ("assign", {"assignee": "lo-360102"}),
    ("transfer", {"to_region_code": "360103", "reason": "r"}),
    (
        "substantiate",
        {
            "findings": "f",
            "problems": [{"category": "fair", "kind": "other", "severity": "low", "summary": "s"}],
        },
    ),
    ("unsubstantiate", {"reason": "r"}),
    ("contact/decrypt", {"purpose": "p"}),
    ("contact/erase", {"reason": "r"}),
]


@pytest.mark.parametrize(("action", "body"), ACTIONS)
def test_every_staff_action_checks_role_and_region(
    intake: TestClient, world: World, as_role: Headers, action: str, body: dict[str, Any]
) -> None:
    tip_id = submit(intake, world, contact={"email": TIPSTER_EMAIL})["tip_id"]
    for header in (
        as_role(Role.agency_staff, "360102", world.agency_id),
        as_role(Role.public, "360102"),
    ):
        response = intake.post(f"/tips/{tip_id}/{action}", json=body, headers=header)
        assert response.status_code == 403, (action, response.text)
        assert response.json()["detail"]["message_zh"] and response.json()["detail"]["message_en"]
    # An entitled role of another region learns no more than about an unknown id.
    role = Role.legal_office if action == "contact/erase" else Role.intake_officer
    outsider = as_role(role, "360103")
    hidden = intake.post(f"/tips/{tip_id}/{action}", json=body, headers=outsider)
    unknown = intake.post(f"/tips/tip-nothing/{action}", json=body, headers=outsider)
    assert hidden.status_code == 404, (action, hidden.text)
    assert hidden.json() == unknown.json()
    assert intake.post(f"/tips/{tip_id}/{action}", json=body).status_code == 401
    state = parts_of(intake).store.require("tip", tip_id)
    assert state.version == 1 and state.state.status == "received"


def test_problem_list_is_for_staff(intake: TestClient, as_role: Headers) -> None:
    assert intake.get("/problems", headers=as_role(Role.public, "360102")).status_code == 403
    assert intake.get("/problems", headers=as_role(Role.auditor, "360000")).status_code == 200
