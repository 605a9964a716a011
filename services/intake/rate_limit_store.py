"""A ``limits`` storage in SQL, so that every process of a service shares one budget.

SQLite (a file in the data directory, which every process on the host reaches) or
PostgreSQL (what the deployed stack has). Counters are keyed per window, expire after
two windows and are pruned as writes go by, so the table holds only the clients of
the last two windows; the process itself keeps nothing per client. Times are the wall
clock (``time.time``): a simulated campaign clock must not open or close a limit."""

from __future__ import annotations

import time
from math import floor
from pathlib import Path
from typing import Any

from limits.storage import Storage
from limits.storage.base import SlidingWindowCounterSupport, TimestampedSlidingWindow
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    case,
    create_engine,
    delete,
    event,
    make_url,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

_metadata = MetaData()
counters = Table(
    "rate_limit_counters",
    _metadata,
    Column("key", String(300), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)
# Expired rows are deleted on one write in this many (and by the window key itself).
PRUNE_EVERY = 64


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    """WAL so readers never wait; a counter lost in a power cut costs nothing."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class SqlStorage(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    """Fixed-window counters and the sliding-window counter of ``limits``."""

    STORAGE_SCHEME = ["campaign+sql"]  # noqa: RUF012 (declared by limits' base class)

    def __init__(self, url: str, wrap_exceptions: bool = False) -> None:
        super().__init__(url, wrap_exceptions=wrap_exceptions)
        self.engine = _engine(url)
        _metadata.create_all(self.engine)
        self._writes = 0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    # -- counters ------------------------------------------------------------------------

    def _add(self, connection: Connection, key: str, amount: int, expires_at: float) -> int:
        """Add ``amount`` to the live counter ``key`` (made anew if missing or expired)."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        now = time.time()
        row = {"key": key, "count": amount, "expires_at": expires_at}
        statement = dialect.insert(counters).values(row)
        excluded = statement.excluded
        live = counters.c.expires_at > now
        upsert = statement.on_conflict_do_update(
            index_elements=[counters.c.key],
            set_={
                "count": case(
                    (live, counters.c.count + excluded["count"]), else_=excluded["count"]
                ),
                "expires_at": case((live, counters.c.expires_at), else_=excluded["expires_at"]),
            },
        ).returning(counters.c.count)
        count = int(connection.execute(upsert).scalar_one())
        self._writes += 1
        if self._writes % PRUNE_EVERY == 0:
            connection.execute(delete(counters).where(counters.c.expires_at <= now))
        return count

    def _count(self, connection: Connection, key: str) -> tuple[int, float]:
        row = connection.execute(
            select(counters.c.count, counters.c.expires_at).where(counters.c.key == key)
        ).first()
        if row is None or row[1] <= time.time():
            return 0, 0.0
        return int(row[0]), float(row[1])

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self.engine.begin() as connection:
            return self._add(connection, key, amount, time.time() + expiry)

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            return self._count(connection, key)[0]

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expires_at = self._count(connection, key)[1]
        return expires_at or time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(counters)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(counters).where(counters.c.key == key))

    # -- sliding window ------------------------------------------------------------------

    def _window(
        self, connection: Connection, key: str, expiry: int, now: float
    ) -> tuple[int, float, int, float]:
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        previous = self._count(connection, previous_key)[0]
        current = self._count(connection, current_key)[0]
        previous_ttl = (1 - (((now - expiry) / expiry) % 1)) * expiry if previous else 0.0
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous, previous_ttl, current, current_ttl

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        """Count the entry, then look at the weighted count, in one transaction: over the
        limit, the transaction is rolled back. Concurrent callers of any process queue on
        the counter's row (PostgreSQL) or on the database's write lock (SQLite)."""
        if amount > limit:
            return False
        now = time.time()
        _, current_key = self.sliding_window_keys(key, expiry, now)
        window_ends = (int(now / expiry) + 1) * expiry
        connection = self.engine.connect()
        try:
            transaction = connection.begin()
            current = self._add(connection, current_key, amount, window_ends + expiry)
            previous, previous_ttl, _, _ = self._window(connection, key, expiry, now)
            if floor(previous * previous_ttl / expiry + current) > limit:
                transaction.rollback()
                return False
            transaction.commit()
            return True
        finally:
            connection.close()

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        with self.engine.connect() as connection:
            return self._window(connection, key, expiry, time.time())

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        previous_key, current_key = self.sliding_window_keys(key, expiry, time.time())
        with self.engine.begin() as connection:
            connection.execute(
                delete(counters).where(counters.c.key.in_([previous_key, current_key]))
            )
