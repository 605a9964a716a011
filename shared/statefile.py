"""Where a deciding service keeps its aggregates' decision state and its look-up
indexes: one local SQLite file, so that memory stays flat however long the campaign
runs (in memory this was about 5 KB per tip).

The file is scratch. The log is the truth: the file is created empty at every start
and filled by the same replay that used to fill dictionaries, so nothing here needs
to survive a crash, and the file trades durability for speed (no syncs, the rollback
journal in memory, writes in batches of a few hundred, each one commit). The aggregates
used last stay in memory as objects, a few thousand of them.

The standard library's ``sqlite3`` rather than SQLAlchemy: every command reads and
writes a row here, and a Core statement costs several times the row itself.

One process owns the file, and uses it from one thread at a time (the replay's worker
thread before the service is ready, the event loop after).
"""

from __future__ import annotations

import pickle
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# Writes between commits: enough to make commits rare, few enough that the journal of
# the open transaction (kept in memory) stays small.
_WRITES_PER_COMMIT = 500
_CACHE_KIB = 16 * 1024
_SCAN_CHUNK = 500

_SCHEMA = """
CREATE TABLE aggregates (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    due REAL,
    state BLOB NOT NULL
);
CREATE INDEX aggregates_by_kind ON aggregates (kind);
CREATE INDEX aggregates_due ON aggregates (kind, due) WHERE due IS NOT NULL;
CREATE TABLE lookups (
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (name, key, value)
);
"""


@dataclass
class Aggregate:
    kind: str
    state: Any
    version: int


class StateFile:
    """Aggregates (kind, version, pickled state, next due moment) and named look-ups."""

    def __init__(self, path: Path | None = None, *, recent: int = 4096) -> None:
        """A new, empty state file at ``path`` (a file left by an earlier process is
        replaced); ``None`` keeps it in memory, for tests and one-shot tools.
        ``recent``: how many of the aggregates used last stay in memory as objects."""
        if path is None:
            target = ":memory:"
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Unlinked rather than emptied: a process still holding the old file (one
            # being replaced) keeps writing to its own copy, never into this one.
            path.unlink(missing_ok=True)
            target = str(path)
        self.path = path
        self._db = sqlite3.connect(target, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        self._db.executescript(_SCHEMA)
        self._uncommitted = 0
        # The aggregates used last, as objects (most recent last): most commands touch
        # an aggregate that a recent one touched, and need not unpickle it again. Those
        # saved since the last batch are ``_unwritten`` (with their due moments).
        self._recent: OrderedDict[str, Aggregate] = OrderedDict()
        self._recent_limit = recent
        self._unwritten: dict[str, datetime | None] = {}

    # -- aggregates --------------------------------------------------------------

    def load(self, aggregate_id: str) -> Aggregate | None:
        aggregate = self._recent.get(aggregate_id)
        if aggregate is not None:
            self._recent.move_to_end(aggregate_id)
            return aggregate
        row = self._db.execute(
            "SELECT kind, version, state FROM aggregates WHERE id = ?", (aggregate_id,)
        ).fetchone()
        if row is None:
            return None
        kind, version, state = row
        aggregate = Aggregate(kind=kind, state=pickle.loads(state), version=version)
        self._remember(aggregate_id, aggregate)
        return aggregate

    def save(self, aggregate_id: str, aggregate: Aggregate, due: datetime | None = None) -> None:
        """Store ``aggregate``; ``due``: when a timer should next look at it. Written to
        the file with the next batch: an aggregate changed again meanwhile is pickled
        once."""
        self._remember(aggregate_id, aggregate)
        self._unwritten[aggregate_id] = due
        if len(self._unwritten) >= _WRITES_PER_COMMIT:
            self.flush()

    def _remember(self, aggregate_id: str, aggregate: Aggregate) -> None:
        self._recent[aggregate_id] = aggregate
        self._recent.move_to_end(aggregate_id)
        while len(self._recent) > self._recent_limit:
            oldest = next(iter(self._recent))
            if oldest in self._unwritten:
                self.flush()  # an aggregate leaves memory only once it is in the file
            self._recent.popitem(last=False)

    def flush(self) -> None:
        """Write the aggregates saved since the last batch, and commit."""
        if not self._unwritten and not self._uncommitted:
            return
        if self._unwritten:
            rows = []
            for aggregate_id, due in self._unwritten.items():
                aggregate = self._recent[aggregate_id]
                state = pickle.dumps(aggregate.state, pickle.HIGHEST_PROTOCOL)
                at = None if due is None else due.timestamp()
                rows.append((aggregate_id, aggregate.kind, aggregate.version, at, state))
            self._db.executemany(
                "INSERT INTO aggregates (id, kind, version, due, state) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
                "due = excluded.due, state = excluded.state",
                rows,
            )
            self._unwritten.clear()
        self._db.commit()
        self._uncommitted = 0

    def scan(self, kind: str) -> Iterator[tuple[str, Any]]:
        """Every aggregate of ``kind`` (id, state), oldest first, read a chunk at a time
        so that memory does not grow with the number of aggregates."""
        self.flush()
        after = 0
        while True:
            rows = self._db.execute(
                "SELECT rowid, id, state FROM aggregates WHERE kind = ? AND rowid > ? "
                "ORDER BY rowid LIMIT ?",
                (kind, after, _SCAN_CHUNK),
            ).fetchall()
            for _, aggregate_id, state in rows:
                yield aggregate_id, pickle.loads(state)
            if len(rows) < _SCAN_CHUNK:
                return
            after = rows[-1][0]

    def due(self, kinds: Sequence[str], now: datetime) -> list[tuple[str, str]]:
        """The aggregates of ``kinds`` whose due moment has come by ``now``, as (kind,
        id), earliest first whatever their kind."""
        self.flush()
        marks = ", ".join("?" * len(kinds))
        rows = self._db.execute(
            f"SELECT kind, id FROM aggregates WHERE kind IN ({marks}) AND due IS NOT NULL "
            "AND due <= ? ORDER BY due",
            (*kinds, now.timestamp()),
        )
        return [(kind, aggregate_id) for kind, aggregate_id in rows]

    # -- look-ups ----------------------------------------------------------------

    def lookup(self, name: str) -> Lookup:
        return Lookup(self, name)

    def _put(self, name: str, key: str, value: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO lookups (name, key, value) VALUES (?, ?, ?)",
            (name, key, value),
        )
        self._wrote()

    def _values(self, name: str, key: str) -> list[str]:
        rows = self._db.execute(
            "SELECT value FROM lookups WHERE name = ? AND key = ? ORDER BY rowid", (name, key)
        )
        return [value for (value,) in rows]

    # -- housekeeping ------------------------------------------------------------

    def _wrote(self) -> None:
        self._uncommitted += 1
        if self._uncommitted >= _WRITES_PER_COMMIT:
            self.flush()

    def close(self) -> None:
        self._db.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Lookup:
    """A named index from keys to the aggregate ids (or other values) filed under them."""

    file: StateFile
    name: str

    def put(self, key: str, value: str) -> None:
        self.file._put(self.name, key, value)

    def get(self, key: str) -> str | None:
        """The value filed under ``key`` (the first one filed, if several)."""
        values = self.file._values(self.name, key)
        return values[0] if values else None

    def values(self, key: str) -> list[str]:
        """Every value filed under ``key``, in the order they were filed."""
        return self.file._values(self.name, key)


def service_state_file(data_dir: Path, service: str) -> StateFile:
    """A service's state file under its data directory."""
    return StateFile(data_dir / "state" / f"{service}.sqlite")
