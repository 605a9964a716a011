"""Per-subject encryption of personal data (crypto-shredding).

Each subject (a tipster, a regulated entity) gets its own AES-256-GCM key, kept in a
key store outside Kafka. Events carry only ciphertext; deleting the key (``shred``)
erases the person from every replay, and decryption then yields ``ERASED``.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import DateTime, LargeBinary, String, create_engine, event, insert, make_url, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared.clock import Clock, SystemClock
from shared.ids import random_bytes

ERASED: Final = "[已删除 erased]"
_PREFIX: Final = "aesgcm1:"


class _Base(DeclarativeBase):
    pass


class SubjectKey(_Base):
    __tablename__ = "subject_keys"

    subject_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    key: Mapped[bytes | None] = mapped_column(LargeBinary(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    shredded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SubjectErased(ValueError):
    """The subject's key was shredded: nothing new can be sealed for it."""


class UnreadableCiphertext(ValueError):
    """The value was not produced by this vault, or was tampered with."""


def _sqlite_write_ahead_log(connection: Any, record: Any) -> None:
    """WAL: a commit costs one fsync of the log, and readers never wait for writers;
    ``synchronous=FULL`` keeps every committed key across a power loss."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class KeyStore:
    """Subject keys in SQL (SQLite by default, PostgreSQL supported)."""

    def __init__(self, url_or_engine: str | Engine, clock: Clock | None = None) -> None:
        if isinstance(url_or_engine, str):
            database = make_url(url_or_engine).database
            if url_or_engine.startswith("sqlite") and database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            url_or_engine = create_engine(url_or_engine)
            if url_or_engine.dialect.name == "sqlite":
                event.listen(url_or_engine, "connect", _sqlite_write_ahead_log)
        self.engine = url_or_engine
        self._clock = clock or SystemClock()
        _Base.metadata.create_all(self.engine)

    def key_for(self, subject_id: str, *, create: bool) -> bytes | None:
        """The subject's key (``None`` once shredded); with ``create``, made if missing."""
        if create:
            return self.keys_for_new([subject_id])[subject_id]
        with Session(self.engine) as session:
            row = session.get(SubjectKey, subject_id)
            return None if row is None else row.key

    def keys_for_new(self, subject_ids: Iterable[str]) -> dict[str, bytes | None]:
        """``key_for(create=True)`` for many subjects in one transaction: one commit (one
        fsync of SQLite's log) however many subjects. Existing keys are returned as they
        are (``None`` once shredded); missing ones are created."""
        wanted = list(dict.fromkeys(subject_ids))
        if not wanted:
            return {}
        with self.engine.begin() as connection:
            found: dict[str, bytes | None] = {
                row.subject_id: row.key
                for row in connection.execute(
                    select(SubjectKey.subject_id, SubjectKey.key).where(
                        SubjectKey.subject_id.in_(wanted)
                    )
                )
            }
            now = self._clock.now()
            created = {
                subject_id: AESGCM.generate_key(bit_length=256)
                for subject_id in wanted
                if subject_id not in found
            }
            if created:
                connection.execute(
                    insert(SubjectKey),
                    [
                        {"subject_id": s, "key": key, "created_at": now, "shredded_at": None}
                        for s, key in created.items()
                    ],
                )
            found.update(created)
        return found

    def shred(self, subject_id: str) -> bool:
        """Delete the subject's key; return whether there was a key to delete."""
        with Session(self.engine) as session, session.begin():
            row = session.get(SubjectKey, subject_id)
            if row is None:
                row = SubjectKey(subject_id=subject_id, key=None, created_at=self._clock.now())
                session.add(row)
            had_key = row.key is not None
            row.key = None
            row.shredded_at = row.shredded_at or self._clock.now()
            return had_key


class KeyGroupCommit:
    """Creates subject keys for concurrent callers on one event loop in shared
    transactions (group commit).

    Every key is committed (``synchronous=FULL`` on SQLite) before its caller is
    answered, exactly as with ``KeyStore.key_for``; but the callers that arrive while
    one commit is in flight share the next one, so the key store costs one fsync per
    batch instead of one per subject, and only one thread ever writes (SQLite's
    writers would otherwise queue on its file lock and sleep in its busy handler)."""

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys
        self._pending: list[tuple[tuple[str, ...], asyncio.Future[dict[str, bytes | None]]]] = []
        self._committing: asyncio.Task[None] | None = None

    async def keys_for_new(self, *subject_ids: str) -> dict[str, bytes | None]:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[dict[str, bytes | None]] = loop.create_future()
        self._pending.append((subject_ids, waiter))
        if self._committing is None or self._committing.done():
            self._committing = loop.create_task(self._commit_all())
        return await waiter

    async def _commit_all(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                keys = await asyncio.to_thread(
                    self._keys.keys_for_new, (s for ids, _ in batch for s in ids)
                )
            except BaseException as exc:
                for _, waiter in batch:
                    if not waiter.done():
                        waiter.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for ids, waiter in batch:
                if not waiter.done():  # the caller may have been cancelled
                    waiter.set_result({s: keys[s] for s in ids})


class PersonalDataVault:
    """``encrypt`` / ``decrypt`` / ``shred`` personal data per subject."""

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys
        self._group_commit = KeyGroupCommit(keys)

    def encrypt(self, subject_id: str, plaintext: str) -> str:
        return self._seal(subject_id, self._keys.key_for(subject_id, create=True), plaintext)

    async def encrypt_many(self, plaintexts: dict[str, str]) -> dict[str, str]:
        """``encrypt`` for the event loop, one plaintext per subject: the keys are made
        (and committed) together with those of concurrent callers; no thread waits."""
        keys = await self._group_commit.keys_for_new(*plaintexts)
        return {s: self._seal(s, keys[s], text) for s, text in plaintexts.items()}

    async def encrypt_each(self, items: Sequence[tuple[str, str]]) -> list[str]:
        """``encrypt`` for the event loop, any number of plaintexts per subject, in the
        order given; the keys are made and committed as with ``encrypt_many``."""
        keys = await self._group_commit.keys_for_new(*dict.fromkeys(s for s, _ in items))
        return [self._seal(s, keys[s], text) for s, text in items]

    @staticmethod
    def _seal(subject_id: str, key: bytes | None, plaintext: str) -> str:
        if key is None:  # the row is there but its key was shredded
            raise SubjectErased(f"subject {subject_id!r} has been erased; it cannot get new data")
        nonce = random_bytes(12)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), subject_id.encode())
        return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, subject_id: str, ciphertext: str) -> str:
        """The plaintext, or ``ERASED`` once the subject's key has been shredded."""
        if not ciphertext.startswith(_PREFIX):
            raise UnreadableCiphertext("not a value sealed by this vault")
        key = self._keys.key_for(subject_id, create=False)
        if key is None:
            return ERASED
        raw = base64.b64decode(ciphertext[len(_PREFIX) :])
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], subject_id.encode()).decode("utf-8")
        except InvalidTag as exc:
            raise UnreadableCiphertext("ciphertext does not belong to this subject") from exc

    def shred(self, subject_id: str) -> bool:
        return self._keys.shred(subject_id)

    def is_shredded(self, subject_id: str) -> bool:
        """True once the subject's key was shredded (or never existed)."""
        return self._keys.key_for(subject_id, create=False) is None


def is_sealed(value: str) -> bool:
    return value.startswith(_PREFIX)
