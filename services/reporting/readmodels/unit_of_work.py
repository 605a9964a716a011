"""One batch's worth of projected changes: rows are read once, changed in memory,
then turned into a ``WritePlan`` that is written together with the offsets.

Planning (reading rows and running projections) and writing (the SQL) are separate
steps so that the projector can write one batch while it plans the next."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.reporting.readmodels import schema

_CHUNK = 500
_ROWS_PER_INSERT = 400  # x 23 columns: well under SQLite's limit on variables

Row = dict[str, Any]
# Loads the stored subject rows among the given keys (missing keys are left out).
RowReader = Callable[[list[str]], Iterable[Row]]


def _chunks(items: list[str]) -> Iterable[list[str]]:
    """``items`` in lists of exactly ``_CHUNK`` keys for ``IN (…)``, the last padded by
    repeating a key: one statement text whatever the count, so the few texts a batch
    uses stay in the driver's prepared-statement cache."""
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        yield chunk + [chunk[-1]] * (_CHUNK - len(chunk))


def read_offsets(conn: Connection) -> dict[tuple[str, int], int]:
    """The stored next offset of every partition read so far."""
    rows = conn.execute(select(schema.offsets)).all()
    return {(row.topic, row.partition): row.next_offset for row in rows}


def _marker(conn: Connection) -> str:
    """The driver's placeholder for a bound value (SQLite's ``?``, psycopg's ``%s``)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def subject_reader(conn: Connection) -> RowReader:
    """Read subject rows through ``conn``, ``_CHUNK`` keys per query. The statement
    goes straight to the driver: compiling ``IN`` with 500 bound values each time
    cost more than running it."""
    marker = _marker(conn)
    query = (
        f"SELECT * FROM {schema.subjects.name} WHERE {schema.subjects.c.subject.name} "
        f"IN ({', '.join([marker] * _CHUNK)})"
    )

    def read(keys: list[str]) -> Iterable[Row]:
        for chunk in _chunks(keys):
            for row in conn.exec_driver_sql(query, tuple(chunk)).mappings():
                yield dict(row)

    return read


def insert_columns(table: Table) -> list[str]:
    """The columns a bulk insert fills: all but an autoincrementing key."""
    return [
        column.name
        for column in table.columns
        if not (column.primary_key and column.autoincrement is True)
    ]


def as_tuples(table: Table, rows: Iterable[Row]) -> list[tuple[Any, ...]]:
    """``rows`` as value tuples in ``insert_columns(table)`` order; missing keys take
    the column's default."""
    names = insert_columns(table)
    rows = list(rows)
    pick = itemgetter(*names)
    try:
        return [pick(row) for row in rows] if len(names) > 1 else [(row[names[0]],) for row in rows]
    except KeyError:
        defaults = {c.name: _default(c) for c in table.columns}
        return [tuple(row.get(n, defaults[n]) for n in names) for row in rows]


def bulk_insert(conn: Connection, table: Table, values: list[tuple[Any, ...]]) -> None:
    """Insert ``values`` (in ``insert_columns(table)`` order) straight through the
    driver: COPY on PostgreSQL, multi-row INSERTs elsewhere. Core's per-row parameter
    processing costs more than the database itself at tens of thousands of rows a
    second."""
    if not values:
        return
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in insert_columns(table))
    if conn.dialect.name == "postgresql":
        # COPY is PostgreSQL's bulk path; it joins the connection's open transaction.
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
        return
    # Many rows per statement: the driver lets go of the GIL once per statement step,
    # so the projecting thread runs on while the database inserts a whole chunk. Only
    # two statement texts per table (a full chunk, one row), so that the driver's
    # prepared-statement cache does not fill with a statement per chunk length.
    marker = _marker(conn)
    row = f"({', '.join(marker for _ in values[0])})"
    insert = f"INSERT INTO {quote(table.name)} ({columns}) VALUES "
    whole = len(values) - len(values) % _ROWS_PER_INSERT
    chunk_insert = insert + ", ".join([row] * _ROWS_PER_INSERT)
    for start in range(0, whole, _ROWS_PER_INSERT):
        chunk = values[start : start + _ROWS_PER_INSERT]
        conn.exec_driver_sql(chunk_insert, tuple(chain(*chunk)))
    if whole < len(values):
        conn.exec_driver_sql(insert + row, values[whole:])


def _default(column: Any) -> Any:
    return column.default.arg if column.default is not None else None


@dataclass
class Replacement:
    """Rows of one table to write, after deleting the stored rows with their keys."""

    table: Table
    stale_keys: list[str]
    values: list[tuple[Any, ...]]


