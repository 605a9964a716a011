"""The SQLite file a service's state lives in: one connection, the tables of the state
package, commits in batches, and the mark of a clean stop.

Writes go in batches of a few hundred, each one commit, with no syncs and the rollback
journal in memory: fast, and a file a crash may leave torn. So the file is reopened
only if the process that wrote it stopped cleanly (``stopped``: the last batch, a
marker, and one fsync) and its tables are of this format; else it starts empty and
the state is folded from offset 0.

The standard library's ``sqlite3`` rather than SQLAlchemy: every command reads and
writes a row here, and a Core statement costs several times the row itself. The file
is used from one thread at a time (the replay's worker thread before the service is
ready, the event loop after), and written by one process (``shared.state.lock``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from shared.state.lock import WriterLock

# Raised whenever a table changes (here, or in aggregates.py, tracking.py or
# indexes.py): a file of another format starts empty.
FORMAT = "3"
# Writes between commits: enough to make commits rare, few enough that the open
# transaction stays small.
WRITES_PER_COMMIT = 500
_CACHE_KIB = 16 * 1024

_META = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"


class SqliteFile:
    def __init__(self, path: Path | None, schema: str) -> None:
        """The file at ``path`` with the tables of ``schema``: reopened if it stopped
        cleanly and is of this format, else new and empty; ``None`` keeps it in
        memory. Raises ``StateFileInUse`` if another writer holds it."""
        self.path = path
        self._stopped = False
        self._closed = False
        self._lock: WriterLock | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = WriterLock(path, self)
        try:
            reopened = _reopened(path) if path is not None else None
            self.resumed = reopened is not None
            self.db = reopened if reopened is not None else _created(path, schema)
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise
        self._writers: list[Callable[[], None]] = []
        self._uncommitted = 0

    def before_commit(self, write: Callable[[], None]) -> None:
        """Have ``write`` put what it holds back into the file before each commit, in
        the order registered (state before the positions it reaches)."""
        self._writers.append(write)

    def writing(self) -> None:
        """Before any change after ``stopped``: the file is marked as in use again, and
        synced, so that a crash from here on is seen as one."""
        if self._stopped:
            _mark_stopped(self.db, False)
            self._stopped = False

    def wrote(self) -> None:
        """One statement written: commit once a batch is full."""
        self._uncommitted += 1
        if self._uncommitted >= WRITES_PER_COMMIT:
            self.flush()

    def flush(self) -> None:
        """Write what the parts hold, and commit."""
        for write in self._writers:
            write()
        if self.db.in_transaction:
            self.db.commit()
        self._uncommitted = 0

    @property
    def is_stopped(self) -> bool:
        return self._stopped or self._closed

    def stopped(self) -> None:
        """The process stops here: write what is pending, mark the file as stopped
        cleanly, and sync it to disk, so that the next start may read on from it. A
        write after this takes the mark back first."""
        self.flush()
        _mark_stopped(self.db, True)
        self._stopped = True

    def close(self) -> None:
        """``stopped``, and let go of the file and its lock."""
        if self._closed:
            return
        self.stopped()
        self.db.close()
        self._closed = True
        if self._lock is not None:
            self._lock.release()


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


def _reopened(path: Path) -> sqlite3.Connection | None:
    """The file at ``path`` if it is of this format and stopped cleanly; marked as in
    use again (a crash from here on is a crash)."""
    if not path.exists():
        return None
    db = sqlite3.connect(str(path), check_same_thread=False, timeout=0)
    try:
        stamp = dict(_configured(db).execute("SELECT key, value FROM meta"))
        if stamp != {"format": FORMAT, "stopped": "1"}:
            db.close()
            return None
        _mark_stopped(db, False)
    except sqlite3.Error:
        db.close()
        return None
    return db


def _created(path: Path | None, schema: str) -> sqlite3.Connection:
    if path is None:
        target = ":memory:"
    else:
        # This process holds the writer lock: no other one has the file open. Unlinked
        # rather than emptied, since a torn file may not even open.
        path.unlink(missing_ok=True)
        target = str(path)
    db = _configured(sqlite3.connect(target, check_same_thread=False))
    db.executescript(_META + schema)
    db.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)", (("format", FORMAT), ("stopped", "0"))
    )
    db.commit()
    return db
