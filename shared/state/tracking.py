"""How far into the log a service's state goes: per topic partition, the next offset
and the id of the last event folded (as eventsourcing's ``Tracking`` records), written
in the same commit as the state they reflect, never ahead of it.

Offsets may be folded out of order (a command's events acknowledged before an earlier
one's); a position moves only over offsets without gaps, so that a restart reads on
from the first offset not yet folded.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from shared.state.file import SqliteFile

SCHEMA = """
CREATE TABLE positions (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    last_event_id TEXT NOT NULL,
    PRIMARY KEY (topic, partition)
);
"""

# Offsets folded out of order waiting for the gap to close; past this many the
# position stops advancing until the next start, which reads on from the gap.
_MAX_PENDING = 100_000


@dataclass(frozen=True)
class Position:
    """How far into one partition the state goes: every offset below ``next_offset``
    is folded; ``last_event_id`` is the id of the event at ``next_offset - 1``."""

    next_offset: int
    last_event_id: str


class Tracking:
    def __init__(self, file: SqliteFile) -> None:
        self._file = file
        self._positions: dict[tuple[str, int], Position] = {
            (topic, partition): Position(next_offset, last_event_id)
            for topic, partition, next_offset, last_event_id in file.db.execute(
                "SELECT topic, partition, next_offset, last_event_id FROM positions"
            )
        }
        self._pending: dict[tuple[str, int], dict[int, str]] = {}
        self._moved: set[tuple[str, int]] = set()
        file.before_commit(self._write)

    def positions(self, topic: str) -> dict[int, Position]:
        """Per partition of ``topic``: how far the state goes."""
        return {
            partition: position
            for (named, partition), position in self._positions.items()
            if named == topic
        }

    def folded(self, topic: str, partition: int, offset: int, event_id: str) -> None:
        """The event at ``offset`` is folded into the state (called after the save)."""
        key = (topic, partition)
        position = self._positions.get(key, Position(0, ""))
        if offset < position.next_offset:
            return
        self._file.writing()
        pending = self._pending.setdefault(key, {})
        if offset > position.next_offset:
            if len(pending) < _MAX_PENDING:
                pending[offset] = event_id
            return
        while True:
            position = Position(offset + 1, event_id)
            offset += 1
            if offset not in pending:
                break
            event_id = pending.pop(offset)
        self._positions[key] = position
        self._moved.add(key)

    def _write(self) -> None:
        if not self._moved:
            return
        self._file.db.executemany(
            "INSERT INTO positions (topic, partition, next_offset, last_event_id) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (topic, partition) DO UPDATE SET "
            "next_offset = excluded.next_offset, last_event_id = excluded.last_event_id",
            [(*key, *dataclasses.astuple(self._positions[key])) for key in self._moved],
        )
        self._moved.clear()

    def clear(self) -> None:
        self._file.db.execute("DELETE FROM positions")
        self._positions.clear()
        self._pending.clear()
        self._moved.clear()
