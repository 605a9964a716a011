"""Look-ups and work lists a store keeps beside its aggregates, filed in the same
apply path as the state (so that a refold files them again: filing is idempotent) and
committed in the same batches."""

from __future__ import annotations

from dataclasses import dataclass

from shared.state.file import SqliteFile

SCHEMA = """
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
"""


class Indexes:
    def __init__(self, file: SqliteFile) -> None:
        self._file = file

    def lookup(self, name: str) -> Lookup:
        return Lookup(self, name)

    def worklist(self, name: str) -> WorkList:
        return WorkList(self, name)

    def put(self, name: str, key: str, value: str) -> None:
        self._write(
            "INSERT OR IGNORE INTO lookups (name, key, value) VALUES (?, ?, ?)", name, key, value
        )

    def values(self, name: str, key: str) -> list[str]:
        rows = self._file.db.execute(
            "SELECT value FROM lookups WHERE name = ? AND key = ? ORDER BY rowid", (name, key)
        )
        return [value for (value,) in rows]

    def enlist(self, name: str, member: str) -> None:
        self._write("INSERT OR IGNORE INTO worklists (name, member) VALUES (?, ?)", name, member)

    def delist(self, name: str, member: str) -> None:
        self._write("DELETE FROM worklists WHERE name = ? AND member = ?", name, member)

    def members(self, name: str) -> list[str]:
        rows = self._file.db.execute(
            "SELECT member FROM worklists WHERE name = ? ORDER BY rowid", (name,)
        )
        return [member for (member,) in rows]

    def _write(self, statement: str, *parameters: str) -> None:
        self._file.writing()
        self._file.db.execute(statement, parameters)
        self._file.wrote()

    def clear(self) -> None:
        self._file.db.execute("DELETE FROM lookups")
        self._file.db.execute("DELETE FROM worklists")


@dataclass(frozen=True)
class Lookup:
    """A named index from keys to the aggregate ids (or other values) filed under them."""

    indexes: Indexes
    name: str

    def put(self, key: str, value: str) -> None:
        self.indexes.put(self.name, key, value)

    def get(self, key: str) -> str | None:
        """The value filed under ``key`` (the first one filed, if several)."""
        values = self.indexes.values(self.name, key)
        return values[0] if values else None

    def values(self, key: str) -> list[str]:
        """Every value filed under ``key``, in the order they were filed."""
        return self.indexes.values(self.name, key)


@dataclass(frozen=True)
class WorkList:
    """A named set of ids still to be worked on, kept with the state it follows from."""

    indexes: Indexes
    name: str

    def add(self, member: str) -> None:
        self.indexes.enlist(self.name, member)

    def discard(self, member: str) -> None:
        self.indexes.delist(self.name, member)

    def members(self) -> list[str]:
        """Every member, in the order added."""
        return self.indexes.members(self.name)
