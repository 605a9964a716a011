"""The projector's second stage: batches' planned rows written to the database in
order, each with the partition offsets after it, on a thread of its own or in the
projector's."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from sqlalchemy import Engine

from services.reporting.readmodels.projector import BatchResult
from services.reporting.readmodels.status import ProjectorStatus
from services.reporting.readmodels.unit_of_work import Row, WritePlan, write


class WriteTurns(Protocol):
    """A lock taken by every process writing to one database file (replay lanes); a
    ``multiprocessing.Lock`` is one."""

    def acquire(self, block: bool = True) -> bool: ...

    def release(self) -> None: ...


Batch = tuple[WritePlan, BatchResult]


class BatchWriter:
    """Writes batches in order, each batch's rows with the offsets after it.

    ``background``: on a thread of its own, at most one batch in flight. While batch N
    is written, batch N+1 is planned against the stored rows plus ``carried``, the
    rows of batch N: N commits before N+1 is written, so together they are exactly
    what N+1 will find. (Measured on 2 cores: one projector gains about 15 % from
    writing behind; two replay lanes, which already keep both cores busy, lose about
    as much, so lanes write in their own thread.)

    ``turns``: writers to one SQLite file take turns. When another has the file, the
    batch waits for the next one instead of the projector waiting (at most one batch
    waits, and ``carried`` covers it just the same); then both are written together.
    SQLite's own wait for its write lock would sleep in steps of milliseconds."""

    def __init__(
        self,
        engine: Engine,
        status: ProjectorStatus,
        *,
        background: bool,
        turns: WriteTurns | None = None,
    ) -> None:
        self._engine = engine
        self._status = status
        self._turns = turns
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="reporting-writer")
            if background
            else None
        )
        self._pending: Future[list[BatchResult]] | None = None
        self._waiting: list[Batch] = []
        self.carried: Mapping[str, Row] = {}

    def submit(self, plan: WritePlan, rows: Mapping[str, Row], result: BatchResult) -> None:
        self._finish_in_flight()
        self._waiting.append((plan, result))
        self.carried = rows
        if self._pool is not None:
            self._pending = self._pool.submit(self._write, self._take_waiting())
        else:
            self._write_waiting(block=len(self._waiting) > 1)

    def wait(self) -> None:
        """Return once every batch handed over is written; a write's error is raised
        here."""
        self._finish_in_flight()
        if self._waiting:
            self._write_waiting(block=True)

    def discard(self) -> None:
        """Forget the batches not yet written (after an error: the caller starts again
        from the stored offsets, so nothing it planned may be carried over)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.exception()  # let it finish; its error is already being handled
        self._waiting = []
        self.carried = {}

    def close(self) -> None:
        self.discard()
        if self._pool is not None:
            self._pool.shutdown()

    def _finish_in_flight(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._count(pending.result())

    def _take_waiting(self) -> list[Batch]:
        batches, self._waiting = self._waiting, []
        return batches

    def _write_waiting(self, *, block: bool) -> None:
        """Write the batches waiting, in a turn when writers take turns; without
        ``block``, leave them waiting if another writer has the file."""
        if self._turns is None:
            self._count(self._write(self._take_waiting()))
        elif self._turns.acquire(block=block):
            try:
                self._count(self._write(self._take_waiting()))
            finally:
                self._turns.release()

    def _write(self, batches: list[Batch]) -> list[BatchResult]:
        with self._engine.begin() as conn:
            for plan, _ in batches:
                write(conn, plan)
        return [result for _, result in batches]

    def _count(self, results: list[BatchResult]) -> None:
        for result in results:
            self._status.count(result)
