"""The same projection gives the same figures on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from services.reporting.readmodels import drilldown, queries
from services.reporting.readmodels.figures import all_figures
from services.reporting.readmodels.projector import apply_batch
from services.reporting.readmodels.status import stored_offsets
from services.reporting.replay.audit import compare_engines
from shared.actors import Role
from shared.envelope import CloudEvent
from shared.settings import Settings
from tests.reporting.conftest import wait_until_projected
from tests.reporting.sample_events import EventLog, complete_history, full_story
from tests.reporting.test_projection import EXPECTED_AGENCY_FIGURES

pytestmark = pytest.mark.postgres


def _history() -> EventLog:
    log = complete_history("pg", agency="ag-pg")
    full_story(log, "pg2", "ag-pg", "360702")
    return log


def test_same_figures_on_sqlite_and_postgresql(engine: Engine, postgres_engine: Engine) -> None:
    records = _history().records()
    for target in (engine, postgres_engine):
        # in uneven batches, and one batch replayed to prove idempotence
        apply_batch(target, records[:17])
        apply_batch(target, records[17:])
        apply_batch(target, records[:5])
    sqlite_figures = all_figures(engine)
    assert sqlite_figures["agency/ag-pg/problems.total"] == 4
    assert all_figures(postgres_engine) == sqlite_figures
    assert compare_engines(engine, postgres_engine).identical
    assert stored_offsets(engine) == stored_offsets(postgres_engine)
    with engine.connect() as a, postgres_engine.connect() as b:
        assert drilldown.timeline(a, "meet-pg") == drilldown.timeline(b, "meet-pg")
        ranking_a = queries.agency_ranking(a, "360000", "satisfaction", 1)
        ranking_b = queries.agency_ranking(b, "360000", "satisfaction", 1)
    assert ranking_a == ranking_b


@pytest.mark.kafka
def test_the_service_keeps_its_live_read_models_in_postgresql(
    service_client: Callable[..., TestClient],
    publish: Callable[[list[CloudEvent]], None],
    auth_header: Callable[..., dict[str, str]],
    postgres_url: str,
    broker_settings: Settings,
) -> None:
    key = f"pgsvc{time.time_ns()}"
    publish(complete_history(key, agency=f"ag-{key}").envelopes)
    client = service_client("reporting", readmodel_url=postgres_url)
    auditor = auth_header(Role.auditor, "audit-office", "360000")
    wait_until_projected(client, broker_settings, auditor)
    figures = client.get(f"/dashboard/agencies/ag-{key}", headers=auditor).json()["figures"]
    assert {k: figures.get(k) for k in EXPECTED_AGENCY_FIGURES} == EXPECTED_AGENCY_FIGURES
