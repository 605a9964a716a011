"""A state file keeps, per kind, the version of the state documents it holds: a
reopened file reads on whatever code changed, upcasts a kind whose version has
upcasters, and drops (for a refold of that kind alone) one whose version has none."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.state import Aggregate, Position, StateCodec, StateFile


@dataclass(frozen=True)
class CounterV1:
    name: str
    count: int


@dataclass(frozen=True)
class CounterV2:
    name: str
    total: int
    seen: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CounterV3:
    name: str
    total: int
    seen: frozenset[str]
    label: str


def v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    return {"name": document["name"], "total": document["count"], "seen": []}


def v2_to_v3(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "label": document["name"].upper()}


def opened(path: Path, counter: StateCodec) -> StateFile:
    """The file with kind ``counter`` as given and kind ``other`` at version 1."""
    state = StateFile(path)
    state.register("counter", counter)
    state.register("other", StateCodec(CounterV1))
    return state


def written(path: Path) -> None:
    first = opened(path, StateCodec(CounterV1))
    first.save("c1", Aggregate("counter", CounterV1("c1", 5), 3))
    first.save("c2", Aggregate("counter", CounterV1("c2", 7), 1))
    first.save("o1", Aggregate("other", CounterV1("o1", 1), 1))
    first.lookup("by-name").put("x", "c1")
    first.folded("topic", 0, 0, "event-0")
    first.close()


def stored_versions(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT kind, state_version FROM kinds"))


def test_a_file_stopped_cleanly_by_another_process_reads_on_whatever_the_code(
    tmp_path: Path,
) -> None:
    path = tmp_path / "svc.sqlite"
    writer = (
        "import sys; from pathlib import Path\n"
        "from tests.unit.test_state_versions import written\n"
        "written(Path(sys.argv[1]))\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", writer, str(path)], cwd=root, check=True)
    with sqlite3.connect(path) as db:  # nothing in it names the code that wrote it
        assert {key for (key,) in db.execute("SELECT key FROM meta")} == {"format", "stopped"}
    again = opened(path, StateCodec(CounterV1))
    assert again.resumed and again.refolding() == frozenset()
    assert again.load("c1") == Aggregate("counter", CounterV1("c1", 5), 3)
    assert again.positions("topic") == {0: Position(1, "event-0")}


def test_an_upcaster_carries_a_kinds_documents_to_its_new_version(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    written(path)
    again = opened(path, StateCodec(CounterV2, 2, {1: v1_to_v2}))
    assert again.resumed and again.refolding() == frozenset()
    assert again.load("c1") == Aggregate("counter", CounterV2("c1", 5), 3)
    assert [state for _, state in again.scan("counter")] == [CounterV2("c1", 5), CounterV2("c2", 7)]
    assert again.load("o1") == Aggregate("other", CounterV1("o1", 1), 1)
    assert again.lookup("by-name").get("x") == "c1"
    again.close()
    assert stored_versions(path) == {"counter": 2, "other": 1}
    # Two steps at once, from a file two versions behind.
    behind = tmp_path / "behind.sqlite"
    written(behind)
    third = opened(behind, StateCodec(CounterV3, 3, {1: v1_to_v2, 2: v2_to_v3}))
    assert third.load("c2") == Aggregate("counter", CounterV3("c2", 7, frozenset(), "C2"), 1)


def test_a_version_without_an_upcaster_drops_that_kind_alone_until_refolded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "svc.sqlite"
    written(path)
    again = opened(path, StateCodec(CounterV2, 2))
    assert again.resumed and again.refolding() == frozenset({"counter"})
    assert again.load("c1") is None and list(again.scan("counter")) == []
    assert again.load("o1") == Aggregate("other", CounterV1("o1", 1), 1)
    assert again.positions("topic") == {0: Position(1, "event-0")}
    # Stopped before the refold: the next start drops and refolds it again.
    again.close()
    assert stored_versions(path) == {"other": 1}
    third = opened(path, StateCodec(CounterV2, 2))
    assert third.refolding() == frozenset({"counter"})
    third.save("c1", Aggregate("counter", CounterV2("c1", 5), 3))
    third.refolded()
    third.close()
    assert stored_versions(path) == {"counter": 2, "other": 1}
    fourth = opened(path, StateCodec(CounterV2, 2))
    assert fourth.refolding() == frozenset()
    assert fourth.load("c1") == Aggregate("counter", CounterV2("c1", 5), 3)


def test_a_stored_version_newer_than_the_codes_is_refolded(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    first = opened(path, StateCodec(CounterV2, 2, {1: v1_to_v2}))
    first.save("c1", Aggregate("counter", CounterV2("c1", 5), 3))
    first.close()
    older = opened(path, StateCodec(CounterV1))
    assert older.refolding() == frozenset({"counter"}) and older.load("c1") is None


def test_an_upcast_that_does_not_read_back_refolds_the_kind(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    written(path)
    again = opened(path, StateCodec(CounterV3, 2, {1: v1_to_v2}))  # lacks label
    assert again.refolding() == frozenset({"counter"}) and again.load("c1") is None
    assert again.load("o1") is not None


def test_a_kind_new_to_a_reopened_file_is_refolded_alone(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    written(path)
    again = opened(path, StateCodec(CounterV1))
    again.register("newcomer", StateCodec(CounterV1))
    assert again.refolding() == frozenset({"newcomer"})
    assert again.load("c1") is not None


def test_a_new_file_refolds_no_kind_alone(tmp_path: Path) -> None:
    fresh = opened(tmp_path / "svc.sqlite", StateCodec(CounterV2, 2))
    assert not fresh.resumed and fresh.refolding() == frozenset()
    fresh.close()
    assert stored_versions(tmp_path / "svc.sqlite") == {"counter": 2, "other": 1}


def test_a_cleared_file_records_its_kinds_anew(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    written(path)
    again = opened(path, StateCodec(CounterV2, 2))
    again.clear()
    assert again.refolding() == frozenset() and not again.resumed
    again.close()
    assert stored_versions(path) == {"counter": 2, "other": 1}
