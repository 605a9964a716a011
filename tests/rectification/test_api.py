"""The service on the real broker: a ProblemFound opens an item that is worked on,
completed and verified through the API, with role, region and input checks."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from services.rectification.application.app import ITEM
from services.rectification.domain.items.state import item_id_for
from shared.actors import Role
from shared.events.rectification import RectificationOpened
from shared.kafka.producer import EventPublisher
from shared.settings import Settings
from shared.topics import INTAKE, dlq
from shared.vocabulary import Severity
from tests.rectification.broker import (
    application_of,
    consumed_past,
    events_about,
    opened_item,
    problem_envelope,
    publish,
    publish_agency,
    records_with_key,
    wait_for,
    wait_for_item,
)
from tests.rectification.factories import CITY, agency_record, fresh, problem

Headers = Callable[..., dict[str, str]]


def test_a_problem_found_opens_an_item_that_is_completed_and_verified(
    client: TestClient, broker_settings: Settings, auth_header: Headers
) -> None:
    agency, item_id = opened_item(client, broker_settings, severity=Severity.medium)
    staff = auth_header(Role.agency_staff, agency, "360102")
    office = auth_header(Role.legal_office, "office-360100", CITY)

    item = client.get(f"/items/{item_id}", headers=staff).json()
    assert item["responsible_unit"] == agency and item["status"] == "open"
    assert "待指定" in item["responsible_person"]
    assert item["due_on"] == "2016-10-16"  # medium: 45 days from the start of rectification

    named = client.post(
        f"/items/{item_id}/responsible-person",
        json={"responsible_person": "副局长（工号 A-17）"},
        headers=staff,
    )
    assert named.status_code == 200 and named.json()["responsible_person"] == "副局长（工号 A-17）"
    progress = client.post(
        f"/items/{item_id}/progress",
        json={
            "note": "已退还三户罚款",
            "percent": 60,
            "evidence": [{"title": "退款凭证", "media_type": "application/pdf"}],
        },
        headers=staff,
    )
    assert progress.json()["status"] == "in_progress" and progress.json()["percent"] == 60
    done = client.post(
        f"/items/{item_id}/completion", json={"measures": "全部退还并约谈执法人员"}, headers=staff
    )
    assert done.json()["status"] == "completed"
    verified = client.post(
        f"/items/{item_id}/verification", json={"note": "核查属实"}, headers=office
    )
    assert verified.status_code == 200 and verified.json()["status"] == "verified"

    again = client.post(f"/items/{item_id}/verification", headers=office)
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert "已销号" in detail["message_zh"] and "verified" in detail["message_en"]

    listed = client.get(f"/agencies/{agency}/items", params={"status": "verified"}, headers=office)
    assert [i["item_id"] for i in listed.json()["items"]] == [item_id]
    history = events_about(broker_settings, item_id)
    assert isinstance(history[0], RectificationOpened)
    assert history[0].campaign_rules_known is False  # campaign unknown: 2016 defaults
    kinds = [type(e).__name__ for e in history]
    assert kinds == [
        "RectificationOpened",
        "ResponsiblePersonNamed",
        "RectificationProgressReported",
        "RectificationCompleted",
        "RectificationVerified",
    ]


def test_the_same_problem_delivered_twice_opens_one_item(
    client: TestClient, broker_settings: Settings
) -> None:
    found = problem()
    envelope = problem_envelope(broker_settings, found)
    resent = problem_envelope(broker_settings, found)  # intake emitting it again, new event id
    metadata = publish(broker_settings, INTAKE, envelope, envelope, resent)
    last = metadata[-1]
    wait_for(
        lambda: consumed_past(broker_settings, last.partition, last.offset),
        what="the service to consume the duplicates",
    )
    item_id = item_id_for(found.problem_id)
    aggregate = application_of(client).store.get(ITEM, item_id)
    assert aggregate is not None and aggregate.version == 1
    opened = [
        e for e in events_about(broker_settings, item_id) if isinstance(e, RectificationOpened)
    ]
    assert len(opened) == 1


def test_an_unreadable_intake_record_is_dead_lettered_and_the_next_problem_still_opens(
    client: TestClient, broker_settings: Settings
) -> None:
    publisher = EventPublisher(broker_settings)
    key = fresh("garbage-").encode()
    try:
        publisher.send_raw(INTAKE, key, b"{not json", [])
    finally:
        publisher.close()
    found = problem()
    publish(broker_settings, INTAKE, problem_envelope(broker_settings, found))
    wait_for_item(client, found.problem_id)
    dead = wait_for(
        lambda: records_with_key(broker_settings, dlq(INTAKE), key),
        what="the dead letter",
    )
    reasons = [dict(record.headers)["dlq-reason"].decode() for record in dead]
    assert any("not JSON" in reason for reason in reasons)


def test_agency_staff_act_only_for_their_own_agency_and_offices_for_their_region(
    client: TestClient, broker_settings: Settings, auth_header: Headers
) -> None:
    agency, item_id = opened_item(client, broker_settings)
    stranger = auth_header(Role.agency_staff, "agency-other", "360102")
    other_city = auth_header(Role.legal_office, "office-360200", "360200")
    own = auth_header(Role.agency_staff, agency, "360102")

    progress = {"note": "n", "percent": 5}
    refused = client.post(f"/items/{item_id}/progress", json=progress, headers=stranger)
    unknown = client.post("/items/rect-nope/progress", json=progress, headers=stranger)
    assert refused.status_code == 404 and refused.json() == unknown.json()
    for header in (stranger, other_city):
        hidden = client.get(f"/items/{item_id}", headers=header)
        assert hidden.status_code == 404
        assert hidden.json() == client.get("/items/rect-nope", headers=header).json()
    assert client.get("/regions/360100/items", headers=other_city).status_code == 403
    assert client.get("/items", headers=auth_header(Role.public, "-", "360000")).status_code == 403
    # The role first: an unknown region does not get a different answer than a known one.
    public = auth_header(Role.public, "-", "360000")
    for path in ("/items", "/cases", "/regulations"):
        for region in ("999999", "360100"):
            assert (
                client.get(path, params={"region_code": region}, headers=public).status_code == 403
            )
    assert client.get("/regions/999999/items", headers=public).status_code == 403
    assert client.get("/items").status_code == 401

    client.post(f"/items/{item_id}/completion", json={"measures": "m"}, headers=own)
    foreign = client.post(f"/items/{item_id}/verification", json={}, headers=other_city)
    unknown = client.post("/items/rect-nope/verification", json={}, headers=other_city)
    assert foreign.status_code == 404 and foreign.json() == unknown.json()
    assert "completed" not in foreign.text
    # A role that may never act on items is refused by role, whatever the id.
    intake = auth_header(Role.intake_officer, "in-360100", CITY)
    for path in (f"/items/{item_id}", "/items/rect-nope"):
        assert client.get(path, headers=intake).status_code == 403
    province = auth_header(Role.legal_office, "office-360000", "360000")
    assert (
        client.post(
            f"/items/{item_id}/return", json={"reasons": "证据不足"}, headers=province
        ).json()["status"]
        == "returned"
    )


def test_an_illegal_transition_is_409_and_changes_nothing(
    client: TestClient, broker_settings: Settings, auth_header: Headers
) -> None:
    _, item_id = opened_item(client, broker_settings)
    office = auth_header(Role.legal_office, "office-360100", CITY)
    before = application_of(client).store.require(ITEM, item_id).version
    response = client.post(f"/items/{item_id}/return", json={"reasons": "r"}, headers=office)
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail["code"] == "illegal_transition"
    assert "待整改" in detail["message_zh"] and "open" in detail["message_en"]
    assert application_of(client).store.require(ITEM, item_id).version == before
    assert (
        client.post("/items/rect-nope/return", json={"reasons": "r"}, headers=office).status_code
        == 404
    )


def test_bad_input_is_422_naming_the_field(
    client: TestClient, broker_settings: Settings, auth_header: Headers
) -> None:
    agency, item_id = opened_item(client, broker_settings)
    staff = auth_header(Role.agency_staff, agency, "360102")
    office = auth_header(Role.legal_office, "office-360100", CITY)
    cases = [
        (f"/items/{item_id}/progress", {"note": "n", "percent": 150}, "percent"),
        (f"/items/{item_id}/progress", {"percent": 10}, "note"),
        (f"/items/{item_id}/extension-request", {"due_on": "soon", "reason": "r"}, "due_on"),
        (f"/items/{item_id}/extension-request", {"due_on": "2016-09-02", "reason": "r"}, "due_on"),
    ]
    for path, body, field in cases:
        response = client.post(path, json=body, headers=staff)
        assert response.status_code == 422, (path, body, response.text)
        assert response.json()["detail"]["field"] == field
        assert field in response.json()["detail"]["message_en"]
    bad_region = client.get("/items", params={"region_code": "abc"}, headers=office)
    assert bad_region.status_code == 422 and bad_region.json()["detail"]["field"] == "region_code"
    unknown_region = client.get("/regions/369999/items", headers=office)
    assert unknown_region.status_code == 422
    bad_case = client.post(
        "/cases",
        json={
            "kind": "misconduct",
            "origin": "tip",
            "title": "t",
            "summary": "s",
            "problem_ids": ["nope"],
        },
        headers=office,
    )
    assert bad_case.status_code == 422 and bad_case.json()["detail"]["field"] == "problem_ids.0"


def test_lists_per_agency_and_region_filter_and_page(
    client: TestClient, broker_settings: Settings, auth_header: Headers
) -> None:
    agency = fresh("agency-")
    for severity in (Severity.low, Severity.medium, Severity.high):
        opened_item(client, broker_settings, agency_id=agency, severity=severity)
    staff = auth_header(Role.agency_staff, agency, "360102")
    office = auth_header(Role.legal_office, "office-360100", CITY)

    page = client.get(f"/agencies/{agency}/items", params={"limit": 2}, headers=office).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert [i["due_on"] for i in page["items"]] == ["2016-10-01", "2016-10-16"]
    rest = client.get(f"/agencies/{agency}/items", params={"offset": 2}, headers=office).json()
    assert [i["due_on"] for i in rest["items"]] == ["2016-10-31"]
    early = client.get(
        "/items", params={"agency_id": agency, "due_before": "2016-10-20"}, headers=office
    ).json()
    assert early["total"] == 2
    late = client.get(
        "/items", params={"agency_id": agency, "due_after": "2016-10-20"}, headers=office
    ).json()
    assert late["total"] == 1
    own = client.get("/items", headers=staff).json()
    assert own["total"] == 3 and {i["agency_id"] for i in own["items"]} == {agency}
    assert client.get("/items", params={"agency_id": "agency-x"}, headers=staff).status_code == 403
    region = client.get("/regions/360102/items", params={"limit": 200}, headers=office).json()
    assert agency in {i["agency_id"] for i in region["items"]}
    elsewhere = client.get(
        "/regions/360200/items", headers=auth_header(Role.legal_office, "o", "360000")
    ).json()
    assert agency not in {i["agency_id"] for i in elsewhere["items"]}
    open_only = client.get(
        f"/agencies/{agency}/items", params={"status": ["open"], "overdue": "false"}, headers=office
    ).json()
    assert open_only["total"] == 3


def test_an_extension_needs_the_legal_offices_approval(
    client: TestClient, broker_settings: Settings, auth_header: Headers
) -> None:
    agency, item_id = opened_item(client, broker_settings)
    staff = auth_header(Role.agency_staff, agency, "360102")
    office = auth_header(Role.legal_office, "office-360100", CITY)
    asked = client.post(
        f"/items/{item_id}/extension-request",
        json={"due_on": "2017-02-28", "reason": "涉及土地权属争议，需上级裁决"},
        headers=staff,
    )
    assert asked.json()["pending_extension_due_on"] == "2017-02-28"
    assert (
        client.post(
            f"/items/{item_id}/extension-request/approval", json={}, headers=staff
        ).status_code
        == 403
    )
    approved = client.post(f"/items/{item_id}/extension-request/approval", json={}, headers=office)
    assert approved.json()["due_on"] == "2017-02-28" and approved.json()["extensions"] == 1
    assert approved.json()["rectification_ends_on"] == "2017-01-31"
    declined = client.post(
        f"/items/{item_id}/extension-request/decline", json={"reasons": "r"}, headers=office
    )
    assert declined.status_code == 409


def test_the_agency_is_named_from_the_directory(
    client: TestClient, broker_settings: Settings, auth_header: Headers
) -> None:
    agency = fresh("agency-")
    publish_agency(broker_settings, agency_record(agency, "南昌市东湖区城市管理局"))
    _, item_id = opened_item(client, broker_settings, agency_id=agency)
    staff = auth_header(Role.agency_staff, agency, "360102")
    named = wait_for(
        lambda: client.get(f"/items/{item_id}", headers=staff).json()["agency_name"],
        what="the agency's name",
    )
    assert named == "南昌市东湖区城市管理局"