@dataclass
class WritePlan:
    """Everything one batch writes, as plain values: safe to hand to another thread
    while the next batch is planned."""

    replacements: list[Replacement] = field(default_factory=list)
    log: list[tuple[Any, ...]] = field(default_factory=list)
    dead: list[tuple[Any, ...]] = field(default_factory=list)
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    # Where each partition of ``offsets`` stood when the batch was read (None: nothing
    # stored yet); the offsets advance only from there.
    expected: dict[tuple[str, int], int | None] = field(default_factory=dict)


class StaleOffsets(RuntimeError):
    """The stored offsets moved since the batch was read: another projector wrote the
    same partitions. The transaction is rolled back; read again from what is stored."""


def write(conn: Connection, plan: WritePlan) -> None:
    """Execute ``plan`` on ``conn`` (inside the caller's transaction). The offsets go
    first: they advance only from ``plan.expected``, where the batch started, which
    also takes the database's write lock before anything else is written."""
    _advance_offsets(conn, plan)
    for replacement in plan.replacements:
        table = replacement.table
        key = table.primary_key.columns.values()[0]
        for chunk in _chunks(replacement.stale_keys):
            conn.execute(delete(table).where(key.in_(chunk)))
        bulk_insert(conn, table, replacement.values)
    bulk_insert(conn, schema.event_log, plan.log)
    bulk_insert(conn, schema.dead_letters, plan.dead)


def _advance_offsets(conn: Connection, plan: WritePlan) -> None:
    table = schema.offsets
    for (topic, partition), next_offset in sorted(plan.offsets.items()):
        start = plan.expected.get((topic, partition))
        if start is None:
            try:  # the partition's first batch: nobody else may have stored one
                conn.execute(
                    insert(table).values(topic=topic, partition=partition, next_offset=next_offset)
                )
            except IntegrityError as exc:
                raise StaleOffsets(f"{topic}:{partition} was stored by another writer") from exc
            continue
        moved = conn.execute(
            update(table)
            .where(
                table.c.topic == topic,
                table.c.partition == partition,
                table.c.next_offset == start,
            )
            .values(next_offset=next_offset)
        )
        if moved.rowcount != 1:
            raise StaleOffsets(f"{topic}:{partition} is no longer at {start}")


@dataclass
class UnitOfWork:
    """Rows touched by a batch of events. Subject rows are loaded once (from
    ``carried``, the rows of a batch still being written, or else through ``read``),
    changed in memory, and planned as delete + insert, so a batch costs a handful of
    statements whatever its size."""

    read: RowReader
    carried: Mapping[str, Row] = field(default_factory=dict)
    rows: dict[str, Row] = field(default_factory=dict)
    stored: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    log: list[tuple[Any, ...]] = field(default_factory=list)
    agencies: dict[str, Row] = field(default_factory=dict)
    campaigns: dict[str, Row] = field(default_factory=dict)
    entities: dict[str, Row] = field(default_factory=dict)
    dead: list[tuple[Any, ...]] = field(default_factory=list)
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)

    # -- reading -----------------------------------------------------------------

    def prefetch(self, subject_ids: Iterable[str]) -> None:
        rows, missing, carried = self.rows, self.missing, self.carried
        wanted = []
        for subject in {s for s in subject_ids if s not in rows and s not in missing}:
            row = carried.get(subject)
            if row is None:
                wanted.append(subject)
            else:
                # written by the batch before this one, which commits first
                rows[subject] = row
                self.stored.add(subject)
        if not wanted:
            return
        for row in self.read(wanted):
            rows[row["subject"]] = row
            self.stored.add(row["subject"])
        missing.update(s for s in wanted if s not in rows)

    def find(self, subject_id: str) -> Row | None:
        """The subject's row as changed so far in this batch, or ``None``."""
        if subject_id not in self.rows and subject_id not in self.missing:
            self.prefetch([subject_id])
        return self.rows.get(subject_id)

    def subject(self, subject_id: str, kind: str) -> Row:
        """The row of ``subject_id``, created with defaults if it does not exist."""
        row = self.find(subject_id)
        if row is None:
            row = {**schema.SUBJECT_DEFAULTS, "subject": subject_id, "kind": kind}
            self.rows[subject_id] = row
            self.missing.discard(subject_id)
        return row

    # -- planning the write --------------------------------------------------------

    def plan(self) -> WritePlan:
        plan = WritePlan(log=self.log, dead=self.dead, offsets=self.offsets)
        if self.rows:
            plan.replacements.append(
                Replacement(
                    schema.subjects,
                    sorted(self.stored),
                    as_tuples(schema.subjects, self.rows.values()),
                )
            )
        for table, rows in (
            (schema.agencies, self.agencies),
            (schema.campaigns, self.campaigns),
            (schema.entities, self.entities),
        ):
            if rows:
                plan.replacements.append(
                    Replacement(table, sorted(rows), as_tuples(table, rows.values()))
                )
        return plan
