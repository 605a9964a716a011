"""GET /public/regions/{code} on the running reporting service and the real broker: a
closed meeting's look-back is not on the public page until its results are published,
and repeated requests read no subjects while nothing new has been projected."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from shared.actors import Role
from shared.envelope import CloudEvent
from shared.settings import Settings
from tests.reporting.conftest import wait_until_projected
from tests.reporting.sample_events import complete_history
from tests.reporting.test_public_figures import PUBLISHED, _in_true_order

pytestmark = pytest.mark.kafka

# A county no other test files stories in, so that its figures are this test's alone.
COUNTY, CITY = "361130", "361100"


def test_public_page_hides_unpublished_look_backs_and_is_served_from_cache(
    service_client: Callable[..., TestClient],
    publish: Callable[[list[CloudEvent]], None],
    auth_header: Callable[..., dict[str, str]],
    broker_settings: Settings,
    tmp_path: Any,
) -> None:
    key = f"pub{time.time_ns()}"
    log = _in_true_order(complete_history(key, agency=f"ag-{key}", region=COUNTY))
    closed = [e for e in log.envelopes if e.type != PUBLISHED]
    publication = [e for e in log.envelopes if e.type == PUBLISHED]
    publish(closed)
    client = service_client("reporting", readmodel_url=f"sqlite:///{tmp_path / 'live.db'}")
    auditor = auth_header(Role.auditor, "audit-office", "360000")
    wait_until_projected(client, broker_settings, auditor)

    reads = 0

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        nonlocal reads
        reads += "subjects" in statement

    event.listen(client.app.state.reporting.engine, "before_cursor_execute", count)  # type: ignore[attr-defined]

    before = client.get(f"/public/regions/{CITY}")
    assert before.status_code == 200
    county = {c["region"]["code"]: c["figures"] for c in before.json()["children"]}[COUNTY]
    assert county["problems.total"] >= 1
    assert "lookbacks.total" not in county and "evaluation.ballots" not in county
    dashboard = client.get(f"/dashboard/regions/{COUNTY}", headers=auditor).json()
    assert dashboard["figures"]["lookbacks.total"] == 1  # officers see it open

    scanned = reads
    assert scanned > 0
    again = client.get(f"/public/regions/{CITY}")
    assert again.json() == before.json() and reads == scanned

    publish(publication)
    wait_until_projected(client, broker_settings, auditor)
    after = client.get(f"/public/regions/{CITY}").json()
    county = {c["region"]["code"]: c["figures"] for c in after["children"]}[COUNTY]
    assert county["lookbacks.total"] == 1 and county["evaluation.ballots"] == 3
    assert reads > scanned
