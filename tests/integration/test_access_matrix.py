"""The access matrix: every role × every read route of every service × a place of the
reader's own agency, another agency of its region, and another region — on the four
services built by their bootstrap over the real broker, seeded so that every cell has
something to leak. Each expected answer comes from ``shared.access_policy``; the test
fails on any cell wrongly granted, any item listed that the reader may not see, any
event row or sealed field beyond the reader's grant, and any cell wrongly refused."""

from __future__ import annotations

import importlib
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from shared.access_policy import (
    EVENT_FIELDS,
    EVENT_RESOURCE,
    FIELD_RESOURCE,
    Target,
    may_read,
    withheld_figures,
)
from shared.actors import Actor, Role
from shared.auth import bearer_header
from shared.kafka.producer import EventPublisher
from shared.settings import Settings
from tests.integration.matrix_rows import (
    NOT_ROLE_SCOPED,
    OTHER_REGION,
    OWN,
    ROWS,
    SIBLING,
    Place,
    Row,
)
from tests.reporting.conftest import wait_until_projected
from tests.reporting.sample_events import (
    EventLog,
    complete_history,
    full_story,
    register_agency,
    topic_of,
)

pytestmark = pytest.mark.kafka

SERVICES = ("intake", "rectification", "evaluation", "reporting")
REFUSED = (401, 403, 404)
READER_REGION = "360102"  # 南昌市东湖区: every role has a reader here
PROVINCE = "360000"


@dataclass
class Stack:
    clients: dict[str, TestClient]
    places: list[Place]
    readers: dict[str, tuple[Actor | None, dict[str, str]]]
    agency_regions: dict[str, str]
    answers: dict[tuple[str, str, str], Response] = field(default_factory=dict)

    def get(self, service: str, reader: str, url: str) -> Response:
        key = (service, reader, url)
        if key not in self.answers:
            self.answers[key] = self.clients[service].get(url, headers=self.readers[reader][1])
        return self.answers[key]


def _seed(settings: Settings, places: list[Place]) -> EventLog:
    own = places[0]
    log = complete_history(own.key, agency=own.agency_id, region=own.region_code)
    for place in places[1:]:
        register_agency(log, place.agency_id, place.region_code)
        full_story(log, place.key, place.agency_id, place.region_code)
    publisher = EventPublisher(settings)
    try:
        by_topic = defaultdict(list)
        for envelope in log.envelopes:
            by_topic[topic_of(envelope)].append(envelope)
        for topic, batch in by_topic.items():
            publisher.publish(topic, batch)
    finally:
        publisher.close()
    return log


def _header(settings: Settings, actor: Actor) -> dict[str, str]:
    return bearer_header(
        settings, actor.role, actor.organisation, actor.region_code, subject=actor.subject
    )


