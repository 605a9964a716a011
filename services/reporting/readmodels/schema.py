"""The read-model tables (SQLAlchemy Core). One generic ``subjects`` row per aggregate
holds what every figure is computed from; figures are grouped sums at query time."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.schema import CreateIndex, CreateTable

log = logging.getLogger(__name__)

metadata = MetaData()

# Bump when a table changes. A database built by another version is emptied and built
# again from the log when the service starts: the read models hold nothing the log
# does not. (2: ``event_log.data`` holds the record's bytes.)
SCHEMA_VERSION = 2

schema_info = Table("schema_info", metadata, Column("version", Integer, nullable=False))

# Where the projector stands: the next offset to read per partition, written in the
# same transaction as the rows that the offsets before it produced.
offsets = Table(
    "consumer_offsets",
    metadata,
    Column("topic", String(128), primary_key=True),
    Column("partition", Integer, primary_key=True, autoincrement=False),
    Column("next_offset", BigInteger, nullable=False),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("topic", String(128), primary_key=True),
    Column("partition", Integer, primary_key=True, autoincrement=False),
    Column("offset", BigInteger, primary_key=True, autoincrement=False),
    Column("reason", Text, nullable=False),
)

# Every envelope, for timelines and "the events behind a figure". Appended in log
# order under an integer key (cheap inserts); duplicates are recognised by their
# aggregate's sequence in ``subjects.last_sequence``, not by an index on the id.
event_log = Table(
    "event_log",
    metadata,
    Column(
        "position",
        BigInteger().with_variant(Integer, "sqlite"),  # SQLite: the rowid itself
        primary_key=True,
        autoincrement=True,
    ),
    Column("event_id", String(64), nullable=False),
    Column("subject", String(128), nullable=False, index=True),
    Column("type", String(160), nullable=False),
    Column("time", Float, nullable=False),  # epoch seconds (UTC)
    Column("sequence", Integer, nullable=False),
    Column("topic", String(128), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("region_code", String(6), nullable=False, default=""),
    Column("actor", String(256), nullable=False, default=""),
    # The record's value exactly as it was on the topic (UTF-8 JSON), never re-encoded.
    Column("data", LargeBinary, nullable=False),
)

# One row per aggregate (tip, problem, item, case, referral, exposure, meeting ...);
# every stream has a row (kind "stream" when no figure needs it) whose
# ``last_sequence`` makes replayed or re-published events change nothing.
# Times are epoch seconds (UTC): portable, compact and fast to bulk-insert.
subjects = Table(
    "subjects",
    metadata,
    Column("subject", String(128), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("campaign_id", String(64), nullable=False, default=""),
    Column("agency_id", String(128), nullable=False, default="", index=True),
    Column("region_code", String(6), nullable=False, default="", index=True),
    Column("status", String(48), nullable=False, default=""),
    Column("category", String(48), nullable=False, default=""),
    Column("detail", String(64), nullable=False, default=""),
    Column("grade", String(32), nullable=False, default=""),
    Column("ref", String(128), nullable=False, default=""),
    Column("opened_at", Float),
    Column("due_at", Float),
    Column("completed_at", Float),
    Column("verified_at", Float),
    Column("overdue", Integer, nullable=False, default=0),
    Column("on_time", Integer),
    Column("days_to_verify", Float),
    Column("ballots", Integer, nullable=False, default=0),
    Column("satisfied", Integer, nullable=False, default=0),
    Column("dissatisfied", Integer, nullable=False, default=0),
    Column("published", Integer, nullable=False, default=0),
    Column("flag", Integer, nullable=False, default=0),
    Column("last_sequence", Integer, nullable=False, default=0),
    sqlite_with_rowid=False,
)

agencies = Table(
    "agencies",
    metadata,
    Column("agency_id", String(128), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("region_code", String(6), nullable=False, index=True),
    Column("level", String(16), nullable=False),
    Column("sector", String(64), nullable=False),
    Column("supervising_office", String(128), nullable=False, default=""),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("document_no", String(128), nullable=False, default=""),
    Column("region_code", String(6), nullable=False),
    Column("phases", Text, nullable=False),
    Column("rules", Text, nullable=False),
)

# Regulated entities: pseudonymous id, kind and region only (names stay sealed upstream).
entities = Table(
    "entities",
    metadata,
    Column("entity_id", String(128), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("region_code", String(6), nullable=False, index=True),
    Column("agency_ids", Text, nullable=False),
)

build_info = Table(
    "build_info",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

SUBJECT_DEFAULTS: dict[str, Any] = {
    column.name: (column.default.arg if column.default is not None else None)  # type: ignore[attr-defined]
    for column in subjects.columns
}


_BUSY_TIMEOUT_S = 30


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-8192")  # 8 MB per connection
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """WAL mode (it is kept in the file). Switching needs the file to itself, and SQLite
    answers "locked" at once rather than waiting for that, so when several processes
    open a new database together the losers try again until the winner has switched."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_bulk_pragmas(dbapi_connection: Any, record: Any) -> None:
    # Before anything else: a new file takes its page size when it is first written to.
    # Pages of 16 KB rather than 4: rows of the event log are about 1 KB each, and the
    # indexes built at the end of a bulk load read the whole table.
    dbapi_connection.execute("PRAGMA page_size=16384")
    _sqlite_pragmas(dbapi_connection, record)
    # A build that can simply be made again: no syncs, and checkpoints of the log every
    # 80 MB instead of every 4 MB (a third of the commit time in a replay otherwise).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA wal_autocheckpoint=20000")
    cursor.execute("PRAGMA cache_size=-32768")  # 32 MB: fewer page reads in big tables
    cursor.execute("PRAGMA threads=2")  # helper threads sort for the indexes built last
    cursor.close()


