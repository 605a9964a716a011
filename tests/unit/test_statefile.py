"""The state file deciding services keep their aggregates in."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.statefile import Aggregate, StateFile

T0 = datetime(2016, 9, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Counter:
    name: str
    count: int
    seen: frozenset[str] = frozenset()


def test_an_aggregate_comes_back_as_it_was_saved() -> None:
    state = StateFile()
    assert state.load("a") is None
    state.save("a", Aggregate("counter", Counter("a", 1, frozenset({"x"})), 1))
    state.save("a", Aggregate("counter", Counter("a", 2, frozenset({"x", "y"})), 2))
    loaded = state.load("a")
    assert loaded == Aggregate("counter", Counter("a", 2, frozenset({"x", "y"})), 2)


def test_aggregates_pushed_out_of_memory_are_read_back_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "svc.sqlite"
    state = StateFile(path, recent=100)
    many = 1234
    for i in range(many):
        state.save(f"a{i}", Aggregate("counter", Counter(f"a{i}", i), 1))
    state.save("a0", Aggregate("counter", Counter("a0", -1), 2))  # changed after written
    state.flush()
    assert state.load("a0") == Aggregate("counter", Counter("a0", -1), 2)
    assert state.load("a1") == Aggregate("counter", Counter("a1", 1), 1)
    with sqlite3.connect(path) as reader:
        assert reader.execute("SELECT count(*) FROM aggregates").fetchone() == (many,)


def test_a_scan_reads_every_aggregate_of_one_kind_in_the_order_first_saved() -> None:
    state = StateFile()
    ids = [f"c{i:04d}" for i in range(1234)]  # more than one chunk
    for i, aggregate_id in enumerate(reversed(ids)):
        state.save(aggregate_id, Aggregate("counter", Counter(aggregate_id, i), 1))
        state.save(f"o{i}", Aggregate("other", Counter("o", i), 1))
    state.save(ids[0], Aggregate("counter", Counter(ids[0], -1), 2))  # an update
    scanned = list(state.scan("counter"))
    assert [aggregate_id for aggregate_id, _ in scanned] == list(reversed(ids))
    assert scanned[-1][1] == Counter(ids[0], -1)
    assert len(list(state.scan("other"))) == 1234


def test_due_aggregates_come_earliest_first_and_leave_when_nothing_is_pending() -> None:
    state = StateFile()
    for name, days in (("late", 5), ("early", 1), ("none", None)):
        due = None if days is None else T0 + timedelta(days=days)
        state.save(name, Aggregate("counter", Counter(name, 0), 1), due)
    state.save("other", Aggregate("other", Counter("x", 0), 1), T0)
    assert state.due(("counter",), T0) == []
    later = T0 + timedelta(days=9)
    assert state.due(("counter",), later) == [("counter", "early"), ("counter", "late")]
    assert state.due(("counter", "other"), later) == [
        ("other", "other"),
        ("counter", "early"),
        ("counter", "late"),
    ]
    state.save("early", Aggregate("counter", Counter("early", 1), 2), None)
    assert state.due(("counter",), later) == [("counter", "late")]


def test_a_lookup_keeps_every_value_in_the_order_filed() -> None:
    state = StateFile()
    merged = state.lookup("merged")
    merged.put("t1", "t3")
    merged.put("t1", "t2")
    merged.put("t1", "t3")  # filed again: kept once
    assert merged.values("t1") == ["t3", "t2"]
    assert merged.get("t1") == "t3"
    assert state.lookup("other").get("t1") is None


def test_a_file_left_by_an_earlier_process_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "state" / "svc.sqlite"
    old = StateFile(path)
    old.save("a", Aggregate("counter", Counter("a", 1), 1))
    for i in range(600):  # past a commit
        old.lookup("l").put(str(i), "v")
    new = StateFile(path)
    assert new.load("a") is None and new.lookup("l").get("1") is None
    old.save("b", Aggregate("counter", Counter("b", 1), 1))  # the old one writes its own copy
    assert new.load("b") is None
    new.close()
    assert not path.exists()


def test_aggregates_beyond_the_memory_limit_are_written_in_batches() -> None:
    state = StateFile(recent=10)
    statements: list[str] = []
    state._db.set_trace_callback(statements.append)
    for i in range(1000):
        state.save(f"a{i}", Aggregate("counter", Counter(f"a{i}", i), 1))
    commits = sum(1 for statement in statements if statement.upper().startswith("COMMIT"))
    # An aggregate leaves memory only once written; it must not cost a commit of its own.
    assert 0 < commits <= 1000 // 10 + 1
    assert state.load("a0") == Aggregate("counter", Counter("a0", 0), 1)
