"""Read models built by another schema version are built again from the log."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, text

from services.reporting.readmodels import schema
from services.reporting.readmodels.consumer import stored_offsets
from services.reporting.readmodels.projector import apply_batch
from services.reporting.readmodels.queries import timeline
from services.reporting.readmodels.schema import (
    SCHEMA_VERSION,
    create_tables,
    stored_schema_version,
)
from services.reporting.sample_events import complete_history


def test_a_database_of_the_current_version_is_kept(engine: Engine) -> None:
    log = complete_history("schema")
    apply_batch(engine, log.records())
    before = stored_offsets(engine)
    create_tables(engine)  # the service starting again
    assert stored_schema_version(engine) == SCHEMA_VERSION
    assert stored_offsets(engine) == before != {}
    with engine.connect() as conn:
        events = timeline(conn, log.envelopes[-1].subject)
    assert events and events[-1]["data"] == log.envelopes[-1].data


def test_a_database_from_before_versions_is_emptied_to_be_built_again(engine: Engine) -> None:
    apply_batch(engine, complete_history("old").records())
    with engine.begin() as conn:  # as built before the version was recorded
        conn.execute(text(f"DROP TABLE {schema.schema_info.name}"))
    assert stored_schema_version(engine) == 1
    create_tables(engine)
    assert stored_schema_version(engine) == SCHEMA_VERSION
    assert stored_offsets(engine) == {}  # the projector starts from offset 0
    with engine.connect() as conn:
        assert conn.execute(select(schema.event_log)).first() is None


def test_a_database_of_another_version_is_emptied(engine: Engine) -> None:
    apply_batch(engine, complete_history("other").records())
    with engine.begin() as conn:
        conn.execute(schema.schema_info.delete())
        conn.execute(insert(schema.schema_info).values(version=SCHEMA_VERSION + 1))
    create_tables(engine)
    assert stored_schema_version(engine) == SCHEMA_VERSION
    assert stored_offsets(engine) == {}