def make_engine(url: str, *, bulk: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL so the API reads while the projector writes.
    ``bulk``: for building a database that is thrown away if the build fails (an audit
    replay): SQLite then trades durability against a crash of the machine for speed."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": _BUSY_TIMEOUT_S}
        )
        event.listen(engine, "connect", _sqlite_bulk_pragmas if bulk else _sqlite_pragmas)
    else:
        # No server-side prepared statements: their generic plans turn the batch
        # look-ups (``subject IN (…500 ids…)``) into sequential scans.
        options = {"prepare_threshold": None} if "psycopg" in url else {}
        engine = create_engine(url, pool_pre_ping=True, connect_args=options)
    return engine


def create_tables(engine: Engine, *, fresh: bool = False, indexes: bool = True) -> None:
    """Create the tables that are missing. ``fresh``: drop them all first, as for a
    database of another ``SCHEMA_VERSION``. ``indexes=False`` leaves out the secondary
    indexes, for a bulk load into a fresh database: building them once afterwards
    (``create_indexes``) is cheaper than keeping them up to date row by row.

    Safe when two processes start at once: the look at the stored version and what
    follows from it happen in one transaction that holds the database's schema lock,
    so one process never drops the tables the other is still building."""
    with engine.connect() as conn:
        _take_schema_lock(conn)
        stored = stored_schema_version(conn)
        if stored is not None and stored != SCHEMA_VERSION:
            log.warning(
                "read models are of schema version %s, this code writes %s: building "
                "them again from the log",
                stored,
                SCHEMA_VERSION,
            )
            fresh = True
        if fresh:
            metadata.drop_all(conn)
        for table in metadata.sorted_tables:
            conn.execute(CreateTable(table, if_not_exists=True))
        if conn.execute(select(func.count()).select_from(schema_info)).scalar_one() == 0:
            conn.execute(insert(schema_info).values(version=SCHEMA_VERSION))
        if indexes:
            _create_indexes(conn)
        conn.commit()


def _take_schema_lock(conn: Connection) -> None:
    """Begin a transaction that no other process can change the schema beside.
    SQLite: ``BEGIN IMMEDIATE`` (the driver would otherwise run each DDL statement in
    a transaction of its own); PostgreSQL: a transaction-scoped advisory lock (its DDL
    is transactional already)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK_KEY)))


# Any fixed number, the same in every process that builds these read models.
_SCHEMA_LOCK_KEY = 0x5245504F5254  # "REPORT"


def stored_schema_version(bind: Engine | Connection) -> int | None:
    """The schema version the database was built with; ``None`` for an empty one (and
    1 for one built before versions were recorded)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return stored_schema_version(conn)
    tables = set(inspect(bind).get_table_names())
    if schema_info.name in tables:
        version = bind.execute(select(schema_info.c.version)).scalar()
        return SCHEMA_VERSION if version is None else int(version)
    return 1 if offsets.name in tables else None


def create_indexes(engine: Engine) -> None:
    """The secondary indexes that are missing (after a bulk load), in one transaction."""
    with engine.begin() as conn:
        _create_indexes(conn)


def _create_indexes(conn: Connection) -> None:
    for table in metadata.sorted_tables:
        for index in table.indexes:
            conn.execute(CreateIndex(index, if_not_exists=True))
