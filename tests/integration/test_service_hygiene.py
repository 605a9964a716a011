"""The four services on the real broker: bilingual answers for unknown paths, wrong
methods and malformed bodies; 413 for oversized bodies (the 10 MB draw of issue 14);
NUL and CR in path ids and invisible text refused with a 422 that names the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.evaluation.api.draws import MAX_VERIFY_BODY_BYTES
from shared.actors import Role
from shared.auth import mint_token
from shared.body_limit import DEFAULT_BODY_LIMIT, MiB
from shared.clock import ControlledClock
from shared.settings import Settings
from tests.intake.helpers import World, publish_world

pytestmark = pytest.mark.kafka

Start = Callable[..., TestClient]
Header = Callable[..., dict[str, str]]
SERVICES = ("intake", "rectification", "evaluation", "reporting")


def bilingual(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["code"] == code
    assert detail["message"] == f"{detail['message_zh']} / {detail['message_en']}"
    return detail


@pytest.fixture(scope="module")
def world(broker_settings: Settings) -> World:
    return publish_world(broker_settings)


def _tip(world: World, description: str) -> dict[str, str]:
    """A tip from the website about the world's agency, saying ``description``."""
    return {
        "channel": "website",
        "region_code": "360102",
        "agency_id": world.agency_id,
        "description": description,
        "occurred_on": "2016-07-10",
        "campaign_id": world.campaign_id,
    }


@pytest.mark.parametrize("service", SERVICES)
def test_unknown_paths_wrong_methods_and_broken_json_are_answered_bilingually(
    service_client: Start, service: str
) -> None:
    client = service_client(service)
    bilingual(client.get("/no/such/path"), 404, "not_found")
    bilingual(client.put("/health"), 405, "method_not_allowed")
    broken = client.post(
        "/admin/clock", content=b'{"now": ', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code in {400, 401}  # the token is asked for first, else 400
    assert "detail" in broken.json() and "message_zh" in broken.json()["detail"]
    assert client.get("/health").status_code == 200


def test_the_oversized_draw_is_refused_before_it_is_read(service_client: Start) -> None:
    evaluation = service_client("evaluation")
    pool = {"agency_ids": ["ag-1"], "representatives": 1, "reserve_size": 0, "entities": []}
    padding = "x" * (10 * MiB)
    oversized = evaluation.post(
        "/draws/verify", json={"pool": pool, "randomness": "1", "padding": padding}
    )
    detail = bilingual(oversized, 413, "body_too_large")
    assert "4 MiB" in detail["message_en"] or str(MAX_VERIFY_BODY_BYTES) in detail["message_en"]
    within = evaluation.post(
        "/draws/verify", json={"pool": pool, "randomness": "1", "padding": "x" * 1000}
    )
    assert within.status_code == 422  # read and validated: ``padding`` is not a field


def test_a_tip_over_the_default_limit_is_refused_with_413(
    service_client: Start, world: World
) -> None:
    intake = service_client("intake")
    body = _tip(world, "罚" * (DEFAULT_BODY_LIMIT // 3 + 1))
    bilingual(intake.post("/tips", json=body), 413, "body_too_large")
    body["description"] = "城管执法人员罚款后不开具票据"
    assert intake.post("/tips", json=body).status_code == 201


@pytest.mark.parametrize(
    "description",
    [
        "\u200b",
        "\u200b\u200b\u200b\u200b",
        "罚款\x00不开票",
        "罚款\r\n不开票",
        "\u202e票开不",
        "\x1b[2J",
    ],
)
def test_a_tip_description_that_hides_or_rewrites_text_is_refused(
    service_client: Start, world: World, description: str
) -> None:
    intake = service_client("intake")
    body = _tip(world, description)
    detail = bilingual(intake.post("/tips", json=body), 422, "invalid")
    assert detail["field"] == "description"
    assert detail["message_zh"].startswith("字段 description：")


@pytest.mark.parametrize(
    ("service", "path", "role", "field"),
    [
        ("intake", "/tips/tip-1{bad}", Role.intake_officer, "tip_id"),
        ("rectification", "/items/rect-1{bad}", Role.legal_office, "item_id"),
        ("evaluation", "/meetings/meet-1{bad}", Role.legal_office, "meeting_id"),
        ("evaluation", "/meetings/meet-1{bad}/results", None, "meeting_id"),
        ("reporting", "/dashboard/agencies/ag-1{bad}", Role.auditor, "agency_id"),
        ("reporting", "/timelines/tip-1{bad}", Role.auditor, "subject"),
    ],
)
@pytest.mark.parametrize("bad", ["%00", "%0d%0a", "%E2%80%AE"])
def test_nul_cr_and_bidi_in_a_path_id_are_a_422_naming_it(
    service_client: Start,
    auth_header: Header,
    service: str,
    path: str,
    role: Role | None,
    field: str,
    bad: str,
) -> None:
    client = service_client(service)
    headers = auth_header(role, "lo-360000", "360000") if role else {}
    detail = bilingual(client.get(path.format(bad=bad), headers=headers), 422, "invalid")
    assert detail["field"] == field
    plain = client.get(path.format(bad=""), headers=headers)
    assert plain.status_code in {403, 404}  # checked as an id, then not found or not theirs


def test_a_service_on_the_controlled_clock_refuses_a_token_expired_in_real_time(
    service_client: Start, broker_settings: Settings
) -> None:
    """The campaign replays 2016; the token expired an hour ago, in real time."""
    clock = ControlledClock(datetime(2016, 6, 1, 9, 0, tzinfo=UTC))
    evaluation = service_client("evaluation", clock=clock, clock_mode="controlled")

    def admin_token(issued_at: datetime) -> dict[str, str]:
        token = mint_token(
            broker_settings,
            clock,
            subject="admin@360000",
            role=Role.admin,
            organisation="admin-360000",
            region_code="360000",
            ttl=timedelta(hours=1),
            issued_at=issued_at,
        )
        return {"Authorization": f"Bearer {token}"}

    now = datetime.now(UTC)
    expired = evaluation.get("/admin/clock", headers=admin_token(now - timedelta(hours=2)))
    detail = bilingual(expired, 401, "token_expired")
    assert detail["message_zh"] == "令牌已过期"
    fresh = evaluation.get("/admin/clock", headers=admin_token(now))
    assert fresh.status_code == 200
    assert fresh.json()["mode"] == "controlled" and fresh.json()["now"].startswith("2016-06-01")
