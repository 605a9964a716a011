"""Writers taking turns at one SQLite file: a batch that finds the file taken waits for
the next one, and the rows come out as if every batch had been written at once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from services.reporting.readmodels.batch_writer import BatchWriter
from services.reporting.readmodels.projector import apply_batch, decode_batch, project_batch
from services.reporting.readmodels.schema import create_tables, make_engine
from services.reporting.readmodels.status import ProjectorStatus, stored_offsets
from services.reporting.readmodels.unit_of_work import UnitOfWork, subject_reader
from services.reporting.replay.audit import compare_engines
from tests.reporting.sample_events import complete_history


class ScriptedTurns:
    """A turn lock whose attempts without blocking fail as scripted (another writer
    has the file); blocking attempts always succeed."""

    def __init__(self, busy: list[bool]) -> None:
        self.busy = busy
        self.blocking_waits = 0
        self.held = False

    def acquire(self, block: bool = True) -> bool:
        assert not self.held
        if not block:
            if self.busy and self.busy.pop(0):
                return False
        else:
            self.blocking_waits += 1
        self.held = True
        return True

    def release(self) -> None:
        assert self.held
        self.held = False


def test_a_batch_that_finds_the_file_taken_is_written_with_the_next(
    engine: Engine, tmp_path: Path
) -> None:
    records = complete_history("turns", agency="ag-turns").records()
    batches = [records[start : start + 7] for start in range(0, len(records), 7)]
    turns = ScriptedTurns(busy=[True, False, True, True, False] * len(batches))
    status = ProjectorStatus()
    writer = BatchWriter(engine, status, background=False, turns=turns)
    expected: dict[tuple[str, int], int | None] = {}
    deferred = 0
    for batch in batches:
        with engine.connect() as conn:
            uow = UnitOfWork(subject_reader(conn), writer.carried)
            result = project_batch(uow, decode_batch(batch))
        plan = uow.plan()
        plan.expected = {key: expected.get(key) for key in plan.offsets}
        waits_before = turns.blocking_waits
        writer.submit(plan, uow.rows, result)
        expected.update(plan.offsets)
        stored = stored_offsets(engine)
        if any(stored.get(key) != offset for key, offset in plan.offsets.items()):
            deferred += 1  # not written yet: the file was taken
            assert turns.blocking_waits == waits_before
    writer.wait()
    assert deferred >= len(batches) // 3
    assert not turns.held
    assert stored_offsets(engine) == expected
    assert status.applied == len(records) and status.batches == len(batches)

    at_once = make_engine(f"sqlite:///{tmp_path / 'at-once.db'}")
    create_tables(at_once)
    apply_batch(at_once, records)
    comparison = compare_engines(engine, at_once)
    assert comparison.figures_compared > 50 and comparison.differences == []
    at_once.dispose()
