"""StateFile: the one object a store holds for its state file, made of the file
(``file``), its aggregates (``aggregates``), its positions in the log (``tracking``)
and its look-ups and work lists (``indexes``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from shared.state import aggregates, indexes, tracking
from shared.state.aggregates import Aggregate, AggregateTable, StateCodec
from shared.state.file import SqliteFile
from shared.state.indexes import Indexes, Lookup, WorkList
from shared.state.lock import StateFileInUse
from shared.state.tracking import Position, Tracking

_SCHEMA = aggregates.SCHEMA + tracking.SCHEMA + indexes.SCHEMA


class DataDirectoryInUse(StateFileInUse):
    """Another process of the same service uses the data directory."""

    def __init__(self, data_dir: Path, service: str, held: StateFileInUse) -> None:
        self.data_dir = data_dir
        self.service = service
        super().__init__(held.path, held.pid)

    def messages(self) -> tuple[str, str]:
        pid = "未知" if self.pid is None else str(self.pid)
        return (
            f"数据目录 {self.data_dir} 已由另一个 {self.service} 进程使用（pid {pid}）",
            f"the data directory {self.data_dir} is in use by another {self.service} "
            f"process (pid {'unknown' if self.pid is None else pid})",
        )


class StateFile:
    """Aggregates (kind, version, state document, next due moment), named look-ups and
    work lists, and the topic positions they reflect."""

    def __init__(self, path: Path | None = None, *, recent: int = 4096) -> None:
        """The state file at ``path``, reopened if it stopped cleanly, else new and
        empty; ``None`` keeps it in memory, for tests and one-shot tools. ``recent``:
        how many of the aggregates used last stay in memory as objects. Raises
        ``StateFileInUse`` if another writer holds it."""
        self.path = path
        self.file = SqliteFile(path, _SCHEMA)
        # Registered in this order: the state is written before the positions it reaches.
        self.aggregates = AggregateTable(self.file, recent)
        self.tracking = Tracking(self.file)
        self.indexes = Indexes(self.file)
        self.resumed = self.file.resumed

    # -- aggregates ------------------------------------------------------------------

    def register(self, kind: str, codec: StateCodec) -> None:
        self.aggregates.register(kind, codec)

    def refolding(self) -> frozenset[str]:
        return self.aggregates.refolding()

    def refolded(self) -> None:
        self.aggregates.refolded()

    def load(self, aggregate_id: str) -> Aggregate | None:
        return self.aggregates.load(aggregate_id)

    def save(self, aggregate_id: str, aggregate: Aggregate, due: datetime | None = None) -> None:
        self.aggregates.save(aggregate_id, aggregate, due)

    def scan(self, kind: str) -> Iterator[tuple[str, Any]]:
        return self.aggregates.scan(kind)

    def due(self, kinds: Sequence[str], now: datetime) -> list[tuple[str, str]]:
        return self.aggregates.due(kinds, now)

    # -- positions, look-ups, work lists -------------------------------------------------

    def positions(self, topic: str) -> dict[int, Position]:
        return self.tracking.positions(topic)

    def folded(self, topic: str, partition: int, offset: int, event_id: str) -> None:
        self.tracking.folded(topic, partition, offset, event_id)

    def lookup(self, name: str) -> Lookup:
        return self.indexes.lookup(name)

    def worklist(self, name: str) -> WorkList:
        return self.indexes.worklist(name)

    # -- the file ----------------------------------------------------------------------

    def flush(self) -> None:
        """Write the aggregates and positions held since the last batch, and commit."""
        self.file.flush()

    def clear(self) -> None:
        """Forget everything: the state must be folded again from offset 0."""
        self.file.writing()
        self.aggregates.clear()
        self.tracking.clear()
        self.indexes.clear()
        self.file.flush()
        self.resumed = False

    def stopped(self) -> None:
        """The process stops here (see ``SqliteFile.stopped``)."""
        self.file.stopped()

    def close(self) -> None:
        """``stopped``, and let go of the file and its lock."""
        self.file.close()


def service_state_file(data_dir: Path, service: str) -> StateFile:
    """A service's state file under its data directory, ``state/<service>.sqlite``;
    raises ``DataDirectoryInUse`` while another process of the service holds it."""
    try:
        return StateFile(data_dir / "state" / f"{service}.sqlite")
    except StateFileInUse as held:
        raise DataDirectoryInUse(data_dir, service, held) from None
