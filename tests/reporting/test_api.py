"""The reporting API on the real broker: dashboards with drill-down, role and region
checks, public aggregates, timelines, rankings, reports, audit replays."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import docx
import pypdf
import pytest
from fastapi.testclient import TestClient

from shared.actors import Role
from tests.reporting.sample_events import (
    EventLog,
)

pytestmark = pytest.mark.kafka

Header = Callable[..., dict[str, str]]


@pytest.fixture
def keys() -> dict[str, str]:
    stamp = time.time_ns()
    return {"a": f"ag-a{stamp}", "b": f"ag-b{stamp}", "key": str(stamp)}


@pytest.fixture
def client(two_agencies: tuple[TestClient, EventLog]) -> tuple[TestClient, EventLog]:
    return two_agencies


def _get(client: TestClient, url: str, header: dict[str, str] | None = None) -> Any:
    return client.get(url, headers=header or {})


def test_region_dashboard_rolls_up_and_drills_down(
    client: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    api, _ = client
    auditor = auth_header(Role.auditor, "audit-office", "360000")
    body = _get(api, "/dashboard/regions/360100", auditor).json()
    assert body["region"]["name"] == "南昌市"
    children = {c["region"]["code"]: c["figures"] for c in body["children"]}
    assert children["360102"]["problems.total"] >= 2
    assert body["figures"]["problems.total"] >= children["360102"]["problems.total"]
    assert keys["a"] in {a["agency_id"] for a in body["agencies"]}
    assert sum(body["offsets"].values()) > 0
    province = _get(api, "/dashboard/regions/360000", auditor).json()
    assert len(province["children"]) == 11


def test_role_and_region_checks(
    client: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    api, _ = client
    nanchang = auth_header(Role.legal_office, "office-360100", "360100")
    assert _get(api, "/dashboard/regions/360100", nanchang).status_code == 200
    assert _get(api, "/dashboard/regions/360102", nanchang).status_code == 200
    refused = _get(api, "/dashboard/regions/360700", nanchang)
    assert refused.status_code == 403
    assert refused.json()["detail"]["code"] == "region_not_allowed"
    assert _get(api, "/dashboard/regions/360000", nanchang).status_code == 403
    assert _get(api, f"/dashboard/agencies/{keys['a']}", nanchang).status_code == 200
    # Another region's agency and an unknown one: the same answer.
    hidden = _get(api, f"/dashboard/agencies/{keys['b']}", nanchang)
    unknown = _get(api, "/dashboard/agencies/ag-nonexistent", nanchang)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"]["code"] == unknown.json()["detail"]["code"]
    assert _get(api, "/rankings/agencies?region_code=360000", nanchang).status_code == 403

    staff = auth_header(Role.agency_staff, keys["a"], "360102")
    assert _get(api, f"/dashboard/agencies/{keys['a']}", staff).status_code == 200
    assert _get(api, f"/dashboard/agencies/{keys['b']}", staff).status_code == 404
    assert _get(api, "/dashboard/regions/360102", staff).status_code == 403

    public = auth_header(Role.public, "citizen", "360102")
    assert _get(api, "/dashboard/regions/360102", public).status_code == 403
    assert _get(api, "/dashboard/regions/360102").status_code == 401
    assert _get(api, "/audit/compare?left=live&right=live", nanchang).status_code == 403
    auditor = auth_header(Role.auditor, "audit-office", "360000")
    assert _get(api, "/dashboard/regions/999999", auditor).status_code == 404


def test_public_sees_published_aggregates_only(
    client: tuple[TestClient, EventLog], keys: dict[str, str]
) -> None:
    api, _ = client
    answer = _get(api, "/public/regions/360100")
    assert answer.status_code == 200
    figures = answer.json()["figures"]
    assert figures["problems.total"] >= 2 and figures["evaluation.ballots"] >= 3
    assert figures["items.open"] >= 1  # rectification progress is public, overdue included
    assert not any(k.startswith(("tips.channel", "tips.status", "referrals")) for k in figures)
    text = answer.text
    for private in ("description", "sealed", "执法人员随意罚款", keys["a"], "ent-"):
        assert private not in text


def test_timeline_events_behind_a_figure_and_rankings(
    client: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    api, log = client
    item = f"rect-prb-a{keys['key']}"
    nanchang = auth_header(Role.legal_office, "office-360100", "360100")
    timeline = _get(api, f"/timelines/{item}", nanchang).json()
    assert [e["event_id"] for e in timeline["events"]] == [
        e.id for e in log.envelopes if e.subject == item
    ]
    ganzhou = auth_header(Role.legal_office, "office-360700", "360700")
    assert _get(api, f"/timelines/{item}", ganzhou).status_code == 404
    assert _get(api, "/timelines/rect-nonexistent", ganzhou).status_code == 404

    behind = _get(
        api, f"/figures/events?metric=items.overdue&agency_id={keys['a']}", nanchang
    ).json()
    assert behind["subjects"] == [f"rect-prb-a{keys['key']}-si"]
    assert any(e["type"] == "rectification.RectificationOverdue" for e in behind["events"])
    assert all("data" not in e for e in behind["events"])
    bad = _get(api, f"/figures/events?metric=nonsense.x&agency_id={keys['a']}", nanchang)
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "metric"

    auditor = auth_header(Role.auditor, "audit-office", "360000")
    ranking = _get(api, "/rankings/agencies?metric=satisfaction&min_volume=3", auditor).json()
    ranked = {e["id"] for e in ranking["ranked"]}
    assert {keys["a"], keys["b"]} <= ranked
    strict = _get(api, "/rankings/agencies?metric=satisfaction&min_volume=1000", auditor).json()
    assert strict["ranked"] == [] or all(e["volume"] >= 1000 for e in strict["ranked"])
    assert keys["a"] in {e["id"] for e in strict["below_minimum_volume"]}
    regions = _get(api, "/rankings/regions?level=county&min_volume=3", auditor).json()
    assert {"360102", "360702"} <= {e["id"] for e in regions["ranked"]}


def test_summary_reports_over_http(
    client: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    api, _ = client
    nanchang = auth_header(Role.legal_office, "office-360100", "360100")
    pdf = _get(api, "/reports/summary?region_code=360100&format=pdf", nanchang)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "南昌市行政执法不公专项治理工作总结报告" in text
    word = _get(api, f"/reports/summary?agency_id={keys['a']}&format=docx", nanchang)
    assert word.status_code == 200
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert any("总结报告" in p for p in paragraphs)
    assert _get(api, "/reports/summary?region_code=360700", nanchang).status_code == 403
    both = _get(api, f"/reports/summary?region_code=360100&agency_id={keys['a']}", nanchang)
    assert both.status_code == 422


def test_audit_replay_and_compare(
    client: tuple[TestClient, EventLog], auth_header: Header, keys: dict[str, str]
) -> None:
    api, log = client
    auditor = auth_header(Role.auditor, "audit-office", "360000")
    full = api.post("/audit/replays", json={}, headers=auditor)
    assert full.status_code == 201, full.text
    same = _get(api, f"/audit/compare?left=live&right={full.json()['replay_id']}", auditor).json()
    assert same["identical"], same["differences"][:5]
    assert same["left_offsets"] == same["right_offsets"]

    # As of a moment halfway through agency b's story: fewer figures for b.
    b_events = [e for e in log.envelopes if e.subject.endswith(f"b{keys['key']}")]
    moment = b_events[0].time
    past = api.post("/audit/replays", json={"as_of": moment.isoformat()}, headers=auditor)
    assert past.status_code == 201 and past.json()["skipped"] > 0
    diff = _get(api, f"/audit/compare?left=live&right={past.json()['replay_id']}", auditor)
    changed = {d["figure"] for d in diff.json()["differences"]}
    assert f"agency/{keys['b']}/lookbacks.completed" in changed
    assert not diff.json()["identical"]
    # "What did the dashboard show then?": any dashboard, read from the replay.
    past_id = past.json()["replay_id"]
    then = _get(api, f"/dashboard/agencies/{keys['b']}?build={past_id}", auditor)
    now = _get(api, f"/dashboard/agencies/{keys['b']}", auditor)
    assert "lookbacks.completed" not in then.json()["figures"]
    assert now.json()["figures"]["lookbacks.completed"] == 1
    nanchang = auth_header(Role.legal_office, "office-360100", "360100")
    refused = _get(api, f"/dashboard/regions/360100?build={past_id}", nanchang)
    assert refused.status_code == 403
    missing = _get(api, "/dashboard/regions/360100?build=replay-000000000000", auditor)
    assert missing.status_code == 404
    assert api.post("/audit/replays", json={}, headers=nanchang).status_code == 403
    state = _get(api, "/projector", auditor).json()
    assert state["running"] and state["applied"] >= len(log.envelopes)