@pytest.fixture(scope="module")
def stack(broker_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stamp = time.time_ns()
    places = [
        Place(OWN, f"mo{stamp}", f"ag-mo{stamp}", READER_REGION),
        Place(SIBLING, f"ms{stamp}", f"ag-ms{stamp}", READER_REGION),
        Place(OTHER_REGION, f"mx{stamp}", f"ag-mx{stamp}", "360202"),
    ]
    _seed(broker_settings, places)
    settings = broker_settings.model_copy(
        update={
            "data_dir": tmp_path_factory.mktemp("matrix"),
            "readmodel_url": f"sqlite:///{tmp_path_factory.mktemp('matrix-rm') / 'live.db'}",
        }
    )
    clients: dict[str, TestClient] = {}
    try:
        for service in SERVICES:
            bootstrap = importlib.import_module(f"services.{service}.bootstrap")
            client = TestClient(bootstrap.build_app(settings, None))
            client.__enter__()
            clients[service] = client
        readers: dict[str, tuple[Actor | None, dict[str, str]]] = {"anonymous": (None, {})}
        for role in Role:
            actor = Actor(
                subject=f"{role.value}@matrix",
                role=role,
                organisation=places[0].agency_id,
                region_code=READER_REGION,
            )
            readers[role.value] = (actor, _header(settings, actor))
        # The province's auditor and administrator: the same rule reaches every region.
        for role in (Role.auditor, Role.admin):
            actor = Actor(
                subject=f"{role.value}@province",
                role=role,
                organisation=f"{role.value}-360000",
                region_code=PROVINCE,
            )
            readers[f"{role.value}@{PROVINCE}"] = (actor, _header(settings, actor))
        province_auditor = readers[f"auditor@{PROVINCE}"][0]
        assert province_auditor is not None
        wait_until_projected(clients["reporting"], settings, _header(settings, province_auditor))
        agencies = clients["intake"].get("/agencies").json()
        yield Stack(
            clients=clients,
            places=places,
            readers=readers,
            agency_regions={a["agency_id"]: a["region_code"] for a in agencies},
        )
    finally:
        for client in reversed(list(clients.values())):
            client.__exit__(None, None, None)


def _read_routes(client: TestClient) -> set[str]:
    paths: dict[str, dict[str, Any]] = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return {path for path, operations in paths.items() if "get" in operations}


def test_every_read_route_has_a_row(stack: Stack) -> None:
    for service, client in stack.clients.items():
        routes = _read_routes(client)
        declared = {path for s, path in (*ROWS, *NOT_ROLE_SCOPED) if s == service}
        assert routes - declared == set(), f"{service}: read routes without a matrix row"
        assert declared - routes == set(), f"{service}: rows for routes that do not exist"


def _granted(actor: Actor | None, row: Row, target: Target) -> bool:
    return all(may_read(actor, resource, target) for resource in row.resources) and (
        not row.any_of or any(may_read(actor, resource, target) for resource in row.any_of)
    )


def _event_faults(actor: Actor | None, event: dict[str, Any], cell: str) -> list[str]:
    role = Role.public if actor is None else actor.role
    faults = []
    resource = EVENT_RESOURCE.get(event.get("type", ""))
    target = Target(event.get("region_code", ""), event.get("agency_id", ""))
    if resource is None or not may_read(actor, resource, target):
        faults.append(f"event leaked: {cell}: {event.get('type')} at {target}")
    extra = set(event) - EVENT_FIELDS[role]
    if extra:
        faults.append(f"event fields beyond the grant: {cell}: {sorted(extra)}")
    return faults


def _item_faults(stack: Stack, actor: Actor | None, row: Row, body: Any, cell: str) -> list[str]:
    assert row.items is not None
    faults: list[str] = []
    for item in row.items(body):
        if row.events:
            faults += _event_faults(actor, item, cell)
            continue
        targets = row.item_target(item, stack.agency_regions)
        if not any(_granted(actor, row, t) for t in targets):
            faults.append(f"item leaked: {cell}: {item.get(row.item_id, item)!s:.80} at {targets}")
    return faults


def _field_faults(
    stack: Stack, actor: Actor | None, row: Row, body: Any, target: Target, cell: str
) -> list[str]:
    """Fields the policy gives to a narrower resource (``FIELD_RESOURCE``) must be empty
    for a reader who may not read that one."""
    things = row.items(body) if row.items is not None else [body]
    faults = []
    for (owner, name), narrower in FIELD_RESOURCE.items():
        if owner not in row.resources:
            continue
        for thing in things:
            if not isinstance(thing, dict):
                continue
            at = row.item_target(thing, stack.agency_regions) if row.items else [target]
            if thing.get(name) and not any(may_read(actor, narrower, t) for t in at):
                faults.append(f"field {name} shown without {narrower.value}: {cell}")
    return faults


def _cell_faults(stack: Stack, service: str, row: Row, reader: str, place: Place) -> list[str]:
    actor = stack.readers[reader][0]
    url = row.url(place)
    cell = f"{reader} GET {service}{url} [{place.name}]"
    answer = stack.get(service, reader, url)
    target = row.target(place)
    granted = _granted(actor, row, target)
    body = (
        answer.json()
        if answer.status_code == 200 and "json" in answer.headers.get("content-type", "")
        else None
    )
    faults: list[str] = []
    if granted and answer.status_code not in row.answered:
        faults.append(f"wrongly refused: {cell}: {answer.status_code} {answer.text[:160]}")
    if not granted:
        if answer.status_code not in REFUSED and not _left_out(row, body, place):
            faults.append(f"wrongly granted: {cell}: {answer.status_code}")
        if answer.status_code in REFUSED and row.unknown_url:
            unknown = stack.get(service, reader, row.unknown_url)
            if (unknown.status_code, _code(unknown)) != (answer.status_code, _code(answer)):
                faults.append(
                    f"a hidden id is told from an unknown one: {cell}: "
                    f"{answer.status_code}/{_code(answer)} against "
                    f"{unknown.status_code}/{_code(unknown)}"
                )
    if body is not None and row.items is not None:
        faults += _item_faults(stack, actor, row, body, cell)
        if granted and row.own_item is not None:
            listed = {str(item.get(row.item_id)) for item in row.items(body)}
            if row.own_item(place) not in listed:
                faults.append(f"wrongly refused: {cell}: {row.own_item(place)} not listed")
    if isinstance(body, dict | list):
        faults += _field_faults(stack, actor, row, body, target, cell)
    if isinstance(body, dict) and isinstance(body.get("figures"), dict):
        withheld = tuple(p for r in row.resources for p in withheld_figures(actor, r))
        shown = [k for k in body["figures"] if withheld and k.startswith(withheld)]
        if shown:
            faults.append(f"withheld figures shown: {cell}: {shown[:3]}")
    return faults


def _left_out(row: Row, body: Any, place: Place) -> bool:
    """A filtering list answered 200 without the refused place's own item."""
    if not row.filters or body is None or row.items is None:
        return False
    listed = {str(item.get(row.item_id)) for item in row.items(body)}
    return row.own_item(place) not in listed if row.own_item is not None else not listed


def _code(answer: Response) -> str:
    try:
        detail = answer.json().get("detail")
    except ValueError:
        return ""
    return str(detail.get("code", "")) if isinstance(detail, dict) else ""


# Rendering summary reports takes most of the matrix's time.
SLOW_ROUTES = {("reporting", "/reports/summary")}


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(route, marks=[pytest.mark.slow] if route in SLOW_ROUTES else [])
        for route in sorted(ROWS)
    ],
    ids=lambda r: f"{r[0]}{r[1]}",
)
def test_matrix(stack: Stack, route: tuple[str, str]) -> None:
    service, _ = route
    faults = [
        fault
        for row in ROWS[route]
        for reader in stack.readers
        for place in stack.places
        if not row.places or place.name in row.places
        for fault in _cell_faults(stack, service, row, reader, place)
    ]
    assert faults == [], "\n".join(faults)


