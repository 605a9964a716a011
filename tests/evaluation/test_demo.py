"""The demo meeting runs end to end on the sample directory (real broker)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from services.evaluation import demo
from shared.actors import Role
from shared.settings import Settings

pytestmark = pytest.mark.kafka


def test_demo_meeting_is_published_with_a_lookback(
    service_client: Callable[..., TestClient],
    broker_settings: Settings,
    auth_header: Callable[..., dict[str, str]],
) -> None:
    from services.intake.demo import load as load_sample_directory

    load_sample_directory(broker_settings)
    client = service_client("evaluation")
    demo.load(broker_settings, client=client, wait_s=45)
    office = auth_header(Role.legal_office, "lo-360102", "360102")
    meeting = client.get(f"/meetings/{demo.MEETING_ID}", headers=office).json()
    assert meeting["status"] == "published"
    assert meeting["tally"]["lookbacks"], "the demo opens a look-back"
    assert meeting["tally"]["ballots_spoiled"] == 1
    demo.load(broker_settings, client=client)  # idempotent: a second load changes nothing
    assert client.get(f"/meetings/{demo.MEETING_ID}", headers=office).json() == meeting
