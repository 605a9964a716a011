"""The aggregates of a state file: each one's kind, version (the sequence of its last
event), next due moment, and state as a versioned document.

A state is written as JSON through a pydantic ``TypeAdapter`` of its kind's state
type (dataclasses, pydantic models, enums, datetimes, tuples, frozensets), at the
kind's ``state_version``; the file records, per kind, the version its rows were
written with (as eventsourcing's ``class_version``). When a reopened file holds an
older version:

- with an upcaster for every step (``upcasters[n]`` takes a version n document to
  n + 1), every row of the kind is upcast (and read back) when the kind registers, a
  chunk per commit: a version bump is rare, and then the kind's one recorded version
  stays true of every row, which a lazy upcast would have to record row by row; an
  upcaster's mistake shows at the start, not at some later command. A crash meanwhile
  leaves the file unstopped, so the next start folds everything anew;
- otherwise (the stored version is newer, a step has no upcaster, or an upcast
  document does not read back), the kind's rows are dropped and the
  kind is ``refolding``: its events are read again from offset 0 and applied to it
  alone; its version is recorded once that is done (``refolded``).

A code change that leaves the versions alone reads on from the file.

The aggregates used last stay in memory as objects, a few thousand of them; those
saved since the last batch are written with it, each encoded once.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from shared.state.file import WRITES_PER_COMMIT, SqliteFile

SCHEMA = """
CREATE TABLE aggregates (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    due REAL,
    state BLOB NOT NULL
);
CREATE INDEX aggregates_by_kind ON aggregates (kind);
CREATE INDEX aggregates_due ON aggregates (kind, due) WHERE due IS NOT NULL;
CREATE TABLE kinds (kind TEXT PRIMARY KEY, state_version INTEGER NOT NULL);
"""

log = logging.getLogger(__name__)

_CHUNK = 500

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Aggregate:
    kind: str
    state: Any
    version: int


class StateCodec:
    """How one kind's states are written: JSON through one ``TypeAdapter`` of their
    type, at ``version``, with the upcasters from older versions."""

    def __init__(
        self, state_type: Any, version: int = 1, upcasters: Mapping[int, Upcaster] | None = None
    ) -> None:
        if version < 1:
            raise ValueError(f"a state version starts at 1, not {version}")
        self.adapter: TypeAdapter[Any] = TypeAdapter(state_type)
        self.version = version
        self.upcasters = dict(upcasters or {})

    def dump(self, state: Any) -> bytes:
        return self.adapter.dump_json(state)

    def load(self, document: bytes | str) -> Any:
        return self.adapter.validate_json(document)

    def reaches(self, version: int) -> bool:
        """Whether a document of ``version`` can be upcast to this codec's version."""
        return version <= self.version and all(
            step in self.upcasters for step in range(version, self.version)
        )

    def upcast(self, document: bytes | str, version: int) -> bytes:
        """The document of ``version`` as this codec's version writes it. A document
        that is no object (a state of None) has no fields to change."""
        content = json.loads(document)
        for step in range(version, self.version):
            if isinstance(content, dict):
                content = self.upcasters[step](content)
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


