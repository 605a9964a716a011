"""One transaction's worth of projected changes, flushed together with the offsets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, delete, select

from services.reporting.readmodels import schema

_CHUNK = 500


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany straight on the driver: Core's per-row parameter processing costs
    more than the database itself at tens of thousands of rows a second."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    names = [
        column.name
        for column in table.columns
        if not (column.primary_key and column.autoincrement is True)
    ]
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(marker for _ in names)})"
    )
    pick = itemgetter(*names)
    try:
        values = (
            [pick(row) for row in rows] if len(names) > 1 else [(row[names[0]],) for row in rows]
        )
    except KeyError:
        defaults = {c.name: _default(c) for c in table.columns}
        values = [tuple(row.get(n, defaults[n]) for n in names) for row in rows]
    if conn.dialect.name == "postgresql":
        # COPY is PostgreSQL's bulk path; it joins the connection's open transaction.
        columns = ", ".join(quote(n) for n in names)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
        return
    conn.exec_driver_sql(sql, values)


def _default(column: Any) -> Any:
    return column.default.arg if column.default is not None else None


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


@dataclass
class UnitOfWork:
    """Rows touched by a batch of events. Subject rows are loaded once, changed in
    memory, and written back (delete + insert) at flush, so a batch costs a handful
    of statements whatever its size."""

    conn: Connection
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    log: list[dict[str, Any]] = field(default_factory=list)
    agencies: dict[str, dict[str, Any]] = field(default_factory=dict)
    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    dead: list[dict[str, Any]] = field(default_factory=list)
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)

    # -- reading -----------------------------------------------------------------

    def prefetch(self, subject_ids: Iterable[str]) -> None:
        rows, missing = self.rows, self.missing
        wanted = list({s for s in subject_ids if s not in rows and s not in missing})
        for chunk in _chunks(wanted):
            found = self.conn.execute(
                select(schema.subjects).where(schema.subjects.c.subject.in_(chunk))
            ).mappings()
            for row in found:
                self.rows[row["subject"]] = dict(row)
                self.loaded.add(row["subject"])
            self.missing.update(s for s in chunk if s not in self.rows)

    def find(self, subject_id: str) -> dict[str, Any] | None:
        """The subject's row as changed so far in this batch, or ``None``."""
        if subject_id not in self.rows and subject_id not in self.missing:
            self.prefetch([subject_id])
        return self.rows.get(subject_id)

    def subject(self, subject_id: str, kind: str) -> dict[str, Any]:
        """The row of ``subject_id``, created with defaults if it does not exist."""
        row = self.find(subject_id)
        if row is None:
            row = {**schema.SUBJECT_DEFAULTS, "subject": subject_id, "kind": kind}
            self.rows[subject_id] = row
            self.missing.discard(subject_id)
        return row

    # -- writing -----------------------------------------------------------------

    def flush(self) -> None:
        conn = self.conn
        if self.rows:
            stale = sorted(self.loaded)
            for chunk in _chunks(stale):
                conn.execute(delete(schema.subjects).where(schema.subjects.c.subject.in_(chunk)))
            bulk_insert(conn, schema.subjects, list(self.rows.values()))
        if self.log:
            bulk_insert(conn, schema.event_log, self.log)
        self._replace(schema.agencies, schema.agencies.c.agency_id, self.agencies)
        self._replace(schema.campaigns, schema.campaigns.c.campaign_id, self.campaigns)
        self._replace(schema.entities, schema.entities.c.entity_id, self.entities)
        if self.dead:
            bulk_insert(conn, schema.dead_letters, self.dead)
        if self.offsets:
            for (topic, partition), _ in self.offsets.items():
                conn.execute(
                    delete(schema.offsets).where(
                        schema.offsets.c.topic == topic, schema.offsets.c.partition == partition
                    )
                )
            bulk_insert(
                conn,
                schema.offsets,
                [
                    {"topic": t, "partition": p, "next_offset": o}
                    for (t, p), o in sorted(self.offsets.items())
                ],
            )

    def _replace(self, table: Table, key: Any, rows: dict[str, dict[str, Any]]) -> None:
        if not rows:
            return
        for chunk in _chunks(sorted(rows)):
            self.conn.execute(delete(table).where(key.in_(chunk)))
        bulk_insert(self.conn, table, list(rows.values()))
