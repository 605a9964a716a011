"""Read models built by another schema version are built again from the log."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

from sqlalchemy import Engine, func, insert, inspect, select, text

from services.reporting.readmodels import schema
from services.reporting.readmodels.drilldown import timeline
from services.reporting.readmodels.projector import apply_batch
from services.reporting.readmodels.schema import (
    SCHEMA_VERSION,
    create_tables,
    make_engine,
    stored_schema_version,
)
from services.reporting.readmodels.status import stored_offsets
from tests.reporting.sample_events import complete_history


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


def _start_together(url: str, barrier: Barrier) -> None:
    engine = make_engine(url)
    barrier.wait()
    create_tables(engine)
    engine.dispose()


def _many_start_at_once(url: str, starters: int = 4) -> None:
    """``starters`` processes build one fresh database at the same moment, as the
    projectors of two containers do in a rolling restart."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(starters)
    processes = [
        context.Process(target=_start_together, args=(url, barrier)) for _ in range(starters)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [process.exitcode for process in processes] == [0] * starters
    engine = make_engine(url)
    assert stored_schema_version(engine) == SCHEMA_VERSION
    names = set(inspect(engine).get_table_names())
    assert {table.name for table in schema.metadata.sorted_tables} <= names
    with engine.connect() as conn:
        versions = conn.execute(select(func.count()).select_from(schema.schema_info))
        assert versions.scalar_one() == 1
    engine.dispose()


def test_projectors_starting_at_once_on_sqlite_build_one_schema(tmp_path: Path) -> None:
    for attempt in range(8):
        _many_start_at_once(f"sqlite:///{tmp_path / f'race{attempt}.db'}")


def test_projectors_starting_at_once_on_postgres_build_one_schema(postgres_url: str) -> None:
    _many_start_at_once(postgres_url)