class AggregateTable:
    """The ``aggregates`` and ``kinds`` tables, and the aggregates held in memory."""

    def __init__(self, file: SqliteFile, recent: int) -> None:
        """``recent``: how many of the aggregates used last stay in memory as objects."""
        self._file = file
        self._codecs: dict[str, StateCodec] = {}
        self._stored: dict[str, int] = dict(
            file.db.execute("SELECT kind, state_version FROM kinds")
        )
        # A new file folds every kind from offset 0; a reopened one only the kinds
        # whose rows it cannot read.
        self._fresh = not file.resumed
        self._refolding: set[str] = set()
        # Most recent last: most commands touch an aggregate that a recent one touched,
        # and need not decode it again. Those saved since the last batch are
        # ``_unwritten`` (with their due moments).
        self._recent: OrderedDict[str, Aggregate] = OrderedDict()
        self._recent_limit = recent
        self._unwritten: dict[str, datetime | None] = {}
        file.before_commit(self._write)

    # -- kinds and their versions ---------------------------------------------------

    def register(self, kind: str, codec: StateCodec) -> None:
        """Read and write ``kind``'s states with ``codec``; rows of an older version
        are upcast at once, rows it cannot read are dropped and the kind refolded."""
        self._codecs[kind] = codec
        stored = self._stored.get(kind)
        if self._fresh:
            self._record(kind)
        elif stored == codec.version:
            return
        elif stored is not None and codec.reaches(stored):
            try:
                self._upcast(kind, codec, stored)
            except (ValueError, KeyError, TypeError) as failed:  # pydantic's errors included
                log.warning("%s: upcasting its states failed (%s); folding it anew", kind, failed)
                self._drop(kind)
        else:
            self._drop(kind)
        self._file.flush()

    def refolding(self) -> frozenset[str]:
        """The kinds whose rows were dropped, to be folded again from offset 0."""
        return frozenset(self._refolding)

    def refolded(self) -> None:
        """The refolding kinds were folded again up to the stored positions."""
        for kind in self._refolding:
            self._record(kind)
        self._refolding.clear()
        self._file.flush()

    def _record(self, kind: str) -> None:
        version = self._codecs[kind].version
        self._file.writing()
        self._file.db.execute(
            "INSERT INTO kinds (kind, state_version) VALUES (?, ?) ON CONFLICT (kind) "
            "DO UPDATE SET state_version = excluded.state_version",
            (kind, version),
        )
        self._stored[kind] = version

    def _upcast(self, kind: str, codec: StateCodec, stored: int) -> None:
        self._file.writing()
        after = 0
        while True:
            rows = self._chunk(kind, after)
            upcast = [(codec.upcast(document, stored), rowid) for rowid, _, document in rows]
            for document, _ in upcast:
                codec.load(document)  # an upcaster's mistake shows here, not at a command
            self._file.db.executemany("UPDATE aggregates SET state = ? WHERE rowid = ?", upcast)
            self._file.flush()
            if len(rows) < _CHUNK:
                break
            after = rows[-1][0]
        self._record(kind)

    def _drop(self, kind: str) -> None:
        self._file.writing()
        self._file.db.execute("DELETE FROM aggregates WHERE kind = ?", (kind,))
        # Recorded again once refolded: a stop before that leaves it to refold again.
        self._file.db.execute("DELETE FROM kinds WHERE kind = ?", (kind,))
        self._stored.pop(kind, None)
        self._refolding.add(kind)

    def _codec(self, kind: str) -> StateCodec:
        try:
            return self._codecs[kind]
        except KeyError:
            raise LookupError(f"no state codec is registered for kind {kind!r}") from None

    # -- aggregates ------------------------------------------------------------------

    def load(self, aggregate_id: str) -> Aggregate | None:
        aggregate = self._recent.get(aggregate_id)
        if aggregate is not None:
            self._recent.move_to_end(aggregate_id)
            return aggregate
        row = self._file.db.execute(
            "SELECT kind, version, state FROM aggregates WHERE id = ?", (aggregate_id,)
        ).fetchone()
        if row is None:
            return None
        kind, version, document = row
        aggregate = Aggregate(kind=kind, state=self._codec(kind).load(document), version=version)
        self._remember(aggregate_id, aggregate)
        return aggregate

    def save(self, aggregate_id: str, aggregate: Aggregate, due: datetime | None = None) -> None:
        """Store ``aggregate``; ``due``: when a timer should next look at it. Written to
        the file with the next batch: an aggregate changed again meanwhile is encoded
        once."""
        self._codec(aggregate.kind)
        self._file.writing()
        self._remember(aggregate_id, aggregate)
        self._unwritten[aggregate_id] = due
        if len(self._unwritten) >= WRITES_PER_COMMIT:
            self._file.flush()

    def _remember(self, aggregate_id: str, aggregate: Aggregate) -> None:
        self._recent[aggregate_id] = aggregate
        self._recent.move_to_end(aggregate_id)
        while len(self._recent) > self._recent_limit:
            oldest = next(iter(self._recent))
            if oldest in self._unwritten:
                self._file.flush()  # an aggregate leaves memory only once it is in the file
            self._recent.popitem(last=False)

    def _write(self) -> None:
        if not self._unwritten:
            return
        rows = []
        for aggregate_id, due in self._unwritten.items():
            aggregate = self._recent[aggregate_id]
            document = self._codecs[aggregate.kind].dump(aggregate.state)
            at = None if due is None else due.timestamp()
            rows.append((aggregate_id, aggregate.kind, aggregate.version, at, document))
        self._file.db.executemany(
            "INSERT INTO aggregates (id, kind, version, due, state) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
            "due = excluded.due, state = excluded.state",
            rows,
        )
        self._unwritten.clear()

    def _chunk(self, kind: str, after: int) -> list[tuple[int, str, bytes]]:
        rows: list[tuple[int, str, bytes]] = self._file.db.execute(
            "SELECT rowid, id, state FROM aggregates WHERE kind = ? AND rowid > ? "
            "ORDER BY rowid LIMIT ?",
            (kind, after, _CHUNK),
        ).fetchall()
        return rows

    def scan(self, kind: str) -> Iterator[tuple[str, Any]]:
        """Every aggregate of ``kind`` (id, state), oldest first, read a chunk at a time
        so that memory does not grow with the number of aggregates."""
        self._file.flush()
        codec = self._codec(kind)
        after = 0
        while True:
            rows = self._chunk(kind, after)
            for _, aggregate_id, document in rows:
                yield aggregate_id, codec.load(document)
            if len(rows) < _CHUNK:
                return
            after = rows[-1][0]

    def due(self, kinds: Sequence[str], now: datetime) -> list[tuple[str, str]]:
        """The aggregates of ``kinds`` whose due moment has come by ``now``, as (kind,
        id), earliest first whatever their kind."""
        self._file.flush()
        marks = ", ".join("?" * len(kinds))
        rows = self._file.db.execute(
            f"SELECT kind, id FROM aggregates WHERE kind IN ({marks}) AND due IS NOT NULL "
            "AND due <= ? ORDER BY due",
            (*kinds, now.timestamp()),
        )
        return [(kind, aggregate_id) for kind, aggregate_id in rows]

    def clear(self) -> None:
        """Forget every aggregate; the registered kinds start over at their versions."""
        self._file.db.execute("DELETE FROM aggregates")
        self._file.db.execute("DELETE FROM kinds")
        self._stored.clear()
        self._recent.clear()
        self._unwritten.clear()
        self._refolding.clear()
        self._fresh = True
        for kind in self._codecs:
            self._record(kind)