def test_the_matrix_can_tell_a_grant_from_a_refusal(stack: Stack) -> None:
    """The seeded places differ in what the policy grants: each county reader scoped to
    its region reads the own-region tip and is refused the other region's, while the
    province's auditor reads both, and alone reaches the province-wide audit paths."""
    own, _, other = stack.places
    row = ROWS[("intake", "/tips/{tip_id}")][0]
    for reader in ("intake_officer", "legal_office", "discipline_liaison", "auditor", "admin"):
        assert stack.get("intake", reader, row.url(own)).status_code == 200
        assert stack.get("intake", reader, row.url(other)).status_code in REFUSED
    province = f"auditor@{PROVINCE}"
    assert stack.get("intake", province, row.url(other)).status_code == 200
    assert stack.get("reporting", province, "/projector").status_code == 200
    assert stack.get("reporting", "auditor", "/projector").status_code == 403


def test_ballot_token_routes_answer_every_reader_alike(stack: Stack) -> None:
    evaluation = stack.clients["evaluation"]
    for url in ("/ballots/lookup", "/ballots/qr.svg"):
        answers = {}
        for reader, (_, headers) in stack.readers.items():
            answer = evaluation.post(url, json={"token": "not-a-token-000000"}, headers=headers)
            answers[reader] = (answer.status_code, _code(answer))
        assert len(set(answers.values())) == 1, (url, answers)
        assert next(iter(answers.values()))[0] in (403, 404, 422)
