"""Typical cases and regulations through the API on the real broker: a case opened on
an item's problem, referred, acknowledged, exposed to the public and ending in
accountability, and a regulation recorded against the problem, with role, region and
input checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from shared.actors import Role
from shared.settings import Settings
from tests.rectification.broker import opened_item
from tests.rectification.factories import CITY

Headers = Callable[..., dict[str, str]]


def test_a_case_is_opened_referred_acknowledged_exposed_and_ends_in_accountability(
    client: TestClient, broker_settings: Settings, auth_header: Headers
) -> None:
    agency, item_id = opened_item(client, broker_settings)
    problem_id = item_id.removeprefix("rect-")
    office = auth_header(Role.legal_office, "office-360100", CITY)
    liaison = auth_header(Role.discipline_liaison, "discipline-360100", CITY)
    staff = auth_header(Role.agency_staff, agency, "360102")
    body = {
        "kind": "protective_umbrella",
        "origin": "unannounced_visit",
        "title": "某局领导为无证经营者充当保护伞",
        "summary": "明察暗访发现",
        "problem_ids": [problem_id],
    }
    assert client.post("/cases", json=body, headers=staff).status_code == 403
    opened = client.post("/cases", json=body, headers=liaison)
    assert opened.status_code == 201
    case = opened.json()
    assert case["agency_ids"] == [agency] and case["region_code"] == CITY
    case_id = case["case_id"]

    referred = client.post(
        f"/cases/{case_id}/referrals",
        json={
            "body": "discipline_inspection",
            "receiving_body": "南昌市纪委监委",
            "reason": "涉嫌违纪",
        },
        headers=liaison,
    ).json()
    referral = referred["referrals"][0]
    assert referral["acknowledge_by"] == "2016-09-20"  # default 15 days
    twice = client.post(
        f"/cases/{case_id}/referrals",
        json={"body": "discipline_inspection", "receiving_body": "x", "reason": "y"},
        headers=liaison,
    )
    assert twice.status_code == 409
    acked = client.post(
        f"/cases/{case_id}/referrals/{referral['referral_id']}/acknowledgement",
        json={"reference_no": "洪纪〔2016〕12号"},
        headers=liaison,
    ).json()
    assert acked["referrals"][0]["acknowledged_at"] is not None

    exposed = client.post(
        f"/cases/{case_id}/exposure",
        json={
            "headline": "典型案例通报",
            "summary": "举报人电话13907911234",
            "channel": "江西法制网",
        },
        headers=office,
    ).json()
    assert "13907911234" not in exposed["exposure"]["redacted_summary"]
    # The public reads the case as published, anonymously; nothing of the case file.
    public = client.get("/public/cases", params={"region_code": CITY}).json()
    ours = [c for c in public["cases"] if c["headline"] == "典型案例通报"]
    assert len(ours) == 1 and "13907911234" not in ours[0]["redacted_summary"]
    assert set(ours[0]) == {
        "region_code",
        "kind",
        "headline",
        "redacted_summary",
        "channel",
        "exposed_at",
    }
    assert "某局领导" not in client.get("/public/cases").text  # the title stays internal

    decided = client.post(
        f"/cases/{case_id}/accountability",
        json={
            "target": "unit",
            "target_ref": agency,
            "grounds": ["concealed_case", "resisted_inspection"],
            "measure": "criticism",
        },
        headers=liaison,
    )
    assert decided.status_code == 200 and decided.json()["decisions"][0]["target_ref"] == agency
    bad = client.post(
        f"/cases/{case_id}/accountability",
        json={"target": "unit", "target_ref": agency, "grounds": [], "measure": "criticism"},
        headers=liaison,
    )
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "grounds"

    other_city = auth_header(Role.legal_office, "office-360200", "360200")
    for path in (f"/cases/{case_id}", "/cases/case-nope"):
        assert client.get(path, headers=staff).status_code == 403  # by role, whatever the id
    hidden = client.get(f"/cases/{case_id}", headers=other_city)
    assert hidden.status_code == 404
    assert hidden.json() == client.get("/cases/case-nope", headers=other_city).json()
    expose = {"headline": "h", "summary": "s", "channel": "c"}
    acted = client.post(f"/cases/{case_id}/exposure", json=expose, headers=other_city)
    unknown = client.post("/cases/case-nope/exposure", json=expose, headers=other_city)
    assert acted.status_code == 404 and acted.json() == unknown.json()
    assert "exposed" not in acted.text
    borrowed = client.post("/cases", json=body, headers=other_city)
    missing = client.post("/cases", json={**body, "problem_ids": ["prb-nope"]}, headers=other_city)
    assert borrowed.status_code == 422 and missing.status_code == 422
    assert borrowed.json()["detail"]["message_en"] == missing.json()["detail"][
        "message_en"
    ].replace("prb-nope", problem_id)

    listed = client.get("/cases", params={"kind": "protective_umbrella"}, headers=office).json()
    assert case_id in {c["case_id"] for c in listed["cases"]}
    elsewhere = client.get("/cases", headers=auth_header(Role.legal_office, "o", "360200")).json()
    assert case_id not in {c["case_id"] for c in elsewhere["cases"]}

    regulation = client.post(
        "/regulations",
        json={
            "kind": "internal_system",
            "title": "罚没款收缴管理办法",
            "problem_ids": [problem_id],
            "adopted_on": date(2016, 11, 1).isoformat(),
        },
        headers=staff,
    )
    assert regulation.status_code == 201 and regulation.json()["agency_id"] == agency
    rule = {
        "kind": "internal_system",
        "title": "t",
        "problem_ids": [problem_id],
        "adopted_on": "2016-11-01",
    }
    stranger = auth_header(Role.agency_staff, "agency-other", "360102")
    foreign = client.post("/regulations", json=rule, headers=stranger)
    nothing = client.post(
        "/regulations", json={**rule, "problem_ids": ["prb-nope"]}, headers=stranger
    )
    assert foreign.status_code == 422 and nothing.status_code == 422
    assert foreign.json()["detail"]["message_en"] == nothing.json()["detail"]["message_en"].replace(
        "prb-nope", problem_id
    )
    found = client.get("/regulations", params={"problem_id": problem_id}, headers=office).json()
    assert [r["title"] for r in found["regulations"]] == ["罚没款收缴管理办法"]
