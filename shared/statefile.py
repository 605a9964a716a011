"""Where a deciding service keeps its aggregates' decision state and its look-ups:
one local SQLite file, so that memory stays flat however long the campaign runs (in
memory this was about 5 KB per tip).

The log is the truth and the file a cache of it. Beside the state, the file keeps how
far into the service's topic that state goes (per partition: the next offset, and the
id of the last event folded), committed in the same transaction as the state. A
restarted service reopens the file and reads the topic on from there; the file starts
empty when the code that wrote it differs from the running code (its fingerprint), or
when the log no longer holds the event the file says it ends with (see
``shared.kafka.replay.catch_up``).

Writes go in batches of a few hundred, each one commit, with no syncs and the rollback
journal in memory: fast, and a file a crash may leave torn. So the file is reopened
only if the process that wrote it stopped cleanly (``stopped``: the last batch, a
marker, and one fsync); after a crash the next start folds the topic from offset 0,
as it always did before the file was kept. The aggregates used last stay in memory as
objects, a few thousand of them.

The standard library's ``sqlite3`` rather than SQLAlchemy: every command reads and
writes a row here, and a Core statement costs several times the row itself.

One process owns the file (an exclusive lock): a second one opened on the same path
meanwhile gets a new file of its own. It is used from one thread at a time (the
replay's worker thread before the service is ready, the event loop after).
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# Writes between commits: enough to make commits rare, few enough that the open
# transaction stays small.
_WRITES_PER_COMMIT = 500
# Raised whenever the tables below change: a file of another format starts empty.
_FORMAT = "2"
# Offsets folded out of order (a command's events acknowledged before an earlier
# one's) waiting for the gap to close; past this many the position stops advancing
# until the next start, which reads on from the gap.
_MAX_PENDING = 100_000
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
CREATE TABLE worklists (
    name TEXT NOT NULL,
    member TEXT NOT NULL,
    PRIMARY KEY (name, member)
);
CREATE TABLE positions (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    last_event_id TEXT NOT NULL,
    PRIMARY KEY (topic, partition)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_TABLES = ("aggregates", "lookups", "worklists", "positions")


@dataclass(frozen=True)
class Position:
    """How far into one partition the state goes: every offset below ``next_offset``
    is folded; ``last_event_id`` is the id of the event at ``next_offset - 1``."""

    next_offset: int
    last_event_id: str


@dataclass
class Aggregate:
    kind: str
    state: Any
    version: int


class StateFile:
    """Aggregates (kind, version, pickled state, next due moment), named look-ups and
    work lists, and the topic positions they reflect."""

    def __init__(
        self, path: Path | None = None, *, recent: int = 4096, fingerprint: str = ""
    ) -> None:
        """The state file at ``path``, reopened if the code with this ``fingerprint``
        wrote it and stopped cleanly, else new and empty (as always without a
        fingerprint); ``None`` keeps it in memory, for tests and one-shot tools.
        ``recent``: how many of the aggregates used last stay in memory as objects."""
        self.path = path
        reopened = _reopened(path, fingerprint) if path is not None and fingerprint else None
        self.resumed = reopened is not None
        self._db = reopened if reopened is not None else _created(path, fingerprint)
        self._uncommitted = 0
        # The aggregates used last, as objects (most recent last): most commands touch
        # an aggregate that a recent one touched, and need not unpickle it again. Those
        # saved since the last batch are ``_unwritten`` (with their due moments).
        self._recent: OrderedDict[str, Aggregate] = OrderedDict()
        self._recent_limit = recent
        self._unwritten: dict[str, datetime | None] = {}
        self._positions: dict[tuple[str, int], Position] = {
            (topic, partition): Position(next_offset, last_event_id)
            for topic, partition, next_offset, last_event_id in self._db.execute(
                "SELECT topic, partition, next_offset, last_event_id FROM positions"
            )
        }
        self._pending: dict[tuple[str, int], dict[int, str]] = {}
        self._moved: set[tuple[str, int]] = set()
        self._stopped = False

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
        self._writing()
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
        if not self._unwritten and not self._uncommitted and not self._moved:
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
        if self._moved:
            self._db.executemany(
                "INSERT INTO positions (topic, partition, next_offset, last_event_id) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (topic, partition) DO UPDATE SET "
                "next_offset = excluded.next_offset, last_event_id = excluded.last_event_id",
                [(*key, *dataclasses.astuple(self._positions[key])) for key in self._moved],
            )
            self._moved.clear()
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

    # -- positions in the log --------------------------------------------------

    def positions(self, topic: str) -> dict[int, Position]:
        """Per partition of ``topic``: how far the state goes."""
        return {
            partition: position
            for (named, partition), position in self._positions.items()
            if named == topic
        }

    def folded(self, topic: str, partition: int, offset: int, event_id: str) -> None:
        """The event at ``offset`` is folded into the state (called after the save).
        Offsets may come out of order; the position moves over the ones without gaps."""
        key = (topic, partition)
        position = self._positions.get(key, Position(0, ""))
        if offset < position.next_offset:
            return
        self._writing()
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

    # -- work lists ----------------------------------------------------------------

    def worklist(self, name: str) -> WorkList:
        return WorkList(self, name)

    def _enlist(self, name: str, member: str) -> None:
        self._writing()
        self._db.execute(
            "INSERT OR IGNORE INTO worklists (name, member) VALUES (?, ?)", (name, member)
        )
        self._wrote()

    def _delist(self, name: str, member: str) -> None:
        self._writing()
        self._db.execute("DELETE FROM worklists WHERE name = ? AND member = ?", (name, member))
        self._wrote()

    def _members(self, name: str) -> list[str]:
        rows = self._db.execute(
            "SELECT member FROM worklists WHERE name = ? ORDER BY rowid", (name,)
        )
        return [member for (member,) in rows]

    # -- starting over -------------------------------------------------------------

    def clear(self) -> None:
        """Forget everything: the state must be folded again from offset 0."""
        self._writing()
        for table in _TABLES:
            self._db.execute(f"DELETE FROM {table}")
        self._db.commit()
        self._recent.clear()
        self._unwritten.clear()
        self._positions.clear()
        self._pending.clear()
        self._moved.clear()
        self._uncommitted = 0
        self.resumed = False

    # -- look-ups ----------------------------------------------------------------

    def lookup(self, name: str) -> Lookup:
        return Lookup(self, name)

    def _put(self, name: str, key: str, value: str) -> None:
        self._writing()
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

    def _writing(self) -> None:
        """Before any change after ``stopped``: the file is marked as in use again, and
        synced, so that a crash from here on is seen as one."""
        if self._stopped:
            _mark_stopped(self._db, False)
            self._stopped = False

    def _wrote(self) -> None:
        self._uncommitted += 1
        if self._uncommitted >= _WRITES_PER_COMMIT:
            self.flush()

    def stopped(self) -> None:
        """The process stops here: write what is pending, mark the file as stopped
        cleanly, and sync it to disk, so that the next start may read on from it. A
        write after this takes the mark back first."""
        self.flush()
        _mark_stopped(self._db, True)
        self._stopped = True

    def close(self) -> None:
        """``stopped``, and let go of the file."""
        self.stopped()
        self._db.close()


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


@dataclass(frozen=True)
class WorkList:
    """A named set of ids still to be worked on, kept with the state it follows from."""

    file: StateFile
    name: str

    def add(self, member: str) -> None:
        self.file._enlist(self.name, member)

    def discard(self, member: str) -> None:
        self.file._delist(self.name, member)

    def members(self) -> list[str]:
        """Every member, in the order added."""
        return self.file._members(self.name)


def _configured(db: sqlite3.Connection) -> sqlite3.Connection:
    db.execute("PRAGMA locking_mode=EXCLUSIVE")
    db.execute("PRAGMA journal_mode=MEMORY")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
    return db


def _mark_stopped(db: sqlite3.Connection, stopped: bool) -> None:
    """Whether the file was left by a clean stop, committed with a sync of the whole
    file (the batches before it were written without one)."""
    db.execute("PRAGMA synchronous=FULL")
    db.execute("UPDATE meta SET value = ? WHERE key = 'stopped'", ("1" if stopped else "0",))
    db.commit()
    db.execute("PRAGMA synchronous=OFF")


def _reopened(path: Path, fingerprint: str) -> sqlite3.Connection | None:
    """The file at ``path`` if this code wrote it, stopped cleanly, and no other
    process holds it; marked as in use again (a crash from here on is a crash)."""
    if not path.exists():
        return None
    db = sqlite3.connect(str(path), check_same_thread=False, timeout=0)
    try:
        _configured(db).execute("BEGIN IMMEDIATE")  # takes the exclusive lock
        stamp = dict(db.execute("SELECT key, value FROM meta"))
        db.rollback()
        if stamp != {"format": _FORMAT, "fingerprint": fingerprint, "stopped": "1"}:
            db.close()
            return None
        _mark_stopped(db, False)
    except sqlite3.Error:
        db.close()
        return None
    return db


def _created(path: Path | None, fingerprint: str) -> sqlite3.Connection:
    if path is None:
        target = ":memory:"
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unlinked rather than emptied: a process still holding the old file (one being
        # replaced) keeps writing to its own copy, never into this one.
        path.unlink(missing_ok=True)
        target = str(path)
    db = _configured(sqlite3.connect(target, check_same_thread=False))
    db.executescript(_SCHEMA)
    db.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        (("format", _FORMAT), ("fingerprint", fingerprint), ("stopped", "0")),
    )
    db.commit()
    return db


def code_fingerprint(*packages: Path) -> str:
    """A digest of the Python sources under ``packages``: pickled state is read back
    only by the code that wrote it."""
    digest = hashlib.sha256()
    for package in packages:
        for source in sorted(package.rglob("*.py")):
            digest.update(str(source.relative_to(package.parent)).encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def service_state_file(data_dir: Path, service: str) -> StateFile:
    """A service's state file under its data directory, reopened when the same code
    (the shared package and the service's own) wrote it."""
    root = Path(__file__).resolve().parent.parent
    fingerprint = code_fingerprint(root / "shared", root / "services" / service)
    return StateFile(data_dir / "state" / f"{service}.sqlite", fingerprint=fingerprint)
